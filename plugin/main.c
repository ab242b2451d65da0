/* main.c - the command line: serve, lint, check, audit verify|keygen|show-policy. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cisgate/audit.h"
#include "cisgate/auditdiff.h"
#include "cisgate/cves.h"
#include "cisgate/daemonver.h"
#include "cisgate/checkout.h"
#include "cisgate/checkpoint.h"
#include "cisgate/compose.h"
#include "cisgate/decide.h"
#include "cisgate/lint.h"
#include "cisgate/log.h"
#include "cisgate/report.h"
#include "cisgate/lookup.h"
#include "cisgate/rules.h"
#include "cisgate/schema.h"
#include "cisgate/policycmd.h"
#include "cisgate/policysig.h"
#include "cisgate/polstore.h"
#include "cisgate/serve.h"
#include "cisgate/str.h"
#include "cisgate/suite.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cisgate serve [--socket PATH] [--policy FILE] [--group NAME] [--watch]\n"
	    "                     [--idle-timeout SECONDS] [--workers N] [--insecure-policy]\n"
	    "                     [--audit-file PATH] [--shadow FILE]\n"
	    "                     [--policy-key PUB] [--policy-keys DIR] [--host-id NAME]\n"
	    "       cisgate lint [--expiring DAYS] [--insecure-policy] [--policy-key PUB] FILE\n"
	    "       cisgate check --policy FILE [--user NAME] [--endpoint KIND] "
	    "[--format text|json|table]\n"
	    "                     [--insecure-policy] INPUT|-...\n"
	    "       cisgate check ... [--daemon-socket PATH | --daemon-version VERSION]\n"
	    "                     [--policy-key PUB|DIR]\n"
	    "       cisgate daemon-report [--daemon-socket PATH] [--policy FILE] "
	    "[--insecure-policy]\n"
	    "       cisgate policy sign --key KEY FILE | verify --key PUB|DIR FILE\n"
	    "       cisgate audit diff [--since TIME] [--until TIME] FILE...\n"
	    "       cisgate audit verify [--key PUB] [--anchors FILE] [--json] FILE...\n"
	    "       cisgate audit keygen DIR|PREFIX\n"
	    "       cisgate audit show-policy [--dir DIR] SHA256\n"
	    "       cisgate test SUITE.yaml...\n"
	    "       cisgate report [--since DATE] [--format html|json] [--policy FILE] LOG...\n"
	    "       cisgate schema\n"
	    "       cisgate --version | --help\n"
	    "\n"
	    "serve   answer dockerd's AuthZ plugin calls on a unix socket\n"
	    "        (default %s, policy %s)\n"
	    "lint    check a policy file: prints \"policy OK\" or every error with line:col\n"
	    "check   decide offline: INPUT is an AuthZ envelope, a raw create/exec/update/volume\n"
	    "        body (with --endpoint container_create|exec_create|container_update|\n"
	    "        volume_create), `docker inspect` output or a compose file (as\n"
	    "        `docker-compose config` prints it). Ends with a summary. Exit 0 all\n"
	    "        allowed, 1 something denied, 2 error\n"
	    "        --daemon-socket asks dockerd's version (GET /version) for the daemon-cves\n"
	    "        rules and looks an envelope's users, joins and images up there, as the\n"
	    "        server does; --daemon-version gives the version; neither: unknown\n"
	    "daemon-report  dockerd's version, the daemon-cves entries that apply to it, and\n"
	    "        every rule's action under the policy. Exit 0, 1 when an entry applies, 2 error\n"
	    "policy sign   write FILE.sig, an Ed25519 signature of FILE (as openssl pkeyutl\n"
	    "        -sign -rawin writes it); --policy-key/--policy-keys make serve, check and\n"
	    "        lint refuse a policy without a signature by a trusted key (also when\n"
	    "        " POLICYSIG_BESIDE "/ is beside the policy)\n"
	    "audit diff    what the shadow policy would have denied that the enforced one allowed,\n"
	    "        per rule, from the records in FILE... (TIME: an ISO 8601 UTC prefix)\n"
	    "audit verify  check the audit log's SHA-256 chain across rotated files (plain or\n"
	    "        .gz, any order), with --key its signed checkpoints, with --anchors the\n"
	    "        checkpoint lines kept off the host (syslog/journal)\n"
	    "audit keygen  write an Ed25519 key pair for audit.signing_key (PREFIX.key 0600,\n"
	    "        PREFIX.pub)\n"
	    "audit show-policy  print a kept policy by the policy_sha256 of a record\n"
	    "test    run policy test suites (policy/tests/README.md): a line a case, then\n"
	    "        \"N passed, M failed\". Exit 0 all passed, 1 a case failed, 2 error\n"
	    "report  sum up audit logs (rotated and .gz too, oldest first): an HTML page with\n"
	    "        charts (no script, nothing fetched) or JSON; --policy lists exemptions\n"
	    "        expiring within 30 days\n"
	    "schema  print the policy's JSON Schema (draft 2020-12), made from the rule table\n",
	    SERVE_DEFAULT_SOCKET, SERVE_DEFAULT_POLICY);
}

/* Reads a whole file (or stdin for "-") up to max bytes. Returns a malloc'd buffer. */
static char *
read_all(const char *path, size_t max, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n + 65536 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536 * 2;
			if (cap > max + 65536 + 1 || (nb = realloc(buf, cap)) == NULL) {
				free(buf);
				if (f != stdin)
					fclose(f);
				errno = EFBIG;
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, 65536, f);
		n += r;
	} while (r > 0 && n <= max);
	if (f != stdin)
		fclose(f);
	if (n > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}


