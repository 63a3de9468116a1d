/*
 * replay.c -- the auditor's reads, blocking libpq on a connection of the
 * command's own.
 *
 * Results come in binary format with every column but the stored bytes
 * cast to text, so that the manifests' bytes (raw_z) arrive as they are,
 * without the hex escaping of the text format (half the bytes on the
 * wire, and no decoding).  The session runs in UTC so that the times it
 * shows are the ones the audit records' hashes cover.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "engine/replay.h"

#include "replay.h"
#include "dsn.h"

struct replay_db {
	PGconn	*conn;
	bool	 busy;		/* a decisions query is in flight */
};

struct replay_rows {
	PGresult	*res;
};

/* An SQL timestamp as RFC 3339 UTC text and as seconds since the epoch. */
#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define EPOCH(x) "extract(epoch FROM " x ")::float8"

/*
 * The runs a replay selects (enum replay_select in parameter S, its
 * argument in A), of train t.
 */
#define SELECTED(S, A) \
    "CASE " S "::int " \
    "WHEN 1 THEN t.train_no = split_part(" A ", '@', 1) AND (position('@' IN " \
    A ") = 0 OR t.run = split_part(" A ", '@', 2)::int) " \
    "WHEN 2 THEN t.created_at >= " A "::timestamptz " \
    "WHEN 3 THEN EXISTS (SELECT 1 FROM jsonb_array_elements_text(" A \
    "::jsonb) s(x) WHERE t.train_no = split_part(s.x, '@', 1) AND " \
    "(position('@' IN s.x) = 0 OR t.run::text = split_part(s.x, '@', 2))) " \
    "WHEN 4 THEN t.created_at >= coalesce((" A "::jsonb->>'since')::" \
    "timestamptz, '-infinity') AND t.created_at < coalesce((" A \
    "::jsonb->>'until')::timestamptz, 'infinity') ELSE true END "

/*
 * The decisions of the selected runs.  A provisional decision comes with
 * the stored bytes and the events it applied (id <= last_event_id, in
 * order, as claim_evaluations() handed them to the evaluator); a final
 * one with what approval built it from: the train's current decision at
 * the time (the latest decision before it that was final or was made
 * while the train was not final: a decision stored after a final one of
 * the same manifest was kept in the history only, while one of a later
 * manifest -- a replacement made the decision provisional again -- was
 * the current one; so was no decision of a replacement that left the
 * decision final, amendments.final_kept, 025) and each wagon's latest
 * resolution in force before it (a confirmed override is one; a proposal
 * is not; a 'void' -- new evidence overtook the resolution, or a
 * replacement dropped it -- leaves the wagon as decided), placed on the
 * wagon of that number in the manifest the decision was made on
 * (manifest_wagons, 025; today's wagons for a manifest stored before,
 * as then -- a replacement may have moved a wagon whose resolution it
 * kept); and before those, the
 * goods on no wagon resolved (goods_resolutions, 021) in force at the
 * time, in order, then the train hits cleared (hit_clearances, 026) in
 * force at the time -- none for a decision made before them, so that its
 * resolutions are exactly what they were.
 */
