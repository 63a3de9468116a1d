/*
 * screen.c -- edition-3 party screening: `SUBJECT matches list L at S
 * [possible at P] [unless cleared]` (docs/screening.md).
 *
 * A name is keyed (rules/names.h) and compared with every name of the
 * list once per evaluation: the list names scoring at least the node's
 * lower threshold are remembered (memo.h) for the name's address, so a
 * consignee on 200,000 parcels costs one comparison.  What depends on
 * the party rather than its name -- an identifier equal to an entry's,
 * an identifier that differs, a clearance -- is judged per party from
 * those candidates, which costs no ICU call.
 *
 * The best match of a test is kept in the frame (match_text, strength):
 * a strong match replaces a possible one, never the reverse, so that the
 * reason names what made the rule's action.  In the frame's strict pass
 * (eval.c) a possible match counts as none.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "manifest/strmap.h"
#include "manifest/util.h"

#include "eval_int.h"
#include "ident.h"
#include "lang.h"
#include "memo.h"
#include "names.h"
#include "names_index.h"
#include "screen.h"

/* The outcome of screening one name or party against a list. */
struct screen_result {
	enum screen_strength	 strength;
	double			 score;		/* after any identifier penalty */
	double			 raw;		/* the name's score */
	size_t			 entry;
	long			 alias;		/* -1: the entry's own name */
	int			 variant;	/* enum names_variant; -1: by id */
	const char		*id_scheme;	/* by identifier / penalised on */
};

/*
 * Names scored against a list (screen_candidates) since the process
 * started: a consignee on 200,000 parcels must count once
 * (screen_computations()).  A statistic, never read by the evaluation.
 */
static atomic_ullong screen_computed;

unsigned long long
screen_computations(void)
{
	return atomic_load(&screen_computed);
}

/* The party's role as reasons name it. */
static const char *const roles[] = { "consignor", "consignee", "declarant" };

/* The candidates found so far for one name. */
struct cands {
	struct memo_cand	*v;
	size_t			 n, cap;
};

/* A names_index hit: screen name `sn` (its own index entry). */
static void
cand_add(void *arg, uint32_t sn, size_t name, const struct names_hit *hit)
{
	struct cands	*c = arg;

	(void)name;
	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 4 : c->cap * 2;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	c->v[c->n].sn = sn;
	c->v[c->n].score = hit->score;
	c->v[c->n++].variant = (int)hit->variant;
}

static int
cand_cmp(const void *a, const void *b)
{
	const struct memo_cand	*x = a, *y = b;

	return x->sn < y->sn ? -1 : x->sn > y->sn;
}

/*
 * Every list name scoring at least min against name, in list order;
 * caller frees.  The list's index scores only the names that can reach
 * min (rules/names_index.h): exactly what scoring them all would give.
 */
static struct memo_cand *
screen_candidates(const struct rules_list *l, const char *name,
    const struct names_forms *forms, double min, size_t *n)
{
	struct names_keys	 k;
	struct cands		 c = { NULL, 0, 0 };
	char			 err[160];

	*n = 0;
	atomic_fetch_add_explicit(&screen_computed, 1, memory_order_relaxed);
	if (names_keys(name, forms, &k, err, sizeof err) != 0)
		return NULL;	/* unreadable text matches nothing */
	(void)names_index_search(l->index, &k, min, cand_add, &c);
	names_keys_free(&k);
	if (c.n > 1)
		qsort(c.v, c.n, sizeof *c.v, cand_cmp);
	*n = c.n;
	return c.v;
}

/* The remembered candidates of name for node n. */
static const struct memo_cand *
screen_cands(const struct rules_node *n, struct eval_frame *f,
    const char *name, bool stable, size_t *ncands)
{
	const struct memo_cand	*c;
	struct memo_cand	*fresh;
	double			 min = n->possible < n->fraction ? n->possible :
				     n->fraction;

	if (stable && memo_get_or_claim_cands(f->memo, n, name, &c, ncands))
		return c;
	/* Claimed (stable): computed here once, other threads wait. */
	fresh = screen_candidates(n->list, name, f->rs->forms, min, ncands);
	if (!stable) {
		/* A computed text lives for this condition only: so do its
		 * candidates (freed with the frame's texts). */
		if (fresh != NULL)
			(void)eval_frame_keep(f, (char *)fresh);
		return fresh;
	}
	return memo_put_cands(f->memo, n, name, fresh, *ncands, ncands);
}

