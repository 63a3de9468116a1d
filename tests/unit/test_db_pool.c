/*
 * test_db_pool.c -- the database pool through an outage (db/db.c),
 * without PostgreSQL: a multi-host dsn whose every host is missing.
 *
 * libpq gets the dsn as it is (both hosts tried, in its own message);
 * the outage is told once however many attempts fail; the reconnect
 * backoff doubles to its ceiling; a request queued while no connection
 * is usable is answered "unavailable" after 5 s, not at its deadline;
 * TCP keepalive defaults apply unless the dsn sets its own.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "db/connect.h"
#include "db/db.h"
#include "manifest/util.h"

#include "unit.h"

#define POOL_DSN "host=/nonexistent-railgate-a,/nonexistent-railgate-b " \
	"port=5432,5433 dbname=railgate user=railgate_app " \
	"target_session_attrs=read-write"

struct pool_seen {
	int	downs, ups;
	char	why[600];
	long	timer_ms[2];
	int	answered;
	bool	unavailable;
};

static void
seen_watch(void *ctx, int slot, int fd, bool rd, bool wr)
{
}

static void
seen_timer(void *ctx, int slot, long ms)
{
	struct pool_seen	*s = ctx;

	s->timer_ms[slot] = ms;
}

static void
seen_state(void *ctx, bool up, const char *why, long down_ms)
{
	struct pool_seen	*s = ctx;

	if (up)
		s->ups++;
	else {
		s->downs++;
		snprintf(s->why, sizeof s->why, "%s", why != NULL ? why : "");
	}
}

static const struct db_io_ops seen_ops = { seen_watch, seen_timer, NULL,
    seen_state };

static void
seen_done_cb(const struct db_result *r, void *arg)
{
	struct pool_seen	*s = arg;

	s->answered++;
	s->unavailable = db_result_unavailable(r);
}

static int64_t
mono_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drives slot's handshake until it fails (libpq may fail it at once). */
static void
settle(struct db *db, struct pool_seen *s, int slot)
{
	int	i;

	for (i = 0; i < 20 && db_is_up(db) == false && s->downs == 0; i++)
		db_io_ready(db, slot, true, true);
}

/* Every host tried, one outage told, the backoff doubling to 1 s. */
static void
t_db_pool_outage_told_once(void)
{
	struct pool_seen	 s = { 0 };
	struct db		*db = db_new(POOL_DSN, 2, &seen_ops, &s);
	int			 i;
	long			 want[] = { 200, 400, 800, 1000, 1000 };

	settle(db, &s, 0);
	settle(db, &s, 1);
	CU_ASSERT_FALSE(db_is_up(db));
	CU_ASSERT_EQUAL(s.downs, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.why, "nonexistent-railgate-a"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.why, "nonexistent-railgate-b"));
	CU_ASSERT_EQUAL(s.timer_ms[0], 100);
	for (i = 0; i < (int)nitems(want); i++) {
		db_timer_fired(db, 0);
		settle(db, &s, 0);
		CU_ASSERT_EQUAL(s.timer_ms[0], want[i]);
	}
	CU_ASSERT_EQUAL(s.downs, 1);
	CU_ASSERT_EQUAL(s.ups, 0);
	db_free(db);
}

/* The URI form with two hosts reaches libpq as it is, too. */
static void
t_db_pool_uri_hosts(void)
{
	struct pool_seen	 s = { 0 };
	struct db		*db = db_new("postgresql://railgate_app@"
				    "%2Fnonexistent-railgate-a:5432,"
				    "%2Fnonexistent-railgate-b:5433/railgate"
				    "?target_session_attrs=read-write", 1,
				    &seen_ops, &s);

	settle(db, &s, 0);
	CU_ASSERT_EQUAL(s.downs, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.why, "nonexistent-railgate-a"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.why, "nonexistent-railgate-b"));
	db_free(db);
}

/* The value of keyword in c's options (copied into out). */
static const char *
conn_option(PGconn *c, const char *keyword, char *out, size_t size)
{
	PQconninfoOption	*o = PQconninfo(c), *p;

	out[0] = '\0';
	for (p = o; p != NULL && p->keyword != NULL; p++)
		if (strcmp(p->keyword, keyword) == 0 && p->val != NULL)
			snprintf(out, size, "%s", p->val);
	PQconninfoFree(o);
	return out;
}

/* Keepalive defaults, which the dsn overrides, in both forms. */
static void
t_db_pool_keepalive_defaults(void)
{
	PGconn	*c;
	char	 v[64];

	c = db_connect_start("host=/nonexistent-railgate-a,/nonexistent-"
	    "railgate-b dbname=railgate keepalives_idle=99 "
	    "target_session_attrs=read-write");
	CU_ASSERT_STRING_EQUAL(conn_option(c, "keepalives_idle", v, sizeof v),
	    "99");
	CU_ASSERT_STRING_EQUAL(conn_option(c, "keepalives_count", v, sizeof v),
	    "3");
	CU_ASSERT_STRING_EQUAL(conn_option(c, "tcp_user_timeout", v, sizeof v),
	    "30000");
	CU_ASSERT_STRING_EQUAL(conn_option(c, "target_session_attrs", v,
	    sizeof v), "read-write");
	CU_ASSERT_STRING_EQUAL(conn_option(c, "dbname", v, sizeof v),
	    "railgate");
	PQfinish(c);
	c = db_connect_start("postgresql://u@%2Fnonexistent-railgate-a:1/"
	    "railgate?tcp_user_timeout=5");
	CU_ASSERT_STRING_EQUAL(conn_option(c, "keepalives_idle", v, sizeof v),
	    "10");
	CU_ASSERT_STRING_EQUAL(conn_option(c, "tcp_user_timeout", v, sizeof v),
	    "5");
	CU_ASSERT_STRING_EQUAL(conn_option(c, "user", v, sizeof v), "u");
	PQfinish(c);
}

/* A request queued while nothing is up waits 5 s at most, not 30. */
static void
t_db_pool_outage_answers_queued(void)
{
	struct pool_seen	 s = { 0 };
	struct db		*db = db_new(POOL_DSN, 1, &seen_ops, &s);
	int64_t			 t0;

	settle(db, &s, 0);
	t0 = mono_now_ms();
	db_query(db, "SELECT 1", 0, NULL, NULL, NULL, 0, 30000, seen_done_cb,
	    &s);
	db_expire(db, t0 + 4000);
	CU_ASSERT_EQUAL(s.answered, 0);
	db_expire(db, t0 + 5200);
	CU_ASSERT_EQUAL(s.answered, 1);
	CU_ASSERT_TRUE(s.unavailable);
	/* And at shutdown, whatever is queued is answered. */
	db_query(db, "SELECT 1", 0, NULL, NULL, NULL, 0, 30000, seen_done_cb,
	    &s);
	db_free(db);
	CU_ASSERT_EQUAL(s.answered, 2);
}

static CU_TestInfo db_pool_tests[] = {
	{ "t_db_pool_outage_told_once", t_db_pool_outage_told_once },
	{ "t_db_pool_uri_hosts", t_db_pool_uri_hosts },
	{ "t_db_pool_keepalive_defaults", t_db_pool_keepalive_defaults },
	{ "t_db_pool_outage_answers_queued", t_db_pool_outage_answers_queued },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("db_pool", NULL, NULL, db_pool_tests);
