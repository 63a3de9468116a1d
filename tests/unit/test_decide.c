/*
 * test_decide.c -- engine/decide.c, the steps of a decision the daemon
 * and `railgate replay` take alike (decide.h): the stored manifest read
 * back with the hash of its bytes, the stored events into the rules
 * context (the neighbour's reports apart), the evaluation the same on any
 * number of threads, and the final decision from the provisional one and
 * the officers' resolutions.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "engine/decide.h"
#include "manifest/decision.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/util.h"
#include "rules/context.h"
#include "rules/rules.h"

#include "unit.h"

#define DECIDE_EDI	"edifact/cuscar_s3_alashankou.edi"
#define DECIDE_WAGON	"315279550018"

static struct rules_ruleset	*rs;

static int
decide_suite_init(void)
{
	struct diag_list	l;

	diag_list_init(&l, 0);
	rs = rules_ruleset_load("etc/rules/default", &l);
	diag_list_clear(&l);
	return rs != NULL ? 0 : -1;
}

static int
decide_suite_clean(void)
{
	rules_ruleset_unref(rs);
	return 0;
}

/* data as the daemon stores it (zlib; caller frees). */
static unsigned char *
stored(const char *data, size_t len, size_t *zlen)
{
	uLongf		 n = compressBound((uLong)len);
	unsigned char	*z = xmalloc(n);

	CU_ASSERT_FATAL(compress2(z, &n, (const Bytef *)data, (uLong)len,
	    6) == Z_OK);
	*zlen = n;
	return z;
}

/* The fixture train, parsed through decide_parse_stored (caller frees). */
static struct manifest_train *
fixture_train(void)
{
	struct manifest_train	*t = NULL;
	unsigned char		*z;
	char			*data, sha[65], *cause = NULL;
	size_t			 len, zlen;
	double			 ms;

	data = test_read_fixture(DECIDE_EDI, &len);
	z = stored(data, len, &zlen);
	CU_ASSERT_EQUAL_FATAL(decide_parse_stored(z, zlen, &t, sha, &ms,
	    &cause), 0);
	free(z);
	free(data);
	return t;
}

/* The decision's JSON without timing (caller frees). */
static char *
doc(const struct decision *d)
{
	struct buf	b = { 0 };

	decision_json_write(d, DECISION_JSON_NO_TIMING, &b);
	return buf_steal(&b, NULL);
}

/* The wagon of d numbered number, or NULL. */
static const struct decision_wagon *
wagon(const struct decision *d, const char *number)
{
	size_t	i;

	for (i = 0; i < d->nwagons; i++)
		if (d->wagons[i].wagon != NULL &&
		    strcmp(d->wagons[i].wagon, number) == 0)
			return &d->wagons[i];
	return NULL;
}

/* True when w has a hit of rule. */
static bool
has_hit(const struct decision_wagon *w, const char *rule)
{
	size_t	i;

	for (i = 0; w != NULL && i < w->nhits; i++)
		if (strcmp(w->hits[i].rule, rule) == 0)
			return true;
	return false;
}

/* The stored bytes back: the model, the SHA-256 of the plain bytes. */
static void
t_decide_parse_stored(void)
{
	struct manifest_train	*t = NULL;
	unsigned char		*z, md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0;
	char			*data, sha[65], want[65], *cause = NULL;
	size_t			 len, zlen;
	double			 ms = -1;

	data = test_read_fixture(DECIDE_EDI, &len);
	z = stored(data, len, &zlen);
	CU_ASSERT_EQUAL(decide_parse_stored(z, zlen, &t, sha, &ms, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_STRING_EQUAL(t->id, "X8024");
	CU_ASSERT_EQUAL(t->nwagons, 3);
	CU_ASSERT(ms >= 0);
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	hex_encode(md, mdlen, want);
	CU_ASSERT_STRING_EQUAL(sha, want);
	manifest_train_free(t);
	/* Damaged: refused, saying so, no train. */
	z[zlen / 2] ^= 0x55;
	z[zlen - 1] ^= 0xff;
	t = NULL;
	CU_ASSERT_EQUAL(decide_parse_stored(z, zlen, &t, sha, &ms, &cause), -1);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ? strstr(cause, "damaged") : NULL);
	free(cause);
	cause = NULL;
	free(z);
	/* Whole, but not a manifest (any more). */
	z = stored("not a manifest", 14, &zlen);
	CU_ASSERT_EQUAL(decide_parse_stored(z, zlen, &t, sha, &ms, &cause), -1);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ? strstr(cause, "no longer parses") :
	    NULL);
	free(cause);
	free(z);
	free(data);
}

