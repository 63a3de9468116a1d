/*
 * eval_expr.c -- a rule's expressions evaluated at one subject (the
 * wagon, container, consignment or item a struct eval_frame points at): the
 * fields of the model and of the context, arithmetic, comparisons,
 * lists and fuzzy matches (memoised per evaluation), `sample`'s draw,
 * and the reason texts.  What is evaluated where, and the hits, are
 * eval.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/ident.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "eval.h"
#include "eval_int.h"
#include "fuzzy.h"
#include "screen.h"
#include "lang.h"
#include "memo.h"

static bool eval_bool(const struct rules_node *, struct eval_frame *);
static int64_t eval_num(const struct rules_node *, struct eval_frame *);
static const char *eval_str(const struct rules_node *, struct eval_frame *);

/* Context facts about equipment number, or NULL. */
static const struct rules_equipment *
frame_eq(const struct eval_frame *f, const char *number)
{
	return rules_context_equipment(f->ctx, number);
}

/* True if a seal list has a damaged seal or a check found trouble. */
static bool
seals_damaged(const struct eval_frame *f, const char *number,
    const struct manifest_seal *s, size_t n)
{
	const struct rules_equipment	*e = frame_eq(f, number);
	size_t				 i;

	for (i = 0; i < n; i++)
		if (s[i].condition == MANIFEST_SEAL_DAMAGED)
			return true;
	return e != NULL && e->seal_trouble;
}

/* True unless the neighbour reported seals that differ from the manifest's. */
static bool
seals_match(const struct eval_frame *f, const char *number,
    const struct manifest_seal *s, size_t n)
{
	const struct rules_equipment	*e = frame_eq(f, number);
	size_t				 i, k;

	if (e == NULL || e->nneighbour_seals == 0)
		return true;
	if (e->nneighbour_seals != n)
		return false;
	for (i = 0; i < e->nneighbour_seals; i++) {
		for (k = 0; k < n; k++)
			if (s[k].number != NULL &&
			    strcmp(s[k].number, e->neighbour_seals[i]) == 0)
				break;
		if (k == n)
			return false;
	}
	return true;
}

/* True if the neighbour found equipment clear (inspected or scanned). */
static bool
neighbour_clear(const struct eval_frame *f, const char *number,
    const struct manifest_seal *s, size_t n)
{
	const struct rules_equipment	*e = frame_eq(f, number);

	if (e == NULL || e->neighbour_control == NULL)
		return false;
	if (strcmp(e->neighbour_control, "inspected_clear") != 0 &&
	    strcmp(e->neighbour_control, "scanned_clear") != 0)
		return false;
	return seals_match(f, number, s, n) && !seals_damaged(f, number, s, n);
}

/* True if the neighbour cleared every container of the wagon. */
static bool
wagon_neighbour_cleared(const struct eval_frame *f)
{
	const struct manifest_wagon	*w = f->w;
	size_t				 i;

	if (w->ncontainers == 0)
		return neighbour_clear(f, w->number, w->seals, w->nseals);
	for (i = 0; i < w->ncontainers; i++)
		if (!neighbour_clear(f, w->containers[i]->number,
		    w->containers[i]->seals, w->containers[i]->nseals))
			return false;
	return true;
}

/* Tare plus containers' gross, or plus goods' gross on a flat wagon. */
static int64_t
wagon_declared(const struct manifest_wagon *w)
{
	int64_t	sum = 0, v;
	bool	known = w->tare_kg != MANIFEST_ABSENT;
	size_t	i;

	if (known)
		sum = w->tare_kg;
	for (i = 0; i < w->ncontainers; i++)
		if ((v = w->containers[i]->gross_kg) != MANIFEST_ABSENT) {
			sum += v;
			known = true;
		}
	for (i = 0; w->ncontainers == 0 && i < w->nitems; i++)
		if ((v = w->items[i]->gross_kg) != MANIFEST_ABSENT) {
			sum += v;
			known = true;
		}
	return known ? sum : MANIFEST_ABSENT;
}

