/* http.c - the AuthZ routes on libmicrohttpd. Every answer is decided by decide_*;
 * this file only moves bytes and never decides anything itself. */
#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cisgate/decide.h"
#include "cisgate/http.h"
#include "cisgate/jsonmem.h"
#include "cisgate/limits.h"
#include "cisgate/log.h"
#include "cisgate/str.h"
#include "cisgate/tls.h"

struct worker {
	struct MHD_Daemon *d;
	atomic_uint conns; /* open connections, for placing the next one */
};

/* With `fsync: always`, answers wait for their record to reach the disk. A worker does not
 * wait: it suspends the connection and queues it here; one thread flushes once for the
 * whole queue (group commit) and resumes them. */
struct flusher {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct upload *head, *tail;
	bool stopping, running;
	pthread_t t;
};

struct http_server {
	struct worker w[CG_WORKERS_MAX];
	struct flusher fl;
	unsigned nw, next;
	int lfd, wake; /* listening socket (borrowed), eventfd that stops the acceptor */
	bool accepting;
	pthread_t acceptor;
	struct http_shared *sh;
	struct MHD_Response *r_allow, *r_activate;
};

/* One request's upload: a small inline buffer, growing on the heap to the limit. */
struct upload {
	char *buf;
	size_t len, cap;
	bool overflow;
	bool busy; /* the global upload budget was spent */
	/* Waiting for the flusher: the answer and what to do if the flush fails. */
	bool flushed; /* the flusher is done with it: answer on the next call */
	bool fail_deny, flush_failed;
	unsigned long long flush;
	struct MHD_Response *resp;
	struct MHD_Connection *conn;
	struct upload *next;
	char small[4096];
};

static const char AUDIT_DOWN[] = "cisgate denied this request: the audit log cannot be "
    "written (disk full or permissions); ask an administrator";

static const char ALLOW[] = "{\"Allow\":true}";
static const char ACTIVATE[] = "{\"Implements\":[\"authz\"]}";

/* Each worker thread keeps one decision context (~70 KiB): no allocation per request. */
static struct decide_ctx *
ctx_get(void)
{
	return tls_get(TLS_DECIDE_CTX, sizeof(struct decide_ctx));
}

struct policy *
http_policy_get(struct http_shared *sh)
{
	struct policy *p;

	pthread_mutex_lock(&sh->policy_lock);
	p = sh->policy;
	policy_ref(p);
	pthread_mutex_unlock(&sh->policy_lock);
	return p;
}

