/* cves.h - the daemon-cves rule family: Docker daemon CVEs reached through the API
 * itself, with the engine versions they affect. Which apply is decided from dockerd's
 * version (GET /version, read by serve at start, on reload and every minute, or by
 * `cisgate check --daemon-socket`), which reaches the evaluator as data in the policy
 * snapshot (policy.daemon_version), never by I/O. Pure. */
#ifndef CISGATE_CVES_H
#define CISGATE_CVES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cisgate/uri.h"

/* A version as one number: major * 1000000 + minor * 1000 + patch ("27.1.1" is
 * 27001001). 0 means unknown: every entry then applies (fail closed). */
#define CVES_VERSION(maj, min, pat) \
	((uint32_t)(maj)*1000000u + (uint32_t)(min)*1000u + (uint32_t)(pat))
#define CVES_RANGES_MAX 4

/* What a CVE's entry denies. */
enum cve_reach {
	CVE_REACH_BODYLESS,   /* a body-bearing request whose body did not reach AuthZ */
	CVE_REACH_ARCHIVE_PUT /* PUT /containers/{id}/archive (docker cp into a container) */
};

struct cve_def {
	int rule;          /* enum rule_id of its row in CG_RULES */
	const char *id;    /* "CVE-2024-41110" */
	const char *what;  /* one line: what an affected daemon does */
	const char *fixed; /* "23.0.15, 25.0.6, 26.1.5, 27.1.1" for messages */
	enum cve_reach reach;
	size_t nranges;
	struct {
		uint32_t lo, fixed;
	} ranges[CVES_RANGES_MAX]; /* affected: lo <= v < fixed */
};

extern const struct cve_def cves_table[];
extern const size_t cves_count;

/* Parses dockerd's version string ("20.10.24+dfsg1", "29.5.1", "28.0.0-rc.1") into *out:
 * the leading major.minor.patch, each 0..999 (a missing patch is 0). Returns 0, or -1
 * when it does not start so (then *out is 0, unknown). */
int cves_parse_version(const char *s, uint32_t *out);

/* Writes v as "M.m.p" (or "unknown" for 0) into out. */
void cves_format_version(uint32_t v, char *out, size_t outsz);

/* True when entry c affects a daemon of version v (0, unknown: true). */
bool cves_affects(const struct cve_def *c, uint32_t v);

/* The entry of rule r, or NULL when r is not a daemon-cves rule. */
const struct cve_def *cves_by_rule(int r);

/* True when a request of kind k reaches entry c. */
bool cves_reaches(const struct cve_def *c, enum ep_kind k, bool bodyless);

#endif
