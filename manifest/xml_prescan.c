/*
 * xml_prescan.c -- what an XML document is refused for from its bytes
 * alone, before libxml2 parses it (see xml_prescan.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "xml_prescan.h"

/* The number of attributes in the tag at p ('<' name ...), and where it
 * ends: quoted values are stepped over whole, so a '>' or '=' inside one
 * counts for nothing. */
static size_t
tag_attributes(const char *p, const char *end, const char **after)
{
	const char	*q;
	size_t		 n = 0;

	for (p++; p < end && *p != '>'; p++) {
		if (*p == '=')
			n++;
		else if (*p == '"' || *p == '\'') {
			if ((q = memchr(p + 1, *p, (size_t)(end - p - 1))) == NULL)
				break;
			p = q;
		}
	}
	*after = p < end ? p + 1 : end;
	return n;
}

/* The line of byte offset off (1-based). */
static uint32_t
line_of(const char *data, size_t off)
{
	const char	*p = data, *end = data + off, *q;
	uint32_t	 n = 1;

	while ((q = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p = q + 1;
	}
	return n;
}

/*
 * Where a start tag may carry more than max attributes: the '<' after
 * which more than max '=' come before the next '<', or NULL.  A raw '<'
 * stands in neither an attribute value nor text, so all of a tag's
 * attributes lie between its '<' and the next one; only '<' and '=' are
 * looked at, 16 bytes at a time where SSE2 is there, so that the whole
 * document passes at memory speed and the exact count below runs on the
 * few places that need it.
 */
static const char *
crowded_candidate(const char *p, const char *end, size_t max)
{
	const char	*seg = p;
	size_t		 n = 0;
#ifdef __SSE2__
	const __m128i	 lt = _mm_set1_epi8('<'), eq = _mm_set1_epi8('=');
	unsigned	 ml, me, m;
	int		 i;

	for (; end - p >= 16; p += 16) {
		__m128i	v = _mm_loadu_si128((const __m128i *)(const void *)p);

		ml = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lt));
		me = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, eq));
		if ((ml | me) == 0)
			continue;
		if (ml == 0) {
			if ((n += (size_t)__builtin_popcount(me)) > max)
				return seg;
			continue;
		}
		for (m = ml | me; m != 0; m &= m - 1) {
			i = __builtin_ctz(m);
			if (ml & (1u << i)) {
				seg = p + i;
				n = 0;
			} else if (++n > max)
				return seg;
		}
	}
#endif
	for (; p < end; p++) {
		if (*p == '<') {
			seg = p;
			n = 0;
		} else if (*p == '=' && ++n > max)
			return seg;
	}
	return NULL;
}

/*
 * The line of the first start tag with more than max attributes, or 0.
 * libxml2 compares each attribute of a tag with every earlier one (and
 * each namespace declaration likewise), so one tag with 100,000 of them
 * holds a worker for minutes: counted here, before libxml2 sees the
 * document.  A candidate is counted exactly, quoted values stepped over;
 * comments, CDATA and processing instructions are not tags.
 */
uint32_t
xml_crowded_tag_line(const char *data, size_t len, size_t max)
{
	const char	*p = data, *end = data + len, *after;

	while ((p = crowded_candidate(p, end, max)) != NULL) {
		if (*p == '<' && !(end - p >= 2 && (p[1] == '!' || p[1] == '?')) &&
		    tag_attributes(p, end, &after) > max)
			return line_of(data, (size_t)(p - data));
		if ((p = memchr(p + 1, '<', (size_t)(end - p - 1))) == NULL)
			break;
	}
	return 0;
}

/*
 * The line of the first run of more than max bytes without a '<', or 0:
 * a start tag whose attributes are that long (a raw '<' cannot stand in
 * an attribute value), or text that long (refused by the text limit
 * anyway, but here before libxml2 has built it).  16 bytes at a time
 * where SSE2 is there: a second pass over the document at memory speed.
 */
uint32_t
xml_long_run_line(const char *data, size_t len, size_t max)
{
	const char	*p = data, *end = data + len, *last = data;
#ifdef __SSE2__
	const __m128i	 lt = _mm_set1_epi8('<');
	unsigned	 m;

	for (; end - p >= 16; p += 16) {
		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		    _mm_loadu_si128((const __m128i *)(const void *)p), lt));
		if (m != 0)
			last = p + 31 - __builtin_clz(m);
		else if ((size_t)(p + 16 - last) > max)
			return line_of(data, (size_t)(last - data));
	}
#endif
	for (; p < end; p++) {
		if (*p == '<')
			last = p;
		else if ((size_t)(p + 1 - last) > max)
			return line_of(data, (size_t)(last - data));
	}
	return 0;
}

/*
 * True when data starts as UTF-16 without a byte order mark ("<?" as two
 * 16-bit units).  XML 1.0 (4.3.3) requires the mark; libxml2 would guess.
 */
bool
xml_utf16_without_bom(const char *data, size_t len)
{
	return len >= 4 && ((data[0] == '<' && data[1] == '\0' &&
	    data[2] == '?' && data[3] == '\0') || (data[0] == '\0' &&
	    data[1] == '<' && data[2] == '\0' && data[3] == '?'));
}

/*
 * The line of a DOCTYPE in the prolog (before the root element), or 0.
 * Checked before libxml2 sees the document, so that no DTD -- internal
 * subset included -- is ever parsed.
 */
uint32_t
xml_prolog_doctype_line(const char *p, size_t len)
{
	const char	*end = p + len;
	uint32_t	 lineno = 1;

	while (p < end) {
		if (*p == '\n')
			lineno++;
		if (*p != '<') {
			p++;
			continue;
		}
		if (end - p >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0)
			return lineno;
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			const char *q = p + 4;

			while (q + 2 < end && memcmp(q, "-->", 3) != 0) {
				lineno += *q == '\n';
				q++;
			}
			p = q;
			continue;
		}
		if (end - p >= 2 && p[1] == '?') {
			p += 2;
			continue;
		}
		return 0;	/* the root element: the prolog is over */
	}
	return 0;
}
