/*
 * db.c -- the connection pool and its per-connection state machine.
 *
 *   DOWN --timer--> CONNECTING --PQconnectPoll OK--> IDLE <--> BUSY
 *     ^                  |                            |        |
 *     +------ failure ---+----------------------------+--------+
 *
 * Requests queue in arrival order and go to the first idle connection.
 * Each request is one PQsendQueryParams; its result is complete when
 * PQgetResult returns NULL.  A broken connection fails its request (the
 * caller cannot know whether the statement committed, unless it asks) --
 * or requeues it when the caller marked it DB_RETRY -- and reconnects
 * after 100 ms, doubling to 5 s.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "db.h"
#include "db/connect.h"
#include "db/db_result.h"

#define DB_BACKOFF_MIN_MS	100
#define DB_BACKOFF_MAX_MS	1000
#define DB_ROLLBACK_RETRIES	5	/* a statement rolled back by a deadlock */
#define DB_DEFAULT_TIMEOUT_MS	30000
/*
 * A handshake that takes longer is abandoned: PQconnectPoll has no
 * timeout of its own (libpq's connect_timeout holds for PQconnectdb
 * only), and a host that vanished from the network never answers.
 */
#define DB_CONNECT_TIMEOUT_MS	5000
/*
 * Once no connection is left, a queued request waits this long for one
 * at most: a failover or a restart is usually over by then, and a client
 * is better answered 503 with Retry-After than left hanging for its whole
 * deadline.
 */
#define DB_OUTAGE_WAIT_MS	5000

enum conn_state {
	CONN_DOWN,
	CONN_CONNECTING,
	CONN_IDLE,
	CONN_BUSY,
};

struct db_request {
	char			*sql;
	int			 nparams;
	char			**values;
	int			*lengths;
	int			*binary;
	int64_t			 deadline_ms;
	int64_t			 queued_ms;	/* when it was first queued */
	unsigned		 flags;
	int			 rollbacks;	/* deadlocks and serialization failures */
	db_sent_cb		 sent;		/* lent parameters, until sent */
	bool			 gone;		/* lent and given back: never again */
	db_done_cb		 cb;
	void			*arg;
	struct db_request	*next;
};

struct db_conn {
	struct db		*db;
	int			 slot;
	PGconn			*pg;
	enum conn_state		 state;
	long			 backoff_ms;
	struct db_request	*req;		/* in flight when BUSY */
	PGresult		*result;	/* kept until the request completes */
};

struct db {
	char			*dsn;
	int			 nconn;
	struct db_conn		*conns;
	const struct db_io_ops	*ops;
	void			*ctx;
	struct db_request	*head, *tail;	/* DB_URGENT ones first */
	size_t			 queued;
	int			 reserve;	/* kept for DB_URGENT */
	bool			 closing;
	bool			 up;		/* as last told to ops->state */
	int64_t			 down_since_ms;
	uint64_t		 completed, failed, reconnects, rollbacks;
};

static void db_requeue(struct db *, struct db_request *);
static void conn_start(struct db_conn *);
static void conn_fail(struct db_conn *, const char *);
static void conn_poll_connect(struct db_conn *);
static void conn_read(struct db_conn *);
static void db_dispatch(struct db *);
static void db_enqueue(struct db *, struct db_request *);

/* Milliseconds on the monotonic clock. */
static int64_t
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libpq's notices (e.g. "relation exists, skipping") are not ours to print. */
static void
db_notice_cb(void *arg, const char *message)
{
}

/* Frees a request and its copied parameters. */
static void
request_free(struct db_request *q)
{
	int	i;

	for (i = 0; i < q->nparams; i++)
		if (!(q->flags & DB_BORROW_BINARY) || !q->binary[i])
			free(q->values[i]);
	free(q->values);
	free(q->lengths);
	free(q->binary);
	free(q->sql);
	free(q);
}

/* Lent parameters are the caller's again, once. */
static void
request_sent(struct db_request *q)
{
	db_sent_cb	sent = q->sent;

	q->sent = NULL;
	if (sent != NULL)
		sent(q->arg);
}

/* Answers q with an error and frees it. */
static void
request_fail(struct db *db, struct db_request *q, const char *error,
    bool unavailable)
{
	struct db_result	r = { NULL, error, NULL, unavailable };

	db->failed++;
	request_sent(q);
	q->cb(&r, q->arg);
	request_free(q);
}

