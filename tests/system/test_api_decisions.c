/*
 * test_api_decisions.c -- the daemon decides: a submitted manifest (EDIFACT
 * or XML) gets its provisional decision from the rule set in force, stored
 * with the rule set's hash; events make it decide again; the rule set's
 * exact files are stored for replays.
 */
#include <sys/wait.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/http.h>
#include <jansson.h>

#include "daemon/api/api.h"
#include "daemon/version.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64], officer_token[64];
static char			supervisor_token[64], officer2_token[64];
static char			supervisor2_token[64];
static time_t			daemon_started;

static int
decisions_suite_init(void)
{
	daemon_started = time(NULL);
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.officer", officer_token) < 0 ||
	    harness_token(&pg, "officer", "o.second", officer2_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.supervisor",
	    supervisor_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.second", supervisor2_token) < 0)
		return -1;
	return 0;
}

static int
decisions_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* A request with a bearer token; the status, or -1. */
static int
request(const char *method, const char *path, const char *token,
    const char *body, struct harness_response *r)
{
	char	hdr[256];

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s", token,
	    body != NULL ? "Content-Type: application/json\r\n" : "");
	if (harness_http(dm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, r) < 0)
		return -1;
	return r->status;
}

/* Submits a fixture as the operator; the HTTP status. */
static int
submit(const char *rel)
{
	return harness_submit_fixture(dm.port, operator_token, rel);
}

/*
 * Polls the train's decision until want_sql (a condition on trains row t)
 * holds; the decision document, or NULL after 10 s.
 */
static json_t *
wait_decision(const char *train, const char *cond)
{
	struct harness_response	 r;
	char			 path[128], sql[512], *v;
	int			 i;
	json_t			*j = NULL;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM trains t WHERE "
	    "train_no = '%s' AND decision IS NOT NULL AND NOT eval_needed "
	    "AND (%s)", train, cond);
	for (i = 0; i < 200; i++) {
		v = harness_sql(&pg, sql);
		if (v != NULL && strcmp(v, "0") != 0) {
			free(v);
			break;
		}
		free(v);
		usleep(50000);
	}
	snprintf(path, sizeof path, "/v1/trains/%s/decision", train);
	if (request("GET", path, officer_token, NULL, &r) == 200)
		j = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	return j;
}

/* True when the decision has a hit of rule on the wagon numbered wagon. */
static bool
has_hit(json_t *doc, const char *wagon, const char *rule)
{
	json_t	*w, *h;
	size_t	 i, k;

	json_array_foreach(json_object_get(doc, "wagons"), i, w) {
		if (strcmp(json_string_value(json_object_get(w, "wagon")),
		    wagon) != 0)
			continue;
		json_array_foreach(json_object_get(w, "hits"), k, h)
			if (strcmp(json_string_value(json_object_get(h, "rule")),
			    rule) == 0)
				return true;
	}
	return false;
}

