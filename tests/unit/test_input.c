/*
 * test_input.c -- engine/input.c, the one entry point for every manifest
 * format (input.h): detection by content, the one gzip path (every
 * member, nothing after the last, gzip inside gzip refused), the size
 * limit before and after decompression, each gzip fault named, and the
 * daemon's stored (zlib) form read back.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "edi/reader.h"
#include "engine/input.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/util.h"

#include "unit.h"

#define INPUT_EDI	"edifact/cuscar_s3_alashankou.edi"
#define INPUT_XML	"xml/cuscar_s3_alashankou.xml"

/* data compressed with zlib: gzip framing when gzip, else zlib (caller frees). */
static unsigned char *
compress_as(const char *data, size_t len, bool gzip, size_t *zlen)
{
	z_stream	 zs;
	unsigned char	*z;
	size_t		 cap;

	memset(&zs, 0, sizeof zs);
	CU_ASSERT_FATAL(deflateInit2(&zs, 6, Z_DEFLATED, gzip ? 31 : 15, 8,
	    Z_DEFAULT_STRATEGY) == Z_OK);
	cap = deflateBound(&zs, len) + 32;
	z = xmalloc(cap);
	zs.next_in = (unsigned char *)(uintptr_t)data;
	zs.avail_in = (unsigned)len;
	zs.next_out = z;
	zs.avail_out = (unsigned)cap;
	CU_ASSERT_FATAL(deflate(&zs, Z_FINISH) == Z_STREAM_END);
	*zlen = zs.total_out;
	deflateEnd(&zs);
	return z;
}

/* Parses data; the return code, the train in *t (caller frees). */
static int
parse(const void *data, size_t len, size_t max, struct manifest_train **t)
{
	struct input_options	opt = { 0 };

	opt.max_size = max;
	return input_parse(data, len, &opt, t);
}

/* The message of t's diagnostic code, or "" when it has none. */
static const char *
diag_message(const struct manifest_train *t, const char *code)
{
	const struct diag	*d = diag_list_find(&t->diags, code);

	return d != NULL && d->message != NULL ? d->message : "";
}

/* The same train read from EDIFACT and from XML, each told by content. */
static void
t_input_detects_edifact_and_xml(void)
{
	struct manifest_train	*e, *x;
	char			*edi, *xml;
	size_t			 elen, xlen;

	edi = test_read_fixture(INPUT_EDI, &elen);
	xml = test_read_fixture(INPUT_XML, &xlen);
	CU_ASSERT_EQUAL(parse(edi, elen, 0, &e), 0);
	CU_ASSERT_EQUAL(parse(xml, xlen, 0, &x), 0);
	CU_ASSERT_EQUAL(e->source, MANIFEST_SOURCE_EDIFACT);
	CU_ASSERT_EQUAL(x->source, MANIFEST_SOURCE_XML);
	CU_ASSERT_FALSE(diag_list_has_errors(&e->diags));
	CU_ASSERT_FALSE(diag_list_has_errors(&x->diags));
	CU_ASSERT_STRING_EQUAL(e->id, "X8024");
	CU_ASSERT_STRING_EQUAL(x->id, "X8024");
	CU_ASSERT_EQUAL(e->nwagons, 3);
	CU_ASSERT_EQUAL(x->nwagons, e->nwagons);
	manifest_train_free(e);
	manifest_train_free(x);
	free(edi);
	free(xml);
}

/* Neither format: refused as NOT_A_MANIFEST, the train holding only why. */
static void
t_input_not_a_manifest(void)
{
	struct manifest_train	*t;

	CU_ASSERT_EQUAL(parse("hello, customs", 14, 0, &t), -1);
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&t->diags, "NOT_A_MANIFEST"));
	CU_ASSERT_EQUAL(t->nwagons, 0);
	manifest_train_free(t);
	CU_ASSERT_EQUAL(parse("", 0, 0, &t), -1);
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&t->diags, "NOT_A_MANIFEST"));
	manifest_train_free(t);
}

