/*
 * store_replays.c -- the statements of the auditor's work over the API
 * (store.h; the functions are in db/functions/74_reports.sql): a replay
 * requested, one or all shown, and the reports across trains.  The
 * replay's own reads and progress run on a blocking connection of the
 * worker's (db/replay.c), never here.
 */
#include <stdio.h>

#include "db.h"
#include "query.h"
#include "store.h"

void
store_replay_request(struct db *db, const char *principal,
    const char *selection, store_reply_cb cb, void *arg)
{
	const char	*v[2] = { principal, selection };

	/* Not retried: the replay would be queued twice. */
	store_query_reply(db, "SELECT outcome, reply FROM replay_request($1, "
	    "$2::json)", 2, v, NULL, NULL, 0, cb, arg);
}

void
store_replays_waiting(struct db *db, store_decision_cb cb, void *arg)
{
	/* The partial index replays_open_idx: a few rows at most. */
	store_query_text(db, "SELECT EXISTS (SELECT 1 FROM replays WHERE "
	    "state = 'queued' OR (state = 'running' AND lease_until < now()))"
	    "::text", 0, NULL, DB_RETRY, 0, cb, arg);
}

void
store_replay_get(struct db *db, const char *id, store_doc_cb cb, void *arg)
{
	const char	*v[1] = { id };

	store_query_read(db, "SELECT replay_get($1::bigint)::text", 1, v, cb,
	    arg);
}

void
store_replays_list(struct db *db, store_doc_cb cb, void *arg)
{
	store_query_read(db, "SELECT replays_list()::text", 0, NULL, cb, arg);
}

void
store_report(struct db *db, enum store_report_kind kind, const char *from,
    const char *to, int target_min, store_doc_cb cb, void *arg)
{
	char		 t[16];
	const char	*v[3] = { from, to, t };

	snprintf(t, sizeof t, "%d", target_min);
	switch (kind) {
	case STORE_REPORT_OVERRIDES:
		store_query_read(db, "SELECT report_overrides($1::timestamptz, "
		    "$2::timestamptz)::text", 2, v, cb, arg);
		break;
	case STORE_REPORT_CLEARANCE:
		store_query_read(db, "SELECT report_clearance($1::timestamptz, "
		    "$2::timestamptz, $3::int)::text", 3, v, cb, arg);
		break;
	case STORE_REPORT_HITS:
		store_query_read(db, "SELECT report_hits($1::timestamptz, "
		    "$2::timestamptz)::text", 2, v, cb, arg);
		break;
	}
}
