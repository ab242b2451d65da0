/* decide.h - the one pipeline, envelope -> uri -> docker view -> eval, shared by the
 * server and `cisgate check`, so an offline answer is exactly the server's answer. */
#ifndef CISGATE_DECIDE_H
#define CISGATE_DECIDE_H

#include <stdbool.h>
#include <time.h>

#include "cisgate/docker.h"
#include "cisgate/envelope.h"
#include "cisgate/eval.h"
#include "cisgate/current.h"
#include "cisgate/evalfacts.h"
#include "cisgate/facts.h"
#include "cisgate/hostview.h"
#include "cisgate/judged.h"
#include "cisgate/policy.h"
#include "cisgate/runfacts.h"
#include "cisgate/uri.h"

struct decide_ctx {
	struct authz_req req;
	struct endpoint ep;
	struct decision dec;
	/* Facts from dockerd: what the caller already has (answers, or NULL), and where a
	 * decision that needs more says so (NULL: decide with what there is; a missing fact
	 * is then unknown, and a rule that needs it denies, naming it). */
	const struct facts *have;
	struct facts *need;
	bool pending; /* c->need holds facts to look up; c->dec is a placeholder deny */
	/* The host's "/" (an O_PATH fd) to resolve bind sources against, or -1: then host
	 * paths are judged as written. Set by the caller; no decide_* call changes it. */
	int rootfd;
	/* The containers this cisgate allowed at create (judged.h), whose plain start or
	 * restart needs no lookup, or NULL. Set by the caller, like rootfd. */
	struct judged *judged;
	/* The token this cisgate's own lookups carry (CG_LOOKUP_HEADER), or NULL or "": its
	 * read of a container's /etc/passwd is then judged as a client's. Set by the caller. */
	const char *lookup_token;
	/* Views of the containers named by c->have's facts, built on demand (heap). */
	struct docker_view *fact_view[CG_FACTS_MAX];
	struct current_limits current;
	struct eval_facts facts; /* what the body rules were given, for the shadow policy */
	/* The shadow policy's decision on the same view (p->shadow; never answered, only
	 * recorded): has_shadow is false when there is no shadow or nothing was decided. */
	bool has_shadow;
	struct decision shadow;
	struct run_facts run;    /* the container that will run, from c->have */
	struct image_fact image; /* a create's image as dockerd reports it (owned) */
	char fact_err[400];      /* why a fact the decision needs could not be read, or "" */
	struct docker_view view; /* large */
	struct hostview host;    /* last: larger, and only its used entries are written */
};

/* Decides one AuthZ envelope buf[0..len). Never fails: anything it cannot read is a deny
 * with a reason in c->dec. Release with decide_free(). Pure (time comes from now). */
void decide_envelope(const struct policy *p, const char *buf, size_t len, bool is_response,
    time_t now, struct decide_ctx *c);

/* As decide_envelope, with user (when not NULL) in place of the envelope's User, for
 * `cisgate check --user`: the envelope is read exactly as the server reads it. user is
 * borrowed and must outlive decide_free(c). */
void decide_envelope_as(const struct policy *p, const char *buf, size_t len,
    bool is_response, const char *user, time_t now, struct decide_ctx *c);

/* The server's entry point. As decide_envelope_as; and when need is not NULL and the
 * decision depends on facts that have (NULL: none) does not hold, those facts are added
 * to *need and c->pending is set: the caller looks them up (lookup.c) and decides again
 * with them as have (and need NULL). Both are borrowed until decide_free(c). */
void decide_envelope_facts(const struct policy *p, const char *buf, size_t len,
    bool is_response, const char *user, time_t now, const struct facts *have,
    struct facts *need, struct decide_ctx *c);

/* Decides one `docker inspect` entry (an element of its array) as if the container were
 * created now, by user (NULL: ""). item and user are borrowed and must outlive
 * decide_free(c). Never fails: an entry it cannot read is a deny. Pure. */
void decide_inspect(const struct policy *p, json_t *item, const char *user, time_t now,
    struct decide_ctx *c);

/* decide_inspect with facts, as decide_envelope_facts: the container's named volumes are
 * looked up (need, then have), so that one bound to a host path is judged as that path.
 * have and need are borrowed until decide_free(c). */
void decide_inspect_facts(const struct policy *p, json_t *item, const char *user,
    time_t now, const struct facts *have, struct facts *need, struct decide_ctx *c);

/* Why a request is denied when its audit record cannot be written or flushed; as the
 * answer's Msg, DECIDE_AUDIT_DOWN_MSG (what eval_deny_unreadable makes of it). */
#define DECIDE_AUDIT_DOWN "the audit log cannot be written (disk full or permissions); " \
	"ask an administrator"
#define DECIDE_AUDIT_DOWN_MSG "cisgate denied this request: " DECIDE_AUDIT_DOWN

/* Why a request that needs more lookups than CG_FACTS_MAX is denied; as the answer's Msg,
 * DECIDE_TOO_MANY_FACTS_MSG. */
#define DECIDE_STR_(x) #x
#define DECIDE_STR(x) DECIDE_STR_(x)
#define DECIDE_TOO_MANY_FACTS "the request names more containers, images and volumes than " \
	"cisgate looks up for one decision (" DECIDE_STR(CG_FACTS_MAX) "), or a name too long " \
	"to look up; split it (fewer named volumes or joins in one container)"
#define DECIDE_TOO_MANY_FACTS_MSG "cisgate denied this request: " DECIDE_TOO_MANY_FACTS

/* True when a failed audit write or flush must turn c's answer into a deny: an allow of
 * a state change (not a response-phase request) unless the policy's audit.on_failure is
 * allow. The server asks before it waits for a flush (the context is gone by then). */
bool decide_audit_denies(const struct policy *p, const struct decide_ctx *c);

/* c's audit record could not be written: when decide_audit_denies(p, c), c->dec becomes
 * the audit-down deny (DECIDE_AUDIT_DOWN) and it returns true; otherwise c is unchanged
 * and it returns false. The record of that deny is not written (the log is down). */
bool decide_audit_failed(const struct policy *p, struct decide_ctx *c);

/* Decides a bare body (body[len] must be NUL) for the given endpoint
 * (`cisgate check --endpoint`). */
void decide_body(const struct policy *p, enum ep_kind kind, const unsigned char *body,
    size_t len, const char *user, time_t now, struct decide_ctx *c);

/* As decide_body for a container create named name (the create's ?name=), so that
 * exemptions matching container names apply as on the server: `check` on compose files.
 * name is copied. */
void decide_body_named(const struct policy *p, const char *name, const unsigned char *body,
    size_t len, const char *user, time_t now, struct decide_ctx *c);

/* A request that was never read (too large, no memory): a deny with reason, recorded as
 * endpoint "other". */
void decide_unread(struct decide_ctx *c, bool is_response, const char *reason);

/* Frees what a decide_* call allocated in c (the envelope, the body's JSON); c itself
 * stays the caller's. */
void decide_free(struct decide_ctx *c);

#endif
