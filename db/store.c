/*
 * store.c -- the daemon's statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "db.h"
#include "query.h"
#include "store.h"

/* A statement that failed, or answered no row where one was due. */
int
store_failure(const struct db_result *r)
{
	switch (db_result_failure(r)) {
	case DB_FAILURE_UNAVAILABLE:
		return STORE_UNAVAILABLE;
	case DB_FAILURE_DATA:
		return STORE_REFUSED;
	case DB_FAILURE_CONFLICT:
		return STORE_CONFLICT;
	default:
		return STORE_FAILED;
	}
}

/* The outcome names, as db/functions/ write them; index: the enum. */
static const char *const outcome_names[] = {
	[STORE_OUTCOME_UNKNOWN] = "unknown",
	[STORE_OUTCOME_DONE] = "done",
	[STORE_OUTCOME_ACCEPTED] = "accepted",
	[STORE_OUTCOME_PROPOSED] = "proposed",
	[STORE_OUTCOME_DUPLICATE] = "duplicate",
	[STORE_OUTCOME_NOT_FOUND] = "not_found",
	[STORE_OUTCOME_CONFLICT] = "conflict",
	[STORE_OUTCOME_FORBIDDEN] = "forbidden",
	[STORE_OUTCOME_INVALID] = "invalid",
};

enum store_outcome
store_outcome_parse(const char *name)
{
	size_t	i;

	for (i = 1; name != NULL && i < nitems(outcome_names); i++)
		if (strcmp(name, outcome_names[i]) == 0)
			return (enum store_outcome)i;
	return STORE_OUTCOME_UNKNOWN;
}

const char *
store_outcome_name(enum store_outcome o)
{
	return (size_t)o < nitems(outcome_names) ? outcome_names[o] :
	    outcome_names[STORE_OUTCOME_UNKNOWN];
}

struct token_lookup {
	store_token_cb	 cb;
	void		*arg;
};

/* Row: principal, role. */
static void
token_lookup_done(const struct db_result *r, void *arg)
{
	struct token_lookup	*q = arg;

	if (!db_result_ok(r))
		q->cb(store_failure(r), NULL, NULL, q->arg);
	else if (db_result_rows(r) == 0)
		q->cb(0, NULL, NULL, q->arg);
	else
		q->cb(1, db_result_value(r, 0, 0), db_result_value(r, 0, 1),
		    q->arg);
	free(q);
}

void
store_token_lookup(struct db *db, const char *hash, store_token_cb cb,
    void *arg)
{
	struct token_lookup	*q = xmalloc(sizeof *q);
	const char		*p[1] = { hash };

	q->cb = cb;
	q->arg = arg;
	db_query(db, "SELECT principal, role FROM tokens WHERE hash = $1 "
	    "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
	    1, p, NULL, NULL, DB_RETRY, 5000, token_lookup_done, q);
}

struct audit_verify {
	store_audit_verify_cb	 cb;
	void			*arg;
};

/* Row: first_bad, checked, reason. */
static void
audit_verify_done(const struct db_result *r, void *arg)
{
	struct audit_verify	*q = arg;

	if (!db_result_ok(r) || db_result_rows(r) == 0)
		q->cb(store_failure(r), 0, 0, db_result_error(r), q->arg);
	else if (db_result_is_null(r, 0, 0))
		q->cb(1, atoll(db_result_value(r, 0, 1)), 0, NULL, q->arg);
	else
		q->cb(0, atoll(db_result_value(r, 0, 1)),
		    atoll(db_result_value(r, 0, 0)), db_result_value(r, 0, 2),
		    q->arg);
	free(q);
}

void
store_audit_verify(struct db *db, store_audit_verify_cb cb, void *arg)
{
	struct audit_verify	*q = xmalloc(sizeof *q);

	q->cb = cb;
	q->arg = arg;
	db_query(db, "SELECT first_bad, checked, reason FROM audit_verify()", 0,
	    NULL, NULL, NULL, DB_RETRY, 60000, audit_verify_done, q);
}

struct ingest {
	store_ingest_cb	 cb;
	void		*arg;
};

