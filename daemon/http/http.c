/*
 * http.c -- routing, authentication and replies.
 *
 * A request goes: match a route (404 / 405 otherwise) -> if the route is
 * not public, authenticate the bearer token (cache, else one database
 * lookup) and check the route's roles (401 / 403) -> the handler.  The
 * route table with its roles is api.c's; this file only applies it.
 *
 * A request announcing a body goes through the same steps once more
 * before its body is read: the connection guard (conn.h) puts its head
 * to http_head_cb, which refuses an unknown route, a body on a public
 * route, or a caller without a valid token of the right role before a
 * byte of the body is taken in (the 200 MB upload of a stranger costs
 * its head).  Refusals there are rendered here (http_render_cb), as
 * every other problem document is.
 *
 * Failed authentications are counted per client (auth.h's throttle):
 * each is logged on its own line while the client is under
 * auth_failures_per_client in its window, beyond that only in the
 * window's summary; past the limit, requests needing a token that is not
 * cached as valid get 429 without a database lookup.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "db/db.h"
#include "db/store.h"
#include "manifest/diag.h"
#include "manifest/json.h"
#include "manifest/jsonw.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/http/conn.h"
#include "daemon/daemon.h"
#include "daemon/http/http.h"
#include "daemon/log.h"
#include "daemon/http/reqhead.h"

#define HTTP_TICK_MS	1000	/* the throttle's windows are looked at */
#define HTTP_IGNORED_BODY_MAX	4096	/* a GET's body, read and ignored */

/* A head waiting for its token's lookup before its body is read. */
LIST_HEAD(http_gate_list, http_gate);
struct http_gate {
	struct http_server	*s;		/* NULL: the server went away */
	struct conn_wait	*w;
	const struct http_route	*route;
	char			 client[CONN_CLIENT_LEN];
	char			 hash[AUTH_TOKEN_HEX];
	LIST_ENTRY(http_gate)	 entry;
};

struct http_server {
	struct daemon		*d;
	struct evhttp		*http;
	struct evhttp_bound_socket *sock;
	struct conn_guard	*guard;
	struct auth_throttle	*throttle;
	int			 fail_limit;	/* auth_failures_per_client at start */
	struct event		*tick;
	struct http_gate_list	 gates;
	uint64_t		 next_id;
	struct http_stats	 stats;
};

/* How an authentication ended, when it did not let the caller in. */
struct http_auth {
	char			 hash[AUTH_TOKEN_HEX];
	struct auth_principal	 who;
	struct conn_refusal	 no;
	const char		*why;		/* for the log line */
};

enum { HTTP_AUTH_OK, HTTP_AUTH_NO, HTTP_AUTH_LOOKUP };

static struct http_server *the_server;	/* for stats from contexts */

/* The reason phrase of a status, also a problem's default title. */
static const char *
http_reason(int status)
{
	static const struct {
		int		 status;
		const char	*text;
	} reasons[] = {
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 409, "Conflict" },
		{ 410, "Gone" }, { 411, "Length Required" },
		{ 413, "Payload Too Large" }, { 415, "Unsupported Media Type" },
		{ 417, "Expectation Failed" }, { 422, "Unprocessable Content" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
	};
	size_t	i;

	for (i = 0; i < nitems(reasons); i++)
		if (reasons[i].status == status)
			return reasons[i].text;
	return status < 500 ? "Client Error" : "Server Error";
}

/* Frees a context and what it owns. */
static void
ctx_free(struct http_ctx *c)
{
	int	i;

	for (i = 0; i < HTTP_MAX_PARAMS; i++)
		free(c->params[i]);
	if (c->query != NULL) {
		evhttp_clear_headers(c->query);
		free(c->query);
	}
	if (c->state != NULL && c->state_free != NULL)
		c->state_free(c->state);
	free(c);
}

