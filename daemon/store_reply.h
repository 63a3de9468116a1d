/*
 * store_reply.h -- the HTTP answer to a failed store call (STORE_* of
 * db/store.h), for the handlers and the ingest path.  Loop thread only.
 */
#ifndef DAEMON_STORE_REPLY_H
#define DAEMON_STORE_REPLY_H

struct http_ctx;

/*
 * Answers a failed store call (status < 0, STORE_* of db/store.h): 503
 * with Retry-After only for STORE_UNAVAILABLE; 422 for a value the
 * database refused, 409 for a conflict, 500 for anything else.
 */
void http_reply_store_failure(struct http_ctx *c, int status);
/* The HTTP status http_reply_store_failure() answers for status. */
int http_store_failure_status(int status);

#endif
