/* The request JSON arena: values come from it inside a window, are never handed out twice,
 * and a document larger than the arena spills to malloc intact. */
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cisgate/jsonmem.h"
#include "cisgate/limits.h"

static const char DOC[] = "{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":268435456,"
                          "\"Binds\":[\"/a:/b\",\"/c:/d\"]},\"Env\":[\"A=1\"]}";

static void
test_window(void **state)
{
	json_t *outside, *doc;

#ifdef CG_NO_ARENA
	skip();
#endif
	(void)state;
	outside = json_object();
	assert_false(jsonmem_owns(outside));
	assert_true(jsonmem_begin());
	doc = json_loads(DOC, 0, NULL);
	assert_non_null(doc);
	assert_true(jsonmem_owns(doc));
	assert_true(jsonmem_owns(json_object_get(doc, "HostConfig")));
	assert_true(jsonmem_used() > 0);
	assert_int_equal(json_integer_value(
	                     json_object_get(json_object_get(doc, "HostConfig"), "Memory")),
	    268435456);
	json_decref(doc);
	assert_int_equal(jsonmem_end(), 0);
	assert_int_equal(jsonmem_used(), 0); /* free again for the next request */
	json_decref(outside);
}

static void
test_spill(void **state)
{
	/* More values than the arena holds: the rest come from malloc, all still correct. */
	size_t n = CG_JSON_ARENA_SIZE / 16, i;
	json_t *arr, *v;

#ifdef CG_NO_ARENA
	skip();
#endif
	(void)state;
	assert_true(jsonmem_begin());
	arr = json_array();
	for (i = 0; i < n; i++)
		assert_int_equal(json_array_append_new(arr, json_integer((json_int_t)i)), 0);
	assert_true(jsonmem_owns(json_array_get(arr, 0)));
	assert_false(jsonmem_owns(json_array_get(arr, n - 1)));
	json_array_foreach(arr, i, v)
		assert_int_equal(json_integer_value(v), (json_int_t)i);
	json_decref(arr);
	assert_int_equal(jsonmem_end(), 0);
}

static void
test_outlived(void **state)
{
	/* A value kept past the window keeps its bytes: the next request's values never
	 * overlap it, and freeing it later is safe. */
	json_t *kept, *next;

#ifdef CG_NO_ARENA
	skip();
#endif
	(void)state;
	assert_true(jsonmem_begin());
	kept = json_string("still here"); /* two allocations: the value and its text */
	assert_int_equal(jsonmem_end(), 2);
	assert_true(jsonmem_begin());
	next = json_string("next request");
	assert_true(jsonmem_owns(next));
	assert_true((char *)next > (char *)kept);
	assert_string_equal(json_string_value(kept), "still here");
	json_decref(next);
	assert_int_equal(jsonmem_end(), 2);
	json_decref(kept);
	assert_true(jsonmem_begin());
	assert_int_equal(jsonmem_end(), 0);
	assert_int_equal(jsonmem_used(), 0);
}

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

enum misuse { USE_AFTER_FREE, OVERFLOW, DOUBLE_FREE };

/* In a child: misuses an arena value the way kind says. Returns only if nothing stopped it. */
static void
misuse_run(enum misuse kind)
{
	json_malloc_t m;
	json_free_t f;
	json_t *s;
	const char *text;
	char *p;

	if (!jsonmem_begin() || (s = json_string("freed too early")) == NULL || !jsonmem_owns(s))
		_exit(3); /* not the arena: the parent says so */
	switch (kind) {
	case USE_AFTER_FREE:
		/* A view that keeps a string of the document past its free. (libjansson is
		 * not instrumented: only reads in cisgate's own code are checked.) */
		text = json_string_value(s);
		json_decref(s);
		printf("%c\n", ((const volatile char *)text)[0]);
		break;
	case OVERFLOW:
		/* The byte after the text's NUL: past the allocation (16 bytes). */
		p = (char *)(uintptr_t)json_string_value(s);
		((volatile char *)p)[strlen(p) + 1] = 'x';
		break;
	case DOUBLE_FREE:
		json_get_alloc_funcs(&m, &f);
		p = m(24);
		f(p);
		f(p);
		break;
	}
	_exit(0);
}

/* Runs misuse_run(kind) in a child; returns its stderr (static) or NULL when it was not
 * stopped by a sanitizer report. */
static const char *
misuse_report(enum misuse kind)
{
	static char out[8192];
	int fd[2], st;
	size_t len = 0;
	ssize_t r;
	pid_t pid;

	assert_int_equal(pipe(fd), 0);
	fflush(NULL);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], STDERR_FILENO);
		dup2(fd[1], STDOUT_FILENO);
		misuse_run(kind);
	}
	close(fd[1]);
	while (len < sizeof out - 1 && (r = read(fd[0], out + len, sizeof out - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return NULL;
	return out;
}

/* ASan builds keep the arena and poison what is not handed out: each misuse of an arena
 * value dies with ASan's report, as it would for malloc's memory. */
static void
test_asan_catches(void **state)
{
	static const struct {
		enum misuse kind;
		const char *name;
	} cases[] = {{USE_AFTER_FREE, "use after free"}, {OVERFLOW, "overflow"},
	    {DOUBLE_FREE, "double free"}};
	const char *rep;
	size_t i;

	(void)state;
#if !defined(TEST_ASAN) || defined(CG_NO_ARENA)
	printf("note: test_asan_catches needs an AddressSanitizer build with the arena "
	       "(make SANITIZER=address,undefined test-unit): skipped\n");
	skip();
#endif
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		rep = misuse_report(cases[i].kind);
		if (rep == NULL)
			fail_msg("%s of an arena value was not caught", cases[i].name);
		if (strstr(rep, "ERROR: AddressSanitizer: use-after-poison") == NULL)
			fail_msg("%s: not ASan's report:\n%s", cases[i].name, rep);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_spill),
	    cmocka_unit_test(test_outlived),
	    cmocka_unit_test(test_asan_catches),
	};

	jsonmem_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
