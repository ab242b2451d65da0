/* report.c - the audit log summed up: denials and would-denials per day and per rule,
 * top images, users and containers, exemptions used and expiring, reloads with their
 * policy hashes, and what went wrong with the log itself. One pass over the records;
 * HTML with inline SVG charts (readable without JavaScript, nothing fetched) or JSON.
 * Every string from the log is untrusted and escaped where it is printed. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cisgate/exemption.h"
#include "cisgate/report.h"
#include "cisgate/str.h"

/* Counters are jansson objects: key -> [deny, would_deny, warn]. */
enum { C_DENY = 0, C_WOULD, C_WARN, C_N };

struct rep {
	size_t records, decisions, denies, would, warns, allows, events;
	size_t unreadable;
	json_t *days, *rules, *images, *users, *containers, *exempt;
	json_t *reloads;  /* [{time, event, policy_sha256, detail}] */
	json_t *failures; /* [{where, what}] */
	long long last_seq;
	const char *file;
	const struct report_opts *o;
};

/* Adds one to slot i of key's counter in obj. */
static int
report_count(json_t *obj, const char *key, int i)
{
	json_t *a = json_object_get(obj, key);

	if (a == NULL) {
		if ((a = json_pack("[i, i, i]", 0, 0, 0)) == NULL ||
		    json_object_set_new(obj, key, a) != 0)
			return -1;
	}
	return json_array_set_new(a, (size_t)i,
	    json_integer(json_integer_value(json_array_get(a, (size_t)i)) + 1));
}

static int
report_fail(struct rep *R, size_t line, const char *what)
{
	char where[512];

	snprintf(where, sizeof where, "%s:%zu", R->file, line);
	return json_array_append_new(R->failures,
	    json_pack("{s:s, s:s}", "where", where, "what", what));
}

/* One decision record. */
static int
report_decision(struct rep *R, json_t *rec, const char *time)
{
	const char *dec = json_string_value(json_object_get(rec, "decision"));
	bool would = json_is_true(json_object_get(rec, "would_deny"));
	json_t *vs = json_object_get(rec, "violations"), *v;
	char day[11];
	int slot;
	size_t i;

	R->decisions++;
	if (strcmp(dec, "deny") == 0) {
		R->denies++;
		slot = C_DENY;
	} else if (would) {
		R->would++;
		slot = C_WOULD;
	} else if (strcmp(dec, "warn") == 0) {
		R->warns++;
		slot = C_WARN;
	} else {
		R->allows++;
		slot = -1;
	}
	/* Exemptions count whatever the decision: a waiver used is worth knowing. */
	json_array_foreach(vs, i, v) {
		const char *by = json_string_value(json_object_get(v, "waived_by"));

		if (by != NULL && report_count(R->exempt, by, 0) != 0)
			return -1;
	}
	if (slot < 0)
		return 0;
	str_copy(day, time, sizeof day);
	if (report_count(R->days, day, slot) != 0)
		return -1;
	json_array_foreach(vs, i, v) {
		const char *rule = json_string_value(json_object_get(v, "rule"));
		const char *act = json_string_value(json_object_get(v, "action"));

		if (rule == NULL || json_object_get(v, "waived_by") != NULL)
			continue;
		/* A denied record counts the rules that denied; a warned one, the warnings. */
		if (slot != C_WARN && act != NULL && strcmp(act, "deny") != 0)
			continue;
		if (report_count(R->rules, rule, slot) != 0)
			return -1;
	}
	if (slot == C_WARN)
		return 0;
	{
		const char *img = json_string_value(json_object_get(rec, "image"));
		const char *usr = json_string_value(json_object_get(rec, "user"));
		const char *ctr = json_string_value(json_object_get(rec, "container"));

		if (img && *img && report_count(R->images, img, slot) != 0)
			return -1;
		if (report_count(R->users, usr && *usr ? usr : "(unix socket)", slot) != 0)
			return -1;
		if (ctr && *ctr && report_count(R->containers, ctr, slot) != 0)
			return -1;
	}
	return 0;
}

