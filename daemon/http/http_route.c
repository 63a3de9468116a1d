/*
 * http_route.c -- routing: a method and path matched against the route
 * table the application handed to http_server_new (this file applies
 * it and knows none of it), and what body a route takes, asked before
 * the body is read.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "manifest/util.h"

#include "daemon/http/http_int.h"

/* The method as the request line spells it. */
const char *
http_method_name(int m)
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
int
http_method_code(const char *name)
{
	static const int codes[] = { EVHTTP_REQ_GET, EVHTTP_REQ_POST,
	    EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE, EVHTTP_REQ_HEAD };
	size_t	i;

	for (i = 0; i < nitems(codes); i++)
		if (strcmp(name, http_method_name(codes[i])) == 0)
			return codes[i];
	return 0;
}

/*
 * True when path, %-decoded, holds no NUL and no control character: a
 * {param} decoded from "X8024%00Y" would be "X8024" to C and the
 * database alike (another train under one name), and "%1B" would put an
 * escape into whatever quotes it.
 */
bool
http_path_printable(const char *path)
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
const struct http_route *
http_route_find(const struct http_server *s, int method, const char *path,
    bool *path_known, char **params)
{
	size_t	i;

	*path_known = false;
	for (i = 0; i < s->app.route_count; i++) {
		const struct http_route *r = &s->app.routes[i];

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

/* A refusal before the body: the route does not take it. */
enum conn_verdict
http_gate_refuse(struct conn_refusal *r, int status, const char *fmt, ...)
{
	va_list	ap;

	r->status = status;
	r->title = http_reason(status);
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof r->detail, fmt, ap);
	va_end(ap);
	return CONN_REFUSE;
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
bool
http_route_body_refused(const struct http_route *route,
    const struct conn_request_head *h, uint64_t *body_max,
    struct conn_refusal *r)
{
	if (route->roles == AUTH_NONE && (route->flags & HTTP_ROUTE_SIGNIN)) {
		if (h->chunked || h->content_length > HTTP_SIGNIN_BODY_MAX) {
			http_gate_refuse(r, 413, "%.60s takes a JSON document of "
			    "at most %d bytes, never chunked", route->pattern,
			    HTTP_SIGNIN_BODY_MAX);
			return true;
		}
		if (*body_max > HTTP_SIGNIN_BODY_MAX)
			*body_max = HTTP_SIGNIN_BODY_MAX;
		return false;
	}
	if (route->roles == AUTH_NONE) {
		http_gate_refuse(r, 413, "%.60s takes no request body",
		    route->pattern);
		return true;
	}
	if (route->method != EVHTTP_REQ_POST && route->method != EVHTTP_REQ_PUT &&
	    (h->chunked || h->content_length > HTTP_IGNORED_BODY_MAX)) {
		http_gate_refuse(r, 413, "%.60s takes no request body (at most %d "
		    "bytes are ignored, never chunked)", route->pattern,
		    HTTP_IGNORED_BODY_MAX);
		return true;
	}
	if (route->flags & HTTP_ROUTE_DOCUMENT) {
		if (h->content_length > HTTP_DOCUMENT_BODY_MAX) {
			http_gate_refuse(r, 413, "%.60s takes a document of at "
			    "most %d bytes (20 MiB)", route->pattern,
			    HTTP_DOCUMENT_BODY_MAX);
			return true;
		}
		if (*body_max > HTTP_DOCUMENT_BODY_MAX)
			*body_max = HTTP_DOCUMENT_BODY_MAX;
		return false;
	}
	if (route->flags & HTTP_ROUTE_UPLOAD)
		return false;
	if (h->content_length > HTTP_JSON_BODY_MAX) {
		http_gate_refuse(r, 413, "%.60s takes a JSON document of at most %d "
		    "bytes", route->pattern, HTTP_JSON_BODY_MAX);
		return true;
	}
	if (*body_max > HTTP_JSON_BODY_MAX)
		*body_max = HTTP_JSON_BODY_MAX;
	return false;
}
