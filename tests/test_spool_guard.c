/*
 * test_spool_guard.c -- holes found by attacking the running daemon
 * (issue 15), each reproduced against the real daemon on loopback:
 *
 *   - a '<' inside a processing instruction (or comment), or a declared
 *     encoding that hides markup, before a DOCTYPE: refused as a DOCTYPE
 *     before libxml2 parses its internal subset;
 *   - gzip bodies truncated, followed by junk, or with a bad CRC: said as
 *     such, with the byte; several members are one body.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "daemon/input.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64];

static int
guard_suite_init(void)
{
	char	conf[1600];

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	return harness_token(&pg, "operator", "guard.operator",
	    operator_token) < 0 ? -1 : 0;
}

static int
guard_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* state_dir/spool/sub/name into out. */
static void
spool_path(const char *sub, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/spool/%s/%s", dm.dir, sub, name);
}

/* Drops bytes into incoming/ as name, the way senders should (a dot name,
 * then a rename). */
static void
drop(const char *name, const void *data, size_t len)
{
	char	tmp[600], dst[600];
	FILE	*f;

	spool_path("incoming", ".part", tmp, sizeof tmp);
	spool_path("incoming", name, dst, sizeof dst);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(tmp, "wb"));
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
	CU_ASSERT_EQUAL(rename(tmp, dst), 0);
}

/* Waits up to ms for path to exist (not followed); true when it does. */
static bool
wait_path(const char *path, int ms)
{
	struct stat	st;
	int		waited;

	for (waited = 0; waited <= ms; waited += 50) {
		if (lstat(path, &st) == 0)
			return true;
		usleep(50000);
	}
	return false;
}

/* failed/NAME.err once written (owned), or NULL after ms. */
static char *
spool_err(const char *name, int ms)
{
	char	path[600], *err;
	size_t	len;

	snprintf(path, sizeof path, "%s/spool/failed/%s.err", dm.dir, name);
	if (!wait_path(path, ms))
		return NULL;
	usleep(100000);
	if (file_read_all(path, &err, &len) < 0)
		return NULL;
	return err;
}

/* --- item 15: a DOCTYPE behind a PI, a comment, an encoding --------- */

/* POSTs body to /v1/manifests; the first diagnostic's code, where and
 * message into the buffers; the status. */
static int
post_manifest(const char *body, size_t len, bool gzip, char *code,
    char *where, char *msg, size_t size)
{
	struct harness_response	 r;
	char			 hdr[256];
	json_t			*j, *d;
	int			 status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\nContent-Type: "
	    "application/xml\r\n%s", operator_token, gzip ?
	    "Content-Encoding: gzip\r\n" : "");
	code[0] = where[0] = msg[0] = '\0';
	if (harness_http(dm.port, "POST", "/v1/manifests", hdr, body, len,
	    &r) < 0)
		return -1;
	status = r.status;
	if ((j = json_loads(r.body, 0, NULL)) != NULL) {
		d = json_array_get(json_object_get(j, "diagnostics"), 0);
		snprintf(code, size, "%s", json_string_value(json_object_get(d,
		    "code")) != NULL ? json_string_value(json_object_get(d,
		    "code")) : "");
		snprintf(where, size, "%s", json_string_value(json_object_get(d,
		    "where")) != NULL ? json_string_value(json_object_get(d,
		    "where")) : "");
		snprintf(msg, size, "%s", json_string_value(json_object_get(d,
		    "message")) != NULL ? json_string_value(json_object_get(d,
		    "message")) : "");
		json_decref(j);
	}
	harness_response_free(&r);
	return status;
}

/*
 * Each refused by the prolog scan, as a DOCTYPE or for its encoding,
 * before libxml2 reads the internal subset (whose entity loop it would
 * report: the reproduction's answer before the fix).
 */
