/*
 * test_rules_failclosed.c -- the rule language's fail-closed edition
 * (issue 17): the `edition` directive, goods placed on no wagon judged
 * as train hits, diagnostics tested by severity and scoped to their
 * subject, and the number formatting of reasons.  Trains are EDIFACT
 * texts written here, so that a diagnostic's segment is known.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edi/reader.h"
#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/lang.h"
#include "rules/rules.h"

#include "unit.h"

/* Compiles text as main.rules; NULL with the first error in err. */
static struct rules_ruleset *
fc_compile(const char *text, char *err, size_t errsize)
{
	struct rules_file	 f = { "main.rules", NULL, text, strlen(text) };
	struct diag_list	 l;
	struct rules_ruleset	*rs;

	diag_list_init(&l, 0);
	rs = rules_ruleset_compile("fc", &f, 1, &l);
	if (err != NULL) {
		err[0] = '\0';
		if (l.n > 0)
			snprintf(err, errsize, "%s:%u:%u: %s", l.v[0].loc.file,
			    l.v[0].loc.line, l.v[0].loc.col, l.v[0].message);
	}
	diag_list_clear(&l);
	return rs;
}

/* The first compile error of text ("" if it compiles); static buffer. */
static const char *
fc_error(const char *text)
{
	static char		 err[512];
	struct rules_ruleset	*rs = fc_compile(text, err, sizeof err);

	rules_ruleset_unref(rs);
	return err;
}

