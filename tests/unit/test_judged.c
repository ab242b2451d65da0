/* The containers allowed at create: full IDs only, one policy at a time, a collision
 * replaces the older ID, safe from several threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cisgate/judged.h"

static const char P1[] = "1111111111111111111111111111111111111111111111111111111111111111";
static const char P2[] = "2222222222222222222222222222222222222222222222222222222222222222";
static const char A[] = "19e60b45192a38699cc7a41097657660af24d990261651420859fda0aa71217a";
static const char B[] = "64d5b4a3bbf55bb085a33f916f08ec82443fe6912cd51b09aa35fd610cb81535";
/* The same slot as A (judged.c hashes the 12 bits after the first digit). */
static const char A2[] = "19e600000000000000000000000000000000000000000000000000000000000f";

static void
test_add_has(void **state)
{
	struct judged *j = judged_new();

	(void)state;
	assert_non_null(j);
	assert_false(judged_has(j, P1, A));
	judged_add(j, P1, A);
	judged_add(j, P1, B);
	assert_true(judged_has(j, P1, A));
	assert_true(judged_has(j, P1, B));
	/* Another policy sees none of them. */
	assert_false(judged_has(j, P2, A));
	/* A short ID, a name, upper case, NULL: never held. */
	assert_false(judged_has(j, P1, "19e60b45192a"));
	assert_false(judged_has(j, P1, "web"));
	assert_false(judged_has(j, P1, "19E60B45192A38699CC7A41097657660AF24D990261651420859FDA0AA71217A"));
	assert_false(judged_has(j, P1, NULL));
	judged_add(j, P1, "web");
	assert_false(judged_has(j, P1, "web"));
	/* A create under a new policy empties the set. */
	judged_add(j, P2, B);
	assert_true(judged_has(j, P2, B));
	assert_false(judged_has(j, P2, A));
	assert_false(judged_has(j, P1, B));
	/* A collision replaces the older ID. */
	judged_add(j, P2, A);
	judged_add(j, P2, A2);
	assert_true(judged_has(j, P2, A2));
	assert_false(judged_has(j, P2, A));
	judged_free(j);
	assert_false(judged_has(NULL, P1, A));
	judged_add(NULL, P1, A);
	judged_free(NULL);
}

static void *
adder(void *arg)
{
	struct judged *j = arg;
	char id[65];
	int i;

	for (i = 0; i < 20000; i++) {
		snprintf(id, sizeof id, "%08x%056d", (unsigned)i * 2654435761u, 0);
		judged_add(j, P1, id);
		(void)judged_has(j, P1, id);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct judged *j = judged_new();
	pthread_t t[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, adder, j), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	judged_add(j, P1, A);
	assert_true(judged_has(j, P1, A));
	judged_free(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_has),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
