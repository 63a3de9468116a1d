/*
 * test_console_signin.c -- signing in to the console with a name and a
 * password, in a real browser (headless Chromium, webdriver.h): the bar
 * names the officer, a new tab of the same browser is signed in without
 * anything pasted (the HttpOnly cookie, which the page's script cannot
 * read), an auditor signed in beside sees no Approve button, and signing
 * out ends the session on the daemon.
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
static char			artefacts[512];
static char			url[128];

/* `railgate officer add` with the password on its stdin. */
static int
add_officer(const char *password, const char *args)
{
	char	cmd[2000];

	snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | %s/railgate officer "
	    "add %s --dsn '%s' > /dev/null", password, test_build_dir(), args,
	    pg.app_dsn);
	return system(cmd);
}

static int
signin_suite_init(void)
{
	char	operator[64];

	if (wd_available("integration_console_signin") < 0)
		return -1;
	snprintf(artefacts, sizeof artefacts, "%s/test-artefacts",
	    test_build_dir());
	mkdir(artefacts, 0755);
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", dm.port);
	if (harness_token(&pg, "operator", "ktze.operator", operator) < 0 ||
	    add_officer("supervisor-wang-lei", "s.wang --role supervisor "
	    "--display 'Wang Lei'") != 0 ||
	    add_officer("auditor-chen-pw", "a.chen --role auditor "
	    "--display 'Chen Jing'") != 0)
		return -1;
	if (harness_submit_fixture(dm.port, operator,
	    "edifact/cuscar_s3_alashankou.edi") != 202 ||
	    !harness_wait_sql(&pg, "SELECT count(*) FROM trains WHERE train_no = '"
	    TRAIN "' AND decision IS NOT NULL AND NOT eval_needed", NULL, 10000))
		return -1;
	return wd_start(artefacts);
}

