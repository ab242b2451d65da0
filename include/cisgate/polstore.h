/* polstore.h - every policy cisgate loads is kept, read-only, under a state directory by
 * its SHA-256, so the policy_sha256 of an audit record names a text an auditor can read. */
#ifndef CISGATE_POLSTORE_H
#define CISGATE_POLSTORE_H

#include <stddef.h>
#include <stdio.h>

#define POLSTORE_DEFAULT_DIR "/var/lib/cisgate/policies"

/* Keeps the policy file at path, whose loaded text hashed to sha, as DIR/SHA.yaml (mode
 * 0440; the directory is created 0750 when its parent exists). The file is read again and
 * kept only when it still hashes to sha. Returns 0 (also when already kept), or -1 with
 * err set. */
int polstore_keep(const char *dir, const char *path, const char *sha, char *err,
    size_t errlen);

/* Prints DIR/SHA.yaml on out after checking that it still hashes to SHA. Returns 0, 1 when
 * it is missing or was changed (said on errout), 2 when sha is not 64 hex digits. */
int polstore_show(const char *dir, const char *sha, FILE *out, FILE *errout);

#endif
