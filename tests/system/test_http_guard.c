/*
 * test_http_guard.c -- the HTTP front attacked (issue 15, items 4, 11,
 * 12, 13, 14): the connection guard (daemon/http/conn.c), the strict head
 * reader (daemon/http/reqhead.c), the token throttle (daemon/http/auth.c) and the
 * one problem document (daemon/http/http.c).
 *
 * The head reader, the chunked framing, the throttle's table and the
 * client key alone, with no daemon: suite http_guard
 * (tests/unit/test_http_guard.c).
 *
 * Suite integration_http_guard, the real daemon on loopback:
 *   - HEAD then GET on one keep-alive connection: both replies in step;
 *   - two Content-Length headers (and the other framing tricks) with a
 *     request smuggled in the body: 400, the smuggled one never served;
 *   - every refusal a problem document with the same members, from the
 *     database (an unknown wagon, a conflicting manifest) as from before
 *     routing (oversized, malformed, unknown method, huge headers), and
 *     libevent answers nothing itself;
 *   - strangers uploading 200 MB: refused 401 after the head, the daemon's
 *     memory flat, while an operator's upload still goes through;
 *   - the body budget: 503 with Retry-After once declared bodies in
 *     flight would pass max_body_memory_mb, and room again after;
 *   - a 5 MB body read in big steps: stored whole, the request sent
 *     behind it in the same write answered; one cut short never stored;
 *   - connections beyond max_connections_per_client closed at accept;
 *   - a burst of random tokens: 429 past the limit, the database asked
 *     at most limit times, one summary line, a good token after.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon/http/auth.h"
#include "daemon/http/conn.h"
#include "daemon/http/reqhead.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define GUARD_PER_CLIENT	32	/* max_connections_per_client */
#define GUARD_FAIL_LIMIT	10	/* auth_failures_per_client */
#define GUARD_FAIL_WINDOW_S	5	/* auth_failures_window_s */
#define GUARD_BIG		200000000LL	/* a declared upload */
/* Under ASan freed memory stays in its quarantine: RSS is not checked. */
#ifdef __SANITIZE_ADDRESS__
#define GUARD_ASAN		1
#else
#define GUARD_ASAN		0
#endif

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_tok[64], officer_tok[64];
static char			spare_tok[64];	/* never used before the throttle test */

/* ---- integration: helpers ---- */

static double
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The daemon's resident memory in kB, or -1. */
static long
daemon_rss_kb(void)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)dm.pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* One metric from /metrics, or -1. */
static double
metric(const char *name)
{
	struct harness_response	 r;
	const char		*p;
	size_t			 n = strlen(name);
	double			 v = -1;

	if (harness_http(dm.port, "GET", "/metrics", NULL, NULL, 0, &r) < 0)
		return -1;
	for (p = r.body; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL) {
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			v = strtod(p + n + 1, NULL);
			break;
		}
	}
	harness_response_free(&r);
	return v;
}

/* Polls a metric until it is at least (or, low, at most) want, up to ms. */
static double
metric_wait(const char *name, double want, bool low, int ms)
{
	double	until = mono_ms() + ms, v;

	for (;;) {
		v = metric(name);
		if ((low ? v <= want : v >= want) || mono_ms() > until)
			return v;
		usleep(50000);
	}
}

/* The daemon's log so far (caller frees). */
static char *
daemon_log(void)
{
	char	*text = NULL;
	size_t	 len;

	if (file_read_all(dm.log, &text, &len) < 0)
		return xstrdup("");
	return text;
}

/* Occurrences of needle in hay. */
static int
count_in(const char *hay, const char *needle)
{
	int	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

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
	char	conf[2048];

	signal(SIGPIPE, SIG_IGN);
	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[http]\nmax_body_mb = 200\n"
	    "max_body_memory_mb = 256\nrequest_timeout_s = 10\n"
	    "token_cache_s = 30\n"
	    "max_connections_per_client = %d\n"
	    "auth_failures_per_client = %d\nauth_failures_window_s = %d\n",
	    pg.conf, GUARD_PER_CLIENT, GUARD_FAIL_LIMIT, GUARD_FAIL_WINDOW_S);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "guard.operator", operator_tok) < 0 ||
	    harness_token(&pg, "officer", "guard.officer", officer_tok) < 0 ||
	    harness_token(&pg, "auditor", "guard.spare", spare_tok) < 0)
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

