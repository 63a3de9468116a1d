/*
 * test_wagonpage.c -- issue 18, item 5 on the daemon's side: one wagon's
 * page and the console's search.
 *
 * integration_wagonpage: GET /v1/trains/{id}/wagons/{wagon} shows a
 * fixture wagon's containers and seals, consignments, goods (HS code,
 * description, value, origin), parties with their screening result,
 * declared documents, the events about it with their authors (not the
 * others'), the neighbour's report cut down to it, and a seal check
 * found damaged changing its action; an unknown wagon or train is 404
 * naming it; a wagon of a generated e-commerce train gives its goods a
 * page at a time with the total.  GET /v1/search finds a train, a wagon,
 * a container and a party by part of its number or name, whatever the
 * case, and refuses a query too short, too long or not text.  Both routes
 * answer officers, supervisors and auditors, and refuse operators and
 * devices (403) and strangers (401).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "edi/writer.h"
#include "manifest/gen.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define WP_TRAIN	"X8024"
#define WP_WAGON	"315279550018"		/* position 1 */
#define WP_WAGON2	"315279550026"
#define WP_CONTAINER	"TGHU1234567"		/* on WP_WAGON */
#define WP_CONTAINER2	"MSKU4412090"		/* on WP_WAGON2 */

static struct harness_pg	wpg;
static struct harness_daemon	wdm;
static char			operator_tok[64], officer_tok[64];
static char			supervisor_tok[64], auditor_tok[64];
static char			device_tok[64];
static char			gen_train_no[80], gen_wagon[32];
static unsigned long		gen_wagon_items;

/* A request as token (NULL: none); the status, the body in *reply. */
static int
call(const char *method, const char *path, const char *token,
    const char *body, char **reply)
{
	struct harness_response	r;
	char			hdr[256];
	int			st;

	hdr[0] = '\0';
	if (token != NULL)
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s",
		    token, body != NULL ? "Content-Type: application/json\r\n" :
		    "");
	if (harness_http(wdm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, &r) < 0)
		return -1;
	st = r.status;
	if (reply != NULL)
		*reply = xstrdup(r.body != NULL ? r.body : "");
	harness_response_free(&r);
	return st;
}

/* GET path as token: the parsed JSON answer when 200, else NULL. */
static json_t *
get_json(const char *path, const char *token)
{
	char	*body = NULL;
	json_t	*j = NULL;

	if (call("GET", path, token, NULL, &body) == 200)
		j = json_loads(body, 0, NULL);
	else
		fprintf(stderr, "GET %s: %s\n", path, body != NULL ? body : "");
	free(body);
	return j;
}

/* Decided, with no evaluation pending. */
static bool
wait_decided(const char *train)
{
	char	sql[256];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM trains WHERE "
	    "train_no = '%s' AND decision IS NOT NULL AND NOT eval_needed",
	    train);
	return harness_wait_sql(&wpg, sql, NULL, 20000);
}

/* A generated e-commerce train of two wagons: its first wagon's parcels. */
static int
submit_generated(void)
{
	struct gen_options	 o = { 2, 3000, 41, true };
	struct manifest_train	*t = gen_train(&o);
	struct buf		 b = { 0 };
	char			 no[128];
	int			 st;

	snprintf(gen_train_no, sizeof gen_train_no, "%s", t->id);
	snprintf(gen_wagon, sizeof gen_wagon, "%s", t->wagons[0]->number);
	gen_wagon_items = (unsigned long)t->wagons[0]->nitems;
	edi_write_cuscar(t, NULL, &b);
	manifest_train_free(t);
	st = harness_submit_edifact(wdm.port, operator_tok, b.data, b.len, no,
	    sizeof no);
	buf_free(&b);
	return st == 202 && wait_decided(gen_train_no) ? 0 : -1;
}

static int
wagonpage_init(void)
{
	if (harness_pg_start(&wpg) < 0 || harness_daemon_start(&wdm,
	    wpg.conf) < 0)
		return -1;
	if (harness_token(&wpg, "operator", "w.operator", operator_tok) < 0 ||
	    harness_token(&wpg, "officer", "w.officer", officer_tok) < 0 ||
	    harness_token(&wpg, "supervisor", "w.supervisor",
	    supervisor_tok) < 0 ||
	    harness_token(&wpg, "auditor", "w.auditor", auditor_tok) < 0 ||
	    harness_token(&wpg, "device", "wb.alashankou.1", device_tok) < 0)
		return -1;
	if (harness_submit_fixture(wdm.port, operator_tok,
	    "edifact/cuscar_s3_alashankou.edi") != 202 ||
	    !wait_decided(WP_TRAIN))
		return -1;
	/* A sanctioned consignor on wagon 2. */
	if (harness_submit_fixture(wdm.port, operator_tok,
	    "xml/four_eyes_x9101.xml") != 202 || !wait_decided("X9101"))
		return -1;
	return submit_generated();
}

