/* jsonmem.h - a per-thread bump allocator for the JSON of one request.
 *
 * jansson allocates every value, key and buffer of a document separately (~400 allocations
 * for a create) and frees each one again a moment later. Between jsonmem_begin() and
 * jsonmem_end() a thread's jansson allocations come from its own arena instead, and freeing
 * them costs nothing; jsonmem_end() makes the whole arena free again at once. Allocations
 * that do not fit, and all made outside a begin/end pair, go to malloc as before.
 * Built with AddressSanitizer, the arena poisons every byte it has not handed out (the
 * tail, a redzone before each value, each freed value), so ASan reports a use after free,
 * an overflow or a double free of an arena value as it does for malloc's. */
#ifndef CISGATE_JSONMEM_H
#define CISGATE_JSONMEM_H

#include <stdbool.h>
#include <stddef.h>

/* Routes jansson's allocations through the arena. Call once, before any thread uses
 * jansson; every JSON value made before or outside an arena stays malloc's. */
void jsonmem_install(void);

/* Starts serving this thread's jansson allocations from its arena (made on first use,
 * CG_JSON_ARENA_SIZE bytes). Returns false when there is no arena (out of memory): jansson
 * then simply uses malloc. */
bool jsonmem_begin(void);

/* Ends the window. When every value allocated in the arena has been freed, the arena is
 * free again; values still live (a bug) keep their bytes, never handed out twice.
 * Returns the number still live. */
size_t jsonmem_end(void);

/* For tests: bytes handed out by this thread's arena since jsonmem_begin(), and whether p
 * lies in it. */
size_t jsonmem_used(void);
bool jsonmem_owns(const void *p);

#endif
