/*
 * api_take.c -- POST /v1/trains/{id}/take: an officer takes a train, so
 * that the automatic release of green trains leaves it to them
 * (docs/daemon.md "Automatic release").  The body, if any, is not read:
 * who takes it is the caller.
 */
#include <string.h>

#include "db/store.h"

#include "daemon/api/api.h"
#include "daemon/daemon.h"
#include "daemon/http/auth.h"
#include "daemon/log.h"
#include "daemon/outcome.h"

static void
taken_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (outcome != STORE_OUTCOME_DONE) {
		http_reply_problem_json(c, outcome_status(outcome), reply);
		return;
	}
	api_trains_changed();
	log_info("train %s taken by %s", http_param(c, 0), c->who.name);
	http_reply_json(c, 200, reply, strlen(reply));
}

/* POST /v1/trains/{id}/take */
void
api_train_take(struct http_ctx *c)
{
	if (!api_check_train_id(c))
		return;
	store_take_train(c->d->db, http_param(c, 0), c->who.name,
	    auth_role_name(c->who.role), taken_cb, c);
}
