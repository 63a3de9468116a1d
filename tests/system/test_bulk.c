/*
 * test_bulk.c -- several wagons resolved at once, and the approval's
 * preview (issue 18, item 5), against the real daemon and PostgreSQL.
 *
 * The bulk resolution (POST /v1/trains/{id}/wagons/resolution) is all or
 * nothing: every wagon resolved with one reason and one audit record
 * each, or -- when any is refused -- none, the problem naming each
 * refused wagon.  Its body is bounded and names each wagon once; the role
 * rules and the four-eyes proposals are one wagon's.  The preview (GET
 * /v1/trains/{id}/approval) says what approval would do, and approval
 * then does exactly that: the same wagons released and set out, the same
 * notices; an approval naming a preview's version is refused once the
 * decision changed.
 *
 * The trains: `railgate gen --wagons 55 --items 1000 --seed 6 --risk
 * 0,doc=0.2,seal=0.05` (a heavy shift: a 55-wagon train with 17
 * document checks and 4 wagons set out for inspection under the default
 * rule set, where a default train has two or three checks; the test
 * reads which wagons from the daemon, never assumes them), and fixtures/xml/four_eyes_x9101.xml (wagon 1 REFUSE, 2 HOLD,
 * 3 RELEASE) for the overrides.
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

#define W_IVORY		"315279550018"	/* X9101 rules: REFUSE */
#define W_SANCTION	"315279550026"	/* X9101 rules: HOLD */
#define W_CLEAR		"335279521132"	/* X9101 rules: RELEASE */
#define EYES		"X9102"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], auditor_token[64];
static char	sup1_token[64], sup2_token[64], admin_token[64];
static char	gen_train[32];		/* the generated train's number */

/* Posts body (len bytes) as a manifest; the status, the train into id. */
static int
post_manifest(const char *body, size_t len, const char *type, char *id,
    size_t idsize)
{
	struct harness_response	 r;
	char			 hdr[256], loc[128];
	int			 status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n"
	    "Content-Type: %s\r\n", operator_token, type);
	if (harness_http(dm.port, "POST", "/v1/manifests", hdr, body, len,
	    &r) < 0)
		return -1;
	status = r.status;
	if (id != NULL && harness_header(&r, "Location", loc, sizeof loc) !=
	    NULL && strncmp(loc, "/v1/trains/", 11) == 0)
		snprintf(id, idsize, "%.*s", (int)strcspn(loc + 11, "@/"),
		    loc + 11);
	harness_response_free(&r);
	return status;
}

/* The generated 55-wagon train, submitted and decided; 0 or -1. */
static int
submit_generated(void)
{
	char	 cmd[1024], path[512], *data;
	size_t	 len;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof path, "%s/bulk55.edi", dm.dir);
	snprintf(cmd, sizeof cmd, "%s/railgate gen --wagons 55 --items 1000 "
	    "--seed 6 --risk 0,doc=0.2,seal=0.05 --format edifact -o %s",
	    test_build_dir(), path);
	if (system(cmd) != 0 || (f = fopen(path, "rb")) == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = xmalloc((size_t)n + 1);
	len = fread(data, 1, (size_t)n, f);
	fclose(f);
	n = post_manifest(data, len, "application/EDIFACT", gen_train,
	    sizeof gen_train);
	free(data);
	return n == 202 && gen_train[0] != '\0' &&
	    officers_decided(&pg, gen_train) ? 0 : -1;
}

/* The four-eyes fixture as train EYES, submitted and decided; 0 or -1. */
static int
submit_eyes(void)
{
	char	*data, *p;
	size_t	 len;
	int	 status;

	data = test_read_fixture("xml/four_eyes_x9101.xml", &len);
	if ((p = strstr(data, "X9101")) != NULL)
		memcpy(p, EYES, 5);
	status = post_manifest(data, len, "application/xml", NULL, 0);
	free(data);
	return status == 202 && officers_decided(&pg, EYES) ? 0 : -1;
}

