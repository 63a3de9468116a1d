/*
 * test_amend.c -- amendments keep what officers did (issue 18, item 6).
 *
 * Against the real daemon and the default rule set, with the train of
 * fixtures/xml/cuscar_s3_alashankou.xml under other numbers: wagon 1
 * (W1) released by the rules, wagon 2 (W2, table grapes) at DOC_CHECK,
 * wagon 3 (W3, an empty container) released.  Officers resolve wagons,
 * approve, and the railway replaces the manifest: unchanged; with the
 * grapes' mass changed; without wagon 1 (removed en route); with a wagon
 * added; with the grapes moved to wagon 3; with wagon 3 changed under an
 * officer's hold; unchanged under a supervisor's proposed override (the
 * four-eyes train).  Each test asserts the
 * resulting decision and the resolutions kept and dropped, in the
 * database and in GET /v1/trains/{id}; the last replays every decision.
 */
#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"

#define W1	"315279550018"
#define W2	"315279550026"
#define W3	"335279521132"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], officer2_token[64];
static char	sup_token[64];

/* What a manifest of the test's train changes of the fixture. */
enum edit {
	EDIT_REPLACE		= 0x01,	/* message function 5 */
	EDIT_GRAPES_MASS	= 0x02,	/* the grapes declared 50 kg heavier */
	EDIT_NO_W1		= 0x04,	/* wagon 1 left out */
	EDIT_NO_W3		= 0x08,	/* wagon 3 left out */
	EDIT_GRAPES_TO_W3	= 0x10,	/* the grapes placed on wagon 3 */
	EDIT_W3_MASS		= 0x20,	/* wagon 3's container 100 kg more */
};

static int
amend_suite_init(void)
{
	char	conf[2048], *v;

	snprintf(conf, sizeof conf, "%s", "");
	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.alpha", officer_token) < 0 ||
	    harness_token(&pg, "officer", "o.beta", officer2_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup_token) < 0)
		return -1;
	/* A subscriber, so that every final decision queues a notice. */
	v = harness_sql(&pg, "INSERT INTO subscriptions (name, url, formats, "
	    "secret, carriers) VALUES ('ktze', 'https://192.0.2.1/notices', "
	    "'{json}', 'whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=', "
	    "'{KZ-KTZE,CN-CRCT}') RETURNING id");
	if (v == NULL)
		return -1;
	free(v);
	return 0;
}

static int
amend_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* Cuts the n-th (1-based) <Wagon> element out of data. */
static void
cut_wagon(char *data, int n)
{
	char	*p = data, *q;

	while (n-- > 0 && p != NULL)
		if ((p = strstr(p, "<Wagon>")) != NULL && n > 0)
			p += strlen("<Wagon>");
	if (p == NULL || (q = strstr(p, "</Wagon>")) == NULL)
		return;
	q += strlen("</Wagon>");
	memmove(p, q, strlen(q) + 1);
}

/* Replaces the first from after the first after in data (same length). */
static void
swap_after(char *data, const char *after, const char *from, const char *to)
{
	char	*p = strstr(data, after);

	if (p != NULL && (p = strstr(p, from)) != NULL)
		memcpy(p, to, strlen(to));
}

/* Posts the fixture as train, edited; the HTTP status. */
static int
post_train(const char *train, unsigned edits)
{
	struct harness_response	 r;
	char			*data, *p, hdr[128];
	size_t			 len;
	int			 status;

	data = test_read_fixture("xml/cuscar_s3_alashankou.xml", &len);
	if ((p = strstr(data, "X8024")) != NULL)
		memcpy(p, train, 5);
	if ((edits & EDIT_REPLACE) &&
	    (p = strstr(data, "<FunctionCode>9<")) != NULL)
		p[14] = '5';
	if (edits & EDIT_GRAPES_MASS)
		swap_after(data, "Fresh table grapes", ">8700<", ">8750<");
	if (edits & EDIT_GRAPES_TO_W3)
		swap_after(data, "Fresh table grapes", "MSKU4412090",
		    "BMOU5330120");
	if (edits & EDIT_W3_MASS)
		swap_after(data, "BMOU5330120", ">2200<", ">2300<");
	if (edits & EDIT_NO_W3)
		cut_wagon(data, 3);
	if (edits & EDIT_NO_W1)
		cut_wagon(data, 1);
	len = strlen(data);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    operator_token);
	status = harness_http(dm.port, "POST", "/v1/manifests", hdr, data, len,
	    &r) < 0 ? -1 : r.status;
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	return status;
}

