/* The typed view: Go's decoding semantics and every normalisation rules rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/docker.h"
#include "cisgate/path.h"

static struct docker_view *
build_v(enum ep_kind kind, const char *version, const char *body, int want_rc,
    enum gj_status want_st)
{
	static struct docker_view v;
	struct endpoint ep;
	struct gj_error e;
	int rc;

	memset(&ep, 0, sizeof ep);
	ep.kind = kind;
	if (version != NULL) {
		ep.has_version = true;
		snprintf(ep.version, sizeof ep.version, "%s", version);
	}
	docker_view_free(&v);
	docker_view_init(&v, &ep);
	rc = docker_view_build(&v, &ep, (const unsigned char *)body, strlen(body), &e);
	print_message("%s -> %d %s\n", body, rc, rc ? e.text : "");
	assert_int_equal(rc, want_rc);
	if (rc != 0)
		assert_int_equal(e.status, want_st);
	return &v;
}

static struct docker_view *
build(enum ep_kind kind, const char *body, int want_rc, enum gj_status want_st)
{
	return build_v(kind, NULL, body, want_rc, want_st);
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
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"label:type:spc_t\"]}}", 0, GJ_OK);
	assert_string_equal(v->sec.selinux_type, "spc_t");
	assert_false(v->sec.selinux_disabled);
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

/* Issue 12: every field-name table has a name in every slot. */
static void
test_tables(void **state)
{
	(void)state;
	assert_true(docker_tables_complete());
}

/* runconfig's ContainerConfigWrapper and getHostConfig, for create and old-API start. */
/* Engine API 1.42-1.52 fields (docs/fields.md, "Newer engines"), read per the request's
 * version where dockerd decodes so, and bounded. */
