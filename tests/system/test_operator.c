/*
 * test_operator.c -- a railway operator's own trains (issue 20, item 1;
 * docs/operator.md): two carriers' trains in one station, each
 * operator's token reading, posting events and sending manifests for its
 * own only.  Another carrier's train answers as one that does not exist;
 * the operator's view names wagons, actions, the set-out list and the
 * documents asked for, and nothing of the rules behind them.
 *
 * Carrier A is KZ-KTZE (fixtures/xml/four_eyes_x9101.xml: wagon 1
 * REFUSE, wagon 2 HOLD, both with DOC_CHECK hits asking for 853 and 851;
 * fixtures/edifact/cuscar_s3_alashankou.edi, X8024), carrier B CN-CRCT
 * (fixtures/xml/cuscar_s4_unoy.xml, X9403).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	op_a[64], op_b[64], op_mn[64], op_none[64], officer[64];

/* One request with token; the response in *r (caller frees). */
static int
call(const char *method, const char *path, const char *token,
    const char *body, size_t len, struct harness_response *r)
{
	char	hdr[128];

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(dm.port, method, path, hdr, body, len, r) < 0)
		return -1;
	return r->status;
}

/* GETs path as token: the status, the body parsed into *j (or NULL). */
static int
get_json(const char *path, const char *token, json_t **j)
{
	struct harness_response	r;
	int			status = call("GET", path, token, NULL, 0, &r);

	if (status < 0)
		return -1;
	*j = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	return status;
}

/* Posts fixture rel, its train number "X8060" changed to rename when
 * given ("FROM>TO" changes FROM, five characters, to TO). */
static int
post_fixture(const char *rel, const char *token, const char *rename,
    struct harness_response *r)
{
	size_t		 len;
	char		*data = test_read_fixture(rel, &len), *p, from[6] = "X8060";
	const char	*to = rename;
	int		 status;

	if (rename != NULL && strchr(rename, '>') != NULL) {
		snprintf(from, sizeof from, "%s", rename);
		to = strchr(rename, '>') + 1;
	}
	for (p = data; to != NULL && (p = strstr(p, from)) != NULL; p++)
		memcpy(p, to, 5);
	status = call("POST", "/v1/manifests", token, data, len, r);
	free(data);
	return status;
}

static int
operator_suite_init(void)
{
	static const char *const fixtures[] = { "xml/four_eyes_x9101.xml",
	    "edifact/cuscar_s3_alashankou.edi", "xml/cuscar_s4_unoy.xml" };
	struct harness_response	 r;
	const char		*tok;
	size_t			 i;

	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token_carriers(&pg, "operator", "op.ktze", "{KZ-KTZE}",
	    op_a) < 0 || harness_token_carriers(&pg, "operator", "op.crct",
	    "{CN-CRCT}", op_b) < 0 || harness_token_carriers(&pg, "operator",
	    "op.ubtz", "{MN-UBTZ}", op_mn) < 0 ||
	    harness_token_carriers(&pg, "operator", "op.none", "{}",
	    op_none) < 0 || harness_token(&pg, "officer", "o.officer",
	    officer) < 0)
		return -1;
	for (i = 0; i < nitems(fixtures); i++) {
		tok = i < 2 ? op_a : op_b;
		if (post_fixture(fixtures[i], tok, NULL, &r) != 202) {
			fprintf(stderr, "operator: %s: %d %s\n", fixtures[i],
			    r.status, r.body);
			harness_response_free(&r);
			return -1;
		}
		harness_response_free(&r);
	}
	return harness_wait_sql(&pg, "SELECT count(*) FROM trains WHERE "
	    "decision IS NOT NULL AND NOT eval_needed", "3", 20000) ? 0 : -1;
}

static int
operator_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* The train numbers of a list, space-separated and sorted by the list. */
static void
list_trains(const char *token, char *out, size_t size)
{
	json_t	*j, *x;
	size_t	 i, n = 0;

	out[0] = '\0';
	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains", token, &j), 200);
	CU_ASSERT_TRUE_FATAL(json_is_array(j));
	json_array_foreach(j, i, x)
		n += (size_t)snprintf(out + n, size - n, "%s%s", n > 0 ? " " : "",
		    json_string_value(json_object_get(x, "train")));
	json_decref(j);
}

