/* passwd.h - a user name or uid as a container resolves it: its /etc/passwd, as dockerd
 * hands it out (GET /containers/{id}/archive?path=/etc/passwd: a tar of one file). */
#ifndef CISGATE_PASSWD_H
#define CISGATE_PASSWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PASSWD_FILE_MAX ((size_t)1 << 20) /* larger /etc/passwd files are not read */
#define PASSWD_LINE_MAX ((size_t)64 << 10) /* runc's line reader (bufio) stops here */

/* The one regular file of a tar archive tar[0..len), after at most two pax headers:
 * *file points into tar, *flen its size. Returns 0; -2 when the entry is a link (dockerd
 * follows it, this does not); -1 when the archive is not a tar of one regular file (a
 * directory, a size past len or PASSWD_FILE_MAX, a bad checksum, a pax size). Pure. */
int passwd_tar_file(const char *tar, size_t len, const char **file, size_t *flen);

/* Looks up the entry of user (a name when !by_uid, else uid) in the passwd text
 * p[0..len) as runc does for dockerd: lines trimmed of white space, fields split at ':'
 * (a missing or unreadable uid or gid is 0), the first match wins; *uid and *gid get
 * what dockerd keeps (uint32). Returns 1 when found, 0 when not, -1 when a line is too
 * long for runc's reader (the exec fails there). Pure. */
int passwd_find(const char *p, size_t len, const char *name, bool by_uid, int64_t uid,
    int64_t *out_uid, int64_t *out_gid);

/* passwd_find() that also gives the entry's name (runc's matched user name, whose
 * /etc/group memberships become supplementary groups): *out_name points into p,
 * *out_namelen its length. Pure. */
int passwd_find_entry(const char *p, size_t len, const char *name, bool by_uid, int64_t uid,
    int64_t *out_uid, int64_t *out_gid, const char **out_name, size_t *out_namelen);

/* Whether the group text g[0..len) lists user (name[0..namelen)) as a member of a group
 * whose gid dockerd keeps as 0, read as runc reads /etc/group (lines trimmed, members
 * split at ',' and compared whole, a gid that does not read as a number is 0). Returns
 * 1 when it does, 0 when not, -1 when a line is too long for runc's reader. Pure. */
int passwd_group_zero(const char *g, size_t len, const char *name, size_t namelen);

#endif
