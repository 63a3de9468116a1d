/*
 * eval_parcels.c -- parcels set aside instead of their wagon
 * (docs/parcels.md), with `parcel_setaside` on.
 *
 * The worker of a wagon marks the hits on its parcels (an item's, or a
 * consignment's whose goods on the wagon are all parcels) instead of
 * letting them reach the wagon; eval_parcels_wagon() then sorts them by
 * container, tracking number and rule, drops those an officer resolved,
 * and keeps per parcel its most severe hit and the others: a set-aside
 * entry at DOC_CHECK or above, else a count.  The calling thread merges
 * the wagons in train order, so the list comes out sorted by wagon
 * position, container and tracking number whatever the thread count.
 *
 * Fail closed: only a parcel the crew can find alone is set aside -- a
 * tracking number no other item has, one placement, in a container the
 * wagon carries.  Any other goods' hits reach the wagon, as without
 * parcel_setaside.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "eval_int.h"

/* One parcel hit: the parcel and the pending hit (index in the wagon's). */
struct parcel_hit {
	const struct manifest_item	*it;
	const char			*container;
	size_t				 hit;
	size_t				 rule;
};

struct parcel_hits {
	struct parcel_hit	*v;
	size_t			 n, cap;
};

bool
eval_parcel_settable(const struct manifest_wagon *w,
    const struct manifest_item *it)
{
	const struct manifest_container	*ct;

	return it->consignment->procedure == MANIFEST_PROC_ECOMMERCE &&
	    it->tracking != NULL && !it->tracking_dup &&
	    it->nplacements == 1 &&
	    (ct = manifest_placement_container(it->placements)) != NULL &&
	    ct->number != NULL && ct->wagon == w;
}

/* True if one of it's placements is on wagon w. */
static bool
placed_on(const struct manifest_wagon *w, const struct manifest_item *it)
{
	uint32_t	k;

	for (k = 0; k < it->nplacements; k++)
		if (manifest_placement_wagon(&it->placements[k]) == w)
			return true;
	return false;
}

bool
eval_consignment_settable(const struct manifest_wagon *w,
    const struct manifest_consignment *cs)
{
	size_t	i;

	if (cs->procedure != MANIFEST_PROC_ECOMMERCE)
		return false;
	for (i = 0; i < cs->nitems; i++)
		if (placed_on(w, cs->items[i]) &&
		    !eval_parcel_settable(w, cs->items[i]))
			return false;
	return true;
}

static void
hits_add(struct parcel_hits *h, const struct manifest_item *it, size_t hit,
    size_t rule)
{
	if (h->n == h->cap) {
		h->cap = h->cap == 0 ? 16 : h->cap * 2;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	h->v[h->n].it = it;
	h->v[h->n].container =
	    manifest_placement_container(it->placements)->number;
	h->v[h->n].hit = hit;
	h->v[h->n].rule = rule;
	h->n++;
}

/* Container, tracking number, rule order, then the hit's own order. */
static int
parcel_hit_cmp(const void *a, const void *b)
{
	const struct parcel_hit	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->container, y->container)) != 0)
		return c;
	if (x->it != y->it &&
	    (c = strcmp(x->it->tracking, y->it->tracking)) != 0)
		return c;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->hit < y->hit ? -1 : x->hit > y->hit;
}

/* Every parcel hit of the wagon, a consignment's spread over its parcels. */
static void
collect(const struct manifest_wagon *w, const struct wagon_result *r,
    struct parcel_hits *h)
{
	const struct pending	*p;
	size_t			 i, k;

	for (i = 0; i < r->n; i++) {
		p = &r->hits[i];
		if (p->parcel != NULL)
			hits_add(h, p->parcel, i, p->rule);
		else if (p->parcel_cs != NULL)
			for (k = 0; k < p->parcel_cs->nitems; k++)
				if (eval_parcel_settable(w,
				    p->parcel_cs->items[k]))
					hits_add(h, p->parcel_cs->items[k], i,
					    p->rule);
	}
	if (h->n > 1)
		qsort(h->v, h->n, sizeof *h->v, parcel_hit_cmp);
}

/* An officer released this hit: a resolution of its rule, at INSPECT or below. */
static bool
resolved(const struct rules_ruleset *rs, const struct rules_context *ctx,
    const struct pending *p, const struct manifest_item *it)
{
	return p->action <= DECISION_INSPECT &&
	    rules_context_parcel_is_resolved(ctx, rs->rules[p->rule].name,
	    it->tracking);
}

