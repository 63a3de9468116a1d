/*
 * test_parcels.c -- an e-commerce train parcel by parcel (docs/parcels.md,
 * issue 22), against the real daemon and PostgreSQL.
 *
 * The daemon runs with [station] parcel_setaside = yes.  The train of
 * issue 22: `railgate gen --ecommerce --items 100000 --wagons 55
 * --consignees 20000 --seed 3 --risk 0,value=0.05` (generated once):
 * 995 parcels over 5,000 CNY (ecommerce-value, DOC_CHECK) spread over
 * every wagon -- without parcel_setaside all 55 wagons wait for a
 * document check and the train is HOLD (`railgate check`) -- and no
 * other hit under the default rule set (no wagon selected at random with
 * this seed), so every wagon is released and only the parcels are set
 * aside.  The tests read which parcels from the daemon, never assume
 * them.
 *
 * Then: a suspect CT scan of one parcel sets that parcel (and nothing
 * else) aside at INSPECT; a bulk resolution of one rule in one container
 * releases exactly those parcels; the events refused (an unknown
 * tracking number, an operator, a posted parcel_resolution, crafted
 * values) store and audit nothing; the approval is refused while
 * containers are still to unload and accepted once each is unloaded.
 * Last, with parcel_setaside = no (a reload), a train is decided as
 * before: its parcels' hits reach their wagons.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "runs.h"
#include "unit.h"

#define GEN_ARGS	"--ecommerce --items 100000 --wagons 55 " \
			"--consignees 20000 --seed 3 --risk 0,value=0.05"
#define OFF_ARGS	"--ecommerce --items 10000 --wagons 55 --seed 10 " \
			"--risk 0,value=0.05"
#define UNKNOWN_TRACKING "ZZ000000000ZZ"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], officer2_token[64];
static char	sup_token[64], device_token[64], auditor_token[64];
static char	train[32];		/* the 100,000-parcel train */
static char	*edi;			/* its bytes */
static size_t	 edi_len;

/* GET /v1/trains/{t}/decision, parsed (caller frees), NULL if not 200. */
static json_t *
decision_of(const char *t)
{
	char	path[128], *body = NULL;
	json_t	*j = NULL;

	snprintf(path, sizeof path, "/v1/trains/%s/decision", t);
	if (officers_call(dm.port, officer_token, "GET", path, NULL,
	    &body) == 200)
		j = json_loads(body, 0, NULL);
	free(body);
	return j;
}

/* POST /v1/trains/{train}/events as token; status, body in *body. */
static int
post_event(const char *token, const char *json, char **body)
{
	char	path[128];

	snprintf(path, sizeof path, "/v1/trains/%s/events", train);
	return officers_call(dm.port, token, "POST", path, json, body);
}

/* POST .../parcels/resolution as token. */
static int
post_resolution(const char *token, const char *json, char **body)
{
	char	path[128];

	snprintf(path, sizeof path, "/v1/trains/%s/parcels/resolution",
	    train);
	return officers_call(dm.port, token, "POST", path, json, body);
}

/* The events and audit records of the train, "events/audit". */
static char *
stored_counts(void)
{
	return officers_sql(&pg, "SELECT (SELECT count(*) FROM events e WHERE "
	    "e.train_id = t.id) || '/' || (SELECT count(*) FROM audit_log a "
	    "WHERE a.train_id = t.id) FROM trains t WHERE t.train_no = '%s'",
	    train);
}

static int
parcels_init(void)
{
	char	conf[2048];

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[station]\nparcel_setaside = yes\n",
	    pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.parcels", officer_token) < 0 ||
	    harness_token(&pg, "officer", "o.second", officer2_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.parcels", sup_token) < 0 ||
	    harness_token(&pg, "device", "ct-scanner-1", device_token) < 0 ||
	    harness_token(&pg, "auditor", "a.parcels", auditor_token) < 0)
		return -1;
	if ((edi = runs_generate(dm.dir, GEN_ARGS, "parcels.edi", &edi_len)) == NULL)
		return -1;
	if (runs_post_manifest(dm.port, operator_token, edi, edi_len, train, sizeof train) != 202 ||
	    train[0] == '\0' || !officers_decided(&pg, train))
		return -1;
	return 0;
}

