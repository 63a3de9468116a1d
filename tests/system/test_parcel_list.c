/*
 * test_parcel_list.c -- issue 22: a train's parcels
 * (GET /v1/trains/{id}/parcels, docs/parcels.md "The parcel list").
 *
 * integration_parcel_list: a generated e-commerce train of three wagons
 * lists every parcel once, in train order, as rows in the order of the
 * columns, with the action and rule the decision's parcels.set_aside
 * gives (RELEASE and null for the others); paging (offset, limit, the
 * total), the filters (container, rule, action, a tracking-number
 * prefix) agree with the unfiltered list; a container the train does not
 * have, an action that is none, a limit out of bounds are 422 naming the
 * parameter; the parcels a rule set aside in a container, released at
 * once (POST .../parcels/resolution), leave the list of that rule; a freight train lists no parcel; officers, supervisors and
 * auditors read the list, operators and devices are refused (403).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "edi/writer.h"
#include "manifest/gen.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define PL_FREIGHT	"X8024"
#define PL_ITEMS	3000
/* Parcels set aside (docs/parcels.md) once the daemon has the key. */
#define PARCEL_LIST_CONF	"[station]\nparcel_setaside = yes\n"

/* The columns of a row (docs/parcels.md). */
enum {
	COL_TRACKING, COL_POSITION, COL_WAGON, COL_CONTAINER, COL_CONSIGNMENT,
	COL_CONSIGNEE, COL_VALUE, COL_CURRENCY, COL_HS, COL_DESCRIPTION,
	COL_ACTION, COL_RULE, COLS
};

static struct harness_pg	ppg;
static struct harness_daemon	pdm;
static char			operator_tok[64], officer_tok[64];
static char			supervisor_tok[64], auditor_tok[64];
static char			device_tok[64];
static char			train_no[80];
static json_t			*all_rows;	/* the whole list, once */

/* GET path as token: the status, the body in *reply (owned). */
static int
get(const char *path, const char *token, char **reply)
{
	struct harness_response	r;
	char			hdr[256];
	int			st;

	hdr[0] = '\0';
	if (token != NULL)
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
		    token);
	if (harness_http(pdm.port, "GET", path, hdr, NULL, 0, &r) < 0)
		return -1;
	st = r.status;
	if (reply != NULL)
		*reply = xstrdup(r.body != NULL ? r.body : "");
	harness_response_free(&r);
	return st;
}

/* GET path as the officer: the JSON answer when 200, else NULL. */
static json_t *
get_json(const char *path)
{
	char	*body = NULL;
	json_t	*j = NULL;

	if (get(path, officer_tok, &body) == 200)
		j = json_loads(body, 0, NULL);
	else
		fprintf(stderr, "GET %s: %s\n", path, body != NULL ? body : "");
	free(body);
	return j;
}

/* The parcel list of the generated train with query (after '?'). */
static json_t *
list(const char *query)
{
	char	path[512];

	snprintf(path, sizeof path, "/v1/trains/%s/parcels%s%s", train_no,
	    query[0] != '\0' ? "?" : "", query);
	return get_json(path);
}

static bool
wait_decided(const char *train)
{
	char	sql[256];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM trains WHERE "
	    "train_no = '%s' AND decision IS NOT NULL AND NOT eval_needed",
	    train);
	return harness_wait_sql(&ppg, sql, NULL, 30000);
}

/* A generated e-commerce train of three wagons, default risk. */
static int
submit_generated(void)
{
	struct gen_options	 o = { 3, PL_ITEMS, 43, true, 0, NULL };
	struct manifest_train	*t = gen_train(&o);
	struct harness_response	 r;
	struct buf		 b = { 0 };
	char			 hdr[200];
	int			 st;

	snprintf(train_no, sizeof train_no, "%s", t->id);
	edi_write_cuscar(t, NULL, &b);
	manifest_train_free(t);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n"
	    "Content-Type: application/EDIFACT\r\n", operator_tok);
	if (harness_http(pdm.port, "POST", "/v1/manifests", hdr, b.data, b.len,
	    &r) < 0) {
		buf_free(&b);
		return -1;
	}
	st = r.status;
	harness_response_free(&r);
	buf_free(&b);
	return st == 202 && wait_decided(train_no) ? 0 : -1;
}

