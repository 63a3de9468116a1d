/*
 * pool.c -- fork-join parallel loops (see pool.h).
 *
 * Threads are created per call: the rule engine runs one train per call
 * and a train's evaluation costs far more than starting two threads.
 * When a thread cannot be created the remaining work runs on the threads
 * that exist, so the result never depends on how many started.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "manifest/util.h"

#include "pool.h"

struct pool_job {
	rules_pool_fn	 fn;
	void		*arg;
	size_t		 n;
	atomic_size_t	 next;
};

/* Takes indexes until none are left. */
static void *
pool_worker(void *p)
{
	struct pool_job	*job = p;
	size_t		 i;

	while ((i = atomic_fetch_add(&job->next, 1)) < job->n)
		job->fn(job->arg, i);
	return NULL;
}

/* The number of online CPUs, at least 1. */
unsigned
rules_pool_cpus(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (unsigned)n;
}

/* Runs fn over [0, n) on up to threads threads; the caller takes part. */
int
rules_pool_run(unsigned threads, size_t n, rules_pool_fn fn, void *arg)
{
	struct pool_job	 job = { fn, arg, n, 0 };
	pthread_t	*tids;
	unsigned	 i, started = 0;

	if (threads == 0)
		threads = rules_pool_cpus();
	if (threads > n)
		threads = n == 0 ? 1 : (unsigned)n;
	tids = xcalloc(threads, sizeof *tids);
	for (i = 1; i < threads; i++) {
		if (pthread_create(&tids[started], NULL, pool_worker, &job) != 0)
			break;
		started++;
	}
	pool_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return 0;
}
