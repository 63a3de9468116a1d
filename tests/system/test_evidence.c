/*
 * test_evidence.c -- issue 17, item 3 on the daemon's side: evidence has
 * an author, and bad evidence is refused with nothing stored.
 *
 * integration_evidence: a device token (one per weighbridge or scanner)
 * posts control evidence and nothing else, never a re-weigh; every event
 * records its author (name, role, device), shown by GET
 * /v1/trains/{id}/events (events from before: role "unknown") and in the
 * event's audit record; a scan names a container or a wagon; an event
 * naming equipment the run does not have is 422 naming it and the member.
 * Each refusal leaves the events and the audit log as they were.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define EV_TRAIN	"X9300"
#define EV_WAGON	"218124712173"
#define EV_CONTAINER	"CSQU3054383"

static struct harness_pg	epg;
static struct harness_daemon	edm;
static char			device_tok[64], officer_tok[64];
static char			supervisor_tok[64], auditor_tok[64];

static int
evidence_init(void)
{
	if (harness_pg_start(&epg) < 0 || harness_daemon_start(&edm,
	    epg.conf) < 0)
		return -1;
	if (harness_token(&epg, "device", "wb.dostyk.2", device_tok) < 0 ||
	    harness_token(&epg, "officer", "e.officer", officer_tok) < 0 ||
	    harness_token(&epg, "supervisor", "e.supervisor",
	    supervisor_tok) < 0 ||
	    harness_token(&epg, "auditor", "e.auditor", auditor_tok) < 0)
		return -1;
	/* A wagon carrying a container; no manifest row, so nothing is
	 * evaluated behind the tests' backs. */
	free(harness_sql(&epg, "WITH t AS (INSERT INTO trains (train_no, run, "
	    "state) VALUES ('" EV_TRAIN "', 1, 'evaluated') RETURNING id) "
	    "INSERT INTO wagons (train_id, position, number, containers, "
	    "container_numbers) SELECT id, 1, '" EV_WAGON "', 1, ARRAY['"
	    EV_CONTAINER "'] FROM t RETURNING 1"));
	return 0;
}

static int
evidence_clean(void)
{
	harness_daemon_stop(&edm);
	harness_pg_stop(&epg);
	return 0;
}

/* A request as token; the status (-1: no answer), the body in *reply. */
static int
call(const char *method, const char *path, const char *token,
    const char *body, char **reply)
{
	struct harness_response	r;
	char			hdr[256];
	int			st;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(edm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, &r) < 0)
		return -1;
	st = r.status;
	if (reply != NULL)
		*reply = xstrdup(r.body != NULL ? r.body : "");
	harness_response_free(&r);
	return st;
}

static int
post_event(const char *token, const char *body, char **reply)
{
	return call("POST", "/v1/trains/" EV_TRAIN "/events", token, body,
	    reply);
}

static long
sql_long(const char *sql)
{
	char	*v = harness_sql(&epg, sql);
	long	 n = v != NULL ? atol(v) : -1;

	free(v);
	return n;
}

/* Member key of the problem document body, owned ("" when none). */
static char *
problem_member(const char *body, const char *key)
{
	json_t	*j = json_loads(body, 0, NULL);
	char	*s = xstrdup(j != NULL && json_string_value(json_object_get(j,
		    key)) != NULL ? json_string_value(json_object_get(j,
		    key)) : "");

	json_decref(j);
	return s;
}

/* Nothing stored since the counts were taken. */
static void
check_nothing_stored(long events, long audit)
{
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM events"), events);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM audit_log"), audit);
}

