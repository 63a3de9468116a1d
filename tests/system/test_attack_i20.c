/*
 * test_attack_i20.c -- holes found attacking issue 20's surfaces, each
 * kept as the test that showed it (integration_attack_i20):
 *
 * - a replay took a worker of the daemon's pool for as long as it ran
 *   (hours for a month), so that on a daemon whose pool has one worker
 *   no train was decided until it ended: replays now run on a thread of
 *   their own, and the pool holds no replay while one runs;
 * - a genuine bundle of a train whose 851 an officer accepted failed
 *   `railgate verify`: the document event has no event.document record
 *   (document_decide() records document.accepted, naming the event);
 * - a bundle with the train's later decisions and events left out (a
 *   final HOLD hidden, an earlier RELEASE shown) was "verified": every
 *   part checked was genuine, nothing said parts were missing;
 * - an operator token holding the carrier "NULL" (the tokens check
 *   allows it) became the array literal {NULL}, whose element is SQL
 *   NULL: `named = ANY (p_carriers)` was NULL, not false, and the token
 *   sent originals naming any carrier.  Such a token is now refused;
 * - a carrier's subscription listing `duty` with `json` (which
 *   docs/notices.md allows) received the clock alerts of every carrier's
 *   trains: now its carriers' only; a subscription bound to no carrier
 *   (customs' duty desk) still hears every train;
 * - another carrier's original for a train number whose run of ours was
 *   finished (a new run, theirs) took our run out of our list: the list
 *   showed each number's latest run, then kept it only when ours.  It
 *   now shows the latest run of ours of each number;
 * - an 851 accepted for 620 cartons of grapes went on releasing them
 *   after a replacement declared 990 under the same consignment: the
 *   acceptance is now bound to the goods declared (goods_sha256);
 * - GET /v1/audit/verify said "intact" when the neighbour held no
 *   checkpoint of ours at all: the database owner had only to keep them
 *   from being sent (a trigger dropping them from the outbox) for a
 *   consistent rewrite to pass.  A neighbour holding none is now
 *   "could not be checked", never intact; and so are records its latest
 *   copy has not caught up with for three checkpoint intervals (the
 *   owner let the first checkpoints go, then kept the rest).
 *
 * The train is fixtures/xml/cuscar_s3_alashankou.xml (carrier KZ-KTZE)
 * under another number: its grapes of consignment "SMGS 24170091" are at
 * DOC_CHECK until an 851 is accepted.
 */
#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define GRAPES	"SMGS%2024170091"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	ktze_token[64], officer_token[64], auditor_token[64];
static char	crct_token[64], admin_token[64];

/* A tiny PDF: what the daemon checks is how it begins. */
static const char pdf[] = "%PDF-1.4\n% phytosanitary certificate\n%%EOF\n";

/* A request with a bearer token (and a body's type); the status. */
static int
request(const char *method, const char *path, const char *token,
    const char *type, const char *body, size_t len,
    struct harness_response *keep)
{
	struct harness_response	r;
	char			hdr[256];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s%s%s", token,
	    type != NULL ? "Content-Type: " : "", type != NULL ? type : "",
	    type != NULL ? "\r\n" : "");
	if (harness_http(dm.port, method, path, hdr, body, len, &r) < 0)
		return -1;
	status = r.status;
	if (keep != NULL)
		*keep = r;
	else
		harness_response_free(&r);
	return status;
}

/* Posts the fixture as train (five characters) of carrier CN-CRCT
 * rather than KZ-KTZE when crct; the HTTP status. */
static int
post_train_of(const char *train, bool crct)
{
	char			*data, *p;
	size_t			 len;
	int			 status;

	data = test_read_fixture("xml/cuscar_s3_alashankou.xml", &len);
	if ((p = strstr(data, "X8024")) != NULL)
		memcpy(p, train, 5);
	if (crct && (p = strstr(data, "<ID>KZ-KTZE</ID>")) != NULL)
		memcpy(p + 4, "CN-CRCT", 7);
	struct harness_response	r;

	status = request("POST", "/v1/manifests", crct ? crct_token :
	    ktze_token, "application/xml", data, len, &r);
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	return status;
}

static int
post_train(const char *train)
{
	return post_train_of(train, false);
}

