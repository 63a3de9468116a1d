/*
 * input.c -- format detection, the one gzip path and dispatch to the
 * EDIFACT and XML readers (input.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "edi/reader.h"
#include "manifest/xml.h"
#include "manifest/util.h"

#include "engine/input.h"

#define INPUT_DEFAULT_MAX ((size_t)1 << 30)

/* Records a whole-input error and returns -1. */
static int
input_reject(struct manifest_train *t, const char *code, const char *msg,
    uint64_t offset)
{
	struct diag_loc	loc = diag_loc_none();

	loc.offset = offset;
	diag_add(&t->diags, DIAG_ERROR, code, &loc, "%s", msg);
	return -1;
}

/* The ISIZE field of a gzip member's trailer: its last four bytes. */
static uint32_t
gzip_isize(const char *data, size_t len)
{
	const unsigned char	*p = (const unsigned char *)data + len - 4;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* How inflating a gzip body ended. */
enum gunzip_end {
	GUNZIP_OK,		/* every member whole, nothing after the last */
	GUNZIP_OVER,		/* more than max bytes of output */
	GUNZIP_RATE,		/* bound to: the rate so far, over the whole body */
	GUNZIP_TRUNCATED,	/* the body ends inside a member */
	GUNZIP_TRAILING,	/* bytes after the last member that start none */
	GUNZIP_CORRUPT,		/* zlib refused the data (header, block, CRC...) */
};

struct gunzip_run {
	enum gunzip_end	 end;
	size_t		 at;		/* byte of the body where it ended */
	size_t		 out;		/* bytes of output by then */
	const char	*zmsg;		/* zlib's word for GUNZIP_CORRUPT */
};

/* Output measured before the rate of a counting pass is trusted. */
#define GUNZIP_RATE_AFTER	((size_t)4 << 20)

/*
 * Inflates every member of a gzip body (RFC 1952: a body may hold several
 * one after another, as `cat a.gz b.gz` makes; gzip(1) reads them all)
 * into out, stopping past max bytes so that a small bomb cannot exhaust
 * memory.  With out NULL it only counts, and also stops (GUNZIP_RATE)
 * once 4 MiB came out at a rate that, over the whole body, passes max:
 * a bomb is told in milliseconds, while a truncated body, or one with
 * bytes after it, inflating at a manifest's 5 to 25 times, runs to where
 * it ends.  Fills r.
 */
static void
gunzip_run(const char *data, size_t len, size_t max, struct buf *out,
    struct gunzip_run *r)
{
	unsigned char	 scratch[16384];
	const char	*in = data, *end = data + len;
	size_t		 total = 0, room, chunk;
	z_stream	 zs;
	int		 rc;

	memset(r, 0, sizeof *r);
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		r->end = GUNZIP_CORRUPT;
		r->zmsg = "cannot start the gzip decoder";
		return;
	}
	/* Counting only: the pass that keeps the output checks the CRC. */
	if (out == NULL)
		inflateValidate(&zs, 0);
	for (;;) {
		if (zs.avail_in == 0 && in < end) {
			chunk = (size_t)(end - in) > UINT32_MAX ? UINT32_MAX :
			    (size_t)(end - in);
			zs.next_in = (Bytef *)(uintptr_t)in;
			zs.avail_in = (uInt)chunk;
			in += chunk;
		}
		if (out != NULL) {
			buf_reserve(out, 1 << 16);
			zs.next_out = (Bytef *)out->data + out->len;
			room = out->cap - out->len - 1;
			zs.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
		} else {
			zs.next_out = scratch;
			zs.avail_out = sizeof scratch;
		}
		room = zs.avail_out;
		rc = inflate(&zs, Z_NO_FLUSH);
		total += room - zs.avail_out;
		if (out != NULL)
			out->len += room - zs.avail_out;
		r->at = (size_t)((const char *)zs.next_in - data);
		r->out = total;
		if (total > max) {
			r->end = GUNZIP_OVER;
			break;
		}
		if (out == NULL && total >= GUNZIP_RATE_AFTER && r->at > 0 &&
		    (double)total / (double)r->at * (double)len > (double)max) {
			r->end = GUNZIP_RATE;
			break;
		}
		if (rc == Z_STREAM_END) {
			if (r->at == len)
				break;		/* GUNZIP_OK */
			/* Another member, or something else after the last. */
			if (len - r->at >= 2 && (unsigned char)data[r->at] == 0x1f &&
			    (unsigned char)data[r->at + 1] == 0x8b) {
				inflateReset(&zs);
				continue;
			}
			r->end = GUNZIP_TRAILING;
			break;
		}
		if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in == end) {
			/* Output room was given: only input was missing. */
			r->end = GUNZIP_TRUNCATED;
			r->at = len;
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			r->end = GUNZIP_CORRUPT;
			r->zmsg = zs.msg != NULL ? zs.msg : "invalid data";
			break;
		}
	}
	inflateEnd(&zs);
}

