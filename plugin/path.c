/* path.c - lexical path cleaning. Pure. */
#include <string.h>

#include "cisgate/path.h"

long
path_clean(const char *in, char *out, size_t outsz)
{
	size_t o = 1;
	const char *r = in;

	if (in[0] != '/' || outsz < 2)
		return -1;
	out[0] = '/';
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
			/* Drop the last segment and the '/' before it; never above "/". */
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
			continue;
		}
		if (o + 1 + n >= outsz)
			return -1;
		/* The separator goes before a segment, never after: in place, the write
		 * position stays behind the read position and never reaches past it. */
		if (o > 1)
			out[o++] = '/';
		memmove(out + o, seg, n);
		o += n;
	}
	out[o] = '\0';
	return (long)o;
}
