/*
 * test_screening.c -- edition-3 party screening (docs/screening.md) as a
 * rule set uses it: the tries against the default rule set,
 * possible matches lowered to DOC_CHECK, identifiers before names,
 * clearances skipping exactly the entry cleared and reported as applied,
 * and list files refused at load with file and line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decide.h"
#include "manifest/decision.h"
#include "manifest/ident.h"
#include "manifest/util.h"
#include "manifest/value.h"
#include "rules/context.h"
#include "rules/ident.h"
#include "rules/names.h"
#include "rules/rules.h"
#include "unit.h"

static struct rules_ruleset *default_rs;

static int
screening_init(void)
{
	struct diag_list	l;

	diag_list_init(&l, 0);
	default_rs = rules_ruleset_load("etc/rules/default", &l);
	diag_list_clear(&l);
	return default_rs == NULL;
}

static int
screening_cleanup(void)
{
	rules_ruleset_unref(default_rs);
	return 0;
}

/*
 * One wagon with one container carrying one consignment of harmless
 * goods (HS 847130, with a certificate of origin) whose consignee is
 * name (id may be NULL); the consignor and declarant are plain.
 */
static struct manifest_train *
train_with(const char *name, const char *country, const char *id)
{
	struct manifest_train		*t = manifest_train_new();
	struct manifest_consignment	*cs;
	struct manifest_container	*c;
	struct manifest_wagon		*w;
	struct manifest_item		*it;
	struct manifest_placement	*p;
	char				 num[16];

	t->id = manifest_str(t, "X7001", 5);
	t->direction = MANIFEST_IMPORT;
	t->issued = value_time_from_civil(2026, 12, 1, 7, 40, 0);
	t->border_station = manifest_str(t, "CNAKA", 5);
	t->transport_mode = manifest_str(t, "2", 1);
	snprintf(num, sizeof num, "31527955001%d",
	    ident_uic_check_digit("31527955001"));
	w = manifest_wagon_add(t, manifest_str(t, num, strlen(num)));
	w->tare_kg = 20000 * MANIFEST_SCALE;
	snprintf(num, sizeof num, "TGHU123456%d",
	    ident_iso6346_check_digit("TGHU123456"));
	c = manifest_container_add(t, w, manifest_str(t, num, strlen(num)));
	c->full = true;
	c->gross_kg = 5000 * MANIFEST_SCALE;
	cs = manifest_consignment_add(t);
	cs->ref = manifest_str(t, "CS1", 3);
	cs->consignor.name = manifest_str(t, "Getriebe Nord GmbH", 18);
	cs->consignee.name = manifest_str(t, name, strlen(name));
	if (country != NULL)
		cs->consignee.country = manifest_str(t, country,
		    strlen(country));
	if (id != NULL)
		cs->consignee.id = manifest_str(t, id, strlen(id));
	it = manifest_item_add(t, cs);
	it->seq = 1;
	it->hs = manifest_str(t, "847130", 6);
	it->description = manifest_str(t, "laptops", 7);
	it->gross_kg = 1000 * MANIFEST_SCALE;
	p = manifest_item_add_placement(t, it);
	manifest_placement_set_number(p, c->number);
	manifest_train_finish(t);
	return t;
}

/* The sanctions hit on the only wagon, or NULL. */
static const struct decision_hit *
sanctions_hit(const struct decision *d)
{
	size_t	i;

	if (d == NULL || d->nwagons == 0)
		return NULL;
	for (i = 0; i < d->wagons[0].nhits; i++)
		if (strcmp(d->wagons[0].hits[i].rule, "sanctions") == 0)
			return &d->wagons[0].hits[i];
	return NULL;
}

/* Evaluates a consignee name with rs and clearances; *applied kept. */
static struct decision *
screen(const struct rules_ruleset *rs, const char *name, const char *country,
    const char *id, const char *clearances, char **applied)
{
	struct manifest_train	*t = train_with(name, country, id);
	struct decision		*d;
	char			*cause = NULL, *app = NULL;

	d = decide_evaluate(rs, t, "[]", clearances, NULL, &app, &cause);
	CU_ASSERT_PTR_NOT_NULL(d);
	if (cause != NULL)
		fprintf(stderr, "screen: %s\n", cause);
	free(cause);
	if (applied != NULL)
		*applied = app;
	else
		free(app);
	manifest_train_free(t);
	return d;
}

