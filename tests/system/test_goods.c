/*
 * test_goods.c -- an officer resolves goods on no wagon (issue 17,
 * item 1): POST /v1/trains/{id}/goods/resolution against the real daemon.
 *
 * Goods the manifest ties to no wagon become train hits naming them
 * ({consignment, item}); the engine that writes them is another part of
 * the issue, so the train's decision here is the fixture's
 * (fixtures/xml/four_eyes_x9101.xml: wagon 1 REFUSE, wagon 2 HOLD,
 * wagon 3 released) with such train hits written into it, as the engine
 * will.  Then: the refusals (role, reason, body, unknown wagon, no such
 * goods, a correction of goods above DOC_CHECK, twice the same goods), a
 * correction and a location, what approval makes of them, a location
 * that raises a wagon past an officer's release (which it voids) and
 * into the four-eyes rules, a final decision amended by a location,
 * resolutions void after a replacement, what a new evaluation does to
 * them, and the auditor's replay rebuilding the final decisions
 * identical.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"

#define W_IVORY		"315279550018"	/* rules: REFUSE */
#define W_CLEAR		"335279521132"	/* rules: RELEASE */

/* C9 item 1: harmless goods on no wagon; C8 item 2: to be inspected. */
#define HITS_SOFT "[{\"rule\": \"unplaced-goods\", \"action\": \"DOC_CHECK\", " \
	"\"subject\": {\"consignment\": \"C9\", \"item\": 1}, \"reason\": " \
	"\"item 1 of C9 is on no wagon\"}, {\"rule\": \"x-ray-goods\", " \
	"\"action\": \"INSPECT\", \"subject\": {\"consignment\": \"C8\", " \
	"\"item\": 2}, \"reason\": \"item 2 of C8 is to be scanned\"}]"
/* C8: ivory on no wagon. */
#define HITS_REFUSE "[{\"rule\": \"ivory\", \"action\": \"REFUSE\", " \
	"\"subject\": {\"consignment\": \"C8\"}, \"reason\": \"HS 0507 on " \
	"no wagon\"}]"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], sup1_token[64];
static char	sup2_token[64], auditor_token[64];

static int
goods_suite_init(void)
{
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.alpha", officer_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup1_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.two", sup2_token) < 0 ||
	    harness_token(&pg, "auditor", "a.one", auditor_token) < 0)
		return -1;
	return 0;
}

static int
goods_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/*
 * The fixture posted as train (5 characters), decided, and its decision
 * given the train hits hits (a JSON array) as the engine writes goods on
 * no wagon: HOLD.  false when any step failed.
 */
static bool
train_with_goods(const char *train, const char *hits)
{
	struct harness_response	 r;
	char			*data, *p, hdr[128], *v;
	size_t			 len;
	int			 status;
	bool			 ok;

	data = test_read_fixture("xml/four_eyes_x9101.xml", &len);
	if ((p = strstr(data, "X9101")) != NULL)
		memcpy(p, train, 5);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    operator_token);
	status = harness_http(dm.port, "POST", "/v1/manifests", hdr, data, len,
	    &r) < 0 ? -1 : r.status;
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	if (status != 202 || !officers_decided(&pg, train))
		return false;
	free(officers_sql(&pg, "UPDATE trains SET decision = (decision::jsonb "
	    "|| jsonb_build_object('decision', 'HOLD', 'train_hits', '%s'::"
	    "jsonb))::json WHERE train_no = '%s'", hits, train));
	free(officers_sql(&pg, "UPDATE decisions d SET document = t.decision, "
	    "outcome = 'HOLD' FROM trains t WHERE t.train_no = '%s' AND "
	    "d.id = (SELECT max(id) FROM decisions WHERE train_id = t.id)",
	    train));
	v = officers_sql(&pg, "SELECT json_array_length(decision->'train_hits')"
	    " FROM trains WHERE train_no = '%s'", train);
	ok = strcmp(v, "0") != 0 && v[0] != '\0';
	free(v);
	return ok;
}

