/* envelope.h - the AuthZ envelope dockerd sends: exact key names, every key optional but a
 * request's method and URI. */
#ifndef CISGATE_ENVELOPE_H
#define CISGATE_ENVELOPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct authz_req {
	json_t *root;          /* owns every string below */
	bool is_response;      /* AuthZPlugin.AuthZRes */
	const char *user;      /* TLS client CN, "" on the unix socket */
	const char *authn;     /* "TLS" or "" */
	const char *method;    /* "" when absent */
	const char *uri;       /* raw RequestUri, query included; "" when absent */
	const char *content_length; /* RequestHeaders' Content-Length, or NULL */
	const char *content_type;   /* RequestHeaders' Content-Type, or NULL */
	const char *lookup_token;   /* RequestHeaders' X-Cisgate-Lookup (cisgate's own lookups
	                               carry its token), or NULL */
	int status;            /* ResponseStatusCode, 0 when absent */
	unsigned char *body;   /* decoded RequestBody (malloc'd, NUL-terminated), or NULL */
	size_t body_len;
	const char *body_error; /* set when RequestBody was present but not valid base64 */
	/* A 201 response's ResponseBody, when it is a small JSON object whose "Id" is a full
	 * 64-hex-digit ID (what a create answers): that ID; "" otherwise. */
	char resp_id[65];
};

/* Parses one envelope of len bytes. On success returns 0 and fills *req, which the
 * caller releases with envelope_free(). On failure returns -1 with a reason in err
 * (envelope_free() is still safe). A request (!is_response) without a RequestMethod or
 * a RequestUri (absent, null or "") is a failure: dockerd never sends one. Never reads
 * past buf[len]. */
int envelope_parse(const char *buf, size_t len, bool is_response, struct authz_req *req,
    char *err, size_t errlen);

/* envelope_parse() without its fast path (the body strings cut out before jansson lexes
 * them): the whole envelope through jansson. Same contract and, on every input, the same
 * result; the fuzzer and the unit tests hold the two to that. */
int envelope_parse_whole(const char *buf, size_t len, bool is_response, struct authz_req *req,
    char *err, size_t errlen);

/* Frees what envelope_parse() allocated; accepts a zeroed struct. */
void envelope_free(struct authz_req *req);

/* Decodes standard, padded base64 (Go's StdEncoding). Returns the decoded length, or
 * -1 on any invalid byte or bad padding. out must hold (n / 4) * 3 bytes. */
long b64_decode(const char *in, size_t n, unsigned char *out);

#endif
