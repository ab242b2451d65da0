/* rules.h - the rule table: one row per CIS rule (name, CIS id, default action, request
 * kinds, check, parameter schema), and the checks over the typed view. */
#ifndef CISGATE_RULES_H
#define CISGATE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cisgate/docker.h"
#include "cisgate/str.h"

struct policy;
struct userspec;
struct run_facts;

enum action { ACT_OFF = 0, ACT_WARN, ACT_DENY };

/* Which request kinds a rule looks at. */
#define RK_CREATE (1u << EP_CONTAINER_CREATE)
#define RK_START (1u << EP_CONTAINER_START)
#define RK_UPDATE (1u << EP_CONTAINER_UPDATE)
#define RK_EXEC (1u << EP_EXEC_CREATE)
#define RK_VOLUME (1u << EP_VOLUME_CREATE)
#define RK_BUILD (1u << EP_BUILD)
#define RK_CREATE_LIKE (RK_CREATE | RK_START)
/* Judged by eval's route step (eval.c) from the route, the query and the plugin or
 * network body, never by the body loop: the rule row gives the action, the name for
 * exemptions and records, and the parameters. */
#define RK_ROUTE 0u
/* A service is the container each of its tasks will be (services/create and update:
 * an update sends the whole spec, so both are judged as a create). */
#define RK_SERVICE ((1u << EP_SERVICE_CREATE) | (1u << EP_SERVICE_UPDATE))
/* POST /networks/{id}/connect: its EndpointConfig is a create's endpoint settings for a
 * running container (the per-interface sysctls of API 1.46). */
#define RK_NETWORK_CONNECT (1u << EP_NETWORK_CONNECT)

/*
 * Every rule, once, in table order:
 *   X(ID, "name", "cis", "title", default action, kinds, check, params)
 * enum rule_id (R_ID) and rules_table are both expanded from this list, so a rule cannot
 * be in one and not the other. check and params name a function and a parameter schema
 * (or NULL) defined in rules.c. Adding a rule: one row here, its check (and schema) in
 * rules.c, its cases in tests/cases/rules.cases, its section in the docs.
 */