/* True if clearance c says the party is not entry e of node n's list. */
static bool
clearance_fits(const struct rules_clearance *c, const struct rules_node *n,
    const struct rules_entry *e, const struct manifest_party *p,
    const char *key, const char *pid)
{
	if (strcmp(c->list, n->list->name) != 0 ||
	    strcmp(c->entry, e->name) != 0 || strcmp(c->name_key, key) != 0)
		return false;
	if (c->country != NULL && (p == NULL || p->country == NULL ||
	    strcasecmp(c->country, p->country) != 0))
		return false;
	return c->party_id == NULL || (pid != NULL &&
	    strcmp(c->party_id, pid) == 0);
}

/*
 * True if the party is cleared of entry e (`unless cleared`); the
 * clearance is marked applied (the match it skips would have counted).
 */
static bool
screen_cleared(const struct rules_node *n, struct eval_frame *f,
    const struct rules_entry *e, const struct manifest_party *p,
    const char *name, const char *pid)
{
	struct rules_clearance	*c;
	size_t			 nc, i;
	char			*key, err[160];
	bool			 found = false;

	if (!n->unless_cleared || f->ctx == NULL)
		return false;
	c = rules_context_clearances(f->ctx, &nc);
	if (nc == 0 || (key = names_fold(name, err, sizeof err)) == NULL)
		return false;
	for (i = 0; i < nc && !found; i++)
		if (clearance_fits(&c[i], n, e, p, key, pid)) {
			found = true;
			atomic_store(&c[i].applied, true);
		}
	free(key);
	return found;
}

/*
 * The scheme of entry e's identifiers that pid has the shape of, when
 * none of them equals pid: two registrations of one scheme that differ.
 * NULL when pid equals one, or fits no scheme e carries.
 */
static const char *
id_differs(const struct rules_entry *e, const char *pid)
{
	const char	*differs = NULL;
	size_t		 i;

	if (pid == NULL)
		return NULL;
	for (i = 0; i < e->nids; i++) {
		if (strcmp(e->ids[i].value, pid) == 0)
			return NULL;
		if (differs == NULL &&
		    ident_check(e->ids[i].scheme, pid, NULL, 0) == 0)
			differs = e->ids[i].scheme;
	}
	return differs;
}

/* The strength of a score at node n's thresholds. */
static enum screen_strength
strength_of(const struct rules_node *n, double score)
{
	if (score >= n->fraction)
		return SCREEN_STRONG;
	return score >= n->possible ? SCREEN_POSSIBLE : SCREEN_NONE;
}

/* True if a is a better match than b. */
static bool
better(const struct screen_result *a, const struct screen_result *b)
{
	if (a->strength != b->strength)
		return a->strength > b->strength;
	return a->score > b->score;
}

/* The entry whose identifier the party carries, if any and not cleared. */
static void
screen_by_id(const struct rules_node *n, struct eval_frame *f,
    const struct manifest_party *p, const char *name, const char *pid,
    struct screen_result *best)
{
	const size_t		*ei;
	const struct rules_entry *e;
	size_t			 k;

	if (pid == NULL || n->list->by_id == NULL ||
	    (ei = strmap_get(n->list->by_id, pid)) == NULL)
		return;
	e = &n->list->ent[*ei];
	if (screen_cleared(n, f, e, p, name, pid))
		return;
	best->strength = SCREEN_STRONG;
	best->score = best->raw = 1;
	best->entry = *ei;
	best->alias = -1;
	best->variant = -1;
	for (k = 0; k < e->nids; k++)
		if (strcmp(e->ids[k].value, pid) == 0)
			best->id_scheme = e->ids[k].scheme;
}

