/* log.h - operational log lines on stderr, one per event, with a level. */
#ifndef CISGATE_LOG_H
#define CISGATE_LOG_H

#include <stdarg.h>

#define CG_PRINTF(a, b) __attribute__((format(printf, a, b)))

void log_init(const char *progname, int debug);
void log_debug(const char *fmt, ...) CG_PRINTF(1, 2);
void log_info(const char *fmt, ...) CG_PRINTF(1, 2);
/* log_warn appends strerror(errno); log_warnx does not. */
void log_warn(const char *fmt, ...) CG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) CG_PRINTF(1, 2);
/* log_err/log_errx: what stops the daemon from starting (the caller exits); log_err
 * appends strerror(errno). */
void log_err(const char *fmt, ...) CG_PRINTF(1, 2);
void log_errx(const char *fmt, ...) CG_PRINTF(1, 2);
/* fatal/fatalx: start-up errors and impossible states only, never the request path. */
_Noreturn void fatal(const char *fmt, ...) CG_PRINTF(1, 2);
_Noreturn void fatalx(const char *fmt, ...) CG_PRINTF(1, 2);

#endif
