/*
 * http_gate.c -- the authentication gate.
 *
 * A route that is not public needs a bearer token: from the cache, else
 * one lookup through the application (http_app.token_lookup), then the
 * route's roles (401 / 403).  A request announcing a body goes through
 * the same gate before its body is read (http_head_cb, asked by the
 * connection guard), so that the 200 MB upload of a stranger costs its
 * head.
 *
 * The credential is either a bearer token (machines, and the console's
 * "use a token") or the session cookie of an officer signed in with a
 * name and a password (POST /v1/session); both in one request are
 * refused 400, whoever they name, so that which one acts is never a
 * guess.  A session's lookup is cached for HTTP_SESSION_CACHE_S (1 s):
 * a session revoked anywhere is refused within a second.  A request by
 * cookie that may change something (not GET or HEAD) must come from the
 * console's own page -- Sec-Fetch-Site: same-origin, or an Origin that is
 * this daemon's (its Host, https:// when the daemon serves TLS or
 * session_cookie_secure says so, else http://) -- else 403: with SameSite=Strict, the defence against another
 * site's page posting with the officer's cookie.  Bearer requests carry
 * no ambient credential and are not checked.
 *
 * Failed authentications -- a wrong, unknown or malformed credential,
 * not a request with none -- are counted per client (auth.h's throttle):
 * each is logged on its own line while the client is under
 * auth_failures_per_client in its window, beyond that only in the
 * window's summary; past the limit, requests needing a token that is not
 * cached as valid get 429 without a lookup.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <event2/http.h>

#include "manifest/util.h"

#include "daemon/daemon.h"
#include "daemon/http/http_int.h"
#include "daemon/http/password.h"
#include "daemon/log.h"

/* How an authentication ended, when it did not let the caller in. */
struct http_auth {
	char			 hash[AUTH_TOKEN_HEX];
	bool			 session;	/* hash is a session cookie's */
	struct auth_principal	 who;
	struct conn_refusal	 no;
	const char		*why;		/* for the log line */
};

enum { HTTP_AUTH_OK, HTTP_AUTH_NO, HTTP_AUTH_LOOKUP };

/* Answers c with a refusal of the authentication step. */
static void
http_reply_refusal(struct http_ctx *c, const struct http_auth *a)
{
	c->quiet = a->no.quiet;
	c->note = a->why;
	if (a->no.challenge)
		http_add_header(c, "WWW-Authenticate", "Bearer realm=\"railgate\"");
	http_reply_problem(c, a->no.status, a->no.title, a->no.detail, NULL,
	    a->no.retry_after_s);
}

/* A failed authentication: counted against the client, 401. */
static int
http_auth_failed(struct http_server *s, const char *client,
    struct http_auth *a, bool challenge, const char *why,
    const char *detail)
{
	uint64_t	n = auth_throttle_fail(s->throttle, client,
			    daemon_now_ms());

	s->stats.auth_failures++;
	a->no.status = 401;
	a->no.title = "Unauthorized";
	a->no.challenge = challenge;
	a->no.quiet = n > (uint64_t)s->fail_limit;
	snprintf(a->no.detail, sizeof a->no.detail, "%s", detail);
	a->why = why;
	return HTTP_AUTH_NO;
}

/*
 * A request with no credential at all: 401, not counted against the
 * client.  It guesses nothing -- a console opening before anyone signed
 * in asks who is signed in (GET /v1/session) -- and officers behind one
 * station's address would otherwise lock each other out by opening tabs.
 */
static int
http_auth_absent(struct http_server *s, struct http_auth *a)
{
	s->stats.auth_failures++;
	a->no.status = 401;
	a->no.title = "Unauthorized";
	a->no.challenge = true;
	snprintf(a->no.detail, sizeof a->no.detail, "an Authorization: Bearer "
	    "token or a session (POST /v1/session) is required");
	a->why = "no token";
	return HTTP_AUTH_NO;
}

/* An unknown, expired or revoked token or session: 401. */
static int
http_auth_unknown(struct http_server *s, const char *client,
    struct http_auth *a)
{
	if (a->session)
		return http_auth_failed(s, client, a, false,
		    "unknown, expired or revoked session",
		    "the session is unknown, expired or revoked; sign in again");
	return http_auth_failed(s, client, a, false,
	    "unknown, expired or revoked token",
	    "the token is unknown, expired or revoked");
}

