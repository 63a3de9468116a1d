/*
 * test_screening.c -- clearing a false screening match, once (issue 19,
 * item 6; docs/screening.md "Clearing a false match"), against the real
 * daemon and PostgreSQL.
 *
 * An officer proposes "party P is not entry E of list L" (POST
 * /v1/screening/clearances), a supervisor who is not the proposer
 * confirms or rejects it, a supervisor revokes a confirmed one; every
 * move is audited.  Each refusal -- no reason, an unknown list, an entry
 * not in the rule set's list, the party being the entry itself, an
 * unknown member, a duplicate (also in another Unicode normalisation),
 * the proposer confirming (with either of their tokens), an officer,
 * auditor or operator deciding, a confirm replayed, a revoke of what is
 * not in force -- is a problem document and changes nothing (a snapshot
 * of the clearances and the audit log, before and after).
 *
 * The evaluator is given the clearances in force (confirmed, not
 * revoked, not expired) as docs/screening.md's JSON: the claim carries
 * them when their key moved (a change, an expiry), /metrics says how
 * many it holds, a decision stores the clearances applied, and `railgate
 * replay` hands the stored ones back to the engine.
 */
#include <sys/wait.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"

#define PATH	"/v1/screening/clearances"
#define ENTRY	"Eastern Star Shipping LLP"
#define FOODS	"{\"list\": \"sanctioned\", \"entry\": \"" ENTRY "\", " \
	"\"party\": {\"name\": \"Eastern Star Foods LLP\", \"country\": " \
	"\"KZ\", \"id\": null}, \"reason\": \"a food wholesaler in Almaty, " \
	"BIN checked with the registry\"}"

/* Everything a refused request could have changed. */
#define SNAPSHOT "SELECT (SELECT count(*) FROM audit_log) || '|' || " \
	"(SELECT coalesce(string_agg(id || ':' || state || ':' || " \
	"coalesce(decided_by, '') || ':' || coalesce(revoked_by, '') || ':' " \
	"|| changed, ',' ORDER BY id), '') FROM screening_clearances)"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], officer2_token[64];
static char	auditor_token[64], sup1_token[64], sup1b_token[64];
static char	sup2_token[64];

static int
scr_init(void)
{
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.alpha", officer_token) < 0 ||
	    harness_token(&pg, "officer", "o.beta", officer2_token) < 0 ||
	    harness_token(&pg, "auditor", "a.one", auditor_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup1_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup1b_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.two", sup2_token) < 0)
		return -1;
	return 0;
}

static int
scr_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* POST path as token with json; the status, the reply's "id". */
static int
post(const char *token, const char *path, const char *json, long long *id,
    char **out)
{
	char	*body = NULL;
	json_t	*r;
	int	 status;

	status = officers_call(dm.port, token, "POST", path, json, &body);
	r = body != NULL ? json_loads(body, 0, NULL) : NULL;
	if (id != NULL)
		*id = json_integer_value(json_object_get(r, "id"));
	json_decref(r);
	if (out != NULL)
		*out = body;
	else
		free(body);
	return status;
}

/* POST /v1/screening/clearances/{id}/{verb} {"reason": reason}. */
static int
decide(const char *token, long long id, const char *verb, const char *reason,
    char **out)
{
	char	path[128], json[256];

	snprintf(path, sizeof path, PATH "/%lld/%s", id, verb);
	if (reason != NULL)
		snprintf(json, sizeof json, "{\"reason\": \"%s\"}", reason);
	else
		snprintf(json, sizeof json, "{}");
	return post(token, path, json, NULL, out);
}

/* A GET as token; the parsed body (caller frees), NULL unless 200. */
static json_t *
get(const char *token, const char *path)
{
	char	*body = NULL;
	json_t	*j = NULL;

	if (officers_call(dm.port, token, "GET", path, NULL, &body) == 200)
		j = json_loads(body, 0, NULL);
	free(body);
	return j;
}

/*
 * A refused request: status, a problem document holding want, and the
 * clearances and audit log as they were.
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
	CU_ASSERT(strchr(before_, '|') != NULL);	/* read at all */	\
	CU_ASSERT_STRING_EQUAL(after_, before_);			\
	free(before_);							\
	free(after_);							\
	free(b_);							\
} while (0)

/* A proposal with one member replaced: FOODS with `from` made `to`. */
static char *
foods_with(const char *from, const char *to)
{
	const char	*p = strstr(FOODS, from);
	struct buf	 b = { 0 };

	if (p == NULL)
		return xstrdup(FOODS);
	buf_add(&b, FOODS, (size_t)(p - FOODS));
	buf_add(&b, to, strlen(to));
	buf_add(&b, p + strlen(from), strlen(p + strlen(from)) + 1);
	return buf_steal(&b, NULL);
}

