/* lookup.c - one GET per fact, all at once, through the lookup thread. */
#include <stdlib.h>
#include <string.h>

#include "cisgate/lookup.h"
#include "cisgate/metrics.h"
#include "cisgate/str.h"

int
lookup_path(const struct fact *x, char *out, size_t outsz)
{
	static const char *const prefix[FACT_KIND_COUNT] = {
		[FACT_CONTAINER] = "/containers/",
		[FACT_IMAGE] = "/images/",
		[FACT_PLUGIN] = "/plugins/",
		[FACT_NETWORK] = "/networks/",
		[FACT_PASSWD] = "/containers/",
		[FACT_VOLUME] = "/volumes/",
		[FACT_GROUP] = "/containers/",
	};
	static const char *const suffix[FACT_KIND_COUNT] = {
		[FACT_CONTAINER] = "/json",
		[FACT_IMAGE] = "/json",
		[FACT_PLUGIN] = "/json",
		[FACT_NETWORK] = "",
		[FACT_PASSWD] = "/archive?path=%2Fetc%2Fpasswd",
		[FACT_VOLUME] = "",
		[FACT_GROUP] = "/archive?path=%2Fetc%2Fgroup",
	};

	if (x->kind >= FACT_KIND_COUNT)
		return -1;
	return dockerc_path(out, outsz, prefix[x->kind], x->ref, suffix[x->kind]);
}

/* What each GET carries back to its set. */
struct lookup_one {
	struct lookup_set *s;
	size_t i;
	uint64_t t0; /* metrics: when it was asked */
};

static void
lookup_done(void *arg, struct dockerc_reply *r)
{
	struct lookup_one *o = arg;
	struct lookup_set *s = o->s;

	metrics_lookup(r->status == 200, metrics_now_ns() - o->t0);
	facts_answer(s->facts, o->i, r->status, r->body, r->len, r->err);
	r->body = NULL; /* taken over by the fact */
	dockerc_reply_free(r);
	free(o);
	if (atomic_fetch_sub(&s->left, 1) == 1)
		s->ready(s->arg);
}

int
lookup_start(struct lookup_set *s, struct dockerc *c, struct facts *f, lookup_ready_fn ready,
    void *arg)
{
	size_t i, pending = 0;
	char path[CG_DOCKERC_PATH_MAX];

	s->facts = f;
	s->ready = ready;
	s->arg = arg;
	for (i = 0; i < f->n; i++)
		if (f->f[i].state == FACT_PENDING)
			pending++;
	if (c == NULL || pending == 0) {
		for (i = 0; i < f->n; i++)
			if (f->f[i].state == FACT_PENDING)
				facts_answer(f, i, 0, NULL, 0, "cisgate has no connection to dockerd "
				    "(daemon.socket)");
		return -1;
	}
	/* One extra count held while submitting, so ready cannot run mid-loop. */
	atomic_init(&s->left, (unsigned)pending + 1);
	for (i = 0; i < f->n; i++) {
		struct lookup_one *o;

		if (f->f[i].state != FACT_PENDING)
			continue;
		if (lookup_path(&f->f[i], path, sizeof path) != 0 ||
		    (o = malloc(sizeof *o)) == NULL) {
			facts_answer(f, i, 0, NULL, 0, "cannot ask dockerd (name too long or out "
			    "of memory)");
			atomic_fetch_sub(&s->left, 1);
			continue;
		}
		o->s = s;
		o->i = i;
		o->t0 = metrics_now_ns();
		if (dockerc_submit(c, path, lookup_done, o) != 0) {
			free(o);
			facts_answer(f, i, 0, NULL, 0, "cisgate is looking up too much in dockerd "
			    "at once; retry");
			atomic_fetch_sub(&s->left, 1);
		}
	}
	if (atomic_fetch_sub(&s->left, 1) == 1)
		ready(arg);
	return 0;
}

void
lookup_run_sync(const char *socket, unsigned timeout_ms, struct facts *f)
{
	char path[CG_DOCKERC_PATH_MAX];
	size_t i;

	for (i = 0; i < f->n; i++) {
		struct dockerc_reply r;

		if (f->f[i].state != FACT_PENDING)
			continue;
		if (lookup_path(&f->f[i], path, sizeof path) != 0) {
			facts_answer(f, i, 0, NULL, 0, "name too long to look up");
			continue;
		}
		(void)dockerc_get(socket, timeout_ms, path, &r);
		facts_answer(f, i, r.status, r.body, r.len, r.err);
	}
}
