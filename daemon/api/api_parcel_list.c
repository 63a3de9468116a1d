/*
 * api_parcel_list.c -- a train's parcels (GET /v1/trains/{id}/parcels,
 * docs/parcels.md "The parcel list"): every goods item of an e-commerce
 * consignment, in train order, with what the run's current decision
 * says of it (set aside, with its action and rule, or RELEASE), filtered
 * by container, rule, action and a tracking-number prefix, a page at a
 * time (up to PARCELS_LIMIT_MAX rows: the console loads a container's
 * parcels, or a filtered train's, in one or a few requests).
 *
 * Hops: parcel context (loop; the run, its manifest id) -> the model
 * (model_cache.h: kept, or parsed on a worker) -> the decision's
 * "parcels" member (loop; stored text, not parsed here: a decision may
 * set tens of thousands of parcels aside) -> a worker parses it, walks
 * the train and writes the page -> the loop replies.  The job owns its
 * filters, the stored text and the model's reference; the worker only
 * reads the model.
 *
 * The rows are arrays under "columns" (a 100,000-row page is a third
 * the size of one written as objects, and parses faster in a browser).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/jsonw.h"
#include "manifest/model.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/api/model_cache.h"
#include "daemon/daemon.h"
#include "daemon/outcome.h"
#include "daemon/pool.h"

#define PARCELS_LIMIT		1000	/* rows per page unless ?limit */
#define PARCELS_LIMIT_MAX	100000
#define PARCELS_OFFSET_MAX	10000000
#define PARCELS_FILTER_MAX	64	/* a container's or a rule's name */
#define PARCELS_TRACKING_MAX	35

/* The actions ?action= takes; SET_ASIDE: any of the four after RELEASE. */
static const char *const parcel_actions[] = {
	"RELEASE", "DOC_CHECK", "INSPECT", "HOLD", "REFUSE", "SET_ASIDE",
};

/* A set-aside parcel of the decision, looked up by tracking number. */
struct parcel_aside {
	const char	*tracking;	/* borrowed from the parsed decision */
	const char	*action;
	const char	*rule;
	const json_t	*also;
};

struct parcel_job {
	struct http_ctx		*c;
	char			*container, *rule, *action, *q;	/* or NULL */
	long			 offset, limit;
	char			*train_id;	/* "X8024@2": the run read */
	json_t			*ctx;		/* store_parcel_list_context() */
	struct cached_model	*model;		/* a reference */
	char			*parcels;	/* the decision's member, text */
	size_t			 parcels_len;
	int			 status;	/* 200, 422 (container), 500 */
	struct buf		 out;
};

static void
parcel_job_free(struct parcel_job *j)
{
	model_cache_release(j->model);
	json_decref(j->ctx);
	free(j->container);
	free(j->rule);
	free(j->action);
	free(j->q);
	free(j->train_id);
	free(j->parcels);
	buf_free(&j->out);
	free(j);
}

/* 422 "Invalid parcel filter" naming the query parameter and its value. */
static void
reply_bad_filter(struct http_ctx *c, const char *param, const char *value,
    const char *detail)
{
	json_t	*p = json_pack("{s:s, s:s, s:s, s:s}", "title",
		    "Invalid parcel filter", "detail", detail, "parameter", param,
		    "value", value != NULL ? value : "");
	char	*text = json_dumps(p, JSON_COMPACT);

	http_reply_problem_json(c, 422, text);
	free(text);
	json_decref(p);
}

static int
aside_cmp(const void *a, const void *b)
{
	return strcmp(((const struct parcel_aside *)a)->tracking,
	    ((const struct parcel_aside *)b)->tracking);
}

/* The decision's set-aside parcels sorted by tracking number (caller
 * frees the array; its strings are borrowed from parcels). */
static struct parcel_aside *
aside_index(const json_t *parcels, size_t *n)
{
	const json_t		*sa = json_object_get(parcels, "set_aside");
	struct parcel_aside	*a;
	size_t			 i, k = 0;

	a = xcalloc(json_array_size(sa) + 1, sizeof *a);
	for (i = 0; i < json_array_size(sa); i++) {
		const json_t *e = json_array_get(sa, i);

		a[k].tracking = json_string_value(json_object_get(e,
		    "tracking"));
		a[k].action = json_string_value(json_object_get(e, "action"));
		a[k].rule = json_string_value(json_object_get(e, "rule"));
		a[k].also = json_object_get(e, "also");
		if (a[k].tracking != NULL && a[k].action != NULL)
			k++;
	}
	qsort(a, k, sizeof *a, aside_cmp);
	*n = k;
	return a;
}