static void
t_rules_failclosed_edition_parse(void)
{
	struct rules_ruleset	*rs;
	const char		*rule = "rule r scope train action AUDIT "
				    "when true reason \"r\" end\n";
	char			 text[512];

	rs = fc_compile(rule, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(rules_ruleset_edition(rs), 1);
	rules_ruleset_unref(rs);
	snprintf(text, sizeof text, "ruleset \"x\"\nedition 2\n%s", rule);
	rs = fc_compile(text, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(rules_ruleset_edition(rs), 2);
	rules_ruleset_unref(rs);
	snprintf(text, sizeof text, "edition 1\n%s", rule);
	rs = fc_compile(text, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(rules_ruleset_edition(rs), 1);
	rules_ruleset_unref(rs);
}

static void
t_rules_failclosed_edition_errors(void)
{
	CU_ASSERT_STRING_EQUAL(fc_error("ruleset \"x\"\n  edition 4\n"),
	    "main.rules:2:11: this rule set needs edition 4; this railgate "
	    "knows editions 1 to 3");
	CU_ASSERT_STRING_EQUAL(fc_error("edition 2\nedition 2\n"),
	    "main.rules:2:1: 'edition' is given twice: a rule set has one "
	    "edition");
	CU_ASSERT_STRING_EQUAL(fc_error("edition two\n"),
	    "main.rules:1:9: expected an edition number (1 to 3), found 'two'");
	CU_ASSERT_STRING_EQUAL(fc_error("edition 1.5\n"),
	    "main.rules:1:9: expected an edition number (1 to 3), found '1.5'");
	CU_ASSERT_STRING_EQUAL(fc_error("edition 0\n"),
	    "main.rules:1:9: expected an edition number (1 to 3), found '0'");
}

/* What commit 7c791f2 wrote for fc_ivory_unplaced under FC_PROHIBITED. */
#define FC_EDITION1_JSON \
	"{\"train\":\"X8024\",\"manifest_sha256\":\"\",\"ruleset\":{\"" \
	"name\":\"fc\",\"sha256\":\"49cf63b0672cec3e84593bbefeb82bcb9" \
	"dd825d994f3101e14f98c29f4a38973\"},\"decision\":\"RELEASE\"," \
	"\"final\":false,\"counts\":{\"wagons\":1,\"containers\":1,\"" \
	"consignments\":1,\"items\":2,\"released\":1,\"audit\":0,\"do" \
	"c_check\":0,\"set_out\":0},\"set_out\":[],\"wagons\":[{\"pos" \
	"ition\":1,\"wagon\":\"315279550018\",\"action\":\"RELEASE\"}" \
	"],\"train_hits\":[],\"diagnostics\":[{\"severity\":\"warning" \
	"\",\"code\":\"ITEM_NOT_PLACED\",\"where\":\"segment 16 (GID)" \
	", byte 336\",\"message\":\"goods item 2 of C1 is placed on n" \
	"o wagon or container\"}]}"

/* The interchange around a message body: header, body, UNT with its count. */
static char *
fc_edi(const char *body)
{
	static const char	*head = "UNH+1+CUSCAR:D:96B:UN'\n"
				    "BGM+85+MF-2026-1+9'\n"
				    "DTM+137:202611220740:203'\n"
				    "TDT+20+X8024+2'\n"
				    "LOC+22+CNAKA'\n";
	size_t			 nseg = 1;	/* UNT */
	const char		*p;

	for (p = head; *p != '\0'; p++)
		nseg += *p == '\'';
	for (p = body; *p != '\0'; p++)
		nseg += *p == '\'';
	return xasprintf("UNB+UNOC:3+KZKTZE:ZZZ+CNALKCUSTOMS:ZZZ+261122:0740+"
	    "KTZ0007'\n%s%sUNT+%zu+1'\nUNZ+1+KTZ0007'\n", head, body, nseg);
}

/* Reads the EDIFACT body into a finished train; caller frees. */
static struct manifest_train *
fc_train(const char *body)
{
	struct manifest_train	*t = manifest_train_new();
	char			*edi = fc_edi(body);

	CU_ASSERT_EQUAL(edi_read(edi, strlen(edi), t), 0);
	free(edi);
	return t;
}

/* Evaluates body with rules on threads threads; caller frees the decision. */
static struct decision *
fc_decide_on(const char *rules, const char *body, unsigned threads)
{
	struct rules_eval_options	 opt = { threads };
	struct rules_ruleset		*rs = fc_compile(rules, NULL, 0);
	struct manifest_train		*t = fc_train(body);
	struct decision			*d = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(rules_evaluate(rs, t, NULL, &opt, &d), 0);
	rules_ruleset_unref(rs);
	manifest_train_free(t);
	return d;
}

/* Evaluates body with rules on one thread; caller frees the decision. */
static struct decision *
fc_decide(const char *rules, const char *body)
{
	return fc_decide_on(rules, body, 1);
}

/* The decision's JSON without timing; caller frees. */
static char *
fc_json(const struct decision *d)
{
	struct buf	b = { 0 };

	decision_json_write(d, DECISION_JSON_NO_TIMING, &b);
	return buf_steal(&b, NULL);
}

/* The document reads back from its JSON to the same JSON (the store's way). */
static void
fc_roundtrip(const struct decision *d)
{
	char		*j = fc_json(d), *j2, *cause = NULL;
	struct decision	*back = decision_json_read(j, strlen(j), &cause);

	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	j2 = fc_json(back);
	CU_ASSERT_STRING_EQUAL(j, j2);
	CU_ASSERT(strstr(j, "\"train_hits\":[{") != NULL);
	free(j);
	free(j2);
	free(cause);
	decision_free(back);
}

/* Hits of every wagon, counted. */
static size_t
fc_wagon_hits(const struct decision *d)
{
	size_t	i, n = 0;

	for (i = 0; i < d->nwagons; i++)
		n += d->wagons[i].nhits;
	return n;
}

/* One wagon carrying one container, and goods of consignment C1. */
#define FC_WAGON \
	"EQD+RR+315279550018+Sgns'\n" \
	"MEA+WT+T+KGM:20500'\n" \
	"EQD+CN+TGHU1234567+45G1+++5'\n" \
	"MEA+AAE+G+KGM:24310'\n"
#define FC_GEARBOXES \
	"GID+1+40:PK'\n" \
	"FTX+AAA+++Gearboxes'\n" \
	"SGP+TGHU1234567+40'\n" \
	"CST++870840:122'\n"
#define FC_IVORY(sgp) \
	"GID+2+3:CS'\n" \
	"FTX+AAA+++Ivory carvings'\n" \
	sgp \
	"CST++050790:122'\n"

#define FC_PROHIBITED \
	"rule prohibited\n scope item\n action REFUSE\n" \
	" when hs starts \"0507\"\n" \
	" reason \"{description} (HS {hs}) is prohibited\"\nend\n"

/* Ivory with no placement at all (no SGP). */
static const char fc_ivory_unplaced[] = FC_WAGON "CNI+1+C1'\n" FC_GEARBOXES
    FC_IVORY("");

static void
t_rules_failclosed_unplaced_item_holds(void)
{
	struct decision		*d = fc_decide("edition 2\n" FC_PROHIBITED,
				    fc_ivory_unplaced);
	const struct decision_hit *h;

	CU_ASSERT_EQUAL(fc_wagon_hits(d), 0);
	CU_ASSERT_EQUAL_FATAL(d->ntrain_hits, 1);
	h = &d->train_hits[0];
	CU_ASSERT_STRING_EQUAL(h->rule, "prohibited");
	CU_ASSERT_EQUAL(h->action, DECISION_REFUSE);
	CU_ASSERT_PTR_NULL(h->subject.wagon);
	CU_ASSERT_STRING_EQUAL(h->subject.consignment, "C1");
	CU_ASSERT_EQUAL(h->subject.item, 2);
	CU_ASSERT_STRING_EQUAL(h->reason, "Ivory carvings (HS 050790) is "
	    "prohibited -- not on any wagon of the train: consignment C1, "
	    "item 2 (Ivory carvings, HS 050790), which the manifest places on "
	    "no wagon or container");
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_HOLD);
	fc_roundtrip(d);
	decision_free(d);
}

/*
 * The same train under edition 1: unplaced goods are not judged, and the
 * document is the very one the code before editions wrote (captured from
 * commit 7c791f2).
 */
static const char fc_edition1_json[] = FC_EDITION1_JSON;

static void
t_rules_failclosed_edition1_unchanged(void)
{
	struct decision	*d = fc_decide(FC_PROHIBITED, fc_ivory_unplaced);
	char		*j = fc_json(d);

	CU_ASSERT_EQUAL(d->ntrain_hits, 0);
	CU_ASSERT_EQUAL(fc_wagon_hits(d), 0);
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_RELEASE);
	CU_ASSERT_STRING_EQUAL(j, fc_edition1_json);
	free(j);
	decision_free(d);
}

/* A container listed before any wagon: on no wagon. */
static void
t_rules_failclosed_container_before_wagons(void)
{
	struct decision		*d = fc_decide("edition 2\n" FC_PROHIBITED,
				    "EQD+CN+CAIU7601140+22G1+++5'\n"
				    FC_WAGON "CNI+1+C1'\n" FC_GEARBOXES
				    FC_IVORY("SGP+CAIU7601140+3'\n"));

	CU_ASSERT_EQUAL_FATAL(d->ntrain_hits, 1);
	CU_ASSERT_STRING_EQUAL(d->train_hits[0].reason, "Ivory carvings (HS "
	    "050790) is prohibited -- not on any wagon of the train: "
	    "consignment C1, item 2 (Ivory carvings, HS 050790), placed on "
	    "CAIU7601140, which no wagon carries");
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_HOLD);
	decision_free(d);
}

