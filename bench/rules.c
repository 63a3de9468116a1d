/*
 * rules.c -- rule engine speed.  Issue 23 (target 3): the compiled
 * default rule set against a hand-written C loop doing the same work
 * (below: every rule of etc/rules/default; the two must find the same
 * hits), on the same train, one thread each, with their ratio to the
 * 1.5x target.  Issue 5: compiling the default rule set; evaluating a
 * 1,000,000-item train on 1 and 2 threads; and a 55-wagon, 5,000-item
 * manifest parsed, evaluated and written as a decision.  Prints
 * figures, not pass/fail (but exits 1 if the loop and the rule set
 * disagree: then the ratio would mean nothing).
 *
 * usage: bench/rules [MANIFEST]   (run from the repository root)
 *        bench/rules --ratio [--runs N] MANIFEST...
 *   the compiled rule set against the hand-written loop only (issue 23)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/input.h"
#include "manifest/decision.h"
#include "manifest/gen.h"
#include "manifest/strmap.h"
#include "manifest/util.h"
#include "manifest/ident.h"
#include "manifest/value.h"
#include "rules/context.h"
#include "rules/eval.h"
#include "rules/ident.h"
#include "rules/lang.h"
#include "rules/memo.h"
#include "rules/names.h"
#include "rules/names_index.h"
#include "rules/pool.h"
#include "rules/rules.h"
#include "rules/screen.h"

#define RULES_DIR "etc/rules/default"

/* Equal strings, or both NULL. */
static bool
streq0(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Best time of n compilations of the default rule set, in seconds. */
static double
bench_compile(int n)
{
	struct diag_list	 l;
	struct rules_ruleset	*rs;
	double			 best = 1e9, t0;
	int			 i;

	for (i = 0; i < n; i++) {
		diag_list_init(&l, 0);
		t0 = now();
		rs = rules_ruleset_load(RULES_DIR, &l);
		t0 = now() - t0;
		if (t0 < best)
			best = t0;
		rules_ruleset_unref(rs);
		diag_list_clear(&l);
	}
	return best;
}

/* Best time of n evaluations of t on threads threads. */
static double
bench_eval(const struct rules_ruleset *rs, const struct manifest_train *t,
    unsigned threads, int n, size_t *hits)
{
	struct rules_eval_options	 opt = { threads };
	struct decision			*d;
	double				 best = 1e9, t0;
	size_t				 i;
	int				 k;

	for (k = 0; k < n; k++) {
		t0 = now();
		rules_evaluate(rs, t, NULL, &opt, &d);
		t0 = now() - t0;
		if (t0 < best)
			best = t0;
		for (*hits = 0, i = 0; i < d->nwagons; i++)
			*hits += d->wagons[i].nhits;
		decision_free(d);
	}
	return best;
}

/*
 * The hand-written loop: the default rule set (etc/rules/default,
 * edition 3) written out in C, doing what the compiled rule set does on
 * a train evaluated without events (ctx NULL, as bench_ratio runs it):
 * every rule at every wagon, container, consignment and item, the same
 * lists read from the compiled set (the list files, parsed once), the
 * same screening of parties (names_keys and the list's index, each name
 * scored once per run), the same `sample` draw, and on a hit its reason
 * formatted and the hit added to a decision, hits in the rule set's
 * order.  bench_ratio checks that both find the same hits.
 *
 * What it leaves out, each for a reason: reasons in other languages
 * (formatted per hit; hits are a few in 10,000 items); diagnostics
 * below the train (`goods-data`: the trains it runs on have none, and
 * bench_ratio skips a train with any, or with goods on no wagon);
 * events (there are none: it asks the same NULL context the rule set
 * is given, at the same places).
 *
 * Until issue 23 the loop did only six item rules (no
 * explosive, CT scan or currency rate, every prefix length of the HS
 * code looked up), and no wagon, container or consignment rule, no
 * screening, no draw, no decision: the ratio it gave (2.2x) measured
 * the rule set against a fraction of its work.  Written like this it is
 * the yardstick the issue asks for, and the hits check keeps it so.
 */

/* The rule set's rule indexes, in file order (etc/rules/default). */
enum hand_rule {
	H_CHECK_DIGIT_W, H_CHECK_DIGIT_C, H_PHYTO, H_VET, H_DG, H_EXPLOSIVE,
	H_LICENCE, H_PROHIBITED, H_SANCTIONS, H_VARIANCE, H_SEAL_DAMAGED_C,
	H_SEAL_NEIGHBOUR_C, H_SEAL_DAMAGED_W, H_SEAL_NEIGHBOUR_W, H_SCAN,
	H_SEAL_CHECK_C, H_SEAL_CHECK_W, H_NEIGHBOUR, H_EMPTY, H_ECOMMERCE,
	H_CT, H_RANDOM, H_RANDOM_AEO, H_BLOCKING_DIAG, H_BLOCKING_MODE,
	H_BLOCKING_CANCEL, H_UNPLACED, H_GOODS_DATA, H_NRULES
};

static const char *const hand_names[H_NRULES] = {
	"check-digit", "check-digit", "phyto", "veterinary", "dangerous-goods",
	"dangerous-goods", "licence", "prohibited", "sanctions",
	"weight-variance", "seal-mismatch", "seal-mismatch", "seal-mismatch",
	"seal-mismatch", "scan-suspect", "seal-check", "seal-check",
	"neighbour-control", "empty-container", "ecommerce-value",
	"parcel-ct-suspect", "random", "random", "blocking-diagnostic",
	"blocking-diagnostic", "blocking-diagnostic", "unplaced-goods",
	"goods-data"
};

/* A hit before it joins the decision: sorted by rule, then subject. */
struct hand_hit {
	enum hand_rule		 rule;
	enum decision_action	 action;
	size_t			 order;
	struct decision_subject	 subject;
	char			*reason;
	char			*would_pass_if;
};

struct hand_hits {
	struct hand_hit	*v;
	size_t		 n, cap;
};

/* The loop's configuration: the lists and thresholds, read once. */
struct hand {
	const struct rules_ruleset	*rs;
	const struct rules_list		*prohibited, *licensed, *cny;
	const struct rules_list		*sanctioned;
	double				 strong, possible;
	struct strmap			*memo;	/* name -> struct hand_cands */
	struct hand_cands		**cands; /* owned: every memo value */
	size_t				 ncands, cands_cap;
};

struct hand_cands {
	struct memo_cand	*v;
	size_t			 n, cap;
};

/* Grows a pointer vector to hold n. */
static struct hand_cands **
hand_grow(struct hand_cands **v, size_t *cap, size_t n)
{
	if (n <= *cap)
		return v;
	*cap = *cap == 0 ? 64 : *cap * 2;
	return xreallocarray(v, *cap, sizeof *v);
}

/* The compiled list of that name. */
static const struct rules_list *
hand_list(const struct rules_ruleset *rs, const char *name)
{
	size_t	i;

	for (i = 0; i < rs->nlists; i++)
		if (strcmp(rs->lists[i]->name, name) == 0)
			return rs->lists[i];
	fprintf(stderr, "bench/rules: no list %s\n", name);
	exit(1);
}

/* Reads the lists and the sanctions thresholds from the compiled set. */
static void
hand_init(struct hand *h, const struct rules_ruleset *rs)
{
	const struct rules_node	*n = rs->rules[H_SANCTIONS].when;

	memset(h, 0, sizeof *h);
	if (rs->nrules != H_NRULES || n->op != RULES_OP_MATCHES) {
		fprintf(stderr, "bench/rules: the hand loop is written for "
		    "the default rule set of %d rules\n", H_NRULES);
		exit(1);
	}
	h->rs = rs;
	h->prohibited = hand_list(rs, "prohibited");
	h->licensed = hand_list(rs, "licensed");
	h->cny = hand_list(rs, "cny");
	h->sanctioned = hand_list(rs, "sanctioned");
	h->strong = n->fraction;
	h->possible = n->possible;
}

/* Appends a hit; reason and would_pass_if consumed. */
static void
hand_hit(struct hand_hits *hh, enum hand_rule r, enum decision_action a,
    size_t order, const struct decision_subject *s, char *reason,
    char *would_pass_if)
{
	if (hh->n == hh->cap) {
		hh->cap = hh->cap == 0 ? 8 : hh->cap * 2;
		hh->v = xreallocarray(hh->v, hh->cap, sizeof *hh->v);
	}
	hh->v[hh->n++] = (struct hand_hit){ r, a, order, *s, reason,
	    would_pass_if };
}

/* True if the item declares document type (or one was accepted). */
static bool
hand_has_doc(const struct manifest_item *it, const char *type)
{
	uint32_t	i;

	for (i = 0; i < it->ndocuments; i++)
		if (it->documents[i].type != NULL &&
		    strcmp(it->documents[i].type, type) == 0)
			return true;
	return rules_context_has_document(NULL, it->consignment->ref, type);
}

/* True if an entry of l is a prefix of hs (the lengths l has). */
static bool
hand_prefix(const struct rules_list *l, const char *hs)
{
	size_t	k, n = strlen(hs);

	for (k = 1; k <= n && k < sizeof l->lengths; k++)
		if (l->lengths[k] && strmap_getn(l->entries, hs, k) != NULL)
			return true;
	return false;
}

/* The value of a parcel in CNY above 5,000: value * cny[cur] / 1000. */
static bool
hand_over_value(const struct hand *h, const struct manifest_item *it)
{
	const int64_t	*rate;
	__int128	 v;

	if (it->consignment->procedure != MANIFEST_PROC_ECOMMERCE ||
	    it->value == MANIFEST_ABSENT || it->currency == NULL ||
	    (rate = strmap_get(h->cny->entries, it->currency)) == NULL ||
	    *rate == MANIFEST_ABSENT)
		return false;
	v = (__int128)it->value * *rate / MANIFEST_SCALE;
	v = v * MANIFEST_SCALE / (1000 * MANIFEST_SCALE);
	return v > 5000 * MANIFEST_SCALE;
}

/* "{description} (HS {hs}) <what>" for an item's hit. */
static char *
hand_item_text(const struct manifest_item *it, const char *what)
{
	return xasprintf("%s (HS %s) %s", it->description != NULL ?
	    it->description : "(none)", it->hs != NULL ? it->hs : "(none)",
	    what);
}

/* The item rules at one item (a wagon's, in its order). */
static void
hand_item(const struct hand *h, const struct manifest_item *it, size_t order,
    struct hand_hits *hh)
{
	struct decision_subject	 s = { 0 };
	const char		*hs = it->hs;
	int64_t			 un;
	int			 ch = -1;
	bool			 suspect = false;

	s.consignment = it->consignment->ref;
	s.item = it->seq;
	if (hs != NULL && hs[0] >= '0' && hs[0] <= '9' && hs[1] >= '0' &&
	    hs[1] <= '9')
		ch = (hs[0] - '0') * 10 + hs[1] - '0';
	if ((ch == 6 || ch == 7 || ch == 8 || ch == 10 || ch == 12) &&
	    !hand_has_doc(it, "851"))
		hand_hit(hh, H_PHYTO, DECISION_DOC_CHECK, order, &s,
		    hand_item_text(it, "has no phytosanitary certificate"),
		    xstrdup("a phytosanitary certificate (851) is declared"));
	if (ch >= 1 && ch <= 5 && !hand_has_doc(it, "853"))
		hand_hit(hh, H_VET, DECISION_DOC_CHECK, order, &s,
		    hand_item_text(it, "has no veterinary certificate"),
		    xstrdup("a veterinary certificate (853) is declared"));
	if (it->un_number != NULL) {
		if (!hand_has_doc(it, "890"))
			hand_hit(hh, H_DG, DECISION_INSPECT, order, &s,
			    hand_item_text(it, "carries a UN number"),
			    xstrdup("a declaration (890) is declared"));
		if (value_decimal_parse(it->un_number, strlen(it->un_number),
		    &un) == VALUE_OK && un >= 1 * MANIFEST_SCALE &&
		    un <= 500 * MANIFEST_SCALE && !hand_has_doc(it, "911"))
			hand_hit(hh, H_EXPLOSIVE, DECISION_HOLD, order, &s,
			    hand_item_text(it, "is an explosive"),
			    xstrdup("an import licence (911) is declared"));
	}
	if (hs != NULL && hand_prefix(h->licensed, hs) &&
	    !hand_has_doc(it, "911"))
		hand_hit(hh, H_LICENCE, DECISION_HOLD, order, &s,
		    hand_item_text(it, "is licensed goods"),
		    xstrdup("an import licence (911) is declared"));
	if (hs != NULL && hand_prefix(h->prohibited, hs))
		hand_hit(hh, H_PROHIBITED, DECISION_REFUSE, order, &s,
		    hand_item_text(it, "is on the prohibited list"),
		    xstrdup("the goods are not on the train"));
	if (hand_over_value(h, it))
		hand_hit(hh, H_ECOMMERCE, DECISION_DOC_CHECK, order, &s,
		    hand_item_text(it, "is over 5000 CNY"),
		    xstrdup("the parcel is worth at most 5,000 CNY"));
	(void)rules_context_parcel_scan_result(NULL, it->tracking, &suspect);
	if (suspect)
		hand_hit(hh, H_CT, DECISION_INSPECT, order, &s,
		    hand_item_text(it, "CT scan suspect"), NULL);
}

/* A names_index hit kept as a candidate. */
static void
hand_cand_cb(void *arg, uint32_t sn, size_t name, const struct names_hit *hit)
{
	struct hand_cands	*c = arg;

	(void)name;
	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 4 : c->cap * 2;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	c->v[c->n++] = (struct memo_cand){ sn, hit->score, (int)hit->variant };
}

/* The list names scoring at least the possible threshold, once a name. */
static const struct hand_cands *
hand_cands(struct hand *h, const char *name)
{
	struct hand_cands	*c = strmap_get(h->memo, name);
	struct names_keys	 k;
	char			 err[160];

	if (c != NULL)
		return c;
	c = xcalloc(1, sizeof *c);
	h->cands = hand_grow(h->cands, &h->cands_cap, h->ncands + 1);
	h->cands[h->ncands++] = c;
	if (names_keys(name, h->rs->forms, &k, err, sizeof err) == 0) {
		(void)names_index_search(h->sanctioned->index, &k,
		    h->possible < h->strong ? h->possible : h->strong,
		    hand_cand_cb, c);
		names_keys_free(&k);
	}
	strmap_put(h->memo, name, c);
	return c;
}

/* True if pid has the shape of a scheme of e and equals none of its ids. */
static bool
hand_id_differs(const struct rules_entry *e, const char *pid)
{
	bool	differs = false;
	size_t	i;

	for (i = 0; pid != NULL && i < e->nids; i++) {
		if (strcmp(e->ids[i].value, pid) == 0)
			return false;
		if (ident_check(e->ids[i].scheme, pid, NULL, 0) == 0)
			differs = true;
	}
	return differs;
}

/* The best screening of one party: 2 strong, 1 possible, 0 none. */
static int
hand_party(struct hand *h, const struct manifest_party *p, double *score)
{
	const struct hand_cands	*c;
	const struct rules_list	*l = h->sanctioned;
	char			 pid[64];
	double			 sc;
	size_t			 i;
	int			 best = 0, st;

	*score = 0;
	if (p->name == NULL)
		return 0;
	pid[0] = '\0';
	if (p->id != NULL)
		ident_normalise(p->id, pid, sizeof pid);
	if (pid[0] != '\0' && l->by_id != NULL &&
	    strmap_get(l->by_id, pid) != NULL) {
		*score = 1;
		return 2;
	}
	c = hand_cands(h, p->name);
	for (i = 0; i < c->n; i++) {
		sc = c->v[i].score;
		if (hand_id_differs(&l->ent[l->sn[c->v[i].sn].entry],
		    pid[0] != '\0' ? pid : NULL))
			sc -= SCREEN_ID_PENALTY;
		st = sc >= h->strong ? 2 : sc >= h->possible ? 1 : 0;
		if (st > best || (st == best && st > 0 && sc > *score)) {
			best = st;
			*score = sc;
		}
	}
	return best;
}

/* The sanctions rule at one consignment of a wagon. */
static void
hand_consignment(struct hand *h, const struct manifest_consignment *cs,
    size_t order, struct hand_hits *hh)
{
	const struct manifest_party	*p[3] = { &cs->consignor,
					    &cs->consignee, &cs->declarant };
	struct decision_subject		 s = { 0 };
	double				 sc, best_sc = 0;
	int				 i, st, best = 0;

	for (i = 0; i < 3; i++) {
		st = hand_party(h, p[i], &sc);
		if (st > best || (st == best && sc > best_sc)) {
			best = st;
			best_sc = sc;
		}
	}
	if (best == 0)
		return;
	s.consignment = cs->ref;
	hand_hit(hh, H_SANCTIONS, best == 2 ? DECISION_HOLD :
	    DECISION_DOC_CHECK, order, &s, xasprintf("consignment %s: a party "
	    "is listed (%.2f)", cs->ref != NULL ? cs->ref : "(none)", best_sc),
	    xstrdup("the party is confirmed not to be the sanctioned one"));
}

/* True if a seal of the list is damaged. */
static bool
hand_seal_damaged(const struct manifest_seal *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i].condition == MANIFEST_SEAL_DAMAGED)
			return true;
	return false;
}

