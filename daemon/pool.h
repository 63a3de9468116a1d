/*
 * pool.h -- worker threads for CPU work (parsing, evaluation,
 * compression), with results handed back to the event loop.
 *
 * A job changes owner completely as it moves: queued (the pool), running
 * (one worker, which calls its work function), replied (the loop thread,
 * which calls its done function).  Work functions never touch HTTP,
 * bufferevents, database connections or the loop.  The reply queue wakes
 * the loop only when it goes from empty to non-empty, and the loop drains
 * it whole (the model: Tor's workqueue).  Three priorities: green-lane
 * trains (perishable goods, appointment slots) go first.
 *
 * pool_submit and pool_free: loop thread only.
 */
#ifndef DAEMON_POOL_H
#define DAEMON_POOL_H

#include <stddef.h>

struct event_base;
struct pool;

/*
 * Most urgent first.  Work already started (a train being evaluated) goes
 * before new work (a manifest to ingest), so that under a burst each train
 * gets its decision as soon as it can rather than all of them at the end.
 */
enum pool_priority {
	POOL_PRIORITY_HIGH,	/* green lane */
	POOL_PRIORITY_NORMAL,	/* evaluations, reads */
	POOL_PRIORITY_LOW,	/* ingestion of new manifests */
	POOL_NPRIORITIES
};

/* Runs on a worker thread. */
typedef void (*pool_work_fn)(void *arg);
/* Runs on the loop thread after the work function returned. */
typedef void (*pool_done_fn)(void *arg);

/* nthreads workers (0: one per online CPU) replying on base. */
struct pool *pool_new(struct event_base *base, int nthreads);
/*
 * Waits for queued and running jobs, runs their done functions, stops the
 * workers and frees the pool; accepts NULL.
 */
void pool_free(struct pool *p);
/* Queues a job; arg is owned by the job until its done function runs. */
void pool_submit(struct pool *p, enum pool_priority prio, pool_work_fn work,
    pool_done_fn done, void *arg);
/* Jobs queued or running. */
size_t pool_pending(const struct pool *p);
int pool_threads(const struct pool *p);

#endif
