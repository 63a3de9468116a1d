/*
 * test_four_eyes.c -- overrides take two people (issue 15, items 1-3).
 *
 * The reproductions of the attack, against the real daemon: an officer
 * who lowers a refused wagon with `inspect` and then releases it; a
 * supervisor who releases their own hold the same way; a supervisor who
 * overrides a rules HOLD and approves the train alone.  Then what the
 * fix adds: a proposal and its confirmation by a second supervisor (or
 * by approval), rejection, the answers to a confirmation by the proposer,
 * of nothing or of one already confirmed; resolutions voided when new
 * evidence raises a wagon; a final decision stored only for the
 * resolutions it was built from; a replacement manifest that cannot lift
 * a hold; and the auditor's replay still finding every decision
 * identical.
 *
 * The train (fixtures/xml/four_eyes_x9101.xml): wagon 1 REFUSE (ivory),
 * wagon 2 HOLD (a sanctioned consignor), wagon 3 released.
 */
#include <sys/wait.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "runs.h"
#include "unit.h"

#define W_IVORY		"315279550018"	/* rules: REFUSE */
#define W_SANCTION	"315279550026"	/* rules: HOLD */
#define W_CLEAR		"335279521132"	/* rules: RELEASE */

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			rules_dir[] = "/tmp/railgate-eyes-rules-XXXXXX";
static char	operator_token[64], officer_token[64], officer2_token[64];
static char	sup1_token[64], sup2_token[64], sup3_token[64];
/* The fixture's train run again by the four-eyes tests of a rules HOLD. */
static char	x2[8], path2[32];

/*
 * The default rule set and one rule more, so that evidence can raise a
 * wagon to REFUSE and lower it again: a weighbridge reading three times
 * the declared mass refuses the wagon (no manifest of the fixture comes
 * near it otherwise).
 */
