/*
 * test_console_parcels.c -- issue 22 in a real browser (headless Chromium
 * through chromedriver, tests/system/webdriver.h): the parcel list
 * (#/train/ID/parcels) of a generated e-commerce train of 20,000 parcels
 * draws the rows in sight only, under a spacer as tall as every row, the
 * first row as the API lists it; a consignee's name with markup is text;
 * scrolled to the end it draws the last parcel; ?container= lists that
 * container's parcels only and the menu shows it; a tracking-number
 * search narrows the list (one that finds nothing says so); when the
 * decision sets parcels aside, the train page shows the counts and the
 * containers to unload, linking to their parcels.  Screenshots:
 * BUILD/test-artefacts/console-parcels*.png.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "edi/writer.h"
#include "manifest/gen.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"
#include "webdriver.h"

#define CP_ITEMS	20000
#define CP_MARKUP	"<b>Bold</b> & <img src=x> Ltd"
#define CP_ROW_H	26
/* Parcels set aside (docs/parcels.md) once the daemon has the key. */
#define CP_CONF		"[station]\nparcel_setaside = yes\n"

static struct harness_pg	cpg;
static struct harness_daemon	cdm;
static char			operator_tok[64], officer_tok[64];
static char			artefacts[512], train_no[80];

/* A generated e-commerce train; the first parcel's consignee has markup. */
static int
submit_generated(void)
{
	struct gen_options	 o = { 3, CP_ITEMS, 44, true, 0, NULL };
	struct manifest_train	*t = gen_train(&o);
	struct harness_response	 r;
	struct buf		 b = { 0 };
	char			 hdr[200];
	int			 st;

	snprintf(train_no, sizeof train_no, "%s", t->id);
	t->wagons[0]->items[0]->consignment->consignee.name = CP_MARKUP;
	edi_write_cuscar(t, NULL, &b);
	manifest_train_free(t);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n"
	    "Content-Type: application/EDIFACT\r\n", operator_tok);
	if (harness_http(cdm.port, "POST", "/v1/manifests", hdr, b.data, b.len,
	    &r) < 0) {
		buf_free(&b);
		return -1;
	}
	st = r.status;
	harness_response_free(&r);
	buf_free(&b);
	snprintf(hdr, sizeof hdr, "SELECT count(*) FROM trains WHERE train_no "
	    "= '%s' AND decision IS NOT NULL AND NOT eval_needed", train_no);
	return st == 202 && harness_wait_sql(&cpg, hdr, NULL, 30000) ? 0 : -1;
}

static int
console_parcels_init(void)
{
	char	conf[4096];

	if (wd_available("integration_console_parcels") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&cpg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s%s", cpg.conf, CP_CONF);
	if (harness_daemon_start(&cdm, conf) < 0)
		return -1;
	if (harness_token(&cpg, "operator", "cp.operator", operator_tok) < 0 ||
	    harness_token(&cpg, "officer", "o.parcels", officer_tok) < 0)
		return -1;
	if (submit_generated() < 0)
		return -1;
	return wd_start(artefacts);
}

static int
console_parcels_clean(void)
{
	wd_stop();
	harness_daemon_stop(&cdm);
	harness_pg_stop(&cpg);
	return 0;
}

/* GET path as the officer, parsed (NULL unless 200). */
static json_t *
api_get(const char *path)
{
	struct harness_response	 r;
	char			 hdr[128];
	json_t			*j = NULL;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", officer_tok);
	if (harness_http(cdm.port, "GET", path, hdr, NULL, 0, &r) < 0)
		return NULL;
	if (r.status == 200 && r.body != NULL)
		j = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	return j;
}

/* Opens the console at hash, signed in with the officer's token. */
static void
open_at(const char *hash)
{
	char	 url[512];
	json_t	*v;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/console/console.css",
	    cdm.port);
	json_decref(wd("POST", "/url", json_pack("{s:s}", "url", url), true));
	snprintf(url, sizeof url, "sessionStorage.setItem('railgate.token', "
	    "'%s'); return true;", officer_tok);
	json_decref(wd_js(url));
	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", cdm.port, hash);
	v = wd("POST", "/url", json_pack("{s:s}", "url", url), true);
	CU_ASSERT_PTR_NOT_NULL(v);
	json_decref(v);
}

static long
js_long(const char *script)
{
	json_t	*v = wd_js(script);
	long	 n = json_is_integer(v) ? (long)json_integer_value(v) :
		    json_is_real(v) ? (long)json_real_value(v) : -1;

	json_decref(v);
	return n;
}

