/*
 * test_problems.c -- problem documents from the real daemon carry the
 * type and title docs/problems.md gives them (issue 21, item 8): a 401
 * from the token gate, a 404 from a handler and one from an SQL function
 * (completed by http_reply_problem_json), a 413 and a 422 from a
 * handler, and a 400 from the connection guard before routing.  Each
 * answer's type and title are looked up on the page itself, so the page
 * and the daemon cannot drift apart on these paths.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64], officer_token[64];
static char			auditor_token[64];
static char			*page;		/* docs/problems.md */

static char *
read_page(void)
{
	FILE	*f = fopen("docs/problems.md", "rb");
	char	*s;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = xmalloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	s[n] = '\0';
	fclose(f);
	return s;
}

static int
problems_suite_init(void)
{
	if ((page = read_page()) == NULL)
		return -1;
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.officer", officer_token) < 0 ||
	    harness_token(&pg, "auditor", "a.auditor", auditor_token) < 0)
		return -1;
	if (harness_submit_fixture(dm.port, operator_token,
	    "edifact/cuscar_s3_alashankou.edi") != 202)
		return -1;
	return harness_wait_sql(&pg, "SELECT count(*) FROM trains WHERE "
	    "train_no = 'X8024' AND decision IS NOT NULL AND NOT eval_needed",
	    NULL, 10000) ? 0 : -1;
}

static int
problems_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	free(page);
	return 0;
}

/*
 * Whether docs/problems.md documents this answer: a typed problem on a
 * table line with its URI, its title and its status; about:blank only
 * for a reason phrase the page lists (`Title`).
 */
static bool
documented(const char *type, const char *title, int status)
{
	char	 uri[128], cell[160], code[8], *d, *line, *save;
	bool	 found = false;

	if (strcmp(type, "about:blank") == 0) {
		snprintf(cell, sizeof cell, "`%s`", title);
		return strstr(page, cell) != NULL;
	}
	snprintf(uri, sizeof uri, "| `%s` |", type);
	snprintf(cell, sizeof cell, "| %s |", title);
	snprintf(code, sizeof code, "%d", status);
	d = xstrdup(page);
	for (line = strtok_r(d, "\n", &save); line != NULL && !found;
	    line = strtok_r(NULL, "\n", &save))
		found = strncmp(line, uri, strlen(uri)) == 0 &&
		    strstr(line, cell) != NULL && strstr(line, code) != NULL;
	free(d);
	return found;
}

/*
 * Sends the request and checks the problem: status, content type, the
 * expected type and title, and that the page documents them.
 */
static void
expect_problem(const char *method, const char *path, const char *token,
    const char *body, size_t len, int status, const char *type,
    const char *title)
{
	struct harness_response	 r;
	char			 hdr[300], ct[64];
	json_t			*p;

	snprintf(hdr, sizeof hdr, "%s%s%s%s", token != NULL ?
	    "Authorization: Bearer " : "", token != NULL ? token : "",
	    token != NULL ? "\r\n" : "", body != NULL ?
	    "Content-Type: application/json\r\n" : "");
	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, method, path, hdr, body,
	    len, &r), 0);
	CU_ASSERT_EQUAL(r.status, status);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Content-Type", ct,
	    sizeof ct));
	CU_ASSERT_STRING_EQUAL(ct, "application/problem+json");
	p = json_loads(r.body, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "type")),
	    type);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "title")),
	    title);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(p, "status")),
	    status);
	CU_ASSERT_PTR_NOT_NULL(json_string_value(json_object_get(p,
	    "request_id")));
	if (!documented(type, title, status))
		fprintf(stderr, "\n  docs/problems.md does not document %d %s "
		    "(%s)\n", status, type, title);
	CU_ASSERT(documented(type, title, status));
	json_decref(p);
	harness_response_free(&r);
}

/* 401 from the token gate: the status is all there is to say. */
static void
t_problems_401(void)
{
	expect_problem("GET", "/v1/trains", NULL, NULL, 0, 401, "about:blank",
	    "Unauthorized");
	expect_problem("GET", "/v1/trains", "rg_AAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAA", NULL, 0, 401, "about:blank", "Unauthorized");
}

/* 404 from a handler, and from an SQL function through the database. */
static void
t_problems_404(void)
{
	expect_problem("GET", "/v1/replays/987654", auditor_token, NULL, 0,
	    404, "urn:railgate:problem:unknown-replay", "Unknown replay");
	expect_problem("POST", "/v1/trains/X8024/wagons/218124712173/resolution",
	    officer_token, "{\"action\":\"release\",\"reason\":\"checked\"}",
	    strlen("{\"action\":\"release\",\"reason\":\"checked\"}"), 404,
	    "urn:railgate:problem:unknown-wagon", "Unknown wagon");
	expect_problem("GET", "/v1/no-such-thing", NULL, NULL, 0, 404,
	    "about:blank", "Not Found");
}

/* 413: an officer's action over its 16 KiB. */
static void
t_problems_413(void)
{
	size_t	 n = 20000;
	char	*big = xmalloc(n + 1);

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	expect_problem("POST", "/v1/trains/X8024/wagons/315279550018/resolution",
	    officer_token, big, n, 413, "about:blank", "Payload Too Large");
	free(big);
}

/* 422: an action no wagon can take; a reason that is not one line. */
static void
t_problems_422(void)
{
	const char	*fly = "{\"action\":\"fly\",\"reason\":\"checked\"}";
	const char	*two = "{\"action\":\"release\",\"reason\":\"a\\nb\"}";

	expect_problem("POST", "/v1/trains/X8024/wagons/315279550018/resolution",
	    officer_token, fly, strlen(fly), 422,
	    "urn:railgate:problem:unknown-action", "Unknown action");
	expect_problem("POST", "/v1/trains/X8024/wagons/315279550018/resolution",
	    officer_token, two, strlen(two), 422,
	    "urn:railgate:problem:reason-unreadable", "Reason unreadable");
}

/* 400 from the connection guard, before any route: the same shape. */
static void
t_problems_guard(void)
{
	struct harness_response	 r;
	json_t			*p;

	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "POST", "/v1/manifests",
	    "Content-Length: 3\r\nContent-Length: 4\r\n", "abc", 3, &r), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	p = json_loads(r.body, 0, NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "type")),
	    "about:blank");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "title")),
	    "Bad Request");
	CU_ASSERT(documented("about:blank", "Bad Request", 400));
	json_decref(p);
	harness_response_free(&r);
}

static CU_TestInfo problems_tests[] = {
	{ "t_problems_401", t_problems_401 },
	{ "t_problems_404", t_problems_404 },
	{ "t_problems_413", t_problems_413 },
	{ "t_problems_422", t_problems_422 },
	{ "t_problems_guard", t_problems_guard },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_problems", problems_suite_init, problems_suite_clean,
    problems_tests)
