/* checkout.c - `cisgate check`'s output: verdicts kept, sorted by name so two runs over
 * the same fleet print the same lines, then a summary a person reads first. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/checkout.h"
#include "cisgate/rules.h"

struct citem {
	char *name, *image, *msg;
	size_t seq; /* input order, the tie-break */
	enum outcome outcome;
	bool allow, would_deny;
	size_t nv;
	struct cviol {
		int rule;
		enum action action;
		char *waived_by;
		char *expired; /* "NAME expired on DATE": an exemption that would have waived it */
		char *text;
	} * v;
};

struct checkout {
	enum check_format fmt;
	struct citem *items;
	size_t n, cap;
};

int
checkout_format(const char *name, enum check_format *f)
{
	if (strcmp(name, "text") == 0)
		*f = CHECK_TEXT;
	else if (strcmp(name, "json") == 0)
		*f = CHECK_JSON;
	else if (strcmp(name, "table") == 0)
		*f = CHECK_TABLE;
	else
		return -1;
	return 0;
}

struct checkout *
checkout_new(enum check_format f)
{
	struct checkout *o = calloc(1, sizeof *o);

	if (o != NULL)
		o->fmt = f;
	return o;
}

static char *
checkout_dup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static void
checkout_item_free(struct citem *it)
{
	size_t i;

	for (i = 0; i < it->nv; i++) {
		free(it->v[i].waived_by);
		free(it->v[i].expired);
		free(it->v[i].text);
	}
	free(it->v);
	free(it->name);
	free(it->image);
	free(it->msg);
}

int
checkout_add(struct checkout *o, const char *name, const char *image, const struct decision *d,
    const char *msg)
{
	struct citem *it;
	size_t i;

	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 64;
		struct citem *ni = realloc(o->items, nc * sizeof *ni);

		if (ni == NULL)
			return -1;
		o->items = ni;
		o->cap = nc;
	}
	it = &o->items[o->n];
	memset(it, 0, sizeof *it);
	it->seq = o->n;
	it->outcome = d->outcome;
	it->allow = d->allow;
	it->would_deny = d->would_deny;
	it->name = checkout_dup(name);
	it->image = checkout_dup(image);
	it->msg = msg != NULL ? strdup(msg) : NULL;
	if (it->name == NULL || it->image == NULL || (msg != NULL && it->msg == NULL))
		goto fail;
	if (d->nv > 0 && (it->v = calloc(d->nv, sizeof *it->v)) == NULL)
		goto fail;
	for (i = 0; i < d->nv; i++) {
		struct cviol *cv = &it->v[i];

		it->nv++;
		cv->rule = d->v[i].rule;
		cv->action = d->v[i].action;
		if ((cv->text = strdup(d->v[i].text)) == NULL)
			goto fail;
		if (d->v[i].waived_by != NULL &&
		    (cv->waived_by = strdup(d->v[i].waived_by->name)) == NULL)
			goto fail;
		if (d->v[i].expired != NULL) {
			char day[32], buf[CG_POLICY_STR_MAX + 64];
			struct tm tm;

			if (gmtime_r(&d->v[i].expired->expires, &tm) == NULL ||
			    strftime(day, sizeof day, "%Y-%m-%d %H:%M UTC", &tm) == 0)
				str_copy(day, "?", sizeof day);
			snprintf(buf, sizeof buf, "%s expired on %s", d->v[i].expired->name, day);
			if ((cv->expired = strdup(buf)) == NULL)
				goto fail;
		}
	}
	o->n++;
	return 0;
fail:
	checkout_item_free(it);
	return -1;
}

