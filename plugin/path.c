/* path.c - lexical path cleaning. Pure. */
#include <string.h>

#include "cisgate/path.h"

long
path_clean(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	const char *r = in;

	if (in[0] != '/' || outsz < 2)
		return -1;
	out[o++] = '/';
	while (*r) {
		const char *seg;
		size_t n;

		while (*r == '/')
			r++;
		seg = r;
		while (*r && *r != '/')
			r++;
		n = (size_t)(r - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (o > 1) {
				o--; /* the '/' after the last segment */
				while (o > 1 && out[o - 1] != '/')
					o--;
			}
			continue;
		}
		if (o + n + 1 >= outsz)
			return -1;
		/* The write position never passes the read position: in-place is safe. */
		memmove(out + o, seg, n);
		o += n;
		out[o++] = '/';
	}
	if (o > 1)
		o--;
	out[o] = '\0';
	return (long)o;
}
