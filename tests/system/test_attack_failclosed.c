/*
 * test_attack_failclosed.c -- the adversary against issue 17 (fail
 * closed), through the real daemon with the default rule set.  Each
 * hole found has a test that failed before its fix; the paths that held
 * are kept too, so that they go on holding.
 *
 * integration_attack_failclosed:
 * - an event with a member nested to jansson's depth limit was taken
 *   (202), and every later evaluation of the train failed: the train
 *   could never be decided again.  Now 422, and the train evaluates;
 * - a seal check naming unknown equipment with a stray "wagon" member
 *   naming a real wagon was stored (add_event() checked the wagon);
 * - an XML manifest without ModeCode was released (EDIFACT without a
 *   transport mode holds); XML fails closed like EDIFACT for goods on no
 *   wagon, unknown equipment and a mode other than rail;
 * - more than 1,000 diagnostics hiding an ITEM_NOT_PLACED hold the train;
 * - goods on no wagon: whatever an officer, an operator, an auditor or a
 *   device tries, prohibited or licensed goods are never released
 *   without a supervisor; a resolution naming an item of the consignment
 *   that has no hit of its own is 404;
 * - a neighbour's control result or set-out naming equipment the train
 *   does not carry (another number, lower case, a container as a wagon)
 *   was stored and read by no rule: a hold lost.  Now refused, naming it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"

#define W1	"315279550018"
#define W2	"315279550026"
#define UNPLACED_REF	"SMGS 24170099"	/* fixtures/failclosed/unplaced-listed.edi */

static struct harness_pg	apg;
static struct harness_daemon	adm;
static char	operator_tok[64], officer_tok[64], supervisor_tok[64];
static char	auditor_tok[64], device_tok[64], supervisor2_tok[64];

static int
attack_init(void)
{
	if (harness_pg_start(&apg) < 0 || harness_daemon_start(&adm,
	    apg.conf) < 0)
		return -1;
	if (harness_token(&apg, "operator", "a.operator", operator_tok) < 0 ||
	    harness_token(&apg, "officer", "a.officer", officer_tok) < 0 ||
	    harness_token(&apg, "supervisor", "a.supervisor",
	    supervisor_tok) < 0 ||
	    harness_token(&apg, "supervisor", "a.supervisor2",
	    supervisor2_tok) < 0 ||
	    harness_token(&apg, "auditor", "a.auditor", auditor_tok) < 0 ||
	    harness_token(&apg, "device", "wb.attack.1", device_tok) < 0)
		return -1;
	return 0;
}

static int
attack_clean(void)
{
	harness_daemon_stop(&adm);
	harness_pg_stop(&apg);
	return 0;
}

/*
 * Submits fixture rel with its train number from replaced by to (same
 * length), edit applied first when not NULL; the status.
 */
static int
submit_as(const char *rel, const char *from, const char *to,
    char *(*edit)(char *))
{
	struct harness_response	 r;
	char			*data, *p, hdr[128];
	size_t			 len;
	int			 status;

	data = test_read_fixture(rel, &len);
	if ((p = strstr(data, from)) != NULL)
		memcpy(p, to, strlen(to));
	if (edit != NULL) {
		data = edit(data);
		len = strlen(data);
	}
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    operator_tok);
	status = harness_http(adm.port, "POST", "/v1/manifests", hdr, data,
	    len, &r) < 0 ? -1 : r.status;
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	return status;
}

/* s with the first from replaced by to (consumes s). */
static char *
replace(char *s, const char *from, const char *to)
{
	char	*p = strstr(s, from), *out;

	if (p == NULL)
		return s;
	out = xasprintf("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	free(s);
	return out;
}

/* The decision of train's latest run, "" when none. */
static char *
decision_of(const char *train)
{
	return officers_sql(&apg, "SELECT decision->>'decision' FROM trains "
	    "WHERE train_no = '%s' ORDER BY run DESC LIMIT 1", train);
}

/* POST body to path as token; the status, the reply in *reply. */
static int
post(const char *token, const char *train, const char *what,
    const char *body, char **reply)
{
	char	path[128];

	snprintf(path, sizeof path, "/v1/trains/%s/%s", train, what);
	return officers_call(adm.port, token, "POST", path, body, reply);
}

/* Asserts the status and that the reply holds want. */
#define EXPECT(want_status, want, token, train, what, body) do {	\
	char *b_ = NULL;						\
	int s_ = post((token), (train), (what), (body), &b_);		\
	if (s_ != (want_status) || b_ == NULL || strstr(b_, (want)) == NULL) \
		fprintf(stderr, "\n%s:%d: %d %s\n", __FILE__, __LINE__,	\
		    s_, b_ != NULL ? b_ : "(none)");			\
	CU_ASSERT_EQUAL(s_, (want_status));				\
	CU_ASSERT(b_ != NULL && strstr(b_, (want)) != NULL);		\
	free(b_);							\
} while (0)