static int
parcels_clean(void)
{
	free(edi);
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/*
 * Every wagon released; the parcels set aside listed by container, in
 * train order, and counted consistently.
 */
static void
t_parcels_set_aside_not_wagons(void)
{
	json_t		*d = decision_of(train), *p, *c, *e, *u, *w;
	const char	*prev_cont = "", *prev_tr = "";
	long		 prev_pos = 0, n_unload = 0;
	size_t		 i, k;
	int		 randoms = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(d, "wagons")), 55);
	/*
	 * Every wagon released: no parcel's hit reaches one.  The random
	 * selection draws from the rule set's hash (none with the default
	 * rule set today); should a change of the rule set select a wagon,
	 * that hit alone may hold it.
	 */
	json_array_foreach(json_object_get(d, "wagons"), i, w) {
		if (strcmp(runs_str(w, "action"), "RELEASE") == 0)
			continue;
		randoms++;
		json_array_foreach(json_object_get(w, "hits"), k, e)
			CU_ASSERT_STRING_EQUAL(runs_str(e, "rule"), "random");
	}
	CU_ASSERT_STRING_EQUAL(runs_str(d, "decision"), randoms == 0 ? "RELEASE" :
	    "PARTIAL_RELEASE");
	p = json_object_get(d, "parcels");
	c = json_object_get(p, "counts");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(runs_num(c, "parcels") > 90000);
	CU_ASSERT(runs_num(c, "set_aside") > 900);
	CU_ASSERT_EQUAL(runs_num(c, "released") + runs_num(c, "audit") +
	    runs_num(c, "resolved") + runs_num(c, "set_aside"), runs_num(c, "parcels"));
	CU_ASSERT_EQUAL(runs_num(c, "doc_check") + runs_num(c, "inspect") +
	    runs_num(c, "hold") + runs_num(c, "refuse"), runs_num(c, "set_aside"));
	CU_ASSERT_EQUAL(runs_num(c, "doc_check"), runs_num(c, "set_aside"));
	CU_ASSERT_EQUAL((long)json_array_size(json_object_get(p, "set_aside")),
	    runs_num(c, "set_aside"));
	/* Sorted by position, container, tracking; all the value rule's. */
	json_array_foreach(json_object_get(p, "set_aside"), i, e) {
		CU_ASSERT_STRING_EQUAL(runs_str(e, "rule"), "ecommerce-value");
		CU_ASSERT_STRING_EQUAL(runs_str(e, "action"), "DOC_CHECK");
		CU_ASSERT(runs_str(e, "tracking")[0] != '\0');
		CU_ASSERT(runs_num(e, "position") > prev_pos || (runs_num(e, "position") ==
		    prev_pos && (strcmp(runs_str(e, "container"), prev_cont) > 0 ||
		    (strcmp(runs_str(e, "container"), prev_cont) == 0 &&
		    strcmp(runs_str(e, "tracking"), prev_tr) > 0))));
		prev_pos = runs_num(e, "position");
		prev_cont = runs_str(e, "container");
		prev_tr = runs_str(e, "tracking");
	}
	/* One unload entry per container, its count the list's. */
	json_array_foreach(json_object_get(p, "unload"), i, u) {
		long n = 0;

		json_array_foreach(json_object_get(p, "set_aside"), k, e)
			if (strcmp(runs_str(e, "container"), runs_str(u, "container")) == 0)
				n++;
		CU_ASSERT_EQUAL(runs_num(u, "parcels"), n);
		CU_ASSERT_TRUE(json_is_false(json_object_get(u, "unloaded")));
		n_unload += n;
	}
	CU_ASSERT_EQUAL(n_unload, runs_num(c, "set_aside"));
	/* The chained audit record says the parcels were set aside. */
	OFFICERS_CHECK_SQL(&pg, "true", "SELECT ((a.details::json->'parcels'->>"
	    "'set_aside')::bigint = %ld)::text FROM audit_log a JOIN trains t "
	    "ON t.id = a.train_id WHERE t.train_no = '%s' AND a.action = "
	    "'decision.provisional' ORDER BY a.seq LIMIT 1",
	    runs_num(c, "set_aside"), train);
	json_decref(d);
}

