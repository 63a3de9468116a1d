/*
 * context.c -- events and neighbour data for the rules (see context.h).
 *
 * Equipment facts live in one map keyed by wagon or container number,
 * so a rule reads everything about a container with one lookup.  JSON
 * is read with jansson; its error position becomes FILE:LINE:COL.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/arena.h"
#include "manifest/strmap.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "context.h"

struct rules_context {
	struct arena	*arena;		/* owns every string and record */
	struct strmap	*equipment;	/* number -> struct rules_equipment */
	bool		 has_neighbour;
	int64_t		 eta;		/* a position's; checked, read by no rule yet */
	int64_t		 arrived;
};

/* An empty context owned by the caller. */
struct rules_context *
rules_context_new(void)
{
	struct rules_context	*ctx = xcalloc(1, sizeof *ctx);

	ctx->arena = arena_new();
	ctx->equipment = strmap_new();
	ctx->eta = ctx->arrived = MANIFEST_ABSENT;
	return ctx;
}

/* Frees the context and everything it owns; accepts NULL. */
void
rules_context_free(struct rules_context *ctx)
{
	if (ctx == NULL)
		return;
	strmap_free(ctx->equipment);
	arena_free(ctx->arena);
	free(ctx);
}

/* The record for number, created empty on first use. */
static struct rules_equipment *
context_get(struct rules_context *ctx, const char *number)
{
	struct rules_equipment	*e = strmap_get(ctx->equipment, number);

	if (e != NULL)
		return e;
	e = arena_zalloc(ctx->arena, sizeof *e);
	e->number = arena_strdup(ctx->arena, number);
	e->weighbridge_kg = MANIFEST_ABSENT;
	strmap_put(ctx->equipment, e->number, e);
	return e;
}

/* Records a weighbridge mass; the latest one counts. */
void
rules_context_weighbridge(struct rules_context *ctx, const char *wagon,
    int64_t gross_kg)
{
	context_get(ctx, wagon)->weighbridge_kg = gross_kg;
}

/* Records a scan result; the latest one counts. */
void
rules_context_scan(struct rules_context *ctx, const char *container,
    const char *result)
{
	context_get(ctx, container)->scan = arena_strdup(ctx->arena, result);
}

/* Records a seal check; any damaged or missing seal stays recorded. */
void
rules_context_seal_check(struct rules_context *ctx, const char *equipment,
    enum rules_seal_state state)
{
	if (state != RULES_SEAL_INTACT)
		context_get(ctx, equipment)->seal_trouble = true;
	else
		(void)context_get(ctx, equipment);
}

/* Records a seal the neighbouring customs reported on equipment. */
void
rules_context_neighbour_seal(struct rules_context *ctx, const char *equipment,
    const char *seal)
{
	struct rules_equipment	*e = context_get(ctx, equipment);

	e->neighbour_seals = arena_grow(ctx->arena, e->neighbour_seals,
	    &e->neighbour_seals_cap, e->nneighbour_seals + 1, sizeof(char *));
	e->neighbour_seals[e->nneighbour_seals++] =
	    arena_strdup(ctx->arena, seal);
	ctx->has_neighbour = true;
}

/* Records the neighbour's control result for equipment. */
void
rules_context_neighbour_control(struct rules_context *ctx,
    const char *equipment, const char *result)
{
	context_get(ctx, equipment)->neighbour_control =
	    arena_strdup(ctx->arena, result);
	ctx->has_neighbour = true;
}

/* Equipment by number; borrowed, NULL when nothing is known of it. */
const struct rules_equipment *
rules_context_equipment(const struct rules_context *ctx, const char *number)
{
	if (ctx == NULL || number == NULL)
		return NULL;
	return strmap_get(ctx->equipment, number);
}

/* True once neighbour data has been loaded or added. */
bool
rules_context_has_neighbour(const struct rules_context *ctx)
{
	return ctx != NULL && ctx->has_neighbour;
}

/* Arrival time from events, or MANIFEST_ABSENT. */
int64_t
rules_context_arrived(const struct rules_context *ctx)
{
	return ctx == NULL ? MANIFEST_ABSENT : ctx->arrived;
}

/* A string member of o, or NULL. */
static const char *
context_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A time member of o; 0, or -1 if present but not RFC 3339. */
static int
context_time(json_t *o, const char *key, int64_t *out)
{
	const char	*s = context_str(o, key);

	if (s == NULL)
		return 0;
	return value_time_parse(s, strlen(s), out);
}