/* GET /v1/rulesets/{sha256}: the files the decision's rule set was made of. */
static void
check_ruleset_served(const char *sha256)
{
	struct harness_response	 r;
	char			 path[128], *text = NULL, *want = NULL;
	json_t			*j, *f;
	size_t			 i, len = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sha256);
	snprintf(path, sizeof path, "/v1/rulesets/%s", sha256);
	CU_ASSERT_EQUAL_FATAL(request("GET", path, officer_token, NULL, &r), 200);
	j = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_array_foreach(json_object_get(j, "files"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")),
		    "main.rules") == 0)
			text = xstrdup(json_string_value(json_object_get(f,
			    "text")));
	json_decref(j);
	/* Byte for byte the file in force. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL(file_read_all("etc/rules/default/main.rules", &want,
	    &len), 0);
	CU_ASSERT(want != NULL && strlen(text) == len &&
	    memcmp(text, want, len) == 0);
	free(want);
	free(text);
	CU_ASSERT_EQUAL(request("GET", "/v1/rulesets/"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    officer_token, NULL, &r), 404);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(request("GET", "/v1/rulesets/nothex", officer_token,
	    NULL, &r), 400);
	harness_response_free(&r);
}

/* EDIFACT in, the provisional decision of the default rule set out. */
static void
t_decisions_edifact_provisional(void)
{
	json_t	*doc;
	char	*v;

	CU_ASSERT_EQUAL_FATAL(submit("edifact/cuscar_s3_alashankou.edi"), 202);
	doc = wait_decision("X8024", "true");
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc,
	    "decision")), "PARTIAL_RELEASE");
	CU_ASSERT(json_is_false(json_object_get(doc, "final")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(
	    doc, "ruleset"), "name")), "default");
	CU_ASSERT(has_hit(doc, "315279550026", "phyto"));
	/* The stored bytes are what the decision names. */
	v = harness_sql(&pg, "SELECT count(*) FROM manifests m JOIN trains t ON "
	    "t.manifest_id = m.id WHERE t.train_no = 'X8024' AND m.sha256 = "
	    "t.decision->>'manifest_sha256'");
	CU_ASSERT_STRING_EQUAL(v, "1");
	free(v);
	/* The audit record names the rule set by its hash, stored whole. */
	v = harness_sql(&pg, "SELECT count(*) FROM audit_log a JOIN rulesets r "
	    "ON r.sha256 = a.ruleset_sha256 WHERE a.action = "
	    "'decision.provisional' AND octet_length(r.files_z) > 100");
	CU_ASSERT(v != NULL && strcmp(v, "0") != 0);
	free(v);
	v = harness_sql(&pg, "SELECT action FROM wagons w JOIN trains t ON "
	    "t.id = w.train_id WHERE t.train_no = 'X8024' AND w.number = "
	    "'315279550026'");
	CU_ASSERT_STRING_EQUAL(v, "DOC_CHECK");
	free(v);
	check_ruleset_served(json_string_value(json_object_get(json_object_get(
	    doc, "ruleset"), "sha256")));
	json_decref(doc);
}

/* XML in: the same engine, the same document shape. */
static void
t_decisions_xml(void)
{
	json_t	*doc;

	CU_ASSERT_EQUAL_FATAL(submit("xml/ifcsum_horgos.xml"), 202);
	doc = wait_decision("X8102", "true");
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_PTR_NOT_NULL(json_string_value(json_object_get(doc,
	    "decision")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "wagons")),
	    (size_t)json_integer_value(json_object_get(json_object_get(doc,
	    "counts"), "wagons")));
	json_decref(doc);
}

