/*
 * test_subscriptions.c -- an admin lists, reads and deletes the
 * operators' subscriptions (issue 21, item 6; docs/notices.md "Managing
 * subscriptions").
 *
 * The list and a single subscription never carry the secret, in clear or
 * sealed; only an admin reaches them; a delete is audited, refused 409
 * while notices are still to deliver unless ?force=1, which abandons
 * them visibly (state abandoned, the reason in last_error, their ids in
 * the audit record); a notice queued for a subscription deleted meanwhile
 * is abandoned as it is queued; a deleted subscription's notices cannot
 * be redelivered, and its name can be used again.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	admin_token[64], officer_token[64], supervisor_token[64];
static char	operator_token[64], auditor_token[64];

static int
subs_suite_init(void)
{
	char	conf[2048];

	if (harness_pg_start(&pg) < 0)
		return -1;
	/* Endpoints on loopback, where nothing listens: nothing delivered. */
	snprintf(conf, sizeof conf, "%s[notices]\nallow_private_endpoints = "
	    "yes\n", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "admin", "a.admin", admin_token) < 0 ||
	    harness_token(&pg, "officer", "o.subs", officer_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.subs", supervisor_token) < 0 ||
	    harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "auditor", "a.audit", auditor_token) < 0)
		return -1;
	return 0;
}

static int
subs_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/*
 * A request as token; the HTTP status (-1: no answer), the body to *body,
 * JSON written again compactly ("name":"value"), as PostgreSQL's
 * json_build_object() spaces it.
 */
static int
call(const char *token, const char *method, const char *path,
    const char *json, char **body)
{
	struct harness_response	 r;
	json_t			*doc;
	char			 hdr[256];
	int			 status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s", token,
	    json != NULL ? "Content-Type: application/json\r\n" : "");
	if (harness_http(dm.port, method, path, hdr, json,
	    json != NULL ? strlen(json) : 0, &r) < 0)
		return -1;
	status = r.status;
	if (body != NULL) {
		doc = r.body != NULL ? json_loads(r.body, 0, NULL) : NULL;
		*body = doc != NULL ? json_dumps(doc, JSON_COMPACT) :
		    xstrdup(r.body != NULL ? r.body : "");
		json_decref(doc);
	}
	harness_response_free(&r);
	return status;
}

/*
 * PUT /v1/subscriptions/name as the admin, the rest of the object in
 * fields; the status.  ktze hears only duty alerts, rzd only CUSRES
 * release notices: the train the suite submits queues nothing for either
 * by itself (no clock runs, nothing is approved).
 */
static int
put(const char *name, const char *url, const char *fields)
{
	char	path[128], json[512];

	snprintf(path, sizeof path, "/v1/subscriptions/%s", name);
	snprintf(json, sizeof json, "{\"url\":\"%s\",%s,\"secret\":\""
	    SECRET "\"}", url, fields);
	return call(admin_token, "PUT", path, json, NULL);
}

#define KTZE	"\"formats\":[\"duty\"]"
#define RZD	"\"formats\":[\"cusres\"],\"recipient\":\"RZD\"," \
		"\"carriers\":[\"KZ-KTZE\"]"

/* The first value of sql, compared with want. */
static bool
sql_is(const char *sql, const char *want)
{
	char	*v = harness_sql(&pg, sql);
	bool	 same = v != NULL && strcmp(v, want) == 0;

	if (!same)
		fprintf(stderr, "\n%s: %s, not %s\n", sql, v ? v : "NULL", want);
	free(v);
	return same;
}