/* The container rules at one container. */
static void
hand_container(const struct manifest_container *c, size_t order,
    struct hand_hits *hh)
{
	struct decision_subject	s = { 0 };
	int			exp;

	s.container = c->number;
	/* Events would be here: there are none (ctx NULL). */
	(void)rules_context_equipment(NULL, c->number);
	if (c->number == NULL ||
	    ident_iso6346_check(c->number, &exp) != IDENT_OK)
		hand_hit(hh, H_CHECK_DIGIT_C, DECISION_DOC_CHECK, order, &s,
		    xasprintf("container number %s fails its check digit",
		    c->number != NULL ? c->number : "(none)"), NULL);
	if (hand_seal_damaged(c->seals, c->nseals))
		hand_hit(hh, H_SEAL_DAMAGED_C, DECISION_INSPECT, order, &s,
		    xasprintf("container %s: a seal is damaged", c->number),
		    NULL);
	if (!c->full && c->gross_kg != MANIFEST_ABSENT &&
	    c->gross_kg > 5000 * MANIFEST_SCALE)
		hand_hit(hh, H_EMPTY, DECISION_INSPECT, order, &s,
		    xasprintf("container %s is declared empty but weighs "
		    "%" PRId64 " g", c->number, c->gross_kg), NULL);
}