/* Row: manifest_id, train_id, outcome, reply, repeated. */
static void
ingest_done(const struct db_result *r, void *arg)
{
	struct ingest	*q = arg;

	if (!db_result_ok(r) || db_result_rows(r) == 0)
		q->cb(store_failure(r), 0, 0, STORE_OUTCOME_UNKNOWN, NULL, 0,
		    db_result_error(r), q->arg);
	else
		q->cb(0, atoll(db_result_value(r, 0, 0)),
		    db_result_is_null(r, 0, 1) ? 0 : atoll(db_result_value(r, 0, 1)),
		    store_outcome_parse(db_result_value(r, 0, 2)),
		    db_result_value(r, 0, 3),
		    strcmp(db_result_value(r, 0, 4), "t") == 0, NULL, q->arg);
	free(q);
}

void
store_ingest_manifest(struct db *db, const struct store_manifest *m,
    store_ingest_cb cb, void *arg)
{
	struct ingest	*q = xmalloc(sizeof *q);
	char		 size[24];
	const char	*v[14];
	int		 len[14] = { 0 }, bin[14] = { 0 };

	q->cb = cb;
	q->arg = arg;
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
	/* With a key, running twice returns the first answer: safe to retry. */
	db_query(db, "SELECT manifest_id, train_id, outcome, reply, repeated "
	    "FROM ingest_manifest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
	    "$12, $13, $14)", 14, v, len, bin, m->key != NULL ? DB_RETRY : 0,
	    60000, ingest_done, q);
}

struct doc {
	store_doc_cb	 cb;
	void		*arg;
};

/* Row: one text (or binary) value; no row or NULL: not found. */
static void
doc_done(const struct db_result *r, void *arg)
{
	struct doc	*q = arg;

	if (!db_result_ok(r))
		q->cb(store_failure(r), NULL, 0, q->arg);
	else if (db_result_rows(r) == 0 || db_result_is_null(r, 0, 0))
		q->cb(0, NULL, 0, q->arg);
	else
		q->cb(1, db_result_value(r, 0, 0),
		    (size_t)db_result_length(r, 0, 0), q->arg);
	free(q);
}

void
store_query_doc(struct db *db, const char *sql, int n, const char *const *v,
    const int *lengths, const int *binary, unsigned flags, store_doc_cb cb,
    void *arg)
{
	struct doc	*q = xmalloc(sizeof *q);

	q->cb = cb;
	q->arg = arg;
	db_query(db, sql, n, v, lengths, binary, flags, 10000, doc_done, q);
}

/* Queues a read answered with one document. */
static void
doc_query(struct db *db, const char *sql, int n, const char *const *v,
    store_doc_cb cb, void *arg)
{
	store_query_doc(db, sql, n, v, NULL, NULL, DB_RETRY, cb, arg);
}

void
store_clock_alerts(struct db *db, int target_min, int warn_pct,
    store_doc_cb cb, void *arg)
{
	char		 tm[16], wp[16];
	const char	*v[2] = { tm, wp };

	snprintf(tm, sizeof tm, "%d", target_min);
	snprintf(wp, sizeof wp, "%d", warn_pct);
	doc_query(db, "SELECT coalesce(json_agg(a), '[]') FROM "
	    "clock_alerts($1::int, $2::int) a", 2, v, cb, arg);
}

void
store_db_clock(struct db *db, store_decision_cb cb, void *arg)
{
	store_query_text(db, "SELECT (extract(epoch FROM clock_timestamp()) * "
	    "1000)::bigint", 0, NULL, 0, cb, arg);
}

void
store_clock_jump(struct db *db, long long jump_ms, const char *by,
    store_decision_cb cb, void *arg)
{
	char		 j[32];
	const char	*v[2] = { j, by };

	snprintf(j, sizeof j, "%lld", jump_ms);
	store_query_text(db, "SELECT clock_jump($1::bigint, $2)", 2, v, 0, cb,
	    arg);
}

void
store_train_list(struct db *db, const char *state, int target_min,
    int warn_pct, store_doc_cb cb, void *arg)
{
	char		 tm[16], wp[16];
	const char	*v[3] = { state, tm, wp };

	snprintf(tm, sizeof tm, "%d", target_min);
	snprintf(wp, sizeof wp, "%d", warn_pct);
	doc_query(db, "SELECT coalesce(json_agg(train_summary(t, $2::int, $3::int) "
	    "ORDER BY t.green_lane DESC, t.eta NULLS LAST, t.id), '[]') "
	    "FROM (SELECT DISTINCT ON (train_no) * FROM trains "
	    "ORDER BY train_no, run DESC) t WHERE $1::text IS NULL OR t.state = $1",
	    3, v, cb, arg);
}

