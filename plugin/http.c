/* http.c - the AuthZ routes on libmicrohttpd. Every answer is decided by decide_*;
 * this file only moves bytes and never decides anything itself. */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cisgate/decide.h"
#include "cisgate/http.h"
#include "cisgate/limits.h"
#include "cisgate/log.h"
#include "cisgate/str.h"

struct http_server {
	struct MHD_Daemon *d;
	struct http_shared *sh;
	struct MHD_Response *r_allow, *r_activate;
};

/* One request's upload: a small inline buffer, growing on the heap to the limit. */
struct upload {
	char *buf;
	size_t len, cap;
	bool overflow;
	bool busy; /* the global upload budget was spent */
	char small[4096];
};

static const char ALLOW[] = "{\"Allow\":true}";
static const char ACTIVATE[] = "{\"Implements\":[\"authz\"]}";

/* Each worker thread keeps one decision context (~70 KiB): no allocation per request. */
static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void
ctx_key_make(void)
{
	(void)pthread_key_create(&ctx_key, free);
}

static struct decide_ctx *
ctx_get(void)
{
	struct decide_ctx *c = pthread_getspecific(ctx_key);

	if (c == NULL && (c = malloc(sizeof *c)) != NULL)
		(void)pthread_setspecific(ctx_key, c);
	return c;
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

static enum MHD_Result
http_deny(struct MHD_Connection *c, const char *msg)
{
	char buf[CG_MSG_MAX * 6 + 64];
	struct strbuf sb;
	struct MHD_Response *r;
	enum MHD_Result ret;

	/* Escaping at most sextuples a byte (\u00XX): buf always holds a CG_MSG_MAX message. */
	str_init(&sb, buf, sizeof buf);
	str_append(&sb, "{\"Allow\":false,\"Msg\":");
	str_append_json(&sb, msg, CG_MSG_MAX);
	str_append(&sb, "}");
	if (sb.truncated)
		return MHD_NO;
	r = MHD_create_response_from_buffer(sb.len, buf, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
http_authz(struct http_server *s, struct MHD_Connection *conn, struct upload *u, bool is_res)
{
	struct http_shared *sh = s->sh;
	struct decide_ctx *c = ctx_get();
	struct policy *p;
	enum MHD_Result ret;

	atomic_fetch_add(&sh->requests, 1);
	if (c == NULL)
		return http_deny(conn, "cisgate is out of memory; try again");
	p = http_policy_get(sh);
	if (u->overflow) {
		/* Never read, still decided and recorded: a deny like any other. */
		decide_unread(c, is_res, u->busy ?
		    "cisgate is busy with other large requests; retry" :
		    "the AuthZ request is larger than cisgate accepts (8 MiB); send a smaller "
		    "request body");
	} else
		decide_envelope(p, u->buf ? u->buf : "", u->len, is_res, time(NULL), c);
	log_debug("%s %s %.200s -> %s (%zu violations)", is_res ? "AuthZRes" : "AuthZReq",
	    c->req.method ? c->req.method : "", c->req.uri ? c->req.uri : "",
	    eval_outcome_name(c->dec.outcome), c->dec.nv);
	if (sh->audit != NULL && audit_wanted(&p->audit, c)) {
		if (audit_write(sh->audit, p, c) != 0) {
			atomic_fetch_add(&sh->audit_failures, 1);
			/* An unaudited state change is not allowed unless the policy says so. */
			if (c->dec.allow && !c->req.is_response && c->ep.state_changing &&
			    !p->audit.fail_allow) {
				decide_free(c);
				policy_release(p);
				atomic_fetch_add(&sh->denies, 1);
				return http_deny(conn, "cisgate denied this request: the audit log cannot "
				    "be written (disk full or permissions); ask an administrator");
			}
		}
	}
	if (c->dec.allow)
		ret = MHD_queue_response(conn, MHD_HTTP_OK, s->r_allow);
	else {
		atomic_fetch_add(&sh->denies, 1);
		ret = http_deny(conn, c->dec.msg);
	}
	decide_free(c);
	policy_release(p);
	return ret;
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
		*con_cls = u;
		atomic_fetch_add(&s->sh->inflight, 1);
		return MHD_YES;
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

struct http_server *
http_start(int fd, unsigned idle_timeout_s, struct http_shared *sh)
{
	struct http_server *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	pthread_once(&ctx_once, ctx_key_make);
	s->sh = sh;
	s->r_allow = http_static(ALLOW);
	s->r_activate = http_static(ACTIVATE);
	if (s->r_allow == NULL || s->r_activate == NULL) {
		http_stop(s);
		return NULL;
	}
	/* A thread per connection, measured against a thread pool (make bench): dockerd keeps a
	 * few keep-alive connections, and a thread each spreads them evenly over the CPUs;
	 * the pool's epoll threads took connections unevenly (bodyless requests at 8
	 * connections: ~48k req/s pooled, ~74k per connection). Idle connections are closed
	 * after idle_timeout_s and capped at CG_CONN_MAX. */
	s->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	        MHD_USE_POLL | MHD_USE_ITC | MHD_USE_TURBO,
	    0, NULL, NULL, http_handle, s, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_NOTIFY_COMPLETED, http_done, s, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)CG_CONN_MAX, MHD_OPTION_CONNECTION_TIMEOUT, idle_timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, CG_CONN_MEMORY, MHD_OPTION_END);
	if (s->d == NULL) {
		http_stop(s);
		return NULL;
	}
	return s;
}

void
http_quiesce(struct http_server *s)
{
	if (s != NULL && s->d != NULL)
		(void)MHD_quiesce_daemon(s->d);
}

void
http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	if (s->r_allow)
		MHD_destroy_response(s->r_allow);
	if (s->r_activate)
		MHD_destroy_response(s->r_activate);
	free(s);
}
