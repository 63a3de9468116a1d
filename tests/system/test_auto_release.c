/*
 * test_auto_release.c -- green trains go by themselves (issue 18, item
 * 4): two daemons on one database, both with [decision] auto_release =
 * green and a delay of DELAY_S.
 *
 * A green train (fixtures/xml/cuscar_s4_unoy.xml: RELEASE, no hit) is
 * released by itself once, after the delay, as system:auto-release, with
 * its release notice; a train an officer took (explicitly, or by
 * resolving a wagon) is not; nor one with a hit (whatever is written to
 * the outcome column it reads), nor one with an evaluation pending,
 * until its new decision has waited the delay in turn.
 */
#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"

#define DELAY_S		3
#define GREEN_WAGON	"312786954320"

static struct harness_pg	pg;
static struct harness_daemon	da, db2;
static char	operator_token[64], officer_token[64], auditor_token[64];

static int
auto_suite_init(void)
{
	char	conf[2048], *v;

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[decision]\nauto_release = green\n"
	    "auto_release_delay_s = %d\n", pg.conf, DELAY_S);
	if (harness_daemon_start(&da, conf) < 0 ||
	    harness_daemon_start(&db2, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.alpha", officer_token) < 0 ||
	    harness_token(&pg, "auditor", "a.audit", auditor_token) < 0)
		return -1;
	v = harness_sql(&pg, "INSERT INTO subscriptions (name, url, formats, "
	    "secret, carriers) VALUES ('ktze', 'https://192.0.2.1/notices', "
	    "'{json}', 'whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=', "
	    "'{KZ-KTZE,CN-CRCT}') RETURNING id");
	if (v == NULL)
		return -1;
	free(v);
	return 0;
}

static int
auto_suite_clean(void)
{
	harness_daemon_stop(&da);
	harness_daemon_stop(&db2);
	harness_pg_stop(&pg);
	return 0;
}

/* Posts fixture rel (its train number from, 5 characters) as train. */
static bool
submit(const char *rel, const char *from, const char *train)
{
	struct harness_response	 r;
	char			*data, *p, hdr[128];
	size_t			 len;
	int			 status;

	data = test_read_fixture(rel, &len);
	if ((p = strstr(data, from)) != NULL)
		memcpy(p, train, 5);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    operator_token);
	status = harness_http(da.port, "POST", "/v1/manifests", hdr, data, len,
	    &r) < 0 ? -1 : r.status;
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	return status == 202 && officers_decided(&pg, train);
}

static bool
submit_green(const char *train)
{
	return submit("xml/cuscar_s4_unoy.xml", "X9403", train);
}

/* Waits until the train's decision is final (or says it was not). */
static bool
becomes_final(const char *train, int timeout_ms)
{
	char	q[256];

	snprintf(q, sizeof q, "SELECT decision_final::text FROM trains WHERE "
	    "train_no = '%s'", train);
	return harness_wait_sql(&pg, q, "true", timeout_ms);
}

#define AUDITS "SELECT count(*) FROM audit_log a JOIN trains t ON t.id = " \
	"a.train_id WHERE t.train_no = '%s' AND a.action = '%s'"
/* Release notices of the train (not its provisional set-out lists). */
#define NOTICES "SELECT count(*) FROM notices n JOIN trains t ON t.id = " \
	"n.train_id WHERE t.train_no = '%s' AND n.format <> 'provisional'"

/* The sum over both daemons of railgate_auto_releases_total. */
static long
auto_releases_counted(void)
{
	struct harness_daemon	*d[2] = { &da, &db2 };
	struct harness_response	 r;
	const char		*p;
	long			 n = 0;
	int			 i;

	for (i = 0; i < 2; i++) {
		if (harness_http(d[i]->port, "GET", "/metrics", NULL, NULL, 0,
		    &r) < 0)
			return -1;
		p = strstr(r.body, "\nrailgate_auto_releases_total ");
		n += p != NULL ? atol(p + strlen("\nrailgate_auto_releases_"
		    "total ")) : -1000;
		harness_response_free(&r);
	}
	return n;
}

/*
 * A green train goes by itself after the delay, once though two daemons
 * watch it: final RELEASE, audited as system:auto-release, one notice.
 */
