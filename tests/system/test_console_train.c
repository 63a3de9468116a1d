/*
 * test_console_train.c -- the train page for the officer's shift (issue
 * 18, item 5) in a real browser (headless Chromium at 1400x900, through
 * tests/system/webdriver.h), against the real daemon and PostgreSQL.
 *
 * A 55-wagon train (`railgate gen --wagons 55 --items 1000 --seed 6 --risk
 * 0,doc=0.2,seal=0.05`, a heavy shift: more than twelve document checks
 * and a few wagons set out for inspection, none held, under the default
 * rule set; the test reads which from the database) fits the screen: every
 * wagon's box within the 1,400 px window, counts per lane above the
 * strip, the decision's one-line why, the hits by rule, most severe
 * first.  The keyboard moves between wagons, picks and opens them.
 * Twelve document checks are picked and resolved at once with one reason
 * (no action is chosen for the officer); approval shows its preview --
 * refused while checks wait, then the wagons released and set out and
 * the operators notified -- and only the second confirmation makes the
 * decision final.  Controls follow the role signed in.  Screenshots go to
 * BUILD/test-artefacts/console-train-*.png.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"
#include "webdriver.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], admin_token[64];
static char	artefacts[512];
static char	train[32];

/* Posts the generated train as the operator; 0 once it is decided. */
static int
submit_generated(void)
{
	struct harness_response	 r;
	char			 cmd[1024], path[512], hdr[256], *data, *v;
	size_t			 len;
	long			 n;
	FILE			*f;
	int			 status;

	snprintf(path, sizeof path, "%s/train55.edi", dm.dir);
	snprintf(cmd, sizeof cmd, "%s/railgate gen --wagons 55 --items 1000 "
	    "--seed 6 --risk 0,doc=0.2,seal=0.05 --format edifact -o %s",
	    test_build_dir(), path);
	if (system(cmd) != 0 || (f = fopen(path, "rb")) == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = xmalloc((size_t)n + 1);
	len = fread(data, 1, (size_t)n, f);
	fclose(f);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\nContent-Type: "
	    "application/EDIFACT\r\n", operator_token);
	status = harness_http(dm.port, "POST", "/v1/manifests", hdr, data, len,
	    &r) < 0 ? -1 : r.status;
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	if (status != 202 || (v = harness_sql(&pg, "SELECT train_no FROM "
	    "trains LIMIT 1")) == NULL)
		return -1;
	snprintf(train, sizeof train, "%s", v);
	free(v);
	return officers_decided(&pg, train) ? 0 : -1;
}

static int
suite_init(void)
{
	char	conf[2048];

	if (wd_available("integration_console_train") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[notices]\nallow_private_endpoints = "
	    "yes\n", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0 ||
	    harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.shift", officer_token) < 0 ||
	    harness_token(&pg, "admin", "a.admin", admin_token) < 0)
		return -1;
	/* One operator; nothing listens there: the notice is only queued. */
	if (officers_call(dm.port, admin_token, "PUT", "/v1/subscriptions/ktze",
	    "{\"url\":\"http://127.0.0.1:9/hooks\",\"formats\":[\"json\"],"
	    "\"carriers\":[\"KZ-KTZE\",\"CN-CRCT\"],"
	    "\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}", NULL) !=
	    200 || submit_generated() < 0)
		return -1;
	return wd_start(artefacts);
}

