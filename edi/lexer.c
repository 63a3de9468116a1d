/*
 * lexer.c -- segments by memchr, elements by one scan.
 *
 * The terminator is found with memchr (vectorised by libc); a terminator
 * preceded by an odd run of release characters is data and the search
 * goes on.  Elements are then cut in one pass over the segment.  Nothing
 * is copied.
 */
#include <stdio.h>
#include <string.h>

#include "lexer.h"

/* Skips the CR, LF (and, harmlessly, spaces and tabs) between segments. */
static void
skip_line_breaks(struct edi_lexer *lx)
{
	while (lx->pos < lx->len) {
		char c = lx->data[lx->pos];

		if (c != '\r' && c != '\n' && c != ' ' && c != '\t')
			break;
		lx->pos++;
	}
}

void
edi_lexer_init(struct edi_lexer *lx, const char *data, size_t len,
    struct diag_list *diags)
{
	struct edi_syntax	def = { ':', '+', '.', '?', '*', '\'' };

	memset(lx, 0, sizeof *lx);
	lx->data = data;
	lx->len = len;
	lx->diags = diags;
	lx->syntax = def;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		lx->pos = 3;	/* a byte order mark from a Windows tool */
	skip_line_breaks(lx);
	if (len - lx->pos >= 9 && memcmp(data + lx->pos, "UNA", 3) == 0) {
		const char *u = data + lx->pos + 3;

		lx->syntax.component = u[0];
		lx->syntax.element = u[1];
		lx->syntax.decimal = u[2];
		lx->syntax.release = u[3] == ' ' ? '\0' : u[3];
		lx->syntax.repetition = u[4];
		lx->syntax.terminator = u[5];
		lx->has_una = true;
		lx->pos += 9;
	} else if (len - lx->pos >= 4 && memcmp(data + lx->pos, "UNB", 3) == 0 &&
	    data[lx->pos + 3] == 0x1d) {
		struct edi_syntax b = { 0x1f, 0x1d, '.', '\0', 0x19, 0x1c };

		lx->syntax = b;
		lx->level_b = true;
	}
	skip_line_breaks(lx);
}

/* True when the byte at i is escaped by an odd run of release characters. */
static bool
is_released(const struct edi_lexer *lx, size_t start, size_t i)
{
	size_t	n = 0;

	if (lx->syntax.release == '\0')
		return false;
	while (i > start + n && lx->data[i - 1 - n] == lx->syntax.release)
		n++;
	return n % 2 == 1;
}

/* Closes the component [start, p) of the current element. */
static void
close_component(struct edi_segment *seg, const char *start, const char *p,
    int *nc)
{
	int	e = seg->nelements;

	if (*nc >= EDI_MAX_COMPONENTS || e >= EDI_MAX_ELEMENTS) {
		seg->truncated_elements = true;
		return;
	}
	if (seg->comp_count[e] == 0)
		seg->comp_first[e] = (uint16_t)*nc;
	seg->comp[*nc].p = start;
	seg->comp[*nc].len = (size_t)(p - start);
	seg->comp_count[e]++;
	(*nc)++;
}

/* Closes the current element, which ends at p. */
static void
close_element(struct edi_segment *seg, const char *start)
{
	const char	*first;

	if (seg->nelements >= EDI_MAX_ELEMENTS) {
		seg->truncated_elements = true;
		return;
	}
	first = seg->comp_count[seg->nelements] != 0 ?
	    seg->comp[seg->comp_first[seg->nelements]].p : start;
	seg->el[seg->nelements].p = first;
	seg->el[seg->nelements].len = (size_t)(start - first);
	seg->nelements++;
	if (seg->nelements < EDI_MAX_ELEMENTS)
		seg->comp_count[seg->nelements] = 0;
}

/* True for the bytes the splitter must look at. */
static inline bool
is_special(const struct edi_syntax *x, char c)
{
	return c == x->element || c == x->component ||
	    (c == x->release && x->release != '\0') || c == '\n' || c == '\r';
}

#ifdef __SSE2__
#include <emmintrin.h>

/*
 * The offset of the next special byte in [p, end), or end - p: sixteen
 * bytes compared at a time.  Loads may run past end (never past limit,
 * the end of the input): bits beyond end are masked off.
 */
static size_t
next_special(const struct edi_syntax *x, const char *p, const char *end,
    const char *limit)
{
	const __m128i	el = _mm_set1_epi8(x->element);
	const __m128i	co = _mm_set1_epi8(x->component);
	const __m128i	re = _mm_set1_epi8(x->release != '\0' ? x->release :
			    x->element);
	const __m128i	lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
	const char	*q = p;

	while (q < end && limit - q >= 16) {
		__m128i	v = _mm_loadu_si128((const __m128i *)(const void *)q);
		__m128i	m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, el),
		    _mm_cmpeq_epi8(v, co)), _mm_or_si128(_mm_cmpeq_epi8(v, re),
		    _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr))));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);

		if (end - q < 16)
			bits &= (1u << (end - q)) - 1;
		if (bits != 0)
			return (size_t)(q - p) + (size_t)__builtin_ctz(bits);
		q += 16;
	}
	while (q < end && !is_special(x, *q))
		q++;
	return (size_t)((q < end ? q : end) - p);
}
#else
static size_t
next_special(const struct edi_syntax *x, const char *p, const char *end,
    const char *limit)
{
	const char	*q = p;

	(void)limit;
	while (q < end && !is_special(x, *q))
		q++;
	return (size_t)(q - p);
}
#endif

