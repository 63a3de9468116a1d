/*
 * test_console_screening.c -- clearing a false screening match in the
 * console, in a real browser (issue 19, item 6): an officer opens the
 * wagon a possible match set at DOC_CHECK (Vympel Technology Group against
 * the listed Vympel Technologies), presses "Not this party", gives a
 * reason and proposes the clearance; the hit then says who proposed it
 * and that it waits.  A supervisor sees it waiting with the other
 * proposals and confirms it with a reason; the hit says who confirmed it
 * and until when.  The next train with that consignor has no such hit,
 * and its page lists the clearance its decision applied.  Screenshots go
 * to BUILD/test-artefacts/console-screening-*.png.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"
#include "webdriver.h"

#define W_PARTY		"315279550026"	/* carries the consignor's goods */
#define BOX		"#wagon-detail .screening[data-entry='Vympel " \
	"Technologies']"
#define CLEARANCE	"#proposals li.proposal[data-proposal^='clearance:']"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], sup_token[64];
static char	artefacts[512];
static int	session_officer = -1, session_sup = -1;

/* The fixture posted as train with its listed consignor renamed. */
static bool
post_train(const char *train, const char *consignor)
{
	struct harness_response	 r;
	char			*data, *p, hdr[128];
	struct buf		 b = { 0 };
	size_t			 len;
	int			 status;

	data = test_read_fixture("xml/four_eyes_x9101.xml", &len);
	if ((p = strstr(data, "X9101")) != NULL)
		memcpy(p, train, 5);
	if ((p = strstr(data, "Timur Trading House")) != NULL) {
		buf_add(&b, data, (size_t)(p - data));
		buf_add(&b, consignor, strlen(consignor));
		buf_add(&b, p + 19, strlen(p + 19));
	} else
		buf_add(&b, data, len);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    operator_token);
	status = harness_http(dm.port, "POST", "/v1/manifests", hdr, b.data,
	    b.len, &r) < 0 ? -1 : r.status;
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	buf_free(&b);
	return status == 202 && officers_decided(&pg, train);
}

static int
cs_init(void)
{
	if (wd_available("integration_console_screening") < 0)
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
	    harness_token(&pg, "supervisor", "s.beta", sup_token) < 0)
		return -1;
	if (!post_train("V0001", "Vympel Technology Group"))
		return -1;
	if (wd_start(artefacts) < 0)
		return -1;
	session_officer = 0;
	return 0;
}