/* A weighbridge mass 12 t over the declaration sets the wagon out. */
static void
t_decisions_event_decides_again(void)
{
	struct harness_response	 r;
	json_t			*doc;
	char			*v;

	/* Control evidence: an officer's (event_body.c). */
	CU_ASSERT_EQUAL_FATAL(request("POST", "/v1/trains/X8024/events",
	    officer_token, "{\"type\":\"weighbridge\",\"wagon\":\"315279550018\","
	    "\"gross_kg\":71200.5}", &r), 202);
	harness_response_free(&r);
	doc = wait_decision("X8024", "decision::text LIKE '%weight-variance%'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT(has_hit(doc, "315279550018", "weight-variance"));
	CU_ASSERT(has_hit(doc, "315279550026", "phyto"));
	json_decref(doc);
	v = harness_sql(&pg, "SELECT count(*) FROM decisions d JOIN trains t ON "
	    "t.id = d.train_id WHERE t.train_no = 'X8024'");
	CU_ASSERT_STRING_EQUAL(v, "2");
	free(v);
	/* A position report changes no rule input: no new decision. */
	CU_ASSERT_EQUAL_FATAL(request("POST", "/v1/trains/X8024/events",
	    operator_token, "{\"type\":\"position\","
	    "\"eta\":\"2026-11-22T10:40:00Z\"}", &r), 202);
	harness_response_free(&r);
	usleep(300000);
	v = harness_sql(&pg, "SELECT count(*) FROM decisions d JOIN trains t ON "
	    "t.id = d.train_id WHERE t.train_no = 'X8024'");
	CU_ASSERT_STRING_EQUAL(v, "2");
	free(v);
}

/* Resolves a wagon of X8024; the status (the reply's body in *body if wanted). */
static int
resolve(const char *token, const char *wagon, const char *json, char **body)
{
	struct harness_response	r;
	char			path[128];
	int			status;

	snprintf(path, sizeof path, "/v1/trains/X8024/wagons/%s/resolution",
	    wagon);
	status = request("POST", path, token, json, &r);
	if (body != NULL)
		*body = status >= 0 ? xstrdup(r.body) : NULL;
	if (status >= 0)
		harness_response_free(&r);
	return status;
}

static int
approve(const char *token, char **body)
{
	struct harness_response	r;
	int			status;

	status = request("POST", "/v1/trains/X8024/approve", token,
	    "{\"reason\":\"checked on the console\"}", &r);
	if (body != NULL)
		*body = status >= 0 ? xstrdup(r.body) : NULL;
	if (status >= 0)
		harness_response_free(&r);
	return status;
}

/* Resolutions, approval, amendments, roles and the four-eyes rule. */
static void
t_decisions_officers_approve(void)
{
	char	*body, *v;
	json_t	*doc;

	/* The grapes wagon still waits for its document check. */
	CU_ASSERT_EQUAL(approve(officer_token, &body), 409);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "document check"));
	free(body);
	/* Refusals: no reason, unknown action, unknown wagon, wrong roles. */
	CU_ASSERT_EQUAL(resolve(officer_token, "315279550026",
	    "{\"action\":\"release\"}", NULL), 422);
	CU_ASSERT_EQUAL(resolve(officer_token, "315279550026",
	    "{\"action\":\"wave through\",\"reason\":\"x\"}", NULL), 422);
	CU_ASSERT_EQUAL(resolve(officer_token, "999999999999",
	    "{\"action\":\"release\",\"reason\":\"x\"}", NULL), 404);
	CU_ASSERT_EQUAL(resolve(operator_token, "315279550026",
	    "{\"action\":\"release\",\"reason\":\"x\"}", NULL), 403);
	CU_ASSERT_EQUAL(approve(operator_token, NULL), 403);

	CU_ASSERT_EQUAL(resolve(officer_token, "315279550026",
	    "{\"action\":\"release\",\"reason\":\"phytosanitary certificate "
	    "CN-851-2291 presented\"}", &body), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "DOC_CHECK"));
	free(body);
	CU_ASSERT_EQUAL_FATAL(approve(officer_token, &body), 200);
	doc = json_loads(body, 0, NULL);
	free(body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT(json_is_true(json_object_get(doc, "final")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc,
	    "decision")), "PARTIAL_RELEASE");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(
	    json_object_get(doc, "set_out"), 0), "wagon")), "315279550018");
	json_decref(doc);
	v = harness_sql(&pg, "SELECT state || '/' || decision_final FROM trains "
	    "WHERE train_no = 'X8024'");
	CU_ASSERT_STRING_EQUAL(v, "partially_released/true");
	free(v);
	/* Holding the set-out wagon amends the final decision. */
	CU_ASSERT_EQUAL(resolve(officer_token, "315279550018",
	    "{\"action\":\"hold\",\"reason\":\"scrap metal under the declared "
	    "cargo\"}", NULL), 200);
	/* Releasing a held wagon: not an officer's call; not the same person. */
	CU_ASSERT_EQUAL(resolve(officer_token, "315279550018",
	    "{\"action\":\"release\",\"reason\":\"x\"}", &body), 403);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Supervisor"));
	free(body);
	CU_ASSERT_EQUAL(resolve(supervisor_token, "315279550018",
	    "{\"action\":\"hold\",\"reason\":\"second look\"}", NULL), 200);
	CU_ASSERT_EQUAL(resolve(supervisor_token, "315279550018",
	    "{\"action\":\"release\",\"reason\":\"x\"}", &body), 403);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Four eyes"));
	free(body);
	/* Another person (an officer) joins the hold: the supervisor is
	 * still among those who set it out (issue 15); a second supervisor
	 * overrides. */
	CU_ASSERT_EQUAL(resolve(officer2_token, "315279550018",
	    "{\"action\":\"hold\",\"reason\":\"customs seal missing\"}", NULL),
	    200);
	CU_ASSERT_EQUAL(resolve(supervisor_token, "315279550018",
	    "{\"action\":\"release\",\"reason\":\"x\"}", NULL), 403);
	CU_ASSERT_EQUAL(resolve(supervisor2_token, "315279550018",
	    "{\"action\":\"release\",\"reason\":\"seal found, goods match\"}",
	    NULL), 200);
	v = harness_sql(&pg, "SELECT state || '/' || (decision->>'decision') "
	    "FROM trains WHERE train_no = 'X8024'");
	CU_ASSERT_STRING_EQUAL(v, "released/RELEASE");
	free(v);
	v = harness_sql(&pg, "SELECT string_agg(action, ',' ORDER BY seq) FROM "
	    "audit_log WHERE action LIKE 'decision.final%' OR action LIKE "
	    "'wagon.%'");
	CU_ASSERT_STRING_EQUAL(v, "wagon.release,decision.final,wagon.hold,"
	    "decision.final_amended,wagon.hold,decision.final_amended,"
	    "wagon.hold,decision.final_amended,wagon.release,"
	    "decision.final_amended");
	free(v);
}

