/*
 * test_checkpoints.c -- the audit chain anchored outside the database
 * (issue 20, item 8): two daemons linked as neighbours; alashankou signs
 * checkpoints of its chain, dostyk receives and keeps them; a consistent
 * rewrite of alashankou's chain by its database owner (every later hash
 * and the head recomputed, its own checkpoint rows deleted) passes the
 * plain audit_verify() but GET /v1/audit/verify reports it through the
 * copy dostyk holds.  A still chain makes no new checkpoint; SIGTERM
 * makes one.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon/checkpoint.h"
#include "daemon/sign.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pga, pgb;
static struct harness_daemon	alk, dst;	/* alashankou, dostyk */
static char			pki[256];
static char			alk_operator[64], alk_auditor[64];
static struct sign_key		*alk_signing;
static int			port_a, port_b;

/* One side's configuration: the link, and checkpoints every interval_s. */
static char *
side_conf(const char *pgconf, const char *me, const char *other, int listen,
    int other_port, int interval_s)
{
	return xasprintf("%s[peer]\nname = %s\nneighbour = %s\n"
	    "url = https://127.0.0.1:%d\nlisten = 127.0.0.1:%d\n"
	    "cert_file = %s/%s/cert.pem\nkey_file = %s/%s/key.pem\n"
	    "ca_file = %s/%s/ca.pem\npublic_key = %s/%s/signing.pub.pem\n"
	    "signing_key = %s/%s/signing.pem\nretry_base_ms = 100\n"
	    "retry_max_s = 1\n[audit]\ncheckpoint_interval_s = %d\n", pgconf,
	    me, other, other_port, listen, pki, me, pki, me, pki, other, pki,
	    other, pki, me, interval_s);
}

