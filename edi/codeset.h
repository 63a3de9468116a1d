/*
 * codeset.h -- the character repertoires of UNB 0001 and their
 * conversion to UTF-8.
 *
 * UNOA and UNOB are ASCII; UNOC is ISO 8859-1, UNOD ISO 8859-2, UNOE ISO
 * 8859-5 (Cyrillic); UNOY is ISO 10646, sent as UTF-8.  Senders often put
 * UTF-8 under a Latin declaration: a value whose bytes form valid UTF-8
 * with at least one multi-byte sequence is read as UTF-8 and flagged so
 * the reader can warn.  Pure functions; any thread.
 */
#ifndef EDI_CODESET_H
#define EDI_CODESET_H

#include <stddef.h>

#include "manifest/util.h"

enum edi_codeset {
	EDI_CODESET_UNOA,
	EDI_CODESET_UNOB,
	EDI_CODESET_UNOC,
	EDI_CODESET_UNOD,
	EDI_CODESET_UNOE,
	EDI_CODESET_UNOY,
	EDI_CODESET_UNKNOWN,	/* read as UNOC would be, with a warning */
};

/* Result flags of edi_codeset_to_utf8(). */
#define EDI_CODESET_READ_AS_UTF8	0x1	/* UTF-8 found under a Latin declaration */
#define EDI_CODESET_REPLACED		0x2	/* bytes that fit nothing became U+FFFD */
#define EDI_CODESET_OUT_OF_REPERTOIRE	0x4	/* non-ASCII under UNOA/UNOB */

/* The repertoire named by a syntax identifier ("UNOC"), or UNKNOWN. */
enum edi_codeset edi_codeset_from_id(const char *id, size_t len);
const char *edi_codeset_name(enum edi_codeset cs);

/* Appends len bytes of s, declared in cs, to out as UTF-8; returns flags. */
unsigned edi_codeset_to_utf8(enum edi_codeset cs, const char *s, size_t len,
    struct buf *out);
/*
 * Appends UTF-8 text converted to cs (for writers): characters outside
 * the repertoire become '?'.  Returns how many were replaced.
 */
size_t edi_codeset_from_utf8(enum edi_codeset cs, const char *s, size_t len,
    struct buf *out);

#endif
