/*
 * admin.c -- token administration, each change with its audit record in
 * the same transaction (one statement).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "admin.h"
#include "dsn.h"

/*
 * Runs one statement on a new connection; returns the first value as int
 * (and, when text is not NULL, as a string the caller frees).
 */
static int
admin_query(const char *dsn, const char *sql, int n, const char *const *p,
    char **text, char **cause)
{
	PGconn		*c = PQconnectdb(dsn);
	PGresult	*r;
	int		 rc = -1;

	db_conn_errors(c);
	if (PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to the database: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
		rc = atoi(PQgetvalue(r, 0, 0));
		if (text != NULL)
			*text = xstrdup(PQgetvalue(r, 0, 0));
	} else
		*cause = xasprintf("%s", PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	return rc;
}

static int
admin_exec(const char *dsn, const char *sql, int n, const char *const *p,
    char **cause)
{
	return admin_query(dsn, sql, n, p, NULL, cause);
}

/* A function answering 'done' (0) or another outcome (1); -1 failed. */
static int
admin_outcome(const char *dsn, const char *sql, int n, const char *const *p,
    char **cause)
{
	char	*text = NULL;
	int	 rc;

	if (admin_query(dsn, sql, n, p, &text, cause) < 0 && text == NULL)
		return -1;
	rc = strcmp(text, "done") == 0 ? 0 : 1;
	free(text);
	return rc;
}

int
db_admin_token_create(const char *dsn, const char *hash, const char *principal,
    const char *role, const char *carriers, int days, char **cause)
{
	char		 d[16];
	const char	*p[5] = { hash, principal, role, d, carriers };

	snprintf(d, sizeof d, "%d", days);
	return admin_exec(dsn,
	    "WITH t AS (INSERT INTO tokens (hash, principal, role, expires_at, "
	    "carriers) VALUES ($1, $2, $3, CASE WHEN $4::int > 0 THEN now() + "
	    "make_interval(days => $4::int) END, $5::text[]) RETURNING id) "
	    "SELECT 0 FROM t, audit_append('cli', 'token.create', NULL, "
	    "json_build_object('principal', $2::text, 'role', $3::text, "
	    "'carriers', $5::text[])::text, NULL)",
	    5, p, cause) < 0 ? -1 : 0;
}

/*
 * Digits name a token's id, anything else its principal (as `railgate
 * session revoke` reads its target).  Answers "matched revoked".
 */
int
db_admin_token_revoke(const char *dsn, const char *target, long *matched,
    long *revoked, char **cause)
{
	const char	*p[1] = { target };
	char		*text = NULL;

	if (admin_query(dsn,
	    "WITH m AS (SELECT id, revoked_at FROM tokens WHERE CASE WHEN $1 ~ "
	    "'^[0-9]{1,18}$' THEN id = $1::bigint ELSE principal = $1 END "
	    "FOR UPDATE), "
	    "r AS (UPDATE tokens t SET revoked_at = now() FROM m WHERE t.id = "
	    "m.id AND m.revoked_at IS NULL RETURNING t.id, t.principal), "
	    "a AS (SELECT count(*) AS n FROM r, LATERAL (SELECT audit_append("
	    "'cli', 'token.revoke', NULL, json_build_object('principal', "
	    "r.principal, 'id', r.id)::text, NULL)) x) "
	    "SELECT (SELECT count(*) FROM m) || ' ' || (SELECT n FROM a)",
	    1, p, &text, cause) < 0 && text == NULL)
		return -1;
	if (sscanf(text, "%ld %ld", matched, revoked) != 2) {
		*cause = xasprintf("unexpected answer \"%s\"", text);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

#define TS(c)	"to_char(" c " AT TIME ZONE 'UTC', " \
		    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Every token as one JSON array: never the hash. */
int
db_admin_token_list(const char *dsn, char **json, char **cause)
{
	*json = NULL;
	if (admin_query(dsn, "SELECT coalesce(json_agg(json_build_object("
	    "'id', id, 'name', principal, 'role', role, 'carriers', carriers, "
	    "'created_at', " TS("created_at") ", 'expires_at', "
	    TS("expires_at") ", 'revoked_at', " TS("revoked_at") ") ORDER BY "
	    "id), '[]')::text FROM tokens", 0, NULL, json, cause) < 0 &&
	    *json == NULL)
		return -1;
	return 0;
}

int
db_admin_officer_add(const char *dsn, const char *principal,
    const char *display, const char *role, const char *hash,
    const char *language, char **cause)
{
	const char	*p[5] = { principal, display, role, hash, language };

	return admin_outcome(dsn, "SELECT officer_add('cli', $1, $2, $3, $4, "
	    "$5)", 5, p, cause);
}

int
db_admin_officer_passwd(const char *dsn, const char *principal,
    const char *hash, char **cause)
{
	const char	*p[2] = { principal, hash };

	return admin_outcome(dsn, "SELECT officer_passwd('cli', $1, $2)", 2, p,
	    cause);
}

int
db_admin_officer_disable(const char *dsn, const char *principal,
    int disable, char **cause)
{
	const char	*p[2] = { principal, disable ? "t" : "f" };

	return admin_outcome(dsn, "SELECT officer_disable('cli', $1, $2)", 2,
	    p, cause);
}

int
db_admin_officer_list(const char *dsn, char **text, char **cause)
{
	*text = NULL;
	if (admin_query(dsn, "SELECT coalesce(string_agg(concat_ws(E'\\t', "
	    "a.principal, a.role, CASE WHEN a.disabled_at IS NULL THEN "
	    "'enabled' ELSE 'disabled' END, coalesce(a.language, '-'), "
	    "(SELECT count(*) || CASE count(*) WHEN 1 THEN ' session' ELSE "
	    "' sessions' END FROM sessions s WHERE s.principal = a.principal "
	    "AND s.revoked_at IS NULL AND s.expires_at > now() AND "
	    "s.last_seen_at + make_interval(secs => s.idle_s) > now()), "
	    "a.display_name) || E'\\n', '' ORDER BY "
	    "a.principal), '') FROM officer_accounts a", 0, NULL, text,
	    cause) < 0 && *text == NULL)
		return -1;
	return 0;
}

int
db_admin_session_revoke(const char *dsn, const char *target, char **cause)
{
	const char	*p[1] = { target };

	return admin_exec(dsn, "SELECT session_revoke('cli', $1)", 1, p, cause);
}