static int
eyes_rules(char *conf, size_t size)
{
	char	 cmd[300], path[300];
	FILE	*f;

	if (mkdtemp(rules_dir) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "cp -R etc/rules/default/. %s/", rules_dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/main.rules", rules_dir);
	if ((f = fopen(path, "a")) == NULL)
		return -1;
	fputs("\nrule gross-overload\n  scope wagon\n  action REFUSE\n"
	    "  when variance > 200\n  reason \"wagon {number}: weighbridge "
	    "{weighbridge} kg, three times the declared {declared_mass} kg\"\n"
	    "end\n", f);
	fclose(f);
	/* The rule set proves its new rule both ways, as every rule. */
	snprintf(path, sizeof path, "%s/tests/gross.events.json", rules_dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs("[{\"type\": \"weighbridge\", \"wagon\": \"315279550018\", "
	    "\"gross_kg\": 200000}]\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/tests/gross.test", rules_dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs("manifest alashankou.edi\nevents gross.events.json\n"
	    "hit gross-overload 315279550018\n"
	    "no-hit gross-overload 315279550026\n", f);
	fclose(f);
	snprintf(conf, size, "%s[rules]\ndir = %s\n", pg.conf, rules_dir);
	return 0;
}

static int
eyes_suite_init(void)
{
	char	conf[2048];

	static const char *const wagons[] = { W_IVORY, W_SANCTION, W_CLEAR };

	if (harness_pg_start(&pg) < 0 || eyes_rules(conf, sizeof conf) < 0 ||
	    harness_daemon_start(&dm, conf) < 0)
		return -1;
	/* Its W_CLEAR must stay RELEASE: a number random does not draw. */
	if (!runs_undrawn_train(rules_dir, 9120, wagons, 3, x2))
		return -1;
	snprintf(path2, sizeof path2, "/v1/trains/%s", x2);
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.alpha", officer_token) < 0 ||
	    harness_token(&pg, "officer", "o.beta", officer2_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup1_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.two", sup2_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.three", sup3_token) < 0)
		return -1;
	return 0;
}

static int
eyes_suite_clean(void)
{
	char	cmd[300];

	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", rules_dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

/* What the wagon's action is in force now: resolution, else decision. */

/* How a manifest of the fixture's train is sent. */
enum sending {
	SEND_ORIGINAL,
	SEND_REPLACEMENT,		/* message function 5 */
	SEND_REPLACEMENT_NO_IVORY,	/* the same, without wagon 1 */
	SEND_REPLACEMENT_CLEAR_HEAVIER,	/* wagon 3's container 100 kg more */
};

/*
 * Posts the fixture as train (its number replaced) as the operator; the
 * HTTP status.
 */
static int
post_train(const char *train, enum sending how)
{
	struct harness_response	 r;
	char			*data, *p, *q, hdr[128];
	size_t			 len;
	int			 status;

	data = test_read_fixture("xml/four_eyes_x9101.xml", &len);
	if ((p = strstr(data, "X9101")) != NULL)
		memcpy(p, train, 5);
	if (how != SEND_ORIGINAL &&
	    (p = strstr(data, "<FunctionCode>9<")) != NULL)
		p[14] = '5';
	if (how == SEND_REPLACEMENT_CLEAR_HEAVIER &&
	    (p = strstr(data, ">2200<")) != NULL)
		p[2] = '3';
	if (how == SEND_REPLACEMENT_NO_IVORY &&
	    (p = strstr(data, "<Wagon>")) != NULL &&
	    (q = strstr(p, "</Wagon>")) != NULL) {
		q += strlen("</Wagon>");
		memmove(p, q, strlen(q) + 1);
		len = strlen(data);
	}
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
 * Submits the fixture as train (its number replaced) and waits for its
 * first decision; false when it did not come.
 */
static bool
submit_train(const char *train)
{
	return post_train(train, SEND_ORIGINAL) == 202 && officers_decided(&pg,
	    train);
}

/*
 * Item 1: an officer cannot walk a refused wagon down with `inspect` and
 * then release it -- not before approval, not after (where it amended a
 * final PARTIAL_RELEASE into RELEASE).
 */
static void
t_four_eyes_officer_cannot_lower_refused(void)
{
	char	*body = NULL;

	CU_ASSERT_FATAL(submit_train("X9101"));
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, "X9101", W_IVORY);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9101",
	    W_IVORY, "release",
	    NULL), 403);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9101",
	    W_IVORY, "inspect",
	    &body), 403);
	CU_ASSERT(body != NULL && strstr(body, "Supervisor needed") != NULL);
	free(body);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9101",
	    W_IVORY, "release",
	    NULL), 403);
	/* HOLD is below REFUSE too: the same override. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9101",
	    W_IVORY, "hold",
	    NULL), 403);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9101",
	    W_SANCTION, "inspect",
	    NULL), 403);
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, "X9101", W_IVORY);
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, "X9101",
	    W_SANCTION);

	/* Approved as the rules said: final PARTIAL_RELEASE. */
	CU_ASSERT_EQUAL_FATAL(officers_approve(dm.port, officer_token, "X9101",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, "X9101");
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9101",
	    W_IVORY, "inspect",
	    NULL), 403);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer2_token, "X9101",
	    W_IVORY, "release",
	    NULL), 403);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, "X9101");
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, "X9101", W_IVORY);
	/* Nothing of the refusals reached the record. */
	OFFICERS_CHECK_SQL(&pg, "0",
	    "SELECT count(*) FROM officer_actions a JOIN trains t ON "
	    "t.id = a.train_id WHERE t.train_no = '%s' AND a.wagon IS NOT NULL"
	    "", "X9101");
}

/*
 * Item 2: a supervisor who set a wagon out cannot release it by way of
 * `inspect`, nor of `refuse`; another supervisor can.
 */
