/*
 * stored.c -- the form a manifest is stored in (manifests.raw_z): one
 * zlib stream, made here and read back here (input.h).
 *
 * libdeflate deflates a manifest about twice as fast as zlib's fastest
 * level (2.7 against 5.2 ms for a 5,000-item train, 0.42 against 0.79 s
 * of CPU for 1,000,000 items) and a tenth smaller, but only whole: it
 * has no flush, so its output cannot be cut into parts that join.  zlib
 * can end a part on a byte boundary (a sync flush: an empty stored block,
 * not the last), after which any deflate blocks may follow.  So a big
 * manifest is made on two threads at once: zlib deflates its first
 * quarter (at half libdeflate's pace) and hashes the whole, libdeflate
 * deflates the rest as the stream's last blocks; the two join behind one
 * zlib header, with the Adler-32 of the whole after.  The 161 MB train:
 * 0.41-0.45 s on one thread for libdeflate (its SHA-256 beside it took
 * 0.1 s of the other), 0.33-0.37 s for the two parts, 2.6% bigger.  A
 * part's back-references stay inside it: a reader (zlib, any) sees one
 * ordinary stream.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "manifest/util.h"
#include "rules/pool.h"

#include "engine/input.h"

#define STORED_APART	((size_t)8 << 20)	/* from here: two parts at once */
#define STORED_HEAD(len) ((len) / 4)		/* zlib's part */
#define STORED_SHRINK	((size_t)8 << 20)
#define STORED_STEP	((size_t)1 << 20)	/* zlib's output grown by */

/* The zlib header: deflate, a 32 KiB window, the fastest level. */
static const unsigned char stored_header[2] = { 0x78, 0x01 };

/* What the two threads make of one manifest. */
struct stored_parts {
	const char	*data;
	size_t		 len;
	size_t		 split;		/* zlib's part: [0, split) */
	unsigned char	*head;		/* raw deflate, sync-flushed; NULL: failed */
	size_t		 headlen;
	unsigned char	*tail;		/* raw deflate, final blocks; NULL: failed */
	size_t		 taillen;
	uint32_t	 adler;		/* of all len bytes */
	char		*sha256;	/* NULL: not wanted */
};

/*
 * len bytes as raw deflate blocks none of which is the last, ending on a
 * byte boundary (zlib's sync flush); NULL when zlib fails.
 */
static unsigned char *
stored_deflate_head(const char *data, size_t len, size_t *outlen)
{
	z_stream	 zs;
	unsigned char	*out;
	size_t		 cap, used;
	int		 rc;

	memset(&zs, 0, sizeof zs);
	if (len > UINT32_MAX ||
	    deflateInit2(&zs, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&zs, (uLong)len) + 16;	/* and the flush */
	out = xmalloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	for (;;) {
		rc = deflate(&zs, Z_SYNC_FLUSH);
		if (rc != Z_OK || (zs.avail_in == 0 && zs.avail_out != 0))
			break;
		/* Out of room mid-flush: more, and the same call again. */
		used = cap - zs.avail_out;
		cap += STORED_STEP;
		out = xreallocarray(out, cap, 1);
		zs.next_out = out + used;
		zs.avail_out = (uInt)(cap - used);
	}
	*outlen = cap - zs.avail_out;
	deflateEnd(&zs);
	if (rc != Z_OK) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * len bytes deflated by libdeflate, the last block last: a whole zlib
 * stream (header and Adler-32) or raw deflate blocks to end one.  NULL
 * on failure.
 */
static unsigned char *
stored_libdeflate(const char *data, size_t len, bool zlib, size_t *outlen)
{
	struct libdeflate_compressor	*c;
	unsigned char			*out;
	size_t				 cap;

	if ((c = libdeflate_alloc_compressor(1)) == NULL)
		return NULL;
	cap = zlib ? libdeflate_zlib_compress_bound(c, len) :
	    libdeflate_deflate_compress_bound(c, len);
	out = xmalloc(cap);
	*outlen = zlib ? libdeflate_zlib_compress(c, data, len, out, cap) :
	    libdeflate_deflate_compress(c, data, len, out, cap);
	libdeflate_free_compressor(c);
	if (*outlen == 0) {
		free(out);
		return NULL;
	}
	if (cap - *outlen >= STORED_SHRINK)
		/* The bound is about the input: a big one's unused tail. */
		out = xreallocarray(out, *outlen, 1);
	return out;
}

/* Task 0: libdeflate's part and the checksum; task 1: zlib's and the hash. */
static void
stored_part_cb(void *arg, size_t i)
{
	struct stored_parts	*p = arg;

	if (i == 0) {
		p->tail = stored_libdeflate(p->data + p->split,
		    p->len - p->split, false, &p->taillen);
		p->adler = (uint32_t)libdeflate_adler32(1, p->data, p->len);
		return;
	}
	p->head = stored_deflate_head(p->data, p->split, &p->headlen);
	if (p->sha256 != NULL)
		sha256_hex(p->data, p->len, p->sha256);
}

/* The zlib stream of the two parts: header, head, tail, Adler-32. */
static unsigned char *
stored_join(const struct stored_parts *p, size_t *outlen)
{
	unsigned char	*z, *q;

	if (p->head == NULL || p->tail == NULL)
		return NULL;
	*outlen = sizeof stored_header + p->headlen + p->taillen + 4;
	q = z = xmalloc(*outlen);
	memcpy(q, stored_header, sizeof stored_header);
	q += sizeof stored_header;
	memcpy(q, p->head, p->headlen);
	q += p->headlen;
	memcpy(q, p->tail, p->taillen);
	q += p->taillen;
	q[0] = (unsigned char)(p->adler >> 24);
	q[1] = (unsigned char)(p->adler >> 16);
	q[2] = (unsigned char)(p->adler >> 8);
	q[3] = (unsigned char)p->adler;
	return z;
}

unsigned char *
input_deflate_stored(const char *data, size_t len, unsigned threads,
    char sha256[65], size_t *outlen)
{
	struct stored_parts	p;
	unsigned char		*z;

	*outlen = 0;
	if (len < STORED_APART || threads == 1) {
		/* Small, or one thread: libdeflate's zlib stream whole. */
		if (sha256 != NULL)
			sha256_hex(data, len, sha256);
		return stored_libdeflate(data, len, true, outlen);
	}
	memset(&p, 0, sizeof p);
	p.data = data;
	p.len = len;
	p.split = STORED_HEAD(len);
	p.sha256 = sha256;
	(void)rules_pool_run(2, 2, stored_part_cb, &p);
	z = stored_join(&p, outlen);
	free(p.head);
	free(p.tail);
	return z;
}

int
input_inflate_stored(const unsigned char *z, size_t zlen, char **out,
    size_t *outlen)
{
	struct buf	b = { 0 };
	z_stream	zs;
	int		rc;

	memset(&zs, 0, sizeof zs);
	if (inflateInit(&zs) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)z;
	zs.avail_in = (uInt)zlen;
	do {
		buf_reserve(&b, 1 << 20);
		zs.next_out = (Bytef *)b.data + b.len;
		zs.avail_out = (uInt)(b.cap - b.len - 1);
		rc = inflate(&zs, Z_NO_FLUSH);
		b.len = (size_t)((char *)zs.next_out - b.data);
	} while (rc == Z_OK);
	inflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		buf_free(&b);
		return -1;
	}
	*out = buf_steal(&b, outlen);
	return 0;
}