static int
cs_clean(void)
{
	wd_stop();
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* The current session opens the console at hash and signs in. */
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

/* Whether the text of css holds text (waits up to 10 s). */
static bool
shows(const char *css, const char *text)
{
	char	script[512];

	snprintf(script, sizeof script, "var e = document.querySelector(\"%s\");"
	    " return e !== null && !e.closest('[hidden]') && "
	    "e.textContent.indexOf(\"%s\") >= 0;", css, text);
	return wd_wait_js(script, 10000);
}

/* Opens train's page and its wagon W_PARTY's panel. */
static bool
open_wagon(const char *train)
{
	char	script[256];

	snprintf(script, sizeof script, "location.hash = '#/train/%s'; "
	    "return true;", train);
	json_decref(wd_js(script));
	if (!wd_wait_js("return document.body.getAttribute('data-rendered') "
	    "=== 'train' && document.querySelectorAll('#strip .wagon')"
	    ".length === 3;", 10000))
		return false;
	return wd_click("#strip .wagon[data-wagon='" W_PARTY "']") == 0;
}

/*
 * The officer: the possible match at DOC_CHECK, "Not this party", a
 * reason, proposed; the hit then names the proposer and says it waits.
 */
static void
t_cs_propose(void)
{
	char	id[128], *s;

	wd_use(session_officer);
	CU_ASSERT_FATAL(console_login(officer_token, "#/train/V0001"));
	CU_ASSERT_FATAL(open_wagon("V0001"));
	CU_ASSERT_FATAL(wd_wait(BOX " button.not-this-party:not([hidden])", id,
	    sizeof id, 10000));
	s = wd_js_string("return document.querySelector(\"" BOX "\")"
	    ".closest('li.hit').getAttribute('data-action');");
	CU_ASSERT_STRING_EQUAL(s, "DOC_CHECK");
	free(s);
	CU_ASSERT_EQUAL_FATAL(wd_click(BOX " button.not-this-party"), 0);
	CU_ASSERT_FATAL(wd_wait(BOX " form.clearance-form input.reason", id,
	    sizeof id, 5000));
	CU_ASSERT_EQUAL_FATAL(wd_type(BOX " input.reason", "tea importer in "
	    "Almaty, registry extract on file"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_type(BOX " input.country", "kz"), 0);
	CU_ASSERT_EQUAL(wd_screenshot("screening-form"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click(BOX " button.propose"), 0);
	CU_ASSERT(shows(BOX " li.clearance[data-state=pending]",
	    "proposed by o.gamma, waiting for a supervisor"));
	OFFICERS_CHECK_SQL(&pg, "pending/o.gamma/KZ/V0001/sanctions",
	    "SELECT c.state || '/' || c.proposed_by || '/' || c.party_country "
	    "|| '/' || t.train_no || '/' || (c.hit->>'rule') FROM "
	    "screening_clearances c JOIN trains t ON t.id = c.train_id");
	/* One waiting: no second proposal offered. */
	CU_ASSERT(wd_wait_js("return document.querySelector(\"" BOX
	    " button.not-this-party\").hidden;", 5000));
}

/*
 * The supervisor sees it waiting with the proposals and confirms it; the
 * officer's hit then says who confirmed it and until when.
 */
static void
t_cs_confirm(void)
{
	CU_ASSERT_FATAL((session_sup = wd_session_open()) >= 0);
	CU_ASSERT_FATAL(console_login(sup_token, ""));
	CU_ASSERT_FATAL(shows(CLEARANCE, "party Vympel Technology Group is not "
	    "sanctioned entry Vympel Technologies"));
	CU_ASSERT(shows(CLEARANCE, "o.gamma"));
	CU_ASSERT(shows(CLEARANCE, "registry extract on file"));
	CU_ASSERT_EQUAL(wd_screenshot("screening-waiting"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_type(CLEARANCE " input.reason",
	    "extract seen"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click(CLEARANCE " button.confirm"), 0);
	CU_ASSERT(wd_wait_js("return document.querySelector(\"" CLEARANCE
	    "\") === null;", 10000));
	OFFICERS_CHECK_SQL(&pg, "confirmed/s.beta", "SELECT state || '/' || "
	    "decided_by FROM screening_clearances");

	wd_use(session_officer);
	json_decref(wd_js("RG.loadTrain(RG.state.trainId); return true;"));
	CU_ASSERT(open_wagon("V0001"));
	CU_ASSERT(shows(BOX " li.clearance[data-state=confirmed]",
	    "confirmed by s.beta, until"));
}

/* The next train: no such hit; its page lists the clearance applied. */
static void
t_cs_next_train(void)
{
	char	*s;

	CU_ASSERT_FATAL(post_train("V0002", "Vympel Technology Group"));
	wd_use(session_officer);
	CU_ASSERT_FATAL(open_wagon("V0002"));
	CU_ASSERT(shows("#screening-cleared li.cleared", "cleared: party "
	    "Vympel Technology Group is not sanctioned entry Vympel Technologies"));
	CU_ASSERT(shows("#screening-cleared li.cleared", "proposed by "
	    "o.gamma, confirmed by s.beta, until"));
	sleep(1);
	s = wd_js_string("return String(document.querySelectorAll(\"" BOX
	    "\").length);");
	CU_ASSERT_STRING_EQUAL(s, "0");
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("screening-cleared"), 0);
}

static CU_TestInfo cs_tests[] = {
	{ "t_cs_propose", t_cs_propose },
	{ "t_cs_confirm", t_cs_confirm },
	{ "t_cs_next_train", t_cs_next_train },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_console_screening", cs_init, cs_clean, cs_tests)