/* One line of a log. */
static int
report_line(struct rep *R, char *line, size_t lineno)
{
	json_t *rec = json_loads(line, JSON_REJECT_DUPLICATES, NULL), *seq;
	const char *time, *event;
	int rc = 0;

	if (rec == NULL || !json_is_object(rec) ||
	    (time = json_string_value(json_object_get(rec, "time"))) == NULL || strlen(time) < 10) {
		json_decref(rec);
		R->unreadable++;
		return report_fail(R, lineno, "not an audit record");
	}
	seq = json_object_get(rec, "seq");
	if (json_is_integer(seq)) {
		long long s = json_integer_value(seq);

		/* Records are numbered without gaps across restarts and rotation. */
		if (R->last_seq > 0 && s != R->last_seq + 1) {
			char what[96];

			snprintf(what, sizeof what,
			    "sequence jumps from %lld to %lld (records missing?)", R->last_seq, s);
			rc = report_fail(R, lineno, what);
		}
		R->last_seq = s;
	}
	if (R->o->since != NULL && strncmp(time, R->o->since, strlen(R->o->since)) < 0) {
		json_decref(rec);
		return rc;
	}
	R->records++;
	if ((event = json_string_value(json_object_get(rec, "event"))) != NULL) {
		const char *sha = json_string_value(json_object_get(rec, "policy_sha256"));
		const char *detail = json_string_value(json_object_get(rec, "detail"));

		R->events++;
		if (strcmp(event, "recovered") == 0 || strcmp(event, "reload-failed") == 0) {
			char what[1200];

			snprintf(what, sizeof what, "%s%s%s", event, detail ? ": " : "",
			    detail ? detail : "");
			rc |= report_fail(R, lineno, what);
		}
		if (strcmp(event, "recovered") != 0)
			rc |= json_array_append_new(R->reloads,
			    json_pack("{s:s, s:s, s:s, s:s}", "time", time, "event", event,
			        "policy_sha256", sha ? sha : "", "detail", detail ? detail : ""));
	} else if (json_is_string(json_object_get(rec, "decision")))
		rc = report_decision(R, rec, time);
	else {
		R->unreadable++;
		rc = report_fail(R, lineno, "a record with neither decision nor event");
	}
	json_decref(rec);
	return rc;
}

static int
report_file(struct rep *R, const char *path)
{
	gzFile g;
	char *buf;
	size_t lineno = 0, n;
	bool skipping = false;
	int rc = 0;

	/* zlib reads plain files as they are, so rotated .gz and live logs go one way. */
	if ((g = gzopen(path, "rb")) == NULL) {
		fprintf(stderr, "cisgate: %s: cannot open\n", path);
		return 2;
	}
	if ((buf = malloc(REPORT_LINE_MAX + 2)) == NULL) {
		gzclose(g);
		return 2;
	}
	R->file = path;
	while (rc == 0 && gzgets(g, buf, (int)REPORT_LINE_MAX + 2) != NULL) {
		n = strlen(buf);
		if (n == 0 || buf[n - 1] != '\n') {
			/* Longer than any record, or a torn last line. */
			if (!skipping) {
				lineno++;
				R->unreadable++;
				rc = report_fail(R, lineno, "line too long or cut off");
			}
			skipping = true;
			continue;
		}
		if (skipping) {
			skipping = false;
			continue;
		}
		lineno++;
		buf[n - 1] = '\0';
		if (buf[0] == '\0')
			continue;
		rc = report_line(R, buf, lineno);
	}
	free(buf);
	gzclose(g);
	return rc != 0 ? 2 : 0;
}

/* --- ordering ---------------------------------------------------------------------- */

struct kv {
	const char *key;
	long long n[C_N];
	long long sum;
};