/* Waits until train has n decisions and none pending (15 s). */
static bool
wait_decisions(const char *train, int n, int ms)
{
	char	q[512];

	snprintf(q, sizeof q, "SELECT (count(*) = %d AND NOT bool_or("
	    "t.eval_needed))::int FROM decisions d JOIN trains t ON t.id = "
	    "d.train_id WHERE t.train_no = '%s'", n, train);
	return harness_wait_sql(&pg, q, "1", ms);
}

/* Runs `railgate ARGS` (stderr too); its output (caller frees) and exit status. */
static char *
run(const char *args, int *status)
{
	return harness_railgate(args, true, status);
}

static int
write_file(const char *path, const char *data, size_t len)
{
	FILE	*f = fopen(path, "w");
	int	 rc;

	if (f == NULL)
		return -1;
	rc = fwrite(data, 1, len, f) == len ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}

/* `railgate verify` of text written to dir/name: output, status. */
static char *
verify_text(const char *name, const char *text, int *st)
{
	char	path[400], args[900];

	snprintf(path, sizeof path, "%s/%s", dm.dir, name);
	if (write_file(path, text, strlen(text)) < 0)
		return NULL;
	snprintf(args, sizeof args, "verify %s --key %s/station-ed25519.pub.pem",
	    path, dm.dir);
	return run(args, st);
}

static int
attack_suite_init(void)
{
	char	*v;

	char	conf[2048];

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[notices]\nallow_private_endpoints = "
	    "yes\n", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token_carriers(&pg, "operator", "crct.operator", "{CN-CRCT}",
	    crct_token) < 0 ||
	    harness_token(&pg, "admin", "a.admin", admin_token) < 0 ||
	    harness_token(&pg, "operator", "ktze.operator", ktze_token) < 0 ||
	    harness_token(&pg, "officer", "o.alpha", officer_token) < 0 ||
	    harness_token(&pg, "auditor", "a.one", auditor_token) < 0)
		return -1;
	v = harness_sql(&pg, "UPDATE tokens SET carriers = '{KZ-KTZE}' WHERE "
	    "principal = 'ktze.operator' RETURNING 1");
	free(v);
	if (post_train("X8301") != 202 || !wait_decisions("X8301", 1, 15000))
		return -1;
	return 0;
}

static int
attack_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* The value of metric name in /metrics, or -1. */
static long
metric(const char *name)
{
	struct harness_response	 r;
	char			 key[128], *p;
	long			 v = -1;

	if (harness_http(dm.port, "GET", "/metrics", NULL, NULL, 0, &r) < 0)
		return -1;
	snprintf(key, sizeof key, "\n%s ", name);
	if (r.body != NULL && (p = strstr(r.body, key)) != NULL)
		v = strtol(p + strlen(key), NULL, 10);
	harness_response_free(&r);
	return v;
}

/*
 * A replay that runs long (replay_progress made to sleep 3 s a batch)
 * holds no worker of the pool: railgate_pool_pending stays 0 while it
 * runs, and a train posted meanwhile is decided before it ends.
 */