/* True if every consignee of the goods on w is AEO-certified. */
static bool
hand_all_aeo(const struct manifest_wagon *w)
{
	size_t	i;

	for (i = 0; i < w->nitems; i++)
		if (w->items[i]->consignment->consignee.aeo == NULL)
			return false;
	return w->nitems > 0;
}

/* The wagon rules at one wagon (order 0 of its subjects). */
static void
hand_wagon_rules(const struct hand *h, const struct manifest_train *t,
    const struct manifest_wagon *w, struct hand_hits *hh)
{
	struct decision_subject	s = { 0 };
	double			draw;
	bool			aeo;
	int			exp;

	s.wagon = w->number;
	/* Events would be here: there are none (ctx NULL). */
	(void)rules_context_equipment(NULL, w->number);
	if (ident_uic_check(w->number, &exp) != IDENT_OK)
		hand_hit(hh, H_CHECK_DIGIT_W, DECISION_DOC_CHECK, 0, &s,
		    xasprintf("wagon number %s fails its check digit",
		    w->number), NULL);
	if (hand_seal_damaged(w->seals, w->nseals))
		hand_hit(hh, H_SEAL_DAMAGED_W, DECISION_INSPECT, 0, &s,
		    xasprintf("wagon %s: a seal is damaged", w->number), NULL);
	draw = rules_eval_draw(h->rs, t->id, w->number, "random");
	if (draw < 0.02) {
		aeo = hand_all_aeo(w);
		if (!aeo)
			hand_hit(hh, H_RANDOM, DECISION_INSPECT, 0, &s,
			    xasprintf("wagon %s selected at random (2%%)",
			    w->number), NULL);
		else if (draw < 0.005)
			hand_hit(hh, H_RANDOM_AEO, DECISION_INSPECT, 0, &s,
			    xasprintf("wagon %s selected at random (0.5%%)",
			    w->number), NULL);
	}
}

