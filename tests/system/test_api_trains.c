/*
 * test_api_trains.c -- reading trains through the API: list with clocks,
 * gzip-compressed to a client that accepts it, one run, decision bytes as stored, audit trail, 404 / 400 / 403.
 * The runs are written straight into the database here; the manifest
 * path that normally writes them has its own tests.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			officer[64], auditor[64], operator[64];

static const char decision_doc[] =
    "{\"train\":\"X8024\",\"decision\":\"PARTIAL_RELEASE\",\"final\":false}";

static int
trains_suite_init(void)
{
	char	sql[1024];

	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "officer", "o.officer", officer) < 0 ||
	    harness_token(&pg, "auditor", "a.auditor", auditor) < 0 ||
	    harness_token(&pg, "operator", "ktze", operator) < 0)
		return -1;
	snprintf(sql, sizeof sql, "WITH t AS (INSERT INTO trains (train_no, run, "
	    "state, direction, eta, clock_start, counts, decision) VALUES "
	    "('X8024', 1, 'evaluated', 'import', '2026-11-22T09:15:00Z', "
	    "now() - interval '16 minutes', '{\"wagons\":2}', '%s') RETURNING id) "
	    "INSERT INTO wagons (train_id, position, number, action) "
	    "SELECT id, 1, '218124712173', 'RELEASE' FROM t UNION ALL "
	    "SELECT id, 2, '518008430010', 'INSPECT' FROM t RETURNING 1",
	    decision_doc);
	free(harness_sql(&pg, sql));
	free(harness_sql(&pg, "INSERT INTO trains (train_no, run, state, "
	    "green_lane, eta) VALUES ('X9001', 1, 'received', true, "
	    "'2026-11-22T11:00:00Z') RETURNING 1"));
	free(harness_sql(&pg, "SELECT audit_append('ktze', 'manifest.original', "
	    "(SELECT id FROM trains WHERE train_no = 'X8024'), '{\"m\":1}', NULL)"));
	return 0;
}

static int
trains_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* GETs path with token; parses the JSON body into *j when 200. */
static int
get_json(const char *path, const char *token, json_t **j,
    struct harness_response *keep)
{
	struct harness_response	r;
	char			hdr[128];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(dm.port, "GET", path, hdr, NULL, 0, &r) < 0)
		return -1;
	status = r.status;
	if (j != NULL)
		*j = status == 200 ? json_loads(r.body, 0, NULL) : NULL;
	if (keep != NULL)
		*keep = r;
	else
		harness_response_free(&r);
	return status;
}

/*
 * Green-lane trains first; the clock is red with 5 minutes or less left
 * of 20 (the defaults, issue 18).
 */
static void
t_trains_list_with_clock(void)
{
	json_t	*j, *x;

	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains", officer, &j, NULL), 200);
	CU_ASSERT_EQUAL_FATAL(json_array_size(j), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(j, 0), "train")), "X9001");
	x = json_array_get(j, 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(x, "decision")),
	    "PARTIAL_RELEASE");
	x = json_object_get(x, "clock");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(x, "flag")),
	    "red");
	CU_ASSERT(json_integer_value(json_object_get(x, "remaining_s")) <= 240);
	CU_ASSERT(json_integer_value(json_object_get(x, "remaining_s")) > 200);
	json_decref(j);
	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains?state=received", auditor, &j,
	    NULL), 200);
	CU_ASSERT_EQUAL(json_array_size(j), 1);
	json_decref(j);
}

/* body inflated from one gzip member (caller frees), or NULL. */
static char *
gunzip(const char *body, size_t len)
{
	size_t		 cap = 1 << 20;
	char		*out = xmalloc(cap + 1);
	z_stream	 zs;
	int		 rc;

	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		return NULL;
	}
	zs.next_in = (Bytef *)(uintptr_t)body;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	rc = inflate(&zs, Z_FINISH);
	out[zs.total_out] = '\0';
	inflateEnd(&zs);
	if (rc != Z_STREAM_END || zs.avail_in != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* GETs the list with an Accept-Encoding line (NULL: none). */
static void
get_list(const char *accept, struct harness_response *r)
{
	char	hdr[256];

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s%s%s",
	    officer, accept != NULL ? "Accept-Encoding: " : "",
	    accept != NULL ? accept : "", accept != NULL ? "\r\n" : "");
	memset(r, 0, sizeof *r);
	CU_ASSERT_EQUAL(harness_http(dm.port, "GET", "/v1/trains", hdr, NULL,
	    0, r), 0);
	CU_ASSERT_EQUAL(r->status, 200);
}

/*
 * The list gzip-compressed to a client that accepts it, the same trains
 * as the plain list; plain to one that does not or refuses it (q=0);
 * Vary: Accept-Encoding on both, so that a cache keeps them apart.
 */
