/*
 * peer_out.c -- the link's sender: the outbox's adapter (daemon/outbox.h)
 * for the neighbour, taking the outbox's head, one at a time.
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

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "db/peer.h"
#include "manifest/jsonw.h"
#include "manifest/model.h"
#include "manifest/util.h"
#include "manifest/xml.h"

#include "daemon/daemon.h"
#include "engine/input.h"
#include "daemon/log.h"
#include "daemon/outbox.h"
#include "daemon/peer/peer_link.h"
#include "daemon/peer/peer_msg.h"

#define PEER_LEASE_S	30	/* longer than a whole attempt */
#define PEER_TIMEOUT_S	10
#define PEER_PATH	"/v1/peer/messages"

/* A message in the outbox, with copies of what it was claimed with. */
struct peer_send {
	struct outbox_item		 it;		/* first: the outbox's part */
	struct peer_link		*l;
	char				*message_id;
	enum peer_msg_type		 type;
	char				*train_no;
	char				*ack_of;	/* release_ack */
	char				*outcome;
	unsigned char			*raw_z;		/* pre_arrival, to build */
	size_t				 raw_z_len;
	char				*controls;	/* JSON, to build */
	char				*seals;		/* control_results, to build */
	struct peer_sealed		 sealed;
	struct evhttp_uri		*uri;
};

