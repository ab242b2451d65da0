/* Host path resolution over real trees in a temporary directory used as the root: a
 * symlink planted in a world-writable directory must be judged where the kernel will
 * follow it, and never lead the walk outside the root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cisgate/hostpath.h"

struct tree {
	char dir[64];
	int fd; /* O_PATH of dir: the root handed to hostpath_resolve */
	int nfds; /* descriptors open after setup: a leak changes the count */
};

/* Results are large (three paths): one per test, not on the stack of each. */
static struct hostpath hp;

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static int
tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof *t);

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof t->dir, "/tmp/cg-hostpath.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	t->fd = open(t->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->fd < 0)
		return -1;
	t->nfds = count_fds();
	*state = t;
	return 0;
}

static int
tree_teardown(void **state)
{
	struct tree *t = *state;
	int leaked = count_fds() != t->nfds;

	close(t->fd);
	/* FTW_PHYS: the tree is full of links to "/etc"; never follow one. */
	nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return leaked ? -1 : 0; /* every walk, failed or not, closes what it opened */
}

static void
mk_dir(struct tree *t, const char *p, mode_t mode)
{
	assert_int_equal(mkdirat(t->fd, p, 0700), 0);
	assert_int_equal(fchmodat(t->fd, p, mode, 0), 0);
}

static void
mk_link(struct tree *t, const char *target, const char *p)
{
	assert_int_equal(symlinkat(target, t->fd, p), 0);
}

