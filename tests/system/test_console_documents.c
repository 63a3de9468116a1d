/*
 * test_console_documents.c -- an officer answers a document check in the
 * console, in a real browser (issue 20, item 3; docs/documents.md): the
 * railway (KZ-KTZE) has uploaded a phytosanitary certificate (851) for
 * the table grapes of consignment "SMGS 24170091"; the officer opens
 * their wagon, set at DOC_CHECK by the rule phyto, finds the pending
 * document under the hit, fetches it (View: the bytes as a download,
 * with the officer's credential), gives a reason and accepts it; the
 * train is evaluated again and the wagon released.  Screenshots go to
 * BUILD/test-artefacts/console-documents-*.png.
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

#define W2	"315279550026"
#define BOX	"#wagon-detail .documents-box[data-consignment='SMGS 24170091']"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], artefacts[512];

static const char pdf[] = "%PDF-1.4\n% phytosanitary certificate "
    "KZ-PHY-2026-3390\n%%EOF\n";

/* A POST with a token; the status, -1 without an answer. */
static int
post(const char *path, const char *token, const char *type,
    const char *body, size_t len)
{
	struct harness_response	r;
	char			hdr[256];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n"
	    "Content-Type: %s\r\n", token, type);
	if (harness_http(dm.port, "POST", path, hdr, body, len, &r) < 0)
		return -1;
	status = r.status;
	harness_response_free(&r);
	return status;
}

static int
cd_init(void)
{
	char	*data, *p, *v;
	size_t	 len;
	int	 st;

	if (wd_available("integration_console_documents") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm,
	    pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.delta", officer_token) < 0)
		return -1;
	v = harness_sql(&pg, "UPDATE tokens SET carriers = '{KZ-KTZE}' WHERE "
	    "principal = 'ktze.operator' RETURNING 1");
	free(v);
	data = test_read_fixture("xml/cuscar_s3_alashankou.xml", &len);
	if ((p = strstr(data, "X8024")) != NULL)
		memcpy(p, "D0001", 5);
	st = post("/v1/manifests", operator_token, "application/xml", data, len);
	free(data);
	if (st != 202 || !officers_decided(&pg, "D0001"))
		return -1;
	if (post("/v1/trains/D0001/documents?code=851&consignment=SMGS%20"
	    "24170091", operator_token, "application/pdf", pdf,
	    sizeof pdf - 1) != 201)
		return -1;
	return wd_start(artefacts);
}

static int
cd_clean(void)
{
	wd_stop();
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* Signs in with token at the train's page and opens wagon W2's panel. */
static bool
open_grapes(void)
{
	char	 url[160], id[128];
	json_t	*v;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/#/train/D0001", dm.port);
	if ((v = wd("POST", "/url", json_pack("{s:s}", "url", url),
	    true)) == NULL)
		return false;
	json_decref(v);
	if (!wd_wait("#login-form #token", id, sizeof id, 5000) ||
	    wd_type("#token", officer_token) < 0 ||
	    wd_click("#login-submit") < 0)
		return false;
	if (!wd_wait_js("return document.body.getAttribute('data-rendered') "
	    "=== 'train' && document.querySelectorAll('#strip .wagon')"
	    ".length === 3;", 10000))
		return false;
	return wd_click("#strip .wagon[data-wagon='" W2 "']") == 0;
}

/* The pending 851 under the DOC_CHECK, viewed, accepted: released. */
static void
t_cd_accept(void)
{
	char	id[128], script[256], *s;

	CU_ASSERT_FATAL(open_grapes());
	CU_ASSERT_FATAL(wd_wait(BOX " li.document[data-state=pending] "
	    "button.document-accept", id, sizeof id, 10000));
	s = wd_js_string("var b = document.querySelector(\"" BOX "\");"
	    "return b.closest('li.hit').getAttribute('data-action') + '/' + "
	    "b.getAttribute('data-code') + '/' + (b.textContent.indexOf("
	    "'ktze.operator') >= 0);");
	CU_ASSERT_STRING_EQUAL(s, "DOC_CHECK/851/true");
	free(s);
	json_decref(wd_js("document.querySelector(\"" BOX "\").closest("
	    "'li.hit').scrollIntoView(); return true;"));
	CU_ASSERT_EQUAL(wd_screenshot("documents-pending"), 0);
	/* View: the bytes fetched with the token, handed over as a blob. */
	json_decref(wd_js("var o = URL.createObjectURL.bind(URL); "
	    "window.docBlob = -1; URL.createObjectURL = function (b) { "
	    "window.docBlob = b.size; return o(b); }; return true;"));
	CU_ASSERT_EQUAL(wd_click(BOX " button.document-view"), 0);
	snprintf(script, sizeof script, "return window.docBlob === %zu;",
	    sizeof pdf - 1);
	CU_ASSERT(wd_wait_js(script, 10000));
	/* No reason: refused in the page, nothing sent. */
	CU_ASSERT_EQUAL(wd_click(BOX " button.document-accept"), 0);
	CU_ASSERT(wd_wait_js("var e = document.getElementById('error'); "
	    "return !e.hidden && e.textContent.indexOf('reason') >= 0;", 5000));
	CU_ASSERT_EQUAL_FATAL(wd_type(BOX " input.reason", "KZ-PHY-2026-3390 "
	    "checked against the issuing register"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click(BOX " button.document-accept"), 0);
	CU_ASSERT(harness_wait_sql(&pg, "SELECT state || '/' || decided_by "
	    "FROM documents", "accepted/o.delta", 10000));
	CU_ASSERT(harness_wait_sql(&pg, "SELECT w->>'action' FROM trains t, "
	    "json_array_elements(t.decision->'wagons') w WHERE t.train_no = "
	    "'D0001' AND w->>'wagon' = '" W2 "'", "RELEASE", 15000));
	/* The page, loaded again, shows the wagon released. */
	CU_ASSERT(wd_wait_js("return document.querySelector(\"#strip .wagon"
	    "[data-wagon='" W2 "']\").className.indexOf('lane-green') >= 0;",
	    15000));
	CU_ASSERT_EQUAL(wd_screenshot("documents-accepted"), 0);
}

static CU_TestInfo cd_tests[] = {
	{ "t_cd_accept", t_cd_accept },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_console_documents", cd_init, cd_clean, cd_tests)
