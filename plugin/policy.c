/* policy.c - YAML (libyaml) -> struct policy with file:line:col errors, then validation.
 * Unknown keys, wrong types, unknown rule names and out-of-range values are errors: a
 * typo must never silently switch a rule off. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "cisgate/digest.h"
#include "cisgate/docker.h"
#include "cisgate/policy.h"
#include "cisgate/rules.h"
#include "cisgate/str.h"

enum ptype { PT_PATHS, PT_STRS, PT_CAPS, PT_SIZE, PT_INT, PT_RANGES, PT_BOOL, PT_EMPTY };

struct param_def {
	int rule;
	const char *key;
	enum ptype type;
	size_t off;
	int64_t min, max;
	bool append; /* PT_PATHS: add to the built-in list instead of replacing it */
};

#define OFF(f) offsetof(struct policy, f)
static const struct param_def params[] = {
	{R_SENSITIVE_MOUNTS, "paths", PT_PATHS, OFF(sensitive_paths), 0, 0, false},
	{R_SENSITIVE_MOUNTS, "extra_paths", PT_PATHS, OFF(sensitive_paths), 0, 0, true},
	{R_DOCKER_SOCKET, "paths", PT_PATHS, OFF(sockets), 0, 0, false},
	{R_DOCKER_SOCKET, "extra_paths", PT_PATHS, OFF(sockets), 0, 0, true},
	{R_CAPABILITIES, "allowed", PT_CAPS, OFF(caps_allowed), 0, 0, false},
	{R_MEMORY, "max", PT_SIZE, OFF(memory_max), 0, INT64_MAX, false},
	{R_PIDS, "max", PT_INT, OFF(pids_max), 0, INT32_MAX, false},
	{R_HOST_PORTS, "allowed", PT_RANGES, OFF(ports_allowed), 1, 65535, false},
	{R_PRIVILEGED_PORTS, "below", PT_INT, OFF(privileged_port_below), 1, 65536, false},
	{R_RESTART, "max_retries", PT_INT, OFF(restart_max), 1, 1000, false},
	{R_SECCOMP, "allow_custom_profiles", PT_BOOL, OFF(seccomp_custom_ok), 0, 0, false},
	{R_APPARMOR, "allowed_profiles", PT_STRS, OFF(apparmor_allowed), 0, 0, false},
	{R_CGROUP_PARENT, "allowed", PT_STRS, OFF(cgroup_parents), 0, 0, false},
	{R_HOST_INTERFACE, "allowed_ips", PT_STRS, OFF(host_ips), 0, 0, false},
	{R_HOST_DEVICES, "allowed", PT_STRS, OFF(devices_allowed), 0, 0, false},
	{R_EXEC_ROOT, "empty_user", PT_EMPTY, OFF(exec_users.empty), 0, EMPTY_ALLOW, false},
	{R_EXEC_ROOT, "allowed_names", PT_STRS, OFF(exec_users.names), 0, 0, false},
	{R_EXEC_ROOT, "allowed_uids", PT_RANGES, OFF(exec_users.uids), 1, 4294967294LL, false},
	{R_ROOT_USER, "empty_user", PT_EMPTY, OFF(create_users.empty), 0, EMPTY_ALLOWLIST, false},
	{R_ROOT_USER, "empty_user_images", PT_STRS, OFF(create_users.images), 0, 0, false},
	{R_ROOT_USER, "allowed_names", PT_STRS, OFF(create_users.names), 0, 0, false},
	{R_ROOT_USER, "allowed_uids", PT_RANGES, OFF(create_users.uids), 1, 4294967294LL, false},
};
#undef OFF

static const char *const default_sensitive[] = {"/", "/boot", "/dev", "/etc", "/lib", "/proc",
    "/sys", "/usr", "/bin", "/sbin", "/lib32", "/lib64", "/run/docker", "/var/lib/docker",
    "/etc/docker", "/root"};
static const char *const default_sockets[] = {"/run/docker.sock",
    "/run/containerd/containerd.sock", "/run/docker/plugins/cisgate.sock"};