/* The list and one subscription: every field but the secret. */
static void
t_subscriptions_list_no_secret(void)
{
	char	*body = NULL, *v;

	CU_ASSERT_EQUAL_FATAL(put("ktze", "http://127.0.0.1:9/ktze", KTZE), 200);
	CU_ASSERT_EQUAL_FATAL(put("rzd", "http://127.0.0.1:9/rzd", RZD), 200);
	CU_ASSERT_EQUAL(call(admin_token, "GET", "/v1/subscriptions", NULL,
	    &body), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"name\":\"ktze\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"name\":\"rzd\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"url\":\"http://127.0.0.1:9/ktze\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"formats\":[\"duty\"]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"formats\":[\"cusres\"]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"carriers\":[\"KZ-KTZE\"]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"carriers\":[]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"recipient\":\"RZD\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"state\":\"enabled\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"created_at\":\"20"));
	/* Neither the secret nor its sealed form (v1:...), nor the key. */
	CU_ASSERT_PTR_NULL(strstr(body, SECRET));
	CU_ASSERT_PTR_NULL(strstr(body, "MfKQ9r8GKYqr"));
	CU_ASSERT_PTR_NULL(strstr(body, "secret"));
	v = harness_sql(&pg, "SELECT secret FROM subscriptions WHERE "
	    "name = 'ktze'");
	CU_ASSERT(v != NULL && strncmp(v, "v1:", 3) == 0);
	CU_ASSERT(v != NULL && strstr(body, v + 3) == NULL);
	free(v);
	free(body);

	body = NULL;
	CU_ASSERT_EQUAL(call(admin_token, "GET", "/v1/subscriptions/rzd", NULL,
	    &body), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"name\":\"rzd\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"pending\":0"));
	CU_ASSERT_PTR_NULL(strstr(body, "secret"));
	free(body);
	CU_ASSERT_EQUAL(call(admin_token, "GET", "/v1/subscriptions/nobody",
	    NULL, NULL), 404);
}

/* Only an admin lists, reads or deletes subscriptions. */
static void
t_subscriptions_admin_only(void)
{
	const char *const tokens[] = {
		officer_token, supervisor_token, operator_token, auditor_token,
	};
	size_t	i;

	for (i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
		CU_ASSERT_EQUAL(call(tokens[i], "GET", "/v1/subscriptions",
		    NULL, NULL), 403);
		CU_ASSERT_EQUAL(call(tokens[i], "GET",
		    "/v1/subscriptions/rzd", NULL, NULL), 403);
		CU_ASSERT_EQUAL(call(tokens[i], "DELETE",
		    "/v1/subscriptions/rzd?force=1", NULL, NULL), 403);
	}
	CU_ASSERT(sql_is("SELECT count(*) FROM subscriptions WHERE name = "
	    "'rzd' AND deleted_at IS NULL", "1"));
	CU_ASSERT_EQUAL(call(admin_token, "DELETE", "/v1/subscriptions/nobody",
	    NULL, NULL), 404);
	CU_ASSERT_EQUAL(call(admin_token, "DELETE",
	    "/v1/subscriptions/rzd?force=yes", NULL, NULL), 400);
}

/*
 * Notices pending: 409 without force; with force=1 they are abandoned,
 * visibly, and the delete is audited with their ids.
 */
