/*
 * model_cache.c -- the parsed models of stored manifests (model_cache.h).
 *
 * Kept models sit in cache_models[] (loop thread only), each with a
 * reference count kept on the loop thread: taken before a job goes to a
 * worker, dropped when it comes back; workers only read the finished
 * train.  A model parsed for a get is offered to the cache when it comes
 * back: kept if it fits, the least recently used ones going to make
 * room; a model larger than the whole budget is not kept (it goes with
 * its last reference).  Gets of one manifest while it is being read and
 * parsed wait for that one parse (a burst of parcel scans after a start
 * must not parse a 1,000,000-item train once each, 300 MB apiece).
 *
 * The table of tracking numbers (a sorted array of item pointers) is
 * built by the first worker that asks, under the model's mutex, and then
 * only read: one build per parsed model however many events look up.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/store.h"
#include "engine/input.h"
#include "manifest/arena.h"
#include "manifest/model.h"
#include "manifest/util.h"

#include "daemon/api/model_cache.h"
#include "daemon/daemon.h"
#include "daemon/pool.h"

#define MODEL_CACHE_MODELS	4
#define MODEL_CACHE_BYTES	((size_t)512 << 20)
#define MODEL_CACHE_IDLE_MS	120000

/* A parsed manifest, shared by the reads made from it. */
struct cached_model {
	long long		 manifest_id;
	struct manifest_train	*train;		/* owned; read-only */
	size_t			 bytes;
	int			 refs;		/* holders (loop thread) */
	bool			 kept;		/* in cache_models[] */
	int64_t			 used_ms;

	pthread_mutex_t		 lock;		/* guards the table's build */
	bool			 indexed;
	const struct manifest_item **tracking;	/* sorted by tracking; owned */
	size_t			 ntracking;
};
static struct cached_model	*cache_models[MODEL_CACHE_MODELS];

/* A get waiting for a load. */
struct model_waiter {
	model_cache_cb		 cb;
	void			*arg;
};

/* One manifest being read, then parsed, for the gets waiting on it. */
struct model_load {
	struct pool		*pool;
	long long		 manifest_id;
	struct model_waiter	*waiters;	/* owned */
	size_t			 nwaiters, waiters_cap;
	unsigned char		*raw_z;		/* owned */
	size_t			 raw_z_len;
	struct cached_model	*model;		/* made by the worker */
	int			 status;	/* 1, or MODEL_CACHE_DAMAGED */
	struct model_load	*next;		/* in cache_loads */
};
static struct model_load	*cache_loads;	/* loop thread only */

static void
model_free(struct cached_model *m)
{
	manifest_train_free(m->train);
	pthread_mutex_destroy(&m->lock);
	free(m->tracking);
	free(m);
}

/* Stops keeping slot i's model (freed now unless someone holds it). */
static void
model_drop(size_t i)
{
	struct cached_model	*m = cache_models[i];

	cache_models[i] = NULL;
	m->kept = false;
	if (m->refs == 0)
		model_free(m);
}

/* Forgets the models unused for MODEL_CACHE_IDLE_MS. */
static void
models_expire(int64_t now)
{
	size_t	i;

	for (i = 0; i < MODEL_CACHE_MODELS; i++)
		if (cache_models[i] != NULL &&
		    now - cache_models[i]->used_ms > MODEL_CACHE_IDLE_MS)
			model_drop(i);
}

/* The kept model of manifest_id with a reference taken, or NULL. */
static struct cached_model *
model_lookup(long long manifest_id, int64_t now)
{
	size_t	i;

	for (i = 0; i < MODEL_CACHE_MODELS; i++) {
		struct cached_model *m = cache_models[i];

		if (m != NULL && m->manifest_id == manifest_id) {
			m->refs++;
			m->used_ms = now;
			return m;
		}
	}
	return NULL;
}

/* Keeps m, just parsed, if it fits (see the top of the file). */
static void
model_keep(struct cached_model *m)
{
	size_t	i, total, lru;

	for (;;) {
		total = 0;
		lru = MODEL_CACHE_MODELS;
		for (i = 0; i < MODEL_CACHE_MODELS; i++) {
			if (cache_models[i] == NULL)
				continue;
			if (cache_models[i]->manifest_id == m->manifest_id)
				return;
			total += cache_models[i]->bytes;
			if (lru == MODEL_CACHE_MODELS || cache_models[i]->used_ms <
			    cache_models[lru]->used_ms)
				lru = i;
		}
		if (m->bytes > MODEL_CACHE_BYTES)
			return;
		if (total + m->bytes <= MODEL_CACHE_BYTES)
			for (i = 0; i < MODEL_CACHE_MODELS; i++)
				if (cache_models[i] == NULL) {
					cache_models[i] = m;
					m->kept = true;
					return;
				}
		if (lru == MODEL_CACHE_MODELS)
			return;
		model_drop(lru);
	}
}

void
model_cache_release(struct cached_model *m)
{
	if (m != NULL && --m->refs == 0 && !m->kept)
		model_free(m);
}

const struct manifest_train *
model_cache_train(const struct cached_model *m)
{
	return m->train;
}

long long
model_cache_manifest_id(const struct cached_model *m)
{
	return m->manifest_id;
}

