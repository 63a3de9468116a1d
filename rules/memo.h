/*
 * memo.h -- fuzzy matches already scored in one evaluation.
 *
 * A party's name is matched against a list (Jaro-Winkler over every entry)
 * once per consignment and wagon it appears in; the same few parties recur
 * through a train, so the best entry found for (node, name) is kept for
 * the rest of the evaluation.  Keys are the node and the string's address:
 * the model's strings are immutable while it is evaluated and interned, so
 * one address is one text (an address not seen merely misses).  Shared by
 * the wagons evaluated in parallel, hence the lock; the evaluation owns it.
 */
#ifndef RULES_MEMO_H
#define RULES_MEMO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct rules_node;

struct memo_entry {
	const struct rules_node	*node;
	const char		*s;
	size_t			 best;	/* index of the best list entry */
	double			 top;	/* its similarity, -1 when none */
};

struct memo {
	pthread_mutex_t		 lock;
	struct memo_entry	*v;	/* open addressing; node NULL: free */
	size_t			 n, cap;
};

void memo_init(struct memo *m);
void memo_clear(struct memo *m);
/* The score remembered for (node, s): true with *best and *top set. */
bool memo_get(struct memo *m, const struct rules_node *node, const char *s,
    size_t *best, double *top);
void memo_put(struct memo *m, const struct rules_node *node, const char *s,
    size_t best, double top);

#endif
