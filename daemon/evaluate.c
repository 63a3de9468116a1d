/*
 * evaluate.c -- the claim loop and the evaluation jobs.
 *
 * A job owns copies of what it was claimed with, a reference to the rule
 * set it started on, and its results; the worker parses the stored
 * manifest again, unless this daemon ingested it a moment ago and left
 * the model parsed from the same bytes in the handoff (either way every
 * daemon sharing the database decides from the same input), replays the
 * events into a rules context, evaluates, and writes the decision
 * document.
 *
 * The screening clearances in force (docs/screening.md) come with the
 * claim, only when they changed since the set held (a key: the last
 * change and the next expiry, 67_clearances.sql): a station's thousands
 * are fetched once per change, shared by every job read-only; each train
 * is given those its parties could use (daemon/clearances.h), and each
 * decision stores the ones its evaluation applied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/rules.h"

#include "daemon/clearances.h"
#include "daemon/cycle.h"
#include "daemon/daemon.h"
#include "engine/decide.h"
#include "daemon/evaluate.h"
#include "daemon/handoff.h"
#include "daemon/hooks.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/pool.h"
#include "engine/ruleset.h"

#define EVAL_BIG_TRAIN	20000	/* items: wagons in parallel above this */
/* Parsed models waiting for their claim: bytes behind them, and age. */
#define HANDOFF_MAX_BYTES	((size_t)256 << 20)
#define HANDOFF_MAX_AGE_MS	30000

struct evaluator {
	struct daemon		*d;
	struct rules_ruleset	*rs;
	unsigned char		*files_z;	/* rs's exact files, to store */
	size_t			 files_z_len;
	struct cycle		*cycle;		/* the claim, every second */
	struct handoff		*handoff;
	long long		*busy;		/* train runs being evaluated */
	size_t			 nbusy, busy_cap;
	int			 max_in_flight;
	bool			 storing;	/* the rule set is being stored */
	bool			 ready;		/* the rule set is stored */
	bool			 rekick;	/* kicked while a claim was out */
	struct clearance_set	*clearances;	/* NULL until the first claim */
	struct evaluator_stats	 stats;
};

/* One claimed train run being evaluated: from its claim to its stored decision. */
struct eval_run {
	struct evaluator	*e;
	struct rules_ruleset	*rs;
	long long		 train_id, manifest_id, last_event_id;
	char			*train_no;
	unsigned char		*raw_z;
	size_t			 raw_z_len;
	struct handoff_entry	 parsed;	/* .train NULL: parse raw_z */
	char			*events;
	struct clearance_set	*clearances;	/* a reference; NULL: none */
	bool			 green;
	/* [station] parcel_setaside as it was when the run was claimed (a
	 * reload changes later evaluations; workers never read the config). */
	bool			 parcel_setaside;
	/* Results. */
	double			 work_ms;
	char			*error;
	char			*document;
	struct buf		 wagons;
	const char		*outcome;
	char			*applied;	/* JSON: the clearances applied */
	struct metrics_hits	*hits;		/* counted once stored */
};

/* What the claim said of the clearances: kept when new (json not NULL). */
static void
clearances_update(struct evaluator *e, const char *key, const char *json)
{
	if (key == NULL || json == NULL || (e->clearances != NULL &&
	    strcmp(clearance_set_key(e->clearances), key) == 0))
		return;
	clearance_set_unref(e->clearances);
	e->clearances = clearance_set_new(key, json);
	e->stats.clearances_in_force = (int)clearance_set_count(
	    e->clearances);
	e->stats.clearances_loaded++;
}

static void evaluator_claim(struct evaluator *);

/*
 * The job's model: the one ingest left, or parsed from the stored bytes
 * (with their SHA-256 and the parse time).  NULL with j->error set.
 */
static struct manifest_train *
eval_model(struct eval_run *j, char *sha256, double *parse_ms)
{
	struct manifest_train	*t;

	if (j->parsed.train != NULL) {
		t = j->parsed.train;
		j->parsed.train = NULL;
		memcpy(sha256, j->parsed.sha256, sizeof j->parsed.sha256);
		*parse_ms = j->parsed.parse_ms;
		return t;
	}
	if (decide_parse_stored(j->raw_z, j->raw_z_len, &t, sha256, parse_ms,
	    &j->error) < 0)
		return NULL;
	return t;
}

