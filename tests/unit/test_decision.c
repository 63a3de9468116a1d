/*
 * test_decision.c -- the decision document: JSON key order and derived
 * lanes, and reading it back byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/decision.h"

#include "unit.h"

/* A partial release: one wagon inspected, one at a document check. */
static struct decision *
build(void)
{
	struct decision		*d = decision_new();
	struct decision_wagon	*w;
	struct decision_subject	 s = { 0 };
	struct diag_loc		 loc = diag_loc_segment(412, "UNT", 18211);

	d->train = decision_str(d, "X8024");
	memset(d->manifest_sha256, 'a', 64);
	d->ruleset_name = decision_str(d, "alashankou");
	memset(d->ruleset_sha256, 'b', 64);
	d->outcome = DECISION_OUTCOME_PARTIAL_RELEASE;
	d->ncontainers = 3;
	d->nconsignments = 2;
	d->nitems = 7;
	decision_wagon_add(d, 1, "218124712173");
	w = decision_wagon_add(d, 2, "318012345678");
	s.container = "CSQU3054383";
	decision_hit_add(d, w, "weight-variance", DECISION_INSPECT, &s,
	    "declared 24.1 t, weighbridge 27.9 t: variance 15.8% exceeds 5%",
	    "variance ≤ 5%");
	w = decision_wagon_add(d, 3, "518008430010");
	memset(&s, 0, sizeof s);
	s.consignment = "SMGS 24170088";
	s.item = 2;
	decision_hit_add(d, w, "phyto", DECISION_DOC_CHECK, &s,
	    "Fresh apples (HS 080810) has no phytosanitary certificate", NULL);
	diag_add(&d->diags, DIAG_WARNING, "UNT_COUNT", &loc, "UNT says 30, has 31");
	d->parse_ms = 3.14159;
	d->evaluate_ms = 0.8;
	return d;
}

static const char expected[] =
    "{\"train\":\"X8024\",\"manifest_sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"ruleset\":{\"name\":\"alashankou\","
    "\"sha256\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"},"
    "\"decision\":\"PARTIAL_RELEASE\",\"final\":false,\"counts\":{\"wagons\":3,"
    "\"containers\":3,\"consignments\":2,\"items\":7,\"released\":1,\"audit\":0,"
    "\"doc_check\":1,\"set_out\":1},\"set_out\":[{\"wagon\":\"318012345678\","
    "\"position\":2,\"action\":\"INSPECT\"}],\"wagons\":[{\"position\":1,"
    "\"wagon\":\"218124712173\",\"action\":\"RELEASE\"},{\"position\":2,"
    "\"wagon\":\"318012345678\",\"action\":\"INSPECT\",\"hits\":[{\"rule\":"
    "\"weight-variance\",\"action\":\"INSPECT\",\"subject\":{\"container\":"
    "\"CSQU3054383\"},\"reason\":\"declared 24.1 t, weighbridge 27.9 t: "
    "variance 15.8% exceeds 5%\",\"would_pass_if\":\"variance ≤ 5%\"}]},"
    "{\"position\":3,\"wagon\":\"518008430010\",\"action\":\"DOC_CHECK\","
    "\"hits\":[{\"rule\":\"phyto\",\"action\":\"DOC_CHECK\",\"subject\":"
    "{\"consignment\":\"SMGS 24170088\",\"item\":2},\"reason\":\"Fresh apples "
    "(HS 080810) has no phytosanitary certificate\"}]}],\"train_hits\":[],"
    "\"diagnostics\":[{\"severity\":\"warning\",\"code\":\"UNT_COUNT\","
    "\"where\":\"segment 412 (UNT), byte 18211\",\"message\":\"UNT says 30, "
    "has 31\"}],\"timing\":{\"parse_ms\":3.142,\"evaluate_ms\":0.8}}";

/* Key order, derived counts and set-out list, exactly. */
static void
t_decision_json_exact(void)
{
	struct decision	*d = build();
	struct buf	 b = { 0 };

	decision_json_write(d, 0, &b);
	CU_ASSERT_STRING_EQUAL(b.data, expected);
	buf_free(&b);
	decision_free(d);
}

/* Read back and written again: the same bytes. */
static void
t_decision_json_roundtrip(void)
{
	struct decision	*d;
	struct buf	 b = { 0 };
	char		*cause = NULL;

	d = decision_json_read(expected, strlen(expected), &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->nwagons, 3);
	CU_ASSERT_EQUAL(d->wagons[1].action, DECISION_INSPECT);
	CU_ASSERT_STRING_EQUAL(d->wagons[2].hits[0].subject.consignment,
	    "SMGS 24170088");
	decision_json_write(d, 0, &b);
	CU_ASSERT_STRING_EQUAL(b.data, expected);
	buf_free(&b);
	decision_free(d);
}

/* Timing can be left out; broken documents are refused with a reason. */
static void
t_decision_json_no_timing_and_errors(void)
{
	struct decision	*d = build();
	struct buf	 b = { 0 };
	char		*cause = NULL;

	decision_json_write(d, DECISION_JSON_NO_TIMING, &b);
	CU_ASSERT_PTR_NULL(strstr(b.data, "timing"));
	buf_free(&b);
	decision_free(d);
	CU_ASSERT_PTR_NULL(decision_json_read("{\"train\":", 9, &cause));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "line 1"));
	free(cause);
	cause = NULL;
	CU_ASSERT_PTR_NULL(decision_json_read("{\"train\":\"X\",\"decision\":"
	    "\"MAYBE\"}", 34, &cause));
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
}

/* Actions order by severity; only INSPECT and above set a wagon out. */
static void
t_decision_action_names(void)
{
	enum decision_action	a;

	CU_ASSERT_TRUE(DECISION_RELEASE < DECISION_AUDIT &&
	    DECISION_AUDIT < DECISION_DOC_CHECK &&
	    DECISION_DOC_CHECK < DECISION_INSPECT &&
	    DECISION_INSPECT < DECISION_HOLD && DECISION_HOLD < DECISION_REFUSE);
	CU_ASSERT_FALSE(decision_action_sets_out(DECISION_DOC_CHECK));
	CU_ASSERT_TRUE(decision_action_sets_out(DECISION_INSPECT));
	CU_ASSERT_EQUAL(decision_action_parse("DOC_CHECK", &a), 0);
	CU_ASSERT_EQUAL(a, DECISION_DOC_CHECK);
	CU_ASSERT_EQUAL(decision_action_parse("doc_check", &a), -1);
}

static CU_TestInfo decision_tests[] = {
	{ "t_decision_json_exact", t_decision_json_exact },
	{ "t_decision_json_roundtrip", t_decision_json_roundtrip },
	{ "t_decision_json_no_timing_and_errors",
	    t_decision_json_no_timing_and_errors },
	{ "t_decision_action_names", t_decision_action_names },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("decision", NULL, NULL, decision_tests)