/*
 * Proposals the rule set in force or the request's form refuses: each a
 * problem document, nothing stored, nothing audited.
 */
static void
t_scr_propose_refused(void)
{
	char	*j;

	REFUSED(422, "Reason required", post(officer_token, PATH,
	    "{\"list\": \"sanctioned\", \"entry\": \"" ENTRY "\", \"party\": "
	    "{\"name\": \"Eastern Star Foods LLP\"}}", NULL, &b_));
	j = foods_with("\"reason\": \"a food", "\"reason\": \"   \", \"x\": \"");
	REFUSED(422, "Reason required", post(officer_token, PATH, j, NULL,
	    &b_));
	free(j);
	j = foods_with("\"list\": \"sanctioned\"", "\"list\": \"embargoed\"");
	REFUSED(422, "has no list 'embargoed'", post(officer_token, PATH, j,
	    NULL, &b_));
	free(j);
	j = foods_with("\"entry\": \"" ENTRY "\"",
	    "\"entry\": \"Eastern Star Holdings LLP\"");
	REFUSED(422, "no entry named 'Eastern Star Holdings LLP'",
	    post(officer_token, PATH, j, NULL, &b_));
	free(j);
	/* The entry exactly as listed: not another case of it. */
	j = foods_with("\"entry\": \"" ENTRY "\"",
	    "\"entry\": \"eastern star shipping llp\"");
	REFUSED(422, "no entry named", post(officer_token, PATH, j, NULL, &b_));
	free(j);
	/* The listed party itself, in other case and spacing. */
	j = foods_with("Eastern Star Foods LLP", "EASTERN  STAR shipping LLP");
	REFUSED(422, "is the entry's own name", post(officer_token, PATH, j,
	    NULL, &b_));
	free(j);
	/* An alias of the entry is the listed party too. */
	j = foods_with("Eastern Star Foods LLP",
	    "\u0422\u041e\u041e \u0412\u043e\u0441\u0442\u043e\u0447"
	    "\u043d\u0430\u044f \u0417\u0432\u0435\u0437\u0434\u0430");
	REFUSED(422, "an alias of the entry", post(officer_token, PATH, j,
	    NULL, &b_));
	free(j);
	j = foods_with("\"country\": \"KZ\"", "\"country\": \"kz\"");
	REFUSED(422, "party.country", post(officer_token, PATH, j, NULL, &b_));
	free(j);
	j = foods_with("\"reason\"", "\"state\": \"confirmed\", \"reason\"");
	REFUSED(422, "unknown member", post(officer_token, PATH, j, NULL, &b_));
	free(j);
	j = foods_with("\"country\"", "\"confirmed_by\": \"s.two\", "
	    "\"country\"");
	REFUSED(422, "party", post(officer_token, PATH, j, NULL, &b_));
	free(j);
	j = foods_with("\"reason\"", "\"train\": \"NOSUCH@1\", \"reason\"");
	REFUSED(404, "no train NOSUCH@1", post(officer_token, PATH, j, NULL,
	    &b_));
	free(j);
	REFUSED(400, "invalid JSON", post(officer_token, PATH, "{\"list\": ",
	    NULL, &b_));
	/* Roles: the route table admits officers and supervisors only. */
	REFUSED(403, "title", post(operator_token, PATH, FOODS, NULL, &b_));
	REFUSED(403, "title", post(auditor_token, PATH, FOODS, NULL, &b_));
	REFUSED(401, "title", post(NULL, PATH, FOODS, NULL, &b_));
	OFFICERS_CHECK_SQL(&pg, "0", "SELECT count(*) FROM "
	    "screening_clearances");
}

static long long	foods_id;	/* proposed by o.alpha, confirmed */

/*
 * The four-eyes path: an officer proposes (202, pending, audited); the
 * same party again -- in another Unicode normalisation, case or spacing
 * -- waits on it (409); an officer cannot confirm, nor the proposer; a
 * second supervisor confirms (in force for clearance_days, audited);
 * confirming again, or rejecting it now, is refused.
 */