/* The list draws the rows in sight, the first as the API lists it. */
static void
t_console_parcels_virtual_list(void)
{
	char	 hash[160], *s;
	json_t	*api;
	long	 n;

	snprintf(hash, sizeof hash, "#/train/%s/parcels", train_no);
	open_at(hash);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'parcels';", 15000));
	n = js_long("return document.querySelectorAll('#parcels-rows .prow')"
	    ".length;");
	CU_ASSERT_TRUE(n > 10 && n < 200);
	CU_ASSERT_EQUAL(js_long("return document.getElementById("
	    "'parcels-spacer').offsetHeight;"), (long)CP_ITEMS * CP_ROW_H);
	snprintf(hash, sizeof hash, "/v1/trains/%s/parcels?limit=1", train_no);
	api = api_get(hash);
	CU_ASSERT_PTR_NOT_NULL_FATAL(api);
	s = wd_js_string("return document.querySelector('#parcels-rows "
	    ".prow[data-row=\"0\"] .pcell:nth-child(5)').textContent;");
	CU_ASSERT_STRING_EQUAL(s, json_string_value(json_array_get(
	    json_array_get(json_object_get(api, "rows"), 0), 4)));
	free(s);
	json_decref(api);
	s = wd_js_string("return document.getElementById('parcels-summary')"
	    ".textContent;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "20000 parcels"));
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("parcels"), 0);
}

/* A consignee's name with markup is text, never elements. */
static void
t_console_parcels_escaped(void)
{
	char	*s = wd_js_string("return document.querySelector('#parcels-rows "
	    ".prow[data-row=\"0\"] .pcell:nth-child(6)').textContent;");

	CU_ASSERT_STRING_EQUAL(s, CP_MARKUP);
	free(s);
	CU_ASSERT_EQUAL(js_long("return document.querySelectorAll("
	    "'#parcels b, #parcels img').length;"), 0);
}

/* Scrolled to the end, the last parcel is drawn (its chunk fetched). */
static void
t_console_parcels_scroll_to_end(void)
{
	char	script[300];

	CU_ASSERT_TRUE(wd_wait_js("return Number(document.body.getAttribute("
	    "'data-parcels-loaded')) === 20000;", 15000));
	json_decref(wd_js("var s = document.getElementById('parcels-scroll');"
	    " s.scrollTop = s.scrollHeight; return true;"));
	snprintf(script, sizeof script, "return document.querySelector("
	    "'#parcels-rows .prow[data-row=\"%d\"]:not(.pending)') !== null;",
	    CP_ITEMS - 1);
	CU_ASSERT_TRUE(wd_wait_js(script, 5000));
	CU_ASSERT_EQUAL(wd_screenshot("parcels-end"), 0);
}