struct ploader {
	yaml_document_t doc;
	const char *name;
	struct policy_errors *errs;
	struct policy *p;
	size_t visits;
	bool alias_seen;
};

static void
perr(struct ploader *L, yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
perr(struct ploader *L, yaml_node_t *n, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (L->errs->n >= CG_POLICY_ERRORS_MAX) {
		L->errs->dropped++;
		return;
	}
	if (n != NULL)
		snprintf(L->errs->text[L->errs->n++], sizeof L->errs->text[0], "%s:%zu:%zu: %s",
		    L->name, n->start_mark.line + 1, n->start_mark.column + 1, msg);
	else
		snprintf(L->errs->text[L->errs->n++], sizeof L->errs->text[0], "%s: %s", L->name,
		    msg);
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort(); /* start-up or reload only; policy load is never on the request path */
	return d;
}

static void
list_push(struct strlist *l, const char *s)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);

	if (v == NULL)
		abort();
	l->v = v;
	l->v[l->n++] = xstrdup(s);
}

static void
list_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static yaml_node_t *
node(struct ploader *L, yaml_node_item_t id)
{
	if (++L->visits > CG_POLICY_NODES_MAX)
		return NULL;
	return yaml_document_get_node(&L->doc, id);
}

/* The scalar's text, or NULL after an error naming `what`. */
static const char *
scalar(struct ploader *L, yaml_node_t *n, const char *what)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE) {
		perr(L, n, "%s must be a single value", what);
		return NULL;
	}
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length ||
	    n->data.scalar.length > CG_POLICY_STR_MAX) {
		perr(L, n, "%s is too long or holds a NUL byte", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static int
get_bool(struct ploader *L, yaml_node_t *n, const char *what, bool *out)
{
	const char *s = scalar(L, n, what);

	if (s == NULL)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		*out = false;
	else {
		perr(L, n, "%s must be true or false, not \"%.40s\"", what, s);
		return -1;
	}
	return 0;
}

static int
get_enum(struct ploader *L, yaml_node_t *n, const char *what, const char *const *names,
    int count, int *out)
{
	const char *s = scalar(L, n, what);
	char all[160];
	struct strbuf sb;
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < count; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	str_init(&sb, all, sizeof all);
	for (i = 0; i < count; i++)
		str_appendf(&sb, "%s%s", i ? ", " : "", names[i]);
	perr(L, n, "%s must be one of %s, not \"%.40s\"", what, all, s);
	return -1;
}

static int
get_int(struct ploader *L, yaml_node_t *n, const char *what, int64_t min, int64_t max,
    int64_t *out)
{
	const char *s = scalar(L, n, what), *errstr;

	if (s == NULL)
		return -1;
	if (str_to_i64(s, min, max, out, &errstr) != 0) {
		perr(L, n, "%s is %s: \"%.40s\" (allowed %lld..%lld)", what, errstr, s,
		    (long long)min, (long long)max);
		return -1;
	}
	return 0;
}

/* "512m", "2g", "1048576": docker's units (k = 1024). */
static int
get_size(struct ploader *L, yaml_node_t *n, const char *what, int64_t *out)
{
	const char *s = scalar(L, n, what), *errstr;
	char num[32];
	size_t len;
	int64_t v, mul = 1;

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
	if (str_to_i64(num, 1, INT64_MAX / mul, &v, &errstr) != 0)
		goto bad;
	*out = v * mul;
	return 0;
bad:
	perr(L, n, "%s must be a size such as 512m or 2g, not \"%.40s\"", what, s ? s : "");
	return -1;
}

static int
get_strlist(struct ploader *L, yaml_node_t *n, const char *what, struct strlist *l,
    enum ptype type)
{
	yaml_node_item_t *it;
	int rc = 0;

	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		perr(L, n, "%s must be a list", what);
		return -1;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = node(L, *it);
		const char *s = scalar(L, e, what);
		char buf[CG_POLICY_STR_MAX + 8];

		if (s == NULL) {
			rc = -1;
			continue;
		}
		if (l->n >= CG_POLICY_LIST_MAX) {
			perr(L, e, "%s has more than %d entries", what, CG_POLICY_LIST_MAX);
			return -1;
		}
		if (type == PT_PATHS) {
			if (docker_clean_path(s, buf, sizeof buf) != 0) {
				perr(L, e, "%s: \"%.64s\" is not an absolute path", what, s);
				rc = -1;
				continue;
			}
			s = buf;
		} else if (type == PT_CAPS) {
			if (docker_cap_canon(s, buf, sizeof buf) != 0 || strcmp(buf, "ALL") == 0) {
				perr(L, e, "%s: \"%.64s\" is not a capability name", what, s);
				rc = -1;
				continue;
			}
			s = buf;
		} else if (*s == '\0') {
			perr(L, e, "%s: empty entry", what);
			rc = -1;
			continue;
		}
		list_push(l, s);
	}
	return rc;
}

/* Items are numbers or "lo-hi" strings within [min, max]. */
static int
get_ranges(struct ploader *L, yaml_node_t *n, const char *what, int64_t min, int64_t max,
    struct rangelist *r)
{
	yaml_node_item_t *it;
	int rc = 0;

	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		perr(L, n, "%s must be a list of numbers or ranges (\"1000-1999\")", what);
		return -1;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = node(L, *it);
		const char *s = scalar(L, e, what), *dash, *errstr;
		char lo[32];
		struct range x;
		struct range *v;

		if (s == NULL) {
			rc = -1;
			continue;
		}
		dash = strchr(s, '-');
		if (dash == NULL || dash == s) {
			if (str_to_i64(s, min, max, &x.lo, &errstr) != 0)
				goto bad;
			x.hi = x.lo;
		} else {
			if ((size_t)(dash - s) >= sizeof lo)
				goto bad;
			memcpy(lo, s, (size_t)(dash - s));
			lo[dash - s] = '\0';
			if (str_to_i64(lo, min, max, &x.lo, &errstr) != 0 ||
			    str_to_i64(dash + 1, min, max, &x.hi, &errstr) != 0 || x.hi < x.lo)
				goto bad;
		}
		if (r->n >= CG_POLICY_LIST_MAX) {
			perr(L, e, "%s has more than %d entries", what, CG_POLICY_LIST_MAX);
			return -1;
		}
		v = realloc(r->v, (r->n + 1) * sizeof *v);
		if (v == NULL)
			abort();
		r->v = v;
		r->v[r->n++] = x;
		continue;
bad:
		perr(L, e, "%s: \"%.40s\" is not a number or range within %lld..%lld", what, s,
		    (long long)min, (long long)max);
		rc = -1;
	}
	return rc;
}

