/*
 * test_auditor.c -- the auditor's work over the API (docs/auditor.md)
 * against a real daemon: replays of a set of trains and of a period run
 * on the daemon's worker pool to 'done', all identical; a stored decision
 * altered in the database is reported naming its train; a replay
 * abandoned by a dead daemon is taken over when its lease ran out;
 * `railgate replay --url` prints the report and exits as --dsn does; the
 * reports across trains as CSV (parsed: header, rows, the officer who
 * overrode a wagon, a formula made inert) and HTML (an SVG, a crafted
 * principal escaped); officers and operators are refused.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

/* A principal made to break a page or a spreadsheet if not escaped. */
#define CRAFTED	"=1+1<script>alert(1)</script>"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64], officer_token[64];
static char			auditor_token[64], crafted_token[64];

/* A request with a bearer token (and Accept, or NULL); status, or -1. */
static int
request(const char *method, const char *path, const char *token,
    const char *body, const char *accept, struct harness_response *out)
{
	struct harness_response	r;
	char			hdr[512];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s%s%s%s", token,
	    body != NULL ? "Content-Type: application/json\r\n" : "",
	    accept != NULL ? "Accept: " : "", accept != NULL ? accept : "",
	    accept != NULL ? "\r\n" : "");
	memset(&r, 0, sizeof r);
	if (harness_http(dm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, &r) < 0)
		r.status = -1;
	status = r.status;
	if (out != NULL)
		*out = r;
	else
		harness_response_free(&r);
	return status;
}

/* Runs `railgate ARGS`; its output (caller frees) and exit status. */
static char *
run(const char *args, int *status)
{
	return harness_railgate(args, false, status);
}

/* Posts a replay of selection and polls it to its end (20 s): the replay. */
static json_t *
replay(const char *selection)
{
	struct harness_response	 r;
	char			 loc[128];
	json_t			*o = NULL;
	const char		*state;
	int			 i;

	if (request("POST", "/v1/replays", auditor_token, selection, NULL,
	    &r) != 202) {
		fprintf(stderr, "POST /v1/replays: %d %s\n", r.status,
		    r.body != NULL ? r.body : "(no answer)");
		harness_response_free(&r);
		return NULL;
	}
	if (harness_header(&r, "Location", loc, sizeof loc) == NULL) {
		harness_response_free(&r);
		return NULL;
	}
	harness_response_free(&r);
	for (i = 0; i < 200; i++) {
		if (request("GET", loc, auditor_token, NULL, NULL, &r) != 200) {
			harness_response_free(&r);
			json_decref(o);
			return NULL;
		}
		json_decref(o);
		o = json_loads(r.body, 0, NULL);
		harness_response_free(&r);
		state = json_string_value(json_object_get(o, "state"));
		if (state != NULL && (strcmp(state, "done") == 0 ||
		    strcmp(state, "failed") == 0))
			return o;
		usleep(100000);
	}
	return o;
}

static long long
num(const json_t *o, const char *a, const char *b)
{
	return (long long)json_integer_value(json_object_get(
	    b != NULL ? json_object_get(o, a) : o, b != NULL ? b : a));
}

/* The number SQL counts. */
static long long
sql_num(const char *sql)
{
	char		*v = harness_sql(&pg, sql);
	long long	 n = v != NULL ? atoll(v) : -1;

	free(v);
	return n;
}