static int
suite_clean(void)
{
	wd_stop();
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* The number of the train's wagons whose action now is in list. */
static long
wagons_in(const char *list)
{
	char	*v = officers_sql(&pg, "SELECT count(*) FROM wagons w JOIN "
	    "trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "coalesce(upper(w.resolution), w.action) IN (%s)", train, list);
	long	 n = atol(v);

	free(v);
	return n;
}

/* A script's integer result, -1 when it is not one. */
static long
js_int(const char *script)
{
	json_t	*v = wd_js(script);
	long	 n = json_is_integer(v) ? (long)json_integer_value(v) : -1;

	json_decref(v);
	return n;
}

/* A script's boolean result. */
static bool
js_true(const char *script)
{
	json_t	*v = wd_js(script);
	bool	 b = json_is_true(v);

	json_decref(v);
	return b;
}

/*
 * wd_type / wd_click, tried again when the page redrew the element
 * between finding it and acting on it (the train page polls and redraws
 * every few seconds): a stale element takes no keys, so none goes twice.
 */
static int
press(const char *css, const char *keys)
{
	int	i;

	for (i = 0; i < 3; i++)
		if (wd_type(css, keys) == 0)
			return 0;
	return -1;
}

static int
click(const char *css)
{
	int	i;

	for (i = 0; i < 3; i++)
		if (wd_click(css) == 0)
			return 0;
	return -1;
}

/*
 * Clicks the element matching css with a modifier key held (key: the
 * WebDriver code, e.g. U+E009 Control), through the Actions API: the
 * browser's own events.  0 or -1.
 */
static int
modifier_click(const char *css, const char *key)
{
	char	 id[128];
	json_t	*v, *origin;

	if (!wd_wait(css, id, sizeof id, 5000))
		return -1;
	origin = json_pack("{s:s}", "element-6066-11e4-a52e-4f735466cecf", id);
	v = wd("POST", "/actions", json_pack("{s:[{s:s,s:s,s:[{s:s,s:s},"
	    "{s:s,s:i},{s:s,s:i},{s:s,s:s}]},{s:s,s:s,s:{s:s},s:[{s:s,s:o,"
	    "s:i,s:i},{s:s,s:i},{s:s,s:i},{s:s,s:i}]}]}", "actions",
	    "type", "key", "id", "keyboard", "actions",
	    "type", "keyDown", "value", key,
	    "type", "pause", "duration", 0,
	    "type", "pause", "duration", 0,
	    "type", "keyUp", "value", key,
	    "type", "pointer", "id", "mouse", "parameters", "pointerType",
	    "mouse", "actions",
	    "type", "pointerMove", "origin", origin, "x", 0, "y", 0,
	    "type", "pointerDown", "button", 0,
	    "type", "pointerUp", "button", 0,
	    "type", "pause", "duration", 0), true);
	if (v == NULL)
		return -1;
	json_decref(v);
	json_decref(wd("DELETE", "/actions", NULL, true));
	return 0;
}

/* Signs in with the officer's token and opens the train page. */
static void
t_train_open(void)
{
	char	 url[160], id[128];
	json_t	*v;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/#/train/%s", dm.port,
	    train);
	v = wd("POST", "/url", json_pack("{s:s}", "url", url), true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait("#login-form #token", id, sizeof id, 5000));
	CU_ASSERT_EQUAL_FATAL(wd_type("#token", officer_token), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#login-submit"), 0);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'train' && document.querySelectorAll("
	    "'#strip .wagon').length === 55;", 8000));
}

/*
 * 55 wagons fit the 1,400 px window; the counts per lane are the
 * database's; the one-line why; the hits by rule, most severe first.
 */