static enum MHD_Result
http_json(struct MHD_Connection *c, unsigned status, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	struct MHD_Response *r;
	enum MHD_Result ret;

	json_decref(o);
	if (s == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A new deny answer carrying msg (the caller owns it), or NULL. */
static struct MHD_Response *
http_deny_response(const char *msg)
{
	char buf[CG_MSG_MAX * 6 + 64];
	struct strbuf sb;
	struct MHD_Response *r;

	/* Escaping at most sextuples a byte (\u00XX): buf always holds a CG_MSG_MAX message. */
	str_init(&sb, buf, sizeof buf);
	str_append(&sb, "{\"Allow\":false,\"Msg\":");
	str_append_json(&sb, msg, CG_MSG_MAX);
	str_append(&sb, "}");
	if (sb.truncated)
		return NULL;
	r = MHD_create_response_from_buffer(sb.len, buf, MHD_RESPMEM_MUST_COPY);
	if (r != NULL)
		MHD_add_response_header(r, "Content-Type", "application/json");
	return r;
}

/* Queues r and drops our reference to it (the static allow answer is never dropped). */
static enum MHD_Result
http_answer(struct http_server *s, struct MHD_Connection *c, struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	if (r != s->r_allow)
		MHD_destroy_response(r);
	return ret;
}

/* Hands a decided request to the flusher; false when it is stopping (flush inline). */
static bool
http_defer(struct http_server *s, struct MHD_Connection *conn, struct upload *u)
{
	struct flusher *f = &s->fl;

	pthread_mutex_lock(&f->lock);
	if (f->stopping || !f->running) {
		pthread_mutex_unlock(&f->lock);
		return false;
	}
	u->conn = conn;
	u->next = NULL;
	MHD_suspend_connection(conn);
	if (f->tail)
		f->tail->next = u;
	else
		f->head = u;
	f->tail = u;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return true;
}

/* The answer once its record is on disk (or the flush failed). */
static enum MHD_Result
http_finish(struct http_server *s, struct MHD_Connection *conn, struct upload *u)
{
	struct MHD_Response *r = u->resp;

	u->resp = NULL;
	if (u->flush_failed) {
		atomic_fetch_add(&s->sh->audit_failures, 1);
		if (u->fail_deny) {
			/* An unflushed state change is not allowed unless the policy says so. */
			if (r != s->r_allow && r != NULL)
				MHD_destroy_response(r);
			atomic_fetch_add(&s->sh->denies, 1);
			r = http_deny_response(AUDIT_DOWN);
		}
	}
	return http_answer(s, conn, r);
}

static void *
http_flush(void *arg)
{
	struct http_server *s = arg;
	struct flusher *f = &s->fl;

	for (;;) {
		struct upload *batch, *u, *next;
		unsigned long long upto = 0;
		int rc;

		pthread_mutex_lock(&f->lock);
		while (f->head == NULL && !f->stopping)
			pthread_cond_wait(&f->cond, &f->lock);
		batch = f->head;
		f->head = f->tail = NULL;
		pthread_mutex_unlock(&f->lock);
		if (batch == NULL)
			break; /* stopping, and nothing left to resume */
		for (u = batch; u; u = u->next)
			if (u->flush > upto)
				upto = u->flush;
		rc = audit_sync(s->sh->audit, upto);
		for (u = batch; u; u = next) {
			struct MHD_Connection *conn = u->conn;

			next = u->next; /* u belongs to the worker once resumed */
			u->flush_failed = rc != 0;
			u->flushed = true;
			MHD_resume_connection(conn);
		}
	}
	return NULL;
}

static enum MHD_Result
http_authz(struct http_server *s, struct MHD_Connection *conn, struct upload *u, bool is_res)
{
	struct http_shared *sh = s->sh;
	struct decide_ctx *c = ctx_get();
	struct MHD_Response *r;
	struct policy *p;
	unsigned long long flush = 0;
	bool fail_deny;

	atomic_fetch_add(&sh->requests, 1);
	if (c == NULL)
		return http_answer(s, conn,
		    http_deny_response("cisgate is out of memory; try again"));
	p = http_policy_get(sh);
	if (u->overflow) {
		/* Never read, still decided and recorded: a deny like any other. */
		decide_unread(c, is_res, u->busy ?
		    "cisgate is busy with other large requests; retry" :
		    "the AuthZ request is larger than cisgate accepts (8 MiB); send a smaller "
		    "request body");
	} else {
		/* The documents' values come from this worker's arena, freed by decide_free. */
		(void)jsonmem_begin();
		decide_envelope(p, u->buf ? u->buf : "", u->len, is_res, time(NULL), c);
	}
	log_debug("%s %s %.200s -> %s (%zu violations)", is_res ? "AuthZRes" : "AuthZReq",
	    c->req.method ? c->req.method : "", c->req.uri ? c->req.uri : "",
	    eval_outcome_name(c->dec.outcome), c->dec.nv);
	/* An unaudited state change is not allowed unless the policy says so. */
	fail_deny = c->dec.allow && !c->req.is_response && c->ep.state_changing &&
	    !p->audit.fail_allow;
	if (sh->audit != NULL && audit_wanted(&p->audit, c) &&
	    audit_write(sh->audit, p, c, &flush) != 0) {
		atomic_fetch_add(&sh->audit_failures, 1);
		if (fail_deny) {
			decide_free(c);
			(void)jsonmem_end();
			policy_release(p);
			atomic_fetch_add(&sh->denies, 1);
			return http_answer(s, conn, http_deny_response(AUDIT_DOWN));
		}
		flush = 0;
	}
	if (c->dec.allow)
		r = s->r_allow;
	else {
		atomic_fetch_add(&sh->denies, 1);
		r = http_deny_response(c->dec.msg);
	}
	decide_free(c);
	(void)jsonmem_end();
	policy_release(p);
	if (flush == 0)
		return http_answer(s, conn, r);
	u->resp = r;
	u->flush = flush;
	u->fail_deny = fail_deny;
	if (http_defer(s, conn, u))
		return MHD_YES;
	u->flush_failed = audit_sync(sh->audit, flush) != 0;
	return http_finish(s, conn, u);
}

/* Heap bytes an upload holds (0 while it fits the inline buffer). */
static size_t
http_heap(const struct upload *u)
{
	return u->buf == u->small ? 0 : u->cap;
}

static enum MHD_Result
http_handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *data, size_t *data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct upload *u = *con_cls;

	(void)version;
	if (u == NULL) {
		if ((u = malloc(sizeof *u)) == NULL)
			return MHD_NO;
		u->buf = u->small;
		u->len = 0;
		u->cap = sizeof u->small;
		u->overflow = false;
		u->busy = false;
		u->flushed = false;
		u->resp = NULL;
		u->flush_failed = false;
		*con_cls = u;
		atomic_fetch_add(&s->sh->inflight, 1);
		return MHD_YES;
	}
	if (u->flushed)
		return http_finish(s, conn, u);
	if (*data_size > 0) {
		/* Keep reading past the limit (discarding) so the answer is a clear deny. */
		if (!u->overflow && u->len + *data_size > CG_ENVELOPE_MAX)
			u->overflow = true;
		if (!u->overflow) {
			if (u->len + *data_size + 1 > u->cap) {
				size_t ncap = u->cap * 2;
				char *nb;

				while (ncap < u->len + *data_size + 1)
					ncap *= 2;
				if (ncap > CG_ENVELOPE_MAX + 1)
					ncap = CG_ENVELOPE_MAX + 1;
				/* Charge the growth to the budget shared by all connections. */
				if (atomic_fetch_add(&s->sh->upload_bytes, ncap - http_heap(u)) +
				        (ncap - http_heap(u)) > CG_UPLOAD_BUDGET) {
					atomic_fetch_sub(&s->sh->upload_bytes, ncap - http_heap(u));
					u->overflow = u->busy = true;
					*data_size = 0;
					return MHD_YES;
				}
				nb = u->buf == u->small ? malloc(ncap) : realloc(u->buf, ncap);
				if (nb == NULL) {
					atomic_fetch_sub(&s->sh->upload_bytes, ncap - http_heap(u));
					u->overflow = u->busy = true;
					*data_size = 0;
					return MHD_YES;
				}
				if (u->buf == u->small)
					memcpy(nb, u->small, u->len);
				u->buf = nb;
				u->cap = ncap;
			}
			memcpy(u->buf + u->len, data, *data_size);
			u->len += *data_size;
		}
		*data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "POST") != 0) {
		json_t *o = json_object();

		json_object_set_new(o, "Err", json_string("cisgate answers POST only"));
		return http_json(conn, MHD_HTTP_METHOD_NOT_ALLOWED, o);
	}
	if (strcmp(url, "/AuthZPlugin.AuthZReq") == 0)
		return http_authz(s, conn, u, false);
	if (strcmp(url, "/AuthZPlugin.AuthZRes") == 0)
		return http_authz(s, conn, u, true);
	if (strcmp(url, "/Plugin.Activate") == 0)
		return MHD_queue_response(conn, MHD_HTTP_OK, s->r_activate);
	{
		json_t *o = json_object();

		json_object_set_new(o, "Err", json_string("unknown plugin method"));
		return http_json(conn, MHD_HTTP_NOT_FOUND, o);
	}
}

