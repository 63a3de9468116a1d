/*
 * test_clock.c -- the clearance clock under a wall-clock step (issue 10,
 * "Clock").
 *
 * The suite's PostgreSQL runs under libfaketime (Debian's faketime),
 * whose offset file the test rewrites: the database's wall clock jumps
 * two hours forward, then three back, while the daemon's clocks run on.
 * Asserted: the time left on a running clearance clock follows elapsed
 * time across both jumps (daemon/clock.c sees each jump and shifts the
 * clocks, migration 015); events keep the order they were posted in (the
 * later position wins although its time is earlier); the audit chain
 * verifies, with one clock.jump record per jump.  Skipped, with a
 * message, where libfaketime is not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define FAKETIME_LIB	"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_tok[64], officer_tok[64], auditor_tok[64];
static char			offset_file[300];
static bool			have_faketime;

/* Sets the database's clock offset ("+7200", "-3600": seconds); 0 or -1. */
static int
set_offset(const char *offset)
{
	FILE	*f = fopen(offset_file, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "%s\n", offset);
	return fclose(f) == 0 ? 0 : -1;
}

static int
clock_suite_init(void)
{
	char	conf[2048], dir[] = "/tmp/railgate-clock.XXXXXX";

	have_faketime = access(FAKETIME_LIB, R_OK) == 0;
	if (!have_faketime)
		return 0;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(offset_file, sizeof offset_file, "%s/offset", dir);
	if (set_offset("+0") < 0)
		return -1;
	/* Readable by postgres, which runs the server when we are root. */
	if (chmod(dir, 0755) != 0 || chmod(offset_file, 0644) != 0)
		return -1;
	/* Only the cluster started now runs under libfaketime. */
	setenv("LD_PRELOAD", FAKETIME_LIB, 1);
	setenv("FAKETIME_TIMESTAMP_FILE", offset_file, 1);
	setenv("FAKETIME_NO_CACHE", "1", 1);
	setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
	if (harness_pg_start(&pg) < 0)
		return -1;
	unsetenv("LD_PRELOAD");
	unsetenv("FAKETIME_TIMESTAMP_FILE");
	unsetenv("FAKETIME_NO_CACHE");
	unsetenv("FAKETIME_DONT_FAKE_MONOTONIC");
	snprintf(conf, sizeof conf, "%s[daemon]\nlog_level = info\n", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "clock.operator", operator_tok) < 0 ||
	    harness_token(&pg, "officer", "clock.officer", officer_tok) < 0 ||
	    harness_token(&pg, "auditor", "clock.auditor", auditor_tok) < 0)
		return -1;
	return 0;
}

static int
clock_suite_clean(void)
{
	if (!have_faketime)
		return 0;
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	unlink(offset_file);
	*strrchr(offset_file, '/') = '\0';
	rmdir(offset_file);
	return 0;
}

static double
mono_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* GET path as token, parsed; NULL unless 200. */
static json_t *
get_json(const char *path, const char *token)
{
	struct harness_response	 r;
	char			 hdr[128];
	json_t			*j = NULL;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(dm.port, "GET", path, hdr, NULL, 0, &r) == 0 &&
	    r.status == 200)
		j = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	return j;
}

/* The train's clock: seconds left, and its ETA into eta (may be NULL). */
static long
remaining_s(char *eta, size_t size)
{
	json_t	*t = get_json("/v1/trains/X8024", officer_tok);
	long	 left;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	left = (long)json_integer_value(json_object_get(json_object_get(t,
	    "clock"), "remaining_s"));
	if (eta != NULL)
		snprintf(eta, size, "%s", json_string_value(json_object_get(t,
		    "eta")) != NULL ? json_string_value(json_object_get(t,
		    "eta")) : "");
	json_decref(t);
	return left;
}

static int
post_event(const char *body)
{
	struct harness_response	r;
	char			hdr[128];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", operator_tok);
	if (harness_http(dm.port, "POST", "/v1/trains/X8024/events", hdr, body,
	    strlen(body), &r) < 0)
		return -1;
	status = r.status;
	harness_response_free(&r);
	return status;
}

