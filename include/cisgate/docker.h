/* docker.h - the typed, normalised view of a Docker API request body. The ONLY reader
 * of Docker API JSON: rules see these structs, never JSON. */
#ifndef CISGATE_DOCKER_H
#define CISGATE_DOCKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cisgate/gojson.h"
#include "cisgate/limits.h"
#include "cisgate/uri.h"

enum mount_kind {
	MOUNT_BIND,        /* host path into the container */
	MOUNT_VOLUME_BIND, /* a local volume whose options bind or mount a host path */
	MOUNT_VOLUME,      /* a named or anonymous volume */
	MOUNT_OTHER        /* tmpfs, npipe, cluster */
};

struct mount_view {
	enum mount_kind kind;
	const char *source;      /* cleaned host path (/var/run -> /run), or volume name */
	const char *target;      /* path in the container */
	const char *propagation; /* "" when unset */
	const char *via;         /* "Binds", "Mounts", "volume options" */
	bool read_only;
};

struct port_view {
	const char *container; /* "80/tcp" */
	const char *host_ip;   /* "" means every interface */
	int lo, hi;            /* host port range; 0, 0 when dockerd picks one */
};

/* A user spec "user[:group]" as runc resolves it. */
struct user_view {
	const char *raw;  /* "" when the request leaves it to the image/container */
	const char *name; /* the user part when not numeric (arena) */
	bool numeric;
	int64_t uid;      /* when numeric; an empty user part means uid 0 */
	bool is_root;     /* certainly uid 0: "root", "0", "+0", "0:0", ":1000" */
};

struct label_view {
	const char *key, *value;
};

struct secopt_view {
	const char *seccomp;  /* "" (default profile), "unconfined", or a profile */
	const char *apparmor; /* "" (docker-default), "unconfined", or a profile name */
	bool selinux_disabled;
	int no_new_privileges; /* -1 not said, 0 false, 1 true (the last one wins) */
	bool unmasked_paths;   /* systempaths=unconfined, or MaskedPaths/ReadonlyPaths given */
};

struct docker_view {
	enum ep_kind kind;
	bool has_body;
	bool has_config; /* create: Config fields were readable (not for old-API start) */
	bool has_host;   /* a HostConfig (or update resources) was read */
	const char *name;  /* container name (create ?name=) or path target */
	const char *image; /* "" unless create */

	struct user_view user; /* Config.User or exec User */
	bool privileged;       /* HostConfig.Privileged or exec Privileged */
	bool healthcheck_set, healthcheck_disabled;
	bool readonly_rootfs, publish_all;
	const char *network_mode, *pid_mode, *ipc_mode, *uts_mode, *userns_mode;
	const char *cgroup_parent;
	int64_t memory, cpu_shares, nano_cpus, cpu_quota;
	bool memory_set, pids_set; /* update: was it named at all */
	int64_t pids_limit;
	bool restart_set;
	const char *restart_name;
	int64_t restart_max;
	bool cap_all;
	size_t ncaps, nmounts, nports, nlabels, ndevices, ndevice_rules, ndevice_requests, nulimits;
	const char *first_device;
	struct secopt_view sec;
	const char *volume_driver; /* volume create */

	json_t *root; /* owns the body's strings */
	size_t arena_used;
	/* Large tables last: docker_view_init() leaves them unwritten. */
	const char *caps[CG_CAPS_MAX]; /* canonical "CAP_X" */
	struct mount_view mounts[CG_MOUNTS_MAX];
	struct port_view ports[CG_PORTS_MAX];
	struct label_view labels[CG_LABELS_MAX];
	char arena[CG_ARENA_SIZE];
};

/* Readies v for docker_view_build (cheap: the tables are not cleared). */
void docker_view_init(struct docker_view *v, const struct endpoint *ep);

/* Reads body[0..len) (NULL: no body; body[len] must be NUL) for endpoint ep into v. Returns 0, or -1 with *e
 * telling why dockerd's reading could differ (GJ_AMBIGUOUS) or the body is not what
 * dockerd accepts (GJ_INVALID). v->root takes the parsed document; release with
 * docker_view_free() in every case. Pure. */
int docker_view_build(struct docker_view *v, const struct endpoint *ep,
    const unsigned char *body, size_t len, struct gj_error *e);

/* Reads one `docker inspect` entry (Config, HostConfig, Name) into v, as a create.
 * item stays owned by the caller. */
int docker_view_from_inspect(struct docker_view *v, json_t *item, struct gj_error *e);

/* The view of a build: its RUN steps' network mode, from the query (no body read). */
void docker_view_from_build(struct docker_view *v, const struct endpoint *ep);

void docker_view_free(struct docker_view *v);

/* Cleans a host path as dockerd does (filepath.Clean) and maps /var/run to /run. Writes
 * into out (outsz); returns 0 or -1 when it does not fit or p is not absolute. */
int docker_clean_path(const char *p, char *out, size_t outsz);

/* Parses a user spec into u (strings in the caller's s lifetime, name copied to buf). */
void docker_parse_user(const char *s, struct user_view *u, char *buf, size_t bufsz);

/* Canonical capability name as dockerd normalises it ("net_admin" -> "CAP_NET_ADMIN",
 * any case of "all" -> "ALL"). Returns 0, or -1 when it does not fit in out. */
int docker_cap_canon(const char *c, char *out, size_t outsz);

#endif
