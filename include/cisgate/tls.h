/* tls.h - per-thread scratch buffers: allocated on a thread's first use, freed when the
 * thread ends, so the request path allocates nothing and valgrind sees no leak. */
#ifndef CISGATE_TLS_H
#define CISGATE_TLS_H

#include <stddef.h>

enum tls_slot { TLS_DECIDE_CTX, TLS_AUDIT_RECORD, TLS_JSON_ARENA, TLS_FACTS, TLS_SLOTS };

/* This thread's buffer for slot: size bytes, uninitialised, allocated on the first call
 * (later calls must ask for the same size). The thread owns it. NULL when out of memory
 * or when no thread key could be made. */
void *tls_get(enum tls_slot slot, size_t size);

#endif