void
store_train_get(struct db *db, const char *id, int target_min, int warn_pct,
    store_doc_cb cb, void *arg)
{
	char		 tm[16], wp[16];
	const char	*v[3] = { id, tm, wp };

	snprintf(tm, sizeof tm, "%d", target_min);
	snprintf(wp, sizeof wp, "%d", warn_pct);
	doc_query(db, "SELECT (train_summary(t, $2::int, $3::int)::jsonb || "
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
	    "FROM wagons w WHERE w.train_id = t.id)))::text "
	    "FROM train_find($1) t", 3, v, cb, arg);
}

void
store_metrics_snapshot(struct db *db, int target_min, int warn_pct,
    store_doc_cb cb, void *arg)
{
	char		 tm[16], wp[16];
	const char	*v[2] = { tm, wp };

	snprintf(tm, sizeof tm, "%d", target_min);
	snprintf(wp, sizeof wp, "%d", warn_pct);
	doc_query(db, "SELECT metrics_snapshot($1::int, $2::int)", 2, v, cb,
	    arg);
}

void
store_train_decision(struct db *db, const char *id, store_doc_cb cb, void *arg)
{
	const char	*v[1] = { id };

	doc_query(db, "SELECT decision FROM train_find($1)", 1, v, cb, arg);
}