/* Worker: the model, the events replayed, evaluated. */
static void
eval_work(void *arg)
{
	struct eval_run			*j = arg;
	struct rules_eval_options	 opt = { 0 };
	struct manifest_train		*t;
	struct decision			*dec = NULL;
	struct buf		 doc = { 0 };
	char			 sha256[65], *given;
	double			 parse_ms = 0;

	if ((t = eval_model(j, sha256, &parse_ms)) == NULL)
		goto out;
	given = clearance_set_for_train(j->clearances, t);
	/* One big train: all cores on its wagons. */
	opt.threads = t->nitems > EVAL_BIG_TRAIN ? 0 : 1;
	opt.parcel_setaside = j->parcel_setaside;
	dec = decide_evaluate(j->rs, t, j->events, given, &opt, &j->applied,
	    &j->error);
	free(given);
	if (dec == NULL)
		goto out;
	dec->parse_ms = parse_ms;
	j->work_ms = parse_ms + dec->evaluate_ms;
	metrics_observe_parse(parse_ms);
	metrics_observe_evaluate(dec->evaluate_ms);
	j->hits = metrics_hits_new(dec);
	memcpy(dec->manifest_sha256, sha256, sizeof sha256);
	decision_json_write(dec, 0, &doc);
	j->document = buf_steal(&doc, NULL);
	decision_actions_json(dec, &j->wagons);
	j->outcome = decision_outcome_name(dec->outcome);
out:
	decision_free(dec);
	manifest_train_free(t);
}

/* A run is in hand from its claim until its decision is stored or dropped. */
static void
busy_add(struct evaluator *e, long long train_id)
{
	if (e->nbusy == e->busy_cap) {
		e->busy_cap = e->busy_cap == 0 ? 16 : e->busy_cap * 2;
		e->busy = xreallocarray(e->busy, e->busy_cap, sizeof *e->busy);
	}
	e->busy[e->nbusy++] = train_id;
	cycle_work_begin(e->cycle);
}

static void
busy_remove(struct evaluator *e, long long train_id)
{
	size_t	i;

	for (i = 0; i < e->nbusy; i++) {
		if (e->busy[i] == train_id) {
			e->busy[i] = e->busy[--e->nbusy];
			break;
		}
	}
	cycle_work_end(e->cycle);
}

static void
eval_run_free(struct eval_run *j)
{
	rules_ruleset_unref(j->rs);
	manifest_train_free(j->parsed.train);
	free(j->train_no);
	free(j->raw_z);
	free(j->events);
	clearance_set_unref(j->clearances);
	free(j->applied);
	free(j->error);
	free(j->document);
	buf_free(&j->wagons);
	metrics_hits_free(j->hits);
	free(j);
}

/* The database kept (or refused, as stale) the decision. */
static void
eval_stored_cb(const char *result, void *arg)
{
	struct eval_run		*j = arg;
	struct evaluator	*e = j->e;

	e->stats.work_ms += j->work_ms;
	if (result == NULL) {
		e->stats.failed++;
		log_warnx("train %s: decision not stored (database unavailable); "
		    "it will be made again", j->train_no);
	} else if (strcmp(result, "stored") == 0) {
		e->stats.decided++;
		metrics_decision_stored(j->outcome, j->hits);
		hook_changed(HOOK_TRAINS_CHANGED);
		log_info("train %s: decision %s (rule set %s)", j->train_no,
		    j->outcome, rules_ruleset_name(j->rs));
	} else {
		e->stats.stale++;
		log_info("train %s: decision %s not stored: %s", j->train_no,
		    j->outcome, result);
	}
	busy_remove(e, j->train_id);
	eval_run_free(j);
	evaluator_claim(e);
}