/* Waits until the audit log holds n clock.jump records (15 s at most). */
static bool
wait_jumps(int n)
{
	char	want[16];

	snprintf(want, sizeof want, "%d", n);
	return harness_wait_sql(&pg, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'clock.jump'", want, 15000);
}

/*
 * The time left across a jump, against elapsed time: within 3 s (the
 * clock's resolution is a second, and a read takes a moment).
 */
static void
check_follows(long before, double t_before, const char *when)
{
	long	after = remaining_s(NULL, 0);
	double	elapsed = mono_s() - t_before;
	double	drift = (double)(before - after) - elapsed;

	fprintf(stderr, "\nclock: %s: %ld s left, %ld before, %.1f s elapsed "
	    "(drift %.1f s)", when, after, before, elapsed, drift);
	CU_ASSERT(drift > -3 && drift < 3);
}

static void
t_clock_wall_jumps(void)
{
	char	 eta[64];
	long	 left0;
	double	 t0;
	char	*v;
	json_t	*verify;

	if (!have_faketime) {
		fprintf(stderr, "\nclock: skipped: %s not installed (Debian "
		    "package faketime)\n", FAKETIME_LIB);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(harness_submit_fixture(dm.port, operator_tok,
	    "edifact/cuscar_s3_alashankou.edi"), 202);
	CU_ASSERT_EQUAL(post_event("{\"type\":\"position\","
	    "\"eta\":\"2026-11-22T10:00:00Z\"}"), 202);
	CU_ASSERT_EQUAL(post_event("{\"type\":\"arrived\"}"), 202);
	/* Let the daemon take a first reading of the server's clock. */
	sleep(6);
	left0 = remaining_s(NULL, 0);
	t0 = mono_s();
	CU_ASSERT(left0 > 0 && left0 <= 20 * 60);

	/* Two hours forward: without the shift, the train would be red. */
	CU_ASSERT_EQUAL_FATAL(set_offset("+7200"), 0);
	CU_ASSERT_TRUE(wait_jumps(1));
	check_follows(left0, t0, "2 h forward");
	CU_ASSERT_EQUAL(post_event("{\"type\":\"position\","
	    "\"eta\":\"2026-11-22T11:00:00Z\"}"), 202);

	/* Three hours back: the next event is stamped before the last. */
	CU_ASSERT_EQUAL_FATAL(set_offset("-3600"), 0);
	CU_ASSERT_TRUE(wait_jumps(2));
	check_follows(left0, t0, "3 h back");
	CU_ASSERT_EQUAL(post_event("{\"type\":\"position\","
	    "\"eta\":\"2026-11-22T12:00:00Z\"}"), 202);
	fprintf(stderr, "\n");

	/* The events keep the order they were posted in. */
	v = harness_sql(&pg, "SELECT string_agg(body->>'eta', ',' ORDER BY id) "
	    "FROM events WHERE type = 'position'");
	CU_ASSERT_STRING_EQUAL(v, "2026-11-22T10:00:00Z,2026-11-22T11:00:00Z,"
	    "2026-11-22T12:00:00Z");
	free(v);
	v = harness_sql(&pg, "SELECT count(*) FROM (SELECT received_at, lag("
	    "received_at) OVER (ORDER BY id) AS prev FROM events) x WHERE "
	    "received_at < prev");
	CU_ASSERT_STRING_EQUAL(v, "1");	/* the wall clock did go back */
	free(v);
	remaining_s(eta, sizeof eta);
	CU_ASSERT_STRING_EQUAL(eta, "2026-11-22T12:00:00Z");	/* the last wins */

	/* The audit chain holds, jumps and all. */
	verify = get_json("/v1/audit/verify", auditor_tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(verify);
	CU_ASSERT_TRUE(json_is_true(json_object_get(verify, "intact")));
	json_decref(verify);
	v = harness_sql(&pg, "SELECT string_agg(sign(jump_ms)::text, ',' "
	    "ORDER BY id) FROM clock_jumps");
	CU_ASSERT_STRING_EQUAL(v, "1,-1");
	free(v);
}

static CU_TestInfo clock_tests[] = {
	{ "t_clock_wall_jumps", t_clock_wall_jumps },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_clock", clock_suite_init, clock_suite_clean,
    clock_tests)
