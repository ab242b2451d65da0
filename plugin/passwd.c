/* passwd.c - a bounded reader of one-file tar archives and of passwd text. Pure. */
#include <string.h>

#include "cisgate/passwd.h"
#include "cisgate/str.h"

/* An octal tar field f[0..n) (NUL or space ended). Returns 0, or -1 when not octal. */
static int
passwd_octal(const char *f, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i = 0;

	while (i < n && f[i] == ' ')
		i++;
	if (i == n || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (x > (UINT64_MAX >> 3))
			return -1;
		x = (x << 3) | (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != '\0' && f[i] != ' ')
		return -1;
	*out = x;
	return 0;
}

int
passwd_tar_file(const char *tar, size_t len, const char **file, size_t *flen)
{
	const unsigned char *h = (const unsigned char *)tar;
	uint64_t size, sum, want = 0;
	size_t i;

	/* One 512-byte header (ustar), then the file's bytes. dockerd writes no pax or
	 * long-name headers for /etc/passwd; anything else is refused, not guessed. */
	if (len < 512 || passwd_octal(tar + 148, 8, &sum) != 0 ||
	    passwd_octal(tar + 124, 12, &size) != 0)
		return -1;
	for (i = 0; i < 512; i++)
		want += (i >= 148 && i < 156) ? ' ' : h[i];
	if (want != sum || (tar[156] != '0' && tar[156] != '\0'))
		return -1;
	if (size > PASSWD_FILE_MAX || size > len - 512)
		return -1;
	*file = tar + 512;
	*flen = (size_t)size;
	return 0;
}

bool
passwd_find(const char *p, size_t len, const char *name, bool by_uid, int64_t uid,
    int64_t *out_uid, int64_t *out_gid)
{
	const char *end = p + len, *line, *nl;

	for (line = p; line < end; line = nl + 1) {
		const char *f[4];
		size_t fl[4], k = 0;
		const char *s = line, *errstr;
		char num[24];
		int64_t u, g;

		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		/* name:password:uid:gid:... */
		while (k < 4 && s <= nl) {
			const char *c = memchr(s, ':', (size_t)(nl - s));

			f[k] = s;
			fl[k] = c ? (size_t)(c - s) : (size_t)(nl - s);
			k++;
			if (c == NULL)
				break;
			s = c + 1;
		}
		if (k < 4 || fl[2] == 0 || fl[2] >= sizeof num || fl[3] == 0 || fl[3] >= sizeof num)
			continue;
		memcpy(num, f[2], fl[2]);
		num[fl[2]] = '\0';
		if (str_to_i64(num, 0, INT32_MAX, &u, &errstr) != 0)
			continue;
		memcpy(num, f[3], fl[3]);
		num[fl[3]] = '\0';
		if (str_to_i64(num, 0, INT32_MAX, &g, &errstr) != 0)
			continue;
		if (by_uid ? u != uid :
		    (fl[0] != strlen(name) || memcmp(f[0], name, fl[0]) != 0))
			continue;
		*out_uid = u;
		*out_gid = g;
		return true;
	}
	return false;
}