static int
wagonpage_clean(void)
{
	harness_daemon_stop(&wdm);
	harness_pg_stop(&wpg);
	return 0;
}

/* The element of array a whose member key is the string value, or NULL. */
static json_t *
find_by(const json_t *a, const char *key, const char *value)
{
	size_t	 i;
	json_t	*e;

	json_array_foreach(a, i, e) {
		const char *s = json_string_value(json_object_get(e, key));

		if (s != NULL && strcmp(s, value) == 0)
			return e;
	}
	return NULL;
}

/* The same, with a second member key2 equal to value2. */
static json_t *
find_by2(const json_t *a, const char *key, const char *value,
    const char *key2, const char *value2)
{
	size_t	 i;
	json_t	*e;

	json_array_foreach(a, i, e) {
		const char *s = json_string_value(json_object_get(e, key)),
		    *s2 = json_string_value(json_object_get(e, key2));

		if (s != NULL && s2 != NULL && strcmp(s, value) == 0 &&
		    strcmp(s2, value2) == 0)
			return e;
	}
	return NULL;
}

static const char *
str(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* Containers, seals, consignments, goods, parties and documents. */
static void
t_wagonpage_declared(void)
{
	json_t	*j = get_json("/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON,
		    officer_tok), *w, *c, *cons, *party, *item, *docs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(str(j, "train"), WP_TRAIN);
	w = json_object_get(j, "wagon");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(w, "position")), 1);
	CU_ASSERT_STRING_EQUAL(str(w, "number"), WP_WAGON);
	CU_ASSERT_STRING_EQUAL(str(w, "type"), "Sgns");
	CU_ASSERT_PTR_NOT_NULL(find_by(json_object_get(w, "seals"), "number",
	    "KZ1234567"));
	c = find_by(json_object_get(w, "containers"), "number", WP_CONTAINER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(str(json_array_get(json_object_get(c, "seals"),
	    0), "number"), "CN0099812");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(w, "containers")), 2);
	CU_ASSERT_STRING_EQUAL(str(w, "action"), "RELEASE");
	/* Its neighbours in the train, to walk along it. */
	CU_ASSERT_TRUE(json_is_null(json_object_get(j, "previous_wagon")));
	CU_ASSERT_STRING_EQUAL(str(json_object_get(j, "next_wagon"), "number"),
	    WP_WAGON2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j,
	    "next_wagon"), "position")), 2);

	cons = find_by(json_object_get(j, "consignments"), "ref",
	    "SMGS 24170088");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cons);
	party = find_by(json_object_get(cons, "parties"), "role", "consignor");
	CU_ASSERT_PTR_NOT_NULL_FATAL(party);
	CU_ASSERT_STRING_EQUAL(str(party, "name"), "Getriebe Nord GmbH");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(party, "screening"),
	    "result"), "no hit");
	party = find_by(json_object_get(cons, "parties"), "role", "consignee");
	CU_ASSERT_STRING_EQUAL(str(party, "aeo"), "CN123456789");
	/* No consignment of another wagon. */
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j,
	    "consignments_total")), (json_int_t)json_array_size(
	    json_object_get(j, "consignments")));

	item = find_by(json_object_get(json_object_get(j, "goods"), "items"),
	    "hs", "870840");
	CU_ASSERT_PTR_NOT_NULL_FATAL(item);
	CU_ASSERT_STRING_EQUAL(str(item, "description"), "Auto parts: gearboxes");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(item, "value")),
	    182000);
	CU_ASSERT_STRING_EQUAL(str(item, "currency"), "USD");
	CU_ASSERT_STRING_EQUAL(str(item, "origin"), "DE");
	CU_ASSERT_STRING_EQUAL(str(item, "consignment"), "SMGS 24170088");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j,
	    "goods"), "total")), json_array_size(json_object_get(
	    json_object_get(j, "goods"), "items")));

	docs = json_object_get(json_object_get(j, "documents"), "items");
	CU_ASSERT_PTR_NOT_NULL(find_by(docs, "id", "DE-CO-55120"));
	CU_ASSERT_STRING_EQUAL(str(find_by(docs, "id", "DE-CO-55120"), "type"),
	    "861");
	json_decref(j);
}

