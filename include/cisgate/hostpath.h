/* hostpath.h - host paths resolved as the kernel will follow them when dockerd mounts
 * them: a bind source or a local-volume device is judged by where it leads, not by its
 * text. Resolution reads the host's file system (I/O, creates nothing); the relations
 * between paths are pure. */
#ifndef CISGATE_HOSTPATH_H
#define CISGATE_HOSTPATH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cisgate/str.h"

/* A path, a symbolic link's text and the resolved result, NUL included. */
#define HOSTPATH_MAX PATH_MAX
/* Symbolic links followed in one resolution: the kernel's MAXSYMLINKS. */
#define HOSTPATH_SYMLINKS_MAX 40
/* Directories deep below the root at any moment. */
#define HOSTPATH_DEPTH_MAX 128
/* Components walked in one resolution, symbolic links' text included: bounds the work
 * a planted chain of links can cause (real paths walk a few dozen). */
#define HOSTPATH_STEPS_MAX 1024

enum hostpath_status {
	HOSTPATH_OK = 0,     /* resolved: the whole path, or an existing prefix and a tail */
	HOSTPATH_E_INVALID,  /* not an absolute path */
	HOSTPATH_E_TOOLONG,  /* over HOSTPATH_MAX, a name over NAME_MAX, too deep or long */
	HOSTPATH_E_LOOP,     /* more than HOSTPATH_SYMLINKS_MAX symbolic links */
	HOSTPATH_E_NOTDIR,   /* a non-directory with more path below it */
	HOSTPATH_E_ACCESS,   /* a directory cisgate may not search */
	HOSTPATH_E_NOENT,    /* cannot exist: ".." below a missing name, or an empty link */
	HOSTPATH_E_PROC,     /* a link in /proc: the kernel does not follow its text */
	HOSTPATH_E_CHANGED,  /* a directory moved while it was walked */
	HOSTPATH_E_IO        /* any other error: see error */
};

enum hostpath_type {
	HOSTPATH_T_NONE = 0, /* missing, or not resolved */
	HOSTPATH_T_DIR,
	HOSTPATH_T_FILE,
	HOSTPATH_T_SOCKET,
	HOSTPATH_T_BLOCK,
	HOSTPATH_T_CHAR,
	HOSTPATH_T_FIFO,
	HOSTPATH_T_OTHER
};

struct hostpath {
	enum hostpath_status status;
	int error; /* the errno behind status, 0 when none */
	/* The resolved, cleaned absolute path (relative to the root fd): the existing
	 * prefix with every link followed, then "/" and the missing tail when !exists.
	 * On an error: the prefix resolved so far and the component that failed. */
	char path[HOSTPATH_MAX];
	bool exists;              /* every component exists */
	char tail[HOSTPATH_MAX];  /* the missing part, "a/b" (what MkdirAll would create) */
	enum hostpath_type type;  /* of the final component when it exists */
	/* The first existing directory along the walk (the root, every directory passed
	 * through, those holding the links followed, the final one) that a uid other than
	 * the trusted one may write: group- or other-writable, sticky or not, or owned by
	 * another uid. There the path can be swapped between cisgate's check and
	 * dockerd's mount. "" when none. */
	char writable[HOSTPATH_MAX];
	uid_t writable_uid;
	mode_t writable_mode;
};

/* Resolves the absolute path against the tree under rootfd (a directory; production
 * passes an fd of "/", tests a temporary directory) component by component, as the
 * kernel does for mount(2): every symbolic link is followed, the last one included; an
 * absolute link target restarts at rootfd; ".." goes to the parent of the directory
 * reached, never above rootfd. Nothing is created and nothing outside rootfd is
 * reached. dockerd cleans a bind source lexically (path.Clean) before it stats or
 * mounts it, so clean such a path with path_clean first; a local volume's device is
 * handed to mount(2) as written, so pass it as written.
 *
 * A missing component ends the walk with status HOSTPATH_OK and exists false: path is
 * where dockerd's MkdirAll would create the tail. trusted_uid owns the directories
 * nobody else may write (0 in production). Fills *out (about 12 KiB, caller memory;
 * nothing to free) and returns out->status. Thread-safe; never exits. */
enum hostpath_status hostpath_resolve(int rootfd, const char *path, uid_t trusted_uid,
    struct hostpath *out);

/* A short phrase for a status ("too many symbolic links"); static storage. */
const char *hostpath_status_str(enum hostpath_status st);

/* A word for a type ("directory", "socket", ...); static storage. */
const char *hostpath_type_str(enum hostpath_type t);

/* Appends the deny reason for a failed resolution of input to sb: "cannot resolve
 * host path INPUT: ..." naming the component that failed and what to change. Appends
 * nothing when hp->status is HOSTPATH_OK. */
void hostpath_explain(struct strbuf *sb, const char *input, const struct hostpath *hp);

/* True when path is base or below it; both absolute, compared after lexical cleaning
 * ("/var/lib/" is under "/var", "/variable" is not). False when either is not
 * absolute or does not fit HOSTPATH_MAX. Pure. */
bool hostpath_is_under(const char *path, const char *base);

/* True when path is base or a directory above it ("/var" and "/" are ancestors of
 * "/var/lib/docker", "/variable" is not): a mount of path exposes base. The inverse
 * of hostpath_is_under, with the same cleaning and failures. Pure. */
bool hostpath_is_ancestor(const char *path, const char *base);

enum hostpath_rel {
	HOSTPATH_REL_NONE = 0, /* neither below nor above any listed path */
	HOSTPATH_REL_UNDER,    /* the listed path itself or below it */
	HOSTPATH_REL_ANCESTOR, /* a directory above a listed path: mounting it exposes it */
	HOSTPATH_REL_INVALID   /* path is not absolute or too long: treat as sensitive */
};

/* How the resolved path relates to the sensitive paths list[0..n): UNDER the first
 * listed path it is or lies below, else ANCESTOR of the first listed path below it,
 * else NONE; *which (may be NULL) gets the index of that entry. A listed "/" stands
 * for "/" itself only, as in the sensitive-mounts rule (otherwise every bind would be
 * under it). List entries that are not absolute are skipped. Pure. */
enum hostpath_rel hostpath_sensitive(char *const *list, size_t n, const char *path,
    size_t *which);

#endif
