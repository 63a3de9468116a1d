/*
 * strmap.c -- open addressing with linear probing, kept at most half full.
 *
 * Keys are compared by length and bytes; the hash is cached per slot so a
 * probe touches key memory only on a likely match.
 */
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

/* Reads up to 8 bytes as a little-endian word (missing bytes zero). */
static inline uint64_t
load_word(const char *s, size_t n)
{
	uint64_t	w = 0;

	memcpy(&w, s, n > 8 ? 8 : n);
	return w;
}

/*
 * A multiply-xorshift hash over eight bytes at a time: keys are mostly
 * short codes and numbers, hashed millions of times in a big train.
 */
uint64_t
strmap_hash(const char *s, size_t len)
{
	uint64_t	h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)len;
	size_t		i;

	for (i = 0; i + 8 <= len; i += 8) {
		h ^= load_word(s + i, 8);
		h *= 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	if (i < len) {
		h ^= load_word(s + i, len - i);
		h *= 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
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
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
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
