/*
 * outcome.c -- the table from storage's outcomes and failures to the
 * API's statuses and problem documents (see outcome.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store.h"
#include "manifest/util.h"

#include "daemon/outcome.h"
#include "daemon/http/http.h"

/* An outcome and its status; the row's index is the outcome. */
static const int outcome_statuses[] = {
	[STORE_OUTCOME_UNKNOWN] = 500,
	[STORE_OUTCOME_DONE] = 200,
	[STORE_OUTCOME_ACCEPTED] = 202,
	[STORE_OUTCOME_PROPOSED] = 202,
	[STORE_OUTCOME_DUPLICATE] = 200,
	[STORE_OUTCOME_NOT_FOUND] = 404,
	[STORE_OUTCOME_CONFLICT] = 409,
	[STORE_OUTCOME_FORBIDDEN] = 403,
	[STORE_OUTCOME_INVALID] = 422,
};

/* A failed store call and its answer. */
static const struct outcome_failure {
	int		 store_status;	/* STORE_* */
	int		 status;
	const char	*title;		/* NULL: http_reply_unavailable() */
	const char	*detail;
} outcome_failures[] = {
	{ STORE_UNAVAILABLE, 503, NULL, NULL },
	{ STORE_REFUSED, 422, "Unprocessable Content", "the database refused "
	    "a value of this request (SQLSTATE class 22, data exception); "
	    "sent again unchanged, it is refused again" },
	{ STORE_CONFLICT, 409, "Conflict", "the request conflicts with what "
	    "is stored (SQLSTATE class 23, integrity constraint)" },
	/* The last row: any other failure, a fault of ours. */
	{ STORE_FAILED, 500, "Internal Server Error", "internal error: the "
	    "database failed this request; the daemon's log has the cause" },
};

int
outcome_status(enum store_outcome o)
{
	return (size_t)o < nitems(outcome_statuses) ? outcome_statuses[o] :
	    outcome_statuses[STORE_OUTCOME_UNKNOWN];
}

char *
outcome_document(enum store_outcome o, const char *reply)
{
	const char	*rest;

	if (reply == NULL || reply[0] != '{')
		return xasprintf("%s", reply != NULL ? reply : "{}");
	/* json_build_object()'s spacing, which the first answers had. */
	rest = reply + 1;
	return xasprintf("{\"status\" : %d%s%s", outcome_status(o),
	    rest[0] == '}' ? "" : ", ", rest);
}

/* The row of a failed store call (the last row for anything unknown). */
static const struct outcome_failure *
outcome_failure_find(int status)
{
	size_t	i;

	for (i = 0; i < nitems(outcome_failures) - 1; i++)
		if (outcome_failures[i].store_status == status)
			break;
	return &outcome_failures[i];
}

int
outcome_failure_status(int status)
{
	return outcome_failure_find(status)->status;
}

/*
 * "Retry later" only when later may differ: a value the database refuses
 * is refused again, and a fault of ours is not the client's to wait out.
 * The SQLSTATE and the server's message are in the log (dbloop.c), not
 * in the answer.
 */
void
outcome_reply_store_failure(struct http_ctx *c, int status)
{
	const struct outcome_failure	*f = outcome_failure_find(status);

	if (f->title == NULL)
		http_reply_unavailable(c);
	else
		http_reply_problem(c, f->status, f->title, f->detail, NULL, 0);
}
