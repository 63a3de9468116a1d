/*
 * http_int.h -- what the files of the HTTP server share, and nobody
 * else sees: the server's struct, a head waiting for its token's lookup,
 * and the functions one file of the server calls in another.
 *
 *   http.c        the server: listening, the guard's set-up, dispatch,
 *                 statistics, the throttle's tick
 *   http_reply.c  the one reply path and every problem document, also
 *                 those of the guard (http_render_cb)
 *   http_route.c  matching a method and path against the application's
 *                 route table, and what body a route takes
 *   http_gate.c   the authentication gate: a token from the cache or
 *                 the application's lookup, and the route's roles, both
 *                 for a request and for a head before its body
 *   http_stream.c a reply that goes on (Server-Sent Events)
 *   http_gzip.c   a body compressed once for every client accepting gzip
 *   http_reads.c  reads held to a rate while a decision is being made
 *
 * Loop thread only.
 */
#ifndef DAEMON_HTTP_HTTP_INT_H
#define DAEMON_HTTP_HTTP_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/http/auth.h"
#include "daemon/http/conn.h"
#include "daemon/http/http.h"

struct buf;
struct diag_list;

#define HTTP_TICK_MS	1000	/* the throttle's windows are looked at */
#define HTTP_IGNORED_BODY_MAX	4096	/* a GET's body, read and ignored */

/*
 * Reads held while the application decides (http_reads.c): a token
 * bucket of HTTP_READS_PER_S a second, and the reads waiting for it.
 */
TAILQ_HEAD(http_ctx_list, http_ctx);
struct http_reads {
	struct http_ctx_list	 waiting;	/* in order of arrival */
	double			 tokens;
	int64_t			 at_ms;		/* tokens counted up to */
	struct event		*timer;		/* releases the waiting */
};

/* A head waiting for its token's lookup before its body is read. */
LIST_HEAD(http_gate_list, http_gate);
struct http_gate {
	struct http_server	*s;		/* NULL: the server went away */
	struct conn_wait	*w;
	const struct http_route	*route;
	char			 client[CONN_CLIENT_LEN];
	char			 hash[AUTH_TOKEN_HEX];
	bool			 session;	/* hash is a session cookie's */
	LIST_ENTRY(http_gate)	 entry;
};

/*
 * Strict-Transport-Security on every answer over TLS: a browser that has
 * reached the console over https:// never falls back to http:// for a
 * year (no includeSubDomains: the station's other hosts are not ours).
 */
#define HTTP_HSTS	"max-age=31536000"

struct http_server {
	struct daemon		*d;
	struct http_app		 app;		/* routes, token lookup */
	struct evhttp		*http;
	struct evhttp_bound_socket *sock;
	struct conn_guard	*guard;
	bool			 tls;		/* served over TLS (fixed at start) */
	char			*tls_cert_file;	/* copied at start: reloads read them */
	char			*tls_key_file;
	struct auth_throttle	*throttle;
	struct auth_cache	*sessions;	/* HTTP_SESSION_CACHE_S */
	int			 fail_limit;	/* auth_failures_per_client at start */
	struct event		*tick;
	struct http_gate_list	 gates;
	struct http_reads	 reads;
	uint64_t		 next_id;
	struct http_stats	 stats;
};

/* http_reply.c */
/* The reason phrase of a status, also a problem's default title. */
const char *http_reason(int status);
/* Frees a context whose request a stream took over (http_stream.c). */
void http_ctx_release(struct http_ctx *c);
/* Counts a reply sent, by status class; s may be NULL. */
void http_count_reply(struct http_server *s, int status);
/* An RFC 9457 document with the members every refusal carries, into b. */
void http_problem_write(struct buf *b, int status, const char *title,
    const char *detail, const char *instance, const char *id,
    const struct diag_list *diags);
/* conn_hooks.render: the whole response refusing h for r (arg: server). */
char *http_render_cb(const struct conn_request_head *h,
    const struct conn_refusal *r, size_t *len, void *arg);

/* http_reads.c */
/* Sets up s->reads; 0 or -1. */
int http_reads_init(struct http_server *s);
/* Runs c's handler now, or once a read may go (GET and HEAD but probes). */
void http_reads_admit(struct http_ctx *c);
/* How many reads wait now (counted: for the statistics only). */
int http_reads_waiting(const struct http_server *s);
/* Answers every read still waiting 503 and frees the timer. */
void http_reads_free(struct http_server *s);

/* http_route.c */
/* The method as the request line spells it. */
const char *http_method_name(int m);
/* The EVHTTP_REQ_* of a method the guard let through; 0 for another. */
int http_method_code(const char *name);
/* True when path, %-decoded, holds no NUL and no control character. */
bool http_path_printable(const char *path);
/*
 * The route of s's table for method and path (HEAD takes GET's), its
 * {params} into params when not NULL; NULL with *path_known saying
 * whether another method would have matched.
 */
const struct http_route *http_route_find(const struct http_server *s,
    int method, const char *path, bool *path_known, char **params);
/* Fills r with a refusal of status (title its reason); CONN_REFUSE. */
enum conn_verdict http_gate_refuse(struct conn_refusal *r, int status,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Whether the body h announces is more than route takes (*r filled). */
bool http_route_body_refused(const struct http_route *route,
    const struct conn_request_head *h, uint64_t *body_max,
    struct conn_refusal *r);

/* http_gate.c */
/* Authenticates c's caller and runs the handler, or refuses c. */
void http_authenticate(struct http_ctx *c);
/* conn_hooks.head: may the head h go on before its body (arg: server)? */
enum conn_verdict http_head_cb(const struct conn_request_head *h,
    struct conn_wait *w, struct conn_refusal *r, uint64_t *body_max,
    void *arg);

#endif