/* ---- item 12: framing ---- */

/*
 * A smuggled request in a body whose length two readers would read
 * differently: refused with 400 (501 for an unknown transfer coding),
 * a full problem document, and the smuggled request never answered.
 */
static void
t_http_guard_smuggling(void)
{
	static const char	smuggled[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
	    "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
	static const struct {
		const char	*framing;
		int		 status;
	} cases[] = {
		{ "Content-Length: 0\r\nContent-Length: @\r\n", 400 },
		{ "Content-Length: @\r\nContent-Length: 0\r\n", 400 },
		{ "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n", 400 },
		{ "Transfer-Encoding: chunked, identity\r\n", 501 },
		{ "Transfer-Encoding: \tchunked\r\n", 501 },
		{ "Content-Length : @\r\n", 400 },
		{ "X-A: b\r\n Content-Length: @\r\n", 400 },
		{ "Content-Length: +@\r\n", 400 },
	};
	struct harness_response	 r[3];
	struct buf		 raw;
	char			 framing[160], head[1024], *req;
	const char		*at;
	bool			 heads[3] = { false, false, false };
	size_t			 i;
	int			 n, k;

	for (i = 0; i < nitems(cases); i++) {
		at = strchr(cases[i].framing, '@');
		if (at != NULL)
			snprintf(framing, sizeof framing, "%.*s%zu%s",
			    (int)(at - cases[i].framing), cases[i].framing,
			    strlen(smuggled), at + 1);
		else
			snprintf(framing, sizeof framing, "%s", cases[i].framing);
		snprintf(head, sizeof head, "POST /v1/trains/X8024/events "
		    "HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n%s\r\n",
		    operator_tok, framing);
		req = xasprintf("%s%s", head, smuggled);
		exchange(req, strlen(req), &raw);
		free(req);
		n = split_replies(raw.data, heads, 3, r);
		CU_ASSERT_EQUAL(n, 1);
		if (n >= 1) {
			if (r[0].status != cases[i].status)
				fprintf(stderr, "\nsmuggling %zu: %d\n%.300s\n",
				    i, r[0].status, raw.data);
			CU_ASSERT_EQUAL(r[0].status, cases[i].status);
			CU_ASSERT_TRUE(is_full_problem(&r[0], cases[i].status));
		}
		/* The smuggled GET /healthz was never served. */
		CU_ASSERT_PTR_NULL(strstr(raw.data, "\"status\":\"ok\""));
		CU_ASSERT_PTR_NULL(strstr(raw.data, "HTTP/1.1 200"));
		for (k = 0; k < n; k++)
			harness_response_free(&r[k]);
		buf_free(&raw);
	}
	/* A good request first, then a bad one on the same connection. */
	snprintf(head, sizeof head, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	    "POST /v1/manifests HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
	    "Content-Length: %zu\r\n\r\n%s", strlen(smuggled), smuggled);
	exchange(head, strlen(head), &raw);
	n = split_replies(raw.data, heads, 3, r);
	CU_ASSERT_EQUAL(n, 2);
	if (n == 2) {
		CU_ASSERT_EQUAL(r[0].status, 200);
		CU_ASSERT_EQUAL(r[1].status, 400);
		CU_ASSERT_TRUE(is_full_problem(&r[1], 400));
	}
	for (k = 0; k < n; k++)
		harness_response_free(&r[k]);
	buf_free(&raw);
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
}

/* ---- item 13: one problem document ---- */

/* raw bytes sent; the one reply must be a full problem for status. */
static void
check_raw_refusal(const char *what, const char *data, size_t len, int status)
{
	struct harness_response	 r;
	struct buf		 raw;
	bool			 heads[1] = { false };

	exchange(data, len, &raw);
	if (split_replies(raw.data, heads, 1, &r) != 1) {
		fprintf(stderr, "\n%s: no reply: %.200s\n", what, raw.data);
		CU_FAIL("a reply");
		buf_free(&raw);
		return;
	}
	if (r.status != status)
		fprintf(stderr, "\n%s: %d, wanted %d: %.200s\n", what, r.status,
		    status, raw.data);
	CU_ASSERT_EQUAL(r.status, status);
	CU_ASSERT_TRUE(is_full_problem(&r, status));
	harness_response_free(&r);
	buf_free(&raw);
}

/* The same for a NUL-terminated request. */
static void
check_refusal(const char *what, const char *data, int status)
{
	check_raw_refusal(what, data, strlen(data), status);
}

static void
t_http_guard_problem_documents(void)
{
	struct harness_response	 r;
	char			*big, *doc;
	double			 libevent0, libevent1;
	json_t			*j;
	size_t			 n;

	libevent0 = metric("railgate_http_refused_unrouted_total");
	/* Built by the database: an unknown wagon, a manifest conflict. */
	CU_ASSERT_EQUAL(call("POST", "/v1/trains/X8024/wagons/999999999999/"
	    "resolution", officer_tok, "{\"action\":\"release\",\"reason\":"
	    "\"checked\"}", &r), 404);
	CU_ASSERT_TRUE(is_full_problem(&r, 404));
	harness_response_free(&r);
	doc = test_read_fixture("edifact/cuscar_s3_alashankou.edi", &n);
	{
		char hdr[160];

		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
		    operator_tok);
		CU_ASSERT_EQUAL(harness_http(dm.port, "POST", "/v1/manifests",
		    hdr, doc, n, &r), 0);
	}
	CU_ASSERT_EQUAL(r.status, 409);
	CU_ASSERT_TRUE(is_full_problem(&r, 409));
	/* The database's own members are kept. */
	j = json_loads(r.body, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(j, "manifest"));
	json_decref(j);
	harness_response_free(&r);
	free(doc);
	/* What libevent used to answer with its own HTML page. */
	check_refusal("oversized", "POST /v1/manifests HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 999999999\r\n\r\n", 413);
	check_refusal("request line", "GARBAGE\r\n\r\n", 400);
	check_refusal("method", "OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n", 501);
	check_refusal("expect", "POST /v1/manifests HTTP/1.1\r\nHost: x\r\n"
	    "Expect: magic\r\nContent-Length: 5\r\n\r\nhello", 417);
	big = xmalloc(80 * 1024);
	n = (size_t)snprintf(big, 100, "GET /healthz HTTP/1.1\r\nX-Big: ");
	memset(big + n, 'a', 70 * 1024);
	n += 70 * 1024;
	memcpy(big + n, "\r\n\r\n", 4);
	check_raw_refusal("headers", big, n + 4, 431);
	free(big);
	{
		char req[512];

		n = (size_t)snprintf(req, sizeof req, "POST /v1/trains/X8024/"
		    "events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		    "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
		    operator_tok);
		check_raw_refusal("chunk size", req, n, 400);
		n = (size_t)snprintf(req, sizeof req, "POST /v1/trains/X8024/"
		    "events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		    "Transfer-Encoding: chunked\r\n\r\nC800001\r\n",
		    operator_tok);
		check_raw_refusal("chunk over max_body_mb", req, n, 413);
	}
	/* A public route does not take a body; an unknown one is 404. */
	check_refusal("body on /healthz", "GET /healthz HTTP/1.1\r\nHost: x"
	    "\r\nContent-Length: 5\r\n\r\nhello", 413);
	check_refusal("body to nowhere", "POST /nowhere HTTP/1.1\r\nHost: x"
	    "\r\nContent-Length: 5\r\n\r\nhello", 404);
	/* HEAD of a refusal: the headers, no body. */
	{
		struct buf	raw;

		static const char head_body[] = "HEAD / HTTP/1.1\r\n"
		    "Content-Length: 3\r\n\r\nabc";

		exchange(head_body, strlen(head_body), &raw);
		CU_ASSERT_EQUAL(strncmp(raw.data, "HTTP/1.1 400", 12), 0);
		CU_ASSERT_PTR_NULL(strchr(raw.data, '{'));
		buf_free(&raw);
	}
	libevent1 = metric("railgate_http_refused_unrouted_total");
	CU_ASSERT(libevent0 >= 0 && libevent1 == libevent0);
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
}

