/*
 * test_http_guard.c -- the HTTP front attacked (issue 15): the strict
 * head reader (daemon/reqhead.c), the token throttle (daemon/auth.c),
 * replies to HEAD and the one problem document (daemon/http.c).
 *
 * Suite http_guard (unit): the head reader against every framing a
 * second reader could take differently, the chunked framing fed one
 * byte at a time and whole, and the throttle's table against an
 * attacker with more addresses than it holds.
 *
 * Suite integration_http_guard, the real daemon on loopback:
 *   - HEAD then GET on one keep-alive connection: both replies in step;
 *   - the problem documents the database builds (an unknown wagon, a
 *     conflicting manifest) carry every member.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon/auth.h"
#include "daemon/reqhead.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_tok[64], officer_tok[64];

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

static CU_TestInfo guard_unit_tests[] = {
	{ "t_http_guard_head_framing", t_http_guard_head_framing },
	{ "t_http_guard_head_fields", t_http_guard_head_fields },
	{ "t_http_guard_head_scan", t_http_guard_head_scan },
	{ "t_http_guard_chunks", t_http_guard_chunks },
	{ "t_http_guard_throttle_table", t_http_guard_throttle_table },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("http_guard", NULL, NULL, guard_unit_tests)

/* ---- integration: helpers ---- */

/* Writes what the daemon takes of data; 0 when all of it went. */
static int
send_some(int fd, const char *data, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads until the daemon closes or timeout_ms of quiet; what came. */
static void
read_all(int fd, struct buf *out, int timeout_ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	ssize_t		n;

	for (;;) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			break;
		buf_reserve(out, 65536);
		n = recv(fd, out->data + out->len, out->cap - out->len - 1, 0);
		if (n <= 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	if (out->data == NULL)
		buf_add_str(out, "");
}

/* Sends data on a new connection and reads every reply, until closed. */
static void
exchange(const char *data, size_t len, struct buf *out)
{
	int	fd = harness_connect(dm.port);

	memset(out, 0, sizeof *out);
	CU_ASSERT_FATAL(fd >= 0);
	(void)send_some(fd, data, len);
	read_all(fd, out, 3000);
	close(fd);
}

/*
 * The replies in raw, one after the other as a client reads them: each
 * status line, headers, and the Content-Length bytes after (none for a
 * reply to HEAD: heads[i] true).  The number parsed; a reply out of step
 * stops the count.
 */
static int
split_replies(const char *raw, const bool *heads, int max,
    struct harness_response *r)
{
	const char	*p = raw, *end;
	char		 cl[32];
	int		 n = 0;
	size_t		 body;

	while (n < max && strncmp(p, "HTTP/1.1 ", 9) == 0 &&
	    (end = strstr(p, "\r\n\r\n")) != NULL) {
		memset(&r[n], 0, sizeof r[n]);
		r[n].status = atoi(p + 9);
		r[n].headers = xstrndup(p, (size_t)(end - p) + 2);
		if (harness_header(&r[n], "Content-Length", cl, sizeof cl) ==
		    NULL) {
			r[n].body = xstrdup("");
			n++;
			break;
		}
		body = heads[n] ? 0 : strtoul(cl, NULL, 10);
		end += 4;
		if (strlen(end) < body)
			body = strlen(end);
		r[n].body = xstrndup(end, body);
		r[n].body_len = body;
		p = end + body;
		n++;
	}
	return n;
}

/* True when r is an RFC 9457 document with every member, for status. */
static bool
is_full_problem(const struct harness_response *r, int status)
{
	json_t		*j = json_loads(r->body, 0, NULL);
	char		 ct[64], id[32];
	const char	*rid;
	bool		 ok;

	ok = harness_header(r, "Content-Type", ct, sizeof ct) != NULL &&
	    strcmp(ct, "application/problem+json") == 0 && json_is_object(j) &&
	    json_is_string(json_object_get(j, "type")) &&
	    json_is_string(json_object_get(j, "title")) &&
	    json_integer_value(json_object_get(j, "status")) == status &&
	    json_is_string(json_object_get(j, "detail")) &&
	    json_is_string(json_object_get(j, "instance")) &&
	    (rid = json_string_value(json_object_get(j, "request_id"))) !=
	    NULL && harness_header(r, "X-Request-Id", id, sizeof id) != NULL &&
	    strcmp(rid, id) == 0;
	if (!ok)
		fprintf(stderr, "\nnot a full problem document for %d: %d %.300s\n",
		    status, r->status, r->body != NULL ? r->body : "");
	json_decref(j);
	return ok;
}

/* A request with a token and a JSON body, as harness_http sends it. */
static int
call(const char *method, const char *path, const char *token,
    const char *body, struct harness_response *r)
{
	char	hdr[160] = "";

	if (token != NULL)
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(dm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, r) < 0) {
		memset(r, 0, sizeof *r);
		return -1;
	}
	return r->status;
}

static int
guard_suite_init(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "guard.operator", operator_tok) < 0 ||
	    harness_token(&pg, "officer", "guard.officer", officer_tok) < 0)
		return -1;
	if (harness_submit_fixture(dm.port, operator_tok,
	    "edifact/cuscar_s3_alashankou.edi") != 202)
		return -1;
	return harness_wait_sql(&pg, "SELECT count(*) FROM decisions d JOIN "
	    "trains t ON t.id = d.train_id WHERE t.train_no = 'X8024'", NULL,
	    15000) ? 0 : -1;
}