/* True when the set-aside parcel a is one rule set aside (first or also). */
static bool
aside_has_rule(const struct parcel_aside *a, const char *rule)
{
	size_t	i;

	if (a->rule != NULL && strcmp(a->rule, rule) == 0)
		return true;
	for (i = 0; i < json_array_size(a->also); i++) {
		const char *r = json_string_value(json_object_get(
		    json_array_get(a->also, i), "rule"));

		if (r != NULL && strcmp(r, rule) == 0)
			return true;
	}
	return false;
}

/* What the worker walks with: the filters and the index. */
struct parcel_walk {
	const struct parcel_job	*j;
	struct parcel_aside	*aside;
	size_t			 naside;
	bool			 decided;
	size_t			 parcels, total;
	struct jsonw		 w;
};

/* The container of it on wagon wg (NULL: loose on the wagon), and whether
 * wg is where it is listed (its first placement on a wagon). */
static bool
parcel_place(const struct manifest_item *it, const struct manifest_wagon *wg,
    const char **container)
{
	const struct manifest_placement	*first = NULL;
	const struct manifest_container	*ct;
	uint32_t			 i;

	for (i = 0; i < it->nplacements && first == NULL; i++)
		if (manifest_placement_wagon(&it->placements[i]) != NULL)
			first = &it->placements[i];
	if (first == NULL || manifest_placement_wagon(first) != wg)
		return false;
	ct = manifest_placement_container(first);
	*container = ct != NULL ? ct->number : NULL;
	return true;
}

/* The filters on one parcel and its set-aside entry (NULL: released). */
static bool
parcel_matches(const struct parcel_job *j, const struct manifest_item *it,
    const char *container, const struct parcel_aside *a)
{
	if (j->container != NULL && (container == NULL ||
	    strcmp(container, j->container) != 0))
		return false;
	if (j->q != NULL && (it->tracking == NULL || strncasecmp(it->tracking,
	    j->q, strlen(j->q)) != 0))
		return false;
	if (j->rule != NULL && (a == NULL || !aside_has_rule(a, j->rule)))
		return false;
	if (j->action == NULL)
		return true;
	if (strcmp(j->action, "SET_ASIDE") == 0)
		return a != NULL;
	if (strcmp(j->action, "RELEASE") == 0)
		return a == NULL;
	return a != NULL && strcmp(a->action, j->action) == 0;
}

/* A text, or null. */
static void
write_text(struct jsonw *w, const char *s)
{
	if (s == NULL)
		jsonw_null(w);
	else
		jsonw_string(w, s);
}

/* Member key of the context, as stored (null when absent). */
static void
write_ctx_member(struct jsonw *w, const json_t *ctx, const char *key)
{
	char	*text = json_dumps(json_object_get(ctx, key), JSON_COMPACT |
		    JSON_ENCODE_ANY);

	jsonw_key(w, key);
	if (text == NULL)
		jsonw_null(w);
	else
		jsonw_raw(w, text, strlen(text));
	free(text);
}

/* One row, in the order of the columns. */
static void
write_row(struct parcel_walk *pw, const struct manifest_wagon *wg,
    const struct manifest_item *it, const char *container,
    const struct parcel_aside *a)
{
	struct jsonw	*w = &pw->w;

	jsonw_array_begin(w);
	write_text(w, it->tracking);
	jsonw_int(w, wg->position);
	write_text(w, wg->number);
	write_text(w, container);
	write_text(w, it->consignment->ref);
	write_text(w, it->consignment->consignee.name);
	if (it->value == MANIFEST_ABSENT)
		jsonw_null(w);
	else
		jsonw_decimal(w, it->value);
	write_text(w, it->currency);
	write_text(w, it->hs);
	write_text(w, it->description);
	if (!pw->decided)
		jsonw_null(w);
	else
		write_text(w, a != NULL ? a->action : "RELEASE");
	write_text(w, a != NULL ? a->rule : NULL);
	jsonw_array_end(w);
}

/* Every parcel of the train in train order: counted, and the page's rows
 * written. */
