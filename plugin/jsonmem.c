/* jsonmem.c - per-thread bump allocation for one request's JSON (see jsonmem.h). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "cisgate/jsonmem.h"
#include "cisgate/limits.h"
#include "cisgate/log.h"
#include "cisgate/tls.h"

struct arena {
	char *base;
	size_t used;
	size_t live;  /* allocations not yet freed */
	bool active;  /* between jsonmem_begin and jsonmem_end */
	bool warned;  /* values outlived a request: reported once */
};

static _Thread_local struct arena ar;

static bool
jsonmem_holds(const struct arena *a, const void *p)
{
	uintptr_t u = (uintptr_t)p, b = (uintptr_t)a->base;

	return a->base != NULL && u >= b && u < b + CG_JSON_ARENA_SIZE;
}

static void *
jsonmem_malloc(size_t n)
{
	struct arena *a = &ar;
	size_t need = (n + 15) & ~(size_t)15; /* malloc's alignment */

	if (a->active && need >= n && CG_JSON_ARENA_SIZE - a->used >= need) {
		void *p = a->base + a->used;

		a->used += need;
		a->live++;
		return p;
	}
	return malloc(n);
}

static void
jsonmem_free(void *p)
{
	struct arena *a = &ar;

	if (jsonmem_holds(a, p)) {
		a->live--;
		return;
	}
	/* Never the arena of another thread: a request's JSON lives and dies in one. */
	free(p);
}

void
jsonmem_install(void)
{
#ifndef CG_NO_ARENA
	json_set_alloc_funcs(jsonmem_malloc, jsonmem_free);
#else
	(void)jsonmem_malloc;
	(void)jsonmem_free;
#endif
}

bool
jsonmem_begin(void)
{
	struct arena *a = &ar;

	if (a->base == NULL) {
		/* Freed with the thread (tls.c). */
		if ((a->base = tls_get(TLS_JSON_ARENA, CG_JSON_ARENA_SIZE)) == NULL)
			return false;
		a->used = a->live = 0;
	}
	a->active = true;
	return true;
}

size_t
jsonmem_end(void)
{
	struct arena *a = &ar;

	a->active = false;
	if (a->live == 0) {
		a->used = 0;
		return 0;
	}
	/* Still referenced: the bytes handed out stay handed out (later requests allocate
	 * past them, then spill to malloc) until the last of them is freed. */
	if (!a->warned)
		log_warnx("jsonmem: %zu JSON values outlived their request", a->live);
	a->warned = true;
	return a->live;
}

size_t
jsonmem_used(void)
{
	return ar.used;
}

bool
jsonmem_owns(const void *p)
{
	return jsonmem_holds(&ar, p);
}