/* Records why a gzip body was refused and returns -1. */
static int
gunzip_refuse(struct manifest_train *t, const struct gunzip_run *r,
    const char *data, size_t len, size_t max)
{
	char	msg[256];

	switch (r->end) {
	case GUNZIP_OVER:
		snprintf(msg, sizeof msg, "decompressed input exceeds the size "
		    "limit of %zu bytes (reached at byte %zu of the gzip body)",
		    max, r->at);
		return input_reject(t, "SIZE_LIMIT", msg, r->at);
	case GUNZIP_RATE:
		snprintf(msg, sizeof msg, "decompressed input would exceed the "
		    "size limit of %zu bytes: the first %zu bytes of the gzip "
		    "body inflate to %zu, and its trailer states %lu", max,
		    r->at, r->out, (unsigned long)gzip_isize(data, len));
		return input_reject(t, "SIZE_LIMIT", msg, r->at);
	case GUNZIP_TRUNCATED:
		snprintf(msg, sizeof msg, "the gzip body is truncated: it ends at "
		    "byte %zu, inside its compressed data", len);
		break;
	case GUNZIP_TRAILING:
		snprintf(msg, sizeof msg, "%zu bytes of data after the end of the "
		    "gzip stream at byte %zu (not another gzip member)",
		    len - r->at, r->at);
		break;
	default:
		if (strcmp(r->zmsg, "incorrect data check") == 0)
			snprintf(msg, sizeof msg, "the gzip body's CRC-32 does not "
			    "match its decompressed data (the body is damaged)");
		else if (strcmp(r->zmsg, "incorrect length check") == 0)
			snprintf(msg, sizeof msg, "the length in the gzip trailer "
			    "does not match the decompressed data (the body is "
			    "damaged)");
		else
			snprintf(msg, sizeof msg, "the gzip body is corrupt: %s",
			    r->zmsg);
		break;
	}
	return input_reject(t, "GZIP_INVALID", msg, r->at);
}

/*
 * Inflates a gzip body into *outp (caller frees), refusing output past
 * max so that a small bomb cannot exhaust memory.  0, or -1 with a
 * diagnostic in t naming what is wrong and the byte.
 */
static int
input_gunzip(const char *data, size_t len, size_t max, struct manifest_train *t,
    char **outp, size_t *outlen)
{
	struct buf		b = { 0 };
	struct gunzip_run	r;

	/*
	 * A trailer stating more than max (mod 2^32) is a bomb, or not a
	 * trailer at all (a truncated body, bytes after the stream): told
	 * apart by inflating into nothing, so that neither costs memory,
	 * and a bomb little time.  A trailer that lies is still stopped at
	 * max below.
	 */
	if (len >= 18 && gzip_isize(data, len) > max) {
		gunzip_run(data, len, max, NULL, &r);
		if (r.end != GUNZIP_OK)
			return gunzip_refuse(t, &r, data, len, max);
	}
	gunzip_run(data, len, max, &b, &r);
	if (r.end != GUNZIP_OK) {
		buf_free(&b);
		return gunzip_refuse(t, &r, data, len, max);
	}
	*outp = buf_steal(&b, outlen);
	return 0;
}