static int
report_kv_by_count(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;

	if (x->sum != y->sum)
		return x->sum > y->sum ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int
report_kv_by_key(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

/* The counters of obj as an array (allocates), counting the slots in mask, ordered by
 * key (by_key) or by count; *n entries. */
static struct kv *
report_sorted(json_t *obj, unsigned mask, bool by_key, size_t *n)
{
	struct kv *v = malloc((json_object_size(obj) + 1) * sizeof *v);
	const char *key;
	json_t *a;
	size_t i = 0;
	int s;

	*n = 0;
	if (v == NULL)
		return NULL;
	json_object_foreach(obj, key, a) {
		v[i].key = key;
		v[i].sum = 0;
		for (s = 0; s < C_N; s++) {
			v[i].n[s] = json_integer_value(json_array_get(a, (size_t)s));
			if (mask & (1u << s))
				v[i].sum += v[i].n[s];
		}
		if (v[i].sum > 0 || by_key)
			i++;
	}
	qsort(v, i, sizeof *v, by_key ? report_kv_by_key : report_kv_by_count);
	*n = i;
	return v;
}

/* --- HTML -------------------------------------------------------------------------- */

static void
html_esc(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if ((unsigned char)*s < 0x20)
				fputc(' ', f);
			else
				fputc(*s, f);
		}
}

/* A label cut to max bytes, on a UTF-8 boundary, with an ellipsis. */
static void
html_label(FILE *f, const char *s, size_t max)
{
	char buf[256];
	size_t n = strlen(s);

	if (max >= sizeof buf)
		max = sizeof buf - 1;
	if (n <= max) {
		html_esc(f, s);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	memcpy(buf, s, max);
	buf[max] = '\0';
	html_esc(f, buf);
	fputs("\xe2\x80\xa6", f);
}

static const char *const slot_color[C_N] = {"#c62828", "#ef8f00", "#7b8fa6"};
static const char *const slot_name[C_N] = {"denied", "would deny (audit mode)", "warned"};

/* Vertical stacked bars per day: deny and would-deny. */
static void
html_days(FILE *f, struct rep *R)
{
	size_t n, i;
	struct kv *v = report_sorted(R->days, 1u << C_DENY | 1u << C_WOULD, true, &n);
	long long max = 1, total = 0;
	const int W = 760, H = 220, top = 20, bottom = 40, left = 44;
	double bw;

	for (i = 0; v != NULL && i < n; i++) {
		if (v[i].n[C_DENY] + v[i].n[C_WOULD] > max)
			max = v[i].n[C_DENY] + v[i].n[C_WOULD];
		total += v[i].n[C_DENY] + v[i].n[C_WOULD];
	}
	fprintf(f,
	    "<h2>Denials per day</h2>\n<svg class=\"chart\" data-chart=\"per-day\" "
	    "data-sum=\"%lld\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"denials per day\">\n",
	    total, W, H, W, H);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", left,
	    H - bottom, W, H - bottom);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"end\">%lld</text>\n",
	    left - 4, top + 4, max);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"end\">0</text>\n",
	    left - 4, H - bottom);
	bw = n ? (double)(W - left - 10) / (double)n : 0;
	if (bw > 60)
		bw = 60;
	for (i = 0; v != NULL && i < n; i++) {
		double x = left + 6 + bw * (double)i, y = H - bottom;
		int s;

		for (s = C_DENY; s <= C_WOULD; s++) {
			double h = (double)(H - top - bottom) * (double)v[i].n[s] / (double)max;

			if (v[i].n[s] == 0)
				continue;
			y -= h;
			fprintf(f,
			    "<rect class=\"bar\" data-n=\"%lld\" x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
			    v[i].n[s], x, y, bw * 0.8, h, slot_color[s]);
			html_esc(f, v[i].key);
			fprintf(f, ": %lld %s</title></rect>\n", v[i].n[s], slot_name[s]);
		}
		fprintf(f,
		    "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">"
		    "%lld</text>\n",
		    x + bw * 0.4, (int)(y - 4 > top - 8 ? y - 4 : top - 8),
		    v[i].n[C_DENY] + v[i].n[C_WOULD]);
		/* Every day labelled when they fit, else every k-th. */
		if (n <= 12 || i % (n / 12 + 1) == 0) {
			fprintf(f,
			    "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">",
			    x + bw * 0.4, H - bottom + 16);
			html_esc(f, v[i].key + 5);
			fprintf(f, "</text>\n");
		}
	}
	if (n == 0)
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis\">no denials</text>\n", W / 2 - 40,
		    H / 2);
	fprintf(f, "</svg>\n");
	fprintf(f,
	    "<p class=\"legend\"><span style=\"background:%s\"></span>denied "
	    "<span style=\"background:%s\"></span>would deny (audit mode)</p>\n",
	    slot_color[C_DENY], slot_color[C_WOULD]);
	free(v);
}

