/*
 * conn.c -- the guard on the API's client connections (see conn.h).
 *
 * Each accepted socket gets a plain socket bufferevent made here, with a
 * callback on its input buffer that sees every read as it lands, before
 * evhttp parses it.  (A filter bufferevent would be the textbook place,
 * but libevent 2.1's filters lose evhttp's replies: output added before
 * EV_WRITE is enabled is never written.)  A late connection is cut with
 * shutdown(2) on its socket: evhttp sees the end of the stream and frees
 * the connection its normal way, so the guard never frees what evhttp
 * owns, and never from inside one of libevent's callbacks.
 *
 * The guard holds a reference on each bufferevent, so that its memory
 * and its socket outlive evhttp's use of it: bufferevent_free clears the
 * callbacks and drops evhttp's reference, and the guard's sweep (four
 * times a second), seeing no callbacks left, drops its own -- which
 * closes the socket.  A closed connection thus holds its descriptor up
 * to 250 ms more, and a descriptor number is never reused under the
 * guard.
 * The same sweep cuts connections quiet past their deadline.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "manifest/util.h"

#include "conn.h"
#include "daemon.h"
#include "log.h"

#define GUARD_BUCKETS	256	/* a power of two */
#define GUARD_SWEEP_MS	250

struct guarded {
	struct conn_guard	*g;
	struct bufferevent	*bev;		/* evhttp's; one reference ours */
	int64_t			 started_ms;	/* first byte; 0: no request */
	uint64_t		 bytes;		/* of the request so far */
	bool			 busy;		/* received, not yet answered */
	bool			 cut;
	bool			 refusal_logged;
	LIST_ENTRY(guarded)	 entry;
};
LIST_HEAD(guarded_list, guarded);

struct conn_guard {
	struct event_base	*base;
	struct evconnlistener	*listener;	/* borrowed; NULL when gone */
	struct conn_guard_limits lim;
	bool			 paused;
	struct event		*sweep;
	struct conn_stats	 stats;
	struct guarded_list	 table[GUARD_BUCKETS];
};

static struct guarded_list *
bucket(struct conn_guard *g, const struct bufferevent *bev)
{
	uintptr_t	h = (uintptr_t)bev;

	h ^= h >> 9;
	return &g->table[(h >> 4) & (GUARD_BUCKETS - 1)];
}

static struct guarded *
guarded_find(struct conn_guard *g, const struct bufferevent *bev)
{
	struct guarded	*c;

	LIST_FOREACH(c, bucket(g, bev), entry)
		if (c->bev == bev)
			return c;
	return NULL;
}

/* When the request on c must be complete, in monotonic ms. */
static int64_t
deadline_ms(const struct guarded *c)
{
	const struct conn_guard_limits	*l = &c->g->lim;

	return c->started_ms + (int64_t)l->request_timeout_s * 1000 +
	    (int64_t)(c->bytes * 1000 / (uint64_t)l->request_min_rate);
}

/* The client's address as "host:port", for the log. */
static void
client_name(evutil_socket_t fd, char *out, size_t size)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;
	char			host[INET6_ADDRSTRLEN] = "?";
	unsigned		port = 0;

	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
			port = ntohs(a->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
			port = ntohs(a->sin6_port);
		}
	}
	snprintf(out, size, "%s:%u", host, port);
}

/* Ends the connection: evhttp sees the end of the stream and frees it. */
static void
guarded_cut(struct guarded *c, int64_t now)
{
	evutil_socket_t	fd = bufferevent_getfd(c->bev);
	char		who[INET6_ADDRSTRLEN + 8];

	if (c->cut)
		return;
	c->cut = true;
	c->g->stats.cut++;
	client_name(fd, who, sizeof who);
	log_warnx("http: connection from %s cut: request not complete after "
	    "%lld ms (%llu bytes; request_timeout_s %d, request_min_rate %d)",
	    who, (long long)(now - c->started_ms), (unsigned long long)c->bytes,
	    c->g->lim.request_timeout_s, c->g->lim.request_min_rate);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

/*
 * Bytes landed in a connection's input buffer (or evhttp took some out).
 * The first byte of a request starts its clock; a byte past the
 * deadline ends the connection.
 */
static void
guarded_input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct guarded	*c = arg;
	int64_t		 now;

	(void)buf;
	if (info->n_added == 0 || c->busy || c->cut)
		return;
	now = daemon_now_ms();
	if (c->started_ms == 0) {
		c->started_ms = now;
		c->bytes = 0;
	}
	c->bytes += info->n_added;
	if (now > deadline_ms(c))
		guarded_cut(c, now);
}

/*
 * Bytes queued on a connection's output.  A reply the router did not
 * send (c not busy) is one evhttp sent itself -- a request line it could
 * not parse, headers or a body over the limits (400, 413, 431) -- and
 * evhttp logs nothing: say it here, once per connection.
 */
static void
guarded_output_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct guarded	*c = arg;
	char		 line[40], who[INET6_ADDRSTRLEN + 8];
	ev_ssize_t	 n;
	size_t		 len;

	if (info->n_added == 0 || c->busy || c->refusal_logged)
		return;
	if ((n = evbuffer_copyout(buf, line, sizeof line - 1)) < 12)
		return;
	line[n] = '\0';
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	if (strncmp(line, "HTTP/1.", 7) != 0 || line[9] < '4')
		return;
	c->refusal_logged = true;
	c->g->stats.refused++;
	client_name(bufferevent_getfd(c->bev), who, sizeof who);
	log_warnx("http: connection from %s: request refused before routing: "
	    "%s", who, line + 9);
}

