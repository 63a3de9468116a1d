/*
 * test_console_foureyes.c -- four eyes in the console, in a real browser
 * (issue 18, item 2): supervisor A proposes the override of a wagon the
 * rules hold, in one console; supervisor B sees it waiting in another,
 * with who proposed it and why, and confirms it; the train page then
 * names who proposed and who confirmed, and shows the wagon's new
 * action.  The proposer's console offers no Confirm (only "waiting" and
 * Withdraw), and an officer's shows no proposals at all (GET
 * /v1/proposals is a supervisor's).  Screenshots go to
 * BUILD/test-artefacts/console-foureyes-*.png.
 *
 * The train (fixtures/xml/four_eyes_x9101.xml): wagon 1 REFUSE (ivory),
 * wagon 2 HOLD (a sanctioned consignor), wagon 3 released.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "harness.h"
#include "officers.h"
#include "unit.h"
#include "webdriver.h"

#define TRAIN		"X9101"
#define W_SANCTION	"315279550026"	/* rules: HOLD */
#define PROPOSAL	"#proposals li.proposal[data-proposal='wagon:" TRAIN \
	"@1:" W_SANCTION "']"
#define REASON		"consignor delisted on 4 December, list checked"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64];
static char	supa_token[64], supb_token[64];
static char	artefacts[512];
static int	session_a = -1, session_b = -1, session_officer = -1;

