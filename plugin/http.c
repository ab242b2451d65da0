/* http.c - the AuthZ routes on libmicrohttpd: bounded uploads in, decide_* and audit_*,
 * an answer out. Every answer is decided by decide_*; this file only moves bytes and
 * counts. Beneath it: answer.c (the JSON answers), place.c (the acceptor) and flusher.c
 * (group commit). */
#include <microhttpd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cisgate/answer.h"
#include "cisgate/decide.h"
#include "cisgate/flusher.h"
#include "cisgate/http.h"
#include "cisgate/judged.h"
#include "cisgate/jsonmem.h"
#include "cisgate/limits.h"
#include "cisgate/log.h"
#include "cisgate/lookup.h"
#include "cisgate/metrics.h"
#include "cisgate/place.h"
#include "cisgate/str.h"
#include "cisgate/tls.h"

struct http_server {
	struct place_worker w[CG_WORKERS_MAX];
	unsigned nw;
	struct placer *placer;   /* NULL once quiesced */
	struct flusher *flusher;
	struct http_shared *sh;
	struct answers ans;
};

/* A request whose decision needs facts from dockerd: its connection is suspended while
 * the lookup thread asks, then it is decided again with the answers. Allocated only for
 * such requests (an exec, a create that leaves its user to the image, a join). */
struct lookup_wait {
	struct facts f;
	struct lookup_set s;
	struct MHD_Connection *conn;
	atomic_bool done;  /* every answer is in: decide again on resume */
	bool decided;
	unsigned rounds;   /* lookups asked so far (a join chain asks one link a round) */
};

/* One request's upload: a small inline buffer, growing on the heap to the limit. */
struct upload {
	char *buf;
	size_t len, cap;
	bool overflow;
	bool busy; /* the global upload budget was spent */
	bool is_res;
	struct flush_wait fw; /* waiting for the flusher: the answer and what a failure does */
	struct lookup_wait *lk;
	uint64_t t0; /* metrics: when deciding began (before any lookup) */
	char small[4096];
};

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

/* The answer once its record is on disk (or the flush failed). */
static enum MHD_Result
http_finish(struct http_server *s, struct MHD_Connection *conn, struct upload *u)
{
	struct MHD_Response *r = u->fw.resp;

	u->fw.resp = NULL;
	if (u->fw.failed) {
		atomic_fetch_add(&s->sh->audit_failures, 1);
		if (u->fw.fail_deny) {
			/* decide_audit_denies said so before the wait: the flush is the write. */
			answer_drop(&s->ans, r);
			atomic_fetch_add(&s->sh->denies, 1);
			r = answer_deny(DECIDE_AUDIT_DOWN_MSG);
		}
	}
	return answer_queue(&s->ans, conn, r);
}

/* On the lookup thread: every fact is in. Nothing of lk is touched after the resume (the
 * worker may free it from then on). */
static void
http_lookup_ready(void *arg)
{
	struct lookup_wait *lk = arg;
	struct MHD_Connection *conn = lk->conn;

	atomic_store(&lk->done, true);
	MHD_resume_connection(conn);
}

/* Suspends conn and asks dockerd for lk's facts (one round); the request is decided
 * again on resume. */
static void
http_lookup_ask(struct http_server *s, struct MHD_Connection *conn, struct lookup_wait *lk)
{
	atomic_store(&lk->done, false);
	lk->decided = false;
	MHD_suspend_connection(conn);
	if (lookup_start(&lk->s, s->sh->dockerc, &lk->f, http_lookup_ready, lk) != 0) {
		/* Nothing started: every fact failed with its reason; decide on resume. */
		atomic_store(&lk->done, true);
		MHD_resume_connection(conn);
	}
}

/* The answers in u->lk showed that c needs more (the next link of a join chain): they are
 * added to the same set and asked, and the request is decided again with all of them.
 * Returns false when they do not fit: the caller answers c's placeholder deny. */
static bool
http_lookup_more(struct http_server *s, struct MHD_Connection *conn, struct upload *u,
    const struct facts *need)
{
	struct lookup_wait *lk = u->lk;
	size_t i;

	for (i = 0; i < need->n; i++)
		if (facts_need(&lk->f, need->f[i].kind, need->f[i].ref, need->f[i].why) < 0)
			return false;
	log_debug("lookup round %u: %zu more fact(s), first %s %.64s (%s)", lk->rounds + 1,
	    need->n, facts_kind_name(need->f[0].kind), need->f[0].ref, need->f[0].why);
	lk->rounds++;
	http_lookup_ask(s, conn, lk);
	return true;
}

/* c needs facts: suspend the connection and ask dockerd; the request is decided again
 * when the answers are in (http_handle). Returns false when it cannot wait (no memory):
 * the caller answers c's placeholder deny. */
