/* Policy loading: the lint suite (tests/lint/NAME.yaml, each with "# expect:" lines),
 * the file-trust checks, and defaults. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cisgate/exemption.h"
#include "cisgate/policy.h"
#include "cisgate/pyaml.h"
#include "cisgate/rules.h"

static const char *lint_dir = "tests/lint";

static bool
errs_have(const struct policy_errors *e, const char *needle)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strstr(e->text[i], needle) != NULL)
			return true;
	return false;
}

/* 2026-06-01T00:00:00Z, the cases' clock. */
#define LINT_NOW ((time_t)1780272000)

/* spec: "N" or "N: TEXT": exactly N exemptions of p warn, one of them with TEXT. */
static void
expiry_expect(const struct policy *p, const char *spec, const char *name)
{
	char text[256];
	const char *want = strstr(spec, ": ");
	size_t i;
	int n = 0;
	bool found = want == NULL;

	for (i = 0; i < p->nex; i++)
		if (exemption_expiry(&p->ex[i], LINT_NOW, 14, text, sizeof text) != 0) {
			n++;
			print_message("    warning: %s\n", text);
			if (want != NULL && strstr(text, want + 2) != NULL)
				found = true;
		}
	if (n != atoi(spec) || !found)
		fail_msg("%s: expected %s, got %d warnings", name, spec, n);
}

static void
test_lint_suite(void **state)
{
	DIR *d = opendir(lint_dir);
	struct dirent *de;
	int ncases = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[512], line[512];
		struct policy_errors errs;
		struct policy *p;
		FILE *f;
		size_t i;
		bool want_ok = false;

		if (strstr(de->d_name, ".yaml") == NULL)
			continue;
		snprintf(path, sizeof path, "%s/%s", lint_dir, de->d_name);
		p = policy_load(path, true, &errs);
		print_message("lint %s: %s\n", de->d_name, p ? "OK" : errs.text[0]);
		for (i = 0; i < errs.n; i++)
			print_message("    %s\n", errs.text[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		while (fgets(line, sizeof line, f)) {
			char *x = strstr(line, "# expect: ");

			if (x == NULL)
				continue;
			x += 10;
			x[strcspn(x, "\n")] = '\0';
			if (strcmp(x, "OK") == 0) {
				want_ok = true;
				continue;
			}
			if (strncmp(x, "warnings ", 9) == 0) {
				/* "warnings N[: TEXT]": lint's expiry warnings at LINT_NOW, 14 days. */
				assert_non_null(p);
				want_ok = true;
				expiry_expect(p, x + 9, de->d_name);
				continue;
			}
			if (!errs_have(&errs, x))
				fail_msg("%s: expected an error containing \"%s\"", de->d_name, x);
			/* Every error names the file. */
			assert_non_null(strstr(errs.text[0], path));
		}
		fclose(f);
		if (want_ok)
			assert_non_null(p);
		else
			assert_null(p);
		policy_release(p);
		ncases++;
	}
	closedir(d);
	assert_true(ncases >= 20);
}

static void
test_file_trust(void **state)
{
	char path[] = "/tmp/cisgate-policy-XXXXXX";
	struct policy_errors errs;
	struct policy *p;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "apiVersion: cisgate/v1\n", 23), 23);
	close(fd);
	assert_int_equal(chmod(path, 0644), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 0, 0), 0);
		p = policy_load(path, false, &errs);
		assert_non_null(p);
		policy_release(p);
		assert_int_equal(chown(path, 1000, 1000), 0);
		p = policy_load(path, false, &errs);
		assert_null(p);
		assert_true(errs_have(&errs, "not owned by root"));
		assert_int_equal(chown(path, 0, 0), 0);
	}
	assert_int_equal(chmod(path, 0666), 0);
	p = policy_load(path, false, &errs);
	assert_null(p);
	assert_true(errs_have(&errs, "writable by group/others"));
	p = policy_load(path, true, &errs); /* --insecure-policy */
	assert_non_null(p);
	policy_release(p);
	unlink(path);
	p = policy_load(path, false, &errs);
	assert_null(p);
	assert_true(errs_have(&errs, "No such file"));
}

static void
test_defaults_and_refs(void **state)
{
	const char *y = "apiVersion: cisgate/v1\nrules:\n  privileged: off\n";
	struct policy_errors errs;
	struct policy *p = policy_load_buffer(y, strlen(y), "mem", &errs);

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->actions[R_PRIVILEGED], ACT_OFF);
	assert_int_equal(p->actions[R_MEMORY], rules_table[R_MEMORY].default_action);
	assert_int_equal(p->mode, MODE_ENFORCE);
	assert_string_equal(p->audit.file, "/var/log/cisgate/audit.log");
	assert_int_equal(p->restart_max, 5);
	assert_int_equal(strlen(p->sha256), 64);
	policy_ref(p);
	policy_release(p);
	assert_int_equal(atomic_load(&p->refs), 1);
	policy_release(p);
	/* Every rule name in the table is unique and findable. */
	for (int i = 0; i < R_COUNT; i++) {
		assert_int_equal(rules_find(rules_table[i].name), i);
		assert_int_equal(rules_table[i].id, i);
	}
}

