/* http.h - libmicrohttpd glue: routes, bounded upload, JSON answers. Thin. */
#ifndef CISGATE_HTTP_H
#define CISGATE_HTTP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "cisgate/audit.h"
#include "cisgate/dockerc.h"
#include "cisgate/policy.h"

struct http_server;

/* What the server shares with serve.c: the active policy snapshot and the audit writer. */
struct judged;

struct http_shared {
	pthread_mutex_t policy_lock; /* held only to take a reference or swap the pointer */
	struct policy *policy;
	struct audit *audit;         /* may be NULL: no outputs configured */
	struct dockerc *dockerc;     /* lookups in dockerd; NULL: every lookup fails (deny) */
	int rootfd;                  /* the host's "/" (O_PATH) that bind sources resolve in */
	struct judged *judged;       /* containers allowed at create (NULL: every plain start
	                              * is looked up) */
	char lookup_token[CG_LOOKUP_TOKEN_LEN + 1]; /* sent with each lookup ("": none) */
	atomic_ulong requests, denies, audit_failures, inflight;
	atomic_size_t upload_bytes; /* heap bytes held by uploads now (CG_UPLOAD_BUDGET) */
};

/* Starts serving on the listening socket fd (borrowed: the caller closes it after
 * http_stop): an acceptor thread spreads connections over `workers` worker threads
 * (0: one per CPU this process may use, at most CG_WORKERS_MAX). A connection silent for
 * idle_timeout_s is closed. The server borrows sh, which must outlive it.
 * Returns NULL on failure. */
struct http_server *http_start(int fd, unsigned idle_timeout_s, unsigned workers,
    struct http_shared *sh);

/* The number of worker threads s runs. */
unsigned http_workers(const struct http_server *s);

/* Connections open now across the workers (s is a struct http_server *), for the
 * metrics' open-connections gauge. */
unsigned long http_open_conns(void *s);

/* Stops accepting new connections; requests already read still get their answer. */
void http_quiesce(struct http_server *s);

/* Stops the server and frees it; accepts NULL. */
void http_stop(struct http_server *s);

/* Takes a reference to the active policy; release it with policy_release(). */
struct policy *http_policy_get(struct http_shared *sh);

#endif
