/* report.h - `cisgate report`: the audit log summed up for the people who own the policy,
 * as one self-contained HTML page (inline SVG, no script, no network) or as JSON. */
#ifndef CISGATE_REPORT_H
#define CISGATE_REPORT_H

#include <stdio.h>
#include <time.h>

#include "cisgate/policy.h"

/* Longest audit line read whole; a longer one counts as unreadable. */
#define REPORT_LINE_MAX ((size_t)64 << 10)
/* Rows in each top-N table and bars in each chart. */
#define REPORT_TOP 10
/* Exemptions expiring within this many days are listed as expiring soon. */
#define REPORT_EXPIRY_DAYS 30

enum report_format { REPORT_HTML = 0, REPORT_JSON };

struct report_opts {
	enum report_format format;
	const char *since; /* "2026-11-01" or a longer RFC 3339 prefix; NULL: everything */
	const struct policy *policy; /* for exemption expiry; NULL: not listed */
	time_t now;
};

/* Reads the audit logs files[0..n) (plain or gzip, as logrotate leaves them; give
 * rotated files oldest first) and prints the report on out. Lines that are not audit
 * records are counted as unreadable, never fatal. Returns 0, or 2 when a file cannot be
 * opened (said on stderr) or memory runs out. */
int report_run(const char *const *files, int n, const struct report_opts *o, FILE *out);

#endif
