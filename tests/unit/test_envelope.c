/* AuthZ envelope and base64: exact keys, every key optional but a request's method and
 * URI, bad input refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/envelope.h"
#include "cisgate/limits.h"

static void
test_b64(void **state)
{
	unsigned char out[64];

	(void)state;
	assert_int_equal(b64_decode("", 0, out), 0);
	assert_int_equal(b64_decode("eyJ9", 4, out), 3);
	assert_memory_equal(out, "{\"}", 3);
	assert_int_equal(b64_decode("e30=", 4, out), 2);
	assert_memory_equal(out, "{}", 2);
	assert_int_equal(b64_decode("ew==", 4, out), 1);
	assert_int_equal(b64_decode("ew=", 3, out), -1);      /* bad length */
	assert_int_equal(b64_decode("e30", 3, out), -1);      /* unpadded: Go's StdEncoding refuses */
	assert_int_equal(b64_decode("e3!=", 4, out), -1);     /* bad byte */
	assert_int_equal(b64_decode("e=30", 4, out), -1);     /* padding inside */
	assert_int_equal(b64_decode("ew==e30=", 8, out), -1); /* padding before the end */
	assert_int_equal(b64_decode("ex==", 4, out), -1);     /* non-canonical trailing bits */
	assert_int_equal(b64_decode("e3\n0", 4, out), -1);    /* newline */
	assert_int_equal(b64_decode("e-_=", 4, out), -1);     /* URL alphabet is not StdEncoding */
}

/* A response's Id: only a full ID, only from a small JSON answer, read alike by both
 * parses. */
