/* policysig.h - detached Ed25519 signatures over policy files (FILE.sig, 64 raw bytes as
 * `openssl pkeyutl -sign -rawin` writes them) and the set of public keys trusted to make
 * them (several, for key rotation). */
#ifndef CISGATE_POLICYSIG_H
#define CISGATE_POLICYSIG_H

#include <stdbool.h>
#include <stddef.h>

#include "cisgate/checkpoint.h"

#define POLICYSIG_KEYS_MAX 32            /* trusted keys in one set */
#define POLICYSIG_SIG_RAW 64             /* an Ed25519 signature */
#define POLICYSIG_SIG_FILE_MAX 256       /* a .sig file: raw, or base64/hex text of the 64 bytes */
#define POLICYSIG_BESIDE "policy-keys.d" /* trusted keys beside the policy file */

struct policysig_keys;

/* Adds the Ed25519 public key(s) at path to *ks (allocated on the first call; NULL *ks
 * starts a set): a PEM file, or a directory whose *.pub and *.pem files are each one key
 * (other names are skipped). Unless allow_insecure, a file or directory that is not
 * root-owned or that group or others can write is refused: whoever can write a trusted key
 * can sign policies. Returns 0, or -1 with err set (*ks keeps what it had; free it with
 * policysig_keys_free). */
int policysig_keys_add(struct policysig_keys **ks, const char *path, bool allow_insecure, char *err,
    size_t errlen);

/* The keys directory beside the policy at policy_path (POLICYSIG_BESIDE in its directory)
 * into out[0..outsz). Returns true when it exists there (then the policy must be signed). */
bool policysig_beside(const char *policy_path, char *out, size_t outsz);

/* The trusted keys for the policy at policy_path: key (a file or directory, or NULL), keydir
 * (a directory, or NULL) and the directory beside the policy (policysig_beside) when it
 * exists. Returns 0 with *ks a new set (allocates; policysig_keys_free), or with *ks NULL
 * when none of them is there (unsigned policies are accepted); -1 with err set when one
 * given cannot be used (then nothing is trusted: the caller refuses the policy). */
int policysig_keys_resolve(const char *policy_path, const char *key, const char *keydir,
    bool allow_insecure, struct policysig_keys **ks, char *err, size_t errlen);

/* How many keys ks holds (0 for NULL). */
size_t policysig_keys_count(const struct policysig_keys *ks);

/* Frees ks; accepts NULL. */
void policysig_keys_free(struct policysig_keys *ks);

/* Checks that sigpath holds a signature of buf[0..len) by one of ks's keys. Returns 0 and
 * that key's id in keyid (CHECKPOINT_ID_HEX bytes), or -1 with the reason in err: the
 * .sig is missing, unreadable, malformed, or verifies with no trusted key. Reads sigpath
 * once (bounded); buf is the caller's, so what is verified is what the caller parses. */
int policysig_verify(const struct policysig_keys *ks, const void *buf, size_t len,
    const char *sigpath, char keyid[CHECKPOINT_ID_HEX], char *err, size_t errlen);

/* `cisgate policy sign --key KEY FILE`: writes FILE.sig (64 raw bytes, mode 0644, replaced
 * atomically) signing FILE's bytes with the private key at keypath. Returns 0, or -1 with
 * err set. */
int policysig_sign_file(const char *keypath, const char *file, char *err, size_t errlen);

/* The bytes of the file at path (at most max), read once. Returns a malloc'd buffer
 * (allocates; the caller frees) with *len set, or NULL with err set. */
char *policysig_read(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
