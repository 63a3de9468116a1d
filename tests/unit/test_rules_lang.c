/*
 * test_rules_lang.c -- the rule language compiler (rules/lang.c): every
 * language feature compiles and behaves, and every compile error comes
 * with its file:line:col and what was expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"
#include "manifest/value.h"
#include "rules/rules.h"

#include "unit.h"

static const char lang_list_text[] =
    "# comment\n2844\n93   # arms\n";
static const char lang_rates_text[] = "USD = 7120\nCNY = 1000\n";
static const char lang_parties_text[] = "Тимур Трейдинг\n大连海洋丰收有限公司\n";

/* Compiles text as main.rules with three list files; diags filled. */
static struct rules_ruleset *
lang_compile(const char *text, struct diag_list *l)
{
	struct rules_file files[] = {
		{ "main.rules", "rules/x/main.rules", text, strlen(text) },
		{ "lists/hs.txt", NULL, lang_list_text,
		    sizeof lang_list_text - 1 },
		{ "lists/rates.txt", NULL, lang_rates_text,
		    sizeof lang_rates_text - 1 },
		{ "lists/parties.txt", NULL, lang_parties_text,
		    sizeof lang_parties_text - 1 },
	};

	diag_list_init(l, 0);
	return rules_ruleset_compile("x", files, nitems(files), l);
}

/* The first error as "where: message" (static buffer). */
static const char *
first_error(const char *text)
{
	static char		 out[512];
	char			 where[256];
	struct diag_list	 l;
	struct rules_ruleset	*rs = lang_compile(text, &l);

	CU_ASSERT_PTR_NULL(rs);
	rules_ruleset_unref(rs);
	if (l.n == 0) {
		diag_list_clear(&l);
		return "";
	}
	snprintf(out, sizeof out, "%s: %s", diag_format_where(&l.v[0].loc,
	    where, sizeof where), l.v[0].message);
	diag_list_clear(&l);
	return out;
}

/* A train with one wagon, one container, one consignment, one item. */
static struct manifest_train *
lang_train(const char *hs, const char *consignee)
{
	struct manifest_train		*t = manifest_train_new();
	struct manifest_wagon		*w;
	struct manifest_container	*c;
	struct manifest_consignment	*cs;
	struct manifest_item		*it;
	struct manifest_placement	*p;
	struct manifest_document	*doc;

	t->id = "T1";
	t->issued = value_time_from_civil(2026, 6, 1, 0, 0, 0);
	w = manifest_wagon_add(t, "218124712173");
	w->tare_kg = 20000 * MANIFEST_SCALE;
	c = manifest_container_add(t, w, "CSQU3054383");
	c->full = true;
	c->gross_kg = 24100 * MANIFEST_SCALE;
	cs = manifest_consignment_add(t);
	cs->ref = "C1";
	cs->consignee.name = consignee;
	cs->consignee.aeo = "CNAEO1";
	it = manifest_item_add(t, cs);
	it->seq = 1;
	it->hs = hs;
	it->description = "goods";
	it->value = 1000 * MANIFEST_SCALE;
	it->currency = "USD";
	it->gross_kg = 500 * MANIFEST_SCALE;
	doc = manifest_item_add_document(t, it);
	doc->type = "861";
	p = manifest_item_add_placement(t, it);
	manifest_placement_set_number(p, "CSQU3054383");
	manifest_train_finish(t);
	return t;
}

/* Evaluates a one-rule set; returns the reason of its first hit or NULL. */
static char *
run(const char *text, const char *hs, const char *consignee)
{
	struct diag_list	 l;
	struct rules_ruleset	*rs = lang_compile(text, &l);
	struct manifest_train	*t;
	struct decision		*d;
	char			*reason = NULL;
	char			 where[256];

	if (rs == NULL) {
		if (l.n > 0)
			fprintf(stderr, "%s: %s\n", diag_format_where(
			    &l.v[0].loc, where, sizeof where), l.v[0].message);
		CU_FAIL("does not compile");
		diag_list_clear(&l);
		return NULL;
	}
	diag_list_clear(&l);
	t = lang_train(hs, consignee);
	rules_evaluate(rs, t, NULL, NULL, &d);
	if (d->ntrain_hits > 0)
		reason = xstrdup(d->train_hits[0].reason);
	else if (d->wagons[0].nhits > 0)
		reason = xstrdup(d->wagons[0].hits[0].reason);
	decision_free(d);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
	return reason;
}

