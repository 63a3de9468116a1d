/*
 * clock.c -- the daemon's clocks: monotonic milliseconds for timeouts, and
 * the clearance clock's crossings, asked for every second and just after
 * the next one falls, then logged, counted and sent on.
 *
 * The clearance clocks are kept by the database (now() - clock_start),
 * whose wall clock can be stepped.  Every tick first reads the server's
 * clock and compares how far it moved with how far this daemon's
 * monotonic clock did: a difference over CLOCK_JUMP_MS is a step, and
 * the running clearance clocks are shifted by it (clock_jump(), migration
 * 015), so that the time left follows elapsed time.  A step while no
 * daemon runs is not seen.
 *
 * A crossing is reported within a second: the periodic tick catches a
 * clock that started already past a threshold (an arrival reported late,
 * possibly through another daemon), and the timer armed at the next
 * crossing the database computed catches the others within a few
 * milliseconds.  The query reads only the running clocks (an index of
 * them, 022); tests/system/test_clock_alerts.c measures it.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "db/store.h"
#include "manifest/util.h"

#include "daemon/clock.h"
#include "daemon/cycle.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/notice/notice.h"

#define CLOCK_PERIOD_MS	1000
#define CLOCK_JUMP_MS	2000	/* well above a query's round trip */
#define CLOCK_ARM_MS	5	/* past the crossing, for the server's rounding */

int64_t
daemon_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct store_clock
clock_params(const struct config *cfg)
{
	struct store_clock	clk = { cfg->target_minutes, cfg->amber_left_s,
				    cfg->red_left_s };

	return clk;
}

struct clock_watch {
	struct daemon	*d;
	struct cycle	*cycle;		/* asks every CLOCK_PERIOD_MS */
	struct event	*next;		/* asks at the next crossing */
	int64_t		 sent_ms;	/* monotonic, when the server was asked */
	bool		 have_ref;	/* a previous reading: */
	int64_t		 ref_server_ms;	/* the server's clock then */
	int64_t		 ref_mono_ms;	/* ours at the same moment */
};

static void clock_tick(void *);

/* Logs one crossing and counts it. */
static void
clock_alert_log(json_t *x)
{
	json_int_t	left, target;
	const char	*flag = json_string_value(json_object_get(x, "flag"));

	left = json_integer_value(json_object_get(x, "remaining_s"));
	target = json_integer_value(json_object_get(x, "target_s"));
	if (left > 0)
		log_warnx("train %s (run %lld): clearance clock %s: %lld:%02lld "
		    "of %lld:00 minutes left, not yet released",
		    json_string_value(json_object_get(x, "train")),
		    (long long)json_integer_value(json_object_get(x, "run")),
		    flag, (long long)(left / 60), (long long)(left % 60),
		    (long long)(target / 60));
	else
		log_warnx("train %s (run %lld): clearance clock %s: the "
		    "%lld:00 minute target passed %lld:%02lld ago, not yet "
		    "released", json_string_value(json_object_get(x, "train")),
		    (long long)json_integer_value(json_object_get(x, "run")),
		    flag, (long long)(target / 60), (long long)(-left / 60),
		    (long long)(-left % 60));
	metrics_clock_alert(flag);
}

/* Asks again just after the next crossing, when it falls before the tick. */
static void
clock_arm(struct clock_watch *w, json_t *next)
{
	struct timeval	tv;
	json_int_t	ms;

	if (!json_is_integer(next) || cycle_is_stopping(w->cycle))
		return;
	ms = json_integer_value(next) + CLOCK_ARM_MS;
	if (ms < 0)
		ms = 0;
	if (ms >= CLOCK_PERIOD_MS)
		return;
	tv.tv_sec = 0;
	tv.tv_usec = (suseconds_t)ms * 1000;
	evtimer_add(w->next, &tv);
}

