/* metrics.c - per-thread counter blocks summed on scrape, and their text exposition.
 * A block has one writer (its thread), so a count is a relaxed load and store, not a
 * locked add: the request path never contends on a counter or a lock. The scrape reads
 * the same atomics relaxed: a count in flight shows in the next scrape. */
#include <arpa/inet.h>

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cisgate/limits.h"
#include "cisgate/metrics.h"
#include "cisgate/policy.h"
#include "cisgate/rules.h"
#include "cisgate/str.h"

/* Upper bounds in seconds, as Prometheus writes them. */
static const char *const lat_le[] = {"0.00005", "0.0001", "0.00025", "0.0005", "0.001", "0.0025",
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "1"};
static const uint64_t lat_ns[] = {50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
    10000000, 25000000, 50000000, 100000000, 250000000, 1000000000};
#define LAT_N (sizeof lat_ns / sizeof lat_ns[0])
static const char *const lk_le[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1", "0.25", "0.5", "1", "2.5", "5"};
static const uint64_t lk_ns[] = {500000, 1000000, 2500000, 5000000, 10000000, 25000000, 50000000,
    100000000, 250000000, 500000000, 1000000000, 2500000000u, 5000000000u};
#define LK_N (sizeof lk_ns / sizeof lk_ns[0])

typedef _Atomic uint64_t mcount;

struct metrics_block {
	mcount counters[M_COUNTER_COUNT];
	mcount decisions[EP_KIND_COUNT][3][2]; /* kind x outcome x request/response */
	mcount violations[R_COUNT][3];         /* rule x action */
	mcount lat[LAT_N + 1], lat_sum_ns, lat_count;
	mcount lookups[2]; /* failed, ok */
	mcount lk[LK_N + 1], lk_sum_ns, lk_count;
	struct metrics_block *next;
} __attribute__((aligned(64)));

static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_block *metrics_blocks; /* every thread's, under metrics_lock */
static _Thread_local struct metrics_block *metrics_mine;
static char metrics_sha[65], metrics_mode[16], metrics_signer[17]; /* under metrics_lock */
static unsigned long (*metrics_conns)(void *);
static void *metrics_conns_arg;

static atomic_bool metrics_on;

void
metrics_enable(bool on)
{
	atomic_store(&metrics_on, on);
}

/* The calling thread's block; NULL when metrics are off or it cannot be allocated. */
static struct metrics_block *
metrics_block(void)
{
	struct metrics_block *b = metrics_mine;

	if (b != NULL || !atomic_load_explicit(&metrics_on, memory_order_relaxed))
		return b;
	if ((b = aligned_alloc(64, sizeof *b)) == NULL)
		return NULL;
	memset(b, 0, sizeof *b);
	pthread_mutex_lock(&metrics_lock);
	b->next = metrics_blocks;
	metrics_blocks = b;
	pthread_mutex_unlock(&metrics_lock);
	return metrics_mine = b;
}

/* One writer per block: a load and a store, no locked instruction. */
static inline void
metrics_add(mcount *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
	    memory_order_relaxed);
}

void
metrics_count(enum metrics_counter c)
{
	struct metrics_block *b = metrics_block();

	if (b != NULL && (unsigned)c < M_COUNTER_COUNT)
		metrics_add(&b->counters[c], 1);
}

uint64_t
metrics_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
metrics_observe(mcount *bucket, const uint64_t *bounds, size_t n, mcount *sum, mcount *count,
    uint64_t ns)
{
	size_t i;

	for (i = 0; i < n && ns > bounds[i]; i++)
		;
	metrics_add(&bucket[i], 1); /* i == n: +Inf only */
	metrics_add(sum, ns);
	metrics_add(count, 1);
}

void
metrics_decision(enum ep_kind kind, const struct decision *d, bool is_response, uint64_t ns)
{
	struct metrics_block *b = metrics_block();
	size_t i;

	if (b == NULL)
		return;
	if ((unsigned)kind >= EP_KIND_COUNT)
		kind = EP_OTHER;
	metrics_add(
	    &b->decisions[kind][d->outcome <= OUT_DENY ? d->outcome : OUT_DENY][is_response], 1);
	for (i = 0; i < d->nv; i++)
		if (d->v[i].rule >= 0 && d->v[i].rule < R_COUNT && d->v[i].action <= ACT_DENY)
			metrics_add(&b->violations[d->v[i].rule][d->v[i].action], 1);
	metrics_observe(b->lat, lat_ns, LAT_N, &b->lat_sum_ns, &b->lat_count, ns);
}

void
metrics_lookup(bool ok, uint64_t ns)
{
	struct metrics_block *b = metrics_block();

	if (b == NULL)
		return;
	metrics_add(&b->lookups[ok], 1);
	metrics_observe(b->lk, lk_ns, LK_N, &b->lk_sum_ns, &b->lk_count, ns);
}