static int
signin_suite_clean(void)
{
	wd_stop();
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* Opens the console in the current browser session. */
static bool
open_console(const char *path)
{
	char	 u[256];
	json_t	*v;

	snprintf(u, sizeof u, "%s%s", url, path);
	v = wd("POST", "/url", json_pack("{s:s}", "url", u), true);
	json_decref(v);
	return v != NULL;
}

/* Signs in with name and password through the form. */
static bool
sign_in(const char *name, const char *password)
{
	char	id[128];

	return wd_wait("#login-form #signin-name", id, sizeof id, 5000) &&
	    wd_type("#signin-name", name) == 0 &&
	    wd_type("#signin-password", password) == 0 &&
	    wd_click("#signin-submit") == 0;
}

/* A wrong password is refused on the page; the right one signs in. */
static void
t_console_signin_password(void)
{
	char	*s, id[128];

	CU_ASSERT_FATAL(open_console(""));
	CU_ASSERT_FATAL(sign_in("s.wang", "not-his-password"));
	CU_ASSERT(wd_wait_js("return !document.getElementById('error').hidden "
	    "&& document.getElementById('error').textContent.indexOf("
	    "'The name or the password is wrong') >= 0;", 5000));
	CU_ASSERT(wd_wait_js("return document.body.getAttribute('data-view') "
	    "=== 'login';", 1000));
	json_decref(wd_js("document.getElementById('signin-name').value = ''; "
	    "document.getElementById('signin-password').value = ''; return 1;"));
	CU_ASSERT_FATAL(sign_in("s.wang", "supervisor-wang-lei"));
	CU_ASSERT_FATAL(wd_wait("tr[data-train='" TRAIN "@1']", id, sizeof id,
	    8000));
	s = wd_js_string("return document.getElementById('who').textContent;");
	CU_ASSERT_STRING_EQUAL(s, "Wang Lei (supervisor)");
	free(s);
	/* The script never sees the session: HttpOnly. */
	CU_ASSERT(wd_wait_js("return document.cookie.indexOf('railgate_session') "
	    "< 0 && sessionStorage.getItem('railgate.token') === null;", 1000));
	CU_ASSERT(wd_wait_js("return RG.me && RG.me.auth === 'session' && "
	    "RG.me.principal === 's.wang' && RG.hasRole(['supervisor']) && "
	    "!RG.hasRole(['auditor']);", 1000));
	CU_ASSERT_EQUAL(wd_screenshot("signin-list"), 0);
}

/* A new tab of the same browser is signed in: nothing pasted. */
static void
t_console_signin_new_tab(void)
{
	json_t	*v, *w;
	char	 id[128], *s;

	v = wd("POST", "/window/new", json_pack("{s:s}", "type", "tab"), true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	w = wd("POST", "/window", json_pack("{s:s}", "handle",
	    json_string_value(json_object_get(v, "handle"))), true);
	json_decref(v);
	json_decref(w);
	CU_ASSERT_FATAL(open_console("#/train/" TRAIN));
	CU_ASSERT(wd_wait("#approve-submit", id, sizeof id, 8000));
	s = wd_js_string("return document.getElementById('who').textContent;");
	CU_ASSERT_STRING_EQUAL(s, "Wang Lei (supervisor)");
	free(s);
	CU_ASSERT(wd_wait_js("return document.getElementById('approve-form')"
	    ".offsetParent !== null;", 2000));
	/* The officer's language, stored through the cookie (same origin). */
	json_decref(wd_js("RG.saveLanguage('ru'); return 1;"));
	CU_ASSERT(wd_wait_js("return RG.me.language === 'ru';", 5000));
	CU_ASSERT_TRUE(harness_wait_sql(&pg, "SELECT language FROM "
	    "officer_accounts WHERE principal = 's.wang'", "ru", 3000));
}

/* An auditor, in another browser: the train page shows no Approve. */
static void
t_console_signin_auditor(void)
{
	char	*s, id[128];

	CU_ASSERT_FATAL(wd_session_open() > 0);
	CU_ASSERT_FATAL(open_console("#/train/" TRAIN));
	CU_ASSERT_FATAL(sign_in("a.chen", "auditor-chen-pw"));
	CU_ASSERT_FATAL(wd_wait("body[data-rendered='train']", id, sizeof id,
	    8000));
	s = wd_js_string("return document.getElementById('who').textContent;");
	CU_ASSERT_STRING_EQUAL(s, "Chen Jing (auditor)");
	free(s);
	/* The approve control is there but not shown; no button to press. */
	CU_ASSERT(wd_wait_js("var f = document.getElementById('approve-form'); "
	    "return f === null || f.offsetParent === null;", 2000));
	CU_ASSERT(wd_wait_js("var b = document.getElementById('approve-submit');"
	    " return b === null || b.offsetParent === null;", 2000));
	CU_ASSERT_EQUAL(wd_screenshot("signin-auditor"), 0);
	wd_use(0);
}

/* Signing out ends the session: a reload shows the sign-in form. */
static void
t_console_signin_signout(void)
{
	char	id[128];

	CU_ASSERT_EQUAL_FATAL(wd_click("#logout"), 0);
	CU_ASSERT(wd_wait_js("return document.body.getAttribute('data-view') "
	    "=== 'login' && RG.me === null;", 5000));
	CU_ASSERT_TRUE(harness_wait_sql(&pg, "SELECT count(*) FROM sessions "
	    "WHERE principal = 's.wang' AND revoked_at IS NULL", "0", 3000));
	CU_ASSERT_FATAL(open_console(""));
	CU_ASSERT(wd_wait("#login-form #signin-name", id, sizeof id, 5000));
	CU_ASSERT(wd_wait_js("return document.body.getAttribute('data-view') "
	    "=== 'login' && document.getElementById('who').textContent === '';",
	    5000));
	CU_ASSERT_TRUE(harness_wait_sql(&pg, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'session.signout' AND actor = 's.wang'", "1", 2000));
}

static CU_TestInfo signin_tests[] = {
	{ "t_console_signin_password", t_console_signin_password },
	{ "t_console_signin_new_tab", t_console_signin_new_tab },
	{ "t_console_signin_auditor", t_console_signin_auditor },
	{ "t_console_signin_signout", t_console_signin_signout },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_console_signin", signin_suite_init,
    signin_suite_clean, signin_tests)
