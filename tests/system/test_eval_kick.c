/*
 * test_eval_kick.c -- a train stored while the evaluator's claim is out
 * is claimed as soon as that claim answers (daemon/evaluate.c, issue 23).
 *
 * A claim that read the table before the train was committed answers
 * without it, and the train's kick, refused while the claim was out,
 * went nowhere: the train waited for the once-a-second timer.  Here the
 * database's claim_evaluations() is wrapped, once armed, to sleep after
 * its query has read the table and found nothing; a train is submitted
 * meanwhile, and its decision must follow the claim's answer within
 * KICK_BOUND_MS, three times over.  Without the claim again, each came
 * with the next tick, 392-415 ms after the answer (the sleeping claim is
 * a tick's, 600 ms into the second); with it, 5-23 ms.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "edi/writer.h"
#include "manifest/gen.h"
#include "manifest/model.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define KICK_SLEEP_S	"0.6"
#define KICK_BOUND_MS	300.0
#define KICK_ROUNDS	3

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_tok[64];
static PGconn			*db;

/* claim_evaluations(), sleeping once armed after finding nothing. */
static const char wrap_sql[] =
    "CREATE TABLE test_claim_pause (armed boolean NOT NULL);"
    "INSERT INTO test_claim_pause VALUES (false);"
    "ALTER FUNCTION claim_evaluations(text, integer, integer, bigint[], "
    "bigint[], text) RENAME TO claim_evaluations_real;"
    "CREATE FUNCTION claim_evaluations(p_owner text, p_n integer, "
    "p_lease_s integer, p_busy bigint[], p_have bigint[], p_clearances "
    "text) RETURNS TABLE (train_id bigint, train_no text, run integer, "
    "manifest_id bigint, raw_z bytea, events json, last_event_id bigint, "
    "green_lane boolean, clearances_key text, clearances json) "
    "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$ "
    "BEGIN RETURN QUERY SELECT * FROM claim_evaluations_real(p_owner, p_n, "
    "p_lease_s, p_busy, p_have, p_clearances); "
    "IF NOT FOUND AND (SELECT armed FROM test_claim_pause) THEN "
    "UPDATE test_claim_pause SET armed = false; "
    "PERFORM pg_sleep(" KICK_SLEEP_S "); END IF; END $$;"
    "GRANT EXECUTE ON FUNCTION claim_evaluations(text, integer, integer, "
    "bigint[], bigint[], text) TO railgate_app;";

static double
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* True once sql answers "t", polled every 2 ms for up to timeout_ms. */
static bool
poll_true(const char *sql, double timeout_ms)
{
	double	end = mono_ms() + timeout_ms;
	char	*v;
	bool	 ok;

	do {
		v = harness_pq_value(db, sql);
		ok = v != NULL && strcmp(v, "t") == 0;
		free(v);
		if (ok)
			return true;
		usleep(2000);
	} while (mono_ms() < end);
	return false;
}

static int
kick_init(void)
{
	PGresult	*r;

	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0 ||
	    harness_token(&pg, "operator", "kick.operator", operator_tok) < 0)
		return -1;
	if ((db = PQconnectdb(pg.dsn)) == NULL || PQstatus(db) != CONNECTION_OK)
		return -1;
	r = PQexec(db, wrap_sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "kick: %s", PQerrorMessage(db));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

static int
kick_clean(void)
{
	PQfinish(db);
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* POSTs a small generated train; its number into no (from Location). */
static int
submit_train(uint64_t seed, char *no, size_t size)
{
	struct gen_options	 o = { 3, 12, seed, false, 0, NULL };
	struct manifest_train	*t = gen_train(&o);
	struct buf		 b = { 0 };
	int			 status;

	edi_write_cuscar(t, NULL, &b);
	manifest_train_free(t);
	status = harness_submit_edifact(dm.port, operator_tok, b.data, b.len,
	    no, size);
	buf_free(&b);
	return status;
}

static void
t_kick_during_claim(void)
{
	char	 no[128], sql[256];
	double	 answered, decided;
	int	 round;

	for (round = 0; round < KICK_ROUNDS; round++) {
		/* Nothing waiting; the next empty claim sleeps. */
		CU_ASSERT_TRUE_FATAL(poll_true("SELECT NOT EXISTS (SELECT 1 "
		    "FROM trains WHERE eval_needed)", 10000));
		free(harness_pq_value(db, "UPDATE test_claim_pause SET armed "
		    "= true RETURNING armed"));
		CU_ASSERT_TRUE_FATAL(poll_true("SELECT EXISTS (SELECT 1 FROM "
		    "pg_stat_activity WHERE wait_event = 'PgSleep')", 3000));
		CU_ASSERT_EQUAL_FATAL(submit_train(7700 + (uint64_t)round, no,
		    sizeof no), 202);
		/* The claim out answers (nothing: it read before the train). */
		CU_ASSERT_TRUE_FATAL(poll_true("SELECT NOT EXISTS (SELECT 1 "
		    "FROM pg_stat_activity WHERE wait_event = 'PgSleep')",
		    3000));
		answered = mono_ms();
		snprintf(sql, sizeof sql, "SELECT decision IS NOT NULL FROM "
		    "trains WHERE train_no = '%s'", no);
		CU_ASSERT_TRUE(poll_true(sql, 5000));
		decided = mono_ms() - answered;
		fprintf(stderr, "\nkick: train %s decided %.0f ms after the "
		    "claim out answered (bound %.0f ms)\n", no, decided,
		    KICK_BOUND_MS);
		CU_ASSERT(decided < KICK_BOUND_MS);
	}
}

static CU_TestInfo kick_tests[] = {
	{ "t_kick_during_claim", t_kick_during_claim },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_eval_kick", kick_init, kick_clean, kick_tests)
