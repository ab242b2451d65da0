/* flusher.c - the suspend/resume group-commit thread (see flusher.h). */
#include <pthread.h>
#include <stdlib.h>

#include "cisgate/flusher.h"

struct flusher {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct flush_wait *head, *tail;
	bool stopping, stopped; /* stopped: joined (by the one thread that stops it) */
	struct audit *audit;
	pthread_t t;
};

static void *
flusher_run(void *arg)
{
	struct flusher *f = arg;

	for (;;) {
		struct flush_wait *batch, *w, *next;
		unsigned long long upto = 0;
		int rc;

		pthread_mutex_lock(&f->lock);
		while (f->head == NULL && !f->stopping)
			pthread_cond_wait(&f->cond, &f->lock);
		batch = f->head;
		f->head = f->tail = NULL;
		pthread_mutex_unlock(&f->lock);
		if (batch == NULL)
			break; /* stopping, and nothing left to resume */
		for (w = batch; w; w = w->next)
			if (w->seq > upto)
				upto = w->seq;
		rc = audit_sync(f->audit, upto);
		for (w = batch; w; w = next) {
			struct MHD_Connection *conn = w->conn;

			next = w->next; /* w belongs to the worker once resumed */
			w->failed = rc != 0;
			w->done = true;
			MHD_resume_connection(conn);
		}
	}
	return NULL;
}

struct flusher *
flusher_start(struct audit *a)
{
	struct flusher *f = calloc(1, sizeof *f);

	if (f == NULL)
		return NULL;
	f->audit = a;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (pthread_create(&f->t, NULL, flusher_run, f) != 0) {
		pthread_cond_destroy(&f->cond);
		pthread_mutex_destroy(&f->lock);
		free(f);
		return NULL;
	}
	return f;
}

bool
flusher_defer(struct flusher *f, struct MHD_Connection *conn, struct flush_wait *w)
{
	pthread_mutex_lock(&f->lock);
	if (f->stopping) {
		pthread_mutex_unlock(&f->lock);
		return false;
	}
	w->conn = conn;
	w->next = NULL;
	MHD_suspend_connection(conn);
	if (f->tail)
		f->tail->next = w;
	else
		f->head = w;
	f->tail = w;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return true;
}

void
flusher_stop(struct flusher *f)
{
	if (f == NULL || f->stopped)
		return;
	/* Every suspended connection must be resumed before its daemon stops: the thread
	 * drains its queue before it ends. */
	pthread_mutex_lock(&f->lock);
	f->stopping = true;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	(void)pthread_join(f->t, NULL);
	f->stopped = true;
}

void
flusher_free(struct flusher *f)
{
	if (f == NULL)
		return;
	flusher_stop(f);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}
