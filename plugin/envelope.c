/* envelope.c - AuthZ envelope decoding. Pure: no I/O, no globals but constant tables. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/envelope.h"
#include "cisgate/limits.h"
#include "cisgate/str.h"

/* The largest ResponseBody (base64 bytes) read for its Id. */
#define ENV_RESP_ID_MAX 1024

/* 0..63 for the alphabet, 64 for '=', 255 for anything else. */
static const unsigned char b64_tab[256] = {
#define X 255
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, 64, X, X,
	X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
	X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
#undef X
};

long
b64_decode(const char *in, size_t n, unsigned char *out)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i, o = 0;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		unsigned a = b64_tab[p[i]], b = b64_tab[p[i + 1]];
		unsigned c = b64_tab[p[i + 2]], d = b64_tab[p[i + 3]];

		if ((a | b | c | d) < 64) {
			unsigned v = a << 18 | b << 12 | c << 6 | d;

			out[o++] = (unsigned char)(v >> 16);
			out[o++] = (unsigned char)(v >> 8);
			out[o++] = (unsigned char)v;
			continue;
		}
		/* Padding is only allowed in the last quantum: "xx==" or "xxx=". */
		if (i + 4 != n || a >= 64 || b >= 64)
			return -1;
		if (c == 64 && d == 64) {
			if (b & 15) /* non-canonical trailing bits, as Go's Strict decoding */
				return -1;
			out[o++] = (unsigned char)(a << 2 | b >> 4);
		} else if (c < 64 && d == 64) {
			if (c & 3)
				return -1;
			out[o++] = (unsigned char)(a << 2 | b >> 4);
			out[o++] = (unsigned char)((b & 15) << 4 | c >> 2);
		} else
			return -1;
	}
	return (long)o;
}

/* Optional string key: absent or null is "", anything else but a string is an error. */
static int
env_string(json_t *root, const char *key, const char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, key);

	*out = "";
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "malformed AuthZ request: %s is not a string", key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* Header lookup: Go canonicalises header names, but compare without case anyway. */
static const char *
env_header(json_t *headers, const char *name)
{
	const char *k;
	json_t *v;

	json_object_foreach(headers, k, v) {
		if (str_ieq_n(k, strlen(k), name) && json_is_string(v))
			return json_string_value(v);
	}
	return NULL;
}

/* A top-level string value's content: buf[off, off + len); off is SIZE_MAX when absent. */
struct env_cut {
	size_t off, len;
};

/* Finds the contents of the top-level RequestBody and ResponseBody strings when each is
 * plain: printable ASCII without quote or backslash, as Go's base64 always is. They are
 * most of an envelope's bytes, and jansson lexes a string a byte at a time through its
 * stream layer: cutting them out before it parses halves the cost of a create. Strings
 * are tracked by JSON's own rule (a quote opens one outside a string; a backslash takes
 * the next byte inside), so on any input jansson accepts the cuts are exactly those
 * values. Returns false when the fast path does not apply: not an object, a top-level
 * key written with escapes (it may spell either name), a value that is not plain, a
 * repeated name or malformed JSON. The caller then parses the whole envelope. */
