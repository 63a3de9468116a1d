/*
 * test_proposals.c -- four eyes on train hits and the list of what waits
 * for a second supervisor (issue 18, item 2), against the real daemon.
 *
 * A train hit holds the whole train, so clearing one (goods on no wagon
 * located or corrected) is a supervisor's proposal that another
 * supervisor confirms or rejects: POST /v1/trains/{id}/proposals/{p}/
 * confirm|reject.  GET /v1/proposals lists every wagon override and
 * clearing awaiting confirmation, across trains.  Each bad request --
 * a confirmation by the proposer, of an unknown proposal, of one
 * confirmed or rejected already, by an officer or an auditor, naming
 * another train or run; two confirmations at once -- gets a problem
 * document and changes nothing in the database (a snapshot of every
 * table the decision reads is compared before and after).  A proposal
 * whose goods' hits a new evaluation changed is void, audited.
 *
 * The train (fixtures/xml/four_eyes_x9101.xml): wagon 1 REFUSE (ivory),
 * wagon 2 HOLD (a sanctioned consignor), wagon 3 released; train hits
 * about goods on no wagon are written into its decision as the engine
 * writes them (as test_goods.c does).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"

#define W_SANCTION	"315279550026"	/* rules: HOLD */
#define W_CLEAR		"335279521132"	/* rules: RELEASE */

/* C9 item 1: harmless goods on no wagon; C8 item 2: to be inspected. */
#define HITS "[{\"rule\": \"unplaced-goods\", \"action\": \"DOC_CHECK\", " \
	"\"subject\": {\"consignment\": \"C9\", \"item\": 1}, \"reason\": " \
	"\"item 1 of C9 is on no wagon\"}, {\"rule\": \"x-ray-goods\", " \
	"\"action\": \"INSPECT\", \"subject\": {\"consignment\": \"C8\", " \
	"\"item\": 2}, \"reason\": \"item 2 of C8 is to be scanned\"}]"

#define CORRECT_C9 "{\"consignment\": \"C9\", \"item\": 1, \"resolution\": " \
	"\"corrected\", \"reason\": \"consignment note withdrawn\"}"
#define LOCATE_C8 "{\"consignment\": \"C8\", \"item\": 2, \"resolution\": " \
	"\"located\", \"wagon\": \"" W_CLEAR "\", \"reason\": \"found in " \
	"wagon 3\"}"

/* Everything an answer could change, as one text. */
#define SNAPSHOT "SELECT (SELECT count(*) FROM audit_log) || '|' || " \
	"(SELECT coalesce(string_agg(id || state || coalesce(decided_by, " \
	"''), ',' ORDER BY id), '') FROM train_proposals) || '|' || " \
	"(SELECT count(*) FROM goods_resolutions) || '|' || (SELECT " \
	"string_agg(number || ':' || coalesce(resolution, '') || ':' || " \
	"coalesce(proposed_action, '') || ':' || coalesce(confirmed_by, '') " \
	"|| ':' || action, ',' ORDER BY train_id, position) FROM wagons) || " \
	"'|' || (SELECT count(*) FROM officer_actions) || '|' || (SELECT " \
	"string_agg(md5(coalesce(decision::text, '')) || decision_final, " \
	"',' ORDER BY id) FROM trains) || '|' || (SELECT count(*) FROM " \
	"decisions)"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], auditor_token[64];
static char	sup1_token[64], sup2_token[64], sup3_token[64];

static int
prop_init(void)
{
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.alpha", officer_token) < 0 ||
	    harness_token(&pg, "auditor", "a.one", auditor_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup1_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.two", sup2_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.three", sup3_token) < 0)
		return -1;
	return 0;
}

static int
prop_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/*
 * The fixture posted as train (5 characters) and decided, its decision
 * given the train hits HITS: HOLD.  false when any step failed.
 */
static bool
train_with_hits(const char *train, const char *hits);

static bool
train_with_goods(const char *train)
{
	return train_with_hits(train, HITS);
}