static int
bulk_suite_init(void)
{
	char	conf[2048];
	int	s1, s2;

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[notices]\nallow_private_endpoints = "
	    "yes\n", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.bulk", officer_token) < 0 ||
	    harness_token(&pg, "auditor", "a.audit", auditor_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup1_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.two", sup2_token) < 0 ||
	    harness_token(&pg, "admin", "a.admin", admin_token) < 0)
		return -1;
	/* Two operators; nothing listens: the notices are only queued. */
	s1 = officers_call(dm.port, admin_token, "PUT", "/v1/subscriptions/ktze",
	    "{\"url\":\"http://127.0.0.1:9/hooks\",\"formats\":[\"json\"],"
	    "\"carriers\":[\"KZ-KTZE\",\"CN-CRCT\"],"
	    "\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}", NULL);
	s2 = officers_call(dm.port, admin_token, "PUT", "/v1/subscriptions/rzd",
	    "{\"url\":\"http://127.0.0.1:9/rzd\",\"formats\":[\"json\","
	    "\"cusres\"],\"recipient\":\"RZD\","
	    "\"carriers\":[\"KZ-KTZE\",\"CN-CRCT\"],\"secret\":"
	    "\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}", NULL);
	if (s1 != 200 || s2 != 200) {
		fprintf(stderr, "subscriptions: %d %d\n", s1, s2);
		return -1;
	}
	return submit_generated() < 0 || submit_eyes() < 0 ? -1 : 0;
}

static int
bulk_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* POST the bulk resolution body json to train as token. */
static int
bulk(const char *token, const char *train, const char *json, char **body)
{
	char	path[128];

	snprintf(path, sizeof path, "/v1/trains/%s/wagons/resolution", train);
	return officers_call(dm.port, token, "POST", path, json, body);
}

/* GET the approval preview of train as token; the parsed answer or NULL. */
static json_t *
preview(const char *token, const char *train, int *status)
{
	char	 path[128], *body = NULL;
	json_t	*o;

	snprintf(path, sizeof path, "/v1/trains/%s/approval", train);
	*status = officers_call(dm.port, token, "GET", path, NULL, &body);
	o = body != NULL ? json_loads(body, 0, NULL) : NULL;
	if (*status != 200)
		fprintf(stderr, "\npreview %s: %d %s\n", train, *status,
		    body != NULL ? body : "");
	free(body);
	return o;
}

/* The wagons of train now at action, in train order, as a JSON array. */
static json_t *
wagons_at(const char *train, const char *action)
{
	char	*v = officers_sql(&pg, "SELECT coalesce(json_agg(w.number ORDER "
	    "BY w.position), '[]') FROM wagons w JOIN trains t ON t.id = "
	    "w.train_id WHERE t.train_no = '%s' AND coalesce(upper("
	    "w.resolution), w.action) = '%s'", train, action);
	json_t	*a = json_loads(v, 0, NULL);

	free(v);
	return a;
}

