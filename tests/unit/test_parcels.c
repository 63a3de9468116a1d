/*
 * test_parcels.c -- parcels set aside instead of their wagon
 * (docs/parcels.md) under the default rule set: with parcel_setaside a
 * parcel over 5,000 CNY or a suspect CT scan sets that parcel aside and
 * nothing else, sorted by container; without it the wagon takes the hit
 * as before.  Officers' resolutions release exactly the parcels listed
 * and never one at HOLD; goods the crew cannot find alone reach their
 * wagon (fail closed); the document reads back whole, is the same on
 * any thread count, and a freight train's is unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/decide.h"
#include "manifest/arena.h"
#include "manifest/decision.h"
#include "manifest/gen.h"
#include "manifest/util.h"
#include "rules/rules.h"

#include "unit.h"

static struct rules_ruleset *rs;

static int
parcels_init(void)
{
	struct diag_list	l;

	diag_list_init(&l, 0);
	rs = rules_ruleset_load("etc/rules/default", &l);
	diag_list_clear(&l);
	return rs == NULL;
}

static int
parcels_cleanup(void)
{
	rules_ruleset_unref(rs);
	return 0;
}

/*
 * A generated e-commerce train of 12 wagons and 6,000 parcels; each
 * parcel gets a tracking number if the generator gave it none.
 */
static struct manifest_train *
ecommerce_train(uint64_t seed)
{
	struct gen_options	 o = { .wagons = 12, .items = 6000,
				    .seed = seed, .ecommerce = true };
	struct manifest_train	*t = gen_train(&o);
	size_t			 i, k;
	char			 trk[64];

	for (i = 0; i < t->nconsignments; i++)
		for (k = 0; k < t->consignments[i]->nitems; k++) {
			struct manifest_item *it = t->consignments[i]->items[k];

			if (it->tracking != NULL)
				continue;
			snprintf(trk, sizeof trk, "T%zuX%zu", i, k);
			it->tracking = arena_strdup(t->arena, trk);
		}
	return t;
}

/* Event bodies (a JSON array) as the daemon stores them: {id, type, body}. */
static char *
stored(const char *bodies)
{
	json_t	*in = json_loads(bodies, 0, NULL), *out = json_array(), *b;
	size_t	 i;
	char	*s;

	json_array_foreach(in, i, b)
		json_array_append_new(out, json_pack("{s:I, s:O, s:O}", "id",
		    (json_int_t)i + 1, "type", json_object_get(b, "type"),
		    "body", b));
	s = json_dumps(out, JSON_COMPACT);
	json_decref(in);
	json_decref(out);
	return s;
}

static struct decision *
decide(const struct manifest_train *t, const char *events, bool setaside,
    unsigned threads)
{
	struct rules_eval_options	 opt = { threads, setaside };
	struct decision			*d;
	char				*cause = NULL, *ev = stored(events);

	d = decide_evaluate(rs, t, ev, NULL, &opt, NULL, &cause);
	CU_ASSERT_PTR_NULL(cause);
	free(cause);
	free(ev);
	return d;
}

/* The hits of rule on the wagons (parcels' hits are not there). */
static size_t
wagon_hits(const struct decision *d, const char *rule)
{
	size_t	i, k, n = 0;

	for (i = 0; i < d->nwagons; i++)
		for (k = 0; k < d->wagons[i].nhits; k++)
			n += strcmp(d->wagons[i].hits[k].rule, rule) == 0;
	return n;
}

static char *
doc(const struct decision *d)
{
	struct buf	b = { 0 };

	decision_json_write(d, DECISION_JSON_NO_TIMING, &b);
	return buf_steal(&b, NULL);
}

