/*
 * eval_evidence.c -- the fields that read control evidence (issue 17):
 * scans of containers and wagons, seal checks against the manifest's
 * seals, the weighbridge reading that counts (by the rule set's
 * edition) and where it came from, the neighbour's suspect results,
 * set-outs and what it said.  Called by eval_expr.c's field readers.
 *
 * Every question first asks the context whether anything of the kind
 * was reported at all, so a train without such evidence pays no lookup
 * per wagon.  Texts joined here (seal numbers, the neighbour's results)
 * are owned by the frame until the condition or reason being evaluated
 * is done (eval_texts_free, called by eval_expr.c), so they are never
 * handed to the fuzzy-match memo, which keys on addresses.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "eval_int.h"

/* Context facts about equipment number, or NULL. */
static const struct rules_equipment *
frame_eq(const struct eval_frame *f, const char *number)
{
	return rules_context_equipment(f->ctx, number);
}

/* Keeps computed text s (consumes it) for the current evaluation. */
const char *
eval_frame_keep(struct eval_frame *f, char *s)
{
	if (f->ntexts == f->texts_cap) {
		f->texts_cap = f->texts_cap == 0 ? 4 : f->texts_cap * 2;
		f->texts = xreallocarray(f->texts, f->texts_cap,
		    sizeof *f->texts);
	}
	f->texts[f->ntexts++] = s;
	return s;
}

/* Frees the texts computed for the condition or reason just done. */
void
eval_texts_free(struct eval_frame *f)
{
	while (f->ntexts > 0)
		free(f->texts[--f->ntexts]);
	free(f->texts);
	f->texts = NULL;
	f->texts_cap = 0;
}

/* True for the fields whose text is computed (its address is not stable). */
bool
eval_field_is_computed(enum rules_field id)
{
	return id == RULES_F_WAGON_SEAL_REPORTED ||
	    id == RULES_F_CONTAINER_SEAL_REPORTED ||
	    id == RULES_F_WAGON_SEALS_DECLARED ||
	    id == RULES_F_CONTAINER_SEALS_DECLARED ||
	    id == RULES_F_WAGON_NEIGHBOUR_RESULT;
}

/* True if e, or on a wagon also a container it carries, has has(e). */
static bool
wagon_any(const struct eval_frame *f,
    bool (*has)(const struct rules_equipment *))
{
	const struct rules_equipment	*e = frame_eq(f, f->w->number);
	size_t				 i;

	if (e != NULL && has(e))
		return true;
	for (i = 0; i < f->w->ncontainers; i++)
		if ((e = frame_eq(f, f->w->containers[i]->number)) != NULL &&
		    has(e))
			return true;
	return false;
}

static bool
eq_scan_suspect(const struct rules_equipment *e)
{
	return e->scan_suspect;
}

static bool
eq_neighbour_suspect(const struct rules_equipment *e)
{
	return e->neighbour_suspect != NULL;
}

/* scan_suspect of a container (c) or of a wagon and what it carries. */
static bool
scan_suspect(const struct eval_frame *f, const struct manifest_container *c)
{
	const struct rules_equipment	*e;

	if (!rules_context_any_scan_suspect(f->ctx))
		return false;
	if (c == NULL)
		return wagon_any(f, eq_scan_suspect);
	return (e = frame_eq(f, c->number)) != NULL && e->scan_suspect;
}

/* neighbour_suspect of a container (c) or of a wagon and what it carries. */
static bool
neighbour_suspect(const struct eval_frame *f,
    const struct manifest_container *c)
{
	const struct rules_equipment	*e;

	if (!rules_context_any_neighbour_suspect(f->ctx))
		return false;
	if (c == NULL)
		return wagon_any(f, eq_neighbour_suspect);
	return (e = frame_eq(f, c->number)) != NULL &&
	    e->neighbour_suspect != NULL;
}

/* True if the neighbour held the train, or set the wagon out at HOLD+. */
static bool
wagon_neighbour_held(const struct eval_frame *f)
{
	const struct rules_equipment	*e;

	if (rules_context_neighbour_held_train(f->ctx))
		return true;
	if (!rules_context_any_neighbour_set_out(f->ctx))
		return false;
	return (e = frame_eq(f, f->w->number)) != NULL &&
	    e->neighbour_set_out >= DECISION_HOLD;
}

/* True if report r names a seal not declared in s, or a declared one missing. */
static bool
report_differs(const struct rules_seal_report *r,
    const struct manifest_seal *s, size_t n)
{
	size_t	k;

	for (k = 0; k < n; k++)
		if (s[k].number != NULL && strcmp(s[k].number, r->seal) == 0)
			return r->state == RULES_SEAL_MISSING;
	return true;
}

