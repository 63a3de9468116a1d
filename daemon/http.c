/*
 * http.c -- routing, authentication and replies.
 *
 * A request goes: match a route (404 / 405 otherwise) -> if the route is
 * not public, authenticate the bearer token (cache, else one database
 * lookup) and check the route's roles (401 / 403) -> the handler.  The
 * route table with its roles is api.c's; this file only applies it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

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

#include "api.h"
#include "conn.h"
#include "daemon.h"
#include "http.h"
#include "log.h"

struct http_server {
	struct daemon		*d;
	struct evhttp		*http;
	struct evhttp_bound_socket *sock;
	struct conn_guard	*guard;
	uint64_t		 next_id;
	struct http_stats	 stats;
};

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
	if (status >= 400 || (c->route != NULL && c->route->roles != AUTH_NONE))
		log_info("%s %s %s -> %d (%lld ms%s%s)", c->id,
		    method_name(evhttp_request_get_command(c->req)),
		    evhttp_request_get_uri(c->req), status, (long long)ms,
		    c->who.name[0] ? ", " : "", c->who.name);
	evhttp_send_reply(c->req, status, NULL, out);
	if (out != NULL)
		evbuffer_free(out);
	if (the_server != NULL) {
		the_server->stats.requests++;
		the_server->stats.by_class[status / 100 % 6]++;
		the_server->stats.in_flight--;
	}
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

/*
 * Matches path against pattern; on success stores the decoded {params}
 * in c.  Parameters may not contain '/'.
 */
static bool
route_match(const char *pattern, const char *path, struct http_ctx *c)
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
	for (i = 0; i < n; i++)
		c->params[i] = params[i];
	return true;
fail:
	for (i = 0; i < n; i++)
		free(params[i]);
	return false;
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
	struct auth_principal	 who;
	char			 hash[AUTH_TOKEN_HEX];

	auth_token_hash(auth_bearer(http_header(c, "Authorization")), hash);
	if (status < 0) {
		http_reply_unavailable(c);
		return;
	}
	memset(&who, 0, sizeof who);
	if (status == 0 || auth_role_parse(role, &who.role) < 0) {
		auth_cache_put(c->d->auth, hash, daemon_now_ms(), NULL);
		log_warnx("%s unknown, expired or revoked token", c->id);
		http_reply_problem(c, 401, "Unauthorized",
		    "the token is unknown, expired or revoked", NULL, 0);
		return;
	}
	snprintf(who.name, sizeof who.name, "%s", principal);
	auth_cache_put(c->d->auth, hash, daemon_now_ms(), &who);
	c->who = who;
	http_authorised(c);
}

/* Authenticates from the cache, or asks the database. */
static void
http_authenticate(struct http_ctx *c)
{
	const char	*token = auth_bearer(http_header(c, "Authorization"));
	char		 hash[AUTH_TOKEN_HEX];
	int		 rc;

	if (token == NULL) {
		http_add_header(c, "WWW-Authenticate", "Bearer realm=\"railgate\"");
		http_reply_problem(c, 401, "Unauthorized",
		    "an Authorization: Bearer token is required", NULL, 0);
		return;
	}
	auth_token_hash(token, hash);
	rc = auth_cache_get(c->d->auth, hash, daemon_now_ms(), &c->who);
	if (rc == 1) {
		http_authorised(c);
		return;
	}
	if (rc == 0) {
		http_reply_problem(c, 401, "Unauthorized",
		    "the token is unknown, expired or revoked", NULL, 0);
		return;
	}
	store_token_lookup(c->d->db, hash, http_token_cb, c);
}

/* Entry point of every request. */
static void
http_dispatch_cb(struct evhttp_request *req, void *arg)
{
	struct http_server	*s = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	int			 method = evhttp_request_get_command(req);
	bool			 path_known = false;
	struct http_ctx		*c;
	size_t			 i;

	conn_guard_request_received(s->guard, req);
	c = xcalloc(1, sizeof *c);
	c->d = s->d;
	c->req = req;
	c->started_ms = daemon_now_ms();
	snprintf(c->id, sizeof c->id, "r%llx", (unsigned long long)++s->next_id);
	s->stats.in_flight++;
	if (path == NULL || *path == '\0') {
		http_reply_problem(c, 400, "Bad Request", "no request path", NULL, 0);
		return;
	}
	for (i = 0; i < api_route_count; i++) {
		if (!route_match(api_routes[i].pattern, path, c))
			continue;
		path_known = true;
		if (api_routes[i].method == method ||
		    (method == EVHTTP_REQ_HEAD && api_routes[i].method == EVHTTP_REQ_GET)) {
			c->route = &api_routes[i];
			break;
		}
		for (int k = 0; k < HTTP_MAX_PARAMS; k++) {
			free(c->params[k]);
			c->params[k] = NULL;
		}
	}
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

struct http_server *
http_server_new(struct daemon *d, char **cause)
{
	struct http_server	*s;
	struct conn_guard_limits lim;
	char			 host[256];
	unsigned short		 port;

	if (split_listen(d->cfg.listen, host, sizeof host, &port) < 0) {
		*cause = xasprintf("listen: \"%s\" is not host:port", d->cfg.listen);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->d = d;
	if ((s->http = evhttp_new(d->base)) == NULL) {
		*cause = xstrdup("evhttp_new failed");
		free(s);
		return NULL;
	}
	evhttp_set_max_body_size(s->http, (ev_ssize_t)d->cfg.max_body_mb << 20);
	evhttp_set_max_headers_size(s->http, 64 * 1024);
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
	lim.request_timeout_s = d->cfg.request_timeout_s;
	lim.request_min_rate = d->cfg.request_min_rate;
	lim.max_connections = d->cfg.max_connections;
	s->guard = conn_guard_new(d->base, s->http, s->sock, &lim);
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
	if (s == NULL)
		return;
	evhttp_free(s->http);
	conn_guard_free(s->guard);
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
	}
}
