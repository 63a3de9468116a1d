/*
 * eval_diag.c -- which object each of a train's diagnostics is about,
 * for `diagnostic` tests below train scope in edition 2 (docs/rules.md
 * "Diagnostics in conditions").
 *
 * Parsers raise a diagnostic while reading an object's segments (or XML
 * lines), and the checks after parsing raise theirs at the object's own
 * place (manifest_src_loc), so a diagnostic is about the nearest wagon,
 * container, consignment or item declared at or before it.  Where
 * several objects share that place (XML on one line) it is about each of
 * them.  DUPLICATE_WAGON and DUPLICATE_CONTAINER are raised where the
 * equipment is listed again, which declares no object: their message
 * names the number (edi/map_equipment.c), and the repeated listing
 * counts as that equipment's place for what follows it.
 *
 * The map lists, for each subject (a wagon, container, consignment or
 * item, at its scope), the diagnostics about it, sorted so that a test at
 * one subject is a binary search, not a walk over every diagnostic: a
 * train of a million items may carry a thousand diagnostics.  It is built
 * by the evaluating thread before the wagons are judged, only for rule
 * sets that need it, and then only read.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "eval_int.h"
#include "lang.h"

enum diag_kind {
	KIND_WAGON, KIND_CONTAINER, KIND_CONSIGNMENT, KIND_ITEM,
};

/* An object and where it was declared. */
struct diag_obj {
	uint32_t	 index;		/* segment ordinal or line */
	size_t		 seq;		/* order added, for equal places */
	enum diag_kind	 kind;
	const void	*obj;
};

/* A subject at a scope, and a diagnostic about it. */
struct diag_pair {
	enum rules_scope	 scope;
	uintptr_t		 subject;	/* the wagon, container, ... */
	size_t			 diag;		/* index in the train's list */
};

struct eval_diag_map {
	struct diag_obj		*objs;		/* by index, then seq */
	size_t			 nobjs;
	struct diag_pair	*pairs;		/* by scope, subject, diag */
	size_t			 npairs;
	size_t			 pairs_cap;
	size_t			*diags;		/* pairs' diag, in their order */
};

/* The place of diagnostic d in the train's input (0: unknown). */
static uint32_t
diag_index(const struct manifest_train *t, const struct diag *d)
{
	switch (t->source) {
	case MANIFEST_SOURCE_EDIFACT:
		return d->loc.segment;
	case MANIFEST_SOURCE_XML:
		return d->loc.line;
	default:
		return 0;
	}
}

/* Adds an object declared at index (unknown places are left out). */
static void
obj_add(struct eval_diag_map *m, size_t *cap, uint32_t index,
    enum diag_kind kind, const void *obj)
{
	if (index == 0)
		return;
	if (m->nobjs == *cap) {
		*cap = *cap == 0 ? 64 : *cap * 2;
		m->objs = xreallocarray(m->objs, *cap, sizeof *m->objs);
	}
	m->objs[m->nobjs] = (struct diag_obj){ index, m->nobjs, kind, obj };
	m->nobjs++;
}

