/*
 * test_gen_risk.c -- generated trains under the default rule set,
 * evaluated in-process as the daemon would (EDIFACT written, read back,
 * evaluated): a default train is mostly released, each kind of --risk
 * draws its rule at its share, --risk 0 draws nothing but the rule set's
 * random selection, and bad --risk arguments are one-line usage errors.
 *
 * RAILGATE_GEN_TABLE=1 prints the decision mix of 20 default trains (the
 * table in docs/generator.md).
 */
#include <sys/wait.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edi/reader.h"
#include "edi/writer.h"
#include "manifest/decision.h"
#include "manifest/gen.h"
#include "manifest/ident.h"
#include "manifest/util.h"
#include "rules/eval.h"
#include "rules/rules.h"

#include "unit.h"

#define SEEDS	20

static struct rules_ruleset *rs;

static int
risk_init(void)
{
	struct diag_list	l;

	diag_list_init(&l, 0);
	rs = rules_ruleset_load("etc/rules/default", &l);
	diag_list_clear(&l);
	return rs == NULL;
}

static int
risk_cleanup(void)
{
	rules_ruleset_unref(rs);
	return 0;
}

/*
 * The train of o as the daemon sees it -- written as EDIFACT, read back
 * -- into *tp (caller frees), and its decision (caller frees).
 */
static struct decision *
decide(const struct gen_options *o, struct manifest_train **tp)
{
	struct manifest_train	*g = gen_train(o), *t = manifest_train_new();
	struct edi_write_options w = { 0 };
	struct buf		 edi = { 0 };
	struct decision		*d = NULL;

	edi_write_manifest(g, &w, &edi);
	manifest_train_free(g);
	CU_ASSERT_EQUAL(edi_read(edi.data, edi.len, t), 0);
	buf_free(&edi);
	if (!t->finished)
		manifest_train_finish(t);
	CU_ASSERT_EQUAL(rules_evaluate(rs, t, NULL, NULL, &d), 0);
	*tp = t;
	return d;
}

/* Does hit h of rule (NULL: any rule) concern consignment ref? */
static bool
hit_on(const struct decision_hit *h, const char *rule, const char *ref)
{
	return (rule == NULL || strcmp(h->rule, rule) == 0) &&
	    h->subject.consignment != NULL &&
	    strcmp(h->subject.consignment, ref) == 0;
}

/* Has consignment ref a hit of rule or rule2 (NULL: none) in d? */
static bool
consignment_has(const struct decision *d, const char *ref, const char *rule,
    const char *rule2)
{
	size_t	w, k;

	for (w = 0; w < d->nwagons; w++)
		for (k = 0; k < d->wagons[w].nhits; k++)
			if (hit_on(&d->wagons[w].hits[k], rule, ref) ||
			    (rule2 != NULL && hit_on(&d->wagons[w].hits[k],
			    rule2, ref)))
				return true;
	return false;
}

/* Consignments of t with a hit of rule or rule2 (NULL: none). */
static size_t
consignments_hit(const struct decision *d, const struct manifest_train *t,
    const char *rule, const char *rule2)
{
	size_t	i, n = 0;

	for (i = 0; i < t->nconsignments; i++)
		n += consignment_has(d, t->consignments[i]->ref, rule, rule2);
	return n;
}

/* Distinct containers and wagons of d with a hit of rule. */
static size_t
equipment_hit(const struct decision *d, const char *rule)
{
	size_t	w, k, j, n = 0;

	for (w = 0; w < d->nwagons; w++)
		for (k = 0; k < d->wagons[w].nhits; k++) {
			const struct decision_hit *h = &d->wagons[w].hits[k];
			bool seen = false;

			if (strcmp(h->rule, rule) != 0)
				continue;
			/* A hit on a container or flat wagon, counted once. */
			for (j = 0; j < k && !seen; j++)
				seen = strcmp(d->wagons[w].hits[j].rule, rule) == 0 &&
				    (h->subject.container == NULL) ==
				    (d->wagons[w].hits[j].subject.container == NULL) &&
				    (h->subject.container == NULL || strcmp(
				    h->subject.container, d->wagons[w].hits[j].
				    subject.container) == 0);
			n += !seen;
		}
	return n;
}

