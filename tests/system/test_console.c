/*
 * test_console.c -- the officer console in a real browser: headless
 * Chromium driven through chromedriver's W3C WebDriver protocol (JSON over
 * HTTP, spoken with the harness's own client), against the real daemon and
 * PostgreSQL.  An officer logs in, opens a fixture train, resolves two
 * wagons, approves, sees the release notice delivered to a receiver on
 * loopback, and opens the set-out list.  Screenshots go to
 * BUILD/test-artefacts/console-*.png.
 *
 * Chromium and chromedriver are Debian's `chromium` and `chromium-driver`
 * (scripts/deps.sh installs them); without them the suite fails, saying so.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"
#include "webdriver.h"

#define SECRET		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define TRAIN		"X8024"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64], officer_token[64];
static char			admin_token[64], sup1_token[64];
static char			sup2_token[64];
static char			artefacts[512];
static int			recv_fd = -1, recv_port;
static pthread_t		recv_thread;
static bool			recv_running;
static atomic_int		recv_count;

/* ---- a webhook receiver: answers 204 to every request, counts them ---- */

static void *
receiver(void *arg)
{
	for (;;) {
		char	 buf[1 << 16], *end, *cl;
		size_t	 len = 0, want = 0;
		ssize_t	 n;
		int	 fd = accept(recv_fd, NULL, NULL);
		static const char reply[] = "HTTP/1.1 204 No Content\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n";

		if (fd < 0)
			return NULL;
		while ((n = read(fd, buf + len, sizeof buf - len - 1)) > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			if ((end = strstr(buf, "\r\n\r\n")) == NULL)
				continue;
			cl = strcasestr(buf, "\r\nContent-Length:");
			want = (size_t)(end + 4 - buf) +
			    (cl != NULL && cl < end ? (size_t)atol(cl + 17) : 0);
			if (len >= want)
				break;
		}
		if (want > 0 && len >= want)
			atomic_fetch_add(&recv_count, 1);
		if (write(fd, reply, sizeof reply - 1) < 0)
			fprintf(stderr, "receiver: write failed\n");
		close(fd);
	}
}