static int
parcels_init(void)
{
	char	conf[4096];

	if (harness_pg_start(&ppg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s%s", ppg.conf, PARCEL_LIST_CONF);
	if (harness_daemon_start(&pdm, conf) < 0)
		return -1;
	if (harness_token(&ppg, "operator", "p.operator", operator_tok) < 0 ||
	    harness_token(&ppg, "officer", "p.officer", officer_tok) < 0 ||
	    harness_token(&ppg, "supervisor", "p.supervisor",
	    supervisor_tok) < 0 ||
	    harness_token(&ppg, "auditor", "p.auditor", auditor_tok) < 0 ||
	    harness_token(&ppg, "device", "pd.alashankou.1", device_tok) < 0)
		return -1;
	if (harness_submit_fixture(pdm.port, operator_tok,
	    "edifact/cuscar_s3_alashankou.edi") != 202 ||
	    !wait_decided(PL_FREIGHT))
		return -1;
	return submit_generated();
}

static int
parcels_clean(void)
{
	json_decref(all_rows);
	harness_daemon_stop(&pdm);
	harness_pg_stop(&ppg);
	return 0;
}

static const char *
cell(const json_t *row, int col)
{
	const char	*s = json_string_value(json_array_get(row, col));

	return s != NULL ? s : "";
}

/* The whole list (one request of up to 100,000 rows), kept. */
static const json_t *
whole(void)
{
	json_t	*j;

	if (all_rows == NULL && (j = list("limit=100000")) != NULL) {
		all_rows = json_incref(json_object_get(j, "rows"));
		json_decref(j);
	}
	return all_rows;
}

/* How many rows of the whole list have col equal to value. */
static size_t
count_where(int col, const char *value)
{
	const json_t	*rows = whole();
	size_t		 i, n = 0;

	for (i = 0; i < json_array_size(rows); i++)
		if (strcmp(cell(json_array_get(rows, i), col), value) == 0)
			n++;
	return n;
}

static void
t_parcels_listed_in_train_order(void)
{
	json_t		*j = list("");
	const json_t	*rows, *cols;
	size_t		 i;
	json_int_t	 prev = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	cols = json_object_get(j, "columns");
	CU_ASSERT_EQUAL(json_array_size(cols), COLS);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(cols,
	    COL_TRACKING)), "tracking");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(cols,
	    COL_RULE)), "rule");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "parcels")),
	    PL_ITEMS);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "total")),
	    PL_ITEMS);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "limit")), 1000);
	CU_ASSERT_TRUE(json_is_true(json_object_get(j, "decided")));
	rows = json_object_get(j, "rows");
	CU_ASSERT_EQUAL(json_array_size(rows), 1000);
	for (i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		json_int_t pos = json_integer_value(json_array_get(r,
		    COL_POSITION));

		CU_ASSERT_EQUAL(json_array_size(r), COLS);
		CU_ASSERT_TRUE(pos >= prev);
		prev = pos;
		CU_ASSERT_TRUE(cell(r, COL_WAGON)[0] != '\0');
		CU_ASSERT_TRUE(cell(r, COL_CONSIGNMENT)[0] != '\0');
		CU_ASSERT_TRUE(cell(r, COL_ACTION)[0] != '\0');
	}
	json_decref(j);
	/* The whole list covers the three wagons, each parcel once. */
	CU_ASSERT_EQUAL_FATAL(json_array_size(whole()), PL_ITEMS);
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(json_array_get(
	    whole(), PL_ITEMS - 1), COL_POSITION)), 3);
}

