/* audit.c - records, chain, outputs, rotation, verify. The only writer of the log. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cisgate/audit.h"
#include "cisgate/digest.h"
#include "cisgate/log.h"
#include "cisgate/rules.h"
#include "cisgate/str.h"
#include "cisgate/tls.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct audit {
	pthread_mutex_t lock;
	struct audit_conf conf;
	char *file;
	int fd;
	unsigned long long seq;
	char prev[65];  /* SHA-256 of the last record written */
	bool failing;   /* the file refused a write; reported once */
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
};

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

/* Sets seq and prev from the record in line. */
static void
audit_follow(struct audit *a, const char *line, size_t n)
{
	json_t *j = json_loadb(line, n, 0, NULL);
	json_t *s = json_object_get(j, "seq");

	audit_hash(line, n, a->prev);
	if (json_is_integer(s) && json_integer_value(s) >= 0)
		a->seq = (unsigned long long)json_integer_value(s);
	json_decref(j);
}

static int
audit_open_file(struct audit *a, char *err, size_t errlen)
{
	char line[CG_AUDIT_RECORD_MAX + 2];
	off_t torn;
	ssize_t n;

	a->fd = open(a->file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (a->fd < 0) {
		snprintf(err, errlen, "audit log %s: %s", a->file, strerror(errno));
		return -1;
	}
	n = audit_last_line(a->fd, line, sizeof line, &torn);
	if (n < 0) {
		snprintf(err, errlen, "audit log %s: cannot read its last record", a->file);
		return -1;
	}
	if (torn >= 0) {
		struct stat st;

		if (fstat(a->fd, &st) == 0 && ftruncate(a->fd, torn) == 0)
			log_warnx("audit log %s: cut a torn last record of %lld bytes", a->file,
			    (long long)(st.st_size - torn));
	}
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
		}
	}
	return 0;
}

struct audit *
audit_open(const struct audit_conf *c, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof *a);

	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_mutex_init(&a->sync_lock, NULL);
	a->conf = *c;
	a->conf.file = NULL; /* copies below; the policy may be freed on reload */
	a->conf.syslog_socket = NULL;
	a->fd = -1;
	str_copy(a->prev, ZERO_HASH, sizeof a->prev);
	if (c->file != NULL) {
		if ((a->file = strdup(c->file)) == NULL || audit_open_file(a, err, errlen) != 0) {
			audit_close(a);
			return NULL;
		}
	}
	a->log_fd = -1;
	if (c->to_syslog) {
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
	return a;
}

