/* dockerc.c - read-only GETs to dockerd over its unix socket, on one lookup thread.
 * A small HTTP client of cisgate's own: one non-blocking unix-socket connection a lookup,
 * all of them polled by the lookup thread beside an eventfd that wakes it for new lookups
 * and for stop. It asks in HTTP/1.0, so dockerd (Go's net/http) never chunks an answer and
 * closes the connection after it; a Content-Length ends an answer where there is one, and a
 * chunked answer (from whatever proxy sits in between) is decoded. Every byte read may be an
 * impostor's: the head and the body are bounded, numbers parsed with checks, and anything
 * not plainly HTTP ends the lookup with a reason (never a guess). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cisgate/dockerc.h"
#include "cisgate/log.h"
#include "cisgate/str.h"

/* Backlog full (EAGAIN on a unix socket): connect again after this long. */
#define DOCKERC_RETRY_MS 10
/* A chunk-size line (digits and extensions); the trailer counts against the head's limit. */
#define DOCKERC_CHUNK_LINE_MAX 1024
/* Bytes read at once; reads a turn per connection, so one fast answer cannot starve the rest. */
#define DOCKERC_READ_SIZE 16384
#define DOCKERC_READS_A_TURN 16
/* How every failure of the exchange itself begins (tests and deny messages rely on it). */
#define FAILED "lookup in dockerd failed: "

enum lk_state {
	LK_CONNECT,    /* (again): dockerd's backlog was full */
	LK_CONNECTING, /* waiting to be writable */
	LK_SEND,
	LK_HEAD, /* status line and headers, up to the blank line */
	LK_BODY,
	LK_DONE
};

enum lk_framing { FR_EOF, FR_LENGTH, FR_CHUNKED };

enum ch_state {
	CH_SIZE, /* hex digits */
	CH_EXT,  /* ";name=value" up to the CR */
	CH_SIZE_LF,
	CH_DATA,
	CH_DATA_CR,
	CH_DATA_LF,
	CH_TRAILER, /* at the start of a trailer line (or the final CRLF) */
	CH_TRAILER_LINE,
	CH_TRAILER_LF,
	CH_END_LF
};

/* One lookup: queued by a worker, run by the lookup thread (or by dockerc_get). */
struct lookup {
	char req[CG_DOCKERC_PATH_MAX + 96];
	size_t reqlen, sent;
	dockerc_done_fn fn;
	void *arg;
	struct dockerc_reply *r;
	int fd;
	enum lk_state st;
	uint64_t deadline; /* CLOCK_MONOTONIC, ms */
	char *head;        /* the head as read (malloc'd, freed once parsed) */
	size_t hlen, hcap;
	enum lk_framing fr;
	uint64_t want; /* FR_LENGTH: the body's length; FR_CHUNKED: the chunk's rest */
	enum ch_state ch;
	size_t chline; /* bytes of the chunk-size line, or of all trailer lines */
	size_t cap;    /* of r->body */
	bool active;
	struct lookup *next;            /* in the queue */
	struct lookup *prev_a, *next_a; /* in the active list */
};

struct dockerc {
	char socket[CG_DOCKERC_PATH_MAX];
	unsigned timeout_ms;
	int wake; /* eventfd: a lookup was queued, or stop */
	pthread_t t;
	bool running;
	pthread_mutex_t lock;
	struct lookup *queue, *queue_tail; /* submitted, not started */
	struct lookup *active;             /* started (the lookup thread's own list) */
	unsigned waiting;                  /* queued + running */
	bool stopping;
	char token[CG_LOOKUP_TOKEN_LEN + 1]; /* "" : no CG_LOOKUP_HEADER */
};

static uint64_t
dockerc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void dockerc_fail(struct lookup *l, const char *fmt, ...) CG_PRINTF(2, 3);

/* Ends l without an answer: err says why (the first reason stays), no status, no body. */
static void
dockerc_fail(struct lookup *l, const char *fmt, ...)
{
	struct dockerc_reply *r = l->r;
	va_list ap;

	if (l->st != LK_DONE) {
		va_start(ap, fmt);
		vsnprintf(r->err, sizeof r->err, fmt, ap);
		va_end(ap);
	}
	r->status = 0;
	free(r->body);
	r->body = NULL;
	r->len = 0;
	l->cap = 0;
	l->st = LK_DONE;
}

