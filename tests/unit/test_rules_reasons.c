/*
 * test_rules_reasons.c -- reasons in other languages (issue 18, item 7):
 * `reason.zh "..."` and `reason.ru "..."` compile as `reason` does and
 * are formatted with the same values into the hit's "reasons" member; a
 * rule set without them writes byte for byte the document it wrote
 * before (replay, docs/replay.md); a document with them reads back to
 * the same bytes; an unknown language, a second translation into one or
 * an empty one is an error at its file:line:col.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decide.h"
#include "manifest/decision.h"
#include "manifest/util.h"
#include "manifest/value.h"
#include "rules/rules.h"

#include "unit.h"

/* The rule of these tests, without translations (%s: what follows reason). */
#define RULE_FMT							\
	"rule phyto\n scope item\n action DOC_CHECK\n"			\
	" when hs in chapters 06..08\n"					\
	" reason \"{description} (HS {hs}) has no phytosanitary "	\
	"certificate\"\n%s"						\
	" would_pass_if \"a certificate is declared\"\nend\n"

#define TRANSLATIONS							\
	" reason.zh \"{description}（HS {hs}）没有植物检疫证书\"\n"	\
	" reason.ru \"{description} (ТН ВЭД {hs}): нет фитосанитарного "\
	"сертификата\"\n"

/* Compiles text as main.rules; NULL with the first error in err. */
static struct rules_ruleset *
compile(const char *text, char *err, size_t errsize)
{
	struct rules_file	 f = { "main.rules", "rules/x/main.rules", text,
	    strlen(text) };
	struct diag_list	 l;
	struct rules_ruleset	*rs;
	char			 where[256];

	diag_list_init(&l, 0);
	rs = rules_ruleset_compile("x", &f, 1, &l);
	if (err != NULL)
		*err = '\0';
	if (l.n > 0 && err != NULL)
		snprintf(err, errsize, "%s: %s", diag_format_where(&l.v[0].loc,
		    where, sizeof where), l.v[0].message);
	diag_list_clear(&l);
	return rs;
}

/* A train with one wagon carrying one item of HS hs. */
static struct manifest_train *
train(const char *hs)
{
	struct manifest_train		*t = manifest_train_new();
	struct manifest_wagon		*w;
	struct manifest_container	*c;
	struct manifest_consignment	*cs;
	struct manifest_item		*it;
	struct manifest_placement	*p;

	t->id = "T1";
	t->issued = value_time_from_civil(2026, 6, 1, 0, 0, 0);
	w = manifest_wagon_add(t, "218124712173");
	c = manifest_container_add(t, w, "CSQU3054383");
	c->full = true;
	cs = manifest_consignment_add(t);
	cs->ref = "C1";
	it = manifest_item_add(t, cs);
	it->seq = 1;
	it->hs = hs;
	it->description = "Apples";
	p = manifest_item_add_placement(t, it);
	manifest_placement_set_number(p, "CSQU3054383");
	manifest_train_finish(t);
	return t;
}

/* The decision document (no timing) of rule text on the train (caller frees). */
static char *
document(const char *text, const char *hs)
{
	struct rules_ruleset	*rs;
	struct manifest_train	*t;
	struct decision		*d;
	struct buf		 b = { 0 };
	char			 err[512];

	rs = compile(text, err, sizeof err);
	if (rs == NULL) {
		fprintf(stderr, "\n%s\n", err);
		CU_FAIL_FATAL("does not compile");
	}
	t = train(hs);
	CU_ASSERT_FATAL(rules_evaluate(rs, t, NULL, NULL, &d) == 0);
	decision_json_write(d, DECISION_JSON_NO_TIMING, &b);
	buf_add_char(&b, '\0');
	decision_free(d);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
	return buf_steal(&b, NULL);
}

/* Replaces the first "sha256":"<64 hex>" after "ruleset" with zeros. */
static void
blank_ruleset_hash(char *doc)
{
	char	*p = strstr(doc, "\"ruleset\"");

	CU_ASSERT_FATAL(p != NULL);
	p = strstr(p, "\"sha256\":\"");
	CU_ASSERT_FATAL(p != NULL);
	memset(p + 10, '0', 64);
}

/* The translations are formatted with the hit's values, in "reasons". */
static void
t_rules_reasons_formatted(void)
{
	char	*text = xasprintf(RULE_FMT, TRANSLATIONS);
	char	*doc = document(text, "080810");

	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "\"reason\":\"Apples (HS 080810) has "
	    "no phytosanitary certificate\",\"reasons\":{\"zh-Hans\":\"Apples"
	    "（HS 080810）没有植物检疫证书\",\"ru\":\"Apples (ТН ВЭД 080810): "
	    "нет фитосанитарного сертификата\"},\"would_pass_if\""));
	free(doc);
	free(text);
}

/*
 * Without translations the document has no "reasons" and is the one with
 * them less that member (and the rule set's hash): what the rule set
 * wrote before they existed.  No hit, no member either way.
 */
static void
t_rules_reasons_absent_same_bytes(void)
{
	char	*plain = xasprintf(RULE_FMT, "");
	char	*tr = xasprintf(RULE_FMT, TRANSLATIONS);
	char	*a = document(plain, "080810"), *b = document(tr, "080810");
	char	*s, *e;

	CU_ASSERT_PTR_NULL(strstr(a, "reasons"));
	s = strstr(b, ",\"reasons\":{");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	e = strchr(s, '}');
	memmove(s, e + 1, strlen(e + 1) + 1);
	blank_ruleset_hash(a);
	blank_ruleset_hash(b);
	CU_ASSERT_STRING_EQUAL(a, b);
	free(a);
	free(b);
	a = document(tr, "870840");	/* no hit */
	CU_ASSERT_PTR_NULL(strstr(a, "reasons"));
	free(a);
	free(plain);
	free(tr);
}

