/* The typed view: Go's decoding semantics and every normalisation rules rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/docker.h"
#include "cisgate/path.h"

static struct docker_view *
build(enum ep_kind kind, const char *body, int want_rc, enum gj_status want_st)
{
	static struct docker_view v;
	struct endpoint ep;
	struct gj_error e;
	int rc;

	memset(&ep, 0, sizeof ep);
	ep.kind = kind;
	docker_view_free(&v);
	docker_view_init(&v, &ep);
	rc = docker_view_build(&v, &ep, (const unsigned char *)body, strlen(body), &e);
	print_message("%s -> %d %s\n", body, rc, rc ? e.text : "");
	assert_int_equal(rc, want_rc);
	if (rc != 0)
		assert_int_equal(e.status, want_st);
	return &v;
}

static void
test_go_semantics(void **state)
{
	struct docker_view *v;

	(void)state;
	/* Case-insensitive keys, as Go matches struct fields. */
	v = build(EP_CONTAINER_CREATE, "{\"hostconfig\":{\"PRIVILEGED\":true}}", 0, GJ_OK);
	assert_true(v->privileged);
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"privileged\":true}}", 0, GJ_OK);
	assert_true(v->privileged);
	/* null is absent. */
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Privileged\":null,\"Memory\":null}}", 0, GJ_OK);
	assert_false(v->privileged);
	assert_int_equal(v->memory, 0);
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":null}", 0, GJ_OK);
	assert_false(v->has_host);
	/* Two spellings of one field: which wins depends on order and null in Go. */
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Privileged\":true,\"privileged\":false}}", -1, GJ_AMBIGUOUS);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Privileged\":true,\"privileged\":null}}", -1, GJ_AMBIGUOUS);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{},\"hostConfig\":{\"Privileged\":true}}", -1, GJ_AMBIGUOUS);
	/* Exact duplicates: refused at load (a later null would keep the earlier value in Go). */
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Privileged\":true,\"Privileged\":null}}", -1, GJ_AMBIGUOUS);
	/* Non-ASCII keys: Go folds U+017F (long s) to 's' and U+212A (Kelvin) to 'k'. */
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Privileged\":false,\"Privilege\xc5\xbf" "\":true}}", -1, GJ_AMBIGUOUS);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Ca\xc5\xbf" "Add\":[\"ALL\"]}}", -1, GJ_AMBIGUOUS);
	/* Label keys are a map: non-ASCII is fine there. */
	v = build(EP_CONTAINER_CREATE, "{\"Labels\":{\"\xc3\xa9" "quipe\":\"x\"}}", 0, GJ_OK);
	assert_int_equal(v->nlabels, 1);
	/* Wrong types are refused as dockerd would. */
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Privileged\":\"true\"}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Privileged\":1}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Memory\":1.5}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Memory\":1e9}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Memory\":\"512m\"}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Memory\":99999999999999999999}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Binds\":\"/:/x\"}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CapAdd\":[1]}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":[]}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"User\":\"a\\u0000b\"}", -1, GJ_INVALID);
	/* Not a single object. */
	build(EP_CONTAINER_CREATE, "[]", -1, GJ_AMBIGUOUS);
	build(EP_CONTAINER_CREATE, "null", -1, GJ_AMBIGUOUS);
	build(EP_CONTAINER_CREATE, "{} {\"HostConfig\":{\"Privileged\":true}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"Image\":\"\xff\"}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{", -1, GJ_INVALID);
}

static void
test_depth(void **state)
{
	char body[4096];
	size_t i, n = 100;

	(void)state;
	body[0] = '{';
	memcpy(body + 1, "\"Labels\":", 9);
	for (i = 0; i < n; i++)
		body[10 + i] = '[';
	for (i = 0; i < n; i++)
		body[10 + n + i] = ']';
	body[10 + 2 * n] = '}';
	body[11 + 2 * n] = '\0';
	build(EP_CONTAINER_CREATE, body, -1, GJ_INVALID);
	/* Brackets inside strings do not count. */
	build(EP_CONTAINER_CREATE, "{\"Image\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", 0, GJ_OK);
}

