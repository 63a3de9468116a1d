/*
 * pool.c -- a mutex/condition-variable job queue, N workers, and an
 * eventfd that wakes the loop for replies.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "manifest/util.h"

#include "daemon/log.h"
#include "daemon/loopprio.h"
#include "daemon/pool.h"

/* One piece of work queued on the pool, then its reply to the loop. */
struct pool_task {
	pool_work_fn		 work;
	pool_done_fn		 done;
	void			*arg;
	struct pool_task	*next;
};

struct pool_queue {
	struct pool_task	*head, *tail;
};

struct pool {
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;		/* workers wait here */
	struct pool_queue	 queued[POOL_NPRIORITIES];
	struct pool_queue	 replies;
	size_t			 pending;	/* queued + running + unreplied */
	int			 stopping;
	int			 nthreads;
	pthread_t		*threads;
	int			 efd;		/* eventfd: replies are waiting */
	struct event		*reply_ev;
};

/* Appends j to q. */
static void
queue_push(struct pool_queue *q, struct pool_task *j)
{
	j->next = NULL;
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

/* Takes the first job of q, or NULL. */
static struct pool_task *
queue_pop(struct pool_queue *q)
{
	struct pool_task	*j = q->head;

	if (j != NULL) {
		q->head = j->next;
		if (q->head == NULL)
			q->tail = NULL;
	}
	return j;
}

/* The first job of the most urgent queue that has one, or NULL. */
static struct pool_task *
pool_next(struct pool *p)
{
	struct pool_task	*j = NULL;
	int		 i;

	for (i = 0; i < POOL_NPRIORITIES && j == NULL; i++)
		j = queue_pop(&p->queued[i]);
	return j;
}

/* Worker: take a job (most urgent first), run it, queue its reply. */
static void *
pool_worker(void *arg)
{
	struct pool	*p = arg;
	struct pool_task	*j;
	uint64_t	 one = 1;
	int		 wake_loop;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		while ((j = pool_next(p)) == NULL && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		pthread_mutex_unlock(&p->lock);
		if (j == NULL)
			return NULL;
		j->work(j->arg);
		pthread_mutex_lock(&p->lock);
		wake_loop = p->replies.head == NULL;
		queue_push(&p->replies, j);
		pthread_mutex_unlock(&p->lock);
		/* Only the first reply of a batch needs to wake the loop. */
		if (wake_loop && write(p->efd, &one, sizeof one) < 0 &&
		    errno != EAGAIN)
			log_warn("pool: eventfd write");
	}
}

/* Loop: run the done function of every finished job. */
static void
pool_reply_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pool	*p = arg;
	struct pool_task	*j, *next;
	uint64_t	 n;

	if (read(p->efd, &n, sizeof n) < 0 && errno != EAGAIN)
		log_warn("pool: eventfd read");
	pthread_mutex_lock(&p->lock);
	j = p->replies.head;
	p->replies.head = p->replies.tail = NULL;
	pthread_mutex_unlock(&p->lock);
	for (; j != NULL; j = next) {
		next = j->next;
		if (j->done != NULL)
			j->done(j->arg);
		free(j);
		p->pending--;
	}
}

struct pool *
pool_new(struct event_base *base, int nthreads)
{
	struct pool	*p;
	int		 i;

	if (nthreads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		nthreads = n > 0 ? (int)n : 1;
	}
	p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if ((p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		fatal("pool: eventfd");
	p->reply_ev = event_new(base, p->efd, EV_READ | EV_PERSIST,
	    pool_reply_cb, p);
	/* A finished job is a step of a decision: before any reader. */
	event_priority_set(p->reply_ev, LOOPPRIO_PIPELINE);
	event_add(p->reply_ev, NULL);
	p->nthreads = nthreads;
	p->threads = xcalloc((size_t)nthreads, sizeof *p->threads);
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&p->threads[i], NULL, pool_worker, p) != 0)
			fatalx("pool: cannot start worker thread %d", i);
	return p;
}

void
pool_submit(struct pool *p, enum pool_priority prio, pool_work_fn work,
    pool_done_fn done, void *arg)
{
	struct pool_task	*j;

	j = xcalloc(1, sizeof *j);
	j->work = work;
	j->done = done;
	j->arg = arg;
	p->pending++;
	pthread_mutex_lock(&p->lock);
	queue_push(&p->queued[prio], j);
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

size_t
pool_pending(const struct pool *p)
{
	return p->pending;
}

int
pool_threads(const struct pool *p)
{
	return p->nthreads;
}

void
pool_free(struct pool *p)
{
	int	i;

	if (p == NULL)
		return;
	/* Workers finish everything queued before they see stopping. */
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pool_reply_cb(p->efd, EV_READ, p);
	event_free(p->reply_ev);
	close(p->efd);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}
