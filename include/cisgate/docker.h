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

/* Kernel figures that make a limit no limit (Linux 6.1, include/linux/threads.h and
 * page_counter.h). pids.max refuses more than PID_MAX_LIMIT, and no system has more pids
 * than that: a PIDs limit at or above it limits nothing. */
#define DOCKER_PID_MAX_LIMIT ((int64_t)4194304)
/* PAGE_COUNTER_MAX is LONG_MAX / PAGE_SIZE pages on 64-bit; a memory limit in bytes at
 * or above PAGE_COUNTER_MAX * PAGE_SIZE is stored as "max". 4 KiB pages (x86-64) give
 * 2^63 - 4096 (memory.limit_in_bytes of an unlimited container reads 9223372036854771712
 * on Debian 12); 64 KiB pages (some arm64 kernels) give 2^63 - 65536, the value used
 * here so that every page size's "unlimited" is caught. dockerd refuses a Memory below
 * 6 MB other than 0 (so -1 too), at create and at update. */
#define DOCKER_PAGE_COUNTER_MAX_BYTES ((INT64_MAX / 65536) * 65536)

/* Bounds of the lists the view keeps (beside the CG_*_MAX ones in limits.h). */
#define DOCKER_GROUPS_MAX 32
#define DOCKER_VOLUMES_FROM_MAX 8 /* at most CG_FACTS_MAX - 4 are looked up */
#define DOCKER_IMAGE_NAMES_MAX 32 /* RepoTags, RepoDigests of one image */
#define DOCKER_SYSCTLS_MAX 64
#define DOCKER_NETWORKS_MAX 32
#define DOCKER_ANNOTATIONS_MAX 64

enum mount_kind {
	MOUNT_BIND,        /* host path into the container */
	MOUNT_VOLUME_BIND, /* a local volume whose options bind or mount a host path (a
	                      directory, an overlay layer or a block device: see fstype) */
	MOUNT_VOLUME,      /* a named or anonymous volume */
	MOUNT_OTHER,       /* tmpfs, npipe, cluster; local volumes of tmpfs/ramfs, or remote
	                      (nfs, cifs): nothing of the host's file system */
	MOUNT_KERNEL_FS    /* a local volume of a kernel or pseudo file system (proc, sysfs,
	                      devtmpfs, cgroup2, ...), or of a type cisgate does not know:
	                      the host's kernel objects, not a path (fstype says which) */
};

struct mount_view {
	enum mount_kind kind;
	const char *source;      /* cleaned host path (/var/run -> /run), or volume name */
	const char *target;      /* path in the container */
	const char *propagation; /* "" when unset */
	const char *via;         /* "Binds", "Mounts", "volume options" */
	const char *fstype;      /* local volume "type" ("none", "ext4", "proc", "overlay");
	                            "" for binds and plain volumes */
	bool fs_mount;           /* MOUNT_VOLUME_BIND whose source is mounted as a file
	                            system (a block device such as /dev/sda1), not bound */
	bool read_only;
};

struct port_view {
	const char *container; /* "80/tcp" */
	const char *host_ip;   /* "" means every interface */
	int lo, hi;            /* host port range; 0, 0 when dockerd picks one */
	const char *mode;      /* "" for containers; a service's "ingress" (the routing mesh
	                          publishes lo on every node) or "host" */
};

/* A user spec "user[:group]" as runc resolves it. */
struct user_view {
	const char *raw;  /* "" when the request leaves it to the image/container */
	const char *name; /* the user part when not numeric (arena) */
	bool numeric;
	int64_t uid;      /* when numeric; an empty user part means uid 0 */
	bool is_root;     /* certainly uid 0: "root", "0", "+0", "0:0", ":1000" */
	const char *group; /* the group part after ':' ("" when none), as written */
};

/* Labels and sysctls: a key and its value. */
struct label_view {
	const char *key, *value;
};

/* Which limit fields the request changes. For an update, dockerd changes a field only
 * when it is non-zero (0 and absent both mean "unchanged"; -1 usually removes the
 * limit); PidsLimit changes when it is present and not null. For a create, the bit says
 * the field was given a non-zero value. */
enum docker_changes {
	DV_MEMORY = 1 << 0,
	DV_MEMORY_SWAP = 1 << 1,
	DV_MEMORY_RESERVATION = 1 << 2,
	DV_KERNEL_MEMORY = 1 << 3,
	DV_CPU_SHARES = 1 << 4,
	DV_NANO_CPUS = 1 << 5,
	DV_CPU_QUOTA = 1 << 6,
	DV_CPU_PERIOD = 1 << 7,
	DV_PIDS = 1 << 8,
	DV_RESTART = 1 << 9
};

