/*
 * store_operator.c -- the statements of a railway operator's reads and
 * events, each scoped to the operator's carriers (store.h; the functions
 * are in db/functions/71_operator.sql).  The carriers travel as one
 * text[] parameter, never in the statement's text.
 */
#include <stddef.h>

#include "db.h"
#include "query.h"
#include "store.h"

void
store_operator_train_list(struct db *db, const char *carriers,
    const char *state, enum store_list_finished finished,
    const struct store_clock *clk, store_doc_cb cb, void *arg)
{
	struct store_clock_args	 a = store_clock_args(clk);
	const char		*v[6] = { carriers, state,
				    finished == STORE_LIST_ALL ? NULL :
				    finished == STORE_LIST_FINISHED ? "t" : "f",
				    a.target_min, a.amber_s, a.red_s };

	store_query_read(db, "SELECT operator_train_list($1::text[], $2, "
	    "$3::boolean, $4::int, $5::int, $6::int)", 6, v, cb, arg);
}

void
store_operator_train_view(struct db *db, const char *carriers,
    const char *id, const struct store_clock *clk, store_doc_cb cb,
    void *arg)
{
	struct store_clock_args	 a = store_clock_args(clk);
	const char		*v[5] = { carriers, id, a.target_min, a.amber_s,
				    a.red_s };

	/* No row when the run is not the operator's: status 0, as none. */
	store_query_read(db, "SELECT v FROM operator_train_view($1::text[], "
	    "$2, $3::int, $4::int, $5::int) v WHERE v IS NOT NULL", 5, v, cb,
	    arg);
}

void
store_operator_add_event(struct db *db, const char *carriers,
    const char *id, const char *type, const char *body,
    const struct store_author *author, const char *ruleset,
    store_reply_cb cb, void *arg)
{
	const char	*v[8] = { carriers, id, type, body, author->name,
			    ruleset, author->role, author->device };

	/* Not retried: an event recorded twice would be two events. */
	store_query_reply(db, "SELECT outcome, reply FROM operator_add_event("
	    "$1::text[], $2, $3, $4, $5, $6, $7, $8)", 8, v, NULL, NULL, 0, cb,
	    arg);
}