/* Unknown equipment; goods also on a wagon are judged there too. */
static void
t_rules_failclosed_unknown_equipment(void)
{
	struct decision		*d = fc_decide("edition 2\n" FC_PROHIBITED,
				    FC_WAGON "CNI+1+C1'\n" FC_GEARBOXES
				    FC_IVORY("SGP+TGHU1234567+1'\n"
				    "SGP+MSKU4412090+2'\n"));

	CU_ASSERT_EQUAL_FATAL(d->ntrain_hits, 1);
	CU_ASSERT_STRING_EQUAL(d->train_hits[0].reason, "Ivory carvings (HS "
	    "050790) is prohibited -- not on any wagon of the train: "
	    "consignment C1, item 2 (Ivory carvings, HS 050790), placed on "
	    "MSKU4412090, which the manifest does not list");
	CU_ASSERT_EQUAL_FATAL(d->wagons[0].nhits, 1);
	CU_ASSERT_STRING_EQUAL(d->wagons[0].hits[0].reason,
	    "Ivory carvings (HS 050790) is prohibited");
	CU_ASSERT_EQUAL(d->wagons[0].hits[0].subject.item, 2);
	decision_free(d);
}

/* A consignment every item of which is placed on no wagon. */
static void
t_rules_failclosed_consignment_all_unplaced(void)
{
	struct decision	*d = fc_decide("edition 2\n"
			    "rule c2 scope consignment action HOLD\n"
			    " when ref = \"C2\" and wagon.number is missing\n"
			    " reason \"{ref} on wagon {wagon.number}\" end\n"
			    "rule every scope item action AUDIT\n"
			    " when not placed reason \"item {seq}\" end\n",
			    FC_WAGON "CNI+1+C1'\n" FC_GEARBOXES
			    "CNI+2+C2'\n" FC_IVORY("")
			    "GID+3+1:CS'\nSGP+ZZZU0000000+1'\n");

	CU_ASSERT_EQUAL(fc_wagon_hits(d), 0);
	CU_ASSERT_EQUAL_FATAL(d->ntrain_hits, 3);
	CU_ASSERT_STRING_EQUAL(d->train_hits[0].rule, "c2");
	CU_ASSERT_STRING_EQUAL(d->train_hits[0].subject.consignment, "C2");
	CU_ASSERT_EQUAL(d->train_hits[0].subject.item, 0);
	CU_ASSERT_STRING_EQUAL(d->train_hits[0].reason, "C2 on wagon (none) "
	    "-- not on any wagon of the train: consignment C2, item 2 (Ivory "
	    "carvings, HS 050790), which the manifest places on no wagon or "
	    "container; item 3 (no description, no HS code), placed on "
	    "ZZZU0000000, which the manifest does not list");
	CU_ASSERT_STRING_EQUAL(d->train_hits[1].rule, "every");
	CU_ASSERT_EQUAL(d->train_hits[1].subject.item, 2);
	CU_ASSERT_EQUAL(d->train_hits[2].subject.item, 3);
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_HOLD);
	decision_free(d);
}

