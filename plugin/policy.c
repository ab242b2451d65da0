/* policy.c - the policy proper: YAML -> struct policy through pyaml's readers and mapping
 * walker, defaults and frees walked from the rule table, validation across sections, the
 * policy file's trust checks, and the reference count. Unknown keys, repeated keys, wrong
 * types, unknown rule names and out-of-range values are errors: a typo must never
 * silently switch a rule off. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cisgate/digest.h"
#include "cisgate/exemption.h"
#include "cisgate/metrics.h"
#include "cisgate/policy.h"
#include "cisgate/policysig.h"
#include "cisgate/pyaml.h"
#include "cisgate/rules.h"
#include "cisgate/str.h"
#include "cisgate/uri.h"

_Static_assert(R_COUNT <= PYAML_KEYS_MAX, "the rules mapping outgrew the walker");

struct ploader {
	struct pyaml y; /* first: handlers get the loader as their ctx */
	struct policy *p;
	yaml_node_t *rules;         /* read after the rest, so default_action comes first */
	yaml_node_t *plugin_names;  /* for validation messages */
	yaml_mark_t rule_at[R_COUNT]; /* where each rule was named, for validation messages */
	int r;                      /* the rule whose mapping is being read */
	yaml_node_t *default_route; /* for validation messages */
	struct plugin_allow *pa;    /* the plugins.allowed entry being read */
};

static const char *const action_names[] = {"off", "warn", "deny", NULL};

/* The storage of parameter d in p. */
static void *
policy_field(struct policy *p, const struct param_def *d)
{
	return (char *)p + d->off;
}

/* --- rules ------------------------------------------------------------------------ */

static int
policy_param(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct ploader *L = ctx;
	const struct param_def *d = key->arg;
	void *f = policy_field(L->p, d);
	char what[96];
	int e;

	(void)k;
	snprintf(what, sizeof what, "rules.%s.%s", rules_table[L->r].name, d->key);
	switch (d->type) {
	case PT_STRS:
	case PT_PATHS:
	case PT_CAPS:
		if (!d->append)
			pyaml_list_free(f);
		return pyaml_strlist(Y, v, what, d->type, f);
	case PT_INT:
		return pyaml_int(Y, v, what, d->min, d->max, f);
	case PT_SIZE:
		return pyaml_size(Y, v, what, d->min, d->max, f);
	case PT_RANGES:
		((struct rangelist *)f)->n = 0;
		return pyaml_ranges(Y, v, what, d->min, d->max, f);
	case PT_BOOL:
		return pyaml_bool(Y, v, what, f);
	case PT_ENUM:
		if (pyaml_enum(Y, v, what, d->names, &e) != 0)
			return -1;
		*(int *)f = e;
		return 0;
	}
	return -1;
}

static int
policy_action(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct ploader *L = ctx;
	int a;

	(void)k;
	if (pyaml_enum(Y, v, key->name, action_names, &a) != 0)
		return -1;
	L->p->actions[L->r] = (enum action)a;
	return 0;
}

/* One rule: "privileged: deny", or a mapping with its action and parameters. */
static int
policy_rule(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct ploader *L = ctx;
	const struct rule_def *rd = key->arg;
	struct pyaml_key keys[PYAML_KEYS_MAX];
	struct pyaml_map m;
	const struct param_def *d;
	char missing[96], unknown[96];
	size_t n = 0;

	L->r = (int)rd->id;
	L->rule_at[rd->id] = k->start_mark;
	if (v->type == YAML_SCALAR_NODE)
		return policy_action(Y, k, v, &(struct pyaml_key){.name = rd->name}, L);
	if (v->type != YAML_MAPPING_NODE) {
		pyaml_err(Y, v, "rule %s must be an action or a mapping with \"action\"", rd->name);
		return -1;
	}
	snprintf(missing, sizeof missing, "rule %s needs an action (deny, warn or off)",
	    rd->name);
	snprintf(unknown, sizeof unknown, "rules.%s has no parameter ", rd->name);
	keys[n++] = (struct pyaml_key){.name = "action", .fn = policy_action, .missing = missing};
	for (d = rd->params; d != NULL && d->key != NULL && n < PYAML_KEYS_MAX; d++)
		keys[n++] = (struct pyaml_key){.name = d->key, .fn = policy_param, .arg = d};
	m = (struct pyaml_map){.notmap = "", .kind = "parameter", .unknown = unknown,
	    .keys = keys, .nkeys = n};
	return pyaml_walk(Y, v, &m, L);
}