/* POST .../goods/resolution with json as the body; the status. */
static int
goods(const char *token, const char *train, const char *json, char **body)
{
	char	path[128];

	snprintf(path, sizeof path, "/v1/trains/%s/goods/resolution", train);
	return officers_call(dm.port, token, "POST", path, json, body);
}

/* Asserts the status and that the body holds want. */
#define GOODS_EXPECT(want_status, want, token, train, json) do {	\
	char *b_ = NULL;						\
	int s_ = goods((token), (train), (json), &b_);			\
	if (s_ != (want_status) || b_ == NULL || strstr(b_, (want)) == NULL) \
		fprintf(stderr, "\n%s:%d: %d %s\n", __FILE__, __LINE__,	\
		    s_, b_ != NULL ? b_ : "(none)");			\
	CU_ASSERT_EQUAL(s_, (want_status));				\
	CU_ASSERT(b_ != NULL && strstr(b_, (want)) != NULL);		\
	free(b_);							\
} while (0)

/* As GOODS_EXPECT, proposed by one supervisor and confirmed by another. */
#define GOODS_AGREED(want, train, json) do {				\
	char *b_ = NULL;						\
	int s_ = officers_goods_agreed(dm.port, sup1_token, sup2_token,	\
	    (train), (json), &b_);					\
	if (s_ != 200 || b_ == NULL || strstr(b_, (want)) == NULL)	\
		fprintf(stderr, "\n%s:%d: %d %s\n", __FILE__, __LINE__,	\
		    s_, b_ != NULL ? b_ : "(none)");			\
	CU_ASSERT_EQUAL(s_, 200);					\
	CU_ASSERT(b_ != NULL && strstr(b_, (want)) != NULL);		\
	free(b_);							\
} while (0)

/*
 * Every refusal records nothing: role, reason, body, unknown train,
 * unknown wagon (named), goods with no train hit, a correction of goods
 * with a hit above DOC_CHECK.
 */
static void
t_goods_refusals(void)
{
	CU_ASSERT_FATAL(train_with_goods("G0001", HITS_SOFT));
	GOODS_EXPECT(403, "", operator_token, "G0001", "{\"consignment\": "
	    "\"C9\", \"item\": 1, \"resolution\": \"corrected\", \"reason\": "
	    "\"x\"}");
	GOODS_EXPECT(403, "", auditor_token, "G0001", "{\"consignment\": "
	    "\"C9\", \"item\": 1, \"resolution\": \"corrected\", \"reason\": "
	    "\"x\"}");
	GOODS_EXPECT(422, "Reason required", officer_token, "G0001",
	    "{\"consignment\": \"C9\", \"item\": 1, \"resolution\": "
	    "\"corrected\"}");
	GOODS_EXPECT(422, "Reason required", officer_token, "G0001",
	    "{\"consignment\": \"C9\", \"resolution\": \"corrected\", "
	    "\"reason\": \"\"}");
	GOODS_EXPECT(422, "resolution", officer_token, "G0001",
	    "{\"consignment\": \"C9\", \"resolution\": \"waived\", "
	    "\"reason\": \"x\"}");
	GOODS_EXPECT(422, "consignment", officer_token, "G0001",
	    "{\"resolution\": \"corrected\", \"reason\": \"x\"}");
	GOODS_EXPECT(422, "item", officer_token, "G0001",
	    "{\"consignment\": \"C9\", \"item\": \"1\", \"resolution\": "
	    "\"corrected\", \"reason\": \"x\"}");
	GOODS_EXPECT(422, "wagon", officer_token, "G0001",
	    "{\"consignment\": \"C8\", \"resolution\": \"located\", "
	    "\"reason\": \"x\"}");
	GOODS_EXPECT(422, "wagon", officer_token, "G0001",
	    "{\"consignment\": \"C9\", \"resolution\": \"corrected\", "
	    "\"wagon\": \"" W_CLEAR "\", \"reason\": \"x\"}");
	GOODS_EXPECT(422, "has no wagon 999999999999", officer_token, "G0001",
	    "{\"consignment\": \"C8\", \"item\": 2, \"resolution\": "
	    "\"located\", \"wagon\": \"999999999999\", \"reason\": \"x\"}");
	GOODS_EXPECT(404, "no train hit about consignment C7",
	    officer_token, "G0001", "{\"consignment\": \"C7\", "
	    "\"resolution\": \"corrected\", \"reason\": \"x\"}");
	GOODS_EXPECT(404, "no train hit about consignment C9 item 2",
	    officer_token, "G0001", "{\"consignment\": \"C9\", \"item\": 2, "
	    "\"resolution\": \"corrected\", \"reason\": \"x\"}");
	GOODS_EXPECT(409, "Goods must be located", officer_token, "G0001",
	    "{\"consignment\": \"C8\", \"resolution\": \"corrected\", "
	    "\"reason\": \"x\"}");
	GOODS_EXPECT(404, "no train", officer_token, "G0404",
	    "{\"consignment\": \"C9\", \"resolution\": \"corrected\", "
	    "\"reason\": \"x\"}");
	OFFICERS_CHECK_SQL(&pg, "0", "SELECT count(*) FROM goods_resolutions");
	OFFICERS_CHECK_SQL(&pg, "0", "SELECT count(*) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action LIKE 'goods.%%'", "G0001");
}