/* A party the decision's sanctions hit names is "hit"; the others not. */
static void
t_wagonpage_screening_hit(void)
{
	json_t	*j = get_json("/v1/trains/X9101/wagons/" WP_WAGON2, officer_tok),
		*cons, *p, *scr;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	cons = find_by(json_object_get(j, "consignments"), "ref",
	    "SMGS 24170091");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cons);
	p = find_by(json_object_get(cons, "parties"), "role", "consignor");
	CU_ASSERT_STRING_EQUAL(str(p, "name"), "Timur Trading House");
	scr = json_object_get(p, "screening");
	CU_ASSERT_STRING_EQUAL(str(scr, "result"), "hit");
	CU_ASSERT_STRING_EQUAL(str(json_array_get(json_object_get(scr, "hits"),
	    0), "rule"), "sanctions");
	CU_ASSERT_STRING_EQUAL(str(json_array_get(json_object_get(scr, "hits"),
	    0), "action"), "HOLD");
	p = find_by(json_object_get(cons, "parties"), "role", "consignee");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(p, "screening"), "result"),
	    "no hit");
	/* The consignment's own hits list it too. */
	CU_ASSERT_EQUAL(json_array_size(json_object_get(cons, "hits")), 1);
	CU_ASSERT_STRING_EQUAL(str(json_object_get(json_object_get(j,
	    "decision"), "wagon"), "action"), "HOLD");
	json_decref(j);
}

/* Events about the wagon with their authors; the neighbour's report. */
static void
t_wagonpage_events_and_neighbour(void)
{
	json_t	*j, *evs, *e, *nb, *rep;
	char	*v;

	CU_ASSERT_EQUAL(call("POST", "/v1/trains/" WP_TRAIN "/events",
	    device_tok, "{\"type\":\"weighbridge\",\"wagon\":\"" WP_WAGON "\","
	    "\"gross_kg\":59000}", NULL), 202);
	CU_ASSERT_EQUAL(call("POST", "/v1/trains/" WP_TRAIN "/events",
	    officer_tok, "{\"type\":\"scan\",\"container\":\"" WP_CONTAINER
	    "\",\"result\":\"clear\",\"device\":\"scan.3\"}", NULL), 202);
	/* Another wagon's event is not on this wagon's page. */
	CU_ASSERT_EQUAL(call("POST", "/v1/trains/" WP_TRAIN "/events",
	    officer_tok, "{\"type\":\"scan\",\"wagon\":\"" WP_WAGON2 "\","
	    "\"result\":\"clear\"}", NULL), 202);
	/* The neighbour's report, as the link stores it. */
	v = harness_sql(&wpg, "SELECT outcome FROM add_event('" WP_TRAIN "', "
	    "'neighbour', '{\"service\":\"dostyk\",\"seals\":[{\"equipment\":"
	    "\"" WP_CONTAINER "\",\"number\":\"CN0099812\"},{\"equipment\":\""
	    WP_CONTAINER2 "\",\"number\":\"KZ1234588\"}],\"controls\":[{"
	    "\"equipment\":\"" WP_CONTAINER "\",\"result\":\"scanned_clear\"}]}',"
	    " 'dostyk', NULL, 'neighbour', NULL)");
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "accepted");
	free(v);
	CU_ASSERT_TRUE(wait_decided(WP_TRAIN));

	j = get_json("/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON, auditor_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	evs = json_object_get(j, "events");
	CU_ASSERT_EQUAL(json_array_size(evs), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "events_total")),
	    2);
	e = find_by(evs, "type", "weighbridge");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(str(json_object_get(e, "author"), "name"),
	    "wb.alashankou.1");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(e, "author"), "role"),
	    "device");
	CU_ASSERT_EQUAL(strlen(str(e, "at")), 24);
	e = find_by(evs, "type", "scan");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(str(json_object_get(e, "author"), "name"),
	    "w.officer");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(e, "author"), "role"),
	    "officer");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(e, "author"), "device"),
	    "scan.3");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(e, "body"), "container"),
	    WP_CONTAINER);

	nb = json_object_get(j, "neighbour");
	CU_ASSERT_EQUAL(json_array_size(nb), 1);
	rep = json_object_get(json_array_get(nb, 0), "report");
	CU_ASSERT_STRING_EQUAL(str(rep, "service"), "dostyk");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(json_array_get(nb, 0),
	    "author"), "role"), "neighbour");
	/* Only the seal on this wagon's container. */
	CU_ASSERT_EQUAL(json_array_size(json_object_get(rep, "seals")), 1);
	CU_ASSERT_STRING_EQUAL(str(json_array_get(json_object_get(rep,
	    "seals"), 0), "equipment"), WP_CONTAINER);
	CU_ASSERT_STRING_EQUAL(str(json_array_get(json_object_get(rep,
	    "controls"), 0), "result"), "scanned_clear");
	json_decref(j);

	/* The other wagon's page has its own scan, not this wagon's. */
	j = get_json("/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON2, officer_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "events")), 1);
	CU_ASSERT_STRING_EQUAL(str(json_object_get(json_array_get(
	    json_object_get(j, "events"), 0), "body"), "wagon"), WP_WAGON2);
	json_decref(j);
}

