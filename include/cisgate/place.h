/* place.h - connection placement: one acceptor thread hands each new connection to the
 * least-loaded worker (a libmicrohttpd daemon without a listening socket). */
#ifndef CISGATE_PLACE_H
#define CISGATE_PLACE_H

#include <microhttpd.h>
#include <stdatomic.h>

/* One worker as the acceptor sees it; the routes own the daemon. */
struct place_worker {
	struct MHD_Daemon *d;
	atomic_uint conns; /* open connections, for placing the next one */
};

struct placer;

/* Starts the acceptor on the listening socket lfd (borrowed) over w[0..nw) (borrowed,
 * every w[i].d started; both must outlive the placer). At most CG_CONN_MAX connections
 * are open at once; past that a new one is closed. Allocates; NULL on failure. */
struct placer *place_start(int lfd, struct place_worker *w, unsigned nw);

/* Stops accepting (joins the acceptor) and frees p; accepts NULL. Connections already
 * placed stay with their workers. */
void place_stop(struct placer *p);

/* The MHD_OPTION_NOTIFY_CONNECTION callback of every worker, with its struct
 * place_worker as cls: counts a closed connection off the worker. */
void place_notify(void *cls, struct MHD_Connection *conn, void **sock_ctx,
    enum MHD_ConnectionNotificationCode code);

#endif
