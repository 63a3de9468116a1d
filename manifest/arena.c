/*
 * arena.c -- bump allocation in chunks.
 *
 * Chunks grow geometrically (64 KiB up to 4 MiB) so that small trains
 * stay small and large ones make few calls to malloc.  A request larger
 * than a quarter of the chunk size gets a chunk of its own, so one big
 * array does not waste the rest of the current chunk.
 *
 * Chunks of 2 MiB and more are mapped directly, aligned to 2 MiB, in
 * whichever size of page has cost less to fill (below).
 *
 * Prefaulting.  The kernel must fill each fresh page, and on a virtual
 * machine whose host takes freed memory back (free page reporting) a
 * first touch costs the host's fault as well: a profile of `railgate
 * parse` on the 1,000,000-item CUSCAR train spent 40% of its CPU in
 * clear_page.  A big reader therefore asks for its next chunks to be
 * mapped and touched ahead, on a thread of its own (arena_prefault_start)
 * or by one it has (below): the reading thread takes a chunk ready, and
 * only maps one itself when the filler is behind.
 *
 * Page size.  This 2-core machine filled huge pages freed a moment ago
 * at 5 to 8 GB/s, but ones the host had taken back at 95 to 340 MB/s,
 * while small pages came at about 2.5 GB/s however long ago they were
 * freed (bench/edifact.sh, docs/performance.md).  The daemon's memory is
 * mostly the cold kind -- a big train comes minutes after the last --
 * and huge pages made its parse of a 1,000,000-parcel train 0.7 s where
 * small ones take 0.4 s; a benchmark parsing the same file again and
 * again finds them warm and 15% faster than small ones.  So the
 * filler times each chunk it fills, in its own CPU time, and
 * chunks are mapped in the kind of page that cost less last time; the
 * other kind is tried again after PAGES_RETRY chunks, twice as late each
 * time it loses again.  What is learnt is the machine's, not one
 * train's: it is kept for the process.
 *
 * Who fills them.  The EDIFACT reader of a big train is already two
 * threads, the lexer and the mapper, and the mapper sets the pace; on
 * two cores a third, the prefault thread, took its share of the
 * mapper's core: 0.41-0.56 s (median 0.50) to read the shared
 * million-item CUSCAR train of bench/edifact.sh, against 0.45-0.54
 * without prefaulting at all.  So a reader with a thread of its own that
 * waits for it has that thread fill the chunks instead
 * (arena_prefault_begin, arena_prefault_step): the lexer, while the
 * mapper is a few batches behind, a slice of pages at a time, and the
 * mapper's core is its own.  A reader with no such thread (XML, where
 * libxml2 reads on one core) has the prefault thread.
 */
#include <sys/mman.h>
#include <pthread.h>
#include <signal.h>

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "util.h"

/*
 * 8, not max_align_t's 16: nothing kept in an arena needs more (pointers,
 * 64-bit integers, doubles; no long double, no vector type), and a goods
 * item of 152 bytes then costs 152, not 160 -- 8 MB of a million-parcel
 * train.
 */
#define ARENA_ALIGN	((size_t)8)
#define ARENA_MIN_CHUNK	(64u * 1024)
#define ARENA_MAX_CHUNK	(4u * 1024 * 1024)
#define ARENA_HUGE	(2u * 1024 * 1024)	/* x86-64 huge page */

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 size;		/* usable bytes after the header */
	size_t			 used;
	size_t			 mapped;	/* bytes mmap'd; 0: malloc'd */
	alignas(max_align_t) unsigned char data[];
};

/*
 * Blocks arena_grow() left behind, of 2^k bytes (k from ARENA_SPARE_MIN),
 * linked through their first word: the next array growing to that size
 * takes one.  A consignment's item list grows 1, 2, 4, ... 256 pointers
 * while its items are allocated between the steps, so it never grows in
 * place; without this, the blocks it outgrew were a twentieth of a
 * million-parcel train's model.
 */
#define ARENA_SPARE_MIN	8		/* 256 bytes: small arrays are not worth it */
#define ARENA_SPARE_MAX	20		/* 1 MiB: larger ones have chunks of their own */