static void
t_auto_green_released_once(void)
{
	CU_ASSERT_FATAL(submit_green("G2001"));
	OFFICERS_CHECK_SQL(&pg, "evaluated/RELEASE/false", OFFICERS_TRAIN_STATE,
	    "G2001");
	CU_ASSERT_FATAL(becomes_final("G2001", (DELAY_S + 10) * 1000));
	OFFICERS_CHECK_SQL(&pg, "released/RELEASE/true", OFFICERS_TRAIN_STATE,
	    "G2001");
	/* Not before the delay: the final decision came DELAY_S after. */
	OFFICERS_CHECK_SQL(&pg, "true", "SELECT (max(d.made_at) FILTER "
	    "(WHERE d.final) - max(d.made_at) FILTER (WHERE NOT d.final) >= "
	    "interval '%d s')::text FROM decisions d JOIN trains t ON t.id = "
	    "d.train_id WHERE t.train_no = 'G2001'", DELAY_S);
	OFFICERS_CHECK_SQL(&pg, "system:auto-release", "SELECT a.actor FROM "
	    "audit_log a JOIN trains t ON t.id = a.train_id WHERE t.train_no "
	    "= '%s' AND a.action = 'decision.final'", "G2001");
	OFFICERS_CHECK_SQL(&pg, "system:auto-release", "SELECT d.made_by FROM "
	    "decisions d JOIN trains t ON t.id = d.train_id WHERE t.train_no "
	    "= '%s' AND d.final", "G2001");
	/* Once: wait past two more ticks of both daemons. */
	sleep(3);
	OFFICERS_CHECK_SQL(&pg, "1", AUDITS, "G2001", "decision.final");
	OFFICERS_CHECK_SQL(&pg, "0", AUDITS, "G2001", "decision.final_amended");
	OFFICERS_CHECK_SQL(&pg, "1", NOTICES, "G2001");
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM decisions d JOIN "
	    "trains t ON t.id = d.train_id WHERE t.train_no = '%s' AND "
	    "d.final", "G2001");
	CU_ASSERT_EQUAL(auto_releases_counted(), 1);
	/* Nothing to take once final. */
	CU_ASSERT_EQUAL(officers_call(da.port, officer_token, "POST",
	    "/v1/trains/G2001/take", NULL, NULL), 409);
}

/*
 * A train an officer took waits for them: explicitly (take), or by an
 * action on it (a resolution).  Who took it shows in the train's read;
 * an auditor or an operator cannot take a train.
 */
