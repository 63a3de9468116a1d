/*
 * test_console_clock.c -- the train list as the officers' queue, in a real
 * browser (issue 18, item 1): an arrival reported 16 minutes late leaves
 * 4 minutes on the clock, with the arrival reported and received shown in
 * the list and on the train's page;
 * the queue is sorted by time left and leaves finished trains out until
 * "Show finished trains" brings them back; a clock crossing into amber
 * turns amber on screen within 2 s of the crossing.  Screenshots go to
 * BUILD/test-artefacts/console-clock-*.png.
 */
#include <sys/stat.h>

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
#include "webdriver.h"

#define TRAIN	"X8024"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_tok[64], officer_tok[64];
static char			artefacts[512];
static char			reported[32];	/* the late arrival's "at" */

static int
post_arrival(const char *at)
{
	struct harness_response	r;
	char			hdr[256], body[128];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\nContent-Type: "
	    "application/json\r\n", operator_tok);
	snprintf(body, sizeof body, "{\"type\":\"arrived\",\"at\":\"%s\"}", at);
	if (harness_http(dm.port, "POST", "/v1/trains/" TRAIN "/events", hdr,
	    body, strlen(body), &r) < 0)
		return -1;
	status = r.status;
	harness_response_free(&r);
	return status;
}

static int
console_clock_init(void)
{
	if (wd_available("integration_console_clock") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_tok) < 0 ||
	    harness_token(&pg, "officer", "o.queue", officer_tok) < 0)
		return -1;
	if (harness_submit_fixture(dm.port, operator_tok,
	    "edifact/cuscar_s3_alashankou.edi") != 202 ||
	    !harness_wait_sql(&pg, "SELECT count(*) FROM trains WHERE "
	    "train_no = '" TRAIN "' AND decision IS NOT NULL AND NOT "
	    "eval_needed", NULL, 20000))
		return -1;
	/* A finished train, one with 100 s left, one with 1100 s. */
	free(harness_sql(&pg, "INSERT INTO trains (train_no, run, state, "
	    "decision_final, clock_start, eta) VALUES "
	    "('F0001', 1, 'released', true, now() - interval '30 minutes', "
	    "now()), "
	    "('R0001', 1, 'arrived', false, now() - interval '100 seconds', "
	    "now()), "
	    "('R0002', 1, 'arrived', false, now() - interval '1100 seconds', "
	    "now()) RETURNING 1"));
	return wd_start(artefacts);
}

static int
console_clock_clean(void)
{
	wd_stop();
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* The data-train of every row of the list, space-separated (owned). */
static char *
rows(void)
{
	return wd_js_string("return Array.prototype.map.call(document."
	    "querySelectorAll('#trains tbody tr'), function (r) { return "
	    "r.getAttribute('data-train'); }).join(' ');");
}

/*
 * The officer signs in: the late train shows 4 minutes left (red), the
 * arrival reported and received, and how late the report came.
 */
static void
t_console_clock_late_arrival(void)
{
	char		 url[128], id[128], want[64], *s;
	json_t		*v;
	time_t		 t;
	struct tm	 tm;

	/* The arrival, reported 16 minutes after it happened. */
	t = time(NULL) - 960;
	gmtime_r(&t, &tm);
	strftime(reported, sizeof reported, "%Y-%m-%dT%H:%M:%SZ", &tm);
	CU_ASSERT_EQUAL_FATAL(post_arrival(reported), 202);

	snprintf(url, sizeof url, "http://127.0.0.1:%d/", dm.port);
	v = wd("POST", "/url", json_pack("{s:s}", "url", url), true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait("#login-form #token", id, sizeof id, 5000));
	CU_ASSERT_EQUAL_FATAL(wd_type("#token", officer_tok), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#login-submit"), 0);
	CU_ASSERT_FATAL(wd_wait("tr[data-train='" TRAIN "@1']", id, sizeof id,
	    5000));

	s = wd_js_string("return document.querySelector(\"tr[data-train='"
	    TRAIN "@1'] td.clock .countdown\").textContent;");
	fprintf(stderr, "  the late train's clock: \"%s\"\n", s);
	CU_ASSERT(strcmp(s, "4:00 left") == 0 || strncmp(s, "3:5", 3) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, " left"));
	free(s);
	CU_ASSERT(wd_wait_js("return document.querySelector(\"tr[data-train='"
	    TRAIN "@1'] td.clock\").classList.contains('clock-red');", 2000));
	s = wd_js_string("return document.querySelector(\"tr[data-train='"
	    TRAIN "@1'] td.clock .arrival\").textContent;");
	fprintf(stderr, "  its arrival: \"%s\"\n", s);
	/* Reported "2026-12-06 16:10:00 UTC", as timeText writes it. */
	snprintf(want, sizeof want, "arrived %.10s %.8s UTC (reported)",
	    reported, reported + 11);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "received "));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "reported 16 min late"));
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("clock-late-arrival"), 0);

	/* The train's page shows them too. */
	CU_ASSERT_EQUAL_FATAL(wd_click("tr[data-train='" TRAIN "@1'] a"), 0);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'train' && document.getElementById("
	    "'train-arrival') !== null;", 5000));
	s = wd_js_string("return document.getElementById('train-arrival')."
	    "textContent;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "reported 16 min late"));
	free(s);
	json_decref(wd_js("location.hash = '#/'; return true;"));
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'list';", 5000));
}