/* The body {"wagons": the first n of a, "action", "reason"} (owned). */
static char *
bulk_body(json_t *a, size_t n, const char *action, const char *reason)
{
	json_t	*w = json_array(), *o;
	char	*s;
	size_t	 i;

	for (i = 0; i < n && i < json_array_size(a); i++)
		json_array_append(w, json_array_get(a, i));
	o = json_pack("{s:o,s:s,s:s}", "wagons", w, "action", action,
	    "reason", reason);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* How many officers' actions and audit records there are. */
static long
changes(void)
{
	char	*v = officers_sql(&pg, "SELECT (SELECT count(*) FROM "
	    "officer_actions) + (SELECT count(*) FROM audit_log)");
	long	 n = atol(v);

	free(v);
	return n;
}

/* Bad bodies: 422 naming the member, nothing changed. */
static void
t_bulk_bad_bodies(void)
{
	static const struct { const char *json, *says; } bad[] = {
		{ "{\"action\":\"release\",\"reason\":\"papers\"}",
		    "array of the wagon numbers" },
		{ "{\"wagons\":[],\"action\":\"release\",\"reason\":\"papers\"}",
		    "at least one" },
		{ "{\"wagons\":[7],\"action\":\"release\",\"reason\":\"p\"}",
		    "wagons[0]" },
		{ "{\"wagons\":[\"1\\n2\"],\"action\":\"release\",\"reason\":"
		    "\"p\"}", "wagons[0]" },
		{ "{\"wagons\":[\"A\",\"B\",\"A\"],\"action\":\"release\","
		    "\"reason\":\"p\"}", "wagons[2] names wagon A, as wagons[0]" },
		{ "{\"wagons\":[\"A\"],\"reason\":\"papers\"}",
		    "must be release, inspect" },
		{ "{\"wagons\":[\"A\"],\"action\":\"approve\",\"reason\":\"p\"}",
		    "must be release, inspect" },
		{ "{\"wagons\":[\"A\"],\"action\":\"release\"}",
		    "Reason required" },
	};
	struct buf	 many = { 0 };
	char		*body = NULL;
	long		 before = changes();
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		CU_ASSERT_EQUAL(bulk(officer_token, gen_train, bad[i].json,
		    &body), 422);
		if (body == NULL || strstr(body, bad[i].says) == NULL)
			fprintf(stderr, "\nbad body %zu: %s\n", i, body);
		CU_ASSERT_PTR_NOT_NULL(body != NULL ? strstr(body, bad[i].says) :
		    NULL);
		free(body);
	}
	/* Too many: 201 distinct numbers. */
	buf_printf(&many, "{\"action\":\"release\",\"reason\":\"p\",\"wagons\":[");
	for (i = 0; i < 201; i++)
		buf_printf(&many, "%s\"%012zu\"", i > 0 ? "," : "", i);
	buf_printf(&many, "]}");
	CU_ASSERT_EQUAL(bulk(officer_token, gen_train, many.data, &body), 422);
	CU_ASSERT_PTR_NOT_NULL(body != NULL ? strstr(body, "at most 200") :
	    NULL);
	free(body);
	buf_free(&many);
	/* Roles the route does not list. */
	CU_ASSERT_EQUAL(bulk(auditor_token, gen_train, "{\"wagons\":[\"A\"],"
	    "\"action\":\"release\",\"reason\":\"p\"}", NULL), 403);
	CU_ASSERT_EQUAL(bulk(operator_token, gen_train, "{\"wagons\":[\"A\"],"
	    "\"action\":\"release\",\"reason\":\"p\"}", NULL), 403);
	CU_ASSERT_EQUAL(bulk(officer_token, "X0000", "{\"wagons\":[\"A\"],"
	    "\"action\":\"release\",\"reason\":\"p\"}", NULL), 404);
	CU_ASSERT_EQUAL(changes(), before);
}

/*
 * One wagon the train does not have among twelve document checks:
 * nothing is resolved, and the problem names that wagon.
 */
static void
t_bulk_one_refused_none_applied(void)
{
	json_t	*dc = wagons_at(gen_train, "DOC_CHECK"), *p, *r;
	char	*json, *body = NULL;
	long	 before = changes();

	CU_ASSERT_FATAL(json_array_size(dc) >= 14);
	json_array_insert_new(dc, 5, json_string("999999999999"));
	json = bulk_body(dc, 13, "release", "documents presented");
	CU_ASSERT_EQUAL(bulk(officer_token, gen_train, json, &body), 404);
	p = json_loads(body != NULL ? body : "", 0, NULL);
	r = json_object_get(p, "refused");
	CU_ASSERT_EQUAL(json_array_size(r), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(r, 0), "wagon")), "999999999999");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(p,
	    "detail")), "999999999999"));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(p, "status")), 404);
	CU_ASSERT_EQUAL(changes(), before);
	json_decref(p);
	free(body);
	free(json);
	json_decref(dc);
	dc = wagons_at(gen_train, "DOC_CHECK");
	CU_ASSERT(json_array_size(dc) >= 14);	/* every one still waits */
	json_decref(dc);
}

/*
 * Twelve document checks released at once with one reason: each wagon
 * released, one audit record each with that reason, and the answer lists
 * them in train order.
 */
