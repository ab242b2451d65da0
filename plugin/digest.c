/* digest.c - SHA-256 with OpenSSL's low-level interface. The EVP interface of OpenSSL 3
 * initialises its provider machinery on first use, which keeps ~3 MB of libcrypto
 * resident; the low-level functions run the same SHA code (SHA-NI where the CPU has it)
 * without it. They are deprecated in 3.0 but present throughout 3.x. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>

#include "cisgate/digest.h"
#include "cisgate/str.h"

void
digest_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, p, n);
	SHA256_Final(md, &c);
	str_hex(md, sizeof md, out);
}
