/*
 * test_console_amend.c -- the console shows a train's amendments
 * (amend.js; issue 18, item 6), in headless Chromium: a train whose
 * grapes were re-declared by a replacement shows wagon 2 changed, its
 * officer's release dropped and wagon 1's inspection kept; and who took a
 * train (take.js, item 4): the officer who resolved its wagons, or one
 * who pressed "Take this train".
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

#define TRAIN	"A3001"
#define W1	"315279550018"
#define W2	"315279550026"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			artefacts[512];
static char			operator_token[64], officer_token[64];

/* Posts the fixture as TRAIN; replace: function 5 with heavier grapes. */
static int
post_train(bool replace)
{
	struct harness_response	 r;
	char			*data, *p, hdr[128];
	size_t			 len;
	int			 status;

	data = test_read_fixture("xml/cuscar_s3_alashankou.xml", &len);
	if ((p = strstr(data, "X8024")) != NULL)
		memcpy(p, TRAIN, 5);
	if (replace && (p = strstr(data, "<FunctionCode>9<")) != NULL)
		p[14] = '5';
	if (replace && (p = strstr(data, "Fresh table grapes")) != NULL &&
	    (p = strstr(p, ">8700<")) != NULL)
		memcpy(p, ">8750<", 6);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    operator_token);
	status = harness_http(dm.port, "POST", "/v1/manifests", hdr, data, len,
	    &r) < 0 ? -1 : r.status;
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	return status;
}

static int
console_amend_init(void)
{
	if (wd_available("integration_console_amend") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.console", officer_token) < 0)
		return -1;
	if (post_train(false) != 202 || !officers_decided(&pg, TRAIN) ||
	    officers_resolve(dm.port, officer_token, TRAIN, W1, "inspect",
	    NULL) != 200 ||
	    officers_resolve(dm.port, officer_token, TRAIN, W2, "release",
	    NULL) != 200 ||
	    post_train(true) != 202 || !officers_decided(&pg, TRAIN))
		return -1;
	if (harness_submit_fixture(dm.port, operator_token,
	    "xml/cuscar_s4_unoy.xml") != 202 || !officers_decided(&pg, "X9403"))
		return -1;
	return wd_start(artefacts);
}

static int
console_amend_clean(void)
{
	wd_stop();
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* The train page lists the replacement: changed, kept, dropped. */
static void
t_console_amendments_shown(void)
{
	char	 url[128], id[128], *s;
	json_t	*v;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/", dm.port);
	v = wd("POST", "/url", json_pack("{s:s}", "url", url), true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait("#login-form #token", id, sizeof id, 5000));
	CU_ASSERT_EQUAL_FATAL(wd_type("#token", officer_token), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#login-submit"), 0);
	CU_ASSERT_FATAL(wd_wait("tr[data-train='" TRAIN "@1']", id, sizeof id,
	    5000));
	v = wd_js("location.hash = '#/train/" TRAIN "'; return true;");
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait_js("var a = document.getElementById("
	    "'amendments'); return document.body.getAttribute('data-rendered')"
	    " === 'train' && a && !a.hidden;", 8000));
	s = wd_js_string("return document.querySelector('#amendments "
	    ".amend-changed').textContent;");
	CU_ASSERT(s != NULL && strstr(s, "Wagons changed") != NULL &&
	    strstr(s, "wagon " W2 " (position 2)") != NULL);
	free(s);
	s = wd_js_string("return document.querySelector('#amendments "
	    ".amend-dropped').textContent;");
	CU_ASSERT(s != NULL && strstr(s, W2) != NULL &&
	    strstr(s, "RELEASE by o.console") != NULL &&
	    strstr(s, "contents changed") != NULL);
	free(s);
	s = wd_js_string("return document.querySelector('#amendments "
	    ".amend-kept').textContent;");
	CU_ASSERT(s != NULL && strstr(s, W1) != NULL &&
	    strstr(s, "INSPECT by o.console") != NULL && strstr(s, W2) == NULL);
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("amendments"), 0);
}

/* Who took the train; an officer takes a green train nobody took. */
static void
t_console_take(void)
{
	char	*s;
	json_t	*v;

	s = wd_js_string("return document.getElementById('taken-by')."
	    "textContent;");
	CU_ASSERT(s != NULL && strstr(s, "Taken by o.console (inspect)") !=
	    NULL);
	free(s);
	v = wd_js("location.hash = '#/train/X9403@1'; return true;");
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'train' && !!document.getElementById("
	    "'take-train');", 8000));
	CU_ASSERT_EQUAL_FATAL(wd_click("#take-train"), 0);
	CU_ASSERT(wd_wait_js("var p = document.getElementById('taken-by'); "
	    "return !!p && p.textContent.indexOf('Taken by o.console (take)') "
	    ">= 0;", 8000));
	OFFICERS_CHECK_SQL(&pg, "o.console", "SELECT taken_by FROM trains "
	    "WHERE train_no = '%s'", "X9403");
	CU_ASSERT_EQUAL(wd_screenshot("taken"), 0);
}

static CU_TestInfo console_amend_tests[] = {
	{ "t_console_amendments_shown", t_console_amendments_shown },
	{ "t_console_take", t_console_take },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_console_amend", console_amend_init,
    console_amend_clean, console_amend_tests)
