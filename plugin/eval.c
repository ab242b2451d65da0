/* eval.c - runs the rule table over a view, applies exemptions, writes the message. Pure. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cisgate/cves.h"
#include "cisgate/docker.h"
#include "cisgate/eval.h"
#include "cisgate/evalfacts.h"
#include "cisgate/exemption.h"
#include "cisgate/rules.h"
#include "cisgate/runfacts.h"
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
	d->expired = NULL;
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
	d->v[0].expired = NULL;
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

/* " (exemption NAME expired on DATE)": why a waiver the team counted on no longer
 * applies. Date in UTC. */
static void
eval_expired_note(struct strbuf *sb, const struct exemption *x)
{
	struct tm tm;

	if (gmtime_r(&x->expires, &tm) == NULL)
		return;
	str_appendf(sb, " (exemption %.48s expired on %04d-%02d-%02d %02d:%02d UTC; renew it "
	    "or fix the request)", x->name, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min);
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
		if (d->v[i].expired != NULL)
			eval_expired_note(&sb, d->v[i].expired);
	}
	if (shown < total)
		str_appendf(&sb, " | (+%zu more; run `cisgate check` for all)", total - shown);
}

void
eval_deny_also(struct decision *d, const char *reason)
{
	size_t n = d->nv < CG_VIOLATIONS_MAX ? d->nv : CG_VIOLATIONS_MAX - 1;

	/* First, so that the message says it before the rules' findings. */
	memmove(&d->v[1], &d->v[0], n * sizeof d->v[0]);
	d->v[0].rule = -1;
	d->v[0].action = ACT_DENY;
	d->v[0].waived_by = NULL;
	str_copy(d->v[0].text, reason, sizeof d->v[0].text);
	d->nv = n + 1;
	d->allow = false;
	d->outcome = OUT_DENY;
	d->would_deny = false;
	eval_message(d);
}

/* Starts violation d->v[d->nv] of rule r: its "[CIS x] name: " prefix in *sb. False when
 * the rule is off or the list is full. */
static bool
eval_begin(const struct policy *p, int r, struct decision *d, struct strbuf *sb)
{
	const struct rule_def *rd = &rules_table[r];

	if (p->actions[r] == ACT_OFF || d->nv >= CG_VIOLATIONS_MAX)
		return false;
	str_init(sb, d->v[d->nv].text, sizeof d->v[d->nv].text);
	if (rd->cis[0] == '\0')
		str_appendf(sb, "[cisgate] %s: ", rd->name); /* not a CIS rule */
	else
		str_append(sb, rd->prefix);
	return true;
}

/* Keeps violation d->v[d->nv] of rule r, whose text is written: the policy's action and
 * the first exemption that waives it for this request. */
static void
eval_keep(const struct policy *p, int r, const struct docker_view *v,
    const struct eval_facts *f, const char *user, time_t now, struct decision *d)
{
	struct violation *vi = &d->v[d->nv];
	size_t j;

	eval_printable(vi->text);
	vi->rule = r;
	vi->action = p->actions[r];
	vi->waived_by = NULL;
	vi->expired = NULL;
	for (j = 0; j < p->nex; j++) {
		if (p->ex[j].rules[r] && exemption_matches_ctx(&p->ex[j], v, f, user, now)) {
			vi->waived_by = &p->ex[j];
			if (d->exemption == NULL)
				d->exemption = &p->ex[j];
			break;
		}
	}
	/* An expired exemption that would match: the one moment it must be named. */
	for (j = 0; vi->waived_by == NULL && vi->expired == NULL && j < p->nex; j++) {
		const struct exemption *x = &p->ex[j];

		if (x->rules[r] && x->expires != 0 && now >= x->expires &&
		    exemption_matches_ctx(x, v, f, user, x->expires - 1)) {
			vi->expired = x;
			if (d->expired == NULL)
				d->expired = x;
		}
	}
	d->nv++;
}

/* Self-protection: the plugin routes that could put another program in cisgate's place
 * or switch it off. No mode, no exemption. True when it denied. */
