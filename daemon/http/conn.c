/*
 * conn.c -- the guard on the API's client connections (see conn.h).
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
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "manifest/strmap.h"
#include "manifest/util.h"

#include "daemon/http/conn.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/http/reqhead.h"

#define GUARD_BUCKETS	256	/* a power of two */
#define GUARD_SWEEP_MS	250
#define LINGER_MS	2000	/* reading and dropping after a refusal */
#define SUMMARY_MS	10000	/* per-client refusals logged this often */
#define PIPELINE_MAX	REQHEAD_MAX /* next request read while one is answered */
#define BUDGET_RETRY_S	5

enum guarded_state {
	G_HEAD,		/* reading a head; evhttp held off */
	G_WAIT,		/* head read; the application's answer to come */
	G_BODY,		/* allowed: evhttp reads the body, the guard counts */
	G_DONE,		/* body complete; evhttp about to dispatch */
	G_BUSY,		/* dispatched, not yet answered; evhttp held off */
	G_REFUSED,	/* answered without routing: dropping input */
};

/* One client's open connections. */
struct client {
	char			 key[CONN_CLIENT_LEN];
	int			 open;
	uint64_t		 refused;	/* since the last summary */
	LIST_ENTRY(client)	 entry;
};
LIST_HEAD(client_list, client);

struct guarded;
struct conn_wait {
	struct guarded	*c;
};

struct guarded {
	struct conn_guard	*g;
	struct bufferevent	*bev;		/* evhttp's; one reference ours */
	struct client		*client;	/* counted under; NULL: not */
	char			 key[CONN_CLIENT_LEN];
	char			 peer[CONN_CLIENT_LEN + 8];
	enum guarded_state	 state;
	int64_t			 started_ms;	/* first byte; 0: no request */
	uint64_t		 bytes;		/* of the request so far */
	bool			 admitted;	/* counted against its client */
	bool			 cut;
	bool			 ending;	/* guarded_end called */
	bool			 refusal_logged;
	bool			 waiting;	/* a conn_wait is out */
	bool			 in_guard;	/* inside a libevent callback of ours */
	bool			 frozen;	/* evhttp held off the input */
	bool			 later;		/* on the guard's later list */
	struct reqhead_scan	 scan;
	size_t			 head_len;	/* 0: head not complete */
	struct reqhead		 head;
	int64_t			 body_left;	/* Content-Length bytes to come */
	uint64_t		 body_max;	/* what the request's route takes */
	struct reqhead_chunks	 chunks;
	uint64_t		 reserved;	/* of the body budget */
	int64_t			 linger_until_ms;
	struct conn_wait	 wait;
	LIST_ENTRY(guarded)	 entry;
	LIST_ENTRY(guarded)	 later_entry;
};
LIST_HEAD(guarded_list, guarded);

struct conn_guard {
	struct event_base	*base;
	struct evconnlistener	*listener;	/* borrowed; NULL when gone */
	struct conn_guard_limits lim;
	struct conn_hooks	 hooks;
	bool			 paused;
	struct event		*sweep;
	struct event		*later_ev;	/* admissions and rescans */
	struct guarded_list	 later;
	int64_t			 summary_ms;	/* next per-client summary */
	struct conn_stats	 stats;
	struct guarded_list	 table[GUARD_BUCKETS];
	struct client_list	 clients[GUARD_BUCKETS];
};

static void guarded_examine_head(struct guarded *);
static void guarded_refuse(struct guarded *, const struct conn_refusal *);

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

void
conn_client_key(const struct sockaddr *sa, char *out, size_t size)
{
	const struct sockaddr_in6	*a6;
	struct in6_addr			 net;
	char				 host[INET6_ADDRSTRLEN] = "?";

	if (sa != NULL && sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    host, sizeof host);
		snprintf(out, size, "%s", host);
		return;
	}
	if (sa == NULL || sa->sa_family != AF_INET6) {
		snprintf(out, size, "?");
		return;
	}
	a6 = (const struct sockaddr_in6 *)sa;
	if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
		inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], host, sizeof host);
		snprintf(out, size, "%s", host);
		return;
	}
	net = a6->sin6_addr;
	memset(&net.s6_addr[8], 0, 8);
	inet_ntop(AF_INET6, &net, host, sizeof host);
	snprintf(out, size, "%s/64", host);
}

/* The client's key and "address:port", from the socket. */
static void
guarded_name(struct guarded *c)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;
	evutil_socket_t		fd = bufferevent_getfd(c->bev);
	char			host[INET6_ADDRSTRLEN] = "?";
	unsigned		port = 0;

	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0) {
		snprintf(c->key, sizeof c->key, "?");
		snprintf(c->peer, sizeof c->peer, "?");
		return;
	}
	conn_client_key((struct sockaddr *)&ss, c->key, sizeof c->key);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
		port = ntohs(a->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
		port = ntohs(a->sin6_port);
	}
	snprintf(c->peer, sizeof c->peer, "%s:%u", host, port);
}

