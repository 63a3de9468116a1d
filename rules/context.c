/*
 * context.c -- events and neighbour data for the rules (see context.h).
 *
 * Equipment facts live in one map keyed by wagon or container number,
 * so a rule reads everything about a container with one lookup.  JSON
 * is read with jansson; its error position becomes FILE:LINE:COL.
 *
 * Evidence is kept whole rather than "latest wins" where a later report
 * must not hide an earlier one: every weighbridge reading, every seal
 * check that named a seal; suspect scans, the neighbour's suspect
 * results and its set-outs are sticky.  A few context-wide flags let the
 * evaluator skip the per-equipment lookups when nothing of the kind was
 * reported (the common case: no cost per wagon).
 *
 * Events are read for the edition of the rule set that reads them.
 * Edition 1 reads them as railgate read them before edition 2 (7c791f2):
 * the members it read mean what they meant, and a member it did not
 * read (a weighbridge's device or reweigh, a scan's wagon beside its
 * container, a seal check's seal, the neighbour's service, decision and
 * set_out) is taken when well formed and otherwise left unread, as are
 * neighbour entries it skipped -- so that every stored event it accepted
 * is replayed (docs/replay.md).  Edition 2 refuses them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/arena.h"
#include "manifest/strmap.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "context.h"
#include "context_int.h"
#include "ident.h"
#include "lang.h"
#include "names.h"

/* An empty context owned by the caller. */
struct rules_context *
rules_context_new(void)
{
	struct rules_context	*ctx = xcalloc(1, sizeof *ctx);

	ctx->arena = arena_new();
	ctx->equipment = strmap_new();
	ctx->documents = strmap_new();
	ctx->eta = ctx->arrived = MANIFEST_ABSENT;
	ctx->edition = RULES_EDITION_MAX;
	return ctx;
}

/* Events and neighbour data loaded next are read for this edition. */
void
rules_context_set_edition(struct rules_context *ctx, int edition)
{
	ctx->edition = edition;
}

int
rules_context_edition(const struct rules_context *ctx)
{
	return ctx->edition;
}

