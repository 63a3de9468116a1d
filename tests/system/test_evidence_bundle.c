/*
 * test_evidence_bundle.c -- a train's evidence bundle end to end (issue
 * 20, item 7): X8024 decided, decided again after an event, a wagon
 * resolved, approved (a release notice queued for a subscription); its
 * bundle through the API (which signs a checkpoint first) and through
 * `railgate bundle`; `railgate verify` passes, and fails naming the part
 * when one byte is changed in a manifest, a decision, an audit record or
 * the checkpoint's signature; a truncated bundle and a file that is not
 * JSON are refused saying where.
 */
#include <sys/wait.h>

#include <stdbool.h>
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
static char			auditor_token[64], admin_token[64];
static char			bundle_path[300], pub_path[300];
static char			*bundle;	/* the API's bundle */
static size_t			bundle_len;

static int
request(const char *method, const char *path, const char *token,
    const char *body, struct harness_response *out)
{
	struct harness_response	r;
	char			hdr[256];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s", token,
	    body != NULL ? "Content-Type: application/json\r\n" : "");
	if (harness_http(dm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, &r) < 0)
		return -1;
	status = r.status;
	if (out != NULL)
		*out = r;
	else
		harness_response_free(&r);
	return status;
}

/* Runs `railgate ARGS` (stderr too); its output (caller frees) and exit status. */
static char *
run(const char *args, int *status)
{
	return harness_railgate(args, true, status);
}

static bool
wait_sql(const char *sql)
{
	return harness_wait_sql(&pg, sql, "1", 10000);
}

static int
eb_init(void)
{
	char	*conf, sub[256];

	if (harness_pg_start(&pg) < 0)
		return -1;
	conf = xasprintf("%s[notices]\nallow_private_endpoints = yes\n", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	free(conf);
	if (harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.officer", officer_token) < 0 ||
	    harness_token(&pg, "auditor", "a.auditor", auditor_token) < 0 ||
	    harness_token(&pg, "admin", "a.admin", admin_token) < 0)
		return -1;
	/* A subscriber (never reachable: the notice is queued, that is all). */
	snprintf(sub, sizeof sub, "{\"url\":\"http://127.0.0.1:%d/hooks\","
	    "\"formats\":[\"json\"],\"secret\":\"whsec_c2VjcmV0c2VjcmV0c2VjcmV0"
	    "c2VjcmV0\"}", harness_free_port());
	if (request("PUT", "/v1/subscriptions/ktze", admin_token, sub, NULL) != 200)
		return -1;
	if (harness_submit_fixture(dm.port, operator_token,
	    "edifact/cuscar_s3_alashankou.edi") != 202 ||
	    !wait_sql("SELECT count(*) FROM trains WHERE decision IS NOT NULL "
	    "AND NOT eval_needed"))
		return -1;
	if (request("POST", "/v1/trains/X8024/events", officer_token,
	    "{\"type\":\"weighbridge\",\"wagon\":\"315279550018\","
	    "\"gross_kg\":71200.5}", NULL) != 202 ||
	    !wait_sql("SELECT (count(*) = 2)::int FROM decisions d JOIN trains t "
	    "ON t.id = d.train_id WHERE t.train_no = 'X8024' AND NOT "
	    "t.eval_needed"))
		return -1;
	if (request("POST", "/v1/trains/X8024/wagons/315279550026/resolution",
	    officer_token, "{\"action\":\"release\",\"reason\":\"phytosanitary "
	    "certificate presented\"}", NULL) != 200 ||
	    request("POST", "/v1/trains/X8024/approve", officer_token,
	    "{\"reason\":\"checked\"}", NULL) != 200)
		return -1;
	snprintf(bundle_path, sizeof bundle_path, "%s/X8024.bundle.json", dm.dir);
	snprintf(pub_path, sizeof pub_path, "%s/station-ed25519.pub.pem", dm.dir);
	return 0;
}

static int
eb_clean(void)
{
	free(bundle);
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* Writes len bytes of text to path; 0 or -1. */
static int
write_file(const char *path, const char *text, size_t len)
{
	FILE	*f = fopen(path, "w");
	int	 rc;

	if (f == NULL)
		return -1;
	rc = fwrite(text, 1, len, f) == len ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}

/* `railgate verify path --key STATION_PUB`: output and status. */
static char *
verify(const char *path, int *status)
{
	char	args[800];

	snprintf(args, sizeof args, "verify %s --key %s", path, pub_path);
	return run(args, status);
}

/* The API answers the bundle to an auditor, and to no one else. */
static void
t_bundle_api(void)
{
	struct harness_response	 r;
	char			*out;
	int			 st = -1;

	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8024/bundle", officer_token,
	    NULL, NULL), 403);
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8024/bundle", operator_token,
	    NULL, NULL), 403);
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X0000/bundle", auditor_token,
	    NULL, NULL), 404);
	CU_ASSERT_EQUAL_FATAL(request("GET", "/v1/trains/X8024/bundle",
	    auditor_token, NULL, &r), 200);
	bundle = r.body;
	bundle_len = r.body_len;
	r.body = NULL;
	harness_response_free(&r);
	CU_ASSERT_PTR_NOT_NULL(strstr(bundle, "railgate-evidence-bundle/1"));
	/* It made the checkpoint it ends at. */
	CU_ASSERT(wait_sql("SELECT count(*) FROM audit_checkpoints WHERE own"));
	CU_ASSERT_EQUAL_FATAL(write_file(bundle_path, bundle, bundle_len), 0);
	if (getenv("EB_KEEP") != NULL)
		(void)write_file(getenv("EB_KEEP"), bundle, bundle_len);
	out = verify(bundle_path, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "verified: "));
	/* Three decisions (two provisional, the final one) made again. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "3 decisions made again"));
	if (st != 0)
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

/* `railgate bundle` gives the same evidence from the database. */
static void
t_bundle_cli(void)
{
	char	 args[1400], path[320], *out;
	int	 st = -1;

	snprintf(path, sizeof path, "%s/cli.bundle.json", dm.dir);
	snprintf(args, sizeof args, "bundle X8024 --dsn '%s' -o %s", pg.app_dsn,
	    path);
	out = run(args, &st);
	CU_ASSERT_EQUAL(st, 0);
	free(out);
	out = verify(path, &st);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "verified: "));
	free(out);
	snprintf(args, sizeof args, "bundle X0000 --dsn '%s'", pg.app_dsn);
	out = run(args, &st);
	CU_ASSERT_NOT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "X0000: no such train"));
	free(out);
}