static void
t_scr_four_eyes(void)
{
	char		*body = NULL, *j, *v;
	json_t		*c;
	long long	 id, sid;

	CU_ASSERT_EQUAL_FATAL(post(officer_token, PATH, FOODS, &foods_id,
	    &body), 202);
	CU_ASSERT(foods_id > 0);
	c = body != NULL ? json_loads(body, 0, NULL) : NULL;
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "state")),
	    "pending");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c,
	    "proposed_by")), "o.alpha");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_object_get(c, "party"), "name")), "Eastern Star Foods LLP");
	json_decref(c);
	free(body);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log WHERE "
	    "action = 'screening_clearance.proposed' AND actor = 'o.alpha' AND "
	    "details::json->>'clearance' = '%lld' AND details::json->'party'->>"
	    "'name' = 'Eastern Star Foods LLP'", foods_id);

	/* The same party by another officer, otherwise written. */
	j = foods_with("Eastern Star Foods LLP", "eastern  star FOODS llp");
	REFUSED(409, "Clearance awaiting confirmation", post(officer2_token,
	    PATH, j, NULL, &b_));
	free(j);
	/* Another country is another party: not a duplicate (rejected later). */
	j = foods_with("\"country\": \"KZ\"", "\"country\": \"UZ\"");
	CU_ASSERT_EQUAL(post(sup1_token, PATH, j, &sid, NULL), 202);
	free(j);

	/* Who may not confirm. */
	REFUSED(403, "title", decide(officer_token, foods_id, "confirm",
	    "looks fine", &b_));
	REFUSED(403, "title", decide(officer2_token, foods_id, "confirm",
	    "looks fine", &b_));
	REFUSED(403, "title", decide(auditor_token, foods_id, "confirm",
	    "looks fine", &b_));
	REFUSED(403, "title", decide(operator_token, foods_id, "confirm",
	    "looks fine", &b_));
	REFUSED(403, "Four eyes", decide(sup1_token, sid, "confirm",
	    "mine, sure", &b_));
	REFUSED(403, "Four eyes", decide(sup1b_token, sid, "confirm",
	    "my other token", &b_));
	REFUSED(422, "Reason required", decide(sup2_token, foods_id, "confirm",
	    NULL, &b_));
	REFUSED(422, "Reason required", decide(sup2_token, foods_id, "confirm",
	    "", &b_));
	REFUSED(404, "Unknown clearance", decide(sup2_token, 987654,
	    "confirm", "x", &b_));
	REFUSED(404, "Unknown clearance", post(sup2_token, PATH "/0x1/confirm",
	    "{\"reason\": \"x\"}", NULL, &b_));
	CU_ASSERT_EQUAL(post(sup2_token, PATH "/1/approve",
	    "{\"reason\": \"x\"}", NULL, NULL), 404);

	CU_ASSERT_EQUAL_FATAL(decide(sup2_token, foods_id, "confirm",
	    "registry extract seen", &body), 200);
	c = body != NULL ? json_loads(body, 0, NULL) : NULL;
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "state")),
	    "confirmed");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c,
	    "confirmed_by")), "s.two");
	CU_ASSERT(json_is_true(json_object_get(c, "in_force")));
	CU_ASSERT_PTR_NOT_NULL(json_string_value(json_object_get(c,
	    "expires_at")));
	json_decref(c);
	free(body);
	/* 180 days by default, from the confirmation. */
	OFFICERS_CHECK_SQL(&pg, "180", "SELECT round(extract(epoch FROM "
	    "expires_at - decided_at) / 86400) FROM screening_clearances "
	    "WHERE id = %lld", foods_id);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log WHERE "
	    "action = 'screening_clearance.confirmed' AND actor = 's.two' AND "
	    "details::json->>'clearance' = '%lld' AND details::json->>"
	    "'proposed_by' = 'o.alpha' AND details::json->>'reason' = "
	    "'registry extract seen'", foods_id);

	/* A confirmation replayed, a rejection after it. */
	REFUSED(409, "confirmed by s.two already", decide(sup2_token, foods_id,
	    "confirm", "again", &b_));
	REFUSED(409, "No clearance to reject", decide(sup1_token, foods_id,
	    "reject", "changed my mind", &b_));
	/* Now in force: the same party again is a duplicate. */
	REFUSED(409, "Cleared already", post(officer2_token, PATH, FOODS,
	    &id, &b_));

	/* The other one rejected by a supervisor, audited. */
	CU_ASSERT_EQUAL(decide(sup2_token, sid, "reject", "wrong country",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "rejected/s.two", "SELECT state || '/' || "
	    "decided_by FROM screening_clearances WHERE id = %lld", sid);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log WHERE "
	    "action = 'screening_clearance.rejected' AND details::json->>"
	    "'clearance' = '%lld'", sid);
	REFUSED(409, "not in force", decide(sup2_token, sid, "revoke",
	    "x", &b_));
	v = officers_sql(&pg, "SELECT first_bad IS NULL FROM audit_verify()");
	CU_ASSERT_STRING_EQUAL(v, "t");
	free(v);
}

/*
 * A party name in another Unicode normalisation (decomposed é) is the
 * same party: a second proposal of it is a duplicate.
 */
