/* uri.c - endpoint classification on the decoded, cleaned path, never on raw prefixes.
 * The route table is dockerd's (moby v20.10.24, api/server/router/...), in the order its
 * router tries them; docs/routes.md says why each route has its class, and
 * tests/inventory/check_routes.sh keeps the two in step. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cisgate/path.h"
#include "cisgate/str.h"
#include "cisgate/uri.h"

static const char *const uri_names[EP_KIND_COUNT] = {
	[EP_OTHER] = "other",
	[EP_CONTAINER_CREATE] = "container_create",
	[EP_EXEC_CREATE] = "exec_create",
	[EP_EXEC_START] = "exec_start",
	[EP_CONTAINER_UPDATE] = "container_update",
	[EP_CONTAINER_START] = "container_start",
	[EP_VOLUME_CREATE] = "volume_create",
	[EP_PLUGIN_ENABLE] = "plugin_enable",
	[EP_PLUGIN_DISABLE] = "plugin_disable",
	[EP_PLUGIN_REMOVE] = "plugin_remove",
	[EP_PLUGIN_SET] = "plugin_set",
	[EP_PLUGIN_UPGRADE] = "plugin_upgrade",
	[EP_PLUGIN_PUSH] = "plugin_push",
	[EP_BUILD] = "build",
	[EP_SWARM_INIT] = "swarm_init",
	[EP_SWARM_JOIN] = "swarm_join",
	[EP_SWARM_UPDATE] = "swarm_update",
	[EP_SERVICE_CREATE] = "service_create",
	[EP_SERVICE_UPDATE] = "service_update",
	[EP_PLUGIN_CREATE] = "plugin_create",
	[EP_PLUGIN_PULL] = "plugin_pull",
	[EP_CONTAINER_ARCHIVE_PUT] = "container_archive_put",
	[EP_NETWORK_CREATE] = "network_create",
	[EP_NETWORK_CONNECT] = "network_connect",
	[EP_SECRET_CREATE] = "secret_create",
	[EP_CONFIG_CREATE] = "config_create",
	[EP_GRPC] = "grpc",
	[EP_CONTAINER_RESTART] = "container_restart",
	[EP_CONTAINER_ATTACH] = "container_attach",
	[EP_CONTAINER_ARCHIVE_READ] = "container_archive_read",
};

/* Every route of a kind has this class (EP_OTHER routes carry their own). */
static const enum route_class uri_kind_classes[EP_KIND_COUNT] = {
	[EP_OTHER] = RC_DEFAULT,
	[EP_CONTAINER_CREATE] = RC_JUDGED,
	[EP_EXEC_CREATE] = RC_JUDGED,
	[EP_EXEC_START] = RC_HARMLESS,
	[EP_CONTAINER_UPDATE] = RC_JUDGED,
	[EP_CONTAINER_START] = RC_JUDGED,
	[EP_VOLUME_CREATE] = RC_JUDGED,
	[EP_PLUGIN_ENABLE] = RC_JUDGED,
	[EP_PLUGIN_DISABLE] = RC_JUDGED,
	[EP_PLUGIN_REMOVE] = RC_JUDGED,
	[EP_PLUGIN_SET] = RC_JUDGED,
	[EP_PLUGIN_UPGRADE] = RC_JUDGED,
	[EP_PLUGIN_PUSH] = RC_HARMLESS,
	[EP_BUILD] = RC_JUDGED,
	[EP_SWARM_INIT] = RC_JUDGED,
	[EP_SWARM_JOIN] = RC_JUDGED,
	[EP_SWARM_UPDATE] = RC_DEFAULT,
	[EP_SERVICE_CREATE] = RC_JUDGED,
	[EP_SERVICE_UPDATE] = RC_JUDGED,
	[EP_PLUGIN_CREATE] = RC_DEFAULT,
	[EP_PLUGIN_PULL] = RC_JUDGED,
	[EP_CONTAINER_ARCHIVE_PUT] = RC_JUDGED,
	[EP_NETWORK_CREATE] = RC_JUDGED,
	[EP_NETWORK_CONNECT] = RC_JUDGED,
	[EP_SECRET_CREATE] = RC_HARMLESS,
	[EP_CONFIG_CREATE] = RC_HARMLESS,
	[EP_GRPC] = RC_DEFAULT,
	[EP_CONTAINER_RESTART] = RC_JUDGED,
	[EP_CONTAINER_ATTACH] = RC_JUDGED,
	[EP_CONTAINER_ARCHIVE_READ] = RC_JUDGED,
};

