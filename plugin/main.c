/* main.c - the command line: serve, lint, check, audit verify. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cisgate/audit.h"
#include "cisgate/decide.h"
#include "cisgate/log.h"
#include "cisgate/lookup.h"
#include "cisgate/rules.h"
#include "cisgate/serve.h"
#include "cisgate/str.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cisgate serve [--socket PATH] [--policy FILE] [--group NAME] [--watch]\n"
	    "                     [--idle-timeout SECONDS] [--workers N] [--insecure-policy]\n"
	    "       cisgate lint FILE\n"
	    "       cisgate check --policy FILE [--user NAME] [--endpoint KIND] "
	    "[--insecure-policy]\n"
	    "                     [--daemon-socket PATH] INPUT|-\n"
	    "       cisgate audit verify FILE...\n"
	    "       cisgate --version | --help\n"
	    "\n"
	    "serve   answer dockerd's AuthZ plugin calls on a unix socket\n"
	    "        (default %s, policy %s)\n"
	    "lint    check a policy file: prints \"policy OK\" or every error with line:col\n"
	    "check   decide offline: INPUT is an AuthZ envelope, a raw create/exec/update/volume\n"
	    "        body (with --endpoint container_create|exec_create|container_update|\n"
	    "        volume_create), or `docker inspect` output. Exit 0 allow, 1 deny, 2 error\n"
	    "        --daemon-socket: an envelope's users, joins and images are looked up in\n"
	    "        that dockerd, as the server does\n"
	    "audit verify  check the audit log's SHA-256 chain (give rotated files oldest first)\n",
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

static int
cmd_lint(int argc, char **argv)
{
	struct policy_errors errs;
	struct policy *p;
	size_t i;

	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	/* Lint judges the content; serve additionally insists on root ownership. */
	p = policy_load(argv[1], true, &errs);
	if (p == NULL) {
		for (i = 0; i < errs.n; i++)
			printf("%s\n", errs.text[i]);
		if (errs.dropped)
			printf("(%zu more errors)\n", errs.dropped);
		return 1;
	}
	policy_release(p);
	p = policy_load(argv[1], false, &errs);
	if (p == NULL && errs.n > 0)
		printf("warning: %s\n", errs.text[0]);
	policy_release(p);
	printf("policy OK\n");
	return 0;
}

static void
print_decision(const char *what, const struct decision *d)
{
	size_t i;

	printf("%s: %s%s\n", what, eval_outcome_name(d->outcome),
	    d->would_deny ? " (audit mode: would deny)" : "");
	for (i = 0; i < d->nv; i++) {
		const struct violation *v = &d->v[i];

		printf("  %s (%s)", v->text, policy_action_name(v->action));
		if (v->waived_by)
			printf(" waived by exemption %s", v->waived_by->name);
		printf("\n");
	}
}

/* Decides an envelope as the server does: the facts it needs looked up in the dockerd at
 * socket (synchronously), then decided again with them. */
static void
check_with_daemon(const struct policy *p, const char *buf, size_t len, const char *user,
    const char *socket, struct decide_ctx *c)
{
	static struct facts need; /* answers freed when the next check starts */

	facts_clear(&need);
	decide_envelope_facts(p, buf, len, false, user, time(NULL), NULL, &need, c);
	if (!c->pending)
		return;
	decide_free(c);
	lookup_run_sync(socket, (unsigned)p->daemon.timeout_ms, &need);
	decide_envelope_facts(p, buf, len, false, user, time(NULL), &need, NULL, c);
	/* need's answers stay until the next call: c's views point into them. */
}

static int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {{"policy", required_argument, NULL, 'p'},
	    {"user", required_argument, NULL, 'u'}, {"endpoint", required_argument, NULL, 'e'},
	    {"insecure-policy", no_argument, NULL, 'i'},
	    {"daemon-socket", required_argument, NULL, 'D'}, {NULL, 0, NULL, 0}};
	const char *policy = NULL, *user = "", *endpoint = NULL, *dsock = NULL;
	bool insecure = false;
	struct policy_errors errs;
	struct policy *p;
	struct decide_ctx *c;
	char *buf;
	size_t len, i;
	json_t *doc;
	int ch, rc = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:u:e:iD:", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': dsock = optarg; break;
		case 'p': policy = optarg; break;
		case 'u': user = optarg; break;
		case 'e': endpoint = optarg; break;
		case 'i': insecure = true; break;
		default: usage(stderr); return 2;
		}
	}
	if (policy == NULL || optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if ((p = policy_load(policy, insecure, &errs)) == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.text[i]);
		return 2;
	}
	if ((buf = read_all(argv[optind], CG_ENVELOPE_MAX, &len)) == NULL) {
		fprintf(stderr, "cisgate: %s: %s\n", argv[optind], strerror(errno));
		policy_release(p);
		return 2;
	}
	if ((c = malloc(sizeof *c)) == NULL) {
		fprintf(stderr, "cisgate: out of memory\n");
		free(buf);
		policy_release(p);
		return 2;
	}
	/* Bind sources are resolved on this host, as the server resolves them on its own. */
	if ((c->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "cisgate: /: %s\n", strerror(errno));
		free(c);
		free(buf);
		policy_release(p);
		return 2;
	}
	doc = json_loadb(buf, len, 0, NULL);
	if (endpoint != NULL) {
		enum ep_kind k = uri_kind_from_name(endpoint);

		if (k == EP_KIND_COUNT) {
			fprintf(stderr, "cisgate: unknown endpoint %s\n", endpoint);
			rc = 2;
		} else {
			decide_body(p, k, (unsigned char *)buf, len, user, time(NULL), c);
			print_decision(endpoint, &c->dec);
			rc = c->dec.allow ? 0 : 1;
			decide_free(c);
		}
	} else if (json_is_array(doc)) {
		json_t *item;

		/* docker inspect: one decision per container, as if it were created now. */
		json_array_foreach(doc, i, item) {
			decide_inspect(p, item, user, time(NULL), c);
			print_decision(c->view.name && c->view.name[0] ? c->view.name : "container",
			    &c->dec);
			if (!c->dec.allow)
				rc = 1;
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
		print_decision(uri_kind_name(c->ep.kind), &c->dec);
		if (!c->dec.allow)
			printf("message: %s\n", c->dec.msg);
		rc = c->dec.allow ? 0 : 1;
		decide_free(c);
	} else {
		fprintf(stderr, "cisgate: %s is not an AuthZ envelope or docker inspect output; "
		    "for a bare body give --endpoint\n", argv[optind]);
		rc = 2;
	}
	json_decref(doc);
	close(c->rootfd);
	free(c);
	free(buf);
	policy_release(p);
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
	    {"workers", required_argument, NULL, 'W'}, {NULL, 0, NULL, 0}};
	struct serve_opts o = {SERVE_DEFAULT_SOCKET, SERVE_DEFAULT_POLICY, NULL, false, false,
	    CG_CONN_TIMEOUT_S, 0};
	const char *errstr;
	int64_t t;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:p:g:wiT:W:", opts, NULL)) != -1) {
		switch (ch) {
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
		return cmd_lint(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "audit") == 0 && argc >= 4 && strcmp(argv[2], "verify") == 0)
		return audit_verify((const char *const *)argv + 3, argc - 3, stdout);
	usage(stderr);
	return 2;
}
