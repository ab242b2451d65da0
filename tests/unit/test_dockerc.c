/* test_dockerc.c - the dockerd client (dockerc, facts, lookup) against a small HTTP server on a unix socket that
 * answers like dockerd does (200 JSON, 404, slow, oversized and chunked answers). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cisgate/cves.h"
#include "cisgate/daemonver.h"
#include "cisgate/decide.h"
#include "cisgate/dockerc.h"
#include "cisgate/lookup.h"

/* What the fake dockerd answers to GET /version (the daemon-cves tests set it). */
static char fake_version[256] = "{\"Version\":\"29.5.1\",\"ApiVersion\":\"1.52\"}";

static char sockpath[108];
static char tmpdir[64];
static struct MHD_Daemon *srv;

/* A big answer sent chunked, like dockerd's large inspect answers. */
static ssize_t
big_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	if (pos >= (uint64_t)CG_DOCKERC_BODY_MAX + 4096)
		return MHD_CONTENT_READER_END_OF_STREAM;
	memset(buf, 'x', max);
	return (ssize_t)max;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *data, size_t *size, void **ctx)
{
	static const char ok[] = "{\"Config\":{\"User\":\"1000\"}}";
	struct MHD_Response *r;
	enum MHD_Result ret;
	unsigned status = 200;

	(void)cls, (void)method, (void)version, (void)data, (void)size, (void)ctx;
	if (strcmp(url, "/slow") == 0) {
		struct timespec ts = {1, 0};

		nanosleep(&ts, NULL);
	}
	if (strcmp(url, "/version") == 0)
		r = MHD_create_response_from_buffer(strlen(fake_version), fake_version,
		    MHD_RESPMEM_MUST_COPY);
	else if (strcmp(url, "/big") == 0)
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536, big_reader, NULL, NULL);
	else if (strcmp(url, "/containers/a b%2Fc/json") == 0 || strcmp(url, "/ok") == 0 ||
	    strcmp(url, "/slow") == 0 || strcmp(url, "/containers/web/json") == 0 ||
	    strcmp(url, "/images/busybox:latest/json") == 0)
		r = MHD_create_response_from_buffer(strlen(ok), (void *)(uintptr_t)ok,
		    MHD_RESPMEM_PERSISTENT);
	else {
		status = 404;
		r = MHD_create_response_from_buffer(2, (void *)(uintptr_t)"{}",
		    MHD_RESPMEM_PERSISTENT);
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static int
setup(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/cgdc.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(sockpath, sizeof sockpath, "%s/d.sock", tmpdir);
	memcpy(sa.sun_path, sockpath, strlen(sockpath) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0)
		return -1;
	srv = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
	    0, NULL, NULL, handler, NULL, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_END);
	return srv == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	MHD_stop_daemon(srv);
	unlink(sockpath);
	rmdir(tmpdir);
	return 0;
}

static void
test_path_escapes_segment(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(dockerc_path(out, sizeof out, "/containers/", "web-1.a_b~", "/json"), 0);
	assert_string_equal(out, "/containers/web-1.a_b~/json");
	/* A target from a request cannot add path segments or a query. */
	assert_int_equal(dockerc_path(out, sizeof out, "/containers/", "../x?y=1#z /", "/json"), 0);
	assert_string_equal(out, "/containers/..%2Fx%3Fy%3D1%23z%20%2F/json");
	assert_int_equal(dockerc_path(out, 12, "/containers/", "web", "/json"), -1);
}

static void
test_get_sync(void **state)
{
	struct dockerc_reply r;

	(void)state;
	assert_int_equal(dockerc_get(sockpath, 2000, "/ok", &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"Config\":{\"User\":\"1000\"}}");
	dockerc_reply_clear(&r);
	assert_int_equal(dockerc_get(sockpath, 2000, "/nope", &r), -1);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.err, "answered 404"));
	dockerc_reply_clear(&r);
	/* Escaped segments reach the server as one segment. */
	assert_int_equal(dockerc_get(sockpath, 2000, "/containers/a%20b%252Fc/json", &r), 0);
	dockerc_reply_clear(&r);
}