/* ---- item 4: memory for anyone ---- */

/* An upload declaring GUARD_BIG bytes, sent a MiB at a time. */
struct upload {
	int	 fd;
	size_t	 sent;		/* body bytes */
	bool	 answered;
	double	 answered_ms;
	struct buf reply;
};

/* True when every upload is answered or has sent max bytes. */
static bool
uploads_done(const struct upload *u, int n, size_t max)
{
	int	i;

	for (i = 0; i < n; i++)
		if (!u[i].answered && u[i].fd >= 0 && u[i].sent < max)
			return false;
	return true;
}

/* Reads the answer to upload u if one is there within ms. */
static void
upload_poll(struct upload *u, int ms, double start)
{
	struct pollfd	pfd = { u->fd, POLLIN, 0 };

	if (u->answered || u->fd < 0 || poll(&pfd, 1, ms) <= 0)
		return;
	read_all(u->fd, &u->reply, 500);
	u->answered = true;
	u->answered_ms = mono_ms() - start;
}

/*
 * Sends the uploads' bodies, a MiB each every 10 ms, up to max bytes
 * each, until each is answered; then waits up to wait_ms for answers.
 */
static void
uploads_run(struct upload *u, int n, size_t max, int wait_ms)
{
	static char	 mib[1 << 20];
	double		 start = mono_ms(), until;
	ssize_t		 k;
	int		 i, left;

	memset(mib, 'A', sizeof mib);
	while (!uploads_done(u, n, max) && mono_ms() - start < 20000) {
		for (i = 0; i < n; i++) {
			upload_poll(&u[i], 0, start);
			if (u[i].answered || u[i].sent >= max)
				continue;
			k = send(u[i].fd, mib, sizeof mib, MSG_NOSIGNAL |
			    MSG_DONTWAIT);
			if (k > 0)
				u[i].sent += (size_t)k;
		}
		usleep(10000);
	}
	until = mono_ms() + wait_ms;
	for (i = 0; i < n; i++) {
		left = (int)(until - mono_ms());
		upload_poll(&u[i], left > 0 ? left : 0, start);
	}
}

