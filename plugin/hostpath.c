/* hostpath.c - host paths resolved component by component, as the kernel follows them
 * for mount(2), and the pure relations between cleaned paths. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cisgate/hostpath.h"
#include "cisgate/path.h"

/* One resolution in progress. out->path holds the resolved prefix: every component in
 * it is a directory that was opened without following a link. */
struct walk {
	struct hostpath *out;
	int rootfd;
	int cur;        /* O_PATH fd of the directory at out->path; rootfd at depth 0 */
	size_t depth;   /* directories below the root */
	size_t plen;    /* strlen(out->path) */
	uid_t trusted;
	unsigned links, steps;
	/* What was reached at each depth: ".." is checked against it, so a directory
	 * moved away mid-walk cannot lead the walk outside the root. */
	struct {
		dev_t dev;
		ino_t ino;
	} ids[HOSTPATH_DEPTH_MAX + 1];
	char rem[HOSTPATH_MAX]; /* what is left to walk; a link's text is spliced in front */
	size_t r;               /* read position in rem */
};

static enum hostpath_status
walk_fail(struct walk *w, enum hostpath_status st, int err)
{
	w->out->status = st;
	w->out->error = err;
	return st;
}

static enum hostpath_status
walk_errno(struct walk *w, int err)
{
	switch (err) {
	case EACCES:
		return walk_fail(w, HOSTPATH_E_ACCESS, err);
	case ENAMETOOLONG:
		return walk_fail(w, HOSTPATH_E_TOOLONG, err);
	case ELOOP:
		return walk_fail(w, HOSTPATH_E_LOOP, err);
	case ENOTDIR:
		return walk_fail(w, HOSTPATH_E_NOTDIR, err);
	default:
		return walk_fail(w, HOSTPATH_E_IO, err);
	}
}

/* Appends "/" and name[0..n) to out->path. -1 when it does not fit; the error path
 * then names as much of it as fits. */
static int
walk_push_name(struct walk *w, const char *name, size_t n)
{
	char *p = w->out->path;
	size_t sep = w->plen > 1 ? 1 : 0;

	if (w->plen + sep + n >= HOSTPATH_MAX) {
		if (w->plen + sep < HOSTPATH_MAX - 1) {
			size_t fit = HOSTPATH_MAX - 1 - w->plen - sep;

			if (sep)
				p[w->plen++] = '/';
			memcpy(p + w->plen, name, fit);
			w->plen += fit;
			p[w->plen] = '\0';
		}
		return -1;
	}
	if (sep)
		p[w->plen++] = '/';
	memcpy(p + w->plen, name, n);
	w->plen += n;
	p[w->plen] = '\0';
	return 0;
}

static void
walk_pop_name(struct walk *w)
{
	char *p = w->out->path;

	while (w->plen > 1 && p[w->plen - 1] != '/')
		w->plen--;
	if (w->plen > 1)
		w->plen--;
	p[w->plen] = '\0';
}

static void
walk_set_cur(struct walk *w, int fd)
{
	if (w->cur != w->rootfd)
		close(w->cur);
	w->cur = fd;
}

/* Records the directory at out->path when a uid other than the trusted one can write
 * it; only the first one found is kept. */
static void
walk_check_writable(struct walk *w, const struct stat *st)
{
	struct hostpath *out = w->out;

	if (out->writable[0] != '\0')
		return;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0 && st->st_uid == w->trusted)
		return;
	memcpy(out->writable, out->path, w->plen + 1);
	out->writable_uid = st->st_uid;
	out->writable_mode = st->st_mode & 07777;
}

static enum hostpath_type
type_of(mode_t m)
{
	if (S_ISDIR(m))
		return HOSTPATH_T_DIR;
	if (S_ISREG(m))
		return HOSTPATH_T_FILE;
	if (S_ISSOCK(m))
		return HOSTPATH_T_SOCKET;
	if (S_ISBLK(m))
		return HOSTPATH_T_BLOCK;
	if (S_ISCHR(m))
		return HOSTPATH_T_CHAR;
	if (S_ISFIFO(m))
		return HOSTPATH_T_FIFO;
	return HOSTPATH_T_OTHER;
}

/* Takes the next component of rem into name (n bytes, NUL-terminated). Returns 0, 1 at
 * the end of rem, or -1 when a name is longer than NAME_MAX. */
static int
next_name(const char *rem, size_t *r, char *name, size_t *n)
{
	const char *s;
	size_t len;

	while (rem[*r] == '/')
		(*r)++;
	if (rem[*r] == '\0')
		return 1;
	s = rem + *r;
	len = strcspn(s, "/");
	*r += len;
	if (len > NAME_MAX)
		return -1;
	memcpy(name, s, len);
	name[len] = '\0';
	*n = len;
	return 0;
}

