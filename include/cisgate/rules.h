/* rules.h - the rule table: one row per CIS rule, and the checks over the typed view. */
#ifndef CISGATE_RULES_H
#define CISGATE_RULES_H

#include "cisgate/docker.h"
#include "cisgate/policy.h"
#include "cisgate/str.h"

/* Which request kinds a rule looks at. */
#define RK_CREATE (1u << EP_CONTAINER_CREATE)
#define RK_START (1u << EP_CONTAINER_START)
#define RK_UPDATE (1u << EP_CONTAINER_UPDATE)
#define RK_EXEC (1u << EP_EXEC_CREATE)
#define RK_VOLUME (1u << EP_VOLUME_CREATE)
#define RK_BUILD (1u << EP_BUILD)

/* A check appends what is wrong (without the "[CIS x] name: " prefix) to out and
 * returns true when the request violates the rule. Pure. */
typedef bool (*rule_check_fn)(const struct policy *p, const struct docker_view *v,
    struct strbuf *out);

struct rule_def {
	enum rule_id id;
	const char *name;   /* stable, used in policies and audit records */
	const char *cis;    /* "5.10" */
	const char *prefix; /* "[CIS 5.10] memory-limit: ", the start of every message */
	const char *title;  /* the benchmark's wording, short */
	enum action default_action; /* in a policy that does not name the rule */
	unsigned kinds;     /* RK_* */
	rule_check_fn check;
};

extern const struct rule_def rules_table[R_COUNT];

/* Index of a rule by name, or -1. */
int rules_find(const char *name);

/* True when path (cleaned) is base or below it. */
bool rules_path_under(const char *path, const char *base);
/* True when a request's user may run as the spec allows; when not, why goes to out. */
bool rules_user_ok(const struct userspec *s, const struct user_view *u, const char *image,
    const char *what, struct strbuf *out);

#endif
