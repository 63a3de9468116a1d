/*
 * reqhead.c -- a request's head and its body's framing, read strictly
 * (see reqhead.h for what is refused and why).
 *
 * The head is split in place into NUL-terminated lines; the struct
 * points into that copy, which it owns.  Every check answers the first
 * problem it meets, with the status RFC 9110/9112 give it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "manifest/util.h"

#include "daemon/http/reqhead.h"

/* The methods evhttp knows; only the first five are served. */
static const char *const served_methods[] = {
	"GET", "POST", "PUT", "DELETE", "HEAD",
};

enum {
	CH_SIZE,	/* hex digits of a chunk size */
	CH_SIZE_LF,	/* after the size's carriage return */
	CH_DATA,	/* the chunk's data */
	CH_DATA_END,	/* the line end after the data */
	CH_DATA_LF,	/* after that line end's carriage return */
	CH_TRAILER,	/* after the last chunk: the blank line */
	CH_TRAILER_LF,
	CH_END,
};

size_t
reqhead_scan_feed(struct reqhead_scan *s, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		s->scanned++;
		if (p[i] == '\n') {
			if (s->line == 0 || (s->line == 1 && s->cr))
				return s->scanned;
			s->line = 0;
			s->cr = false;
			continue;
		}
		s->line++;
		s->cr = p[i] == '\r';
	}
	return 0;
}

static int fail(struct reqhead_error *, int, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct reqhead_error *err, int status, const char *title,
    const char *fmt, ...)
{
	va_list	ap;

	err->status = status;
	err->title = title;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof err->detail, fmt, ap);
	va_end(ap);
	return -1;
}

/* RFC 9110 tchar. */
static bool
is_tchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static bool
is_token(const char *s, size_t n)
{
	size_t	i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || !is_tchar((unsigned char)s[i]))
			return false;
	return true;
}

/* The next line of *p (NUL-terminated in place, CR dropped), or NULL. */
static char *
next_line(char **p, const char *end)
{
	char	*line = *p, *lf;

	if (line >= end || (lf = memchr(line, '\n', (size_t)(end - line))) ==
	    NULL)
		return NULL;
	*lf = '\0';
	if (lf > line && lf[-1] == '\r')
		lf[-1] = '\0';
	*p = lf + 1;
	return line;
}

/* "METHOD SP target SP HTTP/1.x". */
static int
parse_request_line(struct reqhead *h, char *line, struct reqhead_error *err)
{
	char	*sp1, *sp2;
	size_t	 i;
	bool	 served = false;

	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL || strchr(sp2 + 1, ' ') !=
	    NULL)
		return fail(err, 400, "Bad Request", "the request line is not "
		    "\"METHOD target HTTP/1.1\"");
	*sp1 = *sp2 = '\0';
	h->method = line;
	h->target = sp1 + 1;
	if (!is_token(h->method, strlen(h->method)))
		return fail(err, 400, "Bad Request", "malformed method");
	for (i = 0; i < nitems(served_methods); i++)
		served = served || strcmp(h->method, served_methods[i]) == 0;
	if (!served)
		return fail(err, 501, "Not Implemented", "method %.40s is not "
		    "implemented (GET, HEAD, POST, PUT and DELETE are)",
		    h->method);
	h->is_head = strcmp(h->method, "HEAD") == 0;
	if (*h->target == '\0')
		return fail(err, 400, "Bad Request", "no request target");
	for (i = 0; h->target[i] != '\0'; i++)
		if ((unsigned char)h->target[i] <= ' ' ||
		    (unsigned char)h->target[i] >= 0x7f)
			return fail(err, 400, "Bad Request", "the request target "
			    "has a byte that is not visible ASCII");
	if (*h->target != '/' && strncasecmp(h->target, "http://", 7) != 0 &&
	    strncasecmp(h->target, "https://", 8) != 0)
		return fail(err, 400, "Bad Request", "the request target is "
		    "neither a path nor an absolute http URI");
	if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
		h->minor = 1;
	else if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
		h->minor = 0;
	else if (strncmp(sp2 + 1, "HTTP/", 5) == 0)
		return fail(err, 505, "HTTP Version Not Supported", "%.20s is "
		    "not supported (HTTP/1.1 and HTTP/1.0 are)", sp2 + 1);
	else
		return fail(err, 400, "Bad Request", "malformed HTTP version");
	return 0;
}