/* Frees the context and everything it owns; accepts NULL. */
void
rules_context_free(struct rules_context *ctx)
{
	if (ctx == NULL)
		return;
	strmap_free(ctx->equipment);
	strmap_free(ctx->documents);
	context_parcels_free(ctx->parcels);
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

/* Records a weighbridge mass from no recorded device. */
void
rules_context_weighbridge(struct rules_context *ctx, const char *wagon,
    int64_t gross_kg)
{
	rules_context_weighing(ctx, wagon, gross_kg, NULL, false);
}

/*
 * Records a weighbridge reading: kept with every other, the latest also
 * as weighbridge_kg (what edition 1 reads); a re-weigh starts the run of
 * readings edition 2 chooses from.
 */
void
rules_context_weighing(struct rules_context *ctx, const char *wagon,
    int64_t gross_kg, const char *device, bool reweigh)
{
	struct rules_equipment	*e = context_get(ctx, wagon);
	struct rules_weighing	*r;

	e->weighings = arena_grow(ctx->arena, e->weighings, &e->weighings_cap,
	    e->nweighings + 1, sizeof *e->weighings);
	r = &e->weighings[e->nweighings];
	r->gross_kg = gross_kg;
	r->device = device == NULL ? NULL : arena_strdup(ctx->arena, device);
	r->reweigh = reweigh;
	if (reweigh)
		e->reweighed_at = e->nweighings;
	e->nweighings++;
	e->weighbridge_kg = gross_kg;
}

/* Records a scan of a container or wagon; the latest result counts, a
 * suspect one is never forgotten. */
void
rules_context_scan(struct rules_context *ctx, const char *equipment,
    const char *result)
{
	struct rules_equipment	*e = context_get(ctx, equipment);

	e->scan = arena_strdup(ctx->arena, result);
	if (strcmp(result, "suspect") == 0)
		e->scan_suspect = ctx->any_scan_suspect = true;
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

/* Records what a seal check found on the seal it named. */
void
rules_context_seal_report(struct rules_context *ctx, const char *equipment,
    const char *seal, enum rules_seal_state state)
{
	struct rules_equipment	*e = context_get(ctx, equipment);
	struct rules_seal_report *r;

	e->seal_reports = arena_grow(ctx->arena, e->seal_reports,
	    &e->seal_reports_cap, e->nseal_reports + 1,
	    sizeof *e->seal_reports);
	r = &e->seal_reports[e->nseal_reports++];
	r->seal = arena_strdup(ctx->arena, seal);
	r->state = state;
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

/* Records the neighbour's control result for equipment; the latest
 * counts as neighbour_control, the first suspect one stays. */
void
rules_context_neighbour_control(struct rules_context *ctx,
    const char *equipment, const char *result)
{
	struct rules_equipment	*e = context_get(ctx, equipment);

	e->neighbour_control = arena_strdup(ctx->arena, result);
	if (e->neighbour_suspect == NULL &&
	    (strcmp(result, "scanned_suspect") == 0 ||
	    strcmp(result, "seal_broken") == 0)) {
		e->neighbour_suspect = e->neighbour_control;
		ctx->any_neighbour_suspect = true;
	}
	ctx->has_neighbour = true;
}

/* Records the neighbouring service's name; the latest counts. */
void
rules_context_neighbour_service(struct rules_context *ctx, const char *service)
{
	ctx->neighbour_service = arena_strdup(ctx->arena, service);
	ctx->has_neighbour = true;
}

/* Records the neighbour's decision on the train; a HOLD stays. */
void
rules_context_neighbour_decision(struct rules_context *ctx,
    enum decision_outcome outcome)
{
	if (outcome == DECISION_OUTCOME_HOLD)
		ctx->neighbour_held = true;
	ctx->has_neighbour = true;
}

/* Records a wagon the neighbour set out; the worst action stays. */
void
rules_context_neighbour_set_out(struct rules_context *ctx, const char *wagon,
    enum decision_action action)
{
	struct rules_equipment	*e = context_get(ctx, wagon);

	if (action > e->neighbour_set_out)
		e->neighbour_set_out = action;
	ctx->any_neighbour_set_out = ctx->has_neighbour = true;
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

/* Any suspect scan recorded. */
bool
rules_context_any_scan_suspect(const struct rules_context *ctx)
{
	return ctx != NULL && ctx->any_scan_suspect;
}

/* Any scanned_suspect or seal_broken from the neighbour. */
bool
rules_context_any_neighbour_suspect(const struct rules_context *ctx)
{
	return ctx != NULL && ctx->any_neighbour_suspect;
}

/* Any wagon in the neighbour's set_out. */
bool
rules_context_any_neighbour_set_out(const struct rules_context *ctx)
{
	return ctx != NULL && ctx->any_neighbour_set_out;
}

/* True if a neighbour report's decision was HOLD. */
bool
rules_context_neighbour_held_train(const struct rules_context *ctx)
{
	return ctx != NULL && ctx->neighbour_held;
}

/* The neighbouring service's name (borrowed), or NULL. */
const char *
rules_context_neighbour_service_name(const struct rules_context *ctx)
{
	return ctx == NULL ? NULL : ctx->neighbour_service;
}

/* Keyed "T" + code (the whole train) or "C" + code + reference. */
void
rules_context_document(struct rules_context *ctx, const char *consignment,
    const char *code)
{
	char	key[512];

	snprintf(key, sizeof key, "%c%s%s", consignment != NULL ? 'C' : 'T',
	    code, consignment != NULL ? consignment : "");
	if (strmap_get(ctx->documents, key) == NULL)
		strmap_put(ctx->documents, arena_strdup(ctx->arena, key), ctx);
}

bool
rules_context_has_document(const struct rules_context *ctx,
    const char *consignment, const char *code)
{
	char	key[512];

	if (ctx == NULL || strmap_count(ctx->documents) == 0)
		return false;
	snprintf(key, sizeof key, "T%s", code);
	if (strmap_get(ctx->documents, key) != NULL)
		return true;
	snprintf(key, sizeof key, "C%s%s", code, consignment != NULL ?
	    consignment : "");
	return strmap_get(ctx->documents, key) != NULL;
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

/* A seal condition by name; 0, or -1 if it is none of them. */
static int
context_seal_state(const char *s, enum rules_seal_state *out)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "intact") == 0)
		*out = RULES_SEAL_INTACT;
	else if (strcmp(s, "damaged") == 0)
		*out = RULES_SEAL_DAMAGED;
	else if (strcmp(s, "missing") == 0)
		*out = RULES_SEAL_MISSING;
	else
		return -1;
	return 0;
}

/* True if member key of o is absent or a non-empty string. */
static bool
context_opt_text(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return v == NULL || (json_is_string(v) && json_string_length(v) > 0);
}

/* A weighbridge event: wagon, gross_kg; optional device and reweigh. */
static const char *
context_weighbridge(struct rules_context *ctx, json_t *ev)
{
	const char	*s = context_str(ev, "wagon");
	json_t		*kg = json_object_get(ev, "gross_kg");
	json_t		*re = json_object_get(ev, "reweigh");

	if (s == NULL || !json_is_number(kg))
		return "weighbridge needs \"wagon\" and \"gross_kg\"";
	/* Also keeps the scaled value well inside an int64_t. */
	if (!(json_number_value(kg) > 0 &&
	    json_number_value(kg) <= RULES_MAX_GROSS_KG))
		return "weighbridge \"gross_kg\" must be more than 0 and "
		    "at most 1000000";
	if (!context_opt_text(ev, "device") && ctx->edition >= 2)
		return "weighbridge \"device\" must be a non-empty text";
	if (re != NULL && !json_is_boolean(re) && ctx->edition >= 2)
		return "weighbridge \"reweigh\" must be true or false";
	rules_context_weighing(ctx, s,
	    (int64_t)(json_number_value(kg) * MANIFEST_SCALE + 0.5),
	    context_opt_text(ev, "device") ? context_str(ev, "device") : NULL,
	    json_is_true(re));
	return NULL;
}

/* A scan event: exactly one of container and wagon, and a result. */
static const char *
context_scan(struct rules_context *ctx, json_t *ev)
{
	json_t		*c = json_object_get(ev, "container");
	json_t		*w = json_object_get(ev, "wagon");
	const char	*s, *result = context_str(ev, "result");

	/* Edition 1 read the container, whatever else the scan named. */
	if (c != NULL && ctx->edition < 2)
		w = NULL;
	s = json_string_value(c != NULL ? c : w);
	if ((c == NULL) == (w == NULL) || s == NULL || *s == '\0')
		return "scan needs exactly one of \"container\" and \"wagon\"";
	if (result == NULL || (strcmp(result, "clear") != 0 &&
	    strcmp(result, "suspect") != 0))
		return "scan needs \"result\" (clear or suspect)";
	rules_context_scan(ctx, s, result);
	return NULL;
}

/* A seal check: equipment, seal (its number) and condition. */
static const char *
context_seal(struct rules_context *ctx, json_t *ev)
{
	const char		*s = context_str(ev, "equipment");
	const char		*seal = context_str(ev, "seal");
	enum rules_seal_state	 state;

	if (seal != NULL && *seal == '\0')
		seal = NULL;
	if (s == NULL || (seal == NULL && ctx->edition >= 2) ||
	    json_object_get(ev, "condition") == NULL)
		return "seal_check needs \"equipment\", \"seal\" and "
		    "\"condition\"";
	if (context_seal_state(context_str(ev, "condition"), &state) == -1)
		return "seal condition must be intact, damaged or missing";
	rules_context_seal_check(ctx, s, state);
	if (seal != NULL)
		rules_context_seal_report(ctx, s, seal, state);
	return NULL;
}

/* An accepted document: code (3 digits), consignment (null: the train);
 * read at every edition, no older railgate stored one (documents.md). */
static const char *
context_document(struct rules_context *ctx, json_t *ev)
{
	const char	*code = context_str(ev, "code");
	json_t		*cs = json_object_get(ev, "consignment");

	if (code == NULL || strlen(code) != 3 || strspn(code, "0123456789") != 3)
		return "document needs \"code\", three digits";
	if (cs != NULL && !json_is_null(cs) && (!json_is_string(cs) ||
	    json_string_length(cs) == 0 || json_string_length(cs) > 400))
		return "document \"consignment\" must be a reference or null";
	rules_context_document(ctx, json_string_value(cs), code);
	return NULL;
}

/* Applies one event object; NULL, or a message naming what is wrong. */
static const char *
context_event(struct rules_context *ctx, json_t *ev)
{
	const char	*type = context_str(ev, "type");

	if (type == NULL)
		return "an event needs a \"type\"";
	if (strcmp(type, "weighbridge") == 0)
		return context_weighbridge(ctx, ev);
	if (strcmp(type, "scan") == 0)
		return context_scan(ctx, ev);
	if (strcmp(type, "seal_check") == 0)
		return context_seal(ctx, ev);
	if (strcmp(type, "document") == 0)
		return context_document(ctx, ev);
	if (context_parcel_type(type))
		return context_parcel_event(ctx, type, ev);
	if (strcmp(type, "position") == 0) {
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

/* One entry of "seals": equipment and number. */
static const char *
context_nb_seal(struct rules_context *ctx, json_t *o)
{
	const char	*eq = context_str(o, "equipment");
	const char	*v = context_str(o, "number");

	if (eq == NULL || v == NULL)
		return "needs \"equipment\" and \"number\"";
	rules_context_neighbour_seal(ctx, eq, v);
	return NULL;
}

/* One entry of "controls": equipment (a wagon or container) and result. */
static const char *
context_nb_control(struct rules_context *ctx, json_t *o)
{
	static const char *const results[] = { "inspected_clear",
	    "scanned_clear", "scanned_suspect", "seal_broken" };
	const char	*eq = context_str(o, "equipment");
	const char	*v = context_str(o, "result");
	size_t		 i;

	if (eq == NULL || v == NULL)
		return "needs \"equipment\" and \"result\"";
	i = 0;
	while (i < nitems(results) && strcmp(v, results[i]) != 0)
		i++;
	/* Edition 1 took any result, as rules may compare it with any text. */
	if (i < nitems(results) || ctx->edition < 2) {
		rules_context_neighbour_control(ctx, eq, v);
		return NULL;
	}
	return "result must be inspected_clear, scanned_clear, "
	    "scanned_suspect or seal_broken";
}

/* One entry of "set_out": wagon, action, and a position if given. */
static const char *
context_nb_set_out(struct rules_context *ctx, json_t *o)
{
	const char		*w = context_str(o, "wagon");
	const char		*action = context_str(o, "action");
	json_t			*pos = json_object_get(o, "position");
	enum decision_action	 a;

	if (w == NULL || *w == '\0')
		return "needs \"wagon\"";
	if (pos != NULL && (!json_is_integer(pos) ||
	    json_integer_value(pos) < 1))
		return "\"position\" must be a whole number from 1";
	if (action == NULL || decision_action_parse(action, &a) == -1 ||
	    a < DECISION_INSPECT)
		return "\"action\" must be INSPECT, HOLD or REFUSE";
	rules_context_neighbour_set_out(ctx, w, a);
	return NULL;
}

/*
 * Applies the entries of root's array key (absent: none) with fn; 0, or
 * -1 with *why = "KEY N: message" (owned by the caller).  Edition 1
 * skipped what it could not read: a key that is no array, an entry.
 */
static int
context_nb_array(struct rules_context *ctx, json_t *root, const char *key,
    const char *(*fn)(struct rules_context *, json_t *), char **why)
{
	json_t		*a = json_object_get(root, key), *o;
	const char	*msg;
	size_t		 i;

	if (a == NULL || (!json_is_array(a) && ctx->edition < 2))
		return 0;
	if (!json_is_array(a)) {
		*why = xasprintf("\"%s\" must be an array", key);
		return -1;
	}
	json_array_foreach(a, i, o) {
		if ((msg = fn(ctx, o)) != NULL && ctx->edition >= 2) {
			*why = xasprintf("%s %zu: %s", key, i + 1, msg);
			return -1;
		}
	}
	return 0;
}

/*
 * The neighbour's service and decision; 0, or -1 with *why.  Edition 1
 * did not read them: for it, one that is malformed is left unread.
 */
static int
context_nb_head(struct rules_context *ctx, json_t *root, char **why)
{
	json_t			*v = json_object_get(root, "service");
	enum decision_outcome	 o;
	bool			 strict = ctx->edition >= 2;

	if (v != NULL) {
		if (json_is_string(v) && json_string_length(v) > 0)
			rules_context_neighbour_service(ctx,
			    json_string_value(v));
		else if (strict) {
			*why = xstrdup("\"service\" must be a non-empty text");
			return -1;
		}
	}
	if ((v = json_object_get(root, "decision")) != NULL) {
		if (json_is_string(v) &&
		    decision_outcome_parse(json_string_value(v), &o) == 0)
			rules_context_neighbour_decision(ctx, o);
		else if (strict) {
			*why = xstrdup("\"decision\" must be RELEASE, "
			    "PARTIAL_RELEASE or HOLD");
			return -1;
		}
	}
	return 0;
}

/* Loads a neighbour file (one JSON object). */
int
rules_context_load_neighbour(struct rules_context *ctx, const char *json,
    size_t len, const char *file, char **cause)
{
	json_t	*root = context_json(json, len, file, cause);
	char	*why = NULL;

	if (root == NULL)
		return -1;
	if (!json_is_object(root)) {
		*cause = xasprintf("%s: neighbour data must be a JSON object",
		    file);
		json_decref(root);
		return -1;
	}
	ctx->has_neighbour = true;
	if (context_nb_head(ctx, root, &why) == -1 ||
	    context_nb_array(ctx, root, "seals", context_nb_seal, &why) == -1 ||
	    context_nb_array(ctx, root, "controls", context_nb_control,
	    &why) == -1 ||
	    context_nb_array(ctx, root, "set_out", context_nb_set_out,
	    &why) == -1) {
		*cause = xasprintf("%s: %s", file, why);
		free(why);
		json_decref(root);
		return -1;
	}
	json_decref(root);
	return 0;
}

/* A string member of o, or NULL when absent or null; why when not text. */
static const char *
clearance_text(json_t *o, const char *key, bool required, const char **why)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			*why = key;
		return NULL;
	}
	if (!json_is_string(v) || json_string_length(v) == 0) {
		*why = key;
		return NULL;
	}
	return json_string_value(v);
}

/* One clearance object into c; NULL, or the member that is wrong. */
static const char *
context_clearance(struct rules_context *ctx, json_t *o,
    struct rules_clearance *c)
{
	json_t		*party = json_object_get(o, "party"), *id;
	const char	*why = NULL, *list, *entry, *name, *country, *pid;
	char		*key, *dump, norm[64], err[128];

	id = json_object_get(o, "id");
	if (!json_is_object(o) || !json_is_integer(id))
		return "id";
	if (!json_is_object(party))
		return "party";
	list = clearance_text(o, "list", true, &why);
	entry = clearance_text(o, "entry", true, &why);
	name = clearance_text(party, "name", true, &why);
	country = clearance_text(party, "country", false, &why);
	pid = clearance_text(party, "id", false, &why);
	if (why != NULL)
		return why;
	if ((key = names_fold(name, err, sizeof err)) == NULL)
		return "party.name";
	c->id = json_integer_value(id);
	c->list = arena_strdup(ctx->arena, list);
	c->entry = arena_strdup(ctx->arena, entry);
	c->name = arena_strdup(ctx->arena, name);
	c->name_key = arena_strdup(ctx->arena, key);
	free(key);
	c->country = country != NULL ? arena_strdup(ctx->arena, country) : NULL;
	c->party_id = NULL;
	if (pid != NULL) {
		ident_normalise(pid, norm, sizeof norm);
		c->party_id = arena_strdup(ctx->arena, norm);
	}
	dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	c->json = arena_strdup(ctx->arena, dump != NULL ? dump : "{}");
	free(dump);
	atomic_init(&c->applied, false);
	return NULL;
}

int
rules_context_load_clearances(struct rules_context *ctx, const char *json,
    size_t len, const char *file, char **cause)
{
	json_t		*root = context_json(json, len, file, cause), *o;
	const char	*why;
	size_t		 i;

	if (root == NULL)
		return -1;
	if (!json_is_array(root)) {
		*cause = xasprintf("%s: clearances must be a JSON array", file);
		json_decref(root);
		return -1;
	}
	json_array_foreach(root, i, o) {
		ctx->clearances = arena_grow(ctx->arena, ctx->clearances,
		    &ctx->clearances_cap, ctx->nclearances + 1,
		    sizeof *ctx->clearances);
		if ((why = context_clearance(ctx, o,
		    &ctx->clearances[ctx->nclearances])) != NULL) {
			*cause = xasprintf("%s: clearance %zu: '%s' is missing "
			    "or not valid", file, i + 1, why);
			json_decref(root);
			return -1;
		}
		ctx->nclearances++;
	}
	json_decref(root);
	return 0;
}

struct rules_clearance *
rules_context_clearances(const struct rules_context *ctx, size_t *n)
{
	*n = ctx->nclearances;
	return ctx->clearances;
}

char *
rules_context_clearances_applied(const struct rules_context *ctx)
{
	struct buf	b = { 0 };
	size_t		i, k = 0;

	buf_add(&b, "[", 1);
	for (i = 0; i < ctx->nclearances; i++) {
		if (!atomic_load(&ctx->clearances[i].applied))
			continue;
		if (k++ > 0)
			buf_add(&b, ",", 1);
		buf_add(&b, ctx->clearances[i].json,
		    strlen(ctx->clearances[i].json));
	}
	buf_add(&b, "]", 1);
	return buf_steal(&b, NULL);
}