/* `railgate submit`: what an operator's script runs. */
static void
t_decisions_submit_command(void)
{
	char	 cmd[1024], line[1024];
	FILE	*p;
	int	 st;

	snprintf(cmd, sizeof cmd, "%s/railgate submit --token %s "
	    "http://127.0.0.1:%d fixtures/edifact/cuscar_s4_unoy.edi 2>&1",
	    test_build_dir(), operator_token, dm.port);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = popen(cmd, "r"));
	line[0] = '\0';
	if (fgets(line, sizeof line, p) == NULL)
		line[0] = '\0';
	st = pclose(p);
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " 202 /v1/trains/"));
	/* A bad token: refused, exit 65 (EX_DATAERR). */
	snprintf(cmd, sizeof cmd, "%s/railgate submit --token rg_nope "
	    "http://127.0.0.1:%d fixtures/edifact/cuscar_s4_unoy.edi "
	    ">/dev/null 2>&1", test_build_dir(), dm.port);
	st = system(cmd);
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 65);
}

/*
 * The sum of the /metrics samples whose series starts with series and
 * goes on with a space or, when series has no labels, a '{' (a whole
 * family); -1 if there is none.
 */
static double
metrics_sum(const char *body, const char *series)
{
	const char	*p = body;
	size_t		 n = strlen(series);
	double		 sum = -1;
	char		 next;

	while (p != NULL && *p != '\0') {
		/* p[n] only once the n bytes before it matched (no NUL). */
		next = strncmp(p, series, n) == 0 ? p[n] : '\0';
		if (next == ' ' || (next == '{' && strchr(series, '{') == NULL)) {
			p = strchr(p + n, next == '{' ? '}' : ' ');
			if (p == NULL)
				break;
			sum = (sum < 0 ? 0 : sum) + strtod(p + (*p == '}' ? 2 : 1),
			    NULL);
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return sum;
}

/* Whether s[0..n) is a metric or label name (label: no colon). */
static bool
metrics_is_name(const char *s, size_t n, bool label)
{
	size_t	i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    (!label && s[i] == ':')))
			return false;
	return true;
}