static void
dockerc_too_big(struct lookup *l)
{
	dockerc_fail(l, "dockerd's answer is larger than %zu bytes", (size_t)CG_DOCKERC_BODY_MAX);
}

/* The answer is complete: the body always NUL-terminated, err set unless it is a 200. */
static void
dockerc_done(struct lookup *l)
{
	struct dockerc_reply *r = l->r;

	if (r->body == NULL && (r->body = calloc(1, 1)) == NULL) {
		dockerc_fail(l, "cisgate is out of memory");
		return;
	}
	if (r->status != 200)
		snprintf(r->err, sizeof r->err, "dockerd answered %ld", r->status);
	l->st = LK_DONE;
}

/* Keeps n more bytes of the body: at most CG_DOCKERC_BODY_MAX in all, more fails l. */
static void
dockerc_body_add(struct lookup *l, const char *p, size_t n)
{
	struct dockerc_reply *r = l->r;

	if (n > CG_DOCKERC_BODY_MAX - r->len) {
		dockerc_too_big(l);
		return;
	}
	if (r->len + n + 1 > l->cap) {
		size_t ncap = l->cap ? l->cap : 4096;
		char *nb;

		while (ncap < r->len + n + 1)
			ncap *= 2;
		if (ncap > CG_DOCKERC_BODY_MAX + 1)
			ncap = CG_DOCKERC_BODY_MAX + 1;
		if ((nb = realloc(r->body, ncap)) == NULL) {
			dockerc_fail(l, "cisgate is out of memory");
			return;
		}
		r->body = nb;
		l->cap = ncap;
	}
	memcpy(r->body + r->len, p, n);
	r->len += n;
	r->body[r->len] = '\0';
}

/* A control byte that may not appear in a header line, chunk extension or trailer. */
static bool
dockerc_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static void
dockerc_bad_chunk(struct lookup *l)
{
	dockerc_fail(l, FAILED "malformed chunked encoding in the answer");
}

/* Decodes chunked transfer coding (RFC 9112 7.1) as it arrives, in any split. */
static void
dockerc_chunked(struct lookup *l, const char *p, size_t n)
{
	while (n > 0 && l->st == LK_BODY) {
		unsigned char c = (unsigned char)*p;
		int d;

		if (l->ch == CH_DATA) {
			size_t take = n < l->want ? n : (size_t)l->want;

			dockerc_body_add(l, p, take);
			p += take;
			n -= take;
			if ((l->want -= take) == 0)
				l->ch = CH_DATA_CR;
			continue;
		}
		switch (l->ch) {
		case CH_SIZE:
			if (++l->chline > DOCKERC_CHUNK_LINE_MAX) {
				dockerc_bad_chunk(l);
				break;
			}
			if ((d = str_hexval(c)) >= 0) {
				/* want <= BODY_MAX here, so want * 16 cannot overflow. */
				l->want = l->want * 16 + (uint64_t)d;
				if (l->want > CG_DOCKERC_BODY_MAX - l->r->len)
					dockerc_too_big(l);
			} else if (l->chline == 1)
				dockerc_bad_chunk(l); /* no digit at all */
			else if (c == ';' || c == ' ' || c == '\t')
				l->ch = CH_EXT;
			else if (c == '\r')
				l->ch = CH_SIZE_LF;
			else
				dockerc_bad_chunk(l);
			break;
		case CH_EXT:
			if (++l->chline > DOCKERC_CHUNK_LINE_MAX)
				dockerc_bad_chunk(l);
			else if (c == '\r')
				l->ch = CH_SIZE_LF;
			else if (dockerc_ctl(c))
				dockerc_bad_chunk(l);
			break;
		case CH_SIZE_LF:
			if (c != '\n') {
				dockerc_bad_chunk(l);
				break;
			}
			l->chline = 0;
			l->ch = l->want == 0 ? CH_TRAILER : CH_DATA;
			break;
		case CH_DATA_CR:
			if (c == '\r')
				l->ch = CH_DATA_LF;
			else
				dockerc_bad_chunk(l);
			break;
		case CH_DATA_LF:
			if (c == '\n')
				l->ch = CH_SIZE;
			else
				dockerc_bad_chunk(l);
			break;
		case CH_TRAILER:
			if (c == '\r')
				l->ch = CH_END_LF;
			else if (dockerc_ctl(c))
				dockerc_bad_chunk(l);
			else
				l->ch = CH_TRAILER_LINE;
			break;
		case CH_TRAILER_LINE:
			if (++l->chline > CG_DOCKERC_HEAD_MAX)
				dockerc_fail(l, FAILED "the answer's trailer is larger than %d "
				    "bytes", CG_DOCKERC_HEAD_MAX);
			else if (c == '\r')
				l->ch = CH_TRAILER_LF;
			else if (dockerc_ctl(c))
				dockerc_bad_chunk(l);
			break;
		case CH_TRAILER_LF:
			if (c == '\n')
				l->ch = CH_TRAILER;
			else
				dockerc_bad_chunk(l);
			break;
		case CH_END_LF:
			if (c == '\n')
				dockerc_done(l);
			else
				dockerc_bad_chunk(l);
			break;
		case CH_DATA:
			break;
		}
		p++;
		n--;
	}
}