static int
auditor_suite_init(void)
{
	struct harness_response	r;
	char			path[160], body[200], *wagon;

	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.officer", officer_token) < 0 ||
	    harness_token(&pg, "officer", CRAFTED, crafted_token) < 0 ||
	    harness_token(&pg, "auditor", "a.auditor", auditor_token) < 0)
		return -1;
	if (harness_submit_fixture(dm.port, operator_token,
	    "edifact/cuscar_s3_alashankou.edi") != 202 ||
	    harness_submit_fixture(dm.port, operator_token,
	    "xml/ifcsum_horgos.xml") != 202 ||
	    harness_submit_fixture(dm.port, operator_token,
	    "edifact/cuscar_s4_unoy.edi") != 202)
		return -1;
	if (!harness_wait_sql(&pg, "SELECT (count(*) = 3)::int FROM trains "
	    "WHERE decision IS NOT NULL AND NOT eval_needed", "1", 10000))
		return -1;
	/* X8024 arrives (its clock starts), and is decided again. */
	if (request("POST", "/v1/trains/X8024/events", officer_token,
	    "{\"type\":\"arrived\"}", NULL, NULL) != 202 ||
	    !harness_wait_sql(&pg, "SELECT (clock_start IS NOT NULL AND NOT "
	    "eval_needed)::int FROM trains WHERE train_no = 'X8024'", "1",
	    10000))
		return -1;
	/* o.officer releases the phyto wagon the rules asked papers for. */
	if (request("POST", "/v1/trains/X8024/wagons/315279550026/resolution",
	    officer_token, "{\"action\":\"release\",\"reason\":\"phytosanitary "
	    "certificate presented\"}", NULL, NULL) != 200)
		return -1;
	/* The crafted principal inspects a wagon the rules released. */
	wagon = harness_sql(&pg, "SELECT w.number FROM wagons w JOIN trains t "
	    "ON t.id = w.train_id WHERE t.train_no = 'X8024' AND "
	    "w.rules_action = 'RELEASE' ORDER BY w.position LIMIT 1");
	if (wagon == NULL)
		return -1;
	snprintf(path, sizeof path, "/v1/trains/X8024/wagons/%s/resolution",
	    wagon);
	free(wagon);
	snprintf(body, sizeof body, "{\"action\":\"inspect\",\"reason\":"
	    "\"looks odd\"}");
	if (request("POST", path, crafted_token, body, NULL, &r) != 200) {
		fprintf(stderr, "crafted resolution: %d %s\n", r.status,
		    r.body != NULL ? r.body : "(no answer)");
		harness_response_free(&r);
		return -1;
	}
	harness_response_free(&r);
	if (request("POST", "/v1/trains/X8024/approve", officer_token,
	    "{\"reason\":\"checked\"}", NULL, NULL) != 200)
		return -1;
	return 0;
}

static int
auditor_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* A set of trains, then a period: done, every decision identical. */
static void
t_auditor_replay_all_same(void)
{
	json_t		*o;
	long long	 want;
	char		*no, sel[200];

	no = harness_sql(&pg, "SELECT train_no FROM trains WHERE train_no <> "
	    "'X8024' ORDER BY id LIMIT 1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(no);
	snprintf(sel, sizeof sel, "{\"trains\":[\"X8024\",\"%s@1\"]}", no);
	want = sql_num("SELECT count(*) FROM decisions d JOIN trains t ON "
	    "t.id = d.train_id WHERE t.train_no IN ('X8024', (SELECT train_no "
	    "FROM trains WHERE train_no <> 'X8024' ORDER BY id LIMIT 1))");
	free(no);
	o = replay(sel);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "state")),
	    "done");
	CU_ASSERT_EQUAL(num(o, "result", "trains"), 2);
	CU_ASSERT_EQUAL(num(o, "result", "decisions"), want);
	CU_ASSERT_EQUAL(num(o, "result", "identical"), want);
	CU_ASSERT_EQUAL(num(o, "progress", "checked"), want);
	CU_ASSERT_EQUAL(num(o, "progress", "total"), want);
	CU_ASSERT_EQUAL(num(o, "progress", "different"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o,
	    "requested_by")), "a.auditor");
	CU_ASSERT(json_is_true(json_object_get(json_object_get(json_object_get(
	    o, "result"), "audit"), "intact")));
	json_decref(o);

	o = replay("{\"since\":\"2000-01-01\",\"until\":\"2100-01-01T00:00:00Z\"}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(num(o, "result", "trains"), 3);
	CU_ASSERT_EQUAL(num(o, "result", "decisions"),
	    sql_num("SELECT count(*) FROM decisions"));
	CU_ASSERT_EQUAL(num(o, "result", "different"), 0);
	json_decref(o);
	/* A period with nothing in it: done, nothing checked. */
	o = replay("{\"since\":\"2001-01-01\",\"until\":\"2001-02-01\"}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(num(o, "result", "decisions"), 0);
	json_decref(o);
	/* Both audited, request and result. */
	CU_ASSERT(sql_num("SELECT count(*) FROM audit_log WHERE action = "
	    "'replay.requested' AND actor = 'a.auditor'") >= 3);
	CU_ASSERT(sql_num("SELECT count(*) FROM audit_log WHERE action = "
	    "'replay.done'") >= 3);
}

/* The same decision altered as integration_replay alters it. */
static void
tamper(bool on)
{
	free(harness_sql(&pg, on ? "UPDATE decisions SET document = replace("
	    "document::text, 'has no phytosanitary certificate', "
	    "'has a phytosanitary certificate')::json WHERE id = (SELECT "
	    "min(d.id) FROM decisions d JOIN trains t ON t.id = d.train_id "
	    "WHERE t.train_no = 'X8024') RETURNING id" : "UPDATE decisions SET "
	    "document = replace(document::text, 'has a phytosanitary "
	    "certificate', 'has no phytosanitary certificate')::json "
	    "RETURNING id"));
}

/* An altered stored decision: a difference naming the train. */
static void
t_auditor_replay_finds_tamper(void)
{
	json_t		*o, *d;

	tamper(true);
	o = replay("{\"all\":true}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "state")),
	    "done");
	/* The provisional decision, and the final one made from it. */
	CU_ASSERT_EQUAL(num(o, "result", "different"), 2);
	CU_ASSERT_EQUAL(num(o, "progress", "different"), 2);
	if (num(o, "result", "different") != 2) {
		char *t = json_dumps(o, JSON_INDENT(1));
		fprintf(stderr, "%s\n", t);
		free(t);
	}
	d = json_array_get(json_object_get(json_object_get(o, "result"),
	    "differences"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "train")),
	    "X8024@1");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "path")),
	    "$.wagons[1].hits[0].reason");
	json_decref(o);
	CU_ASSERT_EQUAL(sql_num("SELECT count(*) FROM audit_log WHERE action = "
	    "'replay.done' AND details::json->>'different' = '2'"), 1);
	tamper(false);
}

