/*
 * eval_int.h -- what rule evaluation's two parts share.  Internal to
 * rules/eval*.c.
 *
 * eval.c walks a train level by level (the train, then each wagon: its
 * containers, consignments and items, wagons in parallel) and keeps the
 * hits; eval_expr.c evaluates one rule's expressions and texts at the
 * subject a struct eval_frame points at.  A frame belongs to one thread.
 */
#ifndef RULES_EVAL_INT_H
#define RULES_EVAL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "manifest/model.h"

#include "context.h"
#include "lang.h"
#include "memo.h"

/* What a rule is looking at, plus per-wagon values computed lazily. */
struct eval_frame {
	const struct rules_ruleset		*rs;
	const struct manifest_train		*t;
	const struct rules_context		*ctx;
	const struct rules_rule			*rule;
	const struct manifest_wagon		*w;
	const struct manifest_container		*c;
	const struct manifest_consignment	*cs;
	const struct manifest_item		*it;
	char					*match_text;	/* owned: the last fuzzy match */
	int					 aeo;		/* -1: not yet known */
	struct memo				*memo;		/* the evaluation's */
	char					**texts;	/* owned: computed texts */
	size_t					 ntexts;	/* (eval_expr.c) */
	size_t					 texts_cap;
};

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

#endif
