/*
 * autorelease.c -- the timer that releases green trains (autorelease.h).
 *
 * The final decision is built here, as approval builds it
 * (decide_final(), which the auditor's replay calls too), from the
 * document auto_release_due() read, with no resolution; auto_release()
 * stores it only if the train is still due and the decision still the
 * one read (a new evaluation meanwhile starts the delay again).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/store.h"
#include "engine/decide.h"
#include "manifest/decision.h"
#include "manifest/util.h"

#include "daemon/autorelease.h"
#include "daemon/cycle.h"
#include "daemon/daemon.h"
#include "daemon/hooks.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/notice/notice.h"
#include "daemon/peer/peer.h"

#define AUTO_RELEASE_PERIOD_MS	1000
#define AUTO_RELEASE_BATCH	16	/* trains asked for at a tick */

struct auto_release {
	struct daemon	*d;
	struct cycle	*cycle;
};

/* One train's release in flight. */
struct auto_release_job {
	struct auto_release	*ar;
	long long		 train_id;
};

/* The final decision was stored, or another daemon (an officer) was first. */
static void
released_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct auto_release_job	*j = arg;
	struct daemon		*d = j->ar->d;

	if (status == 0 && outcome == STORE_OUTCOME_DONE) {
		log_info("train run %lld released by itself (auto_release = "
		    "green, %d s)", j->train_id, d->cfg.auto_release_delay_s);
		metrics_auto_released();
		hook_changed(HOOK_TRAINS_CHANGED);
		notices_kick(d->notices);	/* the notices are in the outbox */
		peer_link_kick(d->peer);
	} else if (status < 0)
		log_warnx("train run %lld not released by itself: database "
		    "unavailable", j->train_id);
	cycle_work_end(j->ar->cycle);
	free(j);
}

/* Builds and stores one train's final decision; false if it cannot. */
static bool
release_one(struct auto_release *ar, const json_t *x)
{
	struct auto_release_job	*j;
	struct store_final	 f = { 0 };
	struct decision		*dec;
	struct buf		 doc = { 0 }, wagons = { 0 };
	const char		*text;
	char			*cause = NULL;

	text = json_string_value(json_object_get(x, "document"));
	dec = text != NULL ? decide_final(text, "[]", &cause) : NULL;
	if (dec == NULL) {
		log_warnx("train run %lld: stored decision unreadable: %s",
		    (long long)json_integer_value(json_object_get(x,
		    "train_id")), cause != NULL ? cause : "not JSON");
		free(cause);
		return false;
	}
	decision_json_write(dec, 0, &doc);
	decision_actions_json(dec, &wagons);
	j = xcalloc(1, sizeof *j);
	j->ar = ar;
	j->train_id = json_integer_value(json_object_get(x, "train_id"));
	f.train_id = j->train_id;
	f.version = json_integer_value(json_object_get(x, "version"));
	f.document = doc.data;
	f.wagons = wagons.data;
	f.outcome = decision_outcome_name(dec->outcome);
	decision_free(dec);
	cycle_work_begin(ar->cycle);
	store_auto_release(ar->d->db, &f, ar->d->cfg.auto_release_delay_s,
	    released_cb, j);
	buf_free(&doc);
	buf_free(&wagons);
	return true;
}

/* The trains due arrived. */
static void
due_cb(int status, const char *text, size_t len, void *arg)
{
	struct auto_release	*ar = arg;
	json_t			*a;
	size_t			 i;

	cycle_claim_end(ar->cycle);
	if (status <= 0 || cycle_is_stopping(ar->cycle) ||
	    (a = json_loadb(text, len, 0, NULL)) == NULL)
		return;
	for (i = 0; i < json_array_size(a); i++)
		release_one(ar, json_array_get(a, i));
	json_decref(a);
}

static void
auto_release_tick(void *arg)
{
	struct auto_release	*ar = arg;

	if (strcmp(ar->d->cfg.auto_release, "green") != 0 ||
	    !cycle_claim_begin(ar->cycle))
		return;
	store_auto_release_due(ar->d->db, ar->d->cfg.auto_release_delay_s,
	    AUTO_RELEASE_BATCH, due_cb, ar);
}

static void
auto_release_free(void *arg)
{
	free(arg);
}

/* Drained: a final decision being stored is waited for at the stop. */
static const struct cycle_def auto_release_cycle = {
	.period_ms = AUTO_RELEASE_PERIOD_MS,
	.tick = auto_release_tick,
	.release = auto_release_free,
	.drained = true,
};

struct auto_release *
auto_release_new(struct daemon *d)
{
	struct auto_release	*ar = xcalloc(1, sizeof *ar);

	ar->d = d;
	ar->cycle = cycle_new(d->cycles, d->base, &auto_release_cycle, ar);
	return ar;
}
