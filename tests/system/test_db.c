/*
 * test_db.c -- the asynchronous pool against a real private cluster:
 * results, errors, parameters, concurrency, and a PostgreSQL restart
 * under load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "daemon/dbloop.h"
#include "db/db.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;

struct outcome {
	int	done;
	int	ok;
	int	unavailable;
	enum db_failure failure;
	char	value[256];
	char	sqlstate[8];
};

static int
db_suite_init(void)
{
	return harness_pg_start(&pg) == 0 ? 0 : -1;
}

static int
db_suite_clean(void)
{
	harness_pg_stop(&pg);
	return 0;
}

/* Records a request's outcome. */
static void
record_cb(const struct db_result *r, void *arg)
{
	struct outcome	*o = arg;

	o->done = 1;
	o->ok = db_result_ok(r);
	o->unavailable = db_result_unavailable(r);
	o->failure = db_result_failure(r);
	if (o->ok && db_result_rows(r) > 0)
		snprintf(o->value, sizeof o->value, "%s", db_result_value(r, 0, 0));
	if (db_result_sqlstate(r) != NULL)
		snprintf(o->sqlstate, sizeof o->sqlstate, "%s", db_result_sqlstate(r));
}

/* Runs the loop until every outcome is done or ms pass. */
static void
run_until_done(struct event_base *base, struct outcome *o, int n, int ms)
{
	int	waited, i, all;

	for (waited = 0; waited < ms; waited += 10) {
		struct timeval tv = { 0, 10000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		for (all = 1, i = 0; i < n; i++)
			all &= o[i].done;
		if (all)
			return;
	}
}

/* A parameterised query returns its value; input is never SQL. */
static void
t_db_query_params(void)
{
	struct event_base	*base = event_base_new();
	struct dbloop		*l = dbloop_new(base, pg.dsn, 2);
	struct outcome		 o[2] = { 0 };
	const char		*v[] = { "X8024'; DROP TABLE x; --" };

	db_query(dbloop_db(l), "SELECT $1::text", 1, v, NULL, NULL, 0, 0,
	    record_cb, &o[0]);
	db_query(dbloop_db(l), "SELECT length($1::text)", 1, v, NULL, NULL, 0, 0,
	    record_cb, &o[1]);
	run_until_done(base, o, 2, 10000);
	CU_ASSERT_TRUE(o[0].ok);
	CU_ASSERT_STRING_EQUAL(o[0].value, v[0]);
	CU_ASSERT_STRING_EQUAL(o[1].value, "24");
	dbloop_free(l);
	event_base_free(base);
}

/* A server error arrives as an error with its SQLSTATE, not unavailable. */
static void
t_db_server_error(void)
{
	struct event_base	*base = event_base_new();
	struct dbloop		*l = dbloop_new(base, pg.dsn, 1);
	struct outcome		 o[2] = { 0 };

	db_query(dbloop_db(l), "SELECT * FROM no_such_table", 0, NULL, NULL,
	    NULL, 0, 0, record_cb, &o[0]);
	db_query(dbloop_db(l), "SELECT 'after'", 0, NULL, NULL, NULL, 0, 0,
	    record_cb, &o[1]);
	run_until_done(base, o, 2, 10000);
	CU_ASSERT_FALSE(o[0].ok);
	CU_ASSERT_FALSE(o[0].unavailable);
	CU_ASSERT_STRING_EQUAL(o[0].sqlstate, "42P01");
	/* The connection stays usable after an error. */
	CU_ASSERT_TRUE(o[1].ok);
	CU_ASSERT_STRING_EQUAL(o[1].value, "after");
	dbloop_free(l);
	event_base_free(base);
}

/* Many requests over few connections all complete, in parallel. */
static void
t_db_many_concurrent(void)
{
	struct event_base	*base = event_base_new();
	struct dbloop		*l = dbloop_new(base, pg.dsn, 4);
	struct outcome		 o[200];
	struct db_stats		 st;
	char			 num[16];
	const char		*v[1] = { num };
	int			 i, ok = 0;

	memset(o, 0, sizeof o);
	for (i = 0; i < 200; i++) {
		snprintf(num, sizeof num, "%d", i);
		db_query(dbloop_db(l), "SELECT ($1::int * 2)::text", 1, v, NULL,
		    NULL, 0, 0, record_cb, &o[i]);
	}
	run_until_done(base, o, 200, 20000);
	for (i = 0; i < 200; i++) {
		snprintf(num, sizeof num, "%d", i * 2);
		ok += o[i].ok && strcmp(o[i].value, num) == 0;
	}
	CU_ASSERT_EQUAL(ok, 200);
	db_get_stats(dbloop_db(l), &st);
	CU_ASSERT_EQUAL(st.connections, 4);
	CU_ASSERT_EQUAL(st.completed, 200);
	CU_ASSERT_EQUAL(st.queued, 0);
	dbloop_free(l);
	event_base_free(base);
}

/*
 * PostgreSQL killed and restarted: retry-safe requests queued meanwhile
 * complete after the restart, even those that were sent on a connection
 * the kill had already broken; the pool reconnects by itself.
 */
static void
t_db_survives_restart(void)
{
	struct event_base	*base = event_base_new();
	struct dbloop		*l = dbloop_new(base, pg.dsn, 2);
	struct outcome		 before = { 0 }, during[20], after = { 0 };
	struct db_stats		 st;
	char			 cmd[600];
	int			 i, ok = 0;

	db_query(dbloop_db(l), "SELECT 1", 0, NULL, NULL, NULL, 0, 0, record_cb,
	    &before);
	run_until_done(base, &before, 1, 10000);
	CU_ASSERT_TRUE_FATAL(before.ok);

	snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh kill '%s'", pg.dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	memset(during, 0, sizeof during);
	for (i = 0; i < 20; i++)
		db_query(dbloop_db(l), "SELECT 'queued'", 0, NULL, NULL, NULL,
		    DB_RETRY, 60000, record_cb, &during[i]);
	/* Let the pool notice and start backing off. */
	run_until_done(base, during, 0, 500);
	CU_ASSERT_FALSE(db_is_up(dbloop_db(l)));
	snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh start '%s' > /dev/null",
	    pg.dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	run_until_done(base, during, 20, 20000);
	for (i = 0; i < 20; i++)
		ok += during[i].ok && strcmp(during[i].value, "queued") == 0;
	CU_ASSERT_EQUAL(ok, 20);
	db_query(dbloop_db(l), "SELECT 'back'", 0, NULL, NULL, NULL, 0, 0,
	    record_cb, &after);
	run_until_done(base, &after, 1, 10000);
	CU_ASSERT_STRING_EQUAL(after.value, "back");
	db_get_stats(dbloop_db(l), &st);
	CU_ASSERT(st.reconnects >= 2);
	dbloop_free(l);
	event_base_free(base);
}

/*
 * A statement the server rolls back for another transaction's sake (a
 * deadlock, a serialization failure) is run again: it had no effect.
 * Any other error is the caller's, at once.
 */
static void
t_db_rollback_retried(void)
{
	struct event_base	*base = event_base_new();
	struct dbloop		*l = dbloop_new(base, pg.dsn, 1);
	struct outcome		 o[2];
	struct db_stats		 st;

	free(harness_sql(&pg, "CREATE SEQUENCE flaky_calls"));
	free(harness_sql(&pg, "CREATE FUNCTION flaky() RETURNS int "
	    "LANGUAGE plpgsql AS $$ BEGIN IF nextval('flaky_calls') < 3 THEN "
	    "RAISE EXCEPTION 'lost' USING ERRCODE = 'deadlock_detected'; "
	    "END IF; RETURN 42; END $$"));
	memset(o, 0, sizeof o);
	db_query(dbloop_db(l), "SELECT flaky()", 0, NULL, NULL, NULL, 0, 0,
	    record_cb, &o[0]);
	db_query(dbloop_db(l), "SELECT 1/0", 0, NULL, NULL, NULL, 0, 0,
	    record_cb, &o[1]);
	run_until_done(base, o, 2, 10000);
	CU_ASSERT_TRUE(o[0].ok);
	CU_ASSERT_STRING_EQUAL(o[0].value, "42");
	CU_ASSERT_FALSE(o[1].ok);
	CU_ASSERT_STRING_EQUAL(o[1].sqlstate, "22012");
	db_get_stats(dbloop_db(l), &st);
	CU_ASSERT_EQUAL(st.rollbacks, 2);
	dbloop_free(l);
	event_base_free(base);
}

/* Requests waiting for a dead database fail by their deadline, as unavailable. */
static void
t_db_deadline_when_down(void)
{
	struct event_base	*base = event_base_new();
	struct dbloop		*l = dbloop_new(base,
	    "host=/nonexistent-railgate port=5432 user=postgres connect_timeout=1", 1);
	struct outcome		 o = { 0 };

	db_query(dbloop_db(l), "SELECT 1", 0, NULL, NULL, NULL, DB_RETRY, 300,
	    record_cb, &o);
	run_until_done(base, &o, 1, 5000);
	CU_ASSERT_TRUE(o.done);
	CU_ASSERT_FALSE(o.ok);
	CU_ASSERT_TRUE(o.unavailable);
	CU_ASSERT_EQUAL(o.failure, DB_FAILURE_UNAVAILABLE);
	dbloop_free(l);
	event_base_free(base);
}

/*
 * Failures by SQLSTATE class: only what may pass is "unavailable" (a
 * 503 with Retry-After upstairs); a value refused is data, a constraint a
 * conflict, the rest internal.  Real errors from the server, and the
 * table itself.
 */
static void
t_db_failure_kinds(void)
{
	static const struct { const char *state; enum db_failure kind; } table[] = {
		{ NULL, DB_FAILURE_UNAVAILABLE }, { "", DB_FAILURE_UNAVAILABLE },
		{ "08006", DB_FAILURE_UNAVAILABLE }, { "53100", DB_FAILURE_UNAVAILABLE },
		{ "53200", DB_FAILURE_UNAVAILABLE }, { "57P01", DB_FAILURE_UNAVAILABLE },
		{ "57P03", DB_FAILURE_UNAVAILABLE }, { "57014", DB_FAILURE_UNAVAILABLE },
		{ "40001", DB_FAILURE_UNAVAILABLE }, { "55P03", DB_FAILURE_UNAVAILABLE },
		{ "58030", DB_FAILURE_UNAVAILABLE },
		{ "22021", DB_FAILURE_DATA }, { "22P05", DB_FAILURE_DATA },
		{ "22001", DB_FAILURE_DATA },
		{ "23505", DB_FAILURE_CONFLICT }, { "23514", DB_FAILURE_CONFLICT },
		{ "42P01", DB_FAILURE_INTERNAL }, { "42883", DB_FAILURE_INTERNAL },
		{ "XX000", DB_FAILURE_INTERNAL }, { "P0001", DB_FAILURE_INTERNAL },
		{ "57P04", DB_FAILURE_INTERNAL },
	};
	struct event_base	*base = event_base_new();
	struct dbloop		*l = dbloop_new(base, pg.dsn, 1);
	struct outcome		 o[5];
	const char		*bad[] = { "X\xff" };
	size_t			 i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		CU_ASSERT_EQUAL(db_failure_of_sqlstate(table[i].state),
		    table[i].kind);
	free(harness_sql(&pg, "CREATE TABLE kinds (k int PRIMARY KEY)"));
	free(harness_sql(&pg, "GRANT ALL ON kinds TO PUBLIC"));
	memset(o, 0, sizeof o);
	db_query(dbloop_db(l), "SELECT $1::text", 1, bad, NULL, NULL, 0, 0,
	    record_cb, &o[0]);
	db_query(dbloop_db(l), "INSERT INTO kinds VALUES (1)", 0, NULL, NULL,
	    NULL, 0, 0, record_cb, &o[1]);
	db_query(dbloop_db(l), "INSERT INTO kinds VALUES (1)", 0, NULL, NULL,
	    NULL, 0, 0, record_cb, &o[2]);
	db_query(dbloop_db(l), "SELECT no_such_function()", 0, NULL, NULL,
	    NULL, 0, 0, record_cb, &o[3]);
	db_query(dbloop_db(l), "SELECT 'fine'", 0, NULL, NULL, NULL, 0, 0,
	    record_cb, &o[4]);
	run_until_done(base, o, 5, 10000);
	CU_ASSERT_STRING_EQUAL(o[0].sqlstate, "22021");
	CU_ASSERT_EQUAL(o[0].failure, DB_FAILURE_DATA);
	CU_ASSERT_EQUAL(o[1].failure, DB_FAILURE_NONE);
	CU_ASSERT_STRING_EQUAL(o[2].sqlstate, "23505");
	CU_ASSERT_EQUAL(o[2].failure, DB_FAILURE_CONFLICT);
	CU_ASSERT_STRING_EQUAL(o[3].sqlstate, "42883");
	CU_ASSERT_EQUAL(o[3].failure, DB_FAILURE_INTERNAL);
	CU_ASSERT_EQUAL(o[4].failure, DB_FAILURE_NONE);
	CU_ASSERT_STRING_EQUAL(o[4].value, "fine");
	dbloop_free(l);
	event_base_free(base);
}

/*
 * A decision's steps go first (issue 23): with one of two connections
 * kept for them, four slow reads run one at a time on the other, and an
 * urgent request queued behind them is answered while the first read
 * still runs -- not after the four.
 */
static void
t_db_urgent_reserved(void)
{
	struct event_base	*base = event_base_new();
	struct dbloop		*l = dbloop_new(base, pg.dsn, 2);
	struct outcome		 o[5], probe = { 0 };
	int			 i, waited;

	memset(o, 0, sizeof o);
	db_set_reserve(dbloop_db(l), 1);
	/* Both connections up first, so that the order is the pool's. */
	db_query(dbloop_db(l), "SELECT 1", 0, NULL, NULL, NULL, DB_URGENT, 0,
	    record_cb, &probe);
	run_until_done(base, &probe, 1, 10000);
	for (i = 0; i < 4; i++)
		db_query(dbloop_db(l), "SELECT pg_sleep(0.4)::text", 0, NULL,
		    NULL, NULL, 0, 0, record_cb, &o[i]);
	db_query(dbloop_db(l), "SELECT 'urgent'", 0, NULL, NULL, NULL,
	    DB_URGENT, 0, record_cb, &o[4]);
	for (waited = 0; waited < 10000 && !o[4].done; waited += 10)
		run_until_done(base, &o[4], 1, 10);
	CU_ASSERT_TRUE(o[4].ok);
	CU_ASSERT_STRING_EQUAL(o[4].value, "urgent");
	/* The reads wait for each other: not even the first is done. */
	CU_ASSERT_FALSE(o[0].done);
	run_until_done(base, o, 4, 10000);
	CU_ASSERT_TRUE(o[0].ok && o[1].ok && o[2].ok && o[3].ok);
	dbloop_free(l);
	event_base_free(base);
}

/* db_query_lent(): the bytes go back once libpq has them, before cb. */
static char	 lent_buf[1 << 20];
static int	 lent_sent_before_done = -1;

static void
lent_sent_cb(void *arg)
{
	struct outcome	*o = arg;

	lent_sent_before_done = !o->done;
	/* The caller's again: what it does with them changes nothing sent. */
	memset(lent_buf, 'z', sizeof lent_buf);
}

static void
t_db_lent_given_back(void)
{
	struct event_base	*base = event_base_new();
	struct dbloop		*l = dbloop_new(base, pg.dsn, 1);
	struct outcome		 o = { 0 };
	const char		*v[1] = { lent_buf };
	int			 len[1] = { (int)sizeof lent_buf }, bin[1] = { 1 };

	memset(lent_buf, 'a', sizeof lent_buf);
	db_query_lent(dbloop_db(l), "SELECT (length($1::bytea) || ' ' || "
	    "position('z'::bytea IN $1::bytea))::text", 1, v, len, bin,
	    DB_RETRY, 0, lent_sent_cb, record_cb, &o);
	run_until_done(base, &o, 1, 10000);
	CU_ASSERT_TRUE(o.ok);
	CU_ASSERT_EQUAL(lent_sent_before_done, 1);
	CU_ASSERT_STRING_EQUAL(o.value, "1048576 0");
	dbloop_free(l);
	event_base_free(base);
}

static CU_TestInfo db_tests[] = {
	{ "t_db_lent_given_back", t_db_lent_given_back },
	{ "t_db_urgent_reserved", t_db_urgent_reserved },
	{ "t_db_query_params", t_db_query_params },
	{ "t_db_server_error", t_db_server_error },
	{ "t_db_many_concurrent", t_db_many_concurrent },
	{ "t_db_survives_restart", t_db_survives_restart },
	{ "t_db_rollback_retried", t_db_rollback_retried },
	{ "t_db_deadline_when_down", t_db_deadline_when_down },
	{ "t_db_failure_kinds", t_db_failure_kinds },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_db", db_suite_init, db_suite_clean, db_tests)
