/*
 * lexpipe.c -- the lexer one batch ahead of the reader, on its own thread
 * (lexpipe.h).
 *
 * A ring of EDI_PIPE_SLOTS batches, filled by the lexer thread in order
 * and taken by the reader in the same order: `filled` and `taken` count
 * batches from the start, so the lexer may write slot filled % SLOTS
 * while filled - taken < SLOTS, and the reader read slot taken % SLOTS
 * while taken < filled.  A mutex guards the two counts; each side sleeps
 * on its own condition variable and is woken only when it sleeps, the
 * lexer when half the ring is free again, so that a read of a million
 * items costs a few hundred wake-ups, not one a batch.  Before it sleeps
 * the lexer does the reader's idle work (edi_lexpipe_start), a slice at a
 * time, looking at the ring between slices.
 *
 * A batch's segments point into its own arrays of separators, filled by
 * edi_lexer_next() through edi_lexer.out_*, which the lexer moves past
 * each segment (edi_lexer.batch): a segment takes as many entries as it
 * has separators, and a batch ends when the room left could not hold
 * the largest segment the lexer keeps.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "lexpipe.h"

#define EDI_PIPE_SLOTS		4
#define EDI_BATCH_SEPS		(EDI_BATCH_SEGMENTS * 8)
#define EDI_BATCH_ELEMENTS	(EDI_BATCH_SEGMENTS * 4)

struct pipe_slot {
	struct edi_batch	 b;
	const char		*sep[EDI_BATCH_SEPS];
	const char		*el_end[EDI_BATCH_ELEMENTS];
	uint8_t			 el_first[EDI_BATCH_ELEMENTS + EDI_BATCH_SEGMENTS];
};

struct edi_lexpipe {
	const struct edi_lexer	*from;		/* borrowed, read once */
	bool			(*idle)(void *);	/* NULL: none */
	void			*idle_arg;
	struct pipe_slot	*slot;		/* EDI_PIPE_SLOTS of them */
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 lexer_wake;
	pthread_cond_t		 reader_wake;
	/* Under lock. */
	uint64_t		 filled, taken;
	bool			 lexer_sleeps, reader_sleeps;
	bool			 stop;		/* the reader gave up: end */
	bool			 ended;		/* the last batch is filled */
};

/*
 * Fills b from lx, up to its room; b->more says whether the input goes
 * on.  Events are kept in their place among the segments.
 */
static void
fill_batch(struct pipe_slot *s, struct edi_lexer *lx)
{
	struct edi_batch	*b = &s->b;
	/* The last places a segment may start at and still find room. */
	const char		**sep_last = s->sep + EDI_BATCH_SEPS -
				    (EDI_MAX_COMPONENTS + 1);
	const char		**end_last = s->el_end + EDI_BATCH_ELEMENTS -
				    EDI_MAX_ELEMENTS;
	uint8_t			 *first_last = s->el_first +
				    sizeof s->el_first - (EDI_MAX_ELEMENTS + 1);
	int			  rc;

	b->nseg = b->nev = 0;
	b->more = 1;
	/* The lexer moves these past each segment's arrays (lx->batch). */
	lx->out_sep = s->sep;
	lx->out_el_end = s->el_end;
	lx->out_el_first = s->el_first;
	while (b->nseg < EDI_BATCH_SEGMENTS && b->nev < EDI_BATCH_EVENTS &&
	    lx->out_sep <= sep_last && lx->out_el_end <= end_last &&
	    lx->out_el_first <= first_last) {
		rc = edi_lexer_next(lx, &b->seg[b->nseg]);
		if (rc == 1) {
			b->nseg++;
			continue;
		}
		if (rc == EDI_LEX_EVENT || rc < 0) {
			b->ev[b->nev] = lx->event;
			b->ev_before[b->nev++] = b->nseg;
		}
		if (rc != EDI_LEX_EVENT) {
			b->more = rc;
			return;
		}
	}
}