void
metrics_policy(const char *sha256, const char *mode, const char *signed_by)
{
	pthread_mutex_lock(&metrics_lock);
	str_copy(metrics_sha, sha256, sizeof metrics_sha);
	str_copy(metrics_mode, mode, sizeof metrics_mode);
	str_copy(metrics_signer, signed_by, sizeof metrics_signer);
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_gauge_fn(unsigned long (*open_conns)(void *), void *arg)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_conns = open_conns;
	metrics_conns_arg = arg;
	pthread_mutex_unlock(&metrics_lock);
}

/* The sum of one counter over every block: base is the counter's address in a block
 * laid at offset 0 (its offset), read in each block. */
static uint64_t
metrics_sum(size_t off)
{
	const struct metrics_block *b;
	uint64_t n = 0;

	for (b = metrics_blocks; b != NULL; b = b->next)
		n += atomic_load_explicit((const mcount *)((const char *)b + off),
		    memory_order_relaxed);
	return n;
}

#define M_OFF(field) offsetof(struct metrics_block, field)

static void
metrics_head(struct strbuf *sb, const char *name, const char *type, const char *help)
{
	str_appendf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
metrics_histogram(struct strbuf *sb, const char *name, const char *const *le, size_t n,
    size_t off_bucket, size_t off_sum, size_t off_count)
{
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i <= n; i++) {
		cum += metrics_sum(off_bucket + i * sizeof(mcount));
		str_appendf(sb, "%s_bucket{le=\"%s\"} %llu\n", name, i < n ? le[i] : "+Inf",
		    (unsigned long long)cum);
	}
	str_appendf(sb, "%s_sum %.9f\n%s_count %llu\n", name, (double)metrics_sum(off_sum) / 1e9,
	    name, (unsigned long long)metrics_sum(off_count));
}

static const char *const outcome_names[] = {"allow", "warn", "deny"};
static const char *const phase_names[] = {"request", "response"};