static void
test_resp_id(void **state)
{
	static const char id[] = "19e60b45192a38699cc7a41097657660af24d990261651420859fda0aa71217a";
	static const struct {
		const char *body; /* the ResponseBody, before base64 */
		bool response;
		const char *want;
	} cases[] = {
		{"{\"Id\":\"19e60b45192a38699cc7a41097657660af24d990261651420859fda0aa71217a\",\"Warnings\":[]}\n", true, id},
		{"{\"Id\":\"19e60b45192a38699cc7a41097657660af24d990261651420859fda0aa71217a\",\"Warnings\":[]}\n", false, ""},
		{"{\"Id\":\"19e60b45192a\"}", true, ""},                 /* short */
		{"{\"Id\":\"19E60B45192A38699CC7A41097657660AF24D990261651420859FDA0AA71217A\"}", true, ""},
		{"{\"Id\":\"sha256:19e60b45192a38699cc7a41097657660af24d990261651420859fda0aa71\"}", true, ""},
		{"{\"Id\":1}", true, ""},
		{"[\"19e60b45192a38699cc7a41097657660af24d990261651420859fda0aa71217a\"]", true, ""},
		{"{\"Id\":\"19e60b45192a38699cc7a41097657660af24d990261651420859fda0aa71217a\",\"Id\":\"x\"}", true, ""},
		{"", true, ""},
	};
	char b64[4096], env[8192], ea[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct authz_req a, b;
		static const char tbl[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		const unsigned char *in = (const unsigned char *)cases[i].body;
		size_t n = strlen(cases[i].body), o = 0, k;

		for (k = 0; k < n; k += 3) {
			unsigned v = (unsigned)in[k] << 16 | (k + 1 < n ? (unsigned)in[k + 1] << 8 : 0) |
			    (k + 2 < n ? in[k + 2] : 0);

			b64[o++] = tbl[v >> 18 & 63];
			b64[o++] = tbl[v >> 12 & 63];
			b64[o++] = k + 1 < n ? tbl[v >> 6 & 63] : '=';
			b64[o++] = k + 2 < n ? tbl[v & 63] : '=';
		}
		b64[o] = '\0';
		snprintf(env, sizeof env, "{\"RequestMethod\":\"POST\",\"RequestUri\":"
		    "\"/v1.41/containers/create\",\"ResponseStatusCode\":201,\"ResponseBody\":\"%s\"}",
		    b64);
		assert_int_equal(envelope_parse(env, strlen(env), cases[i].response, &a, ea,
		    sizeof ea), 0);
		assert_string_equal(a.resp_id, cases[i].want);
		assert_int_equal(envelope_parse_whole(env, strlen(env), cases[i].response, &b, ea,
		    sizeof ea), 0);
		assert_string_equal(b.resp_id, cases[i].want);
		envelope_free(&a);
		envelope_free(&b);
	}
}

struct ecase {
	const char *json;
	int rc;
	const char *method, *uri, *user, *cl;
	int has_body;
	const char *body, *body_error;
};

static const struct ecase ecases[] = {
	{"{\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\"}", 0, "GET", "/_ping", "", NULL, 0, NULL, NULL},
	{"{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\","
	 "\"RequestBody\":\"e30=\",\"RequestHeaders\":{\"Content-Length\":\"2\"}}",
	    0, "POST", "/x", "alice", "2", 1, "{}", NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestHeaders\":{\"content-length\":\"7\"}}",
	    0, "POST", "/x", "", "7", 0, NULL, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":null,\"User\":null}", 0,
	    "POST", "/x", "", NULL, 0, NULL, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"\"}", 0, "POST", "/x", "",
	    NULL, 0, NULL, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"!!!!\"}", 0, "POST", "/x", "",
	    NULL, 0, NULL, "request body is not valid base64"},
	/* A request dockerd would never send: no method or no URI. */
	{"{}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"RequestMethod\":\"POST\"}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"RequestUri\":\"/containers/create\"}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"RequestMethod\":\"\",\"RequestUri\":\"/x\"}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":null}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"\"}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"RequestBody\":5}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"RequestMethod\":true}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestHeaders\":[]}", -1, NULL, NULL, NULL,
	    NULL, 0, NULL, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":5}", -1, NULL, NULL, NULL, NULL, 0,
	    NULL, NULL},
	{"[]", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"User\":\"a\",\"User\":\"b\"}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"User\":\"a\"} {}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"User\":\"\\u0000\"}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"User\":\"\xff\"}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"{\"ResponseStatusCode\":99999999999999999999999}", -1, NULL, NULL, NULL, NULL, 0, NULL, NULL},
};

static void
test_envelopes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ecases / sizeof ecases[0]; i++) {
		const struct ecase *c = &ecases[i];
		struct authz_req r;
		char err[256];
		int rc = envelope_parse(c->json, strlen(c->json), false, &r, err, sizeof err);

		print_message("case %zu: %s\n", i, c->json);
		assert_int_equal(rc, c->rc);
		if (rc == 0) {
			assert_string_equal(r.method, c->method);
			assert_string_equal(r.uri, c->uri);
			assert_string_equal(r.user, c->user);
			if (c->cl)
				assert_string_equal(r.content_length, c->cl);
			else
				assert_null(r.content_length);
			assert_int_equal(r.body != NULL, c->has_body);
			if (c->body)
				assert_string_equal((char *)r.body, c->body);
			if (c->body_error)
				assert_string_equal(r.body_error, c->body_error);
		} else
			assert_true(strlen(err) > 0);
		envelope_free(&r);
	}
}

/* What a request must carry, a response-phase envelope need not: its answer is an allow
 * whatever it says, recorded as dockerd sent it. */
static void
test_missing_method_uri(void **state)
{
	struct authz_req r;
	char err[256];

	(void)state;
	assert_int_equal(envelope_parse("{\"RequestMethod\":\"POST\"}", 24, false, &r, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "no RequestUri"));
	envelope_free(&r);
	assert_int_equal(envelope_parse("{\"RequestUri\":\"/x\"}", 19, false, &r, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "no RequestMethod"));
	envelope_free(&r);
	assert_int_equal(envelope_parse("{}", 2, true, &r, err, sizeof err), 0);
	assert_string_equal(r.uri, "");
	envelope_free(&r);
}

static void
test_too_large(void **state)
{
	size_t n = CG_ENVELOPE_MAX + 1;
	char *big = malloc(n);
	struct authz_req r;
	char err[256];

	(void)state;
	memset(big, ' ', n);
	assert_int_equal(envelope_parse(big, n, false, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "exceeds"));
	envelope_free(&r);
	free(big);
}