/* wagon_declared for eval_evidence.c (eval_int.h). */
int64_t
eval_wagon_declared(const struct manifest_wagon *w)
{
	return wagon_declared(w);
}

/* Absolute weighbridge variance in percent (thousandths), or ABSENT. */
static int64_t
wagon_variance(const struct eval_frame *f)
{
	int64_t	kg = eval_weighbridge(f), decl = wagon_declared(f->w), diff;

	if (kg == MANIFEST_ABSENT || decl == MANIFEST_ABSENT || decl <= 0)
		return MANIFEST_ABSENT;
	diff = kg - decl;
	if (diff < 0)
		diff = -diff;
	return (int64_t)((__int128)diff * 100 * MANIFEST_SCALE / decl);
}

/* True if every consignee of the goods on the wagon is AEO-certified. */
static bool
wagon_all_aeo(struct eval_frame *f)
{
	size_t	i;

	if (f->aeo == -1) {
		f->aeo = f->w->nitems > 0;
		for (i = 0; i < f->w->nitems; i++)
			if (f->w->items[i]->consignment->consignee.aeo == NULL) {
				f->aeo = 0;
				break;
			}
	}
	return f->aeo == 1;
}

/* A party of the current consignment by field id. */
static const struct manifest_party *
frame_party(const struct eval_frame *f, enum rules_field id)
{
	if (id >= RULES_F_DECLARANT_ID)
		return &f->cs->declarant;
	if (id >= RULES_F_CONSIGNEE_ID)
		return &f->cs->consignee;
	return &f->cs->consignor;
}

/* A party field: id, name, country or aeo. */
static const char *
party_field(const struct eval_frame *f, enum rules_field id)
{
	const struct manifest_party	*p = frame_party(f, id);

	switch ((id - RULES_F_CONSIGNOR_ID) % 4) {
	case 0:
		return p->id;
	case 1:
		return p->name;
	case 2:
		return p->country;
	default:
		return p->aeo;
	}
}

/*
 * True when n reads a wagon that the frame does not have: goods placed on
 * no wagon (edition 2) are judged without one, and every wagon field of
 * theirs is unknown.
 */
static inline bool
field_no_wagon(const struct rules_node *n, const struct eval_frame *f)
{
	return f->w == NULL && n->field_scope == RULES_SCOPE_WAGON;
}

/* The number of goods items of the train not placed on a wagon. */
static int64_t
train_unplaced_items(const struct manifest_train *t)
{
	return (int64_t)t->nunplaced * MANIFEST_SCALE;
}

/* A yes/no field. */
static bool
field_bool(const struct rules_node *n, struct eval_frame *f)
{
	int	exp;

	if (field_no_wagon(n, f))
		return false;
	switch (n->field) {
	case RULES_F_TRAIN_ARRIVED:
		return rules_context_arrived(f->ctx) != MANIFEST_ABSENT;
	case RULES_F_WAGON_NUMBER_VALID:
		return ident_uic_check(f->w->number, &exp) == IDENT_OK;
	case RULES_F_WAGON_ALL_CONSIGNEES_AEO:
		return wagon_all_aeo(f);
	case RULES_F_WAGON_SEALS_DAMAGED:
		return seals_damaged(f, f->w->number, f->w->seals,
		    f->w->nseals);
	case RULES_F_WAGON_SEALS_MATCH_NEIGHBOUR:
		return seals_match(f, f->w->number, f->w->seals, f->w->nseals);
	case RULES_F_WAGON_NEIGHBOUR_CLEARED:
		return wagon_neighbour_cleared(f);
	case RULES_F_CONTAINER_FULL:
		return f->c->full;
	case RULES_F_CONTAINER_EMPTY:
		return !f->c->full;
	case RULES_F_CONTAINER_NUMBER_VALID:
		return f->c->number != NULL &&
		    ident_iso6346_check(f->c->number, &exp) == IDENT_OK;
	case RULES_F_CONTAINER_SEALS_DAMAGED:
		return seals_damaged(f, f->c->number, f->c->seals,
		    f->c->nseals);
	case RULES_F_CONTAINER_SEALS_MATCH_NEIGHBOUR:
		return seals_match(f, f->c->number, f->c->seals, f->c->nseals);
	case RULES_F_ITEM_PLACED:
		return rules_eval_item_placed(f->it);
	default:
		return eval_evidence_bool(n->field, f);
	}
}

