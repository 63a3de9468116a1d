/*
 * test_http_guard.c -- the HTTP front's pure parts attacked (issue 15,
 * items 12 and 14), with no daemon: the strict head reader
 * (daemon/http/reqhead.c) against every framing a second reader could
 * take differently, the chunked framing fed one byte at a time and
 * whole, the token throttle's table (daemon/http/auth.c) against an
 * attacker with more addresses than it holds, and the key a client is
 * counted under (daemon/http/conn.c).
 *
 * The same guard against the real daemon: integration_http_guard
 * (tests/system/test_http_guard.c).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/http/auth.h"
#include "daemon/http/conn.h"
#include "daemon/http/reqhead.h"
#include "manifest/util.h"

#include "unit.h"

/* ---- unit: the head reader ---- */

/* Parses text as a complete head: its status (0 when accepted). */
static int
head_status(const char *text, struct reqhead *h)
{
	struct reqhead_error	err;
	int			rc;

	memset(&err, 0, sizeof err);
	rc = reqhead_parse(h, text, strlen(text), &err);
	return rc == 0 ? 0 : err.status;
}

static int
head_of(const char *text)
{
	struct reqhead	h;
	int		status = head_status(text, &h);

	reqhead_clear(&h);
	return status;
}

static void
t_http_guard_head_framing(void)
{
	static const struct {
		const char	*head;
		int		 status;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0 },
		{ "GET / HTTP/1.0\n\n", 0 },
		{ "POST /v1/manifests HTTP/1.1\r\nContent-Length: 0\r\n"
		    "Content-Length: 60\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 60\r\n"
		    "content-length: 60\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 5\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		    501 },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: \tchunked\r\n\r\n", 501 },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n", 400 },
		{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 5 5\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n"
		    "\r\n", 413 },
		{ "POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nX-A: b\r\n Content-Length: 5\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nX-A: b\rContent-Length: 5\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nno colon here\r\n\r\n", 400 },
		{ "HEAD / HTTP/1.1\r\nContent-Length: 10\r\n\r\n", 400 },
		{ "HEAD / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 0 },
		{ "GET / HTTP/1.1\r\nAuthorization: Bearer a\r\n"
		    "Authorization: Bearer b\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", 0 },
		{ "POST / HTTP/1.1\r\nExpect: magic\r\n\r\n", 417 },
		{ "POST / HTTP/1.0\r\nExpect: magic\r\n\r\n", 0 },
		{ "OPTIONS / HTTP/1.1\r\n\r\n", 501 },
		{ "get / HTTP/1.1\r\n\r\n", 501 },
		{ "GET / HTTP/2.0\r\n\r\n", 505 },
		{ "GET / HTTP/1.1 \r\n\r\n", 400 },
		{ "GET  / HTTP/1.1\r\n\r\n", 400 },
		{ "GET /a b HTTP/1.1\r\n\r\n", 400 },
		{ "GET * HTTP/1.1\r\n\r\n", 400 },
		{ "GET /\x80 HTTP/1.1\r\n\r\n", 400 },
		{ "\r\nGET / HTTP/1.1\r\n\r\n", 400 },
		{ "GARBAGE\r\n\r\n", 400 },
	};
	size_t	i;

	for (i = 0; i < nitems(cases); i++) {
		int status = head_of(cases[i].head);

		if (status != cases[i].status)
			fprintf(stderr, "\nhead %zu: %d, wanted %d: %.60s\n", i,
			    status, cases[i].status, cases[i].head);
		CU_ASSERT_EQUAL(status, cases[i].status);
	}
}

/* What the reader keeps of an accepted head. */
static void
t_http_guard_head_fields(void)
{
	struct reqhead	h;

	CU_ASSERT_EQUAL(head_status("POST /v1/manifests?x=1 HTTP/1.1\r\n"
	    "Host: x\r\nauthorization:   Bearer rg_abc  \r\n"
	    "Content-Length: 0042\r\n\r\n", &h), 0);
	CU_ASSERT_STRING_EQUAL(h.method, "POST");
	CU_ASSERT_STRING_EQUAL(h.target, "/v1/manifests?x=1");
	CU_ASSERT_STRING_EQUAL(h.authorization, "Bearer rg_abc");
	CU_ASSERT_EQUAL(h.content_length, 42);
	CU_ASSERT_FALSE(h.chunked);
	CU_ASSERT_EQUAL(h.minor, 1);
	reqhead_clear(&h);
	CU_ASSERT_EQUAL(head_status("PUT /x HTTP/1.1\r\nTransfer-Encoding: "
	    "Chunked\r\n\r\n", &h), 0);
	CU_ASSERT_TRUE(h.chunked);
	CU_ASSERT_EQUAL(h.content_length, -1);
	reqhead_clear(&h);
	CU_ASSERT_EQUAL(head_status("HEAD /healthz HTTP/1.1\r\n\r\n", &h), 0);
	CU_ASSERT_TRUE(h.is_head);
	reqhead_clear(&h);
}

