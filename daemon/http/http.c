/*
 * http.c -- the HTTP server: listening, the connection guard's set-up,
 * the dispatch of every request, statistics.
 *
 * A request goes: match a route of the application's table (404 / 405
 * otherwise; http_route.c) -> if the route is not public, authenticate
 * the bearer token and check the route's roles (401 / 403; http_gate.c)
 * -> the handler, which answers through http_reply.c.  The route table
 * with its roles, and how a token is looked up, are the application's
 * (struct http_app, from http_server_new's caller); this server only
 * applies them.
 *
 * A request announcing a body goes through the same steps once more
 * before its body is read: the connection guard (conn.h) puts its head
 * to http_head_cb, which refuses an unknown route, a body on a public
 * route, or a caller without a valid token of the right role before a
 * byte of the body is taken in.  Refusals there are rendered by
 * http_render_cb, as every other problem document is.
 *
 * With daemon.tls_cert_file and tls_key_file the one listening socket
 * speaks TLS only (tls.h, tls_https_ctx_new): the guard gives each
 * connection an OpenSSL bufferevent (conn.h), and a reload hands it a new
 * context for the connections to come.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/http.h>

#include "manifest/util.h"

#include "daemon/daemon.h"
#include "daemon/http/http_int.h"
#include "daemon/http/reqhead.h"
#include "daemon/log.h"
#include "daemon/tls.h"

static int	http_tls_start(struct http_server *, char **);

/* Entry point of every request. */
static void
http_dispatch_cb(struct evhttp_request *req, void *arg)
{
	struct http_server	*s = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	bool			 path_known;
	struct http_ctx		*c;

	conn_guard_request_received(s->guard, req);
	c = xcalloc(1, sizeof *c);
	c->d = s->d;
	c->server = s;
	c->req = req;
	c->started_ms = daemon_now_ms();
	snprintf(c->id, sizeof c->id, "r%llx", (unsigned long long)++s->next_id);
	conn_client_key(evcon != NULL ? evhttp_connection_get_addr(evcon) :
	    NULL, c->client, sizeof c->client);
	s->stats.in_flight++;
	if (path == NULL || *path == '\0') {
		http_reply_problem(c, 400, "Bad Request", "no request path", NULL, 0);
		return;
	}
	if (!http_path_printable(path)) {
		http_reply_problem(c, 400, "Bad Request", "the path holds a NUL "
		    "or a control character (%00 to %1F, %7F)", NULL, 0);
		return;
	}
	c->route = http_route_find(s, evhttp_request_get_command(req), path,
	    &path_known, c->params);
	if (c->route == NULL) {
		if (path_known)
			http_reply_problem(c, 405, "Method Not Allowed",
			    "this method is not allowed on this path", NULL, 0);
		else
			http_reply_problem(c, 404, "Not Found", path, NULL, 0);
		return;
	}
	if (c->route->roles == AUTH_NONE)
		http_reads_admit(c);	/* a reader needs no token to cost */
	else if (!s->app.is_up(s->app.arg))
		/*
		 * Every route behind a token needs the database: while no
		 * connection is usable, say so at once rather than queue the
		 * request behind a reconnection that may take many seconds.
		 */
		http_reply_unavailable(c);
	else
		http_authenticate(c);
}

/* A throttle window ended with more in it than was logged line by line. */
static void
http_throttle_report(const struct auth_throttle_report *r, void *arg)
{
	(void)arg;
	log_warnx("http: %s: %llu failed authentication%s in %d s (the first "
	    "%d logged one by one; auth_failures_per_client), %llu request%s "
	    "throttled with 429", r->client, (unsigned long long)r->failures,
	    r->failures == 1 ? "" : "s", r->window_s, r->limit,
	    (unsigned long long)r->throttled, r->throttled == 1 ? "" : "s");
}

/* Once a second: the throttle's ended windows. */
static void
http_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server	*s = arg;

	(void)fd;
	(void)what;
	auth_throttle_sweep(s->throttle, daemon_now_ms());
}