static const char decisions_sql[] =
    "SELECT d.id::text, d.train_id::text, t.train_no || '@' || t.run, "
    "d.final::text, d.made_by, d.ruleset_sha256, d.document::text, "
    "m.sha256, CASE WHEN NOT d.final THEN m.raw_z END, "
    "CASE WHEN NOT d.final THEN (SELECT coalesce(json_agg(json_build_object("
    "'id', e.id, 'type', e.type, 'body', e.body, 'legacy', e.role IS NULL) "
    "ORDER BY e.id), '[]') "
    "FROM events e WHERE e.train_id = d.train_id AND "
    "e.id <= coalesce(d.last_event_id, 0))::text END, "
    "b.id::text, b.document::text, "
    "CASE WHEN d.final THEN (SELECT CASE WHEN g.l IS NULL AND c.l IS NULL "
    "THEN w.l ELSE (coalesce(g.l::jsonb, '[]') || coalesce(c.l::jsonb, "
    "'[]') || w.l::jsonb)::text END FROM (SELECT (SELECT "
    "coalesce(json_agg(json_build_object("
    "'position', w.position, 'action', upper(r.action)) ORDER BY "
    "w.position), '[]') FROM (SELECT DISTINCT ON (a.wagon) a.wagon, "
    "a.action FROM officer_actions a WHERE a.train_id = d.train_id AND "
    "a.wagon IS NOT NULL AND a.at <= d.made_at AND a.action IN ('release', "
    "'inspect', 'hold', 'refuse', 'void') ORDER BY a.wagon, a.id DESC) "
    "r JOIN LATERAL (SELECT mw.position FROM manifest_wagons mw WHERE "
    "mw.manifest_id = d.manifest_id AND mw.number = r.wagon UNION ALL "
    "SELECT cw.position FROM wagons cw WHERE cw.train_id = d.train_id AND "
    "cw.number = r.wagon AND NOT EXISTS (SELECT 1 FROM manifest_wagons m2 "
    "WHERE m2.manifest_id = d.manifest_id)) w ON true"
    ")::text AS l) w, (SELECT json_agg(json_build_object('goods', "
    "json_build_object('consignment', g.consignment, 'item', g.item), "
    "'resolution', g.resolution, 'position', g.position) ORDER BY g.id) "
    "AS l FROM goods_resolutions g WHERE g.train_id = d.train_id AND "
    "g.at <= d.made_at AND (g.void_at IS NULL OR g.void_at > d.made_at)) g, "
    "(SELECT json_agg(json_build_object('train_hit', json_build_object("
    "'rule', c.rule), 'resolution', 'cleared') ORDER BY c.id) AS l FROM "
    "hit_clearances c WHERE c.train_id = d.train_id AND c.at <= d.made_at "
    "AND (c.void_at IS NULL OR c.void_at > d.made_at)) c"
    ") END, "
    "CASE WHEN NOT d.final THEN d.clearances::text END "
    "FROM decisions d JOIN trains t ON t.id = d.train_id "
    "JOIN manifests m ON m.id = d.manifest_id "
    "LEFT JOIN LATERAL (SELECT x.id, x.document FROM decisions x "
    "WHERE d.final AND x.train_id = d.train_id AND x.id < d.id AND (x.final "
    "OR (NOT EXISTS (SELECT 1 FROM decisions f WHERE f.train_id = x.train_id "
    "AND f.final AND f.id < x.id AND f.manifest_id = x.manifest_id) AND "
    "NOT EXISTS (SELECT 1 FROM amendments am WHERE am.manifest_id = "
    "x.manifest_id AND am.final_kept))) "
    "ORDER BY x.id DESC LIMIT 1) b ON true "
    "WHERE d.id > $1::bigint AND " SELECTED("$3", "$4")
    "ORDER BY d.id LIMIT $2::int";

static const char count_sql[] =
    "SELECT count(*) FROM decisions d JOIN trains t ON t.id = d.train_id "
    "WHERE " SELECTED("$1", "$2");