/* A file whose size is not what fstat said (it changed while read: here a /proc file that
 * claims 0 bytes) is refused, never loaded from whatever part was read. */
static void
test_file_changed(void **state)
{
	struct policy_errors errs;
	struct policy *p;

	(void)state;
	p = policy_load("/proc/self/status", true, &errs);
	assert_null(p);
	assert_true(errs_have(&errs, "/proc/self/status: the file changed while it was read"));
	assert_int_equal(errs.n, 1);
}

static time_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
	    .tm_min = mi, .tm_sec = s};

	return timegm(&tm);
}

/* expires is the first second after the named moment; a date means through that day. */
static void
test_expires_values(void **state)
{
	const char *y = "apiVersion: cisgate/v1\nexemptions:\n"
	    "  - {name: a, reason: r, rules: [privileged], match: {image: a}, expires: 2026-12-31}\n"
	    "  - {name: b, reason: r, rules: [privileged], match: {image: b}, "
	    "expires: 2028-02-29T18:05:09Z}\n"
	    "  - {name: c, reason: r, rules: [privileged], match: {image: c}, expires: 2000-03-01}\n"
	    "  - {name: d, reason: r, rules: [privileged], match: {image: d}}\n";
	struct policy_errors errs;
	struct policy *p = policy_load_buffer(y, strlen(y), "mem", &errs);

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->nex, 4);
	assert_int_equal(p->ex[0].expires, utc(2026, 12, 31, 23, 59, 59) + 1);
	assert_int_equal(p->ex[1].expires, utc(2028, 2, 29, 18, 5, 9) + 1);
	assert_int_equal(p->ex[2].expires, utc(2000, 3, 1, 23, 59, 59) + 1);
	assert_int_equal(p->ex[3].expires, 0);
	policy_release(p);
}

/* The parameter schema in the rule table: defaults land in their fields, every parameter
 * is read into its field, and the table itself is consistent. */
static void
test_param_table(void **state)
{
	const char *y = "apiVersion: cisgate/v1\nrules:\n"
	    "  memory-limit: {action: deny, max: 2g}\n"
	    "  pids-limit: {action: deny, max: 500}\n"
	    "  restart-policy: {action: warn, max_retries: 3}\n"
	    "  privileged-ports: {action: warn, below: 80}\n"
	    "  seccomp: {action: deny, allow_custom_profiles: true}\n"
	    "  exec-root-user: {action: deny, empty_user: allow, allowed_uids: [7, 10-20]}\n"
	    "  sensitive-mounts: {action: deny, paths: [/a], extra_paths: [/b/../c]}\n"
	    "  docker-socket: {action: deny, extra_paths: [/x.sock]}\n"
	    "  capabilities: {action: deny, allowed: [chown]}\n";
	struct policy_errors errs;
	struct policy *p;
	int r;

	(void)state;
	p = policy_load_buffer("apiVersion: cisgate/v1\n", 23, "mem", &errs);
	assert_non_null(p);
	assert_int_equal(p->sensitive_paths.n, 22);
	assert_string_equal(p->sensitive_paths.v[0], "/");
	assert_string_equal(p->sensitive_paths.v[21], "/var/log/cisgate");
	assert_int_equal(p->writable_allowed.n, 0);
	assert_int_equal(p->sysctls_allowed.n, 0);
	assert_int_equal(p->groups_denied.n, 5);
	assert_string_equal(p->groups_denied.v[0], "0");
	assert_string_equal(p->daemon.socket, "/run/docker.sock");
	assert_string_equal(p->daemon.data_root, "/var/lib/docker");
	assert_string_equal(p->daemon.exec_root, "/run/docker");
	assert_int_equal(p->daemon.timeout_ms, 2000);
	assert_int_equal(p->sockets.n, 3);
	assert_string_equal(p->apparmor_allowed.v[0], "docker-default");
	assert_int_equal(p->privileged_port_below, 1024);
	assert_int_equal(p->ports_allowed.n, 1);
	assert_int_equal(p->ports_allowed.v[0].lo, 1024);
	assert_int_equal(p->ports_allowed.v[0].hi, 65535);
	assert_int_equal(p->exec_users.uids.n, 1);
	assert_int_equal(p->create_users.uids.v[0].hi, 4294967294LL);
	assert_int_equal(p->exec_users.empty, EMPTY_DENY);
	assert_int_equal(p->memory_max, 0);
	assert_false(p->seccomp_custom_ok);
	assert_int_equal(p->caps_allowed.n, 0);
	policy_release(p);

	p = policy_load_buffer(y, strlen(y), "mem", &errs);
	assert_non_null(p);
	assert_int_equal(p->memory_max, 2LL << 30);
	assert_int_equal(p->pids_max, 500);
	assert_int_equal(p->restart_max, 3);
	assert_int_equal(p->privileged_port_below, 80);
	assert_true(p->seccomp_custom_ok);
	assert_int_equal(p->exec_users.empty, EMPTY_ALLOW);
	assert_int_equal(p->exec_users.uids.n, 2);
	assert_int_equal(p->exec_users.uids.v[1].lo, 10);
	assert_int_equal(p->exec_users.uids.v[1].hi, 20);
	assert_int_equal(p->create_users.uids.n, 1); /* the other rule's field untouched */
	assert_int_equal(p->sensitive_paths.n, 2);    /* replaced, then appended to */
	assert_string_equal(p->sensitive_paths.v[1], "/c");
	assert_int_equal(p->sockets.n, 4);
	assert_string_equal(p->sockets.v[3], "/x.sock");
	assert_string_equal(p->caps_allowed.v[0], "CAP_CHOWN");
	policy_release(p);

	for (r = 0; r < R_COUNT; r++) {
		const struct param_def *d, *e;

		for (d = rules_table[r].params; d != NULL && d->key != NULL; d++) {
			assert_ptr_equal(rules_param(r, d->key), d);
			for (e = rules_table[r].params; e < d; e++)
				assert_string_not_equal(e->key, d->key);
			/* An appending list adds to a field that a parameter before it owns. */
			if (d->append) {
				for (e = rules_table[r].params; e < d; e++)
					if (!e->append && e->off == d->off && e->type == d->type)
						break;
				assert_true(e < d);
			}
			if (d->type == PT_ENUM)
				assert_non_null(d->names);
		}
		assert_null(rules_param(r, "no-such-parameter"));
		/* Each rule's mapping (its action and parameters) fits the walker's table. */
		assert_true(rules_table[r].params == NULL ||
		    (size_t)(d - rules_table[r].params) + 1 <= PYAML_KEYS_MAX);
	}
}