/* Every rule below the train at wagon wi: its containers, goods, parties. */
static void
hand_wagon(struct hand *h, const struct manifest_train *t,
    const struct manifest_wagon *w, struct hand_hits *hh)
{
	const struct manifest_consignment	**css, *cs;
	size_t					  i, k, n = 0, order = 1;

	hand_wagon_rules(h, t, w, hh);
	for (i = 0; i < w->ncontainers; i++)
		hand_container(w->containers[i], order++, hh);
	css = xcalloc(w->nitems + 1, sizeof *css);
	for (i = 0; i < w->nitems; i++) {
		cs = w->items[i]->consignment;
		if (n > 0 && css[n - 1] == cs)
			continue;
		for (k = 0; k < n && css[k] != cs; k++)
			;
		if (k == n)
			css[n++] = cs;
	}
	for (i = 0; i < n; i++)
		hand_consignment(h, css[i], order++, hh);
	free(css);
	for (i = 0; i < w->nitems; i++)
		hand_item(h, w->items[i], order++, hh);
}

/* The train rules (the train's diagnostics, transport mode, function). */
static void
hand_train(const struct manifest_train *t, struct hand_hits *hh)
{
	static const char *const codes[] = { "CONTAINER_NO_WAGON",
	    "UNKNOWN_EQUIPMENT", "DUPLICATE_WAGON", "DUPLICATE_CONTAINER",
	    "UNT_COUNT", "UNZ_COUNT", "UNE_COUNT", "MISSING_UNT", "TRUNCATED",
	    "TRANSPORT_MODE", "TOO_MANY_DIAGNOSTICS" };
	struct decision_subject	 s = { 0 };
	size_t			 i, k;

	for (k = 0; k < nitems(codes); k++)
		for (i = 0; i < t->diags.n; i++)
			if (strcmp(t->diags.v[i].code, codes[k]) == 0)
				goto hit;
	for (i = 0; i < t->diags.n; i++)
		if (t->diags.v[i].severity == DIAG_ERROR)
			goto hit;
	if (t->diags.dropped == 0)
		goto mode;
hit:
	hand_hit(hh, H_BLOCKING_DIAG, DECISION_HOLD, 0, &s, xstrdup("the "
	    "manifest cannot be trusted as it stands"), NULL);
mode:
	if (t->transport_mode == NULL)
		hand_hit(hh, H_BLOCKING_MODE, DECISION_HOLD, 0, &s,
		    xstrdup("the manifest gives no transport mode"), NULL);
	if (t->function == MANIFEST_CANCEL)
		hand_hit(hh, H_BLOCKING_CANCEL, DECISION_HOLD, 0, &s,
		    xasprintf("the manifest %s was cancelled", t->manifest_ref),
		    NULL);
}