static void
t_four_eyes_supervisor_own_hold(void)
{
	char	*body = NULL;

	/* X9101 is final: each step below amends it. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "X9101", W_CLEAR,
	    "hold", NULL),
	    200);
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, "X9101", W_CLEAR);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "X9101", W_CLEAR,
	    "inspect",
	    &body), 403);
	CU_ASSERT(body != NULL && strstr(body, "Four eyes") != NULL);
	free(body);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "X9101", W_CLEAR,
	    "release",
	    NULL), 403);
	/* Up to REFUSE and down again: still the same person. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "X9101", W_CLEAR,
	    "refuse", NULL),
	    200);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "X9101", W_CLEAR,
	    "hold", NULL),
	    403);
	/* An officer joins the hold; s.one is still among those who set it
	 * out. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9101",
	    W_CLEAR, "refuse",
	    NULL), 200);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "X9101", W_CLEAR,
	    "inspect", NULL),
	    403);
	OFFICERS_CHECK_SQL(&pg, "{s.one,o.alpha}",
	    "SELECT w.set_out_by::text FROM wagons w "
	    "JOIN trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.number = '%s'", "X9101", W_CLEAR);
	/* The rules released this wagon: another supervisor overrides alone. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup2_token, "X9101", W_CLEAR,
	    "inspect", NULL),
	    200);
	OFFICERS_CHECK_SQL(&pg, "INSPECT", OFFICERS_WAGON_NOW, "X9101",
	    W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "{}",
	    "SELECT w.set_out_by::text FROM wagons w JOIN trains t "
	    "ON t.id = w.train_id WHERE t.train_no = '%s' AND w.number = '%s'",
	    "X9101", W_CLEAR);
	/* After the inspection, an officer releases it. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9101",
	    W_CLEAR, "release",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "RELEASE",
	    "SELECT w.action FROM wagons w JOIN trains t ON "
	    "t.id = w.train_id WHERE t.train_no = '%s' AND w.number = '%s'",
	    "X9101", W_CLEAR);
}

/*
 * Item 3: one supervisor overrides a rules HOLD and approves alone.  The
 * override is only proposed; approval by the proposer (or by an officer)
 * is refused; a second supervisor's approval confirms it.
 */
static void
t_four_eyes_rules_hold_needs_two(void)
{
	char	*body = NULL;
	json_t	*doc;

	CU_ASSERT_FATAL(submit_train(x2));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, x2,
	    W_SANCTION, "release",
	    &body), 202);
	CU_ASSERT(body != NULL && strstr(body, "\"proposed\"") != NULL);
	free(body);
	/* Proposed, not in force. */
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, x2,
	    W_SANCTION);
	/* Nothing else happens to the wagon while the proposal waits. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, x2,
	    W_SANCTION, "refuse",
	    NULL), 409);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, x2,
	    W_SANCTION, "inspect",
	    NULL), 409);
	/* The proposer cannot confirm, nor approve; nor can an officer. */
	CU_ASSERT_EQUAL(officers_override(dm.port, sup1_token, x2,
	    W_SANCTION, "confirm",
	    &body), 403);
	CU_ASSERT(body != NULL && strstr(body, "Four eyes") != NULL);
	free(body);
	CU_ASSERT_EQUAL(officers_override(dm.port, officer_token, x2,
	    W_SANCTION, "confirm",
	    NULL), 403);
	CU_ASSERT_EQUAL(officers_approve(dm.port, sup1_token, x2, &body),
	    403);
	CU_ASSERT(body != NULL && strstr(body, "awaiting confirmation") !=
	    NULL && strstr(body, W_SANCTION) != NULL);
	free(body);
	CU_ASSERT_EQUAL(officers_approve(dm.port, officer_token, x2, NULL),
	    403);
	OFFICERS_CHECK_SQL(&pg, "evaluated/PARTIAL_RELEASE/false",
	    OFFICERS_TRAIN_STATE, x2);

	/* A second supervisor approves: the approval confirms it. */
	CU_ASSERT_EQUAL_FATAL(officers_approve(dm.port, sup2_token, x2,
	    &body), 200);
	doc = json_loads(body, 0, NULL);
	free(body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT(json_is_true(json_object_get(doc, "final")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc,
	    "decision")), "PARTIAL_RELEASE");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "set_out")), 1);
	json_decref(doc);
	OFFICERS_CHECK_SQL(&pg, "RELEASE", OFFICERS_WAGON_NOW, x2,
	    W_SANCTION);
	OFFICERS_CHECK_SQL(&pg, "s.one/s.two",
	    "SELECT w.resolved_by || '/' || w.confirmed_by "
	    "FROM wagons w JOIN trains t ON t.id = w.train_id WHERE "
	    "t.train_no = '%s' AND w.number = '%s'", x2, W_SANCTION);
	/* Two names in the audit trail: who proposed, who confirmed. */
	OFFICERS_CHECK_SQL(&pg,
	    "wagon.override_proposed:s.one,wagon.override_confirmed:s.two,"
	    "decision.final:s.two", "SELECT string_agg(a.action || ':' || "
	    "a.actor, ',' ORDER BY a.seq) FROM audit_log a JOIN trains t ON "
	    "t.id = a.train_id WHERE t.train_no = '%s' AND (a.action LIKE "
	    "'wagon.%%' OR a.action LIKE 'decision.final%%')", x2);
	OFFICERS_CHECK_SQL(&pg, "release:s.one:s.two",
	    "SELECT a.action || ':' || a.principal "
	    "|| ':' || a.confirmed_by FROM officer_actions a JOIN trains t ON "
	    "t.id = a.train_id WHERE t.train_no = '%s' AND a.wagon = '%s' AND "
	    "a.confirmed_by IS NOT NULL", x2, W_SANCTION);
}