/* Splits "host:port" (or "[v6]:port"); 0 or -1. */
static int
split_listen(const char *listen, char *host, size_t hostsize, unsigned short *port)
{
	const char	*colon = strrchr(listen, ':');
	char		*end;
	size_t		 n;
	long		 p;

	if (colon == NULL)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	n = (size_t)(colon - listen);
	if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	if (n == 0 || n >= hostsize)
		return -1;
	memcpy(host, listen, n);
	host[n] = '\0';
	*port = (unsigned short)p;
	return 0;
}

/* The guard on s's connections, from the configuration. */
static void
http_guard_start(struct http_server *s)
{
	const struct config	*cfg = &s->d->cfg;
	struct conn_guard_limits lim;
	struct conn_hooks	 hooks;

	memset(&lim, 0, sizeof lim);
	lim.request_timeout_s = cfg->request_timeout_s;
	lim.request_min_rate = cfg->request_min_rate;
	lim.max_connections = cfg->max_connections;
	lim.max_connections_per_client = cfg->max_connections_per_client;
	lim.max_body = (uint64_t)cfg->max_body_mb << 20;
	lim.body_budget = (uint64_t)cfg->max_body_memory_mb << 20;
	if (cfg->max_body_memory_mb < cfg->max_body_mb)
		log_warnx("max_body_memory_mb %d is below max_body_mb %d: "
		    "raised to it", cfg->max_body_memory_mb, cfg->max_body_mb);
	hooks.head = http_head_cb;
	hooks.render = http_render_cb;
	hooks.arg = s;
	s->guard = conn_guard_new(s->d->base, s->http, s->sock, &lim, &hooks);
	s->fail_limit = cfg->auth_failures_per_client;
	s->sessions = auth_cache_new(HTTP_SESSION_CACHE_S);
	s->throttle = auth_throttle_new(s->fail_limit,
	    cfg->auth_failures_window_s, http_throttle_report, s);
	s->tick = event_new(s->d->base, -1, EV_PERSIST, http_tick_cb, s);
	if (s->tick == NULL)
		fatalx("event_new failed");
	event_add(s->tick, &(struct timeval){ HTTP_TICK_MS / 1000, 0 });
}

/*
 * The listening socket's queue of connections the kernel completed and
 * the loop has not yet accepted.  libevent listens with 128: when the
 * loop is busy with a decision while some hundred consoles connect at
 * once (a restart, a shift change), the queue overflowed and the kernel
 * dropped the clients' handshakes -- each came back a second later, the
 * SYN retransmission (bench/daemon.sh counted 143 overflows and a read
 * p99 of 1,010 ms with 200 consoles polling).  The kernel caps it at
 * net.core.somaxconn.  Calling listen() again on a listening socket
 * sets its backlog (Linux).
 */
#define HTTP_LISTEN_BACKLOG	4096

void
http_listen_backlog_raise(struct evhttp_bound_socket *sock, const char *what)
{
	if (listen(evhttp_bound_socket_get_fd(sock), HTTP_LISTEN_BACKLOG) < 0)
		log_warn("%s: listen backlog of %d not set (%d kept)", what,
		    HTTP_LISTEN_BACKLOG, 128);
}

