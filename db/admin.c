/*
 * admin.c -- token administration, each change with its audit record in
 * the same transaction (one statement).
 */
#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "admin.h"

/* Runs one statement on a new connection; returns the first value as int. */
static int
admin_exec(const char *dsn, const char *sql, int n, const char *const *p,
    char **cause)
{
	PGconn		*c = PQconnectdb(dsn);
	PGresult	*r;
	int		 rc = -1;

	if (PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to the database: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		rc = atoi(PQgetvalue(r, 0, 0));
	else
		*cause = xasprintf("%s", PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	return rc;
}

int
db_admin_token_create(const char *dsn, const char *hash, const char *principal,
    const char *role, int days, char **cause)
{
	char		 d[16];
	const char	*p[4] = { hash, principal, role, d };

	snprintf(d, sizeof d, "%d", days);
	return admin_exec(dsn,
	    "WITH t AS (INSERT INTO tokens (hash, principal, role, expires_at) "
	    "VALUES ($1, $2, $3, CASE WHEN $4::int > 0 THEN now() + "
	    "make_interval(days => $4::int) END) RETURNING id) "
	    "SELECT 0 FROM t, audit_append('cli', 'token.create', NULL, "
	    "json_build_object('principal', $2::text, 'role', $3::text)::text, NULL)",
	    4, p, cause) < 0 ? -1 : 0;
}

int
db_admin_token_revoke(const char *dsn, const char *principal, char **cause)
{
	const char	*p[1] = { principal };

	return admin_exec(dsn,
	    "WITH t AS (UPDATE tokens SET revoked_at = now() WHERE principal = $1 "
	    "AND revoked_at IS NULL RETURNING id) "
	    "SELECT count(*) FROM t, LATERAL (SELECT audit_append('cli', "
	    "'token.revoke', NULL, json_build_object('principal', $1::text)::text, "
	    "NULL)) a", 1, p, cause);
}
