/*
 * test_evidence.c -- control evidence read by the rules (issue 17):
 * scans of containers and wagons, seal checks against the manifest's
 * seals, every weighbridge reading kept (edition 1: the latest counts,
 * edition 2: the largest variance since the latest re-weigh), the
 * neighbour's suspect results and set-outs; each new field true and
 * false, and malformed events and neighbour data refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"
#include "rules/context.h"
#include "rules/lang.h"
#include "rules/rules.h"

#include "unit.h"

/* One rule per new field; each reason prints the texts that go with it. */
static const char evidence_rules[] =
    "rule scan-w\n scope wagon\n action INSPECT\n when scan_suspect\n"
    " reason \"wagon {number} scan {scan}\"\nend\n"
    "rule scan-c\n scope container\n action INSPECT\n when scan_suspect\n"
    " reason \"container {number} scan {scan}\"\nend\n"
    "rule seal-w\n scope wagon\n action INSPECT\n when seal_check_differs\n"
    " reason \"seal check found {seal_reported} where the manifest "
    "declares {seals_declared}\"\nend\n"
    "rule seal-c\n scope container\n action INSPECT\n"
    " when seal_check_differs\n reason \"seal check found {seal_reported} "
    "where the manifest declares {seals_declared}\"\nend\n"
    "rule seal-seen\n scope container\n action AUDIT\n"
    " when seal_reported is known and not seal_check_differs\n"
    " reason \"{seal_reported} / {seals_declared}\"\nend\n"
    "rule wb\n scope wagon\n action AUDIT\n when weighbridge is known\n"
    " reason \"{weighbridge} kg, {variance}%, from {weighbridge_source}\"\n"
    "end\n"
    "rule nb-w\n scope wagon\n action INSPECT\n when neighbour_suspect\n"
    " reason \"{neighbour_service}: {neighbour_result}\"\nend\n"
    "rule nb-c\n scope container\n action INSPECT\n"
    " when neighbour_suspect\n"
    " reason \"{neighbour_service}: {neighbour_result}\"\nend\n"
    "rule held\n scope wagon\n action INSPECT\n when neighbour_held\n"
    " reason \"{neighbour_service}: {neighbour_result}\"\nend\n";

