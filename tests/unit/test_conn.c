/*
 * test_conn.c -- daemon/http/conn.c, the guard on the API's connections
 * (conn.h), in-process: an evhttp server on a loopback port of its own
 * with a router that answers 200 (or holds a request), the guard between
 * them with small limits, and clients on blocking sockets while the test
 * turns the loop.  No daemon, no database.
 *
 * What the header promises: the application sees each head before any
 * body (and may refuse it, or answer later); a Content-Length over
 * max_body is refused by the guard itself; declared bodies share one
 * budget until their reply has gone out; a client past
 * max_connections_per_client is closed at accept; a request slower than
 * request_timeout_s is cut.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "daemon/http/conn.h"
#include "manifest/util.h"

#include "unit.h"

/* The server, its guard and what the hooks and the router saw. */
struct fx {
	struct event_base		*base;
	struct evhttp			*http;
	struct conn_guard		*guard;
	int				 port;
	enum conn_verdict		 verdict;	/* the head hook's answer */
	struct conn_wait		*wait;		/* of a CONN_WAIT */
	bool				 hold;		/* the router answers later */
	struct evhttp_request		*held;
	int				 heads, routed, renders;
	int				 render_status;
	bool				 render_own;	/* before_routing */
	int				 render_retry;
	char				 method[16], target[64], auth[64];
	char				 client[CONN_CLIENT_LEN];
	int64_t				 content_length;
};

static struct fx	fx;

static enum conn_verdict
head_cb(const struct conn_request_head *h, struct conn_wait *w,
    struct conn_refusal *r, uint64_t *body_max, void *arg)
{
	fx.heads++;
	snprintf(fx.method, sizeof fx.method, "%s", h->method);
	snprintf(fx.target, sizeof fx.target, "%s", h->target);
	snprintf(fx.auth, sizeof fx.auth, "%s", h->authorization != NULL ?
	    h->authorization : "(none)");
	snprintf(fx.client, sizeof fx.client, "%s", h->client);
	fx.content_length = h->content_length;
	if (fx.verdict == CONN_WAIT)
		fx.wait = w;
	if (fx.verdict == CONN_REFUSE) {
		r->status = 401;
		r->title = "Unauthorized";
		snprintf(r->detail, sizeof r->detail, "no token");
	}
	return fx.verdict;
}

static char *
render_cb(const struct conn_request_head *h, const struct conn_refusal *r,
    size_t *len, void *arg)
{
	char	*resp;

	fx.renders++;
	fx.render_status = r->status;
	fx.render_own = r->before_routing;
	fx.render_retry = r->retry_after_s;
	resp = xasprintf("HTTP/1.1 %d %s\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", r->status, r->title);
	*len = strlen(resp);
	return resp;
}

static void
router_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer	*b;

	fx.routed++;
	conn_guard_request_received(fx.guard, req);
	if (fx.hold && fx.held == NULL) {
		fx.held = req;
		return;
	}
	b = evbuffer_new();
	evbuffer_add_printf(b, "ok");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* Starts the server and its guard with these limits. */
static void
fx_start(int timeout_s, int per_client, uint64_t max_body, uint64_t budget)
{
	struct conn_guard_limits	 lim;
	struct conn_hooks		 hooks = { head_cb, render_cb, NULL };
	struct evhttp_bound_socket	*sock;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof sin;

	memset(&fx, 0, sizeof fx);
	fx.verdict = CONN_ALLOW;
	fx.base = event_base_new();
	fx.http = evhttp_new(fx.base);
	CU_ASSERT_FATAL(fx.base != NULL && fx.http != NULL);
	evhttp_set_gencb(fx.http, router_cb, NULL);
	sock = evhttp_bind_socket_with_handle(fx.http, "127.0.0.1", 0);
	CU_ASSERT_FATAL(sock != NULL);
	CU_ASSERT_FATAL(getsockname(evhttp_bound_socket_get_fd(sock),
	    (struct sockaddr *)&sin, &slen) == 0);
	fx.port = ntohs(sin.sin_port);
	memset(&lim, 0, sizeof lim);
	lim.request_timeout_s = timeout_s;
	lim.request_min_rate = 1 << 20;
	lim.max_connections = 64;
	lim.max_connections_per_client = per_client;
	lim.max_body = max_body;
	lim.body_budget = budget;
	fx.guard = conn_guard_new(fx.base, fx.http, sock, &lim, &hooks);
}

static void
fx_stop(void)
{
	evhttp_free(fx.http);
	conn_guard_free(fx.guard);
	event_base_free(fx.base);
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Turns the loop for about ms. */
static void
pump(int ms)
{
	int64_t	end = now_ms() + ms;

	do {
		event_base_loop(fx.base, EVLOOP_NONBLOCK);
		usleep(2000);
	} while (now_ms() < end);
}

/* A client connected to the server (the loop accepts it later). */
static int
client(void)
{
	struct sockaddr_in	sin;
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	CU_ASSERT_FATAL(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)fx.port);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	return fd;
}

