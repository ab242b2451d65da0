/* gojson.h - reading jansson values the way Go's encoding/json fills a struct. */
#ifndef CISGATE_GOJSON_H
#define CISGATE_GOJSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a body could not be read as dockerd reads it. */
/* GJ_UNKNOWABLE: valid, but what dockerd will make of it is decided after cisgate (a swarm
 * template, expanded on the node that runs the task). */
enum gj_status { GJ_OK = 0, GJ_AMBIGUOUS, GJ_INVALID, GJ_UNKNOWABLE };

struct gj_error {
	enum gj_status status;
	char text[256];
};

/* Finds the struct fields names[0..n) in obj as Go does: keys match without regard to
 * ASCII case. Sets out[i] to the value, or NULL when absent or null (null leaves a Go
 * field untouched). obj NULL or JSON null gives all NULL. Returns 0, or -1 with *e set:
 * GJ_INVALID when obj is not an object, GJ_AMBIGUOUS when two keys fold to one field or a
 * key is not ASCII (Go folds U+212A to 'k' and U+017F to 's'; cisgate does not guess).
 * `where` names the object in messages ("HostConfig"). Borrowed references only. */
int gojson_fields(json_t *obj, const char *where, const char *const *names, size_t n,
    json_t **out, struct gj_error *e);

/* As gojson_fields, and *seen gets bit i set when a key for names[i] is present, null
 * or not: Go allocates an embedded struct pointer for any key of its fields, even a
 * null one, and that decides which HostConfig dockerd uses. n is at most 64. */
int gojson_fields_seen(json_t *obj, const char *where, const char *const *names, size_t n,
    json_t **out, uint64_t *seen, struct gj_error *e);

/* Typed reads of one field value (NULL = absent, which gives the zero value). Each
 * returns 0, or -1 with e set to GJ_INVALID naming `field`, as Go would refuse it. */
int gojson_bool(json_t *v, const char *field, bool *out, struct gj_error *e);
int gojson_i64(json_t *v, const char *field, int64_t *out, struct gj_error *e);
int gojson_str(json_t *v, const char *field, const char **out, struct gj_error *e);
/* Array of strings: *out is v itself (or NULL); elements are checked to be strings or null. */
int gojson_strarray(json_t *v, const char *field, json_t **out, struct gj_error *e);
/* A strslice.StrSlice (CapAdd, CapDrop, Cmd, Entrypoint, Shell): a list of strings, or
 * one string that dockerd reads as a one-element list. *out is v (array or string) or
 * NULL; read it with gojson_strslice_size/_get. null gives NULL (an empty list in Go). */
int gojson_strslice(json_t *v, const char *field, json_t **out, struct gj_error *e);
/* Elements of a value gojson_strslice accepted (s may be NULL: 0 elements). */
size_t gojson_strslice_size(json_t *s);
/* Element i, or NULL for a null element or i out of range. Borrowed. */
const char *gojson_strslice_get(json_t *s, size_t i);

/* Object or absent. */
int gojson_object(json_t *v, const char *field, json_t **out, struct gj_error *e);

/* Sets e and returns -1: the one way errors are made. */
int gojson_fail(struct gj_error *e, enum gj_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Depth of the deepest nesting in the JSON text s[0..n) (s[n] must be NUL), counted
 * without parsing it, stopping at limit+1. Lets cisgate refuse deep bodies before
 * jansson recurses into them. */
int gojson_depth(const char *s, size_t n, int limit);

#endif
