/*
 * test_rules_gate.c -- the item rule gates (rules/eval_gate.c): a rule
 * skipped at an item whose class (HS chapter or none, UN number or not)
 * it cannot hit must be exactly a rule that would not have hit there.
 * Edge cases of the reduction: a one-digit list entry (any chapter it
 * opens, or a one-digit code), an entry that is not digits, an HS code
 * that is not digits or is missing, `not`, `or`, a UN test, and
 * `ct_suspect` with and without a suspect parcel scan; and a rule that
 * screens, never skipped (a clearance it applies is stored).
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/ident.h"
#include "manifest/util.h"
#include "rules/context.h"
#include "rules/rules.h"

#include "unit.h"

static const char gate_rules[] =
    "ruleset \"gate\"\n"
    "list l from \"lists/l.txt\"\n"
    "rule in-list\n scope item\n action DOC_CHECK\n when hs in list l\n"
    " reason \"x\"\nend\n"
    "rule not-animal\n scope item\n action DOC_CHECK\n"
    " when not hs in chapters 01..05\n reason \"x\"\nend\n"
    "rule machine-or-un\n scope item\n action DOC_CHECK\n"
    " when hs in chapters 85 or un >= 1\n reason \"x\"\nend\n"
    "rule arms-un\n scope item\n action DOC_CHECK\n"
    " when un_number is known and hs in chapters 93\n reason \"x\"\nend\n"
    "rule no-hs\n scope item\n action DOC_CHECK\n when hs is missing\n"
    " reason \"x\"\nend\n"
    "rule ct\n scope item\n action INSPECT\n when ct_suspect\n"
    " reason \"x\"\nend\n";
static const char gate_list[] = "9\n0106\nx1\n";

/* One wagon, one container, six items: hs as given (NULL: none). */
static struct manifest_train *
gate_train(void)
{
	static const char *const hs[] = { "930100", "9", "010620", "x123",
	    "850000", NULL };
	struct manifest_train		*t = manifest_train_new();
	struct manifest_wagon		*w;
	struct manifest_container	*c;
	struct manifest_consignment	*cs;
	struct manifest_item		*it;
	struct manifest_placement	*p;
	size_t				 i;

	t->id = manifest_str(t, "X1", 2);
	t->transport_mode = manifest_str(t, "2", 1);
	w = manifest_wagon_add(t, manifest_str(t, "315279550018", 12));
	c = manifest_container_add(t, w, manifest_str(t, "TGHU1234567", 11));
	c->full = true;
	cs = manifest_consignment_add(t);
	cs->ref = manifest_str(t, "C1", 2);
	for (i = 0; i < nitems(hs); i++) {
		it = manifest_item_add(t, cs);
		it->seq = (uint32_t)i + 1;
		it->hs = hs[i] == NULL ? NULL :
		    manifest_str(t, hs[i], strlen(hs[i]));
		it->tracking = manifest_str(t, i == 4 ? "TN5" : "TN0", 3);
		p = manifest_item_add_placement(t, it);
		manifest_placement_set_number(p, c->number);
	}
	cs->items[0]->un_number = manifest_str(t, "0042", 4);
	cs->items[3]->un_number = manifest_str(t, "0004", 4);
	manifest_train_finish(t);
	return t;
}

/* The items rule hit on wagon 0, as a string of their numbers. */
static void
gate_items(const struct decision *d, const char *rule, char *out)
{
	size_t	k, n = 0;

	for (k = 0; k < d->wagons[0].nhits; k++)
		if (strcmp(d->wagons[0].hits[k].rule, rule) == 0)
			out[n++] = (char)('0' + d->wagons[0].hits[k].subject.item);
	out[n] = '\0';
}