static void
t_trains_list_gzip(void)
{
	static const char *plain[] = { NULL, "identity", "gzip;q=0, *",
	    "br", "gzip;q=2" };
	struct harness_response	 r;
	char			 v[64], *text;
	json_t			*j, *k;
	size_t			 i;

	get_list("gzip, deflate, br", &r);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Content-Encoding", v,
	    sizeof v));
	CU_ASSERT_STRING_EQUAL(v, "gzip");
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Vary", v, sizeof v));
	CU_ASSERT_STRING_EQUAL(v, "Accept-Encoding");
	text = gunzip(r.body, r.body_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	j = json_loads(text, 0, NULL);
	free(text);
	harness_response_free(&r);
	CU_ASSERT_EQUAL_FATAL(json_array_size(j), 2);
	for (i = 0; i < nitems(plain); i++) {
		get_list(plain[i], &r);
		CU_ASSERT_PTR_NULL(harness_header(&r, "Content-Encoding", v,
		    sizeof v));
		CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Vary", v, sizeof v));
		k = json_loads(r.body, 0, NULL);
		CU_ASSERT_PTR_NOT_NULL(k);
		CU_ASSERT_EQUAL(json_array_size(k), 2);
		if (json_array_size(k) == 2)
			CU_ASSERT_STRING_EQUAL(json_string_value(
			    json_object_get(json_array_get(k, 1), "train")),
			    json_string_value(json_object_get(
			    json_array_get(j, 1), "train")));
		json_decref(k);
		harness_response_free(&r);
	}
	json_decref(j);
	get_list("*;q=0.5", &r);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Content-Encoding", v,
	    sizeof v));
	CU_ASSERT(r.body_len >= 2 && (unsigned char)r.body[0] == 0x1f);
	harness_response_free(&r);
}

/* One run with wagons; its decision exactly as stored. */
static void
t_trains_one_and_decision(void)
{
	struct harness_response	 r;
	json_t			*j;

	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains/X8024", officer, &j, NULL), 200);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "wagons")), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "wagons"), 1), "action")), "INSPECT");
	json_decref(j);
	CU_ASSERT_EQUAL(get_json("/v1/trains/X8024@1", officer, NULL, NULL), 200);
	CU_ASSERT_EQUAL(get_json("/v1/trains/X8024@2", officer, NULL, NULL), 404);
	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains/X8024/decision", auditor, NULL,
	    &r), 200);
	CU_ASSERT_STRING_EQUAL(r.body, decision_doc);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(get_json("/v1/trains/X9001/decision", officer, NULL,
	    NULL), 404);
}

/*
 * The run's audit records: its manifest, and perhaps already the clock's
 * crossing into red (16 of 20 minutes gone), once.
 */
static void
t_trains_audit(void)
{
	json_t	*j;

	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains/X8024/audit", auditor, &j,
	    NULL), 200);
	CU_ASSERT(json_array_size(j) == 1 || json_array_size(j) == 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(j, 0), "action")), "manifest.original");
	if (json_array_size(j) == 2)
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
		    json_array_get(j, 1), "action")), "clock.red");
	json_decref(j);
}

/* Unknown trains, bad ids, and operators (who read their carriers' only). */
static void
t_trains_refusals(void)
{
	json_t	*j;

	CU_ASSERT_EQUAL(get_json("/v1/trains/Z0000", officer, NULL, NULL), 404);
	CU_ASSERT_EQUAL(get_json("/v1/trains/X8024'%3B--", officer, NULL, NULL),
	    404);
	CU_ASSERT_EQUAL(get_json("/v1/trains/%20x", officer, NULL, NULL), 400);
	/* An operator reads its own carriers' trains: these have none. */
	CU_ASSERT_EQUAL(get_json("/v1/trains", operator, &j, NULL), 200);
	CU_ASSERT_EQUAL(json_array_size(j), 0);
	json_decref(j);
	CU_ASSERT_EQUAL(get_json("/v1/trains/X8024", operator, NULL, NULL), 404);
	CU_ASSERT_EQUAL(get_json("/v1/trains/X8024/nothing", officer, NULL, NULL),
	    404);
}

/* POSTs an event body for train id with token; returns the status. */
static int
post_event(const char *id, const char *token, const char *body,
    struct harness_response *keep)
{
	struct harness_response	r;
	char			hdr[128], path[128];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	snprintf(path, sizeof path, "/v1/trains/%s/events", id);
	if (harness_http(dm.port, "POST", path, hdr, body, strlen(body), &r) < 0)
		return -1;
	status = r.status;
	if (keep != NULL)
		*keep = r;
	else
		harness_response_free(&r);
	return status;
}

