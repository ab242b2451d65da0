/* policy.h - the YAML policy as plain structs: rules, their parameters, exemptions, audit. */
#ifndef CISGATE_POLICY_H
#define CISGATE_POLICY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cisgate/limits.h"

enum action { ACT_OFF = 0, ACT_WARN, ACT_DENY };
enum mode { MODE_ENFORCE = 0, MODE_AUDIT };

/* Every rule cisgate knows; rules.c holds the table in this order. */
enum rule_id {
	R_APPARMOR,          /* 5.1 */
	R_SELINUX,           /* 5.2 */
	R_CAPABILITIES,      /* 5.3 */
	R_PRIVILEGED,        /* 5.4 */
	R_SENSITIVE_MOUNTS,  /* 5.5 */
	R_PRIVILEGED_PORTS,  /* 5.7 */
	R_HOST_PORTS,        /* 5.8 */
	R_HOST_NETWORK,      /* 5.9 */
	R_MEMORY,            /* 5.10 */
	R_CPU,               /* 5.11 */
	R_READONLY_ROOTFS,   /* 5.12 */
	R_HOST_INTERFACE,    /* 5.13 */
	R_RESTART,           /* 5.14 */
	R_HOST_PID,          /* 5.15 */
	R_HOST_IPC,          /* 5.16 */
	R_HOST_DEVICES,      /* 5.17 */
	R_ULIMITS,           /* 5.18 */
	R_PROPAGATION,       /* 5.19 */
	R_HOST_UTS,          /* 5.20 */
	R_SECCOMP,           /* 5.21 */
	R_EXEC_PRIVILEGED,   /* 5.22 */
	R_EXEC_ROOT,         /* 5.23 */
	R_CGROUP_PARENT,     /* 5.24 */
	R_NO_NEW_PRIVS,      /* 5.25 */
	R_HEALTHCHECK,       /* 5.26 */
	R_PIDS,              /* 5.28 */
	R_DEFAULT_BRIDGE,    /* 5.29 */
	R_HOST_USERNS,       /* 5.30 */
	R_DOCKER_SOCKET,     /* 5.31 */
	R_ROOT_USER,         /* 4.1, at create */
	R_COUNT
};

struct strlist {
	char **v;
	size_t n;
};

struct range {
	int64_t lo, hi;
};

struct rangelist {
	struct range *v;
	size_t n;
};

/* Who a container or exec may run as. */
enum empty_user { EMPTY_DENY = 0, EMPTY_ALLOW, EMPTY_ALLOWLIST };
struct userspec {
	enum empty_user empty;     /* User "" inherits the image's or container's user */
	struct strlist images;     /* EMPTY_ALLOWLIST: images known to set a non-root USER */
	struct strlist names;      /* user names allowed (resolved in the container!) */
	struct rangelist uids;     /* numeric uids allowed; 0 never is */
};

struct exemption {
	char *name, *reason;
	bool rules[R_COUNT];
	char *image, *cname, *user; /* globs; NULL = any */
	struct strlist label_keys, label_values; /* every pair must match (value is a glob) */
	time_t expires;                          /* 0 = never */
	int line;
};

enum audit_fsync { FSYNC_ALWAYS = 0, FSYNC_INTERVAL, FSYNC_NEVER };
enum audit_allows { ALLOWS_STATE = 0, ALLOWS_ALL, ALLOWS_NONE };

struct audit_conf {
	char *file; /* NULL: no file */
	bool to_stdout, to_syslog;
	char *syslog_socket; /* the local syslog datagram socket, /dev/log unless set */
	enum audit_fsync fsync;
	enum audit_allows allows;
	bool fail_allow; /* on_failure: allow */
};

struct policy {
	atomic_int refs;
	char *path;
	char sha256[65];
	enum mode mode;
	enum action actions[R_COUNT];

	struct strlist sensitive_paths; /* cleaned */
	struct strlist sockets;         /* cleaned */
	struct strlist caps_allowed;    /* canonical CAP_X */
	int64_t memory_max;             /* 0: no ceiling */
	int64_t pids_max;               /* 0: no ceiling */
	struct rangelist ports_allowed; /* host-ports */
	int64_t privileged_port_below;  /* privileged-ports: ports below this */
	int64_t restart_max;
	bool seccomp_custom_ok;
	struct strlist apparmor_allowed;
	struct strlist cgroup_parents;
	struct strlist host_ips;
	struct strlist devices_allowed;
	struct userspec exec_users, create_users;
	struct strlist self_names; /* plugin names that are cisgate itself */

	struct exemption *ex;
	size_t nex;
	struct audit_conf audit;
};

/* One error per line, "FILE:LINE:COL: text". */
struct policy_errors {
	char text[CG_POLICY_ERRORS_MAX][256];
	size_t n;
	size_t dropped;
};

/* Loads and validates a policy file. Refuses a file that is not root-owned or is group-
 * or world-writable unless allow_insecure. Returns a new policy holding one reference
 * (release with policy_release), or NULL with every problem found in *errs. */
struct policy *policy_load(const char *path, bool allow_insecure, struct policy_errors *errs);

/* The same from memory, for tests and fuzzing: no file checks; name is used in messages. */
struct policy *policy_load_buffer(const char *buf, size_t len, const char *name,
    struct policy_errors *errs);

/* Takes one more reference. */
void policy_ref(struct policy *p);
/* Drops a reference; frees the policy at zero. Accepts NULL. */
void policy_release(struct policy *p);

/* "deny", "warn", "off". */
const char *policy_action_name(enum action a);

#endif
