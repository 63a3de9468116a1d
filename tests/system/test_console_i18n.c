/*
 * test_console_i18n.c -- the officer console in Chinese and Russian
 * (issue 18, item 7), in headless Chromium against the real daemon: a
 * browser whose language is Chinese gets the console in Chinese from the
 * first page (the bar, the login form, the list's headers, a train's
 * state and decision, the clearance clock) and the grapes' hit reason in
 * Chinese from the default rule set's reason.zh; times are written in
 * the station's time zone ([station] time_zone = Asia/Urumqi); the
 * language picker switches to Russian at once, and the choice stays.
 * Screenshots: BUILD/test-artefacts/console-i18n-*.png.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"
#include "webdriver.h"

#define TRAIN		"X8024"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64], officer_token[64];
static char			artefacts[512];

/* A request with a bearer token; the status, or -1.  r may be NULL. */
static int
request(const char *method, const char *path, const char *token,
    const char *body, struct harness_response *r)
{
	struct harness_response	 tmp;
	char			 hdr[256];
	int			 status;

	if (r == NULL)
		r = &tmp;
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s", token,
	    body != NULL ? "Content-Type: application/json\r\n" : "");
	if (harness_http(dm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, r) < 0)
		return -1;
	status = r->status;
	if (r == &tmp)
		harness_response_free(&tmp);
	return status;
}

static int
i18n_suite_init(void)
{
	char	conf[1400];
	int	status;

	if (wd_available("integration_console_i18n") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[station]\ntime_zone = Asia/Urumqi\n",
	    pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.wang", officer_token) < 0)
		return -1;
	status = harness_submit_fixture(dm.port, operator_token,
	    "edifact/cuscar_s3_alashankou.edi");
	if (status != 202 || !harness_wait_sql(&pg, "SELECT count(*) FROM "
	    "trains WHERE train_no = '" TRAIN "' AND decision IS NOT NULL AND "
	    "NOT eval_needed", NULL, 10000))
		return -1;
	if (request("POST", "/v1/trains/" TRAIN "/events", officer_token,
	    "{\"type\":\"arrived\"}", NULL) != 202)
		return -1;
	if (wd_start(artefacts) < 0)
		return -1;
	/* Session 1: a browser whose languages are Chinese. */
	return wd_session_open_lang("zh-CN,zh") == 1 ? 0 : -1;
}

static int
i18n_suite_clean(void)
{
	wd_stop();
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* The textContent of the element matching css (owned; "" if none). */
static char *
text_of(const char *css)
{
	char	*script = xasprintf("var e = document.querySelector(\"%s\"); "
	    "return e === null ? '' : e.textContent;", css);
	char	*s = wd_js_string(script);

	free(script);
	return s;
}

/* True when the element matching css holds want (reported when not). */
static bool
shows(const char *css, const char *want)
{
	char	*s = text_of(css);
	bool	 ok = strstr(s, want) != NULL;

	if (!ok)
		fprintf(stderr, "\n%s: \"%s\", not \"%s\"\n", css, s, want);
	free(s);
	return ok;
}

/* GET /v1/station: the station's zone and the console's languages. */
static void
t_console_i18n_station(void)
{
	struct harness_response	 r;

	CU_ASSERT_EQUAL_FATAL(request("GET", "/v1/station", officer_token,
	    NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"time_zone\":\"Asia/Urumqi\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"zh-Hans\""));
	harness_response_free(&r);
	CU_ASSERT_EQUAL(request("GET", "/v1/station", "not-a-token", NULL,
	    NULL), 401);
}

/* The browser's Chinese: the login form, then the list, in Chinese. */
static void
t_console_i18n_chinese_list(void)
{
	char	 url[128], id[128], *s;
	json_t	*v;

	wd_use(1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", dm.port);
	v = wd("POST", "/url", json_pack("{s:s}", "url", url), true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait("#login-form #token", id, sizeof id, 5000));
	s = wd_js_string("return navigator.languages.join(',') + ' ' + "
	    "RG.lang + ' ' + document.documentElement.lang;");
	fprintf(stderr, "\nbrowser languages, console language: %s\n", s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "zh-Hans zh-Hans"));
	free(s);
	CU_ASSERT(shows("#login h2", "\xe7\x99\xbb\xe5\xbd\x95"));	/* 登录 */
	CU_ASSERT(shows("header .subtitle", "关员控制台"));

	CU_ASSERT_EQUAL_FATAL(wd_type("#token", officer_token), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#login-submit"), 0);
	CU_ASSERT_FATAL(wd_wait("tr[data-train='" TRAIN "@1']", id, sizeof id,
	    5000));
	s = text_of("#trains thead");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "列车"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "线路"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "车厢"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "集装箱"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "通关时限"));
	CU_ASSERT_PTR_NULL(strstr(s, "Clearance clock"));
	free(s);
	CU_ASSERT(shows("#list h2", "列车"));
	CU_ASSERT(shows("#logout", "退出登录"));
	s = text_of("tr[data-train='" TRAIN "@1']");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "部分放行"));	/* PARTIAL_RELEASE */
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "绿色通道"));	/* green lane */
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "已到达"));	/* arrived */
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "进口"));	/* import */
	CU_ASSERT_PTR_NULL(strstr(s, "PARTIAL_RELEASE"));
	free(s);
	CU_ASSERT(wd_wait_js("return document.querySelector(\"tr[data-train='"
	    TRAIN "@1'] td.clock\").textContent.indexOf('剩余') === 0;", 3000));
	CU_ASSERT(wd_wait_js("return document.getElementById('list-status')"
	    ".textContent.indexOf('更新于') === 0;", 5000));
	CU_ASSERT_EQUAL(wd_screenshot("i18n-zh-list"), 0);
}

