/* uri.h - a raw RequestUri to the endpoint dockerd's router will run. */
#ifndef CISGATE_URI_H
#define CISGATE_URI_H

#include <stdbool.h>

#include "cisgate/limits.h"

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
	EP_SERVICE_CREATE,
	EP_SERVICE_UPDATE,
	EP_KIND_COUNT
};

struct endpoint {
	enum ep_kind kind;
	bool state_changing;     /* any method but GET, HEAD, OPTIONS */
	bool has_version;
	char version[16];        /* "1.41" when the path had /v1.41 */
	char target[CG_ID_MAX];  /* container, exec or plugin reference from the path */
	char name[CG_ID_MAX];    /* ?name= of a create, ?networkmode= of a build, decoded */
	char path[CG_URI_MAX + 1]; /* decoded, cleaned, version removed */
};

/* Classifies method + raw RequestUri. Returns 0, or -1 with a reason in err when the URI
 * cannot be read as dockerd reads it (bad escapes, too long): callers deny those. */
int uri_classify(const char *method, const char *raw, struct endpoint *ep, char *err,
    size_t errlen);

/* Stable endpoint names for audit records and `cisgate check --endpoint`. */
const char *uri_kind_name(enum ep_kind kind);
/* The reverse: EP_KIND_COUNT when name is unknown. */
enum ep_kind uri_kind_from_name(const char *name);

/* Compares API versions as dockerd does (dot-separated numbers). True when ep's version
 * is below v; a request without a version uses dockerd's default, which is not. */
bool uri_version_below(const struct endpoint *ep, const char *v);

#endif
