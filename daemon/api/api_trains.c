/*
 * api_trains.c -- reading trains: the list with its clearance clocks,
 * one run with its wagons, its decision document, canonical model and
 * audit trail.  Documents are built by the database and passed through.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/store.h"
#include "manifest/ident.h"
#include "manifest/json.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/outcome.h"
#include "daemon/daemon.h"
#include "engine/input.h"
#include "daemon/pool.h"

/*
 * A train id is a train number as intake accepts it (ident.h: the same
 * rule, so that every stored train can be named here and nothing else
 * reaches the database), optionally "@run" with a run of 1-9 digits.
 */
static bool
train_id_is_valid(const char *id)
{
	const char	*at = strchr(id, '@');
	size_t		 n = at != NULL ? (size_t)(at - id) : strlen(id), i;

	if (ident_train_number_problem(id, n) != NULL)
		return false;
	if (at == NULL)
		return true;
	for (i = 1; at[i] != '\0'; i++)
		if (at[i] < '0' || at[i] > '9' || i > 9)
			return false;
	return i > 1;
}

/* Answers a JSON document, 404 or 503. */
static void
doc_reply_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else if (status == 0)
		http_reply_problem(c, 404, "Not Found", c->params[0] != NULL ?
		    "no such train, or no decision yet" : NULL, NULL, 0);
	else
		http_reply_json(c, 200, text, len);
}

bool
api_check_train_id(struct http_ctx *c)
{
	if (!train_id_is_valid(http_param(c, 0))) {
		http_reply_problem(c, 400, "Bad Request", "a train id is a train "
		    "number (1 to 64 printable ASCII characters other than space, "
		    "'/' and '@'), optionally followed by @run", NULL, 0);
		return false;
	}
	return true;
}

/*
 * The train list is what every console polls, every few seconds, on every
 * desk.  It is answered from a copy at most LIST_FRESH_MS old: when the
 * copy is older, or this daemon changed something (a manifest, an event,
 * a decision, an officer's action), the reader still gets the copy at once
 * and one query fetches a new one for the next readers.  Only the very
 * first reader of a filter waits for the database; however many ask
 * meanwhile, there is one query in flight.  So 200 consoles cost one query
 * a second, and a change shows on the next poll.  A copy known to be
 * out of date -- a change since it was asked for, by this daemon or
 * heard from another through the stream (daemon/stream.c) -- is not
 * served: the readers wait for the new one, so that consoles reloading
 * on a pushed change see it (all of them, from one query).  Loop thread only, like
 * all of the API; one daemon per process.
 */
#define LIST_FRESH_MS	1000
#define LIST_FILTERS	16	/* ?state= values kept; others go to the database */

struct list_cache {
	char		 *state;	/* the filter; NULL: every state */
	char		 *text;		/* the last answer */
	size_t		  len;
	int64_t		  at_ms;	/* when it was asked for */
	uint64_t	  generation;	/* list_generation when asked */
	uint64_t	  text_generation; /* that of text */
	bool		  used;		/* the slot holds a filter */
	bool		  fetching;
	bool		  again;	/* changed while fetching: once more */
	struct daemon	 *d;
	struct http_ctx	**waiters;
	size_t		  nwaiters, waiters_cap;
};
static struct list_cache	list_caches[LIST_FILTERS];
static uint64_t			list_generation;

void
api_trains_changed(void)
{
	list_generation++;
}

/* The cache entry of a filter, or NULL when every slot is taken. */
static struct list_cache *
list_cache_find(const char *state)
{
	size_t	i;

	for (i = 0; i < LIST_FILTERS; i++) {
		struct list_cache *lc = &list_caches[i];

		if (!lc->used) {
			lc->used = true;
			lc->state = state != NULL ? xstrdup(state) : NULL;
			return lc;
		}
		if ((state == NULL && lc->state == NULL) || (state != NULL &&
		    lc->state != NULL && strcmp(state, lc->state) == 0))
			return lc;
	}
	return NULL;
}

/* The database answered: every reader waiting gets the same answer. */
static void
list_fetched_cb(int status, const char *text, size_t len, void *arg)
{
	struct list_cache	*lc = arg;
	struct http_ctx		**w = lc->waiters;
	size_t			  i, n = lc->nwaiters;

	lc->fetching = false;
	if (status > 0 && lc->generation != list_generation && !lc->again &&
	    lc->nwaiters > 0) {
		/* Changed while the query ran: the waiters get what follows. */
		lc->again = true;
		lc->fetching = true;
		lc->generation = list_generation;
		store_train_list(lc->d->db, lc->state, lc->d->cfg.target_minutes,
		    lc->d->cfg.warn_percent, list_fetched_cb, lc);
		return;
	}
	lc->again = false;
	lc->waiters = NULL;
	lc->nwaiters = lc->waiters_cap = 0;
	if (status > 0) {
		free(lc->text);
		lc->text = xmalloc(len + 1);
		memcpy(lc->text, text, len);
		lc->text[len] = '\0';
		lc->len = len;
		lc->text_generation = lc->generation;
	} else
		lc->at_ms = 0;		/* failed: ask again on the next read */
	for (i = 0; i < n; i++)
		doc_reply_cb(status, text, len, w[i]);
	free(w);
}

