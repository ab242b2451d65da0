/* tls.c - per-thread scratch buffers (see tls.h). */
#include <pthread.h>
#include <stdlib.h>

#include "cisgate/tls.h"

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

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
	(void)pthread_key_create(&tls_key, tls_free);
}

void *
tls_get(enum tls_slot slot, size_t size)
{
	void **v;

	pthread_once(&tls_once, tls_make);
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