static void
dockerc_body(struct lookup *l, const char *p, size_t n)
{
	size_t take;

	switch (l->fr) {
	case FR_EOF:
		dockerc_body_add(l, p, n);
		break;
	case FR_LENGTH:
		/* Bytes past the length are not the answer's: ignored. */
		take = n < l->want - l->r->len ? n : (size_t)(l->want - l->r->len);
		dockerc_body_add(l, p, take);
		if (l->st == LK_BODY && l->r->len == l->want)
			dockerc_done(l);
		break;
	case FR_CHUNKED:
		dockerc_chunked(l, p, n);
		break;
	}
}

/* The end of the line at p: its CR (a CRLF follows), or NULL at a lone CR or LF or any
 * other control byte but HTAB. The head always ends in CRLF CRLF, so a line ends by lim. */
static const char *
dockerc_eol(const char *p, const char *lim)
{
	for (; p < lim; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\r')
			return p + 1 < lim && p[1] == '\n' ? p : NULL;
		if (dockerc_ctl(c))
			return NULL;
	}
	return NULL;
}

static bool
dockerc_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A Content-Length value: digits only (no sign, no list), checked, and within the body
 * limit. Returns 0, or -1 when l failed. */
static int
dockerc_length(struct lookup *l, const char *v, size_t n, uint64_t *out)
{
	char num[24];
	const char *errstr;
	int64_t x;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			break;
	if (n == 0 || i < n || n >= sizeof num) {
		dockerc_fail(l, FAILED "invalid Content-Length in the answer");
		return -1;
	}
	memcpy(num, v, n);
	num[n] = '\0';
	if (str_to_i64(num, 0, INT64_MAX, &x, &errstr) != 0) {
		dockerc_fail(l, FAILED "invalid Content-Length in the answer");
		return -1;
	}
	if ((uint64_t)x > CG_DOCKERC_BODY_MAX) {
		dockerc_too_big(l);
		return -1;
	}
	*out = (uint64_t)x;
	return 0;
}

/* Reads the status line and headers in l->head (hlen bytes, ending in CRLF CRLF) and
 * decides how the body ends. */