/* The tries: variants of listed names are held. */
static void
t_screening_variants_held(void)
{
	static const char *const held[] = {
		"紅星機械進出口有限公司",	/* Traditional characters */
		"Trading House Timur",		/* words reordered */
		"Hongxing Jixie Jinchukou",	/* pinyin */
		"ТОО «Тимур Трейдинг Хаус»",	/* Cyrillic, Kazakh legal form */
	};
	const struct decision_hit	*h;
	struct decision			*d;
	size_t				 i;

	for (i = 0; i < sizeof held / sizeof *held; i++) {
		d = screen(default_rs, held[i], NULL, NULL, NULL, NULL);
		h = sanctions_hit(d);
		CU_ASSERT_PTR_NOT_NULL_FATAL(h);
		CU_ASSERT_EQUAL(h->action, DECISION_HOLD);
		CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_HOLD);
		CU_ASSERT_PTR_NOT_NULL(strstr(h->reason, "(strong match)"));
		CU_ASSERT_PTR_NOT_NULL(strstr(h->reason, held[i]));
		decision_free(d);
	}
	/* The reason names the variant that matched. */
	d = screen(default_rs, held[0], NULL, NULL, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(sanctions_hit(d)->reason,
	    "is listed 'sanctioned' entry '红星机械进出口有限公司' in "
	    "Simplified form: 1.00 (strong match)"));
	decision_free(d);
}

/* Look-alike other companies: at most DOC_CHECK, never held. */
static void
t_screening_lookalikes_not_held(void)
{
	static const char *const names[] = {
		"Eastern Star Foods LLP", "Vympel Tea Company",
	};
	const struct decision_hit	*h;
	struct decision			*d;
	size_t				 i;

	for (i = 0; i < sizeof names / sizeof *names; i++) {
		d = screen(default_rs, names[i], NULL, NULL, NULL, NULL);
		h = sanctions_hit(d);
		if (h != NULL) {
			CU_ASSERT(h->action <= DECISION_DOC_CHECK);
			CU_ASSERT_PTR_NOT_NULL(strstr(h->reason,
			    "(possible match)"));
		}
		CU_ASSERT(d->wagons[0].action <= DECISION_DOC_CHECK);
		decision_free(d);
	}
}

/* A rule set of text with the list sanctioned of list text, edition 3. */
static struct rules_ruleset *
compile_list(const char *list, struct diag_list *l)
{
	static const char main_rules[] =
	    "edition 3\n"
	    "list sanctioned from \"lists/s.txt\"\n"
	    "legal forms from \"lists/forms.txt\"\n"
	    "rule sanctions\n scope consignment\n action HOLD\n"
	    " when party matches list sanctioned at 0.92 possible at 0.80"
	    " unless cleared\n"
	    " reason \"{match}\"\nend\n"
	    "rule named\n scope consignment\n action INSPECT\n"
	    " when consignee.name matches list sanctioned at 0.92\n"
	    " reason \"{match}\"\nend\n";
	static const char forms[] = "LLP\nLLC\nCompany\nCo\nТОО\n有限公司\n";
	struct rules_file f[3] = {
		{ "main.rules", NULL, main_rules, sizeof main_rules - 1 },
		{ "lists/s.txt", NULL, list, strlen(list) },
		{ "lists/forms.txt", NULL, forms, sizeof forms - 1 },
	};

	return rules_ruleset_compile("t", f, 3, l);
}