bool
audit_wanted(const struct audit_conf *c, const struct decide_ctx *d)
{
	if (d->dec.outcome != OUT_ALLOW)
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

/* Opens a record: the time comes first. */
static void
rec_begin(struct record *r)
{
	rec_init(r);
	str_append(&r->sb, "\"time\":\"");
	audit_now(&r->sb);
	str_append(&r->sb, "\"");
}

/* Sends one record to the local syslog socket (RFC 3164 framing, authpriv.notice).
 * syslog is a copy: the file is the record of truth, so a lost datagram is reported
 * once, not fatal. Caller holds the lock. */
static void
audit_syslog(struct audit *a, const char *line, size_t n)
{
	char hdr[64];
	struct iovec iov[2];
	struct msghdr m;
	int hl = snprintf(hdr, sizeof hdr, "<%d>cisgate[%ld]: ", 10 << 3 | 5, (long)getpid());

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

/* Links r into the chain and appends it to every output. Takes the lock. With
 * `fsync: always` the file is flushed before returning, unless defer is given: then
 * *defer gets the record's sequence number for audit_sync(). */
static int
audit_commit(struct audit *a, struct record *r, unsigned long long *defer)
{
	char hdr[HDR_ROOM], *line;
	struct strbuf hb;
	size_t n;
	int hl, rc = 0;

	str_append(&r->sb, "}");
	if (r->sb.truncated)
		return -1; /* cannot happen within the field bounds; never write half a record */
	pthread_mutex_lock(&a->lock);
	str_init(&hb, hdr, sizeof hdr);
	str_append(&hb, "{\"seq\":");
	str_append_u64(&hb, (uint64_t)a->seq + 1);
	str_append(&hb, ",\"prev\":\"");
	str_append(&hb, a->prev);
	str_append(&hb, "\",");
	hl = (int)hb.len;
	line = r->buf + HDR_ROOM - hl;
	memcpy(line, hdr, (size_t)hl);
	n = (size_t)hl + r->sb.len;
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
		if (rc == 0 && a->conf.fsync == FSYNC_ALWAYS && defer == NULL &&
		    fdatasync(a->fd) != 0)
			rc = -1;
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
			pthread_mutex_unlock(&a->lock);
			return -1;
		}
		if (a->failing)
			log_info("audit log %s: writable again", a->file);
		a->failing = false;
	}
	if (a->conf.to_stdout) {
		fprintf(stdout, "%s\n", line);
		fflush(stdout);
	}
	if (a->log_fd >= 0)
		audit_syslog(a, line, n);
	a->seq++;
	audit_hash(line, n, a->prev);
	if (defer != NULL)
		*defer = a->fd >= 0 && a->conf.fsync == FSYNC_ALWAYS ? a->seq : 0;
	pthread_mutex_unlock(&a->lock);
	return rc;
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
	rec_begin(rp);
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
		rec_str(rp, d->ep.kind == EP_VOLUME_CREATE ? "volume" :
		    (d->ep.kind >= EP_PLUGIN_ENABLE ? "plugin" : "container"), d->view.name);
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
	for (i = 0; i < d->dec.nv; i++) {
		const struct violation *v = &d->dec.v[i];

		str_append(&rp->sb, i ? ",{\"rule\":\"" : "{\"rule\":\"");
		str_append(&rp->sb, v->rule >= 0 ? rules_table[v->rule].name : "request");
		str_append(&rp->sb, "\"");
		if (v->rule >= 0)
			rec_lit(rp, "cis", rules_table[v->rule].cis);
		rec_lit(rp, "action", policy_action_name(v->action));
		rec_str(rp, "message", v->text);
		if (v->waived_by)
			rec_str(rp, "waived_by", v->waived_by->name);
		str_append(&rp->sb, "}");
	}
	str_append(&rp->sb, "]");
	if (d->dec.exemption)
		rec_str(rp, "exemption", d->dec.exemption->name);
	rec_lit(rp, "policy_sha256", p->sha256);
	if (q->body != NULL) {
		audit_hash((const char *)q->body, q->body_len, bodyhash);
		rec_lit(rp, "body_sha256", bodyhash);
	}
	return audit_commit(a, rp, defer);
}

int
audit_event(struct audit *a, const char *event, const char *detail, const char *policy_sha)
{
	struct record *rp = rec_get();

	if (rp == NULL)
		return -1;
	rec_begin(rp);
	rec_str(rp, "event", event);
	if (detail)
		rec_str(rp, "detail", detail);
	if (policy_sha)
		rec_str(rp, "policy_sha256", policy_sha);
	return audit_commit(a, rp, NULL);
}

int
audit_sync(struct audit *a, unsigned long long seq)
{
	unsigned long long upto;
	int fd, rc = 0;

	if (seq == 0)
		return 0;
	pthread_mutex_lock(&a->sync_lock);
	if (a->synced >= seq) {
		pthread_mutex_unlock(&a->sync_lock);
		return 0;
	}
	/* Everything written so far is in the file: one flush covers all of it. */
	pthread_mutex_lock(&a->lock);
	upto = a->seq;
	fd = a->fd >= 0 ? dup(a->fd) : -1;
	pthread_mutex_unlock(&a->lock);
	if (fd < 0 || fdatasync(fd) != 0) {
		if (!a->sync_failing)
			log_warn("audit log %s: flush failed; on_failure=%s applies", a->file,
			    a->conf.fail_allow ? "allow" : "deny");
		a->sync_failing = true;
		rc = -1;
	} else {
		a->covered += upto - a->synced;
		a->synced = upto;
		a->flushes++;
		a->sync_failing = false;
	}
	if (fd >= 0)
		close(fd);
	pthread_mutex_unlock(&a->sync_lock);
	return rc;
}

