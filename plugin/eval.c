/* eval.c - runs the rule table over a view, applies exemptions, writes the message. Pure. */
#include <string.h>
#include <strings.h>

#include "cisgate/eval.h"
#include "cisgate/evalfacts.h"
#include "cisgate/exemption.h"
#include "cisgate/rules.h"
#include "cisgate/str.h"

const char *
eval_outcome_name(enum outcome o)
{
	return o == OUT_DENY ? "deny" : o == OUT_WARN ? "warn" : "allow";
}

/* Messages quote request strings (paths, users) and end up on a terminal: no control
 * bytes, so no escape sequences. */
static void
eval_printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void
eval_reset(struct decision *d)
{
	d->allow = true;
	d->outcome = OUT_ALLOW;
	d->would_deny = false;
	d->exemption = NULL;
	d->nv = 0;
	d->msg[0] = '\0';
}

void
eval_deny_unreadable(struct decision *d, const char *reason)
{
	struct strbuf sb;

	eval_reset(d);
	d->allow = false;
	d->outcome = OUT_DENY;
	d->v[0].rule = -1;
	d->v[0].action = ACT_DENY;
	d->v[0].waived_by = NULL;
	str_copy(d->v[0].text, reason, sizeof d->v[0].text);
	d->nv = 1;
	str_init(&sb, d->msg, sizeof d->msg);
	str_appendf(&sb, "cisgate denied this request: %s", reason);
}

bool
eval_is_self(const struct policy *p, const char *ref)
{
	char base[CG_ID_MAX];
	const char *b = strrchr(ref, '/'), *s;
	size_t i, n;

	if (ref[0] == '\0')
		return false;
	/* An ID or ID prefix could be cisgate's own: cisgate cannot know its ID. */
	if (strspn(ref, "0123456789abcdefABCDEF") == strlen(ref))
		return true;
	b = b ? b + 1 : ref;
	n = strcspn(b, ":@");
	if (n >= sizeof base)
		n = sizeof base - 1;
	memcpy(base, b, n);
	base[n] = '\0';
	for (i = 0; i < p->self_names.n; i++) {
		s = p->self_names.v[i];
		if (strcasecmp(base, s) == 0)
			return true;
	}
	return false;
}

static void
eval_message(struct decision *d)
{
	struct strbuf sb;
	size_t i, shown = 0, total = 0;

	str_init(&sb, d->msg, sizeof d->msg);
	str_append(&sb, "cisgate denied this request: ");
	for (i = 0; i < d->nv; i++) {
		if (d->v[i].action != ACT_DENY || d->v[i].waived_by != NULL)
			continue;
		total++;
		/* Leave room for the "+N more" tail; a violation that does not fit is counted. */
		if (sb.len + strlen(d->v[i].text) + 3 + 64 >= sb.cap)
			continue;
		if (shown++ > 0)
			str_append(&sb, " | ");
		str_append(&sb, d->v[i].text);
	}
	if (shown < total)
		str_appendf(&sb, " | (+%zu more; run `cisgate check` for all)", total - shown);
}

void
eval_request(const struct policy *p, const struct endpoint *ep, const struct docker_view *v,
    const char *user, time_t now, struct decision *d)
{
	eval_request_ctx(p, ep, v, NULL, user, now, d);
}

void
eval_request_ctx(const struct policy *p, const struct endpoint *ep,
    const struct docker_view *v, const struct eval_facts *f, const char *user, time_t now,
    struct decision *d)
{
	unsigned kind = 1u << ep->kind;
	bool deny = false, warn = false;
	int r;

	eval_reset(d);
	switch (ep->kind) {
	case EP_PLUGIN_DISABLE:
	case EP_PLUGIN_REMOVE:
	case EP_PLUGIN_SET:
	case EP_PLUGIN_UPGRADE:
		/* Never switchable off through the API it guards: no mode, no exemption. */
		if (eval_is_self(p, ep->target)) {
			eval_deny_unreadable(d, "cisgate protects itself: this would disable, remove, "
			    "reconfigure or upgrade the authorization plugin; change it on the host "
			    "instead (a plugin ID is refused too: name the plugin)");
		}
		return;
	default:
		break;
	}

	/* Rules read bodies; a request without one (a plain start) has nothing to judge. */
	if (!v->has_body)
		return;
	for (r = 0; r < R_COUNT && d->nv < CG_VIOLATIONS_MAX; r++) {
		const struct rule_def *rd = &rules_table[r];
		struct violation *vi = &d->v[d->nv];
		struct strbuf sb;
		size_t j;

		if (p->actions[r] == ACT_OFF || !(rd->kinds & kind))
			continue;
		str_init(&sb, vi->text, sizeof vi->text);
		str_append(&sb, rd->prefix);
		if (!rules_check(r, p, v, f, &sb))
			continue;
		eval_printable(vi->text);
		vi->rule = r;
		vi->action = p->actions[r];
		vi->waived_by = NULL;
		for (j = 0; j < p->nex; j++) {
			if (p->ex[j].rules[r] && exemption_matches(&p->ex[j], v, user, now)) {
				vi->waived_by = &p->ex[j];
				if (d->exemption == NULL)
					d->exemption = &p->ex[j];
				break;
			}
		}
		d->nv++;
		if (vi->waived_by != NULL)
			continue;
		if (vi->action == ACT_DENY)
			deny = true;
		else
			warn = true;
	}
	if (deny && p->mode == MODE_ENFORCE) {
		d->allow = false;
		d->outcome = OUT_DENY;
		eval_message(d);
	} else if (deny || warn) {
		d->outcome = OUT_WARN;
		d->would_deny = deny;
	}
}