static void
t_train_fits_and_counts(void)
{
	char	 q[256], *s;
	long	 n;

	CU_ASSERT_EQUAL(js_int("return window.innerWidth;") <= 1400, 1);
	CU_ASSERT_EQUAL(js_int("var w = window.innerWidth; return "
	    "Array.prototype.filter.call(document.querySelectorAll("
	    "'#strip .wagon'), function (b) { var r = "
	    "b.getBoundingClientRect(); return r.left >= 0 && r.right <= w "
	    "&& r.width >= 12; }).length;"), 55);
	CU_ASSERT(js_true("var s = document.getElementById('strip'); return "
	    "s.scrollWidth <= s.parentNode.clientWidth;"));
	/* Every lane's count, as stored. */
	n = wagons_in("'DOC_CHECK'");
	CU_ASSERT(n >= 14);
	snprintf(q, sizeof q, "return Number(document.querySelector("
	    "\"#lane-counts [data-lane='DOC_CHECK']\").getAttribute("
	    "'data-count'));");
	CU_ASSERT_EQUAL(js_int(q), n);
	CU_ASSERT_EQUAL(js_int("return Number(document.querySelector("
	    "\"#lane-counts [data-lane='RELEASE']\").getAttribute("
	    "'data-count'));"), wagons_in("'RELEASE'"));
	CU_ASSERT_EQUAL(js_int("return Number(document.querySelector("
	    "\"#lane-counts [data-lane='INSPECT']\").getAttribute("
	    "'data-count'));"), wagons_in("'INSPECT'"));
	/* The decision's why, in one line. */
	s = wd_js_string("return document.getElementById('decision-why')"
	    ".textContent;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "PARTIAL_RELEASE: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "wagons wait for a document check"));
	CU_ASSERT_PTR_NULL(strchr(s, '\n'));
	free(s);
	/* A HOLD says what holds it: the train-level hits, most severe
	 * rule first, and the wagons set out. */
	s = wd_js_string("return RG.decisionWhy({decision: 'HOLD', wagons: "
	    "[{action: 'HOLD'}, {action: 'RELEASE'}, {action: 'INSPECT'}], "
	    "train_hits: [{rule: 'unplaced-goods', action: 'DOC_CHECK'}, "
	    "{rule: 'no-mode', action: 'HOLD'}]});");
	CU_ASSERT_STRING_EQUAL(s, "HOLD: 2 train-level hits (no-mode, "
	    "unplaced-goods); 1 of 3 wagons released; 2 wagons set out");
	free(s);
	s = wd_js_string("return RG.decisionWhy({decision: 'HOLD', wagons: "
	    "[{action: 'REFUSE'}], train_hits: []});");
	CU_ASSERT_STRING_EQUAL(s, "HOLD: no wagon can be released; 1 wagon "
	    "set out");
	free(s);
	s = wd_js_string("return RG.decisionWhy({decision: 'RELEASE', wagons: "
	    "[{action: 'RELEASE'}, {action: 'AUDIT'}]});");
	CU_ASSERT_STRING_EQUAL(s, "RELEASE: all 2 wagons released; 1 with a "
	    "post-clearance audit");
	free(s);
	/* The hits by rule: never a less severe one before a more severe. */
	CU_ASSERT(js_true("var rank = {RELEASE: 0, AUDIT: 1, DOC_CHECK: 2, "
	    "INSPECT: 3, HOLD: 4, REFUSE: 5}, rows = document.querySelectorAll("
	    "'#hit-summary tr'), i; if (rows.length < 2) return false; "
	    "for (i = 1; i < rows.length; i++) if (rank[rows[i].getAttribute("
	    "'data-action')] > rank[rows[i - 1].getAttribute('data-action')]) "
	    "return false; return true;"));
	if (wagons_in("'INSPECT'") > 0)
		CU_ASSERT(js_true("return document.querySelector("
		    "'#hit-summary tr').getAttribute('data-action') === "
		    "'INSPECT';"));
	CU_ASSERT_EQUAL(wd_screenshot("train-55"), 0);
}

/*
 * The keyboard: arrows move between wagons, Space picks the wagon with
 * the focus, Enter opens it.
 */
