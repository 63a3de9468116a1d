/*
 * test_session.c -- officers sign in with a name and a password, against
 * the real daemon and PostgreSQL (api_session.c, http_gate.c,
 * 66_sessions.sql): the cookie and its flags, one answer for an unknown
 * name, a wrong password and a disabled account (and about one time),
 * the throttles per name and per client, idle and absolute expiry,
 * revocation by sign-out, the command line, a new password and a
 * disabled account (each refused within the 1 s cache), the CSRF
 * refusal, a token and a cookie together, session fixation, forged
 * cookies, GET /v1/session for a bearer token, the language.  Accounts
 * are made with the real command line, passwords on its stdin.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			token[64];	/* a supervisor's bearer token */
static char			origin[64];	/* http://127.0.0.1:port */

/* `railgate ARGS --dsn app` with password on its stdin; its exit status. */
static int
cli(const char *password, const char *args)
{
	char	cmd[2000];

	snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | %s/railgate %s "
	    "--dsn '%s' > /dev/null", password, test_build_dir(), args,
	    pg.app_dsn);
	return system(cmd);
}

static int
session_suite_init(void)
{
	char	conf[2048];

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[http]\nsignin_failures_per_name = 3\n"
	    "signin_failures_per_client = 25\nsignin_failures_window_s = 600\n",
	    pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	snprintf(origin, sizeof origin, "http://127.0.0.1:%d", dm.port);
	if (harness_token(&pg, "supervisor", "m.machine", token) < 0)
		return -1;
	if (cli("wang-lei-password", "officer add o.wang --role officer "
	    "--display 'Wang Lei'") != 0 ||
	    cli("li-na-supervisor", "officer add s.li --role supervisor "
	    "--display 'Li Na' --language zh-Hans") != 0 ||
	    cli("auditor-chen-pw", "officer add a.chen --role auditor") != 0 ||
	    cli("victim-password-1", "officer add v.victim --role officer") != 0)
		return -1;
	return 0;
}

static int
session_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* A request with extra headers and body; the status, r kept if asked. */
static int
req(const char *method, const char *path, const char *headers,
    const char *body, struct harness_response *keep)
{
	struct harness_response	r;
	int			status;

	if (harness_http(dm.port, method, path, headers, body,
	    body != NULL ? strlen(body) : 0, &r) < 0)
		return -1;
	status = r.status;
	if (keep != NULL)
		*keep = r;
	else
		harness_response_free(&r);
	return status;
}

/* A request by cookie (value), same origin unless headers say otherwise. */
static int
req_cookie(const char *method, const char *path, const char *cookie,
    const char *more, const char *body, struct harness_response *keep)
{
	char	h[1024];

	snprintf(h, sizeof h, "Cookie: railgate_session=%s\r\n%s", cookie,
	    more != NULL ? more : "");
	return req(method, path, h, body, keep);
}

/* POST /v1/session; the cookie's value into cookie (when 200). */
static int
signin(const char *name, const char *password, const char *headers,
    char *cookie, struct harness_response *keep)
{
	struct harness_response	r;
	char			body[512], set[512];
	int			status;

	snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}",
	    name, password);
	if ((status = req("POST", "/v1/session", headers, body, &r)) == 200 &&
	    cookie != NULL && harness_header(&r, "Set-Cookie", set,
	    sizeof set) != NULL && strncmp(set, "railgate_session=", 17) == 0) {
		size_t n = strcspn(set + 17, ";");

		n = n < 63 ? n : 63;
		memcpy(cookie, set + 17, n);
		cookie[n] = '\0';
	}
	if (keep != NULL)
		*keep = r;
	else
		harness_response_free(&r);
	return status;
}

