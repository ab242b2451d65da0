/* rules.c - the rule table, each rule's parameter schema, and one small check per CIS
 * rule, over the typed view only. */
#include <fnmatch.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cisgate/policy.h"
#include "cisgate/rules.h"


bool
rules_path_under(const char *path, const char *base)
{
	size_t n = strlen(base);

	if (strcmp(base, "/") == 0)
		return path[0] == '/';
	return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool
list_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static bool
list_glob(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (fnmatch(l->v[i], s, 0) == 0)
			return true;
	return false;
}

static bool
ranges_have(const struct rangelist *r, int64_t x)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (x >= r->v[i].lo && x <= r->v[i].hi)
			return true;
	return false;
}

bool
rules_user_ok(const struct userspec *s, const struct user_view *u, const char *image,
    const char *what, struct strbuf *out)
{
	if (u->raw[0] == '\0') {
		if (s->empty == EMPTY_ALLOW)
			return true;
		if (s->empty == EMPTY_ALLOWLIST && image != NULL && list_glob(&s->images, image))
			return true;
		str_appendf(out, "no user given, so it runs as the %s's user, which may be root; "
		    "add -u with a non-root uid (e.g. -u 1000)", what);
		return false;
	}
	if (u->is_root) {
		str_appendf(out, "user \"%.64s\" is root (uid 0); use a non-root uid (e.g. -u 1000)",
		    u->raw);
		return false;
	}
	if (u->numeric) {
		if (ranges_have(&s->uids, u->uid))
			return true;
		str_appendf(out, "uid %lld is not in the policy's allowed uids; use an allowed uid",
		    (long long)u->uid);
		return false;
	}
	if (list_has(&s->names, u->name))
		return true;
	str_appendf(out, "user name \"%.64s\" is resolved inside the container and may be root; "
	    "use a numeric uid (e.g. -u 1000)", u->name);
	return false;
}

static bool
mode_is_host(const char *m)
{
	return strcmp(m, "host") == 0;
}

static bool
c_apparmor(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	const char *a = v->sec.apparmor;

	if (strcmp(a, "unconfined") == 0) {
		str_append(out, "AppArmor is disabled (apparmor=unconfined); remove "
		    "--security-opt apparmor=unconfined");
		return true;
	}
	if (a[0] != '\0' && !list_has(&p->apparmor_allowed, a)) {
		str_appendf(out, "AppArmor profile \"%.64s\" is not allowed; use the default profile "
		    "or one the policy lists", a);
		return true;
	}
	return false;
}

static bool
c_selinux(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (!v->sec.selinux_disabled)
		return false;
	str_append(out, "SELinux labelling is disabled; remove --security-opt label=disable");
	return true;
}

static bool
c_capabilities(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i;
	bool bad = false;

	for (i = 0; i < v->ncaps; i++) {
		if (strcmp(v->caps[i], "ALL") != 0 && list_has(&p->caps_allowed, v->caps[i]))
			continue;
		str_appendf(out, "%s%s", bad ? ", " : "capability not allowed: ", v->caps[i]);
		bad = true;
	}
	if (bad)
		str_append(out, "; remove --cap-add for it (add only the allowed capabilities)");
	return bad;
}

static bool
c_privileged(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (v->privileged) {
		str_append(out, "privileged container; remove --privileged and add only the "
		    "capabilities it needs (--cap-add)");
		return true;
	}
	/* Half of --privileged: /proc/kcore, /sys/firmware and friends become visible. */
	if (v->sec.unmasked_paths) {
		str_append(out, "the kernel's masked and read-only paths are opened; remove "
		    "--security-opt systempaths=unconfined");
		return true;
	}
	return false;
}

static bool
c_sensitive(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i, j;

	for (i = 0; i < v->nmounts; i++) {
		const struct mount_view *m = &v->mounts[i];

		if (m->kind != MOUNT_BIND && m->kind != MOUNT_VOLUME_BIND)
			continue;
		for (j = 0; j < p->sensitive_paths.n; j++) {
			const char *s = p->sensitive_paths.v[j];

			/* "/" itself is sensitive, not everything below it. */
			if (strcmp(s, "/") == 0 ? strcmp(m->source, "/") != 0 :
			                          !rules_path_under(m->source, s))
				continue;
			str_appendf(out, "host path %.128s is mounted (via %s); mount a dedicated "
			    "directory or a named volume instead", m->source, m->via);
			return true;
		}
	}
	return false;
}

