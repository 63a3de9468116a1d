/*
 * clock.c -- the daemon's clocks: monotonic milliseconds for timeouts, and
 * the clearance clock's crossings, asked for every CLOCK_PERIOD_S and
 * logged.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "db/store.h"
#include "manifest/util.h"

#include "clock.h"
#include "daemon.h"
#include "log.h"

#define CLOCK_PERIOD_S	5

int64_t
daemon_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct clock_watch {
	struct daemon	*d;
	struct event	*timer;
	bool		 asking;
};

/* Logs each crossing. */
static void
clock_alerts_cb(int status, const char *text, size_t len, void *arg)
{
	struct clock_watch	*w = arg;
	json_t			*a, *x;
	size_t			 i;

	w->asking = false;
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
clock_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct clock_watch	*w = arg;

	if (w->asking)
		return;
	w->asking = true;
	store_clock_alerts(w->d->db, w->d->cfg.target_minutes,
	    w->d->cfg.warn_percent, clock_alerts_cb, w);
}

struct clock_watch *
clock_watch_new(struct daemon *d)
{
	struct clock_watch	*w = xcalloc(1, sizeof *w);
	struct timeval		 tick = { CLOCK_PERIOD_S, 0 };

	w->d = d;
	w->timer = event_new(d->base, -1, EV_PERSIST, clock_timer_cb, w);
	event_add(w->timer, &tick);
	return w;
}

void
clock_watch_stop(struct clock_watch *w)
{
	if (w != NULL)
		event_del(w->timer);
}

void
clock_watch_free(struct clock_watch *w)
{
	if (w == NULL)
		return;
	event_free(w->timer);
	free(w);
}
