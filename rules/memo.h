/*
 * memo.h -- fuzzy matches already scored in one evaluation.
 *
 * A party's name is matched against a list (Jaro-Winkler over every entry)
 * once per consignment and wagon it appears in; the same few parties recur
 * through a train, so the best entry found for (node, name) is kept for
 * the rest of the evaluation.  Keys are the node and the string's address:
 * the model's strings are immutable while it is evaluated and interned, so
 * one address is one text (an address not seen merely misses).  Edition
 * 3 keeps every list name scoring above the node's lower threshold
 * instead of the best entry (rules/screen.c).  Shared by
 * the wagons evaluated in parallel, hence the lock; the evaluation owns it.
 */
#ifndef RULES_MEMO_H
#define RULES_MEMO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rules_node;

/* An edition-3 screening candidate: a list name scoring high enough. */
struct memo_cand {
	size_t			 sn;	/* index in the list's screen names */
	double			 score;
	int			 variant;	/* enum names_variant */
};

struct memo_entry {
	const struct rules_node	*node;
	const char		*s;
	size_t			 best;	/* index of the best list entry */
	double			 top;	/* its similarity, -1 when none */
	struct memo_cand	*cands;	/* edition 3; owned, never changed */
	size_t			 ncands;
	bool			 pending;	/* edition 3: a thread computes it */
};

struct memo {
	pthread_mutex_t		 lock;
	pthread_cond_t		 done;	/* a pending entry was filled */
	struct memo_entry	*v;	/* open addressing; node NULL: free */
	size_t			 n, cap;
	/* Edition 3: keyed by the text, not its address (a train read from
	 * XML or generated does not share equal strings). */
	struct memo_entry	*cv;
	uint64_t		*ch;	/* hash of cv[i]'s text */
	size_t			 cn, ccap;
};

void memo_init(struct memo *m);
void memo_clear(struct memo *m);
/* The score remembered for (node, s): true with *best and *top set. */
bool memo_get(struct memo *m, const struct rules_node *node, const char *s,
    size_t *best, double *top);
void memo_put(struct memo *m, const struct rules_node *node, const char *s,
    size_t best, double top);

/*
 * Edition 3: the candidates remembered for node and the text s (by its
 * bytes; borrowed until memo_clear), one thread computing each: true
 * with them (waiting while another thread computes them), false when the
 * caller is to compute them -- and must then memo_put_cands them, even
 * none.  Screening is so once per name across the wagons evaluated in
 * parallel (screen_computations()).  memo_put_cands takes cands
 * (malloc'd) and returns the array kept.
 */
bool memo_get_or_claim_cands(struct memo *m, const struct rules_node *node,
    const char *s, const struct memo_cand **cands, size_t *n);
const struct memo_cand *memo_put_cands(struct memo *m,
    const struct rules_node *node, const char *s, struct memo_cand *cands,
    size_t n, size_t *nkept);

#endif