static void
walk_train(struct parcel_walk *pw, const struct manifest_train *t)
{
	const struct parcel_job	*j = pw->j;
	size_t			 wi, i;

	for (wi = 0; wi < t->nwagons; wi++) {
		const struct manifest_wagon *wg = t->wagons[wi];

		for (i = 0; i < wg->nitems; i++) {
			const struct manifest_item *it = wg->items[i];
			const struct parcel_aside *a = NULL;
			struct parcel_aside key = { .tracking = it->tracking };
			const char *container;

			if (it->consignment->procedure !=
			    MANIFEST_PROC_ECOMMERCE ||
			    !parcel_place(it, wg, &container))
				continue;
			pw->parcels++;
			if (it->tracking != NULL && pw->naside > 0)
				a = bsearch(&key, pw->aside, pw->naside,
				    sizeof *pw->aside, aside_cmp);
			if (!parcel_matches(j, it, container, a))
				continue;
			if (pw->total >= (size_t)j->offset &&
			    pw->total < (size_t)(j->offset + j->limit))
				write_row(pw, wg, it, container, a);
			pw->total++;
		}
	}
}

static const char *const parcel_columns[] = {
	"tracking", "position", "wagon", "container", "consignment",
	"consignee", "value", "currency", "hs", "description", "action",
	"rule",
};

/* The answer up to its rows (the array left open). */
static void
write_head(struct jsonw *w, const json_t *ctx, bool decided, bool listed)
{
	size_t	i;

	jsonw_object_begin(w);
	write_ctx_member(w, ctx, "train");
	write_ctx_member(w, ctx, "run");
	write_ctx_member(w, ctx, "state");
	jsonw_kv_bool(w, "decided", decided);
	jsonw_kv_bool(w, "set_aside_listed", listed);
	jsonw_key(w, "columns");
	jsonw_array_begin(w);
	for (i = 0; i < nitems(parcel_columns); i++)
		jsonw_string(w, parcel_columns[i]);
	jsonw_array_end(w);
	jsonw_key(w, "rows");
	jsonw_array_begin(w);
}

/* The answer after its rows. */
static void
write_tail(struct jsonw *w, size_t parcels, size_t total,
    const struct parcel_job *j)
{
	jsonw_array_end(w);
	jsonw_kv_int(w, "parcels", (int64_t)parcels);
	jsonw_kv_int(w, "total", (int64_t)total);
	jsonw_kv_int(w, "offset", j->offset);
	jsonw_kv_int(w, "limit", j->limit);
	jsonw_object_end(w);
}

/* Worker: the decision's set-aside parcels, then the page. */
static void
parcels_work(void *arg)
{
	struct parcel_job		*j = arg;
	const struct manifest_train	*t = model_cache_train(j->model);
	struct parcel_walk		 pw = { .j = j };
	json_t				*parcels;

	if (j->container != NULL &&
	    manifest_train_find_container(t, j->container) == NULL) {
		j->status = 422;
		return;
	}
	parcels = json_loadb(j->parcels, j->parcels_len, JSON_DECODE_ANY,
	    NULL);
	pw.decided = json_is_true(json_object_get(j->ctx, "decided"));
	pw.aside = aside_index(parcels, &pw.naside);
	jsonw_init(&pw.w, &j->out);
	write_head(&pw.w, j->ctx, pw.decided, json_is_object(parcels));
	walk_train(&pw, t);
	write_tail(&pw.w, pw.parcels, pw.total, j);
	free(pw.aside);
	json_decref(parcels);
	j->status = 200;
}

static void
parcels_done_cb(void *arg)
{
	struct parcel_job	*j = arg;
	char			*why;

	if (j->status == 200)
		http_reply_json(j->c, 200, j->out.data, j->out.len);
	else if (j->status == 422) {
		why = xasprintf("train %s has no container %s",
		    http_param(j->c, 0), j->container);
		reply_bad_filter(j->c, "container", j->container, why);
		free(why);
	} else
		http_reply_problem(j->c, 500, "Internal Server Error",
		    "the stored manifest is damaged", NULL, 0);
	parcel_job_free(j);
}

/* The decision's "parcels" member: the page is written on a worker. */
static void
parcels_member_cb(int status, const char *text, size_t len, void *arg)
{
	struct parcel_job	*j = arg;

	if (status < 0) {
		outcome_reply_store_failure(j->c, status);
		parcel_job_free(j);
		return;
	}
	j->parcels = status > 0 ? xstrndup(text, len) : xstrdup("null");
	j->parcels_len = strlen(j->parcels);
	pool_submit(j->c->d->pool, POOL_PRIORITY_NORMAL, parcels_work,
	    parcels_done_cb, j);
}

