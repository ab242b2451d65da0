/* metrics and policysig: counts made on many threads at once are all in the scrape (each
 * thread's own block, summed), off means nothing is counted, the exposition's series and
 * histogram are consistent; metrics.listen forms; detached signatures in their three
 * spellings, a flipped bit, a wrong key, a truncated .sig and an untrusted key file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cisgate/checkpoint.h"
#include "cisgate/metrics.h"
#include "cisgate/policysig.h"

#define THREADS 6
#define PER_THREAD 20000

static void *
counter_thread(void *arg)
{
	struct decision d;
	int i;

	(void)arg;
	memset(&d, 0, sizeof d);
	d.outcome = OUT_DENY;
	d.nv = 1;
	d.v[0].rule = R_PRIVILEGED;
	d.v[0].action = ACT_DENY;
	for (i = 0; i < PER_THREAD; i++) {
		metrics_decision(EP_CONTAINER_CREATE, &d, false, 30000);
		metrics_count(M_AUDIT_WRITE);
	}
	return NULL;
}

static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void
test_threads_summed(void **state)
{
	pthread_t t[THREADS];
	char want[160], *text;
	size_t len;
	int i;

	(void)state;
	metrics_free();
	metrics_enable(false);
	counter_thread(NULL); /* off: nothing counted, no block */
	metrics_enable(true);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, counter_thread, NULL), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_non_null(text = metrics_render(&len));
	assert_int_equal(strlen(text), len);
	snprintf(want, sizeof want,
	    "cisgate_decisions_total{endpoint=\"container_create\","
	    "outcome=\"deny\",phase=\"request\"} %d",
	    THREADS * PER_THREAD);
	assert_true(has_line(text, want));
	snprintf(want, sizeof want,
	    "cisgate_violations_total{rule=\"privileged\",action=\"deny\"} %d",
	    THREADS * PER_THREAD);
	assert_true(has_line(text, want));
	snprintf(want, sizeof want, "cisgate_audit_writes_total %d", THREADS * PER_THREAD);
	assert_true(has_line(text, want));
	/* 30 us: not in the 25 us bucket, in the 50 us one and every one after. */
	assert_true(
	    has_line(text, "cisgate_decision_duration_seconds_bucket{le=\"0.00005\"} 120000"));
	assert_true(has_line(text, "cisgate_decision_duration_seconds_bucket{le=\"+Inf\"} 120000"));
	assert_true(has_line(text, "cisgate_decision_duration_seconds_count 120000"));
	assert_true(has_line(text, "cisgate_decision_duration_seconds_sum 3.600000000"));
	/* A series that never counted is not written. */
	assert_null(strstr(text, "outcome=\"allow\""));
	free(text);
	metrics_free();
	metrics_enable(false);
}