/* Back on the loop: store the decision under the lease. */
static void
eval_cb(void *arg)
{
	struct eval_run		*j = arg;
	struct store_decision	 s = { 0 };

	if (j->error != NULL) {
		j->e->stats.failed++;
		log_warnx("train %s: not evaluated: %s", j->train_no, j->error);
		busy_remove(j->e, j->train_id);
		eval_run_free(j);
		return;
	}
	s.train_id = j->train_id;
	s.owner = j->e->d->instance;
	s.document = j->document;
	s.outcome = j->outcome;
	s.final = 0;
	s.wagons = j->wagons.data != NULL ? j->wagons.data : "[]";
	s.ruleset_sha256 = rules_ruleset_hash(j->rs);
	s.ruleset_name = rules_ruleset_name(j->rs);
	s.manifest_id = j->manifest_id;
	s.last_event_id = j->last_event_id;
	s.clearances = j->applied;
	store_record_decision(j->e->d->db, &s, eval_stored_cb, j);
}

/* A job for a claimed run, or NULL when neither its model nor its bytes
 * are here (the handoff dropped the model after the claim was sent). */
static struct eval_run *
eval_run_new(struct evaluator *e, const struct store_claim *c)
{
	struct eval_run		*j;
	struct handoff_entry	 parsed = { 0 };

	if (handoff_take(e->handoff, c->manifest_id, &parsed) < 0) {
		if (c->raw_z == NULL)
			return NULL;
		e->stats.reparsed++;
	}
	j = xcalloc(1, sizeof *j);
	j->e = e;
	j->rs = rules_ruleset_ref(e->rs);
	j->train_id = c->train_id;
	j->manifest_id = c->manifest_id;
	j->last_event_id = c->last_event_id;
	j->train_no = xstrdup(c->train_no);
	if (c->raw_z != NULL) {
		j->raw_z = xmalloc(c->raw_z_len + 1);
		memcpy(j->raw_z, c->raw_z, c->raw_z_len);
		j->raw_z_len = c->raw_z_len;
	}
	j->parsed = parsed;
	j->events = xstrdup(c->events);
	j->clearances = clearance_set_ref(e->clearances);
	j->green = c->green_lane != 0;
	j->parcel_setaside = e->d->cfg.parcel_setaside;
	return j;
}

/* Claimed runs become jobs on the pool. */
static void
eval_claimed_cb(int status, const struct store_claim *v, size_t n, void *arg)
{
	struct evaluator	*e = arg;
	struct eval_run		*j;
	size_t			 i;

	cycle_claim_end(e->cycle);
	if (status < 0)
		return;		/* the timer tries again */
	if (n > 0)
		clearances_update(e, v[0].clearances_key, v[0].clearances);
	for (i = 0; i < n; i++) {
		/* Not in hand: the next claim returns it with its bytes. */
		if ((j = eval_run_new(e, &v[i])) == NULL)
			continue;
		busy_add(e, j->train_id);
		pool_submit(e->d->pool, j->green ? POOL_PRIORITY_HIGH :
		    POOL_PRIORITY_NORMAL, eval_work, eval_cb, j);
	}
	/*
	 * More may wait: the slots took n, or a train was stored while the
	 * claim was out, perhaps after the claim read the table -- its
	 * kick went nowhere, and without this it waited for the timer, up
	 * to a second (issue 23: the bench's p99 910 ms).
	 */
	if (n > 0 || e->rekick)
		evaluator_claim(e);
}

/* Claims what the free slots can take. */
static void
evaluator_claim(struct evaluator *e)
{
	struct store_claim_request	 rq = { 0 };
	long long			*have;

	if (!e->ready || cycle_working(e->cycle) >= e->max_in_flight)
		return;	/* each job finishing claims again */
	if (!cycle_claim_begin(e->cycle)) {
		e->rekick = true;	/* once the claim out answers */
		return;
	}
	e->rekick = false;
	rq.owner = e->d->instance;
	rq.n = e->max_in_flight - cycle_working(e->cycle);
	rq.lease_s = e->d->cfg.lease_s;
	rq.busy = e->busy;
	rq.nbusy = e->nbusy;
	have = xcalloc(handoff_count(e->handoff) + 1, sizeof *have);
	rq.nhave = handoff_manifest_ids(e->handoff, have);
	rq.have = have;
	rq.clearances_key = e->clearances != NULL ?
	    clearance_set_key(e->clearances) : NULL;
	store_claim_evaluations(e->d->db, &rq, eval_claimed_cb, e);
	free(have);
}

