/* policysig.c - detached Ed25519 signatures over policy files and the keys trusted to
 * make them. The signature is over the file's exact bytes: the loader reads the file once
 * and hands the same buffer to policysig_verify and to the parser (no second read). */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cisgate/limits.h"
#include "cisgate/policysig.h"
#include "cisgate/str.h"

struct policysig_keys {
	struct checkpoint_key *k[POLICYSIG_KEYS_MAX];
	size_t n;
};

/* Root-owned and writable by no one else, unless allow_insecure. */
static int
policysig_trusted(const char *path, const struct stat *st, bool allow_insecure, char *err,
    size_t errlen)
{
	if (allow_insecure || (st->st_uid == 0 && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0))
		return 0;
	snprintf(err, errlen,
	    "%s: refusing a trusted key not owned by root or writable by "
	    "group/others (whoever can write it can sign policies; chown root, chmod 644)",
	    path);
	return -1;
}

static int
policysig_add_one(struct policysig_keys *ks, const char *path, bool allow_insecure, char *err,
    size_t errlen)
{
	struct checkpoint_key *k;
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a readable key file", path);
		return -1;
	}
	if (policysig_trusted(path, &st, allow_insecure, err, errlen) != 0)
		return -1;
	if (ks->n >= POLICYSIG_KEYS_MAX) {
		snprintf(err, errlen, "%s: more than %d trusted keys", path, POLICYSIG_KEYS_MAX);
		return -1;
	}
	if ((k = checkpoint_key_load(path, false, err, errlen)) == NULL)
		return -1;
	ks->k[ks->n++] = k;
	return 0;
}

static bool
policysig_key_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 &&
	    (strcmp(name + n - 4, ".pub") == 0 || strcmp(name + n - 4, ".pem") == 0);
}

static int
policysig_add_dir(struct policysig_keys *ks, const char *dir, const struct stat *st,
    bool allow_insecure, char *err, size_t errlen)
{
	struct dirent **ents = NULL;
	char file[PATH_MAX];
	size_t before = ks->n;
	int i, n, rc = 0;

	if (policysig_trusted(dir, st, allow_insecure, err, errlen) != 0)
		return -1;
	/* Sorted: the same directory gives the same key order (and ids in the logs). */
	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rc == 0 && policysig_key_name(ents[i]->d_name)) {
			if ((size_t)snprintf(file, sizeof file, "%s/%s", dir, ents[i]->d_name) >=
			    sizeof file) {
				snprintf(err, errlen, "%s: path too long", dir);
				rc = -1;
			} else
				rc = policysig_add_one(ks, file, allow_insecure, err, errlen);
		}
		free(ents[i]);
	}
	free(ents);
	if (rc == 0 && ks->n == before) {
		snprintf(err, errlen, "%s: no trusted key (*.pub or *.pem) in it", dir);
		rc = -1;
	}
	return rc;
}

