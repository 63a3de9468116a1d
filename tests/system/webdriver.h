/*
 * webdriver.h -- headless Chromium for the system tests, through
 * chromedriver (Debian's chromium and chromium-driver).  wd_start opens
 * session 0; wd_session_open opens another (a second officer's console,
 * its own cookies and storage), wd_use picks the session the commands go
 * to.  Screenshots go to ARTEFACTS/console-NAME.png.
 */
#ifndef TESTS_SYSTEM_WEBDRIVER_H
#define TESTS_SYSTEM_WEBDRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define WD_SESSIONS	4

/*
 * 0 when chromium and chromedriver are installed; else -1, naming them on
 * stderr for suite (the suite fails: make check installs them).
 */
int wd_available(const char *suite);
/* Starts chromedriver and browser session 0 (1400x900); 0 or -1. */
int wd_start(const char *artefacts_dir);
/* Ends every session and chromedriver. */
void wd_stop(void);
/* Opens another browser session and makes it current; its index or -1. */
int wd_session_open(void);
/*
 * The same, the browser's languages lang (Accept-Language and
 * navigator.languages, e.g. "zh-CN,zh"); NULL: the browser's default.
 */
int wd_session_open_lang(const char *lang);
/* Makes session i current. */
void wd_use(int i);

/*
 * One WebDriver command to the current session (or to the server when
 * session is false); body is consumed.  The reply's "value" (owned) or
 * NULL with the error on stderr.
 */
json_t *wd(const char *method, const char *path, json_t *body, bool session);
/* The element matching css now (its id in id), or false. */
bool wd_find(const char *css, char *id, size_t size);
/* Waits up to timeout_ms for css to match. */
bool wd_wait(const char *css, char *id, size_t size, int timeout_ms);
/* Runs script in the page; its result (owned) or NULL. */
json_t *wd_js(const char *script);
/* Waits up to timeout_ms until script returns true in the page. */
bool wd_wait_js(const char *script, int timeout_ms);
/* script's result as a string (owned; "" when not a string). */
char *wd_js_string(const char *script);
/* Clicks / types into the element matching css (waited for 5 s); 0 or -1. */
int wd_click(const char *css);
int wd_type(const char *css, const char *text);
/* Saves the current session's screen as ARTEFACTS/console-NAME.png. */
int wd_screenshot(const char *name);

#endif