static bool
is_dot(const char *name, size_t n)
{
	return n == 1 && name[0] == '.';
}

static bool
is_dotdot(const char *name, size_t n)
{
	return n == 2 && name[0] == '.' && name[1] == '.';
}

/* ".." after resolution, as the kernel does it: the parent of the directory reached,
 * and at the root the root itself. */
static enum hostpath_status
walk_dotdot(struct walk *w)
{
	struct stat st;
	int fd;

	if (w->depth == 0)
		return HOSTPATH_OK;
	fd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return walk_errno(w, errno);
	if (fstat(fd, &st) != 0) {
		int err = errno;

		close(fd);
		return walk_errno(w, err);
	}
	if (st.st_dev != w->ids[w->depth - 1].dev || st.st_ino != w->ids[w->depth - 1].ino) {
		close(fd);
		return walk_fail(w, HOSTPATH_E_CHANGED, 0);
	}
	w->depth--;
	if (w->depth == 0) {
		/* Back at the root: keep using the caller's fd, never one reached by "..". */
		close(fd);
		fd = w->rootfd;
	}
	walk_set_cur(w, fd);
	walk_pop_name(w);
	return HOSTPATH_OK;
}

/* Splices the text of the link fd (named name in the current directory) in front of
 * what is left to walk; an absolute text restarts the walk at the root. */
static enum hostpath_status
walk_link(struct walk *w, int fd, const char *name, size_t n)
{
	char text[HOSTPATH_MAX];
	struct statfs sfs;
	ssize_t len;
	size_t rest;

	/* /proc/self, /proc/PID/root, /proc/PID/fd/N: what the kernel follows depends on
	 * the process that looks (cisgate is not dockerd) or is not named by the text. */
	if (fstatfs(w->cur, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC) {
		(void)walk_push_name(w, name, n);
		return walk_fail(w, HOSTPATH_E_PROC, 0);
	}
	if (++w->links > HOSTPATH_SYMLINKS_MAX) {
		(void)walk_push_name(w, name, n);
		return walk_fail(w, HOSTPATH_E_LOOP, ELOOP);
	}
	len = readlinkat(fd, "", text, sizeof text);
	if (len < 0 || (size_t)len >= sizeof text || len == 0) {
		int err = len < 0 ? errno : len == 0 ? ENOENT : ENAMETOOLONG;

		(void)walk_push_name(w, name, n);
		if (len == 0)
			return walk_fail(w, HOSTPATH_E_NOENT, err);
		return walk_errno(w, err);
	}
	rest = strlen(w->rem + w->r);
	if ((size_t)len + rest >= sizeof w->rem) {
		(void)walk_push_name(w, name, n);
		return walk_fail(w, HOSTPATH_E_TOOLONG, ENAMETOOLONG);
	}
	/* What is left starts with "/" or is empty: no separator to add, and a text
	 * ending in "/" keeps the kernel's "must be a directory" meaning. */
	memmove(w->rem + len, w->rem + w->r, rest + 1);
	memcpy(w->rem, text, (size_t)len);
	w->r = 0;
	if (text[0] == '/') {
		walk_set_cur(w, w->rootfd);
		w->depth = 0;
		w->plen = 1;
		w->out->path[1] = '\0';
	}
	return HOSTPATH_OK;
}

/* name does not exist in the current directory: the rest of rem becomes the tail that
 * dockerd's MkdirAll would create below the resolved prefix. */
static enum hostpath_status
walk_missing(struct walk *w, const char *name, size_t n)
{
	struct hostpath *out = w->out;
	char comp[NAME_MAX + 1];
	size_t tlen = n, cn;
	int rc;

	memcpy(out->tail, name, n + 1);
	if (walk_push_name(w, name, n) != 0)
		return walk_fail(w, HOSTPATH_E_TOOLONG, ENAMETOOLONG);
	while ((rc = next_name(w->rem, &w->r, comp, &cn)) == 0) {
		if (is_dot(comp, cn))
			continue;
		/* The kernel cannot walk into a missing directory to come back out. */
		if (is_dotdot(comp, cn))
			return walk_fail(w, HOSTPATH_E_NOENT, ENOENT);
		if (walk_push_name(w, comp, cn) != 0)
			return walk_fail(w, HOSTPATH_E_TOOLONG, ENAMETOOLONG);
		/* The tail is shorter than path, which just fitted. */
		out->tail[tlen++] = '/';
		memcpy(out->tail + tlen, comp, cn + 1);
		tlen += cn;
	}
	if (rc < 0)
		return walk_fail(w, HOSTPATH_E_TOOLONG, ENAMETOOLONG);
	out->exists = false;
	out->type = HOSTPATH_T_NONE;
	return HOSTPATH_OK;
}

/* One component: "." and ".." as the kernel treats them, a link spliced in, a
 * directory entered. Returns HOSTPATH_OK to go on; *done is set when the walk ended
 * on a non-directory or a missing name (out filled). */
static enum hostpath_status
walk_step(struct walk *w, const char *name, size_t n, bool *done)
{
	struct hostpath *out = w->out;
	struct stat st;
	int fd;

	if (is_dot(name, n))
		return HOSTPATH_OK;
	if (is_dotdot(name, n))
		return walk_dotdot(w);
	fd = openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		if (err == ENOENT) {
			*done = true;
			return walk_missing(w, name, n);
		}
		(void)walk_push_name(w, name, n);
		return walk_errno(w, err);
	}
	if (fstat(fd, &st) != 0) {
		int err = errno;

		close(fd);
		(void)walk_push_name(w, name, n);
		return walk_errno(w, err);
	}
	if (S_ISLNK(st.st_mode)) {
		enum hostpath_status s = walk_link(w, fd, name, n);

		close(fd);
		return s;
	}
	if (walk_push_name(w, name, n) != 0) {
		close(fd);
		return walk_fail(w, HOSTPATH_E_TOOLONG, ENAMETOOLONG);
	}
	if (!S_ISDIR(st.st_mode)) {
		close(fd);
		/* Anything after it, even a lone "/" or ".", needs a directory. */
		if (w->rem[w->r] != '\0')
			return walk_fail(w, HOSTPATH_E_NOTDIR, ENOTDIR);
		out->exists = true;
		out->type = type_of(st.st_mode);
		*done = true;
		return HOSTPATH_OK;
	}
	if (w->depth == HOSTPATH_DEPTH_MAX) {
		close(fd);
		return walk_fail(w, HOSTPATH_E_TOOLONG, ENAMETOOLONG);
	}
	w->depth++;
	w->ids[w->depth].dev = st.st_dev;
	w->ids[w->depth].ino = st.st_ino;
	walk_set_cur(w, fd);
	walk_check_writable(w, &st);
	return HOSTPATH_OK;
}

