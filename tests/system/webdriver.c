/*
 * webdriver.c -- headless Chromium for the system tests: chromedriver
 * started on a free loopback port and spoken to in W3C WebDriver (JSON
 * over HTTP, with a small client of its own).  One or more browser
 * sessions (WD_SESSIONS: two officers' consoles side by side); the
 * commands go to the current one (wd_use).  Shared by every suite that
 * drives the console (test_console.c and the ones after it).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "manifest/util.h"

#include "harness.h"
#include "webdriver.h"

#define WD_ELEMENT	"element-6066-11e4-a52e-4f735466cecf"

static pid_t	wd_pid;
static int	wd_port;
static char	wd_sessions[WD_SESSIONS][128];
static int	wd_current;
static char	artefacts[512];
static bool	quiet_errors;

#define wd_session	wd_sessions[wd_current]

static int
wd_http(const char *method, const char *path, const char *body, char **out)
{
	struct sockaddr_in	 sa = { 0 };
	char			*head, *buf = NULL, *end, *cl;
	size_t			 len = 0, cap = 0, want = (size_t)-1;
	ssize_t			 n;
	int			 fd, status = -1;

	*out = NULL;
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)wd_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	if (asprintf(&head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", method,
	    path, wd_port, body != NULL ? strlen(body) : 0,
	    body != NULL ? body : "") < 0) {
		close(fd);
		return -1;
	}
	n = write(fd, head, strlen(head));
	free(head);
	while (n >= 0 && len != want) {
		if (cap - len < 65536) {
			cap = cap * 2 + 65536;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		if ((n = read(fd, buf + len, cap - len)) <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (want == (size_t)-1 && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			cl = strcasestr(buf, "\r\nContent-Length:");
			if (cl != NULL && cl < end)
				want = (size_t)(end + 4 - buf) +
				    (size_t)atol(cl + 17);
		}
	}
	close(fd);
	if (buf != NULL && len > 12 && strncmp(buf, "HTTP/1.", 7) == 0 &&
	    (end = strstr(buf, "\r\n\r\n")) != NULL) {
		status = atoi(buf + 9);
		*out = xstrdup(end + 4);
	}
	free(buf);
	return status;
}

/*
 * One WebDriver command: body (consumed, may be NULL) to path under the
 * session (or the server when session is false).  The reply's "value"
 * (owned), or NULL with the error on stderr.
 */
json_t *
wd(const char *method, const char *path, json_t *body, bool session)
{
	char			 full[512], *text = NULL, *reply;
	json_t			*doc, *value = NULL;
	int			 status;

	snprintf(full, sizeof full, "%s%s%s", session ? "/session/" : "",
	    session ? wd_session : "", path);
	if (body != NULL)
		text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	status = wd_http(method, full, text, &reply);
	free(text);
	if (status < 0) {
		if (!quiet_errors)
			fprintf(stderr, "\nwebdriver %s %s: no connection\n",
			    method, full);
		return NULL;
	}
	doc = json_loads(reply != NULL ? reply : "", 0, NULL);
	if (status == 200 && doc != NULL)
		value = json_incref(json_object_get(doc, "value"));
	else if (!quiet_errors)
		fprintf(stderr, "\nwebdriver %s %s: %d %.400s\n", method, full,
		    status, reply != NULL ? reply : "");
	json_decref(doc);
	free(reply);
	return value;
}

/* The element matching css, or NULL (the id copied into id). */
bool
wd_find(const char *css, char *id, size_t size)
{
	json_t	*v, *e;
	bool	 found = false;

	quiet_errors = true;	/* not there yet: the caller waits */
	v = wd("POST", "/element", json_pack("{s:s, s:s}", "using",
	    "css selector", "value", css), true);
	quiet_errors = false;
	e = json_object_get(v, WD_ELEMENT);
	if (json_is_string(e)) {
		snprintf(id, size, "%s", json_string_value(e));
		found = true;
	}
	json_decref(v);
	return found;
}

