/*
 * api_operator.c -- a railway operator's reads (docs/operator.md): GET
 * /v1/trains and GET /v1/trains/{id} answered, for an operator token,
 * from its own carriers' trains only and in the operator's view, which
 * names each wagon's action, the set-out list and the documents asked
 * for, and nothing of customs' risk analysis (71_operator.sql builds it
 * field by field).  Another carrier's train, or one of no carrier, is
 * answered exactly as a train that does not exist.  The officers' list
 * cache (api_trains.c) is not used: its copies are shared by every
 * reader, an operator's list is its own.  Loop thread only.
 */
#include <string.h>

#include "db/store.h"

#include "daemon/api/api.h"
#include "daemon/clock.h"
#include "daemon/daemon.h"
#include "daemon/http/auth.h"
#include "daemon/outcome.h"

/* Answers a JSON document, 404 (as api_trains.c: the same body) or 503. */
static void
operator_doc_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else if (status == 0)
		http_reply_problem(c, 404, "Not Found", c->params[0] != NULL ?
		    "no such train, or no decision yet" : NULL, NULL, 0);
	else
		http_reply_json(c, 200, text, len);
}

void
api_operator_trains_list(struct http_ctx *c)
{
	struct store_clock	 clk = clock_params(&c->d->cfg);
	const char		*f = http_query(c, "finished");
	enum store_list_finished finished = STORE_LIST_ALL;
	char			 carriers[AUTH_CARRIERS_LEN + 2];

	if (f != NULL && strcmp(f, "true") == 0)
		finished = STORE_LIST_FINISHED;
	else if (f != NULL && strcmp(f, "false") == 0)
		finished = STORE_LIST_UNFINISHED;
	else if (f != NULL) {
		http_reply_problem(c, 400, "Bad Request", "\"finished\" must "
		    "be true (finished runs only) or false (runs not "
		    "finished); without it, every run", NULL, 0);
		return;
	}
	auth_carriers_array(&c->who, carriers, sizeof carriers);
	store_operator_train_list(c->d->db, carriers, http_query(c, "state"),
	    finished, &clk, operator_doc_cb, c);
}

void
api_operator_train_get(struct http_ctx *c)
{
	struct store_clock	clk = clock_params(&c->d->cfg);
	char			carriers[AUTH_CARRIERS_LEN + 2];

	if (!api_check_train_id(c))
		return;
	auth_carriers_array(&c->who, carriers, sizeof carriers);
	store_operator_train_view(c->d->db, carriers, http_param(c, 0), &clk,
	    operator_doc_cb, c);
}
