/*
 * db_result.c -- a request's result read by its callback (db.h): rows,
 * values, and what a server error's SQLSTATE says of a failed request
 * (enum db_failure); apart from db.c's pool, which fills it.
 */
#include <stdbool.h>
#include <string.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "db/db_result.h"

/*
 * Classes 08 (connection), 53 (insufficient resources: disk full, out of
 * memory, too many connections), 57P01-57P03 (the server shutting down
 * or starting), 57014 (a timeout cancelled the statement), 55P03 (a lock
 * timeout), 40 (rolled back by another transaction, retries spent) and
 * 58 (the server's own I/O) pass: try again later.  A value refused
 * (class 22) or a constraint (class 23) will be refused again, however
 * often it is sent.  The rest (a missing function, a syntax error, an
 * assertion) is a fault of the daemon or its schema.
 */
enum db_failure
db_failure_of_sqlstate(const char *state)
{
	if (state == NULL || strlen(state) != 5)
		return DB_FAILURE_UNAVAILABLE;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	    strncmp(state, "40", 2) == 0 || strncmp(state, "58", 2) == 0 ||
	    strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
	    strcmp(state, "57P03") == 0 || strcmp(state, "57014") == 0 ||
	    strcmp(state, "55P03") == 0)
		return DB_FAILURE_UNAVAILABLE;
	if (strncmp(state, "22", 2) == 0)
		return DB_FAILURE_DATA;
	if (strncmp(state, "23", 2) == 0)
		return DB_FAILURE_CONFLICT;
	return DB_FAILURE_INTERNAL;
}

bool
db_result_ok(const struct db_result *r)
{
	return r->error == NULL;
}

const char *
db_result_error(const struct db_result *r)
{
	return r->error;
}

const char *
db_result_sqlstate(const struct db_result *r)
{
	return r->sqlstate;
}

bool
db_result_unavailable(const struct db_result *r)
{
	return r->unavailable;
}

enum db_failure
db_result_failure(const struct db_result *r)
{
	if (r->error == NULL)
		return DB_FAILURE_NONE;
	if (r->unavailable)
		return DB_FAILURE_UNAVAILABLE;
	return db_failure_of_sqlstate(r->sqlstate);
}

int
db_result_rows(const struct db_result *r)
{
	return r->res != NULL && r->error == NULL ? PQntuples(r->res) : 0;
}

int
db_result_cols(const struct db_result *r)
{
	return r->res != NULL && r->error == NULL ? PQnfields(r->res) : 0;
}

const char *
db_result_value(const struct db_result *r, int row, int col)
{
	if (row >= db_result_rows(r) || col >= db_result_cols(r))
		return NULL;
	return PQgetvalue(r->res, row, col);
}

int
db_result_length(const struct db_result *r, int row, int col)
{
	if (row >= db_result_rows(r) || col >= db_result_cols(r))
		return 0;
	return PQgetlength(r->res, row, col);
}

bool
db_result_is_null(const struct db_result *r, int row, int col)
{
	if (row >= db_result_rows(r) || col >= db_result_cols(r))
		return true;
	return PQgetisnull(r->res, row, col) != 0;
}
