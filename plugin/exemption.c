/* exemption.c - exemptions, read and matched in one place: what a policy may waive, and
 * for which requests. */
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cisgate/evalfacts.h"
#include "cisgate/exemption.h"
#include "cisgate/pyaml.h"
#include "cisgate/runfacts.h"

/* The state of reading the list: the exemption being read is ex[i]. */
struct exload {
	struct exemption *ex;
	size_t i;
	int crit;                               /* match criteria of ex[i] */
	yaml_mark_t names[CG_EXEMPTIONS_MAX];   /* where each name was given */
};

/* A non-empty text value, or NULL after an error. */
static const char *
exemption_text(struct pyaml *L, yaml_node_t *v, const char *what)
{
	const char *s = pyaml_scalar(L, v, what);

	if (s != NULL && *s == '\0') {
		pyaml_err(L, v, "exemption %s is empty", what);
		return NULL;
	}
	return s;
}

static int
exemption_name(struct pyaml *L, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct exload *X = ctx;
	const char *s = exemption_text(L, v, key->name);
	size_t j;

	(void)k;
	if (s == NULL)
		return -1;
	/* Records and messages cite exemptions by name: one exemption per name. */
	for (j = 0; j < X->i; j++)
		if (X->ex[j].name != NULL && strcmp(X->ex[j].name, s) == 0) {
			pyaml_err(L, v, "exemption name \"%.40s\" is used twice (first at %zu:%zu)",
			    s, X->names[j].line + 1, X->names[j].column + 1);
			return -1;
		}
	X->names[X->i] = v->start_mark;
	return (X->ex[X->i].name = pyaml_strdup(L, s)) == NULL ? -1 : 0;
}

static int
exemption_reason(struct pyaml *L, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct exload *X = ctx;
	const char *s = exemption_text(L, v, key->name);

	(void)k;
	if (s == NULL)
		return -1;
	return (X->ex[X->i].reason = pyaml_strdup(L, s)) == NULL ? -1 : 0;
}

static int
exemption_rules(struct pyaml *L, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct exload *X = ctx;
	struct strlist l = {0};
	size_t i;
	int rc = 0, r;

	(void)k;
	(void)key;
	if (pyaml_strlist(L, v, "exemption rules", PT_STRS, &l) != 0)
		rc = -1;
	for (i = 0; i < l.n; i++) {
		if ((r = rules_find(l.v[i])) < 0) {
			pyaml_err(L, v, "exemption rules: unknown rule \"%.40s\"", l.v[i]);
			rc = -1;
		} else
			X->ex[X->i].rules[r] = true;
	}
	if (l.n == 0 && rc == 0) {
		pyaml_err(L, v, "exemption rules is empty");
		rc = -1;
	}
	pyaml_list_free(&l);
	return rc;
}

static int
exemption_expires(struct pyaml *L, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct exload *X = ctx;

	(void)k;
	(void)key;
	return pyaml_date(L, v, "expires", &X->ex[X->i].expires);
}

/* match.image, match.name, match.user: a non-empty glob. key->arg is the field's offset. */
static int
exemption_glob(struct pyaml *L, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct exload *X = ctx;
	char **dst = (char **)(void *)((char *)&X->ex[X->i] + (size_t)(uintptr_t)key->arg);
	const char *s;

	(void)k;
	if ((s = pyaml_scalar(L, v, key->name)) == NULL)
		return -1;
	if (*s == '\0') {
		pyaml_err(L, v, "match.%s is empty", key->name);
		return -1;
	}
	if ((*dst = pyaml_strdup(L, s)) == NULL)
		return -1;
	X->crit++;
	return 0;
}

static int
exemption_label(struct pyaml *L, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct exload *X = ctx;
	struct exemption *x = &X->ex[X->i];
	const char *lk = (const char *)k->data.scalar.value; /* a scalar: the walker checked */
	const char *lv = pyaml_scalar(L, v, "label value");

	(void)key;
	if (lv == NULL)
		return -1;
	if (pyaml_list_push(L, &x->label_keys, lk) != 0)
		return -1;
	if (pyaml_list_push(L, &x->label_values, lv) != 0) {
		/* Keys and values stay pairs. */
		free(x->label_keys.v[--x->label_keys.n]);
		return -1;
	}
	X->crit++;
	return 0;
}

static const struct pyaml_map exemption_labels_map = {
	.notmap = "match.labels must be a mapping of label to value (a glob)",
	.kind = "label",
	.any = exemption_label,
	.max = CG_POLICY_LIST_MAX,
};