void
api_trains_list(struct http_ctx *c)
{
	const char		*state = http_query(c, "state");
	struct list_cache	*lc = list_cache_find(state);
	struct daemon		*d = c->d;	/* c is gone once answered */
	int64_t			 now = daemon_now_ms();
	bool			 stale;

	if (lc == NULL) {
		store_train_list(c->d->db, state, c->d->cfg.target_minutes,
		    c->d->cfg.warn_percent, doc_reply_cb, c);
		return;
	}
	stale = lc->text == NULL || now - lc->at_ms >= LIST_FRESH_MS ||
	    lc->generation != list_generation;
	lc->d = d;
	if (lc->text != NULL && lc->text_generation == list_generation)
		http_reply_json(c, 200, lc->text, lc->len);
	else {
		if (lc->nwaiters == lc->waiters_cap) {
			lc->waiters_cap = lc->waiters_cap == 0 ? 16 :
			    lc->waiters_cap * 2;
			lc->waiters = xreallocarray(lc->waiters, lc->waiters_cap,
			    sizeof *lc->waiters);
		}
		lc->waiters[lc->nwaiters++] = c;
	}
	if (!stale || lc->fetching)
		return;
	lc->fetching = true;
	lc->at_ms = now;
	lc->generation = list_generation;
	store_train_list(d->db, lc->state, d->cfg.target_minutes,
	    d->cfg.warn_percent, list_fetched_cb, lc);
}

void
api_train_get(struct http_ctx *c)
{
	if (api_check_train_id(c))
		store_train_get(c->d->db, http_param(c, 0),
		    c->d->cfg.target_minutes, c->d->cfg.warn_percent,
		    doc_reply_cb, c);
}

void
api_train_decision(struct http_ctx *c)
{
	if (api_check_train_id(c))
		store_train_decision(c->d->db, http_param(c, 0), doc_reply_cb, c);
}

/* GET .../manifest: the stored bytes parsed again on a worker. */
struct model_job {
	struct http_ctx	*c;
	unsigned char	*raw_z;
	size_t		 raw_z_len;
	int		 status;	/* 200, or 500 when damaged */
	struct buf	 json;
};

/* Worker: inflate, parse, write the canonical model. */
static void
model_work(void *arg)
{
	struct model_job	*j = arg;
	struct manifest_train	*t;
	char			*raw;
	size_t			 len;

	if (input_inflate_stored(j->raw_z, j->raw_z_len, &raw, &len) < 0) {
		j->status = 500;
		return;
	}
	input_parse(raw, len, NULL, &t);
	manifest_json_write(t, 0, &j->json);
	manifest_train_free(t);
	free(raw);
	j->status = 200;
}

static void
model_cb(void *arg)
{
	struct model_job	*j = arg;

	if (j->status != 200)
		http_reply_problem(j->c, 500, "Internal Server Error",
		    "the stored manifest is damaged", NULL, 0);
	else
		http_reply_json(j->c, 200, j->json.data, j->json.len);
	buf_free(&j->json);
	free(j->raw_z);
	free(j);
}

/*
 * The model is derived from the stored bytes, by the parser of this
 * daemon (as a replay would read them): 010_model_on_read.sql says why.
 */
static void
manifest_fetched_cb(int status, const char *z, size_t zlen, void *arg)
{
	struct http_ctx		*c = arg;
	struct model_job	*j;

	if (status <= 0) {
		doc_reply_cb(status, z, zlen, arg);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->c = c;
	j->raw_z = xmalloc(zlen);
	memcpy(j->raw_z, z, zlen);
	j->raw_z_len = zlen;
	pool_submit(c->d->pool, POOL_PRIORITY_NORMAL, model_work, model_cb, j);
}

void
api_train_manifest(struct http_ctx *c)
{
	if (api_check_train_id(c))
		store_train_manifest(c->d->db, http_param(c, 0),
		    manifest_fetched_cb, c);
}

void
api_train_audit(struct http_ctx *c)
{
	if (api_check_train_id(c))
		store_train_audit(c->d->db, http_param(c, 0), doc_reply_cb, c);
}

void
api_train_events(struct http_ctx *c)
{
	if (api_check_train_id(c))
		store_train_events(c->d->db, http_param(c, 0), doc_reply_cb, c);
}
