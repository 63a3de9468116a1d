/*
 * peer_out.c -- the link's sender: the outbox's head, one at a time.
 *
 * A message is claimed (013_peer.sql keeps the order and gives the head to
 * one sender only), its envelope built on a worker at the first attempt
 * and fixed in the database before anything is sent, then posted signed
 * with a fresh timestamp.  The answer decides: taken (the next message
 * goes at once), refused for good (logged, skipped), or tried again after
 * a backoff while the link is down.  A daemon killed mid-send loses
 * nothing: the lease runs out and the same message, same id, goes again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "db/peer.h"
#include "manifest/jsonw.h"
#include "manifest/model.h"
#include "manifest/util.h"
#include "manifest/xml.h"

#include "daemon/daemon.h"
#include "engine/input.h"
#include "daemon/log.h"
#include "daemon/notice/notice.h"
#include "daemon/outcall.h"
#include "daemon/peer/peer_link.h"
#include "daemon/peer/peer_msg.h"
#include "daemon/pool.h"

#define PEER_LEASE_S	30	/* longer than a whole attempt */
#define PEER_TIMEOUT_S	10
#define PEER_PATH	"/v1/peer/messages"

struct peer_send {
	struct peer_link		*l;
	char				*message_id;
	enum peer_msg_type		 type;
	char				*train_no;
	char				*ack_of;	/* release_ack */
	char				*outcome;
	unsigned char			*raw_z;		/* pre_arrival, to build */
	size_t				 raw_z_len;
	char				*controls;	/* JSON, to build */
	int				 attempts;
	struct peer_sealed		 sealed;
	char				*build_error;
	struct evhttp_uri		*uri;
	struct evhttp_connection	*conn;
	int				 status;	/* HTTP; 0: no answer */
	char				 error[256];
};

static void
peer_send_free(struct peer_send *s)
{
	free(s->message_id);
	free(s->train_no);
	free(s->ack_of);
	free(s->outcome);
	free(s->raw_z);
	free(s->controls);
	free(s->build_error);
	peer_sealed_clear(&s->sealed);
	if (s->conn != NULL)
		evhttp_connection_free(s->conn);
	if (s->uri != NULL)
		evhttp_uri_free(s->uri);
	free(s);
}

/* The seals on one piece of equipment, as the neighbour file has them. */
static void
seals_add(struct jsonw *w, const char *equipment,
    const struct manifest_seal *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (equipment == NULL || v[i].number == NULL)
			continue;	/* nothing the neighbour could match */
		jsonw_object_begin(w);
		jsonw_kv_string(w, "equipment", equipment);
		jsonw_kv_string(w, "number", v[i].number);
		jsonw_kv_string(w, "sealed_by", manifest_sealer_name(v[i].sealed_by));
		jsonw_object_end(w);
	}
}

/* Every seal of the train, wagons and containers, in train order. */
static void
train_seals(const struct manifest_train *t, struct buf *out)
{
	struct jsonw	w;
	size_t		i, k;

	jsonw_init(&w, out);
	jsonw_array_begin(&w);
	for (i = 0; i < t->nwagons; i++) {
		const struct manifest_wagon *wg = t->wagons[i];

		seals_add(&w, wg->number, wg->seals, wg->nseals);
		for (k = 0; k < wg->ncontainers; k++)
			seals_add(&w, wg->containers[k]->number,
			    wg->containers[k]->seals, wg->containers[k]->nseals);
	}
	jsonw_array_end(&w);
	buf_add_char(out, '\0');
}

/* The pre-arrival envelope: the stored manifest as XML, its seals, the
 * controls made here.  NULL with s->build_error. */
static char *
build_pre_arrival(struct peer_send *s)
{
	struct manifest_train	*t = NULL;
	struct buf		 xml = { 0 }, seals = { 0 };
	char			*raw = NULL, *json = NULL;
	size_t			 len;

	if (input_inflate_stored(s->raw_z, s->raw_z_len, &raw, &len) < 0) {
		s->build_error = xstrdup("the stored manifest is damaged");
		return NULL;
	}
	if (input_parse(raw, len, NULL, &t) < 0)
		s->build_error = xstrdup("the stored manifest no longer parses");
	else {
		/* Our export is the neighbour's import (docs/peer.md). */
		if (t->direction == MANIFEST_EXPORT)
			t->direction = MANIFEST_IMPORT;
		xml_write_manifest(t, &xml);
		train_seals(t, &seals);
		json = peer_msg_pre_arrival(s->l->name, s->train_no, s->outcome,
		    xml.data, xml.len, seals.data,
		    s->controls != NULL ? s->controls : "[]");
	}
	manifest_train_free(t);
	buf_free(&xml);
	buf_free(&seals);
	free(raw);
	return json;
}

