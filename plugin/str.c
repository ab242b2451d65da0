/* str.c - bounded string helpers. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/str.h"

size_t
str_copy(char *dst, const char *src, size_t dstsize)
{
	size_t n = strlen(src);
	size_t c = n < dstsize - 1 ? n : dstsize - 1;

	memcpy(dst, src, c);
	dst[c] = '\0';
	return n;
}

void
str_init(struct strbuf *sb, char *buf, size_t cap)
{
	sb->buf = buf;
	sb->len = 0;
	sb->cap = cap;
	sb->truncated = false;
	if (cap > 0)
		buf[0] = '\0';
}

void
str_appendn(struct strbuf *sb, const char *s, size_t n)
{
	size_t room;

	if (sb->cap == 0 || sb->truncated)
		return;
	room = sb->cap - 1 - sb->len;
	if (n > room) {
		n = room;
		sb->truncated = true;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
str_append(struct strbuf *sb, const char *s)
{
	str_appendn(sb, s, strlen(s));
}

void
str_append_u64(struct strbuf *sb, uint64_t v)
{
	char d[20];
	size_t i = sizeof d;

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	str_appendn(sb, d + i, sizeof d - i);
}

void
str_append_digits(struct strbuf *sb, unsigned v, unsigned width)
{
	char d[10];
	size_t i = sizeof d;

	if (width > sizeof d)
		width = sizeof d;
	while (i > sizeof d - width) {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	}
	str_appendn(sb, d + i, sizeof d - i);
}

void
str_appendf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (sb->cap == 0 || sb->truncated)
		return;
	room = sb->cap - sb->len;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		sb->truncated = true;
	} else if ((size_t)n >= room) {
		sb->len = sb->cap - 1;
		sb->truncated = true;
	} else
		sb->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (up to n bytes), or 0 when it is not one. */
static size_t
str_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned c = s[0];
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

void
str_append_json(struct strbuf *sb, const char *s, size_t max)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, run = 0;

	if (n > max) {
		/* Back off to the start of the character the cut would split. */
		n = max;
		while (n > 0 && (p[n] & 0xC0) == 0x80)
			n--;
	}
	str_appendn(sb, "\"", 1);
	while (i < n) {
		unsigned char c = p[i];
		size_t l;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7F) {
			run++;
			i++;
			continue;
		}
		str_appendn(sb, s + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};

			str_appendn(sb, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			char esc[6] = {'\\', 'u', '0', '0', hx[c >> 4], hx[c & 15]};

			str_appendn(sb, esc, 6);
			i++;
		} else if ((l = str_utf8_len(p + i, n - i)) > 0) {
			str_appendn(sb, s + i, l);
			i += l;
		} else {
			str_appendn(sb, "\\ufffd", 6);
			i++;
		}
	}
	str_appendn(sb, s + i - run, run);
	str_appendn(sb, "\"", 1);
}

int
str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out, const char **errstr)
{
	char *end;
	long long v;

	*errstr = NULL;
	if (s == NULL || *s == '\0' || (*s != '-' && *s != '+' && (*s < '0' || *s > '9'))) {
		*errstr = "invalid";
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		*errstr = "invalid";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return -1;
	}
	*out = v;
	return 0;
}

bool
str_ieq_n(const char *s, size_t n, const char *t)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)t[i];

		if (b == '\0')
			return false;
		if (a >= 'A' && a <= 'Z')
			a += 32;
		if (b >= 'A' && b <= 'Z')
			b += 32;
		if (a != b)
			return false;
	}
	return t[n] == '\0';
}

int
str_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
str_is_full_id(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

void
str_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}