/* ?container= lists that container's parcels; the menu shows it. */
static void
t_console_parcels_by_container(void)
{
	char	 hash[200], path[160], script[400], *s;
	json_t	*api;
	const char *container;
	long	 n;

	snprintf(path, sizeof path, "/v1/trains/%s/parcels?limit=1", train_no);
	api = api_get(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(api);
	container = json_string_value(json_array_get(json_array_get(
	    json_object_get(api, "rows"), 0), 3));
	CU_ASSERT_PTR_NOT_NULL_FATAL(container);
	snprintf(hash, sizeof hash, "#/train/%s/parcels?container=%s",
	    train_no, container);
	open_at(hash);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'parcels';", 15000));
	s = wd_js_string("return document.getElementById('parcels-container')"
	    ".value;");
	CU_ASSERT_STRING_EQUAL(s, container);
	free(s);
	snprintf(script, sizeof script, "var c = document.querySelectorAll("
	    "'#parcels-rows .prow .pcell:nth-child(4)'), n = 0; for (var i = 0;"
	    " i < c.length; i++) if (c[i].textContent !== '%s') n++; "
	    "return n;", container);
	CU_ASSERT_EQUAL(js_long(script), 0);
	n = js_long("return document.querySelectorAll('#parcels-rows .prow')"
	    ".length;");
	CU_ASSERT_TRUE(n > 0);
	s = wd_js_string("return document.getElementById('parcels-summary')"
	    ".textContent;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "of 20000 parcels match"));
	free(s);
	json_decref(api);
}

/* The search box narrows the list to tracking numbers so starting. */
static void
t_console_parcels_search(void)
{
	char	 path[160], prefix[40];
	json_t	*api;
	const char *tr;

	snprintf(path, sizeof path, "/v1/trains/%s/parcels?offset=77&limit=1",
	    train_no);
	api = api_get(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(api);
	tr = json_string_value(json_array_get(json_array_get(json_object_get(
	    api, "rows"), 0), 0));
	if (tr == NULL) {	/* a generator without tracking numbers */
		json_decref(api);
		return;
	}
	snprintf(prefix, sizeof prefix, "%s", tr);
	json_decref(api);
	CU_ASSERT_EQUAL_FATAL(wd_type("#parcels-q", prefix), 0);
	CU_ASSERT_TRUE(wd_wait_js("return location.hash.indexOf('q=') > 0 && "
	    "document.body.getAttribute('data-rendered') === 'parcels' && "
	    "document.querySelectorAll('#parcels-rows .prow').length === 1;",
	    8000));
	snprintf(path, sizeof path, "return document.querySelector("
	    "'#parcels-rows .prow .ptrack').textContent === '%s';", prefix);
	CU_ASSERT_TRUE(wd_wait_js(path, 3000));
}

/* A search that finds nothing says so, and draws no row. */
static void
t_console_parcels_no_match(void)
{
	char	 hash[160], *s;

	snprintf(hash, sizeof hash, "#/train/%s/parcels?q=ZZNOPE", train_no);
	open_at(hash);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'parcels';", 15000));
	s = wd_js_string("return document.getElementById('parcels-summary')"
	    ".textContent;");
	CU_ASSERT_STRING_EQUAL(s, "No parcel matches.");
	free(s);
	s = wd_js_string("return document.getElementById('parcels-q').value;");
	CU_ASSERT_STRING_EQUAL(s, "ZZNOPE");
	free(s);
	CU_ASSERT_EQUAL(js_long("return document.querySelectorAll("
	    "'#parcels-rows .prow').length;"), 0);
}

/* With parcels set aside: the train page's counts and unload list. */
static void
t_console_parcels_train_panel(void)
{
	char	 hash[160], path[160], *s;
	json_t	*d, *unload;

	snprintf(path, sizeof path, "/v1/trains/%s/decision", train_no);
	d = api_get(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	snprintf(hash, sizeof hash, "#/train/%s", train_no);
	open_at(hash);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'train';", 15000));
	if (json_object_get(d, "parcels") == NULL) {
		/* parcel_setaside off: the page is what it was. */
		CU_ASSERT_EQUAL(js_long("return document.querySelectorAll("
		    "'#parcels-panel').length;"), 0);
		json_decref(d);
		return;
	}
	unload = json_object_get(json_object_get(d, "parcels"), "unload");
	CU_ASSERT_EQUAL(js_long("return Number(document.querySelector("
	    "'#parcel-counts [data-count-of=set_aside]').getAttribute("
	    "'data-count'));"), (long)json_integer_value(json_object_get(
	    json_object_get(json_object_get(d, "parcels"), "counts"),
	    "set_aside")));
	CU_ASSERT_EQUAL(js_long("return document.querySelectorAll("
	    "'#unload-table tbody tr').length;"), (long)json_array_size(unload));
	json_decref(wd_js("document.getElementById('parcels-panel')"
	    ".scrollIntoView(); return true;"));
	CU_ASSERT_EQUAL(wd_screenshot("parcels-train"), 0);
	if (json_array_size(unload) > 0) {
		CU_ASSERT_EQUAL_FATAL(wd_click("#unload-table a.unload-link"), 0);
		CU_ASSERT_TRUE(wd_wait_js("return document.body.getAttribute("
		    "'data-rendered') === 'parcels';", 10000));
		s = wd_js_string("return document.getElementById("
		    "'parcels-container').value;");
		CU_ASSERT_STRING_EQUAL(s, json_string_value(json_object_get(
		    json_array_get(unload, 0), "container")));
		free(s);
		CU_ASSERT_EQUAL(js_long("return document.querySelectorAll("
		    "'#parcels-rows .prow:not(.aside)').length;"), 0);
	}
	json_decref(d);
}

static CU_TestInfo console_parcels_tests[] = {
	{ "t_console_parcels_virtual_list", t_console_parcels_virtual_list },
	{ "t_console_parcels_escaped", t_console_parcels_escaped },
	{ "t_console_parcels_scroll_to_end", t_console_parcels_scroll_to_end },
	{ "t_console_parcels_by_container", t_console_parcels_by_container },
	{ "t_console_parcels_search", t_console_parcels_search },
	{ "t_console_parcels_no_match", t_console_parcels_no_match },
	{ "t_console_parcels_train_panel", t_console_parcels_train_panel },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_console_parcels", console_parcels_init,
    console_parcels_clean, console_parcels_tests)
