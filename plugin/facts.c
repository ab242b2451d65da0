/* facts.c - the list of facts one decision needs, and their answers. Pure. */
#include <stdlib.h>
#include <string.h>

#include "cisgate/facts.h"
#include "cisgate/str.h"

void
facts_clear(struct facts *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->f[i].body);
	f->n = 0;
}

int
facts_need(struct facts *f, enum fact_kind kind, const char *ref, const char *why)
{
	struct fact *x;
	size_t i;

	if (ref[0] == '\0' || strlen(ref) >= sizeof x->ref)
		return -1;
	for (i = 0; i < f->n; i++)
		if (f->f[i].kind == kind && strcmp(f->f[i].ref, ref) == 0)
			return (int)i;
	if (f->n >= CG_FACTS_MAX)
		return -1;
	x = &f->f[f->n];
	memset(x, 0, sizeof *x);
	x->kind = kind;
	str_copy(x->ref, ref, sizeof x->ref);
	str_copy(x->why, why, sizeof x->why);
	return (int)f->n++;
}

const struct fact *
facts_get(const struct facts *f, enum fact_kind kind, const char *ref)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->f[i].kind == kind && strcmp(f->f[i].ref, ref) == 0)
			return &f->f[i];
	return NULL;
}

void
facts_answer(struct facts *f, size_t i, long status, char *body, size_t len, const char *err)
{
	struct fact *x;

	if (i >= f->n) {
		free(body);
		return;
	}
	x = &f->f[i];
	free(x->body);
	x->body = NULL;
	x->len = 0;
	if (status == 200 && body != NULL) {
		x->state = FACT_OK;
		x->body = body;
		x->len = len;
		return;
	}
	free(body);
	x->state = status == 404 ? FACT_MISSING : FACT_FAILED;
	str_copy(x->err, err != NULL && err[0] ? err : "no answer", sizeof x->err);
}

const char *
facts_kind_name(enum fact_kind k)
{
	static const char *const names[FACT_KIND_COUNT] = {
		[FACT_CONTAINER] = "container",
		[FACT_IMAGE] = "image",
		[FACT_PLUGIN] = "plugin",
		[FACT_NETWORK] = "network",
		[FACT_PASSWD] = "/etc/passwd of container",
		[FACT_VOLUME] = "volume",
		[FACT_GROUP] = "/etc/group of container",
	};

	return k < FACT_KIND_COUNT ? names[k] : "?";
}
