/* audit_verify.c - `cisgate audit verify`: the chain, the checkpoints and the anchors of
 * the audit log, read back as an auditor would (plain or gzip files, in any order). */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cisgate/audit.h"
#include "cisgate/checkpoint.h"
#include "cisgate/digest.h"
#include "cisgate/limits.h"
#include "cisgate/str.h"

#define LINE_MAX_V (CG_AUDIT_RECORD_MAX + 4096) /* longer than any record cisgate writes */
#define ANCHORS_MAX 100000

struct vfile {
	const char *name;
	long long first; /* seq of its first record; LLONG_MAX when unreadable */
	int given;       /* position on the command line */
};

struct anchor {
	long long seq;
	char hash[65]; /* SHA-256 of the record as the anchor holds it */
	bool seen;
};

struct vstate {
	const struct audit_verify_opts *o;
	FILE *out;
	json_t *notes;
	struct checkpoint_key *key;
	struct anchor *an;
	size_t nan;
	char prev[65];     /* hash of the last record read; "" before the first */
	long long seq;     /* its seq; -1 before the first */
	long long first;   /* the first seq */
	long long count;
	const char *pfile; /* where the last record was */
	size_t pline;
	long long cps, cp_seq, cp_every; /* checkpoints; seq and every of the last */
	size_t anchors_matched;
	char bad_file[4096];
	size_t bad_line;
	char why[512];
};

static void
verify_note(struct vstate *v, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (v->o->json)
		json_array_append_new(v->notes, json_string(buf));
	else
		fprintf(v->out, "note: %s\n", buf);
}

/* Sets the failure (the first one wins). */
static int
verify_bad(struct vstate *v, const char *file, size_t line, const char *fmt, ...)
{
	va_list ap;

	if (v->why[0] != '\0')
		return 1;
	str_copy(v->bad_file, file ? file : "", sizeof v->bad_file);
	v->bad_line = line;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof v->why, fmt, ap);
	va_end(ap);
	return 1;
}

/* Reads one line into buf (NUL-terminated, newline kept). Returns its length, 0 at the
 * end, -1 when it is longer than any record. */
static long
verify_gets(gzFile g, char *buf, size_t cap)
{
	size_t n;

	if (gzgets(g, buf, (int)cap) == NULL)
		return 0;
	n = strlen(buf);
	if (n == cap - 1 && buf[n - 1] != '\n')
		return -1;
	return (long)n;
}

/* The seq of a file's first record, to order the files. */
static long long
verify_first_seq(const char *name, char *buf, size_t cap)
{
	gzFile g = gzopen(name, "rb");
	long long s = LLONG_MAX;
	json_t *j;
	long n;

	if (g == NULL)
		return LLONG_MIN;
	if ((n = verify_gets(g, buf, cap)) > 0) {
		j = json_loadb(buf, (size_t)n, 0, NULL);
		if (json_is_integer(json_object_get(j, "seq")))
			s = json_integer_value(json_object_get(j, "seq"));
		json_decref(j);
	}
	gzclose(g);
	return s;
}

static int
verify_cmp(const void *x, const void *y)
{
	const struct vfile *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return a->given - b->given;
}