static void
t_bulk_twelve_applied(void)
{
	json_t	*dc = wagons_at(gen_train, "DOC_CHECK"), *r, *w;
	char	*json, *body = NULL, *v;
	size_t	 i, before;

	before = json_array_size(dc);
	CU_ASSERT_FATAL(before >= 14);
	json = bulk_body(dc, 12, "release", "documents presented for wagons "
	    "1-12");
	CU_ASSERT_EQUAL(bulk(officer_token, gen_train, json, &body), 200);
	r = json_loads(body != NULL ? body : "", 0, NULL);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "count")), 12);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "resolved")), 12);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "proposed")), 0);
	json_array_foreach(json_object_get(r, "wagons"), i, w) {
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(w,
		    "wagon")), json_string_value(json_array_get(dc, i)));
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(w,
		    "action")), "RELEASE");
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(w,
		    "previous")), "DOC_CHECK");
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(w,
		    "outcome")), "done");
		OFFICERS_CHECK_SQL(&pg, "RELEASE", OFFICERS_WAGON_NOW,
		    gen_train, json_string_value(json_array_get(dc, i)));
	}
	json_decref(r);
	/* The auditor sees each wagon's resolution. */
	v = officers_sql(&pg, "SELECT count(DISTINCT details::json->>'wagon') "
	    "FROM audit_log WHERE action = 'wagon.release' AND actor = "
	    "'o.bulk' AND details::json->>'reason' = 'documents presented "
	    "for wagons 1-12'");
	CU_ASSERT_STRING_EQUAL(v, "12");
	free(v);
	json_decref(dc);
	dc = wagons_at(gen_train, "DOC_CHECK");
	CU_ASSERT_EQUAL(json_array_size(dc), before - 12);
	json_decref(dc);
	free(json);
	free(body);
}

/* Names of the wagons of a preview's list a, sorted, as one string. */
static char *
names(json_t *a)
{
	struct buf	 b = { 0 };
	json_t		*w;
	size_t		 i;

	json_array_foreach(a, i, w)
		buf_printf(&b, "%s%s", i > 0 ? "," : "",
		    json_string_value(json_object_get(w, "wagon")));
	if (b.data == NULL)
		buf_printf(&b, "%s", "");
	return b.data;
}

/*
 * The preview: refused while document checks wait (naming them), then,
 * once the rest are set out at once, what approval does -- and approval
 * does exactly that.  An approval of a stale version is refused.
 */
