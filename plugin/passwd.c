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

/* A tar header at h: 0 with *type and *size, or -1 when it is not a valid ustar header. */
static int
passwd_header(const char *h, char *type, uint64_t *size)
{
	const unsigned char *u = (const unsigned char *)h;
	uint64_t sum, want = 0;
	size_t i;

	if (passwd_octal(h + 148, 8, &sum) != 0 || passwd_octal(h + 124, 12, size) != 0)
		return -1;
	for (i = 0; i < 512; i++)
		want += (i >= 148 && i < 156) ? ' ' : u[i];
	if (want != sum)
		return -1;
	*type = h[156];
	return 0;
}

int
passwd_tar_file(const char *tar, size_t len, const char **file, size_t *flen)
{
	size_t off = 0;
	int ext;

	/* dockerd (Go's archive/tar) writes one ustar header and the file's bytes, after a pax
	 * header when an attribute does not fit ustar (an owner uid of 2^21 or more, a long
	 * user name): that one is skipped, unless it sets the size. Nothing else is guessed. */
	for (ext = 0; ext < 3; ext++) {
		uint64_t size;
		char type;

		if (len - off < 512 || passwd_header(tar + off, &type, &size) != 0)
			return -1;
		if (type == 'x' || type == 'g') {
			uint64_t blocks = (size + 511) / 512 * 512;

			if (size > PASSWD_FILE_MAX || blocks > len - off - 512 ||
			    memmem(tar + off + 512, (size_t)size, " size=", 6) != NULL)
				return -1;
			off += 512 + (size_t)blocks;
			continue;
		}
		if (type == '1' || type == '2')
			return -2; /* a link: dockerd follows it, this reader does not */
		if (type != '0' && type != '\0')
			return -1;
		if (size > PASSWD_FILE_MAX || size > len - off - 512)
			return -1;
		*file = tar + off + 512;
		*flen = (size_t)size;
		return 0;
	}
	return -1;
}

/* Length of the UTF-8 white space (Go's unicode.IsSpace) that starts at s[0..n), or 0. */
static size_t
passwd_space_at(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2; /* U+0085, U+00A0 */
	if (n >= 3 && s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
		return 3; /* U+1680 */
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
		return 3; /* U+2000-200A, U+2028, U+2029, U+202F */
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return 3; /* U+205F */
	if (n >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

/* Length of the UTF-8 white space that ends s[0..n), or 0. */
static size_t
passwd_space_before(const unsigned char *s, size_t n)
{
	size_t k;

	for (k = 1; k <= 3 && k <= n; k++)
		if (passwd_space_at(s + n - k, k) == k)
			return k;
	return 0;
}

/* A number as Go's strconv.Atoi reads it on 64 bits, errors ignored as runc does: a
 * syntax error is 0, an overflow the nearest bound. */
static int64_t
passwd_atoi(const char *s, size_t n)
{
	uint64_t v = 0;
	bool neg = false;
	size_t i = 0;

	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return 0;
	for (; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9)
			return 0;
		/* ParseUint stops at the first overflow, before it reads the rest. */
		if (v > (UINT64_MAX - d) / 10)
			return neg ? INT64_MIN : INT64_MAX;
		v = v * 10 + d;
	}
	if (!neg)
		return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
	return v > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)v;
}

/* The next non-empty line of p[*at..len), trimmed as runc trims it, split at ':' into up
 * to nf fields (missing ones empty). Returns 1 with the fields, 0 at the end, -1 when a
 * line is too long for runc's reader. */
static int
passwd_line(const char *p, size_t len, size_t *at, const char **f, size_t *fl, size_t nf)
{
	while (*at < len) {
		const char *line = p + *at, *nl = memchr(line, '\n', len - *at);
		const unsigned char *u = (const unsigned char *)line;
		size_t n = nl != NULL ? (size_t)(nl - line) : len - *at, k, t;

		*at += n + 1;
		if (n >= PASSWD_LINE_MAX)
			return -1; /* bufio.Scanner gives up, and so does the exec */
		while (n > 0 && (t = passwd_space_at(u, n)) > 0) {
			u += t;
			n -= t;
		}
		while (n > 0 && (t = passwd_space_before(u, n)) > 0)
			n -= t;
		if (n == 0)
			continue;
		for (k = 0; k < nf; k++) {
			f[k] = "";
			fl[k] = 0;
		}
		for (k = 0; k < nf; k++) {
			const char *c = memchr(u, ':', n);

			f[k] = (const char *)u;
			fl[k] = c ? (size_t)((const unsigned char *)c - u) : n;
			if (c == NULL)
				break;
			n -= fl[k] + 1;
			u = (const unsigned char *)c + 1;
		}
		return 1;
	}
	return 0;
}

/* runc (libcontainer/user): each line trimmed of white space, empty ones skipped, split
 * at ':' with missing fields left zero, numbers read by Atoi with errors taken as 0; the
 * first entry the filter takes wins. dockerd then keeps uint32 of the numbers. */
int
passwd_find_entry(const char *p, size_t len, const char *name, bool by_uid, int64_t uid,
    int64_t *out_uid, int64_t *out_gid, const char **out_name, size_t *out_namelen)
{
	const char *f[4];
	size_t fl[4], at = 0, namelen = strlen(name);
	int r;

	while ((r = passwd_line(p, len, &at, f, fl, 4)) > 0) {
		int64_t uv = passwd_atoi(f[2], fl[2]);

		if (by_uid ? uv != uid : (fl[0] != namelen || memcmp(f[0], name, namelen) != 0))
			continue;
		*out_uid = (int64_t)(uint32_t)uv;
		*out_gid = (int64_t)(uint32_t)passwd_atoi(f[3], fl[3]);
		*out_name = f[0];
		*out_namelen = fl[0];
		return 1;
	}
	return r;
}

int
passwd_find(const char *p, size_t len, const char *name, bool by_uid, int64_t uid,
    int64_t *out_uid, int64_t *out_gid)
{
	const char *nm;
	size_t nml;

	return passwd_find_entry(p, len, name, by_uid, uid, out_uid, out_gid, &nm, &nml);
}

int
passwd_group_zero(const char *g, size_t len, const char *name, size_t namelen)
{
	const char *f[4];
	size_t fl[4], at = 0;
	int r;

	/* name:password:GID:member,member,... */
	while ((r = passwd_line(g, len, &at, f, fl, 4)) > 0) {
		const char *m = f[3], *end = f[3] + fl[3];

		if ((uint32_t)passwd_atoi(f[2], fl[2]) != 0)
			continue;
		while (fl[3] > 0 && m <= end) {
			const char *c = memchr(m, ',', (size_t)(end - m));
			size_t ml = c != NULL ? (size_t)(c - m) : (size_t)(end - m);

			if (ml == namelen && memcmp(m, name, namelen) == 0)
				return 1;
			if (c == NULL)
				break;
			m = c + 1;
		}
	}
	return r;
}
