/*
 * dsn.h -- what the command line says about a database connection: the
 * target of a connection string in words that never show a password, and
 * errors carrying their SQLSTATE so that the command can tell "cannot
 * connect" from "no permission" without reading PostgreSQL's prose
 * (which the server may translate).  Blocking helpers; never the daemon.
 */
#ifndef DB_DSN_H
#define DB_DSN_H

struct pg_conn;

/*
 * "host=H port=P dbname=D user=U" for dsn ("" : libpq's PG* variables and
 * defaults), without any password; caller frees.
 */
char *db_dsn_describe(const char *dsn);

/*
 * From now on the blocking connections of this process (admin, replay,
 * bundle, migrate, secrets) report errors with their SQLSTATE
 * ("ERROR:  42501: permission denied ...").  The command line calls it
 * once at start; the daemon never does.
 */
void db_errors_with_sqlstate(void);
/* Applies that choice to a new connection (a PGconn). */
void db_conn_errors(struct pg_conn *conn);

#endif