static void
t_i20_replay_not_on_pool(void)
{
	struct harness_response	 r;
	char			*orig, *v, loc[128];
	const char		*sig = "replay_progress(p_id bigint, p_owner "
				    "text, p_total bigint, p_checked bigint, p_same "
				    "bigint, p_different bigint, p_errors bigint, "
				    "p_lease_s integer)";
	char			 q[2048];
	long			 pending = -1;
	int			 i;

	snprintf(q, sizeof q, "SELECT pg_get_functiondef('replay_progress("
	    "bigint, text, bigint, bigint, bigint, bigint, bigint, integer)'"
	    "::regprocedure)");
	orig = harness_sql(&pg, q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
	snprintf(q, sizeof q, "CREATE OR REPLACE FUNCTION %s RETURNS boolean "
	    "LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$ "
	    "SELECT pg_sleep(3); UPDATE replays SET total = coalesce($3, total), "
	    "checked = $4, same = $5, different = $6, errors = $7, lease_until "
	    "= now() + make_interval(secs => $8) WHERE id = $1 AND state = "
	    "'running' AND lease_owner = $2; SELECT true $$; SELECT 1", sig);
	free(harness_sql(&pg, q));
	/* The pool idle first: an evaluation the suite's earlier trains
	 * left in flight (under AddressSanitizer on a busy machine, one
	 * was) is not the replay's. */
	for (i = 0; i < 100 && metric("railgate_pool_pending") != 0; i++)
		usleep(100000);
	CU_ASSERT_EQUAL_FATAL(metric("railgate_pool_pending"), 0);
	CU_ASSERT_EQUAL_FATAL(request("POST", "/v1/replays", auditor_token,
	    "application/json", "{\"all\":true}", 12, &r), 202);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Location", loc, sizeof loc));
	harness_response_free(&r);
	CU_ASSERT_FATAL(harness_wait_sql(&pg, "SELECT count(*) FROM replays "
	    "WHERE state = 'running'", "1", 10000));
	for (i = 0; i < 5; i++) {
		pending = metric("railgate_pool_pending");
		if (pending != 0)
			break;
		usleep(100000);
	}
	CU_ASSERT_EQUAL(pending, 0);
	/* A train posted now is decided while the replay sleeps. */
	CU_ASSERT_EQUAL(post_train("X8302"), 202);
	CU_ASSERT(wait_decisions("X8302", 1, 2500));
	v = harness_sql(&pg, "SELECT state FROM replays ORDER BY id DESC "
	    "LIMIT 1");
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "running");
	free(v);
	free(harness_sql(&pg, orig));
	free(orig);
	CU_ASSERT(harness_wait_sql(&pg, "SELECT count(*) FROM replays WHERE "
	    "state = 'running'", "0", 30000));
}

/* The bundle of train as an auditor gets it (caller frees), or NULL. */
static char *
bundle_of(const char *train)
{
	struct harness_response	 r;
	char			 path[128], *b;

	snprintf(path, sizeof path, "/v1/trains/%s/bundle", train);
	if (request("GET", path, auditor_token, NULL, NULL, 0, &r) != 200) {
		harness_response_free(&r);
		return NULL;
	}
	b = r.body;
	r.body = NULL;
	harness_response_free(&r);
	return b;
}

/*
 * An 851 accepted releases the grapes; the train's bundle verifies, and
 * with its last decision and the document event left out it does not.
 */
static void
t_i20_bundle_document_and_omission(void)
{
	struct harness_response	 r;
	json_t			*o, *b, *decs, *ev, *evs;
	char			 path[256], *text, *out, *bundle, hex[65];
	const char		*reason = "{\"reason\":\"certificate checked\"}";
	long long		 id;
	int			 st = -1;
	size_t			 n;

	CU_ASSERT_EQUAL_FATAL(post_train("X8303"), 202);
	CU_ASSERT_FATAL(wait_decisions("X8303", 1, 15000));
	snprintf(path, sizeof path, "/v1/trains/X8303/documents?code=851&"
	    "consignment=%s", GRAPES);
	CU_ASSERT_EQUAL_FATAL(request("POST", path, ktze_token,
	    "application/pdf", pdf, sizeof pdf - 1, &r), 201);
	o = json_loads(r.body, 0, NULL);
	id = json_integer_value(json_object_get(o, "id"));
	json_decref(o);
	harness_response_free(&r);
	snprintf(path, sizeof path, "/v1/trains/X8303/documents/%lld/accept",
	    id);
	CU_ASSERT_EQUAL_FATAL(request("POST", path, officer_token,
	    "application/json", reason, strlen(reason), NULL), 200);
	CU_ASSERT_FATAL(wait_decisions("X8303", 2, 15000));

	bundle = bundle_of("X8303");
	CU_ASSERT_PTR_NOT_NULL_FATAL(bundle);
	out = verify_text("x8303.bundle.json", bundle, &st);
	CU_ASSERT_EQUAL(st, 0);
	if (st != 0 && out != NULL)
		fputs(out, stderr);
	free(out);

	/* The last decision and the event it applied, left out. */
	b = json_loads(bundle, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	decs = json_object_get(b, "decisions");
	n = json_array_size(decs);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	json_array_remove(decs, n - 1);
	ev = json_object_get(b, "events");
	evs = json_loads(json_string_value(json_object_get(ev, "data")), 0,
	    NULL);
	json_array_clear(evs);
	text = json_dumps(evs, JSON_COMPACT);
	sha256_hex(text, strlen(text), hex);
	json_object_set_new(ev, "sha256", json_string(hex));
	json_object_set_new(ev, "data", json_string(text));
	free(text);
	json_decref(evs);
	text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	out = verify_text("x8303.cut.json", text, &st);
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "decisions:") : NULL);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "events:") : NULL);
	if (out != NULL && st != 1)
		fputs(out, stderr);
	free(out);
	free(text);
	free(bundle);
}

