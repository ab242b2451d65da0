/* judged.c - the containers cisgate allowed at create (judged.h): a direct-mapped table
 * of binary IDs, one slot a hash; a collision replaces the older ID, which is then looked
 * up like one made before cisgate. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/judged.h"
#include "cisgate/str.h"

#define JUDGED_SLOTS 4096 /* a power of two; 128 KiB of IDs */

struct judged {
	pthread_mutex_t mu;
	char policy_sha[65];
	unsigned char id[JUDGED_SLOTS][32];
	unsigned char used[JUDGED_SLOTS];
};

/* The 32 bytes of a full ID; -1 for anything else. */
static int
judged_parse(const char *s, unsigned char out[32])
{
	size_t i;

	if (s == NULL || !str_is_full_id(s))
		return -1;
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(str_hexval(s[2 * i]) << 4 | str_hexval(s[2 * i + 1]));
	return 0;
}

static size_t
judged_slot(const unsigned char id[32])
{
	/* IDs are sha256 digests: their first bytes are already uniform. */
	return ((size_t)id[0] << 8 | id[1]) & (JUDGED_SLOTS - 1);
}

struct judged *
judged_new(void)
{
	struct judged *j = calloc(1, sizeof *j);

	if (j != NULL && pthread_mutex_init(&j->mu, NULL) != 0) {
		free(j);
		return NULL;
	}
	return j;
}

void
judged_free(struct judged *j)
{
	if (j == NULL)
		return;
	pthread_mutex_destroy(&j->mu);
	free(j);
}

void
judged_add(struct judged *j, const char *policy_sha, const char *id)
{
	unsigned char b[32];
	size_t k;

	if (j == NULL || policy_sha == NULL || strlen(policy_sha) != 64 ||
	    judged_parse(id, b) != 0)
		return;
	k = judged_slot(b);
	pthread_mutex_lock(&j->mu);
	if (strcmp(j->policy_sha, policy_sha) != 0) {
		memset(j->used, 0, sizeof j->used);
		memcpy(j->policy_sha, policy_sha, 65);
	}
	memcpy(j->id[k], b, 32);
	j->used[k] = 1;
	pthread_mutex_unlock(&j->mu);
}

bool
judged_has(struct judged *j, const char *policy_sha, const char *id)
{
	unsigned char b[32];
	size_t k;
	bool hit;

	if (j == NULL || policy_sha == NULL || judged_parse(id, b) != 0)
		return false;
	k = judged_slot(b);
	pthread_mutex_lock(&j->mu);
	hit = strcmp(j->policy_sha, policy_sha) == 0 && j->used[k] &&
	    memcmp(j->id[k], b, 32) == 0;
	pthread_mutex_unlock(&j->mu);
	return hit;
}
