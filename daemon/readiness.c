/*
 * readiness.c -- sd_notify(3) for railgated (see readiness.h).
 *
 * The first READY=1 waits for the database pool: start-up has already
 * migrated the schema, but the pool connects on the loop, and systemd
 * should call the service started only when /readyz would say so.  A
 * 50 ms timer asks db_is_up() until it does, then goes away.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sysexits.h>
#include <time.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "db/db.h"

#include "daemon/log.h"
#include "daemon/readiness.h"

static struct event	*readiness_watch;
static struct db	*readiness_db;
static bool		 readiness_ready;	/* READY=1 was sent */

/* The first time the pool is up: READY=1, and the watch stops. */
static void
readiness_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	if (!db_is_up(readiness_db))
		return;
	(void)sd_notify(0, "READY=1\nSTATUS=serving: database up, listening");
	log_info("ready: database up, listeners open");
	readiness_ready = true;
	event_del(readiness_watch);
}

void
readiness_start(struct event_base *base, struct db *db)
{
	struct timeval	tick = { 0, 50000 };

	readiness_db = db;
	(void)sd_notify(0, "STATUS=starting: connecting to the database");
	readiness_watch = event_new(base, -1, EV_PERSIST, readiness_watch_cb,
	    NULL);
	if (readiness_watch == NULL || event_add(readiness_watch, &tick) < 0)
		fatalx("readiness: cannot add its timer");
}

void
readiness_reloading(void)
{
	struct timespec	ts;
	uint64_t	usec;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	usec = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	(void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\n"
	    "STATUS=reloading the configuration", (unsigned long long)usec);
}

/* Before the first READY=1 a reload must not announce one: the watch will. */
void
readiness_reloaded(void)
{
	if (readiness_ready)
		(void)sd_notify(0, "READY=1\nSTATUS=serving: reloaded");
	else
		(void)sd_notify(0, "STATUS=starting: reloaded, connecting to "
		    "the database");
}

void
readiness_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping: finishing work in "
	    "progress");
}

void
readiness_free(void)
{
	if (readiness_watch != NULL)
		event_free(readiness_watch);
	readiness_watch = NULL;
}

void
readiness_config_error(const char *cause)
{
	(void)sd_notifyf(0, "STATUS=configuration error: %s", cause);
	fatalx_status(EX_CONFIG, "%s", cause);
}
