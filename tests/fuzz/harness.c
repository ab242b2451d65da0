/* Fuzz harnesses: each feeds hostile bytes to one stage and checks its contract. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cisgate/compose.h"
#include "cisgate/decide.h"
#include "cisgate/envelope.h"
#include "cisgate/jsonmem.h"
#include "cisgate/uri.h"
#include "harness.h"

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

/* The fast path and the whole parse must agree on every field, in both phases. */
static void
envelope_differential(const uint8_t *data, size_t size, bool is_response)
{
	struct authz_req a, b;
	char ea[256], eb[256];
	int ra = envelope_parse((const char *)data, size, is_response, &a, ea, sizeof ea);
	int rb = envelope_parse_whole((const char *)data, size, is_response, &b, eb, sizeof eb);

	if (ra != rb || (ra != 0 && strcmp(ea, eb) != 0))
		abort();
	if (ra == 0 && (!same_str(a.user, b.user) || !same_str(a.authn, b.authn) ||
	    !same_str(a.method, b.method) || !same_str(a.uri, b.uri) ||
	    !same_str(a.content_length, b.content_length) ||
	    !same_str(a.content_type, b.content_type) ||
	    !same_str(a.lookup_token, b.lookup_token) || a.status != b.status ||
	    !same_str(a.body_error, b.body_error) || a.body_len != b.body_len ||
	    strcmp(a.resp_id, b.resp_id) != 0 ||
	    (a.body == NULL) != (b.body == NULL) ||
	    (a.body != NULL && memcmp(a.body, b.body, a.body_len) != 0)))
		abort();
	envelope_free(&a);
	envelope_free(&b);
}

/* Envelope + body view: whatever the bytes, a result and no crash; the envelope's fast
 * path agrees with the whole parse. */
int
fuzz_envelope(const uint8_t *data, size_t size)
{
	static struct docker_view v;
	struct authz_req r;
	struct endpoint ep;
	struct gj_error e;
	char err[256];

	envelope_differential(data, size, false);
	envelope_differential(data, size, true);
	if (envelope_parse((const char *)data, size, false, &r, err, sizeof err) == 0 &&
	    r.body != NULL) {
		memset(&ep, 0, sizeof ep);
		ep.kind = EP_CONTAINER_CREATE;
		docker_view_init(&v, &ep);
		(void)docker_view_build(&v, &ep, r.body, r.body_len, &e);
		docker_view_free(&v);
		ep.kind = EP_EXEC_CREATE;
		docker_view_init(&v, &ep);
		(void)docker_view_build(&v, &ep, r.body, r.body_len, &e);
		docker_view_free(&v);
	}
	envelope_free(&r);
	return 0;
}

/* URI: first line is the method, the rest the raw URI. */
int
fuzz_uri(const uint8_t *data, size_t size)
{
	char method[16], *uri;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ml = nl ? (size_t)(nl - data) : 0;
	struct endpoint ep;
	char err[256];

	if (ml >= sizeof method)
		ml = sizeof method - 1;
	memcpy(method, data, ml);
	method[ml] = '\0';
	if (nl == NULL)
		nl = data - 1;
	size -= (size_t)(nl + 1 - data);
	if ((uri = malloc(size + 1)) == NULL)
		return 0;
	memcpy(uri, nl + 1, size);
	uri[size] = '\0';
	if (uri_classify(method, uri, &ep, err, sizeof err) == 0) {
		/* The cleaned path is absolute and has no empty, "." or ".." segment. */
		if (ep.path[0] == '/' &&
		    (strstr(ep.path, "//") || strstr(ep.path, "/./") || strstr(ep.path, "/../")))
			abort();
	}
	free(uri);
	return 0;
}

int
fuzz_policy(const uint8_t *data, size_t size)
{
	struct policy_errors errs;
	struct policy *p = policy_load_buffer((const char *)data, size, "fuzz", &errs);

	/* Either a policy or at least one error, never both or neither. */
	if ((p == NULL) == (errs.n == 0))
		abort();
	policy_release(p);
	return 0;
}

/* The whole decide path under a strict policy: a create or exec envelope built from the
 * bytes (first byte picks the endpoint), and the bytes as an envelope themselves. */
int
fuzz_decide(const uint8_t *data, size_t size)
{
	static const char pol[] = "apiVersion: cisgate/v1\ndefault_action: deny\n";
	static struct policy *p;
	static struct decide_ctx c;
	struct policy_errors errs;

	if (p == NULL) {
		if ((p = policy_load_buffer(pol, sizeof pol - 1, "fuzz", &errs)) == NULL)
			abort();
		jsonmem_install(); /* as the daemon does; ASan sees into the arena */
		c.rootfd = -1;     /* the fuzzer's paths are not this machine's */
	}
	(void)jsonmem_begin();
	decide_envelope(p, (const char *)data, size, false, 0, &c);
	/* Contract: a deny always says why. */
	if (!c.dec.allow && c.dec.msg[0] == '\0')
		abort();
	decide_free(&c);
	/* Contract: decide_free frees every JSON value of the request. */
	if (jsonmem_end() != 0)
		abort();
	if (size > 0) {
		static const enum ep_kind kinds[] = {EP_CONTAINER_CREATE, EP_EXEC_CREATE,
		    EP_CONTAINER_UPDATE, EP_VOLUME_CREATE, EP_CONTAINER_START};

		/* decide_body's contract: the body is NUL-terminated. */
		unsigned char *body = malloc(size);

		if (body == NULL)
			return 0;
		memcpy(body, data + 1, size - 1);
		body[size - 1] = '\0';
		decide_body(p, kinds[data[0] % 5], body, size - 1, "", 0, &c);
		if (!c.dec.allow && c.dec.msg[0] == '\0')
			abort();
		decide_free(&c);
		free(body);
	}
	return 0;
}

/* A compose file (check reads them from teams' repositories): read whole or refused with
 * errors, never both; every service's body decided under a strict policy, a deny always
 * with its reason. */
int
fuzz_compose(const uint8_t *data, size_t size)
{
	static const char pol[] = "apiVersion: cisgate/v1\ndefault_action: deny\n";
	static struct policy *p;
	static struct decide_ctx c;
	struct policy_errors errs;
	struct compose_file cf;
	size_t i;
	int rc;

	if (p == NULL) {
		if ((p = policy_load_buffer(pol, sizeof pol - 1, "fuzz", &errs)) == NULL)
			abort();
		c.rootfd = -1;
	}
	rc = compose_load((const char *)data, size, "fuzz", "proj", &cf, &errs);
	if ((rc == 0) != (errs.n == 0))
		abort();
	for (i = 0; rc == 0 && i < cf.n; i++) {
		if (cf.v[i].body == NULL || cf.v[i].name == NULL)
			abort();
		decide_body_named(p, cf.v[i].name, (const unsigned char *)cf.v[i].body,
		    cf.v[i].len, "", (time_t)1700000000, &c);
		/* Values compose passes through (a SecurityOpt dockerd refuses) may make a
		 * body cisgate denies as unreadable; a decision is all that is asked. */
		if (c.dec.nv == 0 && !c.dec.allow)
			abort();
		decide_free(&c);
	}
	compose_free(&cf);
	return 0;
}
