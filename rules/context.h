/*
 * context.h -- what the rules know about a train besides its manifest:
 * events (weighbridge masses, container scans, seal checks, new ETA,
 * arrival) and the neighbouring customs' data (its decision, the seals
 * it applied, its control results).  Formats: docs/check.md.
 *
 * A rules_context owns an arena holding every string and record; it is
 * built by one thread (loaders or the add functions), then read-only:
 * any number of evaluating threads may read it at once.
 */
#ifndef RULES_CONTEXT_H
#define RULES_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/model.h"

enum rules_seal_state {
	RULES_SEAL_INTACT,
	RULES_SEAL_DAMAGED,
	RULES_SEAL_MISSING,
};

/* Everything known about one wagon or container, by number. */
struct rules_equipment {
	const char	 *number;
	int64_t		  weighbridge_kg;	/* thousandths; MANIFEST_ABSENT */
	const char	 *scan;			/* "clear", "suspect" or NULL */
	bool		  seal_trouble;		/* a seal check found damage or none */
	const char	**neighbour_seals;	/* seal numbers the neighbour applied */
	size_t		  nneighbour_seals;
	size_t		  neighbour_seals_cap;
	const char	 *neighbour_control;	/* e.g. "inspected_clear"; NULL */
};

struct rules_context;

/* An empty context owned by the caller. */
/* The largest weighbridge reading taken, in kg (a wagon is under 200 t). */
#define RULES_MAX_GROSS_KG	1000000.0

struct rules_context *rules_context_new(void);
/* Frees the context and everything it owns; accepts NULL. */
void rules_context_free(struct rules_context *ctx);

/* Record an event or a neighbour fact (strings copied); any is repeatable. */
void rules_context_weighbridge(struct rules_context *ctx, const char *wagon,
    int64_t gross_kg);
void rules_context_scan(struct rules_context *ctx, const char *container,
    const char *result);
void rules_context_seal_check(struct rules_context *ctx, const char *equipment,
    enum rules_seal_state state);
void rules_context_neighbour_seal(struct rules_context *ctx,
    const char *equipment, const char *seal);
void rules_context_neighbour_control(struct rules_context *ctx,
    const char *equipment, const char *result);

/* Equipment by number; borrowed, NULL when nothing is known of it. */
const struct rules_equipment *rules_context_equipment(
    const struct rules_context *ctx, const char *number);
/* True once neighbour data has been loaded or added. */
bool rules_context_has_neighbour(const struct rules_context *ctx);
/* Arrival from events; MANIFEST_ABSENT if none. */
int64_t rules_context_arrived(const struct rules_context *ctx);

/*
 * Loads an events file (a JSON array) or a neighbour file (a JSON
 * object) into ctx; 0, or -1 with *cause ("FILE:LINE:COL: message",
 * owned by the caller).  file names the input in messages.
 */
int rules_context_load_events(struct rules_context *ctx, const char *json,
    size_t len, const char *file, char **cause);
int rules_context_load_neighbour(struct rules_context *ctx, const char *json,
    size_t len, const char *file, char **cause);

#endif
