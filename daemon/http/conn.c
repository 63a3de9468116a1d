/*
 * conn.c -- the guard on the API's client connections (see conn.h): its
 * connections' lifetimes -- accepted, held, ended, swept, released --
 * and the guard itself.  What it reads of a request is conn_read.c's;
 * what it counts per client and against the body budget, conn_client.c's.
 *
 * Each accepted socket gets a plain socket bufferevent made here, with a
 * callback on its input buffer that sees every read as it lands, before
 * evhttp parses it.  (A filter bufferevent would be the textbook place,
 * but libevent 2.1's filters lose evhttp's replies: output added before
 * EV_WRITE is enabled is never written.)  A connection is ended by
 * shutdown(2) on its socket and, where the guard is not inside one of
 * libevent's callbacks, by telling evhttp the stream ended
 * (bufferevent_trigger_event, EOF): evhttp then frees the connection its
 * normal way, so the guard never frees what evhttp owns.
 *
 * Holding evhttp off a request.  evhttp parses only what it can take
 * out of the input buffer, and a buffer whose front is frozen
 * (evbuffer_freeze(buf, 1)) gives nothing: evbuffer_readln answers NULL
 * and evhttp waits for "more data".  (The socket bufferevent freezes only
 * the buffer's end, around its own reads.)  The guard keeps the front
 * frozen from the first byte of a request until it allows the head, and
 * again from the moment the request is dispatched (evhttp has taken all
 * of it out by then) until its reply has gone out; so evhttp never parses
 * a byte the guard has not read first.  A head allowed inside the input
 * callback is parsed by evhttp's read callback, which the bufferevent
 * runs right after; one allowed later (after a database lookup, or a
 * pipelined request examined once the reply before it went out) has
 * evhttp's read callback run by the guard from its own event, outside
 * any of libevent's callbacks on that connection.  While the application
 * decides, the guard reads nothing from the socket: what waits in memory
 * is the head and at most one read (4 KiB) more.  evhttp's own header
 * limit is set above the guard's (http.c) so that it never fires first.
 *
 * A refusal is written straight to the socket: evhttp is reading, so its
 * output buffer is empty, and its write callback must not be started
 * (after a first reply it would take the refusal for the end of that
 * reply).  The socket is then shut for writing, and what the client
 * still sends is read and dropped for LINGER_MS, so that it reads the
 * answer rather than a reset; then the connection is ended.
 *
 * Lifetimes.  The guard holds a reference on each bufferevent, so that
 * its memory and its socket outlive evhttp's use of it: bufferevent_free
 * clears the callbacks and drops evhttp's reference, and the guard's
 * sweep (four times a second), seeing no callbacks left, drops its own --
 * which closes the socket.  A closed connection thus holds its
 * descriptor up to 250 ms more, and a descriptor number is never reused
 * under the guard.  A connection waiting for the application's answer is
 * kept until the answer comes.  The same sweep cuts connections quiet
 * past their deadline and ends lingering ones.
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
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "manifest/strmap.h"
#include "manifest/util.h"

#include "daemon/http/conn.h"
#include "daemon/http/conn_int.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/loopprio.h"
#include "daemon/http/reqhead.h"

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
int64_t
guarded_deadline_ms(const struct guarded *c)
{
	const struct conn_guard_limits	*l = &c->g->lim;

	return c->started_ms + (int64_t)l->request_timeout_s * 1000 +
	    (int64_t)(c->bytes * 1000 / (uint64_t)l->request_min_rate);
}

/* True once evhttp has freed the connection (bufferevent_free). */
bool
guarded_released(const struct guarded *c)
{
	bufferevent_event_cb	eventcb;

	bufferevent_getcb(c->bev, NULL, NULL, &eventcb, NULL);
	return eventcb == NULL;
}

/* Holds evhttp off the input, or lets it read again. */
void
guarded_freeze(struct guarded *c, bool on)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);

	if (on)
		evbuffer_freeze(in, 1);
	else
		evbuffer_unfreeze(in, 1);
	c->frozen = on;
}

/*
 * Copies n bytes at offset off of the input (a frozen front refuses
 * even copies); 0 or -1.
 */