/* A refusal of a request carrying a token and a session cookie. */
static int
http_auth_both(struct http_server *s, struct http_auth *a)
{
	s->stats.both_refused++;
	a->no.status = 400;
	a->no.title = "Bad Request";
	snprintf(a->no.detail, sizeof a->no.detail, "both an Authorization "
	    "header and the %s cookie: send one credential", SESSION_COOKIE);
	a->why = "a token and a session cookie";
	return HTTP_AUTH_NO;
}

/*
 * The first step of authenticating client's Authorization header or
 * session cookie: done from the cache or the throttle, or a database
 * lookup of a->hash (a->session: a session's) is needed.
 */
static int
http_auth_begin(struct http_server *s, const char *client,
    const char *authorization, const char *cookie, struct http_auth *a)
{
	char		 value[260];
	const char	*session, *token;
	int64_t		 now = daemon_now_ms();
	int		 rc = -1, wait, malformed;

	memset(a, 0, sizeof *a);
	session = password_session_cookie(cookie, value, &malformed);
	if (authorization != NULL && (session != NULL || malformed))
		return http_auth_both(s, a);
	a->session = session != NULL || malformed;
	token = a->session ? session : auth_bearer(authorization);
	if (token != NULL) {
		auth_token_hash(token, a->hash);
		if ((rc = auth_cache_get(a->session ? s->sessions : s->d->auth,
		    a->hash, now, &a->who)) == 1)
			return HTTP_AUTH_OK;
	}
	/* A token once valid is looked up whoever else fails from this
	 * address: the throttle is for guessers, who have none. */
	if (rc != AUTH_CACHE_KNOWN &&
	    (wait = auth_throttle_check(s->throttle, client, now)) > 0) {
		s->stats.auth_throttled++;
		a->no.status = 429;
		a->no.title = "Too Many Requests";
		a->no.retry_after_s = wait;
		a->no.quiet = true;
		snprintf(a->no.detail, sizeof a->no.detail, "too many failed "
		    "authentications from this address; retry in %d s", wait);
		return HTTP_AUTH_NO;
	}
	if (token == NULL && a->session)
		return http_auth_failed(s, client, a, false, "malformed "
		    "session cookie", "the session cookie is malformed; sign "
		    "in again");
	if (token == NULL && authorization == NULL)
		return http_auth_absent(s, a);
	if (token == NULL)
		return http_auth_failed(s, client, a, true, "malformed token",
		    "an Authorization: Bearer token or a session (POST "
		    "/v1/session) is required");
	if (rc == 0)
		return http_auth_unknown(s, client, a);
	if (a->session)
		s->stats.session_lookups++;
	else
		s->stats.token_lookups++;
	return HTTP_AUTH_LOOKUP;
}

/* The second step: the database's answer about a->hash. */
static int
http_auth_end(struct http_server *s, const char *client, int status,
    const char *principal, const char *role, const char *carriers,
    struct http_auth *a)
{
	struct auth_principal	who;

	if (status < 0) {
		a->no.status = 503;
		a->no.title = "Service Unavailable";
		a->no.retry_after_s = 5;
		snprintf(a->no.detail, sizeof a->no.detail, "the database is "
		    "unavailable; retry later");
		return HTTP_AUTH_NO;
	}
	memset(&who, 0, sizeof who);
	if (status == 0 || auth_role_parse(role, &who.role) < 0) {
		auth_cache_put(a->session ? s->sessions : s->d->auth, a->hash,
		    daemon_now_ms(), NULL);
		return http_auth_unknown(s, client, a);
	}
	snprintf(who.name, sizeof who.name, "%s", principal);
	if (carriers != NULL && auth_carriers_set(&who, carriers) < 0) {
		/* More than a principal can hold: refuse, never truncate. */
		auth_cache_put(a->session ? s->sessions : s->d->auth, a->hash,
		    daemon_now_ms(), NULL);
		return http_auth_unknown(s, client, a);
	}
	auth_cache_put(a->session ? s->sessions : s->d->auth, a->hash,
	    daemon_now_ms(), &who);
	a->who = who;
	return HTTP_AUTH_OK;
}

/*
 * True when a request by cookie comes from the console's own page
 * (Sec-Fetch-Site: same-origin, else an Origin naming this daemon).
 */