/*
 * After approval: a proposal leaves the final decision as it is; the
 * confirmation by a second supervisor amends it; a confirmation by the
 * proposer, of nothing, or of one already confirmed changes nothing.
 */
static void
t_four_eyes_confirm_after_final(void)
{
	char	*before, *body = NULL;

	before = officers_sql(&pg,
	    "SELECT count(*) FROM decisions d JOIN trains t ON t.id = "
	    "d.train_id WHERE t.train_no = '%s'", x2);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup2_token, x2, W_IVORY,
	    "release", NULL),
	    202);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, x2);
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, x2, W_IVORY);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup2_token, x2, W_IVORY,
	    "confirm",
	    NULL), 403);
	/* The proposal is shown to whoever looks at the train. */
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "GET",
	    path2, NULL,
	    &body), 200);
	CU_ASSERT(body != NULL && strstr(body, "\"proposed_by\": \"s.two\"") !=
	    NULL);
	free(body);
	{
		char *now = officers_sql(&pg,
		    "SELECT count(*) FROM decisions d JOIN trains t "
		    "ON t.id = d.train_id WHERE t.train_no = '%s'", x2);

		CU_ASSERT_STRING_EQUAL(now, before);	/* nothing amended */
		free(now);
	}
	free(before);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup3_token, x2, W_IVORY,
	    "confirm",
	    &body), 200);
	free(body);
	OFFICERS_CHECK_SQL(&pg, "released/RELEASE/true", OFFICERS_TRAIN_STATE,
	    x2);
	/* Already confirmed, or never proposed: nothing to confirm. */
	CU_ASSERT_EQUAL(officers_override(dm.port, sup1_token, x2, W_IVORY,
	    "confirm",
	    &body), 409);
	CU_ASSERT(body != NULL && strstr(body, "awaits confirmation") != NULL);
	free(body);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup1_token, x2, W_CLEAR,
	    "confirm",
	    NULL), 409);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup1_token, x2,
	    "999999999999",
	    "confirm", NULL), 404);
	OFFICERS_CHECK_SQL(&pg, "released/RELEASE/true", OFFICERS_TRAIN_STATE,
	    x2);
}

/* A proposal rejected (or withdrawn by its proposer) changes nothing. */
static void
t_four_eyes_reject(void)
{
	CU_ASSERT_FATAL(submit_train("X9103"));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "X9103", W_IVORY,
	    "inspect", NULL),
	    202);
	CU_ASSERT_EQUAL(officers_override(dm.port, officer_token, "X9103",
	    W_IVORY, "reject",
	    NULL), 403);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup2_token, "X9103", W_IVORY,
	    "reject",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, "X9103", W_IVORY);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup3_token, "X9103", W_IVORY,
	    "confirm",
	    NULL), 409);
	/* Proposed again and withdrawn by the proposer. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "X9103", W_IVORY,
	    "inspect", NULL),
	    202);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup1_token, "X9103", W_IVORY,
	    "reject",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, "X9103", W_IVORY);
	OFFICERS_CHECK_SQL(&pg, "0",
	    "SELECT count(*) FROM wagons w JOIN trains t ON t.id = "
	    "w.train_id WHERE t.train_no = '%s' AND w.proposed_action IS NOT "
	    "NULL", "X9103");
	/* With no proposal left, the train can be approved as decided. */
	CU_ASSERT_EQUAL(officers_approve(dm.port, officer_token, "X9103", NULL),
	    200);
}

