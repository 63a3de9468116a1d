/*
 * script.c -- the scripts railgate compares names in (script.h): one pass
 * over the UTF-8 text asking ICU each code point's script.
 */
#include <stdint.h>

#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "rules/script.h"

const char *
script_uncompared(const char *s, size_t len)
{
	int32_t		i = 0, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
	UChar32		c;
	UErrorCode	st = U_ZERO_ERROR;
	UScriptCode	sc;

	while (i < n) {
		U8_NEXT(s, i, n, c);
		if (c < 0)
			return "invalid UTF-8";
		sc = uscript_getScript(c, &st);
		if (U_FAILURE(st))
			return "Unknown";
		if (sc != USCRIPT_LATIN && sc != USCRIPT_CYRILLIC &&
		    sc != USCRIPT_HAN && sc != USCRIPT_COMMON &&
		    sc != USCRIPT_INHERITED)
			return uscript_getName(sc);
	}
	return NULL;
}