static void
t_subscriptions_delete_pending(void)
{
	char	*body = NULL, path[128], *train;

	CU_ASSERT_EQUAL_FATAL(harness_submit_fixture(dm.port, operator_token,
	    "edifact/cuscar_s3_alashankou.edi"), 202);
	/* Two duty notices due tomorrow: queued, and out of the
	 * dispatcher's way until then. */
	free(harness_sql(&pg, "INSERT INTO notices (id, train_id, "
	    "subscription_id, format, alert, next_at) SELECT 'ntc_sub' || n, "
	    "t.id, s.id, 'duty', '{}'::json, now() + interval '1 day' FROM "
	    "trains t, subscriptions s, generate_series(1, 2) n WHERE "
	    "s.name = 'ktze' AND s.deleted_at IS NULL AND t.id = (SELECT "
	    "max(id) FROM trains) RETURNING id"));
	CU_ASSERT_FATAL(sql_is("SELECT count(*) FROM notices WHERE id LIKE "
	    "'ntc_sub%' AND state = 'pending'", "2"));
	CU_ASSERT_EQUAL(call(admin_token, "GET", "/v1/subscriptions/ktze",
	    NULL, &body), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"pending\":2"));
	free(body);

	body = NULL;
	CU_ASSERT_EQUAL(call(admin_token, "DELETE", "/v1/subscriptions/ktze",
	    NULL, &body), 409);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "2 notice(s) still to deliver"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "force=1"));
	free(body);
	CU_ASSERT(sql_is("SELECT count(*) FROM notices WHERE id LIKE "
	    "'ntc_sub%' AND state = 'pending'", "2"));

	body = NULL;
	CU_ASSERT_EQUAL(call(admin_token, "DELETE",
	    "/v1/subscriptions/ktze?force=1", NULL, &body), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"abandoned\":2"));
	free(body);
	CU_ASSERT_EQUAL(call(admin_token, "GET", "/v1/subscriptions/ktze",
	    NULL, NULL), 404);
	body = NULL;
	CU_ASSERT_EQUAL(call(admin_token, "GET", "/v1/subscriptions", NULL,
	    &body), 200);
	CU_ASSERT_PTR_NULL(strstr(body, "\"ktze\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"rzd\""));
	free(body);

	/* Abandoned with the reason, shown to officers with the train. */
	CU_ASSERT(sql_is("SELECT count(*) FROM notices WHERE id LIKE "
	    "'ntc_sub%' AND state = 'abandoned' AND last_error LIKE "
	    "'abandoned: subscription ktze deleted by a.admin at %'", "2"));
	train = harness_sql(&pg, "SELECT train_no FROM trains WHERE id = "
	    "(SELECT max(id) FROM trains)");
	CU_ASSERT_PTR_NOT_NULL_FATAL(train);
	snprintf(path, sizeof path, "/v1/trains/%s/notices", train);
	free(train);
	body = NULL;
	CU_ASSERT_EQUAL(call(officer_token, "GET", path, NULL, &body), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"state\":\"abandoned\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "subscription ktze deleted by "
	    "a.admin"));
	free(body);

	/* Audited, with the notices abandoned; the secret destroyed. */
	CU_ASSERT(sql_is("SELECT count(*) FROM audit_log WHERE action = "
	    "'subscription.delete' AND actor = 'a.admin' AND "
	    "details::jsonb->>'name' = 'ktze' AND details::jsonb->'force' = "
	    "'true' AND details::jsonb->'abandoned' = "
	    "'[\"ntc_sub1\", \"ntc_sub2\"]'", "1"));
	CU_ASSERT(sql_is("SELECT secret FROM subscriptions WHERE name = "
	    "'ktze'", "destroyed"));
	/* Not delivered again to nobody. */
	CU_ASSERT_EQUAL(call(officer_token, "POST",
	    "/v1/notices/ntc_sub1/redeliver", NULL, NULL), 409);
	CU_ASSERT(sql_is("SELECT state FROM notices WHERE id = 'ntc_sub1'",
	    "abandoned"));
}

/*
 * A notice queued after the delete (its decision read the subscription
 * before) is abandoned as it is queued; the name is free again; a
 * subscription with nothing pending is deleted at once.
 */
static void
t_subscriptions_after_delete(void)
{
	char	*body = NULL;

	free(harness_sql(&pg, "INSERT INTO notices (id, train_id, "
	    "subscription_id, format, alert) SELECT 'ntc_late', t.id, s.id, "
	    "'duty', '{}'::json FROM trains t, subscriptions s WHERE s.name = "
	    "'ktze' AND s.deleted_at IS NOT NULL AND t.id = (SELECT max(id) "
	    "FROM trains) RETURNING id"));
	CU_ASSERT(sql_is("SELECT state FROM notices WHERE id = 'ntc_late'",
	    "abandoned"));

	CU_ASSERT_EQUAL(put("ktze", "http://127.0.0.1:9/ktze2", KTZE), 200);
	CU_ASSERT_EQUAL(call(admin_token, "GET", "/v1/subscriptions/ktze",
	    NULL, &body), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "/ktze2\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"pending\":0"));
	free(body);
	CU_ASSERT(sql_is("SELECT count(*) FROM subscriptions WHERE name = "
	    "'ktze'", "2"));

	body = NULL;
	CU_ASSERT_EQUAL(call(admin_token, "DELETE", "/v1/subscriptions/rzd",
	    NULL, &body), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"abandoned\":0"));
	free(body);
	CU_ASSERT_EQUAL(call(admin_token, "DELETE", "/v1/subscriptions/rzd",
	    NULL, NULL), 404);
}

static CU_TestInfo subs_tests[] = {
	{ "t_subscriptions_list_no_secret", t_subscriptions_list_no_secret },
	{ "t_subscriptions_admin_only", t_subscriptions_admin_only },
	{ "t_subscriptions_delete_pending", t_subscriptions_delete_pending },
	{ "t_subscriptions_after_delete", t_subscriptions_after_delete },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_subscriptions", subs_suite_init, subs_suite_clean,
    subs_tests)