/*
 * A resolution made on older evidence does not outlive it: an officer
 * releases a wagon the rules released; a weighbridge reading then makes
 * the rules set it out; the release is void.
 */
static void
t_four_eyes_new_evidence_voids(void)
{
	char	q[512];

	CU_ASSERT_FATAL(submit_train("X9104"));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9104",
	    W_CLEAR, "release",
	    NULL), 200);
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "POST",
	    "/v1/trains/X9104/events",
	    "{\"type\":\"weighbridge\",\"wagon\":\"" W_CLEAR "\","
	    "\"gross_kg\":61000}", NULL), 202);
	snprintf(q, sizeof q, "SELECT count(*) FROM trains t JOIN wagons w ON "
	    "w.train_id = t.id WHERE t.train_no = 'X9104' AND w.number = '%s' "
	    "AND w.rules_action <> 'RELEASE' AND NOT t.eval_needed", W_CLEAR);
	CU_ASSERT_FATAL(harness_wait_sql(&pg, q, "1", 15000));
	OFFICERS_CHECK_SQL(&pg, "",
	    "SELECT coalesce(w.resolution, '') FROM wagons w JOIN "
	    "trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.number = '%s'", "X9104", W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "void",
	    "SELECT a.action FROM officer_actions a JOIN trains t "
	    "ON t.id = a.train_id WHERE t.train_no = '%s' AND a.wagon = '%s' "
	    "ORDER BY a.id DESC LIMIT 1", "X9104", W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "1",
	    "SELECT count(*) FROM audit_log a JOIN trains t ON "
	    "t.id = a.train_id WHERE t.train_no = '%s' AND a.action = "
	    "'wagon.resolution_void'", "X9104");
	/* Approval now sets the wagon out, as the new evidence says. */
	CU_ASSERT_EQUAL(officers_approve(dm.port, officer_token, "X9104", NULL),
	    200);
	OFFICERS_CHECK_SQL(&pg, "1",
	    "SELECT count(*) FROM trains t, json_array_elements("
	    "t.decision->'set_out') s WHERE t.train_no = '%s' AND "
	    "s->>'wagon' = '%s'", "X9104", W_CLEAR);
}

/* Posts a weighbridge reading of gross_kg for W_CLEAR of train. */
static int
weigh(const char *train, const char *gross_kg, bool reweigh)
{
	char	path[128], json[256];

	snprintf(path, sizeof path, "/v1/trains/%s/events", train);
	snprintf(json, sizeof json, "{\"type\":\"weighbridge\",\"wagon\":\""
	    W_CLEAR "\",\"gross_kg\":%s,\"reweigh\":%s}", gross_kg,
	    reweigh ? "true" : "false");
	return officers_call(dm.port, officer_token, "POST", path, json, NULL);
}

/* Waits until W_CLEAR of train is decided at rules (its rules action). */
static bool
rules_say(const char *train, const char *rules)
{
	char	q[512];

	snprintf(q, sizeof q, "SELECT count(*) FROM trains t JOIN wagons w ON "
	    "w.train_id = t.id WHERE t.train_no = '%s' AND w.number = '%s' AND "
	    "w.rules_action = '%s' AND NOT t.eval_needed", train, W_CLEAR,
	    rules);
	return harness_wait_sql(&pg, q, "1", 15000);
}

/*
 * New evidence never lifts a person's hold: an officer holds a wagon the
 * rules released; a reading makes the rules refuse it (the hold is
 * suspended under the more severe REFUSE); a later reading makes them
 * release it again -- the officer's hold comes back, where before it was
 * gone and the wagon released with nobody having released it.
 */