#define EX_FIELD(f) ((const void *)(uintptr_t)offsetof(struct exemption, f))
static const struct pyaml_key exemption_match_keys[] = {
	{.name = "image", .fn = exemption_glob, .arg = EX_FIELD(image)},
	{.name = "name", .fn = exemption_glob, .arg = EX_FIELD(cname)},
	{.name = "labels", .map = &exemption_labels_map},
	{.name = "user", .fn = exemption_glob, .arg = EX_FIELD(user)},
};
#undef EX_FIELD

static const struct pyaml_map exemption_match_map = {
	.notmap = "exemption match must be a mapping (image, name, labels, user)",
	.kind = "match key",
	.hint = "(image, name, labels, user)",
	.keys = exemption_match_keys,
	.nkeys = sizeof exemption_match_keys / sizeof exemption_match_keys[0],
};

static int
exemption_match(struct pyaml *L, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct exload *X = ctx;

	(void)k;
	(void)key;
	X->crit = 0;
	if (pyaml_walk(L, v, &exemption_match_map, X) != 0)
		return -1;
	if (X->crit == 0) {
		pyaml_err(L, v, "exemption match names nothing: it would waive rules for everyone");
		return -1;
	}
	return 0;
}

static const struct pyaml_key exemption_keys[] = {
	{.name = "name", .fn = exemption_name, .missing = "exemption needs a name"},
	{.name = "reason", .fn = exemption_reason, .missing = "exemption needs a reason"},
	{.name = "rules", .fn = exemption_rules,
	    .missing = "exemption needs rules (the rule names it waives)"},
	{.name = "match", .fn = exemption_match,
	    .missing = "exemption needs match (image, name, labels or user)"},
	{.name = "expires", .fn = exemption_expires},
};

static const struct pyaml_map exemption_map = {
	.notmap = "an exemption must be a mapping",
	.kind = "exemption key",
	.hint = "(name, reason, rules, match, expires)",
	.keys = exemption_keys,
	.nkeys = sizeof exemption_keys / sizeof exemption_keys[0],
};

int
exemption_load_all(struct pyaml *L, struct yaml_node_s *n, struct exemption **ex,
    size_t *nex)
{
	struct exload *X;
	yaml_node_item_t *it;
	int rc = 0;

	*ex = NULL;
	*nex = 0;
	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		pyaml_err(L, n, "exemptions must be a list");
		return -1;
	}
	/* A few KiB of positions: off the stack of whoever reloads. */
	if ((X = calloc(1, sizeof *X)) == NULL)
		return pyaml_oom(L);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = pyaml_node(L, *it);
		struct exemption *nx;

		if (e == NULL) {
			rc = -1;
			break;
		}
		if (*nex >= CG_EXEMPTIONS_MAX) {
			pyaml_err(L, n, "more than %d exemptions", CG_EXEMPTIONS_MAX);
			rc = -1;
			break;
		}
		if ((nx = realloc(*ex, (*nex + 1) * sizeof *nx)) == NULL) {
			rc = pyaml_oom(L);
			break;
		}
		*ex = nx;
		memset(&nx[*nex], 0, sizeof *nx);
		X->ex = nx;
		X->i = (*nex)++;
		if (pyaml_walk(L, e, &exemption_map, X) != 0)
			rc = -1;
	}
	free(X);
	return rc;
}

void
exemption_free_all(struct exemption *ex, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(ex[i].name);
		free(ex[i].reason);
		free(ex[i].image);
		free(ex[i].cname);
		free(ex[i].user);
		pyaml_list_free(&ex[i].label_keys);
		pyaml_list_free(&ex[i].label_values);
	}
	free(ex);
}

bool
exemption_matches(const struct exemption *x, const struct docker_view *v, const char *user,
    time_t now)
{
	size_t i, j;

	if (x->expires != 0 && now >= x->expires)
		return false;
	if (x->image != NULL) {
		/* A digest pattern matches the image's @digest; anything else is a glob. */
		const char *at = strchr(v->image, '@');

		if (strncmp(x->image, "sha256:", 7) == 0) {
			if (at == NULL || strcmp(at + 1, x->image) != 0)
				return false;
		} else if (fnmatch(x->image, v->image, 0) != 0)
			return false;
	}
	if (x->cname != NULL && fnmatch(x->cname, v->name, 0) != 0)
		return false;
	if (x->user != NULL && fnmatch(x->user, user, 0) != 0)
		return false;
	for (i = 0; i < x->label_keys.n; i++) {
		for (j = 0; j < v->nlabels; j++)
			if (strcmp(v->labels[j].key, x->label_keys.v[i]) == 0)
				break;
		if (j == v->nlabels || fnmatch(x->label_values.v[i], v->labels[j].value, 0) != 0)
			return false;
	}
	return true;
}

