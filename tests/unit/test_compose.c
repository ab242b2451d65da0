/* compose files into the create bodies docker-compose 1.29 sends: each field as
 * compose/service.py and docker-py build it, so check judges what compose would create. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "cisgate/compose.h"

/* The body of the only service of yaml, as JSON (the caller decrefs). */
static json_t *
one_body(const char *yaml)
{
	struct policy_errors errs;
	struct compose_file cf;
	json_t *j;

	assert_int_equal(compose_load(yaml, strlen(yaml), "t.yml", "proj", &cf, &errs), 0);
	assert_int_equal(cf.n, 1);
	j = json_loads(cf.v[0].body, 0, NULL);
	assert_non_null(j);
	compose_free(&cf);
	return j;
}

static json_int_t
hc_int(json_t *b, const char *key)
{
	json_t *v = json_object_get(json_object_get(b, "HostConfig"), key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void
test_limits(void **state)
{
	json_t *b = one_body("services:\n  s:\n    image: x\n    mem_limit: 256m\n"
	    "    memswap_limit: 1g\n    cpus: 0.5\n    pids_limit: 100\n    cpu_shares: 512\n");

	(void)state;
	assert_int_equal(hc_int(b, "Memory"), 256 << 20);
	assert_int_equal(hc_int(b, "MemorySwap"), 1 << 30);
	assert_int_equal(hc_int(b, "NanoCpus"), 500000000);
	assert_int_equal(hc_int(b, "PidsLimit"), 100);
	assert_int_equal(hc_int(b, "CpuShares"), 512);
	json_decref(b);
	/* Nine decimals, no floating point: int(1.123456789 * 1e9) as docker-py computes it. */
	b = one_body("services:\n  s:\n    image: x\n    cpus: \"1.123456789\"\n");
	assert_int_equal(hc_int(b, "NanoCpus"), 1123456789);
	json_decref(b);
}

static void
test_names_and_network(void **state)
{
	struct policy_errors errs;
	struct compose_file cf;
	const char *y = "services:\n  b:\n    image: x\n    container_name: fixed\n"
	    "  a:\n    image: y\n    networks: [front]\n";
	json_t *b;

	(void)state;
	assert_int_equal(compose_load(y, strlen(y), "t.yml", "proj", &cf, &errs), 0);
	assert_string_equal(cf.v[0].name, "fixed");
	assert_string_equal(cf.v[1].name, "proj_a_1");
	assert_string_equal(cf.v[1].image, "y");
	b = json_loads(cf.v[0].body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "HostConfig"),
	    "NetworkMode")), "proj_default");
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "Labels"),
	    "com.docker.compose.service")), "b");
	json_decref(b);
	b = json_loads(cf.v[1].body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "HostConfig"),
	    "NetworkMode")), "proj_front");
	json_decref(b);
	compose_free(&cf);
}

static void
test_volumes(void **state)
{
	json_t *b = one_body("services:\n  s:\n    image: x\n    volumes:\n"
	    "    - /srv/a:/a:ro\n    - data:/d\n    - ext:/e\n    - /anon\n"
	    "    - {type: bind, source: /srv/b, target: /b, bind: {propagation: rshared}}\n"
	    "volumes:\n  data: {}\n  ext: {external: true}\n");
	json_t *binds = json_object_get(json_object_get(b, "HostConfig"), "Binds");
	json_t *m = json_array_get(json_object_get(json_object_get(b, "HostConfig"), "Mounts"), 0);

	(void)state;
	assert_int_equal(json_array_size(binds), 3);
	assert_string_equal(json_string_value(json_array_get(binds, 0)), "/srv/a:/a:ro");
	assert_string_equal(json_string_value(json_array_get(binds, 1)), "proj_data:/d:rw");
	assert_string_equal(json_string_value(json_array_get(binds, 2)), "ext:/e:rw");
	assert_non_null(json_object_get(json_object_get(b, "Volumes"), "/anon"));
	assert_string_equal(json_string_value(json_object_get(m, "Source")), "/srv/b");
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "BindOptions"),
	    "Propagation")), "rshared");
	json_decref(b);
}

