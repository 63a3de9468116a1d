/*
 * test_plans.c -- the ingestion's queries keep to their keys when the
 * planner's statistics are stale (issue 23).
 *
 * PostgreSQL plans a function's statement generically after five
 * calls on a connection, from the statistics of the last ANALYZE.  Taken
 * when the wagons table held two trains, they say a train has half the
 * wagons: an EXISTS probe for a new run's wagons was then planned as a
 * sequential scan, which read every wagon of every train for a run that
 * had none -- 10-25 ms a train on a testbed of 34,000 wagons.  Here the
 * statistics are made so, then eight runs are ingested on one
 * connection (three of them past the switch to the generic plan), and
 * the transaction's own counters say how the wagons were read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db/migrate.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define RULESET		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" \
			"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define RUNS		8	/* five custom plans, then generic ones */

static struct harness_pg	pg;

static int
plans_suite_init(void)
{
	char		*cause = NULL;
	unsigned	 applied, version;

	if (harness_pg_start(&pg) != 0)
		return -1;
	if (db_migrate(pg.dsn, &applied, &version, &cause) != 0) {
		fprintf(stderr, "plans: migrate: %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int
plans_suite_clean(void)
{
	harness_pg_stop(&pg);
	return 0;
}

/* The first value of sql on c as a number; -1 on an error or none. */
static long
number(PGconn *c, const char *sql)
{
	char	*v = harness_pq_value(c, sql);
	long	 n = v != NULL ? strtol(v, NULL, 10) : -1;

	free(v);
	return n;
}

/*
 * Statistics of two trains' wagons, 400 trains' wagons in the table: the
 * state of a database analysed on its first day whose counters were
 * later reset.  In a transaction the caller rolls back.
 */
static int
make_stale_statistics(PGconn *c)
{
	static const char *const steps[] = {
		"BEGIN",
		"INSERT INTO trains (train_no, run, state) SELECT 'S' || g, 1, "
		"'received' FROM generate_series(1, 400) g",
		"INSERT INTO wagons (train_id, position, number) SELECT t.id, "
		"p, 'W' || p FROM trains t, generate_series(1, 55) p WHERE "
		"t.train_no IN ('S1', 'S2')",
		"ANALYZE wagons",
		"INSERT INTO wagons (train_id, position, number) SELECT t.id, "
		"p, 'W' || p FROM trains t, generate_series(1, 55) p WHERE "
		"t.train_no LIKE 'S%' AND t.train_no NOT IN ('S1', 'S2')",
	};
	size_t	i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (harness_pq_run(c, steps[i]) < 0)
			return -1;
	return 0;
}

static const char *const scans =
    "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'wagons'";

static void
t_ingest_probes_wagons_by_key(void)
{
	PGconn	*c = PQconnectdb(pg.dsn);
	char	 sql[768];
	long	 before, after;
	int	 i, accepted = 0;

	CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
	CU_ASSERT_EQUAL_FATAL(harness_pq_run(c, "SELECT store_ruleset('"
	    RULESET "', 'plans', '\\x00'::bytea)"), 0);
	CU_ASSERT_EQUAL_FATAL(make_stale_statistics(c), 0);
	before = number(c, scans);
	for (i = 1; i <= RUNS; i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM "
		    "ingest_manifest(repeat('%d', 64), '\\x00'::bytea, 1, "
		    "'edifact', 'http', 'plans.operator', NULL, true, 'P%04d', "
		    "'original', '[]', '{\"counts\": {\"wagons\": 0}}', '[]', '"
		    RULESET "') WHERE outcome = 'accepted'", i, i);
		accepted += (int)number(c, sql);
	}
	after = number(c, scans);
	CU_ASSERT_EQUAL(accepted, RUNS);
	CU_ASSERT_TRUE(before >= 0);
	/* Not one of the eight runs read the wagons through a scan. */
	CU_ASSERT_EQUAL(after, before);
	if (after != before)
		fprintf(stderr, "plans: %ld sequential scans of wagons in %d "
		    "ingestions\n", after - before, RUNS);
	(void)harness_pq_run(c, "ROLLBACK");
	PQfinish(c);
}

static CU_TestInfo plans_tests[] = {
	{ "t_ingest_probes_wagons_by_key", t_ingest_probes_wagons_by_key },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_plans", plans_suite_init, plans_suite_clean,
    plans_tests)