static int
load_param(struct ploader *L, int rule, const char *key, yaml_node_t *val, yaml_node_t *keyn)
{
	static const char *const empty_names[] = {"deny", "allow", "allowlist"};
	char what[96];
	size_t i;
	char *base = (char *)L->p;

	snprintf(what, sizeof what, "rules.%s.%s", rules_table[rule].name, key);
	for (i = 0; i < sizeof params / sizeof params[0]; i++) {
		const struct param_def *d = &params[i];
		void *f = base + d->off;
		int v;

		if (d->rule != rule || strcmp(d->key, key) != 0)
			continue;
		switch (d->type) {
		case PT_PATHS:
		case PT_STRS:
		case PT_CAPS:
			if (!d->append)
				list_free(f);
			return get_strlist(L, val, what, f, d->type);
		case PT_SIZE:
			return get_size(L, val, what, f);
		case PT_INT:
			return get_int(L, val, what, d->min, d->max, f);
		case PT_RANGES:
			((struct rangelist *)f)->n = 0;
			return get_ranges(L, val, what, d->min, d->max, f);
		case PT_BOOL:
			return get_bool(L, val, what, f);
		case PT_EMPTY:
			if (get_enum(L, val, what, empty_names, (int)d->max + 1, &v) != 0)
				return -1;
			*(enum empty_user *)f = (enum empty_user)v;
			return 0;
		}
	}
	perr(L, keyn, "rules.%s has no parameter \"%.40s\"", rules_table[rule].name, key);
	return -1;
}