static void
test_ports(void **state)
{
	json_t *b = one_body("services:\n  s:\n    image: x\n    ports:\n"
	    "    - 127.0.0.1:8080:80\n    - 53:53/udp\n    - \"9000-9001:90-91\"\n"
	    "    - {target: 443, published: 8443}\n    - \"7000-7010:7000\"\n");
	json_t *pb = json_object_get(json_object_get(b, "HostConfig"), "PortBindings");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(pb,
	    "80/tcp"), 0), "HostIp")), "127.0.0.1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(pb,
	    "53/udp"), 0), "HostPort")), "53");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(pb,
	    "91/tcp"), 0), "HostPort")), "9001");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(pb,
	    "443/tcp"), 0), "HostPort")), "8443");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(pb,
	    "7000/tcp"), 0), "HostPort")), "7000-7010");
	json_decref(b);
}

static void
test_misc(void **state)
{
	json_t *b = one_body("services:\n  s:\n    image: x\n    healthcheck:\n"
	    "      test: curl -f http://localhost\n      interval: 1m30s\n      retries: 3\n"
	    "    ulimits: {nproc: 50, nofile: {soft: 10, hard: 20}}\n"
	    "    restart: on-failure:3\n    devices: [/dev/fuse]\n"
	    "    security_opt: [no-new-privileges:true]\n    user: \"1000\"\n");
	json_t *hc = json_object_get(b, "HostConfig"), *h = json_object_get(b, "Healthcheck");
	json_t *u = json_object_get(hc, "Ulimits"), *d;

	(void)state;
	assert_string_equal(json_string_value(json_array_get(json_object_get(h, "Test"), 0)),
	    "CMD-SHELL");
	assert_int_equal(json_integer_value(json_object_get(h, "Interval")), 90000000000LL);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(u, 0), "Hard")), 50);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(u, 1), "Soft")), 10);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(hc, "RestartPolicy"),
	    "MaximumRetryCount")), 3);
	d = json_array_get(json_object_get(hc, "Devices"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "PathInContainer")), "/dev/fuse");
	assert_string_equal(json_string_value(json_object_get(d, "CgroupPermissions")), "rwm");
	assert_string_equal(json_string_value(json_object_get(b, "User")), "1000");
	json_decref(b);
}

/* Refused with a located error, never half read. */
static void
test_refused(void **state)
{
	static const char *const bad[] = {
	    "services:\n  s:\n    image: x\n    uts: host\n",
	    "services:\n  s:\n    image: x\n    ports: [{published: 80}]\n",
	    "services:\n  s:\n    image: x\n    cpus: 1.0000000001\n",
	    "services:\n  s:\n    image: x\n    mem_limit: lots\n",
	    "services:\n  s:\n    image: x\n    healthcheck: {interval: 5 minutes}\n",
	    "services:\n  s:\n    image: x\n    volumes: [{type: bind, target: /x, bnd: {}}]\n",
	    "services:\n  s:\n    command: x\n",
	    "version: '2'\n",
	};
	struct policy_errors errs;
	struct compose_file cf;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(compose_load(bad[i], strlen(bad[i]), "t.yml", "proj", &cf, &errs),
		    -1);
		assert_true(errs.n > 0);
		assert_non_null(strstr(errs.text[0], "t.yml"));
		compose_free(&cf);
	}
}

static void
test_detect_and_project(void **state)
{
	char p[64];

	(void)state;
	assert_true(compose_detect("version: '3'\nservices:\n  a: {}\n", 32));
	assert_false(compose_detect("{\"services\": 1}", 15));
	assert_false(compose_detect("[{\"Name\":\"/x\"}]", 15));
	compose_project("/srv/My.App_1-x/docker-compose.yml", p, sizeof p);
	assert_string_equal(p, "myapp_1-x");
	compose_project_name("...", p, sizeof p);
	assert_string_equal(p, "default");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_names_and_network),
		cmocka_unit_test(test_volumes),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_detect_and_project),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