/*
 * A token bound to the carrier "NULL" sends a manifest naming KZ-KTZE:
 * refused (401: the token is not taken), no train made.
 */
static void
t_i20_null_carrier_token(void)
{
	char	tok[64], *data, *p, *v;
	size_t	len;
	int	st;

	CU_ASSERT_EQUAL_FATAL(harness_token_carriers(&pg, "operator",
	    "null.operator", "{\"NULL\"}", tok), 0);
	data = test_read_fixture("xml/cuscar_s3_alashankou.xml", &len);
	if ((p = strstr(data, "X8024")) != NULL)
		memcpy(p, "X8304", 5);
	st = request("POST", "/v1/manifests", tok, "application/xml", data, len,
	    NULL);
	free(data);
	CU_ASSERT_EQUAL(st, 401);
	v = harness_sql(&pg, "SELECT count(*) FROM trains WHERE train_no = "
	    "'X8304'");
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "0");
	free(v);
	CU_ASSERT_EQUAL(request("GET", "/v1/trains", tok, NULL, NULL, 0, NULL),
	    401);
}

/* PUT /v1/subscriptions/name with formats and carriers; the status. */
static int
subscribe(const char *name, const char *formats, const char *carriers)
{
	char	body[512], path[128];

	snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:9/hook\","
	    "\"formats\":%s,\"secret\":\"whsec_attack_i20_0123456789\"%s%s}",
	    formats, carriers != NULL ? ",\"carriers\":" : "",
	    carriers != NULL ? carriers : "");
	snprintf(path, sizeof path, "/v1/subscriptions/%s", name);
	return request("PUT", path, admin_token, "application/json", body,
	    strlen(body), NULL);
}

/* Duty notices of subscription name for trains of carrier (or not). */
static char *
duty_count(const char *name, const char *carrier, bool of)
{
	char	q[512];

	snprintf(q, sizeof q, "SELECT count(*) FROM notices n JOIN "
	    "subscriptions s ON s.id = n.subscription_id JOIN trains t ON t.id "
	    "= n.train_id WHERE n.format = 'duty' AND s.name = '%s' AND "
	    "t.carrier_id %s '%s'", name, of ? "=" : "<>", carrier);
	return harness_sql(&pg, q);
}

/*
 * KZ-KTZE's subscription with json and duty hears the clock of its own
 * train only; CN-CRCT's train's alert goes to customs' duty desk.
 */
static void
t_i20_duty_alerts_scoped(void)
{
	char	*v;

	CU_ASSERT_EQUAL_FATAL(subscribe("ktze", "[\"json\",\"duty\"]",
	    "[\"KZ-KTZE\"]"), 200);
	CU_ASSERT_EQUAL_FATAL(subscribe("desk", "[\"duty\"]", NULL), 200);
	CU_ASSERT_EQUAL_FATAL(post_train_of("X8305", true), 202);
	CU_ASSERT_EQUAL_FATAL(post_train("X8306"), 202);
	CU_ASSERT_FATAL(wait_decisions("X8305", 1, 15000));
	CU_ASSERT_FATAL(wait_decisions("X8306", 1, 15000));
	/* Both trains arrived long ago: their clocks are overdue. */
	free(harness_sql(&pg, "UPDATE trains SET clock_start = now() - "
	    "interval '3 hours' WHERE train_no IN ('X8305', 'X8306') "
	    "RETURNING 1"));
	free(harness_sql(&pg, "SELECT clock_alerts(20, 300, 120, 'test')"));
	CU_ASSERT(harness_wait_sql(&pg, "SELECT count(*) FROM notices n JOIN "
	    "trains t ON t.id = n.train_id WHERE n.format = 'duty' AND "
	    "t.train_no = 'X8305'", "1", 5000));
	v = duty_count("ktze", "KZ-KTZE", false);
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "0");
	free(v);
	v = duty_count("ktze", "KZ-KTZE", true);
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "1");
	free(v);
	v = duty_count("desk", "KZ-KTZE", false);
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "1");
	free(v);
}

