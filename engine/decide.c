/*
 * decide.c -- see decide.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "manifest/decision.h"
#include "manifest/json.h"
#include "manifest/util.h"
#include "rules/rules.h"

#include "engine/decide.h"
#include "engine/input.h"

/* One neighbour report (an event's body) as neighbour data. */
static int
load_neighbour(struct rules_context *ctx, json_t *body, char **cause)
{
	char	*text = json_dumps(body, JSON_COMPACT);
	int	 rc;

	rc = rules_context_load_neighbour(ctx, text, strlen(text), "neighbour",
	    cause);
	free(text);
	return rc;
}

/* Loads an array of event bodies into ctx, read for edition; 0 or -1. */
static int
load_bodies(struct rules_context *ctx, json_t *bodies, int edition,
    char **cause)
{
	char	*text;
	int	 rc;

	if (json_array_size(bodies) == 0)
		return 0;
	rules_context_set_edition(ctx, edition);
	text = json_dumps(bodies, JSON_COMPACT);
	rc = rules_context_load_events(ctx, text, strlen(text), "events",
	    cause);
	free(text);
	return rc;
}

/*
 * Events stored before their authors were (migration 020, "legacy") were
 * taken by a railgate that did not read every member the loader reads
 * today: they are read as edition 1 reads them, whatever the rule set's
 * edition, or a train holding one could never be evaluated again.  They
 * all precede the others (ids grow), so reading them first keeps the
 * order.
 */
int
decide_load_events(struct rules_context *ctx, const char *events,
    char **cause)
{
	json_error_t	 err;
	json_t		*in, *bodies, *legacy, *ev;
	const char	*type;
	int		 edition = rules_context_edition(ctx), rc = 0;
	bool		 old;
	size_t		 i;

	if ((in = json_loads(events, 0, &err)) == NULL) {
		*cause = xasprintf("stored events: %s", err.text);
		return -1;
	}
	bodies = json_array();
	legacy = json_array();
	for (i = 0; i < json_array_size(in) && rc == 0; i++) {
		ev = json_array_get(in, i);
		type = json_string_value(json_object_get(ev, "type"));
		old = json_is_true(json_object_get(ev, "legacy"));
		if (type != NULL && strcmp(type, "neighbour") == 0) {
			rules_context_set_edition(ctx, old ? 1 : edition);
			rc = load_neighbour(ctx, json_object_get(ev, "body"), cause);
		} else
			json_array_append(old ? legacy : bodies,
			    json_object_get(ev, "body"));
	}
	if (rc == 0)
		rc = load_bodies(ctx, legacy, 1, cause);
	if (rc == 0)
		rc = load_bodies(ctx, bodies, edition, cause);
	rules_context_set_edition(ctx, edition);
	json_decref(bodies);
	json_decref(legacy);
	json_decref(in);
	return rc;
}

/*
 * Whether train hit h is about the goods (consignment, item; item 0: the
 * whole consignment): the same consignment, and the same item or a hit
 * on no item.  A hit naming no consignment (a blocking diagnostic, a
 * rule on the whole train) is about no goods.
 */
static bool
hit_is_about(const struct decision_hit *h, const char *consignment,
    uint32_t item)
{
	return h->subject.consignment != NULL &&
	    strcmp(h->subject.consignment, consignment) == 0 &&
	    (item == 0 || h->subject.item == 0 || h->subject.item == item);
}

/* Appends a copy of hit h, translations included, to wagon w. */
static void
hit_copy(struct decision *d, struct decision_wagon *w,
    const struct decision_hit *h)
{
	struct decision_hit	*c;
	size_t			 k;

	c = decision_hit_add(d, w, h->rule, h->action, &h->subject, h->reason,
	    h->would_pass_if);
	for (k = 0; k < h->nreasons; k++)
		decision_hit_add_reason(d, c, h->reasons[k].lang,
		    h->reasons[k].text);
}

/*
 * One goods resolution (r: {goods: {consignment, item?}, resolution,
 * position?}): "located" moves the train hits about the goods to the
 * wagon at position (its action the most severe of its own and theirs);
 * "corrected" drops them, but only those at DOC_CHECK or below.  Anything
 * else -- an unknown resolution, no such wagon -- leaves the hits on the
 * train: it fails closed.
 */