static bool
eval_self(const struct policy *p, const struct endpoint *ep, struct decision *d)
{
	switch (ep->kind) {
	case EP_PLUGIN_DISABLE:
	case EP_PLUGIN_REMOVE:
	case EP_PLUGIN_SET:
	case EP_PLUGIN_UPGRADE:
	case EP_PLUGIN_ENABLE:
		if (!eval_is_self(p, ep->target))
			return false;
		eval_deny_unreadable(d, "cisgate protects itself: this would disable, remove, "
		    "reconfigure, upgrade or enable the authorization plugin; change it on the host "
		    "instead (a plugin ID is refused too: name the plugin)");
		return true;
	case EP_PLUGIN_CREATE:
	case EP_PLUGIN_PULL:
		/* Created: ?name=. Pulled: ?name=, or the name taken from ?remote=. */
		if (!eval_is_self(p, ep->name) &&
		    !(ep->kind == EP_PLUGIN_PULL && eval_is_self(p, ep->target)))
			return false;
		eval_deny_unreadable(d, "cisgate protects itself: at its next start dockerd would "
		    "find a managed plugin of the authorization plugin's name before cisgate's "
		    "socket; choose another name (hex digits alone are refused too)");
		return true;
	default:
		return false;
	}
}

/* The plugins.allowed entry for ref's repository (and digest, when pinned is set), or
 * NULL. */
static const struct plugin_allow *
eval_plugin_entry(const struct policy *p, const char *ref, bool pinned)
{
	char repo[CG_ID_MAX];
	const char *dg;
	size_t i;

	if (rules_plugin_repo(ref, repo, sizeof repo, &dg) != 0 || (pinned && dg == NULL))
		return NULL;
	for (i = 0; i < p->nplugins_allowed; i++) {
		const struct plugin_allow *a = &p->plugins_allowed[i];

		if (strcmp(a->name, repo) != 0)
			continue;
		if (!pinned || (a->digest != NULL && strcmp(a->digest, dg) == 0))
			return a;
	}
	return NULL;
}

/* What a pull or upgrade body asks for: "network=[host] mount=[/var/lib]". */
static void
eval_privileges(const struct docker_view *v, struct strbuf *sb)
{
	struct docker_privileges pv;
	struct gj_error e = {GJ_OK, ""};
	size_t i, j;

	if (!v->has_body || v->root == NULL) {
		str_append(sb, "; no privileges body reached cisgate");
		return;
	}
	if (docker_privileges_read(v->root, &pv, &e) != 0) {
		str_appendf(sb, "; its privileges body cannot be read (%.80s)", e.text);
		return;
	}
	str_append(sb, pv.n == 0 ? "; it asks for no privileges" : "; it asks for:");
	for (i = 0; i < pv.n; i++) {
		str_appendf(sb, " %.32s=[", pv.v[i].name);
		for (j = 0; j < pv.v[i].nvalues && j < DOCKER_PRIVILEGE_VALUES_MAX; j++)
			str_appendf(sb, "%s%.48s", j ? "," : "", pv.v[i].values[j]);
		str_append(sb, pv.v[i].nvalues > j ? ",...]" : "]");
	}
}

/* The plugins rule: what may be pulled, upgraded, created, enabled or set. True when it
 * began a violation (its text in sb). */
static bool
eval_plugins(const struct policy *p, const struct endpoint *ep, const struct docker_view *v,
    struct decision *d, struct strbuf *sb)
{
	const char *remote = ep->kind == EP_PLUGIN_PULL ? ep->target : ep->name;

