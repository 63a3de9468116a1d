/*
 * test_console_wagon.c -- issue 18, item 5 in a real browser (headless
 * Chromium through chromedriver, tests/system/webdriver.h): the search
 * box finds a container, its hit opens the wagon's page, which shows the
 * goods (HS code, value, origin), the parties with their screening, the
 * declared documents and the containers' seals; an officer records a
 * seal check found damaged there, and the page shows the new evaluation:
 * the wagon set out for inspection, its seal hit, the event with its
 * author.  The wagon panel of the train page links to the page; hits are
 * drawn most severe first.  Screenshots go to
 * BUILD/test-artefacts/console-wagon-*.png.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"
#include "unit.h"
#include "webdriver.h"

#define CW_TRAIN	"X8024"
#define CW_WAGON	"315279550018"
#define CW_CONTAINER	"TGHU1234567"

static struct harness_pg	cpg;
static struct harness_daemon	cdm;
static char			operator_tok[64], officer_tok[64];
static char			artefacts[512];

static int
console_wagon_init(void)
{
	if (wd_available("integration_console_wagon") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&cpg) < 0 || harness_daemon_start(&cdm,
	    cpg.conf) < 0)
		return -1;
	if (harness_token(&cpg, "operator", "cw.operator", operator_tok) < 0 ||
	    harness_token(&cpg, "officer", "o.wagon", officer_tok) < 0)
		return -1;
	if (harness_submit_fixture(cdm.port, operator_tok,
	    "edifact/cuscar_s3_alashankou.edi") != 202 ||
	    !harness_wait_sql(&cpg, "SELECT count(*) FROM trains WHERE "
	    "train_no = '" CW_TRAIN "' AND decision IS NOT NULL AND NOT "
	    "eval_needed", NULL, 20000))
		return -1;
	return wd_start(artefacts);
}

static int
console_wagon_clean(void)
{
	wd_stop();
	harness_daemon_stop(&cdm);
	harness_pg_stop(&cpg);
	return 0;
}

/* The text of the element matching css ("" when none; owned). */
static char *
text_of(const char *css)
{
	char	script[256];

	snprintf(script, sizeof script, "var e = document.querySelector(\"%s\");"
	    " return e === null ? '' : e.textContent;", css);
	return wd_js_string(script);
}

/* Signs in with the officer's token; the train list shows. */
static void
t_console_wagon_sign_in(void)
{
	char	 url[128], id[128];
	json_t	*v;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/", cdm.port);
	v = wd("POST", "/url", json_pack("{s:s}", "url", url), true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait("#login-form #token", id, sizeof id, 5000));
	CU_ASSERT_EQUAL_FATAL(wd_type("#token", officer_tok), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#login-submit"), 0);
	CU_ASSERT_FATAL(wd_wait("tr[data-train='" CW_TRAIN "@1']", id,
	    sizeof id, 5000));
}

/* The search box finds the container; its hit opens the wagon's page. */
static void
t_console_wagon_search_opens_page(void)
{
	char	id[128], *s;

	CU_ASSERT_FATAL(wd_wait("#search-form #search-q", id, sizeof id, 5000));
	CU_ASSERT_EQUAL_FATAL(wd_type("#search-q", "tghu1234"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#search-submit"), 0);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'search';", 5000));
	s = text_of("#search");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "container " CW_CONTAINER " on wagon "
	    CW_WAGON " of train " CW_TRAIN "@1"));
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("wagon-search"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click(".search-hit[data-kind=container] a"), 0);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'wagon' && location.hash.indexOf('/wagon/"
	    CW_WAGON "') > 0;", 8000));
}