static void
say(int fd, const char *text)
{
	CU_ASSERT_EQUAL((size_t)send(fd, text, strlen(text), MSG_NOSIGNAL),
	    strlen(text));
}

/*
 * Turns the loop until fd has sent a complete head (into out) or closed,
 * up to ms.  The status of the reply; 0 when fd closed without one, -1
 * when nothing came in time.
 */
static int
reply(int fd, char *out, size_t size, int ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	size_t		len = 0;
	ssize_t		n;
	int64_t		end = now_ms() + ms;

	out[0] = '\0';
	while (now_ms() < end) {
		event_base_loop(fx.base, EVLOOP_NONBLOCK);
		if (poll(&pfd, 1, 2) <= 0)
			continue;
		n = recv(fd, out + len, size - len - 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return len > 12 ? atoi(out + 9) : 0;
		len += (size_t)n;
		out[len] = '\0';
		if (strstr(out, "\r\n\r\n") != NULL && len > 12)
			return atoi(out + 9);
	}
	return -1;
}

/* A request goes through; the head hook saw it whole first. */
static void
t_conn_request_passes(void)
{
	struct conn_stats	st;
	char			buf[1024];
	int			fd;

	fx_start(5, 4, 1024, 4096);
	fd = client();
	say(fd, "GET /v1/x?y=1 HTTP/1.1\r\nHost: a\r\n"
	    "Authorization: Bearer rg_t\r\n\r\n");
	CU_ASSERT_EQUAL(reply(fd, buf, sizeof buf, 3000), 200);
	CU_ASSERT_EQUAL(fx.heads, 1);
	CU_ASSERT_EQUAL(fx.routed, 1);
	CU_ASSERT_STRING_EQUAL(fx.method, "GET");
	CU_ASSERT_STRING_EQUAL(fx.target, "/v1/x?y=1");
	CU_ASSERT_STRING_EQUAL(fx.auth, "Bearer rg_t");
	CU_ASSERT_STRING_EQUAL(fx.client, "127.0.0.1");
	CU_ASSERT_EQUAL(fx.content_length, -1);
	/* Keep-alive: a second request on the same connection. */
	say(fd, "POST /v1/y HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
	CU_ASSERT_EQUAL(reply(fd, buf, sizeof buf, 3000), 200);
	CU_ASSERT_EQUAL(fx.heads, 2);
	CU_ASSERT_EQUAL(fx.content_length, 5);
	conn_guard_get_stats(fx.guard, &st);
	CU_ASSERT_EQUAL(st.accepted, 1);
	CU_ASSERT_EQUAL(st.open, 1);
	CU_ASSERT_EQUAL(st.head_refused, 0);
	close(fd);
	fx_stop();
}

/* Refused from its head: the application's answer, never the router. */
static void
t_conn_refused_before_body(void)
{
	struct conn_stats	st;
	char			buf[1024];
	int			fd;

	fx_start(5, 4, 1 << 20, 1 << 20);
	fx.verdict = CONN_REFUSE;
	fd = client();
	say(fd, "POST /v1/manifests HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 100000\r\n\r\nUNB+");
	CU_ASSERT_EQUAL(reply(fd, buf, sizeof buf, 3000), 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Connection: close"));
	CU_ASSERT_EQUAL(fx.heads, 1);
	CU_ASSERT_EQUAL(fx.routed, 0);
	CU_ASSERT_FALSE(fx.render_own);
	conn_guard_get_stats(fx.guard, &st);
	CU_ASSERT_EQUAL(st.head_refused, 1);
	CU_ASSERT_EQUAL(st.body_bytes, 0);
	close(fd);
	fx_stop();
}

/* Content-Length over max_body: 413 by the guard, before the application. */
static void
t_conn_max_body(void)
{
	char	buf[1024];
	int	fd;

	fx_start(5, 4, 1024, 4096);
	fd = client();
	say(fd, "POST /v1/manifests HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 1025\r\n\r\n");
	CU_ASSERT_EQUAL(reply(fd, buf, sizeof buf, 3000), 413);
	CU_ASSERT_EQUAL(fx.render_status, 413);
	CU_ASSERT_TRUE(fx.render_own);
	CU_ASSERT_EQUAL(fx.heads, 0);
	CU_ASSERT_EQUAL(fx.routed, 0);
	close(fd);
	/* Exactly max_body goes on. */
	fd = client();
	say(fd, "POST /v1/manifests HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 1024\r\n\r\n");
	memset(buf, 'x', 1024);
	buf[1024 - 1] = '\0';
	say(fd, buf);
	say(fd, "x");
	CU_ASSERT_EQUAL(reply(fd, buf, sizeof buf, 3000), 200);
	CU_ASSERT_EQUAL(fx.routed, 1);
	close(fd);
	fx_stop();
}

/* Declared bodies share the budget until their replies have gone. */
static void
t_conn_body_budget(void)
{
	static const char	post[] = "POST /v1/a HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 100\r\n\r\n";
	struct conn_stats	st;
	char			buf[1024], body[101];
	int			a, b, c;

	memset(body, 'b', 100);
	body[100] = '\0';
	fx_start(5, 4, 100, 150);
	fx.hold = true;
	a = client();
	say(a, post);
	say(a, body);
	pump(300);
	CU_ASSERT_EQUAL_FATAL(fx.routed, 1);	/* held: its 100 bytes stay taken */
	conn_guard_get_stats(fx.guard, &st);
	CU_ASSERT_EQUAL(st.body_bytes, 100);
	b = client();
	say(b, post);
	CU_ASSERT_EQUAL(reply(b, buf, sizeof buf, 3000), 503);
	CU_ASSERT_EQUAL(fx.render_status, 503);
	CU_ASSERT(fx.render_retry > 0);		/* Retry-After */
	conn_guard_get_stats(fx.guard, &st);
	CU_ASSERT_EQUAL(st.budget_refused, 1);
	/* A's reply goes out: its share comes back, the next one fits. */
	evhttp_send_reply(fx.held, 200, "OK", NULL);
	CU_ASSERT_EQUAL(reply(a, buf, sizeof buf, 3000), 200);
	pump(100);
	conn_guard_get_stats(fx.guard, &st);
	CU_ASSERT_EQUAL(st.body_bytes, 0);
	c = client();
	say(c, post);
	say(c, body);
	CU_ASSERT_EQUAL(reply(c, buf, sizeof buf, 3000), 200);
	CU_ASSERT_EQUAL(fx.routed, 2);
	close(a);
	close(b);
	close(c);
	fx_stop();
}

/* One client past max_connections_per_client: closed at accept. */
static void
t_conn_per_client_cap(void)
{
	struct conn_stats	st;
	char			buf[1024];
	int			fd[3], i;

	fx_start(5, 2, 1024, 4096);
	for (i = 0; i < 3; i++) {
		fd[i] = client();
		pump(100);
	}
	CU_ASSERT_EQUAL(reply(fd[2], buf, sizeof buf, 2000), 0);
	conn_guard_get_stats(fx.guard, &st);
	CU_ASSERT_EQUAL(st.client_refused, 1);
	CU_ASSERT_EQUAL(st.open, 2);
	/* The first two are served. */
	for (i = 0; i < 2; i++) {
		say(fd[i], "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
		CU_ASSERT_EQUAL(reply(fd[i], buf, sizeof buf, 3000), 200);
	}
	/* One closes: room for another. */
	close(fd[0]);
	pump(200);
	fd[0] = client();
	say(fd[0], "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	CU_ASSERT_EQUAL(reply(fd[0], buf, sizeof buf, 3000), 200);
	for (i = 0; i < 3; i++)
		close(fd[i]);
	fx_stop();
}

/* A head dripping past request_timeout_s is cut; the application never saw it. */
static void
t_conn_slow_request_cut(void)
{
	struct conn_stats	st;
	char			buf[1024];
	int64_t			t0;
	int			fd, status;

	fx_start(1, 4, 1024, 4096);
	fd = client();
	t0 = now_ms();
	say(fd, "GET / HTTP/1.1\r\nHost: a\r\n");
	status = reply(fd, buf, sizeof buf, 4000);
	CU_ASSERT(status == 0 || status == 408);
	CU_ASSERT(now_ms() - t0 >= 900);
	CU_ASSERT(now_ms() - t0 < 4000);
	conn_guard_get_stats(fx.guard, &st);
	CU_ASSERT_EQUAL(st.cut, 1);
	CU_ASSERT_EQUAL(fx.heads, 0);
	CU_ASSERT_EQUAL(fx.routed, 0);
	close(fd);
	fx_stop();
}

/* CONN_WAIT holds the request until conn_guard_resume lets it go on. */
static void
t_conn_wait_resume(void)
{
	char	buf[1024];
	int	fd;

	fx_start(5, 4, 1024, 4096);
	fx.verdict = CONN_WAIT;
	fd = client();
	say(fd, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
	pump(300);
	CU_ASSERT_EQUAL(fx.heads, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.wait);
	CU_ASSERT_EQUAL(fx.routed, 0);
	conn_guard_resume(fx.wait, NULL);
	CU_ASSERT_EQUAL(reply(fd, buf, sizeof buf, 3000), 200);
	CU_ASSERT_EQUAL(fx.routed, 1);
	close(fd);
	fx_stop();
}

static CU_TestInfo conn_tests[] = {
	{ "t_conn_request_passes", t_conn_request_passes },
	{ "t_conn_refused_before_body", t_conn_refused_before_body },
	{ "t_conn_max_body", t_conn_max_body },
	{ "t_conn_body_budget", t_conn_body_budget },
	{ "t_conn_per_client_cap", t_conn_per_client_cap },
	{ "t_conn_slow_request_cut", t_conn_slow_request_cut },
	{ "t_conn_wait_resume", t_conn_wait_resume },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("conn", NULL, NULL, conn_tests)
