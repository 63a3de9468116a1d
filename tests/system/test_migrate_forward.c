/*
 * test_migrate_forward.c -- a database made by an earlier railgate
 * migrates forward with its data.
 *
 * The cluster is given the schema as railgate 019's predecessors left
 * it: the embedded migrations up to 018 only, recorded as `railgate db
 * migrate` recorded them, and the functions those migrations defined
 * (which answered HTTP statuses).  Data goes in through those functions:
 * a rule set, a manifest accepted and one refused (each under an
 * Idempotency-Key, so their answers are kept), a decision.  Then today's
 * migrate runs, and the data must be intact, the functions must answer
 * outcome names, and the daemon must repeat the answers given before the
 * upgrade byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "daemon/outcome.h"
#include "db/migrate.h"
#include "db/store.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

/* The last migration of the railgate whose databases this test makes. */
#define OLD_VERSION	18
#define FIXTURE		"edifact/cuscar_s3_alashankou.edi"
#define RULESET		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static struct harness_pg	pg;

static int
forward_suite_init(void)
{
	return harness_pg_start(&pg) == 0 ? 0 : -1;
}

static int
forward_suite_clean(void)
{
	harness_pg_stop(&pg);
	return 0;
}

/*
 * The schema as the earlier railgate's migrate made it: the migrations up
 * to OLD_VERSION, each recorded with its SHA-256 as db/migrate.c does.
 */
static int
apply_old_migrations(PGconn *c)
{
	char		 ver[16], hash[65];
	const char	*p[3] = { ver, NULL, hash };
	PGresult	*r;
	unsigned	 i;

	if (harness_pq_run(c, "CREATE TABLE schema_migrations (version "
	    "integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())") < 0)
		return -1;
	for (i = 0; i < db_migration_count &&
	    db_migrations[i].version <= OLD_VERSION; i++) {
		if (harness_pq_run(c, db_migrations[i].sql) < 0)
			return -1;
		snprintf(ver, sizeof ver, "%u", db_migrations[i].version);
		p[1] = db_migrations[i].name;
		sha256_hex(db_migrations[i].sql, strlen(db_migrations[i].sql),
		    hash);
		r = PQexecParams(c, "INSERT INTO schema_migrations (version, "
		    "name, sha256) VALUES ($1, $2, $3)", 3, NULL, p, NULL, NULL,
		    0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			PQclear(r);
			return -1;
		}
		PQclear(r);
	}
	return i == OLD_VERSION ? 0 : -1;
}

/* The first value of sql on c, owned; NULL on an error or no row. */
static char *
value(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);
	char		*v = NULL;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		v = xstrdup(PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "forward: %.80s: %s", sql,
		    PQresultErrorMessage(r));
	PQclear(r);
	return v;
}

/* Asserts that sql's first value on c is want. */
static void
check_value(PGconn *c, const char *sql, const char *want)
{
	char	*v = value(c, sql);

	CU_ASSERT_PTR_NOT_NULL(v);
	if (v != NULL && strcmp(v, want) != 0)
		fprintf(stderr, "forward: %s: %s, not %s\n", sql, v, want);
	CU_ASSERT_TRUE(v != NULL && strcmp(v, want) == 0);
	free(v);
}

/* 0 when sql's first value on c is want, else -1 (said on stderr). */
static int
expect(PGconn *c, const char *sql, const char *want)
{
	char	*v = value(c, sql);
	int	 rc = v != NULL && strcmp(v, want) == 0 ? 0 : -1;

	if (rc < 0)
		fprintf(stderr, "forward: %.80s: %s, not %s\n", sql,
		    v != NULL ? v : "no value", want);
	free(v);
	return rc;
}

/*
 * Data as the earlier functions stored it: a manifest accepted under key
 * fwd-1 (its SHA-256 the fixture's, so that the daemon can repeat it), a
 * second original for the same train refused under fwd-2, a decision.
 */