static void
t_spool_guard_prolog_doctype(void)
{
	static const struct {
		const char	*file;
		const char	*where;
		const char	*says;
	} cases[] = {
		{ "pi_lt_before_doctype.xml", "line 3", "DOCTYPE" },
		{ "pi_hides_doctype.xml", "line 4", "DOCTYPE" },
		{ "pi_comment_nested_doctype.xml", "line 4", "DOCTYPE" },
		{ "bom_pi_lt_doctype.xml", "line 5", "DOCTYPE" },
		{ "utf7_hides_doctype.xml", "line 1", "UTF-7" },
		{ "iso2022jp_hides_doctype.xml", "line 1", "ISO-2022-JP" },
	};
	char	 rel[256], code[256], where[256], msg[256];
	char	*data;
	size_t	 i, len;
	int	 status;

	for (i = 0; i < nitems(cases); i++) {
		snprintf(rel, sizeof rel, "xml/hostile/%s", cases[i].file);
		data = test_read_fixture(rel, &len);
		status = post_manifest(data, len, false, code, where, msg,
		    sizeof code);
		printf("\n  %-32s %d %s %s: %.70s", cases[i].file, status, code,
		    where, msg);
		CU_ASSERT_EQUAL(status, 422);
		CU_ASSERT_STRING_EQUAL(code, "XML_FORBIDDEN");
		CU_ASSERT_STRING_EQUAL(where, cases[i].where);
		CU_ASSERT_PTR_NOT_NULL(strstr(msg, cases[i].says));
		free(data);
	}
}

/* --- item 16: what is wrong with a gzip body ------------------------ */

/* gzip of data (caller frees), *outlen its length. */
static unsigned char *
gzip_of(const char *data, size_t len, size_t *outlen)
{
	z_stream	 zs;
	unsigned char	*out;
	size_t		 cap = compressBound(len) + 64;

	out = xmalloc(cap);
	memset(&zs, 0, sizeof zs);
	CU_ASSERT_FATAL(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY) == Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	CU_ASSERT_FATAL(deflate(&zs, Z_FINISH) == Z_STREAM_END);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/*
 * Truncated, followed by junk, a damaged CRC: each refused (422,
 * GZIP_INVALID) saying which, at the byte; not "exceeds the size limit",
 * the answer before.  Two members one after the other are one body, as
 * for gzip(1).  A real bomb still exceeds the size limit.
 */
static void
t_spool_guard_gzip_said(void)
{
	char		 code[256], where[256], msg[256], want[64], *plain;
	unsigned char	*gz, *a, *b, *bad;
	size_t		 plen, n, na, nb, cut;
	int		 status;

	plain = test_read_fixture("xml/cuscar_s4_unoy.xml", &plen);
	gz = gzip_of(plain, plen, &n);
	cut = n / 2;

	status = post_manifest((char *)gz, cut, true, code, where, msg,
	    sizeof code);
	printf("\n  truncated: %d %s %s: %s", status, code, where, msg);
	CU_ASSERT_EQUAL(status, 422);
	CU_ASSERT_STRING_EQUAL(code, "GZIP_INVALID");
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "truncated"));
	snprintf(want, sizeof want, "byte %zu", cut);
	CU_ASSERT_STRING_EQUAL(where, want);

	bad = xmalloc(n + 16);
	memcpy(bad, gz, n);
	memcpy(bad + n, "JUNK AFTER IT\n", 14);
	status = post_manifest((char *)bad, n + 14, true, code, where, msg,
	    sizeof code);
	printf("\n  junk after: %d %s %s: %s", status, code, where, msg);
	CU_ASSERT_EQUAL(status, 422);
	CU_ASSERT_STRING_EQUAL(code, "GZIP_INVALID");
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "14 bytes of data after the end"));
	snprintf(want, sizeof want, "byte %zu", n);
	CU_ASSERT_STRING_EQUAL(where, want);

	memcpy(bad, gz, n);
	bad[n - 8] ^= 0x5a;	/* the CRC-32 */
	status = post_manifest((char *)bad, n, true, code, where, msg,
	    sizeof code);
	printf("\n  bad CRC: %d %s %s: %s", status, code, where, msg);
	CU_ASSERT_EQUAL(status, 422);
	CU_ASSERT_STRING_EQUAL(code, "GZIP_INVALID");
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "CRC-32"));
	CU_ASSERT(strstr(msg, "size limit") == NULL);
	free(bad);

	a = gzip_of(plain, 100, &na);
	b = gzip_of(plain + 100, plen - 100, &nb);
	bad = xmalloc(na + nb);
	memcpy(bad, a, na);
	memcpy(bad + na, b, nb);
	status = post_manifest((char *)bad, na + nb, true, code, where, msg,
	    sizeof code);
	printf("\n  two members: %d", status);
	CU_ASSERT_EQUAL(status, 202);
	free(a);
	free(b);
	free(bad);
	free(gz);
	free(plain);
}

