/* lint.h - `cisgate lint`: a policy (and its shadow) checked as serve would load it. */
#ifndef CISGATE_LINT_H
#define CISGATE_LINT_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define LINT_EXPIRING_DAYS 14 /* --expiring's default */

/* Runs `cisgate lint [--expiring DAYS] [--insecure-policy] FILE` (argv[0] is "lint").
 * Prints "policy OK" (and "shadow policy FILE OK"), each error as FILE:LINE:COL: text,
 * and warnings for exemptions expired or expiring within DAYS. A file serve would refuse
 * (not root-owned, group- or world-writable) is an error unless --insecure-policy.
 * Returns the exit code: 0 OK (warnings allowed), 1 errors, 2 usage. */
int lint_main(int argc, char **argv);

struct policy;

/* Prints a "warning: FILE: ..." line on out for every exemption of p (and of its shadow)
 * expired at now or expiring within days days. Returns how many. */
int lint_expiry(const struct policy *p, time_t now, int64_t days, FILE *out);

#endif