/* The policy as serve would trust it: signed by key (a file or directory) or by a key
 * beside it, when either is there. Returns it, or NULL with errs said. */
static struct policy *
main_policy_load(const char *path, const char *key, bool insecure, struct policy_errors *errs)
{
	struct policysig_keys *ks = NULL;
	struct policy *p;

	memset(errs, 0, sizeof *errs);
	if (policysig_keys_resolve(path, key, NULL, insecure, &ks, errs->text[0],
	        sizeof errs->text[0]) != 0) {
		errs->n = 1;
		errs->sig_refused = true;
		return NULL;
	}
	p = policy_load_signed(path, insecure, ks, errs);
	policysig_keys_free(ks);
	return p;
}

/* dockerd's version into p for the daemon-cves rules: asked at socket, or given as
 * version (NULL both: left unknown). Returns 0, or -1 with a message on stderr. */
static int
main_daemon_version(struct policy *p, const char *socket, const char *version)
{
	char raw[64], err[256];
	uint32_t v = 0;

	if (version != NULL && cves_parse_version(version, &v) != 0) {
		fprintf(stderr, "cisgate: --daemon-version %s is not MAJOR.MINOR[.PATCH]\n", version);
		return -1;
	}
	if (socket != NULL && daemonver_read(socket, (unsigned)p->daemon.timeout_ms, &v, raw,
	                          sizeof raw, err, sizeof err) != 0) {
		fprintf(stderr, "cisgate: %s: %s\n", socket, err);
		return -1;
	}
	atomic_store(&p->daemon_version, v);
	return 0;
}

/* Decides an envelope as the server does: the facts it needs looked up in the dockerd at
 * socket (synchronously), then decided again with them. */
static void
check_with_daemon(const struct policy *p, const char *buf, size_t len, const char *user,
    const char *socket, struct decide_ctx *c)
{
	static struct facts need; /* answers freed when the next check starts */
	static struct facts more; /* what a round's answers showed is needed next */
	unsigned round;
	size_t i;

	facts_clear(&need);
	decide_envelope_facts(p, buf, len, false, user, time(NULL), NULL, &need, c);
	/* In rounds, as the server asks: a join chain's next link is in the last answer. */
	for (round = 1; c->pending && round <= CG_LOOKUP_ROUNDS; round++) {
		decide_free(c);
		lookup_run_sync(socket, (unsigned)p->daemon.timeout_ms, &need);
		more.n = 0;
		decide_envelope_facts(p, buf, len, false, user, time(NULL), &need,
		    round < CG_LOOKUP_ROUNDS ? &more : NULL, c);
		for (i = 0; c->pending && i < more.n; i++)
			if (facts_need(&need, more.f[i].kind, more.f[i].ref, more.f[i].why) < 0)
				break;
	}
	/* need's answers stay until the next call: c's views point into them. */
}

