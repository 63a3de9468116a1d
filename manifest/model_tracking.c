/*
 * model_tracking.c -- the tracking-number checks of manifest_train_finish()
 * (docs/parcels.md, docs/model.md#structural-checks): a number's shape
 * (TRACKING_NUMBER), two goods items with one number (TRACKING_DUPLICATE,
 * naming both places), e-commerce goods without one (TRACKING_MISSING,
 * once per consignment).
 *
 * A train carries up to a million parcels, so the duplicate check is one
 * pass to hash every number into an array and one pass to insert the
 * hashes into an open-addressing table of 8-byte slots (32 bits of the
 * hash as a tag, the item's index), prefetching a few inserts ahead: a
 * probe touches an item's string only when the tags match.  The table
 * and the arrays are the caller's for the duration of the check only.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "strmap.h"
#include "util.h"

/* Inserts this many hashes ahead of the one being inserted are prefetched. */
#define TRACKING_PREFETCH	8
/* A tracking number's longest length (docs/parcels.md). */
#define TRACKING_MAX		35

/* What the duplicate check works on. */
struct tracking_set {
	const struct manifest_item	**items;	/* every item, train order */
	uint64_t			 *slots;	/* tag << 32 | index + 1; 0: empty */
	size_t				  mask;
	/* Hashed items waiting for their slot to arrive in the cache. */
	struct {
		uint64_t	hash;
		size_t		index;
	}				  pending[2 * TRACKING_PREFETCH];
	size_t				  npending;	/* ever queued */
	size_t				  ninserted;
};

/* True for the customs supervision codes of cross-border e-commerce. */
bool
manifest_procedure_is_ecommerce_code(const char *s, size_t len)
{
	static const char codes[][5] = { "9610", "9710", "9810", "1210", "1239" };
	size_t	i;

	if (len != 4)
		return false;
	for (i = 0; i < nitems(codes); i++)
		if (memcmp(s, codes[i], 4) == 0)
			return true;
	return false;
}

/* The consignment's reference for messages. */
static const char *
consignment_ref(const struct manifest_consignment *c)
{
	return c->ref != NULL ? c->ref : "(no reference)";
}

/* Where the item's tracking number was read (the item, if not known). */
static struct diag_loc
tracking_loc(const struct manifest_train *t, const struct manifest_item *it)
{
	return manifest_src_loc(t, it->tracking_src.index != 0 ||
	    it->tracking_src.offset != DIAG_NO_OFFSET ? &it->tracking_src :
	    &it->src);
}

/* Length of s if it is 1 to 35 printable ASCII characters, no space; else 0. */
static size_t
tracking_shape(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
		    i == TRACKING_MAX)
			return 0;
	return i;
}

/* TRACKING_NUMBER for an item whose number has the wrong shape. */
static void
report_shape(struct manifest_train *t, const struct manifest_item *it)
{
	struct diag_loc	loc = tracking_loc(t, it);
	size_t		len = strlen(it->tracking);

	diag_add(&t->diags, DIAG_ERROR, "TRACKING_NUMBER", &loc,
	    "goods item %u of %s: tracking number \"%.*s\"%s is not 1 to 35 "
	    "printable ASCII characters without spaces", it->seq,
	    consignment_ref(it->consignment), len > 40 ? 40 : (int)len,
	    it->tracking, len > 40 ? "..." : "");
}

/* TRACKING_DUPLICATE at the second item, naming the first. */
static void
report_duplicate(struct manifest_train *t, const struct manifest_item *first,
    const struct manifest_item *second)
{
	struct diag_loc	loc = tracking_loc(t, second), at;
	char		where[160];
	size_t		len = strlen(second->tracking);

	/* Past the list's limit only the count grows: no need to format. */
	if (t->diags.n >= (t->diags.limit != 0 ? t->diags.limit : SIZE_MAX))
		where[0] = '\0';
	else {
		at = tracking_loc(t, first);
		diag_format_where(&at, where, sizeof where);
	}
	diag_add(&t->diags, DIAG_ERROR, "TRACKING_DUPLICATE", &loc,
	    "goods item %u of %s: tracking number %.*s%s also on goods item %u "
	    "of %s%s%s", second->seq, consignment_ref(second->consignment),
	    len > 40 ? 40 : (int)len, second->tracking, len > 40 ? "..." : "",
	    first->seq, consignment_ref(first->consignment),
	    where[0] != '\0' ? " at " : "", where);
}