static void
t_bulk_preview_matches_approval(void)
{
	json_t	*p, *dc, *ref;
	char	*json, *body = NULL, *v, *want, appr[512];
	int	 status;

	p = preview(officer_token, gen_train, &status);
	CU_ASSERT_EQUAL_FATAL(status, 200);
	dc = wagons_at(gen_train, "DOC_CHECK");
	CU_ASSERT_FATAL(json_array_size(dc) >= 2);
	CU_ASSERT(json_is_false(json_object_get(p, "may_approve")));
	ref = json_object_get(p, "refusal");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(ref, "status")), 409);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(p, "pending")),
	    json_array_size(dc));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(p,
	    "counts"), "doc_check")), (json_int_t)json_array_size(dc));
	json_decref(p);
	/* The auditor may read the preview, never approve. */
	p = preview(auditor_token, gen_train, &status);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(p,
	    "refusal"), "status")), 403);
	json_decref(p);

	/* The remaining checks set out at once. */
	json = bulk_body(dc, json_array_size(dc), "inspect", "papers missing: "
	    "inspect at the platform");
	CU_ASSERT_EQUAL(bulk(officer_token, gen_train, json, NULL), 200);
	free(json);
	json_decref(dc);

	p = preview(officer_token, gen_train, &status);
	CU_ASSERT_EQUAL_FATAL(status, 200);
	CU_ASSERT(json_is_true(json_object_get(p, "may_approve")));
	CU_ASSERT(json_is_null(json_object_get(p, "refusal")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "outcome")),
	    "PARTIAL_RELEASE");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(p, "pending")), 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(p, "released")) +
	    json_array_size(json_object_get(p, "set_out")), 55);
	v = json_dumps(json_object_get(p, "notices"), JSON_COMPACT);
	CU_ASSERT_STRING_EQUAL(v, "[{\"subscription\":\"ktze\",\"format\":"
	    "\"json\"},{\"subscription\":\"rzd\",\"format\":\"cusres\"},"
	    "{\"subscription\":\"rzd\",\"format\":\"json\"}]");
	free(v);

	/* A stale version: a wagon changed since the preview (a set-out
	 * one released, a change in any train; the first RELEASE wagon
	 * released again was one only while most wagons were resolved
	 * document checks). */
	dc = wagons_at(gen_train, "INSPECT");
	CU_ASSERT_FATAL(json_array_size(dc) >= 3);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, gen_train,
	    json_string_value(json_array_get(dc, 0)), "release", NULL), 200);
	json_decref(dc);
	snprintf(appr, sizeof appr, "/v1/trains/%s/approve", gen_train);
	json = xasprintf("{\"reason\":\"reviewed\",\"version\":\"%s\"}",
	    json_string_value(json_object_get(p, "version")));
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "POST", appr,
	    json, &body), 409);
	CU_ASSERT_PTR_NOT_NULL(body != NULL ? strstr(body, "Decision changed") :
	    NULL);
	free(body);
	free(json);
	OFFICERS_CHECK_SQL(&pg, "0", "SELECT count(*) FROM notices WHERE "
	    "format <> 'provisional'");
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "POST", appr,
	    "{\"reason\":\"r\",\"version\":7}", NULL), 422);
	json_decref(p);

	/* The fresh preview, approved under its version. */
	p = preview(officer_token, gen_train, &status);
	CU_ASSERT_EQUAL_FATAL(status, 200);
	json = xasprintf("{\"reason\":\"reviewed\",\"version\":\"%s\"}",
	    json_string_value(json_object_get(p, "version")));
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "POST", appr,
	    json, NULL), 200);
	free(json);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, gen_train);
	/* The same wagons released and set out, the same notices. */
	want = names(json_object_get(p, "released"));
	v = officers_sql(&pg, "SELECT coalesce(string_agg(w.number, ',' ORDER "
	    "BY w.position), '') FROM wagons w JOIN trains t ON t.id = "
	    "w.train_id WHERE t.train_no = '%s' AND w.action IN ('RELEASE', "
	    "'AUDIT')", gen_train);
	CU_ASSERT_STRING_EQUAL(v, want);
	free(v);
	free(want);
	want = names(json_object_get(p, "set_out"));
	v = officers_sql(&pg, "SELECT coalesce(string_agg(w.number, ',' ORDER "
	    "BY w.position), '') FROM wagons w JOIN trains t ON t.id = "
	    "w.train_id WHERE t.train_no = '%s' AND w.action IN ('INSPECT', "
	    "'HOLD', 'REFUSE')", gen_train);
	CU_ASSERT_STRING_EQUAL(v, want);
	free(v);
	free(want);
	v = officers_sql(&pg, "SELECT json_agg(json_build_object('subscription',"
	    " s.name, 'format', n.format) ORDER BY s.name, n.format)::text FROM "
	    "notices n JOIN subscriptions s ON s.id = n.subscription_id "
	    "WHERE n.format <> 'provisional'");
	want = json_dumps(json_object_get(p, "notices"), JSON_COMPACT);
	json_decref(p);
	p = json_loads(v, 0, NULL);
	free(v);
	v = json_dumps(p, JSON_COMPACT);
	CU_ASSERT_STRING_EQUAL(v, want);
	free(v);
	free(want);
	json_decref(p);

	/* After approval, two set-out wagons released at once: the final
	 * decision is amended once, for both. */
	dc = wagons_at(gen_train, "INSPECT");
	CU_ASSERT_FATAL(json_array_size(dc) >= 2);
	json = bulk_body(dc, 2, "release", "inspected: nothing found");
	CU_ASSERT_EQUAL(bulk(officer_token, gen_train, json, NULL), 200);
	free(json);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log WHERE "
	    "action = 'decision.final_amended'");
	OFFICERS_CHECK_SQL(&pg, "RELEASE,RELEASE", "SELECT string_agg(w.action, "
	    "',') FROM wagons w WHERE w.number IN ('%s', '%s')",
	    json_string_value(json_array_get(dc, 0)),
	    json_string_value(json_array_get(dc, 1)));
	OFFICERS_CHECK_SQL(&pg, "t", "SELECT decision_final FROM trains WHERE "
	    "train_no = '%s'", gen_train);
	json_decref(dc);
}

/*
 * The role rules and four eyes, per wagon, in bulk: an officer cannot
 * lower rules-HOLD or REFUSE wagons (403, both named, nothing changed); a
 * supervisor's release of a rules-HOLD wagon is only proposed, beside a
 * wagon really resolved; a supervisor cannot lower the hold they set;
 * the preview says who may approve and which overrides it confirms.
 */