static int
checkout_cmp(const void *a, const void *b)
{
	const struct citem *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const char *
checkout_rule_name(int r)
{
	return r >= 0 && r < R_COUNT ? rules_table[r].name : "request";
}

/* The items in print order: a sorted array of pointers (allocates), or NULL. */
static const struct citem **
checkout_sorted(const struct checkout *o)
{
	struct citem *tmp;
	const struct citem **order;
	size_t i;

	if (o->n == 0)
		return NULL;
	/* qsort is not stable; seq makes the order total. */
	if ((tmp = malloc(o->n * sizeof *tmp)) == NULL)
		return NULL;
	memcpy(tmp, o->items, o->n * sizeof *tmp);
	qsort(tmp, o->n, sizeof *tmp, checkout_cmp);
	if ((order = malloc(o->n * sizeof *order)) == NULL) {
		free(tmp);
		return NULL;
	}
	for (i = 0; i < o->n; i++)
		order[i] = &o->items[tmp[i].seq];
	free(tmp);
	return order;
}

struct csum {
	size_t allowed, denied, warned, would_deny;
	size_t rule_items[R_COUNT + 1]; /* [R_COUNT]: requests cisgate could not read */
};

static void
checkout_summary(const struct checkout *o, struct csum *s)
{
	size_t i, j;
	int r;

	memset(s, 0, sizeof *s);
	for (i = 0; i < o->n; i++) {
		const struct citem *it = &o->items[i];
		bool seen[R_COUNT + 1] = {false};

		if (!it->allow)
			s->denied++;
		else if (it->outcome == OUT_WARN)
			s->warned++;
		else
			s->allowed++;
		if (it->would_deny)
			s->would_deny++;
		for (j = 0; j < it->nv; j++) {
			if (it->v[j].waived_by != NULL || it->v[j].action == ACT_OFF)
				continue;
			r = it->v[j].rule >= 0 && it->v[j].rule < R_COUNT ? it->v[j].rule : R_COUNT;
			if (!seen[r])
				s->rule_items[r]++;
			seen[r] = true;
		}
	}
}

static const char *
checkout_verdict(const struct citem *it)
{
	return it->allow ? (it->outcome == OUT_WARN ? "warn" : "allow") : "deny";
}

static void
checkout_text(const struct checkout *o, const struct citem **order, FILE *f)
{
	size_t i, j;

	for (i = 0; i < o->n; i++) {
		const struct citem *it = order[i];

		fprintf(f, "%s: %s%s\n", it->name, eval_outcome_name(it->outcome),
		    it->would_deny ? " (audit mode: would deny)" : "");
		for (j = 0; j < it->nv; j++) {
			fprintf(f, "  %s (%s)", it->v[j].text, policy_action_name(it->v[j].action));
			if (it->v[j].waived_by)
				fprintf(f, " waived by exemption %s", it->v[j].waived_by);
			if (it->v[j].expired)
				fprintf(f, " (exemption %s)", it->v[j].expired);
			fprintf(f, "\n");
		}
		if (!it->allow && it->msg != NULL)
			fprintf(f, "message: %s\n", it->msg);
	}
}

static void
checkout_table(const struct checkout *o, const struct citem **order, FILE *f)
{
	size_t i, j, wn = 4, wi = 5;

	for (i = 0; i < o->n; i++) {
		size_t a = strlen(order[i]->name), b = strlen(order[i]->image);

		wn = a > wn ? (a > 40 ? 40 : a) : wn;
		wi = b > wi ? (b > 40 ? 40 : b) : wi;
	}
	fprintf(f, "%-*s  %-*s  %-8s  %s\n", (int)wn, "NAME", (int)wi, "IMAGE", "DECISION",
	    "RULES");
	for (i = 0; i < o->n; i++) {
		const struct citem *it = order[i];
		bool first = true;

		fprintf(f, "%-*.*s  %-*.*s  %-8s  ", (int)wn, (int)wn, it->name, (int)wi, (int)wi,
		    it->image[0] ? it->image : "-", checkout_verdict(it));
		for (j = 0; j < it->nv; j++) {
			if (it->v[j].action == ACT_OFF)
				continue;
			fprintf(f, "%s%s%s", first ? "" : ",", checkout_rule_name(it->v[j].rule),
			    it->v[j].waived_by ? "(waived)" : "");
			first = false;
		}
		fprintf(f, "%s\n", first ? "-" : "");
	}
}

static void
checkout_summary_text(const struct csum *s, size_t n, FILE *f)
{
	int r, order[R_COUNT + 1], i, j, nr = 0;

	fprintf(f, "checked %zu: %zu allowed, %zu denied, %zu warned", n, s->allowed, s->denied,
	    s->warned);
	if (s->would_deny)
		fprintf(f, " (%zu would be denied in enforce mode)", s->would_deny);
	fprintf(f, "\n");
	/* Most broken first (ties in table order): what to fix first is on top. */
	for (r = 0; r <= R_COUNT; r++) {
		if (s->rule_items[r] == 0)
			continue;
		for (i = nr; i > 0 && s->rule_items[order[i - 1]] < s->rule_items[r]; i--)
			order[i] = order[i - 1];
		order[i] = r;
		nr++;
	}
	for (j = 0; j < nr; j++)
		fprintf(f, "  %-20s %zu\n", checkout_rule_name(order[j] < R_COUNT ? order[j] : -1),
		    s->rule_items[order[j]]);
}

/* JSON through jansson: every string escaped as JSON says, nothing hand-quoted. */
static void
checkout_json(const struct checkout *o, const struct citem **order, const struct csum *s, FILE *f)
{
	json_t *root = json_object(), *items = json_array(), *sum, *per = json_object();
	size_t i, j;
	int r;

	if (root == NULL || items == NULL || per == NULL)
		goto oom;
	for (i = 0; i < o->n; i++) {
		const struct citem *it = order[i];
		json_t *vs = json_array(), *ws = json_array(), *obj;

		if (vs == NULL || ws == NULL) {
			json_decref(vs);
			json_decref(ws);
			goto oom;
		}
		for (j = 0; j < it->nv; j++) {
			const struct cviol *v = &it->v[j];
			const char *cis =
			    v->rule >= 0 && v->rule < R_COUNT ? rules_table[v->rule].cis : "";

			if (v->waived_by != NULL)
				json_array_append_new(ws,
				    json_pack("{s:s, s:s, s:s}", "rule",
				        checkout_rule_name(v->rule), "exemption", v->waived_by,
				        "message", v->text));
			else
				json_array_append_new(vs,
				    json_pack("{s:s, s:s, s:s, s:s, s:s*}", "rule",
				        checkout_rule_name(v->rule), "cis", cis, "action",
				        policy_action_name(v->action), "message", v->text,
				        "expired_exemption", v->expired));
		}
		obj = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "name", it->name, "image",
		    it->image, "decision", checkout_verdict(it), "would_deny", it->would_deny,
		    "violations", vs, "waivers", ws);
		if (obj == NULL || json_array_append_new(items, obj) != 0)
			goto oom;
	}
	for (r = 0; r <= R_COUNT; r++)
		if (s->rule_items[r] > 0)
			json_object_set_new(per, checkout_rule_name(r < R_COUNT ? r : -1),
			    json_integer((json_int_t)s->rule_items[r]));
	sum = json_pack("{s:I, s:I, s:I, s:I, s:I, s:O}", "checked", (json_int_t)o->n, "allowed",
	    (json_int_t)s->allowed, "denied", (json_int_t)s->denied, "warned",
	    (json_int_t)s->warned, "would_deny", (json_int_t)s->would_deny, "rules", per);
	if (sum == NULL || json_object_set_new(root, "summary", sum) != 0 ||
	    json_object_set(root, "items", items) != 0)
		goto oom;
	json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(root);
	json_decref(items);
	json_decref(per);
	return;
oom:
	fprintf(stderr, "cisgate: out of memory\n");
	json_decref(root);
	json_decref(items);
	json_decref(per);
}

void
checkout_print(const struct checkout *o, FILE *f)
{
	const struct citem **order = checkout_sorted(o);
	struct csum s;

	if (o->n > 0 && order == NULL) {
		fprintf(stderr, "cisgate: out of memory\n");
		return;
	}
	checkout_summary(o, &s);
	switch (o->fmt) {
	case CHECK_JSON:
		checkout_json(o, order, &s, f);
		break;
	case CHECK_TABLE:
		checkout_table(o, order, f);
		checkout_summary_text(&s, o->n, f);
		break;
	case CHECK_TEXT:
		checkout_text(o, order, f);
		/* One request (an envelope, a body): its verdict says it all. */
		if (o->n > 1)
			checkout_summary_text(&s, o->n, f);
		break;
	}
	free(order);
}

int
checkout_status(const struct checkout *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (!o->items[i].allow)
			return 1;
	return 0;
}

void
checkout_free(struct checkout *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++)
		checkout_item_free(&o->items[i]);
	free(o->items);
	free(o);
}
