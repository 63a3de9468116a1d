/*
 * context_parcel.c -- parcel evidence in the rules context
 * (docs/parcels.md): CT scans of parcels by tracking number, containers
 * unloaded at the e-commerce supervision site, and officers' releases
 * of the parcels a rule set aside.  Maps keyed by tracking number,
 * created on the first parcel event, so a freight train's context
 * carries none of it.
 *
 * An unloading names the parcels that came off (the daemon lists those
 * set aside in the container when it is posted): a parcel set aside in
 * that container later, by a scan or an amended rule set, did not come
 * off with them, and keeps the container on the list to unload.
 *
 * Every member of a stored parcel event is checked when it is loaded:
 * an event read differently by a later railgate would make a replay
 * differ, so one that does not read exactly as documented is refused.
 */
#include <string.h>

#include "manifest/arena.h"
#include "manifest/strmap.h"
#include "manifest/util.h"

#include "context_int.h"

/*
 * The longest tracking number, rule name and container number read, in
 * bytes: more than the daemon takes (35 characters of up to 4 bytes, a
 * rule name of 64), so that every stored event it took loads again.
 */
#define PARCEL_TEXT_MAX	256

struct parcel_scan {
	const char	*result;	/* the latest */
	bool		 suspect;	/* any was suspect: sticky */
};

struct context_parcels {
	struct arena	*arena;
	struct strmap	*scans;		/* tracking -> struct parcel_scan */
	struct strmap	*unloaded;	/* tracking -> itself: off the train */
	struct strmap	*resolved;	/* "rule\ttracking" -> itself */
	bool		 any_suspect;	/* some scan was suspect */
};

static struct context_parcels *
parcels_of(struct rules_context *ctx)
{
	struct context_parcels	*p = ctx->parcels;

	if (p != NULL)
		return p;
	p = xcalloc(1, sizeof *p);
	p->arena = arena_new();
	p->scans = strmap_new();
	p->unloaded = strmap_new();
	p->resolved = strmap_new();
	return ctx->parcels = p;
}

void
context_parcels_free(struct context_parcels *p)
{
	if (p == NULL)
		return;
	strmap_free(p->scans);
	strmap_free(p->unloaded);
	strmap_free(p->resolved);
	arena_free(p->arena);
	free(p);
}

void
rules_context_parcel_scan(struct rules_context *ctx, const char *tracking,
    const char *result)
{
	struct context_parcels	*p = parcels_of(ctx);
	struct parcel_scan	*s = strmap_get(p->scans, tracking);

	if (s == NULL) {
		s = arena_zalloc(p->arena, sizeof *s);
		strmap_put(p->scans, arena_strdup(p->arena, tracking), s);
	}
	s->result = arena_strdup(p->arena, result);
	if (strcmp(result, "suspect") == 0)
		s->suspect = p->any_suspect = true;
}

/* True once any parcel scan was suspect (the evaluator skips ct_suspect). */
bool
rules_context_any_parcel_suspect(const struct rules_context *ctx)
{
	return ctx != NULL && ctx->parcels != NULL &&
	    ctx->parcels->any_suspect;
}

void
rules_context_unloaded(struct rules_context *ctx, const char *tracking)
{
	struct context_parcels	*p = parcels_of(ctx);
	char			*k;

	if (strmap_get(p->unloaded, tracking) != NULL)
		return;
	k = arena_strdup(p->arena, tracking);
	strmap_put(p->unloaded, k, k);
}

/* "rule\ttracking" in p's arena: neither may hold a tab (checked). */
static char *
resolved_key(struct context_parcels *p, const char *rule, const char *tracking)
{
	size_t	 r = strlen(rule), t = strlen(tracking);
	char	*k = arena_alloc(p->arena, r + t + 2);

	memcpy(k, rule, r);
	k[r] = '\t';
	memcpy(k + r + 1, tracking, t + 1);
	return k;
}

void
rules_context_parcel_resolved(struct rules_context *ctx, const char *rule,
    const char *tracking)
{
	struct context_parcels	*p = parcels_of(ctx);
	char			*k = resolved_key(p, rule, tracking);

	if (strmap_get(p->resolved, k) == NULL)
		strmap_put(p->resolved, k, k);
}

const char *
rules_context_parcel_scan_result(const struct rules_context *ctx,
    const char *tracking, bool *any_suspect)
{
	const struct parcel_scan	*s;

	*any_suspect = false;
	if (ctx == NULL || ctx->parcels == NULL || tracking == NULL ||
	    (s = strmap_get(ctx->parcels->scans, tracking)) == NULL)
		return NULL;
	*any_suspect = s->suspect;
	return s->result;
}

