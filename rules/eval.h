/*
 * eval.h -- evaluating a compiled rule set against a train (the
 * implementation of rules_evaluate() in rules.h).
 *
 * Owns nothing between calls.  One wagon is one unit of work: its own
 * rules, its containers, the items placed on it and their consignments;
 * wagons run in parallel on rules/pool.c and their hits are merged in
 * train order, so the document never depends on the thread count.
 */
#ifndef RULES_EVAL_H
#define RULES_EVAL_H

#include "rules.h"

/* The deterministic draw of `sample` in [0, 1) for a wagon and a rule. */
double rules_eval_draw(const struct rules_ruleset *rs, const char *train,
    const char *wagon, const char *rule);

#endif
