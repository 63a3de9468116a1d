/*
 * test_integration.c -- the harness itself and the daemon skeleton, for
 * real: a private PostgreSQL cluster and railgated on a loopback port.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "db/migrate.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	daemon_under_test;

static int
pg_suite_init(void)
{
	return harness_pg_start(&pg) == 0 ? 0 : -1;
}

static int
pg_suite_clean(void)
{
	harness_pg_stop(&pg);
	return 0;
}

/* The cluster answers on its socket with durable settings. */
static void
t_pg_cluster_answers(void)
{
	PGconn		*c = PQconnectdb(pg.dsn);
	PGresult	*r;

	CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, "SELECT current_setting('fsync'), "
	    "current_setting('synchronous_commit'), "
	    "current_setting('full_page_writes'), "
	    "current_setting('listen_addresses')");
	CU_ASSERT_EQUAL_FATAL(PQresultStatus(r), PGRES_TUPLES_OK);
	CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 0), "on");
	CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 1), "on");
	CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 2), "on");
	/* Unix socket only: no TCP listener. */
	CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 3), "");
	PQclear(r);
	PQfinish(c);
}

/* Tables can be written and read back: a real, writable cluster. */
static void
t_pg_cluster_writable(void)
{
	PGconn		*c = PQconnectdb(pg.dsn);
	PGresult	*r;

	CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
	PQclear(PQexec(c, "CREATE TABLE harness_probe (v text)"));
	r = PQexec(c, "INSERT INTO harness_probe VALUES ('X8024') RETURNING v");
	CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	r = PQexec(c, "SELECT count(*) FROM harness_probe");
	CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 0), "1");
	PQclear(r);
	PQfinish(c);
}

static struct harness_pg	daemon_pg;

static int
daemon_suite_init(void)
{
	if (harness_pg_start(&daemon_pg) < 0)
		return -1;
	return harness_daemon_start(&daemon_under_test, daemon_pg.conf) == 0 ?
	    0 : -1;
}

static int
daemon_suite_clean(void)
{
	harness_daemon_stop(&daemon_under_test);
	harness_pg_stop(&daemon_pg);
	return 0;
}

/* /healthz answers 200 with JSON. */
static void
t_daemon_healthz(void)
{
	struct harness_response	r;
	char			ct[128];
	json_t			*j;

	CU_ASSERT_EQUAL_FATAL(harness_http(daemon_under_test.port, "GET",
	    "/healthz", NULL, NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Content-Type", ct, sizeof ct));
	CU_ASSERT_STRING_EQUAL(ct, "application/json");
	j = json_loads(r.body, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "ok");
	json_decref(j);
	harness_response_free(&r);
}

/* Unknown paths get an RFC 9457 problem document. */
static void
t_daemon_not_found_problem(void)
{
	struct harness_response	r;
	char			ct[128];
	json_t			*j;

	CU_ASSERT_EQUAL_FATAL(harness_http(daemon_under_test.port, "GET",
	    "/v1/nowhere", NULL, NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 404);
	harness_header(&r, "Content-Type", ct, sizeof ct);
	CU_ASSERT_STRING_EQUAL(ct, "application/problem+json");
	j = json_loads(r.body, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "status")), 404);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "detail")),
	    "/v1/nowhere");
	json_decref(j);
	harness_response_free(&r);
}

/* A known path with the wrong method is 405, not 404. */
static void
t_daemon_method_not_allowed(void)
{
	struct harness_response	r;

	CU_ASSERT_EQUAL_FATAL(harness_http(daemon_under_test.port, "POST",
	    "/healthz", NULL, "x", 1, &r), 0);
	CU_ASSERT_EQUAL(r.status, 405);
	harness_response_free(&r);
}

