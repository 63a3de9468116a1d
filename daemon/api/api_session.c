/*
 * api_session.c -- officers sign in with a name and a password
 * (POST /v1/session), see who they are (GET), sign out (DELETE) and
 * choose the console's language (PUT /v1/session/language).
 *
 * A sign-in goes: refused from another site's page (login CSRF: a
 * text/plain form can post a body that is valid JSON) -> the body checked
 * (a JSON object of a name and a password) -> the throttles, per name and per client -> the account
 * read -> the password verified against its Argon2id hash on a worker
 * (pool.h: about 50 ms of CPU and 19 MiB, never on the loop), against
 * PASSWORD_DUMMY_HASH when no account has that name, so that an unknown
 * name, a wrong password and a disabled account take the same time and
 * get the same 401 -> a new random session id (never one the browser
 * brought: no fixation; that one is revoked), stored as its SHA-256 with
 * its audit record, and set as an HttpOnly, SameSite=Strict cookie.  At
 * most SIGNIN_VERIFYING verifications run at once (their memory is
 * bounded); beyond, 503.  Failed sign-ins are logged, counted in
 * /metrics and recorded in the audit log (session.signin_failed) while
 * under the throttles; past them they are answered 429 and counted.
 *
 * The session's expiry, revocation and the cookie's part in the
 * authentication gate are daemon/http/http_gate.c's and
 * db/functions/66_sessions.sql's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/api/language.h"
#include "daemon/daemon.h"
#include "daemon/http/auth.h"
#include "daemon/http/password.h"
#include "daemon/log.h"
#include "daemon/pool.h"

#define SIGNIN_VERIFYING	8	/* Argon2 verifications at once */
#define SIGNIN_NAME_MAX		64

/* A sign-in in progress: the request's state. */
struct signin {
	struct http_ctx	*c;
	char		 name[SIGNIN_NAME_MAX + 1];
	bool		 name_ok;	/* a name an account could have */
	char		 password[PASSWORD_MAX_BYTES + 1];
	char		 hash[PASSWORD_HASH_MAX];
	bool		 exists, disabled, match;
	char		 cookie[AUTH_TOKEN_LEN];
	char		 cookie_hash[AUTH_TOKEN_HEX];
};

static struct api_session_stats	 stats;
static struct auth_throttle	*by_name, *by_client;
static int			 verifying;

void
api_session_get_stats(struct api_session_stats *out)
{
	*out = stats;
}

static void
signin_free(void *arg)
{
	struct signin	*s = arg;

	explicit_bzero(s->password, sizeof s->password);
	free(s);
}

/* A throttle window ended with more in it than was logged one by one. */
static void
signin_throttle_report(const struct auth_throttle_report *r, void *arg)
{
	log_warnx("session: %s %s: %llu failed sign-ins in %d s, %llu "
	    "refused 429 (signin_failures_per_%s)", (const char *)arg,
	    r->client, (unsigned long long)r->failures, r->window_s,
	    (unsigned long long)r->throttled, (const char *)arg);
}

/* The throttles, made at the first sign-in from the configuration. */
static void
signin_throttles(const struct config *cfg)
{
	if (by_name != NULL)
		return;
	by_name = auth_throttle_new(cfg->signin_failures_per_name,
	    cfg->signin_failures_window_s, signin_throttle_report, "name");
	by_client = auth_throttle_new(cfg->signin_failures_per_client,
	    cfg->signin_failures_window_s, signin_throttle_report, "client");
}

/* The throttle's key of a name: its hash (any bytes, any length). */
static void
name_key(const char *name, char *key)
{
	char	hex[AUTH_TOKEN_HEX];

	auth_token_hash(name, hex);
	snprintf(key, 48, "n:%.40s", hex);
}

/* True when name could be an account's (024_sessions.sql's check). */
static bool
name_plausible(const char *name)
{
	size_t	n = strlen(name), i;

	if (n == 0 || n > SIGNIN_NAME_MAX || strchr("._-", name[0]) != NULL)
		return false;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    strchr("._-", name[i]) != NULL))
			return false;
	return true;
}

