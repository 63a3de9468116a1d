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
#include "daemon/clock.h"
#include "daemon/outcome.h"
#include "daemon/daemon.h"
#include "daemon/http/auth.h"
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
 * desk.  It is answered from a copy, shared by every reader of the same
 * filter, but never from one older than the bound: a reader gets the
 * database as it was at most LIST_FRESH_MS before its request arrived,
 * whichever daemon (or the spool) changed it.  A reader for whom the copy
 * is older waits for the query in flight when that one was sent within
 * the bound, and for the next one otherwise; there is one query in flight
 * per filter, however many ask.  A change this daemon made (a manifest,
 * an event, a decision, an officer's action) once the copy is a quarter
 * of the bound old, or a reader served a copy half the bound old, starts
 * a query at once for the readers after it,
 * without making anyone wait: while consoles poll, none waits; after a
 * quiet spell, the first reader does.  So 200 consoles cost at most two
 * or three queries a second, and the copy is never served
 * once older (until issue 18 it was served while a new one was fetched,
 * and the first reader after a quiet spell got a copy 32 s old).  The
 * copy is kept gzip-compressed too, made once per answer, for every
 * reader that accepts it (http_gzip.c: a 25th of the bytes to send).  Loop
 * thread only, like all of the API; one daemon per process.
 */
#define LIST_FRESH_MS	1000
#define LIST_AHEAD_MS	500	/* a copy this old is fetched again */
/*
 * After a change, a copy this old is fetched again: not younger, or
 * while trains arrive the list is asked for again the moment each answer
 * comes (issue 23: one PostgreSQL core kept busy by the readers).
 */
#define LIST_CHANGE_MS	250
#define LIST_FILTERS	16	/* filters kept; others go to the database */
/*
 * The copy's gzip level: 177 kB of train list in 0.45 ms to 5.5 kB
 * (level 1: 0.2 ms, 6.1 kB); made a few times a second at most, sent
 * thousands of times.
 */
#define LIST_GZIP_LEVEL	6

/* Readers waiting for a query's answer. */
struct list_waiters {
	struct http_ctx	**v;
	size_t		  n, cap;
};

struct list_cache {
	char		 *state;	/* the filter; NULL: every state */
	enum store_list_finished finished;
	char		 *text;		/* the last answer */
	size_t		  len;
	unsigned char	 *gz;		/* text gzip-compressed; NULL: failed */
	size_t		  gzlen;
	int64_t		  at_ms;	/* when it was asked for */
	uint64_t	  generation;	/* list_generation when asked */
	bool		  used;		/* the slot holds a filter */
	bool		  fetching;
	int64_t		  sent_ms;	/* the query in flight: when sent */
	uint64_t	  sent_generation;
	struct list_waiters waiters;	/* for the query in flight */
	struct list_waiters next;	/* for the one after it */
};
static struct list_cache	list_caches[LIST_FILTERS];
static uint64_t			list_generation;

void
api_trains_changed(void)
{
	list_generation++;
}

static void
list_waiters_add(struct list_waiters *w, struct http_ctx *c)
{
	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		w->v = xreallocarray(w->v, w->cap, sizeof *w->v);
	}
	w->v[w->n++] = c;
}

static bool
list_same_filter(const struct list_cache *lc, const char *state,
    enum store_list_finished finished)
{
	if (lc->finished != finished)
		return false;
	return (state == NULL && lc->state == NULL) || (state != NULL &&
	    lc->state != NULL && strcmp(state, lc->state) == 0);
}

/* The cache entry of a filter, or NULL when every slot is taken. */
static struct list_cache *
list_cache_find(const char *state, enum store_list_finished finished)
{
	size_t	i;

	for (i = 0; i < LIST_FILTERS; i++) {
		struct list_cache *lc = &list_caches[i];

		if (!lc->used) {
			lc->used = true;
			lc->state = state != NULL ? xstrdup(state) : NULL;
			lc->finished = finished;
			return lc;
		}
		if (list_same_filter(lc, state, finished))
			return lc;
	}
	return NULL;
}

static void list_fetched_cb(int, const char *, size_t, void *);

/* Answers c with the copy, compressed when it accepts gzip. */
static void
list_reply(struct http_ctx *c, const struct list_cache *lc)
{
	http_reply_json_either(c, 200, lc->text, lc->len, lc->gz, lc->gzlen);
}

