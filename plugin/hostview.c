/* hostview.c - resolves the host paths of a view's mounts into a side table the rules
 * read: the only I/O on behalf of the rules, done once before evaluation. */

#include "cisgate/hostview.h"
#include "cisgate/str.h"

static void
hostview_entry_fill(struct hostview_entry *he, const struct hostpath *hp, const char *input)
{
	struct strbuf sb;

	he->resolved = true;
	he->status = hp->status;
	he->type = hp->type;
	he->exists = hp->exists;
	str_copy(he->path, hp->path, sizeof he->path);
	str_copy(he->writable, hp->writable, sizeof he->writable);
	he->writable_uid = (unsigned)hp->writable_uid;
	he->writable_mode = (unsigned)hp->writable_mode & 07777;
	str_init(&sb, he->why, sizeof he->why);
	hostpath_explain(&sb, input, hp);
}

int
hostview_resolve(struct hostview *hv, const struct docker_view *v, int rootfd,
    uid_t trusted_uid)
{
	/* 12 KiB: the caller's stack is a request thread's; keep one, reused. */
	struct hostpath hp;
	size_t i;
	int failed = 0;

	hv->n = 0;
	for (i = 0; i < v->nmounts && i < CG_MOUNTS_MAX; i++) {
		const struct mount_view *m = &v->mounts[i];
		struct hostview_entry *he = &hv->e[i];

		/* Entries are not cleared (1 MiB): resolved says which ones hold a path. */
		he->resolved = false;
		he->path[0] = he->writable[0] = he->why[0] = '\0';
		hv->n = i + 1;
		if (m->kind != MOUNT_BIND && m->kind != MOUNT_VOLUME_BIND)
			continue;
		if (hostpath_resolve(rootfd, m->source, trusted_uid, &hp) != HOSTPATH_OK)
			failed++;
		hostview_entry_fill(he, &hp, m->source);
	}
	return failed;
}

const struct hostview_entry *
hostview_get(const struct hostview *hv, size_t i)
{
	if (hv == NULL || i >= hv->n || !hv->e[i].resolved)
		return NULL;
	return &hv->e[i];
}