/*
 * A member nested 2,046 deep was within what the API parsed, and past
 * what the evaluator parses (it reads the run's events wrapped in an
 * array of objects): every evaluation after it failed, for good.
 */
static void
t_attack_nested_event_member(void)
{
	struct buf	 b = { 0 };
	char		*events;
	int		 i;

	CU_ASSERT_EQUAL_FATAL(submit_as("failclosed/clean.edi", "X8107",
	    "A8107", NULL), 202);
	CU_ASSERT_FATAL(officers_decided(&apg, "A8107"));
	buf_add_str(&b, "{\"type\": \"position\", \"eta\": "
	    "\"2026-11-22T09:15:00Z\", \"note\": ");
	for (i = 0; i < 2046; i++)
		buf_add_char(&b, '[');
	for (i = 0; i < 2046; i++)
		buf_add_char(&b, ']');
	buf_add_char(&b, '}');
	events = buf_steal(&b, NULL);
	EXPECT(422, "\\\"note\\\" is not a member of a position event",
	    officer_tok, "A8107", "events", events);
	free(events);
	OFFICERS_CHECK_SQL(&apg, "0", "SELECT count(*) FROM events e JOIN "
	    "trains t ON t.id = e.train_id WHERE t.train_no = 'A8107'");
	/* The train is evaluated again on new evidence. */
	EXPECT(202, "", officer_tok, "A8107", "events", "{\"type\": "
	    "\"weighbridge\", \"wagon\": \"" W1 "\", \"gross_kg\": 44200}");
	CU_ASSERT(officers_decided(&apg, "A8107"));
	OFFICERS_CHECK_SQL(&apg, "2", "SELECT count(*) FROM decisions d JOIN "
	    "trains t ON t.id = d.train_id WHERE t.train_no = 'A8107'");
}

/*
 * A seal check's equipment is the one checked, whatever else it names;
 * and the refusals of evidence that held (each stores nothing).
 */
static void
t_attack_evidence_refusals(void)
{
	CU_ASSERT_EQUAL_FATAL(submit_as("failclosed/clean.edi", "X8107",
	    "A8108", NULL), 202);
	CU_ASSERT_FATAL(officers_decided(&apg, "A8108"));
	EXPECT(422, "is not a member of a seal_check event", device_tok,
	    "A8108", "events", "{\"type\": \"seal_check\", \"equipment\": "
	    "\"ZZZU0000000\", \"wagon\": \"" W1 "\", \"seal\": \"KZ1\", "
	    "\"condition\": \"missing\"}");
	EXPECT(422, "is not a member of a weighbridge event", officer_tok,
	    "A8108", "events", "{\"type\": \"weighbridge\", \"wagon\": \""
	    W1 "\", \"gross_kg\": 30000, \"re_weigh\": true}");
	/* Both, a number spelt otherwise, another train's container. */
	EXPECT(422, "exactly one", device_tok, "A8108", "events", "{\"type\": "
	    "\"scan\", \"wagon\": \"" W1 "\", \"container\": "
	    "\"TGHU1234567\", \"result\": \"clear\"}");
	EXPECT(422, "Unknown equipment", device_tok, "A8108", "events",
	    "{\"type\": \"scan\", \"container\": \"tghu1234567\", "
	    "\"result\": \"clear\"}");
	EXPECT(422, "Unknown equipment", device_tok, "A8108", "events",
	    "{\"type\": \"weighbridge\", \"wagon\": \"3152 7955 0018\", "
	    "\"gross_kg\": 30000}");
	EXPECT(422, "Unknown equipment", device_tok, "A8108", "events",
	    "{\"type\": \"scan\", \"container\": \"CAIU7601140\", "
	    "\"result\": \"clear\"}");
	EXPECT(422, "gross_kg", device_tok, "A8108", "events", "{\"type\": "
	    "\"weighbridge\", \"wagon\": \"" W1 "\", \"gross_kg\": -5}");
	EXPECT(422, "gross_kg", device_tok, "A8108", "events", "{\"type\": "
	    "\"weighbridge\", \"wagon\": \"" W1 "\", \"gross_kg\": 1e7}");
	/* A device is an instrument: its own readings, nothing else. */
	EXPECT(422, "a device posts its own readings", device_tok, "A8108",
	    "events", "{\"type\": \"weighbridge\", \"wagon\": \"" W1 "\", "
	    "\"gross_kg\": 30000, \"device\": \"wb.other\"}");
	EXPECT(403, "re-weigh", device_tok, "A8108", "events", "{\"type\": "
	    "\"weighbridge\", \"wagon\": \"" W1 "\", \"gross_kg\": 30000, "
	    "\"reweigh\": true}");
	EXPECT(403, "", device_tok, "A8108", "events", "{\"type\": "
	    "\"arrived\"}");
	EXPECT(403, "", operator_tok, "A8108", "events", "{\"type\": "
	    "\"scan\", \"wagon\": \"" W1 "\", \"result\": \"clear\"}");
	CU_ASSERT_EQUAL(officers_call(adm.port, device_tok, "GET",
	    "/v1/trains/A8108", NULL, NULL), 403);
	OFFICERS_CHECK_SQL(&apg, "0", "SELECT count(*) FROM events e JOIN "
	    "trains t ON t.id = e.train_id WHERE t.train_no = 'A8108'");
}

