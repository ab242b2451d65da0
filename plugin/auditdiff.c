/* auditdiff.c - `cisgate audit diff`: the shadow policy's extra denials, per rule. Reads
 * logs cisgate wrote, but trusts them no more than any file: lines are bounded, anything
 * that is not a record is skipped and counted. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/auditdiff.h"
#include "cisgate/limits.h"
#include "cisgate/rules.h"
#include "cisgate/str.h"

#define AUDITDIFF_IMAGES 3 /* example images shown per rule */

struct diff_rule {
	unsigned long count;
	char images[AUDITDIFF_IMAGES][128];
	size_t nimages;
};

struct diff {
	unsigned long records, shadowed, extra, bad;
	char first[40], last[40];
	struct diff_rule rules[R_COUNT + 1]; /* the last: "request" (unreadable) */
};

static const char *
diff_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The rule's slot, or NULL for a name this build does not know. */
static struct diff_rule *
diff_slot(struct diff *d, const char *rule)
{
	int r;

	if (strcmp(rule, "request") == 0)
		return &d->rules[R_COUNT];
	r = rules_find(rule);
	return r < 0 ? NULL : &d->rules[r];
}

static void
diff_note_image(struct diff_rule *dr, const char *image)
{
	size_t i;

	if (image[0] == '\0')
		return;
	for (i = 0; i < dr->nimages; i++)
		if (strcmp(dr->images[i], image) == 0)
			return;
	if (dr->nimages < AUDITDIFF_IMAGES)
		str_copy(dr->images[dr->nimages++], image, sizeof dr->images[0]);
}

/* One record: counted when the shadow denies and the enforced decision is not a deny. */
static void
diff_record(struct diff *d, json_t *rec, const char *since, const char *until)
{
	json_t *sh, *vs, *v;
	const char *t = diff_str(rec, "time");
	size_t i;

	if (t[0] == '\0' || json_object_get(rec, "decision") == NULL)
		return; /* lifecycle events */
	if ((since != NULL && strcmp(t, since) < 0) ||
	    (until != NULL && strncmp(t, until, strlen(until)) > 0))
		return;
	d->records++;
	if (d->first[0] == '\0' || strcmp(t, d->first) < 0)
		str_copy(d->first, t, sizeof d->first);
	if (strcmp(t, d->last) > 0)
		str_copy(d->last, t, sizeof d->last);
	if (!json_is_object(sh = json_object_get(rec, "shadow")))
		return;
	d->shadowed++;
	if (strcmp(diff_str(sh, "decision"), "deny") != 0 ||
	    strcmp(diff_str(rec, "decision"), "deny") == 0)
		return;
	d->extra++;
	vs = json_object_get(sh, "violations");
	json_array_foreach(vs, i, v) {
		struct diff_rule *dr;

		if (strcmp(diff_str(v, "action"), "deny") != 0 ||
		    json_object_get(v, "waived_by") != NULL ||
		    (dr = diff_slot(d, diff_str(v, "rule"))) == NULL)
			continue;
		dr->count++;
		diff_note_image(dr, diff_str(rec, "image"));
	}
}

static int
diff_file(struct diff *d, const char *path, const char *since, const char *until)
{
	FILE *f = fopen(path, "r");
	char *line;
	size_t cap = CG_AUDIT_RECORD_MAX + 256;

	if (f == NULL) {
		fprintf(stderr, "cisgate: %s: cannot open\n", path);
		return -1;
	}
	if ((line = malloc(cap)) == NULL) {
		fclose(f);
		fprintf(stderr, "cisgate: out of memory\n");
		return -1;
	}
	while (fgets(line, (int)cap, f) != NULL) {
		size_t n = strlen(line);
		json_t *rec;
		int c;

		if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
			/* Longer than any record cisgate writes: skip the rest of it. */
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			d->bad++;
			continue;
		}
		if ((rec = json_loadb(line, n, 0, NULL)) == NULL || !json_is_object(rec)) {
			d->bad++;
			json_decref(rec);
			continue;
		}
		diff_record(d, rec, since, until);
		json_decref(rec);
	}
	free(line);
	fclose(f);
	return 0;
}

int
auditdiff_run(const char *const *files, int n, const char *since, const char *until,
    FILE *out)
{
	struct diff *d = calloc(1, sizeof *d);
	int i, r;

	if (d == NULL) {
		fprintf(stderr, "cisgate: out of memory\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		if (diff_file(d, files[i], since, until) != 0) {
			free(d);
			return 2;
		}
	fprintf(out, "records: %lu (%s .. %s), %lu with a shadow decision%s\n", d->records,
	    d->first[0] ? d->first : "-", d->last[0] ? d->last : "-", d->shadowed,
	    d->bad ? " (some lines were not records)" : "");
	fprintf(out, "the shadow policy would have denied %lu request%s the enforced one "
	    "allowed\n", d->extra, d->extra == 1 ? "" : "s");
	for (r = 0; r <= R_COUNT; r++) {
		const struct diff_rule *dr = &d->rules[r];
		size_t j;

		if (dr->count == 0)
			continue;
		fprintf(out, "  %-20s %6lu", r < R_COUNT ? rules_table[r].name : "request",
		    dr->count);
		for (j = 0; j < dr->nimages; j++)
			fprintf(out, "%s%s", j ? ", " : "  e.g. ", dr->images[j]);
		fprintf(out, "\n");
	}
	free(d);
	return 0;
}