static const char record_sql[] =
    "SELECT json_build_object("
    "'train', t.train_no, 'run', t.run, 'state', t.state, "
    "'direction', t.direction, 'border_station', t.border_station, "
    "'eta', " TS("t.eta") ", 'ata', " TS("t.ata") ", "
    "'arrival_at', " TS("t.arrival_at") ", 'arrival_received_at', "
    TS("t.arrival_received_at") ", 'clock_start', " TS("t.clock_start") ", "
    "'created_at', " TS("t.created_at") ", 'created_t', " EPOCH("t.created_at")
    ", 'decision_final', t.decision_final, 'decision', t.decision, "
    "'ruleset_sha256', t.ruleset_sha256, 'ruleset_name', (SELECT r.name FROM "
    "rulesets r WHERE r.sha256 = t.ruleset_sha256), "
    "'manifest', (SELECT json_build_object('id', m.id, 'sha256', m.sha256, "
    "'format', m.format, 'source', m.source, 'principal', m.principal, "
    "'raw_size', m.raw_size, 'at', " TS("m.received_at") ", 't', "
    EPOCH("m.received_at") ") FROM manifests m WHERE m.id = t.manifest_id), "
    "'decisions', (SELECT coalesce(json_agg(json_build_object('id', d.id, "
    "'outcome', d.outcome, 'final', d.final, 'made_by', d.made_by, "
    "'ruleset_sha256', d.ruleset_sha256, 'manifest_id', d.manifest_id, "
    "'last_event_id', d.last_event_id, 'at', " TS("d.made_at") ", 't', "
    EPOCH("d.made_at") ") ORDER BY d.id), '[]') FROM decisions d "
    "WHERE d.train_id = t.id), "
    "'events', (SELECT coalesce(json_agg(json_build_object('id', e.id, "
    "'type', e.type, 'body', e.body, 'principal', e.principal, 'at', "
    TS("e.received_at") ", 't', " EPOCH("e.received_at") ") ORDER BY e.id), "
    "'[]') FROM events e WHERE e.train_id = t.id), "
    "'officer_actions', (SELECT coalesce(json_agg(json_build_object('id', "
    "a.id, 'wagon', a.wagon, 'action', a.action, 'reason', a.reason, "
    "'principal', a.principal, 'role', a.role, 'confirmed_by', "
    "a.confirmed_by, 'at', " TS("a.at") ", 't', "
    EPOCH("a.at") ") ORDER BY a.id), '[]') FROM officer_actions a "
    "WHERE a.train_id = t.id), "
    "'notices', (SELECT coalesce(json_agg(json_build_object('id', n.id, "
    "'subscriber', s.name, 'format', n.format, 'state', n.state, "
    "'attempts', n.attempts, 'last_status', n.last_status, 'decision_id', "
    "n.decision_id, 'at', " TS("n.created_at") ", 't', " EPOCH("n.created_at")
    ", 'delivered_at', " TS("n.delivered_at") ", 'delivered_t', "
    EPOCH("n.delivered_at") ") ORDER BY n.created_at, n.id), '[]') "
    "FROM notices n JOIN subscriptions s ON s.id = n.subscription_id "
    "WHERE n.train_id = t.id), "
    "'peer_in', (SELECT coalesce(json_agg(json_build_object('sender', "
    "p.sender, 'message_id', p.message_id, 'type', p.type, 'at', "
    TS("p.received_at") ", 't', " EPOCH("p.received_at") ") ORDER BY "
    "p.received_at), '[]') FROM peer_inbox p WHERE p.train_id = t.id), "
    "'peer_out', (SELECT coalesce(json_agg(json_build_object('peer', o.peer, "
    "'message_id', o.message_id, 'type', o.type, 'state', o.state, 'at', "
    TS("o.created_at") ", 't', " EPOCH("o.created_at") ", 'sent_at', "
    TS("o.sent_at") ", 'sent_t', " EPOCH("o.sent_at") ") ORDER BY o.id), "
    "'[]') FROM peer_outbox o WHERE o.train_id = t.id), "
    "'audit', (SELECT coalesce(json_agg(json_build_object('seq', a.seq, "
    "'at', " TS("a.at") ", 't', " EPOCH("a.at") ", 'actor', a.actor, "
    "'action', a.action, 'details', a.details, 'ruleset_sha256', "
    "a.ruleset_sha256, 'prev_hash', a.prev_hash, 'hash', a.hash, "
    "'hash_ok', encode(sha256(convert_to(a.prev_hash || E'\\n' || "
    "audit_record_text(a.seq, a.at, a.actor, a.action, a.train_id, "
    "a.details, a.ruleset_sha256), 'UTF8')), 'hex') = a.hash) "
    "ORDER BY a.seq), '[]') FROM audit_log a WHERE a.train_id = t.id)"
    ")::text FROM train_find($1) t";

