/*
 * arena.h -- a bump allocator: many small allocations, one free.
 *
 * An arena owns every block it hands out; arena_free() releases them all
 * in one step, which is how a million-item train is freed.  Nothing
 * allocated from an arena may be passed to free().  An arena is used by
 * one thread at a time.
 */
#ifndef MANIFEST_ARENA_H
#define MANIFEST_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

/* A new, empty arena owned by the caller. */
struct arena *arena_new(void);
/* Releases the arena and everything allocated from it; accepts NULL. */
void arena_free(struct arena *a);

/*
 * size bytes aligned to 8 (any scalar but long double; arena.c says
 * why); owned by the arena; never NULL.
 */
void *arena_alloc(struct arena *a, size_t size);
/* As arena_alloc, zero-filled. */
void *arena_zalloc(struct arena *a, size_t size);
/* A NUL-terminated copy of len bytes at s, owned by the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
/*
 * Grows an arena-owned array of elements of size bytes from *cap to at
 * least need; returns the array, perhaps moved.  The old block is then
 * dead -- a later arena_grow may reuse it --, so no pointer into the
 * array may be kept across a call.
 */
void *arena_grow(struct arena *a, void *old, size_t *cap, size_t need, size_t size);

/*
 * Gives back the unused tail of an array from arena_grow() that holds
 * n > 0 elements of size bytes, when it is the last block of the current
 * chunk (as an array that grew in place is): *cap becomes n.  Otherwise
 * nothing changes.  The array may grow again after.
 */
void arena_trim(struct arena *a, void *p, size_t *cap, size_t n, size_t size);

/*
 * Starts a thread that maps and touches the arena's next big chunks
 * ahead of their use (arena.c says why), while the arena is expected to
 * reach expect bytes in all: for a reader about to fill it with a big
 * train.  The arena is still used by one thread; the chunks it takes
 * ready are its own as any other.  0, or -1 when no thread was started
 * (the arena then maps its chunks itself, as without).
 */
int arena_prefault_start(struct arena *a, size_t expect);
/*
 * The same without the thread: the chunks are filled, a slice of pages
 * at a time, by arena_prefault_step() from a thread the caller already
 * has and that would otherwise wait (arena.c says why).  0, or -1 as
 * arena_prefault_start.
 */
int arena_prefault_begin(struct arena *a, size_t expect);
/*
 * Fills a slice of the next chunk wanted (64 pages, about 30
 * microseconds); false when none is wanted now (the arena may want more
 * once it has taken what is ready) or nothing was begun.  One thread at
 * a time, not the arena's own, may call it while the arena is used, and
 * none once arena_prefault_stop() is called.
 */
bool arena_prefault_step(struct arena *a);
/*
 * A better guess of the arena's final size, from the reader's progress:
 * no chunk is prepared past it (each one would be held, unused, to the
 * end of the parse).  Nothing when none was begun.
 */
void arena_prefault_expect(struct arena *a, size_t expect);
/*
 * The same from a reader that has read done of its total bytes: the
 * arena will hold as much, for the whole, as it took for the part read
 * (from the first MiB on, where a header would skew the guess).
 */
void arena_prefault_progress(struct arena *a, size_t done, size_t total);
/* Chunks prepared and not yet taken (statistics, tests); 0 when none begun. */
int arena_prefault_ready(struct arena *a);
/*
 * Stops the thread, or ends what arena_prefault_begin() began, unmapping
 * the chunks prepared and not taken (whole or in part); arena_free()
 * does it too.  Returns how many chunks the arena took ready (0 when
 * none was begun).
 */
size_t arena_prefault_stop(struct arena *a);

/* Bytes obtained from the system, for statistics and memory limits. */
/*
 * The CPU time the filler last took to fill a chunk (4 MiB) of
 * huge pages and of small ones (0: none filled yet): chunks are mapped
 * in the kind that cost less (arena.c).  For benchmarks and tests.
 */
void arena_pages_costs(uint64_t *huge_ns, uint64_t *small_ns);
/*
 * A zero-filled mapping of bytes rounded up to 2 MiB, at a 2 MiB
 * boundary, in the size of page that has cost this process less to fill
 * (arena.c); the caller owns it and unmaps the rounded size.  NULL when
 * the system maps nothing.
 */
void *arena_map_pages(size_t bytes);
size_t arena_bytes(const struct arena *a);

#endif