static bool
http_same_origin(const struct http_ctx *c)
{
	const char	*site = http_header(c, "Sec-Fetch-Site");
	const char	*origin = http_header(c, "Origin");
	const char	*host = http_header(c, "Host");
	const char	*scheme = http_session_secure(c) ? "https://" : "http://";
	size_t		 n = strlen(scheme);

	if (site != NULL)
		return strcmp(site, "same-origin") == 0;
	if (origin == NULL || host == NULL || *host == '\0')
		return false;
	return strncasecmp(origin, scheme, n) == 0 &&
	    strcasecmp(origin + n, host) == 0;
}

/* Runs the handler once the caller is known to be allowed. */
static void
http_authorised(struct http_ctx *c)
{
	int	m = evhttp_request_get_command(c->req);

	if (c->session && m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD &&
	    !http_same_origin(c)) {
		c->server->stats.csrf_refused++;
		log_warnx("%s forbidden: %s's session cookie on %s from another "
		    "origin (Origin %.80s, Sec-Fetch-Site %.20s)", c->id,
		    c->who.name, c->route->pattern,
		    http_header(c, "Origin") ? http_header(c, "Origin") : "-",
		    http_header(c, "Sec-Fetch-Site") ?
		    http_header(c, "Sec-Fetch-Site") : "-");
		http_reply_problem(c, 403, "Forbidden", "a request signed in by "
		    "cookie that changes something must come from the console's "
		    "own page (Origin or Sec-Fetch-Site: same-origin)", NULL, 0);
		return;
	}
	if (!auth_role_allows(c->route->roles, c->who.role)) {
		log_warnx("%s forbidden: %s (%s) may not call %s", c->id,
		    c->who.name, auth_role_name(c->who.role),
		    c->route->pattern);
		http_reply_problem(c, 403, "Forbidden",
		    "this token's role may not use this endpoint", NULL, 0);
		return;
	}
	http_reads_admit(c);
}

/* Token lookup answered by the application. */
static void
http_request_token_cb(int status, const char *principal, const char *role,
    const char *carriers, void *arg)
{
	struct http_ctx		*c = arg;
	struct http_auth	 a;

	memset(&a, 0, sizeof a);
	a.session = c->session;
	snprintf(a.hash, sizeof a.hash, "%s", c->cred_hash);
	if (http_auth_end(c->server, c->client, status, principal, role,
	    carriers, &a) !=
	    HTTP_AUTH_OK) {
		http_reply_refusal(c, &a);
		return;
	}
	c->who = a.who;
	http_authorised(c);
}

/* Authenticates from the cache, or asks the application. */
void
http_authenticate(struct http_ctx *c)
{
	struct http_auth	a;

	switch (http_auth_begin(c->server, c->client,
	    http_header(c, "Authorization"), http_header(c, "Cookie"), &a)) {
	case HTTP_AUTH_OK:
		c->who = a.who;
		c->session = a.session;
		snprintf(c->cred_hash, sizeof c->cred_hash, "%s", a.hash);
		http_authorised(c);
		break;
	case HTTP_AUTH_NO:
		http_reply_refusal(c, &a);
		break;
	default:
		c->session = a.session;
		snprintf(c->cred_hash, sizeof c->cred_hash, "%s", a.hash);
		(a.session ? c->server->app.session_lookup :
		    c->server->app.token_lookup)(c->server->app.arg, a.hash,
		    http_request_token_cb, c);
	}
}

/* The caller is known: its role decides. */
static enum conn_verdict
gate_role(const struct http_route *route, const struct http_auth *a,
    struct conn_refusal *r)
{
	if (auth_role_allows(route->roles, a->who.role))
		return CONN_ALLOW;
	log_warnx("forbidden: %s (%s) may not call %s (before the body)",
	    a->who.name, auth_role_name(a->who.role), route->pattern);
	return http_gate_refuse(r, 403, "this token's role may not use this "
	    "endpoint");
}