/* Skips {name="value",...} at p; the end, or NULL when malformed. */
static const char *
metrics_skip_labels(const char *p)
{
	const char	*q;

	p++;
	while (*p != '}') {
		for (q = p; *q != '=' && *q != '\0' && *q != '\n'; q++)
			;
		if (*q != '=' || !metrics_is_name(p, (size_t)(q - p), true) ||
		    q[1] != '"')
			return NULL;
		for (p = q + 2; *p != '"'; p++) {
			if (*p == '\0' || *p == '\n')
				return NULL;
			if (*p == '\\' && (p[1] == '\\' || p[1] == '"' ||
			    p[1] == 'n'))
				p++;
			else if (*p == '\\')
				return NULL;
		}
		p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
	return p + 1;
}

/*
 * Checks the whole text: every line a comment (# HELP name text, # TYPE
 * name type) or a sample (name{labels} value, or name value) whose family
 * has HELP and TYPE before it.  The number of faults (each printed).
 */
static int
metrics_check_syntax(const char *body)
{
	char		 help[256][96], type[256][96], fam[96];
	const char	*p = body, *e, *nl;
	size_t		 nhelp = 0, ntype = 0, i, n;
	int		 faults = 0;
	bool		 has_help, has_type;
	char		*end;

	for (; *p != '\0'; p = *nl == '\0' ? nl : nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (strncmp(p, "# HELP ", 7) == 0 || strncmp(p, "# TYPE ", 7) == 0) {
			for (e = p + 7; e < nl && *e != ' '; e++)
				;
			n = (size_t)(e - p - 7);
			if (!metrics_is_name(p + 7, n, false) || e == nl ||
			    n >= sizeof fam || nhelp == 256 || ntype == 256)
				goto bad;
			if (p[2] == 'T') {
				if (strncmp(e, " counter\n", 9) != 0 &&
				    strncmp(e, " gauge\n", 7) != 0 &&
				    strncmp(e, " histogram\n", 11) != 0)
					goto bad;
				snprintf(type[ntype++], sizeof type[0], "%.*s",
				    (int)n, p + 7);
			} else
				snprintf(help[nhelp++], sizeof help[0], "%.*s",
				    (int)n, p + 7);
			continue;
		}
		if (*p == '#' || p == nl)
			goto bad;
		for (e = p; e < nl && *e != '{' && *e != ' '; e++)
			;
		n = (size_t)(e - p);
		if (!metrics_is_name(p, n, false) || n >= sizeof fam)
			goto bad;
		snprintf(fam, sizeof fam, "%.*s", (int)n, p);
		if (*e == '{' && (e = metrics_skip_labels(e)) == NULL)
			goto bad;
		if (*e != ' ' || e[1] == ' ')
			goto bad;
		if (strtod(e + 1, &end) == 0 && end == e + 1)
			goto bad;
		if (end != nl)
			goto bad;
		/* A histogram's series belong to the family without the suffix. */
		has_help = has_type = false;
		for (i = 0; i < ntype && !has_type; i++) {
			n = strlen(type[i]);
			has_type = strcmp(fam, type[i]) == 0 ||
			    (strncmp(fam, type[i], n) == 0 &&
			    (strcmp(fam + n, "_bucket") == 0 ||
			    strcmp(fam + n, "_sum") == 0 ||
			    strcmp(fam + n, "_count") == 0));
		}
		for (i = 0; i < nhelp && !has_help; i++) {
			n = strlen(help[i]);
			has_help = strncmp(fam, help[i], n) == 0 &&
			    (fam[n] == '\0' || fam[n] == '_');
		}
		if (has_help && has_type)
			continue;
bad:
		fprintf(stderr, "\n/metrics: bad line: %.*s\n", (int)(nl - p), p);
		faults++;
	}
	return faults;
}

/* Each histogram's +Inf bucket equals its count, and it has observations. */
static void
metrics_check_histogram(const char *body, const char *name)
{
	char	series[128];
	double	inf, count;

	snprintf(series, sizeof series, "%s_bucket{le=\"+Inf\"}", name);
	inf = metrics_sum(body, series);
	snprintf(series, sizeof series, "%s_count", name);
	count = metrics_sum(body, series);
	CU_ASSERT(count > 0);
	CU_ASSERT_EQUAL(inf, count);
	snprintf(series, sizeof series, "%s_sum", name);
	CU_ASSERT(metrics_sum(body, series) > 0);
}

/*
 * /metrics: Prometheus text with the decisions made so far, the rule hits,
 * the latency histograms and the database's gauges (which arrive a moment
 * after the first scrape asks for them), every line well formed.
 */
static void
t_decisions_metrics(void)
{
	struct harness_response	 r = { 0 };
	int			 i;

	for (i = 0; i < 100; i++) {
		harness_response_free(&r);
		CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "GET", "/metrics", "",
		    NULL, 0, &r), 0);
		CU_ASSERT_EQUAL_FATAL(r.status, 200);
		if (strstr(r.body, "\nrailgate_trains{") != NULL)
			break;
		usleep(100000);
	}
	CU_ASSERT_EQUAL(metrics_check_syntax(r.body), 0);
	CU_ASSERT(metrics_sum(r.body, "railgate_decisions_total") >= 3);
	CU_ASSERT(metrics_sum(r.body,
	    "railgate_decisions_total{outcome=\"hold\"}") >= 0);
	CU_ASSERT(metrics_sum(r.body,
	    "railgate_decisions_total{outcome=\"release\"}") >= 0);
	CU_ASSERT(metrics_sum(r.body,
	    "railgate_rule_hits_total{rule=\"phyto\"}") > 0);
	metrics_check_histogram(r.body, "railgate_parse_duration_seconds");
	metrics_check_histogram(r.body, "railgate_evaluate_duration_seconds");
	CU_ASSERT(metrics_sum(r.body, "railgate_trains") >= 3);
	CU_ASSERT(metrics_sum(r.body, "railgate_trains{state=\"evaluated\"}")
	    >= 0);
	CU_ASSERT(metrics_sum(r.body,
	    "railgate_notices_outbox{state=\"pending\"}") >= 0);
	CU_ASSERT(metrics_sum(r.body,
	    "railgate_peer_outbox{state=\"pending\"}") >= 0);
	CU_ASSERT(metrics_sum(r.body,
	    "railgate_clearance_running{flag=\"ok\"}") >= 0);
	CU_ASSERT(metrics_sum(r.body,
	    "railgate_clearance_finished{target=\"within\"}") >= 0);
	CU_ASSERT(metrics_sum(r.body, "railgate_clearance_target_seconds") ==
	    20 * 60);
	CU_ASSERT(metrics_sum(r.body, "railgate_db_connections_up") > 0);
	CU_ASSERT(metrics_sum(r.body, "railgate_peer_up") >= 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body,
	    "# TYPE railgate_http_requests_total counter"));
	harness_response_free(&r);
}

