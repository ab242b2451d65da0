/* docker.c - Docker API bodies to the typed view. Every spelling of a host path, user,
 * capability, port and security option is normalised here, once, for every rule. Pure. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cisgate/docker.h"
#include "cisgate/path.h"
#include "cisgate/str.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Field tables. Each enum ends in its count, each table is filled by designated
 * initialisers, and TABLE_CHECK ties the two at compile time: a name added without its
 * index, or an index without a name at the end, does not build; a hole in the middle is
 * refused at run time by gojson_fields (and docker_tables_complete() in the tests). */
#define TABLE_CHECK(t, n) _Static_assert(NELEM(t) == (n), #t " and its index enum disagree")

/* runconfig.ContainerConfigWrapper: the Config fields cisgate reads, then the wrapper's
 * own fields (its embedded *HostConfig's fields are f_host and f_res). */
enum { T_IMAGE, T_USER, T_HEALTH, T_LABELS, T_HOST, T_CPUSET, T_NETCFG, T_COUNT };
static const char *const f_top[] = {[T_IMAGE] = "Image", [T_USER] = "User",
    [T_HEALTH] = "Healthcheck", [T_LABELS] = "Labels", [T_HOST] = "HostConfig",
    [T_CPUSET] = "Cpuset", [T_NETCFG] = "NetworkingConfig"};
TABLE_CHECK(f_top, T_COUNT);

/* container.HostConfig, without its embedded Resources. */
enum { H_BINDS, H_MOUNTS, H_PRIV, H_CAPADD, H_SECOPT, H_NET, H_PID, H_IPC, H_UTS, H_USERNS,
	H_RESTART, H_RO, H_PUBALL, H_PORTS, H_MASKED, H_ROPATHS, H_GROUPADD, H_SYSCTLS, H_INIT,
	H_ANNOT, H_CGROUPNS, H_OOM, H_VOLFROM, H_COUNT };
static const char *const f_host[] = {[H_BINDS] = "Binds", [H_MOUNTS] = "Mounts",
    [H_PRIV] = "Privileged", [H_CAPADD] = "CapAdd", [H_SECOPT] = "SecurityOpt",
    [H_NET] = "NetworkMode", [H_PID] = "PidMode", [H_IPC] = "IpcMode", [H_UTS] = "UTSMode",
    [H_USERNS] = "UsernsMode", [H_RESTART] = "RestartPolicy", [H_RO] = "ReadonlyRootfs",
    [H_PUBALL] = "PublishAllPorts", [H_PORTS] = "PortBindings", [H_MASKED] = "MaskedPaths",
    [H_ROPATHS] = "ReadonlyPaths", [H_GROUPADD] = "GroupAdd", [H_SYSCTLS] = "Sysctls",
    [H_INIT] = "Init", [H_ANNOT] = "Annotations", [H_CGROUPNS] = "CgroupnsMode",
    [H_OOM] = "OomScoreAdj", [H_VOLFROM] = "VolumesFrom"};
TABLE_CHECK(f_host, H_COUNT);

/* network.NetworkingConfig and the part of network.EndpointSettings that reaches the
 * host: DriverOpts (API 1.46: com.docker.network.endpoint.sysctls). */
enum { NC_ENDPOINTS, NC_COUNT };
static const char *const f_netcfg[] = {[NC_ENDPOINTS] = "EndpointsConfig"};
TABLE_CHECK(f_netcfg, NC_COUNT);

enum { EPS_DRIVEROPTS, EPS_COUNT };
static const char *const f_epset[] = {[EPS_DRIVEROPTS] = "DriverOpts"};
TABLE_CHECK(f_epset, EPS_COUNT);

/* POST /networks/{id}/connect: networkbackend.ConnectRequest. */
enum { NCR_CONTAINER, NCR_ENDPOINT, NCR_COUNT };
static const char *const f_connect[] = {[NCR_CONTAINER] = "Container",
    [NCR_ENDPOINT] = "EndpointConfig"};
TABLE_CHECK(f_connect, NCR_COUNT);

enum { DR_DRIVER, DR_COUNT };
static const char *const f_devreq[] = {[DR_DRIVER] = "Driver"};
TABLE_CHECK(f_devreq, DR_COUNT);

/* container.Resources: embedded in HostConfig and in UpdateConfig. */
enum { R_MEMORY, R_CPUSHARES, R_NANOCPUS, R_CPUQUOTA, R_CPUPERIOD, R_PIDS, R_SWAP, R_MEMRES,
	R_KMEM, R_CPUSETCPUS, R_CGPARENT, R_DEVICES, R_DEVRULES, R_DEVREQ, R_ULIMITS, R_COUNT };
static const char *const f_res[] = {[R_MEMORY] = "Memory", [R_CPUSHARES] = "CpuShares",
    [R_NANOCPUS] = "NanoCpus", [R_CPUQUOTA] = "CpuQuota", [R_CPUPERIOD] = "CpuPeriod",
    [R_PIDS] = "PidsLimit", [R_SWAP] = "MemorySwap", [R_MEMRES] = "MemoryReservation",
    [R_KMEM] = "KernelMemory", [R_CPUSETCPUS] = "CpusetCpus", [R_CGPARENT] = "CgroupParent",
    [R_DEVICES] = "Devices", [R_DEVRULES] = "DeviceCgroupRules",
    [R_DEVREQ] = "DeviceRequests", [R_ULIMITS] = "Ulimits"};
TABLE_CHECK(f_res, R_COUNT);

/* container.UpdateConfig: Resources (f_res) and this. */
enum { U_RESTART, U_COUNT };
static const char *const f_update[] = {[U_RESTART] = "RestartPolicy"};
TABLE_CHECK(f_update, U_COUNT);

enum { X_USER, X_PRIV, X_COUNT };
static const char *const f_exec[] = {[X_USER] = "User", [X_PRIV] = "Privileged"};
TABLE_CHECK(f_exec, X_COUNT);

enum { RP_NAME, RP_MAX, RP_COUNT };
static const char *const f_restart[] = {[RP_NAME] = "Name", [RP_MAX] = "MaximumRetryCount"};
TABLE_CHECK(f_restart, RP_COUNT);

enum { M_TYPE, M_SOURCE, M_TARGET, M_RO, M_BINDOPT, M_VOLOPT, M_COUNT };
static const char *const f_mount[] = {[M_TYPE] = "Type", [M_SOURCE] = "Source",
    [M_TARGET] = "Target", [M_RO] = "ReadOnly", [M_BINDOPT] = "BindOptions",
    [M_VOLOPT] = "VolumeOptions"};
TABLE_CHECK(f_mount, M_COUNT);

enum { BO_PROPAGATION, BO_COUNT };
static const char *const f_propag[] = {[BO_PROPAGATION] = "Propagation"};
TABLE_CHECK(f_propag, BO_COUNT);

enum { VO_DRIVERCONFIG, VO_COUNT };
static const char *const f_volopt[] = {[VO_DRIVERCONFIG] = "DriverConfig"};
TABLE_CHECK(f_volopt, VO_COUNT);

enum { DC_NAME, DC_OPTIONS, DC_COUNT };
static const char *const f_drvcfg[] = {[DC_NAME] = "Name", [DC_OPTIONS] = "Options"};
TABLE_CHECK(f_drvcfg, DC_COUNT);

enum { PB_HOSTIP, PB_HOSTPORT, PB_COUNT };
static const char *const f_portb[] = {[PB_HOSTIP] = "HostIp", [PB_HOSTPORT] = "HostPort"};
TABLE_CHECK(f_portb, PB_COUNT);

enum { DEV_PATHONHOST, DEV_COUNT };
static const char *const f_device[] = {[DEV_PATHONHOST] = "PathOnHost"};
TABLE_CHECK(f_device, DEV_COUNT);

enum { HC_TEST, HC_COUNT };
static const char *const f_health[] = {[HC_TEST] = "Test"};
TABLE_CHECK(f_health, HC_COUNT);

enum { V_NAME, V_DRIVER, V_DRIVEROPTS, V_LABELS, V_COUNT };
static const char *const f_volume[] = {[V_NAME] = "Name", [V_DRIVER] = "Driver",
    [V_DRIVEROPTS] = "DriverOpts", [V_LABELS] = "Labels"};
TABLE_CHECK(f_volume, V_COUNT);

/* swarm.ServiceSpec (with its embedded Annotations) and what it holds, API 1.41. */
enum { S_NAME, S_TASK, S_NETWORKS, S_ENDPOINT, S_COUNT };
static const char *const f_svc[] = {[S_NAME] = "Name", [S_TASK] = "TaskTemplate",
    [S_NETWORKS] = "Networks", [S_ENDPOINT] = "EndpointSpec"};
TABLE_CHECK(f_svc, S_COUNT);

enum { K_CSPEC, K_PSPEC, K_RES, K_RESTART, K_NETWORKS, K_RUNTIME, K_COUNT };
static const char *const f_task[] = {[K_CSPEC] = "ContainerSpec", [K_PSPEC] = "PluginSpec",
    [K_RES] = "Resources", [K_RESTART] = "RestartPolicy", [K_NETWORKS] = "Networks",
    [K_RUNTIME] = "Runtime"};
TABLE_CHECK(f_task, K_COUNT);

enum { C_IMAGE, C_LABELS, C_USER, C_GROUPS, C_PRIVS, C_INIT, C_RO, C_MOUNTS, C_HEALTH,
	C_SYSCTLS, C_CAPADD, C_ULIMITS, C_OOM, C_COUNT };
static const char *const f_cspec[] = {[C_IMAGE] = "Image", [C_LABELS] = "Labels",
    [C_USER] = "User", [C_GROUPS] = "Groups", [C_PRIVS] = "Privileges", [C_INIT] = "Init",
    [C_RO] = "ReadOnly", [C_MOUNTS] = "Mounts", [C_HEALTH] = "Healthcheck",
    [C_SYSCTLS] = "Sysctls", [C_CAPADD] = "CapabilityAdd", [C_ULIMITS] = "Ulimits",
    [C_OOM] = "OomScoreAdj"};
TABLE_CHECK(f_cspec, C_COUNT);

enum { PV_SELINUX, PV_SECCOMP, PV_APPARMOR, PV_COUNT };
static const char *const f_privs[] = {[PV_SELINUX] = "SELinuxContext",
    [PV_SECCOMP] = "Seccomp", [PV_APPARMOR] = "AppArmor"};
TABLE_CHECK(f_privs, PV_COUNT);

/* Privileges.Seccomp and .AppArmor (API 1.44): {"Mode": ...}. */
enum { PM_MODE, PM_COUNT };
static const char *const f_pmode[] = {[PM_MODE] = "Mode"};
TABLE_CHECK(f_pmode, PM_COUNT);

enum { SE_DISABLE, SE_TYPE, SE_COUNT };
static const char *const f_selinux[] = {[SE_DISABLE] = "Disable", [SE_TYPE] = "Type"};
TABLE_CHECK(f_selinux, SE_COUNT);

enum { RQ_LIMITS, RQ_RESERVATIONS, RQ_SWAP, RQ_SWAPPINESS, RQ_COUNT };
static const char *const f_resreq[] = {[RQ_LIMITS] = "Limits",
    [RQ_RESERVATIONS] = "Reservations", [RQ_SWAP] = "SwapBytes",
    [RQ_SWAPPINESS] = "MemorySwappiness"};