static void
test_newer_engines(void **state)
{
	struct docker_view *v;
	char body[8192], list[4096];
	size_t i, o = 0;

	(void)state;
	v = build_v(EP_CONTAINER_CREATE, "1.43",
	    "{\"HostConfig\":{\"annotations\":{\"a\":\"1\",\"b\":null}}}", 0, GJ_OK);
	assert_int_equal(v->nannotations, 2);
	assert_string_equal(v->annotations[0].key, "a");
	/* Dropped below 1.43, but a wrong type is refused at every version, as dockerd does. */
	v = build_v(EP_CONTAINER_CREATE, "1.42", "{\"HostConfig\":{\"Annotations\":{\"a\":\"1\"}}}",
	    0, GJ_OK);
	assert_int_equal(v->nannotations, 0);
	build_v(EP_CONTAINER_CREATE, "1.42", "{\"HostConfig\":{\"Annotations\":[\"a\"]}}", -1,
	    GJ_INVALID);
	build_v(EP_CONTAINER_CREATE, "1.52", "{\"HostConfig\":{\"Annotations\":{\"a\":1}}}", -1,
	    GJ_INVALID);
	/* No version: the newest. Top level (no nested HostConfig) as the HostConfig. */
	v = build(EP_CONTAINER_CREATE, "{\"Image\":\"x\",\"Annotations\":{\"k\":\"v\"}}", 0,
	    GJ_OK);
	assert_int_equal(v->nannotations, 1);
	o = (size_t)snprintf(body, sizeof body, "{\"HostConfig\":{\"Annotations\":{");
	for (i = 0; i <= DOCKER_ANNOTATIONS_MAX; i++)
		o += (size_t)snprintf(body + o, sizeof body - o, "%s\"k%zu\":\"v\"", i ? "," : "", i);
	snprintf(body + o, sizeof body - o, "}}}");
	build(EP_CONTAINER_CREATE, body, -1, GJ_INVALID);

	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CgroupnsMode\":\"host\"}}", 0, GJ_OK);
	assert_string_equal(v->cgroupns_mode, "host");
	v = build(EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"DeviceRequests\":[{\"Driver\":\"cdi\",\"DeviceIDs\":[\"v.com/g=0\"]}]}}",
	    0, GJ_OK);
	assert_int_equal(v->ndevice_requests, 1);
	assert_string_equal(v->device_driver, "cdi");
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"DeviceRequests\":[{\"Driver\":7}]}}", -1,
	    GJ_INVALID);

	/* Endpoint sysctls: split on commas, key and value; other options ignored. */
	v = build(EP_CONTAINER_CREATE,
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{\"DriverOpts\":{\"x\":\"y\","
	    "\"com.docker.network.endpoint.sysctls\":\"net.a.IFNAME.b=1,net.c=2\"}}}},"
	    "\"HostConfig\":{\"Sysctls\":{\"kernel.shmmax\":\"1\"}}}", 0, GJ_OK);
	assert_int_equal(v->nendpoint_sysctls, 2);
	assert_int_equal(v->nsysctls, 3);
	assert_string_equal(v->sysctls[0].key, "net.a.IFNAME.b");
	assert_string_equal(v->sysctls[0].value, "1");
	assert_string_equal(v->sysctls[1].key, "net.c");
	assert_string_equal(v->sysctls[2].key, "kernel.shmmax");
	build(EP_CONTAINER_CREATE, "{\"NetworkingConfig\":{\"EndpointsConfig\":[]}}", -1,
	    GJ_INVALID);
	build(EP_CONTAINER_CREATE,
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{\"DriverOpts\":{\"a\":1}}}}}", -1,
	    GJ_INVALID);
	o = 0;
	for (i = 0; i <= DOCKER_SYSCTLS_MAX; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%snet.k%zu=1", i ? "," : "", i);
	snprintf(body, sizeof body, "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{"
	    "\"DriverOpts\":{\"com.docker.network.endpoint.sysctls\":\"%s\"}}}}}", list);
	build(EP_CONTAINER_CREATE, body, -1, GJ_INVALID);
}

/* Service privileges of API 1.44: dropped below it. */
static void
test_service_privileges(void **state)
{
	static const char *const bodies[] = {
	    "{\"TaskTemplate\":{\"ContainerSpec\":{\"Privileges\":{\"Seccomp\":{\"Mode\":\"unconfined\"},"
	    "\"AppArmor\":{\"Mode\":\"disabled\"}}}}}",
	    "{\"TaskTemplate\":{\"ContainerSpec\":{\"Privileges\":{\"Seccomp\":{\"Mode\":\"bogus\"}}}}}",
	};
	struct docker_view *v = calloc(1, sizeof *v);
	struct endpoint ep;
	struct gj_error e;

	(void)state;
	assert_non_null(v);
	memset(&ep, 0, sizeof ep);
	ep.kind = EP_SERVICE_CREATE;
	ep.has_version = true;
	snprintf(ep.version, sizeof ep.version, "1.44");
	docker_view_init(v, &ep);
	assert_int_equal(docker_view_from_service(v, &ep, (const unsigned char *)bodies[0],
	    strlen(bodies[0]), &e), 0);
	assert_string_equal(v->sec.seccomp, "unconfined");
	assert_string_equal(v->sec.apparmor, "unconfined");
	docker_view_free(v);
	docker_view_init(v, &ep);
	assert_int_equal(docker_view_from_service(v, &ep, (const unsigned char *)bodies[1],
	    strlen(bodies[1]), &e), -1);
	assert_int_equal(e.status, GJ_INVALID);
	docker_view_free(v);
	snprintf(ep.version, sizeof ep.version, "1.43");
	docker_view_init(v, &ep);
	assert_int_equal(docker_view_from_service(v, &ep, (const unsigned char *)bodies[0],
	    strlen(bodies[0]), &e), 0);
	assert_string_equal(v->sec.seccomp, "");
	assert_string_equal(v->sec.apparmor, "");
	docker_view_free(v);
	free(v);
}

/* network connect (any API version): the EndpointConfig's per-interface sysctls join the
 * sysctls list, and the request's name is the container the body connects. */
static void
test_network_connect(void **state)
{
	struct docker_view *v;

	(void)state;
	v = build(EP_NETWORK_CONNECT,
	    "{\"Container\":\"web-1\",\"EndpointConfig\":{\"Aliases\":[\"w\"],\"DriverOpts\":{"
	    "\"x\":\"y\",\"com.docker.network.endpoint.sysctls\":"
	    "\"net.ipv4.conf.IFNAME.forwarding=1,net.ipv6.conf.IFNAME.accept_ra\"}}}", 0, GJ_OK);
	assert_true(v->has_body);
	assert_string_equal(v->name, "web-1");
	assert_int_equal(v->nsysctls, 2);
	assert_int_equal(v->nendpoint_sysctls, 2);
	assert_string_equal(v->sysctls[0].key, "net.ipv4.conf.IFNAME.forwarding");
	assert_string_equal(v->sysctls[0].value, "1");
	assert_string_equal(v->sysctls[1].key, "net.ipv6.conf.IFNAME.accept_ra");
	assert_string_equal(v->sysctls[1].value, "");
	v = build(EP_NETWORK_CONNECT, "{\"Container\":\"c\",\"EndpointConfig\":null}", 0, GJ_OK);
	assert_int_equal(v->nsysctls, 0);
	build(EP_NETWORK_CONNECT, "{\"Container\":\"c\",\"EndpointConfig\":{\"DriverOpts\":[]}}",
	    -1, GJ_INVALID);
	build(EP_NETWORK_CONNECT, "{\"Container\":\"c\",\"EndpointConfig\":[]}", -1, GJ_INVALID);
	build(EP_NETWORK_CONNECT, "{\"Container\":7}", -1, GJ_INVALID);
	build(EP_NETWORK_CONNECT,
	    "{\"EndpointConfig\":{\"DriverOpts\":{},\"DRIVEROPTS\":{}}}", -1, GJ_AMBIGUOUS);
}

/* A service's Resources.SwapBytes (1.52) as the swarm executor makes it the task's
 * MemorySwap; dropped below 1.52. */
static void
test_service_swap(void **state)
{
	static const char head[] = "{\"TaskTemplate\":{\"Resources\":{\"Limits\":{\"MemoryBytes\":";
	struct docker_view *v;
	char body[256];

	(void)state;
	snprintf(body, sizeof body, "%s%s", head, "1000},\"SwapBytes\":-1}}}");
	v = build_v(EP_SERVICE_CREATE, "1.52", body, 0, GJ_OK);
	assert_int_equal(v->memory_swap, -1);
	assert_true(v->swap_unlimited);
	assert_false(v->memory_unlimited);
	v = build_v(EP_SERVICE_CREATE, "1.51", body, 0, GJ_OK);
	assert_int_equal(v->memory_swap, 0);
	assert_false(v->swap_unlimited);
	v = build_v(EP_SERVICE_CREATE, NULL, body, 0, GJ_OK);
	assert_true(v->swap_unlimited);
	snprintf(body, sizeof body, "%s%s", head, "1000},\"SwapBytes\":24}}}");
	v = build_v(EP_SERVICE_CREATE, "1.52", body, 0, GJ_OK);
	assert_int_equal(v->memory_swap, 1024);
	assert_false(v->swap_unlimited);
	snprintf(body, sizeof body, "%s%s", head, "1000},\"SwapBytes\":-5}}}");
	v = build_v(EP_SERVICE_CREATE, "1.52", body, 0, GJ_OK);
	assert_int_equal(v->memory_swap, 0);
	snprintf(body, sizeof body, "%s%s", head, "1000},\"SwapBytes\":9223372036854775000}}}");
	v = build_v(EP_SERVICE_CREATE, "1.52", body, 0, GJ_OK);
	assert_true(v->swap_unlimited);
	/* Without a memory limit the executor ignores it (memory-limit denies that anyway). */
	snprintf(body, sizeof body, "%s%s", head, "0},\"SwapBytes\":-1}}}");
	v = build_v(EP_SERVICE_CREATE, "1.52", body, 0, GJ_OK);
	assert_int_equal(v->memory_swap, 0);
	snprintf(body, sizeof body, "%s%s", head, "1000},\"MemorySwappiness\":\"x\"}}}");
	build_v(EP_SERVICE_CREATE, "1.52", body, -1, GJ_INVALID);
	build_v(EP_SERVICE_CREATE, "1.51", body, 0, GJ_OK);
}

/* dockerd's GET /version answer. */
static void
test_version_answer(void **state)
{
	static const char *const bad[] = {"{\"Version\":29}", "{}", "[",
	    "{\"Version\":\"1\",\"Version\":\"2\"}", "{\"Version\":\"\"}"};
	char out[32];
	size_t i;

	(void)state;
	assert_int_equal(docker_version_answer("{\"version\":\"29.5.1\"}", 20, out, sizeof out), 0);
	assert_string_equal(out, "29.5.1");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(docker_version_answer(bad[i], strlen(bad[i]), out, sizeof out), -1);
		assert_string_equal(out, "");
	}
	/* A Version that does not fit is not cut short. */
	assert_int_equal(docker_version_answer("{\"Version\":\"29.5.1-rc.1\"}", 25, out, 8), -1);
}

static void
test_wrapper(void **state)
{
	struct docker_view *v;

	(void)state;
	/* No nested HostConfig: the top level is the HostConfig (20.10 runs it privileged). */
	v = build(EP_CONTAINER_CREATE, "{\"Image\":\"x\",\"Privileged\":true,\"CapAdd\":[\"SYS_ADMIN\"],"
	    "\"Binds\":[\"/etc:/hostetc\"],\"PidMode\":\"host\"}", 0, GJ_OK);
	assert_true(v->privileged);
	assert_true(v->host_top_level);
	assert_true(v->has_host);
	assert_true(v->has_config);
	assert_string_equal(v->image, "x");
	assert_int_equal(v->ncaps, 1);
	assert_string_equal(v->caps[0], "CAP_SYS_ADMIN");
	assert_int_equal(v->nmounts, 1);
	assert_string_equal(v->mounts[0].source, "/etc");
	assert_string_equal(v->pid_mode, "host");
	/* A null nested HostConfig is no HostConfig: the top level again. */
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":null,\"privileged\":true}", 0, GJ_OK);
	assert_true(v->privileged);
	/* A key of a HostConfig field, even null, makes the top level the HostConfig. */
	v = build(EP_CONTAINER_CREATE, "{\"Image\":\"x\",\"Memory\":null}", 0, GJ_OK);
	assert_true(v->has_host);
	v = build(EP_CONTAINER_CREATE, "{\"Image\":\"x\"}", 0, GJ_OK);
	assert_false(v->has_host);
	/* With a nested one, the top level is ignored but for the back-filled fields. */
	v = build(EP_CONTAINER_CREATE, "{\"Image\":\"x\",\"Privileged\":true,\"Binds\":[\"/:/h\"],"
	    "\"Memory\":67108864,\"CpuShares\":100,\"MemorySwap\":-1,\"HostConfig\":{\"PidsLimit\":5}}",
	    0, GJ_OK);
	assert_false(v->privileged);
	assert_false(v->host_top_level);
	assert_int_equal(v->nmounts, 0);
	assert_int_equal(v->memory, 67108864);
	assert_true(v->memory_set);
	assert_int_equal(v->cpu_shares, 100);
	assert_int_equal(v->memory_swap, -1);
	assert_int_equal(v->pids_limit, 5);
	/* ... only where the nested one has 0. */
	v = build(EP_CONTAINER_CREATE, "{\"Memory\":1,\"CpuShares\":7,\"hostconfig\":{\"Memory\":2,"
	    "\"CpuShares\":9}}", 0, GJ_OK);
	assert_int_equal(v->memory, 2);
	assert_int_equal(v->cpu_shares, 9);
	/* The ignored top level is still decoded by Go: a wrong type fails the request. */
	build(EP_CONTAINER_CREATE, "{\"Privileged\":\"yes\",\"HostConfig\":{}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"Cpuset\":1}", -1, GJ_INVALID);
	/* Two spellings of one top-level field. */
	build(EP_CONTAINER_CREATE, "{\"Privileged\":true,\"PRIVILEGED\":false}", -1, GJ_AMBIGUOUS);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{},\"HOSTCONFIG\":{}}", -1, GJ_AMBIGUOUS);

	/* Old-API start: the same wrapper, nested HostConfig in any case. */
	v = build(EP_CONTAINER_START, "{\"HostConfig\":{\"Privileged\":true,\"PidMode\":\"host\","
	    "\"Binds\":[\"/etc:/x\"]}}", 0, GJ_OK);
	assert_true(v->privileged);
	assert_string_equal(v->pid_mode, "host");
	assert_int_equal(v->nmounts, 1);
	v = build(EP_CONTAINER_START, "{\"Privileged\":false,\"hostCONFIG\":{\"Privileged\":true}}",
	    0, GJ_OK);
	assert_true(v->privileged);
	/* Its Config fields change nothing: no user to judge. */
	v = build(EP_CONTAINER_START, "{\"User\":\"0\",\"HostConfig\":{}}", 0, GJ_OK);
	assert_false(v->has_config);
	assert_string_equal(v->user.raw, "");
	assert_true(v->has_host);
	v = build(EP_CONTAINER_START, "{\"Image\":\"x\"}", 0, GJ_OK);
	assert_false(v->has_host);
}