enum arena_pages {
	PAGES_HUGE,
	PAGES_SMALL,
};

/*
 * The filler's side of an arena: chunks of ARENA_MAX_CHUNK bytes, mapped
 * and touched, up to PREFAULT_DEPTH ahead of the reader and no further
 * than the arena is expected to grow.  Two are enough ahead: a chunk is
 * touched in under a millisecond warm and about 13 ms cold, about as
 * long as the reader takes to fill one; every chunk ready but never
 * taken is memory the daemon holds at the end of a parse, its peak.
 * The filler is the prefault thread (threaded) or whichever thread calls
 * arena_prefault_step(), one at a time.  Under mu: ready to taken;
 * the filler's alone: filling to fill_ns.
 */
#define PREFAULT_DEPTH	2
#define PREFAULT_STEP	64		/* pages arena_prefault_step() fills */
#define PAGE_BYTES	4096
struct arena_prefault {
	pthread_t	 thread;
	bool		 threaded;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* a chunk was taken, more expected, or stop */
	void		*ready[PREFAULT_DEPTH];
	int		 nready;
	bool		 stop;
	size_t		 have;		/* the arena's bytes when last told */
	size_t		 expect;	/* the arena's expected size in all */
	size_t		 taken;		/* chunks the arena took ready */
	unsigned char	*filling;	/* touched up to filled; NULL: none */
	size_t		 filled;
	enum arena_pages kind;		/* of filling */
	uint64_t	 fill_ns;	/* CPU spent filling it so far */
};

struct arena {
	struct arena_chunk	*head;		/* current chunk, bumped into */
	struct arena_chunk	*large;		/* dedicated chunks of big requests */
	size_t			 next_size;
	size_t			 bytes;
	void			*spare[ARENA_SPARE_MAX + 1];
	struct arena_prefault	*prefault;	/* NULL: none begun */
};

#define PAGES_RETRY	8	/* chunks before the costlier kind is retried */
#define PAGES_RETRY_MAX	64
static struct {
	pthread_mutex_t	mu;
	uint64_t	ns[2];		/* CPU to fill the last chunk of each kind; 0: none yet */
	unsigned	since;		/* chunks since the costlier kind was tried */
	unsigned	every;		/* tried again after this many */
} arena_pages = { PTHREAD_MUTEX_INITIALIZER, { 0, 0 }, 0, PAGES_RETRY };

static struct arena_chunk *arena_chunk_new(struct arena *, size_t);
static void *arena_map(size_t, enum arena_pages);
static void *arena_prefault_take(struct arena_prefault *);

/* Allocates an empty arena. */
struct arena *
arena_new(void)
{
	struct arena	*a;

	a = xcalloc(1, sizeof *a);
	a->next_size = ARENA_MIN_CHUNK;
	return a;
}

/* Frees every chunk, then the arena. */
void
arena_free(struct arena *a)
{
	struct arena_chunk	*c, *next;
	int			 i;

	if (a == NULL)
		return;
	(void)arena_prefault_stop(a);
	for (i = 0; i < 2; i++) {
		for (c = i == 0 ? a->head : a->large; c != NULL; c = next) {
			next = c->next;
			if (c->mapped != 0)
				munmap(c, c->mapped);
			else
				free(c);
		}
	}
	free(a);
}

/*
 * The kind of page that cost less to fill last time, under mu; small
 * until huge ones are known to be cheaper: a cold huge page costs eight
 * times a small one here, a warm one half.
 */
static enum arena_pages
arena_pages_best(void)
{
	return arena_pages.ns[PAGES_HUGE] != 0 &&
	    arena_pages.ns[PAGES_HUGE] < arena_pages.ns[PAGES_SMALL] ?
	    PAGES_HUGE : PAGES_SMALL;
}

static enum arena_pages
arena_pages_cheaper(void)
{
	enum arena_pages	k;

	pthread_mutex_lock(&arena_pages.mu);
	k = arena_pages_best();
	pthread_mutex_unlock(&arena_pages.mu);
	return k;
}