/* True if a one-condition item rule fires on the standard train. */
static bool
fires(const char *scope, const char *cond, const char *hs)
{
	char	*text = xasprintf("list hs from \"lists/hs.txt\"\n"
	    "list rates from \"lists/rates.txt\"\n"
	    "list parties from \"lists/parties.txt\"\n"
	    "rule r\n scope %s\n action INSPECT\n when %s\n reason \"x\"\nend\n",
	    scope, cond);
	char	*r = run(text, hs, "Timur Trading LLP");
	bool	 ok = r != NULL;

	free(r);
	free(text);
	return ok;
}

static void
t_rules_lang_conditions(void)
{
	CU_ASSERT(fires("item", "hs in chapters 06..08, 10", "070200"));
	CU_ASSERT(!fires("item", "hs in chapters 06..08, 10", "090100"));
	CU_ASSERT(fires("item", "hs starts \"2844\"", "284410"));
	CU_ASSERT(!fires("item", "hs starts \"2844\"", "284510"));
	CU_ASSERT(fires("item", "hs in list hs", "930190"));
	CU_ASSERT(!fires("item", "hs in list hs", "940190"));
	CU_ASSERT(fires("item", "has document 861", "1"));
	CU_ASSERT(!fires("item", "has document \"851\"", "1"));
	CU_ASSERT(fires("item", "value * rates[currency] / 1000 = 7120", "1"));
	CU_ASSERT(fires("item", "rates[\"EUR\"] is missing", "1"));
	CU_ASSERT(fires("item", "un_number is missing and origin is missing",
	    "1"));
	CU_ASSERT(fires("item", "gross + 500 = 1000 and -gross < 0", "1"));
	CU_ASSERT(fires("item", "(gross - 1000) * 2 = -1000", "1"));
	CU_ASSERT(fires("item", "abs(gross - 1000) >= 500.000", "1"));
	CU_ASSERT(fires("item", "not (gross > 500) or false", "1"));
	CU_ASSERT(!fires("item", "gross / 0 > 0 or gross / 0 <= 0", "1"));
	CU_ASSERT(fires("item", "currency = \"USD\" and description != \"x\"",
	    "1"));
	CU_ASSERT(fires("item", "consignee.name matches list parties at 0.9",
	    "1"));
	CU_ASSERT(fires("item", "consignee.aeo is known and "
	    "wagon.all_consignees_aeo", "1"));
	CU_ASSERT(fires("consignment", "consignee.name matches list parties "
	    "at 0.9", "1"));
	CU_ASSERT(fires("wagon", "declared_mass = 44100 and containers = 1 "
	    "and number_valid", "1"));
	CU_ASSERT(fires("wagon", "weighbridge is missing and variance is "
	    "missing", "1"));
	CU_ASSERT(fires("container", "full and gross > 24000 and "
	    "number_valid and not seals_damaged", "1"));
	CU_ASSERT(fires("train", "train.id = \"T1\" and wagons = 1 and "
	    "function = \"original\"", "1"));
	CU_ASSERT(!fires("train", "diagnostic UNKNOWN_EQUIPMENT", "1"));
	CU_ASSERT(fires("wagon", "sample 100%", "1"));
	CU_ASSERT(!fires("wagon", "sample 0%", "1"));
}

static void
t_rules_lang_unless(void)
{
	char	*r = run("rule r\n scope item\n action AUDIT\n when true\n"
	    " unless hs starts \"87\"\n unless gross > 10000\n reason \"x\"\nend\n",
	    "870840", "A");

	CU_ASSERT_PTR_NULL(r);
	r = run("rule r\n scope item\n action AUDIT\n when true\n"
	    " unless hs starts \"87\"\n unless gross > 10000\n reason \"x\"\nend\n",
	    "940190", "A");
	CU_ASSERT_PTR_NOT_NULL(r);
	free(r);
}

