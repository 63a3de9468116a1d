/*
 * clock.h -- the clearance clock's warnings in the log.
 *
 * Every few seconds asks the database which trains crossed the warning
 * share of their clearance target (amber) or the target itself (red)
 * since last reported, and logs each once, with the train's number, so
 * that a station's log monitoring can page the shift supervisor.  The API
 * and the console show the same clock on every read.  Loop thread only.
 */
#ifndef DAEMON_CLOCK_H
#define DAEMON_CLOCK_H

struct daemon;
struct clock_watch;

/*
 * Starts watching; its cycle in d->cycles stops it (a question in flight
 * is still answered) and frees it.
 */
struct clock_watch *clock_watch_new(struct daemon *d);

#endif