/* The kind of page the filler's next chunk is to be in. */
static enum arena_pages
arena_pages_next(void)
{
	enum arena_pages	k;
	uint64_t		*ns = arena_pages.ns;

	pthread_mutex_lock(&arena_pages.mu);
	if (ns[PAGES_SMALL] == 0)
		k = PAGES_SMALL;
	else if (ns[PAGES_HUGE] == 0)
		k = PAGES_HUGE;
	else {
		k = arena_pages_best();
		if (++arena_pages.since >= arena_pages.every) {
			arena_pages.since = 0;
			k = k == PAGES_SMALL ? PAGES_HUGE : PAGES_SMALL;
		}
	}
	pthread_mutex_unlock(&arena_pages.mu);
	return k;
}

/* A chunk of kind k took ns of CPU to fill. */
static void
arena_pages_took(enum arena_pages k, uint64_t ns)
{
	uint64_t	*have = arena_pages.ns;
	enum arena_pages other = k == PAGES_SMALL ? PAGES_HUGE : PAGES_SMALL;

	pthread_mutex_lock(&arena_pages.mu);
	if (have[k] != 0 && have[other] != 0 && have[k] > have[other]) {
		/* The costlier kind, tried again. */
		if (ns >= have[other])
			arena_pages.every = arena_pages.every < PAGES_RETRY_MAX ?
			    arena_pages.every * 2 : PAGES_RETRY_MAX;
		else
			arena_pages.every = PAGES_RETRY;
	}
	have[k] = ns != 0 ? ns : 1;
	pthread_mutex_unlock(&arena_pages.mu);
}

static uint64_t
thread_cpu_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * total bytes (a multiple of ARENA_HUGE) mapped at a 2 MiB boundary and,
 * for PAGES_HUGE, advised for huge pages; NULL when the system will not
 * map them.
 */
static void *
arena_map(size_t total, enum arena_pages k)
{
	unsigned char	*p, *start;
	size_t		 lead;

	p = mmap(NULL, total + ARENA_HUGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Trim the mapping to the aligned window inside it. */
	start = (unsigned char *)(((uintptr_t)p + ARENA_HUGE - 1) &
	    ~(uintptr_t)(ARENA_HUGE - 1));
	lead = (size_t)(start - p);
	if (lead != 0)
		munmap(p, lead);
	munmap(start + total, ARENA_HUGE - lead);
	/* Only advice: without huge pages the chunk still works. */
	if (k == PAGES_HUGE)
		(void)madvise(start, total, MADV_HUGEPAGE);
	return start;
}

void
arena_pages_costs(uint64_t *huge_ns, uint64_t *small_ns)
{
	pthread_mutex_lock(&arena_pages.mu);
	*huge_ns = arena_pages.ns[PAGES_HUGE];
	*small_ns = arena_pages.ns[PAGES_SMALL];
	pthread_mutex_unlock(&arena_pages.mu);
}

void *
arena_map_pages(size_t bytes)
{
	size_t	total = (bytes + ARENA_HUGE - 1) & ~(size_t)(ARENA_HUGE - 1);

	return total < bytes ? NULL : arena_map(total, arena_pages_cheaper());
}

/* A chunk with at least size usable bytes, counted in the arena. */
static struct arena_chunk *
arena_chunk_new(struct arena *a, size_t size)
{
	struct arena_chunk	*c = NULL;
	size_t			 total, mapped = 0;

	if (size > SIZE_MAX / 2)
		size = SIZE_MAX / 2;	/* xmalloc will then fail loudly */
	total = sizeof *c + size;
	if (total == ARENA_MAX_CHUNK && a->prefault != NULL &&
	    (c = arena_prefault_take(a->prefault)) != NULL) {
		mapped = ARENA_MAX_CHUNK;
		size = mapped - sizeof *c;
	}
	if (c == NULL && total >= ARENA_HUGE && total <= SIZE_MAX / 4) {
		mapped = (total + ARENA_HUGE - 1) & ~(size_t)(ARENA_HUGE - 1);
		if ((c = arena_map(mapped, arena_pages_cheaper())) != NULL)
			size = mapped - sizeof *c;	/* use the whole pages */
		else
			mapped = 0;
	}
	if (c == NULL)
		c = xmalloc(total);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	c->mapped = mapped;
	a->bytes += sizeof *c + size;
	return c;
}

/* Bumps the current chunk, starting a new one when it is full. */
void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk	*c;
	size_t			 need;

	need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	c = a->head;
	/* The common case first: a small block that fits the current chunk. */
	if (need < ARENA_MIN_CHUNK / 4 && need >= size && c != NULL &&
	    c->size - c->used >= need) {
		c->used += need;
		return c->data + c->used - need;
	}
	if (need < size)
		need = SIZE_MAX;
	if (need > a->next_size / 4 && need >= ARENA_MIN_CHUNK / 4) {
		c = arena_chunk_new(a, need);
		c->next = a->large;
		a->large = c;
		c->used = need;
		return c->data;
	}
	c = a->head;
	if (c == NULL || c->size - c->used < need) {
		/* Header included, so a 2 MiB chunk is exactly 2 MiB of pages. */
		c = arena_chunk_new(a, a->next_size - sizeof *c);
		c->next = a->head;
		a->head = c;
		if (a->next_size < ARENA_MAX_CHUNK)
			a->next_size *= 2;
	}
	c->used += need;
	return c->data + c->used - need;
}

