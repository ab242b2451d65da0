/* eval.h - policy x typed view -> decision. Pure: no I/O, no globals, no allocation. */
#ifndef CISGATE_EVAL_H
#define CISGATE_EVAL_H

#include <stdbool.h>
#include <time.h>

#include "cisgate/docker.h"
#include "cisgate/exemption.h"
#include "cisgate/policy.h"
#include "cisgate/uri.h"

enum outcome { OUT_ALLOW = 0, OUT_WARN, OUT_DENY };

struct violation {
	int rule;                 /* enum rule_id, or -1 for a request cisgate cannot read */
	enum action action;       /* as the policy says */
	const struct exemption *waived_by; /* NULL unless an exemption waived it */
	const struct exemption *expired;   /* not waived, but an exemption that has expired
	                                      would have waived it (named in the message) */
	char text[CG_VIOLATION_TEXT_MAX]; /* "[CIS 5.4] privileged: ..." */
};

struct decision {
	bool allow;
	enum outcome outcome;
	bool would_deny;                    /* audit mode let a deny through */
	const struct exemption *exemption;  /* the first exemption used */
	const struct exemption *expired;    /* the first expired one that would have been */
	size_t nv;
	struct violation v[CG_VIOLATIONS_MAX];
	char msg[CG_MSG_MAX];               /* what the docker CLI shows */
};

/* Decides one classified request whose body view is built. user is the TLS user ("" on
 * the unix socket); now decides exemption expiry. Fills every field of *d. In order:
 * self-protection (the plugin routes under a plugin_names name or an ID: a deny no mode or
 * exemption changes); the route step (rules swarm, plugins, networks, and default-bridge on
 * network connect, from the route, the query and v->root for plugin and network bodies;
 * the rule default-route for a route of class default, or judged with no rule for its kind,
 * unless the policy allows it); then the body rules when v->has_body. */
void eval_request(const struct policy *p, const struct endpoint *ep,
    const struct docker_view *v, const char *user, time_t now, struct decision *d);

struct eval_facts; /* evalfacts.h */

/* eval_request with what cisgate read besides the request (f may be NULL, and so may
 * each of its pointers): resolved host paths, a container's limits before an update.
 * f and what it points to stay the caller's and are only read. */
void eval_request_ctx(const struct policy *p, const struct endpoint *ep,
    const struct docker_view *v, const struct eval_facts *f, const char *user, time_t now,
    struct decision *d);

/* A body-bearing request whose body did not reach cisgate: the deny of
 * eval_deny_unreadable(d, reason), whatever the daemon, plus a violation of each
 * daemon-cves rule (CVE-2024-41110, CVE-2026-34040) whose CVE makes dockerd drop bodies
 * and that affects p's daemon version, named in the message. Allocates nothing that
 * outlives the call. Pure. */
void eval_deny_bodyless(const struct policy *p, const struct endpoint *ep, const char *user,
    time_t now, const char *reason, struct decision *d);

/* A deny that no rule made: the request could not be read as dockerd reads it. */
void eval_deny_unreadable(struct decision *d, const char *reason);

/* Makes the evaluated decision d a deny for reason (something cisgate needed and could
 * not read), keeping the rules' findings after it (the last is dropped when d is full).
 * No mode or exemption changes it. */
void eval_deny_also(struct decision *d, const char *reason);

/* True when ref (a plugin name, name:tag, repo/name@digest or ID prefix) may name one of
 * the policy's own plugin names: its last path component without tag or digest, ignoring
 * case, or any ref of hex digits only (cisgate cannot know its own plugin ID). */
bool eval_is_self(const struct policy *p, const char *ref);

const char *eval_outcome_name(enum outcome o);

#endif
