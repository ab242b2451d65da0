/* rules.c - the rule table, each rule's parameter schema, and one small check per CIS
 * rule, over the typed view only. */
#include <fnmatch.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cisgate/current.h"
#include "cisgate/evalfacts.h"
#include "cisgate/hostpath.h"
#include "cisgate/hostview.h"
#include "cisgate/policy.h"
#include "cisgate/rules.h"
#include "cisgate/runfacts.h"

/* The flag that fixes a finding, as `docker run` or `docker service create` spells it:
 * one message per finding, whichever command made the request. */
enum rules_flag {
	F_MEMORY, F_CPUS, F_PIDS, F_CAP_ADD, F_NET_HOST, F_READ_ONLY, F_USER, F_HEALTH,
	F_SYSCTL, F_GROUP, F_TMPFS, F_COUNT
};

static const char *const rules_flags[F_COUNT][2] = {
	[F_MEMORY] = {"--memory", "--limit-memory"},
	[F_CPUS] = {"--cpus", "--limit-cpu"},
	[F_PIDS] = {"--pids-limit", "--limit-pids"},
	[F_CAP_ADD] = {"--cap-add", "--cap-add"},
	[F_NET_HOST] = {"--net host", "--network host"},
	[F_READ_ONLY] = {"--read-only", "--read-only"},
	[F_USER] = {"-u", "--user"},
	[F_HEALTH] = {"--health-cmd", "--health-cmd"},
	[F_SYSCTL] = {"--sysctl", "--sysctl"},
	[F_GROUP] = {"--group-add", "--group"},
	[F_TMPFS] = {"--tmpfs", "--mount type=tmpfs"},
};

static const char *
flag(const struct docker_view *v, enum rules_flag f)
{
	return rules_flags[f][v->is_service ? 1 : 0];
}


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

static bool
user_ok(const struct userspec *s, const struct user_view *u, const char *image,
    const char *what, const char *uf, struct strbuf *out)
{
	if (u->raw[0] == '\0') {
		if (s->empty == EMPTY_ALLOW)
			return true;
		if (s->empty == EMPTY_ALLOWLIST && image != NULL && list_glob(&s->images, image))
			return true;
		str_appendf(out, "no user given, so it runs as the %s's user, which may be root; "
		    "add %s with a non-root uid (e.g. %s 1000)", what, uf, uf);
		return false;
	}
	if (u->is_root) {
		str_appendf(out, "user \"%.64s\" is root (uid 0); use a non-root uid "
		    "(e.g. %s 1000)", u->raw, uf);
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
	    "use a numeric uid (e.g. %s 1000)", u->name, uf);
	return false;
}

