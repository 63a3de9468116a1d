/*
 * model_tracking.c -- the tracking-number checks of manifest_train_finish()
 * (docs/parcels.md, docs/model.md#structural-checks): a number's shape
 * (TRACKING_NUMBER), two goods items with one number (TRACKING_DUPLICATE,
 * naming both places), e-commerce goods without one (TRACKING_MISSING,
 * once per consignment).
 *
 * A train carries up to a million parcels, and the check must cost little
 * beside the parse: model.c hands every item over from the pass over the
 * items it makes anyway (the item is in the cache then), each number is
 * hashed and queued, and inserted into an open-addressing table of
 * 4-byte slots (the item's index and, in the bits the index leaves, a tag
 * from the hash) once the slot, prefetched when queued, has arrived.  A
 * probe touches an item's string only when the tags match.  The table
 * (8 MB for a million parcels) and the array of items with a number live
 * for the check only.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_tracking.h"
#include "strmap.h"
#include "util.h"

/* A tracking number's longest length (docs/parcels.md). */
#define TRACKING_MAX		35
/* Queued hashes ahead of the one inserted: the slots' prefetch distance. */
#define TRACKING_AHEAD		8
_Static_assert(TRACKING_AHEAD < TRACKING_QUEUE, "the queue holds the distance");

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
tracking_loc(const struct manifest_train *t, struct manifest_item *it)
{
	struct manifest_src	src = manifest_item_tracking_src(t, it);

	return manifest_src_loc(t, src.index != 0 ||
	    src.offset != DIAG_NO_OFFSET ? &src : &it->src);
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
report_shape(struct manifest_train *t, struct manifest_item *it)
{
	struct diag_loc	loc = tracking_loc(t, it);
	size_t		len = strlen(it->tracking);

	it->tracking_dup = true;	/* names no parcel the crew can find */
	diag_add(&t->diags, DIAG_WARNING, "TRACKING_NUMBER", &loc,
	    "goods item %u of %s: tracking number \"%.*s\"%s is not 1 to 35 "
	    "printable ASCII characters without spaces", it->seq,
	    consignment_ref(it->consignment), len > 40 ? 40 : (int)len,
	    it->tracking, len > 40 ? "..." : "");
}

/* TRACKING_DUPLICATE at the second item, naming the first. */
static void
report_duplicate(struct manifest_train *t, struct manifest_item *first,
    struct manifest_item *second)
{
	struct diag_loc	loc = tracking_loc(t, second), at;
	char		where[160];
	size_t		len = strlen(second->tracking);

	/* Past the list's limit only the count grows: no need to format. */
	if (t->diags.n >= t->diags.limit)
		where[0] = '\0';
	else {
		at = tracking_loc(t, first);
		diag_format_where(&at, where, sizeof where);
	}
	/* Neither names one parcel: both stay goods of their wagons. */
	first->tracking_dup = second->tracking_dup = true;
	diag_add(&t->diags, DIAG_WARNING, "TRACKING_DUPLICATE", &loc,
	    "goods item %u of %s: tracking number %.*s%s also on goods item %u "
	    "of %s%s%s", second->seq, consignment_ref(second->consignment),
	    len > 40 ? 40 : (int)len, second->tracking, len > 40 ? "..." : "",
	    first->seq, consignment_ref(first->consignment),
	    where[0] != '\0' ? " at " : "", where);
}

/* Inserts item k of s, or reports it as a duplicate of the one there. */
static void
tracking_insert(struct manifest_train *t, struct tracking_set *s, size_t k)
{
	uint64_t	h = s->queue[k % TRACKING_QUEUE];
	uint32_t	tag = (uint32_t)(h >> (32 + s->bits)), *slot;
	size_t		i;

	for (i = (size_t)h & s->mask;; i = (i + 1) & s->mask) {
		slot = &s->slots[i];
		if (*slot == 0) {
			*slot = tag << s->bits | (uint32_t)(k + 1);
			return;
		}
		if (*slot >> s->bits == tag) {
			struct manifest_item *first =
			    s->items[(*slot & s->mask) - 1];

			if (strcmp(first->tracking, s->items[k]->tracking) == 0) {
				report_duplicate(t, first, s->items[k]);
				return;		/* the first stays */
			}
		}
	}
}

/* An empty set (see model_tracking.h). */
void
tracking_set_begin(struct tracking_set *s, const struct manifest_train *t)
{
	memset(s, 0, sizeof *s);
}

/* Checks and queues it; inserts the item queued TRACKING_AHEAD before. */
void
tracking_set_add(struct tracking_set *s, struct manifest_train *t,
    struct manifest_item *it)
{
	size_t		len;
	uint64_t	h;

	if ((len = tracking_shape(it->tracking)) == 0) {
		report_shape(t, it);
		len = strlen(it->tracking);
	}
	if (s->slots == NULL) {
		/*
		 * At most every item has a number: the table stays under half
		 * full.  An index fits a slot up to 2^31 slots; no reader
		 * makes a billion items (a 1 GiB input at most), so past
		 * that the check is left out rather than made slow.
		 */
		if (t->nitems > (size_t)1 << 30)
			return;
		for (s->bits = 4; ((size_t)1 << s->bits) < 2 * t->nitems; s->bits++)
			;
		/* An arena of its own: big blocks come mapped whole (in
		 * huge pages when they are cheap), freed with it. */
		s->tmp = arena_new();
		s->slots = arena_zalloc(s->tmp, sizeof *s->slots << s->bits);
		s->mask = ((size_t)1 << s->bits) - 1;
		s->items = arena_alloc(s->tmp, t->nitems * sizeof *s->items);
	}
	h = strmap_hash(it->tracking, len);
	s->items[s->n] = it;
	s->queue[s->n % TRACKING_QUEUE] = h;
	__builtin_prefetch(&s->slots[h & s->mask], 1);
	if (++s->n > TRACKING_AHEAD)
		tracking_insert(t, s, s->ninserted++);
}

/* TRACKING_MISSING, once for the consignment. */
void
tracking_set_missing(struct manifest_train *t,
    const struct manifest_consignment *c, size_t missing)
{
	struct diag_loc	loc;

	if (missing == 0 || c->procedure != MANIFEST_PROC_ECOMMERCE)
		return;
	loc = manifest_src_loc(t, &c->src);
	diag_add(&t->diags, DIAG_WARNING, "TRACKING_MISSING", &loc,
	    "%zu of the %zu goods items of e-commerce consignment %s have no "
	    "tracking number: they cannot be set aside alone", missing,
	    c->nitems, consignment_ref(c));
}

/* Inserts what is still queued; frees the set. */
void
tracking_set_end(struct tracking_set *s, struct manifest_train *t)
{
	while (s->ninserted < s->n)
		tracking_insert(t, s, s->ninserted++);
	arena_free(s->tmp);
	memset(s, 0, sizeof *s);
}

/* The checks alone, over a train (see model.h). */
void
manifest_train_check_tracking(struct manifest_train *t)
{
	struct tracking_set	s;
	size_t			i, j, missing;

	tracking_set_begin(&s, t);
	for (i = 0; i < t->nconsignments; i++) {
		const struct manifest_consignment *c = t->consignments[i];

		for (j = missing = 0; j < c->nitems; j++) {
			if (c->items[j]->tracking != NULL)
				tracking_set_add(&s, t, c->items[j]);
			else
				missing++;
		}
		tracking_set_missing(t, c, missing);
	}
	tracking_set_end(&s, t);
}