/* placed and train.unplaced_items are new: they work in edition 1 too. */
static void
t_rules_failclosed_placed_fields(void)
{
	struct decision	*d = fc_decide(
			    "rule n scope train action AUDIT\n"
			    " when train.unplaced_items > 0\n"
			    " reason \"{train.unplaced_items} unplaced\" end\n"
			    "rule p scope item action AUDIT when not placed\n"
			    " reason \"item {seq} also elsewhere\" end\n",
			    FC_WAGON "CNI+1+C1'\n" FC_GEARBOXES
			    FC_IVORY("SGP+TGHU1234567+1'\nSGP+MSKU4412090+2'\n")
			    "GID+3+1:CS'\n");

	CU_ASSERT_EQUAL_FATAL(d->ntrain_hits, 1);
	CU_ASSERT_STRING_EQUAL(d->train_hits[0].reason, "2 unplaced");
	CU_ASSERT_EQUAL_FATAL(d->wagons[0].nhits, 1);
	CU_ASSERT_STRING_EQUAL(d->wagons[0].hits[0].reason,
	    "item 2 also elsewhere");
	decision_free(d);
}

/*
 * A rule that can hold only for goods on no wagon (`not placed`, alone or
 * in an `and`) is left out of the evaluation of a train whose goods are
 * all placed (a million items need not test it); one that can hold
 * otherwise (`or`) is not.  The train counts its unplaced items once.
 */
static void
t_rules_failclosed_only_unplaced(void)
{
	struct rules_ruleset	*rs = fc_compile("edition 2\n"
				    "rule a scope item action DOC_CHECK\n"
				    " when not placed reason \"a\" end\n"
				    "rule b scope item action DOC_CHECK\n"
				    " when hs starts \"05\" and not placed reason \"b\" end\n"
				    "rule c scope item action DOC_CHECK\n"
				    " when not placed or hs starts \"05\" reason \"c\" end\n"
				    "rule d scope train action DOC_CHECK\n"
				    " when not (train.unplaced_items > 0) reason \"d\" end\n",
				    NULL, 0);
	struct manifest_train	*t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_TRUE(rs->rules[0].only_unplaced);
	CU_ASSERT_TRUE(rs->rules[1].only_unplaced);
	CU_ASSERT_FALSE(rs->rules[2].only_unplaced);
	CU_ASSERT_FALSE(rs->rules[3].only_unplaced);
	rules_ruleset_unref(rs);
	t = fc_train(fc_ivory_unplaced);
	CU_ASSERT_EQUAL(t->nunplaced, 1);
	manifest_train_free(t);
	t = fc_train(FC_WAGON "CNI+1+C1'\n" FC_GEARBOXES);
	CU_ASSERT_EQUAL(t->nunplaced, 0);
	manifest_train_free(t);
}