struct secopt_view {
	const char *seccomp;  /* "" (default profile), "unconfined", or a profile */
	const char *apparmor; /* "" (docker-default), "unconfined", or a profile name */
	bool selinux_disabled;
	const char *selinux_type; /* label=type:X / SELinuxContext.Type: "" (default), or a
	                             type such as spc_t, which is unconfined */
	int no_new_privileges; /* -1 not said, 0 false, 1 true (the last one wins) */
	bool unmasked_paths;   /* systempaths=unconfined, or MaskedPaths/ReadonlyPaths given */
};

struct docker_view {
	enum ep_kind kind;
	bool has_body;
	bool has_config; /* create: Config fields were readable (not for old-API start) */
	bool has_host;   /* a HostConfig (or update resources) was read */
	bool host_top_level; /* create/old start: the HostConfig is the wrapper's deprecated
	                        top level (no nested "HostConfig"), as dockerd takes it */
	bool is_service;     /* services/create or update: a swarm ServiceSpec */
	bool service_plugin; /* the service runs a managed plugin (TaskTemplate.PluginSpec
	                        or Runtime "plugin") with whatever privileges it asks for */
	const char *name;  /* container name (create ?name=) or path target */
	const char *image; /* "" unless create */

	struct user_view user; /* Config.User or exec User */
	bool privileged;       /* HostConfig.Privileged or exec Privileged */
	bool healthcheck_set, healthcheck_disabled;
	bool readonly_rootfs, publish_all;
	const char *network_mode, *pid_mode, *ipc_mode, *uts_mode, *userns_mode;
	const char *cgroup_parent;
	int64_t memory, cpu_shares, nano_cpus, cpu_quota;
	int64_t memory_swap;        /* -1: unlimited swap; 0: dockerd's default (2 x memory) */
	int64_t memory_reservation; /* a soft limit: reclaim target, never a ceiling */
	int64_t kernel_memory;      /* deprecated kmem limit (ignored by cgroup v2) */
	int64_t cpu_period;
	bool memory_set, pids_set; /* was it named at all (pids: and not null) */
	int64_t pids_limit;
	unsigned changes;          /* enum docker_changes: what the request sets */
	/* "Limits that do not limit", decided here once for every rule. For a create (and
	 * an old-API start, a service) they describe the container; for an update they
	 * are true only when the update itself sets the field so (0 is "unchanged"). */
	bool memory_unlimited; /* Memory 0 (none; create) or >= DOCKER_PAGE_COUNTER_MAX_BYTES */
	bool swap_unlimited;   /* MemorySwap negative (any: 20.10 stores "max"), >= the
	                          page-counter maximum, or (create) no memory limit at all */
	bool pids_unlimited;   /* PidsLimit absent or null (create), <= 0, or
	                          >= DOCKER_PID_MAX_LIMIT (above it the container cannot start) */
	bool cpu_quota_removed; /* CpuQuota negative: -1 removes the CFS quota */
	int init;              /* HostConfig.Init / ContainerSpec.Init: -1 not said, 0, 1 */
	bool restart_set;
	const char *restart_name;
	int64_t restart_max;
	bool cap_all;
	size_t ncaps, nmounts, nports, nlabels, ndevices, ndevice_rules, ndevice_requests, nulimits;
	const char *first_device;
	struct secopt_view sec;
	const char *volume_driver; /* volume create */
	size_t ngroups, nsysctls, nnetworks;
	/* Engine API 1.42-1.52 (docs/fields.md, "Newer engines"). */
	bool api_below_143;        /* set by docker_view_init from the request's version:
	                              dockerd drops HostConfig.Annotations below 1.43 */
	size_t nannotations;       /* HostConfig.Annotations (API 1.43), for the runtime */
	const char *cgroupns_mode; /* HostConfig.CgroupnsMode: "", "private", "host" */
	const char *device_driver; /* DeviceRequests[0].Driver: "" (nvidia), "cdi", ... */
	int64_t oom_score_adj;     /* HostConfig / ContainerSpec (1.46) OomScoreAdj */
	bool endpoint_bridge;      /* EndpointsConfig has a "bridge" key: the default bridge
	                              joined as one of several networks (API 1.44) */
	size_t nendpoint_sysctls;  /* the first nendpoint_sysctls entries of sysctls come
	                              from EndpointsConfig DriverOpts (1.46): Config is read
	                              before any HostConfig */
	size_t nvolumes_from;
	const char *image_id; /* inspect: the container's image ID ("" otherwise) */