/* The end of a head is found however the bytes arrive. */
static void
t_http_guard_head_scan(void)
{
	static const char	text[] = "GET / HTTP/1.1\r\nA: b\r\n\r\nnext";
	struct reqhead_scan	s;
	size_t			i, end = 0;

	memset(&s, 0, sizeof s);
	for (i = 0; i < strlen(text) && end == 0; i++)
		end = reqhead_scan_feed(&s, text + i, 1);
	CU_ASSERT_EQUAL(end, strlen(text) - 4);
	memset(&s, 0, sizeof s);
	CU_ASSERT_EQUAL(reqhead_scan_feed(&s, text, strlen(text)),
	    strlen(text) - 4);
	memset(&s, 0, sizeof s);
	CU_ASSERT_EQUAL(reqhead_scan_feed(&s, "GET / HTTP/1.0\n\nx", 17), 16);
	memset(&s, 0, sizeof s);
	/* A lone CR is part of a line, not its end. */
	CU_ASSERT_EQUAL(reqhead_scan_feed(&s, "GET /\r\r\nA\r\n", 11), 0);
}

/* Feeds body one byte at a time, then whole: the outcome and the total. */
static int
chunks_outcome(const char *body, size_t len, bool bytewise, uint64_t *total,
    size_t *end)
{
	struct reqhead_chunks	c;
	struct reqhead_error	err;
	size_t			off = 0, used, step;
	int			rc = REQHEAD_CHUNK_MORE;

	memset(&c, 0, sizeof c);
	memset(&err, 0, sizeof err);
	while (off < len) {
		step = bytewise ? 1 : len - off;
		rc = reqhead_chunks_feed(&c, body + off, step, &used, &err);
		off += used;
		if (rc == REQHEAD_CHUNK_END || rc == REQHEAD_CHUNK_BAD)
			break;
	}
	*total = c.total;
	*end = off;
	return rc;
}

static void
t_http_guard_chunks(void)
{
	static const struct {
		const char	*body;
		int		 rc;
		uint64_t	 total;
	} cases[] = {
		{ "5\r\nhello\r\n0\r\n\r\n", REQHEAD_CHUNK_END, 5 },
		{ "5\nhello\n0\n\n", REQHEAD_CHUNK_END, 5 },
		{ "A\r\n0123456789\r\n1\r\nx\r\n0\r\n\r\n", REQHEAD_CHUNK_END,
		    11 },
		{ "5;ext=1\r\nhello\r\n0\r\n\r\n", REQHEAD_CHUNK_BAD, 0 },
		{ "0x5\r\nhello\r\n0\r\n\r\n", REQHEAD_CHUNK_BAD, 0 },
		{ " 5\r\nhello\r\n0\r\n\r\n", REQHEAD_CHUNK_BAD, 0 },
		{ "-5\r\nhello\r\n0\r\n\r\n", REQHEAD_CHUNK_BAD, 0 },
		{ "\r\n5\r\nhello\r\n0\r\n\r\n", REQHEAD_CHUNK_BAD, 0 },
		{ "3\r\nhello\r\n0\r\n\r\n", REQHEAD_CHUNK_BAD, 3 },
		{ "5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n", REQHEAD_CHUNK_BAD,
		    5 },
		{ "1000000000000000\r\n", REQHEAD_CHUNK_BAD, 0 },
		{ "5\r\nhel", REQHEAD_CHUNK_MORE, 5 },
	};
	uint64_t	total;
	size_t		i, end, len;
	int		rc, way;

	for (i = 0; i < nitems(cases); i++) {
		len = strlen(cases[i].body);
		for (way = 0; way < 2; way++) {
			/* Whole, the size lines stop the feed: go on then. */
			rc = chunks_outcome(cases[i].body, len, way == 0, &total,
			    &end);
			while (way == 1 && rc == REQHEAD_CHUNK_SIZE)
				rc = REQHEAD_CHUNK_MORE;
			if (rc != cases[i].rc && !(way == 1 &&
			    cases[i].rc == REQHEAD_CHUNK_MORE))
				fprintf(stderr, "\nchunks %zu (%s): %d, wanted %d\n",
				    i, way == 0 ? "bytewise" : "whole", rc,
				    cases[i].rc);
			if (way == 0) {
				CU_ASSERT_EQUAL(rc, cases[i].rc);
				CU_ASSERT_EQUAL(total, cases[i].total);
			}
		}
	}
	/* The body's end is where the next request starts. */
	rc = chunks_outcome("2\r\nab\r\n0\r\n\r\nGET", 15, true, &total, &end);
	CU_ASSERT_EQUAL(rc, REQHEAD_CHUNK_END);
	CU_ASSERT_EQUAL(end, 12);
}

