/*
 * detect.c -- format detection by content, never by file name or
 * Content-Type, which senders get wrong.
 */
#include <string.h>

#include "detect.h"

/* Judges by the first significant bytes. */
enum manifest_format
manifest_detect_format(const char *data, size_t len)
{
	size_t	i = 0;

	if (len >= 2 && (unsigned char)data[0] == 0x1f &&
	    (unsigned char)data[1] == 0x8b)
		return MANIFEST_FORMAT_GZIP;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
	    data[i] == '\n'))
		i++;
	if (len - i >= 3 && (memcmp(data + i, "UNA", 3) == 0 ||
	    memcmp(data + i, "UNB", 3) == 0))
		return MANIFEST_FORMAT_EDIFACT;
	if (i < len && data[i] == '<')
		return MANIFEST_FORMAT_XML;
	return MANIFEST_FORMAT_UNKNOWN;
}

const char *
manifest_format_name(enum manifest_format f)
{
	switch (f) {
	case MANIFEST_FORMAT_EDIFACT:
		return "EDIFACT";
	case MANIFEST_FORMAT_XML:
		return "XML";
	case MANIFEST_FORMAT_GZIP:
		return "gzip";
	default:
		return "unknown";
	}
}