/* The hits of rule r on wagon wi, counted. */
static size_t
fc_count(const struct decision *d, size_t wi, const char *r)
{
	size_t	k, n = 0;

	for (k = 0; k < d->wagons[wi].nhits; k++)
		n += strcmp(d->wagons[wi].hits[k].rule, r) == 0;
	return n;
}

static void
t_rules_failclosed_diagnostic_severity(void)
{
	struct decision	*d = fc_decide(
			    "rule w scope train action AUDIT\n"
			    " when diagnostic severity warning\n"
			    " reason \"{diagnostic}\" end\n"
			    "rule e scope train action AUDIT\n"
			    " when diagnostic severity error or diagnostic "
			    "severity info\n reason \"e\" end\n",
			    fc_ivory_unplaced);

	CU_ASSERT_EQUAL_FATAL(d->ntrain_hits, 1);
	CU_ASSERT_STRING_EQUAL(d->train_hits[0].rule, "w");
	CU_ASSERT_STRING_EQUAL(d->train_hits[0].reason, "ITEM_NOT_PLACED at "
	    "segment 16 (GID), byte 336: goods item 2 of C1 is placed on no "
	    "wagon or container");
	decision_free(d);
	CU_ASSERT_STRING_EQUAL(fc_error("rule x scope train action HOLD\n"
	    " when diagnostic severity fatal reason \"x\" end\n"),
	    "main.rules:2:27: expected a severity (error, warning, info) after "
	    "'diagnostic severity', found 'fatal'");
}

/* Evaluates train t with rules (edition given in the text); caller frees. */
static struct decision *
fc_decide_train(const char *rules, const struct manifest_train *t)
{
	struct rules_ruleset	*rs = fc_compile(rules, NULL, 0);
	struct decision		*d = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(rules_evaluate(rs, t, NULL, NULL, &d), 0);
	rules_ruleset_unref(rs);
	return d;
}

#define FC_DROPPED_RULES \
	"rule many scope train action HOLD\n" \
	" when diagnostic TOO_MANY_DIAGNOSTICS reason \"{diagnostic}\" end\n" \
	"rule err scope train action HOLD\n" \
	" when diagnostic severity error reason \"e\" end\n" \
	"rule code scope train action HOLD\n" \
	" when diagnostic UNT_COUNT reason \"c\" end\n"

/*
 * More diagnostics than the list keeps: in edition 2 the dropped ones
 * still count at train scope -- TOO_MANY_DIAGNOSTICS holds, and the
 * counts answer a severity test -- while a code test cannot know what
 * was dropped.  Edition 1 sees only what was kept, as before.
 */
static void
t_rules_failclosed_dropped_diagnostics(void)
{
	struct manifest_train	*t = fc_train(fc_ivory_unplaced);
	struct diag_loc		 loc = diag_loc_none();
	struct decision		*d;

	diag_list_clear(&t->diags);
	t->diags.limit = 1;
	diag_add(&t->diags, DIAG_WARNING, "UNKNOWN_ELEMENT", &loc, "kept");
	diag_add(&t->diags, DIAG_ERROR, "UNT_COUNT", &loc, "dropped");
	CU_ASSERT_EQUAL_FATAL(t->diags.dropped, 1);
	d = fc_decide_train("edition 2\n" FC_DROPPED_RULES, t);
	CU_ASSERT_EQUAL(d->ntrain_hits, 2);
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_HOLD);
	CU_ASSERT_STRING_EQUAL(d->train_hits[0].rule, "many");
	CU_ASSERT_PTR_NOT_NULL(strstr(d->train_hits[0].reason,
	    "TOO_MANY_DIAGNOSTICS: more diagnostics than a list keeps"));
	CU_ASSERT_STRING_EQUAL(d->train_hits[1].rule, "err");
	decision_free(d);
	d = fc_decide_train(FC_DROPPED_RULES, t);
	CU_ASSERT_EQUAL(d->ntrain_hits, 0);
	decision_free(d);
	manifest_train_free(t);
}

