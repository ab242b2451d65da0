/* polstore.c - the loaded policies, kept by their SHA-256 (see polstore.h). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cisgate/digest.h"
#include "cisgate/limits.h"
#include "cisgate/polstore.h"

/* Reads a whole regular file of at most CG_POLICY_FILE_MAX bytes; returns a malloc'd buffer or
 * NULL with errno set. */
static char *
polstore_read(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > CG_POLICY_FILE_MAX) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	*len = off;
	return buf;
}

static int
polstore_is_sha(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

int
polstore_keep(const char *dir, const char *path, const char *sha, char *err, size_t errlen)
{
	char dst[4096], tmp[4200], h[65];
	size_t len = 0, off = 0;
	char *buf;
	int fd, rc = -1;

	if (!polstore_is_sha(sha) ||
	    (size_t)snprintf(dst, sizeof dst, "%s/%s.yaml", dir, sha) >= sizeof dst) {
		snprintf(err, errlen, "cannot keep the policy: bad name");
		return -1;
	}
	if (access(dst, F_OK) == 0)
		return 0;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot keep the policy in %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((buf = polstore_read(path, &len)) == NULL) {
		snprintf(err, errlen, "cannot keep the policy %s: %s", path, strerror(errno));
		return -1;
	}
	digest_sha256_hex(buf, len, h);
	if (strcmp(h, sha) != 0) {
		snprintf(err, errlen, "cannot keep the policy %s: it changed since it was loaded",
		    path);
		free(buf);
		return -1;
	}
	/* Written whole under a temporary name, then renamed: never a half-kept policy. */
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dst, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0440)) < 0) {
		snprintf(err, errlen, "cannot keep the policy as %s: %s", tmp, strerror(errno));
		free(buf);
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off == len && fchmod(fd, 0440) == 0 && fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		if (rename(tmp, dst) == 0)
			rc = 0;
	}
	if (fd >= 0)
		close(fd);
	if (rc != 0) {
		snprintf(err, errlen, "cannot keep the policy as %s: %s", dst, strerror(errno));
		(void)unlink(tmp);
	}
	free(buf);
	return rc;
}

int
polstore_show(const char *dir, const char *sha, FILE *out, FILE *errout)
{
	char path[4096], h[65];
	size_t len = 0;
	char *buf;

	if (!polstore_is_sha(sha)) {
		fprintf(errout, "%s: not a SHA-256 (64 lower-case hex digits)\n", sha);
		return 2;
	}
	snprintf(path, sizeof path, "%s/%s.yaml", dir, sha);
	if ((buf = polstore_read(path, &len)) == NULL) {
		fprintf(errout, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	digest_sha256_hex(buf, len, h);
	if (strcmp(h, sha) != 0) {
		fprintf(errout, "%s: changed since it was kept (its SHA-256 is %s)\n", path, h);
		free(buf);
		return 1;
	}
	fwrite(buf, 1, len, out);
	free(buf);
	return 0;
}
