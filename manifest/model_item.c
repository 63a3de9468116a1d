/*
 * model_item.c -- a goods item's arrays and the places its parts were
 * read, kept small: a million-parcel train has a million items and a
 * million placements, so a capacity that can be derived is not stored
 * and a place is a segment ordinal or line and a 32-bit distance from
 * the item's own place rather than a 16-byte struct manifest_src.
 */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "model.h"

/*
 * The capacity arena_grow() gave an array grown one element at a time to
 * n: exactly 1 first, doubling after.  Not kept in the item: 8 MB of a
 * million-parcel train.
 */
static size_t
grown_cap(uint32_t n)
{
	size_t	cap = 1;

	if (n == 0)
		return 0;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* Appends a zeroed document to an item. */
struct manifest_document *
manifest_item_add_document(struct manifest_train *t, struct manifest_item *it)
{
	struct manifest_document	*d;
	size_t				 cap = grown_cap(it->ndocuments);

	it->documents = arena_grow(t->arena, it->documents, &cap,
	    (size_t)it->ndocuments + 1, sizeof *it->documents);
	d = &it->documents[it->ndocuments++];
	memset(d, 0, sizeof *d);
	return d;
}

/* Appends a placement with no package count to an item. */
struct manifest_placement *
manifest_item_add_placement(struct manifest_train *t, struct manifest_item *it)
{
	struct manifest_placement	*p;
	size_t				 cap = grown_cap(it->nplacements);

	/* Nearly every item has one: arena_grow's first step, inline. */
	if (it->nplacements == 0)
		it->placements = arena_alloc(t->arena, sizeof *it->placements);
	else
		it->placements = arena_grow(t->arena, it->placements, &cap,
		    (size_t)it->nplacements + 1, sizeof *it->placements);
	p = &it->placements[it->nplacements++];
	*p = (struct manifest_placement){
		.packages = MANIFEST_ABSENT,
		.off_on = MANIFEST_PLACEMENT_OFF_UNKNOWN,	/* on a number */
	};
	return p;
}

/* off's distance past base, or UINT32_MAX when it is not known or too far. */
static uint32_t
src_distance(uint64_t base, uint64_t off)
{
	if (off == DIAG_NO_OFFSET || base == DIAG_NO_OFFSET || off < base ||
	    off - base >= UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)(off - base);
}

/* The place of a segment ordinal or line, off bytes past base, as src. */
static struct manifest_src
src_rebuilt(const struct manifest_train *t, uint32_t at, uint64_t base,
    uint32_t off, const char *tag)
{
	struct manifest_src	src = { DIAG_NO_OFFSET, at, "" };

	if (off != UINT32_MAX && base != DIAG_NO_OFFSET)
		src.offset = base + off;
	if (t->source == MANIFEST_SOURCE_EDIFACT && at != 0)
		memcpy(src.tag, tag, 4);
	return src;
}

/*
 * Keeps the place as an ordinal and a 32-bit distance from the item's
 * own place, not as a struct manifest_src of 16 bytes: 16 MB of a
 * million-parcel train.
 */
void
manifest_item_set_tracking_src(struct manifest_item *it,
    const struct manifest_src *src)
{
	it->tracking_at = src->index;
	it->tracking_off = src_distance(it->src.offset, src->offset);
}

/* The place manifest_item_set_tracking_src() recorded. */
struct manifest_src
manifest_item_tracking_src(const struct manifest_train *t,
    const struct manifest_item *it)
{
	return src_rebuilt(t, it->tracking_at, it->src.offset,
	    it->tracking_off, "PCI");
}

/*
 * As the tracking number's place (8 MB of a million-parcel train), in
 * the 30 bits off_on leaves: a distance of a gigabyte or more is not
 * known.
 */
void
manifest_placement_set_src(const struct manifest_item *it,
    struct manifest_placement *p, const struct manifest_src *src)
{
	uint32_t	off = src_distance(it->src.offset, src->offset);

	if (off > MANIFEST_PLACEMENT_OFF_UNKNOWN)
		off = MANIFEST_PLACEMENT_OFF_UNKNOWN;
	p->at = src->index;
	p->off_on = (p->off_on & ~MANIFEST_PLACEMENT_OFF_UNKNOWN) | off;
}

/* The place manifest_placement_set_src() recorded. */
struct manifest_src
manifest_placement_src(const struct manifest_train *t,
    const struct manifest_item *it, const struct manifest_placement *p)
{
	uint32_t	off = p->off_on & MANIFEST_PLACEMENT_OFF_UNKNOWN;

	return src_rebuilt(t, p->at, it->src.offset,
	    off == MANIFEST_PLACEMENT_OFF_UNKNOWN ? UINT32_MAX : off, "SGP");
}