#define CG_RULES(X)                                                                        \
	X(APPARMOR, "apparmor", "5.1", "AppArmor profile", ACT_DENY,                       \
	    RK_CREATE_LIKE | RK_SERVICE, c_apparmor, p_apparmor)                            \
	X(SELINUX, "selinux", "5.2", "SELinux options", ACT_DENY,                         \
	    RK_CREATE_LIKE | RK_SERVICE, c_selinux, NULL)                                                                \
	X(CAPABILITIES, "capabilities", "5.3", "Linux capabilities restricted", ACT_DENY,  \
	    RK_CREATE_LIKE | RK_SERVICE, c_capabilities, p_capabilities)                                 \
	X(PRIVILEGED, "privileged", "5.4", "privileged containers", ACT_DENY,              \
	    RK_CREATE_LIKE, c_privileged, NULL)                                             \
	X(SENSITIVE_MOUNTS, "sensitive-mounts", "5.5", "sensitive host directories",       \
	    ACT_DENY, RK_CREATE_LIKE | RK_VOLUME | RK_SERVICE, c_sensitive, p_sensitive)                 \
	X(PRIVILEGED_PORTS, "privileged-ports", "5.7", "privileged ports", ACT_WARN,       \
	    RK_CREATE_LIKE | RK_SERVICE, c_privileged_ports, p_privileged_ports)                         \
	X(HOST_PORTS, "host-ports", "5.8", "only needed ports open", ACT_WARN,             \
	    RK_CREATE_LIKE | RK_SERVICE, c_host_ports, p_host_ports)                                     \
	X(HOST_NETWORK, "host-network", "5.9", "host network namespace", ACT_DENY,         \
	    RK_CREATE_LIKE | RK_BUILD | RK_SERVICE, c_host_network, NULL)                                \
	X(MEMORY, "memory-limit", "5.10", "memory usage limited", ACT_DENY,                \
	    RK_CREATE_LIKE | RK_UPDATE | RK_SERVICE, c_memory, p_memory)                                 \
	X(CPU, "cpu-shares", "5.11", "CPU priority set", ACT_DENY,                       \
	    RK_CREATE_LIKE | RK_UPDATE | RK_SERVICE, c_cpu, NULL)                                                                           \
	X(READONLY_ROOTFS, "readonly-rootfs", "5.12", "read-only root filesystem",         \
	    ACT_WARN, RK_CREATE_LIKE | RK_SERVICE, c_readonly, NULL)                                     \
	X(HOST_INTERFACE, "host-interface", "5.13", "traffic bound to a host interface",   \
	    ACT_WARN, RK_CREATE_LIKE, c_host_interface, p_host_interface)                   \
	X(RESTART, "restart-policy", "5.14", "on-failure restart at most N", ACT_WARN,     \
	    RK_CREATE_LIKE | RK_UPDATE | RK_SERVICE, c_restart, p_restart)                               \
	X(HOST_PID, "host-pid", "5.15", "host PID namespace", ACT_DENY, RK_CREATE_LIKE,    \
	    c_host_pid, NULL)                                                               \
	X(HOST_IPC, "host-ipc", "5.16", "host IPC namespace", ACT_DENY, RK_CREATE_LIKE,    \
	    c_host_ipc, NULL)                                                               \
	X(HOST_DEVICES, "host-devices", "5.17", "host devices", ACT_DENY, RK_CREATE_LIKE,  \
	    c_devices, p_devices)                                                           \
	X(ULIMITS, "ulimits", "5.18", "default ulimits overridden", ACT_WARN,              \
	    RK_CREATE_LIKE | RK_SERVICE, c_ulimits, NULL)                                                \
	X(PROPAGATION, "mount-propagation", "5.19", "mount propagation not shared",        \
	    ACT_DENY, RK_CREATE_LIKE | RK_SERVICE, c_propagation, NULL)                                  \
	X(HOST_UTS, "host-uts", "5.20", "host UTS namespace", ACT_DENY, RK_CREATE_LIKE,    \
	    c_host_uts, NULL)                                                               \
	X(SECCOMP, "seccomp", "5.21", "default seccomp profile", ACT_DENY,                 \
	    RK_CREATE_LIKE | RK_SERVICE, c_seccomp, p_seccomp)                              \
	X(EXEC_PRIVILEGED, "exec-privileged", "5.22", "exec --privileged", ACT_DENY,       \
	    RK_EXEC, c_exec_privileged, NULL)                                               \
	X(EXEC_ROOT, "exec-root-user", "5.23", "exec as root", ACT_DENY, RK_EXEC,          \
	    c_exec_root, p_exec_root)                                                       \
	X(CGROUP_PARENT, "cgroup-parent", "5.24", "cgroup parent confirmed", ACT_WARN,     \
	    RK_CREATE_LIKE, c_cgroup_parent, p_cgroup_parent)                               \
	X(NO_NEW_PRIVS, "no-new-privileges", "5.25", "no new privileges", ACT_WARN,        \
	    RK_CREATE_LIKE, c_nnp, NULL)                                                    \
	X(HEALTHCHECK, "healthcheck", "5.26", "health check at runtime", ACT_WARN,         \
	    RK_CREATE | RK_SERVICE, c_healthcheck, NULL)                                                 \
	X(PIDS, "pids-limit", "5.28", "PIDs cgroup limit", ACT_DENY,                       \
	    RK_CREATE_LIKE | RK_UPDATE | RK_SERVICE, c_pids, p_pids)                                     \
	X(DEFAULT_BRIDGE, "default-bridge", "5.29", "default bridge not used", ACT_WARN,   \
	    RK_CREATE_LIKE, c_default_bridge, NULL)                                         \
	X(HOST_USERNS, "host-userns", "5.30", "host user namespace", ACT_DENY,             \
	    RK_CREATE_LIKE, c_host_userns, NULL)                                            \
	X(DOCKER_SOCKET, "docker-socket", "5.31", "Docker socket not mounted", ACT_DENY,   \
	    RK_CREATE_LIKE | RK_VOLUME | RK_SERVICE, c_docker_socket, p_docker_socket)                   \
	X(ROOT_USER, "root-user", "4.1", "container runs as a non-root user", ACT_WARN,    \
	    RK_CREATE | RK_SERVICE, c_root_user, p_root_user)                            \
	X(SYSCTLS, "sysctls", "", "namespaced sysctls", ACT_WARN,                          \
	    RK_CREATE_LIKE | RK_SERVICE | RK_NETWORK_CONNECT, c_sysctls, p_sysctls)         \
	X(GROUPS, "groups", "", "no privileged supplementary groups", ACT_DENY,           \
	    RK_CREATE_LIKE | RK_SERVICE, c_groups, p_groups)                                \
	X(SERVICE_PLUGIN, "service-plugin", "", "services do not install plugins",        \
	    ACT_DENY, RK_SERVICE, c_service_plugin, NULL)                                   \
	X(SWARM, "swarm", "7.1", "swarm mode not enabled", ACT_DENY, RK_ROUTE, c_route,    \
	    NULL)                                                                           \
	X(PLUGINS, "plugins", "", "managed plugins allow-listed by name and digest",       \
	    ACT_DENY, RK_ROUTE, c_route, NULL)                                              \
	X(NETWORKS, "networks", "", "network drivers that reach the host's LAN", ACT_DENY, \
	    RK_ROUTE, c_route, p_networks)                                                  \
	X(DEFAULT_ROUTE, "default-route", "", "routes no rule can judge", ACT_DENY,        \
	    RK_ROUTE, c_route, NULL)                                                        \
	X(ANNOTATIONS, "annotations", "", "no OCI annotations for the runtime", ACT_DENY,  \
	    RK_CREATE_LIKE, c_annotations, p_annotations)                                   \
	X(HOST_CGROUPNS, "host-cgroupns", "", "host cgroup namespace", ACT_DENY,           \
	    RK_CREATE_LIKE, c_host_cgroupns, NULL)                                          \
	X(OOM_SCORE_ADJ, "oom-score-adj", "", "OOM killer not turned on the host",         \
	    ACT_WARN, RK_CREATE_LIKE | RK_SERVICE, c_oom_score_adj, p_oom_score_adj)        \
	X(CVE_2024_41110, "cve-2024-41110", "", "daemon-cves: AuthZ body bypass",          \
	    ACT_DENY, RK_ROUTE, c_route, NULL)                                              \
	X(CVE_2026_34040, "cve-2026-34040", "", "daemon-cves: oversized bodies",           \
	    ACT_DENY, RK_ROUTE, c_route, NULL)                                              \
	X(CVE_2026_41567, "cve-2026-41567", "", "daemon-cves: archive upload runs "        \
	    "container binaries", ACT_DENY, RK_ROUTE, c_route, NULL)