static const char *const uri_kind_objects[EP_KIND_COUNT] = {
	[EP_OTHER] = "",
	[EP_CONTAINER_CREATE] = "container",
	[EP_EXEC_CREATE] = "container",
	[EP_EXEC_START] = "exec",
	[EP_CONTAINER_UPDATE] = "container",
	[EP_CONTAINER_START] = "container",
	[EP_VOLUME_CREATE] = "volume",
	[EP_PLUGIN_ENABLE] = "plugin",
	[EP_PLUGIN_DISABLE] = "plugin",
	[EP_PLUGIN_REMOVE] = "plugin",
	[EP_PLUGIN_SET] = "plugin",
	[EP_PLUGIN_UPGRADE] = "plugin",
	[EP_PLUGIN_PUSH] = "plugin",
	[EP_BUILD] = "image",
	[EP_SWARM_INIT] = "swarm",
	[EP_SWARM_JOIN] = "swarm",
	[EP_SWARM_UPDATE] = "swarm",
	[EP_SERVICE_CREATE] = "service",
	[EP_SERVICE_UPDATE] = "service",
	[EP_PLUGIN_CREATE] = "plugin",
	[EP_PLUGIN_PULL] = "plugin",
	[EP_CONTAINER_ARCHIVE_PUT] = "container",
	[EP_NETWORK_CREATE] = "network",
	[EP_NETWORK_CONNECT] = "network",
	[EP_SECRET_CREATE] = "secret",
	[EP_CONFIG_CREATE] = "config",
	[EP_GRPC] = "",
	[EP_CONTAINER_RESTART] = "container",
	[EP_CONTAINER_ATTACH] = "container",
	[EP_CONTAINER_ARCHIVE_READ] = "container",
};

static const char *const uri_class_names[RC_COUNT] = {
	[RC_DEFAULT] = "default",
	[RC_READ] = "read",
	[RC_HARMLESS] = "harmless",
	[RC_JUDGED] = "judged",
};

#define R(n, m, p, k, c) {n, m, p, k, c, false, NULL, NULL}
#define RQ(n, m, p, k, c, nk, tk) {n, m, p, k, c, false, nk, tk}
#define RD(n, p) {n, NULL, p, EP_OTHER, RC_READ, true, NULL, NULL}

/* dockerd registers its routers in this order (cmd/dockerd/daemon.go initRouter), each
 * route with and without /v{version}, then /debug; gorilla/mux takes the first match. */