struct replay_db *
replay_db_open(const char *dsn, char **cause)
{
	struct replay_db	*db;
	PGconn			*c = PQconnectdb(dsn);
	PGresult		*r;

	db_conn_errors(c);
	if (PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to the database: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	r = PQexec(c, "SET TimeZone = 'UTC'");
	PQclear(r);
	db = xcalloc(1, sizeof *db);
	db->conn = c;
	return db;
}

void
replay_db_close(struct replay_db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn);
	free(db);
}

int
replay_db_decisions_send(struct replay_db *db, enum replay_select sel,
    const char *arg, long long after, int limit, char **cause)
{
	char		 a[24], l[16], s[4];
	const char	*p[4] = { a, l, s, arg != NULL ? arg : "" };

	snprintf(a, sizeof a, "%lld", after);
	snprintf(l, sizeof l, "%d", limit);
	snprintf(s, sizeof s, "%d", (int)sel);
	if (!PQsendQueryParams(db->conn, decisions_sql, 4, NULL, p, NULL, NULL,
	    1)) {
		*cause = xasprintf("%s", PQerrorMessage(db->conn));
		return -1;
	}
	db->busy = true;
	return 0;
}

struct replay_rows *
replay_db_decisions_wait(struct replay_db *db, char **cause)
{
	struct replay_rows	*rows = NULL;
	PGresult		*r;

	while ((r = PQgetResult(db->conn)) != NULL) {
		if (rows == NULL && PQresultStatus(r) == PGRES_TUPLES_OK) {
			rows = xcalloc(1, sizeof *rows);
			rows->res = r;
			continue;
		}
		if (rows == NULL && *cause == NULL)
			*cause = xasprintf("%s", PQresultErrorMessage(r));
		PQclear(r);
	}
	if (rows == NULL && *cause == NULL)
		*cause = xstrdup("no answer to the query for decisions");
	db->busy = false;
	return rows;
}

/* A blocking statement returning rows (text values); NULL with *cause. */
static PGresult *
exec_rows(struct replay_db *db, const char *sql, int n, const char *const *p,
    int binary, char **cause)
{
	PGresult	*r = PQexecParams(db->conn, sql, n, NULL, p, NULL, NULL,
	    binary);

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		*cause = xasprintf("%s", PQresultErrorMessage(r));
		PQclear(r);
		return NULL;
	}
	return r;
}

int
replay_db_ruleset(struct replay_db *db, const char *sha256, char **name,
    unsigned char **files_z, size_t *len, char **cause)
{
	const char	*p[1] = { sha256 };
	PGresult	*r;

	if ((r = exec_rows(db, "SELECT name, files_z FROM rulesets WHERE "
	    "sha256 = $1", 1, p, 1, cause)) == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		*cause = xasprintf("rule set %s is not stored", sha256);
		PQclear(r);
		return -1;
	}
	*name = xstrdup(PQgetvalue(r, 0, 0));
	*len = (size_t)PQgetlength(r, 0, 1);
	*files_z = xmalloc(*len + 1);
	memcpy(*files_z, PQgetvalue(r, 0, 1), *len);
	PQclear(r);
	return 0;
}

int
replay_db_audit_verify(struct replay_db *db, bool *intact, long long *checked,
    long long *first_bad, char **reason, char **cause)
{
	PGresult	*r;

	if ((r = exec_rows(db, "SELECT first_bad, checked, reason FROM "
	    "audit_verify()", 0, NULL, 0, cause)) == NULL)
		return -1;
	*intact = PQgetisnull(r, 0, 0);
	*first_bad = *intact ? 0 : atoll(PQgetvalue(r, 0, 0));
	*checked = atoll(PQgetvalue(r, 0, 1));
	*reason = PQgetisnull(r, 0, 2) ? NULL : xstrdup(PQgetvalue(r, 0, 2));
	PQclear(r);
	return 0;
}

