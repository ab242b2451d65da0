/* Replays a corpus without libFuzzer: DIR/<harness>/<file> through that harness, so every
 * input a fuzzer ever found stays a regression test in `make test`. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const struct {
	const char *name;
	int (*fn)(const uint8_t *, size_t);
} harnesses[] = {{"envelope", fuzz_envelope}, {"uri", fuzz_uri}, {"policy", fuzz_policy},
    {"decide", fuzz_decide}};

int
main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "tests/fuzz/corpus";
	size_t h, total = 0;

	for (h = 0; h < sizeof harnesses / sizeof harnesses[0]; h++) {
		char dir[1024];
		struct dirent *de;
		DIR *d;
		size_t n = 0;

		snprintf(dir, sizeof dir, "%s/%s", root, harnesses[h].name);
		if ((d = opendir(dir)) == NULL) {
			perror(dir);
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			char path[2048];
			FILE *f;
			uint8_t *buf;
			long len;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
			    (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
				perror(path);
				return 1;
			}
			buf = malloc((size_t)len + 1);
			if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
				perror(path);
				return 1;
			}
			fclose(f);
			harnesses[h].fn(buf, (size_t)len);
			free(buf);
			n++;
		}
		closedir(d);
		printf("replay %s: %zu inputs\n", harnesses[h].name, n);
		total += n;
	}
	printf("%zu passed, 0 failed\n", total);
	return 0;
}
