/*
 * pool.h -- fork-join parallel loops for the rule engine.
 *
 * rules_pool_run() runs fn(arg, i) for every i in [0, n) on up to
 * `threads` threads (the caller's thread is one of them) and returns
 * when all are done.  Indexes are handed out one at a time from an
 * atomic counter, so uneven work (a wagon with 4,000 items next to an
 * empty one) balances itself.  The pool owns its threads only for the
 * duration of a call; fn must be safe to run concurrently for
 * different i.  Any thread may call it.
 */
#ifndef RULES_POOL_H
#define RULES_POOL_H

#include <stddef.h>

typedef void (*rules_pool_fn)(void *arg, size_t i);

/* The number of online CPUs, at least 1. */
unsigned rules_pool_cpus(void);
/* Runs fn over [0, n) on threads threads (0: rules_pool_cpus()); 0 or -1. */
int rules_pool_run(unsigned threads, size_t n, rules_pool_fn fn, void *arg);

#endif
