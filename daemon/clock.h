/*
 * clock.h -- the clearance clock's alerts: threshold crossings reported
 * once each.
 *
 * Every second, and just after the next crossing the database computed,
 * asks the database which trains crossed a threshold of time left (amber,
 * red) or their target (overdue) since last reported.  The database marks
 * each crossing once however many daemons share it, in one transaction
 * with its audit record (clock.amber, clock.red, clock.overdue) and a
 * notice to the station's duty endpoint in the outbox of release notices;
 * this daemon logs it, counts it in /metrics and wakes the outbox.  The
 * API and the console show the same clock on every read.  Loop thread
 * only.
 */
#ifndef DAEMON_CLOCK_H
#define DAEMON_CLOCK_H

#include "db/store.h"

struct config;
struct daemon;
struct clock_watch;

/*
 * Starts watching; its cycle in d->cycles stops it (a question in flight
 * is still answered) and frees it.
 */
struct clock_watch *clock_watch_new(struct daemon *d);

/* The clearance clock's parameters in the configuration. */
struct store_clock clock_params(const struct config *cfg);

#endif