/* Each operator lists its own carrier's trains; one bound to none, none. */
static void
t_operator_list_own_only(void)
{
	char	list[256];

	list_trains(op_a, list, sizeof list);
	CU_ASSERT_PTR_NOT_NULL(strstr(list, "X9101"));
	CU_ASSERT_PTR_NOT_NULL(strstr(list, "X8024"));
	CU_ASSERT_PTR_NULL(strstr(list, "X9403"));
	list_trains(op_b, list, sizeof list);
	CU_ASSERT_STRING_EQUAL(list, "X9403");
	list_trains(op_none, list, sizeof list);
	CU_ASSERT_STRING_EQUAL(list, "");
	/* The officers' list is every train's, as before. */
	list_trains(officer, list, sizeof list);
	CU_ASSERT_PTR_NOT_NULL(strstr(list, "X9403"));
	CU_ASSERT_PTR_NOT_NULL(strstr(list, "X9101"));
}

/* A problem document without the members naming the request. */
static json_t *
problem_core(const char *body)
{
	json_t	*j = json_loads(body, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_object_del(j, "instance");
	json_object_del(j, "request_id");
	return j;
}

/* The same answer for a train that is another carrier's and for none. */
static void
assert_same_404(const char *method, const char *other, const char *none,
    const char *token, const char *body)
{
	struct harness_response	 a, b;
	json_t			*ja, *jb;
	size_t			 len = body != NULL ? strlen(body) : 0;

	CU_ASSERT_EQUAL_FATAL(call(method, other, token, body, len, &a), 404);
	CU_ASSERT_EQUAL_FATAL(call(method, none, token, body, len, &b), 404);
	ja = problem_core(a.body);
	jb = problem_core(b.body);
	if (!json_equal(ja, jb)) {
		fprintf(stderr, "\n%s\n%s\n", a.body, b.body);
		CU_FAIL("another carrier's train answers as none");
	}
	json_decref(ja);
	json_decref(jb);
	harness_response_free(&a);
	harness_response_free(&b);
}

/* Another carrier's train is 404, exactly as a train that does not exist. */
static void
t_operator_other_carrier_404(void)
{
	json_t	*j;

	assert_same_404("GET", "/v1/trains/X9403", "/v1/trains/Z0000", op_a,
	    NULL);
	assert_same_404("GET", "/v1/trains/X9403@1", "/v1/trains/Z0000@1",
	    op_a, NULL);
	assert_same_404("GET", "/v1/trains/X9101", "/v1/trains/Z0000", op_b,
	    NULL);
	assert_same_404("GET", "/v1/trains/X9101", "/v1/trains/Z0000", op_none,
	    NULL);
	CU_ASSERT_EQUAL(get_json("/v1/trains/X9403", op_b, &j), 200);
	json_decref(j);
	/* The other reads stay the officers' and auditors'. */
	CU_ASSERT_EQUAL(get_json("/v1/trains/X9101/decision", op_a, &j), 403);
	json_decref(j);
}

/* The wagon at position pos of a view's array member. */
static json_t *
at_position(json_t *view, const char *member, int pos)
{
	json_t	*x;
	size_t	 i;

	json_array_foreach(json_object_get(view, member), i, x)
		if (json_integer_value(json_object_get(x, "position")) == pos)
			return x;
	return NULL;
}

static const char *
str(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "(none)";
}

/* The view: wagons with actions, the set-out list, the documents asked. */
static void
t_operator_view_of_own_train(void)
{
	json_t	*j, *w, *d;

	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains/X9101", op_a, &j), 200);
	CU_ASSERT_STRING_EQUAL(str(j, "train"), "X9101");
	CU_ASSERT_STRING_EQUAL(str(j, "carrier"), "KZ-KTZE");
	CU_ASSERT_STRING_EQUAL(str(j, "decision"), "PARTIAL_RELEASE");
	CU_ASSERT_TRUE(json_is_false(json_object_get(j, "final")));
	CU_ASSERT_TRUE(json_is_object(json_object_get(j, "clock")));
	CU_ASSERT_EQUAL_FATAL(json_array_size(json_object_get(j, "wagons")), 3);
	w = at_position(j, "wagons", 1);
	CU_ASSERT_STRING_EQUAL(str(w, "wagon"), "315279550018");
	CU_ASSERT_STRING_EQUAL(str(w, "action"), "REFUSE");
	CU_ASSERT_TRUE(json_is_true(json_object_get(w, "set_out")));
	CU_ASSERT_TRUE(json_array_size(json_object_get(w, "containers")) > 0);
	CU_ASSERT_STRING_EQUAL(str(at_position(j, "wagons", 2), "action"),
	    "HOLD");
	w = at_position(j, "wagons", 3);
	CU_ASSERT_STRING_EQUAL(str(w, "action"), "RELEASE");
	CU_ASSERT_TRUE(json_is_false(json_object_get(w, "set_out")));
	/* The set-out list: positions 1 and 2, in train order. */
	CU_ASSERT_EQUAL_FATAL(json_array_size(json_object_get(j, "set_out")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(
	    json_object_get(j, "set_out"), 0), "position")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(
	    json_object_get(j, "set_out"), 1), "position")), 2);
	/* The documents asked: 853 for wagon 1's consignment, 851 for 2's. */
	d = at_position(j, "documents_requested", 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(str(d, "consignment"), "SMGS 24170088");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(
	    json_object_get(d, "documents"), 0)), "853");
	d = at_position(j, "documents_requested", 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(str(d, "consignment"), "SMGS 24170091");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "item")), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(
	    json_object_get(d, "documents"), 0)), "851");
	json_decref(j);
	/* X8024: a wagon at DOC_CHECK is asked for 851 and not set out. */
	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains/X8024", op_a, &j), 200);
	CU_ASSERT_STRING_EQUAL(str(at_position(j, "wagons", 2), "action"),
	    "DOC_CHECK");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "set_out")), 0);
	d = at_position(j, "documents_requested", 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(
	    json_object_get(d, "documents"), 0)), "851");
	json_decref(j);
}

