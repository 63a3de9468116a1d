/*
 * query.c -- what the store's statements share (query.h): the call in
 * flight, the shapes of answer, rows into arrays, the outcome names and
 * the failures by kind.  The statements themselves are in store_*.c and
 * peer.c, one file per resource.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "db.h"
#include "query.h"
#include "store.h"

/* The outcome names, as db/functions/ write them; the index is the enum. */
static const char *const outcome_names[] = {
	[STORE_OUTCOME_UNKNOWN] = "unknown",
	[STORE_OUTCOME_DONE] = "done",
	[STORE_OUTCOME_ACCEPTED] = "accepted",
	[STORE_OUTCOME_PROPOSED] = "proposed",
	[STORE_OUTCOME_DUPLICATE] = "duplicate",
	[STORE_OUTCOME_NOT_FOUND] = "not_found",
	[STORE_OUTCOME_CONFLICT] = "conflict",
	[STORE_OUTCOME_FORBIDDEN] = "forbidden",
	[STORE_OUTCOME_INVALID] = "invalid",
};

enum store_outcome
store_outcome_parse(const char *name)
{
	size_t	i;

	for (i = 1; name != NULL && i < nitems(outcome_names); i++)
		if (strcmp(name, outcome_names[i]) == 0)
			return (enum store_outcome)i;
	return STORE_OUTCOME_UNKNOWN;
}

const char *
store_outcome_name(enum store_outcome o)
{
	return (size_t)o < nitems(outcome_names) ? outcome_names[o] :
	    outcome_names[STORE_OUTCOME_UNKNOWN];
}

struct store_call *
store_call_new(void *arg)
{
	struct store_call	*q = xcalloc(1, sizeof *q);

	q->arg = arg;
	return q;
}

/* A statement that failed, or answered no row where one was due. */
int
store_failure(const struct db_result *r)
{
	switch (db_result_failure(r)) {
	case DB_FAILURE_UNAVAILABLE:
		return STORE_UNAVAILABLE;
	case DB_FAILURE_DATA:
		return STORE_REFUSED;
	case DB_FAILURE_CONFLICT:
		return STORE_CONFLICT;
	default:
		return STORE_FAILED;
	}
}

void *
store_rows(const struct db_result *r, size_t size, store_row_fill fill,
    size_t *n)
{
	int		 rows = db_result_rows(r), i;
	unsigned char	*v;

	v = xcalloc((size_t)(rows > 0 ? rows : 1), size);
	for (i = 0; i < rows; i++)
		fill(r, i, v + (size_t)i * size);
	*n = (size_t)(rows > 0 ? rows : 0);
	return v;
}

const char *
store_text_or_null(const struct db_result *r, int row, int col)
{
	return db_result_is_null(r, row, col) ? NULL :
	    db_result_value(r, row, col);
}

const unsigned char *
store_bytes_or_null(const struct db_result *r, int row, int col, size_t *len)
{
	*len = 0;
	if (db_result_is_null(r, row, col))
		return NULL;
	*len = (size_t)db_result_length(r, row, col);
	return (const unsigned char *)db_result_value(r, row, col);
}

long long
store_int_or_zero(const struct db_result *r, int row, int col)
{
	return db_result_is_null(r, row, col) ? 0 :
	    atoll(db_result_value(r, row, col));
}

struct store_clock_args
store_clock_args(const struct store_clock *clk)
{
	struct store_clock_args	a;

	snprintf(a.target_min, sizeof a.target_min, "%d", clk->target_min);
	snprintf(a.amber_s, sizeof a.amber_s, "%d", clk->amber_left_s);
	snprintf(a.red_s, sizeof a.red_s, "%d", clk->red_left_s);
	return a;
}

/* Row: one text (or binary) value; no row or NULL: not found. */
static void
doc_cb(const struct db_result *r, void *arg)
{
	struct store_call	*q = arg;

	if (!db_result_ok(r))
		q->cb.doc(store_failure(r), NULL, 0, q->arg);
	else if (db_result_rows(r) == 0 || db_result_is_null(r, 0, 0))
		q->cb.doc(0, NULL, 0, q->arg);
	else
		q->cb.doc(1, db_result_value(r, 0, 0),
		    (size_t)db_result_length(r, 0, 0), q->arg);
	free(q);
}

void
store_query_doc(struct db *db, const char *sql, int n, const char *const *v,
    const int *lengths, const int *binary, unsigned flags, store_doc_cb cb,
    void *arg)
{
	struct store_call	*q = store_call_new(arg);

	q->cb.doc = cb;
	db_query(db, sql, n, v, lengths, binary, flags, 10000, doc_cb, q);
}

void
store_query_read(struct db *db, const char *sql, int n, const char *const *v,
    store_doc_cb cb, void *arg)
{
	store_query_doc(db, sql, n, v, NULL, NULL, DB_RETRY, cb, arg);
}

static void
status_cb(const struct db_result *r, void *arg)
{
	struct store_call	*q = arg;

	q->cb.status(db_result_ok(r) ? 0 : store_failure(r), q->arg);
	free(q);
}

void
store_query_status(struct db *db, const char *sql, int n,
    const char *const *v, const int *lengths, const int *binary,
    unsigned flags, store_status_cb cb, void *arg)
{
	struct store_call	*q = store_call_new(arg);

	q->cb.status = cb;
	db_query(db, sql, n, v, lengths, binary, flags, 10000, status_cb, q);
}

/* Row: one text; no answer is NULL. */
static void
text_cb(const struct db_result *r, void *arg)
{
	struct store_call	*q = arg;

	q->cb.text(db_result_ok(r) && db_result_rows(r) > 0 ?
	    db_result_value(r, 0, 0) : NULL, q->arg);
	free(q);
}

void
store_query_text(struct db *db, const char *sql, int n, const char *const *v,
    unsigned flags, long timeout_ms, store_decision_cb cb, void *arg)
{
	struct store_call	*q = store_call_new(arg);

	q->cb.text = cb;
	db_query(db, sql, n, v, NULL, NULL, flags, timeout_ms, text_cb, q);
}

/* Row: outcome, reply. */
static void
reply_cb(const struct db_result *r, void *arg)
{
	struct store_call	*q = arg;

	if (!db_result_ok(r) || db_result_rows(r) == 0)
		q->cb.reply(store_failure(r), STORE_OUTCOME_UNKNOWN, NULL,
		    q->arg);
	else
		q->cb.reply(0, store_outcome_parse(db_result_value(r, 0, 0)),
		    db_result_value(r, 0, 1), q->arg);
	free(q);
}

void
store_query_reply(struct db *db, const char *sql, int n,
    const char *const *v, const int *lengths, const int *binary,
    unsigned flags, store_reply_cb cb, void *arg)
{
	struct store_call	*q = store_call_new(arg);

	q->cb.reply = cb;
	db_query(db, sql, n, v, lengths, binary, flags, 10000, reply_cb, q);
}