/* Decides one docker inspect entry with its named volumes looked up in the dockerd at
 * socket (one round: an entry's volumes are all it asks). */
static void
check_inspect_with_daemon(const struct policy *p, json_t *item, const char *user,
    const char *socket, struct decide_ctx *c)
{
	static struct facts need; /* answers freed when the next check starts */

	facts_clear(&need);
	decide_inspect_facts(p, item, user, time(NULL), NULL, &need, c);
	if (!c->pending)
		return;
	decide_free(c);
	lookup_run_sync(socket, (unsigned)p->daemon.timeout_ms, &need);
	decide_inspect_facts(p, item, user, time(NULL), &need, NULL, c);
}

/* One INPUT of `check`: an envelope, a bare body (endpoint), docker inspect output or a
 * compose file, each verdict added to o. Returns 0, or 2 when INPUT cannot be read. */
static int
check_input(const struct policy *p, const char *path, const char *user,
    const char *endpoint, const char *dsock, struct checkout *o, struct decide_ctx *c)
{
	struct policy_errors errs;
	struct compose_file cf;
	char project[256];
	char *buf;
	size_t len, i;
	json_t *doc;
	int rc = 0;

	if ((buf = read_all(path, CG_ENVELOPE_MAX, &len)) == NULL) {
		fprintf(stderr, "cisgate: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (endpoint == NULL && compose_detect(buf, len)) {
		/* Each service as the create docker-compose would send, in the project
		 * docker-compose would use: COMPOSE_PROJECT_NAME, else the file's directory
		 * (the current one for stdin). */
		if (getenv("COMPOSE_PROJECT_NAME") != NULL)
			compose_project_name(getenv("COMPOSE_PROJECT_NAME"), project, sizeof project);
		else
			compose_project(path, project, sizeof project);
		if (compose_load(buf, len, path, project, &cf, &errs) != 0) {
			for (i = 0; i < errs.n; i++)
				fprintf(stderr, "%s\n", errs.text[i]);
			rc = 2;
		}
		for (i = 0; rc == 0 && i < cf.n; i++) {
			decide_body_named(p, cf.v[i].name, (unsigned char *)cf.v[i].body,
			    cf.v[i].len, user, time(NULL), c);
			if (checkout_add(o, cf.v[i].name, cf.v[i].image, &c->dec, NULL) != 0)
				rc = 2;
			decide_free(c);
		}
		compose_free(&cf);
		free(buf);
		return rc;
	}
	doc = json_loadb(buf, len, 0, NULL);
	if (endpoint != NULL) {
		enum ep_kind k = uri_kind_from_name(endpoint);

		if (k == EP_KIND_COUNT) {
			fprintf(stderr, "cisgate: unknown endpoint %s\n", endpoint);
			rc = 2;
		} else {
			decide_body(p, k, (unsigned char *)buf, len, user, time(NULL), c);
			rc = checkout_add(o, endpoint, c->view.image, &c->dec, NULL) ? 2 : 0;
			decide_free(c);
		}
	} else if (json_is_array(doc)) {
		json_t *item;

		/* docker inspect: one decision per container, as if it were created now. */
		json_array_foreach(doc, i, item) {
			if (dsock != NULL)
				check_inspect_with_daemon(p, item, user, dsock, c);
			else
				decide_inspect(p, item, user, time(NULL), c);
			if (checkout_add(o, c->view.name && c->view.name[0] ? c->view.name :
			    "container", c->view.image, &c->dec, NULL) != 0)
				rc = 2;
			decide_free(c);
		}
	} else if (json_is_object(doc) && (json_object_get(doc, "RequestUri") ||
	               json_object_get(doc, "RequestMethod"))) {
		/* The bytes as given, as the server reads them: only the user is replaced. */
		if (dsock != NULL)
			check_with_daemon(p, buf, len, user[0] ? user : NULL, dsock, c);
		else
			decide_envelope_as(p, buf, len, false, user[0] ? user : NULL, time(NULL),
			    c);
		rc = checkout_add(o, uri_kind_name(c->ep.kind), c->view.image, &c->dec,
		    c->dec.msg) ? 2 : 0;
		decide_free(c);
	} else {
		fprintf(stderr, "cisgate: %s is not an AuthZ envelope, docker inspect output or a "
		    "compose file; for a bare body give --endpoint\n", path);
		rc = 2;
	}
	json_decref(doc);
	free(buf);
	return rc;
}

static int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {{"policy", required_argument, NULL, 'p'},
	    {"user", required_argument, NULL, 'u'}, {"endpoint", required_argument, NULL, 'e'},
	    {"insecure-policy", no_argument, NULL, 'i'},
	    {"format", required_argument, NULL, 'f'},
	    {"daemon-socket", required_argument, NULL, 'D'},
	    {"daemon-version", required_argument, NULL, 'V'},
	    {"policy-key", required_argument, NULL, 'K'}, {NULL, 0, NULL, 0}};
	const char *policy = NULL, *user = "", *endpoint = NULL;
	const char *dsock = NULL, *dver = NULL, *pkey = NULL;
	enum check_format fmt = CHECK_TEXT;
	bool insecure = false;
	struct policy_errors errs;
	struct policy *p;
	struct decide_ctx *c;
	struct checkout *o;
	size_t i;
	int ch, rc = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:u:e:if:D:V:K:", opts, NULL)) != -1) {
		switch (ch) {
		case 'K': pkey = optarg; break;
		case 'p': policy = optarg; break;
		case 'u': user = optarg; break;
		case 'e': endpoint = optarg; break;
		case 'i': insecure = true; break;
		case 'D': dsock = optarg; break;
		case 'V': dver = optarg; break;
		case 'f':
			if (checkout_format(optarg, &fmt) != 0) {
				fprintf(stderr, "cisgate: --format %s: text, json or table\n", optarg);
				return 2;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	if (policy == NULL || optind >= argc || (dsock != NULL && dver != NULL)) {
		usage(stderr);
		return 2;
	}
	if ((p = main_policy_load(policy, pkey, insecure, &errs)) == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.text[i]);
		return 2;
	}
	if (main_daemon_version(p, dsock, dver) != 0) {
		policy_release(p);
		return 2;
	}
	if ((c = malloc(sizeof *c)) == NULL || (o = checkout_new(fmt)) == NULL) {
		fprintf(stderr, "cisgate: out of memory\n");
		free(c);
		policy_release(p);
		return 2;
	}
	c->judged = NULL; /* every container a check meets is judged on what dockerd says */
	/* Bind sources are resolved on this host, as the server resolves them on its own. */
	if ((c->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "cisgate: /: %s\n", strerror(errno));
		rc = 2;
	}
	for (; rc == 0 && optind < argc; optind++)
		rc = check_input(p, argv[optind], user, endpoint, dsock, o, c);
	/* An input that cannot be read makes the whole answer an error: no partial verdict. */
	if (rc == 0) {
		checkout_print(o, stdout);
		rc = checkout_status(o);
	}
	if (c->rootfd >= 0)
		close(c->rootfd);
	checkout_free(o);
	free(c);
	policy_release(p);
	return rc;
}

/* audit diff [--since TIME] [--until TIME] LOG... */
static int
cmd_audit_diff(int argc, char **argv)
{
	static const struct option opts[] = {{"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'u'}, {NULL, 0, NULL, 0}};
	const char *since = NULL, *until = NULL;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:u:", opts, NULL)) != -1) {
		switch (ch) {
		case 's': since = optarg; break;
		case 'u': until = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	return auditdiff_run((const char *const *)argv + optind, argc - optind, since, until,
	    stdout);
}

/* `cisgate daemon-report`: what a host's dockerd is exposed to and what the policy does
 * about it. */
static int
cmd_daemon_report(int argc, char **argv)
{
	static const struct option opts[] = {{"policy", required_argument, NULL, 'p'},
	    {"daemon-socket", required_argument, NULL, 'D'},
	    {"insecure-policy", no_argument, NULL, 'i'}, {NULL, 0, NULL, 0}};
	const char *policy = NULL, *dsock = NULL;
	struct policy_errors errs;
	struct policy *p;
	char raw[64] = "", err[256] = "", vs[32];
	bool insecure = false;
	uint32_t v = 0;
	size_t i;
	int ch, r, rc = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:D:i", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': policy = optarg; break;
		case 'D': dsock = optarg; break;
		case 'i': insecure = true; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	p = policy != NULL ? policy_load(policy, insecure, &errs) :
	                     policy_load_buffer("apiVersion: cisgate/v1\n", 22, "(defaults)", &errs);
	if (p == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.text[i]);
		return 2;
	}
	if (dsock == NULL)
		dsock = p->daemon.socket;
	if (daemonver_read(dsock, (unsigned)p->daemon.timeout_ms, &v, raw, sizeof raw, err,
	        sizeof err) != 0)
		rc = 2;
	cves_format_version(v, vs, sizeof vs);
	printf("dockerd:   %s\n", dsock);
	if (v != 0)
		printf("version:   %s (judged as %s)\n", raw, vs);
	else
		printf("version:   unknown (%s): every daemon-cves entry counts as applying\n", err);
	printf("policy:    %s (mode %s)\n", policy ? policy : "(built-in defaults)",
	    p->mode == MODE_AUDIT ? "audit" : "enforce");
	printf("daemon-cves:\n");
	for (i = 0; i < cves_count; i++) {
		const struct cve_def *c = &cves_table[i];
		bool hit = cves_affects(c, v);

		if (hit && p->actions[c->rule] != ACT_OFF && rc == 0)
			rc = 1;
		printf("  %-15s %-9s rule %s: %s; fixed in %s\n", c->id,
		    hit ? "APPLIES" : "fixed", rules_table[c->rule].name,
		    hit ? policy_action_name(p->actions[c->rule]) : "off on this daemon", c->fixed);
	}
	printf("rules:\n");
	for (r = 0; r < R_COUNT; r++)
		printf("  %-18s %-4s %s%s%s\n", rules_table[r].name,
		    policy_action_name(p->actions[r]), rules_table[r].cis[0] ? "CIS " : "",
		    rules_table[r].cis, rules_table[r].cis[0] ? "" : rules_table[r].title);
	policy_release(p);
	return rc;
}

/* `cisgate report [--since T] [--format html|json] [--policy FILE] LOG...` */
static int
cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {{"since", required_argument, NULL, 's'},
	    {"format", required_argument, NULL, 'f'}, {"policy", required_argument, NULL, 'p'},
	    {"insecure-policy", no_argument, NULL, 'i'}, {NULL, 0, NULL, 0}};
	struct report_opts o = {REPORT_HTML, NULL, NULL, time(NULL)};
	const char *policy = NULL;
	struct policy_errors errs;
	struct policy *p = NULL;
	bool insecure = false;
	size_t i;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:f:p:i", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			/* A prefix of the records' RFC 3339 UTC times, compared as text. */
			if (strlen(optarg) < 4 || strlen(optarg) > 30 ||
			    strspn(optarg, "0123456789-T:.Z") != strlen(optarg)) {
				fprintf(stderr, "cisgate: --since %s: give a date (2026-11-01) or "
				    "2026-11-01T12:00\n", optarg);
				return 2;
			}
			o.since = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "html") == 0)
				o.format = REPORT_HTML;
			else if (strcmp(optarg, "json") == 0)
				o.format = REPORT_JSON;
			else {
				fprintf(stderr, "cisgate: --format %s: html or json\n", optarg);
				return 2;
			}
			break;
		case 'p': policy = optarg; break;
		case 'i': insecure = true; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (policy != NULL && (p = policy_load(policy, insecure, &errs)) == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.text[i]);
		return 2;
	}
	o.policy = p;
	rc = report_run((const char *const *)argv + optind, argc - optind, &o, stdout);
	policy_release(p);
	return rc;
}