/* A seal found damaged: the page shows the wagon set out, and why. */
static void
t_wagonpage_seal_check_changes_action(void)
{
	json_t		*j, *dw, *hits;
	size_t		 i;
	bool		 seal_hit = false;

	j = get_json("/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON, officer_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(str(json_object_get(j, "wagon"), "action"),
	    "RELEASE");
	json_decref(j);
	CU_ASSERT_EQUAL(call("POST", "/v1/trains/" WP_TRAIN "/events",
	    officer_tok, "{\"type\":\"seal_check\",\"equipment\":\""
	    WP_CONTAINER "\",\"seal\":\"CN0099812\",\"condition\":\"damaged\"}",
	    NULL), 202);
	CU_ASSERT_TRUE(wait_decided(WP_TRAIN));
	j = get_json("/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON, officer_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	dw = json_object_get(json_object_get(j, "decision"), "wagon");
	CU_ASSERT_STRING_EQUAL(str(dw, "action"), "INSPECT");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(j, "wagon"), "action"),
	    "INSPECT");
	hits = json_object_get(dw, "hits");
	for (i = 0; i < json_array_size(hits); i++)
		if (strcmp(str(json_array_get(hits, i), "rule"),
		    "seal-mismatch") == 0)
			seal_hit = true;
	CU_ASSERT_TRUE(seal_hit);
	CU_ASSERT_PTR_NOT_NULL(find_by(json_object_get(j, "events"), "type",
	    "seal_check"));
	json_decref(j);
}

/* Unknown wagon or train: 404 naming it; bad numbers and pages: 400. */
static void
t_wagonpage_refusals(void)
{
	char	*body = NULL;
	json_t	*p;

	CU_ASSERT_EQUAL(call("GET", "/v1/trains/" WP_TRAIN
	    "/wagons/999999999999", officer_tok, NULL, &body), 404);
	p = json_loads(body, 0, NULL);
	CU_ASSERT_STRING_EQUAL(str(p, "wagon"), "999999999999");
	CU_ASSERT_STRING_EQUAL(str(p, "train"), WP_TRAIN);
	CU_ASSERT_PTR_NOT_NULL(strstr(str(p, "detail"), "999999999999"));
	json_decref(p);
	free(body);
	/* A container's number is not a wagon's. */
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/" WP_TRAIN "/wagons/"
	    WP_CONTAINER, officer_tok, NULL, NULL), 404);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/NOSUCH1/wagons/" WP_WAGON,
	    officer_tok, NULL, NULL), 404);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/" WP_TRAIN "@9/wagons/"
	    WP_WAGON, officer_tok, NULL, NULL), 404);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/" WP_TRAIN "/wagons/"
	    "12345678901234567890123456789012345678901234567890123456789012345",
	    officer_tok, NULL, NULL), 400);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/" WP_TRAIN "/wagons/%01x",
	    officer_tok, NULL, NULL), 400);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON
	    "?offset=-1", officer_tok, NULL, NULL), 400);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON
	    "?limit=0", officer_tok, NULL, NULL), 400);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON
	    "?limit=501", officer_tok, NULL, NULL), 400);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON
	    "?limit=abc", officer_tok, NULL, NULL), 400);
}

