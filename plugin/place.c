/* place.c - the acceptor thread and the least-loaded worker pick (see place.h).
 * libmicrohttpd's own thread pool lets whichever thread wakes first take a connection,
 * which spreads a few keep-alive connections unevenly. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cisgate/limits.h"
#include "cisgate/log.h"
#include "cisgate/place.h"

struct placer {
	struct place_worker *w;
	unsigned nw, next;
	int lfd, wake; /* listening socket (borrowed), eventfd that stops the acceptor */
	pthread_t t;
};

/* A worker's count goes up when the acceptor hands it a connection (a burst of connects
 * must see its own placements) and down when the worker closes one. */
void
place_notify(void *cls, struct MHD_Connection *conn, void **sock_ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct place_worker *w = cls;

	(void)conn;
	(void)sock_ctx;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&w->conns, 1);
}

/* The worker with the fewest connections; ties go round-robin, so a burst of connects
 * (whose counts are not in yet) still alternates. */
static struct place_worker *
place_pick(struct placer *p)
{
	unsigned i, best = p->next % p->nw, min = UINT32_MAX;

	for (i = 0; i < p->nw; i++) {
		unsigned k = (p->next + i) % p->nw, n = atomic_load(&p->w[k].conns);

		if (n < min) {
			min = n;
			best = k;
		}
	}
	p->next = best + 1;
	return &p->w[best];
}

static void *
place_accept(void *arg)
{
	struct placer *p = arg;
	struct pollfd pf[2] = {{.fd = p->lfd, .events = POLLIN}, {.fd = p->wake, .events = POLLIN}};
	const struct timespec ms10 = {.tv_sec = 0, .tv_nsec = 10000000};
	bool starved = false;

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		struct place_worker *w;
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
		c = accept4(p->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
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
		w = place_pick(p);
		if (atomic_load(&w->conns) >= CG_CONN_MAX / p->nw) {
			/* The least loaded worker is full: all are. */
			log_debug("connection refused: %u open", (unsigned)CG_CONN_MAX);
			close(c);
			continue;
		}
		log_debug("connection to worker %u (%u open there)", (unsigned)(w - p->w),
		    atomic_load(&w->conns));
		atomic_fetch_add(&w->conns, 1);
		/* The worker owns c from here, and closes it if it cannot take it. */
		if (MHD_add_connection(w->d, c, (struct sockaddr *)&ss, sl) != MHD_YES)
			atomic_fetch_sub(&w->conns, 1);
	}
	return NULL;
}

struct placer *
place_start(int lfd, struct place_worker *w, unsigned nw)
{
	struct placer *p = calloc(1, sizeof *p);

	if (p == NULL)
		return NULL;
	p->w = w;
	p->nw = nw;
	p->lfd = lfd;
	if ((p->wake = eventfd(0, EFD_CLOEXEC)) < 0) {
		free(p);
		return NULL;
	}
	if (pthread_create(&p->t, NULL, place_accept, p) != 0) {
		close(p->wake);
		free(p);
		return NULL;
	}
	return p;
}

void
place_stop(struct placer *p)
{
	uint64_t one = 1;

	if (p == NULL)
		return;
	if (write(p->wake, &one, sizeof one) != (ssize_t)sizeof one) {
		/* Without the wake-up the acceptor cannot be joined: leave it running. */
		log_warn("cannot stop the acceptor");
		return;
	}
	(void)pthread_join(p->t, NULL);
	close(p->wake);
	free(p);
}