enum hostpath_status
hostpath_resolve(int rootfd, const char *path, uid_t trusted_uid, struct hostpath *out)
{
	struct walk w;
	struct stat st;
	char name[NAME_MAX + 1];
	enum hostpath_status s = HOSTPATH_OK;
	size_t n, len;
	bool done = false;
	int rc;

	out->status = HOSTPATH_OK;
	out->error = 0;
	out->path[0] = '/';
	out->path[1] = '\0';
	out->exists = false;
	out->tail[0] = '\0';
	out->type = HOSTPATH_T_NONE;
	out->writable[0] = '\0';
	out->writable_uid = 0;
	out->writable_mode = 0;

	w.out = out;
	w.rootfd = w.cur = rootfd;
	w.depth = 0;
	w.plen = 1;
	w.trusted = trusted_uid;
	w.links = w.steps = 0;
	w.r = 0;
	if (path == NULL || path[0] != '/') {
		out->path[0] = '\0';
		return walk_fail(&w, HOSTPATH_E_INVALID, EINVAL);
	}
	len = strnlen(path, HOSTPATH_MAX);
	if (len >= HOSTPATH_MAX)
		return walk_fail(&w, HOSTPATH_E_TOOLONG, ENAMETOOLONG);
	memcpy(w.rem, path, len + 1);
	if (fstat(rootfd, &st) != 0)
		return walk_fail(&w, HOSTPATH_E_IO, errno);
	if (!S_ISDIR(st.st_mode))
		return walk_fail(&w, HOSTPATH_E_IO, ENOTDIR);
	w.ids[0].dev = st.st_dev;
	w.ids[0].ino = st.st_ino;
	walk_check_writable(&w, &st);

	while (!done && s == HOSTPATH_OK) {
		rc = next_name(w.rem, &w.r, name, &n);
		if (rc > 0) {
			/* Ended on a directory: the root, a "..", or one entered. */
			out->exists = true;
			out->type = HOSTPATH_T_DIR;
			break;
		}
		if (rc < 0 || ++w.steps > HOSTPATH_STEPS_MAX) {
			s = walk_fail(&w, HOSTPATH_E_TOOLONG, ENAMETOOLONG);
			break;
		}
		s = walk_step(&w, name, n, &done);
	}
	walk_set_cur(&w, rootfd);
	if (s != HOSTPATH_OK) {
		out->exists = false;
		out->type = HOSTPATH_T_NONE;
		out->tail[0] = '\0';
	}
	return s;
}