/* Set aside: the value hits leave the wagons for the parcels' list. */
static void
t_parcels_value_sets_parcels_aside(void)
{
	struct manifest_train	*t = ecommerce_train(11);
	struct decision		*off = decide(t, "[]", false, 1);
	struct decision		*on = decide(t, "[]", true, 1);
	size_t			 hits = wagon_hits(off, "ecommerce-value"), i;
	size_t			 by[DECISION_ACTION_COUNT], sum = 0;
	const struct decision_parcel *p;

	CU_ASSERT_FATAL(hits > 0);
	CU_ASSERT_FALSE(off->parcels.present);
	CU_ASSERT_TRUE_FATAL(on->parcels.present);
	CU_ASSERT_EQUAL(wagon_hits(on, "ecommerce-value"), 0);
	CU_ASSERT_EQUAL(on->parcels.nset_aside, hits);
	CU_ASSERT_EQUAL(on->parcels.parcels, 6000);
	decision_parcel_counts(on, by);
	CU_ASSERT_EQUAL(by[DECISION_DOC_CHECK], hits);
	for (i = 0; i < on->parcels.nunload; i++) {
		sum += on->parcels.unload[i].parcels;
		CU_ASSERT_FALSE(on->parcels.unload[i].unloaded);
	}
	CU_ASSERT_EQUAL(sum, hits);
	CU_ASSERT_TRUE(decision_parcels_pending(on));
	/* Sorted by position, container, tracking number. */
	for (i = 1; i < on->parcels.nset_aside; i++) {
		p = &on->parcels.set_aside[i];
		CU_ASSERT(p[-1].position < p->position ||
		    (p[-1].position == p->position &&
		    (strcmp(p[-1].container, p->container) < 0 ||
		    (strcmp(p[-1].container, p->container) == 0 &&
		    strcmp(p[-1].tracking, p->tracking) < 0))));
	}
	p = &on->parcels.set_aside[0];
	CU_ASSERT_STRING_EQUAL(p->rule, "ecommerce-value");
	CU_ASSERT_PTR_NOT_NULL(strstr(p->reason, "over 5000 CNY"));
	/* A wagon whose only hits were parcels' is released. */
	for (i = 0; i < on->nwagons; i++)
		CU_ASSERT(on->wagons[i].action <= off->wagons[i].action);
	CU_ASSERT(on->outcome <= off->outcome);
	decision_free(off);
	decision_free(on);
	manifest_train_free(t);
}

/* One suspect CT scan: that parcel alone, at INSPECT. */
static void
t_parcels_ct_suspect_one_parcel(void)
{
	struct manifest_train	*t = ecommerce_train(12);
	const struct manifest_item *it = t->consignments[3]->items[1];
	char			*ev = xasprintf("[{\"type\":\"parcel_scan\","
				    "\"tracking\":\"%s\",\"result\":\"suspect\"}]",
				    it->tracking);
	struct decision		*base = decide(t, "[]", true, 1);
	struct decision		*on = decide(t, ev, true, 1);
	struct decision		*off = decide(t, ev, false, 1);
	size_t			 i, found = 0;

	CU_ASSERT_EQUAL(on->parcels.nset_aside, base->parcels.nset_aside + 1);
	for (i = 0; i < on->parcels.nset_aside; i++)
		if (strcmp(on->parcels.set_aside[i].tracking,
		    it->tracking) == 0) {
			found++;
			CU_ASSERT_EQUAL(on->parcels.set_aside[i].action,
			    DECISION_INSPECT);
			CU_ASSERT_STRING_EQUAL(on->parcels.set_aside[i].rule,
			    "parcel-ct-suspect");
		}
	CU_ASSERT_EQUAL(found, 1);
	for (i = 0; i < on->nwagons; i++)
		CU_ASSERT_EQUAL(on->wagons[i].action, base->wagons[i].action);
	/* Without parcel_setaside the wagon is set out for inspection. */
	CU_ASSERT_EQUAL(wagon_hits(off, "parcel-ct-suspect"), 1);
	free(ev);
	decision_free(base);
	decision_free(on);
	decision_free(off);
	manifest_train_free(t);
}

/* The events releasing the value parcels of the first container listed. */
static char *
resolution_events(const struct decision *d, const char *container,
    size_t *n)
{
	struct buf	b = { 0 };
	size_t		i;

	*n = 0;
	buf_add_str(&b, "[{\"type\":\"parcel_resolution\",\"rule\":"
	    "\"ecommerce-value\",\"action\":\"release\",\"reason\":\"invoices"
	    "\",\"parcels\":[");
	for (i = 0; i < d->parcels.nset_aside; i++) {
		if (strcmp(d->parcels.set_aside[i].container, container) != 0)
			continue;
		buf_printf(&b, "%s\"%s\"", *n > 0 ? "," : "",
		    d->parcels.set_aside[i].tracking);
		(*n)++;
	}
	buf_add_str(&b, "]}]");
	return buf_steal(&b, NULL);
}