/* The hits v[0..n) of one parcel: a set-aside entry, or a count. */
static void
judge(const struct rules_ruleset *rs, const struct rules_context *ctx,
    struct wagon_result *r, const struct parcel_hit *v, size_t n)
{
	struct eval_parcel_out	*o;
	size_t			 i, worst = SIZE_MAX, away = 0;
	bool			 was_resolved = false, audit = false;

	for (i = 0; i < n; i++) {
		const struct pending *p = &r->hits[v[i].hit];

		if (resolved(rs, ctx, p, v[i].it))
			was_resolved = true;
		else if (p->action >= DECISION_DOC_CHECK) {
			away++;
			if (worst == SIZE_MAX || p->action >
			    r->hits[worst].action)
				worst = v[i].hit;
		} else if (p->action == DECISION_AUDIT)
			audit = true;
	}
	if (away == 0) {
		if (was_resolved)
			r->resolved++;
		else if (audit)
			r->audit++;
		return;
	}
	if (r->nset_aside == r->set_aside_cap) {
		r->set_aside_cap = r->set_aside_cap == 0 ? 16 :
		    r->set_aside_cap * 2;
		r->set_aside = xreallocarray(r->set_aside, r->set_aside_cap,
		    sizeof *r->set_aside);
	}
	o = &r->set_aside[r->nset_aside++];
	o->it = v[0].it;
	o->worst = worst;
	o->also = away > 1 ? xcalloc(away - 1, sizeof *o->also) : NULL;
	o->nalso = 0;
	for (i = 0; i < n && away > 1; i++) {
		const struct pending *p = &r->hits[v[i].hit];

		if (v[i].hit != worst && p->action >= DECISION_DOC_CHECK &&
		    !resolved(rs, ctx, p, v[i].it))
			o->also[o->nalso++] = v[i].hit;
	}
}

void
eval_parcels_wagon(const struct rules_ruleset *rs,
    const struct rules_context *ctx, const struct manifest_wagon *w,
    struct wagon_result *r)
{
	struct parcel_hits	h = { 0 };
	size_t			i, j;

	for (i = 0; i < w->nitems; i++)
		if (eval_parcel_settable(w, w->items[i]))
			r->parcels++;
	collect(w, r, &h);
	for (i = 0; i < h.n; i = j) {
		for (j = i + 1; j < h.n && h.v[j].it == h.v[i].it; j++)
			;
		judge(rs, ctx, r, &h.v[i], j - i);
	}
	free(h.v);
}

void
eval_parcels_merge(struct decision *d, const struct rules_ruleset *rs,
    const struct manifest_wagon *w, struct wagon_result *r)
{
	struct decision_parcel_hit	*also = NULL;
	const struct pending		*p;
	size_t				 i, k;

	for (i = 0; i < r->nset_aside; i++) {
		struct eval_parcel_out *o = &r->set_aside[i];

		also = xreallocarray(also, o->nalso + 1, sizeof *also);
		for (k = 0; k < o->nalso; k++) {
			also[k].rule = rs->rules[r->hits[o->also[k]].rule].name;
			also[k].action = r->hits[o->also[k]].action;
		}
		p = &r->hits[o->worst];
		decision_parcel_add(d, w->position, w->number,
		    manifest_placement_container(o->it->placements)->number,
		    o->it->tracking,
		    p->action, rs->rules[p->rule].name, p->reason, also,
		    o->nalso);
		free(o->also);
	}
	free(also);
	free(r->set_aside);
	d->parcels.parcels += r->parcels;
	d->parcels.audit += r->audit;
	d->parcels.resolved += r->resolved;
}

void
eval_parcels_finish(struct decision *d, const struct rules_context *ctx,
    bool setaside)
{
	struct decision_parcels	*p = &d->parcels;
	size_t			 i, k = 0;

	p->present = setaside && p->parcels > 0;
	/* A container is unloaded when every parcel set aside in it is. */
	for (i = 0; i < p->nunload; i++) {
		p->unload[i].unloaded = true;
		for (; k < p->nset_aside && p->set_aside[k].position ==
		    p->unload[i].position && strcmp(p->set_aside[k].container,
		    p->unload[i].container) == 0; k++)
			if (!rules_context_parcel_unloaded(ctx,
			    p->set_aside[k].tracking))
				p->unload[i].unloaded = false;
	}
}
