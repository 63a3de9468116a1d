/*
 * test_api_manifests.c -- POST /v1/manifests against the real daemon and
 * database: refusals are stored whole and answered with diagnostics,
 * Idempotency-Key repeats the first answer, roles are enforced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64], officer_token[64];

static int
manifests_suite_init(void)
{
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.officer", officer_token) < 0)
		return -1;
	return 0;
}

static int
manifests_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* POSTs body with the token and extra headers. */
static int
post(const char *token, const char *extra, const char *body, size_t len,
    struct harness_response *r)
{
	char	hdr[512];

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s", token,
	    extra != NULL ? extra : "");
	return harness_http(dm.port, "POST", "/v1/manifests", hdr, body, len, r);
}

/* Bytes that are no manifest: 422 with a diagnostic, and stored refused. */
static void
t_manifests_unreadable_refused_and_stored(void)
{
	struct harness_response	 r;
	json_t			*j;
	char			*n;

	CU_ASSERT_EQUAL_FATAL(post(operator_token, NULL, "hello, customs", 14, &r), 0);
	CU_ASSERT_EQUAL(r.status, 422);
	j = json_loads(r.body, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "diagnostics"), 0), "code")), "NOT_A_MANIFEST");
	json_decref(j);
	harness_response_free(&r);
	n = harness_sql(&pg, "SELECT count(*) || '/' || bool_or(accepted) || '/' "
	    "|| max(raw_size) FROM manifests WHERE sha256 = encode(sha256("
	    "'hello, customs'::bytea), 'hex')");
	CU_ASSERT_STRING_EQUAL(n, "1/false/14");
	free(n);
	n = harness_sql(&pg, "SELECT count(*) FROM audit_log WHERE action = "
	    "'manifest.rejected'");
	CU_ASSERT_STRING_EQUAL(n, "1");
	free(n);
}

/* The same key twice: the same answer, one stored row. */
static void
t_manifests_idempotent_repeat(void)
{
	struct harness_response	 a, b;
	char			 v[64], *n;
	json_t			*ja, *jb;

	CU_ASSERT_EQUAL_FATAL(post(operator_token, "Idempotency-Key: k-0001\r\n",
	    "not a manifest", 14, &a), 0);
	CU_ASSERT_EQUAL_FATAL(post(operator_token, "Idempotency-Key: k-0001\r\n",
	    "not a manifest", 14, &b), 0);
	CU_ASSERT_EQUAL(a.status, 422);
	CU_ASSERT_EQUAL(b.status, 422);
	/* The same problem; only request_id names each request. */
	ja = json_loads(a.body, 0, NULL);
	jb = json_loads(b.body, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(ja, "request_id"));
	json_object_del(ja, "request_id");
	json_object_del(jb, "request_id");
	CU_ASSERT_TRUE(ja != NULL && json_equal(ja, jb));
	json_decref(ja);
	json_decref(jb);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&b, "Idempotent-Replayed", v, sizeof v));
	harness_response_free(&a);
	harness_response_free(&b);
	n = harness_sql(&pg, "SELECT count(*) FROM manifests WHERE "
	    "idempotency_key = 'k-0001'");
	CU_ASSERT_STRING_EQUAL(n, "1");
	free(n);
	/* The same key with other bytes is refused, not replayed. */
	CU_ASSERT_EQUAL_FATAL(post(operator_token, "Idempotency-Key: k-0001\r\n",
	    "another body", 12, &a), 0);
	CU_ASSERT_EQUAL(a.status, 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.body, "Idempotency-Key reused"));
	harness_response_free(&a);
}