/*
 * Waits for a free slot, doing idle work meanwhile while there is some;
 * NULL when the reader stopped.
 */
static struct pipe_slot *
lexer_wait(struct edi_lexpipe *p)
{
	struct pipe_slot	*s = NULL;
	bool			 idle = p->idle != NULL;

	pthread_mutex_lock(&p->lock);
	while (!p->stop && p->filled - p->taken == EDI_PIPE_SLOTS) {
		if (idle) {
			pthread_mutex_unlock(&p->lock);
			idle = p->idle(p->idle_arg);
			pthread_mutex_lock(&p->lock);
			continue;
		}
		p->lexer_sleeps = true;
		pthread_cond_wait(&p->lexer_wake, &p->lock);
	}
	if (!p->stop)
		s = &p->slot[p->filled % EDI_PIPE_SLOTS];
	pthread_mutex_unlock(&p->lock);
	return s;
}

/* Hands the slot just filled to the reader. */
static void
lexer_publish(struct edi_lexpipe *p, bool last)
{
	pthread_mutex_lock(&p->lock);
	p->filled++;
	p->ended = last;
	if (p->reader_sleeps) {
		p->reader_sleeps = false;
		pthread_cond_signal(&p->reader_wake);
	}
	pthread_mutex_unlock(&p->lock);
}

/* The lexer thread: batches until the input ends or the reader stops. */
static void *
lexer_main(void *arg)
{
	struct edi_lexpipe	*p = arg;
	struct edi_lexer	 lx;
	struct pipe_slot	*s;
	bool			 last = false;

	/* A copy of its own, aligned as its type asks (the AVX2 rows). */
	memcpy(&lx, p->from, sizeof lx);
	lx.diags = NULL;
	lx.batch = true;
	while (!last && (s = lexer_wait(p)) != NULL) {
		fill_batch(s, &lx);
		last = s->b.more != 1;
		lexer_publish(p, last);
	}
	return NULL;
}

struct edi_lexpipe *
edi_lexpipe_start(const struct edi_lexer *lx, bool (*idle)(void *),
    void *idle_arg)
{
	struct edi_lexpipe	*p = xcalloc(1, sizeof *p);
	sigset_t		 all, old;
	int			 rc;

	p->from = lx;
	p->idle = idle;
	p->idle_arg = idle_arg;
	p->slot = xmalloc(EDI_PIPE_SLOTS * sizeof *p->slot);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->lexer_wake, NULL);
	pthread_cond_init(&p->reader_wake, NULL);
	/* The lexer thread takes no signal: the caller's threads handle them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&p->thread, NULL, lexer_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&p->reader_wake);
		pthread_cond_destroy(&p->lexer_wake);
		pthread_mutex_destroy(&p->lock);
		free(p->slot);
		free(p);
		return NULL;
	}
	return p;
}

const struct edi_batch *
edi_lexpipe_next(struct edi_lexpipe *p)
{
	const struct edi_batch	*b = NULL;

	pthread_mutex_lock(&p->lock);
	while (p->taken == p->filled && !p->ended) {
		p->reader_sleeps = true;
		pthread_cond_wait(&p->reader_wake, &p->lock);
	}
	if (p->taken < p->filled)
		b = &p->slot[p->taken % EDI_PIPE_SLOTS].b;
	pthread_mutex_unlock(&p->lock);
	return b;
}

void
edi_lexpipe_done(struct edi_lexpipe *p)
{
	pthread_mutex_lock(&p->lock);
	p->taken++;
	if (p->lexer_sleeps && p->filled - p->taken <= EDI_PIPE_SLOTS / 2) {
		p->lexer_sleeps = false;
		pthread_cond_signal(&p->lexer_wake);
	}
	pthread_mutex_unlock(&p->lock);
}

void
edi_lexpipe_free(struct edi_lexpipe *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->lexer_wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->reader_wake);
	pthread_cond_destroy(&p->lexer_wake);
	pthread_mutex_destroy(&p->lock);
	free(p->slot);
	free(p);
}