char *
replay_db_train_record(struct replay_db *db, const char *id, char **cause)
{
	const char	*p[1] = { id };
	PGresult	*r;
	char		*s;

	if ((r = exec_rows(db, record_sql, 1, p, 0, cause)) == NULL)
		return NULL;
	if (PQntuples(r) == 0) {
		*cause = xasprintf("no train %s", id);
		PQclear(r);
		return NULL;
	}
	s = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return s;
}

#define REPLAY_BATCH	32	/* decisions per query */

/* A batch's rows as the core's inputs (caller frees), borrowing rows. */
static struct replay_input *
batch_inputs(const struct replay_rows *rows, int n)
{
	struct replay_input	*in = xcalloc((size_t)n, sizeof *in);
	int			 i;

	for (i = 0; i < n; i++)
		replay_rows_input(rows, i, &in[i]);
	return in;
}

/*
 * Nothing else may run on the connection while a batch's query is in
 * flight (libpq would discard its answer): the rule sets a batch names
 * are fetched (replay_check_prepare) before the next query is sent, and
 * progress is reported once its answer is in.
 */
int
replay_db_run(struct replay_db *db, enum replay_select sel, const char *arg,
    struct replay_check *check, replay_progress_fn progress,
    void *progress_arg, char **cause)
{
	struct replay_rows	*rows;
	struct replay_input	*in;
	long long		 last;
	int			 n;

	if (replay_db_decisions_send(db, sel, arg, 0, REPLAY_BATCH, cause) < 0)
		return -1;
	if ((rows = replay_db_decisions_wait(db, cause)) == NULL)
		return -1;
	while ((n = replay_rows_count(rows)) > 0) {
		in = batch_inputs(rows, n);
		replay_check_prepare(check, in, (size_t)n);
		last = atoll(replay_rows_value(rows, n - 1, REPLAY_COL_ID));
		if (n == REPLAY_BATCH && replay_db_decisions_send(db, sel, arg,
		    last, REPLAY_BATCH, cause) < 0) {
			free(in);
			replay_rows_free(rows);
			return -1;
		}
		replay_check_batch(check, in, (size_t)n);
		free(in);
		replay_rows_free(rows);
		rows = NULL;
		if (n == REPLAY_BATCH &&
		    (rows = replay_db_decisions_wait(db, cause)) == NULL)
			return -1;
		if (progress != NULL && progress(progress_arg, check, cause) < 0) {
			replay_rows_free(rows);
			return -1;
		}
		if (rows == NULL)
			return 0;
	}
	replay_rows_free(rows);
	return 0;
}

