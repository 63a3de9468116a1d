/*
 * lexer.c -- segments and elements cut from a bitmask of special bytes.
 *
 * The input is classified 64 bytes at a time into a bitmask of the bytes
 * that matter (separators, terminator, release character, CR, LF); the
 * scanner then jumps from one set bit to the next, so ordinary data costs
 * well under an instruction a byte and each separator a handful.  A
 * release character restarts the window two bytes on, which makes the
 * released byte data.  Nothing is copied.
 */
#include <endian.h>
#include <stdarg.h>
#ifdef __SSE2__
#include <immintrin.h>
#endif
#include <stdio.h>
#include <string.h>

#include "lexer.h"

/* x86 with GCC or Clang: an AVX2 classifier, used when the CPU has it. */
#if defined(__SSE2__) && defined(__GNUC__) && (defined(__x86_64__) || \
    defined(__i386__))
#define LEXER_AVX2
#endif

/* CR, LF, space and tab: what may stand between segments. */
static const uint8_t between_segments[256] = {
	['\r'] = 1, ['\n'] = 1, [' '] = 1, ['\t'] = 1,
};

/* Skips the CR, LF (and, harmlessly, spaces and tabs) between segments. */
static inline void
skip_line_breaks(struct edi_lexer *lx)
{
	const char	*d = lx->data;
	size_t		 pos = lx->pos, len = lx->len;

	while (pos < len && between_segments[(unsigned char)d[pos]])
		pos++;
	lx->pos = pos;
}

/* Byte classes the scanner stops at; 0 for ordinary data. */
enum {
	CLS_DATA,
	CLS_TERMINATOR,
	CLS_ELEMENT,
	CLS_COMPONENT,
	CLS_RELEASE,
	CLS_LINE_BREAK,
};

static void window_at(struct edi_lexer *, size_t);

/* Builds the class table of the lexer's separators. */
static void
set_classes(struct edi_lexer *lx)
{
	memset(lx->cls, CLS_DATA, sizeof lx->cls);
	lx->cls['\n'] = lx->cls['\r'] = CLS_LINE_BREAK;
	if (lx->syntax.release != '\0')
		lx->cls[(unsigned char)lx->syntax.release] = CLS_RELEASE;
	lx->cls[(unsigned char)lx->syntax.component] = CLS_COMPONENT;
	lx->cls[(unsigned char)lx->syntax.element] = CLS_ELEMENT;
	lx->cls[(unsigned char)lx->syntax.terminator] = CLS_TERMINATOR;
	memset(lx->splat[0], lx->syntax.component, sizeof lx->splat[0]);
	memset(lx->splat[1], lx->syntax.element, sizeof lx->splat[1]);
	memset(lx->splat[2], lx->syntax.terminator, sizeof lx->splat[2]);
	/* No release character (level B): the terminator again, harmlessly. */
	memset(lx->splat[3], lx->syntax.release != '\0' ? lx->syntax.release :
	    lx->syntax.terminator, sizeof lx->splat[3]);
	memset(lx->splat[4], '\r', sizeof lx->splat[4]);
	memset(lx->splat[5], '\n', sizeof lx->splat[5]);
#ifdef LEXER_AVX2
	/* The rows are read as aligned vectors: a lexer placed by malloc
	 * (16-byte aligned) keeps to SSE2. */
	lx->avx2 = __builtin_cpu_supports("avx2") &&
	    ((uintptr_t)lx->splat & 31) == 0;
#endif
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
	lx->out_sep = lx->own_sep;
	lx->out_el_end = lx->own_el_end;
	lx->out_el_first = lx->own_el_first;
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
	set_classes(lx);
	window_at(lx, lx->pos);
}

#ifdef LEXER_AVX2
/*
 * special_mask() for 64 whole bytes at d, 32 at a step, on a CPU that has
 * AVX2 (chosen at run time: the build targets plain x86-64).
 */