static void
t_train_keyboard(void)
{
	json_t	*v;

	v = wd_js("document.querySelector(\"#strip .wagon[data-position='1']"
	    "\").focus(); return true;");
	json_decref(v);
	CU_ASSERT_EQUAL_FATAL(press("#strip .wagon[data-position='1']",
	    "\xee\x80\x94"), 0);		/* U+E014 ArrowRight */
	CU_ASSERT_EQUAL(js_int("return Number(document.activeElement"
	    ".getAttribute('data-position'));"), 2);
	/* Tab reaches the strip once, at the wagon moved to. */
	CU_ASSERT(js_true("var t = document.querySelectorAll(\"#strip "
	    ".wagon[tabindex='0']\"); return t.length === 1 && "
	    "t[0].getAttribute('data-position') === '2';"));
	CU_ASSERT_EQUAL_FATAL(press("#strip .wagon[data-position='2']",
	    "\xee\x80\x8d"), 0);		/* U+E00D Space */
	CU_ASSERT(wd_wait_js("return document.querySelector(\"#strip "
	    ".wagon[data-position='2']\").classList.contains('picked') && "
	    "document.getElementById('bulk-picked').getAttribute("
	    "'data-count') === '1';", 3000));
	/* Space picked it and did not open it. */
	CU_ASSERT(js_true("return document.querySelector('#wagon-detail h3') "
	    "=== null;"));
	CU_ASSERT_EQUAL_FATAL(press("#strip .wagon[data-position='2']",
	    "\xee\x80\x87"), 0);		/* U+E007 Enter */
	CU_ASSERT(wd_wait_js("var h = document.querySelector('#wagon-detail "
	    "h3'); return h !== null && h.textContent.indexOf('position 2') "
	    ">= 0;", 3000));
	CU_ASSERT(js_true("return document.getElementById('strip-keys')"
	    ".textContent.indexOf('Space') >= 0;"));
	CU_ASSERT_EQUAL_FATAL(click("#pick-clear"), 0);
	CU_ASSERT(wd_wait_js("return document.getElementById('bulk-picked')"
	    ".getAttribute('data-count') === '0';", 3000));

	/* The mouse: Ctrl-click picks one, Shift-click the run up to it. */
	CU_ASSERT_EQUAL_FATAL(modifier_click("#strip .wagon[data-position='5']",
	    "\xee\x80\x89"), 0);		/* U+E009 Control */
	CU_ASSERT(wd_wait_js("return document.getElementById('bulk-picked')"
	    ".getAttribute('data-count') === '1';", 3000));
	CU_ASSERT_EQUAL_FATAL(modifier_click("#strip .wagon[data-position='8']",
	    "\xee\x80\x88"), 0);		/* U+E008 Shift */
	CU_ASSERT(wd_wait_js("return document.getElementById('bulk-picked')"
	    ".textContent === '4 wagons selected: positions 5\u20138';", 3000));
	CU_ASSERT_EQUAL_FATAL(click("#pick-clear"), 0);
	CU_ASSERT(wd_wait_js("return document.getElementById('bulk-picked')"
	    ".getAttribute('data-count') === '0';", 3000));
}

/*
 * Twelve document checks picked (the keyboard's Space on each) and
 * released at once with one reason; the form chooses no action for the
 * officer.
 */