static bool
env_cuts(const char *b, size_t n, struct env_cut *reqb, struct env_cut *respb)
{
	size_t i = 0;
	long depth = 0;
	bool want_key = false;

	reqb->off = respb->off = SIZE_MAX;
	reqb->len = respb->len = 0;
	while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	if (i >= n || b[i] != '{')
		return false;
	while (i < n) {
		char ch = b[i];
		struct env_cut *c = NULL;
		size_t s, e;
		bool esc = false;

		if (ch != '"') {
			if (ch == '{' || ch == '[') {
				depth++;
				want_key = depth == 1;
			} else if (ch == '}' || ch == ']')
				depth--;
			else if (ch == ',' && depth == 1)
				want_key = true;
			i++;
			continue;
		}
		for (s = ++i; i < n && b[i] != '"'; i++)
			if (b[i] == '\\') {
				esc = true;
				i++;
			}
		if (i >= n)
			return false;
		e = i++;
		if (depth != 1 || !want_key)
			continue;
		want_key = false;
		if (esc)
			return false;
		if (e - s == 11 && memcmp(b + s, "RequestBody", 11) == 0)
			c = reqb;
		else if (e - s == 12 && memcmp(b + s, "ResponseBody", 12) == 0)
			c = respb;
		else
			continue;
		while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
			i++;
		if (i >= n || b[i] != ':')
			return false;
		i++;
		while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
			i++;
		if (i >= n || b[i] != '"')
			continue; /* null or not a string: jansson's verdict, below */
		if (c->off != SIZE_MAX)
			return false;
		for (s = ++i; i < n && b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' && b[i] != '\\'; i++)
			;
		if (i >= n || b[i] != '"')
			return false;
		c->off = s;
		c->len = i - s;
		i++;
	}
	return true;
}

/* Parses buf with the cut values emptied: the bytes around them go to jansson in one
 * copy (on the stack when they fit). Returns the root, or NULL when jansson refuses:
 * the caller then parses the whole envelope, which gives the error its true position. */
static json_t *
env_load_cut(const char *buf, size_t len, const struct env_cut *c1, const struct env_cut *c2)
{
	char small[4096], *tmp = small;
	const struct env_cut *a = c1, *z = c2;
	size_t n = 0, keep;
	json_t *root;

	if (a->off == SIZE_MAX || (z->off != SIZE_MAX && z->off < a->off)) {
		a = c2;
		z = c1;
	}
	keep = len - a->len - (z->off == SIZE_MAX ? 0 : z->len);
	if (keep > sizeof small && (tmp = malloc(keep)) == NULL)
		return NULL;
	memcpy(tmp, buf, a->off);
	n = a->off;
	if (z->off == SIZE_MAX) {
		memcpy(tmp + n, buf + a->off + a->len, len - a->off - a->len);
		n += len - a->off - a->len;
	} else {
		memcpy(tmp + n, buf + a->off + a->len, z->off - a->off - a->len);
		n += z->off - a->off - a->len;
		memcpy(tmp + n, buf + z->off + z->len, len - z->off - z->len);
		n += len - z->off - z->len;
	}
	root = json_loadb(tmp, n, JSON_REJECT_DUPLICATES, NULL);
	if (tmp != small)
		free(tmp);
	return root;
}

/* True when root's top-level name is the empty string env_load_cut left for a cut. */
static bool
env_cut_kept(json_t *root, const char *name, const struct env_cut *c)
{
	json_t *v;

	if (c->off == SIZE_MAX)
		return true;
	v = json_object_get(root, name);
	return json_is_string(v) && json_string_length(v) == 0;
}

/* The "Id" of a response body of n base64 bytes at src, into id (65 bytes) when it is a
 * full 64-hex-digit ID. Only small bodies are read: a create's answer is one line. */
static void
env_resp_id(const char *src, size_t n, char id[65])
{
	unsigned char raw[ENV_RESP_ID_MAX / 4 * 3 + 1];
	const char *s;
	json_t *root;
	long got;

	id[0] = '\0';
	if (n == 0 || n > ENV_RESP_ID_MAX || (got = b64_decode(src, n, raw)) < 0)
		return;
	root = json_loadb((const char *)raw, (size_t)got, JSON_REJECT_DUPLICATES, NULL);
	s = json_is_object(root) ? json_string_value(json_object_get(root, "Id")) : NULL;
	if (s != NULL && str_is_full_id(s))
		memcpy(id, s, 65);
	json_decref(root);
}

static int
env_parse(const char *buf, size_t len, bool is_response, bool fast, struct authz_req *req,
    char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *h, *b, *sc;
	struct env_cut reqb, respb;
	bool cut = false;

	memset(req, 0, sizeof *req);
	req->is_response = is_response;
	if (len > CG_ENVELOPE_MAX) {
		snprintf(err, errlen, "AuthZ request of %zu bytes exceeds the %zu-byte limit", len,
		    CG_ENVELOPE_MAX);
		return -1;
	}
	if (fast && env_cuts(buf, len, &reqb, &respb) && (reqb.off != SIZE_MAX || respb.off != SIZE_MAX) &&
	    (req->root = env_load_cut(buf, len, &reqb, &respb)) != NULL) {
		/* Belt and braces: jansson must see the emptied strings where the cuts were. */
		cut = json_is_object(req->root) && env_cut_kept(req->root, "RequestBody", &reqb) &&
		    env_cut_kept(req->root, "ResponseBody", &respb);
		if (!cut) {
			json_decref(req->root);
			req->root = NULL;
		}
	}
	if (!cut)
		req->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req->root == NULL) {
		snprintf(err, errlen, "malformed AuthZ request: %s", jerr.text);
		return -1;
	}
	if (!json_is_object(req->root)) {
		snprintf(err, errlen, "malformed AuthZ request: not a JSON object");
		return -1;
	}
	if (env_string(req->root, "User", &req->user, err, errlen) ||
	    env_string(req->root, "UserAuthNMethod", &req->authn, err, errlen) ||
	    env_string(req->root, "RequestMethod", &req->method, err, errlen) ||
	    env_string(req->root, "RequestUri", &req->uri, err, errlen))
		return -1;
	/* dockerd always names the method and the URI of a request; an envelope without
	 * them is not dockerd's, and a request cisgate cannot place is not allowed. */
	if (!is_response && (req->method[0] == '\0' || req->uri[0] == '\0')) {
		snprintf(err, errlen, "malformed AuthZ request: no %s (dockerd always sends one)",
		    req->method[0] == '\0' ? "RequestMethod" : "RequestUri");
		return -1;
	}
	if (strlen(req->uri) > CG_URI_MAX) {
		snprintf(err, errlen, "RequestUri longer than %d bytes", CG_URI_MAX);
		return -1;
	}
	h = json_object_get(req->root, "RequestHeaders");
	if (h != NULL && !json_is_null(h)) {
		if (!json_is_object(h)) {
			snprintf(err, errlen, "malformed AuthZ request: RequestHeaders is not an object");
			return -1;
		}
		req->content_length = env_header(h, "Content-Length");
		req->content_type = env_header(h, "Content-Type");
		req->lookup_token = env_header(h, CG_LOOKUP_HEADER);
	}
	sc = json_object_get(req->root, "ResponseStatusCode");
	if (json_is_integer(sc) && json_integer_value(sc) >= 0 && json_integer_value(sc) < 1000)
		req->status = (int)json_integer_value(sc);
	/* Only a 201 (created) answer names a new object: no other response pays the decode. */
	if (is_response && req->status == 201) {
		b = json_object_get(req->root, "ResponseBody");
		if (cut && respb.off != SIZE_MAX)
			env_resp_id(buf + respb.off, respb.len, req->resp_id);
		else if (json_is_string(b))
			env_resp_id(json_string_value(b), json_string_length(b), req->resp_id);
	}

	b = json_object_get(req->root, "RequestBody");
	if (b != NULL && !json_is_null(b)) {
		const char *src;
		size_t n;
		long got;

		if (!json_is_string(b)) {
			snprintf(err, errlen, "malformed AuthZ request: RequestBody is not a string");
			return -1;
		}
		if (cut && reqb.off != SIZE_MAX) {
			src = buf + reqb.off;
			n = reqb.len;
		} else {
			src = json_string_value(b);
			n = json_string_length(b);
		}
		if (n == 0)
			return 0; /* Go marshals an empty []byte as "": no body */
		if (n / 4 * 3 > CG_BODY_MAX) {
			req->body_error = "request body larger than cisgate reads";
			return 0;
		}
		req->body = malloc(n / 4 * 3 + 1);
		if (req->body == NULL) {
			snprintf(err, errlen, "out of memory decoding the request body");
			return -1;
		}
		got = b64_decode(src, n, req->body);
		if (got < 0) {
			free(req->body);
			req->body = NULL;
			req->body_error = "request body is not valid base64";
			return 0;
		}
		req->body[got] = '\0';
		req->body_len = (size_t)got;
	}
	return 0;
}

int
envelope_parse(const char *buf, size_t len, bool is_response, struct authz_req *req,
    char *err, size_t errlen)
{
	return env_parse(buf, len, is_response, true, req, err, errlen);
}

int
envelope_parse_whole(const char *buf, size_t len, bool is_response, struct authz_req *req,
    char *err, size_t errlen)
{
	return env_parse(buf, len, is_response, false, req, err, errlen);
}

void
envelope_free(struct authz_req *req)
{
	json_decref(req->root);
	free(req->body);
	req->root = NULL;
	req->body = NULL;
}