int
replay_db_count(struct replay_db *db, enum replay_select sel, const char *arg,
    long long *n, char **cause)
{
	char		 s[4];
	const char	*p[2] = { s, arg != NULL ? arg : "" };
	PGresult	*r;

	snprintf(s, sizeof s, "%d", (int)sel);
	if ((r = exec_rows(db, count_sql, 2, p, 0, cause)) == NULL)
		return -1;
	*n = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int
replay_db_claim(struct replay_db *db, const char *owner, int lease_s,
    long long *id, char **selection, char **cause)
{
	char		 l[16];
	const char	*p[2] = { owner, l };
	PGresult	*r;

	snprintf(l, sizeof l, "%d", lease_s);
	if ((r = exec_rows(db, "SELECT id, selection FROM replay_claim($1, "
	    "$2::int)", 2, p, 0, cause)) == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	*id = atoll(PQgetvalue(r, 0, 0));
	*selection = xstrdup(PQgetvalue(r, 0, 1));
	PQclear(r);
	return 1;
}

int
replay_db_progress(struct replay_db *db, long long id, const char *owner,
    long long total, const long long counts[4], int lease_s, char **cause)
{
	char		 v[7][24];
	const char	*p[8];
	PGresult	*r;
	int		 i, held;

	snprintf(v[0], sizeof v[0], "%lld", id);
	snprintf(v[1], sizeof v[1], "%lld", total);
	for (i = 0; i < 4; i++)
		snprintf(v[2 + i], sizeof v[2 + i], "%lld", counts[i]);
	snprintf(v[6], sizeof v[6], "%d", lease_s);
	p[0] = v[0];
	p[1] = owner;
	p[2] = total < 0 ? NULL : v[1];
	for (i = 0; i < 4; i++)
		p[3 + i] = v[2 + i];
	p[7] = v[6];
	if ((r = exec_rows(db, "SELECT replay_progress($1::bigint, $2, "
	    "$3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint, "
	    "$8::int)", 8, p, 0, cause)) == NULL)
		return -1;
	held = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return held;
}

int
replay_db_finish(struct replay_db *db, long long id, const char *owner,
    const char *result, const char *error, char **cause)
{
	char		 i[24];
	const char	*p[4] = { i, owner, result, error };
	PGresult	*r;
	int		 held;

	snprintf(i, sizeof i, "%lld", id);
	if ((r = exec_rows(db, "SELECT replay_finish($1::bigint, $2, $3::json, "
	    "$4)", 4, p, 0, cause)) == NULL)
		return -1;
	held = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return held;
}

int
replay_db_ruleset_fetch(void *db, const char *sha256, char **name,
    unsigned char **files_z, size_t *len, char **cause)
{
	return replay_db_ruleset(db, sha256, name, files_z, len, cause);
}

void
replay_rows_input(const struct replay_rows *r, int row,
    struct replay_input *in)
{
	const char	*base_id = replay_rows_value(r, row, REPLAY_COL_BASE_ID);

	memset(in, 0, sizeof *in);
	in->id = atoll(replay_rows_value(r, row, REPLAY_COL_ID));
	in->train_id = atoll(replay_rows_value(r, row, REPLAY_COL_TRAIN_ID));
	in->train = replay_rows_value(r, row, REPLAY_COL_TRAIN);
	in->final = strcmp(replay_rows_value(r, row, REPLAY_COL_FINAL),
	    "true") == 0;
	in->made_by = replay_rows_value(r, row, REPLAY_COL_MADE_BY);
	in->ruleset_sha256 = replay_rows_value(r, row, REPLAY_COL_RULESET);
	in->document = replay_rows_value(r, row, REPLAY_COL_DOCUMENT);
	in->document_len = replay_rows_length(r, row, REPLAY_COL_DOCUMENT);
	in->raw_z = (const unsigned char *)replay_rows_value(r, row,
	    REPLAY_COL_RAW_Z);
	in->raw_z_len = replay_rows_length(r, row, REPLAY_COL_RAW_Z);
	in->events = replay_rows_value(r, row, REPLAY_COL_EVENTS);
	in->clearances = replay_rows_value(r, row, REPLAY_COL_CLEARANCES);
	in->base_id = base_id != NULL ? atoll(base_id) : 0;
	in->base = replay_rows_value(r, row, REPLAY_COL_BASE);
	in->resolutions = replay_rows_value(r, row, REPLAY_COL_RESOLUTIONS);
}

int
replay_rows_count(const struct replay_rows *r)
{
	return PQntuples(r->res);
}

const char *
replay_rows_value(const struct replay_rows *r, int row, int col)
{
	return PQgetisnull(r->res, row, col) ? NULL :
	    PQgetvalue(r->res, row, col);
}

size_t
replay_rows_length(const struct replay_rows *r, int row, int col)
{
	return (size_t)PQgetlength(r->res, row, col);
}

void
replay_rows_free(struct replay_rows *r)
{
	if (r == NULL)
		return;
	PQclear(r->res);
	free(r);
}
