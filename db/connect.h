/*
 * connect.h -- how db/ opens a connection that must not hang: libpq's
 * non-blocking start with TCP keepalive defaults the dsn may override.
 * For db/ itself (db.c's pool, listen.c's LISTEN); includes libpq.
 */
#ifndef DB_CONNECT_H
#define DB_CONNECT_H

#include <libpq-fe.h>

/*
 * PQconnectStart(dsn), with keepalives_idle=10, keepalives_interval=5,
 * keepalives_count=3 and tcp_user_timeout=30000 unless dsn sets them: a
 * connection to a host gone from the network (a failover by moving an
 * address, a partition) fails in about 25 s instead of TCP's two hours,
 * so the request on it is answered 503 instead of hanging.  Either
 * form of dsn (key=value, postgresql://).  The caller owns the result.
 */
PGconn *db_connect_start(const char *dsn);

#endif