static void
test_mounts(void **state)
{
	struct docker_view *v;

	(void)state;
	v = build(EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"Binds\":[\"/var/run/docker.sock:/s\",\"/etc/../etc//passwd:/p:ro\","
	    "\"named:/data\",\"/srv:/srv:rshared\",\"/anon\"],"
	    "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/var/run/\",\"Target\":\"/r\","
	    "\"BindOptions\":{\"Propagation\":\"shared\"}},"
	    "{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\",\"VolumeOptions\":{\"DriverConfig\":"
	    "{\"Name\":\"local\",\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}}},"
	    "{\"type\":\"tmpfs\",\"target\":\"/t\"}]}}",
	    0, GJ_OK);
	assert_int_equal(v->nmounts, 8);
	assert_int_equal(v->mounts[0].kind, MOUNT_BIND);
	assert_string_equal(v->mounts[0].source, "/run/docker.sock");
	assert_string_equal(v->mounts[1].source, "/etc/passwd");
	assert_true(v->mounts[1].read_only);
	assert_int_equal(v->mounts[2].kind, MOUNT_VOLUME);
	assert_string_equal(v->mounts[3].propagation, "rshared");
	assert_string_equal(v->mounts[4].source, "/run");
	assert_string_equal(v->mounts[4].propagation, "shared");
	assert_int_equal(v->mounts[6].kind, MOUNT_VOLUME_BIND);
	assert_string_equal(v->mounts[6].source, "/etc");
	assert_int_equal(v->mounts[7].kind, MOUNT_OTHER);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Binds\":[\"a:b:c:d\"]}}", -1, GJ_INVALID);
	/* A bind's source must be absolute after cleaning. */
	v = build(EP_VOLUME_CREATE,
	    "{\"Name\":\"evil\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\","
	    "\"device\":\"/var/run/../run/docker.sock\"}}", 0, GJ_OK);
	assert_int_equal(v->nmounts, 1);
	assert_string_equal(v->mounts[0].source, "/run/docker.sock");
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"nfs\",\"Driver\":\"other\",\"DriverOpts\":{\"device\":\"/etc\"}}", 0, GJ_OK);
	assert_int_equal(v->nmounts, 0);
}

static void
test_clean_path(void **state)
{
	static const char *const c[][2] = {{"/", "/"}, {"//", "/"}, {"/etc/", "/etc"},
	    {"/etc/./x/../y", "/etc/y"}, {"/../..", "/"}, {"/var/run", "/run"},
	    {"/var/run/docker.sock", "/run/docker.sock"}, {"/var/runx", "/var/runx"},
	    {"/var//run/../run/./docker.sock", "/run/docker.sock"}, {"/a/b/../../..", "/"}};
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		assert_int_equal(docker_clean_path(c[i][0], out, sizeof out), 0);
		assert_string_equal(out, c[i][1]);
	}
	assert_int_equal(docker_clean_path("relative", out, sizeof out), -1);
	/* In place, with stale bytes after the terminator (the URI buffer is reused). */
	memcpy(out, "/containers/abc/start\0/exec", 28);
	assert_int_equal(path_clean(out, out, sizeof out), 21);
	assert_string_equal(out, "/containers/abc/start");
	memcpy(out, "//a/./b/../c/\0/zzzz", 20);
	assert_int_equal(path_clean(out, out, sizeof out), 4);
	assert_string_equal(out, "/a/c");
	assert_int_equal(docker_clean_path("/aaaaaaaaaaaaaaaaaaaaaa", out, 8), -1);
}