/*
 * Wagon 1 with a bad tare, listed again after wagon 2 (DUPLICATE_WAGON is
 * raised there, after wagon 2's container, but is about wagon 1); wagon 2
 * carries an item without an HS code.
 */
static const char fc_two_wagons[] =
    "EQD+RR+315279550018+Sgns'\n"
    "MEA+WT+T+KGM:20x00'\n"
    "EQD+CN+TGHU1234567+45G1+++5'\n"
    "EQD+RR+315279550026+Sgmmns'\n"
    "MEA+WT+T+KGM:19800'\n"
    "EQD+CN+MSKU4412090+45R1+++5'\n"
    "EQD+RR+315279550018+Sgns'\n"
    "CNI+1+C1'\n" FC_GEARBOXES
    "GID+2+5:CS'\n"
    "FTX+AAA+++Spare parts'\n"
    "SGP+MSKU4412090+5'\n";

#define FC_SCOPED \
	"rule hs scope wagon action DOC_CHECK when diagnostic HS_MISSING\n" \
	" reason \"{number}: {diagnostic}\" end\n" \
	"rule bad scope wagon action DOC_CHECK when diagnostic BAD_NUMBER\n" \
	" reason \"{number}: {diagnostic}\" end\n" \
	"rule dup scope wagon action DOC_CHECK\n" \
	" when diagnostic DUPLICATE_WAGON reason \"dup\" end\n" \
	"rule box scope container action DOC_CHECK\n" \
	" when diagnostic severity warning reason \"{number}\" end\n" \
	"rule it scope item action AUDIT\n" \
	" when diagnostic severity warning reason \"{diagnostic}\" end\n"

static void
t_rules_failclosed_diagnostic_scoped(void)
{
	struct decision	*d = fc_decide("edition 2\n" FC_SCOPED, fc_two_wagons);

	CU_ASSERT_EQUAL_FATAL(d->nwagons, 2);
	CU_ASSERT_EQUAL(fc_count(d, 0, "hs"), 0);
	CU_ASSERT_EQUAL(fc_count(d, 1, "hs"), 1);
	CU_ASSERT_EQUAL(fc_count(d, 0, "bad"), 1);
	CU_ASSERT_EQUAL(fc_count(d, 1, "bad"), 0);
	CU_ASSERT_EQUAL(fc_count(d, 0, "dup"), 1);
	CU_ASSERT_EQUAL(fc_count(d, 1, "dup"), 0);
	CU_ASSERT_EQUAL(fc_count(d, 0, "box"), 0);
	CU_ASSERT_EQUAL(fc_count(d, 1, "box"), 1);
	CU_ASSERT_EQUAL(fc_count(d, 0, "it"), 0);
	CU_ASSERT_EQUAL(fc_count(d, 1, "it"), 1);
	CU_ASSERT_STRING_EQUAL(d->wagons[1].hits[0].reason, "315279550026: "
	    "HS_MISSING at segment 19 (GID), byte 418: goods item 2 of C1 has "
	    "no HS code");
	CU_ASSERT_STRING_EQUAL(d->wagons[0].hits[0].reason, "315279550018: "
	    "BAD_NUMBER at segment 8 (MEA), byte 185: mass \"20x00\" is not "
	    "a number");
	decision_free(d);
	/* Edition 1: a diagnostic anywhere, at every scope, as before. */
	d = fc_decide(FC_SCOPED, fc_two_wagons);
	CU_ASSERT_EQUAL(fc_count(d, 0, "hs"), 1);
	CU_ASSERT_EQUAL(fc_count(d, 1, "hs"), 1);
	CU_ASSERT_EQUAL(fc_count(d, 0, "bad"), 1);
	CU_ASSERT_EQUAL(fc_count(d, 1, "bad"), 1);
	CU_ASSERT_EQUAL(fc_count(d, 0, "it"), 1);
	decision_free(d);
}

