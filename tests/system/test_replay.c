/*
 * test_replay.c -- the auditor's replay and report against a real daemon:
 * a few trains decided, an event, an approval; `railgate replay --all`
 * finds every decision identical and the chain intact; a stored decision
 * altered in the database is reported with its first difference, an
 * audit row tampered with breaks the chain; `railgate report` writes a
 * page with its SVG timeline and the hashes (rendered by headless
 * Chromium into build/test-artefacts/report.png when it is installed).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64], officer_token[64];

/* A request with a bearer token; the status, or -1. */
static int
request(const char *method, const char *path, const char *token,
    const char *body)
{
	struct harness_response	r;
	char			hdr[256];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s", token,
	    body != NULL ? "Content-Type: application/json\r\n" : "");
	if (harness_http(dm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, &r) < 0)
		return -1;
	status = r.status;
	harness_response_free(&r);
	return status;
}

static int
submit(const char *rel)
{
	return harness_submit_fixture(dm.port, operator_token, rel);
}

/* Waits until sql's first value is "1" (10 s); true when it is. */
static bool
wait_sql(const char *sql)
{
	return harness_wait_sql(&pg, sql, "1", 10000);
}

/* Runs `railgate ARGS`; its output (caller frees) and exit status. */
static char *
run(const char *args, int *status)
{
	return harness_railgate(args, false, status);
}

static int
replay_suite_init(void)
{
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.officer", officer_token) < 0)
		return -1;
	/* Three trains; an event decides X8024 again; it is approved. */
	if (submit("edifact/cuscar_s3_alashankou.edi") != 202 ||
	    submit("xml/ifcsum_horgos.xml") != 202 ||
	    submit("edifact/cuscar_s4_unoy.edi") != 202)
		return -1;
	if (!wait_sql("SELECT (count(*) = 3)::int FROM trains WHERE decision "
	    "IS NOT NULL AND NOT eval_needed"))
		return -1;
	if (request("POST", "/v1/trains/X8024/events", officer_token,
	    "{\"type\":\"weighbridge\",\"wagon\":\"315279550018\","
	    "\"gross_kg\":71200.5}") != 202 ||
	    !wait_sql("SELECT (count(*) = 2)::int FROM decisions d JOIN trains t "
	    "ON t.id = d.train_id WHERE t.train_no = 'X8024' AND NOT "
	    "t.eval_needed"))
		return -1;
	if (request("POST", "/v1/trains/X8024/wagons/315279550026/resolution",
	    officer_token, "{\"action\":\"release\",\"reason\":\"phytosanitary "
	    "certificate presented\"}") != 200 ||
	    request("POST", "/v1/trains/X8024/approve", officer_token,
	    "{\"reason\":\"checked\"}") != 200)
		return -1;
	return 0;
}

static int
replay_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* Every decision stored by the daemon is made again, identical. */
static void
t_replay_all_identical(void)
{
	char	args[1024], *out;
	int	st = -1;

	snprintf(args, sizeof args, "replay --dsn '%s' --all", pg.dsn);
	out = run(args, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "replay: 3 trains, 5 decisions, "
	    "all identical"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "4 provisional decisions evaluated "
	    "again, 1 final"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "audit chain: intact"));
	if (st != 0)
		fprintf(stderr, "%s", out);
	free(out);
	/* One train, as JSON. */
	snprintf(args, sizeof args, "replay --dsn '%s' --train X8024 "
	    "--format json", pg.dsn);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"decisions\": 3"));
	free(out);
}