/* A device posts weighbridge, scan and seal check readings, as itself. */
static void
t_evidence_device_posts_evidence(void)
{
	static const char *const bodies[] = {
		"{\"type\":\"weighbridge\",\"wagon\":\"" EV_WAGON "\","
		    "\"gross_kg\":61200}",
		"{\"type\":\"scan\",\"wagon\":\"" EV_WAGON "\",\"result\":"
		    "\"clear\"}",
		"{\"type\":\"seal_check\",\"equipment\":\"" EV_CONTAINER "\","
		    "\"seal\":\"KZ123456\",\"condition\":\"intact\"}",
		/* Naming itself is the same. */
		"{\"type\":\"scan\",\"container\":\"" EV_CONTAINER "\",\"result\""
		    ":\"suspect\",\"device\":\"wb.dostyk.2\"}",
	};
	long	events = sql_long("SELECT count(*) FROM events");
	char	*v;
	size_t	i;

	for (i = 0; i < nitems(bodies); i++)
		CU_ASSERT_EQUAL(post_event(device_tok, bodies[i], NULL), 202);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM events"),
	    events + (long)nitems(bodies));
	v = harness_sql(&epg, "SELECT string_agg(principal || '/' || role || "
	    "'/' || device || '/' || (body->>'device'), ',') FROM events WHERE "
	    "principal = 'wb.dostyk.2'");
	CU_ASSERT_STRING_EQUAL(v, "wb.dostyk.2/device/wb.dostyk.2/wb.dostyk.2,"
	    "wb.dostyk.2/device/wb.dostyk.2/wb.dostyk.2,"
	    "wb.dostyk.2/device/wb.dostyk.2/wb.dostyk.2,"
	    "wb.dostyk.2/device/wb.dostyk.2/wb.dostyk.2");
	free(v);
}

/* A device posts nothing else and reads nothing: 403, nothing stored. */
static void
t_evidence_device_nothing_else(void)
{
	static const char *const reads[] = { "/v1/trains",
	    "/v1/trains/" EV_TRAIN, "/v1/trains/" EV_TRAIN "/events",
	    "/v1/trains/" EV_TRAIN "/audit", "/v1/peer" };
	long	events = sql_long("SELECT count(*) FROM events");
	long	audit = sql_long("SELECT count(*) FROM audit_log");
	size_t	i;

	CU_ASSERT_EQUAL(post_event(device_tok, "{\"type\":\"position\","
	    "\"eta\":\"2026-11-22T10:00:00Z\"}", NULL), 403);
	CU_ASSERT_EQUAL(post_event(device_tok, "{\"type\":\"arrived\"}", NULL),
	    403);
	CU_ASSERT_EQUAL(call("POST", "/v1/trains/" EV_TRAIN "/approve",
	    device_tok, "{\"reason\":\"x\"}", NULL), 403);
	CU_ASSERT_EQUAL(call("POST", "/v1/trains/" EV_TRAIN "/wagons/" EV_WAGON
	    "/resolution", device_tok, "{\"action\":\"release\",\"reason\":"
	    "\"x\"}", NULL), 403);
	for (i = 0; i < nitems(reads); i++)
		CU_ASSERT_EQUAL(call("GET", reads[i], device_tok, NULL, NULL),
		    403);
	check_nothing_stored(events, audit);
}

/* A re-weigh is a person's: 403 for a device, nothing stored; officers
 * and supervisors record one. */
static void
t_evidence_reweigh_officers_only(void)
{
	const char	*reweigh = "{\"type\":\"weighbridge\",\"wagon\":\""
			    EV_WAGON "\",\"gross_kg\":60100,\"reweigh\":true}";
	long		 events = sql_long("SELECT count(*) FROM events");
	long		 audit = sql_long("SELECT count(*) FROM audit_log");
	char		*reply = NULL, *d;

	CU_ASSERT_EQUAL(post_event(device_tok, reweigh, &reply), 403);
	d = problem_member(reply, "detail");
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "a device may not record a re-weigh"));
	free(d);
	free(reply);
	/* Nor a reading under another device's name. */
	CU_ASSERT_EQUAL(post_event(device_tok, "{\"type\":\"weighbridge\","
	    "\"wagon\":\"" EV_WAGON "\",\"gross_kg\":60100,\"device\":"
	    "\"wb.dostyk.1\"}", NULL), 422);
	check_nothing_stored(events, audit);
	CU_ASSERT_EQUAL(post_event(officer_tok, reweigh, NULL), 202);
	CU_ASSERT_EQUAL(post_event(supervisor_tok, reweigh, NULL), 202);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM events WHERE "
	    "(body->>'reweigh')::boolean AND role IN ('officer', "
	    "'supervisor')"), 2);
}