static int
hand_hit_cmp(const void *a, const void *b)
{
	const struct hand_hit	*x = a, *y = b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorts hh into the rule set's order and moves it into d (w NULL: train). */
static void
hand_merge(struct decision *d, struct decision_wagon *w, struct hand_hits *hh)
{
	size_t	i;

	if (hh->n > 1)
		qsort(hh->v, hh->n, sizeof *hh->v, hand_hit_cmp);
	for (i = 0; i < hh->n; i++) {
		(void)decision_hit_add(d, w, hand_names[hh->v[i].rule],
		    hh->v[i].action, &hh->v[i].subject, hh->v[i].reason,
		    hh->v[i].would_pass_if);
		free(hh->v[i].reason);
		free(hh->v[i].would_pass_if);
	}
	hh->n = 0;
}

/* The hand-written loop over train t into a new decision. */
static struct decision *
hand_evaluate(struct hand *h, const struct manifest_train *t)
{
	struct decision		*d = decision_new();
	struct hand_hits	 hh = { NULL, 0, 0 };
	size_t			 i;

	h->memo = strmap_new();
	for (i = 0; i < t->nwagons; i++)
		(void)decision_wagon_add(d, t->wagons[i]->position,
		    t->wagons[i]->number);
	for (i = 0; i < t->nwagons; i++) {
		hand_wagon(h, t, t->wagons[i], &hh);
		hand_merge(d, &d->wagons[i], &hh);
	}
	hand_train(t, &hh);
	hand_merge(d, NULL, &hh);
	free(hh.v);
	d->outcome = decision_consolidate(d);
	strmap_free(h->memo);
	h->memo = NULL;
	for (i = 0; i < h->ncands; i++) {
		free(h->cands[i]->v);
		free(h->cands[i]);
	}
	h->ncands = 0;
	return d;
}

/* True if the two decisions hold the same hits (rule, action, subject). */
static bool
same_hits(const struct decision_hit *a, size_t na, const struct decision_hit *b,
    size_t nb)
{
	size_t	i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i].rule, b[i].rule) != 0 ||
		    a[i].action != b[i].action ||
		    !streq0(a[i].subject.wagon, b[i].subject.wagon) ||
		    !streq0(a[i].subject.container, b[i].subject.container) ||
		    !streq0(a[i].subject.consignment,
		    b[i].subject.consignment) ||
		    a[i].subject.item != b[i].subject.item)
			return false;
	return true;
}

