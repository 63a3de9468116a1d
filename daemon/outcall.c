/*
 * outcall.c -- see outcall.h.
 */
#include <stdio.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/err.h>

#include "daemon/outcall.h"

int
outcall_result(struct evhttp_request *req, struct evhttp_connection *conn,
    char *error, size_t size)
{
	const char	*reason;
	unsigned long	 e;
	int		 status;

	error[0] = '\0';
	if (req != NULL && (status = evhttp_request_get_response_code(req)) !=
	    0) {
		/* The number only: the reason phrase is the remote's text, and
		 * error is shown to officers and auditors and kept in the
		 * audit trail. */
		if (status < 200 || status > 299)
			snprintf(error, size, "HTTP %d", status);
		return status;
	}
	/* A refused handshake (unknown CA, wrong name) says why. */
	e = conn != NULL ? bufferevent_get_openssl_error(
	    evhttp_connection_get_bufferevent(conn)) : 0;
	if (e == 0)
		e = ERR_get_error();
	/* Not every error code has a reason string (a refused connection
	 * has none): then say what is known. */
	reason = e != 0 ? ERR_reason_error_string(e) : NULL;
	snprintf(error, size, "%s", reason != NULL ? reason :
	    "no answer (connection refused, reset or timed out)");
	ERR_clear_error();
	return 0;
}