	switch (ep->kind) {
	case EP_PLUGIN_PULL:
	case EP_PLUGIN_UPGRADE:
		/* The body does not prove the grant (dockerd compares it from its second entry
		 * on): only a digest the team has reviewed does. */
		if (eval_plugin_entry(p, remote, true) != NULL || !eval_begin(p, R_PLUGINS, d, sb))
			return false;
		str_appendf(sb, "%.64s is not allow-listed by name and digest; review it, list "
		    "{name, digest} in plugins.allowed, pull it as NAME@sha256:DIGEST",
		    remote[0] ? remote : "(no remote=)");
		eval_privileges(v, sb); /* last: a long list is cut, not the advice */
		return true;
	case EP_PLUGIN_CREATE:
	case EP_PLUGIN_ENABLE:
	case EP_PLUGIN_SET:
		remote = ep->kind == EP_PLUGIN_CREATE ? ep->name : ep->target;
		if (eval_plugin_entry(p, remote, false) != NULL || !eval_begin(p, R_PLUGINS, d, sb))
			return false;
		str_appendf(sb, "plugin %.48s is not in plugins.allowed: a managed plugin runs as "
		    "root with what its config grants (host namespaces, mounts, devices, "
		    "capabilities), unseen by cisgate; review it, then list its name",
		    remote[0] ? remote : "(no name)");
		return true;
	default:
		return false;
	}
}

/* The networks rule over a network create body. 1 when it began a violation (its text in
 * sb), 0 when the network is allowed, -1 when the body is unreadable (d holds the deny). */
static int
eval_networks(const struct policy *p, const struct docker_view *v, struct decision *d,
    struct strbuf *sb)
{
	struct docker_network n;
	struct gj_error e = {GJ_OK, ""};
	char reason[320];
	const char *drv;
	size_t i;

	if (!v->has_body || v->root == NULL)
		return 0;
	if (docker_network_read(v->root, &n, &e) != 0) {
		str_copy(reason, e.text, sizeof reason);
		eval_deny_unreadable(d, reason);
		return -1;
	}
	drv = n.driver[0] ? n.driver : "bridge";
	for (i = 0; i < p->network_drivers.n; i++)
		if (strcmp(p->network_drivers.v[i], drv) == 0)
			return 0;
	if (strcmp(drv, "bridge") == 0 || strcmp(drv, "overlay") == 0 ||
	    strcmp(drv, "null") == 0)
		return 0;
	/* Without a parent, macvlan and ipvlan hang off a dummy link: no host interface. */
	if ((strcmp(drv, "macvlan") == 0 || strcmp(drv, "ipvlan") == 0) &&
	    (n.parent == NULL || n.parent[0] == '\0'))
		return 0;
	if (!eval_begin(p, R_NETWORKS, d, sb))
		return 0;
	if (n.parent != NULL && n.parent[0] != '\0')
		str_appendf(sb, "network driver %.32s on host interface %.32s puts containers on the "
		    "host's LAN, past the host's firewall; use a bridge or overlay network, or list "
		    "%.32s in rules.networks.allowed_drivers", drv, n.parent, drv);
	else
		str_appendf(sb, "network driver %.64s is not built in (a plugin decides what the "
		    "network reaches); use bridge or overlay, or list it in "
		    "rules.networks.allowed_drivers", drv);
	return 1;
}

/* Why a default route is denied, and how to allow it. */
static void
eval_default_text(const struct endpoint *ep, struct strbuf *sb)
{
	const char *name = uri_route_name(ep);

	if (ep->route == NULL) {
		str_appendf(sb, "no dockerd route matches %.64s; a state-changing request cisgate "
		    "cannot name is denied (default_route: allow in the policy allows it)",
		    ep->path[0] ? ep->path : "(no path)");
		return;
	}
	if (ep->kind == EP_CONTAINER_ARCHIVE_PUT) {
		str_append(sb, "docker cp into a container writes as root, setuid bits kept, into "
		    "its writable bind mounts on the host too; copy at build time or through a "
		    "volume, or add container_archive_put to allowed_routes");
		return;
	}
	str_appendf(sb, "route %s (%.48s) can grant what no rule can see (docs/routes.md); "
	    "if it is needed, add %s to allowed_routes in the policy", name, ep->path, name);
}

/* The daemon-cves rules whose CVE this request reaches (bodyless: a body-bearing request
 * whose body did not arrive), on a daemon they affect: the policy snapshot carries
 * dockerd's version (0, unknown, counts as affected). */