void
audit_tick(struct audit *a)
{
	int fd = -1;

	if (a == NULL || a->conf.fsync != FSYNC_INTERVAL)
		return;
	pthread_mutex_lock(&a->lock);
	if (a->fd >= 0 && a->seq != a->tick_seq) {
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
		} else
			a->tick_failing = false;
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

int
audit_reopen(struct audit *a)
{
	char err[256];
	int rc = 0;

	if (a->file == NULL)
		return 0;
	pthread_mutex_lock(&a->lock);
	if (a->fd >= 0) {
		/* Records awaiting a deferred flush are in this file: flush it before it goes
		 * (audit_sync only ever flushes the current one). */
		if (a->conf.fsync == FSYNC_ALWAYS && fdatasync(a->fd) != 0)
			log_warn("audit log %s: flush before reopening failed", a->file);
		close(a->fd);
	}
	/* seq and prev stay: the new file's first record links to the old file's last. */
	if (audit_open_file(a, err, sizeof err) != 0) {
		log_warnx("%s", err);
		rc = -1;
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	if (a->fd >= 0) {
		if (a->conf.fsync != FSYNC_NEVER)
			(void)fdatasync(a->fd); /* the last records before the process goes */
		close(a->fd);
	}
	if (a->log_fd >= 0)
		close(a->log_fd);
	pthread_mutex_destroy(&a->lock);
	pthread_mutex_destroy(&a->sync_lock);
	free(a->file);
	free(a);
}

int
audit_verify(const char *const *files, int n, FILE *out)
{
	char prev[65] = "";
	long long seq = -1, count = 0;
	int i;

	for (i = 0; i < n; i++) {
		FILE *f = fopen(files[i], "r");
		char *line = NULL;
		size_t cap = 0, lineno = 0;
		ssize_t len;

		if (f == NULL) {
			fprintf(out, "%s: %s\n", files[i], strerror(errno));
			return 2;
		}
		while ((len = getline(&line, &cap, f)) > 0) {
			json_t *j, *p, *s;
			const char *why = NULL;

			lineno++;
			if (line[len - 1] != '\n')
				why = "torn record (no newline at its end)";
			else
				line[--len] = '\0';
			j = why ? NULL : json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, NULL);
			p = json_object_get(j, "prev");
			s = json_object_get(j, "seq");
			if (why == NULL && (j == NULL || !json_is_string(p) || !json_is_integer(s)))
				why = "not a cisgate audit record";
			else if (why == NULL && prev[0] && strcmp(json_string_value(p), prev) != 0)
				why = "chain broken: prev does not match the SHA-256 of the record before "
				      "it (a record was edited, removed or reordered)";
			else if (why == NULL && seq >= 0 && json_integer_value(s) != seq + 1)
				why = "sequence gap";
			else if (why == NULL && !prev[0] && strcmp(json_string_value(p), ZERO_HASH) != 0)
				fprintf(out, "%s:%zu: note: the chain starts from an earlier file "
				    "(give it first to check the link)\n", files[i], lineno);
			if (why != NULL) {
				fprintf(out, "%s:%zu: %s\n", files[i], lineno, why);
				json_decref(j);
				free(line);
				fclose(f);
				return 1;
			}
			seq = json_integer_value(s);
			audit_hash(line, (size_t)len, prev);
			count++;
			json_decref(j);
		}
		free(line);
		fclose(f);
	}
	fprintf(out, "OK: %lld records, chain intact\n", count);
	return 0;
}