/* Version strings as dockerd and distributions write them. */
static void
test_version_parse(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(cves_parse_version("29.5.1", &v), 0);
	assert_int_equal(v, CVES_VERSION(29, 5, 1));
	assert_int_equal(cves_parse_version("20.10.24+dfsg1", &v), 0);
	assert_int_equal(v, CVES_VERSION(20, 10, 24));
	assert_int_equal(cves_parse_version("v28.0.0-rc.1", &v), 0);
	assert_int_equal(v, CVES_VERSION(28, 0, 0));
	assert_int_equal(cves_parse_version("27.1", &v), 0);
	assert_int_equal(v, CVES_VERSION(27, 1, 0));
	assert_int_equal(cves_parse_version("", &v), -1);
	assert_int_equal(v, 0);
	assert_int_equal(cves_parse_version("master", &v), -1);
	assert_int_equal(cves_parse_version("29", &v), -1);
	assert_int_equal(cves_parse_version("1000.0.0", &v), -1);
	assert_int_equal(cves_parse_version("0.9.1", &v), -1);
	assert_int_equal(cves_parse_version(NULL, &v), -1);
}

/* The affected ranges at their edges: the line without a fix (24.0) runs to the next
 * line's fixed release. */
static void
test_cves_ranges(void **state)
{
	const struct cve_def *c = cves_by_rule(R_CVE_2024_41110);
	const struct cve_def *a = cves_by_rule(R_CVE_2026_41567);

	(void)state;
	assert_non_null(c);
	assert_non_null(a);
	assert_null(cves_by_rule(R_PRIVILEGED));
	assert_true(cves_affects(c, CVES_VERSION(20, 10, 24)));
	assert_true(cves_affects(c, CVES_VERSION(23, 0, 14)));
	assert_false(cves_affects(c, CVES_VERSION(23, 0, 15)));
	assert_true(cves_affects(c, CVES_VERSION(24, 0, 9)));
	assert_false(cves_affects(c, CVES_VERSION(25, 0, 6)));
	assert_true(cves_affects(c, CVES_VERSION(26, 0, 2)));
	assert_false(cves_affects(c, CVES_VERSION(26, 1, 5)));
	assert_true(cves_affects(c, CVES_VERSION(27, 1, 0)));
	assert_false(cves_affects(c, CVES_VERSION(27, 1, 1)));
	assert_false(cves_affects(c, CVES_VERSION(29, 0, 0)));
	assert_true(cves_affects(c, 0)); /* unknown */
	assert_true(cves_affects(a, CVES_VERSION(29, 5, 0)));
	assert_false(cves_affects(a, CVES_VERSION(29, 5, 1)));
}

/* A docker cp into a container, under a policy that lists container_archive_put, decided
 * with the version a fake dockerd gives: denied on 28.0.0 naming the CVE, allowed on
 * 29.5.1, denied when the version cannot be read. */
static void
decide_archive_put(struct policy *p, struct decide_ctx *c)
{
	static const char env[] = "{\"RequestMethod\":\"PUT\",\"RequestUri\":"
	    "\"/v1.41/containers/c1/archive?path=/srv\",\"RequestHeaders\":{}}";

	c->rootfd = -1;
	decide_envelope(p, env, strlen(env), false, time(NULL), c);
}

static void
test_version_fake_daemon(void **state)
{
	static const char pol[] = "apiVersion: cisgate/v1\nallowed_routes: "
	    "[container_archive_put]\n";
	struct policy_errors errs;
	struct policy *p = policy_load_buffer(pol, strlen(pol), "test", &errs);
	struct decide_ctx *c = calloc(1, sizeof *c);
	char raw[64], err[256];
	uint32_t v;

	(void)state;
	assert_non_null(p);
	assert_non_null(c);
	snprintf(fake_version, sizeof fake_version, "{\"Version\":\"29.5.1\"}");
	assert_int_equal(daemonver_read(sockpath, 2000, &v, raw, sizeof raw, err, sizeof err), 0);
	assert_string_equal(raw, "29.5.1");
	atomic_store(&p->daemon_version, v);
	decide_archive_put(p, c);
	assert_true(c->dec.allow);
	decide_free(c);

	snprintf(fake_version, sizeof fake_version, "{\"Version\":\"28.0.0\",\"Os\":\"linux\"}");
	assert_int_equal(daemonver_read(sockpath, 2000, &v, raw, sizeof raw, err, sizeof err), 0);
	assert_int_equal(v, CVES_VERSION(28, 0, 0));
	atomic_store(&p->daemon_version, v);
	decide_archive_put(p, c);
	assert_false(c->dec.allow);
	assert_non_null(strstr(c->dec.msg, "dockerd 28.0.0 has CVE-2026-41567 (fixed in 29.5.1)"));
	decide_free(c);

	/* An answer without a Version, and no dockerd at all: unknown, fail closed. */
	snprintf(fake_version, sizeof fake_version, "{\"ApiVersion\":\"1.52\"}");
	assert_int_equal(daemonver_read(sockpath, 2000, &v, raw, sizeof raw, err, sizeof err), -1);
	assert_int_equal(v, 0);
	assert_non_null(strstr(err, "no Version"));
	assert_int_equal(daemonver_read("/nonexistent/d.sock", 500, &v, raw, sizeof raw, err,
	    sizeof err), -1);
	atomic_store(&p->daemon_version, v);
	decide_archive_put(p, c);
	assert_false(c->dec.allow);
	assert_non_null(strstr(c->dec.msg, "version unknown"));
	decide_free(c);
	free(c);
	policy_release(p);
}

