/*
 * decision_parcels.c -- the decision document's "parcels" member
 * (docs/parcels.md): parcels of an e-commerce train set aside instead of
 * their wagon, the containers the crew unloads them from, and the
 * counts.  Built by the evaluator (rules/eval_parcels.c), written and
 * read back here, so that a final decision made from a stored one keeps
 * it whole.
 *
 * The counts by action and the set-aside total are derived from the
 * list when written, never stored, as the wagons' lanes are.
 */
#include <string.h>

#include <jansson.h>

#include "decision.h"
#include "jsonw.h"

/* The unload entry of container, appended after the last if new. */
static struct decision_unload *
unload_of(struct decision *d, uint32_t position, const char *wagon,
    const char *container)
{
	struct decision_parcels	*p = &d->parcels;
	struct decision_unload	*u;

	if (p->nunload > 0) {
		u = &p->unload[p->nunload - 1];
		if (u->position == position && strcmp(u->container,
		    container) == 0)
			return u;
	}
	p->unload = arena_grow(d->arena, p->unload, &p->unload_cap,
	    p->nunload + 1, sizeof *p->unload);
	u = &p->unload[p->nunload++];
	memset(u, 0, sizeof *u);
	u->position = position;
	u->wagon = decision_str(d, wagon);
	u->container = decision_str(d, container);
	return u;
}

struct decision_parcel *
decision_parcel_add(struct decision *d, uint32_t position, const char *wagon,
    const char *container, const char *tracking, enum decision_action action,
    const char *rule, const char *reason, const struct decision_parcel_hit *also,
    size_t nalso)
{
	struct decision_parcels	*p = &d->parcels;
	struct decision_unload	*u = unload_of(d, position, wagon, container);
	struct decision_parcel	*e;
	size_t			 i;

	p->set_aside = arena_grow(d->arena, p->set_aside, &p->set_aside_cap,
	    p->nset_aside + 1, sizeof *p->set_aside);
	e = &p->set_aside[p->nset_aside++];
	memset(e, 0, sizeof *e);
	e->position = position;
	e->wagon = u->wagon;
	e->container = u->container;
	e->tracking = decision_str(d, tracking);
	e->action = action;
	e->rule = decision_str(d, rule);
	e->reason = decision_str(d, reason);
	if (nalso > 0) {
		e->also = arena_alloc(d->arena, nalso * sizeof *e->also);
		for (i = 0; i < nalso; i++) {
			e->also[i].rule = decision_str(d, also[i].rule);
			e->also[i].action = also[i].action;
		}
		e->nalso = nalso;
	}
	u->parcels++;
	return e;
}

void
decision_parcel_counts(const struct decision *d,
    size_t out[DECISION_ACTION_COUNT])
{
	size_t	i;

	memset(out, 0, DECISION_ACTION_COUNT * sizeof *out);
	for (i = 0; i < d->parcels.nset_aside; i++)
		out[d->parcels.set_aside[i].action]++;
}

bool
decision_parcels_pending(const struct decision *d)
{
	size_t	i;

	for (i = 0; i < d->parcels.nunload; i++)
		if (!d->parcels.unload[i].unloaded)
			return true;
	return false;
}

/* "counts": released + audit + resolved + set_aside = parcels. */
static void
write_counts(const struct decision *d, struct jsonw *w)
{
	const struct decision_parcels	*p = &d->parcels;
	size_t				 by[DECISION_ACTION_COUNT];
	size_t				 away = p->nset_aside;

	decision_parcel_counts(d, by);
	jsonw_key(w, "counts");
	jsonw_object_begin(w);
	jsonw_kv_int(w, "parcels", (int64_t)p->parcels);
	jsonw_kv_int(w, "released", (int64_t)(p->parcels - p->audit -
	    p->resolved - away));
	jsonw_kv_int(w, "audit", (int64_t)p->audit);
	jsonw_kv_int(w, "resolved", (int64_t)p->resolved);
	jsonw_kv_int(w, "set_aside", (int64_t)away);
	jsonw_kv_int(w, "doc_check", (int64_t)by[DECISION_DOC_CHECK]);
	jsonw_kv_int(w, "inspect", (int64_t)by[DECISION_INSPECT]);
	jsonw_kv_int(w, "hold", (int64_t)by[DECISION_HOLD]);
	jsonw_kv_int(w, "refuse", (int64_t)by[DECISION_REFUSE]);
	jsonw_object_end(w);
}