/* Horizontal stacked bars: the top entries of obj. */
static void
html_hbars(FILE *f, const char *title, const char *id, json_t *obj, unsigned mask)
{
	size_t n, i;
	struct kv *v = report_sorted(obj, mask, false, &n);
	long long max = 1, total = 0;
	const int W = 760, row = 24, label = 260;
	size_t shown = n < REPORT_TOP ? n : REPORT_TOP;
	int s;

	for (i = 0; v != NULL && i < n; i++) {
		total += v[i].sum;
		if (v[i].sum > max)
			max = v[i].sum;
	}
	fprintf(f,
	    "<h2>%s</h2>\n<svg class=\"chart\" data-chart=\"%s\" data-sum=\"%lld\" "
	    "width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\" role=\"img\" aria-label=\"%s\">\n",
	    title, id, total, W, shown * row + 8, W, shown * row + 8, title);
	for (i = 0; v != NULL && i < shown; i++) {
		double x = label, y = 4 + (double)(i * row);

		fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"lbl\" text-anchor=\"end\">",
		    label - 6, y + 15);
		html_label(f, v[i].key, 36);
		fprintf(f, "<title>");
		html_esc(f, v[i].key);
		fprintf(f, "</title></text>\n");
		for (s = 0; s < C_N; s++) {
			double w = (double)(W - label - 60) * (double)v[i].n[s] / (double)max;

			if (!(mask & (1u << s)) || v[i].n[s] == 0)
				continue;
			fprintf(f,
			    "<rect class=\"bar\" data-n=\"%lld\" x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"18\" fill=\"%s\"><title>%lld %s</title></rect>\n",
			    v[i].n[s], x, y + 2, w, slot_color[s], v[i].n[s], slot_name[s]);
			x += w;
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"num\">%lld</text>\n", x + 6, y + 15,
		    v[i].sum);
	}
	if (shown == 0)
		fprintf(f, "<text x=\"10\" y=\"20\" class=\"axis\">none</text>\n");
	fprintf(f, "</svg>\n");
	if (n > shown)
		fprintf(f, "<p class=\"more\">and %zu more</p>\n", n - shown);
	free(v);
}

