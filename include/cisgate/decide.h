/* decide.h - the one pipeline, envelope -> uri -> docker view -> eval, shared by the
 * server and `cisgate check`, so an offline answer is exactly the server's answer. */
#ifndef CISGATE_DECIDE_H
#define CISGATE_DECIDE_H

#include <stdbool.h>
#include <time.h>

#include "cisgate/docker.h"
#include "cisgate/envelope.h"
#include "cisgate/eval.h"
#include "cisgate/policy.h"
#include "cisgate/uri.h"

struct decide_ctx {
	struct authz_req req;
	struct endpoint ep;
	struct decision dec;
	struct docker_view view; /* last: large */
};

/* Decides one AuthZ envelope buf[0..len). Never fails: anything it cannot read is a deny
 * with a reason in c->dec. Release with decide_free(). Pure (time comes from now). */
void decide_envelope(const struct policy *p, const char *buf, size_t len, bool is_response,
    time_t now, struct decide_ctx *c);

/* Decides a bare body (body[len] must be NUL) for the given endpoint
 * (`cisgate check --endpoint`). */
void decide_body(const struct policy *p, enum ep_kind kind, const unsigned char *body,
    size_t len, const char *user, time_t now, struct decide_ctx *c);

/* A request that was never read (too large, no memory): a deny with reason, recorded as
 * endpoint "other". */
void decide_unread(struct decide_ctx *c, bool is_response, const char *reason);

void decide_free(struct decide_ctx *c);

#endif
