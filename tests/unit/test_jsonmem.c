/* The request JSON arena: values come from it inside a window, are never handed out twice,
 * and a document larger than the arena spills to malloc intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

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
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "HostConfig"),
	    "Memory")), 268435456);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_spill),
		cmocka_unit_test(test_outlived),
	};

	jsonmem_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
