/*
 * clock.c -- the daemon's clocks: monotonic milliseconds for timeouts, and
 * the clearance clock's crossings, asked for every CLOCK_PERIOD_S and
 * logged.
 *
 * The clearance clocks are kept by the database (now() - clock_start),
 * whose wall clock can be stepped.  Every tick first reads the server's
 * clock and compares how far it moved with how far this daemon's
 * monotonic clock did: a difference over CLOCK_JUMP_MS is a step, and
 * the running clearance clocks are shifted by it (clock_jump(), migration
 * 015), so that the time left follows elapsed time.  A step while no
 * daemon runs is not seen.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/util.h"

#include "daemon/clock.h"
#include "daemon/cycle.h"
#include "daemon/daemon.h"
#include "daemon/log.h"

#define CLOCK_PERIOD_S	5
#define CLOCK_JUMP_MS	2000	/* well above a query's round trip */

int64_t
daemon_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct clock_watch {
	struct daemon	*d;
	struct cycle	*cycle;		/* asks every CLOCK_PERIOD_S */
	int64_t		 sent_ms;	/* monotonic, when the server was asked */
	bool		 have_ref;	/* a previous reading: */
	int64_t		 ref_server_ms;	/* the server's clock then */
	int64_t		 ref_mono_ms;	/* ours at the same moment */
};

static void clock_ask_alerts(struct clock_watch *);

/* Logs each crossing. */
static void
clock_alerts_cb(int status, const char *text, size_t len, void *arg)
{
	struct clock_watch	*w = arg;
	json_t			*a, *x;
	size_t			 i;

	cycle_claim_end(w->cycle);
	if (status <= 0 || (a = json_loadb(text, len, 0, NULL)) == NULL)
		return;
	for (i = 0; i < json_array_size(a); i++) {
		json_int_t	elapsed, target;

		x = json_array_get(a, i);
		elapsed = json_integer_value(json_object_get(x, "elapsed_s"));
		target = json_integer_value(json_object_get(x, "target_s"));
		log_warnx("train %s (run %lld): clearance clock %s: %lld:%02lld "
		    "of %lld:00 minutes used, not yet released",
		    json_string_value(json_object_get(x, "train_no")),
		    (long long)json_integer_value(json_object_get(x, "run")),
		    json_string_value(json_object_get(x, "flag")),
		    (long long)(elapsed / 60), (long long)(elapsed % 60),
		    (long long)(target / 60));
	}
	json_decref(a);
}

static void
clock_ask_alerts(struct clock_watch *w)
{
	store_clock_alerts(w->d->db, w->d->cfg.target_minutes,
	    w->d->cfg.warn_percent, clock_alerts_cb, w);
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
clock_release(void *arg)
{
	free(arg);
}

/* Not drained: a question still in flight at the stop is not waited for. */
static const struct cycle_def clock_cycle = {
	.period_ms = CLOCK_PERIOD_S * 1000,
	.tick = clock_tick,
	.release = clock_release,
};

struct clock_watch *
clock_watch_new(struct daemon *d)
{
	struct clock_watch	*w = xcalloc(1, sizeof *w);

	w->d = d;
	w->cycle = cycle_new(d->cycles, d->base, &clock_cycle, w);
	return w;
}