static void
html_page(FILE *f, struct rep *R)
{
	const unsigned dw = 1u << C_DENY | 1u << C_WOULD;
	json_t *e;
	size_t i, n;
	struct kv *v;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n<title>cisgate audit report</title>\n<style>\n"
	      "body{font:14px/1.4 sans-serif;margin:24px auto;max-width:800px;color:#222}\n"
	      "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}\n"
	      ".tiles{display:flex;gap:12px;flex-wrap:wrap}.tile{border:1px solid #ddd;"
	      "border-radius:6px;padding:8px 14px;min-width:110px}.tile b{display:block;"
	      "font-size:24px}.deny b{color:#c62828}.would b{color:#ef8f00}\n"
	      "svg text{font:12px sans-serif;fill:#333}.legend span{display:inline-block;"
	      "width:12px;height:12px;margin:0 4px 0 12px}\n"
	      "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;"
	      "padding:3px 6px;text-align:left;font-size:13px}code{font-size:12px}\n"
	      ".more{color:#666;font-size:12px}\n</style></head><body>\n"
	      "<h1>cisgate audit report</h1>\n",
	    f);
	fprintf(f, "<p>%zu records read", R->records);
	if (R->o->since) {
		fputs(" since ", f);
		html_esc(f, R->o->since);
	}
	fputs(".</p>\n<div class=\"tiles\">\n", f);
	fprintf(f, "<div class=\"tile deny\" id=\"n-deny\"><b>%zu</b>denied</div>\n", R->denies);
	fprintf(f, "<div class=\"tile would\" id=\"n-would\"><b>%zu</b>would deny</div>\n",
	    R->would);
	fprintf(f, "<div class=\"tile\" id=\"n-warn\"><b>%zu</b>warned</div>\n", R->warns);
	fprintf(f, "<div class=\"tile\" id=\"n-allow\"><b>%zu</b>allowed (recorded)</div>\n",
	    R->allows);
	fprintf(f, "<div class=\"tile\" id=\"n-fail\"><b>%zu</b>audit problems</div>\n</div>\n",
	    json_array_size(R->failures));
	html_days(f, R);
	html_hbars(f, "Denials per rule", "per-rule", R->rules, dw);
	html_hbars(f, "Warnings per rule", "warn-rule", R->rules, 1u << C_WARN);
	html_hbars(f, "Top images", "images", R->images, dw);
	html_hbars(f, "Top users", "users", R->users, dw);
	html_hbars(f, "Top containers", "containers", R->containers, dw);

	fputs("<h2>Exemptions used</h2>\n<table id=\"exemptions\"><tr><th>exemption</th>"
	      "<th>violations waived</th></tr>\n",
	    f);
	v = report_sorted(R->exempt, 1u << C_DENY, false, &n);
	for (i = 0; v != NULL && i < n; i++) {
		fputs("<tr><td>", f);
		html_esc(f, v[i].key);
		fprintf(f, "</td><td>%lld</td></tr>\n", v[i].sum);
	}
	free(v);
	fputs("</table>\n", f);
	if (R->o->policy != NULL) {
		const struct policy *p = R->o->policy;
		bool any = false;

		fprintf(f,
		    "<h2>Exemptions expiring within %d days</h2>\n<table id=\"expiring\">"
		    "<tr><th>exemption</th><th>expires (UTC)</th><th>reason</th></tr>\n",
		    REPORT_EXPIRY_DAYS);
		for (i = 0; i < p->nex; i++) {
			char when[32];
			time_t last = p->ex[i].expires - 1;
			struct tm tm;

			if (p->ex[i].expires == 0 ||
			    p->ex[i].expires > R->o->now + REPORT_EXPIRY_DAYS * 86400)
				continue;
			gmtime_r(&last, &tm);
			strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
			fputs("<tr><td>", f);
			html_esc(f, p->ex[i].name);
			fprintf(f, "</td><td>%s%s</td><td>", when,
			    p->ex[i].expires <= R->o->now ? " (expired)" : "");
			html_esc(f, p->ex[i].reason);
			fputs("</td></tr>\n", f);
			any = true;
		}
		fprintf(f, "%s</table>\n", any ? "" : "<tr><td colspan=\"3\">none</td></tr>\n");
	}
	fputs("<h2>Starts and reloads</h2>\n<table id=\"reloads\"><tr><th>time</th><th>event"
	      "</th><th>policy SHA-256</th></tr>\n",
	    f);
	json_array_foreach(R->reloads, i, e) {
		fputs("<tr><td>", f);
		html_esc(f, json_string_value(json_object_get(e, "time")));
		fputs("</td><td>", f);
		html_esc(f, json_string_value(json_object_get(e, "event")));
		fputs("</td><td><code>", f);
		html_label(f, json_string_value(json_object_get(e, "policy_sha256")), 16);
		fputs("</code></td></tr>\n", f);
	}
	fputs("</table>\n<h2>Audit problems</h2>\n<table id=\"failures\"><tr><th>where</th>"
	      "<th>what</th></tr>\n",
	    f);
	json_array_foreach(R->failures, i, e) {
		fputs("<tr><td>", f);
		html_esc(f, json_string_value(json_object_get(e, "where")));
		fputs("</td><td>", f);
		html_esc(f, json_string_value(json_object_get(e, "what")));
		fputs("</td></tr>\n", f);
	}
	if (json_array_size(R->failures) == 0)
		fputs("<tr><td colspan=\"2\">none</td></tr>\n", f);
	fputs("</table>\n<p class=\"more\">The chain itself is checked by <code>cisgate audit "
	      "verify</code>.</p>\n</body></html>\n",
	    f);
}