static void
dockerc_head(struct lookup *l)
{
	const char *p = l->head, *lim = l->head + l->hlen, *end = lim - 2, *eol;
	bool have_cl = false, chunked = false, have_te = false;
	uint64_t cl = 0;
	long status;

	/* HTTP/1.x NNN [reason] */
	if ((eol = dockerc_eol(p, lim)) == NULL || eol - p < 12 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    (p[7] != '0' && p[7] != '1') || p[8] != ' ' || p[9] < '2' || p[9] > '5' ||
	    p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9' ||
	    (eol - p > 12 && p[12] != ' ')) {
		dockerc_fail(l, FAILED "the answer is not HTTP (is daemon.socket dockerd's "
		    "socket?)");
		return;
	}
	status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	for (p = eol + 2; p < end; p = eol + 2) {
		const char *colon, *v, *ve;

		/* name ":" OWS value OWS; no folded lines, no space before the colon */
		for (colon = p; colon < end && dockerc_tchar((unsigned char)*colon); colon++)
			;
		if ((eol = dockerc_eol(p, lim)) == NULL || colon == p || colon >= eol ||
		    *colon != ':') {
			dockerc_fail(l, FAILED "malformed header in the answer");
			return;
		}
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		if (str_ieq_n(p, (size_t)(colon - p), "content-length")) {
			/* Two lengths, even equal ones, are how answers are smuggled: refused. */
			if (have_cl) {
				dockerc_fail(l, FAILED "more than one Content-Length in the "
				    "answer");
				return;
			}
			if (dockerc_length(l, v, (size_t)(ve - v), &cl) != 0)
				return;
			have_cl = true;
		} else if (str_ieq_n(p, (size_t)(colon - p), "transfer-encoding")) {
			if (have_te || ve - v != 7 || !str_ieq_n(v, 7, "chunked")) {
				dockerc_fail(l, FAILED "unsupported Transfer-Encoding in the "
				    "answer");
				return;
			}
			have_te = chunked = true;
		}
	}
	/* Both, or chunked in HTTP/1.0: the framing is ambiguous (RFC 9112 6.1). */
	if (chunked && (have_cl || l->head[7] == '0')) {
		dockerc_fail(l, FAILED "ambiguous framing (Transfer-Encoding with "
		    "Content-Length or in HTTP/1.0) in the answer");
		return;
	}
	free(l->head);
	l->head = NULL;
	l->r->status = status;
	l->st = LK_BODY;
	if (status == 204 || status == 304) {
		dockerc_done(l); /* never a body */
	} else if (chunked) {
		l->fr = FR_CHUNKED;
		l->ch = CH_SIZE;
		l->want = 0;
	} else if (have_cl) {
		l->fr = FR_LENGTH;
		l->want = cl;
		if (cl == 0)
			dockerc_done(l);
		else if ((l->r->body = malloc((size_t)cl + 1)) == NULL)
			dockerc_fail(l, "cisgate is out of memory");
		else
			l->cap = (size_t)cl + 1;
	} else
		l->fr = FR_EOF;
}

/* Bytes as they arrive: the head up to its blank line, the rest to the body. */
static void
dockerc_feed(struct lookup *l, const char *p, size_t n)
{
	while (n > 0 && l->st == LK_HEAD) {
		if (l->hlen == CG_DOCKERC_HEAD_MAX) {
			dockerc_fail(l, FAILED "the answer's headers are larger than %d bytes",
			    CG_DOCKERC_HEAD_MAX);
			return;
		}
		if (l->hlen == l->hcap) {
			size_t ncap = l->hcap ? l->hcap * 2 : 1024;
			char *nh;

			if (ncap > CG_DOCKERC_HEAD_MAX)
				ncap = CG_DOCKERC_HEAD_MAX;
			if ((nh = realloc(l->head, ncap)) == NULL) {
				dockerc_fail(l, "cisgate is out of memory");
				return;
			}
			l->head = nh;
			l->hcap = ncap;
		}
		l->head[l->hlen++] = *p++;
		n--;
		if (l->hlen >= 4 && memcmp(l->head + l->hlen - 4, "\r\n\r\n", 4) == 0)
			dockerc_head(l);
	}
	if (n > 0 && l->st == LK_BODY)
		dockerc_body(l, p, n);
}

/* dockerd closed the connection: the end of the answer only if nothing says otherwise. */
static void
dockerc_eof(struct lookup *l)
{
	if (l->st == LK_HEAD)
		dockerc_fail(l, l->hlen == 0 ?
		    FAILED "dockerd closed the connection without answering" :
		    FAILED "the answer ended inside its headers");
	else if (l->fr == FR_EOF)
		dockerc_done(l);
	else if (l->fr == FR_LENGTH)
		dockerc_fail(l, FAILED "the answer ended after %zu of %llu bytes",
		    l->r->len, (unsigned long long)l->want);
	else
		dockerc_fail(l, FAILED "the chunked answer ended early");
}

static void
dockerc_recv(struct lookup *l)
{
	char buf[DOCKERC_READ_SIZE];
	int i;

	for (i = 0; i < DOCKERC_READS_A_TURN && (l->st == LK_HEAD || l->st == LK_BODY); i++) {
		ssize_t n = recv(l->fd, buf, sizeof buf, 0);

		if (n > 0)
			dockerc_feed(l, buf, (size_t)n);
		else if (n == 0)
			dockerc_eof(l);
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		else if (errno != EINTR)
			dockerc_fail(l, FAILED "%s", strerror(errno));
	}
}

static void
dockerc_send(struct lookup *l)
{
	while (l->sent < l->reqlen) {
		ssize_t n = send(l->fd, l->req + l->sent, l->reqlen - l->sent, MSG_NOSIGNAL);

		if (n >= 0)
			l->sent += (size_t)n;
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		else if (errno != EINTR) {
			dockerc_fail(l, FAILED "%s", strerror(errno));
			return;
		}
	}
	l->st = LK_HEAD;
}

