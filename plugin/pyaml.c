/* pyaml.c - typed readers over a libyaml document, and the mapping walker (see pyaml.h).
 * Every policy byte is hostile: values are bounded, numbers range-checked, and nothing
 * here aborts; an allocation failure becomes the error "out of memory". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/docker.h"
#include "cisgate/pyaml.h"
#include "cisgate/str.h"

static void
pyaml_verr(struct pyaml *L, const yaml_mark_t *m, const char *fmt, va_list ap)
    CG_PRINTF(3, 0);

static void
pyaml_verr(struct pyaml *L, const yaml_mark_t *m, const char *fmt, va_list ap)
{
	struct policy_errors *e = L->errs;
	char msg[200];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (e->n >= CG_POLICY_ERRORS_MAX) {
		e->dropped++;
		return;
	}
	if (m != NULL)
		snprintf(e->text[e->n++], sizeof e->text[0], "%s:%zu:%zu: %s", L->name,
		    m->line + 1, m->column + 1, msg);
	else
		snprintf(e->text[e->n++], sizeof e->text[0], "%s: %s", L->name, msg);
}

void
pyaml_err(struct pyaml *L, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pyaml_verr(L, n != NULL ? &n->start_mark : NULL, fmt, ap);
	va_end(ap);
}

void
pyaml_err_at(struct pyaml *L, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pyaml_verr(L, m, fmt, ap);
	va_end(ap);
}

int
pyaml_oom(struct pyaml *L)
{
	if (!L->oom)
		pyaml_err(L, NULL, "out of memory");
	L->oom = true;
	return -1;
}

char *
pyaml_strdup(struct pyaml *L, const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		pyaml_oom(L);
	return d;
}

int
pyaml_list_push(struct pyaml *L, struct strlist *l, const char *s)
{
	char **v, *d;

	if ((d = pyaml_strdup(L, s)) == NULL)
		return -1;
	/* l->n <= CG_POLICY_LIST_MAX (or a few defaults): the product cannot overflow. */
	if ((v = realloc(l->v, (l->n + 1) * sizeof *v)) == NULL) {
		free(d);
		return pyaml_oom(L);
	}
	l->v = v;
	l->v[l->n++] = d;
	return 0;
}

void
pyaml_list_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Why yaml_parser_load failed. libyaml's loader does not set an error when some of its
 * own allocations (tag copies) fail, so "no error" is out of memory too. */
static void
pyaml_parse_error(struct pyaml *L, const yaml_parser_t *parser)
{
	if (parser->error == YAML_MEMORY_ERROR || parser->error == YAML_NO_ERROR)
		pyaml_oom(L);
	else
		pyaml_err_at(L, &parser->problem_mark, "YAML: %s",
		    parser->problem ? parser->problem : "error");
}

int
pyaml_open(struct pyaml *L, const char *buf, size_t len, const char *name,
    struct policy_errors *errs)
{
	yaml_parser_t parser;
	yaml_document_t extra;

	memset(L, 0, sizeof *L);
	memset(errs, 0, sizeof *errs);
	L->name = name;
	L->errs = errs;
	if (len > CG_POLICY_FILE_MAX) {
		pyaml_err(L, NULL, "policy larger than %zu bytes", CG_POLICY_FILE_MAX);
		return -1;
	}
	if (!yaml_parser_initialize(&parser))
		return pyaml_oom(L);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &L->doc)) {
		/* libyaml has deleted the partial document. */
		pyaml_parse_error(L, &parser);
		yaml_parser_delete(&parser);
		return -1;
	}
	L->loaded = true;
	/* One document only: a second one (or trailing garbage) would be ignored otherwise. */
	if (yaml_parser_load(&parser, &extra)) {
		if (yaml_document_get_root_node(&extra) != NULL)
			pyaml_err(L, yaml_document_get_root_node(&extra),
			    "a policy file holds one YAML document");
		yaml_document_delete(&extra);
	} else
		pyaml_parse_error(L, &parser);
	yaml_parser_delete(&parser);
	return errs->n > 0 ? -1 : 0;
}

void
pyaml_close(struct pyaml *L)
{
	if (L->loaded)
		yaml_document_delete(&L->doc);
	L->loaded = false;
}

yaml_node_t *
pyaml_root(struct pyaml *L)
{
	return L->loaded ? yaml_document_get_root_node(&L->doc) : NULL;
}

