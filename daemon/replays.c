/*
 * replays.c -- the daemon's replays (replays.h).
 *
 * A kick after POST /v1/replays submits one job to the replays' own
 * thread (a pool of one, never the daemon's worker pool: a replay of a
 * month takes its thread for hours, and evaluations must never wait
 * behind it -- a daemon whose pool has one worker would otherwise make
 * no decision until the replay ends) unless one is running; the tick does too when the database says a replay waits
 * (one cheap query on the loop's pool, so that an idle daemon opens no
 * connection and takes no worker).  The job connects to the database with the
 * daemon's DSN (a copy: a reload may change the configuration), claims
 * the oldest replay waiting or abandoned (replay_claim(): lease, as a
 * train's evaluation is claimed), runs it through replay_db_run() --
 * the same batches and comparison `railgate replay --dsn` runs -- on the
 * job's own thread, writing progress and extending the lease after each
 * batch, then verifies the audit chain and stores the report; and claims
 * the next until none waits.  A daemon that dies or stops mid-replay
 * leaves the lease to run out (REPLAYS_LEASE_S): any daemon sharing the
 * database then claims it at its next tick and starts it over.
 *
 * The loop thread never blocks: the job touches only its own connection
 * and its copies; the stop flag is the one thing both threads read.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db/replay.h"
#include "db/store.h"
#include "engine/replay.h"
#include "manifest/util.h"

#include "daemon/cycle.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/pool.h"
#include "daemon/replays.h"

#define REPLAYS_PERIOD_MS	10000	/* looks for abandoned replays */
#define REPLAYS_LEASE_S		60	/* progress renews it every batch */

struct replays {
	struct daemon	*d;
	struct cycle	*cycle;
	struct pool	*pool;		/* the replays' own thread */
	atomic_bool	 stopping;	/* read by the job between batches */
	bool		 again;		/* kicked while a job or look ran */
};

/* The worker's job: its copies of what it needs. */
struct replays_job {
	struct replays		*r;
	char			*dsn;
	char			*owner;
	struct replay_db	*db;
	long long		 id, total;
	int			 done;		/* replays run */
};

/* After each batch: progress written, lease renewed; -1 stops the run. */
static int
progress_cb(void *arg, struct replay_check *check, char **cause)
{
	struct replays_job	*j = arg;
	struct replay_counts	 n;
	long long		 c[4];
	int			 held;

	if (atomic_load(&j->r->stopping)) {
		*cause = xstrdup("the daemon is stopping");
		return -1;
	}
	replay_check_counts(check, &n);
	c[0] = (long long)n.decisions;
	c[1] = (long long)n.identical;
	c[2] = (long long)n.different;
	c[3] = (long long)n.failed;
	if ((held = replay_db_progress(j->db, j->id, j->owner, j->total, c,
	    REPLAYS_LEASE_S, cause)) <= 0) {
		if (held == 0)
			*cause = xstrdup("its lease was lost to another daemon");
		return -1;
	}
	return 0;
}

/* The selection's query: which kind, and its argument (caller frees). */
static enum replay_select
selection_parse(const char *text, char **arg)
{
	json_t			*s = json_loads(text, 0, NULL);
	enum replay_select	 sel = REPLAY_ALL;

	*arg = NULL;
	if (json_is_array(json_object_get(s, "trains"))) {
		sel = REPLAY_TRAINS;
		*arg = json_dumps(json_object_get(s, "trains"), JSON_COMPACT);
	} else if (json_object_get(s, "since") != NULL ||
	    json_object_get(s, "until") != NULL) {
		sel = REPLAY_PERIOD;
		*arg = xstrdup(text);
	}
	json_decref(s);
	return sel;
}

