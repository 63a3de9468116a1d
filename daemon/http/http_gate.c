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
 * Failed authentications are counted per client (auth.h's throttle):
 * each is logged on its own line while the client is under
 * auth_failures_per_client in its window, beyond that only in the
 * window's summary; past the limit, requests needing a token that is not
 * cached as valid get 429 without a lookup.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>

#include "manifest/util.h"

#include "daemon/daemon.h"
#include "daemon/http/http_int.h"
#include "daemon/log.h"

/* How an authentication ended, when it did not let the caller in. */
struct http_auth {
	char			 hash[AUTH_TOKEN_HEX];
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
 * The first step of authenticating client's Authorization header: done
 * from the cache or the throttle, or a database lookup of a->hash is
 * needed.
 */
static int
http_auth_begin(struct http_server *s, const char *client,
    const char *authorization, struct http_auth *a)
{
	const char	*token = auth_bearer(authorization);
	int64_t		 now = daemon_now_ms();
	int		 rc = -1, wait;

	memset(a, 0, sizeof *a);
	if (token != NULL) {
		auth_token_hash(token, a->hash);
		if ((rc = auth_cache_get(s->d->auth, a->hash, now, &a->who)) ==
		    1)
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
	if (token == NULL)
		return http_auth_failed(s, client, a, true, authorization ==
		    NULL ? "no token" : "malformed token",
		    "an Authorization: Bearer token is required");
	if (rc == 0)
		return http_auth_failed(s, client, a, false,
		    "unknown, expired or revoked token",
		    "the token is unknown, expired or revoked");
	s->stats.token_lookups++;
	return HTTP_AUTH_LOOKUP;
}

/* The second step: the database's answer about a->hash. */
static int
http_auth_end(struct http_server *s, const char *client, int status,
    const char *principal, const char *role, struct http_auth *a)
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
		auth_cache_put(s->d->auth, a->hash, daemon_now_ms(), NULL);
		return http_auth_failed(s, client, a, false,
		    "unknown, expired or revoked token",
		    "the token is unknown, expired or revoked");
	}
	snprintf(who.name, sizeof who.name, "%s", principal);
	auth_cache_put(s->d->auth, a->hash, daemon_now_ms(), &who);
	a->who = who;
	return HTTP_AUTH_OK;
}

/* Runs the handler once the caller is known to be allowed. */
static void
http_authorised(struct http_ctx *c)
{
	if (!auth_role_allows(c->route->roles, c->who.role)) {
		log_warnx("%s forbidden: %s (%s) may not call %s", c->id,
		    c->who.name, auth_role_name(c->who.role),
		    c->route->pattern);
		http_reply_problem(c, 403, "Forbidden",
		    "this token's role may not use this endpoint", NULL, 0);
		return;
	}
	c->route->handler(c);
}

/* Token lookup answered by the application. */
static void
http_request_token_cb(int status, const char *principal, const char *role,
    void *arg)
{
	struct http_ctx		*c = arg;
	struct http_auth	 a;

	memset(&a, 0, sizeof a);
	auth_token_hash(auth_bearer(http_header(c, "Authorization")), a.hash);
	if (http_auth_end(c->server, c->client, status, principal, role, &a) !=
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
	    http_header(c, "Authorization"), &a)) {
	case HTTP_AUTH_OK:
		c->who = a.who;
		http_authorised(c);
		break;
	case HTTP_AUTH_NO:
		http_reply_refusal(c, &a);
		break;
	default:
		c->server->app.token_lookup(c->server->app.arg, a.hash,
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
http_gate_cb(int status, const char *principal, const char *role, void *arg)
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
	if (http_auth_end(gate->s, gate->client, status, principal, role,
	    &a) != HTTP_AUTH_OK)
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
	if (!s->app.is_up(s->app.arg)) {
		http_gate_refuse(r, 503, "the database is unavailable; retry "
		    "later");
		r->retry_after_s = 5;
		return CONN_REFUSE;
	}
	switch (http_auth_begin(s, h->client, h->authorization, &a)) {
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
	LIST_INSERT_HEAD(&s->gates, gate, entry);
	s->app.token_lookup(s->app.arg, a.hash, http_gate_cb, gate);
	return CONN_WAIT;
}