/*
 * True when the server rolled q's statement back because of another
 * transaction (SQLSTATE class 40: a deadlock, a serialization failure):
 * the statement had no effect at all, so running it again is safe even
 * for one that must not run twice.
 */
static bool
rolled_back(const PGresult *res)
{
	const char	*state = res != NULL ? PQresultErrorField(res,
			    PG_DIAG_SQLSTATE) : NULL;

	return state != NULL && strncmp(state, "40", 2) == 0 &&
	    strcmp(state, "40003") != 0;	/* statement completion unknown */
}

/* Answers q with the server's result and frees it. */
static void
request_complete(struct db *db, struct db_request *q, const PGresult *res)
{
	struct db_result	r = { res, NULL, NULL, false };
	ExecStatusType		st = res != NULL ? PQresultStatus(res) :
				    PGRES_FATAL_ERROR;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
	    rolled_back(res) && q->rollbacks < DB_ROLLBACK_RETRIES &&
	    !db->closing && !q->gone) {
		q->rollbacks++;
		db->rollbacks++;
		db_requeue(db, q);
		return;
	}
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		r.error = res != NULL ? PQresultErrorField(res,
		    PG_DIAG_MESSAGE_PRIMARY) : "no result from the database";
		if (r.error == NULL)
			r.error = "database error";
		r.sqlstate = res != NULL ? PQresultErrorField(res,
		    PG_DIAG_SQLSTATE) : NULL;
		db->failed++;
		if (db->ops->failed != NULL)
			db->ops->failed(db->ctx, r.sqlstate, r.error, q->sql);
	} else
		db->completed++;
	request_sent(q);
	q->cb(&r, q->arg);
	request_free(q);
}

PGconn *
db_connect_start(const char *dsn)
{
	/* Later entries win: the dsn, expanded from dbname, overrides these. */
	static const char *const keys[] = { "keepalives_idle",
	    "keepalives_interval", "keepalives_count", "tcp_user_timeout",
	    "dbname", NULL };
	const char	*values[] = { "10", "5", "3", "30000", dsn, NULL };

	return PQconnectStartParams(keys, values, 1);
}

/* Tells the caller what to watch for c. */
static void
conn_watch(struct db_conn *c, bool rd, bool wr)
{
	int	fd = c->pg != NULL ? PQsocket(c->pg) : -1;

	c->db->ops->watch(c->db->ctx, c->slot, fd, rd, wr);
}

/* Starts (or restarts) connecting. */
static void
conn_start(struct db_conn *c)
{
	c->pg = db_connect_start(c->db->dsn);
	if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
		conn_fail(c, c->pg != NULL ? PQerrorMessage(c->pg) :
		    "out of memory");
		return;
	}
	PQsetNoticeProcessor(c->pg, db_notice_cb, NULL);
	c->state = CONN_CONNECTING;
	c->db->ops->timer(c->db->ctx, c->slot, DB_CONNECT_TIMEOUT_MS);
	/* Before the first PQconnectPoll, behave as if it asked to write. */
	conn_watch(c, false, true);
}

/* True when at least one connection is usable. */
static bool
any_up(const struct db *db)
{
	int	i;

	for (i = 0; i < db->nconn; i++)
		if (db->conns[i].state == CONN_IDLE ||
		    db->conns[i].state == CONN_BUSY)
			return true;
	return false;
}

/*
 * Tells the caller when the pool went down or came back, once each way:
 * an outage of many failed attempts is one line, not one per attempt.
 */
static void
db_note_state(struct db *db, const char *why)
{
	bool	up = any_up(db);

	if (up == db->up || db->closing)
		return;
	db->up = up;
	if (!up)
		db->down_since_ms = mono_ms();
	if (db->ops->state != NULL)
		db->ops->state(db->ctx, up, why, up ? (long)(mono_ms() -
		    db->down_since_ms) : 0);
}

/*
 * Closes c after a failure, fails its request, and arms the reconnect
 * timer with exponential backoff.
 */
static void
conn_fail(struct db_conn *c, const char *why_in)
{
	struct db		*db = c->db;
	struct db_request	*q = c->req;
	char			 why[512];

	/* Often PQerrorMessage(c->pg), which PQfinish below frees. */
	snprintf(why, sizeof why, "%s", why_in);
	c->req = NULL;
	if (c->result != NULL) {
		PQclear(c->result);
		c->result = NULL;
	}
	if (c->pg != NULL) {
		conn_watch(c, false, false);
		PQfinish(c->pg);
		c->pg = NULL;
	}
	c->state = CONN_DOWN;
	db_note_state(db, why);
	if (q != NULL && (q->flags & DB_RETRY) && !db->closing)
		db_requeue(db, q);
	else if (q != NULL)
		request_fail(db, q, why, true);
	if (db->closing)
		return;
	db->reconnects++;
	db->ops->timer(db->ctx, c->slot, c->backoff_ms);
	c->backoff_ms = c->backoff_ms * 2 > DB_BACKOFF_MAX_MS ?
	    DB_BACKOFF_MAX_MS : c->backoff_ms * 2;
}