/* Sends the filter's query; its answer goes to lc->waiters. */
static void
list_fetch(struct list_cache *lc, struct daemon *d)
{
	struct store_clock	clk = clock_params(&d->cfg);

	lc->fetching = true;
	lc->sent_ms = daemon_now_ms();
	lc->sent_generation = list_generation;
	store_train_list(d->db, lc->state, lc->finished, &clk,
	    list_fetched_cb, lc);
}

/*
 * The database answered: every reader waiting gets the same answer; the
 * readers who came too late for it get the next query's.
 */
static void
list_fetched_cb(int status, const char *text, size_t len, void *arg)
{
	struct list_cache	*lc = arg;
	struct list_waiters	 w = lc->waiters;
	struct daemon		*d = NULL;
	size_t			 i;

	lc->fetching = false;
	lc->waiters = lc->next;
	memset(&lc->next, 0, sizeof lc->next);
	if (status > 0) {
		free(lc->text);
		free(lc->gz);
		lc->text = xmalloc(len + 1);
		memcpy(lc->text, text, len);
		lc->text[len] = '\0';
		lc->len = len;
		lc->gz = http_gzip(text, len, LIST_GZIP_LEVEL, &lc->gzlen);
		lc->at_ms = lc->sent_ms;
		lc->generation = lc->sent_generation;
	} else
		lc->at_ms = INT64_MIN / 2;	/* failed: ask again */
	if (lc->waiters.n > 0)
		d = lc->waiters.v[0]->d;
	for (i = 0; i < w.n; i++)
		if (status > 0)
			list_reply(w.v[i], lc);
		else
			doc_reply_cb(status, text, len, w.v[i]);
	free(w.v);
	if (d != NULL)
		list_fetch(lc, d);
}

/* ?finished=: true, false or absent; -1 (answered 400) otherwise. */
static int
list_finished_param(struct http_ctx *c, enum store_list_finished *out)
{
	const char	*f = http_query(c, "finished");

	if (f == NULL)
		*out = STORE_LIST_ALL;
	else if (strcmp(f, "false") == 0)
		*out = STORE_LIST_UNFINISHED;
	else if (strcmp(f, "true") == 0)
		*out = STORE_LIST_FINISHED;
	else {
		http_reply_problem(c, 400, "Bad Request", "\"finished\" must "
		    "be true (finished runs only) or false (the queue: runs "
		    "not finished); without it, every run", NULL, 0);
		return -1;
	}
	return 0;
}

void
api_trains_list(struct http_ctx *c)
{
	const char		*state = http_query(c, "state");
	enum store_list_finished finished;
	struct list_cache	*lc;
	struct daemon		*d = c->d;	/* c is gone once answered */
	int64_t			 now = daemon_now_ms();

	if (c->who.role == AUTH_OPERATOR) {	/* its own trains only */
		api_operator_trains_list(c);
		return;
	}
	if (list_finished_param(c, &finished) < 0)
		return;
	if ((lc = list_cache_find(state, finished)) == NULL) {
		struct store_clock clk = clock_params(&d->cfg);

		store_train_list(d->db, state, finished, &clk, doc_reply_cb, c);
		return;
	}
	if (lc->text != NULL && now - lc->at_ms < LIST_FRESH_MS) {
		list_reply(c, lc);
		/* Ahead of the next readers: none of them need wait. */
		if (!lc->fetching && ((lc->generation != list_generation &&
		    now - lc->at_ms >= LIST_CHANGE_MS) ||
		    now - lc->at_ms >= LIST_AHEAD_MS))
			list_fetch(lc, d);
		return;
	}
	if (!lc->fetching) {
		list_waiters_add(&lc->waiters, c);
		list_fetch(lc, d);
	} else if (now - lc->sent_ms < LIST_FRESH_MS)
		list_waiters_add(&lc->waiters, c);
	else
		list_waiters_add(&lc->next, c);
}

void
api_train_get(struct http_ctx *c)
{
	struct store_clock	clk = clock_params(&c->d->cfg);

	if (c->who.role == AUTH_OPERATOR) {	/* its own trains only */
		api_operator_train_get(c);
		return;
	}
	if (api_check_train_id(c))
		store_train_get(c->d->db, http_param(c, 0), &clk, doc_reply_cb,
		    c);
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
