/*
 * codeset.c -- ISO 8859 upper halves and UTF-8.
 *
 * The tables list the code points of bytes 0xA0-0xFF (0x80-0x9F are C1
 * controls in every ISO 8859 part and map to themselves).
 */
#include <stdbool.h>
#include <string.h>

#include "codeset.h"

static const unsigned short latin2_high[96] = {
	0x00a0, 0x0104, 0x02d8, 0x0141, 0x00a4, 0x013d, 0x015a, 0x00a7,
	0x00a8, 0x0160, 0x015e, 0x0164, 0x0179, 0x00ad, 0x017d, 0x017b,
	0x00b0, 0x0105, 0x02db, 0x0142, 0x00b4, 0x013e, 0x015b, 0x02c7,
	0x00b8, 0x0161, 0x015f, 0x0165, 0x017a, 0x02dd, 0x017e, 0x017c,
	0x0154, 0x00c1, 0x00c2, 0x0102, 0x00c4, 0x0139, 0x0106, 0x00c7,
	0x010c, 0x00c9, 0x0118, 0x00cb, 0x011a, 0x00cd, 0x00ce, 0x010e,
	0x0110, 0x0143, 0x0147, 0x00d3, 0x00d4, 0x0150, 0x00d6, 0x00d7,
	0x0158, 0x016e, 0x00da, 0x0170, 0x00dc, 0x00dd, 0x0162, 0x00df,
	0x0155, 0x00e1, 0x00e2, 0x0103, 0x00e4, 0x013a, 0x0107, 0x00e7,
	0x010d, 0x00e9, 0x0119, 0x00eb, 0x011b, 0x00ed, 0x00ee, 0x010f,
	0x0111, 0x0144, 0x0148, 0x00f3, 0x00f4, 0x0151, 0x00f6, 0x00f7,
	0x0159, 0x016f, 0x00fa, 0x0171, 0x00fc, 0x00fd, 0x0163, 0x02d9,
};

/* ISO 8859-5: the Cyrillic block, with No. and the section sign. */
static unsigned short
cyrillic_high(unsigned char b)
{
	if (b == 0xa0)
		return 0x00a0;
	if (b == 0xad)
		return 0x00ad;
	if (b == 0xf0)
		return 0x2116;
	if (b == 0xfd)
		return 0x00a7;
	return (unsigned short)(0x0400 + (b - 0xa0));
}

enum edi_codeset
edi_codeset_from_id(const char *id, size_t len)
{
	static const char *names[] = { "UNOA", "UNOB", "UNOC", "UNOD", "UNOE",
	    "UNOY" };
	size_t	i;

	for (i = 0; i < nitems(names); i++)
		if (len == 4 && memcmp(id, names[i], 4) == 0)
			return (enum edi_codeset)i;
	return EDI_CODESET_UNKNOWN;
}

const char *
edi_codeset_name(enum edi_codeset cs)
{
	static const char *names[] = { "UNOA", "UNOB", "UNOC", "UNOD", "UNOE",
	    "UNOY", "unknown" };

	return (unsigned)cs < nitems(names) ? names[cs] : "unknown";
}

/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0 if none starts
 * there.  Overlong forms and surrogates are invalid.
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char	c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return len >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (len < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (len < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* True when s is wholly valid UTF-8 (ASCII included). */
static bool
is_utf8(const unsigned char *s, size_t len)
{
	size_t	i = 0, n;

	while (i < len) {
		if ((n = utf8_seq(s + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

/* Appends code point cp as UTF-8. */
static void
put_utf8(struct buf *out, unsigned cp)
{
	char	b[4];

	if (cp < 0x80) {
		buf_add_char(out, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 2);
	} else {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 3);
	}
}

/* One byte of a single-byte repertoire as a code point. */
static unsigned
byte_to_cp(enum edi_codeset cs, unsigned char b)
{
	if (b < 0xa0)
		return b;
	switch (cs) {
	case EDI_CODESET_UNOD:
		return latin2_high[b - 0xa0];
	case EDI_CODESET_UNOE:
		return cyrillic_high(b);
	default:
		return b;	/* ISO 8859-1 is the first 256 code points */
	}
}

unsigned
edi_codeset_to_utf8(enum edi_codeset cs, const char *s, size_t len,
    struct buf *out)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned		 flags = 0;
	size_t			 i, n;

	for (i = 0; i < len && u[i] < 0x80; i++)
		;
	if (i == len) {			/* ASCII: the common case */
		buf_add(out, s, len);
		return 0;
	}
	if (cs == EDI_CODESET_UNOY || is_utf8(u, len)) {
		if (cs != EDI_CODESET_UNOY)
			flags |= EDI_CODESET_READ_AS_UTF8;
		for (i = 0; i < len; i += n) {
			if ((n = utf8_seq(u + i, len - i)) == 0) {
				buf_add_str(out, "\xef\xbf\xbd");
				flags |= EDI_CODESET_REPLACED;
				n = 1;
			} else
				buf_add(out, s + i, n);
		}
		return flags;
	}
	if (cs == EDI_CODESET_UNOA || cs == EDI_CODESET_UNOB)
		flags |= EDI_CODESET_OUT_OF_REPERTOIRE;
	for (i = 0; i < len; i++)
		put_utf8(out, byte_to_cp(cs, u[i]));
	return flags;
}

/* The byte of cs for code point cp, or -1. */
static int
cp_to_byte(enum edi_codeset cs, unsigned cp)
{
	unsigned	b;

	if (cp < 0x80)
		return (int)cp;
	if (cs == EDI_CODESET_UNOA || cs == EDI_CODESET_UNOB)
		return -1;
	for (b = 0x80; b <= 0xff; b++)
		if (byte_to_cp(cs, (unsigned char)b) == cp)
			return (int)b;
	return -1;
}

size_t
edi_codeset_from_utf8(enum edi_codeset cs, const char *s, size_t len,
    struct buf *out)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, n, replaced = 0;
	unsigned		 cp;
	int			 b;

	if (cs == EDI_CODESET_UNOY) {
		buf_add(out, s, len);
		return 0;
	}
	for (i = 0; i < len; i += n) {
		if ((n = utf8_seq(u + i, len - i)) == 0)
			n = 1;
		if (n == 1) {
			cp = u[i];
		} else if (n == 2) {
			cp = (unsigned)(u[i] & 0x1f) << 6 | (u[i + 1] & 0x3f);
		} else if (n == 3) {
			cp = (unsigned)(u[i] & 0x0f) << 12 |
			    (unsigned)(u[i + 1] & 0x3f) << 6 | (u[i + 2] & 0x3f);
		} else
			cp = 0x10000;
		if ((b = cp_to_byte(cs, cp)) < 0) {
			buf_add_char(out, '?');
			replaced++;
		} else
			buf_add_char(out, (char)b);
	}
	return replaced;
}