/* A member of r's JSON body as a string ("" when absent). */
static const char *
member(const struct harness_response *r, const char *name, char *out,
    size_t size)
{
	json_t	*o = json_loads(r->body, 0, NULL);
	json_t	*v = json_object_get(o, name);

	snprintf(out, size, "%s", json_is_string(v) ? json_string_value(v) :
	    json_is_null(v) ? "null" : "");
	json_decref(o);
	return out;
}

static double
now_s(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* A good sign-in: the cookie's flags, GET /v1/session, a reader's route. */
static void
t_session_signin_good(void)
{
	struct harness_response	r;
	char			cookie[64], set[512], v[128];

	CU_ASSERT_EQUAL_FATAL(signin("o.wang", "wang-lei-password", NULL, cookie,
	    &r), 200);
	harness_header(&r, "Set-Cookie", set, sizeof set);
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "; HttpOnly"));
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "; SameSite=Strict"));
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "; Path=/"));
	CU_ASSERT_PTR_NULL(strstr(set, "Secure"));	/* plain http listener */
	CU_ASSERT_EQUAL(strncmp(cookie, "rs_", 3), 0);
	CU_ASSERT_EQUAL(strlen(cookie), 46);
	CU_ASSERT_STRING_EQUAL(member(&r, "principal", v, sizeof v), "o.wang");
	CU_ASSERT_STRING_EQUAL(member(&r, "name", v, sizeof v), "Wang Lei");
	CU_ASSERT_STRING_EQUAL(member(&r, "role", v, sizeof v), "officer");
	CU_ASSERT_STRING_EQUAL(member(&r, "auth", v, sizeof v), "session");
	CU_ASSERT_EQUAL(strlen(member(&r, "expires_at", v, sizeof v)), 20);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", cookie,
	    "Accept-Language: ru-RU,ru;q=0.9\r\n", NULL, &r), 200);
	CU_ASSERT_STRING_EQUAL(member(&r, "principal", v, sizeof v), "o.wang");
	CU_ASSERT_STRING_EQUAL(member(&r, "language", v, sizeof v), "ru");
	harness_response_free(&r);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/trains", cookie, NULL, NULL,
	    NULL), 200);
	/* The stored language wins over the browser's.  (From our page.) */
	snprintf(v, sizeof v, "Origin: %s\r\nSec-Fetch-Site: same-origin\r\n",
	    origin);
	CU_ASSERT_EQUAL(signin("s.li", "li-na-supervisor", v, cookie, NULL),
	    200);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", cookie,
	    "Accept-Language: ru\r\n", NULL, &r), 200);
	CU_ASSERT_STRING_EQUAL(member(&r, "language", v, sizeof v), "zh-Hans");
	harness_response_free(&r);
	free(harness_sql(&pg, "SELECT 1"));
	CU_ASSERT_TRUE(harness_wait_sql(&pg, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'session.signin'", "2", 2000));
}

/* An unknown name, a wrong password, a disabled account: one answer. */
static void
t_session_signin_same_answer(void)
{
	struct harness_response	r1, r2, r3;
	char			d1[200], d2[200], d3[200];
	double			t0, t_known, t_unknown;

	CU_ASSERT_EQUAL_FATAL(cli("disabled-account", "officer add d.gone "
	    "--role officer"), 0);
	CU_ASSERT_EQUAL_FATAL(cli("", "officer disable d.gone"), 0);
	t0 = now_s();
	CU_ASSERT_EQUAL(signin("o.wang", "not-the-password", NULL, NULL, &r1),
	    401);
	t_known = now_s() - t0;
	t0 = now_s();
	CU_ASSERT_EQUAL(signin("nobody.here", "not-the-password", NULL, NULL,
	    &r2), 401);
	t_unknown = now_s() - t0;
	CU_ASSERT_EQUAL(signin("d.gone", "disabled-account", NULL, NULL, &r3),
	    401);
	CU_ASSERT_STRING_EQUAL(member(&r1, "detail", d1, sizeof d1),
	    member(&r2, "detail", d2, sizeof d2));
	CU_ASSERT_STRING_EQUAL(d1, member(&r3, "detail", d3, sizeof d3));
	CU_ASSERT_PTR_NULL(strstr(r2.headers, "Set-Cookie"));
	printf("\n  sign-in refused: known name %.1f ms, unknown name %.1f ms\n",
	    t_known * 1000, t_unknown * 1000);
	/* The unknown name was verified too (a dummy hash): no quick "no". */
	CU_ASSERT(t_unknown > t_known / 4);
	harness_response_free(&r1);
	harness_response_free(&r2);
	harness_response_free(&r3);
	CU_ASSERT_TRUE(harness_wait_sql(&pg, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'session.signin_failed' AND details::json->>'name' "
	    "= 'nobody.here'", "1", 2000));
}

/* Bodies that are not a sign-in, and names with odd bytes. */
static void
t_session_signin_bad_bodies(void)
{
	char	big[6000];

	CU_ASSERT_EQUAL(req("POST", "/v1/session", NULL, "name=o.wang", NULL), 400);
	CU_ASSERT_EQUAL(req("POST", "/v1/session", NULL, "[1,2]", NULL), 400);
	CU_ASSERT_EQUAL(req("POST", "/v1/session", NULL, "{\"name\":\"o.wang\"}",
	    NULL), 422);
	CU_ASSERT_EQUAL(req("POST", "/v1/session", NULL, "{\"name\":\"o.wang\","
	    "\"password\":\"wang-lei-password\",\"role\":\"admin\"}", NULL), 422);
	CU_ASSERT_EQUAL(req("POST", "/v1/session", NULL, "{\"name\":1,"
	    "\"password\":\"x\"}", NULL), 422);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "{\"name\":\"", 9);
	CU_ASSERT_EQUAL(req("POST", "/v1/session", NULL, big, NULL), 413);
	/* A NUL in a name: not JSON the daemon reads (jansson refuses it). */
	CU_ASSERT_EQUAL(signin("o.wang\\u0000x", "wang-lei-password", NULL,
	    NULL, NULL), 400);
	/* Odd bytes in a name: the same 401 as an unknown one. */
	CU_ASSERT_EQUAL(signin("o.wang\\u001b[2J", "wang-lei-password", NULL,
	    NULL, NULL), 401);
	CU_ASSERT_EQUAL(signin("O.WANG", "wang-lei-password", NULL, NULL, NULL),
	    401);
	CU_ASSERT_EQUAL(signin("o.wang\\n", "wang-lei-password", NULL, NULL,
	    NULL), 401);
	/* Another site's page may not sign anyone in (login CSRF). */
	CU_ASSERT_EQUAL(signin("o.wang", "wang-lei-password",
	    "Origin: http://evil.example\r\n", NULL, NULL), 403);
	CU_ASSERT_EQUAL(signin("o.wang", "wang-lei-password",
	    "Sec-Fetch-Site: cross-site\r\n", NULL, NULL), 403);
	/* A session cookie is no way into the sign-in's gate either way. */
	CU_ASSERT_EQUAL(req("GET", "/v1/session", NULL, NULL, NULL), 401);
}