static void
t_bulk_roles_and_four_eyes(void)
{
	json_t	*p, *r;
	char	*body = NULL, *v;
	long	 before = changes();
	int	 status;

	CU_ASSERT_EQUAL(bulk(officer_token, EYES, "{\"wagons\":[\"" W_SANCTION
	    "\",\"" W_IVORY "\",\"" W_CLEAR "\"],\"action\":\"release\","
	    "\"reason\":\"papers in order\"}", &body), 403);
	p = json_loads(body != NULL ? body : "", 0, NULL);
	r = json_object_get(p, "refused");
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	/* In train order: the ivory's wagon is first. */
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(r, 0), "wagon")), W_IVORY);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(r, 1), "title")), "Supervisor needed");
	json_decref(p);
	free(body);
	CU_ASSERT_EQUAL(changes(), before);

	/* A supervisor holds the clear wagon; their release of the rules'
	 * HOLD is only proposed. */
	CU_ASSERT_EQUAL(bulk(sup1_token, EYES, "{\"wagons\":[\"" W_CLEAR
	    "\"],\"action\":\"hold\",\"reason\":\"seal broken\"}", NULL),
	    200);
	CU_ASSERT_EQUAL(bulk(sup1_token, EYES, "{\"wagons\":[\"" W_SANCTION
	    "\"],\"action\":\"release\",\"reason\":\"consignor cleared by "
	    "the ministry\"}", &body), 202);
	p = json_loads(body != NULL ? body : "", 0, NULL);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(p, "proposed")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(json_object_get(p, "wagons"), 0), "outcome")),
	    "proposed");
	json_decref(p);
	free(body);
	OFFICERS_CHECK_SQL(&pg, "RELEASE/s.one", "SELECT upper(proposed_action) "
	    "|| '/' || proposed_by FROM wagons WHERE number = '" W_SANCTION "'");
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, EYES, W_SANCTION);

	/* s.one set the clear wagon out: not theirs to lower. */
	CU_ASSERT_EQUAL(bulk(sup1_token, EYES, "{\"wagons\":[\"" W_CLEAR
	    "\"],\"action\":\"release\",\"reason\":\"mine\"}", &body), 403);
	CU_ASSERT_PTR_NOT_NULL(body != NULL ? strstr(body, "Four eyes") : NULL);
	free(body);
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, EYES, W_CLEAR);
	/* A wagon awaiting confirmation takes nothing else, in bulk either. */
	CU_ASSERT_EQUAL(bulk(sup2_token, EYES, "{\"wagons\":[\"" W_CLEAR
	    "\",\"" W_SANCTION "\"],\"action\":\"release\",\"reason\":"
	    "\"y\"}", &body), 409);
	CU_ASSERT_PTR_NOT_NULL(body != NULL ? strstr(body, "1 of 2 wagons") :
	    NULL);
	free(body);
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, EYES, W_CLEAR);

	/* The preview: the proposer may not approve; another supervisor
	 * confirms the override by approving. */
	p = preview(sup1_token, EYES, &status);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT(json_is_false(json_object_get(p, "may_approve")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(p,
	    "refusal"), "status")), 403);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(p, "overrides")), 1);
	json_decref(p);
	p = preview(sup2_token, EYES, &status);
	CU_ASSERT(json_is_true(json_object_get(p, "may_approve")));
	CU_ASSERT(json_is_true(json_object_get(p, "confirms_overrides")));
	v = names(json_object_get(p, "released"));
	CU_ASSERT_STRING_EQUAL(v, W_SANCTION);
	free(v);
	json_decref(p);
	CU_ASSERT_EQUAL(officers_approve(dm.port, sup2_token, EYES, NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "RELEASE", OFFICERS_WAGON_NOW, EYES, W_SANCTION);
	OFFICERS_CHECK_SQL(&pg, "s.two", "SELECT confirmed_by FROM wagons "
	    "WHERE number = '" W_SANCTION "'");
}

static CU_TestInfo bulk_tests[] = {
	{ "t_bulk_bad_bodies", t_bulk_bad_bodies },
	{ "t_bulk_one_refused_none_applied", t_bulk_one_refused_none_applied },
	{ "t_bulk_twelve_applied", t_bulk_twelve_applied },
	{ "t_bulk_preview_matches_approval", t_bulk_preview_matches_approval },
	{ "t_bulk_roles_and_four_eyes", t_bulk_roles_and_four_eyes },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_bulk", bulk_suite_init, bulk_suite_clean, bulk_tests)