static int
cp_init(void)
{
	char	 cmd[512], path[300], *ca, *cd, *cause = NULL;
	int	 rc;

	signal(SIGPIPE, SIG_IGN);
	port_a = harness_free_port();
	port_b = harness_free_port();
	snprintf(pki, sizeof pki, "/tmp/railgate-pki.XXXXXX");
	if (mkdtemp(pki) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "scripts/border-pki.sh %s alashankou dostyk "
	    ">/dev/null", pki);
	if (system(cmd) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/alashankou/signing.pem", pki);
	if ((alk_signing = sign_key_load(path, 0, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	if (harness_pg_start(&pga) < 0 || harness_pg_start(&pgb) < 0)
		return -1;
	ca = side_conf(pga.conf, "alashankou", "dostyk", port_a, port_b, 1);
	cd = side_conf(pgb.conf, "dostyk", "alashankou", port_b, port_a, 1);
	rc = harness_daemon_start(&alk, ca) < 0 ||
	    harness_daemon_start(&dst, cd) < 0 ||
	    harness_token(&pga, "operator", "ktzh.operator", alk_operator) < 0 ||
	    harness_token(&pga, "auditor", "a.auditor", alk_auditor) < 0;
	free(ca);
	free(cd);
	return rc ? -1 : 0;
}

static int
cp_clean(void)
{
	char	cmd[300];

	harness_daemon_stop(&alk);
	harness_daemon_stop(&dst);
	harness_pg_stop(&pga);
	harness_pg_stop(&pgb);
	sign_key_free(alk_signing);
	snprintf(cmd, sizeof cmd, "rm -rf %s", pki);
	return system(cmd) == 0 ? 0 : -1;
}

/* Submits the XML fixture at alashankou as train id (5 characters). */
static int
submit_train(const char *id)
{
	struct harness_response	 r;
	char			 hdr[160], *xml, *p;
	size_t			 len;
	int			 status;

	xml = test_read_fixture("xml/cuscar_s4_unoy.xml", &len);
	while ((p = strstr(xml, "X9403")) != NULL)
		memcpy(p, id, 5);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\nContent-Type: "
	    "application/xml\r\n", alk_operator);
	status = harness_http(alk.port, "POST", "/v1/manifests", hdr, xml, len,
	    &r) < 0 ? -1 : r.status;
	if (status >= 0) {
		if (status != 202)
			printf("\n  submit %s: %d %.300s\n", id, status,
			    r.body != NULL ? r.body : "");
		harness_response_free(&r);
	}
	free(xml);
	return status;
}

/* A value from one side's database as a number (-1 when none). */
static long long
sql_num(const struct harness_pg *pg, const char *sql)
{
	char		*v = harness_sql(pg, sql);
	long long	 n = v != NULL && *v != '\0' ? atoll(v) : -1;

	free(v);
	return n;
}

/* GET /v1/audit/verify at alashankou, parsed. */
static json_t *
verify_a(void)
{
	struct harness_response	 r;
	char			 hdr[128];
	json_t			*j = NULL;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", alk_auditor);
	if (harness_http(alk.port, "GET", "/v1/audit/verify", hdr, NULL, 0,
	    &r) < 0)
		return NULL;
	if (r.status == 200)
		j = json_loads(r.body, 0, NULL);
	else
		fprintf(stderr, "\nverify: %d %s\n", r.status, r.body);
	harness_response_free(&r);
	return j;
}

/* The check named name in a verify answer. */
static json_t *
check_of(json_t *v, const char *name)
{
	json_t	*c;
	size_t	 i;

	json_array_foreach(json_object_get(v, "checks"), i, c) {
		if (strcmp(json_string_value(json_object_get(c, "check")),
		    name) == 0)
			return c;
	}
	return NULL;
}

/* Records at alashankou (a manifest ingested and decided), then dostyk
 * holds a checkpoint of its head: signed by alashankou's key. */
static void
t_checkpoint_sent_and_held(void)
{
	char			 sql[256], *row;
	json_t			*o, *v;
	struct checkpoint	 c;
	const char		*why = NULL;
	char			*cause = NULL;
	long long		 head;

	CU_ASSERT_EQUAL_FATAL(harness_submit_fixture(alk.port, alk_operator,
	    "xml/cuscar_s4_unoy.xml"), 202);
	CU_ASSERT_FATAL(harness_wait_sql(&pga, "SELECT count(*) FROM trains "
	    "WHERE decision IS NOT NULL AND NOT eval_needed", "1", 15000));
	/* The head settles (the decision's records), then is anchored. */
	sleep(2);
	head = sql_num(&pga, "SELECT seq FROM audit_head");
	CU_ASSERT_FATAL(head > 0);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_checkpoints "
	    "WHERE own AND seq = %lld", head);
	CU_ASSERT_FATAL(harness_wait_sql(&pga, sql, NULL, 10000));
	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_checkpoints "
	    "WHERE NOT own AND chain = 'alashankou' AND seq = %lld", head);
	CU_ASSERT_FATAL(harness_wait_sql(&pgb, sql, NULL, 15000));
	/* Dostyk's copy is alashankou's signature over its head. */
	snprintf(sql, sizeof sql, "SELECT checkpoint_json(c)::text FROM "
	    "audit_checkpoints c WHERE NOT own AND seq = %lld LIMIT 1", head);
	row = harness_sql(&pgb, sql);
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	o = json_loads(row, 0, NULL);
	CU_ASSERT_EQUAL_FATAL(checkpoint_from_json(o, "c", &c, &cause), 0);
	CU_ASSERT_EQUAL(checkpoint_verify(&c, alk_signing, &why), 0);
	CU_ASSERT_STRING_EQUAL(c.station, "alashankou");
	/* The same fields, one byte of the hash changed: refused. */
	c.hash[0] = c.hash[0] == 'a' ? 'b' : 'a';
	CU_ASSERT_EQUAL(checkpoint_verify(&c, alk_signing, &why), -1);
	checkpoint_clear(&c);
	json_decref(o);
	free(row);
	/* Received checkpoints are in the inbox, once, with no train. */
	CU_ASSERT(sql_num(&pgb, "SELECT count(*) FROM peer_inbox WHERE type = "
	    "'checkpoint' AND train_id IS NULL") >= 1);
	v = verify_a();
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(json_is_true(json_object_get(v, "intact")));
	CU_ASSERT(json_is_true(json_object_get(check_of(v, "chain"), "ok")));
	CU_ASSERT(json_is_true(json_object_get(check_of(v, "own_checkpoints"),
	    "ok")));
	CU_ASSERT(json_is_true(json_object_get(check_of(v,
	    "neighbour_checkpoints"), "ok")));
	CU_ASSERT(json_integer_value(json_object_get(check_of(v,
	    "neighbour_checkpoints"), "checkpoints")) >= 1);
	json_decref(v);
}

/*
 * A head that does not move anchors nothing new: it is signed again only
 * as a heartbeat, at most once per two periods and at the same seq, so
 * that the neighbour's latest copy stays fresh through a quiet spell (a
 * stale copy reads, to GET /v1/audit/verify, as checkpoints kept from
 * the neighbour).
 */
static void
t_checkpoint_skipped_when_still(void)
{
	long long	before, after, seqs, age;

	before = sql_num(&pga, "SELECT count(*) FROM audit_checkpoints WHERE own");
	sleep(3);		/* three periods */
	after = sql_num(&pga, "SELECT count(*) FROM audit_checkpoints WHERE own");
	seqs = sql_num(&pga, "SELECT count(DISTINCT seq) FROM audit_checkpoints "
	    "WHERE own AND id > (SELECT max(id) FROM audit_checkpoints WHERE own) "
	    "- 3");
	CU_ASSERT(before >= 1);
	CU_ASSERT(after - before <= 2);	/* not one per period */
	CU_ASSERT_EQUAL(seqs, 1);	/* nothing new was anchored */
	/* The neighbour's copy is a heartbeat old at most (2 periods + slack). */
	CU_ASSERT(harness_wait_sql(&pgb, "SELECT (extract(epoch FROM now() - "
	    "max(at)) <= 4)::text FROM audit_checkpoints WHERE NOT own",
	    "true", 5000));
	age = sql_num(&pgb, "SELECT extract(epoch FROM now() - max(at))::bigint "
	    "FROM audit_checkpoints WHERE NOT own");
	CU_ASSERT(age >= 0 && age <= 4);
}

/* Alashankou restarted with a long period: only SIGTERM checkpoints. */
static void
t_checkpoint_at_shutdown(void)
{
	char		*conf, *side, sql[256];
	long long	 own, head;

	side = side_conf(pga.conf, "alashankou", "dostyk", port_a, port_b,
	    3600);
	conf = xasprintf("[daemon]\nlisten = 127.0.0.1:%d\nstate_dir = %s\n%s",
	    alk.port, alk.dir, side);
	free(side);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_signal_wait(&alk, SIGTERM, 10000),
	    0);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_write_conf(&alk, conf), 0);
	free(conf);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_exec(&alk), 0);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_wait_ready(&alk, 10000), 0);
	/* Records: another train. */
	CU_ASSERT_EQUAL_FATAL(submit_train("X9404"), 202);
	CU_ASSERT_FATAL(harness_wait_sql(&pga, "SELECT count(*) FROM trains "
	    "WHERE train_no = 'X9404' AND decision IS NOT NULL AND NOT "
	    "eval_needed", "1", 15000));
	sleep(1);
	own = sql_num(&pga, "SELECT count(*) FROM audit_checkpoints WHERE own");
	CU_ASSERT_EQUAL_FATAL(harness_daemon_signal_wait(&alk, SIGTERM, 10000),
	    0);
	head = sql_num(&pga, "SELECT seq FROM audit_head");
	CU_ASSERT_EQUAL(sql_num(&pga, "SELECT count(*) FROM audit_checkpoints "
	    "WHERE own"), own + 1);
	CU_ASSERT_EQUAL(sql_num(&pga, "SELECT max(seq) FROM audit_checkpoints "
	    "WHERE own"), head);
	/* Started again, it sends the shutdown checkpoint to dostyk. */
	CU_ASSERT_EQUAL_FATAL(harness_daemon_exec(&alk), 0);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_wait_ready(&alk, 10000), 0);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_checkpoints "
	    "WHERE NOT own AND seq = %lld", head);
	CU_ASSERT(harness_wait_sql(&pgb, sql, NULL, 15000));
}