/* The same with the train hits hits (a JSON array, 1 or 2 of them). */
static bool
train_with_hits(const char *train, const char *hits)
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
	ok = strcmp(v, "1") == 0 || strcmp(v, "2") == 0;
	free(v);
	return ok;
}

/*
 * POST .../goods/resolution as token; the status, the proposal's id, the
 * body into *out when out is not NULL.
 */
static int
propose_body(const char *token, const char *train, const char *json,
    long long *id, char **out)
{
	char	 path[128], *body = NULL;
	json_t	*r;
	int	 status;

	snprintf(path, sizeof path, "/v1/trains/%s/goods/resolution", train);
	status = officers_call(dm.port, token, "POST", path, json, &body);
	r = body != NULL ? json_loads(body, 0, NULL) : NULL;
	*id = json_integer_value(json_object_get(r, "proposal"));
	json_decref(r);
	if (out != NULL)
		*out = body;
	else
		free(body);
	return status;
}

/* The same, without the body. */
static int
propose(const char *token, const char *train, const char *json, long long *id)
{
	return propose_body(token, train, json, id, NULL);
}

/* POST /v1/trains/{train}/proposals/{id}/{verb} as token. */
static int
decide(const char *token, const char *train, const char *id, const char *verb,
    char **body)
{
	char	path[160];

	snprintf(path, sizeof path, "/v1/trains/%s/proposals/%s/%s", train, id,
	    verb);
	return officers_call(dm.port, token, "POST", path,
	    "{\"reason\": \"seen the papers\"}", body);
}

/*
 * A bad request: the status and a problem document holding want, and the
 * database as it was (snapshot before).
 */
#define REFUSED(want_status, want, call) do {				\
	char *before_ = officers_sql(&pg, SNAPSHOT), *after_, *b_ = NULL; \
	int s_ = (call);						\
	if (s_ != (want_status) || b_ == NULL || strstr(b_, (want)) == NULL) \
		fprintf(stderr, "\n%s:%d: %d %s\n", __FILE__, __LINE__,	\
		    s_, b_ != NULL ? b_ : "(none)");			\
	CU_ASSERT_EQUAL(s_, (want_status));				\
	CU_ASSERT(b_ != NULL && strstr(b_, "\"title\"") != NULL &&	\
	    strstr(b_, (want)) != NULL);				\
	after_ = officers_sql(&pg, SNAPSHOT);				\
	CU_ASSERT(strchr(before_, ':') != NULL);	/* read at all */	\
	if (strcmp(after_, before_) != 0)				\
		fprintf(stderr, "\n%s:%d: changed:\n%s\n%s\n", __FILE__,	\
		    __LINE__, before_, after_);				\
	CU_ASSERT_STRING_EQUAL(after_, before_);			\
	free(before_);							\
	free(after_);							\
	free(b_);							\
} while (0)

static char	p1[24];		/* P0001's proposal to correct C9 */

/*
 * A wagon override and a goods clearing proposed on P0001 wait in GET
 * /v1/proposals: with train, run, what, who, why and when, "mine" for
 * their proposer; officers and auditors may not read the list; the
 * train's page shows the proposal; an officer cannot propose.
 */
