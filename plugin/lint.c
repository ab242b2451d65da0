/* lint.c - `cisgate lint`: the policy as serve would load it, its shadow, and the
 * exemptions about to stop waiving. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cisgate/exemption.h"
#include "cisgate/lint.h"
#include "cisgate/policy.h"
#include "cisgate/policysig.h"
#include "cisgate/str.h"

static void
lint_usage(void)
{
	fprintf(stderr, "usage: cisgate lint [--expiring DAYS] [--insecure-policy] "
	    "[--policy-key PUB|DIR] FILE\n");
}

static int
lint_expiry_one(const struct policy *p, time_t now, int64_t days, FILE *out)
{
	char text[256];
	size_t i;
	int n = 0;

	for (i = 0; i < p->nex; i++)
		if (exemption_expiry(&p->ex[i], now, days, text, sizeof text) != 0) {
			fprintf(out, "warning: %s: %s\n", p->path, text);
			n++;
		}
	return n;
}

int
lint_expiry(const struct policy *p, time_t now, int64_t days, FILE *out)
{
	int n = lint_expiry_one(p, now, days, out);

	if (p->shadow != NULL)
		n += lint_expiry_one(p->shadow, now, days, out);
	return n;
}

int
lint_main(int argc, char **argv)
{
	static const struct option opts[] = {{"expiring", required_argument, NULL, 'e'},
	    {"insecure-policy", no_argument, NULL, 'i'},
	    {"policy-key", required_argument, NULL, 'K'}, {NULL, 0, NULL, 0}};
	struct policy_errors errs;
	struct policy *p;
	struct policysig_keys *ks = NULL;
	const char *errstr, *pkey = NULL;
	int64_t days = LINT_EXPIRING_DAYS;
	bool insecure = false;
	size_t i;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "e:iK:", opts, NULL)) != -1) {
		switch (ch) {
		case 'K': pkey = optarg; break;
		case 'e':
			if (str_to_i64(optarg, 0, 3650, &days, &errstr) != 0) {
				fprintf(stderr, "cisgate: --expiring %s: %s (0..3650 days)\n", optarg,
				    errstr);
				return 2;
			}
			break;
		case 'i': insecure = true; break;
		default: lint_usage(); return 2;
		}
	}
	if (optind != argc - 1) {
		lint_usage();
		return 2;
	}
	/* The content first, every error with its place; then the file as serve trusts it. */
	if ((p = policy_load(argv[optind], true, &errs)) == NULL) {
		for (i = 0; i < errs.n; i++)
			printf("%s\n", errs.text[i]);
		if (errs.dropped)
			printf("(%zu more errors)\n", errs.dropped);
		return 1;
	}
	(void)lint_expiry(p, time(NULL), days, stdout);
	policy_release(p);
	/* Signed by a trusted key when serve would ask for it (--policy-key or keys beside
	 * the policy): a refused signature fails lint even with --insecure-policy. */
	if (policysig_keys_resolve(argv[optind], pkey, NULL, insecure, &ks, errs.text[0],
	        sizeof errs.text[0]) != 0) {
		printf("%s\n", errs.text[0]);
		return 1;
	}
	if (ks != NULL) {
		p = policy_load_signed(argv[optind], true, ks, &errs);
		policysig_keys_free(ks);
		if (p == NULL) {
			printf("%s\n", errs.n > 0 ? errs.text[0] : "policy refused");
			return 1;
		}
		printf("signature OK (key %s)\n", p->signed_by);
		if (p->shadow != NULL)
			printf("shadow signature OK (key %s)\n", p->shadow->signed_by);
		policy_release(p);
	}
	if ((p = policy_load(argv[optind], false, &errs)) == NULL && errs.n > 0) {
		/* serve would refuse it: never "policy OK". */
		printf("%s%s\n", insecure ? "warning: " : "", errs.text[0]);
		if (!insecure)
			return 1;
	}
	if (p != NULL && p->shadow != NULL)
		printf("shadow policy %s OK\n", p->shadow->path);
	policy_release(p);
	printf("policy OK\n");
	return 0;
}
