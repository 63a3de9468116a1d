/*
 * peer_in.c -- the link's listener: POST /v1/peer/messages, mutual TLS.
 *
 * A message is checked in the order that costs least first: the TLS
 * handshake (the pinned CA: a stranger never gets this far), the name in
 * the neighbour's certificate, then on a worker the signature, the
 * timestamp, the size once inflated and the envelope's fields
 * (peer_msg_open).  A good message is recorded once (the inbox, with its
 * manifest or event, in one transaction) and acknowledged; a repeat is
 * acknowledged again and changes nothing.  Every refusal is logged with
 * its reason and answered with a problem document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <jansson.h>

#include "db/checkpoint.h"
#include "db/peer.h"
#include "manifest/util.h"

#include "daemon/checkpoint.h"
#include "daemon/outcome.h"
#include "daemon/daemon.h"
#include "daemon/evaluate.h"
#include "daemon/hooks.h"
#include "daemon/http/http.h"
#include "daemon/ingest.h"
#include "daemon/log.h"
#include "daemon/peer/peer_link.h"
#include "daemon/peer/peer_msg.h"
#include "daemon/pool.h"
#include "daemon/problem.h"
#include "daemon/tls.h"

#define PEER_PATH	"/v1/peer/messages"
#define PEER_CHECKPOINTS_PATH	"/v1/peer/checkpoints"
#define PEER_CHECKPOINTS_MAX	50	/* the latest ones held, to compare */

/* One message being received; owns copies of what arrived. */
struct peer_recv {
	struct peer_link	*l;
	struct evhttp_request	*req;
	char			*hdr[6];	/* id, type, timestamp, sender,
						 * signature, content-encoding */
	unsigned char		*body;
	size_t			 len;
	int64_t			 now;
	struct peer_opened	 opened;
	int			 status;	/* 0: opened */
	char			*cause;
};

static void
peer_recv_free(struct peer_recv *r)
{
	size_t	i;

	for (i = 0; i < nitems(r->hdr); i++)
		free(r->hdr[i]);
	free(r->body);
	free(r->cause);
	peer_opened_clear(&r->opened);
	r->l->receiving--;
	free(r);
}

/* Sends a JSON answer (a problem document when status is not 2xx). */
static void
peer_reply(struct evhttp_request *req, int status, const char *json)
{
	struct evbuffer	*b = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    status / 100 == 2 ? "application/json" : "application/problem+json");
	evbuffer_add(b, json, strlen(json));
	evhttp_send_reply(req, status, status / 100 == 2 ? "OK" : "Refused", b);
	evbuffer_free(b);
}

/* Refuses the message: logged with its reason, answered as a problem. */
static void
peer_refuse(struct peer_link *l, struct evhttp_request *req, int status,
    const char *title, const char *detail)
{
	json_t	*p;
	char	*text;

	l->stats.rejected++;
	log_warnx("peer: message from %s refused (%d %s): %s",
	    evhttp_request_get_host(req) != NULL ?
	    evhttp_request_get_host(req) : "?", status, title, detail);
	p = json_pack("{s:s, s:s, s:i, s:s}", "type", problem_type_uri(title),
	    "title", title, "status", status, "detail", detail);
	text = json_dumps(p, JSON_COMPACT);
	peer_reply(req, status, text);
	free(text);
	json_decref(p);
}

/* The database's verdict on a message, as the answer to the neighbour. */
static void
peer_answer(struct peer_recv *r, int stored, int http_status,
    const char *reply, int duplicate)
{
	struct peer_link	*l = r->l;

	if (!stored)
		peer_refuse(l, r->req, 503, "Service Unavailable",
		    "the message could not be recorded now; send it again");
	else if (http_status / 100 == 2) {
		l->stats.received++;
		if (duplicate)
			l->stats.duplicates++;
		else
			log_info("peer: %s %s for train %s received from %s",
			    peer_msg_type_name(r->opened.type), r->opened.id,
			    r->opened.train != NULL ? r->opened.train : "-",
			    r->opened.sender);
		peer_reply(r->req, http_status, reply);
	} else {
		json_t	*j = reply != NULL ? json_loads(reply, 0, NULL) : NULL;
		const char *detail = json_string_value(json_object_get(j, "detail"));

		peer_refuse(l, r->req, http_status, "Message not usable",
		    detail != NULL ? detail : "refused by the store");
		json_decref(j);
	}
	peer_recv_free(r);
}

/* A pre-arrival's manifest is ingested (or was already here). */
static void
ingested_cb(const struct ingest_result *res, void *arg)
{
	struct peer_recv	*r = arg;

	/* Refused before it reached the database (not the database down). */
	if (!res->stored && res->http_status != 503) {
		peer_refuse(r->l, r->req, res->http_status, "Unusable manifest",
		    res->error != NULL ? res->error : "unreadable");
		peer_recv_free(r);
		return;
	}
	peer_answer(r, res->stored, res->http_status, res->reply,
	    res->repeated);
}