static int
old_data(PGconn *c)
{
	char	*fix, sha[65], sql[2048];
	size_t	 len;

	fix = test_read_fixture(FIXTURE, &len);
	sha256_hex(fix, len, sha);
	free(fix);
	if (harness_pq_run(c, "SELECT store_ruleset('" RULESET "', "
	    "'old rules', '\\x00'::bytea)") < 0)
		return -1;
	snprintf(sql, sizeof sql, "SELECT http_status FROM ingest_manifest("
	    "'%s', '\\x00'::bytea, %zu, 'edifact', 'http', 'ktze.operator', "
	    "'fwd-1', true, 'X7001', 'original', '[]', '{\"counts\": "
	    "{\"wagons\": 0}}', '[]', '" RULESET "')", sha, len);
	if (expect(c, sql, "202") < 0 ||
	    expect(c, "SELECT http_status FROM ingest_manifest(repeat('b', 64), "
	    "'\\x00'::bytea, 1, 'edifact', 'http', 'ktze.operator', 'fwd-2', "
	    "true, 'X7001', 'original', '[]', '{}', '[]', '" RULESET "')",
	    "409") < 0 ||
	    harness_pq_run(c, "SELECT * FROM claim_evaluations('fwd', 1, 60, "
	    "'{}'::bigint[], '{}'::bigint[])") < 0)
		return -1;
	return expect(c, "SELECT store_decision(t.id, 'fwd', '{\"outcome\": "
	    "\"RELEASE\", \"train\": \"X7001\"}', 'RELEASE', false, '[]', '"
	    RULESET "', 'old rules', t.manifest_id, NULL) FROM trains t "
	    "WHERE t.train_no = 'X7001'", "stored");
}

/* What a database holds that must not change, as one text. */
static char *
snapshot(PGconn *c)
{
	return value(c, "SELECT (SELECT string_agg(t.train_no || '@' || t.run "
	    "|| ' ' || t.state || ' ' || t.decision::text || ' ' || "
	    "t.decision_final, ';' ORDER BY t.id) FROM trains t) || ' | ' || "
	    "(SELECT string_agg(d.id || ' ' || d.outcome || ' ' || "
	    "d.document::text, ';' ORDER BY d.id) FROM decisions d) || ' | ' || "
	    "(SELECT string_agg(m.id || ' ' || m.sha256 || ' ' || m.accepted, "
	    "';' ORDER BY m.id) FROM manifests m) || ' | ' || "
	    "(SELECT count(*) FROM audit_log)");
}

/* The answer kept for key, as today's daemon sends it. */
static char *
kept_answer(PGconn *c, const char *key)
{
	char	 sql[256], *outcome, *reply, *doc;

	snprintf(sql, sizeof sql, "SELECT outcome FROM manifests WHERE "
	    "idempotency_key = '%s'", key);
	outcome = value(c, sql);
	snprintf(sql, sizeof sql, "SELECT reply::text FROM manifests WHERE "
	    "idempotency_key = '%s'", key);
	reply = value(c, sql);
	doc = outcome != NULL && reply != NULL ?
	    outcome_document(store_outcome_parse(outcome), reply) : NULL;
	free(outcome);
	free(reply);
	return doc;
}

