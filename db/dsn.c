/*
 * dsn.c -- connection strings described without their secrets, and the
 * command line's choice of error verbosity (dsn.h).  The only state is
 * that choice, set once by the command line before any connection.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "dsn.h"

static bool	with_sqlstate;

/* The value of keyword in opts, or NULL when unset or empty. */
static const char *
opt_value(const PQconninfoOption *opts, const char *keyword)
{
	for (; opts != NULL && opts->keyword != NULL; opts++)
		if (strcmp(opts->keyword, keyword) == 0)
			return opts->val != NULL && *opts->val != '\0' ?
			    opts->val : NULL;
	return NULL;
}

/* What dsn names, libpq's defaults filling the gaps; never a password. */
char *
db_dsn_describe(const char *dsn)
{
	static const char *const keys[] = { "host", "hostaddr", "port",
	    "dbname", "user", "service" };
	PQconninfoOption	*given, *defaults;
	const char		*v;
	struct buf		 b = { 0 };
	char			*err = NULL;
	size_t			 i, len;

	if ((given = PQconninfoParse(dsn, &err)) == NULL) {
		PQfreemem(err);
		return xstrdup("(a connection string libpq cannot read)");
	}
	defaults = PQconndefaults();
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if ((v = opt_value(given, keys[i])) == NULL)
			v = opt_value(defaults, keys[i]);
		if (v != NULL)
			buf_printf(&b, "%s%s=%s", b.len > 0 ? " " : "", keys[i],
			    v);
	}
	PQconninfoFree(given);
	PQconninfoFree(defaults);
	if (b.len == 0)
		return xstrdup("(libpq's defaults)");
	return buf_steal(&b, &len);
}

/* The command line's choice, once, before any connection. */
void
db_errors_with_sqlstate(void)
{
	with_sqlstate = true;
}

/* VERBOSE: "ERROR:  42501: ..." (and LOCATION, which the CLI drops). */
void
db_conn_errors(struct pg_conn *conn)
{
	if (with_sqlstate && conn != NULL)
		PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
}