/* Hits in d; -1 if d and e differ in any hit or the outcome. */
static long
compare_decisions(const struct decision *d, const struct decision *e)
{
	size_t	i, n = d->ntrain_hits;

	if (d->nwagons != e->nwagons || d->outcome != e->outcome ||
	    !same_hits(d->train_hits, d->ntrain_hits, e->train_hits,
	    e->ntrain_hits))
		return -1;
	for (i = 0; i < d->nwagons; i++) {
		if (!same_hits(d->wagons[i].hits, d->wagons[i].nhits,
		    e->wagons[i].hits, e->wagons[i].nhits))
			return -1;
		n += d->wagons[i].nhits;
	}
	return (long)n;
}

/*
 * The compiled rule set against the hand-written loop on train t, one
 * thread each, alternated (this VM's speed drifts; both sides should
 * see the same drift), best of n each; prints both, their ratio and the
 * target (issue 23: at most 1.5x).  Returns -1 if they disagree.
 */
static int
bench_ratio(const struct rules_ruleset *rs, const struct manifest_train *t,
    const char *label, int n)
{
	struct rules_eval_options	 opt = { 1 };
	struct hand			 h;
	struct decision			*d, *e;
	double				 er = 1e9, eh = 1e9, t0;
	long				 hits = 0;
	int				 k;

	if (t->diags.n > 0 || t->nunplaced > 0) {
		printf("rules: %s: skipped: the hand-written loop takes trains "
		    "without diagnostics and with every item placed\n", label);
		return 0;
	}
	hand_init(&h, rs);
	for (k = 0; k < n; k++) {
		t0 = now();
		rules_evaluate(rs, t, NULL, &opt, &d);
		t0 = now() - t0;
		er = t0 < er ? t0 : er;
		t0 = now();
		e = hand_evaluate(&h, t);
		t0 = now() - t0;
		eh = t0 < eh ? t0 : eh;
		if (k == 0 && (hits = compare_decisions(d, e)) < 0) {
			fprintf(stderr, "bench/rules: %s: the hand-written loop "
			    "and the rule set disagree\n", label);
			decision_free(d);
			decision_free(e);
			free(h.cands);
			return -1;
		}
		decision_free(d);
		decision_free(e);
	}
	free(h.cands);
	printf("rules: %s: %zu items, %zu wagons, %ld hits (the same in both): "
	    "compiled rule set %.1f ms (%.2f M items/s per core), "
	    "hand-written loop %.1f ms (%.2f M items/s per core); "
	    "rule set / hand loop = %.2fx (target <= 1.5x)\n", label,
	    t->nitems, t->nwagons, hits, er * 1e3, t->nitems / er / 1e6,
	    eh * 1e3, t->nitems / eh / 1e6, er / eh);
	return 0;
}

