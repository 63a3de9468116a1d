/*
 * api_subscriptions.c -- an admin lists, reads and deletes the railway
 * operators' subscriptions (issue 21, item 6); PUT, which creates and
 * replaces them, is in api_notices.c with the checks of their fields.
 *
 * No answer carries a secret, sealed or not: the database functions
 * (db/functions/72_subscriptions.sql) never select it.  A delete is fail
 * closed: refused 409 while notices are still to deliver to the
 * subscription, unless ?force=1 abandons them, each visible as
 * "abandoned" with the reason in GET /v1/trains/{id}/notices and named in
 * the audit record (docs/notices.md "Managing subscriptions").
 */
#include <string.h>

#include "db/store.h"

#include "daemon/api/api.h"
#include "daemon/daemon.h"
#include "daemon/http/http.h"
#include "daemon/log.h"
#include "daemon/outcome.h"

/* A JSON document, 404 (naming what) or 503. */
static void
subscription_doc_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else if (status == 0)
		http_reply_problem(c, 404, "Not Found", "no such subscription",
		    NULL, 0);
	else
		http_reply_json(c, 200, text, len);
}

/* GET /v1/subscriptions */
void
api_subscriptions_list(struct http_ctx *c)
{
	store_subscriptions_list(c->d->db, subscription_doc_cb, c);
}

/* GET /v1/subscriptions/{name} */
void
api_subscription_get(struct http_ctx *c)
{
	store_subscription_get(c->d->db, http_param(c, 0),
	    subscription_doc_cb, c);
}

static void
subscription_deleted_cb(int status, enum store_outcome outcome,
    const char *reply, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (outcome == STORE_OUTCOME_DONE) {
		log_info("%s subscription %s deleted by %s: %s", c->id,
		    http_param(c, 0), c->who.name, reply);
		http_reply_json(c, 200, reply, strlen(reply));
	} else
		http_reply_problem_json(c, outcome_status(outcome), reply);
}

/* DELETE /v1/subscriptions/{name}[?force=1] */
void
api_subscription_delete(struct http_ctx *c)
{
	const char	*force = http_query(c, "force");

	if (force != NULL && strcmp(force, "1") != 0 &&
	    strcmp(force, "0") != 0) {
		http_reply_problem(c, 400, "Bad Request", "force is 1 (abandon "
		    "the notices still to deliver) or 0", NULL, 0);
		return;
	}
	store_subscription_delete(c->d->db, http_param(c, 0),
	    force != NULL && strcmp(force, "1") == 0, c->who.name,
	    subscription_deleted_cb, c);
}