const char *
http_param(const struct http_ctx *c, int n)
{
	return n >= 0 && n < HTTP_MAX_PARAMS ? c->params[n] : NULL;
}

const char *
http_header(const struct http_ctx *c, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(c->req), name);
}

const char *
http_query(struct http_ctx *c, const char *name)
{
	const struct evhttp_uri	*uri;
	const char		*q;

	if (c->query == NULL) {
		uri = evhttp_request_get_evhttp_uri(c->req);
		q = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
		c->query = xcalloc(1, sizeof *c->query);
		TAILQ_INIT(c->query);
		if (q != NULL && evhttp_parse_query_str(q, c->query) != 0)
			evhttp_clear_headers(c->query);
	}
	return evhttp_find_header(c->query, name);
}

const unsigned char *
http_body(struct http_ctx *c, size_t *len)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(c->req);

	*len = evbuffer_get_length(in);
	return evbuffer_pullup(in, -1);
}

void
http_add_header(struct http_ctx *c, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(c->req), name, value);
}

/* The method as the request line spells it. */
static const char *
method_name(int m)
{
	switch (m) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_HEAD: return "HEAD";
	default: return "OTHER";
	}
}

/* The EVHTTP_REQ_* of a method the guard let through; 0 for another. */
static int
method_code(const char *name)
{
	static const int codes[] = { EVHTTP_REQ_GET, EVHTTP_REQ_POST,
	    EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE, EVHTTP_REQ_HEAD };
	size_t	i;

	for (i = 0; i < nitems(codes); i++)
		if (strcmp(name, method_name(codes[i])) == 0)
			return codes[i];
	return 0;
}

/* Counts a reply sent, by status class. */
static void
count_reply(int status)
{
	if (the_server == NULL)
		return;
	the_server->stats.requests++;
	the_server->stats.by_class[status / 100 % 6]++;
}

/*
 * The one place a reply leaves: headers, log line, statistics, free.  A
 * HEAD request gets the headers, its Content-Length that of the body
 * GET would have, and no body (libevent 2.1 would send the body, and no
 * length, which leaves the next reply on the connection out of step).
 */
void
http_reply(struct http_ctx *c, int status, const char *content_type,
    const char *body, size_t len)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(c->req);
	struct evbuffer		*out = evbuffer_new();
	int64_t			 ms = daemon_now_ms() - c->started_ms;
	char			 n[24];

	if (content_type != NULL)
		evhttp_add_header(h, "Content-Type", content_type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Request-Id", c->id);
	if (evhttp_request_get_command(c->req) == EVHTTP_REQ_HEAD) {
		snprintf(n, sizeof n, "%zu", body != NULL ? len : 0);
		evhttp_remove_header(h, "Content-Length");
		evhttp_add_header(h, "Content-Length", n);
	} else if (body != NULL && out != NULL)
		evbuffer_add(out, body, len);
	if (!c->quiet && (status >= 400 ||
	    (c->route != NULL && c->route->roles != AUTH_NONE)))
		log_info("%s %s %s -> %d (%lld ms%s%s%s%s)", c->id,
		    method_name(evhttp_request_get_command(c->req)),
		    evhttp_request_get_uri(c->req), status, (long long)ms,
		    c->who.name[0] ? ", " : "", c->who.name,
		    c->note != NULL ? ", " : "", c->note != NULL ? c->note : "");
	evhttp_send_reply(c->req, status, NULL, out);
	if (out != NULL)
		evbuffer_free(out);
	count_reply(status);
	if (the_server != NULL)
		the_server->stats.in_flight--;
	ctx_free(c);
}

void
http_reply_json(struct http_ctx *c, int status, const char *json, size_t len)
{
	http_reply(c, status, "application/json", json, len);
}