/* Past signin_failures_per_name, even the right password gets 429. */
static void
t_session_throttle_name(void)
{
	struct harness_response	r;
	char			v[64];
	int			i;

	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(signin("v.victim", "guess-number-x", NULL, NULL,
		    NULL), 401);
	CU_ASSERT_EQUAL(signin("v.victim", "victim-password-1", NULL, NULL,
	    &r), 429);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Retry-After", v, sizeof v));
	harness_response_free(&r);
	/* Another name from the same client is not held for it. */
	CU_ASSERT_EQUAL(signin("a.chen", "auditor-chen-pw", NULL, NULL, NULL),
	    200);
	CU_ASSERT_EQUAL(req("GET", "/metrics", NULL, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "railgate_signin_throttled_total 1"));
	CU_ASSERT_PTR_NULL(strstr(r.body, "railgate_signin_failures_total 0"));
	harness_response_free(&r);
}

/* A session idle too long, or past its absolute end, is refused. */
static void
t_session_expiry(void)
{
	char	a[64], b[64];

	CU_ASSERT_EQUAL_FATAL(signin("o.wang", "wang-lei-password", NULL, a,
	    NULL), 200);
	CU_ASSERT_EQUAL_FATAL(signin("o.wang", "wang-lei-password", NULL, b,
	    NULL), 200);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", a, NULL, NULL, NULL), 200);
	free(harness_sql(&pg, "UPDATE sessions SET last_seen_at = now() - "
	    "interval '31 minutes' WHERE id = (SELECT max(id) - 1 FROM sessions)"));
	free(harness_sql(&pg, "UPDATE sessions SET expires_at = now() - "
	    "interval '1 second' WHERE id = (SELECT max(id) FROM sessions)"));
	usleep(1200 * 1000);		/* the 1 s cache */
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", a, NULL, NULL, NULL), 401);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/trains", b, NULL, NULL, NULL), 401);
}