static struct client_list *
client_bucket(struct conn_guard *g, const char *key)
{
	return &g->clients[strmap_hash(key, strlen(key)) & (GUARD_BUCKETS - 1)];
}

/* The client of that key, made when absent. */
static struct client *
client_get(struct conn_guard *g, const char *key)
{
	struct client_list	*b = client_bucket(g, key);
	struct client		*cl;

	LIST_FOREACH(cl, b, entry)
		if (strcmp(cl->key, key) == 0)
			return cl;
	cl = xcalloc(1, sizeof *cl);
	snprintf(cl->key, sizeof cl->key, "%s", key);
	LIST_INSERT_HEAD(b, cl, entry);
	return cl;
}

/* Logs a client's refused connections since the last time, if any. */
static void
client_summary(struct conn_guard *g, struct client *cl)
{
	if (cl->refused == 0)
		return;
	log_warnx("http: %s: %llu connection%s refused in the last %d s: "
	    "max_connections_per_client (%d) open already", cl->key,
	    (unsigned long long)cl->refused, cl->refused == 1 ? "" : "s",
	    SUMMARY_MS / 1000, g->lim.max_connections_per_client);
	cl->refused = 0;
}

/* c no longer counts against its client (closed, or on its way out). */
static void
guarded_uncount(struct guarded *c)
{
	struct client	*cl = c->client;

	if (cl == NULL)
		return;
	c->client = NULL;
	if (--cl->open > 0)
		return;
	client_summary(c->g, cl);
	LIST_REMOVE(cl, entry);
	free(cl);
}

/* When the request on c must be complete, in monotonic ms. */
static int64_t
deadline_ms(const struct guarded *c)
{
	const struct conn_guard_limits	*l = &c->g->lim;

	return c->started_ms + (int64_t)l->request_timeout_s * 1000 +
	    (int64_t)(c->bytes * 1000 / (uint64_t)l->request_min_rate);
}

/* True once evhttp has freed the connection (bufferevent_free). */
static bool
guarded_released(const struct guarded *c)
{
	bufferevent_event_cb	eventcb;

	bufferevent_getcb(c->bev, NULL, NULL, &eventcb, NULL);
	return eventcb == NULL;
}

/* Holds evhttp off the input, or lets it read again. */
static void
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
static int
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
static void
guarded_drain(struct guarded *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);

	evbuffer_unfreeze(in, 1);
	evbuffer_drain(in, evbuffer_get_length(in));
	guarded_freeze(c, true);
}

/* Has guard_later_cb see to c, after the current callback. */
static void
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
static void
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
static void
guarded_cut(struct guarded *c, int64_t now)
{
	if (c->cut)
		return;
	c->cut = true;
	c->g->stats.cut++;
	log_warnx("http: connection from %s cut: request not complete after "
	    "%lld ms (%llu bytes; request_timeout_s %d, request_min_rate %d)",
	    c->peer, (long long)(now - c->started_ms),
	    (unsigned long long)c->bytes, c->g->lim.request_timeout_s,
	    c->g->lim.request_min_rate);
	guarded_end(c);
}

/* Takes n bytes of the body budget for c; false when they are not left. */
static bool
budget_take(struct guarded *c, uint64_t n)
{
	struct conn_guard	*g = c->g;

	if (g->stats.body_bytes + n > g->lim.body_budget)
		return false;
	g->stats.body_bytes += n;
	c->reserved += n;
	return true;
}

static void
budget_release(struct guarded *c)
{
	c->g->stats.body_bytes -= c->reserved;
	c->reserved = 0;
}

/* A refusal of the guard's own, before routing. */
static void
guarded_refuse_own(struct guarded *c, int status, const char *title,
    const char *detail)
{
	struct conn_refusal	r;

	memset(&r, 0, sizeof r);
	r.status = status;
	r.title = title;
	r.before_routing = true;
	snprintf(r.detail, sizeof r.detail, "%s", detail);
	guarded_refuse(c, &r);
}

/* The body budget is spent: 503, to come back later. */
static void
guarded_refuse_budget(struct guarded *c, uint64_t want)
{
	struct conn_refusal	r;

	memset(&r, 0, sizeof r);
	r.status = 503;
	r.title = "Service Unavailable";
	r.retry_after_s = BUDGET_RETRY_S;
	snprintf(r.detail, sizeof r.detail, "request bodies being received "
	    "take %llu of the %llu MiB of max_body_memory_mb; this one needs "
	    "%llu bytes more; retry later",
	    (unsigned long long)(c->g->stats.body_bytes >> 20),
	    (unsigned long long)(c->g->lim.body_budget >> 20),
	    (unsigned long long)want);
	c->g->stats.budget_refused++;
	guarded_refuse(c, &r);
}