static const struct uri_route uri_routes[] = {
	/* checkpoint (experimental: 501 unless dockerd runs with --experimental) */
	R("checkpoint_list", "GET", "/containers/{name:.*}/checkpoints", EP_OTHER, RC_READ),
	R("checkpoint_create", "POST", "/containers/{name:.*}/checkpoints", EP_OTHER, RC_DEFAULT),
	R("checkpoint_delete", "DELETE", "/containers/{name}/checkpoints/{checkpoint}", EP_OTHER,
	    RC_DEFAULT),
	/* container */
	R("container_archive_head", "HEAD", "/containers/{name:.*}/archive",
	    EP_CONTAINER_ARCHIVE_READ, RC_JUDGED),
	R("container_list", "GET", "/containers/json", EP_OTHER, RC_READ),
	R("container_export", "GET", "/containers/{name:.*}/export", EP_OTHER, RC_READ),
	R("container_changes", "GET", "/containers/{name:.*}/changes", EP_OTHER, RC_READ),
	R("container_inspect", "GET", "/containers/{name:.*}/json", EP_OTHER, RC_READ),
	R("container_top", "GET", "/containers/{name:.*}/top", EP_OTHER, RC_READ),
	R("container_logs", "GET", "/containers/{name:.*}/logs", EP_OTHER, RC_READ),
	R("container_stats", "GET", "/containers/{name:.*}/stats", EP_OTHER, RC_READ),
	R("container_attach_ws", "GET", "/containers/{name:.*}/attach/ws", EP_CONTAINER_ATTACH,
	    RC_JUDGED),
	R("exec_inspect", "GET", "/exec/{id:.*}/json", EP_OTHER, RC_READ),
	R("container_archive_get", "GET", "/containers/{name:.*}/archive",
	    EP_CONTAINER_ARCHIVE_READ, RC_JUDGED),
	RQ("container_create", "POST", "/containers/create", EP_CONTAINER_CREATE, RC_JUDGED,
	    "name", NULL),
	R("container_kill", "POST", "/containers/{name:.*}/kill", EP_OTHER, RC_HARMLESS),
	R("container_pause", "POST", "/containers/{name:.*}/pause", EP_OTHER, RC_HARMLESS),
	R("container_unpause", "POST", "/containers/{name:.*}/unpause", EP_OTHER, RC_HARMLESS),
	R("container_restart", "POST", "/containers/{name:.*}/restart", EP_CONTAINER_RESTART,
	    RC_JUDGED),
	R("container_start", "POST", "/containers/{name:.*}/start", EP_CONTAINER_START,
	    RC_JUDGED),
	R("container_stop", "POST", "/containers/{name:.*}/stop", EP_OTHER, RC_HARMLESS),
	R("container_wait", "POST", "/containers/{name:.*}/wait", EP_OTHER, RC_HARMLESS),
	R("container_resize", "POST", "/containers/{name:.*}/resize", EP_OTHER, RC_HARMLESS),
	R("container_attach", "POST", "/containers/{name:.*}/attach", EP_CONTAINER_ATTACH,
	    RC_JUDGED),
	R("container_copy", "POST", "/containers/{name:.*}/copy", EP_CONTAINER_ARCHIVE_READ,
	    RC_JUDGED),
	R("exec_create", "POST", "/containers/{name:.*}/exec", EP_EXEC_CREATE, RC_JUDGED),
	R("exec_start", "POST", "/exec/{name:.*}/start", EP_EXEC_START, RC_HARMLESS),
	R("exec_resize", "POST", "/exec/{name:.*}/resize", EP_OTHER, RC_HARMLESS),
	RQ("container_rename", "POST", "/containers/{name:.*}/rename", EP_OTHER, RC_HARMLESS,
	    "name", NULL),
	R("container_update", "POST", "/containers/{name:.*}/update", EP_CONTAINER_UPDATE,
	    RC_JUDGED),
	R("container_prune", "POST", "/containers/prune", EP_OTHER, RC_HARMLESS),
	R("commit", "POST", "/commit", EP_OTHER, RC_HARMLESS),
	RQ("container_archive_put", "PUT", "/containers/{name:.*}/archive",
	    EP_CONTAINER_ARCHIVE_PUT, RC_JUDGED, "path", NULL),
	R("container_delete", "DELETE", "/containers/{name:.*}", EP_OTHER, RC_HARMLESS),
	/* image */
	R("image_list", "GET", "/images/json", EP_OTHER, RC_READ),
	R("image_search", "GET", "/images/search", EP_OTHER, RC_READ),
	R("image_save", "GET", "/images/get", EP_OTHER, RC_READ),
	R("image_save_one", "GET", "/images/{name:.*}/get", EP_OTHER, RC_READ),
	R("image_history", "GET", "/images/{name:.*}/history", EP_OTHER, RC_READ),
	R("image_inspect", "GET", "/images/{name:.*}/json", EP_OTHER, RC_READ),
	R("image_load", "POST", "/images/load", EP_OTHER, RC_HARMLESS),
	R("image_create", "POST", "/images/create", EP_OTHER, RC_HARMLESS),
	R("image_push", "POST", "/images/{name:.*}/push", EP_OTHER, RC_HARMLESS),
	R("image_tag", "POST", "/images/{name:.*}/tag", EP_OTHER, RC_HARMLESS),
	R("image_prune", "POST", "/images/prune", EP_OTHER, RC_HARMLESS),
	R("image_delete", "DELETE", "/images/{name:.*}", EP_OTHER, RC_HARMLESS),
	/* system */
	R("options", "OPTIONS", "/{anyroute:.*}", EP_OTHER, RC_READ),
	R("ping", "GET", "/_ping", EP_OTHER, RC_READ),
	R("ping_head", "HEAD", "/_ping", EP_OTHER, RC_READ),
	R("events", "GET", "/events", EP_OTHER, RC_READ),
	R("info", "GET", "/info", EP_OTHER, RC_READ),
	R("version", "GET", "/version", EP_OTHER, RC_READ),
	R("system_df", "GET", "/system/df", EP_OTHER, RC_READ),
	R("auth", "POST", "/auth", EP_OTHER, RC_HARMLESS),
	/* volume */
	R("volume_list", "GET", "/volumes", EP_OTHER, RC_READ),
	R("volume_inspect", "GET", "/volumes/{name:.*}", EP_OTHER, RC_READ),
	R("volume_create", "POST", "/volumes/create", EP_VOLUME_CREATE, RC_JUDGED),
	R("volume_prune", "POST", "/volumes/prune", EP_OTHER, RC_HARMLESS),
	R("volume_delete", "DELETE", "/volumes/{name:.*}", EP_OTHER, RC_HARMLESS),
	/* API 1.42: a cluster (CSI) volume's spec; not in 20.10, judged by nothing yet. */
	R("volume_update", "PUT", "/volumes/{name:.*}", EP_OTHER, RC_DEFAULT),
	/* build */
	RQ("build", "POST", "/build", EP_BUILD, RC_JUDGED, "networkmode", NULL),
	R("build_prune", "POST", "/build/prune", EP_OTHER, RC_HARMLESS),
	R("build_cancel", "POST", "/build/cancel", EP_OTHER, RC_HARMLESS),
	/* session */
	R("session", "POST", "/session", EP_OTHER, RC_HARMLESS),
	/* swarm */
	R("swarm_init", "POST", "/swarm/init", EP_SWARM_INIT, RC_JUDGED),
	R("swarm_join", "POST", "/swarm/join", EP_SWARM_JOIN, RC_JUDGED),
	R("swarm_leave", "POST", "/swarm/leave", EP_OTHER, RC_HARMLESS),
	R("swarm_inspect", "GET", "/swarm", EP_OTHER, RC_READ),
	R("swarm_unlockkey", "GET", "/swarm/unlockkey", EP_OTHER, RC_READ),
	R("swarm_update", "POST", "/swarm/update", EP_SWARM_UPDATE, RC_DEFAULT),
	R("swarm_unlock", "POST", "/swarm/unlock", EP_OTHER, RC_HARMLESS),
	R("service_list", "GET", "/services", EP_OTHER, RC_READ),
	R("service_inspect", "GET", "/services/{id}", EP_OTHER, RC_READ),
	R("service_create", "POST", "/services/create", EP_SERVICE_CREATE, RC_JUDGED),
	RQ("service_update", "POST", "/services/{id}/update", EP_SERVICE_UPDATE, RC_JUDGED,
	    "rollback", NULL),
	R("service_delete", "DELETE", "/services/{id}", EP_OTHER, RC_HARMLESS),
	R("service_logs", "GET", "/services/{id}/logs", EP_OTHER, RC_READ),
	R("node_list", "GET", "/nodes", EP_OTHER, RC_READ),
	R("node_inspect", "GET", "/nodes/{id}", EP_OTHER, RC_READ),
	R("node_delete", "DELETE", "/nodes/{id}", EP_OTHER, RC_HARMLESS),
	R("node_update", "POST", "/nodes/{id}/update", EP_OTHER, RC_DEFAULT),
	R("task_list", "GET", "/tasks", EP_OTHER, RC_READ),
	R("task_inspect", "GET", "/tasks/{id}", EP_OTHER, RC_READ),
	R("task_logs", "GET", "/tasks/{id}/logs", EP_OTHER, RC_READ),
	R("secret_list", "GET", "/secrets", EP_OTHER, RC_READ),
	R("secret_create", "POST", "/secrets/create", EP_SECRET_CREATE, RC_HARMLESS),
	R("secret_delete", "DELETE", "/secrets/{id}", EP_OTHER, RC_HARMLESS),
	R("secret_inspect", "GET", "/secrets/{id}", EP_OTHER, RC_READ),
	R("secret_update", "POST", "/secrets/{id}/update", EP_OTHER, RC_HARMLESS),
	R("config_list", "GET", "/configs", EP_OTHER, RC_READ),
	R("config_create", "POST", "/configs/create", EP_CONFIG_CREATE, RC_HARMLESS),
	R("config_delete", "DELETE", "/configs/{id}", EP_OTHER, RC_HARMLESS),
	R("config_inspect", "GET", "/configs/{id}", EP_OTHER, RC_READ),
	R("config_update", "POST", "/configs/{id}/update", EP_OTHER, RC_HARMLESS),
	/* plugin */
	R("plugin_list", "GET", "/plugins", EP_OTHER, RC_READ),
	R("plugin_inspect", "GET", "/plugins/{name:.*}/json", EP_OTHER, RC_READ),
	R("plugin_privileges", "GET", "/plugins/privileges", EP_OTHER, RC_READ),
	R("plugin_remove", "DELETE", "/plugins/{name:.*}", EP_PLUGIN_REMOVE, RC_JUDGED),
	R("plugin_enable", "POST", "/plugins/{name:.*}/enable", EP_PLUGIN_ENABLE, RC_JUDGED),
	R("plugin_disable", "POST", "/plugins/{name:.*}/disable", EP_PLUGIN_DISABLE, RC_JUDGED),
	RQ("plugin_pull", "POST", "/plugins/pull", EP_PLUGIN_PULL, RC_JUDGED, "name", "remote"),
	R("plugin_push", "POST", "/plugins/{name:.*}/push", EP_PLUGIN_PUSH, RC_HARMLESS),
	RQ("plugin_upgrade", "POST", "/plugins/{name:.*}/upgrade", EP_PLUGIN_UPGRADE, RC_JUDGED,
	    "remote", NULL),
	R("plugin_set", "POST", "/plugins/{name:.*}/set", EP_PLUGIN_SET, RC_JUDGED),
	RQ("plugin_create", "POST", "/plugins/create", EP_PLUGIN_CREATE, RC_DEFAULT, "name",
	    NULL),
	/* distribution */
	R("distribution_inspect", "GET", "/distribution/{name:.*}/json", EP_OTHER, RC_READ),
	/* grpc */
	R("grpc", "POST", "/grpc", EP_GRPC, RC_DEFAULT),
	/* network (registered last of the routers; "GET /networks/" is the same route as
	 * "GET /networks" once the trailing slash is cleaned away) */
	R("network_list", "GET", "/networks", EP_OTHER, RC_READ),
	R("network_inspect", "GET", "/networks/{id:.+}", EP_OTHER, RC_READ),
	R("network_create", "POST", "/networks/create", EP_NETWORK_CREATE, RC_JUDGED),
	R("network_connect", "POST", "/networks/{id:.*}/connect", EP_NETWORK_CONNECT, RC_JUDGED),
	R("network_disconnect", "POST", "/networks/{id:.*}/disconnect", EP_OTHER, RC_HARMLESS),
	R("network_prune", "POST", "/networks/prune", EP_OTHER, RC_HARMLESS),
	R("network_delete", "DELETE", "/networks/{id:.*}", EP_OTHER, RC_HARMLESS),
	/* debug: any method, never under /v1.xx ("/debug/pprof/" cleans to "/debug/pprof") */
	RD("debug_vars", "/debug/vars"),
	RD("debug_pprof_index", "/debug/pprof"),
	RD("debug_pprof_cmdline", "/debug/pprof/cmdline"),
	RD("debug_pprof_profile", "/debug/pprof/profile"),
	RD("debug_pprof_symbol", "/debug/pprof/symbol"),
	RD("debug_pprof_trace", "/debug/pprof/trace"),
	RD("debug_pprof_named", "/debug/pprof/{name}"),
};