static void
t_scr_normalisation(void)
{
	/* "Café Vympel Tea LLP": NFC, then NFD. */
	static const char nfc[] = "{\"list\": \"sanctioned\", \"entry\": "
	    "\"Vympel Technologies\", \"party\": {\"name\": \"Caf\xc3\xa9 "
	    "Vympel Tea\"}, \"reason\": \"a tea shop\"}";
	static const char nfd[] = "{\"list\": \"sanctioned\", \"entry\": "
	    "\"Vympel Technologies\", \"party\": {\"name\": \"Cafe\xcc\x81 "
	    "Vympel Tea\"}, \"reason\": \"a tea shop\"}";
	static const char fullwidth[] = "{\"list\": \"sanctioned\", \"entry\": "
	    "\"Vympel Technologies\", \"party\": {\"name\": \"Caf\xc3\xa9 "
	    "\xef\xbc\xb6ympel Tea\"}, \"reason\": \"a tea shop\"}";
	long long	id;

	CU_ASSERT_EQUAL_FATAL(post(officer_token, PATH, nfc, &id, NULL), 202);
	REFUSED(409, "awaiting confirmation", post(officer2_token, PATH, nfd,
	    NULL, &b_));
	REFUSED(409, "awaiting confirmation", post(officer2_token, PATH,
	    fullwidth, NULL, &b_));
	CU_ASSERT_EQUAL(decide(sup1_token, id, "reject", "not needed", NULL),
	    200);
}

/*
 * Reading them: the list filtered by state, list, party and train; one
 * by id; officers and auditors may read, operators not.
 */
static void
t_scr_read(void)
{
	json_t		*a, *c;
	char		 path[128];

	a = get(officer_token, PATH "?state=in_force");
	CU_ASSERT_EQUAL(json_array_size(a), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(a,
	    0), "id")), foods_id);
	json_decref(a);
	a = get(auditor_token, PATH "?state=rejected");
	CU_ASSERT_EQUAL(json_array_size(a), 2);
	json_decref(a);
	a = get(sup1_token, PATH "?party=FOODS&list=sanctioned");
	CU_ASSERT(json_array_size(a) >= 2);
	json_decref(a);
	a = get(sup1_token, PATH "?state=pending");
	CU_ASSERT_EQUAL(json_array_size(a), 0);
	json_decref(a);
	a = get(sup1_token, PATH "?list=embargoed");
	CU_ASSERT_EQUAL(json_array_size(a), 0);
	json_decref(a);
	CU_ASSERT_EQUAL(officers_call(dm.port, sup1_token, "GET", PATH
	    "?state=maybe", NULL, NULL), 400);
	CU_ASSERT_EQUAL(officers_call(dm.port, sup1_token, "GET", PATH
	    "?limit=0", NULL, NULL), 400);
	CU_ASSERT_EQUAL(officers_call(dm.port, operator_token, "GET", PATH,
	    NULL, NULL), 403);
	snprintf(path, sizeof path, PATH "/%lld", foods_id);
	c = get(auditor_token, path);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "entry")),
	    ENTRY);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c,
	    "decided_reason")), "registry extract seen");
	CU_ASSERT(json_is_false(json_object_get(c, "mine")));
	json_decref(c);
	CU_ASSERT_EQUAL(officers_call(dm.port, sup1_token, "GET", PATH
	    "/99999", NULL, NULL), 404);
}

/* A metric's value in /metrics, -1 when absent. */
static long
metric(const char *name)
{
	struct harness_response	 r;
	const char		*p;
	long			 v = -1;
	size_t			 n = strlen(name);

	if (harness_http(dm.port, "GET", "/metrics", NULL, NULL, 0, &r) < 0)
		return -1;
	for (p = r.body; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			v = atol(p + n + 1);
	harness_response_free(&r);
	return v;
}

/* The fixture posted as train (5 characters) with its sanctioned
 * consignor renamed to consignor; decided from every input. */
static bool
post_train(const char *train, const char *consignor)
{
	struct harness_response	 r;
	char			*data, *p, hdr[128];
	struct buf		 b = { 0 };
	size_t			 len;
	int			 status;

	data = test_read_fixture("xml/four_eyes_x9101.xml", &len);
	if ((p = strstr(data, "X9101")) != NULL)
		memcpy(p, train, 5);
	if ((p = strstr(data, "Timur Trading House")) != NULL) {
		buf_add(&b, data, (size_t)(p - data));
		buf_add(&b, consignor, strlen(consignor));
		buf_add(&b, p + 19, strlen(p + 19));
	} else
		buf_add(&b, data, len);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    operator_token);
	status = harness_http(dm.port, "POST", "/v1/manifests", hdr, b.data,
	    b.len, &r) < 0 ? -1 : r.status;
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	buf_free(&b);
	return status == 202 && officers_decided(&pg, train);
}

/*
 * The evaluator is given what is in force: the claim carries the set
 * when its key moved, /metrics counts it, and the decision stores the
 * clearances applied (a JSON array; the engine reports them).
 */
