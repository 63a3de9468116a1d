/*
 * peer_fetch.c -- asking the neighbour, over the link's mutual TLS, for
 * the checkpoints of our audit chain it holds (GET /v1/peer/checkpoints,
 * answered by peer_in.c), so that GET /v1/audit/verify compares our
 * chain with copies no one here can reach.  Loop thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "manifest/util.h"

#include "daemon/daemon.h"
#include "daemon/peer/peer.h"
#include "daemon/peer/peer_link.h"

#define FETCH_PATH	"/v1/peer/checkpoints"
#define FETCH_TIMEOUT_S	10

struct peer_fetch {
	struct peer_link		*l;
	struct evhttp_uri		*uri;
	struct evhttp_connection	*conn;
	peer_fetch_cb			 cb;
	void				*arg;
};

/* After the request's callback has returned: its connection may go. */
static void
fetch_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer_fetch	*f = arg;

	if (f->conn != NULL)
		evhttp_connection_free(f->conn);
	if (f->uri != NULL)
		evhttp_uri_free(f->uri);
	f->l->receiving--;
	free(f);
}

static void
fetch_end(struct peer_fetch *f, int status, const char *body, size_t len,
    const char *error)
{
	f->cb(status, body, len, error, f->arg);
	event_base_once(f->l->d->base, -1, EV_TIMEOUT, fetch_free_cb, f, NULL);
}

static void
fetch_done_cb(struct evhttp_request *req, void *arg)
{
	struct peer_fetch	*f = arg;
	struct evbuffer		*in;
	char			*body, error[128];
	size_t			 len;
	int			 status = req != NULL ?
				    evhttp_request_get_response_code(req) : 0;

	if (status == 0) {
		unsigned long	 e = ERR_get_error();
		const char	*why = e != 0 ? ERR_reason_error_string(e) : NULL;

		snprintf(error, sizeof error, "no answer from %s (%s)",
		    f->l->neighbour, why != NULL ? why :
		    "connection refused, reset or timed out");
		ERR_clear_error();
		fetch_end(f, 0, NULL, 0, error);
		return;
	}
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	body = xmalloc(len + 1);
	evbuffer_remove(in, body, len);
	body[len] = '\0';
	snprintf(error, sizeof error, "%s answered HTTP %d", f->l->neighbour,
	    status);
	fetch_end(f, status, body, len, status == 200 ? NULL : error);
	free(body);
}

void
peer_fetch_checkpoints(struct peer_link *l, peer_fetch_cb cb, void *arg)
{
	struct peer_fetch	*f = xcalloc(1, sizeof *f);
	struct evhttp_request	*req;
	struct bufferevent	*bev;
	const char		*host;
	SSL			*ssl;
	int			 port;

	f->l = l;
	f->cb = cb;
	f->arg = arg;
	l->receiving++;		/* the link is not freed under it */
	f->uri = evhttp_uri_parse(l->d->cfg.peer_url);
	if (f->uri == NULL || (host = evhttp_uri_get_host(f->uri)) == NULL) {
		fetch_end(f, 0, NULL, 0, "bad [peer] url");
		return;
	}
	port = evhttp_uri_get_port(f->uri);
	ssl = SSL_new(l->client_ctx);
	SSL_set_tlsext_host_name(ssl, l->neighbour);
	SSL_set1_host(ssl, l->neighbour);
	bev = bufferevent_openssl_socket_new(l->d->base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE |
	    BEV_OPT_DEFER_CALLBACKS);
	f->conn = evhttp_connection_base_bufferevent_new(l->d->base, NULL, bev,
	    host, (unsigned short)(port > 0 ? port : 443));
	evhttp_connection_set_timeout(f->conn, FETCH_TIMEOUT_S);
	req = evhttp_request_new(fetch_done_cb, f);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
	    l->neighbour);
	if (evhttp_make_request(f->conn, req, EVHTTP_REQ_GET, FETCH_PATH) != 0)
		fetch_end(f, 0, NULL, 0, "request not sent");
}

const struct sign_key *
peer_link_signing_key(const struct peer_link *l)
{
	return l->signing;
}

const char *
peer_link_name(const struct peer_link *l)
{
	return l->name;
}

const char *
peer_link_neighbour(const struct peer_link *l)
{
	return l->neighbour;
}
