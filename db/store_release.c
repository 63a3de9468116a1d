/*
 * store_release.c -- the statements of automatic release: the green
 * trains due, the final decision stored under the train's lock, and an
 * officer taking a train (store.h; the functions are in
 * db/functions/65_auto_release.sql).
 */
#include <stdio.h>

#include "db.h"
#include "query.h"
#include "store.h"

void
store_auto_release_due(struct db *db, int delay_s, int limit,
    store_doc_cb cb, void *arg)
{
	char		 d[16], l[16];
	const char	*v[2] = { d, l };

	snprintf(d, sizeof d, "%d", delay_s);
	snprintf(l, sizeof l, "%d", limit);
	store_query_read(db, "SELECT coalesce(json_agg(json_build_object("
	    "'train_id', a.train_id, 'version', a.version, 'document', "
	    "a.document) ORDER BY a.train_id), '[]') FROM "
	    "auto_release_due($1::int, $2::int) a", 2, v, cb, arg);
}

void
store_auto_release(struct db *db, const struct store_final *f, int delay_s,
    store_reply_cb cb, void *arg)
{
	char		 tid[24], ver[24], d[16];
	const char	*v[6] = { tid, ver, f->document, f->outcome, f->wagons,
			    d };

	snprintf(tid, sizeof tid, "%lld", f->train_id);
	snprintf(ver, sizeof ver, "%lld", f->version);
	snprintf(d, sizeof d, "%d", delay_s);
	/* Safe to repeat: a second attempt finds the train final (conflict). */
	store_query_reply(db, "SELECT outcome, reply FROM auto_release("
	    "$1::bigint, $2::bigint, $3::json, $4, $5::json, $6::int)", 6, v,
	    NULL, NULL, DB_RETRY, cb, arg);
}

void
store_take_train(struct db *db, const char *id, const char *principal,
    const char *role, store_reply_cb cb, void *arg)
{
	const char	*v[3] = { id, principal, role };

	/* Safe to repeat: the first taker stays recorded. */
	store_query_reply(db, "SELECT outcome, reply FROM take_train($1, $2, "
	    "$3)", 3, v, NULL, NULL, DB_RETRY, cb, arg);
}