static int
policy_rules(struct ploader *L, yaml_node_t *n)
{
	struct pyaml_key keys[R_COUNT];
	struct pyaml_map m = {
		.notmap = "rules must be a mapping of rule name to action",
		.kind = "rule",
		.hint = "(see cisgate-policy(5) for the names)",
		.keys = keys,
		.nkeys = R_COUNT,
	};
	int r;

	for (r = 0; r < R_COUNT; r++)
		keys[r] = (struct pyaml_key){.name = rules_table[r].name, .fn = policy_rule,
		    .arg = &rules_table[r]};
	return pyaml_walk(&L->y, n, &m, L);
}

/* --- daemon ----------------------------------------------------------------------- */

/* daemon.socket, data_root, exec_root: absolute paths, cleaned as bind sources are
 * (/var/run is /run), so that the rules compare like with like. */
static int
policy_daemon_path(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct daemon_conf *dc = &((struct ploader *)ctx)->p->daemon;
	char what[32], clean[CG_POLICY_STR_MAX + 8];
	char **dst = strcmp(key->name, "socket") == 0 ? &dc->socket :
	    strcmp(key->name, "data_root") == 0 ? &dc->data_root : &dc->exec_root;
	const char *s;

	(void)k;
	snprintf(what, sizeof what, "daemon.%s", key->name);
	if ((s = pyaml_scalar(Y, v, what)) == NULL)
		return -1;
	if (docker_clean_path(s, clean, sizeof clean) != 0) {
		pyaml_err(Y, v, "%s must be an absolute path", what);
		return -1;
	}
	free(*dst);
	return (*dst = pyaml_strdup(Y, clean)) == NULL ? -1 : 0;
}

