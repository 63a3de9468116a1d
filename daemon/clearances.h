/*
 * clearances.h -- the screening clearances in force as the evaluator
 * holds them (docs/screening.md "Clearing a false match"): the set the
 * last claim gave (a JSON array and the key it was fetched under), shared
 * by every evaluation job, and the part of it a train can use.
 *
 * The engine reads every clearance it is given (a JSON parse and a name
 * key each: about 15 us, 80 ms for 5,000); a clearance applies only to a
 * party whose name has the clearance's key (names_fold), so a train is
 * given only the clearances whose key is the key of one of its parties'
 * names (consignor, consignee, declarant of every consignment, and the
 * carrier) -- what the engine would apply, found by a hash lookup per
 * distinct name.  The index by key is built once per set, by the first
 * job that needs it.
 */
#ifndef DAEMON_CLEARANCES_H
#define DAEMON_CLEARANCES_H

#include <stddef.h>

struct manifest_train;
struct clearance_set;

/* A set from the claim's key and JSON array (copied); one reference. */
struct clearance_set *clearance_set_new(const char *key, const char *json);
struct clearance_set *clearance_set_ref(struct clearance_set *s);
/* Drops a reference; frees with the last.  Accepts NULL. */
void clearance_set_unref(struct clearance_set *s);
const char *clearance_set_key(const struct clearance_set *s);
/* The clearances in the set (0 for an empty or unreadable array). */
size_t clearance_set_count(const struct clearance_set *s);

/*
 * The clearances of s that t's parties could use, as the engine's JSON
 * array (in the set's order; caller frees), or NULL when none could.  Any
 * thread; the first call builds the index.
 */
char *clearance_set_for_train(struct clearance_set *s,
    const struct manifest_train *t);

#endif
