/* suite.c - policy test suites. A case's request is YAML (or JSON text), turned into the
 * JSON bytes the pipeline reads, decided by decide_body / decide_inspect /
 * decide_envelope_as exactly as `check` decides it, and compared with what the case
 * expects: the decision and, when given, the exact set of rules reported. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cisgate/decide.h"
#include "cisgate/pyaml.h"
#include "cisgate/str.h"
#include "cisgate/suite.h"

enum suite_form { SF_NONE = 0, SF_BODY, SF_INSPECT, SF_ENVELOPE };

struct scase {
	const char *name, *user, *endpoint, *expect;
	enum suite_form form;
	yaml_node_t *req;
	yaml_node_t *rules, *waived; /* sequences, or NULL: not compared */
};

struct sload {
	const char *policy;
	int mode; /* -1: the policy's own; else MODE_ENFORCE or MODE_AUDIT */
	yaml_node_t *cases;
	struct scase c;
};

/* --- YAML to JSON ------------------------------------------------------------------ */

/* A plain scalar typed as YAML 1.2's core schema types it; a quoted one is a string. */
static json_t *
suite_scalar(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	const char *errstr;
	int64_t x;
	char *end;
	double d;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(s, n->data.scalar.length);
	if (strcmp(s, "true") == 0)
		return json_true();
	if (strcmp(s, "false") == 0)
		return json_false();
	if (strcmp(s, "null") == 0 || strcmp(s, "~") == 0 || s[0] == '\0')
		return json_null();
	if (str_to_i64(s, INT64_MIN, INT64_MAX, &x, &errstr) == 0)
		return json_integer(x);
	if (strspn(s, "0123456789.eE+-") == strlen(s) && strpbrk(s, "0123456789")) {
		errno = 0;
		d = strtod(s, &end);
		if (*end == '\0' && errno == 0)
			return json_real(d);
	}
	return json_stringn(s, n->data.scalar.length);
}

