/*
 * test_tamper.c -- audit tampering (issue 10): on a throwaway database
 * holding a few trains' history, random single-row edits, deletions and
 * reorderings of the audit log, each one then undone; every one must be
 * found by GET /v1/audit/verify and by `railgate replay`, and the log
 * must verify intact again once it is restored.
 *
 * RAILGATE_TAMPER_TRIALS (default 20; `make torture`: 1000) and
 * RAILGATE_TAMPER_SEED (default: the time, printed) make a failing run
 * repeatable.
 */
#include <sys/wait.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64], officer_token[64];
static char			auditor_token[64];
static long			nrecords;

/* The audit log as it was: each trial's change is undone from here. */
static const char keep_sql[] =
    "CREATE TABLE tamper_keep AS SELECT * FROM audit_log";
static const char restore_sql[] =
    "BEGIN; ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; "
    "DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM tamper_keep; "
    "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only; COMMIT; "
    "SELECT 1";

static const char *const fixtures[] = {
	"edifact/cuscar_s3_alashankou.edi",
	"xml/ifcsum_horgos.xml",
	"edifact/cuscar_original_erenhot.edi",
	"edifact/cuscar_s4_unoy.edi",
	"edifact/cuscar_unoe_cyrillic.edi",
	"edifact/cuscar_s3_alashankou.edi",	/* again: a conflict */
	"edifact/cuscar_replace.edi",
	"edifact/cuscar_cancel.edi",
};

static int
tamper_init(void)
{
	char	*v;
	size_t	 i;

	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0 ||
	    harness_token(&pg, "operator", "t.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "t.officer", officer_token) < 0 ||
	    harness_token(&pg, "auditor", "t.auditor", auditor_token) < 0)
		return -1;
	/* A history of a few dozen records: trains received, decided, one
	 * sent twice (a conflict), one replaced, one cancelled. */
	for (i = 0; i < nitems(fixtures); i++)
		if (harness_submit_fixture(dm.port, operator_token,
		    fixtures[i]) < 0)
			return -1;
	if (!harness_wait_sql(&pg, "SELECT count(*) FROM trains WHERE "
	    "eval_needed", "0", 10000))
		return -1;
	free(harness_sql(&pg, keep_sql));
	v = harness_sql(&pg, "SELECT count(*) FROM tamper_keep");
	nrecords = v != NULL ? atol(v) : 0;
	free(v);
	return nrecords >= 10 ? 0 : -1;
}

static int
tamper_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* The columns of a record an edit may change, and how. */
static const char *const edits[] = {
	"at = at + interval '1 second'",
	"actor = actor || 'x'",
	"action = action || 'x'",
	"train_id = coalesce(train_id, 0) + 1",
	"details = details || ' '",
	"ruleset_sha256 = coalesce(ruleset_sha256, '') || 'x'",
	"prev_hash = prev_hash || 'x'",
	"hash = hash || 'x'",
};

/* A random number in [0, n) from the suite's generator. */
static long
pick(uint64_t *state, long n)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (long)((*state >> 33) % (uint64_t)n);
}

/* One random change as SQL, described in what (for a failure message). */
static void
make_change(uint64_t *rng, char *sql, size_t size, char *what, size_t wsize)
{
	long	a = 1 + pick(rng, nrecords), b, kind = pick(rng, 3), e;

	if (kind == 0) {
		e = pick(rng, (long)nitems(edits));
		snprintf(sql, size, "UPDATE audit_log SET %s WHERE seq = %ld",
		    edits[e], a);
		snprintf(what, wsize, "record %ld: %s", a, edits[e]);
	} else if (kind == 1) {
		snprintf(sql, size, "DELETE FROM audit_log WHERE seq = %ld", a);
		snprintf(what, wsize, "record %ld deleted", a);
	} else {
		do
			b = 1 + pick(rng, nrecords);
		while (b == a);
		snprintf(sql, size, "UPDATE audit_log SET seq = -1 WHERE seq = %ld; "
		    "UPDATE audit_log SET seq = %ld WHERE seq = %ld; "
		    "UPDATE audit_log SET seq = %ld WHERE seq = -1", a, a, b, b);
		snprintf(what, wsize, "records %ld and %ld swapped", a, b);
	}
}

/* GET /v1/audit/verify: 1 intact, 0 broken, -1 no answer. */
static int
api_intact(void)
{
	struct harness_response	 r;
	char			 hdr[128];
	json_t			*j;
	int			 intact = -1;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", auditor_token);
	if (harness_http(dm.port, "GET", "/v1/audit/verify", hdr, NULL, 0,
	    &r) < 0)
		return -1;
	if (r.status == 200 && (j = json_loads(r.body, 0, NULL)) != NULL) {
		intact = json_is_true(json_object_get(j, "intact"));
		json_decref(j);
	}
	harness_response_free(&r);
	return intact;
}

/* `railgate replay --all`: 1 when it says the chain is intact (exit 0),
 * 0 when it says it is broken (exit 1 and "BROKEN"), -1 otherwise. */
static int
replay_intact(void)
{
	char	 cmd[1024], out[8192];
	size_t	 n;
	FILE	*p;
	int	 status;

	snprintf(cmd, sizeof cmd, "%s/railgate replay --dsn '%s' --all 2>&1",
	    test_build_dir(), pg.dsn);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	status = WEXITSTATUS(pclose(p));
	if (status == 0)
		return 1;
	return status == 1 && strstr(out, "BROKEN") != NULL ? 0 : -1;
}

/* Applies sql with the append-only trigger off, as the owner would. */
static void
apply_change(const char *sql)
{
	char	*all;

	all = xasprintf("BEGIN; ALTER TABLE audit_log DISABLE TRIGGER "
	    "audit_log_append_only; %s; ALTER TABLE audit_log ENABLE TRIGGER "
	    "audit_log_append_only; COMMIT; SELECT 1", sql);
	free(harness_sql(&pg, all));
	free(all);
}

/* Every single-row change found by both; the log intact once restored. */
static void
t_tamper_every_change_detected(void)
{
	const char	*env = getenv("RAILGATE_TAMPER_TRIALS");
	long		 trials = env != NULL ? atol(env) : 20, i, missed = 0;
	uint64_t	 seed, rng;
	char		 sql[512], what[256];

	env = getenv("RAILGATE_TAMPER_SEED");
	seed = env != NULL ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
	rng = seed;
	fprintf(stderr, "\ntamper: %ld trials over %ld records, "
	    "RAILGATE_TAMPER_SEED=%llu\n", trials, nrecords,
	    (unsigned long long)seed);
	CU_ASSERT_EQUAL_FATAL(api_intact(), 1);
	CU_ASSERT_EQUAL_FATAL(replay_intact(), 1);
	for (i = 0; i < trials; i++) {
		make_change(&rng, sql, sizeof sql, what, sizeof what);
		apply_change(sql);
		if (api_intact() != 0 || replay_intact() != 0) {
			fprintf(stderr, "tamper: trial %ld not detected: %s\n", i,
			    what);
			missed++;
		}
		free(harness_sql(&pg, restore_sql));
		if (api_intact() != 1) {
			fprintf(stderr, "tamper: trial %ld: not intact after "
			    "restoring (%s)\n", i, what);
			missed++;
			break;
		}
	}
	fprintf(stderr, "tamper: %ld changes, %ld not detected\n", i, missed);
	CU_ASSERT_EQUAL(missed, 0);
}

static CU_TestInfo tamper_tests[] = {
	{ "t_tamper_every_change_detected", t_tamper_every_change_detected },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_tamper", tamper_init, tamper_clean, tamper_tests)