/* Logs and counts each crossing; wakes the outbox for its duty notices. */
static void
clock_alerts_cb(int status, const char *text, size_t len, void *arg)
{
	struct clock_watch	*w = arg;
	json_t			*doc, *a;
	size_t			 i;
	json_int_t		 queued = 0;

	cycle_claim_end(w->cycle);
	if (status <= 0 || (doc = json_loadb(text, len, 0, NULL)) == NULL)
		return;
	a = json_object_get(doc, "alerts");
	for (i = 0; i < json_array_size(a); i++) {
		clock_alert_log(json_array_get(a, i));
		queued += json_integer_value(json_object_get(
		    json_array_get(a, i), "notices"));
	}
	if (queued > 0 && w->d->notices != NULL)
		notices_kick(w->d->notices);
	clock_arm(w, json_object_get(doc, "next_ms"));
	json_decref(doc);
}

static void
clock_ask_alerts(struct clock_watch *w)
{
	struct store_clock	clk = clock_params(&w->d->cfg);

	store_clock_alerts(w->d->db, &clk, w->d->instance, clock_alerts_cb, w);
}

/* The clocks were shifted (or another daemon had done it). */
static void
clock_jump_cb(const char *result, void *arg)
{
	struct clock_watch	*w = arg;

	if (result == NULL)
		log_warnx("clearance clocks not shifted: database unavailable");
	else if (strcmp(result, "-1") == 0)
		log_info("clearance clocks already shifted by another daemon");
	else
		log_warnx("clearance clocks shifted: %s trains", result);
	clock_ask_alerts(w);
}

/* The server's clock: compared with ours before the alerts are asked. */
static void
clock_server_cb(const char *result, void *arg)
{
	struct clock_watch	*w = arg;
	int64_t			 mono, server, jump;

	if (result == NULL) {
		cycle_claim_end(w->cycle);
		return;
	}
	/*
	 * The server read its clock between our question and its answer: a
	 * slow answer says too little about when, so it is not judged.
	 */
	mono = daemon_now_ms();
	if (mono - w->sent_ms > CLOCK_JUMP_MS / 4) {
		clock_ask_alerts(w);
		return;
	}
	mono = (w->sent_ms + mono) / 2;
	server = strtoll(result, NULL, 10);
	jump = (server - w->ref_server_ms) - (mono - w->ref_mono_ms);
	w->ref_server_ms = server;
	w->ref_mono_ms = mono;
	if (w->have_ref && llabs(jump) > CLOCK_JUMP_MS) {
		log_warnx("the database's clock jumped %+.1f s against elapsed "
		    "time: shifting the clearance clocks", (double)jump / 1e3);
		store_clock_jump(w->d->db, (long long)jump, w->d->instance,
		    clock_jump_cb, w);
	} else
		clock_ask_alerts(w);
	w->have_ref = true;
}

/* One question at a time: a tick while the last is unanswered waits. */
static void
clock_tick(void *arg)
{
	struct clock_watch	*w = arg;

	if (!cycle_claim_begin(w->cycle))
		return;
	w->sent_ms = daemon_now_ms();
	store_db_clock(w->d->db, clock_server_cb, w);
}

static void
clock_next_cb(evutil_socket_t fd, short what, void *arg)
{
	clock_tick(arg);
}

static void
clock_stop(void *arg)
{
	struct clock_watch	*w = arg;

	evtimer_del(w->next);
}

static void
clock_release(void *arg)
{
	struct clock_watch	*w = arg;

	event_free(w->next);
	free(w);
}

/* Not drained: a question still in flight at the stop is not waited for. */
static const struct cycle_def clock_cycle = {
	.period_ms = CLOCK_PERIOD_MS,
	.stop = clock_stop,
	.tick = clock_tick,
	.release = clock_release,
};

struct clock_watch *
clock_watch_new(struct daemon *d)
{
	struct clock_watch	*w = xcalloc(1, sizeof *w);

	w->d = d;
	if ((w->next = evtimer_new(d->base, clock_next_cb, w)) == NULL)
		fatalx("evtimer_new: out of memory");
	w->cycle = cycle_new(d->cycles, d->base, &clock_cycle, w);
	return w;
}