/* True if a seal check on number differs from the manifest's seals s. */
static bool
seal_check_differs(const struct eval_frame *f, const char *number,
    const struct manifest_seal *s, size_t n)
{
	const struct rules_equipment	*e = frame_eq(f, number);
	size_t				 i;

	for (i = 0; e != NULL && i < e->nseal_reports; i++)
		if (report_differs(&e->seal_reports[i], s, n))
			return true;
	return false;
}

/*
 * The seals checks reported on number, each once, "KZ999" or "KZ123
 * (missing)": those that differ from the manifest's when any do, else
 * all; NULL if no check named a seal.
 */
static const char *
seal_reported(struct eval_frame *f, const char *number,
    const struct manifest_seal *s, size_t n)
{
	static const char *const states[] = { "", " (damaged)", " (missing)" };
	const struct rules_equipment	*e = frame_eq(f, number);
	const struct rules_seal_report	*r, *q;
	struct buf			 b = { 0 };
	bool				 differs;
	size_t				 i, k;

	if (e == NULL || e->nseal_reports == 0)
		return NULL;
	differs = seal_check_differs(f, number, s, n);
	for (i = 0; i < e->nseal_reports; i++) {
		r = &e->seal_reports[i];
		if (differs && !report_differs(r, s, n))
			continue;
		for (k = 0; k < i; k++) {
			q = &e->seal_reports[k];
			if (q->state == r->state && strcmp(q->seal, r->seal) == 0)
				break;
		}
		if (k < i)
			continue;
		if (b.len > 0)
			buf_add_str(&b, ", ");
		buf_add_str(&b, r->seal);
		buf_add_str(&b, states[r->state]);
	}
	return eval_frame_keep(f, buf_steal(&b, NULL));
}

/* The manifest's seal numbers s, comma-separated, or "none". */
static const char *
seals_declared(struct eval_frame *f, const struct manifest_seal *s, size_t n)
{
	struct buf	b = { 0 };
	size_t		i;

	for (i = 0; i < n; i++) {
		if (s[i].number == NULL)
			continue;
		if (b.len > 0)
			buf_add_str(&b, ", ");
		buf_add_str(&b, s[i].number);
	}
	if (b.len == 0)
		return "none";
	return eval_frame_keep(f, buf_steal(&b, NULL));
}

/*
 * The seal numbers the neighbour reported on number, comma-separated;
 * "none" when it reported none there (NULL without neighbour data).
 */
static const char *
seals_neighbour(struct eval_frame *f, const char *number)
{
	const struct rules_equipment	*e = frame_eq(f, number);
	struct buf			 b = { 0 };
	size_t				 i;

	if (!rules_context_has_neighbour(f->ctx))
		return NULL;
	for (i = 0; e != NULL && i < e->nneighbour_seals; i++) {
		if (b.len > 0)
			buf_add_str(&b, ", ");
		buf_add_str(&b, e->neighbour_seals[i]);
	}
	if (b.len == 0)
		return "none";
	return eval_frame_keep(f, buf_steal(&b, NULL));
}

/*
 * The weighbridge reading that counts for the wagon, or NULL: edition 1
 * the latest; edition 2 the one furthest from the declared mass among
 * those since the latest re-weigh (the earliest of equals; the latest
 * when the declared mass is unknown).
 */
static const struct rules_weighing *
wagon_weighing(const struct eval_frame *f)
{
	const struct rules_equipment	*e = frame_eq(f, f->w->number);
	const struct rules_weighing	*best = NULL;
	int64_t				 decl, d, top = -1;
	size_t				 i;

	if (e == NULL || e->nweighings == 0)
		return NULL;
	if (f->rs->edition < 2 || e->nweighings - e->reweighed_at == 1 ||
	    (decl = eval_wagon_declared(f->w)) == MANIFEST_ABSENT)
		return &e->weighings[e->nweighings - 1];
	for (i = e->reweighed_at; i < e->nweighings; i++) {
		d = e->weighings[i].gross_kg - decl;
		if (d < 0)
			d = -d;
		if (d > top) {
			top = d;
			best = &e->weighings[i];
		}
	}
	return best;
}

/* The wagon's weighbridge mass by the rule set's edition, or ABSENT. */
int64_t
eval_weighbridge(const struct eval_frame *f)
{
	const struct rules_equipment	*e;
	const struct rules_weighing	*r;

	if (f->rs->edition >= 2)
		return (r = wagon_weighing(f)) == NULL ? MANIFEST_ABSENT :
		    r->gross_kg;
	e = frame_eq(f, f->w->number);
	return e == NULL ? MANIFEST_ABSENT : e->weighbridge_kg;
}

/* Where the counting reading came from, or NULL without one. */
static const char *
weighbridge_source(const struct eval_frame *f)
{
	const struct rules_weighing	*r = wagon_weighing(f);

	if (r == NULL)
		return NULL;
	if (r->reweigh)
		return "an officer's re-weigh";
	return r->device != NULL ? r->device : "unrecorded";
}