static void
dockerc_connect(struct lookup *l, const char *sockpath)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (str_copy(sa.sun_path, sockpath, sizeof sa.sun_path) >= sizeof sa.sun_path) {
		dockerc_fail(l, "dockerd is not reachable at %.100s (a socket path has at most "
		    "%zu bytes)", sockpath, sizeof sa.sun_path - 1);
		return;
	}
	/* EISCONN: an earlier attempt that said EINTR got through after all. */
	if (connect(l->fd, (struct sockaddr *)&sa, sizeof sa) == 0 || errno == EISCONN) {
		l->st = LK_SEND;
		dockerc_send(l);
	} else if (errno == EAGAIN || errno == EINTR)
		l->st = LK_CONNECT; /* dockerd's backlog is full: again in a moment */
	else if (errno == EINPROGRESS)
		l->st = LK_CONNECTING;
	else
		dockerc_fail(l, "dockerd is not reachable at %.100s (%s)", sockpath,
		    strerror(errno));
}

static void
dockerc_connected(struct lookup *l, const char *sockpath)
{
	int e = 0;
	socklen_t elen = sizeof e;

	if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
		e = errno;
	if (e != 0) {
		dockerc_fail(l, "dockerd is not reachable at %.100s (%s)", sockpath, strerror(e));
		return;
	}
	l->st = LK_SEND;
	dockerc_send(l);
}