/* Officers do not submit manifests; empty bodies and bad keys are 400. */
static void
t_manifests_refusals(void)
{
	struct harness_response	r;

	CU_ASSERT_EQUAL_FATAL(post(officer_token, NULL, "x", 1, &r), 0);
	CU_ASSERT_EQUAL(r.status, 403);
	harness_response_free(&r);
	CU_ASSERT_EQUAL_FATAL(post(operator_token, NULL, "", 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	harness_response_free(&r);
	CU_ASSERT_EQUAL_FATAL(post(operator_token, "Idempotency-Key: a b\r\n",
	    "x", 1, &r), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	harness_response_free(&r);
}

/* A corrupt gzip body is refused with GZIP_INVALID. */
static void
t_manifests_bad_gzip(void)
{
	struct harness_response	r;
	const char		gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage";

	CU_ASSERT_EQUAL_FATAL(post(operator_token, "Content-Encoding: gzip\r\n",
	    gz, sizeof gz - 1, &r), 0);
	CU_ASSERT_EQUAL(r.status, 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "GZIP_INVALID"));
	harness_response_free(&r);
}

/* Writes text into the daemon's spool as name, the way senders should. */
static void
spool_drop(const char *name, const char *text)
{
	char	tmp[600], dst[600];
	FILE	*f;

	snprintf(tmp, sizeof tmp, "%s/spool/incoming/.%s.part", dm.dir, name);
	snprintf(dst, sizeof dst, "%s/spool/incoming/%s", dm.dir, name);
	f = fopen(tmp, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_EQUAL(rename(tmp, dst), 0);
}

/* Waits up to 5 s for path to exist. */
static int
wait_for(const char *path)
{
	int	i;

	for (i = 0; i < 100; i++) {
		if (access(path, F_OK) == 0)
			return 0;
		usleep(50000);
	}
	return -1;
}

/* A dropped file that is no manifest ends in failed/ with the reason. */
static void
t_manifests_spool_failed_with_reason(void)
{
	char	path[600], *err = NULL, *n;
	size_t	len;

	spool_drop("KTZE-0001.edi", "this is not EDIFACT");
	snprintf(path, sizeof path, "%s/spool/failed/KTZE-0001.edi.err", dm.dir);
	CU_ASSERT_EQUAL_FATAL(wait_for(path), 0);
	usleep(100000);
	CU_ASSERT_EQUAL(file_read_all(path, &err, &len), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "NOT_A_MANIFEST"));
	free(err);
	snprintf(path, sizeof path, "%s/spool/failed/KTZE-0001.edi", dm.dir);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	n = harness_sql(&pg, "SELECT source || '/' || accepted FROM manifests "
	    "WHERE idempotency_key LIKE 'spool:KTZE-0001.edi:%'");
	CU_ASSERT_STRING_EQUAL(n, "spool/false");
	free(n);
}

/* Names that could mean something to a shell or a path are refused. */
static void
t_manifests_spool_unsafe_name(void)
{
	char	path[600];

	spool_drop("bad name;rm.edi", "UNB+UNOC:3'");
	snprintf(path, sizeof path, "%s/spool/failed/bad name;rm.edi.err", dm.dir);
	CU_ASSERT_EQUAL(wait_for(path), 0);
}

/* POSTs a fixture file; returns the status. */
static int
post_fixture(const char *rel, const char *extra, struct harness_response *r)
{
	char	*data;
	size_t	 len;
	int	 rc;

	data = test_read_fixture(rel, &len);
	rc = post(operator_token, extra, data, len, r);
	free(data);
	return rc == 0 ? r->status : -1;
}

/* GETs a train as an officer; returns its state (owned) or NULL. */
static char *
train_state(const char *id)
{
	struct harness_response	 r;
	char			 hdr[128], path[128], *state = NULL;
	json_t			*j;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", officer_token);
	snprintf(path, sizeof path, "/v1/trains/%s", id);
	if (harness_http(dm.port, "GET", path, hdr, NULL, 0, &r) == 0 &&
	    r.status == 200 && (j = json_loads(r.body, 0, NULL)) != NULL) {
		state = xstrdup(json_string_value(json_object_get(j, "state")));
		json_decref(j);
	}
	harness_response_free(&r);
	return state;
}

/* GET .../manifest: the stored bytes parsed again, as the fixture's model. */
static void
check_model_served(const char *id, const char *fixture_json)
{
	struct harness_response	 r;
	char			 hdr[128], path[128], *want;
	json_t			*got, *exp;
	size_t			 len;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", officer_token);
	snprintf(path, sizeof path, "/v1/trains/%s/manifest", id);
	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "GET", path, hdr, NULL, 0,
	    &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	want = test_read_fixture(fixture_json, &len);
	got = json_loads(r.body, 0, NULL);
	exp = json_loadb(want, len, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_PTR_NOT_NULL_FATAL(exp);
	json_object_del(exp, "diagnostics");	/* the model alone is served */
	CU_ASSERT_TRUE(json_equal(got, exp));
	json_decref(got);
	json_decref(exp);
	free(want);
	harness_response_free(&r);
}

/* An EDIFACT train: 202, Location, the run stored with its wagons. */
static void
t_manifests_edifact_accepted(void)
{
	struct harness_response	 r;
	char			 v[128], *n;

	CU_ASSERT_EQUAL_FATAL(post_fixture("edifact/cuscar_s3_alashankou.edi",
	    "Content-Type: application/EDIFACT\r\nIdempotency-Key: alk-1\r\n",
	    &r), 202);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Location", v, sizeof v));
	CU_ASSERT_STRING_EQUAL(v, "/v1/trains/X8024");
	harness_response_free(&r);
	/* The evaluator may already have decided it by the time we ask. */
	n = train_state("X8024");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_TRUE(strcmp(n, "received") == 0 ||
	    strcmp(n, "evaluated") == 0);
	free(n);
	n = harness_sql(&pg, "SELECT count(*) || '/' || sum(containers) || '/' || "
	    "bool_or(t.green_lane) FROM wagons w JOIN trains t ON t.id = w.train_id "
	    "WHERE t.train_no = 'X8024'");
	CU_ASSERT_STRING_EQUAL(n, "3/4/true");	/* apples and grapes: green lane */
	free(n);
	/* The stored raw bytes decompress to the file, hash and all. */
	n = harness_sql(&pg, "SELECT raw_size FROM manifests WHERE "
	    "idempotency_key = 'alk-1'");
	CU_ASSERT_STRING_EQUAL(n, "2207");
	free(n);
	check_model_served("X8024", "edifact/cuscar_s3_alashankou.json");
	/* Sent again with the same key: the same answer, no second run. */
	CU_ASSERT_EQUAL(post_fixture("edifact/cuscar_s3_alashankou.edi",
	    "Idempotency-Key: alk-1\r\n", &r), 202);
	harness_response_free(&r);
	/* Sent again without a key: a second original is a conflict. */
	CU_ASSERT_EQUAL(post_fixture("edifact/cuscar_s3_alashankou.edi", NULL,
	    &r), 409);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "replacement"));
	harness_response_free(&r);
	n = harness_sql(&pg, "SELECT count(*) FROM trains WHERE train_no = 'X8024'");
	CU_ASSERT_STRING_EQUAL(n, "1");
	free(n);
}

/* Original, replacement, cancellation of one train. */
static void
t_manifests_replace_and_cancel(void)
{
	struct harness_response	 r;
	char			*n;

	CU_ASSERT_EQUAL(post_fixture("edifact/cuscar_replace.edi", NULL, &r), 409);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(post_fixture("edifact/cuscar_original_erenhot.edi", NULL,
	    &r), 202);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(post_fixture("edifact/cuscar_replace.edi", NULL, &r), 202);
	harness_response_free(&r);
	n = harness_sql(&pg, "SELECT count(*) FROM manifests m JOIN trains t ON "
	    "t.manifest_id = m.id WHERE t.train_no = 'X8060' AND "
	    "m.function = 'replace'");
	CU_ASSERT_STRING_EQUAL(n, "1");
	free(n);
	CU_ASSERT_EQUAL(post_fixture("edifact/cuscar_cancel.edi", NULL, &r), 202);
	harness_response_free(&r);
	n = train_state("X8060");
	CU_ASSERT_STRING_EQUAL(n, "cancelled");
	free(n);
	n = harness_sql(&pg, "SELECT string_agg(action, ',' ORDER BY seq) FROM "
	    "audit_log WHERE train_id = (SELECT id FROM trains WHERE "
	    "train_no = 'X8060') AND action LIKE 'manifest.%'");
	CU_ASSERT_STRING_EQUAL(n, "manifest.original,manifest.replace,"
	    "manifest.cancel");
	free(n);
}

/* A truncated interchange is refused with the byte where it ends. */
static void
t_manifests_truncated_refused(void)
{
	struct harness_response	r;

	CU_ASSERT_EQUAL(post_fixture("edifact/broken/truncated.edi", NULL, &r), 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "TRUNCATED"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "byte 564"));
	harness_response_free(&r);
}

static CU_TestInfo manifests_tests[] = {
	{ "t_manifests_unreadable_refused_and_stored",
	    t_manifests_unreadable_refused_and_stored },
	{ "t_manifests_idempotent_repeat", t_manifests_idempotent_repeat },
	{ "t_manifests_refusals", t_manifests_refusals },
	{ "t_manifests_bad_gzip", t_manifests_bad_gzip },
	{ "t_manifests_spool_failed_with_reason",
	    t_manifests_spool_failed_with_reason },
	{ "t_manifests_spool_unsafe_name", t_manifests_spool_unsafe_name },
	{ "t_manifests_edifact_accepted", t_manifests_edifact_accepted },
	{ "t_manifests_replace_and_cancel", t_manifests_replace_and_cancel },
	{ "t_manifests_truncated_refused", t_manifests_truncated_refused },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_manifests", manifests_suite_init, manifests_suite_clean,
    manifests_tests)
