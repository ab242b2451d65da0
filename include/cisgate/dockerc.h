/* dockerc.h - read-only lookups in dockerd's own API over its unix socket (a small HTTP/1.0
 * client of cisgate's own).
 * cisgate's own GETs are themselves AuthZ requests that dockerd sends back to cisgate, so
 * the server never waits for one on a worker: lookups run on one thread of their own and
 * call back when done (the worker's connection stays suspended meanwhile). */
#ifndef CISGATE_DOCKERC_H
#define CISGATE_DOCKERC_H

#include <stdbool.h>
#include <stddef.h>

#include "cisgate/limits.h"

struct dockerc;

/* One finished GET. */
struct dockerc_reply {
	long status; /* HTTP status; 0 when no answer arrived */
	char *body;  /* NUL-terminated (malloc'd), NULL when no answer arrived */
	size_t len;
	char err[192]; /* set when status is not 200: why, for a deny message */
};

/* Called once per dockerc_submit(), on the lookup thread. The callee owns r and releases it
 * with dockerc_reply_free(). Must not block: it hands the result on and returns. */
typedef void (*dockerc_done_fn)(void *arg, struct dockerc_reply *r);

/* Starts the lookup thread for dockerd at socket (copied); every lookup gives up after
 * timeout_ms. Allocates; release with dockerc_free(). Returns a new client, or NULL with err set. */
struct dockerc *dockerc_start(const char *socket, unsigned timeout_ms, char *err,
    size_t errlen);

/* Sends token (copied; up to CG_LOOKUP_TOKEN_LEN characters of [0-9a-f]) in the header
 * CG_LOOKUP_HEADER of every lookup from now on, so that the AuthZ request dockerd makes of
 * it can be told from a client's. Call before the first dockerc_submit(). Returns 0, or -1
 * when token is not of that form (then no header is sent). */
int dockerc_set_token(struct dockerc *c, const char *token);

/* Queues GET path (already escaped: build it with dockerc_path()). fn(arg, reply) runs on
 * the lookup thread when it is done, failed or timed out: exactly once when this returns 0.
 * Returns -1 (and never calls fn) when the client is stopping, too many lookups wait, or
 * path is not an absolute path of printable ASCII without spaces. */
int dockerc_submit(struct dockerc *c, const char *path, dockerc_done_fn fn, void *arg);

/* Stops the thread; lookups still running end with "cisgate is stopping" and their
 * callbacks run before this returns. From then on dockerc_submit refuses. c stays valid
 * until dockerc_free(); accepts NULL. */
void dockerc_stop(struct dockerc *c);

/* Frees c (stopping it first if needed) once nothing can call dockerc_submit any more;
 * accepts NULL. */
void dockerc_free(struct dockerc *c);

/* The same GET, synchronously, for the command line (`cisgate check --daemon-socket`): never
 * from a server worker. Fills *r (release with dockerc_reply_clear). Returns 0 when the
 * status is 200, -1 otherwise (r->err says why). */
int dockerc_get(const char *socket, unsigned timeout_ms, const char *path,
    struct dockerc_reply *r);

/* Frees a reply handed to a callback (the body and the struct); accepts NULL. */
void dockerc_reply_free(struct dockerc_reply *r);

/* Frees the body of a reply filled by dockerc_get() (the struct is the caller's). */
void dockerc_reply_clear(struct dockerc_reply *r);

/* Writes prefix + segment (percent-escaped: everything but A-Z a-z 0-9 - . _ ~) + suffix
 * into out, e.g. ("/containers/", "web", "/json"). Returns 0, or -1 when it does not fit. */
int dockerc_path(char *out, size_t outsz, const char *prefix, const char *segment,
    const char *suffix);

#endif