/* Goods, parties with their screening, documents, seals, the action. */
static void
t_console_wagon_page_content(void)
{
	char	*s;

	s = text_of("#wagon-goods");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "870840"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "Auto parts: gearboxes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "182,000 USD"));
	free(s);
	s = wd_js_string("return document.querySelector('#wagon-goods td.origin')"
	    ".textContent;");
	CU_ASSERT_STRING_EQUAL(s, "DE");
	free(s);
	s = text_of("#wagon-parties");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "Getriebe Nord GmbH"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "Xinjiang Alashankou Logistics"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "AEO CN123456789"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "no hit"));
	free(s);
	s = text_of("#wagon-documents");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "861 DE-CO-55120"));
	free(s);
	s = text_of("#wagon-containers");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, CW_CONTAINER));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "CN0099812 (customs, intact)"));
	free(s);
	s = wd_js_string("return document.getElementById('wagon-action')"
	    ".getAttribute('data-action');");
	CU_ASSERT_STRING_EQUAL(s, "RELEASE");
	free(s);
	s = wd_js_string("return document.getElementById("
	    "'wagon-train-decision').getAttribute('data-decision');");
	CU_ASSERT_STRING_EQUAL(s, "PARTIAL_RELEASE");
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("wagon-page"), 0);
}

/*
 * A seal check entered on the page: the container's customs seal found
 * damaged (etc/rules/default, rule seal-mismatch: seals_damaged sets the
 * container's wagon out for INSPECT).  The page shows the evaluation that
 * follows, without being reloaded.
 */
static void
t_console_wagon_seal_check_changes_decision(void)
{
	char	*s;
	json_t	*v;

	/* Nothing set out before. */
	s = harness_sql(&cpg, "SELECT decision->'counts'->>'set_out' FROM "
	    "trains WHERE train_no = '" CW_TRAIN "'");
	CU_ASSERT_STRING_EQUAL(s != NULL ? s : "", "0");
	free(s);
	/* The declared seal is offered for the chosen container. */
	v = wd_js("var e = document.getElementById('seal-equipment'); "
	    "e.value = '" CW_CONTAINER "'; e.dispatchEvent(new Event('change'));"
	    " return document.getElementById('seal-number').value;");
	CU_ASSERT_STRING_EQUAL(json_string_value(v) != NULL ?
	    json_string_value(v) : "", "CN0099812");
	json_decref(v);
	CU_ASSERT_EQUAL_FATAL(wd_click("#seal-condition option[value=damaged]"),
	    0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#seal-submit"), 0);
	CU_ASSERT_FATAL(wd_wait_js("var a = document.getElementById("
	    "'wagon-action'); return a !== null && a.getAttribute("
	    "'data-action') === 'INSPECT';", 15000));
	CU_ASSERT(wd_wait_js("return document.getElementById('evidence-result')"
	    ".textContent.indexOf('The new evaluation: wagon INSPECT') === 0;",
	    5000));
	s = text_of("#wagon-hits .hit .rule");
	CU_ASSERT_STRING_EQUAL(s, "seal-mismatch");
	free(s);
	s = text_of("#wagon-hits .hit .reason");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "container " CW_CONTAINER));
	free(s);
	/* The event, with who posted it. */
	s = text_of("#wagon-events tr[data-type=seal_check]");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, CW_CONTAINER ": seal CN0099812 "
	    "damaged"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "o.wagon (officer)"));
	free(s);
	/* The train's decision changed with it: wagon 1 set out. */
	s = harness_sql(&cpg, "SELECT (decision->'counts'->>'set_out') || ' ' "
	    "|| (decision->'wagons'->0->>'action') FROM trains WHERE train_no "
	    "= '" CW_TRAIN "'");
	CU_ASSERT_STRING_EQUAL(s != NULL ? s : "", "1 INSPECT");
	free(s);
	/* Stored as the officer posted it. */
	s = harness_sql(&cpg, "SELECT principal || ' ' || role || ' ' || "
	    "(body->>'condition') FROM events WHERE type = 'seal_check'");
	CU_ASSERT_STRING_EQUAL(s != NULL ? s : "", "o.wagon officer damaged");
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("wagon-seal-check"), 0);
}