/* Opens an upload of GUARD_BIG bytes to path with the header line auth. */
static void
upload_open(struct upload *u, const char *path, const char *auth)
{
	char	head[512];

	memset(u, 0, sizeof *u);
	u->fd = harness_connect(dm.port);
	CU_ASSERT_FATAL(u->fd >= 0);
	snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: x\r\n%s"
	    "Content-Length: %lld\r\n\r\n", path, auth, GUARD_BIG);
	CU_ASSERT_EQUAL(send_some(u->fd, head, strlen(head)), 0);
}

/*
 * Strangers upload 200 MB each -- no token, random tokens, a token of
 * the wrong role: each refused after its head (401, 403), having sent
 * little of its body, and the daemon's memory stays flat; an operator's
 * upload still goes through.
 */
static void
t_http_guard_body_before_token(void)
{
	static const char *const auths[] = { "",
	    "Authorization: Bearer rg_stranger_0000000000000000000000000001\r\n",
	    "Authorization: Bearer rg_stranger_0000000000000000000000000002\r\n",
	    "", "Authorization: Basic c3RyYW5nZXI6cGFzcw==\r\n", "O" };
	static const int statuses[] = { 401, 401, 401, 401, 401, 403 };
	struct upload		 u[nitems(auths)];
	struct harness_response	 r;
	char			 officer[128];
	long			 rss0, rss1;
	size_t			 i;
	bool			 heads[1] = { false };

	snprintf(officer, sizeof officer, "Authorization: Bearer %s\r\n",
	    officer_tok);
	rss0 = daemon_rss_kb();
	for (i = 0; i < nitems(auths); i++)
		upload_open(&u[i], "/v1/manifests", strcmp(auths[i], "O") == 0 ?
		    officer : auths[i]);
	uploads_run(u, (int)nitems(auths), 48u << 20, 3000);
	rss1 = daemon_rss_kb();
	for (i = 0; i < nitems(auths); i++) {
		fprintf(stderr, "%supload %zu: %s after %.0f ms, %zu MiB of the "
		    "body sent\n", i == 0 ? "\n" : "", i, u[i].answered ?
		    "answered" : "no answer", u[i].answered_ms, u[i].sent >> 20);
		CU_ASSERT_TRUE(u[i].answered);
		/* Refused before the body: at most a few MiB went. */
		CU_ASSERT(u[i].sent < (8u << 20));
		if (u[i].answered && split_replies(u[i].reply.data, heads, 1,
		    &r) == 1) {
			CU_ASSERT_EQUAL(r.status, statuses[i]);
			CU_ASSERT_TRUE(is_full_problem(&r, statuses[i]));
			harness_response_free(&r);
		} else
			CU_FAIL("a reply to the upload");
		close(u[i].fd);
		buf_free(&u[i].reply);
	}
	fprintf(stderr, "uploads: daemon memory %ld -> %ld MiB\n", rss0 >> 10,
	    rss1 >> 10);
	if (GUARD_ASAN)
		fprintf(stderr, "uploads: memory not checked under ASan\n");
	else
		CU_ASSERT(rss0 > 0 && rss1 - rss0 < 32 * 1024);
	/* An operator's manifest goes through as before. */
	CU_ASSERT_EQUAL(harness_submit_fixture(dm.port, operator_tok,
	    "edifact/cuscar_original_erenhot.edi"), 202);
	/* And with Expect: 100-continue, the body sent after the 100. */
	{
		struct buf	raw;
		char		*doc, req[512];
		size_t		 n;
		int		 fd = harness_connect(dm.port);

		CU_ASSERT_FATAL(fd >= 0);
		doc = test_read_fixture("edifact/cuscar_original_erenhot.edi", &n);
		snprintf(req, sizeof req, "POST /v1/manifests HTTP/1.1\r\nHost: x"
		    "\r\nAuthorization: Bearer %s\r\nExpect: 100-continue\r\n"
		    "Connection: close\r\nContent-Length: %zu\r\n\r\n",
		    operator_tok, n);
		CU_ASSERT_EQUAL(send_some(fd, req, strlen(req)), 0);
		memset(&raw, 0, sizeof raw);
		read_all(fd, &raw, 1500);
		CU_ASSERT_EQUAL(strncmp(raw.data, "HTTP/1.1 100", 12), 0);
		buf_free(&raw);
		CU_ASSERT_EQUAL(send_some(fd, doc, n), 0);
		memset(&raw, 0, sizeof raw);
		read_all(fd, &raw, 3000);
		/* The same manifest again: the conflict, as a problem. */
		CU_ASSERT_EQUAL(strncmp(raw.data, "HTTP/1.1 409", 12), 0);
		buf_free(&raw);
		close(fd);
		free(doc);
	}
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
}

