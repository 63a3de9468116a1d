/*
 * store_trains.c -- the statements of train runs: a manifest received,
 * the runs and their documents read back, events posted, the gauges of
 * /metrics (store.h; ingest_manifest() and add_event() are in
 * db/functions/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "query.h"
#include "store.h"

/* Row: manifest_id, train_id, outcome, reply, repeated. */
static void
ingest_cb(const struct db_result *r, void *arg)
{
	struct store_call	*q = arg;

	if (!db_result_ok(r) || db_result_rows(r) == 0)
		q->cb.ingest(store_failure(r), 0, 0, STORE_OUTCOME_UNKNOWN, NULL,
		    0, db_result_error(r), q->arg);
	else
		q->cb.ingest(0, atoll(db_result_value(r, 0, 0)),
		    store_int_or_zero(r, 0, 1),
		    store_outcome_parse(db_result_value(r, 0, 2)),
		    db_result_value(r, 0, 3),
		    strcmp(db_result_value(r, 0, 4), "t") == 0, NULL, q->arg);
	free(q);
}

/* The manifest's bytes are in libpq's hands: the caller's again. */
static void
ingest_sent_cb(void *arg)
{
	struct store_call	*q = arg;

	q->sent(q->arg);
}

void
store_ingest_manifest(struct db *db, const struct store_manifest *m,
    store_ingest_cb cb, void *arg)
{
	struct store_call	*q = store_call_new(arg);
	char			 size[24];
	const char		*v[15];
	int			 len[15] = { 0 }, bin[15] = { 0 };

	q->cb.ingest = cb;
	snprintf(size, sizeof size, "%lld", (long long)m->raw_size);
	v[0] = m->sha256;
	v[1] = (const char *)m->raw_z;
	len[1] = (int)m->raw_z_len;
	bin[1] = 1;
	v[2] = size;
	v[3] = m->format;
	v[4] = m->source;
	v[5] = m->principal;
	v[6] = m->key;
	v[7] = m->accepted ? "t" : "f";
	v[8] = m->train_no;
	v[9] = m->function;
	v[10] = m->diagnostics;
	v[11] = m->train;
	v[12] = m->wagons;
	v[13] = m->ruleset;
	v[14] = m->carriers;
	/* With a key, running twice returns the first answer: safe to retry.
	 * A step of a decision: ahead of the readers (DB_URGENT). */
	q->sent = m->raw_z_sent;
	db_query_lent(db, m->carriers != NULL ?	/* an operator's: 71_operator */
	    "SELECT manifest_id, train_id, outcome, reply, repeated FROM "
	    "operator_ingest_manifest($15::text[], $1, $2, $3, $4, $5, $6, $7, "
	    "$8, $9, $10, $11, $12, $13, $14)" :
	    "SELECT manifest_id, train_id, outcome, reply, repeated FROM "
	    "ingest_manifest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
	    "$12, $13, $14)", m->carriers != NULL ? 15 : 14, v, len, bin,
	    (m->key != NULL ? DB_RETRY : 0) | DB_BORROW_BINARY | DB_URGENT,
	    60000, m->raw_z_sent != NULL ? ingest_sent_cb : NULL, ingest_cb, q);
}

void
store_train_list(struct db *db, const char *state,
    enum store_list_finished finished, const struct store_clock *clk,
    store_doc_cb cb, void *arg)
{
	struct store_clock_args	 a = store_clock_args(clk);
	const char		*v[5] = { state, a.target_min, a.amber_s, a.red_s,
				    finished == STORE_LIST_ALL ? NULL :
				    finished == STORE_LIST_FINISHED ? "t" : "f" };

	store_query_read(db, "SELECT coalesce(json_agg(train_summary(t, "
	    "$2::int, $3::int, $4::int) "
	    "ORDER BY t.green_lane DESC, t.eta NULLS LAST, t.id), '[]') "
	    "FROM (SELECT DISTINCT ON (train_no) * FROM trains "
	    "ORDER BY train_no, run DESC) t WHERE ($1::text IS NULL OR "
	    "t.state = $1) AND ($5::boolean IS NULL OR "
	    "train_is_finished(t) = $5::boolean)", 5, v, cb, arg);
}