/* Worker: the envelope, compressed and signed. */
static void
build_work(void *arg)
{
	struct peer_send	*s = arg;
	char			*json = NULL;

	switch (s->type) {
	case PEER_PRE_ARRIVAL:
		json = build_pre_arrival(s);
		break;
	case PEER_CONTROL_RESULTS:
		json = peer_msg_control_results(s->l->name, s->train_no, "[]",
		    s->controls != NULL ? s->controls : "[]");
		break;
	case PEER_RELEASE_ACK:
		json = peer_msg_release_ack(s->l->name, s->train_no,
		    s->ack_of != NULL ? s->ack_of : "", s->outcome);
		break;
	}
	if (json != NULL && peer_msg_seal(s->l->signing, s->l->name,
	    s->type, s->message_id, (int64_t)time(NULL), json, strlen(json),
	    &s->sealed) < 0)
		s->build_error = xstrdup("the envelope could not be sealed (an "
		    "unusable [peer] name, or compression failed)");
	free(json);
}

/* The attempt is recorded: on to the next message, or wait. */
static void
attempt_recorded_cb(const char *result, void *arg)
{
	struct peer_send	*s = arg;
	struct peer_link	*l = s->l;
	bool			 next = false;

	if (result == NULL)
		log_warnx("peer: message %s: attempt not recorded (database "
		    "unavailable); it goes again", s->message_id);
	else if (strcmp(result, "sent") == 0) {
		l->stats.sent++;
		next = true;
		log_info("peer: %s %s for train %s taken by %s",
		    peer_msg_type_name(s->type), s->message_id, s->train_no,
		    l->neighbour);
	} else if (strcmp(result, "refused") == 0) {
		l->stats.refused++;
		next = true;
		log_warnx("peer: %s %s for train %s refused by %s: %s",
		    peer_msg_type_name(s->type), s->message_id, s->train_no,
		    l->neighbour, s->error);
	} else {
		l->stats.failed++;
		log_warnx("peer: %s %s for train %s not delivered (attempt %d): "
		    "%s", peer_msg_type_name(s->type), s->message_id,
		    s->train_no, s->attempts + 1, s->error);
	}
	l->sending = NULL;
	peer_send_free(s);
	if (next)
		peer_out_next(l);
}

/* Records the outcome of this attempt. */
static void
attempt_record(struct peer_send *s)
{
	const struct config	*c = &s->l->d->cfg;
	uint32_t		 r = 0;
	double			 retry;

	s->l->stats.up = s->status != 0;
	RAND_bytes((unsigned char *)&r, sizeof r);
	retry = notify_backoff_s(s->attempts + 1, c->peer_retry_ms,
	    c->peer_retry_max_s, (double)r / 4294967296.0);
	store_peer_attempted(s->l->d->db, s->message_id, s->l->d->instance,
	    s->status, s->error[0] != '\0' ? s->error : NULL, retry,
	    attempt_recorded_cb, s);
}

/* The neighbour answered, or the connection failed (req NULL, code 0). */
static void
answered_cb(struct evhttp_request *req, void *arg)
{
	struct peer_send	*s = arg;

	s->status = outcall_result(req, s->conn, s->error, sizeof s->error);
	attempt_record(s);
}

/* A TLS connection to the neighbour, whose certificate must name it. */
static struct evhttp_connection *
peer_connect(struct peer_send *s)
{
	struct event_base	*base = s->l->d->base;
	struct bufferevent	*bev;
	const char		*host;
	SSL			*ssl;
	int			 port;

	s->uri = evhttp_uri_parse(s->l->d->cfg.peer_url);
	if (s->uri == NULL || (host = evhttp_uri_get_host(s->uri)) == NULL) {
		snprintf(s->error, sizeof s->error, "bad [peer] url");
		return NULL;
	}
	port = evhttp_uri_get_port(s->uri);
	ssl = SSL_new(s->l->client_ctx);
	SSL_set_tlsext_host_name(ssl, s->l->neighbour);
	SSL_set1_host(ssl, s->l->neighbour);
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE |
	    BEV_OPT_DEFER_CALLBACKS);
	return evhttp_connection_base_bufferevent_new(base, NULL, bev, host,
	    (unsigned short)(port > 0 ? port : 443));
}