static void
t_scr_evaluator_given(void)
{
	char		*v, path[128];
	long		 loads;
	long long	 id;

	/* The JSON the engine reads (docs/screening.md), exactly. */
	v = officers_sql(&pg, "SELECT screening_clearances_in_force()::text");
	{
		char want[512];

		snprintf(want, sizeof want, "[{\"id\" : %lld, \"list\" : "
		    "\"sanctioned\", \"entry\" : \"" ENTRY "\", \"party\" : "
		    "{\"name\" : \"Eastern Star Foods LLP\", \"country\" : "
		    "\"KZ\", \"id\" : null}}]", foods_id);
		CU_ASSERT_STRING_EQUAL(v, want);
	}
	free(v);
	CU_ASSERT_FATAL(post_train("S0001", "Eastern Star Foods LLP"));
	CU_ASSERT_EQUAL(metric("railgate_screening_clearances_in_force"), 1);
	loads = metric("railgate_screening_clearance_sets_total");
	CU_ASSERT(loads >= 1);
	/* Stored with the decision: what the engine applied, an array (the
	 * end-to-end test below has one applied). */
	OFFICERS_CHECK_SQL(&pg, "array", "SELECT json_typeof(d.clearances) "
	    "FROM decisions d JOIN trains t ON t.id = d.train_id WHERE "
	    "t.train_no = 'S0001' ORDER BY d.id DESC LIMIT 1");

	/* Unchanged set: not fetched again for the next train; a party of
	 * another name applies none (stored: []). */
	CU_ASSERT_FATAL(post_train("S0002", "Northern Star Foods LLP"));
	OFFICERS_CHECK_SQL(&pg, "[]", "SELECT d.clearances::text FROM "
	    "decisions d JOIN trains t ON t.id = d.train_id WHERE t.train_no = "
	    "'S0002'");
	CU_ASSERT_EQUAL(metric("railgate_screening_clearance_sets_total"),
	    loads);

	/* A proposal made from the hit of S0001, confirmed: two in force. */
	CU_ASSERT_EQUAL_FATAL(post(officer_token, PATH, "{\"list\": "
	    "\"sanctioned\", \"entry\": \"Vympel Technologies\", \"party\": "
	    "{\"name\": \"Vympel Technology Group\", \"country\": \"KZ\", \"id\": "
	    "\"050540004455\"}, \"reason\": \"tea importer\", \"train\": "
	    "\"S0001@1\", \"hit\": {\"rule\": \"sanctions\", \"consignment\": "
	    "\"C2\", \"role\": \"consignor\"}}", &id, NULL), 202);
	OFFICERS_CHECK_SQL(&pg, "S0001/sanctions", "SELECT t.train_no || '/' "
	    "|| (c.hit->>'rule') FROM screening_clearances c JOIN trains t ON "
	    "t.id = c.train_id WHERE c.id = %lld", id);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = 'S0001' AND "
	    "a.action = 'screening_clearance.proposed'");
	{
		json_t *a = get(officer_token, PATH "?train=S0001");

		CU_ASSERT_EQUAL(json_array_size(a), 1);
		json_decref(a);
	}
	CU_ASSERT_EQUAL(decide(sup1_token, id, "confirm", "tea, not rockets",
	    NULL), 200);
	CU_ASSERT_FATAL(post_train("S0003", "Vympel Technology Group"));
	CU_ASSERT_EQUAL(metric("railgate_screening_clearances_in_force"), 2);
	CU_ASSERT(metric("railgate_screening_clearance_sets_total") > loads);

	/* Revoked: out of force for the next evaluation, audited. */
	REFUSED(403, "title", decide(officer_token, id, "revoke", "x", &b_));
	CU_ASSERT_EQUAL(decide(sup2_token, id, "revoke", "registry says "
	    "otherwise", NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "revoked/s.two", "SELECT state || '/' || "
	    "revoked_by FROM screening_clearances WHERE id = %lld", id);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log WHERE "
	    "action = 'screening_clearance.revoked' AND details::json->>"
	    "'clearance' = '%lld'", id);
	REFUSED(409, "No clearance to revoke", decide(sup2_token, id, "revoke",
	    "again", &b_));
	snprintf(path, sizeof path, PATH "/%lld", id);
	{
		json_t *c = get(officer_token, path);

		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c,
		    "state")), "revoked");
		CU_ASSERT(json_is_false(json_object_get(c, "in_force")));
		json_decref(c);
	}
	CU_ASSERT_FATAL(post_train("S0004", "Vympel Technology Group"));
	CU_ASSERT_EQUAL(metric("railgate_screening_clearances_in_force"), 1);
}

/*
 * Expiry: a clearance past expires_at is out of force without any move
 * (the key names the next expiry, so the evaluator fetches the set again
 * when it passes); it reads expired, and cannot be revoked.
 */