static void
t_four_eyes_evidence_never_lifts_a_hold(void)
{
	CU_ASSERT_FATAL(submit_train("X9107"));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9107",
	    W_CLEAR, "hold", NULL),
	    200);
	CU_ASSERT_EQUAL(weigh("X9107", "61000", false), 202);
	CU_ASSERT_FATAL(rules_say("X9107", "REFUSE"));
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, "X9107", W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "hold/o.alpha",
	    "SELECT w.suspended_action || '/' || "
	    "w.suspended_by FROM wagons w JOIN trains t ON t.id = w.train_id "
	    "WHERE t.train_no = '%s' AND w.number = '%s'", "X9107", W_CLEAR);
	/*
	 * An officer's re-weigh finds the declared mass (a plain lighter
	 * reading would not hide the heavy one): the rules release it; the
	 * hold stays.
	 */
	CU_ASSERT_EQUAL(weigh("X9107", "15400", true), 202);
	CU_ASSERT_FATAL(rules_say("X9107", "RELEASE"));
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, "X9107", W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "o.alpha",
	    "SELECT w.resolved_by FROM wagons w JOIN trains t "
	    "ON t.id = w.train_id WHERE t.train_no = '%s' AND w.number = '%s'",
	    "X9107", W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "wagon.hold,wagon.resolution_suspended,"
	    "wagon.resolution_reinstated", "SELECT string_agg(a.action, ',' "
	    "ORDER BY a.seq) FROM audit_log a JOIN trains t ON t.id = "
	    "a.train_id WHERE t.train_no = '%s' AND a.action LIKE 'wagon.%%'"
	    "", "X9107");
	/* Still the officer's set-out: releasing it is an override. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9107",
	    W_CLEAR, "release",
	    NULL), 403);
	CU_ASSERT_EQUAL(officers_approve(dm.port, officer_token, "X9107", NULL),
	    200);
	OFFICERS_CHECK_SQL(&pg, "1",
	    "SELECT count(*) FROM trains t, json_array_elements("
	    "t.decision->'set_out') s WHERE t.train_no = '%s' AND "
	    "s->>'wagon' = '%s'", "X9107", W_CLEAR);
}

/*
 * A final decision is stored only for the resolutions it was built from:
 * one built before a wagon was resolved is refused (conflict: 409).
 */
static void
t_four_eyes_stale_fingerprint(void)
{
	CU_ASSERT_FATAL(submit_train("X9105"));
	OFFICERS_CHECK_SQL(&pg, "conflict",
	    "SELECT (finalize_decision(t.id, (SELECT max(d.id) "
	    "FROM decisions d WHERE d.train_id = t.id), t.decision, "
	    "'PARTIAL_RELEASE', '[]', 'o.alpha', 'officer', 'r', true, "
	    "'not the fingerprint', false)).outcome FROM trains t WHERE "
	    "t.train_no = '%s'", "X9105");
	OFFICERS_CHECK_SQL(&pg, "false",
	    "SELECT decision_final::text FROM trains WHERE "
	    "train_no = '%s'", "X9105");
}

/*
 * A replacement manifest does not lift what customs set out: an officer's
 * hold stays on the wagon of the same number, with who set it out; a
 * replacement leaving out a set-out wagon is refused; an officer's
 * release is dropped (the new contents need a new look).
 */
