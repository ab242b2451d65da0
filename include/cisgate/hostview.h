/* hostview.h - the host paths of a request's mounts resolved as the kernel will follow
 * them, one entry per mount index of the view, for the rules to read. Resolving is I/O
 * (done before evaluation); reading the table is pure. */
#ifndef CISGATE_HOSTVIEW_H
#define CISGATE_HOSTVIEW_H

#include <stdbool.h>
#include <sys/types.h>

#include "cisgate/docker.h"
#include "cisgate/hostpath.h"

/* One mount's host path. Only MOUNT_BIND and MOUNT_VOLUME_BIND entries are resolved. */
struct hostview_entry {
	bool resolved;               /* false: not a host path (or not looked at) */
	enum hostpath_status status; /* HOSTPATH_OK or why it failed */
	enum hostpath_type type;     /* of the final component when it exists */
	bool exists;
	char path[HOSTPATH_MAX];     /* where it leads (prefix + missing tail) */
	char writable[HOSTPATH_MAX]; /* a directory on the way another uid may write, or "" */
	unsigned writable_uid;
	unsigned writable_mode;
	char why[256];               /* hostpath_explain() of a failure, "" when OK */
};

/* About 1 MiB: keep it in long-lived or heap memory, not on a thread's stack. */
struct hostview {
	size_t n; /* entries filled: the view's nmounts */
	struct hostview_entry e[CG_MOUNTS_MAX];
};

/* Resolves the host path of every bind and local-volume bind of v against the tree
 * under rootfd (an fd of "/" in production) into *hv, entry i for v->mounts[i];
 * directories owned by trusted_uid (0 in production) and not writable by others are
 * trusted. A failed resolution is recorded in its entry (the rules deny it), never
 * returned. Returns the number of entries that failed. Never exits; nothing to free. */
int hostview_resolve(struct hostview *hv, const struct docker_view *v, int rootfd,
    uid_t trusted_uid);

/* Entry i of hv when it was resolved, else NULL (hv may be NULL). Pure. */
const struct hostview_entry *hostview_get(const struct hostview *hv, size_t i);

#endif