/* Reports seen by the throttle's callback. */
static int		reports;
static uint64_t		reported_failures, reported_throttled;

static void
report_cb(const struct auth_throttle_report *r, void *arg)
{
	(void)arg;
	reports++;
	reported_failures += r->failures;
	reported_throttled += r->throttled;
}

/*
 * limit failures, then throttled until the window ends; more addresses
 * than the table holds share one entry, and the table stays bounded.
 */
static void
t_http_guard_throttle_table(void)
{
	struct auth_throttle	*t;
	char			 who[48];
	int64_t			 now = 1000000;
	int			 i;

	reports = 0;
	reported_failures = reported_throttled = 0;
	t = auth_throttle_new(3, 10, report_cb, NULL);
	CU_ASSERT_EQUAL(auth_throttle_check(t, "10.0.0.1", now), 0);
	for (i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(auth_throttle_fail(t, "10.0.0.1", now),
		    (uint64_t)i);
	CU_ASSERT_EQUAL(auth_throttle_check(t, "10.0.0.1", now + 1), 10);
	CU_ASSERT_EQUAL(auth_throttle_check(t, "10.0.0.1", now + 9001), 1);
	CU_ASSERT_EQUAL(auth_throttle_check(t, "10.0.0.2", now), 0);
	/* The window ends: reported once, the client free again. */
	auth_throttle_sweep(t, now + 10000);
	CU_ASSERT_EQUAL(reports, 1);
	CU_ASSERT_EQUAL(reported_throttled, 2);
	CU_ASSERT_EQUAL(auth_throttle_check(t, "10.0.0.1", now + 10001), 0);
	CU_ASSERT_EQUAL(auth_throttle_clients(t), 0);
	/* Twice as many addresses as the table holds, one failure each. */
	for (i = 0; i < 2 * AUTH_THROTTLE_MAX; i++) {
		snprintf(who, sizeof who, "2001:db8:%x:%x::/64", i >> 16,
		    i & 0xffff);
		auth_throttle_fail(t, who, now + 20000);
	}
	CU_ASSERT(auth_throttle_clients(t) <= AUTH_THROTTLE_MAX);
	/* The ones past the table count together: throttled as one. */
	CU_ASSERT(auth_throttle_check(t, "192.0.2.99", now + 20001) > 0);
	CU_ASSERT_EQUAL(auth_throttle_check(t, "2001:db8:0:0::/64",
	    now + 20001), 0);
	auth_throttle_sweep(t, now + 30000);
	CU_ASSERT_EQUAL(auth_throttle_clients(t), 0);
	CU_ASSERT_EQUAL(auth_throttle_check(t, "192.0.2.99", now + 30001), 0);
	auth_throttle_free(t);
}

/* The key a client is counted under: an IPv4 address or an IPv6 /64. */
static void
t_http_guard_client_key(void)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	char			key[CONN_CLIENT_LEN];

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "10.4.0.7", &sin.sin_addr);
	conn_client_key((struct sockaddr *)&sin, key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "10.4.0.7");
	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", &sin6.sin6_addr);
	conn_client_key((struct sockaddr *)&sin6, key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "2001:db8:1:2::/64");
	/* Another host of the same /64: the same client. */
	inet_pton(AF_INET6, "2001:db8:1:2::1", &sin6.sin6_addr);
	conn_client_key((struct sockaddr *)&sin6, key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "2001:db8:1:2::/64");
	/* An IPv4 client on a dual-stack socket: its IPv4 address. */
	inet_pton(AF_INET6, "::ffff:10.4.0.7", &sin6.sin6_addr);
	conn_client_key((struct sockaddr *)&sin6, key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "10.4.0.7");
	conn_client_key(NULL, key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "?");
}

static CU_TestInfo guard_unit_tests[] = {
	{ "t_http_guard_head_framing", t_http_guard_head_framing },
	{ "t_http_guard_head_fields", t_http_guard_head_fields },
	{ "t_http_guard_head_scan", t_http_guard_head_scan },
	{ "t_http_guard_chunks", t_http_guard_chunks },
	{ "t_http_guard_throttle_table", t_http_guard_throttle_table },
	{ "t_http_guard_client_key", t_http_guard_client_key },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("http_guard", NULL, NULL, guard_unit_tests)
