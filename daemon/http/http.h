/*
 * http.h -- the HTTP transport on libevent's evhttp (daemon/http/):
 * routing, authentication, the connection guard and the one reply path.
 *
 * The application hands the server its route table (which is also the
 * authorisation table) and how a token is looked up (struct http_app):
 * the transport knows neither the handlers nor the storage.
 *
 * Owns the evhttp server and every struct http_ctx: a context is created
 * when a request arrives, handed to the route's handler (which may answer
 * at once or after database and worker round trips), and freed by the
 * reply helper that answers it -- so every request gets exactly one reply.
 * A client that goes away before its answer is harmless: libevent frees
 * the request when the reply is sent to nobody.
 *
 * Every error the daemon answers is one RFC 9457 problem document with
 * the same members -- type, title, status, detail, instance, request_id
 * (and diagnostics or other members where the refusal has them) --
 * whether the handler, the database (http_reply_problem_json) or the
 * connection guard before the body (conn.h) refused the request; its
 * type follows from its title (daemon/problem.h).  A HEAD
 * request is answered with the headers GET would have, Content-Length
 * included, and no body.  Loop thread only.
 */
#ifndef DAEMON_HTTP_HTTP_H
#define DAEMON_HTTP_HTTP_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/http/auth.h"
#include "daemon/http/conn.h"

struct daemon;
struct diag_list;
struct evhttp_bound_socket;
struct evhttp_request;
struct evkeyvalq;
struct http_server;
struct http_ctx;

#define HTTP_MAX_PARAMS 3

typedef void (*http_handler)(struct http_ctx *);

/*
 * The body a route takes: a JSON document of at most HTTP_JSON_BODY_MAX
 * bytes unless the route says HTTP_ROUTE_UPLOAD (up to max_body_mb).  A
 * larger one is refused from its head, before a byte of it is read.
 */
#define HTTP_JSON_BODY_MAX	(64 * 1024)
#define HTTP_ROUTE_UPLOAD	0x1
/*
 * A public route that takes a JSON document of at most
 * HTTP_SIGNIN_BODY_MAX bytes (the sign-in: the caller has no credential
 * yet).
 */
#define HTTP_ROUTE_SIGNIN	0x2
#define HTTP_SIGNIN_BODY_MAX	4096
/*
 * An upload of at most HTTP_DOCUMENT_BODY_MAX bytes whatever max_body_mb
 * says (an operator's document: docs/documents.md), refused with 413
 * from its head, before a byte of it is read or stored.
 */
#define HTTP_ROUTE_DOCUMENT	0x4
#define HTTP_DOCUMENT_BODY_MAX	(20 * 1024 * 1024)
/*
 * A liveness or readiness probe: answered at once even while reads wait
 * for a decision (http_reads.c), or a supervisor would take a busy
 * daemon for a dead one.
 */
#define HTTP_ROUTE_PROBE	0x8
/*
 * Seconds a session cookie's lookup is cached: a session revoked
 * elsewhere (another daemon, the command line) is refused at most this
 * long after; one signed out here, at once.
 */
#define HTTP_SESSION_CACHE_S	1

struct http_route {
	int		 method;	/* EVHTTP_REQ_* */
	const char	*pattern;	/* "/v1/trains/{id}/decision" */
	unsigned	 roles;		/* AUTH_* mask; AUTH_NONE: public */
	http_handler	 handler;
	unsigned	 flags;		/* HTTP_ROUTE_* */
};

struct http_ctx {
	struct daemon			*d;
	struct http_server		*server;	/* that received it */
	struct evhttp_request		*req;
	const struct http_route		*route;
	char				*params[HTTP_MAX_PARAMS];	/* decoded, owned */
	struct auth_principal		 who;		/* when authenticated */
	bool				 session;	/* by the session cookie */
	char				 cred_hash[AUTH_TOKEN_HEX]; /* its SHA-256 */
	char				 id[20];	/* request id, in logs */
	char				 client[CONN_CLIENT_LEN]; /* conn_client_key */
	const char			*note;		/* for the log line */
	bool				 quiet;		/* no log line: summarised */
	int64_t				 started_ms;
	struct evkeyvalq		*query;		/* parsed on first use, owned */
	void				*state;		/* the handler's */
	void				(*state_free)(void *);
	TAILQ_ENTRY(http_ctx)		 wait;		/* a read held */
};