int
policysig_keys_add(struct policysig_keys **ks, const char *path, bool allow_insecure, char *err,
    size_t errlen)
{
	struct stat st;

	if (*ks == NULL && (*ks = calloc(1, sizeof **ks)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return policysig_add_dir(*ks, path, &st, allow_insecure, err, errlen);
	return policysig_add_one(*ks, path, allow_insecure, err, errlen);
}

bool
policysig_beside(const char *policy_path, char *out, size_t outsz)
{
	const char *slash = strrchr(policy_path, '/');
	struct stat st;
	int n;

	if (slash == NULL)
		n = snprintf(out, outsz, "%s", POLICYSIG_BESIDE);
	else
		n = snprintf(out, outsz, "%.*s/%s", (int)(slash - policy_path), policy_path,
		    POLICYSIG_BESIDE);
	return n >= 0 && (size_t)n < outsz && stat(out, &st) == 0;
}

int
policysig_keys_resolve(const char *policy_path, const char *key, const char *keydir,
    bool allow_insecure, struct policysig_keys **ks, char *err, size_t errlen)
{
	char beside[PATH_MAX];

	*ks = NULL;
	if ((key != NULL && policysig_keys_add(ks, key, allow_insecure, err, errlen) != 0) ||
	    (keydir != NULL && policysig_keys_add(ks, keydir, allow_insecure, err, errlen) != 0) ||
	    (policysig_beside(policy_path, beside, sizeof beside) &&
	        policysig_keys_add(ks, beside, allow_insecure, err, errlen) != 0)) {
		policysig_keys_free(*ks);
		*ks = NULL;
		return -1;
	}
	return 0;
}

size_t
policysig_keys_count(const struct policysig_keys *ks)
{
	return ks == NULL ? 0 : ks->n;
}

void
policysig_keys_free(struct policysig_keys *ks)
{
	size_t i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->n; i++)
		checkpoint_key_free(ks->k[i]);
	free(ks);
}

char *
policysig_read(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s: not a regular file of at most %zu bytes", path, max);
		close(fd);
		return NULL;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	/* Up to max + 1: a file that grew past the bound is refused, not cut. */
	while (got <= max) {
		n = read(fd, buf + got, max + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got > max || n < 0) {
		snprintf(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) : "too large");
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

/* The 64 signature bytes from a .sig file: raw (pkeyutl), or base64 or hex text with
 * trailing white space (what a team's tooling may write). Returns 0 or -1. */
static int
policysig_decode(const char *s, size_t n, unsigned char raw[POLICYSIG_SIG_RAW])
{
	unsigned char tmp[POLICYSIG_SIG_FILE_MAX];
	size_t i;
	int m;

	if (n == POLICYSIG_SIG_RAW) {
		memcpy(raw, s, n);
		return 0;
	}
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (n == POLICYSIG_SIG_RAW * 2) {
		for (i = 0; i < n; i++) {
			char c = s[i];
			int v = c >= '0' && c <= '9' ? c - '0' :
			    c >= 'a' && c <= 'f'     ? c - 'a' + 10 :
			    c >= 'A' && c <= 'F'     ? c - 'A' + 10 :
			                               -1;

			if (v < 0)
				return -1;
			raw[i / 2] = (unsigned char)(i % 2 ? raw[i / 2] << 4 | v : v);
		}
		return 0;
	}
	/* base64 of 64 bytes: 88 characters ending in "==". */
	if (n != 88 || s[86] != '=' || s[87] != '=')
		return -1;
	if ((m = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n)) != 66)
		return -1;
	memcpy(raw, tmp, POLICYSIG_SIG_RAW); /* DecodeBlock counts the padding as bytes */
	return 0;
}

int
policysig_verify(const struct policysig_keys *ks, const void *buf, size_t len, const char *sigpath,
    char keyid[CHECKPOINT_ID_HEX], char *err, size_t errlen)
{
	unsigned char raw[POLICYSIG_SIG_RAW];
	char hex[CHECKPOINT_SIG_HEX], *sig;
	size_t n, i;

	if (ks == NULL || ks->n == 0) {
		snprintf(err, errlen, "no trusted policy keys");
		return -1;
	}
	if ((sig = policysig_read(sigpath, POLICYSIG_SIG_FILE_MAX, &n, err, errlen)) == NULL)
		return -1;
	if (policysig_decode(sig, n, raw) != 0) {
		free(sig);
		snprintf(err, errlen,
		    "%s: not an Ed25519 signature (64 raw bytes as openssl "
		    "pkeyutl -sign -rawin writes, or their base64 or hex)",
		    sigpath);
		return -1;
	}
	free(sig);
	str_hex(raw, sizeof raw, hex);
	for (i = 0; i < ks->n; i++)
		if (checkpoint_check(ks->k[i], buf, len, hex)) {
			str_copy(keyid, checkpoint_key_id(ks->k[i]), CHECKPOINT_ID_HEX);
			return 0;
		}
	snprintf(err, errlen,
	    "%s does not verify with any of the %zu trusted key%s: the "
	    "policy was changed after it was signed, or signed by a key not trusted here",
	    sigpath, ks->n, ks->n == 1 ? "" : "s");
	return -1;
}

int
policysig_sign_file(const char *keypath, const char *file, char *err, size_t errlen)
{
	struct checkpoint_key *k;
	char sigpath[PATH_MAX], tmp[PATH_MAX + 8], hex[CHECKPOINT_SIG_HEX], *buf;
	unsigned char raw[POLICYSIG_SIG_RAW];
	size_t len, i;
	int fd, rc = -1;

	if ((size_t)snprintf(sigpath, sizeof sigpath, "%s.sig", file) >= sizeof sigpath) {
		snprintf(err, errlen, "%s: path too long", file);
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", sigpath);
	if ((k = checkpoint_key_load(keypath, true, err, errlen)) == NULL)
		return -1;
	if ((buf = policysig_read(file, CG_POLICY_FILE_MAX, &len, err, errlen)) == NULL) {
		checkpoint_key_free(k);
		return -1;
	}
	if (checkpoint_sign(k, buf, len, hex) != 0) {
		snprintf(err, errlen, "%s: signing failed", keypath);
		goto done;
	}
	for (i = 0; i < sizeof raw; i++) {
		char h[3] = {hex[2 * i], hex[2 * i + 1], '\0'};

		raw[i] = (unsigned char)strtoul(h, NULL, 16);
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto done;
	}
	/* Written beside and renamed: a reader never sees half a signature. */
	if (write(fd, raw, sizeof raw) != (ssize_t)sizeof raw || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		(void)unlink(tmp);
		goto done;
	}
	if (close(fd) != 0 || rename(tmp, sigpath) != 0) {
		snprintf(err, errlen, "%s: %s", sigpath, strerror(errno));
		(void)unlink(tmp);
		goto done;
	}
	rc = 0;
done:
	free(buf);
	checkpoint_key_free(k);
	return rc;
}
