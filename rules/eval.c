/*
 * eval.c -- rule evaluation and consolidation (see eval.h, rules.h).
 *
 * Each worker evaluates one wagon into a private list of pending hits
 * (reasons formatted, strings borrowed from the train or malloc'd);
 * the calling thread then sorts each wagon's hits by rule order and
 * subject order and copies them into the decision, which is built by
 * that one thread only.  Nothing here reads the clock: validity windows
 * are judged against the train's issue time.
 *
 * Edition 2 (docs/rules.md "Editions") judges goods placed on no wagon
 * too: after the wagons, the calling thread runs the consignment and
 * item rules on them, without a wagon, and their hits are train hits
 * whose reason says where the goods are not.
 *
 * This file walks the levels and keeps the hits; a rule's expressions
 * are evaluated by eval_expr.c.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "eval.h"
#include "eval_int.h"
#include "lang.h"
#include "memo.h"
#include "pool.h"

struct eval_job {
	const struct rules_ruleset	*rs;
	const struct manifest_train	*t;
	const struct rules_context	*ctx;
	struct wagon_result		*results;
	size_t				*scoped[RULES_SCOPE_COUNT]; /* rule indexes */
	size_t				 nscoped[RULES_SCOPE_COUNT];
	struct eval_gate_classes	 classes; /* item rules by class (eval_gate.c) */
	struct memo			 memo;
	struct eval_diag_map		*diag_map;	/* NULL: no rule needs it */
	bool				 setaside;	/* parcel_setaside */
};

/*
 * The reason of hit p in each language rule r has it in, formatted with
 * the same values: only for rules with translations, so a rule set without
 * them does no more work than before.
 */
static void
eval_translations(const struct rules_rule *r, struct eval_frame *f,
    struct pending *p)
{
	size_t	k;

	p->tr = xcalloc(RULES_LANG_COUNT, sizeof *p->tr);
	for (k = 0; k < RULES_LANG_COUNT; k++)
		if (r->reason_tr[k].n > 0)
			p->tr[k] = rules_eval_text(&r->reason_tr[k], f);
}

/* Forgets what the last test of a rule left in the frame. */
static void
frame_reset(struct eval_frame *f)
{
	if (f->match_text != NULL) {
		free(f->match_text);
		f->match_text = NULL;
	}
	f->match_strength = 0;
	if (f->diag_text != NULL) {
		free(f->diag_text);
		f->diag_text = NULL;
	}
	f->diag = NULL;
}

/*
 * Whether rule r hits at the frame, and at what action.  A rule with a
 * `possible at` screening test (docs/screening.md) is first tested with
 * possible matches counting as none: if it hits so, at its action; else,
 * counting them, at DOC_CHECK at most.
 */
static bool
eval_hits(const struct rules_rule *r, struct eval_frame *f,
    enum decision_action *action)
{
	*action = r->action;
	if (r->possible) {
		f->strict = true;
		bool strong = rules_eval_cond(r->when, f);
		f->strict = false;
		if (strong)
			return r->unless == NULL || !rules_eval_cond(r->unless, f);
		frame_reset(f);
		if (r->action > DECISION_DOC_CHECK)
			*action = DECISION_DOC_CHECK;
	}
	return rules_eval_cond(r->when, f) && (r->unless == NULL ||
	    !rules_eval_cond(r->unless, f));
}

/* Tests rule ri at the frame's subject; on a hit, appends it. */
static void
eval_rule(struct eval_frame *f, size_t ri, size_t order, struct wagon_result *out)
{
	const struct rules_rule	*r = &f->rs->rules[ri];
	struct pending		*p;
	enum decision_action	 action;

	f->rule = r;
	frame_reset(f);
	if (!eval_hits(r, f, &action))
		return;
	if (out->n == out->cap) {
		out->cap = out->cap == 0 ? 8 : out->cap * 2;
		out->hits = xreallocarray(out->hits, out->cap, sizeof *p);
	}
	p = &out->hits[out->n++];
	memset(p, 0, sizeof *p);
	p->rule = ri;
	p->action = action;
	p->order = order;
	if (f->it != NULL) {
		p->subject.consignment = f->cs->ref;
		p->subject.item = f->it->seq;
	} else if (f->cs != NULL)
		p->subject.consignment = f->cs->ref;
	else if (f->c != NULL)
		p->subject.container = f->c->number;
	else if (f->w != NULL)
		p->subject.wagon = f->w->number;
	p->reason = rules_eval_text(&r->reason, f);
	if (r->translated)
		eval_translations(r, f, p);
	p->would_pass_if = rules_eval_text(&r->would_pass_if, f);
	free(f->match_text);
	f->match_text = NULL;
	free(f->diag_text);
	f->diag_text = NULL;
}