/*
 * CN-CRCT's X8307, cancelled; KZ-KTZE starts X8307 again (run 2, its
 * own): CN-CRCT's list still shows its run 1, KZ-KTZE's its run 2.
 */
static void
t_i20_list_keeps_our_run(void)
{
	struct harness_response	 r;
	json_t			*a, *x;
	size_t			 i;
	long long		 run_crct = 0, run_ktze = 0;

	CU_ASSERT_EQUAL_FATAL(post_train_of("X8307", true), 202);
	CU_ASSERT_FATAL(wait_decisions("X8307", 1, 15000));
	free(harness_sql(&pg, "UPDATE trains SET state = 'cancelled', "
	    "decision_final = true WHERE "
	    "train_no = 'X8307' RETURNING 1"));
	CU_ASSERT_EQUAL_FATAL(post_train("X8307"), 202);
	CU_ASSERT_FATAL(harness_wait_sql(&pg, "SELECT count(*) FROM trains "
	    "WHERE train_no = 'X8307' AND carrier_id = 'KZ-KTZE'", "1", 10000));
	CU_ASSERT_EQUAL_FATAL(request("GET", "/v1/trains", crct_token, NULL,
	    NULL, 0, &r), 200);
	a = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	json_array_foreach(a, i, x)
		if (strcmp(json_string_value(json_object_get(x, "train")),
		    "X8307") == 0)
			run_crct = json_integer_value(json_object_get(x, "run"));
	json_decref(a);
	CU_ASSERT_EQUAL(run_crct, 1);
	CU_ASSERT_EQUAL_FATAL(request("GET", "/v1/trains", ktze_token, NULL,
	    NULL, 0, &r), 200);
	a = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	json_array_foreach(a, i, x)
		if (strcmp(json_string_value(json_object_get(x, "train")),
		    "X8307") == 0)
			run_ktze = json_integer_value(json_object_get(x, "run"));
	json_decref(a);
	CU_ASSERT_EQUAL(run_ktze, 2);
	/* And run 1 is CN-CRCT's to read, not KZ-KTZE's. */
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8307@1", crct_token, NULL,
	    NULL, 0, NULL), 200);
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8307@1", ktze_token, NULL,
	    NULL, 0, NULL), 404);
}

/* Wagon 2's action in train's decision. */
static char *
w2_action(const char *train)
{
	char	q[256];

	snprintf(q, sizeof q, "SELECT w.action FROM wagons w JOIN trains t ON "
	    "t.id = w.train_id WHERE t.train_no = '%s' AND w.position = 2",
	    train);
	return harness_sql(&pg, q);
}

/*
 * An 851 accepted for the grapes (620 cartons, 8700 kg) releases them; a
 * replacement declaring 990 cartons, 9900 kg of them under the same
 * consignment must not ride on the certificate the officer saw.
 */
static void
t_i20_document_not_for_changed_goods(void)
{
	struct harness_response	 r;
	json_t			*o;
	char			 path[256], *data, *p, *v;
	const char		*reason = "{\"reason\":\"certificate checked\"}";
	size_t			 len;
	long long		 id;

	CU_ASSERT_EQUAL_FATAL(post_train("X8309"), 202);
	CU_ASSERT_FATAL(wait_decisions("X8309", 1, 15000));
	snprintf(path, sizeof path, "/v1/trains/X8309/documents?code=851&"
	    "consignment=%s", GRAPES);
	CU_ASSERT_EQUAL_FATAL(request("POST", path, ktze_token,
	    "application/pdf", pdf, sizeof pdf - 1, &r), 201);
	o = json_loads(r.body, 0, NULL);
	id = json_integer_value(json_object_get(o, "id"));
	json_decref(o);
	harness_response_free(&r);
	snprintf(path, sizeof path, "/v1/trains/X8309/documents/%lld/accept",
	    id);
	CU_ASSERT_EQUAL_FATAL(request("POST", path, officer_token,
	    "application/json", reason, strlen(reason), NULL), 200);
	CU_ASSERT_FATAL(wait_decisions("X8309", 2, 15000));
	v = w2_action("X8309");
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "RELEASE");
	free(v);

	data = test_read_fixture("xml/cuscar_s3_alashankou.xml", &len);
	if ((p = strstr(data, "X8024")) != NULL)
		memcpy(p, "X8309", 5);
	if ((p = strstr(data, "<FunctionCode>9<")) != NULL)
		p[14] = '5';
	if ((p = strstr(data, "Fresh table grapes")) != NULL &&
	    (p = strstr(p, ">620<")) != NULL)
		memcpy(p, ">990<", 5);
	if ((p = strstr(data, "Fresh table grapes")) != NULL &&
	    (p = strstr(p, ">8700<")) != NULL)
		memcpy(p, ">9900<", 6);
	CU_ASSERT_EQUAL_FATAL(request("POST", "/v1/manifests", ktze_token,
	    "application/xml", data, len, NULL), 202);
	free(data);
	CU_ASSERT_FATAL(wait_decisions("X8309", 3, 15000));
	v = w2_action("X8309");
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "DOC_CHECK");
	free(v);
}