/* Posts and waits until the run is decided from what it has. */
static bool
send_and_decide(const char *train, unsigned edits)
{
	return post_train(train, edits) == 202 && officers_decided(&pg, train);
}

/* Waits until train has n decisions stored. */
static bool
decisions_are(const char *train, const char *n)
{
	char	q[256];

	snprintf(q, sizeof q, "SELECT count(*) FROM decisions d JOIN trains t "
	    "ON t.id = d.train_id WHERE t.train_no = '%s'", train);
	return harness_wait_sql(&pg, q, n, 15000);
}

/* The wagon's resolution and who made it: "RELEASE by o.alpha", "-". */
#define RESOLUTION "SELECT coalesce(upper(w.resolution) || ' by ' || " \
	"w.resolved_by, '-') FROM wagons w JOIN trains t ON t.id = " \
	"w.train_id WHERE t.train_no = '%s' AND w.number = '%s'"
/* The notices queued for the train. */
/* Release notices of the train (not its provisional set-out lists). */
#define NOTICES "SELECT count(*) FROM notices n JOIN trains t ON t.id = " \
	"n.train_id WHERE t.train_no = '%s' AND n.format <> 'provisional'"
/* Audit records of one action for the train. */
#define AUDITS "SELECT count(*) FROM audit_log a JOIN trains t ON t.id = " \
	"a.train_id WHERE t.train_no = '%s' AND a.action = '%s'"

/* The train's latest amendment as GET /v1/trains/{id} shows it (owned). */
static json_t *
last_amendment(const char *train, size_t *count)
{
	char	 path[64], *body = NULL;
	json_t	*t, *a, *last;

	snprintf(path, sizeof path, "/v1/trains/%s", train);
	if (officers_call(dm.port, officer_token, "GET", path, NULL, &body) !=
	    200) {
		free(body);
		return NULL;
	}
	t = json_loads(body, 0, NULL);
	free(body);
	a = json_object_get(t, "amendments");
	*count = json_array_size(a);
	last = json_array_get(a, json_array_size(a) - 1);
	json_incref(last);
	json_decref(t);
	return last;
}

/* The wagons of one list of an amendment, "number@position,..." */
static char *
wagons_of(const json_t *am, const char *list)
{
	struct buf	 b = { 0 };
	const json_t	*x;
	size_t		 i;

	json_array_foreach(json_object_get(am, list), i, x) {
		buf_printf(&b, "%s%s@%lld", i > 0 ? "," : "",
		    json_string_value(json_object_get(x, "wagon")) != NULL ?
		    json_string_value(json_object_get(x, "wagon")) : "goods",
		    (long long)json_integer_value(json_object_get(x,
		    "position")));
	}
	buf_add(&b, "", 1);
	return b.data;
}

#define CHECK_LIST(am, list, want) do {					\
	char *v_ = wagons_of((am), (list));				\
	if (strcmp(v_, (want)) != 0)					\
		fprintf(stderr, "\n%s:%d: %s: got \"%s\", want \"%s\"\n",\
		    __FILE__, __LINE__, (list), v_, (want));		\
	CU_ASSERT_STRING_EQUAL(v_, (want));				\
	free(v_);							\
} while (0)

/*
 * Original, wagon 1 inspected and wagon 2's documents presented,
 * approved: a final PARTIAL_RELEASE with one notice.
 */
static bool
final_partial(const char *train)
{
	if (!send_and_decide(train, 0) ||
	    officers_resolve(dm.port, officer_token, train, W1, "inspect",
	    NULL) != 200 ||
	    officers_resolve(dm.port, officer_token, train, W2, "release",
	    NULL) != 200 ||
	    officers_approve(dm.port, officer_token, train, NULL) != 200)
		return false;
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, train);
	OFFICERS_CHECK_SQL(&pg, "1", NOTICES, train);
	return true;
}

/*
 * A replacement that changes nothing keeps every resolution, and the
 * final decision stays final with no second notice; a resolution after
 * it amends the final decision from the kept resolutions.
 */