/* Containers of t, and flat wagons (wagons loaded with no container). */
static size_t
containers_and_flats(const struct manifest_train *t)
{
	size_t	i, n = t->ncontainers;

	for (i = 0; i < t->nwagons; i++)
		n += t->wagons[i]->ncontainers == 0;
	return n;
}

/* Empty containers of t. */
static size_t
empty_containers(const struct manifest_train *t)
{
	size_t	i, n = 0;

	for (i = 0; i < t->ncontainers; i++)
		n += !t->containers[i]->full;
	return n;
}

/* Wagons of d in lane a. */
static size_t
wagons_at(const struct decision *d, enum decision_action a)
{
	size_t	i, n = 0;

	for (i = 0; i < d->nwagons; i++)
		n += d->wagons[i].action == a;
	return n;
}

/* A risk parsed from arg over the defaults (the test's own mistake fails it). */
static struct gen_risk
risk_of(const char *arg)
{
	struct gen_risk	 r;
	char		*cause = NULL;

	gen_risk_default(&r);
	if (gen_risk_parse(&r, arg, &cause) != 0) {
		CU_FAIL(cause);
		free(cause);
	}
	return r;
}

/* Lane totals over SEEDS default trains. */
struct mix {
	size_t	wagons, lane[DECISION_ACTION_COUNT];
	size_t	consignments, doc, holdworthy;
};

/* One default train's line of the table (RAILGATE_GEN_TABLE). */
static void
table_line(const struct decision *d, uint64_t seed)
{
	size_t	a;

	if (getenv("RAILGATE_GEN_TABLE") == NULL)
		return;
	if (seed == 1)
		printf("\n| seed | train | decision | RELEASE | DOC_CHECK | "
		    "INSPECT | HOLD | REFUSE |\n|---|---|---|---|---|---|---|---|\n");
	printf("| %llu | %s | %s |", (unsigned long long)seed, d->train,
	    decision_outcome_name(d->outcome));
	for (a = DECISION_RELEASE; a < DECISION_ACTION_COUNT; a++)
		if (a != DECISION_AUDIT)
			printf(" %zu |", wagons_at(d, (enum decision_action)a));
	printf("\n");
}

/*
 * A default 55-wagon, 5,000-item train over 20 seeds: RELEASE or
 * PARTIAL_RELEASE, never a train hit; most wagons released, a few
 * document checks, hold-worthy hits rare (docs/generator.md's bounds).
 */
static void
t_gen_risk_default_mix(void)
{
	struct mix	m = { 0 };
	uint64_t	seed;
	size_t		a;

	for (seed = 1; seed <= SEEDS; seed++) {
		struct gen_options o = { 55, 5000, seed, false };
		struct manifest_train *t;
		struct decision *d = decide(&o, &t);

		CU_ASSERT(d->outcome == DECISION_OUTCOME_RELEASE ||
		    d->outcome == DECISION_OUTCOME_PARTIAL_RELEASE);
		CU_ASSERT_EQUAL(d->ntrain_hits, 0);
		CU_ASSERT_EQUAL(t->diags.n, 0);
		m.wagons += d->nwagons;
		for (a = 0; a < DECISION_ACTION_COUNT; a++)
			m.lane[a] += wagons_at(d, (enum decision_action)a);
		m.consignments += t->nconsignments;
		m.doc += consignments_hit(d, t, "phyto", "veterinary");
		m.holdworthy += consignments_hit(d, t, "sanctions", "licence") +
		    consignments_hit(d, t, "prohibited", NULL);
		table_line(d, seed);
		decision_free(d);
		manifest_train_free(t);
	}
	/* 2-5% of consignments draw a document check, under 1% a hold. */
	CU_ASSERT(m.doc * 100 >= 2 * m.consignments &&
	    m.doc * 100 <= 5 * m.consignments);
	CU_ASSERT(m.holdworthy * 100 < m.consignments);
	/* Wagons: at least 88% released, 1-8% at DOC_CHECK, at most 1.5%
	 * held or refused, the rest set out for inspection (random
	 * selection is 2% of wagons). */
	CU_ASSERT(m.lane[DECISION_RELEASE] * 100 >= 88 * m.wagons);
	CU_ASSERT(m.lane[DECISION_DOC_CHECK] * 100 >= m.wagons &&
	    m.lane[DECISION_DOC_CHECK] * 100 <= 8 * m.wagons);
	CU_ASSERT((m.lane[DECISION_HOLD] + m.lane[DECISION_REFUSE]) * 1000 <=
	    15 * m.wagons);
	CU_ASSERT(m.lane[DECISION_INSPECT] * 100 <= 6 * m.wagons);
	if (getenv("RAILGATE_GEN_TABLE") != NULL)
		printf("| all | | | %zu | %zu | %zu | %zu | %zu |\n"
		    "consignments %zu, doc %zu, hold-worthy %zu\n",
		    m.lane[DECISION_RELEASE], m.lane[DECISION_DOC_CHECK],
		    m.lane[DECISION_INSPECT], m.lane[DECISION_HOLD],
		    m.lane[DECISION_REFUSE], m.consignments, m.doc, m.holdworthy);
}