/* A tracking number of the manifest that is not set aside. */
static char *
tracking_not_set_aside(const json_t *set)
{
	const char	*p = edi;
	const json_t	*e;
	size_t		 i, n;
	char		 t[40];
	bool		 aside;

	while ((p = strstr(p, "PCI+18+")) != NULL) {
		p += 7;
		n = strcspn(p, "'+:");
		if (n == 0 || n >= sizeof t)
			continue;
		memcpy(t, p, n);
		t[n] = '\0';
		aside = false;
		json_array_foreach(set, i, e)
			if (strcmp(runs_str(e, "tracking"), t) == 0)
				aside = true;
		if (!aside)
			return xstrdup(t);
	}
	return NULL;
}

/* A suspect CT scan sets that parcel aside, at INSPECT, and no other. */
static void
t_parcels_scan_suspect(void)
{
	json_t	*before = decision_of(train), *after, *e;
	json_t	*set0 = json_object_get(json_object_get(before, "parcels"),
		    "set_aside");
	char	*tracking = tracking_not_set_aside(set0), json[256], *body;
	long	 id = runs_decision_id(&pg, train);
	size_t	 i, found = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tracking);
	snprintf(json, sizeof json, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"%s\",\"result\":\"suspect\"}", tracking);
	CU_ASSERT_EQUAL(post_event(device_token, json, &body), 202);
	free(body);
	CU_ASSERT_TRUE_FATAL(runs_decided_after(&pg, train, id));
	after = decision_of(train);
	e = json_object_get(json_object_get(after, "parcels"), "set_aside");
	CU_ASSERT_EQUAL(json_array_size(e), json_array_size(set0) + 1);
	json_array_foreach(e, i, set0)
		if (strcmp(runs_str(set0, "tracking"), tracking) == 0) {
			found++;
			CU_ASSERT_STRING_EQUAL(runs_str(set0, "action"), "INSPECT");
			CU_ASSERT_STRING_EQUAL(runs_str(set0, "rule"),
			    "parcel-ct-suspect");
		}
	CU_ASSERT_EQUAL(found, 1);
	CU_ASSERT_EQUAL(runs_num(json_object_get(json_object_get(after, "parcels"),
	    "counts"), "inspect"), 1);
	CU_ASSERT_STRING_EQUAL(runs_str(after, "decision"), runs_str(before, "decision"));
	json_decref(before);
	json_decref(after);
	free(tracking);
}

/* Posts json to the events as token; asserts status and title. */
static void
refused(const char *token, const char *json, int status, const char *title)
{
	char	*body = NULL;
	int	 got = post_event(token, json, &body);

	if (got != status || (title != NULL && strstr(body, title) == NULL))
		fprintf(stderr, "\n%s -> %d %s\n", json, got, body);
	CU_ASSERT_EQUAL(got, status);
	if (title != NULL)
		CU_ASSERT_PTR_NOT_NULL(strstr(body, title));
	free(body);
}