/* Control results and release acknowledgements are recorded directly. */
static void
received_cb(int status, const struct store_peer_result *res, void *arg)
{
	struct peer_recv	*r = arg;

	if (status == 0 && res->outcome == STORE_OUTCOME_DONE) {
		hook_changed(HOOK_TRAINS_CHANGED);
		evaluator_kick(r->l->d->eval);
	}
	peer_answer(r, status == 0, status == 0 ? outcome_status(res->outcome) :
	    outcome_failure_status(status),
	    status == 0 ? res->reply : NULL, status == 0 && res->duplicate);
}

/* A checkpoint of the neighbour's chain is kept (the inbox dedupes it). */
static void
checkpoint_kept_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct peer_recv	*r = arg;

	peer_answer(r, status == 0, status == 0 ? outcome_status(outcome) :
	    outcome_failure_status(status), reply,
	    status == 0 && outcome == STORE_OUTCOME_DUPLICATE);
}

static void
checkpoint_keep(struct peer_recv *r)
{
	const struct checkpoint		*c = r->opened.checkpoint;
	struct store_checkpoint_in	 in;

	in.sender = r->opened.sender;
	in.message_id = r->opened.id;
	in.envelope = r->opened.envelope;
	in.seq = c->seq;
	in.count = c->count;
	in.hash = c->hash;
	in.at = c->at;
	in.key_id = c->key_id;
	in.signature = c->signature;
	store_checkpoint_receive(r->l->d->db, &in, checkpoint_kept_cb, r);
}

/* Worker: signature, timestamp, inflation, envelope. */
static void
open_work(void *arg)
{
	struct peer_recv	*r = arg;
	struct peer_wire	 w;

	w.id = r->hdr[0];
	w.type = r->hdr[1];
	w.timestamp = r->hdr[2];
	w.sender = r->hdr[3];
	w.signature = r->hdr[4];
	w.content_encoding = r->hdr[5];
	w.body = r->body;
	w.len = r->len;
	if (peer_msg_open(r->l->neighbour_key, r->l->neighbour, &w, r->now,
	    r->l->d->cfg.peer_max_skew_s, (size_t)r->l->d->cfg.max_body_mb << 20,
	    &r->opened, &r->status, &r->cause) == 0)
		r->status = 0;
}

/* Back on the loop: refuse, or record. */
static void
open_cb(void *arg)
{
	struct peer_recv		*r = arg;
	struct ingest_peer_message	 pm;
	struct store_peer_in		 in = { 0 };

	if (r->status != 0) {
		peer_refuse(r->l, r->req, r->status, "Message refused",
		    r->cause != NULL ? r->cause : "unreadable message");
		peer_recv_free(r);
		return;
	}
	if (r->opened.type == PEER_PRE_ARRIVAL) {
		pm.sender = r->opened.sender;
		pm.message_id = r->opened.id;
		pm.envelope = r->opened.envelope;
		pm.train_no = r->opened.train;
		pm.neighbour = r->opened.neighbour;
		ingest_from_peer(r->l->d, &pm, r->opened.manifest,
		    r->opened.manifest_len, ingested_cb, r);
		return;
	}
	if (r->opened.type == PEER_CHECKPOINT) {
		checkpoint_keep(r);
		return;
	}
	in.sender = r->opened.sender;
	in.message_id = r->opened.id;
	in.type = peer_msg_type_name(r->opened.type);
	in.envelope = r->opened.envelope;
	in.train_no = r->opened.train;
	in.neighbour = r->opened.neighbour;
	in.ack_of = r->opened.ack_of;
	store_peer_receive(r->l->d->db, &in, received_cb, r);
}

/* A header's value, copied; NULL when absent. */
static char *
header_copy(struct evhttp_request *req, const char *name)
{
	const char	*v = evhttp_find_header(evhttp_request_get_input_headers(req),
			    name);

	return v != NULL ? xstrdup(v) : NULL;
}

/* The TLS identity of the connection the request came on. */
static int
peer_identity(struct peer_link *l, struct evhttp_request *req, char **cause)
{
	struct evhttp_connection	*conn = evhttp_request_get_connection(req);
	struct bufferevent		*bev;
	SSL				*ssl;

	if (conn == NULL || (bev = evhttp_connection_get_bufferevent(conn)) ==
	    NULL || (ssl = bufferevent_openssl_get_ssl(bev)) == NULL) {
		*cause = xstrdup("not a TLS connection");
		return -1;
	}
	return tls_peer_check(ssl, l->neighbour, cause);
}

/* The neighbour's checkpoints we hold, for it to compare with its chain. */
struct peer_held {
	struct peer_link	*l;
	struct evhttp_request	*req;
};

static void
held_cb(int status, const char *text, size_t len, void *arg)
{
	struct peer_held	*h = arg;
	json_t			*list = status == 1 ? json_loadb(text, len, 0,
				    NULL) : NULL;
	char			*body;

	if (list == NULL)
		peer_refuse(h->l, h->req, 503, "Service Unavailable",
		    "the checkpoints could not be read now");
	else {
		/* "o" hands list to the object. */
		json_t	*o = json_pack("{s:s, s:o}", "station", h->l->neighbour,
			    "checkpoints", list);

		body = json_dumps(o, JSON_COMPACT);
		peer_reply(h->req, 200, body);
		free(body);
		json_decref(o);
	}
	h->l->receiving--;
	free(h);
}

