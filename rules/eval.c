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

struct pending {
	size_t			 rule;		/* index in the rule set */
	size_t			 order;		/* subject order within the wagon */
	struct decision_subject	 subject;	/* borrowed from the train */
	char			*reason;	/* owned */
	char			*would_pass_if;	/* owned, may be NULL */
};

struct wagon_result {
	struct pending	*hits;
	size_t		 n;
	size_t		 cap;
};

struct eval_job {
	const struct rules_ruleset	*rs;
	const struct manifest_train	*t;
	const struct rules_context	*ctx;
	struct wagon_result		*results;
	size_t				*scoped[RULES_SCOPE_COUNT]; /* rule indexes */
	size_t				 nscoped[RULES_SCOPE_COUNT];
	struct memo			 memo;
};

/* Tests rule ri at the frame's subject; on a hit, appends it. */
static void
eval_rule(struct eval_frame *f, size_t ri, size_t order, struct wagon_result *out)
{
	const struct rules_rule	*r = &f->rs->rules[ri];
	struct pending		*p;

	f->rule = r;
	if (f->match_text != NULL) {
		free(f->match_text);
		f->match_text = NULL;
	}
	if (!rules_eval_cond(r->when, f) || (r->unless != NULL &&
	    rules_eval_cond(r->unless, f)))
		return;
	if (out->n == out->cap) {
		out->cap = out->cap == 0 ? 8 : out->cap * 2;
		out->hits = xreallocarray(out->hits, out->cap, sizeof *p);
	}
	p = &out->hits[out->n++];
	memset(p, 0, sizeof *p);
	p->rule = ri;
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
	p->would_pass_if = rules_eval_text(&r->would_pass_if, f);
	free(f->match_text);
	f->match_text = NULL;
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

/* Runs the rules of scope s (valid for this train) at the frame. */
static void
eval_scope(const struct eval_job *job, enum rules_scope s, struct eval_frame *f,
    size_t order, struct wagon_result *out)
{
	size_t	k;

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
	size_t					  i, ncs, order = 0;

	f.rs = job->rs;
	f.t = job->t;
	f.ctx = job->ctx;
	f.w = job->t->wagons[wi];
	f.aeo = -1;
	f.memo = &job->memo;
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
		eval_scope(job, RULES_SCOPE_CONSIGNMENT, &f, order++, out);
	}
	free(css);
	for (i = 0; i < f.w->nitems && job->nscoped[RULES_SCOPE_ITEM] > 0;
	    i++) {
		f.it = f.w->items[i];
		f.cs = f.it->consignment;
		eval_scope(job, RULES_SCOPE_ITEM, &f, order++, out);
	}
	free(f.match_text);
	if (out->n > 1)
		qsort(out->hits, out->n, sizeof *out->hits, pending_cmp);
}

/* Copies pending hits into the decision (w NULL: train hits); frees them. */
static void
eval_merge(struct decision *d, struct decision_wagon *w,
    const struct rules_ruleset *rs, struct wagon_result *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++) {
		struct pending *p = &r->hits[i];

		decision_hit_add(d, w, rs->rules[p->rule].name,
		    rs->rules[p->rule].action, &p->subject, p->reason,
		    p->would_pass_if);
		free(p->reason);
		free(p->would_pass_if);
	}
	free(r->hits);
}

/* Evaluates the train-scope rules once. */
static void
eval_train(struct eval_job *job, struct wagon_result *out)
{
	struct eval_frame	f = { 0 };

	f.rs = job->rs;
	f.t = job->t;
	f.ctx = job->ctx;
	f.aeo = -1;
	f.memo = &job->memo;
	eval_scope(job, RULES_SCOPE_TRAIN, &f, 0, out);
	free(f.match_text);
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
		if (rule_active(&rs->rules[i], t->issued))
			job.scoped[s][job.nscoped[s]++] = i;
	}
	job.results = xcalloc(t->nwagons + 1, sizeof *job.results);
	rules_pool_run(opt == NULL ? 0 : opt->threads, t->nwagons,
	    eval_wagon_cb, &job);
	eval_train(&job, &train_hits);
	eval_header(d, rs, t);
	for (i = 0; i < t->nwagons; i++)
		eval_merge(d, &d->wagons[i], rs, &job.results[i]);
	eval_merge(d, NULL, rs, &train_hits);
	d->outcome = decision_consolidate(d);
	free(job.results);
	for (s = 0; s < RULES_SCOPE_COUNT; s++)
		free(job.scoped[s]);
	memo_clear(&job.memo);
	*out = d;
	return 0;
}