/* Fails when text holds s (a rule id, a reason, ...) from the officer's. */
static void
assert_absent(const char *text, const char *what, const char *s)
{
	if (s != NULL && *s != '\0' && strstr(text, s) != NULL) {
		fprintf(stderr, "\nthe operator's view holds %s \"%s\"\n", what,
		    s);
		CU_FAIL("confidential text in the operator's view");
	}
}

/* Every rule id, reason and would_pass_if of hits, absent from text. */
static int
assert_hits_absent(const char *text, json_t *hits)
{
	json_t		*h, *v;
	const char	*k;
	size_t		 i;
	int		 n = 0;

	json_array_foreach(hits, i, h) {
		assert_absent(text, "rule", str(h, "rule"));
		assert_absent(text, "reason", str(h, "reason"));
		assert_absent(text, "would_pass_if",
		    json_string_value(json_object_get(h, "would_pass_if")));
		json_object_foreach(json_object_get(h, "reasons"), k, v)
			assert_absent(text, "translated reason",
			    json_string_value(v));
		n++;
	}
	return n;
}

/*
 * Nothing customs keeps confidential: none of the rule ids, reasons,
 * translations of the officer's decision document of the same train, no
 * member that would carry them, no officer's name.
 */
static void
t_operator_view_confidential(void)
{
	static const char *const members[] = { "\"rule", "\"reason",
	    "\"hits\"", "\"score", "would_pass_if", "\"screening",
	    "\"resolved_by\"", "\"proposals\"", "\"random", "ruleset",
	    "\"diagnostics\"", "\"audit" };
	struct harness_response	 r;
	json_t			*dec, *w;
	size_t			 i;
	int			 n = 0;

	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains/X9101/decision", officer,
	    &dec), 200);
	CU_ASSERT_EQUAL_FATAL(call("GET", "/v1/trains/X9101", op_a, NULL, 0,
	    &r), 200);
	json_array_foreach(json_object_get(dec, "wagons"), i, w)
		n += assert_hits_absent(r.body, json_object_get(w, "hits"));
	n += assert_hits_absent(r.body, json_object_get(dec, "train_hits"));
	CU_ASSERT(n >= 4);	/* the test saw the hits it checks */
	for (i = 0; i < nitems(members); i++)
		assert_absent(r.body, "member", members[i]);
	/* The screening hit's party and list stay customs'. */
	assert_absent(r.body, "party", "Timur");
	assert_absent(r.body, "list", "sanctioned");
	json_decref(dec);
	harness_response_free(&r);
}

/* The officers' view of the same train is theirs, unchanged. */
static void
t_operator_officer_view_unchanged(void)
{
	json_t	*j, *w;

	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains/X9101", officer, &j), 200);
	w = json_array_get(json_object_get(j, "wagons"), 0);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(w, "rules_action"));
	CU_ASSERT_PTR_NOT_NULL(json_object_get(j, "proposals"));
	CU_ASSERT_PTR_NULL(json_object_get(j, "documents_requested"));
	CU_ASSERT_TRUE(json_is_true(json_object_get(j, "green_lane")) ||
	    json_is_false(json_object_get(j, "green_lane")));
	json_decref(j);
}

