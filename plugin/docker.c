/* docker.c - Docker API bodies to the typed view. Every spelling of a host path, user,
 * capability, port and security option is normalised here, once, for every rule. Pure. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cisgate/docker.h"
#include "cisgate/path.h"
#include "cisgate/str.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Field tables: index names below must match the order of each table. */
static const char *const f_top[] = {"Image", "User", "Healthcheck", "Labels", "HostConfig"};
enum { T_IMAGE, T_USER, T_HEALTH, T_LABELS, T_HOST };

static const char *const f_host[] = {"Binds", "Mounts", "Privileged", "CapAdd", "SecurityOpt",
    "NetworkMode", "PidMode", "IpcMode", "UTSMode", "UsernsMode", "CgroupParent", "Memory",
    "CpuShares", "NanoCpus", "CpuQuota", "PidsLimit", "RestartPolicy", "ReadonlyRootfs",
    "PublishAllPorts", "PortBindings", "Devices", "DeviceCgroupRules", "DeviceRequests",
    "Ulimits", "MaskedPaths", "ReadonlyPaths"};
enum { H_BINDS, H_MOUNTS, H_PRIV, H_CAPADD, H_SECOPT, H_NET, H_PID, H_IPC, H_UTS, H_USERNS,
	H_CGPARENT, H_MEMORY, H_CPUSHARES, H_NANOCPUS, H_CPUQUOTA, H_PIDS, H_RESTART, H_RO,
	H_PUBALL, H_PORTS, H_DEVICES, H_DEVRULES, H_DEVREQ, H_ULIMITS, H_MASKED, H_ROPATHS };

static const char *const f_exec[] = {"User", "Privileged"};
static const char *const f_restart[] = {"Name", "MaximumRetryCount"};
static const char *const f_mount[] = {"Type", "Source", "Target", "ReadOnly", "BindOptions",
    "VolumeOptions"};
enum { M_TYPE, M_SOURCE, M_TARGET, M_RO, M_BINDOPT, M_VOLOPT };
static const char *const f_propag[] = {"Propagation"};
static const char *const f_volopt[] = {"DriverConfig"};
static const char *const f_drvcfg[] = {"Name", "Options"};
static const char *const f_portb[] = {"HostIp", "HostPort"};
static const char *const f_device[] = {"PathOnHost"};
static const char *const f_health[] = {"Test"};
static const char *const f_volume[] = {"Name", "Driver", "DriverOpts", "Labels"};

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

/* Local volume driver options that make a volume a host mount: a device that is a host
 * path, whether bound (type=none,o=bind) or mounted as a file system (type=ext4). */
static int
dv_volume_opts(struct docker_view *v, const char *driver, json_t *opts, const char *target,
    const char *via, struct gj_error *e)
{
	const char *device = "", *key;
	json_t *val;

	if (opts == NULL || (*driver != '\0' && strcmp(driver, "local") != 0))
		return 0;
	if (!json_is_object(opts))
		return gojson_fail(e, GJ_INVALID, "%s: options must be an object", via);
	json_object_foreach(opts, key, val) {
		if (!json_is_string(val) && !json_is_null(val))
			return gojson_fail(e, GJ_INVALID, "%s: option %.32s must be a string", via, key);
		/* The local driver reads its keys exactly (a Go map: no case folding). */
		if (strcmp(key, "device") == 0 && json_is_string(val))
			device = json_string_value(val);
	}
	if (device[0] != '/')
		return 0;
	return dv_add_mount(v, MOUNT_VOLUME_BIND, device, target, "", false, via, e);
}