static void
t_rules_lang_reason_interpolation(void)
{
	char	*r = run("list rates from \"lists/rates.txt\"\n"
	    "list parties from \"lists/parties.txt\"\n"
	    "rule r\n scope item\n action AUDIT\n"
	    " when consignee.name matches list parties at 0.85\n"
	    " reason \"{description} HS {hs}: {value * rates[currency] / 1000} "
	    "CNY, {{literal}}, \\\"q\\\", {origin}, {un}, {gross > 1}; {match}\"\n"
	    "end\n", "870840", "ТОО Тимур Трейдинг");

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(r, "goods HS 870840: 7120 CNY, {literal}, "
	    "\"q\", (none), (unknown), yes; 'ТОО Тимур Трейдинг' matches "
	    "parties entry 'Тимур Трейдинг' (similarity 1.00)");
	free(r);
}

static void
t_rules_lang_ruleset_name_and_lists(void)
{
	struct diag_list	 l;
	struct rules_ruleset	*rs = lang_compile("ruleset \"alashankou\"\n"
	    "list hs from \"lists/hs.txt\"\n"
	    "rule a\n scope train\n action HOLD\n when false\n reason \"a\"\n"
	    " would_pass_if \"never\"\nend\n", &l);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_STRING_EQUAL(rules_ruleset_name(rs), "alashankou");
	CU_ASSERT_EQUAL(rules_ruleset_count(rs), 1);
	rules_ruleset_unref(rs);
	diag_list_clear(&l);
}

static void
t_rules_lang_error_messages(void)
{
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n  scope item\n  action INSPCT\n  when true\n"
	    "  reason \"x\"\nend\n"),
	    "rules/x/main.rules:3:10: expected an action (RELEASE, AUDIT, "
	    "DOC_CHECK, INSPECT, HOLD, REFUSE), found 'INSPCT'");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope carriage\nend\n"),
	    "rules/x/main.rules:2:8: expected a scope (train, wagon, "
	    "container, consignment, item), found 'carriage'");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope wagon\n action HOLD\n when hs starts \"1\"\n"
	    " reason \"x\"\nend\n"),
	    "rules/x/main.rules:4:7: unknown field 'hs' at wagon scope");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope wagon\n action HOLD\n when item.hs = \"1\"\n"
	    " reason \"x\"\nend\n"),
	    "rules/x/main.rules:4:7: field 'item.hs' cannot be read at wagon "
	    "scope");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope item\n action HOLD\n when gross-net > 1\n"
	    " reason \"x\"\nend\n"),
	    "rules/x/main.rules:4:7: unknown field 'gross-net' at item scope "
	    "(write spaces around '-' to subtract)");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope item\n action HOLD\n when gross = \"x\"\n"
	    " reason \"x\"\nend\n"),
	    "rules/x/main.rules:4:13: cannot compare a number with a text "
	    "using '='");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope item\n action HOLD\n when gross\n reason \"x\"\nend\n"),
	    "rules/x/main.rules:4:7: a condition needs a condition (yes/no), "
	    "but this is a number");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope item\n action HOLD\n when hs in list nope\n"
	    " reason \"x\"\nend\n"),
	    "rules/x/main.rules:4:18: unknown list 'nope' (declare it first "
	    "with list NAME from \"FILE\")");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope item\n action HOLD\n when true\nend\n"),
	    "rules/x/main.rules:1:6: rule 'r' needs a reason");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope item\n action HOLD\n when true\n reason \"x\"\n"
	    " valid from 2026-02-30\nend\n"),
	    "rules/x/main.rules:6:13: '2026-02-30' is not a date");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope item\n action HOLD\n when true\n"
	    " reason \"a {hs\"\nend\n"),
	    "rules/x/main.rules:5:9: a '{' in the text is never closed with "
	    "'}' (write {{ for a brace)");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope item\n action HOLD\n when true\n"
	    " reason \"a {nothing} b\"\nend\n"),
	    "rules/x/main.rules:5:13: unknown field 'nothing' at item scope");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "list l from \"lists/none.txt\"\n"),
	    "rules/x/main.rules:1:13: list file \"lists/none.txt\" is not in "
	    "the rule set");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope wagon\n action HOLD\n when has document 851\n"
	    " reason \"x\"\nend\n"),
	    "rules/x/main.rules:4:7: 'has document' reads an item's "
	    "documents: use it at item scope");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope train\n action HOLD\n when sample 2%\n"
	    " reason \"x\"\nend\n"),
	    "rules/x/main.rules:4:7: 'sample' draws per wagon: use it at "
	    "wagon, container, consignment or item scope");
	CU_ASSERT_STRING_EQUAL(first_error("frobnicate\n"),
	    "rules/x/main.rules:1:1: expected 'rule', 'list' or 'ruleset', "
	    "found 'frobnicate'");
	CU_ASSERT_STRING_EQUAL(first_error(
	    "rule r\n scope item\n action HOLD\n when (true\n reason \"x\"\nend\n"),
	    "rules/x/main.rules:5:2: expected ')', found 'reason'");
}