/* ---- item 4: one budget for bodies in flight ---- */

/* Opens a request declaring len bytes (or chunked when len < 0), unsent. */
static int
hold_open(const char *path, long long len, const char *first)
{
	char	head[512];
	int	fd = harness_connect(dm.port);

	if (fd < 0)
		return -1;
	if (len >= 0)
		snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: x\r\n"
		    "Authorization: Bearer %s\r\nContent-Length: %lld\r\n\r\n%s",
		    path, operator_tok, len, first);
	else
		snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: x\r\n"
		    "Authorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n%s", path, operator_tok, first);
	(void)send_some(fd, head, strlen(head));
	return fd;
}

/* The reply on fd within ms, parsed (status -1: none yet). */
static void
reply_within(int fd, int ms, struct harness_response *r)
{
	struct buf	raw;
	bool		heads[1] = { false };

	memset(&raw, 0, sizeof raw);
	memset(r, 0, sizeof *r);
	r->status = -1;
	read_all(fd, &raw, ms);
	if (split_replies(raw.data, heads, 1, r) != 1) {
		memset(r, 0, sizeof *r);
		r->status = -1;
	}
	buf_free(&raw);
}

/*
 * max_body_memory_mb is 256: a 200 MB upload in flight leaves room for a
 * 50 MB one but not a 100 MB one (503, Retry-After, a problem
 * document), nor a chunk of 100 MB; once it is gone, there is room.  (A
 * JSON route refuses such a chunk for its own limit, 413.)
 */
