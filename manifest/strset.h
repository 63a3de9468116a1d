/*
 * strset.h -- the set of a train's shared strings: one copy of each
 * distinct value, found or added in one probe.
 *
 * The set owns only its table; the strings are copies in an arena the
 * caller names, and live as long as it.  One thread at a time.
 */
#ifndef MANIFEST_STRSET_H
#define MANIFEST_STRSET_H

#include <stddef.h>

struct arena;
struct strset;

/* An empty set owned by the caller. */
struct strset *strset_new(void);
/* Frees the table (not the strings); accepts NULL. */
void strset_free(struct strset *s);

/*
 * The set's copy of the len bytes at text (len > 0), made in a (with a
 * terminating NUL) the first time they are met.  The copy is owned by a.
 */
const char *strset_intern(struct strset *s, struct arena *a,
    const char *text, size_t len);
/* Number of strings. */
size_t strset_count(const struct strset *s);

#endif
