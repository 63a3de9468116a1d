/*
 * xml_prescan.h -- checks on an XML document's bytes before libxml2 sees
 * them, for what libxml2 2.9.14 would parse first and refuse late, or
 * never: a DOCTYPE in the prolog (so no DTD is ever parsed), UTF-16
 * without a byte order mark (libxml2 would guess), a start tag or text run
 * longer than a limit, a start tag with too many attributes (libxml2's
 * duplicate check is quadratic).  The last two share one pass at memory
 * speed (16 bytes at a time with SSE2).  Pure functions of the bytes;
 * used by xml_read.c only.
 */
#ifndef MANIFEST_XML_PRESCAN_H
#define MANIFEST_XML_PRESCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The line of a DOCTYPE before the root element, or 0. */
uint32_t xml_prolog_doctype_line(const char *data, size_t len);
/* True when data starts as UTF-16 ("<?") without a byte order mark. */
bool xml_utf16_without_bom(const char *data, size_t len);
/*
 * One pass: the line of the first start tag with more than max_attrs
 * attributes, or of the first run of more than max_run bytes without a
 * '<' (*long_run true: a start tag or text over the limit), or 0.
 */
uint32_t xml_tag_scan(const char *data, size_t len, size_t max_attrs,
    size_t max_run, bool *long_run);

#endif