static int
receiver_start(void)
{
	struct sockaddr_in	sa = { 0 };
	socklen_t		sl = sizeof sa;

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((recv_fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(recv_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(recv_fd, 16) < 0 ||
	    getsockname(recv_fd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	recv_port = ntohs(sa.sin_port);
	if (pthread_create(&recv_thread, NULL, receiver, NULL) != 0)
		return -1;
	recv_running = true;
	return 0;
}

/* ---- the daemon's API ---- */

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

/* Polls sql until it returns something other than 0; true if it did. */
static bool
wait_sql(const char *sql, int timeout_ms)
{
	return harness_wait_sql(&pg, sql, NULL, timeout_ms);
}

/* ---- WebDriver ---- */

/*
 * One HTTP request to chromedriver.  The harness's client reads to the end
 * of the connection, and chromedriver keeps it open despite "Connection:
 * close", so this one reads the reply by its Content-Length.  The body
 * (owned, NUL-terminated) into *out; the status, or -1.
 */

static int
console_suite_init(void)
{
	char	sub[512], conf[1400];
	int	status;

	if (wd_available("integration_console") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&pg) < 0)
		return -1;
	/* The operator's receiver is on loopback. */
	snprintf(conf, sizeof conf, "%s[notices]\nallow_private_endpoints = "
	    "yes\n", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.console", officer_token) < 0 ||
	    harness_token(&pg, "admin", "a.admin", admin_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup1_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.two", sup2_token) < 0)
		return -1;
	if (receiver_start() < 0)
		return -1;
	snprintf(sub, sizeof sub, "{\"url\":\"http://127.0.0.1:%d/hooks/customs\","
	    "\"formats\":[\"json\"],\"carriers\":[\"KZ-KTZE\",\"CN-CRCT\"],"
	    "\"secret\":\"%s\"}", recv_port, SECRET);
	if (request("PUT", "/v1/subscriptions/ktze", admin_token, sub,
	    NULL) != 200)
		return -1;

	/* The fixture train, decided, arrived (the clearance clock runs). */
	status = harness_submit_fixture(dm.port, operator_token,
	    "edifact/cuscar_s3_alashankou.edi");
	if (status != 202 || !wait_sql("SELECT count(*) FROM trains WHERE "
	    "train_no = '" TRAIN "' AND decision IS NOT NULL AND NOT "
	    "eval_needed", 10000))
		return -1;
	if (request("POST", "/v1/trains/" TRAIN "/events", officer_token,
	    "{\"type\":\"arrived\"}", NULL) != 202)
		return -1;
	return wd_start(artefacts);
}

static int
console_suite_clean(void)
{
	wd_stop();
	if (recv_running) {
		shutdown(recv_fd, SHUT_RDWR);
		close(recv_fd);
		pthread_join(recv_thread, NULL);
		recv_running = false;
	}
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/*
 * Every script index.html loads is served as JavaScript and puts text in
 * the page through textContent only, never innerHTML: a file added to the
 * console is checked without this test naming it.
 */
static void
console_scripts_use_text_only(void)
{
	struct harness_response	 page, r;
	char			 path[128], v[512];
	const char		*p, *end;
	int			 n = 0;

	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "GET", "/", NULL, NULL, 0,
	    &page), 0);
	for (p = page.body; (p = strstr(p, "src=\"/console/")) != NULL;
	    p = end) {
		p += strlen("src=\"");
		end = strchr(p, '"');
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		snprintf(path, sizeof path, "%.*s", (int)(end - p), p);
		CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "GET", path, NULL,
		    NULL, 0, &r), 0);
		CU_ASSERT_EQUAL(r.status, 200);
		harness_header(&r, "Content-Type", v, sizeof v);
		CU_ASSERT_PTR_NOT_NULL(strstr(v, "text/javascript"));
		CU_ASSERT_PTR_NULL(strstr(r.body, "innerHTML"));
		harness_response_free(&r);
		n++;
	}
	CU_ASSERT(n >= 4);		/* core, list, train, setout */
	harness_response_free(&page);
}

/* The static files: no token, the right types, a strict policy. */
static void
t_console_static_files(void)
{
	struct harness_response	 r;
	char			 v[512];

	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "GET", "/", NULL, NULL, 0,
	    &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Content-Type", v, sizeof v));
	CU_ASSERT_PTR_NOT_NULL(strstr(v, "text/html"));
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Content-Security-Policy", v,
	    sizeof v));
	CU_ASSERT_PTR_NOT_NULL(strstr(v, "script-src 'self'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(v, "default-src 'none'"));
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Cache-Control", v, sizeof v));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "/console/core.js"));
	harness_response_free(&r);

	console_scripts_use_text_only();

	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "GET",
	    "/console/console.css", NULL, NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	harness_header(&r, "Content-Type", v, sizeof v);
	CU_ASSERT_PTR_NOT_NULL(strstr(v, "text/css"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "@media print"));
	harness_response_free(&r);

	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "GET",
	    "/console/../openapi.json", NULL, NULL, 0, &r), 0);
	CU_ASSERT_NOT_EQUAL(r.status, 200);
	harness_response_free(&r);
	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "GET", "/console/secret.txt",
	    NULL, NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 404);
	harness_response_free(&r);
}