/* strslice.StrSlice: one string is a one-element list. */
static void
test_strslice(void **state)
{
	struct docker_view *v;

	(void)state;
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CapAdd\":\"NET_BIND_SERVICE\","
	    "\"CapDrop\":\"ALL\"}}", 0, GJ_OK);
	assert_int_equal(v->ncaps, 1);
	assert_string_equal(v->caps[0], "CAP_NET_BIND_SERVICE");
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CapAdd\":\"all\"}}", 0, GJ_OK);
	assert_true(v->cap_all);
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CapAdd\":null}}", 0, GJ_OK);
	assert_int_equal(v->ncaps, 0);
	v = build(EP_CONTAINER_CREATE, "{\"CapAdd\":\"sys_admin\"}", 0, GJ_OK);
	assert_string_equal(v->caps[0], "CAP_SYS_ADMIN");
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CapAdd\":5}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CapAdd\":{}}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CapAdd\":\"a\\u0000b\"}}", -1, GJ_INVALID);
}

/* Local volume options as volume/local and mount(2) read them. */
static void
test_volume_kinds(void **state)
{
	struct docker_view *v;

	(void)state;
	/* A relative device is resolved against dockerd's working directory, "/". */
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"r\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\","
	    "\"device\":\"etc\"}}", 0, GJ_OK);
	assert_int_equal(v->nmounts, 1);
	assert_int_equal(v->mounts[0].kind, MOUNT_VOLUME_BIND);
	assert_string_equal(v->mounts[0].source, "/etc");
	assert_string_equal(v->mounts[0].fstype, "none");
	/* bind in o binds whatever the type; ro is read. */
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"r\",\"DriverOpts\":{\"type\":\"ext4\",\"o\":\"ro,rbind\","
	    "\"device\":\"var/lib/../lib/docker\"}}", 0, GJ_OK);
	assert_string_equal(v->mounts[0].source, "/var/lib/docker");
	assert_true(v->mounts[0].read_only);
	assert_false(v->mounts[0].fs_mount);
	/* Kernel file systems. */
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"p\",\"DriverOpts\":{\"type\":\"proc\",\"device\":\"proc\"}}",
	    0, GJ_OK);
	assert_int_equal(v->mounts[0].kind, MOUNT_KERNEL_FS);
	assert_string_equal(v->mounts[0].fstype, "proc");
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"d\",\"DriverOpts\":{\"type\":\"devtmpfs\",\"device\":\"x\"}}",
	    0, GJ_OK);
	assert_int_equal(v->mounts[0].kind, MOUNT_KERNEL_FS);
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"d\",\"DriverOpts\":{\"type\":\"madeupfs\",\"device\":\"x\"}}",
	    0, GJ_OK);
	assert_int_equal(v->mounts[0].kind, MOUNT_KERNEL_FS);
	/* tmpfs and remote file systems: nothing of this host's files. */
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"t\",\"DriverOpts\":{\"type\":\"tmpfs\",\"device\":\"tmpfs\","
	    "\"o\":\"size=10m\"}}", 0, GJ_OK);
	assert_int_equal(v->mounts[0].kind, MOUNT_OTHER);
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"n\",\"DriverOpts\":{\"type\":\"nfs\",\"device\":\":/export\","
	    "\"o\":\"addr=10.0.0.1,rw\"}}", 0, GJ_OK);
	assert_int_equal(v->mounts[0].kind, MOUNT_OTHER);
	assert_string_equal(v->mounts[0].fstype, "nfs");
	/* A block device with a disk file system. */
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"b\",\"DriverOpts\":{\"type\":\"xfs\",\"device\":\"/dev/sdb1\"}}",
	    0, GJ_OK);
	assert_int_equal(v->mounts[0].kind, MOUNT_VOLUME_BIND);
	assert_string_equal(v->mounts[0].source, "/dev/sdb1");
	assert_string_equal(v->mounts[0].fstype, "xfs");
	assert_true(v->mounts[0].fs_mount);
	/* overlay: every layer directory is a host path. */
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"o\",\"DriverOpts\":{\"type\":\"overlay\",\"device\":\"overlay\","
	    "\"o\":\"lowerdir=/etc:usr,upperdir=/srv/u,workdir=/srv/w,index=off\"}}", 0, GJ_OK);
	assert_int_equal(v->nmounts, 4);
	assert_string_equal(v->mounts[0].source, "/etc");
	assert_true(v->mounts[0].read_only);
	assert_string_equal(v->mounts[1].source, "/usr");
	assert_string_equal(v->mounts[2].source, "/srv/u");
	assert_false(v->mounts[2].read_only);
	assert_string_equal(v->mounts[3].source, "/srv/w");
	assert_string_equal(v->mounts[3].fstype, "overlay");
	build(EP_VOLUME_CREATE, "{\"Name\":\"o\",\"DriverOpts\":{\"type\":\"overlay\",\"device\":\"o\","
	    "\"o\":\"lowerdir=/a\\\\:b\"}}", -1, GJ_AMBIGUOUS);
	build(EP_VOLUME_CREATE, "{\"Name\":\"o\",\"DriverOpts\":{\"type\":\"overlay\",\"device\":\"o\"}}",
	    -1, GJ_INVALID);
	/* What volume/local refuses: unknown keys (exact case), missing required ones. */
	build(EP_VOLUME_CREATE, "{\"Name\":\"k\",\"DriverOpts\":{\"Type\":\"none\",\"O\":\"bind\","
	    "\"Device\":\"/etc\"}}", -1, GJ_INVALID);
	build(EP_VOLUME_CREATE, "{\"Name\":\"k\",\"DriverOpts\":{\"device\":\"/etc\"}}", -1, GJ_INVALID);
	build(EP_VOLUME_CREATE, "{\"Name\":\"k\",\"DriverOpts\":{\"o\":\"bind\",\"type\":\"none\"}}", -1,
	    GJ_INVALID);
	v = build(EP_VOLUME_CREATE, "{\"Name\":\"s\",\"DriverOpts\":{\"size\":\"1g\"}}", 0, GJ_OK);
	assert_int_equal(v->nmounts, 0);
	/* The same through a container's Mounts. */
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/p\","
	    "\"VolumeOptions\":{\"DriverConfig\":{\"Options\":{\"type\":\"sysfs\",\"device\":\"sysfs\"}}}}]}}",
	    0, GJ_OK);
	assert_int_equal(v->nmounts, 2);
	assert_int_equal(v->mounts[1].kind, MOUNT_KERNEL_FS);
	assert_string_equal(v->mounts[1].fstype, "sysfs");
	assert_string_equal(v->mounts[1].target, "/p");
}