/* daemon.timeout: "2s", "500ms", or a whole number of milliseconds; 1 ms to 60 s. */
static int
policy_daemon_timeout(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct daemon_conf *dc = &((struct ploader *)ctx)->p->daemon;
	char num[24];
	const char *s, *errstr;
	size_t n;
	int64_t x, unit = 1;

	(void)k;
	(void)key;
	if ((s = pyaml_scalar(Y, v, "daemon.timeout")) == NULL)
		return -1;
	n = strlen(s);
	if (n > 2 && strcmp(s + n - 2, "ms") == 0)
		n -= 2;
	else if (n > 1 && s[n - 1] == 's') {
		n -= 1;
		unit = 1000;
	}
	if (n >= sizeof num || strspn(s, "0123456789") != n) {
		pyaml_err(Y, v, "daemon.timeout must be milliseconds (500ms, 2000) or seconds (2s)");
		return -1;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	if (str_to_i64(num, 1, 60000 / unit, &x, &errstr) != 0) {
		pyaml_err(Y, v, "daemon.timeout is %s (1ms to 60s)", errstr);
		return -1;
	}
	dc->timeout_ms = x * unit;
	return 0;
}

static const struct pyaml_key policy_daemon_keys[] = {
	{.name = "socket", .fn = policy_daemon_path},
	{.name = "timeout", .fn = policy_daemon_timeout},
	{.name = "data_root", .fn = policy_daemon_path},
	{.name = "exec_root", .fn = policy_daemon_path},
};

static const struct pyaml_map policy_daemon_map = {
	.notmap = "daemon must be a mapping",
	.kind = "daemon key",
	.hint = "(socket, timeout, data_root, exec_root)",
	.keys = policy_daemon_keys,
	.nkeys = sizeof policy_daemon_keys / sizeof policy_daemon_keys[0],
};

/* --- audit ------------------------------------------------------------------------ */

/* audit.file, audit.signing_key, audit.policy_dir ("" for none) and
 * audit.syslog_socket: absolute paths. */
static int
policy_audit_path(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct ploader *L = ctx;
	bool may_be_none = strcmp(key->name, "syslog_socket") != 0;
	char **dst = strcmp(key->name, "file") == 0 ? &L->p->audit.file :
	    strcmp(key->name, "signing_key") == 0   ? &L->p->audit.signing_key :
	    strcmp(key->name, "policy_dir") == 0    ? &L->p->audit.policy_dir :
						      &L->p->audit.syslog_socket;
	char what[32];
	const char *s;

	(void)k;
	snprintf(what, sizeof what, "audit.%s", key->name);
	if ((s = pyaml_scalar(Y, v, what)) == NULL)
		return -1;
	if (may_be_none && *s == '\0') {
		free(*dst);
		*dst = NULL;
		return 0;
	}
	if (*s != '/') {
		pyaml_err(Y, v, may_be_none ? "%s must be an absolute path or \"\" for none" :
		    "%s must be an absolute path", what);
		return -1;
	}
	free(*dst);
	return (*dst = pyaml_strdup(Y, s)) == NULL ? -1 : 0;
}

static int
policy_audit_flag(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct ploader *L = ctx;
	bool is_stdout = strcmp(key->name, "stdout") == 0;

	(void)k;
	return pyaml_bool(Y, v, is_stdout ? "audit.stdout" : "audit.syslog",
	    is_stdout ? &L->p->audit.to_stdout : &L->p->audit.to_syslog);
}

static int
policy_audit_choice(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	static const char *const fs[] = {"always", "interval", "never", NULL};
	static const char *const al[] = {"state-changing", "all", "none", NULL};
	static const char *const of[] = {"deny", "allow", NULL};
	static const char *const sf[] = {"rfc3164", "rfc5424", NULL};
	struct audit_conf *a = &((struct ploader *)ctx)->p->audit;
	char what[32];
	int x;

	(void)k;
	snprintf(what, sizeof what, "audit.%s", key->name);
	if (strcmp(key->name, "fsync") == 0) {
		if (pyaml_enum(Y, v, what, fs, &x) != 0)
			return -1;
		a->fsync = (enum audit_fsync)x;
	} else if (strcmp(key->name, "allows") == 0) {
		if (pyaml_enum(Y, v, what, al, &x) != 0)
			return -1;
		a->allows = (enum audit_allows)x;
	} else if (strcmp(key->name, "syslog_format") == 0) {
		if (pyaml_enum(Y, v, what, sf, &x) != 0)
			return -1;
		a->syslog_5424 = x == 1;
	} else {
		if (pyaml_enum(Y, v, what, of, &x) != 0)
			return -1;
		a->fail_allow = x == 1;
	}
	return 0;
}

/* audit.host_id: a name for this host in every record (printable, no spaces). */
static int
policy_audit_host(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct ploader *L = ctx;
	const char *s, *c;

	(void)k;
	(void)key;
	if ((s = pyaml_scalar(Y, v, "audit.host_id")) == NULL)
		return -1;
	for (c = s; *c; c++)
		if (*c <= ' ' || *c > '~')
			break;
	if (*s == '\0' || *c != '\0' || c - s > 253) {
		pyaml_err(Y, v, "audit.host_id must be 1 to 253 printable characters without "
		    "spaces");
		return -1;
	}
	free(L->p->audit.host_id);
	return (L->p->audit.host_id = pyaml_strdup(Y, s)) == NULL ? -1 : 0;
}

/* audit.checkpoint_every (records) and audit.checkpoint_seconds. */
static int
policy_audit_every(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct audit_conf *a = &((struct ploader *)ctx)->p->audit;

	(void)k;
	if (strcmp(key->name, "checkpoint_every") == 0)
		return pyaml_int(Y, v, "audit.checkpoint_every", 1, 1000000, &a->checkpoint_every);
	return pyaml_int(Y, v, "audit.checkpoint_seconds", 1, 86400, &a->checkpoint_seconds);
}

static const struct pyaml_key policy_audit_keys[] = {
	{.name = "host_id", .fn = policy_audit_host},
	{.name = "signing_key", .fn = policy_audit_path},
	{.name = "checkpoint_every", .fn = policy_audit_every},
	{.name = "checkpoint_seconds", .fn = policy_audit_every},
	{.name = "policy_dir", .fn = policy_audit_path},
	{.name = "file", .fn = policy_audit_path},
	{.name = "stdout", .fn = policy_audit_flag},
	{.name = "syslog", .fn = policy_audit_flag},
	{.name = "syslog_socket", .fn = policy_audit_path},
	{.name = "syslog_format", .fn = policy_audit_choice},
	{.name = "fsync", .fn = policy_audit_choice},
	{.name = "allows", .fn = policy_audit_choice},
	{.name = "on_failure", .fn = policy_audit_choice},
};

static const struct pyaml_map policy_audit_map = {
	.notmap = "audit must be a mapping",
	.kind = "audit key",
	.hint = "(file, stdout, syslog, syslog_socket, syslog_format, fsync, allows, on_failure, "
	    "host_id, signing_key, checkpoint_every, checkpoint_seconds, policy_dir)",
	.keys = policy_audit_keys,
	.nkeys = sizeof policy_audit_keys / sizeof policy_audit_keys[0],
};

/* --- the root --------------------------------------------------------------------- */

static int
policy_root_version(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	const char *s = pyaml_scalar(Y, v, "apiVersion");

	(void)k;
	(void)key;
	(void)ctx;
	if (s == NULL)
		return -1;
	if (strcmp(s, "cisgate/v1") != 0) {
		pyaml_err(Y, v, "apiVersion \"%.40s\" is not supported (cisgate/v1)", s);
		return -1;
	}
	return 0;
}

static int
policy_root_mode(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	static const char *const modes[] = {"enforce", "audit", NULL};
	int x;

	(void)k;
	(void)key;
	if (pyaml_enum(Y, v, "mode", modes, &x) != 0)
		return -1;
	((struct ploader *)ctx)->p->mode = (enum mode)x;
	return 0;
}

static int
policy_root_default_action(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct ploader *L = ctx;
	int x, r;

	(void)k;
	(void)key;
	if (pyaml_enum(Y, v, "default_action", action_names, &x) != 0)
		return -1;
	for (r = 0; r < R_COUNT; r++)
		L->p->actions[r] = (enum action)x;
	return 0;
}

static int
policy_root_plugin_names(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct ploader *L = ctx;

	(void)k;
	(void)key;
	L->plugin_names = v;
	pyaml_list_free(&L->p->self_names);
	return pyaml_strlist(Y, v, "plugin_names", PT_STRS, &L->p->self_names);
}

static int
policy_root_rules(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	(void)Y;
	(void)k;
	(void)key;
	((struct ploader *)ctx)->rules = v;
	return 0;
}

static int
policy_root_exemptions(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct policy *p = ((struct ploader *)ctx)->p;

	(void)k;
	(void)key;
	return exemption_load_all(Y, v, &p->ex, &p->nex);
}

/* --- routes and plugins (eval's route step) --------------------------------------- */

static int
policy_root_default_route(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	static const char *const dr[] = {"deny", "allow", NULL};
	struct ploader *L = ctx;
	int x;

	(void)k;
	(void)key;
	if (pyaml_enum(Y, v, "default_route", dr, &x) != 0)
		return -1;
	L->default_route = v;
	L->p->default_route_allow = x == 1;
	return 0;
}

/* allowed_routes: names of routes answered as default routes (docs/routes.md). A route
 * that is always allowed, or that a rule judges, is an error: listing it would change
 * nothing, and the reader of the policy would think it did. */
static int
policy_root_allowed_routes(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct strlist *l = &((struct ploader *)ctx)->p->routes_allowed;
	const struct uri_route *rt;
	size_t i, j;
	int rc = 0;

	(void)k;
	(void)key;
	pyaml_list_free(l);
	if (pyaml_strlist(Y, v, "allowed_routes", PT_STRS, l) != 0)
		return -1;
	for (i = 0; i < l->n; i++) {
		for (j = 0; (rt = uri_route_at(j)) != NULL; j++)
			if (strcmp(rt->name, l->v[i]) == 0)
				break;
		if (rt == NULL) {
			pyaml_err(Y, v, "allowed_routes: unknown route \"%.40s\" (the route names are "
			    "in docs/routes.md)", l->v[i]);
			rc = -1;
		} else if (rt->rclass == RC_READ || rt->rclass == RC_HARMLESS) {
			pyaml_err(Y, v, "allowed_routes: route %s is always allowed (%s)", rt->name,
			    uri_class_name(rt->rclass));
			rc = -1;
		} else if (rules_judge_kind(rt->kind)) {
			pyaml_err(Y, v, "allowed_routes: route %s is judged by rules, not by "
			    "allowed_routes (see policy/README.md)", rt->name);
			rc = -1;
		}
	}
	return rc;
}

static int
policy_plugin_name(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct plugin_allow *pa = ((struct ploader *)ctx)->pa;
	char repo[CG_ID_MAX];
	const char *s, *dg;

	(void)k;
	(void)key;
	if ((s = pyaml_scalar(Y, v, "plugins.allowed.name")) == NULL)
		return -1;
	/* Compared with what dockerd stores: the repository, lower case, no tag. */
	if (rules_plugin_repo(s, repo, sizeof repo, &dg) != 0 || dg != NULL ||
	    strcmp(repo, s) != 0 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-/:") !=
	    strlen(s)) {
		pyaml_err(Y, v, "plugins.allowed.name \"%.60s\" must be a plugin repository as "
		    "dockerd names it, without tag or digest (e.g. vieux/sshfs)", s);
		return -1;
	}
	return (pa->name = pyaml_strdup(Y, s)) == NULL ? -1 : 0;
}

static int
policy_plugin_digest(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct plugin_allow *pa = ((struct ploader *)ctx)->pa;
	const char *s;

	(void)k;
	(void)key;
	if ((s = pyaml_scalar(Y, v, "plugins.allowed.digest")) == NULL)
		return -1;
	if (!rules_is_digest(s)) {
		pyaml_err(Y, v, "plugins.allowed.digest must be sha256: and 64 lower-case hex "
		    "digits (the Digest: line of docker plugin install)");
		return -1;
	}
	return (pa->digest = pyaml_strdup(Y, s)) == NULL ? -1 : 0;
}

static const struct pyaml_key policy_plugin_keys[] = {
	{.name = "name", .fn = policy_plugin_name,
	    .missing = "plugins.allowed entry needs a name (e.g. vieux/sshfs)"},
	{.name = "digest", .fn = policy_plugin_digest},
};

static const struct pyaml_map policy_plugin_map = {
	.notmap = "plugins.allowed entries must be mappings (name, digest)",
	.kind = "plugins.allowed key",
	.hint = "(name, digest)",
	.keys = policy_plugin_keys,
	.nkeys = sizeof policy_plugin_keys / sizeof policy_plugin_keys[0],
};

/* plugins.allowed: a sequence of {name, digest}. */
static int
policy_plugins_allowed(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct ploader *L = ctx;
	struct policy *p = L->p;
	yaml_node_item_t *it;
	yaml_node_t *item;
	size_t n, i;
	int rc = 0;

	(void)k;
	(void)key;
	if (v->type != YAML_SEQUENCE_NODE) {
		pyaml_err(Y, v, "plugins.allowed must be a list of {name, digest}");
		return -1;
	}
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n > CG_POLICY_LIST_MAX) {
		pyaml_err(Y, v, "plugins.allowed has more than %d entries", CG_POLICY_LIST_MAX);
		return -1;
	}
	if (n == 0)
		return 0;
	if ((p->plugins_allowed = calloc(n, sizeof *p->plugins_allowed)) == NULL)
		return pyaml_oom(Y);
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		if ((item = pyaml_node(Y, *it)) == NULL)
			return -1;
		L->pa = &p->plugins_allowed[p->nplugins_allowed++];
		if (pyaml_walk(Y, item, &policy_plugin_map, L) != 0 || L->pa->name == NULL) {
			rc = -1;
			continue;
		}
		/* One entry a plugin: two would leave the reader guessing which digest counts. */
		for (i = 0; i + 1 < p->nplugins_allowed; i++)
			if (p->plugins_allowed[i].name != NULL &&
			    strcmp(p->plugins_allowed[i].name, L->pa->name) == 0) {
				pyaml_err(Y, item, "plugins.allowed names %s twice", L->pa->name);
				rc = -1;
				break;
			}
	}
	return rc;
}