/* The lookup of a gated head's token answered. */
static void
http_gate_cb(int status, const char *principal, const char *role,
    const char *carriers, void *arg)
{
	struct http_gate	*gate = arg;
	struct http_auth	 a;
	struct conn_refusal	 r;

	if (gate->s == NULL) {
		free(gate);
		return;
	}
	LIST_REMOVE(gate, entry);
	memset(&a, 0, sizeof a);
	memset(&r, 0, sizeof r);
	snprintf(a.hash, sizeof a.hash, "%s", gate->hash);
	a.session = gate->session;
	if (http_auth_end(gate->s, gate->client, status, principal, role,
	    carriers, &a) != HTTP_AUTH_OK)
		conn_guard_resume(gate->w, &a.no);
	else if (gate_role(gate->route, &a, &r) == CONN_REFUSE)
		conn_guard_resume(gate->w, &r);
	else
		conn_guard_resume(gate->w, NULL);
	free(gate);
}

/*
 * The guard's question for a head: may it go on?  Its target must be a
 * URI evhttp will take.  If it announces a body, the route must exist
 * and take a body, the database be up, the token valid (perhaps after a
 * lookup: CONN_WAIT) and its role allowed.  A head without a body goes
 * on: the router answers it as it is.
 */
enum conn_verdict
http_head_cb(const struct conn_request_head *h, struct conn_wait *w,
    struct conn_refusal *r, uint64_t *body_max, void *arg)
{
	struct http_server	*s = arg;
	const struct http_route	*route;
	struct evhttp_uri	*uri;
	struct http_auth	 a;
	struct http_gate	*gate;
	const char		*path;
	bool			 path_known = false;

	/* As evhttp will parse it: what it would refuse is refused here. */
	if ((uri = evhttp_uri_parse_with_flags(h->target,
	    EVHTTP_URI_NONCONFORMANT)) == NULL)
		return http_gate_refuse(r, 400, "the request target is not a URI");
	if (h->content_length <= 0 && !h->chunked) {
		evhttp_uri_free(uri);
		return CONN_ALLOW;
	}
	path = evhttp_uri_get_path(uri);
	if (path == NULL || *path == '\0') {
		evhttp_uri_free(uri);
		return http_gate_refuse(r, 400, "no request path");
	}
	route = http_route_find(s, http_method_code(h->method), path,
	    &path_known, NULL);
	if (route == NULL && path_known)
		http_gate_refuse(r, 405, "this method is not allowed on this path");
	else if (route == NULL)
		http_gate_refuse(r, 404, "%.150s", path);
	if (route == NULL) {
		evhttp_uri_free(uri);
		return CONN_REFUSE;
	}
	evhttp_uri_free(uri);
	if (http_route_body_refused(route, h, body_max, r))
		return CONN_REFUSE;
	if (route->roles == AUTH_NONE)		/* the sign-in */
		return CONN_ALLOW;
	if (!s->app.is_up(s->app.arg)) {
		http_gate_refuse(r, 503, "the database is unavailable; retry "
		    "later");
		r->retry_after_s = 5;
		return CONN_REFUSE;
	}
	switch (http_auth_begin(s, h->client, h->authorization, h->cookie,
	    &a)) {
	case HTTP_AUTH_OK:
		return gate_role(route, &a, r);
	case HTTP_AUTH_NO:
		*r = a.no;
		return CONN_REFUSE;
	default:
		break;
	}
	gate = xcalloc(1, sizeof *gate);
	gate->s = s;
	gate->w = w;
	gate->route = route;
	snprintf(gate->client, sizeof gate->client, "%s", h->client);
	snprintf(gate->hash, sizeof gate->hash, "%s", a.hash);
	gate->session = a.session;
	LIST_INSERT_HEAD(&s->gates, gate, entry);
	(a.session ? s->app.session_lookup : s->app.token_lookup)(s->app.arg,
	    a.hash, http_gate_cb, gate);
	return CONN_WAIT;
}

void
http_session_forget(struct http_ctx *c)
{
	if (c->session)
		auth_cache_put(c->server->sessions, c->cred_hash,
		    daemon_now_ms(), NULL);
}

bool
http_cross_origin(const struct http_ctx *c)
{
	const char	*site = http_header(c, "Sec-Fetch-Site");

	if (site != NULL && strcmp(site, "none") != 0)
		return !http_same_origin(c);
	return http_header(c, "Origin") != NULL && !http_same_origin(c);
}

bool
http_session_secure(const struct http_ctx *c)
{
	return c->d->cfg.session_cookie_secure ||
	    (c->server != NULL && c->server->tls);
}
