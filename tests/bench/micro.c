/* Micro-benchmark: decide_envelope() on one create envelope vs jansson's bare load of the
 * same bytes (envelope, base64 decode, body) -- ns per request and allocations per request.
 * Usage: micro ENVELOPE POLICY [ITERATIONS [bare|decide|none]]
 * With a mode it only runs that loop, for counting instructions under callgrind. */
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cisgate/decide.h"

static unsigned long n_json_allocs;
static unsigned long n_wrap_allocs;
void *__real_malloc(size_t n);

static void *
count_malloc(size_t n)
{
	n_json_allocs++;
	return __real_malloc(n);
}

/* Our own objects' allocations (linked with -Wl,--wrap=malloc,...). */
void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
void *__wrap_realloc(void *p, size_t n);

void *
__wrap_malloc(size_t n)
{
	n_wrap_allocs++;
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t a, size_t b)
{
	n_wrap_allocs++;
	return __real_calloc(a, b);
}

void *
__wrap_realloc(void *p, size_t n)
{
	n_wrap_allocs++;
	return __real_realloc(p, n);
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* What floor.c does per request: the bare cost of the libraries. */
static void
bare(const char *buf, size_t len)
{
	json_error_t e;
	json_t *env = json_loadb(buf, len, 0, &e);
	const char *rb = json_string_value(json_object_get(env, "RequestBody"));

	if (rb) {
		size_t l = strlen(rb);
		unsigned char *out = malloc(l + 4);
		int ol = EVP_DecodeBlock(out, (const unsigned char *)rb, (int)l);
		json_t *body;

		while (ol > 0 && l > 0 && rb[l - 1] == '=') {
			ol--;
			l--;
		}
		body = json_loadb((char *)out, (size_t)ol, 0, &e);
		json_decref(body);
		free(out);
	}
	json_decref(env);
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct policy_errors errs;
	struct policy *p;
	struct decide_ctx *c = malloc(sizeof *c);
	char *buf;
	long len;
	FILE *f;
	int iters = argc > 3 ? atoi(argv[3]) : 20000, rounds = 7, r, i;
	double t_bare[7], t_dec[7];
	unsigned long a_bare, a_dec_j, a_dec_w;

	if (argc < 3 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: micro ENVELOPE POLICY [ITERATIONS]\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		return 2;
	fclose(f);
	if ((p = policy_load(argv[2], true, &errs)) == NULL || c == NULL) {
		fprintf(stderr, "%s\n", errs.text[0]);
		return 2;
	}
	/* As the daemon: bind sources resolved on this host. */
	c->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	c->judged = NULL;
	if (argc > 4) {
		/* Instruction counting: one loop, nothing else. */
		for (i = 0; i < iters; i++) {
			if (strcmp(argv[4], "bare") == 0)
				bare(buf, (size_t)len);
			else if (strcmp(argv[4], "decide") == 0) {
				decide_envelope(p, buf, (size_t)len, false, 0, c);
				decide_free(c);
			}
		}
		policy_release(p);
		free(c);
		free(buf);
		return 0;
	}
	json_set_alloc_funcs(count_malloc, free);
	/* Warm up, then alternate rounds so both see the same machine. */
	for (i = 0; i < 2000; i++) {
		bare(buf, (size_t)len);
		decide_envelope(p, buf, (size_t)len, false, 0, c);
		decide_free(c);
	}
	for (r = 0; r < rounds; r++) {
		double t0 = now_ns();

		for (i = 0; i < iters; i++)
			bare(buf, (size_t)len);
		t_bare[r] = (now_ns() - t0) / iters;
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			decide_envelope(p, buf, (size_t)len, false, 0, c);
			decide_free(c);
		}
		t_dec[r] = (now_ns() - t0) / iters;
	}
	n_json_allocs = n_wrap_allocs = 0;
	bare(buf, (size_t)len);
	a_bare = n_json_allocs + 2; /* + the base64 buffer and envelope string: malloc in bare() */
	n_json_allocs = n_wrap_allocs = 0;
	decide_envelope(p, buf, (size_t)len, false, 0, c);
	decide_free(c);
	a_dec_j = n_json_allocs;
	a_dec_w = n_wrap_allocs;
	qsort(t_bare, (size_t)rounds, sizeof(double), cmp_d);
	qsort(t_dec, (size_t)rounds, sizeof(double), cmp_d);
	printf("micro: %ld-byte envelope, %d iterations x %d rounds (medians)\n", len, iters, rounds);
	printf("  jansson bare load (envelope + base64 + body): %8.0f ns/request, ~%lu allocations\n",
	    t_bare[rounds / 2], a_bare - 1);
	printf("  cisgate decode + evaluate:                    %8.0f ns/request, %lu allocations "
	    "(%lu in jansson, %lu in cisgate)\n", t_dec[rounds / 2], a_dec_j + a_dec_w, a_dec_j,
	    a_dec_w);
	printf("  ratio: %.3f (target <= 1.15); decision: %s\n", t_dec[rounds / 2] / t_bare[rounds / 2],
	    c->dec.allow ? "allow" : "deny");
	policy_release(p);
	free(c);
	free(buf);
	return 0;
}
