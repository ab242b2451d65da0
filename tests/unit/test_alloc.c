/* Allocation failure, as jansson's test_memory_funcs does it: for N = 1, 2, ... until the
 * call no longer reaches an Nth allocation, fail exactly the Nth allocation (and, for the
 * loader, every one from the Nth on) made by cisgate's objects, and check a clean result:
 *   policy_load_buffer()  NULL with the one error "NAME: out of memory", nothing leaked
 *                         (valgrind and ASan run this too), never an abort;
 *   decide_envelope()     a decision every time: an allow, or a deny that says why.
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup: the
 * allocations of libcisgate.a (and of jansson, through jsonmem's functions) are failed
 * always; outside ASan and valgrind malloc itself is replaced too, so libyaml's own
 * allocations inside the call fail as well. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/decide.h"
#include "cisgate/jsonmem.h"
#include "cisgate/policy.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static bool armed;       /* count (and fail) only inside the call under test */
static bool fail_after;  /* fail every allocation from the Nth on, not only the Nth */
static long fail_at;
static long nallocs;

static bool
should_fail(void)
{
	if (!armed)
		return false;
	nallocs++;
	return fail_after ? nallocs >= fail_at : nallocs == fail_at;
}

/* Set while a --wrap'ed call runs, so the allocation it makes is counted once. */
static bool in_wrap;

#if !defined(__SANITIZE_ADDRESS__)
/*
 * Without ASan the executable's malloc, calloc and realloc replace libc's for every
 * library (glibc supports replacing malloc), so libyaml's own allocations fail too. They
 * hand out glibc's blocks, which free() knows. (ASan and valgrind put their own malloc
 * in place of these; then only cisgate's own calls, the --wrap'ed ones, are failed.)
 */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t a, size_t b);
void *__libc_realloc(void *p, size_t n);

void *
malloc(size_t n)
{
	return !in_wrap && should_fail() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	return !in_wrap && should_fail() ? NULL : __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	return !in_wrap && should_fail() ? NULL : __libc_realloc(p, n);
}
#endif

void *
__wrap_malloc(size_t n)
{
	void *p;

	if (should_fail())
		return NULL;
	in_wrap = true;
	p = __real_malloc(n);
	in_wrap = false;
	return p;
}

void *
__wrap_calloc(size_t a, size_t b)
{
	void *p;

	if (should_fail())
		return NULL;
	in_wrap = true;
	p = __real_calloc(a, b);
	in_wrap = false;
	return p;
}

void *
__wrap_realloc(void *q, size_t n)
{
	void *p;

	if (should_fail())
		return NULL;
	in_wrap = true;
	p = __real_realloc(q, n);
	in_wrap = false;
	return p;
}

char *
__wrap_strdup(const char *s)
{
	char *p;

	if (should_fail())
		return NULL;
	in_wrap = true;
	p = __real_strdup(s);
	in_wrap = false;
	return p;
}

#if defined(__SANITIZE_ADDRESS__)
/* Sanitizer builds have no JSON arena (CG_NO_ARENA): jansson's allocations are failed
 * through its own hook instead. */
static void *
json_malloc(size_t n)
{
	return __wrap_malloc(n);
}
#endif

