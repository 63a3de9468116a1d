/*
 * http_stream.c -- a reply that goes on (http.h, http_stream_*): the
 * transport of the pushed changes (daemon/stream.c).
 *
 * evhttp's chunked reply (evhttp_send_reply_start / _chunk) carries it.
 * The request stays on its connection, unfinished, for the stream's
 * life; the connection guard (conn.h) counts it busy, so neither its
 * request clock nor its sweep cuts it, and evhttp parses nothing more
 * from it.  evhttp's timeouts are per connection, read and write alike:
 * the read timeout is lifted (a stream client sends nothing after its
 * request, and the idle timeout would end every healthy stream after
 * request_timeout_s) and the write timeout set to the stream's own.
 *
 * When the client goes (end of file, reset, a write timeout), evhttp
 * frees the connection and leaves the unfinished request to its owner
 * with no connection (libevent 2.1: evhttp_connection_incoming_fail);
 * the stream sees that, and http_stream_free gives the request back to
 * evhttp_send_reply_end, which frees it.  evhttp learns of an end of
 * file only when it next writes (the guard holds its input), so the
 * stream watches the socket itself: whatever the client still sends is
 * read and dropped (a request after a stream means nothing), and the end
 * of file or an error closes the stream at once.  It watches a dup(2) of
 * the socket, so that its event never outlives the descriptor number it
 * was made for: once the guard closes its own, that number may be a new
 * client's.  Over TLS the watch reads the encrypted stream under the
 * OpenSSL bufferevent, which is not reading then (evhttp reads nothing
 * while it writes a reply): what it drops is the client's close_notify
 * or nothing, and a stream takes no request after it anyway.  A stream
 * ended by the daemon
 * (a client too slow, the daemon stopping) frees the connection itself
 * with evhttp_connection_free, the request with it, exactly as evhttp
 * does on a failure -- the guard hears of it through the connection's
 * close callback, as for any other connection.
 */
#include <sys/socket.h>

#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "manifest/util.h"

#include "daemon/daemon.h"
#include "daemon/http/http_int.h"
#include "daemon/log.h"

#define HTTP_STREAM_SNDBUF	(64 * 1024)	/* the kernel doubles it */

struct http_stream {
	struct evhttp_request	*req;
	struct event		*watch;		/* the client's end, seen */
	int			 watch_fd;	/* ours: a dup of the socket */
	bool			 closed;
	char			 client[CONN_CLIENT_LEN];
};

/* The client's socket is readable: drop what it sent; its end closes. */
static void
stream_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_stream	*st = arg;
	char			 scratch[512];
	ssize_t			 n;

	(void)what;
	n = recv(fd, scratch, sizeof scratch, 0);
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	st->closed = true;
	event_del(st->watch);
}

struct http_stream *
http_stream_start(struct http_ctx *c, const char *content_type,
    int write_timeout_s)
{
	struct evkeyvalq		*h = evhttp_request_get_output_headers(c->req);
	struct evhttp_connection	*evcon = evhttp_request_get_connection(c->req);
	struct bufferevent		*bev;
	struct http_stream		*st;
	struct timeval			 wt = { write_timeout_s, 0 };
	int				 sndbuf = HTTP_STREAM_SNDBUF;

	st = xcalloc(1, sizeof *st);
	st->req = c->req;
	st->watch_fd = -1;
	memcpy(st->client, c->client, sizeof st->client);
	evhttp_add_header(h, "Content-Type", content_type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Accel-Buffering", "no");
	evhttp_add_header(h, "X-Request-Id", c->id);
	if (c->server != NULL && c->server->tls)
		evhttp_add_header(h, "Strict-Transport-Security", HTTP_HSTS);
	if (evcon != NULL &&
	    (bev = evhttp_connection_get_bufferevent(evcon)) != NULL) {
		bufferevent_set_timeouts(bev, NULL, &wt);
		/*
		 * The kernel's share of what a client has not read: without
		 * this, send-buffer autotuning lets it grow to tcp_wmem's
		 * maximum (4 MiB on Linux) per client, out of the daemon's
		 * sight.
		 */
		setsockopt(bufferevent_getfd(bev), SOL_SOCKET, SO_SNDBUF,
		    &sndbuf, sizeof sndbuf);
		if ((st->watch_fd = dup(bufferevent_getfd(bev))) >= 0 &&
		    (st->watch = event_new(c->d->base, st->watch_fd,
		    EV_READ | EV_PERSIST, stream_watch_cb, st)) != NULL)
			event_add(st->watch, NULL);
	}
	log_info("%s %s %s -> 200 stream (%lld ms, %s)", c->id,
	    http_method_name(evhttp_request_get_command(c->req)),
	    evhttp_request_get_uri(c->req),
	    (long long)(daemon_now_ms() - c->started_ms), c->who.name);
	evhttp_send_reply_start(c->req, 200, "OK");
	http_count_reply(c->server, 200);
	if (c->server != NULL)
		c->server->stats.in_flight--;
	c->req = NULL;
	http_ctx_release(c);
	return st;
}

/* The stream's output buffer, or NULL when the client has gone. */
static struct evbuffer *
stream_output(const struct http_stream *st)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;

	if (st->closed ||
	    (evcon = evhttp_request_get_connection(st->req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return NULL;
	return bufferevent_get_output(bev);
}

int
http_stream_write(struct http_stream *st, const char *data, size_t len)
{
	struct evbuffer	*b;

	if (stream_output(st) == NULL || (b = evbuffer_new()) == NULL)
		return -1;
	evbuffer_add(b, data, len);
	evhttp_send_reply_chunk(st->req, b);
	evbuffer_free(b);
	return 0;
}

size_t
http_stream_pending(const struct http_stream *st)
{
	struct evbuffer	*out = stream_output(st);

	return out != NULL ? evbuffer_get_length(out) : 0;
}

bool
http_stream_is_open(const struct http_stream *st)
{
	return stream_output(st) != NULL;
}

const char *
http_stream_client(const struct http_stream *st)
{
	return st->client;
}

void
http_stream_free(struct http_stream *st)
{
	struct evhttp_connection	*evcon;

	if (st == NULL)
		return;
	if (st->watch != NULL)
		event_free(st->watch);
	if (st->watch_fd >= 0)
		close(st->watch_fd);
	if ((evcon = evhttp_request_get_connection(st->req)) != NULL)
		evhttp_connection_free(evcon);
	else
		evhttp_send_reply_end(st->req);
	free(st);
}