/* An RFC 9457 document with the members every refusal carries. */
static void
problem_write(struct buf *b, int status, const char *title,
    const char *detail, const char *instance, const char *id,
    const struct diag_list *diags)
{
	struct jsonw	w;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "type", "about:blank");
	jsonw_kv_string(&w, "title", title);
	jsonw_kv_int(&w, "status", status);
	jsonw_kv_string_opt(&w, "detail", detail);
	jsonw_kv_string(&w, "instance", instance);
	jsonw_kv_string(&w, "request_id", id);
	if (diags != NULL) {
		jsonw_key(&w, "diagnostics");
		manifest_json_write_diags(&w, diags);
	}
	jsonw_object_end(&w);
}

void
http_reply_problem(struct http_ctx *c, int status, const char *title,
    const char *detail, const struct diag_list *diags, int retry_after_s)
{
	struct buf	b = { 0 };
	char		tmp[16];

	problem_write(&b, status, title, detail,
	    evhttp_request_get_uri(c->req), c->id, diags);
	if (retry_after_s > 0) {
		snprintf(tmp, sizeof tmp, "%d", retry_after_s);
		http_add_header(c, "Retry-After", tmp);
	}
	http_reply(c, status, "application/problem+json", b.data, b.len);
	buf_free(&b);
}

void
http_reply_problem_json(struct http_ctx *c, int status, const char *json)
{
	static const char *const own[] = { "type", "title", "status",
	    "detail", "instance", "request_id" };
	json_t		*in = json_loads(json, 0, NULL), *out, *v;
	const char	*key, *s;
	char		*text;
	size_t		 i;

	if (!json_is_object(in)) {
		log_warnx("%s the database's problem document is not an "
		    "object: %.80s", c->id, json);
		json_decref(in);
		in = json_object();
	}
	out = json_object();
	s = json_string_value(json_object_get(in, "type"));
	json_object_set_new(out, "type", json_string(s != NULL ? s :
	    "about:blank"));
	s = json_string_value(json_object_get(in, "title"));
	json_object_set_new(out, "title", json_string(s != NULL ? s :
	    http_reason(status)));
	json_object_set_new(out, "status", json_integer(status));
	if ((s = json_string_value(json_object_get(in, "detail"))) != NULL)
		json_object_set_new(out, "detail", json_string(s));
	json_object_set_new(out, "instance",
	    json_string(evhttp_request_get_uri(c->req)));
	json_object_set_new(out, "request_id", json_string(c->id));
	json_object_foreach(in, key, v) {
		for (i = 0; i < nitems(own) && strcmp(key, own[i]) != 0; i++)
			;
		if (i == nitems(own))
			json_object_set(out, key, v);
	}
	if ((text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
	    NULL)
		fatalx("json_dumps: out of memory");
	json_decref(in);
	json_decref(out);
	http_reply(c, status, "application/problem+json", text, strlen(text));
	free(text);
}

void
http_reply_unavailable(struct http_ctx *c)
{
	http_reply_problem(c, 503, "Service Unavailable",
	    "the database is unavailable; retry later", NULL, 5);
}

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

/*
 * True when path, %-decoded, holds no NUL and no control character: a
 * {param} decoded from "X8024%00Y" would be "X8024" to C and the
 * database alike (another train under one name), and "%1B" would put an
 * escape into whatever quotes it.
 */
static bool
path_printable(const char *path)
{
	size_t	 len = 0, i;
	char	*d = evhttp_uridecode(path, 0, &len);
	bool	 ok = d != NULL;

	for (i = 0; ok && i < len; i++)
		if ((unsigned char)d[i] < 0x20 || d[i] == 0x7f)
			ok = false;
	free(d);
	return ok;
}

/*
 * Matches path against pattern; on success stores the decoded {params}
 * in out (when not NULL).  Parameters may not contain '/'.
 */
static bool
route_match(const char *pattern, const char *path, char **out)
{
	char	*params[HTTP_MAX_PARAMS] = { NULL };
	int	 n = 0, i;

	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == '{') {
			const char *end = strchr(pattern, '}');
			size_t len = strcspn(path, "/");

			char *segment;

			if (end == NULL || len == 0 || n == HTTP_MAX_PARAMS)
				goto fail;
			segment = xstrndup(path, len);
			params[n++] = evhttp_uridecode(segment, 0, NULL);
			free(segment);
			if (params[n - 1] == NULL)
				goto fail;
			pattern = end + 1;
			path += len;
			continue;
		}
		if (*pattern++ != *path++)
			goto fail;
	}
	if (*pattern != '\0' || *path != '\0')
		goto fail;
	for (i = 0; i < n; i++) {
		if (out != NULL)
			out[i] = params[i];
		else
			free(params[i]);
	}
	return true;
