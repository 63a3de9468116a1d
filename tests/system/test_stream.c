/*
 * test_stream.c -- GET /v1/stream, the changes pushed to the consoles
 * (issue 18, item 3): two daemons on one database, a raw socket for a
 * console.
 *
 * Asserted: a token of a reading role is needed (none 401; operator,
 * device, admin 403); a change made through the other daemon reaches
 * this daemon's stream, naming its train; a console reconnecting with
 * Last-Event-ID gets exactly the records it missed, in order, and one
 * "reset" past stream_catch_up_max or for an id the chain has not
 * reached, and a malformed id a problem document; a client that never
 * reads is dropped (counted in /metrics) while the daemon's resident
 * memory stays flat as records keep coming; beyond stream_max_clients a
 * 503 problem document; the LISTEN connection killed, changes still
 * arrive and it comes back.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define TRAIN	"X8024"

static struct harness_pg	pg;
static struct harness_daemon	a, b;
static char			operator_tok[64], officer_tok[64];
static char			auditor_tok[64], admin_tok[64], device_tok[64];

/* One console's stream: its socket and what it has read so far. */
struct sse {
	int	 fd;
	int	 status;
	char	*text;
	size_t	 len, cap;
};

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is there within ms; -1 at the end of the stream. */
static int
sse_read(struct sse *s, int ms)
{
	struct pollfd	p = { s->fd, POLLIN, 0 };
	ssize_t		n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	if (s->cap - s->len < 4097) {
		s->cap = s->cap * 2 + 8192;
		s->text = xreallocarray(s->text, s->cap, 1);
	}
	n = read(s->fd, s->text + s->len, 4096);
	if (n <= 0)
		return -1;
	s->len += (size_t)n;
	s->text[s->len] = '\0';
	return 1;
}

/* Waits until what was read holds needle; true when it does. */
static bool
sse_wait(struct sse *s, const char *needle, int timeout_ms)
{
	long long	end = now_ms() + timeout_ms;

	while (s->text == NULL || strstr(s->text, needle) == NULL) {
		if (now_ms() > end || sse_read(s, 100) < 0)
			return false;
	}
	return true;
}

/*
 * Opens a stream on port as token (NULL: none), with Last-Event-ID
 * last_id (NULL: none); rcvbuf > 0 shrinks the socket's receive buffer
 * (a client that reads nothing fills it at once).  The status is read.
 */
