/*
 * listen.h -- one libpq connection that LISTENs on a channel and says
 * when a notification arrived: how the daemons sharing one database hear
 * of each other's changes (audit_append notifies "railgate_audit" with
 * the record's sequence number, db/functions/10_audit.sql).
 *
 * Owns the connection.  Like the pool (db.h) it does no waiting of its
 * own: the caller (daemon/stream.c, on the loop thread) is told through
 * struct db_listen_ops which socket to watch and when to call back
 * after a backoff, and calls db_listen_io_ready() / db_listen_timer_fired().
 * A broken connection is closed and opened again with exponential
 * backoff (250 ms to 10 s); ops->up says when LISTEN is in force again,
 * since notifications sent meanwhile are lost and the caller must catch
 * up from what it saw last.  Loop thread only.
 */
#ifndef DB_LISTEN_H
#define DB_LISTEN_H

#include <stdbool.h>
#include <stdint.h>

struct db_listen;

struct db_listen_ops {
	/* Watch fd for read and/or write (fd < 0 or neither: stop). */
	void	(*watch)(void *ctx, int fd, bool read, bool write);
	/* Call db_listen_timer_fired in ms milliseconds (ms < 0: disarm). */
	void	(*timer)(void *ctx, long ms);
	/* LISTEN is in force (up) or the connection broke (!up). */
	void	(*state)(void *ctx, bool up, const char *why);
	/* One or more notifications arrived on the channel. */
	void	(*notified)(void *ctx);
};

/*
 * Connects to dsn and listens on channel (a constant of the caller's,
 * never input: it is written into the LISTEN statement).  ops and ctx are
 * borrowed for the listener's life.  The caller owns the listener.
 */
struct db_listen *db_listen_new(const char *dsn, const char *channel,
    const struct db_listen_ops *ops, void *ctx);
/* Closes the connection; accepts NULL. */
void db_listen_free(struct db_listen *l);
/* The socket being watched is ready. */
void db_listen_io_ready(struct db_listen *l, bool readable, bool writable);
/* The backoff elapsed: connect again. */
void db_listen_timer_fired(struct db_listen *l);
/* True while LISTEN is in force. */
bool db_listen_is_up(const struct db_listen *l);
/* Times the connection was opened again after breaking or failing. */
uint64_t db_listen_reconnects(const struct db_listen *l);

#endif
