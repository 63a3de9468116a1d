/*
 * store_console.c -- the statements of the officer console's wagon page
 * and search (store.h; wagon_context() and console_search() are in
 * db/functions/95_console.sql) and of the parcel list.
 */
#include <stdio.h>

#include "db.h"
#include "query.h"
#include "store.h"

void
store_wagon_context(struct db *db, const char *id, const char *wagon,
    int max_events, store_doc_cb cb, void *arg)
{
	char		 max[16];
	const char	*v[3] = { id, wagon, max };

	snprintf(max, sizeof max, "%d", max_events);
	/* No row (a 404) for a run that does not exist. */
	store_query_read(db, "SELECT wagon_context(t.id, $2, $3::int) "
	    "FROM train_find($1) t", 3, v, cb, arg);
}

void
store_manifest_raw(struct db *db, long long manifest_id, store_doc_cb cb,
    void *arg)
{
	char		 mid[24];
	const char	*v[1] = { mid };

	snprintf(mid, sizeof mid, "%lld", manifest_id);
	/* Binary result: the bytea as stored, not its hex text. */
	store_query_doc(db, "SELECT raw_z FROM manifests WHERE id = $1::bigint",
	    1, v, NULL, NULL, DB_RETRY | DB_BINARY_RESULT, cb, arg);
}

void
store_search(struct db *db, const char *q, int limit, store_doc_cb cb,
    void *arg)
{
	char		 lim[16];
	const char	*v[2] = { q, lim };

	snprintf(lim, sizeof lim, "%d", limit);
	store_query_read(db, "SELECT console_search($1, $2::int)", 2, v, cb,
	    arg);
}

void
store_search_tidy(struct db *db, store_decision_cb cb, void *arg)
{
	/* Not a step of a decision: it waits for a connection as reads do. */
	store_query_text(db, "SELECT search_tidy()", 0, NULL, DB_RETRY, 0, cb,
	    arg);
}

void
store_parcel_list_context(struct db *db, const char *id, store_doc_cb cb,
    void *arg)
{
	const char	*v[1] = { id };

	/* No row (a 404) for a run that does not exist. */
	store_query_read(db, "SELECT json_build_object('train', t.train_no, "
	    "'run', t.run, 'state', t.state, 'manifest_id', t.manifest_id, "
	    "'decided', t.decision IS NOT NULL) FROM train_find($1) t", 1, v,
	    cb, arg);
}

void
store_train_parcels(struct db *db, const char *id, store_doc_cb cb, void *arg)
{
	const char	*v[1] = { id };

	/* Only the member: a decision's wagons are not read here. */
	store_query_read(db, "SELECT coalesce((t.decision->'parcels')::text, "
	    "'null') FROM train_find($1) t", 1, v, cb, arg);
}
