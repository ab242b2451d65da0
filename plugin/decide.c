/* decide.c - the pipeline. Any step that cannot read the request as dockerd will
 * ends in a deny that says what to change. Pure. */
#include <openssl/crypto.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/decide.h"
#include "cisgate/passwd.h"
#include "cisgate/str.h"

static bool
decide_body_matters(const struct endpoint *ep)
{
	switch (ep->kind) {
	case EP_CONTAINER_CREATE:
	case EP_EXEC_CREATE:
	case EP_CONTAINER_UPDATE:
	case EP_VOLUME_CREATE:
	case EP_SERVICE_CREATE:
	case EP_SERVICE_UPDATE:
	case EP_SWARM_INIT:
	case EP_SWARM_JOIN:
	case EP_PLUGIN_PULL:
	case EP_PLUGIN_UPGRADE:
	case EP_PLUGIN_SET:
	case EP_NETWORK_CREATE:
	case EP_NETWORK_CONNECT:
		return true;
	case EP_CONTAINER_START:
		/* Only API versions before 1.24 take a HostConfig at start. */
		return uri_version_below(ep, "1.24");
	default:
		return false;
	}
}

/* Every entry point starts here: the facts in and out, nothing looked up yet. */
static void
decide_start(struct decide_ctx *c, const struct facts *have, struct facts *need)
{
	c->have = have;
	c->need = need;
	c->pending = false;
	memset(c->fact_view, 0, sizeof c->fact_view);
	c->facts.host = NULL;
	c->facts.current = NULL;
	c->facts.run = NULL;
	c->has_shadow = false;
	memset(&c->run, 0, sizeof c->run);
	memset(&c->image, 0, sizeof c->image);
	c->fact_err[0] = '\0';
}

/* The shadow policy judges what the enforced one judged: the same view and facts, never
 * parsed again. A request cisgate could not read is the same deny under both. */
static void
decide_shadow(const struct policy *p, struct decide_ctx *c, const char *user, time_t now)
{
	if (p->shadow == NULL || c->pending || c->req.is_response)
		return;
	c->has_shadow = true;
	if (c->dec.nv == 1 && c->dec.v[0].rule < 0) {
		eval_deny_unreadable(&c->shadow, c->dec.v[0].text);
		return;
	}
	eval_request_ctx(p->shadow, &c->ep, &c->view, &c->facts, user != NULL ? user : "", now,
	    &c->shadow);
}

/* True when an update takes away a CPU control and says nothing of the others: what it
 * leaves depends on the container's current limits. */
static bool
decide_update_needs_current(const struct docker_view *v)
{
	return v->kind == EP_CONTAINER_UPDATE && (v->changes & DV_CPU_QUOTA) &&
	    v->cpu_quota_removed && v->cpu_shares <= 0 && v->nano_cpus <= 0;
}

/* The container X of a namespace mode "container:X", or NULL. dockerd keeps names with
 * a leading slash and finds "/X" as "X": so is it looked up. */
static const char *
decide_join_ref(const char *mode)
{
	if (strncmp(mode, "container:", 10) != 0)
		return NULL;
	mode += 10;
	if (mode[0] == '/')
		mode++;
	return mode[0] != '\0' ? mode : NULL;
}

/* The container of a VolumesFrom entry "X" or "X:MODE" into out: what precedes the first
 * colon (a container name has none; dockerd's ParseVolumesFrom splits there too, and
 * MODE may be ro, rw, z, Z, nocopy, ...), without the leading slash dockerd ignores.
 * Returns 0 or -1. */
