/*
 * dbloop.h -- drives the database pool (db/db.h) from the libevent loop.
 *
 * Owns one read/write event and one timer per connection slot, and a
 * once-a-second tick that expires requests waiting too long for a
 * connection.  Loop thread only.
 */
#ifndef DAEMON_DBLOOP_H
#define DAEMON_DBLOOP_H

struct event_base;
struct dbloop;
struct db;

/* A pool of nconn connections to dsn on base; owned by the caller. */
struct dbloop *dbloop_new(struct event_base *base, const char *dsn, int nconn);
/* Closes the pool (failing what is queued) and frees the events. */
void dbloop_free(struct dbloop *l);
/* The pool, for db/ calls; borrowed. */
struct db *dbloop_db(struct dbloop *l);

#endif
