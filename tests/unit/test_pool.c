/*
 * test_pool.c -- worker threads: every job runs once on a worker and
 * replies once on the loop thread; green-lane jobs go first.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/pool.h"

#include "unit.h"

struct job {
	int		 n;
	long		 result;
	pthread_t	 worker;
	int		 replied;
	int		*order;		/* shared completion order */
	atomic_int	*next_slot;
};

static pthread_t	 loop_thread;
static int		 replies;

/* Some CPU work. */
static void
work_fn(void *arg)
{
	struct job	*j = arg;
	long		 i, s = 0;

	for (i = 0; i <= j->n; i++)
		s += i;
	j->result = s;
	j->worker = pthread_self();
	if (j->order != NULL)
		j->order[atomic_fetch_add(j->next_slot, 1)] = j->n;
}

static void
done_fn(void *arg)
{
	struct job	*j = arg;

	j->replied++;
	replies++;
	CU_ASSERT_TRUE(pthread_equal(pthread_self(), loop_thread));
}

/* Runs the loop until count replies arrived (or 10 s). */
static void
loop_until(struct event_base *base, int count)
{
	int	i;

	for (i = 0; i < 1000 && replies < count; i++) {
		struct timeval tv = { 0, 10000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
}

/* 1,000 jobs on 2 workers: each computed once, replied once on the loop. */
static void
t_pool_every_job_once(void)
{
	struct event_base	*base = event_base_new();
	struct pool		*p = pool_new(base, 2);
	struct job		*jobs = calloc(1000, sizeof *jobs);
	int			 i, right = 0, once = 0, off_loop = 0;

	loop_thread = pthread_self();
	replies = 0;
	for (i = 0; i < 1000; i++) {
		jobs[i].n = i;
		pool_submit(p, i % 3 ? POOL_PRIORITY_NORMAL : POOL_PRIORITY_HIGH,
		    work_fn, done_fn, &jobs[i]);
	}
	CU_ASSERT_EQUAL(pool_pending(p), 1000);
	loop_until(base, 1000);
	for (i = 0; i < 1000; i++) {
		right += jobs[i].result == (long)i * (i + 1) / 2;
		once += jobs[i].replied == 1;
		off_loop += !pthread_equal(jobs[i].worker, loop_thread);
	}
	CU_ASSERT_EQUAL(right, 1000);
	CU_ASSERT_EQUAL(once, 1000);
	CU_ASSERT_EQUAL(off_loop, 1000);
	CU_ASSERT_EQUAL(pool_pending(p), 0);
	pool_free(p);
	event_base_free(base);
	free(jobs);
}

static pthread_mutex_t	gate = PTHREAD_MUTEX_INITIALIZER;

/* Holds the only worker until the test releases the gate. */
static void
blocking_fn(void *arg)
{
	pthread_mutex_lock(&gate);
	pthread_mutex_unlock(&gate);
	work_fn(arg);
}

/* With one busy worker, high-priority jobs queued later still run first. */
static void
t_pool_green_lane_first(void)
{
	struct event_base	*base = event_base_new();
	struct pool		*p = pool_new(base, 1);
	struct job		 jobs[7];
	int			 order[7];
	atomic_int		 slot = 0;
	int			 i;

	loop_thread = pthread_self();
	replies = 0;
	memset(jobs, 0, sizeof jobs);
	for (i = 0; i < 7; i++) {
		jobs[i].n = i;
		jobs[i].order = order;
		jobs[i].next_slot = &slot;
	}
	pthread_mutex_lock(&gate);
	pool_submit(p, POOL_PRIORITY_NORMAL, blocking_fn, done_fn, &jobs[0]);
	usleep(50000);		/* the worker is now inside blocking_fn */
	pool_submit(p, POOL_PRIORITY_LOW, work_fn, done_fn, &jobs[1]);
	pool_submit(p, POOL_PRIORITY_NORMAL, work_fn, done_fn, &jobs[2]);
	pool_submit(p, POOL_PRIORITY_HIGH, work_fn, done_fn, &jobs[3]);
	pool_submit(p, POOL_PRIORITY_NORMAL, work_fn, done_fn, &jobs[4]);
	pool_submit(p, POOL_PRIORITY_HIGH, work_fn, done_fn, &jobs[5]);
	pool_submit(p, POOL_PRIORITY_LOW, work_fn, done_fn, &jobs[6]);
	pthread_mutex_unlock(&gate);
	loop_until(base, 7);
	/* The running job, then high, normal and low, each in its order. */
	CU_ASSERT_EQUAL(order[0], 0);
	CU_ASSERT_EQUAL(order[1], 3);
	CU_ASSERT_EQUAL(order[2], 5);
	CU_ASSERT_EQUAL(order[3], 2);
	CU_ASSERT_EQUAL(order[4], 4);
	CU_ASSERT_EQUAL(order[5], 1);
	CU_ASSERT_EQUAL(order[6], 6);
	pool_free(p);
	event_base_free(base);
}

/* Freeing the pool finishes queued work and runs its replies. */
static void
t_pool_free_drains(void)
{
	struct event_base	*base = event_base_new();
	struct pool		*p = pool_new(base, 2);
	struct job		 jobs[50];
	int			 i, done = 0;

	loop_thread = pthread_self();
	memset(jobs, 0, sizeof jobs);
	for (i = 0; i < 50; i++) {
		jobs[i].n = 100000;
		pool_submit(p, POOL_PRIORITY_NORMAL, work_fn, done_fn, &jobs[i]);
	}
	pool_free(p);
	for (i = 0; i < 50; i++)
		done += jobs[i].replied == 1;
	CU_ASSERT_EQUAL(done, 50);
	event_base_free(base);
}

static CU_TestInfo pool_tests[] = {
	{ "t_pool_every_job_once", t_pool_every_job_once },
	{ "t_pool_green_lane_first", t_pool_green_lane_first },
	{ "t_pool_free_drains", t_pool_free_drains },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("pool", NULL, NULL, pool_tests)
