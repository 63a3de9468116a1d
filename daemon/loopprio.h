/*
 * loopprio.h -- what the event loop runs first (issue 23).
 *
 * The loop serves every client and drives the decision pipeline: a
 * manifest's body, the database's answers, the workers' finished jobs.
 * With one priority, each of those steps waited behind every reader's
 * callback of the same turn -- 200 consoles polling GET /v1/trains as
 * fast as they could made a turn 20-40 ms long and a decision sixty
 * times slower.  So the loop has three priorities (libevent runs the
 * highest active one first, and looks for new events after at most
 * LOOPPRIO_MAX_CALLBACKS callbacks of the lower two):
 *
 *   PIPELINE	the database pool's sockets and timers, the worker
 *		pool's replies: the steps of every decision;
 *   DEFAULT	timers, the listener, requests that change something
 *		(a manifest, an event, an officer's action), once the
 *		authentication gate let their head in;
 *   READ	client connections until then, and reads (GET, HEAD)
 *		throughout.
 *
 * The same order holds between threads: loopprio_nice_thread().
 *
 * A base made without loopprio_base_new() has one priority: the calls
 * below then leave everything at it (the unit tests' bases).
 */
#ifndef DAEMON_LOOPPRIO_H
#define DAEMON_LOOPPRIO_H

enum loopprio {
	LOOPPRIO_PIPELINE,
	LOOPPRIO_DEFAULT,
	LOOPPRIO_READ,
	LOOPPRIO_COUNT
};

/* Callbacks of DEFAULT or READ run before the loop polls again. */
#define LOOPPRIO_MAX_CALLBACKS	8

struct event_base;

/* The daemon's loop, with the priorities above; NULL on failure. */
struct event_base *loopprio_base_new(void);

/*
 * Raises the calling thread's nice by n (up to 19): the loop's thread,
 * once the worker threads are started, so that when the CPU is short
 * they and PostgreSQL -- the decisions -- come before the readers the
 * loop answers ([daemon] loop_nice).  0, or -1 with errno.
 */
int loopprio_nice_thread(int n);

#endif