/* bench_ratio on a manifest file (parsed once), best of n (0: by size). */
static int
bench_ratio_file(const struct rules_ruleset *rs, const char *path, int n)
{
	struct manifest_train	*t;
	char			*data;
	size_t			 len;
	int			 rc;

	if (file_read_all(path, &data, &len) == -1) {
		fprintf(stderr, "bench/rules: cannot read %s\n", path);
		return -1;
	}
	if (input_parse(data, len, NULL, &t) == -1 || t == NULL) {
		fprintf(stderr, "bench/rules: cannot parse %s\n", path);
		free(data);
		return -1;
	}
	free(data);
	if (n <= 0)
		n = t->nitems >= 100000 ? 7 : 200;
	rc = bench_ratio(rs, t, path, n);
	manifest_train_free(t);
	return rc;
}

/* Parse + evaluate + JSON of one manifest file, best of n, in seconds. */
static double
bench_file(const struct rules_ruleset *rs, const char *path, int n,
    size_t *items)
{
	struct manifest_train	*t;
	struct decision		*d;
	struct buf		 b = { 0 };
	double			 best = 1e9, t0;
	char			*data;
	size_t			 len;
	int			 k;

	if (file_read_all(path, &data, &len) == -1)
		return -1;
	for (k = 0; k < n; k++) {
		t0 = now();
		input_parse(data, len, NULL, &t);
		rules_evaluate(rs, t, NULL, NULL, &d);
		decision_json_write(d, 0, &b);
		t0 = now() - t0;
		if (t0 < best)
			best = t0;
		*items = t->nitems;
		buf_reset(&b);
		decision_free(d);
		manifest_train_free(t);
	}
	buf_free(&b);
	free(data);
	return best;
}

