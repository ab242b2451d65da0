/* checkpoint.h - Ed25519 keys and signatures for the audit log's checkpoints (OpenSSL EVP).
 * A checkpoint signs "cisgate-checkpoint/1 seq=S head=H time=T host=X": the record
 * numbered S and, through the chain, every record before it. */
#ifndef CISGATE_CHECKPOINT_H
#define CISGATE_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>

#define CHECKPOINT_SIG_HEX 129 /* 64-byte Ed25519 signature as hex, and a NUL */
#define CHECKPOINT_ID_HEX 17   /* a key's id: the first 8 bytes of SHA-256(raw public key) */
#define CHECKPOINT_MSG_MAX 512

struct checkpoint_key;

/* Writes a new key pair: DEST.key (private, PKCS#8 PEM, created 0600, never over an
 * existing file) and DEST.pub (public, PEM, 0644); when DEST is a directory, the names are
 * DEST/audit-signing.key and .pub. Returns 0, or -1 with err set. */
int checkpoint_keygen(const char *dest, char *err, size_t errlen);

/* Loads a private key (want_private) or a public key from a PEM file. A private key must
 * be owned by this user and readable by no one else (mode 0600 or stricter). Returns a new
 * key (allocates; checkpoint_key_free), or NULL with err set. */
struct checkpoint_key *checkpoint_key_load(const char *path, bool want_private, char *err,
    size_t errlen);

/* Frees k; accepts NULL. */
void checkpoint_key_free(struct checkpoint_key *k);

/* The key's id (16 hex digits), stored in k. */
const char *checkpoint_key_id(const struct checkpoint_key *k);

/* Writes the signed message for (seq, head, time, host) into buf; returns its length, or
 * 0 when it does not fit. */
size_t checkpoint_message(char *buf, size_t len, unsigned long long seq, const char *head,
    const char *time, const char *host);

/* Signs msg[0..n) with a private key into sig (hex). Returns 0 or -1. Thread-safe. */
int checkpoint_sign(const struct checkpoint_key *k, const char *msg, size_t n,
    char sig[CHECKPOINT_SIG_HEX]);

/* True when sighex is k's signature of msg[0..n). */
bool checkpoint_check(const struct checkpoint_key *k, const char *msg, size_t n,
    const char *sighex);

#endif
