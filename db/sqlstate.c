/*
 * sqlstate.c -- what a server error's SQLSTATE says of a failed request
 * (db.h, enum db_failure); apart from db.c's pool, which it needs
 * nothing of.
 */
#include <string.h>

#include "db/db.h"

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
