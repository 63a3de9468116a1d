/*
 * store_notices.c -- the statements of release notices: claimed under a
 * lease, their bodies fixed, their attempts recorded, redelivered; the
 * subscriptions they go to (store.h; the functions are in
 * db/functions/70_notices.sql and, for listing and deleting
 * subscriptions, 72_subscriptions.sql).
 */
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "query.h"
#include "store.h"

/* A row of claim_notices(), the body in binary. */
static void
notice_fill(const struct db_result *r, int i, void *element)
{
	struct store_notice	*n = element;

	n->id = db_result_value(r, i, 0);
	n->format = db_result_value(r, i, 1);
	n->follow_up_of = store_text_or_null(r, i, 2);
	n->body = store_bytes_or_null(r, i, 3, &n->body_len);
	n->attempts = atoi(db_result_value(r, i, 4));
	n->url = db_result_value(r, i, 5);
	n->secret = db_result_value(r, i, 6);
	n->recipient = store_text_or_null(r, i, 7);
	n->subscription = db_result_value(r, i, 8);
	n->train_no = db_result_value(r, i, 9);
	n->decision = db_result_value(r, i, 10);
	n->created = atoll(db_result_value(r, i, 11));
	n->client_cert = store_text_or_null(r, i, 12);
	n->client_key = store_text_or_null(r, i, 13);
}

static void
notices_claimed(const struct db_result *r, void *arg)
{
	struct store_call	*q = arg;
	struct store_notice	*v;
	size_t			 n;

	if (!db_result_ok(r)) {
		q->cb.notices(store_failure(r), NULL, 0, q->arg);
		free(q);
		return;
	}
	v = store_rows(r, sizeof *v, notice_fill, &n);
	q->cb.notices((int)n, v, n, q->arg);
	free(v);
	free(q);
}

void
store_claim_notices(struct db *db, const char *owner, int n, int lease_s,
    store_notices_cb cb, void *arg)
{
	struct store_call	*q = store_call_new(arg);
	char			 ns[16], ls[16];
	const char		*v[3] = { owner, ns, ls };

	q->cb.notices = cb;
	snprintf(ns, sizeof ns, "%d", n);
	snprintf(ls, sizeof ls, "%d", lease_s);
	/* Binary results: the body's bytes as they are.  The casts make every
	 * column's binary form plain text or bytes. */
	db_query(db, "SELECT id, format, follow_up_of, body, attempts::text, url, "
	    "secret, recipient, subscription, train_no, decision::text, "
	    "created_at::text, client_cert, client_key "
	    "FROM claim_notices($1, $2::int, $3::int)", 3, v,
	    NULL, NULL, DB_RETRY | DB_BINARY_RESULT, 10000, notices_claimed, q);
}

void
store_notice_set_body(struct db *db, const char *id, const char *owner,
    const void *body, size_t len, store_status_cb cb, void *arg)
{
	const char	*v[3] = { id, owner, body };
	int		 lengths[3] = { 0, 0, (int)len };
	int		 binary[3] = { 0, 0, 1 };

	/* Idempotent: the body is set once, whoever asks again. */
	store_query_status(db, "SELECT notice_set_body($1, $2, $3::bytea)", 3,
	    v, lengths, binary, DB_RETRY, cb, arg);
}

void
store_notice_attempted(struct db *db, const char *id, const char *owner,
    int http_status, const char *error, double retry_s, int max_attempts,
    store_decision_cb cb, void *arg)
{
	char		 st[16], rs[32], mx[16];
	const char	*v[6] = { id, owner, st, error, rs, mx };

	snprintf(st, sizeof st, "%d", http_status);
	snprintf(rs, sizeof rs, "%.3f", retry_s);
	snprintf(mx, sizeof mx, "%d", max_attempts);
	/* Not retried: a second record would count an attempt twice. */
	store_query_text(db, "SELECT notice_attempted($1, $2, $3::int, $4, "
	    "$5::double precision, $6::int)", 6, v, 0, 10000, cb, arg);
}

void
store_notice_redeliver(struct db *db, const char *id, const char *principal,
    store_reply_cb cb, void *arg)
{
	const char	*v[2] = { id, principal };

	store_query_reply(db, "SELECT outcome, reply FROM notice_redeliver($1, "
	    "$2)", 2, v, NULL, NULL, 0, cb, arg);
}

void
store_train_notices(struct db *db, const char *id, store_doc_cb cb, void *arg)
{
	const char	*v[1] = { id };

	store_query_read(db, "SELECT train_notices($1) FROM train_find($1) t",
	    1, v, cb, arg);
}

void
store_subscription_put(struct db *db, const char *name, const char *url,
    const char *formats, const char *secret, const char *recipient,
    int enabled, const char *client_cert, const char *client_key,
    const char *carriers, const char *principal, store_doc_cb cb, void *arg)
{
	const char	*v[10] = { name, url, formats, secret, recipient,
			    enabled ? "t" : "f", principal, client_cert,
			    client_key, carriers };

	store_query_read(db, "SELECT subscription_put($1, $2, $3::text[], $4, "
	    "$5, $6::boolean, $7, $8, $9, $10::text[])", 10, v, cb, arg);
}

void
store_subscriptions_list(struct db *db, store_doc_cb cb, void *arg)
{
	store_query_read(db, "SELECT subscriptions_list()", 0, NULL, cb, arg);
}

void
store_subscription_get(struct db *db, const char *name, store_doc_cb cb,
    void *arg)
{
	const char	*v[1] = { name };

	store_query_read(db, "SELECT subscription_get($1)", 1, v, cb, arg);
}

void
store_subscription_delete(struct db *db, const char *name, int force,
    const char *principal, store_reply_cb cb, void *arg)
{
	const char	*v[3] = { name, force ? "t" : "f", principal };

	/* Not retried: it changes state and is audited once. */
	store_query_reply(db, "SELECT outcome, reply FROM subscription_delete("
	    "$1, $2::boolean, $3)", 3, v, NULL, NULL, 0, cb, arg);
}