static int
guard_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* ---- item 11: HEAD ---- */

/*
 * HEAD then GET on one keep-alive connection: the HEAD reply has GET's
 * Content-Length and no body, so the GET reply follows in step; on a
 * public route, a route behind a token and an unknown path.
 */
static void
t_http_guard_head_in_step(void)
{
	static const char *const paths[] = { "/healthz", "/v1/trains",
	    "/no/such/path" };
	struct harness_response	 r[2];
	struct buf		 raw;
	char			 req[1024], cl[32], auth[128];
	bool			 heads[2] = { true, false };
	size_t			 i, first;
	int			 n, k;

	snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n",
	    officer_tok);
	for (i = 0; i < nitems(paths); i++) {
		snprintf(req, sizeof req, "HEAD %s HTTP/1.1\r\nHost: x\r\n%s\r\n"
		    "GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n",
		    paths[i], auth, paths[i], auth);
		exchange(req, strlen(req), &raw);
		n = split_replies(raw.data, heads, 2, r);
		if (n != 2)
			fprintf(stderr, "\nHEAD %s: out of step:\n%.400s\n",
			    paths[i], raw.data);
		CU_ASSERT_EQUAL(n, 2);
		if (n == 2) {
			CU_ASSERT_EQUAL(r[0].status, r[1].status);
			CU_ASSERT_PTR_NOT_NULL(harness_header(&r[0],
			    "Content-Length", cl, sizeof cl));
			CU_ASSERT_EQUAL(strtoul(cl, NULL, 10), r[1].body_len);
			CU_ASSERT(r[1].body_len > 0);
			/* Nothing after the GET reply: the HEAD sent no body. */
			CU_ASSERT_PTR_NOT_NULL(strstr(raw.data, r[1].body));
			first = (size_t)(strstr(raw.data, "\r\n\r\n") -
			    raw.data) + 4;
			CU_ASSERT_EQUAL(raw.len, first + strlen(r[1].headers) +
			    2 + r[1].body_len);
		}
		for (k = 0; k < n; k++)
			harness_response_free(&r[k]);
		buf_free(&raw);
	}
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
}

/* ---- item 13: one problem document ---- */

/* The problems the database builds carry every member, and keep theirs. */
static void
t_http_guard_problem_documents(void)
{
	struct harness_response	 r;
	char			*doc, hdr[160];
	json_t			*j;
	size_t			 n;

	CU_ASSERT_EQUAL(call("POST", "/v1/trains/X8024/wagons/999999999999/"
	    "resolution", officer_tok, "{\"action\":\"release\",\"reason\":"
	    "\"checked\"}", &r), 404);
	CU_ASSERT_TRUE(is_full_problem(&r, 404));
	harness_response_free(&r);
	doc = test_read_fixture("edifact/cuscar_s3_alashankou.edi", &n);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", operator_tok);
	CU_ASSERT_EQUAL(harness_http(dm.port, "POST", "/v1/manifests", hdr, doc,
	    n, &r), 0);
	CU_ASSERT_EQUAL(r.status, 409);
	CU_ASSERT_TRUE(is_full_problem(&r, 409));
	j = json_loads(r.body, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(j, "manifest"));
	json_decref(j);
	harness_response_free(&r);
	free(doc);
}

static CU_TestInfo guard_tests[] = {
	{ "t_http_guard_head_in_step", t_http_guard_head_in_step },
	{ "t_http_guard_problem_documents", t_http_guard_problem_documents },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_http_guard", guard_suite_init, guard_suite_clean,
    guard_tests)
