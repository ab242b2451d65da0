/* URI classification: every spelling dockerd's router accepts maps to the same kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cisgate/uri.h"

struct ucase {
	const char *method, *uri;
	int rc;
	enum ep_kind kind;
	const char *target, *version, *name;
};

static const struct ucase cases[] = {
	{"POST", "/containers/create", 0, EP_CONTAINER_CREATE, "", "", ""},
	{"POST", "/v1.41/containers/create?name=x", 0, EP_CONTAINER_CREATE, "", "1.41", "x"},
	{"POST", "/v1.41/containers/create?foo=1&name=a%2Bb+c", 0, EP_CONTAINER_CREATE, "", "1.41", "a+b c"},
	{"POST", "/v1.41/containers/create?name=first&name=second", 0, EP_CONTAINER_CREATE, "", "1.41", "first"},
	{"post", "/v1.41/containers/create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/v1.41/containers/%63reate", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/v1.41/%63ontainers%2Fcreate", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "//v1.41//containers///create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/v1.41/containers/./create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/v1.41/images/../containers/create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/../../containers/create", 0, EP_CONTAINER_CREATE, "", "", ""},
	{"POST", "/v1.41/containers/create/", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "/V1.41/Containers/Create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "http://docker/v1.41/containers/create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	/* Go reads any scheme, with or without an authority (url.ParseRequestURI). */
	{"POST", "a:/v1.41/containers/create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "HTTP:/containers/create", 0, EP_CONTAINER_CREATE, "", "", ""},
	{"POST", "x+y.z-1:/containers/create", 0, EP_CONTAINER_CREATE, "", "", ""},
	{"POST", "a://docker/v1.41/containers/create", 0, EP_CONTAINER_CREATE, "", "1.41", ""},
	{"POST", "a:///containers/create", 0, EP_CONTAINER_CREATE, "", "", ""},
	{"GET", "a:/v1.41/containers/c1/archive?path=/x", 0, EP_CONTAINER_ARCHIVE_READ, "c1", "1.41", ""},
	{"HEAD", "b:/containers/c1/archive?path=/x", 0, EP_CONTAINER_ARCHIVE_READ, "c1", "", ""},
	{"GET", "a:/v1.41/containers/c1/attach/ws", 0, EP_CONTAINER_ATTACH, "c1", "1.41", ""},
	/* No path Go routes: the authority ends at the query, a scheme cannot start with a
	 * digit or hold '/', an opaque target has no path. */
	{"POST", "a://docker?x=/containers/create", 0, EP_OTHER, "", "", ""},
	{"POST", "1a:/containers/create", 0, EP_OTHER, "", "", ""},
	{"POST", "a/b:/containers/create", 0, EP_OTHER, "", "", ""},
	{"POST", "a:containers/create", 0, EP_OTHER, "", "", ""},
	{"POST", "/v1.24/containers/create", 0, EP_CONTAINER_CREATE, "", "1.24", ""},
	{"POST", "/v1.41/containers/create%3Fname=x", 0, EP_OTHER, "", "1.41", ""},
	{"GET", "/v1.41/containers/create", 0, EP_OTHER, "", "1.41", ""},
	{"POST", "/v1.41/containers/abc/exec", 0, EP_EXEC_CREATE, "abc", "1.41", ""},
	{"POST", "/v1.41/containers/a%2Fb/exec", 0, EP_EXEC_CREATE, "a/b", "1.41", ""},
	{"POST", "/containers/abc/start", 0, EP_CONTAINER_START, "abc", "", ""},
	{"POST", "/v1.23/containers/abc/start", 0, EP_CONTAINER_START, "abc", "1.23", ""},
	{"POST", "/v1.41/containers/abc/update", 0, EP_CONTAINER_UPDATE, "abc", "1.41", ""},
	{"POST", "/v1.41/exec/e1/start", 0, EP_EXEC_START, "e1", "1.41", ""},
	{"POST", "/v1.41/volumes/create", 0, EP_VOLUME_CREATE, "", "1.41", ""},
	{"POST", "/v1.41/plugins/cisgate:latest/disable", 0, EP_PLUGIN_DISABLE, "cisgate:latest", "1.41", ""},
	{"POST", "/v1.41/plugins/cisgate/enable", 0, EP_PLUGIN_ENABLE, "cisgate", "1.41", ""},
	{"POST", "/v1.41/plugins/cisgate/set", 0, EP_PLUGIN_SET, "cisgate", "1.41", ""},
	{"POST", "/v1.41/plugins/cisgate/upgrade?remote=x", 0, EP_PLUGIN_UPGRADE, "cisgate", "1.41", "x"},
	{"DELETE", "/v1.41/plugins/cisgate?force=1", 0, EP_PLUGIN_REMOVE, "cisgate", "1.41", ""},
	{"DELETE", "/plugins/reg.io/team/cisgate:1.0", 0, EP_PLUGIN_REMOVE, "reg.io/team/cisgate:1.0", "", ""},
	{"GET", "/_ping", 0, EP_OTHER, "", "", ""},
	{"POST", "/v1.41/build?t=app&networkmode=host", 0, EP_BUILD, "", "1.41", "host"},
	{"POST", "/build?networkmode=h%6Fst", 0, EP_BUILD, "", "", "host"},
	{"POST", "/v1.41/build?t=app", 0, EP_BUILD, "", "1.41", ""},
	{"GET", "/v1.41/containers/json?all=1", 0, EP_OTHER, "", "1.41", ""},
	{"POST", "/v1.41/containers/create%", -1, EP_OTHER, "", "", ""},
	{"POST", "/v1.41/containers/create%zz", -1, EP_OTHER, "", "", ""},
	{"POST", "/v1.41/containers/cre%00ate", -1, EP_OTHER, "", "", ""},
};