/* Sign-out ends the session at once; its cookie replayed is refused. */
static void
t_session_signout(void)
{
	struct harness_response	r;
	char			cookie[64], set[256], h[128];

	CU_ASSERT_EQUAL_FATAL(signin("o.wang", "wang-lei-password", NULL,
	    cookie, NULL), 200);
	snprintf(h, sizeof h, "Origin: %s\r\n", origin);
	CU_ASSERT_EQUAL(req_cookie("DELETE", "/v1/session", cookie, h, NULL,
	    &r), 200);
	harness_header(&r, "Set-Cookie", set, sizeof set);
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "Max-Age=0"));
	harness_response_free(&r);
	/* At once, not after the cache's second. */
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", cookie, NULL, NULL,
	    NULL), 401);
	CU_ASSERT_EQUAL(req_cookie("DELETE", "/v1/session", cookie, h, NULL,
	    NULL), 401);
	CU_ASSERT_TRUE(harness_wait_sql(&pg, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'session.signout'", "1", 2000));
}

/* `railgate session revoke`, a new password, disabling: refused in 1 s. */
static void
t_session_revoke_cli(void)
{
	char	a[64], b[64], c[64];

	CU_ASSERT_EQUAL_FATAL(cli("", "officer add r.one --role officer") == 0 ?
	    -1 : 0, 0);	/* an empty password is refused */
	CU_ASSERT_EQUAL_FATAL(cli("revoke-me-please", "officer add r.one "
	    "--role officer"), 0);
	CU_ASSERT_EQUAL_FATAL(signin("r.one", "revoke-me-please", NULL, a,
	    NULL), 200);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", a, NULL, NULL, NULL), 200);
	CU_ASSERT_EQUAL(cli("", "session revoke r.one"), 0);
	usleep(1200 * 1000);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", a, NULL, NULL, NULL), 401);

	CU_ASSERT_EQUAL_FATAL(signin("r.one", "revoke-me-please", NULL, b,
	    NULL), 200);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", b, NULL, NULL, NULL), 200);
	CU_ASSERT_EQUAL(cli("a-brand-new-password", "officer passwd r.one"), 0);
	usleep(1200 * 1000);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", b, NULL, NULL, NULL), 401);
	CU_ASSERT_EQUAL(signin("r.one", "a-brand-new-password", NULL, c, NULL),
	    200);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", c, NULL, NULL, NULL), 200);
	CU_ASSERT_EQUAL(cli("", "officer disable r.one"), 0);
	usleep(1200 * 1000);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", c, NULL, NULL, NULL), 401);
	CU_ASSERT_EQUAL(signin("r.one", "a-brand-new-password", NULL, NULL,
	    NULL), 401);
	CU_ASSERT_TRUE(harness_wait_sql(&pg, "SELECT string_agg(action, ',' "
	    "ORDER BY seq) FROM audit_log WHERE details::json->>'principal' = "
	    "'r.one' AND action LIKE 'officer.%'",
	    "officer.add,officer.passwd,officer.disable", 2000));
}

/* By cookie, a change needs the daemon's own origin; by token, not. */
static void
t_session_csrf(void)
{
	char	cookie[64], h[256], bearer[128];
	const char *body = "{\"language\":\"ru\"}";

	CU_ASSERT_EQUAL_FATAL(signin("o.wang", "wang-lei-password", NULL,
	    cookie, NULL), 200);
	CU_ASSERT_EQUAL(req_cookie("PUT", "/v1/session/language", cookie, NULL,
	    body, NULL), 403);
	CU_ASSERT_EQUAL(req_cookie("PUT", "/v1/session/language", cookie,
	    "Origin: http://evil.example\r\n", body, NULL), 403);
	CU_ASSERT_EQUAL(req_cookie("PUT", "/v1/session/language", cookie,
	    "Origin: http://127.0.0.1\r\n", body, NULL), 403);
	snprintf(h, sizeof h, "Origin: %s\r\nSec-Fetch-Site: cross-site\r\n",
	    origin);
	CU_ASSERT_EQUAL(req_cookie("PUT", "/v1/session/language", cookie, h,
	    body, NULL), 403);
	CU_ASSERT_EQUAL(req_cookie("POST", "/v1/trains/1/approve", cookie,
	    NULL, "{\"reason\":\"x\"}", NULL), 403);
	CU_ASSERT_EQUAL(req_cookie("DELETE", "/v1/session", cookie,
	    "Sec-Fetch-Site: same-site\r\n", NULL, NULL), 403);
	/* Still signed in: none of those did anything. */
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", cookie, NULL, NULL,
	    NULL), 200);
	snprintf(h, sizeof h, "Origin: %s\r\n", origin);
	CU_ASSERT_EQUAL(req_cookie("PUT", "/v1/session/language", cookie, h,
	    body, NULL), 200);
	CU_ASSERT_EQUAL(req_cookie("PUT", "/v1/session/language", cookie,
	    "Sec-Fetch-Site: same-origin\r\n", "{\"language\":null}", NULL), 200);
	CU_ASSERT_EQUAL(req_cookie("PUT", "/v1/session/language", cookie, h,
	    "{\"language\":\"de\"}", NULL), 422);
	/* A bearer token is not checked for origin: 409, it has no session. */
	snprintf(bearer, sizeof bearer, "Authorization: Bearer %s\r\n", token);
	CU_ASSERT_EQUAL(req("PUT", "/v1/session/language", bearer, body, NULL),
	    409);
	CU_ASSERT_EQUAL(req("DELETE", "/v1/session", bearer, NULL, NULL), 409);
}

