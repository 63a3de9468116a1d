/*
 * api_wagon.c -- one wagon's page (GET /v1/trains/{id}/wagons/{wagon}):
 * what the manifest declares for it (containers, seals, consignments,
 * goods, parties, documents), what the decision says of it, the events
 * about it with their authors and the neighbour's reports on it.
 *
 * Two statements and a worker: wagon_context() answers the run's
 * manifest id, the wagon's row, its decision entry, events and neighbour
 * reports (95_console.sql); the stored manifest of that id is then parsed
 * again on a worker (as GET .../manifest does, 010_model_on_read.sql
 * says why) and the page written there.  The job owns the context (a
 * jansson tree, only read by the worker) and the bytes; the loop replies.
 *
 * A wagon of an e-commerce train may carry tens of thousands of parcels:
 * the goods come a page at a time (?offset, ?limit, with the total), the
 * documents and consignments are capped with their totals, the events are
 * the latest WAGON_MAX_EVENTS with their total.
 *
 * Parsing a 1,000,000-item manifest takes seconds, and an officer pages
 * through a wagon's goods or opens its neighbours one after another: the
 * models come from the cache of parsed models (model_cache.h); the job
 * holds a reference while its page is written on a worker.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/json.h"
#include "manifest/jsonw.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/api/model_cache.h"
#include "daemon/daemon.h"
#include "daemon/outcome.h"
#include "daemon/pool.h"

#define WAGON_GOODS_LIMIT	100	/* goods per page unless ?limit */
#define WAGON_GOODS_MAX		500	/* the largest ?limit */
#define WAGON_OFFSET_MAX	10000000
#define WAGON_DOCUMENTS_MAX	200	/* distinct documents listed */
#define WAGON_CONSIGNMENTS_MAX	100
#define WAGON_MAX_EVENTS	200
#define WAGON_NUMBER_MAX	64

struct wagon_job {
	struct http_ctx		*c;
	char			*wagon;		/* the number asked for */
	long			 offset, limit;
	json_t			*ctx;		/* wagon_context()'s answer, owned */
	struct cached_model	*model;		/* a reference */
	int			 status;	/* 200; 404 not in the manifest */
	struct buf		 out;
};

static void
wagon_job_free(struct wagon_job *j)
{
	model_cache_release(j->model);
	json_decref(j->ctx);
	free(j->wagon);
	buf_free(&j->out);
	free(j);
}

/* 404 naming the wagon and the train. */
static void
reply_no_wagon(struct http_ctx *c, const char *train, const char *wagon)
{
	json_t	*p = json_pack("{s:s, s:s, s:s, s:s}", "title", "Not Found",
		    "detail", "", "train", train, "wagon", wagon);
	char	*detail = xasprintf("train %s has no wagon %s", train, wagon);
	char	*text;

	json_object_set_new(p, "detail", json_string(detail));
	text = json_dumps(p, JSON_COMPACT);
	http_reply_problem_json(c, 404, text);
	free(text);
	free(detail);
	json_decref(p);
}

/* A member of the context written as it is (null when absent). */
static void
write_ctx(struct jsonw *w, const char *key, const json_t *v)
{
	char	*text = v != NULL ? json_dumps(v, JSON_COMPACT |
		    JSON_ENCODE_ANY) : NULL;

	jsonw_key(w, key);
	if (text == NULL)
		jsonw_null(w);
	else
		jsonw_raw(w, text, strlen(text));
	free(text);
}

/* The decision's hits on this wagon (a borrowed array, possibly NULL). */
static const json_t *
wagon_hits(const json_t *ctx)
{
	const json_t	*d = json_object_get(ctx, "decision");

	return json_object_get(json_object_get(d, "wagon"), "hits");
}

/* True when hit h is about consignment ref as a whole (not one item). */
static bool
hit_is_consignments(const json_t *h, const char *ref)
{
	const json_t	*s = json_object_get(h, "subject");
	const char	*c = json_string_value(json_object_get(s, "consignment"));

	return c != NULL && ref != NULL && strcmp(c, ref) == 0 &&
	    json_object_get(s, "item") == NULL;
}

/* One hit, as the page lists it. */
static void
write_hit(struct jsonw *w, const json_t *h)
{
	jsonw_object_begin(w);
	jsonw_kv_string_opt(w, "rule",
	    json_string_value(json_object_get(h, "rule")));
	jsonw_kv_string_opt(w, "action",
	    json_string_value(json_object_get(h, "action")));
	jsonw_kv_string_opt(w, "reason",
	    json_string_value(json_object_get(h, "reason")));
	jsonw_object_end(w);
}