void
store_train_manifest(struct db *db, const char *id, store_doc_cb cb,
    void *arg)
{
	struct doc	*q = xmalloc(sizeof *q);
	const char	*v[1] = { id };

	q->cb = cb;
	q->arg = arg;
	/* Binary result: the bytea as stored, not its hex text. */
	db_query(db, "SELECT m.raw_z FROM train_find($1) t "
	    "JOIN manifests m ON m.id = t.manifest_id", 1, v, NULL, NULL,
	    DB_RETRY | DB_BINARY_RESULT, 10000, doc_done, q);
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

void
store_train_audit(struct db *db, const char *id, store_doc_cb cb, void *arg)
{
	const char	*v[1] = { id };

	/* No row (a 404) for a train that does not exist; [] for one
	 * without records. */
	doc_query(db, "SELECT coalesce((SELECT json_agg(json_build_object("
	    "'seq', a.seq, 'at', to_char(a.at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'actor', a.actor, "
	    "'action', a.action, 'details', a.details::json, "
	    "'ruleset_sha256', a.ruleset_sha256, 'hash', a.hash) ORDER BY a.seq) "
	    "FROM audit_log a WHERE a.train_id = t.id), '[]') "
	    "FROM train_find($1) t", 1, v, cb, arg);
}

struct reply {
	store_reply_cb	 cb;
	void		*arg;
};

/* Row: outcome, reply. */
static void
reply_done(const struct db_result *r, void *arg)
{
	struct reply	*q = arg;

	if (!db_result_ok(r) || db_result_rows(r) == 0)
		q->cb(store_failure(r), STORE_OUTCOME_UNKNOWN, NULL, q->arg);
	else
		q->cb(0, store_outcome_parse(db_result_value(r, 0, 0)),
		    db_result_value(r, 0, 1), q->arg);
	free(q);
}

void
store_add_event(struct db *db, const char *id, const char *type,
    const char *body, const char *principal, const char *ruleset,
    store_reply_cb cb, void *arg)
{
	struct reply	*q = xmalloc(sizeof *q);
	const char	*v[5] = { id, type, body, principal, ruleset };

	q->cb = cb;
	q->arg = arg;
	/* Not retried: an event recorded twice would be two events. */
	db_query(db, "SELECT outcome, reply FROM add_event($1, $2, $3, $4, $5)",
	    5, v, NULL, NULL, 0, 10000, reply_done, q);
}

void
store_resolve_wagon(struct db *db, const char *id, const char *wagon,
    const char *action, const char *reason, const char *principal,
    const char *role, const char *ruleset, store_reply_cb cb, void *arg)
{
	struct reply	*q = xmalloc(sizeof *q);
	const char	*v[7] = { id, wagon, action, reason, principal, role,
			    ruleset };

	q->cb = cb;
	q->arg = arg;
	/* Not retried: the audit trail would show it twice. */
	db_query(db, "SELECT outcome, reply FROM resolve_wagon($1, $2, $3, "
	    "$4, $5, $6, $7)", 7, v, NULL, NULL, 0, 10000, reply_done, q);
}

void
store_decide_override(struct db *db, const char *id, const char *wagon,
    int confirm, const char *reason, const char *principal, const char *role,
    store_reply_cb cb, void *arg)
{
	struct reply	*q = xmalloc(sizeof *q);
	const char	*v[6] = { id, wagon, confirm ? "t" : "f", reason,
			    principal, role };

	q->cb = cb;
	q->arg = arg;
	/* Not retried: the audit trail would show it twice. */
	db_query(db, "SELECT outcome, reply FROM decide_override($1, $2, "
	    "$3::boolean, $4, $5, $6, NULL)", 6, v, NULL, NULL, 0, 10000,
	    reply_done, q);
}

struct final_inputs {
	store_final_inputs_cb	 cb;
	void			*arg;
};

/*
 * Row: train_id, version, document, resolutions, state, eval_needed,
 * proposals, fingerprint, resolutions_proposed.
 */
static void
final_inputs_done(const struct db_result *r, void *arg)
{
	struct final_inputs		*q = arg;
	struct store_final_inputs	 in;

	if (!db_result_ok(r))
		q->cb(store_failure(r), NULL, q->arg);
	else if (db_result_rows(r) == 0 || db_result_is_null(r, 0, 0))
		q->cb(0, NULL, q->arg);
	else {
		in.train_id = atoll(db_result_value(r, 0, 0));
		in.version = db_result_is_null(r, 0, 1) ? 0 :
		    atoll(db_result_value(r, 0, 1));
		in.document = db_result_is_null(r, 0, 2) ? NULL :
		    db_result_value(r, 0, 2);
		in.resolutions = db_result_value(r, 0, 3);
		in.state = db_result_value(r, 0, 4);
		in.eval_needed = strcmp(db_result_value(r, 0, 5), "t") == 0;
		in.proposals = db_result_value(r, 0, 6);
		in.fingerprint = db_result_value(r, 0, 7);
		in.resolutions_proposed = db_result_value(r, 0, 8);
		q->cb(1, &in, q->arg);
	}
	free(q);
}

void
store_final_inputs(struct db *db, const char *id, store_final_inputs_cb cb,
    void *arg)
{
	struct final_inputs	*q = xmalloc(sizeof *q);
	const char		*v[1] = { id };

	q->cb = cb;
	q->arg = arg;
	db_query(db, "SELECT * FROM final_inputs($1)", 1, v, NULL, NULL,
	    DB_RETRY, 10000, final_inputs_done, q);
}

void
store_finalize(struct db *db, const struct store_final *f, store_reply_cb cb,
    void *arg)
{
	struct reply	*q = xmalloc(sizeof *q);
	char		 tid[24], ver[24];
	const char	*v[11];

	q->cb = cb;
	q->arg = arg;
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
	/* Safe to repeat: a second attempt finds the version moved (409). */
	db_query(db, "SELECT outcome, reply FROM finalize_decision("
	    "$1::bigint, $2::bigint, $3::json, $4, $5::json, $6, $7, $8, "
	    "$9::boolean, $10, $11::boolean)", 11, v, NULL, NULL, DB_RETRY,
	    10000, reply_done, q);
}

struct claim {
	store_claim_cb	 cb;
	void		*arg;
};

/* Rows: train_id, train_no, run, manifest_id, raw_z, events, last_event_id, green_lane. */
static void
claim_done(const struct db_result *r, void *arg)
{
	struct claim		*q = arg;
	struct store_claim	*v;
	int			 i, n;

	if (!db_result_ok(r)) {
		q->cb(store_failure(r), NULL, 0, q->arg);
		free(q);
		return;
	}
	n = db_result_rows(r);
	v = xcalloc((size_t)(n > 0 ? n : 1), sizeof *v);
	for (i = 0; i < n; i++) {
		v[i].train_id = atoll(db_result_value(r, i, 0));
		v[i].train_no = db_result_value(r, i, 1);
		v[i].run = atoi(db_result_value(r, i, 2));
		v[i].manifest_id = atoll(db_result_value(r, i, 3));
		/* Binary results: the compressed bytes as they are. */
		if (!db_result_is_null(r, i, 4)) {
			v[i].raw_z = (const unsigned char *)
			    db_result_value(r, i, 4);
			v[i].raw_z_len = (size_t)db_result_length(r, i, 4);
		}
		v[i].events = db_result_value(r, i, 5);
		v[i].last_event_id = db_result_is_null(r, i, 6) ? 0 :
		    atoll(db_result_value(r, i, 6));
		v[i].green_lane = db_result_value(r, i, 7)[0] == 't';	/* true, t */
	}
	q->cb(n, v, (size_t)n, q->arg);
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
	struct claim	*q = xmalloc(sizeof *q);
	struct buf	 busy = { 0 }, have = { 0 };
	char		 ns[16], ls[16];
	const char	*v[5] = { rq->owner, ns, ls, NULL, NULL };

	q->cb = cb;
	q->arg = arg;
	snprintf(ns, sizeof ns, "%d", rq->n);
	snprintf(ls, sizeof ls, "%d", rq->lease_s);
	id_array(&busy, rq->busy, rq->nbusy);
	id_array(&have, rq->have, rq->nhave);
	v[3] = busy.data;
	v[4] = have.data;
	/* Safe to repeat: a claim by the same owner is claimed again. */
	/* Binary results, so the manifest's bytes need no hex decoding; the
	 * casts make every other column's binary form its text. */
	db_query(db, "SELECT train_id::text, train_no, run::text, "
	    "manifest_id::text, raw_z, events::text, last_event_id::text, "
	    "green_lane::text FROM claim_evaluations($1, $2::int, $3::int, "
	    "$4::bigint[], $5::bigint[])", 5, v, NULL, NULL,
	    DB_RETRY | DB_BINARY_RESULT, 10000, claim_done, q);
	buf_free(&busy);
	buf_free(&have);
}

struct decided {
	store_decision_cb	 cb;
	void			*arg;
};

static void
decision_done(const struct db_result *r, void *arg)
{
	struct decided	*q = arg;

	q->cb(db_result_ok(r) && db_result_rows(r) > 0 ?
	    db_result_value(r, 0, 0) : NULL, q->arg);
	free(q);
}

void
store_query_text(struct db *db, const char *sql, int n, const char *const *v,
    unsigned flags, store_decision_cb cb, void *arg)
{
	struct decided	*q = xmalloc(sizeof *q);

	q->cb = cb;
	q->arg = arg;
	db_query(db, sql, n, v, NULL, NULL, flags, 30000, decision_done, q);
}

void
store_record_decision(struct db *db, const struct store_decision *d,
    store_decision_cb cb, void *arg)
{
	struct decided	*q = xmalloc(sizeof *q);
	char		 tid[24], mid[24], eid[24];
	const char	*v[10];

	q->cb = cb;
	q->arg = arg;
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
	/* Safe to repeat: a second store under a lost lease is "stale". */
	db_query(db, "SELECT store_decision($1::bigint, $2, $3::json, $4, "
	    "$5::boolean, $6::json, $7, $8, $9::bigint, $10::bigint)", 10, v,
	    NULL, NULL, DB_RETRY, 30000, decision_done, q);
}

void
store_ruleset(struct db *db, const char *sha256, const char *name,
    const unsigned char *files_z, size_t len, store_reply_cb cb, void *arg)
{
	struct reply	*q = xmalloc(sizeof *q);
	const char	*v[3] = { sha256, name, (const char *)files_z };
	int		 lens[3] = { 0, 0, (int)len }, bin[3] = { 0, 0, 1 };

	q->cb = cb;
	q->arg = arg;
	db_query(db, "SELECT 'done', '{}'::json FROM store_ruleset($1, $2, $3)", 3, v,
	    lens, bin, DB_RETRY, 10000, reply_done, q);
}

struct notices_claim {
	store_notices_cb	 cb;
	void			*arg;
};

/* Rows of claim_notices(), bodies in binary. */
static void
notices_claimed(const struct db_result *r, void *arg)
{
	struct notices_claim	*q = arg;
	struct store_notice	*v;
	int			 i, n;

	if (!db_result_ok(r)) {
		q->cb(store_failure(r), NULL, 0, q->arg);
		free(q);
		return;
	}
	n = db_result_rows(r);
	v = xcalloc((size_t)(n > 0 ? n : 1), sizeof *v);
	for (i = 0; i < n; i++) {
		v[i].id = db_result_value(r, i, 0);
		v[i].format = db_result_value(r, i, 1);
		v[i].follow_up_of = db_result_is_null(r, i, 2) ? NULL :
		    db_result_value(r, i, 2);
		if (!db_result_is_null(r, i, 3)) {
			v[i].body = (const unsigned char *)db_result_value(r, i, 3);
			v[i].body_len = (size_t)db_result_length(r, i, 3);
		}
		v[i].attempts = atoi(db_result_value(r, i, 4));
		v[i].url = db_result_value(r, i, 5);
		v[i].secret = db_result_value(r, i, 6);
		v[i].recipient = db_result_is_null(r, i, 7) ? NULL :
		    db_result_value(r, i, 7);
		v[i].subscription = db_result_value(r, i, 8);
		v[i].train_no = db_result_value(r, i, 9);
		v[i].decision = db_result_value(r, i, 10);
		v[i].created = atoll(db_result_value(r, i, 11));
		v[i].client_cert = db_result_is_null(r, i, 12) ? NULL :
		    db_result_value(r, i, 12);
		v[i].client_key = db_result_is_null(r, i, 13) ? NULL :
		    db_result_value(r, i, 13);
	}
	q->cb(n, v, (size_t)n, q->arg);
	free(v);
	free(q);
}

void
store_claim_notices(struct db *db, const char *owner, int n, int lease_s,
    store_notices_cb cb, void *arg)
{
	struct notices_claim	*q = xmalloc(sizeof *q);
	char			 ns[16], ls[16];
	const char		*v[3] = { owner, ns, ls };

	q->cb = cb;
	q->arg = arg;
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

struct status_q {
	store_status_cb	 cb;
	void		*arg;
};

static void
status_done(const struct db_result *r, void *arg)
{
	struct status_q	*q = arg;

	q->cb(db_result_ok(r) ? 0 : store_failure(r), q->arg);
	free(q);
}

void
store_query_status(struct db *db, const char *sql, int n,
    const char *const *v, const int *lengths, const int *binary,
    unsigned flags, store_status_cb cb, void *arg)
{
	struct status_q	*q = xmalloc(sizeof *q);

	q->cb = cb;
	q->arg = arg;
	db_query(db, sql, n, v, lengths, binary, flags, 10000, status_done, q);
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
	struct decided	*q = xmalloc(sizeof *q);
	char		 st[16], rs[32], mx[16];
	const char	*v[6] = { id, owner, st, error, rs, mx };

	q->cb = cb;
	q->arg = arg;
	snprintf(st, sizeof st, "%d", http_status);
	snprintf(rs, sizeof rs, "%.3f", retry_s);
	snprintf(mx, sizeof mx, "%d", max_attempts);
	/* Not retried: a second record would count an attempt twice. */
	db_query(db, "SELECT notice_attempted($1, $2, $3::int, $4, "
	    "$5::double precision, $6::int)", 6, v, NULL, NULL, 0, 10000,
	    decision_done, q);
}

void
store_notice_redeliver(struct db *db, const char *id, const char *principal,
    store_reply_cb cb, void *arg)
{
	struct reply	*q = xmalloc(sizeof *q);
	const char	*v[2] = { id, principal };

	q->cb = cb;
	q->arg = arg;
	db_query(db, "SELECT outcome, reply FROM notice_redeliver($1, $2)",
	    2, v, NULL, NULL, 0, 10000, reply_done, q);
}

void
store_train_notices(struct db *db, const char *id, store_doc_cb cb, void *arg)
{
	const char	*v[1] = { id };

	doc_query(db, "SELECT train_notices($1) FROM train_find($1) t", 1, v,
	    cb, arg);
}

void
store_subscription_put(struct db *db, const char *name, const char *url,
    const char *formats, const char *secret, const char *recipient,
    int enabled, const char *client_cert, const char *client_key,
    const char *principal, store_doc_cb cb, void *arg)
{
	const char	*v[9] = { name, url, formats, secret, recipient,
			    enabled ? "t" : "f", principal, client_cert,
			    client_key };

	doc_query(db, "SELECT subscription_put($1, $2, $3::text[], $4, $5, "
	    "$6::boolean, $7, $8, $9)", 9, v, cb, arg);
}
