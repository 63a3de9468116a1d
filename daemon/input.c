/*
 * input.c -- format dispatch for manifests.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "edi/reader.h"
#include "manifest/xml.h"
#include "manifest/util.h"

#include "input.h"

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

/*
 * Inflates a gzip member into *outp (caller frees), refusing output past
 * max so that a small bomb cannot exhaust memory.  0, or -1 with a
 * diagnostic in t.
 */
static int
input_gunzip(const char *data, size_t len, size_t max, struct manifest_train *t,
    char **outp, size_t *outlen)
{
	struct buf	b = { 0 };
	z_stream	zs;
	int		rc;

	/*
	 * The trailer states the inflated size (mod 2^32): a bomb that says
	 * so is refused without inflating a byte.  One that lies is still
	 * stopped at max below.
	 */
	if (len >= 18 && gzip_isize(data, len) > max)
		return input_reject(t, "SIZE_LIMIT", "decompressed input exceeds "
		    "the size limit (the gzip trailer says so)", len - 4);
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return input_reject(t, "GZIP_INVALID", "cannot start gzip decoder", 0);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	do {
		buf_reserve(&b, 1 << 16);
		zs.next_out = (Bytef *)b.data + b.len;
		zs.avail_out = (uInt)(b.cap - b.len - 1);
		rc = inflate(&zs, Z_NO_FLUSH);
		b.len = (size_t)((char *)zs.next_out - b.data);
		if (b.len > max) {
			inflateEnd(&zs);
			buf_free(&b);
			return input_reject(t, "SIZE_LIMIT",
			    "decompressed input exceeds the size limit", zs.total_in);
		}
	} while (rc == Z_OK);
	inflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		buf_free(&b);
		return input_reject(t, "GZIP_INVALID",
		    "gzip data is corrupt or truncated", zs.total_in);
	}
	/* One member, nothing after it: what follows would go unchecked. */
	if (zs.total_in != len) {
		buf_free(&b);
		return input_reject(t, "GZIP_INVALID",
		    "data after the end of the gzip member", zs.total_in);
	}
	*outp = buf_steal(&b, outlen);
	return 0;
}

/* Public form of input_gunzip for callers that keep the plain bytes. */
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

/* Detects, decompresses and dispatches. */
int
input_parse(const char *data, size_t len, const struct input_options *opt,
    struct manifest_train **out)
{
	struct manifest_train	*t;
	size_t			 max = opt != NULL && opt->max_size != 0 ?
				    opt->max_size : INPUT_DEFAULT_MAX;
	struct input_options	 inner;
	struct edi_read_options	 ro = { NULL, NULL };
	char			*plain = NULL;
	size_t			 plainlen;
	int			 rc;

	if (len > max) {
		*out = t = manifest_train_new();
		return input_reject(t, "SIZE_LIMIT", "input exceeds the size limit",
		    max);
	}
	switch (manifest_detect_format(data, len)) {
	case MANIFEST_FORMAT_GZIP:
		t = manifest_train_new();
		if (input_gunzip(data, len, max, t, &plain, &plainlen) < 0) {
			*out = t;
			return -1;
		}
		manifest_train_free(t);
		if (manifest_detect_format(plain, plainlen) == MANIFEST_FORMAT_GZIP) {
			free(plain);
			*out = t = manifest_train_new();
			return input_reject(t, "NOT_A_MANIFEST",
			    "gzip inside gzip is not accepted", 0);
		}
		/* plain is ours: the caller's consumed hook does not apply. */
		if (opt != NULL) {
			inner = *opt;
			inner.consumed = NULL;
			opt = &inner;
		}
		rc = input_parse(plain, plainlen, opt, out);
		free(plain);
		return rc;
	case MANIFEST_FORMAT_EDIFACT:
		*out = t = manifest_train_new();
		if (opt != NULL) {
			ro.consumed = opt->consumed;
			ro.arg = opt->consumed_arg;
		}
		return edi_read_with(data, len, &ro, t);
	case MANIFEST_FORMAT_XML:
		*out = t = manifest_train_new();
		if (opt != NULL && opt->validate &&
		    xml_validate(data, len, opt->schema != NULL ? opt->schema :
		    INPUT_DEFAULT_SCHEMA, &t->diags) < 0)
			return -1;
		return xml_parse(data, len, NULL, t);
	default:
		*out = t = manifest_train_new();
		return input_reject(t, "NOT_A_MANIFEST",
		    "neither EDIFACT (starting with UNA or UNB) nor XML "
		    "(starting with '<')", 0);
	}
}