/*
 * GET /v1/peer/checkpoints: the latest checkpoints of the neighbour's
 * chain held here, as it signed them.  The mutual-TLS identity is the
 * only authentication needed: the answer holds nothing but what the
 * neighbour signed and sent.
 */
static void
peer_checkpoints(struct peer_link *l, struct evhttp_request *req)
{
	struct peer_held	*h = xcalloc(1, sizeof *h);

	h->l = l;
	h->req = req;
	l->receiving++;
	store_checkpoints_held(l->d->db, 0, l->neighbour, PEER_CHECKPOINTS_MAX,
	    held_cb, h);
}

static void
peer_request_cb(struct evhttp_request *req, void *arg)
{
	struct peer_link	*l = arg;
	struct peer_recv	*r;
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	const char		*path = evhttp_request_get_uri(req);
	char			*cause = NULL;

	if (path != NULL && strcmp(path, PEER_CHECKPOINTS_PATH) == 0) {
		if (evhttp_request_get_command(req) != EVHTTP_REQ_GET)
			peer_refuse(l, req, 405, "Method Not Allowed", "GET only");
		else if (peer_identity(l, req, &cause) < 0) {
			peer_refuse(l, req, 403, "Forbidden", cause);
			free(cause);
		} else
			peer_checkpoints(l, req);
		return;
	}
	if (path == NULL || strcmp(path, PEER_PATH) != 0) {
		peer_refuse(l, req, 404, "Not Found", "the link has two paths, "
		    PEER_PATH " and " PEER_CHECKPOINTS_PATH);
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		peer_refuse(l, req, 405, "Method Not Allowed", "POST only");
		return;
	}
	if (peer_identity(l, req, &cause) < 0) {
		peer_refuse(l, req, 403, "Forbidden", cause);
		free(cause);
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->l = l;
	r->req = req;
	r->hdr[0] = header_copy(req, PEER_HDR_ID);
	r->hdr[1] = header_copy(req, PEER_HDR_TYPE);
	r->hdr[2] = header_copy(req, PEER_HDR_TIMESTAMP);
	r->hdr[3] = header_copy(req, PEER_HDR_SENDER);
	r->hdr[4] = header_copy(req, PEER_HDR_SIGNATURE);
	r->hdr[5] = header_copy(req, "Content-Encoding");
	r->len = evbuffer_get_length(in);
	r->body = xmalloc(r->len + 1);
	evbuffer_remove(in, r->body, r->len);
	r->now = (int64_t)time(NULL);
	l->receiving++;
	pool_submit(l->d->pool, POOL_PRIORITY_NORMAL, open_work, open_cb, r);
}

/* Each accepted connection speaks TLS with the server context. */
static struct bufferevent *
peer_bevcb(struct event_base *base, void *arg)
{
	struct peer_link	*l = arg;

	return bufferevent_openssl_socket_new(base, -1, SSL_new(l->server_ctx),
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE |
	    BEV_OPT_DEFER_CALLBACKS);
}

int
peer_in_listen(struct peer_link *l, char **cause)
{
	const struct config	*c = &l->d->cfg;
	struct evhttp_bound_socket *sock;
	char			*host = xstrdup(c->peer_listen), *colon;
	int			 port;

	if ((colon = strrchr(host, ':')) == NULL ||
	    (port = atoi(colon + 1)) <= 0 || port > 65535) {
		*cause = xasprintf("[peer] listen %s: not host:port",
		    c->peer_listen);
		free(host);
		return -1;
	}
	*colon = '\0';
	l->http = evhttp_new(l->d->base);
	evhttp_set_bevcb(l->http, peer_bevcb, l);
	evhttp_set_max_body_size(l->http, (ev_ssize_t)c->max_body_mb << 20);
	evhttp_set_max_headers_size(l->http, 16 * 1024);
	evhttp_set_timeout(l->http, c->request_timeout_s);
	evhttp_set_allowed_methods(l->http, EVHTTP_REQ_POST | EVHTTP_REQ_GET);
	evhttp_set_gencb(l->http, peer_request_cb, l);
	if ((sock = evhttp_bind_socket_with_handle(l->http, host,
	    (uint16_t)port)) == NULL) {
		*cause = xasprintf("[peer] listen %s: cannot bind", c->peer_listen);
		free(host);
		return -1;
	}
	/* As the API's: a neighbour reconnecting many links at once after
	 * an outage must not find its handshakes dropped. */
	http_listen_backlog_raise(sock, "peer");
	free(host);
	return 0;
}

void
peer_in_stop(void *arg)
{
	struct peer_link	*l = arg;

	/* New connections are refused; messages in progress finish. */
	if (l->http != NULL)
		evhttp_set_allowed_methods(l->http, 0);
}
