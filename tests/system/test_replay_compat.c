/*
 * test_replay_compat.c -- decisions stored before issue 17 replay
 * bit-identical with today's code.
 *
 * fixtures/replay/pre-issue17.sql is a database filled by the railgate
 * of commit 7c791f2 (rule language edition 1, its default rule set
 * 4abf4cf5e36e...) with the manifests of fixtures/failclosed/, control
 * evidence, a neighbour's pre-arrival, resolutions and approvals
 * (fixtures/replay/README says how it was made), and events with members
 * the old daemon stored unread but today's events define (a device that
 * is no text, a reweigh that is no boolean, a scan naming a wagon beside
 * its container): edition 1 must read them as it did.  It is restored into a
 * fresh cluster, today's `railgate db migrate` runs, and today's
 * `railgate replay --all` must make every stored decision again,
 * identical, under the rule set each names -- the stored one, not
 * today's default -- with the audit chain intact.
 */
#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "db/migrate.h"
#include "daemon/http/auth.h"
#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"

#define DUMP		"replay/pre-issue17.sql"
/* The default rule set of 7c791f2, which every stored decision names. */
#define OLD_RULESET	"4abf4cf5e36e9582f4fabab728a80c5b16f0b3ecce239403" \
			"a9e84c9e1382e6c0"
/* What the dump holds (its README): a floor, so an empty one cannot pass. */
#define DUMP_DECISIONS	"25"

static struct harness_pg	pg;

/* Runs `railgate ARGS`; its output (caller frees) and exit status. */
static char *
run(const char *args, int *status)
{
	return harness_railgate(args, false, status);
}

/*
 * The old database: the daemon's role (pg_dump keeps no roles, and
 * today's migrations grant to it), then the dump in one PQexec (it is
 * plain SQL without psql commands).
 */
static int
restore_dump(void)
{
	PGconn		*c = PQconnectdb(pg.dsn);
	PGresult	*r = NULL;
	char		*sql;
	size_t		 len;
	int		 rc = -1;

	sql = test_read_fixture(DUMP, &len);
	if (PQstatus(c) == CONNECTION_OK) {
		r = PQexec(c, "CREATE ROLE railgate_app LOGIN");
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			r = PQexec(c, sql);
			rc = PQresultStatus(r) == PGRES_COMMAND_OK ||
			    PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -1;
		}
		if (rc < 0)
			fprintf(stderr, "replay_compat: restore: %s",
			    PQresultErrorMessage(r));
		PQclear(r);
	}
	PQfinish(c);
	free(sql);
	return rc;
}

static int
compat_suite_init(void)
{
	char	args[1024], *out;
	int	st = -1;

	if (harness_pg_start(&pg) < 0 || restore_dump() < 0)
		return -1;
	snprintf(args, sizeof args, "db migrate --dsn '%s'", pg.dsn);
	out = run(args, &st);
	if (st != 0)
		fprintf(stderr, "replay_compat: migrate: %s\n",
		    out != NULL ? out : "");
	free(out);
	return st == 0 ? 0 : -1;
}

static int
compat_suite_clean(void)
{
	harness_pg_stop(&pg);
	return 0;
}

/* Asserts that sql's first value is want. */
static void
check_sql(const char *sql, const char *want)
{
	char	*v = harness_sql(&pg, sql);

	if (v == NULL || strcmp(v, want) != 0)
		fprintf(stderr, "\nreplay_compat: %s: %s, not %s\n", sql,
		    v != NULL ? v : "NULL", want);
	CU_ASSERT_TRUE(v != NULL && strcmp(v, want) == 0);
	free(v);
}

/* The integer member name of o, -1 when it is not one. */
static json_int_t
member(const json_t *o, const char *name)
{
	const json_t	*v = json_object_get(o, name);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* The dump migrated to today's schema and holds what it should. */
static void
t_replay_compat_migrated(void)
{
	char	want[16];

	snprintf(want, sizeof want, "%u",
	    db_migrations[db_migration_count - 1].version);
	check_sql("SELECT max(version) FROM schema_migrations", want);
	check_sql("SELECT count(*) FROM decisions", DUMP_DECISIONS);
	check_sql("SELECT string_agg(type || '=' || n, ',' ORDER BY type) "
	    "FROM (SELECT type, count(*) n FROM events GROUP BY type) e",
	    "neighbour=1,scan=4,seal_check=3,weighbridge=5");
	check_sql("SELECT count(*) FROM decisions WHERE final", "2");
	check_sql("SELECT count(*) FROM officer_actions WHERE action = "
	    "'release'", "1");
	/* Issue 17's cases, as the old daemon decided them: released. */
	check_sql("SELECT string_agg(train_no || '=' || (decision->>'decision'),"
	    " ',' ORDER BY train_no) FROM trains WHERE train_no BETWEEN "
	    "'X8101' AND 'X8106'", "X8101=RELEASE,X8102=RELEASE,X8103=RELEASE,"
	    "X8104=RELEASE,X8105=RELEASE,X8106=RELEASE");
}

/*
 * Every stored decision is made again, identical; none different or
 * failed; the chain intact; as many decisions as the dump holds.
 */
static void
t_replay_compat_identical(void)
{
	json_error_t	 err;
	json_t		*doc, *audit;
	char		 args[1024], *out, *n;
	int		 st = -1;

	snprintf(args, sizeof args, "replay --dsn '%s' --all --format json",
	    pg.dsn);
	out = run(args, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(st, 0);
	doc = json_loads(out, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(member(doc, "decisions"), atoi(DUMP_DECISIONS));
	CU_ASSERT_EQUAL(member(doc, "identical"), atoi(DUMP_DECISIONS));
	CU_ASSERT_EQUAL(member(doc, "different"), 0);
	CU_ASSERT_EQUAL(member(doc, "failed"), 0);
	CU_ASSERT_EQUAL(member(doc, "final"), 2);
	CU_ASSERT_EQUAL(member(doc, "trains"), 11);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "differences")),
	    0);
	audit = json_object_get(doc, "audit");
	CU_ASSERT_TRUE(json_is_true(json_object_get(audit, "intact")));
	n = harness_sql(&pg, "SELECT count(*) FROM audit_log");
	CU_ASSERT_TRUE(n != NULL && member(audit, "checked") == atoi(n) &&
	    atoi(n) > 0);
	free(n);
	if (st != 0 || member(doc, "identical") != atoi(DUMP_DECISIONS))
		fprintf(stderr, "\nreplay_compat: %s\n", out);
	json_decref(doc);
	free(out);
}

