/* eval's route step: the plugin privileges and network bodies as dockerd decodes them,
 * plugin references as dockerd's plugin store names them, and the pull denial that lists
 * what a plugin asks for (the envelope path reaches it once decide reads pull bodies). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/docker.h"
#include "cisgate/eval.h"
#include "cisgate/policy.h"
#include "cisgate/rules.h"

static struct docker_view v;

/* Reads body as a plugin route's body into v; returns docker_view_plugin_body's rc. */
static int
plugin_body(const char *body, struct gj_error *e)
{
	struct endpoint ep = {.kind = EP_PLUGIN_PULL, .state_changing = true};

	docker_view_free(&v);
	docker_view_init(&v, &ep);
	return docker_view_plugin_body(&v, (const unsigned char *)body, strlen(body), e);
}

static void
test_privileges_go_semantics(void **state)
{
	struct docker_privileges pv;
	struct gj_error e;
	char many[4096];
	size_t i, o;

	(void)state;
	/* Keys fold as Go folds them; unknown keys are ignored; a null element is empty. */
	assert_int_equal(plugin_body("[{\"Name\":\"network\",\"Description\":\"\",\"Value\":"
	    "[\"host\"]},{\"name\":\"mount\",\"VALUE\":[\"/var/lib/docker/plugins/\"],\"x\":1},"
	    "null,{\"Name\":\"capabilities\",\"Value\":[\"CAP_SYS_ADMIN\",null]}]", &e), 0);
	assert_true(v.has_body);
	assert_int_equal(docker_privileges_read(v.root, &pv, &e), 0);
	assert_int_equal(pv.n, 4);
	assert_string_equal(pv.v[0].name, "network");
	assert_int_equal(pv.v[0].nvalues, 1);
	assert_string_equal(pv.v[0].values[0], "host");
	assert_string_equal(pv.v[1].name, "mount");
	assert_string_equal(pv.v[1].values[0], "/var/lib/docker/plugins/");
	assert_string_equal(pv.v[2].name, "");
	assert_int_equal(pv.v[2].nvalues, 0);
	assert_int_equal(pv.v[3].nvalues, 2);
	assert_string_equal(pv.v[3].values[1], "");
	/* null is Go's nil slice: no privileges. */
	assert_int_equal(plugin_body("null", &e), 0);
	assert_int_equal(docker_privileges_read(v.root, &pv, &e), 0);
	assert_int_equal(pv.n, 0);
	/* What Go refuses, cisgate refuses. */
	assert_int_equal(plugin_body("{\"Name\":\"network\"}", &e), 0);
	assert_int_equal(docker_privileges_read(v.root, &pv, &e), -1);
	assert_int_equal(e.status, GJ_INVALID);
	assert_int_equal(plugin_body("[{\"Name\":\"network\",\"Value\":\"host\"}]", &e), 0);
	assert_int_equal(docker_privileges_read(v.root, &pv, &e), -1);
	assert_int_equal(plugin_body("[{\"Name\":7}]", &e), 0);
	assert_int_equal(docker_privileges_read(v.root, &pv, &e), -1);
	/* Two spellings of one field, a repeated key: ambiguous. */
	assert_int_equal(plugin_body("[{\"Name\":\"network\",\"NAME\":\"mount\"}]", &e), 0);
	assert_int_equal(docker_privileges_read(v.root, &pv, &e), -1);
	assert_int_equal(e.status, GJ_AMBIGUOUS);
	assert_int_equal(plugin_body("[{\"Name\":\"a\",\"Name\":\"b\"}]", &e), -1);
	assert_int_equal(e.status, GJ_AMBIGUOUS);
	assert_int_equal(plugin_body("[] []", &e), -1);
	assert_int_equal(e.status, GJ_INVALID);
	/* Bounds: more entries than kept is refused; more values than kept are counted. */
	o = (size_t)snprintf(many, sizeof many, "[");
	for (i = 0; i <= DOCKER_PRIVILEGES_MAX; i++)
		o += (size_t)snprintf(many + o, sizeof many - o, "%s{}", i ? "," : "");
	snprintf(many + o, sizeof many - o, "]");
	assert_int_equal(plugin_body(many, &e), 0);
	assert_int_equal(docker_privileges_read(v.root, &pv, &e), -1);
	o = (size_t)snprintf(many, sizeof many, "[{\"Name\":\"device\",\"Value\":[");
	for (i = 0; i < DOCKER_PRIVILEGE_VALUES_MAX + 4; i++)
		o += (size_t)snprintf(many + o, sizeof many - o, "%s\"/dev/sd%c\"", i ? "," : "",
		    (char)('a' + i));
	snprintf(many + o, sizeof many - o, "]}]");
	assert_int_equal(plugin_body(many, &e), 0);
	assert_int_equal(docker_privileges_read(v.root, &pv, &e), 0);
	assert_int_equal(pv.v[0].nvalues, DOCKER_PRIVILEGE_VALUES_MAX + 4);
	assert_string_equal(pv.v[0].values[DOCKER_PRIVILEGE_VALUES_MAX - 1], "/dev/sdp");
	/* No body: nothing read, nothing claimed. */
	docker_view_free(&v);
	assert_int_equal(docker_view_plugin_body(&v, NULL, 0, &e), 0);
	docker_view_free(&v);
}

