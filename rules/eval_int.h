/*
 * eval_int.h -- what rule evaluation's two parts share.  Internal to
 * rules/eval*.c.
 *
 * eval.c walks a train level by level (the train, then each wagon: its
 * containers, consignments and items, wagons in parallel) and keeps the
 * hits; eval_expr.c evaluates one rule's expressions and texts at the
 * subject a struct eval_frame points at; eval_diag.c maps each of the
 * train's diagnostics to the object it is about, for rule sets of
 * edition 2 that test diagnostics below train scope.  A frame belongs to
 * one thread.
 */
#ifndef RULES_EVAL_INT_H
#define RULES_EVAL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "manifest/diag.h"
#include "manifest/model.h"

#include "context.h"
#include "lang.h"
#include "memo.h"

struct eval_diag_map;

/* What a rule is looking at, plus per-wagon values computed lazily. */
struct eval_frame {
	const struct rules_ruleset		*rs;
	const struct manifest_train		*t;
	const struct rules_context		*ctx;
	const struct rules_rule			*rule;
	const struct manifest_wagon		*w;		/* NULL: train, or goods on no wagon */
	const struct manifest_container		*c;
	const struct manifest_consignment	*cs;
	const struct manifest_item		*it;
	char					*match_text;	/* owned: the last fuzzy match */
	int					 match_strength; /* edition 3: enum screen_strength */
	bool					 strict;	/* edition 3: possible matches count as none */
	const struct diag			*diag;		/* the last `diagnostic` found */
	char					*diag_text;	/* owned: diag formatted */
	const struct eval_diag_map		*diag_map;	/* NULL: not needed */
	int					 aeo;		/* -1: not yet known */
	struct memo				*memo;		/* the evaluation's */
	/* One-entry caches (eval_expr.c): the last `list[key]` looked up
	 * by a model text's address, the last `sample` draw by rule name. */
	const struct rules_node			*lookup_node;
	const char				*lookup_key;
	const int64_t				*lookup_val;
	const char				*draw_rule;
	double					 draw;
	char					**texts;	/* owned: computed texts */
	size_t					 ntexts;	/* (eval_expr.c) */
	size_t					 texts_cap;
};

/* A rule hit found by a worker, before it joins the decision. */
struct pending {
	size_t			 rule;		/* index in the rule set */
	enum decision_action	 action;	/* the rule's, or lowered */
	size_t			 order;		/* subject order within the wagon */
	struct decision_subject	 subject;	/* borrowed from the train */
	char			*reason;	/* owned */
	char			**tr;		/* owned; NULL: rule has none */
	char			*would_pass_if;	/* owned, may be NULL */
	/* With parcel_setaside (eval_parcels.c): the hit is a parcel's, or
	 * its consignment's to spread over its parcels on the wagon. */
	const struct manifest_item		*parcel;
	const struct manifest_consignment	*parcel_cs;
};

/* A set-aside parcel of a wagon: indexes into its wagon_result's hits. */
struct eval_parcel_out {
	const struct manifest_item	*it;
	size_t				 worst;	/* the hit named */
	size_t				*also;	/* owned; in rule order */
	size_t				 nalso;
};

struct wagon_result {
	struct pending	*hits;
	size_t		 n;
	size_t		 cap;
	/* Parcels (eval_parcels.c): set aside in document order, counts. */
	struct eval_parcel_out	*set_aside;
	size_t			 nset_aside;
	size_t			 set_aside_cap;
	size_t			 parcels, audit, resolved;
};

/*
 * Parcels set aside instead of their wagon (docs/parcels.md,
 * eval_parcels.c).  settable: a parcel the crew can take off wagon w
 * alone, or a consignment whose goods on w all are.  wagon: in the
 * worker, after w's hits are sorted, sorts its parcel hits into
 * r->set_aside and the counts.  merge: on the calling thread, in train
 * order, moves them into d.  finish: marks the unloaded containers and
 * whether the document shows parcels.
 */
