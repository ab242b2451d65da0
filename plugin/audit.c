/* audit.c - records, chain, checkpoints, outputs, rotation. The only writer of the log
 * (audit_verify.c reads it). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "cisgate/audit.h"
#include "cisgate/checkpoint.h"
#include "cisgate/digest.h"
#include "cisgate/log.h"
#include "cisgate/metrics.h"
#include "cisgate/rules.h"
#include "cisgate/str.h"
#include "cisgate/tls.h"

struct audit {
	pthread_mutex_t lock;
	struct audit_conf conf;
	char *file;
	int fd;
	unsigned long long seq;
	char prev[65];  /* SHA-256 of the last record written */
	bool failing;   /* the file refused a write; reported once */
	bool fresh;     /* the next record is the file's first: it says so (file_start) */
	off_t torn_cut; /* bytes of a torn last record cut at open, to record; 0: none */
	bool degraded;  /* a reopen failed: records go on to the old file, which is no longer
			   the configured one, so state changes are refused (on_failure) */
	char host[256];
	struct checkpoint_key *key;  /* signs checkpoints; NULL: none */
	unsigned long long cp_seq;   /* seq of the last checkpoint (0 when the log did not
					end with one when opened); under lock */
	time_t cp_time;              /* when it was written (monotonic); under lock */
	bool cp_failing;             /* signing failed; reported once; under lock */
	int log_fd;     /* syslog datagram socket, or -1 */
	struct sockaddr_un log_addr;
	bool log_failing;
	unsigned long long tick_seq; /* records flushed by audit_tick; under lock */
	bool tick_failing;           /* main thread only */
	pthread_mutex_t sync_lock;   /* one deferred flush at a time (audit_sync) */
	unsigned long long synced;   /* records known flushed; under sync_lock */
	unsigned long long flushes;  /* deferred flushes done; under sync_lock */
	unsigned long long covered;  /* records those flushes made durable; under sync_lock */
	bool sync_failing;           /* under sync_lock */
	atomic_int flushing;         /* audit_sync flushes under way */
	atomic_ullong flush_ns;      /* how long the last one took */
};

/* A flush slower than this says the disk is struggling: audit_flush_quick() then sends
 * lone requests to the flusher, so a worker never sits on a stalled disk for long. */
#define AUDIT_QUICK_FLUSH_NS 1000000ULL

static int audit_checkpoint_locked(struct audit *a);

/* Appends the time as RFC 3339 UTC with microseconds. */
static void
audit_now(struct strbuf *sb)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	str_append_u64(sb, (uint64_t)(tm.tm_year + 1900 < 0 ? 0 : tm.tm_year + 1900));
	str_append(sb, "-");
	str_append_digits(sb, (unsigned)tm.tm_mon + 1, 2);
	str_append(sb, "-");
	str_append_digits(sb, (unsigned)tm.tm_mday, 2);
	str_append(sb, "T");
	str_append_digits(sb, (unsigned)tm.tm_hour, 2);
	str_append(sb, ":");
	str_append_digits(sb, (unsigned)tm.tm_min, 2);
	str_append(sb, ":");
	str_append_digits(sb, (unsigned)tm.tm_sec, 2);
	str_append(sb, ".");
	str_append_digits(sb, (unsigned)(ts.tv_nsec / 1000), 6);
	str_append(sb, "Z");
}

static void
audit_hash(const char *s, size_t n, char out[65])
{
	digest_sha256_hex(s, n, out);
}

/* Reads the last complete line of fd into buf; returns its length, 0 when there is none,
 * -1 on error. *torn_at gets the offset of a trailing partial line, or -1. */
static ssize_t
audit_last_line(int fd, char *buf, size_t bufsz, off_t *torn_at)
{
	struct stat st;
	off_t start;
	ssize_t n;
	char *end, *nl;

	*torn_at = -1;
	if (fstat(fd, &st) != 0)
		return -1;
	if (st.st_size == 0)
		return 0;
	start = st.st_size > (off_t)bufsz - 1 ? st.st_size - ((off_t)bufsz - 1) : 0;
	n = pread(fd, buf, bufsz - 1, start);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	end = buf + n;
	if (end[-1] != '\n') {
		nl = memrchr(buf, '\n', (size_t)n);
		*torn_at = nl ? start + (nl + 1 - buf) : start;
		end = nl ? nl + 1 : buf;
	}
	if (end == buf)
		return 0;
	end[-1] = '\0';
	nl = memrchr(buf, '\n', (size_t)(end - 1 - buf));
	if (nl == NULL && start > 0)
		return -1; /* last line longer than any record cisgate writes */
	nl = nl ? nl + 1 : buf;
	memmove(buf, nl, (size_t)(end - nl));
	return (ssize_t)strlen(buf);
}

