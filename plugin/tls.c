/* tls.c - per-thread scratch buffers (see tls.h). */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cisgate/tls.h"

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static bool tls_ok; /* the key exists: set once, under tls_once */

static void
tls_free(void *p)
{
	void **v = p;
	size_t i;

	for (i = 0; i < TLS_SLOTS; i++)
		free(v[i]);
	free(v);
}

static void
tls_make(void)
{
	/* Without a key (out of keys or memory) every tls_get says NULL: callers deny. */
	tls_ok = pthread_key_create(&tls_key, tls_free) == 0;
}

void *
tls_get(enum tls_slot slot, size_t size)
{
	void **v;

	if (pthread_once(&tls_once, tls_make) != 0 || !tls_ok)
		return NULL;
	if ((v = pthread_getspecific(tls_key)) == NULL) {
		if ((v = calloc(TLS_SLOTS, sizeof *v)) == NULL)
			return NULL;
		if (pthread_setspecific(tls_key, v) != 0) {
			free(v);
			return NULL;
		}
	}
	if (v[slot] == NULL)
		v[slot] = malloc(size);
	return v[slot];
}
