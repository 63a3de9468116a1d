/*
 * store_clock.c -- the statements of the clearance clock: its alerts,
 * the database server's clock and its jumps (store.h).
 */
#include <stdio.h>

#include "db.h"
#include "query.h"
#include "store.h"

void
store_clock_alerts(struct db *db, const struct store_clock *clk,
    const char *by, store_doc_cb cb, void *arg)
{
	struct store_clock_args	 a = store_clock_args(clk);
	const char		*v[4] = { a.target_min, a.amber_s, a.red_s, by };

	/* Not a read: it marks, audits and queues; never repeated. */
	store_query_doc(db, "SELECT clock_alerts($1::int, $2::int, $3::int, "
	    "$4)", 4, v, NULL, NULL, 0, cb, arg);
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