static void
t_auto_taken_waits(void)
{
	char	*body = NULL;

	CU_ASSERT_FATAL(submit_green("G2002"));
	CU_ASSERT_FATAL(submit_green("G2003"));
	CU_ASSERT_EQUAL(officers_call(da.port, auditor_token, "POST",
	    "/v1/trains/G2002/take", NULL, NULL), 403);
	CU_ASSERT_EQUAL(officers_call(da.port, operator_token, "POST",
	    "/v1/trains/G2002/take", NULL, NULL), 403);
	CU_ASSERT_EQUAL(officers_call(da.port, officer_token, "POST",
	    "/v1/trains/G9999/take", NULL, NULL), 404);
	CU_ASSERT_EQUAL(officers_call(da.port, officer_token, "POST",
	    "/v1/trains/G2002/take", NULL, &body), 200);
	CU_ASSERT(body != NULL && strstr(body, "\"by\": \"o.alpha\"") != NULL);
	free(body);
	CU_ASSERT_EQUAL(officers_resolve(da.port, officer_token, "G2003",
	    GREEN_WAGON, "release", NULL), 200);
	CU_ASSERT_FALSE(becomes_final("G2002", (DELAY_S + 3) * 1000));
	OFFICERS_CHECK_SQL(&pg, "false", "SELECT decision_final::text FROM "
	    "trains WHERE train_no = '%s'", "G2003");
	OFFICERS_CHECK_SQL(&pg, "0", NOTICES, "G2002");
	OFFICERS_CHECK_SQL(&pg, "1", AUDITS, "G2002", "train.taken");
	body = NULL;
	CU_ASSERT_EQUAL(officers_call(da.port, officer_token, "GET",
	    "/v1/trains/G2003", NULL, &body), 200);
	CU_ASSERT(body != NULL && strstr(body, "\"taken\": {\"at\"") != NULL &&
	    strstr(body, "\"how\": \"release\"") != NULL);
	free(body);
	/* The officer approves it: their decision, not the timer's. */
	CU_ASSERT_EQUAL(officers_approve(da.port, officer_token, "G2002",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "o.alpha", "SELECT a.actor FROM audit_log a "
	    "JOIN trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action = 'decision.final'", "G2002");
}

/*
 * A train with a hit waits for an officer; so does one whose evaluation
 * is pending, and its new decision waits the delay again.
 */
static void
t_auto_hit_or_pending_waits(void)
{
	CU_ASSERT_FATAL(submit("xml/cuscar_s3_alashankou.xml", "X8024",
	    "G2004"));
	CU_ASSERT_FATAL(submit_green("G2005"));
	/* An evaluation in flight elsewhere, with input not yet evaluated. */
	free(officers_sql(&pg, "UPDATE trains SET eval_needed = true, "
	    "lease_owner = 'elsewhere', lease_until = now() + interval "
	    "'1 hour' WHERE train_no = '%s'", "G2005"));
	/* The outcome auto release reads (trains.decision_outcome, issue
	 * 23) cannot be written apart from the document it is taken from. */
	free(officers_sql(&pg, "UPDATE trains SET decision_outcome = 'RELEASE' "
	    "WHERE train_no = '%s'", "G2004"));
	OFFICERS_CHECK_SQL(&pg, "true", "SELECT (decision_outcome = decision->>"
	    "'decision' AND decision_outcome <> 'RELEASE')::text FROM trains "
	    "WHERE train_no = '%s'", "G2004");
	CU_ASSERT_FALSE(becomes_final("G2004", (DELAY_S + 3) * 1000));
	OFFICERS_CHECK_SQL(&pg, "false", "SELECT decision_final::text FROM "
	    "trains WHERE train_no = '%s'", "G2005");
	/* The other daemon gives the train up: decided again, released
	 * DELAY_S after that new decision. */
	free(officers_sql(&pg, "UPDATE trains SET lease_until = now() - "
	    "interval '1 s' WHERE train_no = '%s'", "G2005"));
	CU_ASSERT_FATAL(becomes_final("G2005", (DELAY_S + 15) * 1000));
	OFFICERS_CHECK_SQL(&pg, "2", "SELECT count(*) FROM decisions d JOIN "
	    "trains t ON t.id = d.train_id WHERE t.train_no = '%s' AND NOT "
	    "d.final", "G2005");
	OFFICERS_CHECK_SQL(&pg, "true", "SELECT (max(d.made_at) FILTER "
	    "(WHERE d.final) - max(d.made_at) FILTER (WHERE NOT d.final) >= "
	    "interval '%d s')::text FROM decisions d JOIN trains t ON t.id = "
	    "d.train_id WHERE t.train_no = 'G2005'", DELAY_S);
	OFFICERS_CHECK_SQL(&pg, "false", "SELECT decision_final::text FROM "
	    "trains WHERE train_no = '%s'", "G2004");
}

/* The auditor's replay rebuilds the timer's final decisions, identical. */
static void
t_auto_replay_identical(void)
{
	struct buf	 out = { 0 };
	char		 cmd[1024], line[512];
	FILE		*p;
	int		 st;

	snprintf(cmd, sizeof cmd, "%s/railgate replay --dsn '%s' --all 2>&1",
	    test_build_dir(), pg.dsn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = popen(cmd, "r"));
	while (fgets(line, sizeof line, p) != NULL)
		buf_add_str(&out, line);
	buf_add(&out, "", 1);
	st = pclose(p);
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "all identical"));
	if (WEXITSTATUS(st) != 0)
		fputs(out.data, stderr);
	buf_free(&out);
}

static CU_TestInfo auto_tests[] = {
	{ "t_auto_green_released_once", t_auto_green_released_once },
	{ "t_auto_taken_waits", t_auto_taken_waits },
	{ "t_auto_hit_or_pending_waits", t_auto_hit_or_pending_waits },
	{ "t_auto_replay_identical", t_auto_replay_identical },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_auto_release", auto_suite_init, auto_suite_clean,
    auto_tests)
