/* pyaml.h - typed readers over one libyaml document for the policy loader: every error
 * as FILE:LINE:COL, a node budget against alias bombs, allocation failures reported as
 * "out of memory" (never abort), and one mapping walker that rejects unknown and
 * repeated keys (libyaml accepts both). */
#ifndef CISGATE_PYAML_H
#define CISGATE_PYAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <yaml.h>

#include "cisgate/log.h"
#include "cisgate/policy.h"

/* Most keys one walked mapping may declare (the rules mapping has R_COUNT). */
#define PYAML_KEYS_MAX 64

struct pyaml {
	yaml_document_t doc;
	bool loaded;       /* doc holds a document to delete */
	const char *name;  /* the file, first in every message */
	struct policy_errors *errs;
	size_t visits;     /* nodes looked at, against CG_POLICY_NODES_MAX */
	bool too_large;    /* the budget ran out (reported once) */
	bool oom;          /* an allocation failed (reported once) */
};

/* Parses buf[0..len) as exactly one YAML document into L->doc; name and errs are kept
 * for messages (errs is cleared). Returns 0, or -1 with the error in errs (syntax,
 * a second document, out of memory). Release with pyaml_close() either way. */
int pyaml_open(struct pyaml *L, const char *buf, size_t len, const char *name,
    struct policy_errors *errs);
void pyaml_close(struct pyaml *L);

/* The document's root node, or NULL. */
yaml_node_t *pyaml_root(struct pyaml *L);

/* Node id of the document, or NULL once CG_POLICY_NODES_MAX nodes were looked at (that
 * error is reported once, at the first refused node). */
yaml_node_t *pyaml_node(struct pyaml *L, yaml_node_item_t id);

/* Adds "NAME:LINE:COL: text" for node n (or mark m), or "NAME: text" when NULL. Once the
 * list is full the error is counted in errs->dropped. */
void pyaml_err(struct pyaml *L, const yaml_node_t *n, const char *fmt, ...) CG_PRINTF(3, 4);
void pyaml_err_at(struct pyaml *L, const yaml_mark_t *m, const char *fmt, ...)
    CG_PRINTF(3, 4);

/* Records that an allocation failed: "NAME: out of memory", once. Returns -1. */
int pyaml_oom(struct pyaml *L);

/* strdup that reports failure through pyaml_oom. Returns NULL then. */
char *pyaml_strdup(struct pyaml *L, const char *s);

/* Appends a copy of s to l (allocates). Returns 0, or -1 out of memory. */
int pyaml_list_push(struct pyaml *L, struct strlist *l, const char *s);
/* Frees every string of l and its array; l is empty after. */
void pyaml_list_free(struct strlist *l);

/* Typed readers. `what` names the value in messages ("rules.pids-limit.max"). Each
 * returns 0 with *out set, or -1 after an error that says what is allowed. */

/* The scalar's text (no NUL inside, at most CG_POLICY_STR_MAX bytes), or NULL. */
const char *pyaml_scalar(struct pyaml *L, yaml_node_t *n, const char *what);
int pyaml_bool(struct pyaml *L, yaml_node_t *n, const char *what, bool *out);
/* names is NULL-terminated; *out is the index of the spelling. */
int pyaml_enum(struct pyaml *L, yaml_node_t *n, const char *what, const char *const *names,
    int *out);
int pyaml_int(struct pyaml *L, yaml_node_t *n, const char *what, int64_t min, int64_t max,
    int64_t *out);
/* "512m", "2g", "1048576" (k = 1024) within [min, max]. */
int pyaml_size(struct pyaml *L, yaml_node_t *n, const char *what, int64_t min, int64_t max,
    int64_t *out);
/* "2026-12-31" (valid through that day, UTC) or "2026-12-31T18:00:00Z", exactly: two
 * digits each, a real calendar date. *out is the first second after the named moment. */
int pyaml_date(struct pyaml *L, yaml_node_t *n, const char *what, time_t *out);

/* A sequence of strings appended to l (at most CG_POLICY_LIST_MAX in all): type is PT_STRS
 * (non-empty), PT_PATHS (cleaned absolute paths) or PT_CAPS (canonical CAP_X). */
int pyaml_strlist(struct pyaml *L, yaml_node_t *n, const char *what, enum param_type type,
    struct strlist *l);
/* A sequence of numbers or "lo-hi" strings within [min, max], appended to r. */
int pyaml_ranges(struct pyaml *L, yaml_node_t *n, const char *what, int64_t min,
    int64_t max, struct rangelist *r);

/*
 * The mapping walker. Every key of a mapping must be a scalar naming one entry of the
 * map's key table (or, without a table, any key: label maps), and at most once; each
 * value goes to its entry's handler. Keys the table marks required must be there.
 */
struct pyaml_key;
typedef int (*pyaml_fn)(struct pyaml *L, yaml_node_t *key, yaml_node_t *val,
    const struct pyaml_key *k, void *ctx);

struct pyaml_map;
struct pyaml_key {
	const char *name;
	pyaml_fn fn;
	const char *missing; /* the error when the key is absent; NULL: optional */
	const void *arg;     /* for fn */
	const struct pyaml_map *map; /* instead of fn: the value is this mapping, walked
	                              * with the same ctx */
};

struct pyaml_map {
	const char *notmap;  /* the error when the node is not a mapping */
	const char *kind;    /* "audit key": `audit key "x" is given twice` */
	const char *unknown; /* text before an unknown key; NULL: "unknown KIND " */
	const char *hint;    /* after an unknown key: "(file, stdout, ...)"; NULL: none */
	const struct pyaml_key *keys;
	size_t nkeys;        /* at most PYAML_KEYS_MAX */
	pyaml_fn any;        /* keys == NULL: the handler of every key */
	size_t max;          /* keys == NULL: at most this many keys */
};

/* Walks mapping n against m, calling each key's handler with ctx. Returns 0, or -1 when
 * anything (the walk or a handler) reported an error. */
int pyaml_walk(struct pyaml *L, yaml_node_t *n, const struct pyaml_map *m, void *ctx);

#endif
