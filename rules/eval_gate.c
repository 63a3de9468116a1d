/*
 * eval_gate.c -- which item rules can hit an item, known from two facts
 * read once per item: its HS chapter and whether it has a UN number.
 *
 * Most goods rules open with a test on the HS code (`hs in chapters`,
 * `hs in list`) or on the UN number (`un_number is known`, `un >= 1`),
 * and most items fail it.  Before a train is evaluated, each item rule's
 * `when` is reduced to the set of item classes (chapter 0..99 or none,
 * times UN number or not) in which it can possibly be true: an AND meets
 * its sides' sets, an OR joins them, a test this file does not read
 * allows every class.  An item whose class is outside a rule's set
 * cannot hit it, so the rule is not evaluated there: the decision is the
 * one evaluating it would give (a rule that does not hit leaves nothing
 * behind), without walking its expression tree per item.
 *
 * A test that no event of the evaluation can make true (`ct_suspect`
 * when no parcel scan was suspect) allows no class.
 *
 * Found by profiling bench/rules (issue 23): on a 1,000,000-parcel
 * train, 9 item rules walked per item were most of the evaluation.
 */
#include <string.h>

#include "manifest/util.h"

#include "eval_int.h"
#include "lang.h"

/* Class index: chapter 0..99, EVAL_GATE_NO_CHAPTER; + 128 with a UN number. */
#define GATE_UN		(EVAL_GATE_CLASSES / 2)

/* Every class. */
static void
gate_all(struct eval_gate *g)
{
	memset(g->bits, 0xff, sizeof g->bits);
}

static void
gate_set(struct eval_gate *g, unsigned i)
{
	g->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Chapter (or no-chapter) class c, with and without a UN number. */
static void
gate_set_chapter(struct eval_gate *g, unsigned c)
{
	gate_set(g, c);
	gate_set(g, c + GATE_UN);
}

/* True if n reads the item's field id directly. */
static bool
reads_item(const struct rules_node *n, enum rules_field id)
{
	return n != NULL && n->op == RULES_OP_FIELD && n->field == id;
}

/* The classes an HS code with list entry e as a prefix (or equal) is in. */
static void
gate_entry(struct eval_gate *g, const char *e)
{
	size_t		len = strlen(e);
	unsigned	d;

	if (len == 0)
		return;		/* an empty entry matches nothing */
	if (e[0] < '0' || e[0] > '9' || (len >= 2 && (e[1] < '0' ||
	    e[1] > '9'))) {
		gate_set_chapter(g, EVAL_GATE_NO_CHAPTER);
		return;
	}
	if (len >= 2) {
		gate_set_chapter(g, (unsigned)(e[0] - '0') * 10 +
		    (unsigned)(e[1] - '0'));
		return;
	}
	/* One digit: any chapter it opens, or an HS code of one digit. */
	for (d = 0; d < 10; d++)
		gate_set_chapter(g, (unsigned)(e[0] - '0') * 10 + d);
	gate_set_chapter(g, EVAL_GATE_NO_CHAPTER);
}

/* The classes in which bool node n can be true (a superset). */
static void
gate_node(const struct rules_node *n, const struct rules_context *ctx,
    struct eval_gate *g)
{
	struct eval_gate	a, b;
	unsigned		i, c;

	memset(g, 0, sizeof *g);
	switch (n->op) {
	case RULES_OP_AND:
	case RULES_OP_OR:
		gate_node(n->a, ctx, &a);
		gate_node(n->b, ctx, &b);
		for (i = 0; i < nitems(g->bits); i++)
			g->bits[i] = n->op == RULES_OP_AND ?
			    a.bits[i] & b.bits[i] : a.bits[i] | b.bits[i];
		return;
	case RULES_OP_FIELD:
		/* ct_suspect: no parcel scan was suspect, in no class. */
		if (n->field == RULES_F_ITEM_SCAN_SUSPECT &&
		    !rules_context_any_parcel_suspect(ctx))
			return;
		break;
	case RULES_OP_CHAPTERS:
		if (!reads_item(n->a, RULES_F_ITEM_HS))
			break;
		/* A code without two leading digits is in no chapter. */
		for (c = 0; c < 100; c++)
			if ((n->chapters[c / 64] >> (c % 64)) & 1)
				gate_set_chapter(g, c);
		return;
	case RULES_OP_IN_LIST:
		if (!reads_item(n->a, RULES_F_ITEM_HS) || !n->prefix_match)
			break;
		for (i = 0; i < n->list->n; i++)
			gate_entry(g, n->list->names[i]);
		return;
	case RULES_OP_KNOWN:
		/* `un_number is known`, `un is known`: only with one. */
		if ((!reads_item(n->a, RULES_F_ITEM_UN_NUMBER) &&
		    !reads_item(n->a, RULES_F_ITEM_UN)) || n->num != 0)
			break;
		for (c = GATE_UN; c < 2 * GATE_UN; c++)
			gate_set(g, c);
		return;
	case RULES_OP_EQ: case RULES_OP_NE: case RULES_OP_LT:
	case RULES_OP_LE: case RULES_OP_GT: case RULES_OP_GE:
		/* An unknown number compares false: `un` is unknown
		 * without a UN number. */
		if (n->a->type == RULES_TYPE_STRING ||
		    (!reads_item(n->a, RULES_F_ITEM_UN) &&
		    !reads_item(n->b, RULES_F_ITEM_UN)))
			break;
		for (c = GATE_UN; c < 2 * GATE_UN; c++)
			gate_set(g, c);
		return;
	default:
		break;
	}
	gate_all(g);
}

/* True if n tests a name against a list (`matches`) anywhere. */
static bool
has_screening(const struct rules_node *n)
{
	if (n == NULL)
		return false;
	if (n->op == RULES_OP_MATCHES)
		return true;
	return has_screening(n->a) || has_screening(n->b);
}

/*
 * The gate of item rule r for an evaluation with ctx (eval_int.h).  A
 * `when` that screens is walked at every item: a screening test leaves
 * a trace even when the rule does not hit (the clearance it applied is
 * stored with the decision), so skipping it could change what is stored.
 */
void
eval_gate_rule(const struct rules_rule *r, const struct rules_context *ctx,
    struct eval_gate *g)
{
	if (has_screening(r->when))
		gate_all(g);
	else
		gate_node(r->when, ctx, g);
}

/*
 * For each class, the item rules (indexes into the scoped ones) its gate
 * lets through, in order: an item walks only its class's list.
 */
void
eval_gate_classes(const struct eval_gate *gates, size_t nrules,
    struct eval_gate_classes *gc)
{
	size_t		k, n = 0;
	unsigned	c;

	gc->rules = xcalloc(EVAL_GATE_CLASSES * nrules + 1,
	    sizeof *gc->rules);
	for (c = 0; c < EVAL_GATE_CLASSES; c++) {
		gc->from[c] = n;
		for (k = 0; k < nrules; k++)
			if (eval_gate_open(&gates[k], c))
				gc->rules[n++] = k;
		gc->to[c] = n;
	}
}

/* The class of item it (eval_int.h). */
unsigned
eval_gate_class(const struct manifest_item *it)
{
	const char	*s = it->hs;
	unsigned	 c = EVAL_GATE_NO_CHAPTER;

	if (s != NULL && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' &&
	    s[1] <= '9')
		c = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	return it->un_number != NULL ? c + GATE_UN : c;
}