static void
t_scr_expiry(void)
{
	char	*v, *key1, *key2, *id;

	/* Confirmed long ago, expired yesterday (inserted as it would be). */
	id = officers_sql(&pg, "INSERT INTO screening_clearances (list, entry, "
	    "party_name, party_key, reason, proposed_by, proposed_role, "
	    "proposed_at, state, decided_by, decided_at, decided_reason, "
	    "expires_at) VALUES ('sanctioned', 'Arctic Route Logistics', "
	    "'Arctic Route Tours', 'arctic route tours', 'a travel agency', "
	    "'o.alpha', 'officer', now() - interval '200 days', 'confirmed', "
	    "'s.two', now() - interval '181 days', 'checked', now() - interval "
	    "'1 day') RETURNING id");
	CU_ASSERT(atoi(id) > 0);
	v = officers_sql(&pg, "SELECT (SELECT count(*) FROM json_array_elements("
	    "screening_clearances_in_force()) x WHERE x->>'entry' = 'Arctic "
	    "Route Logistics')");
	CU_ASSERT_STRING_EQUAL(v, "0");
	free(v);
	{
		json_t *a = get(officer_token, PATH "?state=expired");

		CU_ASSERT_EQUAL(json_array_size(a), 1);
		CU_ASSERT(json_is_true(json_object_get(json_array_get(a, 0),
		    "expired")));
		json_decref(a);
	}
	REFUSED(409, "expired", decide(sup1_token, atoll(id), "revoke",
	    "too late", &b_));
	free(id);

	/* One in force for four more seconds: the key moves when it expires. */
	free(officers_sql(&pg, "INSERT INTO screening_clearances (list, entry, "
	    "party_name, party_key, reason, proposed_by, proposed_role, state, "
	    "decided_by, decided_at, decided_reason, expires_at) VALUES "
	    "('sanctioned', 'Golden Crescent Import Export', 'Golden Crescent "
	    "Bakery', 'golden crescent bakery', 'bread', 'o.alpha', 'officer', "
	    "'confirmed', 's.two', now(), 'checked', now() + interval "
	    "'4 seconds')"));
	CU_ASSERT_FATAL(post_train("S0005", "Golden Crescent Bakery"));
	CU_ASSERT_EQUAL(metric("railgate_screening_clearances_in_force"), 2);
	key1 = officers_sql(&pg, "SELECT screening_clearances_key()");
	sleep(5);
	key2 = officers_sql(&pg, "SELECT screening_clearances_key()");
	CU_ASSERT_STRING_NOT_EQUAL(key1, key2);
	free(key1);
	free(key2);
	CU_ASSERT_FATAL(post_train("S0006", "Golden Crescent Bakery"));
	CU_ASSERT_EQUAL(metric("railgate_screening_clearances_in_force"), 1);
}

/*
 * What a clearance says never changes, and none is deleted: the table
 * refuses it, whoever asks (the application's role cannot even try).
 */
static void
t_scr_immutable(void)
{
	char	*v, sql[256];

	snprintf(sql, sizeof sql, "UPDATE screening_clearances SET party_name "
	    "= 'Eastern Star Shipping LLP' WHERE id = %lld", foods_id);
	v = harness_sql(&pg, sql);
	free(v);
	OFFICERS_CHECK_SQL(&pg, "Eastern Star Foods LLP", "SELECT party_name "
	    "FROM screening_clearances WHERE id = %lld", foods_id);
	snprintf(sql, sizeof sql, "UPDATE screening_clearances SET state = "
	    "'pending', decided_at = NULL, expires_at = NULL WHERE id = %lld",
	    foods_id);
	free(harness_sql(&pg, sql));
	snprintf(sql, sizeof sql, "DELETE FROM screening_clearances WHERE id "
	    "= %lld", foods_id);
	free(harness_sql(&pg, sql));
	free(harness_sql(&pg, "TRUNCATE screening_clearances CASCADE"));
	OFFICERS_CHECK_SQL(&pg, "confirmed", "SELECT state FROM "
	    "screening_clearances WHERE id = %lld", foods_id);
	/* The daemon's role reads, never writes. */
	OFFICERS_CHECK_SQL(&pg, "f", "SELECT has_table_privilege('railgate_app',"
	    " 'screening_clearances', 'UPDATE')");
}