/* Reads the last complete line of the gzip file path into buf (logrotate's `compress`
 * without `delaycompress`). Returns its length, 0 when there is none or it cannot be read. */
static ssize_t
audit_last_gz(const char *path, char *buf, size_t bufsz)
{
	char *cur = malloc(bufsz);
	gzFile g;
	size_t n, last = 0;
	bool cont = false; /* cur continues a line longer than any record */

	if (cur == NULL || (g = gzopen(path, "rb")) == NULL) {
		free(cur);
		return 0;
	}
	while (gzgets(g, cur, (int)bufsz) != NULL) {
		n = strlen(cur);
		if (n == 0 || cur[n - 1] != '\n' || cont) {
			/* Too long or torn: nothing to link to. */
			cont = n > 0 && cur[n - 1] != '\n';
			last = 0;
			continue;
		}
		cur[n - 1] = '\0';
		memcpy(buf, cur, n);
		last = n - 1;
	}
	gzclose(g);
	free(cur);
	return (ssize_t)last;
}

/* Sets seq and prev from the record in line. */
static void
audit_follow(struct audit *a, const char *line, size_t n)
{
	json_t *j = json_loadb(line, n, 0, NULL);
	json_t *s = json_object_get(j, "seq");

	audit_hash(line, n, a->prev);
	if (json_is_integer(s) && json_integer_value(s) >= 0)
		a->seq = (unsigned long long)json_integer_value(s);
	/* A log that ends signed needs no checkpoint when the writer opens it. */
	a->cp_seq = json_is_string(json_object_get(j, "sig")) ? a->seq : 0;
	json_decref(j);
}

/* Opens the configured file into *fdp and follows the chain from its last record (or from
 * FILE.1's when it is empty): a->seq/prev/fresh/torn_cut are set only on success. Returns
 * 0, or -1 with err set and nothing left open. */
static int
audit_open_file(struct audit *a, int *fdp, char *err, size_t errlen)
{
	char line[CG_AUDIT_RECORD_MAX + 2];
	off_t torn;
	ssize_t n;
	int fd;

	fd = open(a->file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "audit log %s: %s", a->file, strerror(errno));
		return -1;
	}
	n = audit_last_line(fd, line, sizeof line, &torn);
	if (n < 0) {
		snprintf(err, errlen, "audit log %s: cannot read its last record", a->file);
		close(fd);
		return -1;
	}
	a->torn_cut = 0;
	if (torn >= 0) {
		struct stat st;

		if (fstat(fd, &st) == 0 && ftruncate(fd, torn) == 0) {
			log_warnx("audit log %s: cut a torn last record of %lld bytes", a->file,
			    (long long)(st.st_size - torn));
			a->torn_cut = st.st_size - torn;
		}
	}
	a->fresh = n == 0;
	if (n > 0)
		audit_follow(a, line, (size_t)n);
	else if (a->seq == 0) {
		/* An empty file after rotation: link to the last record of FILE.1. */
		char old[4096];
		int ofd;

		snprintf(old, sizeof old, "%s.1", a->file);
		if ((ofd = open(old, O_RDONLY | O_CLOEXEC)) >= 0) {
			if ((n = audit_last_line(ofd, line, sizeof line, &torn)) > 0)
				audit_follow(a, line, (size_t)n);
			close(ofd);
		} else if (str_copy(old + strlen(old), ".gz", sizeof old - strlen(old)) == 3 &&
		    (n = audit_last_gz(old, line, sizeof line)) > 0)
			audit_follow(a, line, (size_t)n); /* logrotate compressed it at once */
	}
	*fdp = fd;
	return 0;
}

/* Records the cut of a torn last record made when the file was opened (audit.h). */
static void
audit_note_torn(struct audit *a)
{
	char d[160];

	if (a->torn_cut <= 0)
		return;
	snprintf(d, sizeof d, "%lld bytes of a record cut short (a write interrupted, e.g. by "
	    "kill -9) were removed from the end of the file", (long long)a->torn_cut);
	a->torn_cut = 0;
	(void)audit_event(a, "torn-record-cut", d, NULL);
}

