/* audit.h - the audit log: one JSON line per decision that matters, SHA-256 chained. */
#ifndef CISGATE_AUDIT_H
#define CISGATE_AUDIT_H

#include <stdbool.h>
#include <stdio.h>

#include "cisgate/decide.h"
#include "cisgate/policy.h"

struct audit;

/* Opens the outputs named by c (copied). Picks up the chain from the file's last
 * record (or from FILE.1 after a rotation left the file empty); a torn last line is cut
 * off and the cut is itself recorded. Returns a new writer, or NULL with err set. */
struct audit *audit_open(const struct audit_conf *c, char *err, size_t errlen);

/* True when this decision must be recorded under c (denies, warns, and allows as
 * c->allows says). */
bool audit_wanted(const struct audit_conf *c, const struct decide_ctx *d);

/* Writes one record for d, decided under p. Thread-safe; records leave in sequence
 * order and whole. Returns 0, or -1 when the file could not take the record (the
 * failure is reported on stderr once, until a write succeeds again).
 * With `fsync: always` the record is flushed before this returns, unless defer is given:
 * then *defer gets a number to pass to audit_sync() before the decision is answered
 * (0: nothing to flush). */
int audit_write(struct audit *a, const struct policy *p, const struct decide_ctx *d,
    unsigned long long *defer);

/* Makes sure the record numbered seq (from audit_write) is on disk: one flush covers
 * every record written before it starts, so concurrent callers share flushes. Returns 0,
 * or -1 when the flush failed (the record stays in the file, whole and chained; the
 * failure is reported once). May block on the disk: not for a worker thread. */
int audit_sync(struct audit *a, unsigned long long seq);

/* With `fsync: interval`, flushes what was written since the last call. The daemon's main
 * thread calls it once a second, so no request ever waits for the disk. */
void audit_tick(struct audit *a);

/* How many deferred flushes audit_sync() did, and the records they covered. */
void audit_sync_stats(struct audit *a, unsigned long long *flushes, unsigned long long *records);

/* Writes a lifecycle record (start, stop, reload, reload-failed, recovered). */
int audit_event(struct audit *a, const char *event, const char *detail, const char *policy_sha);

/* Reopens the file after logrotate moved it; the chain carries on. Returns 0 or -1. */
int audit_reopen(struct audit *a);

/* Closes outputs and frees a; accepts NULL. */
void audit_close(struct audit *a);

/* Checks the chain across files[0..n) in order; prints "OK: N records" or the first bad
 * line as FILE:LINE: reason on out. Returns 0 when intact, 1 when not, 2 on I/O error. */
int audit_verify(const char *const *files, int n, FILE *out);

#endif