/*
 * /metrics (issue 21, item 9): railgate_build_info with the release and
 * the commit, and the process_* families as the Prometheus client
 * libraries name them, each plausible: the start time when the suite
 * started the daemon, some descriptors open and fewer than the limit,
 * more than 1 MB resident, some CPU spent; the whole still well formed.
 */
static void
t_decisions_metrics_process(void)
{
	struct harness_response	 r = { 0 };
	double			 start, open_fds, max_fds;
	const char		*p;
	char			 want[128];

	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "GET", "/metrics", "",
	    NULL, 0, &r), 0);
	CU_ASSERT_EQUAL_FATAL(r.status, 200);
	CU_ASSERT_EQUAL(metrics_check_syntax(r.body), 0);
	snprintf(want, sizeof want, "\nrailgate_build_info{version=\"%s\","
	    "commit=\"", RAILGATE_VERSION);
	p = strstr(r.body, want);
	CU_ASSERT_PTR_NOT_NULL(p);
	/* A hexadecimal commit, or "unknown" outside git; the value 1. */
	if (p != NULL) {
		p += strlen(want);
		CU_ASSERT(strncmp(p, "unknown\"} 1\n", 12) == 0 ||
		    (strspn(p, "0123456789abcdef") >= 7 &&
		    strncmp(p + strspn(p, "0123456789abcdef"), "\"} 1\n", 5)
		    == 0));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body,
	    "# TYPE railgate_build_info gauge\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body,
	    "# TYPE process_cpu_seconds_total counter\n"));
	CU_ASSERT(metrics_sum(r.body, "process_cpu_seconds_total") > 0);
	CU_ASSERT(metrics_sum(r.body, "process_resident_memory_bytes") >
	    1024 * 1024);
	CU_ASSERT(metrics_sum(r.body, "process_virtual_memory_bytes") >=
	    metrics_sum(r.body, "process_resident_memory_bytes"));
	open_fds = metrics_sum(r.body, "process_open_fds");
	max_fds = metrics_sum(r.body, "process_max_fds");
	CU_ASSERT(open_fds > 0);
	CU_ASSERT(max_fds > open_fds);
	start = metrics_sum(r.body, "process_start_time_seconds");
	/* Clock ticks and boot time are whole seconds: a second either way. */
	if (!(start >= (double)daemon_started - 2 &&
	    start <= (double)time(NULL) + 1))
		fprintf(stderr, "\nprocess_start_time_seconds %.3f, the "
		    "daemon started at %lld\n", start,
		    (long long)daemon_started);
	CU_ASSERT(start >= (double)daemon_started - 2);
	CU_ASSERT(start <= (double)time(NULL) + 1);
	harness_response_free(&r);
}

/*
 * PostgreSQL killed while manifests keep arriving: answers during the
 * outage are 503 with Retry-After (or a 202 that was committed), the
 * daemon reconnects by itself, and every manifest that got a 202 is
 * stored and decided.  Runs last in the suite.
 */