#undef R
#undef RQ
#undef RD

#define URI_NROUTES (sizeof uri_routes / sizeof uri_routes[0])

const char *
uri_kind_name(enum ep_kind kind)
{
	return (unsigned)kind < EP_KIND_COUNT ? uri_names[kind] : "other";
}

enum ep_kind
uri_kind_from_name(const char *name)
{
	int i;

	for (i = 0; i < EP_KIND_COUNT; i++)
		if (strcmp(uri_names[i], name) == 0)
			return (enum ep_kind)i;
	return EP_KIND_COUNT;
}

enum route_class
uri_kind_class(enum ep_kind kind)
{
	return (unsigned)kind < EP_KIND_COUNT ? uri_kind_classes[kind] : RC_DEFAULT;
}

const char *
uri_kind_object(enum ep_kind kind)
{
	return (unsigned)kind < EP_KIND_COUNT ? uri_kind_objects[kind] : "";
}

const char *
uri_class_name(enum route_class rc)
{
	return (unsigned)rc < RC_COUNT ? uri_class_names[rc] : "default";
}

const struct uri_route *
uri_route_at(size_t i)
{
	return i < URI_NROUTES ? &uri_routes[i] : NULL;
}

const char *
uri_route_name(const struct endpoint *ep)
{
	return ep->route != NULL ? ep->route->name : "unknown";
}