/* Refused events store nothing and audit nothing. */
static void
t_parcels_event_refusals(void)
{
	char	*before = stored_counts(), *after, *big, *body = NULL;
	json_t	*p;
	size_t	 len;
	int	 status;

	status = post_event(officer_token, "{\"type\":\"parcel_scan\","
	    "\"tracking\":\"" UNKNOWN_TRACKING "\",\"result\":\"clear\"}",
	    &body);
	CU_ASSERT_EQUAL(status, 422);
	p = json_loads(body, 0, NULL);
	CU_ASSERT_STRING_EQUAL(runs_str(p, "title"), "Unknown parcel");
	CU_ASSERT_STRING_EQUAL(runs_str(p, "field"), "tracking");
	CU_ASSERT_STRING_EQUAL(runs_str(p, "tracking"), UNKNOWN_TRACKING);
	CU_ASSERT_PTR_NOT_NULL(strstr(runs_str(p, "detail"), "carries no parcel "
	    "with tracking number " UNKNOWN_TRACKING));
	json_decref(p);
	free(body);
	refused(operator_token, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"LX1\",\"result\":\"clear\"}", 403, NULL);
	refused(operator_token, "{\"type\":\"unloaded\",\"container\":"
	    "\"CSQU3054383\"}", 403, NULL);
	refused(officer_token, "{\"type\":\"parcel_resolution\",\"rule\":"
	    "\"ecommerce-value\",\"parcels\":[\"LX1\"],\"action\":\"release\","
	    "\"reason\":\"x\"}", 422, "Unprocessable Event");
	refused(officer_token, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"LX12\\n3\",\"result\":\"clear\"}", 422, "Unprocessable Event");
	refused(officer_token, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"LX12\\u00003\",\"result\":\"clear\"}", 400, NULL);
	refused(officer_token, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"123456789012345678901234567890123456\",\"result\":\"clear\"}",
	    422, "Unprocessable Event");
	refused(officer_token, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"LX1\",\"result\":\"maybe\"}", 422, "Unprocessable Event");
	refused(officer_token, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"LX1\",\"result\":\"clear\",\"wagon\":\"x\"}", 422,
	    "Unprocessable Event");
	refused(officer_token, "{\"type\":\"unloaded\",\"container\":"
	    "\"NOTA0000000\"}", 422, "Unknown equipment");
	refused(officer_token, "{\"type\":\"unloaded\"}", 422,
	    "Unprocessable Event");
	big = xmalloc(12000);
	strcpy(big, "{\"type\":\"parcel_scan\",\"result\":\"clear\","
	    "\"tracking\":\"");
	len = strlen(big);
	memset(big + len, 'A', 10240);
	strcpy(big + len + 10240, "\"}");
	refused(device_token, big, 422, "Unprocessable Event");
	free(big);
	after = stored_counts();
	CU_ASSERT_STRING_EQUAL(after, before);
	free(before);
	free(after);
}

/*
 * Each parcel_scan is a lookup in the kept model's table: 200 of them
 * (refused, so that nothing is stored) take well under a second.
 */
static void
t_parcels_scan_lookup_speed(void)
{
	struct timespec	a, b;
	char		json[256];
	double		ms;
	int		i, ok = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 200; i++) {
		snprintf(json, sizeof json, "{\"type\":\"parcel_scan\","
		    "\"tracking\":\"ZZ%09dZZ\",\"result\":\"clear\"}", i);
		ok += post_event(device_token, json, NULL) == 422;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	fprintf(stderr, "\n200 parcel_scan lookups (100,000 parcels): "
	    "%.1f ms, %.2f ms each\n", ms, ms / 200);
	CU_ASSERT_EQUAL(ok, 200);
	CU_ASSERT(ms < 10000);
}

/* A container holding some, not all, of the value rule's parcels. */
static char *
container_to_resolve(const json_t *set, long *n)
{
	const json_t	*e, *f;
	size_t		 i, k;
	long		 total = 0;

	json_array_foreach(set, i, e)
		if (strcmp(runs_str(e, "rule"), "ecommerce-value") == 0)
			total++;
	json_array_foreach(set, i, e) {
		*n = 0;
		json_array_foreach(set, k, f)
			if (strcmp(runs_str(f, "container"), runs_str(e, "container")) == 0 &&
			    strcmp(runs_str(f, "rule"), "ecommerce-value") == 0)
				(*n)++;
		if (*n > 0 && *n < total)
			return xstrdup(runs_str(e, "container"));
	}
	return NULL;
}