static void
test_get_failures(void **state)
{
	struct dockerc_reply r;

	(void)state;
	assert_int_equal(dockerc_get("/nonexistent/docker.sock", 500, "/ok", &r), -1);
	assert_int_equal(r.status, 0);
	assert_null(r.body);
	assert_non_null(strstr(r.err, "not reachable"));
	dockerc_reply_clear(&r);
	assert_int_equal(dockerc_get(sockpath, 200, "/slow", &r), -1);
	assert_non_null(strstr(r.err, "did not answer within 200 ms"));
	dockerc_reply_clear(&r);
	assert_int_equal(dockerc_get(sockpath, 5000, "/big", &r), -1);
	assert_non_null(strstr(r.err, "larger than"));
	assert_null(r.body);
	dockerc_reply_clear(&r);
}

/* Async: callbacks arrive on the lookup thread; the test waits on a condition. */
struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
	long status[64];
	char err[64][192];
};

static void
on_done(void *arg, struct dockerc_reply *r)
{
	struct waiter *w = *(struct waiter **)arg;

	pthread_mutex_lock(&w->lock);
	w->status[w->done] = r->status;
	memcpy(w->err[w->done], r->err, sizeof r->err);
	w->done++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	dockerc_reply_free(r);
}

static void
wait_for(struct waiter *w, int n)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&w->lock);
	while (w->done < n)
		if (pthread_cond_timedwait(&w->cond, &w->lock, &until) != 0)
			break;
	pthread_mutex_unlock(&w->lock);
	assert_int_equal(w->done, n);
}

static void
test_async_many(void **state)
{
	struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {0}, {{0}}};
	struct waiter *wp = &w;
	char err[128];
	struct dockerc *c = dockerc_start(sockpath, 3000, err, sizeof err);
	int i, ok = 0, notfound = 0;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < 40; i++)
		assert_int_equal(dockerc_submit(c, i % 4 == 3 ? "/nope" : "/ok", on_done, &wp), 0);
	wait_for(&w, 40);
	for (i = 0; i < 40; i++) {
		ok += w.status[i] == 200;
		notfound += w.status[i] == 404;
	}
	assert_int_equal(ok, 30);
	assert_int_equal(notfound, 10);
	dockerc_free(c);
}

static void
test_async_stop_ends_running_lookups(void **state)
{
	struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {0}, {{0}}};
	struct waiter *wp = &w;
	char err[128];
	struct dockerc *c = dockerc_start(sockpath, 5000, err, sizeof err);
	struct timespec ts = {0, 100 * 1000 * 1000};

	(void)state;
	assert_non_null(c);
	assert_int_equal(dockerc_submit(c, "/slow", on_done, &wp), 0);
	nanosleep(&ts, NULL);
	dockerc_stop(c); /* the callback has run when this returns */
	assert_int_equal(w.done, 1);
	assert_int_equal(w.status[0], 0);
	assert_string_equal(w.err[0], "cisgate is stopping");
	/* Stopped: submissions are refused (no callback), until it is freed. */
	assert_int_equal(dockerc_submit(c, "/ok", on_done, &wp), -1);
	assert_int_equal(w.done, 1);
	dockerc_free(c);
}

static void
test_async_unreachable(void **state)
{
	struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {0}, {{0}}};
	struct waiter *wp = &w;
	char err[128];
	struct dockerc *c = dockerc_start("/nonexistent/docker.sock", 1000, err, sizeof err);

	(void)state;
	assert_non_null(c);
	assert_int_equal(dockerc_submit(c, "/ok", on_done, &wp), 0);
	wait_for(&w, 1);
	assert_int_equal(w.status[0], 0);
	assert_non_null(strstr(w.err[0], "not reachable"));
	dockerc_free(c);
	dockerc_stop(NULL);
	dockerc_free(NULL);
}