enum route_class
uri_route_class(const struct endpoint *ep)
{
	/* A route left over from an earlier request does not match a kind set by hand. */
	if (ep->route != NULL && ep->route->kind == ep->kind)
		return ep->route->rclass;
	if (ep->kind != EP_OTHER)
		return uri_kind_class(ep->kind);
	return ep->state_changing ? RC_DEFAULT : RC_READ;
}

/* Percent-decodes s[0..n) into out (size outsz, NUL-terminated) as Go's unescape does;
 * plus_space for query components. The decoded length goes to *olen: it may hold NULs.
 * Returns 0, -1 on a bad escape (Go's EscapeError), -2 when out is too small. */
static int
uri_unescape(const char *s, size_t n, char *out, size_t outsz, bool plus_space, size_t *olen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n)
				return -1;
			h = str_hexval((unsigned char)s[i + 1]);
			l = str_hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h << 4 | l;
			i += 2;
		} else if (c == '+' && plus_space)
			c = ' ';
		if (o + 1 >= outsz)
			return -2;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*olen = o;
	return 0;
}

int
uri_query_get(const char *raw, const char *key, char *out, size_t outsz)
{
	const char *q = raw ? strchr(raw, '?') : NULL;
	size_t klen = strlen(key);

	out[0] = '\0';
	if (q == NULL)
		return 0;
	q++;
	/* Go 1.19 net/url parseQuery, pair by pair. */
	while (*q) {
		const char *end = strchr(q, '&'), *eq;
		size_t n = end ? (size_t)(end - q) : strlen(q), kl, vl;
		char kbuf[64];
		int rc;

		/* Go >= 1.17 drops a pair with a ';' (it is no longer a separator); an empty
		 * pair is skipped. */
		if (n == 0 || memchr(q, ';', n) != NULL)
			goto next;
		eq = memchr(q, '=', n);
		rc = uri_unescape(q, eq ? (size_t)(eq - q) : n, kbuf, sizeof kbuf, true, &kl);
		/* A key too long for kbuf is longer than any key cisgate asks for. */
		if (rc != 0 || kl != klen || memcmp(kbuf, key, klen) != 0)
			goto next;
		if (eq == NULL)
			return 1; /* "key" alone: the value is "" */
		rc = uri_unescape(eq + 1, n - (size_t)(eq + 1 - q), out, outsz, true, &vl);
		if (rc == -1) {
			/* ParseQuery skips the whole pair; a later one may still give the value. */
			out[0] = '\0';
			goto next;
		}
		if (rc != 0 || memchr(out, '\0', vl) != NULL) {
			out[0] = '\0';
			return -1;
		}
		return 1;
next:
		if (end == NULL)
			break;
		q = end + 1;
	}
	return 0;
}