static void
test_deep(void **state)
{
	/* jansson's own depth cap keeps a deep envelope from recursing without bound. */
	size_t n = 200000, i;
	char *deep = malloc(2 * n + 1);
	struct authz_req r;
	char err[256];

	(void)state;
	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[n + i] = ']';
	}
	assert_int_equal(envelope_parse(deep, 2 * n, false, &r, err, sizeof err), -1);
	envelope_free(&r);
	free(deep);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

/* The fast path (body strings cut out before jansson) against the whole parse, on the
 * inputs that steer it: every one must give the same fields, in both phases. */
static const struct fcase {
	const char *json;
	int rc;
	const char *body; /* decoded body of the request phase, or NULL for none */
} fcases[] = {
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30=\"}", 0, "{}"},
	{" \n{ \"RequestBody\" :\t\"e30=\" , \"RequestMethod\":\"POST\",\"RequestUri\":\"/x\"}", 0, "{}"},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30=\",\"RequestBody\":\"e30=\"}",
	    -1, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":null,\"RequestBody\":\"e30=\"}",
	    -1, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"Request\\u0042ody\":\"e30=\"}", 0, "{}"},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"Request\\u0042ody\":\"e30=\",\"RequestBody\":\"e30=\"}",
	    -1, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30\\u003d\"}", 0, "{}"},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e3\\/=\"}", 0, NULL},
	{"{\"X\":{\"RequestBody\":\"e30=\"},\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\"}", 0, NULL},
	{"{\"X\":[\"RequestBody\",\"e30=\"],\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\"}", 0, NULL},
	{"{\"a\\\"\":\"RequestBody\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30=\"}",
	    0, "{}"},
	{"{\"a\":\"x\\\\\",\"RequestBody\":\"e30=\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\"}", 0, "{}"},
	{"{\"a\":\"x\\\",\\\"RequestBody\\\":\\\"e30=\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\"}", 0, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30=\"", -1, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30=\",}", -1, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30=\"} x", -1, NULL},
	{"{\"RequestMethod\":\"P\x01\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30=\"}", -1, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30=\x7f\"}", 0, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e\x01=\"}", -1, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"\"}", 0, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"!!!!\"}", 0, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30=\",\"ResponseBody\":\"bnVsbA==\","
	 "\"ResponseStatusCode\":200}", 0, "{}"},
	{"{\"ResponseBody\":\"bnVsbA==\",\"ResponseBody\":\"\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\"}",
	    -1, NULL},
	{"{\"ResponseBody\":5,\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\"}", 0, NULL},
	{"[\"RequestBody\",\"e30=\"]", -1, NULL},
	{"{\"RequestBody\"  \"e30=\"}", -1, NULL},
	{"{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\",\"RequestBody\":\"e30=\"}}{", -1, NULL},
};

static void
test_fast_path_agrees(void **state)
{
	size_t i;
	int phase;

	(void)state;
	for (i = 0; i < sizeof fcases / sizeof fcases[0]; i++) {
		const struct fcase *c = &fcases[i];

		print_message("case %zu: %s\n", i, c->json);
		for (phase = 0; phase < 2; phase++) {
			struct authz_req a, b;
			char ea[256], eb[256];
			size_t n = strlen(c->json);
			int ra = envelope_parse(c->json, n, phase, &a, ea, sizeof ea);
			int rb = envelope_parse_whole(c->json, n, phase, &b, eb, sizeof eb);

			assert_int_equal(ra, rb);
			if (!phase)
				assert_int_equal(ra, c->rc);
			if (ra != 0)
				assert_string_equal(ea, eb);
			else {
				assert_true(same_str(a.method, b.method) && same_str(a.uri, b.uri) &&
				    same_str(a.user, b.user) && same_str(a.body_error, b.body_error) &&
				    a.status == b.status && a.body_len == b.body_len);
				assert_int_equal(a.body != NULL, b.body != NULL);
				if (a.body != NULL)
					assert_memory_equal(a.body, b.body, a.body_len);
				if (c->body != NULL)
					assert_string_equal((char *)a.body, c->body);
				else
					assert_null(a.body);
			}
			envelope_free(&a);
			envelope_free(&b);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_resp_id),
		cmocka_unit_test(test_envelopes),
		cmocka_unit_test(test_fast_path_agrees),
		cmocka_unit_test(test_missing_method_uri),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
