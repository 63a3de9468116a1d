/*
 * test_console_stream.c -- pushed changes in a real browser (issue 18,
 * item 3): two officers' consoles (headless Chromium, webdriver.h) on
 * one daemon, each reading GET /v1/stream through stream.js.
 *
 * Asserted: a clearance clock crossing into amber (the daemon's clock
 * records it: a clock.amber audit record with the train and the seconds
 * left) shows an alert (role="alert", the train, the time left) in both
 * consoles within 2 s of the crossing; the train list does not
 * poll while the stream is up (no GET /v1/trains in 6.5 s, twice the
 * poll interval), and a train submitted meanwhile appears in the list
 * within 2 s all the same.  Screenshot: console-stream-alert.png.
 */
#include <sys/stat.h>

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

#define TRAIN		"X8024"
#define TRAIN2		"X8032"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64], officer_token[64];
static char			officer2_token[64];
static char			artefacts[512];
static int			second = -1;	/* the second console */

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
cs_init(void)
{
	if (wd_available("integration_console_stream") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "cs.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "cs.officer", officer_token) < 0 ||
	    harness_token(&pg, "officer", "cs.officer2", officer2_token) < 0)
		return -1;
	if (harness_submit_fixture(dm.port, operator_token,
	    "edifact/cuscar_s3_alashankou.edi") != 202 ||
	    !harness_wait_sql(&pg, "SELECT count(*) FROM trains WHERE "
	    "train_no = '" TRAIN "' AND decision IS NOT NULL", NULL, 10000))
		return -1;
	return wd_start(artefacts);
}

static int
cs_clean(void)
{
	wd_stop();
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* Opens the console in the current session and signs in with token. */
static void
sign_in(const char *token)
{
	char	 url[128], id[128];
	json_t	*v;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/", dm.port);
	v = wd("POST", "/url", json_pack("{s:s}", "url", url), true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait("#login-form #token", id, sizeof id, 5000));
	CU_ASSERT_EQUAL_FATAL(wd_type("#token", token), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#login-submit"), 0);
	CU_ASSERT_FATAL(wd_wait("tr[data-train='" TRAIN "@1']", id, sizeof id,
	    5000));
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-stream') === 'up';", 5000));
}

/* Both consoles show the alert within 2 s of the crossing. */
static void
t_console_stream_alert(void)
{
	static const char alert_js[] = "return !!document.querySelector("
	    "\"#alerts .alert-amber[role='alert'][data-train='" TRAIN "']\");";
	long long	t0, first;
	char		*v, *s;

	wd_use(0);
	sign_in(officer_token);
	second = wd_session_open();
	CU_ASSERT_FATAL(second > 0);
	sign_in(officer2_token);

	/* A real crossing: the train's clock set 597 s into its 20-minute
	 * target, so that it turns amber (10 minutes left) in 3 s, and the
	 * daemon's clock (daemon/clock.c, asked every second) records it. */
	v = harness_sql(&pg, "UPDATE trains SET clock_start = now() - "
	    "interval '597 seconds', clock_logged = NULL WHERE train_no = '"
	    TRAIN "' RETURNING 1");
	CU_ASSERT_PTR_NOT_NULL(v);
	free(v);
	t0 = now_ms() + 3000;	/* the crossing */
	CU_ASSERT(wd_wait_js(alert_js, 5000));
	first = now_ms() - t0;
	wd_use(0);
	CU_ASSERT(wd_wait_js(alert_js, 500));
	fprintf(stderr, "\n  amber alert on both consoles %lld ms after the "
	    "crossing (the second checked after the first)\n", now_ms() - t0);
	CU_ASSERT(first < 2000);
	s = wd_js_string("return document.querySelector('#alerts "
	    ".alert-amber').textContent;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, TRAIN));
	CU_ASSERT(strstr(s, "10:00") != NULL || strstr(s, "9:5") != NULL);
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("stream-alert"), 0);
	/* Dismissed, it goes. */
	CU_ASSERT_EQUAL(wd_click("#alerts .alert-amber .alert-dismiss"), 0);
	CU_ASSERT(wd_wait_js("return !document.querySelector("
	    "'#alerts .alert-amber');", 2000));
}

/* The number of GET /v1/trains (the list, with or without a filter) the
 * page has made (resource timing). */
static long
list_fetches(void)
{
	json_t	*v = wd_js("return performance.getEntriesByType('resource')."
	    "filter(function (e) { return /\\/v1\\/trains(\\?|$)/.test(e.name); })."
	    "length;");
	long	n = json_is_integer(v) ? (long)json_integer_value(v) : -1;

	json_decref(v);
	return n;
}

/* The list does not poll while the stream is up, and still updates. */
static void
t_console_stream_list_no_polling(void)
{
	long		before, after;
	long long	t0;
	char		id[128];

	wd_use(0);
	sleep(2);	/* the second read after the last message (stream.js) */
	before = list_fetches();
	CU_ASSERT_FATAL(before >= 1);
	sleep(6);
	CU_ASSERT(wd_wait_js("return document.body.getAttribute('data-stream')"
	    " === 'up';", 500));
	after = list_fetches();
	fprintf(stderr, "\n  GET /v1/trains while idle for 6 s: %ld\n",
	    after - before);
	CU_ASSERT_EQUAL(after, before);
	t0 = now_ms();
	CU_ASSERT_EQUAL(harness_submit_fixture(dm.port, operator_token,
	    "edifact/cuscar_unoc_utf8.edi"), 202);
	CU_ASSERT(wd_wait("tr[data-train='" TRAIN2 "@1']", id, sizeof id,
	    2000));
	fprintf(stderr, "  new train in the list %lld ms after its submission\n",
	    now_ms() - t0);
	CU_ASSERT(list_fetches() > after);
}

static CU_TestInfo cs_tests[] = {
	{ "t_console_stream_alert", t_console_stream_alert },
	{ "t_console_stream_list_no_polling", t_console_stream_list_no_polling },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_console_stream", cs_init, cs_clean, cs_tests)