static void
t_train_bulk_twelve(void)
{
	char	 css[96], js[512], *s;
	json_t	*v;
	size_t	 i;
	long	 before = wagons_in("'DOC_CHECK'");

	v = wd_js("return Array.prototype.map.call(document.querySelectorAll("
	    "\"#strip .wagon[data-action='DOC_CHECK']\"), function (b) { "
	    "return Number(b.getAttribute('data-position')); });");
	CU_ASSERT_FATAL(json_array_size(v) >= 14);
	for (i = 0; i < 12; i++) {
		snprintf(css, sizeof css, "#strip .wagon[data-position='%lld']",
		    (long long)json_integer_value(json_array_get(v, i)));
		CU_ASSERT_EQUAL_FATAL(press(css, "\xee\x80\x8d"), 0);
	}
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait_js("return document.getElementById("
	    "'bulk-picked').getAttribute('data-count') === '12' && "
	    "document.querySelectorAll('#strip .wagon.picked').length === 12;",
	    3000));
	/* No default action: sending without one sends nothing. */
	CU_ASSERT(js_true("return document.getElementById('bulk-action')"
	    ".value === '';"));
	CU_ASSERT_EQUAL_FATAL(press("#bulk-reason", "documents presented "
	    "for wagons 3-17"), 0);
	CU_ASSERT_EQUAL_FATAL(click("#bulk-submit"), 0);
	CU_ASSERT(wd_wait_js("return document.getElementById('bulk-result')"
	    ".textContent === 'choose an action';", 3000));
	CU_ASSERT_EQUAL(wagons_in("'DOC_CHECK'"), before);

	CU_ASSERT_EQUAL_FATAL(click("#bulk-action option[value=release]"),
	    0);
	CU_ASSERT_EQUAL_FATAL(click("#bulk-submit"), 0);
	snprintf(js, sizeof js, "return document.querySelectorAll(\"#strip "
	    ".wagon[data-action='DOC_CHECK']\").length === %ld && "
	    "document.getElementById('bulk-picked').getAttribute("
	    "'data-count') === '0' && document.getElementById('flash')"
	    ".textContent.indexOf('12 wagons') >= 0;", before - 12);
	CU_ASSERT_FATAL(wd_wait_js(js, 8000));
	CU_ASSERT_EQUAL(wagons_in("'DOC_CHECK'"), before - 12);
	s = officers_sql(&pg, "SELECT count(*) FROM audit_log WHERE action = "
	    "'wagon.release' AND actor = 'o.shift' AND details::json->>"
	    "'reason' = 'documents presented for wagons 3-17'");
	CU_ASSERT_STRING_EQUAL(s, "12");
	free(s);
	CU_ASSERT(wd_wait_js("return Number(document.querySelector("
	    "\"#lane-counts [data-lane='DOC_CHECK']\").getAttribute("
	    "'data-count')) === document.querySelectorAll(\"#strip "
	    ".wagon[data-action='DOC_CHECK']\").length;", 3000));
	CU_ASSERT_EQUAL(wd_screenshot("train-bulk"), 0);
}

/* Opens the approval dialog and waits for its preview. */
static bool
open_preview(void)
{
	return click("#approve-submit") == 0 && wd_wait_js("var d = "
	    "document.getElementById('approve-dialog'); return d !== null && "
	    "d.open && d.getAttribute('data-state') === 'ready';", 5000);
}

/*
 * Approval shows what it will do and asks once more: refused while
 * document checks wait; then the wagons released and set out and the
 * operator notified; Cancel changes nothing; the confirmation makes the
 * decision final with exactly that.
 */
