/*
 * evaluate.h -- turning stored manifests into decisions.
 *
 * Owns the rule set in force (reference-counted: a reload swaps it while
 * trains already being evaluated finish on the old one) and a claim loop:
 * runs that need a decision are claimed from the database under a lease
 * (several daemons may share one database), evaluated on the worker pool,
 * and their decisions stored only if the lease still holds.  Loop thread,
 * but for the worker part.
 */
#ifndef DAEMON_EVALUATE_H
#define DAEMON_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

struct daemon;
struct evaluator;
struct handoff_entry;
struct rules_ruleset;
struct ruleset_load;

/*
 * Starts claiming work with the loaded rule set (ownership passes).  Its
 * cycle in d->cycles stops it, counts its work in progress (evaluations
 * on the pool or being stored) and frees it.
 */
struct evaluator *evaluator_new(struct daemon *d, struct ruleset_load *l);
/* Something may need evaluating now (a manifest or event was stored). */
void evaluator_kick(struct evaluator *e);
/*
 * Leaves the model ingest just parsed from a stored manifest (ownership of
 * parsed->train passes), for the evaluation of its run if this daemon
 * claims it soon; accepts a NULL evaluator (the model is freed).
 */
void evaluator_offer(struct evaluator *e, const struct handoff_entry *parsed);
/* Swaps in a new rule set (ownership passes): trains already being
 * evaluated finish on the old one. */
void evaluator_set_ruleset(struct evaluator *e, struct ruleset_load *l);
struct evaluator_stats {
	uint64_t	decided;	/* decisions stored */
	uint64_t	stale;		/* refused: lease lost or inputs changed */
	uint64_t	failed;		/* not evaluated (damaged input) or not stored */
	uint64_t	reparsed;	/* the stored bytes parsed (no handoff) */
	uint64_t	clearances_loaded; /* sets of clearances fetched */
	double		work_ms;	/* parse and evaluation time, summed */
	int		in_flight;
	int		clearances_in_force; /* in the set held */
};
void evaluator_get_stats(const struct evaluator *e, struct evaluator_stats *out);
/* The rule set in force (borrowed until the next evaluator_set_ruleset). */
const struct rules_ruleset *evaluator_ruleset(const struct evaluator *e);

#endif