/* SIGHUP with a broken file keeps the daemon and the old configuration. */
static void
t_daemon_reload_rejects_bad_config(void)
{
	struct harness_daemon	*d = &daemon_under_test;
	struct harness_response	 r;
	char			*good, *log = NULL;
	size_t			 len;

	CU_ASSERT_EQUAL_FATAL(file_read_all(d->conf, &good, &len), 0);
	CU_ASSERT_EQUAL(harness_daemon_write_conf(d, "[daemon]\nlisten = oops\n"
	    "bogus = 1\n"), 0);
	kill(d->pid, SIGHUP);
	usleep(300000);
	CU_ASSERT_TRUE(harness_daemon_alive(d));
	CU_ASSERT_EQUAL_FATAL(harness_http(d->port, "GET", "/healthz", NULL,
	    NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(file_read_all(d->log, &log, &len), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "reload rejected"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "railgate.conf:3: unknown parameter bogus"));
	free(log);
	CU_ASSERT_EQUAL(harness_daemon_write_conf(d, good), 0);
	free(good);
}

/* A configuration error at start is fatal and names file and line. */
static void
t_daemon_bad_config_refused_at_start(void)
{
	struct harness_daemon	d;
	char			*log = NULL, conf[2048];
	size_t			 len;

	snprintf(conf, sizeof conf, "%s[clearance]\ntarget_minutes = 0\n",
	    daemon_pg.conf);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_spawn(&d, conf), 0);
	CU_ASSERT_EQUAL(harness_daemon_signal_wait(&d, 0, 5000), 78);	/* EX_CONFIG */
	CU_ASSERT_EQUAL(file_read_all(d.log, &log, &len), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "target_minutes must be an integer from 1"));
	free(log);
	harness_daemon_stop(&d);
}

/* SIGTERM stops the daemon with status 0. */
static void
t_daemon_sigterm_clean_exit(void)
{
	struct harness_daemon	d;

	CU_ASSERT_EQUAL_FATAL(harness_daemon_start(&d, daemon_pg.conf), 0);
	CU_ASSERT_EQUAL(harness_daemon_signal_wait(&d, SIGTERM, 10000), 0);
	harness_daemon_stop(&d);
}

/* /readyz reports the database pool (ready once it has connected). */
static void
t_daemon_readyz(void)
{
	struct harness_response	r;
	int			i;

	for (i = 0; i < 100; i++) {
		CU_ASSERT_EQUAL_FATAL(harness_http(daemon_under_test.port, "GET",
		    "/readyz", NULL, NULL, 0, &r), 0);
		if (r.status == 200)
			break;
		CU_ASSERT_EQUAL(r.status, 503);	/* connecting, never anything else */
		harness_response_free(&r);
		usleep(50000);
	}
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"ready\""));
	harness_response_free(&r);
}

/* The daemon applied the migrations at start, once. */
static void
t_daemon_migrated_schema(void)
{
	char	*v = harness_sql(&daemon_pg, "SELECT max(version) || '/' || "
	    "count(*) FROM schema_migrations");
	char	 want[32];

	snprintf(want, sizeof want, "%u/%u",
	    db_migrations[db_migration_count - 1].version, db_migration_count);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(v, want);
	free(v);
}

/* The daemon's role may append to the audit log but never rewrite it. */
static void
t_daemon_role_cannot_rewrite_audit(void)
{
	PGconn		*c = PQconnectdb(daemon_pg.app_dsn);
	PGresult	*r;

	CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, "SELECT audit_append('test', 'probe', NULL, '{}', NULL)");
	CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	r = PQexec(c, "UPDATE audit_log SET actor = 'mallory'");
	CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_FATAL_ERROR);
	CU_ASSERT_STRING_EQUAL(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42501");
	PQclear(r);
	r = PQexec(c, "DELETE FROM audit_log");
	CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	r = PQexec(c, "INSERT INTO audit_log VALUES (99, now(), 'm', 'x', NULL, "
	    "'{}', NULL, '', '')");
	CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	PQfinish(c);
	/* Even the owner cannot: the trigger refuses. */
	CU_ASSERT_PTR_NULL(harness_sql(&daemon_pg,
	    "UPDATE audit_log SET actor = 'mallory' RETURNING 1"));
}