/* A number field (thousandths), or MANIFEST_ABSENT. */
static int64_t
field_num(const struct rules_node *n, struct eval_frame *f)
{
	int64_t	v;

	if (field_no_wagon(n, f))
		return MANIFEST_ABSENT;
	switch (n->field) {
	case RULES_F_TRAIN_UNPLACED_ITEMS:
		return train_unplaced_items(f->t);
	case RULES_F_TRAIN_WAGONS:
		return (int64_t)f->t->nwagons * MANIFEST_SCALE;
	case RULES_F_TRAIN_ITEMS:
		return (int64_t)f->t->nitems * MANIFEST_SCALE;
	case RULES_F_WAGON_POSITION:
		return (int64_t)f->w->position * MANIFEST_SCALE;
	case RULES_F_WAGON_TARE:
		return f->w->tare_kg;
	case RULES_F_WAGON_DECLARED_MASS:
		return wagon_declared(f->w);
	case RULES_F_WAGON_WEIGHBRIDGE:
		return eval_weighbridge(f);
	case RULES_F_WAGON_VARIANCE:
		return wagon_variance(f);
	case RULES_F_WAGON_CONTAINERS:
		return (int64_t)f->w->ncontainers * MANIFEST_SCALE;
	case RULES_F_WAGON_ITEMS:
		return (int64_t)f->w->nitems * MANIFEST_SCALE;
	case RULES_F_CONTAINER_GROSS:
		return f->c->gross_kg;
	case RULES_F_CONSIGNMENT_VALUE:
		return f->cs->value;
	case RULES_F_ITEM_SEQ:
		return (int64_t)f->it->seq * MANIFEST_SCALE;
	case RULES_F_ITEM_PACKAGES:
		v = f->it->packages;
		return v == MANIFEST_ABSENT ? v : v * MANIFEST_SCALE;
	case RULES_F_ITEM_GROSS:
		return f->it->gross_kg;
	case RULES_F_ITEM_NET:
		return f->it->net_kg;
	case RULES_F_ITEM_VALUE:
		return f->it->value;
	case RULES_F_ITEM_UN:
		if (f->it->un_number == NULL || value_decimal_parse(
		    f->it->un_number, strlen(f->it->un_number), &v) != VALUE_OK)
			return MANIFEST_ABSENT;
		return v;
	default:
		return MANIFEST_ABSENT;
	}
}

/* {diagnostic}: "CODE at segment 14 (GID), byte 812: message", or NULL. */
static const char *
diag_text(struct eval_frame *f)
{
	char	where[256];

	if (f->diag == NULL)
		return NULL;
	free(f->diag_text);
	diag_format_where(&f->diag->loc, where, sizeof where);
	f->diag_text = xasprintf("%s%s%s: %s", f->diag->code,
	    where[0] != '\0' ? " at " : "", where, f->diag->message);
	return f->diag_text;
}

/* The procedure of the current consignment, defaulting to the train's. */
static const char *
frame_procedure(const struct eval_frame *f)
{
	if (f->cs->procedure != MANIFEST_PROC_DEFAULT)
		return manifest_procedure_name(f->cs->procedure);
	return manifest_direction_name(f->t->direction);
}