static void
t_four_eyes_replacement_keeps_holds(void)
{
	CU_ASSERT_FATAL(submit_train("X9106"));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9106",
	    W_CLEAR, "hold", NULL),
	    200);
	CU_ASSERT_EQUAL(post_train("X9106", SEND_REPLACEMENT_NO_IVORY), 409);
	OFFICERS_CHECK_SQL(&pg, "1",
	    "SELECT count(*) FROM manifests WHERE train_no = '%s' "
	    "AND reply->>'detail' LIKE '%%leaves out wagon %s (REFUSE)%%'",
	    "X9106", W_IVORY);
	CU_ASSERT_EQUAL(post_train("X9106", SEND_REPLACEMENT), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "X9106"));
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, "X9106", W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "{o.alpha}",
	    "SELECT w.set_out_by::text FROM wagons w JOIN "
	    "trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.number = '%s'", "X9106", W_CLEAR);
	/* Still four eyes after the replacement. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "X9106",
	    W_CLEAR, "release",
	    NULL), 403);
	/* An officer's release survives a replacement that leaves the
	 * wagon as it was (issue 18, item 6), not one that changes it. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "X9106", W_CLEAR,
	    "release", NULL),
	    200);
	CU_ASSERT_EQUAL(post_train("X9106", SEND_REPLACEMENT), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "X9106"));
	OFFICERS_CHECK_SQL(&pg, "release",
	    "SELECT coalesce(w.resolution, '') FROM wagons w JOIN "
	    "trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.number = '%s'", "X9106", W_CLEAR);
	CU_ASSERT_EQUAL(post_train("X9106", SEND_REPLACEMENT_CLEAR_HEAVIER),
	    202);
	CU_ASSERT_FATAL(officers_decided(&pg, "X9106"));
	OFFICERS_CHECK_SQL(&pg, "",
	    "SELECT coalesce(w.resolution, '') FROM wagons w JOIN "
	    "trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.number = '%s'", "X9106", W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "1",
	    "SELECT count(*) FROM audit_log a JOIN trains t ON "
	    "t.id = a.train_id WHERE t.train_no = '%s' AND a.action = "
	    "'wagon.resolution_dropped'", "X9106");
	CU_ASSERT_EQUAL(officers_approve(dm.port, officer_token, "X9106", NULL),
	    200);
}

/*
 * The auditor's replay makes every decision again, identical; the
 * clearance record tells who proposed and who confirmed.
 */
static void
t_four_eyes_replay_identical(void)
{
	struct buf	 out = { 0 };
	char		 cmd[1024], line[512];
	FILE		*p;
	int		 st;

	snprintf(cmd, sizeof cmd, "%s/railgate replay --dsn '%s' --all 2>&1",
	    test_build_dir(), pg.dsn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = popen(cmd, "r"));
	while (fgets(line, sizeof line, p) != NULL)
		buf_add_str(&out, line);
	buf_add(&out, "", 1);
	st = pclose(p);
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "all identical"));
	if (WEXITSTATUS(st) != 0)
		fputs(out.data, stderr);
	buf_free(&out);

	/* The clearance record names both supervisors of the override. */
	snprintf(cmd, sizeof cmd, "%s/railgate report %s --dsn '%s' 2>&1",
	    test_build_dir(), x2, pg.dsn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = popen(cmd, "r"));
	while (fgets(line, sizeof line, p) != NULL)
		buf_add_str(&out, line);
	buf_add(&out, "", 1);
	CU_ASSERT_EQUAL(WEXITSTATUS(pclose(p)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "release wagon " W_SANCTION
	    " by s.one (supervisor), confirmed by s.two"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "propose_release wagon "
	    W_SANCTION " by s.one"));
	buf_free(&out);
}

static CU_TestInfo eyes_tests[] = {
	{ "t_four_eyes_officer_cannot_lower_refused",
	    t_four_eyes_officer_cannot_lower_refused },
	{ "t_four_eyes_supervisor_own_hold", t_four_eyes_supervisor_own_hold },
	{ "t_four_eyes_rules_hold_needs_two",
	    t_four_eyes_rules_hold_needs_two },
	{ "t_four_eyes_confirm_after_final", t_four_eyes_confirm_after_final },
	{ "t_four_eyes_reject", t_four_eyes_reject },
	{ "t_four_eyes_new_evidence_voids", t_four_eyes_new_evidence_voids },
	{ "t_four_eyes_evidence_never_lifts_a_hold",
	    t_four_eyes_evidence_never_lifts_a_hold },
	{ "t_four_eyes_stale_fingerprint", t_four_eyes_stale_fingerprint },
	{ "t_four_eyes_replacement_keeps_holds",
	    t_four_eyes_replacement_keeps_holds },
	{ "t_four_eyes_replay_identical", t_four_eyes_replay_identical },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_four_eyes", eyes_suite_init, eyes_suite_clean,
    eyes_tests)