static void
t_rules_gate_exact(void)
{
	struct rules_file	 files[] = {
		{ "main.rules", NULL, gate_rules, sizeof gate_rules - 1 },
		{ "lists/l.txt", NULL, gate_list, sizeof gate_list - 1 },
	};
	struct rules_eval_options opt = { 1 };
	struct rules_ruleset	*rs;
	struct rules_context	*ctx;
	struct manifest_train	*t = gate_train();
	struct decision		*d;
	struct diag_list	 l;
	char			 got[16];

	diag_list_init(&l, 0);
	rs = rules_ruleset_compile("gate", files, nitems(files), &l);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(rules_evaluate(rs, t, NULL, &opt, &d), 0);
	gate_items(d, "in-list", got);
	CU_ASSERT_STRING_EQUAL(got, "1234");
	gate_items(d, "not-animal", got);
	CU_ASSERT_STRING_EQUAL(got, "12456");
	gate_items(d, "machine-or-un", got);
	CU_ASSERT_STRING_EQUAL(got, "145");
	gate_items(d, "arms-un", got);
	CU_ASSERT_STRING_EQUAL(got, "1");
	gate_items(d, "no-hs", got);
	CU_ASSERT_STRING_EQUAL(got, "6");
	gate_items(d, "ct", got);
	CU_ASSERT_STRING_EQUAL(got, "");
	decision_free(d);
	/* A suspect CT scan of parcel TN5: ct_suspect is tested again. */
	ctx = rules_context_new();
	rules_context_parcel_scan(ctx, "TN5", "suspect");
	CU_ASSERT_EQUAL(rules_evaluate(rs, t, ctx, &opt, &d), 0);
	gate_items(d, "ct", got);
	CU_ASSERT_STRING_EQUAL(got, "5");
	decision_free(d);
	rules_context_free(ctx);
	rules_ruleset_unref(rs);
	manifest_train_free(t);
	diag_list_clear(&l);
}

/*
 * A `when` that screens before a test that fails: the clearance the
 * screening applies is recorded (and stored with the decision) as when
 * every rule is walked, so such a rule is not gated.
 */
static void
t_rules_gate_screening_not_skipped(void)
{
	static const char main_rules[] =
	    "edition 3\n"
	    "list s from \"lists/s.txt\"\n"
	    "rule listed-goods\n scope item\n action HOLD\n"
	    " when description matches list s at 0.90 unless cleared"
	    " and hs in chapters 01\n reason \"{match}\"\nend\n";
	static const char list[] = "Timur Trading House\n";
	static const char clear[] = "[{\"id\": 7, \"list\": \"s\", "
	    "\"entry\": \"Timur Trading House\", \"party\": {\"name\": "
	    "\"Timur Trading House\"}}]";
	struct rules_file	 files[] = {
		{ "main.rules", NULL, main_rules, sizeof main_rules - 1 },
		{ "lists/s.txt", NULL, list, sizeof list - 1 },
	};
	struct rules_eval_options opt = { 1 };
	struct manifest_train	*t = gate_train();
	struct rules_ruleset	*rs;
	struct rules_context	*ctx = rules_context_new();
	struct decision		*d;
	struct diag_list	 l;
	char			*cause = NULL, *applied;

	diag_list_init(&l, 0);
	rs = rules_ruleset_compile("gate", files, nitems(files), &l);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	/* Item 5 (HS 85): its description is the listed name, cleared. */
	t->wagons[0]->items[4]->description = manifest_str(t,
	    "Timur Trading House", 19);
	CU_ASSERT_EQUAL_FATAL(rules_context_load_clearances(ctx, clear,
	    sizeof clear - 1, "c.json", &cause), 0);
	CU_ASSERT_EQUAL(rules_evaluate(rs, t, ctx, &opt, &d), 0);
	CU_ASSERT_EQUAL(d->wagons[0].nhits, 0);
	applied = rules_context_clearances_applied(ctx);
	CU_ASSERT_PTR_NOT_NULL(strstr(applied, "\"id\":7"));
	free(applied);
	decision_free(d);
	rules_context_free(ctx);
	rules_ruleset_unref(rs);
	manifest_train_free(t);
	diag_list_clear(&l);
}

static CU_TestInfo rules_gate_tests[] = {
	{ "t_rules_gate_exact", t_rules_gate_exact },
	{ "t_rules_gate_screening_not_skipped",
	    t_rules_gate_screening_not_skipped },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("rules_gate", NULL, NULL, rules_gate_tests);
