/*
 * conn.h -- the guard on the API's client connections: how long a client
 * may take to send a request, and how many connections are open at once.
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
 * Beyond max_connections the listener stops accepting (the kernel's
 * backlog holds the rest) until one closes.
 *
 * Owns the per-connection state and one reference on each connection's
 * bufferevent; evhttp owns the connections.  Loop thread only.
 */
#ifndef DAEMON_CONN_H
#define DAEMON_CONN_H

#include <stdint.h>

struct event_base;
struct evhttp;
struct evhttp_bound_socket;
struct evhttp_request;
struct conn_guard;

struct conn_guard_limits {
	int	request_timeout_s;
	int	request_min_rate;	/* bytes per second beyond the timeout */
	int	max_connections;
};

struct conn_stats {
	int		open;
	uint64_t	accepted;
	uint64_t	cut;		/* requests too slow */
	uint64_t	refused;	/* answered 4xx by evhttp itself */
	uint64_t	paused;		/* times accepting stopped at the cap */
};

/*
 * Installs the guard on http (its bufferevent callback) and on the
 * socket it listens on.  The caller owns the guard; free it after
 * evhttp_free.
 */
struct conn_guard *conn_guard_new(struct event_base *base, struct evhttp *http,
    struct evhttp_bound_socket *sock, const struct conn_guard_limits *lim);
/* The listening socket went away (stop accepting): forget it. */
void conn_guard_forget_socket(struct conn_guard *g);
void conn_guard_free(struct conn_guard *g);

/*
 * A complete request arrived on req's connection: its clock stops until
 * the reply has been sent.
 */
void conn_guard_request_received(struct conn_guard *g,
    struct evhttp_request *req);

void conn_guard_get_stats(const struct conn_guard *g, struct conn_stats *out);

#endif