static time_t
audit_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct audit *
audit_open(const struct audit_conf *c, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof *a);

	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* Before anything can fail: audit_close must never close descriptor 0. */
	a->fd = -1;
	a->log_fd = -1;
	pthread_mutex_init(&a->lock, NULL);
	pthread_mutex_init(&a->sync_lock, NULL);
	a->conf = *c;
	/* copies below; the policy may be freed on reload */
	a->conf.file = a->conf.syslog_socket = a->conf.host_id = NULL;
	a->conf.signing_key = a->conf.policy_dir = NULL;
	str_copy(a->prev, AUDIT_ZERO_HASH, sizeof a->prev);
	if (c->host_id != NULL)
		str_copy(a->host, c->host_id, sizeof a->host);
	else if (gethostname(a->host, sizeof a->host - 1) != 0 || a->host[0] == '\0')
		str_copy(a->host, "unknown", sizeof a->host);
	if (c->signing_key != NULL &&
	    (a->key = checkpoint_key_load(c->signing_key, true, err, errlen)) == NULL) {
		audit_close(a);
		return NULL;
	}
	if (c->file != NULL) {
		if ((a->file = strdup(c->file)) == NULL ||
		    audit_open_file(a, &a->fd, err, errlen) != 0) {
			if (a->file == NULL)
				snprintf(err, errlen, "out of memory");
			audit_close(a);
			return NULL;
		}
	}
	/* Checkpoints go to syslog too when signing: the anchors kept off this host. */
	if (c->to_syslog || a->key != NULL) {
		a->log_addr.sun_family = AF_UNIX;
		if (str_copy(a->log_addr.sun_path, c->syslog_socket ? c->syslog_socket : "/dev/log",
		        sizeof a->log_addr.sun_path) >= sizeof a->log_addr.sun_path ||
		    (a->log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
			snprintf(err, errlen, "audit syslog: cannot use %s", a->log_addr.sun_path);
			audit_close(a);
			return NULL;
		}
	}
	a->synced = a->seq; /* what earlier runs wrote is not ours to flush */
	a->cp_time = audit_mono();
	audit_note_torn(a);
	/* What an earlier run left unsigned (a kill -9 before its next checkpoint) is signed
	 * now, so no unsigned tail is ever longer than checkpoint_every records. */
	pthread_mutex_lock(&a->lock);
	(void)audit_checkpoint_locked(a);
	pthread_mutex_unlock(&a->lock);
	return a;
}

bool
audit_wanted(const struct audit_conf *c, const struct decide_ctx *d)
{
	/* A request the shadow policy would refuse is recorded: that is what it is for. */
	if (d->dec.outcome != OUT_ALLOW ||
	    (d->has_shadow && (d->shadow.outcome != OUT_ALLOW || !d->shadow.allow)))
		return true;
	if (c->allows == ALLOWS_ALL)
		return true;
	if (c->allows == ALLOWS_NONE || d->req.is_response)
		return false;
	return d->ep.state_changing;
}

/* A record is built after HDR_ROOM bytes of its buffer; the chain link
 * {"seq":N,"prev":"HEX", is written right-aligned into that room under the lock, so the
 * line is contiguous for one write() and one hash. */
#define HDR_ROOM 128

struct record {
	char buf[HDR_ROOM + CG_AUDIT_RECORD_MAX + 1];
	struct strbuf sb; /* over buf + HDR_ROOM */
};

/* Each thread builds its records in one buffer of its own (32 KiB: too big for a worker's
 * stack, and only threads that audit pay for it). */
static struct record *
rec_get(void)
{
	return tls_get(TLS_AUDIT_RECORD, sizeof(struct record));
}

static void
rec_init(struct record *r)
{
	str_init(&r->sb, r->buf + HDR_ROOM, CG_AUDIT_RECORD_MAX);
}

/* ,"key": (key is ours, never needs escaping) */
static void
rec_key(struct record *r, const char *key)
{
	str_append(&r->sb, ",\"");
	str_append(&r->sb, key);
	str_append(&r->sb, "\":");
}

/* ,"key":"value" for our own constant strings (never need escaping). */
static void
rec_lit(struct record *r, const char *key, const char *val)
{
	rec_key(r, key);
	str_append(&r->sb, "\"");
	str_append(&r->sb, val);
	str_append(&r->sb, "\"");
}

/* ,"key":"escaped value" (untrusted strings are cut at CG_AUDIT_FIELD_MAX). */
static void
rec_str(struct record *r, const char *key, const char *val)
{
	rec_key(r, key);
	str_append_json(&r->sb, val ? val : "", CG_AUDIT_FIELD_MAX);
}

/* Opens a record: the time and the host come first. */
static void
rec_begin(struct record *r, const char *host)
{
	rec_init(r);
	str_append(&r->sb, "\"time\":\"");
	audit_now(&r->sb);
	str_append(&r->sb, "\"");
	rec_str(r, "host", host);
}

/* The RFC 5424 header with structured data a collector can route on without reading
 * the JSON: HOSTNAME is the host's identity (host_id), [cisgate@32473 host="..."
 * kind="record|checkpoint"] (32473: the documentation enterprise number of RFC 5612).
 * Returns its length in hdr. */