/* evhttp let go of c's bufferevent: drop ours, which closes the socket. */
static void
guarded_release(struct guarded *c)
{
	struct conn_guard	*g = c->g;

	LIST_REMOVE(c, entry);
	bufferevent_decref(c->bev);
	free(c);
	g->stats.open--;
	if (g->paused && g->stats.open < g->lim.max_connections &&
	    g->listener != NULL) {
		evconnlistener_enable(g->listener);
		g->paused = false;
		log_info("http: accepting connections again (%d open)",
		    g->stats.open);
	}
}

/* True once evhttp has freed the connection (bufferevent_free). */
static bool
guarded_released(const struct guarded *c)
{
	bufferevent_event_cb	eventcb;

	bufferevent_getcb(c->bev, NULL, NULL, &eventcb, NULL);
	return eventcb == NULL;
}

/* Every GUARD_SWEEP_MS: let go of closed connections, cut quiet late ones. */
static void
guard_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn_guard	*g = arg;
	struct guarded		*c, *next;
	int64_t			 now = daemon_now_ms();
	int			 i;

	(void)fd;
	(void)what;
	for (i = 0; i < GUARD_BUCKETS; i++) {
		for (c = LIST_FIRST(&g->table[i]); c != NULL; c = next) {
			next = LIST_NEXT(c, entry);
			if (guarded_released(c))
				guarded_release(c);
			else if (c->started_ms != 0 && !c->busy && !c->cut &&
			    now > deadline_ms(c))
				guarded_cut(c, now);
		}
	}
}

/* evhttp accepted a socket: the bufferevent it is to use. */
static struct bufferevent *
guard_bevcb(struct event_base *base, void *arg)
{
	struct conn_guard	*g = arg;
	struct guarded		*c;

	c = xcalloc(1, sizeof *c);
	c->g = g;
	c->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL ||
	    evbuffer_add_cb(bufferevent_get_input(c->bev), guarded_input_cb,
	    c) == NULL ||
	    evbuffer_add_cb(bufferevent_get_output(c->bev), guarded_output_cb,
	    c) == NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		free(c);
		/* evhttp makes its own plain bufferevent: served, unguarded. */
		return NULL;
	}
	bufferevent_incref(c->bev);
	LIST_INSERT_HEAD(bucket(g, c->bev), c, entry);
	g->stats.open++;
	g->stats.accepted++;
	if (g->stats.open >= g->lim.max_connections && !g->paused &&
	    g->listener != NULL) {
		evconnlistener_disable(g->listener);
		g->paused = true;
		g->stats.paused++;
		log_warnx("http: %d connections open (max_connections): not "
		    "accepting more until one closes", g->stats.open);
	}
	return c->bev;
}

struct conn_guard *
conn_guard_new(struct event_base *base, struct evhttp *http,
    struct evhttp_bound_socket *sock, const struct conn_guard_limits *lim)
{
	struct conn_guard	*g;
	int			 i;

	g = xcalloc(1, sizeof *g);
	g->base = base;
	g->lim = *lim;
	if (g->lim.request_min_rate < 1)
		g->lim.request_min_rate = 1;
	if (g->lim.max_connections < 1)
		g->lim.max_connections = 1;
	for (i = 0; i < GUARD_BUCKETS; i++)
		LIST_INIT(&g->table[i]);
	g->listener = sock != NULL ? evhttp_bound_socket_get_listener(sock) :
	    NULL;
	g->sweep = event_new(base, -1, EV_PERSIST, guard_sweep_cb, g);
	if (g->sweep == NULL)
		fatalx("event_new failed");
	event_add(g->sweep, &(struct timeval){ 0, GUARD_SWEEP_MS * 1000 });
	evhttp_set_bevcb(http, guard_bevcb, g);
	return g;
}

void
conn_guard_forget_socket(struct conn_guard *g)
{
	if (g != NULL)
		g->listener = NULL;
}

/* Call after evhttp_free, which has let go of every connection. */
void
conn_guard_free(struct conn_guard *g)
{
	struct guarded	*c;
	int		 i;

	if (g == NULL)
		return;
	g->listener = NULL;
	event_free(g->sweep);
	for (i = 0; i < GUARD_BUCKETS; i++)
		while ((c = LIST_FIRST(&g->table[i])) != NULL)
			guarded_release(c);
	free(g);
}

/* The reply went out: the connection's next byte starts a new request. */
static void
guarded_reply_sent(struct evhttp_request *req, void *arg)
{
	struct guarded	*c = arg;

	(void)req;
	c->busy = false;
	c->started_ms = 0;
}

void
conn_guard_request_received(struct conn_guard *g, struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	struct guarded			*c;

	if (g == NULL || (evcon = evhttp_request_get_connection(req)) == NULL)
		return;
	c = guarded_find(g, evhttp_connection_get_bufferevent(evcon));
	if (c == NULL)
		return;
	c->busy = true;
	evhttp_request_set_on_complete_cb(req, guarded_reply_sent, c);
}

void
conn_guard_get_stats(const struct conn_guard *g, struct conn_stats *out)
{
	*out = g->stats;
}
