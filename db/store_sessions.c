/*
 * store_sessions.c -- the statements of officers' accounts and sign-in
 * sessions (store.h; the functions are db/functions/66_sessions.sql).
 * A session's authentication is store_session_lookup (store_auth.c).
 */
#include <stdio.h>

#include "db.h"
#include "query.h"
#include "store.h"

void
store_officer_account(struct db *db, const char *principal, store_doc_cb cb,
    void *arg)
{
	const char	*p[1] = { principal };

	store_query_read(db, "SELECT json_build_object('hash', password_hash, "
	    "'disabled', disabled_at IS NOT NULL, 'role', role)::text "
	    "FROM officer_accounts WHERE principal = $1", 1, p, cb, arg);
}

void
store_session_open(struct db *db, const char *hash, const char *principal,
    const char *client, int idle_s, int max_s, const char *old,
    store_doc_cb cb, void *arg)
{
	char		 idle[16], max[16];
	const char	*p[6] = { hash, principal, client, idle, max, old };

	snprintf(idle, sizeof idle, "%d", idle_s);
	snprintf(max, sizeof max, "%d", max_s);
	store_query_doc(db, "SELECT session_open($1, $2, $3, $4::int, $5::int, "
	    "$6)::text", 6, p, NULL, NULL, 0, cb, arg);
}

void
store_session_info(struct db *db, const char *hash, store_doc_cb cb,
    void *arg)
{
	const char	*p[1] = { hash };

	store_query_read(db, "SELECT session_info($1)::text", 1, p, cb, arg);
}

void
store_session_close(struct db *db, const char *hash, store_status_cb cb,
    void *arg)
{
	const char	*p[1] = { hash };

	store_query_status(db, "SELECT session_close($1)", 1, p, NULL, NULL,
	    DB_RETRY, cb, arg);
}

void
store_signin_failed(struct db *db, const char *name, const char *client,
    const char *why, store_status_cb cb, void *arg)
{
	const char	*p[3] = { name, client, why };

	store_query_status(db, "SELECT session_signin_failed($1, $2, $3)", 3,
	    p, NULL, NULL, 0, cb, arg);
}

void
store_officer_language(struct db *db, const char *principal,
    const char *language, store_decision_cb cb, void *arg)
{
	const char	*p[2] = { principal, language };

	store_query_text(db, "SELECT officer_set_language($1, $2)", 2, p, 0,
	    10000, cb, arg);
}