static __attribute__((target("avx2"))) uint64_t
special_mask_avx2(const struct edi_lexer *lx, const unsigned char *d)
{
	const __m256i	*sp = (const __m256i *)lx->splat;
	uint64_t	 m = 0;
	int		 k;

	for (k = 0; k < 2; k++) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(d + 32 * k));
		__m256i h = _mm256_or_si256(
		    _mm256_or_si256(_mm256_cmpeq_epi8(x, sp[0]),
		    _mm256_cmpeq_epi8(x, sp[1])),
		    _mm256_or_si256(_mm256_cmpeq_epi8(x, sp[2]),
		    _mm256_cmpeq_epi8(x, sp[3])));

		h = _mm256_or_si256(h, _mm256_or_si256(_mm256_cmpeq_epi8(x,
		    sp[4]), _mm256_cmpeq_epi8(x, sp[5])));
		m |= (uint64_t)(uint32_t)_mm256_movemask_epi8(h) << (32 * k);
	}
	return m;
}
#endif

#ifdef __SSE2__
/* The first 16 bytes of splat row k (rows are 32 bytes apart). */
static inline __m128i
splat16(const unsigned char *rows, int k)
{
	return _mm_load_si128((const __m128i *)(rows + 32 * k));
}
#endif

/*
 * The bitmask of special bytes (any class but CLS_DATA) in the 64 bytes
 * from off, bits past the end of the input clear.  With SSE2 (every
 * x86-64) sixteen bytes are classified per comparison; elsewhere the
 * class table does it a byte at a time.
 */
static uint64_t
special_mask(const struct edi_lexer *lx, size_t off)
{
	const unsigned char	*d = (const unsigned char *)lx->data + off;
	size_t			 n;
	uint64_t		 m = 0;

	if (off >= lx->len)
		return 0;
	n = lx->len - off < 64 ? lx->len - off : 64;

#ifdef __SSE2__
	/* cppcheck takes n for 0 from a caller it misreads (off < len here). */
	/* cppcheck-suppress knownConditionTrueFalse */
	if (n == 64) {
		const unsigned char	*sp0 = lx->splat[0];
		int			 k;

#ifdef LEXER_AVX2
		if (lx->avx2)
			return special_mask_avx2(lx, d);
#endif

		for (k = 0; k < 4; k++) {
			__m128i x = _mm_loadu_si128((const __m128i *)(d + 16 * k));
			__m128i h = _mm_or_si128(
			    _mm_or_si128(_mm_cmpeq_epi8(x, splat16(sp0, 0)),
			    _mm_cmpeq_epi8(x, splat16(sp0, 1))),
			    _mm_or_si128(_mm_cmpeq_epi8(x, splat16(sp0, 2)),
			    _mm_cmpeq_epi8(x, splat16(sp0, 3))));

			h = _mm_or_si128(h, _mm_or_si128(_mm_cmpeq_epi8(x,
			    splat16(sp0, 4)), _mm_cmpeq_epi8(x, splat16(sp0, 5))));
			m |= (uint64_t)(uint16_t)_mm_movemask_epi8(h) << (16 * k);
		}
		return m;
	}
#endif
	/* cppcheck-suppress knownConditionTrueFalse */
	for (size_t i = 0; i < n; i++)
		m |= (uint64_t)(lx->cls[d[i]] != CLS_DATA) << i;
	return m;
}

/* Restarts the window at off: specials before off are forgotten. */
static void
window_at(struct edi_lexer *lx, size_t off)
{
	lx->mbase = off;
	lx->mask = special_mask(lx, off);
}

/*
 * Forgets the specials before off (a segment's start, say).  Off before
 * the window (never the case) or past it restarts the window at off,
 * which is always right.
 */
static inline void
window_skip_to(struct edi_lexer *lx, size_t off)
{
	size_t	delta = off - lx->mbase;

	if (delta >= 64)
		window_at(lx, off);
	else
		lx->mask &= ~(uint64_t)0 << delta;
}

/*
 * Scans a segment's data from i to its terminator in one pass over the
 * special bytes only, recording each separator.  Returns the
 * terminator's offset, or the input's length when it ends first.  The
 * window lives in locals meanwhile, so that it stays in registers.
 */
