/*
 * test_security_bodies.c -- what a caller sends (issue 10, "Security
 * suite"), against the real daemon: bodies over [http] max_body_mb,
 * announced or chunked, on every route taking one, and a small gzip
 * inflating past it; malformed gzip; a slow-loris connection cut while a
 * steady upload is not.  The fixture: security.h.
 */
#include <sys/socket.h>

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "manifest/util.h"

#include "harness.h"
#include "security.h"
#include "unit.h"

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends raw bytes (as much as the daemon takes) and reads the answer. */
static int
raw_http(const char *head, const char *body, size_t body_len,
    struct harness_response *r)
{
	struct pollfd		 pfd;
	struct buf		 raw = { 0 };
	char			*end;
	ssize_t			 n;
	size_t			 off = 0;
	int			 fd;

	memset(r, 0, sizeof *r);
	r->status = -1;
	if ((fd = harness_connect(sec.dm.port)) < 0)
		return -1;
	if (write(fd, head, strlen(head)) < 0)
		goto read;
	while (off < body_len) {
		n = write(fd, body + off, body_len - off > 65536 ? 65536 :
		    body_len - off);
		if (n <= 0)
			break;	/* the daemon stopped reading: its answer */
		off += (size_t)n;
	}
read:
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 5000) <= 0)
			break;
		buf_reserve(&raw, 65536);
		n = read(fd, raw.data + raw.len, raw.cap - raw.len - 1);
		if (n <= 0)
			break;
		raw.len += (size_t)n;
		raw.data[raw.len] = '\0';
	}
	close(fd);
	if (raw.len > 12 && strncmp(raw.data, "HTTP/1.", 7) == 0 &&
	    (end = strstr(raw.data, "\r\n\r\n")) != NULL) {
		r->status = atoi(raw.data + 9);
		r->headers = xstrndup(raw.data, (size_t)(end - raw.data) + 2);
		r->body = xstrdup(end + 4);
		r->body_len = strlen(r->body);
	} else {
		r->headers = xstrdup("");
		r->body = xstrdup("");
	}
	buf_free(&raw);
	return r->status;
}

/*
 * Bodies over [http] max_body_mb (1 MiB here): 413, whether the length is
 * announced or chunked, on every route that takes a body; a gzip body
 * that inflates past the limit is refused too; nothing is stored.
 */
static void
t_security_oversized_bodies(void)
{
	static const char *const targets[] = { "/v1/manifests",
	    "/v1/trains/" SEC_TRAIN "/events",
	    "/v1/trains/" SEC_TRAIN "/approve",
	    "/v1/trains/" SEC_TRAIN "/wagons/" SEC_WAGON "/resolution" };
	struct harness_response	 r;
	size_t			 big = (1u << 20) + 4096, i, zlen;
	char			*body, *before, *after, head[512];
	unsigned char		*z;
	z_stream		 zs;

	body = xmalloc(big);
	memset(body, 'A', big);
	before = sec_table_counts();
	for (i = 0; i < nitems(targets); i++) {
		snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: x\r\n"
		    "Authorization: Bearer %s\r\nConnection: close\r\n"
		    "Content-Length: %zu\r\n\r\n", targets[i], i == 0 ?
		    sec.operator_tok : sec.officer_tok, big);
		raw_http(head, body, big, &r);
		CU_ASSERT_EQUAL(r.status, 413);
		/* Refused from the head by the connection guard (conn.c). */
		CU_ASSERT_TRUE(sec_is_problem(&r));
		harness_response_free(&r);
		/* Chunked, the length never announced. */
		snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: x\r\n"
		    "Authorization: Bearer %s\r\nConnection: close\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n", targets[i], i == 0 ?
		    sec.operator_tok : sec.officer_tok);
		{
			struct buf	 chunks = { 0 };
			size_t		 sent;

			for (sent = 0; sent < big; sent += 65536)
				buf_printf(&chunks, "10000\r\n%.*s\r\n", 65536, body);
			buf_add_str(&chunks, "0\r\n\r\n");
			raw_http(head, chunks.data, chunks.len, &r);
			buf_free(&chunks);
		}
		CU_ASSERT_EQUAL(r.status, 413);
		CU_ASSERT_TRUE(sec_is_problem(&r));
		harness_response_free(&r);
	}
	sec_check_nothing_stored(before, "oversized bodies", "");

	/* 8 MiB of zeros as a small gzip body: refused, not inflated whole. */
	memset(&zs, 0, sizeof zs);
	CU_ASSERT_EQUAL_FATAL(deflateInit2(&zs, 9, Z_DEFLATED, 31, 9,
	    Z_DEFAULT_STRATEGY), Z_OK);
	free(body);
	big = 8u << 20;
	body = xcalloc(1, big);
	zlen = deflateBound(&zs, big);
	z = xmalloc(zlen);
	zs.next_in = (unsigned char *)body;
	zs.avail_in = (unsigned)big;
	zs.next_out = z;
	zs.avail_out = (unsigned)zlen;
	CU_ASSERT_EQUAL(deflate(&zs, Z_FINISH), Z_STREAM_END);
	zlen = zs.total_out;
	deflateEnd(&zs);
	before = sec_sql1("SELECT count(*) FROM manifests WHERE accepted", NULL);
	snprintf(head, sizeof head, "Authorization: Bearer %s\r\n"
	    "Content-Encoding: gzip\r\n", sec.operator_tok);
	CU_ASSERT_EQUAL(harness_http(sec.dm.port, "POST", "/v1/manifests", head,
	    (const char *)z, zlen, &r), 0);
	CU_ASSERT(r.status == 413 || r.status == 422);
	CU_ASSERT_TRUE(sec_is_problem(&r));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"code\""));
	harness_response_free(&r);
	after = sec_sql1("SELECT count(*) FROM manifests WHERE accepted", NULL);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	free(z);
	free(body);
	/*
	 * An oversized body is refused by the connection guard
	 * (daemon/http/conn.c) from its head, before routing, and logged.
	 */
	CU_ASSERT_TRUE(sec_log_has("request refused before routing: 413", 2000));
	CU_ASSERT_TRUE(harness_daemon_alive(&sec.dm));
}

