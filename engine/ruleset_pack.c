/*
 * ruleset_pack.c -- see ruleset_pack.h.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "manifest/util.h"
#include "rules/rules.h"

#include "engine/input.h"
#include "engine/ruleset_pack.h"

void
ruleset_pack(const struct rules_file *files, size_t n, unsigned char **z,
    size_t *zlen)
{
	struct buf	b = { 0 };
	uLongf		len;
	size_t		i;

	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s%c%zu%c", files[i].name, '\0', files[i].len,
		    '\0');
		buf_add(&b, files[i].text, files[i].len);
	}
	len = compressBound((uLong)b.len);
	*z = xmalloc(len);
	if (compress2(*z, &len, (const Bytef *)b.data, (uLong)b.len,
	    Z_BEST_COMPRESSION) != Z_OK)
		len = 0;
	*zlen = len;
	buf_free(&b);
}

int
ruleset_unpack(const unsigned char *z, size_t zlen, char **data,
    struct rules_file **files, size_t *n)
{
	struct rules_file	*v = NULL;
	char			*raw, *p, *end, *nul1, *nul2;
	size_t			 len, count = 0, flen = 0;

	if (input_inflate_stored(z, zlen, &raw, &len) < 0)
		return -1;
	for (p = raw, end = raw + len; p < end; p = nul2 + 1 + flen) {
		if ((nul1 = memchr(p, '\0', (size_t)(end - p))) == NULL ||
		    (nul2 = memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1))) ==
		    NULL || (flen = strtoull(nul1 + 1, NULL, 10)) >
		    (size_t)(end - nul2 - 1)) {
			free(v);
			free(raw);
			return -1;
		}
		v = xreallocarray(v, count + 1, sizeof *v);
		v[count].name = p;
		v[count].path = NULL;
		v[count].text = nul2 + 1;
		v[count].len = flen;
		count++;
	}
	*data = raw;
	*files = v;
	*n = count;
	return 0;
}
