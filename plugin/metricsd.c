/* metricsd.c - the metrics listener: GET /metrics, nothing else, on its own MHD thread. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cisgate/metricsd.h"
#include "cisgate/str.h"

struct metricsd {
	struct MHD_Daemon *d;
	int fd;
	char unlink_path[108]; /* the unix socket to remove at stop, or "" */
};

static enum MHD_Result
metricsd_handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_len, void **con_cls)
{
	static const char NOT_FOUND[] = "cisgate serves GET /metrics only\n";
	struct MHD_Response *r;
	enum MHD_Result ret;
	unsigned status = MHD_HTTP_OK;
	char *text;
	size_t len;

	(void)cls;
	(void)version;
	(void)upload;
	(void)con_cls;
	/* No body is read: anything uploaded is dropped with the answer. */
	*upload_len = 0;
	if (strcmp(method, "GET") != 0 || strcmp(url, "/metrics") != 0) {
		r = MHD_create_response_from_buffer(sizeof NOT_FOUND - 1,
		    (void *)(uintptr_t)NOT_FOUND, MHD_RESPMEM_PERSISTENT);
		status =
		    strcmp(method, "GET") != 0 ? MHD_HTTP_METHOD_NOT_ALLOWED : MHD_HTTP_NOT_FOUND;
	} else if ((text = metrics_render(&len)) == NULL) {
		static const char OOM[] = "out of memory\n";

		r = MHD_create_response_from_buffer(sizeof OOM - 1, (void *)(uintptr_t)OOM,
		    MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
	} else
		r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A unix socket: a live listener is never replaced, a stale file is. */
static int
metricsd_bind_unix(struct metricsd *m, const struct metrics_listen *ml, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	str_copy(sa.sun_path, ml->path, sizeof sa.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		close(fd);
		snprintf(err, errlen, "metrics: %s: another process listens there", ml->path);
		return -1;
	}
	close(fd);
	if (unlink(ml->path) != 0 && errno != ENOENT)
		goto fail;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || chmod(ml->path, 0660) != 0 ||
	    listen(fd, 16) != 0) {
		close(fd);
		goto fail;
	}
	str_copy(m->unlink_path, ml->path, sizeof m->unlink_path);
	return fd;
fail:
	snprintf(err, errlen, "metrics: %s: %s", ml->path, strerror(errno));
	return -1;
}

static int
metricsd_bind_tcp(const struct metrics_listen *ml, const char *listen_s, char *err, size_t errlen)
{
	struct sockaddr_in s4 = {.sin_family = AF_INET};
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	struct sockaddr *sa;
	socklen_t sl;
	int fd, one = 1;

	if (ml->is_v6) {
		s6.sin6_addr = in6addr_loopback;
		s6.sin6_port = htons(ml->port);
		sa = (struct sockaddr *)&s6;
		sl = sizeof s6;
	} else {
		s4.sin_addr = ml->v4;
		s4.sin_port = htons(ml->port);
		sa = (struct sockaddr *)&s4;
		sl = sizeof s4;
	}
	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, sa, sl) != 0 || listen(fd, 16) != 0) {
		snprintf(err, errlen,
		    "metrics: %s: %s (under systemd's PrivateNetwork=yes only "
		    "unix:/PATH works; see the README)",
		    listen_s, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct metricsd *
metricsd_start(const char *listen_s, char *err, size_t errlen)
{
	struct metrics_listen ml;
	struct metricsd *m;

	if (metrics_listen_parse(listen_s, &ml, err, errlen) != 0)
		return NULL;
	if ((m = calloc(1, sizeof *m)) == NULL) {
		snprintf(err, errlen, "metrics: out of memory");
		return NULL;
	}
	m->fd = ml.is_unix ? metricsd_bind_unix(m, &ml, err, errlen) :
	                     metricsd_bind_tcp(&ml, listen_s, err, errlen);
	if (m->fd < 0) {
		free(m);
		return NULL;
	}
	metrics_enable(true);
	m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
	    metricsd_handle, NULL, MHD_OPTION_LISTEN_SOCKET, m->fd, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)METRICSD_CONN_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)METRICSD_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
	    MHD_OPTION_END);
	if (m->d == NULL) {
		snprintf(err, errlen, "metrics: cannot start the HTTP server on %s", listen_s);
		metricsd_stop(m);
		return NULL;
	}
	return m;
}

void
metricsd_stop(struct metricsd *m)
{
	if (m == NULL)
		return;
	/* MHD closes the listening socket it was given when it stops. */
	if (m->d != NULL)
		MHD_stop_daemon(m->d);
	else if (m->fd >= 0)
		close(m->fd);
	if (m->unlink_path[0] != '\0')
		(void)unlink(m->unlink_path);
	free(m);
}
