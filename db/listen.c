/*
 * listen.c -- the LISTEN connection (see listen.h).
 *
 * States: connecting (PQconnectPoll driven by the socket), subscribing
 * (LISTEN sent, its answer awaited), up (notifications read as they
 * come), down (waiting out the backoff).  libpq may change the socket
 * while connecting, so the watch is re-stated at every step.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "db/connect.h"
#include "db/listen.h"

#define LISTEN_BACKOFF_MIN_MS	250
#define LISTEN_BACKOFF_MAX_MS	10000
/* A handshake or LISTEN with no answer is abandoned (as db.c's pool). */
#define LISTEN_CONNECT_TIMEOUT_MS 5000

enum listen_state {
	LISTEN_DOWN,
	LISTEN_CONNECTING,
	LISTEN_SUBSCRIBING,
	LISTEN_UP,
};

struct db_listen {
	char				*dsn;
	char				*sql;		/* LISTEN "channel" */
	const struct db_listen_ops	*ops;
	void				*ctx;
	PGconn				*conn;
	enum listen_state		 state;
	long				 backoff_ms;
	uint64_t			 reconnects;
	bool				 ever_up;
};

static void listen_start(struct db_listen *l);

/* Closes the connection and tries again after the backoff. */
static void
listen_fail(struct db_listen *l, const char *why)
{
	bool	was_up = l->state == LISTEN_UP;
	char	text[200];

	snprintf(text, sizeof text, "%s%s%s", why, l->conn != NULL ? ": " : "",
	    l->conn != NULL ? PQerrorMessage(l->conn) : "");
	text[strcspn(text, "\n")] = '\0';
	l->ops->watch(l->ctx, -1, false, false);
	if (l->conn != NULL)
		PQfinish(l->conn);
	l->conn = NULL;
	l->state = LISTEN_DOWN;
	if (was_up || l->backoff_ms == LISTEN_BACKOFF_MIN_MS)
		l->ops->state(l->ctx, false, text);
	l->ops->timer(l->ctx, l->backoff_ms);
	l->backoff_ms = l->backoff_ms * 2 > LISTEN_BACKOFF_MAX_MS ?
	    LISTEN_BACKOFF_MAX_MS : l->backoff_ms * 2;
}

/* Sends what libpq holds; watches for the answer (and for writing). */
static void
listen_flush(struct db_listen *l)
{
	int	r = PQflush(l->conn);

	if (r < 0) {
		listen_fail(l, "LISTEN connection lost");
		return;
	}
	l->ops->watch(l->ctx, PQsocket(l->conn), true, r == 1);
}

/* Connected: LISTEN, without blocking. */
static void
listen_subscribe(struct db_listen *l)
{
	if (PQsetnonblocking(l->conn, 1) != 0 ||
	    PQsendQuery(l->conn, l->sql) == 0) {
		listen_fail(l, "cannot send LISTEN");
		return;
	}
	l->state = LISTEN_SUBSCRIBING;
	listen_flush(l);
}

/* One step of PQconnectPoll. */
static void
listen_connect_step(struct db_listen *l)
{
	switch (PQconnectPoll(l->conn)) {
	case PGRES_POLLING_READING:
		l->ops->watch(l->ctx, PQsocket(l->conn), true, false);
		break;
	case PGRES_POLLING_WRITING:
		l->ops->watch(l->ctx, PQsocket(l->conn), false, true);
		break;
	case PGRES_POLLING_OK:
		listen_subscribe(l);
		break;
	default:
		listen_fail(l, "cannot connect for LISTEN");
		break;
	}
}

/* Opens the connection. */
static void
listen_start(struct db_listen *l)
{
	l->conn = db_connect_start(l->dsn);
	if (l->conn == NULL || PQstatus(l->conn) == CONNECTION_BAD) {
		listen_fail(l, "cannot connect for LISTEN");
		return;
	}
	l->state = LISTEN_CONNECTING;
	l->ops->timer(l->ctx, LISTEN_CONNECT_TIMEOUT_MS);
	l->ops->watch(l->ctx, PQsocket(l->conn), false, true);
}

/* Results of LISTEN (and nothing else is ever sent); false on failure. */
static bool
listen_results(struct db_listen *l)
{
	PGresult	*res;
	bool		 ok = true;

	while (!PQisBusy(l->conn) && (res = PQgetResult(l->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			ok = false;
		else if (l->state == LISTEN_SUBSCRIBING) {
			l->state = LISTEN_UP;
			l->ops->timer(l->ctx, -1);
			l->backoff_ms = LISTEN_BACKOFF_MIN_MS;
			if (l->ever_up)
				l->reconnects++;
			l->ever_up = true;
			l->ops->state(l->ctx, true, "LISTEN in force");
		}
		PQclear(res);
	}
	return ok;
}

/* Reads what arrived: results, then notifications. */
static void
listen_read(struct db_listen *l)
{
	PGnotify	*n;
	bool		 any = false;

	if (PQconsumeInput(l->conn) == 0) {
		listen_fail(l, "LISTEN connection lost");
		return;
	}
	if (!listen_results(l)) {
		listen_fail(l, "LISTEN refused");
		return;
	}
	while ((n = PQnotifies(l->conn)) != NULL) {
		PQfreemem(n);
		any = true;
	}
	if (any && l->state == LISTEN_UP)
		l->ops->notified(l->ctx);
}

struct db_listen *
db_listen_new(const char *dsn, const char *channel,
    const struct db_listen_ops *ops, void *ctx)
{
	struct db_listen	*l = xcalloc(1, sizeof *l);

	l->dsn = xstrdup(dsn);
	l->sql = xasprintf("LISTEN \"%s\"", channel);
	l->ops = ops;
	l->ctx = ctx;
	l->backoff_ms = LISTEN_BACKOFF_MIN_MS;
	listen_start(l);
	return l;
}

void
db_listen_free(struct db_listen *l)
{
	if (l == NULL)
		return;
	if (l->conn != NULL)
		PQfinish(l->conn);
	free(l->dsn);
	free(l->sql);
	free(l);
}

void
db_listen_io_ready(struct db_listen *l, bool readable, bool writable)
{
	if (l->conn == NULL)
		return;
	if (l->state == LISTEN_CONNECTING) {
		listen_connect_step(l);
		return;
	}
	if (writable) {
		listen_flush(l);
		if (l->conn == NULL)
			return;
	}
	if (readable)
		listen_read(l);
}

void
db_listen_timer_fired(struct db_listen *l)
{
	if (l->state == LISTEN_DOWN)
		listen_start(l);
	else if (l->state == LISTEN_CONNECTING ||
	    l->state == LISTEN_SUBSCRIBING)
		listen_fail(l, "no answer within 5 s of connecting for LISTEN");
}

bool
db_listen_is_up(const struct db_listen *l)
{
	return l->state == LISTEN_UP;
}

uint64_t
db_listen_reconnects(const struct db_listen *l)
{
	return l->reconnects;
}
