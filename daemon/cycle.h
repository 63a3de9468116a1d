/*
 * cycle.h -- the life every claiming module shares (the evaluator, release
 * notices, the neighbour link, the clock watch, the spool): a periodic
 * timer that calls the module's tick, at most one claim in flight at a
 * time, a count of the work in progress, a stop after which the timer no
 * longer fires and no new claim begins while what is in progress
 * finishes, and the free that follows.
 *
 * The module keeps what it claims and how; the cycle keeps when, and
 * whether it may.  A process's cycles form a group (struct daemon's
 * cycles), which railgated.c stops, drains (cycle_group_in_flight) and
 * frees in one step each, so that no module writes its own stop, count
 * and free.  Loop thread only.
 */
#ifndef DAEMON_CYCLE_H
#define DAEMON_CYCLE_H

#include <stdbool.h>

struct event_base;
struct cycle;
struct cycle_group;

/* What one module's cycle does; every callback gets the cycle's arg. */
struct cycle_def {
	int	  period_ms;
	void	(*tick)(void *arg);		/* every period, until stopped */
	void	(*stop)(void *arg);		/* NULL, or what stops with it */
	void	(*release)(void *arg);		/* NULL, or frees arg, last */
	int	(*held)(const void *arg);	/* NULL, or work held besides */
	bool	  drained;	/* the process waits for its work to stop */
};

/* An empty group; the caller owns it. */
struct cycle_group *cycle_group_new(void);
/* Stops every cycle of g, in the order they were made. */
void cycle_group_stop(struct cycle_group *g);
/* Work in progress (cycle_in_flight) of the cycles that are drained. */
int cycle_group_in_flight(const struct cycle_group *g);
/* Frees every cycle of g and its owner (def->release), then g; NULL ok. */
void cycle_group_free(struct cycle_group *g);

/*
 * Starts calling def->tick(arg) every def->period_ms; def (static) and arg
 * are borrowed.  In g, which stops and frees it; g NULL: cycle_stop and
 * cycle_free do.
 */
struct cycle *cycle_new(struct cycle_group *g, struct event_base *base,
    const struct cycle_def *def, void *arg);
/* Stops the timer (and def->stop); no claim begins after this. */
void cycle_stop(struct cycle *c);
/* Frees the cycle, then its owner (def->release); not one of a group's. */
void cycle_free(struct cycle *c);

/*
 * True, and a claim is in flight, when none was and the cycle is not
 * stopping; false otherwise (the caller asks again at a later tick or
 * kick).  Each true is ended by one cycle_claim_end when the claim
 * answers.
 */
bool cycle_claim_begin(struct cycle *c);
void cycle_claim_end(struct cycle *c);

/* A piece of work (a claimed item) begins, or is over. */
void cycle_work_begin(struct cycle *c);
void cycle_work_end(struct cycle *c);

/* Whether the cycle was stopped. */
bool cycle_is_stopping(const struct cycle *c);
/* Work in progress, not counting a claim. */
int cycle_working(const struct cycle *c);
/* Work in progress, the claim in flight, and def->held; 0 for NULL. */
int cycle_in_flight(const struct cycle *c);

#endif
