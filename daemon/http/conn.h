/*
 * conn.h -- the guard on the API's client connections: how long a client
 * may take to send a request, how many connections are open at once and
 * from one client, and what a request may cost before its body is read.
 *
 * evhttp's own timeout is an idle timeout: every byte restarts it, so a
 * client dripping a byte a second holds a connection for ever (slow
 * loris).  The guard makes the bufferevent of each accepted socket and
 * watches every read land in it: a request may take request_timeout_s,
 * plus one second for every request_min_rate bytes it has sent (so a
 * large upload at a sane rate is never cut, as with Apache's
 * mod_reqtimeout).  The clock of a request starts at its first byte and
 * stops when evhttp hands the complete request to the router; it starts
 * again with the first byte after the reply has gone out.  A connection
 * still sending is cut by the first byte past its deadline, a quiet one
 * by a sweep four times a second; the cut is logged with the client's address.
 *
 * evhttp 2.1 reads a whole body (up to max_body_mb) before anyone sees
 * the request, and has no hook on a request's headers for a server.  So
 * the guard reads each request's head itself, holding evhttp off until
 * it has decided (reqhead.h says what it refuses): the framing is
 * checked, a Content-Length over max_body_mb is refused, and the
 * application is asked (conn_head_cb) whether the head may go on --
 * which is where a token is checked, perhaps after a database lookup,
 * while the guard reads nothing more from the socket.  A head allowed to
 * go on takes its declared body from one budget shared by every request
 * in flight (max_body_memory_mb; chunked bodies as their chunk sizes
 * arrive) until its reply has gone out.  A refused head is answered with
 * the application's problem document and "Connection: close", after
 * which the guard reads and discards what the client still sends for
 * two seconds, and ends the connection.
 *
 * Over TLS (conn_guard_set_tls) each accepted socket gets an OpenSSL
 * bufferevent instead, whose input buffer holds the decrypted bytes: the
 * guard reads, holds off and counts exactly what it does in clear, so
 * nothing gets further over TLS than over plain HTTP.  A TLS connection's
 * clock starts at its acceptance, so the handshake counts against its
 * first request's request_timeout_s (a client dripping a ClientHello is
 * cut like one dripping a head), and a refusal goes out through the
 * bufferevent (encrypted) rather than straight to the socket.
 *
 * Beyond max_connections the listener stops accepting (the kernel's
 * backlog holds the rest) until one closes; a connection from a client
 * (an IPv4 address, an IPv6 /64) that already has
 * max_connections_per_client open is closed as soon as it is accepted,
 * counted, and logged once per client every ten seconds.
 *
 * Owns the per-connection and per-client state, one reference on each
 * connection's bufferevent, and the body budget; evhttp owns the
 * connections.  Loop thread only.
 */
#ifndef DAEMON_HTTP_CONN_H
#define DAEMON_HTTP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct event_base;
struct evhttp;
struct evhttp_bound_socket;
struct evhttp_request;
struct sockaddr;
struct conn_guard;
struct conn_wait;

#define CONN_CLIENT_LEN		48	/* a client's key or address, NUL included */

struct conn_guard_limits {
	int		request_timeout_s;
	int		request_min_rate;	/* bytes per second beyond the timeout */
	int		max_connections;
	int		max_connections_per_client;
	uint64_t	max_body;		/* bytes, one body */
	uint64_t	body_budget;		/* bytes, every body in flight */
};

struct conn_stats {
	int		open;
	uint64_t	accepted;
	uint64_t	cut;		/* requests too slow */
	uint64_t	refused;	/* answered 4xx by evhttp itself */
	uint64_t	paused;		/* times accepting stopped at the cap */
	uint64_t	client_refused;	/* over max_connections_per_client */
	uint64_t	head_refused;	/* refused before the body was read */
	uint64_t	budget_refused;	/* of those, over the body budget */
	uint64_t	body_bytes;	/* of the budget in use now */
	uint64_t	body_budget;	/* the budget (max_body_memory_mb) */
};

/* What the guard read of a request, for the application to decide on. */
struct conn_request_head {
	const char	*method;
	const char	*target;
	const char	*authorization;	/* NULL: none */
	const char	*cookie;	/* NULL: none */
	const char	*client;	/* the client's key (conn_client_key) */
	const char	*peer;		/* address:port, for the log */
	int64_t		 content_length; /* -1: none */
	bool		 chunked;
	bool		 is_head;	/* HEAD: no body in the reply */
};

/* Why a request is refused before its body. */
struct conn_refusal {
	int		 status;
	const char	*title;
	char		 detail[200];
	int		 retry_after_s;	/* > 0: Retry-After */
	bool		 challenge;	/* 401: WWW-Authenticate: Bearer */
	bool		 quiet;		/* counted elsewhere: no log line */
	bool		 before_routing; /* the guard's own refusal */
};

enum conn_verdict {
	CONN_ALLOW,	/* read the body, go on to the router */
	CONN_REFUSE,	/* answer with the refusal, end the connection */
	CONN_WAIT,	/* conn_guard_resume() will say (perhaps at once) */
};

/* The application's side of the guard. */
struct conn_hooks {
	/*
	 * May this head go on?  With CONN_REFUSE, fills *r.  *body_max
	 * (max_body_mb on entry) may be lowered to what the request's
	 * route takes: a chunked body past it is refused (413).
	 */
	enum conn_verdict (*head)(const struct conn_request_head *h,
	    struct conn_wait *w, struct conn_refusal *r, uint64_t *body_max,
	    void *arg);
	/*
	 * The complete HTTP response (status line to body) refusing h for
	 * r, with Connection: close; the guard frees it.  Also logs it.
	 */
	char *(*render)(const struct conn_request_head *h,
	    const struct conn_refusal *r, size_t *len, void *arg);
	void *arg;
};

/*
 * Installs the guard on http (its bufferevent callback) and on the
 * socket it listens on.  The caller owns the guard; free it after
 * evhttp_free.
 */
struct conn_guard *conn_guard_new(struct event_base *base, struct evhttp *http,
    struct evhttp_bound_socket *sock, const struct conn_guard_limits *lim,
    const struct conn_hooks *hooks);
/*
 * Connections accepted from now on speak TLS with ctx (NULL: in clear);
 * consumes one reference on ctx, and drops the guard's reference on the
 * context before (connections already open keep theirs).
 */
void conn_guard_set_tls(struct conn_guard *g, SSL_CTX *ctx);
/* The listening socket went away (stop accepting): forget it. */
void conn_guard_forget_socket(struct conn_guard *g);
void conn_guard_free(struct conn_guard *g);

/*
 * The answer to a CONN_WAIT: r NULL lets the head go on, else it is
 * refused.  Call exactly once for each wait, before conn_guard_free.
 */
void conn_guard_resume(struct conn_wait *w, const struct conn_refusal *r);

/*
 * A complete request arrived on req's connection: its clock stops until
 * the reply has been sent.
 */
void conn_guard_request_received(struct conn_guard *g,
    struct evhttp_request *req);

void conn_guard_get_stats(const struct conn_guard *g, struct conn_stats *out);

/*
 * The key a client is counted under: its IPv4 address, or the /64 of
 * its IPv6 address (one host's share on most networks); "?" when sa is
 * neither.
 */
void conn_client_key(const struct sockaddr *sa, char *out, size_t size);

#endif