/* Most urgent first; finished trains only when asked for. */
static void
t_console_clock_queue(void)
{
	char	*s;

	s = rows();
	CU_ASSERT_STRING_EQUAL(s, "R0002@1 " TRAIN "@1 R0001@1");
	free(s);
	CU_ASSERT_EQUAL_FATAL(wd_click("#list-show-finished"), 0);
	CU_ASSERT(wd_wait_js("return document.querySelector("
	    "\"tr[data-train='F0001@1']\") !== null;", 5000));
	s = rows();
	CU_ASSERT_STRING_EQUAL(s, "R0002@1 " TRAIN "@1 R0001@1 F0001@1");
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("clock-queue-finished"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#list-show-finished"), 0);
	CU_ASSERT(wd_wait_js("return document.querySelector("
	    "\"tr[data-train='F0001@1']\") === null;", 5000));
}

/* A clock crossing into amber shows amber within 2 s of the crossing. */
static void
t_console_clock_turns_amber(void)
{
	struct timespec	 t0, t1;
	double		 late;
	bool		 ok;

	/* 10 minutes left in 5 s. */
	free(harness_sql(&pg, "INSERT INTO trains (train_no, run, state, "
	    "clock_start) VALUES ('A0001', 1, 'arrived', now() - interval "
	    "'595 seconds') RETURNING 1"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Written behind the daemon's back: no audit record, nothing pushed;
	 * the page is told to read the list again once the daemon's copy
	 * (at most a second old) is sure to hold it. */
	usleep(1100 * 1000);
	json_decref(wd_js("RG.route(); return true;"));
	CU_ASSERT_FATAL(wd_wait_js("return document.querySelector("
	    "\"tr[data-train='A0001@1'] td.clock\") !== null && document."
	    "querySelector(\"tr[data-train='A0001@1'] td.clock\").classList."
	    "contains('clock-ok');", 5000));
	ok = wd_wait_js("return document.querySelector(\"tr[data-train="
	    "'A0001@1'] td.clock\").classList.contains('clock-amber');", 8000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT(ok);
	late = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 - 5.0;
	fprintf(stderr, "  amber on screen %.2f s after the crossing\n", late);
	CU_ASSERT(late < 2.0);
	CU_ASSERT_EQUAL(wd_screenshot("clock-amber"), 0);
}

static CU_TestInfo console_clock_tests[] = {
	{ "t_console_clock_late_arrival", t_console_clock_late_arrival },
	{ "t_console_clock_queue", t_console_clock_queue },
	{ "t_console_clock_turns_amber", t_console_clock_turns_amber },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_console_clock", console_clock_init,
    console_clock_clean, console_clock_tests)