/* Edition 2's document does not depend on the thread count either. */
static void
t_rules_failclosed_threads(void)
{
	const char	*rules = "edition 2\n" FC_SCOPED FC_PROHIBITED;
	const char	*body = FC_WAGON "CNI+1+C1'\n" FC_GEARBOXES
			    FC_IVORY("SGP+ZZZU0000000+3'\n")
			    "EQD+RR+315279550026+Sgmmns'\n"
			    "GID+3+1:CS'\nSGP+315279550026+1'\n";
	struct decision	*d1 = fc_decide_on(rules, body, 1);
	struct decision	*d4 = fc_decide_on(rules, body, 4);
	char		*j1 = fc_json(d1), *j4 = fc_json(d4);

	CU_ASSERT_STRING_EQUAL(j1, j4);
	CU_ASSERT_EQUAL(d1->ntrain_hits, 1);	/* prohibited: item 2 */
	CU_ASSERT_EQUAL(fc_count(d1, 1, "hs"), 1);	/* item 3, on wagon 2 */
	free(j1);
	free(j4);
	decision_free(d1);
	decision_free(d4);
}

/*
 * Each goods and equipment code lands on its object: BAD_UNIT on the
 * container's MEA, BAD_NUMBER on the consignment's MOA, HS_CODE on the
 * item's CST, UNKNOWN_EQUIPMENT at the item's SGP, ITEM_NOT_PLACED and
 * HS_MISSING at its GID, CONTAINER_NO_WAGON at the container's EQD.
 */
static void
t_rules_failclosed_diagnostic_subjects(void)
{
	struct decision	*d = fc_decide("edition 2\n"
			    "rule it scope item action AUDIT\n"
			    " when diagnostic severity warning or diagnostic "
			    "severity error\n reason \"{seq} {diagnostic}\" end\n"
			    "rule cs scope consignment action AUDIT\n"
			    " when diagnostic BAD_NUMBER reason \"{ref}\" end\n"
			    "rule box scope container action AUDIT\n"
			    " when diagnostic BAD_UNIT reason \"{number}\" end\n",
			    "EQD+CN+CAIU7601140+22G1+++5'\n" FC_WAGON
			    "MEA+AAE+G+LBR:24310'\n"
			    "CNI+1+C1'\nMOA+40:12x:USD'\n"
			    "GID+1+40:PK'\nSGP+TGHU1234567+40'\nCST++ABC:122'\n"
			    "GID+2+3:CS'\nCST++050790:122'\nSGP+ZZZU0000000+3'\n"
			    "GID+3+1:CS'\n"
			    "GID+4+1:CS'\nSGP+CAIU7601140+1'\nCST++050790:122'\n");
	const struct decision_hit *h;

	CU_ASSERT_EQUAL_FATAL(d->wagons[0].nhits, 3);
	h = d->wagons[0].hits;
	CU_ASSERT_STRING_EQUAL(h[0].reason,
	    "1 HS_CODE at segment 17 (CST), byte 364: \"ABC\" is not an HS "
	    "code of 6 to 10 digits");
	CU_ASSERT_STRING_EQUAL(h[1].reason, "C1");
	CU_ASSERT_STRING_EQUAL(h[2].reason, "TGHU1234567");
	/* Item 4 is in a container on no wagon: that is the container's. */
	CU_ASSERT_EQUAL_FATAL(d->ntrain_hits, 3);
	h = d->train_hits;
	CU_ASSERT_STRING_EQUAL(h[0].rule, "it");
	CU_ASSERT_EQUAL(h[0].subject.item, 2);
	CU_ASSERT(strncmp(h[0].reason, "2 UNKNOWN_EQUIPMENT at segment 20 "
	    "(SGP)", 34) == 0);
	CU_ASSERT_EQUAL(h[1].subject.item, 3);
	CU_ASSERT(strncmp(h[1].reason, "3 HS_MISSING at segment 21 (GID)",
	    32) == 0);
	CU_ASSERT_STRING_EQUAL(h[2].rule, "cs");
	CU_ASSERT_EQUAL(h[2].subject.item, 0);
	fc_roundtrip(d);
	decision_free(d);
}

