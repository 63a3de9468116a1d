/*
 * util.c -- allocation wrappers, the growable byte buffer, printable text.
 *
 * Out of memory is not an error a parser or rule can recover from, so the
 * wrappers abort with one line on stderr; everything else in the library
 * directories reports errors to its caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util.h"

static void out_of_memory(size_t size) __attribute__((noreturn));

/* Ends the process: the only exit taken below daemon/. */
static void
out_of_memory(size_t size)
{
	char	msg[80];
	int	n;

	n = snprintf(msg, sizeof msg, "railgate: out of memory (%zu bytes)\n", size);
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n);
	abort();
}

/* malloc that never returns NULL. */
void *
xmalloc(size_t size)
{
	void	*p;

	p = malloc(size == 0 ? 1 : size);
	if (p == NULL)
		out_of_memory(size);
	return p;
}

/* calloc that never returns NULL. */
void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
	if (p == NULL)
		out_of_memory(n * size);
	return p;
}

/* reallocarray that never returns NULL and checks n * size for overflow. */
void *
xreallocarray(void *ptr, size_t n, size_t size)
{
	void	*p;

	if (size != 0 && n > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	p = realloc(ptr, n * size == 0 ? 1 : n * size);
	if (p == NULL)
		out_of_memory(n * size);
	return p;
}

/* strdup that never returns NULL. */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Copies at most n bytes of s into a new NUL-terminated string. */
char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* vasprintf that never returns NULL. */
char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory(strlen(fmt));
	return s;
}

/* asprintf that never returns NULL. */
char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Grows b so that n more bytes (and a NUL) fit (buf_reserve's slow path). */
char *
buf_grow(struct buf *b, size_t n)
{
	size_t	 want;

	if (n > SIZE_MAX - b->len - 1)
		out_of_memory(SIZE_MAX);
	want = b->len + n + 1;
	if (want > b->cap) {
		size_t cap = b->cap < 256 ? 256 : b->cap;
		while (cap < want)
			cap = cap > SIZE_MAX / 2 ? want : cap * 2;
		b->data = xreallocarray(b->data, cap, 1);
		b->cap = cap;
	}
	return b->data + b->len;
}

/* Appends a NUL-terminated string. */
void
buf_add_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Appends formatted text. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Hands the bytes to the caller and leaves b empty. */
char *
buf_steal(struct buf *b, size_t *lenp)
{
	char	*data;

	if (b->data == NULL)
		buf_reserve(b, 0);
	data = b->data;
	data[b->len] = '\0';
	if (lenp != NULL)
		*lenp = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return data;
}

/* Empties b but keeps its allocation for reuse. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Releases b's memory; b is empty and reusable afterwards. */
void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Printable ASCII, valid UTF-8 past ASCII, short of a control. */
size_t
text_printable_span(const char *s, size_t len)
{
	size_t		i = 0, k;
	unsigned char	c;

	while (i < len) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		if (c < 0x80)
			break;			/* C0 or DEL */
		k = utf8_sequence(s + i, len - i);
		if (k == 0 || (c == 0xc2 && (unsigned char)s[i + 1] < 0xa0))
			break;			/* not UTF-8, or C1 */
		i += k;
	}
	return i;
}

bool
text_is_printable(const char *s)
{
	size_t	len = strlen(s);

	return text_printable_span(s, len) == len;
}

/* Printable runs copied whole, one \xNN per other byte. */
size_t
buf_add_printable(struct buf *b, const char *s, size_t len)
{
	size_t	k, escaped = 0;

	while (len > 0) {
		k = text_printable_span(s, len);
		buf_add(b, s, k);
		if (k == len)
			break;
		buf_printf(b, "\\x%02X", (unsigned char)s[k]);
		escaped++;
		s += k + 1;
		len -= k + 1;
	}
	return escaped;
}

char *
xstrdup_printable(const char *s)
{
	struct buf	b = { 0 };

	buf_add_printable(&b, s, strlen(s));
	return buf_steal(&b, NULL);
}

/* Lowercase hexadecimal encoding. */
void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t	i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	EVP_Digest(data != NULL ? data : "", len, md, &mdlen, EVP_sha256(),
	    NULL);
	hex_encode(md, mdlen, out);
}

/* The stream is OpenSSL's digest context, named for what it does here. */
struct sha256_stream *
sha256_stream_new(void)
{
	EVP_MD_CTX	*c = EVP_MD_CTX_new();

	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		out_of_memory(sizeof c);
	return (struct sha256_stream *)c;
}

void
sha256_stream_add(struct sha256_stream *h, const void *data, size_t len)
{
	if (len != 0)
		(void)EVP_DigestUpdate((EVP_MD_CTX *)h, data, len);
}

void
sha256_stream_end(struct sha256_stream *h, char out[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	(void)EVP_DigestFinal_ex((EVP_MD_CTX *)h, md, &mdlen);
	EVP_MD_CTX_free((EVP_MD_CTX *)h);
	hex_encode(md, mdlen, out);
}

/* Reads path whole into a new NUL-terminated buffer. */
/* Reads fd to its end into *data (NUL-terminated) and closes it. */
static int
fd_read_all(int fd, char **data, size_t *len)
{
	struct buf	 b = { 0 };
	struct stat	 st;
	ssize_t		 n;
	int		 saved;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		buf_reserve(&b, (size_t)st.st_size);
	for (;;) {
		buf_reserve(&b, 65536);
		n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			buf_free(&b);
			errno = saved;
			return -1;
		}
		b.len += (size_t)n;
	}
	close(fd);
	*data = buf_steal(&b, len);
	return 0;
}

int
file_read_all(const char *path, char **data, size_t *len)
{
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	return fd_read_all(fd, data, len);
}

int
file_read_regular(const char *path, char **data, size_t *len)
{
	struct stat	st;
	int		fd;

	/* O_NONBLOCK: a FIFO put in its place must not hang the reader. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd_read_all(fd, data, len);
}