static void
test_users(void **state)
{
	static const struct {
		const char *spec;
		int root, numeric;
		long long uid;
	} c[] = {{"root", 1, 0, 0}, {"0", 1, 1, 0}, {"00", 1, 1, 0}, {"+0", 1, 1, 0}, {"-0", 1, 1, 0},
	    {"0:0", 1, 1, 0}, {"root:root", 1, 0, 0}, {":1000", 1, 1, 0}, {"1000", 0, 1, 1000},
	    {"1000:0", 0, 1, 1000}, {"nobody", 0, 0, 0}, {"99999999999", 0, 0, 0}, {"Root", 0, 0, 0}};
	struct user_view u;
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		docker_parse_user(c[i].spec, &u, buf, sizeof buf);
		print_message("user %s\n", c[i].spec);
		assert_int_equal(u.is_root, c[i].root);
		assert_int_equal(u.numeric, c[i].numeric);
		if (c[i].numeric)
			assert_int_equal(u.uid, c[i].uid);
	}
	docker_parse_user("", &u, buf, sizeof buf);
	assert_false(u.is_root);
	assert_string_equal(u.raw, "");
}

static void
test_caps_and_secopts(void **state)
{
	struct docker_view *v;
	char out[64];

	(void)state;
	assert_int_equal(docker_cap_canon("net_admin", out, sizeof out), 0);
	assert_string_equal(out, "CAP_NET_ADMIN");
	assert_int_equal(docker_cap_canon("cap_sys_admin", out, sizeof out), 0);
	assert_string_equal(out, "CAP_SYS_ADMIN");
	assert_int_equal(docker_cap_canon("all", out, sizeof out), 0);
	assert_string_equal(out, "ALL");
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CapAdd\":[\"all\"]}}", 0, GJ_OK);
	assert_true(v->cap_all);
	v = build(EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"SecurityOpt\":[\"seccomp:unconfined\",\"apparmor=unconfined\","
	    "\"label:disable\",\"no-new-privileges\",\"no-new-privileges=false\"]}}", 0, GJ_OK);
	assert_string_equal(v->sec.seccomp, "unconfined");
	assert_string_equal(v->sec.apparmor, "unconfined");
	assert_true(v->sec.selinux_disabled);
	assert_int_equal(v->sec.no_new_privileges, 0); /* the last one wins */
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"disable\"]}}", 0, GJ_OK);
	assert_true(v->sec.selinux_disabled);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"bogus\"]}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"no-new-privileges=maybe\"]}}", -1, GJ_INVALID);
}

static void
test_ports(void **state)
{
	struct docker_view *v;

	(void)state;
	v = build(EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"80\"},"
	    "{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8000-8010\"}],\"81/tcp\":[{\"HostPort\":\"\"}],"
	    "\"82/tcp\":null}}}", 0, GJ_OK);
	assert_int_equal(v->nports, 3);
	assert_int_equal(v->ports[0].lo, 80);
	assert_int_equal(v->ports[1].lo, 8000);
	assert_int_equal(v->ports[1].hi, 8010);
	assert_int_equal(v->ports[2].lo, 0);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"x\"}]}}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"90-80\"}]}}}", -1, GJ_INVALID);
}

static void
test_update_and_exec(void **state)
{
	struct docker_view *v;

	(void)state;
	v = build(EP_CONTAINER_UPDATE, "{\"Memory\":-1,\"PidsLimit\":0}", 0, GJ_OK);
	assert_true(v->memory_set);
	assert_int_equal(v->memory, -1);
	assert_true(v->pids_set);
	v = build(EP_CONTAINER_UPDATE, "{\"Memory\":0}", 0, GJ_OK);
	assert_false(v->pids_set);
	v = build(EP_EXEC_CREATE, "{\"User\":\"0\",\"privileged\":true,\"Cmd\":[\"sh\"]}", 0, GJ_OK);
	assert_true(v->user.is_root);
	assert_true(v->privileged);
	v = build(EP_CONTAINER_START, "{\"Privileged\":true}", 0, GJ_OK);
	assert_true(v->privileged);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_semantics),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_clean_path),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_caps_and_secopts),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_update_and_exec),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	struct docker_view *v = build(EP_OTHER, "{}", 0, GJ_OK);

	docker_view_free(v);
	return rc;
}
