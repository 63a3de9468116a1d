/*
 * lexer.h -- ISO 9735 (syntax versions 3 and 4) tokenizer.
 *
 * Splits an interchange into segments and data elements without copying
 * it: a segment and its elements are views into the caller's buffer,
 * valid as long as the buffer.  Values are unescaped (release character
 * removed, line breaks kept as spaces) only when a mapper copies them,
 * with edi_view_text().  The lexer owns nothing; one lexer per thread.
 *
 * Separators come from UNA when present, else the defaults : + . ? * '
 * or, when the byte after "UNB" is 0x1D, syntax level B (0x1F 0x1D 0x1C,
 * no release character).  CR and LF after a segment terminator are
 * skipped; a segment is counted (its ordinal) from UNB = 1, UNA not
 * counted.
 */
#ifndef EDI_LEXER_H
#define EDI_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/diag.h"
#include "manifest/util.h"

#define EDI_MAX_ELEMENTS 40	/* data elements kept per segment */
#define EDI_MAX_COMPONENTS 160	/* components kept per segment (< 256) */

struct edi_syntax {
	char	component;
	char	element;
	char	decimal;
	char	release;	/* '\0' when there is none (level B) */
	char	repetition;
	char	terminator;
};

struct edi_view {
	const char	*p;
	size_t		 len;
};

struct edi_segment {
	const char	*p;		/* the tag's first byte */
	size_t		 len;		/* up to the terminator, excluded */
	uint64_t	 offset;	/* of p in the input */
	uint32_t	 ordinal;	/* 1-based, UNB = 1 */
	char		 tag[4];
	uint32_t	 code;		/* EDI_TAG('B','G','M') for switches */
	int		 nelements;	/* data elements after the tag */
	bool		 escaped;	/* holds a release character or line break */
	bool		 truncated_elements; /* more than the limits below */
	/*
	 * Cut in one pass, one pointer a separator: component k lies between
	 * sep[k] and sep[k + 1] (sep[0] is the separator after the tag);
	 * element e is components el_first[e] to el_first[e + 1] - 1 and
	 * ends at el_end[e] (which also holds when components were dropped).
	 * The arrays are the lexer's (valid until its next segment) or a
	 * batch's (lexpipe.c): where edi_lexer.out_* pointed.
	 */
	const char	**sep;		/* EDI_MAX_COMPONENTS + 1 */
	const char	**el_end;	/* EDI_MAX_ELEMENTS */
	uint8_t		 *el_first;	/* EDI_MAX_ELEMENTS + 1 */
};

#define EDI_TAG(a, b, c) ((uint32_t)(a) << 16 | (uint32_t)(b) << 8 | (uint32_t)(c))

/* A segment the lexer could not return, reported as a diagnostic. */
enum edi_lex_event_kind {
	EDI_LEX_BAD_TAG,	/* skipped: no three-character tag */
	EDI_LEX_TRUNCATED,	/* the input ends inside it */
};

struct edi_lex_event {
	enum edi_lex_event_kind	 kind;
	uint32_t		 ordinal;	/* the segment's */
	size_t			 start;		/* its first byte */
	size_t			 end;		/* BAD_TAG: its terminator */
};

struct edi_lexer {
	const char		*data;
	size_t			 len;
	size_t			 pos;
	struct edi_syntax	 syntax;
	bool			 has_una;
	bool			 level_b;
	uint32_t		 ordinal;
	/* Borrowed; NULL: a bad or cut-off segment is kept in event, for
	 * a caller that reports it later in its place (lexpipe.c). */
	struct diag_list	*diags;
	struct edi_lex_event	 event;
	/* Where the next segment's arrays go: own_* unless a batch's, in
	 * which case (batch) each segment moves them past what it used. */
	bool			 batch;
	const char		**out_sep;
	const char		**out_el_end;
	uint8_t			 *out_el_first;
	uint8_t			 cls[256];	/* byte classes of the syntax */
	/* The scanner's window: bit i of mask set when data[mbase + i] is a
	 * separator, release character or line break not yet consumed. */
	size_t			 mbase;
	uint64_t		 mask;
	/* Each special byte repeated 32 times, for the SIMD classifier. */
	_Alignas(32) unsigned char splat[6][32];
	bool			 avx2;		/* the CPU has it: 32 bytes a step */
	const char		*own_sep[EDI_MAX_COMPONENTS + 1];
	const char		*own_el_end[EDI_MAX_ELEMENTS];
	uint8_t			 own_el_first[EDI_MAX_ELEMENTS + 1];
};

/* Prepares to read data; reads UNA if present.  diags is borrowed. */
void edi_lexer_init(struct edi_lexer *lx, const char *data, size_t len,
    struct diag_list *diags);
/*
 * The next segment: 1, 0 at the end of the input, -1 when the input
 * ends inside a segment (a TRUNCATED diagnostic gives the byte offset).
 * A segment whose tag is not three letters or digits is reported
 * (BAD_TAG) and skipped.  With diags NULL, each of those is left in
 * lx->event instead: -1 for TRUNCATED, EDI_LEX_EVENT for a BAD_TAG
 * (call again for the segments after it).
 */
#define EDI_LEX_EVENT 2
int edi_lexer_next(struct edi_lexer *lx, struct edi_segment *seg);
/* Reports ev, met in data (len bytes), as its diagnostic into l. */
void edi_lex_event_report(struct diag_list *l, const char *data, size_t len,
    const struct edi_lex_event *ev);

/* Records a diagnostic located at seg (number, tag, byte offset). */
void edi_segment_diag(struct diag_list *l, const struct edi_segment *seg,
    enum diag_severity sev, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Element e (0-based after the tag), or an empty view. */
struct edi_view edi_element(const struct edi_segment *seg, int e);
/* Component c (0-based) of element e, raw (still escaped); O(1). */
static inline struct edi_view
edi_component(const struct edi_lexer *lx, const struct edi_segment *seg,
    int e, int c)
{
	struct edi_view	 v = { "", 0 };
	int		 k;

	(void)lx;
	if (e < 0 || e >= seg->nelements || c < 0)
		return v;
	k = seg->el_first[e] + c;
	if (k >= seg->el_first[e + 1])
		return v;
	v.p = seg->sep[k] + 1;
	v.len = (size_t)(seg->sep[k + 1] - v.p);
	return v;
}
/* Number of components of element e. */
int edi_component_count(const struct edi_lexer *lx,
    const struct edi_segment *seg, int e);
/*
 * Appends the value of v to out: release characters removed, CR/LF and
 * LF kept as one space each.  Returns false when a release character
 * precedes something that needs no release, or nothing (the caller
 * reports BAD_RELEASE); the character after it is kept either way.
 */
bool edi_view_unescape(const struct edi_syntax *syn, struct edi_view v,
    struct buf *out);
/* True when v equals the NUL-terminated s exactly (inline: s is a literal). */
static inline __attribute__((always_inline)) bool
edi_view_is(struct edi_view v, const char *s)
{
	size_t	n = __builtin_strlen(s);	/* folded for a literal */

	return v.len == n && __builtin_memcmp(v.p, s, n) == 0;
}

#endif