/* --risk doc=0.5: about half the consignments wait for a document check. */
static void
t_gen_risk_doc_half(void)
{
	struct gen_risk	risk = risk_of("doc=0.5");
	size_t		n = 0, doc = 0;
	uint64_t	seed;

	for (seed = 1; seed <= SEEDS; seed++) {
		struct gen_options o = { 55, 1000, seed, false, 0, &risk };
		struct manifest_train *t;
		struct decision *d = decide(&o, &t);

		n += t->nconsignments;
		doc += consignments_hit(d, t, "phyto", "veterinary");
		decision_free(d);
		manifest_train_free(t);
	}
	CU_ASSERT(n > 1000);
	CU_ASSERT(doc * 100 >= 45 * n && doc * 100 <= 55 * n);
}

/* --risk sanction=1: every consignment held, every loaded wagon set out. */
static void
t_gen_risk_sanction_holds(void)
{
	struct gen_risk	risk = risk_of("sanction=1");
	uint64_t	seed;
	size_t		w, k;

	for (seed = 1; seed <= 5; seed++) {
		struct gen_options o = { 55, 1000, seed, seed == 5, 0, &risk };
		struct manifest_train *t;
		struct decision *d = decide(&o, &t);

		CU_ASSERT_EQUAL(consignments_hit(d, t, "sanctions", NULL),
		    t->nconsignments);
		for (w = 0; w < t->nwagons; w++)
			if (t->wagons[w]->nitems > 0)
				CU_ASSERT(d->wagons[w].action >= DECISION_HOLD);
		/* A listed name is a strong match, never a possible one. */
		for (w = 0; w < d->nwagons; w++)
			for (k = 0; k < d->wagons[w].nhits; k++)
				if (strcmp(d->wagons[w].hits[k].rule, "sanctions") == 0)
					CU_ASSERT_EQUAL(d->wagons[w].hits[k].action,
					    DECISION_HOLD);
		CU_ASSERT(d->outcome != DECISION_OUTCOME_RELEASE);
		decision_free(d);
		manifest_train_free(t);
	}
}

/*
 * --risk 0 (freight and e-commerce, companies and persons): no hit but
 * the rule set's own random selection, no diagnostic.
 */
static void
t_gen_risk_clean_releases(void)
{
	struct gen_risk	risk = risk_of("0");
	uint64_t	seed;
	size_t		w, k, random = 0, wagons = 0;

	for (seed = 1; seed <= SEEDS; seed++) {
		struct gen_options o = { 55, 2000, seed, seed % 4 == 0,
		    seed % 8 == 0 ? 300 : 0, &risk };
		struct manifest_train *t;
		struct decision *d = decide(&o, &t);

		CU_ASSERT_EQUAL(t->diags.n, 0);
		CU_ASSERT_EQUAL(d->ntrain_hits, 0);
		for (w = 0; w < d->nwagons; w++) {
			for (k = 0; k < d->wagons[w].nhits; k++)
				CU_ASSERT_STRING_EQUAL(d->wagons[w].hits[k].rule,
				    "random");
			random += d->wagons[w].nhits > 0;
		}
		wagons += d->nwagons;
		decision_free(d);
		manifest_train_free(t);
	}
	/* The rule set samples 2% (0.5% of all-AEO wagons): some, not many. */
	CU_ASSERT(random > 0 && random * 100 <= 4 * wagons);
}