/*
 * A party with its screening: the consignment's hits whose reason quotes
 * the party's name as the manifest gives it (a list match says "'NAME'
 * matches LIST entry ..."), "hit" when there is one, else "no hit".
 * Party screening proper (against a registry) is not done here.
 */
static void
write_party(struct jsonw *w, const char *role, const struct manifest_party *p,
    const char *ref, const json_t *hits)
{
	char	*quoted;
	size_t	 i, n = 0;

	if (manifest_party_is_empty(p))
		return;
	quoted = p->name != NULL ? xasprintf("'%s'", p->name) : NULL;
	jsonw_object_begin(w);
	jsonw_kv_string(w, "role", role);
	jsonw_kv_string_opt(w, "id", p->id);
	jsonw_kv_string_opt(w, "name", p->name);
	jsonw_kv_string_opt(w, "country", p->country);
	jsonw_kv_string_opt(w, "aeo", p->aeo);
	jsonw_key(w, "screening");
	jsonw_object_begin(w);
	jsonw_key(w, "hits");
	jsonw_array_begin(w);
	for (i = 0; quoted != NULL && i < json_array_size(hits); i++) {
		const json_t *h = json_array_get(hits, i);
		const char *reason = json_string_value(json_object_get(h,
		    "reason"));

		if (hit_is_consignments(h, ref) && reason != NULL &&
		    strstr(reason, quoted) != NULL) {
			write_hit(w, h);
			n++;
		}
	}
	jsonw_array_end(w);
	jsonw_kv_string(w, "result", n > 0 ? "hit" : "no hit");
	jsonw_object_end(w);
	jsonw_object_end(w);
	free(quoted);
}