/*
 * One connection got through: the server is back, so the others waiting
 * out their backoff (up to DB_BACKOFF_MAX_MS) try again now.
 */
static void
wake_down_conns(struct db *db)
{
	int	i;

	for (i = 0; i < db->nconn; i++) {
		if (db->conns[i].state != CONN_DOWN)
			continue;
		db->conns[i].backoff_ms = DB_BACKOFF_MIN_MS;
		db->ops->timer(db->ctx, i, 0);
	}
}

/* Advances the connection handshake. */
static void
conn_poll_connect(struct db_conn *c)
{
	switch (PQconnectPoll(c->pg)) {
	case PGRES_POLLING_READING:
		conn_watch(c, true, false);
		break;
	case PGRES_POLLING_WRITING:
		conn_watch(c, false, true);
		break;
	case PGRES_POLLING_OK:
		if (PQsetnonblocking(c->pg, 1) != 0) {
			conn_fail(c, PQerrorMessage(c->pg));
			return;
		}
		c->state = CONN_IDLE;
		c->backoff_ms = DB_BACKOFF_MIN_MS;
		c->db->ops->timer(c->db->ctx, c->slot, -1);
		conn_watch(c, true, false);	/* notice a server going away */
		db_note_state(c->db, NULL);
		wake_down_conns(c->db);
		db_dispatch(c->db);
		break;
	default:
		conn_fail(c, PQerrorMessage(c->pg));
		break;
	}
}

/* Puts q back at the head of the queue. */
static void
db_requeue(struct db *db, struct db_request *q)
{
	q->next = db->head;
	db->head = q;
	if (db->tail == NULL)
		db->tail = q;
	db->queued++;
}

/*
 * True when an idle connection is still alive: a server that went away
 * has left an EOF or a FATAL message that PQconsumeInput notices.
 */
static bool
conn_alive(struct db_conn *c)
{
	if (!PQconsumeInput(c->pg) || PQstatus(c->pg) == CONNECTION_BAD) {
		conn_fail(c, PQerrorMessage(c->pg));
		return false;
	}
	return true;
}

/*
 * Sends q on idle connection c; 0, or -1 when the connection broke.  A
 * request that could not even be written never reached the server, so it
 * goes back to the queue instead of failing.
 */
static int
conn_send(struct db_conn *c, struct db_request *q)
{
	int	rc;

	if (!conn_alive(c)) {
		db_requeue(c->db, q);
		return -1;
	}
	if (!PQsendQueryParams(c->pg, q->sql, q->nparams, NULL,
	    (const char *const *)q->values, q->lengths, q->binary,
	    (q->flags & DB_BINARY_RESULT) ? 1 : 0) ||
	    (rc = PQflush(c->pg)) < 0) {
		db_requeue(c->db, q);
		conn_fail(c, PQerrorMessage(c->pg));
		return -1;
	}
	c->req = q;
	c->state = CONN_BUSY;
	conn_watch(c, true, rc == 1);
	if (q->sent != NULL) {	/* libpq holds the statement now */
		q->gone = true;
		request_sent(q);
	}
	return 0;
}

/* Connections running a request that is not DB_URGENT. */
static int
busy_plain(const struct db *db)
{
	int	i, n = 0;

	for (i = 0; i < db->nconn; i++)
		n += db->conns[i].state == CONN_BUSY &&
		    !(db->conns[i].req->flags & DB_URGENT);
	return n;
}

/*
 * Gives queued requests to idle connections; a request that is not
 * DB_URGENT only while fewer than nconn - reserve of them run.
 */
static void
db_dispatch(struct db *db)
{
	struct db_request	*q;
	int			 i;

	for (i = 0; i < db->nconn && db->head != NULL; i++) {
		struct db_conn *c = &db->conns[i];

		if (c->state != CONN_IDLE)
			continue;
		q = db->head;
		if (!(q->flags & DB_URGENT) &&
		    busy_plain(db) >= db->nconn - db->reserve)
			break;	/* the urgent ones, all before it, are out */
		db->head = q->next;
		if (db->head == NULL)
			db->tail = NULL;
		db->queued--;
		q->next = NULL;
		conn_send(c, q);
	}
}