/* Containers and flat wagons of t whose number fails its check digit. */
static size_t
mistyped(const struct manifest_train *t)
{
	size_t	i, n = 0;

	for (i = 0; i < t->ncontainers; i++)
		n += ident_iso6346_check(t->containers[i]->number, NULL) !=
		    IDENT_OK;
	for (i = 0; i < t->nwagons; i++)
		n += ident_uic_check(t->wagons[i]->number, NULL) != IDENT_OK;
	return n;
}

/* What share of its units kind k's rule hit in one train: *hit of *units. */
static void
measure(enum gen_risk_kind k, const struct decision *d,
    const struct manifest_train *t, size_t *hit, size_t *units)
{
	static const char *const rule[GEN_RISK_COUNT] = { "phyto", "ecommerce-value",
	    "seal-mismatch", "empty-container", "dangerous-goods", "sanctions",
	    "licence", "prohibited", NULL };

	switch (k) {
	case GEN_RISK_SEAL:
		*hit += equipment_hit(d, rule[k]);
		*units += containers_and_flats(t);
		break;
	case GEN_RISK_EMPTY:
		*hit += equipment_hit(d, rule[k]);
		*units += empty_containers(t);
		break;
	case GEN_RISK_CHECK_DIGIT:
		*hit += mistyped(t);
		*units += containers_and_flats(t);
		/* One mistyped number holds the train (blocking-diagnostic). */
		CU_ASSERT_EQUAL(mistyped(t) > 0, d->outcome ==
		    DECISION_OUTCOME_HOLD);
		break;
	default:
		*hit += consignments_hit(d, t, rule[k], k == GEN_RISK_DOC ?
		    "veterinary" : NULL);
		*units += t->nconsignments;
		break;
	}
}

/*
 * Each kind alone at a share: the share of its units its rule hits,
 * over 20 seeds, within four standard deviations (at least 0.05).
 */
static void
t_gen_risk_each_share(void)
{
	enum gen_risk_kind	k;
	uint64_t		seed;

	for (k = 0; k < GEN_RISK_COUNT; k++) {
		struct gen_risk risk;
		double p = k == GEN_RISK_EMPTY ? 0.5 : 0.2, got, tol;
		size_t hit = 0, units = 0;

		gen_risk_clean(&risk);
		risk.share[k] = (uint32_t)(p * GEN_RISK_ONE);
		for (seed = 1; seed <= SEEDS; seed++) {
			struct gen_options o = { 55, 1000, seed,
			    k == GEN_RISK_VALUE, 0, &risk };
			struct manifest_train *t;
			struct decision *d = decide(&o, &t);

			measure(k, d, t, &hit, &units);
			decision_free(d);
			manifest_train_free(t);
		}
		got = units > 0 ? (double)hit / (double)units : -1;
		tol = fmax(0.05, 4 * sqrt(p * (1 - p) / (double)units));
		if (fabs(got - p) > tol)
			fprintf(stderr, "\n%s: %zu of %zu (%.3f), want %.2f +- %.3f\n",
			    gen_risk_name(k), hit, units, got, p, tol);
		CU_ASSERT(units >= 40);
		CU_ASSERT(fabs(got - p) <= tol);
	}
}

/*
 * Another --risk moves only the defects: the same wagons, containers,
 * consignments and item counts as the clean train of the same seed, and
 * a consignment defective at a share stays so at a higher one.
 */
