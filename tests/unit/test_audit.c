/* The audit writer's failure paths and the checkpoint signatures, without a daemon. */
#include <sys/stat.h>

#include <fcntl.h>
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
#include "cisgate/checkpoint.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/cisgate-test-audit.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A failed open used to close descriptor 0 (calloc left the syslog fd at 0). */
static void
test_failed_open_keeps_fd0(void **state)
{
	struct audit_conf c;
	char err[256] = "", path[128];
	int fd0 = dup(0);

	(void)state;
	assert_true(fd0 >= 0);
	memset(&c, 0, sizeof c);
	snprintf(path, sizeof path, "%s/no/such/dir/audit.log", dir);
	c.file = path;
	c.checkpoint_every = 1000;
	c.checkpoint_seconds = 300;
	assert_null(audit_open(&c, err, sizeof err));
	assert_non_null(strstr(err, "No such file or directory"));
	assert_true(fcntl(0, F_GETFD) >= 0);
	/* A signing key that cannot be read fails before the file is opened: fd 0 too. */
	c.file = NULL;
	c.signing_key = path;
	assert_null(audit_open(&c, err, sizeof err));
	assert_true(fcntl(0, F_GETFD) >= 0);
	close(fd0);
}

static void
test_sign_check(void **state)
{
	char prefix[128], kp[160], pp[160], err[512], sig[CHECKPOINT_SIG_HEX], msg[CHECKPOINT_MSG_MAX];
	struct checkpoint_key *priv, *pub;
	size_t n;

	(void)state;
	snprintf(prefix, sizeof prefix, "%s/k", dir);
	snprintf(kp, sizeof kp, "%s.key", prefix);
	snprintf(pp, sizeof pp, "%s.pub", prefix);
	assert_int_equal(checkpoint_keygen(prefix, err, sizeof err), 0);
	assert_int_equal(checkpoint_keygen(prefix, err, sizeof err), -1); /* never overwrites */
	assert_non_null(priv = checkpoint_key_load(kp, true, err, sizeof err));
	assert_non_null(pub = checkpoint_key_load(pp, false, err, sizeof err));
	assert_string_equal(checkpoint_key_id(priv), checkpoint_key_id(pub));
	n = checkpoint_message(msg, sizeof msg, 42, AUDIT_ZERO_HASH, "2026-01-01T00:00:00.000000Z",
	    "h1");
	assert_true(n > 0);
	assert_int_equal(checkpoint_sign(priv, msg, n, sig), 0);
	assert_true(checkpoint_check(pub, msg, n, sig));
	msg[n - 1] = '2'; /* another host */
	assert_false(checkpoint_check(pub, msg, n, sig));
	msg[n - 1] = '1';
	sig[0] = sig[0] == '0' ? '1' : '0';
	assert_false(checkpoint_check(pub, msg, n, sig));
	assert_false(checkpoint_check(pub, msg, n, "zz"));
	checkpoint_key_free(priv);
	checkpoint_key_free(pub);
	/* A private key others may read is refused. */
	assert_int_equal(chmod(kp, 0640), 0);
	assert_null(checkpoint_key_load(kp, true, err, sizeof err));
	assert_non_null(strstr(err, "readable by no one else"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_failed_open_keeps_fd0),
	    cmocka_unit_test(test_sign_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