static void
ignore_status_cb(int status, void *arg)
{
	(void)status;
	(void)arg;
}

/* Completes a session document: the language from Accept-Language. */
static char *
session_document(struct http_ctx *c, const char *text, size_t len)
{
	json_t	*o = json_loadb(text, len, 0, NULL);
	char	*out;

	if (o == NULL)
		return NULL;
	if (!json_is_string(json_object_get(o, "language")))
		json_object_set_new(o, "language", json_string(language_best(
		    http_header(c, "Accept-Language"))));
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

/* The refusal of a sign-in, whatever the reason: one answer. */
static void
signin_refused(struct signin *s, const char *why)
{
	struct http_ctx	*c = s->c;
	char		 key[48];
	int64_t		 now = daemon_now_ms();
	uint64_t	 n;

	stats.signin_failures++;
	name_key(s->name, key);
	n = auth_throttle_fail(by_name, key, now);
	auth_throttle_fail(by_client, c->client, now);
	if (n <= (uint64_t)c->d->cfg.signin_failures_per_name) {
		log_warnx("%s session: sign-in refused for %s from %s: %s", c->id,
		    s->name_ok ? s->name : "(a name no account can have)",
		    c->client, why);
		store_signin_failed(c->d->db, s->name_ok ? s->name : "(invalid)",
		    c->client, why, ignore_status_cb, NULL);
	}
	c->quiet = true;
	http_reply_problem(c, 401, "Unauthorized", "the name or the password "
	    "is wrong", NULL, 0);
}

/* The new session stored: the cookie set. */
static void
signin_opened_cb(int status, const char *text, size_t len, void *arg)
{
	struct signin	*s = arg;
	struct http_ctx	*c = s->c;
	char		 cookie[256], *doc;

	if (status < 0) {
		http_reply_unavailable(c);
		return;
	}
	if (status == 0) {
		signin_refused(s, "account disabled");
		return;
	}
	if ((doc = session_document(c, text, len)) == NULL) {
		http_reply_problem(c, 500, "Internal Server Error",
		    "the session could not be read back", NULL, 0);
		return;
	}
	stats.signins++;
	snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=%d%s", SESSION_COOKIE, s->cookie,
	    c->d->cfg.session_max_s, http_session_secure(c) ? "; Secure" : "");
	http_add_header(c, "Set-Cookie", cookie);
	log_info("%s session: %s signed in from %s", c->id, s->name, c->client);
	http_reply_json(c, 200, doc, strlen(doc));
	free(doc);
}

/* Worker: the password against the hash; nothing else is touched. */
static void
signin_verify_work(void *arg)
{
	struct signin	*s = arg;

	s->match = password_verify(s->hash, s->password) == 1;
	explicit_bzero(s->password, sizeof s->password);
}

/* Loop: the verification's result. */
static void
signin_verified_cb(void *arg)
{
	struct signin	*s = arg;
	struct http_ctx	*c = s->c;
	char		 old[260], old_hash[AUTH_TOKEN_HEX];
	const char	*held;
	int		 malformed;

	verifying--;
	if (!s->match || !s->exists || s->disabled) {
		signin_refused(s, !s->exists ? "no such account" : !s->match ?
		    "wrong password" : "account disabled");
		return;
	}
	if (auth_token_generate(s->cookie) < 0) {
		http_reply_problem(c, 500, "Internal Server Error",
		    "no random bytes for a session", NULL, 0);
		return;
	}
	memcpy(s->cookie, "rs_", 3);
	auth_token_hash(s->cookie, s->cookie_hash);
	held = password_session_cookie(http_header(c, "Cookie"), old,
	    &malformed);
	if (held != NULL)
		auth_token_hash(held, old_hash);
	store_session_open(c->d->db, s->cookie_hash, s->name, c->client,
	    c->d->cfg.session_idle_s, c->d->cfg.session_max_s,
	    held != NULL ? old_hash : NULL, signin_opened_cb, s);
}