static void
test_network_body(void **state)
{
	struct endpoint ep = {.kind = EP_NETWORK_CREATE, .state_changing = true};
	struct docker_network n;
	struct gj_error e;
	static const char nul[] = "{\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"eth0\\u0000x\"}}";

	(void)state;
	/* A NUL inside an option could name another interface in Go: never read past it. */
	docker_view_init(&v, &ep);
	assert_int_equal(docker_view_build(&v, &ep, (const unsigned char *)nul, strlen(nul), &e),
	    -1);
	docker_view_free(&v);
	{
		static const char b[] = "{\"driver\":\"ipvlan\",\"ConfigFrom\":{\"Network\":\"x\"},"
		    "\"Options\":{\"Parent\":\"eth1\",\"parent\":\"eth0\",\"com.docker.network.bridge"
		    ".name\":\"br0\",\"other\":null}}";

		docker_view_init(&v, &ep);
		assert_int_equal(docker_view_build(&v, &ep, (const unsigned char *)b, strlen(b), &e),
		    0);
		assert_int_equal(docker_network_read(v.root, &n, &e), 0);
		assert_string_equal(n.driver, "ipvlan");
		assert_string_equal(n.parent, "eth0"); /* map keys are exact */
		assert_string_equal(n.bridge_name, "br0");
		assert_true(n.config_from);
		docker_view_free(&v);
	}
}

static void
test_plugin_repo(void **state)
{
	static const struct {
		const char *ref, *repo, *digest;
	} t[] = {
		{"vieux/sshfs", "vieux/sshfs", NULL},
		{"vieux/sshfs:latest", "vieux/sshfs", NULL},
		{"docker.io/vieux/sshfs:1.2@sha256:ab", "vieux/sshfs", "sha256:ab"},
		{"index.docker.io/library/tools", "tools", NULL},
		{"library/tools:v2", "tools", NULL},
		{"localhost:5000/team/logger:1.0", "localhost:5000/team/logger", NULL},
		{"localhost:5000/library/x", "localhost:5000/library/x", NULL},
		{"cisgate@sha256:00", "cisgate", "sha256:00"},
	};
	char out[64];
	const char *dg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(rules_plugin_repo(t[i].ref, out, sizeof out, &dg), 0);
		assert_string_equal(out, t[i].repo);
		if (t[i].digest == NULL)
			assert_null(dg);
		else
			assert_string_equal(dg, t[i].digest);
	}
	assert_int_equal(rules_plugin_repo("", out, sizeof out, &dg), -1);
	assert_int_equal(rules_plugin_repo(":tag", out, sizeof out, &dg), -1);
	assert_int_equal(rules_plugin_repo("a/very/long/name/that/does/not/fit/in/sixteen", out,
	    16, &dg), -1);
	assert_true(rules_is_digest("sha256:0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef"));
	assert_false(rules_is_digest("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef"
	    "0123456789abcdef"));
	assert_false(rules_is_digest("sha512:00"));
}

/* The pull denial names what the body asks for; a pinned, listed pull is allowed with the
 * same body. */
static void
test_pull_lists_privileges(void **state)
{
	static const char y[] = "apiVersion: cisgate/v1\nplugins:\n  allowed:\n"
	    "    - {name: vieux/sshfs, digest: \"sha256:0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\"}\n";
	struct policy_errors errs;
	struct policy *p = policy_load_buffer(y, strlen(y), "t", &errs);
	struct endpoint ep = {.kind = EP_PLUGIN_PULL, .state_changing = true};
	struct decision d;
	struct gj_error e;

	(void)state;
	assert_non_null(p);
	snprintf(ep.target, sizeof ep.target, "vieux/sshfs");
	assert_int_equal(plugin_body("[{\"Name\":\"network\",\"Value\":[\"host\"]},{\"Name\":"
	    "\"capabilities\",\"Value\":[\"CAP_SYS_ADMIN\"]}]", &e), 0);
	eval_request(p, &ep, &v, "", 0, &d);
	assert_false(d.allow);
	assert_int_equal(d.nv, 1);
	assert_int_equal(d.v[0].rule, R_PLUGINS);
	assert_non_null(strstr(d.msg, "it asks for: network=[host] capabilities=[CAP_SYS_ADMIN]"));
	snprintf(ep.target, sizeof ep.target, "vieux/sshfs@sha256:0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789abcdef");
	eval_request(p, &ep, &v, "", 0, &d);
	assert_true(d.allow);
	assert_int_equal(d.nv, 0);
	/* An unreadable privileges body still denies, and says so. */
	snprintf(ep.target, sizeof ep.target, "vieux/sshfs");
	assert_int_equal(plugin_body("{\"Name\":\"network\"}", &e), 0);
	eval_request(p, &ep, &v, "", 0, &d);
	assert_false(d.allow);
	assert_non_null(strstr(d.msg, "its privileges body cannot be read"));
	docker_view_free(&v);
	policy_release(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privileges_go_semantics),
		cmocka_unit_test(test_network_body),
		cmocka_unit_test(test_plugin_repo),
		cmocka_unit_test(test_pull_lists_privileges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