static void
t_http_guard_body_budget(void)
{
	struct harness_response	 r;
	double			 inflight, refused0;
	char			 ra[16];
	int			 a, b, c, d;

	refused0 = metric("railgate_http_body_budget_refused_total");
	a = hold_open("/v1/manifests", GUARD_BIG, "UNA");
	CU_ASSERT_FATAL(a >= 0);
	inflight = metric_wait("railgate_http_body_bytes", (double)GUARD_BIG,
	    false, 5000);
	CU_ASSERT(inflight >= (double)GUARD_BIG);
	b = hold_open("/v1/manifests", 100000000LL, "");
	reply_within(b, 2000, &r);
	CU_ASSERT_EQUAL(r.status, 503);
	CU_ASSERT_TRUE(is_full_problem(&r, 503));
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Retry-After", ra,
	    sizeof ra));
	harness_response_free(&r);
	close(b);
	c = hold_open("/v1/manifests", 50000000LL, "");
	reply_within(c, 500, &r);
	CU_ASSERT_EQUAL(r.status, -1);	/* taken: its body is awaited */
	harness_response_free(&r);
	d = hold_open("/v1/manifests", -1, "5F5E100\r\n");
	reply_within(d, 2000, &r);
	CU_ASSERT_EQUAL(r.status, 503);
	harness_response_free(&r);
	close(d);
	/* A JSON route's chunk past its 64 KiB is refused for that, first. */
	d = hold_open("/v1/trains/X8024/events", -1, "5F5E100\r\n");
	reply_within(d, 2000, &r);
	CU_ASSERT_EQUAL(r.status, 413);
	harness_response_free(&r);
	close(d);
	CU_ASSERT(metric("railgate_http_body_budget_refused_total") >=
	    refused0 + 2);
	close(a);
	close(c);
	CU_ASSERT_EQUAL(metric_wait("railgate_http_body_bytes", 0, true, 5000),
	    0);
	b = hold_open("/v1/manifests", 100000000LL, "");
	reply_within(b, 500, &r);
	CU_ASSERT_EQUAL(r.status, -1);	/* room again */
	harness_response_free(&r);
	close(b);
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
}

/* ---- reading a big body (issue 23) ---- */

/*
 * A 5 MB manifest and a request behind it, sent in one go: the daemon
 * reads the body a megabyte at a time rather than libevent's 4 KiB
 * (conn_read.c) -- the manifest is stored whole, its SHA-256 the
 * client's, and the request behind it is answered in turn.  A body cut
 * short by the client is never stored.
 */