static void
t_gen_risk_only_defects_move(void)
{
	struct gen_risk		 clean = risk_of("0"), some = risk_of("0,doc=0.1"),
				 more = risk_of("0,doc=0.4");
	struct gen_options	 o = { 55, 3000, 99, false, 0, &clean };
	struct manifest_train	*c = gen_train(&o), *t, *u;
	struct decision		*ds, *dm;
	size_t			 i, a, b;

	o.risk = NULL;
	t = gen_train(&o);
	CU_ASSERT_EQUAL_FATAL(t->nwagons, c->nwagons);
	CU_ASSERT_EQUAL_FATAL(t->nconsignments, c->nconsignments);
	for (i = 0; i < t->nwagons; i++)
		CU_ASSERT_STRING_EQUAL(t->wagons[i]->number, c->wagons[i]->number);
	for (i = 0; i < t->nconsignments; i++) {
		CU_ASSERT_STRING_EQUAL(t->consignments[i]->ref,
		    c->consignments[i]->ref);
		CU_ASSERT_EQUAL(t->consignments[i]->nitems,
		    c->consignments[i]->nitems);
	}
	manifest_train_free(t);
	manifest_train_free(c);
	o.risk = &some;
	ds = decide(&o, &t);
	o.risk = &more;
	dm = decide(&o, &u);
	a = consignments_hit(ds, t, "phyto", "veterinary");
	b = consignments_hit(dm, u, "phyto", "veterinary");
	CU_ASSERT(a > 0 && b > 2 * a);
	for (i = 0; i < t->nconsignments; i++)
		if (consignment_has(ds, t->consignments[i]->ref, "phyto",
		    "veterinary"))
			CU_ASSERT(consignment_has(dm, u->consignments[i]->ref,
			    "phyto", "veterinary"));
	decision_free(ds);
	decision_free(dm);
	manifest_train_free(t);
	manifest_train_free(u);
}

