/* Data-driven policy cases: every *.cases file under DIR, one case per line:
 *   name | policy | request | expect | rules | msg | body
 * policy   default, strict (the shipped files), audit (default.yaml with mode: audit, the
 *          README's roll-out step) or a file in DIR/policies/
 * request  an endpoint kind (container_create, exec_create, ...) for a bare body,
 *          "METHOD URI [cl=N]" to wrap the body in an AuthZ envelope as dockerd does
 *          (Content-Length = body length unless cl= says otherwise), "envelope" when the
 *          body is the envelope ("envelope user=NAME": as `cisgate check --user NAME`
 *          reads it), or "inspect" for `docker inspect` output; any of them followed by
 *          "audit=failed" is answered as the server does when its audit record cannot be
 *          written, and/or by "daemon=VERSION" (last): dockerd's version as serve would
 *          have read it from GET /version (the daemon-cves rules; none: unknown);
 *          "METHOD URI" requests may end with "facts=NAME" (decided as the
 *          server's second pass, with the answers listed in DIR/facts/NAME.facts: lines
 *          "KIND REF STATUS FILE", KIND container|image|network|passwd|volume|group, STATUS 200, 404
 *          or 0 (unreachable), FILE under DIR/facts/ or "-"; a passwd FILE is text that
 *          the runner wraps in a tar as dockerd's archive route does) or "lookups=N"
 *          (the server's first pass: exactly N facts must be asked for), and/or
 *          "token=T" (the envelope carries T in CG_LOOKUP_HEADER; the runner plays a
 *          cisgate whose own lookups carry CASES_LOOKUP_TOKEN)
 * expect   allow | warn | deny | would-deny (audit mode let a deny through: warn, would_deny)
 * rules    the violated rules not waived, comma-separated (any order); name~EXEMPTION
 *          for a waived one; "request" for a request cisgate cannot read; "-" for none
 * msg      a substring the denial message must hold, or "-"
 * body     "-" (none), "{...}" exactly, or "+{...}" merged over the compliant baseline
 * Exemption expiry is judged at 2026-06-01T00:00:00Z. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cisgate/cves.h"
#include "cisgate/decide.h"
#include "cisgate/facts.h"
#include "cisgate/rules.h"

/* The token of the cisgate these cases play (c->lookup_token). */
#define CASES_LOOKUP_TOKEN "00112233445566778899aabbccddeeff"

static const char BASELINE[] =
    "{\"Image\":\"busybox\",\"User\":\"1000\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]},"
    "\"Labels\":{},\"HostConfig\":{\"Memory\":268435456,\"CpuShares\":512,\"PidsLimit\":100,"
    "\"ReadonlyRootfs\":true,\"SecurityOpt\":[\"no-new-privileges\"],\"NetworkMode\":\"appnet\","
    "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}],"
    "\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}}}";

static char dir[512];
static int failures, total;

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static struct {
	char name[64];
	struct policy *p;
} cache[32];
static int ncache;

/* The shipped default.yaml with its "mode: enforce" line set to audit, as the README's
 * roll-out says to. */
static struct policy *
load_audit(const char *path, struct policy_errors *errs)
{
	static const char from[] = "\nmode: enforce\n", to[] = "\nmode: audit  \n";
	struct policy *p = NULL;
	char *buf = NULL, *at;
	size_t len = 0;
	FILE *f = fopen(path, "r");

	memset(errs, 0, sizeof *errs);
	if (f != NULL && (buf = calloc(1, 1 << 20)) != NULL)
		len = fread(buf, 1, (1 << 20) - 1, f);
	if (f != NULL)
		fclose(f);
	/* Same length: "audit  " replaces "enforce" (trailing spaces end no YAML value). */
	if (buf != NULL && (at = strstr(buf, from)) != NULL) {
		memcpy(at, to, sizeof to - 1);
		p = policy_load_buffer(buf, len, path, errs);
	}
	free(buf);
	return p;
}

static struct policy *
load_policy(const char *name)
{
	struct policy_errors errs;
	char path[1024];
	int i;

	for (i = 0; i < ncache; i++)
		if (strcmp(cache[i].name, name) == 0)
			return cache[i].p;
	if (strcmp(name, "default") == 0 || strcmp(name, "strict") == 0)
		snprintf(path, sizeof path, "policy/%s.yaml", name);
	else if (strcmp(name, "audit") == 0)
		snprintf(path, sizeof path, "policy/default.yaml");
	else
		snprintf(path, sizeof path, "%s/policies/%s.yaml", dir, name);
	if (ncache >= 32)
		return NULL;
	if (strcmp(name, "audit") == 0)
		cache[ncache].p = load_audit(path, &errs);
	else
		cache[ncache].p = policy_load(path, true, &errs);
	if (cache[ncache].p == NULL) {
		fprintf(stderr, "cannot load %s: %s\n", path, errs.n ? errs.text[0] : "?");
		return NULL;
	}
	snprintf(cache[ncache].name, sizeof cache[ncache].name, "%s", name);
	return cache[ncache++].p;
}