/* What the neighbour said about e: its suspect result, else its latest. */
static const char *
eq_neighbour_result(const struct rules_equipment *e)
{
	if (e == NULL)
		return NULL;
	return e->neighbour_suspect != NULL ? e->neighbour_suspect :
	    e->neighbour_control;
}

/*
 * What the neighbour said about the wagon: its set-out, the train held,
 * its own result, each carried container's suspect result; NULL if
 * nothing.
 */
static const char *
wagon_neighbour_result(struct eval_frame *f)
{
	static const char *const set_out[DECISION_ACTION_COUNT] = {
	    [DECISION_INSPECT] = "set out for inspection (INSPECT)",
	    [DECISION_HOLD] = "held (HOLD)",
	    [DECISION_REFUSE] = "refused (REFUSE)" };
	const struct rules_equipment	*e = frame_eq(f, f->w->number), *c;
	struct buf			 b = { 0 };
	const char			*s;
	size_t				 i;

	if (e != NULL && set_out[e->neighbour_set_out] != NULL)
		buf_add_str(&b, set_out[e->neighbour_set_out]);
	if (rules_context_neighbour_held_train(f->ctx))
		buf_printf(&b, "%strain held (HOLD)", b.len > 0 ? ", " : "");
	if ((s = eq_neighbour_result(e)) != NULL)
		buf_printf(&b, "%s%s", b.len > 0 ? ", " : "", s);
	for (i = 0; i < f->w->ncontainers; i++) {
		c = frame_eq(f, f->w->containers[i]->number);
		if (c != NULL && c->neighbour_suspect != NULL)
			buf_printf(&b, "%s%s %s", b.len > 0 ? ", " : "",
			    c->number, c->neighbour_suspect);
	}
	if (b.len == 0)
		return NULL;
	return eval_frame_keep(f, buf_steal(&b, NULL));
}

/* A yes/no evidence field. */
bool
eval_evidence_bool(enum rules_field id, struct eval_frame *f)
{
	bool	suspect;

	switch (id) {
	case RULES_F_WAGON_SCAN_SUSPECT:
		return scan_suspect(f, NULL);
	case RULES_F_CONTAINER_SCAN_SUSPECT:
		return scan_suspect(f, f->c);
	case RULES_F_WAGON_SEAL_CHECK_DIFFERS:
		return seal_check_differs(f, f->w->number, f->w->seals,
		    f->w->nseals);
	case RULES_F_CONTAINER_SEAL_CHECK_DIFFERS:
		return seal_check_differs(f, f->c->number, f->c->seals,
		    f->c->nseals);
	case RULES_F_WAGON_NEIGHBOUR_SUSPECT:
		return neighbour_suspect(f, NULL);
	case RULES_F_CONTAINER_NEIGHBOUR_SUSPECT:
		return neighbour_suspect(f, f->c);
	case RULES_F_WAGON_NEIGHBOUR_HELD:
		return wagon_neighbour_held(f);
	case RULES_F_ITEM_SCAN_SUSPECT:
		(void)rules_context_parcel_scan_result(f->ctx, f->it->tracking,
		    &suspect);
		return suspect;
	default:
		return false;
	}
}

/* A text evidence field, or NULL. */
const char *
eval_evidence_str(enum rules_field id, struct eval_frame *f)
{
	const struct rules_equipment	*e;
	bool				 suspect;

	switch (id) {
	case RULES_F_WAGON_SCAN:
		return (e = frame_eq(f, f->w->number)) == NULL ? NULL : e->scan;
	case RULES_F_WAGON_SEAL_REPORTED:
		return seal_reported(f, f->w->number, f->w->seals, f->w->nseals);
	case RULES_F_CONTAINER_SEAL_REPORTED:
		return seal_reported(f, f->c->number, f->c->seals, f->c->nseals);
	case RULES_F_WAGON_SEALS_DECLARED:
		return seals_declared(f, f->w->seals, f->w->nseals);
	case RULES_F_CONTAINER_SEALS_DECLARED:
		return seals_declared(f, f->c->seals, f->c->nseals);
	case RULES_F_WAGON_WEIGHBRIDGE_SOURCE:
		return weighbridge_source(f);
	case RULES_F_TRAIN_NEIGHBOUR_SERVICE:
		return rules_context_neighbour_service_name(f->ctx);
	case RULES_F_WAGON_NEIGHBOUR_RESULT:
		return wagon_neighbour_result(f);
	case RULES_F_WAGON_SEALS_NEIGHBOUR:
		return seals_neighbour(f, f->w->number);
	case RULES_F_CONTAINER_SEALS_NEIGHBOUR:
		return seals_neighbour(f, f->c->number);
	case RULES_F_CONTAINER_NEIGHBOUR_RESULT:
		return eq_neighbour_result(frame_eq(f, f->c->number));
	case RULES_F_ITEM_SCAN:
		return rules_context_parcel_scan_result(f->ctx,
		    f->it->tracking, &suspect);
	default:
		return NULL;
	}
}
