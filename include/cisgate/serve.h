/* serve.h - the daemon's lifecycle: socket, signals, reload, shutdown. */
#ifndef CISGATE_SERVE_H
#define CISGATE_SERVE_H

#include <stdbool.h>

#define SERVE_DEFAULT_SOCKET "/run/docker/plugins/cisgate.sock"
#define SERVE_DEFAULT_POLICY "/etc/cisgate/policy.yaml"

struct serve_opts {
	const char *socket;
	const char *policy;
	const char *group;   /* socket group, or NULL */
	bool insecure_policy;
	bool watch;          /* reload when the policy file changes */
	unsigned idle_timeout; /* seconds before a silent connection is closed */
	unsigned workers;      /* worker threads; 0: one per CPU */
	const char *audit_file; /* --audit-file: in place of the policy's audit.file ("":
	                           none), at start and on every reload; NULL: the policy's */
	const char *shadow;     /* --shadow: a shadow policy in place of the policy's shadow:,
	                           loaded with it on every reload; NULL: the policy's */
	const char *policy_key;  /* --policy-key: a trusted public key (file or directory) */
	const char *policy_keys; /* --policy-keys: a directory of trusted keys (rotation) */
	const char *host_id;     /* --host-id: in place of audit.host_id (one policy for a
	                            fleet, each host named by its own unit); NULL: the policy's */
};

/* Runs until SIGTERM/SIGINT. Returns the process exit code: 0 after a clean stop,
 * 1 when it could not start (the reason is logged). */
int serve_run(const struct serve_opts *o);

#endif