/*
 * A token's lookup answered: status < 0 failed (503), 0 unknown (401), 1
 * found, with its principal, role (a name auth_role_parse takes) and the
 * carrier identifiers it is bound to, comma-separated ("" for none).
 */
typedef void (*http_token_cb)(int status, const char *principal,
    const char *role, const char *carriers, void *arg);

/* What the application hands the server; copied by http_server_new. */
struct http_app {
	const struct http_route	*routes;	/* first match wins */
	size_t			 route_count;
	/* False: a request behind a token is answered 503 at once. */
	bool			(*is_up)(void *arg);
	/* Looks up a token's SHA-256 hex; answers through cb, once. */
	void			(*token_lookup)(void *arg, const char *hash,
				    http_token_cb cb, void *cb_arg);
	/* Looks up a session cookie's SHA-256 hex; the same answers. */
	void			(*session_lookup)(void *arg, const char *hash,
				    http_token_cb cb, void *cb_arg);
	/*
	 * True while a decision is being made (a manifest read or stored,
	 * a train evaluated): reads (GET, HEAD) then go at most
	 * HTTP_READS_PER_S a second, probes excepted (http_reads.c).
	 * NULL: never.
	 */
	bool			(*deciding)(void *arg);
	void			*arg;		/* of is_up and token_lookup */
};

/*
 * Binds d->cfg.listen and serves app's routes; NULL with *cause on
 * failure.  The caller owns it.
 */
struct http_server *http_server_new(struct daemon *d,
    const struct http_app *app, char **cause);
/*
 * Over TLS (tls_cert_file set at start): a new context from the
 * certificate and key files the server started with, read again; NULL
 * with *cause (naming the file) when they are bad, NULL with *cause NULL
 * when the server speaks plain HTTP.  Nothing changes until
 * http_server_tls_use.
 */
SSL_CTX *http_server_tls_load(const struct http_server *s, char **cause);
/* Connections accepted from now on use ctx; consumes it. */
void http_server_tls_use(struct http_server *s, SSL_CTX *ctx);
/* Stops accepting connections; requests in progress go on. */
void http_server_stop_accepting(struct http_server *s);
/*
 * Raises a bound evhttp socket's listen backlog from libevent's 128 to
 * 4096 (what the kernel allows of it); logged, with what, when it cannot.
 */
void http_listen_backlog_raise(struct evhttp_bound_socket *sock,
    const char *what);
/* Requests received and not yet answered. */
int http_server_in_flight(const struct http_server *s);
/* Frees the server and its connections; accepts NULL.  Call when idle. */
void http_server_free(struct http_server *s);

/* Forgets c's session in the cache at once (it was signed out). */
void http_session_forget(struct http_ctx *c);
/*
 * True when the session cookie is Secure (https:// origins): served over
 * TLS, or session_cookie_secure (behind a TLS proxy).
 */
bool http_session_secure(const struct http_ctx *c);
/*
 * True when a browser says c comes from another site's page: an Origin
 * that is not this daemon's, or Sec-Fetch-Site other than same-origin or
 * none.  A client sending neither (curl, a script) is not.
 */
bool http_cross_origin(const struct http_ctx *c);

/* The n-th {param} of the route, decoded. */
const char *http_param(const struct http_ctx *c, int n);
/* A request header, or NULL. */
const char *http_header(const struct http_ctx *c, const char *name);
/* A query-string parameter, or NULL; borrowed until the reply. */
const char *http_query(struct http_ctx *c, const char *name);
/* The request body, made contiguous; borrowed until the reply. */
const unsigned char *http_body(struct http_ctx *c, size_t *len);
/* Adds a response header to the reply to come. */
void http_add_header(struct http_ctx *c, const char *name, const char *value);

/* Answers and frees c. */
void http_reply(struct http_ctx *c, int status, const char *content_type,
    const char *body, size_t len);
void http_reply_json(struct http_ctx *c, int status, const char *json,
    size_t len);
/*
 * Whether the Accept-Encoding field values (n lines, NULL ones skipped)
 * accept gzip: named with a weight above 0, or "*" above 0 with gzip not
 * named.  Pure; any thread.
 */