static const char *const action_names[] = {"off", "warn", "deny"};

static int
load_rules(struct ploader *L, yaml_node_t *n)
{
	yaml_node_pair_t *pr;
	bool seen[R_COUNT] = {false};
	int rc = 0;

	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		perr(L, n, "rules must be a mapping of rule name to action");
		return -1;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
		const char *name = scalar(L, k, "rule name");
		int r, a;

		if (name == NULL)
			return -1;
		if ((r = rules_find(name)) < 0) {
			perr(L, k, "unknown rule \"%.40s\" (see cisgate-policy(5) for the names)", name);
			rc = -1;
			continue;
		}
		if (seen[r]) {
			perr(L, k, "rule \"%s\" is given twice", name);
			rc = -1;
		}
		seen[r] = true;
		if (v != NULL && v->type == YAML_SCALAR_NODE) {
			/* Shorthand: "privileged: deny". */
			if (get_enum(L, v, name, action_names, 3, &a) != 0)
				rc = -1;
			else
				L->p->actions[r] = (enum action)a;
			continue;
		}
		if (v == NULL || v->type != YAML_MAPPING_NODE) {
			perr(L, v, "rule %s must be an action or a mapping with \"action\"", name);
			rc = -1;
			continue;
		}
		{
			yaml_node_pair_t *q;
			bool has_action = false;

			for (q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
				yaml_node_t *pk = node(L, q->key), *pv = node(L, q->value);
				const char *key = scalar(L, pk, "parameter name");

				if (key == NULL) {
					rc = -1;
					continue;
				}
				if (strcmp(key, "action") == 0) {
					has_action = true;
					if (get_enum(L, pv, "action", action_names, 3, &a) != 0)
						rc = -1;
					else
						L->p->actions[r] = (enum action)a;
				} else if (load_param(L, r, key, pv, pk) != 0)
					rc = -1;
			}
			if (!has_action) {
				perr(L, v, "rule %s needs an action (deny, warn or off)", name);
				rc = -1;
			}
		}
	}
	return rc;
}

/* "2026-12-31" (valid through that day, UTC) or "2026-12-31T12:00:00Z". */
static int
get_date(struct ploader *L, yaml_node_t *n, time_t *out)
{
	const char *s = scalar(L, n, "expires");
	struct tm tm;
	int y, mo, d, h = 23, mi = 59, sec = 59, used = 0;
	char tail;

	if (s == NULL)
		return -1;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3)
		goto bad;
	if (s[used] != '\0' &&
	    (sscanf(s + used, "T%2d:%2d:%2d%c", &h, &mi, &sec, &tail) != 4 || tail != 'Z' ||
	        s[used + 10] != '\0'))
		goto bad;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		goto bad;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm) + 1; /* expires just after the named moment */
	return 0;
bad:
	perr(L, n, "expires must be a date (2026-12-31) or UTC time (2026-12-31T18:00:00Z), not "
	    "\"%.40s\"", s);
	return -1;
}