/* The daemon on the migrated database repeats the old answer to fwd-1. */
static void
check_daemon_repeats(const char *answer, const char *decision)
{
	struct harness_daemon	 dm;
	struct harness_response	 r;
	char			 token[64], officer[64], hdr[256], v[16], *fix;
	size_t			 len;

	CU_ASSERT_EQUAL_FATAL(harness_daemon_start(&dm, pg.conf), 0);
	CU_ASSERT_EQUAL_FATAL(harness_token(&pg, "operator", "ktze.operator",
	    token), 0);
	CU_ASSERT_EQUAL_FATAL(harness_token(&pg, "officer", "o.officer",
	    officer), 0);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n"
	    "Idempotency-Key: fwd-1\r\n", token);
	fix = test_read_fixture(FIXTURE, &len);
	CU_ASSERT_EQUAL(harness_http(dm.port, "POST", "/v1/manifests", hdr, fix,
	    len, &r), 0);
	free(fix);
	CU_ASSERT_EQUAL(r.status, 202);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Idempotent-Replayed", v,
	    sizeof v));
	CU_ASSERT_STRING_EQUAL(r.body, answer);
	harness_response_free(&r);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", officer);
	CU_ASSERT_EQUAL(harness_http(dm.port, "GET", "/v1/trains/X7001/decision",
	    hdr, NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(r.body, decision);
	harness_response_free(&r);
	harness_daemon_stop(&dm);
}

/*
 * The earlier schema with data migrates forward: the data intact, the
 * audit chain whole, the kept answers the same bytes, and the functions
 * answering outcome names -- none has an http_status any more.
 */
static void
t_migrate_forward_keeps_data(void)
{
	PGconn		*c = PQconnectdb(pg.dsn);
	char		*before, *after, *answer1, *answer2, *decision, *cause;
	char		*now1, *now2;
	unsigned	 applied, version;

	CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
	CU_ASSERT_EQUAL_FATAL(apply_old_migrations(c), 0);
	CU_ASSERT_EQUAL_FATAL(old_data(c), 0);
	before = snapshot(c);
	answer1 = value(c, "SELECT reply::text FROM manifests WHERE "
	    "idempotency_key = 'fwd-1'");
	answer2 = value(c, "SELECT reply::text FROM manifests WHERE "
	    "idempotency_key = 'fwd-2'");
	decision = value(c, "SELECT decision::text FROM trains WHERE "
	    "train_no = 'X7001'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	CU_ASSERT_PTR_NOT_NULL_FATAL(answer1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(answer2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(decision);
	CU_ASSERT_PTR_NOT_NULL(strstr(answer1, "\"status\" : 202"));

	CU_ASSERT_EQUAL_FATAL(db_migrate(pg.dsn, &applied, &version, &cause),
	    0);
	CU_ASSERT_EQUAL(applied, db_migration_count - OLD_VERSION);
	CU_ASSERT_EQUAL(version, db_migrations[db_migration_count - 1].version);

	after = snapshot(c);
	CU_ASSERT_STRING_EQUAL(after, before);
	check_value(c, "SELECT coalesce(first_bad::text, 'intact') FROM "
	    "audit_verify()", "intact");
	check_value(c, "SELECT string_agg(idempotency_key || '=' || outcome, "
	    "',' ORDER BY id) FROM manifests", "fwd-1=accepted,fwd-2=conflict");
	now1 = kept_answer(c, "fwd-1");
	now2 = kept_answer(c, "fwd-2");
	CU_ASSERT_TRUE(now1 != NULL && strcmp(now1, answer1) == 0);
	CU_ASSERT_TRUE(now2 != NULL && strcmp(now2, answer2) == 0);
	check_value(c, "SELECT outcome || ' ' || repeated FROM ingest_manifest("
	    "repeat('b', 64), '\\x00'::bytea, 1, 'edifact', 'http', "
	    "'ktze.operator', 'fwd-2', true, 'X7001', 'original', '[]', '{}', "
	    "'[]', NULL)", "conflict true");
	check_value(c, "SELECT outcome FROM add_event('X7001@9', 'position', "
	    "'{}', 'ktze.operator', NULL)", "not_found");
	check_value(c, "SELECT count(*) FROM information_schema.parameters "
	    "WHERE specific_schema = 'public' AND parameter_name = "
	    "'http_status'", "0");
	check_daemon_repeats(answer1, decision);

	free(before);
	free(after);
	free(answer1);
	free(answer2);
	free(now1);
	free(now2);
	free(decision);
	PQfinish(c);
}

/*
 * Every migrate recreates the functions from db/functions/: one dropped
 * by hand is back after the next, which applies no migration -- unless a
 * newer railgate migrated the database, whose functions are its own.
 */
static void
t_migrate_forward_recreates_functions(void)
{
	PGconn		*c = PQconnectdb(pg.dsn);
	char		*cause;
	unsigned	 applied, version;
	const char	*exists = "SELECT count(*) FROM pg_proc WHERE proname = "
			    "'peer_status'";

	CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
	CU_ASSERT_EQUAL_FATAL(db_migrate(pg.dsn, &applied, &version, &cause),
	    0);
	CU_ASSERT_EQUAL_FATAL(harness_pq_run(c, "DROP FUNCTION peer_status()"),
	    0);
	CU_ASSERT_EQUAL(db_migrate(pg.dsn, &applied, &version, &cause), 0);
	CU_ASSERT_EQUAL(applied, 0);
	check_value(c, exists, "1");

	CU_ASSERT_EQUAL_FATAL(harness_pq_run(c, "INSERT INTO schema_migrations "
	    "VALUES (9999, '9999_newer.sql', 'x')"), 0);
	CU_ASSERT_EQUAL_FATAL(harness_pq_run(c, "DROP FUNCTION peer_status()"),
	    0);
	CU_ASSERT_EQUAL(db_migrate(pg.dsn, &applied, &version, &cause), 0);
	check_value(c, exists, "0");
	CU_ASSERT_EQUAL(harness_pq_run(c, "DELETE FROM schema_migrations WHERE "
	    "version = 9999"), 0);
	CU_ASSERT_EQUAL(db_migrate(pg.dsn, &applied, &version, &cause), 0);
	check_value(c, exists, "1");
	PQfinish(c);
}

static CU_TestInfo forward_tests[] = {
	{ "t_migrate_forward_keeps_data", t_migrate_forward_keeps_data },
	{ "t_migrate_forward_recreates_functions",
	    t_migrate_forward_recreates_functions },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_migrate_forward", forward_suite_init,
    forward_suite_clean, forward_tests)