/*
 * The database owner rewrites record seq of alashankou's chain,
 * recomputes every later hash and the head exactly as audit_append()
 * would, and (delete_own) deletes alashankou's own checkpoints and their
 * link messages.
 */
static char *
rewrite_sql(int seq, bool delete_own)
{
	return xasprintf(
	    "BEGIN;"
	    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;"
	    "ALTER TABLE audit_checkpoints DISABLE TRIGGER "
	    "audit_checkpoints_insert_only;"
	    "UPDATE audit_log SET details = '{\"rewritten\":true}' WHERE seq = %d;"
	    "DO $$ DECLARE r audit_log%%ROWTYPE; prev text; h text; BEGIN "
	    "  SELECT hash INTO prev FROM audit_log WHERE seq = %d - 1;"
	    "  FOR r IN SELECT * FROM audit_log WHERE seq >= %d ORDER BY seq LOOP "
	    "    h := encode(sha256(convert_to(prev || E'\\n' || "
	    "      audit_record_text(r.seq, r.at, r.actor, r.action, r.train_id,"
	    "      r.details, r.ruleset_sha256), 'UTF8')), 'hex');"
	    "    UPDATE audit_log SET prev_hash = prev, hash = h WHERE seq = r.seq;"
	    "    prev := h;"
	    "  END LOOP;"
	    "  UPDATE audit_head SET hash = prev;"
	    "END $$;"
	    "%s"
	    "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;"
	    "ALTER TABLE audit_checkpoints ENABLE TRIGGER "
	    "audit_checkpoints_insert_only;"
	    "COMMIT;", seq, seq, seq, delete_own ?
	    "DELETE FROM peer_outbox WHERE type = 'checkpoint';"
	    "DELETE FROM audit_checkpoints WHERE own;" : "");
}

