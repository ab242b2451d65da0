/* gojson.c - Go encoding/json semantics over jansson values. Pure. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cisgate/gojson.h"
#include "cisgate/str.h"

int
gojson_fail(struct gj_error *e, enum gj_status st, const char *fmt, ...)
{
	va_list ap;

	e->status = st;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
	return -1;
}

int
gojson_fields(json_t *obj, const char *where, const char *const *names, size_t n,
    json_t **out, struct gj_error *e)
{
	uint64_t seen;

	return gojson_fields_seen(obj, where, names, n, out, &seen, e);
}

int
gojson_fields_seen(json_t *obj, const char *where, const char *const *names, size_t n,
    json_t **out, uint64_t *seenp, struct gj_error *e)
{
	size_t lens[64], i;
	uint64_t seen = 0;
	const char *key;
	json_t *val;

	*seenp = 0;
	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (obj == NULL || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return gojson_fail(e, GJ_INVALID, "%s is not a JSON object", where);
	if (n > sizeof lens / sizeof lens[0])
		return gojson_fail(e, GJ_INVALID, "internal: too many fields for %s", where);
	for (i = 0; i < n; i++) {
		/* A hole in a designated-initialiser table: fail closed, never crash. */
		if (names[i] == NULL)
			return gojson_fail(e, GJ_INVALID, "internal: unnamed field %zu in %s", i,
			    where);
		lens[i] = strlen(names[i]);
	}

	json_object_foreach(obj, key, val) {
		size_t kl = 0;
		unsigned char hi = 0, k0 = (unsigned char)key[0] | 0x20;

		while (key[kl])
			hi |= (unsigned char)key[kl++];
		if (hi & 0x80)
			return gojson_fail(e, GJ_AMBIGUOUS,
			    "ambiguous request: non-ASCII key in %s (Go may fold it to a field name)",
			    where);
		for (i = 0; i < n; i++) {
			/* Length and first letter first: most keys are not wanted here. */
			if (kl != lens[i] || k0 != ((unsigned char)names[i][0] | 0x20) ||
			    !str_ieq_n(key, kl, names[i]))
				continue;
			/* Exact duplicates are rejected at load; a second hit is another spelling
			 * of the same field, and which one Go keeps depends on order and null. */
			if (seen & ((uint64_t)1 << i))
				return gojson_fail(e, GJ_AMBIGUOUS,
				    "ambiguous request: %s has two keys for field %s", where, names[i]);
			seen |= (uint64_t)1 << i;
			if (!json_is_null(val))
				out[i] = val;
			break;
		}
	}
	*seenp = seen;
	return 0;
}

int
gojson_bool(json_t *v, const char *field, bool *out, struct gj_error *e)
{
	*out = false;
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return gojson_fail(e, GJ_INVALID, "%s must be true or false", field);
	*out = json_is_true(v);
	return 0;
}

int
gojson_i64(json_t *v, const char *field, int64_t *out, struct gj_error *e)
{
	*out = 0;
	if (v == NULL)
		return 0;
	/* Go refuses 1.5, 1e3 and "5" for an int64 field; jansson reads those as real/string. */
	if (!json_is_integer(v))
		return gojson_fail(e, GJ_INVALID, "%s must be a whole number", field);
	*out = (int64_t)json_integer_value(v);
	return 0;
}

int
gojson_str(json_t *v, const char *field, const char **out, struct gj_error *e)
{
	*out = "";
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return gojson_fail(e, GJ_INVALID, "%s must be a string", field);
	/* A string with an embedded NUL would read differently here and in Go. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return gojson_fail(e, GJ_AMBIGUOUS, "ambiguous request: NUL byte in %s", field);
	*out = json_string_value(v);
	return 0;
}

int
gojson_strarray(json_t *v, const char *field, json_t **out, struct gj_error *e)
{
	size_t i;
	json_t *x;

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return gojson_fail(e, GJ_INVALID, "%s must be a list of strings", field);
	json_array_foreach(v, i, x) {
		if (!json_is_string(x) && !json_is_null(x))
			return gojson_fail(e, GJ_INVALID, "%s must be a list of strings", field);
		if (json_is_string(x) && strlen(json_string_value(x)) != json_string_length(x))
			return gojson_fail(e, GJ_AMBIGUOUS, "ambiguous request: NUL byte in %s",
			    field);
	}
	*out = v;
	return 0;
}

int
gojson_strslice(json_t *v, const char *field, json_t **out, struct gj_error *e)
{
	*out = NULL;
	if (v == NULL)
		return 0;
	/* strslice.StrSlice.UnmarshalJSON: a []string first, else a single string. */
	if (json_is_string(v)) {
		if (strlen(json_string_value(v)) != json_string_length(v))
			return gojson_fail(e, GJ_AMBIGUOUS, "ambiguous request: NUL byte in %s",
			    field);
		*out = v;
		return 0;
	}
	if (!json_is_array(v))
		return gojson_fail(e, GJ_INVALID, "%s must be a string or a list of strings",
		    field);
	return gojson_strarray(v, field, out, e);
}

size_t
gojson_strslice_size(json_t *s)
{
	if (s == NULL)
		return 0;
	return json_is_string(s) ? 1 : json_array_size(s);
}

const char *
gojson_strslice_get(json_t *s, size_t i)
{
	if (s != NULL && json_is_string(s))
		return i == 0 ? json_string_value(s) : NULL;
	return json_string_value(json_array_get(s, i));
}

int
gojson_object(json_t *v, const char *field, json_t **out, struct gj_error *e)
{
	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_object(v))
		return gojson_fail(e, GJ_INVALID, "%s must be a JSON object", field);
	*out = v;
	return 0;
}

int
gojson_depth(const char *s, size_t n, int limit)
{
	const char *p = s, *end = s + n;
	int depth = 0, max = 0;

	/* strcspn is vectorised in glibc: jump from one interesting byte to the next. s must
	 * be NUL-terminated at n; an embedded NUL ends the scan, and jansson stops there too. */
	while (p < end && *p) {
		p += strcspn(p, "\"{}[]");
		switch (*p) {
		case '"':
			for (p++; p < end && *p;) {
				p += strcspn(p, "\"\\");
				if (*p == '\\' && p + 1 < end)
					p += 2;
				else
					break;
			}
			if (p < end && *p == '"')
				p++;
			break;
		case '{':
		case '[':
			if (++depth > max && (max = depth) > limit)
				return max;
			p++;
			break;
		case '}':
		case ']':
			depth--;
			p++;
			break;
		default:
			break;
		}
	}
	return max;
}