int
guarded_copy(struct guarded *c, size_t off, char *out, size_t n)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer_ptr	 pos;
	ev_ssize_t		 got = -1;

	evbuffer_unfreeze(in, 1);
	if (evbuffer_ptr_set(in, &pos, off, EVBUFFER_PTR_SET) == 0)
		got = evbuffer_copyout_from(in, &pos, out, n);
	if (c->frozen)
		evbuffer_freeze(in, 1);
	return got == (ev_ssize_t)n ? 0 : -1;
}

/* Drops everything the client sent so far; evhttp is held off after. */
void
guarded_drain(struct guarded *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);

	evbuffer_unfreeze(in, 1);
	evbuffer_drain(in, evbuffer_get_length(in));
	guarded_freeze(c, true);
}

/* Has guard_later_cb see to c, after the current callback. */
void
guarded_later(struct guarded *c)
{
	if (c->later)
		return;
	c->later = true;
	LIST_INSERT_HEAD(&c->g->later, c, later_entry);
	event_active(c->g->later_ev, EV_TIMEOUT, 0);
}

/*
 * Ends the connection: shut, and evhttp told the stream ended, which
 * frees it (from inside a libevent callback the shutdown's end of
 * stream, or the next sweep, does it).
 */
void
guarded_end(struct guarded *c)
{
	evutil_socket_t	fd = bufferevent_getfd(c->bev);

	c->ending = true;
	guarded_uncount(c);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	guarded_drain(c);	/* evhttp parses nothing more */
	if (!c->in_guard && !guarded_released(c))
		bufferevent_trigger_event(c->bev, BEV_EVENT_READING |
		    BEV_EVENT_EOF, 0);
}

/* The request is too slow: ended and logged. */
void
guarded_cut(struct guarded *c, int64_t now)
{
	if (c->cut)
		return;
	c->cut = true;
	c->g->stats.cut++;
	log_warnx("http: connection from %s cut: %s not complete after "
	    "%lld ms (%llu bytes; request_timeout_s %d, request_min_rate %d)",
	    c->peer, c->tls && c->bytes == 0 ? "TLS handshake or request" :
	    "request", (long long)(now - c->started_ms),
	    (unsigned long long)c->bytes, c->g->lim.request_timeout_s,
	    c->g->lim.request_min_rate);
	guarded_end(c);
}

/*
 * Bytes landed in a connection's input buffer (or evhttp took some out),
 * before evhttp's read callback sees them.
 */
static void
guarded_input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct guarded	*c = arg;

	(void)buf;
	if (info->n_added == 0 || c->in_guard)
		return;
	c->in_guard = true;
	if (!c->admitted)
		guarded_admit(c);
	if (c->ending || c->cut)
		guarded_drain(c);
	else
		guarded_landed(c, info->n_added);
	c->in_guard = false;
}

/*
 * Bytes queued on a connection's output.  A reply the router did not
 * send (c not busy) is one evhttp sent itself -- a request it could not
 * parse after the guard let it through -- and evhttp logs nothing: say
 * it here, once per connection, and end the connection after it.
 */
static void
guarded_output_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct guarded	*c = arg;
	char		 line[40];
	ev_ssize_t	 n;
	size_t		 len;

	if (info->n_added == 0 || c->state == G_BUSY || c->refusal_logged)
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
	log_warnx("http: connection from %s: request refused before routing: "
	    "%s (answered by libevent)", c->peer, line + 9);
	if (c->state != G_REFUSED) {
		conn_budget_release(c);
		c->state = G_REFUSED;
		c->linger_until_ms = daemon_now_ms() + LINGER_MS;
	}
}