/* With setting off (ALTER SYSTEM), the daemon refuses to start and says why. */
static void
refuses_with_off(const char *setting)
{
	struct harness_daemon	 d;
	char			 sql[128], want[128], *log = NULL;
	size_t			 len;

	snprintf(sql, sizeof sql, "ALTER SYSTEM SET %s = off", setting);
	free(harness_sql(&daemon_pg, sql));
	free(harness_sql(&daemon_pg, "SELECT pg_reload_conf()"));
	usleep(200000);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_spawn(&d, daemon_pg.conf), 0);
	CU_ASSERT_EQUAL(harness_daemon_signal_wait(&d, 0, 10000), 1);
	CU_ASSERT_EQUAL(file_read_all(d.log, &log, &len), 0);
	snprintf(want, sizeof want, "refusing to start: PostgreSQL has %s = off",
	    setting);
	CU_ASSERT_PTR_NOT_NULL(log != NULL ? strstr(log, want) : NULL);
	free(log);
	harness_daemon_stop(&d);
	snprintf(sql, sizeof sql, "ALTER SYSTEM RESET %s", setting);
	free(harness_sql(&daemon_pg, sql));
	free(harness_sql(&daemon_pg, "SELECT pg_reload_conf()"));
	usleep(200000);
}

/* Any of the three settings that make a commit durable off: no start. */
static void
t_daemon_refuses_unsafe_durability(void)
{
	struct harness_daemon	d;

	refuses_with_off("fsync");
	refuses_with_off("synchronous_commit");
	refuses_with_off("full_page_writes");
	/* local flushes before it answers: durable, accepted. */
	free(harness_sql(&daemon_pg,
	    "ALTER SYSTEM SET synchronous_commit = local"));
	free(harness_sql(&daemon_pg, "SELECT pg_reload_conf()"));
	usleep(200000);
	CU_ASSERT_EQUAL(harness_daemon_start(&d, daemon_pg.conf), 0);
	harness_daemon_stop(&d);
	free(harness_sql(&daemon_pg, "ALTER SYSTEM RESET synchronous_commit"));
	free(harness_sql(&daemon_pg, "SELECT pg_reload_conf()"));
	usleep(200000);
}

static CU_TestInfo pg_tests[] = {
	{ "t_pg_cluster_answers", t_pg_cluster_answers },
	{ "t_pg_cluster_writable", t_pg_cluster_writable },
	CU_TEST_INFO_NULL,
};

/* Waits until the daemon's log holds needle n times; true if it did. */
static bool
log_has(const struct harness_daemon *d, const char *needle, int n,
    int timeout_ms)
{
	char		*log, *p;
	size_t		 len;
	int		 k, waited;

	for (waited = 0; waited <= timeout_ms; waited += 50) {
		if (file_read_all(d->log, &log, &len) == 0) {
			for (k = 0, p = log; (p = strstr(p, needle)) != NULL; p++)
				k++;
			free(log);
			if (k >= n)
				return true;
		}
		usleep(50000);
	}
	return false;
}

