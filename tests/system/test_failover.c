/*
 * test_failover.c -- a database that fails over (issue 21, item 10;
 * docs/operations.md, "A replicated PostgreSQL").
 *
 * A primary (scripts/pgcluster.sh) with a synchronous streaming standby
 * (tests/system/pgstandby.sh: pg_basebackup -R; synchronous_standby_names
 * '*' on the primary, synchronous_commit on), and the daemon given both
 * hosts with target_session_attrs=read-write.  Trains are submitted and
 * every acknowledged manifest recorded; the primary is killed (pg_ctl
 * stop -m immediate) and, a moment later, the standby promoted; trains
 * keep coming.  The daemon, never restarted, answers 503 with
 * Retry-After (and /readyz 503) while no primary answers, reconnects by
 * itself, and the new primary holds every manifest it acknowledged --
 * what synchronous replication promises -- and decides the trains sent
 * after the failover.  Big trains in flight at the kill are each
 * answered (202, then found on the new primary, or 503 with Retry-After)
 * within 10 s.  The time from the kill to the first manifest accepted
 * again is printed.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define FO_BEFORE	12	/* trains sent before the kill */
#define FO_TOTAL	30	/* and after, up to this many in all */
#define FO_RACERS	4	/* big trains in flight at the kill */

static struct harness_pg	primary, standby;
static struct harness_daemon	dm;
static char			operator_token[64], hdr[128];
static char			standby_dir[64] = "";

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The value of host= in dsn, copied into out. */
static void
dsn_host(const char *dsn, char *out, size_t size)
{
	const char	*h = strstr(dsn, "host=");

	snprintf(out, size, "%s", h != NULL ? h + 5 : "");
	out[strcspn(out, " ")] = '\0';
}

/*
 * The standby: a base backup of the primary, started, then made
 * synchronous (after the backup, so that the standby does not inherit a
 * synchronous_standby_names that would stall its own commits once it is
 * promoted with no standby of its own).
 */
static int
standby_start(void)
{
	char	cmd[700], psock[300];
	FILE	*p;

	snprintf(standby_dir, sizeof standby_dir, "/tmp/railgate-pgs.XXXXXX");
	if (mkdtemp(standby_dir) == NULL)
		return -1;
	dsn_host(primary.dsn, psock, sizeof psock);
	snprintf(cmd, sizeof cmd, "tests/system/pgstandby.sh start '%s' '%s' "
	    "5433", standby_dir, psock);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(standby.dsn, sizeof standby.dsn, p) == NULL)
		standby.dsn[0] = '\0';
	standby.dsn[strcspn(standby.dsn, "\n")] = '\0';
	if (pclose(p) != 0 || standby.dsn[0] == '\0')
		return -1;
	free(harness_sql(&primary, "ALTER SYSTEM SET synchronous_standby_names "
	    "= '*'"));
	free(harness_sql(&primary, "SELECT pg_reload_conf()"));
	return harness_wait_sql(&primary, "SELECT count(*) FROM "
	    "pg_stat_replication WHERE sync_state = 'sync'", "1", 15000) ? 0 : -1;
}

/* The daemon's [database] section: both hosts, the writable one wanted. */
static void
failover_conf(char *out, size_t size)
{
	char	p[300], s[300];

	dsn_host(primary.dsn, p, sizeof p);
	dsn_host(standby.dsn, s, sizeof s);
	snprintf(out, size, "[database]\n"
	    "dsn = host=%s,%s port=5432,5433 user=railgate_app dbname=postgres "
	    "target_session_attrs=read-write\n"
	    "admin_dsn = host=%s,%s port=5432,5433 user=postgres dbname=postgres "
	    "target_session_attrs=read-write\nconnections = 2\n", p, s, p, s);
}

static int
failover_suite_init(void)
{
	char	conf[1600];

	if (harness_pg_start(&primary) < 0 || standby_start() < 0)
		return -1;
	failover_conf(conf, sizeof conf);
	if (harness_daemon_start(&dm, conf) < 0 ||
	    harness_token(&primary, "operator", "ktze.operator",
	    operator_token) < 0)
		return -1;
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", operator_token);
	return 0;
}

static int
failover_suite_clean(void)
{
	char	cmd[300];

	harness_daemon_stop(&dm);
	if (standby_dir[0] != '\0') {
		snprintf(cmd, sizeof cmd, "tests/system/pgstandby.sh stop '%s'; "
		    "rm -rf '%s'", standby_dir, standby_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "failover: %s failed\n", cmd);
	}
	harness_pg_stop(&primary);
	return 0;
}

/*
 * Posts the manifest in path; the HTTP status (-1: no answer) and, on
 * 202, the manifest's id.  *retry_after tells whether the answer carried
 * Retry-After.
 */