static void evaluator_store_ruleset(struct evaluator *);

/* Once a second: store the rule set if it is not yet, claim what is waiting. */
static void
evaluator_tick(void *arg)
{
	struct evaluator	*e = arg;

	if (!e->ready && !e->storing)
		evaluator_store_ruleset(e);
	handoff_expire(e->handoff, daemon_now_ms() - HANDOFF_MAX_AGE_MS);
	evaluator_claim(e);
}

/* The rule set is stored: decisions may now refer to it. */
static void
ruleset_stored_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct evaluator	*e = arg;

	e->storing = false;
	if (cycle_is_stopping(e->cycle))
		return;
	if (status < 0) {
		log_warnx("rule set %s not stored yet (database unavailable); "
		    "evaluation waits", rules_ruleset_name(e->rs));
		return;		/* the timer stores it again */
	}
	e->ready = true;
	evaluator_claim(e);
}

/* Records the rule set in force by its hash, before any decision names it. */
static void
evaluator_store_ruleset(struct evaluator *e)
{
	e->storing = true;
	store_ruleset(e->d->db, rules_ruleset_hash(e->rs),
	    rules_ruleset_name(e->rs), e->files_z, e->files_z_len,
	    ruleset_stored_cb, e);
}

void
evaluator_set_ruleset(struct evaluator *e, struct ruleset_load *l)
{
	rules_ruleset_unref(e->rs);
	free(e->files_z);
	e->rs = l->rs;
	e->files_z = l->files_z;
	e->files_z_len = l->files_z_len;
	memset(l, 0, sizeof *l);
	e->ready = false;
	log_info("rule set %s %.12s in force (%zu rules)",
	    rules_ruleset_name(e->rs), rules_ruleset_hash(e->rs),
	    rules_ruleset_count(e->rs));
	if (!e->storing)
		evaluator_store_ruleset(e);
}

/* The rule set being stored counts as work in progress for draining. */
static int
evaluator_storing(const void *arg)
{
	return ((const struct evaluator *)arg)->storing ? 1 : 0;
}

static void evaluator_release(void *);

/* Once a second; the daemon waits for evaluations before it stops. */
static const struct cycle_def evaluator_cycle = {
	.period_ms = 1000,
	.tick = evaluator_tick,
	.release = evaluator_release,
	.held = evaluator_storing,
	.drained = true,
};

struct evaluator *
evaluator_new(struct daemon *d, struct ruleset_load *l)
{
	struct evaluator	*e = xcalloc(1, sizeof *e);

	e->d = d;
	e->handoff = handoff_new(HANDOFF_MAX_BYTES);
	e->max_in_flight = pool_threads(d->pool) * 2;
	e->cycle = cycle_new(d->cycles, d->base, &evaluator_cycle, e);
	evaluator_set_ruleset(e, l);
	return e;
}

void
evaluator_kick(struct evaluator *e)
{
	if (e != NULL)
		evaluator_claim(e);
}

void
evaluator_offer(struct evaluator *e, const struct handoff_entry *parsed)
{
	struct handoff_entry	entry = *parsed;

	if (e == NULL || cycle_is_stopping(e->cycle)) {
		manifest_train_free(parsed->train);
		return;
	}
	entry.at_ms = daemon_now_ms();
	handoff_put(e->handoff, &entry);
}

void
evaluator_get_stats(const struct evaluator *e, struct evaluator_stats *out)
{
	*out = e->stats;
	out->in_flight = cycle_working(e->cycle);
}

const struct rules_ruleset *
evaluator_ruleset(const struct evaluator *e)
{
	return e != NULL ? e->rs : NULL;
}

/* Frees, from the daemon's cycle group, once every job has finished. */
static void
evaluator_release(void *arg)
{
	struct evaluator	*e = arg;

	handoff_free(e->handoff);
	clearance_set_unref(e->clearances);
	free(e->busy);
	rules_ruleset_unref(e->rs);
	free(e->files_z);
	free(e);
}