static void
t_parcels_paged(void)
{
	json_t	*j = list("offset=2500&limit=1000");
	size_t	 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "rows")), 500);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "total")),
	    PL_ITEMS);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "offset")), 2500);
	/* The page is the whole list's rows 2500 to 2999. */
	for (i = 0; i < 500; i += 97)
		CU_ASSERT_TRUE(json_equal(json_array_get(json_object_get(j,
		    "rows"), i), json_array_get(whole(), 2500 + i)));
	json_decref(j);
	j = list("offset=5000");
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "rows")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "total")),
	    PL_ITEMS);
	json_decref(j);
}

static void
t_parcels_by_container(void)
{
	const json_t	*first = json_array_get(whole(), 0);
	char		 q[128], container[64];
	json_t		*j;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	snprintf(container, sizeof container, "%s", cell(first,
	    COL_CONTAINER));
	CU_ASSERT_TRUE_FATAL(container[0] != '\0');
	snprintf(q, sizeof q, "container=%s&limit=100000", container);
	j = list(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL((size_t)json_integer_value(json_object_get(j,
	    "total")), count_where(COL_CONTAINER, container));
	CU_ASSERT_TRUE(json_integer_value(json_object_get(j, "total")) > 0);
	for (i = 0; i < json_array_size(json_object_get(j, "rows")); i++)
		CU_ASSERT_STRING_EQUAL(cell(json_array_get(json_object_get(j,
		    "rows"), i), COL_CONTAINER), container);
	json_decref(j);
}

static void
t_parcels_by_tracking_prefix(void)
{
	const json_t	*rows = whole();
	const char	*tr = cell(json_array_get(rows, 17), COL_TRACKING);
	char		 prefix[16], q[64];
	json_t		*j;
	size_t		 i, n = 0;

	if (tr[0] == '\0') {
		/* A generator without tracking numbers: none to find. */
		j = list("q=LX");
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "total")),
		    0);
		json_decref(j);
		return;
	}
	snprintf(prefix, sizeof prefix, "%.*s", (int)strlen(tr) - 2, tr);
	for (i = 0; i < json_array_size(rows); i++)
		if (strncasecmp(cell(json_array_get(rows, i), COL_TRACKING),
		    prefix, strlen(prefix)) == 0)
			n++;
	snprintf(q, sizeof q, "q=%s&limit=100000", prefix);
	j = list(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_TRUE(n >= 1);
	CU_ASSERT_EQUAL((size_t)json_integer_value(json_object_get(j, "total")),
	    n);
	CU_ASSERT_EQUAL(strncasecmp(cell(json_array_get(json_object_get(j,
	    "rows"), 0), COL_TRACKING), prefix, strlen(prefix)), 0);
	json_decref(j);
	/* The whole number finds exactly that parcel. */
	snprintf(q, sizeof q, "q=%s", tr);
	j = list(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "total")), 1);
	CU_ASSERT_STRING_EQUAL(cell(json_array_get(json_object_get(j, "rows"),
	    0), COL_TRACKING), tr);
	json_decref(j);
}

/*
 * The actions and rules agree with the decision's parcels.set_aside:
 * each set-aside parcel listed with its action and rule, every other one
 * RELEASE with no rule; the action and rule filters select the same.
 */
