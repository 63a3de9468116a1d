/*
 * conn_read.c -- what the connection guard reads of a request: its head,
 * scanned and parsed (reqhead.h) while evhttp is held off, put to the
 * application, then allowed or refused; its body counted as it lands
 * (chunk sizes checked and taken from the budget).  A refusal is written
 * straight to the socket (over TLS, through the bufferevent), which then
 * lingers (conn.c says why).
 */
#include <sys/ioctl.h>
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
#include "daemon/http/conn_int.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/loopprio.h"
#include "daemon/http/reqhead.h"

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
	h->cookie = c->head.cookie;
	h->client = c->key;
	h->peer = c->peer;
	h->content_length = c->head.content_length;
	h->chunked = c->head.chunked;
	h->is_head = c->head.is_head;
}

/*
 * Over TLS the refusal goes through the bufferevent, to be encrypted.
 * evhttp's write callback is taken off the connection first: it would
 * take the refusal's going out for the end of a reply of its own.  The
 * socket is not shut for writing (the refusal may still be queued); the
 * linger ends it.  True when queued.
 */
static bool
guarded_refuse_tls(struct guarded *c, const char *resp, size_t len)
{
	bufferevent_data_cb	readcb;
	bufferevent_event_cb	eventcb;
	void			*arg;

	bufferevent_getcb(c->bev, &readcb, NULL, &eventcb, &arg);
	bufferevent_setcb(c->bev, readcb, NULL, eventcb, arg);
	c->refusal_logged = true;	/* rendered and logged: not evhttp's */
	if (bufferevent_write(c->bev, resp, len) < 0)
		return false;
	bufferevent_enable(c->bev, EV_WRITE);
	return true;
}

/*
 * Answers c's request with r (rendered by the application), shuts the
 * socket for writing and drops what still comes for LINGER_MS.
 */
void
guarded_refuse(struct guarded *c, const struct conn_refusal *r)
{
	struct conn_request_head h;
	evutil_socket_t		 fd = bufferevent_getfd(c->bev);
	char			*resp;
	size_t			 len = 0;
	ssize_t			 sent;
	bool			 ok = false;

	guarded_request_head(c, &h);
	resp = c->g->hooks.render(&h, r, &len, c->g->hooks.arg);
	c->g->stats.head_refused++;
	if (fd >= 0 && evbuffer_get_length(bufferevent_get_output(c->bev)) ==
	    0) {
		if (c->tls)
			ok = guarded_refuse_tls(c, resp, len);
		else {
			sent = send(fd, resp, len, MSG_NOSIGNAL | MSG_DONTWAIT);
			ok = sent >= 0 && (size_t)sent == len;
		}
	}
	free(resp);
	reqhead_clear(&c->head);
	conn_budget_release(c);
	c->state = G_REFUSED;
	c->linger_until_ms = daemon_now_ms() + LINGER_MS;
	if (!ok) {
		guarded_end(c);
		return;
	}
	guarded_uncount(c);
	if (!c->tls)
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
		if (!conn_budget_take(c, c->chunks.size)) {
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
 * A request that changes something (a manifest above all) is read and
 * answered before the reads: its body comes in ahead of every console's
 * poll (loopprio.h).  Reads stay behind, as the connection began.  Only
 * a request the application let in (its token known, its role allowed)
 * is raised: a flood of POSTs without a valid token must not go ahead of
 * the officers' reads.  A TLS bufferevent keeps its priority (libevent
 * 2.1 sets only a socket's).
 */
static void
guarded_prioritise(struct guarded *c)
{
	bool	read = strcmp(c->head.method, "GET") == 0 ||
		    strcmp(c->head.method, "HEAD") == 0;

	(void)bufferevent_priority_set(c->bev, read ? LOOPPRIO_READ :
	    LOOPPRIO_DEFAULT);
}

/*
 * The head may go on: its body is taken from the budget and evhttp let
 * at the input.  Outside a libevent callback of this connection, evhttp's
 * read callback is run here (nothing else would run it).
 */
void
guarded_allow(struct guarded *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	int64_t		 cl = c->head.content_length;
	size_t		 extra;

	guarded_prioritise(c);
	if (cl > 0 && !conn_budget_take(c, (uint64_t)cl)) {
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
void
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

/*
 * libevent 2.1 reads a socket 4 KiB at a time (EVBUFFER_MAX_READ; 2.2
 * makes it a setting): a manifest of 160 MB came in 40,000 turns of the
 * loop, each an epoll_wait, a readv and evhttp's callbacks -- a third of
 * a second before the daemon saw the request.  While a Content-Length
 * body comes in the clear, what the socket holds of it is taken here, up
 * to READ_AHEAD bytes a turn (another connection waits no longer than a
 * copy of that): into the same input buffer, counted as libevent's own
 * reads are, never past the body (the next request stays on the socket)
 * and never while evhttp is held off.  TLS is left to its bufferevent.
 * An error or the end of the stream is left on the socket for libevent's
 * next read to find.
 */
#define READ_AHEAD		((size_t)1 << 20)
#define READ_AHEAD_MIN		((int64_t)16 << 10)
static void
guarded_read_ahead(struct guarded *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	evutil_socket_t	 fd = bufferevent_getfd(c->bev);
	struct evbuffer_iovec v;
	size_t		 want, before;
	ssize_t		 got;
	int		 ready;

	if (c->tls || c->head.chunked || c->frozen || fd < 0 ||
	    c->state != G_BODY || c->body_left < READ_AHEAD_MIN ||
	    !(bufferevent_get_enabled(c->bev) & EV_READ))
		return;
	/* What the socket holds: no bigger a reservation, no vain read. */
	if (ioctl(fd, FIONREAD, &ready) < 0 || ready <= 0)
		return;
	want = (uint64_t)c->body_left < READ_AHEAD ? (size_t)c->body_left :
	    READ_AHEAD;
	if ((size_t)ready < want)
		want = (size_t)ready;
	if (evbuffer_reserve_space(in, (ev_ssize_t)want, &v, 1) != 1)
		return;
	got = recv(fd, v.iov_base, want < v.iov_len ? want : v.iov_len,
	    MSG_DONTWAIT);
	if (got <= 0)
		return;		/* the reservation lapses unused */
	v.iov_len = (size_t)got;
	before = evbuffer_get_length(in);
	if (evbuffer_commit_space(in, &v, 1) != 0)
		return;
	c->bytes += (uint64_t)got;
	guarded_count_body(c, before, (size_t)got);
}

/* Bytes landed in the input while a request head or body comes in. */
void
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
	if (now > guarded_deadline_ms(c)) {
		guarded_cut(c, now);
		return;
	}
	if (c->state == G_HEAD)
		guarded_examine_head(c);
	else if (c->state == G_BODY) {
		guarded_count_body(c, evbuffer_get_length(in) - n, n);
		guarded_read_ahead(c);
	} else if (evbuffer_get_length(in) > PIPELINE_MAX)
		bufferevent_disable(c->bev, EV_READ);
}