/* Compiles text as a rule set of edition (1 or 2). */
static struct rules_ruleset *
compile(const char *text, int edition)
{
	struct rules_file	 f = { "main.rules", NULL, text, strlen(text) };
	struct diag_list	 l;
	struct rules_ruleset	*rs;

	diag_list_init(&l, 0);
	rs = rules_ruleset_compile("test", &f, 1, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	diag_list_clear(&l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	rs->edition = edition;
	return rs;
}

/*
 * Four wagons, 20 t tare each: W1 carries C1 (20 t, seal KZ123), W2
 * carries C2 (20 t, seal KZ555), W3 and W4 are flat; W3 has wagon seal
 * WS1.  One item of 20 t on W3 and W4.
 */
static struct manifest_train *
train_new(void)
{
	struct manifest_train		*t = manifest_train_new();
	struct manifest_consignment	*cs = manifest_consignment_add(t);
	struct manifest_item		*it;
	struct manifest_container	*c;
	struct manifest_wagon		*w;
	static const char *const	 wagons[] = { "W1", "W2", "W3", "W4" };
	size_t				 i;

	t->id = "X8024";
	cs->ref = "SMGS 1";
	for (i = 0; i < nitems(wagons); i++) {
		w = manifest_wagon_add(t, wagons[i]);
		w->tare_kg = 20000 * MANIFEST_SCALE;
		if (i < 2) {
			c = manifest_container_add(t, w, i == 0 ? "C1" : "C2");
			c->full = true;
			c->gross_kg = 20000 * MANIFEST_SCALE;
			manifest_container_add_seal(t, c)->number =
			    i == 0 ? "KZ123" : "KZ555";
		} else {
			it = manifest_item_add(t, cs);
			it->seq = (uint32_t)i;
			it->gross_kg = 20000 * MANIFEST_SCALE;
			manifest_placement_set_number(manifest_item_add_placement(t, it),
			    wagons[i]);
		}
	}
	manifest_wagon_add_seal(t, t->wagons[2])->number = "WS1";
	manifest_train_finish(t);
	return t;
}

/* A context from an events array and a neighbour object (either NULL). */
static struct rules_context *
ctx_of(const char *events, const char *neighbour)
{
	struct rules_context	*ctx = rules_context_new();
	char			*cause = NULL;

	if (events != NULL && rules_context_load_events(ctx, events,
	    strlen(events), "ev.json", &cause) == -1) {
		CU_FAIL(cause);
		free(cause);
	}
	if (neighbour != NULL && rules_context_load_neighbour(ctx, neighbour,
	    strlen(neighbour), "nb.json", &cause) == -1) {
		CU_FAIL(cause);
		free(cause);
	}
	return ctx;
}

/* Evaluates the train with rs and ctx. */
static struct decision *
ev(const struct rules_ruleset *rs, const struct manifest_train *t,
    const struct rules_context *ctx)
{
	struct rules_eval_options	 opt = { 1 };
	struct decision			*d = NULL;

	CU_ASSERT_EQUAL(rules_evaluate(rs, t, ctx, &opt, &d), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return d;
}

/* The reason of rule's hit on wagon wi (any subject), or NULL. */
static const char *
reason(const struct decision *d, size_t wi, const char *rule)
{
	size_t	k;

	for (k = 0; k < d->wagons[wi].nhits; k++)
		if (strcmp(d->wagons[wi].hits[k].rule, rule) == 0)
			return d->wagons[wi].hits[k].reason;
	return NULL;
}

/* Asserts rule's reason on wagon wi is want (NULL: no hit). */
static void
check_reason(const struct decision *d, size_t wi, const char *rule,
    const char *want, int line)
{
	const char	*got = reason(d, wi, rule);
	bool		 ok = want == NULL ? got == NULL :
			    got != NULL && strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "\nline %d: %s on wagon %zu: got \"%s\", want "
		    "\"%s\"\n", line, rule, wi + 1, got == NULL ? "(no hit)" :
		    got, want == NULL ? "(no hit)" : want);
	CU_ASSERT_TRUE(ok);
}
#define REASON(d, wi, rule, want) check_reason(d, wi, rule, want, __LINE__)

/* Scans name a container or a wagon; a suspect result is never hidden. */
static void
t_evidence_scan_suspect(void)
{
	struct rules_ruleset	*rs = compile(evidence_rules, 1);
	struct manifest_train	*t = train_new();
	struct rules_context	*ctx = ctx_of("["
	    "{\"type\":\"scan\",\"container\":\"C1\",\"result\":\"suspect\"},"
	    "{\"type\":\"scan\",\"container\":\"C1\",\"result\":\"clear\"},"
	    "{\"type\":\"scan\",\"container\":\"C2\",\"result\":\"clear\"},"
	    "{\"type\":\"scan\",\"wagon\":\"W3\",\"result\":\"suspect\"},"
	    "{\"type\":\"scan\",\"wagon\":\"W4\",\"result\":\"clear\"}]", NULL);
	struct decision		*d = ev(rs, t, ctx);

	/* container.scan stays the latest; scan_suspect is sticky. */
	REASON(d, 0, "scan-c", "container C1 scan clear");
	REASON(d, 0, "scan-w", "wagon W1 scan (none)");	/* through C1 */
	REASON(d, 1, "scan-c", NULL);
	REASON(d, 1, "scan-w", NULL);
	REASON(d, 2, "scan-w", "wagon W3 scan suspect");
	REASON(d, 3, "scan-w", NULL);
	decision_free(d);
	rules_context_free(ctx);
	/* No scan at all, or no context: nothing suspect. */
	ctx = ctx_of("[]", NULL);
	d = ev(rs, t, ctx);
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_RELEASE);
	decision_free(d);
	d = ev(rs, t, NULL);
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_RELEASE);
	decision_free(d);
	rules_context_free(ctx);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
}