/* Events: to its own carriers' trains only; another's is 404 as none. */
static void
t_operator_events_own_only(void)
{
	static const char pos[] =
	    "{\"type\":\"position\",\"eta\":\"2026-11-22T13:05:00Z\"}";
	struct harness_response	 r;
	char			*n;

	assert_same_404("POST", "/v1/trains/X9403/events",
	    "/v1/trains/Z0000/events", op_a, pos);
	assert_same_404("POST", "/v1/trains/X9101/events",
	    "/v1/trains/Z0000/events", op_none, pos);
	n = harness_sql(&pg, "SELECT count(*) FROM events e JOIN trains t ON "
	    "t.id = e.train_id WHERE t.train_no = 'X9403'");
	CU_ASSERT_STRING_EQUAL(n, "0");
	free(n);
	/* An operator's position announces no train. */
	n = harness_sql(&pg, "SELECT count(*) FROM trains WHERE train_no = "
	    "'Z0000'");
	CU_ASSERT_STRING_EQUAL(n, "0");
	free(n);
	CU_ASSERT_EQUAL(call("POST", "/v1/trains/X9101/events", op_a, pos,
	    strlen(pos), &r), 202);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(call("POST", "/v1/trains/X9403/events", op_b, pos,
	    strlen(pos), &r), 202);
	harness_response_free(&r);
}

/* X9403's manifest, state and events as stored: what must not change. */
static char *
x9403_row(void)
{
	return harness_sql(&pg, "SELECT manifest_id || ' ' || state || ' ' || "
	    "carrier_id || ' ' || updated_at || ' ' || (SELECT count(*) FROM "
	    "trains WHERE train_no = 'X9403') FROM trains WHERE train_no = "
	    "'X9403' ORDER BY run DESC LIMIT 1");
}

/* A manifest naming another carrier, or none: 403, stored refused. */
static void
t_operator_manifest_other_carrier(void)
{
	struct harness_response	 r;
	json_t			*j;
	char			*before, *after, *n;

	before = x9403_row();
	CU_ASSERT_EQUAL_FATAL(post_fixture("xml/cuscar_s4_unoy.xml", op_a, NULL,
	    &r), 403);
	j = json_loads(r.body, 0, NULL);
	CU_ASSERT_STRING_EQUAL(str(j, "field"), "train.carrier.id");
	CU_ASSERT_STRING_EQUAL(str(j, "carrier"), "CN-CRCT");
	CU_ASSERT_PTR_NOT_NULL(strstr(str(j, "detail"), "KZ-KTZE"));
	json_decref(j);
	harness_response_free(&r);
	after = x9403_row();
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	/* Stored as refused, as an unreadable manifest is. */
	n = harness_sql(&pg, "SELECT count(*) FROM manifests WHERE principal "
	    "= 'op.ktze' AND NOT accepted AND outcome = 'forbidden' AND "
	    "train_no = 'X9403'");
	CU_ASSERT_STRING_EQUAL(n, "1");
	free(n);
	n = harness_sql(&pg, "SELECT count(*) FROM audit_log WHERE actor = "
	    "'op.ktze' AND action = 'manifest.rejected'");
	CU_ASSERT_STRING_EQUAL(n, "1");
	free(n);
	/* Bound to no carrier: nothing is for it. */
	CU_ASSERT_EQUAL(post_fixture("edifact/cuscar_s3_alashankou.edi",
	    op_none, NULL, &r), 403);
	harness_response_free(&r);
}

/*
 * A replacement naming no carrier is for the run it replaces: from
 * another carrier's operator, the answer of a train with no manifest,
 * word for word; from the run's own, accepted, the carrier kept.
 */
