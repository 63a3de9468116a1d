/*
 * test_context_edition.c -- events and neighbour data are read for the
 * edition of the rule set that reads them.  Edition 1 takes every event
 * the railgate before issue 17 (7c791f2) took, reading what it read and
 * leaving malformed new members unread, so that decisions stored then
 * replay (integration_replay_compat); edition 2 refuses them as before.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"
#include "rules/context.h"

#include "unit.h"

/* Events 7c791f2's daemon stored: members it did not read, malformed. */
static const char old_events[] =
    "[{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":52400,"
    "\"device\":\"\"},"
    "{\"type\":\"weighbridge\",\"wagon\":\"W2\",\"gross_kg\":47500,"
    "\"device\":7,\"reweigh\":\"yes\"},"
    "{\"type\":\"scan\",\"container\":\"C1\",\"wagon\":\"W2\","
    "\"result\":\"suspect\"},"
    "{\"type\":\"seal_check\",\"equipment\":\"C1\",\"condition\":\"damaged\"}]";

/* A neighbour file 7c791f2's loader took, skipping what it could not read. */
static const char old_neighbour[] =
    "{\"service\":\"\",\"decision\":\"MAYBE\",\"seals\":{},"
    "\"controls\":[{\"result\":\"scanned_clear\"},"
    "{\"equipment\":\"C2\",\"result\":\"x_ray_ok\"},"
    "{\"equipment\":\"W1\",\"result\":\"scanned_suspect\"}],"
    "\"set_out\":[{\"wagon\":\"W1\",\"action\":\"RELEASE\"}]}";

/* Loads text (events or neighbour data) for edition; 0 or -1. */
static int
load(struct rules_context *ctx, int edition, const char *text, bool events)
{
	char	*cause = NULL;
	int	 rc;

	rules_context_set_edition(ctx, edition);
	rc = (events ? rules_context_load_events : rules_context_load_neighbour)(
	    ctx, text, strlen(text), "t", &cause);
	free(cause);
	return rc;
}

/* Edition 1 reads the old events as it did; edition 2 refuses each. */
static void
t_context_edition1_old_events(void)
{
	struct rules_context		*ctx = rules_context_new();
	const struct rules_equipment	*w1, *w2, *c1;

	CU_ASSERT_EQUAL_FATAL(load(ctx, 1, old_events, true), 0);
	w1 = rules_context_equipment(ctx, "W1");
	w2 = rules_context_equipment(ctx, "W2");
	c1 = rules_context_equipment(ctx, "C1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_EQUAL(w1->weighbridge_kg, 52400 * MANIFEST_SCALE);
	CU_ASSERT_PTR_NULL(w1->weighings[0].device);
	CU_ASSERT_EQUAL(w2->weighbridge_kg, 47500 * MANIFEST_SCALE);
	CU_ASSERT_PTR_NULL(w2->weighings[0].device);
	CU_ASSERT_FALSE(w2->weighings[0].reweigh);
	/* The scan was the container's, as it was. */
	CU_ASSERT_STRING_EQUAL(c1->scan, "suspect");
	CU_ASSERT_PTR_NULL(w2->scan);
	CU_ASSERT_TRUE(c1->seal_trouble);
	CU_ASSERT_EQUAL(c1->nseal_reports, 0);
	rules_context_free(ctx);
}

static void
t_context_edition2_refuses_old_events(void)
{
	static const char *const each[] = {
	    "[{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":1,"
	    "\"device\":\"\"}]",
	    "[{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":1,"
	    "\"reweigh\":\"yes\"}]",
	    "[{\"type\":\"scan\",\"container\":\"C1\",\"wagon\":\"W2\","
	    "\"result\":\"suspect\"}]",
	    "[{\"type\":\"seal_check\",\"equipment\":\"C1\","
	    "\"condition\":\"damaged\"}]",
	};
	struct rules_context	*ctx;
	char			*cause = NULL;
	size_t			 i;

	for (i = 0; i < nitems(each); i++) {
		ctx = rules_context_new();
		CU_ASSERT_EQUAL(load(ctx, 2, each[i], true), -1);
		rules_context_free(ctx);
		/* The newest edition is the default. */
		ctx = rules_context_new();
		CU_ASSERT_EQUAL(rules_context_load_events(ctx, each[i],
		    strlen(each[i]), "t", &cause), -1);
		free(cause);
		cause = NULL;
		rules_context_free(ctx);
	}
}

/* Edition 1 skips neighbour data it could not read; edition 2 refuses. */
static void
t_context_edition_neighbour(void)
{
	struct rules_context		*ctx = rules_context_new();
	const struct rules_equipment	*w1, *c2;

	CU_ASSERT_EQUAL_FATAL(load(ctx, 1, old_neighbour, false), 0);
	CU_ASSERT_TRUE(rules_context_has_neighbour(ctx));
	CU_ASSERT_PTR_NULL(rules_context_neighbour_service_name(ctx));
	CU_ASSERT_FALSE(rules_context_neighbour_held_train(ctx));
	CU_ASSERT_FALSE(rules_context_any_neighbour_set_out(ctx));
	c2 = rules_context_equipment(ctx, "C2");
	w1 = rules_context_equipment(ctx, "W1");
	CU_ASSERT_TRUE(c2 != NULL && strcmp(c2->neighbour_control,
	    "x_ray_ok") == 0);
	CU_ASSERT_TRUE(w1 != NULL && strcmp(w1->neighbour_control,
	    "scanned_suspect") == 0);
	rules_context_free(ctx);
	ctx = rules_context_new();
	CU_ASSERT_EQUAL(load(ctx, 2, old_neighbour, false), -1);
	rules_context_free(ctx);
}

static CU_TestInfo context_edition_tests[] = {
	{ "t_context_edition1_old_events", t_context_edition1_old_events },
	{ "t_context_edition2_refuses_old_events",
	    t_context_edition2_refuses_old_events },
	{ "t_context_edition_neighbour", t_context_edition_neighbour },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("context_edition", NULL, NULL, context_edition_tests)
