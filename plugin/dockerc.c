/* dockerc.c - read-only GETs to dockerd over its unix socket, on one lookup thread.
 * libcurl does the HTTP (chunked answers, timeouts, many lookups at once on one thread
 * through its multi interface); cisgate bounds what it keeps of an answer. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/dockerc.h"
#include "cisgate/log.h"
#include "cisgate/str.h"

/* One lookup: queued by a worker, run by the lookup thread. */
struct lookup {
	char url[CG_DOCKERC_PATH_MAX + 32];
	dockerc_done_fn fn;
	void *arg;
	struct dockerc_reply *r;
	size_t cap;
	bool too_big;
	CURL *easy;
	struct lookup *next;
	struct lookup *prev_a, *next_a; /* in the active list */
};

struct dockerc {
	char socket[CG_DOCKERC_PATH_MAX];
	unsigned timeout_ms;
	CURLM *multi;
	pthread_t t;
	bool running;
	pthread_mutex_t lock;
	struct lookup *queue, *queue_tail; /* submitted, not started */
	struct lookup *active;             /* started (the lookup thread's own list) */
	unsigned waiting;                  /* queued + running */
	bool stopping;
};

static pthread_once_t dockerc_once = PTHREAD_ONCE_INIT;
static CURLcode dockerc_init_rc = CURLE_FAILED_INIT;

static void
dockerc_global_init(void)
{
	/* Not thread-safe in libcurl itself: done once, before any handle exists. */
	dockerc_init_rc = curl_global_init(CURL_GLOBAL_NOTHING);
}

/* Keeps at most CG_DOCKERC_BODY_MAX bytes of the answer; more fails the lookup. */
static size_t
dockerc_write(char *data, size_t size, size_t n, void *arg)
{
	struct lookup *l = arg;
	struct dockerc_reply *r = l->r;
	size_t add = size * n;

	if (add > CG_DOCKERC_BODY_MAX - r->len) {
		l->too_big = true;
		return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	if (r->len + add + 1 > l->cap) {
		size_t ncap = l->cap ? l->cap : 16384;
		char *nb;

		while (ncap < r->len + add + 1)
			ncap *= 2;
		if ((nb = realloc(r->body, ncap)) == NULL)
			return 0;
		r->body = nb;
		l->cap = ncap;
	}
	memcpy(r->body + r->len, data, add);
	r->len += add;
	r->body[r->len] = '\0';
	return add;
}

static CURL *
dockerc_easy(const char *socket, unsigned timeout_ms, struct lookup *l)
{
	CURL *e = curl_easy_init();

	if (e == NULL)
		return NULL;
	if (curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, socket) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_URL, l->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, dockerc_write) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, l) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, l) != CURLE_OK) {
		curl_easy_cleanup(e);
		return NULL;
	}
	return e;
}

