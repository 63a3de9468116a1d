/*
 * test_deflate.c -- engine/stored.c's input_deflate_stored: the zlib form
 * the daemon stores (libdeflate's whole, or for a big manifest zlib's
 * first quarter and libdeflate's rest joined, made on two threads)
 * inflates (input_inflate_stored, and zlib's own uncompress, to the
 * stream's last byte: one stream, nothing after it) to exactly the
 * bytes, with their SHA-256 computed on the way.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "engine/input.h"
#include "manifest/util.h"

#include "unit.h"

/* data deflated on threads threads inflates back to data; compressible
 * data at least by half. */
static void
round_trip_as(const char *data, size_t len, unsigned threads,
    bool compressible)
{
	unsigned char	*z;
	char		*back = NULL, hex[65], want[65];
	size_t		 zlen = 0, backlen = 0;
	uLongf		 n = (uLongf)len + 1;
	uLong		 used;
	unsigned char	*plain = xmalloc(n);

	z = input_deflate_stored(data, len, threads, hex, &zlen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	if (compressible)
		CU_ASSERT_TRUE(zlen < len / 2 + 64);
	sha256_hex(data, len, want);
	CU_ASSERT_STRING_EQUAL(hex, want);
	CU_ASSERT_EQUAL_FATAL(input_inflate_stored(z, zlen, &back, &backlen), 0);
	CU_ASSERT_EQUAL(backlen, len);
	CU_ASSERT_TRUE(backlen == len && memcmp(back, data, len) == 0);
	/* zlib's one-shot reader too: a valid stream, checksum and all,
	 * ending with the bytes (a second stream would be left over). */
	used = (uLong)zlen;
	CU_ASSERT_EQUAL(uncompress2(plain, &n, z, &used), Z_OK);
	CU_ASSERT_EQUAL(n, len);
	CU_ASSERT_EQUAL(used, zlen);
	CU_ASSERT_TRUE(n == len && memcmp(plain, data, len) == 0);
	free(plain);
	free(back);
	free(z);
}

static void
round_trip(const char *data, size_t len, unsigned threads)
{
	round_trip_as(data, len, threads, true);
}

static void
t_deflate_pieces_inflate_to_the_bytes(void)
{
	struct buf	 b = { 0 };
	size_t		 i;

	/* 26 MiB of manifest-like text: hashed on a second thread. */
	for (i = 0; b.len < ((size_t)26 << 20) + 12345; i++)
		buf_printf(&b, "GID+%zu+1:PK'FTX+AAA+++Parcel %zu'MEA+WT+G+KGM:%zu."
		    "%zu'\n", i, i * 7919 % 100003, i % 17, i % 1000);
	round_trip(b.data, b.len, 0);
	round_trip(b.data, b.len, 3);
	round_trip(b.data, b.len, 1);
	/* Small and empty inputs take zlib's one-shot form. */
	round_trip(b.data, 1000, 0);
	round_trip("", 0, 0);
	/* Bytes that do not compress (stored blocks), small and big. */
	for (i = 0; i < b.len; i++)
		b.data[i] = (char)(random() >> 7);
	round_trip_as(b.data, 70000, 0, false);
	round_trip_as(b.data, b.len, 0, false);
	buf_free(&b);
}

static CU_TestInfo deflate_tests[] = {
	{ "t_deflate_pieces_inflate_to_the_bytes",
	  t_deflate_pieces_inflate_to_the_bytes },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("deflate", NULL, NULL, deflate_tests)