static void
mk_file(struct tree *t, const char *p)
{
	int fd = openat(t->fd, p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	close(fd);
}

static enum hostpath_status
resolve(struct tree *t, const char *p)
{
	return hostpath_resolve(t->fd, p, geteuid(), &hp);
}

/* Resolves p, expects it to exist as `type` at `want`, with no writable directory. */
static void
expect_exists(struct tree *t, const char *p, const char *want, enum hostpath_type type)
{
	assert_int_equal(resolve(t, p), HOSTPATH_OK);
	assert_string_equal(hp.path, want);
	assert_true(hp.exists);
	assert_string_equal(hp.tail, "");
	assert_int_equal(hp.type, type);
}

static void
test_plain(void **state)
{
	struct tree *t = *state;

	mk_dir(t, "etc", 0755);
	mk_file(t, "etc/passwd");
	expect_exists(t, "/etc", "/etc", HOSTPATH_T_DIR);
	assert_string_equal(hp.writable, "");
	expect_exists(t, "/etc/passwd", "/etc/passwd", HOSTPATH_T_FILE);
	expect_exists(t, "/", "/", HOSTPATH_T_DIR);
	assert_string_equal(hp.writable, "");
}

static void
test_absolute_link(void **state)
{
	struct tree *t = *state;

	mk_dir(t, "etc", 0755);
	mk_file(t, "etc/passwd");
	mk_dir(t, "data", 0755);
	/* "/etc" is the tree's etc, not the host's: absolute targets restart at the root. */
	mk_link(t, "/etc", "data/l");
	expect_exists(t, "/data/l", "/etc", HOSTPATH_T_DIR);
	expect_exists(t, "/data/l/passwd", "/etc/passwd", HOSTPATH_T_FILE);
	mk_link(t, "/etc/passwd", "data/f");
	expect_exists(t, "/data/f", "/etc/passwd", HOSTPATH_T_FILE);
}

static void
test_relative_dotdot(void **state)
{
	struct tree *t = *state;

	mk_dir(t, "etc", 0755);
	mk_file(t, "etc/marker");
	mk_dir(t, "a", 0755);
	mk_dir(t, "a/b", 0755);
	mk_link(t, "../../etc", "a/b/l");
	expect_exists(t, "/a/b/l", "/etc", HOSTPATH_T_DIR);
	/* Climbing past the root stays at the root: "marker" exists only in the tree. */
	mk_link(t, "../../../../../../../../etc", "a/b/up");
	expect_exists(t, "/a/b/up/marker", "/etc/marker", HOSTPATH_T_FILE);
	mk_link(t, "/../../../..", "a/b/top");
	expect_exists(t, "/a/b/top/etc/marker", "/etc/marker", HOSTPATH_T_FILE);
	/* ".." after a link is the parent of where the link led, as in the kernel
	 * (lexically "/lb/.." would be "/"). */
	mk_link(t, "a/b", "lb");
	expect_exists(t, "/lb/..", "/a", HOSTPATH_T_DIR);
	expect_exists(t, "/lb/../../etc", "/etc", HOSTPATH_T_DIR);
}

static void
test_chain(void **state)
{
	struct tree *t = *state;
	char name[16], target[16];
	int i;

	mk_dir(t, "etc", 0755);
	mk_dir(t, "d", 0755);
	mk_link(t, "c2", "c1");
	mk_link(t, "/d/c3", "c2");
	mk_link(t, "../etc", "d/c3");
	expect_exists(t, "/c1", "/etc", HOSTPATH_T_DIR);
	/* n0 -> n1 -> ... -> n40 -> etc: from n1 that is 40 links (the kernel's limit),
	 * from n0 one too many. */
	for (i = 0; i <= 40; i++) {
		snprintf(name, sizeof name, "n%d", i);
		if (i == 40)
			snprintf(target, sizeof target, "etc");
		else
			snprintf(target, sizeof target, "n%d", i + 1);
		mk_link(t, target, name);
	}
	expect_exists(t, "/n1", "/etc", HOSTPATH_T_DIR);
	assert_int_equal(resolve(t, "/n0"), HOSTPATH_E_LOOP);
	assert_false(hp.exists);
}

static void
test_loop(void **state)
{
	struct tree *t = *state;
	char msg[512];
	struct strbuf sb;

	mk_dir(t, "d", 0755);
	mk_link(t, "b", "d/a");
	mk_link(t, "/d/a", "d/b");
	assert_int_equal(resolve(t, "/d/a/x"), HOSTPATH_E_LOOP);
	assert_int_equal(hp.error, ELOOP);
	assert_false(hp.exists);
	assert_int_equal(hp.type, HOSTPATH_T_NONE);
	str_init(&sb, msg, sizeof msg);
	hostpath_explain(&sb, "/d/a/x", &hp);
	assert_non_null(strstr(msg, "cannot resolve host path /d/a/x: too many symbolic links"));
	mk_link(t, "self", "self");
	assert_int_equal(resolve(t, "/self"), HOSTPATH_E_LOOP);
}

static void
test_writable(void **state)
{
	struct tree *t = *state;

	mk_dir(t, "etc", 0755);
	mk_dir(t, "pub", 01777);
	mk_link(t, "/etc", "pub/l");
	/* The link is followed, and the directory holding it is reported: anyone can
	 * replace it between the check and the mount. */
	assert_int_equal(resolve(t, "/pub/l"), HOSTPATH_OK);
	assert_string_equal(hp.path, "/etc");
	assert_string_equal(hp.writable, "/pub");
	assert_int_equal(hp.writable_mode, 01777);
	/* The final directory counts too, and a directory left again by "..". */
	assert_int_equal(resolve(t, "/pub"), HOSTPATH_OK);
	assert_string_equal(hp.writable, "/pub");
	assert_int_equal(resolve(t, "/pub/../etc"), HOSTPATH_OK);
	assert_string_equal(hp.path, "/etc");
	assert_string_equal(hp.writable, "/pub");
	/* Group-writable, no sticky bit; the first one along the walk is named. */
	mk_dir(t, "g", 0775);
	mk_dir(t, "g/h", 0777);
	assert_int_equal(resolve(t, "/g/h"), HOSTPATH_OK);
	assert_string_equal(hp.writable, "/g");
	assert_int_equal(hp.writable_mode, 0775);
	/* Untouched path: nothing to report. */
	assert_int_equal(resolve(t, "/etc"), HOSTPATH_OK);
	assert_string_equal(hp.writable, "");
	/* Owned by another uid than the trusted one: the root itself is reported. */
	assert_int_equal(hostpath_resolve(t->fd, "/etc", geteuid() + 1, &hp), HOSTPATH_OK);
	assert_string_equal(hp.writable, "/");
	assert_int_equal(hp.writable_uid, geteuid());
}

static void
test_missing_tail(void **state)
{
	struct tree *t = *state;

	mk_dir(t, "data", 0755);
	assert_int_equal(resolve(t, "/data/new/sub"), HOSTPATH_OK);
	assert_false(hp.exists);
	assert_string_equal(hp.path, "/data/new/sub");
	assert_string_equal(hp.tail, "new/sub");
	assert_int_equal(hp.type, HOSTPATH_T_NONE);
	assert_int_equal(resolve(t, "/new"), HOSTPATH_OK);
	assert_string_equal(hp.path, "/new");
	assert_string_equal(hp.tail, "new");
	assert_int_equal(resolve(t, "/data/new/./x//"), HOSTPATH_OK);
	assert_string_equal(hp.path, "/data/new/x");
	assert_string_equal(hp.tail, "new/x");
	/* The kernel cannot walk back out of a directory that does not exist. */
	assert_int_equal(resolve(t, "/data/missing/../x"), HOSTPATH_E_NOENT);
	assert_string_equal(hp.path, "/data/missing");
	assert_string_equal(hp.tail, "");
	assert_false(hp.exists);
}

static void
test_missing_under_link(void **state)
{
	struct tree *t = *state;

	mk_dir(t, "etc", 0755);
	mk_dir(t, "pub", 01777);
	mk_link(t, "/etc", "pub/l");
	/* MkdirAll follows the link: the new directories land in /etc. */
	assert_int_equal(resolve(t, "/pub/l/new/dir"), HOSTPATH_OK);
	assert_false(hp.exists);
	assert_string_equal(hp.path, "/etc/new/dir");
	assert_string_equal(hp.tail, "new/dir");
	assert_string_equal(hp.writable, "/pub");
	/* A dangling link is judged where it points. */
	mk_link(t, "/nowhere/x", "pub/d");
	assert_int_equal(resolve(t, "/pub/d/y"), HOSTPATH_OK);
	assert_false(hp.exists);
	assert_string_equal(hp.path, "/nowhere/x/y");
	assert_string_equal(hp.tail, "nowhere/x/y");
}

static void
test_socket(void **state)
{
	struct tree *t = *state;
	struct sockaddr_un sa;
	int s;

	mk_dir(t, "run", 0755);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/run/d.sock", t->dir);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	close(s);
	expect_exists(t, "/run/d.sock", "/run/d.sock", HOSTPATH_T_SOCKET);
	mk_link(t, "/run/d.sock", "sock");
	expect_exists(t, "/sock", "/run/d.sock", HOSTPATH_T_SOCKET);
	assert_int_equal(mkfifoat(t->fd, "run/fifo", 0600), 0);
	expect_exists(t, "/run/fifo", "/run/fifo", HOSTPATH_T_FIFO);
	assert_string_equal(hostpath_type_str(HOSTPATH_T_SOCKET), "socket");
}

static void
test_notdir(void **state)
{
	struct tree *t = *state;
	char msg[512];
	struct strbuf sb;

	mk_dir(t, "d", 0755);
	mk_file(t, "d/f");
	assert_int_equal(resolve(t, "/d/f/x"), HOSTPATH_E_NOTDIR);
	assert_string_equal(hp.path, "/d/f");
	assert_false(hp.exists);
	str_init(&sb, msg, sizeof msg);
	hostpath_explain(&sb, "/d/f/x", &hp);
	assert_non_null(strstr(msg, "cannot resolve host path /d/f/x: not a directory: /d/f is "
	    "a file"));
	assert_non_null(strstr(msg, "the mount would fail"));
	/* A trailing "/" or "." needs a directory too, and so does a link text ending
	 * in "/". */
	assert_int_equal(resolve(t, "/d/f/"), HOSTPATH_E_NOTDIR);
	assert_int_equal(resolve(t, "/d/f/."), HOSTPATH_E_NOTDIR);
	assert_int_equal(resolve(t, "/d/f/.."), HOSTPATH_E_NOTDIR);
	mk_link(t, "f/", "d/lf");
	assert_int_equal(resolve(t, "/d/lf"), HOSTPATH_E_NOTDIR);
	/* Through a link to a file: the file is named, not the link. */
	mk_link(t, "/d/f", "lf2");
	assert_int_equal(resolve(t, "/lf2/x"), HOSTPATH_E_NOTDIR);
	assert_string_equal(hp.path, "/d/f");
	expect_exists(t, "/d/f", "/d/f", HOSTPATH_T_FILE);
}

static void
test_dots_and_slashes(void **state)
{
	struct tree *t = *state;

	mk_dir(t, "etc", 0755);
	mk_file(t, "etc/passwd");
	expect_exists(t, "//etc/./passwd", "/etc/passwd", HOSTPATH_T_FILE);
	expect_exists(t, "/./etc//", "/etc", HOSTPATH_T_DIR);
	expect_exists(t, "/..", "/", HOSTPATH_T_DIR);
	expect_exists(t, "/../etc/../../etc/.", "/etc", HOSTPATH_T_DIR);
	expect_exists(t, "///", "/", HOSTPATH_T_DIR);
}

static void
test_limits(void **state)
{
	struct tree *t = *state;
	static char p[HOSTPATH_MAX + 16];
	char msg[512];
	struct strbuf sb;
	size_t i;

	assert_int_equal(resolve(t, "etc"), HOSTPATH_E_INVALID);
	assert_int_equal(resolve(t, ""), HOSTPATH_E_INVALID);
	assert_int_equal(hostpath_resolve(t->fd, NULL, 0, &hp), HOSTPATH_E_INVALID);
	str_init(&sb, msg, sizeof msg);
	hostpath_explain(&sb, "etc", &hp);
	assert_non_null(strstr(msg, "not an absolute path"));
	/* PATH_MAX bytes with the NUL is one too many. */
	memset(p, 'a', HOSTPATH_MAX);
	p[0] = '/';
	p[HOSTPATH_MAX] = '\0';
	assert_int_equal(resolve(t, p), HOSTPATH_E_TOOLONG);
	p[HOSTPATH_MAX - 1] = '\0';
	assert_int_equal(resolve(t, p), HOSTPATH_E_TOOLONG); /* a 4094-byte name */
	/* NAME_MAX fits (missing), one more does not. */
	memset(p + 1, 'n', NAME_MAX);
	p[1 + NAME_MAX] = '\0';
	assert_int_equal(resolve(t, p), HOSTPATH_OK);
	assert_false(hp.exists);
	p[1 + NAME_MAX] = 'n';
	p[2 + NAME_MAX] = '\0';
	assert_int_equal(resolve(t, p), HOSTPATH_E_TOOLONG);
	/* More names walked than HOSTPATH_STEPS_MAX, in a short path. */
	for (i = 0; i <= HOSTPATH_STEPS_MAX; i++)
		memcpy(p + 2 * i, "/.", 2);
	p[2 * i] = '\0';
	assert_int_equal(resolve(t, p), HOSTPATH_E_TOOLONG);
	p[2 * (HOSTPATH_STEPS_MAX - 1)] = '\0';
	expect_exists(t, p, "/", HOSTPATH_T_DIR);
	/* Deeper than HOSTPATH_DEPTH_MAX existing directories. */
	for (i = 0; i <= HOSTPATH_DEPTH_MAX; i++) {
		memcpy(p + 2 * i, "/d", 2);
		p[2 * i + 2] = '\0';
		assert_int_equal(mkdirat(t->fd, p + 1, 0755), 0);
	}
	assert_int_equal(resolve(t, p), HOSTPATH_E_TOOLONG);
	p[2 * HOSTPATH_DEPTH_MAX] = '\0';
	expect_exists(t, p, p, HOSTPATH_T_DIR);
	/* A link whose text with the rest of the path exceeds PATH_MAX. */
	memset(p, 'x', 4000);
	p[0] = '/';
	p[4000] = '\0';
	mk_link(t, p, "big");
	memcpy(p, "/big/", 5);
	memset(p + 5, 'y', 200);
	p[205] = '\0';
	assert_int_equal(resolve(t, p), HOSTPATH_E_TOOLONG);
	assert_string_equal(hp.path, "/big");
}

/* A directory cisgate may not search is a result, not a crash. Root passes every
 * permission check, so the check runs as nobody in a child. */
static void
test_access(void **state)
{
	struct tree *t = *state;
	int status;
	pid_t pid;

	assert_int_equal(fchmodat(AT_FDCWD, t->dir, 0711, 0), 0);
	mk_dir(t, "locked", 0700);
	mk_dir(t, "locked/x", 0755);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		enum hostpath_status st;

		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(100);
		if (geteuid() == 0)
			_exit(101);
		st = hostpath_resolve(t->fd, "/locked/x/y", 0, &hp);
		if (st != HOSTPATH_E_ACCESS || hp.error != EACCES ||
		    strcmp(hp.path, "/locked/x") != 0)
			_exit(102);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

struct mover {
	char from[128], to[128];
	atomic_bool stop;
};

static void *
mover_run(void *arg)
{
	struct mover *m = arg;

	while (!atomic_load(&m->stop)) {
		if (rename(m->from, m->to) == 0)
			(void)rename(m->to, m->from);
		/* Under valgrind, whose lock is not fair, a thread that never yields can keep
		 * the walking thread from running at all (make test-valgrind hung here). */
		sched_yield();
	}
	return NULL;
}

/* A directory moved out of the root while the walk is inside it: its ".." is then
 * outside, and following it would read names there. The walk must notice
 * (HOSTPATH_E_CHANGED) or miss the directory, never come back with a name found
 * outside: "marker" is a file in the root's "a", a directory in the outside "x".
 * Racy by nature: for one second, as many walks as fit. */
static void
test_moved_out(void **state)
{
	struct tree *t = *state;
	struct mover m;
	struct timespec t0, now;
	char out[64];
	pthread_t th;
	int i, changed = 0, escaped = 0;

	snprintf(out, sizeof out, "/tmp/cg-hostpath-out.XXXXXX");
	assert_non_null(mkdtemp(out));
	snprintf(m.to, sizeof m.to, "%s/x", out);
	assert_int_equal(mkdir(m.to, 0755), 0);
	snprintf(m.to, sizeof m.to, "%s/x/marker", out);
	assert_int_equal(mkdir(m.to, 0755), 0);
	snprintf(m.to, sizeof m.to, "%s/x/b", out);
	snprintf(m.from, sizeof m.from, "%s/a/b", t->dir);
	mk_dir(t, "a", 0755);
	mk_dir(t, "a/b", 0755);
	mk_file(t, "a/marker");
	atomic_init(&m.stop, false);
	assert_int_equal(pthread_create(&th, NULL, mover_run, &m), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0;; i++) {
		/* Also fine: HOSTPATH_E_NOENT, "b" missing at the time. */
		enum hostpath_status st = resolve(t, "/a/b/../marker");

		if (st == HOSTPATH_E_CHANGED)
			changed++;
		else if (st == HOSTPATH_OK && (!hp.exists || hp.type != HOSTPATH_T_FILE))
			escaped++;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= 2 || (now.tv_sec - t0.tv_sec == 1 &&
		    now.tv_nsec >= t0.tv_nsec))
			break;
	}
	atomic_store(&m.stop, true);
	pthread_join(th, NULL);
	(void)rename(m.to, m.from);
	nftw(out, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	print_message("moved out during the walk (caught): %d of %d\n", changed, i + 1);
	assert_int_equal(escaped, 0);
}

/* The host's own root: on Debian /var/run is a link to /run. */
static void
test_real_root(void **state)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char msg[512];
	struct strbuf sb;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(hostpath_resolve(fd, "/var/run", 0, &hp), HOSTPATH_OK);
	assert_string_equal(hp.path, "/run");
	assert_true(hp.exists);
	assert_int_equal(hp.type, HOSTPATH_T_DIR);
	assert_string_equal(hp.writable, "");
	/* ".." after the link: the parent of /run, not /var. */
	assert_int_equal(hostpath_resolve(fd, "/var/run/..", 0, &hp), HOSTPATH_OK);
	assert_string_equal(hp.path, "/");
	assert_int_equal(hostpath_resolve(fd, "/tmp", 0, &hp), HOSTPATH_OK);
	assert_string_equal(hp.writable, "/tmp");
	assert_true((hp.writable_mode & 01002) == 01002);
	/* /proc/self means cisgate here and dockerd there: never followed by its text. */
	assert_int_equal(hostpath_resolve(fd, "/proc/self/root", 0, &hp), HOSTPATH_E_PROC);
	assert_string_equal(hp.path, "/proc/self");
	str_init(&sb, msg, sizeof msg);
	hostpath_explain(&sb, "/proc/self/root", &hp);
	assert_non_null(strstr(msg, "name the real host path"));
	assert_int_equal(hostpath_resolve(fd, "/dev/fd/0", 0, &hp), HOSTPATH_E_PROC);
	close(fd);
}

static void
test_under_ancestor(void **state)
{
	static const struct {
		const char *path, *base;
		bool ancestor; /* path is base or above it */
	} cases[] = {
		{"/var", "/var/lib/docker", true},
		{"/var/lib", "/var/lib/docker", true},
		{"/var/lib/docker", "/var/lib/docker", true},
		{"/", "/var/lib/docker", true},
		{"/", "/", true},
		{"/var/", "/var/lib/docker/", true},
		{"//var/./lib", "/var/lib/docker", true},
		{"/var/lib/docker/volumes", "/var/lib/docker", false},
		{"/variable", "/var", false},
		{"/var", "/variable", false},
		{"/var/li", "/var/lib", false},
		{"/etc", "/var/lib/docker", false},
		{"/var/lib/../log", "/var/log/cisgate", true},
		{"var", "/var/lib", false},
		{"/var", "var/lib", false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(hostpath_is_ancestor(cases[i].path, cases[i].base),
		    cases[i].ancestor);
		/* The inverse relation, with the arguments swapped. */
		assert_int_equal(hostpath_is_under(cases[i].base, cases[i].path),
		    cases[i].ancestor);
	}
	assert_true(hostpath_is_under("/var/lib/docker", "/var"));
	assert_true(hostpath_is_under("/anything", "/"));
	assert_false(hostpath_is_under("/variable", "/var"));
	assert_false(hostpath_is_under("/var", "/var/lib"));
}

static void
test_sensitive(void **state)
{
	char *list[] = {"/etc/ssl", "/etc", "/var/lib/docker", "/run/docker.sock",
	    "relative", "/"};
	size_t n = sizeof list / sizeof list[0], which = 99;

	(void)state;
	assert_int_equal(hostpath_sensitive(list, n, "/etc/shadow", &which), HOSTPATH_REL_UNDER);
	assert_int_equal(which, 1);
	/* Under "/etc" wins over being above "/etc/ssl", listed first. */
	assert_int_equal(hostpath_sensitive(list, n, "/etc", &which), HOSTPATH_REL_UNDER);
	assert_int_equal(which, 1);
	assert_int_equal(hostpath_sensitive(list, n, "/var", &which), HOSTPATH_REL_ANCESTOR);
	assert_int_equal(which, 2);
	assert_int_equal(hostpath_sensitive(list, n, "/var/lib/", &which), HOSTPATH_REL_ANCESTOR);
	assert_int_equal(which, 2);
	assert_int_equal(hostpath_sensitive(list, n, "/run", &which), HOSTPATH_REL_ANCESTOR);
	assert_int_equal(which, 3);
	assert_int_equal(hostpath_sensitive(list, n, "/var/lib/docker/volumes/x", &which),
	    HOSTPATH_REL_UNDER);
	assert_int_equal(which, 2);
	/* A listed "/" is "/" itself, not every path. */
	assert_int_equal(hostpath_sensitive(list, n, "/", &which), HOSTPATH_REL_UNDER);
	assert_int_equal(which, 5); /* though "/" is above "/etc/ssl" (0): UNDER wins */
	which = 99;
	assert_int_equal(hostpath_sensitive(list, n, "/home/me", &which), HOSTPATH_REL_NONE);
	assert_int_equal(which, 99);
	assert_int_equal(hostpath_sensitive(list, n, "/variable", NULL), HOSTPATH_REL_NONE);
	assert_int_equal(hostpath_sensitive(list, n, "/etcetera", NULL), HOSTPATH_REL_NONE);
	assert_int_equal(hostpath_sensitive(list, n, "relative", NULL), HOSTPATH_REL_INVALID);
	/* Without "/" in the list, "/" is above everything listed. */
	assert_int_equal(hostpath_sensitive(list, n - 1, "/", &which), HOSTPATH_REL_ANCESTOR);
	assert_int_equal(which, 0);
	assert_int_equal(hostpath_sensitive(list, 0, "/etc", &which), HOSTPATH_REL_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_absolute_link, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_relative_dotdot, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_chain, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_loop, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_writable, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_missing_tail, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_missing_under_link, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_socket, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_notdir, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_dots_and_slashes, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_limits, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_access, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_moved_out, tree_setup, tree_teardown),
		cmocka_unit_test(test_real_root),
		cmocka_unit_test(test_under_ancestor),
		cmocka_unit_test(test_sensitive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