static void
apply_goods(struct decision *d, json_t *r)
{
	json_t			*g = json_object_get(r, "goods");
	const char		*c = json_string_value(json_object_get(g,
				    "consignment"));
	const char		*how = json_string_value(json_object_get(r,
				    "resolution"));
	json_int_t		 item = json_integer_value(json_object_get(g,
				    "item"));
	json_int_t		 pos;
	struct decision_wagon	*w = NULL;
	struct decision_hit	*h;
	bool			 located;
	size_t			 i, k, kept = 0;

	if (c == NULL || how == NULL || item < 0 || item > UINT32_MAX)
		return;
	located = strcmp(how, "located") == 0;
	if (!located && strcmp(how, "corrected") != 0)
		return;
	if (located) {
		pos = json_integer_value(json_object_get(r, "position"));
		for (k = 0; k < d->nwagons && w == NULL; k++)
			if (d->wagons[k].position == (uint32_t)pos && pos > 0)
				w = &d->wagons[k];
		if (w == NULL)
			return;
	}
	for (i = 0; i < d->ntrain_hits; i++) {
		h = &d->train_hits[i];
		if (!hit_is_about(h, c, (uint32_t)item) ||
		    (!located && h->action > DECISION_DOC_CHECK)) {
			d->train_hits[kept++] = *h;
			continue;
		}
		if (located)
			hit_copy(d, w, h);
	}
	d->ntrain_hits = kept;
}

/*
 * One train hit cleared (r: {train_hit: {rule}, resolution: "cleared"};
 * 026_train_four_eyes.sql): two supervisors stated that what the train
 * hits of that rule naming no goods report was checked; they drop.  A
 * hit about goods is never dropped this way (goods are located or
 * corrected), nor is anything for another resolution: it fails closed.
 */
static void
apply_clearance(struct decision *d, json_t *r)
{
	const char	*rule = json_string_value(json_object_get(
			    json_object_get(r, "train_hit"), "rule"));
	const char	*how = json_string_value(json_object_get(r,
			    "resolution"));
	size_t		 i, kept = 0;

	if (rule == NULL || how == NULL || strcmp(how, "cleared") != 0)
		return;
	for (i = 0; i < d->ntrain_hits; i++)
		if (d->train_hits[i].subject.consignment != NULL ||
		    d->train_hits[i].rule == NULL ||
		    strcmp(d->train_hits[i].rule, rule) != 0)
			d->train_hits[kept++] = d->train_hits[i];
	d->ntrain_hits = kept;
}

struct decision *
decide_final(const char *base, const char *resolutions, char **cause)
{
	struct decision		*d;
	enum decision_action	 a;
	json_t			*res, *r;
	json_int_t		 pos;
	size_t			 i, k;

	if ((d = decision_json_read(base, strlen(base), cause)) == NULL)
		return NULL;
	res = json_loads(resolutions != NULL ? resolutions : "[]", 0, NULL);
	/* The goods first: a wagon's resolution is made on what it carries. */
	for (i = 0; i < json_array_size(res); i++) {
		r = json_array_get(res, i);
		if (json_object_get(r, "goods") != NULL)
			apply_goods(d, r);
	}
	for (i = 0; i < json_array_size(res); i++) {
		r = json_array_get(res, i);
		if (json_object_get(r, "train_hit") != NULL)
			apply_clearance(d, r);
	}
	for (i = 0; i < json_array_size(res); i++) {
		r = json_array_get(res, i);
		if (json_object_get(r, "goods") != NULL ||
		    json_object_get(r, "train_hit") != NULL)
			continue;
		pos = json_integer_value(json_object_get(r, "position"));
		if (decision_action_parse(json_string_value(json_object_get(r,
		    "action")), &a) < 0)
			continue;
		for (k = 0; k < d->nwagons; k++)
			if (d->wagons[k].position == (uint32_t)pos)
				d->wagons[k].action = a;
	}
	json_decref(res);
	d->final = true;
	d->outcome = decision_consolidate(d);
	return d;
}

/* Milliseconds since t0 on the monotonic clock. */
static double
ms_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int
decide_parse_stored(const unsigned char *z, size_t zlen,
    struct manifest_train **t, char sha256[65], double *parse_ms,
    char **cause)
{
	struct timespec	 t0;
	char		*raw;
	size_t		 len;

	*t = NULL;
	if (input_inflate_stored(z, zlen, &raw, &len) < 0) {
		*cause = xstrdup("the stored manifest is damaged");
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (input_parse(raw, len, NULL, t) < 0) {
		*cause = xstrdup("the stored manifest no longer parses");
		manifest_train_free(*t);
		*t = NULL;
		free(raw);
		return -1;
	}
	*parse_ms = ms_since(&t0);
	sha256_hex(raw, len, sha256);
	free(raw);
	return 0;
}

/* SHA-256 of b's bytes, in hex; b emptied. */
static void
goods_hash(struct buf *b, char hex[65])
{
	sha256_hex(b->data, b->len, hex);
	b->len = 0;
}

static int
hex_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * What a document was accepted for: the SHA-256 of the train's contents
 * hash followed by its wagons' (each as daemon/ingest_summary.c computes
 * them, trains.contents_sha256 and wagons.contents_sha256), the wagons'
 * in byte order -- document_decide() (73_documents.sql) computes the
 * same.
 */