static void
t_amend_unchanged_keeps_final(void)
{
	json_t	*am;
	size_t	 n = 0;

	CU_ASSERT_FATAL(final_partial("A1001"));
	CU_ASSERT_EQUAL_FATAL(post_train("A1001", EDIT_REPLACE), 202);
	/* The replacement is evaluated, into the history only. */
	CU_ASSERT_FATAL(decisions_are("A1001", "3"));
	CU_ASSERT(officers_decided(&pg, "A1001"));
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, "A1001");
	OFFICERS_CHECK_SQL(&pg, "INSPECT by o.alpha", RESOLUTION, "A1001", W1);
	OFFICERS_CHECK_SQL(&pg, "RELEASE by o.alpha", RESOLUTION, "A1001", W2);
	OFFICERS_CHECK_SQL(&pg, "1", NOTICES, "A1001");
	OFFICERS_CHECK_SQL(&pg, "1", AUDITS, "A1001", "decision.after_final");
	OFFICERS_CHECK_SQL(&pg, "0", AUDITS, "A1001", "wagon.resolution_dropped");
	OFFICERS_CHECK_SQL(&pg, "2", AUDITS, "A1001", "wagon.resolution_kept");
	OFFICERS_CHECK_SQL(&pg, "0", "SELECT count(*) FROM officer_actions a "
	    "JOIN trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action = 'void'", "A1001");
	am = last_amendment("A1001", &n);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(am);
	CU_ASSERT(json_is_true(json_object_get(am, "final_kept")));
	CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(am,
	    "manifest"))), 64);
	CHECK_LIST(am, "added", "");
	CHECK_LIST(am, "removed", "");
	CHECK_LIST(am, "changed", "");
	CHECK_LIST(am, "resolutions_kept", W1 "@1," W2 "@2");
	CHECK_LIST(am, "resolutions_dropped", "");
	json_decref(am);

	/* Wagon 1 released after inspection: the final decision amended
	 * from the kept resolutions, with a follow-up notice. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "A1001", W1,
	    "release", NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "released/RELEASE/true", OFFICERS_TRAIN_STATE,
	    "A1001");
	OFFICERS_CHECK_SQL(&pg, "2", NOTICES, "A1001");
}

/*
 * One wagon's goods changed: only its resolution goes, and the final
 * decision is provisional again until an officer approves it anew.
 */
static void
t_amend_changed_wagon_drops_its_resolution(void)
{
	json_t	*am;
	size_t	 n = 0;

	CU_ASSERT_FATAL(final_partial("A1002"));
	CU_ASSERT_EQUAL_FATAL(post_train("A1002", EDIT_REPLACE |
	    EDIT_GRAPES_MASS), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "A1002"));
	OFFICERS_CHECK_SQL(&pg, "evaluated/PARTIAL_RELEASE/false",
	    OFFICERS_TRAIN_STATE, "A1002");
	OFFICERS_CHECK_SQL(&pg, "INSPECT by o.alpha", RESOLUTION, "A1002", W1);
	OFFICERS_CHECK_SQL(&pg, "-", RESOLUTION, "A1002", W2);
	OFFICERS_CHECK_SQL(&pg, "DOC_CHECK", OFFICERS_WAGON_NOW, "A1002", W2);
	OFFICERS_CHECK_SQL(&pg, "1", NOTICES, "A1002");
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action = 'wagon.resolution_dropped' AND a.details::json->>"
	    "'wagon' = '" W2 "' AND a.details::json->>'why' LIKE "
	    "'%%contents changed'", "A1002");
	am = last_amendment("A1002", &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(am);
	CU_ASSERT(json_is_false(json_object_get(am, "final_kept")));
	CHECK_LIST(am, "changed", W2 "@2");
	CHECK_LIST(am, "added", "");
	CHECK_LIST(am, "removed", "");
	CHECK_LIST(am, "resolutions_kept", W1 "@1");
	CHECK_LIST(am, "resolutions_dropped", W2 "@2");
	json_decref(am);
	/* Approval waits for the new document check; then a second notice. */
	CU_ASSERT_EQUAL(officers_approve(dm.port, officer_token, "A1002",
	    NULL), 409);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer2_token, "A1002", W2,
	    "release", NULL), 200);
	CU_ASSERT_EQUAL(officers_approve(dm.port, officer2_token, "A1002",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, "A1002");
	OFFICERS_CHECK_SQL(&pg, "2", NOTICES, "A1002");
}

/*
 * Wagon 1 left behind en route: its resolution is dropped with an audit
 * record, wagons 2 and 3 move up keeping theirs, and the decision is
 * provisional again -- HOLD, since the replacement still declares wagon
 * 1's goods, now on equipment the train does not carry.
 */