/* --- JSON -------------------------------------------------------------------------- */

static json_t *
json_counts(json_t *obj, unsigned mask, bool by_key)
{
	size_t n, i;
	struct kv *v = report_sorted(obj, mask, by_key, &n);
	json_t *a = json_array();

	for (i = 0; v != NULL && a != NULL && i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:s, s:I, s:I, s:I}", "name", v[i].key, "deny",
		        (json_int_t)v[i].n[C_DENY], "would_deny", (json_int_t)v[i].n[C_WOULD],
		        "warn", (json_int_t)v[i].n[C_WARN]));
	free(v);
	return a;
}

static void
json_page(FILE *f, struct rep *R)
{
	const unsigned dw = 1u << C_DENY | 1u << C_WOULD;
	json_t *root = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, "
	                         "s:O, s:O}",
	    "records", (json_int_t)R->records, "denied", (json_int_t)R->denies, "would_deny",
	    (json_int_t)R->would, "warned", (json_int_t)R->warns, "allowed", (json_int_t)R->allows,
	    "unreadable", (json_int_t)R->unreadable, "per_day", json_counts(R->days, dw, true),
	    "per_rule", json_counts(R->rules, dw | 1u << C_WARN, false), "images",
	    json_counts(R->images, dw, false), "users", json_counts(R->users, dw, false),
	    "containers", json_counts(R->containers, dw, false), "exemptions_used",
	    json_counts(R->exempt, 1u << C_DENY, false), "reloads", R->reloads, "failures",
	    R->failures);

	if (root == NULL) {
		fprintf(stderr, "cisgate: out of memory\n");
		return;
	}
	json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(root);
}

int
report_run(const char *const *files, int n, const struct report_opts *o, FILE *out)
{
	struct rep R;
	int i, rc = 0;

	memset(&R, 0, sizeof R);
	R.o = o;
	R.days = json_object();
	R.rules = json_object();
	R.images = json_object();
	R.users = json_object();
	R.containers = json_object();
	R.exempt = json_object();
	R.reloads = json_array();
	R.failures = json_array();
	if (!R.days || !R.rules || !R.images || !R.users || !R.containers || !R.exempt ||
	    !R.reloads || !R.failures) {
		fprintf(stderr, "cisgate: out of memory\n");
		rc = 2;
	}
	for (i = 0; rc == 0 && i < n; i++)
		rc = report_file(&R, files[i]);
	if (rc == 0) {
		if (o->format == REPORT_JSON)
			json_page(out, &R);
		else
			html_page(out, &R);
	}
	json_decref(R.days);
	json_decref(R.rules);
	json_decref(R.images);
	json_decref(R.users);
	json_decref(R.containers);
	json_decref(R.exempt);
	json_decref(R.reloads);
	json_decref(R.failures);
	return rc;
}
