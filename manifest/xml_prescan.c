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
 * Where a start tag may carry more than max_attrs attributes -- the '<'
 * after which more than max_attrs '=' come before the next '<' -- or
 * where more than max_run bytes pass without a '<' (*long_run set: the
 * run starts there); NULL when neither.  A raw '<' stands in neither an
 * attribute value nor text, so all of a tag's attributes lie between its
 * '<' and the next one, and a longer run is a start tag or text over the
 * limit.  Only '<' and '=' are looked at, 16 bytes at a time where SSE2
 * is there, so that the whole document passes once at memory speed and
 * the exact count runs on the few places that need it.
 */
static const char *
scan_candidate(const char *p, const char *end, size_t max_attrs,
    size_t max_run, bool *long_run)
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
		if (ml == 0 && (size_t)(p + 16 - seg) > max_run) {
			*long_run = true;
			return seg;
		}
		if ((ml | me) == 0)
			continue;
		if (ml == 0) {
			if ((n += (size_t)__builtin_popcount(me)) > max_attrs)
				return seg;
			continue;
		}
		for (m = ml | me; m != 0; m &= m - 1) {
			i = __builtin_ctz(m);
			if (ml & (1u << i)) {
				seg = p + i;
				n = 0;
			} else if (++n > max_attrs)
				return seg;
		}
	}
#endif
	for (; p < end; p++) {
		if (*p == '<') {
			seg = p;
			n = 0;
		} else if ((size_t)(p + 1 - seg) > max_run) {
			*long_run = true;
			return seg;
		} else if (*p == '=' && ++n > max_attrs)
			return seg;
	}
	return NULL;
}

/*
 * libxml2 compares each attribute of a tag with every earlier one (and
 * each namespace declaration likewise), so one tag with 100,000 of them
 * holds a worker for minutes: counted here, before libxml2 sees the
 * document.  A candidate is counted exactly, quoted values stepped over;
 * comments, CDATA and processing instructions are not tags.  A run over
 * the limit needs no second look.
 */
uint32_t
xml_tag_scan(const char *data, size_t len, size_t max_attrs, size_t max_run,
    bool *long_run)
{
	const char	*p = data, *end = data + len, *after, *next;

	*long_run = false;
	while ((p = scan_candidate(p, end, max_attrs, max_run, long_run)) !=
	    NULL) {
		if (*long_run || (*p == '<' && !(end - p >= 2 && (p[1] == '!' ||
		    p[1] == '?')) && tag_attributes(p, end, &after) > max_attrs))
			return line_of(data, (size_t)(p - data));
		/* Not a tag after all: on from the next '<', the run to it
		 * measured here since the scan skips it. */
		next = memchr(p + 1, '<', (size_t)(end - p - 1));
		if ((size_t)((next != NULL ? next : end) - p) > max_run) {
			*long_run = true;
			return line_of(data, (size_t)(p - data));
		}
		if ((p = next) == NULL)
			break;
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