static size_t
scan_segment(struct edi_lexer *lx, struct edi_segment *seg, size_t i)
{
	const char	*d = lx->data;
	size_t		 base;
	uint64_t	 mask;
	unsigned	 nc = 0, e = 0;
	/* In locals: a store through el_first (bytes) could be any object's,
	 * which would reload every field after it. */
	const char	**sep = seg->sep, **el_end = seg->el_end;
	uint8_t		 *el_first = seg->el_first;

	sep[0] = d + i - 1;	/* the element separator after the tag */
	el_first[0] = 0;
	window_skip_to(lx, i);
	base = lx->mbase;
	mask = lx->mask;
	for (;;) {
		uint8_t	c;

		while (mask == 0) {
			/* lx->len from memory: once per 64 bytes, and the loop
			 * is short of registers. */
			if (base + 64 >= lx->len) {
				i = lx->len;
				goto out;
			}
			base += 64;
			mask = special_mask(lx, base);
		}
		i = base + (size_t)__builtin_ctzll(mask);
		mask &= mask - 1;
		/* lx->cls, not a local copy of its address: the address is lx's
		 * plus a constant, which spares the loop a register. */
		c = lx->cls[(unsigned char)d[i]];
		if (__builtin_expect(c >= CLS_RELEASE, 0)) {
			seg->escaped = true;	/* a release or a line break */
			if (c == CLS_RELEASE) {
				base = i + 2;	/* the next byte is data */
				mask = special_mask(lx, base);
			}
			continue;
		}
		/* A separator or the terminator closes a component. */
		if (nc < EDI_MAX_COMPONENTS)
			sep[++nc] = d + i;
		else
			seg->truncated_elements = true;
		if (c == CLS_COMPONENT)
			continue;
		/* An element separator or the terminator closes an element. */
		if (e < EDI_MAX_ELEMENTS) {
			el_end[e] = d + i;
			el_first[++e] = (uint8_t)nc;
		} else
			seg->truncated_elements = true;
		if (c == CLS_TERMINATOR)
			break;
	}
out:
	seg->nelements = (int)e;
	if (lx->batch) {
		lx->out_sep += nc + 1;
		lx->out_el_end += e;
		lx->out_el_first += e + 1;
	}
	lx->mbase = base;
	lx->mask = mask;
	return i;
}

/* Skips a segment whose tag is bad: its terminator's offset (or the end). */
static size_t
skip_segment(const struct edi_lexer *lx, size_t i)
{
	while (i < lx->len) {
		uint8_t c = lx->cls[(unsigned char)lx->data[i]];

		if (c == CLS_TERMINATOR)
			return i;
		i += c == CLS_RELEASE ? 2 : 1;
	}
	return lx->len;
}

/* Capital letters and digits, the bytes of a tag. */
static const uint8_t tag_chars[256] = {
	['0' ... '9'] = 1,
	['A' ... 'Z'] = 1,
};

/* True for a tag of three capital letters or digits (p has 3 bytes). */
static inline bool
tag_ok(const char *p)
{
	return (tag_chars[(unsigned char)p[0]] & tag_chars[(unsigned char)p[1]] &
	    tag_chars[(unsigned char)p[2]]) != 0;
}

/* Reports ev now, or keeps it in lx->event for a caller without diags. */
static void
lex_event(struct edi_lexer *lx, enum edi_lex_event_kind kind, size_t start,
    size_t end)
{
	struct edi_lex_event	ev = { kind, lx->ordinal, start, end };

	if (lx->diags != NULL)
		edi_lex_event_report(lx->diags, lx->data, lx->len, &ev);
	else
		lx->event = ev;
}

/* Records a segment cut off by the end of the input; returns -1. */
static int
truncated(struct edi_lexer *lx, size_t start)
{
	lx->ordinal++;
	lex_event(lx, EDI_LEX_TRUNCATED, start, lx->len);
	lx->pos = lx->len;
	return -1;
}

/*
 * Skips the segment at start, whose tag is bad (BAD_TAG): out of line, so
 * that edi_lexer_next() keeps a small frame for the segments that are
 * not.  0, or -1 when the input ends inside it (TRUNCATED).
 */
