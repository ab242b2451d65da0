/* flusher.h - group commit for `fsync: always`: a worker does not wait for the disk; it
 * suspends the connection and queues it here, and one thread flushes once for the whole
 * queue, then resumes them. The flusher only resumes: the routes answer (it never calls
 * back up into them). */
#ifndef CISGATE_FLUSHER_H
#define CISGATE_FLUSHER_H

#include <microhttpd.h>
#include <stdbool.h>

#include "cisgate/audit.h"

/* One decided request waiting for its audit record to reach the disk; lives in the
 * request's own memory (no allocation per request). */
struct flush_wait {
	struct MHD_Connection *conn;
	struct MHD_Response *resp; /* the answer decided before the flush (the routes' own) */
	unsigned long long seq;    /* what audit_write gave to pass to audit_sync */
	bool fail_deny;            /* a failed flush turns the answer into a deny */
	bool done;                 /* the flusher is through with it: answer on resume */
	bool failed;               /* the flush failed */
	struct flush_wait *next;
};

struct flusher;

/* Starts the flusher thread over a (borrowed; must outlive the flusher). Allocates; NULL
 * on failure. */
struct flusher *flusher_start(struct audit *a);

/* Suspends conn and queues w (borrowed until the flusher resumes conn with w->done set).
 * Returns false, touching nothing, when the flusher is stopping: the caller then flushes
 * inline. */
bool flusher_defer(struct flusher *f, struct MHD_Connection *conn, struct flush_wait *w);

/* Resumes every queued connection after one last flush and stops the thread; accepts
 * NULL. From its start on, flusher_defer refuses (workers still running flush inline). */
void flusher_stop(struct flusher *f);

/* Frees f once no worker can call flusher_defer any more; accepts NULL. */
void flusher_free(struct flusher *f);

#endif