/* The bulk resolution's refusals: roles, members, nothing to resolve. */
static void
t_parcels_resolution_refusals(void)
{
	char	*before = stored_counts(), *after, *body;
	int	 s;

	CU_ASSERT_EQUAL(post_resolution(operator_token, "{\"rule\":\"x\","
	    "\"action\":\"release\",\"reason\":\"r\"}", NULL), 403);
	CU_ASSERT_EQUAL(post_resolution(auditor_token, "{\"rule\":\"x\","
	    "\"action\":\"release\",\"reason\":\"r\"}", NULL), 403);
	CU_ASSERT_EQUAL(post_resolution(device_token, "{\"rule\":\"x\","
	    "\"action\":\"release\",\"reason\":\"r\"}", NULL), 403);
	CU_ASSERT_EQUAL(post_resolution(officer_token, "{\"rule\":"
	    "\"ecommerce-value\",\"action\":\"release\",\"reason\":\"r\","
	    "\"parcels\":[\"LX1\"]}", NULL), 422);
	CU_ASSERT_EQUAL(post_resolution(officer_token, "{\"rule\":"
	    "\"ecommerce-value\",\"action\":\"hold\",\"reason\":\"r\"}", NULL),
	    422);
	CU_ASSERT_EQUAL(post_resolution(officer_token, "{\"rule\":"
	    "\"ecommerce-value\",\"action\":\"release\"}", NULL), 422);
	CU_ASSERT_EQUAL(post_resolution(officer_token, "{\"rule\":"
	    "\"ecommerce-value\",\"action\":\"release\",\"reason\":\"a\\nb\"}",
	    NULL), 422);
	CU_ASSERT_EQUAL(post_resolution(officer_token, "{\"rule\":"
	    "\"ecommerce-value\\n\",\"action\":\"release\",\"reason\":\"r\"}",
	    NULL), 422);
	s = post_resolution(officer_token, "{\"rule\":\"ecommerce-value\","
	    "\"container\":\"NOTA0000000\",\"action\":\"release\",\"reason\":"
	    "\"r\"}", &body);
	CU_ASSERT_EQUAL(s, 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Unknown equipment"));
	free(body);
	s = post_resolution(sup_token, "{\"rule\":\"no-such-rule\","
	    "\"action\":\"release\",\"reason\":\"r\"}", &body);
	CU_ASSERT_EQUAL(s, 409);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "no parcel set aside by rule "
	    "no-such-rule"));
	free(body);
	after = stored_counts();
	CU_ASSERT_STRING_EQUAL(after, before);
	free(before);
	free(after);
}

/* One rule in one container: exactly those parcels released. */
static void
t_parcels_resolution_container(void)
{
	json_t	*d = decision_of(train), *set, *r, *e, *d2, *c;
	char	*cont, json[512], *body, *v;
	long	 n = 0, id, total_before;
	size_t	 i, left = 0, kept_other = 0;

	set = json_object_get(json_object_get(d, "parcels"), "set_aside");
	total_before = (long)json_array_size(set);
	cont = container_to_resolve(set, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cont);
	id = runs_decision_id(&pg, train);
	snprintf(json, sizeof json, "{\"rule\":\"ecommerce-value\","
	    "\"container\":\"%s\",\"action\":\"release\",\"reason\":"
	    "\"invoices checked for the parcels\"}", cont);
	CU_ASSERT_EQUAL(post_resolution(officer_token, json, &body), 200);
	r = json_loads(body, 0, NULL);
	CU_ASSERT_EQUAL(runs_num(r, "count"), n);
	CU_ASSERT_EQUAL((long)json_array_size(json_object_get(r, "parcels")), n);
	CU_ASSERT_STRING_EQUAL(runs_str(r, "container"), cont);
	json_decref(r);
	free(body);
	/* The same again before the new decision: not on a stale one. */
	CU_ASSERT_EQUAL(post_resolution(officer2_token, json, NULL), 409);
	CU_ASSERT_TRUE_FATAL(runs_decided_after(&pg, train, id));
	d2 = decision_of(train);
	c = json_object_get(json_object_get(d2, "parcels"), "counts");
	CU_ASSERT_EQUAL(runs_num(c, "resolved"), n);
	json_array_foreach(json_object_get(json_object_get(d2, "parcels"),
	    "set_aside"), i, e) {
		if (strcmp(runs_str(e, "container"), cont) == 0 &&
		    strcmp(runs_str(e, "rule"), "ecommerce-value") == 0)
			left++;
		else
			kept_other++;
	}
	CU_ASSERT_EQUAL(left, 0);
	CU_ASSERT_EQUAL((long)kept_other, total_before - n);
	/* Resolving twice: nothing left to resolve. */
	CU_ASSERT_EQUAL(post_resolution(officer2_token, json, NULL), 409);
	/* One event naming the parcels, one audit record. */
	v = officers_sql(&pg, "SELECT json_array_length(e.body->'parcels') || "
	    "'/' || e.principal FROM events e JOIN trains t ON t.id = "
	    "e.train_id WHERE t.train_no = '%s' AND e.type = "
	    "'parcel_resolution'", train);
	snprintf(json, sizeof json, "%ld/o.parcels", n);
	CU_ASSERT_STRING_EQUAL(v, json);
	free(v);
	OFFICERS_CHECK_SQL(&pg, "1", "SELECT count(*) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action = 'event.parcel_resolution'", train);
	json_decref(d);
	json_decref(d2);
	free(cont);
}