static int
policy_root_shadow(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct policy *p = ((struct ploader *)ctx)->p;
	const char *s = pyaml_scalar(Y, v, "shadow");

	(void)k;
	(void)key;
	if (s == NULL)
		return -1;
	if (*s == '\0' || strlen(s) >= CG_POLICY_STR_MAX) {
		pyaml_err(Y, v, "shadow must name a policy file (absolute, or relative to this one)");
		return -1;
	}
	return (p->shadow_path = pyaml_strdup(Y, s)) == NULL ? -1 : 0;
}

static const struct pyaml_key policy_plugins_keys[] = {
	{.name = "allowed", .fn = policy_plugins_allowed},
};

static const struct pyaml_map policy_plugins_map = {
	.notmap = "plugins must be a mapping (allowed)",
	.kind = "plugins key",
	.hint = "(allowed)",
	.keys = policy_plugins_keys,
	.nkeys = sizeof policy_plugins_keys / sizeof policy_plugins_keys[0],
};

/* --- metrics ---------------------------------------------------------------------- */

/* metrics.listen: a loopback address or a unix socket (metrics_listen_parse). */
static int
policy_metrics_listen(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v,
    const struct pyaml_key *key, void *ctx)
{
	struct ploader *L = ctx;
	struct metrics_listen ml;
	char err[200];
	const char *s;

	(void)k;
	(void)key;
	if ((s = pyaml_scalar(Y, v, "metrics.listen")) == NULL)
		return -1;
	if (metrics_listen_parse(s, &ml, err, sizeof err) != 0) {
		pyaml_err(Y, v, "%s", err);
		return -1;
	}
	free(L->p->metrics_listen);
	return (L->p->metrics_listen = pyaml_strdup(Y, s)) == NULL ? -1 : 0;
}

