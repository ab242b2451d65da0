/* evalfacts.h - what the evaluator may know besides the request: facts read from the
 * host (resolved host paths) and from the daemon (a container's current limits). Every
 * pointer is optional; a rule that needs a missing fact judges the request alone. */
#ifndef CISGATE_EVALFACTS_H
#define CISGATE_EVALFACTS_H

struct hostview;       /* hostview.h: bind sources as the kernel will follow them */
struct current_limits; /* current.h: a container's limits before an update */
struct run_facts;      /* runfacts.h: effective user, joined containers, resolved image */

struct eval_facts {
	const struct hostview *host;          /* NULL: host paths were not resolved */
	const struct current_limits *current; /* NULL: the limits are not known */
	const struct run_facts *run;          /* NULL: judged from the request alone */
};

#endif
