/*
 * tidy.c -- the search indexes' pending lists merged while the daemon is
 * idle (tidy.h).
 *
 * "Idle" is sampled: TIDY_QUIET_TICKS ticks in a row that found no
 * decision being made.  A decision that starts while a merge runs is
 * not held back by it (the merge takes the metapage's lock, which an
 * insert only tries for), only shares the CPU with it for the merge's
 * remaining milliseconds.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "db/store.h"
#include "manifest/util.h"

#include "daemon/cycle.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/tidy.h"

#define TIDY_PERIOD_MS		250
#define TIDY_QUIET_TICKS	4	/* a second with no decision seen */

struct tidier {
	struct daemon	*d;
	struct cycle	*cycle;
	int		 quiet;		/* ticks in a row not deciding */
	unsigned long	 merged_upto;	/* d->ingests_begun at the last merge */
	unsigned long	 asked_upto;	/* the same, for the merge in flight */
	bool		 failing;	/* the last merge failed: said once */
};

/* The merge answered: the pending pages it merged, or NULL on failure. */
static void
merged_cb(const char *result, void *arg)
{
	struct tidier	*t = arg;

	cycle_claim_end(t->cycle);
	if (result == NULL) {
		/* Again after the next quiet second; said once an outage. */
		if (!t->failing)
			log_warnx("search indexes: pending entries not merged: "
			    "database unavailable; trying again when idle");
		t->failing = true;
		t->quiet = 0;
		return;
	}
	if (t->failing)
		log_info("search indexes: pending entries merged again");
	t->failing = false;
	t->merged_upto = t->asked_upto;
	if (strcmp(result, "0") != 0)
		log_debug("search indexes: %s pending pages merged", result);
}

static void
tidy_tick(void *arg)
{
	struct tidier	*t = arg;
	struct daemon	*d = t->d;

	if (daemon_deciding(d)) {
		t->quiet = 0;
		return;
	}
	if (++t->quiet < TIDY_QUIET_TICKS ||
	    d->ingests_begun == t->merged_upto || !cycle_claim_begin(t->cycle))
		return;
	t->asked_upto = d->ingests_begun;
	store_search_tidy(d->db, merged_cb, t);
}

static void
tidy_free(void *arg)
{
	free(arg);
}

/* Drained: a merge in flight is answered before the database goes. */
static const struct cycle_def tidy_cycle = {
	.period_ms = TIDY_PERIOD_MS,
	.tick = tidy_tick,
	.release = tidy_free,
	.drained = true,
};

struct tidier *
tidier_new(struct daemon *d)
{
	struct tidier	*t = xcalloc(1, sizeof *t);

	t->d = d;
	t->cycle = cycle_new(d->cycles, d->base, &tidy_cycle, t);
	return t;
}