/* The headers the guard reads, each allowed once. */
struct framing {
	const char	*content_length, *transfer_encoding, *expect;
	int		 n_cl, n_te, n_auth, n_cookie, n_expect;
};

/* Trims the value as evhttp stores it: leading spaces, trailing blanks. */
static char *
trim_value(char *v)
{
	char	*e;

	v += strspn(v, " ");
	e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return v;
}

/* One "name: value" line. */
static int
parse_header(struct reqhead *h, struct framing *f, char *line,
    struct reqhead_error *err)
{
	char		*colon, *value;
	const char	*q;

	if (*line == ' ' || *line == '\t')
		return fail(err, 400, "Bad Request", "folded header lines "
		    "(obs-fold) are not accepted");
	if ((colon = strchr(line, ':')) == NULL ||
	    !is_token(line, (size_t)(colon - line)))
		/* Not echoed: it may hold a credential. */
		return fail(err, 400, "Bad Request", "a header line is not "
		    "\"name: value\" with a name of token characters");
	*colon = '\0';
	for (q = colon + 1; *q != '\0'; q++)
		if (((unsigned char)*q < ' ' && *q != '\t') || *q == 0x7f)
			return fail(err, 400, "Bad Request", "header %.40s has "
			    "a control character", line);
	value = trim_value(colon + 1);
	if (strcasecmp(line, "Content-Length") == 0) {
		f->content_length = value;
		f->n_cl++;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
		f->transfer_encoding = value;
		f->n_te++;
	} else if (strcasecmp(line, "Authorization") == 0) {
		h->authorization = value;
		f->n_auth++;
	} else if (strcasecmp(line, "Cookie") == 0) {
		h->cookie = value;
		f->n_cookie++;
	} else if (strcasecmp(line, "Expect") == 0) {
		f->expect = value;
		f->n_expect++;
	}
	return 0;
}

/* Where the body ends: Content-Length, chunked, or none. */
static int
check_framing(struct reqhead *h, const struct framing *f,
    struct reqhead_error *err)
{
	size_t	n;

	if (f->n_cl > 1)
		return fail(err, 400, "Bad Request", "more than one "
		    "Content-Length header");
	if (f->n_te > 1)
		return fail(err, 400, "Bad Request", "more than one "
		    "Transfer-Encoding header");
	if (f->n_auth > 1)
		return fail(err, 400, "Bad Request", "more than one "
		    "Authorization header");
	if (f->n_cookie > 1)
		return fail(err, 400, "Bad Request", "more than one "
		    "Cookie header");
	if (f->n_expect > 1)
		return fail(err, 400, "Bad Request", "more than one Expect "
		    "header");
	if (f->n_cl == 1 && f->n_te == 1)
		return fail(err, 400, "Bad Request", "Content-Length and "
		    "Transfer-Encoding together");
	if (f->n_te == 1) {
		if (strcasecmp(f->transfer_encoding, "chunked") != 0)
			return fail(err, 501, "Not Implemented", "Transfer-"
			    "Encoding \"%.40s\" is not supported (only "
			    "chunked)", f->transfer_encoding);
		if (h->minor == 0)
			return fail(err, 400, "Bad Request", "Transfer-Encoding "
			    "in an HTTP/1.0 request");
		h->chunked = true;
	}
	if (f->n_cl == 1) {
		n = strlen(f->content_length);
		if (n == 0 || strspn(f->content_length, "0123456789") != n)
			return fail(err, 400, "Bad Request", "Content-Length "
			    "\"%.30s\" is not a number", f->content_length);
		if (n > 18)
			return fail(err, 413, "Payload Too Large",
			    "Content-Length %.30s is too large",
			    f->content_length);
		h->content_length = strtoll(f->content_length, NULL, 10);
	}
	if (h->is_head && (h->chunked || h->content_length > 0))
		return fail(err, 400, "Bad Request", "a HEAD request has no "
		    "body");
	/* evhttp reads Expect in HTTP/1.1 only; so does this. */
	if (f->n_expect == 1 && h->minor == 1 &&
	    strcasecmp(f->expect, "100-continue") != 0)
		return fail(err, 417, "Expectation Failed", "Expect \"%.40s\" "
		    "is not supported (only 100-continue)", f->expect);
	return 0;
}