/* Node n as a new JSON value, or NULL (an error is reported). depth bounds nesting. */
static json_t *
suite_json(struct pyaml *Y, yaml_node_t *n, int depth)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *pr;
	yaml_node_t *k, *v;
	json_t *out, *e;

	if (depth > CG_JSON_DEPTH_MAX) {
		pyaml_err(Y, n, "request nested deeper than %d", CG_JSON_DEPTH_MAX);
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return suite_scalar(n);
	case YAML_SEQUENCE_NODE:
		if ((out = json_array()) == NULL)
			break;
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			if ((v = pyaml_node(Y, *it)) == NULL ||
			    (e = suite_json(Y, v, depth + 1)) == NULL ||
			    json_array_append_new(out, e) != 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	case YAML_MAPPING_NODE:
		if ((out = json_object()) == NULL)
			break;
		for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
			const char *ks;

			if ((k = pyaml_node(Y, pr->key)) == NULL ||
			    (v = pyaml_node(Y, pr->value)) == NULL ||
			    (ks = pyaml_scalar(Y, k, "request key")) == NULL ||
			    (e = suite_json(Y, v, depth + 1)) == NULL ||
			    json_object_set_new(out, ks, e) != 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	default:
		pyaml_err(Y, n, "request: not a YAML value");
		return NULL;
	}
	pyaml_oom(Y);
	return NULL;
}

/* --- the suite's keys ------------------------------------------------------------- */

static int
suite_str(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v, const struct pyaml_key *key, void *ctx)
{
	struct sload *S = ctx;
	const char **dst = key->arg == NULL ?
	    &S->policy :
	    (const char **)(void *)((char *)&S->c + *(const size_t *)key->arg);
	const char *s = pyaml_scalar(Y, v, key->name);

	(void)k;
	if (s == NULL)
		return -1;
	*dst = s;
	return 0;
}

static int
suite_node(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v, const struct pyaml_key *key, void *ctx)
{
	struct sload *S = ctx;

	(void)Y;
	(void)k;
	if (strcmp(key->name, "cases") == 0) {
		if (v->type != YAML_SEQUENCE_NODE) {
			pyaml_err(Y, v, "cases must be a list");
			return -1;
		}
		S->cases = v;
	} else if (strcmp(key->name, "rules") == 0 || strcmp(key->name, "waived") == 0) {
		if (v->type != YAML_SEQUENCE_NODE) {
			pyaml_err(Y, v, "%s must be a list of rule names", key->name);
			return -1;
		}
		*(strcmp(key->name, "rules") == 0 ? &S->c.rules : &S->c.waived) = v;
	} else {
		if (S->c.form != SF_NONE) {
			pyaml_err(Y, k, "a case has one request: body, inspect or envelope");
			return -1;
		}
		S->c.form = strcmp(key->name, "body") == 0 ? SF_BODY :
		    strcmp(key->name, "inspect") == 0      ? SF_INSPECT :
		                                             SF_ENVELOPE;
		S->c.req = v;
	}
	return 0;
}

static const size_t off_name = offsetof(struct scase, name);
static const size_t off_user = offsetof(struct scase, user);
static const size_t off_endpoint = offsetof(struct scase, endpoint);
static const size_t off_expect = offsetof(struct scase, expect);

static const struct pyaml_key suite_case_keys[] = {
    {.name = "name", .fn = suite_str, .arg = &off_name, .missing = "a case needs a name"},
    {.name = "user", .fn = suite_str, .arg = &off_user},
    {.name = "endpoint", .fn = suite_str, .arg = &off_endpoint},
    {.name = "expect",
        .fn = suite_str,
        .arg = &off_expect,
        .missing = "a case needs expect (allow, warn or deny)"},
    {.name = "body", .fn = suite_node},
    {.name = "inspect", .fn = suite_node},
    {.name = "envelope", .fn = suite_node},
    {.name = "rules", .fn = suite_node},
    {.name = "waived", .fn = suite_node},
};

static const struct pyaml_map suite_case_map = {
    .notmap = "a case must be a mapping (name, body|inspect|envelope, expect, ...)",
    .kind = "case key",
    .hint = "(name, body, inspect, envelope, endpoint, user, expect, rules, waived)",
    .keys = suite_case_keys,
    .nkeys = sizeof suite_case_keys / sizeof suite_case_keys[0],
};

/* mode: audit|enforce, in place of the policy's: the roll-out runs default.yaml in audit
 * mode, and its suite tests that without a copy of the file. */
static int
suite_mode(struct pyaml *Y, yaml_node_t *k, yaml_node_t *v, const struct pyaml_key *key,
    void *ctx)
{
	static const char *const modes[] = {"enforce", "audit", NULL};
	struct sload *S = ctx;
	int x;

	(void)k;
	(void)key;
	if (pyaml_enum(Y, v, "mode", modes, &x) != 0)
		return -1;
	S->mode = x == 1 ? MODE_AUDIT : MODE_ENFORCE;
	return 0;
}

static const struct pyaml_key suite_keys[] = {
    {.name = "mode", .fn = suite_mode},
    {.name = "policy",
        .fn = suite_str,
        .missing = "a suite needs policy (the policy file, relative to the suite)"},
    {.name = "cases", .fn = suite_node, .missing = "a suite needs cases"},
};

static const struct pyaml_map suite_map = {
    .notmap = "a suite must be a mapping (policy, mode, cases)",
    .kind = "suite key",
    .hint = "(policy, mode, cases)",
    .keys = suite_keys,
    .nkeys = sizeof suite_keys / sizeof suite_keys[0],
};

/* --- running a case --------------------------------------------------------------- */

/* The rules d reported: waived (true) or not, each once, as a sorted comma list. */
static void
suite_got(const struct decision *d, bool waived, char *out, size_t outsz)
{
	struct strbuf sb;
	bool seen[R_COUNT + 1] = {false};
	int r;
	size_t i;

	for (i = 0; i < d->nv; i++) {
		if ((d->v[i].waived_by != NULL) != waived || d->v[i].action == ACT_OFF)
			continue;
		r = d->v[i].rule >= 0 && d->v[i].rule < R_COUNT ? d->v[i].rule : R_COUNT;
		seen[r] = true;
	}
	str_init(&sb, out, outsz);
	/* Table order is stable; the names are compared as sets. */
	for (r = 0; r <= R_COUNT; r++)
		if (seen[r]) {
			if (sb.len)
				str_append(&sb, ",");
			str_append(&sb, r < R_COUNT ? rules_table[r].name : "request");
		}
}

/* The case's expected rules in the same form; -1 when one is not a rule's name. */
static int
suite_want(struct pyaml *Y, yaml_node_t *seq, char *out, size_t outsz)
{
	bool seen[R_COUNT + 1] = {false};
	yaml_node_item_t *it;
	yaml_node_t *e;
	struct strbuf sb;
	const char *s;
	int r;

	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		if ((e = pyaml_node(Y, *it)) == NULL || (s = pyaml_scalar(Y, e, "rules")) == NULL)
			return -1;
		if ((r = rules_find(s)) < 0 && strcmp(s, "request") != 0) {
			pyaml_err(Y, e, "unknown rule \"%.40s\"", s);
			return -1;
		}
		seen[r < 0 ? R_COUNT : r] = true;
	}
	str_init(&sb, out, outsz);
	for (r = 0; r <= R_COUNT; r++)
		if (seen[r]) {
			if (sb.len)
				str_append(&sb, ",");
			str_append(&sb, r < R_COUNT ? rules_table[r].name : "request");
		}
	return 0;
}