static int
dv_mounts(struct docker_view *v, json_t *mounts, struct gj_error *e)
{
	size_t i;
	json_t *m;

	if (!json_is_array(mounts))
		return gojson_fail(e, GJ_INVALID, "Mounts must be a list");
	json_array_foreach(mounts, i, m) {
		json_t *f[NELEM(f_mount)], *bo, *vo, *p[1], *dc[1], *d[2];
		const char *type, *src, *dst, *prop = "", *dname = "";
		bool ro;

		if (gojson_fields(m, "Mounts[]", f_mount, NELEM(f_mount), f, e) ||
		    gojson_str(f[M_TYPE], "Mounts[].Type", &type, e) ||
		    gojson_str(f[M_SOURCE], "Mounts[].Source", &src, e) ||
		    gojson_str(f[M_TARGET], "Mounts[].Target", &dst, e) ||
		    gojson_bool(f[M_RO], "Mounts[].ReadOnly", &ro, e) ||
		    gojson_object(f[M_BINDOPT], "Mounts[].BindOptions", &bo, e) ||
		    gojson_object(f[M_VOLOPT], "Mounts[].VolumeOptions", &vo, e) ||
		    gojson_fields(bo, "BindOptions", f_propag, 1, p, e) ||
		    gojson_str(p[0], "BindOptions.Propagation", &prop, e) ||
		    gojson_fields(vo, "VolumeOptions", f_volopt, 1, dc, e) ||
		    gojson_fields(dc[0], "DriverConfig", f_drvcfg, 2, d, e) ||
		    gojson_str(d[0], "DriverConfig.Name", &dname, e))
			return -1;
		/* dockerd's mount types are lower-case constants, compared exactly. */
		if (strcmp(type, "bind") == 0) {
			if (dv_add_mount(v, MOUNT_BIND, src, dst, prop, ro, "Mounts", e))
				return -1;
		} else if (strcmp(type, "volume") == 0) {
			if (dv_add_mount(v, MOUNT_VOLUME, src, dst, "", ro, "Mounts", e) ||
			    dv_volume_opts(v, dname, d[1], dst, "Mounts volume options", e))
				return -1;
		} else if (dv_add_mount(v, MOUNT_OTHER, src, dst, "", ro, "Mounts", e))
			return -1;
	}
	return 0;
}