static void
peer_send_free(struct outbox_item *it)
{
	struct peer_send	*s = (struct peer_send *)it;

	free(s->message_id);
	free(s->train_no);
	free(s->ack_of);
	free(s->outcome);
	/* The envelope, and what it was built from. */
	peer_sealed_clear(&s->sealed);
	free(s->raw_z);
	free(s->controls);
	free(s->seals);
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
 * controls made here.  NULL with the error set. */
static char *
build_pre_arrival(struct peer_send *s)
{
	struct manifest_train	*t = NULL;
	struct buf		 xml = { 0 }, seals = { 0 };
	char			*raw = NULL, *json = NULL;
	size_t			 len;

	if (input_inflate_stored(s->raw_z, s->raw_z_len, &raw, &len) < 0) {
		snprintf(s->it.error, sizeof s->it.error,
		    "the stored manifest is damaged");
		return NULL;
	}
	if (input_parse(raw, len, NULL, &t) < 0)
		snprintf(s->it.error, sizeof s->it.error,
		    "the stored manifest no longer parses");
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

/* Worker: the envelope, compressed and signed; 0, or -1 refused (422). */
static int
peer_send_build(struct outbox_item *it)
{
	struct peer_send	*s = (struct peer_send *)it;
	char			*json = NULL;

	switch (s->type) {
	case PEER_PRE_ARRIVAL:
		json = build_pre_arrival(s);
		break;
	case PEER_CONTROL_RESULTS:
		/* Our controls and the seals we found (peer_seals_found). */
		json = peer_msg_control_results(s->l->name, s->train_no,
		    s->seals != NULL ? s->seals : "[]",
		    s->controls != NULL ? s->controls : "[]");
		break;
	case PEER_RELEASE_ACK:
		json = peer_msg_release_ack(s->l->name, s->train_no,
		    s->ack_of != NULL ? s->ack_of : "", s->outcome);
		break;
	case PEER_CHECKPOINT:
		/* The checkpoint, signed when it was made (peer_claim_next
		 * hands it in the controls column). */
		json = peer_msg_checkpoint(s->l->name, s->controls);
		break;
	}
	if (json != NULL && peer_msg_seal(s->l->signing, s->l->name,
	    s->type, s->message_id, (int64_t)time(NULL), json, strlen(json),
	    &s->sealed) < 0)
		snprintf(it->error, sizeof it->error, "the envelope could "
		    "not be sealed (an unusable [peer] name, or compression "
		    "failed)");
	free(json);
	if (it->error[0] == '\0')
		return 0;
	/* Never buildable: refused here as the neighbour would. */
	it->status = 422;
	return -1;
}

/* The attempt is recorded: logged and counted; true: on to the next. */
static bool
peer_send_recorded(struct outbox_item *it, const char *result)
{
	struct peer_send	*s = (struct peer_send *)it;
	struct peer_link	*l = s->l;

	if (result == NULL)
		log_warnx("peer: message %s: attempt not recorded (database "
		    "unavailable); it goes again", s->message_id);
	else if (strcmp(result, "sent") == 0) {
		l->stats.sent++;
		log_info("peer: %s %s for train %s taken by %s",
		    peer_msg_type_name(s->type), s->message_id, s->train_no,
		    l->neighbour);
		return true;
	} else if (strcmp(result, "refused") == 0) {
		l->stats.refused++;
		log_warnx("peer: %s %s for train %s refused by %s: %s",
		    peer_msg_type_name(s->type), s->message_id, s->train_no,
		    l->neighbour, it->error);
		return true;
	} else {
		l->stats.failed++;
		log_warnx("peer: %s %s for train %s not delivered (attempt %d): "
		    "%s", peer_msg_type_name(s->type), s->message_id,
		    s->train_no, it->attempts + 1, it->error);
	}
	return false;		/* the timer tries again after the backoff */
}

/* Records the outcome of this attempt. */
static void
peer_send_record(struct outbox_item *it, outbox_recorded_cb cb)
{
	struct peer_send	*s = (struct peer_send *)it;
	const struct config	*c = &s->l->d->cfg;

	s->l->stats.up = it->status != 0;
	store_peer_attempted(s->l->d->db, s->message_id, s->l->d->instance,
	    it->status, it->error[0] != '\0' ? it->error : NULL,
	    outbox_retry_s(it, c->peer_retry_ms, c->peer_retry_max_s), cb, it);
}

/* A TLS connection to the neighbour, whose certificate must name it. */
static struct evhttp_connection *
peer_connect(struct peer_send *s)
{
	const char	*host;
	SSL		*ssl;
	int		 port;

	s->uri = evhttp_uri_parse(s->l->d->cfg.peer_url);
	if (s->uri == NULL || (host = evhttp_uri_get_host(s->uri)) == NULL) {
		snprintf(s->it.error, sizeof s->it.error, "bad [peer] url");
		return NULL;
	}
	port = evhttp_uri_get_port(s->uri);
	ssl = SSL_new(s->l->client_ctx);
	SSL_set_tlsext_host_name(ssl, s->l->neighbour);
	SSL_set1_host(ssl, s->l->neighbour);
	return outbox_connect(s->l->outbox, ssl, host, port > 0 ? port : 443);
}

/* Posts the message, signed now. */
static void
peer_post(struct outbox_item *it)
{
	struct peer_send	*s = (struct peer_send *)it;
	struct evhttp_request	*req;
	struct evkeyvalq	*h;
	char			 ts[24];

	if (peer_msg_reseal(s->l->signing, (int64_t)time(NULL),
	    &s->sealed) < 0 || (it->conn = peer_connect(s)) == NULL) {
		if (it->error[0] == '\0')
			snprintf(it->error, sizeof it->error, "not signed");
		outbox_record(it);
		return;
	}
	req = outbox_request_new(it);
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
	outbox_post(it, req, PEER_PATH, s->sealed.body, s->sealed.len);
}

/* Fixes the envelope in the database before it goes out. */
static void
peer_send_store_body(struct outbox_item *it, outbox_stored_cb cb)
{
	struct peer_send	*s = (struct peer_send *)it;

	store_peer_set_body(s->l->d->db, s->message_id, s->l->d->instance,
	    s->sealed.body, s->sealed.len, cb, it);
}

static void
peer_send_unstored(struct outbox_item *it)
{
	log_warnx("peer: message %s: envelope not stored (database "
	    "unavailable)", ((struct peer_send *)it)->message_id);
}

/* A claimed message, with copies of what it was claimed with. */
static struct peer_send *
peer_send_new(struct peer_link *l, const struct store_peer_out *m)
{
	struct peer_send	*s;

	s = outbox_item_new(l->outbox, sizeof *s, m->attempts);
	s->l = l;
	s->message_id = xstrdup(m->message_id);
	if (peer_msg_type_parse(m->type, &s->type) < 0)
		s->type = PEER_PRE_ARRIVAL;	/* the table's CHECK allows no other */
	/* A checkpoint names no train: "-" in the log. */
	s->train_no = xstrdup(s->type == PEER_CHECKPOINT ? "-" : m->train_no);
	s->ack_of = m->ack_of != NULL ? xstrdup(m->ack_of) : NULL;
	s->outcome = xstrdup(m->outcome);
	s->controls = m->controls != NULL ? xstrdup(m->controls) : NULL;
	s->seals = m->seals != NULL ? xstrdup(m->seals) : NULL;
	if (m->raw_z != NULL) {
		s->raw_z = xmalloc(m->raw_z_len + 1);
		memcpy(s->raw_z, m->raw_z, m->raw_z_len);
		s->raw_z_len = m->raw_z_len;
	}
	if (m->body != NULL) {
		/* Built at an earlier attempt: the same bytes again. */
		snprintf(s->sealed.id, sizeof s->sealed.id, "%s",
		    m->message_id);
		snprintf(s->sealed.type, sizeof s->sealed.type, "%s", m->type);
		s->sealed.sender = xstrdup(l->name);
		s->sealed.body = xmalloc(m->body_len + 1);
		memcpy(s->sealed.body, m->body, m->body_len);
		s->sealed.len = m->body_len;
	}
	return s;
}

/* The head of the outbox, or nothing due. */
static void
head_claimed_cb(int status, const struct store_peer_out *m, void *arg)
{
	struct outbox		*ob = arg;

	if (outbox_claim_end(ob, status) < 0 || status == 0 ||
	    outbox_is_stopping(ob))
		return;		/* the timer asks again */
	outbox_begin(&peer_send_new(outbox_arg(ob), m)->it, m->body != NULL);
}

static void
head_claim(struct outbox *ob, int n)
{
	struct peer_link	*l = outbox_arg(ob);

	store_peer_claim_next(l->d->db, l->d->instance, PEER_LEASE_S,
	    head_claimed_cb, ob);
}

/* One message at a time, so that they arrive in order; built on a worker:
 * a pre-arrival envelope holds a whole manifest. */
const struct outbox_ops peer_out_ops = {
	.period_ms = 1000,
	.batch = 1,
	.max_in_flight = 1,
	.timeout_s = PEER_TIMEOUT_S,
	.build_on_worker = true,
	.claim = head_claim,
	.build = peer_send_build,
	.store_body = peer_send_store_body,
	.unstored = peer_send_unstored,
	.send = peer_post,
	.record = peer_send_record,
	.recorded = peer_send_recorded,
	.free = peer_send_free,
	.stop = peer_in_stop,
	.release = peer_link_release,
	.held = peer_link_receiving,
};
