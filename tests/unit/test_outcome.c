/*
 * test_outcome.c -- the one table from storage's outcomes and failed
 * calls to the API's statuses (daemon/api/outcome.c), and the outcome
 * names as the SQL functions write them (db/query.c).  No database.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/outcome.h"
#include "db/store.h"

#include "unit.h"

/* Every name reads back as its outcome, each with its status. */
static void
t_outcome_names_and_statuses(void)
{
	static const struct {
		const char		*name;
		enum store_outcome	 o;
		int			 status;
	} rows[] = {
		{ "done", STORE_OUTCOME_DONE, 200 },
		{ "accepted", STORE_OUTCOME_ACCEPTED, 202 },
		{ "proposed", STORE_OUTCOME_PROPOSED, 202 },
		{ "duplicate", STORE_OUTCOME_DUPLICATE, 200 },
		{ "not_found", STORE_OUTCOME_NOT_FOUND, 404 },
		{ "conflict", STORE_OUTCOME_CONFLICT, 409 },
		{ "forbidden", STORE_OUTCOME_FORBIDDEN, 403 },
		{ "invalid", STORE_OUTCOME_INVALID, 422 },
	};
	size_t	i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		CU_ASSERT_EQUAL(store_outcome_parse(rows[i].name), rows[i].o);
		CU_ASSERT_STRING_EQUAL(store_outcome_name(rows[i].o),
		    rows[i].name);
		CU_ASSERT_EQUAL(outcome_status(rows[i].o), rows[i].status);
	}
	/* A name outside the set is a fault of ours, never a success. */
	CU_ASSERT_EQUAL(store_outcome_parse("202"), STORE_OUTCOME_UNKNOWN);
	CU_ASSERT_EQUAL(store_outcome_parse(NULL), STORE_OUTCOME_UNKNOWN);
	CU_ASSERT_EQUAL(store_outcome_parse("unknown"), STORE_OUTCOME_UNKNOWN);
	CU_ASSERT_EQUAL(outcome_status(STORE_OUTCOME_UNKNOWN), 500);
}

/* A failed call: 503 only when sending again may help. */
static void
t_outcome_failures(void)
{
	CU_ASSERT_EQUAL(outcome_failure_status(STORE_UNAVAILABLE), 503);
	CU_ASSERT_EQUAL(outcome_failure_status(STORE_REFUSED), 422);
	CU_ASSERT_EQUAL(outcome_failure_status(STORE_CONFLICT), 409);
	CU_ASSERT_EQUAL(outcome_failure_status(STORE_FAILED), 500);
	CU_ASSERT_EQUAL(outcome_failure_status(-99), 500);
}

/* The document leads with its status, spaced as json_build_object(). */
static void
t_outcome_document(void)
{
	char	*d;

	d = outcome_document(STORE_OUTCOME_ACCEPTED,
	    "{\"event\" : 7, \"train\" : \"X1\"}");
	CU_ASSERT_STRING_EQUAL(d, "{\"status\" : 202, \"event\" : 7, "
	    "\"train\" : \"X1\"}");
	free(d);
	d = outcome_document(STORE_OUTCOME_CONFLICT, "{}");
	CU_ASSERT_STRING_EQUAL(d, "{\"status\" : 409}");
	free(d);
	d = outcome_document(STORE_OUTCOME_INVALID, "[1]");
	CU_ASSERT_STRING_EQUAL(d, "[1]");	/* not an object: as it is */
	free(d);
}

static CU_TestInfo outcome_tests[] = {
	{ "t_outcome_names_and_statuses", t_outcome_names_and_statuses },
	{ "t_outcome_failures", t_outcome_failures },
	{ "t_outcome_document", t_outcome_document },
	CU_TEST_INFO_NULL
};

TEST_SUITE("outcome", NULL, NULL, outcome_tests)