/* Runs one case. Returns 1 passed, 0 failed, -1 when the case cannot be read. */
static int
suite_case(struct pyaml *Y, const struct policy *p, const struct scase *k, struct decide_ctx *c,
    FILE *out)
{
	char want[1024], got[1024], wwant[1024], wgot[1024];
	const char *verdict;
	char *bytes = NULL;
	json_t *j = NULL;
	enum ep_kind kind = EP_CONTAINER_CREATE;
	size_t len;
	int ok;

	if (k->form == SF_NONE) {
		pyaml_err(Y, NULL, "case \"%s\" has no request (body, inspect or envelope)",
		    k->name);
		return -1;
	}
	if (strcmp(k->expect, "allow") != 0 && strcmp(k->expect, "warn") != 0 &&
	    strcmp(k->expect, "deny") != 0) {
		pyaml_err(Y, k->req, "case \"%s\": expect must be allow, warn or deny", k->name);
		return -1;
	}
	if (k->endpoint != NULL && (kind = uri_kind_from_name(k->endpoint)) == EP_KIND_COUNT) {
		pyaml_err(Y, k->req, "case \"%s\": unknown endpoint %s", k->name, k->endpoint);
		return -1;
	}
	if ((k->rules && suite_want(Y, k->rules, want, sizeof want) != 0) ||
	    (k->waived && suite_want(Y, k->waived, wwant, sizeof wwant) != 0))
		return -1;
	/* JSON text given as a string is used byte for byte (duplicates, odd spellings). */
	if (k->req->type == YAML_SCALAR_NODE && k->form != SF_INSPECT) {
		bytes = strdup((const char *)k->req->data.scalar.value);
	} else {
		if ((j = suite_json(Y, k->req, 0)) == NULL)
			return -1;
		if (k->form != SF_INSPECT)
			bytes = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	if (k->form != SF_INSPECT && bytes == NULL) {
		json_decref(j);
		pyaml_oom(Y);
		return -1;
	}
	len = bytes ? strlen(bytes) : 0;
	switch (k->form) {
	case SF_BODY:
		decide_body(p, kind, (unsigned char *)bytes, len, k->user ? k->user : "",
		    time(NULL), c);
		break;
	case SF_INSPECT:
		if (j == NULL &&
		    (j = json_loads((const char *)k->req->data.scalar.value, 0, NULL)) == NULL) {
			pyaml_err(Y, k->req, "case \"%s\": inspect is not JSON", k->name);
			return -1;
		}
		decide_inspect(p, j, k->user, time(NULL), c);
		break;
	default:
		decide_envelope_as(p, bytes, len, false, k->user, time(NULL), c);
		break;
	}
	verdict = c->dec.allow ? (c->dec.outcome == OUT_WARN ? "warn" : "allow") : "deny";
	suite_got(&c->dec, false, got, sizeof got);
	suite_got(&c->dec, true, wgot, sizeof wgot);
	ok = strcmp(verdict, k->expect) == 0 && (!k->rules || strcmp(want, got) == 0) &&
	    (!k->waived || strcmp(wwant, wgot) == 0);
	if (ok)
		fprintf(out, "ok   %s\n", k->name);
	else {
		fprintf(out, "FAIL %s: expected %s", k->name, k->expect);
		if (k->rules)
			fprintf(out, " [%s]", want);
		if (k->waived)
			fprintf(out, " waived [%s]", wwant);
		fprintf(out, ", got %s [%s]", verdict, got);
		if (k->waived)
			fprintf(out, " waived [%s]", wgot);
		fprintf(out, "\n");
		if (c->dec.nv > 0)
			fprintf(out, "     %s\n", c->dec.v[0].text);
	}
	decide_free(c);
	json_decref(j);
	free(bytes);
	return ok ? 1 : 0;
}

/* Runs one suite file; adds to *passed and *failed. Returns 0, or 2 when it cannot be
 * read (errors printed). */
static int
suite_file(const char *path, struct decide_ctx *c, size_t *passed, size_t *failed, FILE *out)
{
	struct policy_errors errs, perrs;
	struct pyaml Y;
	struct sload S;
	struct policy *p = NULL;
	char ppath[4096], *buf = NULL;
	const char *slash;
	yaml_node_item_t *it;
	yaml_node_t *cn;
	size_t len = 0, i;
	FILE *f;
	int rc = 0, r;

	memset(&S, 0, sizeof S);
	S.mode = -1;
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(out, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	if ((buf = malloc(CG_POLICY_FILE_MAX + 1)) != NULL)
		len = fread(buf, 1, CG_POLICY_FILE_MAX + 1, f);
	fclose(f);
	if (buf == NULL || len > CG_POLICY_FILE_MAX) {
		fprintf(out, "%s: %s\n", path, buf ? "larger than 1 MiB" : "out of memory");
		free(buf);
		return 2;
	}
	fprintf(out, "== %s\n", path);
	if (pyaml_open(&Y, buf, len, path, &errs) != 0 ||
	    pyaml_walk(&Y, pyaml_root(&Y), &suite_map, &S) != 0)
		goto bad;
	/* The policy is named relative to the suite, so a suite travels with its policy. */
	slash = strrchr(path, '/');
	if (S.policy[0] == '/' || slash == NULL)
		str_copy(ppath, S.policy, sizeof ppath);
	else
		snprintf(ppath, sizeof ppath, "%.*s/%s", (int)(slash - path), path, S.policy);
	/* A suite judges the policy's content, as lint does: not the file's owner. */
	if ((p = policy_load(ppath, true, &perrs)) == NULL) {
		for (i = 0; i < perrs.n; i++)
			fprintf(out, "%s\n", perrs.text[i]);
		rc = 2;
		goto done;
	}
	if (S.mode >= 0)
		p->mode = (enum mode)S.mode;
	if ((size_t)(S.cases->data.sequence.items.top - S.cases->data.sequence.items.start) >
	    SUITE_CASES_MAX) {
		pyaml_err(&Y, S.cases, "more than %d cases", SUITE_CASES_MAX);
		goto bad;
	}
	for (it = S.cases->data.sequence.items.start; it < S.cases->data.sequence.items.top; it++) {
		memset(&S.c, 0, sizeof S.c);
		if ((cn = pyaml_node(&Y, *it)) == NULL ||
		    pyaml_walk(&Y, cn, &suite_case_map, &S) != 0 ||
		    (r = suite_case(&Y, p, &S.c, c, out)) < 0)
			goto bad;
		if (r == 1)
			(*passed)++;
		else
			(*failed)++;
	}
	goto done;
bad:
	for (i = 0; i < errs.n; i++)
		fprintf(out, "%s\n", errs.text[i]);
	rc = 2;
done:
	policy_release(p);
	pyaml_close(&Y);
	free(buf);
	return rc;
}

int
suite_run(const char *const *files, int n, FILE *out)
{
	struct decide_ctx *c = malloc(sizeof *c);
	size_t passed = 0, failed = 0;
	int i, rc = 0;

	if (c == NULL) {
		fprintf(out, "cisgate: out of memory\n");
		return 2;
	}
	/* Host paths are judged as written: a suite gives the same answers on every host. */
	c->rootfd = -1;
	c->judged = NULL;
	for (i = 0; i < n; i++)
		if (suite_file(files[i], c, &passed, &failed, out) != 0)
			rc = 2;
	fprintf(out, "%zu passed, %zu failed\n", passed, failed);
	free(c);
	return rc != 0 ? rc : failed > 0;
}
