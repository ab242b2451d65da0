/* facts.h - what dockerd knows that a request does not say (the user an image runs as,
 * the container an exec enters, the container a join borrows from, a plugin's config).
 * decide says which facts a decision needs; the server fills them through read-only
 * lookups (lookup.c), `cisgate check` from its input or its own lookups, tests from
 * fixtures; the evaluator stays pure. A fact that could not be read stays unknown, and
 * a decision that needs an unknown fact is a deny that names it. */
#ifndef CISGATE_FACTS_H
#define CISGATE_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cisgate/limits.h"

enum fact_kind {
	FACT_CONTAINER, /* GET /containers/{ref}/json */
	FACT_IMAGE,     /* GET /images/{ref}/json */
	FACT_PLUGIN,    /* GET /plugins/{ref}/json */
	FACT_NETWORK,   /* GET /networks/{ref} */
	FACT_PASSWD,    /* GET /containers/{ref}/archive?path=/etc/passwd (a tar) */
	FACT_VOLUME,    /* GET /volumes/{ref} */
	FACT_GROUP,     /* GET /containers/{ref}/archive?path=/etc/group (a tar) */
	FACT_KIND_COUNT
};

enum fact_state {
	FACT_PENDING = 0, /* asked, no answer yet */
	FACT_OK,          /* body holds dockerd's answer */
	FACT_MISSING,     /* dockerd says there is no such object (404) */
	FACT_FAILED       /* unreachable, timed out, unreadable: err says why */
};

struct fact {
	enum fact_kind kind;
	char ref[CG_ID_MAX]; /* the name or ID as the request gave it */
	char why[48];        /* "exec target", "--volumes-from", ... for messages */
	enum fact_state state;
	char *body; /* FACT_OK: dockerd's JSON answer (owned, NUL-terminated) */
	size_t len;
	char err[192];
};

struct facts {
	size_t n;
	struct fact f[CG_FACTS_MAX];
};

/* Empties f (frees every body); f must have been zeroed or used before. */
void facts_clear(struct facts *f);

/* Adds a fact to ask for, once per (kind, ref): returns its index, or -1 when f is full
 * or ref is empty or too long (the caller denies: it cannot be decided). */
int facts_need(struct facts *f, enum fact_kind kind, const char *ref, const char *why);

/* The fact of that kind and ref, or NULL when it was never asked for. */
const struct fact *facts_get(const struct facts *f, enum fact_kind kind, const char *ref);

/* Records an answer for fact i: status 200 with body (taken over, even on failure),
 * 404, or anything else with err. */
void facts_answer(struct facts *f, size_t i, long status, char *body, size_t len,
    const char *err);

/* "container", "image", "plugin", "network", "passwd", "volume". */
const char *facts_kind_name(enum fact_kind k);

#endif