/* A token and a cookie together: 400, whatever each names. */
static void
t_session_token_and_cookie(void)
{
	char	cookie[64], h[512];

	CU_ASSERT_EQUAL_FATAL(signin("a.chen", "auditor-chen-pw", NULL, cookie,
	    NULL), 200);
	snprintf(h, sizeof h, "Authorization: Bearer %s\r\nCookie: "
	    "railgate_session=%s\r\n", token, cookie);
	CU_ASSERT_EQUAL(req("GET", "/v1/trains", h, NULL, NULL), 400);
	CU_ASSERT_EQUAL(req("POST", "/v1/trains/1/approve", h,
	    "{\"reason\":\"x\"}", NULL), 400);
	/* Two Cookie headers, two session cookies in one: refused too. */
	snprintf(h, sizeof h, "Cookie: railgate_session=%s\r\nCookie: a=b\r\n",
	    cookie);
	CU_ASSERT_EQUAL(req("GET", "/v1/trains", h, NULL, NULL), 400);
	snprintf(h, sizeof h, "Cookie: railgate_session=%s; "
	    "railgate_session=rs_other\r\n", cookie);
	CU_ASSERT_EQUAL(req("GET", "/v1/trains", h, NULL, NULL), 401);
	/* Forged values. */
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/trains",
	    "rs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL, NULL),
	    401);
	/* The bearer token as a cookie is not a session. */
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/trains", token, NULL, NULL,
	    NULL), 401);
	/* The auditor's session has the auditor's rights, and no more. */
	snprintf(h, sizeof h, "Origin: %s\r\n", origin);
	CU_ASSERT_EQUAL(req_cookie("POST", "/v1/trains/1/approve", cookie, h,
	    "{\"reason\":\"x\"}", NULL), 403);
}

