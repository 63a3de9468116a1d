/*
 * strset.c -- interning in one probe, open addressing, at most half full.
 *
 * A slot is 16 bytes: the string, its length and 32 bits of its hash,
 * so a probe reads a key only on a likely match.  This replaced a
 * strmap (32-byte slots, a lookup and then an insert that probed again)
 * whose table, with the 430,000 values of a million-item train, was a
 * sixth of `railgate parse`'s time in cache misses and 64 MB of pages
 * the kernel had to zero (bench/edifact.sh).  Growing reads no string
 * (slot_of()).  Tables of 2 MiB and more are mapped in the pages arena
 * chunks get (arena_map_pages()): huge ones when they come cheap, so
 * that a random probe then seldom misses the TLB as well as the cache.
 */
#include <sys/mman.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bytes.h"
#include "strmap.h"
#include "strset.h"
#include "util.h"

#define STRSET_MIN	64			/* slots of a new set */
#define STRSET_MAP	((size_t)2 << 20)	/* tables this big are mapped */

struct strset_slot {
	const char	*s;		/* NULL: empty */
	uint32_t	 len;
	uint32_t	 tag;		/* the hash's high 32 bits */
};

/*
 * A string's slot is chosen by the top bits of its tag, so that growing
 * the table moves each slot by its tag alone: no string is read again
 * (hundreds of thousands of cache misses in a million-item train).
 * 2^32 slots at most, which no arena of strings fills.
 */
#define STRSET_MAX_BITS	32

struct strset {
	struct strset_slot	*slots;
	size_t			 mask;		/* capacity - 1, a power of two */
	unsigned		 bits;		/* capacity = 2^bits */
	size_t			 count;
};

/* The slot where a string of this tag is looked for first. */
static inline size_t
slot_of(const struct strset *s, uint32_t tag)
{
	return (size_t)(tag >> (32 - s->bits));
}

/* A zeroed table of n slots: mapped when big, else calloc'd. */
static struct strset_slot *
table_new(size_t n)
{
	size_t	 bytes = n * sizeof(struct strset_slot);
	void	*p;

	if (bytes < STRSET_MAP)
		return xcalloc(n, sizeof(struct strset_slot));
	/* bytes is a power of two from 2 MiB: mapped as it is. */
	if ((p = arena_map_pages(bytes)) == NULL)
		return xcalloc(n, sizeof(struct strset_slot));
	return p;
}

/* Frees a table of n slots made by table_new(). */
static void
table_free(struct strset_slot *t, size_t n)
{
	size_t	bytes = n * sizeof(struct strset_slot);

	if (t == NULL)
		return;
	/* A mapping that failed fell back to calloc: munmap says EINVAL. */
	if (bytes < STRSET_MAP || munmap(t, bytes) != 0)
		free(t);
}

struct strset *
strset_new(void)
{
	struct strset	*s = xcalloc(1, sizeof *s);

	s->mask = STRSET_MIN - 1;
	s->bits = __builtin_ctz(STRSET_MIN);
	s->slots = table_new(STRSET_MIN);
	return s;
}

void
strset_free(struct strset *s)
{
	if (s == NULL)
		return;
	table_free(s->slots, s->mask + 1);
	free(s);
}

/* Doubles the table, placing each slot by its tag (slot_of). */
static void
strset_grow(struct strset *s)
{
	struct strset_slot	*old = s->slots, *t;
	size_t			 i, j, oldcap = s->mask + 1;

	if (s->bits == STRSET_MAX_BITS)
		return;		/* fuller than half: slower, still right */
	s->mask = oldcap * 2 - 1;
	s->bits++;
	t = s->slots = table_new(oldcap * 2);
	for (i = 0; i < oldcap; i++) {
		if (old[i].s == NULL)
			continue;
		j = slot_of(s, old[i].tag);
		while (t[j].s != NULL)
			j = (j + 1) & s->mask;
		t[j] = old[i];
	}
	table_free(old, oldcap);
}

const char *
strset_intern(struct strset *s, struct arena *a, const char *text, size_t len)
{
	uint64_t		 h = strmap_hash(text, len);
	uint32_t		 tag = (uint32_t)(h >> 32);
	struct strset_slot	*sl;
	size_t			 i;
	char			*copy;

	for (i = slot_of(s, tag);; i = (i + 1) & s->mask) {
		sl = &s->slots[i];
		if (sl->s == NULL)
			break;
		if (sl->tag == tag && sl->len == len &&
		    manifest_bytes_equal(sl->s, text, len))
			return sl->s;
	}
	/* 4 GiB and more: no slot holds its length; a copy of its own. */
	if (len > UINT32_MAX)
		return arena_strndup(a, text, len);
	copy = arena_strndup(a, text, len);
	sl->s = copy;
	sl->len = (uint32_t)len;
	sl->tag = tag;
	if (++s->count * 2 > s->mask + 1)
		strset_grow(s);
	return copy;
}

size_t
strset_count(const struct strset *s)
{
	return s->count;
}
