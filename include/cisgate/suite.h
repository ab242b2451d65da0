/* suite.h - `cisgate test SUITE.yaml...`: a policy's expected decisions kept as data
 * (a policy file, then cases: a request, the decision and the rules it must give), run
 * through the same pipeline as the server. Format: policy/tests/README.md. */
#ifndef CISGATE_SUITE_H
#define CISGATE_SUITE_H

#include <stdio.h>

/* Most cases one suite file may hold. */
#define SUITE_CASES_MAX 4096

/* Runs the suites files[0..n) and prints one line a case ("ok   NAME" or "FAIL NAME:
 * what differs") and a closing "N passed, M failed" on out. Returns 0 when every case
 * passed, 1 when one failed, 2 when a suite or its policy could not be read (its
 * errors go to out too). */
int suite_run(const char *const *files, int n, FILE *out);

#endif
