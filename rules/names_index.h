/*
 * names_index.h -- candidate selection for name screening: which list
 * entries a party name must be scored against.
 *
 * Owns copies of the keys it is given and its postings; freed by
 * names_index_free.  Built on one thread (new, add..., build), then
 * searched from any number of threads at once: search only reads the
 * index and allocates its own scratch, no lock.
 *
 * A list entry may carry several names (its own and aliases): one add()
 * a name, with the caller's entry number.  search() calls back once per
 * entry whose best names_match_keys() score over its names is at least
 * min_score, with that hit -- exactly what scoring the query against
 * every name would give (tests/unit/test_names_index.c compares the two
 * at 0.6, 0.75, 0.85 and 0.95), but scoring only the names that share a
 * "gram" with the query.
 *
 * Grams of a set of keys: for every space-separated token of every key,
 * its character trigrams with the token padded by one boundary mark at
 * each end ("timur" -> $ti tim imu mur ur$; "h" -> $h$), and each Han
 * character alone (a Han name's characters may be compared one by one,
 * in any order).
 *
 * Why skipping the names that share no gram is safe -- the premise, which
 * the scoring of rules/names*.c must keep, and which the exactness test
 * checks on every fixture and generated pair:
 *  1. a name score is the best over pairs of keys, and a key score a
 *     weighted mean of the similarities of aligned token pairs (a joined
 *     key is one token; unaligned tokens count 0), so a score >= s needs
 *     one token pair of similarity >= s (a weighted mean never exceeds
 *     its largest term);
 *  2. two tokens that share no padded trigram stay below s.  For an edit
 *     distance similarity 1 - d / max(len) this is proven for s > 2/3:
 *     a token of length L has L padded trigrams and one edit destroys at
 *     most 3 of them, so d <= (1 - s) L < L / 3 leaves one shared (the
 *     q-gram lemma).  Jaro-Winkler, today's token similarity, credits
 *     letters that agree anywhere in a window, and breaks it lower down:
 *     "horgos" scores 0.79 against the pinyin key "huoerguosihongdakeji"
 *     (霍尔果斯宏达科技) and "asia technologies" 0.76 against "caspian
 *     electronics" with no trigram in common.
 * So search() prunes only at min_score >= NAMES_INDEX_PRUNE_FROM, the
 * lowest threshold at which the exactness test holds with today's
 * scoring; below it, it scores every name (exact by construction).  A
 * scoring change that lowers that floor (edit distance: 0.67) or breaks
 * the premise (an abbreviation expanded from letters the two names do
 * not share) shows in tests/unit/test_names_index.c.
 *
 * Selectivity: business words (Trading, Import, 贸易) are shared by many
 * unrelated names, and so are their trigrams: on the generated sets of
 * the test and bench/screening.c about a third of the names are scored.
 */
#define NAMES_INDEX_PRUNE_FROM	0.70

#ifndef RULES_NAMES_INDEX_H
#define RULES_NAMES_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "rules/names.h"

struct names_index;

/* A hit: entry (the number given to add), name (its names counted from 0
 * in the order added), the best hit over the entry's names. */
typedef void (*names_index_cb)(void *arg, uint32_t entry, size_t name,
    const struct names_hit *hit);

/* An empty index scoring with generic (borrowed: it must outlive the
 * index; NULL: none); the caller owns it (names_index_free). */
struct names_index *names_index_new(const struct names_generic *generic);
/* Adds one name of list entry `entry` (keys copied); before build only. */
void	names_index_add(struct names_index *ix, uint32_t entry,
	    const struct names_keys *keys);
/* Builds the postings; after this the index is read-only. */
void	names_index_build(struct names_index *ix);
/* Calls cb for every entry scoring >= min_score against keys (any thread,
 * concurrently); returns the number of names scored (the candidates). */
size_t	names_index_search(const struct names_index *ix,
	    const struct names_keys *keys, double min_score,
	    names_index_cb cb, void *arg);
/* The number of names added. */
size_t	names_index_names(const struct names_index *ix);
void	names_index_free(struct names_index *ix);

#endif
