/*
 * xml_prescan.c -- what an XML document is refused for from its bytes
 * alone, before libxml2 parses it (see xml_prescan.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "diag.h"
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

/* Who is told how far the scan got, and when next. */
struct scan_progress {
	const char	*data;		/* the document's first byte */
	const char	*end;		/* and its end */
	const char	*next;		/* tell again from here (end: never) */
	void		(*done)(void *arg, size_t upto);
	void		 *arg;
};

/*
 * Tells the caller that the bytes before p are scanned (the scan may look
 * back up to a run's length, max_run, to count a tag exactly: a page
 * given back is read again from its file), every XML_SCAN_STEP bytes.
 */
static void
scan_progress(struct scan_progress *pg, const char *p)
{
	pg->next = (size_t)(pg->end - p) > XML_SCAN_STEP ? p + XML_SCAN_STEP :
	    pg->end;
	if (pg->done != NULL)
		pg->done(pg->arg, (size_t)(p - pg->data));
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
    size_t max_run, bool *long_run, struct scan_progress *pg)
{
	const char	*seg = p;
	size_t		 n = 0;
#ifdef __SSE2__
	const __m128i	 lt = _mm_set1_epi8('<'), eq = _mm_set1_epi8('=');
	unsigned	 ml, me, m;
	int		 i;

	for (; end - p >= 16; p += 16) {
		__m128i	v;

		if (p >= pg->next)
			scan_progress(pg, p);
		v = _mm_loadu_si128((const __m128i *)(const void *)p);

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
	return xml_tag_scan_with(data, len, max_attrs, max_run, long_run, NULL,
	    NULL);
}

uint32_t
xml_tag_scan_with(const char *data, size_t len, size_t max_attrs,
    size_t max_run, bool *long_run, void (*done)(void *arg, size_t upto),
    void *arg)
{
	const char	*p = data, *end = data + len, *after, *next;
	struct scan_progress	 pg = { data, end, done != NULL ? data : end,
				    done, arg };

	*long_run = false;
	while ((p = scan_candidate(p, end, max_attrs, max_run, long_run,
	    &pg)) != NULL) {
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
 * Encodings in which every byte below 0x80 is that ASCII character and no
 * byte of a multi-byte character is one of the markup bytes the checks
 * here look for ('<' '!' '?' '-' '>' '=' and quotes, all below 0x40):
 * UTF-8, ASCII, the ISO 8859 and Windows code pages, the KOI8 and Kazakh
 * ones, and the Chinese, Japanese and Korean multi-byte sets (their
 * trailing bytes are 0x40 or more).  In any other -- UTF-7, ISO 2022,
 * EBCDIC, UTF-16 or UCS-4 declared -- markup can be spelt in bytes that
 * these checks would not see as markup, and libxml2 (through iconv) would.
 */
static const char *const ascii_encodings[] = {
	"UTF-8", "UTF8", "US-ASCII", "ASCII", "LATIN1", "KOI8-R", "KOI8-U",
	"CP866", "IBM866", "PT154", "KZ-1048", "GB2312", "GBK", "GB18030",
	"BIG5", "SHIFT_JIS", "EUC-JP", "EUC-KR",
};
/* Families with a number after them: ISO-8859-5, windows-1251... */
static const char *const ascii_encoding_families[] = {
	"ISO-8859-", "ISO8859-", "ISO_8859-", "WINDOWS-125", "CP125",
};

/* True for an encoding name the byte checks can follow (case aside). */
static bool
encoding_is_ascii(const char *name)
{
	size_t	i, n;

	for (i = 0; i < sizeof ascii_encodings / sizeof ascii_encodings[0]; i++)
		if (strcasecmp(name, ascii_encodings[i]) == 0)
			return true;
	for (i = 0; i < sizeof ascii_encoding_families /
	    sizeof ascii_encoding_families[0]; i++) {
		n = strlen(ascii_encoding_families[i]);
		if (strncasecmp(name, ascii_encoding_families[i], n) == 0 &&
		    name[n] >= '0' && name[n] <= '9' && (name[n + 1] == '\0' ||
		    (name[n + 1] >= '0' && name[n + 1] <= '9' &&
		    name[n + 2] == '\0')))
			return true;
	}
	return false;
}

/* True when p (before end) starts with s, letters in either case. */
static bool
starts_ci(const char *p, const char *end, const char *s)
{
	size_t	n = strlen(s);

	return (size_t)(end - p) >= n && strncasecmp(p, s, n) == 0;
}

/* Just past the first `close` at or after from, or NULL when there is none. */
static const char *
past(const char *from, const char *end, const char *close)
{
	size_t		 n = strlen(close);
	const char	*q = memmem(from, (size_t)(end - from), close, n);

	return q != NULL ? q + n : NULL;
}

/* XML's white space. */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Checks every "encoding" in the XML declaration at p ("<?xml" and a
 * blank, up to decl_end): each must name an encoding of ascii_encodings,
 * or only UTF-8 after a UTF-8 byte order mark (libxml2 would switch
 * decoders on it).  0, or -1 with the name (or "" when it cannot be read)
 * in pr->encoding.
 */
static int
decl_encodings(const char *p, const char *decl_end, bool utf8_bom,
    struct xml_prolog *pr)
{
	const char	*q, *v;
	char		 quote;
	size_t		 n;

	for (q = p; (q = memmem(q, (size_t)(decl_end - q), "encoding", 8)) !=
	    NULL; q += 8) {
		for (v = q + 8; v < decl_end && is_blank(*v); v++)
			;
		if (v < decl_end && *v == '=')
			for (v++; v < decl_end && is_blank(*v); v++)
				;
		pr->encoding[0] = '\0';
		if (v >= decl_end || (*v != '"' && *v != '\''))
			return -1;
		quote = *v++;
		for (n = 0; v + n < decl_end && v[n] != quote; n++)
			;
		if (v + n >= decl_end || n == 0 || n >= sizeof pr->encoding)
			return -1;
		memcpy(pr->encoding, v, n);
		pr->encoding[n] = '\0';
		if (utf8_bom ? strcasecmp(pr->encoding, "UTF-8") != 0 &&
		    strcasecmp(pr->encoding, "UTF8") != 0 :
		    !encoding_is_ascii(pr->encoding))
			return -1;
	}
	pr->encoding[0] = '\0';
	return 0;
}

/*
 * The form of the first bytes: UTF-16 without a byte order mark, or any
 * other form libxml2 would decode as something other than ASCII-based
 * bytes (UTF-16 with its mark, UCS-4, EBCDIC: the patterns of libxml2's
 * xmlDetectCharEncoding).
 */
static enum xml_prolog_fault
prolog_form(const unsigned char *u, size_t len)
{
	if (len >= 4 && ((u[0] == '<' && u[1] == 0 && u[2] == '?' &&
	    u[3] == 0) || (u[0] == 0 && u[1] == '<' && u[2] == 0 &&
	    u[3] == '?')))
		return XML_PROLOG_UTF16_NO_BOM;
	if (len >= 2 && ((u[0] == 0xfe && u[1] == 0xff) ||
	    (u[0] == 0xff && u[1] == 0xfe)))
		return XML_PROLOG_NOT_ASCII;
	if (len >= 4 && (u[0] == 0 || u[1] == 0 || u[2] == 0 || u[3] == 0 ||
	    (u[0] == 0x4c && u[1] == 0x6f && u[2] == 0xa7 && u[3] == 0x94)))
		return XML_PROLOG_NOT_ASCII;
	return XML_PROLOG_OK;
}

/*
 * Scans the prolog from p: comments, processing instructions (the XML
 * declaration is one) and CDATA sections are stepped over whole, to their
 * first end -- where libxml2 ends them too, since none can hold its own
 * end -- so that a '<' inside one does not end the scan.  Stops at the
 * root element's '<' (a name's first character after it); anything else
 * libxml2 would refuse, so the scan just goes on.
 */
static enum xml_prolog_fault
prolog_scan(const char *p, const char *end, const char **at)
{
	const char		*next;
	unsigned char		 c;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		*at = p;
		if (starts_ci(p, end, "<!DOCTYPE"))
			return XML_PROLOG_DOCTYPE;
		if (starts_ci(p, end, "<!--"))
			next = past(p + 4, end, "-->");
		else if (starts_ci(p, end, "<?"))
			next = past(p + 2, end, "?>");
		else if (starts_ci(p, end, "<![CDATA["))
			next = past(p + 9, end, "]]>");
		else {
			c = p + 1 < end ? (unsigned char)p[1] : 0;
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    c == '_' || c == ':' || c >= 0x80)
				return XML_PROLOG_OK;	/* the root element */
			next = p + 1;
		}
		if (next == NULL)
			return XML_PROLOG_UNTERMINATED;
		p = next;
	}
	return XML_PROLOG_OK;
}

void
xml_prolog_check(const char *data, size_t len, struct xml_prolog *pr)
{
	const char	*p = data, *end = data + len, *at = data, *decl_end;
	bool		 bom = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0;

	memset(pr, 0, sizeof *pr);
	pr->line = 1;
	if ((pr->fault = prolog_form((const unsigned char *)data, len)) !=
	    XML_PROLOG_OK)
		return;
	if (bom)
		p += 3;
	/* The declaration, only at the very start, may name an encoding. */
	if (starts_ci(p, end, "<?xml") && p + 5 < end && is_blank(p[5])) {
		if ((decl_end = past(p, end, "?>")) == NULL) {
			pr->fault = XML_PROLOG_UNTERMINATED;
			return;
		}
		if (decl_encodings(p + 5, decl_end, bom, pr) < 0) {
			pr->fault = XML_PROLOG_ENCODING;
			return;
		}
	}
	if ((pr->fault = prolog_scan(p, end, &at)) != XML_PROLOG_OK)
		pr->line = line_of(data, (size_t)(at - data));
}

int
xml_prolog_refuse(const char *data, size_t len, struct diag_list *diags)
{
	struct xml_prolog	pr;
	struct diag_loc		loc;

	xml_prolog_check(data, len, &pr);
	loc = diag_loc_line(NULL, pr.line, 0);
	switch (pr.fault) {
	case XML_PROLOG_OK:
		return 0;
	case XML_PROLOG_DOCTYPE:
		diag_add(diags, DIAG_ERROR, "XML_FORBIDDEN", &loc, "a DOCTYPE "
		    "is not accepted: manifests carry no DTD and no entities");
		break;
	case XML_PROLOG_UNTERMINATED:
		diag_add(diags, DIAG_ERROR, "XML_MALFORMED", &loc, "a comment, "
		    "processing instruction or CDATA section before the root "
		    "element is not terminated");
		break;
	case XML_PROLOG_UTF16_NO_BOM:
		diag_add(diags, DIAG_ERROR, "XML_MALFORMED", &loc, "UTF-16 "
		    "without a byte order mark (XML 1.0 requires one)");
		break;
	case XML_PROLOG_NOT_ASCII:
		diag_add(diags, DIAG_ERROR, "XML_FORBIDDEN", &loc, "the document "
		    "is in UTF-16, UCS-4 or EBCDIC: only UTF-8 and the "
		    "ASCII-based encodings of docs/xml.md are accepted");
		break;
	case XML_PROLOG_ENCODING:
		if (pr.encoding[0] != '\0')
			diag_add(diags, DIAG_ERROR, "XML_FORBIDDEN", &loc, "the "
			    "encoding '%s' is not accepted: only UTF-8 and the "
			    "ASCII-based encodings of docs/xml.md (and only "
			    "UTF-8 after a UTF-8 byte order mark)", pr.encoding);
		else
			diag_add(diags, DIAG_ERROR, "XML_FORBIDDEN", &loc, "the "
			    "XML declaration's encoding cannot be read");
		break;
	}
	return -1;
}
