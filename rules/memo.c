/*
 * memo.c -- a small hash table of fuzzy-match scores (see memo.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "memo.h"

void
memo_init(struct memo *m)
{
	memset(m, 0, sizeof *m);
	pthread_mutex_init(&m->lock, NULL);
}

void
memo_clear(struct memo *m)
{
	size_t	i;

	for (i = 0; i < m->cap; i++)
		free(m->v[i].cands);
	free(m->v);
	pthread_mutex_destroy(&m->lock);
	memset(m, 0, sizeof *m);
}

/* The slot of (node, s), or the free slot where it belongs; cap > 0. */
static struct memo_entry *
memo_slot(const struct memo *m, const struct rules_node *node, const char *s)
{
	uint64_t	 h = ((uintptr_t)node ^ ((uintptr_t)s << 1)) *
			     0x9e3779b97f4a7c15ULL;
	size_t		 i = (size_t)(h >> 32) & (m->cap - 1);

	while (m->v[i].node != NULL && (m->v[i].node != node || m->v[i].s != s))
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

/* Doubles the table; the lock is held. */
static void
memo_grow(struct memo *m)
{
	struct memo_entry	*old = m->v;
	size_t			 oldcap = m->cap, i;

	m->cap = m->cap == 0 ? 64 : m->cap * 2;
	m->v = xcalloc(m->cap, sizeof *m->v);
	for (i = 0; i < oldcap; i++)
		if (old[i].node != NULL)
			*memo_slot(m, old[i].node, old[i].s) = old[i];
	free(old);
}

bool
memo_get(struct memo *m, const struct rules_node *node, const char *s,
    size_t *best, double *top)
{
	struct memo_entry	*e;
	bool			 found = false;

	pthread_mutex_lock(&m->lock);
	if (m->cap > 0 && (e = memo_slot(m, node, s))->node != NULL) {
		*best = e->best;
		*top = e->top;
		found = true;
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

void
memo_put(struct memo *m, const struct rules_node *node, const char *s,
    size_t best, double top)
{
	struct memo_entry	*e;

	pthread_mutex_lock(&m->lock);
	if (2 * (m->n + 1) > m->cap)
		memo_grow(m);
	if ((e = memo_slot(m, node, s))->node == NULL) {
		e->node = node;
		e->s = s;
		e->best = best;
		e->top = top;
		m->n++;
	}
	pthread_mutex_unlock(&m->lock);
}

bool
memo_get_cands(struct memo *m, const struct rules_node *node, const char *s,
    const struct memo_cand **cands, size_t *n)
{
	struct memo_entry	*e;
	bool			 found = false;

	pthread_mutex_lock(&m->lock);
	if (m->cap > 0 && (e = memo_slot(m, node, s))->node != NULL) {
		*cands = e->cands;
		*n = e->ncands;
		found = true;
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

const struct memo_cand *
memo_put_cands(struct memo *m, const struct rules_node *node, const char *s,
    struct memo_cand *cands, size_t n, size_t *nkept)
{
	struct memo_entry	*e;
	const struct memo_cand	*kept;

	pthread_mutex_lock(&m->lock);
	if (2 * (m->n + 1) > m->cap)
		memo_grow(m);
	if ((e = memo_slot(m, node, s))->node == NULL) {
		e->node = node;
		e->s = s;
		e->cands = cands;
		e->ncands = n;
		m->n++;
	} else
		free(cands);
	kept = e->cands;
	*nkept = e->ncands;
	pthread_mutex_unlock(&m->lock);
	return kept;
}