/* Every rule cisgate knows, in table order. */
enum rule_id {
#define CG_RULE_ENUM(id, ...) R_##id,
	CG_RULES(CG_RULE_ENUM)
#undef CG_RULE_ENUM
	R_COUNT
};

/* How a parameter is read and where it is stored (a field of struct policy). */
enum param_type {
	PT_STRS,   /* struct strlist of non-empty strings */
	PT_PATHS,  /* struct strlist of cleaned absolute paths */
	PT_CAPS,   /* struct strlist of canonical CAP_X names */
	PT_INT,    /* int64_t within [min, max] */
	PT_SIZE,   /* int64_t, "512m" style, within [min, max] */
	PT_RANGES, /* struct rangelist, items within [min, max] */
	PT_BOOL,   /* bool */
	PT_ENUM    /* an enum (int-sized) stored as the index of its spelling in names */
};

/* One parameter of a rule: its key, type, storage, bounds and default. A list with
 * `append` adds to the field of the parameter without it ("extra_paths" to "paths") and
 * has no default or storage of its own. */
struct param_def {
	const char *key;          /* NULL ends a rule's list */
	enum param_type type;
	size_t off;               /* offsetof(struct policy, field) */
	int64_t min, max;         /* PT_INT, PT_SIZE, PT_RANGES */
	const char *const *names; /* PT_ENUM: its spellings, NULL-terminated */
	bool append;
	int64_t def;              /* PT_INT, PT_SIZE, PT_BOOL, PT_ENUM */
	const char *const *def_strs; /* lists: NULL-terminated, or NULL for empty */
	struct { int64_t lo, hi; } def_range; /* PT_RANGES: hi == 0 means empty */
};

/* A check appends what is wrong (without the "[CIS x] name: " prefix) to out and
 * returns true when the request violates the rule. Pure. */
typedef bool (*rule_check_fn)(const struct policy *p, const struct docker_view *v,
    struct strbuf *out);

struct rule_def {
	enum rule_id id;
	const char *name;   /* stable, used in policies and audit records */
	const char *cis;    /* "5.10" */
	const char *prefix; /* "[CIS 5.10] memory-limit: ", the start of every message */
	const char *title;  /* the benchmark's wording, short */
	enum action default_action; /* in a policy that does not name the rule */
	unsigned kinds;     /* RK_* */
	rule_check_fn check;
	const struct param_def *params; /* NULL, or ended by a NULL key */
};

extern const struct rule_def rules_table[R_COUNT];

struct eval_facts;

/* Runs rule r's check over v as rules_table[r].check does, with the facts the caller
 * has (f, and each of its pointers, may be NULL): resolved host paths for
 * sensitive-mounts and docker-socket, the container's current limits for the update
 * checks. Appends to out and returns true when v violates the rule. Pure. */
bool rules_check(int r, const struct policy *p, const struct docker_view *v,
    const struct eval_facts *f, struct strbuf *out);

/* Rule r over the existing container rf->entered (what an exec, a start, a restart, an
 * attach or an update's restart policy runs) when r judges what entering it grants (its privileges, namespaces, mounts,
 * devices; not its limits): true with the finding written to out. */
bool rules_check_entered(int r, const struct policy *p, const struct run_facts *rf,
    struct strbuf *out);

/* Index of a rule by name, or -1. */
int rules_find(const char *name);

/* The parameter `key` of rule r, or NULL. */
const struct param_def *rules_param(int r, const char *key);

/* True when path (cleaned) is base or below it. */
bool rules_path_under(const char *path, const char *base);
/* True when some rule judges requests of kind k: a body rule names it, or eval's route
 * step judges it (swarm init/join, the plugin routes, network create/connect). A judged
 * route whose kind no rule judges is answered as a default route. */
bool rules_judge_kind(enum ep_kind k);

/* The repository of a plugin reference as dockerd's plugin store names it (docker.io/,
 * index.docker.io/ and library/ dropped, tag and digest cut) into out; *digest points at
 * the text after '@' in ref, or is NULL. Returns 0, or -1 when it does not fit. */
int rules_plugin_repo(const char *ref, char *out, size_t outsz, const char **digest);

/* True when d is "sha256:" and 64 lower-case hex digits. */
bool rules_is_digest(const char *d);

/* True when a request's user may run as the spec allows; when not, why goes to out. */
bool rules_user_ok(const struct userspec *s, const struct user_view *u, const char *image,
    const char *what, struct strbuf *out);

#endif