static void
t_decisions_pg_restart_under_load(void)
{
	struct harness_response	 r;
	char			 cmd[1024], hdr[128], path[300], *data, *v;
	char			 ids[40][16], retry[16];
	size_t			 len;
	int			 i, accepted = 0, unavailable = 0, other = 0, k;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", operator_token);
	for (i = 0; i < 30; i++) {
		ids[i][0] = '\0';
		snprintf(path, sizeof path, "%s/r%d.edi", dm.dir, i);
		snprintf(cmd, sizeof cmd, "%s/railgate gen --wagons 4 --items 40 "
		    "--seed %d --format edifact -o %s", test_build_dir(), 500 + i,
		    path);
		CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
		if (i == 8) {
			snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh kill '%s'",
			    pg.dir);
			CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
		}
		if (i == 18) {
			snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh start '%s' "
			    "> /dev/null", pg.dir);
			CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
			/* Reconnected by itself: ready again within 10 s. */
			for (k = 0; k < 100; k++) {
				if (harness_http(dm.port, "GET", "/readyz", NULL,
				    NULL, 0, &r) == 0) {
					int st = r.status;

					harness_response_free(&r);
					if (st == 200)
						break;
				}
				usleep(100000);
			}
			CU_ASSERT(k < 100);
		}
		CU_ASSERT_EQUAL_FATAL(file_read_all(path, &data, &len), 0);
		if (harness_http(dm.port, "POST", "/v1/manifests", hdr, data, len,
		    &r) == 0) {
			if (r.status == 202) {
				accepted++;
				/* Location: /v1/trains/<id>@1 */
				if (harness_header(&r, "Location", path,
				    sizeof path) != NULL)
					sscanf(path, "/v1/trains/%15[^@]", ids[i]);
			} else if (r.status == 503 && harness_header(&r,
			    "Retry-After", retry, sizeof retry) != NULL)
				unavailable++;
			else
				other++;
			harness_response_free(&r);
		} else
			other++;
		free(data);
		usleep(100000);
	}
	CU_ASSERT_EQUAL(other, 0);
	CU_ASSERT(unavailable >= 1);
	CU_ASSERT(accepted >= 15);
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
	/* Every accepted train is there and gets its decision. */
	for (i = 0; i < 30; i++) {
		if (ids[i][0] == '\0')
			continue;
		snprintf(cmd, sizeof cmd, "SELECT count(*) FROM trains WHERE "
		    "train_no = '%s' AND decision IS NOT NULL", ids[i]);
		for (k = 0; k < 100; k++) {
			v = harness_sql(&pg, cmd);
			if (v != NULL && strcmp(v, "1") == 0) {
				free(v);
				break;
			}
			free(v);
			usleep(100000);
		}
		CU_ASSERT(k < 100);
	}
}

#define ONCE_TRAINS	12
#define ONCE_THREADS	6

struct once_poster {
	int	first;		/* posts trains first, first + ONCE_THREADS, ... */
	int	accepted;
};

/* One client thread of t_decisions_each_train_once. */
static void *
once_post(void *arg)
{
	struct once_poster	*p = arg;
	struct harness_response	 r;
	char			 path[512], hdr[128], *data;
	size_t			 len;
	int			 i;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", operator_token);
	for (i = p->first; i < ONCE_TRAINS; i += ONCE_THREADS) {
		snprintf(path, sizeof path, "%s/once%d.edi", dm.dir, i);
		if (file_read_all(path, &data, &len) < 0)
			continue;
		if (harness_http(dm.port, "POST", "/v1/manifests", hdr, data, len,
		    &r) == 0) {
			p->accepted += r.status == 202;
			harness_response_free(&r);
		}
		free(data);
	}
	return NULL;
}

/* The value of a /metrics counter (summed over its labels), -1 if absent. */
static long
metric_value(const char *name)
{
	struct harness_response	 r;
	long			 v;

	if (harness_http(dm.port, "GET", "/metrics", "", NULL, 0, &r) < 0)
		return -1;
	v = (long)metrics_sum(r.body, name);
	harness_response_free(&r);
	return v;
}

