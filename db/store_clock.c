/*
 * store_clock.c -- the statements of the clearance clock: its alerts,
 * the database server's clock and its jumps (store.h).
 */
#include <stdio.h>

#include "db.h"
#include "query.h"
#include "store.h"

void
store_clock_alerts(struct db *db, int target_min, int warn_pct,
    store_doc_cb cb, void *arg)
{
	struct store_clock_args	 a =
				    store_clock_args(target_min, warn_pct);
	const char		*v[2] = { a.target_min, a.warn_pct };

	store_query_read(db, "SELECT coalesce(json_agg(a), '[]') FROM "
	    "clock_alerts($1::int, $2::int) a", 2, v, cb, arg);
}

void
store_db_clock(struct db *db, store_decision_cb cb, void *arg)
{
	store_query_text(db, "SELECT (extract(epoch FROM clock_timestamp()) * "
	    "1000)::bigint", 0, NULL, 0, 30000, cb, arg);
}

void
store_clock_jump(struct db *db, long long jump_ms, const char *by,
    store_decision_cb cb, void *arg)
{
	char		 j[32];
	const char	*v[2] = { j, by };

	snprintf(j, sizeof j, "%lld", jump_ms);
	store_query_text(db, "SELECT clock_jump($1::bigint, $2)", 2, v, 0,
	    30000, cb, arg);
}