bool http_gzip_acceptable(const char *const *values, size_t n);
/* Whether c's request accepts a gzip-compressed answer. */
bool http_accepts_gzip(const struct http_ctx *c);
/*
 * len bytes as one gzip member at level (libdeflate's 1 to 12), caller
 * frees; NULL on failure.  Pure; any thread.
 */
unsigned char *http_gzip(const char *data, size_t len, int level,
    size_t *outlen);
/*
 * Answers (and frees c) with the JSON document json, or its gzip form gz
 * (NULL: none) when the request accepts it; either way with "Vary:
 * Accept-Encoding".
 */
void http_reply_json_either(struct http_ctx *c, int status, const char *json,
    size_t len, const unsigned char *gz, size_t gzlen);
/*
 * Answers with an RFC 9457 problem document (and frees c): title, detail,
 * and the diagnostics when given.  retry_after_s > 0 adds Retry-After.
 */
void http_reply_problem(struct http_ctx *c, int status, const char *title,
    const char *detail, const struct diag_list *diags, int retry_after_s);
/* 503 with Retry-After: the database is unavailable. */
void http_reply_unavailable(struct http_ctx *c);
/*
 * Answers with the problem document the database built (json: an object
 * with title, detail and perhaps other members), completed to the
 * standard one: type, title, status, detail, instance and request_id set
 * here, the other members kept.
 */
void http_reply_problem_json(struct http_ctx *c, int status, const char *json);

/*
 * A reply that goes on (Server-Sent Events): http_stream_start answers
 * c's request with status 200, content_type and no length (chunked to an
 * HTTP/1.1 client), logs and counts it as a reply, and frees c -- the
 * one reply -- handing the connection to the stream, which the caller
 * owns until http_stream_free.  The stream's connection has no read
 * timeout (its client sends nothing more) and a write timeout of
 * write_timeout_s: a client that takes nothing for that long is cut by
 * libevent.  A client that goes away leaves the stream closed
 * (http_stream_is_open false); the caller frees it.
 */
struct http_stream;
struct http_stream *http_stream_start(struct http_ctx *c,
    const char *content_type, int write_timeout_s);
/* Queues len bytes for the client; -1 when it has gone. */
int http_stream_write(struct http_stream *st, const char *data, size_t len);
/* Bytes queued in the daemon for the client, not yet taken by the kernel. */
size_t http_stream_pending(const struct http_stream *st);
/* False once the client has gone (or was cut). */
bool http_stream_is_open(const struct http_stream *st);
/* The client's key (conn_client_key), for logs and limits. */
const char *http_stream_client(const struct http_stream *st);
/* Ends the stream, closing its connection if still open; accepts NULL. */
void http_stream_free(struct http_stream *st);

/* Requests answered so far, by status class, for /metrics. */
struct http_stats {
	uint64_t	requests;
	uint64_t	by_class[6];	/* 1xx..5xx at [1]..[5] */
	int		in_flight;
	int		conn_open;	/* client connections (conn.h) */
	uint64_t	conn_accepted;
	uint64_t	conn_cut;	/* requests too slow */
	uint64_t	conn_paused;	/* times max_connections was reached */
	uint64_t	conn_refused;	/* answered 4xx by libevent itself */
	uint64_t	conn_client_refused; /* over max_connections_per_client */
	uint64_t	head_refused;	/* refused before the body was read */
	uint64_t	budget_refused;	/* of those, over max_body_memory_mb */
	uint64_t	body_bytes;	/* bodies in flight (declared) */
	uint64_t	body_budget;	/* max_body_memory_mb in bytes */
	uint64_t	auth_failures;	/* failed authentications */
	uint64_t	auth_throttled;	/* requests answered 429 for them */
	uint64_t	token_lookups;	/* tokens looked up in the database */
	uint64_t	session_lookups; /* session cookies looked up */
	uint64_t	csrf_refused;	/* cookie requests from another origin */
	uint64_t	both_refused;	/* a token and a cookie together */
	uint64_t	reads_held;	/* reads that waited for a decision */
	int		reads_waiting;	/* now */
};
void http_get_stats(const struct http_server *s, struct http_stats *out);

#endif