/*
 * Trains arriving together are each evaluated once: a claim made while
 * others are being evaluated must not hand this daemon its own runs back.
 */
static void
t_decisions_each_train_once(void)
{
	struct once_poster	 p[ONCE_THREADS];
	pthread_t		 th[ONCE_THREADS];
	char			 cmd[1024], *v = NULL;
	int			 i, accepted = 0;
	long			 stale = metric_value("railgate_decisions_stale_total");
	long			 decided = metric_value("railgate_decisions_total");

	CU_ASSERT_FATAL(stale >= 0 && decided >= 0);
	for (i = 0; i < ONCE_TRAINS; i++) {
		snprintf(cmd, sizeof cmd, "%s/railgate gen --wagons 55 --items 3000 "
		    "--seed %d --format edifact -o %s/once%d.edi",
		    test_build_dir(), 700 + i, dm.dir, i);
		CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	}
	for (i = 0; i < ONCE_THREADS; i++) {
		p[i].first = i;
		p[i].accepted = 0;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, once_post,
		    &p[i]), 0);
	}
	for (i = 0; i < ONCE_THREADS; i++) {
		pthread_join(th[i], NULL);
		accepted += p[i].accepted;
	}
	CU_ASSERT_EQUAL_FATAL(accepted, ONCE_TRAINS);
	for (i = 0; i < 200; i++) {
		free(v);
		v = harness_sql(&pg, "SELECT count(*) FROM trains t JOIN manifests "
		    "m ON m.id = t.manifest_id WHERE m.raw_size > 100000 AND "
		    "t.decision IS NOT NULL AND NOT t.eval_needed");
		if (v != NULL && atoi(v) == ONCE_TRAINS)
			break;
		usleep(50000);
	}
	CU_ASSERT_STRING_EQUAL(v, "12");
	free(v);
	v = harness_sql(&pg, "SELECT count(*) FROM decisions d JOIN manifests m "
	    "ON m.id = d.manifest_id WHERE m.raw_size > 100000");
	CU_ASSERT_STRING_EQUAL(v, "12");
	free(v);
	/* Each evaluated once: no second decision refused as stale. */
	CU_ASSERT_EQUAL(metric_value("railgate_decisions_stale_total"), stale);
	CU_ASSERT_EQUAL(metric_value("railgate_decisions_total"),
	    decided + ONCE_TRAINS);
}

/* /openapi.json describes every route of the route table. */
static void
t_decisions_openapi_lists_every_route(void)
{
	struct harness_response	 r;
	json_t			*doc, *paths, *p;
	size_t			 i;
	char			 method[8];

	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "GET", "/openapi.json", "",
	    NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	doc = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	paths = json_object_get(doc, "paths");
	for (i = 0; i < api_route_count; i++) {
		snprintf(method, sizeof method, "%s",
		    api_routes[i].method == EVHTTP_REQ_GET ? "get" :
		    api_routes[i].method == EVHTTP_REQ_PUT ? "put" :
		    api_routes[i].method == EVHTTP_REQ_DELETE ? "delete" :
		    "post");
		p = json_object_get(paths, api_routes[i].pattern);
		if (p == NULL || json_object_get(p, method) == NULL) {
			fprintf(stderr, "\n%s %s not in /openapi.json\n", method,
			    api_routes[i].pattern);
			CU_FAIL("route missing from /openapi.json");
		}
	}
	json_decref(doc);
}

static CU_TestInfo decisions_tests[] = {
	{ "t_decisions_edifact_provisional", t_decisions_edifact_provisional },
	{ "t_decisions_xml", t_decisions_xml },
	{ "t_decisions_event_decides_again", t_decisions_event_decides_again },
	{ "t_decisions_officers_approve", t_decisions_officers_approve },
	{ "t_decisions_submit_command", t_decisions_submit_command },
	{ "t_decisions_metrics", t_decisions_metrics },
	{ "t_decisions_metrics_process", t_decisions_metrics_process },
	{ "t_decisions_openapi_lists_every_route",
	    t_decisions_openapi_lists_every_route },
	{ "t_decisions_each_train_once", t_decisions_each_train_once },
	{ "t_decisions_pg_restart_under_load", t_decisions_pg_restart_under_load },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_decisions", decisions_suite_init, decisions_suite_clean,
    decisions_tests)