/* Malformed bodies: 422 naming the member; nothing stored. */
static void
t_evidence_bodies_checked(void)
{
	static const struct {
		const char	*body, *says;
	} bad[] = {
		{ "{\"type\":\"scan\",\"container\":\"" EV_CONTAINER "\","
		    "\"wagon\":\"" EV_WAGON "\",\"result\":\"clear\"}",
		    "exactly one of" },
		{ "{\"type\":\"scan\",\"result\":\"clear\"}", "exactly one of" },
		{ "{\"type\":\"scan\",\"wagon\":7,\"result\":\"clear\"}",
		    "\"wagon\"" },
		{ "{\"type\":\"weighbridge\",\"wagon\":\"" EV_WAGON "\","
		    "\"gross_kg\":1000,\"reweigh\":\"yes\"}", "\"reweigh\"" },
		{ "{\"type\":\"weighbridge\",\"wagon\":\"" EV_WAGON "\","
		    "\"gross_kg\":1000,\"device\":\"\"}", "\"device\"" },
		{ "{\"type\":\"seal_check\",\"equipment\":\"" EV_CONTAINER "\","
		    "\"seal\":\"K1\",\"condition\":\"intact\",\"device\":3}",
		    "\"device\"" },
	};
	long	events = sql_long("SELECT count(*) FROM events");
	long	audit = sql_long("SELECT count(*) FROM audit_log");
	char	*reply, *d;
	size_t	i;

	for (i = 0; i < nitems(bad); i++) {
		reply = NULL;
		CU_ASSERT_EQUAL(post_event(officer_tok, bad[i].body, &reply),
		    422);
		d = problem_member(reply, "detail");
		if (strstr(d, bad[i].says) == NULL) {
			fprintf(stderr, "\n%s: %s\n", bad[i].body, d);
			CU_FAIL("the refusal names the member");
		}
		free(d);
		free(reply);
	}
	check_nothing_stored(events, audit);
}

/*
 * Equipment the run does not have: 422, the problem document naming the
 * number and the member ("field"); a wagon member must name a wagon, a
 * container member a container.  Nothing stored.
 */
static void
t_evidence_unknown_equipment(void)
{
	static const struct {
		const char	*body, *equipment, *field;
	} bad[] = {
		{ "{\"type\":\"scan\",\"wagon\":\"999999999999\",\"result\":"
		    "\"suspect\"}", "999999999999", "wagon" },
		/* A container's number is no wagon's. */
		{ "{\"type\":\"scan\",\"wagon\":\"" EV_CONTAINER "\",\"result\":"
		    "\"suspect\"}", EV_CONTAINER, "wagon" },
		{ "{\"type\":\"scan\",\"container\":\"" EV_WAGON "\",\"result\":"
		    "\"clear\"}", EV_WAGON, "container" },
		{ "{\"type\":\"weighbridge\",\"wagon\":\"" EV_CONTAINER "\","
		    "\"gross_kg\":20000}", EV_CONTAINER, "wagon" },
		{ "{\"type\":\"seal_check\",\"equipment\":\"TGHU0000001\","
		    "\"seal\":\"K1\",\"condition\":\"missing\"}", "TGHU0000001",
		    "equipment" },
	};
	long	events = sql_long("SELECT count(*) FROM events");
	long	audit = sql_long("SELECT count(*) FROM audit_log");
	char	*reply, *d, *f, *e;
	size_t	i;

	for (i = 0; i < nitems(bad); i++) {
		reply = NULL;
		CU_ASSERT_EQUAL(post_event(officer_tok, bad[i].body, &reply),
		    422);
		d = problem_member(reply, "detail");
		f = problem_member(reply, "field");
		e = problem_member(reply, "equipment");
		CU_ASSERT_PTR_NOT_NULL(strstr(d, bad[i].equipment));
		CU_ASSERT_STRING_EQUAL(f, bad[i].field);
		CU_ASSERT_STRING_EQUAL(e, bad[i].equipment);
		free(d);
		free(f);
		free(e);
		free(reply);
	}
	check_nothing_stored(events, audit);
}

