/*
 * cycle.c -- see cycle.h.  The timer is persistent: a tick that finds a
 * claim still in flight does nothing (cycle_claim_begin says no), so a
 * slow database never stacks claims up.  A group is a list in the order
 * the cycles were made; it owns them, and through def->release their
 * owners.
 */
#include <stdlib.h>

#include <event2/event.h>

#include "manifest/util.h"

#include "daemon/cycle.h"

struct cycle {
	const struct cycle_def	*def;
	void			*arg;
	struct event		*timer;
	int			 working;	/* work begun and not ended */
	bool			 claiming;	/* a claim is in flight */
	bool			 stopping;
	struct cycle		*next;		/* in its group */
};

struct cycle_group {
	struct cycle	*first, **last;
};

static void
cycle_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cycle	*c = arg;

	c->def->tick(c->arg);
}

struct cycle *
cycle_new(struct cycle_group *g, struct event_base *base,
    const struct cycle_def *def, void *arg)
{
	struct cycle	*c = xcalloc(1, sizeof *c);
	struct timeval	 tv = { def->period_ms / 1000,
			    def->period_ms % 1000 * 1000 };

	c->def = def;
	c->arg = arg;
	c->timer = event_new(base, -1, EV_PERSIST, cycle_timer_cb, c);
	event_add(c->timer, &tv);
	if (g != NULL) {
		*g->last = c;
		g->last = &c->next;
	}
	return c;
}

void
cycle_stop(struct cycle *c)
{
	if (c->stopping)
		return;
	c->stopping = true;
	event_del(c->timer);
	if (c->def->stop != NULL)
		c->def->stop(c->arg);
}

void
cycle_free(struct cycle *c)
{
	const struct cycle_def	*def = c->def;
	void			*arg = c->arg;

	event_free(c->timer);
	free(c);
	if (def->release != NULL)
		def->release(arg);
}

struct cycle_group *
cycle_group_new(void)
{
	struct cycle_group	*g = xcalloc(1, sizeof *g);

	g->last = &g->first;
	return g;
}

void
cycle_group_stop(struct cycle_group *g)
{
	struct cycle	*c;

	for (c = g->first; c != NULL; c = c->next)
		cycle_stop(c);
}

int
cycle_group_in_flight(const struct cycle_group *g)
{
	const struct cycle	*c;
	int			 n = 0;

	for (c = g->first; c != NULL; c = c->next)
		if (c->def->drained)
			n += cycle_in_flight(c);
	return n;
}

void
cycle_group_free(struct cycle_group *g)
{
	struct cycle	*c, *next;

	if (g == NULL)
		return;
	for (c = g->first; c != NULL; c = next) {
		next = c->next;
		cycle_free(c);
	}
	free(g);
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
	if (c == NULL)
		return 0;
	return c->working + (c->claiming ? 1 : 0) +
	    (c->def->held != NULL ? c->def->held(c->arg) : 0);
}
