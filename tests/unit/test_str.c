/* Bounded string helpers: the audit record is built with these, so a wrong digit or an
 * overrun here is a wrong or corrupt record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cisgate/str.h"

static void
test_u64(void **state)
{
	static const struct {
		uint64_t v;
		const char *want;
	} cases[] = {{0, "0"}, {7, "7"}, {10, "10"}, {1234567890, "1234567890"},
	    {UINT64_MAX, "18446744073709551615"}};
	char buf[32];
	struct strbuf sb;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		str_init(&sb, buf, sizeof buf);
		str_append_u64(&sb, cases[i].v);
		assert_string_equal(buf, cases[i].want);
		assert_false(sb.truncated);
	}
}

static void
test_digits(void **state)
{
	char buf[32];
	struct strbuf sb;

	(void)state;
	str_init(&sb, buf, sizeof buf);
	str_append_digits(&sb, 5, 2);
	str_append_digits(&sb, 42, 6);
	str_append_digits(&sb, 999999, 6);
	str_append_digits(&sb, 0, 1);
	str_append_digits(&sb, 1234, 2); /* high digits dropped: the caller's range */
	assert_string_equal(buf, "05000042999999034");
}

static void
test_bounded(void **state)
{
	char buf[8];
	struct strbuf sb;

	(void)state;
	str_init(&sb, buf, sizeof buf);
	str_append(&sb, "abc");
	str_append_u64(&sb, 123456);
	assert_true(sb.truncated);
	assert_int_equal(sb.len, 7);
	assert_string_equal(buf, "abc1234");
	str_append(&sb, "x"); /* nothing more once truncated */
	assert_string_equal(buf, "abc1234");
}

static void
test_json(void **state)
{
	char buf[64];
	struct strbuf sb;

	(void)state;
	str_init(&sb, buf, sizeof buf);
	str_append_json(&sb, "a\"b\\c\n\x01\xff", 100);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\u000a\\u0001\\ufffd\"");
	str_init(&sb, buf, sizeof buf);
	str_append_json(&sb, "h\xc3\xa9llo", 2); /* cut on a character boundary */
	assert_string_equal(buf, "\"h\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
