/*
 * test_clearances.c -- the clearances in force as the evaluator holds
 * them (daemon/clearances.h): a train is given exactly those whose party
 * name has the key of one of its parties' names (NFKC, case, spacing:
 * names_fold), in the set's order, as JSON the engine loads; a clearance
 * the index cannot key goes to every train; many threads at once build
 * the index once.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/clearances.h"
#include "engine/ruleset.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "rules/context.h"
#include "rules/rules.h"

#include "unit.h"

/* As screening_clearances_in_force() writes them (67_clearances.sql). */
#define C1 "{\"id\" : 1, \"list\" : \"sanctioned\", \"entry\" : \"Eastern " \
	"Star Shipping LLP\", \"party\" : {\"name\" : \"Eastern Star Foods " \
	"LLP\", \"country\" : \"KZ\", \"id\" : null}}"
#define C2 "{\"id\" : 2, \"list\" : \"sanctioned\", \"entry\" : \"Vympel " \
	"Technologies\", \"party\" : {\"name\" : \"Caf\xc3\xa9 Vympel Tea\", " \
	"\"country\" : null, \"id\" : \"050540004455\"}}"
#define C3 "{\"id\" : 3, \"list\" : \"sanctioned\", \"entry\" : \"Vympel " \
	"Technologies\", \"party\" : {\"name\" : \"Vympel Tea Company\", " \
	"\"country\" : null, \"id\" : null}}"
#define C4_NONAME "{\"id\" : 4, \"list\" : \"sanctioned\", \"entry\" : " \
	"\"Arctic Route Logistics\", \"party\" : {\"country\" : null}}"

/* A train of one consignment with these parties (NULL: none). */
static struct manifest_train *
train(const char *consignor, const char *consignee, const char *carrier)
{
	struct manifest_train		*t = manifest_train_new();
	struct manifest_consignment	*c = manifest_consignment_add(t);

	c->ref = "C1";
	c->consignor.name = consignor;
	c->consignee.name = consignee;
	t->carrier.name = carrier;
	return t;
}

/* The ids in a JSON array the engine loads; "" for NULL, "!" unloadable. */
static void
ids(const char *json, char *out, size_t len)
{
	struct rules_context	*ctx;
	struct rules_clearance	*c;
	char			*cause = NULL;
	size_t			 n, i, k = 0;

	out[0] = '\0';
	if (json == NULL)
		return;
	ctx = rules_context_new();
	if (rules_context_load_clearances(ctx, json, strlen(json), "t",
	    &cause) != 0) {
		snprintf(out, len, "!");
		free(cause);
	} else {
		c = rules_context_clearances(ctx, &n);
		for (i = 0; i < n; i++)
			k += (size_t)snprintf(out + k, len - k, "%s%lld",
			    i > 0 ? "," : "", (long long)c[i].id);
	}
	rules_context_free(ctx);
}

static void
check(struct clearance_set *s, struct manifest_train *t, const char *want)
{
	char	*json = clearance_set_for_train(s, t), got[64];

	ids(json, got, sizeof got);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\ngot [%s] want [%s]: %s\n", got, want,
		    json != NULL ? json : "NULL");
	CU_ASSERT_STRING_EQUAL(got, want);
	free(json);
	manifest_train_free(t);
}

static void
t_clearances_by_party(void)
{
	struct clearance_set	*s = clearance_set_new("7:-",
	    "[" C1 ", " C2 ", " C3 "]");

	CU_ASSERT_STRING_EQUAL(clearance_set_key(s), "7:-");
	CU_ASSERT_EQUAL(clearance_set_count(s), 3);
	/* Folded: case and spacing. */
	check(s, train("EASTERN  star Foods llp", "Someone Else", NULL), "1");
	/* Another normalisation (decomposed), full-width letters. */
	check(s, train(NULL, "Cafe\xcc\x81 Vympel Tea", NULL), "2");
	check(s, train("Caf\xc3\xa9 \xef\xbc\xb6ympel Tea", NULL, NULL), "2");
	/* Two parties, in the set's order whatever the train's. */
	check(s, train("Vympel Tea Company", "Eastern Star Foods LLP", NULL),
	    "1,3");
	check(s, train(NULL, NULL, "Vympel Tea Company"), "3");
	/* A near name is another party: the engine is given nothing. */
	check(s, train("Eastern Star Foods", "Vympel Tea Co", NULL), "");
	clearance_set_unref(s);
}

