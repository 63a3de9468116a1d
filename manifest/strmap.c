/*
 * strmap.c -- open addressing with linear probing, kept at most half full.
 *
 * Keys are compared by length and bytes; the hash is cached per slot so a
 * probe touches key memory only on a likely match.
 *
 * The hash is keyed with words drawn at random when the process starts.
 * Most keys come from manifests (tracking numbers, equipment numbers,
 * every shared string of the model): with a fixed hash, whoever sends a
 * manifest could choose a million keys of one slot and make each lookup
 * walk them all -- a train that takes hours to read.  Nothing keeps or
 * orders anything by a hash, so runs differ only in where keys sit.
 */
#include <sys/random.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

struct strmap_slot {
	const char	*key;
	size_t		 len;
	uint64_t	 hash;
	void		*value;
};

struct strmap {
	struct strmap_slot	*slots;
	size_t			 mask;		/* capacity - 1, a power of two */
	size_t			 count;
};

static struct strmap_slot *strmap_find(const struct strmap *, const char *,
    size_t, uint64_t);
static void strmap_grow(struct strmap *);

/* An empty map with room for a few keys. */
struct strmap *
strmap_new(void)
{
	struct strmap	*m;

	m = xcalloc(1, sizeof *m);
	m->mask = 15;
	m->slots = xcalloc(m->mask + 1, sizeof *m->slots);
	return m;
}

/* Frees the table. */
void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

/* Loads 8 or 4 bytes in machine order (a fixed-size memcpy is one load). */
static inline uint64_t
load64(const char *s)
{
	uint64_t	w;

	memcpy(&w, s, 8);
	return w;
}

static inline uint64_t
load32(const char *s)
{
	uint32_t	w;

	memcpy(&w, s, 4);
	return w;
}

/*
 * Up to 16 bytes as two words, every byte in at least one of them and no
 * byte read outside s: the first and the last (overlapping) 8 or 4 bytes,
 * or for 1-3 bytes the first, middle and last.  Two keys of the same
 * length give the same pair only when they are equal.
 */
static inline void
load_short(const char *s, size_t len, uint64_t *a, uint64_t *b)
{
	if (len >= 8) {
		*a = load64(s);
		*b = load64(s + len - 8);
	} else if (len >= 4) {
		*a = load32(s);
		*b = load32(s + len - 4);
	} else if (len > 0) {
		*a = (uint64_t)(unsigned char)s[0] << 16 |
		    (uint64_t)(unsigned char)s[len >> 1] << 8 |
		    (unsigned char)s[len - 1];
		*b = 0;
	} else
		*a = *b = 0;
}

/* The 128-bit product of a and b folded to 64 bits: every bit of both
 * inputs reaches the low bits, which index the table. */
static inline uint64_t
mix(uint64_t a, uint64_t b)
{
	unsigned __int128	p = (unsigned __int128)a * b;

	return (uint64_t)p ^ (uint64_t)(p >> 64);
}

/*
 * One multiply for keys of up to 16 bytes, one more per 16 bytes after:
 * keys are mostly short codes and numbers, hashed millions of times in a
 * big train, and a call to memcpy or a byte loop would cost more than
 * the mixing.
 */
static uint64_t	hash_key[3] = { 0x9e3779b97f4a7c15ULL, 0xa0761d6478bd642fULL,
		    0xe7037ed1a0b428dbULL };

/*
 * Draws the hash's key before main() and so before any thread or map.
 * Without the kernel's randomness (which does not happen on Linux 3.17
 * and later) the fixed words above stay: slower under attack, still right.
 */
__attribute__((constructor)) static void
strmap_hash_key(void)
{
	uint64_t	k[3];

	if (getrandom(k, sizeof k, GRND_NONBLOCK) == (ssize_t)sizeof k)
		memcpy(hash_key, k, sizeof hash_key);
}

uint64_t
strmap_hash(const char *s, size_t len)
{
	uint64_t	seed = hash_key[0] ^ (uint64_t)len, a, b;
	size_t		n = len;

	if (n <= 16)
		load_short(s, n, &a, &b);
	else {
		for (; n > 16; s += 16, n -= 16)
			seed = mix(load64(s) ^ hash_key[1], load64(s + 8) ^ seed);
		/* The last 16 bytes of the key, overlapping those mixed. */
		a = load64(s + n - 16);
		b = load64(s + n - 8);
	}
	return mix(a ^ hash_key[2], b ^ seed);
}

/* True when the len bytes at x and y are equal; short keys without a call. */
static inline bool
key_equal(const char *x, const char *y, size_t len)
{
	uint64_t	xa, xb, ya, yb;

	if (len > 16)
		return memcmp(x, y, len) == 0;
	load_short(x, len, &xa, &xb);
	load_short(y, len, &ya, &yb);
	return ((xa ^ ya) | (xb ^ yb)) == 0;
}

/* The slot holding key, or the empty slot where it would go. */
static struct strmap_slot *
strmap_find(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
	size_t			 i;
	struct strmap_slot	*s;

	for (i = (size_t)h & m->mask;; i = (i + 1) & m->mask) {
		s = &m->slots[i];
		if (s->key == NULL)
			return s;
		if (s->hash == h && s->len == len && key_equal(s->key, key, len))
			return s;
	}
}

/* Doubles the table and reinserts every key. */
static void
strmap_grow(struct strmap *m)
{
	struct strmap_slot	*old = m->slots;
	size_t			 i, oldcap = m->mask + 1;

	m->mask = oldcap * 2 - 1;
	m->slots = xcalloc(m->mask + 1, sizeof *m->slots);
	for (i = 0; i < oldcap; i++) {
		if (old[i].key != NULL)
			*strmap_find(m, old[i].key, old[i].len, old[i].hash) = old[i];
	}
	free(old);
}

/* Lookup by NUL-terminated key. */
void *
strmap_get(const struct strmap *m, const char *key)
{
	return strmap_getn(m, key, strlen(key));
}

/* Lookup by key and length. */
void *
strmap_getn(const struct strmap *m, const char *key, size_t len)
{
	return strmap_find(m, key, len, strmap_hash(key, len))->value;
}

/* Insert or replace. */
void
strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_slot	*s;
	size_t			 len = strlen(key);
	uint64_t		 h = strmap_hash(key, len);

	if ((m->count + 1) * 2 > m->mask + 1)
		strmap_grow(m);
	s = strmap_find(m, key, len, h);
	if (s->key == NULL) {
		s->key = key;
		s->len = len;
		s->hash = h;
		m->count++;
	}
	s->value = value;
}

/* Number of keys. */
size_t
strmap_count(const struct strmap *m)
{
	return m->count;
}