/*
 * The bundle with one character changed: the first letter or digit after
 * marker (found after the start of part), turned into another.  Writes it
 * and runs verify; the output, and the status in *st.
 */
static char *
tampered(const char *part, const char *marker, int *st)
{
	char	*copy = xmalloc(bundle_len + 1), *p, path[320], *out;

	memcpy(copy, bundle, bundle_len + 1);
	p = strstr(copy, part);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	p = strstr(p, marker);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (p += strlen(marker); *p != '\0' && !((*p >= 'a' && *p <= 'z') ||
	    (*p >= 'A' && *p <= 'Y') || (*p >= '1' && *p <= '8')); p++)
		;
	CU_ASSERT_FATAL(*p != '\0');
	(*p)++;		/* one byte changed: still a letter or digit */
	snprintf(path, sizeof path, "%s/tampered.json", dm.dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, copy, bundle_len), 0);
	free(copy);
	out = verify(path, st);
	return out;
}

static void
t_one_byte_changed(void)
{
	static const struct {
		const char	*part, *marker, *named;
	} cases[] = {
		{ "\"manifests\"", "\"data\": \"", "manifests[0]: sha256 mismatch" },
		{ "\"decisions\"", "outcome", "decisions[0]: sha256 mismatch" },
		{ "\"audit\"", "actor", "audit: sha256 mismatch" },
		{ "\"audit\"", "actor", "hash does not follow" },
		{ "\"decisions\"", "outcome", "no audit record of the train "
		    "records its outcome" },
		{ "\"checkpoint\"", "signature", "checkpoint: bad signature" },
	};
	char	*out;
	size_t	 i;
	int	 st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bundle);
	for (i = 0; i < nitems(cases); i++) {
		st = -1;
		out = tampered(cases[i].part, cases[i].marker, &st);
		CU_ASSERT_EQUAL(st, 1);
		if (strstr(out, cases[i].named) == NULL)
			fprintf(stderr, "\ncase %zu: wanted \"%s\" in:\n%s\n", i,
			    cases[i].named, out);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, cases[i].named));
		free(out);
	}
}

/*
 * A forger who changes a part and recomputes its hash: text from becomes
 * to in part key (index i of an array part, or -1), its sha256 made
 * right again.  Writes it and runs verify.
 */
