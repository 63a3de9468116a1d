/*
 * context.h -- what the rules know about a train besides its manifest:
 * events (weighbridge readings, scans of containers and wagons, seal
 * checks, new ETA, arrival) and the neighbouring customs' data (its
 * decision, the wagons it set out, the seals it applied, its control
 * results).  Formats: docs/check.md.
 *
 * A rules_context owns an arena holding every string and record; it is
 * built by one thread (loaders or the add functions), then read-only:
 * any number of evaluating threads may read it at once.
 */
#ifndef RULES_CONTEXT_H
#define RULES_CONTEXT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/decision.h"
#include "manifest/model.h"

enum rules_seal_state {
	RULES_SEAL_INTACT,
	RULES_SEAL_DAMAGED,
	RULES_SEAL_MISSING,
};

/* One weighbridge reading, kept in the order recorded. */
struct rules_weighing {
	int64_t		 gross_kg;	/* thousandths */
	const char	*device;	/* the instrument; NULL: unrecorded */
	bool		 reweigh;	/* an officer's re-weigh */
};

/* A seal check that named the seal: its number and what was found. */
struct rules_seal_report {
	const char		*seal;
	enum rules_seal_state	 state;
};

/* Everything known about one wagon or container, by number. */
struct rules_equipment {
	const char	 *number;
	int64_t		  weighbridge_kg;	/* the latest; MANIFEST_ABSENT */
	const char	 *scan;			/* "clear", "suspect" or NULL */
	bool		  seal_trouble;		/* a seal check found damage or none */
	const char	**neighbour_seals;	/* seal numbers the neighbour applied */
	size_t		  nneighbour_seals;
	size_t		  neighbour_seals_cap;
	const char	 *neighbour_control;	/* e.g. "inspected_clear"; NULL */
	/* Evidence kept whole (issue 17): nothing later hides it. */
	struct rules_weighing	 *weighings;	/* every reading, in order */
	size_t			  nweighings;
	size_t			  weighings_cap;
	size_t			  reweighed_at;	/* index of the latest re-weigh, or 0 */
	bool			  scan_suspect;	/* any scan of it was suspect */
	struct rules_seal_report *seal_reports;	/* checks that named a seal */
	size_t			  nseal_reports;
	size_t			  seal_reports_cap;
	const char		 *neighbour_suspect; /* first scanned_suspect or
						       seal_broken; NULL */
	enum decision_action	  neighbour_set_out; /* worst; RELEASE: none */
};

/*
 * A screening clearance in force (docs/screening.md, "Clearing a false
 * match"): the party is not entry `entry` of list `list`.  Strings live
 * in the context's arena; `applied` is the one thing evaluation writes.
 */
struct rules_clearance {
	int64_t		 id;
	const char	*list;
	const char	*entry;		/* the entry's own name, as listed */
	const char	*name;		/* the party's name as cleared */
	const char	*name_key;	/* names_fold(name) */
	const char	*country;	/* NULL: any */
	const char	*party_id;	/* normalised (rules/ident.h); NULL: any */
	const char	*json;		/* the object as given, compact */
	atomic_bool	 applied;	/* it skipped a match in an evaluation */
};

struct rules_context;

/* An empty context owned by the caller. */
/* The largest weighbridge reading taken, in kg (a wagon is under 200 t). */
#define RULES_MAX_GROSS_KG	1000000.0

struct rules_context *rules_context_new(void);
/* Frees the context and everything it owns; accepts NULL. */
void rules_context_free(struct rules_context *ctx);
/*
 * The edition of the rule set that will read the events and neighbour
 * data loaded next (rules_ruleset_edition; the newest by default).
 * Edition 1 reads them as railgate did before edition 2, leaving unread
 * what it did not read (context.c): a stored event it took must load.
 */
void rules_context_set_edition(struct rules_context *ctx, int edition);
/* The edition events are read for now. */
int rules_context_edition(const struct rules_context *ctx);

/*
 * Record an event or a neighbour fact (strings copied); any is
 * repeatable.  rules_context_weighbridge is a reading with no device;
 * rules_context_scan takes a container or wagon number; a seal check
 * with a seal number (seal may be NULL) is kept for seal_check_differs.
 */
void rules_context_weighbridge(struct rules_context *ctx, const char *wagon,
    int64_t gross_kg);
void rules_context_weighing(struct rules_context *ctx, const char *wagon,
    int64_t gross_kg, const char *device, bool reweigh);