/* The spool reads gzip files too: a truncated one's .err says so. */
static void
t_spool_guard_gzip_in_spool(void)
{
	char		*plain, *err;
	unsigned char	*gz;
	size_t		 plen, n;

	plain = test_read_fixture("xml/ifcsum_horgos.xml", &plen);
	gz = gzip_of(plain, plen, &n);
	drop("cut.xml.gz", gz, n - 20);
	err = spool_err("cut.xml.gz", 6000);
	CU_ASSERT_PTR_NOT_NULL(err);
	CU_ASSERT_PTR_NOT_NULL(err != NULL ? strstr(err, "truncated") : NULL);
	CU_ASSERT(err == NULL || strstr(err, "size limit") == NULL);
	free(err);
	free(gz);
	free(plain);
}

/* input_decompress's answer for body: -1 and the first diagnostic's code,
 * message and offset, or 0 and the output (caller frees). */
static int
gunzip(const void *body, size_t len, size_t max, char *code, char *msg,
    size_t size, unsigned long long *at, char **out, size_t *outlen)
{
	struct manifest_train	*t = manifest_train_new();
	int			 rc;

	*out = NULL;
	code[0] = msg[0] = '\0';
	*at = 0;
	rc = input_decompress(body, len, max, t, out, outlen);
	if (rc < 0 && t->diags.n > 0) {
		snprintf(code, size, "%s", t->diags.v[0].code);
		snprintf(msg, size, "%s", t->diags.v[0].message);
		*at = (unsigned long long)t->diags.v[0].loc.offset;
	}
	manifest_train_free(t);
	return rc;
}

/*
 * The gzip reader alone, at the edges: truncated anywhere (in the header,
 * at the last byte), a trailer stating a size over the limit or lying
 * under it, trailing zeros, three members, a member then a lone magic.
 * A bomb whose trailer says so is told from its rate, in milliseconds.
 */