/* One document whatever the threads; the evaluation timed. */
static void
t_decide_evaluate_threads(void)
{
	struct manifest_train	*t = fixture_train();
	struct rules_eval_options four = { .threads = 4 };
	struct decision		*d1, *d4;
	char			*cause = NULL, *j1, *j4;

	d1 = decide_evaluate(rs, t, NULL, NULL, NULL, NULL, &cause);
	d4 = decide_evaluate(rs, t, "[]", NULL, &four, NULL, &cause);
	CU_ASSERT_FATAL(d1 != NULL && d4 != NULL);
	CU_ASSERT_STRING_EQUAL(d1->train, "X8024");
	CU_ASSERT_EQUAL(d1->nwagons, 3);
	CU_ASSERT(d1->evaluate_ms >= 0);
	CU_ASSERT_FALSE(d1->final);
	j1 = doc(d1);
	j4 = doc(d4);
	CU_ASSERT_STRING_EQUAL(j1, j4);
	free(j1);
	free(j4);
	decision_free(d1);
	decision_free(d4);
	manifest_train_free(t);
}

/* A stored weighbridge event reaches the rules: the wagon's variance hit. */
static void
t_decide_events_reach_rules(void)
{
	struct manifest_train	*t = fixture_train();
	struct decision		*before, *after;
	char			*cause = NULL;
	const char		*events = "[{\"id\": 1, \"type\": \"weighbridge\", "
	    "\"body\": {\"type\": \"weighbridge\", \"wagon\": \"" DECIDE_WAGON
	    "\", \"gross_kg\": 200000}, \"at\": \"2026-11-22T10:00:00Z\"}]";

	before = decide_evaluate(rs, t, "[]", NULL, NULL, NULL, &cause);
	after = decide_evaluate(rs, t, events, NULL, NULL, NULL, &cause);
	CU_ASSERT_FATAL(before != NULL && after != NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wagon(after, DECIDE_WAGON));
	CU_ASSERT_FALSE(has_hit(wagon(before, DECIDE_WAGON), "weight-variance"));
	CU_ASSERT_TRUE(has_hit(wagon(after, DECIDE_WAGON), "weight-variance"));
	decision_free(before);
	decision_free(after);
	/* Stored events that are not JSON: no decision, the cause says so. */
	CU_ASSERT_PTR_NULL(decide_evaluate(rs, t, "[{", NULL, NULL, NULL, &cause));
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ? strstr(cause, "stored events") :
	    NULL);
	free(cause);
	manifest_train_free(t);
}