/*
 * C9 corrected and C8 located on the clear wagon: recorded, audited,
 * shown with the train; the wagon is at INSPECT; an officer inspects and
 * releases it; approval moves C8's hit to the wagon, drops C9's, and
 * the train is partially released instead of held.
 */
static void
t_goods_corrected_and_located(void)
{
	char	*body = NULL;

	GOODS_AGREED("\"resolution\" : \"corrected\"", "G0001",
	    "{\"consignment\": \"C9\", \"item\": 1, \"resolution\": "
	    "\"corrected\", \"reason\": \"consignment note withdrawn\"}");
	GOODS_EXPECT(409, "Already resolved", officer_token, "G0001",
	    "{\"consignment\": \"C9\", \"resolution\": \"corrected\", "
	    "\"reason\": \"again\"}");
	GOODS_AGREED("\"wagon\" : \"" W_CLEAR "\"", "G0001",
	    "{\"consignment\": \"C8\", \"item\": 2, \"resolution\": "
	    "\"located\", \"wagon\": \"" W_CLEAR "\", \"reason\": \"found "
	    "in wagon 3 at the platform\"}");
	OFFICERS_CHECK_SQL(&pg, "INSPECT", OFFICERS_WAGON_NOW, "G0001",
	    W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "goods.corrected,goods.located",
	    "SELECT string_agg(a.action, ',' ORDER BY a.seq) FROM audit_log a "
	    "JOIN trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action LIKE 'goods.%%'", "G0001");
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "GET",
	    "/v1/trains/G0001", NULL, &body), 200);
	CU_ASSERT(body != NULL && strstr(body, "\"goods_resolutions\"") !=
	    NULL && strstr(body, "found in wagon 3 at the platform") != NULL &&
	    strstr(body, "consignment note withdrawn") != NULL);
	free(body);
	body = NULL;

	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "G0001",
	    W_CLEAR, "release", NULL), 200);
	CU_ASSERT_EQUAL_FATAL(officers_approve(dm.port, officer_token, "G0001",
	    &body), 200);
	free(body);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, "G0001");
	OFFICERS_CHECK_SQL(&pg, "0|x-ray-goods|C8|RELEASE",
	    "SELECT json_array_length(decision->'train_hits') || '|' || "
	    "(decision->'wagons'->2->'hits'->-1->>'rule') || '|' || "
	    "(decision->'wagons'->2->'hits'->-1->'subject'->>'consignment') "
	    "|| '|' || (decision->'wagons'->2->>'action') FROM trains WHERE "
	    "train_no = '%s'", "G0001");
}

/*
 * Goods at REFUSE located on a wagon an officer had released: the
 * release is void, the wagon is at REFUSE, and the four-eyes rules hold
 * it (an officer cannot release it; a supervisor only proposes).  After
 * approval, a location amends the final decision.
 */