/* Screens one name (and its party, when the subject is one). */
static void
screen_one(const struct rules_node *n, struct eval_frame *f, const char *name,
    const struct manifest_party *p, bool stable, struct screen_result *best)
{
	const struct memo_cand	*c;
	const struct rules_entry *e;
	struct screen_result	 r;
	size_t			 nc, i;
	char			 pidbuf[64];
	const char		*pid = NULL;

	memset(best, 0, sizeof *best);
	if (p != NULL && p->id != NULL) {
		ident_normalise(p->id, pidbuf, sizeof pidbuf);
		pid = pidbuf[0] != '\0' ? pidbuf : NULL;
	}
	screen_by_id(n, f, p, name, pid, best);
	if (best->strength == SCREEN_STRONG)
		return;
	c = screen_cands(n, f, name, stable, &nc);
	for (i = 0; i < nc; i++) {
		memset(&r, 0, sizeof r);
		r.entry = n->list->sn[c[i].sn].entry;
		r.alias = n->list->sn[c[i].sn].alias;
		r.variant = c[i].variant;
		r.raw = r.score = c[i].score;
		e = &n->list->ent[r.entry];
		if ((r.id_scheme = id_differs(e, pid)) != NULL)
			r.score -= SCREEN_ID_PENALTY;
		r.strength = strength_of(n, r.score);
		if (r.strength == SCREEN_NONE || !better(&r, best))
			continue;
		if (screen_cleared(n, f, e, p, name, pid))
			continue;
		*best = r;
	}
}

/* "in Simplified form" and the like, for a variant. */
static const char *
variant_words(int v)
{
	switch (v) {
	case NAMES_SIMPLIFIED: return "in Simplified form";
	case NAMES_PINYIN: return "in pinyin";
	case NAMES_LATIN: return "in Latin letters";
	default: return "as written";
	}
}

/* The reason's {match} for result r of name (role NULL: a bare name). */
static char *
screen_text(const struct rules_node *n, const char *role, const char *name,
    const struct manifest_party *p, const struct screen_result *r)
{
	const struct rules_entry	*e = &n->list->ent[r->entry];
	struct buf			 b = { 0 };

	if (role != NULL)
		buf_printf(&b, "%s ", role);
	buf_printf(&b, "'%s' is listed '%s' entry '%s'", name, n->list->name,
	    e->name);
	if (r->variant < 0) {
		buf_printf(&b, " by identifier %s %s: certain", r->id_scheme,
		    p != NULL && p->id != NULL ? p->id : "");
		return buf_steal(&b, NULL);
	}
	if (r->alias >= 0)
		buf_printf(&b, " (as '%s')", e->aka[r->alias]);
	buf_printf(&b, " %s: %.2f", variant_words(r->variant), r->score);
	if (r->id_scheme != NULL)
		buf_printf(&b, " (%.2f less %.2f: its %s differs from the "
		    "entry's)", r->raw, SCREEN_ID_PENALTY, r->id_scheme);
	buf_printf(&b, " (%s match)", r->strength == SCREEN_STRONG ? "strong" :
	    "possible");
	return buf_steal(&b, NULL);
}

/* Node n's subject parties at the frame: 1 or 3 of them. */
static size_t
subject_parties(const struct rules_node *n, const struct eval_frame *f,
    const struct manifest_party **v, const char **role)
{
	size_t	i, k = 0;

	if (f->cs == NULL)
		return 0;
	for (i = 0; i < 3; i++) {
		if (n->a->num != RULES_PARTY_ANY && (int64_t)i != n->a->num)
			continue;
		v[k] = i == 0 ? &f->cs->consignor : i == 1 ? &f->cs->consignee :
		    &f->cs->declarant;
		role[k++] = roles[i];
	}
	return k;
}

bool
screen_eval(const struct rules_node *n, struct eval_frame *f,
    const char *text, bool stable)
{
	const struct manifest_party	*parties[3], *bestp = NULL;
	const char			*role[3], *bestrole = NULL, *bestname;
	struct screen_result		 r, best = { 0 };
	size_t				 np, i;

	bestname = text;
	if (n->a->op != RULES_OP_PARTY) {
		if (text == NULL)
			return false;
		screen_one(n, f, text, NULL, stable, &best);
	} else {
		np = subject_parties(n, f, parties, role);
		for (i = 0; i < np; i++) {
			if (parties[i]->name == NULL)
				continue;
			screen_one(n, f, parties[i]->name, parties[i], true, &r);
			if (r.strength != SCREEN_NONE && better(&r, &best)) {
				best = r;
				bestp = parties[i];
				bestrole = role[i];
				bestname = parties[i]->name;
			}
		}
	}
	if (best.strength == SCREEN_NONE ||
	    (f->strict && best.strength != SCREEN_STRONG))
		return false;
	if ((int)best.strength >= f->match_strength) {
		free(f->match_text);
		f->match_text = screen_text(n, bestrole, bestname, bestp, &best);
		f->match_strength = (int)best.strength;
	}
	return true;
}