void
store_train_get(struct db *db, const char *id, const struct store_clock *clk,
    store_doc_cb cb, void *arg)
{
	struct store_clock_args	 a = store_clock_args(clk);
	const char		*v[4] = { id, a.target_min, a.amber_s, a.red_s };

	store_query_read(db, "SELECT (train_summary(t, $2::int, $3::int, "
	    "$4::int)::jsonb || "
	    "jsonb_build_object('wagons', (SELECT coalesce(jsonb_agg("
	    "jsonb_build_object('position', w.position, 'wagon', w.number, "
	    "'containers', w.containers, 'items', w.items, 'action', w.action, "
	    "'rules_action', w.rules_action, 'resolution', w.resolution, "
	    "'resolved_by', w.resolved_by, 'confirmed_by', w.confirmed_by, "
	    "'set_out_by', to_jsonb(w.set_out_by), 'override', CASE WHEN "
	    "w.proposed_action IS NULL THEN NULL ELSE jsonb_build_object("
	    "'action', upper(w.proposed_action), 'proposed_by', w.proposed_by, "
	    "'reason', w.proposed_reason, 'at', to_char(w.proposed_at AT TIME "
	    "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) END) "
	    "ORDER BY w.position), '[]') "
	    "FROM wagons w WHERE w.train_id = t.id), 'goods_resolutions', "
	    "goods_resolutions_view(t.id), 'proposals', "
	    "train_proposals_view(t.id), 'hit_clearances', "
	    "hit_clearances_view(t.id), 'amendments', train_amendments(t.id), "
	    "'taken', train_taken(t.id), 'screening_cleared', "
	    "screening_clearances_applied_view(t.id)))::text "
	    "FROM train_find($1) t", 4, v, cb, arg);
}

void
store_train_decision(struct db *db, const char *id, store_doc_cb cb, void *arg)
{
	const char	*v[1] = { id };

	store_query_read(db, "SELECT decision FROM train_find($1)", 1, v, cb,
	    arg);
}

void
store_train_manifest(struct db *db, const char *id, store_doc_cb cb,
    void *arg)
{
	const char	*v[1] = { id };

	/* Binary result: the bytea as stored, not its hex text. */
	store_query_doc(db, "SELECT m.raw_z FROM train_find($1) t "
	    "JOIN manifests m ON m.id = t.manifest_id", 1, v, NULL, NULL,
	    DB_RETRY | DB_BINARY_RESULT, cb, arg);
}

void
store_train_audit(struct db *db, const char *id, store_doc_cb cb, void *arg)
{
	const char	*v[1] = { id };

	/* No row (a 404) for a train that does not exist; [] for one
	 * without records. */
	store_query_read(db, "SELECT coalesce((SELECT json_agg(json_build_object("
	    "'seq', a.seq, 'at', to_char(a.at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'actor', a.actor, "
	    "'action', a.action, 'details', a.details::json, "
	    "'ruleset_sha256', a.ruleset_sha256, 'hash', a.hash) ORDER BY a.seq) "
	    "FROM audit_log a WHERE a.train_id = t.id), '[]') "
	    "FROM train_find($1) t", 1, v, cb, arg);
}

void
store_train_events(struct db *db, const char *id, store_doc_cb cb, void *arg)
{
	const char	*v[1] = { id };

	/* No row (a 404) for a train that does not exist. */
	store_query_read(db, "SELECT train_events(t.id) FROM train_find($1) t",
	    1, v, cb, arg);
}

void
store_add_event(struct db *db, const char *id, const char *type,
    const char *body, const struct store_author *author, const char *ruleset,
    long long manifest_id, store_reply_cb cb, void *arg)
{
	char		 mid[24];
	const char	*v[8] = { id, type, body, author->name, ruleset,
			    author->role, author->device, NULL };

	if (manifest_id > 0) {
		snprintf(mid, sizeof mid, "%lld", manifest_id);
		v[7] = mid;
	}
	/* Not retried: an event recorded twice would be two events. */
	store_query_reply(db, "SELECT outcome, reply FROM add_event($1, $2, $3, "
	    "$4, $5, $6, $7, $8::bigint)", 8, v, NULL, NULL, 0, cb, arg);
}

void
store_parcel_context(struct db *db, const char *id, const char *container,
    store_doc_cb cb, void *arg)
{
	const char	*v[2] = { id, container };

	store_query_read(db, "SELECT parcel_context(t.id, $2) FROM "
	    "train_find($1) t", 2, v, cb, arg);
}

void
store_metrics_snapshot(struct db *db, const struct store_clock *clk,
    store_doc_cb cb, void *arg)
{
	struct store_clock_args	 a = store_clock_args(clk);
	const char		*v[3] = { a.target_min, a.amber_s, a.red_s };

	store_query_read(db, "SELECT metrics_snapshot($1::int, $2::int, "
	    "$3::int)", 3, v, cb, arg);
}