/* Replaces the file at path with text; 0 or -1. */
static int
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Appends text to the file at path. */
static void
append_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "a");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* The number of lines of text. */
static size_t
lines_of(const char *text)
{
	size_t	n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

/*
 * SIGHUP reloads the rule set with the configuration: one that does not
 * compile, fails its own test trains or has none is refused and the old
 * one stays;
 * a good one goes into force and is stored by its new hash.
 */
static void
t_daemon_reload_rule_set(void)
{
	struct harness_daemon	 d, bad;
	char			 dir[] = "/tmp/railgate-rules-XXXXXX", cmd[600];
	char			 conf[2048], main_rules[300], *v, *copy;
	char			 list[300], *list_copy;
	size_t			 len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "cp -R etc/rules/default/. %s/", dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	snprintf(main_rules, sizeof main_rules, "%s/main.rules", dir);
	snprintf(conf, sizeof conf, "%s[rules]\ndir = %s\n", daemon_pg.conf, dir);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_start(&d, conf), 0);
	CU_ASSERT(log_has(&d, "rule set default ", 1, 3000));
	CU_ASSERT_EQUAL_FATAL(file_read_all(main_rules, &copy, &len), 0);

	append_file(main_rules, "\nrule broken\n  scope wagon\n  action MAYBE\nend\n");
	kill(d.pid, SIGHUP);
	CU_ASSERT(log_has(&d, "does not compile", 1, 3000));
	/* Starting on a broken rule set is refused outright. */
	CU_ASSERT_EQUAL_FATAL(harness_daemon_spawn(&bad, conf), 0);
	CU_ASSERT_EQUAL(harness_daemon_signal_wait(&bad, 0, 5000), 78);	/* EX_CONFIG */
	harness_daemon_stop(&bad);

	/*
	 * phyto made blind to fruit: alashankou.test, which shows it firing on
	 * the grapes, fails.  (Not a change of its action: the test trains
	 * count in the hash, so a random selection may hold the same wagon.)
	 */
	v = xstrdup(copy);
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(v, "when hs in chapters 06..08"));
	memcpy(strstr(v, "when hs in chapters 06..08") + 20, "98..98", 6);
	CU_ASSERT_EQUAL(write_file(main_rules, v), 0);
	free(v);
	kill(d.pid, SIGHUP);
	CU_ASSERT(log_has(&d, "alashankou.test: decision is RELEASE", 1, 5000));

	/* No test train at all: refused, as `railgate rules test` refuses it. */
	CU_ASSERT_EQUAL(write_file(main_rules, copy), 0);
	snprintf(cmd, sizeof cmd, "mv %s/tests %s/tests.away", dir, dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	kill(d.pid, SIGHUP);
	CU_ASSERT(log_has(&d, "has no test trains", 1, 5000));
	snprintf(cmd, sizeof cmd, "mv %s/tests.away %s/tests", dir, dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);

	/*
	 * A list file with an identifier of the wrong shape, or a name in a
	 * script railgate does not compare: refused with file and line.
	 */
	CU_ASSERT_EQUAL(write_file(main_rules, copy), 0);
	snprintf(list, sizeof list, "%s/lists/sanctioned-parties.txt", dir);
	CU_ASSERT_EQUAL_FATAL(file_read_all(list, &list_copy, &len), 0);
	append_file(list, "Nur Trading\n    id kz-bin 12AB\n");
	kill(d.pid, SIGHUP);
	snprintf(cmd, sizeof cmd, "sanctioned-parties.txt:%zu:5: identifier "
	    "'kz-bin 12AB'", lines_of(list_copy) + 2);
	CU_ASSERT(log_has(&d, cmd, 1, 5000));
	CU_ASSERT_EQUAL(write_file(list, list_copy), 0);
	append_file(list, "شركة النور\n");
	kill(d.pid, SIGHUP);
	CU_ASSERT(log_has(&d, "a letter of the Arabic script", 1, 5000));
	CU_ASSERT_EQUAL(write_file(list, list_copy), 0);
	free(list_copy);
	CU_ASSERT(log_has(&d, "does not compile", 3, 5000));

	/* A comment changes the text, so the hash: a new rule set in force. */
	CU_ASSERT_EQUAL(write_file(main_rules, copy), 0);
	append_file(main_rules, "\n# reviewed 2026-11-22\n");
	kill(d.pid, SIGHUP);
	CU_ASSERT(log_has(&d, "rule set default ", 2, 5000));
	CU_ASSERT(log_has(&d, "configuration reloaded", 1, 1000));
	usleep(300000);
	v = harness_sql(&daemon_pg, "SELECT count(*) FROM rulesets");
	CU_ASSERT(v != NULL && atoi(v) >= 2);
	free(v);
	CU_ASSERT_TRUE(harness_daemon_alive(&d));
	free(copy);
	harness_daemon_stop(&d);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static CU_TestInfo daemon_tests[] = {
	{ "t_daemon_healthz", t_daemon_healthz },
	{ "t_daemon_readyz", t_daemon_readyz },
	{ "t_daemon_migrated_schema", t_daemon_migrated_schema },
	{ "t_daemon_role_cannot_rewrite_audit", t_daemon_role_cannot_rewrite_audit },
	{ "t_daemon_refuses_unsafe_durability", t_daemon_refuses_unsafe_durability },
	{ "t_daemon_not_found_problem", t_daemon_not_found_problem },
	{ "t_daemon_method_not_allowed", t_daemon_method_not_allowed },
	{ "t_daemon_reload_rejects_bad_config", t_daemon_reload_rejects_bad_config },
	{ "t_daemon_reload_rule_set", t_daemon_reload_rule_set },
	{ "t_daemon_bad_config_refused_at_start", t_daemon_bad_config_refused_at_start },
	{ "t_daemon_sigterm_clean_exit", t_daemon_sigterm_clean_exit },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_pg", pg_suite_init, pg_suite_clean, pg_tests)
TEST_SUITE("integration_daemon", daemon_suite_init, daemon_suite_clean, daemon_tests)