/* The command line through the API: the same report, the same exits. */
static void
t_auditor_cli_url(void)
{
	char	args[1024], *out;
	int	st = -1;

	snprintf(args, sizeof args, "replay --url http://127.0.0.1:%d "
	    "--token %s --train X8024 2>/dev/null", dm.port, auditor_token);
	out = run(args, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "replay: 1 train, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "decisions, all identical"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "audit chain: intact"));
	if (st != 0)
		fprintf(stderr, "%s", out);
	free(out);
	/* Progress goes to stderr. */
	snprintf(args, sizeof args, "replay --url http://127.0.0.1:%d "
	    "--token %s --all 2>&1 >/dev/null", dm.port, auditor_token);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "decisions checked"));
	free(out);
	tamper(true);
	snprintf(args, sizeof args, "replay --url http://127.0.0.1:%d "
	    "--token %s --since 2000-01-01 2>/dev/null", dm.port,
	    auditor_token);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "different: provisional decision"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "of train X8024@1"));
	free(out);
	tamper(false);
	/* An officer's token: refused, EX_NOPERM. */
	snprintf(args, sizeof args, "replay --url http://127.0.0.1:%d "
	    "--token %s --all 2>/dev/null", dm.port, officer_token);
	free(run(args, &st));
	CU_ASSERT_EQUAL(st, 77);
}

/* A replay left running by a dead daemon is taken over and finished. */
static void
t_auditor_replay_abandoned(void)
{
	json_t	*o;
	char	*id;

	id = harness_sql(&pg, "INSERT INTO replays (requested_by, selection, "
	    "state, lease_owner, lease_until, attempts, started_at) VALUES "
	    "('a.auditor', '{\"all\":true}', 'running', 'dead:1', now() - "
	    "interval '1 minute', 1, now()) RETURNING id");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	o = replay("{\"trains\":[\"X8024@1\"]}");	/* kicks the runner */
	CU_ASSERT_PTR_NOT_NULL(o);
	json_decref(o);
	CU_ASSERT(harness_wait_sql(&pg, "SELECT (state = 'done' AND attempts = "
	    "2)::int FROM replays WHERE lease_owner IS NULL AND requested_by = "
	    "'a.auditor' AND id = (SELECT min(id) FROM replays WHERE "
	    "started_at IS NOT NULL AND attempts = 2)", "1", 15000));
	free(id);
	/* Left by a dead daemon with nobody asking: the tick finds it. */
	id = harness_sql(&pg, "INSERT INTO replays (requested_by, selection, "
	    "state, lease_owner, lease_until, attempts, started_at) VALUES "
	    "('a.auditor', '{\"trains\":[\"X9403\"]}', 'running', 'dead:2', "
	    "now() - interval '1 second', 1, now()) RETURNING id");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT(harness_wait_sql(&pg, "SELECT (state = 'done' AND attempts = "
	    "2 AND different = 0)::int FROM replays WHERE lease_owner IS NULL "
	    "AND selection::text LIKE '%X9403%' AND state <> 'running'", "1",
	    15000));
	free(id);
	/* Claimed three times and never finished: failed, not claimed again. */
	free(harness_sql(&pg, "INSERT INTO replays (requested_by, selection, "
	    "state, lease_owner, lease_until, attempts, started_at) VALUES "
	    "('a.auditor', '{\"all\":true}', 'running', 'dead:3', now() - "
	    "interval '1 second', 3, now()) RETURNING id"));
	o = replay("{\"trains\":[\"X9403@1\"]}");
	json_decref(o);
	CU_ASSERT(harness_wait_sql(&pg, "SELECT (state = 'failed' AND error "
	    "LIKE 'claimed 3 times%')::int FROM replays WHERE lease_owner IS "
	    "NULL AND attempts = 3", "1", 15000));
}