static void
arm(long n, bool after)
{
	nallocs = 0;
	fail_at = n;
	fail_after = after;
	armed = true;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	if ((buf = malloc((size_t)n + 1)) == NULL)
		fail_msg("no memory for the test itself");
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
load_loop(const char *path, bool after)
{
	struct policy_errors errs;
	struct policy *p;
	size_t len;
	char *buf = slurp(path, &len);
	long n, failed = 0;

	for (n = 1; n < 100000; n++) {
		arm(n, after);
		p = policy_load_buffer(buf, len, path, &errs);
		armed = false;
		if (p != NULL) {
			/* It succeeded only because it needs fewer than n allocations. */
			assert_true(nallocs < n);
			assert_int_equal(errs.n, 0);
			policy_release(p);
			break;
		}
		failed++;
		if (errs.n != 1 || strstr(errs.text[0], "out of memory") == NULL ||
		    strstr(errs.text[0], path) == NULL)
			fail_msg("allocation %ld: %zu errors, first \"%s\"", n, errs.n,
			    errs.n ? errs.text[0] : "");
	}
	print_message("policy_load_buffer(%s): %ld allocations failed one at a time%s, each "
	    "a clean \"out of memory\"\n", path, failed, after ? " (and all after)" : "");
	/* A full policy makes dozens of allocations: the loop really ran. */
	assert_true(failed >= 20);
	free(buf);
}

static void
test_policy_load_nth(void **state)
{
	(void)state;
	load_loop("tests/lint/ok-full.yaml", false);
	load_loop("tests/lint/ok-full.yaml", true);
	load_loop("policy/strict.yaml", false);
}

/* A policy and its shadow from files: every failed allocation, in either, is a clean
 * "out of memory" naming the file, and the policy that named the shadow is released. */
static void
test_shadow_load_nth(void **state)
{
	struct policy_errors errs;
	struct policy *p;
	long n, failed = 0;

	(void)state;
	for (n = 1; n < 100000; n++) {
		arm(n, false);
		p = policy_load("tests/lint/shadow-ok.yaml", true, &errs);
		armed = false;
		if (p != NULL) {
			assert_true(nallocs < n);
			assert_non_null(p->shadow);
			policy_release(p);
			break;
		}
		failed++;
		if (errs.n == 0 || strstr(errs.text[errs.n - 1], "out of memory") == NULL)
			fail_msg("allocation %ld: %zu errors, last \"%s\"", n, errs.n,
			    errs.n ? errs.text[errs.n - 1] : "");
	}
	/* The shadow (strict.yaml) alone makes dozens. */
	assert_true(failed >= 40);
}

/* With arena: jansson's allocations in jsonmem's arena (its own allocation may fail). */
static void
decide_loop(const struct policy *p, const char *buf, size_t len, bool arena)
{
	struct decide_ctx *c = malloc(sizeof *c);
	bool want_allow;
	long n, failed = 0, denied = 0;

	if (c == NULL) {
		fail_msg("no memory for the test itself");
		return;
	}
	c->rootfd = -1;
	c->judged = NULL;
	decide_envelope(p, buf, len, false, 0, c);
	want_allow = c->dec.allow;
	decide_free(c);
	for (n = 1; n < 100000; n++) {
		if (arena)
			(void)jsonmem_begin();
		arm(n, false);
		decide_envelope(p, buf, len, false, 0, c);
		armed = false;
		/* Every run decides; a deny always says why. */
		if (!c->dec.allow) {
			assert_true(c->dec.msg[0] != '\0');
			assert_true(c->dec.nv > 0);
		}
		if (nallocs < n) {
			/* Nothing failed: the same answer as without the test. */
			assert_int_equal(c->dec.allow, want_allow);
			decide_free(c);
			if (arena)
				assert_int_equal(jsonmem_end(), 0);
			break;
		}
		failed++;
		denied += !c->dec.allow;
		decide_free(c);
		if (arena)
			assert_int_equal(jsonmem_end(), 0);
	}
	print_message("decide_envelope%s: %ld allocations failed one at a time, %ld of them "
	    "denied\n", arena ? " (arena)" : "", failed, denied);
	free(c);
}

static void
test_decide_nth(void **state)
{
	struct policy_errors errs;
	struct policy *p;
	size_t len, plen;
	char *env = slurp("tests/fixtures/req-nonpriv.json", &len);
	char *pol = slurp("policy/default.yaml", &plen);

	(void)state;
	p = policy_load_buffer(pol, plen, "policy/default.yaml", &errs);
	assert_non_null(p);
	/* As the daemon does: jansson allocates through jsonmem's functions, so through the
	 * wrapped malloc. */
	jsonmem_install();
#if defined(__SANITIZE_ADDRESS__)
	json_set_alloc_funcs(json_malloc, free);
#endif
	decide_loop(p, env, len, false);
	decide_loop(p, env, len, true);
	policy_release(p);
	free(pol);
	free(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_load_nth),
		cmocka_unit_test(test_shadow_load_nth),
		cmocka_unit_test(test_decide_nth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