/* gzip of data into *out (caller frees); its length. */
static size_t
gzip_bytes(const char *data, size_t len, unsigned char **out)
{
	z_stream	zs;
	size_t		cap;

	memset(&zs, 0, sizeof zs);
	deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	cap = deflateBound(&zs, len);
	*out = xmalloc(cap);
	zs.next_in = (unsigned char *)(uintptr_t)data;
	zs.avail_in = (unsigned)len;
	zs.next_out = *out;
	zs.avail_out = (unsigned)cap;
	deflate(&zs, Z_FINISH);
	cap = zs.total_out;
	deflateEnd(&zs);
	return cap;
}

/*
 * Malformed gzip bodies: truncated, a corrupt trailer, garbage after the
 * member, gzip inside gzip, the header without data, a body that says
 * gzip and is not: each a 4xx with a diagnostic; nothing accepted.
 */
static void
t_security_malformed_gzip(void)
{
	struct harness_response	 r;
	unsigned char		*gz, *gz2, *buf;
	char			*man, hdr[256], *before, *after;
	size_t			 mlen, glen, g2len, i;
	struct {
		const char	*what;
		size_t		 len;
		int		 mode;
	} cases[] = {
		{ "truncated", 0, 0 }, { "bad trailer", 0, 1 },
		{ "garbage after", 0, 2 }, { "gzip in gzip", 0, 3 },
		{ "header only", 10, 4 }, { "not gzip at all", 0, 5 },
	};

	man = test_read_fixture("edifact/cuscar_original_erenhot.edi", &mlen);
	glen = gzip_bytes(man, mlen, &gz);
	g2len = gzip_bytes((const char *)gz, glen, &gz2);
	buf = xmalloc(glen + g2len + 64);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n"
	    "Content-Encoding: gzip\r\n", sec.operator_tok);
	before = sec_sql1("SELECT count(*) FROM manifests WHERE accepted", NULL);
	for (i = 0; i < nitems(cases); i++) {
		size_t len = 0;

		switch (cases[i].mode) {
		case 0:
			len = glen / 2;
			memcpy(buf, gz, len);
			break;
		case 1:
			len = glen;
			memcpy(buf, gz, len);
			buf[len - 5] ^= 0xff;	/* CRC-32 */
			break;
		case 2:
			len = glen + 7;
			memcpy(buf, gz, glen);
			memcpy(buf + glen, "garbage", 7);
			break;
		case 3:
			len = g2len;
			memcpy(buf, gz2, len);
			break;
		case 4:
			len = cases[i].len;
			memcpy(buf, gz, len);
			break;
		default:
			len = mlen < 64 ? mlen : 64;
			memcpy(buf, man, len);
			break;
		}
		CU_ASSERT_EQUAL_FATAL(harness_http(sec.dm.port, "POST",
		    "/v1/manifests", hdr, (const char *)buf, len, &r), 0);
		if (cases[i].mode == 5) {
			/* Content-Encoding is a hint; the bytes decide. */
			sec_check_no_5xx(r.status, cases[i].what, "POST",
			    "/v1/manifests");
			harness_response_free(&r);
			continue;
		}
		/* Garbage after the member, gzip inside gzip: refused,
		 * naming the encoding (fixed: input.c). */
		if (cases[i].mode == 2 || cases[i].mode == 3)
			CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "gzip"));
		if (r.status < 400 || r.status >= 500 || !sec_is_problem(&r) ||
		    strstr(r.body, "\"code\"") == NULL) {
			fprintf(stderr, "\ngzip %s: %d %s\n", cases[i].what,
			    r.status, r.body);
			CU_FAIL("a 4xx with a diagnostic");
		}
		harness_response_free(&r);
	}
	after = sec_sql1("SELECT count(*) FROM manifests WHERE accepted", NULL);
	/* No malformed body stored as an accepted manifest. */
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	free(man);
	free(gz);
	free(gz2);
	free(buf);
	CU_ASSERT_TRUE(harness_daemon_alive(&sec.dm));
}

