/*
 * test_outbox.c -- the delivery cycle's back-off and life (daemon/outbox.c)
 * and the claim lifecycle helper (daemon/cycle.c), without PostgreSQL or
 * a daemon: an adapter whose store calls answer at once.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <event2/event.h>
#include <openssl/err.h>

#include "daemon/cycle.h"
#include "daemon/outbox.h"
#include "daemon/pool.h"

#include "unit.h"

/* Doubling from base_ms, capped at max_s, times the jitter 0.5 + rnd. */
static void
t_outbox_backoff_doubles_to_ceiling(void)
{
	CU_ASSERT_DOUBLE_EQUAL(outbox_backoff_s(1, 500, 60, 0.5), 0.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(outbox_backoff_s(2, 500, 60, 0.5), 1.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(outbox_backoff_s(5, 500, 60, 0.5), 8.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(outbox_backoff_s(8, 500, 60, 0.5), 60.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(outbox_backoff_s(50, 500, 60, 0.5), 60.0, 1e-9);
	/* The ceiling holds before the jitter, not after. */
	CU_ASSERT_DOUBLE_EQUAL(outbox_backoff_s(50, 500, 60, 0.0), 30.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(outbox_backoff_s(3, 1000, 60, 0.999), 5.996,
	    1e-9);
	/* A base above the ceiling is the ceiling. */
	CU_ASSERT_DOUBLE_EQUAL(outbox_backoff_s(1, 90000, 60, 0.5), 60.0, 1e-9);
}

/* The random jitter stays within [0.5, 1.5) of the doubled delay. */
static void
t_outbox_retry_jitter_bounded(void)
{
	struct outbox_item	it = { 0 };
	double			s;
	int			i;

	for (i = 0; i < 200; i++) {
		it.attempts = i % 4;
		s = outbox_retry_s(&it, 1000, 60);
		s /= (double)(1 << (i % 4));
		CU_ASSERT(s >= 0.5 && s < 1.5);
	}
}

/* No answer: status 0 and a reason an operator can act on. */
static void
t_outbox_result_without_answer(void)
{
	char	error[128];

	ERR_clear_error();	/* what earlier suites left in this thread */
	CU_ASSERT_EQUAL(outbox_result(NULL, NULL, error, sizeof error), 0);
	CU_ASSERT_STRING_EQUAL(error,
	    "no answer (connection refused, reset or timed out)");
}

struct ticker {
	struct event_base	*base;
	struct cycle		*c;
	int			 ticks;
	int			 stop_at;	/* ticks, then the loop ends */
};

static void
ticker_tick(void *arg)
{
	struct ticker	*t = arg;

	if (++t->ticks == t->stop_at)
		event_base_loopbreak(t->base);
}

static int	ticker_stops, ticker_releases, ticker_held;

static void
ticker_stop(void *arg)
{
	ticker_stops++;
}

static void
ticker_release(void *arg)
{
	ticker_releases++;
}

static int
ticker_holds(const void *arg)
{
	return ticker_held;
}

static const struct cycle_def ticker_fast = {
	.period_ms = 10, .tick = ticker_tick, .stop = ticker_stop,
	.release = ticker_release, .held = ticker_holds, .drained = true,
};

static const struct cycle_def ticker_slow = {
	.period_ms = 60000, .tick = ticker_tick,
};

/* The timer ticks every period until stopped; a stop ends the ticks. */
static void
t_cycle_ticks_until_stopped(void)
{
	struct ticker	t = { 0 };
	struct timeval	wait = { 0, 200000 };

	ticker_stops = ticker_releases = 0;
	t.base = event_base_new();
	t.stop_at = 3;
	t.c = cycle_new(NULL, t.base, &ticker_fast, &t);
	event_base_dispatch(t.base);
	CU_ASSERT_EQUAL(t.ticks, 3);
	cycle_stop(t.c);
	cycle_stop(t.c);		/* again: nothing more */
	CU_ASSERT(cycle_is_stopping(t.c));
	CU_ASSERT_EQUAL(ticker_stops, 1);
	event_base_loopexit(t.base, &wait);
	event_base_dispatch(t.base);
	CU_ASSERT_EQUAL(t.ticks, 3);
	cycle_free(t.c);
	CU_ASSERT_EQUAL(ticker_releases, 1);
	event_base_free(t.base);
}

/* A group stops its cycles once each, drains only those drained, frees all. */
static void
t_cycle_group_stop_drain_free(void)
{
	struct event_base	*base = event_base_new();
	struct cycle_group	*g = cycle_group_new();
	struct ticker		 t = { 0 };
	struct cycle		*fast, *slow;

	ticker_stops = ticker_releases = 0;
	ticker_held = 2;
	fast = cycle_new(g, base, &ticker_fast, &t);
	slow = cycle_new(g, base, &ticker_slow, &t);
	cycle_work_begin(fast);
	cycle_work_begin(slow);		/* not drained: not counted */
	CU_ASSERT_EQUAL(cycle_group_in_flight(g), 3);
	cycle_group_stop(g);
	cycle_group_stop(g);
	CU_ASSERT_EQUAL(ticker_stops, 1);
	CU_ASSERT(!cycle_claim_begin(fast));
	CU_ASSERT(!cycle_claim_begin(slow));
	cycle_work_end(fast);
	ticker_held = 0;
	CU_ASSERT_EQUAL(cycle_group_in_flight(g), 0);
	cycle_group_free(g);
	CU_ASSERT_EQUAL(ticker_releases, 1);
	cycle_group_free(NULL);
	event_base_free(base);
}

/* One claim at a time; work and the claim counted; none after a stop. */
static void
t_cycle_one_claim_and_counts(void)
{
	struct event_base	*base = event_base_new();
	struct ticker		 t = { 0 };
	struct cycle		*c = cycle_new(NULL, base, &ticker_slow, &t);

	CU_ASSERT_EQUAL(cycle_in_flight(NULL), 0);
	CU_ASSERT(cycle_claim_begin(c));
	CU_ASSERT(!cycle_claim_begin(c));	/* one in flight already */
	CU_ASSERT_EQUAL(cycle_in_flight(c), 1);
	cycle_work_begin(c);
	cycle_work_begin(c);
	CU_ASSERT_EQUAL(cycle_working(c), 2);
	CU_ASSERT_EQUAL(cycle_in_flight(c), 3);
	cycle_claim_end(c);
	CU_ASSERT(cycle_claim_begin(c));
	cycle_claim_end(c);
	cycle_stop(c);
	/* Stopping: no new claim, but work in hand still ends and counts. */
	CU_ASSERT(!cycle_claim_begin(c));
	CU_ASSERT_EQUAL(cycle_in_flight(c), 2);
	cycle_work_end(c);
	cycle_work_end(c);
	CU_ASSERT_EQUAL(cycle_in_flight(c), 0);
	cycle_free(c);
	event_base_free(base);
}

/* A fake adapter: items with a number, answered at once. */
struct fake {
	struct outbox	*ob;
	int		 due;		/* items the "store" still holds */
	int		 claims, built, stored, sent, recorded, freed;
	int		 max_seen;	/* the most in flight at once */
	bool		 fail_build, fail_store, hold;
	struct fake_item *held[8];	/* sends not yet answered */
	int		 nheld;
};

struct fake_item {
	struct outbox_item	 it;
	struct fake		*f;
	char			*body;
};

static void
fake_claim(struct outbox *ob, int n)
{
	struct fake	*f = outbox_arg(ob);
	int		 i, got = f->due < n ? f->due : n;

	f->claims++;
	f->due -= got;
	if (outbox_claim_end(ob, 0) < 0)
		return;
	for (i = 0; i < got; i++) {
		struct fake_item *x = outbox_item_new(ob, sizeof *x, 0);

		x->f = f;
		outbox_begin(&x->it, false);
	}
	outbox_claim_more(ob, (size_t)got);
}

static int
fake_build(struct outbox_item *it)
{
	struct fake_item	*x = (struct fake_item *)it;

	if (x->f->fail_build) {
		it->status = 422;
		strcpy(it->error, "unbuildable");
		return -1;
	}
	x->f->built++;
	x->body = strdup("body");
	return 0;
}

static void
fake_store_body(struct outbox_item *it, outbox_stored_cb cb)
{
	struct fake_item	*x = (struct fake_item *)it;

	x->f->stored++;
	cb(x->f->fail_store ? -1 : 0, it);
}

static void
fake_unstored(struct outbox_item *it)
{
}

static void
fake_send(struct outbox_item *it)
{
	struct fake_item	*x = (struct fake_item *)it;
	int			 n = outbox_in_flight(x->f->ob);

	x->f->sent++;
	if (n > x->f->max_seen)
		x->f->max_seen = n;
	if (x->f->hold && x->f->nheld < 8) {
		x->f->held[x->f->nheld++] = x;
		return;
	}
	it->status = 200;
	outbox_record(it);
}

static void
fake_record(struct outbox_item *it, outbox_recorded_cb cb)
{
	cb(it->status == 200 ? "delivered" : "failed", it);
}

static bool
fake_recorded(struct outbox_item *it, const char *result)
{
	((struct fake_item *)it)->f->recorded++;
	return true;
}

static void
fake_free(struct outbox_item *it)
{
	struct fake_item	*x = (struct fake_item *)it;

	x->f->freed++;
	free(x->body);
	free(x);
}

static const struct outbox_ops fake_ops = {
	.period_ms = 60000, .batch = 2, .max_in_flight = 4, .timeout_s = 1,
	.claim = fake_claim, .build = fake_build,
	.store_body = fake_store_body, .unstored = fake_unstored,
	.send = fake_send, .record = fake_record, .recorded = fake_recorded,
	.free = fake_free,
};

/* A kick claims whole batches until the store is empty; each item once. */
static void
t_outbox_cycle_delivers_each_once(void)
{
	struct event_base	*base = event_base_new();
	struct fake		 f = { 0 };
	struct cycle_group	*g;

	f.due = 5;
	g = cycle_group_new();
	f.ob = outbox_new(g, base, NULL, &fake_ops, &f);
	outbox_kick(f.ob);
	CU_ASSERT_EQUAL(f.sent, 5);
	CU_ASSERT_EQUAL(f.recorded, 5);
	CU_ASSERT_EQUAL(f.freed, 5);
	CU_ASSERT_EQUAL(f.due, 0);
	CU_ASSERT_EQUAL(outbox_in_flight(f.ob), 0);
	cycle_group_free(g);
	event_base_free(base);
}

/* No claim while max_in_flight items are in hand, nor after a stop. */
static void
t_outbox_cycle_bounded_and_stops(void)
{
	struct event_base	*base = event_base_new();
	struct fake		 f = { 0 };
	struct cycle_group	*g;
	int			 i, claims;

	f.due = 10;
	f.hold = true;
	g = cycle_group_new();
	f.ob = outbox_new(g, base, NULL, &fake_ops, &f);
	outbox_kick(f.ob);
	CU_ASSERT_EQUAL(f.nheld, 4);
	CU_ASSERT_EQUAL(outbox_in_flight(f.ob), 4);
	claims = f.claims;
	outbox_kick(f.ob);			/* full: no claim */
	CU_ASSERT_EQUAL(f.claims, claims);
	cycle_group_stop(g);
	CU_ASSERT(outbox_is_stopping(f.ob));
	f.hold = false;
	for (i = 0; i < 4; i++) {
		f.held[i]->it.status = 200;
		outbox_record(&f.held[i]->it);
	}
	CU_ASSERT_EQUAL(f.claims, claims);	/* stopped: none after */
	CU_ASSERT_EQUAL(f.freed, 4);
	CU_ASSERT_EQUAL(outbox_in_flight(f.ob), 0);
	cycle_group_free(g);
	event_base_free(base);
}

/* A body that cannot be built is recorded as refused, never sent; one
 * that cannot be stored is dropped for the lease to bring back. */
static void
t_outbox_cycle_build_and_store_failures(void)
{
	struct event_base	*base = event_base_new();
	struct fake		 f = { 0 };
	struct cycle_group	*g;

	f.due = 1;
	f.fail_build = true;
	g = cycle_group_new();
	f.ob = outbox_new(g, base, NULL, &fake_ops, &f);
	outbox_kick(f.ob);
	CU_ASSERT_EQUAL(f.sent, 0);
	CU_ASSERT_EQUAL(f.recorded, 1);
	CU_ASSERT_EQUAL(f.freed, 1);
	f.fail_build = false;
	f.fail_store = true;
	f.due = 1;
	outbox_kick(f.ob);
	CU_ASSERT_EQUAL(f.sent, 0);
	CU_ASSERT_EQUAL(f.recorded, 1);
	CU_ASSERT_EQUAL(f.freed, 2);
	CU_ASSERT_EQUAL(outbox_in_flight(f.ob), 0);
	cycle_group_free(g);
	event_base_free(base);
}

static struct event_base *worker_base;

static void
worker_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fake	*f = arg;

	if (f->freed == 3)
		event_base_loopbreak(worker_base);
}

/* Built on a worker: the item comes back to the loop and goes out. */
static void
t_outbox_cycle_builds_on_worker(void)
{
	struct outbox_ops	 ops = fake_ops;
	struct fake		 f = { 0 };
	struct cycle_group	*g;
	struct timeval		 poll = { 0, 5000 };
	struct pool		*pool;
	struct event		*ev;

	worker_base = event_base_new();
	pool = pool_new(worker_base, 2);
	ops.build_on_worker = true;
	f.due = 3;
	g = cycle_group_new();
	f.ob = outbox_new(g, worker_base, pool, &ops, &f);
	ev = event_new(worker_base, -1, EV_PERSIST, worker_stop_cb, &f);
	event_add(ev, &poll);
	outbox_kick(f.ob);
	event_base_dispatch(worker_base);
	CU_ASSERT_EQUAL(f.sent, 3);
	CU_ASSERT_EQUAL(f.freed, 3);
	CU_ASSERT_EQUAL(outbox_in_flight(f.ob), 0);
	event_free(ev);
	pool_free(pool);
	cycle_group_free(g);
	event_base_free(worker_base);
}

static CU_TestInfo outbox_tests[] = {
	{ "t_outbox_backoff_doubles_to_ceiling",
	    t_outbox_backoff_doubles_to_ceiling },
	{ "t_outbox_retry_jitter_bounded", t_outbox_retry_jitter_bounded },
	{ "t_outbox_result_without_answer", t_outbox_result_without_answer },
	{ "t_cycle_ticks_until_stopped", t_cycle_ticks_until_stopped },
	{ "t_cycle_one_claim_and_counts", t_cycle_one_claim_and_counts },
	{ "t_cycle_group_stop_drain_free", t_cycle_group_stop_drain_free },
	{ "t_outbox_cycle_delivers_each_once",
	    t_outbox_cycle_delivers_each_once },
	{ "t_outbox_cycle_bounded_and_stops",
	    t_outbox_cycle_bounded_and_stops },
	{ "t_outbox_cycle_build_and_store_failures",
	    t_outbox_cycle_build_and_store_failures },
	{ "t_outbox_cycle_builds_on_worker", t_outbox_cycle_builds_on_worker },
	CU_TEST_INFO_NULL
};

TEST_SUITE("outbox", NULL, NULL, outbox_tests)
