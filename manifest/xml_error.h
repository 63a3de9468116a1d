/*
 * xml_error.h -- libxml2's error messages made fit for a diagnostic:
 * shared by the reader and the schema validator.  Internal to manifest/.
 */
#ifndef MANIFEST_XML_ERROR_H
#define MANIFEST_XML_ERROR_H

#include <stddef.h>

#include <libxml/xmlerror.h>

/*
 * Copies e's message into out on one line (libxml2 ends messages with a
 * newline and puts byte dumps on a second line); fallback when it has none.
 */
void xml_error_text(const xmlError *e, const char *fallback, char *out,
    size_t size);

#endif
