/* judged.h - the containers cisgate itself allowed to be created, under the policy in
 * force: a plain start or restart of one runs what was judged at its create, so it needs
 * no lookup in dockerd (and is never refused for a lookup that failed). Filled from the
 * response phase of a create (the ID dockerd answered), emptied when the policy changes,
 * bounded: an ID that fell out is looked up as any other. Thread-safe. */
#ifndef CISGATE_JUDGED_H
#define CISGATE_JUDGED_H

#include <stdbool.h>

struct judged;

/* Allocates an empty set; NULL without memory. Freed with judged_free(). */
struct judged *judged_new(void);

/* Frees j; accepts NULL. */
void judged_free(struct judged *j);

/* Records that the container id (64 lowercase hex digits; anything else is ignored) was
 * allowed at create under the policy whose sha256 (64 hex) is policy_sha. A different
 * policy_sha than the set's empties it first. */
void judged_add(struct judged *j, const char *policy_sha, const char *id);

/* True when id was recorded under policy_sha and is still held. False for NULL j. */
bool judged_has(struct judged *j, const char *policy_sha, const char *id);

#endif