static void
test_facts_need_dedups_and_bounds(void **state)
{
	struct facts f;
	char big[CG_ID_MAX + 8];
	int i;

	(void)state;
	memset(&f, 0, sizeof f);
	assert_int_equal(facts_need(&f, FACT_CONTAINER, "web", "exec target"), 0);
	assert_int_equal(facts_need(&f, FACT_IMAGE, "web", "image"), 1);
	assert_int_equal(facts_need(&f, FACT_CONTAINER, "web", "again"), 0);
	assert_int_equal(facts_need(&f, FACT_CONTAINER, "", "empty"), -1);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(facts_need(&f, FACT_CONTAINER, big, "too long"), -1);
	for (i = 2; i < CG_FACTS_MAX; i++) {
		char ref[16];

		snprintf(ref, sizeof ref, "c%d", i);
		assert_int_equal(facts_need(&f, FACT_CONTAINER, ref, "join"), i);
	}
	assert_int_equal(facts_need(&f, FACT_CONTAINER, "one-more", "join"), -1);
	assert_non_null(facts_get(&f, FACT_IMAGE, "web"));
	assert_null(facts_get(&f, FACT_PLUGIN, "web"));
	facts_answer(&f, 0, 200, strdup("{}"), 2, "");
	facts_answer(&f, 1, 404, NULL, 0, "dockerd answered 404");
	facts_answer(&f, 2, 0, NULL, 0, "dockerd did not answer within 2000 ms");
	assert_int_equal(f.f[0].state, FACT_OK);
	assert_int_equal(f.f[1].state, FACT_MISSING);
	assert_int_equal(f.f[2].state, FACT_FAILED);
	assert_string_equal(f.f[2].err, "dockerd did not answer within 2000 ms");
	facts_clear(&f);
	assert_int_equal(f.n, 0);
}

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static int ready_calls;

static void
on_ready(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&ready_lock);
	ready_calls++;
	pthread_cond_signal(&ready_cond);
	pthread_mutex_unlock(&ready_lock);
}

static void
test_lookup_fills_facts(void **state)
{
	struct facts f;
	struct lookup_set s;
	struct timespec until;
	char err[128];
	struct dockerc *c = dockerc_start(sockpath, 3000, err, sizeof err);

	(void)state;
	assert_non_null(c);
	memset(&f, 0, sizeof f);
	facts_need(&f, FACT_CONTAINER, "web", "exec target");
	facts_need(&f, FACT_IMAGE, "busybox:latest", "image");
	facts_need(&f, FACT_CONTAINER, "gone", "--volumes-from");
	ready_calls = 0;
	assert_int_equal(lookup_start(&s, c, &f, on_ready, NULL), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&ready_lock);
	while (ready_calls == 0)
		if (pthread_cond_timedwait(&ready_cond, &ready_lock, &until) != 0)
			break;
	pthread_mutex_unlock(&ready_lock);
	assert_int_equal(ready_calls, 1);
	assert_int_equal(f.f[0].state, FACT_OK);
	assert_non_null(strstr(f.f[0].body, "\"User\":\"1000\""));
	assert_int_equal(f.f[1].state, FACT_OK);
	assert_int_equal(f.f[2].state, FACT_MISSING);
	dockerc_free(c);
	assert_int_equal(ready_calls, 1);
	facts_clear(&f);

	/* Without a client nothing starts, every fact fails with a reason, ready never runs. */
	facts_need(&f, FACT_CONTAINER, "web", "exec target");
	assert_int_equal(lookup_start(&s, NULL, &f, on_ready, NULL), -1);
	assert_int_equal(f.f[0].state, FACT_FAILED);
	assert_non_null(strstr(f.f[0].err, "no connection to dockerd"));
	assert_int_equal(ready_calls, 1);
	facts_clear(&f);

	/* Synchronously, for the command line. */
	facts_need(&f, FACT_IMAGE, "busybox:latest", "image");
	facts_need(&f, FACT_PLUGIN, "x", "plugin");
	lookup_run_sync(sockpath, 2000, &f);
	assert_int_equal(f.f[0].state, FACT_OK);
	assert_int_equal(f.f[1].state, FACT_MISSING);
	facts_clear(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_escapes_segment),
		cmocka_unit_test(test_get_sync),
		cmocka_unit_test(test_get_failures),
		cmocka_unit_test(test_version_parse),
		cmocka_unit_test(test_cves_ranges),
		cmocka_unit_test(test_version_fake_daemon),
		cmocka_unit_test(test_async_many),
		cmocka_unit_test(test_async_stop_ends_running_lookups),
		cmocka_unit_test(test_async_unreachable),
		cmocka_unit_test(test_facts_need_dedups_and_bounds),
		cmocka_unit_test(test_lookup_fills_facts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