/* Runs `railgate ARGS`; its stdout (caller frees) and exit status. */
static char *
run(const char *args, int *status)
{
	struct buf	 out = { 0 };
	char		 cmd[2048], chunk[4096];
	size_t		 n;
	FILE		*p;

	snprintf(cmd, sizeof cmd, "%s/railgate %s 2>&1", test_build_dir(),
	    args);
	if ((p = popen(cmd, "r")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&out, chunk, n);
	buf_add(&out, "", 1);
	*status = WEXITSTATUS(pclose(p));
	return buf_steal(&out, NULL);
}

/*
 * Replay gives the engine the clearances the decision stored: identical
 * as stored, and a stored set the engine cannot read fails that
 * decision's replay (so it was handed over) -- a decision stored before
 * the migration (NULL) replays as none.
 */
static void
t_scr_replay(void)
{
	char	 args[1024], *out, *did;
	int	 st = -1;

	snprintf(args, sizeof args, "replay --dsn '%s' --train S0001",
	    pg.dsn);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "all identical") :
	    NULL);
	if (st != 0 && out != NULL)
		fprintf(stderr, "%s", out);
	free(out);

	did = officers_sql(&pg, "SELECT max(d.id) FROM decisions d JOIN "
	    "trains t ON t.id = d.train_id WHERE t.train_no = 'S0002'");
	/* A stored set as the engine would report one: read back whole. */
	free(officers_sql(&pg, "UPDATE decisions SET clearances = "
	    "'[{\"id\": 1, \"list\": \"sanctioned\", \"entry\": \"" ENTRY
	    "\", \"party\": {\"name\": \"Northern Star Foods LLP\", "
	    "\"country\": null, \"id\": null}}]' WHERE id = %s", did));
	snprintf(args, sizeof args, "replay --dsn '%s' --train S0002",
	    pg.dsn);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	free(out);
	/* Damaged: the replay fails on it, naming the clearance. */
	free(officers_sql(&pg, "UPDATE decisions SET clearances = "
	    "'[{\"id\": \"twelve\"}]' WHERE id = %s", did));
	out = run(args, &st);
	CU_ASSERT_NOT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "clearance 1") :
	    NULL);
	if (out != NULL && strstr(out, "clearance 1") == NULL)
		fprintf(stderr, "%s", out);
	free(out);
	/* Before the migration: NULL, none. */
	free(officers_sql(&pg, "UPDATE decisions SET clearances = NULL WHERE "
	    "id = %s", did));
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	free(out);
	free(did);
}

/* The sanctions hits of train's latest decision: "ACTION reason|..." */
static char *
sanctions_hits(const char *train)
{
	return officers_sql(&pg, "SELECT coalesce(string_agg((h->>'action') "
	    "|| ' ' || (h->>'reason'), '|'), '') FROM trains t, "
	    "json_array_elements(t.decision->'wagons') w, "
	    "json_array_elements(w->'hits') h WHERE t.train_no = '%s' AND "
	    "h->>'rule' = 'sanctions'", train);
}

/*
 * The try, end to end: a consignor near a listed name (Vympel
 * Tea Company, 0.88 against Vympel Technologies) is a possible match --
 * DOC_CHECK with its score, never HOLD; an officer proposes a clearance
 * from that hit, a supervisor confirms it, and the next train with that
 * consignor has no sanctions hit: its decision stores the clearance it
 * applied, the train's page lists it, and a replay after the clearance
 * was revoked still makes the same decision from the stored one.  A
 * train after the revocation is at DOC_CHECK again.
 */