static void
t_rewrite_found_through_neighbour(void)
{
	json_t		*v, *n, *own;
	char		*ok;

	char		*sql;

	CU_ASSERT_FATAL(sql_num(&pgb, "SELECT count(*) FROM audit_checkpoints "
	    "WHERE NOT own AND seq >= 2") >= 1);
	sql = rewrite_sql(2, true);
	free(harness_sql(&pga, sql));
	free(sql);
	CU_ASSERT_EQUAL(sql_num(&pga, "SELECT count(*) FROM audit_log WHERE "
	    "seq = 2 AND details = '{\"rewritten\":true}'"), 1);
	CU_ASSERT_EQUAL(sql_num(&pga, "SELECT count(*) FROM audit_checkpoints "
	    "WHERE own"), 0);
	/* The rewrite is consistent: the chain alone says intact. */
	ok = harness_sql(&pga, "SELECT first_bad IS NULL FROM audit_verify()");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ok);
	CU_ASSERT_STRING_EQUAL(ok, "t");
	free(ok);
	v = verify_a();
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(json_is_false(json_object_get(v, "intact")));
	CU_ASSERT(json_is_true(json_object_get(check_of(v, "chain"), "ok")));
	n = check_of(v, "neighbour_checkpoints");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT(json_is_false(json_object_get(n, "ok")));
	/* The oldest checkpoint that disagrees: at or after record 2. */
	CU_ASSERT(json_integer_value(json_object_get(n, "first_bad_seq")) >= 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(n,
	    "reason")), "rewritten"));
	CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(n,
	    "checkpoint"), "hash"));
	/* Our rows are gone, but the neighbour's copy says they existed. */
	own = check_of(v, "own_checkpoints");
	CU_ASSERT(json_is_false(json_object_get(own, "ok")));
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(own,
	    "reason")), "removed"));
	CU_ASSERT(json_integer_value(json_object_get(v, "first_bad")) >= 2);
	json_decref(v);
}

/*
 * Alashankou signs the rewritten head once its own rows are gone (it
 * cannot know); rewritten again with its checkpoint kept, it refuses to
 * sign: the bundle endpoint, which signs first, answers 503, and the
 * verification names our own checkpoint.
 */
static void
t_rewritten_chain_not_signed(void)
{
	struct harness_response	 r;
	char			 hdr[128], *sql, *log = NULL;
	size_t			 len;
	json_t			*v;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", alk_auditor);
	CU_ASSERT_EQUAL_FATAL(harness_http(alk.port, "GET",
	    "/v1/trains/X9403/bundle", hdr, NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(sql_num(&pga, "SELECT count(*) FROM audit_checkpoints "
	    "WHERE own"), 1);
	sql = rewrite_sql(3, false);
	free(harness_sql(&pga, sql));
	free(sql);
	CU_ASSERT_EQUAL_FATAL(harness_http(alk.port, "GET",
	    "/v1/trains/X9403/bundle", hdr, NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 503);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(sql_num(&pga, "SELECT count(*) FROM audit_checkpoints "
	    "WHERE own"), 1);
	CU_ASSERT_EQUAL_FATAL(file_read_all(alk.log, &log, &len), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "audit checkpoint refused: the chain "
	    "no longer holds"));
	free(log);
	v = verify_a();
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(json_is_false(json_object_get(check_of(v, "own_checkpoints"),
	    "ok")));
	CU_ASSERT(json_is_false(json_object_get(v, "intact")));
	json_decref(v);
}

static CU_TestInfo cp_tests[] = {
	{ "checkpoint signed, sent, held by the neighbour",
	    t_checkpoint_sent_and_held },
	{ "a still head is signed again only as a heartbeat",
	    t_checkpoint_skipped_when_still },
	{ "SIGTERM makes a checkpoint", t_checkpoint_at_shutdown },
	{ "a consistent rewrite is found through the neighbour's checkpoint",
	    t_rewrite_found_through_neighbour },
	{ "a chain that contradicts our checkpoint is not signed",
	    t_rewritten_chain_not_signed },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_checkpoints", cp_init, cp_clean, cp_tests)
