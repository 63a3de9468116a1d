/*
 * lexer.c -- segments by memchr, elements by one scan.
 *
 * The terminator is found with memchr (vectorised by libc); a terminator
 * preceded by an odd run of release characters is data and the search
 * goes on.  Elements are then cut in one pass over the segment.  Nothing
 * is copied.
 */
#include <stdarg.h>
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

/* Byte classes the scanner stops at; 0 for ordinary data. */
enum {
	CLS_DATA,
	CLS_TERMINATOR,
	CLS_ELEMENT,
	CLS_COMPONENT,
	CLS_RELEASE,
	CLS_LINE_BREAK,
};

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
	set_classes(lx);
}

/* Closes the component [start, p) of the current element. */
static inline void
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
static inline void
close_element(struct edi_segment *seg, const char *p)
{
	int	e = seg->nelements;

	if (e >= EDI_MAX_ELEMENTS) {
		seg->truncated_elements = true;
		return;
	}
	seg->el[e].p = seg->comp_count[e] != 0 ? seg->comp[seg->comp_first[e]].p : p;
	seg->el[e].len = (size_t)(p - seg->el[e].p);
	seg->nelements = e + 1;
	if (e + 1 < EDI_MAX_ELEMENTS)
		seg->comp_count[e + 1] = 0;
}

/*
 * Scans a segment's data from i to its terminator in one pass, cutting
 * elements and components (a table lookup per byte; the separators found
 * are the only branches taken).  Returns the terminator's offset, or the
 * input's length when it ends first.
 */
static size_t
scan_segment(const struct edi_lexer *lx, struct edi_segment *seg, size_t i)
{
	const uint8_t	*cls = lx->cls;
	const char	*d = lx->data, *cstart = d + i;
	size_t		 end = lx->len;
	int		 nc = 0;

	for (;;) {
		while (i < end && cls[(unsigned char)d[i]] == CLS_DATA)
			i++;
		if (i >= end)
			return end;
		switch (cls[(unsigned char)d[i]]) {
		case CLS_TERMINATOR:
			close_component(seg, cstart, d + i, &nc);
			close_element(seg, d + i);
			return i;
		case CLS_ELEMENT:
			close_component(seg, cstart, d + i, &nc);
			close_element(seg, d + i);
			cstart = d + ++i;
			break;
		case CLS_COMPONENT:
			close_component(seg, cstart, d + i, &nc);
			cstart = d + ++i;
			break;
		case CLS_RELEASE:
			seg->escaped = true;
			i += 2;		/* the next byte is data */
			break;
		default:
			seg->escaped = true;	/* a line break inside the data */
			i++;
			break;
		}
	}
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

/* Records a segment cut off by the end of the input; returns -1. */
static int
truncated(struct edi_lexer *lx, size_t start)
{
	struct diag_loc	loc;

	lx->ordinal++;
	loc = diag_loc_segment(lx->ordinal, NULL, lx->len);
	if (lx->len - start >= 3 && tag_ok(lx->data + start, 3))
		memcpy(loc.tag, lx->data + start, 3);
	diag_add(lx->diags, DIAG_ERROR, "TRUNCATED", &loc,
	    "the input ends at byte %zu inside segment %u, which has no "
	    "terminator", lx->len, lx->ordinal);
	lx->pos = lx->len;
	return -1;
}

int
edi_lexer_next(struct edi_lexer *lx, struct edi_segment *seg)
{
	const char	*d = lx->data;
	struct diag_loc	 loc;
	size_t		 start, end;
	uint8_t		 after;

	for (;;) {
		skip_line_breaks(lx);
		if (lx->pos >= lx->len)
			return 0;
		start = lx->pos;
		after = lx->len - start > 3 ? lx->cls[(unsigned char)d[start + 3]] :
		    CLS_DATA;
		if (tag_ok(d + start, lx->len - start) &&
		    (after == CLS_ELEMENT || after == CLS_TERMINATOR)) {
			seg->nelements = 0;
			seg->escaped = false;
			seg->truncated_elements = false;
			seg->comp_count[0] = 0;
			end = after == CLS_TERMINATOR ? start + 3 :
			    scan_segment(lx, seg, start + 4);
			if (end >= lx->len)
				return truncated(lx, start);
			seg->p = d + start;
			seg->len = end - start;
			seg->offset = start;
			seg->ordinal = ++lx->ordinal;
			memcpy(seg->tag, seg->p, 3);
			seg->tag[3] = '\0';
			seg->code = EDI_TAG(seg->p[0], seg->p[1], seg->p[2]);
			lx->pos = end + 1;
			return 1;
		}
		end = skip_segment(lx, start);
		if (end >= lx->len)
			return truncated(lx, start);
		lx->pos = end + 1;
		loc = diag_loc_segment(++lx->ordinal, NULL, start);
		diag_add(lx->diags, DIAG_ERROR, "BAD_TAG", &loc,
		    "segment %u does not start with a three-character tag and an "
		    "element separator: \"%.*s\"", lx->ordinal,
		    (int)(end - start < 12 ? end - start : 12), d + start);
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