/* Who may not: officers, operators, no token. */
static void
t_auditor_roles(void)
{
	static const char *const paths[] = { "/v1/replays", "/v1/replays/1",
	    "/v1/reports/overrides", "/v1/reports/clearance",
	    "/v1/reports/hits" };
	size_t	i;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		CU_ASSERT_EQUAL(request("GET", paths[i], officer_token, NULL,
		    NULL, NULL), 403);
		CU_ASSERT_EQUAL(request("GET", paths[i], operator_token, NULL,
		    NULL, NULL), 403);
	}
	CU_ASSERT_EQUAL(request("POST", "/v1/replays", officer_token,
	    "{\"all\":true}", NULL, NULL), 403);
	CU_ASSERT_EQUAL(request("POST", "/v1/replays", operator_token,
	    "{\"all\":true}", NULL, NULL), 403);
	CU_ASSERT_EQUAL(request("POST", "/v1/replays", "rg_nobody",
	    "{\"all\":true}", NULL, NULL), 401);
	/* And what an auditor may not ask. */
	CU_ASSERT_EQUAL(request("POST", "/v1/replays", auditor_token,
	    "{\"trains\":[]}", NULL, NULL), 422);
	CU_ASSERT_EQUAL(request("POST", "/v1/replays", auditor_token,
	    "{\"trains\":[\"X8024@x\"]}", NULL, NULL), 422);
	CU_ASSERT_EQUAL(request("POST", "/v1/replays", auditor_token,
	    "{\"since\":\"yesterday\"}", NULL, NULL), 422);
	CU_ASSERT_EQUAL(request("POST", "/v1/replays", auditor_token,
	    "{\"all\":true,\"trains\":[\"X8024\"]}", NULL, NULL), 422);
	CU_ASSERT_EQUAL(request("POST", "/v1/replays", auditor_token,
	    "[1]", NULL, NULL), 400);
	CU_ASSERT_EQUAL(request("GET", "/v1/replays/99999", auditor_token,
	    NULL, NULL, NULL), 404);
	CU_ASSERT_EQUAL(request("GET", "/v1/reports/hits?format=pdf",
	    auditor_token, NULL, NULL, NULL), 400);
	CU_ASSERT_EQUAL(request("GET", "/v1/reports/hits?from=tomorrow",
	    auditor_token, NULL, NULL, NULL), 400);
	/* A period over 366 days, or backwards, is refused (the loop draws it). */
	CU_ASSERT_EQUAL(request("GET", "/v1/reports/hits?from=2000-01-01&"
	    "to=2026-12-31", auditor_token, NULL, NULL, NULL), 422);
	CU_ASSERT_EQUAL(request("GET", "/v1/reports/overrides?from=2026-03-01&"
	    "to=2026-02-01", auditor_token, NULL, NULL, NULL), 422);
	CU_ASSERT_EQUAL(request("GET", "/v1/reports/clearance?from=2025-12-31&"
	    "to=2026-12-31", auditor_token, NULL, NULL, NULL), 200);
	/* Only the end: the 30 days before it. */
	CU_ASSERT_EQUAL(request("GET", "/v1/reports/hits?to=2020-06-30",
	    auditor_token, NULL, NULL, NULL), 200);
	CU_ASSERT_EQUAL(sql_num("SELECT count(*) FROM replays WHERE "
	    "requested_by <> 'a.auditor'"), 0);
}