static void
http_done(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct upload *u = *con_cls;

	(void)conn;
	(void)toe;
	if (u == NULL)
		return;
	atomic_fetch_sub(&s->sh->upload_bytes, http_heap(u));
	if (u->resp != NULL && u->resp != s->r_allow)
		MHD_destroy_response(u->resp);
	if (u->buf != u->small)
		free(u->buf);
	free(u);
	*con_cls = NULL;
	atomic_fetch_sub(&s->sh->inflight, 1);
}

static struct MHD_Response *
http_static(const char *body)
{
	/* MHD_RESPMEM_PERSISTENT never writes to the buffer; its API is not const. */
	union {
		const char *c;
		void *v;
	} u = {.c = body};
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), u.v,
	    MHD_RESPMEM_PERSISTENT);

	if (r != NULL)
		MHD_add_response_header(r, "Content-Type", "application/json");
	return r;
}

/* A worker's count goes up when the acceptor hands it a connection (a burst of connects
 * must see its own placements) and down when the worker closes one. */
static void
http_notify(void *cls, struct MHD_Connection *conn, void **sock_ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct worker *w = cls;

	(void)conn;
	(void)sock_ctx;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&w->conns, 1);
}

/* The worker with the fewest connections; ties go round-robin, so a burst of connects
 * (whose counts are not in yet) still alternates. */
