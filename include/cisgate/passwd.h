/* passwd.h - a user name or uid as a container resolves it: its /etc/passwd, as dockerd
 * hands it out (GET /containers/{id}/archive?path=/etc/passwd: a tar of one file). */
#ifndef CISGATE_PASSWD_H
#define CISGATE_PASSWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PASSWD_FILE_MAX ((size_t)1 << 20) /* larger /etc/passwd files are not read */

/* The one regular file of a tar archive tar[0..len): *file points into tar, *flen its
 * size. Returns 0, or -1 when the archive is not a tar of one regular file (a symlink, a
 * directory, a size past len or PASSWD_FILE_MAX, a bad checksum). Pure, bounded. */
int passwd_tar_file(const char *tar, size_t len, const char **file, size_t *flen);

/* Looks up the entry of user (a name when !by_uid, else uid) in the passwd text
 * p[0..len) as runc does (first match; lines that do not parse skipped). Returns true
 * and sets *uid and *gid when found. Pure. */
bool passwd_find(const char *p, size_t len, const char *name, bool by_uid, int64_t uid,
    int64_t *out_uid, int64_t *out_gid);

#endif