/* Worker: inflates and parses the stored bytes into a new model. */
static void
load_work(void *arg)
{
	struct model_load	*l = arg;
	struct cached_model	*m;
	char			*raw;
	size_t			 len;

	if (input_inflate_stored(l->raw_z, l->raw_z_len, &raw, &len) < 0) {
		l->status = MODEL_CACHE_DAMAGED;
		return;
	}
	m = xcalloc(1, sizeof *m);
	m->manifest_id = l->manifest_id;
	pthread_mutex_init(&m->lock, NULL);
	input_parse(raw, len, NULL, &m->train);
	m->bytes = arena_bytes(m->train->arena) + len / 4;
	free(raw);
	l->model = m;
	l->status = 1;
}

/* Takes l out of cache_loads: no get joins it any more. */
static void
load_unlink(struct model_load *l)
{
	struct model_load	**pp;

	for (pp = &cache_loads; *pp != NULL; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			return;
		}
}

/*
 * Answers every get waiting on l (each with its own reference to the
 * model, or with status) and frees l.
 */
static void
load_answer(struct model_load *l, int status)
{
	size_t	i;

	load_unlink(l);
	if (l->model != NULL) {
		/* References first: a waiter releasing at once frees nothing
		 * another still needs. */
		l->model->refs = (int)l->nwaiters;
		l->model->used_ms = daemon_now_ms();
		model_keep(l->model);
		if (l->nwaiters == 0 && !l->model->kept)
			model_free(l->model);	/* a load always has a get */
	}
	for (i = 0; i < l->nwaiters; i++)
		l->waiters[i].cb(status, l->model, l->waiters[i].arg);
	free(l->waiters);
	free(l->raw_z);
	free(l);
}

/* Loop: the parsed model offered to the cache, then handed to the gets. */
static void
load_done_cb(void *arg)
{
	struct model_load	*l = arg;

	load_answer(l, l->status);
}

/* The manifest's bytes: parse them on a worker. */
static void
load_raw_cb(int status, const char *z, size_t zlen, void *arg)
{
	struct model_load	*l = arg;

	if (status <= 0) {
		load_answer(l, status);
		return;
	}
	l->raw_z = xmalloc(zlen);
	memcpy(l->raw_z, z, zlen);
	l->raw_z_len = zlen;
	pool_submit(l->pool, POOL_PRIORITY_NORMAL, load_work, load_done_cb, l);
}

/* Adds a waiter to l. */
static void
load_wait(struct model_load *l, model_cache_cb cb, void *arg)
{
	if (l->nwaiters == l->waiters_cap) {
		l->waiters_cap = l->waiters_cap > 0 ? l->waiters_cap * 2 : 4;
		l->waiters = xreallocarray(l->waiters, l->waiters_cap,
		    sizeof *l->waiters);
	}
	l->waiters[l->nwaiters].cb = cb;
	l->waiters[l->nwaiters++].arg = arg;
}

void
model_cache_get(struct db *db, struct pool *pool, long long manifest_id,
    model_cache_cb cb, void *arg)
{
	int64_t			 now = daemon_now_ms();
	struct cached_model	*m;
	struct model_load	*l;

	models_expire(now);
	if ((m = model_lookup(manifest_id, now)) != NULL) {
		cb(1, m, arg);
		return;
	}
	for (l = cache_loads; l != NULL; l = l->next)
		if (l->manifest_id == manifest_id) {
			load_wait(l, cb, arg);
			return;
		}
	l = xcalloc(1, sizeof *l);
	l->pool = pool;
	l->manifest_id = manifest_id;
	load_wait(l, cb, arg);
	l->next = cache_loads;
	cache_loads = l;
	store_manifest_raw(db, manifest_id, load_raw_cb, l);
}

static int
tracking_cmp(const void *a, const void *b)
{
	const struct manifest_item *const *x = a, *const *y = b;
	int	c = strcmp((*x)->tracking, (*y)->tracking);

	/* Equal numbers keep manifest order: the first is found. */
	if (c == 0)
		c = (*x)->seq < (*y)->seq ? -1 : (*x)->seq > (*y)->seq;
	return c;
}

/* Builds m's table of tracking numbers (under m->lock). */
static void
tracking_index(struct cached_model *m)
{
	const struct manifest_train	*t = m->train;
	size_t				 c, i, n = 0;

	m->tracking = xcalloc(t->nitems > 0 ? t->nitems : 1,
	    sizeof *m->tracking);
	for (c = 0; c < t->nconsignments; c++)
		for (i = 0; i < t->consignments[c]->nitems; i++) {
			const struct manifest_item *it =
			    t->consignments[c]->items[i];

			if (it->tracking != NULL && n < t->nitems)
				m->tracking[n++] = it;
		}
	qsort(m->tracking, n, sizeof *m->tracking, tracking_cmp);
	m->ntracking = n;
	m->indexed = true;
}

const struct manifest_item *
model_cache_find_tracking(struct cached_model *m, const char *tracking)
{
	size_t	lo = 0, hi;

	pthread_mutex_lock(&m->lock);
	if (!m->indexed)
		tracking_index(m);
	pthread_mutex_unlock(&m->lock);
	hi = m->ntracking;
	while (lo < hi) {	/* the first entry >= tracking */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->tracking[mid]->tracking, tracking) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->ntracking &&
	    strcmp(m->tracking[lo]->tracking, tracking) == 0 ?
	    m->tracking[lo] : NULL;
}
