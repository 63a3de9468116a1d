/*
 * test_integration.c -- the harness itself and the daemon skeleton, for
 * real: a private PostgreSQL cluster and railgated on a loopback port.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

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

static int
daemon_suite_init(void)
{
	return harness_daemon_start(&daemon_under_test, NULL) == 0 ? 0 : -1;
}

static int
daemon_suite_clean(void)
{
	harness_daemon_stop(&daemon_under_test);
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
	char			*log = NULL;
	size_t			 len;

	CU_ASSERT_EQUAL_FATAL(harness_daemon_spawn(&d, "[clearance]\n"
	    "target_minutes = 0\n"), 0);
	CU_ASSERT_EQUAL(harness_daemon_signal_wait(&d, 0, 5000), 1);
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

	CU_ASSERT_EQUAL_FATAL(harness_daemon_start(&d, NULL), 0);
	CU_ASSERT_EQUAL(harness_daemon_signal_wait(&d, SIGTERM, 10000), 0);
	harness_daemon_stop(&d);
}

static CU_TestInfo pg_tests[] = {
	{ "t_pg_cluster_answers", t_pg_cluster_answers },
	{ "t_pg_cluster_writable", t_pg_cluster_writable },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo daemon_tests[] = {
	{ "t_daemon_healthz", t_daemon_healthz },
	{ "t_daemon_not_found_problem", t_daemon_not_found_problem },
	{ "t_daemon_method_not_allowed", t_daemon_method_not_allowed },
	{ "t_daemon_reload_rejects_bad_config", t_daemon_reload_rejects_bad_config },
	{ "t_daemon_bad_config_refused_at_start", t_daemon_bad_config_refused_at_start },
	{ "t_daemon_sigterm_clean_exit", t_daemon_sigterm_clean_exit },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_pg", pg_suite_init, pg_suite_clean, pg_tests)
TEST_SUITE("integration_daemon", daemon_suite_init, daemon_suite_clean, daemon_tests)