static void
goods_sha256(const struct manifest_train *t, char out[65])
{
	struct buf	 b = { 0 }, all = { 0 };
	char		(*hex)[65] = xcalloc(t->nwagons + 1, sizeof *hex);
	char		 train[65];
	size_t		 i;

	manifest_train_contents_write(t, &b);
	goods_hash(&b, train);
	for (i = 0; i < t->nwagons; i++)
		manifest_wagon_contents_sha256(t->wagons[i], hex[i]);
	qsort(hex, t->nwagons, sizeof *hex, hex_cmp);
	buf_add_str(&all, train);
	for (i = 0; i < t->nwagons; i++)
		buf_add_str(&all, hex[i]);
	goods_hash(&all, out);
	buf_free(&all);
	buf_free(&b);
	free(hex);
}

/*
 * The kinds of event an officer's judgement of the goods declared then
 * makes, which a replacement declaring other goods voids: a document
 * accepted, and (docs/parcels.md) parcels released or taken off -- the
 * daemon writes goods_sha256 into each.  A parcel's CT scan is evidence
 * about the parcel itself, and stays.
 */
static bool
bound_to_goods(const char *type)
{
	return strcmp(type, "document") == 0 ||
	    strcmp(type, "parcel_resolution") == 0 ||
	    strcmp(type, "unloaded") == 0;
}

/*
 * The events without the documents accepted (or parcels released or
 * unloaded) for other goods than t's.
 * An officer accepts a document for the goods the manifest declared then
 * (document_decide() writes their goods_sha256 into the event); a
 * replacement declaring other goods must not ride on it -- the operator
 * uploads again.  A document event without the member (none was written
 * so before) counts as ever.  NULL: the events as they are (else the
 * caller frees).
 */
static char *
events_for_goods(const struct manifest_train *t, const char *events)
{
	json_t		*in, *ev, *body;
	const char	*want, *type;
	char		 hex[65], *out;
	size_t		 i;
	bool		 dropped = false;

	if (t == NULL || strstr(events, "\"goods_sha256\"") == NULL ||
	    (in = json_loads(events, 0, NULL)) == NULL)
		return NULL;
	goods_sha256(t, hex);
	for (i = 0; i < json_array_size(in); i++) {
		ev = json_array_get(in, i);
		body = json_object_get(ev, "body");
		type = json_string_value(json_object_get(ev, "type"));
		want = json_string_value(json_object_get(body, "goods_sha256"));
		if (type != NULL && bound_to_goods(type) &&
		    want != NULL && strcmp(want, hex) != 0) {
			json_array_remove(in, i--);
			dropped = true;
		}
	}
	out = dropped ? json_dumps(in, JSON_COMPACT) : NULL;
	json_decref(in);
	return out;
}

bool
decide_document_sets_aside(const char *doc, size_t len)
{
	json_t	*root = json_loadb(doc, len, 0, NULL);
	bool	 yes = json_is_object(json_object_get(root, "parcels"));

	json_decref(root);
	return yes;
}

struct decision *
decide_evaluate(const struct rules_ruleset *rs, const struct manifest_train *t,
    const char *events, const char *clearances,
    const struct rules_eval_options *given, char **applied, char **cause)
{
	struct rules_context		*ctx = rules_context_new();
	struct rules_eval_options	 opt = { .threads = 1 };
	struct decision			*dec = NULL;
	struct timespec			 t0;
	char				*mine = events != NULL ?
					    events_for_goods(t, events) : NULL;

	if (given != NULL)
		opt = *given;
	if (applied != NULL)
		*applied = NULL;
	if (mine != NULL)
		events = mine;
	rules_context_set_edition(ctx, rules_ruleset_edition(rs));
	if (decide_load_events(ctx, events != NULL ? events : "[]", cause) ==
	    0 && (clearances == NULL || rules_context_load_clearances(ctx,
	    clearances, strlen(clearances), "clearances", cause) == 0)) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rules_evaluate(rs, t, ctx, &opt, &dec);
		dec->evaluate_ms = ms_since(&t0);
		if (applied != NULL)
			*applied = rules_context_clearances_applied(ctx);
	}
	rules_context_free(ctx);
	free(mine);
	return dec;
}
