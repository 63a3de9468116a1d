/*
 * decision.h -- the decision document (docs/decision.md; contract:
 * docs/contracts.md, "The decision document"): what the rules decided about a train, wagon by
 * wagon, with every rule hit and its plain-language reason.
 *
 * A struct decision owns an arena holding every string, wagon and hit;
 * decision_free() releases it in one step.  The rule engine builds a
 * decision (rules/), the store keeps its JSON (db/), the CUSRES writer
 * (edi/cusres.c) and the notice dispatcher read it.  Built by one thread,
 * then read-only: any number of threads may read it.
 *
 * The JSON's "set_out" list and the released / audit / doc_check /
 * set_out counts are derived from the wagons when written, never stored.
 */
#ifndef MANIFEST_DECISION_H
#define MANIFEST_DECISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "util.h"

struct json_t;
struct jsonw;

/* Rule actions in increasing severity: the lanes of customs selectivity. */
enum decision_action {
	DECISION_RELEASE,	/* green */
	DECISION_AUDIT,		/* blue: released, post-clearance audit */
	DECISION_DOC_CHECK,	/* yellow: an officer checks documents */
	DECISION_INSPECT,	/* red: examination; the wagon is set out */
	DECISION_HOLD,		/* goods detained; set out */
	DECISION_REFUSE,	/* entry refused; set out */
};
#define DECISION_ACTION_COUNT (DECISION_REFUSE + 1)

/* The consolidated train decision. */
enum decision_outcome {
	DECISION_OUTCOME_RELEASE,
	DECISION_OUTCOME_PARTIAL_RELEASE,
	DECISION_OUTCOME_HOLD,
};

/* What a hit is about; NULL / 0 fields do not apply. */
struct decision_subject {
	const char	*wagon;		/* wagon number */
	const char	*container;	/* container number */
	const char	*consignment;	/* consignment reference */
	uint32_t	 item;		/* goods item seq (with consignment); 0 = none */
};

/* A reason in another language (the rule's `reason.zh "..."`). */
struct decision_reason {
	const char		*lang;		/* "zh-Hans", "ru", "kk", "vi" */
	const char		*text;
};

struct decision_hit {
	const char		*rule;
	enum decision_action	 action;
	struct decision_subject	 subject;
	const char		*reason;	/* plain language, values interpolated */
	const char		*would_pass_if;	/* optional */
	struct decision_reason	*reasons;	/* translations; usually none */
	size_t			 nreasons;
	size_t			 reasons_cap;
};

struct decision_wagon {
	uint32_t		 position;
	const char		*wagon;
	enum decision_action	 action;	/* most severe hit, or RELEASE */
	struct decision_hit	*hits;
	size_t			 nhits;
	size_t			 hits_cap;
};

/*
 * Parcels of an e-commerce train set aside instead of their wagon
 * (docs/parcels.md).  One set-aside parcel: the most severe hit's rule,
 * action and reason; the other hits that set it aside in `also`.
 */
struct decision_parcel_hit {
	const char		*rule;
	enum decision_action	 action;
};

struct decision_parcel {
	uint32_t		 position;	/* of the wagon */
	const char		*wagon;
	const char		*container;
	const char		*tracking;
	enum decision_action	 action;	/* DOC_CHECK or more severe */
	const char		*rule;
	const char		*reason;
	struct decision_parcel_hit *also;	/* in rule order; often none */
	size_t			 nalso;
};

/* A container holding set-aside parcels: the crew's stop. */
struct decision_unload {
	uint32_t		 position;
	const char		*wagon;
	const char		*container;
	size_t			 parcels;	/* set aside in it */
	bool			 unloaded;	/* an `unloaded` event was recorded */
};

struct decision_parcels {
	bool			 present;	/* written in the document */
	size_t			 parcels;	/* every parcel that can be set aside */
	size_t			 audit;		/* released, flagged for audit */
	size_t			 resolved;	/* released by an officer */
	struct decision_unload	*unload;	/* position, then container */
	size_t			 nunload;
	size_t			 unload_cap;
	struct decision_parcel	*set_aside;	/* position, container, tracking */
	size_t			 nset_aside;
	size_t			 set_aside_cap;
};

struct decision {
	struct arena		*arena;		/* owns everything below */
	const char		*train;
	char			 manifest_sha256[65];
	const char		*ruleset_name;
	char			 ruleset_sha256[65];
	enum decision_outcome	 outcome;
	bool			 final;

	/* Counts of the train's contents, as evaluated. */
	size_t			 ncontainers;
	size_t			 nconsignments;
	size_t			 nitems;

