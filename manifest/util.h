/*
 * util.h -- allocation wrappers, a growable byte buffer, and printable
 * text.
 *
 * Owns nothing of its own.  The x* wrappers end the process on out of
 * memory (the one exit a library directory may take: there is nothing a
 * caller could do instead); a struct buf owns its bytes until buf_free()
 * or buf_steal().  "Printable text" is what may be shown to a person or
 * stored as PostgreSQL text: valid UTF-8 holding no control character.
 * Input bytes that are not (a diagnostic quoting a broken tag, a log line
 * quoting a URI) are escaped as \xNN, one escape per byte.  Safe on any
 * thread.
 */
#ifndef MANIFEST_UTIL_H
#define MANIFEST_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* Allocate or abort; the caller owns the result and frees it with free(). */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formats into a new string owned by the caller. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A growable byte buffer; zero-initialised is empty and valid. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/* buf_reserve when b must grow: the slow path, out of line. */
char *buf_grow(struct buf *b, size_t n);

/*
 * Makes room for at least n more bytes (and a NUL); returns a pointer to
 * the free end.  Inline, as are the appends below: the JSON writer calls
 * them for every byte of a million-item train's contents.
 */
static inline char *
buf_reserve(struct buf *b, size_t n)
{
	if (b->data != NULL && n < b->cap - b->len)
		return b->data + b->len;
	return buf_grow(b, n);
}

/* Appends len bytes. */
static inline void
buf_add(struct buf *b, const void *data, size_t len)
{
	char	*p = buf_reserve(b, len);

	if (len != 0)
		__builtin_memcpy(p, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

/* Appends one byte. */
static inline void
buf_add_char(struct buf *b, char c)
{
	char	*p = buf_reserve(b, 1);

	p[0] = c;
	p[1] = '\0';
	b->len++;
}

void buf_add_str(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the contents NUL-terminated and owned by the caller; b is emptied. */
char *buf_steal(struct buf *b, size_t *lenp);
/* Empties b, keeping its memory. */
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* Characters (code points) of valid UTF-8 s: the bytes that start one. */
static inline size_t
utf8_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Length of the UTF-8 sequence at s (1 to 4, never past len), or 0 when
 * the bytes there are not one: a stray continuation byte, an overlong
 * form, a surrogate, a code point past U+10FFFF, a sequence cut short.
 */
static inline size_t
utf8_sequence(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 n, i;

	if (len == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
		return 0;
	if (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
		return 0;
	return n;
}

/*
 * How many leading bytes of s are printable text: valid UTF-8 with no C0
 * control, DEL or C1 control (U+0080-U+009F).  len when all of it is.
 */
size_t text_printable_span(const char *s, size_t len);
/* True when s (NUL-terminated) is printable text as it is. */
bool text_is_printable(const char *s);
/*
 * Appends s to b as printable text: each byte that is not (a control, a
 * byte of no valid UTF-8 sequence) becomes the four characters \xNN
 * (capital hex).  Returns how many bytes were escaped.
 */
size_t buf_add_printable(struct buf *b, const char *s, size_t len);
/* A new string (the caller frees it): s with buf_add_printable's escapes. */
char *xstrdup_printable(const char *s);

/* Lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void hex_encode(const unsigned char *in, size_t n, char *out);
/* The SHA-256 of len bytes at data as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);
/* SHA-256 of bytes given in pieces: new, add any number of times, end
 * (which writes the hex as sha256_hex does and frees the stream). */
struct sha256_stream *sha256_stream_new(void);
void sha256_stream_add(struct sha256_stream *h, const void *data, size_t len);
void sha256_stream_end(struct sha256_stream *h, char out[65]);

/* Reads a whole file; the caller owns *data (NUL-terminated).  0 or -1 with errno. */
int file_read_all(const char *path, char **data, size_t *len);
/* The same for a regular file only: a symbolic link is not followed and
 * anything else (FIFO, device, directory) fails with EINVAL. */
int file_read_regular(const char *path, char **data, size_t *len);

#endif