TABLE_CHECK(f_resreq, RQ_COUNT);

enum { L_NANOCPUS, L_MEMORY, L_PIDS, L_COUNT };
static const char *const f_limit[] = {[L_NANOCPUS] = "NanoCPUs", [L_MEMORY] = "MemoryBytes",
    [L_PIDS] = "Pids"};
TABLE_CHECK(f_limit, L_COUNT);

enum { RV_MEMORY, RV_GENERIC, RV_COUNT };
static const char *const f_resv[] = {[RV_MEMORY] = "MemoryBytes",
    [RV_GENERIC] = "GenericResources"};
TABLE_CHECK(f_resv, RV_COUNT);

enum { SR_CONDITION, SR_MAXATTEMPTS, SR_COUNT };
static const char *const f_srestart[] = {[SR_CONDITION] = "Condition",
    [SR_MAXATTEMPTS] = "MaxAttempts"};
TABLE_CHECK(f_srestart, SR_COUNT);

enum { NA_TARGET, NA_COUNT };
static const char *const f_netatt[] = {[NA_TARGET] = "Target"};
TABLE_CHECK(f_netatt, NA_COUNT);

enum { ES_PORTS, ES_COUNT };
static const char *const f_endpoint[] = {[ES_PORTS] = "Ports"};
TABLE_CHECK(f_endpoint, ES_COUNT);

enum { PC_PROTOCOL, PC_TARGET, PC_PUBLISHED, PC_MODE, PC_COUNT };
static const char *const f_portcfg[] = {[PC_PROTOCOL] = "Protocol", [PC_TARGET] = "TargetPort",
    [PC_PUBLISHED] = "PublishedPort", [PC_MODE] = "PublishMode"};
TABLE_CHECK(f_portcfg, PC_COUNT);

/* Every table, for docker_tables_complete(). */
static const struct {
	const char *const *names;
	size_t n;
} dv_tables[] = {{f_top, T_COUNT}, {f_host, H_COUNT}, {f_res, R_COUNT},
    {f_update, U_COUNT}, {f_exec, X_COUNT}, {f_restart, RP_COUNT}, {f_mount, M_COUNT},
    {f_propag, BO_COUNT}, {f_volopt, VO_COUNT}, {f_drvcfg, DC_COUNT}, {f_portb, PB_COUNT},
    {f_device, DEV_COUNT}, {f_health, HC_COUNT}, {f_volume, V_COUNT}, {f_svc, S_COUNT},
    {f_task, K_COUNT}, {f_cspec, C_COUNT}, {f_privs, PV_COUNT}, {f_selinux, SE_COUNT},
    {f_resreq, RQ_COUNT}, {f_limit, L_COUNT}, {f_resv, RV_COUNT}, {f_srestart, SR_COUNT},
    {f_netatt, NA_COUNT}, {f_endpoint, ES_COUNT}, {f_portcfg, PC_COUNT},
    {f_netcfg, NC_COUNT}, {f_epset, EPS_COUNT}, {f_devreq, DR_COUNT}, {f_pmode, PM_COUNT}};

bool
docker_tables_complete(void)
{
	size_t t, i;

	for (t = 0; t < NELEM(dv_tables); t++)
		for (i = 0; i < dv_tables[t].n; i++)
			if (dv_tables[t].names[i] == NULL || dv_tables[t].names[i][0] == '\0')
				return false;
	return true;
}

static char *
dv_alloc(struct docker_view *v, size_t n)
{
	char *p;

	if (n > sizeof v->arena - v->arena_used)
		return NULL;
	p = v->arena + v->arena_used;
	v->arena_used += n;
	return p;
}

static const char *
dv_strdup(struct docker_view *v, const char *s, size_t n)
{
	char *p = dv_alloc(v, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
docker_clean_path(const char *p, char *out, size_t outsz)
{
	long o = path_clean(p, out, outsz);

	if (o < 0)
		return -1;
	/* /var/run is a symlink to /run on every current distribution. */
	if (strncmp(out, "/var/run", 8) == 0 && (out[8] == '\0' || out[8] == '/'))
		memmove(out, out + 4, (size_t)o - 4 + 1);
	return 0;
}

void
docker_parse_user(const char *s, struct user_view *u, char *buf, size_t bufsz)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	const char *errstr;
	int64_t uid;

	memset(u, 0, sizeof *u);
	u->raw = s;
	u->name = "";
	u->group = colon ? colon + 1 : "";
	if (*s == '\0')
		return; /* left to the image: the caller's policy decides */
	if (n >= bufsz)
		n = bufsz - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (n == 0) {
		/* ":1000": runc keeps the default uid, 0. */
		u->numeric = true;
		u->is_root = true;
		return;
	}
	/* runc uses strconv.Atoi: optional sign, decimal digits. */
	if (str_to_i64(buf, INT32_MIN, INT32_MAX, &uid, &errstr) == 0) {
		u->numeric = true;
		u->uid = uid;
		u->is_root = uid == 0;
		return;
	}
	u->name = buf;
	u->is_root = strcmp(buf, "root") == 0;
}

int
docker_cap_canon(const char *c, char *out, size_t outsz)
{
	size_t i, o = 0;

	if (strcasecmp(c, "ALL") == 0)
		return str_copy(out, "ALL", outsz) < outsz ? 0 : -1;
	if (strncasecmp(c, "CAP_", 4) != 0) {
		if (outsz < 5)
			return -1;
		memcpy(out, "CAP_", 4);
		o = 4;
	}
	for (i = 0; c[i]; i++) {
		char ch = c[i];

		if (o + 1 >= outsz)
			return -1;
		out[o++] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
	}
	out[o] = '\0';
	return 0;
}

static int
dv_add_mount(struct docker_view *v, enum mount_kind kind, const char *src, const char *target,
    const char *propagation, bool ro, const char *via, struct gj_error *e)
{
	struct mount_view *m;

	if (v->nmounts >= CG_MOUNTS_MAX)
		return gojson_fail(e, GJ_INVALID, "more than %d mounts", CG_MOUNTS_MAX);
	m = &v->mounts[v->nmounts];
	m->kind = kind;
	m->target = target;
	m->propagation = propagation;
	m->via = via;
	m->fstype = "";
	m->fs_mount = false;
	m->read_only = ro;
	m->source = src;
	if (kind == MOUNT_BIND || kind == MOUNT_VOLUME_BIND) {
		size_t n = strlen(src) + 2;
		char *p = dv_alloc(v, n);

		if (p == NULL)
			return gojson_fail(e, GJ_INVALID, "mount paths too long");
		if (docker_clean_path(src, p, n) != 0)
			return gojson_fail(e, GJ_INVALID, "%s: host path \"%.64s\" is not absolute", via,
			    src);
		m->source = p;
	}
	v->nmounts++;
	return 0;
}

/* The propagation word in a Binds mode ("ro,rshared"), as a pointer into a static. */
static const char *
dv_mode_propagation(const char *mode, bool *ro)
{
	static const char *const props[] = {"shared", "rshared", "slave", "rslave", "private",
	    "rprivate"};
	const char *p = mode, *found = "";

	*ro = false;
	while (*p) {
		size_t n = strcspn(p, ","), i;

		if (n == 2 && strncmp(p, "ro", 2) == 0)
			*ro = true;
		for (i = 0; i < NELEM(props); i++)
			if (strlen(props[i]) == n && strncmp(p, props[i], n) == 0)
				found = props[i];
		p += n;
		if (*p == ',')
			p++;
	}
	return found;
}

static int
dv_binds(struct docker_view *v, json_t *binds, struct gj_error *e)
{
	size_t i;
	json_t *b;

	json_array_foreach(binds, i, b) {
		const char *s = json_string_value(b), *c1, *c2, *src, *dst, *mode = "";
		bool ro = false;

		if (s == NULL || *s == '\0')
			continue;
		/* src:dst[:mode]; a single part is an anonymous volume. */
		c1 = strchr(s, ':');
		if (c1 == NULL)
			continue;
		c2 = strchr(c1 + 1, ':');
		if (c2 && strchr(c2 + 1, ':'))
			return gojson_fail(e, GJ_INVALID, "Binds: invalid spec \"%.64s\"", s);
		src = dv_strdup(v, s, (size_t)(c1 - s));
		dst = c2 ? dv_strdup(v, c1 + 1, (size_t)(c2 - c1 - 1)) : c1 + 1;
		if (c2)
			mode = c2 + 1;
		if (src == NULL || dst == NULL)
			return gojson_fail(e, GJ_INVALID, "Binds too long");
		if (dv_add_mount(v, src[0] == '/' ? MOUNT_BIND : MOUNT_VOLUME, src, dst,
		        dv_mode_propagation(mode, &ro), ro, "Binds", e))
			return -1;
		v->mounts[v->nmounts - 1].read_only = ro;
	}
	return 0;
}

/* Is word w (n bytes) one of the comma-separated words of list? */
static bool
dv_has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	while (*list) {
		size_t l = strcspn(list, ",");

		if (l == n && strncmp(list, w, n) == 0)
			return true;
		list += l;
		if (*list == ',')
			list++;
	}
	return false;
}