static char *
xml_unplaced(char *s)
{
	return replace(s, "<EquipmentID>TGHU1234567</EquipmentID>", "");
}

static char *
xml_unknown_equipment(char *s)
{
	return replace(s, "<EquipmentID>TGHU1234567</EquipmentID>",
	    "<EquipmentID>ZZZU0000000</EquipmentID>");
}

static char *
xml_not_rail(char *s)
{
	return replace(s, "<ModeCode>2</ModeCode>", "<ModeCode>3</ModeCode>");
}

static char *
xml_no_mode(char *s)
{
	return replace(s, "<ModeCode>2</ModeCode>", "");
}

/* XML fails closed as EDIFACT does: none of these is released. */
static void
t_attack_xml_fails_closed(void)
{
	static const struct {
		const char	*train;
		char		*(*edit)(char *);
	} cases[] = {
		{ "A9101", xml_unplaced },
		{ "A9102", xml_unknown_equipment },
		{ "A9103", xml_not_rail },
		{ "A9104", xml_no_mode },
	};
	char	*v;
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		CU_ASSERT_EQUAL_FATAL(submit_as("xml/four_eyes_x9101.xml",
		    "X9101", cases[i].train, cases[i].edit), 202);
		CU_ASSERT_FATAL(officers_decided(&apg, cases[i].train));
		v = decision_of(cases[i].train);
		if (strcmp(v, "HOLD") != 0)
			fprintf(stderr, "\n%s: %s\n", cases[i].train, v);
		CU_ASSERT_STRING_EQUAL(v, "HOLD");
		free(v);
	}
	/* Not rail, or no mode at all: held as not a train manifest. */
	OFFICERS_CHECK_SQL(&apg, "2", "SELECT count(*) FROM trains t WHERE "
	    "t.train_no IN ('A9103', 'A9104') AND EXISTS (SELECT 1 FROM "
	    "json_array_elements(t.decision->'train_hits') h WHERE "
	    "h->>'rule' = 'blocking-diagnostic' AND (h->>'reason' LIKE "
	    "'%%TRANSPORT_MODE%%' OR h->>'reason' LIKE '%%gives no transport "
	    "mode%%'))");
}

/* 1,100 unknown segments before goods placed on nothing, UNT counted. */
static char *
edi_too_many(char *s)
{
	struct buf	b = { 0 };
	int		i;

	for (i = 0; i < 1100; i++)
		buf_add_str(&b, "QQQ+1'\n");
	buf_add_str(&b, "CNI+2+SMGS 24170091'");
	s = replace(s, "CNI+2+SMGS 24170091'", b.data);
	buf_free(&b);
	return replace(s, "UNT+51+1'", "GID+2+5:CT'\nFTX+AAA+++Dried "
	    "apricots'\nMEA+WT+G+KGM:100'\nMOA+38:500'\nCST++081310:122'\n"
	    "LOC+27+KZ'\nUNT+1157+1'");
}

/* More diagnostics than a list keeps hide nothing: the train is held. */
static void
t_attack_too_many_diagnostics(void)
{
	char	*v;

	CU_ASSERT_EQUAL_FATAL(submit_as("failclosed/clean.edi", "X8107",
	    "A8109", edi_too_many), 202);
	CU_ASSERT_FATAL(officers_decided(&apg, "A8109"));
	v = decision_of("A8109");
	CU_ASSERT_STRING_EQUAL(v, "HOLD");
	free(v);
	OFFICERS_CHECK_SQL(&apg, "blocking-diagnostic,unplaced-goods",
	    "SELECT string_agg(DISTINCT h->>'rule', ',') FROM trains t, "
	    "json_array_elements(t.decision->'train_hits') h WHERE "
	    "t.train_no = 'A8109' AND h->>'rule' IN ('blocking-diagnostic', "
	    "'unplaced-goods')");
	OFFICERS_CHECK_SQL(&apg, "1", "SELECT count(*) FROM trains t, "
	    "json_array_elements(t.decision->'train_hits') h WHERE "
	    "t.train_no = 'A8109' AND h->>'reason' LIKE "
	    "'%%TOO_MANY_DIAGNOSTICS%%'");
}