/* The account read (or none): the verification goes to a worker. */
static void
signin_account_cb(int status, const char *text, size_t len, void *arg)
{
	struct signin	*s = arg;
	struct http_ctx	*c = s->c;
	json_t		*o;

	if (status < 0) {
		http_reply_unavailable(c);
		return;
	}
	snprintf(s->hash, sizeof s->hash, "%s", PASSWORD_DUMMY_HASH);
	if (status == 1 && (o = json_loadb(text, len, 0, NULL)) != NULL) {
		const char *h = json_string_value(json_object_get(o, "hash"));

		if (h != NULL && strlen(h) < sizeof s->hash) {
			snprintf(s->hash, sizeof s->hash, "%s", h);
			s->exists = true;
			s->disabled = json_is_true(json_object_get(o, "disabled"));
		}
		json_decref(o);
	}
	verifying++;
	pool_submit(c->d->pool, POOL_PRIORITY_HIGH, signin_verify_work,
	    signin_verified_cb, s);
}

/* Parses the sign-in body into s; false with the problem answered. */
static bool
signin_body(struct http_ctx *c, struct signin *s)
{
	const unsigned char	*body;
	json_error_t		 err;
	json_t			*o, *name, *pw;
	size_t			 len;
	const char		*bad = NULL;

	body = http_body(c, &len);
	o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		http_reply_problem(c, 400, "Bad Request", "a sign-in is a JSON "
		    "object {\"name\": ..., \"password\": ...}", NULL, 0);
		return false;
	}
	name = json_object_get(o, "name");
	pw = json_object_get(o, "password");
	if (!json_is_string(name))
		bad = "\"name\" must be a string";
	else if (!json_is_string(pw))
		bad = "\"password\" must be a string";
	else if (json_object_size(o) != 2)
		bad = "a sign-in has \"name\" and \"password\" and nothing else";
	else if (json_string_length(pw) > PASSWORD_MAX_BYTES ||
	    json_string_length(pw) == 0)
		bad = "\"password\" is 1 to 1024 bytes";
	if (bad == NULL) {
		snprintf(s->name, sizeof s->name, "%s", json_string_value(name));
		s->name_ok = json_string_length(name) <= SIGNIN_NAME_MAX &&
		    name_plausible(json_string_value(name));
		memcpy(s->password, json_string_value(pw), json_string_length(pw));
		s->password[json_string_length(pw)] = '\0';
		explicit_bzero((void *)json_string_value(pw), json_string_length(pw));
	}
	json_decref(o);
	if (bad != NULL)
		http_reply_problem(c, 422, "Unprocessable Content", bad, NULL, 0);
	return bad == NULL;
}

/* True (answered 429) when the name or the client is throttled. */
static bool
signin_throttled(struct http_ctx *c, struct signin *s)
{
	char	key[48];
	int64_t	now = daemon_now_ms();
	int	w1, w2;

	auth_throttle_sweep(by_name, now);
	auth_throttle_sweep(by_client, now);
	name_key(s->name, key);
	w1 = auth_throttle_check(by_name, key, now);
	w2 = auth_throttle_check(by_client, c->client, now);
	if (w1 == 0 && w2 == 0)
		return false;
	stats.signin_throttled++;
	c->quiet = true;
	http_reply_problem(c, 429, "Too Many Requests", "too many failed "
	    "sign-ins under this name or from this address; retry later",
	    NULL, w1 > w2 ? w1 : w2);
	return true;
}

void
api_session_post(struct http_ctx *c)
{
	struct signin	*s;

	/* Login CSRF: another site's form signing the officer in as its own. */
	if (http_cross_origin(c)) {
		http_reply_problem(c, 403, "Forbidden", "a sign-in must come from "
		    "the console's own page", NULL, 0);
		return;
	}
	signin_throttles(&c->d->cfg);
	s = xcalloc(1, sizeof *s);
	s->c = c;
	c->state = s;
	c->state_free = signin_free;
	if (!signin_body(c, s) || signin_throttled(c, s))
		return;
	if (verifying >= SIGNIN_VERIFYING) {
		http_reply_problem(c, 503, "Service Unavailable", "too many "
		    "sign-ins at once; retry in a second", NULL, 1);
		return;
	}
	if (!s->name_ok) {
		/* No account can have it: verified all the same (timing). */
		signin_account_cb(0, NULL, 0, s);
		return;
	}
	store_officer_account(c->d->db, s->name, signin_account_cb, s);
}

