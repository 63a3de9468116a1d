/*
 * autorelease.h -- green trains released by themselves ([decision]
 * auto_release = green; docs/daemon.md "Automatic release").
 *
 * Every second, while the configuration says green, asks the database
 * for the provisional RELEASE decisions nobody took within
 * auto_release_delay_s, builds each final decision as approval does and
 * stores it as system:auto-release; the database checks the train again
 * under its lock, so that with several daemons on one database each
 * train is released once.  Loop thread only.
 */
#ifndef DAEMON_AUTORELEASE_H
#define DAEMON_AUTORELEASE_H

struct daemon;
struct auto_release;

/*
 * Starts the timer; its cycle in d->cycles stops it (what is in flight
 * is answered) and frees it.
 */
struct auto_release *auto_release_new(struct daemon *d);

#endif
