/* test_dockerc.c - the dockerd client (dockerc, facts, lookup) against a small HTTP server
 * on a unix socket that answers like dockerd does (200 JSON, 404, slow, oversized and
 * chunked answers), and against a raw server that writes answers by hand as a broken or
 * hostile peer may (framing, malformed heads, cut answers, silence). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <microhttpd.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* The raw server: each path names an answer written by hand, sent as its mode says. */
enum raw_mode {
	RAW_CLOSE,   /* the answer, then close */
	RAW_HOLD,    /* the answer, then keep the connection until the client closes */
	RAW_SILENT,  /* nothing at all until the client closes */
	RAW_DRIBBLE, /* the answer a byte at a time, then close */
	RAW_BIG,     /* a head, CG_DOCKERC_BODY_MAX + 1 bytes of body, close */
	RAW_EXACT    /* a head, CG_DOCKERC_BODY_MAX bytes of body, close */
};

struct raw_answer {
	const char *path;
	enum raw_mode mode;
	const char *head; /* status line and headers, without the blank line */
	bool cl;          /* add Content-Length: strlen(body) */
	const char *body;
};

#define OKJSON "{\"Id\":\"abc123\"}"
#define CHUNKED_BODY "7;ext=1\r\n{\"Id\":\"\r\nA\r\nabc1234567\r\n3\r\n\"}\n\r\n0\r\nX-T: y\r\n\r\n"