static int
load_match(struct ploader *L, yaml_node_t *n, struct exemption *x)
{
	yaml_node_pair_t *pr;
	int rc = 0, crit = 0;

	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		perr(L, n, "exemption match must be a mapping (image, name, labels, user)");
		return -1;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
		const char *key = scalar(L, k, "match key"), *s;
		char **dst = NULL;

		if (key == NULL)
			return -1;
		if (strcmp(key, "image") == 0)
			dst = &x->image;
		else if (strcmp(key, "name") == 0)
			dst = &x->cname;
		else if (strcmp(key, "user") == 0)
			dst = &x->user;
		else if (strcmp(key, "labels") == 0) {
			yaml_node_pair_t *lp;

			if (v == NULL || v->type != YAML_MAPPING_NODE) {
				perr(L, v, "match.labels must be a mapping of label to value (a glob)");
				rc = -1;
				continue;
			}
			for (lp = v->data.mapping.pairs.start; lp < v->data.mapping.pairs.top; lp++) {
				const char *lk = scalar(L, node(L, lp->key), "label");
				const char *lv = scalar(L, node(L, lp->value), "label value");

				if (lk == NULL || lv == NULL) {
					rc = -1;
					continue;
				}
				list_push(&x->label_keys, lk);
				list_push(&x->label_values, lv);
				crit++;
			}
			continue;
		} else {
			perr(L, k, "unknown match key \"%.40s\" (image, name, labels, user)", key);
			rc = -1;
			continue;
		}
		if ((s = scalar(L, v, key)) == NULL || *s == '\0') {
			if (s != NULL)
				perr(L, v, "match.%s is empty", key);
			rc = -1;
			continue;
		}
		free(*dst);
		*dst = xstrdup(s);
		crit++;
	}
	if (rc == 0 && crit == 0) {
		perr(L, n, "exemption match names nothing: it would waive rules for everyone");
		rc = -1;
	}
	return rc;
}

static int
load_exemption(struct ploader *L, yaml_node_t *n, struct exemption *x)
{
	yaml_node_pair_t *pr;
	bool has_rules = false, has_match = false;
	int rc = 0;

	x->line = (int)n->start_mark.line + 1;
	if (n->type != YAML_MAPPING_NODE) {
		perr(L, n, "an exemption must be a mapping");
		return -1;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
		const char *key = scalar(L, k, "exemption key"), *s;

		if (key == NULL)
			return -1;
		if (strcmp(key, "name") == 0 || strcmp(key, "reason") == 0) {
			char **dst = key[0] == 'n' ? &x->name : &x->reason;

			if ((s = scalar(L, v, key)) == NULL)
				rc = -1;
			else {
				free(*dst);
				*dst = xstrdup(s);
			}
		} else if (strcmp(key, "rules") == 0) {
			struct strlist l = {0};
			size_t i;

			has_rules = true;
			if (get_strlist(L, v, "exemption rules", &l, PT_STRS) != 0)
				rc = -1;
			for (i = 0; i < l.n; i++) {
				int r = rules_find(l.v[i]);

				if (r < 0) {
					perr(L, v, "exemption rules: unknown rule \"%.40s\"", l.v[i]);
					rc = -1;
				} else
					x->rules[r] = true;
			}
			if (l.n == 0) {
				perr(L, v, "exemption rules is empty");
				rc = -1;
			}
			list_free(&l);
		} else if (strcmp(key, "match") == 0) {
			has_match = true;
			if (load_match(L, v, x) != 0)
				rc = -1;
		} else if (strcmp(key, "expires") == 0) {
			if (get_date(L, v, &x->expires) != 0)
				rc = -1;
		} else {
			perr(L, k, "unknown exemption key \"%.40s\" (name, reason, rules, match, "
			    "expires)", key);
			rc = -1;
		}
	}
	if (x->name == NULL || x->name[0] == '\0') {
		perr(L, n, "exemption needs a name");
		rc = -1;
	}
	if (x->reason == NULL || x->reason[0] == '\0') {
		perr(L, n, "exemption needs a reason");
		rc = -1;
	}
	if (!has_rules) {
		perr(L, n, "exemption needs rules (the rule names it waives)");
		rc = -1;
	}
	if (!has_match) {
		perr(L, n, "exemption needs match (image, name, labels or user)");
		rc = -1;
	}
	return rc;
}