/*
 * Inflates a gzip body for input_parse and for callers that keep the
 * plain bytes (the daemon stores what it parsed): the one gzip path.
 */
int
input_decompress(const char *data, size_t len, size_t max,
    struct manifest_train *t, char **out, size_t *outlen)
{
	if (input_gunzip(data, len, max != 0 ? max : INPUT_DEFAULT_MAX, t, out,
	    outlen) < 0)
		return -1;
	/* The caller parses *out, which would unwrap a second layer. */
	if (manifest_detect_format(*out, *outlen) == MANIFEST_FORMAT_GZIP) {
		free(*out);
		*out = NULL;
		return input_reject(t, "NOT_A_MANIFEST",
		    "gzip inside gzip is not accepted", 0);
	}
	return 0;
}

/* Hands plain (not gzip) bytes to their reader, which fills t. */
static int
input_parse_plain(const char *data, size_t len,
    const struct input_options *opt, struct manifest_train *t)
{
	struct edi_read_options	 ro = { NULL, NULL, 0 };
	struct xml_read_options	 xo = { NULL, NULL, 0 };
	const char		*env;

	switch (manifest_detect_format(data, len)) {
	case MANIFEST_FORMAT_EDIFACT:
		if (opt != NULL) {
			ro.consumed = opt->consumed;
			ro.arg = opt->consumed_arg;
			ro.threads = opt->threads;
		}
		/* RAILGATE_EDI_THREADS=1 or 2 forces a path (tests compare them). */
		if (ro.threads == 0 && (env = getenv("RAILGATE_EDI_THREADS")) != NULL &&
		    (strcmp(env, "1") == 0 || strcmp(env, "2") == 0))
			ro.threads = (unsigned)(env[0] - '0');
		return edi_read_with(data, len, &ro, t);
	case MANIFEST_FORMAT_XML:
		if (opt != NULL && opt->validate &&
		    xml_validate(data, len, opt->schema != NULL ? opt->schema :
		    INPUT_DEFAULT_SCHEMA, &t->diags) < 0)
			return -1;
		if (opt != NULL) {
			xo.consumed = opt->consumed;
			xo.arg = opt->consumed_arg;
			xo.threads = opt->threads;
		}
		return xml_parse_with(data, len, NULL, &xo, t);
	default:
		/* gzip inside gzip never gets here: input_decompress refuses it. */
		return input_reject(t, "NOT_A_MANIFEST",
		    "neither EDIFACT (starting with UNA or UNB) nor XML "
		    "(starting with '<')", 0);
	}
}

/*
 * Detects, decompresses and dispatches.  A gzip body takes the one path
 * every caller shares, input_decompress: the bomb and damage checks and
 * the refusal of gzip inside gzip are made there and nowhere else.
 */
int
input_parse(const char *data, size_t len, const struct input_options *opt,
    struct manifest_train **out)
{
	struct manifest_train	*t;
	size_t			 max = opt != NULL && opt->max_size != 0 ?
				    opt->max_size : INPUT_DEFAULT_MAX;
	struct input_options	 inner;
	char			*plain = NULL;
	size_t			 plainlen;
	int			 rc;

	*out = t = manifest_train_new();
	if (len > max)
		return input_reject(t, "SIZE_LIMIT", "input exceeds the size limit",
		    max);
	if (manifest_detect_format(data, len) != MANIFEST_FORMAT_GZIP)
		return input_parse_plain(data, len, opt, t);
	if (input_decompress(data, len, max, t, &plain, &plainlen) < 0)
		return -1;
	/* plain is ours: the caller's consumed hook does not apply. */
	if (opt != NULL) {
		inner = *opt;
		inner.consumed = NULL;
		opt = &inner;
	}
	rc = input_parse_plain(plain, plainlen, opt, t);
	free(plain);
	return rc;
}
