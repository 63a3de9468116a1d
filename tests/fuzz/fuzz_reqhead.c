/*
 * fuzz_reqhead.c -- libFuzzer target: what the connection guard reads of
 * a request before libevent does (daemon/http/reqhead.c).  The first byte
 * picks the reader, the rest is its input:
 *   0  a request head: where it ends, found a byte at a time and all at
 *      once, must agree; the head up to there is parsed, and a head
 *      accepted has a method, a target and a length that make sense
 *   1  a chunked body: read a byte at a time and in the pieces the next
 *      byte of each step sizes, the outcome, where the body ends and the
 *      total of its chunks must agree
 * A disagreement aborts: two readings of one stream that differ are the
 * smuggling the reader is there to prevent.  Seeded from fixtures/reqhead/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/http/reqhead.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The head's end, fed in steps of step bytes (0: all at once). */
static size_t
head_end(const char *p, size_t n, size_t step)
{
	struct reqhead_scan	s;
	size_t			off = 0, k, end = 0;

	memset(&s, 0, sizeof s);
	while (off < n && end == 0) {
		k = step == 0 || n - off < step ? n - off : step;
		end = reqhead_scan_feed(&s, p + off, k);
		off += k;
	}
	return end;
}

static void
fuzz_head(const char *p, size_t n)
{
	struct reqhead		h;
	struct reqhead_error	err;
	size_t			end = head_end(p, n, 0);

	if (end != head_end(p, n, 1) || end != head_end(p, n, 7) || end > n)
		abort();
	if (end == 0)
		return;
	memset(&err, 0, sizeof err);
	if (reqhead_parse(&h, p, end, &err) == 0) {
		if (h.method == NULL || h.target == NULL || *h.target == '\0' ||
		    h.content_length < -1 || (h.chunked && h.content_length != -1) ||
		    (h.is_head && (h.chunked || h.content_length > 0)))
			abort();
	} else if (err.status < 400 || err.status > 599 || err.title == NULL)
		abort();
	reqhead_clear(&h);
}

/* Feeds a chunked body in pieces; the outcome, the end, the total. */
static int
chunks(const char *p, size_t n, const uint8_t *steps, size_t nsteps,
    size_t *end, uint64_t *total)
{
	struct reqhead_chunks	c;
	struct reqhead_error	err;
	size_t			off = 0, used, k, i = 0;
	int			rc = REQHEAD_CHUNK_MORE;

	memset(&c, 0, sizeof c);
	memset(&err, 0, sizeof err);
	while (off < n) {
		k = nsteps == 0 ? 1 : (size_t)steps[i++ % nsteps] % 17 + 1;
		if (k > n - off)
			k = n - off;
		rc = reqhead_chunks_feed(&c, p + off, k, &used, &err);
		if (used > k)
			abort();
		off += used;
		if (rc == REQHEAD_CHUNK_END || rc == REQHEAD_CHUNK_BAD)
			break;
	}
	if (rc == REQHEAD_CHUNK_SIZE)
		rc = REQHEAD_CHUNK_MORE;
	*end = off;
	*total = c.total;
	return rc;
}

static void
fuzz_chunks(const char *p, size_t n)
{
	size_t		end1, end2;
	uint64_t	total1, total2;
	int		rc1, rc2;

	rc1 = chunks(p, n, NULL, 0, &end1, &total1);
	rc2 = chunks(p, n, (const uint8_t *)p, n, &end2, &total2);
	if (rc1 != rc2 || total1 != total2)
		abort();
	if (rc1 == REQHEAD_CHUNK_END && end1 != end2)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0)
		fuzz_head((const char *)data + 1, size - 1);
	else
		fuzz_chunks((const char *)data + 1, size - 1);
	return 0;
}