static void
t_amend_wagon_removed_en_route(void)
{
	json_t	*am;
	size_t	 n = 0;

	CU_ASSERT_FATAL(final_partial("A1003"));
	CU_ASSERT_EQUAL_FATAL(post_train("A1003", EDIT_REPLACE | EDIT_NO_W1),
	    202);
	CU_ASSERT_FATAL(officers_decided(&pg, "A1003"));
	OFFICERS_CHECK_SQL(&pg, "evaluated/HOLD/false",
	    OFFICERS_TRAIN_STATE, "A1003");
	OFFICERS_CHECK_SQL(&pg, "", RESOLUTION, "A1003", W1);
	OFFICERS_CHECK_SQL(&pg, "RELEASE by o.alpha", RESOLUTION, "A1003", W2);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT position FROM wagons w JOIN "
	    "trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.number = '" W2 "'", "A1003");
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action = 'wagon.resolution_dropped' AND a.details::json->>"
	    "'wagon' = '" W1 "' AND a.details::json->>'why' LIKE "
	    "'%%removed from the train'", "A1003");
	OFFICERS_CHECK_SQL(&pg, "void", "SELECT a.action FROM officer_actions a "
	    "JOIN trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.wagon = '" W1 "' ORDER BY a.id DESC LIMIT 1", "A1003");
	am = last_amendment("A1003", &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(am);
	CHECK_LIST(am, "removed", W1 "@1");
	CHECK_LIST(am, "moved", W2 "@1," W3 "@2");
	CHECK_LIST(am, "changed", "");
	CHECK_LIST(am, "resolutions_kept", W2 "@1");
	CHECK_LIST(am, "resolutions_dropped", W1 "@1");
	json_decref(am);
	/* Approved again: held, the kept release still on wagon 2; a
	 * second notice. */
	CU_ASSERT_EQUAL(officers_approve(dm.port, officer_token, "A1003",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "held/HOLD/true", OFFICERS_TRAIN_STATE,
	    "A1003");
	OFFICERS_CHECK_SQL(&pg, "RELEASE", "SELECT w.action FROM wagons w "
	    "JOIN trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.number = '" W2 "'", "A1003");
	OFFICERS_CHECK_SQL(&pg, "2", NOTICES, "A1003");
}

/* A wagon added: listed, with nothing of anyone's; the rest kept. */
static void
t_amend_wagon_added(void)
{
	json_t	*am;
	size_t	 n = 0;

	CU_ASSERT_FATAL(send_and_decide("A1004", EDIT_NO_W3));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "A1004", W2,
	    "release", NULL), 200);
	CU_ASSERT_EQUAL_FATAL(post_train("A1004", EDIT_REPLACE), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "A1004"));
	OFFICERS_CHECK_SQL(&pg, "RELEASE by o.alpha", RESOLUTION, "A1004", W2);
	OFFICERS_CHECK_SQL(&pg, "-", RESOLUTION, "A1004", W3);
	OFFICERS_CHECK_SQL(&pg, "RELEASE", OFFICERS_WAGON_NOW, "A1004", W3);
	am = last_amendment("A1004", &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(am);
	CHECK_LIST(am, "added", W3 "@3");
	CHECK_LIST(am, "removed", "");
	CHECK_LIST(am, "changed", "");
	CHECK_LIST(am, "resolutions_kept", W2 "@2");
	CHECK_LIST(am, "resolutions_dropped", "");
	json_decref(am);
	CU_ASSERT_EQUAL(officers_approve(dm.port, officer_token, "A1004",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "released/RELEASE/true", OFFICERS_TRAIN_STATE,
	    "A1004");
}

/*
 * The grapes moved from wagon 2 to wagon 3: both wagons changed, both
 * resolutions dropped, wagon 1's kept; the document check follows the
 * grapes.
 */
static void
t_amend_goods_moved(void)
{
	json_t	*am;
	size_t	 n = 0;

	CU_ASSERT_FATAL(send_and_decide("A1005", 0));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "A1005", W1,
	    "inspect", NULL), 200);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "A1005", W2,
	    "release", NULL), 200);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "A1005", W3,
	    "release", NULL), 200);
	CU_ASSERT_EQUAL_FATAL(post_train("A1005", EDIT_REPLACE |
	    EDIT_GRAPES_TO_W3), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "A1005"));
	OFFICERS_CHECK_SQL(&pg, "INSPECT by o.alpha", RESOLUTION, "A1005", W1);
	OFFICERS_CHECK_SQL(&pg, "-", RESOLUTION, "A1005", W2);
	OFFICERS_CHECK_SQL(&pg, "-", RESOLUTION, "A1005", W3);
	OFFICERS_CHECK_SQL(&pg, "RELEASE", OFFICERS_WAGON_NOW, "A1005", W2);
	OFFICERS_CHECK_SQL(&pg, "DOC_CHECK", OFFICERS_WAGON_NOW, "A1005", W3);
	am = last_amendment("A1005", &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(am);
	CHECK_LIST(am, "changed", W2 "@2," W3 "@3");
	CHECK_LIST(am, "resolutions_kept", W1 "@1");
	CHECK_LIST(am, "resolutions_dropped", W2 "@2," W3 "@3");
	json_decref(am);
	OFFICERS_CHECK_SQL(&pg, "2", AUDITS, "A1005", "wagon.resolution_dropped");
}