static struct worker *
http_pick(struct http_server *s)
{
	unsigned i, best = s->next % s->nw, min = UINT32_MAX;

	for (i = 0; i < s->nw; i++) {
		unsigned k = (s->next + i) % s->nw, n = atomic_load(&s->w[k].conns);

		if (n < min) {
			min = n;
			best = k;
		}
	}
	s->next = best + 1;
	return &s->w[best];
}

/* Accepts every connection and hands it to a worker: libmicrohttpd's own thread pool lets
 * whichever thread wakes first take a connection, which spreads a few keep-alive
 * connections unevenly. */
static void *
http_accept(void *arg)
{
	struct http_server *s = arg;
	struct pollfd pf[2] = {{.fd = s->lfd, .events = POLLIN}, {.fd = s->wake, .events = POLLIN}};
	const struct timespec ms10 = {.tv_sec = 0, .tv_nsec = 10000000};
	bool starved = false;

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		struct worker *w;
		int c;

		if (poll(pf, 2, -1) < 0) {
			if (errno != EINTR) {
				log_warn("accept: poll");
				nanosleep(&ms10, NULL);
			}
			continue;
		}
		if (pf[1].revents)
			break;
		if (!(pf[0].revents & POLLIN)) {
			if (pf[0].revents) /* an error on the listening socket: never spin on it */
				nanosleep(&ms10, NULL);
			continue;
		}
		c = accept4(s->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/* Out of descriptors: back off instead of spinning on a ready socket;
				 * said once, not a hundred times a second. */
				if (!starved)
					log_warn("accept (connections wait until some close)");
				starved = true;
				nanosleep(&ms10, NULL);
			}
			continue;
		}
		if (starved)
			log_info("accepting connections again");
		starved = false;
		w = http_pick(s);
		if (atomic_load(&w->conns) >= CG_CONN_MAX / s->nw) {
			/* The least loaded worker is full: all are. */
			log_debug("connection refused: %u open", (unsigned)CG_CONN_MAX);
			close(c);
			continue;
		}
		log_debug("connection to worker %u (%u open there)", (unsigned)(w - s->w),
		    atomic_load(&w->conns));
		atomic_fetch_add(&w->conns, 1);
		/* The worker owns c from here, and closes it if it cannot take it. */
		if (MHD_add_connection(w->d, c, (struct sockaddr *)&ss, sl) != MHD_YES)
			atomic_fetch_sub(&w->conns, 1);
	}
	return NULL;
}

/* The number of CPUs this process may run on: one worker each. */
static unsigned
http_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof set, &set) != 0 || (n = CPU_COUNT(&set)) < 1)
		return 2;
	return (unsigned)n;
}