fail:
	for (i = 0; i < n; i++)
		free(params[i]);
	return false;
}

/*
 * The route for method and path (HEAD takes GET's), its {params} into
 * params when not NULL; NULL with *path_known saying whether another
 * method would have matched.
 */
static const struct http_route *
route_find(int method, const char *path, bool *path_known, char **params)
{
	size_t	i;

	*path_known = false;
	for (i = 0; i < api_route_count; i++) {
		const struct http_route *r = &api_routes[i];

		if (r->method != method && !(method == EVHTTP_REQ_HEAD &&
		    r->method == EVHTTP_REQ_GET)) {
			if (!*path_known)
				*path_known = route_match(r->pattern, path, NULL);
			continue;
		}
		if (route_match(r->pattern, path, params))
			return r;
	}
	return NULL;
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

/* Token lookup answered by the database. */
static void
http_token_cb(int status, const char *principal, const char *role, void *arg)
{
	struct http_ctx		*c = arg;
	struct http_auth	 a;

	memset(&a, 0, sizeof a);
	auth_token_hash(auth_bearer(http_header(c, "Authorization")), a.hash);
	if (http_auth_end(the_server, c->client, status, principal, role, &a) !=
	    HTTP_AUTH_OK) {
		http_reply_refusal(c, &a);
		return;
	}
	c->who = a.who;
	http_authorised(c);
}

/* Authenticates from the cache, or asks the database. */
static void
http_authenticate(struct http_ctx *c)
{
	struct http_auth	a;

	switch (http_auth_begin(the_server, c->client,
	    http_header(c, "Authorization"), &a)) {
	case HTTP_AUTH_OK:
		c->who = a.who;
		http_authorised(c);
		break;
	case HTTP_AUTH_NO:
		http_reply_refusal(c, &a);
		break;
	default:
		store_token_lookup(c->d->db, a.hash, http_token_cb, c);
	}
}

/* Entry point of every request. */
static void
http_dispatch_cb(struct evhttp_request *req, void *arg)
{
	struct http_server	*s = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	bool			 path_known;
	struct http_ctx		*c;

	conn_guard_request_received(s->guard, req);
	c = xcalloc(1, sizeof *c);
	c->d = s->d;
	c->req = req;
	c->started_ms = daemon_now_ms();
	snprintf(c->id, sizeof c->id, "r%llx", (unsigned long long)++s->next_id);
	conn_client_key(evcon != NULL ? evhttp_connection_get_addr(evcon) :
	    NULL, c->client, sizeof c->client);
	s->stats.in_flight++;
	if (path == NULL || *path == '\0') {
		http_reply_problem(c, 400, "Bad Request", "no request path", NULL, 0);
		return;
	}
	if (!path_printable(path)) {
		http_reply_problem(c, 400, "Bad Request", "the path holds a NUL "
		    "or a control character (%00 to %1F, %7F)", NULL, 0);
		return;
	}
	c->route = route_find(evhttp_request_get_command(req), path,
	    &path_known, c->params);
	if (c->route == NULL) {
		if (path_known)
			http_reply_problem(c, 405, "Method Not Allowed",
			    "this method is not allowed on this path", NULL, 0);
		else
			http_reply_problem(c, 404, "Not Found", path, NULL, 0);
		return;
	}
	if (c->route->roles == AUTH_NONE)
		c->route->handler(c);
	else if (!db_is_up(c->d->db))
		/*
		 * Every route behind a token needs the database: while no
		 * connection is usable, say so at once rather than queue the
		 * request behind a reconnection that may take many seconds.
		 */
		http_reply_unavailable(c);
	else
		http_authenticate(c);
}

/* A refusal before the body: the route does not take it. */
static enum conn_verdict gate_refuse(struct conn_refusal *, int, const char *,
    ...) __attribute__((format(printf, 3, 4)));

static enum conn_verdict
gate_refuse(struct conn_refusal *r, int status, const char *fmt, ...)
{
	va_list	ap;

	r->status = status;
	r->title = http_reason(status);
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof r->detail, fmt, ap);
	va_end(ap);
	return CONN_REFUSE;
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
	return gate_refuse(r, 403, "this token's role may not use this "
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
 * Whether the body h announces is more than route takes (*r filled):
 * none for a public route; a few bytes, ignored, for a route that reads
 * none (a reader's GET announcing 200 MB held that much of the uploads'
 * budget; some clients send "{}"); a JSON document of at most
 * HTTP_JSON_BODY_MAX for the others but uploads (an officer's 256 MB
 * /approve held as much).  Lowers *body_max, which bounds a chunked body,
 * to what the route takes.
 */
static bool
route_body_refused(const struct http_route *route,
    const struct conn_request_head *h, uint64_t *body_max,
    struct conn_refusal *r)
{
	if (route->roles == AUTH_NONE) {
		gate_refuse(r, 413, "%.60s takes no request body",
		    route->pattern);
		return true;
	}
	if (route->method != EVHTTP_REQ_POST && route->method != EVHTTP_REQ_PUT &&
	    (h->chunked || h->content_length > HTTP_IGNORED_BODY_MAX)) {
		gate_refuse(r, 413, "%.60s takes no request body (at most %d "
		    "bytes are ignored, never chunked)", route->pattern,
		    HTTP_IGNORED_BODY_MAX);
		return true;
	}
	if (route->flags & HTTP_ROUTE_UPLOAD)
		return false;
	if (h->content_length > HTTP_JSON_BODY_MAX) {
		gate_refuse(r, 413, "%.60s takes a JSON document of at most %d "
		    "bytes", route->pattern, HTTP_JSON_BODY_MAX);
		return true;
	}
	if (*body_max > HTTP_JSON_BODY_MAX)
		*body_max = HTTP_JSON_BODY_MAX;
	return false;
}

/*
 * The guard's question for a head: may it go on?  Its target must be a
 * URI evhttp will take.  If it announces a body, the route must exist
 * and take a body, the database be up, the token valid (perhaps after a
 * lookup: CONN_WAIT) and its role allowed.  A head without a body goes
 * on: the router answers it as it is.
 */
static enum conn_verdict
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
		return gate_refuse(r, 400, "the request target is not a URI");
	if (h->content_length <= 0 && !h->chunked) {
		evhttp_uri_free(uri);
		return CONN_ALLOW;
	}
	path = evhttp_uri_get_path(uri);
	if (path == NULL || *path == '\0') {
		evhttp_uri_free(uri);
		return gate_refuse(r, 400, "no request path");
	}
	route = route_find(method_code(h->method), path, &path_known, NULL);
	if (route == NULL && path_known)
		gate_refuse(r, 405, "this method is not allowed on this path");
	else if (route == NULL)
		gate_refuse(r, 404, "%.150s", path);
	if (route == NULL) {
		evhttp_uri_free(uri);
		return CONN_REFUSE;
	}
	evhttp_uri_free(uri);
	if (route_body_refused(route, h, body_max, r))
		return CONN_REFUSE;
	if (!db_is_up(s->d->db)) {
		gate_refuse(r, 503, "the database is unavailable; retry "
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
	store_token_lookup(s->d->db, a.hash, http_gate_cb, gate);
	return CONN_WAIT;
}

/*
 * The whole response refusing a request before routing or before its
 * body: a problem document like http_reply_problem's, with a request id
 * of the same series, and Connection: close.
 */
static char *
http_render_cb(const struct conn_request_head *h, const struct conn_refusal *r,
    size_t *len, void *arg)
{
	struct http_server	*s = arg;
	struct buf		 body = { 0 }, out = { 0 };
	char			 id[20], date[64];
	time_t			 now = time(NULL);
	struct tm		 tm;

	snprintf(id, sizeof id, "r%llx", (unsigned long long)++s->next_id);
	problem_write(&body, r->status, r->title, r->detail, h->target, id,
	    NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	buf_printf(&out, "HTTP/1.1 %d %s\r\nContent-Type: "
	    "application/problem+json\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "X-Request-Id: %s\r\nDate: %s\r\nConnection: close\r\n", r->status,
	    http_reason(r->status), body.len, id, date);
	if (r->retry_after_s > 0)
		buf_printf(&out, "Retry-After: %d\r\n", r->retry_after_s);
	if (r->challenge)
		buf_printf(&out, "WWW-Authenticate: Bearer realm=\"railgate\"\r\n");
	buf_add_str(&out, "\r\n");
	if (!h->is_head)
		buf_add(&out, body.data, body.len);
	buf_free(&body);
	count_reply(r->status);
	if (r->before_routing)
		log_warnx("%s request refused before routing: %d %s (%s %.200s "
		    "from %s: %s)", id, r->status, r->title, h->method,
		    h->target, h->peer, r->detail);
	else if (!r->quiet)
		log_info("%s %s %.200s -> %d (refused before the body, from %s: "
		    "%s)", id, h->method, h->target, r->status, h->peer,
		    r->detail);
	return buf_steal(&out, len);
}

/* A throttle window ended with more in it than was logged line by line. */
static void
http_throttle_report(const struct auth_throttle_report *r, void *arg)
{
	(void)arg;
	log_warnx("http: %s: %llu failed authentication%s in %d s (the first "
	    "%d logged one by one; auth_failures_per_client), %llu request%s "
	    "throttled with 429", r->client, (unsigned long long)r->failures,
	    r->failures == 1 ? "" : "s", r->window_s, r->limit,
	    (unsigned long long)r->throttled, r->throttled == 1 ? "" : "s");
}

/* Once a second: the throttle's ended windows. */
static void
http_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server	*s = arg;

	(void)fd;
	(void)what;
	auth_throttle_sweep(s->throttle, daemon_now_ms());
}

/* Splits "host:port" (or "[v6]:port"); 0 or -1. */
static int
split_listen(const char *listen, char *host, size_t hostsize, unsigned short *port)
{
	const char	*colon = strrchr(listen, ':');
	char		*end;
	size_t		 n;
	long		 p;

	if (colon == NULL)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	n = (size_t)(colon - listen);
	if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	if (n == 0 || n >= hostsize)
		return -1;
	memcpy(host, listen, n);
	host[n] = '\0';
	*port = (unsigned short)p;
	return 0;
}

/* The guard on s's connections, from the configuration. */
static void
http_guard_start(struct http_server *s)
{
	const struct config	*cfg = &s->d->cfg;
	struct conn_guard_limits lim;
	struct conn_hooks	 hooks;

	memset(&lim, 0, sizeof lim);
	lim.request_timeout_s = cfg->request_timeout_s;
	lim.request_min_rate = cfg->request_min_rate;
	lim.max_connections = cfg->max_connections;
	lim.max_connections_per_client = cfg->max_connections_per_client;
	lim.max_body = (uint64_t)cfg->max_body_mb << 20;
	lim.body_budget = (uint64_t)cfg->max_body_memory_mb << 20;
	if (cfg->max_body_memory_mb < cfg->max_body_mb)
		log_warnx("max_body_memory_mb %d is below max_body_mb %d: "
		    "raised to it", cfg->max_body_memory_mb, cfg->max_body_mb);
	hooks.head = http_head_cb;
	hooks.render = http_render_cb;
	hooks.arg = s;
	s->guard = conn_guard_new(s->d->base, s->http, s->sock, &lim, &hooks);
	s->fail_limit = cfg->auth_failures_per_client;
	s->throttle = auth_throttle_new(s->fail_limit,
	    cfg->auth_failures_window_s, http_throttle_report, s);
	s->tick = event_new(s->d->base, -1, EV_PERSIST, http_tick_cb, s);
	if (s->tick == NULL)
		fatalx("event_new failed");
	event_add(s->tick, &(struct timeval){ HTTP_TICK_MS / 1000, 0 });
}

struct http_server *
http_server_new(struct daemon *d, char **cause)
{
	struct http_server	*s;
	char			 host[256];
	unsigned short		 port;

	if (split_listen(d->cfg.listen, host, sizeof host, &port) < 0) {
		*cause = xasprintf("listen: \"%s\" is not host:port", d->cfg.listen);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->d = d;
	LIST_INIT(&s->gates);
	if ((s->http = evhttp_new(d->base)) == NULL) {
		*cause = xstrdup("evhttp_new failed");
		free(s);
		return NULL;
	}
	evhttp_set_max_body_size(s->http, (ev_ssize_t)d->cfg.max_body_mb << 20);
	/*
	 * The guard refuses a head over REQHEAD_MAX itself; evhttp's limit
	 * is above it so that it never answers first (it counts what waits
	 * behind a head the guard holds).
	 */
	evhttp_set_max_headers_size(s->http, 2 * REQHEAD_MAX);
	evhttp_set_timeout(s->http, d->cfg.request_timeout_s);
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(s->http, http_dispatch_cb, s);
	if ((s->sock = evhttp_bind_socket_with_handle(s->http, host, port)) == NULL) {
		*cause = xasprintf("cannot listen on %s", d->cfg.listen);
		evhttp_free(s->http);
		free(s);
		return NULL;
	}
	http_guard_start(s);
	the_server = s;
	log_info("listening on http://%s/", d->cfg.listen);
	return s;
}

void
http_server_stop_accepting(struct http_server *s)
{
	if (s->sock != NULL) {
		conn_guard_forget_socket(s->guard);
		evhttp_del_accept_socket(s->http, s->sock);
		s->sock = NULL;
	}
}

int
http_server_in_flight(const struct http_server *s)
{
	return s->stats.in_flight;
}

void
http_server_free(struct http_server *s)
{
	struct http_gate	*gate;

	if (s == NULL)
		return;
	/* Lookups still out answer into nothing. */
	while ((gate = LIST_FIRST(&s->gates)) != NULL) {
		LIST_REMOVE(gate, entry);
		gate->s = NULL;
	}
	evhttp_free(s->http);
	conn_guard_free(s->guard);
	event_free(s->tick);
	auth_throttle_free(s->throttle);
	if (the_server == s)
		the_server = NULL;
	free(s);
}

void
http_get_stats(const struct http_server *s, struct http_stats *out)
{
	struct conn_stats	cs;

	*out = s->stats;
	if (s->guard != NULL) {
		conn_guard_get_stats(s->guard, &cs);
		out->conn_open = cs.open;
		out->conn_accepted = cs.accepted;
		out->conn_cut = cs.cut;
		out->conn_paused = cs.paused;
		out->conn_refused = cs.refused;
		out->conn_client_refused = cs.client_refused;
		out->head_refused = cs.head_refused;
		out->budget_refused = cs.budget_refused;
		out->body_bytes = cs.body_bytes;
		out->body_budget = cs.body_budget;
	}
}