/* A resolution of one rule in one container releases exactly those. */
static void
t_parcels_resolution_releases_listed(void)
{
	struct manifest_train	*t = ecommerce_train(13);
	struct decision		*before = decide(t, "[]", true, 1), *after;
	const char		*c = before->parcels.unload[0].container;
	char			*ev, *other;
	size_t			 n, i;

	ev = resolution_events(before, c, &n);
	CU_ASSERT_FATAL(n > 0);
	after = decide(t, ev, true, 1);
	CU_ASSERT_EQUAL(after->parcels.resolved, n);
	CU_ASSERT_EQUAL(after->parcels.nset_aside,
	    before->parcels.nset_aside - n);
	CU_ASSERT_EQUAL(after->parcels.nunload, before->parcels.nunload - 1);
	for (i = 0; i < after->parcels.nset_aside; i++)
		CU_ASSERT(strcmp(after->parcels.set_aside[i].container, c) != 0);
	decision_free(after);
	/* Made for other goods (a replacement since): void. */
	other = xasprintf("[{\"type\":\"parcel_resolution\","
	    "\"goods_sha256\":\"%064d\",%s", 0,
	    ev + strlen("[{\"type\":\"parcel_resolution\","));
	after = decide(t, other, true, 1);
	free(other);
	CU_ASSERT_EQUAL(after->parcels.resolved, 0);
	CU_ASSERT_EQUAL(after->parcels.nset_aside, before->parcels.nset_aside);
	free(ev);
	decision_free(before);
	decision_free(after);
	manifest_train_free(t);
}

/* True if item it is in d's set-aside list. */
static bool
parcel_listed(const struct decision *d, const struct manifest_item *it)
{
	size_t	i;

	for (i = 0; i < d->parcels.nset_aside; i++)
		if (strcmp(d->parcels.set_aside[i].tracking, it->tracking) == 0)
			return true;
	return false;
}

/*
 * Unloaded containers are marked, none pending once all are; a parcel
 * set aside after its container's unloading keeps it on the list.
 */