static bool
c_privileged_ports(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < v->nports; i++) {
		if (v->ports[i].lo == 0 || v->ports[i].lo >= p->privileged_port_below)
			continue;
		str_appendf(out, "host port %d is privileged; publish on a port >= %lld "
		    "(e.g. -p 8080:%.16s)", v->ports[i].lo, (long long)p->privileged_port_below,
		    v->ports[i].container);
		return true;
	}
	return false;
}

static bool
c_host_ports(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i;

	if (v->publish_all) {
		str_append(out, "all exposed ports are published; remove -P and publish only the "
		    "ports needed with -p");
		return true;
	}
	for (i = 0; i < v->nports; i++) {
		const struct port_view *pv = &v->ports[i];

		if (pv->lo == 0 ||
		    (ranges_have(&p->ports_allowed, pv->lo) && ranges_have(&p->ports_allowed, pv->hi)))
			continue;
		str_appendf(out, "host port %d is not in the policy's allowed ports", pv->lo);
		return true;
	}
	return false;
}

static bool
c_host_network(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (!mode_is_host(v->network_mode))
		return false;
	str_append(out, v->kind == EP_BUILD ?
	    "build steps would run in the host network namespace; remove --network host" :
	    "host network namespace is shared; remove --net host (use -p to publish ports)");
	return true;
}

static bool
c_memory(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	if (v->kind == EP_CONTAINER_UPDATE) {
		/* Memory 0 leaves the limit unchanged; -1 removes it. */
		if (v->memory_set && v->memory < 0) {
			str_append(out, "update removes the memory limit; keep --memory set");
			return true;
		}
	} else if (v->memory <= 0) {
		str_append(out, "no memory limit; add --memory (e.g. --memory 512m)");
		return true;
	}
	if (p->memory_max > 0 && v->memory > p->memory_max) {
		str_appendf(out, "memory limit %lld bytes is above the policy's ceiling of %lld; "
		    "lower --memory", (long long)v->memory, (long long)p->memory_max);
		return true;
	}
	return false;
}

static bool
c_cpu(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (v->cpu_shares > 0 || v->nano_cpus > 0 || v->cpu_quota > 0)
		return false;
	str_append(out, "no CPU limit or priority; add --cpus (e.g. --cpus 1) or --cpu-shares "
	    "(e.g. --cpu-shares 512)");
	return true;
}

static bool
c_readonly(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (v->readonly_rootfs)
		return false;
	str_append(out, "root filesystem is writable; add --read-only (with --tmpfs for scratch "
	    "space)");
	return true;
}

static bool
c_host_interface(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < v->nports; i++) {
		const char *ip = v->ports[i].host_ip;

		if (ip[0] != '\0' && strcmp(ip, "0.0.0.0") != 0 && strcmp(ip, "::") != 0 &&
		    (p->host_ips.n == 0 || list_has(&p->host_ips, ip)))
			continue;
		str_appendf(out, "port %.16s is published on %s; bind it to one host address "
		    "(e.g. -p 127.0.0.1:8080:80)", v->ports[i].container,
		    ip[0] ? ip : "every interface");
		return true;
	}
	return false;
}

static bool
c_restart(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	const char *n = v->restart_name;

	if (strcmp(n, "always") == 0 || strcmp(n, "unless-stopped") == 0) {
		str_appendf(out, "restart policy \"%s\" retries forever; use --restart on-failure:%lld",
		    n, (long long)p->restart_max);
		return true;
	}
	if (strcmp(n, "on-failure") == 0 &&
	    (v->restart_max <= 0 || v->restart_max > p->restart_max)) {
		str_appendf(out, "on-failure restart allows %s retries; use --restart on-failure:%lld",
		    v->restart_max <= 0 ? "unlimited" : "too many", (long long)p->restart_max);
		return true;
	}
	return false;
}

static bool
c_host_pid(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (!mode_is_host(v->pid_mode))
		return false;
	str_append(out, "host PID namespace is shared; remove --pid host");
	return true;
}

static bool
c_host_ipc(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (!mode_is_host(v->ipc_mode))
		return false;
	str_append(out, "host IPC namespace is shared; remove --ipc host");
	return true;
}

static bool
c_devices(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	if (v->ndevices > 0 && !(v->ndevices == 1 && list_has(&p->devices_allowed, v->first_device))) {
		str_appendf(out, "host device %.64s is exposed; remove --device",
		    v->first_device[0] ? v->first_device : "(unnamed)");
		return true;
	}
	if (v->ndevice_rules > 0) {
		str_append(out, "device cgroup rules are added; remove --device-cgroup-rule");
		return true;
	}
	if (v->ndevice_requests > 0) {
		str_append(out, "host devices are requested (e.g. GPUs); remove --gpus");
		return true;
	}
	return false;
}

