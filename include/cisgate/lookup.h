/* lookup.h - fills a decision's facts through read-only GETs to dockerd (dockerc). */
#ifndef CISGATE_LOOKUP_H
#define CISGATE_LOOKUP_H

#include <stdatomic.h>

#include "cisgate/dockerc.h"
#include "cisgate/facts.h"

/* Called once, on the lookup thread, when every fact of a lookup_start() has its answer
 * (or its failure). Must not block. */
typedef void (*lookup_ready_fn)(void *arg);

/* One request's lookups in flight. The caller keeps it (and the facts) alive until ready
 * has run. */
struct lookup_set {
	struct facts *facts;
	atomic_uint left;
	lookup_ready_fn ready;
	void *arg;
};

/* Asks dockerd, through c, for every fact in f that has no answer yet; ready(arg) runs when
 * all are in. Never blocks. Returns 0 (ready will run, possibly before this returns), or
 * -1 when nothing was started (no client, or it is stopping/full): then every pending fact
 * is marked failed with a reason, and ready does not run. */
int lookup_start(struct lookup_set *s, struct dockerc *c, struct facts *f,
    lookup_ready_fn ready, void *arg);

/* The same, synchronously, for the command line: fills every pending fact. */
void lookup_run_sync(const char *socket, unsigned timeout_ms, struct facts *f);

/* The escaped API path for fact x into out. Returns 0, or -1 when it does not fit. */
int lookup_path(const struct fact *x, char *out, size_t outsz);

#endif
