/*
 * store_auth.c -- the statements of authentication and of the audit
 * chain's verification (store.h).
 */
#include <stdlib.h>

#include "db.h"
#include "query.h"
#include "store.h"

/* Row: principal, role, carriers (comma-separated). */
static void
token_lookup_cb(const struct db_result *r, void *arg)
{
	struct store_call	*q = arg;

	if (!db_result_ok(r))
		q->cb.token(store_failure(r), NULL, NULL, NULL, q->arg);
	else if (db_result_rows(r) == 0)
		q->cb.token(0, NULL, NULL, NULL, q->arg);
	else
		q->cb.token(1, db_result_value(r, 0, 0),
		    db_result_value(r, 0, 1), db_result_value(r, 0, 2), q->arg);
	free(q);
}

void
store_token_lookup(struct db *db, const char *hash, store_token_cb cb,
    void *arg)
{
	struct store_call	*q = store_call_new(arg);
	const char		*p[1] = { hash };

	q->cb.token = cb;
	db_query(db, "SELECT principal, role, array_to_string(carriers, ',') "
	    "FROM tokens WHERE hash = $1 "
	    "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
	    1, p, NULL, NULL, DB_RETRY, 5000, token_lookup_cb, q);
}

void
store_session_lookup(struct db *db, const char *hash, store_token_cb cb,
    void *arg)
{
	struct store_call	*q = store_call_new(arg);
	const char		*p[1] = { hash };

	q->cb.token = cb;
	db_query(db, "SELECT principal, role, '' FROM session_lookup($1)", 1, p,
	    NULL, NULL, DB_RETRY, 5000, token_lookup_cb, q);
}

void
store_credential_alive(struct db *db, const char *hash, bool session,
    store_token_cb cb, void *arg)
{
	struct store_call	*q;
	const char		*p[1] = { hash };

	if (!session) {
		store_token_lookup(db, hash, cb, arg);
		return;
	}
	q = store_call_new(arg);
	q->cb.token = cb;
	db_query(db, "SELECT x->>'principal', x->>'role', '' FROM "
	    "session_info($1) x WHERE x IS NOT NULL", 1, p, NULL, NULL,
	    DB_RETRY, 5000, token_lookup_cb, q);
}

/* Row: first_bad, checked, reason. */
static void
audit_verify_cb(const struct db_result *r, void *arg)
{
	struct store_call	*q = arg;

	if (!db_result_ok(r) || db_result_rows(r) == 0)
		q->cb.audit(store_failure(r), 0, 0, db_result_error(r), q->arg);
	else if (db_result_is_null(r, 0, 0))
		q->cb.audit(1, atoll(db_result_value(r, 0, 1)), 0, NULL,
		    q->arg);
	else
		q->cb.audit(0, atoll(db_result_value(r, 0, 1)),
		    atoll(db_result_value(r, 0, 0)), db_result_value(r, 0, 2),
		    q->arg);
	free(q);
}

void
store_audit_verify(struct db *db, store_audit_verify_cb cb, void *arg)
{
	struct store_call	*q = store_call_new(arg);

	q->cb.audit = cb;
	db_query(db, "SELECT first_bad, checked, reason FROM audit_verify()", 0,
	    NULL, NULL, NULL, DB_RETRY, 60000, audit_verify_cb, q);
}