int
reqhead_parse(struct reqhead *h, const char *data, size_t len,
    struct reqhead_error *err)
{
	struct framing	 f;
	char		*p, *end, *line;

	memset(h, 0, sizeof *h);
	memset(&f, 0, sizeof f);
	h->content_length = -1;
	h->text = xmalloc(len + 1);
	memcpy(h->text, data, len);
	h->text[len] = '\0';
	p = h->text;
	end = h->text + len;
	if (memchr(h->text, '\0', len) != NULL)
		return fail(err, 400, "Bad Request", "a NUL byte in the request "
		    "head");
	if ((line = next_line(&p, end)) == NULL || *line == '\0')
		return fail(err, 400, "Bad Request", "no request line");
	if (parse_request_line(h, line, err) < 0)
		return -1;
	while ((line = next_line(&p, end)) != NULL && *line != '\0')
		if (parse_header(h, &f, line, err) < 0)
			return -1;
	if (line == NULL)
		return fail(err, 400, "Bad Request", "the head does not end "
		    "with a blank line");
	return check_framing(h, &f, err);
}

void
reqhead_clear(struct reqhead *h)
{
	free(h->text);
	memset(h, 0, sizeof *h);
	h->content_length = -1;
}

/* The value of a hex digit, or -1. */
static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

#define CH_GO_ON	(-1)

/* A chunked body's framing is malformed. */
static int
chunk_fail(struct reqhead_error *err, const char *detail)
{
	fail(err, 400, "Bad Request", "%s", detail);
	return REQHEAD_CHUNK_BAD;
}

/* A chunk size line ended. */
static int
chunk_sized(struct reqhead_chunks *c)
{
	c->total += c->size;
	c->left = c->size;
	c->state = c->size == 0 ? CH_TRAILER : CH_DATA;
	return REQHEAD_CHUNK_SIZE;
}

/* One byte of framing (not data): REQHEAD_CHUNK_* or CH_GO_ON. */
static int
chunk_byte(struct reqhead_chunks *c, char ch, struct reqhead_error *err)
{
	static const char bad_size[] = "malformed chunk size line (hex "
	    "digits, no extensions)";
	int	v;

	switch (c->state) {
	case CH_SIZE:
		if ((v = hexval(ch)) >= 0) {
			if (++c->digits > 15)
				return chunk_fail(err, bad_size);
			c->size = c->size * 16 + (uint64_t)v;
			return CH_GO_ON;
		}
		if (c->digits == 0 || (ch != '\r' && ch != '\n'))
			return chunk_fail(err, bad_size);
		if (ch == '\n')
			return chunk_sized(c);
		c->state = CH_SIZE_LF;
		return CH_GO_ON;
	case CH_SIZE_LF:
		if (ch != '\n')
			return chunk_fail(err, bad_size);
		return chunk_sized(c);
	case CH_DATA_END:
		if (ch == '\r') {
			c->state = CH_DATA_LF;
			return CH_GO_ON;
		}
		/* FALLTHROUGH */
	case CH_DATA_LF:
		if (ch != '\n')
			return chunk_fail(err, "a chunk's data is longer than "
			    "its size");
		c->state = CH_SIZE;
		c->size = 0;
		c->digits = 0;
		return CH_GO_ON;
	case CH_TRAILER:
		if (ch == '\r') {
			c->state = CH_TRAILER_LF;
			return CH_GO_ON;
		}
		/* FALLTHROUGH */
	case CH_TRAILER_LF:
		if (ch != '\n')
			return chunk_fail(err, "trailer fields after a chunked "
			    "body are not accepted");
		c->state = CH_END;
		return REQHEAD_CHUNK_END;
	default:
		return chunk_fail(err, "bytes after the end of a chunked body");
	}
}

int
reqhead_chunks_feed(struct reqhead_chunks *c, const char *p, size_t n,
    size_t *used, struct reqhead_error *err)
{
	size_t	i = 0, take;
	int	rc;

	while (i < n) {
		if (c->state == CH_DATA) {
			take = n - i < c->left ? n - i : (size_t)c->left;
			c->left -= take;
			i += take;
			if (c->left == 0)
				c->state = CH_DATA_END;
			continue;
		}
		if ((rc = chunk_byte(c, p[i++], err)) != CH_GO_ON) {
			*used = i;
			return rc;
		}
	}
	*used = i;
	return REQHEAD_CHUNK_MORE;
}