int
exemption_expiry(const struct exemption *x, time_t now, int64_t days, char *buf, size_t len)
{
	char day[32];
	struct tm tm;
	int64_t left;

	buf[0] = '\0';
	if (x->expires == 0 || gmtime_r(&x->expires, &tm) == NULL ||
	    strftime(day, sizeof day, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		return 0;
	if (now >= x->expires) {
		snprintf(buf, len, "exemption %.64s expired on %s: it waives nothing now, and "
		    "requests it covered are denied naming it; renew or remove it", x->name, day);
		return 1;
	}
	left = ((int64_t)x->expires - (int64_t)now) / 86400;
	if (days > 0 && (int64_t)x->expires - (int64_t)now <= days * 86400) {
		snprintf(buf, len, "exemption %.64s expires on %s, in %lld day%s", x->name, day,
		    (long long)left, left == 1 ? "" : "s");
		return 2;
	}
	return 0;
}

/* The repository of a RepoTag or RepoDigest name: up to the '@', or to the ':' of a tag
 * (one after the last '/': before it, a ':' is a registry's port). Length in *n. */
static void
exemption_repo(const char *s, size_t *n)
{
	const char *at = strchr(s, '@'), *slash = NULL, *colon;
	size_t len = at ? (size_t)(at - s) : strlen(s), i;

	for (i = 0; i < len; i++)
		if (s[i] == '/')
			slash = s + i;
	colon = memchr(slash ? slash : s, ':', len - (size_t)((slash ? slash : s) - s));
	*n = colon ? (size_t)(colon - s) : len;
}

/* True when the image has a RepoDigest of repository s[0..n). */
static bool
exemption_pulled(const struct image_fact *im, const char *s, size_t n)
{
	size_t i, m;

	for (i = 0; i < im->ndigests; i++) {
		exemption_repo(im->digests[i], &m);
		if (m == n && strncmp(im->digests[i], s, n) == 0)
			return true;
	}
	return false;
}

/* An image criterion over a resolved image (see exemption_matches_ctx). */
static bool
exemption_image(const char *pat, const struct image_fact *im)
{
	char repo[CG_ID_MAX];
	size_t i, n;

	if (strncmp(pat, "sha256:", 7) == 0) {
		if (strcmp(im->id, pat) == 0)
			return true;
		for (i = 0; i < im->ndigests; i++) {
			const char *at = strchr(im->digests[i], '@');

			if (at != NULL && strcmp(at + 1, pat) == 0)
				return true;
		}
		return false;
	}
	for (i = 0; i < im->ndigests; i++) {
		exemption_repo(im->digests[i], &n);
		if (n >= sizeof repo)
			continue;
		memcpy(repo, im->digests[i], n);
		repo[n] = '\0';
		if (fnmatch(pat, repo, 0) == 0 || fnmatch(pat, im->digests[i], 0) == 0)
			return true;
	}
	for (i = 0; i < im->ntags; i++) {
		exemption_repo(im->tags[i], &n);
		if (exemption_pulled(im, im->tags[i], n) && fnmatch(pat, im->tags[i], 0) == 0)
			return true;
	}
	return false;
}

bool
exemption_matches_ctx(const struct exemption *x, const struct docker_view *v,
    const struct eval_facts *f, const char *user, time_t now)
{
	const struct run_facts *rf = f != NULL ? f->run : NULL;
	struct exemption y;

	if (rf == NULL || x->image == NULL)
		return exemption_matches(x, v, user, now);
	if (rf->image_unresolved)
		return false;
	if (rf->image != NULL) {
		if (!exemption_image(x->image, rf->image))
			return false;
	} else if (rf->image_id != NULL && rf->image_id[0] != '\0' &&
	    strncmp(x->image, "sha256:", 7) == 0) {
		if (strcmp(rf->image_id, x->image) != 0)
			return false;
	} else
		return exemption_matches(x, v, user, now);
	/* The image matched; the other criteria as usual. */
	y = *x;
	y.image = NULL;
	return exemption_matches(&y, v, user, now);
}
