/* slowsync.c - a slow disk for tests: LD_PRELOAD=slowsync.so makes every fdatasync take
 * CG_TEST_SYNC_MS milliseconds longer (the disk itself is left alone), so a suite can show
 * what cisgate does while the audit log's disk is slow, without a device to slow down. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int fdatasync(int fd);

int
fdatasync(int fd)
{
	static int (*real)(int);
	const char *ms = getenv("CG_TEST_SYNC_MS");
	struct timespec ts;
	long v;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "fdatasync");
	if (real == NULL)
		return -1;
	v = ms ? strtol(ms, NULL, 10) : 0;
	if (v > 0 && v < 60000) {
		ts.tv_sec = v / 1000;
		ts.tv_nsec = (v % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) != 0)
			;
	}
	return real(fd);
}