/* A seal check naming another number, or a declared seal missing, differs. */
static void
t_evidence_seal_check_differs(void)
{
	struct rules_ruleset	*rs = compile(evidence_rules, 1);
	struct manifest_train	*t = train_new();
	struct rules_context	*ctx = ctx_of("["
	    "{\"type\":\"seal_check\",\"equipment\":\"C1\",\"seal\":\"KZ999\","
	    "\"condition\":\"intact\"},"
	    "{\"type\":\"seal_check\",\"equipment\":\"C1\",\"seal\":\"KZ123\","
	    "\"condition\":\"intact\"},"
	    "{\"type\":\"seal_check\",\"equipment\":\"C2\",\"seal\":\"KZ555\","
	    "\"condition\":\"intact\"},"
	    "{\"type\":\"seal_check\",\"equipment\":\"W3\",\"seal\":\"WS1\","
	    "\"condition\":\"missing\"},"
	    "{\"type\":\"seal_check\",\"equipment\":\"W4\",\"seal\":\"X1\","
	    "\"condition\":\"intact\"},"
	    "{\"type\":\"seal_check\",\"equipment\":\"W4\",\"seal\":\"X1\","
	    "\"condition\":\"intact\"}]", NULL);
	struct decision		*d = ev(rs, t, ctx);

	REASON(d, 0, "seal-c", "seal check found KZ999 where the manifest "
	    "declares KZ123");
	REASON(d, 0, "seal-w", NULL);	/* the wagon's own seals: none checked */
	REASON(d, 1, "seal-c", NULL);
	REASON(d, 1, "seal-seen", "KZ555 / KZ555");
	REASON(d, 2, "seal-w", "seal check found WS1 (missing) where the "
	    "manifest declares WS1");
	REASON(d, 3, "seal-w", "seal check found X1 where the manifest "
	    "declares none");
	decision_free(d);
	rules_context_free(ctx);
	d = ev(rs, t, NULL);
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_RELEASE);
	decision_free(d);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
}