static void
eval_cves(const struct policy *p, const struct endpoint *ep, const struct docker_view *v,
    const char *user, time_t now, bool bodyless, struct decision *d)
{
	uint32_t ver = atomic_load(&p->daemon_version);
	char vs[32];
	size_t i;

	for (i = 0; i < cves_count; i++) {
		const struct cve_def *c = &cves_table[i];
		struct strbuf sb;

		/* A bodyless request is denied whatever the version: an entry only names the
		 * CVE on a daemon known to have it. An archive upload is otherwise allowed when
		 * listed, so there an unknown version counts as affected (fail closed). */
		if (!cves_reaches(c, ep->kind, bodyless) || !cves_affects(c, ver) ||
		    (bodyless && ver == 0) || !eval_begin(p, c->rule, d, &sb))
			continue;
		cves_format_version(ver, vs, sizeof vs);
		if (ver == 0)
			str_append(&sb, "dockerd (version unknown) counts as having ");
		else
			str_appendf(&sb, "dockerd %s has ", vs);
		str_appendf(&sb, "%s (fixed in %s): %s; upgrade dockerd", c->id, c->fixed,
		    c->what);
		if (c->reach == CVE_REACH_ARCHIVE_PUT)
			str_append(&sb, ", or copy through a volume");
		eval_keep(p, c->rule, v, NULL, user, now, d);
	}
}

void
eval_deny_bodyless(const struct policy *p, const struct endpoint *ep, const char *user,
    time_t now, const char *reason, struct decision *d)
{
	uint32_t ver = atomic_load(&p->daemon_version);
	struct docker_view *v = NULL;
	struct strbuf sb;
	bool any = false;
	size_t i;

	eval_deny_unreadable(d, reason);
	for (i = 0; i < cves_count; i++)
		if (cves_reaches(&cves_table[i], ep->kind, true) && cves_affects(&cves_table[i], ver))
			any = true;
	/* Nothing to name on a fixed or unknown daemon: the deny above is the answer. The view
	 * is only for exemptions (a name from the query; no image or labels without a body). */
	if (!any || ver == 0 || (v = malloc(sizeof *v)) == NULL)
		return;
	docker_view_init(v, ep);
	eval_cves(p, ep, v, user, now, true, d);
	free(v);
	sb.buf = d->msg;
	sb.cap = sizeof d->msg;
	sb.len = strlen(d->msg);
	sb.truncated = false;
	for (i = 1; i < d->nv; i++)
		if (d->v[i].action == ACT_DENY && d->v[i].waived_by == NULL)
			str_appendf(&sb, " | %s", d->v[i].text);
}

/* True for a container name that reads as a full container ID (64 hex digits, after its
 * optional leading slash): either case, so no spelling of one is left to argue about. */
static bool
eval_id_like_name(const char *name)
{
	if (name[0] == '/')
		name++;
	return strlen(name) == 64 && strspn(name, "0123456789abcdefABCDEF") == 64;
}

/* The route step: rules judged from the route, the query and the plugin or network body,
 * and routes no rule judges. Returns -1 when it wrote a final deny into d. */