static struct rules_ruleset *
compile_ok(const char *list)
{
	struct diag_list	 l;
	struct rules_ruleset	*rs;

	diag_list_init(&l, 0);
	rs = compile_list(list, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	if (l.n > 0)
		fprintf(stderr, "compile: %s\n", l.v[0].message);
	diag_list_clear(&l);
	return rs;
}

/* The first error compiling list, as "file:line: message"; static. */
static const char *
list_error(const char *list)
{
	static char		 out[512];
	struct diag_list	 l;
	struct rules_ruleset	*rs;

	diag_list_init(&l, 0);
	rs = compile_list(list, &l);
	CU_ASSERT_PTR_NULL(rs);
	rules_ruleset_unref(rs);
	if (l.n == 0)
		snprintf(out, sizeof out, "(no error)");
	else
		snprintf(out, sizeof out, "%s:%u: %s", l.v[0].loc.file,
		    l.v[0].loc.line, l.v[0].message);
	diag_list_clear(&l);
	return out;
}

/* Entries with aliases and a country; aliases match as their entry. */
static void
t_screening_aliases(void)
{
	struct rules_ruleset		*rs = compile_ok(
	    "# test list\nVympel Technologies\n    aka Вымпел Технологии\n"
	    "    country RU\nEastern Star Shipping LLP\n");
	const struct decision_hit	*h;
	struct decision			*d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	d = screen(rs, "Вымпел Технологии", NULL, NULL, NULL, NULL);
	h = sanctions_hit(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(h->reason, "consignee 'Вымпел Технологии' is "
	    "listed 'sanctioned' entry 'Vympel Technologies' (as 'Вымпел "
	    "Технологии') as written: 1.00 (strong match)");
	decision_free(d);
	rules_ruleset_unref(rs);
}

/* A possible match lowers the hit to DOC_CHECK; a strong one holds. */
static void
t_screening_possible_is_doc_check(void)
{
	struct rules_ruleset		*rs = compile_ok("Eastern Star Shipping\n");
	const struct decision_hit	*h;
	struct decision			*d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	/* A typo in a distinctive word: close, not certain. */
	d = screen(rs, "Eastern Star Shiping Co", NULL, NULL, NULL, NULL);
	h = sanctions_hit(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	if (strstr(h->reason, "(possible match)") != NULL)
		CU_ASSERT_EQUAL(h->action, DECISION_DOC_CHECK);
	if (strstr(h->reason, "(strong match)") != NULL)
		CU_ASSERT_EQUAL(h->action, DECISION_HOLD);
	decision_free(d);
	d = screen(rs, "Eastern Star Shipping LLP", NULL, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(sanctions_hit(d)->action, DECISION_HOLD);
	decision_free(d);
	rules_ruleset_unref(rs);
}

/*
 * The strict pass: a rule whose condition holds on a strong match
 * anywhere keeps its action even when another party matches only
 * possibly first.
 */
static void
t_screening_strong_wins_over_possible(void)
{
	static const char main_rules[] =
	    "edition 3\nlist s from \"lists/s.txt\"\n"
	    "rule r\n scope consignment\n action HOLD\n"
	    " when consignor matches list s at 0.95 possible at 0.5"
	    " or consignee matches list s at 0.95 possible at 0.5\n"
	    " reason \"{match}\"\nend\n";
	static const char list[] = "Timur Trading House\n";
	struct rules_file	 f[2] = {
		{ "main.rules", NULL, main_rules, sizeof main_rules - 1 },
		{ "lists/s.txt", NULL, list, sizeof list - 1 },
	};
	struct diag_list	 l;
	struct rules_ruleset	*rs;
	struct manifest_train	*t;
	struct decision		*d;
	char			*cause = NULL;

	diag_list_init(&l, 0);
	rs = rules_ruleset_compile("t", f, 2, &l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	diag_list_clear(&l);
	t = train_with("Timur Trading House", NULL, NULL);
	t->consignments[0]->consignor.name = manifest_str(t, "Timber House",
	    12);
	d = decide_evaluate(rs, t, "[]", NULL, NULL, NULL, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL_FATAL(d->wagons[0].nhits, 1);
	CU_ASSERT_EQUAL(d->wagons[0].hits[0].action, DECISION_HOLD);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->wagons[0].hits[0].reason,
	    "consignee 'Timur Trading House'"));
	decision_free(d);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
}

/* An identifier on the list matches whatever the name. */
static void
t_screening_identifier_first(void)
{
	struct rules_ruleset		*rs = compile_ok(
	    "Timur Trading House\n    id tin KZ-4455-01\n");
	const struct decision_hit	*h;
	struct decision			*d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	d = screen(rs, "Green Valley Foods", "KZ", "kz 4455 01", NULL, NULL);
	h = sanctions_hit(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(h->action, DECISION_HOLD);
	CU_ASSERT_PTR_NOT_NULL(strstr(h->reason, "by identifier tin"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h->reason, "certain"));
	decision_free(d);
	/* A name-only test does not see identifiers. */
	d = screen(rs, "Green Valley Foods", "KZ", "KZ445501", NULL, NULL);
	CU_ASSERT_EQUAL(d->wagons[0].nhits, 1);
	decision_free(d);
	rules_ruleset_unref(rs);
}

/* A valid BIN of the 11 digits d (a check digit exists for them). */
static void
bin_of(const char *d, char out[13])
{
	memcpy(out, d, 11);
	out[11] = (char)ident_kz_bin_check_digit(d);
	out[12] = '\0';
}

/*
 * A party whose identifier differs from the entry's registration of the
 * same scheme scores 0.10 lower: the same name is then a possible match;
 * the entry's own identifier is certain.
 */
static void
t_screening_identifier_differs(void)
{
	struct rules_ruleset		*rs;
	const struct decision_hit	*h;
	struct decision			*d;
	char				 listed[13], other[13], *list;

	bin_of("05054000445", listed);
	bin_of("99014000123", other);
	CU_ASSERT_FATAL(ident_check("kz-bin", listed, NULL, 0) == 0);
	CU_ASSERT_FATAL(ident_check("kz-bin", other, NULL, 0) == 0);
	list = xasprintf("Timur Trading House\n    id kz-bin %s\n", listed);
	rs = compile_ok(list);
	free(list);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	d = screen(rs, "Timur Trading House", "KZ", other, NULL, NULL);
	h = sanctions_hit(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(h->action, DECISION_DOC_CHECK);
	CU_ASSERT_PTR_NOT_NULL(strstr(h->reason, ": 0.90 (1.00 less 0.10: its "
	    "kz-bin differs from the entry's) (possible match)"));
	decision_free(d);
	/* No identifier, or one of no scheme the entry has: no penalty. */
	d = screen(rs, "Timur Trading House", "KZ", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(sanctions_hit(d)->action, DECISION_HOLD);
	decision_free(d);
	d = screen(rs, "Timur Trading House", "KZ", "DE12345", NULL, NULL);
	CU_ASSERT_EQUAL(sanctions_hit(d)->action, DECISION_HOLD);
	decision_free(d);
	/* Its own registration, written with spaces: certain. */
	list = xasprintf("%.4s %.4s %.4s", listed, listed + 4, listed + 8);
	d = screen(rs, "Someone Else", "KZ", list, NULL, NULL);
	free(list);
	CU_ASSERT_EQUAL(sanctions_hit(d)->action, DECISION_HOLD);
	CU_ASSERT_PTR_NOT_NULL(strstr(sanctions_hit(d)->reason,
	    "by identifier kz-bin"));
	decision_free(d);
	rules_ruleset_unref(rs);
}

/* Vympel Technology Group is a possible match of the listed Vympel
 * Technologies (0.86 with the default rule set's words). */
#define VYMPEL_CLEARED \
	"[{\"id\":7,\"list\":\"sanctioned\",\"entry\":\"Vympel " \
	"Technologies\",\"party\":{\"name\":\"VYMPEL  technology group\"," \
	"\"country\":\"KZ\",\"id\":null}}]"

/* A clearance skips the entry cleared, for that party only. */
static void
t_screening_cleared(void)
{
	const struct rules_ruleset *rs = default_rs;
	struct decision		*d;
	char			*applied = NULL;

	d = screen(rs, "Vympel Technology Group", "KZ", NULL, NULL, &applied);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sanctions_hit(d));
	CU_ASSERT_EQUAL(sanctions_hit(d)->action, DECISION_DOC_CHECK);
	CU_ASSERT_STRING_EQUAL(applied, "[]");
	decision_free(d);
	free(applied);
	/* Cleared: nothing, and the clearance is reported as applied. */
	d = screen(rs, "Vympel Technology Group", "KZ", NULL, VYMPEL_CLEARED,
	    &applied);
	CU_ASSERT_PTR_NULL(sanctions_hit(d));
	CU_ASSERT_EQUAL(d->outcome, DECISION_OUTCOME_RELEASE);
	CU_ASSERT_PTR_NOT_NULL(strstr(applied, "\"id\":7"));
	decision_free(d);
	free(applied);
	/* Another country: the clearance is not about this party. */
	d = screen(rs, "Vympel Technology Group", "RU", NULL, VYMPEL_CLEARED,
	    &applied);
	CU_ASSERT_PTR_NOT_NULL(sanctions_hit(d));
	CU_ASSERT_STRING_EQUAL(applied, "[]");
	decision_free(d);
	free(applied);
	/* The listed company itself is still held. */
	d = screen(rs, "Vympel Technologies", "KZ", NULL, VYMPEL_CLEARED,
	    &applied);
	CU_ASSERT_EQUAL(sanctions_hit(d)->action, DECISION_HOLD);
	CU_ASSERT_STRING_EQUAL(applied, "[]");
	decision_free(d);
	free(applied);
}

/* Replay with only the applied clearances reaches the same decision. */
static void
t_screening_replay_applied(void)
{
	const struct rules_ruleset *rs = default_rs;
	struct decision		*a, *b;
	struct buf		 ja = { 0 }, jb = { 0 };
	char			*applied = NULL, *app2 = NULL;
	const char		*many = "[{\"id\":1,\"list\":\"sanctioned\","
	    "\"entry\":\"Eastern Star Shipping LLP\",\"party\":{\"name\":"
	    "\"Someone Else\"}},{\"id\":7,\"list\":\"sanctioned\",\"entry\":"
	    "\"Vympel Technologies\",\"party\":{\"name\":\"Vympel Technology "
	    "Group\"}}]";

	a = screen(rs, "Vympel Technology Group", NULL, NULL, many, &applied);
	CU_ASSERT_PTR_NOT_NULL(strstr(applied, "\"id\":7"));
	CU_ASSERT_PTR_NULL(strstr(applied, "\"id\":1"));
	b = screen(rs, "Vympel Technology Group", NULL, NULL, applied, &app2);
	decision_json_write(a, DECISION_JSON_NO_TIMING, &ja);
	decision_json_write(b, DECISION_JSON_NO_TIMING, &jb);
	CU_ASSERT_EQUAL(ja.len, jb.len);
	CU_ASSERT(ja.len == jb.len && memcmp(ja.data, jb.data, ja.len) == 0);
	CU_ASSERT_STRING_EQUAL(applied, app2);
	free(ja.data);
	free(jb.data);
	free(applied);
	free(app2);
	decision_free(a);
	decision_free(b);
}

/* Bad clearances JSON is refused with where. */
static void
t_screening_clearances_refused(void)
{
	struct manifest_train	*t = train_with("X", NULL, NULL);
	char			*cause = NULL;

	CU_ASSERT_PTR_NULL(decide_evaluate(default_rs, t, "[]",
	    "[{\"id\":1,\"list\":\"sanctioned\",\"party\":{\"name\":\"A\"}}]",
	    NULL, NULL, &cause));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_STRING_EQUAL(cause, "clearances: clearance 1: 'entry' is "
	    "missing or not valid");
	free(cause);
	cause = NULL;
	CU_ASSERT_PTR_NULL(decide_evaluate(default_rs, t, "[]", "{}", NULL, NULL,
	    &cause));
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	manifest_train_free(t);
}

/* List files are refused at load with file and line. */
static void
t_screening_list_errors(void)
{
	CU_ASSERT_STRING_EQUAL(list_error("    aka X\nA\n"), "lists/s.txt:1: "
	    "an attribute line (starting with white space) before any entry");
	CU_ASSERT_STRING_EQUAL(list_error("A\n  alias B\n"), "lists/s.txt:2: "
	    "unknown attribute 'alias': an entry takes 'aka NAME', 'country "
	    "CC' and 'id SCHEME VALUE'");
	CU_ASSERT_STRING_EQUAL(list_error("A\n  country Kazakhstan\n"),
	    "lists/s.txt:2: country 'Kazakhstan' is not an ISO 3166 code of "
	    "two capital letters");
	CU_ASSERT_PTR_NOT_NULL(strstr(list_error("A\n\n# c\n  id vat 12345\n"),
	    "lists/s.txt:4: identifier 'vat 12345': "));
	CU_ASSERT_STRING_EQUAL(list_error("A\n  id uscc\n"), "lists/s.txt:2: "
	    "expected 'id SCHEME VALUE', e.g. 'id uscc 91110000100000000R'");
	CU_ASSERT_PTR_NOT_NULL(strstr(list_error("A\nشركة النور\n"),
	    "lists/s.txt:2: 'شركة النور': a letter of the Arabic script"));
	CU_ASSERT_PTR_NOT_NULL(strstr(list_error("A\n  aka Ελλάς\n"),
	    "lists/s.txt:2: 'Ελλάς': a letter of the Greek script"));
	CU_ASSERT_STRING_EQUAL(list_error("A\n  country\n"), "lists/s.txt:2: "
	    "'country' needs a value");
}

/* Edition-3 syntax in an older rule set is refused where it is used. */
static void
t_screening_needs_edition_3(void)
{
	static const char main_rules[] =
	    "edition 2\nlist s from \"lists/s.txt\"\n"
	    "rule r\n scope consignment\n action HOLD\n"
	    " when consignee.name matches list s at 0.9 possible at 0.8\n"
	    " reason \"{match}\"\nend\n";
	static const char list[] = "A\n";
	struct rules_file	 f[2] = {
		{ "main.rules", NULL, main_rules, sizeof main_rules - 1 },
		{ "lists/s.txt", NULL, list, sizeof list - 1 },
	};
	struct diag_list	 l;

	diag_list_init(&l, 0);
	CU_ASSERT_PTR_NULL(rules_ruleset_compile("t", f, 2, &l));
	CU_ASSERT_EQUAL_FATAL(l.n, 1);
	CU_ASSERT_EQUAL(l.v[0].loc.line, 6);
	CU_ASSERT_STRING_EQUAL(l.v[0].message, "'possible at' needs edition "
	    "3: declare 'edition 3' (docs/rules.md, \"Editions\")");
	diag_list_clear(&l);
}

/* A party word outside consignment and item scope, and misuse. */
static void
t_screening_party_misuse(void)
{
	static const char *const bad[] = {
		"edition 3\nrule r\n scope wagon\n action HOLD\n"
		" when party matches list s at 0.9\n reason \"x\"\nend\n",
		"edition 3\nrule r\n scope consignment\n action HOLD\n"
		" when consignor = consignee\n reason \"x\"\nend\n",
		"edition 3\nrule r\n scope consignment\n action HOLD\n"
		" when consignee\n reason \"x\"\nend\n",
		"edition 3\nrule r\n scope consignment\n action HOLD\n"
		" when party in list s\n reason \"x\"\nend\n",
		"edition 3\nrule r\n scope consignment\n action HOLD\n"
		" when not party matches list s at 0.9 possible at 0.8\n"
		" reason \"x\"\nend\n",
	};
	static const char list[] = "A\n";
	struct diag_list	 l;
	size_t			 i;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *text = xasprintf("list s from \"lists/s.txt\"\n%s",
		    bad[i]);
		struct rules_file f[2] = {
			{ "main.rules", NULL, text, strlen(text) },
			{ "lists/s.txt", NULL, list, sizeof list - 1 },
		};

		diag_list_init(&l, 0);
		CU_ASSERT_PTR_NULL(rules_ruleset_compile("t", f, 2, &l));
		CU_ASSERT(l.n >= 1);
		diag_list_clear(&l);
		free(text);
	}
}

/* What `railgate lists import` writes loads, and screens by its ids. */
static void
t_screening_imported_lists_load(void)
{
	static const char *const files[] = {
		"fixtures/screening/un/un-small.txt",
		"fixtures/screening/un/un-edge.txt",
	};
	struct rules_ruleset	*rs;
	struct decision		*d;
	char			*text;
	size_t			 i, len;

	for (i = 0; i < sizeof files / sizeof *files; i++) {
		CU_ASSERT_EQUAL_FATAL(file_read_all(files[i], &text, &len), 0);
		rs = compile_ok(text);
		CU_ASSERT_PTR_NOT_NULL(rs);
		if (rs != NULL && i == 1) {
			/* id inn 7707083893 on NORTH STAR SHIPPING ... */
			d = screen(rs, "Polar Freight", "RU", "7707-083-893",
			    NULL, NULL);
			CU_ASSERT_PTR_NOT_NULL(strstr(sanctions_hit(d)->reason,
			    "by identifier inn"));
			decision_free(d);
		}
		rules_ruleset_unref(rs);
		free(text);
	}
}

/*
 * A name is itself: 1.00 whatever its words (repeated one-letter words
 * once aligned below 1; a byte that is no UTF-8 is a space).  Found by
 * fuzz_names.
 */
static void
t_screening_self(void)
{
	static const char *const names[] = {
		"A]AAyEA]A\x82" "EA]A", "a a a a", "Ё Ё ё", "红 红 红",
	};
	struct names_hit	 h;
	char			 err[160];
	size_t			 i;

	for (i = 0; i < sizeof names / sizeof *names; i++) {
		CU_ASSERT_EQUAL_FATAL(names_match(names[i], names[i], NULL,
		    NULL, &h, err, sizeof err), 0);
		CU_ASSERT_DOUBLE_EQUAL(h.score, 1.0, 1e-9);
	}
}

/*
 * Computed texts (here a container's declared seals) screened again and
 * again in one condition: their candidates live with the frame's other
 * computed texts and are freed with them (under ASan this once wrote
 * past the frame's array).
 */
static void
t_screening_computed_subject(void)
{
	static const char main_rules[] =
	    "edition 3\nlist s from \"lists/s.txt\"\n"
	    "rule seal\n scope container\n action AUDIT\n"
	    " when seals_declared matches list s at 0.9"
	    " and seals_declared matches list s at 0.9"
	    " and seals_declared matches list s at 0.9"
	    " and seals_declared matches list s at 0.9"
	    " and seals_declared matches list s at 0.9\n"
	    " reason \"{seals_declared}: {match}\"\nend\n";
	static const char list[] = "KZ7712001\n";
	struct rules_file	 f[2] = {
		{ "main.rules", NULL, main_rules, sizeof main_rules - 1 },
		{ "lists/s.txt", NULL, list, sizeof list - 1 },
	};
	struct diag_list	 l;
	struct rules_ruleset	*rs;
	struct manifest_train	*t;
	struct manifest_seal	*seal;
	struct decision		*d;
	char			*cause = NULL;

	diag_list_init(&l, 0);
	rs = rules_ruleset_compile("t", f, 2, &l);
	diag_list_clear(&l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	t = train_with("Getriebe Sud GmbH", NULL, NULL);
	seal = manifest_container_add_seal(t, t->wagons[0]->containers[0]);
	seal->number = manifest_str(t, "KZ7712001", 9);
	d = decide_evaluate(rs, t, "[]", NULL, NULL, NULL, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL_FATAL(d->wagons[0].nhits, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->wagons[0].hits[0].reason,
	    "KZ7712001: 'KZ7712001' is listed 's' entry 'KZ7712001'"));
	decision_free(d);
	manifest_train_free(t);
	rules_ruleset_unref(rs);
}

static CU_TestInfo screening_tests[] = {
	{ "computed texts screened", t_screening_computed_subject },
	{ "a name scores 1 against itself", t_screening_self },
	{ "imported UN lists load", t_screening_imported_lists_load },
	{ "variants of listed names are held", t_screening_variants_held },
	{ "look-alikes are never held", t_screening_lookalikes_not_held },
	{ "aliases match as their entry", t_screening_aliases },
	{ "a possible match is DOC_CHECK", t_screening_possible_is_doc_check },
	{ "a strong match wins over a possible one",
	    t_screening_strong_wins_over_possible },
	{ "identifiers before names", t_screening_identifier_first },
	{ "a differing identifier lowers the score",
	    t_screening_identifier_differs },
	{ "a clearance skips the entry cleared", t_screening_cleared },
	{ "replay with the applied clearances", t_screening_replay_applied },
	{ "bad clearances refused", t_screening_clearances_refused },
	{ "list files refused with file and line", t_screening_list_errors },
	{ "edition-3 syntax needs edition 3", t_screening_needs_edition_3 },
	{ "parties misused", t_screening_party_misuse },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("screening", screening_init, screening_cleanup, screening_tests)