static int
post_file(const char *path, long long *manifest, bool *retry_after)
{
	struct harness_response	 r;
	char			 v[32], *data;
	const char		*m;
	size_t			 len;
	int			 st;

	*manifest = 0;
	*retry_after = false;
	if (file_read_all(path, &data, &len) < 0)
		return -1;
	st = harness_http(dm.port, "POST", "/v1/manifests", hdr, data, len, &r);
	free(data);
	if (st < 0)
		return -1;
	st = r.status;
	if (st == 202 && (m = strstr(r.body, "\"manifest\"")) != NULL &&
	    (m = strchr(m, ':')) != NULL)
		*manifest = strtoll(m + 1, NULL, 10);
	*retry_after = harness_header(&r, "Retry-After", v, sizeof v) != NULL;
	harness_response_free(&r);
	return st;
}

/* Writes train seed of wagons wagons (`railgate gen`) to path; 0 or -1. */
static int
gen_train(int seed, int wagons, char *path, size_t size)
{
	char	cmd[700];

	snprintf(path, size, "%s/t%d.edi", dm.dir, seed);
	snprintf(cmd, sizeof cmd, "%s/railgate gen --wagons %d --items %d "
	    "--seed %d --format edifact -o %s", test_build_dir(), wagons,
	    wagons * 10, seed, path);
	return system(cmd) == 0 ? 0 : -1;
}

/* Posts train i (`railgate gen --seed 700+i`, 3 wagons). */
static int
post_train(int i, long long *manifest, bool *retry_after)
{
	char	path[300];

	if (gen_train(700 + i, 3, path, sizeof path) < 0)
		return -1;
	return post_file(path, manifest, retry_after);
}

/* A big manifest posted while the primary is being killed. */
struct racer {
	pthread_t	thread;
	char		path[300];
	int		status;
	bool		retry_after;
	long long	manifest, ms;
};

static void *
racer_run(void *arg)
{
	struct racer	*r = arg;
	long long	 t0 = now_ms();

	r->status = post_file(r->path, &r->manifest, &r->retry_after);
	r->ms = now_ms() - t0;
	return NULL;
}

/* The status of GET /readyz, -1 without an answer. */
static int
readyz(void)
{
	struct harness_response	r;
	int			st;

	if (harness_http(dm.port, "GET", "/readyz", NULL, NULL, 0, &r) < 0)
		return -1;
	st = r.status;
	harness_response_free(&r);
	return st;
}

/* Kills the primary; true once /readyz says 503 (within 5 s). */
static bool
kill_primary(void)
{
	char	cmd[400];
	int	k;

	snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh kill '%s'", primary.dir);
	if (system(cmd) != 0)
		return false;
	for (k = 0; k < 50 && readyz() != 503; k++)
		usleep(100000);
	return k < 50;
}

/* How many lines of the daemon's log hold what; each shown on stderr. */
static int
log_count(const char *what)
{
	char	*text, *p, *end;
	size_t	 len;
	int	 n = 0;

	if (file_read_all(dm.log, &text, &len) < 0)
		return -1;
	for (p = text; (p = strstr(p, what)) != NULL; p += strlen(what)) {
		end = strchr(p, '\n');
		fprintf(stderr, "failover: daemon log: %.*s\n", end != NULL ?
		    (int)(end - p) : (int)strlen(p), p);
		n++;
	}
	free(text);
	return n;
}

/* The standby made the primary. */
static bool
promote_standby(void)
{
	char	cmd[300];

	snprintf(cmd, sizeof cmd, "tests/system/pgstandby.sh promote '%s'",
	    standby_dir);
	return system(cmd) == 0;
}

/* ids as an SQL array literal, '{1,2,3}' (caller frees). */
static char *
ids_literal(const long long *ids, int n)
{
	struct buf	 b = { 0 };
	char		 num[32];
	int		 i;

	buf_add(&b, "'{", 2);
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof num, "%s%lld", i > 0 ? "," : "", ids[i]);
		buf_add(&b, num, strlen(num));
	}
	buf_add(&b, "}'", 3);
	return b.data;
}

/* Every acknowledged manifest is on pg; the count missing. */
static int
missing_on(const struct harness_pg *pg, const long long *acked, int n)
{
	char	*ids = ids_literal(acked, n), *sql, *v;
	int	 missing;

	sql = xasprintf("SELECT %d - count(*) FROM manifests WHERE id = "
	    "ANY(%s::bigint[])", n, ids);
	v = harness_sql(pg, sql);
	missing = v != NULL ? atoi(v) : n;
	free(v);
	free(sql);
	free(ids);
	return missing;
}

/* True once every train of the manifests ids is decided on pg (15 s). */
static bool
decided_on(const struct harness_pg *pg, const long long *ids_after, int n)
{
	char	*ids = ids_literal(ids_after, n), *sql;
	bool	 ok;

	sql = xasprintf("SELECT (count(*) = %d)::int FROM trains WHERE "
	    "manifest_id = ANY(%s::bigint[]) AND decision IS NOT NULL AND NOT "
	    "eval_needed", n, ids);
	ok = harness_wait_sql(pg, sql, "1", 15000);
	free(sql);
	free(ids);
	return ok;
}

