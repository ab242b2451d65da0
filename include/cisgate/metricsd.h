/* metricsd.h - serves GET /metrics (Prometheus text format) on a loopback TCP address or a
 * unix socket, with libmicrohttpd on one thread of its own, apart from the AuthZ workers. */
#ifndef CISGATE_METRICSD_H
#define CISGATE_METRICSD_H

#include <stddef.h>

#include "cisgate/metrics.h"

#define METRICSD_CONN_MAX 16  /* scrapers at once */
#define METRICSD_TIMEOUT_S 10 /* a silent scraper is closed */

struct metricsd;

/* Binds listen (metrics_listen_parse's form; a unix socket is created 0660, replacing a
 * stale one but never a live listener) and serves it. Turns counting on. Returns a new
 * server (allocates; metricsd_stop), or NULL with err set. */
struct metricsd *metricsd_start(const char *listen, char *err, size_t errlen);

/* Stops serving, closes and removes what it bound, frees m; accepts NULL. */
void metricsd_stop(struct metricsd *m);

#endif