	struct decision_wagon	*wagons;	/* train order */
	size_t			 nwagons;
	size_t			 wagons_cap;
	struct decision_hit	*train_hits;
	size_t			 ntrain_hits;
	size_t			 train_hits_cap;
	struct diag_list	 diags;		/* the parse diagnostics; owned */
	struct decision_parcels	 parcels;

	double			 parse_ms;	/* timing: the one part that may differ */
	double			 evaluate_ms;

	/* Carried for notices (CUSRES); not part of the JSON document. */
	const char		*manifest_ref;
	const char		*border_station;
	bool			 transit;	/* the train crosses under transit */
	int64_t			 issued;	/* the manifest's issue time, or MANIFEST_ABSENT */
};

/* An empty decision owned by the caller. */
struct decision *decision_new(void);
/* Frees the decision and everything it owns; accepts NULL. */
void decision_free(struct decision *d);
/* An arena copy of s (NULL stays NULL). */
const char *decision_str(struct decision *d, const char *s);

/* Appends a wagon in RELEASE with no hits; owned by d. */
struct decision_wagon *decision_wagon_add(struct decision *d, uint32_t position,
    const char *wagon);
/*
 * Appends a hit (strings copied into d's arena) to wagon w, or to the
 * train's hits when w is NULL; a wagon's action becomes the most severe
 * of its hits.
 */
struct decision_hit *decision_hit_add(struct decision *d,
    struct decision_wagon *w, const char *rule, enum decision_action action,
    const struct decision_subject *subject, const char *reason,
    const char *would_pass_if);

/*
 * Adds the reason of hit h in language lang (strings copied into d's
 * arena): the document's "reasons" member, written only when a hit has
 * some, so a rule set without translations writes what it always did.
 */
void decision_hit_add_reason(struct decision *d, struct decision_hit *h,
    const char *lang, const char *text);

/* True for INSPECT, HOLD and REFUSE: the wagon leaves the train. */
bool decision_action_sets_out(enum decision_action a);
/* "RELEASE", "AUDIT", "DOC_CHECK", "INSPECT", "HOLD", "REFUSE". */
const char *decision_action_name(enum decision_action a);
int decision_action_parse(const char *s, enum decision_action *out);
/* "RELEASE", "PARTIAL_RELEASE", "HOLD". */
const char *decision_outcome_name(enum decision_outcome o);
int decision_outcome_parse(const char *s, enum decision_outcome *out);

/*
 * The train outcome of decision.md from the wagons' actions and the train
 * hits: HOLD with any train hit or no releasable wagon (RELEASE or AUDIT),
 * RELEASE when all are, PARTIAL_RELEASE otherwise.
 */
enum decision_outcome decision_consolidate(const struct decision *d);

/* Counts of wagons by lane, as the JSON's "counts" gives them. */
struct decision_lane_counts {
	size_t	released;	/* RELEASE */
	size_t	audit;
	size_t	doc_check;
	size_t	set_out;	/* INSPECT, HOLD, REFUSE */
};
void decision_lane_counts(const struct decision *d,
    struct decision_lane_counts *out);

/*
 * Reads a decision document back from its JSON (as decision_json_write
 * wrote it).  A new decision owned by the caller, or NULL with *cause
 * naming what is wrong (owned by the caller).
 */
struct decision *decision_json_read(const char *json, size_t len, char **cause);

/*
 * Appends a set-aside parcel (strings copied into d's arena; also[]
 * copied too) and counts it in its container's unload entry, which is
 * appended when it is not the last one: callers add parcels in
 * document order (docs/parcels.md).  The "parcels" member is written
 * once d->parcels.present is set.
 */
struct decision_parcel *decision_parcel_add(struct decision *d,
    uint32_t position, const char *wagon, const char *container,
    const char *tracking, enum decision_action action, const char *rule,
    const char *reason, const struct decision_parcel_hit *also,
    size_t nalso);
/* Counts of the set-aside parcels by action (index: the action). */
void decision_parcel_counts(const struct decision *d,
    size_t out[DECISION_ACTION_COUNT]);
/* True when a container of "unload" is not yet unloaded. */
bool decision_parcels_pending(const struct decision *d);
/* The "parcels" member's value; only when d->parcels.present. */
void decision_parcels_json_write(const struct decision *d, struct jsonw *w);
/* Reads the "parcels" member (o may be NULL: none); 0, or -1 with *cause. */
int decision_parcels_json_read(struct decision *d, const struct json_t *o,
    char **cause);

/* The wagons' positions and actions as a JSON array (for the store). */
void decision_actions_json(const struct decision *d, struct buf *out);

#define DECISION_JSON_NO_TIMING	0x1	/* leave out "timing" (for comparisons) */
/* Appends the document's JSON (spec key order) to out. */
void decision_json_write(const struct decision *d, unsigned flags,
    struct buf *out);

#endif
