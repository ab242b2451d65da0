/* hostview and the evaluation facts: bind sources judged where they lead in a
 * temporary tree used as the host's root, and CPU-quota updates judged against the
 * container's current limits, through eval_request_ctx as decide will call it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cisgate/current.h"
#include "cisgate/eval.h"
#include "cisgate/evalfacts.h"
#include "cisgate/hostview.h"

/* Large: one each, not on the stack. */
static struct docker_view view;
static struct hostview hv;
static struct decision dec;
static char root[64];
static int rootfd = -1;

static const char POLICY[] = "apiVersion: cisgate/v1\ndefault_action: off\nrules:\n"
    "  sensitive-mounts: deny\n  docker-socket: deny\n  cpu-shares: deny\n";
static const char POLICY_TMP_OK[] = "apiVersion: cisgate/v1\ndefault_action: off\nrules:\n"
    "  sensitive-mounts: {action: deny, writable_allowed: [/tmp]}\n";

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static struct policy *
load(const char *y)
{
	struct policy_errors errs;
	struct policy *p = policy_load_buffer(y, strlen(y), "mem", &errs);

	assert_non_null(p);
	return p;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/cg-hostview.XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	if ((rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	/* A small host: /etc, /srv/data, /run/docker.sock, /tmp (1777), and links. */
	if (mkdirat(rootfd, "etc", 0755) || mkdirat(rootfd, "srv", 0755) ||
	    mkdirat(rootfd, "srv/data", 0755) || mkdirat(rootfd, "run", 0755) ||
	    mkdirat(rootfd, "var", 0755) || mkdirat(rootfd, "var/lib", 0755) ||
	    mkdirat(rootfd, "var/lib/docker", 0710) || mkdirat(rootfd, "tmp", 0700) ||
	    fchmodat(rootfd, "tmp", 01777, 0) || mkdirat(rootfd, "tmp/x", 0755) ||
	    symlinkat("/etc", rootfd, "srv/link") ||
	    symlinkat("../run/docker.sock", rootfd, "srv/sock") ||
	    symlinkat("/var", rootfd, "srv/v") ||
	    symlinkat("loop2", rootfd, "srv/loop1") || symlinkat("loop1", rootfd, "srv/loop2") ||
	    mkdirat(rootfd, "usr", 0755) || mkdirat(rootfd, "usr/share", 0755) ||
	    mkdirat(rootfd, "usr/share/zoneinfo", 0755) ||
	    symlinkat("/usr/share/zoneinfo/UTC", rootfd, "etc/localtime") ||
	    symlinkat("/etc/shadow", rootfd, "etc/timezone"))
		return -1;
	close(openat(rootfd, "run/docker.sock", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	close(rootfd);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Builds the view of body for kind, resolves its host paths unless no_host, and
 * evaluates with the facts. Returns the decision's message ("" when allowed). */
static const char *
judge(struct policy *p, enum ep_kind kind, const char *body, bool no_host,
    const struct current_limits *cur)
{
	struct endpoint ep = {.kind = kind, .state_changing = true};
	struct eval_facts f = {.host = no_host ? NULL : &hv, .current = cur};
	struct gj_error e;

	docker_view_init(&view, &ep);
	assert_int_equal(docker_view_build(&view, &ep, (const unsigned char *)body,
	    strlen(body), &e), 0);
	if (!no_host)
		(void)hostview_resolve(&hv, &view, rootfd, geteuid());
	eval_request_ctx(p, &ep, &view, &f, "", 0, &dec);
	docker_view_free(&view);
	return dec.allow ? "" : dec.msg;
}

static void
test_resolve_table(void **state)
{
	static const char body[] = "{\"HostConfig\":{\"Binds\":[\"data:/d\",\"/srv/link:/x\","
	    "\"/srv/loop1:/l\"]}}";
	struct endpoint ep = {.kind = EP_CONTAINER_CREATE, .state_changing = true};
	const struct hostview_entry *he;
	struct gj_error e;

	(void)state;
	docker_view_init(&view, &ep);
	assert_int_equal(docker_view_build(&view, &ep, (const unsigned char *)body,
	    strlen(body), &e), 0);
	assert_int_equal(hostview_resolve(&hv, &view, rootfd, geteuid()), 1);
	assert_int_equal(hv.n, 3);
	assert_null(hostview_get(&hv, 0)); /* a named volume is no host path */
	assert_non_null(he = hostview_get(&hv, 1));
	assert_int_equal(he->status, HOSTPATH_OK);
	assert_string_equal(he->path, "/etc");
	assert_string_equal(he->why, "");
	assert_non_null(he = hostview_get(&hv, 2));
	assert_int_equal(he->status, HOSTPATH_E_LOOP);
	assert_non_null(strstr(he->why, "/srv/loop1"));
	assert_null(hostview_get(&hv, 3));
	assert_null(hostview_get(NULL, 1));
	docker_view_free(&view);
}

static void
test_rules_follow_links(void **state)
{
	struct policy *p = load(POLICY), *q = load(POLICY_TMP_OK);

	(void)state;
	/* Lexically harmless, all of them: only the resolved path tells. */
	assert_string_equal(judge(p, EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"CpuShares\":512,\"Binds\":[\"/srv/link:/x\"]}}", true, NULL), "");
	assert_non_null(strstr(judge(p, EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"CpuShares\":512,\"Binds\":[\"/srv/link:/x\"]}}", false, NULL),
	    "sensitive-mounts: host path /srv/link leads to /etc, which is sensitive"));
	assert_non_null(strstr(judge(p, EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"CpuShares\":512,\"Binds\":[\"/srv/sock:/s\"]}}", false, NULL),
	    "docker-socket: the Docker socket is reachable through host path /srv/sock, which "
	    "leads to /run/docker.sock"));
	assert_non_null(strstr(judge(p, EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"CpuShares\":512,\"Binds\":[\"/srv/v/lib:/v\"]}}", false, NULL),
	    "host path /var/lib contains /var/lib/docker"));
	assert_non_null(strstr(judge(p, EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"CpuShares\":512,\"Binds\":[\"/srv/loop1/a:/l\"]}}", false, NULL),
	    "cannot resolve host path /srv/loop1/a"));
	/* A source in a directory others may write can be swapped after the check. */
	assert_non_null(strstr(judge(p, EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"CpuShares\":512,\"Binds\":[\"/tmp/x:/x\"]}}", false, NULL),
	    "host path /tmp/x is under /tmp (uid 0, mode 1777): it can be swapped for a link "
	    "after this check; use a root-owned directory or list /tmp in writable_allowed"));
	/* The longest paths still leave the fix in the violation's text. */
	assert_non_null(strstr(judge(p, EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CpuShares\":"
	    "512,\"Binds\":[\"/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    "bbbbbbbbbbbbbbbbbbbbbbbb:/x\"]}}", false, NULL), "in writable_allowed"));
	assert_string_equal(judge(q, EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"Binds\":[\"/tmp/x:/x\"]}}", false, NULL), "");
	/* Plain, root-owned, and missing (dockerd creates it) sources pass. */
	assert_string_equal(judge(p, EP_CONTAINER_CREATE,
	    "{\"HostConfig\":{\"CpuShares\":512,\"Binds\":[\"/srv/data:/d\",\"/srv/new/dir:/n\"]}}",
	    false, NULL), "");
	policy_release(p);
	policy_release(q);
}

/* allowed_readonly is judged on the written and on the resolved path: a link under an
 * allowed name cannot bring another file in. */
static void
test_readonly_follows_links(void **state)
{
	struct policy *p = load(POLICY);

	(void)state;
	assert_string_equal(judge(p, EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CpuShares\":512,"
	    "\"Binds\":[\"/etc/localtime:/etc/localtime:ro\"]}}", false, NULL), "");
	assert_non_null(strstr(judge(p, EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CpuShares\":"
	    "512,\"Binds\":[\"/etc/timezone:/etc/timezone:ro\"]}}", false, NULL),
	    "host path /etc/timezone leads to /etc/shadow, which is sensitive (via Binds); "
	    "read-only does not help"));
	/* Read-write, the allowed link itself is still denied, naming the fix. */
	assert_non_null(strstr(judge(p, EP_CONTAINER_CREATE, "{\"HostConfig\":{\"CpuShares\":"
	    "512,\"Binds\":[\"/etc/localtime:/etc/localtime\"]}}", false, NULL),
	    "mount it read-only (:ro)"));
	policy_release(p);
}

static void
test_cpu_quota_update(void **state)
{
	struct policy *p = load(POLICY);
	struct current_limits none, cpus, shares_unknown;
	struct endpoint ep = {.kind = EP_CONTAINER_UPDATE, .state_changing = true};
	static const char q[] = "{\"CpuQuota\":-1}";

	(void)state;
	memset(&none, 0, sizeof none);
	none.cpu_shares = none.nano_cpus = none.cpu_quota = (struct current_limit){true, 0};
	cpus = none;
	cpus.nano_cpus.value = 1000000000;
	shares_unknown = cpus;
	shares_unknown.cpu_shares.known = false;
	/* Not known: deny what the update itself removes, and say why. */
	assert_non_null(strstr(judge(p, EP_CONTAINER_UPDATE, q, true, NULL),
	    "cisgate could not read the container's limits"));
	assert_non_null(strstr(judge(p, EP_CONTAINER_UPDATE, q, true, &shares_unknown),
	    "could not read"));
	/* Known: the container that results. */
	assert_string_equal(judge(p, EP_CONTAINER_UPDATE, q, true, &cpus), "");
	assert_non_null(strstr(judge(p, EP_CONTAINER_UPDATE, q, true, &none),
	    "the container's only CPU control"));
	assert_string_equal(judge(p, EP_CONTAINER_UPDATE, "{\"CpuQuota\":-1,\"NanoCpus\":"
	    "500000000}", true, &none), "");
	/* eval_request is eval_request_ctx without facts. */
	docker_view_init(&view, &ep);
	{
		struct gj_error e;

		assert_int_equal(docker_view_build(&view, &ep, (const unsigned char *)q,
		    strlen(q), &e), 0);
	}
	eval_request(p, &ep, &view, "", 0, &dec);
	assert_false(dec.allow);
	assert_non_null(strstr(dec.msg, "could not read"));
	docker_view_free(&view);
	policy_release(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_table),
		cmocka_unit_test(test_rules_follow_links),
		cmocka_unit_test(test_readonly_follows_links),
		cmocka_unit_test(test_cpu_quota_update),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