static const struct pyaml_key policy_metrics_keys[] = {
	{.name = "listen", .fn = policy_metrics_listen,
	    .missing = "metrics.listen is missing (127.0.0.1:9479 or unix:/run/cisgate/metrics.sock)"},
};

static const struct pyaml_map policy_metrics_map = {
	.notmap = "metrics must be a mapping (metrics: {listen: 127.0.0.1:9479})",
	.kind = "metrics key",
	.hint = "(listen)",
	.keys = policy_metrics_keys,
	.nkeys = sizeof policy_metrics_keys / sizeof policy_metrics_keys[0],
};

static const struct pyaml_key policy_root_keys[] = {
	{.name = "apiVersion", .fn = policy_root_version,
	    .missing = "apiVersion is missing (apiVersion: cisgate/v1)"},
	{.name = "mode", .fn = policy_root_mode},
	{.name = "default_action", .fn = policy_root_default_action},
	{.name = "plugin_names", .fn = policy_root_plugin_names},
	{.name = "audit", .map = &policy_audit_map},
	{.name = "daemon", .map = &policy_daemon_map},
	{.name = "rules", .fn = policy_root_rules},
	{.name = "exemptions", .fn = policy_root_exemptions},
	{.name = "default_route", .fn = policy_root_default_route},
	{.name = "allowed_routes", .fn = policy_root_allowed_routes},
	{.name = "plugins", .map = &policy_plugins_map},
	{.name = "shadow", .fn = policy_root_shadow},
	{.name = "metrics", .map = &policy_metrics_map},
};