static int
cfe_init(void)
{
	if (wd_available("integration_console_foureyes") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm,
	    pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.gamma", officer_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.alpha", supa_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.beta", supb_token) < 0)
		return -1;
	if (harness_submit_fixture(dm.port, operator_token,
	    "xml/four_eyes_x9101.xml") != 202 || !officers_decided(&pg, TRAIN))
		return -1;
	if (wd_start(artefacts) < 0)
		return -1;
	session_a = 0;
	return 0;
}

static int
cfe_clean(void)
{
	wd_stop();
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* The current session opens the console at hash and signs in with token. */
static bool
console_login(const char *token, const char *hash)
{
	char	 url[160], id[128];
	json_t	*v;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", dm.port, hash);
	if ((v = wd("POST", "/url", json_pack("{s:s}", "url", url),
	    true)) == NULL)
		return false;
	json_decref(v);
	if (!wd_wait("#login-form #token", id, sizeof id, 5000) ||
	    wd_type("#token", token) < 0 || wd_click("#login-submit") < 0)
		return false;
	return wd_wait_js("return document.body.getAttribute('data-rendered') "
	    "!== null;", 10000);
}

/* Whether the page's text of css holds text (waits up to 10 s). */
static bool
shows(const char *css, const char *text)
{
	char	script[512];

	snprintf(script, sizeof script, "var e = document.querySelector(\"%s\");"
	    " return e !== null && !e.closest('[hidden]') && "
	    "e.textContent.indexOf(\"%s\") >= 0;", css, text);
	return wd_wait_js(script, 10000);
}

/*
 * Supervisor A opens the train, picks the held wagon and releases it with
 * a reason: an override of the rules, so only proposed -- the wagon stays
 * at HOLD, and A's console shows it waiting, with Withdraw and no Confirm.
 */
static void
t_cfe_propose(void)
{
	char	*s;

	wd_use(session_a);
	CU_ASSERT_FATAL(console_login(supa_token, "#/train/" TRAIN));
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'train' && document.querySelectorAll("
	    "'#strip .wagon').length === 3;", 10000));
	CU_ASSERT_EQUAL_FATAL(wd_click("#strip .wagon[data-wagon='" W_SANCTION
	    "']"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#resolve-action option[value=release]"),
	    0);
	CU_ASSERT_EQUAL_FATAL(wd_type("#resolve-reason", REASON), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#resolve-submit"), 0);
	CU_ASSERT(shows(PROPOSAL, "waiting for a second supervisor"));
	CU_ASSERT(wd_wait_js("var p = document.querySelector(\"" PROPOSAL
	    "\"); return p !== null && p.getAttribute('data-mine') === 'true' "
	    "&& p.querySelector('button.withdraw') !== null;", 5000));
	s = wd_js_string("return String(document.querySelectorAll("
	    "'#proposals button.confirm, #proposals button.reject').length);");
	CU_ASSERT_STRING_EQUAL(s, "0");		/* never A's to confirm */
	free(s);
	s = wd_js_string("return document.querySelector(\"#strip "
	    ".wagon[data-wagon='" W_SANCTION "']\").getAttribute("
	    "'data-action');");
	CU_ASSERT_STRING_EQUAL(s, "HOLD");	/* nothing changed yet */
	free(s);
	OFFICERS_CHECK_SQL(&pg, "release/s.alpha", "SELECT proposed_action || "
	    "'/' || proposed_by FROM wagons WHERE number = '%s'", W_SANCTION);
	CU_ASSERT_EQUAL(wd_screenshot("foureyes-proposed"), 0);
}

/* An officer's console shows no proposals and no Confirm. */
static void
t_cfe_officer_sees_none(void)
{
	char	*s;

	CU_ASSERT_FATAL((session_officer = wd_session_open()) >= 0);
	CU_ASSERT_FATAL(console_login(officer_token, ""));
	CU_ASSERT(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'list';", 10000));
	sleep(4);			/* a poll of the proposals at least */
	s = wd_js_string("return String(document.getElementById('proposals')"
	    ".hidden) + '/' + document.querySelectorAll('#proposals "
	    "button').length;");
	CU_ASSERT_STRING_EQUAL(s, "true/0");
	free(s);
}

/*
 * Supervisor B, in another console, sees it waiting on the train list --
 * who proposed it, the reason -- and confirms it: the list empties, the
 * wagon is released, and the train page names who proposed and who
 * confirmed; A's console follows without a reload.
 */
static void
t_cfe_confirm(void)
{
	char	*s;

	CU_ASSERT_FATAL((session_b = wd_session_open()) >= 0);
	CU_ASSERT_FATAL(console_login(supb_token, ""));
	CU_ASSERT_FATAL(shows(PROPOSAL, "s.alpha"));
	CU_ASSERT(shows(PROPOSAL, REASON));
	CU_ASSERT(shows(PROPOSAL, W_SANCTION));
	CU_ASSERT(wd_wait_js("var p = document.querySelector(\"" PROPOSAL
	    "\"); return p.getAttribute('data-mine') === 'false' && "
	    "p.querySelector('button.confirm') !== null && "
	    "p.querySelector('button.reject') !== null;", 5000));
	CU_ASSERT_EQUAL(wd_screenshot("foureyes-waiting"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_type(PROPOSAL " input.reason",
	    "sanctions list checked again"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click(PROPOSAL " button.confirm"), 0);
	CU_ASSERT(wd_wait_js("return document.querySelector(\"" PROPOSAL
	    "\") === null;", 10000));
	OFFICERS_CHECK_SQL(&pg, "release/s.alpha/s.beta/", "SELECT resolution "
	    "|| '/' || resolved_by || '/' || confirmed_by || '/' || "
	    "coalesce(proposed_action, '') FROM wagons WHERE number = '%s'",
	    W_SANCTION);

	/* B's train page: the new action, who proposed, who confirmed. */
	CU_ASSERT_EQUAL_FATAL(wd_click("tr[data-train='" TRAIN "@1'] a"), 0);
	CU_ASSERT(wd_wait_js("var w = document.querySelector(\"#strip "
	    ".wagon[data-wagon='" W_SANCTION "']\"); return w !== null && "
	    "w.getAttribute('data-action') === 'RELEASE';", 10000));
	CU_ASSERT(shows("#four-eyes-history", "Wagon " W_SANCTION
	    ": RELEASE proposed by s.alpha, confirmed by s.beta"));
	CU_ASSERT_EQUAL(wd_screenshot("foureyes-confirmed"), 0);

	/* A's console, left on the train page, follows by itself. */
	wd_use(session_a);
	CU_ASSERT(shows("#four-eyes-history", "confirmed by s.beta"));
	CU_ASSERT(wd_wait_js("return document.querySelector(\"" PROPOSAL
	    "\") === null && document.querySelector(\"#strip .wagon"
	    "[data-wagon='" W_SANCTION "']\").getAttribute('data-action') === "
	    "'RELEASE';", 10000));
	s = wd_js_string("return document.getElementById('wagon-detail')"
	    ".textContent;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "confirmed by s.beta"));
	free(s);
}

/*
 * A train-level hit the same way: a blocking diagnostic (written into
 * the decision here, as the engine writes it) is proposed cleared by B
 * on the train page, with what was checked; A confirms it from the
 * panel, and the hit then says who proposed and who confirmed.
 */
static void
t_cfe_train_hit(void)
{
	char	id[128];

	free(harness_sql(&pg, "UPDATE trains SET decision = (decision::jsonb "
	    "|| jsonb_build_object('decision', 'HOLD', 'train_hits', '[{\"rule\""
	    ": \"blocking-diagnostic\", \"action\": \"HOLD\", \"subject\": "
	    "{}, \"reason\": \"the manifest cannot be trusted as it stands: "
	    "UNT_COUNT\"}]'::jsonb))::json WHERE train_no = '" TRAIN "'"));
	wd_use(session_b);
	/* Written behind the daemon's back: no audit record, nothing
	 * pushed, so the page is told to read the train again. */
	json_decref(wd_js("RG.loadTrain(RG.state.trainId); return true;"));
	CU_ASSERT_FATAL(wd_wait("#clear-form-0", id, sizeof id, 10000));
	CU_ASSERT_EQUAL_FATAL(wd_type("#clear-reason-0", "segments counted: "
	    "the UNT count is a typo"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#clear-submit-0"), 0);
	CU_ASSERT(shows("#train-hits .pending", "Waiting for a second "
	    "supervisor"));
	CU_ASSERT(shows("#proposals li.proposal[data-mine='true']",
	    "blocking-diagnostic"));

	wd_use(session_a);
	CU_ASSERT_FATAL(shows("#proposals li.proposal[data-mine='false']",
	    "clear train hit blocking-diagnostic"));
	CU_ASSERT(shows("#proposals li.proposal[data-mine='false']",
	    "the UNT count is a typo"));
	CU_ASSERT_EQUAL_FATAL(wd_click("#proposals li.proposal[data-mine="
	    "'false'] button.confirm"), 0);
	CU_ASSERT(shows("#train-hits .resolved", "proposed by s.beta, "
	    "confirmed by s.alpha"));
	CU_ASSERT(shows("#four-eyes-history", "clear train hit "
	    "blocking-diagnostic: proposed by s.beta, confirmed by s.alpha"));
	OFFICERS_CHECK_SQL(&pg, "blocking-diagnostic/s.beta/s.alpha", "SELECT "
	    "rule || '/' || principal || '/' || confirmed_by FROM "
	    "hit_clearances");
	CU_ASSERT_EQUAL(wd_screenshot("foureyes-train-hit"), 0);
}

static CU_TestInfo cfe_tests[] = {
	{ "t_cfe_propose", t_cfe_propose },
	{ "t_cfe_officer_sees_none", t_cfe_officer_sees_none },
	{ "t_cfe_confirm", t_cfe_confirm },
	{ "t_cfe_train_hit", t_cfe_train_hit },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_console_foureyes", cfe_init, cfe_clean, cfe_tests)