/* Times in the station's zone (UTC+6 all year), whatever the browser's. */
static void
t_console_i18n_station_time(void)
{
	char	*s;

	wd_use(1);
	CU_ASSERT(wd_wait_js("return RG.timeZone === 'Asia/Urumqi';", 5000));
	s = wd_js_string("return RG.timeText('2026-12-06T10:05:09.250Z');");
	CU_ASSERT_STRING_EQUAL(s, "2026-12-06 16:05:09 GMT+6");
	free(s);
	/* The ETA column is written so too. */
	CU_ASSERT(wd_wait_js("var c = document.querySelector(\"tr[data-train='"
	    TRAIN "@1']\").cells[3].textContent; return c === '' || "
	    "/ GMT\\+6$/.test(c);", 3000));
}

/* The grapes' hit: the reason in Chinese, from the rule's reason.zh. */
static void
t_console_i18n_chinese_reason(void)
{
	wd_use(1);
	CU_ASSERT_EQUAL_FATAL(wd_click("tr[data-train='" TRAIN "@1'] a"), 0);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'train';", 5000));
	CU_ASSERT_EQUAL_FATAL(wd_click("#strip .wagon[data-position='2']"), 0);
	CU_ASSERT(wd_wait_js("var r = document.querySelector("
	    "'#wagon-detail .hit .reason'); return r !== null && "
	    "r.textContent.indexOf('无植物检疫证书（单证 851）') > 0;", 3000));
	CU_ASSERT(shows("#wagon-detail .hit .reason",
	    "Fresh table grapes（HS 080610）无植物检疫证书"));
	CU_ASSERT_EQUAL(wd_screenshot("i18n-zh-train"), 0);
}

/* The picker: Russian at once, on this page and the list, and it stays. */
static void
t_console_i18n_russian_picker(void)
{
	json_t	*v;
	char	*s;

	wd_use(1);
	v = wd_js("var s = document.getElementById('language'); "
	    "s.value = 'ru'; s.dispatchEvent(new Event('change')); "
	    "return Array.prototype.map.call(s.options, function (o) { "
	    "return o.value; }).join(' ');");
	CU_ASSERT_STRING_EQUAL(json_string_value(v) != NULL ?
	    json_string_value(v) : "", "en zh-Hans ru");
	json_decref(v);
	CU_ASSERT(wd_wait_js("var r = document.querySelector("
	    "'#wagon-detail .hit .reason'); return r !== null && "
	    "r.textContent.indexOf('нет фитосанитарного сертификата "
	    "(документ 851)') > 0;", 5000));
	CU_ASSERT(shows("header .subtitle", "пульт инспектора"));
	CU_ASSERT(shows("#logout", "Выйти"));
	CU_ASSERT_EQUAL(wd_screenshot("i18n-ru-train"), 0);

	v = wd("POST", "/url", json_pack("{s:s}", "url", "about:blank"), true);
	json_decref(v);
	s = xasprintf("http://127.0.0.1:%d/#/", dm.port);
	v = wd("POST", "/url", json_pack("{s:s}", "url", s), true);
	json_decref(v);
	free(s);
	CU_ASSERT(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'list';", 5000));
	s = text_of("#trains thead");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "Срок оформления"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "Вагоны"));
	free(s);
	CU_ASSERT(shows("tr[data-train='" TRAIN "@1']", "ЧАСТИЧНЫЙ ВЫПУСК"));
	CU_ASSERT(shows("tr[data-train='" TRAIN "@1'] td.clock", "осталось"));
	CU_ASSERT_EQUAL(wd_screenshot("i18n-ru-list"), 0);
}

/* A browser of the default language still gets English. */
static void
t_console_i18n_english_default(void)
{
	char	 url[128], id[128], *s;
	json_t	*v;

	wd_use(0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", dm.port);
	v = wd("POST", "/url", json_pack("{s:s}", "url", url), true);
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait("#login-form #token", id, sizeof id, 5000));
	s = wd_js_string("return navigator.languages.join(',');");
	if (strncmp(s, "en", 2) == 0)
		CU_ASSERT(shows("#login h2", "Sign in"));
	free(s);
	/* What GET /v1/session says of the officer wins (RG.me's seam). */
	v = wd_js("RG.me = { principal: 'o.wang', role: 'officer', "
	    "language: 'zh-Hans', auth: 'session' }; return RG.lang;");
	CU_ASSERT_STRING_EQUAL(json_string_value(v) != NULL ?
	    json_string_value(v) : "", "zh-Hans");
	json_decref(v);
	CU_ASSERT(shows("#login h2", "登录"));
}

static CU_TestInfo console_i18n_tests[] = {
	{ "GET /v1/station", t_console_i18n_station },
	{ "Chinese from the browser's language", t_console_i18n_chinese_list },
	{ "times in the station's zone", t_console_i18n_station_time },
	{ "a hit's reason in Chinese", t_console_i18n_chinese_reason },
	{ "Russian from the picker", t_console_i18n_russian_picker },
	{ "English by default, the officer's own", t_console_i18n_english_default },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_console_i18n", i18n_suite_init, i18n_suite_clean,
    console_i18n_tests)