/* A text field, or NULL. */
static const char *
field_str(const struct rules_node *n, struct eval_frame *f)
{
	const struct rules_equipment	*e;

	if (field_no_wagon(n, f))
		return NULL;
	if (n->field >= RULES_F_CONSIGNOR_ID &&
	    n->field <= RULES_F_DECLARANT_AEO)
		return party_field(f, n->field);
	switch (n->field) {
	case RULES_F_TRAIN_ID: return f->t->id;
	case RULES_F_TRAIN_DIRECTION:
		return manifest_direction_name(f->t->direction);
	case RULES_F_TRAIN_FUNCTION:
		return manifest_function_name(f->t->function);
	case RULES_F_TRAIN_BORDER_STATION: return f->t->border_station;
	case RULES_F_TRAIN_TRANSPORT_MODE: return f->t->transport_mode;
	case RULES_F_TRAIN_MANIFEST_REF: return f->t->manifest_ref;
	case RULES_F_TRAIN_CARRIER_NAME: return f->t->carrier.name;
	case RULES_F_WAGON_NUMBER: return f->w->number;
	case RULES_F_WAGON_TYPE: return f->w->type;
	case RULES_F_CONTAINER_NUMBER: return f->c->number;
	case RULES_F_CONTAINER_SIZE_TYPE: return f->c->size_type;
	case RULES_F_CONTAINER_SCAN:
	case RULES_F_CONTAINER_NEIGHBOUR_CONTROL:
		if ((e = frame_eq(f, f->c->number)) == NULL)
			return NULL;
		return n->field == RULES_F_CONTAINER_SCAN ? e->scan :
		    e->neighbour_control;
	case RULES_F_CONSIGNMENT_REF: return f->cs->ref;
	case RULES_F_CONSIGNMENT_PROCEDURE: return frame_procedure(f);
	case RULES_F_CONSIGNMENT_CURRENCY: return f->cs->currency;
	case RULES_F_ITEM_HS: return f->it->hs;
	case RULES_F_ITEM_DESCRIPTION: return f->it->description;
	case RULES_F_ITEM_CURRENCY: return f->it->currency;
	case RULES_F_ITEM_ORIGIN: return f->it->origin;
	case RULES_F_ITEM_UN_NUMBER: return f->it->un_number;
	case RULES_F_ITEM_TRACKING: return f->it->tracking;
	case RULES_F_MATCH: return f->match_text;
	case RULES_F_DIAGNOSTIC: return diag_text(f);
	default: return eval_evidence_str(n->field, f);
	}
}

/*
 * a * b in thousandths, truncated toward zero.  Without overflow in 64
 * bits the same quotient as the 128-bit one, without its library call
 * (__divti3 was 2% of an evaluation's instructions).
 */
static inline int64_t
arith_mul(int64_t a, int64_t b)
{
	int64_t	p;

	if (!__builtin_mul_overflow(a, b, &p))
		return p / MANIFEST_SCALE;
	return (int64_t)((__int128)a * b / MANIFEST_SCALE);
}

/* a / b in thousandths (b not 0), as arith_mul. */
static inline int64_t
arith_div(int64_t a, int64_t b)
{
	int64_t	p;

	if (b != -1 && !__builtin_mul_overflow(a, MANIFEST_SCALE, &p))
		return p / b;
	return (int64_t)((__int128)a * MANIFEST_SCALE / b);
}

/* Arithmetic on thousandths; any unknown operand makes it unknown. */
static int64_t
eval_arith(const struct rules_node *n, struct eval_frame *f)
{
	int64_t	a = eval_num(n->a, f), b;

	if (a == MANIFEST_ABSENT)
		return a;
	if (n->op == RULES_OP_NEG)
		return -a;
	if (n->op == RULES_OP_ABS)
		return a < 0 ? -a : a;
	if (n->op == RULES_OP_ROUND)	/* halves away from zero */
		return (a / MANIFEST_SCALE + (a % MANIFEST_SCALE >=
		    MANIFEST_SCALE / 2) - (a % MANIFEST_SCALE <=
		    -MANIFEST_SCALE / 2)) * MANIFEST_SCALE;
	if ((b = eval_num(n->b, f)) == MANIFEST_ABSENT)
		return b;
	switch (n->op) {
	case RULES_OP_ADD: return a + b;
	case RULES_OP_SUB: return a - b;
	case RULES_OP_MUL:
		return arith_mul(a, b);
	default:
		if (b == 0)
			return MANIFEST_ABSENT;
		return arith_div(a, b);
	}
}