static void
test_listen_forms(void **state)
{
	struct metrics_listen ml;
	char err[200];

	(void)state;
	assert_int_equal(metrics_listen_parse("127.0.0.1:9479", &ml, err, sizeof err), 0);
	assert_int_equal(ml.port, 9479);
	assert_int_equal(metrics_listen_parse("127.1.2.3:1", &ml, err, sizeof err), 0);
	assert_int_equal(metrics_listen_parse("[::1]:9479", &ml, err, sizeof err), 0);
	assert_true(ml.is_v6);
	assert_int_equal(metrics_listen_parse("unix:/run/cisgate/m.sock", &ml, err, sizeof err), 0);
	assert_true(ml.is_unix);
	assert_string_equal(ml.path, "/run/cisgate/m.sock");
	assert_int_equal(metrics_listen_parse("0.0.0.0:9479", &ml, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a loopback"));
	assert_int_equal(metrics_listen_parse("10.0.0.1:9479", &ml, err, sizeof err), -1);
	assert_int_equal(metrics_listen_parse("128.0.0.1:9479", &ml, err, sizeof err), -1);
	assert_int_equal(metrics_listen_parse("127.0.0.1:0", &ml, err, sizeof err), -1);
	assert_int_equal(metrics_listen_parse("127.0.0.1:65536", &ml, err, sizeof err), -1);
	assert_int_equal(metrics_listen_parse("127.0.0.1", &ml, err, sizeof err), -1);
	assert_int_equal(metrics_listen_parse("[::]:9479", &ml, err, sizeof err), -1);
	assert_int_equal(metrics_listen_parse("unix:rel.sock", &ml, err, sizeof err), -1);
}

static char dir[64];

static void
write_file(const char *name, const void *buf, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
}

static int
verify(struct policysig_keys *ks, const char *text)
{
	char sig[128], keyid[CHECKPOINT_ID_HEX], err[300];

	snprintf(sig, sizeof sig, "%s/p.yaml.sig", dir);
	return policysig_verify(ks, text, strlen(text), sig, keyid, err, sizeof err);
}

static void
test_signatures(void **state)
{
	static const char POLICY[] = "apiVersion: cisgate/v1\n";
	struct policysig_keys *ks = NULL, *other = NULL;
	char path[128], key[128], err[300], raw[64], hex[129], *sig;
	size_t n;
	int i;

	(void)state;
	str_copy(dir, "/tmp/cisgate-sigtest.XXXXXX", sizeof dir);
	assert_non_null(mkdtemp(dir));
	snprintf(key, sizeof key, "%s/k", dir);
	assert_int_equal(checkpoint_keygen(key, err, sizeof err), 0);
	snprintf(key, sizeof key, "%s/o", dir);
	assert_int_equal(checkpoint_keygen(key, err, sizeof err), 0);
	write_file("p.yaml", POLICY, strlen(POLICY));
	snprintf(path, sizeof path, "%s/p.yaml", dir);
	snprintf(key, sizeof key, "%s/k.key", dir);
	assert_int_equal(policysig_sign_file(key, path, err, sizeof err), 0);
	snprintf(key, sizeof key, "%s/k.pub", dir);
	assert_int_equal(policysig_keys_add(&ks, key, true, err, sizeof err), 0);
	snprintf(key, sizeof key, "%s/o.pub", dir);
	assert_int_equal(policysig_keys_add(&other, key, true, err, sizeof err), 0);
	assert_int_equal(verify(ks, POLICY), 0);
	assert_int_equal(verify(other, POLICY), -1);
	assert_int_equal(verify(ks, "apiVersion: cisgate/v1\n#"), -1); /* other bytes */
	snprintf(path, sizeof path, "%s/p.yaml.sig", dir);
	assert_non_null(sig = policysig_read(path, 64, &n, err, sizeof err));
	assert_int_equal(n, 64);
	memcpy(raw, sig, 64);
	free(sig);
	/* Hex and base64 of the same 64 bytes (with a newline, as tools write them). */
	for (i = 0; i < 64; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)raw[i]);
	hex[128] = '\n';
	write_file("p.yaml.sig", hex, 129);
	assert_int_equal(verify(ks, POLICY), 0);
	write_file("p.yaml.sig", raw, 63); /* truncated */
	assert_int_equal(verify(ks, POLICY), -1);
	raw[10] ^= 1; /* one bit */
	write_file("p.yaml.sig", raw, 64);
	assert_int_equal(verify(ks, POLICY), -1);
	raw[10] ^= 1;
	write_file("p.yaml.sig", raw, 64);
	assert_int_equal(verify(ks, POLICY), 0);
	assert_int_equal(verify(NULL, POLICY), -1); /* no keys: nothing verifies */
	/* A key file others can write is not trusted (unless told it may be). */
	chmod(key, 0666);
	policysig_keys_free(other);
	other = NULL;
	assert_int_equal(policysig_keys_add(&other, key, false, err, sizeof err), -1);
	assert_non_null(strstr(err, "not owned by root or writable"));
	policysig_keys_free(other);
	policysig_keys_free(ks);
	snprintf(path, sizeof path, "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_threads_summed),
	    cmocka_unit_test(test_listen_forms),
	    cmocka_unit_test(test_signatures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