char *
metrics_render(size_t *len)
{
	static const struct {
		enum metrics_counter c;
		const char *name, *help;
	} singles[] = {
	    {M_AUDIT_WRITE, "cisgate_audit_writes_total",
	        "Decision records written to the audit log."},
	    {M_AUDIT_FLUSH, "cisgate_audit_flushes_total",
	        "Flushes (fdatasync) of the audit file."},
	    {M_AUDIT_FAILURE, "cisgate_audit_failures_total",
	        "Audit writes or flushes that failed."},
	};
	struct strbuf sb;
	char *buf = malloc(METRICS_RENDER_MAX);
	unsigned long conns = 0;
	size_t i, k, o, ph;
	int r;

	if (buf == NULL)
		return NULL;
	str_init(&sb, buf, METRICS_RENDER_MAX);
	pthread_mutex_lock(&metrics_lock);
	metrics_head(&sb, "cisgate_build_info", "gauge", "cisgate's version.");
	str_appendf(&sb, "cisgate_build_info{version=\"%s\"} 1\n", CG_VERSION);
	metrics_head(&sb, "cisgate_policy_info", "gauge",
	    "The policy in force: its SHA-256, mode and the key that signed it.");
	str_appendf(&sb, "cisgate_policy_info{sha256=\"%s\",mode=\"%s\",signed_by=\"%s\"} 1\n",
	    metrics_sha, metrics_mode, metrics_signer);
	metrics_head(&sb, "cisgate_decisions_total", "counter",
	    "AuthZ decisions by endpoint kind, outcome and phase.");
	for (k = 0; k < EP_KIND_COUNT; k++)
		for (o = 0; o < 3; o++)
			for (ph = 0; ph < 2; ph++) {
				uint64_t n = metrics_sum(M_OFF(decisions[k][o][ph]));

				/* A series appears once it has counted: 168 zeros say nothing. */
				if (n > 0)
					str_appendf(&sb,
					    "cisgate_decisions_total{endpoint=\"%s\","
					    "outcome=\"%s\",phase=\"%s\"} %llu\n",
					    uri_kind_name((enum ep_kind)k), outcome_names[o],
					    phase_names[ph], (unsigned long long)n);
			}
	metrics_head(&sb, "cisgate_violations_total", "counter",
	    "Rule violations found, by rule and the action the policy gives it.");
	for (r = 0; r < R_COUNT; r++)
		for (o = 0; o < 3; o++) {
			uint64_t n = metrics_sum(M_OFF(violations[r][o]));

			if (n > 0)
				str_appendf(&sb,
				    "cisgate_violations_total{rule=\"%s\",action=\"%s\"} "
				    "%llu\n",
				    rules_table[r].name, policy_action_name((enum action)o),
				    (unsigned long long)n);
		}
	metrics_head(&sb, "cisgate_decision_duration_seconds", "histogram",
	    "Time to decide and answer (without waiting for a flush or a lookup's answer "
	    "counted separately).");
	metrics_histogram(&sb, "cisgate_decision_duration_seconds", lat_le, LAT_N, M_OFF(lat),
	    M_OFF(lat_sum_ns), M_OFF(lat_count));
	for (i = 0; i < sizeof singles / sizeof singles[0]; i++) {
		metrics_head(&sb, singles[i].name, "counter", singles[i].help);
		str_appendf(&sb, "%s %llu\n", singles[i].name,
		    (unsigned long long)metrics_sum(M_OFF(counters[singles[i].c])));
	}
	metrics_head(&sb, "cisgate_reloads_total", "counter", "Policy reloads by result.");
	str_appendf(&sb,
	    "cisgate_reloads_total{result=\"ok\"} %llu\n"
	    "cisgate_reloads_total{result=\"failed\"} %llu\n"
	    "cisgate_reloads_total{result=\"signature_refused\"} %llu\n",
	    (unsigned long long)metrics_sum(M_OFF(counters[M_RELOAD_OK])),
	    (unsigned long long)metrics_sum(M_OFF(counters[M_RELOAD_FAILED])),
	    (unsigned long long)metrics_sum(M_OFF(counters[M_RELOAD_REFUSED])));
	metrics_head(&sb, "cisgate_daemon_lookups_total", "counter",
	    "Lookups in dockerd (facts a decision needs) by result.");
	str_appendf(&sb,
	    "cisgate_daemon_lookups_total{result=\"ok\"} %llu\n"
	    "cisgate_daemon_lookups_total{result=\"failed\"} %llu\n",
	    (unsigned long long)metrics_sum(M_OFF(lookups[1])),
	    (unsigned long long)metrics_sum(M_OFF(lookups[0])));
	metrics_head(&sb, "cisgate_daemon_lookup_duration_seconds", "histogram",
	    "Time for dockerd to answer a lookup.");
	metrics_histogram(&sb, "cisgate_daemon_lookup_duration_seconds", lk_le, LK_N, M_OFF(lk),
	    M_OFF(lk_sum_ns), M_OFF(lk_count));
	if (metrics_conns != NULL)
		conns = metrics_conns(metrics_conns_arg);
	pthread_mutex_unlock(&metrics_lock);
	metrics_head(&sb, "cisgate_open_connections", "gauge",
	    "Connections from dockerd open now.");
	str_appendf(&sb, "cisgate_open_connections %lu\n", conns);
	if (sb.truncated) {
		free(buf);
		return NULL;
	}
	*len = sb.len;
	return buf;
}

void
metrics_free(void)
{
	struct metrics_block *b, *next;

	pthread_mutex_lock(&metrics_lock);
	for (b = metrics_blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	metrics_blocks = NULL;
	pthread_mutex_unlock(&metrics_lock);
	metrics_mine = NULL;
}

int
metrics_listen_parse(const char *s, struct metrics_listen *out, char *err, size_t errlen)
{
	const char *colon, *errstr;
	char host[64];
	int64_t port;

	memset(out, 0, sizeof *out);
	if (strncmp(s, "unix:", 5) == 0) {
		if (s[5] != '/' ||
		    str_copy(out->path, s + 5, sizeof out->path) >= sizeof out->path) {
			snprintf(err, errlen,
			    "metrics.listen: unix: needs an absolute path of at most "
			    "%zu bytes",
			    sizeof out->path - 1);
			return -1;
		}
		out->is_unix = true;
		return 0;
	}
	if ((colon = strrchr(s, ':')) == NULL || (size_t)(colon - s) >= sizeof host ||
	    str_to_i64(colon + 1, 1, 65535, &port, &errstr) != 0) {
		snprintf(err, errlen,
		    "metrics.listen must be ADDRESS:PORT (127.0.0.1:9479, "
		    "[::1]:9479) or unix:/PATH");
		return -1;
	}
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	out->port = (unsigned short)port;
	if (strcmp(host, "[::1]") == 0) {
		out->is_v6 = true;
		return 0;
	}
	/* Metrics name the policy's hash and what is denied: never off the host. A fleet
	 * scrapes through its own agent or the unix socket. */
	if (inet_pton(AF_INET, host, &out->v4) != 1 || (ntohl(out->v4.s_addr) >> 24) != 127) {
		snprintf(err, errlen,
		    "metrics.listen: %s is not a loopback address (127.0.0.0/8 "
		    "or [::1]); use unix:/PATH for anything else",
		    host);
		return -1;
	}
	return 0;
}
