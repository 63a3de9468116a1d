/*
 * decide.h -- the steps of a decision that the daemon and an auditor's
 * replay (`railgate replay`) must take identically: the stored manifest
 * read back, the stored events into a rules context, the evaluation, and
 * a final decision built from the provisional one and the officers'
 * resolutions.  One implementation, so that a
 * replay cannot drift from what the daemon did.  Pure; any thread.
 */
#ifndef ENGINE_DECIDE_H
#define ENGINE_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

struct decision;
struct manifest_train;
struct rules_context;
struct rules_eval_options;
struct rules_ruleset;

/*
 * The model of a manifest as the daemon stores it (zlib): *t (caller
 * frees), the SHA-256 of its bytes and the parse time in ms.  0, or -1
 * with *cause (caller frees).
 */
int decide_parse_stored(const unsigned char *z, size_t zlen,
    struct manifest_train **t, char sha256[65], double *parse_ms,
    char **cause);

/*
 * Evaluates t with rs after the stored events (decide_load_events) and
 * the screening clearances in force (a JSON array, docs/screening.md;
 * NULL: none) with opt (NULL: one thread, no parcel set aside; the
 * document is the same for any thread count; parcel_setaside is
 * docs/parcels.md): a new decision with its evaluation time set, or NULL
 * with *cause.  *applied (when not NULL; caller frees) gets the clearances
 * the evaluation applied, a JSON array to store with the decision and to
 * give back as `clearances` on replay.
 */
struct decision *decide_evaluate(const struct rules_ruleset *rs,
    const struct manifest_train *t, const char *events,
    const char *clearances, const struct rules_eval_options *opt,
    char **applied, char **cause);

/*
 * Whether a stored decision document was made with parcel_setaside: it
 * has a "parcels" member (docs/parcels.md), written only then.  A replay
 * evaluates again as the document says it was made: a document whose
 * "parcels" was added or taken away then differs from the replay in its
 * wagons, so the inference cannot hide a change.
 */
bool decide_document_sets_aside(const char *doc, size_t len);

/*
 * The stored events of a train (a JSON array of {id, type, body, at,
 * legacy}, in order) into ctx, read for ctx's edition: the neighbour's
 * reports ("neighbour") as neighbour data, the bodies of the others as
 * events; those marked legacy (stored before migration 020) as edition 1
 * reads them.  0, or -1 with *cause (caller frees).
 */
int decide_load_events(struct rules_context *ctx, const char *events,
    char **cause);

/*
 * The final decision made from the decision document base and the
 * officers' resolutions, a JSON array of
 *   {position, action}: a wagon's resolution -- the wagon takes it as its
 *     action;
 *   {goods: {consignment, item?}, resolution, position?}: goods on no
 *     wagon resolved -- "located" on the wagon at position moves the train
 *     hits about those goods (the consignment's, and the item's or a hit
 *     on no item) to that wagon, its action the most severe of its own and
 *     theirs; "corrected" drops those at DOC_CHECK or below, never one
 *     above;
 *   {train_hit: {rule}, resolution: "cleared"}: the train hits of that
 *     rule naming no goods were checked by two supervisors -- they drop.
 * The goods are applied first, in order, then the clearances, then the
 * wagons; the outcome is
 * consolidated again, final is set.  A new decision (caller frees), or
 * NULL with *cause.
 */
struct decision *decide_final(const char *base, const char *resolutions,
    char **cause);

#endif
