/*
 * store.c -- the daemon's statements.
 */
#include <stdlib.h>

#include "manifest/util.h"

#include "db.h"
#include "store.h"

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
		q->cb(-1, NULL, NULL, q->arg);
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
		q->cb(-1, 0, 0, db_result_error(r), q->arg);
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
