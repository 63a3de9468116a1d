/*
 * strmap.h -- a string-keyed hash map of borrowed keys and values.
 *
 * The map owns only its table: keys and values belong to the caller and
 * must outlive the map (in the model, both live in the train's arena).
 * One thread at a time may change a map; any number may read one that is
 * no longer changed.
 */
#ifndef MANIFEST_STRMAP_H
#define MANIFEST_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap;

/* An empty map owned by the caller. */
struct strmap *strmap_new(void);
/* Frees the table (not keys or values); accepts NULL. */
void strmap_free(struct strmap *m);

/* The value stored under key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
void *strmap_getn(const struct strmap *m, const char *key, size_t len);
/* Stores value under key (borrowed), replacing an earlier value. */
void strmap_put(struct strmap *m, const char *key, void *value);
size_t strmap_count(const struct strmap *m);

/* A 64-bit hash of len bytes, keyed at random per process (strmap.c):
 * the same within a run, never kept or compared across runs. */
uint64_t strmap_hash(const char *s, size_t len);

#endif