bool
rules_user_ok(const struct userspec *s, const struct user_view *u, const char *image,
    const char *what, struct strbuf *out)
{
	return user_ok(s, u, image, what, "-u", out);
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
		str_append(out, v->is_service ? "AppArmor is disabled; remove "
		    "Privileges.AppArmor.Mode disabled from the service (API 1.44)" :
		    "AppArmor is disabled (apparmor=unconfined); remove "
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
	if (v->sec.selinux_disabled) {
		str_append(out, v->is_service ? "SELinux labelling is disabled; remove "
		    "Privileges.SELinuxContext.Disable from the service" :
		    "SELinux labelling is disabled; remove --security-opt label=disable");
		return true;
	}
	/* spc_t ("super privileged container") is label=disable under another name. */
	if (strcmp(v->sec.selinux_type, "spc_t") == 0) {
		str_append(out, "SELinux type spc_t is unconfined; remove --security-opt "
		    "label=type:spc_t");
		return true;
	}
	return false;
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
		str_appendf(out, "; remove %s for it (add only the allowed capabilities)",
		    flag(v, F_CAP_ADD));
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

/* The audit log's directory: a container that can write there can forge the record. */
static bool
audit_dir(const struct policy *p, char *buf, size_t bufsz)
{
	const char *f = p->audit.file, *slash;
	size_t n;

	if (f == NULL || (slash = strrchr(f, '/')) == NULL)
		return false;
	n = slash == f ? 1 : (size_t)(slash - f);
	if (n >= bufsz)
		return false;
	memcpy(buf, f, n);
	buf[n] = '\0';
	return true;
}

/*
 * How path relates to the sensitive paths: the policy's list, dockerd's data and exec
 * roots and the audit log's directory. *what names the sensitive path. A mount of an
 * ancestor exposes everything below it, so /var is as bad as /var/lib/docker.
 */
static enum hostpath_rel
sensitive_rel(const struct policy *p, const char *path, const char **what, char *adir,
    size_t adirsz)
{
	char *extra[3];
	size_t n = 0, w1 = 0, w2 = 0;
	enum hostpath_rel r1, r2;

	if (p->daemon.data_root != NULL)
		extra[n++] = p->daemon.data_root;
	if (p->daemon.exec_root != NULL)
		extra[n++] = p->daemon.exec_root;
	if (audit_dir(p, adir, adirsz))
		extra[n++] = adir;
	r1 = hostpath_sensitive(p->sensitive_paths.v, p->sensitive_paths.n, path, &w1);
	r2 = hostpath_sensitive(extra, n, path, &w2);
	/* Being a sensitive path says more than lying above one. */
	if (r1 == HOSTPATH_REL_INVALID || r2 == HOSTPATH_REL_INVALID) {
		*what = path;
		return HOSTPATH_REL_INVALID;
	}
	if (r1 == HOSTPATH_REL_UNDER ||
	    (r1 == HOSTPATH_REL_ANCESTOR && r2 != HOSTPATH_REL_UNDER)) {
		*what = p->sensitive_paths.v[w1];
		return r1;
	}
	if (r2 != HOSTPATH_REL_NONE)
		*what = extra[w2];
	return r2;
}

/* True when path (cleaned, or resolved) is at or below an allowed_readonly entry and is
 * neither a docker-socket path nor above one: a read-only mount of it is allowed. */
static bool
readonly_listed(const struct policy *p, const char *path)
{
	size_t i;

	/* A socket is as dangerous read-only: connect() ignores the mount's ro flag. */
	if (hostpath_sensitive(p->sockets.v, p->sockets.n, path, NULL) != HOSTPATH_REL_NONE)
		return false;
	for (i = 0; i < p->readonly_allowed.n; i++)
		if (hostpath_is_under(path, p->readonly_allowed.v[i]))
			return true;
	return false;
}

/* One host path (as written, or where it resolves when resolved is not NULL). A really
 * read-only mount of an allowed_readonly path passes; the written and the resolved path
 * are both judged, so a link cannot bring another path in under an allowed name. */
static bool
sensitive_path(const struct policy *p, const struct mount_view *m, const char *resolved,
    struct strbuf *out)
{
	char adir[CG_POLICY_STR_MAX + 8];
	const char *path = resolved != NULL ? resolved : m->source, *what = "";
	const char *fix;
	bool listed = readonly_listed(p, path);

	if (m->read_only && listed)
		return false;
	switch (sensitive_rel(p, path, &what, adir, sizeof adir)) {
	case HOSTPATH_REL_NONE:
		return false;
	case HOSTPATH_REL_ANCESTOR:
		str_appendf(out, "host path %.64s contains %.64s (via %s); mount a dedicated "
		    "directory", path, what, m->via);
		return true;
	default:
		break;
	}
	/* Say whether :ro would help: only for allowed_readonly paths. */
	fix = listed ? "mount it read-only (:ro), as allowed_readonly permits" :
	    m->read_only ? "read-only does not help: mount a dedicated directory, or list it "
	    "in allowed_readonly" : "mount a dedicated directory or a named volume instead";
	if (resolved != NULL && strcmp(resolved, m->source) != 0)
		str_appendf(out, "host path %.40s leads to %.40s, which is sensitive "
		    "(via %s); %s", m->source, resolved, m->via, fix);
	else
		str_appendf(out, "host path %.96s is mounted (via %s); %s", m->source, m->via,
		    fix);
	return true;
}

/* A source in a directory another uid may write can be swapped for a link between
 * cisgate's check and dockerd's mount, unless the policy trusts that directory. */
static bool
sensitive_writable(const struct policy *p, const struct mount_view *m,
    const struct hostview_entry *he, struct strbuf *out)
{
	size_t j;

	if (he->writable[0] == '\0')
		return false;
	for (j = 0; j < p->writable_allowed.n; j++)
		if (hostpath_is_under(he->writable, p->writable_allowed.v[j]))
			return false;
	/* Paths are cut short: the violation text is CG_VIOLATION_TEXT_MAX and the fix is
	 * at its end. */
	str_appendf(out, "host path %.40s is under %.40s (uid %u, mode %04o): it can be "
	    "swapped for a link after this check; use a root-owned directory or list %.40s "
	    "in writable_allowed", m->source, he->writable, he->writable_uid,
	    he->writable_mode, he->writable);
	return true;
}

static bool
cf_sensitive(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	const struct hostview *hv = f != NULL ? f->host : NULL;
	size_t i;

	for (i = 0; i < v->nmounts; i++) {
		const struct mount_view *m = &v->mounts[i];
		const struct hostview_entry *he;

		if (m->kind == MOUNT_KERNEL_FS) {
			str_appendf(out, "local volume mounts a %.32s file system (via %s): the "
			    "host kernel's, not a directory; use a named volume or %s", m->fstype,
			    m->via, flag(v, F_TMPFS));
			return true;
		}
		if (m->kind != MOUNT_BIND && m->kind != MOUNT_VOLUME_BIND)
			continue;
		if (m->fs_mount) {
			str_appendf(out, "host block device %.128s is mounted as %.32s (via %s); "
			    "remove that volume", m->source, m->fstype, m->via);
			return true;
		}
		if (sensitive_path(p, m, NULL, out))
			return true;
		if ((he = hostview_get(hv, i)) == NULL)
			continue;
		if (he->status != HOSTPATH_OK) {
			str_append(out, he->why);
			return true;
		}
		if (sensitive_path(p, m, he->path, out) || sensitive_writable(p, m, he, out))
			return true;
	}
	return false;
}

static bool
c_sensitive(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	return cf_sensitive(p, v, NULL, out);
}

static bool
c_privileged_ports(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < v->nports; i++) {
		if (v->ports[i].lo == 0 || v->ports[i].lo >= p->privileged_port_below)
			continue;
		if (v->is_service)
			str_appendf(out, "host port %d is privileged; publish on a port >= %lld "
			    "(e.g. --publish published=8080,target=%.*s)", v->ports[i].lo,
			    (long long)p->privileged_port_below,
			    (int)strcspn(v->ports[i].container, "/"), v->ports[i].container);
		else
			str_appendf(out, "host port %d is privileged; publish on a port >= %lld "
			    "(e.g. -p 8080:%.16s)", v->ports[i].lo,
			    (long long)p->privileged_port_below, v->ports[i].container);
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
		/* One port, one message: privileged-ports already names it, at least as firmly. */
		if (pv->lo < p->privileged_port_below &&
		    p->actions[R_PRIVILEGED_PORTS] >= p->actions[R_HOST_PORTS])
			continue;
		str_appendf(out, "host port %d is not in the policy's allowed ports; publish on an "
		    "allowed port (e.g. %s 8080:%.16s) or add it to rules.host-ports.allowed",
		    pv->lo, v->is_service ? "--publish" : "-p", pv->container);
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
	if (v->is_service)
		str_append(out, "host network namespace is shared; remove --network host (use "
		    "--publish to publish ports)");
	else
		str_append(out, v->kind == EP_BUILD ?
		    "build steps would run in the host network namespace; remove --network host" :
		    "host network namespace is shared; remove --net host (use -p to publish ports)");
	return true;
}

static bool
c_memory(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	const char *mf = flag(v, F_MEMORY);

	if (v->kind == EP_CONTAINER_UPDATE) {
		/* The unlimited flags of an update say what the update itself sets. */
		if ((v->changes & DV_MEMORY) && v->memory_unlimited) {
			str_append(out, "update removes the memory limit; keep --memory set");
			return true;
		}
		if ((v->changes & DV_MEMORY_SWAP) && v->swap_unlimited && !v->memory_unlimited) {
			str_append(out, "swap is unlimited (--memory-swap -1); set --memory-swap equal "
			    "to --memory");
			return true;
		}
	} else if (v->memory_unlimited) {
		str_appendf(out, "no memory limit; add %s (e.g. %s 512m)", mf, mf);
		return true;
	} else if (v->swap_unlimited && v->is_service) {
		/* A service's --memory-swap (SwapBytes) is the swap alone, not memory + swap. */
		str_append(out, "swap is unlimited (--memory-swap -1, Resources.SwapBytes); set "
		    "--memory-swap to the swap each task may use (0 for none)");
		return true;
	} else if (v->swap_unlimited) {
		str_append(out, "swap is unlimited (--memory-swap -1); set --memory-swap equal to "
		    "--memory");
		return true;
	}
	if (p->memory_max > 0 && v->memory > p->memory_max) {
		str_appendf(out, "memory limit %lld bytes is above the policy's ceiling of %lld; "
		    "lower %s", (long long)v->memory, (long long)p->memory_max, mf);
		return true;
	}
	return false;
}

/* CPU controls other than the CFS quota: the weight and --cpus. */
static bool
cpu_other(int64_t shares, int64_t nano)
{
	return shares > 0 || nano > 0;
}

static bool
cf_cpu(const struct policy *p, const struct docker_view *v, const struct eval_facts *f,
    struct strbuf *out)
{
	const struct current_limits *c = f != NULL ? f->current : NULL;

	(void)p;
	if (v->kind == EP_CONTAINER_UPDATE) {
		/* Only --cpu-quota -1 takes a control away; 0 means "unchanged". */
		if (!(v->changes & DV_CPU_QUOTA) || !v->cpu_quota_removed ||
		    cpu_other(v->cpu_shares, v->nano_cpus))
			return false;
		if (c == NULL || !c->cpu_shares.known || !c->nano_cpus.known) {
			str_append(out, "update removes the CPU quota (--cpu-quota -1) and cisgate could "
			    "not read the container's limits to see another CPU control; set --cpus or "
			    "--cpu-shares in the same update");
			return true;
		}
		if (cpu_other(c->cpu_shares.value, c->nano_cpus.value))
			return false;
		str_append(out, "update removes the CPU quota (--cpu-quota -1), the container's only "
		    "CPU control; set --cpus or --cpu-shares in the same update");
		return true;
	}
	if (cpu_other(v->cpu_shares, v->nano_cpus) || v->cpu_quota > 0)
		return false;
	if (v->is_service)
		str_append(out, "no CPU limit; add --limit-cpu (e.g. --limit-cpu 1)");
	else
		str_append(out, "no CPU limit or priority; add --cpus (e.g. --cpus 1) or "
		    "--cpu-shares (e.g. --cpu-shares 512)");
	return true;
}

static bool
c_cpu(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	return cf_cpu(p, v, NULL, out);
}

static bool
c_readonly(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (v->readonly_rootfs)
		return false;
	str_appendf(out, "root filesystem is writable; add %s (with %s for scratch space)",
	    flag(v, F_READ_ONLY), flag(v, F_TMPFS));
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

/* The fix for a restart policy, in the request's command's words. */
static void
restart_fix(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	if (v->is_service)
		str_appendf(out, "use --restart-condition on-failure --restart-max-attempts %lld",
		    (long long)p->restart_max);
	else
		str_appendf(out, "use --restart on-failure:%lld", (long long)p->restart_max);
}

static bool
c_restart(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	const char *n = v->restart_name;

	/* A service without a RestartPolicy restarts any task, forever. */
	if (v->is_service && !v->restart_set)
		n = "always";
	if (strcmp(n, "always") == 0 || strcmp(n, "unless-stopped") == 0) {
		str_appendf(out, "restart policy \"%s\" retries forever; ", v->is_service ? "any" : n);
		restart_fix(p, v, out);
		return true;
	}
	if (strcmp(n, "on-failure") == 0 &&
	    (v->restart_max <= 0 || v->restart_max > p->restart_max)) {
		str_appendf(out, "on-failure restart allows %s retries; ",
		    v->restart_max <= 0 ? "unlimited" : "too many");
		restart_fix(p, v, out);
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
	if (v->ndevice_requests > 0 && strcmp(v->device_driver, "cdi") == 0) {
		/* API 1.44+ (Docker 25): a CDI spec on the host may add device nodes, mounts and
		 * hooks. */
		str_append(out, "CDI devices are requested (a CDI spec adds host device nodes, "
		    "mounts and hooks); remove --device VENDOR/CLASS=NAME");
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
	if (v->is_service)
		str_append(out, " (services: Engine API 1.41 or later)");
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
		str_append(out, v->is_service ? "seccomp is disabled; remove Privileges.Seccomp."
		    "Mode unconfined from the service (API 1.44)" :
		    "seccomp is disabled; remove --security-opt seccomp=unconfined");
		return true;
	}
	if (s[0] != '\0' && !p->seccomp_custom_ok) {
		str_append(out, v->is_service ? "a custom seccomp profile replaces the default; "
		    "remove Privileges.Seccomp from the service" :
		    "a custom seccomp profile replaces the default; remove "
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
	return !user_ok(&p->create_users, &v->user, v->image, "image", flag(v, F_USER), out);
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
		str_appendf(out, "no health check is set; add %s (the image's own may be missing)",
		    flag(v, F_HEALTH));
		return true;
	}
	return false;
}

static bool
c_pids(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	const char *pf = flag(v, F_PIDS);

	if (v->kind == EP_CONTAINER_UPDATE) {
		if ((v->changes & DV_PIDS) && v->pids_unlimited) {
			str_append(out, "update removes the PIDs limit; keep --pids-limit set");
			return true;
		}
		if (!(v->changes & DV_PIDS))
			return false;
	} else if (v->pids_unlimited) {
		str_appendf(out, "no PIDs limit (0, -1 or >= 4194304 limit nothing); add %s 200%s",
		    pf, v->is_service ? " (Engine API 1.41 or later)" : "");
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
	if (n[0] != '\0' && strcmp(n, "default") != 0 && strcmp(n, "bridge") != 0 &&
	    !v->endpoint_bridge)
		return false;
	str_append(out, "the default bridge network is used; attach a user-defined network "
	    "(--network NAME)");
	if (v->endpoint_bridge)
		str_append(out, " and no --network bridge");
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

/* The socket path the daemon section names, or one of the rule's paths, that path
 * is or lies above; NULL when none. */
static const char *
socket_under(const struct policy *p, const char *path)
{
	size_t j;

	if (p->daemon.socket != NULL && rules_path_under(p->daemon.socket, path))
		return p->daemon.socket;
	for (j = 0; j < p->sockets.n; j++)
		if (rules_path_under(p->sockets.v[j], path))
			return p->sockets.v[j];
	return NULL;
}

static bool
cf_docker_socket(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	const struct hostview *hv = f != NULL ? f->host : NULL;
	const struct hostview_entry *he;
	size_t i;

	for (i = 0; i < v->nmounts; i++) {
		const struct mount_view *m = &v->mounts[i];

		if (m->kind != MOUNT_BIND && m->kind != MOUNT_VOLUME_BIND)
			continue;
		/* The socket itself or any directory above it. */
		if (socket_under(p, m->source) != NULL) {
			str_appendf(out, "the Docker socket is reachable through host path %.128s "
			    "(via %s); remove that mount", m->source, m->via);
			return true;
		}
		/* A link to the socket, or to a directory above it, is the socket. */
		if ((he = hostview_get(hv, i)) != NULL && he->status == HOSTPATH_OK &&
		    socket_under(p, he->path) != NULL) {
			str_appendf(out, "the Docker socket is reachable through host path %.64s, "
			    "which leads to %.64s (via %s); remove that mount", m->source, he->path,
			    m->via);
			return true;
		}
	}
	return false;
}

/* HostConfig.Annotations (API 1.43) go into the OCI spec unread by dockerd: runtimes act
 * on some (crun's run.oci.*, kata's io.katacontainers.* can change the sandbox, hooks or
 * the VM's kernel parameters). Only keys the policy lists pass. */
static bool
c_annotations(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < v->nannotations; i++) {
		const char *k = v->annotations[i].key;

		if (list_glob(&p->annotations_allowed, k))
			continue;
		str_appendf(out, "OCI annotation %.64s is handed to the container runtime, which "
		    "may act on it; remove --annotation, or list the key in "
		    "rules.annotations.allowed", k);
		return true;
	}
	return false;
}

/* The host's cgroup namespace shows the host's cgroup tree; on cgroup v1 with
 * CAP_SYS_ADMIN it is the release_agent escape. */
static bool
c_host_cgroupns(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (strcmp(v->cgroupns_mode, "host") != 0)
		return false;
	str_append(out, "host cgroup namespace is shared; remove --cgroupns host");
	return true;
}

/* A negative OomScoreAdj makes the kernel's OOM killer pick host processes (dockerd,
 * sshd) before the container's; -1000 exempts it. */
static bool
c_oom_score_adj(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	if (v->oom_score_adj >= p->oom_score_adj_min)
		return false;
	str_appendf(out, "OomScoreAdj %lld makes the OOM killer take host processes first; "
	    "remove %s (or set it to %lld or more)", (long long)v->oom_score_adj,
	    v->is_service ? "OomScoreAdj from the service" : "--oom-score-adj",
	    (long long)p->oom_score_adj_min);
	return true;
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

static bool
c_docker_socket(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	return cf_docker_socket(p, v, NULL, out);
}

static bool
c_sysctls(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < v->nsysctls; i++) {
		const char *k = v->sysctls[i].key;

		if (list_glob(&p->sysctls_allowed, k))
			continue;
		if (i < v->nendpoint_sysctls)
			str_appendf(out, "per-interface sysctl %.64s is set; remove it from the "
			    "network's driver-opt com.docker.network.endpoint.sysctls, or list it in "
			    "the policy's sysctls allowed", k);
		else
			str_appendf(out, "sysctl %.64s is set; remove %s %.64s=..., or list it in the "
			    "policy's sysctls allowed", k, flag(v, F_SYSCTL), k);
		return true;
	}
	return false;
}

/* True when group g names an entry of the list: by name, or by number however the
 * number is written ("0", "00", "+0"). */
static bool
group_denied(const struct strlist *l, const char *g)
{
	int64_t a, b;
	const char *errstr;
	bool num = str_to_i64(g, 0, INT64_MAX, &a, &errstr) == 0;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i], g) == 0)
			return true;
		if (num && str_to_i64(l->v[i], 0, INT64_MAX, &b, &errstr) == 0 && a == b)
			return true;
	}
	return false;
}

static bool
c_groups(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < v->ngroups; i++) {
		if (!group_denied(&p->groups_denied, v->groups[i]))
			continue;
		str_appendf(out, "supplementary group \"%.64s\" grants host files or devices; "
		    "remove %s %.64s", v->groups[i], flag(v, F_GROUP), v->groups[i]);
		return true;
	}
	return false;
}

static bool
c_service_plugin(const struct policy *p, const struct docker_view *v, struct strbuf *out)
{
	(void)p;
	if (!v->service_plugin)
		return false;
	str_append(out, "the service installs a managed plugin on every node with whatever "
	    "privileges it asks for (TaskTemplate.PluginSpec, Runtime plugin); install it with "
	    "docker plugin install instead");
	return true;
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
	        "/root", "/run/systemd", "/run/dbus", "/var/spool/cron", "/var/lib/containerd",
	        "/run/containerd", "/var/log/cisgate")},
	{.key = "extra_paths", .type = PT_PATHS, .off = OFF(sensitive_paths), .append = true},
	{.key = "writable_allowed", .type = PT_PATHS, .off = OFF(writable_allowed)},
	{.key = "allowed_readonly", .type = PT_PATHS, .off = OFF(readonly_allowed),
	    .def_strs = STRS("/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo",
	        "/etc/ssl/certs", "/etc/ca-certificates")},
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
	{.key = "group_zero", .type = PT_ENUM, .off = OFF(exec_users.group_zero),
	    .names = STRS("deny", "allow"), .def = EMPTY_DENY},
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
	{.key = "group_zero", .type = PT_ENUM, .off = OFF(create_users.group_zero),
	    .names = STRS("deny", "allow"), .def = EMPTY_DENY},
	{.key = NULL}, /* end */
};
static const struct param_def p_networks[] = {
	{.key = "allowed_drivers", .type = PT_STRS, .off = OFF(network_drivers)},
	{.key = NULL}, /* end */
};
static const struct param_def p_sysctls[] = {
	{.key = "allowed", .type = PT_STRS, .off = OFF(sysctls_allowed)},
	{.key = NULL}, /* end */
};
static const struct param_def p_oom_score_adj[] = {
	{.key = "min", .type = PT_INT, .off = OFF(oom_score_adj_min), .min = -1000, .max = 1000,
	    .def = 0},
	{.key = NULL}, /* end */
};
static const struct param_def p_annotations[] = {
	{.key = "allowed", .type = PT_STRS, .off = OFF(annotations_allowed)},
	{.key = NULL}, /* end */
};
static const struct param_def p_groups[] = {
	{.key = "denied", .type = PT_STRS, .off = OFF(groups_denied),
	    .def_strs = STRS("0", "root", "docker", "disk", "shadow")},
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
	case EP_CONTAINER_RESTART: /* the container it runs (rules_check_entered) */
	case EP_CONTAINER_ATTACH:
	case EP_CONTAINER_ARCHIVE_READ:
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

/* --- The container that will run (runfacts.h) ------------------------------------ */

/* True when a group spec names gid 0 ("0", "+0", "root"). */
static bool
group_is_zero(const char *g)
{
	int64_t x;
	const char *errstr;

	if (strcmp(g, "root") == 0)
		return true;
	return str_to_i64(g, INT32_MIN, INT32_MAX, &x, &errstr) == 0 && x == 0;
}

/* The effective user u (resolved through dockerd) against spec s. */
static bool
run_user_ok(const struct userspec *s, const struct run_user *u, const char *uf,
    struct strbuf *out)
{
	if (!u->uid_known) {
		if (u->name[0] != '\0' && list_has(&s->names, u->name))
			goto group;
		str_appendf(out, "cannot tell who it runs as: %.200s; add %s with a non-root "
		    "uid (e.g. %s 1000)", u->from, uf, uf);
		return false;
	}
	if (u->uid == 0) {
		str_appendf(out, "runs as root: %.200s; add %s with a non-root uid (e.g. %s "
		    "1000)", u->from, uf, uf);
		return false;
	}
	if (!ranges_have(&s->uids, u->uid)) {
		str_appendf(out, "runs as uid %lld (%.160s), not in the policy's allowed uids; "
		    "use an allowed uid", (long long)u->uid, u->from);
		return false;
	}
group:
	if (s->group_zero == EMPTY_DENY && u->gid_known && u->gid == 0) {
		str_appendf(out, "runs with group 0 (root): %.200s; add %s UID:GID with a "
		    "non-root group (e.g. %s 1000:1000)", u->from, uf, uf);
		return false;
	}
	if (s->group_zero == EMPTY_DENY && u->supp_zero) {
		str_appendf(out, "runs with group 0 (root) among its supplementary groups: "
		    "%.200s; add %s UID:GID (e.g. %s 1000:1000), which takes no groups from "
		    "/etc/group", u->from, uf, uf);
		return false;
	}
	return true;
}

/* A stated user whose group part is 0 ("1000:0", "1000:root"). */
static bool
stated_group_zero(const struct userspec *s, const struct user_view *u, const char *uf,
    struct strbuf *out)
{
	if (s->group_zero != EMPTY_DENY || u->raw[0] == '\0' || u->is_root ||
	    !group_is_zero(u->group))
		return false;
	str_appendf(out, "user \"%.64s\" runs with group 0 (root); use a non-root group "
	    "(e.g. %s 1000:1000)", u->raw, uf);
	return true;
}

static bool
cf_exec_root(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	const struct run_facts *rf = f != NULL ? f->run : NULL;

	if (rf != NULL && rf->user.resolved)
		return !run_user_ok(&p->exec_users, &rf->user, "-u", out);
	return c_exec_root(p, v, out) || stated_group_zero(&p->exec_users, &v->user, "-u", out);
}

static bool
cf_root_user(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	const struct run_facts *rf = f != NULL ? f->run : NULL;

	if (!v->has_config)
		return false;
	if (rf != NULL && rf->user.resolved)
		return !run_user_ok(&p->create_users, &rf->user, flag(v, F_USER), out);
	if (rf != NULL && rf->no_image && v->user.raw[0] == '\0')
		return false; /* dockerd refuses it; the create after the CLI's pull is judged */
	return c_root_user(p, v, out) ||
	    stated_group_zero(&p->create_users, &v->user, flag(v, F_USER), out);
}

/* How much of a container reference a message shows: a full ID as docker ps does (its
 * first 12 digits, as dockerd stores joins), a name whole up to 64 bytes. */
static int
ref_shown(const char *ref)
{
	return str_is_full_id(ref) ? 12 : 64;
}

/* True when the chain link "container:target" of the joined container via was looked
 * up: it has a join of its own in rf, judged there. */
static bool
join_followed(const struct run_facts *rf, const char *via, const char *target)
{
	size_t i;

	if (target[0] == '/')
		target++;
	for (i = 0; i < rf->njoins; i++)
		if (rf->joins[i].via != NULL && strcmp(rf->joins[i].via, via) == 0 &&
		    strcmp(rf->joins[i].ref, target) == 0)
			return true;
	return false;
}

/* Rule r over each container the request joins with flag fl (NULL: any); the first
 * finding is written as inherited from that container. */
static bool
run_joins(int r, const struct policy *p, const struct eval_facts *f, const char *fl,
    struct strbuf *out)
{
	const struct run_facts *rf = f != NULL ? f->run : NULL;
	char buf[CG_VIOLATION_TEXT_MAX];
	size_t i;

	for (i = 0; rf != NULL && i < rf->njoins; i++) {
		const struct run_join *j = &rf->joins[i];
		const struct docker_view *x = j->x;
		struct strbuf sb;
		const char *why;
		bool bad = false;

		if (fl != NULL && strcmp(j->flag, fl) != 0)
			continue;
		str_init(&sb, buf, sizeof buf);
		switch (r) {
		case R_HOST_NETWORK:
		case R_HOST_PID:
		case R_HOST_IPC: {
			const char *m = r == R_HOST_NETWORK ? x->network_mode :
			    r == R_HOST_PID ? x->pid_mode : x->ipc_mode;

			if (mode_is_host(m)) {
				str_appendf(&sb, "it shares the host's namespace (%s host)",
				    r == R_HOST_NETWORK ? "--network" : r == R_HOST_PID ? "--pid" :
				    "--ipc");
				bad = true;
			} else if (strncmp(m, "container:", 10) == 0 &&
			    !join_followed(rf, j->ref, m + 10)) {
				/* One level is judged: a chain hides what the last link shares. */
				str_appendf(&sb, "it joins %.*s itself (%s container:%.*s); join that "
				    "one directly", ref_shown(m + 10), m + 10, j->flag,
				    ref_shown(m + 10), m + 10);
				bad = true;
			}
			break;
		}
		case R_PRIVILEGED:
			if (x->privileged) {
				str_append(&sb, "it is privileged: its processes and root file system are "
				    "reachable through /proc");
				bad = true;
			}
			break;
		default:
			bad = rules_check(r, p, x, NULL, &sb);
			break;
		}
		if (!bad)
			continue;
		why = strcmp(j->flag, "--pid") == 0 && r != R_HOST_PID && r != R_PRIVILEGED ?
		    " (a --pid join reaches its processes through /proc and ptrace)" : "";
		if (j->via != NULL)
			str_appendf(out, "%s reaches container %.*s through container %.*s, "
			    "which joins it: %s%s; choose a compliant container to join", j->flag,
			    ref_shown(j->ref), j->ref, ref_shown(j->via), j->via, buf, why);
		else
			str_appendf(out, "%s %s%.*s inherits from container %.*s: %s%s; choose "
			    "a compliant container to join", j->flag,
			    strcmp(j->flag, "--volumes-from") == 0 ? "" : "container:",
			    ref_shown(j->ref), j->ref, ref_shown(j->ref), j->ref, buf, why);
		return true;
	}
	return false;
}

static bool
cf_host_network(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	return c_host_network(p, v, out) || run_joins(R_HOST_NETWORK, p, f, "--network", out);
}

static bool
cf_host_pid(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	return c_host_pid(p, v, out) || run_joins(R_HOST_PID, p, f, "--pid", out);
}

static bool
cf_host_ipc(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	return c_host_ipc(p, v, out) || run_joins(R_HOST_IPC, p, f, "--ipc", out);
}

static bool
cf_privileged(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	return c_privileged(p, v, out) || run_joins(R_PRIVILEGED, p, f, "--pid", out);
}

static bool
cf_sensitive_run(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	return cf_sensitive(p, v, f, out) ||
	    run_joins(R_SENSITIVE_MOUNTS, p, f, "--volumes-from", out);
}

static bool
cf_docker_socket_run(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	return cf_docker_socket(p, v, f, out) ||
	    run_joins(R_DOCKER_SOCKET, p, f, "--volumes-from", out);
}

/* Checks that read facts; the table's entries for these rules run them without. */
typedef bool (*rule_fact_fn)(const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out);

static const rule_fact_fn rules_fact_checks[R_COUNT] = {
	[R_SENSITIVE_MOUNTS] = cf_sensitive_run,
	[R_CPU] = cf_cpu,
	[R_DOCKER_SOCKET] = cf_docker_socket_run,
	[R_EXEC_ROOT] = cf_exec_root,
	[R_ROOT_USER] = cf_root_user,
	[R_HOST_NETWORK] = cf_host_network,
	[R_HOST_PID] = cf_host_pid,
	[R_HOST_IPC] = cf_host_ipc,
	[R_PRIVILEGED] = cf_privileged,
};

/* A --pid container:X join reaches X's processes: their root file systems through
 * /proc/N/root, and with ptrace (same uid: no capability needed, and any uid may be
 * chosen) whatever they hold. Each rule that judges a privilege or a host resource is
 * judged over X as well (host-pid and privileged already are). Limits and hygiene rules
 * are not: X's missing memory limit gives the joiner nothing. */
static const bool rules_pid_inherits[R_COUNT] = {
	[R_APPARMOR] = true,
	[R_SELINUX] = true,
	[R_CAPABILITIES] = true,
	[R_SENSITIVE_MOUNTS] = true,
	[R_HOST_NETWORK] = true,
	[R_HOST_IPC] = true,
	[R_HOST_DEVICES] = true,
	[R_PROPAGATION] = true,
	[R_HOST_UTS] = true,
	[R_SECCOMP] = true,
	[R_HOST_USERNS] = true,
	[R_DOCKER_SOCKET] = true,
	[R_GROUPS] = true,
	[R_HOST_CGROUPNS] = true,
};

bool
rules_check(int r, const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out)
{
	if (rules_fact_checks[r] != NULL ? rules_fact_checks[r](p, v, f, out) :
	    rules_table[r].check(p, v, out))
		return true;
	/* f is NULL when run_joins judges X itself: one level, no recursion. */
	return f != NULL && rules_pid_inherits[r] && run_joins(r, p, f, "--pid", out);
}

bool
rules_check_entered(int r, const struct policy *p, const struct run_facts *rf,
    struct strbuf *out)
{
	struct eval_facts f = {NULL, NULL, rf};
	char buf[CG_VIOLATION_TEXT_MAX];
	struct strbuf sb;

	/* What a process inside the container holds: what a --pid join reaches, plus the
	 * privileges and the PID namespace themselves. */
	if (rf == NULL || rf->entered == NULL ||
	    !(rules_pid_inherits[r] || r == R_PRIVILEGED || r == R_HOST_PID))
		return false;
	/* What an old-API start's HostConfig does not replace: the mounts, and the security
	 * profiles dockerd parsed at create (a seccomp=unconfined stays, though inspect then
	 * shows no SecurityOpt). */
	if (rf->entered_mounts_only && r != R_SENSITIVE_MOUNTS && r != R_DOCKER_SOCKET &&
	    r != R_PROPAGATION && r != R_SECCOMP && r != R_APPARMOR && r != R_SELINUX)
		return false;
	/* docker cp: dockerd itself, as root, reaches the files through the mounts. */
	if (rf->entered_files_only && r != R_SENSITIVE_MOUNTS && r != R_DOCKER_SOCKET)
		return false;
	/* Read through f: its bind sources as they resolve now (entered_host), and the joins
	 * it makes (rf->joins), unless what it runs is not judged (mounts or files only). */
	f.host = rf->entered_host;
	if (rf->entered_mounts_only || rf->entered_files_only)
		f.run = NULL;
	str_init(&sb, buf, sizeof buf);
	if (!rules_check(r, p, rf->entered, &f, &sb))
		return false;
	str_appendf(out, "%s container %.*s, made outside this policy (before cisgate, while "
	    "it was off, or under an older one); recreate it: %s", rf->entered_how,
	    ref_shown(rf->entered_ref), rf->entered_ref, buf);
	return true;
}