/* `cisgate schema`: the policy's JSON Schema on stdout. */
static int
cmd_schema(void)
{
	json_t *s = schema_policy();
	int rc;

	if (s == NULL) {
		fprintf(stderr, "cisgate: out of memory\n");
		return 2;
	}
	rc = json_dumpf(s, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? 0 : 2;
	printf("\n");
	json_decref(s);
	return rc;
}

static int
cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
	    {"policy", required_argument, NULL, 'p'}, {"group", required_argument, NULL, 'g'},
	    {"watch", no_argument, NULL, 'w'},
	    {"insecure-policy", no_argument, NULL, 'i'},
	    {"idle-timeout", required_argument, NULL, 'T'},
	    {"workers", required_argument, NULL, 'W'},
	    {"audit-file", required_argument, NULL, 'A'},
	    {"shadow", required_argument, NULL, 'S'},
	    {"policy-key", required_argument, NULL, 'K'},
	    {"policy-keys", required_argument, NULL, 'k'},
	    {"host-id", required_argument, NULL, 'H'}, {NULL, 0, NULL, 0}};
	struct serve_opts o = {SERVE_DEFAULT_SOCKET, SERVE_DEFAULT_POLICY, NULL, false, false,
	    CG_CONN_TIMEOUT_S, 0, NULL, NULL, NULL, NULL, NULL};
	const char *errstr;
	int64_t t;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:p:g:wiT:W:A:S:K:k:H:", opts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			/* As audit.host_id: it goes into every record and syslog header. */
			o.host_id = optarg;
			for (errstr = optarg; *errstr > ' ' && *errstr <= '~'; errstr++)
				;
			if (*optarg == '\0' || *errstr != '\0' || errstr - optarg > 253) {
				fprintf(stderr, "cisgate: --host-id must be 1 to 253 printable "
				    "characters without spaces\n");
				return 2;
			}
			break;
		case 'K': o.policy_key = optarg; break;
		case 'k': o.policy_keys = optarg; break;
		case 'A': o.audit_file = optarg; break;
		case 'S': o.shadow = optarg; break;
		case 's': o.socket = optarg; break;
		case 'p': o.policy = optarg; break;
		case 'g': o.group = optarg; break;
		case 'w': o.watch = true; break;
		case 'i': o.insecure_policy = true; break;
		case 'T':
			if (str_to_i64(optarg, 1, 3600, &t, &errstr) != 0) {
				fprintf(stderr, "cisgate: --idle-timeout %s: %s (1..3600)\n", optarg,
				    errstr);
				return 2;
			}
			o.idle_timeout = (unsigned)t;
			break;
		case 'W':
			if (str_to_i64(optarg, 1, CG_WORKERS_MAX, &t, &errstr) != 0) {
				fprintf(stderr, "cisgate: --workers %s: %s (1..%d)\n", optarg, errstr,
				    CG_WORKERS_MAX);
				return 2;
			}
			o.workers = (unsigned)t;
			break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return serve_run(&o);
}

