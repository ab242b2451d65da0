/* Replays a corpus without libFuzzer: DIR/<harness>/<file> through that harness, so every
 * input a fuzzer ever found stays a regression test in `make test`.
 *
 * Each harness runs its inputs in a child process, one after another as libFuzzer would;
 * the child tells the parent which input it is on, so an input that crashes or aborts is
 * named and counted, and the rest of the corpus still runs in a new child. A child that
 * fails only when it exits (a sanitizer's leak report) fails the harness. A missing or
 * empty corpus directory is a failure: a replay of nothing passes nothing. */
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

typedef int (*harness_fn)(const uint8_t *, size_t);

static const struct {
	const char *name;
	harness_fn fn;
} harnesses[] = {{"envelope", fuzz_envelope}, {"uri", fuzz_uri}, {"policy", fuzz_policy},
    {"decide", fuzz_decide}, {"compose", fuzz_compose}};

static int
replay_visible(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

/* Reads PATH whole and runs it through fn; exits the child on any failure. */
static void
replay_one(harness_fn fn, const char *path)
{
	FILE *f;
	uint8_t *buf;
	long len;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		exit(2);
	}
	/* One byte more, so that an empty file is a valid (non-NULL) buffer too. */
	if ((buf = malloc((size_t)len + 1)) == NULL ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len) {
		perror(path);
		exit(2);
	}
	fclose(f);
	if (fn(buf, (size_t)len) != 0) {
		fprintf(stderr, "%s: the harness returned non-zero\n", path);
		exit(1);
	}
	free(buf);
}

/* The child: runs inputs from..n-1, writing each index before it starts, then n. */
static void
replay_child(harness_fn fn, const char *dir, struct dirent **ents, size_t from, size_t n, int fd)
{
	char path[4096];
	size_t i;

	for (i = from; i <= n; i++) {
		if (write(fd, &i, sizeof i) != (ssize_t)sizeof i)
			_exit(2);
		if (i == n)
			break;
		snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
		replay_one(fn, path);
	}
	close(fd);
	exit(0); /* exit, not _exit: the sanitizers' leak check runs now */
}

static void
replay_status(char *buf, size_t len, int st)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, len, "exit status %d", WEXITSTATUS(st));
}

/* Replays every file of dir through fn. Returns the number of failures (a missing or
 * empty directory is one); *ran is the number of inputs that ran. */
static size_t
replay_dir(const char *name, harness_fn fn, const char *dir, size_t *ran)
{
	struct dirent **ents = NULL;
	size_t n, from = 0, failed = 0, i;
	int k;

	*ran = 0;
	if ((k = scandir(dir, &ents, replay_visible, alphasort)) < 0) {
		fprintf(stderr, "FAIL %s: %s: %s\n", name, dir, strerror(errno));
		return 1;
	}
	if ((n = (size_t)k) == 0) {
		fprintf(stderr, "FAIL %s: no inputs in %s\n", name, dir);
		free(ents);
		return 1;
	}
	while (from < n) {
		size_t at = from, got;
		char why[64];
		int fd[2], st;
		pid_t pid;
		ssize_t r;
		bool seen = false;

		if (pipe(fd) != 0) {
			perror("pipe");
			failed++;
			break;
		}
		fflush(NULL);
		if ((pid = fork()) < 0) {
			perror("fork");
			close(fd[0]);
			close(fd[1]);
			failed++;
			break;
		}
		if (pid == 0) {
			close(fd[0]);
			replay_child(fn, dir, ents, from, n, fd[1]);
		}
		close(fd[1]);
		while ((r = read(fd[0], &got, sizeof got)) == (ssize_t)sizeof got) {
			at = got;
			seen = true;
		}
		close(fd[0]);
		if (waitpid(pid, &st, 0) != pid) {
			perror("waitpid");
			failed++;
			break;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && seen && at == n) {
			*ran += n - from;
			break;
		}
		replay_status(why, sizeof why, st);
		failed++;
		if (seen && at == n) {
			/* Every input ran; the child failed on its way out. */
			fprintf(stderr, "FAIL %s: %s after its last input (see the report above)\n",
			    name, why);
			*ran += n - from;
			break;
		}
		if (!seen) {
			fprintf(stderr, "FAIL %s: the replay child died at once (%s)\n", name, why);
			break;
		}
		fprintf(stderr, "FAIL %s: %s/%s: %s\n", name, dir, ents[at]->d_name, why);
		*ran += at - from + 1;
		from = at + 1;
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return failed;
}

int
main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "tests/fuzz/corpus";
	size_t h, total = 0, failed = 0;

	for (h = 0; h < sizeof harnesses / sizeof harnesses[0]; h++) {
		char dir[1024];
		size_t ran, f;

		snprintf(dir, sizeof dir, "%s/%s", root, harnesses[h].name);
		f = replay_dir(harnesses[h].name, harnesses[h].fn, dir, &ran);
		printf("replay %s: %zu inputs, %zu failed\n", harnesses[h].name, ran, f);
		total += ran;
		failed += f;
	}
	printf("%zu inputs replayed, %zu failed\n", total, failed);
	return failed == 0 ? 0 : 1;
}