static void
t_prop_list(void)
{
	char		*body = NULL;
	json_t		*a, *p;
	long long	 id;

	CU_ASSERT_FATAL(train_with_goods("P0001"));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "P0001",
	    W_SANCTION, "release", NULL), 202);
	CU_ASSERT_EQUAL(propose(officer_token, "P0001", CORRECT_C9, &id), 403);
	CU_ASSERT_EQUAL_FATAL(propose(sup1_token, "P0001", CORRECT_C9, &id),
	    202);
	CU_ASSERT(id > 0);
	snprintf(p1, sizeof p1, "%lld", id);
	/* The same goods twice: one proposal at a time. */
	REFUSED(409, "Proposal awaiting confirmation", propose_body(sup2_token,
	    "P0001", "{\"consignment\": \"C9\", \"resolution\": "
	    "\"corrected\", \"reason\": \"x\"}", &id, &b_));
	OFFICERS_CHECK_SQL(&pg, "pending", "SELECT state FROM train_proposals "
	    "WHERE id = %s", p1);
	OFFICERS_CHECK_SQL(&pg, "0", "SELECT count(*) FROM goods_resolutions");

	CU_ASSERT_EQUAL_FATAL(officers_call(dm.port, sup2_token, "GET",
	    "/v1/proposals", NULL, &body), 200);
	a = body != NULL ? json_loads(body, 0, NULL) : NULL;
	CU_ASSERT_EQUAL_FATAL(json_array_size(a), 2);
	p = json_array_get(a, 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "kind")),
	    "wagon");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "train")),
	    "P0001");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(p, "run")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "wagon")),
	    W_SANCTION);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p,
	    "proposed_by")), "s.one");
	CU_ASSERT_PTR_NOT_NULL(json_string_value(json_object_get(p, "reason")));
	CU_ASSERT_PTR_NOT_NULL(json_string_value(json_object_get(p, "at")));
	CU_ASSERT(json_is_false(json_object_get(p, "mine")));
	p = json_array_get(a, 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "kind")),
	    "goods");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "what")),
	    "corrected consignment C9 item 1");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "reason")),
	    "consignment note withdrawn");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(p, "id")), atoll(p1));
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(p,
	    "path")), "/v1/trains/P0001@1/proposals/"));
	json_decref(a);
	free(body);
	body = NULL;
	CU_ASSERT_EQUAL(officers_call(dm.port, sup1_token, "GET",
	    "/v1/proposals", NULL, &body), 200);
	CU_ASSERT(body != NULL && strstr(body, "\"mine\": true") != NULL &&
	    strstr(body, "\"mine\": false") == NULL);
	free(body);
	body = NULL;
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "GET",
	    "/v1/proposals", NULL, NULL), 403);
	CU_ASSERT_EQUAL(officers_call(dm.port, auditor_token, "GET",
	    "/v1/proposals", NULL, NULL), 403);
	CU_ASSERT_EQUAL(officers_call(dm.port, NULL, "GET", "/v1/proposals",
	    NULL, NULL), 401);
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "GET",
	    "/v1/trains/P0001", NULL, &body), 200);
	CU_ASSERT(body != NULL && strstr(body, "\"proposals\"") != NULL &&
	    strstr(body, "\"state\": \"pending\"") != NULL);
	free(body);
	/* Approval waits for the clearing (and the override), and its
	 * preview says so, as the approval answers. */
	body = NULL;
	CU_ASSERT_EQUAL(officers_call(dm.port, sup2_token, "GET",
	    "/v1/trains/P0001/approval", NULL, &body), 200);
	CU_ASSERT(body != NULL && strstr(body, "Clearing awaiting "
	    "confirmation") != NULL);
	CU_ASSERT(body != NULL && (strstr(body, "\"may_approve\": false") !=
	    NULL || strstr(body, "\"may_approve\":false") != NULL));
	free(body);
	body = NULL;
	CU_ASSERT_EQUAL(officers_approve(dm.port, sup2_token, "P0001", &body),
	    403);
	CU_ASSERT(body != NULL && strstr(body, "awaiting confirmation") !=
	    NULL);
	free(body);
}

/*
 * Every bad confirmation or rejection is a problem document and changes
 * nothing: by the proposer, by an officer, by an auditor, of an unknown
 * proposal (a number, not a number), naming another train or another
 * run; then, once confirmed, a second confirmation and a rejection.  The
 * same for the wagon override.
 */
