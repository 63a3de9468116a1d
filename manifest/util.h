/*
 * util.h -- allocation wrappers and a growable byte buffer.
 *
 * Owns nothing of its own.  The x* wrappers end the process on out of
 * memory (the one exit a library directory may take: there is nothing a
 * caller could do instead); a struct buf owns its bytes until buf_free()
 * or buf_steal().  Safe on any thread.
 */
#ifndef MANIFEST_UTIL_H
#define MANIFEST_UTIL_H

#include <stdarg.h>
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

/* Makes room for at least n more bytes; returns a pointer to the free end. */
char *buf_reserve(struct buf *b, size_t n);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_add_str(struct buf *b, const char *s);
void buf_add_char(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the contents NUL-terminated and owned by the caller; b is emptied. */
char *buf_steal(struct buf *b, size_t *lenp);
/* Empties b, keeping its memory. */
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* Lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* Reads a whole file; the caller owns *data (NUL-terminated).  0 or -1 with errno. */
int file_read_all(const char *path, char **data, size_t *len);
/* The same for a regular file only: a symbolic link is not followed and
 * anything else (FIFO, device, directory) fails with EINVAL. */
int file_read_regular(const char *path, char **data, size_t *len);

#endif