static void
t_goods_located_never_lowers(void)
{
	CU_ASSERT_FATAL(train_with_goods("G0002", HITS_REFUSE));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "G0002",
	    W_CLEAR, "release", NULL), 200);
	GOODS_AGREED("\"action\" : \"REFUSE\"", "G0002",
	    "{\"consignment\": \"C8\", \"resolution\": \"located\", "
	    "\"wagon\": \"" W_CLEAR "\", \"reason\": \"tusks behind the "
	    "tyres\"}");
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, "G0002",
	    W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "release,void", "SELECT string_agg(a.action, "
	    "',' ORDER BY a.id) FROM officer_actions a JOIN trains t ON t.id = "
	    "a.train_id WHERE t.train_no = '%s' AND a.wagon = '%s'", "G0002",
	    W_CLEAR);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "G0002",
	    W_CLEAR, "release", NULL), 403);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "G0002",
	    W_CLEAR, "release", NULL), 202);
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, "G0002",
	    W_CLEAR);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup1_token, "G0002",
	    W_CLEAR, "reject", NULL), 200);

	/* Held for good, then the goods found: the final decision follows. */
	CU_ASSERT_FATAL(train_with_goods("G0003", HITS_SOFT));
	CU_ASSERT_EQUAL_FATAL(officers_approve(dm.port, officer_token, "G0003",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "held/HOLD/true", OFFICERS_TRAIN_STATE,
	    "G0003");
	GOODS_AGREED("\"final\" : true", "G0003",
	    "{\"consignment\": \"C9\", \"resolution\": \"corrected\", "
	    "\"reason\": \"listed twice\"}");
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT json_array_length(decision->"
	    "'train_hits') FROM trains WHERE train_no = '%s'", "G0003");
	GOODS_AGREED("\"final\" : true", "G0003",
	    "{\"consignment\": \"C8\", \"item\": 2, \"resolution\": "
	    "\"located\", \"wagon\": \"" W_IVORY "\", \"reason\": \"with the "
	    "ivory\"}");
	OFFICERS_CHECK_SQL(&pg, "0|REFUSE|partially_released/PARTIAL_RELEASE/"
	    "true", "SELECT json_array_length(decision->'train_hits') || '|' "
	    "|| (decision->'wagons'->0->>'action') || '|' || state || '/' || "
	    "(decision->>'decision') || '/' || decision_final FROM trains "
	    "WHERE train_no = '%s'", "G0003");
	OFFICERS_CHECK_SQL(&pg, "2", "SELECT count(*) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action = 'decision.final_amended'", "G0003");
}

/* Posts the fixture again as a replacement for train; the status. */
static int
replace_train(const char *train, bool other_destination)
{
	struct harness_response	 r;
	char			*data, *p, hdr[128];
	size_t			 len;
	int			 status;

	data = test_read_fixture("xml/four_eyes_x9101.xml", &len);
	if ((p = strstr(data, "X9101")) != NULL)
		memcpy(p, train, 5);
	if ((p = strstr(data, "<FunctionCode>9<")) != NULL)
		p[14] = '5';
	if (other_destination && (p = strstr(data, ">CNXIA<")) != NULL)
		memcpy(p, ">CNURC<", 7);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    operator_token);
	status = harness_http(dm.port, "POST", "/v1/manifests", hdr, data, len,
	    &r) < 0 ? -1 : r.status;
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	return status;
}

/*
 * A replacement manifest judges the goods again when the train around
 * them changed: the resolutions made on the one before are void.  One
 * that changes nothing keeps them (issue 18, item 6).
 */