/* gzip of either format reads as the plain bytes; two members as one. */
static void
t_input_gzip_members(void)
{
	static const char *const files[] = { INPUT_EDI, INPUT_XML };
	struct manifest_train	*t;
	unsigned char		*z1, *z2;
	char			*data, *both;
	size_t			 len, l1, l2, i;

	for (i = 0; i < nitems(files); i++) {
		data = test_read_fixture(files[i], &len);
		z1 = compress_as(data, len, true, &l1);
		CU_ASSERT_EQUAL(parse(z1, l1, 0, &t), 0);
		CU_ASSERT_STRING_EQUAL(t->id, "X8024");
		CU_ASSERT_EQUAL(t->nwagons, 3);
		manifest_train_free(t);
		free(z1);
		/* The same bytes as two gzip members, split in the middle. */
		z1 = compress_as(data, len / 2, true, &l1);
		z2 = compress_as(data + len / 2, len - len / 2, true, &l2);
		both = xmalloc(l1 + l2);
		memcpy(both, z1, l1);
		memcpy(both + l1, z2, l2);
		CU_ASSERT_EQUAL(parse(both, l1 + l2, 0, &t), 0);
		CU_ASSERT_STRING_EQUAL(t->id, "X8024");
		CU_ASSERT_EQUAL(t->nwagons, 3);
		manifest_train_free(t);
		free(both);
		free(z1);
		free(z2);
		free(data);
	}
}

/* gzip inside gzip: refused on both paths, input_parse and input_decompress. */
static void
t_input_nested_gzip_refused(void)
{
	struct manifest_train	*t;
	unsigned char		*z1, *z2;
	char			*data, *out = NULL;
	size_t			 len, l1, l2, outlen = 0;

	data = test_read_fixture(INPUT_EDI, &len);
	z1 = compress_as(data, len, true, &l1);
	z2 = compress_as((const char *)z1, l1, true, &l2);
	CU_ASSERT_EQUAL(parse(z2, l2, 0, &t), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(diag_message(t, "NOT_A_MANIFEST"),
	    "gzip inside gzip"));
	CU_ASSERT_EQUAL(t->nwagons, 0);
	manifest_train_free(t);
	t = manifest_train_new();
	CU_ASSERT_EQUAL(input_decompress((const char *)z2, l2, 0, t, &out,
	    &outlen), -1);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(diag_message(t, "NOT_A_MANIFEST"),
	    "gzip inside gzip"));
	manifest_train_free(t);
	/* One layer: the plain bytes back. */
	t = manifest_train_new();
	CU_ASSERT_EQUAL(input_decompress((const char *)z1, l1, 0, t, &out,
	    &outlen), 0);
	CU_ASSERT_EQUAL(outlen, len);
	CU_ASSERT(out != NULL && memcmp(out, data, len) == 0);
	CU_ASSERT_FALSE(diag_list_has_errors(&t->diags));
	manifest_train_free(t);
	free(out);
	free(z1);
	free(z2);
	free(data);
}

/* max_size holds before decompression and after it. */
static void
t_input_size_limit(void)
{
	struct manifest_train	*t;
	unsigned char		*z;
	char			*data, *zeros;
	size_t			 len, zlen;

	data = test_read_fixture(INPUT_EDI, &len);
	CU_ASSERT_EQUAL(parse(data, len, len - 1, &t), -1);
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&t->diags, "SIZE_LIMIT"));
	manifest_train_free(t);
	CU_ASSERT_EQUAL(parse(data, len, len, &t), 0);
	manifest_train_free(t);
	/* Small compressed, over the limit inflated: refused, naming it. */
	z = compress_as(data, len, true, &zlen);
	CU_ASSERT(zlen < len - 1);
	CU_ASSERT_EQUAL(parse(z, zlen, len - 1, &t), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(diag_message(t, "SIZE_LIMIT"),
	    "size limit"));
	manifest_train_free(t);
	CU_ASSERT_EQUAL(parse(z, zlen, len, &t), 0);
	manifest_train_free(t);
	free(z);
	/* A bomb: 64 MiB of zeros against a 1 MiB limit. */
	zeros = xcalloc(1, 64u << 20);
	z = compress_as(zeros, 64u << 20, true, &zlen);
	free(zeros);
	CU_ASSERT_EQUAL(parse(z, zlen, 1u << 20, &t), -1);
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&t->diags, "SIZE_LIMIT"));
	manifest_train_free(t);
	free(z);
	free(data);
}

/* Parses a damaged copy of z; asserts GZIP_INVALID whose message has want. */
static void
check_damaged(const unsigned char *z, size_t zlen, const char *want)
{
	struct manifest_train	*t;

	CU_ASSERT_EQUAL(parse(z, zlen, 0, &t), -1);
	if (strstr(diag_message(t, "GZIP_INVALID"), want) == NULL) {
		fprintf(stderr, "\ndamaged gzip: want \"%s\", got \"%s\"\n",
		    want, diag_message(t, "GZIP_INVALID"));
		CU_FAIL("the gzip fault named");
	}
	CU_ASSERT_EQUAL(t->nwagons, 0);
	manifest_train_free(t);
}