/* A stored document with translations reads back to the same bytes. */
static void
t_rules_reasons_read_back(void)
{
	char		*text = xasprintf(RULE_FMT, TRANSLATIONS);
	char		*doc = document(text, "080810"), *cause = NULL;
	struct decision	*d;
	struct buf	 b = { 0 };

	d = decision_json_read(doc, strlen(doc), &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->wagons[0].hits[0].nreasons, 2);
	CU_ASSERT_STRING_EQUAL(d->wagons[0].hits[0].reasons[1].lang, "ru");
	decision_json_write(d, DECISION_JSON_NO_TIMING, &b);
	buf_add_char(&b, '\0');
	CU_ASSERT_STRING_EQUAL(b.data, doc);
	buf_free(&b);
	decision_free(d);
	free(doc);
	free(text);
}

/* reason.zh-Hans, reason.kk and reason.vi too; the order is fixed. */
static void
t_rules_reasons_other_tags(void)
{
	char	*text = xasprintf(RULE_FMT, " reason.vi \"{hs} vi\"\n"
	    " reason.kk \"{hs} kk\"\n reason.zh-Hans \"{hs} 中\"\n");
	char	*doc = document(text, "080810");

	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "\"reasons\":{\"zh-Hans\":\"080810 "
	    "中\",\"kk\":\"080810 kk\",\"vi\":\"080810 vi\"}"));
	free(doc);
	free(text);
}

/* The first compile error of the rule with extra clauses (static buffer). */
static const char *
error_of(const char *extra)
{
	static char		 err[512];
	char			*text = xasprintf(RULE_FMT, extra);
	struct rules_ruleset	*rs = compile(text, err, sizeof err);

	CU_ASSERT_PTR_NULL(rs);
	rules_ruleset_unref(rs);
	free(text);
	return err;
}

/* An unknown language, a second one, an empty one, a bad value: file:line:col. */
static void
t_rules_reasons_errors(void)
{
	CU_ASSERT_STRING_EQUAL(error_of(" reason.fr \"x\"\n"),
	    "rules/x/main.rules:6:2: unknown language 'fr' (reason.zh, "
	    "reason.zh-Hans, reason.ru, reason.kk or reason.vi)");
	CU_ASSERT_STRING_EQUAL(error_of(" reason.zh \"a\"\n reason.zh-Hans \"b\"\n"),
	    "rules/x/main.rules:7:2: a second reason.zh-Hans in the rule");
	CU_ASSERT_STRING_EQUAL(error_of(" reason.ru \"\"\n"),
	    "rules/x/main.rules:6:2: reason.ru is empty");
	CU_ASSERT_STRING_EQUAL(error_of(" reason.ru\n"),
	    "rules/x/main.rules:7:2: expected a \"text\" in double quotes, "
	    "found 'would_pass_if'");
	CU_ASSERT_PTR_NOT_NULL(strstr(error_of(" reason.ru \"{nope}\"\n"),
	    "rules/x/main.rules:6:"));
}

/* Goods located on a wagon: the hit moves there with its translations. */
static void
t_rules_reasons_kept_when_located(void)
{
	struct decision		*d = decision_new(), *f;
	struct decision_subject	 subj = { NULL, NULL, "C1", 1 };
	struct decision_hit	*h;
	struct buf		 b = { 0 };
	char			*cause = NULL;

	d->train = decision_str(d, "T1");
	decision_wagon_add(d, 1, "218124712173");
	h = decision_hit_add(d, NULL, "unplaced-goods", DECISION_DOC_CHECK,
	    &subj, "goods must be found", NULL);
	decision_hit_add_reason(d, h, "zh-Hans", "货物须在车厢上找到");
	decision_hit_add_reason(d, h, "ru", "товар должен быть найден");
	d->outcome = decision_consolidate(d);
	decision_json_write(d, 0, &b);
	buf_add_char(&b, '\0');
	decision_free(d);
	f = decide_final(b.data, "[{\"goods\": {\"consignment\": \"C1\", "
	    "\"item\": 1}, \"resolution\": \"located\", \"position\": 1}]",
	    &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->ntrain_hits, 0);
	CU_ASSERT_EQUAL_FATAL(f->wagons[0].nhits, 1);
	CU_ASSERT_EQUAL_FATAL(f->wagons[0].hits[0].nreasons, 2);
	CU_ASSERT_STRING_EQUAL(f->wagons[0].hits[0].reasons[0].lang, "zh-Hans");
	CU_ASSERT_STRING_EQUAL(f->wagons[0].hits[0].reasons[0].text,
	    "货物须在车厢上找到");
	CU_ASSERT_STRING_EQUAL(f->wagons[0].hits[0].reasons[1].text,
	    "товар должен быть найден");
	decision_free(f);
	buf_free(&b);
	free(cause);
}

static CU_TestInfo rules_reasons_tests[] = {
	{ "translations formatted with the values", t_rules_reasons_formatted },
	{ "none: the same bytes as before", t_rules_reasons_absent_same_bytes },
	{ "a stored document reads back", t_rules_reasons_read_back },
	{ "zh-Hans, kk and vi", t_rules_reasons_other_tags },
	{ "errors at file:line:col", t_rules_reasons_errors },
	{ "kept when goods are located", t_rules_reasons_kept_when_located },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("rules_reasons", NULL, NULL, rules_reasons_tests)