static void
t_goods_void_on_replacement(void)
{
	CU_ASSERT_FATAL(train_with_goods("G0004", HITS_SOFT));
	GOODS_AGREED("corrected", "G0004",
	    "{\"consignment\": \"C9\", \"resolution\": \"corrected\", "
	    "\"reason\": \"withdrawn\"}");
	CU_ASSERT_EQUAL(replace_train("G0004", false), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "G0004"));
	OFFICERS_CHECK_SQL(&pg, "in force", "SELECT coalesce(g.void_reason, "
	    "'in force') FROM goods_resolutions g JOIN trains t ON t.id = "
	    "g.train_id WHERE t.train_no = '%s'", "G0004");
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action = 'goods.resolution_kept'", "G0004");
	CU_ASSERT_EQUAL(replace_train("G0004", true), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "G0004"));
	OFFICERS_CHECK_SQL(&pg, "replacement manifest: the train's other "
	    "contents changed", "SELECT g.void_reason "
	    "FROM goods_resolutions g JOIN trains t ON t.id = g.train_id "
	    "WHERE t.train_no = '%s'", "G0004");
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action = 'goods.resolution_void'", "G0004");
}

/*
 * The auditor's replay rebuilds the final decisions that applied goods
 * resolutions -- approval, then the two amendments of G0003 -- identical.
 * (Its provisional decision differs: the goods' train hits were written
 * into it here, not by the rules.)
 */
static void
t_goods_replay_finals(void)
{
	struct buf	 out = { 0 };
	char		 cmd[1024], line[512];
	FILE		*p;

	snprintf(cmd, sizeof cmd, "%s/railgate replay --dsn '%s' --train G0003 "
	    "2>&1", test_build_dir(), pg.dsn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = popen(cmd, "r"));
	while (fgets(line, sizeof line, p) != NULL)
		buf_add_str(&out, line);
	buf_add(&out, "", 1);
	pclose(p);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "3 final decisions rebuilt"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "3 identical, 1 different, "
	    "0 failed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "different: provisional"));
	CU_ASSERT_PTR_NULL(strstr(out.data, ": final decision"));
	if (strstr(out.data, "3 identical") == NULL)
		fputs(out.data, stderr);
	buf_free(&out);
}

/*
 * What a new evaluation of the same manifest does (goods_follow_rules(),
 * called by store_decision(); the engine that writes goods hits comes
 * with another part of the issue, so it is called here with the new
 * document): G0001's correction of C9 is void when C9's hit rises above
 * DOC_CHECK; its location of C8 item 2 stays and raises wagon 3 to C8's
 * new HOLD.
 */
static void
t_goods_follow_new_evaluation(void)
{
	OFFICERS_CHECK_SQL(&pg, "HOLD", "SELECT x->>'action' FROM trains t, "
	    "json_array_elements(goods_follow_rules(t.id, 'test', '{\"train_hits"
	    "\": [{\"rule\": \"unplaced-goods\", \"action\": \"INSPECT\", "
	    "\"subject\": {\"consignment\": \"C9\", \"item\": 1}}, {\"rule\": "
	    "\"x-ray-goods\", \"action\": \"HOLD\", \"subject\": {\"consignment"
	    "\": \"C8\", \"item\": 2}}]}', '[{\"position\": 1, \"action\": "
	    "\"REFUSE\"}, {\"position\": 2, \"action\": \"HOLD\"}, {\"position\":"
	    " 3, \"action\": \"RELEASE\"}]', t.manifest_id, NULL)) AS x WHERE "
	    "t.train_no = '%s' AND (x->>'position')::int = 3", "G0001");
	OFFICERS_CHECK_SQL(&pg, "corrected:the rules now say INSPECT (were "
	    "DOC_CHECK)|located:", "SELECT string_agg(g.resolution || ':' || "
	    "coalesce(g.void_reason, ''), '|' ORDER BY g.id) FROM "
	    "goods_resolutions g JOIN trains t ON t.id = g.train_id WHERE "
	    "t.train_no = '%s'", "G0001");
}

static CU_TestInfo goods_tests[] = {
	{ "t_goods_refusals", t_goods_refusals },
	{ "t_goods_corrected_and_located", t_goods_corrected_and_located },
	{ "t_goods_located_never_lowers", t_goods_located_never_lowers },
	{ "t_goods_void_on_replacement", t_goods_void_on_replacement },
	{ "t_goods_replay_finals", t_goods_replay_finals },
	{ "t_goods_follow_new_evaluation", t_goods_follow_new_evaluation },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_goods", goods_suite_init, goods_suite_clean,
    goods_tests)