/* Waits for css to match; its element id, or false after timeout_ms. */
bool
wd_wait(const char *css, char *id, size_t size, int timeout_ms)
{
	int	waited;

	for (waited = 0; waited < timeout_ms; waited += 100) {
		if (wd_find(css, id, size))
			return true;
		usleep(100000);
	}
	fprintf(stderr, "\nconsole: no element %s after %d ms\n", css,
	    timeout_ms);
	return false;
}

/* Runs script in the page; its result (owned) or NULL. */
json_t *
wd_js(const char *script)
{
	return wd("POST", "/execute/sync", json_pack("{s:s, s:[]}", "script",
	    script, "args"), true);
}

/* Waits until script returns true in the page. */
bool
wd_wait_js(const char *script, int timeout_ms)
{
	int	 waited;
	json_t	*v;

	for (waited = 0; waited < timeout_ms; waited += 100) {
		v = wd_js(script);
		if (json_is_true(v)) {
			json_decref(v);
			return true;
		}
		json_decref(v);
		usleep(100000);
	}
	fprintf(stderr, "\nconsole: still false after %d ms: %s\n", timeout_ms,
	    script);
	return false;
}

/* The page's result of script as a string (owned), "" when not a string. */
char *
wd_js_string(const char *script)
{
	json_t	*v = wd_js(script);
	char	*s = xstrdup(json_is_string(v) ? json_string_value(v) : "");

	json_decref(v);
	return s;
}

/*
 * Sends an element command (what: "click", "value") to the element
 * matching css, found again when the page redrew it between the find and
 * the command (a stale element: the console redraws on every pushed
 * change); 0, or -1 after a few tries.
 */
static int
element_command(const char *css, const char *what, json_t *body)
{
	char	 id[128], path[256];
	json_t	*v = NULL;
	int	 try;

	for (try = 0; try < 5 && v == NULL; try++) {
		if (!wd_wait(css, id, sizeof id, 5000))
			break;
		snprintf(path, sizeof path, "/element/%s/%s", id, what);
		quiet_errors = try < 4;	/* only the last failure is told */
		v = wd("POST", path, json_incref(body), true);
		quiet_errors = false;
		if (v == NULL)
			usleep(100000);
	}
	json_decref(body);
	if (v == NULL)
		return -1;
	json_decref(v);
	return 0;
}

/* Clicks the element matching css; 0 or -1. */
int
wd_click(const char *css)
{
	return element_command(css, "click", json_object());
}

/* Types text into the element matching css; 0 or -1. */
int
wd_type(const char *css, const char *text)
{
	return element_command(css, "value", json_pack("{s:s}", "text", text));
}

/* Saves a screenshot as ARTEFACTS/console-NAME.png; 0 or -1. */
int
wd_screenshot(const char *name)
{
	json_t		*v = wd("GET", "/screenshot", NULL, true);
	const char	*b64 = json_string_value(v);
	unsigned char	*png;
	char		 path[600];
	size_t		 len;
	int		 n, pad = 0;
	FILE		*f;

	if (b64 == NULL) {
		json_decref(v);
		return -1;
	}
	len = strlen(b64);
	png = xmalloc(len / 4 * 3 + 3);
	n = EVP_DecodeBlock(png, (const unsigned char *)b64, (int)len);
	while (len > 0 && b64[--len] == '=')
		pad++;
	json_decref(v);
	snprintf(path, sizeof path, "%s/console-%s.png", artefacts, name);
	if (n < 0 || (f = fopen(path, "wb")) == NULL) {
		free(png);
		return -1;
	}
	n = (int)fwrite(png, 1, (size_t)(n - pad), f) == n - pad ? 0 : -1;
	if (fclose(f) != 0)
		n = -1;
	free(png);
	return n;
}

#define CHROMIUM	"/usr/bin/chromium"
#define CHROMEDRIVER	"/usr/bin/chromedriver"

