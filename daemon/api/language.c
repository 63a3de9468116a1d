/*
 * language.c -- Accept-Language (RFC 9110, 12.5.4) against the console's
 * languages.  A range's primary subtag decides (ru-RU is ru); Chinese in
 * any script or region is served the one Chinese catalogue there is.
 * "*" and q=0 match nothing; an unreadable q counts as 1.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/api/language.h"

static const char *const languages[] = { "zh-Hans", "ru", "en", "kk", "vi" };

bool
language_known(const char *tag)
{
	size_t	i;

	for (i = 0; i < sizeof languages / sizeof languages[0]; i++)
		if (strcmp(tag, languages[i]) == 0)
			return true;
	return false;
}

/* The console's language for a range's primary subtag (len bytes), or NULL. */
static const char *
language_of(const char *range, size_t len)
{
	size_t	i;

	if (len == 2 && strncasecmp(range, "zh", 2) == 0)
		return "zh-Hans";
	for (i = 1; i < sizeof languages / sizeof languages[0]; i++)
		if (len == 2 && strncasecmp(range, languages[i], 2) == 0)
			return languages[i];
	return NULL;
}

/* The q of one element's parameters ("; q=0.8"), 0 to 1000. */
static int
language_q(const char *params, const char *end)
{
	const char	*q = params;
	double		 v;

	while (q < end && (q = strchr(q, ';')) != NULL && q < end) {
		q++;
		while (*q == ' ')
			q++;
		if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
			v = strtod(q + 2, NULL);
			if (v < 0 || v > 1)
				return 1000;
			return (int)(v * 1000 + 0.5);
		}
	}
	return 1000;
}

const char *
language_best(const char *h)
{
	const char	*best = "en", *p = h, *end, *lang;
	int		 best_q = 0, q;
	size_t		 len;

	if (h == NULL)
		return best;
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		end = p + strcspn(p, ",");
		len = strcspn(p, "-;, ");
		if ((lang = language_of(p, len)) != NULL &&
		    (q = language_q(p, end)) > best_q) {
			best = lang;
			best_q = q;
		}
		p = end;
	}
	return best;
}