/* The store refuses an event checked against another manifest. */
static void
t_parcels_manifest_replaced(void)
{
	OFFICERS_CHECK_SQL(&pg, "conflict", "SELECT outcome FROM add_event("
	    "'%s', 'parcel_scan', '{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"LX1\",\"result\":\"clear\"}', 'o.parcels', NULL, 'officer', "
	    "NULL, -1)", train);
	OFFICERS_CHECK_SQL(&pg, "conflict", "SELECT outcome FROM add_event("
	    "'%s', 'parcel_resolution', '{}', 'o.parcels', NULL, 'officer')",
	    train);
}

/* Approval waits for every container to be unloaded. */
static void
t_parcels_approval_after_unload(void)
{
	json_t	*d = decision_of(train), *u;
	char	 path[128], json[256], *body = NULL, *v;
	long	 id;
	size_t	 i;
	int	 s;

	snprintf(path, sizeof path, "/v1/trains/%s/approve", train);
	s = officers_call(dm.port, officer_token, "POST", path,
	    "{\"reason\":\"parcels set aside\"}", &body);
	CU_ASSERT_EQUAL(s, 409);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Parcels to unload"));
	u = json_array_get(json_object_get(json_object_get(d, "parcels"),
	    "unload"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, runs_str(u, "container")));
	free(body);
	OFFICERS_CHECK_SQL(&pg, "false", "SELECT decision_final::text FROM "
	    "trains WHERE train_no = '%s'", train);
	OFFICERS_CHECK_SQL(&pg, "f", "SELECT parcels_unload_pending(decision, "
	    "NULL) IS NULL FROM trains WHERE train_no = '%s'", train);
	id = runs_decision_id(&pg, train);
	json_array_foreach(json_object_get(json_object_get(d, "parcels"),
	    "unload"), i, u) {
		snprintf(json, sizeof json, "{\"type\":\"unloaded\","
		    "\"container\":\"%s\"}", runs_str(u, "container"));
		CU_ASSERT_EQUAL(post_event(i % 2 ? device_token :
		    officer2_token, json, NULL), 202);
	}
	CU_ASSERT_TRUE_FATAL(runs_decided_after(&pg, train, id));
	/* Each unloading names its parcels and the goods declared. */
	OFFICERS_CHECK_SQL(&pg, "0", "SELECT count(*) FROM events e JOIN "
	    "trains t ON t.id = e.train_id WHERE t.train_no = '%s' AND "
	    "e.type = 'unloaded' AND (json_array_length(e.body->'parcels') "
	    "< 1 OR length(e.body->>'goods_sha256') <> 64)", train);
	/* A container with nothing set aside: nothing to unload. */
	v = officers_sql(&pg, "SELECT c FROM wagons w JOIN trains t ON t.id = "
	    "w.train_id, unnest(w.container_numbers) c WHERE t.train_no = "
	    "'%s' AND NOT EXISTS (SELECT 1 FROM json_array_elements("
	    "t.decision->'parcels'->'unload') u WHERE u->>'container' = c) "
	    "ORDER BY c LIMIT 1", train);
	snprintf(json, sizeof json, "{\"type\":\"unloaded\","
	    "\"container\":\"%s\"}", v);
	refused(officer_token, json, 409, "Nothing to unload");
	free(v);
	s = officers_call(dm.port, sup_token, "POST", path,
	    "{\"reason\":\"parcels unloaded at the site\"}", &body);
	if (s != 200)
		fprintf(stderr, "\napprove -> %d %s\n", s, body);
	CU_ASSERT_EQUAL(s, 200);
	free(body);
	json_decref(d);
	/* Parcels left at the site are released after the train went, once. */
	id = runs_decision_id(&pg, train);
	s = post_resolution(sup_token, "{\"rule\":\"ecommerce-value\","
	    "\"action\":\"release\",\"reason\":\"invoices checked\"}", &body);
	CU_ASSERT_EQUAL(s, 200);
	d = json_loads(body, 0, NULL);
	CU_ASSERT(runs_num(d, "count") > 0);
	json_decref(d);
	free(body);
	CU_ASSERT_TRUE_FATAL(runs_decided_after(&pg, train, id));
	CU_ASSERT_EQUAL(post_resolution(sup_token, "{\"rule\":"
	    "\"ecommerce-value\",\"action\":\"release\",\"reason\":"
	    "\"again\"}", NULL), 409);
	OFFICERS_CHECK_SQL(&pg, "true", "SELECT decision_final::text FROM trains "
	    "WHERE train_no = '%s'", train);
}

