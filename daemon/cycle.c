/*
 * cycle.c -- see cycle.h.  The timer is persistent: a tick that finds a
 * claim still in flight does nothing (cycle_claim_begin says no), so a
 * slow database never stacks claims up.
 */
#include <stdlib.h>

#include <event2/event.h>

#include "manifest/util.h"

#include "daemon/cycle.h"

struct cycle {
	struct event	*timer;
	cycle_tick_fn	 tick;
	void		*arg;
	int		 working;	/* work begun and not ended */
	bool		 claiming;	/* a claim is in flight */
	bool		 stopping;
};

static void
cycle_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cycle	*c = arg;

	c->tick(c->arg);
}

struct cycle *
cycle_new(struct event_base *base, int period_ms, cycle_tick_fn tick,
    void *arg)
{
	struct cycle	*c = xcalloc(1, sizeof *c);
	struct timeval	 tv = { period_ms / 1000, period_ms % 1000 * 1000 };

	c->tick = tick;
	c->arg = arg;
	c->timer = event_new(base, -1, EV_PERSIST, cycle_timer_cb, c);
	event_add(c->timer, &tv);
	return c;
}

void
cycle_stop(struct cycle *c)
{
	if (c == NULL)
		return;
	c->stopping = true;
	event_del(c->timer);
}

void
cycle_free(struct cycle *c)
{
	if (c == NULL)
		return;
	event_free(c->timer);
	free(c);
}

bool
cycle_claim_begin(struct cycle *c)
{
	if (c->stopping || c->claiming)
		return false;
	c->claiming = true;
	return true;
}

void
cycle_claim_end(struct cycle *c)
{
	c->claiming = false;
}

void
cycle_work_begin(struct cycle *c)
{
	c->working++;
}

void
cycle_work_end(struct cycle *c)
{
	c->working--;
}

bool
cycle_is_stopping(const struct cycle *c)
{
	return c->stopping;
}

int
cycle_working(const struct cycle *c)
{
	return c->working;
}

int
cycle_in_flight(const struct cycle *c)
{
	return c == NULL ? 0 : c->working + (c->claiming ? 1 : 0);
}
