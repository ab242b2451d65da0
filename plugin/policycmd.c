/* policycmd.c - `cisgate policy sign|verify`: the signature serve --policy-key checks,
 * made and checked from the command line (teams may sign with openssl pkeyutl instead). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/limits.h"
#include "cisgate/policycmd.h"
#include "cisgate/policysig.h"

static int
policycmd_usage(void)
{
	fprintf(stderr,
	    "usage: cisgate policy sign --key KEY FILE\n"
	    "       cisgate policy verify --key PUB|DIR [--key PUB|DIR ...] FILE\n");
	return 2;
}

static int
policycmd_verify(int argc, char **argv)
{
	struct policysig_keys *ks = NULL;
	char err[512], sigpath[PATH_MAX], keyid[CHECKPOINT_ID_HEX], *buf;
	size_t len;
	int i, rc;

	for (i = 1; i + 1 < argc && strcmp(argv[i], "--key") == 0; i += 2)
		/* Checking a signature trusts nothing on this host: no owner checks. */
		if (policysig_keys_add(&ks, argv[i + 1], true, err, sizeof err) != 0) {
			fprintf(stderr, "cisgate: %s\n", err);
			policysig_keys_free(ks);
			return 2;
		}
	if (ks == NULL || i != argc - 1) {
		policysig_keys_free(ks);
		return policycmd_usage();
	}
	if ((size_t)snprintf(sigpath, sizeof sigpath, "%s.sig", argv[i]) >= sizeof sigpath)
		snprintf(err, sizeof err, "%s: path too long", argv[i]);
	if (strlen(sigpath) != strlen(argv[i]) + 4 ||
	    (buf = policysig_read(argv[i], CG_POLICY_FILE_MAX, &len, err, sizeof err)) == NULL) {
		fprintf(stderr, "cisgate: %s\n", err);
		policysig_keys_free(ks);
		return 2;
	}
	rc = policysig_verify(ks, buf, len, sigpath, keyid, err, sizeof err);
	if (rc == 0)
		printf("%s: signature OK (key %s)\n", argv[i], keyid);
	else
		printf("%s: %s\n", argv[i], err);
	free(buf);
	policysig_keys_free(ks);
	return rc == 0 ? 0 : 1;
}

int
policycmd_main(int argc, char **argv)
{
	char err[512];

	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return policycmd_verify(argc - 1, argv + 1);
	if (argc != 5 || strcmp(argv[1], "sign") != 0 || strcmp(argv[2], "--key") != 0)
		return policycmd_usage();
	if (policysig_sign_file(argv[3], argv[4], err, sizeof err) != 0) {
		fprintf(stderr, "cisgate: %s\n", err);
		return 2;
	}
	printf("wrote %s.sig\n", argv[4]);
	return 0;
}