static const struct pyaml_map policy_root_map = {
	.notmap = "the policy must be a mapping with apiVersion: cisgate/v1",
	.kind = "key",
	.hint = "(apiVersion, mode, default_action, plugin_names, audit, daemon, rules, "
	    "exemptions, default_route, allowed_routes, plugins, shadow, metrics)",
	.keys = policy_root_keys,
	.nkeys = sizeof policy_root_keys / sizeof policy_root_keys[0],
};

/* --- defaults, validation, release ------------------------------------------------ */

/* Every parameter's default from the rule table; cisgate's own name; the audit file. */
static int
policy_defaults(struct ploader *L)
{
	struct policy *p = L->p;
	const struct param_def *d;
	const char *const *s;
	struct rangelist *rl;
	int r;

	for (r = 0; r < R_COUNT; r++) {
		p->actions[r] = rules_table[r].default_action;
		for (d = rules_table[r].params; d != NULL && d->key != NULL; d++) {
			void *f = policy_field(p, d);

			if (d->append)
				continue;
			switch (d->type) {
			case PT_STRS:
			case PT_PATHS:
			case PT_CAPS:
				for (s = d->def_strs; s != NULL && *s != NULL; s++)
					if (pyaml_list_push(&L->y, f, *s) != 0)
						return -1;
				break;
			case PT_INT:
			case PT_SIZE:
				*(int64_t *)f = d->def;
				break;
			case PT_RANGES:
				if (d->def_range.hi == 0)
					break;
				rl = f;
				if ((rl->v = malloc(sizeof *rl->v)) == NULL)
					return pyaml_oom(&L->y);
				rl->v[0] = (struct range){d->def_range.lo, d->def_range.hi};
				rl->n = 1;
				break;
			case PT_BOOL:
				*(bool *)f = d->def != 0;
				break;
			case PT_ENUM:
				*(int *)f = (int)d->def;
				break;
			}
		}
	}
	if (pyaml_list_push(&L->y, &p->self_names, "cisgate") != 0 ||
	    (p->audit.file = pyaml_strdup(&L->y, "/var/log/cisgate/audit.log")) == NULL ||
	    (p->audit.syslog_socket = pyaml_strdup(&L->y, "/dev/log")) == NULL ||
	    (p->audit.policy_dir = pyaml_strdup(&L->y, "/var/lib/cisgate/policies")) == NULL ||
	    (p->daemon.socket = pyaml_strdup(&L->y, "/run/docker.sock")) == NULL ||
	    (p->daemon.data_root = pyaml_strdup(&L->y, "/var/lib/docker")) == NULL ||
	    (p->daemon.exec_root = pyaml_strdup(&L->y, "/run/docker")) == NULL)
		return -1;
	p->daemon.timeout_ms = 2000;
	p->audit.checkpoint_every = 1000;
	p->audit.checkpoint_seconds = 300;
	return 0;
}

/* Validation across sections, after every value has its type. */
static int
policy_validate(struct ploader *L)
{
	struct policy *p = L->p;
	int rc = 0;

	/* allowlist is never a default, so the rule was named. */
	if (p->create_users.empty == EMPTY_ALLOWLIST && p->create_users.images.n == 0) {
		pyaml_err_at(&L->y, &L->rule_at[R_ROOT_USER], "rules.root-user: empty_user is "
		    "allowlist but empty_user_images is empty");
		rc = -1;
	}
	if (p->self_names.n == 0) {
		pyaml_err(&L->y, L->plugin_names, "plugin_names must name cisgate's own plugin");
		rc = -1;
	}
	/* default_route is the default-route rule's action, said once. */
	if (L->default_route != NULL) {
		if (L->rule_at[R_DEFAULT_ROUTE].line != 0 || L->rule_at[R_DEFAULT_ROUTE].column != 0) {
			pyaml_err(&L->y, L->default_route, "default_route and rules.default-route say "
			    "the same thing: keep one");
			rc = -1;
		}
		p->actions[R_DEFAULT_ROUTE] = p->default_route_allow ? ACT_OFF : ACT_DENY;
	}
	return rc;
}