bool
uri_form_body(const char *method, const char *content_type)
{
	static const char *const forms[] = {"application/x-www-form-urlencoded",
	    "multipart/form-data"};
	const char *ct = content_type;
	size_t n, i;

	if (method == NULL || ct == NULL)
		return false;
	if (strcmp(method, "POST") != 0 && strcmp(method, "PUT") != 0 &&
	    strcmp(method, "PATCH") != 0)
		return false;
	/* mime.ParseMediaType: the type ends at ';', space around it is ignored, and it is
	 * compared in lower case. */
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	for (i = 0; i < sizeof forms / sizeof forms[0]; i++)
		if (strlen(forms[i]) == n && strncasecmp(ct, forms[i], n) == 0)
			return true;
	return false;
}

bool
uri_version_below(const struct endpoint *ep, const char *v)
{
	const char *a = ep->version, *b = v;

	if (!ep->has_version)
		return false;
	/* dockerd's versions.compare: numeric segments, a missing one counts as 0. */
	while (*a || *b) {
		long x = 0, y = 0;

		while (*a >= '0' && *a <= '9' && x < 100000)
			x = x * 10 + (*a++ - '0');
		while (*b >= '0' && *b <= '9' && y < 100000)
			y = y * 10 + (*b++ - '0');
		if (x != y)
			return x < y;
		while (*a && *a != '.')
			a++;
		while (*b && *b != '.')
			b++;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return false;
}

/* Copies the first path variable into ep->target when keep; false when it does not fit. */
static bool
uri_capture(struct endpoint *ep, const char *s, size_t n, bool keep, bool *captured)
{
	if (*captured || !keep)
		return true;
	*captured = true;
	if (n + 1 > sizeof ep->target)
		return false;
	memcpy(ep->target, s, n);
	ep->target[n] = '\0';
	return true;
}

/* Matches the cleaned path s against a route pattern as gorilla/mux's regexp would:
 * literals (in any case: dockerd's are lower case, and a wrong case is a 404 there), {v}
 * one non-empty segment, {v:.+} / {v:.*} the rest up to a literal tail (the greedy match).
 * keep: the first variable goes to ep->target. Returns 1 on a match, 0 on none, -1 when
 * a kept variable does not fit. */
static int
uri_route_match(const char *pat, const char *s, struct endpoint *ep, bool keep)
{
	bool captured = false;

	while (*pat) {
		if (*pat == '{') {
			const char *close = strchr(pat, '}');
			bool rest = memchr(pat, ':', (size_t)(close - pat)) != NULL;
			bool star = rest && close[-1] == '*';
			size_t n;

			pat = close + 1;
			if (!rest) {
				n = strcspn(s, "/");
				if (n == 0)
					return 0;
			} else {
				size_t sl = strlen(s), tl = strlen(pat);

				/* The table's .* and .+ variables are followed by literals only. */
				if (sl < tl || strcasecmp(s + sl - tl, pat) != 0)
					return 0;
				n = sl - tl;
				if (n == 0 && !star)
					return 0;
			}
			if (!uri_capture(ep, s, n, keep, &captured))
				return -1;
			s += n;
			if (rest)
				return 1;
			continue;
		}
		if (tolower((unsigned char)*pat) != tolower((unsigned char)*s))
			return 0;
		pat++;
		s++;
	}
	return *s == '\0';
}

/* Where the path of a request target starts, as Go's server reads it (url.ParseRequestURI):
 * a scheme (a letter, then letters, digits, '+', '-' or '.', then ':') may come first, any
 * scheme, then "//authority" up to the next '/'; the rest is the path dockerd routes. So
 * "a:/containers/X/archive" and "http://docker/containers/X/archive" both route as
 * /containers/X/archive. Anything else is returned as it is (a path, or a target dockerd
 * refuses or cannot route: it does not start with '/'). */
static const char *
uri_target_path(const char *raw)
{
	const char *p = raw;

	if (!isalpha((unsigned char)*p))
		return raw;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':')
		return raw;
	p++;
	/* Go cuts the query off first, so the authority ends at '/', '?' or the end. */
	if (p[0] == '/' && p[1] == '/')
		p += 2 + strcspn(p + 2, "/?");
	return p;
}