void rules_context_scan(struct rules_context *ctx, const char *equipment,
    const char *result);
void rules_context_seal_check(struct rules_context *ctx, const char *equipment,
    enum rules_seal_state state);
void rules_context_seal_report(struct rules_context *ctx,
    const char *equipment, const char *seal, enum rules_seal_state state);
void rules_context_neighbour_seal(struct rules_context *ctx,
    const char *equipment, const char *seal);
void rules_context_neighbour_control(struct rules_context *ctx,
    const char *equipment, const char *result);
/* The neighbour's service name, train decision and a wagon set out. */
void rules_context_neighbour_service(struct rules_context *ctx,
    const char *service);
void rules_context_neighbour_decision(struct rules_context *ctx,
    enum decision_outcome outcome);
void rules_context_neighbour_set_out(struct rules_context *ctx,
    const char *wagon, enum decision_action action);

/*
 * A document an officer accepted for consignment (its reference; NULL:
 * the whole train) with UN/EDIFACT 1001 code: `has document CODE` holds
 * for the consignment's items as if the manifest declared it
 * (docs/documents.md).  rules_context_has_document: one was accepted
 * for that consignment or for the whole train (ctx may be NULL).
 */
void rules_context_document(struct rules_context *ctx,
    const char *consignment, const char *code);
bool rules_context_has_document(const struct rules_context *ctx,
    const char *consignment, const char *code);

/*
 * Parcel evidence (docs/parcels.md), read by every edition (no railgate
 * stored any before): a CT scan of a parcel by tracking number (the
 * latest result, and whether any was suspect), a parcel taken off at
 * the e-commerce supervision site, an officer's release of the parcels
 * a rule set aside (rule and tracking number).  Strings copied.
 */
void rules_context_parcel_scan(struct rules_context *ctx,
    const char *tracking, const char *result);
void rules_context_unloaded(struct rules_context *ctx, const char *tracking);
void rules_context_parcel_resolved(struct rules_context *ctx,
    const char *rule, const char *tracking);
/* The latest scan result of a parcel ("clear", "suspect"), or NULL. */
const char *rules_context_parcel_scan_result(const struct rules_context *ctx,
    const char *tracking, bool *any_suspect);
bool rules_context_parcel_unloaded(const struct rules_context *ctx,
    const char *tracking);
bool rules_context_parcel_is_resolved(const struct rules_context *ctx,
    const char *rule, const char *tracking);
/* True once any parcel scan was suspect (a cheap test first). */
bool rules_context_any_parcel_suspect(const struct rules_context *ctx);
/* True once any parcel resolution was recorded (a cheap test first). */
bool rules_context_any_parcel_resolved(const struct rules_context *ctx);

/* Equipment by number; borrowed, NULL when nothing is known of it. */
const struct rules_equipment *rules_context_equipment(
    const struct rules_context *ctx, const char *number);
/* True once neighbour data has been loaded or added. */
bool rules_context_has_neighbour(const struct rules_context *ctx);
/*
 * Cheap questions the evaluator asks before looking equipment up: any
 * suspect scan, any neighbour scanned_suspect / seal_broken, any wagon
 * set out by the neighbour; whether the neighbour held the train (any
 * report's decision HOLD); its service (borrowed, NULL if none).
 */
bool rules_context_any_scan_suspect(const struct rules_context *ctx);
bool rules_context_any_neighbour_suspect(const struct rules_context *ctx);
bool rules_context_any_neighbour_set_out(const struct rules_context *ctx);
bool rules_context_neighbour_held_train(const struct rules_context *ctx);
const char *rules_context_neighbour_service_name(
    const struct rules_context *ctx);
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

/*
 * Loads the clearances in force (a JSON array, docs/screening.md) into
 * ctx; 0, or -1 with *cause ("FILE: clearance N: why", caller frees).
 * Loading twice adds.
 */
int rules_context_load_clearances(struct rules_context *ctx,
    const char *json, size_t len, const char *file, char **cause);
/* The clearances loaded, borrowed; *n their number. */
struct rules_clearance *rules_context_clearances(
    const struct rules_context *ctx, size_t *n);
/*
 * The clearances some evaluation applied, as a JSON array of the objects
 * given (in the order given): what the daemon stores with the decision
 * and a replay loads back.  Caller frees.
 */
char *rules_context_clearances_applied(const struct rules_context *ctx);

#endif