	json_t *root; /* owns the body's strings */
	/* dockerd's answers for the named volumes it mounts, which mounts added from them
	 * point into (docker_view_volume_answer); owned, dropped by docker_view_free. A
	 * volume is read at most twice (read-only, then read-write). */
	json_t *answers[2 * CG_FACTS_MAX];
	size_t nanswers;
	bool volumes_read; /* decide has added what its named volumes bind */
	size_t arena_used;
	/* Large tables last: docker_view_init() leaves them unwritten. */
	const char *caps[CG_CAPS_MAX]; /* canonical "CAP_X" */
	struct mount_view mounts[CG_MOUNTS_MAX];
	struct port_view ports[CG_PORTS_MAX];
	struct label_view labels[CG_LABELS_MAX];
	const char *groups[DOCKER_GROUPS_MAX];     /* GroupAdd / ContainerSpec.Groups, raw */
	struct label_view sysctls[DOCKER_SYSCTLS_MAX]; /* HostConfig / ContainerSpec Sysctls */
	const char *networks[DOCKER_NETWORKS_MAX]; /* a service's network targets (names or
	                                              IDs; that an ID is the host network's
	                                              is a fact only dockerd knows) */
	struct label_view annotations[DOCKER_ANNOTATIONS_MAX];
	const char *volumes_from[DOCKER_VOLUMES_FROM_MAX]; /* HostConfig.VolumesFrom, raw
	                                                      ("X", "X:ro", "X:rw") */
	char arena[CG_ARENA_SIZE];
};

/* An image as dockerd reports it (GET /images/{ref}/json): what the effective user and
 * image exemptions are decided from. Strings point into root. */
struct image_fact {
	json_t *root; /* owned; release with docker_image_free() */
	const char *id;   /* "sha256:..." */
	const char *user; /* Config.User ("" when the image has no USER) */
	size_t ntags, ndigests;
	const char *tags[DOCKER_IMAGE_NAMES_MAX];    /* RepoTags: "busybox:latest" */
	const char *digests[DOCKER_IMAGE_NAMES_MAX]; /* RepoDigests: "busybox@sha256:..." */
};

/* Reads dockerd's image inspect answer body[0..len) into im (allocates im->root: free with
 * docker_image_free, also after a failure). Returns 0, or -1 with *e saying what is not
 * as dockerd writes it. Names past DOCKER_IMAGE_NAMES_MAX are not kept. Pure. */
int docker_image_read(const char *body, size_t len, struct image_fact *im,
    struct gj_error *e);

/* Releases what docker_image_read allocated. Accepts a zeroed im. */
void docker_image_free(struct image_fact *im);

/* Readies v for docker_view_build (cheap: the tables are not cleared). */
void docker_view_init(struct docker_view *v, const struct endpoint *ep);

/* Reads body[0..len) (NULL: no body; body[len] must be NUL) for endpoint ep into v. Returns 0, or -1 with *e
 * telling why dockerd's reading could differ (GJ_AMBIGUOUS) or the body is not what
 * dockerd accepts (GJ_INVALID). v->root takes the parsed document; release with
 * docker_view_free() in every case. Pure. */
int docker_view_build(struct docker_view *v, const struct endpoint *ep,
    const unsigned char *body, size_t len, struct gj_error *e);

/* Reads dockerd's GET /version answer (body[0..len), NUL-terminated) and copies its
 * "Version" ("29.5.1", "20.10.24+dfsg1") into out. Returns 0, or -1 when the answer is
 * not an object with a string Version that fits. Pure. */
int docker_version_answer(const char *body, size_t len, char *out, size_t outsz);

/* Reads one `docker inspect` entry (Config, HostConfig, Name) into v, as a create.
 * MaskedPaths and ReadonlyPaths that keep every one of dockerd's defaults are not an
 * opening (dockerd stores its defaults there). item stays owned by the caller. */
int docker_view_from_inspect(struct docker_view *v, json_t *item, struct gj_error *e);

/* As docker_view_from_inspect, for a container that exists (a join, an exec target): its
 * mounts are the inspect's top-level "Mounts" (what it really has, volumes-from and
 * image volumes included: binds by cleaned source, volumes by name), and v->image_id is
 * its image ID. item stays owned by the caller. */