static int
load_audit(struct ploader *L, yaml_node_t *n)
{
	static const char *const fs[] = {"always", "interval", "never"};
	static const char *const al[] = {"state-changing", "all", "none"};
	static const char *const of[] = {"deny", "allow"};
	struct audit_conf *a = &L->p->audit;
	yaml_node_pair_t *pr;
	int rc = 0, v;

	if (n->type != YAML_MAPPING_NODE) {
		perr(L, n, "audit must be a mapping");
		return -1;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(L, pr->key), *val = node(L, pr->value);
		const char *key = scalar(L, k, "audit key"), *s;

		if (key == NULL)
			return -1;
		if (strcmp(key, "file") == 0) {
			if ((s = scalar(L, val, "audit.file")) == NULL)
				rc = -1;
			else if (*s != '\0' && *s != '/') {
				perr(L, val, "audit.file must be an absolute path or \"\" for none");
				rc = -1;
			} else {
				free(a->file);
				a->file = *s ? xstrdup(s) : NULL;
			}
		} else if (strcmp(key, "stdout") == 0)
			rc |= get_bool(L, val, "audit.stdout", &a->to_stdout);
		else if (strcmp(key, "syslog") == 0)
			rc |= get_bool(L, val, "audit.syslog", &a->to_syslog);
		else if (strcmp(key, "syslog_socket") == 0) {
			if ((s = scalar(L, val, "audit.syslog_socket")) == NULL)
				rc = -1;
			else if (*s != '/') {
				perr(L, val, "audit.syslog_socket must be an absolute path");
				rc = -1;
			} else {
				free(a->syslog_socket);
				a->syslog_socket = xstrdup(s);
			}
		}
		else if (strcmp(key, "fsync") == 0) {
			if (get_enum(L, val, "audit.fsync", fs, 3, &v) == 0)
				a->fsync = (enum audit_fsync)v;
			else
				rc = -1;
		} else if (strcmp(key, "allows") == 0) {
			if (get_enum(L, val, "audit.allows", al, 3, &v) == 0)
				a->allows = (enum audit_allows)v;
			else
				rc = -1;
		} else if (strcmp(key, "on_failure") == 0) {
			if (get_enum(L, val, "audit.on_failure", of, 2, &v) == 0)
				a->fail_allow = v == 1;
			else
				rc = -1;
		} else {
			perr(L, k, "unknown audit key \"%.40s\" (file, stdout, syslog, syslog_socket, "
			    "fsync, allows, on_failure)", key);
			rc = -1;
		}
	}
	return rc;
}

static void
policy_defaults(struct policy *p)
{
	size_t i;
	struct range all_uids = {1, 4294967294LL};

	atomic_init(&p->refs, 1);
	for (i = 0; i < R_COUNT; i++)
		p->actions[i] = rules_table[i].default_action;
	for (i = 0; i < sizeof default_sensitive / sizeof *default_sensitive; i++)
		list_push(&p->sensitive_paths, default_sensitive[i]);
	for (i = 0; i < sizeof default_sockets / sizeof *default_sockets; i++)
		list_push(&p->sockets, default_sockets[i]);
	list_push(&p->apparmor_allowed, "docker-default");
	list_push(&p->self_names, "cisgate");
	p->privileged_port_below = 1024;
	if ((p->ports_allowed.v = malloc(sizeof *p->ports_allowed.v)) == NULL)
		abort();
	p->ports_allowed.v[0] = (struct range){1024, 65535};
	p->ports_allowed.n = 1;
	p->restart_max = 5;
	p->exec_users.uids.v = malloc(sizeof all_uids);
	p->create_users.uids.v = malloc(sizeof all_uids);
	if (p->exec_users.uids.v == NULL || p->create_users.uids.v == NULL)
		abort();
	p->exec_users.uids.v[0] = p->create_users.uids.v[0] = all_uids;
	p->exec_users.uids.n = p->create_users.uids.n = 1;
	p->audit.file = xstrdup("/var/log/cisgate/audit.log");
	p->audit.syslog_socket = xstrdup("/dev/log");
}

