/*
 * test_db_roles.c -- the database roles for people (issue 21, item 4;
 * db/migrations/035_auditor_role.sql, db/functions/99_grants.sql).
 *
 * A person's LOGIN role, member of railgate_auditor, runs the auditor's
 * commands (`railgate replay --all`, `railgate report`, `railgate
 * bundle`) against a database the daemon filled, and is refused every
 * write, directly or through a function; every column of every table is
 * readable by railgate_auditor except the secrets listed below, and by
 * railgate_app without exception (`railgate report` with the daemon's
 * DSN failed on notices before).  A migration that adds a table the
 * auditor cannot read, or a secret it can, fails here.
 */
#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

/*
 * The columns railgate_auditor must NOT read, each for a reason
 * (035_auditor_role.sql): the lookup keys of bearer tokens and session
 * cookies, the officers' password hashes, the sealed webhook secrets.
 */
#define WITHHELD "ARRAY['tokens.hash', 'sessions.hash', " \
	"'officer_accounts.password_hash', 'subscriptions.secret']"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			auditor_dsn[600];

/* pg.dsn with user=ROLE instead of user=postgres. */
static void
dsn_as(const char *role, char *out, size_t size)
{
	const char	*u = strstr(pg.dsn, "user=postgres");

	snprintf(out, size, "%.*suser=%s%s", (int)(u - pg.dsn), pg.dsn, role,
	    u + strlen("user=postgres"));
}

/* Runs `railgate ARGS`; its output (caller frees) and exit status. */
static char *
run(const char *args, int *status)
{
	return harness_railgate(args, false, status);
}

static int
roles_suite_init(void)
{
	struct harness_response	r;
	char			token[64], hdr[128];
	int			st;

	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0 ||
	    harness_token(&pg, "operator", "ktze.operator", token) < 0)
		return -1;
	if (harness_submit_fixture(dm.port, token,
	    "edifact/cuscar_s3_alashankou.edi") != 202 ||
	    harness_submit_fixture(dm.port, token, "xml/ifcsum_horgos.xml") != 202)
		return -1;
	if (!harness_wait_sql(&pg, "SELECT (count(*) = 2)::int FROM trains "
	    "WHERE decision IS NOT NULL AND NOT eval_needed", "1", 15000))
		return -1;
	/* A signed checkpoint over the chain, for `railgate bundle`. */
	if (harness_token(&pg, "auditor", "a.auditor", token) < 0)
		return -1;
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(dm.port, "GET", "/v1/trains/X8024/bundle", hdr, NULL, 0,
	    &r) < 0)
		return -1;
	st = r.status;
	harness_response_free(&r);
	if (st != 200)
		return -1;
	/* A subscription, so that its secret is there to be withheld. */
	free(harness_sql(&pg, "INSERT INTO subscriptions (name, url, formats, "
	    "secret, carriers) VALUES ('ktze', 'https://edi.example/n', "
	    "ARRAY['json'], 'v1:sealed', ARRAY['KZ-KTZE']) RETURNING id"));
	/* A person's own login, as docs/operations.md says to make it. */
	free(harness_sql(&pg, "CREATE ROLE alice LOGIN IN ROLE railgate_auditor"));
	dsn_as("alice", auditor_dsn, sizeof auditor_dsn);
	return 0;
}

static int
roles_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* The first value of sql (owned), failing the test when there is none. */
static char *
value(const char *sql)
{
	char	*v = harness_sql(&pg, sql);

	CU_ASSERT_PTR_NOT_NULL(v);
	return v != NULL ? v : xstrdup("(no value)");
}

/*
 * Every column of every table and view in public is readable by
 * railgate_auditor but the withheld ones, which it cannot read; all by
 * railgate_app.
 */
static void
t_db_roles_every_table_readable(void)
{
	char	*wrong, *app, *n;

	wrong = value("SELECT coalesce(string_agg(table_name || '.' || "
	    "column_name, ' ' ORDER BY table_name, column_name), '') FROM "
	    "information_schema.columns WHERE table_schema = 'public' AND has_column_privilege("
	    "'railgate_auditor', format('public.%I', table_name), column_name, "
	    "'SELECT') = (table_name || '.' || column_name = ANY(" WITHHELD "))");
	CU_ASSERT_STRING_EQUAL(wrong, "");
	if (wrong[0] != '\0')
		fprintf(stderr, "\nreadable by railgate_auditor and withheld, or "
		    "the reverse: %s\n", wrong);
	app = value("SELECT coalesce(string_agg(table_name || '.' || "
	    "column_name, ' '), '') FROM information_schema.columns WHERE "
	    "table_schema = 'public' AND NOT has_column_privilege('railgate_app', "
	    "format('public.%I', table_name), column_name, 'SELECT')");
	CU_ASSERT_STRING_EQUAL(app, "");
	/* The check has something to check: the withheld columns exist. */
	n = value("SELECT count(*) FROM information_schema.columns WHERE "
	    "table_schema = 'public' AND table_name || '.' || column_name = "
	    "ANY(" WITHHELD ")");
	CU_ASSERT_STRING_EQUAL(n, "4");
	free(wrong);
	free(app);
	free(n);
}

/*
 * railgate_auditor may change no table, and call no function that can
 * write; no function of ours is left to PUBLIC (where any login, the
 * auditor's included, would reach the SECURITY DEFINER ones).
 */
