/*
 * outcall.h -- what an outgoing HTTP(S) request came to, for the two
 * daemons' clients (release notices, the neighbour link): the status, and
 * an error text an operator can act on when there was no good answer.
 * Loop thread.
 */
#ifndef DAEMON_OUTCALL_H
#define DAEMON_OUTCALL_H

#include <stddef.h>

struct evhttp_connection;
struct evhttp_request;

/*
 * The HTTP status of req's answer, 0 when there was none (req NULL or
 * code 0: refused, reset, timed out, or a TLS handshake refused -- then
 * OpenSSL's reason, taken from conn's bufferevent).  error (size bytes)
 * is set to why when the status is not 2xx ("HTTP 500": never the
 * remote's reason phrase or body, which are not ours to show), empty
 * otherwise.
 */
int outcall_result(struct evhttp_request *req, struct evhttp_connection *conn,
    char *error, size_t size);

#endif