static int
eval_route(const struct policy *p, const struct endpoint *ep, const struct docker_view *v,
    const char *user, time_t now, struct decision *d)
{
	enum route_class rc = uri_route_class(ep);
	struct strbuf sb;
	size_t i;
	int r = -1;

	/* Once the container of that ID is gone dockerd finds the name instead: a start of
	 * "ID" would run another container than the one cisgate allowed (judged.h). */
	if ((ep->kind == EP_CONTAINER_CREATE || (ep->route != NULL &&
	    strcmp(ep->route->name, "container_rename") == 0)) && eval_id_like_name(ep->name)) {
		eval_deny_unreadable(d, "a container name of 64 hex digits reads as a container "
		    "ID; choose another name");
		return -1;
	}
	switch (ep->kind) {
	case EP_SWARM_INIT:
	case EP_SWARM_JOIN:
		if (!eval_begin(p, R_SWARM, d, &sb))
			break;
		r = R_SWARM;
		str_append(&sb, ep->kind == EP_SWARM_INIT ?
		    "swarm init makes this daemon a swarm manager: services then start containers "
		    "inside dockerd, never through cisgate" :
		    "swarm join hands this daemon to another swarm's managers, which then run any "
		    "task here, never through cisgate");
		str_append(&sb, "; if the team needs swarm, set rules.swarm: off or exempt the "
		    "operators' TLS user");
		break;
	case EP_PLUGIN_PULL:
	case EP_PLUGIN_UPGRADE:
	case EP_PLUGIN_CREATE:
	case EP_PLUGIN_ENABLE:
	case EP_PLUGIN_SET:
		if (eval_plugins(p, ep, v, d, &sb))
			r = R_PLUGINS;
		break;
	case EP_NETWORK_CREATE:
		switch (eval_networks(p, v, d, &sb)) {
		case -1:
			return -1;
		case 1:
			r = R_NETWORKS;
			break;
		default:
			break;
		}
		break;
	case EP_NETWORK_CONNECT:
		/* Joining a network grants nothing create would not: the networks rule judged it
		 * when it was made. The default bridge is the one network create never made. */
		if (strcmp(ep->target, "bridge") != 0 || !eval_begin(p, R_DEFAULT_BRIDGE, d, &sb))
			break;
		r = R_DEFAULT_BRIDGE;
		str_append(&sb, "connects the container to the default bridge network; connect it "
		    "to a user-defined network instead");
		break;
	case EP_SERVICE_UPDATE:
		/* rollback=previous restores a spec that is not in the body. */
		if (strcmp(ep->name, "previous") == 0) {
			eval_deny_unreadable(d, "service rollback restores the previous spec, which "
			    "cisgate cannot see; roll back with docker service update and the previous "
			    "settings");
			return -1;
		}
		break;
	default:
		break;
	}
	if (r >= 0)
		eval_keep(p, r, v, NULL, user, now, d);
	eval_cves(p, ep, v, user, now, false, d);
	/* A judged route no rule judges yet is a default route. */
	if (rc == RC_JUDGED && !rules_judge_kind(ep->kind))
		rc = RC_DEFAULT;
	if (rc == RC_DEFAULT && !rules_judge_kind(ep->kind) && ep->state_changing) {
		bool listed = false;

		for (i = 0; ep->route != NULL && i < p->routes_allowed.n; i++)
			if (strcmp(p->routes_allowed.v[i], ep->route->name) == 0)
				listed = true;
		if (!listed && eval_begin(p, R_DEFAULT_ROUTE, d, &sb)) {
			eval_default_text(ep, &sb);
			eval_keep(p, R_DEFAULT_ROUTE, v, NULL, user, now, d);
		}
	}
	return 0;
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
	size_t i;
	int r;

	eval_reset(d);
	/* Never switchable off or replaced through the API it guards. */
	if (eval_self(p, ep, d) || eval_route(p, ep, v, user, now, d) != 0)
		return;
	/* Rules read bodies; a request without one (a plain start) has nothing to judge. */
	for (r = 0; v->has_body && r < R_COUNT && d->nv < CG_VIOLATIONS_MAX; r++) {
		const struct rule_def *rd = &rules_table[r];
		struct strbuf sb;

		if (!(rd->kinds & kind) || !eval_begin(p, r, d, &sb))
			continue;
		if (rules_check(r, p, v, f, &sb))
			eval_keep(p, r, v, f, user, now, d);
	}
	/* An exec, a start, a restart, an attach enters a container made earlier: what it
	 * holds is judged under each rule's own action and exemptions (its name, image and
	 * labels are the view's). */
	for (r = 0; f != NULL && f->run != NULL && f->run->entered != NULL && r < R_COUNT &&
	    d->nv < CG_VIOLATIONS_MAX; r++) {
		struct strbuf sb;

		if (!eval_begin(p, r, d, &sb))
			continue;
		if (rules_check_entered(r, p, f->run, &sb))
			eval_keep(p, r, v, f, user, now, d);
	}
	for (i = 0; i < d->nv; i++) {
		if (d->v[i].waived_by != NULL)
			continue;
		if (d->v[i].action == ACT_DENY)
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