static void
t_prop_bad_input(void)
{
	char	path[160], other[24];
	long long id;

	CU_ASSERT_FATAL(p1[0] != '\0');
	CU_ASSERT_FATAL(train_with_goods("P0002"));
	CU_ASSERT_EQUAL_FATAL(propose(sup2_token, "P0002", CORRECT_C9, &id),
	    202);
	snprintf(other, sizeof other, "%lld", id);

	REFUSED(403, "Four eyes", decide(sup1_token, "P0001", p1, "confirm",
	    &b_));
	REFUSED(403, "", decide(officer_token, "P0001", p1, "confirm", &b_));
	REFUSED(403, "", decide(auditor_token, "P0001", p1, "confirm", &b_));
	REFUSED(403, "", decide(officer_token, "P0001", p1, "reject", &b_));
	REFUSED(404, "Unknown proposal", decide(sup2_token, "P0001",
	    "999999", "confirm", &b_));
	REFUSED(404, "Unknown proposal", decide(sup2_token, "P0001", "1x",
	    "confirm", &b_));
	REFUSED(404, "Unknown proposal", decide(sup2_token, "P0001", "0",
	    "confirm", &b_));
	/* P0002's proposal named under P0001, P0001's under P0002. */
	REFUSED(404, "has no proposal", decide(sup1_token, "P0001", other,
	    "confirm", &b_));
	REFUSED(404, "has no proposal", decide(sup2_token, "P0002", p1,
	    "confirm", &b_));
	/* Another run of the right train. */
	REFUSED(404, "no train P0001@2", decide(sup2_token, "P0001@2", p1,
	    "confirm", &b_));
	REFUSED(422, "Reason required", officers_call(dm.port, sup2_token,
	    "POST", (snprintf(path, sizeof path, "/v1/trains/P0001/proposals/"
	    "%s/reject", p1), path), "{}", &b_));
	/* The wagon override: by its proposer; a wagon with none. */
	REFUSED(403, "Four eyes", officers_override(dm.port, sup1_token,
	    "P0001", W_SANCTION, "confirm", &b_));
	REFUSED(409, "No override to confirm", officers_override(dm.port,
	    sup2_token, "P0001", W_CLEAR, "confirm", &b_));
	REFUSED(403, "", officers_override(dm.port, officer_token, "P0001",
	    W_SANCTION, "confirm", &b_));
	REFUSED(403, "", officers_override(dm.port, auditor_token, "P0001",
	    W_SANCTION, "confirm", &b_));
	REFUSED(404, "Unknown wagon", officers_override(dm.port, sup2_token,
	    "P0002", "999999999999", "confirm", &b_));

	/* Confirmed by a second supervisor: the correction takes effect. */
	CU_ASSERT_EQUAL(decide(sup2_token, "P0001", p1, "confirm", NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "confirmed/s.two", "SELECT state || '/' || "
	    "decided_by FROM train_proposals WHERE id = %s", p1);
	OFFICERS_CHECK_SQL(&pg, "corrected/s.one/s.two", "SELECT resolution "
	    "|| '/' || principal || '/' || confirmed_by FROM goods_resolutions");
	REFUSED(409, "was confirmed by s.two already", decide(sup3_token,
	    "P0001", p1, "confirm", &b_));
	REFUSED(409, "No proposal to reject", decide(sup3_token, "P0001", p1,
	    "reject", &b_));
	CU_ASSERT_EQUAL(officers_override(dm.port, sup2_token, "P0001",
	    W_SANCTION, "confirm", NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "RELEASE", OFFICERS_WAGON_NOW, "P0001",
	    W_SANCTION);
	REFUSED(409, "No override to confirm", officers_override(dm.port,
	    sup3_token, "P0001", W_SANCTION, "confirm", &b_));
	REFUSED(409, "No override to reject", officers_override(dm.port,
	    sup3_token, "P0001", W_SANCTION, "reject", &b_));

	/* Rejected: neither confirmed nor rejected again. */
	CU_ASSERT_EQUAL(decide(sup3_token, "P0002", other, "reject", NULL),
	    200);
	OFFICERS_CHECK_SQL(&pg, "rejected/s.three", "SELECT state || '/' || "
	    "decided_by FROM train_proposals WHERE id = %s", other);
	REFUSED(409, "was rejected by s.three already", decide(sup1_token,
	    "P0002", other, "confirm", &b_));
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM goods_resolutions");
}

struct race {
	const char	*token, *path;
	int		 status;
};

static void *
race_confirm(void *arg)
{
	struct race	*r = arg;

	r->status = officers_call(dm.port, r->token, "POST", r->path,
	    "{\"reason\": \"seen\"}", NULL);
	return NULL;
}

/* Two supervisors confirm the same proposal at once: exactly one wins. */
static void
t_prop_race(void)
{
	char		 path[160], wpath[160];
	long long	 id;
	struct race	 r[4];
	pthread_t	 th[4];
	int		 i, ok = 0, conflict = 0;

	CU_ASSERT_FATAL(train_with_goods("P0003"));
	CU_ASSERT_EQUAL_FATAL(propose(sup1_token, "P0003", LOCATE_C8, &id),
	    202);
	CU_ASSERT_EQUAL_FATAL(officers_resolve(dm.port, sup1_token, "P0003",
	    W_SANCTION, "release", NULL), 202);
	snprintf(path, sizeof path, "/v1/trains/P0003/proposals/%lld/confirm",
	    id);
	snprintf(wpath, sizeof wpath, "/v1/trains/P0003/wagons/" W_SANCTION
	    "/override/confirm");
	r[0] = (struct race){ sup2_token, path, 0 };
	r[1] = (struct race){ sup3_token, path, 0 };
	r[2] = (struct race){ sup2_token, wpath, 0 };
	r[3] = (struct race){ sup3_token, wpath, 0 };
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, race_confirm,
		    &r[i]), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 4; i++) {
		ok += r[i].status == 200;
		conflict += r[i].status == 409;
	}
	CU_ASSERT_EQUAL(r[0].status + r[1].status, 200 + 409);
	CU_ASSERT_EQUAL(r[2].status + r[3].status, 200 + 409);
	CU_ASSERT_EQUAL(ok, 2);
	CU_ASSERT_EQUAL(conflict, 2);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM goods_resolutions g "
	    "JOIN trains t ON t.id = g.train_id WHERE t.train_no = 'P0003'");
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = 'P0003' AND "
	    "a.action = 'clearing.confirmed'");
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = 'P0003' AND "
	    "a.action = 'wagon.override_confirmed'");
	/* The located goods raised wagon 3 to C8's INSPECT. */
	OFFICERS_CHECK_SQL(&pg, "INSPECT", OFFICERS_WAGON_NOW, "P0003",
	    W_CLEAR);
}