static void
t_rules_lang_every_error_reported(void)
{
	struct diag_list	 l;
	struct rules_ruleset	*rs = lang_compile(
	    "rule a\n scope item\n action NOPE\n when true\n reason \"x\"\nend\n"
	    "rule b\n scope item\n action HOLD\n when true\n reason \"x\"\nend\n"
	    "rule c\n scope item\n action HOLD\n when bogus\n reason \"x\"\nend\n",
	    &l);

	CU_ASSERT_PTR_NULL(rs);
	CU_ASSERT_EQUAL(l.n, 2);	/* rules a and c, not b */
	CU_ASSERT_EQUAL(l.v[0].loc.line, 3);
	CU_ASSERT_EQUAL(l.v[1].loc.line, 16);
	diag_list_clear(&l);
}

static void
t_rules_lang_list_errors(void)
{
	const char		 bad[] = "USD = seven\n";
	struct rules_file	 files[] = {
		{ "a.rules", NULL, "list r from \"r.txt\"\n", 20 },
		{ "r.txt", NULL, bad, sizeof bad - 1 },
	};
	struct diag_list	 l;
	char			 where[128];

	diag_list_init(&l, 0);
	CU_ASSERT_PTR_NULL(rules_ruleset_compile("x", files, 2, &l));
	CU_ASSERT_EQUAL_FATAL(l.n, 1);
	CU_ASSERT_STRING_EQUAL(diag_format_where(&l.v[0].loc, where,
	    sizeof where), "r.txt:1:7");
	CU_ASSERT_STRING_EQUAL(l.v[0].message,
	    "expected a number after '=', found 'seven'");
	diag_list_clear(&l);
	CU_ASSERT_PTR_NULL(rules_ruleset_compile("x", files + 1, 1, &l));
	CU_ASSERT_STRING_EQUAL(l.v[0].message, "no .rules file in the rule set");
	diag_list_clear(&l);
}

static void
t_rules_lang_default_ruleset_compiles(void)
{
	struct diag_list	 l;
	struct rules_ruleset	*rs;

	diag_list_init(&l, 0);
	rs = rules_ruleset_load("etc/rules/default", &l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_STRING_EQUAL(rules_ruleset_name(rs), "default");
	CU_ASSERT(rules_ruleset_count(rs) >= 13);
	rules_ruleset_unref(rs);
	CU_ASSERT_PTR_NULL(rules_ruleset_load("etc/rules/no-such", &l));
	CU_ASSERT_EQUAL(l.n, 1);
	diag_list_clear(&l);
}

static CU_TestInfo rules_lang_tests[] = {
	{ "t_rules_lang_conditions", t_rules_lang_conditions },
	{ "t_rules_lang_unless", t_rules_lang_unless },
	{ "t_rules_lang_reason_interpolation",
	    t_rules_lang_reason_interpolation },
	{ "t_rules_lang_ruleset_name_and_lists",
	    t_rules_lang_ruleset_name_and_lists },
	{ "t_rules_lang_error_messages", t_rules_lang_error_messages },
	{ "t_rules_lang_every_error_reported",
	    t_rules_lang_every_error_reported },
	{ "t_rules_lang_list_errors", t_rules_lang_list_errors },
	{ "t_rules_lang_default_ruleset_compiles",
	    t_rules_lang_default_ruleset_compiles },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("rules_lang", NULL, NULL, rules_lang_tests)