/* Inserts item k of s, or reports it as a duplicate of the one there. */
static void
tracking_insert(struct manifest_train *t, struct tracking_set *s,
    uint64_t h, size_t k)
{
	uint64_t	tag = h >> 32, *slot;
	size_t		i;

	for (i = (size_t)h & s->mask;; i = (i + 1) & s->mask) {
		slot = &s->slots[i];
		if (*slot == 0) {
			*slot = tag << 32 | (uint64_t)(k + 1);
			return;
		}
		if (*slot >> 32 == tag) {
			const struct manifest_item *first =
			    s->items[(uint32_t)*slot - 1];

			if (strcmp(first->tracking, s->items[k]->tracking) == 0) {
				report_duplicate(t, first, s->items[k]);
				return;		/* the first stays */
			}
		}
	}
}

/*
 * Queues item k's hash, prefetching its slot, and inserts the one queued
 * TRACKING_PREFETCH before, whose slot has arrived meanwhile.
 */
static void
tracking_queue(struct manifest_train *t, struct tracking_set *s,
    uint64_t h, size_t k)
{
	size_t	q = s->npending++ % nitems(s->pending);

	s->pending[q].hash = h;
	s->pending[q].index = k;
	__builtin_prefetch(&s->slots[h & s->mask], 1);
	if (s->npending > TRACKING_PREFETCH) {
		q = s->ninserted++ % nitems(s->pending);
		tracking_insert(t, s, s->pending[q].hash, s->pending[q].index);
	}
}

/* Hashes and queues item k (with a number): TRACKING_NUMBER if bad. */
static void
tracking_item(struct manifest_train *t, struct tracking_set *s, size_t k)
{
	const struct manifest_item	*it = s->items[k];
	size_t				 len;

	if ((len = tracking_shape(it->tracking)) == 0) {
		report_shape(t, it);
		len = strlen(it->tracking);
	}
	if (s->slots == NULL) {
		size_t cap = 16;

		while (cap < 2 * t->nitems)
			cap *= 2;
		s->slots = xcalloc(cap, sizeof *s->slots);
		s->mask = cap - 1;
	}
	tracking_queue(t, s, strmap_hash(it->tracking, len), k);
}

/*
 * Every item's number checked and queued for the duplicate check, in
 * train order; TRACKING_MISSING once per e-commerce consignment.  Items
 * and their numbers are scattered over the arena: each is prefetched
 * some items ahead, its number when its item has arrived.
 */
static void
tracking_walk(struct manifest_train *t, struct tracking_set *s, size_t n)
{
	size_t	i, j, k = 0, missing;

	for (i = 0; i < t->nconsignments; i++) {
		const struct manifest_consignment *c = t->consignments[i];

		missing = 0;
		for (j = 0; j < c->nitems; j++, k++) {
			if (k + 2 * TRACKING_PREFETCH < n)
				__builtin_prefetch(&s->items[k + 2 *
				    TRACKING_PREFETCH]->tracking);
			if (k + TRACKING_PREFETCH < n &&
			    s->items[k + TRACKING_PREFETCH]->tracking != NULL)
				__builtin_prefetch(s->items[k +
				    TRACKING_PREFETCH]->tracking);
			if (s->items[k]->tracking == NULL)
				missing++;
			else
				tracking_item(t, s, k);
		}
		if (missing > 0 && c->procedure == MANIFEST_PROC_ECOMMERCE) {
			struct diag_loc loc = manifest_src_loc(t, &c->src);

			diag_add(&t->diags, DIAG_WARNING, "TRACKING_MISSING", &loc,
			    "%zu of the %zu goods items of e-commerce consignment "
			    "%s have no tracking number: they cannot be set aside "
			    "alone", missing, c->nitems, consignment_ref(c));
		}
	}
	while (s->ninserted < s->npending) {
		size_t q = s->ninserted++ % nitems(s->pending);

		tracking_insert(t, s, s->pending[q].hash, s->pending[q].index);
	}
}

/* The checks of model_tracking.c (see model.h). */
void
manifest_train_check_tracking(struct manifest_train *t)
{
	struct tracking_set	s;
	size_t			i, j, n = 0;

	/* Indexes are 32 bits in a slot: a train's items fit. */
	if (t->nitems == 0 || t->nitems >= UINT32_MAX)
		return;
	memset(&s, 0, sizeof s);
	s.items = xreallocarray(NULL, t->nitems, sizeof *s.items);
	for (i = 0; i < t->nconsignments; i++)
		for (j = 0; j < t->consignments[i]->nitems; j++)
			s.items[n++] = t->consignments[i]->items[j];
	tracking_walk(t, &s, n);
	free(s.slots);
	free(s.items);
}
