/* The shadow policy: decided on the same view as the enforced one, never answered,
 * recorded in the same audit record, and read back by `cisgate audit diff`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cisgate/audit.h"
#include "cisgate/auditdiff.h"
#include "cisgate/decide.h"

static struct decide_ctx c; /* large */

static struct policy *
load(const char *path)
{
	struct policy_errors errs;
	struct policy *p = policy_load(path, true, &errs);

	if (p == NULL)
		print_message("%s\n", errs.text[0]);
	assert_non_null(p);
	return p;
}

static bool
has_rule(const struct decision *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nv; i++)
		if (d->v[i].rule >= 0 && strcmp(rules_table[d->v[i].rule].name, name) == 0 &&
		    d->v[i].action == ACT_DENY)
			return true;
	return false;
}

static void
judge(const struct policy *p, const char *body)
{
	c.rootfd = -1;
	decide_body(p, EP_CONTAINER_CREATE, (const unsigned char *)body, strlen(body), "", 0,
	    &c);
}

static void
test_shadow_decides(void **state)
{
	struct policy *p = load("tests/cases/policies/shadowed.yaml");
	struct policy *plain = load("policy/default.yaml");

	(void)state;
	assert_non_null(p->shadow);
	assert_string_equal(p->shadow->path, "tests/cases/policies/../../../policy/strict.yaml");
	/* Allowed (with a warning) by the enforced policy; strict would deny it. */
	judge(p, "{\"Image\":\"busybox\",\"HostConfig\":{}}");
	assert_true(c.dec.allow);
	assert_int_equal(c.dec.outcome, OUT_WARN);
	assert_true(c.has_shadow);
	assert_false(c.shadow.allow);
	assert_true(has_rule(&c.shadow, "memory-limit"));
	assert_true(has_rule(&c.shadow, "readonly-rootfs"));
	assert_false(has_rule(&c.dec, "memory-limit"));
	decide_free(&c);
	/* Denied by both: the answer is the enforced policy's. */
	judge(p, "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}");
	assert_false(c.dec.allow);
	assert_true(has_rule(&c.shadow, "privileged"));
	assert_non_null(strstr(c.dec.msg, "privileged"));
	assert_null(strstr(c.dec.msg, "memory-limit"));
	decide_free(&c);
	/* A body neither can read: the same deny under both. */
	judge(p, "{\"Image\":");
	assert_false(c.dec.allow);
	assert_true(c.has_shadow);
	assert_false(c.shadow.allow);
	assert_int_equal(c.shadow.v[0].rule, -1);
	assert_string_equal(c.shadow.v[0].text, c.dec.v[0].text);
	decide_free(&c);
	/* No shadow, no shadow decision. */
	judge(plain, "{\"Image\":\"busybox\",\"HostConfig\":{}}");
	assert_false(c.has_shadow);
	decide_free(&c);
	policy_release(plain);
	policy_release(p);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 65535, f) > 0);
	fclose(f);
	return buf;
}

static void
test_shadow_recorded_and_diffed(void **state)
{
	struct policy *p = load("tests/cases/policies/shadowed.yaml");
	char dir[] = "/tmp/cg-shadow.XXXXXX", log[64], out[64], err[256], want[128];
	struct audit_conf conf = {0};
	const char *files[1];
	struct audit *a;
	char *text;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof log, "%s/audit.log", dir);
	snprintf(out, sizeof out, "%s/diff.out", dir);
	conf.file = log;
	conf.fsync = FSYNC_NEVER;
	assert_non_null(a = audit_open(&conf, err, sizeof err));
	judge(p, "{\"Image\":\"web\",\"HostConfig\":{}}");
	assert_true(audit_wanted(&p->audit, &c));
	assert_int_equal(audit_write(a, p, &c, NULL), 0);
	decide_free(&c);
	judge(p, "{\"Image\":\"web\",\"HostConfig\":{\"Privileged\":true}}");
	assert_int_equal(audit_write(a, p, &c, NULL), 0);
	decide_free(&c);
	audit_close(a);
	text = slurp(log);
	assert_non_null(strstr(text, ",\"shadow\":{\"decision\":\"deny\",\"violations\":["));
	assert_non_null(strstr(text, "{\"rule\":\"memory-limit\",\"action\":\"deny\""));
	snprintf(want, sizeof want, "\"policy_sha256\":\"%s\"}", p->shadow->sha256);
	assert_non_null(strstr(text, want));
	free(text);
	/* Only the first record is a shadow deny the enforced policy let through. */
	files[0] = log;
	assert_non_null(f = fopen(out, "w"));
	assert_int_equal(auditdiff_run(files, 1, NULL, NULL, f), 0);
	fclose(f);
	text = slurp(out);
	print_message("%s", text);
	assert_non_null(strstr(text, "records: 2 ("));
	assert_non_null(strstr(text, "2 with a shadow decision"));
	assert_non_null(strstr(text, "would have denied 1 request the enforced one allowed"));
	assert_non_null(strstr(text, "  memory-limit              1  e.g. web\n"));
	assert_null(strstr(text, "  privileged "));
	free(text);
	/* A time range after both records counts nothing. */
	assert_non_null(f = fopen(out, "w"));
	assert_int_equal(auditdiff_run(files, 1, "9999", NULL, f), 0);
	fclose(f);
	text = slurp(out);
	assert_non_null(strstr(text, "records: 0 (- .. -)"));
	free(text);
	unlink(log);
	unlink(out);
	rmdir(dir);
	policy_release(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shadow_decides),
		cmocka_unit_test(test_shadow_recorded_and_diffed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
