/* log.c - operational log: one line per event on stderr, "cisgate: LEVEL: text". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/log.h"

static const char *log_prog = "cisgate";
static int log_debug_on;

void
log_init(const char *progname, int debug)
{
	log_prog = progname;
	log_debug_on = debug;
}

static void
log_vline(const char *level, const char *fmt, va_list ap, int err)
{
	char line[1024];
	int n;

	n = vsnprintf(line, sizeof line, fmt, ap);
	if (n < 0)
		line[0] = '\0';
	/* One fprintf per line so concurrent threads do not interleave within a line. */
	if (err)
		fprintf(stderr, "%s: %s: %s: %s\n", log_prog, level, line, strerror(err));
	else
		fprintf(stderr, "%s: %s: %s\n", log_prog, level, line);
}

#define LOG_BODY(level, err)               \
	do {                               \
		va_list ap;                \
		va_start(ap, fmt);         \
		log_vline(level, fmt, ap, err); \
		va_end(ap);                \
	} while (0)

void
log_debug(const char *fmt, ...)
{
	if (log_debug_on)
		LOG_BODY("debug", 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY("info", 0);
}

void
log_warn(const char *fmt, ...)
{
	int e = errno;

	LOG_BODY("warning", e);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY("warning", 0);
}

void
log_err(const char *fmt, ...)
{
	int e = errno;

	LOG_BODY("error", e);
}

void
log_errx(const char *fmt, ...)
{
	LOG_BODY("error", 0);
}

void
fatal(const char *fmt, ...)
{
	int e = errno;

	LOG_BODY("fatal", e);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY("fatal", 0);
	exit(1);
}