static void
t_spool_guard_gzip_edges(void)
{
	static char	 chunk[1 << 16];
	char		 code[64], msg[512], *plain, *out;
	unsigned char	*gz, *bad, *m[3];
	size_t		 plen, n, cuts[4], i, nm[3], outlen, total;
	unsigned long long at;
	double		 t0;
	struct buf	 bomb = { 0 };

	plain = test_read_fixture("xml/cuscar_s4_unoy.xml", &plen);
	gz = gzip_of(plain, plen, &n);
	cuts[0] = 5;
	cuts[1] = 12;
	cuts[2] = n / 3;
	cuts[3] = n - 1;
	for (i = 0; i < nitems(cuts); i++) {
		CU_ASSERT_EQUAL(gunzip(gz, cuts[i], 1 << 20, code, msg,
		    sizeof msg, &at, &out, &outlen), -1);
		CU_ASSERT_STRING_EQUAL(code, "GZIP_INVALID");
		CU_ASSERT_PTR_NOT_NULL(strstr(msg, "truncated"));
		CU_ASSERT_EQUAL(at, cuts[i]);
	}
	/* The trailer's size changed: over the limit, then just wrong. */
	bad = xmalloc(n + 16);
	memcpy(bad, gz, n);
	bad[n - 1] = 0x7f;
	CU_ASSERT_EQUAL(gunzip(bad, n, 1 << 20, code, msg, sizeof msg, &at,
	    &out, &outlen), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "length in the gzip trailer"));
	bad[n - 1] = gz[n - 1];
	bad[n - 4] ^= 1;
	CU_ASSERT_EQUAL(gunzip(bad, n, 1 << 20, code, msg, sizeof msg, &at,
	    &out, &outlen), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "length in the gzip trailer"));
	/* Padding is data after the stream too. */
	memcpy(bad, gz, n);
	memset(bad + n, 0, 16);
	CU_ASSERT_EQUAL(gunzip(bad, n + 16, 1 << 20, code, msg, sizeof msg,
	    &at, &out, &outlen), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "16 bytes of data after the end"));
	CU_ASSERT_EQUAL(at, n);
	/* A member, then a lone magic: a second member cut short. */
	memcpy(bad + n, "\x1f\x8b", 2);
	CU_ASSERT_EQUAL(gunzip(bad, n + 2, 1 << 20, code, msg, sizeof msg,
	    &at, &out, &outlen), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "truncated"));
	free(bad);
	/* Three members: one body, the plain bytes in order. */
	m[0] = gzip_of(plain, 10, &nm[0]);
	m[1] = gzip_of(plain + 10, 1000, &nm[1]);
	m[2] = gzip_of(plain + 1010, plen - 1010, &nm[2]);
	bad = xmalloc(nm[0] + nm[1] + nm[2]);
	for (i = 0, total = 0; i < 3; i++) {
		memcpy(bad + total, m[i], nm[i]);
		total += nm[i];
		free(m[i]);
	}
	CU_ASSERT_EQUAL_FATAL(gunzip(bad, total, 1 << 20, code, msg,
	    sizeof msg, &at, &out, &outlen), 0);
	CU_ASSERT_TRUE(outlen == plen && memcmp(out, plain, plen) == 0);
	free(out);
	free(bad);
	free(gz);
	free(plain);

	/* 256 MiB of spaces in 256 KB: its trailer states so. */
	memset(chunk, ' ', sizeof chunk);
	for (i = 0; i < 4096; i++)
		buf_add(&bomb, chunk, sizeof chunk);
	gz = gzip_of(bomb.data, bomb.len, &n);
	buf_free(&bomb);
	t0 = now_s();
	CU_ASSERT_EQUAL(gunzip(gz, n, 16 << 20, code, msg, sizeof msg, &at,
	    &out, &outlen), -1);
	printf("\n  bomb, %zu bytes: %.1f ms: %s", n, (now_s() - t0) * 1e3, msg);
	CU_ASSERT_STRING_EQUAL(code, "SIZE_LIMIT");
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "would exceed the size limit of "
	    "16777216 bytes"));
	CU_ASSERT(now_s() - t0 < 0.1);
	/* The same with a trailer that lies (a small size): stopped at the
	 * limit while inflating. */
	memset(gz + n - 4, 0, 4);
	CU_ASSERT_EQUAL(gunzip(gz, n, 16 << 20, code, msg, sizeof msg, &at,
	    &out, &outlen), -1);
	CU_ASSERT_STRING_EQUAL(code, "SIZE_LIMIT");
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "exceeds the size limit of "
	    "16777216 bytes"));
	free(gz);
}

static CU_TestInfo guard_tests[] = {
	{ "t_spool_guard_gzip_edges", t_spool_guard_gzip_edges },
	{ "t_spool_guard_prolog_doctype", t_spool_guard_prolog_doctype },
	{ "t_spool_guard_gzip_said", t_spool_guard_gzip_said },
	{ "t_spool_guard_gzip_in_spool", t_spool_guard_gzip_in_spool },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_spool_guard", guard_suite_init, guard_suite_clean,
    guard_tests)