static void
t_operator_replacement_scope(void)
{
	struct harness_response	 a, b;
	json_t			*ja, *jb;
	char			*n;

	CU_ASSERT_EQUAL_FATAL(post_fixture("edifact/cuscar_original_erenhot.edi",
	    op_mn, NULL, &a), 202);
	harness_response_free(&a);
	CU_ASSERT_EQUAL_FATAL(post_fixture("edifact/cuscar_replace.edi", op_a,
	    NULL, &a), 409);
	CU_ASSERT_EQUAL_FATAL(post_fixture("edifact/cuscar_replace.edi", op_a,
	    "X8069", &b), 409);
	ja = problem_core(a.body);
	jb = problem_core(b.body);
	json_object_del(ja, "manifest");
	json_object_del(jb, "manifest");
	CU_ASSERT_STRING_EQUAL(str(ja, "detail"),
	    "train X8060 has no manifest to replace");
	CU_ASSERT_STRING_EQUAL(str(jb, "detail"),
	    "train X8069 has no manifest to replace");
	json_object_del(ja, "detail");
	json_object_del(jb, "detail");
	CU_ASSERT_TRUE(json_equal(ja, jb));
	json_decref(ja);
	json_decref(jb);
	harness_response_free(&a);
	harness_response_free(&b);
	CU_ASSERT_EQUAL(post_fixture("edifact/cuscar_replace.edi", op_mn, NULL,
	    &a), 202);
	harness_response_free(&a);
	n = harness_sql(&pg, "SELECT carrier_id || ' ' || m.function FROM "
	    "trains t JOIN manifests m ON m.id = t.manifest_id WHERE "
	    "t.train_no = 'X8060'");
	CU_ASSERT_STRING_EQUAL(n, "MN-UBTZ replace");
	free(n);
}

/*
 * docs/operator.md's examples, run against this daemon as carrier A's
 * operator: TRAIN its X8024, OTHER_TRAIN carrier B's X9403.  Last: they
 * post a position and a manifest.
 */
static void
t_operator_docs_examples(void)
{
	char		 url[64], token[96], *failure = NULL;
	const char	*env[] = { url, token, "TRAIN=X8024",
			    "OTHER_TRAIN=X9403", NULL };

	snprintf(url, sizeof url, "RAILGATE_URL=http://127.0.0.1:%d", dm.port);
	snprintf(token, sizeof token, "OPERATOR_TOKEN=%s", op_a);
	if (harness_docs_run("docs/operator.md", env, &failure) < 0) {
		fprintf(stderr, "\n%s\n", failure != NULL ? failure : "?");
		CU_FAIL("docs/operator.md: an example fails");
	}
	free(failure);
	/* They ran: the manifest of the page is carrier A's train now. */
	failure = harness_sql(&pg, "SELECT carrier_id FROM trains WHERE "
	    "train_no = 'X0002'");
	CU_ASSERT_STRING_EQUAL(failure != NULL ? failure : "", "KZ-KTZE");
	free(failure);
}

/*
 * An original for a train number whose run in progress is another
 * carrier's: a conflict, as ever, whose answer names neither that run
 * nor its state; nothing of it changes.
 */
static void
t_operator_original_over_other_run(void)
{
	struct harness_response	 r;
	json_t			*j;
	char			*before, *after;

	before = harness_sql(&pg, "SELECT manifest_id || ' ' || updated_at "
	    "FROM trains WHERE train_no = 'X8024'");
	CU_ASSERT_EQUAL_FATAL(post_fixture("xml/cuscar_s4_unoy.xml", op_b,
	    "X9403>X8024", &r), 409);
	j = json_loads(r.body, 0, NULL);
	CU_ASSERT_PTR_NULL(strstr(str(j, "detail"), "run 1"));
	CU_ASSERT_PTR_NULL(strstr(str(j, "detail"), "evaluated"));
	CU_ASSERT_PTR_NOT_NULL(strstr(str(j, "detail"), "X8024"));
	json_decref(j);
	harness_response_free(&r);
	after = harness_sql(&pg, "SELECT manifest_id || ' ' || updated_at "
	    "FROM trains WHERE train_no = 'X8024'");
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
}

static CU_TestInfo operator_tests[] = {
	{ "t_operator_list_own_only", t_operator_list_own_only },
	{ "t_operator_other_carrier_404", t_operator_other_carrier_404 },
	{ "t_operator_view_of_own_train", t_operator_view_of_own_train },
	{ "t_operator_view_confidential", t_operator_view_confidential },
	{ "t_operator_officer_view_unchanged",
	    t_operator_officer_view_unchanged },
	{ "t_operator_events_own_only", t_operator_events_own_only },
	{ "t_operator_manifest_other_carrier",
	    t_operator_manifest_other_carrier },
	{ "t_operator_replacement_scope", t_operator_replacement_scope },
	{ "t_operator_original_over_other_run",
	    t_operator_original_over_other_run },
	{ "t_operator_docs_examples", t_operator_docs_examples },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_operator", operator_suite_init, operator_suite_clean,
    operator_tests)