/* A computed text (seal_reported) can be matched against a list. */
static void
t_evidence_computed_text_matches(void)
{
	static const char	 text[] = "list bad from \"lists/bad.txt\"\n"
				    "rule m\n scope container\n action AUDIT\n"
				    " when seal_reported matches list bad at 0.9\n"
				    " reason \"{match}\"\nend\n";
	static const char	 list[] = "KZ999\n";
	struct rules_file	 f[] = {
				    { "main.rules", NULL, text, sizeof text - 1 },
				    { "lists/bad.txt", NULL, list, sizeof list - 1 } };
	struct diag_list	 l;
	struct rules_ruleset	*rs;
	struct manifest_train	*t = train_new();
	struct rules_context	*ctx = ctx_of("["
	    "{\"type\":\"seal_check\",\"equipment\":\"C1\",\"seal\":\"KZ999\","
	    "\"condition\":\"intact\"},"
	    "{\"type\":\"seal_check\",\"equipment\":\"C2\",\"seal\":\"AB111\","
	    "\"condition\":\"intact\"}]", NULL);
	struct decision		*d;

	diag_list_init(&l, 0);
	rs = rules_ruleset_compile("test", f, 2, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	diag_list_clear(&l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	d = ev(rs, t, ctx);
	REASON(d, 0, "m", "'KZ999' matches bad entry 'KZ999' (similarity "
	    "1.00)");
	REASON(d, 1, "m", NULL);
	decision_free(d);
	rules_context_free(ctx);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
}

/*
 * W1 (declared 40 t): a heavy reading, an officer's re-weigh, a lighter
 * reading; W2 one reading from no recorded device.
 */
static const char heavy_reweigh_light[] = "["
    "{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":48000,"
    "\"device\":\"WB-1\"},"
    "{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":40200,"
    "\"reweigh\":true},"
    "{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":40100,"
    "\"device\":\"WB-2\",\"reweigh\":false},"
    "{\"type\":\"weighbridge\",\"wagon\":\"W2\",\"gross_kg\":41000}]";

/* A rule set of today's fields only (weighbridge, variance). */
static const char variance_rules[] =
    "rule weight-variance\n scope wagon\n action INSPECT\n"
    " when variance > 0.2\n reason \"wagon {number}: declared "
    "{declared_mass} kg, weighbridge {weighbridge} kg: variance "
    "{variance}%\"\nend\n";

/* The decision's JSON without timing (caller frees). */
static char *
doc(const struct decision *d)
{
	struct buf	b = { 0 };

	decision_json_write(d, DECISION_JSON_NO_TIMING, &b);
	return buf_steal(&b, NULL);
}

/* Edition 1: the latest reading counts, byte for byte as before. */
static void
t_evidence_weighbridge_edition1_latest(void)
{
	struct rules_ruleset	*rs = compile(variance_rules, 1);
	struct rules_ruleset	*ev_rs = compile(evidence_rules, 1);
	struct manifest_train	*t = train_new();
	struct rules_context	*ctx = ctx_of(heavy_reweigh_light, NULL);
	struct rules_context	*old = rules_context_new();
	struct decision		*d, *d_old;
	char			*a, *b;

	/* Today's API: readings with no device, the latest kept. */
	rules_context_weighbridge(old, "W1", 48000 * MANIFEST_SCALE);
	rules_context_weighbridge(old, "W1", 40200 * MANIFEST_SCALE);
	rules_context_weighbridge(old, "W1", 40100 * MANIFEST_SCALE);
	rules_context_weighbridge(old, "W2", 41000 * MANIFEST_SCALE);
	d = ev(rs, t, ctx);
	d_old = ev(rs, t, old);
	REASON(d, 0, "weight-variance", "wagon W1: declared 40000 kg, "
	    "weighbridge 40100 kg: variance 0.25%");
	a = doc(d);
	b = doc(d_old);
	CU_ASSERT_STRING_EQUAL(a, b);
	free(a);
	free(b);
	decision_free(d);
	decision_free(d_old);
	d = ev(ev_rs, t, ctx);
	REASON(d, 0, "wb", "40100 kg, 0.25%, from WB-2");
	REASON(d, 1, "wb", "41000 kg, 2.5%, from unrecorded");
	REASON(d, 2, "wb", NULL);
	decision_free(d);
	rules_context_free(old);
	rules_context_free(ctx);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
	rules_ruleset_unref(ev_rs);
}

/* Edition 2: the largest variance counts; a lighter reading never hides it. */
static void
t_evidence_weighbridge_edition2_largest(void)
{
	struct rules_ruleset	*rs = compile(evidence_rules, 2);
	struct manifest_train	*t = train_new();
	struct rules_context	*ctx = ctx_of("["
	    "{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":40500,"
	    "\"device\":\"WB-1\"},"
	    "{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":48000,"
	    "\"device\":\"WB-2\"},"
	    "{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":40100,"
	    "\"device\":\"WB-1\"},"
	    "{\"type\":\"weighbridge\",\"wagon\":\"W2\",\"gross_kg\":35000},"
	    "{\"type\":\"weighbridge\",\"wagon\":\"W2\",\"gross_kg\":43000}]",
	    NULL);
	struct decision		*d = ev(rs, t, ctx);

	REASON(d, 0, "wb", "48000 kg, 20%, from WB-2");
	/* Lighter counts too: 5 t under beats 3 t over. */
	REASON(d, 1, "wb", "35000 kg, 12.5%, from unrecorded");
	REASON(d, 2, "wb", NULL);
	decision_free(d);
	rules_context_free(ctx);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
}

/* Edition 2: an officer's re-weigh starts over; later readings still count. */
static void
t_evidence_weighbridge_reweigh_resets(void)
{
	struct rules_ruleset	*rs = compile(evidence_rules, 2);
	struct manifest_train	*t = train_new();
	struct rules_context	*ctx = ctx_of(heavy_reweigh_light, NULL);
	struct decision		*d = ev(rs, t, ctx);

	/* 48 t before the re-weigh no longer counts; 40.2 t is furthest. */
	REASON(d, 0, "wb", "40200 kg, 0.5%, from an officer's re-weigh");
	decision_free(d);
	rules_context_weighing(ctx, "W1", 45000 * MANIFEST_SCALE, "WB-3",
	    false);
	d = ev(rs, t, ctx);
	REASON(d, 0, "wb", "45000 kg, 12.5%, from WB-3");
	decision_free(d);
	rules_context_weighing(ctx, "W1", 40000 * MANIFEST_SCALE, NULL, true);
	d = ev(rs, t, ctx);
	REASON(d, 0, "wb", "40000 kg, 0%, from an officer's re-weigh");
	decision_free(d);
	rules_context_free(ctx);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
}

/* The neighbour's report, then a later one clearing C1. */
static const char neighbour_report[] =
    "{\"service\":\"KZ-DOSTYK-CUSTOMS\",\"train\":\"X8024\","
    "\"decision\":\"PARTIAL_RELEASE\","
    "\"seals\":[{\"equipment\":\"C2\",\"number\":\"KZ555\"}],"
    "\"controls\":[{\"equipment\":\"C1\",\"result\":\"scanned_suspect\"},"
    "{\"equipment\":\"C2\",\"result\":\"inspected_clear\"},"
    "{\"equipment\":\"W3\",\"result\":\"seal_broken\"}],"
    "\"set_out\":[{\"wagon\":\"W4\",\"position\":4,\"action\":\"HOLD\"},"
    "{\"wagon\":\"W2\",\"position\":2,\"action\":\"INSPECT\"}]}";

/* Rules reading the neighbour's fields of today, to show them unchanged. */
static const char neighbour_old_rules[] =
    "rule cleared\n scope wagon\n action AUDIT\n when neighbour_cleared\n"
    " reason \"cleared\"\nend\n"
    "rule control\n scope container\n action AUDIT\n"
    " when neighbour_control is known\n reason \"{neighbour_control}\"\n"
    "end\n";

/* scanned_suspect and seal_broken are suspect (sticky); HOLD sets are held. */
static void
t_evidence_neighbour_suspect_and_held(void)
{
	struct rules_ruleset	*rs = compile(evidence_rules, 1);
	struct rules_ruleset	*old = compile(neighbour_old_rules, 1);
	struct manifest_train	*t = train_new();
	struct rules_context	*ctx = ctx_of(NULL, neighbour_report);
	struct decision		*d = ev(rs, t, ctx);
	char			*cause = NULL;
	const char		*later = "{\"service\":\"KZ-DOSTYK-CUSTOMS\","
				    "\"train\":\"X8024\",\"seals\":[],"
				    "\"controls\":[{\"equipment\":\"C1\","
				    "\"result\":\"inspected_clear\"}]}";
	const char		*hold = "{\"service\":\"KZ-2\","
				    "\"decision\":\"HOLD\"}";

	REASON(d, 0, "nb-c", "KZ-DOSTYK-CUSTOMS: scanned_suspect");
	REASON(d, 0, "nb-w", "KZ-DOSTYK-CUSTOMS: C1 scanned_suspect");
	REASON(d, 1, "nb-c", NULL);
	REASON(d, 1, "nb-w", NULL);
	REASON(d, 1, "held", NULL);		/* INSPECT is not held */
	REASON(d, 2, "nb-w", "KZ-DOSTYK-CUSTOMS: seal_broken");
	REASON(d, 2, "held", NULL);
	REASON(d, 3, "held", "KZ-DOSTYK-CUSTOMS: held (HOLD)");
	REASON(d, 3, "nb-w", NULL);
	decision_free(d);
	/* A later clear result never hides the suspect one ... */
	CU_ASSERT_EQUAL(rules_context_load_neighbour(ctx, later,
	    strlen(later), "nb.json", &cause), 0);
	d = ev(rs, t, ctx);
	REASON(d, 0, "nb-c", "KZ-DOSTYK-CUSTOMS: scanned_suspect");
	decision_free(d);
	/* ... while today's fields read the latest, as before. */
	d = ev(old, t, ctx);
	REASON(d, 0, "control", "inspected_clear");
	REASON(d, 0, "cleared", "cleared");
	REASON(d, 1, "cleared", "cleared");
	REASON(d, 1, "control", "inspected_clear");
	decision_free(d);
	/* A train the neighbour held holds every wagon, W2 set out too. */
	CU_ASSERT_EQUAL(rules_context_load_neighbour(ctx, hold, strlen(hold),
	    "nb.json", &cause), 0);
	d = ev(rs, t, ctx);
	REASON(d, 0, "held", "KZ-2: train held (HOLD), C1 scanned_suspect");
	REASON(d, 1, "held", "KZ-2: set out for inspection (INSPECT), train "
	    "held (HOLD)");	/* C2's inspected_clear is not news */
	REASON(d, 3, "held", "KZ-2: held (HOLD), train held (HOLD)");
	decision_free(d);
	rules_context_free(ctx);
	/* Nothing from the neighbour: nothing suspect, nothing held. */
	d = ev(rs, t, NULL);
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_RELEASE);
	decision_free(d);
	free(cause);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
	rules_ruleset_unref(old);
}

/* The seals the neighbour reported, by number, for a seal reason. */
static void
t_evidence_seals_neighbour(void)
{
	struct rules_ruleset	*rs = compile(
				    "rule sn\n scope container\n action INSPECT\n"
				    " when not seals_match_neighbour\n reason "
				    "\"{seals_declared} / {seals_neighbour}\"\n"
				    "end\nrule all\n scope container\n action AUDIT\n"
				    " when true\n reason \"{seals_neighbour}\"\n"
				    "end\n", 2);
	struct manifest_train	*t = train_new();
	struct rules_context	*ctx = ctx_of(NULL, "{\"service\":\"KZ-1\","
				    "\"seals\":[{\"equipment\":\"C1\",\"number\":"
				    "\"KZ999\"},{\"equipment\":\"C1\",\"number\":"
				    "\"KZ998\"}]}");
	struct decision		*d = ev(rs, t, ctx);

	REASON(d, 0, "sn", "KZ123 / KZ999, KZ998");
	REASON(d, 1, "sn", NULL);
	REASON(d, 1, "all", "none");		/* reported nothing on C2 */
	decision_free(d);
	d = ev(rs, t, NULL);			/* no neighbour data at all */
	REASON(d, 0, "all", "(none)");
	decision_free(d);
	rules_context_free(ctx);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
}

/* Well-formed new members are accepted, malformed ones refused. */
static void
t_evidence_malformed_refused(void)
{
	static const struct {
		int		 neighbour;
		const char	*json;
		const char	*cause;		/* NULL: accepted */
	} cases[] = {
	{ 0, "[{\"type\":\"arrived\"},{\"type\":\"scan\",\"container\":\"C1\","
	    "\"wagon\":\"W1\",\"result\":\"clear\"}]",
	    "ev.json: event 2: scan needs exactly one of \"container\" and "
	    "\"wagon\"" },
	{ 0, "[{\"type\":\"scan\",\"result\":\"clear\"}]",
	    "ev.json: event 1: scan needs exactly one of \"container\" and "
	    "\"wagon\"" },
	{ 0, "[{\"type\":\"scan\",\"wagon\":7,\"result\":\"clear\"}]",
	    "ev.json: event 1: scan needs exactly one of \"container\" and "
	    "\"wagon\"" },
	{ 0, "[{\"type\":\"scan\",\"wagon\":\"W1\",\"result\":\"maybe\"}]",
	    "ev.json: event 1: scan needs \"result\" (clear or suspect)" },
	{ 0, "[{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":1,"
	    "\"device\":5}]",
	    "ev.json: event 1: weighbridge \"device\" must be a non-empty "
	    "text" },
	{ 0, "[{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":1,"
	    "\"reweigh\":\"yes\"}]",
	    "ev.json: event 1: weighbridge \"reweigh\" must be true or false" },
	{ 0, "[{\"type\":\"seal_check\",\"equipment\":\"C1\","
	    "\"condition\":\"intact\"}]",
	    "ev.json: event 1: seal_check needs \"equipment\", \"seal\" and "
	    "\"condition\"" },
	{ 0, "[{\"type\":\"seal_check\",\"equipment\":\"C1\",\"seal\":\"K\","
	    "\"condition\":\"torn\"}]",
	    "ev.json: event 1: seal condition must be intact, damaged or "
	    "missing" },
	{ 0, "[{\"type\":\"weighbridge\",\"wagon\":\"W1\",\"gross_kg\":1,"
	    "\"device\":\"WB-1\",\"reweigh\":true},{\"type\":\"scan\","
	    "\"wagon\":\"W1\",\"result\":\"suspect\"},{\"type\":\"seal_check\","
	    "\"equipment\":\"W1\",\"seal\":\"S\",\"condition\":\"missing\"}]",
	    NULL },
	{ 1, "{\"set_out\":[{\"wagon\":\"W1\",\"action\":\"FOO\"}]}",
	    "nb.json: set_out 1: \"action\" must be INSPECT, HOLD or REFUSE" },
	{ 1, "{\"set_out\":[{\"wagon\":\"W1\",\"action\":\"HOLD\"},"
	    "{\"wagon\":\"W2\",\"action\":\"AUDIT\"}]}",
	    "nb.json: set_out 2: \"action\" must be INSPECT, HOLD or REFUSE" },
	{ 1, "{\"set_out\":[{\"action\":\"HOLD\"}]}",
	    "nb.json: set_out 1: needs \"wagon\"" },
	{ 1, "{\"set_out\":[{\"wagon\":\"W1\",\"position\":0,"
	    "\"action\":\"HOLD\"}]}",
	    "nb.json: set_out 1: \"position\" must be a whole number from 1" },
	{ 1, "{\"set_out\":{\"wagon\":\"W1\"}}",
	    "nb.json: \"set_out\" must be an array" },
	{ 1, "{\"decision\":\"MAYBE\"}",
	    "nb.json: \"decision\" must be RELEASE, PARTIAL_RELEASE or HOLD" },
	{ 1, "{\"service\":7}",
	    "nb.json: \"service\" must be a non-empty text" },
	{ 1, "{\"controls\":[{\"equipment\":\"C1\",\"result\":\"odd\"}]}",
	    "nb.json: controls 1: result must be inspected_clear, "
	    "scanned_clear, scanned_suspect or seal_broken" },
	{ 1, "{\"seals\":[{\"equipment\":\"C1\"}]}",
	    "nb.json: seals 1: needs \"equipment\" and \"number\"" },
	{ 1, "{\"service\":\"KZ\",\"train\":\"X\",\"decision\":\"HOLD\","
	    "\"seals\":[],\"controls\":[{\"equipment\":\"W1\",\"result\":"
	    "\"seal_broken\"}],\"set_out\":[{\"wagon\":\"W1\",\"position\":1,"
	    "\"action\":\"REFUSE\"}]}", NULL },
	};
	struct rules_context	*ctx;
	char			*cause;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(cases); i++) {
		ctx = rules_context_new();
		cause = NULL;
		rc = (cases[i].neighbour ? rules_context_load_neighbour :
		    rules_context_load_events)(ctx, cases[i].json,
		    strlen(cases[i].json), cases[i].neighbour ? "nb.json" :
		    "ev.json", &cause);
		if (cases[i].cause == NULL) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_PTR_NULL(cause);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
			if (strcmp(cause, cases[i].cause) != 0)
				fprintf(stderr, "\ncase %zu: %s\n", i, cause);
			CU_ASSERT_STRING_EQUAL(cause, cases[i].cause);
		}
		free(cause);
		rules_context_free(ctx);
	}
}