/* Truncated, trailed by other bytes, a CRC or a length that lies: each named. */
static void
t_input_damaged_gzip(void)
{
	unsigned char	*z, *d;
	char		*data;
	size_t		 len, zlen;

	data = test_read_fixture(INPUT_EDI, &len);
	z = compress_as(data, len, true, &zlen);
	d = xmalloc(zlen + 8);
	check_damaged(z, zlen / 2, "truncated");
	memcpy(d, z, zlen);
	memcpy(d + zlen, "garbage!", 8);
	check_damaged(d, zlen + 8, "after the end of the gzip stream");
	memcpy(d, z, zlen);
	d[zlen - 8] ^= 0xff;		/* the CRC-32 */
	check_damaged(d, zlen, "CRC-32");
	memcpy(d, z, zlen);
	d[zlen - 4] ^= 0x01;		/* the length, one byte off */
	check_damaged(d, zlen, "length in the gzip trailer");
	free(d);
	free(z);
	free(data);
}

/* Records the highest byte the reader said it was done with. */
static void
consumed_cb(void *arg, size_t upto)
{
	size_t	*most = arg;

	if (upto > *most)
		*most = upto;
}

/*
 * The fixture with free-text segments after its TDT, past len bytes in
 * all (caller frees), so that the reader reports consumed bytes.
 */
static char *
edifact_padded(size_t want, size_t *len)
{
	struct buf	 b = { 0 };
	char		*data, *tdt, *end;
	size_t		 n;

	data = test_read_fixture(INPUT_EDI, &n);
	tdt = strstr(data, "TDT+");
	CU_ASSERT_FATAL(tdt != NULL && strchr(tdt, '\'') != NULL);
	end = strchr(tdt, '\'') + 1;
	buf_add(&b, data, (size_t)(end - data));
	while (b.len < want)
		buf_add_str(&b, "FTX+AAI+++padding padding padding padding "
		    "padding padding padding padding padding padding'\n");
	buf_add(&b, end, n - (size_t)(end - data));
	free(data);
	return buf_steal(&b, len);
}

/* The consumed hook sees the caller's bytes only, never inflated ones. */
static void
t_input_consumed_hook(void)
{
	struct input_options	 opt = { 0 };
	struct manifest_train	*t;
	unsigned char		*z;
	char			*data;
	size_t			 len, zlen, most = 0;

	data = edifact_padded(2 * EDI_CONSUMED_STEP, &len);
	opt.consumed = consumed_cb;
	opt.consumed_arg = &most;
	CU_ASSERT_EQUAL(input_parse(data, len, &opt, &t), 0);
	CU_ASSERT_STRING_EQUAL(t->id, "X8024");
	CU_ASSERT(most >= EDI_CONSUMED_STEP && most <= len);
	manifest_train_free(t);
	most = 0;
	z = compress_as(data, len, true, &zlen);
	CU_ASSERT_EQUAL(input_parse((const char *)z, zlen, &opt, &t), 0);
	CU_ASSERT_EQUAL(most, 0);
	manifest_train_free(t);
	free(z);
	free(data);
}

/* The stored form (zlib) read back whole; damaged bytes refused. */
static void
t_input_inflate_stored(void)
{
	unsigned char	*z;
	char		*data, *out = NULL;
	size_t		 len, zlen, outlen = 0;

	data = test_read_fixture(INPUT_XML, &len);
	z = compress_as(data, len, false, &zlen);
	CU_ASSERT_EQUAL(input_inflate_stored(z, zlen, &out, &outlen), 0);
	CU_ASSERT_EQUAL(outlen, len);
	CU_ASSERT(out != NULL && memcmp(out, data, len) == 0);
	free(out);
	out = NULL;
	CU_ASSERT_EQUAL(input_inflate_stored(z, zlen / 2, &out, &outlen), -1);
	CU_ASSERT_PTR_NULL(out);
	z[zlen - 1] ^= 0xff;		/* the Adler-32 */
	CU_ASSERT_EQUAL(input_inflate_stored(z, zlen, &out, &outlen), -1);
	CU_ASSERT_PTR_NULL(out);
	free(z);
	free(data);
}

static CU_TestInfo input_tests[] = {
	{ "t_input_detects_edifact_and_xml", t_input_detects_edifact_and_xml },
	{ "t_input_not_a_manifest", t_input_not_a_manifest },
	{ "t_input_gzip_members", t_input_gzip_members },
	{ "t_input_nested_gzip_refused", t_input_nested_gzip_refused },
	{ "t_input_size_limit", t_input_size_limit },
	{ "t_input_damaged_gzip", t_input_damaged_gzip },
	{ "t_input_consumed_hook", t_input_consumed_hook },
	{ "t_input_inflate_stored", t_input_inflate_stored },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("input", NULL, NULL, input_tests)