/* Posts the message, signed now. */
static void
peer_post(struct peer_send *s)
{
	struct evhttp_request	*req;
	struct evkeyvalq	*h;
	char			 ts[24];

	if (peer_msg_reseal(s->l->signing, (int64_t)time(NULL),
	    &s->sealed) < 0 || (s->conn = peer_connect(s)) == NULL) {
		if (s->error[0] == '\0')
			snprintf(s->error, sizeof s->error, "not signed");
		attempt_record(s);
		return;
	}
	evhttp_connection_set_timeout(s->conn, PEER_TIMEOUT_S);
	req = evhttp_request_new(answered_cb, s);
	h = evhttp_request_get_output_headers(req);
	snprintf(ts, sizeof ts, "%lld", (long long)s->sealed.timestamp);
	evhttp_add_header(h, "Host", s->l->neighbour);
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Content-Encoding", "gzip");
	evhttp_add_header(h, PEER_HDR_ID, s->sealed.id);
	evhttp_add_header(h, PEER_HDR_TYPE, s->sealed.type);
	evhttp_add_header(h, PEER_HDR_TIMESTAMP, ts);
	evhttp_add_header(h, PEER_HDR_SENDER, s->sealed.sender);
	evhttp_add_header(h, PEER_HDR_SIGNATURE, s->sealed.signature);
	evbuffer_add(evhttp_request_get_output_buffer(req), s->sealed.body,
	    s->sealed.len);
	if (evhttp_make_request(s->conn, req, EVHTTP_REQ_POST, PEER_PATH) != 0) {
		snprintf(s->error, sizeof s->error, "request not sent");
		attempt_record(s);
	}
}

/* The envelope is fixed in the database: now it may go out. */
static void
body_stored_cb(int status, void *arg)
{
	struct peer_send	*s = arg;

	if (status < 0) {
		/* Not sent: the lease runs out and the head is claimed again. */
		log_warnx("peer: message %s: envelope not stored (database "
		    "unavailable)", s->message_id);
		s->l->sending = NULL;
		peer_send_free(s);
		return;
	}
	peer_post(s);
}

/* Back from the worker: fix the envelope, or give the message up. */
static void
build_done(void *arg)
{
	struct peer_send	*s = arg;

	if (s->build_error != NULL) {
		/* Never buildable: refused here as the neighbour would. */
		s->status = 422;
		snprintf(s->error, sizeof s->error, "%s", s->build_error);
		attempt_record(s);
		return;
	}
	store_peer_set_body(s->l->d->db, s->message_id, s->l->d->instance,
	    s->sealed.body, s->sealed.len, body_stored_cb, s);
}

/* A claimed message, with copies of what it was claimed with. */
static struct peer_send *
peer_send_new(struct peer_link *l, const struct store_peer_out *m)
{
	struct peer_send	*s = xcalloc(1, sizeof *s);

	s->l = l;
	s->message_id = xstrdup(m->message_id);
	if (peer_msg_type_parse(m->type, &s->type) < 0)
		s->type = PEER_PRE_ARRIVAL;	/* the table's CHECK allows no other */
	s->train_no = xstrdup(m->train_no);
	s->ack_of = m->ack_of != NULL ? xstrdup(m->ack_of) : NULL;
	s->outcome = xstrdup(m->outcome);
	s->controls = m->controls != NULL ? xstrdup(m->controls) : NULL;
	s->attempts = m->attempts;
	if (m->raw_z != NULL) {
		s->raw_z = xmalloc(m->raw_z_len + 1);
		memcpy(s->raw_z, m->raw_z, m->raw_z_len);
		s->raw_z_len = m->raw_z_len;
	}
	return s;
}

/* The head of the outbox, or nothing due. */
static void
head_claimed_cb(int status, const struct store_peer_out *m, void *arg)
{
	struct peer_link	*l = arg;
	struct peer_send	*s;

	l->claiming = false;
	if (status <= 0 || l->stopping)
		return;		/* the timer asks again */
	s = peer_send_new(l, m);
	l->sending = s;
	if (m->body == NULL) {
		pool_submit(l->d->pool, POOL_PRIORITY_NORMAL, build_work,
		    build_done, s);
		return;
	}
	/* Built at an earlier attempt: the same bytes again. */
	snprintf(s->sealed.id, sizeof s->sealed.id, "%s", m->message_id);
	snprintf(s->sealed.type, sizeof s->sealed.type, "%s", m->type);
	s->sealed.sender = xstrdup(l->name);
	s->sealed.body = xmalloc(m->body_len + 1);
	memcpy(s->sealed.body, m->body, m->body_len);
	s->sealed.len = m->body_len;
	peer_post(s);
}

void
peer_out_next(struct peer_link *l)
{
	if (l->stopping || l->sending != NULL || l->claiming)
		return;
	l->claiming = true;
	store_peer_claim_next(l->d->db, l->d->instance, PEER_LEASE_S,
	    head_claimed_cb, l);
}

int
peer_out_in_flight(const struct peer_link *l)
{
	return (l->sending != NULL ? 1 : 0) + (l->claiming ? 1 : 0);
}