/* What the guard read of c's request, for the application. */
static void
guarded_request_head(const struct guarded *c, struct conn_request_head *h)
{
	memset(h, 0, sizeof *h);
	h->method = c->head.method != NULL ? c->head.method : "?";
	h->target = c->head.target != NULL ? c->head.target : "";
	h->authorization = c->head.authorization;
	h->client = c->key;
	h->peer = c->peer;
	h->content_length = c->head.content_length;
	h->chunked = c->head.chunked;
	h->is_head = c->head.is_head;
}

/*
 * Answers c's request with r (rendered by the application), shuts the
 * socket for writing and drops what still comes for LINGER_MS.
 */
static void
guarded_refuse(struct guarded *c, const struct conn_refusal *r)
{
	struct conn_request_head h;
	evutil_socket_t		 fd = bufferevent_getfd(c->bev);
	char			*resp;
	size_t			 len = 0;
	ssize_t			 sent = -1;

	guarded_request_head(c, &h);
	resp = c->g->hooks.render(&h, r, &len, c->g->hooks.arg);
	c->g->stats.head_refused++;
	if (fd >= 0 && evbuffer_get_length(bufferevent_get_output(c->bev)) ==
	    0)
		sent = send(fd, resp, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	free(resp);
	reqhead_clear(&c->head);
	budget_release(c);
	c->state = G_REFUSED;
	c->linger_until_ms = daemon_now_ms() + LINGER_MS;
	if (sent < 0 || (size_t)sent != len) {
		guarded_end(c);
		return;
	}
	guarded_uncount(c);
	shutdown(fd, SHUT_WR);
	guarded_drain(c);
	bufferevent_enable(c->bev, EV_READ);
}

/*
 * Reads n bytes of a chunked body's framing: each chunk's size is checked
 * against what the request's route takes (body_max, at most max_body_mb)
 * and taken from the budget.  False once refused.
 */
static bool
guarded_feed_chunks(struct guarded *c, const char *p, size_t n)
{
	struct reqhead_error	 err;
	char			 detail[160];
	size_t			 used;
	int			 rc;

	memset(&err, 0, sizeof err);
	while (n > 0 && c->state == G_BODY) {
		rc = reqhead_chunks_feed(&c->chunks, p, n, &used, &err);
		p += used;
		n -= used;
		if (rc == REQHEAD_CHUNK_BAD) {
			guarded_refuse_own(c, err.status, err.title, err.detail);
			return false;
		}
		if (rc == REQHEAD_CHUNK_END)
			c->state = G_DONE;
		if (rc != REQHEAD_CHUNK_SIZE)
			continue;
		if (c->chunks.total > c->body_max) {
			snprintf(detail, sizeof detail, "the chunked body is over "
			    "the %llu bytes this request may send",
			    (unsigned long long)c->body_max);
			guarded_refuse_own(c, 413, "Payload Too Large", detail);
			return false;
		}
		if (!budget_take(c, c->chunks.size)) {
			guarded_refuse_budget(c, c->chunks.size);
			return false;
		}
	}
	return true;
}

/* Counts n body bytes of c's request, at offset off of the input. */
static void
guarded_count_body(struct guarded *c, size_t off, size_t n)
{
	char	tmp[4096];
	size_t	piece;

	if (!c->head.chunked) {
		c->body_left -= (int64_t)n < c->body_left ? (int64_t)n :
		    c->body_left;
		if (c->body_left == 0)
			c->state = G_DONE;
		return;
	}
	while (n > 0 && c->state == G_BODY) {
		piece = n < sizeof tmp ? n : sizeof tmp;
		if (guarded_copy(c, off, tmp, piece) < 0 ||
		    !guarded_feed_chunks(c, tmp, piece))
			return;
		off += piece;
		n -= piece;
	}
}

/*
 * The head may go on: its body is taken from the budget and evhttp let
 * at the input.  Outside a libevent callback of this connection, evhttp's
 * read callback is run here (nothing else would run it).
 */
static void
guarded_allow(struct guarded *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	int64_t		 cl = c->head.content_length;
	size_t		 extra;

	if (cl > 0 && !budget_take(c, (uint64_t)cl)) {
		guarded_refuse_budget(c, (uint64_t)cl);
		return;
	}
	c->state = c->head.chunked || cl > 0 ? G_BODY : G_DONE;
	c->body_left = cl > 0 ? cl : 0;
	memset(&c->chunks, 0, sizeof c->chunks);
	extra = evbuffer_get_length(in) - c->head_len;
	if (c->state == G_BODY && extra > 0)
		guarded_count_body(c, c->head_len, extra);
	if (c->state == G_REFUSED || c->ending)
		return;
	guarded_freeze(c, false);
	if (!c->in_guard) {
		bufferevent_enable(c->bev, EV_READ);
		bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS);
	}
}