/* cisgate audit verify|keygen|show-policy ... (argv[0] is "audit"). */
static int
cmd_audit(int argc, char **argv)
{
	struct audit_verify_opts o = {0};
	char err[512];
	int i;

	if (argc >= 3 && strcmp(argv[1], "keygen") == 0 && argc == 3) {
		if (checkpoint_keygen(argv[2], err, sizeof err) != 0) {
			fprintf(stderr, "cisgate: %s\n", err);
			return 1;
		}
		printf("wrote %s\n", err);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "show-policy") == 0) {
		const char *dir = POLSTORE_DEFAULT_DIR;

		if (argc == 5 && strcmp(argv[2], "--dir") == 0)
			dir = argv[3];
		else if (argc != 3)
			goto usage;
		return polstore_show(dir, argv[argc - 1], stdout, stderr);
	}
	if (argc < 3 || strcmp(argv[1], "verify") != 0)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			o.key = argv[++i];
		else if (strcmp(argv[i], "--anchors") == 0 && i + 1 < argc)
			o.anchors = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			o.json = true;
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else
			break;
	}
	if (i >= argc)
		goto usage;
	return audit_verify((const char *const *)argv + i, argc - i, &o, stdout);
usage:
	usage(stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	log_init("cisgate", getenv("CISGATE_DEBUG") != NULL);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("cisgate %s\n", CG_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "lint") == 0)
		return lint_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "daemon-report") == 0)
		return cmd_daemon_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "test") == 0 && argc >= 3)
		return suite_run((const char *const *)argv + 2, argc - 2, stdout);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "schema") == 0 && argc == 2)
		return cmd_schema();
	if (strcmp(argv[1], "policy") == 0)
		return policycmd_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "audit") == 0 && argc >= 3 && strcmp(argv[2], "diff") == 0)
		return cmd_audit_diff(argc - 2, argv + 2);
	if (strcmp(argv[1], "audit") == 0)
		return cmd_audit(argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
