/*
 * outcome.h -- the one table from what storage decided to what the daemon
 * answers: an outcome name of db/functions/ (enum store_outcome) or a
 * failed store call (STORE_*) to an HTTP status.
 *
 * Storage knows no HTTP (docs/storage.md): its functions answer outcome
 * names and reply documents without a status; this module alone turns
 * them into statuses and into the documents the daemon sends, so a new
 * outcome is one row here.  At daemon/'s root, not in daemon/api/,
 * because three rooms answer HTTP from the store: the API's handlers,
 * ingest (POST /v1/manifests and the spool's reasons) and the neighbour
 * link's listener.  Loop thread, or any thread: no state.
 */
#ifndef DAEMON_OUTCOME_H
#define DAEMON_OUTCOME_H

#include "db/store.h"

struct http_ctx;

/* The status the API answers for o (500 for UNKNOWN: a fault of ours). */
int outcome_status(enum store_outcome o);
/*
 * The document answered for o: reply (a JSON object as the database
 * built it) led by its "status" member, as the database wrote it before
 * it knew no HTTP ({"status" : 202, ...}).  Owned by the caller.
 */
char *outcome_document(enum store_outcome o, const char *reply);

/*
 * The status answered for a failed store call (status < 0, STORE_*): 503
 * (worth sending again) only for STORE_UNAVAILABLE; 422 for a value the
 * database refused, 409 for a conflict, 500 for anything else.
 */
int outcome_failure_status(int status);
/* Answers a failed store call with its status and problem document. */
void outcome_reply_store_failure(struct http_ctx *c, int status);

#endif