static int
load_root(struct ploader *L, yaml_node_t *root)
{
	static const char *const modes[] = {"enforce", "audit"};
	yaml_node_pair_t *pr;
	bool has_version = false;
	int rc = 0, v;

	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		perr(L, root, "the policy must be a mapping with apiVersion: cisgate/v1");
		return -1;
	}
	for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(L, pr->key), *val = node(L, pr->value);
		const char *key = scalar(L, k, "key"), *s;

		if (key == NULL || val == NULL) {
			perr(L, k, "policy too large");
			return -1;
		}
		if (strcmp(key, "apiVersion") == 0) {
			has_version = true;
			if ((s = scalar(L, val, "apiVersion")) == NULL)
				rc = -1;
			else if (strcmp(s, "cisgate/v1") != 0) {
				perr(L, val, "apiVersion \"%.40s\" is not supported (cisgate/v1)", s);
				rc = -1;
			}
		} else if (strcmp(key, "mode") == 0) {
			if (get_enum(L, val, "mode", modes, 2, &v) == 0)
				L->p->mode = (enum mode)v;
			else
				rc = -1;
		} else if (strcmp(key, "default_action") == 0) {
			if (get_enum(L, val, "default_action", action_names, 3, &v) == 0) {
				int r;

				for (r = 0; r < R_COUNT; r++)
					L->p->actions[r] = (enum action)v;
			} else
				rc = -1;
		} else if (strcmp(key, "plugin_names") == 0) {
			list_free(&L->p->self_names);
			rc |= get_strlist(L, val, "plugin_names", &L->p->self_names, PT_STRS);
		} else if (strcmp(key, "audit") == 0)
			rc |= load_audit(L, val);
		else if (strcmp(key, "rules") == 0)
			continue; /* after default_action, wherever it stands */
		else if (strcmp(key, "exemptions") == 0) {
			yaml_node_item_t *it;

			if (val->type != YAML_SEQUENCE_NODE) {
				perr(L, val, "exemptions must be a list");
				rc = -1;
				continue;
			}
			for (it = val->data.sequence.items.start; it < val->data.sequence.items.top;
			     it++) {
				yaml_node_t *e = node(L, *it);
				struct exemption *nx;

				if (e == NULL || L->p->nex >= CG_EXEMPTIONS_MAX) {
					perr(L, val, "more than %d exemptions", CG_EXEMPTIONS_MAX);
					return -1;
				}
				nx = realloc(L->p->ex, (L->p->nex + 1) * sizeof *nx);
				if (nx == NULL)
					abort();
				L->p->ex = nx;
				memset(&nx[L->p->nex], 0, sizeof *nx);
				rc |= load_exemption(L, e, &nx[L->p->nex++]);
			}
		} else {
			perr(L, k, "unknown key \"%.40s\" (apiVersion, mode, default_action, "
			    "plugin_names, audit, rules, exemptions)", key);
			rc = -1;
		}
	}
	for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		const char *key = scalar(L, node(L, pr->key), "key");

		if (key != NULL && strcmp(key, "rules") == 0)
			rc |= load_rules(L, node(L, pr->value));
	}
	if (!has_version) {
		perr(L, root, "apiVersion is missing (apiVersion: cisgate/v1)");
		rc = -1;
	}
	return rc;
}

/* Validation across sections, after every value has its type. */
static int
policy_validate(struct ploader *L)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < L->p->nex; i++)
		for (j = 0; j < i; j++)
			if (L->p->ex[i].name && L->p->ex[j].name &&
			    strcmp(L->p->ex[i].name, L->p->ex[j].name) == 0) {
				perr(L, NULL, "line %d: exemption name \"%.40s\" is used twice",
				    L->p->ex[i].line, L->p->ex[i].name);
				rc = -1;
			}
	if (L->p->create_users.empty == EMPTY_ALLOWLIST && L->p->create_users.images.n == 0) {
		perr(L, NULL, "rules.root-user: empty_user is allowlist but empty_user_images is "
		    "empty");
		rc = -1;
	}
	if (L->p->self_names.n == 0) {
		perr(L, NULL, "plugin_names must name cisgate's own plugin");
		rc = -1;
	}
	return rc;
}