static bool
c_ulimits(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (v->nulimits > 0)
		return false;
	str_append(out, "no ulimits are set, so the daemon's defaults apply; add --ulimit "
	    "(e.g. --ulimit nofile=1024:2048)");
	return true;
}

static bool
c_propagation(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i;

	(void)p;
	for (i = 0; i < v->nmounts; i++) {
		const char *pr = v->mounts[i].propagation;

		if (strcmp(pr, "shared") != 0 && strcmp(pr, "rshared") != 0)
			continue;
		str_appendf(out, "mount %.128s uses %s propagation; use the default (rprivate)",
		    v->mounts[i].target, pr);
		return true;
	}
	return false;
}

static bool
c_host_uts(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (!mode_is_host(v->uts_mode))
		return false;
	str_append(out, "host UTS namespace is shared; remove --uts host");
	return true;
}

static bool
c_seccomp(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	const char *s = v->sec.seccomp;

	if (strcmp(s, "unconfined") == 0) {
		str_append(out, "seccomp is disabled; remove --security-opt seccomp=unconfined");
		return true;
	}
	if (s[0] != '\0' && !p->seccomp_custom_ok) {
		str_append(out, "a custom seccomp profile replaces the default; remove "
		    "--security-opt seccomp=...");
		return true;
	}
	return false;
}

static bool
c_exec_privileged(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (!v->privileged)
		return false;
	str_append(out, "privileged exec; remove --privileged from docker exec");
	return true;
}

static bool
c_exec_root(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	return !rules_user_ok(&p->exec_users, &v->user, NULL, "container", out);
}

static bool
c_root_user(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	if (!v->has_config)
		return false;
	return !rules_user_ok(&p->create_users, &v->user, v->image, "image", out);
}

static bool
c_cgroup_parent(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	if (v->cgroup_parent[0] == '\0' || list_has(&p->cgroup_parents, v->cgroup_parent))
		return false;
	str_appendf(out, "cgroup parent \"%.64s\" is not allowed; remove --cgroup-parent",
	    v->cgroup_parent);
	return true;
}

static bool
c_nnp(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (v->sec.no_new_privileges == 1)
		return false;
	str_append(out, "processes may gain privileges; add --security-opt no-new-privileges");
	return true;
}

static bool
c_healthcheck(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (!v->has_config)
		return false;
	if (v->healthcheck_disabled) {
		str_append(out, "health check is disabled; remove --no-healthcheck");
		return true;
	}
	if (!v->healthcheck_set) {
		str_append(out, "no health check is set; add --health-cmd (the image's own may be "
		    "missing)");
		return true;
	}
	return false;
}

static bool
c_pids(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	if (v->kind == EP_CONTAINER_UPDATE) {
		if (v->pids_set && v->pids_limit <= 0) {
			str_append(out, "update removes the PIDs limit; keep --pids-limit set");
			return true;
		}
		if (!v->pids_set)
			return false;
	} else if (!v->pids_set || v->pids_limit <= 0) {
		str_append(out, "no PIDs limit; add --pids-limit (e.g. --pids-limit 200)");
		return true;
	}
	if (p->pids_max > 0 && v->pids_limit > p->pids_max) {
		str_appendf(out, "PIDs limit %lld is above the policy's ceiling of %lld",
		    (long long)v->pids_limit, (long long)p->pids_max);
		return true;
	}
	return false;
}

static bool
c_default_bridge(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	const char *n = v->network_mode;

	(void)p;
	if (n[0] != '\0' && strcmp(n, "default") != 0 && strcmp(n, "bridge") != 0)
		return false;
	str_append(out, "the default bridge network is used; attach a user-defined network "
	    "(--network NAME)");
	return true;
}

static bool
c_host_userns(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (!mode_is_host(v->userns_mode))
		return false;
	str_append(out, "host user namespace is shared; remove --userns host");
	return true;
}

static bool
c_docker_socket(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i, j;

	for (i = 0; i < v->nmounts; i++) {
		const struct mount_view *m = &v->mounts[i];

		if (m->kind != MOUNT_BIND && m->kind != MOUNT_VOLUME_BIND)
			continue;
		/* The socket itself or any directory above it. */
		for (j = 0; j < p->sockets.n; j++) {
			if (!rules_path_under(p->sockets.v[j], m->source))
				continue;
			str_appendf(out, "the Docker socket is reachable through host path %.128s "
			    "(via %s); remove that mount", m->source, m->via);
			return true;
		}
	}
	return false;
}