/* Starts l: its socket, its deadline, the connection. */
static void
dockerc_begin(struct lookup *l, const char *sockpath, unsigned timeout_ms)
{
	l->deadline = dockerc_now() + timeout_ms;
	if ((l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		dockerc_fail(l, FAILED "cannot open a socket (%s)", strerror(errno));
		return;
	}
	dockerc_connect(l, sockpath);
}

/* What l waits for in poll(); LK_CONNECT waits for time alone. */
static short
dockerc_events(const struct lookup *l)
{
	return l->st == LK_CONNECTING || l->st == LK_SEND ? POLLOUT : POLLIN;
}

/* Moves l on after poll() said revents (or, in LK_CONNECT, after a while). */
static void
dockerc_io(struct lookup *l, short revents, const char *sockpath)
{
	if (l->st == LK_CONNECT)
		dockerc_connect(l, sockpath);
	else if (revents == 0)
		return;
	else if (l->st == LK_CONNECTING)
		dockerc_connected(l, sockpath);
	else if (l->st == LK_SEND)
		dockerc_send(l);
	else if (l->st == LK_HEAD || l->st == LK_BODY)
		dockerc_recv(l);
}

/* Ends l at its deadline, if it is not done. */
static void
dockerc_check_deadline(struct lookup *l, uint64_t now, unsigned timeout_ms)
{
	if (l->st != LK_DONE && now >= l->deadline)
		dockerc_fail(l, "dockerd did not answer within %u ms", timeout_ms);
}

/* The poll() timeout that wakes for l: its deadline, or the next connect attempt. */
static int
dockerc_wait_ms(const struct lookup *l, uint64_t now)
{
	uint64_t left = l->deadline > now ? l->deadline - now : 0;

	if (l->st == LK_CONNECT && left > DOCKERC_RETRY_MS)
		left = DOCKERC_RETRY_MS;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* Closes l's connection and what it kept of the head; the reply stays. */
static void
dockerc_close(struct lookup *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->head);
	l->head = NULL;
}

/* Writes the request for path into l. Returns 0, or -1 when path is not an escaped
 * absolute path (a space, CR or LF would let a caller write a request of its own). */
static int
dockerc_request(struct lookup *l, const char *path, const char *token)
{
	struct strbuf sb;
	const unsigned char *s;

	if (path == NULL || path[0] != '/')
		return -1;
	for (s = (const unsigned char *)path; *s; s++)
		if (*s <= ' ' || *s >= 0x7f)
			return -1;
	str_init(&sb, l->req, sizeof l->req);
	str_append(&sb, "GET ");
	str_append(&sb, path);
	/* Host is required by dockerd's router (any name does on a unix socket). */
	str_append(&sb, " HTTP/1.0\r\nHost: docker\r\nUser-Agent: cisgate\r\n");
	if (token[0] != '\0') {
		str_append(&sb, CG_LOOKUP_HEADER ": ");
		str_append(&sb, token);
		str_append(&sb, "\r\n");
	}
	str_append(&sb, "\r\n");
	if (sb.truncated)
		return -1;
	l->reqlen = sb.len;
	return 0;
}

static struct lookup *
dockerc_lookup_new(const char *path, const char *token, dockerc_done_fn fn, void *arg)
{
	struct lookup *l = calloc(1, sizeof *l);

	if (l == NULL)
		return NULL;
	l->fd = -1;
	if ((l->r = calloc(1, sizeof *l->r)) == NULL || dockerc_request(l, path, token) != 0) {
		free(l->r);
		free(l);
		return NULL;
	}
	l->fn = fn;
	l->arg = arg;
	return l;
}

/* Ends l: hands the reply to its callback and frees the rest. */
static void
dockerc_deliver(struct dockerc *c, struct lookup *l)
{
	if (l->active) {
		if (l->prev_a != NULL)
			l->prev_a->next_a = l->next_a;
		else
			c->active = l->next_a;
		if (l->next_a != NULL)
			l->next_a->prev_a = l->prev_a;
	}
	dockerc_close(l);
	l->fn(l->arg, l->r);
	free(l);
	pthread_mutex_lock(&c->lock);
	c->waiting--;
	pthread_mutex_unlock(&c->lock);
}

/* Starts what was queued; a lookup that ends at once (nothing listens) is delivered. */
static void
dockerc_start_queued(struct dockerc *c, struct lookup *start)
{
	struct lookup *l;

	for (l = start; l != NULL; l = start) {
		start = l->next;
		dockerc_begin(l, c->socket, c->timeout_ms);
		if (l->st == LK_DONE) {
			dockerc_deliver(c, l);
			continue;
		}
		l->active = true;
		l->next_a = c->active;
		if (c->active != NULL)
			c->active->prev_a = l;
		c->active = l;
	}
}

static void *
dockerc_run(void *arg)
{
	struct dockerc *c = arg;
	/* The poll set: the eventfd, then one a running lookup (never more than may wait). */
	struct pollfd pfd[CG_DOCKERC_INFLIGHT_MAX + 1];
	struct lookup *pl[CG_DOCKERC_INFLIGHT_MAX + 1];

	for (;;) {
		struct lookup *start, *l;
		uint64_t now, ev;
		nfds_t n = 1, i;
		int timeout = -1;
		bool stop;

		pthread_mutex_lock(&c->lock);
		start = c->queue;
		c->queue = c->queue_tail = NULL;
		stop = c->stopping;
		pthread_mutex_unlock(&c->lock);
		if (stop) {
			/* Queued or running, each ends now with its callback. */
			while ((l = start) != NULL) {
				start = l->next;
				dockerc_fail(l, "cisgate is stopping");
				dockerc_deliver(c, l);
			}
			while ((l = c->active) != NULL) {
				dockerc_fail(l, "cisgate is stopping");
				dockerc_deliver(c, l);
			}
			break;
		}
		dockerc_start_queued(c, start);

		pfd[0].fd = c->wake;
		pfd[0].events = POLLIN;
		now = dockerc_now();
		for (l = c->active; l != NULL && n < CG_DOCKERC_INFLIGHT_MAX + 1; l = l->next_a) {
			int w = dockerc_wait_ms(l, now);

			pl[n] = l;
			pfd[n].fd = l->st == LK_CONNECT ? -1 : l->fd;
			pfd[n].events = dockerc_events(l);
			pfd[n].revents = 0;
			if (timeout < 0 || w < timeout)
				timeout = w;
			n++;
		}
		if (poll(pfd, n, timeout) < 0) {
			struct timespec ts = {0, DOCKERC_RETRY_MS * 1000000L};

			/* Only EINTR or ENOMEM: the deadlines below still hold. */
			for (i = 0; i < n; i++)
				pfd[i].revents = 0;
			if (errno != EINTR)
				nanosleep(&ts, NULL);
		}
		if (pfd[0].revents & POLLIN)
			(void)!read(c->wake, &ev, sizeof ev);
		now = dockerc_now();
		for (i = 1; i < n; i++) {
			l = pl[i];
			dockerc_io(l, pfd[i].revents, c->socket);
			dockerc_check_deadline(l, now, c->timeout_ms);
			if (l->st == LK_DONE)
				dockerc_deliver(c, l);
		}
	}
	return NULL;
}

static void
dockerc_wake(struct dockerc *c)
{
	uint64_t one = 1;

	/* Fails only when the counter is full, and then the thread wakes anyway. */
	(void)!write(c->wake, &one, sizeof one);
}

int
dockerc_set_token(struct dockerc *c, const char *token)
{
	size_t n = strlen(token);

	c->token[0] = '\0';
	if (n == 0 || n > CG_LOOKUP_TOKEN_LEN || strspn(token, "0123456789abcdef") != n)
		return -1;
	memcpy(c->token, token, n + 1);
	return 0;
}

struct dockerc *
dockerc_start(const char *socket, unsigned timeout_ms, char *err, size_t errlen)
{
	struct dockerc *c;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (str_copy(c->socket, socket, sizeof c->socket) >= sizeof c->socket) {
		snprintf(err, errlen, "daemon socket path is too long");
		free(c);
		return NULL;
	}
	c->timeout_ms = timeout_ms;
	if ((c->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot make the lookup thread's eventfd: %s",
		    strerror(errno));
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	if (pthread_create(&c->t, NULL, dockerc_run, c) != 0) {
		snprintf(err, errlen, "cannot start the lookup thread");
		close(c->wake);
		pthread_mutex_destroy(&c->lock);
		free(c);
		return NULL;
	}
	c->running = true;
	return c;
}

int
dockerc_submit(struct dockerc *c, const char *path, dockerc_done_fn fn, void *arg)
{
	struct lookup *l;

	if (c == NULL || (l = dockerc_lookup_new(path, c->token, fn, arg)) == NULL)
		return -1;
	pthread_mutex_lock(&c->lock);
	if (c->stopping || c->waiting >= CG_DOCKERC_INFLIGHT_MAX) {
		pthread_mutex_unlock(&c->lock);
		free(l->r);
		free(l);
		return -1;
	}
	if (c->queue_tail != NULL)
		c->queue_tail->next = l;
	else
		c->queue = l;
	c->queue_tail = l;
	c->waiting++;
	pthread_mutex_unlock(&c->lock);
	dockerc_wake(c);
	return 0;
}

void
dockerc_stop(struct dockerc *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_mutex_unlock(&c->lock);
	if (c->running) {
		dockerc_wake(c);
		(void)pthread_join(c->t, NULL);
		c->running = false;
	}
}

void
dockerc_free(struct dockerc *c)
{
	if (c == NULL)
		return;
	dockerc_stop(c);
	close(c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int
dockerc_get(const char *socket, unsigned timeout_ms, const char *path, struct dockerc_reply *r)
{
	struct lookup l;

	memset(r, 0, sizeof *r);
	memset(&l, 0, sizeof l);
	l.r = r;
	l.fd = -1;
	if (dockerc_request(&l, path, "") != 0) {
		snprintf(r->err, sizeof r->err, "cannot start a lookup in dockerd");
		return -1;
	}
	dockerc_begin(&l, socket, timeout_ms);
	while (l.st != LK_DONE) {
		struct pollfd pfd = {.fd = l.st == LK_CONNECT ? -1 : l.fd,
		    .events = dockerc_events(&l)};

		if (poll(&pfd, 1, dockerc_wait_ms(&l, dockerc_now())) < 0)
			pfd.revents = 0;
		dockerc_io(&l, pfd.revents, socket);
		dockerc_check_deadline(&l, dockerc_now(), timeout_ms);
	}
	dockerc_close(&l);
	return r->status == 200 ? 0 : -1;
}

void
dockerc_reply_clear(struct dockerc_reply *r)
{
	if (r == NULL)
		return;
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

void
dockerc_reply_free(struct dockerc_reply *r)
{
	dockerc_reply_clear(r);
	free(r);
}

int
dockerc_path(char *out, size_t outsz, const char *prefix, const char *segment,
    const char *suffix)
{
	static const char hex[] = "0123456789ABCDEF";
	struct strbuf sb;
	const unsigned char *s;

	str_init(&sb, out, outsz);
	str_append(&sb, prefix);
	for (s = (const unsigned char *)segment; *s; s++) {
		char enc[3] = {'%', hex[*s >> 4], hex[*s & 15]};

		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '~' || *s == '.')
			str_appendn(&sb, (const char *)s, 1);
		else
			str_appendn(&sb, enc, 3);
	}
	str_append(&sb, suffix);
	return sb.truncated ? -1 : 0;
}