/* A head is complete: checked here, then put to the application. */
static void
guarded_head_complete(struct guarded *c)
{
	struct conn_request_head h;
	struct conn_refusal	 r;
	struct reqhead_error	 err;
	char			*text, detail[160];
	enum conn_verdict	 v;

	text = xmalloc(c->head_len);
	memset(&err, 0, sizeof err);
	if (guarded_copy(c, 0, text, c->head_len) < 0) {
		free(text);
		guarded_end(c);
		return;
	}
	if (reqhead_parse(&c->head, text, c->head_len, &err) < 0) {
		free(text);
		guarded_refuse_own(c, err.status, err.title, err.detail);
		return;
	}
	free(text);
	if (c->head.content_length > 0 &&
	    (uint64_t)c->head.content_length > c->g->lim.max_body) {
		snprintf(detail, sizeof detail, "Content-Length %lld is over "
		    "max_body_mb (%llu MiB)", (long long)c->head.content_length,
		    (unsigned long long)(c->g->lim.max_body >> 20));
		guarded_refuse_own(c, 413, "Payload Too Large", detail);
		return;
	}
	guarded_request_head(c, &h);
	memset(&r, 0, sizeof r);
	c->state = G_WAIT;
	c->waiting = true;
	c->body_max = c->g->lim.max_body;
	v = c->g->hooks.head(&h, &c->wait, &r, &c->body_max,
	    c->g->hooks.arg);
	if (v == CONN_WAIT) {
		/* Unless answered already: nothing more from the socket. */
		if (c->waiting)
			bufferevent_disable(c->bev, EV_READ);
		return;
	}
	c->waiting = false;
	if (v == CONN_REFUSE)
		guarded_refuse(c, &r);
	else
		guarded_allow(c);
}

/* Looks for the end of the head in what has arrived. */
static void
guarded_examine_head(struct guarded *c)
{
	size_t	len = evbuffer_get_length(bufferevent_get_input(c->bev)), n;
	char	tmp[4096];

	while (c->head_len == 0 && c->scan.scanned < len &&
	    c->scan.scanned <= REQHEAD_MAX) {
		n = len - c->scan.scanned < sizeof tmp ? len - c->scan.scanned :
		    sizeof tmp;
		if (guarded_copy(c, c->scan.scanned, tmp, n) < 0)
			return;
		c->head_len = reqhead_scan_feed(&c->scan, tmp, n);
	}
	if (c->head_len > REQHEAD_MAX ||
	    (c->head_len == 0 && c->scan.scanned > REQHEAD_MAX)) {
		guarded_refuse_own(c, 431, "Request Header Fields Too Large",
		    "the request line and headers are over 64 KiB");
		return;
	}
	if (c->head_len != 0)
		guarded_head_complete(c);
}

/* Counts c against its client; ends it when the client has too many. */
static void
guarded_admit(struct guarded *c)
{
	struct client	*cl;

	if (c->admitted)
		return;
	c->admitted = true;
	guarded_name(c);
	cl = client_get(c->g, c->key);
	if (cl->open >= c->g->lim.max_connections_per_client) {
		cl->refused++;
		c->g->stats.client_refused++;
		c->client = cl;
		cl->open++;	/* guarded_end uncounts it, freeing cl if idle */
		guarded_end(c);
		return;
	}
	cl->open++;
	c->client = cl;
}

/* Bytes landed in the input while a request head or body comes in. */
static void
guarded_landed(struct guarded *c, size_t n)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	int64_t		 now;

	switch (c->state) {
	case G_REFUSED:
		guarded_drain(c);
		return;
	case G_WAIT:
		bufferevent_disable(c->bev, EV_READ);
		return;
	case G_BUSY:
		/* A next request, read while this one is answered: bounded. */
		if (evbuffer_get_length(in) > PIPELINE_MAX)
			bufferevent_disable(c->bev, EV_READ);
		return;
	default:
		break;
	}
	now = daemon_now_ms();
	if (c->started_ms == 0) {
		c->started_ms = now;
		c->bytes = 0;
	}
	c->bytes += n;
	if (now > deadline_ms(c)) {
		guarded_cut(c, now);
		return;
	}
	if (c->state == G_HEAD)
		guarded_examine_head(c);
	else if (c->state == G_BODY)
		guarded_count_body(c, evbuffer_get_length(in) - n, n);
	else if (evbuffer_get_length(in) > PIPELINE_MAX)
		bufferevent_disable(c->bev, EV_READ);
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
		budget_release(c);
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
	budget_release(c);
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
	    c->state != G_WAIT && now > deadline_ms(c))
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
			client_summary(g, cl);
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
	budget_release(c);
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