/* The author of each event in GET .../events and in its audit record;
 * an event from before authors were kept shows role "unknown". */
static void
t_evidence_authors_shown(void)
{
	json_t	*a, *ev, *au;
	char	*reply = NULL, *v;
	size_t	 i;
	bool	 saw_officer = false, saw_device = false, saw_old = false;

	CU_ASSERT_EQUAL(post_event(officer_tok, "{\"type\":\"weighbridge\","
	    "\"wagon\":\"" EV_WAGON "\",\"gross_kg\":61000,\"device\":"
	    "\"WB-2\"}", NULL), 202);
	free(harness_sql(&epg, "INSERT INTO events (train_id, type, body, "
	    "principal) SELECT id, 'arrived', '{\"type\":\"arrived\"}', "
	    "'old.operator' FROM trains WHERE train_no = '" EV_TRAIN "' "
	    "RETURNING 1"));
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/" EV_TRAIN "/events",
	    auditor_tok, NULL, &reply), 200);
	a = json_loads(reply, 0, NULL);
	CU_ASSERT_FATAL(json_is_array(a));
	json_array_foreach(a, i, ev) {
		const char *name, *role, *dev;

		au = json_object_get(ev, "author");
		name = json_string_value(json_object_get(au, "name"));
		role = json_string_value(json_object_get(au, "role"));
		dev = json_string_value(json_object_get(au, "device"));
		CU_ASSERT_PTR_NOT_NULL_FATAL(name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(role);
		if (strcmp(name, "e.officer") == 0 && dev != NULL &&
		    strcmp(dev, "WB-2") == 0 && strcmp(role, "officer") == 0)
			saw_officer = true;
		if (strcmp(name, "wb.dostyk.2") == 0 && dev != NULL &&
		    strcmp(dev, name) == 0 && strcmp(role, "device") == 0)
			saw_device = true;
		if (strcmp(name, "old.operator") == 0 &&
		    strcmp(role, "unknown") == 0 && dev == NULL)
			saw_old = true;
	}
	CU_ASSERT_TRUE(saw_officer);
	CU_ASSERT_TRUE(saw_device);
	CU_ASSERT_TRUE(saw_old);
	json_decref(a);
	free(reply);
	v = harness_sql(&epg, "SELECT details::json->'author'->>'role' || '/' "
	    "|| (details::json->'author'->>'device') FROM audit_log WHERE "
	    "actor = 'e.officer' AND action = 'event.weighbridge' ORDER BY seq "
	    "DESC LIMIT 1");
	CU_ASSERT_STRING_EQUAL(v, "officer/WB-2");
	free(v);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/NOPE1/events", auditor_tok,
	    NULL, NULL), 404);
}

static CU_TestInfo evidence_tests[] = {
	{ "t_evidence_device_posts_evidence", t_evidence_device_posts_evidence },
	{ "t_evidence_device_nothing_else", t_evidence_device_nothing_else },
	{ "t_evidence_reweigh_officers_only", t_evidence_reweigh_officers_only },
	{ "t_evidence_bodies_checked", t_evidence_bodies_checked },
	{ "t_evidence_unknown_equipment", t_evidence_unknown_equipment },
	{ "t_evidence_authors_shown", t_evidence_authors_shown },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_evidence", evidence_init, evidence_clean,
    evidence_tests)