/*
 * A changed wagon an officer held keeps the hold (a replacement never
 * lifts a set-out), listed as kept with why.
 */
static void
t_amend_changed_wagon_keeps_hold(void)
{
	json_t	*am;
	size_t	 n = 0;

	CU_ASSERT_FATAL(send_and_decide("A1006", 0));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "A1006", W3,
	    "hold", NULL), 200);
	CU_ASSERT_EQUAL_FATAL(post_train("A1006", EDIT_REPLACE |
	    EDIT_W3_MASS), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "A1006"));
	OFFICERS_CHECK_SQL(&pg, "HOLD by o.alpha", RESOLUTION, "A1006", W3);
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, "A1006", W3);
	am = last_amendment("A1006", &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(am);
	CHECK_LIST(am, "changed", W3 "@3");
	CHECK_LIST(am, "resolutions_kept", W3 "@3");
	CHECK_LIST(am, "resolutions_dropped", "");
	CU_ASSERT(strstr(json_string_value(json_object_get(json_array_get(
	    json_object_get(am, "resolutions_kept"), 0), "why")),
	    "set-out stays") != NULL);
	json_decref(am);
	OFFICERS_CHECK_SQL(&pg, "1", AUDITS, "A1006", "wagon.resolution_kept");
}

/*
 * An override awaiting confirmation survives a replacement that leaves
 * its wagon as it was (fixtures/xml/four_eyes_x9101.xml: wagon 2 held by
 * the rules, a sanctioned consignor).
 */
static void
t_amend_unchanged_keeps_proposal(void)
{
	struct harness_response	 r;
	char			*data, *p, hdr[128];
	size_t			 len;
	int			 k;
	json_t			*am;
	size_t			 n = 0;

	for (k = 0; k < 2; k++) {
		data = test_read_fixture("xml/four_eyes_x9101.xml", &len);
		if ((p = strstr(data, "X9101")) != NULL)
			memcpy(p, "A1007", 5);
		if (k == 1 && (p = strstr(data, "<FunctionCode>9<")) != NULL)
			p[14] = '5';
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
		    operator_token);
		CU_ASSERT_EQUAL(harness_http(dm.port, "POST", "/v1/manifests",
		    hdr, data, len, &r), 0);
		CU_ASSERT_EQUAL(r.status, 202);
		harness_response_free(&r);
		free(data);
		CU_ASSERT_FATAL(officers_decided(&pg, "A1007"));
		if (k == 0)
			CU_ASSERT_EQUAL(officers_resolve(dm.port, sup_token,
			    "A1007", "315279550026", "release", NULL), 202);
	}
	OFFICERS_CHECK_SQL(&pg, "RELEASE by s.one", "SELECT upper("
	    "w.proposed_action) || ' by ' || w.proposed_by FROM wagons w JOIN "
	    "trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.number = '315279550026'", "A1007");
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, "A1007",
	    "315279550026");
	am = last_amendment("A1007", &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(am);
	CHECK_LIST(am, "changed", "");
	CHECK_LIST(am, "resolutions_kept", "315279550026@2");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(json_object_get(am, "resolutions_kept"), 0),
	    "proposed_by")), "s.one");
	json_decref(am);
}

/*
 * The auditor's replay makes every decision again, identical: the final
 * decisions made before a replacement (on wagons since removed or moved)
 * and after it (on the resolutions it kept).
 */
static void
t_amend_replay_identical(void)
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
	if (WEXITSTATUS(st) != 0 || strstr(out.data, "all identical") == NULL)
		fputs(out.data, stderr);
	buf_free(&out);
}

static CU_TestInfo amend_tests[] = {
	{ "t_amend_unchanged_keeps_final", t_amend_unchanged_keeps_final },
	{ "t_amend_changed_wagon_drops_its_resolution",
	    t_amend_changed_wagon_drops_its_resolution },
	{ "t_amend_wagon_removed_en_route", t_amend_wagon_removed_en_route },
	{ "t_amend_wagon_added", t_amend_wagon_added },
	{ "t_amend_goods_moved", t_amend_goods_moved },
	{ "t_amend_changed_wagon_keeps_hold",
	    t_amend_changed_wagon_keeps_hold },
	{ "t_amend_unchanged_keeps_proposal",
	    t_amend_unchanged_keeps_proposal },
	{ "t_amend_replay_identical", t_amend_replay_identical },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_amend", amend_suite_init, amend_suite_clean,
    amend_tests);
