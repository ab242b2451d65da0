/* URI classification: every spelling dockerd's router accepts maps to the same kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cisgate/uri.h"

struct ucase {
	const char *method, *uri;
	int rc;
	enum ep_kind kind;
	const char *target, *version, *name;
};

static const struct ucase cases[] = {
	{"POST", "/containers/create", 0, EP_CONTAINER_CREATE, "", "", ""},
	{"POST", "/v1.41/containers/create?name=x", 0, EP_CONTAINER_CREATE, "", "1.41", "x"},
	{"POST", "/v1.41/containers/create?foo=1&name=a%2Bb+c", 0, EP_CONTAINER_CREATE, "", "1.41", "a+b c"},
	{"POST", "/v1.41/containers/create?name=first&name=second", 0, EP_CONTAINER_CREATE, "", "1.41", "first"},
	{"post", "/v1.41/containers/create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/v1.41/containers/%63reate", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/v1.41/%63ontainers%2Fcreate", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "//v1.41//containers///create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/v1.41/containers/./create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/v1.41/images/../containers/create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/../../containers/create", 0, EP_CONTAINER_CREATE, "", "", ""},
	{"POST", "/v1.41/containers/create/", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/V1.41/Containers/Create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "http://docker/v1.41/containers/create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/v1.24/containers/create", 0, EP_CONTAINER_CREATE, "", "1.24", ""},
	{"POST", "/v1.41/containers/create%3Fname=x", 0, EP_OTHER, "", "1.41", ""},
	{"GET", "/v1.41/containers/create", 0, EP_OTHER, "", "1.41", ""},
	{"POST", "/v1.41/containers/abc/exec", 0, EP_EXEC_CREATE, "abc", "1.41", ""},
	{"POST", "/v1.41/containers/a%2Fb/exec", 0, EP_EXEC_CREATE, "a/b", "1.41", ""},
	{"POST", "/containers/abc/start", 0, EP_CONTAINER_START, "abc", "", ""},
	{"POST", "/v1.23/containers/abc/start", 0, EP_CONTAINER_START, "abc", "1.23", ""},
	{"POST", "/v1.41/containers/abc/update", 0, EP_CONTAINER_UPDATE, "abc", "1.41", ""},
	{"POST", "/v1.41/exec/e1/start", 0, EP_EXEC_START, "e1", "1.41", ""},
	{"POST", "/v1.41/volumes/create", 0, EP_VOLUME_CREATE, "", "1.41", ""},
	{"POST", "/v1.41/plugins/cisgate:latest/disable", 0, EP_PLUGIN_DISABLE, "cisgate:latest", "1.41", ""},
	{"POST", "/v1.41/plugins/cisgate/enable", 0, EP_PLUGIN_ENABLE, "cisgate", "1.41", ""},
	{"POST", "/v1.41/plugins/cisgate/set", 0, EP_PLUGIN_SET, "cisgate", "1.41", ""},
	{"POST", "/v1.41/plugins/cisgate/upgrade?remote=x", 0, EP_PLUGIN_UPGRADE, "cisgate", "1.41", ""},
	{"DELETE", "/v1.41/plugins/cisgate?force=1", 0, EP_PLUGIN_REMOVE, "cisgate", "1.41", ""},
	{"DELETE", "/plugins/reg.io/team/cisgate:1.0", 0, EP_PLUGIN_REMOVE, "reg.io/team/cisgate:1.0", "", ""},
	{"GET", "/_ping", 0, EP_OTHER, "", "", ""},
	{"POST", "/v1.41/build?t=app&networkmode=host", 0, EP_BUILD, "", "1.41", "host"},
	{"POST", "/build?networkmode=h%6Fst", 0, EP_BUILD, "", "", "host"},
	{"POST", "/v1.41/build?t=app", 0, EP_BUILD, "", "1.41", ""},
	{"GET", "/v1.41/containers/json?all=1", 0, EP_OTHER, "", "1.41", ""},
	{"POST", "/v1.41/containers/create%", -1, EP_OTHER, "", "", ""},
	{"POST", "/v1.41/containers/create%zz", -1, EP_OTHER, "", "", ""},
	{"POST", "/v1.41/containers/cre%00ate", -1, EP_OTHER, "", "", ""},
};

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct ucase *c = &cases[i];
		struct endpoint ep;
		char err[256];
		int rc = uri_classify(c->method, c->uri, &ep, err, sizeof err);

		print_message("%s %s\n", c->method, c->uri);
		assert_int_equal(rc, c->rc);
		if (rc != 0)
			continue;
		assert_int_equal(ep.kind, c->kind);
		assert_string_equal(ep.target, c->target);
		assert_string_equal(ep.version, c->version);
		assert_string_equal(ep.name, c->name);
	}
}

static void
test_version_below(void **state)
{
	struct endpoint ep;
	char err[64];

	(void)state;
	assert_int_equal(uri_classify("POST", "/v1.23/containers/x/start", &ep, err, sizeof err), 0);
	assert_true(uri_version_below(&ep, "1.24"));
	assert_int_equal(uri_classify("POST", "/v1.023/containers/x/start", &ep, err, sizeof err), 0);
	assert_true(uri_version_below(&ep, "1.24"));
	assert_int_equal(uri_classify("POST", "/v1.24/containers/x/start", &ep, err, sizeof err), 0);
	assert_false(uri_version_below(&ep, "1.24"));
	assert_int_equal(uri_classify("POST", "/v1/containers/x/start", &ep, err, sizeof err), 0);
	assert_true(uri_version_below(&ep, "1.24"));
	assert_int_equal(uri_classify("POST", "/containers/x/start", &ep, err, sizeof err), 0);
	assert_false(uri_version_below(&ep, "1.24"));
	assert_int_equal(uri_classify("POST", "/v1.41/containers/x/start", &ep, err, sizeof err), 0);
	assert_false(uri_version_below(&ep, "1.24"));
}

static void
test_state_changing(void **state)
{
	struct endpoint ep;
	char err[64];

	(void)state;
	assert_int_equal(uri_classify("GET", "/info", &ep, err, sizeof err), 0);
	assert_false(ep.state_changing);
	assert_int_equal(uri_classify("HEAD", "/_ping", &ep, err, sizeof err), 0);
	assert_false(ep.state_changing);
	assert_int_equal(uri_classify("DELETE", "/containers/x", &ep, err, sizeof err), 0);
	assert_true(ep.state_changing);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_version_below),
		cmocka_unit_test(test_state_changing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