/* Limits that do not limit, and what an update changes. */
static void
test_limits(void **state)
{
	struct docker_view *v;

	(void)state;
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Memory\":268435456,\"PidsLimit\":100,"
	    "\"MemorySwap\":536870912,\"MemoryReservation\":1,\"KernelMemory\":2,\"CpuPeriod\":3}}",
	    0, GJ_OK);
	assert_false(v->memory_unlimited);
	assert_false(v->swap_unlimited);
	assert_false(v->pids_unlimited);
	assert_int_equal(v->memory_reservation, 1);
	assert_int_equal(v->kernel_memory, 2);
	assert_int_equal(v->cpu_period, 3);
	assert_int_equal(v->changes, DV_MEMORY | DV_MEMORY_SWAP | DV_MEMORY_RESERVATION |
	    DV_KERNEL_MEMORY | DV_CPU_PERIOD | DV_PIDS);
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{}}", 0, GJ_OK);
	assert_true(v->memory_unlimited);
	assert_true(v->swap_unlimited);
	assert_true(v->pids_unlimited);
	assert_int_equal(v->changes, 0);
	/* The kernel's maxima. */
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Memory\":9223372036854710272,"
	    "\"PidsLimit\":4194304}}", 0, GJ_OK);
	assert_true(v->memory_unlimited);
	assert_true(v->pids_unlimited);
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Memory\":9223372036854710271,"
	    "\"PidsLimit\":4194303,\"MemorySwap\":-1,\"CpuQuota\":-1}}", 0, GJ_OK);
	assert_false(v->memory_unlimited);
	assert_false(v->pids_unlimited);
	assert_true(v->swap_unlimited);
	assert_true(v->cpu_quota_removed);
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"PidsLimit\":-1}}", 0, GJ_OK);
	assert_true(v->pids_unlimited);
	/* Update: 0 and absent leave a field unchanged; -1 removes the limit. */
	v = build(EP_CONTAINER_UPDATE, "{\"CpuQuota\":-1}", 0, GJ_OK);
	assert_int_equal(v->changes, DV_CPU_QUOTA);
	assert_true(v->cpu_quota_removed);
	assert_false(v->memory_unlimited);
	assert_false(v->pids_unlimited);
	v = build(EP_CONTAINER_UPDATE, "{\"Memory\":0,\"CpuQuota\":0,\"PidsLimit\":null}", 0, GJ_OK);
	assert_int_equal(v->changes, 0);
	assert_false(v->cpu_quota_removed);
	v = build(EP_CONTAINER_UPDATE, "{\"PidsLimit\":0,\"MemorySwap\":-1}", 0, GJ_OK);
	assert_int_equal(v->changes, DV_PIDS | DV_MEMORY_SWAP);
	assert_true(v->pids_unlimited);
	assert_true(v->swap_unlimited);
	v = build(EP_CONTAINER_UPDATE, "{\"RestartPolicy\":{\"Name\":\"always\"}}", 0, GJ_OK);
	assert_int_equal(v->changes, DV_RESTART);
	/* Before API 1.40 dockerd drops PidsLimit from an update. */
	v = build_v(EP_CONTAINER_UPDATE, "1.39", "{\"PidsLimit\":-1}", 0, GJ_OK);
	assert_false(v->pids_set);
	assert_int_equal(v->changes, 0);
	/* An update applies Resources and RestartPolicy only. */
	v = build(EP_CONTAINER_UPDATE, "{\"Privileged\":true,\"Binds\":[\"/:/h\"]}", 0, GJ_OK);
	assert_false(v->privileged);
	assert_int_equal(v->nmounts, 0);
	build(EP_CONTAINER_UPDATE, "{\"MemorySwap\":\"-1\"}", -1, GJ_INVALID);
}

