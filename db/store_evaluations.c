/*
 * store_evaluations.c -- the statements of the evaluator: train runs
 * claimed under a lease, the decisions made, the rule sets they were
 * made with (store.h; the functions are in db/functions/50_evaluation.sql).
 */
#include <stdio.h>
#include <stdlib.h>

#include "manifest/util.h"

#include "db.h"
#include "query.h"
#include "store.h"

/* Row: train_id, train_no, run, manifest_id, raw_z, events, last_event_id,
 * green_lane, clearances_key, clearances. */
static void
claim_fill(const struct db_result *r, int i, void *element)
{
	struct store_claim	*c = element;

	c->train_id = atoll(db_result_value(r, i, 0));
	c->train_no = db_result_value(r, i, 1);
	c->run = atoi(db_result_value(r, i, 2));
	c->manifest_id = atoll(db_result_value(r, i, 3));
	/* Binary results: the compressed bytes as they are. */
	c->raw_z = store_bytes_or_null(r, i, 4, &c->raw_z_len);
	c->events = db_result_value(r, i, 5);
	c->last_event_id = store_int_or_zero(r, i, 6);
	c->green_lane = db_result_value(r, i, 7)[0] == 't';	/* true, t */
	c->clearances_key = store_text_or_null(r, i, 8);
	c->clearances = store_text_or_null(r, i, 9);
}

static void
claim_cb(const struct db_result *r, void *arg)
{
	struct store_call	*q = arg;
	struct store_claim	*v;
	size_t			 n;

	if (!db_result_ok(r)) {
		q->cb.claim(store_failure(r), NULL, 0, q->arg);
		free(q);
		return;
	}
	v = store_rows(r, sizeof *v, claim_fill, &n);
	q->cb.claim((int)n, v, n, q->arg);
	free(v);
	free(q);
}

/* A PostgreSQL array literal of ids, NUL-terminated, in b. */
static void
id_array(struct buf *b, const long long *ids, size_t n)
{
	size_t	i;

	buf_add_char(b, '{');
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%lld", i > 0 ? "," : "", ids[i]);
	buf_add_char(b, '}');
	buf_add_char(b, '\0');
}

void
store_claim_evaluations(struct db *db, const struct store_claim_request *rq,
    store_claim_cb cb, void *arg)
{
	struct store_call	*q = store_call_new(arg);
	struct buf		 busy = { 0 }, have = { 0 };
	char			 ns[16], ls[16];
	const char		*v[6] = { rq->owner, ns, ls, NULL, NULL,
				    rq->clearances_key };

	q->cb.claim = cb;
	snprintf(ns, sizeof ns, "%d", rq->n);
	snprintf(ls, sizeof ls, "%d", rq->lease_s);
	id_array(&busy, rq->busy, rq->nbusy);
	id_array(&have, rq->have, rq->nhave);
	v[3] = busy.data;
	v[4] = have.data;
	/* Safe to repeat: a claim by the same owner is claimed again.  A
	 * step of a decision: ahead of the readers (DB_URGENT). */
	/* Binary results, so the manifest's bytes need no hex decoding; the
	 * casts make every other column's binary form its text. */
	db_query(db, "SELECT train_id::text, train_no, run::text, "
	    "manifest_id::text, raw_z, events::text, last_event_id::text, "
	    "green_lane::text, clearances_key, clearances::text "
	    "FROM claim_evaluations($1, $2::int, $3::int, $4::bigint[], "
	    "$5::bigint[], $6)", 6, v, NULL, NULL,
	    DB_RETRY | DB_BINARY_RESULT | DB_URGENT, 10000, claim_cb, q);
	buf_free(&busy);
	buf_free(&have);
}

void
store_record_decision(struct db *db, const struct store_decision *d,
    store_decision_cb cb, void *arg)
{
	char		 tid[24], mid[24], eid[24];
	const char	*v[11];

	snprintf(tid, sizeof tid, "%lld", d->train_id);
	snprintf(mid, sizeof mid, "%lld", d->manifest_id);
	snprintf(eid, sizeof eid, "%lld", d->last_event_id);
	v[0] = tid;
	v[1] = d->owner;
	v[2] = d->document;
	v[3] = d->outcome;
	v[4] = d->final ? "t" : "f";
	v[5] = d->wagons;
	v[6] = d->ruleset_sha256;
	v[7] = d->ruleset_name;
	v[8] = mid;
	v[9] = d->last_event_id != 0 ? eid : NULL;
	v[10] = d->clearances;
	/* Safe to repeat: a second store under a lost lease is "stale".
	 * A step of a decision: ahead of the readers (DB_URGENT). */
	store_query_text(db, "SELECT store_decision($1::bigint, $2, $3::json, "
	    "$4, $5::boolean, $6::json, $7, $8, $9::bigint, $10::bigint, "
	    "$11::json)", 11, v,
	    DB_RETRY | DB_URGENT, 30000, cb, arg);
}

void
store_ruleset(struct db *db, const char *sha256, const char *name,
    const unsigned char *files_z, size_t len, store_reply_cb cb, void *arg)
{
	const char	*v[3] = { sha256, name, (const char *)files_z };
	int		 lens[3] = { 0, 0, (int)len }, bin[3] = { 0, 0, 1 };

	store_query_reply(db, "SELECT 'done', '{}'::json FROM store_ruleset($1, "
	    "$2, $3)", 3, v, lens, bin, DB_RETRY, cb, arg);
}

void
store_ruleset_files(struct db *db, const char *sha256, store_doc_cb cb,
    void *arg)
{
	const char	*v[1] = { sha256 };

	/* Binary result: the bytea as stored, not its hex text. */
	store_query_doc(db, "SELECT files_z FROM rulesets WHERE sha256 = $1", 1,
	    v, NULL, NULL, DB_RETRY | DB_BINARY_RESULT, cb, arg);
}
