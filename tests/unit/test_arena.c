/*
 * test_arena.c -- manifest/arena.c: arrays grown by arena_grow keep their
 * elements whether they grow in place, into a spare block another array
 * outgrew, or into a new one; and the spare blocks are used (a million
 * parcels' consignment lists must not leave a tenth of the model behind);
 * chunks prefaulted on a thread of their own, or a slice at a time by
 * a thread the reader has (arena_prefault_step), are used, hold what is
 * written to them, and are given back whether the arena takes them or
 * not; both sizes of page are tried and timed, and a mapping for a big
 * table is aligned, zeroed and writable; manifest/strset.c: one copy per
 * distinct string through the set's growth into mapped tables.
 */
#include <sys/mman.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/arena.h"
#include "manifest/util.h"
#include "manifest/strmap.h"
#include "manifest/strset.h"

#include "unit.h"

#define NARRAYS	2000
#define NELEMS	300

/* Grows NARRAYS arrays one after the other, interleaved with other
 * blocks (as a consignment's items are), and checks every element. */
static size_t
grow_interleaved(struct arena *a, bool interleave)
{
	size_t	 i, k;
	bool	 ok = true;

	for (i = 0; i < NARRAYS; i++) {
		uintptr_t	*v = NULL;
		size_t		 cap = 0;

		for (k = 0; k < NELEMS; k++) {
			v = arena_grow(a, v, &cap, k + 1, sizeof *v);
			v[k] = i * 1000 + k;
			if (interleave)
				memset(arena_alloc(a, 16), 0xa5, 16);
		}
		for (k = 0; k < NELEMS; k++)
			ok = ok && v[k] == i * 1000 + k;
	}
	CU_ASSERT_TRUE(ok);
	return arena_bytes(a);
}

static void
t_arena_grow_keeps_elements_and_reuses_blocks(void)
{
	struct arena	*a = arena_new();
	size_t		 lists, items;

	/* Only the lists: each grows in place at the top of the chunk. */
	lists = grow_interleaved(a, false);
	CU_ASSERT_TRUE(lists < 2 * NARRAYS * NELEMS * sizeof(uintptr_t) + (1 << 20));
	arena_free(a);
	/* With items between the steps: the outgrown blocks of 256 bytes
	 * and more are taken by the next lists, so the lists cost about
	 * their final size (512 pointers each) plus one set of spares. */
	a = arena_new();
	items = grow_interleaved(a, true);
	CU_ASSERT_TRUE(items < (size_t)NARRAYS * NELEMS * 16 +
	    (size_t)NARRAYS * 512 * sizeof(uintptr_t) + (4 << 20));
	arena_free(a);
}

/*
 * A list grown in place gives its unused tail back: the next allocation
 * starts right after its last element; a list that is not the last block
 * keeps its capacity.
 */