static void
t_db_roles_auditor_cannot_write(void)
{
	char	*tables, *funcs, *pub, *n;

	tables = value("SELECT coalesce(string_agg(c.relname, ' '), '') FROM "
	    "pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE "
	    "s.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') AND "
	    "has_table_privilege('railgate_auditor', c.oid, "
	    "'INSERT, UPDATE, DELETE, TRUNCATE')");
	CU_ASSERT_STRING_EQUAL(tables, "");
	funcs = value("SELECT coalesce(string_agg(p.proname, ' '), '') FROM "
	    "pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace WHERE "
	    "s.nspname = 'public' AND p.provolatile = 'v' AND "
	    "has_function_privilege('railgate_auditor', p.oid, 'EXECUTE') AND "
	    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND "
	    "d.deptype = 'e')");
	CU_ASSERT_STRING_EQUAL(funcs, "");
	if (funcs[0] != '\0')
		fprintf(stderr, "\nrailgate_auditor may call %s\n", funcs);
	free(harness_sql(&pg, "CREATE ROLE nobody_in_particular LOGIN"));
	pub = value("SELECT coalesce(string_agg(p.proname, ' '), '') FROM "
	    "pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace WHERE "
	    "s.nspname = 'public' AND has_function_privilege("
	    "'nobody_in_particular', p.oid, 'EXECUTE') AND NOT EXISTS (SELECT 1 "
	    "FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')");
	CU_ASSERT_STRING_EQUAL(pub, "");
	/* The daemon still calls them all. */
	n = value("SELECT count(*) FROM pg_proc p JOIN pg_namespace s ON s.oid = "
	    "p.pronamespace WHERE s.nspname = 'public' AND NOT "
	    "has_function_privilege('railgate_app', p.oid, 'EXECUTE')");
	CU_ASSERT_STRING_EQUAL(n, "0");
	free(tables);
	free(funcs);
	free(pub);
	free(n);
}

/* Runs sql as alice; the SQLSTATE of its failure, "" when it passed. */
static char *
as_auditor(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);
	const char	*state;
	char		*out;

	if (PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK)
		out = xstrdup("");
	else {
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		out = xstrdup(state != NULL ? state : "?");
	}
	PQclear(r);
	return out;
}

/* The same, asserting the SQLSTATE: 42501 is insufficient_privilege. */
static void
expect_auditor(PGconn *c, const char *sql, const char *want)
{
	char	*got = as_auditor(c, sql);

	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\nas alice: %s: %s, expected %s\n", sql,
		    got[0] != '\0' ? got : "passed", want[0] != '\0' ? want :
		    "success");
	free(got);
}

/* Writes and secrets are refused to the person; reads pass. */
static void
t_db_roles_auditor_refused(void)
{
	PGconn	*c = PQconnectdb(auditor_dsn);

	CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
	expect_auditor(c, "SELECT count(*) FROM notices", "");
	expect_auditor(c, "SELECT count(*) FROM audit_log", "");
	expect_auditor(c, "SELECT first_bad IS NULL FROM audit_verify()", "");
	expect_auditor(c, "SELECT name, url, carriers FROM subscriptions", "");
	expect_auditor(c, "SELECT principal, role FROM tokens", "");
	expect_auditor(c, "INSERT INTO audit_log (seq, actor, action, hash, "
	    "prev_hash) VALUES (999999, 'alice', 'x', 'x', 'x')", "42501");
	expect_auditor(c, "UPDATE decisions SET final = final", "42501");
	expect_auditor(c, "DELETE FROM events", "42501");
	expect_auditor(c, "SELECT audit_append('alice', 'forged', NULL, NULL, "
	    "NULL)", "42501");
	expect_auditor(c, "SELECT hash FROM tokens", "42501");
	expect_auditor(c, "SELECT hash FROM sessions", "42501");
	expect_auditor(c, "SELECT password_hash FROM officer_accounts", "42501");
	expect_auditor(c, "SELECT secret FROM subscriptions", "42501");
	expect_auditor(c, "SELECT * FROM subscriptions", "42501");
	PQfinish(c);
}

/* `railgate replay`, `report` and `bundle` as the person: all succeed. */
static void
t_db_roles_auditor_commands(void)
{
	char	args[1500], *out;
	int	st = -1;

	snprintf(args, sizeof args, "replay --dsn '%s' --all", auditor_dsn);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "all identical"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "audit chain: intact"));
	if (st != 0)
		fprintf(stderr, "\nreplay as alice: %s\n", out);
	free(out);
	snprintf(args, sizeof args, "replay --dsn '%s' --train X8024 --format "
	    "json", auditor_dsn);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	free(out);
	snprintf(args, sizeof args, "report X8024 --dsn '%s' --format html",
	    auditor_dsn);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<svg"));
	free(out);
	snprintf(args, sizeof args, "bundle X8024 --dsn '%s' -o %s/x8024.bundle "
	    "&& echo ok", auditor_dsn, dm.dir);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ok"));
	free(out);
}

/* The daemon's own role reads what `railgate report` reads (the issue). */
static void
t_db_roles_app_reports(void)
{
	char	args[1500], *out;
	int	st = -1;

	snprintf(args, sizeof args, "report X8024 --dsn '%s' --format html",
	    pg.app_dsn);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<svg"));
	free(out);
}

static CU_TestInfo db_roles_tests[] = {
	{ "t_db_roles_every_table_readable", t_db_roles_every_table_readable },
	{ "t_db_roles_auditor_cannot_write", t_db_roles_auditor_cannot_write },
	{ "t_db_roles_auditor_refused", t_db_roles_auditor_refused },
	{ "t_db_roles_auditor_commands", t_db_roles_auditor_commands },
	{ "t_db_roles_app_reports", t_db_roles_app_reports },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_db_roles", roles_suite_init, roles_suite_clean,
    db_roles_tests);