struct http_server *
http_start(int fd, unsigned idle_timeout_s, unsigned workers, struct http_shared *sh)
{
	struct http_server *s = calloc(1, sizeof *s);
	unsigned i;

	if (s == NULL)
		return NULL;
	pthread_mutex_init(&s->fl.lock, NULL);
	pthread_cond_init(&s->fl.cond, NULL);
	jsonmem_install();
	s->sh = sh;
	s->lfd = fd;
	s->nw = workers ? workers : http_cpus();
	if (s->nw > CG_WORKERS_MAX)
		s->nw = CG_WORKERS_MAX;
	s->r_allow = http_static(ALLOW);
	s->r_activate = http_static(ACTIVATE);
	if (s->r_allow == NULL || s->r_activate == NULL ||
	    (s->wake = eventfd(0, EFD_CLOEXEC)) < 0) {
		s->wake = -1;
		http_stop(s);
		return NULL;
	}
	if (pthread_create(&s->fl.t, NULL, http_flush, s) != 0) {
		http_stop(s);
		return NULL;
	}
	s->fl.running = true;
	/* One epoll worker per CPU, each answering its connections to completion. Measured
	 * (make bench) against a thread per connection: 8 threads on 2 CPUs preempt each
	 * other mid-request (creates at 8 connections: p99 2.0-2.5 ms against 1.3-1.9 ms)
	 * where one worker per CPU runs each request through (README.md). A request parsed
	 * slowly (a body of megabytes) delays the others on its worker; dockerd's are small.
	 * Disk flushes never run on a worker (struct flusher).
	 * Idle connections are closed after idle_timeout_s; CG_CONN_MAX in all. */
	for (i = 0; i < s->nw; i++) {
		s->w[i].d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_NO_LISTEN_SOCKET |
		        MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO,
		    0, NULL, NULL, http_handle, s, MHD_OPTION_NOTIFY_COMPLETED, http_done, s,
		    MHD_OPTION_NOTIFY_CONNECTION, http_notify, &s->w[i],
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(CG_CONN_MAX / s->nw),
		    MHD_OPTION_CONNECTION_TIMEOUT, idle_timeout_s,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, CG_CONN_MEMORY, MHD_OPTION_END);
		if (s->w[i].d == NULL) {
			http_stop(s);
			return NULL;
		}
	}
	if (pthread_create(&s->acceptor, NULL, http_accept, s) != 0) {
		http_stop(s);
		return NULL;
	}
	s->accepting = true;
	return s;
}

unsigned
http_workers(const struct http_server *s)
{
	return s->nw;
}

void
http_quiesce(struct http_server *s)
{
	uint64_t one = 1;

	if (s == NULL || !s->accepting)
		return;
	if (write(s->wake, &one, sizeof one) != (ssize_t)sizeof one) {
		log_warn("cannot stop the acceptor");
		return;
	}
	(void)pthread_join(s->acceptor, NULL);
	s->accepting = false;
}

void
http_stop(struct http_server *s)
{
	unsigned i;

	if (s == NULL)
		return;
	http_quiesce(s);
	/* Every suspended connection must be resumed before its daemon stops: the flusher
	 * drains its queue, and from now on requests flush inline. */
	pthread_mutex_lock(&s->fl.lock);
	s->fl.stopping = true;
	pthread_cond_signal(&s->fl.cond);
	pthread_mutex_unlock(&s->fl.lock);
	if (s->fl.running)
		(void)pthread_join(s->fl.t, NULL);
	for (i = 0; i < s->nw; i++)
		if (s->w[i].d != NULL)
			MHD_stop_daemon(s->w[i].d);
	if (s->wake >= 0)
		close(s->wake);
	if (s->r_allow)
		MHD_destroy_response(s->r_allow);
	if (s->r_activate)
		MHD_destroy_response(s->r_activate);
	pthread_cond_destroy(&s->fl.cond);
	pthread_mutex_destroy(&s->fl.lock);
	free(s);
}