/*
 * A position announces an unknown train; arrival moves it, no clock yet.
 * An operator's does not (the run would be no carrier's): 404.
 */
static void
t_trains_events_announce_and_arrive(void)
{
	json_t	*j;

	CU_ASSERT_EQUAL(post_event("X7777", operator,
	    "{\"type\":\"position\",\"eta\":\"2026-11-22T13:05:00+08:00\"}",
	    NULL), 404);
	CU_ASSERT_EQUAL(post_event("X7777", officer,
	    "{\"type\":\"position\",\"eta\":\"2026-11-22T13:05:00+08:00\"}",
	    NULL), 202);
	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains/X7777", officer, &j, NULL), 200);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "state")),
	    "announced");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "eta")),
	    "2026-11-22T05:05:00Z");
	json_decref(j);
	CU_ASSERT_EQUAL(post_event("X7777", operator, "{\"type\":\"arrived\"}",
	    NULL), 404);
	CU_ASSERT_EQUAL(post_event("X7777", officer, "{\"type\":\"arrived\"}",
	    NULL), 202);
	CU_ASSERT_EQUAL_FATAL(get_json("/v1/trains/X7777", officer, &j, NULL), 200);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "state")),
	    "arrived");
	/* No manifest yet: the clock starts when it arrives. */
	CU_ASSERT_TRUE(json_is_null(json_object_get(json_object_get(j, "clock"),
	    "started")));
	json_decref(j);
}

/* Weighbridge events name known wagons; bodies are checked field by field. */
static void
t_trains_events_checked(void)
{
	struct harness_response	r;

	CU_ASSERT_EQUAL(post_event("X8024", officer, "{\"type\":\"weighbridge\","
	    "\"wagon\":\"218124712173\",\"gross_kg\":61200.5}", NULL), 202);
	/* A reading no weighbridge gives (found by fuzz_json: it overflowed
	 * the conversion to the model's fixed point). */
	CU_ASSERT_EQUAL(post_event("X8024", officer, "{\"type\":\"weighbridge\","
	    "\"wagon\":\"218124712173\",\"gross_kg\":7.12e54}", NULL), 422);
	CU_ASSERT_EQUAL_FATAL(post_event("X8024", officer,
	    "{\"type\":\"weighbridge\",\"wagon\":\"999999999999\","
	    "\"gross_kg\":1}", &r), 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "has no wagon 999999999999"));
	harness_response_free(&r);
	CU_ASSERT_EQUAL_FATAL(post_event("X8024", officer,
	    "{\"type\":\"weighbridge\",\"wagon\":\"218124712173\"}", &r), 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "gross_kg"));
	harness_response_free(&r);
	CU_ASSERT_EQUAL(post_event("X8024", officer, "{\"type\":\"scan\","
	    "\"container\":\"X\",\"result\":\"maybe\"}", NULL), 422);
	CU_ASSERT_EQUAL(post_event("X8024", officer, "{\"type\":\"teleport\"}",
	    NULL), 422);
	CU_ASSERT_EQUAL_FATAL(post_event("X8024", officer, "{\"type\":", &r), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "line 1"));
	harness_response_free(&r);
	CU_ASSERT_EQUAL(post_event("X8024", auditor, "{\"type\":\"arrived\"}",
	    NULL), 403);
	CU_ASSERT_EQUAL(post_event("Z0001", officer, "{\"type\":\"scan\","
	    "\"container\":\"CSQU3054383\",\"result\":\"clear\"}", NULL), 404);
}

/* A train with 5 minutes or less left is logged once, with its number. */
static void
t_trains_clock_logged(void)
{
	char	*log = NULL, *p;
	size_t	 len;
	int	 i, n = 0;

	for (i = 0; i < 80; i++) {
		free(log);
		log = NULL;
		if (file_read_all(dm.log, &log, &len) == 0 &&
		    strstr(log, "train X8024 (run 1): clearance clock red") !=
		    NULL)
			break;
		usleep(100000);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	for (p = log; (p = strstr(p, "clearance clock red")) != NULL; p++)
		n++;
	CU_ASSERT_EQUAL(n, 1);
	free(log);
}

static CU_TestInfo trains_tests[] = {
	{ "t_trains_list_with_clock", t_trains_list_with_clock },
	{ "t_trains_list_gzip", t_trains_list_gzip },
	{ "t_trains_clock_logged", t_trains_clock_logged },
	{ "t_trains_one_and_decision", t_trains_one_and_decision },
	{ "t_trains_audit", t_trains_audit },
	{ "t_trains_refusals", t_trains_refusals },
	{ "t_trains_events_announce_and_arrive", t_trains_events_announce_and_arrive },
	{ "t_trains_events_checked", t_trains_events_checked },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_trains", trains_suite_init, trains_suite_clean,
    trains_tests)