static int
audit_syslog_5424(const struct audit *a, bool is_cp, char *hdr, size_t hdrsz)
{
	struct strbuf sb;
	struct timespec ts;
	struct tm tm;
	const char *c;

	str_init(&sb, hdr, hdrsz);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	str_appendf(&sb, "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%06ldZ %s cisgate %ld %s "
	    "[cisgate@32473 host=\"", 10 << 3 | 5, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000, a->host, (long)getpid(),
	    is_cp ? "checkpoint" : "audit");
	/* PARAM-VALUE escapes '"', '\\' and ']' (RFC 5424 6.3.3). */
	for (c = a->host; *c; c++) {
		if (*c == '"' || *c == '\\' || *c == ']')
			str_appendn(&sb, "\\", 1);
		str_appendn(&sb, c, 1);
	}
	str_appendf(&sb, "\" kind=\"%s\"] ", is_cp ? "checkpoint" : "record");
	return sb.truncated ? -1 : (int)sb.len;
}

/* Sends one record to the local syslog socket (authpriv.notice): RFC 3164 framing, or
 * RFC 5424 with structured data (audit.syslog_format). Either way the record itself names
 * the host ("host"). syslog is a copy: the file is the record of truth, so a lost datagram
 * is reported once, not fatal. Caller holds the lock. */
static void
audit_syslog(struct audit *a, const char *line, size_t n, bool is_cp)
{
	char hdr[512];
	struct iovec iov[2];
	struct msghdr m;
	int hl = a->conf.syslog_5424 ? audit_syslog_5424(a, is_cp, hdr, sizeof hdr) :
	    snprintf(hdr, sizeof hdr, "<%d>cisgate[%ld]: ", 10 << 3 | 5, (long)getpid());

	if (hl < 0)
		hl = snprintf(hdr, sizeof hdr, "<%d>cisgate[%ld]: ", 10 << 3 | 5, (long)getpid());

	memset(&m, 0, sizeof m);
	iov[0].iov_base = hdr;
	iov[0].iov_len = (size_t)hl;
	iov[1].iov_base = (void *)(uintptr_t)line;
	iov[1].iov_len = n;
	m.msg_name = &a->log_addr;
	m.msg_namelen = sizeof a->log_addr;
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	if (sendmsg(a->log_fd, &m, MSG_NOSIGNAL) < 0) {
		if (!a->log_failing)
			log_warn("audit syslog %s: cannot send", a->log_addr.sun_path);
		a->log_failing = true;
	} else
		a->log_failing = false;
}

/* Links r into the chain and appends it to every output. Caller holds the lock. With
 * `fsync: always` the file is flushed before returning, unless defer is given: then
 * *defer gets the record's sequence number for audit_sync(). is_cp: a checkpoint, which
 * also goes to syslog when only checkpoints do. */
