/* answer.h - the plugin's JSON answers ({"Allow":...}, {"Err":...}), beneath both the
 * routes and the audit flusher: neither builds an answer of its own. */
#ifndef CISGATE_ANSWER_H
#define CISGATE_ANSWER_H

#include <microhttpd.h>

/* The two answers that never change, built once and shared by every connection. */
struct answers {
	struct MHD_Response *allow;    /* {"Allow":true} */
	struct MHD_Response *activate; /* {"Implements":["authz"]} */
};

/* Builds the static answers into *a. Returns 0, or -1 (nothing left to free). */
int answer_init(struct answers *a);

/* Frees the static answers; accepts a zeroed struct. */
void answer_fini(struct answers *a);

/* A new deny answer {"Allow":false,"Msg":msg} (msg escaped, cut at CG_MSG_MAX bytes);
 * allocates: the caller owns it (answer_queue or answer_drop). NULL when out of memory. */
struct MHD_Response *answer_deny(const char *msg);

/* Queues r with status 200 on c and drops the caller's reference to it (a static answer
 * is never dropped). r NULL (out of memory) closes the connection: MHD_NO. */
enum MHD_Result answer_queue(const struct answers *a, struct MHD_Connection *c,
    struct MHD_Response *r);

/* Drops an answer that will not be sent; accepts NULL and the static answers. */
void answer_drop(const struct answers *a, struct MHD_Response *r);

/* Queues {"Err":err} with the given HTTP status (err escaped, cut at CG_MSG_MAX bytes). */
enum MHD_Result answer_error(struct MHD_Connection *c, unsigned status, const char *err);

#endif