static int
sse_open(struct sse *s, int port, const char *token, const char *last_id,
    int rcvbuf)
{
	char	req[512];
	int	n;

	memset(s, 0, sizeof *s);
	if ((s->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	close(s->fd);
	if (rcvbuf > 0) {
		struct sockaddr_in	sin;

		s->fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(s->fd, (struct sockaddr *)&sin, sizeof sin) < 0)
			return -1;
	} else if ((s->fd = harness_connect(port)) < 0)
		return -1;
	n = snprintf(req, sizeof req, "GET /v1/stream HTTP/1.1\r\nHost: x\r\n"
	    "Accept: text/event-stream\r\n%s%s%s%s%s%s\r\n",
	    token != NULL ? "Authorization: Bearer " : "",
	    token != NULL ? token : "", token != NULL ? "\r\n" : "",
	    last_id != NULL ? "Last-Event-ID: " : "",
	    last_id != NULL ? last_id : "", last_id != NULL ? "\r\n" : "");
	if (write(s->fd, req, (size_t)n) != n)
		return -1;
	if (!sse_wait(s, "\r\n\r\n", 5000))
		return -1;
	s->status = atoi(s->text + 9);
	return 0;
}

static void
sse_close(struct sse *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->text);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

/* The id of the stream's hello (the hub's last sequence number). */
static long long
sse_hello_id(struct sse *s)
{
	const char	*p;

	if (!sse_wait(s, "event: hello\ndata: {\"seq\":", 5000))
		return -1;
	p = strstr(s->text, "event: hello\ndata: {\"seq\":");
	return atoll(p + strlen("event: hello\ndata: {\"seq\":"));
}

/* Appends n audit records as the clock would (the owner's connection). */
static void
append_records(int n, const char *action)
{
	char	sql[300], *v;

	snprintf(sql, sizeof sql, "SELECT count(audit_append('test', '%s', "
	    "NULL, '{}', NULL)) FROM generate_series(1, %d)", action, n);
	v = harness_sql(&pg, sql);
	CU_ASSERT_PTR_NOT_NULL(v);
	free(v);
}

/* A metric's value on d's /metrics, -1 when absent. */
static double
metric(struct harness_daemon *d, const char *name)
{
	struct harness_response	r;
	char			key[128];
	const char		*p;
	double			v = -1;

	if (harness_http(d->port, "GET", "/metrics", NULL, NULL, 0, &r) < 0)
		return -1;
	snprintf(key, sizeof key, "\n%s ", name);
	if (r.body != NULL && (p = strstr(r.body, key)) != NULL)
		v = atof(p + strlen(key));
	harness_response_free(&r);
	return v;
}

/* The daemon's resident memory in KiB (/proc/PID/status VmRSS). */
static long
rss_kb(pid_t pid)
{
	char	path[64], line[256];
	FILE	*f;
	long	kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

/* Waits until d counts want stream clients (the others noticed gone). */
static bool
wait_clients(struct harness_daemon *d, double want)
{
	long long	end = now_ms() + 5000;

	while (metric(d, "railgate_stream_clients") != want)
		if (now_ms() > end)
			return false;
		else
			usleep(100000);
	return true;
}

/* A short request_timeout_s: a healthy stream outlives it. */
static const char stream_conf[] = "[http]\nrequest_timeout_s = 2\n"
    "[stream]\nstream_max_clients = 4\n"
    "stream_max_pending_kb = 128\nstream_catch_up_max = 5\n"
    "stream_heartbeat_s = 2\n";

static int
stream_init(void)
{
	char	*conf;
	int	 rc;

	if (harness_pg_start(&pg) < 0)
		return -1;
	conf = xasprintf("%s%s", pg.conf, stream_conf);
	rc = harness_daemon_start(&a, conf) < 0 ||
	    harness_daemon_start(&b, conf) < 0 ||
	    harness_token(&pg, "operator", "s.operator", operator_tok) < 0 ||
	    harness_token(&pg, "officer", "s.officer", officer_tok) < 0 ||
	    harness_token(&pg, "auditor", "s.auditor", auditor_tok) < 0 ||
	    harness_token(&pg, "admin", "s.admin", admin_tok) < 0 ||
	    harness_token(&pg, "device", "s.device", device_tok) < 0;
	free(conf);
	return rc ? -1 : 0;
}

static int
stream_clean(void)
{
	harness_daemon_stop(&a);
	harness_daemon_stop(&b);
	harness_pg_stop(&pg);
	return 0;
}

/* Only the reading roles; none without a token. */
static void
t_stream_roles(void)
{
	struct {
		const char	*token;
		int		 status;
	} cases[] = {
		{ NULL, 401 }, { operator_tok, 403 }, { device_tok, 403 },
		{ admin_tok, 403 }, { "rg_notatokenatallnotatokenatallnotatoken12", 401 },
		{ officer_tok, 200 }, { auditor_tok, 200 },
	};
	struct sse	s;
	size_t		i;

	for (i = 0; i < nitems(cases); i++) {
		CU_ASSERT_EQUAL_FATAL(sse_open(&s, a.port, cases[i].token, NULL,
		    0), 0);
		CU_ASSERT_EQUAL(s.status, cases[i].status);
		if (cases[i].status == 200) {
			CU_ASSERT_PTR_NOT_NULL(strstr(s.text,
			    "Content-Type: text/event-stream"));
			CU_ASSERT_TRUE(sse_hello_id(&s) >= 0);
		} else
			CU_ASSERT_PTR_NOT_NULL(strstr(s.text,
			    "application/problem+json"));
		sse_close(&s);
	}
}

/* A train submitted through daemon b reaches a console of daemon a. */
static void
t_stream_other_daemon(void)
{
	struct sse	s;
	long long	t0;

	CU_ASSERT_EQUAL_FATAL(sse_open(&s, a.port, officer_tok, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(s.status, 200);
	CU_ASSERT_TRUE_FATAL(sse_hello_id(&s) >= 0);
	t0 = now_ms();
	CU_ASSERT_EQUAL(harness_submit_fixture(b.port, operator_tok,
	    "edifact/cuscar_s3_alashankou.edi"), 202);
	CU_ASSERT_TRUE(sse_wait(&s, "\"train\":\"" TRAIN "\"", 5000));
	fprintf(stderr, "\n  first message of the train via daemon b: %lld ms "
	    "after the submission was sent\n", now_ms() - t0);
	/* The heartbeat keeps a quiet stream open. */
	CU_ASSERT_TRUE(sse_wait(&s, ": keep-alive", 5000));
	sse_close(&s);
}

/* Last-Event-ID: what was missed, in order; reset past the limit. */
static void
t_stream_catch_up(void)
{
	struct sse	s;
	long long	h;
	char		id[32], want[64];
	int		i;

	CU_ASSERT_EQUAL_FATAL(sse_open(&s, a.port, officer_tok, NULL, 0), 0);
	h = sse_hello_id(&s);
	CU_ASSERT_TRUE_FATAL(h >= 0);
	sse_close(&s);
	append_records(3, "test.missed");
	snprintf(id, sizeof id, "%lld", h);
	CU_ASSERT_EQUAL_FATAL(sse_open(&s, a.port, officer_tok, id, 0), 0);
	CU_ASSERT_EQUAL(s.status, 200);
	snprintf(want, sizeof want, "id: %lld\nevent: test.missed\n", h + 3);
	CU_ASSERT_TRUE(sse_wait(&s, want, 5000));
	for (i = 1; i <= 3; i++) {
		snprintf(want, sizeof want, "id: %lld\nevent: test.missed\n",
		    h + i);
		CU_ASSERT_PTR_NOT_NULL(strstr(s.text, want));
	}
	CU_ASSERT_PTR_NULL(strstr(s.text, "event: reset"));
	/* Live after the catch-up, on the same stream. */
	append_records(1, "test.live");
	snprintf(want, sizeof want, "id: %lld\nevent: test.live\n", h + 4);
	CU_ASSERT_TRUE(sse_wait(&s, want, 5000));
	sse_close(&s);

	/* More than stream_catch_up_max (5) missed: one reset. */
	append_records(6, "test.missed");
	CU_ASSERT_EQUAL_FATAL(sse_open(&s, a.port, officer_tok, id, 0), 0);
	snprintf(want, sizeof want, "id: %lld\nevent: reset\n", h + 10);
	CU_ASSERT_TRUE(sse_wait(&s, want, 5000));
	CU_ASSERT_PTR_NULL(strstr(s.text, "event: test.missed"));
	sse_close(&s);

	/* An id the chain has not reached: reset to the head. */
	CU_ASSERT_EQUAL_FATAL(sse_open(&s, a.port, officer_tok,
	    "999999999999", 0), 0);
	CU_ASSERT_TRUE(sse_wait(&s, "event: reset\n", 5000));
	sse_close(&s);

	/* Not a sequence number: a problem document. */
	CU_ASSERT_EQUAL_FATAL(sse_open(&s, a.port, officer_tok, "12; DROP",
	    0), 0);
	CU_ASSERT_EQUAL(s.status, 400);
	CU_ASSERT_TRUE(sse_wait(&s, "Last-Event-ID", 5000));
	sse_close(&s);
	CU_ASSERT_TRUE(metric(&a, "railgate_stream_resets_total") >= 2);
}

/* A client that never reads is dropped; the daemon's memory stays flat. */
static void
t_stream_slow_client(void)
{
	struct sse	slow, good;
	long		base, end;
	int		round, r;
	double		dropped = metric(&a, "railgate_stream_dropped_total");

	/* The streams of the tests before have been seen to go. */
	CU_ASSERT_TRUE_FATAL(wait_clients(&a, 0));

	CU_ASSERT_EQUAL_FATAL(sse_open(&slow, a.port, officer_tok, NULL, 2048),
	    0);
	CU_ASSERT_EQUAL_FATAL(slow.status, 200);
	CU_ASSERT_EQUAL_FATAL(sse_open(&good, a.port, officer_tok, NULL, 0), 0);
	CU_ASSERT_TRUE_FATAL(sse_hello_id(&good) >= 0);
	append_records(1000, "test.flood");
	CU_ASSERT_TRUE(sse_wait(&good, "event: test.flood", 10000));
	usleep(500000);
	base = rss_kb(a.pid);
	for (round = 0; round < 12; round++) {
		append_records(1000, "test.flood");
		/* The reading console keeps up (and so frees its part). */
		while (sse_read(&good, 200) > 0)
			good.len = 0;
	}
	usleep(500000);
	end = rss_kb(a.pid);
	fprintf(stderr, "\n  daemon RSS with a client that never reads: %ld KiB "
	    "-> %ld KiB over 12,000 records (~2.4 MB of messages)\n", base, end);
#ifndef __SANITIZE_ADDRESS__
	CU_ASSERT_TRUE(base > 0 && end - base < 1024);
#else
	/* AddressSanitizer keeps freed memory aside: RSS says nothing. */
	fprintf(stderr, "  (built with AddressSanitizer: RSS not judged)\n");
#endif
	CU_ASSERT_TRUE(metric(&a, "railgate_stream_dropped_total") >=
	    dropped + 1);
	/* The slow client finds its stream ended once it reads. */
	while ((r = sse_read(&slow, 2000)) > 0)
		slow.len = 0;
	CU_ASSERT_EQUAL(r, -1);
	sse_close(&slow);
	sse_close(&good);
}

/* Beyond stream_max_clients: 503 with a problem document. */
static void
t_stream_client_limit(void)
{
	struct sse	s[5];
	int		i;

	CU_ASSERT_TRUE_FATAL(wait_clients(&a, 0));
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL_FATAL(sse_open(&s[i], a.port, officer_tok,
		    NULL, 0), 0);
		CU_ASSERT_EQUAL(s[i].status, 200);
	}
	CU_ASSERT_EQUAL_FATAL(sse_open(&s[4], a.port, auditor_tok, NULL, 0),
	    0);
	CU_ASSERT_EQUAL(s[4].status, 503);
	CU_ASSERT_TRUE(sse_wait(&s[4], "stream_max_clients", 5000));
	CU_ASSERT_PTR_NOT_NULL(strstr(s[4].text, "Retry-After:"));
	for (i = 0; i < 5; i++)
		sse_close(&s[i]);
	/* The API still answers while streams are open. */
	CU_ASSERT_TRUE(metric(&a, "railgate_stream_refused_total") >= 1);
	CU_ASSERT_TRUE(wait_clients(&a, 0));
}

/* The LISTEN connection killed: changes still arrive, and it comes back. */
static void
t_stream_listen_lost(void)
{
	struct sse	s;
	char		*v;
	long long	end;

	CU_ASSERT_EQUAL_FATAL(sse_open(&s, a.port, officer_tok, NULL, 0), 0);
	CU_ASSERT_TRUE_FATAL(sse_hello_id(&s) >= 0);
	v = harness_sql(&pg, "SELECT count(pg_terminate_backend(pid)) FROM "
	    "pg_stat_activity WHERE query LIKE 'LISTEN%'");
	CU_ASSERT_PTR_NOT_NULL(v);
	CU_ASSERT_TRUE(v != NULL && atoi(v) == 2);	/* a's and b's */
	free(v);
	append_records(1, "test.while_down");
	CU_ASSERT_TRUE(sse_wait(&s, "event: test.while_down", 5000));
	end = now_ms() + 15000;
	while (metric(&a, "railgate_stream_listen_reconnects_total") < 1 &&
	    now_ms() < end)
		usleep(200000);
	CU_ASSERT_TRUE(metric(&a, "railgate_stream_listen_reconnects_total")
	    >= 1);
	CU_ASSERT_EQUAL(metric(&a, "railgate_stream_listen_up"), 1);
	sse_close(&s);
}

/*
 * A quiet stream outlives request_timeout_s (the connection guard and
 * libevent's idle timeout leave it alone); the daemon stops promptly
 * with streams open, ending them.
 */
static void
t_stream_long_lived(void)
{
	struct sse	s, t;
	int		r;

	CU_ASSERT_EQUAL_FATAL(sse_open(&s, a.port, officer_tok, NULL, 0), 0);
	CU_ASSERT_TRUE_FATAL(sse_hello_id(&s) >= 0);
	sleep(5);		/* request_timeout_s = 2 */
	append_records(1, "test.later");
	CU_ASSERT_TRUE(sse_wait(&s, "event: test.later", 5000));
	sse_close(&s);

	CU_ASSERT_EQUAL_FATAL(sse_open(&t, b.port, auditor_tok, NULL, 0), 0);
	CU_ASSERT_TRUE_FATAL(sse_hello_id(&t) >= 0);
	CU_ASSERT_EQUAL(harness_daemon_signal_wait(&b, SIGTERM, 5000), 0);
	while ((r = sse_read(&t, 2000)) > 0)
		;
	CU_ASSERT_EQUAL(r, -1);		/* ended, not left hanging */
	sse_close(&t);
}

static CU_TestInfo stream_tests[] = {
	{ "t_stream_roles", t_stream_roles },
	{ "t_stream_other_daemon", t_stream_other_daemon },
	{ "t_stream_catch_up", t_stream_catch_up },
	{ "t_stream_slow_client", t_stream_slow_client },
	{ "t_stream_client_limit", t_stream_client_limit },
	{ "t_stream_listen_lost", t_stream_listen_lost },
	{ "t_stream_long_lived", t_stream_long_lived },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_stream", stream_init, stream_clean, stream_tests)