static char *
forged(const char *key, int i, const char *from, const char *to, int *st)
{
	json_t		*b = json_loadb(bundle, bundle_len, 0, NULL), *part;
	struct buf	 data = { 0 };
	const char	*d, *at;
	char		 path[320], hex[65], *text, *out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	part = json_object_get(b, key);
	if (i >= 0)
		part = json_array_get(part, (size_t)i);
	d = json_string_value(json_object_get(part, "data"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	at = strstr(d, from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	buf_add(&data, d, (size_t)(at - d));
	buf_add_str(&data, to);
	buf_add_str(&data, at + strlen(from));
	sha256_hex(data.data, data.len, hex);
	json_object_set_new(part, "data", json_stringn(data.data, data.len));
	json_object_set_new(part, "sha256", json_string(hex));
	buf_free(&data);
	text = json_dumps(b, JSON_COMPACT);
	snprintf(path, sizeof path, "%s/forged.json", dm.dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, text, strlen(text)), 0);
	free(text);
	json_decref(b);
	out = verify(path, st);
	return out;
}

/* Parts changed with their hashes made right: the content checks find it. */
static void
t_forged_parts(void)
{
	char	*out;
	int	 st = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bundle);
	/* The weighbridge reading changed: no audit record has that body, and
	 * the decisions that applied it applied another. */
	out = forged("events", -1, "71200.5", "61200.5", &st);
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "events[0] (id 1): no audit record"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "decisions[1]: the event it applied "
	    "(id 1) is not the run's"));
	free(out);
	/* A provisional decision's document says RELEASE for a wagon the
	 * rules held: made again, it differs. */
	out = forged("decisions", 0, "\"action\":\"DOC_CHECK\"",
	    "\"action\":\"RELEASE\"", &st);
	CU_ASSERT_EQUAL(st, 1);
	if (strstr(out, "decisions[0]: made again from the bundle, the decision "
	    "differs") == NULL)
		fprintf(stderr, "\n%s\n", out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "decisions[0]: made again from the "
	    "bundle, the decision differs"));
	free(out);
}

/* A truncated bundle and a file that is not JSON: refused, saying where. */
static void
t_malformed_refused(void)
{
	char	path[320], *out;
	int	st = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bundle);
	snprintf(path, sizeof path, "%s/truncated.json", dm.dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, bundle, bundle_len / 2), 0);
	out = verify(path, &st);
	CU_ASSERT_EQUAL(st, 65);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "not a bundle: line "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "position"));
	free(out);
	snprintf(path, sizeof path, "%s/notjson.txt", dm.dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, "hello, court\n", 13), 0);
	out = verify(path, &st);
	CU_ASSERT_EQUAL(st, 65);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "line 1, column"));
	free(out);
	/* JSON, but a part missing. */
	snprintf(path, sizeof path, "%s/nopart.json", dm.dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, "{\"format\":"
	    "\"railgate-evidence-bundle/1\",\"train_id\":1,\"manifests\":[]}",
	    strlen("{\"format\":\"railgate-evidence-bundle/1\",\"train_id\":1,"
	    "\"manifests\":[]}")), 0);
	out = verify(path, &st);
	CU_ASSERT_EQUAL(st, 65);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "part rulesets: missing"));
	free(out);
}

/* docs/evidence.md's examples, run against this daemon. */
static void
t_docs_examples(void)
{
	char	*env[6], *failure = NULL;
	size_t	 i;

	env[0] = xasprintf("RAILGATE_URL=http://127.0.0.1:%d", dm.port);
	env[1] = xasprintf("AUDITOR_TOKEN=%s", auditor_token);
	env[2] = xasprintf("TRAIN=X8024");
	env[3] = xasprintf("STATION_PUB=%s", pub_path);
	env[4] = xasprintf("TMPDIR=%s", dm.dir);
	env[5] = NULL;
	if (harness_docs_run("docs/evidence.md", (const char *const *)env,
	    &failure) < 0) {
		fprintf(stderr, "\n%s\n", failure);
		CU_FAIL("an example of docs/evidence.md failed");
	}
	free(failure);
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
}

static CU_TestInfo eb_tests[] = {
	{ "bundle via the API verifies offline", t_bundle_api },
	{ "bundle via the CLI verifies offline", t_bundle_cli },
	{ "one byte changed fails, naming the part", t_one_byte_changed },
	{ "parts forged with their hashes fixed are found", t_forged_parts },
	{ "a malformed bundle is refused, saying where", t_malformed_refused },
	{ "docs/evidence.md's examples hold", t_docs_examples },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_evidence_bundle", eb_init, eb_clean, eb_tests)