static void
t_http_guard_read_ahead(void)
{
	struct harness_response	 r[2];
	struct buf		 req = { 0 }, raw;
	bool			 heads[2] = { false, false };
	char			*body, *got, *before, *after, hex[65], sql[200];
	char			 head[512];
	size_t			 len;
	int			 st, fd, n, k;

	body = harness_railgate("gen --wagons 10 --items 30000 --seed 41 "
	    "--format edifact", false, &st);
	CU_ASSERT_FATAL(body != NULL && st == 0);
	len = strlen(body);
	CU_ASSERT_FATAL(len > 4000000);
	sha256_hex(body, len, hex);
	snprintf(head, sizeof head, "POST /v1/manifests HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nContent-Length: %zu\r\n\r\n",
	    operator_tok, len);
	buf_add_str(&req, head);
	buf_add(&req, body, len);
	buf_add_str(&req, "GET /healthz HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n");
	fd = harness_connect(dm.port);
	CU_ASSERT_FATAL(fd >= 0);
	memset(&raw, 0, sizeof raw);
	CU_ASSERT_EQUAL(send_some(fd, req.data, req.len), 0);
	read_all(fd, &raw, 30000);
	close(fd);
	n = split_replies(raw.data, heads, 2, r);
	CU_ASSERT_EQUAL(n, 2);
	if (n == 2) {
		CU_ASSERT_EQUAL(r[0].status, 202);
		CU_ASSERT_EQUAL(r[1].status, 200);
	}
	for (k = 0; k < n; k++)
		harness_response_free(&r[k]);
	buf_free(&raw);
	snprintf(sql, sizeof sql, "SELECT raw_size || ' ' || sha256 FROM "
	    "manifests WHERE sha256 = '%s'", hex);
	got = harness_sql(&pg, sql);
	snprintf(head, sizeof head, "%zu %s", len, hex);
	CU_ASSERT_STRING_EQUAL(got != NULL ? got : "", head);
	free(got);

	/* Half the body, then the client's end of the stream. */
	before = harness_sql(&pg, "SELECT count(*) FROM manifests");
	fd = hold_open("/v1/manifests", (long long)len, "");
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(send_some(fd, body, len / 2), 0);
	shutdown(fd, SHUT_WR);
	reply_within(fd, 3000, &r[0]);
	CU_ASSERT_NOT_EQUAL(r[0].status, 202);
	harness_response_free(&r[0]);
	close(fd);
	after = harness_sql(&pg, "SELECT count(*) FROM manifests");
	CU_ASSERT_STRING_EQUAL(after != NULL ? after : "", before != NULL ?
	    before : "-");
	free(before);
	free(after);
	free(body);
	buf_free(&req);
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
}

/* ---- item 4: connections per client ---- */

/* True when the daemon ends fd within ms (it sent nothing). */
static bool
closed_within(int fd, int ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	char		c;

	if (poll(&pfd, 1, ms) <= 0)
		return false;
	return recv(fd, &c, 1, 0) <= 0;
}

static void
t_http_guard_connections_per_client(void)
{
	static const char	 hello[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n";
	struct harness_response	 r;
	int			 fds[GUARD_PER_CLIENT], extra, i;
	double			 refused0;
	char			*log;

	refused0 = metric("railgate_http_connections_refused_total");
	usleep(600000);		/* the metric's own connection closed */
	for (i = 0; i < GUARD_PER_CLIENT; i++) {
		fds[i] = harness_connect(dm.port);
		CU_ASSERT_FATAL(fds[i] >= 0);
	}
	usleep(200000);
	extra = harness_connect(dm.port);
	CU_ASSERT_FATAL(extra >= 0);
	CU_ASSERT_TRUE(closed_within(extra, 2000));
	close(extra);
	/* The ones admitted still work. */
	CU_ASSERT_EQUAL(send_some(fds[0], hello, strlen(hello)), 0);
	reply_within(fds[0], 2000, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	harness_response_free(&r);
	for (i = 0; i < GUARD_PER_CLIENT; i++)
		close(fds[i]);
	usleep(800000);
	CU_ASSERT(metric_wait("railgate_http_connections_refused_total",
	    refused0 + 1, false, 3000) >= refused0 + 1);
	CU_ASSERT_EQUAL(call("GET", "/healthz", NULL, NULL, &r), 200);
	harness_response_free(&r);
	log = daemon_log();
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "refused in the last"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "max_connections_per_client"));
	free(log);
}

/* ---- item 14: throttling failed tokens ---- */

/*
 * A burst of random tokens (and no tokens), with and without bodies:
 * the first GUARD_FAIL_LIMIT are 401, the rest 429 with Retry-After and
 * no database lookup; a token cached as valid works all along; the log
 * has a line for each of the first and one summary; after the window a
 * token never seen before works.
 */
