/*
 * hooks.h -- change hooks: the process's core (ingest, evaluation, the
 * neighbour link) says what it changed, and whoever keeps a copy derived
 * from it (the API's kept train lists) subscribes at start-up
 * (railgated.c).  So core code never calls into a handler, and a handler
 * never needs the core to know it exists.  Loop thread only.
 */
#ifndef DAEMON_HOOKS_H
#define DAEMON_HOOKS_H

enum hook_change {
	HOOK_TRAINS_CHANGED,	/* a train, its decision or its state changed */
	HOOK_NCHANGES
};

typedef void (*hook_fn)(void);

/* fn is called, on the loop thread, each time what changes. */
void hook_subscribe(enum hook_change what, hook_fn fn);
/* Tells every subscriber of what; nothing when there is none. */
void hook_changed(enum hook_change what);

#endif
