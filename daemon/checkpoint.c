/*
 * checkpoint.c -- the checkpointer: every [audit] checkpoint_interval_s
 * and when the daemon stops, the audit chain's head signed, kept and
 * queued for the neighbour (db/checkpoint.h); nothing when the head has
 * not moved since a checkpoint younger than two intervals (older, the
 * still head is signed again: a heartbeat).  Loop thread.
 *
 * A checkpoint is read, signed and stored in three steps; the head may
 * move in between, which is harmless: the checkpoint is of the head as
 * read, and checkpoint_store() refuses one the chain does not hold.
 * A chain that no longer holds our last checkpoint's hash was rewritten:
 * nothing more is signed over it (fail closed; GET /v1/audit/verify
 * says where), and the refusal is logged at every period.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db/checkpoint.h"
#include "manifest/util.h"

#include "daemon/checkpoint.h"
#include "daemon/cycle.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/peer/peer.h"

struct checkpointer {
	struct daemon		*d;
	struct cycle		*cycle;
	struct cycle_def	 def;		/* the cycle borrows it */
	const struct sign_key	*key;
	char			*station;
};

/* One checkpoint being made. */
struct checkpoint_job {
	struct checkpointer	*cp;
	struct checkpoint	 c;
	checkpoint_done_cb	 cb;
	void			*arg;
};

static void
job_end(struct checkpoint_job *j, int status)
{
	if (j->cb != NULL)
		j->cb(status, j->arg);
	cycle_work_end(j->cp->cycle);
	checkpoint_clear(&j->c);
	free(j);
}

static void
stored_cb(const char *result, void *arg)
{
	struct checkpoint_job	*j = arg;

	if (result == NULL || strcmp(result, "stored") != 0) {
		log_warnx("audit checkpoint at seq %lld not kept: %s", j->c.seq,
		    result == NULL ? "database unavailable" : result);
		job_end(j, -1);
		return;
	}
	log_info("audit checkpoint: seq %lld hash %.16s... signed by key %s",
	    j->c.seq, j->c.hash, j->c.key_id);
	if (j->cp->d->peer != NULL)
		peer_link_kick(j->cp->d->peer);
	job_end(j, 0);
}

/*
 * True when our last checkpoint, signed at last_at (Unix seconds), is
 * recent enough to let a still head go unsigned: younger than two
 * intervals.  A still head is signed again past that (a heartbeat), so
 * that the neighbour's latest copy is never older than about two
 * intervals while the daemon runs: GET /v1/audit/verify takes a copy
 * older than three for checkpoints kept from the neighbour, and a quiet
 * night must not read as that.
 */
static bool
checkpoint_fresh(const struct checkpointer *cp, json_int_t last_at)
{
	json_int_t	age = (json_int_t)time(NULL) - last_at;

	return last_at > 0 && age >= 0 &&
	    age < 2 * (json_int_t)cp->d->cfg.checkpoint_interval_s;
}

/*
 * The head read: signed and stored, or skipped when it has not moved and
 * the last checkpoint is fresh.
 */
static void
head_cb(int status, const char *text, size_t len, void *arg)
{
	struct checkpoint_job	*j = arg;
	json_t			*h = status == 1 ? json_loadb(text, len, 0, NULL) :
				    NULL;
	const char		*hash = json_string_value(json_object_get(h,
				    "hash"));
	long long		 seq = json_integer_value(json_object_get(h, "seq"));

	if (h == NULL || hash == NULL || strlen(hash) != 64) {
		log_warnx("audit checkpoint: the chain's head could not be read");
		json_decref(h);
		job_end(j, -1);
		return;
	}
	if (!json_is_true(json_object_get(h, "last_holds"))) {
		log_warnx("audit checkpoint refused: the chain no longer holds "
		    "the hash of our checkpoint at seq %lld (rewritten?); "
		    "GET /v1/audit/verify says where", (long long)
		    json_integer_value(json_object_get(h, "last_seq")));
		json_decref(h);
		job_end(j, -1);
		return;
	}
	if (seq == 0 || (seq == json_integer_value(json_object_get(h,
	    "last_seq")) && checkpoint_fresh(j->cp, json_integer_value(
	    json_object_get(h, "last_at"))))) {
		json_decref(h);
		job_end(j, 0);	/* nothing new to anchor */
		return;
	}
	j->c.station = xstrdup(j->cp->station);
	j->c.seq = j->c.count = seq;
	memcpy(j->c.hash, hash, 65);
	j->c.at = (int64_t)time(NULL);
	json_decref(h);
	if (checkpoint_sign(&j->c, j->cp->key) < 0) {
		log_warnx("audit checkpoint: signing failed");
		job_end(j, -1);
		return;
	}
	store_checkpoint_store(j->cp->d->db, j->c.station, j->c.seq, j->c.hash,
	    j->c.at, j->c.key_id, j->c.signature, stored_cb, j);
}

void
checkpointer_now(struct checkpointer *cp, checkpoint_done_cb cb, void *arg)
{
	struct checkpoint_job	*j = xcalloc(1, sizeof *j);

	j->cp = cp;
	j->cb = cb;
	j->arg = arg;
	cycle_work_begin(cp->cycle);	/* the daemon waits for it to end */
	store_checkpoint_head(cp->d->db, head_cb, j);
}

static void
checkpointer_tick(void *arg)
{
	checkpointer_now(arg, NULL, NULL);
}

/* The daemon stops: one last checkpoint, which the drain waits for. */
static void
checkpointer_stop(void *arg)
{
	checkpointer_now(arg, NULL, NULL);
}

static void
checkpointer_release(void *arg)
{
	struct checkpointer	*cp = arg;

	free(cp->station);
	free(cp);
}

struct checkpointer *
checkpointer_new(struct daemon *d, const struct sign_key *key,
    const char *station)
{
	struct checkpointer	*cp = xcalloc(1, sizeof *cp);

	cp->d = d;
	cp->key = key;
	cp->station = xstrdup(station);
	cp->def.period_ms = d->cfg.checkpoint_interval_s * 1000;
	cp->def.tick = checkpointer_tick;
	cp->def.stop = checkpointer_stop;
	cp->def.release = checkpointer_release;
	cp->def.drained = true;
	cp->cycle = cycle_new(d->cycles, d->base, &cp->def, cp);
	return cp;
}

const char *
checkpointer_station(const struct checkpointer *cp)
{
	return cp->station;
}

const struct sign_key *
checkpointer_key(const struct checkpointer *cp)
{
	return cp->key;
}