static int
audit_append(struct audit *a, struct record *r, unsigned long long *defer, bool is_cp)
{
	char hdr[HDR_ROOM], *line;
	struct strbuf hb;
	size_t n;
	int hl, rc = 0;

	if (defer != NULL)
		*defer = 0;
	str_append(&r->sb, "}");
	if (r->sb.truncated)
		return -1; /* cannot happen within the field bounds; never write half a record */
	str_init(&hb, hdr, sizeof hdr);
	str_append(&hb, "{\"seq\":");
	str_append_u64(&hb, (uint64_t)a->seq + 1);
	str_append(&hb, ",\"prev\":\"");
	str_append(&hb, a->prev);
	/* The first record of each file says so: verify tells a file that starts where
	 * cisgate started it from one whose head was cut. */
	str_append(&hb, a->file != NULL && a->fresh ? "\",\"file_start\":true," : "\",");
	hl = (int)hb.len;
	line = r->buf + HDR_ROOM - hl;
	memcpy(line, hdr, (size_t)hl);
	n = (size_t)hl + r->sb.len;
	if (a->file != NULL && a->fd < 0) {
		/* Configured but not open: a write failure, never "no file". */
		if (!a->failing)
			log_warnx("audit log %s: not open; on_failure=%s applies until it is "
			    "reopened", a->file, a->conf.fail_allow ? "allow" : "deny");
		a->failing = true;
		return -1;
	}
	if (a->fd >= 0) {
		size_t off = 0;

		line[n] = '\n'; /* one write, one whole record */
		while (off < n + 1) {
			ssize_t w = write(a->fd, line + off, n + 1 - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = -1;
				break;
			}
			off += (size_t)w;
		}
		line[n] = '\0';
		if (rc == 0 && a->conf.fsync == FSYNC_ALWAYS && defer == NULL) {
			if (fdatasync(a->fd) != 0)
				rc = -1;
			else
				metrics_count(M_AUDIT_FLUSH);
		}
		if (rc != 0) {
			int err = errno;
			struct stat st;

			/* Never leave half a record in the chain: the file is appended to only
			 * under the lock, so its last `off` bytes are this record's. */
			if (off > 0 && fstat(a->fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    (uintmax_t)st.st_size >= off && ftruncate(a->fd, st.st_size - (off_t)off) != 0)
				log_warn("audit log %s: cannot cut a partial record", a->file);
			errno = err;
			if (!a->failing)
				log_warn("audit log %s: write failed; on_failure=%s applies until it "
				    "recovers", a->file, a->conf.fail_allow ? "allow" : "deny");
			a->failing = true;
			return -1;
		}
		if (a->failing && !a->degraded)
			log_info("audit log %s: writable again", a->file);
		a->failing = false;
		a->fresh = false;
	}
	if (a->conf.to_stdout) {
		fprintf(stdout, "%s\n", line);
		fflush(stdout);
	}
	if (a->log_fd >= 0 && (a->conf.to_syslog || is_cp))
		audit_syslog(a, line, n, is_cp);
	a->seq++;
	audit_hash(line, n, a->prev);
	if (defer != NULL)
		*defer = a->fd >= 0 && a->conf.fsync == FSYNC_ALWAYS ? a->seq : 0;
	return 0;
}

/* Appends a signed checkpoint over the last record, when there is one it does not cover
 * yet. Caller holds the lock. Returns 0, or -1 when it could not be signed or written
 * (reported once). */
static int
audit_checkpoint_locked(struct audit *a)
{
	struct record *rp = rec_get();
	char msg[CHECKPOINT_MSG_MAX], sig[CHECKPOINT_SIG_HEX], tbuf[40];
	unsigned long long nodefer;
	struct strbuf tb;
	size_t n;
	int rc = -1;

	if (a->key == NULL || a->seq == a->cp_seq)
		return 0;
	a->cp_time = audit_mono();
	if (rp == NULL)
		goto done;
	str_init(&tb, tbuf, sizeof tbuf);
	audit_now(&tb);
	n = checkpoint_message(msg, sizeof msg, a->seq, a->prev, tbuf, a->host);
	if (n == 0 || checkpoint_sign(a->key, msg, n, sig) != 0)
		goto done;
	/* time and host are the ones signed (rec_begin would take a new time). */
	rec_init(rp);
	str_append(&rp->sb, "\"time\":\"");
	str_append(&rp->sb, tbuf);
	str_append(&rp->sb, "\"");
	rec_str(rp, "host", a->host);
	rec_lit(rp, "event", "checkpoint");
	rec_key(rp, "covers");
	str_append_u64(&rp->sb, (uint64_t)a->seq);
	rec_lit(rp, "head", a->prev);
	rec_key(rp, "every");
	str_append_u64(&rp->sb, (uint64_t)a->conf.checkpoint_every);
	rec_lit(rp, "key", checkpoint_key_id(a->key));
	rec_lit(rp, "sig", sig);
	/* Never flushed here (a worker may hold the lock): the next sync, tick, reopen or
	 * close makes it durable with the records around it. */
	if (audit_append(a, rp, &nodefer, true) != 0)
		goto done;
	a->cp_seq = a->seq;
	rc = 0;
done:
	if (rc != 0 && !a->cp_failing)
		log_warnx("audit log: cannot write a signed checkpoint at seq %llu", a->seq);
	a->cp_failing = rc != 0;
	return rc;
}

/* Appends r under the lock, then a checkpoint when checkpoint_every records have gone by
 * since the last. Returns -1 when r was not written, or was written only to a file that
 * is no longer the configured one (a failed reopen). */
static int
audit_commit(struct audit *a, struct record *r, unsigned long long *defer)
{
	int rc;

	pthread_mutex_lock(&a->lock);
	rc = audit_append(a, r, defer, false);
	if (rc == 0 && a->key != NULL &&
	    a->seq - a->cp_seq >= (unsigned long long)a->conf.checkpoint_every)
		(void)audit_checkpoint_locked(a);
	if (a->degraded)
		rc = -1;
	pthread_mutex_unlock(&a->lock);
	return rc;
}

/* d's violations as a JSON list (the opening "[" already written), then "]". A shadow's
 * (brief) leaves out the CIS id, and its messages once the record runs short of room,
 * so it never makes a record too long to write. */
static void
rec_violations(struct record *rp, const struct decision *d, bool brief)
{
	size_t i;

	for (i = 0; i < d->nv; i++) {
		const struct violation *v = &d->v[i];

		if (brief && rp->sb.len > CG_AUDIT_RECORD_MAX - 2048) {
			str_append(&rp->sb, i ? ",{\"rule\":\"...\"}" : "{\"rule\":\"...\"}");
			break;
		}
		str_append(&rp->sb, i ? ",{\"rule\":\"" : "{\"rule\":\"");
		str_append(&rp->sb, v->rule >= 0 ? rules_table[v->rule].name : "request");
		str_append(&rp->sb, "\"");
		if (!brief && v->rule >= 0)
			rec_lit(rp, "cis", rules_table[v->rule].cis);
		rec_lit(rp, "action", policy_action_name(v->action));
		if (!brief || rp->sb.len + CG_VIOLATION_TEXT_MAX * 2 < CG_AUDIT_RECORD_MAX - 4096)
			rec_str(rp, "message", v->text);
		if (v->waived_by)
			rec_str(rp, "waived_by", v->waived_by->name);
		if (v->expired)
			rec_str(rp, "expired_exemption", v->expired->name);
		str_append(&rp->sb, "}");
	}
	str_append(&rp->sb, "]");
}

/* ,"shadow":{"decision":..,"violations":[..],"policy_sha256":..}: what the shadow policy
 * would have done in enforce mode. Messages only while the record has room for them, so
 * the shadow never makes a record too long to write. */
static void
rec_shadow(struct record *rp, const struct policy *s, const struct decision *sd)
{
	str_append(&rp->sb, ",\"shadow\":{\"decision\":\"");
	str_append(&rp->sb, !sd->allow || sd->would_deny ? "deny" :
	    eval_outcome_name(sd->outcome));
	str_append(&rp->sb, "\",\"violations\":[");
	rec_violations(rp, sd, true);
	rec_lit(rp, "policy_sha256", s->sha256);
	str_append(&rp->sb, "}");
}

/* The record's key for the object a request names (view.name), by what it is: a network
 * connect names the container it connects (the network is in the path). */
static const char *
rec_object_key(enum ep_kind k)
{
	switch (k) {
	case EP_VOLUME_CREATE:
		return "volume";
	case EP_PLUGIN_ENABLE:
	case EP_PLUGIN_DISABLE:
	case EP_PLUGIN_REMOVE:
	case EP_PLUGIN_SET:
	case EP_PLUGIN_UPGRADE:
	case EP_PLUGIN_PUSH:
	case EP_PLUGIN_CREATE:
	case EP_PLUGIN_PULL:
		return "plugin";
	case EP_SERVICE_CREATE:
	case EP_SERVICE_UPDATE:
		return "service";
	case EP_NETWORK_CREATE:
		return "network";
	case EP_SECRET_CREATE:
		return "secret";
	case EP_CONFIG_CREATE:
		return "config";
	case EP_EXEC_START:
		return "exec";
	case EP_BUILD:
	case EP_SWARM_INIT:
	case EP_SWARM_JOIN:
	case EP_SWARM_UPDATE:
	case EP_GRPC:
		return "name";
	default:
		return "container";
	}
}

bool
audit_degraded(struct audit *a)
{
	bool d;

	pthread_mutex_lock(&a->lock);
	d = a->degraded || (a->file != NULL && a->fd < 0);
	pthread_mutex_unlock(&a->lock);
	return d;
}

int
audit_write(struct audit *a, const struct policy *p, const struct decide_ctx *d,
    unsigned long long *defer)
{
	struct record *rp = rec_get();
	const struct authz_req *q = &d->req;
	char bodyhash[65];
	size_t i;

	if (rp == NULL)
		return -1;
	rec_begin(rp, a->host);
	rec_lit(rp, "phase", q->is_response ? "response" : "request");
	rec_lit(rp, "decision", eval_outcome_name(d->dec.outcome));
	rec_lit(rp, "mode", p->mode == MODE_AUDIT ? "audit" : "enforce");
	if (d->dec.would_deny)
		str_append(&rp->sb, ",\"would_deny\":true");
	rec_str(rp, "user", q->user);
	rec_str(rp, "authn", q->authn);
	rec_str(rp, "method", q->method);
	rec_lit(rp, "endpoint", uri_kind_name(d->ep.kind));
	rec_str(rp, "path", d->ep.path);
	rec_str(rp, "uri", q->uri);
	if (d->view.name && d->view.name[0])
		rec_str(rp, rec_object_key(d->ep.kind), d->view.name);
	if (d->view.image && d->view.image[0])
		rec_str(rp, "image", d->view.image);
	if (d->ep.kind == EP_EXEC_CREATE && d->view.nlabels > 0) {
		/* The container an exec enters, as dockerd reported it (issue 14). */
		rec_key(rp, "labels");
		for (i = 0; i < d->view.nlabels && i < CG_LABELS_MAX; i++) {
			str_append(&rp->sb, i ? "," : "{");
			str_append_json(&rp->sb, d->view.labels[i].key, CG_AUDIT_FIELD_MAX);
			str_append(&rp->sb, ":");
			str_append_json(&rp->sb, d->view.labels[i].value, CG_AUDIT_FIELD_MAX);
		}
		str_append(&rp->sb, "}");
	}
	if (q->is_response) {
		rec_key(rp, "status");
		str_append_u64(&rp->sb, (uint64_t)(q->status < 0 ? 0 : q->status));
	}
	str_append(&rp->sb, ",\"violations\":[");
	rec_violations(rp, &d->dec, false);
	if (d->dec.exemption)
		rec_str(rp, "exemption", d->dec.exemption->name);
	if (d->dec.expired)
		rec_str(rp, "expired_exemption", d->dec.expired->name);
	if (d->has_shadow && p->shadow != NULL)
		rec_shadow(rp, p->shadow, &d->shadow);
	rec_lit(rp, "policy_sha256", p->sha256);
	if (q->body != NULL) {
		audit_hash((const char *)q->body, q->body_len, bodyhash);
		rec_lit(rp, "body_sha256", bodyhash);
	}
	if (audit_commit(a, rp, defer) != 0) {
		metrics_count(M_AUDIT_FAILURE);
		return -1;
	}
	metrics_count(M_AUDIT_WRITE);
	return 0;
}

int
audit_event(struct audit *a, const char *event, const char *detail, const char *policy_sha)
{
	struct record *rp = rec_get();

	if (rp == NULL)
		return -1;
	rec_begin(rp, a->host);
	rec_str(rp, "event", event);
	if (detail)
		rec_str(rp, "detail", detail);
	if (policy_sha)
		rec_str(rp, "policy_sha256", policy_sha);
	return audit_commit(a, rp, NULL);
}

bool
audit_flush_quick(struct audit *a)
{
	return atomic_load(&a->flushing) == 0 && atomic_load(&a->flush_ns) < AUDIT_QUICK_FLUSH_NS;
}

int
audit_sync(struct audit *a, unsigned long long seq)
{
	unsigned long long upto, t0;
	int fd, rc = 0;

	if (seq == 0)
		return 0;
	pthread_mutex_lock(&a->sync_lock);
	if (a->synced >= seq) {
		pthread_mutex_unlock(&a->sync_lock);
		return 0;
	}
	pthread_mutex_unlock(&a->sync_lock);
	/* Everything written so far is in the file: one flush covers all of it. Flushes
	 * run at once from several threads (flusher.c): the file system joins them. */
	pthread_mutex_lock(&a->lock);
	upto = a->seq;
	fd = a->fd >= 0 ? dup(a->fd) : -1;
	pthread_mutex_unlock(&a->lock);
	atomic_fetch_add(&a->flushing, 1);
	t0 = metrics_now_ns();
	rc = fd < 0 || fdatasync(fd) != 0 ? -1 : 0;
	atomic_store(&a->flush_ns, metrics_now_ns() - t0);
	atomic_fetch_sub(&a->flushing, 1);
	if (fd >= 0)
		close(fd);
	pthread_mutex_lock(&a->sync_lock);
	if (rc != 0) {
		if (!a->sync_failing)
			log_warn("audit log %s: flush failed; on_failure=%s applies", a->file,
			    a->conf.fail_allow ? "allow" : "deny");
		a->sync_failing = true;
		metrics_count(M_AUDIT_FAILURE);
	} else {
		metrics_count(M_AUDIT_FLUSH);
		a->flushes++;
		if (upto > a->synced) {
			a->covered += upto - a->synced;
			a->synced = upto;
		}
		a->sync_failing = false;
	}
	pthread_mutex_unlock(&a->sync_lock);
	return rc;
}

void
audit_tick(struct audit *a)
{
	int fd = -1;
	bool cp = false;

	if (a == NULL)
		return;
	if (a->file != NULL && audit_degraded(a))
		(void)audit_reopen(a); /* quietly: the failure was said once */

	pthread_mutex_lock(&a->lock);
	if (a->key != NULL && a->seq != a->cp_seq &&
	    audit_mono() - a->cp_time >= (time_t)a->conf.checkpoint_seconds)
		cp = audit_checkpoint_locked(a) == 0 && a->conf.fsync == FSYNC_ALWAYS;
	if ((a->conf.fsync == FSYNC_INTERVAL || cp) && a->fd >= 0 && a->seq != a->tick_seq) {
		a->tick_seq = a->seq;
		fd = dup(a->fd);
	}
	pthread_mutex_unlock(&a->lock);
	/* Outside the lock: writers go on while the disk catches up. */
	if (fd >= 0) {
		if (fdatasync(fd) != 0) {
			if (!a->tick_failing)
				log_warn("audit log %s: periodic flush failed", a->file);
			a->tick_failing = true;
			metrics_count(M_AUDIT_FAILURE);
		} else {
			a->tick_failing = false;
			metrics_count(M_AUDIT_FLUSH);
		}
		close(fd);
	}
}

void
audit_sync_stats(struct audit *a, unsigned long long *flushes, unsigned long long *records)
{
	pthread_mutex_lock(&a->sync_lock);
	*flushes = a->flushes;
	*records = a->covered;
	pthread_mutex_unlock(&a->sync_lock);
}

static bool
audit_same_file(int fd1, int fd2)
{
	struct stat s1, s2;

	return fstat(fd1, &s1) == 0 && fstat(fd2, &s2) == 0 && s1.st_dev == s2.st_dev &&
	    s1.st_ino == s2.st_ino;
}

int
audit_reopen(struct audit *a)
{
	char err[256];
	int fd, oldfd;
	unsigned long long seq, cp;
	char prev[65];

	if (a->file == NULL)
		return 0;
	pthread_mutex_lock(&a->lock);
	/* The new file first: the old one stays in use until it is open (seq and prev are
	 * restored if the new file's last record would move them and the open fails). */
	seq = a->seq;
	cp = a->cp_seq;
	str_copy(prev, a->prev, sizeof prev);
	if (audit_open_file(a, &fd, err, sizeof err) != 0) {
		a->seq = seq;
		a->cp_seq = cp;
		str_copy(a->prev, prev, sizeof a->prev);
		if (!a->degraded)
			log_warnx("%s; records go on to the file open before it, and on_failure=%s "
			    "applies to state changes until it can be reopened (tried every second)",
			    err, a->conf.fail_allow ? "allow" : "deny");
		a->degraded = true;
		pthread_mutex_unlock(&a->lock);
		return -1;
	}
	oldfd = a->fd;
	if (oldfd >= 0 && audit_same_file(oldfd, fd)) {
		/* Nothing moved it (a SIGUSR1 without a rotation): carry on in it. */
		close(fd);
		a->seq = seq;
		a->cp_seq = cp;
		str_copy(a->prev, prev, sizeof a->prev);
		a->fresh = false;
		a->torn_cut = 0;
		if (a->degraded)
			log_info("audit log %s: reopened; state changes are recorded again", a->file);
		a->degraded = false;
		pthread_mutex_unlock(&a->lock);
		return 0;
	}
	if (oldfd >= 0) {
		/* The old file ends with a signed checkpoint over all it holds; it goes there,
		 * not into the new file, so the new file's chain is not yet followed. */
		unsigned long long nseq = a->seq, ncp = a->cp_seq;
		char nprev[65];
		bool nfresh = a->fresh;

		str_copy(nprev, a->prev, sizeof nprev);
		a->seq = seq;
		a->cp_seq = cp;
		str_copy(a->prev, prev, sizeof a->prev);
		a->fresh = false;
		(void)audit_checkpoint_locked(a);
		/* An empty new file links to what was just written, not to what it followed. */
		if (!nfresh) {
			a->seq = nseq;
			a->cp_seq = ncp;
			str_copy(a->prev, nprev, sizeof a->prev);
		}
		a->fresh = nfresh;
		/* Records awaiting a deferred flush are in this file: flush it before it goes
		 * (audit_sync only ever flushes the current one). */
		if (a->conf.fsync != FSYNC_NEVER && fdatasync(oldfd) != 0)
			log_warn("audit log %s: flush before reopening failed", a->file);
		close(oldfd);
	}
	a->fd = fd;
	if (a->degraded)
		log_info("audit log %s: reopened; state changes are recorded again", a->file);
	a->degraded = false;
	pthread_mutex_unlock(&a->lock);
	audit_note_torn(a);
	return 0;
}

void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	if (a->fd >= 0 || a->file == NULL)
		(void)audit_checkpoint_locked(a); /* the stop is signed */
	pthread_mutex_unlock(&a->lock);
	if (a->fd >= 0) {
		if (a->conf.fsync != FSYNC_NEVER)
			(void)fdatasync(a->fd); /* the last records before the process goes */
		close(a->fd);
	}
	if (a->log_fd >= 0)
		close(a->log_fd);
	checkpoint_key_free(a->key);
	pthread_mutex_destroy(&a->lock);
	pthread_mutex_destroy(&a->sync_lock);
	free(a->file);
	free(a);
}