/* The report: a page with its SVG timeline and the hashes. */
static void
t_replay_report_html(void)
{
	char	args[1024], path[512], *out, *sha;
	int	st = -1;
	FILE	*f;

	snprintf(args, sizeof args, "report X8024 --dsn '%s' --format html",
	    pg.dsn);
	out = run(args, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<svg"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "weight-variance"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "phytosanitary certificate "
	    "presented"));
	sha = harness_sql(&pg, "SELECT m.sha256 FROM manifests m JOIN trains t "
	    "ON t.manifest_id = m.id WHERE t.train_no = 'X8024'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sha);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, sha));
	free(sha);
	CU_ASSERT_PTR_NULL(strstr(out, "<script"));
	/* Render it when a browser is at hand (not required). */
	mkdir("build", 0755);
	mkdir("build/test-artefacts", 0755);
	snprintf(path, sizeof path, "%s/report.html", dm.dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(out, f);
		fclose(f);
		if (access("/usr/bin/chromium", X_OK) == 0) {
			snprintf(args, sizeof args, "cd /tmp && timeout 60 "
			    "/usr/bin/chromium --headless=new --no-sandbox "
			    "--disable-gpu --screenshot=%s/build/test-artefacts/"
			    "report.png --window-size=1200,1400 file://%s "
			    ">/dev/null 2>&1", getcwd(path + 300, 200), path);
			if (system(args) == 0)
				CU_ASSERT_EQUAL(access("build/test-artefacts/"
				    "report.png", R_OK), 0);
		}
	}
	free(out);
	/* No such train: EX_NOINPUT. */
	snprintf(args, sizeof args, "report NOPE1 --dsn '%s' 2>/dev/null",
	    pg.dsn);
	free(run(args, &st));
	CU_ASSERT_EQUAL(st, 66);
}

/* An altered stored decision is found, with its first difference. */
static void
t_replay_finds_altered_decision(void)
{
	char	args[1024], *out;
	int	st = -1;

	free(harness_sql(&pg, "UPDATE decisions SET document = replace("
	    "document::text, 'has no phytosanitary certificate', "
	    "'has a phytosanitary certificate')::json WHERE id = (SELECT "
	    "min(d.id) FROM decisions d JOIN trains t ON t.id = d.train_id "
	    "WHERE t.train_no = 'X8024') RETURNING id"));
	snprintf(args, sizeof args, "replay --dsn '%s' --all", pg.dsn);
	out = run(args, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_NOT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "4 identical, 1 different"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "different: provisional decision"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "of train X8024@1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "first difference at "
	    "$.wagons[1].hits[0].reason"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "has a phytosanitary certificate"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "audit chain: intact"));
	if (strstr(out, "4 identical, 1 different") == NULL)
		fprintf(stderr, "%s", out);
	free(out);
	/* Put back, all identical again. */
	free(harness_sql(&pg, "UPDATE decisions SET document = replace("
	    "document::text, 'has a phytosanitary certificate', "
	    "'has no phytosanitary certificate')::json RETURNING id"));
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	free(out);
}

/* A tampered audit row breaks the chain, and replay says where. */
static void
t_replay_finds_tampered_audit(void)
{
	char	args[1024], *out, *seq, expect[80];
	int	st = -1;

	seq = harness_sql(&pg, "SELECT min(seq) FROM audit_log WHERE action = "
	    "'wagon.release'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(seq);
	free(harness_sql(&pg, "ALTER TABLE audit_log DISABLE TRIGGER "
	    "audit_log_append_only"));
	free(harness_sql(&pg, "UPDATE audit_log SET actor = 'mallory' WHERE "
	    "action = 'wagon.release' RETURNING seq"));
	free(harness_sql(&pg, "ALTER TABLE audit_log ENABLE TRIGGER "
	    "audit_log_append_only"));
	snprintf(args, sizeof args, "replay --dsn '%s' --all", pg.dsn);
	out = run(args, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "all identical"));
	snprintf(expect, sizeof expect, "audit chain: BROKEN at record %s "
	    "(record altered)", seq);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, expect));
	free(out);
	free(seq);
	/* The report shows it too. */
	snprintf(args, sizeof args, "report X8024 --dsn '%s' --format html",
	    pg.dsn);
	out = run(args, &st);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ALTERED"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "BROKEN at record"));
	free(out);
}

static CU_TestInfo replay_tests[] = {
	{ "t_replay_all_identical", t_replay_all_identical },
	{ "t_replay_report_html", t_replay_report_html },
	{ "t_replay_finds_altered_decision", t_replay_finds_altered_decision },
	{ "t_replay_finds_tampered_audit", t_replay_finds_tampered_audit },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_replay", replay_suite_init, replay_suite_clean,
    replay_tests)