/* The run's model, kept or just parsed: then its decision's parcels. */
static void
parcels_model_cb(int status, struct cached_model *m, void *arg)
{
	struct parcel_job	*j = arg;

	if (m == NULL) {
		api_reply_model_failure(j->c, status);
		parcel_job_free(j);
		return;
	}
	j->model = m;
	store_train_parcels(j->c->d->db, j->train_id, parcels_member_cb, j);
}

/* The empty list: a run with no manifest has no parcels yet. */
static void
reply_no_manifest(struct parcel_job *j)
{
	struct jsonw	w;

	jsonw_init(&w, &j->out);
	write_head(&w, j->ctx, false, false);
	write_tail(&w, 0, 0, j);
	http_reply_json(j->c, 200, j->out.data, j->out.len);
	parcel_job_free(j);
}

/* The run: then its manifest's model.  The run is named by number from
 * here on, so that a new run meanwhile is not mixed in. */
static void
parcels_context_cb(int status, const char *text, size_t len, void *arg)
{
	struct parcel_job	*j = arg;
	const json_t		*mid, *run;
	const char		*train;

	if (status <= 0) {
		if (status < 0)
			outcome_reply_store_failure(j->c, status);
		else
			http_reply_problem(j->c, 404, "Not Found",
			    "no such train", NULL, 0);
		parcel_job_free(j);
		return;
	}
	j->ctx = json_loadb(text, len, 0, NULL);
	mid = json_object_get(j->ctx, "manifest_id");
	run = json_object_get(j->ctx, "run");
	if (!json_is_integer(mid) || !json_is_integer(run)) {
		reply_no_manifest(j);
		return;
	}
	train = json_string_value(json_object_get(j->ctx, "train"));
	j->train_id = xasprintf("%s@%lld", train != NULL ? train : "",
	    (long long)json_integer_value(run));
	model_cache_get(j->c->d->db, j->c->d->pool,
	    (long long)json_integer_value(mid), parcels_model_cb, j);
}

/* A filter's value: absent (NULL), or 1 to max printable characters (an
 * owned copy); false after answering 422. */
static bool
query_filter(struct http_ctx *c, const char *name, size_t max, char **out)
{
	const char	*s = http_query(c, name);
	char		*why;

	*out = NULL;
	if (s == NULL || *s == '\0')
		return true;
	if (strlen(s) > max || !text_is_printable(s)) {
		why = xasprintf("%s is 1 to %zu printable characters", name, max);
		reply_bad_filter(c, name, s, why);
		free(why);
		return false;
	}
	*out = xstrdup(s);
	return true;
}

/* ?action= is one of parcel_actions (answers 422 when not). */
static bool
action_ok(struct http_ctx *c, const char *action)
{
	size_t	i;

	for (i = 0; action != NULL && i < nitems(parcel_actions); i++)
		if (strcmp(action, parcel_actions[i]) == 0)
			return true;
	if (action == NULL)
		return true;
	reply_bad_filter(c, "action", action, "action is one of RELEASE, "
	    "DOC_CHECK, INSPECT, HOLD, REFUSE and SET_ASIDE");
	return false;
}

void
api_parcel_list(struct http_ctx *c)
{
	struct parcel_job	*j;

	if (!api_check_train_id(c))
		return;
	j = xcalloc(1, sizeof *j);
	j->c = c;
	j->offset = api_query_count(c, "offset", 0, PARCELS_OFFSET_MAX);
	j->limit = api_query_count(c, "limit", PARCELS_LIMIT, PARCELS_LIMIT_MAX);
	if (j->offset < 0 || j->limit < 1) {
		reply_bad_filter(c, j->offset < 0 ? "offset" : "limit",
		    http_query(c, j->offset < 0 ? "offset" : "limit"),
		    j->offset < 0 ? "offset is a whole number of parcels to "
		    "skip, at most 10000000" : "limit is a whole number of "
		    "parcels from 1 to 100000");
		parcel_job_free(j);
		return;
	}
	if (!query_filter(c, "container", PARCELS_FILTER_MAX, &j->container) ||
	    !query_filter(c, "rule", PARCELS_FILTER_MAX, &j->rule) ||
	    !query_filter(c, "action", PARCELS_FILTER_MAX, &j->action) ||
	    !query_filter(c, "q", PARCELS_TRACKING_MAX, &j->q) ||
	    !action_ok(c, j->action)) {
		parcel_job_free(j);
		return;
	}
	store_parcel_list_context(c->d->db, http_param(c, 0), parcels_context_cb,
	    j);
}