/* What a context records, read back through the equipment records. */
static void
t_evidence_context_records(void)
{
	struct rules_context		*ctx = ctx_of(heavy_reweigh_light,
					    neighbour_report);
	const struct rules_equipment	*e = rules_context_equipment(ctx, "W1");

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->nweighings, 3);
	CU_ASSERT_EQUAL(e->reweighed_at, 1);
	CU_ASSERT_EQUAL(e->weighbridge_kg, 40100 * MANIFEST_SCALE);
	CU_ASSERT_STRING_EQUAL(e->weighings[0].device, "WB-1");
	CU_ASSERT_PTR_NULL(e->weighings[1].device);
	CU_ASSERT_TRUE(e->weighings[1].reweigh);
	e = rules_context_equipment(ctx, "W4");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->neighbour_set_out, DECISION_HOLD);
	CU_ASSERT_STRING_EQUAL(rules_context_neighbour_service_name(ctx),
	    "KZ-DOSTYK-CUSTOMS");
	CU_ASSERT_FALSE(rules_context_neighbour_held_train(ctx));
	CU_ASSERT_TRUE(rules_context_any_neighbour_suspect(ctx));
	CU_ASSERT_FALSE(rules_context_any_scan_suspect(ctx));
	CU_ASSERT_FALSE(rules_context_any_scan_suspect(NULL));
	CU_ASSERT_PTR_NULL(rules_context_neighbour_service_name(NULL));
	rules_context_free(ctx);
}

static CU_TestInfo evidence_tests[] = {
	{ "t_evidence_scan_suspect", t_evidence_scan_suspect },
	{ "t_evidence_seal_check_differs", t_evidence_seal_check_differs },
	{ "t_evidence_weighbridge_edition1_latest",
	    t_evidence_weighbridge_edition1_latest },
	{ "t_evidence_weighbridge_edition2_largest",
	    t_evidence_weighbridge_edition2_largest },
	{ "t_evidence_weighbridge_reweigh_resets",
	    t_evidence_weighbridge_reweigh_resets },
	{ "t_evidence_seals_neighbour", t_evidence_seals_neighbour },
	{ "t_evidence_neighbour_suspect_and_held",
	    t_evidence_neighbour_suspect_and_held },
	{ "t_evidence_computed_text_matches",
	    t_evidence_computed_text_matches },
	{ "t_evidence_malformed_refused", t_evidence_malformed_refused },
	{ "t_evidence_context_records", t_evidence_context_records },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("evidence", NULL, NULL, evidence_tests)