/* The distinct consignments of the wagon's goods, in first-seen order. */
static size_t
wagon_consignments(const struct manifest_wagon *w,
    const struct manifest_consignment ***out)
{
	const struct manifest_consignment	**v, *cs;
	size_t					  n = 0, i, k;

	v = xcalloc(w->nitems + 1, sizeof *v);
	for (i = 0; i < w->nitems; i++) {
		cs = w->items[i]->consignment;
		if (n > 0 && v[n - 1] == cs)
			continue;
		for (k = 0; k < n && v[k] != cs; k++)
			;
		if (k == n)
			v[n++] = cs;
	}
	*out = v;
	return n;
}

/* Orders pending hits by rule, then subject order. */
static int
pending_cmp(const void *a, const void *b)
{
	const struct pending	*x = a, *y = b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Runs the rules of scope s (valid for this train) at the frame; at an
 * item, only those its class can hit (eval_gate.c).
 */
static void
eval_scope(const struct eval_job *job, enum rules_scope s, struct eval_frame *f,
    size_t order, struct wagon_result *out)
{
	size_t		k;
	unsigned	cls;

	if (s == RULES_SCOPE_ITEM) {
		cls = eval_gate_class(f->it);
		for (k = job->classes.from[cls]; k < job->classes.to[cls]; k++)
			eval_rule(f, job->scoped[s][job->classes.rules[k]],
			    order, out);
		return;
	}
	for (k = 0; k < job->nscoped[s]; k++)
		eval_rule(f, job->scoped[s][k], order, out);
}

/* Evaluates every non-train rule of wagon i (a pool callback). */
static void
eval_wagon_cb(void *arg, size_t wi)
{
	struct eval_job				 *job = arg;
	struct eval_frame				  f = { 0 };
	const struct manifest_consignment	**css = NULL;
	struct wagon_result			 *out = &job->results[wi];
	size_t					  i, ncs, from, order = 0;

	f.rs = job->rs;
	f.t = job->t;
	f.ctx = job->ctx;
	f.w = job->t->wagons[wi];
	f.aeo = -1;
	f.memo = &job->memo;
	f.diag_map = job->diag_map;
	eval_scope(job, RULES_SCOPE_WAGON, &f, order++, out);
	for (i = 0; i < f.w->ncontainers; i++) {
		f.c = f.w->containers[i];
		eval_scope(job, RULES_SCOPE_CONTAINER, &f, order++, out);
	}
	f.c = NULL;
	ncs = job->nscoped[RULES_SCOPE_CONSIGNMENT] > 0 ?
	    wagon_consignments(f.w, &css) : 0;
	for (i = 0; i < ncs; i++) {
		f.cs = css[i];
		from = out->n;
		eval_scope(job, RULES_SCOPE_CONSIGNMENT, &f, order++, out);
		if (from < out->n && job->setaside &&
		    eval_consignment_settable(f.w, f.cs))
			for (; from < out->n; from++)
				out->hits[from].parcel_cs = f.cs;
	}
	free(css);
	for (i = 0; i < f.w->nitems && job->nscoped[RULES_SCOPE_ITEM] > 0;
	    i++) {
		f.it = f.w->items[i];
		f.cs = f.it->consignment;
		from = out->n;
		eval_scope(job, RULES_SCOPE_ITEM, &f, order++, out);
		if (from < out->n && job->setaside &&
		    eval_parcel_settable(f.w, f.it))
			for (; from < out->n; from++)
				out->hits[from].parcel = f.it;
	}
	free(f.match_text);
	free(f.diag_text);
	if (out->n > 1)
		qsort(out->hits, out->n, sizeof *out->hits, pending_cmp);
	if (job->setaside)
		eval_parcels_wagon(job->rs, job->ctx, f.w, out);
}

/* Copies pending hits into the decision (w NULL: train hits); frees them. */
static void
eval_merge(struct decision *d, struct decision_wagon *w,
    const struct rules_ruleset *rs, struct wagon_result *r)
{
	struct decision_hit	*h;
	size_t			 i, k;

	for (i = 0; i < r->n; i++) {
		struct pending *p = &r->hits[i];

		/* A parcel's hit is in the set-aside list, not the wagon's. */
		h = p->parcel != NULL || p->parcel_cs != NULL ? NULL :
		    decision_hit_add(d, w, rs->rules[p->rule].name,
		    p->action, &p->subject, p->reason, p->would_pass_if);
		for (k = 0; p->tr != NULL && k < RULES_LANG_COUNT; k++) {
			if (p->tr[k] != NULL && h != NULL)
				decision_hit_add_reason(d, h,
				    rules_lang_tags[k], p->tr[k]);
			free(p->tr[k]);
		}
		free(p->tr);
		free(p->reason);
		free(p->would_pass_if);
	}
	free(r->hits);
}

/* True if every placement of it resolves to a wagon (eval_int.h). */
bool
rules_eval_item_placed(const struct manifest_item *it)
{
	uint32_t	k;

	for (k = 0; k < it->nplacements; k++)
		if (manifest_placement_wagon(&it->placements[k]) == NULL)
			return false;
	return it->nplacements > 0;
}

/* "item 2 (Ivory carvings, HS 050790), placed on X, which ...". */
static void
unplaced_describe(struct buf *b, const struct manifest_item *it)
{
	const struct manifest_placement	*p;
	uint32_t			 k;
	bool				 first = true;

	buf_printf(b, "item %u (%s, ", it->seq, it->description != NULL ?
	    it->description : "no description");
	if (it->hs != NULL)
		buf_printf(b, "HS %s)", it->hs);
	else
		buf_add_str(b, "no HS code)");
	if (it->nplacements == 0)
		buf_add_str(b, ", which the manifest places on no wagon or "
		    "container");
	for (k = 0; k < it->nplacements; k++) {
		p = &it->placements[k];
		if (manifest_placement_wagon(p) != NULL)
			continue;
		buf_add_str(b, first ? ", placed on " : ", and on ");
		first = false;
		buf_add_str(b, manifest_placement_equipment(p) != NULL ?
		    manifest_placement_equipment(p) :
		    "equipment without a number");
		buf_add_str(b, manifest_placement_container(p) != NULL ?
		    ", which no wagon carries" :
		    ", which the manifest does not list");
	}
}

/* Appends b to *reason (a translation gets the same English suffix). */
static void
unplaced_append(char **reason, const struct buf *b)
{
	char	*r = xasprintf("%s%.*s", *reason != NULL ? *reason : "",
	    (int)b->len, b->data);

	free(*reason);
	*reason = r;
}

/* Appends to the reasons of hits from..out->n where the goods are not. */
static void
unplaced_reasons(struct wagon_result *out, size_t from,
    const struct manifest_consignment *cs, const struct manifest_item *it)
{
	struct buf	b = { 0 };
	size_t		i, k;
	bool		first = true;

	if (from == out->n)
		return;
	buf_printf(&b, " -- not on any wagon of the train: consignment %s",
	    cs->ref != NULL ? cs->ref : "(no reference)");
	for (k = 0; k < cs->nitems; k++) {
		if ((it != NULL && cs->items[k] != it) ||
		    (it == NULL && rules_eval_item_placed(cs->items[k])))
			continue;
		buf_add_str(&b, first ? ", " : "; ");
		first = false;
		unplaced_describe(&b, cs->items[k]);
	}
	for (i = from; i < out->n; i++) {
		unplaced_append(&out->hits[i].reason, &b);
		for (k = 0; out->hits[i].tr != NULL && k < RULES_LANG_COUNT;
		    k++)
			if (out->hits[i].tr[k] != NULL)
				unplaced_append(&out->hits[i].tr[k], &b);
	}
	buf_free(&b);
}

/*
 * Edition 2: the consignment rules on every consignment with goods
 * placed on no wagon, and the item rules on those goods; their hits are
 * train hits.  In consignment order, then item order.
 */
static void
eval_unplaced(struct eval_job *job, struct eval_frame *f, size_t *order,
    struct wagon_result *out)
{
	const struct manifest_consignment	*cs;
	size_t					 i, k, from;

	for (i = 0; i < job->t->nconsignments; i++) {
		cs = job->t->consignments[i];
		for (k = 0; k < cs->nitems; k++)
			if (!rules_eval_item_placed(cs->items[k]))
				break;
		if (k == cs->nitems)
			continue;
		f->cs = cs;
		f->it = NULL;
		from = out->n;
		eval_scope(job, RULES_SCOPE_CONSIGNMENT, f, (*order)++, out);
		unplaced_reasons(out, from, cs, NULL);
		for (; k < cs->nitems; k++) {
			if (rules_eval_item_placed(cs->items[k]))
				continue;
			f->it = cs->items[k];
			from = out->n;
			eval_scope(job, RULES_SCOPE_ITEM, f, (*order)++, out);
			unplaced_reasons(out, from, cs, f->it);
		}
	}
	f->cs = NULL;
	f->it = NULL;
}

/* Evaluates the train-scope rules once, and in edition 2 unplaced goods. */
static void
eval_train(struct eval_job *job, struct wagon_result *out)
{
	struct eval_frame	f = { 0 };
	size_t			order = 1;

	f.rs = job->rs;
	f.t = job->t;
	f.ctx = job->ctx;
	f.aeo = -1;
	f.memo = &job->memo;
	f.diag_map = job->diag_map;
	eval_scope(job, RULES_SCOPE_TRAIN, &f, 0, out);
	if (job->rs->edition >= 2 && job->t->nunplaced > 0) {
		eval_unplaced(job, &f, &order, out);
		if (out->n > 1)
			qsort(out->hits, out->n, sizeof *out->hits,
			    pending_cmp);
	}
	free(f.match_text);
	free(f.diag_text);
}

/* Fills the document's header from the train and the rule set. */
static void
eval_header(struct decision *d, const struct rules_ruleset *rs,
    const struct manifest_train *t)
{
	size_t	i;

	d->train = decision_str(d, t->id);
	d->ruleset_name = decision_str(d, rs->name);
	memcpy(d->ruleset_sha256, rs->hash, sizeof d->ruleset_sha256);
	d->ncontainers = t->ncontainers;
	d->nconsignments = t->nconsignments;
	d->nitems = t->nitems;
	d->manifest_ref = decision_str(d, t->manifest_ref);
	d->border_station = decision_str(d, t->border_station);
	d->transit = t->direction == MANIFEST_TRANSIT;
	d->issued = t->issued;
	diag_list_append(&d->diags, &t->diags);
	for (i = 0; i < t->nwagons; i++)
		decision_wagon_add(d, t->wagons[i]->position,
		    t->wagons[i]->number);
}

/* True if rule r's validity window includes the train's issue time. */
static bool
rule_active(const struct rules_rule *r, int64_t issued)
{
	if (issued == MANIFEST_ABSENT)
		return true;
	if (r->valid_from != MANIFEST_ABSENT && issued < r->valid_from)
		return false;
	return r->valid_until == MANIFEST_ABSENT || issued <= r->valid_until;
}

/*
 * True if a rule of edition 2 tests a diagnostic below train scope: only
 * then is each diagnostic mapped to its subject (eval_diag.c).
 */
static bool
needs_diag_map(const struct rules_ruleset *rs)
{
	size_t	i;

	if (rs->edition < 2)
		return false;
	for (i = 0; i < rs->nrules; i++)
		if (rs->rules[i].scoped_diagnostic)
			return true;
	return false;
}

/* The item rules each class of item walks (eval_gate.c). */
static void
eval_job_gates(struct eval_job *job)
{
	struct eval_gate	*g;
	size_t			 i, n = job->nscoped[RULES_SCOPE_ITEM];

	g = xcalloc(n + 1, sizeof *g);
	for (i = 0; i < n; i++)
		eval_gate_rule(&job->rs->rules[job->scoped[RULES_SCOPE_ITEM][i]],
		    job->ctx, &g[i]);
	eval_gate_classes(g, n, &job->classes);
	free(g);
}

/* Evaluates train t into a new decision (see rules.h). */
int
rules_evaluate(const struct rules_ruleset *rs, const struct manifest_train *t,
    const struct rules_context *ctx, const struct rules_eval_options *opt,
    struct decision **out)
{
	struct eval_job		 job = { rs, t, ctx, NULL, { NULL }, { 0 } };
	struct wagon_result	 train_hits = { 0 };
	struct decision		*d = decision_new();
	size_t			 i, s;

	memo_init(&job.memo);
	for (s = 0; s < RULES_SCOPE_COUNT; s++)
		job.scoped[s] = xcalloc(rs->nrules + 1, sizeof(size_t));
	for (i = 0; i < rs->nrules; i++) {
		s = rs->rules[i].scope;
		/* `not placed` is false at every item of a train without any. */
		if (rule_active(&rs->rules[i], t->issued) &&
		    !(t->nunplaced == 0 && rs->rules[i].only_unplaced))
			job.scoped[s][job.nscoped[s]++] = i;
	}
	eval_job_gates(&job);
	if (t->diags.n > 0 && needs_diag_map(rs))
		job.diag_map = rules_eval_diag_map_new(t);
	job.setaside = opt != NULL && opt->parcel_setaside;
	job.results = xcalloc(t->nwagons + 1, sizeof *job.results);
	rules_pool_run(opt == NULL ? 0 : opt->threads, t->nwagons,
	    eval_wagon_cb, &job);
	eval_train(&job, &train_hits);
	eval_header(d, rs, t);
	for (i = 0; i < t->nwagons; i++) {
		if (job.setaside)
			eval_parcels_merge(d, rs, t->wagons[i], &job.results[i]);
		eval_merge(d, &d->wagons[i], rs, &job.results[i]);
	}
	eval_merge(d, NULL, rs, &train_hits);
	eval_parcels_finish(d, ctx, job.setaside);
	d->outcome = decision_consolidate(d);
	free(job.results);
	free(job.classes.rules);
	for (s = 0; s < RULES_SCOPE_COUNT; s++)
		free(job.scoped[s]);
	memo_clear(&job.memo);
	rules_eval_diag_map_free(job.diag_map);
	*out = d;
	return 0;
}
