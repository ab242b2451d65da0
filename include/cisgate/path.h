/* path.h - lexical path cleaning, as Go's path.Clean (which dockerd and its router use). */
#ifndef CISGATE_PATH_H
#define CISGATE_PATH_H

#include <stddef.h>

/* Cleans the absolute path in into out (outsz bytes): collapses "//", drops "." and
 * trailing "/", resolves ".." (never above "/"). in and out may be the same buffer.
 * Returns the length, or -1 when in is not absolute or the result does not fit. */
long path_clean(const char *in, char *out, size_t outsz);

#endif