/* A new session id at every sign-in; the one the browser held ends. */
static void
t_session_fixation(void)
{
	char	a[64], b[64], h[256];

	CU_ASSERT_EQUAL_FATAL(signin("o.wang", "wang-lei-password", NULL, a,
	    NULL), 200);
	snprintf(h, sizeof h, "Cookie: railgate_session=%s\r\n", a);
	CU_ASSERT_EQUAL_FATAL(signin("o.wang", "wang-lei-password", h, b, NULL),
	    200);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	usleep(1200 * 1000);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", a, NULL, NULL, NULL), 401);
	CU_ASSERT_EQUAL(req_cookie("GET", "/v1/session", b, NULL, NULL, NULL), 200);
}

/* GET /v1/session for a bearer token. */
static void
t_session_bearer(void)
{
	struct harness_response	r;
	char			h[256], v[64];

	snprintf(h, sizeof h, "Authorization: Bearer %s\r\nAccept-Language: "
	    "zh-CN,zh;q=0.9\r\n", token);
	CU_ASSERT_EQUAL_FATAL(req("GET", "/v1/session", h, NULL, &r), 200);
	CU_ASSERT_STRING_EQUAL(member(&r, "principal", v, sizeof v), "m.machine");
	CU_ASSERT_STRING_EQUAL(member(&r, "role", v, sizeof v), "supervisor");
	CU_ASSERT_STRING_EQUAL(member(&r, "auth", v, sizeof v), "bearer");
	CU_ASSERT_STRING_EQUAL(member(&r, "language", v, sizeof v), "zh-Hans");
	CU_ASSERT_STRING_EQUAL(member(&r, "expires_at", v, sizeof v), "null");
	harness_response_free(&r);
}

/* Past signin_failures_per_client, any name from that client gets 429. */
static void
t_session_throttle_client(void)
{
	char	name[32];
	int	i, status = 401;

	for (i = 0; i < 40 && status == 401; i++) {
		snprintf(name, sizeof name, "guess%d", i);
		status = signin(name, "some-password-x", NULL, NULL, NULL);
	}
	CU_ASSERT_EQUAL(status, 429);
	CU_ASSERT(i <= 26);
	CU_ASSERT_EQUAL(signin("o.wang", "wang-lei-password", NULL, NULL, NULL),
	    429);
}

static CU_TestInfo session_tests[] = {
	{ "t_session_signin_good", t_session_signin_good },
	{ "t_session_signin_same_answer", t_session_signin_same_answer },
	{ "t_session_signin_bad_bodies", t_session_signin_bad_bodies },
	{ "t_session_throttle_name", t_session_throttle_name },
	{ "t_session_expiry", t_session_expiry },
	{ "t_session_signout", t_session_signout },
	{ "t_session_revoke_cli", t_session_revoke_cli },
	{ "t_session_csrf", t_session_csrf },
	{ "t_session_token_and_cookie", t_session_token_and_cookie },
	{ "t_session_fixation", t_session_fixation },
	{ "t_session_bearer", t_session_bearer },
	{ "t_session_throttle_client", t_session_throttle_client },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("session", session_suite_init, session_suite_clean, session_tests)