/* Orders objects by place, then by the order they were added. */
static int
obj_cmp(const void *a, const void *b)
{
	const struct diag_obj	*x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The wagon or container a DUPLICATE_* message names ("wagon N is ..."). */
static void
obj_add_duplicate(struct eval_diag_map *m, size_t *cap,
    const struct manifest_train *t, const struct diag *d)
{
	const char	*s = strchr(d->message, ' '), *e;
	char		 num[64];
	const void	*obj;
	bool		 wagon = strcmp(d->code, "DUPLICATE_WAGON") == 0;

	if (s == NULL || (e = strchr(++s, ' ')) == NULL ||
	    (size_t)(e - s) >= sizeof num)
		return;
	memcpy(num, s, (size_t)(e - s));
	num[e - s] = '\0';
	obj = wagon ? (const void *)manifest_train_find_wagon(t, num) :
	    (const void *)manifest_train_find_container(t, num);
	if (obj != NULL)
		obj_add(m, cap, diag_index(t, d), wagon ? KIND_WAGON :
		    KIND_CONTAINER, obj);
}

/* Every object of the train with a known place, sorted. */
static void
map_objects(struct eval_diag_map *m, const struct manifest_train *t)
{
	size_t	cap = 0, i, k;

	for (i = 0; i < t->nwagons; i++)
		obj_add(m, &cap, t->wagons[i]->src.index, KIND_WAGON,
		    t->wagons[i]);
	for (i = 0; i < t->ncontainers; i++)
		obj_add(m, &cap, t->containers[i]->src.index, KIND_CONTAINER,
		    t->containers[i]);
	for (i = 0; i < t->nconsignments; i++) {
		const struct manifest_consignment *cs = t->consignments[i];

		obj_add(m, &cap, cs->src.index, KIND_CONSIGNMENT, cs);
		for (k = 0; k < cs->nitems; k++)
			obj_add(m, &cap, cs->items[k]->src.index, KIND_ITEM,
			    cs->items[k]);
	}
	for (i = 0; i < t->diags.n; i++)
		if (strcmp(t->diags.v[i].code, "DUPLICATE_WAGON") == 0 ||
		    strcmp(t->diags.v[i].code, "DUPLICATE_CONTAINER") == 0)
			obj_add_duplicate(m, &cap, t, &t->diags.v[i]);
	if (m->nobjs > 1)
		qsort(m->objs, m->nobjs, sizeof *m->objs, obj_cmp);
}

/* The objects at the nearest place at or before index: [*lo, *hi). */
static void
map_find(const struct eval_diag_map *m, uint32_t index, size_t *lo,
    size_t *hi)
{
	size_t	a = 0, b = m->nobjs, mid;

	while (a < b) {		/* first object declared after index */
		mid = a + (b - a) / 2;
		if (m->objs[mid].index <= index)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = *hi = a;
	if (index == 0 || a == 0)
		return;		/* unknown, or before any object: the train's */
	while (*lo > 0 && m->objs[*lo - 1].index == m->objs[a - 1].index)
		(*lo)--;
}

/* Records that diagnostic i is about subject at scope. */
static void
pair_add(struct eval_diag_map *m, enum rules_scope scope, const void *subject,
    size_t i)
{
	if (subject == NULL)
		return;
	if (m->npairs == m->pairs_cap) {
		m->pairs_cap = m->pairs_cap == 0 ? 64 : m->pairs_cap * 2;
		m->pairs = xreallocarray(m->pairs, m->pairs_cap,
		    sizeof *m->pairs);
	}
	m->pairs[m->npairs++] = (struct diag_pair){ scope,
	    (uintptr_t)subject, i };
}

/*
 * Diagnostic i is about object o: so it is about o at o's own scope, and
 * about what holds o -- the wagon carrying a container or goods, the
 * container holding goods, the consignment owning them.
 */
static void
pair_add_obj(struct eval_diag_map *m, const struct diag_obj *o, size_t i)
{
	const struct manifest_container	*c = o->obj;
	const struct manifest_item	*it = o->obj;
	uint32_t			 k;

	switch (o->kind) {
	case KIND_WAGON:
		pair_add(m, RULES_SCOPE_WAGON, o->obj, i);
		break;
	case KIND_CONTAINER:
		pair_add(m, RULES_SCOPE_CONTAINER, c, i);
		pair_add(m, RULES_SCOPE_WAGON, c->wagon, i);
		break;
	case KIND_CONSIGNMENT:
		pair_add(m, RULES_SCOPE_CONSIGNMENT, o->obj, i);
		break;
	case KIND_ITEM:
		pair_add(m, RULES_SCOPE_ITEM, it, i);
		pair_add(m, RULES_SCOPE_CONSIGNMENT, it->consignment, i);
		for (k = 0; k < it->nplacements; k++) {
			pair_add(m, RULES_SCOPE_WAGON,
			    manifest_placement_wagon(&it->placements[k]), i);
			pair_add(m, RULES_SCOPE_CONTAINER,
			    manifest_placement_container(&it->placements[k]), i);
		}
		break;
	}
}

/* Orders pairs by scope, subject, then diagnostic. */
static int
pair_cmp(const void *a, const void *b)
{
	const struct diag_pair	*x = a, *y = b;

	if (x->scope != y->scope)
		return x->scope < y->scope ? -1 : 1;
	if (x->subject != y->subject)
		return x->subject < y->subject ? -1 : 1;
	return x->diag < y->diag ? -1 : x->diag > y->diag;
}

/* Builds the map of t's diagnostics (eval_int.h). */
struct eval_diag_map *
rules_eval_diag_map_new(const struct manifest_train *t)
{
	struct eval_diag_map	*m = xcalloc(1, sizeof *m);
	size_t			 i, k, lo, hi;

	map_objects(m, t);
	for (i = 0; i < t->diags.n; i++) {
		map_find(m, diag_index(t, &t->diags.v[i]), &lo, &hi);
		for (k = lo; k < hi; k++)
			pair_add_obj(m, &m->objs[k], i);
	}
	if (m->npairs > 1)
		qsort(m->pairs, m->npairs, sizeof *m->pairs, pair_cmp);
	m->diags = xcalloc(m->npairs + 1, sizeof *m->diags);
	for (i = 0; i < m->npairs; i++)
		m->diags[i] = m->pairs[i].diag;
	return m;
}

/* Frees the map; accepts NULL. */
void
rules_eval_diag_map_free(struct eval_diag_map *m)
{
	if (m == NULL)
		return;
	free(m->objs);
	free(m->pairs);
	free(m->diags);
	free(m);
}

/* The frame's subject at the scope of its rule. */
static const void *
frame_subject(const struct eval_frame *f)
{
	switch (f->rule->scope) {
	case RULES_SCOPE_WAGON:
		return f->w;
	case RULES_SCOPE_CONTAINER:
		return f->c;
	case RULES_SCOPE_CONSIGNMENT:
		return f->cs;
	case RULES_SCOPE_ITEM:
		return f->it;
	default:
		return NULL;
	}
}

/* The diagnostics about the frame's subject (eval_int.h). */
size_t
rules_eval_diag_about(const struct eval_frame *f, const size_t **diags)
{
	const struct eval_diag_map	*m = f->diag_map;
	struct diag_pair		 key = { f->rule->scope,
					    (uintptr_t)frame_subject(f), 0 };
	size_t				 a = 0, b, mid, n;

	*diags = NULL;
	if (m == NULL || key.subject == 0)
		return 0;
	b = m->npairs;
	while (a < b) {		/* the first pair not before key */
		mid = a + (b - a) / 2;
		if (pair_cmp(&m->pairs[mid], &key) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	for (n = 0; a + n < m->npairs && m->pairs[a + n].scope == key.scope &&
	    m->pairs[a + n].subject == key.subject; n++)
		;
	*diags = m->diags + a;
	return n;
}
