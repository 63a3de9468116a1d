/*
 * http.h -- the HTTP API on libevent's evhttp.
 *
 * Owns the evhttp server, its routes and the one reply helper through
 * which every request is answered exactly once.  Runs on the loop thread
 * only.
 */
#ifndef DAEMON_HTTP_H
#define DAEMON_HTTP_H

struct event_base;
struct evhttp_request;
struct http_server;
struct config;

/* Binds cfg->listen; NULL with *cause on failure.  The caller owns the server. */
struct http_server *http_server_new(struct event_base *base,
    const struct config *cfg, char **cause);
/* Stops listening and frees the server; accepts NULL. */
void http_server_free(struct http_server *s);

/* Answers req with status and a body of content_type (NULL body: empty). */
void http_reply(struct evhttp_request *req, int status,
    const char *content_type, const char *body, size_t len);
/* Answers with an RFC 9457 problem document. */
void http_reply_problem(struct evhttp_request *req, int status,
    const char *title, const char *detail);

#endif