/* A connection to the daemon, or -1. */
static int
connect_daemon(void)
{
	return harness_connect(sec.dm.port);
}

/*
 * Slow loris: headers one byte per 200 ms.  Another connection is served
 * at once meanwhile; the slow one is cut by [http] request_timeout_s (2 s
 * here), measured from its first byte.
 */
static void
t_security_slow_loris(void)
{
	const char	 req[] = "GET /v1/trains HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
	    "\r\n";
	struct harness_response	 r;
	long long		 t0, t, cut_ms = -1, fast_ms = -1;
	size_t			 i;
	int			 fd;
	char			 c, *log;

	fd = connect_daemon();
	CU_ASSERT_FATAL(fd >= 0);
	t0 = now_ms();
	/* 7 s at most: past the 2 s timeout with room to spare. */
	for (i = 0; i < sizeof req - 1 && now_ms() - t0 < 7000; i++) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (send(fd, &req[i], 1, MSG_NOSIGNAL) != 1 ||
		    (poll(&pfd, 1, 0) == 1 && recv(fd, &c, 1, MSG_DONTWAIT) <= 0)) {
			cut_ms = now_ms() - t0;
			break;
		}
		if (i == 5) {	/* a normal request meanwhile */
			t = now_ms();
			CU_ASSERT_EQUAL(sec_call_status("GET", "/healthz", NULL, NULL,
			    NULL), 200);
			fast_ms = now_ms() - t;
		}
		usleep(200000);
	}
	close(fd);
	CU_ASSERT(fast_ms >= 0 && fast_ms < 1000);
	/* Cut by the connection guard (daemon/http/conn.c), and said so. */
	CU_ASSERT(cut_ms >= 1900 && cut_ms < 4000);
	log = sec_daemon_log();
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "http: connection from 127.0.0.1:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, " cut: request not complete after "));
	free(log);
	/* A silent connection is cut by the same timeout. */
	fd = connect_daemon();
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(send(fd, "GET /he", 7, MSG_NOSIGNAL), 7);
	t0 = now_ms();
	{
		struct pollfd pfd = { fd, POLLIN, 0 };

		CU_ASSERT_EQUAL(poll(&pfd, 1, 5000), 1);
		CU_ASSERT(now_ms() - t0 < 4000);
	}
	close(fd);
	CU_ASSERT_TRUE(harness_daemon_alive(&sec.dm));
	CU_ASSERT_EQUAL(sec_call("GET", "/healthz", NULL, NULL, NULL, &r), 200);
	harness_response_free(&r);
}

/*
 * A body sent slowly but steadily (about 26 kB/s for 3 s) outlives
 * request_timeout_s (2 s) and is still answered: request_min_rate
 * (1024 B/s) extends its deadline by every second's worth it sent.
 */
static void
t_security_steady_upload_not_cut(void)
{
	char		 head[256], chunk[4000], reply[64];
	long long	 t0, took;
	ssize_t		 n;
	int		 fd, len, i;

	fd = connect_daemon();
	CU_ASSERT_FATAL(fd >= 0);
	len = snprintf(head, sizeof head, "POST /v1/manifests HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
	    "Content-Type: application/EDIFACT\r\nContent-Length: %d\r\n"
	    "\r\n", sec.operator_tok, 20 * (int)sizeof chunk);
	memset(chunk, 'X', sizeof chunk);
	t0 = now_ms();
	CU_ASSERT_EQUAL(send(fd, head, (size_t)len, MSG_NOSIGNAL), len);
	for (i = 0; i < 20; i++) {
		usleep(150000);
		if (send(fd, chunk, sizeof chunk, MSG_NOSIGNAL) !=
		    (ssize_t)sizeof chunk)
			break;
	}
	CU_ASSERT_EQUAL(i, 20);
	{
		struct pollfd pfd = { fd, POLLIN, 0 };

		CU_ASSERT_EQUAL(poll(&pfd, 1, 5000), 1);
	}
	n = recv(fd, reply, sizeof reply - 1, 0);
	took = now_ms() - t0;
	close(fd);
	CU_ASSERT_FATAL(n > 12);
	reply[n] = '\0';
	/* Not EDIFACT: refused by the parser, not cut by the guard. */
	CU_ASSERT_EQUAL(strncmp(reply, "HTTP/1.1 4", 10), 0);
	CU_ASSERT(took > 2500);
}

/* The suite's end: no token or key of its daemon in its log. */
static void
t_security_no_secrets_in_log(void)
{
	sec_check_no_secrets(6);
}

static CU_TestInfo security_bodies_tests[] = {
	{ "t_security_oversized_bodies", t_security_oversized_bodies },
	{ "t_security_malformed_gzip", t_security_malformed_gzip },
	{ "t_security_slow_loris", t_security_slow_loris },
	{ "t_security_steady_upload_not_cut",
	    t_security_steady_upload_not_cut },
	{ "t_security_no_secrets_in_log", t_security_no_secrets_in_log },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_security_bodies", sec_suite_init, sec_suite_clean,
    security_bodies_tests)