/*
 * The proposer withdraws; a proposal whose goods' hits a new evaluation
 * changed is void (clearing.void), and can no longer be confirmed; the
 * train's page names who proposed, who confirmed or rejected.
 */
static void
t_prop_withdraw_and_void(void)
{
	char		 id_text[24], *body = NULL;
	long long	 id;

	CU_ASSERT_FATAL(train_with_goods("P0004"));
	CU_ASSERT_EQUAL_FATAL(propose(sup1_token, "P0004", CORRECT_C9, &id),
	    202);
	snprintf(id_text, sizeof id_text, "%lld", id);
	CU_ASSERT_EQUAL(decide(sup1_token, "P0004", id_text, "reject", NULL),
	    200);
	OFFICERS_CHECK_SQL(&pg, "withdrawn/s.one", "SELECT state || '/' || "
	    "decided_by FROM train_proposals WHERE id = %s", id_text);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log WHERE "
	    "action = 'clearing.withdrawn'");

	CU_ASSERT_EQUAL_FATAL(propose(sup1_token, "P0004", CORRECT_C9, &id),
	    202);
	snprintf(id_text, sizeof id_text, "%lld", id);
	/* A new evaluation: C9's hit rises to INSPECT. */
	free(officers_sql(&pg, "SELECT goods_follow_rules(t.id, 'test', "
	    "'{\"train_hits\": [{\"rule\": \"unplaced-goods\", \"action\": "
	    "\"INSPECT\", \"subject\": {\"consignment\": \"C9\", \"item\": "
	    "1}}]}', '[]', t.manifest_id, NULL) FROM trains t WHERE "
	    "t.train_no = 'P0004'"));
	OFFICERS_CHECK_SQL(&pg, "void/the rules now say INSPECT (were "
	    "DOC_CHECK)", "SELECT state || '/' || decided_reason FROM "
	    "train_proposals WHERE id = %s", id_text);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log WHERE "
	    "action = 'clearing.void'");
	REFUSED(409, "was void", decide(sup2_token, "P0004", id_text,
	    "confirm", &b_));

	/* A wagon override: kept while the rules still say HOLD, void when
	 * they say anything else (down too: the supervisors look again). */
	CU_ASSERT_FATAL(train_with_goods("P0006"));
	CU_ASSERT_EQUAL_FATAL(officers_resolve(dm.port, sup1_token, "P0006",
	    W_SANCTION, "release", NULL), 202);
	free(officers_sql(&pg, "SELECT resolutions_follow_rules(t.id, 'test', "
	    "'[{\"position\": 2, \"action\": \"HOLD\"}]', NULL) FROM trains t "
	    "WHERE t.train_no = 'P0006'"));
	OFFICERS_CHECK_SQL(&pg, "release", "SELECT coalesce(proposed_action, "
	    "'') FROM wagons WHERE number = '%s' AND train_id = (SELECT id FROM "
	    "trains WHERE train_no = 'P0006')", W_SANCTION);
	free(officers_sql(&pg, "SELECT resolutions_follow_rules(t.id, 'test', "
	    "'[{\"position\": 2, \"action\": \"INSPECT\"}]', NULL) FROM trains "
	    "t WHERE t.train_no = 'P0006'"));
	OFFICERS_CHECK_SQL(&pg, "", "SELECT coalesce(proposed_action, '') FROM "
	    "wagons WHERE number = '%s' AND train_id = (SELECT id FROM trains "
	    "WHERE train_no = 'P0006')", W_SANCTION);
	OFFICERS_CHECK_SQL(&pg, "HOLD/INSPECT", "SELECT (a.details::json->>"
	    "'rules_before') || '/' || (a.details::json->>'rules_now') FROM "
	    "audit_log a JOIN trains t ON t.id = a.train_id WHERE t.train_no = "
	    "'P0006' AND a.action = 'wagon.override_void'");
	REFUSED(409, "No override to confirm", officers_override(dm.port,
	    sup2_token, "P0006", W_SANCTION, "confirm", &b_));

	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "GET",
	    "/v1/trains/P0001", NULL, &body), 200);
	CU_ASSERT(body != NULL && strstr(body, "\"confirmed_by\": \"s.two\"")
	    != NULL && strstr(body, "\"proposed_by\": \"s.one\"") != NULL);
	free(body);
}