bool
rules_context_parcel_unloaded(const struct rules_context *ctx,
    const char *tracking)
{
	return ctx != NULL && ctx->parcels != NULL && tracking != NULL &&
	    strmap_get(ctx->parcels->unloaded, tracking) != NULL;
}

bool
rules_context_any_parcel_resolved(const struct rules_context *ctx)
{
	return ctx != NULL && ctx->parcels != NULL &&
	    strmap_count(ctx->parcels->resolved) > 0;
}

bool
rules_context_parcel_is_resolved(const struct rules_context *ctx,
    const char *rule, const char *tracking)
{
	char	 stack[2 * PARCEL_TEXT_MAX + 2];
	size_t	 r, t;

	if (!rules_context_any_parcel_resolved(ctx) || rule == NULL ||
	    tracking == NULL)
		return false;
	r = strlen(rule);
	t = strlen(tracking);
	if (r > PARCEL_TEXT_MAX || t > PARCEL_TEXT_MAX)
		return false;	/* never recorded: longer than read */
	memcpy(stack, rule, r);
	stack[r] = '\t';
	memcpy(stack + r + 1, tracking, t + 1);
	return strmap_get(ctx->parcels->resolved, stack) != NULL;
}

/* v as a text of 1..PARCEL_TEXT_MAX printable characters, or NULL. */
static const char *
parcel_value(const json_t *v)
{
	const char	*s = json_string_value(v);
	size_t		 i, n;

	if (s == NULL || (n = json_string_length(v)) == 0 ||
	    n > PARCEL_TEXT_MAX || strlen(s) != n)
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return NULL;
	return s;
}

/* Member key of o as parcel_value() reads it. */
static const char *
parcel_text(json_t *o, const char *key)
{
	return parcel_value(json_object_get(o, key));
}

/* parcel_scan: tracking, result (clear or suspect). */
static const char *
event_scan(struct rules_context *ctx, json_t *ev)
{
	const char	*tracking = parcel_text(ev, "tracking");
	const char	*result = json_string_value(json_object_get(ev,
			    "result"));

	if (tracking == NULL)
		return "parcel_scan needs \"tracking\", a tracking number";
	if (result == NULL || (strcmp(result, "clear") != 0 &&
	    strcmp(result, "suspect") != 0))
		return "parcel_scan needs \"result\" (clear or suspect)";
	rules_context_parcel_scan(ctx, tracking, result);
	return NULL;
}

/* A non-empty array member of tracking numbers, or NULL. */
static json_t *
tracking_list(json_t *ev)
{
	json_t	*list = json_object_get(ev, "parcels"), *v;
	size_t	 i;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return NULL;
	json_array_foreach(list, i, v) {
		if (parcel_value(v) == NULL)
			return NULL;
	}
	return list;
}

/* unloaded: container, parcels (the tracking numbers that came off). */
static const char *
event_unloaded(struct rules_context *ctx, json_t *ev)
{
	json_t	*list = tracking_list(ev), *v;
	size_t	 i;

	/* Informative only (the parcels say what came off): any number the
	 * manifest gave, spaces included, as the daemon checked it. */
	if (!json_is_string(json_object_get(ev, "container")) ||
	    json_string_length(json_object_get(ev, "container")) == 0)
		return "unloaded needs \"container\", a container number";
	if (list == NULL)
		return "unloaded needs \"parcels\", the tracking numbers of "
		    "the parcels taken off";
	json_array_foreach(list, i, v) {
		rules_context_unloaded(ctx, json_string_value(v));
	}
	return NULL;
}

/* parcel_resolution: rule, action release, parcels (tracking numbers). */
static const char *
event_resolution(struct rules_context *ctx, json_t *ev)
{
	const char	*rule = parcel_text(ev, "rule");
	const char	*action = json_string_value(json_object_get(ev,
			    "action"));
	json_t		*list = tracking_list(ev), *v;
	size_t		 i;

	if (rule == NULL)
		return "parcel_resolution needs \"rule\", a rule name";
	if (action == NULL || strcmp(action, "release") != 0)
		return "parcel_resolution's \"action\" must be release";
	if (list == NULL)
		return "parcel_resolution needs \"parcels\", tracking numbers";
	json_array_foreach(list, i, v) {
		rules_context_parcel_resolved(ctx, rule, json_string_value(v));
	}
	return NULL;
}

bool
context_parcel_type(const char *type)
{
	return strcmp(type, "parcel_scan") == 0 ||
	    strcmp(type, "unloaded") == 0 ||
	    strcmp(type, "parcel_resolution") == 0;
}

const char *
context_parcel_event(struct rules_context *ctx, const char *type, json_t *ev)
{
	if (strcmp(type, "parcel_scan") == 0)
		return event_scan(ctx, ev);
	if (strcmp(type, "unloaded") == 0)
		return event_unloaded(ctx, ev);
	return event_resolution(ctx, ev);
}
