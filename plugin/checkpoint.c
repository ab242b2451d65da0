/* checkpoint.c - Ed25519 keys and checkpoint signatures through OpenSSL's EVP API. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cisgate/checkpoint.h"
#include "cisgate/digest.h"
#include "cisgate/str.h"

struct checkpoint_key {
	EVP_PKEY *pk;
	char id[CHECKPOINT_ID_HEX];
};

/* The id: SHA-256 of the raw 32-byte public key, first 16 hex digits. */
static int
checkpoint_set_id(struct checkpoint_key *k)
{
	unsigned char raw[32];
	size_t n = sizeof raw;
	char hex[65];

	if (EVP_PKEY_get_raw_public_key(k->pk, raw, &n) != 1 || n != sizeof raw)
		return -1;
	digest_sha256_hex(raw, n, hex);
	str_copy(k->id, hex, sizeof k->id);
	return 0;
}

/* Opens path for writing with mode, refusing to replace a file. */
static FILE *
checkpoint_create(const char *path, mode_t mode, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* The umask must not loosen or tighten what is asked. */
	if (fchmod(fd, mode) != 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		(void)unlink(path);
		return NULL;
	}
	return f;
}

int
checkpoint_keygen(const char *dest, char *err, size_t errlen)
{
	char kpath[4096], ppath[4096];
	struct stat st;
	EVP_PKEY *pk;
	FILE *f;
	int rc = -1;

	if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(kpath, sizeof kpath, "%s/audit-signing.key", dest);
		snprintf(ppath, sizeof ppath, "%s/audit-signing.pub", dest);
	} else {
		snprintf(kpath, sizeof kpath, "%s.key", dest);
		snprintf(ppath, sizeof ppath, "%s.pub", dest);
	}
	if ((pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL) {
		snprintf(err, errlen, "cannot generate an Ed25519 key");
		return -1;
	}
	if ((f = checkpoint_create(kpath, 0600, err, errlen)) == NULL)
		goto done;
	if (PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) != 1 || fclose(f) != 0) {
		snprintf(err, errlen, "%s: cannot write the key", kpath);
		(void)unlink(kpath);
		goto done;
	}
	if ((f = checkpoint_create(ppath, 0644, err, errlen)) == NULL) {
		(void)unlink(kpath);
		goto done;
	}
	if (PEM_write_PUBKEY(f, pk) != 1 || fclose(f) != 0) {
		snprintf(err, errlen, "%s: cannot write the key", ppath);
		(void)unlink(kpath);
		(void)unlink(ppath);
		goto done;
	}
	snprintf(err, errlen, "%s (private, 0600) and %s (public)", kpath, ppath);
	rc = 0;
done:
	EVP_PKEY_free(pk);
	return rc;
}

struct checkpoint_key *
checkpoint_key_load(const char *path, bool want_private, char *err, size_t errlen)
{
	struct checkpoint_key *k;
	struct stat st;
	FILE *f;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	/* A signing key others can read signs for them too. */
	if (want_private && (st.st_uid != geteuid() || (st.st_mode & 077) != 0)) {
		snprintf(err, errlen, "%s: a signing key must be owned by uid %u and readable by "
		    "no one else (chmod 0600); it is uid %u, mode %04o", path, (unsigned)geteuid(),
		    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if ((k = calloc(1, sizeof *k)) == NULL) {
		snprintf(err, errlen, "out of memory");
		fclose(f);
		return NULL;
	}
	k->pk = want_private ? PEM_read_PrivateKey(f, NULL, NULL, NULL) :
	    PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (k->pk == NULL || EVP_PKEY_get_base_id(k->pk) != EVP_PKEY_ED25519 ||
	    checkpoint_set_id(k) != 0) {
		snprintf(err, errlen, "%s: not an Ed25519 %s key in PEM", path,
		    want_private ? "private" : "public");
		checkpoint_key_free(k);
		return NULL;
	}
	return k;
}

void
checkpoint_key_free(struct checkpoint_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

const char *
checkpoint_key_id(const struct checkpoint_key *k)
{
	return k->id;
}

size_t
checkpoint_message(char *buf, size_t len, unsigned long long seq, const char *head,
    const char *time, const char *host)
{
	int n = snprintf(buf, len, "cisgate-checkpoint/1 seq=%llu head=%s time=%s host=%s", seq,
	    head, time, host);

	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

int
checkpoint_sign(const struct checkpoint_key *k, const char *msg, size_t n,
    char sig[CHECKPOINT_SIG_HEX])
{
	unsigned char raw[64];
	size_t rl = sizeof raw;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = -1;

	/* Ed25519 hashes the message itself: no digest is named. */
	if (md != NULL && EVP_DigestSignInit(md, NULL, NULL, NULL, k->pk) == 1 &&
	    EVP_DigestSign(md, raw, &rl, (const unsigned char *)msg, n) == 1 && rl == sizeof raw) {
		str_hex(raw, rl, sig);
		rc = 0;
	}
	EVP_MD_CTX_free(md);
	return rc;
}

static int
checkpoint_unhex(const char *s, unsigned char *out, size_t n)
{
	size_t i;

	if (strlen(s) != n * 2)
		return -1;
	for (i = 0; i < n * 2; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			return -1;
		out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] << 4 | v : v);
	}
	return 0;
}

bool
checkpoint_check(const struct checkpoint_key *k, const char *msg, size_t n, const char *sighex)
{
	unsigned char raw[64];
	EVP_MD_CTX *md;
	bool ok;

	if (sighex == NULL || checkpoint_unhex(sighex, raw, sizeof raw) != 0)
		return false;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return false;
	ok = EVP_DigestVerifyInit(md, NULL, NULL, NULL, k->pk) == 1 &&
	    EVP_DigestVerify(md, raw, sizeof raw, (const unsigned char *)msg, n) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}