struct http_server *
http_server_new(struct daemon *d, const struct http_app *app, char **cause)
{
	struct http_server	*s;
	char			 host[256];
	unsigned short		 port;

	if (split_listen(d->cfg.listen, host, sizeof host, &port) < 0) {
		*cause = xasprintf("listen: \"%s\" is not host:port", d->cfg.listen);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->d = d;
	s->app = *app;
	LIST_INIT(&s->gates);
	if ((s->http = evhttp_new(d->base)) == NULL) {
		*cause = xstrdup("evhttp_new failed");
		free(s);
		return NULL;
	}
	if (http_reads_init(s) < 0) {
		*cause = xstrdup("the reads' timer could not be made");
		evhttp_free(s->http);
		free(s);
		return NULL;
	}
	evhttp_set_max_body_size(s->http, (ev_ssize_t)d->cfg.max_body_mb << 20);
	/*
	 * The guard refuses a head over REQHEAD_MAX itself; evhttp's limit
	 * is above it so that it never answers first (it counts what waits
	 * behind a head the guard holds).
	 */
	evhttp_set_max_headers_size(s->http, 2 * REQHEAD_MAX);
	evhttp_set_timeout(s->http, d->cfg.request_timeout_s);
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(s->http, http_dispatch_cb, s);
	if ((s->sock = evhttp_bind_socket_with_handle(s->http, host, port)) == NULL) {
		*cause = xasprintf("cannot listen on %s", d->cfg.listen);
		http_reads_free(s);
		evhttp_free(s->http);
		free(s);
		return NULL;
	}
	http_listen_backlog_raise(s->sock, "http");
	http_guard_start(s);
	if (http_tls_start(s, cause) < 0) {
		http_server_free(s);
		return NULL;
	}
	log_info("listening on %s://%s/", s->tls ? "https" : "http",
	    d->cfg.listen);
	return s;
}

/*
 * TLS from the configuration at start: the files' paths kept (a reload
 * reads them again; the configuration's strings go with a reload), the
 * context handed to the guard.  0, or -1 with *cause naming the file.
 */
static int
http_tls_start(struct http_server *s, char **cause)
{
	const struct config	*cfg = &s->d->cfg;
	SSL_CTX			*ctx;

	if (cfg->tls_cert_file[0] == '\0' && cfg->tls_key_file[0] == '\0')
		return 0;
	s->tls = true;
	s->tls_cert_file = xstrdup(cfg->tls_cert_file);
	s->tls_key_file = xstrdup(cfg->tls_key_file);
	if ((ctx = http_server_tls_load(s, cause)) == NULL)
		return -1;
	http_server_tls_use(s, ctx);
	return 0;
}

SSL_CTX *
http_server_tls_load(const struct http_server *s, char **cause)
{
	SSL_CTX	*ctx;
	char	*why = NULL;

	*cause = NULL;
	if (!s->tls)
		return NULL;
	if ((ctx = tls_https_ctx_new(s->tls_cert_file, s->tls_key_file,
	    &why)) == NULL) {
		*cause = xasprintf("TLS of the API (daemon.tls_cert_file, "
		    "daemon.tls_key_file): %s", why);
		free(why);
	}
	return ctx;
}

void
http_server_tls_use(struct http_server *s, SSL_CTX *ctx)
{
	conn_guard_set_tls(s->guard, ctx);
}


void
http_server_stop_accepting(struct http_server *s)
{
	if (s->sock != NULL) {
		conn_guard_forget_socket(s->guard);
		evhttp_del_accept_socket(s->http, s->sock);
		s->sock = NULL;
	}
}

int
http_server_in_flight(const struct http_server *s)
{
	return s->stats.in_flight;
}

void
http_server_free(struct http_server *s)
{
	struct http_gate	*gate;

	if (s == NULL)
		return;
	/* Lookups still out answer into nothing. */
	while ((gate = LIST_FIRST(&s->gates)) != NULL) {
		LIST_REMOVE(gate, entry);
		gate->s = NULL;
	}
	http_reads_free(s);	/* answered while their connections are up */
	evhttp_free(s->http);
	conn_guard_free(s->guard);
	event_free(s->tick);
	auth_throttle_free(s->throttle);
	auth_cache_free(s->sessions);
	free(s->tls_cert_file);
	free(s->tls_key_file);
	free(s);
}

void
http_get_stats(const struct http_server *s, struct http_stats *out)
{
	struct conn_stats	cs;

	*out = s->stats;
	out->reads_waiting = http_reads_waiting(s);
	if (s->guard != NULL) {
		conn_guard_get_stats(s->guard, &cs);
		out->conn_open = cs.open;
		out->conn_accepted = cs.accepted;
		out->conn_cut = cs.cut;
		out->conn_paused = cs.paused;
		out->conn_refused = cs.refused;
		out->conn_client_refused = cs.client_refused;
		out->head_refused = cs.head_refused;
		out->budget_refused = cs.budget_refused;
		out->body_bytes = cs.body_bytes;
		out->body_budget = cs.body_budget;
	}
}