int
wd_available(const char *suite)
{
	if (access(CHROMIUM, X_OK) == 0 && access(CHROMEDRIVER, X_OK) == 0)
		return 0;
	fprintf(stderr, "\n%s: %s or %s is missing: install Debian's chromium "
	    "and chromium-driver (scripts/deps.sh, run by make check)\n",
	    suite, CHROMIUM, CHROMEDRIVER);
	return -1;
}

/*
 * A new headless Chromium session in slot i, its languages lang (as
 * Accept-Language: "zh-CN,zh") or the browser's default when NULL; 0 or -1.
 */
static int
session_new(int i, const char *lang)
{
	json_t	*caps, *opts, *v;
	char	 arg[128];

	opts = json_pack("{s:s, s:[s,s,s,s,s]}", "binary", CHROMIUM, "args",
	    "--headless=new", "--no-sandbox", "--disable-gpu",
	    "--window-size=1400,900", "--disable-dev-shm-usage");
	if (lang != NULL) {
		snprintf(arg, sizeof arg, "--lang=%.*s", (int)strcspn(lang, ","),
		    lang);
		json_array_append_new(json_object_get(opts, "args"),
		    json_string(arg));
		json_object_set_new(opts, "prefs", json_pack("{s:s}",
		    "intl.accept_languages", lang));
	}
	caps = json_pack("{s:{s:{s:s, s:o}}}", "capabilities", "alwaysMatch",
	    "browserName", "chrome", "goog:chromeOptions", opts);
	v = wd("POST", "/session", caps, false);
	if (!json_is_string(json_object_get(v, "sessionId"))) {
		json_decref(v);
		fprintf(stderr, "\nwebdriver: chromedriver made no session (log: "
		    "%s/console-chromedriver.log)\n", artefacts);
		return -1;
	}
	snprintf(wd_sessions[i], sizeof wd_sessions[i], "%s",
	    json_string_value(json_object_get(v, "sessionId")));
	json_decref(v);
	wd_current = i;
	return 0;
}

int
wd_start(const char *artefacts_dir)
{
	char	 port[32], log[600];
	json_t	*v;
	int	 i, fd;

	snprintf(artefacts, sizeof artefacts, "%s", artefacts_dir);
	if ((wd_port = harness_free_port()) < 0)
		return -1;
	snprintf(port, sizeof port, "--port=%d", wd_port);
	snprintf(log, sizeof log, "%s/console-chromedriver.log", artefacts);
	if ((wd_pid = fork()) < 0)
		return -1;
	if (wd_pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(CHROMEDRIVER, "chromedriver", port, (char *)NULL);
		_exit(127);
	}
	quiet_errors = true;
	for (i = 0; i < 100; i++) {	/* ready within 10 s */
		v = wd("GET", "/status", NULL, false);
		if (json_is_true(json_object_get(v, "ready"))) {
			json_decref(v);
			break;
		}
		json_decref(v);
		usleep(100000);
	}
	quiet_errors = false;
	return session_new(0, NULL);
}

int
wd_session_open(void)
{
	return wd_session_open_lang(NULL);
}

int
wd_session_open_lang(const char *lang)
{
	int	i;

	for (i = 0; i < WD_SESSIONS; i++)
		if (wd_sessions[i][0] == '\0')
			return session_new(i, lang) == 0 ? i : -1;
	return -1;
}

void
wd_use(int i)
{
	if (i >= 0 && i < WD_SESSIONS && wd_sessions[i][0] != '\0')
		wd_current = i;
}

void
wd_stop(void)
{
	json_t	*v;
	int	 i, status;

	for (i = 0; i < WD_SESSIONS; i++) {
		if (wd_sessions[i][0] == '\0')
			continue;
		wd_current = i;
		v = wd("DELETE", "", NULL, true);
		json_decref(v);
		wd_sessions[i][0] = '\0';
	}
	wd_current = 0;
	if (wd_pid > 0) {
		kill(wd_pid, SIGTERM);
		waitpid(wd_pid, &status, 0);
		wd_pid = 0;
	}
}
