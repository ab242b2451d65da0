/* audit.h - the audit log: one JSON line per decision that matters, SHA-256 chained. */
#ifndef CISGATE_AUDIT_H
#define CISGATE_AUDIT_H

#include <stdbool.h>
#include <stdio.h>

#include "cisgate/decide.h"
#include "cisgate/policy.h"

/* The prev of the first record of a chain. */
#define AUDIT_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct audit;

/* Opens the outputs named by c (copied). Picks up the chain from the file's last
 * record (or from FILE.1 after a rotation left the file empty); a torn last line is cut
 * off and the cut is itself recorded (event "torn-record-cut"). The first record of each
 * file carries "file_start":true. Every record names the host (c->host_id or the
 * hostname). With c->signing_key (refused unless owned by this user and mode 0600) a
 * signed checkpoint record follows every c->checkpoint_every records, is written by
 * audit_tick after c->checkpoint_seconds, at a reopen (into the old file), at close, and
 * at open over what an earlier run left unsigned; checkpoints also go to the syslog
 * socket (the anchors kept off the host). Returns a new writer (allocates; audit_close),
 * or NULL with err set; a failure never closes a descriptor it did not open. */
struct audit *audit_open(const struct audit_conf *c, char *err, size_t errlen);

/* True when this decision must be recorded under c (denies, warns, and allows as
 * c->allows says). */
bool audit_wanted(const struct audit_conf *c, const struct decide_ctx *d);

/* Writes one record for d, decided under p. Thread-safe; records leave in sequence
 * order and whole. Returns 0, or -1 when the configured file could not take the record:
 * a write error, a file configured but not open, or a failed reopen (then the record went
 * to the file open before, which is no longer the configured one). The failure is
 * reported on stderr once, until a write succeeds again.
 * With `fsync: always` the record is flushed before this returns, unless defer is given:
 * then *defer gets a number to pass to audit_sync() before the decision is answered
 * (0: nothing to flush). */
int audit_write(struct audit *a, const struct policy *p, const struct decide_ctx *d,
    unsigned long long *defer);

/* Makes sure the record numbered seq (from audit_write) is on disk: one flush covers
 * every record written before it starts, so concurrent callers share flushes. Returns 0,
 * or -1 when the flush failed (the record stays in the file, whole and chained; the
 * failure is reported once). May block on the disk: a worker calls it only for a request
 * alone in flight while audit_flush_quick() holds. */
int audit_sync(struct audit *a, unsigned long long seq);

/* True when no audit_sync() flush is under way and the last one took under a
 * millisecond: a worker may then flush a lone request itself without risking a stall. */
bool audit_flush_quick(struct audit *a);

/* True when state changes cannot be recorded in the configured file (a failed reopen, or
 * the file is not open): the caller refuses them per on_failure before writing the record,
 * so the record says what was answered. */
bool audit_degraded(struct audit *a);

/* The daemon's main thread calls it once a second, so no request ever waits for the
 * disk: with `fsync: interval`, flushes what was written since the last call; retries a
 * failed reopen; writes a checkpoint when checkpoint_seconds have passed. */
void audit_tick(struct audit *a);

/* How many deferred flushes audit_sync() did, and the records they covered. */
void audit_sync_stats(struct audit *a, unsigned long long *flushes, unsigned long long *records);

/* Writes a lifecycle record (start, stop, reload, reload-failed, recovered). */
int audit_event(struct audit *a, const char *event, const char *detail, const char *policy_sha);

/* Reopens the file after logrotate moved it; the chain carries on. The new file is opened
 * first and swapped in only on success; on failure the old file stays in use, the writer
 * is degraded (audit_degraded) until a reopen succeeds (audit_tick retries), and the
 * failure is reported once. Returns 0 or -1. */
int audit_reopen(struct audit *a);

/* Writes a last checkpoint (when signing), closes outputs and frees a; accepts NULL. */
void audit_close(struct audit *a);

struct audit_verify_opts {
	const char *key;     /* public key (PEM): every checkpoint must verify; NULL: none */
	const char *anchors; /* checkpoint lines kept off the host (syslog, journal); NULL */
	bool json;           /* one JSON object on out instead of text */
};

/* Checks the chain across files[0..n) (plain or gzip), ordered by their first seq
 * whatever order they are given in (said when it differs). Fails on an edited record
 * (named at its own line), removed or reordered records, a cut head (the first record
 * neither seq 1 nor a file_start), with o->key a checkpoint that does not verify, no
 * checkpoint, or an unsigned tail longer than the writer allows, and with o->anchors a
 * record that differs from its anchor or an anchor past the end. Prints the first and
 * last seq, the head hash and the unsigned tail, or FILE:LINE: reason. Returns 0 when
 * intact, 1 when not, 2 on I/O or usage error. */
int audit_verify(const char *const *files, int n, const struct audit_verify_opts *o,
    FILE *out);

#endif
