/*
 * daemon.h -- the state of one railgated process, shared by its modules.
 *
 * Owned by railgated.c (start-up, signals, the loop); the other modules
 * borrow it.  Everything here belongs to the loop thread unless a field
 * says otherwise.
 */
#ifndef DAEMON_DAEMON_H
#define DAEMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/config.h"

struct event;
struct event_base;
struct http_server;
struct dbloop;
struct db;
struct pool;
struct auth_cache;
struct spool;
struct evaluator;
struct clock_watch;
struct cycle_group;
struct notices;
struct peer_link;
struct sign_key;
struct stream_hub;
struct replays;
struct checkpointer;

struct daemon {
	struct event_base	*base;
	struct config		 cfg;
	const char		*config_path;
	char			 instance[96];	/* host:pid, in leases and audit records */

	struct http_server	*http;
	struct dbloop		*dbloop;
	struct db		*db;		/* borrowed from dbloop */
	struct pool		*pool;
	struct cycle_group	*cycles;	/* the claiming modules' lives */
	struct auth_cache	*auth;
	struct spool		*spool;
	struct evaluator	*eval;
	int			 ingests;	/* manifests between receipt and answer */
	unsigned long		 ingests_begun;	/* manifests received, ever */
	struct clock_watch	*clock;
	struct stream_hub	*stream;	/* GET /v1/stream */
	struct replays		*replays;	/* owned by cycles */
	struct notices		*notices;
	struct peer_link	*peer;		/* NULL: no neighbour link */
	struct sign_key		*station_key;	/* signs notices */
	struct checkpointer	*checkpoints;	/* signs the audit chain's head */
	struct event		*drain;		/* checks that work in progress ended */
	int64_t			 drain_deadline_ms;

	struct event		*sigterm, *sigint, *sighup;
	int			 stopping;
};

/* Milliseconds on the monotonic clock (for timeouts and the clearance clock). */
int64_t daemon_now_ms(void);

/*
 * Whether a decision is being made: a manifest being read or stored, or
 * a train evaluated.  Reads then go at a bounded rate (http_reads.c) and
 * upkeep waits (tidy.c).
 */
bool daemon_deciding(const struct daemon *d);

#endif
