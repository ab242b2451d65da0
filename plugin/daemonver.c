/* daemonver.c - dockerd's version from GET /version, for the daemon-cves rules. */
#include <stdio.h>
#include <string.h>

#include "cisgate/cves.h"
#include "cisgate/daemonver.h"
#include "cisgate/docker.h"
#include "cisgate/str.h"

int
daemonver_from_reply(const struct dockerc_reply *r, uint32_t *ver, char *raw, size_t rawsz,
    char *err, size_t errlen)
{
	*ver = 0;
	raw[0] = err[0] = '\0';
	if (r->status != 200 || r->body == NULL) {
		snprintf(err, errlen, "GET /version: %s", r->err[0] ? r->err : "no answer");
		return -1;
	}
	if (docker_version_answer(r->body, r->len, raw, rawsz) != 0) {
		snprintf(err, errlen, "GET /version: no Version in dockerd's answer");
		return -1;
	}
	if (cves_parse_version(raw, ver) != 0) {
		snprintf(err, errlen, "GET /version: cannot read version \"%.40s\"", raw);
		return -1;
	}
	return 0;
}

int
daemonver_read(const char *socket, unsigned timeout_ms, uint32_t *ver, char *raw, size_t rawsz,
    char *err, size_t errlen)
{
	struct dockerc_reply r;
	int rc;

	memset(&r, 0, sizeof r);
	(void)dockerc_get(socket, timeout_ms, "/version", &r);
	rc = daemonver_from_reply(&r, ver, raw, rawsz, err, errlen);
	dockerc_reply_clear(&r);
	return rc;
}