/* Rules of eval's route step (RK_ROUTE) are judged in eval.c; the body loop never calls
 * this. */
static bool
c_route(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	(void)v;
	(void)out;
	return false;
}

/*
 * Parameter schemas, one per rule that has parameters: key, type, field, bounds,
 * default. policy.c reads, defaults and frees every parameter by walking these.
 */
#define OFF(f) offsetof(struct policy, f)
#define STRS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ALL_UIDS 1, 4294967294LL

static const struct param_def p_apparmor[] = {
	{.key = "allowed_profiles", .type = PT_STRS, .off = OFF(apparmor_allowed),
	    .def_strs = STRS("docker-default")},
	{.key = NULL}, /* end */
};
static const struct param_def p_capabilities[] = {
	{.key = "allowed", .type = PT_CAPS, .off = OFF(caps_allowed)},
	{.key = NULL}, /* end */
};
static const struct param_def p_sensitive[] = {
	{.key = "paths", .type = PT_PATHS, .off = OFF(sensitive_paths),
	    .def_strs = STRS("/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr", "/bin",
	        "/sbin", "/lib32", "/lib64", "/run/docker", "/var/lib/docker", "/etc/docker",
	        "/root")},
	{.key = "extra_paths", .type = PT_PATHS, .off = OFF(sensitive_paths), .append = true},
	{.key = NULL}, /* end */
};
static const struct param_def p_privileged_ports[] = {
	{.key = "below", .type = PT_INT, .off = OFF(privileged_port_below), .min = 1,
	    .max = 65536, .def = 1024},
	{.key = NULL}, /* end */
};
static const struct param_def p_host_ports[] = {
	{.key = "allowed", .type = PT_RANGES, .off = OFF(ports_allowed), .min = 1, .max = 65535,
	    .def_range = {1024, 65535}},
	{.key = NULL}, /* end */
};
static const struct param_def p_memory[] = {
	{.key = "max", .type = PT_SIZE, .off = OFF(memory_max), .min = 0, .max = INT64_MAX},
	{.key = NULL}, /* end */
};
static const struct param_def p_host_interface[] = {
	{.key = "allowed_ips", .type = PT_STRS, .off = OFF(host_ips)},
	{.key = NULL}, /* end */
};
static const struct param_def p_restart[] = {
	{.key = "max_retries", .type = PT_INT, .off = OFF(restart_max), .min = 1, .max = 1000,
	    .def = 5},
	{.key = NULL}, /* end */
};
static const struct param_def p_devices[] = {
	{.key = "allowed", .type = PT_STRS, .off = OFF(devices_allowed)},
	{.key = NULL}, /* end */
};
static const struct param_def p_seccomp[] = {
	{.key = "allow_custom_profiles", .type = PT_BOOL, .off = OFF(seccomp_custom_ok)},
	{.key = NULL}, /* end */
};
static const struct param_def p_exec_root[] = {
	{.key = "empty_user", .type = PT_ENUM, .off = OFF(exec_users.empty),
	    .names = STRS("deny", "allow"), .def = EMPTY_DENY},
	{.key = "allowed_names", .type = PT_STRS, .off = OFF(exec_users.names)},
	{.key = "allowed_uids", .type = PT_RANGES, .off = OFF(exec_users.uids), .min = 1,
	    .max = 4294967294LL, .def_range = {ALL_UIDS}},
	{.key = NULL}, /* end */
};
static const struct param_def p_cgroup_parent[] = {
	{.key = "allowed", .type = PT_STRS, .off = OFF(cgroup_parents)},
	{.key = NULL}, /* end */
};
static const struct param_def p_pids[] = {
	{.key = "max", .type = PT_INT, .off = OFF(pids_max), .min = 0, .max = INT32_MAX},
	{.key = NULL}, /* end */
};
static const struct param_def p_docker_socket[] = {
	{.key = "paths", .type = PT_PATHS, .off = OFF(sockets),
	    .def_strs = STRS("/run/docker.sock", "/run/containerd/containerd.sock",
	        "/run/docker/plugins/cisgate.sock")},
	{.key = "extra_paths", .type = PT_PATHS, .off = OFF(sockets), .append = true},
	{.key = NULL}, /* end */
};
static const struct param_def p_root_user[] = {
	{.key = "empty_user", .type = PT_ENUM, .off = OFF(create_users.empty),
	    .names = STRS("deny", "allow", "allowlist"), .def = EMPTY_DENY},
	{.key = "empty_user_images", .type = PT_STRS, .off = OFF(create_users.images)},
	{.key = "allowed_names", .type = PT_STRS, .off = OFF(create_users.names)},
	{.key = "allowed_uids", .type = PT_RANGES, .off = OFF(create_users.uids), .min = 1,
	    .max = 4294967294LL, .def_range = {ALL_UIDS}},
	{.key = NULL}, /* end */
};
static const struct param_def p_networks[] = {
	{.key = "allowed_drivers", .type = PT_STRS, .off = OFF(network_drivers)},
	{.key = NULL}, /* end */
};
#undef ALL_UIDS
#undef STRS
#undef OFF