/* One row at least for every route of uri.c's table: tests/inventory/check_routes.sh
 * fails when a route of docs/routes.md has none here (`test_uri --list-routes`). */
struct rcase {
	const char *method, *uri, *route;
	enum ep_kind kind;
	enum route_class rc;
	const char *target, *name;
};

static const struct rcase routes[] = {
	{"GET", "/v1.41/containers/c1/checkpoints", "checkpoint_list", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/containers/c1/checkpoints", "checkpoint_create", EP_OTHER, RC_DEFAULT, "", ""},
	{"DELETE", "/v1.41/containers/c1/checkpoints/cp1?dir=/etc", "checkpoint_delete", EP_OTHER, RC_DEFAULT, "", ""},
	/* {name} is one segment: a deeper path is a container removal (gorilla's order). */
	{"DELETE", "/v1.41/containers/a/b/checkpoints/cp1", "container_delete", EP_OTHER, RC_HARMLESS, "", ""},
	{"HEAD", "/v1.41/containers/c1/archive?path=/etc", "container_archive_head", EP_CONTAINER_ARCHIVE_READ, RC_JUDGED, "c1", ""},
	{"GET", "/v1.41/containers/json?all=1", "container_list", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/containers/c1/export", "container_export", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/containers/c1/changes", "container_changes", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/containers/c1/json", "container_inspect", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/containers/c1/top?ps_args=aux", "container_top", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/containers/c1/logs?stdout=1", "container_logs", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/containers/c1/stats", "container_stats", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/containers/c1/attach/ws?stdin=1", "container_attach_ws", EP_CONTAINER_ATTACH, RC_JUDGED, "c1", ""},
	{"GET", "/v1.41/exec/e1/json", "exec_inspect", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/containers/c1/archive?path=/", "container_archive_get", EP_CONTAINER_ARCHIVE_READ, RC_JUDGED, "c1", ""},
	{"POST", "/v1.41/containers/create?name=web", "container_create", EP_CONTAINER_CREATE, RC_JUDGED, "", "web"},
	{"POST", "/v1.41/containers/c1/kill?signal=KILL", "container_kill", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/containers/c1/pause", "container_pause", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/containers/c1/unpause", "container_unpause", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/containers/c1/restart", "container_restart", EP_CONTAINER_RESTART, RC_JUDGED, "c1", ""},
	{"POST", "/v1.41/containers/c1/start", "container_start", EP_CONTAINER_START, RC_JUDGED, "c1", ""},
	/* "create" is a name like any other once a verb follows it. */
	{"POST", "/v1.41/containers/create/start", "container_start", EP_CONTAINER_START, RC_JUDGED, "create", ""},
	{"POST", "/v1.41/containers/c1/stop?t=1", "container_stop", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/containers/c1/wait", "container_wait", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/containers/c1/resize?h=1&w=2", "container_resize", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/containers/c1/attach?stream=1", "container_attach", EP_CONTAINER_ATTACH, RC_JUDGED, "c1", ""},
	{"POST", "/v1.23/containers/c1/copy", "container_copy", EP_CONTAINER_ARCHIVE_READ, RC_JUDGED, "c1", ""},
	{"POST", "/v1.41/containers/c1/exec", "exec_create", EP_EXEC_CREATE, RC_JUDGED, "c1", ""},
	{"POST", "/v1.41/exec/e1/start", "exec_start", EP_EXEC_START, RC_HARMLESS, "e1", ""},
	{"POST", "/v1.41/exec/e1/resize?h=1&w=2", "exec_resize", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/containers/c1/rename?name=c2", "container_rename", EP_OTHER, RC_HARMLESS, "", "c2"},
	{"POST", "/v1.41/containers/c1/update", "container_update", EP_CONTAINER_UPDATE, RC_JUDGED, "c1", ""},
	{"POST", "/v1.41/containers/prune", "container_prune", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/commit?container=c1&repo=x", "commit", EP_OTHER, RC_HARMLESS, "", ""},
	{"PUT", "/v1.41/containers/c1/archive?path=%2Fsrv&noOverwriteDirNonDir=1", "container_archive_put", EP_CONTAINER_ARCHIVE_PUT, RC_JUDGED, "c1", "/srv"},
	{"DELETE", "/v1.41/containers/c1?force=1&v=1", "container_delete", EP_OTHER, RC_HARMLESS, "", ""},
	{"GET", "/v1.41/images/json", "image_list", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/images/search?term=x", "image_search", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/images/get?names=busybox", "image_save", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/images/busybox/get", "image_save_one", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/images/reg.io/a/b:1/history", "image_history", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/images/busybox/json", "image_inspect", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/images/load?quiet=1", "image_load", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/images/create?fromImage=busybox&tag=latest", "image_create", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/images/reg.io/a/b/push?tag=1", "image_push", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/images/busybox/tag?repo=x&tag=y", "image_tag", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/images/prune", "image_prune", EP_OTHER, RC_HARMLESS, "", ""},
	{"DELETE", "/v1.41/images/busybox:latest", "image_delete", EP_OTHER, RC_HARMLESS, "", ""},
	{"OPTIONS", "/v1.41/containers/create", "options", EP_OTHER, RC_READ, "", ""},
	{"OPTIONS", "/", "options", EP_OTHER, RC_READ, "", ""},
	{"GET", "/_ping", "ping", EP_OTHER, RC_READ, "", ""},
	{"HEAD", "/v1.41/_ping", "ping_head", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/events?since=1", "events", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/info", "info", EP_OTHER, RC_READ, "", ""},
	{"GET", "/version", "version", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/system/df", "system_df", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/auth", "auth", EP_OTHER, RC_HARMLESS, "", ""},
	{"GET", "/v1.41/volumes", "volume_list", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/volumes/data", "volume_inspect", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/volumes/create", "volume_create", EP_VOLUME_CREATE, RC_JUDGED, "", ""},
	{"POST", "/v1.41/volumes/prune", "volume_prune", EP_OTHER, RC_HARMLESS, "", ""},
	{"DELETE", "/v1.41/volumes/data", "volume_delete", EP_OTHER, RC_HARMLESS, "", ""},
	{"PUT", "/v1.42/volumes/data", "volume_update", EP_OTHER, RC_DEFAULT, "", ""},
	{"POST", "/v1.41/build?t=app&networkmode=host", "build", EP_BUILD, RC_JUDGED, "", "host"},
	{"POST", "/v1.41/build/prune?all=1", "build_prune", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/build/cancel?id=x", "build_cancel", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/session", "session", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/swarm/init", "swarm_init", EP_SWARM_INIT, RC_JUDGED, "", ""},
	{"POST", "/v1.41/swarm/join", "swarm_join", EP_SWARM_JOIN, RC_JUDGED, "", ""},
	{"POST", "/v1.41/swarm/leave?force=1", "swarm_leave", EP_OTHER, RC_HARMLESS, "", ""},
	{"GET", "/v1.41/swarm", "swarm_inspect", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/swarm/unlockkey", "swarm_unlockkey", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/swarm/update?version=5", "swarm_update", EP_SWARM_UPDATE, RC_DEFAULT, "", ""},
	{"POST", "/v1.41/swarm/unlock", "swarm_unlock", EP_OTHER, RC_HARMLESS, "", ""},
	{"GET", "/v1.41/services", "service_list", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/services/s1", "service_inspect", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/services/create", "service_create", EP_SERVICE_CREATE, RC_JUDGED, "", ""},
	{"POST", "/v1.41/services/s1/update?version=3&rollback=previous", "service_update", EP_SERVICE_UPDATE, RC_JUDGED, "s1", "previous"},
	{"DELETE", "/v1.41/services/s1", "service_delete", EP_OTHER, RC_HARMLESS, "", ""},
	{"GET", "/v1.41/services/s1/logs", "service_logs", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/nodes", "node_list", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/nodes/n1", "node_inspect", EP_OTHER, RC_READ, "", ""},
	{"DELETE", "/v1.41/nodes/n1", "node_delete", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/nodes/n1/update?version=2", "node_update", EP_OTHER, RC_DEFAULT, "", ""},
	{"GET", "/v1.41/tasks", "task_list", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/tasks/t1", "task_inspect", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/tasks/t1/logs", "task_logs", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/secrets", "secret_list", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/secrets/create", "secret_create", EP_SECRET_CREATE, RC_HARMLESS, "", ""},
	{"DELETE", "/v1.41/secrets/x1", "secret_delete", EP_OTHER, RC_HARMLESS, "", ""},
	{"GET", "/v1.41/secrets/x1", "secret_inspect", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/secrets/x1/update?version=1", "secret_update", EP_OTHER, RC_HARMLESS, "", ""},
	{"GET", "/v1.41/configs", "config_list", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/configs/create", "config_create", EP_CONFIG_CREATE, RC_HARMLESS, "", ""},
	{"DELETE", "/v1.41/configs/g1", "config_delete", EP_OTHER, RC_HARMLESS, "", ""},
	{"GET", "/v1.41/configs/g1", "config_inspect", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/configs/g1/update?version=1", "config_update", EP_OTHER, RC_HARMLESS, "", ""},
	{"GET", "/v1.41/plugins", "plugin_list", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/plugins/vieux/sshfs:latest/json", "plugin_inspect", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/plugins/privileges?remote=vieux/sshfs", "plugin_privileges", EP_OTHER, RC_READ, "", ""},
	{"DELETE", "/v1.41/plugins/vieux/sshfs?force=1", "plugin_remove", EP_PLUGIN_REMOVE, RC_JUDGED, "vieux/sshfs", ""},
	{"POST", "/v1.41/plugins/vieux/sshfs/enable?timeout=0", "plugin_enable", EP_PLUGIN_ENABLE, RC_JUDGED, "vieux/sshfs", ""},
	{"POST", "/v1.41/plugins/vieux/sshfs/disable", "plugin_disable", EP_PLUGIN_DISABLE, RC_JUDGED, "vieux/sshfs", ""},
	{"POST", "/v1.41/plugins/pull?remote=vieux/sshfs:latest&name=cisgate", "plugin_pull", EP_PLUGIN_PULL, RC_JUDGED, "vieux/sshfs:latest", "cisgate"},
	{"POST", "/v1.41/plugins/pull?remote=vieux%2Fsshfs", "plugin_pull", EP_PLUGIN_PULL, RC_JUDGED, "vieux/sshfs", ""},
	{"POST", "/v1.41/plugins/vieux/sshfs/push", "plugin_push", EP_PLUGIN_PUSH, RC_HARMLESS, "vieux/sshfs", ""},
	{"POST", "/v1.41/plugins/vieux/sshfs/upgrade?remote=x", "plugin_upgrade", EP_PLUGIN_UPGRADE, RC_JUDGED, "vieux/sshfs", "x"},
	{"POST", "/v1.41/plugins/vieux/sshfs/set", "plugin_set", EP_PLUGIN_SET, RC_JUDGED, "vieux/sshfs", ""},
	{"POST", "/v1.41/plugins/create?name=cisgate:latest", "plugin_create", EP_PLUGIN_CREATE, RC_DEFAULT, "", "cisgate:latest"},
	{"GET", "/v1.41/distribution/busybox:latest/json", "distribution_inspect", EP_OTHER, RC_READ, "", ""},
	{"POST", "/grpc", "grpc", EP_GRPC, RC_DEFAULT, "", ""},
	{"GET", "/v1.41/networks", "network_list", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/networks/", "network_list", EP_OTHER, RC_READ, "", ""},
	{"GET", "/v1.41/networks/appnet", "network_inspect", EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/networks/create", "network_create", EP_NETWORK_CREATE, RC_JUDGED, "", ""},
	{"POST", "/v1.41/networks/appnet/connect", "network_connect", EP_NETWORK_CONNECT, RC_JUDGED, "appnet", ""},
	{"POST", "/v1.41/networks/appnet/disconnect", "network_disconnect", EP_OTHER, RC_HARMLESS, "", ""},
	{"POST", "/v1.41/networks/prune", "network_prune", EP_OTHER, RC_HARMLESS, "", ""},
	{"DELETE", "/v1.41/networks/appnet", "network_delete", EP_OTHER, RC_HARMLESS, "", ""},
	{"GET", "/debug/vars", "debug_vars", EP_OTHER, RC_READ, "", ""},
	{"GET", "/debug/pprof/", "debug_pprof_index", EP_OTHER, RC_READ, "", ""},
	{"POST", "/debug/pprof/cmdline", "debug_pprof_cmdline", EP_OTHER, RC_READ, "", ""},
	{"GET", "/debug/pprof/profile?seconds=1", "debug_pprof_profile", EP_OTHER, RC_READ, "", ""},
	{"POST", "/debug/pprof/symbol", "debug_pprof_symbol", EP_OTHER, RC_READ, "", ""},
	{"GET", "/debug/pprof/trace", "debug_pprof_trace", EP_OTHER, RC_READ, "", ""},
	{"DELETE", "/debug/pprof/heap", "debug_pprof_named", EP_OTHER, RC_READ, "", ""},
	/* No route: dockerd answers 404 (debug routes have no /v1.xx form). */
	{"POST", "/v1.41/debug/vars", NULL, EP_OTHER, RC_DEFAULT, "", ""},
	{"GET", "/v1.41/debug/vars", NULL, EP_OTHER, RC_READ, "", ""},
	{"POST", "/v1.41/containers/json", NULL, EP_OTHER, RC_DEFAULT, "", ""},
	{"PATCH", "/v1.41/containers/c1/update", NULL, EP_OTHER, RC_DEFAULT, "", ""},
	{"POST", "/v1.42/containers/c1/frobnicate", NULL, EP_OTHER, RC_DEFAULT, "", ""},
	{"GET", "/v1.41/frobnicate", NULL, EP_OTHER, RC_READ, "", ""},
	{"DELETE", "/v1.41/plugins", NULL, EP_OTHER, RC_DEFAULT, "", ""},
	{"POST", "/v1.41/services//update", NULL, EP_OTHER, RC_DEFAULT, "", ""},
	{"POST", "/v1.41/services/a/b/update", NULL, EP_OTHER, RC_DEFAULT, "", ""},
	{"HEAD", "/v1.41/containers/json", NULL, EP_OTHER, RC_READ, "", ""},
};

static void
test_routes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct rcase *c = &routes[i];
		struct endpoint ep;
		char err[256];

		print_message("%s %s\n", c->method, c->uri);
		assert_int_equal(uri_classify(c->method, c->uri, &ep, err, sizeof err), 0);
		assert_string_equal(uri_route_name(&ep), c->route ? c->route : "unknown");
		if (c->route == NULL)
			assert_null(ep.route);
		assert_int_equal(ep.kind, c->kind);
		assert_int_equal(uri_route_class(&ep), c->rc);
		assert_string_equal(ep.target, c->target);
		assert_string_equal(ep.name, c->name);
	}
}

/* The table agrees with itself: unique names, a kind's routes share its class, every
 * kind has a name and a route, and names round-trip. */
static void
test_route_table(void **state)
{
	bool seen[EP_KIND_COUNT] = {false};
	const struct uri_route *r, *o;
	size_t i, j;
	int k;

	(void)state;
	for (i = 0; (r = uri_route_at(i)) != NULL; i++) {
		print_message("%s\n", r->name);
		for (j = 0; j < i; j++) {
			o = uri_route_at(j);
			assert_string_not_equal(o->name, r->name);
		}
		assert_true((unsigned)r->kind < EP_KIND_COUNT);
		assert_true((unsigned)r->rclass < RC_COUNT);
		if (r->kind != EP_OTHER)
			assert_int_equal(r->rclass, uri_kind_class(r->kind));
		/* The matcher takes a .* or .+ variable to a literal tail: nothing may follow. */
		if (strstr(r->pattern, ":.") != NULL)
			assert_null(strchr(strstr(r->pattern, ":."), '{'));
		assert_true(r->pattern[0] == '/');
		seen[r->kind] = true;
		/* Every route has a row above. */
		for (j = 0; j < sizeof routes / sizeof routes[0]; j++)
			if (routes[j].route && strcmp(routes[j].route, r->name) == 0)
				break;
		assert_true(j < sizeof routes / sizeof routes[0]);
	}
	assert_true(i > 100);
	for (k = 0; k < EP_KIND_COUNT; k++) {
		print_message("kind %d\n", k);
		assert_non_null(uri_kind_name((enum ep_kind)k));
		assert_int_equal(uri_kind_from_name(uri_kind_name((enum ep_kind)k)), k);
		assert_non_null(uri_kind_object((enum ep_kind)k));
		assert_true(seen[k]);
	}
	assert_int_equal(uri_kind_from_name("frobnicate"), EP_KIND_COUNT);
	assert_string_equal(uri_kind_name(EP_KIND_COUNT), "other");
	assert_int_equal(uri_kind_class(EP_KIND_COUNT), RC_DEFAULT);
	assert_string_equal(uri_class_name(RC_DEFAULT), "default");
	assert_string_equal(uri_class_name(RC_READ), "read");
	assert_string_equal(uri_class_name(RC_HARMLESS), "harmless");
	assert_string_equal(uri_class_name(RC_JUDGED), "judged");
	assert_string_equal(uri_class_name(RC_COUNT), "default");
	assert_string_equal(uri_kind_object(EP_SERVICE_CREATE), "service");
	assert_string_equal(uri_kind_object(EP_VOLUME_CREATE), "volume");
}

/* Endpoints built by hand (cisgate check --endpoint, decide_body) or left over. */
static void
test_route_class_fallback(void **state)
{
	struct endpoint ep;
	char err[64];

	(void)state;
	memset(&ep, 0, sizeof ep);
	ep.kind = EP_CONTAINER_CREATE;
	assert_int_equal(uri_route_class(&ep), RC_JUDGED);
	assert_string_equal(uri_route_name(&ep), "unknown");
	ep.kind = EP_GRPC;
	assert_int_equal(uri_route_class(&ep), RC_DEFAULT);
	ep.kind = EP_OTHER;
	ep.state_changing = true;
	assert_int_equal(uri_route_class(&ep), RC_DEFAULT);
	ep.state_changing = false;
	assert_int_equal(uri_route_class(&ep), RC_READ);
	/* A route from an earlier request does not override a kind set by hand. */
	assert_int_equal(uri_classify("POST", "/containers/c1/kill", &ep, err, sizeof err), 0);
	assert_int_equal(uri_route_class(&ep), RC_HARMLESS);
	ep.kind = EP_SWARM_INIT;
	assert_int_equal(uri_route_class(&ep), RC_JUDGED);
}

struct qcase {
	const char *raw, *key;
	int rc;
	const char *want;
};

static const struct qcase queries[] = {
	{"/build?networkmode=host", "networkmode", 1, "host"},
	{"/build", "networkmode", 0, ""},
	{NULL, "networkmode", 0, ""},
	{"/build?", "networkmode", 0, ""},
	{"/build?t=a", "networkmode", 0, ""},
	/* The first value wins, as url.Values.Get. */
	{"/build?networkmode=a&networkmode=b", "networkmode", 1, "a"},
	/* A pair with a bad escape, in value or key, is skipped; later pairs still count. */
	{"/build?networkmode=%zz&networkmode=host", "networkmode", 1, "host"},
	{"/build?networkmode=%4&networkmode=host", "networkmode", 1, "host"},
	{"/build?networkmode=ho%&networkmode=host", "networkmode", 1, "host"},
	{"/build?network%zzmode=x&networkmode=host", "networkmode", 1, "host"},
	{"/build?networkmode=%zz", "networkmode", 0, ""},
	/* Go >= 1.17: a pair with ';' is dropped, it is not a separator. */
	{"/build?networkmode=default;networkmode=host", "networkmode", 0, ""},
	{"/build?x=1;networkmode=host", "networkmode", 0, ""},
	{"/build?networkmode=default;x&networkmode=host", "networkmode", 1, "host"},
	{"/build?networkmode=a%3Bb", "networkmode", 1, "a;b"},
	/* A key alone has the value "" and is the first value. */
	{"/build?networkmode&networkmode=host", "networkmode", 1, ""},
	{"/build?networkmode=", "networkmode", 1, ""},
	/* Empty pairs are skipped; '=' in the value stays. */
	{"/build?&&networkmode=a=b&", "networkmode", 1, "a=b"},
	/* Keys are decoded too, and compared exactly. */
	{"/build?net%77orkmode=host", "networkmode", 1, "host"},
	{"/build?NetworkMode=host", "networkmode", 0, ""},
	{"/build?networkmode+=host", "networkmode", 0, ""},
	/* '+' is a space, %2B a plus; '#' is no fragment in a request URI. */
	{"/c?name=a+b%2Bc", "name", 1, "a b+c"},
	{"/c?name=a#b&x", "name", 1, "a#b"},
	/* The query starts at the first '?'. */
	{"/c?x=1?name=y&name=z", "name", 1, "z"},
	{"/c?name=x?y", "name", 1, "x?y"},
	/* A value cisgate cannot hold is an error, never a shorter value. */
	{"/build?networkmode=host%00", "networkmode", -1, ""},
	{"/build?networkmode=0123456789", "networkmode", -1, ""},
	/* ... but only for the key asked for. */
	{"/build?x=%00&networkmode=host", "networkmode", 1, "host"},
	{"/build?networkmode%00=x&networkmode=host", "networkmode", 1, "host"},
};

static void
test_query(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		const struct qcase *c = &queries[i];
		char out[10];

		print_message("%s %s\n", c->raw ? c->raw : "(null)", c->key);
		assert_int_equal(uri_query_get(c->raw, c->key, out, sizeof out), c->rc);
		assert_string_equal(out, c->want);
	}
}

/* Values the endpoint keeps are read the same way, and one that cannot be kept is an
 * error; so is a path name longer than the endpoint holds. */
static void
test_classify_limits(void **state)
{
	char uri[2 * CG_ID_MAX + 64], err[256];
	struct endpoint ep;

	(void)state;
	assert_int_equal(uri_classify("POST", "/v1.41/build?networkmode=%zz&networkmode=host",
	    &ep, err, sizeof err), 0);
	assert_string_equal(ep.name, "host");
	assert_int_equal(uri_classify("POST", "/v1.41/build?networkmode=x%00", &ep, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "networkmode="));
	assert_int_equal(uri_classify("POST", "/v1.41/plugins/pull?remote=a%00", &ep, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "remote="));

	snprintf(uri, sizeof uri, "/v1.41/plugins/%0*d/disable", CG_ID_MAX, 0);
	assert_int_equal(uri_classify("POST", uri, &ep, err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than"));
	snprintf(uri, sizeof uri, "/v1.41/plugins/%0*d/disable", CG_ID_MAX - 1, 0);
	assert_int_equal(uri_classify("POST", uri, &ep, err, sizeof err), 0);
	assert_int_equal(ep.kind, EP_PLUGIN_DISABLE);
	assert_int_equal(strlen(ep.target), CG_ID_MAX - 1);
	snprintf(uri, sizeof uri, "/v1.41/containers/create?name=%0*d", CG_ID_MAX, 0);
	assert_int_equal(uri_classify("POST", uri, &ep, err, sizeof err), -1);
	/* Routes without a kind of their own keep no target, so a long name is no error. */
	snprintf(uri, sizeof uri, "/v1.41/containers/%0*d/json", CG_ID_MAX, 0);
	assert_int_equal(uri_classify("GET", uri, &ep, err, sizeof err), 0);
	assert_string_equal(uri_route_name(&ep), "container_inspect");
	assert_string_equal(ep.target, "");
	/* A route that keeps nothing from the query does not care. */
	snprintf(uri, sizeof uri, "/v1.41/containers/json?x=%0*d%%00", CG_ID_MAX, 0);
	assert_int_equal(uri_classify("GET", uri, &ep, err, sizeof err), 0);
}

static void
test_form_body(void **state)
{
	(void)state;
	assert_true(uri_form_body("POST", "application/x-www-form-urlencoded"));
	assert_true(uri_form_body("POST", " Application/X-WWW-Form-Urlencoded ; charset=utf-8"));
	assert_true(uri_form_body("PUT", "multipart/form-data; boundary=x"));
	assert_true(uri_form_body("PATCH", "multipart/form-data"));
	assert_false(uri_form_body("GET", "application/x-www-form-urlencoded"));
	assert_false(uri_form_body("DELETE", "application/x-www-form-urlencoded"));
	/* Go compares methods exactly: "post" gets no form parsing. */
	assert_false(uri_form_body("post", "application/x-www-form-urlencoded"));
	assert_false(uri_form_body("POST", "application/x-tar"));
	assert_false(uri_form_body("POST", "application/json"));
	assert_false(uri_form_body("POST", "application/x-www-form-urlencodedx"));
	assert_false(uri_form_body("POST", ""));
	assert_false(uri_form_body("POST", NULL));
}

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct ucase *c = &cases[i];
		struct endpoint ep;
		char err[256];
		int rc = uri_classify(c->method, c->uri, &ep, err, sizeof err);

		print_message("%s %s\n", c->method, c->uri);
		assert_int_equal(rc, c->rc);
		if (rc != 0)
			continue;
		assert_int_equal(ep.kind, c->kind);
		assert_string_equal(ep.target, c->target);
		assert_string_equal(ep.version, c->version);
		assert_string_equal(ep.name, c->name);
	}
}

static void
test_version_below(void **state)
{
	struct endpoint ep;
	char err[64];

	(void)state;
	assert_int_equal(uri_classify("POST", "/v1.23/containers/x/start", &ep, err, sizeof err), 0);
	assert_true(uri_version_below(&ep, "1.24"));
	assert_int_equal(uri_classify("POST", "/v1.023/containers/x/start", &ep, err, sizeof err), 0);
	assert_true(uri_version_below(&ep, "1.24"));
	assert_int_equal(uri_classify("POST", "/v1.24/containers/x/start", &ep, err, sizeof err), 0);
	assert_false(uri_version_below(&ep, "1.24"));
	assert_int_equal(uri_classify("POST", "/v1/containers/x/start", &ep, err, sizeof err), 0);
	assert_true(uri_version_below(&ep, "1.24"));
	assert_int_equal(uri_classify("POST", "/containers/x/start", &ep, err, sizeof err), 0);
	assert_false(uri_version_below(&ep, "1.24"));
	assert_int_equal(uri_classify("POST", "/v1.41/containers/x/start", &ep, err, sizeof err), 0);
	assert_false(uri_version_below(&ep, "1.24"));
}

static void
test_state_changing(void **state)
{
	struct endpoint ep;
	char err[64];

	(void)state;
	assert_int_equal(uri_classify("GET", "/info", &ep, err, sizeof err), 0);
	assert_false(ep.state_changing);
	assert_int_equal(uri_classify("HEAD", "/_ping", &ep, err, sizeof err), 0);
	assert_false(ep.state_changing);
	assert_int_equal(uri_classify("DELETE", "/containers/x", &ep, err, sizeof err), 0);
	assert_true(ep.state_changing);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_version_below),
		cmocka_unit_test(test_state_changing),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_route_table),
		cmocka_unit_test(test_route_class_fallback),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_classify_limits),
		cmocka_unit_test(test_form_body),
	};
	size_t i;

	/* For tests/inventory/check_routes.sh: the routes this file asserts. */
	if (argc == 2 && strcmp(argv[1], "--list-routes") == 0) {
		for (i = 0; i < sizeof routes / sizeof routes[0]; i++)
			if (routes[i].route != NULL)
				printf("%s\n", routes[i].route);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