/* Reads what the server sent; completes the request when its results end. */
static void
conn_read(struct db_conn *c)
{
	struct db_request	*q;
	PGresult		*res;

	if (!PQconsumeInput(c->pg)) {
		conn_fail(c, PQerrorMessage(c->pg));
		return;
	}
	if (c->state == CONN_IDLE) {
		/* Nothing asked: only a closing server sends now. */
		if (PQstatus(c->pg) == CONNECTION_BAD)
			conn_fail(c, PQerrorMessage(c->pg));
		return;
	}
	while (!PQisBusy(c->pg)) {
		res = PQgetResult(c->pg);
		if (res == NULL) {
			/*
			 * Detach everything before the callback: it may queue
			 * a request that goes straight onto this connection.
			 */
			PGresult *done = c->result;

			q = c->req;
			c->req = NULL;
			c->result = NULL;
			c->state = CONN_IDLE;
			conn_watch(c, true, false);
			request_complete(c->db, q, done);
			if (done != NULL)
				PQclear(done);
			db_dispatch(c->db);
			return;
		}
		/* Keep the first error, else the last result. */
		if (c->result == NULL || PQresultStatus(c->result) ==
		    PGRES_COMMAND_OK || PQresultStatus(c->result) ==
		    PGRES_TUPLES_OK) {
			if (c->result != NULL)
				PQclear(c->result);
			c->result = res;
		} else
			PQclear(res);
	}
	if (PQstatus(c->pg) == CONNECTION_BAD)
		conn_fail(c, PQerrorMessage(c->pg));
}

/* A pool started at once. */
struct db *
db_new(const char *dsn, int nconn, const struct db_io_ops *ops, void *ctx)
{
	struct db	*db;
	int		 i;

	db = xcalloc(1, sizeof *db);
	db->dsn = xstrdup(dsn);
	db->nconn = nconn < 1 ? 1 : nconn;
	db->conns = xcalloc((size_t)db->nconn, sizeof *db->conns);
	db->ops = ops;
	db->ctx = ctx;
	/* Taken for up, so that a pool slow to start is an outage, but its
	 * first connection is not a recovery. */
	db->up = true;
	db->down_since_ms = mono_ms();
	for (i = 0; i < db->nconn; i++) {
		db->conns[i].db = db;
		db->conns[i].slot = i;
		db->conns[i].backoff_ms = DB_BACKOFF_MIN_MS;
		conn_start(&db->conns[i]);
	}
	return db;
}

/* Fails everything outstanding, closes every connection. */
void
db_free(struct db *db)
{
	struct db_request	*q;
	int			 i;

	if (db == NULL)
		return;
	db->closing = true;
	while ((q = db->head) != NULL) {
		db->head = q->next;
		request_fail(db, q, "the daemon is shutting down", true);
	}
	for (i = 0; i < db->nconn; i++) {
		struct db_conn *c = &db->conns[i];

		if (c->pg != NULL || c->req != NULL)
			conn_fail(c, "the daemon is shutting down");
		db->ops->timer(db->ctx, i, -1);
	}
	free(db->conns);
	free(db->dsn);
	free(db);
}

/* Socket readiness from the caller's event loop. */
void
db_io_ready(struct db *db, int slot, bool readable, bool writable)
{
	struct db_conn	*c;
	int		 rc;

	if (slot < 0 || slot >= db->nconn)
		return;
	c = &db->conns[slot];
	switch (c->state) {
	case CONN_CONNECTING:
		conn_poll_connect(c);
		break;
	case CONN_BUSY:
		if (writable) {
			rc = PQflush(c->pg);
			if (rc < 0) {
				conn_fail(c, PQerrorMessage(c->pg));
				return;
			}
			conn_watch(c, true, rc == 1);
		}
		if (readable)
			conn_read(c);
		break;
	case CONN_IDLE:
		if (readable)
			conn_read(c);
		break;
	case CONN_DOWN:
		break;
	}
}

/* Reconnect timer. */
void
db_timer_fired(struct db *db, int slot)
{
	if (slot < 0 || slot >= db->nconn || db->closing)
		return;
	if (db->conns[slot].state == CONN_DOWN)
		conn_start(&db->conns[slot]);
	else if (db->conns[slot].state == CONN_CONNECTING)
		conn_fail(&db->conns[slot], "no answer from the database "
		    "within 5 s of connecting");
}

