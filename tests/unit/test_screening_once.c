/*
 * test_screening_once.c -- a party is screened once per name, not once
 * per parcel (rules/screen.c, issue 22): on an e-commerce train of
 * 20,000 parcels to 300 persons, the names scored against the list
 * (screen_computations()) are exactly the distinct consignee names --
 * which are the distinct (name, identifier) pairs when each person has
 * one identifier; a name under two identifiers is still scored once
 * (what depends on the identifier is judged from the remembered
 * candidates) -- on one thread or several.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decide.h"
#include "manifest/decision.h"
#include "manifest/gen.h"
#include "manifest/model.h"
#include "manifest/util.h"
#include "rules/rules.h"
#include "rules/screen.h"

#include "unit.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct consignee names (ids false) or (name, id) pairs of t. */
static size_t
distinct_consignees(const struct manifest_train *t, bool ids)
{
	char	**v = xcalloc(t->nconsignments + 1, sizeof *v);
	size_t	  i, n = 0, d = 0;

	for (i = 0; i < t->nconsignments; i++) {
		const struct manifest_party *p = &t->consignments[i]->consignee;

		if (p->name != NULL)
			v[n++] = xasprintf("%s\x1f%s", p->name, ids &&
			    p->id != NULL ? p->id : "");
	}
	qsort(v, n, sizeof *v, cmp_str);
	for (i = 0; i < n; i++)
		d += i == 0 || strcmp(v[i], v[i - 1]) != 0;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return d;
}

static struct rules_ruleset *
compile_consignee_rule(void)
{
	static const char main_rules[] =
	    "edition 3\nlist s from \"lists/s.txt\"\n"
	    "rule r\n scope consignment\n action HOLD\n"
	    " when consignee matches list s at 0.95 possible at 0.8\n"
	    " reason \"{match}\"\nend\n";
	static const char list[] = "Timur Trading House\nIvan Petrov\n";
	struct rules_file	 f[2] = {
		{ "main.rules", NULL, main_rules, sizeof main_rules - 1 },
		{ "lists/s.txt", NULL, list, sizeof list - 1 },
	};
	struct diag_list	 l;
	struct rules_ruleset	*rs;

	diag_list_init(&l, 0);
	rs = rules_ruleset_compile("t", f, 2, &l);
	diag_list_clear(&l);
	return rs;
}

/* Names scored while rs evaluates t on threads threads. */
static unsigned long long
computations(const struct rules_ruleset *rs, const struct manifest_train *t,
    unsigned threads)
{
	struct rules_eval_options	 opt = { .threads = threads };
	unsigned long long		 before = screen_computations();
	struct decision			*d;
	char				*cause = NULL;

	d = decide_evaluate(rs, t, "[]", NULL, &opt, NULL, &cause);
	CU_ASSERT_PTR_NOT_NULL(d);
	free(cause);
	decision_free(d);
	return screen_computations() - before;
}

static void
t_screening_once_per_party(void)
{
	struct gen_options	 go = { .wagons = 4, .items = 20000, .seed = 7,
				    .ecommerce = true, .consignees = 300 };
	struct rules_ruleset	*rs = compile_consignee_rule();
	struct manifest_train	*t;
	size_t			 names, pairs, i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	t = gen_train(&go);
	names = distinct_consignees(t, false);
	pairs = distinct_consignees(t, true);
	CU_ASSERT_EQUAL(names, 300);
	CU_ASSERT_EQUAL(pairs, names);
	CU_ASSERT_TRUE(t->nconsignments > names);
	CU_ASSERT_EQUAL(computations(rs, t, 1), pairs);
	/* Each evaluation has its own memo: the same count again; and on
	 * four threads, where two wagons meeting a name at once must not
	 * both score it (memo_get_or_claim_cands). */
	CU_ASSERT_EQUAL(computations(rs, t, 1), pairs);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(computations(rs, t, 4), pairs);
	/* The first half's consignees under an identifier: a person with
	 * consignments in both halves is two pairs, one name scored. */
	for (i = 0; i < t->nconsignments / 2; i++)
		t->consignments[i]->consignee.id = manifest_str(t, "ID-B", 4);
	CU_ASSERT_TRUE(distinct_consignees(t, true) > names);
	CU_ASSERT_EQUAL(computations(rs, t, 1), names);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
}

static CU_TestInfo screening_once_tests[] = {
	{ "t_screening_once_per_party", t_screening_once_per_party },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("screening_once", NULL, NULL, screening_once_tests)
