/*
 * http_reply.c -- the one reply path (http_reply) and every problem
 * document the daemon answers: the handlers', the database's
 * (http_reply_problem_json) and the connection guard's refusals before
 * routing or before a body (http_render_cb), all with the same members
 * and a request id of one series.  Also the context's accessors and its
 * freeing, which only the reply does.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "manifest/diag.h"
#include "manifest/json.h"
#include "manifest/jsonw.h"
#include "manifest/util.h"

#include "daemon/daemon.h"
#include "daemon/http/http_int.h"
#include "daemon/log.h"
#include "daemon/problem.h"

/* The reason phrase of a status, also a problem's default title. */
const char *
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

/* A context whose request a stream took over (http_stream.c). */
void
http_ctx_release(struct http_ctx *c)
{
	ctx_free(c);
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
/* Counts a reply sent, by status class. */
void
http_count_reply(struct http_server *s, int status)
{
	if (s == NULL)
		return;
	s->stats.requests++;
	s->stats.by_class[status / 100 % 6]++;
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
	if (c->server != NULL && c->server->tls)
		evhttp_add_header(h, "Strict-Transport-Security", HTTP_HSTS);
	if (evhttp_request_get_command(c->req) == EVHTTP_REQ_HEAD) {
		snprintf(n, sizeof n, "%zu", body != NULL ? len : 0);
		evhttp_remove_header(h, "Content-Length");
		evhttp_add_header(h, "Content-Length", n);
	} else if (body != NULL && out != NULL)
		evbuffer_add(out, body, len);
	if (!c->quiet && (status >= 400 ||
	    (c->route != NULL && c->route->roles != AUTH_NONE)))
		log_info("%s %s %s -> %d (%lld ms%s%s%s%s)", c->id,
		    http_method_name(evhttp_request_get_command(c->req)),
		    evhttp_request_get_uri(c->req), status, (long long)ms,
		    c->who.name[0] ? ", " : "", c->who.name,
		    c->note != NULL ? ", " : "", c->note != NULL ? c->note : "");
	evhttp_send_reply(c->req, status, NULL, out);
	if (out != NULL)
		evbuffer_free(out);
	http_count_reply(c->server, status);
	if (c->server != NULL)
		c->server->stats.in_flight--;
	ctx_free(c);
}

void
http_reply_json(struct http_ctx *c, int status, const char *json, size_t len)
{
	http_reply(c, status, "application/json", json, len);
}

/* An RFC 9457 document with the members every refusal carries. */
void
http_problem_write(struct buf *b, int status, const char *title,
    const char *detail, const char *instance, const char *id,
    const struct diag_list *diags)
{
	struct jsonw	w;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "type", problem_type_uri(title));
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

	http_problem_write(&b, status, title, detail,
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
	static const char *const own[] = { "type", "status", "detail",
	    "instance", "request_id", "title" };
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
	/* The type follows from the title (daemon/problem.h): the database
	 * writes titles only, so a type it wrote is not kept. */
	s = json_string_value(json_object_get(in, "title"));
	if (s == NULL)
		s = http_reason(status);
	json_object_set_new(out, "type", json_string(problem_type_uri(s)));
	json_object_set_new(out, "title", json_string(s));
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
 * The whole response refusing a request before routing or before its
 * body: a problem document like http_reply_problem's, with a request id
 * of the same series, and Connection: close.
 */
char *
http_render_cb(const struct conn_request_head *h, const struct conn_refusal *r,
    size_t *len, void *arg)
{
	struct http_server	*s = arg;
	struct buf		 body = { 0 }, out = { 0 };
	char			 id[20], date[64];
	time_t			 now = time(NULL);
	struct tm		 tm;

	snprintf(id, sizeof id, "r%llx", (unsigned long long)++s->next_id);
	http_problem_write(&body, r->status, r->title, r->detail, h->target, id,
	    NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	buf_printf(&out, "HTTP/1.1 %d %s\r\nContent-Type: "
	    "application/problem+json\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "X-Request-Id: %s\r\nDate: %s\r\nConnection: close\r\n", r->status,
	    http_reason(r->status), body.len, id, date);
	if (s->tls)
		buf_printf(&out, "Strict-Transport-Security: %s\r\n",
		    HTTP_HSTS);
	if (r->retry_after_s > 0)
		buf_printf(&out, "Retry-After: %d\r\n", r->retry_after_s);
	if (r->challenge)
		buf_printf(&out, "WWW-Authenticate: Bearer realm=\"railgate\"\r\n");
	buf_add_str(&out, "\r\n");
	if (!h->is_head)
		buf_add(&out, body.data, body.len);
	buf_free(&body);
	http_count_reply(s, r->status);
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
