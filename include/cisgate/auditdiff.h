/* auditdiff.h - `cisgate audit diff`: what the shadow policy would have denied that the
 * enforced one let through, read back from audit logs. */
#ifndef CISGATE_AUDITDIFF_H
#define CISGATE_AUDITDIFF_H

#include <stdio.h>

/* Reads the audit logs files[0..n) (records with a "shadow" object; others are counted
 * and skipped) whose time is in [since, until] (ISO 8601 UTC prefixes compared as text;
 * NULL: open), and prints on out the records' time range, how many the shadow policy would
 * have denied while the enforced one did not, and per rule how often and for which images.
 * Returns 0, or 2 when a file cannot be read (said on stderr). */
int auditdiff_run(const char *const *files, int n, const char *since, const char *until,
    FILE *out);

#endif
