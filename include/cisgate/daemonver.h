/* daemonver.h - dockerd's version, read through its API (GET /version) for the
 * daemon-cves rules: synchronously for the command line, from an asynchronous reply for
 * the server (serve.c submits it on the lookup thread: never on a worker). */
#ifndef CISGATE_DAEMONVER_H
#define CISGATE_DAEMONVER_H

#include <stddef.h>
#include <stdint.h>

#include "cisgate/dockerc.h"

/* Reads a GET /version reply: its "Version" into raw (rawsz) and its number into *ver
 * (cves.h encoding). Returns 0, or -1 with err set (status, unreadable, unparsable);
 * *ver is then 0 (unknown). r stays the caller's. Pure. */
int daemonver_from_reply(const struct dockerc_reply *r, uint32_t *ver, char *raw, size_t rawsz,
    char *err, size_t errlen);

/* Asks dockerd at socket for GET /version and reads it as daemonver_from_reply. Blocks up
 * to timeout_ms: for the command line only (dockerd sends cisgate's own GET back to its
 * AuthZ plugins, so a server worker must never wait for it). Returns 0 or -1 as that. */
int daemonver_read(const char *socket, unsigned timeout_ms, uint32_t *ver, char *raw, size_t rawsz,
    char *err, size_t errlen);

#endif