static void
t_parcels_agree_with_decision(void)
{
	char		 path[256], q[160];
	json_t		*d, *j;
	const json_t	*sa, *rows = whole();
	size_t		 i, aside = 0;

	snprintf(path, sizeof path, "/v1/trains/%s/decision", train_no);
	d = get_json(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	sa = json_object_get(json_object_get(d, "parcels"), "set_aside");
	/* parcel_setaside = yes and the default risk: some are set aside
	 * (parcels with tracking numbers: a generator that gives none makes
	 * no parcel that can be set aside). */
	if (cell(json_array_get(rows, 0), COL_TRACKING)[0] != '\0') {
		CU_ASSERT_TRUE(json_is_object(json_object_get(d, "parcels")));
		CU_ASSERT_TRUE(json_array_size(sa) > 0);
	}
	for (i = 0; i < json_array_size(rows); i++)
		if (strcmp(cell(json_array_get(rows, i), COL_ACTION),
		    "RELEASE") != 0)
			aside++;
		else
			CU_ASSERT_TRUE(json_is_null(json_array_get(
			    json_array_get(rows, i), COL_RULE)));
	CU_ASSERT_EQUAL(aside, json_array_size(sa));
	CU_ASSERT_EQUAL(count_where(COL_ACTION, "RELEASE") + aside,
	    json_array_size(rows));
	j = list("action=SET_ASIDE&limit=100000");
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL((size_t)json_integer_value(json_object_get(j, "total")),
	    aside);
	json_decref(j);
	j = list("action=RELEASE&limit=1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL((size_t)json_integer_value(json_object_get(j, "total")),
	    json_array_size(rows) - aside);
	json_decref(j);
	for (i = 0; i < json_array_size(sa) && i < 5; i++) {
		const json_t *e = json_array_get(sa, i);
		const char *tr = json_string_value(json_object_get(e,
		    "tracking")), *rule = json_string_value(json_object_get(e,
		    "rule"));

		snprintf(q, sizeof q, "q=%s", tr);
		j = list(q);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_STRING_EQUAL(cell(json_array_get(json_object_get(j,
		    "rows"), 0), COL_ACTION), json_string_value(
		    json_object_get(e, "action")));
		CU_ASSERT_STRING_EQUAL(cell(json_array_get(json_object_get(j,
		    "rows"), 0), COL_RULE), rule);
		json_decref(j);
		snprintf(q, sizeof q, "rule=%s&limit=100000", rule);
		j = list(q);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_TRUE(json_integer_value(json_object_get(j,
		    "total")) >= 1);
		json_decref(j);
	}
	/* A rule that set nothing aside: an empty list, not an error. */
	j = list("rule=no-such-rule");
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);
	json_decref(d);
}

/* POST path with body as the officer: the status. */
static int
post(const char *path, const char *body)
{
	struct harness_response	r;
	char			hdr[256];
	int			st;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n"
	    "Content-Type: application/json\r\n", officer_tok);
	if (harness_http(pdm.port, "POST", path, hdr, body, strlen(body),
	    &r) < 0)
		return -1;
	st = r.status;
	if (st != 200)
		fprintf(stderr, "POST %s: %d %s\n", path, st,
		    r.body != NULL ? r.body : "");
	harness_response_free(&r);
	return st;
}

/*
 * The parcels one rule set aside in one container released at once
 * (POST .../parcels/resolution): once evaluated again, the list has none
 * of that rule there any more.
 */
