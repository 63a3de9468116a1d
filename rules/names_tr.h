/*
 * names_tr.h -- the ICU transliterations behind the keys of rules/names.h
 * (internal to names.c and names_tr.c).
 *
 * Owns one set of transliterators per thread and, per thread, a cache of
 * what each character became (see names_tr.c for when a name may be
 * assembled from it); both freed at thread exit or by names_thread_end.
 */
#ifndef RULES_NAMES_TR_H
#define RULES_NAMES_TR_H

#include <stddef.h>
#include <stdint.h>

#include <unicode/utypes.h>

enum names_tr {
	NAMES_TR_SIMPLIFIED,	/* Traditional-Simplified */
	NAMES_TR_PINYIN,	/* Han-Latin; Latin-ASCII */
	NAMES_TR_CYRILLIC,	/* Cyrillic-Latin; Latin-ASCII */
	NAMES_TR_ANY,		/* Any-Latin; Latin-ASCII */
	NAMES_TR_ASCII,		/* Latin-ASCII */
	NAMES_TR_N
};

/* A growable UTF-16 string (malloc'ed s, len used, cap allocated). */
struct names_ustr {
	UChar	*s;
	int32_t	 len, cap;
};

/* Runs transliteration `which` over u in place (a character at a time
 * from the cache where that is exact, else ICU on the whole string);
 * 0 or -1 + err.  The result of the PINYIN and SIMPLIFIED ones is exact
 * only once spaces are removed: use them for joined keys. */
int	names_tr_run(struct names_ustr *u, enum names_tr which, char *err,
	    size_t errlen);

#endif