/* --risk arguments: what each sets, and the one line each error says. */
static void
t_gen_risk_parse(void)
{
	static const struct {
		const char	*arg;
		const char	*cause;		/* NULL: accepted */
	} cases[] = {
		{ "doc=0.5", NULL },
		{ "0", NULL },
		{ "0,doc=0.05,sanction=1", NULL },
		{ "seal=1e-2", NULL },
		{ "check-digit=0", NULL },
		{ "x=2", "\"x=2\" names no kind of risk (doc, value, seal, empty, "
		    "dangerous, sanction, licence, prohibited, check-digit)" },
		{ "doc=2", "\"doc=2\" share must be from 0 to 1" },
		{ "doc=-0.1", "\"doc=-0.1\" share must be from 0 to 1" },
		{ "1.5", "\"1.5\" share must be from 0 to 1" },
		{ "doc=abc", "\"doc=abc\" share must be a number from 0 to 1" },
		{ "doc=", "\"doc=\" share must be a number from 0 to 1" },
		{ "doc=nan", "\"doc=nan\" share must be a number from 0 to 1" },
		{ "doc=0x1p-2", "\"doc=0x1p-2\" share must be a number from 0 to 1" },
		{ "abc", "\"abc\" is not KIND=SHARE or SHARE" },
		{ "", "\"\" is not KIND=SHARE[,KIND=SHARE...]" },
		{ "doc=0.1,", "\"doc=0.1,\" is not KIND=SHARE[,KIND=SHARE...]" },
		{ "doc=0.1,,seal=0", "\"doc=0.1,,seal=0\" is not "
		    "KIND=SHARE[,KIND=SHARE...]" },
		{ "sanction=1,Doc=0.1", "\"Doc=0.1\" names no kind of risk (doc, "
		    "value, seal, empty, dangerous, sanction, licence, "
		    "prohibited, check-digit)" },
	};
	struct gen_risk	 r, before;
	size_t		 i, k;
	char		*cause;

	for (i = 0; i < nitems(cases); i++) {
		gen_risk_default(&r);
		before = r;
		cause = NULL;
		if (cases[i].cause == NULL) {
			CU_ASSERT_EQUAL(gen_risk_parse(&r, cases[i].arg, &cause), 0);
			continue;
		}
		CU_ASSERT_EQUAL(gen_risk_parse(&r, cases[i].arg, &cause), -1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
		if (strcmp(cause, cases[i].cause) != 0)
			fprintf(stderr, "\n%s: %s\n", cases[i].arg, cause);
		CU_ASSERT_STRING_EQUAL(cause, cases[i].cause);
		/* A refused argument changes nothing, not even its first part. */
		CU_ASSERT_EQUAL(memcmp(&r, &before, sizeof r), 0);
		free(cause);
	}
	/* What the accepted ones set. */
	gen_risk_default(&r);
	CU_ASSERT_EQUAL(gen_risk_parse(&r, "0,doc=0.05,sanction=1", &cause), 0);
	for (k = 0; k < GEN_RISK_COUNT; k++)
		CU_ASSERT_EQUAL(r.share[k], k == GEN_RISK_DOC ? 50000 :
		    k == GEN_RISK_SANCTION ? GEN_RISK_ONE : 0);
	/* Repeated: the later one over the earlier. */
	CU_ASSERT_EQUAL(gen_risk_parse(&r, "doc=0.5", &cause), 0);
	CU_ASSERT_EQUAL(r.share[GEN_RISK_DOC], GEN_RISK_ONE / 2);
	CU_ASSERT_EQUAL(r.share[GEN_RISK_SANCTION], GEN_RISK_ONE);
	/* The defaults: 2-5% document checks, under 1% hold-worthy. */
	gen_risk_default(&r);
	CU_ASSERT(r.share[GEN_RISK_DOC] >= 20000 && r.share[GEN_RISK_DOC] <= 50000);
	CU_ASSERT(r.share[GEN_RISK_SANCTION] + r.share[GEN_RISK_LICENCE] +
	    r.share[GEN_RISK_PROHIBITED] < 10000);
	CU_ASSERT_EQUAL(r.share[GEN_RISK_CHECK_DIGIT], 0);
	for (k = 0; k < GEN_RISK_COUNT; k++)
		CU_ASSERT_PTR_NOT_NULL(gen_risk_about(k));
	CU_ASSERT_PTR_NULL(gen_risk_name(GEN_RISK_COUNT));
}

/* Runs `railgate gen ARGS`; its exit status, stderr into err (owned). */
static int
run_gen(const char *args, char **err)
{
	char	 cmd[1024], path[] = "/tmp/railgate-gen-err-XXXXXX";
	int	 fd = mkstemp(path), st;
	FILE	*f;
	long	 n;

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof cmd, "%s/railgate gen %s > /dev/null 2> %s",
	    test_build_dir(), args, path);
	st = system(cmd);
	*err = NULL;
	if ((f = fopen(path, "rb")) != NULL) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		*err = xcalloc(1, (size_t)n + 1);
		if (fread(*err, 1, (size_t)n, f) != (size_t)n)
			(*err)[0] = '\0';
		fclose(f);
	}
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Usage errors of `railgate gen`: exit 64, one line naming the argument. */
static void
t_gen_risk_cli_usage_errors(void)
{
	static const struct {
		const char	*args;
		const char	*line;
	} cases[] = {
		{ "--risk x=2", "railgate gen: --risk: \"x=2\" names no kind of "
		    "risk (doc, value, seal, empty, dangerous, sanction, licence, "
		    "prohibited, check-digit)" },
		{ "--risk doc=2", "railgate gen: --risk: \"doc=2\" share must be "
		    "from 0 to 1" },
		{ "--risk garbage", "railgate gen: --risk: \"garbage\" is not "
		    "KIND=SHARE or SHARE" },
		{ "--risk 0 --risk doc=1.01", "railgate gen: --risk: \"doc=1.01\" "
		    "share must be from 0 to 1" },
		{ "--wagons abc", "railgate gen: --wagons: \"abc\" must be a "
		    "whole number from 1 to 10000" },
		{ "--wagons 0", "railgate gen: --wagons: \"0\" must be a whole "
		    "number from 1 to 10000" },
		{ "--items -5", "railgate gen: --items: \"-5\" must be a whole "
		    "number from 0 to 100000000" },
		{ "--format json", "railgate gen: --format: \"json\" must be "
		    "edifact or xml" },
		{ "--syntax 5", "railgate gen: --syntax: \"5\" must be 3 or 4" },
		{ "--nonsense", "railgate gen: --nonsense: unknown option" },
		{ "--seed", "railgate gen: --seed: needs a value" },
		{ "surplus", "railgate gen: surplus: unexpected argument" },
	};
	size_t	 i;
	char	*err, want[512];

	for (i = 0; i < nitems(cases); i++) {
		CU_ASSERT_EQUAL(run_gen(cases[i].args, &err), 64);
		snprintf(want, sizeof want, "%s\ntry 'railgate gen --help'\n",
		    cases[i].line);
		CU_ASSERT_PTR_NOT_NULL_FATAL(err);
		if (strcmp(err, want) != 0)
			fprintf(stderr, "\n%s: %s", cases[i].args, err);
		CU_ASSERT_STRING_EQUAL(err, want);
		free(err);
	}
}

