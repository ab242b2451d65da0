/* jsonmem.c - per-thread bump allocation for one request's JSON (see jsonmem.h). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "cisgate/jsonmem.h"
#include "cisgate/limits.h"
#include "cisgate/log.h"
#include "cisgate/tls.h"

/* Under AddressSanitizer every byte of the arena that is not handed out is poisoned: the
 * unused tail, the header before each value and each value once freed. So a use after free,
 * an overflow into the next value or a double free of an arena value is reported as it is
 * for malloc's memory, and the sanitized builds test the allocator the daemon really runs. */
#if defined(__SANITIZE_ADDRESS__)
#define JSONMEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JSONMEM_ASAN 1
#endif
#endif

#ifdef JSONMEM_ASAN
#include <sanitizer/asan_interface.h>
/* Before each value: its size (read back when it is freed) and a redzone. */
#define JSONMEM_HDR 16
#define JSONMEM_NOASAN __attribute__((no_sanitize_address))
#else
#define JSONMEM_HDR 0
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

struct arena {
	char *base;
	size_t used;
	size_t live; /* allocations not yet freed */
	bool active; /* between jsonmem_begin and jsonmem_end */
	bool warned; /* values outlived a request: reported once */
};

static _Thread_local struct arena ar;

static bool
jsonmem_holds(const struct arena *a, const void *p)
{
	uintptr_t u = (uintptr_t)p, b = (uintptr_t)a->base;

	return a->base != NULL && u >= b && u < b + CG_JSON_ARENA_SIZE;
}

#ifdef JSONMEM_ASAN
/* The header lies in poisoned memory: only these two touch it. */
static JSONMEM_NOASAN void
jsonmem_hdr_set(char *p, size_t n)
{
	*(size_t *)(void *)(p - JSONMEM_HDR) = n;
}

static JSONMEM_NOASAN size_t
jsonmem_hdr_get(const void *p)
{
	return *(const size_t *)(const void *)((const char *)p - JSONMEM_HDR);
}
#else
#define jsonmem_hdr_set(p, n) ((void)(p), (void)(n))
#define jsonmem_hdr_get(p) ((void)(p), (size_t)0)
#endif

static void *
jsonmem_malloc(size_t n)
{
	struct arena *a = &ar;
	size_t need = (n + 15) & ~(size_t)15; /* malloc's alignment */

#ifdef JSONMEM_ASAN
	/* One unpoisoned byte, so that its free is not taken for a double free. */
	if (n == 0)
		need = 16;
#endif
	/* need >= n: the rounding did not wrap; then need + JSONMEM_HDR cannot either. */
	if (a->active && need >= n && need <= CG_JSON_ARENA_SIZE &&
	    CG_JSON_ARENA_SIZE - a->used >= need + JSONMEM_HDR) {
		char *p = a->base + a->used + JSONMEM_HDR;

		a->used += need + JSONMEM_HDR;
		a->live++;
		jsonmem_hdr_set(p, n > 0 ? n : 1);
		ASAN_UNPOISON_MEMORY_REGION(p, n > 0 ? n : 1);
		return p;
	}
	return malloc(n);
}

static void
jsonmem_free(void *p)
{
	struct arena *a = &ar;

	if (jsonmem_holds(a, p)) {
#ifdef JSONMEM_ASAN
		/* Freed before (or never handed out): reading it makes ASan stop here
		 * with a use-after-poison report and this stack. */
		if (__asan_address_is_poisoned(p))
			(void)*(volatile const char *)p;
#endif
		ASAN_POISON_MEMORY_REGION(p, jsonmem_hdr_get(p));
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
		ASAN_POISON_MEMORY_REGION(a->base, CG_JSON_ARENA_SIZE);
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
		/* Every value was poisoned as it was freed, the tail never unpoisoned. */
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
