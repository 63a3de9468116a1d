/*
 * test_http_gzip.c -- what an Accept-Encoding field accepts
 * (daemon/http/http_gzip.c, RFC 9110 section 12.5.3), and the gzip form
 * the daemon sends: one member that inflates to the bytes given.
 *
 * The train list served compressed by the real daemon:
 * integration_trains t_trains_list_gzip (tests/system/test_api_trains.c).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "daemon/http/http.h"
#include "manifest/util.h"

#include "unit.h"

static bool
accepts(const char *v)
{
	return http_gzip_acceptable(&v, 1);
}

static void
t_gzip_accept_named(void)
{
	CU_ASSERT_TRUE(accepts("gzip"));
	CU_ASSERT_TRUE(accepts("GZIP"));
	CU_ASSERT_TRUE(accepts("x-gzip"));
	CU_ASSERT_TRUE(accepts("gzip, deflate, br, zstd"));
	CU_ASSERT_TRUE(accepts("br;q=1.0, gzip;q=0.8, *;q=0.1"));
	CU_ASSERT_TRUE(accepts("deflate,gzip"));
	CU_ASSERT_TRUE(accepts(" gzip ; q=0.001 "));
	CU_ASSERT_TRUE(accepts("gzip;Q=1"));
	CU_ASSERT_FALSE(accepts(""));
	CU_ASSERT_FALSE(accepts("identity"));
	CU_ASSERT_FALSE(accepts("deflate, br"));
	CU_ASSERT_FALSE(accepts("gzipped"));
	CU_ASSERT_FALSE(accepts("gzip2, xgzip"));
	CU_ASSERT_FALSE(http_gzip_acceptable(NULL, 0));
}

/* q=0 refuses, whatever "*" or another element says. */
static void
t_gzip_accept_refused(void)
{
	CU_ASSERT_FALSE(accepts("gzip;q=0"));
	CU_ASSERT_FALSE(accepts("gzip;q=0.000"));
	CU_ASSERT_FALSE(accepts("gzip;q=0, *"));
	CU_ASSERT_FALSE(accepts("*, gzip;q=0"));
	CU_ASSERT_FALSE(accepts("*;q=0"));
	CU_ASSERT_TRUE(accepts("*"));
	CU_ASSERT_TRUE(accepts("identity, *;q=0.5"));
	/* Named twice: the better weight counts (a list, not an override). */
	CU_ASSERT_TRUE(accepts("gzip;q=0, gzip;q=0.5"));
}

/* A weight not well formed is no acceptance: the answer goes plain. */
static void
t_gzip_accept_malformed(void)
{
	CU_ASSERT_FALSE(accepts("gzip;q=2"));
	CU_ASSERT_FALSE(accepts("gzip;q=1.5"));
	CU_ASSERT_FALSE(accepts("gzip;q=-1"));
	CU_ASSERT_FALSE(accepts("gzip;q="));
	CU_ASSERT_FALSE(accepts("gzip;q=0.5x"));
	CU_ASSERT_FALSE(accepts("gzip;level=9"));
	CU_ASSERT_FALSE(accepts("gzip q=1"));
	CU_ASSERT_FALSE(accepts("gzip;"));
	/* One bad element spoils only itself. */
	CU_ASSERT_TRUE(accepts("br;q=7, gzip"));
}

/* Several field lines are one list (RFC 9110 section 5.3). */
static void
t_gzip_accept_lines(void)
{
	const char	*v[3] = { "br", NULL, "gzip;q=0.2" };
	const char	*w[2] = { "gzip", "gzip;q=0" };

	CU_ASSERT_TRUE(http_gzip_acceptable(v, 3));
	CU_ASSERT_TRUE(http_gzip_acceptable(w, 2));
	CU_ASSERT_FALSE(http_gzip_acceptable(v, 2));
}

/* One gzip member, inflating to exactly the bytes given. */
static void
t_gzip_round_trip(void)
{
	struct buf	 in = { 0 };
	unsigned char	*gz, *back;
	size_t		 gzlen, i;
	uLongf		 n;
	z_stream	 zs;

	for (i = 0; i < 3000; i++)
		buf_printf(&in, "{\"train\" : \"X%zu\", \"run\" : 1}, ", i);
	gz = http_gzip(in.data, in.len, 6, &gzlen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(gz);
	CU_ASSERT(gzlen < in.len / 10);
	CU_ASSERT_EQUAL(gz[0], 0x1f);
	CU_ASSERT_EQUAL(gz[1], 0x8b);
	back = xmalloc(in.len + 1);
	memset(&zs, 0, sizeof zs);
	CU_ASSERT_EQUAL_FATAL(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
	zs.next_in = gz;
	zs.avail_in = (uInt)gzlen;
	zs.next_out = back;
	zs.avail_out = (uInt)in.len + 1;
	CU_ASSERT_EQUAL(inflate(&zs, Z_FINISH), Z_STREAM_END);
	n = zs.total_out;
	inflateEnd(&zs);
	CU_ASSERT_EQUAL(n, in.len);
	CU_ASSERT(memcmp(back, in.data, in.len) == 0);
	free(back);
	free(gz);
	buf_free(&in);
}

static CU_TestInfo gzip_tests[] = {
	{ "t_gzip_accept_named", t_gzip_accept_named },
	{ "t_gzip_accept_refused", t_gzip_accept_refused },
	{ "t_gzip_accept_malformed", t_gzip_accept_malformed },
	{ "t_gzip_accept_lines", t_gzip_accept_lines },
	{ "t_gzip_round_trip", t_gzip_round_trip },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("http_gzip", NULL, NULL, gzip_tests)
