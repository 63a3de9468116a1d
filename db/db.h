/*
 * db.h -- asynchronous PostgreSQL access: a small pool of libpq
 * connections that never blocks its caller.
 *
 * The pool owns its connections and the queue of requests waiting for
 * one.  It does no I/O waiting of its own: the caller (daemon/dbloop.c,
 * on the event loop thread) is told through struct db_io_ops which socket
 * to watch and which timer to arm, and calls db_io_ready() /
 * db_timer_fired() when they trigger.  This keeps libevent out of db/ and
 * libpq out of daemon/.
 *
 * A connection that fails is closed and retried with exponential backoff;
 * requests wait in the queue meanwhile (up to their deadline, and at most
 * DB_OUTAGE_WAIT_MS once no connection is left), so a PostgreSQL restart
 * is weather, not an outage.  The dsn may name several hosts (libpq's
 * host=a,b with target_session_attrs=read-write): every reconnect tries
 * them in turn, so after a failover the pool finds the new primary by
 * itself; a connection attempt that hangs (a host gone from the network)
 * is abandoned after DB_CONNECT_TIMEOUT_MS.  A request that was on a
 * connection when it broke is answered with an error: the caller decides
 * whether a retry is safe.
 *
 * Every query is parameterised (PQsendQueryParams); SQL text never holds
 * input.  Results are handed to the request's callback as a struct
 * db_result, valid only during the callback.  Loop thread only.
 */
#ifndef DB_DB_H
#define DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_result;

struct db_io_ops {
	/* Watch fd of connection slot for read and/or write (neither: stop). */
	void	(*watch)(void *ctx, int slot, int fd, bool read, bool write);
	/* Arm slot's timer for ms milliseconds (ms < 0: disarm). */
	void	(*timer)(void *ctx, int slot, long ms);
	/*
	 * A statement failed on the server (before its callback is told):
	 * its SQLSTATE, the server's message and the statement, for the
	 * caller's log.  May be NULL.
	 */
	void	(*failed)(void *ctx, const char *sqlstate, const char *message,
		    const char *sql);
	/*
	 * The pool lost its last usable connection (up false, why: libpq's
	 * reason) or has one again after an outage (up true, down_ms: how
	 * long it lasted): once per outage, for the caller's log.  May be
	 * NULL.
	 */
	void	(*state)(void *ctx, bool up, const char *why, long down_ms);
};

/*
 * Why a request failed, by SQLSTATE class: what the caller may tell its
 * own client.  Only DB_FAILURE_UNAVAILABLE is worth trying again.
 */
enum db_failure {
	DB_FAILURE_NONE,
	DB_FAILURE_UNAVAILABLE,	/* no connection, shutting down, out of
				 * resources (disk full), timed out */
	DB_FAILURE_DATA,	/* class 22: a value the server refuses */
	DB_FAILURE_CONFLICT,	/* class 23: an integrity constraint */
	DB_FAILURE_INTERNAL,	/* anything else: a fault of ours */
};

/* Called once per request with its result (or error); r is borrowed. */
typedef void (*db_done_cb)(const struct db_result *r, void *arg);

struct db_stats {
	int		connections;	/* configured */
	int		up;		/* connected and usable */
	int		busy;		/* running a request */
	size_t		queued;		/* waiting for a connection */
	uint64_t	completed;
	uint64_t	failed;
	uint64_t	reconnects;
	uint64_t	rollbacks;	/* statements run again after a deadlock */
};

/*
 * A pool of nconn connections to dsn, started at once.  ops and ctx are
 * borrowed for the pool's life.  The caller owns the pool.
 */
struct db *db_new(const char *dsn, int nconn, const struct db_io_ops *ops,
    void *ctx);
/* Closes every connection; queued requests are answered with an error first. */
void db_free(struct db *db);

/* The socket of slot is ready. */
void db_io_ready(struct db *db, int slot, bool readable, bool writable);
/* The timer of slot fired (reconnect backoff). */
void db_timer_fired(struct db *db, int slot);

/*
 * Retry the statement on another connection if its connection breaks
 * while it runs: only for statements that are safe to run twice (reads,
 * and writes made idempotent by their own keys).
 */
#define DB_RETRY	0x1
/* Results in binary format (a bytea arrives as its bytes, not hex text). */
#define DB_BINARY_RESULT 0x2
/*
 * The binary parameters are borrowed, not copied: the caller keeps them
 * unchanged until cb is called.  For a manifest's bytes, which would
 * otherwise be held twice beside a big train's model.
 */
#define DB_BORROW_BINARY 0x4

/*
 * A step of a decision (a manifest stored, a claim, a decision stored):
 * queued ahead of every other request, and may use the connections kept
 * for it (db_set_reserve()), so that readers never make it wait.
 */
#define DB_URGENT	0x8

/*
 * Keeps n connections (at most all but one) for DB_URGENT requests: the
 * others run on at most nconn - n at once.
 */
void db_set_reserve(struct db *db, int n);

/* The lent parameters of db_query_lent() are the caller's again. */
typedef void (*db_sent_cb)(void *arg);

/*
 * Queues one parameterised statement.  values[i] NULL is SQL NULL;
 * lengths and binary may be NULL for text parameters.  The parameter
 * values are copied (binary ones borrowed with DB_BORROW_BINARY).  timeout_ms bounds the wait for a connection (0: 30
 * s).  cb is always called exactly once, possibly before db_query returns
 * when the pool is shutting down.
 */
void db_query(struct db *db, const char *sql, int nparams,
    const char *const *values, const int *lengths, const int *binary,
    unsigned flags, long timeout_ms, db_done_cb cb, void *arg);
/*
 * db_query() with the binary parameters lent only until libpq holds its
 * own copy of the statement: sent(arg) is called once, as soon as it was
 * handed to a connection (or before cb when it never is), and the caller
 * may free them then -- a big manifest's bytes are not held twice while
 * they go out (issue 23).  Such a statement is never sent again: not
 * with DB_RETRY (ignored), nor after a deadlock (its error goes to cb).
 */
void db_query_lent(struct db *db, const char *sql, int nparams,
    const char *const *values, const int *lengths, const int *binary,
    unsigned flags, long timeout_ms, db_sent_cb sent, db_done_cb cb,
    void *arg);

/* True when at least one connection is usable. */
bool db_is_up(const struct db *db);
void db_get_stats(const struct db *db, struct db_stats *out);
/* Fails requests that waited past their deadline; call about once a second. */
void db_expire(struct db *db, int64_t now_ms);

/* Result accessors, valid during the callback. */
bool db_result_ok(const struct db_result *r);
/* Error text, or NULL when ok. */
const char *db_result_error(const struct db_result *r);
/* SQLSTATE of a server error, or NULL (e.g. connection lost). */
const char *db_result_sqlstate(const struct db_result *r);
/* True when the failure is the database being unreachable (retry later). */
bool db_result_unavailable(const struct db_result *r);
/* The kind of failure (DB_FAILURE_NONE when ok). */
enum db_failure db_result_failure(const struct db_result *r);
/* The kind of failure a server error's SQLSTATE says (NULL: no server
 * answer, so unavailable). */
enum db_failure db_failure_of_sqlstate(const char *sqlstate);
int db_result_rows(const struct db_result *r);
int db_result_cols(const struct db_result *r);
const char *db_result_value(const struct db_result *r, int row, int col);
int db_result_length(const struct db_result *r, int row, int col);
bool db_result_is_null(const struct db_result *r, int row, int col);

#endif
