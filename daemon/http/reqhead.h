/*
 * reqhead.h -- a request's head and the framing of its body, read
 * strictly, for the connection guard (conn.c) to decide on before evhttp
 * reads a byte of the body.
 *
 * Two readers of one byte stream must agree on where each request ends,
 * or the bytes one takes for a body the other serves as a request
 * (request smuggling, RFC 9112 section 11.2).  evhttp 2.1 is lenient: it
 * takes the first of two Content-Length headers, a transfer coding it
 * does not know as none, a folded header line as part of the one before,
 * a chunk size in any strtoll spelling.  This parser runs first and
 * accepts a strict subset of what evhttp accepts: one request line of
 * a known method, a target of visible ASCII and HTTP/1.0 or 1.1; header
 * lines "name: value" of token names and visible values, none folded;
 * at most one Content-Length (digits only), Transfer-Encoding (chunked
 * only, never with a Content-Length, never in HTTP/1.0), Authorization
 * and Expect; chunk sizes in hex digits without extensions, each chunk's
 * data followed by its line end, no trailer fields.  Anything else is an
 * error with the status to answer (400, 413, 417, 431, 501, 505) and a
 * sentence saying what was wrong.
 *
 * Lines end as evhttp's do (EVBUFFER_EOL_CRLF): at a line feed, a
 * carriage return before it dropped.  Pure functions on memory; a struct
 * reqhead owns its text.  Any thread.
 */
#ifndef DAEMON_HTTP_REQHEAD_H
#define DAEMON_HTTP_REQHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REQHEAD_MAX		(64 * 1024)	/* request line and headers */

/* Why a head or body framing is refused: the status and a sentence. */
struct reqhead_error {
	int		 status;
	const char	*title;
	char		 detail[200];
};

/* Looks for the blank line ending a head, a few bytes at a time. */
struct reqhead_scan {
	size_t	scanned;	/* bytes seen */
	size_t	line;		/* bytes of the current line so far */
	bool	cr;		/* the last byte was a carriage return */
};

/*
 * Feeds the next n bytes of a head.  Returns the head's length (up to
 * and including its blank line) when that line ends among them, else 0.
 */
size_t reqhead_scan_feed(struct reqhead_scan *s, const char *p, size_t n);

struct reqhead {
	char		*text;		/* the lines, NUL-terminated; owned */
	const char	*method;	/* as sent */
	const char	*target;
	int		 minor;		/* HTTP/1.minor */
	bool		 is_head;	/* HEAD: the reply has no body */
	const char	*authorization;	/* NULL: none */
	const char	*cookie;	/* NULL: none */
	int64_t		 content_length; /* -1: none */
	bool		 chunked;
};

/*
 * Parses a complete head (len bytes, its blank line included) into h.
 * 0, or -1 with *err; h is to be cleared either way.
 */
int reqhead_parse(struct reqhead *h, const char *data, size_t len,
    struct reqhead_error *err);
/* Frees what h owns; accepts a zeroed struct. */
void reqhead_clear(struct reqhead *h);

/* Reads a chunked body's framing as its bytes arrive. */
struct reqhead_chunks {
	int		state;
	uint64_t	size;		/* of the chunk whose size was just read */
	int		digits;
	uint64_t	left;		/* data bytes of the chunk still to come */
	uint64_t	total;		/* of every chunk so far */
};

enum {
	REQHEAD_CHUNK_MORE,	/* every byte taken; more to come */
	REQHEAD_CHUNK_SIZE,	/* a chunk's size was read: c->size */
	REQHEAD_CHUNK_END,	/* the body ended */
	REQHEAD_CHUNK_BAD,	/* malformed: *err */
};

/*
 * Takes up to n bytes of a chunked body, stopping after each chunk size
 * line (so that the caller may check it), at the end of the body or at an
 * error; *used says how many bytes were taken.
 */
int reqhead_chunks_feed(struct reqhead_chunks *c, const char *p, size_t n,
    size_t *used, struct reqhead_error *err);

#endif
