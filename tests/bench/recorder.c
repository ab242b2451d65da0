/* recorder - an AuthZ plugin that allows everything and writes each call dockerd makes to
 * DIR/NNNN-<method>.json, to record a real request mix for the benchmark.
 * Usage: recorder SOCKET DIR */
#include <microhttpd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct up {
	char *buf;
	size_t len;
};

static const char *dir;
static atomic_int seq;

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *m, const char *v,
    const char *data, size_t *size, void **ptr)
{
	static char allow[] = "{\"Allow\":true}", act[] = "{\"Implements\":[\"authz\"]}";
	struct up *u = *ptr;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char path[1024];
	FILE *f;

	(void)cls;
	(void)m;
	(void)v;
	if (u == NULL) {
		*ptr = calloc(1, sizeof *u);
		return *ptr ? MHD_YES : MHD_NO;
	}
	if (*size) {
		char *nb = realloc(u->buf, u->len + *size);

		if (nb == NULL)
			return MHD_NO;
		u->buf = nb;
		memcpy(u->buf + u->len, data, *size);
		u->len += *size;
		*size = 0;
		return MHD_YES;
	}
	if (strstr(url, "AuthZ") != NULL) {
		snprintf(path, sizeof path, "%s/%04d-%s.json", dir, atomic_fetch_add(&seq, 1),
		    url[1] == 'A' && strstr(url, "Res") ? "AuthZRes" : "AuthZReq");
		if ((f = fopen(path, "wb")) != NULL) {
			fwrite(u->buf, 1, u->len, f);
			fclose(f);
		}
	}
	r = MHD_create_response_from_buffer(strstr(url, "Activate") ? strlen(act) : strlen(allow),
	    strstr(url, "Activate") ? act : allow, MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static void
done(void *cls, struct MHD_Connection *c, void **ptr, enum MHD_RequestTerminationCode t)
{
	struct up *u = *ptr;

	(void)cls;
	(void)c;
	(void)t;
	if (u) {
		free(u->buf);
		free(u);
	}
	*ptr = NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct MHD_Daemon *d;
	sigset_t set;
	int fd, sig;

	if (argc != 3)
		return 2;
	dir = argv[2];
	snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 64))
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, handle,
	    NULL, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
	    MHD_OPTION_END);
	if (d == NULL)
		return 1;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	unlink(argv[1]);
	return 0;
}
