/*
 * model_cache.h -- the parsed models of stored manifests, kept by
 * manifest id for the API's reads that need the whole train (a wagon's
 * page, a parcel's tracking number).  The stored bytes of a manifest id
 * never change, so a kept model is never stale.  Parsing a
 * 1,000,000-item manifest takes seconds: the models parsed last are
 * kept, at most MODEL_CACHE_MODELS within MODEL_CACHE_BYTES, each
 * dropped after MODEL_CACHE_IDLE_MS unused (looked at on the next get:
 * no timer keeps the loop from ending).
 *
 * A reference (struct cached_model) is taken and released on the loop
 * thread; while it is held, workers may read its train and look tracking
 * numbers up (model_cache_find_tracking), never change it.
 */
#ifndef DAEMON_API_MODEL_CACHE_H
#define DAEMON_API_MODEL_CACHE_H

#include <stddef.h>

struct db;
struct pool;
struct cached_model;
struct manifest_train;
struct manifest_item;

/*
 * The answer to model_cache_get, on the loop thread: m is a reference the
 * callee owns (release it with model_cache_release), or NULL with status
 * 0 (no manifest of that id), MODEL_CACHE_DAMAGED (the stored bytes do
 * not inflate) or a negative store status (outcome_reply_store_failure).
 */
#define MODEL_CACHE_DAMAGED	(-1000)
typedef void (*model_cache_cb)(int status, struct cached_model *m,
    void *arg);

/*
 * Loop thread: the model of manifest_id.  Kept: cb is called at once,
 * before this returns.  Else the stored bytes are read from db, inflated
 * and parsed on a worker of pool, and cb called on the loop thread.
 */
void model_cache_get(struct db *db, struct pool *pool, long long manifest_id,
    model_cache_cb cb, void *arg);
/* Loop thread: drops a reference; accepts NULL. */
void model_cache_release(struct cached_model *m);

/* The model's train (borrowed, read-only; any thread while referenced). */
const struct manifest_train *model_cache_train(const struct cached_model *m);
/* The manifest id the model was parsed from. */
long long model_cache_manifest_id(const struct cached_model *m);
/*
 * Any thread while referenced: the goods item whose tracking number is
 * tracking (the first of equal ones), or NULL.  The first call builds
 * the model's table of tracking numbers (sorted once, O(n log n), under
 * the model's lock); later calls are a binary search.
 */
const struct manifest_item *model_cache_find_tracking(struct cached_model *m,
    const char *tracking);

#endif