/* A wrong token is refused on the page; the officer's shows the train list. */
static void
t_console_login_and_list(void)
{
	char	 url[128], id[128], *s;
	json_t	*v;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/", dm.port);
	v = wd("POST", "/url", json_pack("{s:s}", "url", url), true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	json_decref(v);
	CU_ASSERT_FATAL(wd_wait("#login-form #token", id, sizeof id, 5000));
	CU_ASSERT_EQUAL_FATAL(wd_type("#token", "not-a-token"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#login-submit"), 0);
	CU_ASSERT(wd_wait_js("return !document.getElementById('error').hidden "
	    "&& document.getElementById('error').textContent.indexOf('401') "
	    ">= 0;", 5000));

	CU_ASSERT_EQUAL_FATAL(wd_type("#token", officer_token), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#login-submit"), 0);
	CU_ASSERT_FATAL(wd_wait("tr[data-train='" TRAIN "@1']", id, sizeof id,
	    5000));
	s = wd_js_string("return document.querySelector(\"tr[data-train='"
	    TRAIN "@1']\").textContent;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "KZDOS \xe2\x86\x92 CNXIA"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "green lane"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "PARTIAL_RELEASE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "left"));	/* the clock runs */
	free(s);
	/* The countdown is coloured (the clock has just started: ok). */
	CU_ASSERT(wd_wait_js("return document.querySelector(\"tr[data-train='"
	    TRAIN "@1'] td.clock\").classList.contains('clock-ok');", 2000));
	CU_ASSERT_EQUAL(wd_screenshot("list"), 0);
}

/* The train as a strip of wagons; a wagon's hits; resolve; approve. */
static void
t_console_train_resolve_approve(void)
{
	char	*s;
	json_t	*v;

	CU_ASSERT_EQUAL_FATAL(wd_click("tr[data-train='" TRAIN "@1'] a"), 0);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'train' && document.querySelectorAll("
	    "'#strip .wagon').length === 3;", 5000));
	v = wd_js("return Array.prototype.map.call(document.querySelectorAll("
	    "'#strip .wagon'), function (w) { return w.getAttribute("
	    "'data-position') + ':' + w.getAttribute('data-action') + ':' + "
	    "w.className; }).join(' ');");
	CU_ASSERT_STRING_EQUAL(json_string_value(v) != NULL ?
	    json_string_value(v) : "", "1:RELEASE:wagon lane-green "
	    "2:DOC_CHECK:wagon lane-yellow 3:RELEASE:wagon lane-green");
	json_decref(v);

	/* The grapes' wagon: its hit in plain language. */
	CU_ASSERT_EQUAL_FATAL(wd_click("#strip .wagon[data-position='2']"), 0);
	CU_ASSERT_FATAL(wd_wait_js("var r = document.querySelector("
	    "'#wagon-detail .hit .reason'); return r !== null && "
	    "r.textContent.indexOf('phytosanitary certificate') >= 0;", 3000));
	s = wd_js_string("return document.getElementById('wagon-detail')"
	    ".textContent;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "phyto"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "consignment SMGS 24170091"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "would pass if"));
	free(s);
	/* And the text of the rule behind it, from the stored rule set. */
	CU_ASSERT(wd_wait_js("var h = document.querySelector('#wagon-detail "
	    ".hit'), p = h && h.querySelector('.rule-text pre'), r = h && "
	    "h.querySelector('.rule'); return p !== null && r !== null && "
	    "p.textContent.indexOf('main.rules:') === 0 && p.textContent"
	    ".indexOf('\\nrule ' + r.textContent + '\\n') > 0;", 3000));
	CU_ASSERT_EQUAL(wd_screenshot("train"), 0);

	/* Release it; the reason carries markup, which must stay text. */
	CU_ASSERT_EQUAL_FATAL(wd_type("#resolve-reason",
	    "<b id=injected>certificate</b> shown"), 0);
	/* No action is chosen for the officer: sending without one sends
	 * nothing. */
	CU_ASSERT_EQUAL_FATAL(wd_click("#resolve-submit"), 0);
	CU_ASSERT(wd_wait_js("return document.getElementById('resolve-result')"
	    ".textContent === 'choose an action';", 3000));
	CU_ASSERT_EQUAL_FATAL(wd_click("#resolve-action option[value=release]"),
	    0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#resolve-submit"), 0);
	CU_ASSERT_FATAL(wd_wait_js("var w = document.querySelector("
	    "\"#strip .wagon[data-position='2']\"); return w !== null && "
	    "w.getAttribute('data-action') === 'RELEASE';", 5000));

	/* Set the last wagon out for inspection. */
	CU_ASSERT_EQUAL_FATAL(wd_click("#strip .wagon[data-position='3']"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#resolve-action option[value=inspect]"),
	    0);
	CU_ASSERT_EQUAL_FATAL(wd_type("#resolve-reason", "seal number differs "
	    "from the manifest"), 0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#resolve-submit"), 0);
	CU_ASSERT_FATAL(wd_wait_js("var w = document.querySelector("
	    "\"#strip .wagon[data-position='3']\"); return w !== null && "
	    "w.getAttribute('data-action') === 'INSPECT' && "
	    "w.classList.contains('lane-red');", 5000));

	/* The timeline shows both resolutions, the markup as text. */
	CU_ASSERT(wd_wait_js("var t = document.getElementById('timeline'); "
	    "return t !== null && t.textContent.indexOf("
	    "'<b id=injected>certificate</b>') >= 0;", 6000));
	v = wd_js("return document.getElementById('injected') === null;");
	CU_ASSERT(json_is_true(v));
	json_decref(v);

	/* Approve: final, and the notice goes out. */
	CU_ASSERT_EQUAL_FATAL(wd_type("#approve-reason", "checked at Alashankou"),
	    0);
	CU_ASSERT_EQUAL_FATAL(wd_click("#approve-submit"), 0);
	/* Approval asks once more, showing what it will do. */
	CU_ASSERT_FATAL(wd_wait_js("var d = document.getElementById("
	    "'approve-dialog'); return d !== null && d.open && "
	    "d.getAttribute('data-state') === 'ready';", 5000));
	CU_ASSERT_EQUAL_FATAL(wd_click("#approve-confirm"), 0);
	CU_ASSERT_FATAL(wd_wait_js("var d = document.getElementById("
	    "'train-decision'); return d !== null && "
	    "d.textContent.indexOf('(final)') >= 0;", 5000));
	CU_ASSERT(wait_sql("SELECT count(*) FROM notices WHERE state = "
	    "'delivered'", 10000));
	CU_ASSERT(atomic_load(&recv_count) >= 1);
	/* The page shows it delivered on its next poll. */
	CU_ASSERT(wd_wait_js("return document.querySelector("
	    "'#notices tr.notice-delivered') !== null;", 8000));
	s = wd_js_string("return document.getElementById('train-decision')"
	    ".textContent;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "PARTIAL_RELEASE (final)"));
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("approved"), 0);
}

/* The set-out list for the shunting crew: the inspected wagon, printable. */
static void
t_console_setout_list(void)
{
	char	*s;

	CU_ASSERT_EQUAL_FATAL(wd_click("#setout-link"), 0);
	CU_ASSERT_FATAL(wd_wait_js("return document.body.getAttribute("
	    "'data-rendered') === 'setout';", 5000));
	s = wd_js_string("var t = document.getElementById('setout-table'); "
	    "return t === null ? '' : t.tBodies[0].textContent;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "335279521132"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "INSPECT"));
	CU_ASSERT_PTR_NULL(strstr(s, "315279550026"));	/* released */
	free(s);
	CU_ASSERT_EQUAL(wd_screenshot("setout"), 0);
}

/*
 * Goods on no wagon (issue 17, item 1) seen by an officer: the train hits,
 * most severe first, with no way out on the officer's page (a train hit
 * holds the whole train: two supervisors clear it -- issue 18; their
 * console: integration_console_foureyes), the officer's attempt through the
 * API refused; two supervisors' resolutions, and the page follows.  The
 * hits are written into the decision here, as the engine writes them for
 * goods on no wagon.
 */
static void
t_console_goods(void)
{
	json_t	*v;
	char	*w3, json[256];

	free(harness_sql(&pg, "UPDATE trains SET decision = (decision::jsonb "
	    "|| jsonb_build_object('decision', 'HOLD', 'train_hits', '[{\"rule\""
	    ": \"unplaced-goods\", \"action\": \"DOC_CHECK\", \"subject\": "
	    "{\"consignment\": \"C9\", \"item\": 1}, \"reason\": \"item 1 of C9 "
	    "is on no wagon\"}, {\"rule\": \"x-ray-goods\", \"action\": "
	    "\"INSPECT\", \"subject\": {\"consignment\": \"C8\"}, \"reason\": "
	    "\"C8 is to be scanned\"}]'::jsonb))::json WHERE train_no = '"
	    TRAIN "'"));
	v = wd_js("location.hash = '#/'; location.hash = '#/train/" TRAIN
	    "@1'; return true;");
	json_decref(v);
	/* The officer's page offers no way out of a train hit: a train hit
	 * holds the whole train, so clearing it takes two supervisors (the
	 * console's side of it: integration_console_foureyes). */
	CU_ASSERT_FATAL(wd_wait_js("return document.getElementById("
	    "'train-hits') !== null && document.querySelectorAll("
	    "'#train-hits li.hit').length === 2;", 8000));
	v = wd_js("return document.querySelector('[id^=goods-form-]') === null "
	    "&& document.getElementById('train-hits').textContent.indexOf("
	    "'A supervisor proposes how these goods are resolved') >= 0 && "
	    "document.querySelector('#train-hits li.hit').getAttribute("
	    "'data-action') === 'INSPECT';");
	CU_ASSERT(json_is_true(v));
	json_decref(v);
	/* The officer's attempt through the API is refused; nothing changes. */
	CU_ASSERT_EQUAL(request("POST", "/v1/trains/" TRAIN "/goods/resolution",
	    officer_token, "{\"consignment\": \"C9\", \"item\": 1, "
	    "\"resolution\": \"corrected\", \"reason\": \"item withdrawn by "
	    "the railway\"}", NULL), 403);
	/* Corrected, then located on wagon 3, each proposed by a supervisor
	 * and confirmed by another (the console's side of it:
	 * integration_console_foureyes): the page follows. */
	w3 = harness_sql(&pg, "SELECT w.number FROM wagons w JOIN trains t ON "
	    "t.id = w.train_id WHERE t.train_no = '" TRAIN "' AND w.position "
	    "= 3");
	CU_ASSERT_EQUAL(officers_goods_agreed(dm.port, sup1_token, sup2_token,
	    TRAIN, "{\"consignment\": \"C9\", \"item\": 1, \"resolution\": "
	    "\"corrected\", \"reason\": \"item withdrawn by the railway\"}",
	    NULL), 200);
	snprintf(json, sizeof json, "{\"consignment\": \"C8\", \"resolution\""
	    ": \"located\", \"wagon\": \"%s\", \"reason\": \"found in wagon "
	    "3\"}", w3 != NULL ? w3 : "?");
	CU_ASSERT_EQUAL(officers_goods_agreed(dm.port, sup1_token, sup2_token,
	    TRAIN, json, NULL), 200);
	free(w3);
	CU_ASSERT_FATAL(wd_wait_js("return document.getElementById("
	    "'train-hits') === null && document.querySelector(\"#strip "
	    ".wagon[data-position='3']\").getAttribute('data-action') === "
	    "'INSPECT';", 10000));
	CU_ASSERT_EQUAL(wd_screenshot("goods"), 0);
}

static CU_TestInfo console_tests[] = {
	{ "t_console_static_files", t_console_static_files },
	{ "t_console_login_and_list", t_console_login_and_list },
	{ "t_console_train_resolve_approve", t_console_train_resolve_approve },
	{ "t_console_setout_list", t_console_setout_list },
	{ "t_console_goods", t_console_goods },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_console", console_suite_init, console_suite_clean,
    console_tests)
