/* uri.c - endpoint classification on the decoded, cleaned path, never on raw prefixes. */
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
	[EP_SERVICE_CREATE] = "service_create",
	[EP_SERVICE_UPDATE] = "service_update",
};

const char *
uri_kind_name(enum ep_kind kind)
{
	return kind < EP_KIND_COUNT ? uri_names[kind] : "other";
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

static int
uri_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into out (size outsz); plus_space for query strings.
 * Returns 0, or -1 on a bad escape, an encoded NUL, or no room. */
static int
uri_unescape(const char *s, size_t n, char *out, size_t outsz, bool plus_space)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n)
				return -1;
			h = uri_hex((unsigned char)s[i + 1]);
			l = uri_hex((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h << 4 | l;
			i += 2;
		} else if (c == '+' && plus_space)
			c = ' ';
		if (c == '\0' || o + 1 >= outsz)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* "/plugins/NAME/disable": true with NAME copied into target when p has that shape. */
static bool
uri_match(const char *p, const char *prefix, const char *suffix, char *target, size_t tsz)
{
	size_t pl = strlen(prefix), sl = strlen(suffix), n = strlen(p);

	if (n < pl + sl + 1 || strncasecmp(p, prefix, pl) != 0)
		return false;
	if (sl > 0 && strcasecmp(p + n - sl, suffix) != 0)
		return false;
	n -= pl + sl;
	if (n + 1 > tsz)
		n = tsz - 1;
	memcpy(target, p + pl, n);
	target[n] = '\0';
	return true;
}

/* First parameter `want` of the query, as Go's url.Values.Get does. */
static void
uri_query_get(const char *q, const char *want, char *out, size_t outsz)
{
	out[0] = '\0';
	while (q && *q) {
		const char *end = strchr(q, '&'), *eq;
		size_t n = end ? (size_t)(end - q) : strlen(q);
		char key[16];

		eq = memchr(q, '=', n);
		if (eq && uri_unescape(q, (size_t)(eq - q), key, sizeof key, true) == 0 &&
		    strcmp(key, want) == 0) {
			if (uri_unescape(eq + 1, n - (size_t)(eq + 1 - q), out, outsz, true) != 0)
				out[0] = '\0';
			return;
		}
		q = end ? end + 1 : NULL;
	}
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

int
uri_classify(const char *method, const char *raw, struct endpoint *ep, char *err, size_t errlen)
{
	const char *q, *p;
	size_t n;
	bool post, del;
	char *path;

	/* Not a memset: path alone is 8 KiB, and this runs on every request. */
	ep->kind = EP_OTHER;
	ep->has_version = false;
	ep->version[0] = ep->target[0] = ep->name[0] = ep->path[0] = '\0';
	ep->state_changing = !(strcasecmp(method, "GET") == 0 || strcasecmp(method, "HEAD") == 0 ||
	    strcasecmp(method, "OPTIONS") == 0);
	post = strcasecmp(method, "POST") == 0;
	del = strcasecmp(method, "DELETE") == 0;

	/* Go's server also accepts the absolute form "http://host/path". */
	p = raw;
	if (*p != '/') {
		const char *s = strstr(p, "://");

		if (s != NULL && memchr(p, '/', (size_t)(s - p)) == NULL) {
			p = strchr(s + 3, '/');
			if (p == NULL)
				p = "/";
		}
	}
	q = strchr(p, '?');
	n = q ? (size_t)(q - p) : strlen(p);
	if (uri_unescape(p, n, ep->path, sizeof ep->path, false) != 0) {
		snprintf(err, errlen, "request URI cannot be decoded (bad percent-escape or too long)");
		return -1;
	}
	if (ep->path[0] != '/') {
		/* Not a path dockerd routes; nothing to classify. */
		return 0;
	}
	/* gorilla/mux cleans the path before it routes (path.Clean). */
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

	if (post && strcasecmp(path, "/containers/create") == 0) {
		ep->kind = EP_CONTAINER_CREATE;
		uri_query_get(q ? q + 1 : NULL, "name", ep->name, sizeof ep->name);
	} else if (post && strcasecmp(path, "/build") == 0) {
		ep->kind = EP_BUILD;
		uri_query_get(q ? q + 1 : NULL, "networkmode", ep->name, sizeof ep->name);
	} else if (post && strcasecmp(path, "/volumes/create") == 0)
		ep->kind = EP_VOLUME_CREATE;
	else if (post && uri_match(path, "/containers/", "/exec", ep->target, sizeof ep->target))
		ep->kind = EP_EXEC_CREATE;
	else if (post && uri_match(path, "/containers/", "/start", ep->target, sizeof ep->target))
		ep->kind = EP_CONTAINER_START;
	else if (post && uri_match(path, "/containers/", "/update", ep->target, sizeof ep->target))
		ep->kind = EP_CONTAINER_UPDATE;
	else if (post && uri_match(path, "/exec/", "/start", ep->target, sizeof ep->target))
		ep->kind = EP_EXEC_START;
	else if (post && uri_match(path, "/plugins/", "/enable", ep->target, sizeof ep->target))
		ep->kind = EP_PLUGIN_ENABLE;
	else if (post && uri_match(path, "/plugins/", "/disable", ep->target, sizeof ep->target))
		ep->kind = EP_PLUGIN_DISABLE;
	else if (post && uri_match(path, "/plugins/", "/set", ep->target, sizeof ep->target))
		ep->kind = EP_PLUGIN_SET;
	else if (post && uri_match(path, "/plugins/", "/upgrade", ep->target, sizeof ep->target))
		ep->kind = EP_PLUGIN_UPGRADE;
	else if (post && uri_match(path, "/plugins/", "/push", ep->target, sizeof ep->target))
		ep->kind = EP_PLUGIN_PUSH;
	else if (del && uri_match(path, "/plugins/", "", ep->target, sizeof ep->target))
		ep->kind = EP_PLUGIN_REMOVE;
	return 0;
}