/*
 * list[key]: the model's texts (fields before RULES_F_MATCH; names of
 * enums) do not change or move while a train is evaluated, so the same
 * address at the same node is the same answer: a wagon's parcels in one
 * currency look it up once.  Other texts (computed, the frame's) are
 * looked up every time.
 */
static const int64_t *
eval_lookup(const struct rules_node *n, struct eval_frame *f,
    const char *key)
{
	const int64_t	*v;

	if (n->a->op != RULES_OP_FIELD || n->a->field >= RULES_F_MATCH)
		return strmap_get(n->list->entries, key);
	if (f->lookup_node == n && f->lookup_key == key)
		return f->lookup_val;
	v = strmap_get(n->list->entries, key);
	f->lookup_node = n;
	f->lookup_key = key;
	f->lookup_val = v;
	return v;
}

/* A number-valued node. */
static int64_t
eval_num(const struct rules_node *n, struct eval_frame *f)
{
	const char	*key;
	const int64_t	*v;

	switch (n->op) {
	case RULES_OP_NUMBER:
		return n->num;
	case RULES_OP_FIELD:
		return field_num(n, f);
	case RULES_OP_LOOKUP:
		if ((key = eval_str(n->a, f)) == NULL)
			return MANIFEST_ABSENT;
		v = eval_lookup(n, f, key);
		return v == NULL ? MANIFEST_ABSENT : *v;
	default:
		return eval_arith(n, f);
	}
}

/* A text-valued node; NULL when unknown. */
static const char *
eval_str(const struct rules_node *n, struct eval_frame *f)
{
	return n->op == RULES_OP_STRING ? n->str : field_str(n, f);
}

/* The best entry of l for s: its index, and its similarity (-1: none). */
static double
match_best(const struct rules_list *l, const char *s, size_t *best)
{
	int32_t	*cp;
	size_t	 ncp, i;
	double	 score, top = -1;

	*best = 0;
	ncp = rules_fuzzy_normalise(s, &cp);
	for (i = 0; i < l->n && ncp > 0; i++) {
		score = rules_fuzzy_similarity_cp(cp, ncp, l->folded[i],
		    l->nfolded[i]);
		if (score > top) {
			top = score;
			*best = i;
		}
	}
	free(cp);
	return top;
}

/* Fuzzy match of a name against a list; records the best entry. */
static bool
eval_matches(const struct rules_node *n, struct eval_frame *f)
{
	const struct rules_list	*l = n->list;
	const char		*s;
	struct memo		*memo = f->memo;
	size_t			 best;
	double			 top;

	if (f->rs->edition >= 3 || n->a->op == RULES_OP_PARTY)
		return screen_eval(n, f, n->a->op == RULES_OP_PARTY ? NULL :
		    eval_str(n->a, f), !(n->a->op == RULES_OP_FIELD &&
		    eval_field_is_computed(n->a->field)) &&
		    n->a->op != RULES_OP_STRING);
	if ((s = eval_str(n->a, f)) == NULL)
		return false;
	/* The memo keys on addresses: a computed text's is not stable. */
	if (n->a->op == RULES_OP_FIELD && eval_field_is_computed(n->a->field))
		memo = NULL;
	if (memo == NULL || !memo_get(memo, n, s, &best, &top)) {
		top = match_best(l, s, &best);
		if (memo != NULL)
			memo_put(memo, n, s, best, top);
	}
	if (top < 0 || top < n->fraction)
		return false;
	free(f->match_text);
	f->match_text = xasprintf("'%s' matches %s entry '%s' (similarity "
	    "%.2f)", s, l->name, l->names[best], top);
	return true;
}

/* Membership of a text in a list; HS codes match an entry by prefix. */
static bool
eval_in_list(const struct rules_node *n, struct eval_frame *f)
{
	const char	*s = eval_str(n->a, f);
	size_t		 k, len;

	if (s == NULL)
		return false;
	if (!n->prefix_match)
		return strmap_get(n->list->entries, s) != NULL;
	len = strlen(s);
	for (k = 1; k <= len && k < sizeof n->list->lengths; k++)
		if (n->list->lengths[k] &&
		    strmap_getn(n->list->entries, s, k) != NULL)
			return true;
	return false;
}