struct policy *
policy_load_buffer(const char *buf, size_t len, const char *name, struct policy_errors *errs)
{
	struct ploader L;
	int rc;

	memset(&L, 0, sizeof L);
	if ((rc = pyaml_open(&L.y, buf, len, name, errs)) != 0)
		goto fail;
	if ((L.p = calloc(1, sizeof *L.p)) == NULL) {
		rc = pyaml_oom(&L.y);
		goto fail;
	}
	atomic_init(&L.p->refs, 1);
	if ((rc = policy_defaults(&L)) != 0)
		goto fail;
	digest_sha256_hex(buf, len, L.p->sha256);
	rc = pyaml_walk(&L.y, pyaml_root(&L.y), &policy_root_map, &L);
	if (L.rules != NULL && !L.y.too_large && policy_rules(&L, L.rules) != 0)
		rc = -1;
	if (rc == 0 && errs->n == 0)
		rc = policy_validate(&L);
	if (rc == 0 && errs->n == 0 && (L.p->path = pyaml_strdup(&L.y, name)) != NULL) {
		pyaml_close(&L.y);
		return L.p;
	}
fail:
	if (L.y.oom) {
		/* Whatever else was said followed from the failed allocation. */
		memset(errs, 0, sizeof *errs);
		pyaml_err(&L.y, NULL, "out of memory");
	} else if (errs->n == 0)
		pyaml_err(&L.y, NULL, "policy refused"); /* every refusal says why */
	pyaml_close(&L.y);
	policy_release(L.p);
	return NULL;
}

static struct policy *
policy_refuse(struct policy_errors *errs, int fd, const char *fmt, ...) CG_PRINTF(3, 4);

/* One error without a position, for the file's own problems. Closes fd. Returns NULL. */
static struct policy *
policy_refuse(struct policy_errors *errs, int fd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errs->text[0], sizeof errs->text[0], fmt, ap);
	va_end(ap);
	errs->n = 1;
	if (fd >= 0)
		close(fd);
	return NULL;
}

static struct policy *policy_load_file(const char *path, bool allow_insecure,
    const struct policysig_keys *keys, struct policy_errors *errs);

int
policy_shadow_file(const char *path, const char *shadow, char *out, size_t outsz)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (shadow[0] == '/' || slash == NULL)
		n = snprintf(out, outsz, "%s", shadow);
	else
		n = snprintf(out, outsz, "%.*s/%s", (int)(slash - path), path, shadow);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* The shadow's errors follow one line that names the policy that named it. */
static void
policy_shadow_failed(struct policy_errors *errs, const char *path, const char *file)
{
	size_t n = errs->n < CG_POLICY_ERRORS_MAX ? errs->n : CG_POLICY_ERRORS_MAX - 1;

	if (errs->n >= CG_POLICY_ERRORS_MAX)
		errs->dropped++;
	memmove(errs->text[1], errs->text[0], n * sizeof errs->text[0]);
	snprintf(errs->text[0], sizeof errs->text[0], "%.100s: its shadow policy %.100s does not load:",
	    path, file);
	errs->n = n + 1;
}

/* Loads the shadow p names, under the same file checks; its errors become the load's. */
static struct policy *
policy_load_shadow(struct policy *p, const char *path, bool allow_insecure,
    const struct policysig_keys *keys, struct policy_errors *errs)
{
	char file[PATH_MAX];
	struct policy *s;

	if (policy_shadow_file(path, p->shadow_path, file, sizeof file) != 0) {
		policy_release(p);
		return policy_refuse(errs, -1, "%s: shadow path too long", path);
	}
	if ((s = policy_load_file(file, allow_insecure, keys, errs)) == NULL) {
		policy_shadow_failed(errs, path, file);
		policy_release(p);
		return NULL;
	}
	if (s->shadow_path != NULL) {
		policy_release(s);
		policy_release(p);
		return policy_refuse(errs, -1, "%s: its shadow policy %s names a shadow of its "
		    "own; a shadow has none (remove shadow: from it)", path, file);
	}
	p->shadow = s;
	return p;
}

struct policy *
policy_load(const char *path, bool allow_insecure, struct policy_errors *errs)
{
	return policy_load_signed(path, allow_insecure, NULL, errs);
}

struct policy *
policy_load_signed(const char *path, bool allow_insecure, const struct policysig_keys *keys,
    struct policy_errors *errs)
{
	struct policy *p = policy_load_file(path, allow_insecure, keys, errs);

