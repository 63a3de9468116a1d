/*
 * ident.c -- party identifiers (see ident.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

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

int
ident_check(const char *scheme, const char *value, char *why, size_t len)
{
	static const char *const known[] = { "uscc", "kz-bin", "inn", "eori",
	    "tin" };
	size_t	i;

	for (i = 0; i < sizeof known / sizeof *known; i++)
		if (strcmp(scheme, known[i]) == 0)
			break;
	if (i == sizeof known / sizeof *known) {
		snprintf(why, len, "unknown identifier scheme '%s'", scheme);
		return -1;
	}
	if (*value == '\0') {
		snprintf(why, len, "empty identifier");
		return -1;
	}
	return 0;
}

int
ident_guess(const char *value, const char **scheme)
{
	(void)value;
	*scheme = NULL;
	return -1;
}
