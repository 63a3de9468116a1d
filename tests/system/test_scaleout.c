/*
 * test_scaleout.c -- two daemons share one database: a daemon killed while
 * it evaluates a train has that train finished by the other once its
 * lease expires, and the train is decided exactly once.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	a, b;
static char			operator_token[64];

/*
 * lease_seconds is the old name of lease_s, kept here on purpose: an
 * installed railgate.conf with it still works (config.c's aliases).
 */
static const char lease_conf[] = "[evaluation]\nlease_seconds = 2\n";

static int
scaleout_init(void)
{
	char	*conf;
	int	 rc;

	if (harness_pg_start(&pg) < 0)
		return -1;
	conf = xasprintf("%s%s", pg.conf, lease_conf);
	rc = harness_daemon_start(&a, conf) < 0 ||
	    harness_daemon_start(&b, conf) < 0 ||
	    harness_token(&pg, "operator", "ktze.operator", operator_token) < 0;
	free(conf);
	return rc ? -1 : 0;
}

static int
scaleout_clean(void)
{
	harness_daemon_stop(&a);
	harness_daemon_stop(&b);
	harness_pg_stop(&pg);
	return 0;
}

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
t_scaleout_killed_daemon_work_taken_over(void)
{
	struct harness_daemon	*owner, *other;
	struct harness_response	 r;
	char			 cmd[1024], path[300], hdr[128], *data, *v;
	char			 pid_a[32];
	size_t			 len;
	PGconn			*conn;
	long long		 deadline;

	/* A train big enough that its evaluation takes a moment. */
	snprintf(path, sizeof path, "%s/big.edi", a.dir);
	snprintf(cmd, sizeof cmd, "%s/railgate gen --wagons 50 --items 150000 "
	    "--seed 31 --format edifact --ecommerce -o %s", test_build_dir(),
	    path);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	CU_ASSERT_EQUAL_FATAL(file_read_all(path, &data, &len), 0);
	conn = PQconnectdb(pg.dsn);
	CU_ASSERT_EQUAL_FATAL(PQstatus(conn), CONNECTION_OK);

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", operator_token);
	CU_ASSERT_EQUAL_FATAL(harness_http(a.port, "POST", "/v1/manifests", hdr,
	    data, len, &r), 0);
	CU_ASSERT_EQUAL(r.status, 202);
	harness_response_free(&r);
	free(data);

	/* Kill whichever daemon claims it, as soon as it has. */
	deadline = now_ms() + 20000;
	while ((v = harness_pq_value(conn, "SELECT lease_owner FROM trains "
	    "WHERE lease_owner IS NOT NULL")) == NULL && now_ms() < deadline)
		usleep(2000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	snprintf(pid_a, sizeof pid_a, ":%ld", (long)a.pid);
	owner = strstr(v, pid_a) != NULL ? &a : &b;
	other = owner == &a ? &b : &a;
	kill(owner->pid, SIGKILL);
	free(v);

	/* The other finishes it after the lease, and only it decides. */
	deadline = now_ms() + 30000;
	while ((v = harness_pq_value(conn, "SELECT made_by FROM "
	    "decisions")) == NULL && now_ms() < deadline)
		usleep(50000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	snprintf(pid_a, sizeof pid_a, ":%ld", (long)other->pid);
	CU_ASSERT_PTR_NOT_NULL(strstr(v, pid_a));
	free(v);
	usleep(500000);
	v = harness_pq_value(conn, "SELECT count(*) || '/' || "
	    "count(DISTINCT made_by) FROM decisions");
	CU_ASSERT_STRING_EQUAL(v, "1/1");
	free(v);
	v = harness_pq_value(conn, "SELECT state || '/' || eval_needed || "
	    "'/' || (lease_owner IS NULL) FROM trains");
	CU_ASSERT_STRING_EQUAL(v, "evaluated/false/true");
	free(v);
	PQfinish(conn);
	harness_daemon_stop(owner);
}

/*
 * The daemons read lease_seconds as lease_s (the takeover below waits 2 s,
 * not the default 120) and each said so at start: file:line, the old
 * name and the new one.  Read before the takeover, which stops the
 * daemon it killed and so removes that one's directory and log: b's,
 * whenever b claimed the train first.
 */
static void
t_scaleout_old_config_name_warned(void)
{
	char	 want[400], *log;
	FILE	*f;
	long	 n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(b.log, "r"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	log = xcalloc(1, (size_t)n + 1);
	CU_ASSERT_EQUAL(fread(log, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	snprintf(want, sizeof want, "%s/railgate.conf:", b.dir);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "[evaluation] lease_seconds is an "
	    "old name of lease_s"));
	free(log);
}

static CU_TestInfo scaleout_tests[] = {
	{ "t_scaleout_old_config_name_warned",
	    t_scaleout_old_config_name_warned },
	{ "t_scaleout_killed_daemon_work_taken_over",
	    t_scaleout_killed_daemon_work_taken_over },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_scaleout", scaleout_init, scaleout_clean,
    scaleout_tests)