#define GOODS(item, res, wagon) "{\"consignment\": \"" UNPLACED_REF "\", " \
	item "\"resolution\": \"" res "\", " wagon "\"reason\": \"found\"}"

/*
 * Ivory and rifles consigned by a listed party on no wagon: no one but
 * a supervisor gets them anywhere near a release, whatever they try.
 */
static void
t_attack_goods_on_no_wagon(void)
{
	char	*v;

	CU_ASSERT_EQUAL_FATAL(submit_as("failclosed/unplaced-listed.edi",
	    "X8101", "A8101", NULL), 202);
	CU_ASSERT_FATAL(officers_decided(&apg, "A8101"));
	/* Roles. */
	EXPECT(403, "", operator_tok, "A8101", "goods/resolution",
	    GOODS("\"item\": 1, ", "located", "\"wagon\": \"" W1 "\", "));
	EXPECT(403, "", auditor_tok, "A8101", "goods/resolution",
	    GOODS("\"item\": 1, ", "located", "\"wagon\": \"" W1 "\", "));
	EXPECT(403, "", device_tok, "A8101", "goods/resolution",
	    GOODS("\"item\": 1, ", "located", "\"wagon\": \"" W1 "\", "));
	/* Another action, another spelling, other goods. */
	EXPECT(422, "resolution", officer_tok, "A8101", "goods/resolution",
	    GOODS("\"item\": 1, ", "released", ""));
	EXPECT(422, "resolution", officer_tok, "A8101", "goods/resolution",
	    GOODS("\"item\": 1, ", "Located", "\"wagon\": \"" W1 "\", "));
	EXPECT(404, "No such goods hit", officer_tok, "A8101",
	    "goods/resolution", "{\"consignment\": \"smgs 24170099\", "
	    "\"resolution\": \"located\", \"wagon\": \"" W1 "\", \"reason\": "
	    "\"x\"}");
	EXPECT(404, "No such goods hit", officer_tok, "A8101",
	    "goods/resolution", "{\"consignment\": \" SMGS 24170099\", "
	    "\"resolution\": \"located\", \"wagon\": \"" W1 "\", \"reason\": "
	    "\"x\"}");
	/* Item 7 is no goods on no wagon: the consignment's hits are not
	 * its own. */
	EXPECT(404, "No such goods hit", officer_tok, "A8101",
	    "goods/resolution", GOODS("\"item\": 7, ", "located",
	    "\"wagon\": \"" W1 "\", "));
	/* Not corrected away: the listed consignor holds it. */
	EXPECT(409, "Goods must be located", officer_tok, "A8101",
	    "goods/resolution", GOODS("\"item\": 1, ", "corrected", ""));
	EXPECT(409, "Goods must be located", officer_tok, "A8101",
	    "goods/resolution", GOODS("", "corrected", ""));
	EXPECT(422, "Unknown wagon", officer_tok, "A8101",
	    "goods/resolution", GOODS("\"item\": 2, ", "located",
	    "\"wagon\": \"31527955001\", "));
	OFFICERS_CHECK_SQL(&apg, "0", "SELECT count(*) FROM goods_resolutions");
	/* An officer sets W1 out for inspection, then finds the rifles on it. */
	CU_ASSERT_EQUAL(officers_resolve(adm.port, officer_tok, "A8101", W1,
	    "inspect", NULL), 200);
	EXPECT(403, "Supervisor needed", officer_tok, "A8101",
	    "goods/resolution", GOODS("\"item\": 2, ", "located",
	    "\"wagon\": \"" W1 "\", "));
	CU_ASSERT_EQUAL(officers_goods_agreed(adm.port, supervisor_tok,
	    supervisor2_tok, "A8101", GOODS("\"item\": 2, ", "located",
	    "\"wagon\": \"" W1 "\", "), NULL), 200);
	EXPECT(409, "Already resolved", officer_tok, "A8101",
	    "goods/resolution", GOODS("\"item\": 2, ", "located",
	    "\"wagon\": \"" W2 "\", "));
	/* The inspection is void; W1 is at HOLD; the officer cannot lift it. */
	OFFICERS_CHECK_SQL(&apg, "HOLD", OFFICERS_WAGON_NOW, "A8101", W1);
	CU_ASSERT_EQUAL(officers_resolve(adm.port, officer_tok, "A8101", W1,
	    "release", NULL), 403);
	CU_ASSERT_EQUAL(officers_resolve(adm.port, officer_tok, "A8101", W1,
	    "inspect", NULL), 403);
	/* Approved by the officer: held, the goods' hits on W1. */
	CU_ASSERT_EQUAL(officers_approve(adm.port, officer_tok, "A8101",
	    NULL), 200);
	v = decision_of("A8101");
	CU_ASSERT_STRING_EQUAL(v, "HOLD");
	free(v);
	OFFICERS_CHECK_SQL(&apg, "HOLD", "SELECT w->>'action' FROM trains t, "
	    "json_array_elements(t.decision->'wagons') w WHERE t.train_no = "
	    "'A8101' AND w->>'wagon' = '" W1 "'");
}