/*
 * Screening at e-commerce scale (issue 19): a 1,000,000-parcel train to
 * 200,000 distinct consignees (persons, mostly Cyrillic), evaluated by
 * the whole default rule set on 2 threads; each distinct name is keyed
 * and screened once (rules/screen.c).
 */
static void
bench_parcels(const struct rules_ruleset *rs)
{
	struct gen_options	 g = { 55, 1000000, 7, true, 200000 };
	struct manifest_train	*t = gen_train(&g);
	struct strmap		*names = strmap_new();
	size_t			 i, hits;
	double			 e1, e2;

	for (i = 0; i < t->nconsignments; i++)
		strmap_put(names, t->consignments[i]->consignee.name, names);
	e2 = bench_eval(rs, t, 2, 1, &hits);
	e1 = bench_eval(rs, t, 1, 1, &hits);
	printf("rules: screening: %zu parcels, %zu consignments, %zu distinct "
	    "consignees: evaluate 2 threads %.2f s, 1 thread %.2f s "
	    "(%zu hits; target < 5 s)\n", t->nitems, t->nconsignments,
	    strmap_count(names), e2, e1, hits);
	strmap_free(names);
	manifest_train_free(t);
}

int
main(int argc, char **argv)
{
	struct gen_options	 g = { 55, 1000000, 1, false, 0 };
	struct diag_list	 l;
	struct rules_ruleset	*rs;
	struct manifest_train	*t;
	double			 c, e1, e2;
	int			 k;
	size_t			 hits1, hits2, items = 0;

	diag_list_init(&l, 0);
	if ((rs = rules_ruleset_load(RULES_DIR, &l)) == NULL) {
		fprintf(stderr, "bench/rules: %s does not compile\n", RULES_DIR);
		return 1;
	}
	diag_list_clear(&l);
	if (argc > 2 && strcmp(argv[1], "--ratio") == 0) {
		int runs = 0, from = 2;

		if (argc > 4 && strcmp(argv[2], "--runs") == 0) {
			runs = atoi(argv[3]);
			from = 4;
		}
		for (k = from; k < argc; k++)
			if (bench_ratio_file(rs, argv[k], runs) == -1)
				return 1;
		rules_ruleset_unref(rs);
		return 0;
	}
	c = bench_compile(20);
	printf("rules: compile default rule set (%zu rules): %.2f ms\n",
	    rules_ruleset_count(rs), c * 1e3);
	t = gen_train(&g);
	printf("rules: train of %zu wagons, %zu items, %zu consignments "
	    "(%u CPUs online)\n", t->nwagons, t->nitems, t->nconsignments,
	    rules_pool_cpus());
	/* Alternated, best of 10 each: this VM's speed drifts, and both
	 * sides of the ratio should see the same drift. */
	for (e1 = e2 = 1e9, k = 0; k < 10; k++) {
		double a = bench_eval(rs, t, 1, 1, &hits1);
		double b = bench_eval(rs, t, 2, 1, &hits2);

		e1 = a < e1 ? a : e1;
		e2 = b < e2 ? b : e2;
	}
	printf("rules: evaluate 1 thread  %.3f s, %.2f M items/s per core "
	    "(%zu hits)\n", e1, t->nitems / e1 / 1e6, hits1);
	printf("rules: evaluate 2 threads %.3f s, %.2f M items/s per core "
	    "(%zu hits), speed-up %.2fx\n", e2, t->nitems / e2 / 2 / 1e6,
	    hits2, e1 / e2);
	if (bench_ratio(rs, t, "generated train (seed 1)", 3) == -1)
		return 1;
	manifest_train_free(t);
	if (argc > 1) {
		double f = bench_file(rs, argv[1], 10, &items);

		printf("rules: %s: parse + evaluate + decision JSON %.2f ms "
		    "(%zu items, with screening; target < 20 ms)\n", argv[1],
		    f * 1e3, items);
	}
	bench_parcels(rs);
	rules_ruleset_unref(rs);
	return 0;
}
