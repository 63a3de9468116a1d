/*
 * detect.h -- which manifest format a byte string is, judged by content.
 *
 * Pure function; safe on any thread.
 */
#ifndef MANIFEST_DETECT_H
#define MANIFEST_DETECT_H

#include <stddef.h>

enum manifest_format {
	MANIFEST_FORMAT_UNKNOWN,
	MANIFEST_FORMAT_EDIFACT,	/* starts with UNA or UNB */
	MANIFEST_FORMAT_XML,		/* starts with '<' */
	MANIFEST_FORMAT_GZIP,		/* gzip magic: decompress, then detect again */
};

/*
 * Looks past a UTF-8 byte order mark and leading white space at the first
 * bytes of data.
 */
enum manifest_format manifest_detect_format(const char *data, size_t len);
/* "EDIFACT", "XML", "gzip" or "unknown". */
const char *manifest_format_name(enum manifest_format f);

#endif
