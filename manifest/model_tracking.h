/*
 * model_tracking.h -- the tracking-number checks of manifest_train_finish()
 * (model_tracking.c), fed item by item from the pass over the train's
 * items that model.c makes anyway.  Internal to manifest/model*.c.
 */
#ifndef MANIFEST_MODEL_TRACKING_H
#define MANIFEST_MODEL_TRACKING_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Hashes queued before their slot is inserted into (a power of two). */
#define TRACKING_QUEUE	16

/* The state of one train's check; on the caller's stack. */
struct tracking_set {
	struct arena			 *tmp;		/* the table and the array */
	struct manifest_item	**items;	/* with a number, train order */
	size_t				  n;
	/* tag << bits | index + 1, 0 empty: the index is below 2^bits (the
	 * table is twice the items), the tag the hash's top 32 - bits bits. */
	uint32_t			 *slots;
	size_t				  mask;		/* 2^bits - 1 */
	unsigned			  bits;
	/* Hashed items waiting for their slot to arrive in the cache. */
	uint64_t			  queue[TRACKING_QUEUE];
	size_t				  ninserted;
};

/* An empty set for t's items; tracking_set_end() frees it. */
void tracking_set_begin(struct tracking_set *s, const struct manifest_train *t);
/*
 * Item it, which has a tracking number, in train order: its shape
 * checked (TRACKING_NUMBER), its number queued for the duplicate check.
 */
void tracking_set_add(struct tracking_set *s, struct manifest_train *t,
    struct manifest_item *it);
/* TRACKING_MISSING for consignment c, whose missing items have no number. */
void tracking_set_missing(struct manifest_train *t,
    const struct manifest_consignment *c, size_t missing);
/* Finishes the duplicate check (TRACKING_DUPLICATE) and frees the set. */
void tracking_set_end(struct tracking_set *s, struct manifest_train *t);

#endif