/* PT_ENUM fields are stored as int. */
_Static_assert(sizeof(enum empty_user) == sizeof(int), "enum empty_user is not int-sized");

/* The table, expanded from CG_RULES; the "[CIS x] name: " prefix of every message is
 * built here, at compile time. */
#define CG_RULE_ROW(id, name, cis, title, act, kinds, fn, params) \
	[R_##id] = {R_##id, name, cis, "[CIS " cis "] " name ": ", title, act, kinds, fn, params},

const struct rule_def rules_table[R_COUNT] = {
	CG_RULES(CG_RULE_ROW)
};
#undef CG_RULE_ROW

int
rules_find(const char *name)
{
	int i;

	for (i = 0; i < R_COUNT; i++)
		if (strcmp(rules_table[i].name, name) == 0)
			return i;
	return -1;
}

const struct param_def *
rules_param(int r, const char *key)
{
	const struct param_def *d;

	if (r < 0 || r >= R_COUNT || rules_table[r].params == NULL)
		return NULL;
	for (d = rules_table[r].params; d->key != NULL; d++)
		if (strcmp(d->key, key) == 0)
			return d;
	return NULL;
}

bool
rules_judge_kind(enum ep_kind k)
{
	int r;

	switch (k) {
	case EP_SWARM_INIT:
	case EP_SWARM_JOIN:
	case EP_PLUGIN_ENABLE:
	case EP_PLUGIN_DISABLE:
	case EP_PLUGIN_REMOVE:
	case EP_PLUGIN_SET:
	case EP_PLUGIN_UPGRADE:
	case EP_PLUGIN_CREATE:
	case EP_PLUGIN_PULL:
	case EP_NETWORK_CREATE:
	case EP_NETWORK_CONNECT:
		return true;
	default:
		break;
	}
	if ((unsigned)k >= EP_KIND_COUNT || k == EP_OTHER)
		return false;
	for (r = 0; r < R_COUNT; r++)
		if (rules_table[r].kinds & (1u << k))
			return true;
	return false;
}

int
rules_plugin_repo(const char *ref, char *out, size_t outsz, const char **digest)
{
	static const char *const domains[] = {"docker.io/", "index.docker.io/"};
	const char *at = strchr(ref, '@'), *slash, *colon;
	size_t n, i;

	*digest = at != NULL ? at + 1 : NULL;
	n = at != NULL ? (size_t)(at - ref) : strlen(ref);
	for (i = 0; i < sizeof domains / sizeof domains[0]; i++) {
		size_t dl = strlen(domains[i]);

		if (n > dl && strncmp(ref, domains[i], dl) == 0) {
			ref += dl;
			n -= dl;
			/* Only the default registry has the implicit library/ namespace. */
			if (n > 8 && strncmp(ref, "library/", 8) == 0) {
				ref += 8;
				n -= 8;
			}
			break;
		}
	}
	if (n > 8 && strncmp(ref, "library/", 8) == 0) {
		ref += 8;
		n -= 8;
	}
	/* A tag is a ':' after the last '/' (before it, a ':' is a registry's port). */
	for (slash = NULL, i = 0; i < n; i++)
		if (ref[i] == '/')
			slash = ref + i;
	colon = memchr(slash != NULL ? slash : ref, ':', n - (size_t)((slash ? slash : ref) - ref));
	if (colon != NULL)
		n = (size_t)(colon - ref);
	if (n == 0 || n >= outsz)
		return -1;
	memcpy(out, ref, n);
	out[n] = '\0';
	return 0;
}

bool
rules_is_digest(const char *d)
{
	return d != NULL && strncmp(d, "sha256:", 7) == 0 && strlen(d + 7) == 64 &&
	    strspn(d + 7, "0123456789abcdef") == 64;
}