static void
t_rules_failclosed_round_grouped(void)
{
	struct decision	*d = fc_decide(
			    "rule n scope train action AUDIT when true\n"
			    " reason \"{round(2.5)} {round(-2.5)} {round(2.499)} "
			    "{1234567.5|grouped} {-1000|grouped} {999|grouped} "
			    "{round(1234.5)|grouped} {1234} {abs(-5) * 2}\" end\n"
			    "rule wv scope wagon action INSPECT when true\n"
			    " reason \"declared {declared_mass|grouped} kg\"\n"
			    " would_pass_if \"a weighbridge reading between "
			    "{round(declared_mass * 0.95)|grouped} and "
			    "{ round(declared_mass * 1.05) | grouped } kg; "
			    "{weighbridge|grouped}\" end\n",
			    "EQD+RR+315279550018+Sgns'\nMEA+WT+T+KGM:20000'\n"
			    "EQD+CN+TGHU1234567+45G1+++5'\nMEA+AAE+G+KGM:4100'\n");

	CU_ASSERT_EQUAL_FATAL(d->ntrain_hits, 1);
	CU_ASSERT_STRING_EQUAL(d->train_hits[0].reason,
	    "3 -3 2 1,234,567.5 -1,000 999 1,235 1234 10");
	CU_ASSERT_EQUAL_FATAL(d->wagons[0].nhits, 1);
	CU_ASSERT_STRING_EQUAL(d->wagons[0].hits[0].reason,
	    "declared 24,100 kg");
	CU_ASSERT_STRING_EQUAL(d->wagons[0].hits[0].would_pass_if,
	    "a weighbridge reading between 22,895 and 25,305 kg; (unknown)");
	decision_free(d);
	CU_ASSERT_STRING_EQUAL(fc_error("rule x scope item action HOLD when "
	    "true\n reason \"{hs|grouped}\" end\n"),
	    "main.rules:2:13: '|grouped' formats a number, but this is a text");
	CU_ASSERT_STRING_EQUAL(fc_error("rule x scope item action HOLD when "
	    "true\n reason \"{seq|fancy}\" end\n"),
	    "main.rules:2:15: expected a format after '|' (grouped), found "
	    "'fancy'");
	CU_ASSERT_STRING_EQUAL(fc_error("rule x scope item action HOLD when "
	    "true\n reason \"{round(hs)}\" end\n"),
	    "main.rules:2:11: round needs a number, but this is a text");
}

static CU_TestInfo rules_failclosed_tests[] = {
	{ "t_rules_failclosed_edition_parse", t_rules_failclosed_edition_parse },
	{ "t_rules_failclosed_edition_errors", t_rules_failclosed_edition_errors },
	{ "t_rules_failclosed_unplaced_item_holds",
	    t_rules_failclosed_unplaced_item_holds },
	{ "t_rules_failclosed_edition1_unchanged",
	    t_rules_failclosed_edition1_unchanged },
	{ "t_rules_failclosed_container_before_wagons",
	    t_rules_failclosed_container_before_wagons },
	{ "t_rules_failclosed_unknown_equipment",
	    t_rules_failclosed_unknown_equipment },
	{ "t_rules_failclosed_consignment_all_unplaced",
	    t_rules_failclosed_consignment_all_unplaced },
	{ "t_rules_failclosed_placed_fields", t_rules_failclosed_placed_fields },
	{ "t_rules_failclosed_only_unplaced", t_rules_failclosed_only_unplaced },
	{ "t_rules_failclosed_diagnostic_severity",
	    t_rules_failclosed_diagnostic_severity },
	{ "t_rules_failclosed_diagnostic_scoped",
	    t_rules_failclosed_diagnostic_scoped },
	{ "t_rules_failclosed_diagnostic_subjects",
	    t_rules_failclosed_diagnostic_subjects },
	{ "t_rules_failclosed_round_grouped", t_rules_failclosed_round_grouped },
	{ "t_rules_failclosed_dropped_diagnostics",
	    t_rules_failclosed_dropped_diagnostics },
	{ "t_rules_failclosed_threads", t_rules_failclosed_threads },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("rules_failclosed", NULL, NULL, rules_failclosed_tests)