/*
 * True if the item declares a document of the node's type, or an
 * officer accepted one for its consignment or the whole train (a
 * "document" event: docs/documents.md).
 */
static bool
eval_has_doc(const struct rules_node *n, const struct eval_frame *f)
{
	uint32_t	i;

	for (i = 0; i < f->it->ndocuments; i++)
		if (f->it->documents[i].type != NULL &&
		    strcmp(f->it->documents[i].type, n->str) == 0)
			return true;
	return rules_context_has_document(f->ctx, f->it->consignment != NULL ?
	    f->it->consignment->ref : NULL, n->str);
}

/* What {diagnostic} says when the list could not keep them all. */
static const struct diag too_many = {
	DIAG_ERROR, "TOO_MANY_DIAGNOSTICS", { NULL, 0, 0, 0, "", DIAG_NO_OFFSET,
	NULL }, "more diagnostics than a list keeps: the rest were counted, "
	"not kept, and may be any of the ones the rules look for"
};

/*
 * Edition 2, train scope: a diagnostic the list dropped (past its limit)
 * still counts -- `diagnostic TOO_MANY_DIAGNOSTICS` is true, and so is a
 * severity test the counts (which include the dropped) say is met.  A
 * code test cannot know what was dropped; a rule set holds on
 * TOO_MANY_DIAGNOSTICS for that.
 */
static bool
eval_diag_dropped(const struct rules_node *n, struct eval_frame *f)
{
	const struct diag_list	*l = &f->t->diags;
	bool			 yes;

	if (l->dropped == 0)
		return false;
	if (n->op == RULES_OP_DIAGNOSTIC)
		yes = strcmp(n->str, too_many.code) == 0;
	else
		yes = (n->num == DIAG_ERROR && l->errors > 0) ||
		    (n->num == DIAG_WARNING && l->warnings > 0) ||
		    n->num == DIAG_INFO;
	if (yes)
		f->diag = &too_many;
	return yes;
}

/*
 * `diagnostic CODE` and `diagnostic severity S`: the first such diagnostic
 * of the train, remembered for {diagnostic}.  In edition 2, below train
 * scope, only one about the rule's subject counts (eval_diag.c).
 */
static bool
eval_diagnostic(const struct rules_node *n, struct eval_frame *f)
{
	const struct diag_list	*l = &f->t->diags;
	const size_t		*about = NULL;
	size_t			 i, k, nabout = l->n;

	if (f->rs->edition >= 2 && f->rule->scope != RULES_SCOPE_TRAIN)
		nabout = rules_eval_diag_about(f, &about);
	for (k = 0; k < nabout; k++) {
		i = about != NULL ? about[k] : k;
		if (n->op == RULES_OP_DIAGNOSTIC ?
		    strcmp(l->v[i].code, n->str) != 0 :
		    (int64_t)l->v[i].severity != n->num)
			continue;
		f->diag = &l->v[i];
		return true;
	}
	return about == NULL && f->rs->edition >= 2 && eval_diag_dropped(n, f);
}

/* Comparison of two numbers or two texts; unknown numbers compare false. */
static bool
eval_compare(const struct rules_node *n, struct eval_frame *f)
{
	const char	*sa, *sb;
	int64_t		 a, b;

	if (n->a->type == RULES_TYPE_STRING) {
		sa = eval_str(n->a, f);
		sb = eval_str(n->b, f);
		bool eq = strcmp(sa == NULL ? "" : sa, sb == NULL ? "" : sb) == 0;
		return n->op == RULES_OP_EQ ? eq : !eq;
	}
	a = eval_num(n->a, f);
	b = eval_num(n->b, f);
	if (a == MANIFEST_ABSENT || b == MANIFEST_ABSENT)
		return false;
	switch (n->op) {
	case RULES_OP_EQ: return a == b;
	case RULES_OP_NE: return a != b;
	case RULES_OP_LT: return a < b;
	case RULES_OP_LE: return a <= b;
	case RULES_OP_GT: return a > b;
	default: return a >= b;
	}
}

