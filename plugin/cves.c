/* cves.c - the daemon-cves table and the version arithmetic it needs. Pure.
 * Ranges are from the vendors' advisories; every engine line without a fix is affected up
 * to the next line's fixed release. */
#include <stdio.h>
#include <string.h>

#include "cisgate/cves.h"
#include "cisgate/rules.h"
#include "cisgate/str.h"

const struct cve_def cves_table[] = {
    {R_CVE_2024_41110, "CVE-2024-41110", "AuthZ plugins can be sent a request without its body",
        "23.0.15, 25.0.6, 26.1.5, 27.1.1", CVE_REACH_BODYLESS, 4,
        {{0, CVES_VERSION(23, 0, 15)}, {CVES_VERSION(24, 0, 0), CVES_VERSION(25, 0, 6)},
            {CVES_VERSION(26, 0, 0), CVES_VERSION(26, 1, 5)},
            {CVES_VERSION(27, 0, 0), CVES_VERSION(27, 1, 1)}}},
    {R_CVE_2026_34040, "CVE-2026-34040", "AuthZ plugins are not sent bodies over 1 MiB", "29.3.1",
        CVE_REACH_BODYLESS, 1, {{0, CVES_VERSION(29, 3, 1)}}},
    {R_CVE_2026_41567, "CVE-2026-41567",
        "archives uploaded into a container are unpacked with its own binaries as host "
        "root",
        "29.5.1", CVE_REACH_ARCHIVE_PUT, 1, {{0, CVES_VERSION(29, 5, 1)}}},
};
const size_t cves_count = sizeof cves_table / sizeof cves_table[0];

/* One decimal part of at most three digits; *s moves past it. -1 when none. */
static int
cves_part(const char **s, uint32_t *out)
{
	const char *p = *s;
	uint32_t n = 0;
	size_t i;

	for (i = 0; p[i] >= '0' && p[i] <= '9'; i++) {
		if (i == 3)
			return -1;
		n = n * 10 + (uint32_t)(p[i] - '0');
	}
	if (i == 0)
		return -1;
	*s = p + i;
	*out = n;
	return 0;
}

int
cves_parse_version(const char *s, uint32_t *out)
{
	uint32_t maj, min, pat = 0;

	*out = 0;
	if (s == NULL)
		return -1;
	if (*s == 'v')
		s++;
	if (cves_part(&s, &maj) != 0 || *s++ != '.' || cves_part(&s, &min) != 0)
		return -1;
	/* "29.5" has no patch: .0. Anything after the patch (+dfsg1, -rc.1, ~ce) is ignored:
	 * distributions append their revision there; a release candidate counts as its
	 * release (docs/fields.md says so). */
	if (*s == '.') {
		s++;
		if (cves_part(&s, &pat) != 0)
			pat = 0;
	}
	if (maj == 0)
		return -1;
	*out = CVES_VERSION(maj, min, pat);
	return 0;
}

void
cves_format_version(uint32_t v, char *out, size_t outsz)
{
	if (v == 0)
		(void)str_copy(out, "unknown", outsz);
	else
		snprintf(out, outsz, "%u.%u.%u", v / 1000000u, v / 1000u % 1000u, v % 1000u);
}

bool
cves_affects(const struct cve_def *c, uint32_t v)
{
	size_t i;

	if (v == 0)
		return true;
	for (i = 0; i < c->nranges; i++)
		if (v >= c->ranges[i].lo && v < c->ranges[i].fixed)
			return true;
	return false;
}

const struct cve_def *
cves_by_rule(int r)
{
	size_t i;

	for (i = 0; i < cves_count; i++)
		if (cves_table[i].rule == r)
			return &cves_table[i];
	return NULL;
}

bool
cves_reaches(const struct cve_def *c, enum ep_kind k, bool bodyless)
{
	switch (c->reach) {
	case CVE_REACH_BODYLESS:
		return bodyless;
	case CVE_REACH_ARCHIVE_PUT:
		return k == EP_CONTAINER_ARCHIVE_PUT;
	}
	return false;
}