/* A blocking diagnostic's train hit: it names no goods. */
#define HIT_BLOCKING "[{\"rule\": \"blocking-diagnostic\", \"action\": " \
	"\"HOLD\", \"subject\": {}, \"reason\": \"the manifest cannot be " \
	"trusted as it stands: UNT_COUNT at segment 41\"}]"

/* POST .../train-hits/clearance as token with json; the status. */
static int
clearance(const char *token, const char *train, const char *json,
    long long *id, char **out)
{
	char	 path[128], *body = NULL;
	json_t	*r;
	int	 status;

	snprintf(path, sizeof path, "/v1/trains/%s/train-hits/clearance",
	    train);
	status = officers_call(dm.port, token, "POST", path, json, &body);
	r = body != NULL ? json_loads(body, 0, NULL) : NULL;
	*id = json_integer_value(json_object_get(r, "proposal"));
	json_decref(r);
	if (out != NULL)
		*out = body;
	else
		free(body);
	return status;
}

/*
 * A blocking diagnostic checked: an officer may not clear it, nor one
 * supervisor alone; proposed by one and confirmed by another, approval
 * drops it from the final decision, and the auditor's replay rebuilds
 * that final decision identical.
 */
static void
t_prop_hit_clearance(void)
{
	char		 id_text[24], cmd[1024], line[512];
	struct buf	 out = { 0 };
	long long	 id;
	FILE		*p;

	CU_ASSERT_FATAL(train_with_hits("P0005", HIT_BLOCKING));
	REFUSED(403, "Supervisor needed", clearance(officer_token, "P0005",
	    "{\"rule\": \"blocking-diagnostic\", \"reason\": \"counted "
	    "the segments\"}", &id, &b_));
	REFUSED(404, "No such train hit", clearance(sup1_token, "P0005",
	    "{\"rule\": \"unplaced-goods\", \"reason\": \"x\"}", &id, &b_));
	REFUSED(422, "rule", clearance(sup1_token, "P0005",
	    "{\"reason\": \"x\"}", &id, &b_));
	REFUSED(422, "Reason required", clearance(sup1_token, "P0005",
	    "{\"rule\": \"blocking-diagnostic\"}", &id, &b_));
	CU_ASSERT_EQUAL_FATAL(clearance(sup1_token, "P0005", "{\"rule\": "
	    "\"blocking-diagnostic\", \"reason\": \"counted the segments: "
	    "the UNT count is the sender's typo\"}", &id, NULL), 202);
	snprintf(id_text, sizeof id_text, "%lld", id);
	REFUSED(409, "Proposal awaiting confirmation", clearance(sup2_token,
	    "P0005", "{\"rule\": \"blocking-diagnostic\", \"reason\": "
	    "\"x\"}", &id, &b_));
	REFUSED(403, "Four eyes", decide(sup1_token, "P0005", id_text,
	    "confirm", &b_));
	CU_ASSERT_EQUAL(decide(sup2_token, "P0005", id_text, "confirm", NULL),
	    200);
	OFFICERS_CHECK_SQL(&pg, "blocking-diagnostic/s.one/s.two", "SELECT "
	    "rule || '/' || principal || '/' || confirmed_by FROM "
	    "hit_clearances");
	REFUSED(409, "Already cleared", clearance(sup3_token, "P0005",
	    "{\"rule\": \"blocking-diagnostic\", \"reason\": \"x\"}", &id,
	    &b_));
	/* Wagon 2's hold is the rules': resolve the wagons, then approve. */
	CU_ASSERT_EQUAL_FATAL(officers_approve(dm.port, officer_token, "P0005",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "0/PARTIAL_RELEASE/true", "SELECT "
	    "json_array_length(decision->'train_hits') || '/' || (decision->>"
	    "'decision') || '/' || decision_final FROM trains WHERE train_no "
	    "= 'P0005'");

	snprintf(cmd, sizeof cmd, "%s/railgate replay --dsn '%s' --train P0005 "
	    "2>&1", test_build_dir(), pg.dsn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = popen(cmd, "r"));
	while (fgets(line, sizeof line, p) != NULL)
		buf_add_str(&out, line);
	buf_add(&out, "", 1);
	pclose(p);
	/* The provisional decision differs: its hit was written here. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "1 final decision rebuilt"));
	CU_ASSERT_PTR_NULL(strstr(out.data, ": final decision"));
	if (strstr(out.data, "1 final decision rebuilt") == NULL ||
	    strstr(out.data, ": final decision") != NULL)
		fputs(out.data, stderr);
	buf_free(&out);
}

static CU_TestInfo prop_tests[] = {
	{ "t_prop_list", t_prop_list },
	{ "t_prop_bad_input", t_prop_bad_input },
	{ "t_prop_race", t_prop_race },
	{ "t_prop_withdraw_and_void", t_prop_withdraw_and_void },
	{ "t_prop_hit_clearance", t_prop_hit_clearance },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_proposals", prop_init, prop_clean, prop_tests)
