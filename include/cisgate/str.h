/* str.h - bounded string helpers: every copy is told the size of its destination. */
#ifndef CISGATE_STR_H
#define CISGATE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cisgate/log.h"

/* Copies at most dstsize-1 bytes of src and terminates dst. Returns strlen(src), so
 * a return >= dstsize means the copy was truncated. dstsize must be > 0. */
size_t str_copy(char *dst, const char *src, size_t dstsize);

/* A growing-but-bounded text buffer over caller memory. Once an append does not fit,
 * the buffer keeps what fitted and `truncated` stays set. */
struct strbuf {
	char *buf;
	size_t len, cap;
	bool truncated;
};
void str_init(struct strbuf *sb, char *buf, size_t cap);
void str_append(struct strbuf *sb, const char *s);
void str_appendn(struct strbuf *sb, const char *s, size_t n);
void str_appendf(struct strbuf *sb, const char *fmt, ...) CG_PRINTF(2, 3);
/* Decimal v; and v in exactly `width` digits (zero-padded, high digits dropped, width
 * <= 10). printf-free: these build every audit record. */
void str_append_u64(struct strbuf *sb, uint64_t v);
void str_append_digits(struct strbuf *sb, unsigned v, unsigned width);

/* Appends s as a quoted JSON string: quotes, backslashes and control bytes escaped,
 * invalid UTF-8 bytes replaced by U+FFFD, cut after at most max bytes of s on a
 * character boundary. The result is always valid JSON (unless sb truncates). */
void str_append_json(struct strbuf *sb, const char *s, size_t max);

/* Parses a whole decimal integer (optional sign) within [min, max]. Returns 0, or -1
 * with *errstr set to "invalid", "too small" or "too large". Never reads past s's NUL. */
int str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out, const char **errstr);

/* ASCII case-insensitive comparison of s[0..n) with the NUL-terminated t. */
bool str_ieq_n(const char *s, size_t n, const char *t);

/* The value of hex digit c (either case), or -1. */
int str_hexval(int c);

/* True when s is 64 lowercase hex digits: a full container or image ID as dockerd writes
 * it. */
bool str_is_full_id(const char *s);

/* Hex-encodes n bytes into out (2n+1 bytes). */
void str_hex(const unsigned char *in, size_t n, char *out);

#endif