static void
t_parcels_unloaded(void)
{
	struct manifest_train	*t = ecommerce_train(14);
	struct decision		*d = decide(t, "[]", true, 1), *u;
	struct buf		 b = { 0 };
	size_t			 i;

	const struct manifest_item *late = NULL;
	size_t			 k;
	char			*closed;

	buf_add_str(&b, "[");
	for (i = 0; i < d->parcels.nset_aside; i++)
		buf_printf(&b, "%s{\"type\":\"unloaded\",\"container\":\"%s\","
		    "\"parcels\":[\"%s\"]}", i > 0 ? "," : "",
		    d->parcels.set_aside[i].container,
		    d->parcels.set_aside[i].tracking);
	closed = xasprintf("%s]", b.data);
	u = decide(t, closed, true, 1);
	free(closed);
	CU_ASSERT_TRUE(decision_parcels_pending(d));
	CU_ASSERT_FALSE(decision_parcels_pending(u));
	CU_ASSERT_EQUAL(u->parcels.nset_aside, d->parcels.nset_aside);
	decision_free(u);
	/* A parcel of the first container set aside after its unloading. */
	for (k = 0; late == NULL && k < t->nconsignments; k++)
		for (i = 0; i < t->consignments[k]->nitems; i++)
			if (strcmp(manifest_placement_equipment(
			    t->consignments[k]->items[i]->placements),
			    d->parcels.unload[0].container) == 0 &&
			    !parcel_listed(d, t->consignments[k]->items[i]))
				late = t->consignments[k]->items[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(late);
	buf_printf(&b, ",{\"type\":\"parcel_scan\",\"tracking\":\"%s\","
	    "\"result\":\"suspect\"}]", late->tracking);
	u = decide(t, b.data, true, 1);
	CU_ASSERT_TRUE(decision_parcels_pending(u));
	CU_ASSERT_FALSE(u->parcels.unload[0].unloaded);
	CU_ASSERT_EQUAL(u->parcels.unload[0].parcels,
	    d->parcels.unload[0].parcels + 1);
	buf_free(&b);
	decision_free(d);
	decision_free(u);
	manifest_train_free(t);
}

/* Goods the crew cannot find alone: their hits reach the wagon. */
static void
t_parcels_fail_closed(void)
{
	struct manifest_train	*t = ecommerce_train(11);
	struct decision		*d = decide(t, "[]", true, 1), *e;
	const struct decision_parcel *p = &d->parcels.set_aside[0];
	struct manifest_item	*it = NULL;
	size_t			 i, k;

	for (i = 0; i < t->nconsignments && it == NULL; i++)
		for (k = 0; k < t->consignments[i]->nitems; k++)
			if (strcmp(t->consignments[i]->items[k]->tracking,
			    p->tracking) == 0)
				it = t->consignments[i]->items[k];
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	it->tracking_dup = true;
	e = decide(t, "[]", true, 1);
	CU_ASSERT_EQUAL(e->parcels.nset_aside, d->parcels.nset_aside - 1);
	CU_ASSERT_EQUAL(wagon_hits(e, "ecommerce-value"), 1);
	decision_free(e);
	it->tracking_dup = false;
	it->tracking = NULL;
	e = decide(t, "[]", true, 1);
	CU_ASSERT_EQUAL(wagon_hits(e, "ecommerce-value"), 1);
	CU_ASSERT_EQUAL(e->parcels.parcels, d->parcels.parcels - 1);
	decision_free(e);
	decision_free(d);
	manifest_train_free(t);
}

/* A rule at HOLD: an officer's resolution of it releases nothing. */
static void
t_parcels_hold_not_resolved(void)
{
	struct manifest_train	*t = ecommerce_train(15);
	const char		*trk = t->consignments[0]->items[0]->tracking;
	char			*text = xasprintf("rule parcel-held\n  scope item\n"
				    "  action HOLD\n  when tracking = \"%s\"\n"
				    "  reason \"parcel {tracking} held\"\nend\n", trk);
	struct rules_file	 f = { "main.rules", NULL, text, strlen(text) };
	struct diag_list	 l;
	struct rules_ruleset	*own, *keep = rs;
	struct decision		*d;
	char			*ev;

	diag_list_init(&l, 0);
	own = rules_ruleset_compile("own", &f, 1, &l);
	diag_list_clear(&l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(own);
	rs = own;
	ev = xasprintf("[{\"type\":\"parcel_resolution\",\"rule\":"
	    "\"parcel-held\",\"action\":\"release\",\"reason\":\"r\","
	    "\"parcels\":[\"%s\"]}]", trk);
	d = decide(t, ev, true, 1);
	free(ev);
	free(text);
	rs = keep;
	CU_ASSERT_EQUAL_FATAL(d->parcels.nset_aside, 1);
	CU_ASSERT_EQUAL(d->parcels.set_aside[0].action, DECISION_HOLD);
	CU_ASSERT_EQUAL(d->parcels.resolved, 0);
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_RELEASE);
	decision_free(d);
	rules_ruleset_unref(own);
	manifest_train_free(t);
}

/* Read back whole; the same on any thread count; replay infers it. */
static void
t_parcels_document_round_trip(void)
{
	struct manifest_train	*t = ecommerce_train(11);
	struct decision		*d1 = decide(t, "[]", true, 1);
	struct decision		*d4 = decide(t, "[]", true, 4), *r;
	char			*j1 = doc(d1), *j4 = doc(d4), *jr, *cause = NULL;

	CU_ASSERT_STRING_EQUAL(j1, j4);
	CU_ASSERT_FATAL(d1->parcels.nset_aside > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(j1, "],\"parcels\":{\"counts\":"));
	r = decision_json_read(j1, strlen(j1), &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	jr = doc(r);
	CU_ASSERT_STRING_EQUAL(jr, j1);
	CU_ASSERT_TRUE(decide_document_sets_aside(j1, strlen(j1)));
	free(jr);
	decision_free(r);
	decision_free(d4);
	d4 = decide(t, "[]", false, 1);
	free(j4);
	j4 = doc(d4);
	CU_ASSERT_FALSE(decide_document_sets_aside(j4, strlen(j4)));
	CU_ASSERT_PTR_NULL(strstr(j4, "\"parcels\""));
	/* A damaged "unload" is refused, not guessed. */
	jr = xstrdup(j1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(jr, "\"parcels\":1,"));
	memcpy(strstr(jr, "\"parcels\":1,"), "\"parcels\":7,", 12);
	r = decision_json_read(jr, strlen(jr), &cause);
	CU_ASSERT_PTR_NULL(r);
	free(cause);
	free(jr);
	free(j1);
	free(j4);
	decision_free(d1);
	decision_free(d4);
	manifest_train_free(t);
}

/* A freight train: the same document with parcel_setaside or without. */
static void
t_parcels_freight_unchanged(void)
{
	struct gen_options	 o = { .wagons = 20, .items = 2000, .seed = 5 };
	struct manifest_train	*t = gen_train(&o);
	struct decision		*a = decide(t, "[]", false, 1);
	struct decision		*b = decide(t, "[]", true, 1);
	char			*ja = doc(a), *jb = doc(b);

	CU_ASSERT_STRING_EQUAL(ja, jb);
	free(ja);
	free(jb);
	decision_free(a);
	decision_free(b);
	manifest_train_free(t);
}

/* Stored parcel events that do not read as documented are refused. */
static void
t_parcels_bad_events(void)
{
	static const char *bad[] = {
		"[{\"type\":\"parcel_scan\",\"tracking\":\"A B\","
		    "\"result\":\"suspect\"}]",
		"[{\"type\":\"parcel_scan\",\"tracking\":\"AB\","
		    "\"result\":\"maybe\"}]",
		"[{\"type\":\"unloaded\"}]",
		"[{\"type\":\"unloaded\",\"container\":\"C\"}]",
		"[{\"type\":\"parcel_resolution\",\"rule\":\"r\","
		    "\"action\":\"hold\",\"parcels\":[\"A\"]}]",
		"[{\"type\":\"parcel_resolution\",\"rule\":\"r\","
		    "\"action\":\"release\",\"parcels\":[]}]",
		"[{\"type\":\"parcel_resolution\",\"rule\":\"r\","
		    "\"action\":\"release\",\"parcels\":[\"A\\nB\"]}]",
	};
	struct manifest_train	*t = ecommerce_train(17);
	struct rules_eval_options opt = { 1, true };
	struct decision		*d;
	char			*cause, *ev;
	size_t			 i;

	/* What the daemon takes loads: 35 characters of 2 bytes each. */
	cause = NULL;
	ev = stored("[{\"type\":\"parcel_scan\",\"tracking\":\""
	    "ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ\",\"result\":\"clear\"}]");
	d = decide_evaluate(rs, t, ev, NULL, &opt, NULL, &cause);
	CU_ASSERT_PTR_NOT_NULL(d);
	CU_ASSERT_PTR_NULL(cause);
	decision_free(d);
	free(cause);
	free(ev);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		ev = stored(bad[i]);
		CU_ASSERT_PTR_NULL(decide_evaluate(rs, t, ev, NULL, &opt,
		    NULL, &cause));
		CU_ASSERT_PTR_NOT_NULL(cause);
		free(cause);
		free(ev);
	}
	manifest_train_free(t);
}

static CU_TestInfo parcels_tests[] = {
	{ "t_parcels_value_sets_parcels_aside",
	    t_parcels_value_sets_parcels_aside },
	{ "t_parcels_ct_suspect_one_parcel", t_parcels_ct_suspect_one_parcel },
	{ "t_parcels_resolution_releases_listed",
	    t_parcels_resolution_releases_listed },
	{ "t_parcels_unloaded", t_parcels_unloaded },
	{ "t_parcels_fail_closed", t_parcels_fail_closed },
	{ "t_parcels_hold_not_resolved", t_parcels_hold_not_resolved },
	{ "t_parcels_document_round_trip", t_parcels_document_round_trip },
	{ "t_parcels_freight_unchanged", t_parcels_freight_unchanged },
	{ "t_parcels_bad_events", t_parcels_bad_events },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("parcels", parcels_init, parcels_cleanup, parcels_tests)
