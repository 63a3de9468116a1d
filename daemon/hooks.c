/*
 * hooks.c -- see hooks.h.  A few subscribers per change, fixed at
 * start-up: a static table, as the process has one loop thread.
 */
#include <stddef.h>

#include "daemon/hooks.h"
#include "daemon/log.h"

#define HOOK_MAX_SUBSCRIBERS	4

static hook_fn	hook_subscribers[HOOK_NCHANGES][HOOK_MAX_SUBSCRIBERS];

void
hook_subscribe(enum hook_change what, hook_fn fn)
{
	size_t	i;

	for (i = 0; i < HOOK_MAX_SUBSCRIBERS; i++) {
		if (hook_subscribers[what][i] == fn)
			return;		/* once is enough */
		if (hook_subscribers[what][i] == NULL) {
			hook_subscribers[what][i] = fn;
			return;
		}
	}
	fatalx("hook_subscribe: more than %d subscribers",
	    HOOK_MAX_SUBSCRIBERS);
}

void
hook_changed(enum hook_change what)
{
	size_t	i;

	for (i = 0; i < HOOK_MAX_SUBSCRIBERS &&
	    hook_subscribers[what][i] != NULL; i++)
		hook_subscribers[what][i]();
}
