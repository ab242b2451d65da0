/* metrics.h - counters for Prometheus, lock-free on the request path: each thread counts
 * into its own cache-line-aligned block (registered on its first count, kept until
 * metrics_free), a scrape sums the blocks. Nothing here decides anything: the evaluator
 * stays pure, the server and the audit writer count what they did. */
#ifndef CISGATE_METRICS_H
#define CISGATE_METRICS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cisgate/eval.h"
#include "cisgate/uri.h"

#define METRICS_RENDER_MAX (256 * 1024) /* one scrape's text */

/* Single counters (no labels beyond their name's). */
enum metrics_counter {
	M_AUDIT_WRITE = 0, /* a record in the file (or outputs) */
	M_AUDIT_FLUSH,     /* an fdatasync of the audit file that succeeded */
	M_AUDIT_FAILURE,   /* a write or flush that failed */
	M_RELOAD_OK,
	M_RELOAD_FAILED,  /* the file did not load (syntax, validation, file checks) */
	M_RELOAD_REFUSED, /* its signature was refused (missing, malformed, untrusted) */
	M_COUNTER_COUNT
};

/* Turns counting on (serve, when metrics.listen is set) or off (the default: every
 * count returns at once, so a daemon without metrics pays nothing). */
void metrics_enable(bool on);

/* Counts on the calling thread's block. Cheap (no lock, no atomic read-modify-write); a
 * thread's first count allocates its block: when that fails the count is dropped. */
void metrics_count(enum metrics_counter c);

/* One decision answered: its endpoint kind, outcome, phase, how long it took from the
 * first byte decided (ns), and its violations (each by rule and action). */
void metrics_decision(enum ep_kind kind, const struct decision *d, bool is_response, uint64_t ns);

/* One lookup in dockerd answered (ok: HTTP 200) after ns. */
void metrics_lookup(bool ok, uint64_t ns);

/* A monotonic clock in ns for the latencies above. */
uint64_t metrics_now_ns(void);

/* The policy in force, for cisgate_policy_info (copied; signed_by "" when unsigned). */
void metrics_policy(const char *sha256, const char *mode, const char *signed_by);

/* Where a scrape reads open connections (a gauge only the server knows); NULL: none. */
void metrics_gauge_fn(unsigned long (*open_conns)(void *), void *arg);

/* Renders the text exposition format (version 0.0.4) of every block's sum into a new
 * buffer (allocates; the caller frees) with *len set. Returns NULL when out of memory. */
char *metrics_render(size_t *len);

/* Where metrics are served: a loopback TCP address or a unix socket. */
struct metrics_listen {
	bool is_unix, is_v6;
	struct in_addr v4; /* !is_unix && !is_v6: in 127.0.0.0/8 */
	unsigned short port;
	char path[108]; /* is_unix: absolute */
};

/* Reads metrics.listen: "127.x.y.z:PORT", "[::1]:PORT" or "unix:/PATH". Anything not on
 * loopback is refused (metrics name the policy and what is denied). Returns 0, or -1
 * with err set. Pure. */
int metrics_listen_parse(const char *s, struct metrics_listen *out, char *err, size_t errlen);

/* Frees every block (for a clean exit; no thread may count after it). */
void metrics_free(void);

#endif
