/* exemption.h - exemptions: read from the policy's "exemptions" list, and matched against
 * a request. They sit between the policy proper and the evaluator. */
#ifndef CISGATE_EXEMPTION_H
#define CISGATE_EXEMPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cisgate/docker.h"
#include "cisgate/policy.h"
#include "cisgate/rules.h"

struct pyaml;
struct yaml_node_s;

struct exemption {
	char *name, *reason;
	bool rules[R_COUNT];
	char *image, *cname, *user; /* globs (image: or a sha256: digest); NULL = any */
	struct strlist label_keys, label_values; /* every pair must match (value is a glob) */
	time_t expires;                          /* 0 = never */
};

/* Reads the "exemptions" sequence n into a new array *ex of *nex entries (allocates; free
 * with exemption_free_all, also after a failure, when *ex holds what was read). Unknown,
 * repeated and missing keys, bad values and a name used twice are errors in L's list.
 * Returns 0 or -1. */
int exemption_load_all(struct pyaml *L, struct yaml_node_s *n, struct exemption **ex,
    size_t *nex);

/* Frees every exemption of ex[0..n) and ex itself. Accepts NULL. */
void exemption_free_all(struct exemption *ex, size_t n);

/* True when x waives its rules for this request: not expired at now, and every criterion
 * it names matches the view (image glob or @digest, container name, labels) or the TLS
 * user. Pure. */
bool exemption_matches(const struct exemption *x, const struct docker_view *v,
    const char *user, time_t now);

/* What lint says of x's expiry at now: 1 with "exemption NAME expired on DATE ..." in
 * buf when it has expired, 2 with "exemption NAME expires on DATE, in N days" when it
 * expires within days days, 0 (buf "") otherwise. Dates in UTC. Pure. */
int exemption_expiry(const struct exemption *x, time_t now, int64_t days, char *buf,
    size_t len);
struct eval_facts;

/* exemption_matches with the facts dockerd gave (f may be NULL): when the image was
 * resolved (f->run->image), an image criterion matches that image, not the request's
 * string: a sha256: digest matches its ID or one of its RepoDigests; a glob matches a
 * RepoDigest's repository, or a RepoTag whose repository has a RepoDigest of this image
 * (so a local `docker tag` onto a waived name carries nothing). When a needed lookup
 * failed (f->run->image_unresolved), no image criterion matches. For an exec, a digest
 * matches the target container's image ID. Pure. */
bool exemption_matches_ctx(const struct exemption *x, const struct docker_view *v,
    const struct eval_facts *f, const char *user, time_t now);

#endif
