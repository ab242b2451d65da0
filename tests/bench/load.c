/* load - a keep-alive load generator for AuthZ plugins on a unix socket: one connection
 * per thread, a bounded duration, requests taken round-robin from the files given
 * (NNNN-AuthZReq.json / NNNN-AuthZRes.json, or any file for AuthZReq).
 * Usage: load SOCKET CONNECTIONS SECONDS FILE...
 * LOAD_REQUESTS=N stops after N requests in all. A connection the server closes is
 * reopened and counted as an error.
 * Prints one line: requests/s and latency p50/p99/p99.9/max in microseconds. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BUCKETS 100000 /* 1 us buckets up to 100 ms; slower lands in the last */

struct req {
	char *data;
	size_t len;
};

static struct req *reqs;
static int nreqs;
static const char *sock_path;
static double seconds;
static uint64_t per_thread_max = UINT64_MAX; /* LOAD_REQUESTS / connections */

struct worker {
	pthread_t t;
	int id;
	uint64_t done, errors, max_ns;
	uint32_t *hist;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
conn(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Reads one HTTP response (Content-Length framed). Returns 0 or -1. */
static int
read_resp(int fd, char *buf, size_t cap)
{
	size_t len = 0, need = 0;
	char *h;

	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len - 1);

		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if ((h = strstr(buf, "\r\n\r\n")) != NULL) {
			char *cl = strcasestr(buf, "content-length:");

			need = (size_t)(h + 4 - buf) + (cl && cl < h ? strtoul(cl + 15, NULL, 10) : 0);
			if (len >= need)
				return 0;
		}
		if (len + 1 >= cap)
			return -1;
	}
}

static void *
run(void *arg)
{
	struct worker *w = arg;
	char buf[65536];
	double end = now_s() + seconds;
	int fd = conn(), i = w->id % nreqs;

	while (fd >= 0 && now_s() < end && w->done + w->errors < per_thread_max) {
		struct timespec a, b;
		size_t off = 0;
		uint64_t ns;

		clock_gettime(CLOCK_MONOTONIC, &a);
		while (off < reqs[i].len) {
			ssize_t n = write(fd, reqs[i].data + off, reqs[i].len - off);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		if (off < reqs[i].len || read_resp(fd, buf, sizeof buf) != 0) {
			w->errors++;
			close(fd);
			fd = conn();
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = (uint64_t)((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
		w->hist[ns / 1000 < BUCKETS ? ns / 1000 : BUCKETS - 1]++;
		if (ns > w->max_ns)
			w->max_ns = ns;
		w->done++;
		if (++i == nreqs)
			i = 0;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static double
pct(const uint32_t *h, uint64_t total, double p)
{
	uint64_t want = (uint64_t)(p * (double)total), acc = 0;
	int i;

	for (i = 0; i < BUCKETS; i++) {
		acc += h[i];
		if (acc > want)
			return i + 0.5;
	}
	return BUCKETS;
}

int
main(int argc, char **argv)
{
	int conns, i, j;
	struct worker *w;
	uint32_t *hist;
	uint64_t total = 0, errors = 0, max = 0;
	double t0, el;

	if (argc < 5) {
		fprintf(stderr, "usage: load SOCKET CONNECTIONS SECONDS FILE...\n");
		return 2;
	}
	/* A server killed mid-request must show up as an error, not kill the generator. */
	signal(SIGPIPE, SIG_IGN);
	sock_path = argv[1];
	conns = atoi(argv[2]);
	seconds = atof(argv[3]);
	if (conns < 1 || conns > 256 || seconds <= 0 || seconds > 600)
		return 2;
	nreqs = argc - 4;
	reqs = calloc((size_t)nreqs, sizeof *reqs);
	for (i = 0; i < nreqs; i++) {
		FILE *f = fopen(argv[4 + i], "rb");
		const char *route = strstr(argv[4 + i], "AuthZRes") ? "AuthZPlugin.AuthZRes" :
		    strstr(argv[4 + i], "Activate") ? "Plugin.Activate" : "AuthZPlugin.AuthZReq";
		char *body;
		long n;
		int hl;

		if (f == NULL) {
			perror(argv[4 + i]);
			return 2;
		}
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		body = malloc((size_t)n + 1);
		if (fread(body, 1, (size_t)n, f) != (size_t)n)
			return 2;
		fclose(f);
		reqs[i].data = malloc((size_t)n + 256);
		hl = snprintf(reqs[i].data, 256, "POST /%s HTTP/1.1\r\nHost: plugin\r\n"
		    "Accept: application/vnd.docker.plugins.v1.2+json\r\nContent-Length: %ld\r\n\r\n",
		    route, n);
		memcpy(reqs[i].data + hl, body, (size_t)n);
		reqs[i].len = (size_t)hl + (size_t)n;
		free(body);
	}
	if (getenv("LOAD_REQUESTS") != NULL)
		per_thread_max = strtoull(getenv("LOAD_REQUESTS"), NULL, 10) / (uint64_t)conns;
	w = calloc((size_t)conns, sizeof *w);
	t0 = now_s();
	for (i = 0; i < conns; i++) {
		w[i].id = i * 7;
		w[i].hist = calloc(BUCKETS, sizeof(uint32_t));
		pthread_create(&w[i].t, NULL, run, &w[i]);
	}
	hist = calloc(BUCKETS, sizeof(uint32_t));
	for (i = 0; i < conns; i++) {
		pthread_join(w[i].t, NULL);
		for (j = 0; j < BUCKETS; j++)
			hist[j] += w[i].hist[j];
		total += w[i].done;
		errors += w[i].errors;
		if (w[i].max_ns > max)
			max = w[i].max_ns;
	}
	el = now_s() - t0;
	printf("%.0f req/s  p50 %.0f us  p99 %.0f us  p99.9 %.0f us  max %.0f us  (%llu requests, "
	    "%llu errors, %d conns)\n", (double)total / el, pct(hist, total, 0.5),
	    pct(hist, total, 0.99), pct(hist, total, 0.999), (double)max / 1000.0,
	    (unsigned long long)total, (unsigned long long)errors, conns);
	return errors > total / 100 ? 1 : 0;
}