static bool
dv_in(const char *s, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

/* A host path named by mount options: mount(2) resolves a relative one against dockerd's
 * working directory, which is "/" under systemd and in the packaged unit ("etc" is
 * "/etc"). An empty one is taken as "/" (the kernel refuses it; deny rather than guess). */
static int
dv_add_host_path(struct docker_view *v, const char *path, size_t len, const char *target,
    bool ro, const char *fstype, const char *via, struct gj_error *e)
{
	char *p = dv_alloc(v, len + 2);

	if (p == NULL)
		return gojson_fail(e, GJ_INVALID, "%s: paths too long", via);
	p[0] = '/';
	memcpy(p + 1, path, len);
	p[len + 1] = '\0';
	if (dv_add_mount(v, MOUNT_VOLUME_BIND, len > 0 && path[0] == '/' ? p + 1 : p, target, "",
	        ro, via, e))
		return -1;
	v->mounts[v->nmounts - 1].fstype = fstype;
	return 0;
}

/* overlay's lowerdir=a:b, upperdir=, workdir= (and the newer lowerdir+=, datadir+=):
 * every directory is a host path the container sees (lower ones read-only). */
static int
dv_overlay_dirs(struct docker_view *v, const char *o, const char *target, const char *via,
    struct gj_error *e)
{
	static const char *const dirs[] = {"lowerdir", "upperdir", "workdir", "datadir"};
	size_t found = 0;

	while (*o) {
		size_t l = strcspn(o, ","), i;
		const char *eq = memchr(o, '=', l);

		for (i = 0; eq != NULL && i < NELEM(dirs); i++) {
			size_t dl = strlen(dirs[i]);
			const char *p = eq + 1, *end = o + l;
			bool upper = i == 1 || i == 2;

			if (strncmp(o, dirs[i], dl) != 0)
				continue;
			/* The kernel unescapes "\:" and "\,"; cisgate does not guess. */
			if (memchr(o, '\\', l) != NULL)
				return gojson_fail(e, GJ_AMBIGUOUS, "ambiguous request: %s: escaped "
				    "overlay directory \"%.64s\"", via, o);
			while (p <= end) {
				size_t pl = strcspn(p, ":,");

				if (p + pl > end)
					pl = (size_t)(end - p);
				if (dv_add_host_path(v, p, pl, target, !upper, "overlay", via, e))
					return -1;
				found++;
				p += pl + 1;
			}
		}
		o += l;
		if (*o == ',')
			o++;
	}
	if (found == 0)
		return gojson_fail(e, GJ_INVALID, "%s: overlay without lowerdir", via);
	return 0;
}

/* A swarm template ({{.Service.Name}}, {{"/etc"}}) in s: the node that runs the task
 * expands a service mount's Source, Target and volume options after cisgate judged them
 * (swarmkit's template.ExpandContainerSpec), so the text judged is not what is mounted. */
static bool
dv_templated(const char *s)
{
	return s != NULL && strstr(s, "{{") != NULL;
}

static int
dv_template_fail(struct gj_error *e, const char *what)
{
	return gojson_fail(e, GJ_UNKNOWABLE, "%s of this service holds a template ({{...}}), "
	    "which each node expands after cisgate has judged it; write the value out", what);
}

/* Local volume driver options as volume/local (setOpts, validateOpts, mount) and
 * moby/sys/mount (parseOptions) read them: keys exactly "type", "o", "device", "size"
 * (a Go map: no case folding); "bind" or "rbind" among the words of o makes it a bind
 * of device whatever the type; otherwise the type decides what the device is:
 *   tmpfs, ramfs            memory: nothing of the host          MOUNT_OTHER
 *   nfs, nfs4, cifs, smb3   remote (addr= in o): another host's
 *                           files, not this one's                MOUNT_OTHER
 *   overlay                 every lowerdir/upperdir/workdir      MOUNT_VOLUME_BIND each
 *   disk file systems, none the device is a host path (a block
 *                           device such as /dev/sda1)            MOUNT_VOLUME_BIND
 *   anything else           a kernel or pseudo file system: proc, sysfs, devtmpfs,
 *                           devpts, securityfs, debugfs, tracefs, cgroup, cgroup2,
 *                           bpf, configfs, fusectl, mqueue, hugetlbfs, pstore,
 *                           efivarfs, binfmt_misc, ... or one cisgate does not know
 *                                                                MOUNT_KERNEL_FS */
static int
dv_volume_opts(struct docker_view *v, const char *driver, json_t *opts, const char *target,
    const char *via, struct gj_error *e)
{
	static const char *const valid[] = {"type", "o", "device", "size"};
	static const char *const memory[] = {"tmpfs", "ramfs"};
	static const char *const remote[] = {"nfs", "nfs4", "cifs", "smb3"};
	static const char *const disk[] = {"", "none", "ext2", "ext3", "ext4", "xfs", "btrfs",
	    "vfat", "msdos", "exfat", "ntfs", "ntfs3", "f2fs", "jfs", "reiserfs", "iso9660",
	    "udf", "squashfs", "erofs", "hfs", "hfsplus", "minix", "nilfs2", "ocfs2", "gfs2",
	    "bcachefs", "zonefs", "fuseblk"};
	const char *type = NULL, *o = NULL, *device = NULL, *key;
	json_t *val;
	bool ro;

	if (opts == NULL || (*driver != '\0' && strcmp(driver, "local") != 0))
		return 0;
	if (!json_is_object(opts))
		return gojson_fail(e, GJ_INVALID, "%s: options must be an object", via);
	json_object_foreach(opts, key, val) {
		const char *s = "";

		if (!json_is_string(val) && !json_is_null(val))
			return gojson_fail(e, GJ_INVALID, "%s: option %.32s must be a string", via, key);
		if (json_is_string(val) && gojson_str(val, via, &s, e))
			return -1;
		if (!dv_in(key, valid, NELEM(valid)))
			return gojson_fail(e, GJ_INVALID, "%s: invalid option \"%.32s\" (the local "
			    "driver takes type, o, device and size)", via, key);
		if (v->is_service && dv_templated(s))
			return dv_template_fail(e, "a volume option");
		if (strcmp(key, "type") == 0)
			type = s;
		else if (strcmp(key, "o") == 0)
			o = s;
		else if (strcmp(key, "device") == 0)
			device = s;
	}
	if (type == NULL && device == NULL && o == NULL)
		return 0; /* a plain local volume (maybe with a size) */
	/* validateOpts' mandatoryOpts. */
	if (type == NULL || device == NULL)
		return gojson_fail(e, GJ_INVALID, "%s: missing required option \"%s\"", via,
		    type == NULL ? "type" : "device");
	if (o == NULL)
		o = "";
	ro = dv_has_word(o, "ro");
	if (dv_has_word(o, "bind") || dv_has_word(o, "rbind"))
		return dv_add_host_path(v, device, strlen(device), target, ro, type, via, e);
	if (dv_in(type, disk, NELEM(disk))) {
		if (dv_add_host_path(v, device, strlen(device), target, ro, type, via, e))
			return -1;
		v->mounts[v->nmounts - 1].fs_mount = true;
		return 0;
	}
	if (strcmp(type, "overlay") == 0)
		return dv_overlay_dirs(v, o, target, via, e);
	if (dv_add_mount(v, dv_in(type, memory, NELEM(memory)) ||
	            dv_in(type, remote, NELEM(remote)) ? MOUNT_OTHER : MOUNT_KERNEL_FS,
	        device, target, "", ro, via, e))
		return -1;
	v->mounts[v->nmounts - 1].fstype = type;
	return 0;
}

static int
dv_mounts(struct docker_view *v, json_t *mounts, struct gj_error *e)
{
	size_t i;
	json_t *m;

	if (!json_is_array(mounts))
		return gojson_fail(e, GJ_INVALID, "Mounts must be a list");
	json_array_foreach(mounts, i, m) {
		json_t *f[M_COUNT], *bo, *vo, *p[BO_COUNT], *dc[VO_COUNT], *d[DC_COUNT];
		const char *type, *src, *dst, *prop = "", *dname = "";
		bool ro;

		if (gojson_fields(m, "Mounts[]", f_mount, M_COUNT, f, e) ||
		    gojson_str(f[M_TYPE], "Mounts[].Type", &type, e) ||
		    gojson_str(f[M_SOURCE], "Mounts[].Source", &src, e) ||
		    gojson_str(f[M_TARGET], "Mounts[].Target", &dst, e) ||
		    gojson_bool(f[M_RO], "Mounts[].ReadOnly", &ro, e) ||
		    gojson_object(f[M_BINDOPT], "Mounts[].BindOptions", &bo, e) ||
		    gojson_object(f[M_VOLOPT], "Mounts[].VolumeOptions", &vo, e) ||
		    gojson_fields(bo, "BindOptions", f_propag, BO_COUNT, p, e) ||
		    gojson_str(p[BO_PROPAGATION], "BindOptions.Propagation", &prop, e) ||
		    gojson_fields(vo, "VolumeOptions", f_volopt, VO_COUNT, dc, e) ||
		    gojson_fields(dc[VO_DRIVERCONFIG], "DriverConfig", f_drvcfg, DC_COUNT, d, e) ||
		    gojson_str(d[DC_NAME], "DriverConfig.Name", &dname, e))
			return -1;
		if (v->is_service && (dv_templated(src) || dv_templated(dst)))
			return dv_template_fail(e, "a mount's Source or Target");
		/* dockerd's mount types are lower-case constants, compared exactly. */
		if (strcmp(type, "bind") == 0) {
			if (dv_add_mount(v, MOUNT_BIND, src, dst, prop, ro, "Mounts", e))
				return -1;
		} else if (strcmp(type, "volume") == 0) {
			if (dv_add_mount(v, MOUNT_VOLUME, src, dst, "", ro, "Mounts", e) ||
			    dv_volume_opts(v, dname, d[DC_OPTIONS], dst, "Mounts volume options", e))
				return -1;
		} else if (dv_add_mount(v, MOUNT_OTHER, src, dst, "", ro, "Mounts", e))
			return -1;
	}
	return 0;
}

/* caps is a value gojson_strslice (CapAdd) or gojson_strarray (CapabilityAdd) accepted. */
static int
dv_caps(struct docker_view *v, json_t *caps, const char *field, struct gj_error *e)
{
	size_t i, n = gojson_strslice_size(caps);

	for (i = 0; i < n; i++) {
		const char *s = gojson_strslice_get(caps, i);
		char *out;
		size_t l;

		if (s == NULL || *s == '\0')
			continue;
		if (v->ncaps >= CG_CAPS_MAX)
			return gojson_fail(e, GJ_INVALID, "%s lists more than %d", field, CG_CAPS_MAX);
		l = strlen(s) + 5;
		if ((out = dv_alloc(v, l)) == NULL || docker_cap_canon(s, out, l) != 0)
			return gojson_fail(e, GJ_INVALID, "%s too long", field);
		if (strcmp(out, "ALL") == 0)
			v->cap_all = true;
		v->caps[v->ncaps++] = out;
	}
	return 0;
}

/* dockerd's parseSecurityOpt: "no-new-privileges", "disable", key=value, old key:value. */
static int
dv_secopts(struct docker_view *v, json_t *opts, struct gj_error *e)
{
	size_t i;
	json_t *o;

	json_array_foreach(opts, i, o) {
		const char *s = json_string_value(o), *sep, *val;
		size_t kl;

		if (s == NULL)
			continue;
		if (strcmp(s, "no-new-privileges") == 0) {
			v->sec.no_new_privileges = 1;
			continue;
		}
		if (strcmp(s, "disable") == 0) {
			v->sec.selinux_disabled = true;
			continue;
		}
		sep = strchr(s, '=');
		if (sep == NULL)
			sep = strchr(s, ':');
		if (sep == NULL)
			return gojson_fail(e, GJ_INVALID, "invalid SecurityOpt \"%.64s\"", s);
		kl = (size_t)(sep - s);
		val = sep + 1;
		if (kl == 5 && strncmp(s, "label", 5) == 0) {
			if (strcmp(val, "disable") == 0)
				v->sec.selinux_disabled = true;
			else if (strncmp(val, "type:", 5) == 0)
				v->sec.selinux_type = val + 5; /* spc_t is unconfined */
		} else if (kl == 8 && strncmp(s, "apparmor", 8) == 0)
			v->sec.apparmor = val;
		else if (kl == 7 && strncmp(s, "seccomp", 7) == 0)
			v->sec.seccomp = val;
		else if (kl == 11 && strncmp(s, "systempaths", 11) == 0) {
			if (strcmp(val, "unconfined") != 0)
				return gojson_fail(e, GJ_INVALID, "invalid SecurityOpt \"%.64s\"", s);
			v->sec.unmasked_paths = true;
		}
		else if (kl == 17 && strncmp(s, "no-new-privileges", 17) == 0) {
			/* strconv.ParseBool */
			static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
			static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
			size_t k;
			int b = -1;

			for (k = 0; k < NELEM(t); k++) {
				if (strcmp(val, t[k]) == 0)
					b = 1;
				if (strcmp(val, f[k]) == 0)
					b = 0;
			}
			if (b < 0)
				return gojson_fail(e, GJ_INVALID, "invalid SecurityOpt \"%.64s\"", s);
			v->sec.no_new_privileges = b;
		} else
			return gojson_fail(e, GJ_INVALID, "invalid SecurityOpt \"%.64s\"", s);
	}
	return 0;
}

/* "8080", "8000-8010", "" (dockerd picks). */
static int
dv_port_range(const char *s, int *lo, int *hi)
{
	const char *dash = strchr(s, '-'), *errstr;
	char a[16];
	int64_t x, y;

	*lo = *hi = 0;
	if (*s == '\0')
		return 0;
	if (dash == NULL) {
		if (str_to_i64(s, 0, 65535, &x, &errstr))
			return -1;
		*lo = *hi = (int)x;
		return 0;
	}
	if ((size_t)(dash - s) >= sizeof a)
		return -1;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	if (str_to_i64(a, 0, 65535, &x, &errstr) || str_to_i64(dash + 1, 0, 65535, &y, &errstr) ||
	    y < x)
		return -1;
	*lo = (int)x;
	*hi = (int)y;
	return 0;
}

static int
dv_ports(struct docker_view *v, json_t *pb, struct gj_error *e)
{
	const char *key;
	json_t *list;

	if (!json_is_object(pb))
		return gojson_fail(e, GJ_INVALID, "PortBindings must be an object");
	json_object_foreach(pb, key, list) {
		size_t i;
		json_t *b;

		if (json_is_null(list))
			continue;
		if (!json_is_array(list))
			return gojson_fail(e, GJ_INVALID, "PortBindings[%.32s] must be a list", key);
		json_array_foreach(list, i, b) {
			json_t *f[2];
			const char *ip, *port;
			struct port_view *p;

			if (v->nports >= CG_PORTS_MAX)
				return gojson_fail(e, GJ_INVALID, "more than %d port bindings",
				    CG_PORTS_MAX);
			p = &v->ports[v->nports];
			if (gojson_fields(b, "PortBindings[]", f_portb, 2, f, e) ||
			    gojson_str(f[0], "HostIp", &ip, e) || gojson_str(f[1], "HostPort", &port, e))
				return -1;
			if (dv_port_range(port, &p->lo, &p->hi))
				return gojson_fail(e, GJ_INVALID, "invalid HostPort \"%.32s\"", port);
			p->container = key;
			p->host_ip = ip;
			v->nports++;
		}
	}
	return 0;
}

static int
dv_labels(struct docker_view *v, json_t *labels, struct gj_error *e)
{
	const char *key;
	json_t *val;

	if (!json_is_object(labels))
		return gojson_fail(e, GJ_INVALID, "Labels must be an object");
	json_object_foreach(labels, key, val) {
		if (!json_is_string(val) && !json_is_null(val))
			return gojson_fail(e, GJ_INVALID, "label values must be strings");
		if (v->nlabels >= CG_LABELS_MAX)
			return gojson_fail(e, GJ_INVALID, "more than %d labels", CG_LABELS_MAX);
		v->labels[v->nlabels].key = key;
		v->labels[v->nlabels].value = json_is_string(val) ? json_string_value(val) : "";
		v->nlabels++;
	}
	return 0;
}

static int
dv_restart(struct docker_view *v, json_t *rp, struct gj_error *e)
{
	json_t *f[RP_COUNT];

	if (rp == NULL)
		return 0;
	if (gojson_fields(rp, "RestartPolicy", f_restart, RP_COUNT, f, e) ||
	    gojson_str(f[RP_NAME], "RestartPolicy.Name", &v->restart_name, e) ||
	    gojson_i64(f[RP_MAX], "RestartPolicy.MaximumRetryCount", &v->restart_max, e))
		return -1;
	v->restart_set = true;
	return 0;
}

static int
dv_count(json_t *a, const char *field, size_t *n, struct gj_error *e)
{
	*n = 0;
	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return gojson_fail(e, GJ_INVALID, "%s must be a list", field);
	*n = json_array_size(a);
	return 0;
}

/* A list of strings (GroupAdd, Groups) into out[0..max), *n of them. */
static int
dv_strings(json_t *a, const char *field, const char **out, size_t max, size_t *n,
    struct gj_error *e)
{
	json_t *l;
	size_t i;

	if (gojson_strarray(a, field, &l, e))
		return -1;
	for (i = 0; i < json_array_size(l); i++) {
		const char *s = json_string_value(json_array_get(l, i));

		if (s == NULL)
			continue;
		if (*n >= max)
			return gojson_fail(e, GJ_INVALID, "%s lists more than %zu", field, max);
		out[(*n)++] = s;
	}
	return 0;
}

/* A map[string]string (Sysctls) into out[0..max). */
static int
dv_map(json_t *m, const char *field, struct label_view *out, size_t max, size_t *n,
    struct gj_error *e)
{
	const char *key;
	json_t *val;

	if (m == NULL)
		return 0;
	if (!json_is_object(m))
		return gojson_fail(e, GJ_INVALID, "%s must be an object", field);
	json_object_foreach(m, key, val) {
		const char *s = "";

		if (!json_is_null(val) && gojson_str(val, field, &s, e))
			return -1;
		if (*n >= max)
			return gojson_fail(e, GJ_INVALID, "%s has more than %zu entries", field, max);
		out[*n].key = key;
		out[*n].value = s;
		(*n)++;
	}
	return 0;
}

/* A *bool: -1 when absent or null. */
static int
dv_optbool(json_t *j, const char *field, int *out, struct gj_error *e)
{
	bool b;

	*out = -1;
	if (j == NULL)
		return 0;
	if (gojson_bool(j, field, &b, e))
		return -1;
	*out = b;
	return 0;
}

/* container.Resources, in a HostConfig (update false) or an UpdateConfig, where dockerd
 * (container.UpdateContainer) applies only CPU, memory, pids and restart fields. */
static int
dv_resources(struct docker_view *v, json_t *obj, const char *where, bool update,
    uint64_t *seen, struct gj_error *e)
{
	json_t *f[R_COUNT];
	const char *cpuset;

	if (gojson_fields_seen(obj, where, f_res, R_COUNT, f, seen, e) ||
	    gojson_i64(f[R_MEMORY], "Memory", &v->memory, e) ||
	    gojson_i64(f[R_CPUSHARES], "CpuShares", &v->cpu_shares, e) ||
	    gojson_i64(f[R_NANOCPUS], "NanoCpus", &v->nano_cpus, e) ||
	    gojson_i64(f[R_CPUQUOTA], "CpuQuota", &v->cpu_quota, e) ||
	    gojson_i64(f[R_CPUPERIOD], "CpuPeriod", &v->cpu_period, e) ||
	    gojson_i64(f[R_PIDS], "PidsLimit", &v->pids_limit, e) ||
	    gojson_i64(f[R_SWAP], "MemorySwap", &v->memory_swap, e) ||
	    gojson_i64(f[R_MEMRES], "MemoryReservation", &v->memory_reservation, e) ||
	    gojson_i64(f[R_KMEM], "KernelMemory", &v->kernel_memory, e) ||
	    gojson_str(f[R_CPUSETCPUS], "CpusetCpus", &cpuset, e))
		return -1;
	v->memory_set = f[R_MEMORY] != NULL;
	v->pids_set = f[R_PIDS] != NULL;
	if (update)
		return 0;
	if (gojson_str(f[R_CGPARENT], "CgroupParent", &v->cgroup_parent, e) ||
	    dv_count(f[R_DEVICES], "Devices", &v->ndevices, e) ||
	    dv_count(f[R_DEVRULES], "DeviceCgroupRules", &v->ndevice_rules, e) ||
	    dv_count(f[R_DEVREQ], "DeviceRequests", &v->ndevice_requests, e) ||
	    dv_count(f[R_ULIMITS], "Ulimits", &v->nulimits, e))
		return -1;
	if (v->ndevice_requests > 0) {
		json_t *d[DR_COUNT];

		if (gojson_fields(json_array_get(f[R_DEVREQ], 0), "DeviceRequests[]", f_devreq,
		        DR_COUNT, d, e) ||
		    gojson_str(d[DR_DRIVER], "DeviceRequests[].Driver", &v->device_driver, e))
			return -1;
	}
	if (v->ndevices > 0) {
		json_t *d[DEV_COUNT];

		if (gojson_fields(json_array_get(f[R_DEVICES], 0), "Devices[]", f_device, DEV_COUNT,
		        d, e) ||
		    gojson_str(d[DEV_PATHONHOST], "Devices[].PathOnHost", &v->first_device, e))
			return -1;
	}
	return 0;
}

/* A HostConfig: the nested one, the wrapper's top level, or an inspect's. *any says a
 * key of any HostConfig field cisgate reads was present (null or not). */
static int
dv_hostconfig(struct docker_view *v, json_t *hc, const char *where, bool *any,
    struct gj_error *e)
{
	json_t *f[H_COUNT], *binds, *caps, *opts;
	uint64_t seen_h, seen_r;

	if (gojson_fields_seen(hc, where, f_host, H_COUNT, f, &seen_h, e) ||
	    dv_resources(v, hc, where, false, &seen_r, e))
		return -1;
	*any = (seen_h | seen_r) != 0;
	if (gojson_strarray(f[H_BINDS], "Binds", &binds, e) ||
	    gojson_bool(f[H_PRIV], "Privileged", &v->privileged, e) ||
	    gojson_strslice(f[H_CAPADD], "CapAdd", &caps, e) ||
	    gojson_strarray(f[H_SECOPT], "SecurityOpt", &opts, e) ||
	    gojson_str(f[H_NET], "NetworkMode", &v->network_mode, e) ||
	    gojson_str(f[H_PID], "PidMode", &v->pid_mode, e) ||
	    gojson_str(f[H_IPC], "IpcMode", &v->ipc_mode, e) ||
	    gojson_str(f[H_UTS], "UTSMode", &v->uts_mode, e) ||
	    gojson_str(f[H_USERNS], "UsernsMode", &v->userns_mode, e) ||
	    dv_restart(v, f[H_RESTART], e) ||
	    gojson_bool(f[H_RO], "ReadonlyRootfs", &v->readonly_rootfs, e) ||
	    gojson_bool(f[H_PUBALL], "PublishAllPorts", &v->publish_all, e) ||
	    dv_strings(f[H_GROUPADD], "GroupAdd", v->groups, DOCKER_GROUPS_MAX, &v->ngroups, e) ||
	    dv_map(f[H_SYSCTLS], "Sysctls", v->sysctls, DOCKER_SYSCTLS_MAX, &v->nsysctls, e) ||
	    dv_optbool(f[H_INIT], "Init", &v->init, e) ||
	    gojson_str(f[H_CGROUPNS], "CgroupnsMode", &v->cgroupns_mode, e) ||
	    gojson_i64(f[H_OOM], "OomScoreAdj", &v->oom_score_adj, e) ||
	    dv_strings(f[H_VOLFROM], "VolumesFrom", v->volumes_from, DOCKER_VOLUMES_FROM_MAX,
	        &v->nvolumes_from, e))
		return -1;
	/* API 1.43 added Annotations; dockerd decodes them at every version (a wrong type is
	 * refused) and then sets them to nil below 1.43. */
	v->nannotations = 0;
	if (dv_map(f[H_ANNOT], "Annotations", v->annotations, DOCKER_ANNOTATIONS_MAX,
	        &v->nannotations, e))
		return -1;
	if (v->api_below_143)
		v->nannotations = 0;
	/* Any list here replaces dockerd's masked and read-only /proc paths (null keeps them). */
	if ((f[H_MASKED] && !json_is_array(f[H_MASKED])) ||
	    (f[H_ROPATHS] && !json_is_array(f[H_ROPATHS])))
		return gojson_fail(e, GJ_INVALID, "MaskedPaths and ReadonlyPaths must be lists");
	if (f[H_MASKED] || f[H_ROPATHS])
		v->sec.unmasked_paths = true;
	if ((binds && dv_binds(v, binds, e)) || (f[H_MOUNTS] && dv_mounts(v, f[H_MOUNTS], e)) ||
	    dv_caps(v, caps, "CapAdd", e) || (opts && dv_secopts(v, opts, e)) ||
	    (f[H_PORTS] && dv_ports(v, f[H_PORTS], e)))
		return -1;
	return 0;
}

/* The scalar head of the view, counts and arena use included: restoring it forgets
 * everything read since, as the tables after it are append-only. */
#define DV_HEAD offsetof(struct docker_view, caps)

/* The HostConfig of a create or old-API start body, as runconfig's decodeHostConfig and
 * decodeContainerConfig take it from a ContainerConfigWrapper (moby v20.10,
 * runconfig/config_unix.go, getHostConfig):
 *   - the wrapper embeds *container.Config and, deprecated, *container.HostConfig, and
 *     has a field "HostConfig" (any case: Go folds keys) for the nested one;
 *   - Config and HostConfig share no field name in 20.10, so Go's rule for equal names
 *     at one depth (both dropped) never applies; two keys folding to one field are
 *     refused by gojson_fields as ambiguous;
 *   - any key of a HostConfig field at the top level (even null) makes Go allocate the
 *     embedded HostConfig; with no nested one, that top level IS the HostConfig (a
 *     create {"Image":"x","Privileged":true} runs privileged on 20.10: checked);
 *   - with a nested one, the nested one is used and the top level only fills Memory,
 *     MemorySwap, CpuShares (and CpusetCpus, VolumeDriver) where the nested one has 0.
 * The ignored top level is still read, so a body dockerd refuses for a wrong type is
 * refused here too (also one with a top-level field cisgate cannot parse: fail closed). */
static int
dv_wrapper(struct docker_view *v, json_t *root, json_t *nested, struct gj_error *e)
{
	unsigned char head[DV_HEAD];
	int64_t mem, swap, shares;
	bool any;

	if (nested == NULL) {
		if (dv_hostconfig(v, root, "request", &any, e))
			return -1;
		v->host_top_level = v->has_host = any;
		return 0;
	}
	memcpy(head, v, DV_HEAD);
	if (dv_hostconfig(v, root, "request", &any, e))
		return -1;
	mem = v->memory;
	swap = v->memory_swap;
	shares = v->cpu_shares;
	memcpy(v, head, DV_HEAD);
	if (dv_hostconfig(v, nested, "HostConfig", &any, e))
		return -1;
	v->has_host = true;
	if (v->memory == 0 && mem != 0) {
		v->memory = mem;
		v->memory_set = true;
	}
	if (v->memory_swap == 0)
		v->memory_swap = swap;
	if (v->cpu_shares == 0)
		v->cpu_shares = shares;
	return 0;
}

static int
dv_healthcheck(struct docker_view *v, json_t *hc, struct gj_error *e)
{
	json_t *h[HC_COUNT], *test;

	if (gojson_fields(hc, "Healthcheck", f_health, HC_COUNT, h, e) ||
	    gojson_strarray(h[HC_TEST], "Healthcheck.Test", &test, e))
		return -1;
	if (test && json_array_size(test) > 0) {
		const char *t0 = json_string_value(json_array_get(test, 0));

		v->healthcheck_set = true;
		v->healthcheck_disabled = t0 != NULL && strcmp(t0, "NONE") == 0;
	}
	return 0;
}

static int
dv_user(struct docker_view *v, const char *user, struct gj_error *e)
{
	char *ubuf;

	if ((ubuf = dv_alloc(v, strlen(user) + 1)) == NULL)
		return gojson_fail(e, GJ_INVALID, "User too long");
	docker_parse_user(user, &v->user, ubuf, strlen(user) + 1);
	return 0;
}

/* A network.EndpointSettings (where names it in messages): its DriverOpts. Since API
 * 1.46 the option com.docker.network.endpoint.sysctls sets per-interface sysctls
 * ("net.ipv4.conf.IFNAME.forwarding=1,..."; IFNAME is replaced by the interface). They
 * join the sysctls list, so the sysctls rule judges them with HostConfig.Sysctls. */
static int
dv_endpoint(struct docker_view *v, json_t *ep, const char *where, struct gj_error *e)
{
	json_t *o[EPS_COUNT], *val;
	const char *key, *list, *p;

	if (gojson_fields(ep, where, f_epset, EPS_COUNT, o, e))
		return -1;
	if (o[EPS_DRIVEROPTS] == NULL)
		return 0;
	if (!json_is_object(o[EPS_DRIVEROPTS]))
		return gojson_fail(e, GJ_INVALID, "%s.DriverOpts must be an object", where);
	json_object_foreach(o[EPS_DRIVEROPTS], key, val) {
		if (gojson_str(val, "DriverOpts{}", &list, e))
			return -1;
		/* Option keys are map keys: exact. */
		if (strcmp(key, "com.docker.network.endpoint.sysctls") != 0)
			continue;
		for (p = list; *p != '\0';) {
			size_t n = strcspn(p, ","), k;
			char *item;

			if (v->nsysctls >= DOCKER_SYSCTLS_MAX)
				return gojson_fail(e, GJ_INVALID, "more than %d sysctls",
				    DOCKER_SYSCTLS_MAX);
			if ((item = dv_alloc(v, n + 1)) == NULL)
				return gojson_fail(e, GJ_INVALID, "endpoint sysctls too long");
			memcpy(item, p, n);
			item[n] = '\0';
			k = strcspn(item, "=");
			v->sysctls[v->nsysctls].value = item[k] ? item + k + 1 : "";
			item[k] = '\0';
			v->sysctls[v->nsysctls].key = item;
			v->nsysctls++;
			v->nendpoint_sysctls++;
			p += n;
			if (*p == ',')
				p++;
		}
	}
	return 0;
}

/* NetworkingConfig.EndpointsConfig{}: the endpoint of each network a create joins. */
static int
dv_netcfg(struct docker_view *v, json_t *nc, struct gj_error *e)
{
	json_t *f[NC_COUNT], *ep;
	const char *name;

	if (gojson_fields(nc, "NetworkingConfig", f_netcfg, NC_COUNT, f, e))
		return -1;
	if (f[NC_ENDPOINTS] == NULL)
		return 0;
	if (!json_is_object(f[NC_ENDPOINTS]))
		return gojson_fail(e, GJ_INVALID, "NetworkingConfig.EndpointsConfig must be an "
		    "object");
	json_object_foreach(f[NC_ENDPOINTS], name, ep) {
		/* Network names are exact; the key is the network joined. */
		if (strcmp(name, "bridge") == 0)
			v->endpoint_bridge = true;
		if (dv_endpoint(v, ep, "EndpointsConfig{}", e))
			return -1;
	}
	return 0;
}

/* POST /networks/{id}/connect: the EndpointConfig of the running container that joins
 * the network. dockerd applies its DriverOpts at every API version (postNetworkConnect
 * drops only MacAddress, below 1.54). The container the body names is the request's
 * name, so exemptions by name match the container, not the network. */
static int
dv_connect(struct docker_view *v, json_t *root, struct gj_error *e)
{
	json_t *f[NCR_COUNT];
	const char *container;

	if (gojson_fields(root, "request", f_connect, NCR_COUNT, f, e) ||
	    gojson_str(f[NCR_CONTAINER], "Container", &container, e) ||
	    dv_endpoint(v, f[NCR_ENDPOINT], "EndpointConfig", e))
		return -1;
	v->name = container;
	return 0;
}

/* Config fields of a create (top level) or of an inspect's "Config". */
static int
dv_config(struct docker_view *v, json_t **f, struct gj_error *e)
{
	const char *user;

	if (gojson_str(f[T_IMAGE], "Image", &v->image, e) ||
	    gojson_str(f[T_USER], "User", &user, e) ||
	    dv_healthcheck(v, f[T_HEALTH], e) ||
	    (f[T_LABELS] && dv_labels(v, f[T_LABELS], e)) || dv_user(v, user, e) ||
	    (f[T_NETCFG] && dv_netcfg(v, f[T_NETCFG], e)))
		return -1;
	v->has_config = true;
	return 0;
}

/* What the request sets, and which spellings of a limit limit nothing. For an update a
 * field counts only when the update changes it (non-zero; PidsLimit non-null). */
static void
dv_limits(struct docker_view *v)
{
	bool update = v->kind == EP_CONTAINER_UPDATE;

	v->changes = 0;
	if (v->memory != 0)
		v->changes |= DV_MEMORY;
	if (v->memory_swap != 0)
		v->changes |= DV_MEMORY_SWAP;
	if (v->memory_reservation != 0)
		v->changes |= DV_MEMORY_RESERVATION;
	if (v->kernel_memory != 0)
		v->changes |= DV_KERNEL_MEMORY;
	if (v->cpu_shares != 0)
		v->changes |= DV_CPU_SHARES;
	if (v->nano_cpus != 0)
		v->changes |= DV_NANO_CPUS;
	if (v->cpu_quota != 0)
		v->changes |= DV_CPU_QUOTA;
	if (v->cpu_period != 0)
		v->changes |= DV_CPU_PERIOD;
	if (v->pids_set)
		v->changes |= DV_PIDS;
	if (v->restart_set && v->restart_name[0] != '\0')
		v->changes |= DV_RESTART;
	v->memory_unlimited = (update ? v->memory < 0 : v->memory <= 0) ||
	    v->memory >= DOCKER_PAGE_COUNTER_MAX_BYTES;
	v->swap_unlimited = v->memory_swap < 0 || v->memory_swap >= DOCKER_PAGE_COUNTER_MAX_BYTES ||
	    (!update && v->memory_unlimited);
	v->pids_unlimited = v->pids_set ?
	    v->pids_limit <= 0 || v->pids_limit >= DOCKER_PID_MAX_LIMIT : !update;
	v->cpu_quota_removed = v->cpu_quota < 0;
}

void
docker_view_init(struct docker_view *v, const struct endpoint *ep)
{
	memset(v, 0, offsetof(struct docker_view, caps));
	v->kind = ep ? ep->kind : EP_CONTAINER_CREATE;
	v->name = "";
	if (ep)
		v->name = ep->kind == EP_CONTAINER_CREATE ? ep->name : ep->target;
	v->image = v->network_mode = v->pid_mode = v->ipc_mode = v->uts_mode = "";
	v->userns_mode = v->cgroup_parent = v->restart_name = v->volume_driver = "";
	v->first_device = v->cgroupns_mode = v->device_driver = "";
	v->api_below_143 = ep != NULL && uri_version_below(ep, "1.43");
	v->sec.seccomp = v->sec.apparmor = v->sec.selinux_type = "";
	v->sec.no_new_privileges = -1;
	v->user.raw = v->user.name = v->user.group = "";
	v->image_id = "";
	v->init = -1;
}

static int
dv_exec(struct docker_view *v, json_t *root, struct gj_error *e)
{
	json_t *f[X_COUNT];
	const char *user;

	if (gojson_fields(root, "exec request", f_exec, X_COUNT, f, e) ||
	    gojson_str(f[X_USER], "User", &user, e) ||
	    gojson_bool(f[X_PRIV], "Privileged", &v->privileged, e))
		return -1;
	return dv_user(v, user, e);
}

static int
dv_volume(struct docker_view *v, json_t *root, struct gj_error *e)
{
	json_t *f[V_COUNT];
	const char *name;

	if (gojson_fields(root, "volume request", f_volume, V_COUNT, f, e) ||
	    gojson_str(f[V_NAME], "Name", &name, e) ||
	    gojson_str(f[V_DRIVER], "Driver", &v->volume_driver, e) ||
	    (f[V_DRIVEROPTS] && !json_is_object(f[V_DRIVEROPTS]) &&
	        gojson_fail(e, GJ_INVALID, "DriverOpts must be an object")) ||
	    (f[V_LABELS] && dv_labels(v, f[V_LABELS], e)))
		return -1;
	v->name = name;
	return dv_volume_opts(v, v->volume_driver, f[V_DRIVEROPTS], name, "volume options", e);
}

/* container.UpdateConfig (postContainerUpdate): Resources at the top level and
 * RestartPolicy. Before API 1.40 dockerd ignores PidsLimit. */
static int
dv_update(struct docker_view *v, const struct endpoint *ep, json_t *root, struct gj_error *e)
{
	json_t *f[U_COUNT];
	uint64_t seen;

	if (gojson_fields(root, "update request", f_update, U_COUNT, f, e) ||
	    dv_resources(v, root, "update request", true, &seen, e) ||
	    dv_restart(v, f[U_RESTART], e))
		return -1;
	v->has_host = true;
	if (ep != NULL && uri_version_below(ep, "1.40")) {
		v->pids_set = false;
		v->pids_limit = 0;
	}
	return 0;
}

/* The body as one JSON object in v->root, refused as dockerd would refuse it or where
 * dockerd's reading could differ. */
static int
dv_parse(struct docker_view *v, const unsigned char *body, size_t len, struct gj_error *e)
{
	json_error_t jerr;

	/* jansson leaves the error code unset when an allocation fails before it says why. */
	memset(&jerr, 0, sizeof jerr);
	e->status = GJ_OK;
	e->text[0] = '\0';
	v->has_body = true;
	if (len > CG_BODY_MAX)
		return gojson_fail(e, GJ_INVALID, "request body larger than %zu bytes", CG_BODY_MAX);
	if (gojson_depth((const char *)body, len, CG_JSON_DEPTH_MAX) > CG_JSON_DEPTH_MAX)
		return gojson_fail(e, GJ_INVALID, "request body nested deeper than %d",
		    CG_JSON_DEPTH_MAX);
	/* Duplicate keys are refused: Go keeps the last, except that a later null leaves the
	 * earlier value in place, which jansson cannot show. */
	v->root = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (v->root == NULL) {
		if (json_error_code(&jerr) == json_error_duplicate_key)
			return gojson_fail(e, GJ_AMBIGUOUS, "ambiguous request: %s", jerr.text);
		return gojson_fail(e, GJ_INVALID, "request body is not a single JSON document: %s",
		    jerr.text);
	}
	if (!json_is_object(v->root))
		return gojson_fail(e, GJ_AMBIGUOUS,
		    "ambiguous request: the body is not a single JSON object");
	return 0;
}

int
docker_view_build(struct docker_view *v, const struct endpoint *ep, const unsigned char *body,
    size_t len, struct gj_error *e)
{
	json_t *f[T_COUNT], *nested;
	const char *cpuset;
	int rc;

	e->status = GJ_OK;
	e->text[0] = '\0';
	if (body == NULL)
		return 0;
	if (ep->kind == EP_SERVICE_CREATE || ep->kind == EP_SERVICE_UPDATE)
		return docker_view_from_service(v, ep, body, len, e);
	if (dv_parse(v, body, len, e))
		return -1;

	switch (ep->kind) {
	case EP_CONTAINER_CREATE:
	case EP_CONTAINER_START:
		/* Both decode a ContainerConfigWrapper; an old-API start (< 1.24, the only
		 * one that reaches here with a body) keeps only its HostConfig, which
		 * replaces the container's whole HostConfig (daemon.setHostConfig). */
		if (gojson_fields(v->root, "request", f_top, T_COUNT, f, e) ||
		    gojson_str(f[T_CPUSET], "Cpuset", &cpuset, e) ||
		    gojson_object(f[T_HOST], "HostConfig", &nested, e) ||
		    (ep->kind == EP_CONTAINER_CREATE && dv_config(v, f, e)) ||
		    dv_wrapper(v, v->root, nested, e))
			return -1;
		rc = 0;
		break;
	case EP_CONTAINER_UPDATE:
		rc = dv_update(v, ep, v->root, e);
		break;
	case EP_EXEC_CREATE:
		return dv_exec(v, v->root, e);
	case EP_VOLUME_CREATE:
		return dv_volume(v, v->root, e);
	case EP_NETWORK_CONNECT:
		return dv_connect(v, v->root, e);
	default:
		return 0;
	}
	if (rc == 0)
		dv_limits(v);
	return rc;
}

/* --- Services -------------------------------------------------------------------- */

/* TaskTemplate.Networks or the deprecated ServiceSpec.Networks: []NetworkAttachmentConfig.
 * A target named "host" is host networking (network_mode "host"); otherwise the first
 * target is the network mode. */
static int
dv_svc_networks(struct docker_view *v, json_t *list, struct gj_error *e)
{
	size_t i;
	json_t *n;

	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return gojson_fail(e, GJ_INVALID, "Networks must be a list");
	json_array_foreach(list, i, n) {
		json_t *f[NA_COUNT];
		const char *t;

		if (gojson_fields(n, "Networks[]", f_netatt, NA_COUNT, f, e) ||
		    gojson_str(f[NA_TARGET], "Networks[].Target", &t, e))
			return -1;
		if (v->nnetworks >= DOCKER_NETWORKS_MAX)
			return gojson_fail(e, GJ_INVALID, "more than %d networks",
			    DOCKER_NETWORKS_MAX);
		v->networks[v->nnetworks++] = t;
		if (strcmp(t, "host") == 0 || v->network_mode[0] == '\0')
			v->network_mode = t;
		if (strcmp(t, "host") == 0)
			v->network_mode = "host";
	}
	return 0;
}

/* EndpointSpec.Ports: every published port binds on the host, on every interface:
 * "ingress" (the default) on every node of the swarm, "host" on the task's node. */
static int
dv_svc_ports(struct docker_view *v, json_t *ep, struct gj_error *e)
{
	json_t *f[ES_COUNT], *p;
	size_t i;

	if (gojson_fields(ep, "EndpointSpec", f_endpoint, ES_COUNT, f, e))
		return -1;
	if (f[ES_PORTS] == NULL)
		return 0;
	if (!json_is_array(f[ES_PORTS]))
		return gojson_fail(e, GJ_INVALID, "EndpointSpec.Ports must be a list");
	json_array_foreach(f[ES_PORTS], i, p) {
		json_t *c[PC_COUNT];
		const char *proto, *mode;
		int64_t target, published;
		struct port_view *pv;
		char *name;

		if (gojson_fields(p, "Ports[]", f_portcfg, PC_COUNT, c, e) ||
		    gojson_str(c[PC_PROTOCOL], "Ports[].Protocol", &proto, e) ||
		    gojson_i64(c[PC_TARGET], "Ports[].TargetPort", &target, e) ||
		    gojson_i64(c[PC_PUBLISHED], "Ports[].PublishedPort", &published, e) ||
		    gojson_str(c[PC_MODE], "Ports[].PublishMode", &mode, e))
			return -1;
		if (target < 0 || target > 65535 || published < 0 || published > 65535)
			return gojson_fail(e, GJ_INVALID, "Ports[]: port out of range");
		if (v->nports >= CG_PORTS_MAX)
			return gojson_fail(e, GJ_INVALID, "more than %d ports", CG_PORTS_MAX);
		if ((name = dv_alloc(v, 32)) == NULL)
			return gojson_fail(e, GJ_INVALID, "too many ports");
		snprintf(name, 32, "%d/%.8s", (int)target, proto[0] ? proto : "tcp");
		pv = &v->ports[v->nports++];
		pv->container = name;
		pv->host_ip = "";
		pv->lo = pv->hi = (int)published;
		pv->mode = mode[0] ? mode : "ingress";
	}
	return 0;
}

/* TaskTemplate.Resources.SwapBytes (API 1.52; dockerd drops it below): the swap a task
 * may use on top of its memory limit, -1 unlimited. The swarm executor turns it into the
 * container's MemorySwap only with a memory limit: -1 stays -1, n >= 0 becomes memory +
 * n, anything below -1 is ignored. A sum past INT64_MAX (Go wraps it) counts as
 * unlimited. */
static int
dv_svc_swap(struct docker_view *v, json_t *swap, struct gj_error *e)
{
	int64_t n;

	if (swap == NULL)
		return 0;
	if (gojson_i64(swap, "Resources.SwapBytes", &n, e))
		return -1;
	if (v->memory <= 0 || n < -1)
		return 0;
	if (n == -1)
		v->memory_swap = -1;
	else
		v->memory_swap = n > INT64_MAX - v->memory ? INT64_MAX : v->memory + n;
	return 0;
}

/* TaskTemplate.Resources: Limits are the cgroup limits of every task's container;
 * Reservations only schedule (GenericResources there claim node devices such as GPUs).
 * MemorySwappiness (1.52) only tunes the task's own cgroup: read for its type. */
static int
dv_svc_resources(struct docker_view *v, const struct endpoint *ep, json_t *res,
    struct gj_error *e)
{
	json_t *rq[RQ_COUNT], *l[L_COUNT], *r[RV_COUNT];
	int64_t reserved, swappiness;

	if (gojson_fields(res, "Resources", f_resreq, RQ_COUNT, rq, e))
		return -1;
	if (ep != NULL && uri_version_below(ep, "1.52"))
		rq[RQ_SWAP] = rq[RQ_SWAPPINESS] = NULL;
	if (gojson_i64(rq[RQ_SWAPPINESS], "Resources.MemorySwappiness", &swappiness, e) ||
	    gojson_fields(rq[RQ_LIMITS], "Resources.Limits", f_limit, L_COUNT, l, e) ||
	    gojson_i64(l[L_NANOCPUS], "Limits.NanoCPUs", &v->nano_cpus, e) ||
	    gojson_i64(l[L_MEMORY], "Limits.MemoryBytes", &v->memory, e) ||
	    gojson_i64(l[L_PIDS], "Limits.Pids", &v->pids_limit, e) ||
	    gojson_fields(rq[RQ_RESERVATIONS], "Resources.Reservations", f_resv, RV_COUNT, r, e) ||
	    gojson_i64(r[RV_MEMORY], "Reservations.MemoryBytes", &reserved, e) ||
	    dv_count(r[RV_GENERIC], "Reservations.GenericResources", &v->ndevice_requests, e))
		return -1;
	v->memory_set = l[L_MEMORY] != NULL;
	v->pids_set = l[L_PIDS] != NULL;
	v->memory_reservation = reserved;
	return dv_svc_swap(v, rq[RQ_SWAP], e);
}

/* TaskTemplate.RestartPolicy as the container restart policy it amounts to: swarm
 * restarts on any exit by default, for ever unless MaxAttempts is set. */
static int
dv_svc_restart(struct docker_view *v, json_t *rp, struct gj_error *e)
{
	json_t *f[SR_COUNT];
	const char *cond;

	if (gojson_fields(rp, "RestartPolicy", f_srestart, SR_COUNT, f, e) ||
	    gojson_str(f[SR_CONDITION], "RestartPolicy.Condition", &cond, e) ||
	    gojson_i64(f[SR_MAXATTEMPTS], "RestartPolicy.MaxAttempts", &v->restart_max, e))
		return -1;
	if (v->restart_max < 0)
		return gojson_fail(e, GJ_INVALID, "RestartPolicy.MaxAttempts must not be negative");
	v->restart_set = true;
	if (strcmp(cond, "none") == 0)
		v->restart_name = "no";
	else if (strcmp(cond, "on-failure") == 0 || v->restart_max > 0)
		v->restart_name = "on-failure";
	else
		v->restart_name = "always"; /* "any" or unset, no maximum */
	return 0;
}

/* ContainerSpec.Privileges.Seccomp and .AppArmor, which API 1.44 added (dockerd drops
 * them for older versions): Seccomp "unconfined" or "custom" and AppArmor "disabled" are
 * what --security-opt seccomp=... and apparmor=unconfined are to a container. */
static int
dv_svc_privileges(struct docker_view *v, const struct endpoint *ep, json_t *privs,
    struct gj_error *e)
{
	json_t *pv[PV_COUNT], *sc[PM_COUNT], *aa[PM_COUNT];
	const char *smode, *amode;

	if (ep != NULL && uri_version_below(ep, "1.44"))
		return 0;
	if (gojson_fields(privs, "Privileges", f_privs, PV_COUNT, pv, e) ||
	    gojson_fields(pv[PV_SECCOMP], "Privileges.Seccomp", f_pmode, PM_COUNT, sc, e) ||
	    gojson_fields(pv[PV_APPARMOR], "Privileges.AppArmor", f_pmode, PM_COUNT, aa, e) ||
	    gojson_str(sc[PM_MODE], "Privileges.Seccomp.Mode", &smode, e) ||
	    gojson_str(aa[PM_MODE], "Privileges.AppArmor.Mode", &amode, e))
		return -1;
	if (strcmp(smode, "unconfined") == 0)
		v->sec.seccomp = "unconfined";
	else if (strcmp(smode, "custom") == 0)
		v->sec.seccomp = "custom";
	else if (smode[0] != '\0' && strcmp(smode, "default") != 0)
		return gojson_fail(e, GJ_INVALID, "Privileges.Seccomp.Mode %.32s is not default, "
		    "unconfined or custom", smode);
	if (strcmp(amode, "disabled") == 0)
		v->sec.apparmor = "unconfined";
	else if (amode[0] != '\0' && strcmp(amode, "default") != 0)
		return gojson_fail(e, GJ_INVALID, "Privileges.AppArmor.Mode %.32s is not default "
		    "or disabled", amode);
	return 0;
}

static int
dv_svc_container(struct docker_view *v, const struct endpoint *ep, json_t *cs,
    struct gj_error *e)
{
	json_t *f[C_COUNT], *pv[PV_COUNT], *se[SE_COUNT], *caps;
	const char *user;

	if (gojson_fields(cs, "ContainerSpec", f_cspec, C_COUNT, f, e))
		return -1;
	/* adjustForAPIVersion: fields older API versions did not have are dropped. */
	if (ep != NULL && uri_version_below(ep, "1.40"))
		f[C_SYSCTLS] = NULL;
	if (ep != NULL && uri_version_below(ep, "1.41"))
		f[C_CAPADD] = f[C_ULIMITS] = NULL;
	if (dv_svc_privileges(v, ep, f[C_PRIVS], e) ||
	    gojson_i64(f[C_OOM], "ContainerSpec.OomScoreAdj", &v->oom_score_adj, e))
		return -1;
	/* API 1.46 added OomScoreAdj to services; dockerd zeroes it for older versions. */
	if (ep != NULL && uri_version_below(ep, "1.46"))
		v->oom_score_adj = 0;
	if (gojson_str(f[C_IMAGE], "ContainerSpec.Image", &v->image, e) ||
	    (f[C_LABELS] && dv_labels(v, f[C_LABELS], e)) ||
	    gojson_str(f[C_USER], "ContainerSpec.User", &user, e) || dv_user(v, user, e) ||
	    dv_strings(f[C_GROUPS], "ContainerSpec.Groups", v->groups, DOCKER_GROUPS_MAX,
	        &v->ngroups, e) ||
	    gojson_fields(f[C_PRIVS], "Privileges", f_privs, PV_COUNT, pv, e) ||
	    gojson_fields(pv[PV_SELINUX], "SELinuxContext", f_selinux, SE_COUNT, se, e) ||
	    gojson_bool(se[SE_DISABLE], "SELinuxContext.Disable", &v->sec.selinux_disabled, e) ||
	    gojson_str(se[SE_TYPE], "SELinuxContext.Type", &v->sec.selinux_type, e) ||
	    dv_optbool(f[C_INIT], "ContainerSpec.Init", &v->init, e) ||
	    gojson_bool(f[C_RO], "ContainerSpec.ReadOnly", &v->readonly_rootfs, e) ||
	    (f[C_MOUNTS] && dv_mounts(v, f[C_MOUNTS], e)) ||
	    dv_healthcheck(v, f[C_HEALTH], e) ||
	    dv_map(f[C_SYSCTLS], "ContainerSpec.Sysctls", v->sysctls, DOCKER_SYSCTLS_MAX,
	        &v->nsysctls, e) ||
	    gojson_strarray(f[C_CAPADD], "ContainerSpec.CapabilityAdd", &caps, e) ||
	    dv_caps(v, caps, "CapabilityAdd", e) ||
	    dv_count(f[C_ULIMITS], "ContainerSpec.Ulimits", &v->nulimits, e))
		return -1;
	v->has_config = v->has_host = true;
	return 0;
}

int
docker_view_from_service(struct docker_view *v, const struct endpoint *ep,
    const unsigned char *body, size_t len, struct gj_error *e)
{
	json_t *s[S_COUNT], *t[K_COUNT];
	const char *name, *runtime;

	v->is_service = true;
	e->status = GJ_OK;
	e->text[0] = '\0';
	if (body == NULL)
		return 0;
	if (dv_parse(v, body, len, e) ||
	    gojson_fields(v->root, "service spec", f_svc, S_COUNT, s, e) ||
	    gojson_str(s[S_NAME], "Name", &name, e) ||
	    gojson_fields(s[S_TASK], "TaskTemplate", f_task, K_COUNT, t, e) ||
	    gojson_str(t[K_RUNTIME], "TaskTemplate.Runtime", &runtime, e))
		return -1;
	if (name[0] != '\0')
		v->name = name;
	/* A plugin service installs a managed plugin on every node. */
	v->service_plugin = t[K_PSPEC] != NULL || strcmp(runtime, "plugin") == 0;
	if (ep != NULL && uri_version_below(ep, "1.41") && t[K_RES] != NULL) {
		/* Limits.Pids is dropped before 1.41: read it, then forget it. */
		if (dv_svc_resources(v, ep, t[K_RES], e))
			return -1;
		v->pids_set = false;
		v->pids_limit = 0;
	} else if (dv_svc_resources(v, ep, t[K_RES], e))
		return -1;
	if (dv_svc_container(v, ep, t[K_CSPEC], e) || dv_svc_restart(v, t[K_RESTART], e) ||
	    dv_svc_networks(v, t[K_NETWORKS], e) || dv_svc_networks(v, s[S_NETWORKS], e) ||
	    dv_svc_ports(v, s[S_ENDPOINT], e))
		return -1;
	dv_limits(v);
	return 0;
}

/* True when the list l holds every path of want (n of them). */
static bool
dv_has_all(json_t *l, const char *const *want, size_t n)
{
	size_t i, j;
	json_t *x;

	if (!json_is_array(l))
		return l == NULL || json_is_null(l);
	for (i = 0; i < n; i++) {
		bool found = false;

		json_array_foreach(l, j, x)
			if (json_is_string(x) && strcmp(json_string_value(x), want[i]) == 0)
				found = true;
		if (!found)
			return false;
	}
	return true;
}

/* An inspect's HostConfig keeps dockerd's default masked and read-only /proc paths
 * (moby 20.10 oci/defaults.go; later versions add more, which still holds these). */
static bool
dv_default_paths(json_t *hc)
{
	static const char *const masked[] = {"/proc/asound", "/proc/acpi", "/proc/kcore",
	    "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	    "/proc/sched_debug", "/proc/scsi", "/sys/firmware"};
	static const char *const ro[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
	    "/proc/sysrq-trigger"};

	return dv_has_all(json_object_get(hc, "MaskedPaths"), masked,
	           sizeof masked / sizeof masked[0]) &&
	    dv_has_all(json_object_get(hc, "ReadonlyPaths"), ro, sizeof ro / sizeof ro[0]);
}

int
docker_view_from_inspect(struct docker_view *v, json_t *item, struct gj_error *e)
{
	static const char *const f_insp[] = {"Config", "HostConfig", "Name"};
	json_t *f[3], *c[T_COUNT];
	const char *name;
	bool any;

	e->status = GJ_OK;
	v->kind = EP_CONTAINER_CREATE;
	v->has_body = true;
	if (gojson_fields(item, "inspect entry", f_insp, 3, f, e) ||
	    gojson_str(f[2], "Name", &name, e) ||
	    gojson_fields(f[0], "Config", f_top, T_COUNT, c, e) || dv_config(v, c, e) ||
	    dv_hostconfig(v, f[1], "HostConfig", &any, e))
		return -1;
	v->has_host = f[1] != NULL;
	v->name = name[0] == '/' ? name + 1 : name;
	if (v->sec.unmasked_paths && json_is_object(f[1]))
		v->sec.unmasked_paths = !dv_default_paths(f[1]);
	/* dockerd stores its default cgroup namespace mode in every container: "host" on a
	 * cgroup v1 host (--default-cgroupns-mode), which is not what the user asked for. */
	if (strcmp(v->cgroupns_mode, "host") == 0)
		v->cgroupns_mode = "";
	/* dockerd writes label=disable into a privileged, host-PID or host-IPC container made
	 * without a SecurityOpt (generateSecurityOpt): those disable labelling anyway, and
	 * their own rules judge them. */
	if (v->privileged || strcmp(v->pid_mode, "host") == 0 || strcmp(v->ipc_mode, "host") == 0)
		v->sec.selinux_disabled = false;
	dv_limits(v);
	return 0;
}

int
docker_view_from_container(struct docker_view *v, json_t *item, struct gj_error *e)
{
	json_t *mounts, *m;
	size_t i;

	if (docker_view_from_inspect(v, item, e) != 0)
		return -1;
	v->image_id = json_string_value(json_object_get(item, "Image"));
	if (v->image_id == NULL)
		v->image_id = "";
	if ((mounts = json_object_get(item, "Mounts")) == NULL || json_is_null(mounts))
		return 0;
	if (!json_is_array(mounts))
		return gojson_fail(e, GJ_INVALID, "inspect Mounts is not a list");
	v->nmounts = 0; /* what the container has, not what its create said */
	json_array_foreach(mounts, i, m) {
		const char *type = json_string_value(json_object_get(m, "Type"));
		const char *src = json_string_value(json_object_get(m, "Source"));
		const char *name = json_string_value(json_object_get(m, "Name"));
		const char *dst = json_string_value(json_object_get(m, "Destination"));
		const char *prop = json_string_value(json_object_get(m, "Propagation"));
		json_t *rw = json_object_get(m, "RW");
		enum mount_kind k = MOUNT_OTHER;

		if (type == NULL || dst == NULL || !json_is_boolean(rw))
			return gojson_fail(e, GJ_INVALID, "inspect Mounts entry %zu lacks Type, "
			    "Destination or RW", i);
		if (strcmp(type, "bind") == 0)
			k = MOUNT_BIND;
		else if (strcmp(type, "volume") == 0) {
			k = MOUNT_VOLUME;
			src = name;
		}
		if (dv_add_mount(v, k, src ? src : "", dst, prop ? prop : "", !json_is_true(rw),
		    "Mounts", e) != 0)
			return -1;
	}
	return 0;
}

/* Copies up to max strings of the list l into out. */
static size_t
dv_names(json_t *l, const char **out, size_t max)
{
	size_t i, n = 0;
	json_t *x;

	json_array_foreach(l, i, x) {
		if (json_is_string(x) && n < max)
			out[n++] = json_string_value(x);
	}
	return n;
}

int
docker_image_read(const char *body, size_t len, struct image_fact *im, struct gj_error *e)
{
	json_t *cfg, *tags, *dg, *user;

	memset(im, 0, sizeof *im);
	e->status = GJ_OK;
	e->text[0] = '\0';
	if (len > CG_BODY_MAX ||
	    gojson_depth(body, len, CG_JSON_DEPTH_MAX) > CG_JSON_DEPTH_MAX)
		return gojson_fail(e, GJ_INVALID, "image answer too large or too deep");
	if ((im->root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(im->root))
		return gojson_fail(e, GJ_INVALID, "image answer is not a JSON object");
	im->id = json_string_value(json_object_get(im->root, "Id"));
	cfg = json_object_get(im->root, "Config");
	user = json_is_object(cfg) ? json_object_get(cfg, "User") : NULL;
	if (im->id == NULL || (user != NULL && !json_is_string(user) && !json_is_null(user)))
		return gojson_fail(e, GJ_INVALID, "image answer lacks Id or has a bad Config.User");
	im->user = json_is_string(user) ? json_string_value(user) : "";
	if (json_is_array(tags = json_object_get(im->root, "RepoTags")))
		im->ntags = dv_names(tags, im->tags, DOCKER_IMAGE_NAMES_MAX);
	if (json_is_array(dg = json_object_get(im->root, "RepoDigests")))
		im->ndigests = dv_names(dg, im->digests, DOCKER_IMAGE_NAMES_MAX);
	return 0;
}

void
docker_image_free(struct image_fact *im)
{
	json_decref(im->root);
	im->root = NULL;
}

void
docker_view_from_build(struct docker_view *v, const struct endpoint *ep)
{
	docker_view_init(v, ep);
	v->name = "";
	v->network_mode = ep->name;
	v->has_body = true; /* the view is complete: rules may judge it */
}

void
docker_view_free(struct docker_view *v)
{
	size_t i;

	json_decref(v->root);
	v->root = NULL;
	for (i = 0; i < v->nanswers; i++)
		json_decref(v->answers[i]);
	v->nanswers = 0;
}

/* --- Plugin and network bodies (eval's route step) ------------------------------- */

int
docker_view_plugin_body(struct docker_view *v, const unsigned char *body, size_t len,
    struct gj_error *e)
{
	json_error_t jerr;

	/* jansson leaves jerr unwritten when an allocation fails. */
	memset(&jerr, 0, sizeof jerr);
	e->status = GJ_OK;
	e->text[0] = '\0';
	if (body == NULL)
		return 0;
	v->has_body = true;
	if (len > CG_BODY_MAX)
		return gojson_fail(e, GJ_INVALID, "request body larger than %zu bytes", CG_BODY_MAX);
	if (gojson_depth((const char *)body, len, CG_JSON_DEPTH_MAX) > CG_JSON_DEPTH_MAX)
		return gojson_fail(e, GJ_INVALID, "request body nested deeper than %d",
		    CG_JSON_DEPTH_MAX);
	/* Go's Decoder stops after the first value; cisgate wants exactly one (stricter). */
	v->root = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &jerr);
	if (v->root == NULL) {
		if (json_error_code(&jerr) == json_error_duplicate_key)
			return gojson_fail(e, GJ_AMBIGUOUS, "ambiguous request: %s", jerr.text);
		return gojson_fail(e, GJ_INVALID, "request body is not a single JSON document: %s",
		    jerr.text);
	}
	return 0;
}

static const char *const f_privilege[] = {"Name", "Description", "Value"};

int
docker_privileges_read(json_t *root, struct docker_privileges *out, struct gj_error *e)
{
	json_t *item, *f[3], *vals, *s;
	size_t i, j;

	out->n = 0;
	if (root == NULL || json_is_null(root))
		return 0;
	if (!json_is_array(root))
		return gojson_fail(e, GJ_INVALID, "the privileges body must be a list");
	if (json_array_size(root) > DOCKER_PRIVILEGES_MAX)
		return gojson_fail(e, GJ_INVALID, "more than %d privileges", DOCKER_PRIVILEGES_MAX);
	json_array_foreach(root, i, item) {
		struct docker_privilege *pv = &out->v[out->n++];

		pv->name = "";
		pv->nvalues = 0;
		if (gojson_fields(item, "privilege", f_privilege, 3, f, e) ||
		    gojson_str(f[0], "Name", &pv->name, e) ||
		    gojson_str(f[1], "Description", &(const char *){NULL}, e) ||
		    gojson_strarray(f[2], "Value", &vals, e))
			return -1;
		if (vals == NULL)
			continue;
		pv->nvalues = json_array_size(vals);
		json_array_foreach(vals, j, s) {
			if (j >= DOCKER_PRIVILEGE_VALUES_MAX)
				break;
			pv->values[j] = json_is_string(s) ? json_string_value(s) : "";
		}
	}
	return 0;
}

static const char *const f_network[] = {"Driver", "Options", "ConfigFrom"};

int
docker_network_read(json_t *root, struct docker_network *out, struct gj_error *e)
{
	json_t *f[3], *val;
	const char *key;

	out->driver = "";
	out->parent = out->bridge_name = NULL;
	out->config_from = false;
	if (gojson_fields(root, "request", f_network, 3, f, e) ||
	    gojson_str(f[0], "Driver", &out->driver, e))
		return -1;
	if (f[2] != NULL) {
		if (!json_is_object(f[2]))
			return gojson_fail(e, GJ_INVALID, "ConfigFrom must be an object");
		out->config_from = true;
	}
	if (f[1] == NULL)
		return 0;
	if (!json_is_object(f[1]))
		return gojson_fail(e, GJ_INVALID, "Options must be a map of strings");
	/* map[string]string: keys are exact (no folding); a null value is "". */
	json_object_foreach(f[1], key, val) {
		const char *sv = "";

		if (!json_is_null(val) && gojson_str(val, "Options", &sv, e) != 0)
			return -1;
		if (strcmp(key, "parent") == 0)
			out->parent = sv;
		else if (strcmp(key, "com.docker.network.bridge.name") == 0)
			out->bridge_name = sv;
	}
	return 0;
}

int
docker_network_answer_is_host(const char *body, size_t len, bool *is_host)
{
	static const char *const f_answer[] = {"Name", "Driver"};
	struct gj_error e;
	json_t *root, *f[2];
	const char *name, *driver;
	int rc = -1;

	*is_host = false;
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return -1;
	if (gojson_fields(root, "network", f_answer, 2, f, &e) == 0 &&
	    gojson_str(f[0], "Name", &name, &e) == 0 && gojson_str(f[1], "Driver", &driver, &e) == 0) {
		*is_host = strcmp(name, "host") == 0 || strcmp(driver, "host") == 0;
		rc = 0;
	}
	json_decref(root);
	return rc;
}

int
docker_view_volume_answer(struct docker_view *v, const char *body, size_t len,
    const char *name, const char *target, bool ro, struct gj_error *e)
{
	static const char *const f_answer[] = {"Driver", "Options"};
	static const char pre[] = "volume ", post[] = "'s options, set when it was made";
	json_t *f[2], *root;
	const char *driver;
	char *via;
	size_t i, n0 = v->nmounts, nl = strnlen(name, CG_ID_MAX);

	if (v->nanswers >= NELEM(v->answers))
		return gojson_fail(e, GJ_INVALID, "too many volumes to read");
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return gojson_fail(e, GJ_INVALID, "dockerd's answer for volume %.64s is not JSON",
		    name);
	v->answers[v->nanswers++] = root;
	if ((via = dv_alloc(v, sizeof pre + nl + sizeof post)) == NULL)
		return gojson_fail(e, GJ_INVALID, "volume %.64s: names too long", name);
	memcpy(via, pre, sizeof pre - 1);
	memcpy(via + sizeof pre - 1, name, nl);
	memcpy(via + sizeof pre - 1 + nl, post, sizeof post);
	if (gojson_fields(root, "volume", f_answer, 2, f, e) ||
	    gojson_str(f[0], "Driver", &driver, e) ||
	    (f[1] != NULL && !json_is_null(f[1]) &&
	    dv_volume_opts(v, driver, f[1], target, via, e)))
		return -1;
	/* Mounted read-only by the request, what the volume mounts is read-only too. */
	for (i = n0; ro && i < v->nmounts; i++)
		v->mounts[i].read_only = true;
	return 0;
}

int
docker_version_answer(const char *body, size_t len, char *out, size_t outsz)
{
	static const char *const f_answer[] = {"Version"};
	struct gj_error e;
	json_t *root, *f[1];
	const char *ver;
	int rc = -1;

	out[0] = '\0';
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return -1;
	if (gojson_fields(root, "version", f_answer, 1, f, &e) == 0 && f[0] != NULL &&
	    gojson_str(f[0], "Version", &ver, &e) == 0 && ver[0] != '\0' &&
	    str_copy(out, ver, outsz) < outsz)
		rc = 0;
	json_decref(root);
	if (rc != 0)
		out[0] = '\0';
	return rc;
}
