/*
 * store_stream.c -- what the pushed changes read (daemon/stream.c): the
 * audit records after a sequence number, as the messages the consoles
 * receive.
 */
#include <stdio.h>

#include "db/db.h"
#include "db/query.h"
#include "db/store.h"

void
store_audit_after(struct db *db, long long after, int limit, store_doc_cb cb,
    void *arg)
{
	char		 a[24], n[16];
	const char	*v[2] = { a, n };

	snprintf(a, sizeof a, "%lld", after);
	snprintf(n, sizeof n, "%d", limit);
	/*
	 * Only what a reading role already sees on the train's audit
	 * page: no record's details, except a clock threshold's (the time
	 * left, which the train list shows anyway).
	 */
	store_query_read(db, "SELECT json_build_object('head', "
	    "(SELECT seq FROM audit_head), 'records', coalesce((SELECT "
	    "json_agg(json_build_object('seq', a.seq, 'action', a.action, "
	    "'train', t.train_no, 'run', t.run, 'actor', a.actor, 'at', "
	    "to_char(a.at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'details', CASE WHEN "
	    "a.action LIKE 'clock.%' THEN a.details::json END) ORDER BY a.seq) "
	    "FROM (SELECT * FROM audit_log WHERE seq > $1::bigint ORDER BY seq "
	    "LIMIT $2::int) a LEFT JOIN trains t ON t.id = a.train_id), '[]'))",
	    2, v, cb, arg);
}