/* GroupAdd, Sysctls and Init of a container. */
static void
test_groups_sysctls_init(void **state)
{
	struct docker_view *v;

	(void)state;
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"GroupAdd\":[\"0\",\"disk\"],"
	    "\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"},\"Init\":true}}", 0, GJ_OK);
	assert_int_equal(v->ngroups, 2);
	assert_string_equal(v->groups[1], "disk");
	assert_int_equal(v->nsysctls, 1);
	assert_string_equal(v->sysctls[0].key, "net.ipv4.ip_forward");
	assert_string_equal(v->sysctls[0].value, "1");
	assert_int_equal(v->init, 1);
	v = build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Init\":null}}", 0, GJ_OK);
	assert_int_equal(v->init, -1);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"Sysctls\":{\"a\":1}}}", -1, GJ_INVALID);
	build(EP_CONTAINER_CREATE, "{\"HostConfig\":{\"GroupAdd\":\"0\"}}", -1, GJ_INVALID);
}

/* A swarm ServiceSpec is judged as the containers its tasks will be. */
static void
test_service(void **state)
{
	struct docker_view *v;

	(void)state;
	v = build(EP_SERVICE_CREATE,
	    "{\"Name\":\"web\",\"Labels\":{\"svc\":\"1\"},\"TaskTemplate\":{\"ContainerSpec\":{"
	    "\"Image\":\"busybox\",\"User\":\"0\",\"Groups\":[\"docker\"],\"Labels\":{\"team\":\"a\"},"
	    "\"Privileges\":{\"SELinuxContext\":{\"Disable\":true,\"Type\":\"spc_t\"}},\"Init\":false,\"ReadOnly\":true,"
	    "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/var/run/docker.sock\",\"Target\":\"/s\"},"
	    "{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\",\"VolumeOptions\":{\"DriverConfig\":"
	    "{\"Name\":\"local\",\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/\"}}}}],"
	    "\"Healthcheck\":{\"Test\":[\"NONE\"]},\"Sysctls\":{\"net.core.somaxconn\":\"1024\"},"
	    "\"CapabilityAdd\":[\"sys_admin\"],\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1,\"Hard\":2}]},"
	    "\"Resources\":{\"Limits\":{\"NanoCPUs\":1000000000,\"MemoryBytes\":268435456,\"Pids\":0},"
	    "\"Reservations\":{\"MemoryBytes\":1,\"GenericResources\":[{\"DiscreteResourceSpec\":"
	    "{\"Kind\":\"gpu\",\"Value\":1}}]}},"
	    "\"RestartPolicy\":{\"Condition\":\"any\"},"
	    "\"Networks\":[{\"Target\":\"appnet\"},{\"Target\":\"host\"}]},"
	    "\"Mode\":{\"Global\":{}},"
	    "\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80,\"PublishedPort\":80,\"PublishMode\":\"host\"},"
	    "{\"Protocol\":\"udp\",\"TargetPort\":53}]}}", 0, GJ_OK);
	assert_true(v->is_service);
	assert_false(v->service_plugin);
	assert_false(v->privileged);
	assert_true(v->has_config);
	assert_string_equal(v->name, "web");
	assert_string_equal(v->image, "busybox");
	assert_true(v->user.is_root);
	assert_int_equal(v->ngroups, 1);
	assert_int_equal(v->nlabels, 1);
	assert_string_equal(v->labels[0].key, "team");
	assert_true(v->sec.selinux_disabled);
	assert_string_equal(v->sec.selinux_type, "spc_t");
	assert_int_equal(v->init, 0);
	assert_true(v->readonly_rootfs);
	assert_int_equal(v->nmounts, 3);
	assert_string_equal(v->mounts[0].source, "/run/docker.sock");
	assert_int_equal(v->mounts[2].kind, MOUNT_VOLUME_BIND);
	assert_string_equal(v->mounts[2].source, "/");
	assert_true(v->healthcheck_disabled);
	assert_int_equal(v->nsysctls, 1);
	assert_int_equal(v->ncaps, 1);
	assert_string_equal(v->caps[0], "CAP_SYS_ADMIN");
	assert_int_equal(v->nulimits, 1);
	assert_int_equal(v->nano_cpus, 1000000000);
	assert_int_equal(v->memory, 268435456);
	assert_true(v->pids_set);
	assert_true(v->pids_unlimited);
	assert_int_equal(v->memory_reservation, 1);
	assert_int_equal(v->ndevice_requests, 1);
	assert_string_equal(v->restart_name, "always");
	assert_string_equal(v->network_mode, "host");
	assert_int_equal(v->nnetworks, 2);
	assert_int_equal(v->nports, 2);
	assert_int_equal(v->ports[0].lo, 80);
	assert_string_equal(v->ports[0].container, "80/tcp");
	assert_string_equal(v->ports[0].mode, "host");
	assert_string_equal(v->ports[0].host_ip, "");
	assert_string_equal(v->ports[1].container, "53/udp");
	assert_string_equal(v->ports[1].mode, "ingress");
	assert_int_equal(v->ports[1].lo, 0);
	/* Defaults: swarm restarts for ever; no limits at all. */
	v = build(EP_SERVICE_UPDATE, "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"x\"}}}", 0, GJ_OK);
	assert_string_equal(v->restart_name, "always");
	assert_true(v->memory_unlimited);
	assert_true(v->pids_unlimited);
	assert_string_equal(v->user.raw, "");
	v = build(EP_SERVICE_CREATE, "{\"TaskTemplate\":{\"RestartPolicy\":{\"Condition\":\"on-failure\","
	    "\"MaxAttempts\":3},\"Networks\":[{\"Target\":\"appnet\"}]},\"Networks\":[{\"Target\":\"host\"}]}",
	    0, GJ_OK);
	assert_string_equal(v->restart_name, "on-failure");
	assert_int_equal(v->restart_max, 3);
	assert_string_equal(v->network_mode, "host"); /* the deprecated top-level Networks */
	/* A plugin service installs a managed plugin. */
	v = build(EP_SERVICE_CREATE, "{\"TaskTemplate\":{\"Runtime\":\"plugin\",\"PluginSpec\":"
	    "{\"Name\":\"x\",\"Remote\":\"evil/plugin\"}}}", 0, GJ_OK);
	assert_true(v->service_plugin);
	/* Older API versions: dockerd drops what they did not have. */
	v = build_v(EP_SERVICE_CREATE, "1.40", "{\"TaskTemplate\":{\"ContainerSpec\":{\"CapabilityAdd\":"
	    "[\"ALL\"],\"Sysctls\":{\"a\":\"b\"}},\"Resources\":{\"Limits\":{\"Pids\":5}}}}", 0, GJ_OK);
	assert_int_equal(v->ncaps, 0);
	assert_int_equal(v->nsysctls, 1);
	assert_false(v->pids_set);
	v = build_v(EP_SERVICE_CREATE, "1.39", "{\"TaskTemplate\":{\"ContainerSpec\":{"
	    "\"Sysctls\":{\"a\":\"b\"}}}}", 0, GJ_OK);
	assert_int_equal(v->nsysctls, 0);
	/* Go's rules hold here too. */
	build(EP_SERVICE_CREATE, "{\"TaskTemplate\":{\"ContainerSpec\":{\"User\":\"1\",\"user\":\"0\"}}}",
	    -1, GJ_AMBIGUOUS);
	build(EP_SERVICE_CREATE, "{\"TaskTemplate\":{\"ContainerSpec\":{\"CapabilityAdd\":\"ALL\"}}}",
	    -1, GJ_INVALID);
	build(EP_SERVICE_CREATE, "{\"EndpointSpec\":{\"Ports\":[{\"PublishedPort\":-1}]}}", -1,
	    GJ_INVALID);
	build(EP_SERVICE_CREATE, "[]", -1, GJ_AMBIGUOUS);
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
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_wrapper),
		cmocka_unit_test(test_newer_engines),
		cmocka_unit_test(test_service_privileges),
		cmocka_unit_test(test_network_connect),
		cmocka_unit_test(test_service_swap),
		cmocka_unit_test(test_version_answer),
		cmocka_unit_test(test_strslice),
		cmocka_unit_test(test_volume_kinds),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_groups_sysctls_init),
		cmocka_unit_test(test_service),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	struct docker_view *v = build(EP_OTHER, "{}", 0, GJ_OK);

	docker_view_free(v);
	return rc;
}