/* A yes/no node. */
static bool
eval_bool(const struct rules_node *n, struct eval_frame *f)
{
	const char	*s;
	int		 c;

	switch (n->op) {
	case RULES_OP_BOOL:
		return n->num != 0;
	case RULES_OP_FIELD:
		return field_bool(n, f);
	case RULES_OP_AND:
		return eval_bool(n->a, f) && eval_bool(n->b, f);
	case RULES_OP_OR:
		return eval_bool(n->a, f) || eval_bool(n->b, f);
	case RULES_OP_NOT:
		return !eval_bool(n->a, f);
	case RULES_OP_KNOWN:
		if (n->a->type == RULES_TYPE_STRING)
			return (eval_str(n->a, f) != NULL) != (n->num != 0);
		return (eval_num(n->a, f) != MANIFEST_ABSENT) != (n->num != 0);
	case RULES_OP_CHAPTERS:
		s = eval_str(n->a, f);
		if (s == NULL || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
		    s[1] > '9')
			return false;
		c = (s[0] - '0') * 10 + (s[1] - '0');
		return (n->chapters[c / 64] >> (c % 64)) & 1;
	case RULES_OP_STARTS:
		s = eval_str(n->a, f);
		return s != NULL && strncmp(s, n->str, n->len) == 0;
	case RULES_OP_IN_LIST:
		return eval_in_list(n, f);
	case RULES_OP_MATCHES:
		return eval_matches(n, f);
	case RULES_OP_HAS_DOC:
		return eval_has_doc(n, f);
	case RULES_OP_DIAGNOSTIC:
	case RULES_OP_DIAG_SEVERITY:
		return eval_diagnostic(n, f);
	case RULES_OP_SAMPLE:
		return f->w != NULL && eval_sample_draw(f) < n->fraction;
	default:
		return eval_compare(n, f);
	}
}

/* Appends decimal text s with a ',' between thousands: 22,895.5. */
static void
add_grouped(struct buf *b, const char *s)
{
	size_t	digits, i;

	if (*s == '-')
		buf_add_char(b, *s++);
	digits = strcspn(s, ".");
	for (i = 0; i < digits; i++) {
		if (i > 0 && (digits - i) % 3 == 0)
			buf_add_char(b, ',');
		buf_add_char(b, s[i]);
	}
	buf_add_str(b, s + digits);
}

/* Formats a reason text for the current subject; caller frees. */
char *
rules_eval_text(const struct rules_text *text, struct eval_frame *f)
{
	struct buf	 b = { 0 };
	char		 num[VALUE_DECIMAL_MAX];
	const char	*s;
	int64_t		 v;
	size_t		 i;

	if (text->n == 0)
		return NULL;
	for (i = 0; i < text->n; i++) {
		const struct rules_node *e = text->parts[i].expr;

		if (e == NULL) {
			buf_add(&b, text->parts[i].text, text->parts[i].len);
		} else if (e->type == RULES_TYPE_STRING) {
			s = eval_str(e, f);
			buf_add_str(&b, s == NULL ? "(none)" : s);
		} else if (e->type == RULES_TYPE_NUMBER) {
			v = eval_num(e, f);
			if (v == MANIFEST_ABSENT)
				buf_add_str(&b, "(unknown)");
			else if (text->parts[i].grouped)
				add_grouped(&b, value_decimal_format(v, num));
			else
				buf_add_str(&b, value_decimal_format(v, num));
		} else
			buf_add_str(&b, eval_bool(e, f) ? "yes" : "no");
	}
	if (f->texts != NULL)
		eval_texts_free(f);
	return buf_steal(&b, NULL);
}

/* True if condition n holds at the frame's subject (eval_int.h). */
bool
rules_eval_cond(const struct rules_node *n, struct eval_frame *f)
{
	bool	hit = eval_bool(n, f);

	if (f->texts != NULL)
		eval_texts_free(f);
	return hit;
}
