/*
 * bundle.c -- train_bundle() on a connection of its own (see bundle.h).
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "db/bundle.h"
#include "db/dsn.h"

char *
bundle_db_fetch(const char *dsn, const char *id, size_t *len, int *not_found,
    char **cause)
{
	PGconn		*c = PQconnectdb(dsn);
	PGresult	*r;
	const char	*v[1] = { id };
	char		*out = NULL;

	*not_found = 0;
	db_conn_errors(c);
	if (PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to the database: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	r = PQexecParams(c, "SELECT train_bundle($1)::text", 1, NULL, v, NULL,
	    NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		*cause = xasprintf("%s", PQresultErrorMessage(r));
	else if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
		*not_found = 1;
		*cause = xasprintf("no train %s", id);
	} else {
		*len = (size_t)PQgetlength(r, 0, 0);
		out = xmalloc(*len + 1);
		memcpy(out, PQgetvalue(r, 0, 0), *len + 1);
	}
	PQclear(r);
	PQfinish(c);
	return out;
}