static int
verify_anchor_cmp(const void *x, const void *y)
{
	const struct anchor *a = x, *b = y;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Reads checkpoint lines from the anchors file: anything before the first '{' (a syslog
 * or journal prefix) is skipped; lines that are not checkpoints are ignored. */
static int
verify_load_anchors(struct vstate *v, char *buf, size_t cap)
{
	FILE *f = fopen(v->o->anchors, "r");
	size_t alloc = 0;

	if (f == NULL)
		return verify_bad(v, v->o->anchors, 0, "%s", strerror(errno)) + 1;
	while (fgets(buf, (int)cap, f) != NULL) {
		char *js = strchr(buf, '{'), *end;
		json_t *j;

		if (js == NULL)
			continue;
		end = js + strlen(js);
		while (end > js && (end[-1] == '\n' || end[-1] == '\r'))
			*--end = '\0';
		j = json_loadb(js, (size_t)(end - js), JSON_REJECT_DUPLICATES, NULL);
		if (json_is_integer(json_object_get(j, "seq")) &&
		    json_is_string(json_object_get(j, "sig"))) {
			if (v->nan == alloc) {
				struct anchor *na;

				alloc = alloc ? alloc * 2 : 64;
				if (alloc > ANCHORS_MAX ||
				    (na = realloc(v->an, alloc * sizeof *na)) == NULL) {
					json_decref(j);
					fclose(f);
					return verify_bad(v, v->o->anchors, 0, "too many anchors") + 1;
				}
				v->an = na;
			}
			v->an[v->nan].seq = json_integer_value(json_object_get(j, "seq"));
			digest_sha256_hex(js, (size_t)(end - js), v->an[v->nan].hash);
			v->an[v->nan].seen = false;
			v->nan++;
		}
		json_decref(j);
	}
	fclose(f);
	qsort(v->an, v->nan, sizeof *v->an, verify_anchor_cmp);
	return 0;
}

static struct anchor *
verify_anchor_find(struct vstate *v, long long seq)
{
	struct anchor k = {.seq = seq};

	return v->nan ? bsearch(&k, v->an, v->nan, sizeof *v->an, verify_anchor_cmp) : NULL;
}

/* A checkpoint record: it covers the record before it, and with a key its signature
 * must hold. */
static int
verify_checkpoint(struct vstate *v, const char *file, size_t line, json_t *j, long long s,
    const char *prevf)
{
	json_t *cov = json_object_get(j, "covers"), *every = json_object_get(j, "every");
	const char *head = json_string_value(json_object_get(j, "head"));
	const char *t = json_string_value(json_object_get(j, "time"));
	const char *host = json_string_value(json_object_get(j, "host"));
	const char *sig = json_string_value(json_object_get(j, "sig"));
	const char *kid = json_string_value(json_object_get(j, "key"));
	char msg[CHECKPOINT_MSG_MAX];
	size_t n;

	if (!json_is_integer(cov) || json_integer_value(cov) != s - 1 || head == NULL ||
	    strcmp(head, prevf) != 0 || t == NULL || host == NULL || sig == NULL)
		return verify_bad(v, file, line, "checkpoint seq %lld does not cover the record "
		    "before it", s);
	v->cps++;
	v->cp_seq = s;
	v->cp_every = json_is_integer(every) ? json_integer_value(every) : 0;
	if (v->key == NULL)
		return 0;
	n = checkpoint_message(msg, sizeof msg, (unsigned long long)(s - 1), head, t, host);
	if (n == 0 || !checkpoint_check(v->key, msg, n, sig))
		return verify_bad(v, file, line, "checkpoint seq %lld: the signature does not "
		    "verify with key %s%s%s (the chain was rebuilt without the key)", s,
		    checkpoint_key_id(v->key), kid && strcmp(kid, checkpoint_key_id(v->key)) ?
		    "; it names key " : "", kid && strcmp(kid, checkpoint_key_id(v->key)) ? kid : "");
	return 0;
}

/* One record at file:line. Returns 0, or 1 when it breaks the log (v->why set). */
static int
verify_record(struct vstate *v, const char *file, size_t line, char *buf, long len)
{
	json_t *j, *jp, *js;
	const char *prevf, *ev;
	long long s;
	char h[65];
	struct anchor *an;
	int rc = 0;

	if (len < 0)
		return verify_bad(v, file, line, "a line longer than any cisgate record");
	if (buf[len - 1] != '\n')
		return verify_bad(v, file, line, "torn record (no newline at its end)");
	buf[--len] = '\0';
	j = json_loadb(buf, (size_t)len, JSON_REJECT_DUPLICATES, NULL);
	jp = json_object_get(j, "prev");
	js = json_object_get(j, "seq");
	if (j == NULL || !json_is_string(jp) || !json_is_integer(js) || json_integer_value(js) < 1) {
		json_decref(j);
		return verify_bad(v, file, line, "not a cisgate audit record");
	}
	prevf = json_string_value(jp);
	s = json_integer_value(js);
	if (v->seq < 0) {
		if (strcmp(prevf, AUDIT_ZERO_HASH) == 0) {
			if (s != 1)
				rc = verify_bad(v, file, line, "record seq %lld claims to start the "
				    "chain (its prev is zero); only seq 1 does", s);
		} else if (json_is_true(json_object_get(j, "file_start")))
			verify_note(v, "%s:%zu: the chain starts from an earlier file (seq %lld, "
			    "head %.16s...): give it first to check the link", file, line, s - 1,
			    prevf);
		else
			rc = verify_bad(v, file, line, "head cut: the first record (seq %lld) "
			    "neither starts the chain (seq 1) nor starts a file (file_start); the "
			    "records before it were removed", s);
		v->first = s;
	} else if (s <= v->seq)
		rc = verify_bad(v, file, line, "record seq %lld after seq %lld (%s:%zu): records "
		    "reordered or repeated", s, v->seq, v->pfile, v->pline);
	else if (s == v->seq + 2)
		rc = verify_bad(v, file, line, "seq jumps from %lld (%s:%zu) to %lld: record %lld "
		    "was removed or moved", v->seq, v->pfile, v->pline, s, v->seq + 1);
	else if (s != v->seq + 1)
		rc = verify_bad(v, file, line, "seq jumps from %lld (%s:%zu) to %lld: records "
		    "%lld..%lld were removed or moved", v->seq, v->pfile, v->pline, s, v->seq + 1,
		    s - 1);
	else if (strcmp(prevf, v->prev) != 0)
		rc = verify_bad(v, v->pfile, v->pline, "record seq %lld was edited: its SHA-256 is "
		    "not the prev that seq %lld (%s:%zu) holds", v->seq, s, file, line);
	ev = json_string_value(json_object_get(j, "event"));
	if (rc == 0 && ev != NULL && strcmp(ev, "checkpoint") == 0)
		rc = verify_checkpoint(v, file, line, j, s, prevf);
	digest_sha256_hex(buf, (size_t)len, h);
	if (rc == 0 && (an = verify_anchor_find(v, s)) != NULL) {
		an->seen = true;
		if (strcmp(an->hash, h) != 0)
			rc = verify_bad(v, file, line, "record seq %lld is not the one its anchor "
			    "holds: rewritten after the anchor was sent off the host", s);
		else
			v->anchors_matched++;
	}
	json_decref(j);
	if (rc != 0)
		return rc;
	str_copy(v->prev, h, sizeof v->prev);
	v->seq = s;
	v->count++;
	v->pfile = file;
	v->pline = line;
	return 0;
}

/* Checks after the last record: the unsigned tail and anchors past the end. */
static void
verify_end(struct vstate *v)
{
	size_t i;

	if (v->key != NULL && v->count > 0 && v->cps == 0)
		verify_bad(v, v->pfile, v->pline, "no checkpoint in %lld records: the log is not "
		    "signed, or its checkpoints were removed", v->count);
	else if (v->key != NULL && v->cp_every > 0 && v->seq - v->cp_seq > v->cp_every)
		verify_bad(v, v->pfile, v->pline, "%lld records after the last checkpoint (seq "
		    "%lld), more than the %lld the writer signs at: checkpoints were removed (or "
		    "signing was turned off)",
		    v->seq - v->cp_seq, v->cp_seq, v->cp_every);
	for (i = 0; i < v->nan; i++) {
		if (v->an[i].seen)
			continue;
		if (v->seq >= 0 && v->an[i].seq > v->seq) {
			verify_bad(v, v->pfile, v->pline, "an anchor holds record seq %lld but the "
			    "log ends at seq %lld: records after it were removed (truncated)",
			    v->an[i].seq, v->seq);
			break;
		}
		verify_note(v, "the anchor for seq %lld is before the files given", v->an[i].seq);
	}
}

static void
verify_report(struct vstate *v, const struct vfile *vf, int n, bool reordered, int rc)
{
	long long tail = v->cps ? v->seq - v->cp_seq : v->count;
	int i;

	if (v->o->json) {
		json_t *o = json_object(), *files = json_array();

		for (i = 0; i < n; i++)
			json_array_append_new(files, json_string(vf[i].name));
		json_object_set_new(o, "ok", json_boolean(rc == 0));
		json_object_set_new(o, "records", json_integer(v->count));
		json_object_set_new(o, "first_seq", v->count ? json_integer(v->first) : json_null());
		json_object_set_new(o, "last_seq", v->count ? json_integer(v->seq) : json_null());
		json_object_set_new(o, "head", v->count ? json_string(v->prev) : json_null());
		json_object_set_new(o, "files", files);
		json_object_set_new(o, "reordered", json_boolean(reordered));
		json_object_set_new(o, "checkpoints", json_integer(v->cps));
		json_object_set_new(o, "checkpoints_verified", json_boolean(v->key != NULL));
		json_object_set_new(o, "unsigned_tail", json_integer(tail));
		json_object_set_new(o, "anchors_matched", json_integer((json_int_t)v->anchors_matched));
		json_object_set_new(o, "notes", json_incref(v->notes));
		if (rc == 1)
			json_object_set_new(o, "error", json_pack("{s:s,s:I,s:s}", "file", v->bad_file,
			    "line", (json_int_t)v->bad_line, "reason", v->why));
		json_dumpf(o, v->out, JSON_COMPACT);
		fputc('\n', v->out);
		json_decref(o);
		return;
	}
	if (rc == 1) {
		fprintf(v->out, "%s:%zu: %s\n", v->bad_file, v->bad_line, v->why);
		return;
	}
	if (v->count == 0) {
		fprintf(v->out, "OK: 0 records\n");
		return;
	}
	fprintf(v->out, "OK: %lld records, chain intact (seq %lld..%lld in %d file%s)\n"
	    "head: seq %lld sha256 %s\n", v->count, v->first, v->seq, n, n == 1 ? "" : "s",
	    v->seq, v->prev);
	if (v->key != NULL)
		fprintf(v->out, "checkpoints: %lld verified with key %s, the last at seq %lld; "
		    "unsigned tail: %lld records\n", v->cps, checkpoint_key_id(v->key), v->cp_seq,
		    tail);
	else
		fprintf(v->out, "checkpoints: %lld, not verified (give --key PUB); unsigned "
		    "tail: %lld records\n", v->cps, tail);
	if (v->o->anchors)
		fprintf(v->out, "anchors: %zu matched\n", v->anchors_matched);
}

int
audit_verify(const char *const *files, int n, const struct audit_verify_opts *o, FILE *out)
{
	struct vstate v;
	struct vfile *vf = NULL;
	bool reordered = false;
	char err[512];
	char *buf = malloc(LINE_MAX_V);
	int i, rc = 0;

	memset(&v, 0, sizeof v);
	v.o = o;
	v.out = out;
	v.seq = -1;
	v.notes = json_array();
	if (buf == NULL || v.notes == NULL || n < 1 || (vf = calloc((size_t)n, sizeof *vf)) == NULL) {
		fprintf(out, "%s\n", n < 1 ? "no file to verify" : "out of memory");
		rc = 2;
		goto done;
	}
	if (o->key != NULL && (v.key = checkpoint_key_load(o->key, false, err, sizeof err)) == NULL) {
		fprintf(out, "%s\n", err);
		rc = 2;
		goto done;
	}
	if (o->anchors != NULL && verify_load_anchors(&v, buf, LINE_MAX_V) != 0) {
		fprintf(out, "%s: %s\n", v.bad_file, v.why);
		rc = 2;
		goto done;
	}
	/* Rotated files are put in the order of their own records. */
	for (i = 0; i < n; i++) {
		vf[i].name = files[i];
		vf[i].given = i;
		if ((vf[i].first = verify_first_seq(files[i], buf, LINE_MAX_V)) == LLONG_MIN) {
			fprintf(out, "%s: %s\n", files[i], strerror(errno ? errno : EIO));
			rc = 2;
			goto done;
		}
	}
	qsort(vf, (size_t)n, sizeof *vf, verify_cmp);
	for (i = 0; i < n; i++)
		reordered |= vf[i].given != i;
	if (reordered) {
		char order[2048];
		struct strbuf sb;

		str_init(&sb, order, sizeof order);
		for (i = 0; i < n; i++) {
			str_append(&sb, i ? ", " : "");
			str_append(&sb, vf[i].name);
		}
		verify_note(&v, "files given out of order; checked in the order of their records: "
		    "%s", order);
	}
	for (i = 0; i < n && rc == 0; i++) {
		gzFile g = gzopen(vf[i].name, "rb");
		size_t line = 0;
		long len;

		if (g == NULL) {
			fprintf(out, "%s: %s\n", vf[i].name, strerror(errno ? errno : EIO));
			rc = 2;
			goto done;
		}
		while (rc == 0 && (len = verify_gets(g, buf, LINE_MAX_V)) != 0)
			rc = verify_record(&v, vf[i].name, ++line, buf, len);
		if (rc == 0) {
			int ze;
			const char *zm = gzerror(g, &ze);

			if (ze != Z_OK && ze != Z_BUF_ERROR)
				rc = verify_bad(&v, vf[i].name, line + 1, "unreadable: %s", zm);
			else if (ze == Z_BUF_ERROR)
				rc = verify_bad(&v, vf[i].name, line + 1, "the compressed file is cut "
				    "short");
		}
		gzclose(g);
	}
	if (rc == 0) {
		verify_end(&v);
		rc = v.why[0] ? 1 : 0;
	}
	verify_report(&v, vf, n, reordered, rc);
done:
	checkpoint_key_free(v.key);
	free(v.an);
	json_decref(v.notes);
	free(vf);
	free(buf);
	return rc;
}