static void
write_parcel(struct jsonw *w, const struct decision_parcel *e)
{
	size_t	k;

	jsonw_object_begin(w);
	jsonw_kv_int(w, "position", e->position);
	jsonw_kv_string(w, "wagon", e->wagon);
	jsonw_kv_string(w, "container", e->container);
	jsonw_kv_string(w, "tracking", e->tracking);
	jsonw_kv_string(w, "action", decision_action_name(e->action));
	jsonw_kv_string(w, "rule", e->rule);
	jsonw_kv_string(w, "reason", e->reason);
	if (e->nalso > 0) {
		jsonw_key(w, "also");
		jsonw_array_begin(w);
		for (k = 0; k < e->nalso; k++) {
			jsonw_object_begin(w);
			jsonw_kv_string(w, "rule", e->also[k].rule);
			jsonw_kv_string(w, "action",
			    decision_action_name(e->also[k].action));
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
	}
	jsonw_object_end(w);
}

void
decision_parcels_json_write(const struct decision *d, struct jsonw *w)
{
	const struct decision_parcels	*p = &d->parcels;
	size_t				 i;

	jsonw_object_begin(w);
	write_counts(d, w);
	jsonw_key(w, "unload");
	jsonw_array_begin(w);
	for (i = 0; i < p->nunload; i++) {
		jsonw_object_begin(w);
		jsonw_kv_int(w, "position", p->unload[i].position);
		jsonw_kv_string(w, "wagon", p->unload[i].wagon);
		jsonw_kv_string(w, "container", p->unload[i].container);
		jsonw_kv_int(w, "parcels", (int64_t)p->unload[i].parcels);
		jsonw_kv_bool(w, "unloaded", p->unload[i].unloaded);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "set_aside");
	jsonw_array_begin(w);
	for (i = 0; i < p->nset_aside; i++)
		write_parcel(w, &p->set_aside[i]);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

/* A string member, or NULL. */
static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A count member: a non-negative integer, else -1. */
static json_int_t
count(const json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) >= 0 ?
	    json_integer_value(v) : -1;
}

/* The "also" hits of set-aside entry e (NULL: none) into d; 0 or -1. */
static int
read_also(struct decision *d, struct decision_parcel *e, const json_t *a)
{
	size_t	 k;
	json_t	*h;

	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return -1;
	e->also = arena_alloc(d->arena, (json_array_size(a) + 1) *
	    sizeof *e->also);
	json_array_foreach(a, k, h) {
		const char *action = str(h, "action");

		if (str(h, "rule") == NULL || action == NULL ||
		    decision_action_parse(action, &e->also[k].action) < 0)
			return -1;
		e->also[k].rule = decision_str(d, str(h, "rule"));
	}
	e->nalso = json_array_size(a);
	return 0;
}

/* The set-aside list; rebuilds "unload" as it goes.  0 or -1. */
static int
read_set_aside(struct decision *d, const json_t *a, char **cause)
{
	struct decision_parcel	*e;
	enum decision_action	 act;
	size_t			 i;
	json_t			*o;

	json_array_foreach(a, i, o) {
		const char *action = str(o, "action");
		json_int_t pos = count(o, "position");

		if (pos < 0 || str(o, "wagon") == NULL ||
		    str(o, "container") == NULL || str(o, "tracking") == NULL ||
		    str(o, "rule") == NULL || str(o, "reason") == NULL ||
		    action == NULL || decision_action_parse(action, &act) < 0) {
			*cause = xasprintf("parcels.set_aside[%zu]: position, "
			    "wagon, container, tracking, action, rule and reason "
			    "are required", i);
			return -1;
		}
		e = decision_parcel_add(d, (uint32_t)pos, str(o, "wagon"),
		    str(o, "container"), str(o, "tracking"), act,
		    str(o, "rule"), str(o, "reason"), NULL, 0);
		if (read_also(d, e, json_object_get(o, "also")) < 0) {
			*cause = xasprintf("parcels.set_aside[%zu].also: each "
			    "needs rule and action", i);
			return -1;
		}
	}
	return 0;
}

/* The "unloaded" flags of the stored "unload" list onto the rebuilt one. */
static int
read_unloaded(struct decision *d, const json_t *a, char **cause)
{
	struct decision_parcels	*p = &d->parcels;
	size_t			 i;
	json_t			*o;

	if (json_array_size(a) != p->nunload) {
		*cause = xasprintf("parcels.unload lists %zu containers, the "
		    "set-aside parcels are in %zu", json_array_size(a),
		    p->nunload);
		return -1;
	}
	json_array_foreach(a, i, o) {
		const char *c = str(o, "container");

		if (c == NULL || strcmp(c, p->unload[i].container) != 0 ||
		    count(o, "parcels") != (json_int_t)p->unload[i].parcels) {
			*cause = xasprintf("parcels.unload[%zu] does not match "
			    "the set-aside parcels", i);
			return -1;
		}
		p->unload[i].unloaded = json_is_true(json_object_get(o,
		    "unloaded"));
	}
	return 0;
}

int
decision_parcels_json_read(struct decision *d, const json_t *o, char **cause)
{
	struct decision_parcels	*p = &d->parcels;
	const json_t		*counts;
	json_int_t		 n, audit, resolved;

	if (o == NULL)
		return 0;
	counts = json_object_get(o, "counts");
	n = count(counts, "parcels");
	audit = count(counts, "audit");
	resolved = count(counts, "resolved");
	if (!json_is_object(o) || n < 0 || audit < 0 || resolved < 0) {
		*cause = xstrdup("parcels: counts.parcels, audit and resolved "
		    "are required");
		return -1;
	}
	p->present = true;
	p->parcels = (size_t)n;
	p->audit = (size_t)audit;
	p->resolved = (size_t)resolved;
	if (read_set_aside(d, json_object_get(o, "set_aside"), cause) < 0 ||
	    read_unloaded(d, json_object_get(o, "unload"), cause) < 0)
		return -1;
	if (p->audit + p->resolved + p->nset_aside > p->parcels) {
		*cause = xstrdup("parcels: more parcels audited, resolved and "
		    "set aside than counted");
		return -1;
	}
	return 0;
}