static __attribute__((noinline, cold)) int
bad_tag(struct edi_lexer *lx, size_t start)
{
	size_t	end;

	end = skip_segment(lx, start);
	if (end >= lx->len)
		return truncated(lx, start);
	lx->pos = end + 1;
	lx->ordinal++;
	lex_event(lx, EDI_LEX_BAD_TAG, start, end);
	return 0;
}

void
edi_lex_event_report(struct diag_list *l, const char *data, size_t len,
    const struct edi_lex_event *ev)
{
	struct diag_loc	loc;

	if (ev->kind == EDI_LEX_TRUNCATED) {
		loc = diag_loc_segment(ev->ordinal, NULL, len);
		if (len - ev->start >= 3 && tag_ok(data + ev->start))
			memcpy(loc.tag, data + ev->start, 3);
		diag_add(l, DIAG_ERROR, "TRUNCATED", &loc,
		    "the input ends at byte %zu inside segment %u, which has no "
		    "terminator", len, ev->ordinal);
		return;
	}
	loc = diag_loc_segment(ev->ordinal, NULL, ev->start);
	diag_add(l, DIAG_ERROR, "BAD_TAG", &loc,
	    "segment %u does not start with a three-character tag and an "
	    "element separator: \"%.*s\"", ev->ordinal,
	    (int)(ev->end - ev->start < 12 ? ev->end - ev->start : 12),
	    data + ev->start);
}

int
edi_lexer_next(struct edi_lexer *lx, struct edi_segment *seg)
{
	const char	*d = lx->data;
	size_t		 start, end;
	uint32_t	 w;
	uint8_t		 after;

	for (;;) {
		skip_line_breaks(lx);
		start = lx->pos;
		if (lx->len - start < 4) {
			if (start >= lx->len)
				return 0;
			after = CLS_DATA;	/* too short for a tag and a separator */
		} else
			after = lx->cls[(unsigned char)d[start + 3]];
		if (__builtin_expect((after == CLS_ELEMENT ||
		    after == CLS_TERMINATOR) && tag_ok(d + start), 1)) {
			seg->sep = lx->out_sep;
			seg->el_end = lx->out_el_end;
			seg->el_first = lx->out_el_first;
			seg->nelements = 0;
			seg->escaped = false;
			seg->truncated_elements = false;
			end = after == CLS_TERMINATOR ? start + 3 :
			    scan_segment(lx, seg, start + 4);
			if (end >= lx->len)
				return truncated(lx, start);
			seg->p = d + start;
			seg->len = end - start;
			seg->offset = start;
			seg->ordinal = ++lx->ordinal;
			/* One load for the tag and its code (EDI_TAG order). */
			memcpy(&w, seg->p, 4);
			seg->code = be32toh(w) >> 8;
			w = htobe32(be32toh(w) & 0xffffff00);
			memcpy(seg->tag, &w, 4);
			lx->pos = end + 1;
			return 1;
		}
		if (bad_tag(lx, start) < 0)
			return -1;
		if (lx->diags == NULL)
			return EDI_LEX_EVENT;
	}
}

void
edi_segment_diag(struct diag_list *l, const struct edi_segment *seg,
    enum diag_severity sev, const char *code, const char *fmt, ...)
{
	struct diag_loc	loc = diag_loc_segment(seg->ordinal, seg->tag,
			    seg->offset);
	va_list		ap;

	va_start(ap, fmt);
	diag_addv(l, sev, code, &loc, fmt, ap);
	va_end(ap);
}

/* Where element e starts: after the separator that ends the one before. */
static const char *
element_start(const struct edi_segment *seg, int e)
{
	return (e == 0 ? seg->sep[0] : seg->el_end[e - 1]) + 1;
}

struct edi_view
edi_element(const struct edi_segment *seg, int e)
{
	struct edi_view	v = { "", 0 };

	if (e < 0 || e >= seg->nelements)
		return v;
	v.p = element_start(seg, e);
	v.len = (size_t)(seg->el_end[e] - v.p);
	return v;
}

int
edi_component_count(const struct edi_lexer *lx, const struct edi_segment *seg,
    int e)
{
	(void)lx;
	if (e < 0 || e >= seg->nelements || seg->el_end[e] == element_start(seg, e))
		return 0;
	return seg->el_first[e + 1] - seg->el_first[e];
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