static void
t_http_guard_throttle(void)
{
	struct harness_response	 r;
	double			 lookups0, lookups1, throttled0;
	char			 tok[64], hdr[128], ra[16], *log;
	int			 i, n401 = 0, n429 = 0, other = 0, lines0;
	int			 nbare = 0;

	/* Earlier tests' failures out of the window; a token cached. */
	usleep((GUARD_FAIL_WINDOW_S * 1000 + 1200) * 1000);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains", officer_tok, NULL, &r), 200);
	harness_response_free(&r);
	log = daemon_log();
	lines0 = count_in(log, "-> 401");
	free(log);
	lookups0 = metric("railgate_http_token_lookups_total");
	throttled0 = metric("railgate_http_auth_throttled_total");
	for (i = 0; i < 40; i++) {
		snprintf(tok, sizeof tok, "rg_guess%08d%08ld", i, random());
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", tok);
		if (i % 4 == 3)
			harness_http(dm.port, "POST", "/v1/trains/X8024/events",
			    hdr, "{\"type\":\"arrived\"}", 18, &r);
		else
			harness_http(dm.port, "GET", "/v1/trains", i % 10 == 5 ?
			    NULL : hdr, NULL, 0, &r);
		if (r.status == 401 && i % 10 == 5)
			nbare++;	/* no credential: not a guess */
		else if (r.status == 401)
			n401++;
		else if (r.status == 429) {
			n429++;
			CU_ASSERT_TRUE(is_full_problem(&r, 429));
			CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Retry-After",
			    ra, sizeof ra));
		} else
			other++;
		harness_response_free(&r);
	}
	/* A token cached as valid still works while the address is throttled. */
	CU_ASSERT_EQUAL(call("GET", "/v1/trains", officer_tok, NULL, &r), 200);
	harness_response_free(&r);
	lookups1 = metric("railgate_http_token_lookups_total");
	fprintf(stderr, "\nthrottle: %d x 401, %d x 429, %d other; %.0f "
	    "lookups\n", n401, n429, other, lookups1 - lookups0);
	/* The guesses are counted; a request with no credential (i = 5,
	 * before the limit) is refused 401 without counting: a console
	 * opening before anyone signed in must not lock out its station.
	 * Past the limit, it is throttled like the rest (i = 15, 25, 35). */
	CU_ASSERT_EQUAL(nbare, 1);
	CU_ASSERT_EQUAL(n401, GUARD_FAIL_LIMIT);
	CU_ASSERT_EQUAL(n429, 40 - GUARD_FAIL_LIMIT - 1);
	CU_ASSERT_EQUAL(other, 0);
	CU_ASSERT(lookups1 - lookups0 <= GUARD_FAIL_LIMIT);
	CU_ASSERT(metric("railgate_http_auth_throttled_total") >=
	    throttled0 + 40 - GUARD_FAIL_LIMIT - 1);
	/* After the window: a token never used before works. */
	usleep((GUARD_FAIL_WINDOW_S * 1000 + 1200) * 1000);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains", spare_tok, NULL, &r), 200);
	harness_response_free(&r);
	log = daemon_log();
	/* One line for each of the first failures, then one summary. */
	CU_ASSERT(count_in(log, "-> 401") - lines0 <= GUARD_FAIL_LIMIT + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "requests throttled with 429"));
	free(log);
}

static CU_TestInfo guard_tests[] = {
	{ "t_http_guard_head_in_step", t_http_guard_head_in_step },
	{ "t_http_guard_smuggling", t_http_guard_smuggling },
	{ "t_http_guard_problem_documents", t_http_guard_problem_documents },
	{ "t_http_guard_body_before_token", t_http_guard_body_before_token },
	{ "t_http_guard_body_budget", t_http_guard_body_budget },
	{ "t_http_guard_read_ahead", t_http_guard_read_ahead },
	{ "t_http_guard_connections_per_client",
	    t_http_guard_connections_per_client },
	{ "t_http_guard_throttle", t_http_guard_throttle },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_http_guard", guard_suite_init, guard_suite_clean,
    guard_tests)
