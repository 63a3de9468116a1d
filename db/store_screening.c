/*
 * store_screening.c -- the statements of screening clearances (store.h;
 * the functions are in db/functions/67_clearances.sql): proposed by an
 * officer, confirmed, rejected or revoked by a supervisor, listed.
 */
#include <stdio.h>

#include "db.h"
#include "query.h"
#include "store.h"

void
store_clearance_propose(struct db *db, const struct store_clearance *c,
    store_reply_cb cb, void *arg)
{
	const char	*v[12] = { c->list, c->entry, c->name, c->key,
			    c->country, c->party_id, c->reason, c->train, c->hit,
			    c->principal, c->role, c->ruleset_sha256 };

	/* Not retried: the audit trail would show it twice. */
	store_query_reply(db, "SELECT outcome, reply FROM "
	    "screening_clearance_propose($1, $2, $3, $4, $5, $6, $7, $8, "
	    "$9::json, $10, $11, $12)", 12, v, NULL, NULL, 0, cb, arg);
}

void
store_clearance_decide(struct db *db, const char *id, const char *verb,
    const char *reason, const char *principal, const char *role, int days,
    const char *ruleset_sha256, store_reply_cb cb, void *arg)
{
	char		 ds[16];
	const char	*v[7] = { id, verb, reason, principal, role, ds,
			    ruleset_sha256 };

	snprintf(ds, sizeof ds, "%d", days);
	/* Not retried: the audit trail would show it twice. */
	store_query_reply(db, "SELECT outcome, reply FROM "
	    "screening_clearance_decide($1::bigint, $2, $3, $4, $5, $6::int, "
	    "$7)", 7, v, NULL, NULL, 0, cb, arg);
}

void
store_clearances_list(struct db *db, const struct store_clearance_filter *f,
    const char *principal, store_doc_cb cb, void *arg)
{
	char		 ls[16];
	const char	*v[6] = { f->state, f->list, f->party, f->train,
			    principal, ls };

	snprintf(ls, sizeof ls, "%d", f->limit);
	store_query_read(db, "SELECT screening_clearances_list($1, $2, $3, $4, "
	    "$5, $6::int)::text", 6, v, cb, arg);
}

void
store_clearance_get(struct db *db, const char *id, const char *principal,
    store_doc_cb cb, void *arg)
{
	const char	*v[2] = { id, principal };

	store_query_read(db, "SELECT screening_clearance_get($1::bigint, $2)"
	    "::text", 2, v, cb, arg);
}