/* parcel_setaside = no (a reload): the parcels' hits reach the wagons. */
static void
t_parcels_setaside_off(void)
{
	char	*conf, *p, *data, *log, other[32] = "", *cont, json[256];
	size_t	 len, i;
	json_t	*d, *w;
	int	 doc_check = 0;

	CU_ASSERT_EQUAL_FATAL(file_read_all(dm.conf, &conf, &len), 0);
	p = strstr(conf, "parcel_setaside = yes");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memcpy(p + strlen("parcel_setaside = "), "no ", 3);
	CU_ASSERT_EQUAL(harness_daemon_write_conf(&dm, conf), 0);
	free(conf);
	kill(dm.pid, SIGHUP);
	for (i = 0; i < 50; i++) {
		if (file_read_all(dm.log, &log, &len) == -1)
			log = NULL;
		if (log != NULL && strstr(log, "configuration reloaded") != NULL) {
			free(log);
			break;
		}
		free(log);
		usleep(100000);
	}
	CU_ASSERT(i < 50);
	data = runs_generate(dm.dir, OFF_ARGS, "off.edi", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL(runs_post_manifest(dm.port, operator_token, data, len, other, sizeof other), 202);
	free(data);
	CU_ASSERT_TRUE_FATAL(officers_decided(&pg, other));
	d = decision_of(other);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NULL(json_object_get(d, "parcels"));
	json_array_foreach(json_object_get(d, "wagons"), i, w)
		if (strcmp(runs_str(w, "action"), "DOC_CHECK") == 0)
			doc_check++;
	CU_ASSERT(doc_check > 0);
	json_decref(d);
	/* A container of that other run is none of the first's. */
	cont = officers_sql(&pg, "SELECT w.container_numbers[1] FROM wagons w "
	    "JOIN trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "cardinality(w.container_numbers) > 0 AND NOT EXISTS (SELECT 1 "
	    "FROM wagons x JOIN trains y ON y.id = x.train_id WHERE "
	    "y.train_no = '%s' AND w.container_numbers[1] = ANY "
	    "(x.container_numbers)) ORDER BY w.position LIMIT 1", other, train);
	CU_ASSERT_FATAL(cont[0] != '\0');
	snprintf(json, sizeof json, "{\"type\":\"unloaded\",\"container\":"
	    "\"%s\"}", cont);
	refused(officer_token, json, 422, "Unknown equipment");
	snprintf(json, sizeof json, "{\"rule\":\"ecommerce-value\","
	    "\"container\":\"%s\",\"action\":\"release\",\"reason\":"
	    "\"r\"}", cont);
	CU_ASSERT_EQUAL(post_resolution(officer_token, json, NULL), 422);
	free(cont);
}

static CU_TestInfo parcels_tests[] = {
	{ "t_parcels_set_aside_not_wagons", t_parcels_set_aside_not_wagons },
	{ "t_parcels_event_refusals", t_parcels_event_refusals },
	{ "t_parcels_scan_suspect", t_parcels_scan_suspect },
	{ "t_parcels_scan_lookup_speed", t_parcels_scan_lookup_speed },
	{ "t_parcels_resolution_refusals", t_parcels_resolution_refusals },
	{ "t_parcels_resolution_container", t_parcels_resolution_container },
	{ "t_parcels_manifest_replaced", t_parcels_manifest_replaced },
	{ "t_parcels_approval_after_unload", t_parcels_approval_after_unload },
	{ "t_parcels_setaside_off", t_parcels_setaside_off },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_parcels", parcels_init, parcels_clean, parcels_tests)