int docker_view_from_container(struct docker_view *v, json_t *item, struct gj_error *e);

/* Reads a swarm ServiceSpec (the body of POST /services/create and /services/{id}/update)
 * into v, as the container each task will be: ContainerSpec user, groups, mounts,
 * capabilities, sysctls, init, ulimits, healthcheck, read-only root, labels; Resources
 * limits; network targets ("host" recorded in network_mode); published ports. v->root
 * takes the parsed document (release with docker_view_free()); body NULL reads nothing
 * and returns 0, as docker_view_build() does. ep gives the API
 * version (dockerd drops fields older versions did not have); NULL means the newest.
 * Returns 0, or -1 with *e set as docker_view_build() does. Pure. */
int docker_view_from_service(struct docker_view *v, const struct endpoint *ep,
    const unsigned char *body, size_t len, struct gj_error *e);

/* True when every field-name table of the reader has a name in every slot (a hole
 * would be a field cisgate never reads). For tests; the counts are checked at compile
 * time. */
bool docker_tables_complete(void);

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

/* --- Plugin and network bodies, for eval's route step ------------------------------ */

#define DOCKER_PRIVILEGES_MAX 32        /* dockerd computes at most 7 kinds, one per mount */
#define DOCKER_PRIVILEGE_VALUES_MAX 16

/* One entry of a plugins/pull or upgrade body (types.PluginPrivilege). */
struct docker_privilege {
	const char *name;   /* "network", "mount", "capabilities", ...; "" when absent */
	size_t nvalues;     /* every value; the first DOCKER_PRIVILEGE_VALUES_MAX are kept */
	const char *values[DOCKER_PRIVILEGE_VALUES_MAX]; /* "" for a null element */
};

struct docker_privileges {
	size_t n;
	struct docker_privilege v[DOCKER_PRIVILEGES_MAX];
};

/* Reads a plugin route's body (a JSON list: plugins/pull and upgrade take privileges,
 * plugins/{name}/set settings) into v->root with the bounds of docker_view_build (size,
 * depth, duplicate keys); v->has_body is set. body NULL reads nothing and returns 0.
 * Returns 0, or -1 with *e set. v->root takes the document: docker_view_free(). Pure. */
int docker_view_plugin_body(struct docker_view *v, const unsigned char *body, size_t len,
    struct gj_error *e);

/* Reads root (the privileges list, types.PluginPrivileges) as Go does: null is an empty
 * list, a null element an empty privilege, keys folded, unknown keys ignored. Strings
 * point into root. Returns 0, or -1 with *e set (not a list, wrong types, more than
 * DOCKER_PRIVILEGES_MAX entries). Pure; allocates nothing. */
int docker_privileges_read(json_t *root, struct docker_privileges *out, struct gj_error *e);

/* What of a POST /networks/create body (types.NetworkCreateRequest) can reach the host. */
struct docker_network {
	const char *driver;      /* "" means bridge */
	const char *parent;      /* Options["parent"] (macvlan, ipvlan), NULL when absent */
	const char *bridge_name; /* Options["com.docker.network.bridge.name"], or NULL */
	bool config_from;        /* ConfigFrom: the options are another network's */
};

/* Reads root (the body object) as Go does: fields folded, Options a map of strings whose
 * keys are exact. Strings point into root. Returns 0, or -1 with *e set. Pure. */
int docker_network_read(json_t *root, struct docker_network *out, struct gj_error *e);

/* Reads dockerd's GET /networks/{id} answer (body[0..len), NUL-terminated): *is_host is
 * true when it is the host network (driver "host", or the network named "host"). Returns
 * 0, or -1 when the answer cannot be read. Pure. */
int docker_network_answer_is_host(const char *body, size_t len, bool *is_host);

/* Adds to v what the named volume `name`, which v mounts at target (read-only when ro),
 * really mounts: dockerd's answer to GET /volumes/NAME (body, len) gives its driver and
 * options, set when it was made (`volume create` is where cisgate judges them; a volume
 * made before cisgate ran, or while it was off, is seen only here). A local volume that
 * binds or mounts a host path adds that path as a mount, judged like a bind. v keeps the
 * parsed answer (docker_view_free drops it). Returns 0, or -1 with e set when the answer
 * cannot be read. */
int docker_view_volume_answer(struct docker_view *v, const char *body, size_t len,
    const char *name, const char *target, bool ro, struct gj_error *e);

#endif