/* Thousands of parcels on a wagon: a page at a time, with the total. */
static void
t_wagonpage_goods_paged(void)
{
	char	 path[256];
	json_t	*j, *g;
	char	*body = NULL;

	CU_ASSERT_FATAL(gen_wagon_items > 600);
	snprintf(path, sizeof path, "/v1/trains/%s/wagons/%s", gen_train_no,
	    gen_wagon);
	CU_ASSERT_EQUAL_FATAL(call("GET", path, officer_tok, NULL, &body), 200);
	/* The first page of 100, not every parcel. */
	CU_ASSERT(strlen(body) < 200000);
	j = json_loads(body, 0, NULL);
	free(body);
	g = json_object_get(j, "goods");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(g, "total")),
	    (json_int_t)gen_wagon_items);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(g, "items")), 100);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(g, "limit")), 100);
	json_decref(j);

	snprintf(path, sizeof path, "/v1/trains/%s/wagons/%s?offset=%lu"
	    "&limit=500", gen_train_no, gen_wagon, gen_wagon_items - 10);
	j = get_json(path, supervisor_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	g = json_object_get(j, "goods");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(g, "items")), 10);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(g, "offset")),
	    (json_int_t)gen_wagon_items - 10);
	json_decref(j);

	snprintf(path, sizeof path, "/v1/trains/%s/wagons/%s?offset=%lu",
	    gen_train_no, gen_wagon, gen_wagon_items + 5);
	j = get_json(path, officer_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(j,
	    "goods"), "items")), 0);
	json_decref(j);
}

/* The hits of kind in a search answer (borrowed). */
static json_t *
hits_of(json_t *answer, const char *kind)
{
	return json_object_get(json_object_get(answer, kind), "hits");
}