/* evhttp let go of c's bufferevent: drop ours, which closes the socket. */
static void
guarded_release(struct guarded *c)
{
	struct conn_guard	*g = c->g;

	LIST_REMOVE(c, entry);
	if (c->later)
		LIST_REMOVE(c, later_entry);
	guarded_uncount(c);
	conn_budget_release(c);
	reqhead_clear(&c->head);
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

/* One connection at the sweep. */
static void
guarded_sweep(struct guarded *c, int64_t now)
{
	if (guarded_released(c)) {
		if (!c->waiting)
			guarded_release(c);
		return;
	}
	if (c->ending)
		bufferevent_trigger_event(c->bev, BEV_EVENT_READING |
		    BEV_EVENT_EOF, 0);
	else if (c->state == G_REFUSED) {
		if (now > c->linger_until_ms)
			guarded_end(c);
	} else if (c->started_ms != 0 && c->state != G_BUSY &&
	    c->state != G_WAIT && now > guarded_deadline_ms(c))
		guarded_cut(c, now);
}

/*
 * Every GUARD_SWEEP_MS: let go of closed connections, cut quiet late
 * ones, end lingering ones; every SUMMARY_MS, the per-client summaries.
 */
static void
guard_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn_guard	*g = arg;
	struct guarded		*c, *next;
	struct client		*cl;
	int64_t			 now = daemon_now_ms();
	int			 i;

	(void)fd;
	(void)what;
	for (i = 0; i < GUARD_BUCKETS; i++) {
		for (c = LIST_FIRST(&g->table[i]); c != NULL; c = next) {
			next = LIST_NEXT(c, entry);
			guarded_sweep(c, now);
		}
	}
	if (now < g->summary_ms)
		return;
	g->summary_ms = now + SUMMARY_MS;
	for (i = 0; i < GUARD_BUCKETS; i++)
		for (cl = LIST_FIRST(&g->clients[i]); cl != NULL;
		    cl = LIST_NEXT(cl, entry))
			conn_client_summary(g, cl);
}

/*
 * The guard's own event: connections just accepted are counted against
 * their client, and a connection whose reply went out has what already
 * waits in its input examined as the next request's head.
 */
static void
guard_later_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn_guard	*g = arg;
	struct guarded		*c;

	(void)fd;
	(void)what;
	while ((c = LIST_FIRST(&g->later)) != NULL) {
		LIST_REMOVE(c, later_entry);
		c->later = false;
		if (guarded_released(c))
			continue;
		guarded_admit(c);
		if (c->ending || c->state != G_HEAD || c->head_len != 0 ||
		    evbuffer_get_length(bufferevent_get_input(c->bev)) == 0)
			continue;
		if (c->started_ms == 0) {
			c->started_ms = daemon_now_ms();
			c->bytes = evbuffer_get_length(bufferevent_get_input(
			    c->bev));
		}
		guarded_examine_head(c);
	}
}

/*
 * The bufferevent of a socket just accepted: in clear, or an OpenSSL
 * one that handshakes as the server (its SSL freed with it).  A client
 * that leaves without TLS's close_notify has ended its stream all the
 * same (a "dirty" shutdown is an end of file, not an error).
 */
