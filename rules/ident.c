/*
 * ident.c -- party identifiers (see ident.h).
 */
#include <ctype.h>

#include "ident.h"

void
ident_normalise(const char *in, char *out, size_t outlen)
{
	size_t	n = 0;

	for (; *in != '\0' && n + 1 < outlen; in++) {
		if (*in == ' ' || *in == '-' || *in == '/' || *in == '.')
			continue;
		out[n++] = (char)toupper((unsigned char)*in);
	}
	if (outlen > 0)
		out[n] = '\0';
}