static bool
http_lookup(struct http_server *s, struct MHD_Connection *conn, struct upload *u,
    const struct facts *need)
{
	struct lookup_wait *lk = malloc(sizeof *lk);

	if (lk == NULL)
		return false;
	memcpy(&lk->f, need, sizeof *need); /* no answers yet: nothing owned to copy */
	/* Said, so that tests can prove the common create asks dockerd nothing. */
	log_debug("lookup: %zu fact(s), first %s %.64s (%s)", need->n,
	    facts_kind_name(need->f[0].kind), need->f[0].ref, need->f[0].why);
	lk->conn = conn;
	lk->rounds = 1;
	u->lk = lk;
	http_lookup_ask(s, conn, lk);
	return true;
}

static enum MHD_Result
http_authz(struct http_server *s, struct MHD_Connection *conn, struct upload *u, bool is_res)
{
	static const char TOO_LARGE[] = "the AuthZ request is larger than cisgate accepts";
	struct http_shared *sh = s->sh;
	struct decide_ctx *c = ctx_get();
	struct MHD_Response *r;
	struct policy *p;
	unsigned long long flush = 0;
	bool fail_deny;

	atomic_fetch_add(&sh->requests, 1);
	if (u->lk == NULL)
		u->t0 = metrics_now_ns();
	if (c != NULL) {
		c->rootfd = sh->rootfd;
		c->judged = sh->judged;
		c->lookup_token = sh->lookup_token;
	}
	if (c == NULL)
		return answer_queue(&s->ans, conn, answer_deny("cisgate is out of memory; try again"));
	p = http_policy_get(sh);
	if (u->overflow) {
		char reason[160];

		/* Never read, still decided and recorded: a deny like any other. */
		if (u->busy)
			str_copy(reason, "cisgate is busy with other large requests; retry",
			    sizeof reason);
		else
			snprintf(reason, sizeof reason, "%s (%zu MiB); send a smaller request body",
			    TOO_LARGE, CG_ENVELOPE_MAX >> 20);
		decide_unread(c, is_res, reason);
	} else {
		struct facts *need = NULL;

		/* Asked in rounds (a join chain's next link is known only from the last
		 * answer), CG_LOOKUP_ROUNDS at most: the last pass decides with the answers it
		 * has. Without room to say what it needs, a decision would be made as
		 * offline: refuse instead. */
		if (u->lk == NULL || u->lk->rounds < CG_LOOKUP_ROUNDS) {
			if ((need = tls_get(TLS_FACTS, sizeof *need)) == NULL) {
				policy_release(p);
				return answer_queue(&s->ans, conn,
				    answer_deny("cisgate is out of memory; try again"));
			}
			need->n = 0;
		}
		/* The documents' values come from this worker's arena, freed by decide_free. */
		(void)jsonmem_begin();
		decide_envelope_facts(p, u->buf ? u->buf : "", u->len, is_res, NULL, time(NULL),
		    u->lk ? &u->lk->f : NULL, need, c);
		if (c->pending) {
			decide_free(c);
			(void)jsonmem_end();
			policy_release(p);
			if (u->lk == NULL ? http_lookup(s, conn, u, need) :
			    http_lookup_more(s, conn, u, need))
				return MHD_YES;
			/* A first lookup fails only for memory, a next round when the set is full. */
			return answer_queue(&s->ans, conn, answer_deny(u->lk == NULL ?
			    "cisgate is out of memory; try again" : DECIDE_TOO_MANY_FACTS_MSG));
		}
	}
	log_debug("%s %s %.200s -> %s (%zu violations)", is_res ? "AuthZRes" : "AuthZReq",
	    c->req.method ? c->req.method : "", c->req.uri ? c->req.uri : "",
	    eval_outcome_name(c->dec.outcome), c->dec.nv);
	/* A log that cannot take the record in its configured file refuses the state change
	 * first, so the record (kept where it can be) says what was answered. */
	if (sh->audit != NULL && audit_degraded(sh->audit))
		(void)decide_audit_failed(p, c);
	if (sh->audit != NULL && audit_wanted(&p->audit, c) &&
	    audit_write(sh->audit, p, c, &flush) != 0) {
		atomic_fetch_add(&sh->audit_failures, 1);
		(void)decide_audit_failed(p, c);
		flush = 0;
	}
	/* A response-phase record tells of what already happened: it is flushed with the
	 * next batch, its answer never waits for the disk. */
	if (is_res)
		flush = 0;
	fail_deny = flush != 0 && decide_audit_denies(p, c);
	/* A create this cisgate allowed (dockerd answers only what every plugin allowed; in
	 * audit mode its findings are recorded already): its plain start runs what was
	 * judged, and is never refused for a lookup that failed (`docker run --rm` would wait
	 * forever for a removal that never comes). */
	if (is_res && c->ep.kind == EP_CONTAINER_CREATE && c->req.status == 201)
		judged_add(sh->judged, p->sha256, c->req.resp_id);
	metrics_decision(c->ep.kind, &c->dec, is_res, metrics_now_ns() - u->t0);
	if (c->dec.allow)
		r = s->ans.allow;
	else {
		atomic_fetch_add(&sh->denies, 1);
		r = answer_deny(c->dec.msg);
	}
	decide_free(c);
	(void)jsonmem_end();
	policy_release(p);
	if (flush == 0)
		return answer_queue(&s->ans, conn, r);
	u->fw.resp = r;
	u->fw.seq = flush;
	u->fw.fail_deny = fail_deny;
	/* Alone in flight, the request flushes here while the disk is quick: handing over to
	 * the flusher and back costs two wake-ups, and nobody else waits on this worker. A slow
	 * or stalled disk is left to the flusher, so reads on this worker never wait behind it. */
	if ((atomic_load_explicit(&sh->inflight, memory_order_relaxed) > 1 ||
	    !audit_flush_quick(sh->audit)) && flusher_defer(s->flusher, conn, &u->fw))
		return MHD_YES;
	/* Alone, or the flusher is stopping: flush here. */
	u->fw.failed = audit_sync(sh->audit, flush) != 0;
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
		u->is_res = false;
		u->lk = NULL;
		memset(&u->fw, 0, sizeof u->fw);
		*con_cls = u;
		atomic_fetch_add(&s->sh->inflight, 1);
		return MHD_YES;
	}
	if (u->fw.done)
		return http_finish(s, conn, u);
	if (u->lk != NULL && atomic_load(&u->lk->done) && !u->lk->decided) {
		u->lk->decided = true;
		return http_authz(s, conn, u, u->is_res);
	}
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
	if (strcmp(method, "POST") != 0)
		return answer_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "cisgate answers POST only");
	if (strcmp(url, "/AuthZPlugin.AuthZReq") == 0)
		return http_authz(s, conn, u, false);
	if (strcmp(url, "/AuthZPlugin.AuthZRes") == 0)
		return http_authz(s, conn, u, u->is_res = true);
	if (strcmp(url, "/Plugin.Activate") == 0)
		return answer_queue(&s->ans, conn, s->ans.activate);
	return answer_error(conn, MHD_HTTP_NOT_FOUND, "unknown plugin method");
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
	answer_drop(&s->ans, u->fw.resp);
	if (u->lk != NULL) {
		facts_clear(&u->lk->f);
		free(u->lk);
	}
	if (u->buf != u->small)
		free(u->buf);
	free(u);
	*con_cls = NULL;
	atomic_fetch_sub(&s->sh->inflight, 1);
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
	jsonmem_install();
	s->sh = sh;
	s->nw = workers ? workers : http_cpus();
	if (s->nw > CG_WORKERS_MAX)
		s->nw = CG_WORKERS_MAX;
	if (answer_init(&s->ans) != 0 || (s->flusher = flusher_start(sh->audit)) == NULL) {
		http_stop(s);
		return NULL;
	}
	/* One epoll worker per CPU, each answering its connections to completion. Measured
	 * (make bench) against a thread per connection: 8 threads on 2 CPUs preempt each
	 * other mid-request (creates at 8 connections: p99 2.0-2.5 ms against 1.3-1.9 ms)
	 * where one worker per CPU runs each request through (README.md). A request parsed
	 * slowly (a body of megabytes) delays the others on its worker; dockerd's are small.
	 * Disk flushes never run on a worker (flusher.c).
	 * Idle connections are closed after idle_timeout_s; CG_CONN_MAX in all. */
	for (i = 0; i < s->nw; i++) {
		s->w[i].d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_NO_LISTEN_SOCKET |
		        MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO,
		    0, NULL, NULL, http_handle, s, MHD_OPTION_NOTIFY_COMPLETED, http_done, s,
		    MHD_OPTION_NOTIFY_CONNECTION, place_notify, &s->w[i],
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(CG_CONN_MAX / s->nw),
		    MHD_OPTION_CONNECTION_TIMEOUT, idle_timeout_s,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, CG_CONN_MEMORY, MHD_OPTION_END);
		if (s->w[i].d == NULL) {
			http_stop(s);
			return NULL;
		}
	}
	if ((s->placer = place_start(fd, s->w, s->nw)) == NULL) {
		http_stop(s);
		return NULL;
	}
	return s;
}

unsigned long
http_open_conns(void *arg)
{
	const struct http_server *s = arg;
	unsigned long n = 0;
	unsigned i;

	for (i = 0; i < s->nw; i++)
		n += atomic_load(&s->w[i].conns);
	return n;
}

unsigned
http_workers(const struct http_server *s)
{
	return s->nw;
}

void
http_quiesce(struct http_server *s)
{
	if (s == NULL)
		return;
	place_stop(s->placer);
	s->placer = NULL;
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
	flusher_stop(s->flusher);
	for (i = 0; i < s->nw; i++)
		if (s->w[i].d != NULL)
			MHD_stop_daemon(s->w[i].d);
	flusher_free(s->flusher);
	answer_fini(&s->ans);
	free(s);
}
