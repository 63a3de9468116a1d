/*
 * store_reply.c -- the HTTP answer to a failed store call: which status a
 * STORE_* failure of db/store.h becomes, and the problem document that
 * says so.  Here, between the storage and the transport, so that the
 * HTTP server (daemon/http/) knows neither.
 */
#include "db/store.h"

#include "daemon/http/http.h"
#include "daemon/store_reply.h"

int
http_store_failure_status(int status)
{
	switch (status) {
	case STORE_UNAVAILABLE:
		return 503;
	case STORE_REFUSED:
		return 422;
	case STORE_CONFLICT:
		return 409;
	default:
		return 500;
	}
}

/*
 * "Retry later" only when later may differ: a value the database refuses
 * is refused again, and a fault of ours is not the client's to wait out.
 * The SQLSTATE and the server's message are in the log (dbloop.c), not
 * in the answer.
 */
void
http_reply_store_failure(struct http_ctx *c, int status)
{
	switch (http_store_failure_status(status)) {
	case 503:
		http_reply_unavailable(c);
		break;
	case 422:
		http_reply_problem(c, 422, "Unprocessable Content", "the database "
		    "refused a value of this request (SQLSTATE class 22, data "
		    "exception); sent again unchanged, it is refused again",
		    NULL, 0);
		break;
	case 409:
		http_reply_problem(c, 409, "Conflict", "the request conflicts "
		    "with what is stored (SQLSTATE class 23, integrity "
		    "constraint)", NULL, 0);
		break;
	default:
		http_reply_problem(c, 500, "Internal Server Error", "internal "
		    "error: the database failed this request; the daemon's log "
		    "has the cause", NULL, 0);
		break;
	}
}