static void
t_train_approval_preview(void)
{
	char	*s;

	/* Checks still wait: the preview says so, approval is not offered. */
	CU_ASSERT_FATAL(open_preview());
	CU_ASSERT(js_true("return document.getElementById('approve-confirm')"
	    ".disabled && document.getElementById('preview-refusal')"
	    ".textContent.indexOf('document check') >= 0;"));
	CU_ASSERT_EQUAL(js_int("return Number(document.getElementById("
	    "'preview-pending').getAttribute('data-count'));"),
	    wagons_in("'DOC_CHECK'"));
	CU_ASSERT_EQUAL_FATAL(click("#approve-cancel"), 0);

	/* The rest set out at once. */
	CU_ASSERT_EQUAL_FATAL(click("#pick-doccheck"), 0);
	CU_ASSERT_EQUAL_FATAL(click("#bulk-action option[value=inspect]"),
	    0);
	CU_ASSERT_EQUAL_FATAL(press("#bulk-reason", "papers missing: "
	    "inspect at the platform"), 0);
	CU_ASSERT_EQUAL_FATAL(click("#bulk-submit"), 0);
	CU_ASSERT_FATAL(wd_wait_js("return document.querySelectorAll("
	    "\"#strip .wagon[data-action='DOC_CHECK']\").length === 0 && "
	    "document.getElementById('pick-doccheck').disabled;", 8000));
	CU_ASSERT_EQUAL(wagons_in("'DOC_CHECK'"), 0);

	CU_ASSERT_FATAL(open_preview());
	CU_ASSERT(js_true("return !document.getElementById('approve-confirm')"
	    ".disabled && document.getElementById('preview-refusal') === "
	    "null;"));
	CU_ASSERT_EQUAL(js_int("return Number(document.getElementById("
	    "'preview-released').getAttribute('data-count'));"),
	    wagons_in("'RELEASE', 'AUDIT'"));
	CU_ASSERT_EQUAL(js_int("return Number(document.getElementById("
	    "'preview-setout').getAttribute('data-count'));"),
	    wagons_in("'INSPECT', 'HOLD', 'REFUSE'"));
	CU_ASSERT_EQUAL(js_int("return Number(document.getElementById("
	    "'preview-pending').getAttribute('data-count'));"), 0);
	s = wd_js_string("return document.getElementById('preview-notices')"
	    ".textContent;");
	CU_ASSERT_STRING_EQUAL(s, "ktze (json)");
	free(s);
	s = wd_js_string("return document.getElementById('preview-outcome')"
	    ".textContent;");
	CU_ASSERT_STRING_EQUAL(s, "PARTIAL_RELEASE");
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("train-approval"), 0);
	/* Cancel: nothing final, nothing sent. */
	CU_ASSERT_EQUAL_FATAL(click("#approve-cancel"), 0);
	CU_ASSERT(js_true("return !document.getElementById('approve-dialog')"
	    ".open;"));
	OFFICERS_CHECK_SQL(&pg, "f", "SELECT decision_final FROM trains "
	    "WHERE train_no = '%s'", train);
	OFFICERS_CHECK_SQL(&pg, "0", "SELECT count(*) FROM notices WHERE "
	    "format <> 'provisional'");

	/* Asked once more, confirmed: final. */
	CU_ASSERT_FATAL(open_preview());
	CU_ASSERT_EQUAL_FATAL(click("#approve-confirm"), 0);
	CU_ASSERT(wd_wait_js("var d = document.getElementById("
	    "'train-decision'); return d !== null && d.textContent.indexOf("
	    "'(final)') >= 0 && !document.getElementById('approve-dialog')"
	    ".open;", 8000));
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, train);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM notices WHERE "
	    "format <> 'provisional'");
}

/*
 * Controls follow the role signed in (RG.me, as GET /v1/session fills
 * it): an auditor's page offers neither approval nor the bulk form.
 */
static void
t_train_role_buttons(void)
{
	json_t	*v;

	v = wd_js("RG.me = {principal: 'a.audit', role: 'auditor'}; "
	    "RG.loadTrain(RG.state.trainId); return true;");
	json_decref(v);
	CU_ASSERT(wd_wait_js("return document.getElementById('approve-role') "
	    "!== null && document.getElementById('approve-submit') === null "
	    "&& document.getElementById('bulk-panel').hidden && "
	    "document.getElementById('pick-rule-0') === null;", 5000));
	v = wd_js("RG.me = {principal: 'o.shift', role: 'officer'}; "
	    "RG.loadTrain(RG.state.trainId); return true;");
	json_decref(v);
	CU_ASSERT(wd_wait_js("return document.getElementById('approve-submit') "
	    "!== null && !document.getElementById('bulk-panel').hidden;",
	    5000));
}

static CU_TestInfo tests[] = {
	{ "t_train_open", t_train_open },
	{ "t_train_fits_and_counts", t_train_fits_and_counts },
	{ "t_train_keyboard", t_train_keyboard },
	{ "t_train_bulk_twelve", t_train_bulk_twelve },
	{ "t_train_approval_preview", t_train_approval_preview },
	{ "t_train_role_buttons", t_train_role_buttons },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_console_train", suite_init, suite_clean, tests)