/* Copies the request and queues it. */
void
db_query(struct db *db, const char *sql, int nparams,
    const char *const *values, const int *lengths, const int *binary,
    unsigned flags, long timeout_ms, db_done_cb cb, void *arg)
{
	db_query_lent(db, sql, nparams, values, lengths, binary, flags,
	    timeout_ms, NULL, cb, arg);
}

void
db_query_lent(struct db *db, const char *sql, int nparams,
    const char *const *values, const int *lengths, const int *binary,
    unsigned flags, long timeout_ms, db_sent_cb sent, db_done_cb cb,
    void *arg)
{
	struct db_request	*q;
	int			 i;

	if (sent != NULL)
		flags = (flags | DB_BORROW_BINARY) & ~(unsigned)DB_RETRY;
	q = xcalloc(1, sizeof *q);
	q->sql = xstrdup(sql);
	q->nparams = nparams;
	q->flags = flags;
	q->sent = sent;
	q->cb = cb;
	q->arg = arg;
	q->queued_ms = mono_ms();
	q->deadline_ms = q->queued_ms + (timeout_ms > 0 ? timeout_ms :
	    DB_DEFAULT_TIMEOUT_MS);
	if (nparams > 0) {
		q->values = xcalloc((size_t)nparams, sizeof *q->values);
		q->lengths = xcalloc((size_t)nparams, sizeof *q->lengths);
		q->binary = xcalloc((size_t)nparams, sizeof *q->binary);
	}
	for (i = 0; i < nparams; i++) {
		size_t len;

		if (values[i] == NULL)
			continue;
		q->binary[i] = binary != NULL ? binary[i] : 0;
		len = q->binary[i] && lengths != NULL ? (size_t)lengths[i] :
		    strlen(values[i]);
		q->lengths[i] = (int)len;
		if ((flags & DB_BORROW_BINARY) && q->binary[i]) {
			q->values[i] = (char *)(uintptr_t)values[i];
			continue;
		}
		q->values[i] = xmalloc(len + 1);
		memcpy(q->values[i], values[i], len);
		q->values[i][len] = '\0';
		q->lengths[i] = (int)len;
	}
	if (db->closing) {
		request_fail(db, q, "the daemon is shutting down", true);
		return;
	}
	db_enqueue(db, q);
	db_dispatch(db);
}

/* Queues q last, or, DB_URGENT, after the urgent ones waiting. */
static void
db_enqueue(struct db *db, struct db_request *q)
{
	struct db_request	**pp = db->tail != NULL ? &db->tail->next :
				    &db->head;

	if (q->flags & DB_URGENT)
		for (pp = &db->head; *pp != NULL && ((*pp)->flags &
		    DB_URGENT); pp = &(*pp)->next)
			;
	q->next = *pp;
	*pp = q;
	if (q->next == NULL)
		db->tail = q;
	db->queued++;
}

void
db_set_reserve(struct db *db, int n)
{
	db->reserve = n < 0 ? 0 : n > db->nconn - 1 ? db->nconn - 1 : n;
	db_dispatch(db);
}

bool
db_is_up(const struct db *db)
{
	return any_up(db);
}

void
db_get_stats(const struct db *db, struct db_stats *out)
{
	int	i;

	memset(out, 0, sizeof *out);
	out->connections = db->nconn;
	for (i = 0; i < db->nconn; i++) {
		out->up += db->conns[i].state >= CONN_IDLE;
		out->busy += db->conns[i].state == CONN_BUSY;
	}
	out->queued = db->queued;
	out->completed = db->completed;
	out->failed = db->failed;
	out->reconnects = db->reconnects;
	out->rollbacks = db->rollbacks;
}

/*
 * Fails queued requests whose deadline passed, and while no connection
 * is usable those queued for DB_OUTAGE_WAIT_MS (the database stayed
 * down).
 */
void
db_expire(struct db *db, int64_t now_ms)
{
	struct db_request	**pp = &db->head, *q;
	bool			 down = !any_up(db);

	if (now_ms == 0)
		now_ms = mono_ms();
	db->tail = NULL;
	while ((q = *pp) != NULL) {
		if (q->deadline_ms <= now_ms || (down && q->queued_ms +
		    DB_OUTAGE_WAIT_MS <= now_ms)) {
			*pp = q->next;
			db->queued--;
			request_fail(db, q, "the database is unavailable", true);
			continue;
		}
		db->tail = q;
		pp = &q->next;
	}
}
