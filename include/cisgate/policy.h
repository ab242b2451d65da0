/* policy.h - the YAML policy as plain structs: rules, their parameters, exemptions, audit.
 * The rules' parameters (their keys, bounds and defaults) are described in rules.c's table. */
#ifndef CISGATE_POLICY_H
#define CISGATE_POLICY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cisgate/limits.h"
#include "cisgate/rules.h"

enum mode { MODE_ENFORCE = 0, MODE_AUDIT };

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
	enum empty_user group_zero; /* EMPTY_DENY: running with gid 0 is a violation too */
};

struct exemption; /* exemption.h */

/* One entry of plugins.allowed: a plugin repository as dockerd names it (docker.io/ and
 * library/ dropped, no tag), and the digest a pull or upgrade must be pinned to. */
struct plugin_allow {
	char *name;
	char *digest; /* "sha256:<64 hex>", or NULL: local plugins only (create, enable, set) */
};

enum audit_fsync { FSYNC_ALWAYS = 0, FSYNC_INTERVAL, FSYNC_NEVER };
enum audit_allows { ALLOWS_STATE = 0, ALLOWS_ALL, ALLOWS_NONE };

struct audit_conf {
	char *file; /* NULL: no file */
	bool to_stdout, to_syslog;
	char *syslog_socket; /* the local syslog datagram socket, /dev/log unless set */
	bool syslog_5424;    /* syslog_format: rfc5424 (structured data), else RFC 3164 */
	enum audit_fsync fsync;
	enum audit_allows allows;
	bool fail_allow; /* on_failure: allow */
	char *host_id;      /* names the host in every record; NULL: the hostname */
	char *signing_key;  /* Ed25519 private key (PEM) for checkpoints; NULL: unsigned */
	int64_t checkpoint_every;   /* a checkpoint after this many records */
	int64_t checkpoint_seconds; /* ... or this long after the last one */
	char *policy_dir;   /* where each loaded policy is kept by its SHA-256; NULL: not kept */
};

/* How cisgate reaches dockerd and where dockerd keeps its state (policy `daemon:`). */
struct daemon_conf {
	char *socket;       /* dockerd's API socket, cleaned; also a docker-socket path */
	int64_t timeout_ms; /* for cisgate's own calls to dockerd */
	char *data_root;    /* cleaned; sensitive */
	char *exec_root;    /* cleaned; sensitive */
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
	struct strlist writable_allowed; /* sensitive-mounts: directories others may write
	                                    that binds may still come from (cleaned) */
	struct strlist readonly_allowed; /* sensitive-mounts: paths a read-only bind may come
	                                    from (cleaned; never a docker-socket path) */
	struct strlist sysctls_allowed;  /* sysctls: keys or fnmatch patterns */
	struct strlist groups_denied;    /* groups: names or numeric gids */
	struct strlist annotations_allowed; /* annotations: keys or fnmatch patterns */
	int64_t oom_score_adj_min;          /* oom-score-adj: lowest OomScoreAdj allowed */
	struct daemon_conf daemon;

	struct exemption *ex;
	size_t nex;
	struct audit_conf audit;

	/* Routes, judged by eval's route step (docs/routes.md). */
	bool default_route_allow;       /* default_route: allow */
	struct strlist routes_allowed;  /* allowed_routes: route names (uri_route_name) */
	struct strlist network_drivers; /* rules.networks.allowed_drivers */
	struct plugin_allow *plugins_allowed; /* plugins.allowed */
	size_t nplugins_allowed;

	/* shadow: FILE, evaluated beside this policy on every request and only recorded.
	 * shadow_path is as written (relative to this file's directory); shadow is the loaded
	 * policy (one reference, released with this one), NULL when none or when loaded from
	 * a buffer. A shadow names no shadow of its own. */
	char *shadow_path;
	struct policy *shadow;
	/* metrics.listen as written (metrics_listen_parse checked it), NULL: no metrics.
	 * Read at start; a change applies after a restart. */
	char *metrics_listen;
	/* Side data, not from the file: dockerd's version (cves.h encoding; 0 unknown) for
	 * the daemon-cves rules. serve stores it when GET /version answers (start, reload,
	 * every minute), `cisgate check --daemon-socket` before deciding; the evaluator only
	 * loads it. */
	_Atomic uint32_t daemon_version;
	/* The id of the trusted key whose signature of this file's bytes was verified at
	 * load (policysig.h), or "" when loaded without keys. */
	char signed_by[17];
};

/* One error per line, "FILE:LINE:COL: text". */
struct policy_errors {
	char text[CG_POLICY_ERRORS_MAX][256];
	size_t n;
	size_t dropped;
	bool sig_refused; /* refused for its signature (missing, malformed or not trusted) */
};

/* Loads and validates a policy file. Refuses a file that is not root-owned or is group-
 * or world-writable unless allow_insecure, and one that changes while it is read. Returns
 * a new policy holding one reference (allocates; release with policy_release), or NULL
 * with every problem found in *errs, each "FILE:LINE:COL: text" where it has a place. An
 * allocation failure is the one error "FILE: out of memory"; nothing is left allocated
 * and nothing aborts, so a failed reload leaves the running policy as it was. */
struct policy *policy_load(const char *path, bool allow_insecure, struct policy_errors *errs);

struct policysig_keys; /* policysig.h */

/* As policy_load; with keys (not NULL) the file and its shadow must each carry a detached
 * signature (FILE.sig) by one of keys' trusted keys over the exact bytes that are parsed
 * (read once): a missing, malformed or untrusted signature refuses the file, said in errs
 * with errs->sig_refused set. The key's id goes to p->signed_by. keys is borrowed. */
struct policy *policy_load_signed(const char *path, bool allow_insecure,
    const struct policysig_keys *keys, struct policy_errors *errs);

/* The same from buf[0..len) (not kept), for tests and fuzzing: no file checks; name is
 * used in messages. A shadow: key is read (shadow_path) but its file is not loaded. */
struct policy *policy_load_buffer(const char *buf, size_t len, const char *name,
    struct policy_errors *errs);

/* The file a shadow: value names: as written when absolute, else beside the policy at
 * path. Writes into out[0..outsz); returns 0, or -1 when it does not fit. */
int policy_shadow_file(const char *path, const char *shadow, char *out, size_t outsz);

/* Takes one more reference. */
void policy_ref(struct policy *p);
/* Drops a reference; frees the policy at zero. Accepts NULL. */
void policy_release(struct policy *p);

/* "deny", "warn", "off". */
const char *policy_action_name(enum action a);

#endif
