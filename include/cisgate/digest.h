/* digest.h - SHA-256 as lowercase hex, for the audit chain and policy/body hashes. */
#ifndef CISGATE_DIGEST_H
#define CISGATE_DIGEST_H

#include <stddef.h>

/* Writes the SHA-256 of p[0..n) as 64 hex digits and a NUL into out. Thread-safe. */
void digest_sha256_hex(const void *p, size_t n, char out[65]);

#endif