/* The consignments with goods on the wagon, their parties and hits. */
static void
write_consignments(struct jsonw *w, const struct manifest_wagon *wg,
    const json_t *hits)
{
	const struct manifest_consignment	*seen[WAGON_CONSIGNMENTS_MAX];
	size_t					 count[WAGON_CONSIGNMENTS_MAX];
	size_t					 n = 0, total = 0, i, k;

	for (i = 0; i < wg->nitems; i++) {
		const struct manifest_consignment *c = wg->items[i]->consignment;

		for (k = 0; k < n && seen[k] != c; k++)
			;
		if (k < n) {
			count[k]++;
			continue;
		}
		total++;	/* items of a consignment are listed together */
		if (n < WAGON_CONSIGNMENTS_MAX) {
			seen[n] = c;
			count[n++] = 1;
		}
	}
	jsonw_key(w, "consignments");
	jsonw_array_begin(w);
	for (k = 0; k < n; k++) {
		const struct manifest_consignment *c = seen[k];

		jsonw_object_begin(w);
		jsonw_kv_string_opt(w, "ref", c->ref);
		jsonw_kv_string(w, "procedure",
		    manifest_procedure_name(c->procedure));
		jsonw_kv_decimal_opt(w, "value", c->value);
		jsonw_kv_string_opt(w, "currency", c->currency);
		jsonw_kv_int(w, "items", (int64_t)c->nitems);
		jsonw_kv_int(w, "items_on_wagon", (int64_t)count[k]);
		jsonw_key(w, "parties");
		jsonw_array_begin(w);
		write_party(w, "consignor", &c->consignor, c->ref, hits);
		write_party(w, "consignee", &c->consignee, c->ref, hits);
		write_party(w, "declarant", &c->declarant, c->ref, hits);
		jsonw_array_end(w);
		jsonw_key(w, "hits");
		jsonw_array_begin(w);
		for (i = 0; i < json_array_size(hits); i++)
			if (hit_is_consignments(json_array_get(hits, i), c->ref))
				write_hit(w, json_array_get(hits, i));
		jsonw_array_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_kv_int(w, "consignments_total", (int64_t)total);
}

/* One goods item on the wagon. */
static void
write_item(struct jsonw *w, const struct manifest_item *it)
{
	jsonw_object_begin(w);
	jsonw_kv_string_opt(w, "consignment", it->consignment->ref);
	manifest_item_write_members(w, it);
	jsonw_object_end(w);
}

/* One page of the goods on the wagon, with the total. */
static void
write_goods(struct jsonw *w, const struct manifest_wagon *wg, size_t offset,
    size_t limit)
{
	size_t	i;

	jsonw_key(w, "goods");
	jsonw_object_begin(w);
	jsonw_kv_int(w, "total", (int64_t)wg->nitems);
	jsonw_kv_int(w, "offset", (int64_t)offset);
	jsonw_kv_int(w, "limit", (int64_t)limit);
	jsonw_key(w, "items");
	jsonw_array_begin(w);
	for (i = offset; i < wg->nitems && i < offset + limit; i++)
		write_item(w, wg->items[i]);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

/* Equal texts, both possibly NULL. */
static bool
same_text(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * The documents declared for the goods on the wagon, each once with the
 * number of goods items declaring it; the first WAGON_DOCUMENTS_MAX, and
 * whether there were more.
 */
static void
write_documents(struct jsonw *w, const struct manifest_wagon *wg)
{
	const struct manifest_document	*seen[WAGON_DOCUMENTS_MAX];
	size_t				 count[WAGON_DOCUMENTS_MAX];
	size_t				 n = 0, i, k;
	uint32_t			 d;
	bool				 more = false;

	for (i = 0; i < wg->nitems; i++) {
		const struct manifest_item *it = wg->items[i];

		for (d = 0; d < it->ndocuments; d++) {
			const struct manifest_document *doc = &it->documents[d];

			for (k = 0; k < n && !(same_text(seen[k]->type,
			    doc->type) && same_text(seen[k]->id, doc->id)); k++)
				;
			if (k < n)
				count[k]++;
			else if (n < WAGON_DOCUMENTS_MAX) {
				seen[n] = doc;
				count[n++] = 1;
			} else
				more = true;
		}
	}
	jsonw_key(w, "documents");
	jsonw_object_begin(w);
	jsonw_key(w, "items");
	jsonw_array_begin(w);
	for (k = 0; k < n; k++) {
		jsonw_object_begin(w);
		jsonw_kv_string_opt(w, "type", seen[k]->type);
		jsonw_kv_string_opt(w, "id", seen[k]->id);
		jsonw_kv_int(w, "goods", (int64_t)count[k]);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_kv_bool(w, "more", more);
	jsonw_object_end(w);
}

/* The wagon as declared, then its state from the database. */
static void
write_wagon(struct jsonw *w, const struct manifest_wagon *wg,
    const json_t *row)
{
	const char	*key;
	const json_t	*v;
	size_t		 i;

	jsonw_key(w, "wagon");
	jsonw_object_begin(w);
	jsonw_kv_int(w, "position", wg->position);
	jsonw_kv_string(w, "number", wg->number);
	jsonw_kv_string_opt(w, "type", wg->type);
	jsonw_kv_decimal_opt(w, "tare_kg", wg->tare_kg);
	jsonw_key(w, "seals");
	jsonw_array_begin(w);
	for (i = 0; i < wg->nseals; i++) {
		jsonw_object_begin(w);
		jsonw_kv_string(w, "number", wg->seals[i].number);
		jsonw_kv_string(w, "sealed_by",
		    manifest_sealer_name(wg->seals[i].sealed_by));
		jsonw_kv_string(w, "condition",
		    manifest_seal_condition_name(wg->seals[i].condition));
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	/* The containers as the canonical model writes them. */
	jsonw_key(w, "containers");
	jsonw_array_begin(w);
	for (i = 0; i < wg->ncontainers; i++) {
		const struct manifest_container *c = wg->containers[i];

		jsonw_object_begin(w);
		jsonw_kv_string(w, "number", c->number);
		jsonw_kv_string_opt(w, "size_type", c->size_type);
		jsonw_kv_bool(w, "full", c->full);
		jsonw_kv_decimal_opt(w, "gross_kg", c->gross_kg);
		jsonw_key(w, "seals");
		jsonw_array_begin(w);
		for (size_t s = 0; s < c->nseals; s++) {
			jsonw_object_begin(w);
			jsonw_kv_string(w, "number", c->seals[s].number);
			jsonw_kv_string(w, "sealed_by",
			    manifest_sealer_name(c->seals[s].sealed_by));
			jsonw_kv_string(w, "condition",
			    manifest_seal_condition_name(c->seals[s].condition));
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_kv_int(w, "items", (int64_t)wg->nitems);
	/* action, resolution, override...: what the database keeps. */
	json_object_foreach((json_t *)row, key, v) {
		if (strcmp(key, "position") == 0 || strcmp(key, "number") == 0 ||
		    strcmp(key, "containers") == 0 || strcmp(key, "items") == 0)
			continue;
		write_ctx(w, key, v);
	}
	jsonw_object_end(w);
}

/* Worker: the wagon's page from the model. */
static void
wagon_work(void *arg)
{
	struct wagon_job	*j = arg;
	struct manifest_wagon	*wg;
	struct jsonw		 w;
	const json_t		*ctx = j->ctx;

	if ((wg = manifest_train_find_wagon(model_cache_train(j->model),
	    j->wagon)) == NULL) {
		j->status = 404;
		return;
	}
	jsonw_init(&w, &j->out);
	jsonw_object_begin(&w);
	write_ctx(&w, "train", json_object_get(ctx, "train"));
	write_ctx(&w, "run", json_object_get(ctx, "run"));
	write_ctx(&w, "state", json_object_get(ctx, "state"));
	write_wagon(&w, wg, json_object_get(ctx, "wagon"));
	write_ctx(&w, "decision", json_object_get(ctx, "decision"));
	write_ctx(&w, "eval_needed", json_object_get(ctx, "eval_needed"));
	write_ctx(&w, "previous_wagon", json_object_get(ctx, "previous_wagon"));
	write_ctx(&w, "next_wagon", json_object_get(ctx, "next_wagon"));
	write_consignments(&w, wg, wagon_hits(ctx));
	write_goods(&w, wg, (size_t)j->offset, (size_t)j->limit);
	write_documents(&w, wg);
	write_ctx(&w, "events", json_object_get(ctx, "events"));
	write_ctx(&w, "events_total", json_object_get(ctx, "events_total"));
	write_ctx(&w, "neighbour", json_object_get(ctx, "neighbour"));
	jsonw_object_end(&w);
	j->status = 200;
}

static void
wagon_done_cb(void *arg)
{
	struct wagon_job	*j = arg;

	if (j->status == 200)
		http_reply_json(j->c, 200, j->out.data, j->out.len);
	else
		reply_no_wagon(j->c, http_param(j->c, 0), j->wagon);
	wagon_job_free(j);
}

/* The model of the run's manifest: write the page on a worker. */
static void
wagon_model_cb(int status, struct cached_model *m, void *arg)
{
	struct wagon_job	*j = arg;

	if (m == NULL) {
		if (status == MODEL_CACHE_DAMAGED)
			http_reply_problem(j->c, 500, "Internal Server Error",
			    "the stored manifest is damaged", NULL, 0);
		else if (status < 0)
			outcome_reply_store_failure(j->c, status);
		else
			reply_no_wagon(j->c, http_param(j->c, 0), j->wagon);
		wagon_job_free(j);
		return;
	}
	j->model = m;
	pool_submit(j->c->d->pool, POOL_PRIORITY_NORMAL, wagon_work,
	    wagon_done_cb, j);
}

/*
 * The database's side of the page: then the model of the manifest it
 * names, kept or fetched.
 */
static void
wagon_context_cb(int status, const char *text, size_t len, void *arg)
{
	struct wagon_job	*j = arg;
	const json_t		*mid;

	if (status < 0) {
		outcome_reply_store_failure(j->c, status);
		wagon_job_free(j);
		return;
	}
	if (status == 0) {
		http_reply_problem(j->c, 404, "Not Found", "no such train",
		    NULL, 0);
		wagon_job_free(j);
		return;
	}
	j->ctx = json_loadb(text, len, 0, NULL);
	mid = json_object_get(j->ctx, "manifest_id");
	if (j->ctx == NULL || !json_is_integer(mid) ||
	    !json_is_object(json_object_get(j->ctx, "wagon"))) {
		reply_no_wagon(j->c, http_param(j->c, 0), j->wagon);
		wagon_job_free(j);
		return;
	}
	model_cache_get(j->c->d->db, j->c->d->pool,
	    (long long)json_integer_value(mid), wagon_model_cb, j);
}

void
api_wagon_get(struct http_ctx *c)
{
	const char		*wagon = http_param(c, 1);
	struct wagon_job	*j;
	long			 offset, limit;

	if (!api_check_train_id(c))
		return;
	if (wagon[0] == '\0' || strlen(wagon) > WAGON_NUMBER_MAX ||
	    !text_is_printable(wagon)) {
		http_reply_problem(c, 400, "Bad Request", "a wagon is named by "
		    "its number: 1 to 64 printable characters", NULL, 0);
		return;
	}
	offset = api_query_count(c, "offset", 0, WAGON_OFFSET_MAX);
	limit = api_query_count(c, "limit", WAGON_GOODS_LIMIT, WAGON_GOODS_MAX);
	if (offset < 0 || limit < 1) {
		http_reply_problem(c, 400, "Bad Request", offset < 0 ?
		    "offset is a whole number of goods items to skip, at most "
		    "10000000" : "limit is a whole number of goods items from "
		    "1 to 500", NULL, 0);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->c = c;
	j->wagon = xstrdup(wagon);
	j->offset = offset;
	j->limit = limit;
	store_wagon_context(c->d->db, http_param(c, 0), wagon,
	    WAGON_MAX_EVENTS, wagon_context_cb, j);
}