static void
t_clearances_edges(void)
{
	struct clearance_set	*s = clearance_set_new("1:-", "[]"), *r;

	CU_ASSERT_EQUAL(clearance_set_count(s), 0);
	check(s, train("Eastern Star Foods LLP", NULL, NULL), "");
	clearance_set_unref(s);
	check(NULL, train("Eastern Star Foods LLP", NULL, NULL), "");
	/* No key: given to every train, where the engine refuses it. */
	s = clearance_set_new("2:-", "[" C1 ", " C4_NONAME "]");
	CU_ASSERT_EQUAL(clearance_set_count(s), 2);
	check(s, train("Nobody", NULL, NULL), "!");
	r = clearance_set_ref(s);
	clearance_set_unref(s);
	CU_ASSERT_STRING_EQUAL(clearance_set_key(r), "2:-");
	clearance_set_unref(r);
	/* Strings holding braces and quotes do not confuse the count. */
	s = clearance_set_new("3:-", "[{\"id\" : 9, \"list\" : \"l\", "
	    "\"entry\" : \"e\", \"party\" : {\"name\" : \"A {\\\"B\\\"} [C]\"}}]");
	CU_ASSERT_EQUAL(clearance_set_count(s), 1);
	check(s, train("a {\"b\"} [c]", NULL, NULL), "9");
	clearance_set_unref(s);
}

static void *
racer(void *arg)
{
	struct manifest_train	*t = train("Eastern Star Foods LLP", NULL, NULL);
	char			*json = clearance_set_for_train(arg, t);

	manifest_train_free(t);
	return json;
}

/* Four threads at once on a set never indexed: one index, one answer. */
static void
t_clearances_threads(void)
{
	struct clearance_set	*s = clearance_set_new("4:-",
	    "[" C1 ", " C2 ", " C3 "]");
	pthread_t		 th[4];
	void			*out[4];
	int			 i;

	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, racer, s), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], &out[i]);
		CU_ASSERT_PTR_NOT_NULL(out[i]);
		if (out[i] != NULL && out[0] != NULL)
			CU_ASSERT_STRING_EQUAL(out[i], out[0]);
	}
	for (i = 0; i < 4; i++)
		free(out[i]);
	clearance_set_unref(s);
}

/*
 * What a proposal is checked against (engine/ruleset.h): a list by name,
 * an entry by its own name exactly (not an alias, not another case), the
 * entry's aliases and identifiers (a party by those is the listed one).
 */
static void
t_clearances_ruleset_entries(void)
{
	static const char main_rules[] =
	    "edition 3\n"
	    "list sanctioned from \"lists/s.txt\"\n"
	    "rule sanctions\n scope consignment\n action HOLD\n"
	    " when party matches list sanctioned at 0.92 possible at 0.80"
	    " unless cleared\n reason \"{match}\"\nend\n";
	static const char list[] =
	    "Eastern Star Shipping LLP\n"
	    "    aka Vostochnaya Zvezda\n"
	    "    country KZ\n"
	    "    id tin AB-1234/5\n"
	    "Timur Trading House\n";
	struct rules_file	 f[2] = {
		{ "main.rules", NULL, main_rules, sizeof main_rules - 1 },
		{ "lists/s.txt", NULL, list, sizeof list - 1 },
	};
	struct diag_list	 diags = { 0 };
	struct rules_ruleset	*rs;
	const char *const	*aka;

	rs = rules_ruleset_compile("t", f, 2, &diags);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(ruleset_list_entry(rs, "sanctioned",
	    "Eastern Star Shipping LLP"), RULESET_ENTRY);
	CU_ASSERT_EQUAL(ruleset_list_entry(rs, "sanctioned",
	    "Timur Trading House"), RULESET_ENTRY);
	CU_ASSERT_EQUAL(ruleset_list_entry(rs, "sanctioned",
	    "Vostochnaya Zvezda"), RULESET_NO_ENTRY);
	CU_ASSERT_EQUAL(ruleset_list_entry(rs, "sanctioned",
	    "eastern star shipping llp"), RULESET_NO_ENTRY);
	CU_ASSERT_EQUAL(ruleset_list_entry(rs, "embargoed",
	    "Timur Trading House"), RULESET_NO_LIST);
	CU_ASSERT_EQUAL_FATAL(ruleset_entry_aliases(rs, "sanctioned",
	    "Eastern Star Shipping LLP", &aka), 1);
	CU_ASSERT_STRING_EQUAL(aka[0], "Vostochnaya Zvezda");
	CU_ASSERT_EQUAL(ruleset_entry_aliases(rs, "sanctioned",
	    "Timur Trading House", &aka), 0);
	CU_ASSERT(ruleset_entry_has_id(rs, "sanctioned",
	    "Eastern Star Shipping LLP", "AB12345"));
	CU_ASSERT(!ruleset_entry_has_id(rs, "sanctioned",
	    "Eastern Star Shipping LLP", "AB12346"));
	CU_ASSERT(!ruleset_entry_has_id(rs, "sanctioned",
	    "Timur Trading House", "AB12345"));
	rules_ruleset_unref(rs);
	diag_list_clear(&diags);
}

static CU_TestInfo clearances_tests[] = {
	{ "t_clearances_by_party", t_clearances_by_party },
	{ "t_clearances_edges", t_clearances_edges },
	{ "t_clearances_threads", t_clearances_threads },
	{ "t_clearances_ruleset_entries", t_clearances_ruleset_entries },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("clearances", NULL, NULL, clearances_tests)