static int
decide_vf_ref(const char *s, char *out, size_t outsz)
{
	const char *c;
	size_t n;

	if (s[0] == '/')
		s++;
	c = strchr(s, ':');
	n = c != NULL ? (size_t)(c - s) : strlen(s);
	if (n == 0 || n >= outsz)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* cisgate's own read of a container's /etc/passwd or /etc/group (an exec's user), told by the
 * token it carries: the exec that asked for it is judged on the container already, under
 * the exec's user (an exemption by user covers it; dockerd sends this one with none). */
static bool
decide_own_passwd_read(const struct decide_ctx *c)
{
	const char *got = c->req.lookup_token, *want = c->lookup_token;
	char path[16]; /* a copy's path= is any length: only these two short ones matter */

	return want != NULL && got != NULL && want[0] != '\0' && strlen(got) == strlen(want) &&
	    CRYPTO_memcmp(got, want, strlen(want)) == 0 && strcmp(c->req.method, "GET") == 0 &&
	    uri_query_get(c->req.uri, "path", path, sizeof path) == 1 &&
	    (strcmp(path, "/etc/passwd") == 0 || strcmp(path, "/etc/group") == 0);
}

/* docker cp out of a container, or into one when allowed_routes lists the upload: dockerd
 * reaches its files, mounts included, as root, and runs nothing in it. */
static bool
decide_enters_files(const struct policy *p, const struct decide_ctx *c)
{
	size_t i;

	if (c->ep.kind == EP_CONTAINER_ARCHIVE_READ)
		return !decide_own_passwd_read(c);
	if (c->ep.kind != EP_CONTAINER_ARCHIVE_PUT || c->ep.route == NULL)
		return false;
	for (i = 0; i < p->routes_allowed.n; i++)
		if (strcmp(p->routes_allowed.v[i], c->ep.route->name) == 0)
			return true;
	return false; /* denied as a default route, whatever the container */
}

/* The existing container a request runs, and the words its findings start with: a start
 * (an old-API one's HostConfig replaces the container's, but dockerd keeps the mounts it
 * has), a restart, an attach, an update that gives it a restart policy (dockerd then
 * starts it on its own), a docker cp (decide_enters_files). What it runs is dockerd's to
 * say. NULL for any other request. */
static const char *
decide_enters(const struct policy *p, const struct decide_ctx *c)
{
	const struct docker_view *v = &c->view;

	if (c->ep.target[0] == '\0')
		return NULL;
	if (decide_enters_files(p, c))
		return c->ep.kind == EP_CONTAINER_ARCHIVE_PUT ? "cp writes into" : "cp reads from";
	if (c->ep.kind == EP_CONTAINER_START)
		return "start runs";
	if (c->ep.kind == EP_CONTAINER_RESTART)
		return "restart runs";
	if (c->ep.kind == EP_CONTAINER_ATTACH)
		return "attach enters"; /* a shell made with -it is a shell in it */
	if (c->ep.kind == EP_CONTAINER_UPDATE && v->restart_name[0] != '\0' &&
	    strcmp(v->restart_name, "no") != 0)
		return "update gives a restart policy to";
	return NULL;
}

/* Why the container a decide_enters() request runs is looked up, for messages. */
static const char *
decide_enters_why(const struct decide_ctx *c)
{
	switch (c->ep.kind) {
	case EP_CONTAINER_UPDATE:
		return "container updated";
	case EP_CONTAINER_ATTACH:
		return "container attached";
	case EP_CONTAINER_ARCHIVE_READ:
		return "container copied from";
	case EP_CONTAINER_ARCHIVE_PUT:
		return "container copied into";
	default:
		return "container started";
	}
}

static bool
decide_is_create(const struct docker_view *v)
{
	return v->kind == EP_CONTAINER_CREATE && !v->is_service && v->has_config;
}

/* A body that says which containers the one that runs joins: a create's, or an old-API
 * start's HostConfig (dockerd applies it to the container before starting it). */
static bool
decide_sets_joins(const struct docker_view *v)
{
	return decide_is_create(v) ||
	    (v->kind == EP_CONTAINER_START && !v->is_service && v->has_host);
}

/* A create that leaves its user to the image, where the root-user rule would judge it. */
static bool
decide_user_from_image(const struct policy *p, const struct docker_view *v)
{
	const struct userspec *s = &p->create_users;
	size_t i;

	if (!decide_is_create(v) || v->user.raw[0] != '\0' || v->image[0] == '\0' ||
	    p->actions[R_ROOT_USER] == ACT_OFF || s->empty == EMPTY_ALLOW)
		return false;
	for (i = 0; s->empty == EMPTY_ALLOWLIST && i < s->images.n; i++)
		if (fnmatch(s->images.v[i], v->image, 0) == 0)
			return false;
	return true;
}

/* A policy with an image exemption judges a create on the image dockerd resolves. */
static bool
decide_image_exempt(const struct policy *p, const struct docker_view *v)
{
	size_t i;

	for (i = 0; decide_is_create(v) && v->image[0] != '\0' && i < p->nex; i++)
		if (p->ex[i].image != NULL)
			return true;
	return false;
}

/* The image of a container an exec, a start or an attach enters, looked up by its ID when an
 * exemption names images: its name as written ("ci/dind:20") may be a local tag, which
 * carries no waiver (exemption_image). */
static bool
decide_entered_image(const struct policy *p, const struct docker_view *x)
{
	size_t i;

	for (i = 0; x->image_id[0] != '\0' && i < p->nex; i++)
		if (p->ex[i].image != NULL)
			return true;
	return false;
}

/* An exec's user needs the target's /etc/passwd: it is left to the container, or a name,
 * or a uid without a group (whose gid comes from the passwd entry, or is 0). */
static bool
decide_exec_passwd(const struct policy *p, const struct docker_view *v)
{
	const struct user_view *u = &v->user;

	if (p->actions[R_EXEC_ROOT] == ACT_OFF || u->is_root)
		return false;
	return u->raw[0] == '\0' || !u->numeric || u->group[0] == '\0';
}

/* A policy whose exemptions match on image or labels: an exec is matched on the
 * container it enters. */
static bool
decide_exec_exempt(const struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nex; i++)
		if (p->ex[i].image != NULL || p->ex[i].label_keys.n > 0)
			return true;
	return false;
}

/* The namespace modes of X that a join with flag reaches: a --network join X's network,
 * --ipc its IPC, and --pid (ptrace reaches X's processes) all three. */
static size_t
decide_chain_modes(const char *flag, const struct docker_view *x, const char *out[3])
{
	if (strcmp(flag, "--network") == 0) {
		out[0] = x->network_mode;
		return 1;
	}
	if (strcmp(flag, "--ipc") == 0) {
		out[0] = x->ipc_mode;
		return 1;
	}
	if (strcmp(flag, "--pid") == 0) {
		out[0] = x->network_mode;
		out[1] = x->ipc_mode;
		out[2] = x->pid_mode;
		return 3;
	}
	return 0;
}

static struct docker_view *decide_fact_view(struct decide_ctx *c, const char *ref);

/* Asks for fact (kind, ref) unless c->have holds it; counts it in *n. */
static int
decide_need(struct decide_ctx *c, enum fact_kind kind, const char *ref, const char *why,
    int *n)
{
	if (c->have != NULL && facts_get(c->have, kind, ref) != NULL)
		return 0;
	if (facts_need(c->need, kind, ref, why) < 0)
		return -1;
	(*n)++;
	return 0;
}

/* The named volumes v mounts (the request's own, or a joined container's that the join
 * reaches): made before (cisgate off, or before it ran) one may bind a host path through
 * its options, which only dockerd still knows. */
static int
decide_volume_needs(struct decide_ctx *c, const struct docker_view *v, const char *why,
    int *n)
{
	size_t i;

	for (i = 0; i < v->nmounts; i++) {
		const struct mount_view *m = &v->mounts[i];

		if (m->kind == MOUNT_VOLUME && m->source[0] != '\0' &&
		    decide_need(c, FACT_VOLUME, m->source, why, n) != 0)
			return -1;
	}
	return 0;
}

/* The containers a joined container X itself joins (container:Y in the modes the join
 * reaches), once X's own answer is in: a round of lookups per link, CG_JOIN_CHAIN_MAX
 * links at most (past that the chain is denied as unfollowed). */
static int
decide_chain_needs(struct decide_ctx *c, const char *flag, const char *ref, int depth, int *n)
{
	const struct docker_view *x;
	const char *modes[3];
	size_t k, nm;

	if ((x = decide_fact_view(c, ref)) == NULL)
		return 0;
	/* X's processes reach its mounts: its named volumes are looked up too. */
	if (strcmp(flag, "--pid") == 0 &&
	    decide_volume_needs(c, x, "volume of a joined container", n) != 0)
		return -1;
	if (depth >= CG_JOIN_CHAIN_MAX)
		return 0;
	nm = decide_chain_modes(flag, x, modes);
	for (k = 0; k < nm; k++) {
		const char *y = decide_join_ref(modes[k]);

		if (y == NULL)
			continue;
		if (decide_need(c, FACT_CONTAINER, y, "a container the joined one joins", n) != 0 ||
		    decide_chain_needs(c, flag, y, depth + 1, n) != 0)
			return -1;
	}
	return 0;
}

static const char *const decide_mode_flags[3] = {"--network", "--pid", "--ipc"};

/* The containers src joins through its --network, --pid and --ipc modes (a create's own;
 * an exec's or a plain start's container's), with their chains. */
static int
decide_mode_needs(struct decide_ctx *c, const struct docker_view *src, int *n)
{
	const char *modes[3] = {src->network_mode, src->pid_mode, src->ipc_mode};
	static const char *const why[3] = {"--network container:", "--pid container:",
	    "--ipc container:"};
	size_t i;

	for (i = 0; i < 3; i++) {
		const char *jr = decide_join_ref(modes[i]);

		if (jr != NULL && (decide_need(c, FACT_CONTAINER, jr, why[i], n) != 0 ||
		    decide_chain_needs(c, decide_mode_flags[i], jr, 0, n) != 0))
			return -1;
	}
	return 0;
}

/* Once the container an exec, a start or an attach enters is known (c->ep.target): what
 * its named volumes mount, the containers it joins (unless an old-API start's HostConfig
 * replaces its modes: modes false), its image when an exemption names images. */
static int
decide_entered_needs(const struct policy *p, struct decide_ctx *c, bool modes, int *n)
{
	const struct docker_view *x = decide_fact_view(c, c->ep.target);

	if (x == NULL)
		return 0;
	if (decide_volume_needs(c, x, "volume of the container entered", n) != 0 ||
	    (modes && decide_mode_needs(c, x, n) != 0))
		return -1;
	if (decide_entered_image(p, x) &&
	    decide_need(c, FACT_IMAGE, x->image_id, "image of the container entered", n) != 0)
		return -1;
	return 0;
}

/* What the container that will run depends on: an exec's target (and its passwd), a
 * create's image (user left to it, or an image exemption), the containers it joins. */
static int
decide_run_needs(const struct policy *p, struct decide_ctx *c, int *n)
{
	const struct docker_view *v = &c->view;
	char ref[CG_ID_MAX];
	size_t i;

	if (v->kind == EP_EXEC_CREATE && c->ep.target[0] != '\0') {
		if (v->user.is_root && !decide_exec_exempt(p))
			return 0; /* denied as stated, whatever the container */
		/* A user without a group part (or the container's, not known yet) also gets the
		 * supplementary groups /etc/group lists it in. */
		if (decide_need(c, FACT_CONTAINER, c->ep.target, "exec target", n) != 0 ||
		    (decide_exec_passwd(p, v) &&
		    (decide_need(c, FACT_PASSWD, c->ep.target, "exec target", n) != 0 ||
		    (v->user.group[0] == '\0' &&
		    decide_need(c, FACT_GROUP, c->ep.target, "exec target", n) != 0))))
			return -1;
		return decide_entered_needs(p, c, true, n);
	}
	if (decide_enters(p, c) != NULL) {
		/* Modes matter to what runs in it; a docker cp runs nothing there. */
		if (decide_need(c, FACT_CONTAINER, c->ep.target, decide_enters_why(c), n) != 0 ||
		    decide_entered_needs(p, c, !v->has_host && !decide_enters_files(p, c), n) != 0)
			return -1;
		if (c->ep.kind != EP_CONTAINER_START || !v->has_host)
			return 0;
		/* An old-API start's own HostConfig replaces the container's modes: its joins
		 * are the body's, below. */
	}
	if (!decide_sets_joins(v))
		return 0;
	if ((decide_user_from_image(p, v) || decide_image_exempt(p, v)) &&
	    decide_need(c, FACT_IMAGE, v->image, "image", n) != 0)
		return -1;
	if (decide_mode_needs(c, v, n) != 0)
		return -1;
	for (i = 0; i < v->nvolumes_from; i++) {
		const struct docker_view *x;

		if (decide_vf_ref(v->volumes_from[i], ref, sizeof ref) != 0 ||
		    decide_need(c, FACT_CONTAINER, ref, "--volumes-from", n) != 0)
			return -1;
		/* Once X is known: the named volumes the new container takes over from it. */
		if ((x = decide_fact_view(c, ref)) != NULL &&
		    decide_volume_needs(c, x, "volume of a joined container", n) != 0)
			return -1;
	}
	return 0;
}

/* Adds to c->need the facts this decision depends on that c->have lacks. Returns the
 * number added, or -1 when one cannot even be asked for (a name too long, too many). */
static int
decide_needs(const struct policy *p, struct decide_ctx *c)
{
	int n = 0;
	size_t i;

	/* A service's networks are named by ID (the CLI resolves names): which one is the
	 * host network is dockerd's to say. */
	for (i = 0; c->view.is_service && i < c->view.nnetworks; i++) {
		const char *t = c->view.networks[i];

		if (strcmp(t, "host") == 0 ||
		    (c->have != NULL && facts_get(c->have, FACT_NETWORK, t) != NULL))
			continue;
		if (facts_need(c->need, FACT_NETWORK, t, "service network") < 0)
			return -1;
		n++;
	}
	if (decide_update_needs_current(&c->view) && c->ep.target[0] != '\0' &&
	    (c->have == NULL || facts_get(c->have, FACT_CONTAINER, c->ep.target) == NULL)) {
		if (facts_need(c->need, FACT_CONTAINER, c->ep.target, "update target") < 0)
			return -1;
		n++;
	}
	if (decide_run_needs(p, c, &n) != 0 ||
	    decide_volume_needs(c, &c->view, "named volume", &n) != 0)
		return -1;
	return n;
}

/* The view of the container fact ref (dockerd's inspect answer), built once; NULL when
 * there is no such answer or it cannot be read. */
static struct docker_view *
decide_fact_view(struct decide_ctx *c, const char *ref)
{
	const struct fact *x;
	struct docker_view *fv;
	struct gj_error e;
	json_t *root;
	size_t i;

	if (c->have == NULL || (x = facts_get(c->have, FACT_CONTAINER, ref)) == NULL ||
	    x->state != FACT_OK)
		return NULL;
	i = (size_t)(x - c->have->f);
	if (c->fact_view[i] != NULL)
		return c->fact_view[i];
	if ((fv = malloc(sizeof *fv)) == NULL)
		return NULL;
	docker_view_init(fv, NULL);
	root = json_loadb(x->body, x->len, JSON_REJECT_DUPLICATES, NULL);
	if (root == NULL || docker_view_from_container(fv, root, &e) != 0) {
		json_decref(root);
		free(fv);
		return NULL;
	}
	fv->root = root; /* the view's strings point into it; docker_view_free drops it */
	c->fact_view[i] = fv;
	return fv;
}

/* The container's limits before an update, from its fact (unknown when unreadable). */
static const struct current_limits *
decide_current(struct decide_ctx *c)
{
	const struct docker_view *fv;
	struct current_limits *cl = &c->current;

	memset(cl, 0, sizeof *cl);
	if (!decide_update_needs_current(&c->view) ||
	    (fv = decide_fact_view(c, c->ep.target)) == NULL)
		return NULL;
	cl->memory = (struct current_limit){true, fv->memory};
	cl->memory_swap = (struct current_limit){true, fv->memory_swap};
	cl->nano_cpus = (struct current_limit){true, fv->nano_cpus};
	cl->cpu_shares = (struct current_limit){true, fv->cpu_shares};
	cl->cpu_quota = (struct current_limit){true, fv->cpu_quota};
	cl->pids = (struct current_limit){true, fv->pids_limit};
	return cl;
}

/* A service's network targets as dockerd resolves them: one that is the host network
 * makes network_mode "host". Returns -1 (c->dec a deny) when one cannot be told. */
static int
decide_service_networks(struct decide_ctx *c)
{
	char reason[320];
	size_t i;

	for (i = 0; c->view.is_service && i < c->view.nnetworks; i++) {
		const char *t = c->view.networks[i];
		const struct fact *x;
		bool host;

		if (strcmp(t, "host") == 0)
			continue;
		if (c->have == NULL || (x = facts_get(c->have, FACT_NETWORK, t)) == NULL) {
			if (c->have == NULL && c->need == NULL)
				continue; /* offline (check, cases): judged by its name only */
			snprintf(reason, sizeof reason, "network %.64s of the service was not looked "
			    "up in dockerd", t);
			eval_deny_unreadable(&c->dec, reason);
			return -1;
		}
		if (x->state != FACT_OK ||
		    docker_network_answer_is_host(x->body, x->len, &host) != 0) {
			snprintf(reason, sizeof reason, "cannot tell whether network %.64s of the "
			    "service is the host network (%.160s); name an existing network",
			    t, x->state == FACT_MISSING ? "dockerd has no such network" : x->err);
			eval_deny_unreadable(&c->dec, reason);
			return -1;
		}
		if (host)
			c->view.network_mode = "host";
	}
	return 0;
}

/* Adds to v what the named volumes it mounts really mount, as dockerd made them: a local
 * volume that binds a host path adds that path. One dockerd does not have is made by the
 * request, with the options it gives (judged as written). owner says whose volumes they
 * are in messages. Returns -1 with reason set when one cannot be told. */
static int
decide_read_volumes(struct decide_ctx *c, struct docker_view *v, const char *owner,
    char *reason, size_t rlen)
{
	size_t i, j, n = v->nmounts;

	if (v->volumes_read)
		return 0;
	v->volumes_read = true;
	for (i = 0; i < n; i++) {
		const struct mount_view m = v->mounts[i];
		const struct fact *x;
		struct gj_error e;

		if (m.kind != MOUNT_VOLUME || m.source[0] == '\0')
			continue;
		/* The same volume mounted again is read again unless an earlier mount covers
		 * it (read-write, or as read-only as this one): ":ro" then rw must not pass. */
		for (j = 0; j < i; j++)
			if (v->mounts[j].kind == MOUNT_VOLUME &&
			    strcmp(v->mounts[j].source, m.source) == 0 &&
			    (!v->mounts[j].read_only || m.read_only))
				break;
		if (j < i)
			continue;
		if (c->have == NULL || (x = facts_get(c->have, FACT_VOLUME, m.source)) == NULL) {
			snprintf(reason, rlen, "volume %.64s%s was not looked up in dockerd",
			    m.source, owner);
			return -1;
		}
		if (x->state == FACT_MISSING)
			continue;
		if (x->state != FACT_OK) {
			snprintf(reason, rlen, "cisgate could not read volume %.64s%s from dockerd "
			    "(%.160s); it needs it to tell what the volume mounts (retry when dockerd "
			    "answers)", m.source, owner, x->err);
			return -1;
		}
		if (docker_view_volume_answer(v, x->body, x->len, m.source, m.target, m.read_only,
		        &e) != 0) {
			snprintf(reason, rlen, "cannot tell what volume %.64s%s mounts: %.200s",
			    m.source, owner, e.text);
			return -1;
		}
	}
	return 0;
}

/* The request's own named volumes. Returns -1 (c->dec a deny) when one cannot be told. */
static int
decide_volumes(struct decide_ctx *c)
{
	char reason[480];

	if (c->have == NULL && c->need == NULL)
		return 0; /* offline (check, cases): judged by their names only */
	if (decide_read_volumes(c, &c->view, "", reason, sizeof reason) != 0) {
		eval_deny_unreadable(&c->dec, reason);
		return -1;
	}
	return 0;
}

/* A joined container's named volumes, when the join reaches its mounts (--volumes-from,
 * --pid). Returns -1 with c->fact_err set when one cannot be told. */
static int
decide_join_volumes(struct decide_ctx *c, const char *flag, const char *ref,
    struct docker_view *x)
{
	char owner[96];

	if (strcmp(flag, "--pid") != 0 && strcmp(flag, "--volumes-from") != 0)
		return 0;
	snprintf(owner, sizeof owner, " of container %.64s", ref);
	return decide_read_volumes(c, x, owner, c->fact_err, sizeof c->fact_err) != 0 ? -1 : 0;
}

/* Says in c->fact_err that fact (k, ref) is not there to read. Returns -1. */
static int
decide_fact_failed(struct decide_ctx *c, enum fact_kind k, const char *ref, const char *why)
{
	const struct fact *x = c->have != NULL ? facts_get(c->have, k, ref) : NULL;

	snprintf(c->fact_err, sizeof c->fact_err, "cisgate could not read %s %.64s (%s) from dockerd: "
	    "%.160s; it needs it to decide (retry when dockerd answers, or ask an "
	    "administrator)", facts_kind_name(k), ref, why,
	    x == NULL ? "it was not looked up" :
	    x->state == FACT_MISSING ? "dockerd has no such object" :
	    x->state == FACT_OK ? "its answer cannot be read" : x->err);
	return -1;
}

/* The primary group of a user spec's group part g: *known false for a group name
 * cisgate cannot resolve (only "root" is known to be 0). */
static void
decide_group(const char *g, int64_t *gid, bool *known)
{
	const char *errstr;

	*known = true;
	if (strcmp(g, "root") == 0)
		*gid = 0;
	else if (str_to_i64(g, INT32_MIN, INT32_MAX, gid, &errstr) != 0)
		*known = false;
}

/* The mount of x that covers its /etc/passwd or /etc/group, or NULL. dockerd reads an
 * exec's user from those of the container's own file system, underneath any mount;
 * dockerd's archive route (cisgate's read) shows the mount. */
static const struct mount_view *
decide_passwd_covered(const struct docker_view *x)
{
	static const char *const over[] = {"/", "/etc", "/etc/passwd", "/etc/group"};
	size_t i, k;
	char t[64];

	for (i = 0; i < x->nmounts; i++) {
		const char *m = x->mounts[i].target;
		size_t n;

		if (m == NULL || strlen(m) >= sizeof t)
			continue;
		n = str_copy(t, m, sizeof t);
		while (n > 1 && t[n - 1] == '/')
			t[--n] = '\0';
		for (k = 0; k < sizeof over / sizeof over[0]; k++)
			if (strcmp(t, over[k]) == 0)
				return &x->mounts[i];
	}
	return NULL;
}

/* The one file of the answer to fact (kind, the exec's target), a tar of what (its name,
 * for messages): 0 with *file and *flen (*file NULL when dockerd has no such file and
 * missing_ok), or -1 with c->fact_err saying what to do instead. */
static int
decide_exec_file(struct decide_ctx *c, enum fact_kind kind, const char *what,
    bool missing_ok, const char **file, size_t *flen)
{
	const struct fact *x = facts_get(c->have, kind, c->ep.target);
	int tr = -1;

	*file = NULL;
	*flen = 0;
	if (missing_ok && x != NULL && x->state == FACT_MISSING)
		return 0;
	if (x != NULL && x->state == FACT_OK &&
	    (tr = passwd_tar_file(x->body, x->len, file, flen)) == -2) {
		snprintf(c->fact_err, sizeof c->fact_err, "the %s of container %.64s is a link, "
		    "which cisgate does not follow; give the exec -u UID:GID (e.g. -u 1000:1000)",
		    what, c->ep.target);
		return -1;
	}
	if (tr != 0)
		return decide_fact_failed(c, kind, c->ep.target, "exec user");
	return 0;
}

/* What to say of a file whose line runc cannot read (passwd_find and friends: -1). */
static int
decide_exec_long_line(struct decide_ctx *c, const char *what)
{
	snprintf(c->fact_err, sizeof c->fact_err, "the %s of container %.64s has a line of %zu "
	    "bytes or more, which runc cannot read; give the exec -u UID:GID", what,
	    c->ep.target, PASSWD_LINE_MAX);
	return -1;
}

/* runc adds the groups /etc/group lists the matched user name in (name[0..namelen)) to a
 * user given without a group part: one of gid 0 is group root all the same. Returns 0, or
 * -1 with c->fact_err set. */
static int
decide_exec_groups(struct decide_ctx *c, const char *name, size_t namelen)
{
	struct run_user *ru = &c->run.user;
	const char *file;
	size_t flen, n;
	int z;

	if (decide_exec_file(c, FACT_GROUP, "/etc/group", true, &file, &flen) != 0)
		return -1;
	if (file == NULL)
		return 0; /* no /etc/group: runc adds no group */
	if ((z = passwd_group_zero(file, flen, name, namelen)) < 0)
		return decide_exec_long_line(c, "/etc/group");
	if (z > 0) {
		ru->supp_zero = true;
		n = strlen(ru->from);
		snprintf(ru->from + n, sizeof ru->from - n, "; its /etc/group lists \"%.*s\" in a "
		    "group of gid 0", (int)(namelen < 32 ? namelen : 32), name);
	}
	return 0;
}

/* An exec's effective user: the request's User, else the container's Config.User; a name
 * and a missing group resolved through the container's /etc/passwd as runc does. */
static int
decide_exec_user(const struct policy *p, struct decide_ctx *c, const struct docker_view *fv)
{
	struct run_user *ru = &c->run.user;
	const struct user_view *u = c->view.user.raw[0] != '\0' ? &c->view.user : &fv->user;
	const char *who = c->view.user.raw[0] != '\0' ? "-u" : "the container's USER";
	const struct mount_view *cover;
	const char *file = NULL, *nm = "";
	size_t flen = 0, nml = 0;
	int64_t uid, gid;
	int found;

	if (!decide_exec_passwd(p, &c->view))
		return 0; /* stated as root, or uid:gid: judged as written */
	ru->resolved = true;
	ru->name = "";
	if (u->raw[0] == '\0' || u->is_root) {
		ru->uid_known = ru->gid_known = true;
		ru->uid = 0;
		ru->gid = 0;
		if (u->raw[0] == '\0')
			snprintf(ru->from, sizeof ru->from, "container %.64s has no USER (image "
			    "%.64s)", c->ep.target, fv->image);
		else
			snprintf(ru->from, sizeof ru->from, "%s of container %.64s is \"%.32s\"",
			    who, c->ep.target, u->raw);
		if (u->group[0] != '\0')
			decide_group(u->group, &ru->gid, &ru->gid_known);
		return 0;
	}
	/* The container's own uid:gid needs no /etc/passwd (asked for before it was known). */
	if (u->numeric && u->group[0] != '\0') {
		ru->uid_known = true;
		ru->uid = u->uid;
		decide_group(u->group, &ru->gid, &ru->gid_known);
		snprintf(ru->from, sizeof ru->from, "%s of container %.64s is \"%.32s\"", who,
		    c->ep.target, u->raw);
		return 0;
	}
	if ((cover = decide_passwd_covered(fv)) != NULL) {
		snprintf(c->fact_err, sizeof c->fact_err, "container %.64s mounts %.64s over its "
		    "/etc/passwd or /etc/group, and dockerd reads the user from the files "
		    "underneath, which cisgate cannot read; give the exec -u UID:GID (e.g. -u "
		    "1000:1000)", c->ep.target, cover->target);
		return -1;
	}
	/* No /etc/passwd (404): runc finds no entry either. */
	if (decide_exec_file(c, FACT_PASSWD, "/etc/passwd", true, &file, &flen) != 0)
		return -1;
	found = file == NULL ? 0 : passwd_find_entry(file, flen, u->numeric ? "" : u->name,
	    u->numeric, u->numeric ? u->uid : 0, &uid, &gid, &nm, &nml);
	if (found < 0)
		return decide_exec_long_line(c, "/etc/passwd");
	if (u->numeric) {
		ru->uid_known = ru->gid_known = true;
		if (found > 0) {
			ru->uid = uid; /* what dockerd keeps of the entry (uint32) */
			ru->gid = gid;
			snprintf(ru->from, sizeof ru->from, "%s of container %.64s is uid %lld, gid "
			    "%lld from its /etc/passwd", who, c->ep.target, (long long)uid,
			    (long long)gid);
			/* runc matched the entry: its name's groups are added. */
			if (decide_exec_groups(c, nm, nml) != 0)
				return -1;
		} else {
			ru->uid = u->uid;
			ru->gid = 0;
			snprintf(ru->from, sizeof ru->from, "%s of container %.64s is uid %lld, "
			    "which has no entry in its /etc/passwd, so runc gives it gid 0", who,
			    c->ep.target, (long long)u->uid);
		}
		return 0;
	}
	if (found > 0) {
		ru->uid_known = ru->gid_known = true;
		ru->uid = uid;
		ru->gid = gid;
		if (u->group[0] != '\0')
			decide_group(u->group, &ru->gid, &ru->gid_known);
		snprintf(ru->from, sizeof ru->from, "%s of container %.64s is \"%.32s\", uid "
		    "%lld gid %lld in its /etc/passwd", who, c->ep.target, u->raw,
		    (long long)uid, (long long)ru->gid);
		if (u->group[0] == '\0' && decide_exec_groups(c, nm, nml) != 0)
			return -1;
		return 0;
	}
	ru->name = u->name;
	snprintf(ru->from, sizeof ru->from, "%s of container %.64s is the name \"%.32s\", "
	    "not in its /etc/passwd", who, c->ep.target, u->name);
	return 0;
}

/* A create that leaves its user to the image: the image's Config.User. */
static int
decide_create_user(const struct policy *p, struct decide_ctx *c)
{
	struct run_user *ru = &c->run.user;
	struct user_view u;
	char buf[128];
	const char *img = c->view.image;

	if (!decide_user_from_image(p, &c->view) || c->run.image == NULL)
		return 0;
	docker_parse_user(c->image.user, &u, buf, sizeof buf);
	ru->resolved = true;
	ru->name = "";
	if (u.raw[0] == '\0' || u.is_root) {
		ru->uid_known = true;
		ru->uid = 0;
		snprintf(ru->from, sizeof ru->from, u.raw[0] == '\0' ? "image %.64s has no USER" :
		    "image %.64s says USER %.32s", img, u.raw);
	} else if (u.numeric) {
		ru->uid_known = true;
		ru->uid = u.uid;
		snprintf(ru->from, sizeof ru->from, "image %.64s says USER %.32s", img, u.raw);
	} else {
		/* No container yet: its /etc/passwd cannot be read through the API. */
		str_copy(ru->namebuf, u.name, sizeof ru->namebuf);
		ru->name = ru->namebuf;
		snprintf(ru->from, sizeof ru->from, "image %.64s says USER %.32s, a name "
		    "resolved only inside the container (list it in allowed_names or use a "
		    "numeric USER)", img, u.raw);
	}
	if (u.group[0] != '\0')
		decide_group(u.group, &ru->gid, &ru->gid_known);
	return 0;
}

/* The links of X's chain that were looked up, each a join of its own (with flag, via
 * the container that joins it), so the rules judge what the chain ends in. A link that
 * was asked for and not answered fails the decision; one past the depth limit stays
 * unfollowed, and the rules deny the chain as such. */
static int
decide_chain_links(struct decide_ctx *c, const char *flag, const char *ref,
    const struct docker_view *x, int depth)
{
	const char *modes[3];
	size_t k, nm;

	if (depth >= CG_JOIN_CHAIN_MAX)
		return 0;
	nm = decide_chain_modes(flag, x, modes);
	for (k = 0; k < nm; k++) {
		const char *y = decide_join_ref(modes[k]);
		const struct fact *f;
		struct docker_view *yv;

		if (y == NULL || (f = facts_get(c->have, FACT_CONTAINER, y)) == NULL)
			continue;
		if ((yv = decide_fact_view(c, y)) == NULL)
			return decide_fact_failed(c, FACT_CONTAINER, y, flag);
		if (c->run.njoins >= CG_FACTS_MAX)
			return 0;
		if (decide_join_volumes(c, flag, f->ref, yv) != 0)
			return -1;
		c->run.joins[c->run.njoins++] = (struct run_join){flag, f->ref, yv, ref};
		if (decide_chain_links(c, flag, f->ref, yv, depth + 1) != 0)
			return -1;
	}
	return 0;
}

/* The containers src joins through its modes, as dockerd reports them, into c->run.joins
 * (with the links of their chains that were looked up). Returns -1 with c->fact_err set
 * when one cannot be read. */
static int
decide_mode_joins(struct decide_ctx *c, const struct docker_view *src)
{
	const char *modes[3] = {src->network_mode, src->pid_mode, src->ipc_mode};
	struct docker_view *fv;
	size_t i;

	for (i = 0; i < 3; i++) {
		const char *r = decide_join_ref(modes[i]);
		const char *fl = decide_mode_flags[i];

		if (r == NULL)
			continue;
		if ((fv = decide_fact_view(c, r)) == NULL)
			return decide_fact_failed(c, FACT_CONTAINER, r, fl);
		if (c->run.njoins >= CG_FACTS_MAX) {
			str_copy(c->fact_err, DECIDE_TOO_MANY_FACTS, sizeof c->fact_err);
			return -1;
		}
		if (decide_join_volumes(c, fl, r, fv) != 0)
			return -1;
		c->run.joins[c->run.njoins++] = (struct run_join){fl, r, fv, NULL};
		if (decide_chain_links(c, fl, r, fv, 0) != 0)
			return -1;
	}
	return 0;
}

/* The existing container fv that an exec, a start or an attach enters: records and
 * exemptions name it (its name, image and labels), its named volumes are read, and the
 * rules judge what it holds (rules_check_entered). Returns -1 with c->fact_err set when a
 * volume or a joined container cannot be told. */
static int
decide_entered(const struct policy *p, struct decide_ctx *c, const char *how,
    struct docker_view *fv)
{
	struct docker_view *v = &c->view;
	const struct fact *im;
	struct gj_error e;
	char owner[96];
	size_t k;

	v->image = fv->image;
	v->name = fv->name; /* a name exemption matches its name, not the reference used */
	c->run.image_id = fv->image_id;
	/* Image exemptions match the image dockerd reports (no answer: none matches). */
	if (decide_entered_image(p, fv)) {
		im = facts_get(c->have, FACT_IMAGE, fv->image_id);
		if (im != NULL && im->state == FACT_OK &&
		    docker_image_read(im->body, im->len, &c->image, &e) == 0)
			c->run.image = &c->image;
		else
			c->run.image_unresolved = true;
	}
	for (k = 0; k < fv->nlabels && k < CG_LABELS_MAX; k++)
		v->labels[k] = fv->labels[k];
	v->nlabels = k;
	snprintf(owner, sizeof owner, " of container %.64s", c->ep.target);
	/* An old-API start's HostConfig replaces all but the mounts and security profiles. */
	c->run.entered_mounts_only = c->ep.kind == EP_CONTAINER_START && v->has_host;
	c->run.entered_files_only = decide_enters_files(p, c);
	if (decide_read_volumes(c, fv, owner, c->fact_err, sizeof c->fact_err) != 0 ||
	    (!c->run.entered_mounts_only && !c->run.entered_files_only &&
	    decide_mode_joins(c, fv) != 0))
		return -1;
	c->run.entered = fv;
	c->run.entered_ref = c->ep.target;
	c->run.entered_how = how;
	return 0;
}

/* The container that will run, from c->have: the effective user, the joined containers,
 * the resolved image. Returns -1 (c->fact_err saying which) when a fact the decision needs
 * could not be read. Offline (no facts at all) it leaves c->run empty. */
static int
decide_run(const struct policy *p, struct decide_ctx *c)
{
	struct docker_view *v = &c->view;
	const char *how;
	struct docker_view *fv;
	const struct fact *x;
	struct gj_error e;
	char ref[CG_ID_MAX];
	size_t i;

	if (c->have == NULL)
		return 0;
	if (v->kind == EP_EXEC_CREATE && c->ep.target[0] != '\0') {
		if (v->user.is_root && !decide_exec_exempt(p))
			return 0;
		if ((fv = decide_fact_view(c, c->ep.target)) == NULL)
			return decide_fact_failed(c, FACT_CONTAINER, c->ep.target, "exec target");
		if (decide_entered(p, c, "exec enters", fv) != 0)
			return -1;
		return decide_exec_user(p, c, fv);
	}
	if ((how = decide_enters(p, c)) != NULL) {
		const struct fact *t = facts_get(c->have, FACT_CONTAINER, c->ep.target);

		if ((fv = decide_fact_view(c, c->ep.target)) != NULL) {
			if (decide_entered(p, c, how, fv) != 0)
				return -1;
		} else if (t != NULL && t->state == FACT_MISSING) {
			/* No such container: dockerd answers that itself. */
		} else if (t == NULL || t->state != FACT_FAILED ||
		    !judged_has(c->judged, p->sha256, c->ep.target)) {
			return decide_fact_failed(c, FACT_CONTAINER, c->ep.target,
			    decide_enters_why(c));
		}
		/* Else dockerd could not be asked about a container this cisgate allowed at
		 * create (by its full ID, under this policy): it runs what was judged, and a
		 * refused start would leave `docker run --rm` waiting forever. */
		if (c->ep.kind != EP_CONTAINER_START || !v->has_host)
			return 0;
	}
	if (!decide_sets_joins(v))
		return 0;
	if (decide_user_from_image(p, v) || decide_image_exempt(p, v)) {
		x = facts_get(c->have, FACT_IMAGE, v->image);
		if (x != NULL && x->state == FACT_OK) {
			if (docker_image_read(x->body, x->len, &c->image, &e) != 0)
				return decide_fact_failed(c, FACT_IMAGE, v->image, "image");
			c->run.image = &c->image;
		} else if (x == NULL || x->state == FACT_FAILED) {
			if (decide_user_from_image(p, v))
				return decide_fact_failed(c, FACT_IMAGE, v->image, "image USER");
			c->run.image_unresolved = true;
		} else {
			c->run.image_unresolved = true;
			c->run.no_image = true;
		}
	}
	if (decide_create_user(p, c) != 0 || decide_mode_joins(c, v) != 0)
		return -1;
	for (i = 0; i < v->nvolumes_from && c->run.njoins < CG_FACTS_MAX; i++) {
		if (decide_vf_ref(v->volumes_from[i], ref, sizeof ref) != 0 ||
		    (x = facts_get(c->have, FACT_CONTAINER, ref)) == NULL ||
		    (fv = decide_fact_view(c, ref)) == NULL)
			return decide_fact_failed(c, FACT_CONTAINER, ref, "--volumes-from");
		if (decide_join_volumes(c, "--volumes-from", x->ref, fv) != 0)
			return -1;
		c->run.joins[c->run.njoins++] = (struct run_join){"--volumes-from", x->ref, fv, NULL};
	}
	return 0;
}

/* Which requests carry host paths to resolve. */
static bool
decide_has_host_paths(const struct docker_view *v)
{
	size_t i;

	for (i = 0; i < v->nmounts; i++)
		if (v->mounts[i].kind == MOUNT_BIND || v->mounts[i].kind == MOUNT_VOLUME_BIND)
			return true;
	return false;
}

/* Evaluates c's view with every fact there is: the host paths resolved when the caller
 * gave a root, the container's current limits when it looked them up. */
static void
decide_eval(const struct policy *p, struct decide_ctx *c, const char *user, time_t now)
{
	struct eval_facts f = {NULL, NULL, NULL};

	if (decide_service_networks(c) != 0 || decide_volumes(c) != 0)
		return;
	c->fact_err[0] = '\0';
	if (decide_run(p, c) != 0) {
		/* Judged on the request alone (the stricter reading of a user left to the
		 * image or container), no image exemption, then denied for the missing fact. */
		memset(&c->run.user, 0, sizeof c->run.user);
		c->run.image = NULL;
		c->run.image_unresolved = true;
	}
	if (c->have != NULL)
		f.run = &c->run;
	/* The container entered mounts its binds again, following what their sources lead
	 * to now; a request that brings binds of its own (an old-API start) keeps c->host. */
	if (c->run.entered != NULL && c->rootfd >= 0 && !decide_has_host_paths(&c->view) &&
	    decide_has_host_paths(c->run.entered)) {
		(void)hostview_resolve(&c->host, c->run.entered, c->rootfd, 0);
		c->run.entered_host = &c->host;
	}
	if (c->rootfd >= 0 && decide_has_host_paths(&c->view)) {
		(void)hostview_resolve(&c->host, &c->view, c->rootfd, 0);
		f.host = &c->host;
	}
	f.current = decide_current(c);
	c->facts = f;
	eval_request_ctx(p, &c->ep, &c->view, &f, user, now, &c->dec);
	if (c->fact_err[0] != '\0')
		eval_deny_also(&c->dec, c->fact_err);
}

/* Asks for the facts c's view depends on, or evaluates once they are all in. */
static void
decide_facts_eval(const struct policy *p, struct decide_ctx *c, const char *user,
    time_t now)
{
	int n;

	if (c->need != NULL && (n = decide_needs(p, c)) != 0) {
		if (n < 0) {
			eval_deny_unreadable(&c->dec, DECIDE_TOO_MANY_FACTS);
			return;
		}
		/* Decided again once the facts are in; never answered as it stands. */
		c->pending = true;
		eval_deny_unreadable(&c->dec, "cisgate could not ask dockerd what it needs to "
		    "decide this request");
		return;
	}
	decide_eval(p, c, user, now);
}

/* Builds the view and evaluates; shared by both entry points. */
static void
decide_view(const struct policy *p, struct decide_ctx *c, const unsigned char *body,
    size_t len, const char *user, time_t now)
{
	struct gj_error e;
	char reason[320];

	/* A plugin's pull, upgrade and set bodies are JSON lists, not objects. */
	bool list = c->ep.kind == EP_PLUGIN_PULL || c->ep.kind == EP_PLUGIN_UPGRADE ||
	    c->ep.kind == EP_PLUGIN_SET;

	if ((list ? docker_view_plugin_body(&c->view, body, len, &e) :
	            docker_view_build(&c->view, &c->ep, body, len, &e)) != 0) {
		snprintf(reason, sizeof reason, "%s%s", e.text,
		    e.status == GJ_AMBIGUOUS ? "; send each field once, with its documented name" :
		    e.status == GJ_UNKNOWABLE ? "" : "; dockerd would refuse this body too");
		eval_deny_unreadable(&c->dec, reason);
		return;
	}
	/* An old-API start changes the container only when its body holds a HostConfig
	 * (runconfig's getHostConfig gives nil otherwise): without one it is a plain start. */
	if (c->ep.kind == EP_CONTAINER_START && !c->view.has_host)
		c->view.has_body = false;
	decide_facts_eval(p, c, user, now);
}

/* A start without a HostConfig, a restart, an attach: nothing in the request to judge,
 * but the container it runs may have been made outside this policy. */
static void
decide_plain(const struct policy *p, struct decide_ctx *c, const char *user, time_t now)
{
	c->view.has_body = false;
	decide_facts_eval(p, c, user, now);
}

void
decide_envelope(const struct policy *p, const char *buf, size_t len, bool is_response,
    time_t now, struct decide_ctx *c)
{
	decide_envelope_as(p, buf, len, is_response, NULL, now, c);
}

void
decide_envelope_as(const struct policy *p, const char *buf, size_t len, bool is_response,
    const char *user, time_t now, struct decide_ctx *c)
{
	decide_envelope_facts(p, buf, len, is_response, user, now, NULL, NULL, c);
}

static void decide_envelope_main(const struct policy *p, const char *buf, size_t len,
    bool is_response, const char *user, time_t now, const struct facts *have,
    struct facts *need, struct decide_ctx *c);

void
decide_envelope_facts(const struct policy *p, const char *buf, size_t len, bool is_response,
    const char *user, time_t now, const struct facts *have, struct facts *need,
    struct decide_ctx *c)
{
	decide_envelope_main(p, buf, len, is_response, user, now, have, need, c);
	decide_shadow(p, c, c->req.user, now);
}

/* decide_envelope_facts without the shadow policy. */
static void
decide_envelope_main(const struct policy *p, const char *buf, size_t len, bool is_response,
    const char *user, time_t now, const struct facts *have, struct facts *need,
    struct decide_ctx *c)
{
	char err[256], reason[320];
	const struct authz_req *r = &c->req;

	decide_start(c, have, need);
	c->ep.kind = EP_OTHER;
	c->ep.state_changing = true;
	c->ep.path[0] = '\0';
	docker_view_init(&c->view, NULL);
	if (envelope_parse(buf, len, is_response, &c->req, err, sizeof err) != 0) {
		eval_deny_unreadable(&c->dec, err);
		return;
	}
	if (user != NULL)
		c->req.user = user; /* the envelope as read, duplicate keys and all, but this user */
	if (uri_classify(r->method, r->uri, &c->ep, err, sizeof err) != 0) {
		eval_deny_unreadable(&c->dec, err);
		return;
	}
	docker_view_init(&c->view, &c->ep);
	if (is_response) {
		/* The action already happened; record it, never block the answer. */
		eval_request(p, &c->ep, &c->view, r->user, now, &c->dec);
		c->dec.allow = true;
		c->dec.outcome = OUT_ALLOW;
		c->dec.nv = 0;
		return;
	}
	if (c->ep.kind == EP_BUILD) {
		/* A form body is never forwarded, and dockerd reads build options from it
		 * (FormValue) before the query: what cisgate would judge is not what runs. */
		if (uri_form_body(r->method, r->content_type)) {
			eval_deny_unreadable(&c->dec, "build options sent as a form body are not "
			    "shown to the authorization plugin; send them in the query string (the "
			    "docker CLI does)");
			return;
		}
		/* The body is the build context (a tar); what matters is in the query. */
		docker_view_from_build(&c->view, &c->ep);
		eval_request(p, &c->ep, &c->view, r->user, now, &c->dec);
		return;
	}
	if (!decide_body_matters(&c->ep)) {
		if (decide_enters(p, c) != NULL)
			decide_plain(p, c, r->user, now);
		else
			eval_request(p, &c->ep, &c->view, r->user, now, &c->dec);
		return;
	}
	if (r->body_error != NULL) {
		snprintf(reason, sizeof reason, "%s (%s); send a JSON body under %zu bytes",
		    r->body_error, uri_kind_name(c->ep.kind), CG_BODY_MAX);
		eval_deny_unreadable(&c->dec, reason);
		return;
	}
	if (c->ep.kind == EP_CONTAINER_START && r->body != NULL && r->body_len <= 7) {
		/* dockerd reads a start body only when it is longer than 7 bytes. */
		decide_plain(p, c, r->user, now);
		return;
	}
	if (r->body == NULL) {
		/* Bodyless start is the normal case; bodyless create/exec/update is not. Without
		 * a Content-Length a start may have had a chunked body that an unpatched dockerd
		 * (CVE-2024-41110) did not forward: that one is denied below. */
		if (c->ep.kind == EP_CONTAINER_START &&
		    (r->content_length != NULL && strcmp(r->content_length, "0") == 0)) {
			decide_plain(p, c, r->user, now);
			return;
		}
		if (c->ep.kind == EP_CONTAINER_START && r->content_length != NULL) {
			/* dockerd kept the body: not JSON, or too large to forward. */
			snprintf(reason, sizeof reason, "the start's body (Content-Length %.32s) did "
			    "not reach the authorization plugin; dockerd forwards only Content-Type "
			    "application/json bodies under %zu MiB: send it so, or send no body",
			    r->content_length, CG_DOCKERD_BODY_MAX >> 20);
			eval_deny_bodyless(p, &c->ep, r->user, now, reason, &c->dec);
			return;
		}
		if (c->ep.kind == EP_CONTAINER_START) {
			eval_deny_bodyless(p, &c->ep, r->user, now, "a start at an API version before "
			    "1.24 without Content-Length may carry a body the plugin cannot see; send "
			    "Content-Length: 0 (the docker CLI does) or use API 1.24 or later", &c->dec);
			return;
		}
		snprintf(reason, sizeof reason,
		    "the request body did not reach the authorization plugin (%s needs one: send it "
		    "as Content-Type application/json, under %zu MiB, not chunked)",
		    uri_kind_name(c->ep.kind), CG_DOCKERD_BODY_MAX >> 20);
		eval_deny_bodyless(p, &c->ep, r->user, now, reason, &c->dec);
		return;
	}
	if (r->content_length != NULL) {
		int64_t cl;
		const char *errstr;

		if (str_to_i64(r->content_length, 0, INT64_MAX, &cl, &errstr) != 0 ||
		    (uint64_t)cl != r->body_len) {
			snprintf(reason, sizeof reason, "the body seen by the plugin (%zu bytes) is not "
			    "the body dockerd received (Content-Length %.32s)", r->body_len,
			    r->content_length);
			eval_deny_bodyless(p, &c->ep, r->user, now, reason, &c->dec);
			return;
		}
	}
	decide_view(p, c, r->body, r->body_len, r->user, now);
}

void
decide_body(const struct policy *p, enum ep_kind kind, const unsigned char *body, size_t len,
    const char *user, time_t now, struct decide_ctx *c)
{
	memset(&c->req, 0, sizeof c->req);
	memset(&c->ep, 0, sizeof c->ep);
	decide_start(c, NULL, NULL);
	c->ep.kind = kind;
	c->ep.state_changing = true;
	c->req.user = user;
	docker_view_init(&c->view, &c->ep);
	decide_view(p, c, body, len, user, now);
	decide_shadow(p, c, user, now);
}

void
decide_body_named(const struct policy *p, const char *name, const unsigned char *body,
    size_t len, const char *user, time_t now, struct decide_ctx *c)
{
	memset(&c->req, 0, sizeof c->req);
	memset(&c->ep, 0, sizeof c->ep);
	decide_start(c, NULL, NULL);
	c->ep.kind = EP_CONTAINER_CREATE;
	c->ep.state_changing = true;
	/* The ?name= of the create: the view and the exemptions read it from the endpoint. */
	str_copy(c->ep.name, name, sizeof c->ep.name);
	c->req.user = user;
	docker_view_init(&c->view, &c->ep);
	decide_view(p, c, body, len, user, now);
}

void
decide_inspect(const struct policy *p, json_t *item, const char *user, time_t now,
    struct decide_ctx *c)
{
	decide_inspect_facts(p, item, user, now, NULL, NULL, c);
}

void
decide_inspect_facts(const struct policy *p, json_t *item, const char *user, time_t now,
    const struct facts *have, struct facts *need, struct decide_ctx *c)
{
	struct gj_error e;
	int n = 0;

	memset(&c->req, 0, sizeof c->req);
	memset(&c->ep, 0, sizeof c->ep);
	decide_start(c, have, need);
	c->req.user = c->req.authn = c->req.method = c->req.uri = "";
	if (user != NULL)
		c->req.user = user;
	c->ep.kind = EP_CONTAINER_CREATE;
	c->ep.state_changing = true;
	docker_view_init(&c->view, &c->ep);
	if (docker_view_from_inspect(&c->view, item, &e) != 0) {
		eval_deny_unreadable(&c->dec, e.text);
	} else if (need != NULL && decide_volume_needs(c, &c->view, "named volume", &n) != 0) {
		eval_deny_unreadable(&c->dec, DECIDE_TOO_MANY_FACTS);
	} else if (n > 0) {
		/* Decided again once the answers are in; never reported as it stands. */
		c->pending = true;
		eval_deny_unreadable(&c->dec, "its named volumes were not looked up");
	} else if (decide_volumes(c) == 0) {
		eval_request(p, &c->ep, &c->view, c->req.user, now, &c->dec);
	}
	decide_shadow(p, c, c->req.user, now);
}

bool
decide_audit_denies(const struct policy *p, const struct decide_ctx *c)
{
	return c->dec.allow && !c->req.is_response && c->ep.state_changing &&
	    !p->audit.fail_allow;
}

bool
decide_audit_failed(const struct policy *p, struct decide_ctx *c)
{
	if (!decide_audit_denies(p, c))
		return false;
	eval_deny_unreadable(&c->dec, DECIDE_AUDIT_DOWN);
	return true;
}

void
decide_unread(struct decide_ctx *c, bool is_response, const char *reason)
{
	memset(&c->req, 0, sizeof c->req);
	decide_start(c, NULL, NULL);
	c->req.is_response = is_response;
	c->req.user = c->req.authn = c->req.method = c->req.uri = "";
	c->ep.kind = EP_OTHER;
	c->ep.state_changing = true;
	c->ep.path[0] = '\0';
	docker_view_init(&c->view, NULL);
	eval_deny_unreadable(&c->dec, reason);
}

void
decide_free(struct decide_ctx *c)
{
	size_t i;

	for (i = 0; i < CG_FACTS_MAX; i++) {
		if (c->fact_view[i] == NULL)
			continue;
		docker_view_free(c->fact_view[i]);
		free(c->fact_view[i]);
		c->fact_view[i] = NULL;
	}
	docker_image_free(&c->image);
	docker_view_free(&c->view);
	if (c->req.root != NULL || c->req.body != NULL)
		envelope_free(&c->req);
}