yaml_node_t *
pyaml_node(struct pyaml *L, yaml_node_item_t id)
{
	/* Aliases make a small file a huge tree: count every node looked at. */
	if (++L->visits > CG_POLICY_NODES_MAX) {
		if (!L->too_large)
			pyaml_err(L, NULL, "policy has more than %d nodes (aliases?)",
			    CG_POLICY_NODES_MAX);
		L->too_large = true;
		return NULL;
	}
	return yaml_document_get_node(&L->doc, id);
}

const char *
pyaml_scalar(struct pyaml *L, yaml_node_t *n, const char *what)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE) {
		pyaml_err(L, n, "%s must be a single value", what);
		return NULL;
	}
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length ||
	    n->data.scalar.length > CG_POLICY_STR_MAX) {
		pyaml_err(L, n, "%s is too long or holds a NUL byte", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

int
pyaml_bool(struct pyaml *L, yaml_node_t *n, const char *what, bool *out)
{
	const char *s = pyaml_scalar(L, n, what);

	if (s == NULL)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		*out = false;
	else {
		pyaml_err(L, n, "%s must be true or false, not \"%.40s\"", what, s);
		return -1;
	}
	return 0;
}

int
pyaml_enum(struct pyaml *L, yaml_node_t *n, const char *what, const char *const *names,
    int *out)
{
	const char *s = pyaml_scalar(L, n, what);
	char all[160];
	struct strbuf sb;
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	str_init(&sb, all, sizeof all);
	for (i = 0; names[i] != NULL; i++)
		str_appendf(&sb, "%s%s", i ? ", " : "", names[i]);
	pyaml_err(L, n, "%s must be one of %s, not \"%.40s\"", what, all, s);
	return -1;
}

int
pyaml_int(struct pyaml *L, yaml_node_t *n, const char *what, int64_t min, int64_t max,
    int64_t *out)
{
	const char *s = pyaml_scalar(L, n, what), *errstr;

	if (s == NULL)
		return -1;
	if (str_to_i64(s, min, max, out, &errstr) != 0) {
		pyaml_err(L, n, "%s is %s: \"%.40s\" (allowed %lld..%lld)", what, errstr, s,
		    (long long)min, (long long)max);
		return -1;
	}
	return 0;
}

int
pyaml_size(struct pyaml *L, yaml_node_t *n, const char *what, int64_t min, int64_t max,
    int64_t *out)
{
	const char *s = pyaml_scalar(L, n, what), *errstr;
	char num[32];
	size_t len;
	int64_t v, mul;

	if (s == NULL)
		return -1;
	len = strlen(s);
	if (len == 0 || len >= sizeof num)
		goto bad;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'k': case 'K': mul = 1LL << 10; break;
	case 'm': case 'M': mul = 1LL << 20; break;
	case 'g': case 'G': mul = 1LL << 30; break;
	case 't': case 'T': mul = 1LL << 40; break;
	case 'b': case 'B': mul = 1; break;
	default: mul = 0; break;
	}
	if (mul != 0)
		num[len - 1] = '\0';
	else
		mul = 1;
	/* The bound keeps v * mul from overflowing. */
	if (str_to_i64(num, 1, INT64_MAX / mul, &v, &errstr) != 0 || v * mul < min ||
	    v * mul > max)
		goto bad;
	*out = v * mul;
	return 0;
bad:
	pyaml_err(L, n, "%s must be a size such as 512m or 2g, not \"%.40s\"", what, s ? s : "");
	return -1;
}

/* len digits of s, or -1 when any is not a digit. */
static int
pyaml_digits(const char *s, size_t len)
{
	int v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
pyaml_month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (y >= 1970): no timegm, no TZ. */
static int64_t
pyaml_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
pyaml_date(struct pyaml *L, yaml_node_t *n, const char *what, time_t *out)
{
	const char *s = pyaml_scalar(L, n, what);
	int y, mo, d, h = 23, mi = 59, sec = 59;
	size_t len;

	if (s == NULL)
		return -1;
	/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, byte for byte. */
	len = strlen(s);
	if ((len != 10 && len != 20) || s[4] != '-' || s[7] != '-')
		goto bad;
	y = pyaml_digits(s, 4);
	mo = pyaml_digits(s + 5, 2);
	d = pyaml_digits(s + 8, 2);
	if (len == 20) {
		if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
			goto bad;
		h = pyaml_digits(s + 11, 2);
		mi = pyaml_digits(s + 14, 2);
		sec = pyaml_digits(s + 17, 2);
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > pyaml_month_days(y, mo) || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		goto bad;
	/* Expires just after the named moment. */
	*out = (time_t)(pyaml_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec + 1);
	return 0;
bad:
	pyaml_err(L, n, "%s must be a date (2026-12-31) or UTC time (2026-12-31T18:00:00Z), not "
	    "\"%.40s\"", what, s);
	return -1;
}

/* One scalar item e (text s) of a sequence, into out. Returns 0 or -1 after an error. */
typedef int (*pyaml_item_fn)(struct pyaml *L, yaml_node_t *e, const char *s,
    const char *what, void *out);

/* Reads every item of sequence n with fn, while *count (the list's length, which fn
 * grows) stays below CG_POLICY_LIST_MAX. notlist is the error when n is no sequence. */
static int
pyaml_items(struct pyaml *L, yaml_node_t *n, const char *what, const char *notlist,
    const size_t *count, pyaml_item_fn fn, void *out)
{
	yaml_node_item_t *it;
	int rc = 0;

	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		pyaml_err(L, n, "%s %s", what, notlist);
		return -1;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = pyaml_node(L, *it);
		const char *s;

		if (e == NULL)
			return -1;
		if ((s = pyaml_scalar(L, e, what)) == NULL) {
			rc = -1;
			continue;
		}
		if (*count >= CG_POLICY_LIST_MAX) {
			pyaml_err(L, e, "%s has more than %d entries", what, CG_POLICY_LIST_MAX);
			return -1;
		}
		if (fn(L, e, s, what, out) != 0)
			rc = -1;
	}
	return rc;
}

struct pyaml_strs {
	struct strlist *l;
	enum param_type type;
};

static int
pyaml_str_item(struct pyaml *L, yaml_node_t *e, const char *s, const char *what, void *out)
{
	struct pyaml_strs *o = out;
	char buf[CG_POLICY_STR_MAX + 8];

	if (o->type == PT_PATHS) {
		if (docker_clean_path(s, buf, sizeof buf) != 0) {
			pyaml_err(L, e, "%s: \"%.64s\" is not an absolute path", what, s);
			return -1;
		}
		s = buf;
	} else if (o->type == PT_CAPS) {
		if (docker_cap_canon(s, buf, sizeof buf) != 0 || strcmp(buf, "ALL") == 0) {
			pyaml_err(L, e, "%s: \"%.64s\" is not a capability name", what, s);
			return -1;
		}
		s = buf;
	} else if (*s == '\0') {
		pyaml_err(L, e, "%s: empty entry", what);
		return -1;
	}
	return pyaml_list_push(L, o->l, s);
}

int
pyaml_strlist(struct pyaml *L, yaml_node_t *n, const char *what, enum param_type type,
    struct strlist *l)
{
	struct pyaml_strs o = {l, type};

	return pyaml_items(L, n, what, "must be a list", &l->n, pyaml_str_item, &o);
}

struct pyaml_ranges {
	struct rangelist *r;
	int64_t min, max;
};

/* "lo-hi" or a single number within [min, max]. */
static int
pyaml_range_item(struct pyaml *L, yaml_node_t *e, const char *s, const char *what,
    void *out)
{
	struct pyaml_ranges *o = out;
	const char *dash = strchr(s, '-'), *errstr;
	struct range x, *v;
	char lo[32];

	if (dash == NULL || dash == s) {
		if (str_to_i64(s, o->min, o->max, &x.lo, &errstr) != 0)
			goto bad;
		x.hi = x.lo;
	} else {
		if ((size_t)(dash - s) >= sizeof lo)
			goto bad;
		memcpy(lo, s, (size_t)(dash - s));
		lo[dash - s] = '\0';
		if (str_to_i64(lo, o->min, o->max, &x.lo, &errstr) != 0 ||
		    str_to_i64(dash + 1, o->min, o->max, &x.hi, &errstr) != 0 || x.hi < x.lo)
			goto bad;
	}
	if ((v = realloc(o->r->v, (o->r->n + 1) * sizeof *v)) == NULL)
		return pyaml_oom(L);
	o->r->v = v;
	o->r->v[o->r->n++] = x;
	return 0;
bad:
	pyaml_err(L, e, "%s: \"%.40s\" is not a number or range within %lld..%lld", what, s,
	    (long long)o->min, (long long)o->max);
	return -1;
}

int
pyaml_ranges(struct pyaml *L, yaml_node_t *n, const char *what, int64_t min, int64_t max,
    struct rangelist *r)
{
	struct pyaml_ranges o = {r, min, max};

	return pyaml_items(L, n, what, "must be a list of numbers or ranges (\"1000-1999\")",
	    &r->n, pyaml_range_item, &o);
}

/* The earlier key of the same mapping (before pr) that is the scalar key, or NULL. Label
 * maps are bounded by their max, so the quadratic scan stays small. */
static yaml_node_t *
pyaml_earlier(struct pyaml *L, yaml_node_t *map, yaml_node_pair_t *pr, const char *key)
{
	yaml_node_pair_t *q;

	for (q = map->data.mapping.pairs.start; q < pr; q++) {
		yaml_node_t *k = yaml_document_get_node(&L->doc, q->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return k;
	}
	return NULL;
}

static void
pyaml_twice(struct pyaml *L, const struct pyaml_map *m, yaml_node_t *k, const char *key,
    const yaml_node_t *first)
{
	pyaml_err(L, k, "%s \"%.40s\" is given twice (first at %zu:%zu)", m->kind, key,
	    first->start_mark.line + 1, first->start_mark.column + 1);
}

int
pyaml_walk(struct pyaml *L, yaml_node_t *n, const struct pyaml_map *m, void *ctx)
{
	const yaml_node_t *first[PYAML_KEYS_MAX] = {NULL};
	yaml_node_pair_t *pr;
	size_t i, count = 0;
	int rc = 0;

	if (n == NULL && L->too_large)
		return -1;
	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		pyaml_err(L, n, "%s", m->notmap);
		return -1;
	}
	if (m->keys != NULL && m->nkeys > PYAML_KEYS_MAX) {
		pyaml_err(L, n, "internal error: a %s table has too many keys", m->kind);
		return -1;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = pyaml_node(L, pr->key), *v = pyaml_node(L, pr->value), *dup;
		const char *key;

		if (k == NULL || v == NULL)
			return -1; /* out of budget, reported */
		if ((key = pyaml_scalar(L, k, m->kind)) == NULL) {
			rc = -1;
			continue;
		}
		if (m->keys == NULL) {
			/* Bounded first, so the scan for an earlier equal key stays short. */
			if (++count > m->max) {
				pyaml_err(L, k, "more than %zu %ss", m->max, m->kind);
				return -1;
			}
			if ((dup = pyaml_earlier(L, n, pr, key)) != NULL) {
				pyaml_twice(L, m, k, key, dup);
				rc = -1;
				continue;
			}
			if (m->any(L, k, v, NULL, ctx) != 0)
				rc = -1;
			continue;
		}
		for (i = 0; i < m->nkeys; i++)
			if (strcmp(m->keys[i].name, key) == 0)
				break;
		if (i == m->nkeys) {
			if (m->unknown != NULL)
				pyaml_err(L, k, "%s\"%.40s\"%s%s", m->unknown, key, m->hint ? " " : "",
				    m->hint ? m->hint : "");
			else
				pyaml_err(L, k, "unknown %s \"%.40s\"%s%s", m->kind, key,
				    m->hint ? " " : "", m->hint ? m->hint : "");
			rc = -1;
			continue;
		}
		if (first[i] != NULL) {
			pyaml_twice(L, m, k, key, first[i]);
			rc = -1;
			continue;
		}
		first[i] = k;
		if (m->keys[i].map != NULL && pyaml_walk(L, v, m->keys[i].map, ctx) != 0)
			rc = -1;
		else if (m->keys[i].fn != NULL && m->keys[i].fn(L, k, v, &m->keys[i], ctx) != 0)
			rc = -1;
	}
	if (m->keys != NULL)
		for (i = 0; i < m->nkeys; i++)
			if (m->keys[i].missing != NULL && first[i] == NULL) {
				pyaml_err(L, n, "%s", m->keys[i].missing);
				rc = -1;
			}
	return rc;
}