/*
 * The CSV's lines (CRLF), the header first; n their count.  The lines are
 * cut from a copy of text (*copy, which the caller frees).
 */
static char **
csv_lines(const char *text, size_t *n, char **copy)
{
	char	**v = NULL, *save = NULL, *l, *body;

	body = *copy = xstrdup(text);
	*n = 0;
	for (l = strtok_r(body, "\r\n", &save); l != NULL;
	    l = strtok_r(NULL, "\r\n", &save)) {
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = l;
	}
	return v;
}

/* Each report as CSV: its header, its rows, values the test predicts. */
static void
t_auditor_reports_csv(void)
{
	struct harness_response	 r;
	char			**l, *ct, hdr[100], *copy;
	size_t			 n, i;
	bool			 officer = false, crafted = false;

	CU_ASSERT_EQUAL_FATAL(request("GET", "/v1/reports/overrides?format=csv",
	    auditor_token, NULL, NULL, &r), 200);
	ct = harness_header(&r, "Content-Type", hdr, sizeof hdr);
	CU_ASSERT(ct != NULL && strncmp(ct, "text/csv", 8) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\r\n"));
	l = csv_lines(r.body, &n, &copy);
	if (n != 3)
		fprintf(stderr, "%s\n", r.body);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(l[0], "principal,overrides,confirmations,trains");
	for (i = 1; i < n; i++) {
		officer |= strcmp(l[i], "o.officer,1,0,1") == 0;
		/* The formula is text to a spreadsheet: ' first. */
		crafted |= strcmp(l[i], "'" CRAFTED ",1,0,1") == 0;
	}
	CU_ASSERT(officer);
	CU_ASSERT(crafted);
	if (!officer || !crafted)
		for (i = 0; i < n; i++)
			fprintf(stderr, "csv: %s\n", l[i]);
	free(l);
	free(copy);
	harness_response_free(&r);

	CU_ASSERT_EQUAL_FATAL(request("GET", "/v1/reports/clearance",
	    auditor_token, NULL, "text/csv", &r), 200);
	l = csv_lines(r.body, &n, &copy);
	CU_ASSERT_EQUAL(n, 4);		/* the header and three runs */
	CU_ASSERT(n > 0 && strncmp(l[0], "train,run,manifest_received,"
	    "first_decision,minutes_to_first_decision,clock_start,released,"
	    "minutes_to_release,within_target", 200) == 0);
	/* X8024 was approved: released, with minutes to release. */
	for (i = 1, officer = false; i < n; i++)
		officer |= strncmp(l[i], "X8024,1,", 8) == 0 &&
		    strstr(l[i], ",true") != NULL;
	CU_ASSERT(officer);
	if (!officer)
		fprintf(stderr, "%s\n", r.body);
	free(l);
	free(copy);
	harness_response_free(&r);

	{
		char	path[120], a[16], b[16];
		time_t	now = time(NULL), yesterday = now - 86400,
			tomorrow = now + 86400;

		strftime(a, sizeof a, "%Y-%m-%d", gmtime(&yesterday));
		strftime(b, sizeof b, "%Y-%m-%d", gmtime(&tomorrow));
		snprintf(path, sizeof path, "/v1/reports/hits?from=%s&to=%s", a,
		    b);
		CU_ASSERT_EQUAL_FATAL(request("GET", path, auditor_token, NULL,
		    NULL, &r), 200);
	}
	l = csv_lines(r.body, &n, &copy);
	CU_ASSERT(n >= 2);
	CU_ASSERT(n > 0 && strcmp(l[0], "day,rule,hits,trains") == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, ",phyto,"));
	if (strstr(r.body, ",phyto,") == NULL)
		fprintf(stderr, "%s\n", r.body);
	free(l);
	free(copy);
	harness_response_free(&r);
	/* A period with nothing: the header alone. */
	CU_ASSERT_EQUAL_FATAL(request("GET", "/v1/reports/hits?from=2001-01-01"
	    "&to=2001-01-02&format=csv", auditor_token, NULL, NULL, &r), 200);
	CU_ASSERT_STRING_EQUAL(r.body, "day,rule,hits,trains\r\n");
	harness_response_free(&r);
}