/*
 * The rule set replayed is the one the decisions name, stored in the
 * database: 7c791f2's default, not today's (which holds issue 17's
 * cases that those decisions released, and has another hash).
 */
static void
t_replay_compat_old_ruleset(void)
{
	char	args[1024], *out;
	int	st = -1;

	check_sql("SELECT string_agg(DISTINCT ruleset_sha256, ',') FROM "
	    "decisions", OLD_RULESET);
	check_sql("SELECT string_agg(DISTINCT document->'ruleset'->>'sha256', "
	    "',') FROM decisions", OLD_RULESET);
	check_sql("SELECT string_agg(sha256, ',') FROM rulesets", OLD_RULESET);
	snprintf(args, sizeof args, "check --format json "
	    "fixtures/failclosed/unplaced-listed.edi");
	out = run(args, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NULL(strstr(out, OLD_RULESET));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"decision\":\"HOLD\""));
	free(out);
	/* One train, one thread: the same. */
	snprintf(args, sizeof args, "replay --dsn '%s' --train X8109 "
	    "--threads 1", pg.dsn);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "all identical") :
	    NULL);
	free(out);
}

/*
 * Waits (5 s) until the daemon's /readyz says its database is up: a
 * started daemon answers /healthz before its connections are, and a
 * request meanwhile is refused 503.
 */
static bool
daemon_ready(struct harness_daemon *dm)
{
	struct harness_response	r;
	int			i, st;

	for (i = 0; i < 100; i++) {
		if (harness_http(dm->port, "GET", "/readyz", NULL, NULL, 0,
		    &r) == 0) {
			st = r.status;
			harness_response_free(&r);
			if (st == 200)
				return true;
		}
		usleep(50 * 1000);
	}
	return false;
}

/*
 * Today's daemon on the upgraded database: a train holding events the old
 * daemon stored without reading every member (X8111: a device that is a
 * number, a re-weigh that is a word, a scan naming a wagon besides its
 * container) is evaluated again with today's rule set -- those events
 * read as the old daemon read them -- and the new decision replays
 * identical too.  (Read strictly, the train could never be evaluated
 * again, and would keep a decision an older rule set made.)  The
 * train's decisions then name two rule sets, replayed in one batch (that
 * crashed the replay once: its rule set cache moved under the jobs).
 */
static void
t_replay_compat_daemon_evaluates_old_events(void)
{
	struct harness_daemon	 dm;
	char			 token[AUTH_TOKEN_LEN], args[1024], *out;
	int			 st = -1;

	CU_ASSERT_EQUAL_FATAL(harness_token(&pg, "officer", "o.compat", token),
	    0);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_start(&dm, pg.conf), 0);
	CU_ASSERT_FATAL(daemon_ready(&dm));
	CU_ASSERT_EQUAL(officers_call(dm.port, token, "POST",
	    "/v1/trains/X8111/events", "{\"type\": \"scan\", \"container\": "
	    "\"MSKU4412090\", \"result\": \"suspect\"}", NULL), 202);
	CU_ASSERT(harness_wait_sql(&pg, "SELECT count(*) FROM trains t JOIN "
	    "decisions d ON d.train_id = t.id WHERE t.train_no = 'X8111' AND "
	    "NOT t.eval_needed AND d.ruleset_sha256 <> '" OLD_RULESET "' AND "
	    "d.last_event_id = (SELECT max(id) FROM events e WHERE "
	    "e.train_id = t.id)", "1", 15000));
	/* The scan posted today acts: wagon 2 is set out. */
	check_sql("SELECT w.action FROM wagons w JOIN trains t ON t.id = "
	    "w.train_id WHERE t.train_no = 'X8111' AND w.number = "
	    "'315279550026'", "INSPECT");
	harness_daemon_stop(&dm);
	snprintf(args, sizeof args, "replay --dsn '%s' --train X8111",
	    pg.dsn);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "all identical") :
	    NULL);
	free(out);
}

static CU_TestInfo compat_tests[] = {
	{ "t_replay_compat_migrated", t_replay_compat_migrated },
	{ "t_replay_compat_identical", t_replay_compat_identical },
	{ "t_replay_compat_old_ruleset", t_replay_compat_old_ruleset },
	{ "t_replay_compat_daemon_evaluates_old_events",
	    t_replay_compat_daemon_evaluates_old_events },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_replay_compat", compat_suite_init,
    compat_suite_clean, compat_tests)
