/*
 * migrate.c -- applying the embedded migrations, recreating the SQL
 * functions after them, and the start-up check of durability settings.
 * Blocking libpq: used only before the event loop runs, never on it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "migrate.h"
#include "dsn.h"

/* An arbitrary constant: the advisory lock that serialises migrations. */
#define MIGRATE_LOCK_KEY "7301984722"

/* Notices ("already exists, skipping") are not errors and not ours to print. */
static void
quiet_notice_cb(void *arg, const char *message)
{
}

/* Runs one statement; 0, or -1 with *cause. */
static int
exec_ok(PGconn *c, const char *sql, int nparams, const char *const *params,
    char **cause)
{
	PGresult	*r;
	int		 rc = 0;

	r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		*cause = xasprintf("%s", PQresultErrorMessage(r));
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* Runs a file's script (several statements: the simple protocol). */
static int
exec_script(PGconn *c, const char *kind, const struct db_migration *m,
    char **cause)
{
	PGresult	*r;
	int		 rc = 0;

	r = PQexec(c, m->sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		*cause = xasprintf("%s %s: %s", kind, m->name,
		    PQresultErrorMessage(r));
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* Ends a failed transaction; its own failure adds nothing to the cause. */
static void
rollback(PGconn *c)
{
	PGresult	*r = PQexec(c, "ROLLBACK");

	PQclear(r);
}

/*
 * The recorded hash of version v, copied into out; 1 if recorded, 0 if
 * not, -1 on error.
 */
static int
applied_hash(PGconn *c, unsigned v, char *out, size_t size, char **cause)
{
	char		 ver[16];
	const char	*p[1] = { ver };
	PGresult	*r;
	int		 rc;

	snprintf(ver, sizeof ver, "%u", v);
	r = PQexecParams(c, "SELECT sha256 FROM schema_migrations WHERE version = $1",
	    1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		*cause = xasprintf("%s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	rc = PQntuples(r) > 0;
	if (rc)
		snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return rc;
}

/* Applies m unless it already is; *done = 1 if applied now. */
static int
apply_one(PGconn *c, const struct db_migration *m, int *done, char **cause)
{
	char		 want[65], have[65], ver[16];
	const char	*p[3] = { ver, m->name, want };
	int		 rc;

	*done = 0;
	sha256_hex(m->sql, strlen(m->sql), want);
	snprintf(ver, sizeof ver, "%u", m->version);
	if ((rc = applied_hash(c, m->version, have, sizeof have, cause)) < 0)
		return -1;
	if (rc == 1) {
		if (strcmp(have, want) != 0) {
			*cause = xasprintf("migration %s was applied with different "
			    "text (sha256 %s, now %s): migrations must never change",
			    m->name, have, want);
			return -1;
		}
		return 0;
	}
	if (exec_script(c, "migration", m, cause) < 0 ||
	    exec_ok(c, "INSERT INTO schema_migrations (version, name, sha256) "
	    "VALUES ($1, $2, $3)", 3, p, cause) < 0)
		return -1;
	*done = 1;
	return 0;
}

/*
 * Recreates every function of db/functions/, after every migration: a
 * function's file is its one definition, whatever the migrations defined
 * before.  A database migrated past our last migration belongs to a
 * newer railgate, whose functions stay.
 */
static int
apply_functions(PGconn *c, char **cause)
{
	char		 ver[16];
	const char	*p[1] = { ver };
	PGresult	*r;
	unsigned	 i;
	int		 newer;

	snprintf(ver, sizeof ver, "%u", db_migration_count > 0 ?
	    db_migrations[db_migration_count - 1].version : 0);
	r = PQexecParams(c, "SELECT EXISTS (SELECT FROM schema_migrations "
	    "WHERE version > $1::int)", 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		*cause = xasprintf("%s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	newer = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	for (i = 0; !newer && i < db_function_count; i++)
		if (exec_script(c, "functions", &db_functions[i], cause) < 0)
			return -1;
	return 0;
}

/*
 * The migrations not applied yet, then the functions, in one transaction
 * under an advisory lock: daemons starting together take turns (the
 * second finds the migrations applied), and a migration that drops a
 * function whose result changes is never seen without its new version.
 */
static int
apply_all(PGconn *c, unsigned *applied, unsigned *version, char **cause)
{
	unsigned	 i;
	int		 done;

	if (exec_ok(c, "BEGIN", 0, NULL, cause) < 0)
		return -1;
	if (exec_ok(c, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", 0,
	    NULL, cause) < 0 ||
	    exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, "
	    "sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
	    0, NULL, cause) < 0)
		goto fail;
	for (i = 0; i < db_migration_count; i++) {
		if (apply_one(c, &db_migrations[i], &done, cause) < 0)
			goto fail;
		*applied += (unsigned)done;
		*version = db_migrations[i].version;
	}
	if (apply_functions(c, cause) < 0 ||
	    exec_ok(c, "COMMIT", 0, NULL, cause) < 0)
		goto fail;
	return 0;
fail:
	rollback(c);
	*applied = 0;
	return -1;
}

int
db_migrate(const char *dsn, unsigned *applied, unsigned *version, char **cause)
{
	PGconn		*c;
	int		 rc;

	*applied = 0;
	*version = 0;
	c = PQconnectdb(dsn);
	db_conn_errors(c);
	if (PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to the database: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	PQsetNoticeProcessor(c, quiet_notice_cb, NULL);
	rc = apply_all(c, applied, version, cause);
	PQfinish(c);
	return rc;
}

/*
 * True when value keeps an acknowledged commit on disk: "on" for each;
 * synchronous_commit's local and remote_* levels also flush locally
 * first, only "off" does not.
 */
static bool
durable_value(const char *setting, const char *value)
{
	if (strcmp(value, "on") == 0)
		return true;
	return strcmp(setting, "synchronous_commit") == 0 &&
	    strcmp(value, "off") != 0;
}

int
db_check_durability(const char *dsn, char **cause)
{
	static const char *settings[] = { "fsync", "synchronous_commit",
	    "full_page_writes" };
	PGconn		*c;
	PGresult	*r;
	size_t		 i;
	int		 rc = 0;

	c = PQconnectdb(dsn);
	if (PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to the database: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	for (i = 0; i < nitems(settings) && rc == 0; i++) {
		const char *p[1] = { settings[i] };

		r = PQexecParams(c, "SELECT current_setting($1)", 1, NULL, p, NULL,
		    NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			*cause = xasprintf("%s", PQresultErrorMessage(r));
			rc = -1;
		} else if (!durable_value(settings[i], PQgetvalue(r, 0, 0))) {
			*cause = xasprintf("PostgreSQL has %s = %s: a manifest "
			    "acknowledged to its sender could be lost in a crash; "
			    "set %s = on", settings[i], PQgetvalue(r, 0, 0),
			    settings[i]);
			rc = -1;
		}
		PQclear(r);
	}
	PQfinish(c);
	return rc;
}