/* Fills r->status and r->err once the transfer ended with rc. */
static void
dockerc_finish(struct lookup *l, CURLcode rc, const char *socket, unsigned timeout_ms)
{
	struct dockerc_reply *r = l->r;

	if (l->easy != NULL)
		(void)curl_easy_getinfo(l->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (l->too_big)
		snprintf(r->err, sizeof r->err, "dockerd's answer is larger than %zu bytes",
		    (size_t)CG_DOCKERC_BODY_MAX);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(r->err, sizeof r->err, "dockerd did not answer within %u ms", timeout_ms);
	else if (rc == CURLE_COULDNT_CONNECT)
		snprintf(r->err, sizeof r->err, "dockerd is not reachable at %.100s", socket);
	else if (rc != CURLE_OK)
		snprintf(r->err, sizeof r->err, "lookup in dockerd failed: %s", curl_easy_strerror(rc));
	else if (r->status != 200)
		snprintf(r->err, sizeof r->err, "dockerd answered %ld", r->status);
	if (rc != CURLE_OK) {
		r->status = 0;
		free(r->body);
		r->body = NULL;
		r->len = 0;
	} else if (r->body == NULL && (r->body = calloc(1, 1)) == NULL) {
		r->status = 0;
		snprintf(r->err, sizeof r->err, "cisgate is out of memory");
	}
}

static struct lookup *
dockerc_lookup_new(const char *path, dockerc_done_fn fn, void *arg)
{
	struct lookup *l = calloc(1, sizeof *l);

	if (l == NULL)
		return NULL;
	if ((l->r = calloc(1, sizeof *l->r)) == NULL) {
		free(l);
		return NULL;
	}
	/* The host part is ignored on a unix socket; dockerd routes on the path. */
	if ((size_t)snprintf(l->url, sizeof l->url, "http://docker%s", path) >= sizeof l->url) {
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
	struct dockerc_reply *r = l->r;

	if (l->easy != NULL) {
		curl_multi_remove_handle(c->multi, l->easy);
		curl_easy_cleanup(l->easy);
		if (l->prev_a != NULL)
			l->prev_a->next_a = l->next_a;
		else
			c->active = l->next_a;
		if (l->next_a != NULL)
			l->next_a->prev_a = l->prev_a;
	}
	l->fn(l->arg, r);
	free(l);
	pthread_mutex_lock(&c->lock);
	c->waiting--;
	pthread_mutex_unlock(&c->lock);
}

static void *
dockerc_run(void *arg)
{
	struct dockerc *c = arg;

	for (;;) {
		struct lookup *start, *l;
		CURLMsg *m;
		int running = 0, left;
		bool stop;

		pthread_mutex_lock(&c->lock);
		start = c->queue;
		c->queue = c->queue_tail = NULL;
		stop = c->stopping;
		pthread_mutex_unlock(&c->lock);
		for (l = start; l != NULL; l = start) {
			start = l->next;
			if (!stop && (l->easy = dockerc_easy(c->socket, c->timeout_ms, l)) != NULL &&
			    curl_multi_add_handle(c->multi, l->easy) == CURLM_OK) {
				l->next_a = c->active;
				if (c->active != NULL)
					c->active->prev_a = l;
				c->active = l;
				continue;
			}
			snprintf(l->r->err, sizeof l->r->err, stop ? "cisgate is stopping" :
			    "cannot start a lookup in dockerd (out of memory)");
			if (l->easy != NULL) {
				curl_easy_cleanup(l->easy);
				l->easy = NULL;
			}
			dockerc_deliver(c, l);
		}
		(void)curl_multi_perform(c->multi, &running);
		while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			if (curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&l) != CURLE_OK)
				continue;
			dockerc_finish(l, m->data.result, c->socket, c->timeout_ms);
			dockerc_deliver(c, l);
		}
		if (stop) {
			/* Whatever still runs ends now, each with its callback. */
			while ((l = c->active) != NULL) {
				snprintf(l->r->err, sizeof l->r->err, "cisgate is stopping");
				free(l->r->body);
				l->r->body = NULL;
				l->r->len = 0;
				l->r->status = 0;
				dockerc_deliver(c, l);
			}
			break;
		}
		(void)curl_multi_poll(c->multi, NULL, 0, 1000, NULL);
	}
	return NULL;
}

struct dockerc *
dockerc_start(const char *socket, unsigned timeout_ms, char *err, size_t errlen)
{
	struct dockerc *c;

	pthread_once(&dockerc_once, dockerc_global_init);
	if (dockerc_init_rc != CURLE_OK) {
		snprintf(err, errlen, "libcurl: %s", curl_easy_strerror(dockerc_init_rc));
		return NULL;
	}
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
	if ((c->multi = curl_multi_init()) == NULL) {
		snprintf(err, errlen, "libcurl: cannot make a multi handle");
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	if (pthread_create(&c->t, NULL, dockerc_run, c) != 0) {
		snprintf(err, errlen, "cannot start the lookup thread");
		curl_multi_cleanup(c->multi);
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

	if (c == NULL || (l = dockerc_lookup_new(path, fn, arg)) == NULL)
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
	(void)curl_multi_wakeup(c->multi);
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
		(void)curl_multi_wakeup(c->multi);
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
	curl_multi_cleanup(c->multi);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int
dockerc_get(const char *socket, unsigned timeout_ms, const char *path, struct dockerc_reply *r)
{
	struct lookup l;
	CURLcode rc;

	memset(r, 0, sizeof *r);
	pthread_once(&dockerc_once, dockerc_global_init);
	memset(&l, 0, sizeof l);
	l.r = r;
	if (dockerc_init_rc != CURLE_OK ||
	    (size_t)snprintf(l.url, sizeof l.url, "http://docker%s", path) >= sizeof l.url ||
	    (l.easy = dockerc_easy(socket, timeout_ms, &l)) == NULL) {
		snprintf(r->err, sizeof r->err, "cannot start a lookup in dockerd");
		return -1;
	}
	rc = curl_easy_perform(l.easy);
	dockerc_finish(&l, rc, socket, timeout_ms);
	curl_easy_cleanup(l.easy);
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