static struct bufferevent *
guard_bev_new(struct conn_guard *g, struct event_base *base)
{
	struct bufferevent	*bev;
	SSL			*ssl;

	if (g->tls == NULL)
		return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if ((ssl = SSL_new(g->tls)) == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);	/* libevent 2.1 lets go of it on failure */
		return NULL;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

/* evhttp accepted a socket: the bufferevent it is to use. */
static struct bufferevent *
guard_bevcb(struct event_base *base, void *arg)
{
	struct conn_guard	*g = arg;
	struct guarded		*c;

	c = xcalloc(1, sizeof *c);
	c->g = g;
	c->wait.c = c;
	c->head.content_length = -1;
	c->bev = guard_bev_new(g, base);
	c->tls = g->tls != NULL;
	if (c->tls) {
		/* The handshake is on the first request's clock. */
		c->started_ms = daemon_now_ms();
	}
	if (c->bev == NULL ||
	    evbuffer_add_cb(bufferevent_get_input(c->bev), guarded_input_cb,
	    c) == NULL ||
	    evbuffer_add_cb(bufferevent_get_output(c->bev), guarded_output_cb,
	    c) == NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		free(c);
		/*
		 * evhttp makes its own plain bufferevent: served, unguarded.
		 * Never in clear on the TLS port: out of memory is fatal.
		 */
		if (g->tls != NULL)
			fatalx("cannot make a TLS connection's bufferevent");
		return NULL;
	}
	bufferevent_incref(c->bev);
	/* A reader until its head says otherwise (guarded_prioritise). */
	(void)bufferevent_priority_set(c->bev, LOOPPRIO_READ);
	guarded_freeze(c, true);
	LIST_INSERT_HEAD(bucket(g, c->bev), c, entry);
	/* Its socket is set once this returns: counted from the event. */
	guarded_later(c);
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
    struct evhttp_bound_socket *sock, const struct conn_guard_limits *lim,
    const struct conn_hooks *hooks)
{
	struct conn_guard	*g;
	int			 i;

	g = xcalloc(1, sizeof *g);
	g->base = base;
	g->lim = *lim;
	g->hooks = *hooks;
	if (g->lim.request_min_rate < 1)
		g->lim.request_min_rate = 1;
	if (g->lim.max_connections < 1)
		g->lim.max_connections = 1;
	if (g->lim.max_connections_per_client < 1)
		g->lim.max_connections_per_client = 1;
	if (g->lim.body_budget < g->lim.max_body)
		g->lim.body_budget = g->lim.max_body;
	for (i = 0; i < GUARD_BUCKETS; i++) {
		LIST_INIT(&g->table[i]);
		LIST_INIT(&g->clients[i]);
	}
	LIST_INIT(&g->later);
	g->listener = sock != NULL ? evhttp_bound_socket_get_listener(sock) :
	    NULL;
	g->sweep = event_new(base, -1, EV_PERSIST, guard_sweep_cb, g);
	g->later_ev = event_new(base, -1, 0, guard_later_cb, g);
	if (g->sweep == NULL || g->later_ev == NULL)
		fatalx("event_new failed");
	event_add(g->sweep, &(struct timeval){ 0, GUARD_SWEEP_MS * 1000 });
	g->summary_ms = daemon_now_ms() + SUMMARY_MS;
	evhttp_set_bevcb(http, guard_bevcb, g);
	return g;
}

void
conn_guard_set_tls(struct conn_guard *g, SSL_CTX *ctx)
{
	SSL_CTX_free(g->tls);
	g->tls = ctx;
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
	struct client	*cl;
	int		 i;

	if (g == NULL)
		return;
	g->listener = NULL;
	event_free(g->sweep);
	event_free(g->later_ev);
	for (i = 0; i < GUARD_BUCKETS; i++)
		while ((c = LIST_FIRST(&g->table[i])) != NULL)
			guarded_release(c);
	for (i = 0; i < GUARD_BUCKETS; i++)
		while ((cl = LIST_FIRST(&g->clients[i])) != NULL) {
			LIST_REMOVE(cl, entry);
			free(cl);
		}
	SSL_CTX_free(g->tls);
	free(g);
}

void
conn_guard_resume(struct conn_wait *w, const struct conn_refusal *r)
{
	struct guarded	*c = w->c;

	c->waiting = false;
	if (guarded_released(c) || c->ending || c->state != G_WAIT)
		return;
	if (r != NULL)
		guarded_refuse(c, r);
	else
		guarded_allow(c);
}

/* The reply went out: the connection's next byte starts a new request. */
static void
guarded_reply_sent(struct evhttp_request *req, void *arg)
{
	struct guarded	*c = arg;

	(void)req;
	conn_budget_release(c);
	c->state = G_HEAD;
	c->started_ms = 0;
	c->head_len = 0;
	memset(&c->scan, 0, sizeof c->scan);
	/* A request already waiting is examined once evhttp is reading. */
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		guarded_later(c);
}

/* evhttp frees the connection: it no longer counts against its client. */
static void
guarded_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	guarded_uncount(arg);
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
	/* evhttp took the whole request out: what follows waits. */
	guarded_freeze(c, true);
	c->state = G_BUSY;
	reqhead_clear(&c->head);
	evhttp_request_set_on_complete_cb(req, guarded_reply_sent, c);
	evhttp_connection_set_closecb(evcon, guarded_closed_cb, c);
}

void
conn_guard_get_stats(const struct conn_guard *g, struct conn_stats *out)
{
	*out = g->stats;
	out->body_budget = g->lim.body_budget;
}
