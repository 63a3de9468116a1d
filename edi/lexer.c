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

/* Cuts the segment's data elements. */
static void
split_elements(const struct edi_lexer *lx, struct edi_segment *seg)
{
	const char	*p = seg->p, *end = seg->p + seg->len, *start;
	char		 sep = lx->syntax.element, rel = lx->syntax.release;
	int		 n = 0;

	seg->nelements = 0;
	seg->escaped = false;
	seg->truncated_elements = false;
	/* The tag, then its separator (checked by edi_lexer_next). */
	p += 4;
	if (p > end)
		return;
	start = p;
	for (; p < end; p++) {
		char c = *p;

		if (c == sep) {
			if (n < EDI_MAX_ELEMENTS) {
				seg->el[n].p = start;
				seg->el[n].len = (size_t)(p - start);
			}
			n++;
			start = p + 1;
		} else if (c == rel && rel != '\0') {
			seg->escaped = true;
			p++;	/* the next byte is data */
		} else if (c == '\n' || c == '\r')
			seg->escaped = true;
	}
	if (n < EDI_MAX_ELEMENTS) {
		seg->el[n].p = start;
		seg->el[n].len = (size_t)(end - start);
	}
	n++;
	if (n > EDI_MAX_ELEMENTS) {
		seg->truncated_elements = true;
		n = EDI_MAX_ELEMENTS;
	}
	seg->nelements = n;
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

struct edi_view
edi_component(const struct edi_lexer *lx, const struct edi_segment *seg,
    int e, int c)
{
	struct edi_view	 v = edi_element(seg, e), none = { "", 0 };
	const char	*p = v.p, *end = v.p + v.len, *start = v.p;
	char		 sep = lx->syntax.component, rel = lx->syntax.release;
	int		 n = 0;

	for (; p < end; p++) {
		if (*p == rel && rel != '\0') {
			p++;
			continue;
		}
		if (*p == sep) {
			if (n == c) {
				v.p = start;
				v.len = (size_t)(p - start);
				return v;
			}
			n++;
			start = p + 1;
		}
	}
	if (n == c) {
		v.p = start;
		v.len = (size_t)(end - start);
		return v;
	}
	return none;
}

int
edi_component_count(const struct edi_lexer *lx, const struct edi_segment *seg,
    int e)
{
	struct edi_view	 v = edi_element(seg, e);
	const char	*p;
	char		 rel = lx->syntax.release;
	int		 n = 1;

	if (v.len == 0)
		return 0;
	for (p = v.p; p < v.p + v.len; p++) {
		if (*p == rel && rel != '\0')
			p++;
		else if (*p == lx->syntax.component)
			n++;
	}
	return n;
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

bool
edi_view_is(struct edi_view v, const char *s)
{
	size_t	n = strlen(s);

	return v.len == n && memcmp(v.p, s, n) == 0;
}