/* The train page's wagon panel links to the page; hits by severity. */
static void
t_console_wagon_panel_link_and_order(void)
{
	char	*s;
	json_t	*v;

	CU_ASSERT_EQUAL_FATAL(wd_click("#wagon-train-link"), 0);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'train';", 5000));
	CU_ASSERT_EQUAL_FATAL(wd_click("#strip .wagon[data-position='1']"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#wagon-page-link"), 0);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'wagon';", 5000));
	s = wd_js_string("return document.getElementById('wagon-action')"
	    ".getAttribute('data-action');");
	CU_ASSERT_STRING_EQUAL(s, "INSPECT");
	free(s);
	/* renderHits, shared with the train-level hits: most severe first. */
	v = wd_js("return Array.prototype.map.call(RG.renderHits(["
	    "{action: 'AUDIT', rule: 'a', reason: 'a'}, "
	    "{action: 'DOC_CHECK', rule: 'd', reason: 'd'}, "
	    "{action: 'REFUSE', rule: 'r', reason: 'r'}, "
	    "{action: 'RELEASE', rule: 'x', reason: 'x'}, "
	    "{action: 'INSPECT', rule: 'i', reason: 'i'}, "
	    "{action: 'HOLD', rule: 'h', reason: 'h'}]).children, function (li)"
	    " { return li.getAttribute('data-action'); }).join(' ');");
	CU_ASSERT_STRING_EQUAL(json_string_value(v) != NULL ?
	    json_string_value(v) : "", "REFUSE HOLD INSPECT DOC_CHECK AUDIT "
	    "RELEASE");
	json_decref(v);
}

/* "]" and "[" walk along the train; "/" goes to the search box. */
static void
t_console_wagon_keyboard(void)
{
	json_t	*v;

	v = wd_js("document.body.dispatchEvent(new KeyboardEvent('keydown', "
	    "{key: ']', bubbles: true})); return true;");
	json_decref(v);
	CU_ASSERT(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'wagon' && document.getElementById("
	    "'wagon-action') !== null && location.hash.indexOf("
	    "'/wagon/315279550026') > 0 && document.querySelector('#wagon-top "
	    "h2').textContent.indexOf('315279550026') >= 0;", 8000));
	v = wd_js("document.body.dispatchEvent(new KeyboardEvent('keydown', "
	    "{key: '[', bubbles: true})); return true;");
	json_decref(v);
	CU_ASSERT(wd_wait_js("return location.hash.indexOf('/wagon/" CW_WAGON
	    "') > 0 && document.querySelector('#wagon-top h2') !== null && "
	    "document.querySelector('#wagon-top h2').textContent.indexOf('"
	    CW_WAGON "') >= 0;", 8000));
	v = wd_js("document.body.dispatchEvent(new KeyboardEvent('keydown', "
	    "{key: '/', bubbles: true})); return document.activeElement.id;");
	CU_ASSERT_STRING_EQUAL(json_string_value(v) != NULL ?
	    json_string_value(v) : "", "search-q");
	json_decref(v);
	v = wd_js("document.activeElement.blur(); return true;");
	json_decref(v);
}

/*
 * The evidence forms follow the role signed in (RG.me, as GET /v1/session
 * fills it): an auditor's page has none, an officer's has them again.
 */
static void
t_console_wagon_forms_follow_role(void)
{
	json_t	*v;

	CU_ASSERT(wd_wait_js("var e = document.getElementById('evidence'); "
	    "return e !== null && !e.hidden;", 3000));
	v = wd_js("RG.me = {principal: 'w.auditor', role: 'auditor'}; "
	    "return true;");
	json_decref(v);
	/* The next poll draws the page for the auditor. */
	CU_ASSERT(wd_wait_js("return document.getElementById('evidence')"
	    ".hidden === true;", 8000));
	v = wd_js("RG.me = {principal: 'o.wagon', role: 'officer'}; "
	    "return true;");
	json_decref(v);
	CU_ASSERT(wd_wait_js("var e = document.getElementById('evidence'); "
	    "return !e.hidden && document.getElementById('seal-submit') !== "
	    "null;", 8000));
}

static CU_TestInfo console_wagon_tests[] = {
	{ "t_console_wagon_sign_in", t_console_wagon_sign_in },
	{ "t_console_wagon_search_opens_page",
	    t_console_wagon_search_opens_page },
	{ "t_console_wagon_page_content", t_console_wagon_page_content },
	{ "t_console_wagon_seal_check_changes_decision",
	    t_console_wagon_seal_check_changes_decision },
	{ "t_console_wagon_panel_link_and_order",
	    t_console_wagon_panel_link_and_order },
	{ "t_console_wagon_keyboard", t_console_wagon_keyboard },
	{ "t_console_wagon_forms_follow_role",
	    t_console_wagon_forms_follow_role },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_console_wagon", console_wagon_init,
    console_wagon_clean, console_wagon_tests)
