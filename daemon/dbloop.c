/*
 * dbloop.c -- libevent glue for the database pool.
 *
 * libpq may change a connection's socket on every reconnect, so the
 * watch callback re-creates a slot's event whenever the descriptor or the
 * wanted directions change.  A slot's timer serves both the reconnect
 * backoff and the handshake's time limit (db.c tells which it is).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "db/db.h"
#include "manifest/util.h"

#include "daemon/dbloop.h"
#include "daemon/log.h"
#include "daemon/loopprio.h"

struct dbloop_slot {
	struct dbloop	*loop;
	int		 index;
	int		 fd;
	short		 what;
	struct event	*io;
	struct event	*timer;
};

struct dbloop {
	struct event_base	*base;
	struct db		*db;
	int			 nslots;
	struct dbloop_slot	*slots;
	struct event		*tick;
};

/* Socket ready: hand it to the pool. */
static void
dbloop_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dbloop_slot	*s = arg;

	db_io_ready(s->loop->db, s->index, (what & EV_READ) != 0,
	    (what & EV_WRITE) != 0);
}

/* Reconnect backoff elapsed. */
static void
dbloop_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dbloop_slot	*s = arg;

	db_timer_fired(s->loop->db, s->index);
}

/* Once a second: fail requests that waited too long. */
static void
dbloop_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dbloop	*l = arg;

	db_expire(l->db, 0);
}

/* db_io_ops.watch */
static void
dbloop_watch(void *ctx, int slot, int fd, bool rd, bool wr)
{
	struct dbloop		*l = ctx;
	struct dbloop_slot	*s = &l->slots[slot];
	short			 what = (short)((rd ? EV_READ : 0) | (wr ? EV_WRITE : 0));

	if (s->io != NULL && s->fd == fd && s->what == what)
		return;
	if (s->io != NULL) {
		event_free(s->io);
		s->io = NULL;
	}
	s->fd = fd;
	s->what = what;
	if (fd < 0 || what == 0)
		return;
	s->io = event_new(l->base, fd, what | EV_PERSIST, dbloop_io_cb, s);
	if (s->io != NULL) {
		/* Every answer is a step of someone's request: first. */
		event_priority_set(s->io, LOOPPRIO_PIPELINE);
		event_add(s->io, NULL);
	}
}

/* db_io_ops.timer */
static void
dbloop_timer(void *ctx, int slot, long ms)
{
	struct dbloop		*l = ctx;
	struct dbloop_slot	*s = &l->slots[slot];
	struct timeval		 tv;

	if (ms < 0) {
		event_del(s->timer);
		return;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_add(s->timer, &tv);
}

/*
 * db_io_ops.failed: every statement the server refused, with its SQLSTATE
 * and message -- the one record of why a request got a 4xx or 500 from a
 * database error (the client hears the kind, not the server's text).
 */
static void
dbloop_failed(void *ctx, const char *sqlstate, const char *message,
    const char *sql)
{
	log_warnx("database: %s (SQLSTATE %s) in: %.80s", message,
	    sqlstate != NULL ? sqlstate : "none", sql);
}

/*
 * db_io_ops.state: the pool lost its last connection, or has one again --
 * one line each way per outage, however many attempts it takes (a
 * failover: the primary gone, its standby not yet promoted).
 */
static void
dbloop_state(void *ctx, bool up, const char *why, long down_ms)
{
	char	reason[300];

	if (up) {
		log_info("database: reachable again after %.1f s; requests "
		    "are served", (double)down_ms / 1000.0);
		return;
	}
	/* libpq's message may span lines (one per host tried): keep one. */
	snprintf(reason, sizeof reason, "%s", why != NULL ? why : "unknown");
	reason[strcspn(reason, "\n")] = '\0';
	log_warnx("database: no usable connection (%s); requests are "
	    "answered 503 with Retry-After and /readyz is 503 until a primary "
	    "answers (retrying every host of the dsn)", reason);
}

static const struct db_io_ops dbloop_ops = { dbloop_watch, dbloop_timer,
    dbloop_failed, dbloop_state };

struct dbloop *
dbloop_new(struct event_base *base, const char *dsn, int nconn)
{
	struct dbloop	*l;
	struct timeval	 second = { 1, 0 };
	int		 i;

	l = xcalloc(1, sizeof *l);
	l->base = base;
	l->nslots = nconn < 1 ? 1 : nconn;
	l->slots = xcalloc((size_t)l->nslots, sizeof *l->slots);
	for (i = 0; i < l->nslots; i++) {
		l->slots[i].loop = l;
		l->slots[i].index = i;
		l->slots[i].fd = -1;
		l->slots[i].timer = evtimer_new(base, dbloop_timer_cb, &l->slots[i]);
	}
	l->tick = event_new(base, -1, EV_PERSIST, dbloop_tick_cb, l);
	event_add(l->tick, &second);
	l->db = db_new(dsn, l->nslots, &dbloop_ops, l);
	return l;
}

void
dbloop_free(struct dbloop *l)
{
	int	i;

	if (l == NULL)
		return;
	db_free(l->db);
	for (i = 0; i < l->nslots; i++) {
		if (l->slots[i].io != NULL)
			event_free(l->slots[i].io);
		event_free(l->slots[i].timer);
	}
	event_free(l->tick);
	free(l->slots);
	free(l);
}

struct db *
dbloop_db(struct dbloop *l)
{
	return l->db;
}
