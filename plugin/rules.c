/* rules.c - the rule table and one small check per CIS rule, over the typed view only. */
#include <fnmatch.h>
#include <string.h>

#include "cisgate/rules.h"

#define CREATE_LIKE (RK_CREATE | RK_START)

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

/* The "[CIS x] name: " prefix of every message is built here, at compile time. */
#define RULE(id, name, cis, title, act, kinds, fn) \
	{id, name, cis, "[CIS " cis "] " name ": ", title, act, kinds, fn}

const struct rule_def rules_table[R_COUNT] = {
	RULE(R_APPARMOR, "apparmor", "5.1", "AppArmor profile", ACT_DENY, CREATE_LIKE, c_apparmor),
	RULE(R_SELINUX, "selinux", "5.2", "SELinux options", ACT_DENY, CREATE_LIKE, c_selinux),
	RULE(R_CAPABILITIES, "capabilities", "5.3", "Linux capabilities restricted", ACT_DENY,
	    CREATE_LIKE, c_capabilities),
	RULE(R_PRIVILEGED, "privileged", "5.4", "privileged containers", ACT_DENY, CREATE_LIKE,
	    c_privileged),
	RULE(R_SENSITIVE_MOUNTS, "sensitive-mounts", "5.5", "sensitive host directories", ACT_DENY,
	    CREATE_LIKE | RK_VOLUME, c_sensitive),
	RULE(R_PRIVILEGED_PORTS, "privileged-ports", "5.7", "privileged ports", ACT_WARN, CREATE_LIKE,
	    c_privileged_ports),
	RULE(R_HOST_PORTS, "host-ports", "5.8", "only needed ports open", ACT_WARN, CREATE_LIKE,
	    c_host_ports),
	RULE(R_HOST_NETWORK, "host-network", "5.9", "host network namespace", ACT_DENY,
	    CREATE_LIKE | RK_BUILD, c_host_network),
	RULE(R_MEMORY, "memory-limit", "5.10", "memory usage limited", ACT_DENY,
	    CREATE_LIKE | RK_UPDATE, c_memory),
	RULE(R_CPU, "cpu-shares", "5.11", "CPU priority set", ACT_DENY, CREATE_LIKE, c_cpu),
	RULE(R_READONLY_ROOTFS, "readonly-rootfs", "5.12", "read-only root filesystem", ACT_WARN,
	    CREATE_LIKE, c_readonly),
	RULE(R_HOST_INTERFACE, "host-interface", "5.13", "traffic bound to a host interface",
	    ACT_WARN, CREATE_LIKE, c_host_interface),
	RULE(R_RESTART, "restart-policy", "5.14", "on-failure restart at most N", ACT_WARN,
	    CREATE_LIKE | RK_UPDATE, c_restart),
	RULE(R_HOST_PID, "host-pid", "5.15", "host PID namespace", ACT_DENY, CREATE_LIKE, c_host_pid),
	RULE(R_HOST_IPC, "host-ipc", "5.16", "host IPC namespace", ACT_DENY, CREATE_LIKE, c_host_ipc),
	RULE(R_HOST_DEVICES, "host-devices", "5.17", "host devices", ACT_DENY, CREATE_LIKE, c_devices),
	RULE(R_ULIMITS, "ulimits", "5.18", "default ulimits overridden", ACT_WARN, CREATE_LIKE,
	    c_ulimits),
	RULE(R_PROPAGATION, "mount-propagation", "5.19", "mount propagation not shared", ACT_DENY,
	    CREATE_LIKE, c_propagation),
	RULE(R_HOST_UTS, "host-uts", "5.20", "host UTS namespace", ACT_DENY, CREATE_LIKE, c_host_uts),
	RULE(R_SECCOMP, "seccomp", "5.21", "default seccomp profile", ACT_DENY, CREATE_LIKE, c_seccomp),
	RULE(R_EXEC_PRIVILEGED, "exec-privileged", "5.22", "exec --privileged", ACT_DENY, RK_EXEC,
	    c_exec_privileged),
	RULE(R_EXEC_ROOT, "exec-root-user", "5.23", "exec as root", ACT_DENY, RK_EXEC, c_exec_root),
	RULE(R_CGROUP_PARENT, "cgroup-parent", "5.24", "cgroup parent confirmed", ACT_WARN, CREATE_LIKE,
	    c_cgroup_parent),
	RULE(R_NO_NEW_PRIVS, "no-new-privileges", "5.25", "no new privileges", ACT_WARN, CREATE_LIKE,
	    c_nnp),
	RULE(R_HEALTHCHECK, "healthcheck", "5.26", "health check at runtime", ACT_WARN, RK_CREATE,
	    c_healthcheck),
	RULE(R_PIDS, "pids-limit", "5.28", "PIDs cgroup limit", ACT_DENY, CREATE_LIKE | RK_UPDATE,
	    c_pids),
	RULE(R_DEFAULT_BRIDGE, "default-bridge", "5.29", "default bridge not used", ACT_WARN,
	    CREATE_LIKE, c_default_bridge),
	RULE(R_HOST_USERNS, "host-userns", "5.30", "host user namespace", ACT_DENY, CREATE_LIKE,
	    c_host_userns),
	RULE(R_DOCKER_SOCKET, "docker-socket", "5.31", "Docker socket not mounted", ACT_DENY,
	    CREATE_LIKE | RK_VOLUME, c_docker_socket),
	RULE(R_ROOT_USER, "root-user", "4.1", "container runs as a non-root user", ACT_WARN, RK_CREATE,
	    c_root_user),
};

int
rules_find(const char *name)
{
	int i;

	for (i = 0; i < R_COUNT; i++)
		if (strcmp(rules_table[i].name, name) == 0)
			return i;
	return -1;
}