/* GET /v1/audit/verify at port with token, parsed (NULL: no 200). */
static json_t *
verify_at(int port, const char *token)
{
	struct harness_response	 r;
	char			 hdr[128];
	json_t			*o = NULL;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(port, "GET", "/v1/audit/verify", hdr, NULL, 0, &r) < 0)
		return NULL;
	if (r.status == 200)
		o = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	return o;
}

/*
 * Alashankou linked to dostyk; alashankou's database owner keeps its
 * checkpoints from being sent before dostyk is up.  Its verify must not
 * say intact: the neighbour's copy holds nothing to compare.
 */
static void
t_i20_verify_neighbour_holds_none(void)
{
	struct harness_pg	 pga, pgb;
	struct harness_daemon	 alk, dst;
	struct harness_response	 r;
	char			 pki[64] = "/tmp/railgate-pki.XXXXXX", cmd[256];
	char			*ca = NULL, *cd = NULL, tok[64], aud[64], hdr[128];
	char			*v;
	json_t			*o = NULL;
	int			 pa = harness_free_port(), pb = harness_free_port();

	memset(&alk, 0, sizeof alk);
	memset(&dst, 0, sizeof dst);
	CU_ASSERT_FATAL(mkdtemp(pki) != NULL);
	snprintf(cmd, sizeof cmd, "scripts/border-pki.sh %s alashankou dostyk "
	    ">/dev/null", pki);
	CU_ASSERT_FATAL(system(cmd) == 0);
	CU_ASSERT_FATAL(harness_pg_start(&pga) == 0 &&
	    harness_pg_start(&pgb) == 0);
#define SIDE(pg, me, other, listen, port) xasprintf("%s[peer]\nname = %s\n" \
	"neighbour = %s\nurl = https://127.0.0.1:%d\nlisten = 127.0.0.1:%d\n" \
	"cert_file = %s/%s/cert.pem\nkey_file = %s/%s/key.pem\n" \
	"ca_file = %s/%s/ca.pem\npublic_key = %s/%s/signing.pub.pem\n" \
	"signing_key = %s/%s/signing.pem\nretry_base_ms = 100\n" \
	"retry_max_s = 1\n[audit]\ncheckpoint_interval_s = 1\n", (pg).conf, \
	me, other, port, listen, pki, me, pki, me, pki, other, pki, other, \
	pki, me)
	ca = SIDE(pga, "alashankou", "dostyk", pa, pb);
	cd = SIDE(pgb, "dostyk", "alashankou", pb, pa);