struct policy *
policy_load_buffer(const char *buf, size_t len, const char *name, struct policy_errors *errs)
{
	struct ploader L;
	yaml_parser_t parser;
	int ok;

	memset(&L, 0, sizeof L);
	memset(errs, 0, sizeof *errs);
	L.name = name;
	L.errs = errs;
	if (len > CG_POLICY_FILE_MAX) {
		perr(&L, NULL, "policy larger than %zu bytes", CG_POLICY_FILE_MAX);
		return NULL;
	}
	if ((L.p = calloc(1, sizeof *L.p)) == NULL)
		return NULL;
	policy_defaults(L.p);
	digest_sha256_hex(buf, len, L.p->sha256);

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	ok = yaml_parser_load(&parser, &L.doc);
	if (!ok) {
		if (L.errs->n < CG_POLICY_ERRORS_MAX)
			snprintf(L.errs->text[L.errs->n++], sizeof L.errs->text[0],
			    "%s:%zu:%zu: YAML: %s", name, parser.problem_mark.line + 1,
			    parser.problem_mark.column + 1, parser.problem ? parser.problem : "error");
		yaml_parser_delete(&parser);
		policy_release(L.p);
		return NULL;
	}
	{
		/* One document only: a second one would be silently ignored otherwise. */
		yaml_document_t extra;

		if (yaml_parser_load(&parser, &extra)) {
			if (yaml_document_get_root_node(&extra) != NULL)
				perr(&L, yaml_document_get_root_node(&extra),
				    "a policy file holds one YAML document");
			yaml_document_delete(&extra);
		}
	}
	yaml_parser_delete(&parser);
	if (load_root(&L, yaml_document_get_root_node(&L.doc)) != 0 || errs->n > 0 ||
	    policy_validate(&L) != 0) {
		if (L.visits > CG_POLICY_NODES_MAX)
			perr(&L, NULL, "policy has more than %d nodes (aliases?)", CG_POLICY_NODES_MAX);
		yaml_document_delete(&L.doc);
		policy_release(L.p);
		return NULL;
	}
	yaml_document_delete(&L.doc);
	L.p->path = xstrdup(name);
	return L.p;
}

struct policy *
policy_load(const char *path, bool allow_insecure, struct policy_errors *errs)
{
	struct policy *p;
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	memset(errs, 0, sizeof *errs);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(errs->text[errs->n++], sizeof errs->text[0], "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(errs->text[errs->n++], sizeof errs->text[0], "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	/* A policy anyone can write is no policy. */
	if (!allow_insecure && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)) {
		snprintf(errs->text[errs->n++], sizeof errs->text[0],
		    "%s: refusing a policy file not owned by root or writable by group/others "
		    "(chown root and chmod 644 it; --insecure-policy allows it for development)",
		    path);
		close(fd);
		return NULL;
	}
	if ((size_t)st.st_size > CG_POLICY_FILE_MAX) {
		snprintf(errs->text[errs->n++], sizeof errs->text[0], "%s: larger than %zu bytes",
		    path, CG_POLICY_FILE_MAX);
		close(fd);
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size &&
	    (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	p = policy_load_buffer(buf, got, path, errs);
	free(buf);
	return p;
}

void
policy_ref(struct policy *p)
{
	atomic_fetch_add(&p->refs, 1);
}

static void
userspec_free(struct userspec *u)
{
	list_free(&u->images);
	list_free(&u->names);
	free(u->uids.v);
}

void
policy_release(struct policy *p)
{
	size_t i;

	if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	list_free(&p->sensitive_paths);
	list_free(&p->sockets);
	list_free(&p->caps_allowed);
	free(p->ports_allowed.v);
	list_free(&p->apparmor_allowed);
	list_free(&p->cgroup_parents);
	list_free(&p->host_ips);
	list_free(&p->devices_allowed);
	userspec_free(&p->exec_users);
	userspec_free(&p->create_users);
	list_free(&p->self_names);
	for (i = 0; i < p->nex; i++) {
		struct exemption *x = &p->ex[i];

		free(x->name);
		free(x->reason);
		free(x->image);
		free(x->cname);
		free(x->user);
		list_free(&x->label_keys);
		list_free(&x->label_values);
	}
	free(p->ex);
	free(p->audit.file);
	free(p->audit.syslog_socket);
	free(p->path);
	free(p);
}

const char *
policy_action_name(enum action a)
{
	return a <= ACT_DENY ? action_names[a] : "?";
}