bool eval_parcel_settable(const struct manifest_wagon *w,
    const struct manifest_item *it);
bool eval_consignment_settable(const struct manifest_wagon *w,
    const struct manifest_consignment *cs);
void eval_parcels_wagon(const struct rules_ruleset *rs,
    const struct rules_context *ctx, const struct manifest_wagon *w,
    struct wagon_result *r);
void eval_parcels_merge(struct decision *d, const struct rules_ruleset *rs,
    const struct manifest_wagon *w, struct wagon_result *r);
void eval_parcels_finish(struct decision *d, const struct rules_context *ctx,
    bool setaside);

/*
 * True if every placement of it resolves to a wagon (an item without a
 * placement is placed nowhere).
 */
bool rules_eval_item_placed(const struct manifest_item *it);
/*
 * Which object each diagnostic of t is about (its location: the nearest
 * wagon, container, consignment or item declared at or before it).
 * Built once per evaluation, by one thread; read by many.
 */
struct eval_diag_map *rules_eval_diag_map_new(const struct manifest_train *t);
void rules_eval_diag_map_free(struct eval_diag_map *m);
/*
 * The diagnostics about the frame's subject at the scope of its rule (the
 * wagon, a container it carries or goods on it; the container or goods in
 * it; the consignment or its goods; the item): their indexes in the
 * train's list, ascending (maybe repeated), in *diags; returns how many.
 */
size_t rules_eval_diag_about(const struct eval_frame *f, const size_t **diags);
/*
 * Item rule gates (eval_gate.c): the item classes (HS chapter or none,
 * with or without a UN number) in which a rule's `when` can be true.
 */
#define EVAL_GATE_NO_CHAPTER	100
#define EVAL_GATE_CLASSES	256
struct eval_gate {
	uint64_t	bits[EVAL_GATE_CLASSES / 64]; /* by eval_gate_class() */
};
/* Per class, the item rules to walk: rules[from[c]..to[c]) (owned). */
struct eval_gate_classes {
	size_t		*rules;
	size_t		 from[EVAL_GATE_CLASSES];
	size_t		 to[EVAL_GATE_CLASSES];
};
void eval_gate_rule(const struct rules_rule *r, const struct rules_context *ctx,
    struct eval_gate *g);
void eval_gate_classes(const struct eval_gate *gates, size_t nrules,
    struct eval_gate_classes *gc);
unsigned eval_gate_class(const struct manifest_item *it);
static inline bool
eval_gate_open(const struct eval_gate *g, unsigned cls)
{
	return (g->bits[cls / 64] >> (cls % 64)) & 1;
}

/* `sample`'s draw for the frame's wagon and rule (eval_sample.c). */
double eval_sample_draw(struct eval_frame *f);
/* True if condition n holds at the frame's subject. */
bool rules_eval_cond(const struct rules_node *n, struct eval_frame *f);
/* A reason text formatted for the frame's subject; caller frees; NULL if empty. */
char *rules_eval_text(const struct rules_text *text, struct eval_frame *f);

/* The wagon's declared mass (eval_expr.c), or MANIFEST_ABSENT. */
int64_t eval_wagon_declared(const struct manifest_wagon *w);
/*
 * Evidence fields (eval_evidence.c): a yes/no (false for any other id)
 * or text one (NULL for any other id; a computed text is the frame's
 * until eval_texts_free); the weighbridge mass by the rule set's
 * edition; whether a field's text is computed.
 */
bool eval_evidence_bool(enum rules_field id, struct eval_frame *f);
const char *eval_evidence_str(enum rules_field id, struct eval_frame *f);
int64_t eval_weighbridge(const struct eval_frame *f);
bool eval_field_is_computed(enum rules_field id);
void eval_texts_free(struct eval_frame *f);
/* Keeps s (malloc'd, consumed) until eval_texts_free; returns it. */
const char *eval_frame_keep(struct eval_frame *f, char *s);

#endif