/* The neighbour's reports go in as neighbour data, the others as events. */
static void
t_decide_load_events_neighbour(void)
{
	struct rules_context	*ctx = rules_context_new();
	char			*cause = NULL;

	CU_ASSERT_EQUAL(decide_load_events(ctx, "[{\"id\": 1, \"type\": "
	    "\"weighbridge\", \"body\": {\"type\": \"weighbridge\", \"wagon\": "
	    "\"" DECIDE_WAGON "\", \"gross_kg\": 61200}}]", &cause), 0);
	CU_ASSERT_FALSE(rules_context_has_neighbour(ctx));
	rules_context_free(ctx);
	ctx = rules_context_new();
	CU_ASSERT_EQUAL(decide_load_events(ctx, "[{\"id\": 2, \"type\": "
	    "\"neighbour\", \"body\": {\"controls\": []}}]", &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_TRUE(rules_context_has_neighbour(ctx));
	rules_context_free(ctx);
	ctx = rules_context_new();
	CU_ASSERT_EQUAL(decide_load_events(ctx, "not json", &cause), -1);
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	rules_context_free(ctx);
}

/*
 * An event stored before migration 020 ("legacy") that today's loader
 * would refuse for edition 2 -- a device that is a number, a re-weigh
 * that is a word -- is read as edition 1 read it, so that its train can
 * still be evaluated; the same body stored today is refused.  The edition
 * the events are read for is left as it was.
 */
static void
t_decide_load_events_legacy(void)
{
	static const char	 body[] = "{\"type\": \"weighbridge\", "
				    "\"wagon\": \"" DECIDE_WAGON "\", \"gross_kg\": "
				    "61200, \"device\": 7, \"reweigh\": \"yes\"}";
	struct rules_context	*ctx = rules_context_new();
	char			*events, *cause = NULL;

	rules_context_set_edition(ctx, 2);
	events = xasprintf("[{\"id\": 1, \"type\": \"weighbridge\", "
	    "\"legacy\": true, \"body\": %s}, {\"id\": 2, \"type\": "
	    "\"neighbour\", \"legacy\": true, \"body\": {\"service\": 5, "
	    "\"controls\": []}}]", body);
	CU_ASSERT_EQUAL(decide_load_events(ctx, events, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_EQUAL(rules_context_edition(ctx), 2);
	CU_ASSERT_PTR_NOT_NULL(rules_context_equipment(ctx, DECIDE_WAGON));
	free(events);
	rules_context_free(ctx);
	ctx = rules_context_new();
	rules_context_set_edition(ctx, 2);
	events = xasprintf("[{\"id\": 3, \"type\": \"weighbridge\", "
	    "\"legacy\": false, \"body\": %s}]", body);
	CU_ASSERT_EQUAL(decide_load_events(ctx, events, &cause), -1);
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	free(events);
	rules_context_free(ctx);
}

/*
 * The final decision: each resolved wagon takes its resolution, unknown
 * positions and actions change nothing, the outcome consolidated again.
 */
static void
t_decide_final(void)
{
	struct decision	*d = decision_new(), *f;
	struct buf	 base = { 0 };
	char		*cause = NULL, res[256];

	d->train = decision_str(d, "X8024");
	decision_wagon_add(d, 1, "315279550018")->action = DECISION_RELEASE;
	decision_wagon_add(d, 2, "315279550026")->action = DECISION_HOLD;
	decision_wagon_add(d, 3, "315279550034")->action = DECISION_INSPECT;
	d->outcome = decision_consolidate(d);
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_PARTIAL_RELEASE);
	decision_json_write(d, 0, &base);
	decision_free(d);

	f = decide_final(base.data, NULL, &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_TRUE(f->final);
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_PARTIAL_RELEASE);
	CU_ASSERT_EQUAL(f->wagons[1].action, DECISION_HOLD);
	decision_free(f);

	snprintf(res, sizeof res, "[{\"position\": 2, \"action\": \"RELEASE\"},"
	    "{\"position\": 3, \"action\": \"AUDIT\"},"
	    "{\"position\": 9, \"action\": \"HOLD\"},"
	    "{\"position\": 1, \"action\": \"NOT_AN_ACTION\"}]");
	f = decide_final(base.data, res, &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_TRUE(f->final);
	CU_ASSERT_EQUAL(f->nwagons, 3);
	CU_ASSERT_EQUAL(f->wagons[0].action, DECISION_RELEASE);
	CU_ASSERT_EQUAL(f->wagons[1].action, DECISION_RELEASE);
	CU_ASSERT_EQUAL(f->wagons[2].action, DECISION_AUDIT);
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_RELEASE);
	decision_free(f);

	/* One wagon held by an officer: partial again. */
	f = decide_final(base.data, "[{\"position\": 2, \"action\": "
	    "\"RELEASE\"}, {\"position\": 1, \"action\": \"REFUSE\"}]", &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->wagons[0].action, DECISION_REFUSE);
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_PARTIAL_RELEASE);
	decision_free(f);

	CU_ASSERT_PTR_NULL(decide_final("{\"not\": \"a decision\"}", "[]",
	    &cause));
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	buf_free(&base);
}

/* A base document with goods on no wagon: train hits naming them. */
static void
goods_base(struct buf *base, bool blocking)
{
	struct decision		*d = decision_new();
	struct decision_subject	 c1i2 = { .consignment = "C1", .item = 2 };
	struct decision_subject	 c1 = { .consignment = "C1" };
	struct decision_subject	 c1i3 = { .consignment = "C1", .item = 3 };
	struct decision_subject	 c2i1 = { .consignment = "C2", .item = 1 };

	d->train = decision_str(d, "X8024");
	decision_wagon_add(d, 1, "315279550018");
	decision_wagon_add(d, 2, "315279550026")->action = DECISION_AUDIT;
	decision_hit_add(d, NULL, "ivory", DECISION_INSPECT, &c1i2,
	    "HS 0507 on no wagon", "HS code not 0507");
	decision_hit_add(d, NULL, "listed-party", DECISION_DOC_CHECK, &c1,
	    "consignor listed", NULL);
	decision_hit_add(d, NULL, "unplaced-goods", DECISION_DOC_CHECK, &c1i3,
	    "item 3 on no wagon", NULL);
	decision_hit_add(d, NULL, "unplaced-goods", DECISION_DOC_CHECK, &c2i1,
	    "item 1 on no wagon", NULL);
	if (blocking)
		decision_hit_add(d, NULL, "blocking-diagnostic", DECISION_HOLD,
		    NULL, "UNT_COUNT", NULL);
	d->outcome = decision_consolidate(d);
	decision_json_write(d, 0, base);
	decision_free(d);
}

/*
 * Goods resolutions: "located" moves the hits about the goods (the item's
 * and the consignment's own) to the wagon, raising it; "corrected" drops
 * only those at DOC_CHECK or below; a hit about no goods stays; unknown
 * wagons and resolutions change nothing; a wagon's resolution comes after
 * the goods it carries; today's resolutions alone give today's result.
 */
static void
t_decide_final_goods(void)
{
	struct buf	 base = { 0 }, clean = { 0 }, again = { 0 };
	struct decision	*f;
	char		*cause = NULL;

	goods_base(&base, true);
	goods_base(&clean, false);

	/* Today's shape: the train hits stay, the train is held. */
	f = decide_final(base.data, "[{\"position\": 2, \"action\": "
	    "\"RELEASE\"}]", &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->ntrain_hits, 5);
	CU_ASSERT_EQUAL(f->wagons[1].action, DECISION_RELEASE);
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_HOLD);
	decision_free(f);

	/* Item 2 located on wagon 1: its hit and C1's own move, INSPECT. */
	f = decide_final(base.data, "[{\"goods\": {\"consignment\": \"C1\", "
	    "\"item\": 2}, \"resolution\": \"located\", \"position\": 1}]",
	    &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->wagons[0].nhits, 2);
	CU_ASSERT_EQUAL(f->wagons[0].action, DECISION_INSPECT);
	CU_ASSERT_STRING_EQUAL(f->wagons[0].hits[0].rule, "ivory");
	CU_ASSERT_EQUAL(f->wagons[0].hits[0].subject.item, 2);
	CU_ASSERT_STRING_EQUAL(f->wagons[0].hits[1].rule, "listed-party");
	CU_ASSERT_EQUAL(f->ntrain_hits, 3);
	CU_ASSERT_EQUAL(f->train_hits[0].subject.item, 3);
	CU_ASSERT_STRING_EQUAL(f->train_hits[2].rule, "blocking-diagnostic");
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_HOLD);
	decision_free(f);

	/* Corrected: C1's INSPECT hit stays (it must be located), C2 goes. */
	f = decide_final(base.data, "[{\"goods\": {\"consignment\": \"C1\"}, "
	    "\"resolution\": \"corrected\"}, {\"goods\": {\"consignment\": "
	    "\"C2\", \"item\": 1}, \"resolution\": \"corrected\"}]", &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->ntrain_hits, 2);
	CU_ASSERT_STRING_EQUAL(f->train_hits[0].rule, "ivory");
	CU_ASSERT_STRING_EQUAL(f->train_hits[1].rule, "blocking-diagnostic");
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_HOLD);
	decision_free(f);

	/* Unknown wagon, unknown resolution, no consignment: nothing moves. */
	f = decide_final(base.data, "[{\"goods\": {\"consignment\": \"C1\"}, "
	    "\"resolution\": \"located\", \"position\": 9}, {\"goods\": "
	    "{\"consignment\": \"C2\"}, \"resolution\": \"waived\"}, "
	    "{\"goods\": {}, \"resolution\": \"corrected\"}]", &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->ntrain_hits, 5);
	CU_ASSERT_EQUAL(f->wagons[0].nhits, 0);
	decision_free(f);

	/*
	 * No blocking diagnostic: all goods resolved, the wagons decide.
	 * Wagon 1 inspected and released by an officer afterwards.
	 */
	f = decide_final(clean.data, "[{\"position\": 1, \"action\": "
	    "\"RELEASE\"}, {\"goods\": {\"consignment\": \"C1\"}, "
	    "\"resolution\": \"located\", \"position\": 1}, {\"goods\": "
	    "{\"consignment\": \"C2\"}, \"resolution\": \"corrected\"}]",
	    &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->ntrain_hits, 0);
	CU_ASSERT_EQUAL(f->wagons[0].nhits, 3);
	CU_ASSERT_EQUAL(f->wagons[0].action, DECISION_RELEASE);
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_RELEASE);
	decision_json_write(f, 0, &again);
	decision_free(f);
	/* The final document read back and finalised again is unchanged. */
	f = decide_final(again.data, "[{\"goods\": {\"consignment\": \"C1\"}, "
	    "\"resolution\": \"located\", \"position\": 2}]", &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->wagons[1].nhits, 0);
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_RELEASE);
	decision_free(f);

	/* Located without the officer's release: wagon 1 is set out. */
	f = decide_final(clean.data, "[{\"goods\": {\"consignment\": \"C1\"}, "
	    "\"resolution\": \"located\", \"position\": 1}, {\"goods\": "
	    "{\"consignment\": \"C2\"}, \"resolution\": \"corrected\"}]",
	    &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->wagons[0].action, DECISION_INSPECT);
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_PARTIAL_RELEASE);
	decision_free(f);
	buf_free(&base);
	buf_free(&clean);
	buf_free(&again);
}

