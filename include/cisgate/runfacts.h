/* runfacts.h - the container that will run, as dockerd's facts tell it: the user a
 * create or exec really runs as, the containers a create joins, the image it resolves
 * to. Built by decide from looked-up facts (pure); read by the user, namespace and mount
 * rules and by exemption matching. */
#ifndef CISGATE_RUNFACTS_H
#define CISGATE_RUNFACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "cisgate/docker.h"
#include "cisgate/limits.h"

struct hostview;

/* The effective user. Only when resolved do the user rules read it; otherwise they
 * judge the request's User as written (offline, or a request that states it). */
struct run_user {
	bool resolved;
	bool uid_known;   /* false: a user name cisgate could not resolve (why in from) */
	int64_t uid;
	const char *name; /* !uid_known: the name, else "" */
	bool gid_known;
	int64_t gid;      /* the primary group runc gives the process */
	bool supp_zero;   /* /etc/group gives it group 0 as a supplementary group */
	char from[256];   /* "image busybox has no USER", "container web's USER 1000 ..." */
	char namebuf[64]; /* the name, when it comes from an image */
};

/* One container a create borrows from: --network/--pid/--ipc container:X, or
 * --volumes-from X[:ro|:rw]. */
struct run_join {
	const char *flag;            /* "--network", "--pid", "--ipc", "--volumes-from" */
	const char *ref;             /* X as the request names it (the fact's ref) */
	const struct docker_view *x; /* X as dockerd reports it */
	const char *via;             /* NULL; for a link of a chain, the container that
				      * joins X (the request joins via, via joins X) */
};

struct run_facts {
	struct run_user user;
	size_t njoins;
	struct run_join joins[CG_FACTS_MAX];
	/* The image a create resolves to, for image exemptions: NULL when not looked up
	 * (offline: the request's string is matched) unless image_unresolved says a lookup
	 * was needed and failed (then no image criterion matches). For an exec, the target
	 * container's image ID is in image_id and its Config.Image in the view. */
	const struct image_fact *image;
	bool image_unresolved;
	bool no_image; /* dockerd has no such image: it refuses the create (the CLI then
	                  pulls and asks again, and that create is judged) */
	const char *image_id; /* exec: the container's image ID, or "" */
	/* The existing container an exec, a start, a restart, an attach, a docker cp or an
	 * update's restart policy enters, as dockerd reports it: judged when it was made, unless that was before cisgate ran, while it
	 * was off, or under an older policy. NULL when none is entered. */
	const struct docker_view *entered;
	const char *entered_ref; /* as the request names it */
	const char *entered_how; /* "exec enters", "start runs", ... (decide_enters) */
	bool entered_mounts_only; /* an old-API start's HostConfig replaces all but the
	                             container's mounts and security profiles: only they
	                             are judged */
	/* Its bind sources resolved on the host now, as dockerd will mount them again (a
	 * link swapped in since it was made leads elsewhere), or NULL: judged as written. */
	const struct hostview *entered_host;
	bool entered_files_only;  /* docker cp: dockerd reads or writes the container's files
	                             through its mounts, and runs nothing in it: only the
	                             mounts are judged */
};

#endif