/* The daemon section: its defaults, the timeout's spellings and bounds, cleaned paths,
 * and that every wrong value is an error with its place. */
static void
test_daemon_section(void **state)
{
	static const struct {
		const char *yaml;
		int64_t timeout_ms; /* -1: refused */
		const char *socket;
	} t[] = {
		{"daemon: {timeout: 2s}", 2000, "/run/docker.sock"},
		{"daemon: {timeout: 500ms}", 500, "/run/docker.sock"},
		{"daemon: {timeout: 1500}", 1500, "/run/docker.sock"},
		{"daemon: {timeout: 60s}", 60000, "/run/docker.sock"},
		{"daemon: {timeout: 61s}", -1, NULL},
		{"daemon: {timeout: 0ms}", -1, NULL},
		{"daemon: {timeout: 2m}", -1, NULL},
		{"daemon: {timeout: -2s}", -1, NULL},
		{"daemon: {timeout: s}", -1, NULL},
		{"daemon: {socket: /var/run/./docker.sock}", 2000, "/run/docker.sock"},
		{"daemon: {socket: run/docker.sock}", -1, NULL},
		{"daemon: {data_root: /srv/docker/}", 2000, "/run/docker.sock"},
		{"daemon: {sock: /x}", -1, NULL},
		{"daemon: [a]", -1, NULL},
	};
	struct policy_errors errs;
	struct policy *p;
	char y[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(y, sizeof y, "apiVersion: cisgate/v1\n%s\n", t[i].yaml);
		memset(&errs, 0, sizeof errs);
		p = policy_load_buffer(y, strlen(y), "mem", &errs);
		if (t[i].timeout_ms < 0) {
			assert_null(p);
			assert_true(errs.n >= 1);
			assert_non_null(strstr(errs.text[0], "mem:2:"));
			continue;
		}
		assert_non_null(p);
		assert_int_equal(p->daemon.timeout_ms, t[i].timeout_ms);
		assert_string_equal(p->daemon.socket, t[i].socket);
		policy_release(p);
	}
	snprintf(y, sizeof y, "apiVersion: cisgate/v1\ndaemon: {data_root: /srv/docker/, "
	    "exec_root: /var/run/d}\n");
	p = policy_load_buffer(y, strlen(y), "mem", &errs);
	assert_non_null(p);
	assert_string_equal(p->daemon.data_root, "/srv/docker");
	assert_string_equal(p->daemon.exec_root, "/run/d");
	policy_release(p);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lint_suite),
		cmocka_unit_test(test_file_trust),
		cmocka_unit_test(test_defaults_and_refs),
		cmocka_unit_test(test_file_changed),
		cmocka_unit_test(test_expires_values),
		cmocka_unit_test(test_param_table),
		cmocka_unit_test(test_daemon_section),
	};

	if (argc > 1)
		lint_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