static void
release_policies(void)
{
	int i;

	for (i = 0; i < ncache; i++)
		policy_release(cache[i].p);
}

/* Builds the body text; returns malloc'd, or NULL for "-". */
static char *
make_body(const char *spec)
{
	json_t *base, *patch;
	char *out;

	if (strcmp(spec, "-") == 0)
		return NULL;
	if (spec[0] != '+')
		return strdup(spec);
	base = json_loads(BASELINE, 0, NULL);
	patch = json_loads(spec + 1, 0, NULL);
	if (base == NULL || patch == NULL) {
		fprintf(stderr, "bad patch: %s\n", spec);
		exit(2);
	}
	json_object_update_recursive(base, patch);
	out = json_dumps(base, JSON_COMPACT);
	json_decref(base);
	json_decref(patch);
	return out;
}

static char *
make_envelope(const char *method, const char *uri, const char *body, const char *cl,
    const char *token)
{
	json_t *e = json_object(), *h = json_object();
	char *out;

	json_object_set_new(e, "User", json_string(""));
	json_object_set_new(e, "UserAuthNMethod", json_string(""));
	json_object_set_new(e, "RequestMethod", json_string(method));
	json_object_set_new(e, "RequestUri", json_string(uri));
	if (body != NULL) {
		size_t n = strlen(body), o = 0, i;
		static const char tab[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		char *b = malloc((n + 2) / 3 * 4 + 1), num[32];
		const unsigned char *s = (const unsigned char *)body;

		for (i = 0; i + 2 < n; i += 3) {
			b[o++] = tab[s[i] >> 2];
			b[o++] = tab[(s[i] & 3) << 4 | s[i + 1] >> 4];
			b[o++] = tab[(s[i + 1] & 15) << 2 | s[i + 2] >> 6];
			b[o++] = tab[s[i + 2] & 63];
		}
		if (n - i == 1) {
			b[o++] = tab[s[i] >> 2];
			b[o++] = tab[(s[i] & 3) << 4];
			b[o++] = '=';
			b[o++] = '=';
		} else if (n - i == 2) {
			b[o++] = tab[s[i] >> 2];
			b[o++] = tab[(s[i] & 3) << 4 | s[i + 1] >> 4];
			b[o++] = tab[(s[i + 1] & 15) << 2];
			b[o++] = '=';
		}
		b[o] = '\0';
		json_object_set_new(e, "RequestBody", json_string(b));
		free(b);
		snprintf(num, sizeof num, "%zu", n);
		json_object_set_new(h, "Content-Type", json_string("application/json"));
		json_object_set_new(h, "Content-Length", json_string(cl ? cl : num));
	} else if (cl != NULL)
		json_object_set_new(h, "Content-Length", json_string(cl));
	if (token != NULL)
		json_object_set_new(h, CG_LOOKUP_HEADER, json_string(token));
	json_object_set_new(e, "RequestHeaders", h);
	out = json_dumps(e, JSON_COMPACT);
	json_decref(e);
	return out;
}

/* The decision's rule list as the case file writes it, sorted. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
rules_of(const struct decision *d, char *out, size_t outsz)
{
	char items[CG_VIOLATIONS_MAX][128];
	const char *ptrs[CG_VIOLATIONS_MAX];
	size_t i, n = 0, o = 0;

	for (i = 0; i < d->nv; i++) {
		const struct violation *v = &d->v[i];

		if (v->action == ACT_OFF)
			continue;
		snprintf(items[n], sizeof items[n], "%s%s%s",
		    v->rule >= 0 ? rules_table[v->rule].name : "request", v->waived_by ? "~" : "",
		    v->waived_by ? v->waived_by->name : "");
		ptrs[n] = items[n];
		n++;
	}
	qsort(ptrs, n, sizeof ptrs[0], cmp_str);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s", i ? "," : "", ptrs[i]);
	if (n == 0)
		snprintf(out, outsz, "-");
}

static void
sort_list(const char *in, char *out, size_t outsz)
{
	char buf[1024], *ptrs[64], *tok, *save;
	size_t n = 0, i, o = 0;

	snprintf(buf, sizeof buf, "%s", in);
	for (tok = strtok_r(buf, ",", &save); tok && n < 64; tok = strtok_r(NULL, ",", &save))
		ptrs[n++] = trim(tok);
	qsort(ptrs, n, sizeof ptrs[0], cmp_str);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s", i ? "," : "", ptrs[i]);
}

static struct facts case_facts;

/* A ustar archive of one file "passwd" holding text[0..n) (allocates). */
static char *
make_tar(const char *text, size_t n, size_t *len)
{
	size_t sz = 512 + ((n + 511) / 512) * 512 + 1024, i;
	char *t = calloc(1, sz);
	unsigned sum = 0;

	if (t == NULL)
		return NULL;
	memcpy(t, "passwd", 6);
	snprintf(t + 100, 8, "%07o", 0644);
	snprintf(t + 124, 12, "%011o", (unsigned)(n & 07777777777));
	snprintf(t + 136, 12, "%011o", 0);
	t[156] = '0';
	memcpy(t + 257, "ustar", 6);
	memcpy(t + 263, "00", 2);
	memset(t + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += (unsigned char)t[i];
	snprintf(t + 148, 8, "%06o", sum);
	memcpy(t + 512, text, n);
	*len = sz;
	return t;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *b;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	if (n < 0 || (b = malloc((size_t)n + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	*len = fread(b, 1, (size_t)n, fp);
	b[*len] = '\0';
	fclose(fp);
	return b;
}

/* Loads DIR/facts/name.facts into case_facts. Returns 0 or -1. */
static int
load_facts(const char *name)
{
	static const char *const kinds[FACT_KIND_COUNT] = {[FACT_CONTAINER] = "container",
	    [FACT_IMAGE] = "image", [FACT_PLUGIN] = "plugin", [FACT_NETWORK] = "network",
	    [FACT_PASSWD] = "passwd", [FACT_VOLUME] = "volume", [FACT_GROUP] = "group"};
	char path[1024], line[1024], kind[32], ref[512], file[256];
	long status;
	FILE *fp;

	facts_clear(&case_facts);
	snprintf(path, sizeof path, "%s/facts/%s.facts", dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, fp) != NULL) {
		char *body = NULL;
		size_t len = 0;
		int k, i;

		if (line[0] == '#' || sscanf(line, "%31s %511s %ld %255s", kind, ref, &status,
		    file) != 4)
			continue;
		for (k = 0; k < FACT_KIND_COUNT && strcmp(kinds[k], kind) != 0; k++)
			;
		if (k == FACT_KIND_COUNT || (i = facts_need(&case_facts, k, ref, "case")) < 0) {
			fclose(fp);
			return -1;
		}
		if (strcmp(file, "-") != 0) {
			snprintf(path, sizeof path, "%s/facts/%s", dir, file);
			if ((body = slurp(path, &len)) == NULL) {
				fclose(fp);
				return -1;
			}
			if (k == FACT_PASSWD || k == FACT_GROUP) {
				char *t = make_tar(body, len, &len);

				free(body);
				body = t;
			}
		}
		facts_answer(&case_facts, (size_t)i, status, body, len,
		    status == 0 ? "cannot connect to dockerd (daemon.socket)" : "answer");
	}
	fclose(fp);
	return 0;
}

static void
run_line(const char *file, int lineno, char *line, struct decide_ctx *c, time_t now)
{
	char *f[7], *p = line, got[1024], want[1024];
	const char *outcome;
	struct policy *pol;
	char *body, *req = NULL, *af, *dv, *fa, *lk, *tk;
	uint32_t ver = 0;
	struct facts need = {0};
	long want_lookups = -1;
	json_t *doc = NULL;
	int i;
	bool ok = true;

	for (i = 0; i < 6; i++) {
		char *bar = strchr(p, '|');

		if (bar == NULL) {
			fprintf(stderr, "%s:%d: needs 7 fields\n", file, lineno);
			failures++;
			return;
		}
		*bar = '\0';
		f[i] = trim(p);
		p = bar + 1;
	}
	f[6] = trim(p);
	total++;
	if ((pol = load_policy(f[1])) == NULL) {
		failures++;
		return;
	}
	body = make_body(f[6]);
	if ((dv = strstr(f[2], " daemon=")) != NULL) {
		if (cves_parse_version(dv + 8, &ver) != 0) {
			fprintf(stderr, "%s:%d: bad daemon version %s\n", file, lineno, dv + 8);
			failures++;
			free(body);
			return;
		}
		*dv = '\0';
	}
	atomic_store(&pol->daemon_version, ver);
	if ((tk = strstr(f[2], " token=")) != NULL) {
		*tk = '\0';
		tk += 7;
	}
	if ((af = strstr(f[2], " audit=failed")) != NULL)
		*af = '\0';
	if ((fa = strstr(f[2], " facts=")) != NULL) {
		*fa = '\0';
		if (load_facts(fa + 7) != 0) {
			fprintf(stderr, "%s:%d: cannot load facts %s\n", file, lineno, fa + 7);
			failures++;
			free(body);
			return;
		}
	}
	if ((lk = strstr(f[2], " lookups=")) != NULL) {
		*lk = '\0';
		want_lookups = strtol(lk + 9, NULL, 10);
	}
	if (strcmp(f[2], "envelope") == 0) {
		decide_envelope(pol, body ? body : "", body ? strlen(body) : 0, false, now, c);
	} else if (strncmp(f[2], "envelope user=", 14) == 0) {
		decide_envelope_as(pol, body ? body : "", body ? strlen(body) : 0, false, f[2] + 14,
		    now, c);
	} else if (strcmp(f[2], "inspect") == 0) {
		doc = json_loads(body, 0, NULL);
		decide_inspect(pol, json_array_get(doc, 0), "", now, c);
	} else if (strchr(f[2], ' ') != NULL) {
		char method[16], uri[2048], cl[64] = "";
		const char *clp = NULL;

		if (sscanf(f[2], "%15s %2047s cl=%63s", method, uri, cl) < 2) {
			fprintf(stderr, "%s:%d: bad request field\n", file, lineno);
			failures++;
			free(body);
			return;
		}
		if (cl[0])
			clp = cl;
		req = make_envelope(method, uri, body, clp, tk);
		decide_envelope_facts(pol, req, strlen(req), false, NULL, now,
		    fa != NULL ? &case_facts : NULL, want_lookups >= 0 ? &need : NULL, c);
	} else {
		enum ep_kind k = uri_kind_from_name(f[2]);

		if (k == EP_KIND_COUNT) {
			fprintf(stderr, "%s:%d: unknown endpoint %s\n", file, lineno, f[2]);
			failures++;
			free(body);
			return;
		}
		decide_body(pol, k, (const unsigned char *)(body ? body : ""), body ? strlen(body) : 0,
		    "", now, c);
	}
	if (af != NULL)
		(void)decide_audit_failed(pol, c);
	outcome = c->dec.would_deny ? "would-deny" : eval_outcome_name(c->dec.outcome);
	rules_of(&c->dec, got, sizeof got);
	sort_list(f[4], want, sizeof want);
	if (strcmp(outcome, f[3]) != 0 || strcmp(got, want) != 0)
		ok = false;
	if (strcmp(f[5], "-") != 0 && strstr(c->dec.msg, f[5]) == NULL)
		ok = false;
	if (want_lookups >= 0 && (long)need.n != want_lookups) {
		printf("FAIL %s:%d %s: want %ld lookups, got %zu\n", file, lineno, f[0],
		    want_lookups, need.n);
		ok = false;
	}
	if (!ok) {
		failures++;
		printf("FAIL %s:%d %s: want %s [%s] got %s [%s]\n     msg: %s\n", file, lineno, f[0],
		    f[3], want, outcome, got, c->dec.msg);
	} else
		printf("ok   %s\n", f[0]);
	decide_free(c);
	facts_clear(&case_facts);
	json_decref(doc);
	free(req);
	free(body);
}

int
main(int argc, char **argv)
{
	struct decide_ctx *c = malloc(sizeof *c);
	struct tm tm = {.tm_year = 126, .tm_mon = 5, .tm_mday = 1};
	time_t now = timegm(&tm);
	struct dirent **names;
	int n, i;

	snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : "tests/cases");
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0 || c == NULL) {
		perror(dir);
		return 2;
	}
	c->rootfd = -1; /* host paths as written: cases do not depend on this machine */
	c->judged = NULL;
	c->lookup_token = CASES_LOOKUP_TOKEN;
	for (i = 0; i < n; i++) {
		char path[1024], line[65536];
		FILE *f;
		int lineno = 0;

		if (strstr(names[i]->d_name, ".cases") != NULL) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
			if ((f = fopen(path, "r")) == NULL) {
				perror(path);
				return 2;
			}
			while (fgets(line, sizeof line, f)) {
				lineno++;
				if (line[0] == '#' || trim(line)[0] == '\0')
					continue;
				run_line(names[i]->d_name, lineno, line, c, now);
			}
			fclose(f);
		}
		free(names[i]);
	}
	free(names);
	free(c);
	release_policies();
	printf("%d passed, %d failed\n", total - failures, failures);
	return failures ? 1 : 0;
}