/* Cuts the segment's data elements and their components in one pass. */
static void
split_elements(const struct edi_lexer *lx, struct edi_segment *seg)
{
	const struct edi_syntax	*x = &lx->syntax;
	const char		*p = seg->p, *end = seg->p + seg->len, *start;
	const char		*limit = lx->data + lx->len;
	int			 nc = 0;

	seg->nelements = 0;
	seg->escaped = false;
	seg->truncated_elements = false;
	seg->comp_count[0] = 0;
	/* The tag, then its separator (checked by edi_lexer_next). */
	p += 4;
	if (p > end)
		return;
	start = p;
	for (;;) {
		char c;

		p += next_special(x, p, end, limit);
		if (p >= end)
			break;
		c = *p;
		if (c == x->element) {
			close_component(seg, start, p, &nc);
			close_element(seg, p);
			start = ++p;
		} else if (c == x->component) {
			close_component(seg, start, p, &nc);
			start = ++p;
		} else if (c == x->release && x->release != '\0') {
			seg->escaped = true;
			p += 2;		/* the next byte is data */
			if (p > end)
				p = end;
		} else {
			seg->escaped = true;	/* a line break inside the data */
			p++;
		}
	}
	close_component(seg, start, end, &nc);
	close_element(seg, end);
}

/* True for a tag of three capital letters or digits. */
static bool
tag_ok(const char *p, size_t len)
{
	size_t	i;

	if (len < 3)
		return false;
	for (i = 0; i < 3; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')))
			return false;
	return true;
}

int
edi_lexer_next(struct edi_lexer *lx, struct edi_segment *seg)
{
	const char	*hit;
	size_t		 start, from;
	struct diag_loc	 loc;

	for (;;) {
		skip_line_breaks(lx);
		if (lx->pos >= lx->len)
			return 0;
		start = from = lx->pos;
		for (;;) {
			hit = memchr(lx->data + from, lx->syntax.terminator,
			    lx->len - from);
			if (hit == NULL) {
				lx->ordinal++;
				loc = diag_loc_segment(lx->ordinal, NULL, lx->len);
				if (lx->len - start >= 3 && tag_ok(lx->data + start, 3))
					memcpy(loc.tag, lx->data + start, 3);
				diag_add(lx->diags, DIAG_ERROR, "TRUNCATED", &loc,
				    "the input ends at byte %zu inside segment %u, "
				    "which has no terminator", lx->len, lx->ordinal);
				lx->pos = lx->len;
				return -1;
			}
			if (!is_released(lx, start, (size_t)(hit - lx->data)))
				break;
			from = (size_t)(hit - lx->data) + 1;
		}
		seg->p = lx->data + start;
		seg->len = (size_t)(hit - seg->p);
		seg->offset = start;
		lx->pos = (size_t)(hit - lx->data) + 1;
		seg->ordinal = ++lx->ordinal;
		if (!tag_ok(seg->p, seg->len) || (seg->len > 3 &&
		    seg->p[3] != lx->syntax.element)) {
			loc = diag_loc_segment(seg->ordinal, NULL, seg->offset);
			diag_add(lx->diags, DIAG_ERROR, "BAD_TAG", &loc,
			    "segment %u does not start with a three-character tag "
			    "and an element separator: \"%.*s\"", seg->ordinal,
			    (int)(seg->len < 12 ? seg->len : 12), seg->p);
			continue;
		}
		memcpy(seg->tag, seg->p, 3);
		seg->tag[3] = '\0';
		seg->code = EDI_TAG(seg->p[0], seg->p[1], seg->p[2]);
		split_elements(lx, seg);
		return 1;
	}
}

struct edi_view
edi_element(const struct edi_segment *seg, int e)
{
	struct edi_view	none = { "", 0 };

	return e >= 0 && e < seg->nelements ? seg->el[e] : none;
}

int
edi_component_count(const struct edi_lexer *lx, const struct edi_segment *seg,
    int e)
{
	(void)lx;
	if (e < 0 || e >= seg->nelements || seg->el[e].len == 0)
		return 0;
	return seg->comp_count[e];
}

bool
edi_view_unescape(const struct edi_syntax *syn, struct edi_view v,
    struct buf *out)
{
	const char	*p = v.p, *end = v.p + v.len, *run = v.p;
	bool		 ok = true;

	for (; p < end; p++) {
		if (*p == syn->release && syn->release != '\0') {
			buf_add(out, run, (size_t)(p - run));
			if (p + 1 == end) {
				ok = false;	/* a release with nothing to release */
				run = end;
				break;
			}
			p++;
			/* Only separators and the release character itself need it. */
			if (*p != syn->component && *p != syn->element &&
			    *p != syn->release && *p != syn->terminator &&
			    *p != syn->repetition)
				ok = false;
			run = p;
		} else if (*p == '\r' || *p == '\n') {
			buf_add(out, run, (size_t)(p - run));
			if (*p == '\r' && p + 1 < end && p[1] == '\n')
				p++;
			buf_add_char(out, ' ');
			run = p + 1;
		}
	}
	if (run < end)
		buf_add(out, run, (size_t)(end - run));
	return ok;
}
