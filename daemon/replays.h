/*
 * replays.h -- the daemon's replays (POST /v1/replays, docs/auditor.md):
 * replays queued in the database are claimed under a lease and run on a
 * thread of their own (never the worker pool, which evaluates trains),
 * one at a time per daemon, each job on a blocking database
 * connection of its own (db/replay.h) and the replay core of the command
 * line (engine/replay.h); progress is written after every batch.
 *
 * Owned by the daemon's cycles (stopped and freed with them).  Loop
 * thread only.
 */
#ifndef DAEMON_REPLAYS_H
#define DAEMON_REPLAYS_H

struct daemon;
struct replays;

/* Starts the replays' cycle (owned by d->cycles). */
struct replays *replays_new(struct daemon *d);

/* A replay was queued: claim it now rather than at the next tick; NULL ok. */
void replays_kick(struct replays *r);

/*
 * Waits for the replay running (stopped: it ends after its batch) and
 * ends the replays' thread; after the cycles are stopped, before they
 * are freed (daemon_free).  NULL ok.
 */
void replays_join(struct replays *r);

#endif