int
uri_classify(const char *method, const char *raw, struct endpoint *ep, char *err, size_t errlen)
{
	const struct uri_route *r;
	const char *q, *p, *bad = NULL;
	size_t n, i, olen;
	char *path;

	/* Not a memset: path alone is 8 KiB, and this runs on every request. */
	ep->kind = EP_OTHER;
	ep->route = NULL;
	ep->has_version = false;
	ep->version[0] = ep->target[0] = ep->name[0] = ep->path[0] = '\0';
	ep->state_changing = !(strcasecmp(method, "GET") == 0 || strcasecmp(method, "HEAD") == 0 ||
	    strcasecmp(method, "OPTIONS") == 0);

	p = uri_target_path(raw);
	q = strchr(p, '?');
	n = q ? (size_t)(q - p) : strlen(p);
	/* Go refuses a path with a bad escape (400); an encoded NUL is refused here. */
	if (uri_unescape(p, n, ep->path, sizeof ep->path, false, &olen) != 0 ||
	    memchr(ep->path, '\0', olen) != NULL) {
		ep->path[0] = '\0';
		snprintf(err, errlen, "request URI cannot be decoded (bad percent-escape or too long)");
		return -1;
	}
	if (ep->path[0] != '/') {
		/* Not a path dockerd routes; nothing to classify. */
		return 0;
	}
	/* gorilla/mux answers an unclean path with a redirect to the clean one; judging the
	 * clean path is judging the request the client will send next. */
	(void)path_clean(ep->path, ep->path, sizeof ep->path);
	path = ep->path;

	/* Optional /v<version> prefix: [0-9.]+ as in dockerd's router. */
	if ((path[1] == 'v' || path[1] == 'V') && path[2] != '\0' && strchr("0123456789.", path[2])) {
		size_t vl = strspn(path + 2, "0123456789.");

		if (path[2 + vl] == '/' || path[2 + vl] == '\0') {
			size_t cl = vl < sizeof ep->version ? vl : sizeof ep->version - 1;

			ep->has_version = true;
			memcpy(ep->version, path + 2, cl);
			ep->version[cl] = '\0';
			memmove(path, path + 2 + vl, strlen(path + 2 + vl) + 1);
			if (path[0] == '\0')
				str_copy(path, "/", 2);
		}
	}

	for (i = 0; i < URI_NROUTES; i++) {
		int m;

		r = &uri_routes[i];
		/* The first letter first: this loop runs on every request. */
		if (r->method != NULL && (r->method[0] != toupper((unsigned char)method[0]) ||
		    strcasecmp(r->method, method) != 0))
			continue;
		if (r->unversioned && ep->has_version)
			continue;
		/* Only kinds of their own keep a target: audit records name it as the kind's
		 * object (uri_kind_object), and a long name elsewhere is no reason to deny. */
		m = uri_route_match(r->pattern, path, ep, r->kind != EP_OTHER);
		if (m == 0) {
			ep->target[0] = '\0';
			continue;
		}
		if (m < 0) {
			ep->target[0] = '\0';
			snprintf(err, errlen, "a name in the request path is longer than %d bytes",
			    CG_ID_MAX - 1);
			return -1;
		}
		ep->route = r;
		ep->kind = r->kind;
		break;
	}
	r = ep->route;
	if (r == NULL)
		return 0;
	if (r->name_key != NULL && uri_query_get(q, r->name_key, ep->name, sizeof ep->name) < 0)
		bad = r->name_key;
	else if (r->target_key != NULL &&
	    uri_query_get(q, r->target_key, ep->target, sizeof ep->target) < 0)
		bad = r->target_key;
	if (bad != NULL) {
		snprintf(err, errlen, "the query value %s= cannot be read as dockerd reads it "
		    "(longer than %d bytes, or an encoded NUL)", bad, CG_ID_MAX - 1);
		return -1;
	}
	return 0;
}