/* add_event() as peer_receive() calls it for a neighbour's report. */
#define NEIGHBOUR_EVENT(train, body) "SELECT outcome || '|' || " \
	"coalesce(reply->>'field', '') FROM add_event('" train "', " \
	"'neighbour', '{\"service\": \"dostyk\", \"train\": \"" train \
	"\", \"seals\": [], " body "}'::json, 'dostyk', (SELECT " \
	"ruleset_sha256 FROM trains WHERE train_no = '" train "'), " \
	"'neighbour', NULL)"

/*
 * The neighbour's results and set-outs name equipment of the train: a
 * hold on a wagon named otherwise (another number, lower case, a
 * container's number) was stored and read by no rule.
 */
static void
t_attack_neighbour_unknown_equipment(void)
{
	CU_ASSERT_EQUAL_FATAL(submit_as("failclosed/clean.edi", "X8107",
	    "A8110", NULL), 202);
	CU_ASSERT_FATAL(officers_decided(&apg, "A8110"));
	OFFICERS_CHECK_SQL(&apg, "invalid|set_out[0].wagon", NEIGHBOUR_EVENT(
	    "A8110", "\"controls\": [], \"set_out\": [{\"wagon\": "
	    "\"315279550099\", \"position\": 1, \"action\": \"HOLD\"}]"));
	OFFICERS_CHECK_SQL(&apg, "invalid|set_out[0].wagon", NEIGHBOUR_EVENT(
	    "A8110", "\"controls\": [], \"set_out\": [{\"wagon\": "
	    "\"TGHU1234567\", \"position\": 1, \"action\": \"HOLD\"}]"));
	OFFICERS_CHECK_SQL(&apg, "invalid|controls[1].equipment",
	    NEIGHBOUR_EVENT("A8110", "\"controls\": [{\"equipment\": \""
	    W2 "\", \"result\": \"scanned_clear\"}, {\"equipment\": "
	    "\"tghu1234567\", \"result\": \"scanned_suspect\"}]"));
	OFFICERS_CHECK_SQL(&apg, "0", "SELECT count(*) FROM events e JOIN "
	    "trains t ON t.id = e.train_id WHERE t.train_no = 'A8110'");
	/* Named as the manifest names it, the hold acts. */
	OFFICERS_CHECK_SQL(&apg, "accepted|", NEIGHBOUR_EVENT("A8110",
	    "\"controls\": [{\"equipment\": \"TGHU1234567\", \"result\": "
	    "\"scanned_clear\"}], \"set_out\": [{\"wagon\": \"" W2 "\", "
	    "\"position\": 2, \"action\": \"HOLD\"}]"));
	CU_ASSERT(officers_decided(&apg, "A8110"));
	OFFICERS_CHECK_SQL(&apg, "INSPECT", "SELECT w->>'action' FROM trains "
	    "t, json_array_elements(t.decision->'wagons') w WHERE t.train_no "
	    "= 'A8110' AND w->>'wagon' = '" W2 "'");
}

static CU_TestInfo attack_tests[] = {
	{ "t_attack_nested_event_member", t_attack_nested_event_member },
	{ "t_attack_evidence_refusals", t_attack_evidence_refusals },
	{ "t_attack_xml_fails_closed", t_attack_xml_fails_closed },
	{ "t_attack_too_many_diagnostics", t_attack_too_many_diagnostics },
	{ "t_attack_goods_on_no_wagon", t_attack_goods_on_no_wagon },
	{ "t_attack_neighbour_unknown_equipment",
	    t_attack_neighbour_unknown_equipment },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_attack_failclosed", attack_init, attack_clean,
    attack_tests)