const char *
hostpath_status_str(enum hostpath_status st)
{
	switch (st) {
	case HOSTPATH_OK:
		return "resolved";
	case HOSTPATH_E_INVALID:
		return "not an absolute path";
	case HOSTPATH_E_TOOLONG:
		return "path too long";
	case HOSTPATH_E_LOOP:
		return "too many symbolic links";
	case HOSTPATH_E_NOTDIR:
		return "not a directory";
	case HOSTPATH_E_ACCESS:
		return "permission denied";
	case HOSTPATH_E_NOENT:
		return "no such file or directory";
	case HOSTPATH_E_PROC:
		return "a /proc link";
	case HOSTPATH_E_CHANGED:
		return "the path changed while it was checked";
	case HOSTPATH_E_IO:
		break;
	}
	return "error";
}

const char *
hostpath_type_str(enum hostpath_type t)
{
	switch (t) {
	case HOSTPATH_T_NONE:
		return "missing";
	case HOSTPATH_T_DIR:
		return "directory";
	case HOSTPATH_T_FILE:
		return "regular file";
	case HOSTPATH_T_SOCKET:
		return "socket";
	case HOSTPATH_T_BLOCK:
		return "block device";
	case HOSTPATH_T_CHAR:
		return "character device";
	case HOSTPATH_T_FIFO:
		return "named pipe";
	case HOSTPATH_T_OTHER:
		break;
	}
	return "special file";
}

void
hostpath_explain(struct strbuf *sb, const char *input, const struct hostpath *hp)
{
	const char *at = hp->path;

	if (hp->status == HOSTPATH_OK)
		return;
	str_appendf(sb, "cannot resolve host path %.256s: %s", input,
	    hostpath_status_str(hp->status));
	switch (hp->status) {
	case HOSTPATH_E_INVALID:
		str_append(sb, "; name the host directory by its absolute path");
		break;
	case HOSTPATH_E_TOOLONG:
		str_appendf(sb, " (over %d bytes, a name over %d bytes, or over %d directories "
		    "or %d names walked); shorten it", HOSTPATH_MAX - 1, NAME_MAX,
		    HOSTPATH_DEPTH_MAX, HOSTPATH_STEPS_MAX);
		break;
	case HOSTPATH_E_LOOP:
		str_appendf(sb, " (more than %d, or a loop) at %.256s; name the real directory",
		    HOSTPATH_SYMLINKS_MAX, at);
		break;
	case HOSTPATH_E_NOTDIR:
		str_appendf(sb, ": %.256s is a file and the path goes on below it, so the mount "
		    "would fail; name a directory", at);
		break;
	case HOSTPATH_E_ACCESS:
		str_appendf(sb, " at %.256s; cisgate cannot see where the path leads", at);
		break;
	case HOSTPATH_E_NOENT:
		str_appendf(sb, " at %.256s (a missing directory followed by \"..\", or an empty "
		    "symbolic link), so the mount would fail; name an existing directory", at);
		break;
	case HOSTPATH_E_PROC:
		str_appendf(sb, " at %.256s: the kernel follows it per process, not by its "
		    "text; name the real host path", at);
		break;
	case HOSTPATH_E_CHANGED:
		str_append(sb, "; a directory on it was moved during the check, retry");
		break;
	case HOSTPATH_E_IO:
		str_appendf(sb, " at %.256s: %s", at, strerrordesc_np(hp->error) ?
		    strerrordesc_np(hp->error) : "unknown error");
		break;
	case HOSTPATH_OK:
		break;
	}
}

/* path and base cleaned: path is base or below it. */
static bool
under_clean(const char *path, const char *base)
{
	size_t n = strlen(base);

	if (n == 1)
		return true; /* base is "/" */
	return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool
hostpath_is_under(const char *path, const char *base)
{
	char p[HOSTPATH_MAX], b[HOSTPATH_MAX];

	if (path_clean(path, p, sizeof p) < 0 || path_clean(base, b, sizeof b) < 0)
		return false;
	return under_clean(p, b);
}

bool
hostpath_is_ancestor(const char *path, const char *base)
{
	return hostpath_is_under(base, path);
}

enum hostpath_rel
hostpath_sensitive(char *const *list, size_t n, const char *path, size_t *which)
{
	char p[HOSTPATH_MAX], e[HOSTPATH_MAX];
	size_t i, anc = SIZE_MAX;

	if (path_clean(path, p, sizeof p) < 0)
		return HOSTPATH_REL_INVALID;
	for (i = 0; i < n; i++) {
		if (list[i] == NULL || path_clean(list[i], e, sizeof e) < 0)
			continue;
		if (e[1] == '\0') {
			/* "/" itself only; every path is below it, none above it. */
			if (p[1] == '\0')
				goto found;
			continue;
		}
		if (under_clean(p, e))
			goto found;
		if (anc == SIZE_MAX && under_clean(e, p))
			anc = i;
	}
	if (anc == SIZE_MAX)
		return HOSTPATH_REL_NONE;
	if (which != NULL)
		*which = anc;
	return HOSTPATH_REL_ANCESTOR;
found:
	if (which != NULL)
		*which = i;
	return HOSTPATH_REL_UNDER;
}
