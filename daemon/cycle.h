/*
 * cycle.h -- the life every claiming module shares (the evaluator, release
 * notices, the neighbour link, the clock watch, the spool): a periodic
 * timer that calls the module's tick, at most one claim in flight at a
 * time, a count of the work in progress, and a stop after which the timer
 * no longer fires and no new claim begins while what is in progress
 * finishes (railgated.c drains on cycle_in_flight).  The module keeps
 * what it claims and how; the cycle keeps when, and whether it may.
 * Loop thread only.
 */
#ifndef DAEMON_CYCLE_H
#define DAEMON_CYCLE_H

#include <stdbool.h>

struct event_base;
struct cycle;

typedef void (*cycle_tick_fn)(void *arg);

/* Calls tick(arg) every period_ms until stopped; the caller owns it. */
struct cycle *cycle_new(struct event_base *base, int period_ms,
    cycle_tick_fn tick, void *arg);
/* Stops the timer; no claim begins after this.  Accepts NULL. */
void cycle_stop(struct cycle *c);
/* Frees the cycle (accepts NULL): once nothing in progress refers to it. */
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

/* Whether cycle_stop was called. */
bool cycle_is_stopping(const struct cycle *c);
/* Work in progress, not counting a claim. */
int cycle_working(const struct cycle *c);
/* Work in progress and the claim in flight, for draining; 0 for NULL. */
int cycle_in_flight(const struct cycle *c);

#endif