/* Each report as HTML: an SVG, no script, the crafted name escaped. */
static void
t_auditor_reports_html(void)
{
	static const char *const paths[] = { "/v1/reports/overrides",
	    "/v1/reports/clearance", "/v1/reports/hits" };
	struct harness_response	 r;
	char			 hdr[100], *ct;
	size_t			 i;
	FILE			*f;

	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(request("GET", paths[i], auditor_token,
		    NULL, "text/html", &r), 200);
		ct = harness_header(&r, "Content-Type", hdr, sizeof hdr);
		CU_ASSERT(ct != NULL && strncmp(ct, "text/html", 9) == 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "<svg"));
		CU_ASSERT_PTR_NULL(strstr(r.body, "<script"));
		CU_ASSERT_PTR_NULL(strstr(r.body, "src="));
		CU_ASSERT_PTR_NULL(strstr(r.body, "<link"));
		if (i == 0)
			CU_ASSERT_PTR_NOT_NULL(strstr(r.body,
			    "=1+1&lt;script&gt;alert(1)&lt;/script&gt;"));
		if (i == 1)
			CU_ASSERT_PTR_NOT_NULL(strstr(r.body, ">target "));
		if (i == 2)
			CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "<polyline"));
		/* Kept for a look: build/test-artefacts/reports-N.html. */
		mkdir("build", 0755);
		mkdir("build/test-artefacts", 0755);
		snprintf(hdr, sizeof hdr, "build/test-artefacts/reports-%zu.html",
		    i);
		if ((f = fopen(hdr, "w")) != NULL) {
			fputs(r.body, f);
			fclose(f);
		}
		harness_response_free(&r);
	}
}

/*
 * More decisions than one batch (32): progress is written between
 * batches on the replay's own connection without losing the next batch
 * (libpq discards an answer in flight when another statement runs).
 */
static void
t_auditor_replay_batches(void)
{
	json_t	*o;

	free(harness_sql(&pg, "INSERT INTO decisions (train_id, document, "
	    "outcome, final, ruleset_sha256, manifest_id, last_event_id, "
	    "made_by, clearances) SELECT d.train_id, d.document, d.outcome, "
	    "d.final, d.ruleset_sha256, d.manifest_id, d.last_event_id, "
	    "d.made_by, d.clearances FROM decisions d JOIN trains t ON t.id = "
	    "d.train_id, generate_series(1, 70) WHERE t.train_no = 'X9403' "
	    "AND d.id = (SELECT min(id) FROM decisions WHERE train_id = t.id) "
	    "RETURNING 1"));
	o = replay("{\"trains\":[\"X9403\"]}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "state")),
	    "done");
	CU_ASSERT_EQUAL(num(o, "result", "decisions"), 71);
	CU_ASSERT_EQUAL(num(o, "result", "identical"), 71);
	CU_ASSERT_EQUAL(num(o, "progress", "checked"), 71);
	CU_ASSERT_EQUAL(num(o, "progress", "total"), 71);
	if (num(o, "result", "identical") != 71)
		fprintf(stderr, "%s\n", json_string_value(json_object_get(o,
		    "error")));
	json_decref(o);
}

/* docs/auditor.md's examples run as they are. */
static void
t_auditor_docs(void)
{
	char		 url[64], tok[128], *failure = NULL;
	const char	*env[] = { url, tok, "TRAIN=X8024", NULL };

	snprintf(url, sizeof url, "RAILGATE_URL=http://127.0.0.1:%d", dm.port);
	snprintf(tok, sizeof tok, "AUDITOR_TOKEN=%s", auditor_token);
	CU_ASSERT_EQUAL(harness_docs_run("docs/auditor.md", env, &failure), 0);
	if (failure != NULL)
		fprintf(stderr, "%s\n", failure);
	free(failure);
}

static CU_TestInfo auditor_tests[] = {
	{ "t_auditor_replay_all_same", t_auditor_replay_all_same },
	{ "t_auditor_replay_finds_tamper", t_auditor_replay_finds_tamper },
	{ "t_auditor_cli_url", t_auditor_cli_url },
	{ "t_auditor_replay_abandoned", t_auditor_replay_abandoned },
	{ "t_auditor_roles", t_auditor_roles },
	{ "t_auditor_reports_csv", t_auditor_reports_csv },
	{ "t_auditor_reports_html", t_auditor_reports_html },
	{ "t_auditor_replay_batches", t_auditor_replay_batches },
	{ "t_auditor_docs", t_auditor_docs },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_auditor", auditor_suite_init, auditor_suite_clean,
    auditor_tests)