/* Each kind found by part of its number or name, whatever the case. */
static void
t_search_kinds(void)
{
	json_t	*j, *h;

	j = get_json("/v1/search?q=x802", officer_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	h = find_by(hits_of(j, "trains"), "train", WP_TRAIN);
	CU_ASSERT_PTR_NOT_NULL(h);
	CU_ASSERT_STRING_EQUAL(str(h, "id"), WP_TRAIN "@1");
	CU_ASSERT_STRING_EQUAL(str(h, "kind"), "train");
	json_decref(j);

	j = get_json("/v1/search?q=79550018", auditor_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	/* X9101 has a wagon of that number too, newer: listed first. */
	CU_ASSERT_STRING_EQUAL(str(json_array_get(hits_of(j, "wagons"), 0),
	    "train"), "X9101");
	h = find_by2(hits_of(j, "wagons"), "wagon", WP_WAGON, "train",
	    WP_TRAIN);
	CU_ASSERT_PTR_NOT_NULL(h);
	CU_ASSERT_STRING_EQUAL(str(h, "train"), WP_TRAIN);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(h, "position")), 1);
	CU_ASSERT_EQUAL(json_array_size(hits_of(j, "trains")), 0);
	json_decref(j);

	j = get_json("/v1/search?q=tghu12", officer_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	h = find_by2(hits_of(j, "containers"), "container", WP_CONTAINER,
	    "train", WP_TRAIN);
	CU_ASSERT_PTR_NOT_NULL(h);
	CU_ASSERT_STRING_EQUAL(str(h, "wagon"), WP_WAGON);
	CU_ASSERT_STRING_EQUAL(str(h, "matched"), WP_CONTAINER);
	json_decref(j);

	j = get_json("/v1/search?q=nord%20GMBH", supervisor_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	/* The generator's trains have a consignee of that name too. */
	h = find_by(hits_of(j, "parties"), "train", WP_TRAIN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(str(h, "name"), "Getriebe Nord GmbH");
	CU_ASSERT_STRING_EQUAL(str(h, "role"), "consignor");
	CU_ASSERT_STRING_EQUAL(str(h, "train"), WP_TRAIN);
	CU_ASSERT_STRING_EQUAL(str(h, "consignment"), "SMGS 24170088");
	CU_ASSERT_STRING_EQUAL(str(h, "wagon"), WP_WAGON);
	json_decref(j);

	/* LIKE's wildcards and its escape are letters like any other. */
	for (size_t i = 0; i < 3; i++) {
		static const char *const q[] = { "%25%25%25", "___", "%5C%5C%5C" };
		char path[64];

		snprintf(path, sizeof path, "/v1/search?q=%s", q[i]);
		j = get_json(path, officer_tok);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_EQUAL(json_array_size(hits_of(j, "trains")) +
		    json_array_size(hits_of(j, "wagons")) +
		    json_array_size(hits_of(j, "containers")) +
		    json_array_size(hits_of(j, "parties")), 0);
		json_decref(j);
	}
}

/* At most limit of a kind, and "more" says there were others. */
static void
t_search_bounded(void)
{
	json_t	*j;

	/* Wagons of X8024 and X9101 begin 3152. */
	j = get_json("/v1/search?q=" "3152&limit=1", officer_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_array_size(hits_of(j, "wagons")), 1);
	CU_ASSERT_TRUE(json_is_true(json_object_get(json_object_get(j,
	    "wagons"), "more")));
	json_decref(j);
}

/* Too short, too long, not text, no q, a bad limit: 400. */
static void
t_search_refusals(void)
{
	char	long_q[100], path[160], *body = NULL;

	CU_ASSERT_EQUAL(call("GET", "/v1/search", officer_tok, NULL, NULL), 400);
	CU_ASSERT_EQUAL(call("GET", "/v1/search?q=X8", officer_tok, NULL,
	    &body), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "3 to 64"));
	free(body);
	CU_ASSERT_EQUAL(call("GET", "/v1/search?q=%20%20X8%20%20", officer_tok,
	    NULL, NULL), 400);
	memset(long_q, 'A', 65);
	long_q[65] = '\0';
	snprintf(path, sizeof path, "/v1/search?q=%s", long_q);
	CU_ASSERT_EQUAL(call("GET", path, officer_tok, NULL, NULL), 400);
	CU_ASSERT_EQUAL(call("GET", "/v1/search?q=ab%0Acd", officer_tok, NULL,
	    NULL), 400);
	CU_ASSERT_EQUAL(call("GET", "/v1/search?q=abc%FF", officer_tok, NULL,
	    NULL), 400);
	CU_ASSERT_EQUAL(call("GET", "/v1/search?q=abcd&limit=0", officer_tok,
	    NULL, NULL), 400);
	CU_ASSERT_EQUAL(call("GET", "/v1/search?q=abcd&limit=51", officer_tok,
	    NULL, NULL), 400);
	/* Three Chinese characters are three characters. */
	CU_ASSERT_EQUAL(call("GET", "/v1/search?q=%E9%98%BF%E6%8B%89%E5%B1%B1",
	    officer_tok, NULL, NULL), 200);
}

/* Readers only: operators and devices 403, strangers 401. */
static void
t_wagonpage_roles(void)
{
	const char	*page = "/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON;

	CU_ASSERT_EQUAL(call("GET", page, operator_tok, NULL, NULL), 403);
	CU_ASSERT_EQUAL(call("GET", page, device_tok, NULL, NULL), 403);
	CU_ASSERT_EQUAL(call("GET", page, NULL, NULL, NULL), 401);
	CU_ASSERT_EQUAL(call("GET", page, supervisor_tok, NULL, NULL), 200);
	CU_ASSERT_EQUAL(call("GET", "/v1/search?q=X8024", operator_tok, NULL,
	    NULL), 403);
	CU_ASSERT_EQUAL(call("GET", "/v1/search?q=X8024", device_tok, NULL,
	    NULL), 403);
	CU_ASSERT_EQUAL(call("GET", "/v1/search?q=X8024", NULL, NULL, NULL),
	    401);
	/* Reading changes nothing. */
	CU_ASSERT_EQUAL(call("POST", page, officer_tok, "{}", NULL), 405);
}

/* In s (owned), the first from replaced by to; 0, or -1 when absent. */
static int
replace_once(char **s, const char *from, const char *to)
{
	char	*at = strstr(*s, from), *n;

	if (at == NULL)
		return -1;
	n = xasprintf("%.*s%s%s", (int)(at - *s), *s, to, at + strlen(from));
	free(*s);
	*s = n;
	return 0;
}

/*
 * A replacement manifest is a new manifest id: the page reads its goods
 * and parties, never the model kept for the first (the model of an id
 * never changes), and the search finds the new party, not the old.
 */
static void
t_wagonpage_replacement_read_anew(void)
{
	struct harness_response	 r;
	size_t			 len;
	char			*edi = test_read_fixture(
				    "edifact/cuscar_s3_alashankou.edi", &len);
	char			 hdr[200];
	json_t			*j, *item, *h;

	/* The first manifest's model is kept by now (pages read above). */
	CU_ASSERT_EQUAL_FATAL(replace_once(&edi, "BGM+85+MF-2026-118834+9'",
	    "BGM+85+MF-2026-118834+5'"), 0);
	CU_ASSERT_EQUAL_FATAL(replace_once(&edi, "CST++8708.40:122'",
	    "CST++8708.50:122'"), 0);
	CU_ASSERT_EQUAL_FATAL(replace_once(&edi, "Getriebe Nord GmbH",
	    "Getriebe Ost GmbH"), 0);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", operator_tok);
	CU_ASSERT_EQUAL_FATAL(harness_http(wdm.port, "POST", "/v1/manifests",
	    hdr, edi, strlen(edi), &r), 0);
	CU_ASSERT_EQUAL(r.status, 202);
	harness_response_free(&r);
	free(edi);
	CU_ASSERT_TRUE(wait_decided(WP_TRAIN));

	j = get_json("/v1/trains/" WP_TRAIN "/wagons/" WP_WAGON, officer_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	item = json_array_get(json_object_get(json_object_get(j, "goods"),
	    "items"), 0);
	CU_ASSERT_STRING_EQUAL(str(item, "hs"), "870850");
	CU_ASSERT_PTR_NULL(find_by(json_object_get(json_object_get(j, "goods"),
	    "items"), "hs", "870840"));
	CU_ASSERT_STRING_EQUAL(str(find_by(json_object_get(json_array_get(
	    json_object_get(j, "consignments"), 0), "parties"), "role",
	    "consignor"), "name"), "Getriebe Ost GmbH");
	json_decref(j);

	j = get_json("/v1/search?q=getriebe", officer_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	h = find_by2(hits_of(j, "parties"), "train", WP_TRAIN, "role",
	    "consignor");
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(str(h, "name"), "Getriebe Ost GmbH");
	CU_ASSERT_PTR_NULL(find_by2(hits_of(j, "parties"), "train", WP_TRAIN,
	    "name", "Getriebe Nord GmbH"));
	json_decref(j);
}

/*
 * The search's trigram indexes keep new entries pending (a 16 MB limit:
 * no insert here comes near it) until the daemon merges them after a
 * second with no decision being made (daemon/tidy.c); the search finds
 * the same from the merged index.  Without the daemon's merge the pending
 * pages stay until autovacuum, a minute or more.
 */
static void
t_search_pending_merged_when_idle(void)
{
	const char	*pending = "SELECT sum((pgstatginindex(i::regclass))"
			    ".pending_pages) FROM unnest(array["
			    "'search_train_parties_names_trgm', 'trains_train_no_trgm', "
			    "'wagons_number_trgm', 'wagons_containers_trgm']) i";
	char		*v;
	json_t		*j;

	free(harness_sql(&wpg, "CREATE EXTENSION IF NOT EXISTS pgstattuple"));
	v = harness_sql(&wpg, "SELECT count(*) FROM pg_class WHERE relname "
	    "LIKE '%\\_trgm' AND reloptions @> "
	    "'{gin_pending_list_limit=16384}'");
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "4");
	free(v);
	/* Something to merge: a train stored and decided just now. */
	CU_ASSERT_EQUAL_FATAL(harness_submit_fixture(wdm.port, operator_tok,
	    "edifact/cuscar_original_erenhot.edi"), 202);
	CU_ASSERT_TRUE(wait_decided("X8060"));
	CU_ASSERT_TRUE(harness_wait_sql(&wpg, pending, "0", 10000));
	j = get_json("/v1/search?q=getriebe", officer_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_PTR_NOT_NULL(find_by2(hits_of(j, "parties"), "train",
	    WP_TRAIN, "name", "Getriebe Ost GmbH"));
	json_decref(j);
}

/*
 * The merge waits while a decision is being made (daemon_deciding()):
 * store_decision() is wrapped to sleep 1.5 s once armed, so that a train's
 * evaluation stays in flight that long, and search_tidy() to note the
 * time of each call.  No merge begins between the train's submission and
 * its decision; one follows within a few seconds.  (With the tidier
 * deaf to decisions, a merge came a second into the sleep.)
 */
static const char tidy_wrap_sql[] =
    "CREATE TABLE test_tidy_calls (at timestamptz NOT NULL);"
    "CREATE TABLE test_decision_pause (armed boolean NOT NULL);"
    "INSERT INTO test_decision_pause VALUES (false);"
    "ALTER FUNCTION search_tidy() RENAME TO search_tidy_real;"
    "CREATE FUNCTION search_tidy() RETURNS bigint LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path = public AS $$ BEGIN "
    "INSERT INTO test_tidy_calls VALUES (clock_timestamp()); "
    "RETURN search_tidy_real(); END $$;"
    "GRANT EXECUTE ON FUNCTION search_tidy() TO railgate_app;"
    "ALTER FUNCTION store_decision(bigint, text, json, text, boolean, json, "
    "text, text, bigint, bigint, json) RENAME TO store_decision_real;"
    "CREATE FUNCTION store_decision(p_train bigint, p_owner text, p_doc json, "
    "p_outcome text, p_final boolean, p_wagons json, p_ruleset text, "
    "p_ruleset_name text, p_manifest bigint, p_last_event bigint, "
    "p_clearances json) RETURNS text LANGUAGE plpgsql SECURITY DEFINER "
    "SET search_path = public AS $$ DECLARE r text; BEGIN "
    "r := store_decision_real(p_train, p_owner, p_doc, p_outcome, p_final, "
    "p_wagons, p_ruleset, p_ruleset_name, p_manifest, p_last_event, "
    "p_clearances); "
    "IF (SELECT armed FROM test_decision_pause) THEN "
    "UPDATE test_decision_pause SET armed = false; "
    "PERFORM pg_sleep(1.5); END IF; RETURN r; END $$;"
    "GRANT EXECUTE ON FUNCTION store_decision(bigint, text, json, text, "
    "boolean, json, text, text, bigint, bigint, json) TO railgate_app;";

static void
t_search_tidy_waits_for_decisions(void)
{
	struct gen_options	 o = { 3, 40, 7731, false };
	struct manifest_train	*t = gen_train(&o);
	struct buf		 b = { 0 };
	char			 no[128], sql[256], *t0, *t1, *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	free(harness_sql(&wpg, tidy_wrap_sql));
	free(harness_sql(&wpg, "UPDATE test_decision_pause SET armed = true "
	    "RETURNING armed"));
	t0 = harness_sql(&wpg, "SELECT clock_timestamp()");
	edi_write_cuscar(t, NULL, &b);
	manifest_train_free(t);
	CU_ASSERT_EQUAL_FATAL(harness_submit_edifact(wdm.port, operator_tok,
	    b.data, b.len, no, sizeof no), 202);
	buf_free(&b);
	CU_ASSERT_TRUE(wait_decided(no));
	t1 = harness_sql(&wpg, "SELECT clock_timestamp()");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t1);
	/* The sleep happened: the decision took the 1.5 s. */
	snprintf(sql, sizeof sql, "SELECT ('%s'::timestamptz - '%s'::"
	    "timestamptz >= interval '1.5 s')::text", t1, t0);
	v = harness_sql(&wpg, sql);
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "true");
	free(v);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM test_tidy_calls WHERE "
	    "at BETWEEN '%s' AND '%s'", t0, t1);
	v = harness_sql(&wpg, sql);
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "0");
	free(v);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM test_tidy_calls WHERE "
	    "at > '%s'", t1);
	CU_ASSERT_TRUE(harness_wait_sql(&wpg, sql, "1", 5000));
	free(t0);
	free(t1);
}

static CU_TestInfo wagonpage_tests[] = {
	{ "t_wagonpage_declared", t_wagonpage_declared },
	{ "t_wagonpage_screening_hit", t_wagonpage_screening_hit },
	{ "t_wagonpage_events_and_neighbour", t_wagonpage_events_and_neighbour },
	{ "t_wagonpage_seal_check_changes_action",
	    t_wagonpage_seal_check_changes_action },
	{ "t_wagonpage_refusals", t_wagonpage_refusals },
	{ "t_wagonpage_goods_paged", t_wagonpage_goods_paged },
	{ "t_search_kinds", t_search_kinds },
	{ "t_search_bounded", t_search_bounded },
	{ "t_search_refusals", t_search_refusals },
	{ "t_wagonpage_roles", t_wagonpage_roles },
	{ "t_wagonpage_replacement_read_anew",
	    t_wagonpage_replacement_read_anew },
	{ "t_search_pending_merged_when_idle",
	    t_search_pending_merged_when_idle },
	{ "t_search_tidy_waits_for_decisions",
	    t_search_tidy_waits_for_decisions },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_wagonpage", wagonpage_init, wagonpage_clean,
    wagonpage_tests)
