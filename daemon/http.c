/*
 * http.c -- routing and replies.
 *
 * Requests are dispatched through one table of (method, path) routes.
 * Handlers answer through http_reply() or http_reply_problem(), which
 * set the headers every reply carries.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "manifest/jsonw.h"
#include "manifest/util.h"

#include "config.h"
#include "http.h"
#include "log.h"
#include "version.h"

struct http_server {
	struct evhttp	*http;
};

struct route {
	enum evhttp_cmd_type	 method;
	const char		*path;
	void			(*handler)(struct evhttp_request *, void *);
};

static void healthz_cb(struct evhttp_request *, void *);

static const struct route routes[] = {
	{ EVHTTP_REQ_GET, "/healthz", healthz_cb },
};

/* Sets the headers every reply carries and sends it. */
void
http_reply(struct evhttp_request *req, int status, const char *content_type,
    const char *body, size_t len)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct evbuffer		*out = evbuffer_new();

	if (content_type != NULL)
		evhttp_add_header(h, "Content-Type", content_type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	if (body != NULL && out != NULL)
		evbuffer_add(out, body, len);
	evhttp_send_reply(req, status, NULL, out);
	if (out != NULL)
		evbuffer_free(out);
}

/* An application/problem+json reply. */
void
http_reply_problem(struct evhttp_request *req, int status, const char *title,
    const char *detail)
{
	struct buf	b = { 0 };

	buf_add_str(&b, "{\"type\":\"about:blank\",\"status\":");
	buf_printf(&b, "%d,\"title\":", status);
	json_escape(&b, title, strlen(title));
	if (detail != NULL) {
		buf_add_str(&b, ",\"detail\":");
		json_escape(&b, detail, strlen(detail));
	}
	buf_add_char(&b, '}');
	http_reply(req, status, "application/problem+json", b.data, b.len);
	buf_free(&b);
}

/* GET /healthz: the process is up and its loop turns. */
static void
healthz_cb(struct evhttp_request *req, void *arg)
{
	static const char body[] = "{\"status\":\"ok\",\"version\":\""
	    RAILGATE_VERSION "\"}";

	http_reply(req, 200, "application/json", body, sizeof body - 1);
}

/* Finds the route for the request; answers 404 or 405 itself otherwise. */
static void
http_dispatch_cb(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type	 method = evhttp_request_get_command(req);
	bool			 path_known = false;
	size_t			 i;

	if (path == NULL) {
		http_reply_problem(req, 400, "Bad Request", "no request path");
		return;
	}
	for (i = 0; i < nitems(routes); i++) {
		if (strcmp(routes[i].path, path) != 0)
			continue;
		path_known = true;
		if (routes[i].method == method) {
			routes[i].handler(req, arg);
			return;
		}
	}
	if (path_known)
		http_reply_problem(req, 405, "Method Not Allowed", NULL);
	else
		http_reply_problem(req, 404, "Not Found", path);
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

/* Creates and binds the server. */
struct http_server *
http_server_new(struct event_base *base, const struct config *cfg,
    char **cause)
{
	struct http_server	*s;
	char			 host[256];
	unsigned short		 port;

	if (split_listen(cfg->listen, host, sizeof host, &port) < 0) {
		*cause = xasprintf("listen: \"%s\" is not host:port", cfg->listen);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	if ((s->http = evhttp_new(base)) == NULL) {
		*cause = xstrdup("evhttp_new failed");
		free(s);
		return NULL;
	}
	evhttp_set_max_body_size(s->http, (ev_ssize_t)cfg->max_body_mb << 20);
	evhttp_set_timeout(s->http, cfg->request_timeout_s);
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(s->http, http_dispatch_cb, s);
	if (evhttp_bind_socket(s->http, host, port) != 0) {
		*cause = xasprintf("cannot listen on %s", cfg->listen);
		evhttp_free(s->http);
		free(s);
		return NULL;
	}
	log_info("listening on http://%s/", cfg->listen);
	return s;
}

/* Closes the listener and every connection. */
void
http_server_free(struct http_server *s)
{
	if (s == NULL)
		return;
	evhttp_free(s->http);
	free(s);
}