static struct racer	racers[FO_RACERS];
static long long	raced[FO_RACERS];

/*
 * Big trains posted from threads, and the primary killed while they are
 * in flight; true once the daemon's /readyz says 503.
 */
static bool
kill_racing(void)
{
	int	k;

	memset(racers, 0, sizeof racers);
	for (k = 0; k < FO_RACERS; k++)
		if (gen_train(900 + k, 20, racers[k].path,
		    sizeof racers[k].path) < 0)
			return false;
	for (k = 0; k < FO_RACERS; k++)
		if (pthread_create(&racers[k].thread, NULL, racer_run,
		    &racers[k]) != 0)
			return false;
	usleep(30000);
	return kill_primary();
}

/*
 * Each train in flight at the kill was answered, 202 (its manifest kept
 * in raced[], *n of them) or 503 with Retry-After, within 10 s: none was
 * left hanging.
 */
static void
racers_join(int *n)
{
	int	k;

	for (k = 0; k < FO_RACERS; k++) {
		pthread_join(racers[k].thread, NULL);
		CU_ASSERT(racers[k].status == 202 || (racers[k].status == 503 &&
		    racers[k].retry_after));
		CU_ASSERT(racers[k].ms < 10000);
		if (racers[k].status == 202 && racers[k].manifest > 0)
			raced[(*n)++] = racers[k].manifest;
		fprintf(stderr, "\nfailover: a train in flight at the kill: "
		    "%d after %lld ms", racers[k].status, racers[k].ms);
	}
}

/* Fail over under traffic: nothing acknowledged is lost, nothing hangs. */
static void
t_failover_promoted_standby(void)
{
	long long	acked[FO_TOTAL], m, t_kill = 0, t_back = 0;
	int		i, st, nacked = 0, unavailable = 0, other = 0, after = 0;
	int		nbefore = 0, nraced = 0;
	bool		retry;
	char		*v;

	for (i = 0; i < FO_TOTAL; i++) {
		if (i == FO_BEFORE) {
			nbefore = nacked;
			CU_ASSERT_TRUE_FATAL(kill_racing());
			t_kill = now_ms();
			/* No primary: refused at once, never left hanging. */
			st = post_train(i, &m, &retry);
			CU_ASSERT_EQUAL(st, 503);
			CU_ASSERT_TRUE(retry);
			unavailable++;
			CU_ASSERT_TRUE_FATAL(promote_standby());
			racers_join(&nraced);
			continue;
		}
		st = post_train(i, &m, &retry);
		if (st == 202 && m > 0) {
			acked[nacked++] = m;
			if (i > FO_BEFORE) {
				after++;
				if (t_back == 0)
					t_back = now_ms();
			}
		} else if (st == 503 && retry) {
			unavailable++;
			i--;		/* the same train again, as a client would */
			usleep(200000);
			CU_ASSERT_FATAL(t_kill > 0 && now_ms() - t_kill < 20000);
		} else {
			other++;
			fprintf(stderr, "\nfailover: train %d answered %d\n", i, st);
		}
	}
	CU_ASSERT_EQUAL(other, 0);
	CU_ASSERT(unavailable >= 1);
	CU_ASSERT_EQUAL(after, FO_TOTAL - FO_BEFORE - 1);
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
	CU_ASSERT_EQUAL(readyz(), 200);
	fprintf(stderr, "\nfailover: manifests acknowledged: %d (and %d in "
	    "flight at the kill); answered 503 with Retry-After: %d; from the "
	    "kill to the first manifest accepted: %lld ms\n", nacked, nraced,
	    unavailable, t_back - t_kill);
	/* The outage is logged once, and its end once. */
	CU_ASSERT_EQUAL(log_count("database: no usable connection"), 1);
	CU_ASSERT_EQUAL(log_count("database: reachable again after"), 1);
	/* What synchronous replication promises: every one is there. */
	CU_ASSERT_EQUAL(missing_on(&standby, acked, nacked), 0);
	CU_ASSERT_EQUAL(missing_on(&standby, raced, nraced), 0);
	/* And the trains sent after the failover are decided. */
	CU_ASSERT_EQUAL(nbefore, FO_BEFORE);
	CU_ASSERT_TRUE(decided_on(&standby, acked + nbefore, nacked - nbefore));
	v = harness_sql(&standby, "SELECT pg_is_in_recovery()::text");
	CU_ASSERT_PTR_NOT_NULL(v);
	CU_ASSERT_STRING_EQUAL(v != NULL ? v : "", "false");
	free(v);
}

static CU_TestInfo failover_tests[] = {
	{ "t_failover_promoted_standby", t_failover_promoted_standby },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_failover", failover_suite_init, failover_suite_clean,
    failover_tests);
