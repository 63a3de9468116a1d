/*
 * secrets.c -- subscriptions' secrets rewritten in one transaction, and
 * the subscriptions bound to no carrier (secrets.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "secrets.h"
#include "dsn.h"

/* A new connection, or NULL with *cause. */
static PGconn *
secrets_connect(const char *dsn, char **cause)
{
	PGconn	*c = PQconnectdb(dsn);

	db_conn_errors(c);
	if (PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to the database: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* Runs sql with params; 0 if it answered as want, else -1 with *cause. */
static int
secrets_exec(PGconn *c, const char *sql, int n, const char *const *v,
    ExecStatusType want, PGresult **out, char **cause)
{
	PGresult	*r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);

	if (PQresultStatus(r) != want) {
		*cause = xasprintf("%s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	if (out != NULL)
		*out = r;
	else
		PQclear(r);
	return 0;
}

/*
 * One subscription's secret replaced, with its audit record.  By id: a
 * name is unique among the subscriptions not deleted only (036), and a
 * deleted one's row keeps it.
 */
static int
secrets_replace(PGconn *c, const char *id, const char *name,
    const char *secret, const char *action, const char *principal,
    const char *key_id, char **cause)
{
	const char	*v[6] = { id, secret, action, principal, key_id, name };

	return secrets_exec(c, "WITH u AS (UPDATE subscriptions SET secret = "
	    "$2 WHERE id = $1::bigint AND deleted_at IS NULL RETURNING name) "
	    "SELECT audit_append($4, $3, NULL, json_build_object("
	    "'subscription', $6::text, 'key', $5::text)::text, NULL) FROM u",
	    6, v, PGRES_TUPLES_OK, NULL, cause);
}

int
db_secrets_rewrite(const char *dsn, bool all, const char *action,
    const char *principal, const char *key_id, db_secret_rewrite_cb cb,
    void *arg, char **cause)
{
	PGconn		*c;
	PGresult	*r = NULL;
	char		*next;
	int		 i, n = -1;

	if ((c = secrets_connect(dsn, cause)) == NULL)
		return -1;
	if (secrets_exec(c, "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL,
	    cause) < 0 ||
	    /* A deleted subscription's secret is destroyed, not in clear:
	     * never sealed again, nor given another's. */
	    secrets_exec(c, all ? "SELECT id, name, secret FROM subscriptions "
	    "WHERE deleted_at IS NULL ORDER BY name FOR UPDATE" : "SELECT id, "
	    "name, secret FROM subscriptions WHERE deleted_at IS NULL AND "
	    "secret NOT LIKE 'v1:%' ORDER BY name FOR UPDATE", 0, NULL,
	    PGRES_TUPLES_OK, &r, cause) < 0)
		goto out;
	for (i = 0; i < PQntuples(r); i++) {
		if ((next = cb(PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), arg,
		    cause)) == NULL)
			goto out;
		if (secrets_replace(c, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		    next, action, principal, key_id, cause) < 0) {
			free(next);
			goto out;
		}
		free(next);
	}
	if (secrets_exec(c, "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL,
	    cause) == 0)
		n = PQntuples(r);
out:
	PQclear(r);
	PQfinish(c);	/* an open transaction is rolled back */
	return n;
}

/* The first value of sql (one row, one text column) into *out; 0 or -1. */
static int
secrets_text(const char *dsn, const char *sql, int n, const char *const *v,
    char **out, char **cause)
{
	PGconn		*c;
	PGresult	*r = NULL;
	int		 rc;

	if ((c = secrets_connect(dsn, cause)) == NULL)
		return -1;
	rc = secrets_exec(c, sql, n, v, PGRES_TUPLES_OK, &r, cause);
	if (rc == 0)
		*out = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return rc;
}

int
db_subscriptions_unbound(const char *dsn, char **names, char **cause)
{
	return secrets_text(dsn, "SELECT coalesce(string_agg(name, E'\\n' "
	    "ORDER BY name), '') FROM subscriptions WHERE cardinality(carriers) "
	    "= 0 AND formats && ARRAY['json', 'cusres'] AND deleted_at IS "
	    "NULL", 0, NULL, names, cause);
}

int
db_secrets_foreign(const char *dsn, const char *key_id, char **names,
    char **cause)
{
	const char	*v[1] = { key_id };

	return secrets_text(dsn, "SELECT coalesce(string_agg(name || ' (key ' "
	    "|| substr(secret, 4, 16) || ')', E'\\n' ORDER BY name), '') FROM "
	    "subscriptions WHERE secret LIKE 'v1:%' AND substr(secret, 4, 16) "
	    "<> $1 AND deleted_at IS NULL", 1, v, names, cause);
}