/*
 * A train hit cleared (two supervisors, 026): every hit of its rule that
 * names no goods drops, never one about goods of the same rule, nothing
 * for another rule or resolution; with the goods resolved too, the
 * wagons decide.
 */
static void
t_decide_final_cleared(void)
{
	struct buf	 base = { 0 };
	struct decision	*f;
	char		*cause = NULL;

	goods_base(&base, true);
	f = decide_final(base.data, "[{\"train_hit\": {\"rule\": "
	    "\"blocking-diagnostic\"}, \"resolution\": \"cleared\"}]", &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->ntrain_hits, 4);
	CU_ASSERT_STRING_EQUAL(f->train_hits[3].rule, "unplaced-goods");
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_HOLD);
	decision_free(f);
	/* Goods hits are not cleared this way; nor anything else. */
	f = decide_final(base.data, "[{\"train_hit\": {\"rule\": "
	    "\"unplaced-goods\"}, \"resolution\": \"cleared\"}, "
	    "{\"train_hit\": {\"rule\": \"blocking-diagnostic\"}, "
	    "\"resolution\": \"waived\"}, {\"train_hit\": {}, \"resolution\": "
	    "\"cleared\"}]", &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->ntrain_hits, 5);
	decision_free(f);
	/* Cleared, the goods located and corrected: wagon 1 set out. */
	f = decide_final(base.data, "[{\"goods\": {\"consignment\": \"C1\"}, "
	    "\"resolution\": \"located\", \"position\": 1}, {\"goods\": "
	    "{\"consignment\": \"C2\"}, \"resolution\": \"corrected\"}, "
	    "{\"train_hit\": {\"rule\": \"blocking-diagnostic\"}, "
	    "\"resolution\": \"cleared\"}]", &cause);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->ntrain_hits, 0);
	CU_ASSERT_EQUAL(f->outcome, DECISION_OUTCOME_PARTIAL_RELEASE);
	decision_free(f);
	buf_free(&base);
}

static CU_TestInfo decide_tests[] = {
	{ "t_decide_parse_stored", t_decide_parse_stored },
	{ "t_decide_evaluate_threads", t_decide_evaluate_threads },
	{ "t_decide_events_reach_rules", t_decide_events_reach_rules },
	{ "t_decide_load_events_neighbour", t_decide_load_events_neighbour },
	{ "t_decide_load_events_legacy", t_decide_load_events_legacy },
	{ "t_decide_final", t_decide_final },
	{ "t_decide_final_goods", t_decide_final_goods },
	{ "t_decide_final_cleared", t_decide_final_cleared },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("decide", decide_suite_init, decide_suite_clean, decide_tests)
