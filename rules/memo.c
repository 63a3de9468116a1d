/*
 * memo.c -- a small hash table of fuzzy-match scores (see memo.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/strmap.h"
#include "manifest/util.h"

#include "memo.h"

void
memo_init(struct memo *m)
{
	memset(m, 0, sizeof *m);
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->done, NULL);
}

void
memo_clear(struct memo *m)
{
	size_t	i;

	for (i = 0; i < m->ccap; i++)
		free(m->cv[i].cands);
	free(m->cv);
	free(m->ch);
	free(m->v);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->done);
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

/*
 * The hash of node and the bytes of s: the names screened are the
 * sender's, so the hash is strmap's, keyed at random per process (a
 * fixed one would let chosen names share a slot).
 */
static uint64_t
text_hash(const struct rules_node *node, const char *s)
{
	return strmap_hash(s, strlen(s)) ^
	    ((uint64_t)(uintptr_t)node * 0x9e3779b97f4a7c15ULL);
}

/* The content-keyed slot of (node, s, h), or the free one; ccap > 0. */
static size_t
cands_slot(const struct memo *m, const struct rules_node *node,
    const char *s, uint64_t h)
{
	size_t	i = (size_t)(h >> 20) & (m->ccap - 1);

	while (m->cv[i].node != NULL && (m->ch[i] != h ||
	    m->cv[i].node != node || strcmp(m->cv[i].s, s) != 0))
		i = (i + 1) & (m->ccap - 1);
	return i;
}

/* Doubles the content-keyed table; the lock is held. */
static void
cands_grow(struct memo *m)
{
	struct memo_entry	*old = m->cv;
	uint64_t		*oldh = m->ch;
	size_t			 oldcap = m->ccap, i, j;

	m->ccap = m->ccap == 0 ? 64 : m->ccap * 2;
	m->cv = xcalloc(m->ccap, sizeof *m->cv);
	m->ch = xcalloc(m->ccap, sizeof *m->ch);
	for (i = 0; i < oldcap; i++)
		if (old[i].node != NULL) {
			j = cands_slot(m, old[i].node, old[i].s, oldh[i]);
			m->cv[j] = old[i];
			m->ch[j] = oldh[i];
		}
	free(old);
	free(oldh);
}

bool
memo_get_or_claim_cands(struct memo *m, const struct rules_node *node,
    const char *s, const struct memo_cand **cands, size_t *n)
{
	uint64_t		 h = text_hash(node, s);
	struct memo_entry	*e;
	size_t			 i;
	bool			 found = false;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		if (m->ccap > 0 && m->cv[i = cands_slot(m, node, s, h)].node !=
		    NULL) {
			e = &m->cv[i];
			if (e->pending) {
				/* The table may grow meanwhile: look again. */
				pthread_cond_wait(&m->done, &m->lock);
				continue;
			}
			*cands = e->cands;
			*n = e->ncands;
			found = true;
			break;
		}
		/* Absent: the caller computes it, others wait for it. */
		if (2 * (m->cn + 1) > m->ccap)
			cands_grow(m);
		e = &m->cv[i = cands_slot(m, node, s, h)];
		e->node = node;
		e->s = s;
		e->cands = NULL;
		e->ncands = 0;
		e->pending = true;
		m->ch[i] = h;
		m->cn++;
		break;
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

/* s must outlive the memo (the model's strings do: the evaluation's). */
const struct memo_cand *
memo_put_cands(struct memo *m, const struct rules_node *node, const char *s,
    struct memo_cand *cands, size_t n, size_t *nkept)
{
	uint64_t		 h = text_hash(node, s);
	struct memo_entry	*e;
	const struct memo_cand	*kept;
	size_t			 i;

	pthread_mutex_lock(&m->lock);
	if (2 * (m->cn + 1) > m->ccap)
		cands_grow(m);
	e = &m->cv[i = cands_slot(m, node, s, h)];
	if (e->node == NULL) {
		e->node = node;
		e->s = s;
		e->cands = cands;
		e->ncands = n;
		m->ch[i] = h;
		m->cn++;
	} else if (e->pending) {
		e->cands = cands;
		e->ncands = n;
		e->pending = false;
		pthread_cond_broadcast(&m->done);
	} else
		free(cands);
	kept = e->cands;
	*nkept = e->ncands;
	pthread_mutex_unlock(&m->lock);
	return kept;
}