static void
t_scr_end_to_end(void)
{
	char		*v, *body = NULL, args[1024], *out, want[128];
	long long	 id;
	int		 st = -1;
	json_t		*t, *a;

	CU_ASSERT_FATAL(post_train("E0001", "Vympel Technology Group"));
	v = sanctions_hits("E0001");
	if (strstr(v, "DOC_CHECK ") != v || strstr(v, "entry 'Vympel "
	    "Technologies'") == NULL || strstr(v, "(possible match)") == NULL)
		fprintf(stderr, "\nE0001 sanctions hits: %s\n", v);
	CU_ASSERT(strstr(v, "DOC_CHECK ") == v);
	CU_ASSERT_PTR_NULL(strstr(v, "HOLD"));
	CU_ASSERT_PTR_NOT_NULL(strstr(v, "consignor 'Vympel Technology Group' is "
	    "listed 'sanctioned' entry 'Vympel Technologies'"));
	free(v);

	CU_ASSERT_EQUAL_FATAL(post(officer_token, PATH, "{\"list\": "
	    "\"sanctioned\", \"entry\": \"Vympel Technologies\", \"party\": "
	    "{\"name\": \"Vympel Technology Group\", \"country\": \"KZ\"}, "
	    "\"reason\": \"a tea importer in Almaty; registry extract on "
	    "file\", \"train\": \"E0001\", \"hit\": {\"rule\": \"sanctions\", "
	    "\"role\": \"consignor\"}}", &id, NULL), 202);
	CU_ASSERT_EQUAL_FATAL(decide(sup2_token, id, "confirm", "extract "
	    "seen", NULL), 200);

	CU_ASSERT_FATAL(post_train("E0002", "Vympel Technology Group"));
	v = sanctions_hits("E0002");
	if (*v != '\0')
		fprintf(stderr, "\nE0002 sanctions hits: %s\n", v);
	CU_ASSERT_STRING_EQUAL(v, "");
	free(v);
	snprintf(want, sizeof want, "%lld", id);
	OFFICERS_CHECK_SQL(&pg, want, "SELECT string_agg(x->>'id', ',') FROM "
	    "decisions d JOIN trains t ON t.id = d.train_id, "
	    "json_array_elements(d.clearances) x WHERE t.train_no = 'E0002' "
	    "AND d.id = (SELECT max(id) FROM decisions WHERE train_id = t.id)");
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "GET",
	    "/v1/trains/E0002", NULL, &body), 200);
	t = body != NULL ? json_loads(body, 0, NULL) : NULL;
	a = json_object_get(json_object_get(t, "train"), "screening_cleared");
	if (a == NULL)
		a = json_object_get(t, "screening_cleared");
	CU_ASSERT_EQUAL(json_array_size(a), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(a,
	    0), "id")), id);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(a, 0), "proposed_by")), "o.alpha");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(a, 0), "confirmed_by")), "s.two");
	json_decref(t);
	free(body);

	/* Revoked: the stored decision replays the same from what it
	 * applied; a new train is screened again. */
	CU_ASSERT_EQUAL(decide(sup1_token, id, "revoke", "the registry "
	    "changed", NULL), 200);
	snprintf(args, sizeof args, "replay --dsn '%s' --train E0002",
	    pg.dsn);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "all identical") :
	    NULL);
	if (st != 0 && out != NULL)
		fprintf(stderr, "%s", out);
	free(out);
	/* Without the stored clearance the replay would differ. */
	free(officers_sql(&pg, "UPDATE decisions SET clearances = '[]' WHERE "
	    "id = (SELECT max(d.id) FROM decisions d JOIN trains t ON t.id = "
	    "d.train_id WHERE t.train_no = 'E0002')"));
	out = run(args, &st);
	CU_ASSERT_NOT_EQUAL(st, 0);
	free(out);
	CU_ASSERT_FATAL(post_train("E0003", "Vympel Technology Group"));
	v = sanctions_hits("E0003");
	CU_ASSERT(strstr(v, "DOC_CHECK ") == v);
	free(v);
}

/* One request of a race: POST path json as token; its status. */
struct race {
	const char	*token, *path, *json;
	int		 status;
};

static void *
race_post(void *arg)
{
	struct race	*r = arg;

	r->status = post(r->token, r->path, r->json, NULL, NULL);
	return NULL;
}

/* Two requests at once; their statuses, lower first, as "A/B". */
static void
race(struct race *a, struct race *b, char *out, size_t len)
{
	pthread_t	ta, tb;

	pthread_create(&ta, NULL, race_post, a);
	pthread_create(&tb, NULL, race_post, b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	snprintf(out, len, "%d/%d", a->status < b->status ? a->status :
	    b->status, a->status < b->status ? b->status : a->status);
}

/*
 * At once: two officers proposing the same party and entry make one
 * clearance (202 and 409); two supervisors confirming it, one wins (200
 * and 409), one confirmation audited.
 */
static void
t_scr_race(void)
{
	static const char json[] = "{\"list\": \"sanctioned\", \"entry\": "
	    "\"Zhetysu Arms Supply\", \"party\": {\"name\": \"Zhetysu Apple "
	    "Supply\"}, \"reason\": \"an orchard\"}";
	struct race	a = { officer_token, PATH, json, 0 };
	struct race	b = { officer2_token, PATH, json, 0 };
	char		got[16], path[128], *id;

	race(&a, &b, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, "202/409");
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM "
	    "screening_clearances WHERE entry = 'Zhetysu Arms Supply'");
	id = officers_sql(&pg, "SELECT id FROM screening_clearances WHERE "
	    "entry = 'Zhetysu Arms Supply'");
	snprintf(path, sizeof path, PATH "/%s/confirm", id);
	a = (struct race){ sup1_token, path, "{\"reason\": \"one\"}", 0 };
	b = (struct race){ sup2_token, path, "{\"reason\": \"two\"}", 0 };
	race(&a, &b, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, "200/409");
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log WHERE "
	    "action = 'screening_clearance.confirmed' AND details::json->>"
	    "'clearance' = '%s'", id);
	free(id);
}

static CU_TestInfo scr_tests[] = {
	{ "t_scr_propose_refused", t_scr_propose_refused },
	{ "t_scr_four_eyes", t_scr_four_eyes },
	{ "t_scr_normalisation", t_scr_normalisation },
	{ "t_scr_read", t_scr_read },
	{ "t_scr_evaluator_given", t_scr_evaluator_given },
	{ "t_scr_expiry", t_scr_expiry },
	{ "t_scr_immutable", t_scr_immutable },
	{ "t_scr_replay", t_scr_replay },
	{ "t_scr_end_to_end", t_scr_end_to_end },
	{ "t_scr_race", t_scr_race },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_screening", scr_init, scr_clean, scr_tests)
