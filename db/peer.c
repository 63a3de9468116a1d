/*
 * peer.c -- statements of the neighbouring customs link (see peer.h and
 * db/functions/80_peer.sql).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "peer.h"
#include "query.h"

void
store_peer_register(struct db *db, const char *name, store_status_cb cb,
    void *arg)
{
	const char	*v[1] = { name };

	store_query_status(db, "SELECT peer_register($1)", 1, v, NULL, NULL,
	    DB_RETRY, cb, arg);
}

/* Row: message_id, type, peer, train_no, body, ack_of, outcome, raw_z,
 * controls, attempts, seals. */
static void
peer_claimed(const struct db_result *r, void *arg)
{
	struct store_call	*q = arg;
	struct store_peer_out	 m;

	if (!db_result_ok(r))
		q->cb.peer_out(store_failure(r), NULL, q->arg);
	else if (db_result_rows(r) == 0)
		q->cb.peer_out(0, NULL, q->arg);
	else {
		memset(&m, 0, sizeof m);
		m.message_id = db_result_value(r, 0, 0);
		m.type = db_result_value(r, 0, 1);
		m.peer = db_result_value(r, 0, 2);
		m.train_no = db_result_value(r, 0, 3);
		m.body = store_bytes_or_null(r, 0, 4, &m.body_len);
		m.ack_of = store_text_or_null(r, 0, 5);
		m.outcome = db_result_value(r, 0, 6);
		m.raw_z = store_bytes_or_null(r, 0, 7, &m.raw_z_len);
		m.controls = store_text_or_null(r, 0, 8);
		m.attempts = atoi(db_result_value(r, 0, 9));
		m.seals = store_text_or_null(r, 0, 10);
		q->cb.peer_out(1, &m, q->arg);
	}
	free(q);
}

void
store_peer_claim_next(struct db *db, const char *owner, int lease_s,
    store_peer_out_cb cb, void *arg)
{
	struct store_call	*q = store_call_new(arg);
	char			 ls[16];
	const char		*v[2] = { owner, ls };

	q->cb.peer_out = cb;
	snprintf(ls, sizeof ls, "%d", lease_s);
	/* Binary results: bytes as they are, every other column cast to
	 * text so that its binary form is its text. */
	db_query(db, "SELECT message_id, type, peer, train_no, body, ack_of, "
	    "outcome, raw_z, controls::text, attempts::text, seals::text "
	    "FROM peer_claim_next($1, $2::int)", 2, v, NULL, NULL,
	    DB_RETRY | DB_BINARY_RESULT, 10000, peer_claimed, q);
}

void
store_peer_set_body(struct db *db, const char *message_id, const char *owner,
    const void *body, size_t len, store_status_cb cb, void *arg)
{
	const char	*v[3] = { message_id, owner, body };
	int		 lengths[3] = { 0, 0, (int)len };
	int		 binary[3] = { 0, 0, 1 };

	store_query_status(db, "SELECT peer_set_body($1, $2, $3::bytea)", 3, v,
	    lengths, binary, DB_RETRY, cb, arg);
}

void
store_peer_attempted(struct db *db, const char *message_id, const char *owner,
    int http_status, const char *error, double retry_s, store_decision_cb cb,
    void *arg)
{
	char		 st[16], rs[32];
	const char	*v[5] = { message_id, owner, st, error, rs };

	snprintf(st, sizeof st, "%d", http_status);
	snprintf(rs, sizeof rs, "%.3f", retry_s);
	/* Safe to repeat: a second record of the same attempt is "stale". */
	store_query_text(db, "SELECT peer_attempted($1, $2, $3::int, $4, "
	    "$5::float8)", 5, v, DB_RETRY, 30000, cb, arg);
}

/* Row: outcome, reply, train_id, manifest_id. */
static void
peer_received(const struct db_result *r, void *arg)
{
	struct store_call		*q = arg;
	struct store_peer_result	 res;

	if (!db_result_ok(r) || db_result_rows(r) == 0)
		q->cb.peer_in(store_failure(r), NULL, q->arg);
	else {
		res.outcome = store_outcome_parse(db_result_value(r, 0, 0));
		res.reply = db_result_value(r, 0, 1);
		res.duplicate = res.outcome == STORE_OUTCOME_DUPLICATE;
		res.train_id = store_int_or_zero(r, 0, 2);
		res.manifest_id = store_int_or_zero(r, 0, 3);
		q->cb.peer_in(0, &res, q->arg);
	}
	free(q);
}

void
store_peer_receive(struct db *db, const struct store_peer_in *in,
    store_peer_in_cb cb, void *arg)
{
	struct store_call		*q = store_call_new(arg);
	const struct store_manifest	*m = in->manifest;
	char				 size[24];
	const char			*v[16] = { NULL };
	int				 len[16] = { 0 }, bin[16] = { 0 };

	q->cb.peer_in = cb;
	v[0] = in->sender;
	v[1] = in->message_id;
	v[2] = in->type;
	v[3] = in->envelope;
	v[4] = in->train_no;
	v[5] = in->neighbour;
	v[6] = in->ack_of;
	if (m != NULL) {
		snprintf(size, sizeof size, "%lld", (long long)m->raw_size);
		v[7] = m->sha256;
		v[8] = (const char *)m->raw_z;
		len[8] = (int)m->raw_z_len;
		bin[8] = 1;
		v[9] = size;
		v[10] = m->accepted ? "t" : "f";
		v[11] = m->function;
		v[12] = m->diagnostics;
		v[13] = m->train;
		v[14] = m->wagons;
		v[15] = m->ruleset;
	}
	/* Safe to repeat: the inbox answers a repeat as a duplicate. */
	db_query(db, "SELECT outcome, reply, train_id, manifest_id "
	    "FROM peer_receive($1, $2, $3, $4::json, $5, $6::json, "
	    "$7, $8, $9, $10::bigint, $11::boolean, $12, $13::json, $14::json, "
	    "$15::json, $16)", 16, v, len, bin, DB_RETRY, 60000, peer_received, q);
}

void
store_peer_status(struct db *db, store_doc_cb cb, void *arg)
{
	store_query_doc(db, "SELECT peer_status()", 0, NULL, NULL, NULL,
	    DB_RETRY, cb, arg);
}