static void
t_parcels_after_resolution(void)
{
	char		 path[256], body[512], q[200];
	json_t		*d, *j;
	const json_t	*sa, *e = NULL;
	const char	*rule, *container, *action;
	size_t		 i;

	snprintf(path, sizeof path, "/v1/trains/%s/decision", train_no);
	d = get_json(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	sa = json_object_get(json_object_get(d, "parcels"), "set_aside");
	for (i = 0; i < json_array_size(sa) && e == NULL; i++) {
		action = json_string_value(json_object_get(json_array_get(sa,
		    i), "action"));
		if (action != NULL && (strcmp(action, "DOC_CHECK") == 0 ||
		    strcmp(action, "INSPECT") == 0))
			e = json_array_get(sa, i);
	}
	if (e == NULL) {	/* nothing an officer may release so */
		json_decref(d);
		return;
	}
	rule = json_string_value(json_object_get(e, "rule"));
	container = json_string_value(json_object_get(e, "container"));
	snprintf(q, sizeof q, "rule=%s&container=%s&limit=100000", rule,
	    container);
	j = list(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_TRUE(json_integer_value(json_object_get(j, "total")) >= 1);
	json_decref(j);
	snprintf(path, sizeof path, "/v1/trains/%s/parcels/resolution",
	    train_no);
	snprintf(body, sizeof body, "{\"rule\": \"%s\", \"container\": "
	    "\"%s\", \"action\": \"release\", \"reason\": \"invoices "
	    "checked\"}", rule, container);
	if (post(path, body) != 200) {
		/* a hit of that rule at HOLD or REFUSE on one of them (409) */
		json_decref(d);
		return;
	}
	CU_ASSERT_TRUE_FATAL(wait_decided(train_no));
	j = list(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);
	json_decref(all_rows);	/* the whole list is read again */
	all_rows = NULL;
	json_decref(d);
}

/* GET with query: 422 naming param. */
static void
expect_422(const char *query, const char *param)
{
	char	 path[512], *body = NULL;
	json_t	*p;

	snprintf(path, sizeof path, "/v1/trains/%s/parcels?%s", train_no,
	    query);
	CU_ASSERT_EQUAL(get(path, officer_tok, &body), 422);
	p = json_loads(body != NULL ? body : "", 0, NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "title")) ?
	    json_string_value(json_object_get(p, "title")) : "",
	    "Invalid parcel filter");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p,
	    "parameter")) ? json_string_value(json_object_get(p,
	    "parameter")) : "", param);
	json_decref(p);
	free(body);
}

static void
t_parcels_refusals(void)
{
	char	*body = NULL;

	expect_422("container=NOPE1234567", "container");
	expect_422("action=release", "action");
	expect_422("action=AUDIT", "action");
	expect_422("limit=0", "limit");
	expect_422("limit=100001", "limit");
	expect_422("offset=-1", "offset");
	expect_422("q=0123456789012345678901234567890123456", "q");
	expect_422("rule=a%0Ab", "rule");
	CU_ASSERT_EQUAL(get("/v1/trains/NOSUCH/parcels", officer_tok, &body),
	    404);
	free(body);
	body = NULL;
	/* The 422 names the container asked for. */
	CU_ASSERT_EQUAL(get("/v1/trains/X8024/parcels?container=NOPE1234567",
	    officer_tok, &body), 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "NOPE1234567"));
	free(body);
}

static void
t_parcels_freight_train(void)
{
	json_t	*j = get_json("/v1/trains/" PL_FREIGHT "/parcels");

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "parcels")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "total")), 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "rows")), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "train")),
	    PL_FREIGHT);
	json_decref(j);
}

static void
t_parcels_roles(void)
{
	char	path[160];

	snprintf(path, sizeof path, "/v1/trains/%s/parcels?limit=5", train_no);
	CU_ASSERT_EQUAL(get(path, officer_tok, NULL), 200);
	CU_ASSERT_EQUAL(get(path, supervisor_tok, NULL), 200);
	CU_ASSERT_EQUAL(get(path, auditor_tok, NULL), 200);
	CU_ASSERT_EQUAL(get(path, operator_tok, NULL), 403);
	CU_ASSERT_EQUAL(get(path, device_tok, NULL), 403);
	CU_ASSERT_EQUAL(get(path, NULL, NULL), 401);
}

static CU_TestInfo parcels_tests[] = {
	{ "t_parcels_listed_in_train_order", t_parcels_listed_in_train_order },
	{ "t_parcels_paged", t_parcels_paged },
	{ "t_parcels_by_container", t_parcels_by_container },
	{ "t_parcels_by_tracking_prefix", t_parcels_by_tracking_prefix },
	{ "t_parcels_agree_with_decision", t_parcels_agree_with_decision },
	{ "t_parcels_after_resolution", t_parcels_after_resolution },
	{ "t_parcels_refusals", t_parcels_refusals },
	{ "t_parcels_freight_train", t_parcels_freight_train },
	{ "t_parcels_roles", t_parcels_roles },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_parcel_list", parcels_init, parcels_clean,
    parcels_tests)