/* Reads the file at path (owned), or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*b;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = xcalloc(1, (size_t)n + 1);
	*len = fread(b, 1, (size_t)n, f);
	fclose(f);
	return b;
}

/*
 * The command line: the same options give the same bytes; --clean is
 * --risk 0; --risk moves the bytes; --help lists every kind.
 */
static void
t_gen_risk_cli_bytes(void)
{
	static const char *const runs[] = {
		"--seed 4 --wagons 20 --items 400",
		"--seed 4 --wagons 20 --items 400",
		"--seed 4 --wagons 20 --items 400 --risk 0",
		"--seed 4 --wagons 20 --items 400 --clean",
		"--seed 4 --wagons 20 --items 400 --risk doc=0.5 --risk seal=0.1",
	};
	char	 cmd[1024], path[5][64], *b[5], *help = NULL, *err;
	size_t	 len[5], i, k;
	int	 st;

	for (i = 0; i < nitems(runs); i++) {
		snprintf(path[i], sizeof path[i], "/tmp/railgate-gen-%d-%zu.edi",
		    (int)getpid(), i);
		snprintf(cmd, sizeof cmd, "%s/railgate gen %s -o %s",
		    test_build_dir(), runs[i], path[i]);
		CU_ASSERT_EQUAL(system(cmd), 0);
		b[i] = slurp(path[i], &len[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b[i]);
		unlink(path[i]);
	}
	CU_ASSERT(len[0] == len[1] && memcmp(b[0], b[1], len[0]) == 0);
	CU_ASSERT(len[2] == len[3] && memcmp(b[2], b[3], len[2]) == 0);
	CU_ASSERT(len[0] != len[2] || memcmp(b[0], b[2], len[0]) != 0);
	CU_ASSERT(len[0] != len[4] || memcmp(b[0], b[4], len[0]) != 0);
	for (i = 0; i < nitems(runs); i++)
		free(b[i]);
	snprintf(path[0], sizeof path[0], "/tmp/railgate-gen-%d-help",
	    (int)getpid());
	snprintf(cmd, sizeof cmd, "%s/railgate gen --help > %s",
	    test_build_dir(), path[0]);
	st = system(cmd);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	help = slurp(path[0], &len[0]);
	unlink(path[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(help);
	for (k = 0; k < GEN_RISK_COUNT; k++) {
		snprintf(cmd, sizeof cmd, "\n  %s ", gen_risk_name(k));
		CU_ASSERT_PTR_NOT_NULL(strstr(help, cmd));
	}
	free(help);
	CU_ASSERT_EQUAL(run_gen("--help", &err), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	free(err);
}

static CU_TestInfo gen_risk_tests[] = {
	{ "t_gen_risk_default_mix", t_gen_risk_default_mix },
	{ "t_gen_risk_doc_half", t_gen_risk_doc_half },
	{ "t_gen_risk_sanction_holds", t_gen_risk_sanction_holds },
	{ "t_gen_risk_clean_releases", t_gen_risk_clean_releases },
	{ "t_gen_risk_each_share", t_gen_risk_each_share },
	{ "t_gen_risk_only_defects_move", t_gen_risk_only_defects_move },
	{ "t_gen_risk_parse", t_gen_risk_parse },
	{ "t_gen_risk_cli_usage_errors", t_gen_risk_cli_usage_errors },
	{ "t_gen_risk_cli_bytes", t_gen_risk_cli_bytes },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("gen_risk", risk_init, risk_cleanup, gen_risk_tests)