/* A session's document read: answered. */
static void
session_info_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;
	char		*doc;

	if (status < 0) {
		http_reply_unavailable(c);
		return;
	}
	if (status == 0) {
		http_session_forget(c);
		http_reply_problem(c, 401, "Unauthorized", "the session is "
		    "unknown, expired or revoked; sign in again", NULL, 0);
		return;
	}
	if ((doc = session_document(c, text, len)) == NULL) {
		http_reply_problem(c, 500, "Internal Server Error",
		    "the session could not be read", NULL, 0);
		return;
	}
	http_reply_json(c, 200, doc, strlen(doc));
	free(doc);
}

void
api_session_get(struct http_ctx *c)
{
	json_t	*o;
	char	*doc;

	if (c->session) {
		store_session_info(c->d->db, c->cred_hash, session_info_cb, c);
		return;
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:n}", "principal",
	    c->who.name, "role", auth_role_name(c->who.role), "name",
	    c->who.name, "language", language_best(http_header(c,
	    "Accept-Language")), "auth", "bearer", "expires_at");
	doc = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	http_reply_json(c, 200, doc, strlen(doc));
	free(doc);
}

/* 409 for a caller by token: there is no session to change. */
static bool
session_required(struct http_ctx *c)
{
	if (c->session)
		return false;
	http_reply_problem(c, 409, "Conflict", "this request is signed by a "
	    "bearer token, not a session: there is no session to change "
	    "(a token is revoked with `railgate token revoke`)", NULL, 0);
	return true;
}

/* Signed out: the cookie cleared. */
static void
session_closed_cb(int status, void *arg)
{
	struct http_ctx	*c = arg;
	char		 cookie[160];

	if (status < 0) {
		http_reply_unavailable(c);
		return;
	}
	http_session_forget(c);
	stats.signouts++;
	snprintf(cookie, sizeof cookie, "%s=; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=0%s", SESSION_COOKIE,
	    http_session_secure(c) ? "; Secure" : "");
	http_add_header(c, "Set-Cookie", cookie);
	http_reply_json(c, 200, "{\"signed_out\":true}", 19);
}

void
api_session_delete(struct http_ctx *c)
{
	if (session_required(c))
		return;
	store_session_close(c->d->db, c->cred_hash, session_closed_cb, c);
}

/* The language stored: the session's document again. */
static void
session_language_cb(const char *result, void *arg)
{
	struct http_ctx	*c = arg;

	if (result == NULL) {
		http_reply_unavailable(c);
		return;
	}
	store_session_info(c->d->db, c->cred_hash, session_info_cb, c);
}

void
api_session_language(struct http_ctx *c)
{
	const unsigned char	*body;
	size_t			 len;
	json_t			*o, *v;
	const char		*lang = NULL;
	bool			 ok;

	if (session_required(c))
		return;
	body = http_body(c, &len);
	o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, NULL);
	v = json_object_get(o, "language");
	ok = json_is_object(o) && json_object_size(o) == 1 &&
	    (json_is_null(v) || (json_is_string(v) &&
	    language_known(json_string_value(v))));
	if (ok && json_is_string(v))
		lang = json_string_value(v);
	if (!ok) {
		json_decref(o);
		http_reply_problem(c, 422, "Unprocessable Content", "the body is "
		    "{\"language\": \"zh-Hans\" | \"ru\" | \"en\" | \"kk\" | "
		    "\"vi\" | null}", NULL, 0);
		return;
	}
	store_officer_language(c->d->db, c->who.name, lang,
	    session_language_cb, c);
	json_decref(o);
}