static void
t_arena_trim_gives_back_the_tail(void)
{
	struct arena	*a = arena_new();
	size_t		 cap = 0, cap2 = 0, i;
	long		*v = NULL, *w;
	char		*next;

	for (i = 0; i < 100; i++) {
		v = arena_grow(a, v, &cap, i + 1, sizeof *v);
		v[i] = (long)i;
	}
	CU_ASSERT_EQUAL(cap, 128);
	arena_trim(a, v, &cap, 100, sizeof *v);
	CU_ASSERT_EQUAL(cap, 100);
	next = arena_alloc(a, 8);
	CU_ASSERT_PTR_EQUAL(next, (char *)(v + 100));
	for (i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(v[i], (long)i);
	/* v is no longer the last block: nothing changes. */
	w = arena_grow(a, NULL, &cap2, 4, sizeof *w);
	(void)arena_alloc(a, 8);
	arena_trim(a, w, &cap2, 1, sizeof *w);
	CU_ASSERT_EQUAL(cap2, 4);
	arena_free(a);
}

/*
 * 300,000 distinct strings (the table grows past 2 MiB, into a mapping)
 * each interned twice: the second time gives the first copy, equal
 * bytes from another buffer too, and prefixes stay distinct.
 */
static void
t_strset_one_copy_per_string(void)
{
	struct arena	 *a = arena_new();
	struct strset	 *s = strset_new();
	const char	**first;
	char		  key[32];
	size_t		  i, n = 300000;
	bool		  ok = true;

	first = calloc(n, sizeof *first);
	for (i = 0; i < n; i++) {
		int len = snprintf(key, sizeof key, "K%zu", i * 7919);

		first[i] = strset_intern(s, a, key, (size_t)len);
		ok = ok && strcmp(first[i], key) == 0 && first[i] != key;
	}
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(strset_count(s), n);
	for (i = 0; i < n; i++) {
		int len = snprintf(key, sizeof key, "K%zu", i * 7919);

		ok = ok && strset_intern(s, a, key, (size_t)len) == first[i];
	}
	CU_ASSERT_TRUE(ok);
	/* "K7", a prefix of the string of i = 1 ("K7919"), is one of its own. */
	CU_ASSERT_PTR_NOT_EQUAL(strset_intern(s, a, "K79", 2), first[1]);
	CU_ASSERT_STRING_EQUAL(strset_intern(s, a, "K79", 2), "K7");
	CU_ASSERT_EQUAL(strset_count(s), n + 1);
	free(first);
	strset_free(s);
	arena_free(a);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Keys a sender could choose to collide: with the hash's former fixed
 * words, any 16 bytes opening with the 8 that cancel its last word
 * hashed to 0 -- 20,000 such tracking numbers, one slot, each insert
 * walking all the others.  Keyed at random per process, they spread.
 */
static void
t_strmap_hash_keyed(void)
{
	static const char	 zero[8] = { '\xdb', '\x28', '\xb4', '\xa0',
				     '\xd1', '\x7e', '\x03', '\xe7' };
	size_t			 i, n = 20000, distinct = 1;
	uint64_t		*h = calloc(n, sizeof *h);
	char			 key[16];

	for (i = 0; i < n; i++) {
		memcpy(key, zero, 8);
		snprintf(key + 8, 8, "%07zu", i);
		h[i] = strmap_hash(key, 15);
	}
	qsort(h, n, sizeof *h, cmp_u64);
	for (i = 1; i < n; i++)
		distinct += h[i] != h[i - 1];
	CU_ASSERT_EQUAL(distinct, n);
	free(h);
}

/*
 * Fills an arena with n blocks of 64 bytes, each holding its index;
 * true when every block still holds it after all were written.
 */
static bool
fill_blocks(struct arena *a, size_t n)
{
	uint64_t	**v = xcalloc(n, sizeof *v);
	size_t		  i, k;
	bool		  ok = true;

	for (i = 0; i < n; i++) {
		v[i] = arena_alloc(a, 64);
		for (k = 0; k < 8; k++)
			v[i][k] = i * 8 + k;
	}
	for (i = 0; i < n && ok; i++)
		for (k = 0; k < 8; k++)
			ok = ok && v[i][k] == i * 8 + k;
	free(v);
	return ok;
}

/* Waits up to 5 s for the prefault thread to have n chunks ready. */
static bool
prefault_wait(struct arena *a, int n)
{
	int	i;

	for (i = 0; i < 500 && arena_prefault_ready(a) < n; i++)
		usleep(10 * 1000);
	return arena_prefault_ready(a) >= n;
}

/*
 * With the prefault thread, 56 MiB of blocks: the arena takes chunks
 * ready (the thread had time to prepare them), no more than expected,
 * and counts them as its own; a second start, or one expecting less than
 * a chunk more, is refused; stopping twice is harmless; told the arena
 * will not grow, the thread prepares no more; and an arena freed with
 * the thread still running stops it and gives its chunks back (ASan's
 * leak check in make check SANITIZE=1).
 */
static void
t_arena_prefault_chunks_used(void)
{
	struct arena	*a = arena_new(), *b = arena_new();
	size_t		 taken;

	CU_ASSERT_EQUAL(arena_prefault_start(a, (size_t)1 << 20), -1);
	CU_ASSERT_EQUAL(arena_prefault_start(a, (size_t)64 << 20), 0);
	CU_ASSERT_EQUAL(arena_prefault_start(a, (size_t)64 << 20), -1);
	CU_ASSERT_TRUE(fill_blocks(a, ((size_t)8 << 20) / 64));
	CU_ASSERT_TRUE(prefault_wait(a, 2));	/* two chunks ahead, no more */
	usleep(50 * 1000);
	CU_ASSERT_EQUAL(arena_prefault_ready(a), 2);
	CU_ASSERT_TRUE(fill_blocks(a, ((size_t)48 << 20) / 64));
	taken = arena_prefault_stop(a);
	CU_ASSERT(taken >= 2 && taken <= 16);
	CU_ASSERT_EQUAL(arena_prefault_ready(a), 0);
	CU_ASSERT(arena_bytes(a) >= ((size_t)56 << 20));
	CU_ASSERT_EQUAL(arena_prefault_stop(a), 0);
	CU_ASSERT_TRUE(fill_blocks(a, 1000));	/* and on without it */
	arena_free(a);

	/* A reader all but done: the arena will not grow, and no chunk is
	 * prepared past the two ready -- four at most with the two the first
	 * 8 MiB may have taken; without the call, the 24 MiB after take up
	 * to six more. */
	CU_ASSERT_EQUAL(arena_prefault_start(b, (size_t)64 << 20), 0);
	CU_ASSERT_TRUE(fill_blocks(b, ((size_t)8 << 20) / 64));
	arena_prefault_progress(b, ((size_t)8 << 20) - 1, (size_t)8 << 20);
	usleep(100 * 1000);
	CU_ASSERT_TRUE(fill_blocks(b, ((size_t)24 << 20) / 64));
	CU_ASSERT(arena_prefault_stop(b) <= 4);
	/* Freed with the thread running. */
	CU_ASSERT_EQUAL(arena_prefault_start(b, (size_t)64 << 20), 0);
	CU_ASSERT_TRUE(fill_blocks(b, 1000));
	CU_ASSERT_TRUE(prefault_wait(b, 2));	/* freed, unmapped, not taken */
	arena_free(b);
}

/*
 * Without a thread: nothing to step before a begin, nor for a thread
 * started; begun, steps fill two chunks ahead and then answer false; the
 * arena takes them, after which steps are wanted again; a chunk half
 * filled when the reader stops is given back with the rest (ASan's leak
 * check covers the bookkeeping, munmap the pages).
 */
static void
t_arena_prefault_stepped(void)
{
	struct arena	*a = arena_new(), *b = arena_new();
	int		 steps = 0;

	CU_ASSERT_FALSE(arena_prefault_step(a));	/* none begun */
	CU_ASSERT_EQUAL(arena_prefault_begin(a, (size_t)1 << 20), -1);
	CU_ASSERT_EQUAL(arena_prefault_begin(a, (size_t)64 << 20), 0);
	CU_ASSERT_EQUAL(arena_prefault_begin(a, (size_t)64 << 20), -1);
	CU_ASSERT_EQUAL(arena_prefault_start(a, (size_t)64 << 20), -1);
	while (steps < 1000 && arena_prefault_step(a))
		steps++;
	/* 4 MiB chunks of 4 KiB pages, 64 pages a step: 32 steps, 2 chunks. */
	CU_ASSERT_EQUAL(steps, 32);
	CU_ASSERT_EQUAL(arena_prefault_ready(a), 2);
	CU_ASSERT_FALSE(arena_prefault_step(a));
	CU_ASSERT_TRUE(fill_blocks(a, ((size_t)12 << 20) / 64));
	CU_ASSERT(arena_prefault_ready(a) < 2);
	CU_ASSERT_TRUE(arena_prefault_step(a));	/* wanted again */
	CU_ASSERT_TRUE(arena_prefault_step(a));	/* half a chunk at the stop */
	CU_ASSERT_EQUAL(arena_prefault_stop(a), 2);
	CU_ASSERT_FALSE(arena_prefault_step(a));
	CU_ASSERT_TRUE(fill_blocks(a, 1000));
	arena_free(a);

	/* A thread's chunks are its own to fill. */
	CU_ASSERT_EQUAL(arena_prefault_start(b, (size_t)64 << 20), 0);
	CU_ASSERT_FALSE(arena_prefault_step(b));
	arena_free(b);
}

/*
 * Chunks come in whichever size of page cost less to fill: a prefault
 * thread filling several chunks has tried both kinds and timed them (a
 * virtual machine's host can make huge pages eight times dearer than
 * small ones, or twice cheaper, arena.c); a mapping for a big table is
 * aligned to 2 MiB, zeroed and writable whichever kind it got.
 */
static void
t_arena_pages_both_kinds_timed(void)
{
	struct arena	*a = arena_new();
	uint64_t	 huge, small;
	unsigned char	*p;
	size_t		 i;
	bool		 zero = true;

	CU_ASSERT_EQUAL(arena_prefault_start(a, (size_t)64 << 20), 0);
	CU_ASSERT_TRUE(prefault_wait(a, 2));	/* a small chunk, a huge one */
	CU_ASSERT_TRUE(fill_blocks(a, ((size_t)24 << 20) / 64));
	(void)arena_prefault_stop(a);
	arena_free(a);
	arena_pages_costs(&huge, &small);
	CU_ASSERT(huge > 0);
	CU_ASSERT(small > 0);

	p = arena_map_pages((size_t)3 << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL((uintptr_t)p % ((uintptr_t)2 << 20), 0);
	for (i = 0; i < ((size_t)4 << 20); i += 4096) {
		zero = zero && p[i] == 0;
		p[i] = 0xa5;
	}
	CU_ASSERT_TRUE(zero);
	CU_ASSERT_EQUAL(munmap(p, (size_t)4 << 20), 0);
}

static CU_TestInfo arena_tests[] = {
	{ "t_arena_prefault_chunks_used", t_arena_prefault_chunks_used },
	{ "t_arena_prefault_stepped", t_arena_prefault_stepped },
	{ "t_arena_pages_both_kinds_timed", t_arena_pages_both_kinds_timed },
	{ "t_arena_grow_keeps_elements_and_reuses_blocks",
	  t_arena_grow_keeps_elements_and_reuses_blocks },
	{ "t_arena_trim_gives_back_the_tail", t_arena_trim_gives_back_the_tail },
	{ "t_strset_one_copy_per_string", t_strset_one_copy_per_string },
	{ "t_strmap_hash_keyed", t_strmap_hash_keyed },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("arena", NULL, NULL, arena_tests)