/* Applies one event object; NULL, or a message naming what is wrong. */
static const char *
context_event(struct rules_context *ctx, json_t *ev)
{
	const char	*type = context_str(ev, "type");
	const char	*s, *cond;
	json_t		*kg;

	if (type == NULL)
		return "an event needs a \"type\"";
	if (strcmp(type, "weighbridge") == 0) {
		s = context_str(ev, "wagon");
		kg = json_object_get(ev, "gross_kg");
		if (s == NULL || !json_is_number(kg))
			return "weighbridge needs \"wagon\" and \"gross_kg\"";
		/* Also keeps the scaled value well inside an int64_t. */
		if (!(json_number_value(kg) > 0 &&
		    json_number_value(kg) <= RULES_MAX_GROSS_KG))
			return "weighbridge \"gross_kg\" must be more than 0 and "
			    "at most 1000000";
		rules_context_weighbridge(ctx, s,
		    (int64_t)(json_number_value(kg) * MANIFEST_SCALE + 0.5));
	} else if (strcmp(type, "scan") == 0) {
		s = context_str(ev, "container");
		cond = context_str(ev, "result");
		if (s == NULL || cond == NULL || (strcmp(cond, "clear") != 0 &&
		    strcmp(cond, "suspect") != 0))
			return "scan needs \"container\" and \"result\" "
			    "(clear or suspect)";
		rules_context_scan(ctx, s, cond);
	} else if (strcmp(type, "seal_check") == 0) {
		s = context_str(ev, "equipment");
		cond = context_str(ev, "condition");
		if (s == NULL || cond == NULL)
			return "seal_check needs \"equipment\" and \"condition\"";
		if (strcmp(cond, "intact") == 0)
			rules_context_seal_check(ctx, s, RULES_SEAL_INTACT);
		else if (strcmp(cond, "damaged") == 0)
			rules_context_seal_check(ctx, s, RULES_SEAL_DAMAGED);
		else if (strcmp(cond, "missing") == 0)
			rules_context_seal_check(ctx, s, RULES_SEAL_MISSING);
		else
			return "seal condition must be intact, damaged or missing";
	} else if (strcmp(type, "position") == 0) {
		if (context_time(ev, "eta", &ctx->eta) == -1)
			return "position needs \"eta\" as an RFC 3339 time";
	} else if (strcmp(type, "arrived") == 0) {
		if (context_time(ev, "at", &ctx->arrived) == -1)
			return "arrived needs \"at\" as an RFC 3339 time";
	} else
		return "unknown event type";
	return NULL;
}

/* Parses JSON text; NULL with *cause naming file, line and column. */
static json_t *
context_json(const char *json, size_t len, const char *file, char **cause)
{
	json_error_t	 err;
	json_t		*root = json_loadb(json, len, 0, &err);

	if (root == NULL)
		*cause = xasprintf("%s:%d:%d: %s", file, err.line, err.column,
		    err.text);
	return root;
}

/* Loads an events file (a JSON array of events). */
int
rules_context_load_events(struct rules_context *ctx, const char *json,
    size_t len, const char *file, char **cause)
{
	json_t		*root = context_json(json, len, file, cause), *ev;
	const char	*why;
	size_t		 i;

	if (root == NULL)
		return -1;
	if (!json_is_array(root)) {
		*cause = xasprintf("%s: events must be a JSON array", file);
		json_decref(root);
		return -1;
	}
	json_array_foreach(root, i, ev) {
		if ((why = context_event(ctx, ev)) != NULL) {
			*cause = xasprintf("%s: event %zu: %s", file, i + 1, why);
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	return 0;
}

/* Loads a neighbour file (one JSON object). */
int
rules_context_load_neighbour(struct rules_context *ctx, const char *json,
    size_t len, const char *file, char **cause)
{
	json_t		*root = context_json(json, len, file, cause), *o;
	const char	*eq, *v;
	size_t		 i;

	if (root == NULL)
		return -1;
	if (!json_is_object(root)) {
		*cause = xasprintf("%s: neighbour data must be a JSON object",
		    file);
		json_decref(root);
		return -1;
	}
	ctx->has_neighbour = true;
	json_array_foreach(json_object_get(root, "seals"), i, o) {
		eq = context_str(o, "equipment");
		v = context_str(o, "number");
		if (eq != NULL && v != NULL)
			rules_context_neighbour_seal(ctx, eq, v);
	}
	json_array_foreach(json_object_get(root, "controls"), i, o) {
		eq = context_str(o, "equipment");
		v = context_str(o, "result");
		if (eq != NULL && v != NULL)
			rules_context_neighbour_control(ctx, eq, v);
	}
	json_decref(root);
	return 0;
}