/* Zero-filled arena_alloc. */
void *
arena_zalloc(struct arena *a, size_t size)
{
	void	*p;

	p = arena_alloc(a, size);
	memset(p, 0, size);
	return p;
}

/* Copies len bytes and a terminating NUL into the arena. */
char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char	*p;

	p = arena_alloc(a, len + 1);
	if (len != 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Copies a NUL-terminated string into the arena. */
char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/*
 * Grows an array to hold need elements: exactly need the first time,
 * doubling after.  The old block is dead: the next array growing to its
 * size (a power of two from 256 bytes) may take it (arena_spare_take);
 * any other stays unused until the arena is freed.  When it is the last
 * block of the current chunk and the chunk has room, it grows where it
 * is instead (arena_grow_in_place), as a wagon's item list does while
 * manifest_train_finish() links a big train's items wagon by wagon.
 */
/* k when bytes is 2^k within the spare lists' range, else -1. */
static int
arena_spare_class(size_t bytes)
{
	int	k;

	if (bytes == 0 || (bytes & (bytes - 1)) != 0)
		return -1;
	k = __builtin_ctzll((unsigned long long)bytes);
	return k >= ARENA_SPARE_MIN && k <= ARENA_SPARE_MAX ? k : -1;
}

/* A spare block of exactly bytes, or NULL. */
static void *
arena_spare_take(struct arena *a, size_t bytes)
{
	int	 k = arena_spare_class(bytes);
	void	*p;

	if (k < 0 || (p = a->spare[k]) == NULL)
		return NULL;
	a->spare[k] = *(void **)p;	/* aligned: an arena block */
	return p;
}

/* Keeps an outgrown array's block for the next array of its size. */
static void
arena_spare_put(struct arena *a, void *old, size_t bytes)
{
	int	k = arena_spare_class(bytes);

	if (k < 0)
		return;
	*(void **)old = a->spare[k];
	a->spare[k] = old;
}

static bool
arena_grow_in_place(struct arena *a, void *old, size_t oldbytes,
    size_t bytes)
{
	struct arena_chunk	*c = a->head;
	size_t			 have, want;

	if (c == NULL || old == NULL)
		return false;
	have = (oldbytes + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	want = (bytes + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (want < bytes || have > c->used ||
	    (unsigned char *)old != c->data + c->used - have ||
	    want - have > c->size - c->used)
		return false;
	c->used += want - have;
	return true;
}

void *
arena_grow(struct arena *a, void *old, size_t *cap, size_t need, size_t size)
{
	size_t	 ncap, bytes;
	void	*p;

	if (need <= *cap)
		return old;
	/* Most arrays hold one element (a seal, a placement): start exact. */
	ncap = *cap == 0 ? need : *cap * 2;
	while (ncap < need)
		ncap *= 2;
	/* No division on the way: this runs for every item's first placement. */
	if (__builtin_mul_overflow(ncap, size, &bytes)) {
		ncap = SIZE_MAX / size;
		bytes = ncap * size;
	}
	if (*cap != 0 && arena_grow_in_place(a, old, *cap * size, bytes)) {
		*cap = ncap;
		return old;
	}
	if ((p = arena_spare_take(a, bytes)) == NULL)
		p = arena_alloc(a, bytes);
	if (*cap != 0) {
		memcpy(p, old, *cap * size);
		arena_spare_put(a, old, *cap * size);
	}
	*cap = ncap;
	return p;
}

void
arena_trim(struct arena *a, void *p, size_t *cap, size_t n, size_t size)
{
	struct arena_chunk	*c = a->head;
	size_t			 have, want;

	if (c == NULL || p == NULL || n == 0 || n >= *cap)
		return;
	have = (*cap * size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	want = (n * size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (have > c->used || (unsigned char *)p != c->data + c->used - have)
		return;
	c->used -= have - want;
	*cap = n;
}

/* Bytes the arena holds from the system. */
size_t
arena_bytes(const struct arena *a)
{
	return a->bytes;
}

/* Whether one more chunk ready stays within what the arena will take. */
static bool
arena_prefault_wanted(const struct arena_prefault *pf)
{
	return pf->nready < PREFAULT_DEPTH && pf->have +
	    (size_t)(pf->nready + 1) * ARENA_MAX_CHUNK <= pf->expect;
}

/*
 * Writes a byte of up to pages more pages of the chunk being filled --
 * mapping one first when another is wanted -- so that the kernel (and
 * the host) fill them here rather than under the reader, and hands the
 * chunk to the arena once whole.  1: pages were filled; 0: no chunk is
 * wanted now; -1: the system maps nothing (the reader maps its own).
 * Only the filler calls it, never holding mu.
 */
static int
prefault_fill(struct arena_prefault *pf, size_t pages)
{
	volatile unsigned char	*p;
	size_t			 end, i;
	uint64_t		 t0;
	bool			 wanted;

	if (pf->filling == NULL) {
		pthread_mutex_lock(&pf->mu);
		wanted = !pf->stop && arena_prefault_wanted(pf);
		pthread_mutex_unlock(&pf->mu);
		if (!wanted)
			return 0;
		pf->kind = arena_pages_next();
		if ((pf->filling = arena_map(ARENA_MAX_CHUNK, pf->kind)) == NULL)
			return -1;
		pf->filled = 0;
		pf->fill_ns = 0;
	}
	p = pf->filling;
	end = ARENA_MAX_CHUNK - pf->filled > pages * PAGE_BYTES ?
	    pf->filled + pages * PAGE_BYTES : ARENA_MAX_CHUNK;
	t0 = thread_cpu_ns();
	for (i = pf->filled; i < end; i += PAGE_BYTES)
		p[i] = 0;
	pf->fill_ns += thread_cpu_ns() - t0;
	pf->filled = end;
	if (end < ARENA_MAX_CHUNK)
		return 1;
	arena_pages_took(pf->kind, pf->fill_ns);
	/* wanted() kept nready under PREFAULT_DEPTH, and only the reader
	 * has taken any since. */
	pthread_mutex_lock(&pf->mu);
	pf->ready[pf->nready++] = pf->filling;
	pthread_mutex_unlock(&pf->mu);
	pf->filling = NULL;
	return 1;
}

/* The prefault thread: a whole chunk at a time, while one is wanted. */
static void *
arena_prefault_main(void *arg)
{
	struct arena_prefault	*pf = arg;
	int			 rc = 0;

	pthread_mutex_lock(&pf->mu);
	while (!pf->stop && rc >= 0) {
		if (!arena_prefault_wanted(pf)) {
			pthread_cond_wait(&pf->cv, &pf->mu);
			continue;
		}
		pthread_mutex_unlock(&pf->mu);
		rc = prefault_fill(pf, ARENA_MAX_CHUNK / PAGE_BYTES);
		pthread_mutex_lock(&pf->mu);
	}
	pthread_mutex_unlock(&pf->mu);
	return NULL;
}

/* The oldest ready chunk, or NULL when the filler is behind. */
static void *
arena_prefault_take(struct arena_prefault *pf)
{
	void	*p = NULL;

	pthread_mutex_lock(&pf->mu);
	if (pf->nready > 0) {
		p = pf->ready[0];
		memmove(pf->ready, pf->ready + 1,
		    (size_t)(pf->nready - 1) * sizeof *pf->ready);
		pf->nready--;
		pf->taken++;
		pf->have += ARENA_MAX_CHUNK;
		pthread_cond_signal(&pf->cv);
	}
	pthread_mutex_unlock(&pf->mu);
	return p;
}

/* Frees pf, whose filler has stopped, and the chunks it did not hand over. */
static void
prefault_free(struct arena_prefault *pf)
{
	while (pf->nready > 0)
		munmap(pf->ready[--pf->nready], ARENA_MAX_CHUNK);
	if (pf->filling != NULL)
		munmap(pf->filling, ARENA_MAX_CHUNK);
	pthread_cond_destroy(&pf->cv);
	pthread_mutex_destroy(&pf->mu);
	free(pf);
}

int
arena_prefault_begin(struct arena *a, size_t expect)
{
	struct arena_prefault	*pf;

	if (a->prefault != NULL || expect < a->bytes + ARENA_MAX_CHUNK)
		return -1;
	pf = xcalloc(1, sizeof *pf);
	pthread_mutex_init(&pf->mu, NULL);
	pthread_cond_init(&pf->cv, NULL);
	pf->have = a->bytes;
	pf->expect = expect;
	a->prefault = pf;
	return 0;
}

int
arena_prefault_start(struct arena *a, size_t expect)
{
	struct arena_prefault	*pf;
	sigset_t		 all, old;
	int			 rc;

	if (arena_prefault_begin(a, expect) < 0)
		return -1;
	pf = a->prefault;
	pf->threaded = true;	/* before the thread: no step may fill */
	/* The thread takes no signal, as the EDIFACT lexer's: the caller's
	 * threads handle them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&pf->thread, NULL, arena_prefault_main, pf);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		a->prefault = NULL;
		prefault_free(pf);
		return -1;
	}
	return 0;
}

bool
arena_prefault_step(struct arena *a)
{
	return a->prefault != NULL && !a->prefault->threaded &&
	    prefault_fill(a->prefault, PREFAULT_STEP) > 0;
}

void
arena_prefault_expect(struct arena *a, size_t expect)
{
	struct arena_prefault	*pf = a->prefault;

	if (pf == NULL)
		return;
	pthread_mutex_lock(&pf->mu);
	pf->have = a->bytes;
	pf->expect = expect;
	if (arena_prefault_wanted(pf))	/* else the thread need not wake */
		pthread_cond_signal(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
}

void
arena_prefault_progress(struct arena *a, size_t done, size_t total)
{
	if (a->prefault != NULL && done >= ((size_t)1 << 20) && done < total)
		arena_prefault_expect(a, (size_t)((double)a->bytes /
		    (double)done * (double)total));
}

int
arena_prefault_ready(struct arena *a)
{
	struct arena_prefault	*pf = a->prefault;
	int			 n;

	if (pf == NULL)
		return 0;
	pthread_mutex_lock(&pf->mu);
	n = pf->nready;
	pthread_mutex_unlock(&pf->mu);
	return n;
}

size_t
arena_prefault_stop(struct arena *a)
{
	struct arena_prefault	*pf = a->prefault;
	size_t			 taken;

	if (pf == NULL)
		return 0;
	if (pf->threaded) {
		pthread_mutex_lock(&pf->mu);
		pf->stop = true;
		pthread_cond_signal(&pf->cv);
		pthread_mutex_unlock(&pf->mu);
		pthread_join(pf->thread, NULL);
	}
	taken = pf->taken;
	prefault_free(pf);
	a->prefault = NULL;
	return taken;
}