/* Runs the claimed replay j->id to its end; its report or NULL + *cause. */
static json_t *
replay_one(struct replays_job *j, const char *selection, char **cause)
{
	struct replay_check	*check;
	enum replay_select	 sel;
	struct timespec		 t0, t1;
	json_t			*report = NULL;
	char			*arg, *reason = NULL;
	bool			 intact = false;
	long long		 checked = 0, first_bad = 0;
	static const long long	 zero[4];

	sel = selection_parse(selection, &arg);
	j->total = -1;
	if (replay_db_count(j->db, sel, arg, &j->total, cause) < 0 ||
	    replay_db_progress(j->db, j->id, j->owner, j->total, zero,
	    REPLAYS_LEASE_S, cause) < 0) {
		free(arg);
		return NULL;
	}
	/* One thread, the replays' own: the worker pool evaluates trains. */
	check = replay_check_new(1, replay_db_ruleset_fetch, j->db);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (replay_db_run(j->db, sel, arg, check, progress_cb, j, cause) == 0 &&
	    replay_db_audit_verify(j->db, &intact, &checked, &first_bad,
	    &reason, cause) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		report = replay_check_report(check, (double)(t1.tv_sec -
		    t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		    intact, checked, first_bad, reason);
	}
	free(reason);
	free(arg);
	replay_check_free(check);
	return report;
}

/* Worker: claims and runs replays until none waits or the daemon stops. */
static void
replays_work(void *arg)
{
	struct replays_job	*j = arg;
	json_t			*report;
	char			*selection = NULL, *cause = NULL, *text;
	char			*unsaid = NULL;

	if ((j->db = replay_db_open(j->dsn, &cause)) == NULL) {
		log_warnx("replays: %s", cause);
		free(cause);
		return;
	}
	while (!atomic_load(&j->r->stopping) && replay_db_claim(j->db,
	    j->owner, REPLAYS_LEASE_S, &j->id, &selection, &cause) == 1) {
		log_info("replay %lld: started (%s)", j->id, selection);
		report = replay_one(j, selection, &cause);
		text = report != NULL ? json_dumps(report, JSON_COMPACT) : NULL;
		if (report != NULL || !atomic_load(&j->r->stopping))
			(void)replay_db_finish(j->db, j->id, j->owner, text,
			    report == NULL ? cause : NULL, &unsaid);
		log_info("replay %lld: %s%s", j->id, report != NULL ? "done" :
		    "not finished: ", report != NULL ? "" : cause);
		free(text);
		json_decref(report);
		free(selection);
		selection = NULL;
		free(cause);
		cause = NULL;
		free(unsaid);
		unsaid = NULL;
		j->done++;
	}
	if (cause != NULL) {
		log_warnx("replays: %s", cause);
		free(cause);
	}
	replay_db_close(j->db);
}

/* Loop thread: the job ended; another if a replay was queued meanwhile. */
static void
replays_done(void *arg)
{
	struct replays_job	*j = arg;
	struct replays		*r = j->r;

	cycle_claim_end(r->cycle);
	free(j->dsn);
	free(j->owner);
	free(j);
	if (r->again) {
		r->again = false;
		replays_kick(r);
	}
}

void
replays_kick(struct replays *r)
{
	struct replays_job	*j;

	if (r == NULL || r->pool == NULL)
		return;
	if (!cycle_claim_begin(r->cycle)) {
		r->again = !cycle_is_stopping(r->cycle);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->r = r;
	j->dsn = xstrdup(r->d->cfg.dsn);
	j->owner = xstrdup(r->d->instance);
	pool_submit(r->pool, POOL_PRIORITY_LOW, replays_work, replays_done, j);
}

/* The tick's look: a job (and its connection) only when one waits. */
static void
waiting_cb(const char *result, void *arg)
{
	struct replays	*r = arg;

	cycle_claim_end(r->cycle);
	if ((result != NULL && strcmp(result, "true") == 0) || r->again) {
		r->again = false;
		replays_kick(r);
	}
}

static void
replays_tick(void *arg)
{
	struct replays	*r = arg;

	/* A claim of its own: the stop waits for its answer. */
	if (!cycle_claim_begin(r->cycle))
		return;
	store_replays_waiting(r->d->db, waiting_cb, r);
}

static void
replays_stop(void *arg)
{
	struct replays	*r = arg;

	atomic_store(&r->stopping, true);
}

static void
replays_free(void *arg)
{
	struct replays	*r = arg;

	pool_free(r->pool);	/* NULL after replays_join() */
	free(r);
}

/* Drained: a replay stops after its batch; its lease lets another go on. */
static const struct cycle_def replays_cycle = {
	.period_ms = REPLAYS_PERIOD_MS,
	.tick = replays_tick,
	.stop = replays_stop,
	.release = replays_free,
	.drained = true,
};

struct replays *
replays_new(struct daemon *d)
{
	struct replays	*r = xcalloc(1, sizeof *r);

	r->d = d;
	atomic_init(&r->stopping, false);
	r->pool = pool_new(d->base, 1);
	r->cycle = cycle_new(d->cycles, d->base, &replays_cycle, r);
	return r;
}

void
replays_join(struct replays *r)
{
	if (r == NULL)
		return;
	pool_free(r->pool);	/* the job stops after its batch; its done runs */
	r->pool = NULL;
}