static const struct raw_answer raw_answers[] = {
	/* Bytes past the Content-Length are not the answer, and the client stops there. */
	{"/cl", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Type: application/json", true,
	    OKJSON},
	{"/eof", RAW_CLOSE, "HTTP/1.0 200 OK\r\nServer: x", false, "{\"Version\":\"29.5.1\"}\n"},
	{"/404", RAW_CLOSE, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json", true,
	    "{\"message\":\"No such container: web\"}\n"},
	{"/204", RAW_HOLD, "HTTP/1.1 204 No Content", false, ""},
	{"/big-cl", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length: 4194305", false, ""},
	{"/big-eof", RAW_BIG, "HTTP/1.0 200 OK", false, ""},
	{"/exact", RAW_EXACT, "HTTP/1.0 200 OK", false, ""},
	{"/silent", RAW_SILENT, "", false, ""},
	{"/none", RAW_CLOSE, "", false, NULL},
	{"/short", RAW_CLOSE, "HTTP/1.1 200 OK\r\nContent-Length: 100", false, "{\"a\":1}"},
	{"/in-head", RAW_CLOSE, "HTTP/1.1 200 OK\r\nContent-Len", false, NULL},
	{"/lf-only", RAW_CLOSE, "HTTP/1.1 200 OK\n", false, NULL},
	{"/bad/0", RAW_HOLD, "HTTP/1.1 2000 OK", true, "{}"},
	{"/bad/1", RAW_HOLD, "HTTP/2 200 OK", true, "{}"},
	{"/bad/2", RAW_HOLD, "ICY 200 OK", true, "{}"},
	{"/bad/3", RAW_HOLD, "HTTP/1.1 200OK", true, "{}"},
	{"/bad/4", RAW_HOLD, "HTTP/1.1 099 Old", true, "{}"},
	{"/bad/5", RAW_HOLD, "http/1.1 200 OK", true, "{}"},
	{"/bad/6", RAW_HOLD, "HTTP/1.1 20a OK", true, "{}"},
	{"/bad/7", RAW_HOLD, "HTTP/1.1 100 Continue", true, "{}"},
	{"/bad/8", RAW_HOLD, "HTTP/1.2 200 OK", true, "{}"},
	{"/bad/9", RAW_HOLD, "HTTP/1.1 200 O\001K", true, "{}"},
	{"/hdr/0", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length : 2", false, "{}"},
	{"/hdr/1", RAW_HOLD, "HTTP/1.1 200 OK\r\nX-A: b\r\n folded", true, "{}"},
	{"/hdr/2", RAW_HOLD, "HTTP/1.1 200 OK\r\nNoColon", true, "{}"},
	{"/hdr/3", RAW_HOLD, "HTTP/1.1 200 OK\r\nX-A: a\001b", true, "{}"},
	{"/hdr/4", RAW_HOLD, "HTTP/1.1 200 OK\r\nX-A: a\nb", true, "{}"},
	{"/hdr/5", RAW_HOLD, "HTTP/1.1 200 OK\r\n: empty", true, "{}"},
	{"/hdr/6", RAW_HOLD, "HTTP/1.1 200 OK\r\nX-A: a\rb", true, "{}"},
	{"/dup/0", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2", false,
	    "{}"},
	{"/dup/1", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nCONTENT-LENGTH: 3", false,
	    "{}x"},
	{"/len/0", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length: +2", false, "{}"},
	{"/len/1", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length: -1", false, "{}"},
	{"/len/2", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length: 2, 2", false, "{}"},
	{"/len/3", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length: 0x2", false, "{}"},
	{"/len/4", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length:", false, "{}"},
	{"/len/5", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808", false,
	    "{}"},
	{"/len/6", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length: 123456789012345678901234", false,
	    "{}"},
	{"/len/7", RAW_HOLD, "HTTP/1.1 200 OK\r\nContent-Length: 2 2", false, "{}"},
	/* Optional white space around the value is not part of it. */
	{"/len-ows", RAW_HOLD, "HTTP/1.1 200 OK\r\nCONTENT-length: \t2 ", false, "{}"},
	{"/chunked", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked", false,
	    CHUNKED_BODY},
	{"/chunked-dribble", RAW_DRIBBLE, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", false,
	    CHUNKED_BODY},
	{"/chunk/0", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", false,
	    "zz\r\n{}\r\n0\r\n\r\n"},
	{"/chunk/1", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", false,
	    "2\r\n{}X\r\n0\r\n\r\n"},
	{"/chunk/2", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", false,
	    "2\n{}\r\n0\r\n\r\n"},
	{"/chunk/3", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", false,
	    ";x\r\n{}\r\n0\r\n\r\n"},
	{"/chunk/4", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", false,
	    "2\r\n{}\r\n0\r\nX: \001\r\n\r\n"},
	{"/chunk/5", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", false,
	    "2\r\n{}\r\n0\r\n\rX"},
	{"/chunk-trunc", RAW_CLOSE, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", false,
	    "A\r\nabc"},
	{"/chunk-huge", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", false,
	    "FFFFFFFFFFFFFFFFFFFFFFFFFFFF\r\n"},
	{"/chunk-over", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", false,
	    "400001\r\n"},
	{"/te/0", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip", false, "{}"},
	{"/te/1", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked", false, "{}"},
	{"/te/2", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked", false, "2\r\n{}\r\n0\r\n\r\n"},
	{"/te-cl", RAW_HOLD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2",
	    false, "2\r\n{}\r\n0\r\n\r\n"},
	{"/te-10", RAW_HOLD, "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked", false,
	    "2\r\n{}\r\n0\r\n\r\n"},
	{"/big-head", RAW_HOLD, NULL, true, "{}"},  /* a header of 17000 bytes */
	{"/near-head", RAW_HOLD, NULL, true, "{}"}, /* a head of CG_DOCKERC_HEAD_MAX bytes */
	{"/over-head", RAW_HOLD, NULL, true, "{}"}, /* one byte more */
};

static char rawsock[108];
static int rawfd = -1;
static pthread_t raw_acceptor;
static atomic_int raw_live; /* connection threads still running */
static pthread_mutex_t raw_lock = PTHREAD_MUTEX_INITIALIZER;
static char raw_lastreq[2048]; /* the last request read (under raw_lock) */

/* The whole answer for a, or NULL for RAW_SILENT / "/none" (nothing sent). Allocates. */
static char *
raw_build(const struct raw_answer *a, const char *path, size_t *len)
{
	size_t cap = CG_DOCKERC_HEAD_MAX * 2 + 256, n = 0;
	char *out = malloc(cap);

	(void)path;
	assert_non_null(out);
	if (a->head == NULL) {
		/* A head of 17000 bytes, or of exactly CG_DOCKERC_HEAD_MAX with the blank line
		 * (one byte more for /over-head). */
		size_t want = CG_DOCKERC_HEAD_MAX -
		    strlen("HTTP/1.1 200 OK\r\nX-Pad: \r\nContent-Length: 2\r\n\r\n");

		if (strcmp(a->path, "/big-head") == 0)
			want = 17000;
		else if (strcmp(a->path, "/over-head") == 0)
			want++;

		n = (size_t)snprintf(out, cap, "HTTP/1.1 200 OK\r\nX-Pad: ");
		memset(out + n, 'p', want);
		n += want;
		n += (size_t)snprintf(out + n, cap - n, "\r\n");
	} else
		n = (size_t)snprintf(out, cap, "%s\r\n", a->head);
	if (a->cl)
		n += (size_t)snprintf(out + n, cap - n, "Content-Length: %zu\r\n", strlen(a->body));
	if (a->body != NULL || a->cl)
		n += (size_t)snprintf(out + n, cap - n, "\r\n%s", a->body);
	if (strcmp(a->path, "/cl") == 0)
		n += (size_t)snprintf(out + n, cap - n, "GARBAGE");
	*len = n;
	return out;
}

static void
raw_send(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return; /* the client gave up: fine */
		p += w;
		n -= (size_t)w;
	}
}

/* The answers /cut/K/NAME send: the first K bytes of NAME's answer. */
static const char raw_cut_cl[] = "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n" OKJSON;
static const char raw_cut_chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    CHUNKED_BODY;

static void *
raw_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char req[2048], path[1024] = "", *answer = NULL, drain[256];
	const struct raw_answer *a = NULL;
	size_t got = 0, len = 0, i;

	/* The request, up to its blank line. */
	while (got < sizeof req - 1) {
		ssize_t n = recv(fd, req + got, sizeof req - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[got] = '\0';
	pthread_mutex_lock(&raw_lock);
	memcpy(raw_lastreq, req, got + 1);
	pthread_mutex_unlock(&raw_lock);
	if (strncmp(req, "GET ", 4) == 0) {
		char *sp = strchr(req + 4, ' ');

		if (sp != NULL && (size_t)(sp - req - 4) < sizeof path) {
			memcpy(path, req + 4, (size_t)(sp - req - 4));
			path[sp - req - 4] = '\0';
		}
	}
	for (i = 0; i < sizeof raw_answers / sizeof raw_answers[0]; i++)
		if (strcmp(raw_answers[i].path, path) == 0)
			a = &raw_answers[i];
	if (strncmp(path, "/cut/", 5) == 0) {
		/* /cut/K/cl or /cut/K/chunked */
		char *slash = strchr(path + 5, '/');
		const char *full = slash != NULL && strcmp(slash, "/cl") == 0 ? raw_cut_cl :
		    raw_cut_chunked;
		size_t k = strtoul(path + 5, NULL, 10);

		raw_send(fd, full, k < strlen(full) ? k : strlen(full));
	} else if (a != NULL && (a->head == NULL || a->head[0] != '\0')) {
		answer = raw_build(a, path, &len);
		if (a->mode == RAW_DRIBBLE) {
			struct timespec ts = {0, 200 * 1000};

			for (i = 0; i < len; i++) {
				raw_send(fd, answer + i, 1);
				nanosleep(&ts, NULL);
			}
		} else
			raw_send(fd, answer, len);
		if (a->mode == RAW_BIG || a->mode == RAW_EXACT) {
			static char x[65536];
			size_t left = CG_DOCKERC_BODY_MAX + (a->mode == RAW_BIG);

			memset(x, 'x', sizeof x);
			while (left > 0) {
				size_t n = left < sizeof x ? left : sizeof x;

				raw_send(fd, x, n);
				left -= n;
			}
		}
	}
	free(answer);
	if (a != NULL && (a->mode == RAW_HOLD || a->mode == RAW_SILENT))
		while (recv(fd, drain, sizeof drain, 0) > 0)
			; /* until the client closes */
	close(fd);
	atomic_fetch_sub(&raw_live, 1);
	return NULL;
}

static void *
raw_accept(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(rawfd, NULL, NULL);
		pthread_t t;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL; /* shut down by raw_stop */
		}
		atomic_fetch_add(&raw_live, 1);
		if (pthread_create(&t, NULL, raw_conn, (void *)(intptr_t)fd) != 0) {
			close(fd);
			atomic_fetch_sub(&raw_live, 1);
			continue;
		}
		pthread_detach(t);
	}
}

static int
raw_start(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	snprintf(rawsock, sizeof rawsock, "%s/raw.sock", tmpdir);
	memcpy(sa.sun_path, rawsock, strlen(rawsock) + 1);
	if ((rawfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(rawfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(rawfd, 16) != 0)
		return -1;
	return pthread_create(&raw_acceptor, NULL, raw_accept, NULL) == 0 ? 0 : -1;
}

static void
raw_stop(void)
{
	int i;

	shutdown(rawfd, SHUT_RDWR); /* accept() returns */
	pthread_join(raw_acceptor, NULL);
	close(rawfd);
	/* Connection threads end when their clients have closed; wait for them. */
	for (i = 0; i < 500 && atomic_load(&raw_live) > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	unlink(rawsock);
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
	return srv == NULL ? -1 : raw_start();
}

static int
teardown(void **state)
{
	(void)state;
	MHD_stop_daemon(srv);
	raw_stop();
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

static uint64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A GET on the raw server that must fail: no status, no body, err naming want. */
static void
expect_fail(const char *path, const char *want)
{
	struct dockerc_reply r;
	int rc = dockerc_get(rawsock, 3000, path, &r);

	if (rc != -1 || r.status != 0 || r.body != NULL || strstr(r.err, want) == NULL)
		fail_msg("%s: rc %d, status %ld, err \"%s\", wanted \"%s\"", path, rc, r.status,
		    r.err, want);
	dockerc_reply_clear(&r);
}

/* A GET on the raw server that must answer 200 with body, within a second (the server
 * holds most connections open: only the framing can end them). */
static void
expect_ok(const char *path, const char *body)
{
	struct dockerc_reply r;
	uint64_t t0 = ms_now();
	int rc = dockerc_get(rawsock, 3000, path, &r);

	if (rc != 0 || r.status != 200 || r.body == NULL || strcmp(r.body, body) != 0 ||
	    r.len != strlen(body) || r.err[0] != '\0')
		fail_msg("%s: rc %d, status %ld, body \"%.80s\", err \"%s\"", path, rc, r.status,
		    r.body ? r.body : "(null)", r.err);
	assert_true(ms_now() - t0 < 1000);
	dockerc_reply_clear(&r);
}

static void
test_raw_answers(void **state)
{
	struct dockerc_reply r;

	(void)state;
	expect_ok("/cl", OKJSON);
	pthread_mutex_lock(&raw_lock);
	assert_string_equal(raw_lastreq,
	    "GET /cl HTTP/1.0\r\nHost: docker\r\nUser-Agent: cisgate\r\n\r\n");
	pthread_mutex_unlock(&raw_lock);
	expect_ok("/eof", "{\"Version\":\"29.5.1\"}\n");
	expect_ok("/len-ows", "{}");
	expect_ok("/chunked", "{\"Id\":\"abc1234567\"}\n");
	expect_ok("/chunked-dribble", "{\"Id\":\"abc1234567\"}\n");
	expect_ok("/near-head", "{}");

	/* Not found: the status and dockerd's own words, and err for the deny. */
	assert_int_equal(dockerc_get(rawsock, 3000, "/404", &r), -1);
	assert_int_equal(r.status, 404);
	assert_string_equal(r.err, "dockerd answered 404");
	assert_non_null(strstr(r.body, "No such container: web"));
	dockerc_reply_clear(&r);
	/* No body by definition: an empty one, even though the connection stays open. */
	assert_int_equal(dockerc_get(rawsock, 3000, "/204", &r), -1);
	assert_int_equal(r.status, 204);
	assert_non_null(r.body);
	assert_int_equal(r.len, 0);
	dockerc_reply_clear(&r);
	/* Exactly the largest answer kept. */
	assert_int_equal(dockerc_get(rawsock, 5000, "/exact", &r), 0);
	assert_int_equal(r.len, CG_DOCKERC_BODY_MAX);
	assert_int_equal(r.body[CG_DOCKERC_BODY_MAX - 1], 'x');
	assert_int_equal(r.body[CG_DOCKERC_BODY_MAX], '\0');
	dockerc_reply_clear(&r);
}

static void
test_raw_refused(void **state)
{
	static const char *const bad[] = {"/bad/0", "/bad/1", "/bad/2", "/bad/3", "/bad/4",
	    "/bad/5", "/bad/6", "/bad/7", "/bad/8", "/bad/9"};
	static const char *const hdr[] = {"/hdr/0", "/hdr/1", "/hdr/2", "/hdr/3", "/hdr/4",
	    "/hdr/5", "/hdr/6"};
	static const char *const len[] = {"/len/0", "/len/1", "/len/2", "/len/3", "/len/4",
	    "/len/5", "/len/6", "/len/7"};
	static const char *const chunk[] = {"/chunk/0", "/chunk/1", "/chunk/2", "/chunk/3",
	    "/chunk/4", "/chunk/5"};
	size_t i;
	uint64_t t0;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_fail(bad[i], "the answer is not HTTP");
	for (i = 0; i < sizeof hdr / sizeof hdr[0]; i++)
		expect_fail(hdr[i], "malformed header in the answer");
	for (i = 0; i < sizeof len / sizeof len[0]; i++)
		expect_fail(len[i], "invalid Content-Length in the answer");
	for (i = 0; i < sizeof chunk / sizeof chunk[0]; i++)
		expect_fail(chunk[i], "malformed chunked encoding in the answer");
	expect_fail("/dup/0", "more than one Content-Length");
	expect_fail("/dup/1", "more than one Content-Length");
	expect_fail("/te/0", "unsupported Transfer-Encoding");
	expect_fail("/te/1", "unsupported Transfer-Encoding");
	expect_fail("/te/2", "unsupported Transfer-Encoding");
	expect_fail("/te-cl", "ambiguous framing");
	expect_fail("/te-10", "ambiguous framing");
	expect_fail("/big-head", "headers are larger than 16384 bytes");
	expect_fail("/over-head", "headers are larger than 16384 bytes");
	expect_fail("/none", "dockerd closed the connection without answering");
	expect_fail("/in-head", "the answer ended inside its headers");
	expect_fail("/lf-only", "the answer ended inside its headers");
	expect_fail("/short", "the answer ended after 7 of 100 bytes");
	expect_fail("/chunk-trunc", "the chunked answer ended early");
	expect_fail("/big-eof", "dockerd's answer is larger than 4194304 bytes");
	expect_fail("/chunk-huge", "dockerd's answer is larger than 4194304 bytes");
	expect_fail("/chunk-over", "dockerd's answer is larger than 4194304 bytes");
	/* Too large by its Content-Length: refused at once, not after the timeout. */
	t0 = ms_now();
	expect_fail("/big-cl", "dockerd's answer is larger than 4194304 bytes");
	assert_true(ms_now() - t0 < 1000);
}

/* A server that never answers: the lookup ends at its timeout, not before. */
static void
test_raw_silent_times_out(void **state)
{
	struct dockerc_reply r;
	uint64_t t0 = ms_now(), took;

	(void)state;
	assert_int_equal(dockerc_get(rawsock, 300, "/silent", &r), -1);
	took = ms_now() - t0;
	assert_int_equal(r.status, 0);
	assert_null(r.body);
	assert_string_equal(r.err, "dockerd did not answer within 300 ms");
	assert_true(took >= 300 && took < 2000);
	dockerc_reply_clear(&r);
}

/* Every proper prefix of an answer framed by length or chunks is an error, never a 200
 * with part of the body; the whole answer is a 200. */
static void
test_raw_every_cut_fails(void **state)
{
	static const struct {
		const char *name, *full, *body;
	} k[] = {{"cl", raw_cut_cl, OKJSON}, {"chunked", raw_cut_chunked,
	    "{\"Id\":\"abc1234567\"}\n"}};
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof k / sizeof k[0]; i++) {
		for (n = 0; n <= strlen(k[i].full); n++) {
			struct dockerc_reply r;
			char path[64];
			int rc;

			snprintf(path, sizeof path, "/cut/%zu/%s", n, k[i].name);
			rc = dockerc_get(rawsock, 3000, path, &r);
			if (n < strlen(k[i].full) && (rc != -1 || r.status != 0 || r.body != NULL))
				fail_msg("%s: rc %d status %ld", path, rc, r.status);
			if (n == strlen(k[i].full) && (rc != 0 || strcmp(r.body, k[i].body) != 0))
				fail_msg("%s: rc %d err %s", path, rc, r.err);
			dockerc_reply_clear(&r);
		}
	}
}

/* Paths that would let a caller write its own request, and sockets nobody listens on. */
static void
test_raw_bad_paths_and_sockets(void **state)
{
	static const char *const paths[] = {"/a b", "/a\r\nX-Evil: 1", "/a\nb", "relative", "",
	    "/a\tb", "/\x7f", "/\xc3\xa9"};
	char longpath[CG_DOCKERC_PATH_MAX + 64], sock[300], file[128];
	struct dockerc_reply r;
	struct dockerc *c;
	char err[128];
	size_t i;
	int fd, calls = 0;

	(void)state;
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		assert_int_equal(dockerc_get(rawsock, 1000, paths[i], &r), -1);
		assert_string_equal(r.err, "cannot start a lookup in dockerd");
		assert_int_equal(r.status, 0);
		dockerc_reply_clear(&r);
	}
	longpath[0] = '/';
	memset(longpath + 1, 'a', sizeof longpath - 2);
	longpath[sizeof longpath - 1] = '\0';
	assert_int_equal(dockerc_get(rawsock, 1000, longpath, &r), -1);
	assert_string_equal(r.err, "cannot start a lookup in dockerd");
	/* The same on the lookup thread: refused, and no callback. */
	assert_non_null(c = dockerc_start(rawsock, 1000, err, sizeof err));
	assert_int_equal(dockerc_submit(c, "/a\r\nX-Evil: 1", NULL, &calls), -1);
	assert_int_equal(dockerc_submit(c, longpath, NULL, &calls), -1);
	dockerc_free(c);

	/* A socket path longer than a sockaddr_un holds. */
	sock[0] = '/';
	memset(sock + 1, 's', sizeof sock - 2);
	sock[sizeof sock - 1] = '\0';
	assert_int_equal(dockerc_get(sock, 1000, "/ok", &r), -1);
	assert_non_null(strstr(r.err, "not reachable"));
	assert_non_null(strstr(r.err, "at most 107 bytes"));
	/* A file that is no socket. */
	snprintf(file, sizeof file, "%s/plain", tmpdir);
	assert_true((fd = open(file, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_int_equal(dockerc_get(file, 1000, "/ok", &r), -1);
	assert_non_null(strstr(r.err, "dockerd is not reachable at "));
	assert_non_null(strstr(r.err, "Connection refused"));
	unlink(file);
}

/* Async lookups: one slot each, so a second callback for the same lookup shows. */
struct slot {
	int calls;
	long status;
	size_t len;
	char err[192];
};

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_cond = PTHREAD_COND_INITIALIZER;
static int slot_done;

static void
on_slot(void *arg, struct dockerc_reply *r)
{
	struct slot *s = arg;

	pthread_mutex_lock(&slot_lock);
	s->calls++;
	s->status = r->status;
	s->len = r->len;
	memcpy(s->err, r->err, sizeof s->err);
	slot_done++;
	pthread_cond_signal(&slot_cond);
	pthread_mutex_unlock(&slot_lock);
	dockerc_reply_free(r);
}

static void
slot_wait(int n, int secs)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += secs;
	pthread_mutex_lock(&slot_lock);
	while (slot_done < n)
		if (pthread_cond_timedwait(&slot_cond, &slot_lock, &until) != 0)
			break;
	pthread_mutex_unlock(&slot_lock);
	assert_int_equal(slot_done, n);
}

/* Many lookups at once, every kind of answer mixed, each callback exactly once. */
static void
test_raw_async_mixed(void **state)
{
	static const char *const paths[] = {"/cl", "/eof", "/404", "/silent", "/chunked-dribble",
	    "/short", "/bad/3", "/chunked"};
	enum { N = 160 };
	static struct slot s[N];
	char err[128];
	struct dockerc *c = dockerc_start(rawsock, 1500, err, sizeof err);
	int i;

	(void)state;
	assert_non_null(c);
	memset(s, 0, sizeof s);
	slot_done = 0;
	for (i = 0; i < N; i++)
		assert_int_equal(dockerc_submit(c, paths[i % 8], on_slot, &s[i]), 0);
	slot_wait(N, 20);
	for (i = 0; i < N; i++) {
		const char *p = paths[i % 8];

		assert_int_equal(s[i].calls, 1);
		if (strcmp(p, "/cl") == 0) {
			assert_int_equal(s[i].status, 200);
			assert_int_equal(s[i].len, strlen(OKJSON));
		} else if (strcmp(p, "/eof") == 0 || strcmp(p, "/chunked") == 0 ||
		    strcmp(p, "/chunked-dribble") == 0) {
			assert_int_equal(s[i].status, 200);
			assert_string_equal(s[i].err, "");
		} else if (strcmp(p, "/404") == 0) {
			assert_int_equal(s[i].status, 404);
		} else if (strcmp(p, "/silent") == 0) {
			assert_int_equal(s[i].status, 0);
			assert_string_equal(s[i].err, "dockerd did not answer within 1500 ms");
		} else if (strcmp(p, "/short") == 0) {
			assert_non_null(strstr(s[i].err, "ended after 7 of 100 bytes"));
		} else {
			assert_int_equal(s[i].status, 0);
			assert_non_null(strstr(s[i].err, "not HTTP"));
		}
	}
	dockerc_free(c);
	for (i = 0; i < N; i++)
		assert_int_equal(s[i].calls, 1);
}

/* A token set on the client goes with every lookup in its own header; a token that is
 * not lowercase hex of the right size is refused and none is sent (no header injection). */
static void
test_raw_token_header(void **state)
{
	static struct slot s[2];
	char err[128];
	struct dockerc *c = dockerc_start(rawsock, 3000, err, sizeof err);

	(void)state;
	assert_non_null(c);
	assert_int_equal(dockerc_set_token(c, "0123456789abcdef0123456789abcdef0"), -1);
	assert_int_equal(dockerc_set_token(c, "abc\r\nX-Evil: 1"), -1);
	assert_int_equal(dockerc_set_token(c, "0123456789ABCDEF"), -1);
	assert_int_equal(dockerc_set_token(c, ""), -1);
	memset(s, 0, sizeof s);
	slot_done = 0;
	assert_int_equal(dockerc_submit(c, "/cl", on_slot, &s[0]), 0);
	slot_wait(1, 5);
	pthread_mutex_lock(&raw_lock);
	assert_string_equal(raw_lastreq,
	    "GET /cl HTTP/1.0\r\nHost: docker\r\nUser-Agent: cisgate\r\n\r\n");
	pthread_mutex_unlock(&raw_lock);
	assert_int_equal(dockerc_set_token(c, "0123456789abcdef0123456789abcdef"), 0);
	assert_int_equal(dockerc_submit(c, "/cl", on_slot, &s[1]), 0);
	slot_wait(2, 5);
	pthread_mutex_lock(&raw_lock);
	assert_string_equal(raw_lastreq, "GET /cl HTTP/1.0\r\nHost: docker\r\nUser-Agent: "
	    "cisgate\r\nX-Cisgate-Lookup: 0123456789abcdef0123456789abcdef\r\n\r\n");
	pthread_mutex_unlock(&raw_lock);
	assert_int_equal(s[1].status, 200);
	dockerc_free(c);
}

/* As many lookups as may wait, all in flight on a server that never answers: one more
 * is refused, and stop ends every one with its callback, once, before it returns. */
static void
test_raw_stop_in_flight(void **state)
{
	static struct slot s[CG_DOCKERC_INFLIGHT_MAX + 1];
	struct timespec ts = {0, 300 * 1000 * 1000};
	char err[128];
	struct dockerc *c = dockerc_start(rawsock, 30000, err, sizeof err);
	int i;

	(void)state;
	assert_non_null(c);
	memset(s, 0, sizeof s);
	slot_done = 0;
	for (i = 0; i < CG_DOCKERC_INFLIGHT_MAX; i++)
		assert_int_equal(dockerc_submit(c, "/silent", on_slot, &s[i]), 0);
	assert_int_equal(dockerc_submit(c, "/silent", on_slot, &s[i]), -1);
	nanosleep(&ts, NULL);
	assert_int_equal(slot_done, 0);
	dockerc_stop(c);
	assert_int_equal(slot_done, CG_DOCKERC_INFLIGHT_MAX);
	for (i = 0; i < CG_DOCKERC_INFLIGHT_MAX; i++) {
		assert_int_equal(s[i].calls, 1);
		assert_int_equal(s[i].status, 0);
		assert_string_equal(s[i].err, "cisgate is stopping");
	}
	assert_int_equal(s[CG_DOCKERC_INFLIGHT_MAX].calls, 0);
	assert_int_equal(dockerc_submit(c, "/cl", on_slot, &s[0]), -1);
	dockerc_free(c);
	assert_int_equal(slot_done, CG_DOCKERC_INFLIGHT_MAX);
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
		cmocka_unit_test(test_raw_answers),
		cmocka_unit_test(test_raw_refused),
		cmocka_unit_test(test_raw_silent_times_out),
		cmocka_unit_test(test_raw_every_cut_fails),
		cmocka_unit_test(test_raw_bad_paths_and_sockets),
		cmocka_unit_test(test_raw_async_mixed),
		cmocka_unit_test(test_raw_token_header),
		cmocka_unit_test(test_raw_stop_in_flight),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
