/*
 * store_officers.c -- the statements of customs officers: a wagon's
 * resolution (one wagon or several at once), goods on no wagon resolved,
 * the four-eyes override and the train hits' clearings awaiting a second
 * supervisor, the final decision and whom it notifies (store.h; the
 * functions are in db/functions/60_officers.sql, 65_bulk.sql,
 * 65_proposals.sql and 70_notices.sql).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "query.h"
#include "store.h"

void
store_resolve_wagon(struct db *db, const char *id, const char *wagon,
    const char *action, const char *reason, const char *principal,
    const char *role, const char *ruleset, store_reply_cb cb, void *arg)
{
	const char	*v[7] = { id, wagon, action, reason, principal, role,
			    ruleset };

	/* Not retried: the audit trail would show it twice. */
	store_query_reply(db, "SELECT outcome, reply FROM resolve_wagon($1, $2, "
	    "$3, $4, $5, $6, $7)", 7, v, NULL, NULL, 0, cb, arg);
}

void
store_resolve_wagons(struct db *db, const char *id, const char *wagons,
    const char *action, const char *reason, const char *principal,
    const char *role, store_reply_cb cb, void *arg)
{
	const char	*v[6] = { id, wagons, action, reason, principal, role };

	/* Not retried: the audit trail would show it twice. */
	store_query_reply(db, "SELECT outcome, reply FROM resolve_wagons($1, "
	    "ARRAY(SELECT json_array_elements_text($2::json)), $3, $4, $5, "
	    "$6, NULL)", 6, v, NULL, NULL, 0, cb, arg);
}

void
store_notice_targets(struct db *db, const char *train, store_doc_cb cb,
    void *arg)
{
	const char	*v[1] = { train };

	store_query_read(db, "SELECT notice_targets_json($1)::text", 1, v, cb,
	    arg);
}

void
store_resolve_goods(struct db *db, const char *id, const struct store_goods *g,
    store_reply_cb cb, void *arg)
{
	const char	*v[8] = { id, g->consignment, g->item, g->resolution,
			    g->wagon, g->reason, g->principal, g->role };

	/* Not retried: the audit trail would show it twice. */
	store_query_reply(db, "SELECT outcome, reply FROM resolve_goods($1, $2, "
	    "$3::integer, $4, $5, $6, $7, $8, NULL)", 8, v, NULL, NULL, 0, cb,
	    arg);
}

void
store_decide_override(struct db *db, const char *id, const char *wagon,
    int confirm, const char *reason, const char *principal, const char *role,
    store_reply_cb cb, void *arg)
{
	const char	*v[6] = { id, wagon, confirm ? "t" : "f", reason,
			    principal, role };

	/* Not retried: the audit trail would show it twice. */
	store_query_reply(db, "SELECT outcome, reply FROM decide_override($1, "
	    "$2, $3::boolean, $4, $5, $6, NULL)", 6, v, NULL, NULL, 0, cb, arg);
}

void
store_clear_train_hit(struct db *db, const char *id, const char *rule,
    const char *reason, const char *principal, const char *role,
    store_reply_cb cb, void *arg)
{
	const char	*v[5] = { id, rule, reason, principal, role };

	/* Not retried: the audit trail would show it twice. */
	store_query_reply(db, "SELECT outcome, reply FROM clear_train_hit($1, "
	    "$2, $3, $4, $5)", 5, v, NULL, NULL, 0, cb, arg);
}

void
store_decide_proposal(struct db *db, const char *id, const char *proposal,
    int confirm, const char *reason, const char *principal, const char *role,
    store_reply_cb cb, void *arg)
{
	const char	*v[6] = { id, proposal, confirm ? "t" : "f", reason,
			    principal, role };

	/* Not retried: the audit trail would show it twice. */
	store_query_reply(db, "SELECT outcome, reply FROM decide_proposal($1, "
	    "$2::bigint, $3::boolean, $4, $5, $6, NULL)", 6, v, NULL, NULL, 0,
	    cb, arg);
}

void
store_proposals_list(struct db *db, const char *principal, store_doc_cb cb,
    void *arg)
{
	const char	*v[1] = { principal };

	store_query_read(db, "SELECT proposals_pending($1)::text", 1, v, cb,
	    arg);
}

/*
 * Row: train_id, version, document, resolutions, state, eval_needed,
 * proposals, fingerprint, resolutions_proposed, clearings_pending.
 */
static void
final_inputs_cb(const struct db_result *r, void *arg)
{
	struct store_call		*q = arg;
	struct store_final_inputs	 in;

	if (!db_result_ok(r))
		q->cb.final_inputs(store_failure(r), NULL, q->arg);
	else if (db_result_rows(r) == 0 || db_result_is_null(r, 0, 0))
		q->cb.final_inputs(0, NULL, q->arg);
	else {
		in.train_id = atoll(db_result_value(r, 0, 0));
		in.version = store_int_or_zero(r, 0, 1);
		in.document = store_text_or_null(r, 0, 2);
		in.resolutions = db_result_value(r, 0, 3);
		in.state = db_result_value(r, 0, 4);
		in.eval_needed = strcmp(db_result_value(r, 0, 5), "t") == 0;
		in.proposals = db_result_value(r, 0, 6);
		in.fingerprint = db_result_value(r, 0, 7);
		in.resolutions_proposed = db_result_value(r, 0, 8);
		in.clearings_pending = store_text_or_null(r, 0, 9);
		q->cb.final_inputs(1, &in, q->arg);
	}
	free(q);
}

void
store_final_inputs(struct db *db, const char *id, store_final_inputs_cb cb,
    void *arg)
{
	struct store_call	*q = store_call_new(arg);
	const char		*v[1] = { id };

	q->cb.final_inputs = cb;
	db_query(db, "SELECT f.*, "
	    "train_proposals_pending_text(f.train_id) FROM final_inputs($1) f", 1, v, NULL, NULL,
	    DB_RETRY, 10000, final_inputs_cb, q);
}

void
store_finalize(struct db *db, const struct store_final *f, store_reply_cb cb,
    void *arg)
{
	char		 tid[24], ver[24];
	const char	*v[11];

	snprintf(tid, sizeof tid, "%lld", f->train_id);
	snprintf(ver, sizeof ver, "%lld", f->version);
	v[0] = tid;
	v[1] = ver;
	v[2] = f->document;
	v[3] = f->outcome;
	v[4] = f->wagons;
	v[5] = f->principal;
	v[6] = f->role;
	v[7] = f->reason;
	v[8] = f->approve ? "t" : "f";
	v[9] = f->fingerprint;
	v[10] = f->confirm ? "t" : "f";
	/* Safe to repeat: a second attempt finds the version moved (conflict). */
	store_query_reply(db, "SELECT outcome, reply FROM finalize_decision("
	    "$1::bigint, $2::bigint, $3::json, $4, $5::json, $6, $7, $8, "
	    "$9::boolean, $10, $11::boolean)", 11, v, NULL, NULL, DB_RETRY, cb,
	    arg);
}
