/* uri.h - a raw RequestUri to the endpoint dockerd's router will run. */
#ifndef CISGATE_URI_H
#define CISGATE_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "cisgate/limits.h"

/* The kinds the evaluator tells apart. Routes that need no handling of their own share
 * EP_OTHER and are told apart by their route (uri_route_name) and class. New kinds go at
 * the end, before EP_KIND_COUNT, with a name in uri.c's uri_names. */
enum ep_kind {
	EP_OTHER = 0,
	EP_CONTAINER_CREATE,
	EP_EXEC_CREATE,
	EP_EXEC_START,
	EP_CONTAINER_UPDATE,
	EP_CONTAINER_START,
	EP_VOLUME_CREATE,
	EP_PLUGIN_ENABLE,
	EP_PLUGIN_DISABLE,
	EP_PLUGIN_REMOVE,
	EP_PLUGIN_SET,
	EP_PLUGIN_UPGRADE,
	EP_PLUGIN_PUSH,
	EP_BUILD, /* POST /build: its query chooses the network of every RUN step */
	EP_SWARM_INIT,
	EP_SWARM_JOIN,
	EP_SWARM_UPDATE,
	EP_SERVICE_CREATE,
	EP_SERVICE_UPDATE,
	EP_PLUGIN_CREATE,   /* name= from the query; the config is inside a tar body */
	EP_PLUGIN_PULL,     /* target = ?remote=, name = ?name= */
	EP_CONTAINER_ARCHIVE_PUT, /* name = ?path= */
	EP_NETWORK_CREATE,
	EP_NETWORK_CONNECT,
	EP_SECRET_CREATE,
	EP_CONFIG_CREATE,
	EP_GRPC,            /* BuildKit's control API on a hijacked HTTP/2 stream */
	EP_CONTAINER_RESTART, /* starts a stopped container as it was made, like a plain start */
	EP_CONTAINER_ATTACH,  /* the stdio of a container's process (attach, attach/ws) */
	EP_CONTAINER_ARCHIVE_READ, /* docker cp out of a container: GET/HEAD archive, old-API copy */
	EP_KIND_COUNT
};

/* rules.h keeps the kinds a rule judges as bits of an unsigned (RK_*): one bit a kind. */
_Static_assert(EP_KIND_COUNT <= 32, "rules' RK_* masks hold one bit per ep_kind");

/* What a route can do, so the evaluator knows what to ask of the policy (docs/routes.md).
 * Zero is the fail-closed answer. */
enum route_class {
	RC_DEFAULT = 0, /* unknown, or able to grant a privilege cisgate cannot see:
	                 * denied unless the policy allows it (default_route) */
	RC_READ,        /* reads state only */
	RC_HARMLESS,    /* changes state without granting a privilege (the allow-list) */
	RC_JUDGED,      /* the rules judge it: a body or query view exists or will */
	RC_COUNT
};

/* One route of dockerd's router (moby v20.10.24, Engine API 1.41). */
struct uri_route {
	const char *name;       /* stable: the `route` column of docs/routes.md */
	const char *method;     /* NULL: any method (dockerd's /debug routes) */
	const char *pattern;    /* dockerd's path; {v} one segment, {v:.*} / {v:.+} the rest */
	enum ep_kind kind;
	enum route_class rclass;
	bool unversioned;       /* dockerd routes it only without a /v1.xx prefix */
	const char *name_key;   /* query key whose first value goes to endpoint.name */
	const char *target_key; /* query key whose first value goes to endpoint.target */
};

struct endpoint {
	enum ep_kind kind;
	bool state_changing;     /* any method but GET, HEAD, OPTIONS */
	bool has_version;
	char version[16];        /* "1.41" when the path had /v1.41 */
	char target[CG_ID_MAX];  /* for kinds but EP_OTHER: the container, exec, plugin, service
	                          * or network the path names, or the query value the route
	                          * names (plugin pull: remote) */
	char name[CG_ID_MAX];    /* the route's name_key from the query (create: name,
	                          * build: networkmode, archive PUT: path), decoded */
	const struct uri_route *route; /* NULL: no dockerd route matches */
	char path[CG_URI_MAX + 1]; /* decoded, cleaned, version removed */
};

/* Classifies method + raw RequestUri. Returns 0, or -1 with a reason in err when the URI
 * cannot be read as dockerd reads it (bad escapes, too long, a path name or a query value
 * the endpoint keeps that does not fit): callers deny those. */
int uri_classify(const char *method, const char *raw, struct endpoint *ep, char *err,
    size_t errlen);

/* The class of ep's route: the route's own when ep->route matches ep->kind; else the
 * class of ep->kind (for endpoints built without a URI); else RC_READ for GET, HEAD and
 * OPTIONS and RC_DEFAULT for anything else dockerd has no route for. */
enum route_class uri_route_class(const struct endpoint *ep);

/* The class every route of a kind has; RC_DEFAULT for EP_OTHER and out-of-range kinds. */
enum route_class uri_kind_class(enum ep_kind kind);

/* Stable names: the route's (docs/routes.md), or "unknown"; and "default", "read",
 * "harmless", "judged" for classes. Static strings. */
const char *uri_route_name(const struct endpoint *ep);
const char *uri_class_name(enum route_class rc);

/* What a kind's target or name names, for audit records: "container", "exec", "volume",
 * "plugin", "image", "swarm", "service", "network", "secret", "config" or "". */
const char *uri_kind_object(enum ep_kind kind);

/* The route table in dockerd's matching order: NULL past the end. */
const struct uri_route *uri_route_at(size_t i);

/* Stable endpoint names for audit records and `cisgate check --endpoint`. */
const char *uri_kind_name(enum ep_kind kind);
/* The reverse: EP_KIND_COUNT when name is unknown. */
enum ep_kind uri_kind_from_name(const char *name);

/* Compares API versions as dockerd does (dot-separated numbers). True when ep's version
 * is below v; a request without a version uses dockerd's default, which is not. */
bool uri_version_below(const struct endpoint *ep, const char *v);

/* The first value of key in raw's query string, as Go 1.19's url.ParseQuery + Get read it
 * (dockerd 20.10.24 in Debian 12 is built with Go 1.19): pairs split on '&'; a pair holding
 * a ';' or a bad %-escape (in key or value) is skipped and later pairs still count; a pair
 * without '=' has the value ""; '+' is a space. raw is a whole RequestUri (the query starts
 * after its first '?') or NULL. Returns 1 with the value in out, 0 when key is absent (out
 * is ""), -1 when the value does not fit in outsz or holds a NUL (out is ""): deny those. */
int uri_query_get(const char *raw, const char *key, char *out, size_t outsz);

/* True when Go's Request.FormValue would also read form values from the request body:
 * a POST, PUT or PATCH whose Content-Type is application/x-www-form-urlencoded or
 * multipart/form-data (case and parameters ignored). Such a body is never forwarded to
 * the plugin, and for urlencoded its values come before the query's. */
bool uri_form_body(const char *method, const char *content_type);

#endif
