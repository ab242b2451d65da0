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
#include <unistd.h>

#include "cisgate/policy.h"
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

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lint_suite),
		cmocka_unit_test(test_file_trust),
		cmocka_unit_test(test_defaults_and_refs),
	};

	if (argc > 1)
		lint_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