	if (p == NULL || p->shadow_path == NULL)
		return p;
	return policy_load_shadow(p, path, allow_insecure, keys, errs);
}

/* With keys, buf[0..len) (the bytes about to be parsed) must be signed in path.sig.
 * Returns 0 with the key's id in keyid, or -1 with errs said. */
static int
policy_check_sig(const char *path, const struct policysig_keys *keys, const char *buf,
    size_t len, char *keyid, struct policy_errors *errs)
{
	char sigpath[PATH_MAX], err[200];

	if (keys == NULL)
		return 0;
	if ((size_t)snprintf(sigpath, sizeof sigpath, "%s.sig", path) >= sizeof sigpath)
		str_copy(err, "path too long", sizeof err);
	else if (policysig_verify(keys, buf, len, sigpath, keyid, err, sizeof err) == 0)
		return 0;
	(void)policy_refuse(errs, -1, "%.100s: signature refused: %s", path, err);
	errs->sig_refused = true;
	return -1;
}

/* One file, without its shadow. */
static struct policy *
policy_load_file(const char *path, bool allow_insecure, const struct policysig_keys *keys,
    struct policy_errors *errs)
{
	char keyid[CHECKPOINT_ID_HEX] = "";
	struct policy *p;
	struct stat st;
	char *buf;
	size_t size, got = 0;
	ssize_t n;
	int fd;

	memset(errs, 0, sizeof *errs);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return policy_refuse(errs, -1, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return policy_refuse(errs, fd, "%s: not a regular file", path);
	/* A policy anyone can write is no policy. */
	if (!allow_insecure && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0))
		return policy_refuse(errs, fd, "%s: refusing a policy file not owned by root or "
		    "writable by group/others (chown root and chmod 644 it; --insecure-policy "
		    "allows it for development)", path);
	if (st.st_size < 0 || (uint64_t)st.st_size > CG_POLICY_FILE_MAX)
		return policy_refuse(errs, fd, "%s: larger than %zu bytes", path,
		    CG_POLICY_FILE_MAX);
	size = (size_t)st.st_size;
	/* One byte more than fstat said: a file that grew is noticed, not cut. */
	if ((buf = malloc(size + 1)) == NULL)
		return policy_refuse(errs, fd, "%s: out of memory", path);
	while (got <= size) {
		n = read(fd, buf + got, size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return policy_refuse(errs, fd, "%s: read: %s", path, strerror(errno));
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != size) {
		free(buf);
		return policy_refuse(errs, -1, "%s: the file changed while it was read (%zu bytes, "
		    "%zu expected); write it elsewhere and rename it into place", path, got, size);
	}
	/* The bytes verified are the bytes parsed: the file is not read again. */
	if (policy_check_sig(path, keys, buf, got, keyid, errs) != 0) {
		free(buf);
		return NULL;
	}
	p = policy_load_buffer(buf, got, path, errs);
	free(buf);
	if (p != NULL)
		str_copy(p->signed_by, keyid, sizeof p->signed_by);
	return p;
}

void
policy_ref(struct policy *p)
{
	atomic_fetch_add(&p->refs, 1);
}

void
policy_release(struct policy *p)
{
	const struct param_def *d;
	size_t i;
	int r;

	if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	for (r = 0; r < R_COUNT; r++)
		for (d = rules_table[r].params; d != NULL && d->key != NULL; d++) {
			if (d->append)
				continue; /* the field of the parameter it adds to */
			if (d->type == PT_STRS || d->type == PT_PATHS || d->type == PT_CAPS)
				pyaml_list_free(policy_field(p, d));
			else if (d->type == PT_RANGES)
				free(((struct rangelist *)policy_field(p, d))->v);
		}
	pyaml_list_free(&p->self_names);
	pyaml_list_free(&p->routes_allowed);
	for (i = 0; i < p->nplugins_allowed; i++) {
		free(p->plugins_allowed[i].name);
		free(p->plugins_allowed[i].digest);
	}
	free(p->plugins_allowed);
	exemption_free_all(p->ex, p->nex);
	free(p->audit.file);
	free(p->audit.syslog_socket);
	free(p->audit.host_id);
	free(p->audit.signing_key);
	free(p->audit.policy_dir);
	free(p->daemon.socket);
	free(p->daemon.data_root);
	free(p->daemon.exec_root);
	free(p->shadow_path);
	free(p->metrics_listen);
	policy_release(p->shadow);
	free(p->path);
	free(p);
}

const char *
policy_action_name(enum action a)
{
	return a <= ACT_DENY ? action_names[a] : "?";
}