#undef SIDE
	CU_ASSERT_FATAL(harness_daemon_start(&alk, ca) == 0);
	/* The owner's suppression: nothing queued for the neighbour. */
	free(harness_sql(&pga, "CREATE FUNCTION keep_home() RETURNS trigger "
	    "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$; CREATE TRIGGER "
	    "keep_home BEFORE INSERT ON peer_outbox FOR EACH ROW WHEN "
	    "(NEW.type = 'checkpoint') EXECUTE FUNCTION keep_home(); DELETE "
	    "FROM peer_outbox WHERE type = 'checkpoint' RETURNING 1"));
	CU_ASSERT_FATAL(harness_daemon_start(&dst, cd) == 0);
	CU_ASSERT_FATAL(harness_token(&pga, "operator", "ktze.operator",
	    tok) == 0 && harness_token(&pga, "auditor", "a.auditor", aud) == 0);
	/* Records, and an own checkpoint of the head they make. */
	CU_ASSERT(harness_submit_fixture(alk.port, tok,
	    "xml/cuscar_s3_alashankou.xml") == 202);
	CU_ASSERT(harness_wait_sql(&pga, "SELECT count(*) FROM trains WHERE "
	    "decision IS NOT NULL AND NOT eval_needed", "1", 15000));
	sleep(2);
	CU_ASSERT(harness_wait_sql(&pga, "SELECT (max(c.seq) = (SELECT seq "
	    "FROM audit_head))::int FROM audit_checkpoints c WHERE c.own", "1",
	    10000));
	/* Dostyk holds none (the first was queued while it was down). */
	v = harness_sql(&pgb, "SELECT count(*) FROM audit_checkpoints WHERE "
	    "NOT own");
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "0");
	free(v);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", aud);
	if (harness_http(alk.port, "GET", "/v1/audit/verify", hdr, NULL, 0,
	    &r) == 0) {
		CU_ASSERT_EQUAL(r.status, 200);
		o = json_loads(r.body, 0, NULL);
		harness_response_free(&r);
	}
	CU_ASSERT_PTR_NOT_NULL(o);
	CU_ASSERT(json_is_false(json_object_get(o, "intact")));
	v = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	CU_ASSERT_PTR_NOT_NULL(v != NULL ? strstr(v, "holds no checkpoint") :
	    NULL);
	if (v != NULL && strstr(v, "holds no checkpoint") == NULL)
		fprintf(stderr, "%s\n", v);
	free(v);
	json_decref(o);

	/* The owner lets checkpoints go: dostyk holds one, verify holds. */
	free(harness_sql(&pga, "DROP TRIGGER keep_home ON peer_outbox; "
	    "SELECT 1"));
	CU_ASSERT(harness_submit_fixture(alk.port, tok,
	    "xml/ifcsum_horgos.xml") == 202);
	CU_ASSERT(harness_wait_sql(&pgb, "SELECT (count(*) > 0)::int FROM "
	    "audit_checkpoints WHERE NOT own", "1", 15000));
	o = verify_at(alk.port, aud);
	CU_ASSERT(json_is_true(json_object_get(o, "intact")));
	json_decref(o);
	/* Then keeps them again; the chain moves on, and time passes. */
	free(harness_sql(&pga, "CREATE TRIGGER keep_home BEFORE INSERT ON "
	    "peer_outbox FOR EACH ROW WHEN (NEW.type = 'checkpoint') EXECUTE "
	    "FUNCTION keep_home(); SELECT 1"));
	sleep(2);
	CU_ASSERT(harness_submit_fixture(alk.port, tok,
	    "edifact/cuscar_s4_unoy.edi") == 202);
	CU_ASSERT(harness_wait_sql(&pga, "SELECT count(*) FROM trains WHERE "
	    "decision IS NOT NULL AND NOT eval_needed", "3", 15000));
	sleep(10);	/* past 3 intervals of 1 s, and 5 s */
	o = verify_at(alk.port, aud);
	CU_ASSERT(json_is_false(json_object_get(o, "intact")));
	v = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	CU_ASSERT_PTR_NOT_NULL(v != NULL ? strstr(v, "could not be checked") :
	    NULL);
	free(v);
	json_decref(o);
	harness_daemon_stop(&alk);
	harness_daemon_stop(&dst);
	harness_pg_stop(&pga);
	harness_pg_stop(&pgb);
	free(ca);
	free(cd);
	snprintf(cmd, sizeof cmd, "rm -rf %s", pki);
	CU_ASSERT(system(cmd) == 0);
}

static CU_TestInfo attack_tests[] = {
	{ "t_i20_verify_neighbour_holds_none",
	    t_i20_verify_neighbour_holds_none },
	{ "t_i20_document_not_for_changed_goods",
	    t_i20_document_not_for_changed_goods },
	{ "t_i20_list_keeps_our_run", t_i20_list_keeps_our_run },
	{ "t_i20_duty_alerts_scoped", t_i20_duty_alerts_scoped },
	{ "t_i20_null_carrier_token", t_i20_null_carrier_token },
	{ "t_i20_replay_not_on_pool", t_i20_replay_not_on_pool },
	{ "t_i20_bundle_document_and_omission",
	    t_i20_bundle_document_and_omission },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_attack_i20", attack_suite_init, attack_suite_clean,
    attack_tests)
