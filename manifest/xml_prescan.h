/*
 * xml_prescan.h -- checks on an XML document's bytes before libxml2 sees
 * them, for what libxml2 2.9.14 would parse first and refuse late, or
 * never: a DOCTYPE in the prolog (so no DTD is ever parsed), UTF-16
 * without a byte order mark (libxml2 would guess), bytes or a declared
 * encoding in which markup is not ASCII (libxml2 would decode markup
 * these checks cannot see), a start tag or text run longer than a limit,
 * a start tag with too many attributes (libxml2's duplicate check is
 * quadratic).  The last two share one pass at memory speed (16 bytes at
 * a time with SSE2).  Pure functions of the bytes; used by xml_read.c,
 * and by xml_schema.c before libxml2 builds a tree to validate.
 */
#ifndef MANIFEST_XML_PRESCAN_H
#define MANIFEST_XML_PRESCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag_list;

#define XML_SCAN_STEP	((size_t)1 << 20)	/* bytes between two progress reports */

/* What the prolog check found. */
enum xml_prolog_fault {
	XML_PROLOG_OK,
	XML_PROLOG_DOCTYPE,		/* a DOCTYPE before the root element */
	XML_PROLOG_UNTERMINATED,	/* a comment, PI or CDATA in the prolog never ends */
	XML_PROLOG_UTF16_NO_BOM,	/* "<?" as 16-bit units, no byte order mark */
	XML_PROLOG_NOT_ASCII,		/* UTF-16 with its mark, UCS-4, EBCDIC */
	XML_PROLOG_ENCODING,		/* a declared encoding outside the list */
};

struct xml_prolog {
	enum xml_prolog_fault	 fault;
	uint32_t		 line;		/* where the fault is (1-based) */
	char			 encoding[64];	/* XML_PROLOG_ENCODING: the name, or "" */
};

/*
 * The prolog -- the bytes before the root element -- as libxml2 would
 * read it: the document must be in bytes where markup is ASCII (UTF-8 or
 * an encoding of a short list, declared), and hold no DOCTYPE, comments,
 * processing instructions and CDATA being stepped over whole.  So that
 * no DTD, internal subset included, is ever parsed.  Fills *pr.
 */
void xml_prolog_check(const char *data, size_t len, struct xml_prolog *pr);
/* xml_prolog_check as a diagnostic (XML_FORBIDDEN or XML_MALFORMED, with
 * the line) added to diags: 0, or -1 when the document is refused. */
int xml_prolog_refuse(const char *data, size_t len, struct diag_list *diags);
/*
 * One pass: the line of the first start tag with more than max_attrs
 * attributes, or of the first run of more than max_run bytes without a
 * '<' (*long_run true: a start tag or text over the limit), or 0.
 */
uint32_t xml_tag_scan(const char *data, size_t len, size_t max_attrs,
    size_t max_run, bool *long_run);
/*
 * xml_tag_scan telling done(arg, upto) every XML_SCAN_STEP bytes that it
 * has passed data[0, upto) (done may be NULL): a caller reading a mapped
 * file gives those pages back, so that the scan does not make the whole
 * file resident.
 */
uint32_t xml_tag_scan_with(const char *data, size_t len, size_t max_attrs,
    size_t max_run, bool *long_run, void (*done)(void *arg, size_t upto),
    void *arg);

#endif