static int
dv_caps(struct docker_view *v, json_t *caps, struct gj_error *e)
{
	size_t i;
	json_t *c;

	json_array_foreach(caps, i, c) {
		const char *s = json_string_value(c);
		char *out;
		size_t n;

		if (s == NULL || *s == '\0')
			continue;
		if (v->ncaps >= CG_CAPS_MAX)
			return gojson_fail(e, GJ_INVALID, "CapAdd lists more than %d", CG_CAPS_MAX);
		n = strlen(s) + 5;
		if ((out = dv_alloc(v, n)) == NULL || docker_cap_canon(s, out, n) != 0)
			return gojson_fail(e, GJ_INVALID, "CapAdd too long");
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
	json_t *f[2];

	if (rp == NULL)
		return 0;
	if (gojson_fields(rp, "RestartPolicy", f_restart, 2, f, e) ||
	    gojson_str(f[0], "RestartPolicy.Name", &v->restart_name, e) ||
	    gojson_i64(f[1], "RestartPolicy.MaximumRetryCount", &v->restart_max, e))
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

/* HostConfig, or the bare HostConfig an old-API start carries. */
static int
dv_hostconfig(struct docker_view *v, json_t *hc, struct gj_error *e)
{
	json_t *f[NELEM(f_host)], *binds, *caps, *opts;
	bool pids_null;

	if (gojson_fields(hc, "HostConfig", f_host, NELEM(f_host), f, e))
		return -1;
	v->has_host = hc != NULL && !json_is_null(hc);
	pids_null = f[H_PIDS] == NULL;
	if (gojson_strarray(f[H_BINDS], "Binds", &binds, e) ||
	    gojson_bool(f[H_PRIV], "Privileged", &v->privileged, e) ||
	    gojson_strarray(f[H_CAPADD], "CapAdd", &caps, e) ||
	    gojson_strarray(f[H_SECOPT], "SecurityOpt", &opts, e) ||
	    gojson_str(f[H_NET], "NetworkMode", &v->network_mode, e) ||
	    gojson_str(f[H_PID], "PidMode", &v->pid_mode, e) ||
	    gojson_str(f[H_IPC], "IpcMode", &v->ipc_mode, e) ||
	    gojson_str(f[H_UTS], "UTSMode", &v->uts_mode, e) ||
	    gojson_str(f[H_USERNS], "UsernsMode", &v->userns_mode, e) ||
	    gojson_str(f[H_CGPARENT], "CgroupParent", &v->cgroup_parent, e) ||
	    gojson_i64(f[H_MEMORY], "Memory", &v->memory, e) ||
	    gojson_i64(f[H_CPUSHARES], "CpuShares", &v->cpu_shares, e) ||
	    gojson_i64(f[H_NANOCPUS], "NanoCpus", &v->nano_cpus, e) ||
	    gojson_i64(f[H_CPUQUOTA], "CpuQuota", &v->cpu_quota, e) ||
	    gojson_i64(f[H_PIDS], "PidsLimit", &v->pids_limit, e) ||
	    dv_restart(v, f[H_RESTART], e) ||
	    gojson_bool(f[H_RO], "ReadonlyRootfs", &v->readonly_rootfs, e) ||
	    gojson_bool(f[H_PUBALL], "PublishAllPorts", &v->publish_all, e) ||
	    dv_count(f[H_DEVICES], "Devices", &v->ndevices, e) ||
	    dv_count(f[H_DEVRULES], "DeviceCgroupRules", &v->ndevice_rules, e) ||
	    dv_count(f[H_DEVREQ], "DeviceRequests", &v->ndevice_requests, e) ||
	    dv_count(f[H_ULIMITS], "Ulimits", &v->nulimits, e))
		return -1;
	/* Any list here replaces dockerd's masked and read-only /proc paths (null keeps them). */
	if ((f[H_MASKED] && !json_is_array(f[H_MASKED])) ||
	    (f[H_ROPATHS] && !json_is_array(f[H_ROPATHS])))
		return gojson_fail(e, GJ_INVALID, "MaskedPaths and ReadonlyPaths must be lists");
	if (f[H_MASKED] || f[H_ROPATHS])
		v->sec.unmasked_paths = true;
	v->memory_set = f[H_MEMORY] != NULL;
	v->pids_set = !pids_null;
	if (v->ndevices > 0) {
		json_t *d[1];

		if (gojson_fields(json_array_get(f[H_DEVICES], 0), "Devices[]", f_device, 1, d, e) ||
		    gojson_str(d[0], "Devices[].PathOnHost", &v->first_device, e))
			return -1;
	}
	if ((binds && dv_binds(v, binds, e)) || (f[H_MOUNTS] && dv_mounts(v, f[H_MOUNTS], e)) ||
	    (caps && dv_caps(v, caps, e)) || (opts && dv_secopts(v, opts, e)) ||
	    (f[H_PORTS] && dv_ports(v, f[H_PORTS], e)))
		return -1;
	return 0;
}

/* Config fields of a create (top level) or of an inspect's "Config". */
static int
dv_config(struct docker_view *v, json_t **f, struct gj_error *e)
{
	const char *user;
	char *ubuf;
	json_t *h[1], *test;

	if (gojson_str(f[T_IMAGE], "Image", &v->image, e) ||
	    gojson_str(f[T_USER], "User", &user, e) ||
	    gojson_fields(f[T_HEALTH], "Healthcheck", f_health, 1, h, e) ||
	    gojson_strarray(h[0], "Healthcheck.Test", &test, e) ||
	    (f[T_LABELS] && dv_labels(v, f[T_LABELS], e)))
		return -1;
	if ((ubuf = dv_alloc(v, strlen(user) + 1)) == NULL)
		return gojson_fail(e, GJ_INVALID, "User too long");
	docker_parse_user(user, &v->user, ubuf, strlen(user) + 1);
	if (test && json_array_size(test) > 0) {
		const char *t0 = json_string_value(json_array_get(test, 0));

		v->healthcheck_set = true;
		v->healthcheck_disabled = t0 != NULL && strcmp(t0, "NONE") == 0;
	}
	v->has_config = true;
	return 0;
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
	v->first_device = "";
	v->sec.seccomp = v->sec.apparmor = "";
	v->sec.no_new_privileges = -1;
	v->user.raw = v->user.name = "";
}

static int
dv_exec(struct docker_view *v, json_t *root, struct gj_error *e)
{
	json_t *f[2];
	const char *user;
	char *ubuf;

	if (gojson_fields(root, "exec request", f_exec, 2, f, e) ||
	    gojson_str(f[0], "User", &user, e) || gojson_bool(f[1], "Privileged", &v->privileged, e))
		return -1;
	if ((ubuf = dv_alloc(v, strlen(user) + 1)) == NULL)
		return gojson_fail(e, GJ_INVALID, "User too long");
	docker_parse_user(user, &v->user, ubuf, strlen(user) + 1);
	return 0;
}

static int
dv_volume(struct docker_view *v, json_t *root, struct gj_error *e)
{
	json_t *f[NELEM(f_volume)];
	const char *name;

	if (gojson_fields(root, "volume request", f_volume, NELEM(f_volume), f, e) ||
	    gojson_str(f[0], "Name", &name, e) ||
	    gojson_str(f[1], "Driver", &v->volume_driver, e) ||
	    (f[2] && !json_is_object(f[2]) &&
	        gojson_fail(e, GJ_INVALID, "DriverOpts must be an object")) ||
	    (f[3] && dv_labels(v, f[3], e)))
		return -1;
	v->name = name;
	return dv_volume_opts(v, v->volume_driver, f[2], name, "volume options", e);
}

int
docker_view_build(struct docker_view *v, const struct endpoint *ep, const unsigned char *body,
    size_t len, struct gj_error *e)
{
	json_error_t jerr;
	json_t *f[NELEM(f_top)];

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
	/* Duplicate keys are refused: Go keeps the last, except that a later null leaves the
	 * earlier value in place, which jansson cannot show. */
	v->root = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (v->root == NULL) {
		if (strstr(jerr.text, "duplicate") != NULL)
			return gojson_fail(e, GJ_AMBIGUOUS, "ambiguous request: %s", jerr.text);
		return gojson_fail(e, GJ_INVALID, "request body is not a single JSON document: %s",
		    jerr.text);
	}
	if (!json_is_object(v->root))
		return gojson_fail(e, GJ_AMBIGUOUS,
		    "ambiguous request: the body is not a single JSON object");

	switch (ep->kind) {
	case EP_CONTAINER_CREATE:
		if (gojson_fields(v->root, "create request", f_top, NELEM(f_top), f, e) ||
		    dv_config(v, f, e) || dv_hostconfig(v, f[T_HOST], e))
			return -1;
		return 0;
	case EP_CONTAINER_START:
		/* API < 1.24: the body is a HostConfig that replaces the container's. */
		return dv_hostconfig(v, v->root, e);
	case EP_CONTAINER_UPDATE:
		/* UpdateConfig: Resources fields at top level, and RestartPolicy. */
		return dv_hostconfig(v, v->root, e);
	case EP_EXEC_CREATE:
		return dv_exec(v, v->root, e);
	case EP_VOLUME_CREATE:
		return dv_volume(v, v->root, e);
	default:
		return 0;
	}
}

int
docker_view_from_inspect(struct docker_view *v, json_t *item, struct gj_error *e)
{
	static const char *const f_insp[] = {"Config", "HostConfig", "Name"};
	json_t *f[3], *c[NELEM(f_top)];
	const char *name;

	e->status = GJ_OK;
	v->kind = EP_CONTAINER_CREATE;
	v->has_body = true;
	if (gojson_fields(item, "inspect entry", f_insp, 3, f, e) ||
	    gojson_str(f[2], "Name", &name, e) ||
	    gojson_fields(f[0], "Config", f_top, NELEM(f_top), c, e) || dv_config(v, c, e) ||
	    dv_hostconfig(v, f[1], e))
		return -1;
	v->name = name[0] == '/' ? name + 1 : name;
	return 0;
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
	json_decref(v->root);
	v->root = NULL;
}
