/*
 * lang_expr.c -- the rule language's expressions: a recursive-descent
 * parser over lang_lex.c's tokens that type-checks as it goes (a
 * condition, a number, a text) and resolves field names against the
 * table below at the scope of the rule being compiled.  Trees live in
 * the rule set's arena (lang.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/model.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "fuzzy.h"
#include "lang_int.h"

/* A field of the model as rules name it. */
struct field_def {
	const char		*name;
	enum rules_scope	 scope;
	enum rules_type		 type;
	enum rules_field	 id;
};

static const struct field_def lang_fields[] = {
#define F(n, s, t, i) { n, RULES_SCOPE_##s, RULES_TYPE_##t, RULES_F_##i }
	F("train.id", TRAIN, STRING, TRAIN_ID),
	F("train.direction", TRAIN, STRING, TRAIN_DIRECTION),
	F("train.function", TRAIN, STRING, TRAIN_FUNCTION),
	F("train.border_station", TRAIN, STRING, TRAIN_BORDER_STATION),
	F("train.manifest_ref", TRAIN, STRING, TRAIN_MANIFEST_REF),
	F("train.wagons", TRAIN, NUMBER, TRAIN_WAGONS),
	F("train.items", TRAIN, NUMBER, TRAIN_ITEMS),
	F("train.carrier.name", TRAIN, STRING, TRAIN_CARRIER_NAME),
	F("train.arrived", TRAIN, BOOL, TRAIN_ARRIVED),
	F("train.unplaced_items", TRAIN, NUMBER, TRAIN_UNPLACED_ITEMS),
	F("wagon.number", WAGON, STRING, WAGON_NUMBER),
	F("wagon.position", WAGON, NUMBER, WAGON_POSITION),
	F("wagon.type", WAGON, STRING, WAGON_TYPE),
	F("wagon.tare", WAGON, NUMBER, WAGON_TARE),
	F("wagon.number_valid", WAGON, BOOL, WAGON_NUMBER_VALID),
	F("wagon.declared_mass", WAGON, NUMBER, WAGON_DECLARED_MASS),
	F("wagon.weighbridge", WAGON, NUMBER, WAGON_WEIGHBRIDGE),
	F("wagon.variance", WAGON, NUMBER, WAGON_VARIANCE),
	F("wagon.containers", WAGON, NUMBER, WAGON_CONTAINERS),
	F("wagon.items", WAGON, NUMBER, WAGON_ITEMS),
	F("wagon.all_consignees_aeo", WAGON, BOOL, WAGON_ALL_CONSIGNEES_AEO),
	F("wagon.seals_damaged", WAGON, BOOL, WAGON_SEALS_DAMAGED),
	F("wagon.seals_match_neighbour", WAGON, BOOL,
	    WAGON_SEALS_MATCH_NEIGHBOUR),
	F("wagon.neighbour_cleared", WAGON, BOOL, WAGON_NEIGHBOUR_CLEARED),
	F("container.number", CONTAINER, STRING, CONTAINER_NUMBER),
	F("container.size_type", CONTAINER, STRING, CONTAINER_SIZE_TYPE),
	F("container.full", CONTAINER, BOOL, CONTAINER_FULL),
	F("container.empty", CONTAINER, BOOL, CONTAINER_EMPTY),
	F("container.gross", CONTAINER, NUMBER, CONTAINER_GROSS),
	F("container.number_valid", CONTAINER, BOOL, CONTAINER_NUMBER_VALID),
	F("container.seals_damaged", CONTAINER, BOOL, CONTAINER_SEALS_DAMAGED),
	F("container.seals_match_neighbour", CONTAINER, BOOL,
	    CONTAINER_SEALS_MATCH_NEIGHBOUR),
	F("container.scan", CONTAINER, STRING, CONTAINER_SCAN),
	F("container.neighbour_control", CONTAINER, STRING,
	    CONTAINER_NEIGHBOUR_CONTROL),
	F("consignment.ref", CONSIGNMENT, STRING, CONSIGNMENT_REF),
	F("consignment.procedure", CONSIGNMENT, STRING, CONSIGNMENT_PROCEDURE),
	F("consignment.value", CONSIGNMENT, NUMBER, CONSIGNMENT_VALUE),
	F("consignment.currency", CONSIGNMENT, STRING, CONSIGNMENT_CURRENCY),
	F("consignment.consignor.id", CONSIGNMENT, STRING, CONSIGNOR_ID),
	F("consignment.consignor.name", CONSIGNMENT, STRING, CONSIGNOR_NAME),
	F("consignment.consignor.country", CONSIGNMENT, STRING,
	    CONSIGNOR_COUNTRY),
	F("consignment.consignor.aeo", CONSIGNMENT, STRING, CONSIGNOR_AEO),
	F("consignment.consignee.id", CONSIGNMENT, STRING, CONSIGNEE_ID),
	F("consignment.consignee.name", CONSIGNMENT, STRING, CONSIGNEE_NAME),
	F("consignment.consignee.country", CONSIGNMENT, STRING,
	    CONSIGNEE_COUNTRY),
	F("consignment.consignee.aeo", CONSIGNMENT, STRING, CONSIGNEE_AEO),
	F("consignment.declarant.id", CONSIGNMENT, STRING, DECLARANT_ID),
	F("consignment.declarant.name", CONSIGNMENT, STRING, DECLARANT_NAME),
	F("consignment.declarant.country", CONSIGNMENT, STRING,
	    DECLARANT_COUNTRY),
	F("consignment.declarant.aeo", CONSIGNMENT, STRING, DECLARANT_AEO),
	F("item.seq", ITEM, NUMBER, ITEM_SEQ),
	F("item.hs", ITEM, STRING, ITEM_HS),
	F("item.description", ITEM, STRING, ITEM_DESCRIPTION),
	F("item.packages", ITEM, NUMBER, ITEM_PACKAGES),
	F("item.gross", ITEM, NUMBER, ITEM_GROSS),
	F("item.net", ITEM, NUMBER, ITEM_NET),
	F("item.value", ITEM, NUMBER, ITEM_VALUE),
	F("item.currency", ITEM, STRING, ITEM_CURRENCY),
	F("item.origin", ITEM, STRING, ITEM_ORIGIN),
	F("item.un_number", ITEM, STRING, ITEM_UN_NUMBER),
	F("item.un", ITEM, NUMBER, ITEM_UN),
	F("item.placed", ITEM, BOOL, ITEM_PLACED),
	/* Evidence (issue 17): scans, seal checks, weighings, the neighbour. */
	F("wagon.scan", WAGON, STRING, WAGON_SCAN),
	F("wagon.scan_suspect", WAGON, BOOL, WAGON_SCAN_SUSPECT),
	F("container.scan_suspect", CONTAINER, BOOL, CONTAINER_SCAN_SUSPECT),
	F("wagon.seal_check_differs", WAGON, BOOL, WAGON_SEAL_CHECK_DIFFERS),
	F("container.seal_check_differs", CONTAINER, BOOL,
	    CONTAINER_SEAL_CHECK_DIFFERS),
	F("wagon.seal_reported", WAGON, STRING, WAGON_SEAL_REPORTED),
	F("container.seal_reported", CONTAINER, STRING,
	    CONTAINER_SEAL_REPORTED),
	F("wagon.seals_declared", WAGON, STRING, WAGON_SEALS_DECLARED),
	F("container.seals_declared", CONTAINER, STRING,
	    CONTAINER_SEALS_DECLARED),
	F("wagon.weighbridge_source", WAGON, STRING, WAGON_WEIGHBRIDGE_SOURCE),
	F("wagon.neighbour_suspect", WAGON, BOOL, WAGON_NEIGHBOUR_SUSPECT),
	F("container.neighbour_suspect", CONTAINER, BOOL,
	    CONTAINER_NEIGHBOUR_SUSPECT),
	F("wagon.neighbour_held", WAGON, BOOL, WAGON_NEIGHBOUR_HELD),
	F("train.neighbour_service", TRAIN, STRING, TRAIN_NEIGHBOUR_SERVICE),
	F("wagon.neighbour_result", WAGON, STRING, WAGON_NEIGHBOUR_RESULT),
	F("container.neighbour_result", CONTAINER, STRING,
	    CONTAINER_NEIGHBOUR_RESULT),
	F("wagon.seals_neighbour", WAGON, STRING, WAGON_SEALS_NEIGHBOUR),
	F("container.seals_neighbour", CONTAINER, STRING,
	    CONTAINER_SEALS_NEIGHBOUR),
	F("train.transport_mode", TRAIN, STRING, TRAIN_TRANSPORT_MODE),
	/* Parcels (docs/parcels.md): CT scans by tracking number, named
	 * apart from wagon.scan_suspect, which an item rule reads unqualified. */
	F("item.tracking", ITEM, STRING, ITEM_TRACKING),
	F("item.ct_scan", ITEM, STRING, ITEM_SCAN),
	F("item.ct_suspect", ITEM, BOOL, ITEM_SCAN_SUSPECT),
#undef F
};

const char *const lang_scope_names[RULES_SCOPE_COUNT] = {
	"train", "wagon", "container", "consignment", "item",
};

/* The parent chain of each scope, the scope itself first. */
static const enum rules_scope lang_parents[RULES_SCOPE_COUNT][4] = {
	{ RULES_SCOPE_TRAIN, RULES_SCOPE_TRAIN, RULES_SCOPE_TRAIN,
	    RULES_SCOPE_TRAIN },
	{ RULES_SCOPE_WAGON, RULES_SCOPE_TRAIN, RULES_SCOPE_TRAIN,
	    RULES_SCOPE_TRAIN },
	{ RULES_SCOPE_CONTAINER, RULES_SCOPE_WAGON, RULES_SCOPE_TRAIN,
	    RULES_SCOPE_TRAIN },
	{ RULES_SCOPE_CONSIGNMENT, RULES_SCOPE_WAGON, RULES_SCOPE_TRAIN,
	    RULES_SCOPE_TRAIN },
	{ RULES_SCOPE_ITEM, RULES_SCOPE_CONSIGNMENT, RULES_SCOPE_WAGON,
	    RULES_SCOPE_TRAIN },
};

/* A new node of op and type. */
struct rules_node *
lang_node_new(struct parser *ps, enum rules_op op, enum rules_type type)
{
	struct rules_node	*n = arena_zalloc(ps->rs->arena, sizeof *n);

	n->op = op;
	n->type = type;
	return n;
}

/* Checks that n has type want; false (with an error at t) if not. */
static bool
want_type(struct parser *ps, const struct rules_node *n, enum rules_type want,
    const struct token *t, const char *context)
{
	static const char	*names[] = { "a condition (yes/no)",
				    "a number", "a text",
				    "a party (screened with 'matches list')" };

	if (n == NULL)
		return false;
	if (n->type == want)
		return true;
	lang_error(ps, t, "%s needs %s, but this is %s", context, names[want],
	    names[n->type]);
	return false;
}

/* Looks up a list by name; NULL with an error. */
static const struct rules_list *
lang_list(struct parser *ps)
{
	size_t	i;

	if (ps->tok.kind != TOK_WORD)
		return lang_expected(ps, "a list name");
	for (i = 0; i < ps->rs->nlists; i++) {
		const char *n = ps->rs->lists[i]->name;

		if (strlen(n) == ps->tok.len &&
		    memcmp(n, ps->tok.s, ps->tok.len) == 0) {
			lang_lex_next(ps);
			return ps->rs->lists[i];
		}
	}
	lang_error(ps, &ps->tok, "unknown list '%.*s' (declare it first with "
	    "list NAME from \"FILE\")", (int)ps->tok.len, ps->tok.s);
	return NULL;
}

/* Resolves a field name at the current rule's scope; NULL if unknown. */
static const struct field_def *
lang_field(struct parser *ps, const char *name, size_t len, bool *reachable)
{
	size_t	i, k;
	char	full[96];

	*reachable = true;
	for (i = 0; i < nitems(lang_fields); i++) {
		if (strlen(lang_fields[i].name) != len ||
		    memcmp(lang_fields[i].name, name, len) != 0)
			continue;
		for (k = 0; k < 4; k++)
			if (lang_parents[ps->scope][k] == lang_fields[i].scope)
				return &lang_fields[i];
		*reachable = false;
		return &lang_fields[i];
	}
	for (k = 0; k < 4; k++) {
		snprintf(full, sizeof full, "%s.%.*s",
		    lang_scope_names[lang_parents[ps->scope][k]], (int)len, name);
		for (i = 0; i < nitems(lang_fields); i++)
			if (strcmp(lang_fields[i].name, full) == 0)
				return &lang_fields[i];
	}
	return NULL;
}

/*
 * `consignor`, `consignee`, `declarant`, `party`: a party to screen
 * (edition 3, docs/screening.md); NULL when t is no such word.
 */
static struct rules_node *
parse_party(struct parser *ps, const struct token *t)
{
	static const char *const words[] = { "consignor", "consignee",
	    "declarant", "party" };
	struct rules_node	*n;
	size_t			 i;

	for (i = 0; i < nitems(words); i++)
		if (strlen(words[i]) == t->len &&
		    memcmp(words[i], t->s, t->len) == 0)
			break;
	if (i == nitems(words))
		return NULL;
	if (ps->scope != RULES_SCOPE_CONSIGNMENT &&
	    ps->scope != RULES_SCOPE_ITEM) {
		lang_error(ps, t, "'%s' is a consignment's party: screen it "
		    "at consignment or item scope", words[i]);
		return NULL;
	}
	lang_edition3(ps, t, "a party screened by 'matches list'");
	n = lang_node_new(ps, RULES_OP_PARTY, RULES_TYPE_PARTY);
	n->num = (int64_t)i;	/* enum rules_party */
	return n;
}

/* A field read, a list lookup, or the `match` of the last fuzzy match. */
static struct rules_node *
parse_name(struct parser *ps)
{
	struct token		 t = ps->tok;
	const struct field_def	*f;
	struct rules_node	*n;
	bool			 reachable;
	size_t			 i;

	for (i = 0; i < ps->rs->nlists; i++)
		if (strlen(ps->rs->lists[i]->name) == t.len &&
		    memcmp(ps->rs->lists[i]->name, t.s, t.len) == 0)
			break;
	/* A list name followed by '[' is a lookup; otherwise a field. */
	if (i < ps->rs->nlists && ps->p < ps->end && *ps->p == '[') {
		lang_lex_next(ps);
		n = lang_node_new(ps, RULES_OP_LOOKUP, RULES_TYPE_NUMBER);
		n->list = ps->rs->lists[i];
		lang_lex_next(ps);	/* '[' */
		n->a = lang_parse_expr(ps);
		if (!want_type(ps, n->a, RULES_TYPE_STRING, &t, "a list key") ||
		    !lang_tok_expect(ps, "]", "']'"))
			return NULL;
		return n;
	}
	lang_lex_next(ps);
	if ((n = parse_party(ps, &t)) != NULL || ps->failed)
		return n;
	if (t.len == 5 && memcmp(t.s, "match", 5) == 0) {
		n = lang_node_new(ps, RULES_OP_FIELD, RULES_TYPE_STRING);
		n->field = RULES_F_MATCH;
		return n;
	}
	if ((f = lang_field(ps, t.s, t.len, &reachable)) == NULL) {
		lang_error(ps, &t, "unknown field '%.*s' at %s scope%s",
		    (int)t.len, t.s, lang_scope_names[ps->scope],
		    memchr(t.s, '-', t.len) != NULL ?
		    " (write spaces around '-' to subtract)" : "");
		return NULL;
	}
	if (!reachable) {
		lang_error(ps, &t, "field '%.*s' cannot be read at %s scope",
		    (int)t.len, t.s, lang_scope_names[ps->scope]);
		return NULL;
	}
	n = lang_node_new(ps, RULES_OP_FIELD, f->type);
	n->field = f->id;
	n->field_scope = f->scope;
	return n;
}

/* A number token as thousandths; -1 with an error if out of range. */
static int
lang_number(struct parser *ps, int64_t *out)
{
	if (ps->tok.kind != TOK_NUMBER) {
		lang_expected(ps, "a number");
		return -1;
	}
	if (value_decimal_parse(ps->tok.s, ps->tok.len, out) != VALUE_OK) {
		lang_error(ps, &ps->tok, "number '%.*s' is out of range",
		    (int)ps->tok.len, ps->tok.s);
		return -1;
	}
	lang_lex_next(ps);
	return 0;
}

/* has document CODE */
static struct rules_node *
parse_has(struct parser *ps, const struct token *kw)
{
	struct rules_node	*n;

	if (!lang_tok_expect(ps, "document", "'document' after 'has'"))
		return NULL;
	if (ps->scope != RULES_SCOPE_ITEM) {
		lang_error(ps, kw, "'has document' reads an item's "
		    "documents: use it at item scope");
		return NULL;
	}
	if (ps->tok.kind != TOK_NUMBER && !lang_tok_is_string(&ps->tok))
		return lang_expected(ps, "a document type code such as 851");
	n = lang_node_new(ps, RULES_OP_HAS_DOC, RULES_TYPE_BOOL);
	if (ps->tok.kind == TOK_NUMBER)
		n->str = arena_strndup(ps->rs->arena, ps->tok.s, ps->tok.len);
	else
		n->str = lang_string(ps, &ps->tok, NULL);
	lang_lex_next(ps);
	return n;
}

/* sample N% */
static struct rules_node *
parse_sample(struct parser *ps, const struct token *kw)
{
	struct rules_node	*n;
	int64_t			 pct;

	if (ps->scope == RULES_SCOPE_TRAIN) {
		lang_error(ps, kw, "'sample' draws per wagon: use it at "
		    "wagon, container, consignment or item scope");
		return NULL;
	}
	if (lang_number(ps, &pct) == -1 ||
	    !lang_tok_expect(ps, "%", "'%' after the sampling rate"))
		return NULL;
	if (pct > 100 * MANIFEST_SCALE)
		return lang_expected(ps, "a rate of at most 100%");
	n = lang_node_new(ps, RULES_OP_SAMPLE, RULES_TYPE_BOOL);
	n->fraction = (double)pct / (100.0 * MANIFEST_SCALE);
	return n;
}

/*
 * diagnostic CODE | diagnostic severity error|warning|info, and the text
 * field `diagnostic` (the one such a test found) when no word follows.
 */
static struct rules_node *
parse_diagnostic(struct parser *ps)
{
	static const char	*sev[] = { "info", "warning", "error" };
	struct rules_node	*n;
	size_t			 i;

	if (ps->tok.kind != TOK_WORD && ps->tok.kind != TOK_STRING) {
		n = lang_node_new(ps, RULES_OP_FIELD, RULES_TYPE_STRING);
		n->field = RULES_F_DIAGNOSTIC;
		return n;
	}
	if (ps->tok.kind != TOK_WORD)
		return lang_expected(ps, "a diagnostic code such as "
		    "UNKNOWN_EQUIPMENT");
	if (ps->scope != RULES_SCOPE_TRAIN)
		ps->scoped_diagnostic = true;
	if (lang_tok_accept(ps, "severity")) {
		for (i = 0; i < nitems(sev); i++)
			if (lang_tok_is(ps, sev[i]))
				break;
		if (i == nitems(sev))
			return lang_expected(ps, "a severity (error, warning, "
			    "info) after 'diagnostic severity'");
		lang_lex_next(ps);
		n = lang_node_new(ps, RULES_OP_DIAG_SEVERITY, RULES_TYPE_BOOL);
		n->num = (int64_t)i;	/* enum diag_severity */
		return n;
	}
	n = lang_node_new(ps, RULES_OP_DIAGNOSTIC, RULES_TYPE_BOOL);
	n->str = arena_strndup(ps->rs->arena, ps->tok.s, ps->tok.len);
	lang_lex_next(ps);
	return n;
}

/* round(x): x rounded to a whole number, halves away from zero. */
static struct rules_node *
parse_round(struct parser *ps, const struct token *kw)
{
	struct rules_node	*n;

	if (!lang_tok_expect(ps, "(", "'(' after round"))
		return NULL;
	n = lang_node_new(ps, RULES_OP_ROUND, RULES_TYPE_NUMBER);
	n->a = lang_parse_expr(ps);
	if (!want_type(ps, n->a, RULES_TYPE_NUMBER, kw, "round") ||
	    !lang_tok_expect(ps, ")", "')'"))
		return NULL;
	return n;
}

/* A primary: literal, (expr), field, list lookup, or a keyword form. */
static struct rules_node *
parse_primary(struct parser *ps)
{
	struct token		 t = ps->tok;
	struct rules_node	*n;

	if (t.kind == TOK_NUMBER) {
		n = lang_node_new(ps, RULES_OP_NUMBER, RULES_TYPE_NUMBER);
		return lang_number(ps, &n->num) == -1 ? NULL : n;
	}
	if (lang_tok_is_string(&t)) {
		n = lang_node_new(ps, RULES_OP_STRING, RULES_TYPE_STRING);
		n->str = lang_string(ps, &t, &n->len);
		lang_lex_next(ps);
		return n;
	}
	if (t.kind == TOK_STRING)
		return lang_expected(ps, "a closing '\"' on the same line");
	if (lang_tok_accept(ps, "(")) {
		n = lang_parse_expr(ps);
		return n != NULL && lang_tok_expect(ps, ")", "')'") ? n : NULL;
	}
	if (lang_tok_accept(ps, "true") || lang_tok_accept(ps, "false")) {
		n = lang_node_new(ps, RULES_OP_BOOL, RULES_TYPE_BOOL);
		n->num = t.s[0] == 't';
		return n;
	}
	if (lang_tok_accept(ps, "has"))
		return parse_has(ps, &t);
	if (lang_tok_accept(ps, "sample"))
		return parse_sample(ps, &t);
	if (lang_tok_accept(ps, "diagnostic"))
		return parse_diagnostic(ps);
	if (t.kind == TOK_WORD && t.len == 5 && memcmp(t.s, "round", 5) == 0 &&
	    ps->p < ps->end && *ps->p == '(') {
		lang_lex_next(ps);
		return parse_round(ps, &t);
	}
	if (lang_tok_accept(ps, "abs")) {
		if (!lang_tok_expect(ps, "(", "'(' after abs"))
			return NULL;
		n = lang_node_new(ps, RULES_OP_ABS, RULES_TYPE_NUMBER);
		n->a = lang_parse_expr(ps);
		if (!want_type(ps, n->a, RULES_TYPE_NUMBER, &t, "abs") ||
		    !lang_tok_expect(ps, ")", "')'"))
			return NULL;
		return n;
	}
	if (t.kind == TOK_WORD)
		return parse_name(ps);
	return lang_expected(ps, "a value (a field, number, \"text\" or '(')");
}

/* unary := '-' unary | primary */
static struct rules_node *
parse_unary(struct parser *ps)
{
	struct token		 t = ps->tok;
	struct rules_node	*n;

	if (!lang_tok_accept(ps, "-"))
		return parse_primary(ps);
	n = lang_node_new(ps, RULES_OP_NEG, RULES_TYPE_NUMBER);
	n->a = parse_unary(ps);
	return want_type(ps, n->a, RULES_TYPE_NUMBER, &t, "'-'") ? n : NULL;
}

/* Left-associative binary arithmetic at one precedence level. */
static struct rules_node *
parse_arith(struct parser *ps, bool sum)
{
	struct rules_node	*l = sum ? parse_arith(ps, false) :
				    parse_unary(ps), *n;
	struct token		 t;
	enum rules_op		 op;

	for (;;) {
		t = ps->tok;
		if (l == NULL)
			return NULL;
		if (sum && lang_tok_is(ps, "+"))
			op = RULES_OP_ADD;
		else if (sum && lang_tok_is(ps, "-"))
			op = RULES_OP_SUB;
		else if (!sum && lang_tok_is(ps, "*"))
			op = RULES_OP_MUL;
		else if (!sum && lang_tok_is(ps, "/"))
			op = RULES_OP_DIV;
		else
			return l;
		lang_lex_next(ps);
		n = lang_node_new(ps, op, RULES_TYPE_NUMBER);
		n->a = l;
		n->b = sum ? parse_arith(ps, false) : parse_unary(ps);
		if (!want_type(ps, n->a, RULES_TYPE_NUMBER, &t, "arithmetic") ||
		    !want_type(ps, n->b, RULES_TYPE_NUMBER, &t, "arithmetic"))
			return NULL;
		l = n;
	}
}

/* in chapters 06..08, 10, 12 */
static struct rules_node *
parse_chapters(struct parser *ps, struct rules_node *l)
{
	struct rules_node	*n = lang_node_new(ps, RULES_OP_CHAPTERS,
				    RULES_TYPE_BOOL);
	int64_t			 lo, hi, c;

	n->a = l;
	do {
		if (lang_number(ps, &lo) == -1)
			return NULL;
		hi = lo;
		if (lang_tok_accept(ps, "..") && lang_number(ps, &hi) == -1)
			return NULL;
		lo /= MANIFEST_SCALE;
		hi /= MANIFEST_SCALE;
		if (lo < 1 || hi > 99 || lo > hi)
			return lang_expected(ps, "HS chapters between 01 and 99");
		for (c = lo; c <= hi; c++)
			n->chapters[c / 64] |= UINT64_C(1) << (c % 64);
	} while (lang_tok_accept(ps, ","));
	return n;
}

/* True if the token after the current one is the word w. */
static bool
next_is(const struct parser *ps, const char *w)
{
	struct parser	peek = *ps;

	peek.failed = true;	/* lexing ahead reports nothing */
	lang_lex_next(&peek);
	return lang_tok_is(&peek, w);
}

/* A similarity between 0 and 1 into *out; -1 after an error. */
static int
parse_similarity(struct parser *ps, double *out)
{
	int64_t	thr;

	if (lang_number(ps, &thr) == -1)
		return -1;
	if (thr > MANIFEST_SCALE) {
		lang_expected(ps, "a similarity between 0 and 1");
		return -1;
	}
	*out = (double)thr / MANIFEST_SCALE;
	return 0;
}

/*
 * matches list L at STRONG [possible at POSSIBLE] [unless cleared]; the
 * two clauses are edition 3's (docs/screening.md).
 */
static struct rules_node *
parse_matches(struct parser *ps, const struct rules_node *subject)
{
	struct rules_node	*n;
	struct token		 kw;

	if (!lang_tok_expect(ps, "list", "'list' after 'matches'"))
		return NULL;
	n = lang_node_new(ps, RULES_OP_MATCHES, RULES_TYPE_BOOL);
	n->possible = 2;	/* none: above any score */
	if ((n->list = lang_list(ps)) == NULL ||
	    !lang_tok_expect(ps, "at", "'at' and a similarity such as 0.88") ||
	    parse_similarity(ps, &n->fraction) == -1)
		return NULL;
	kw = ps->tok;
	if (lang_tok_accept(ps, "possible")) {
		lang_edition3(ps, &kw, "'possible at'");
		if (!lang_tok_expect(ps, "at", "'at' and a similarity below "
		    "the strong one") || parse_similarity(ps, &n->possible) == -1)
			return NULL;
		if (n->possible > n->fraction)
			return lang_expected(ps, "a possible similarity no "
			    "higher than the strong one");
		ps->screen_possible = true;
	}
	kw = ps->tok;
	if (lang_tok_is(ps, "unless") && next_is(ps, "cleared")) {
		lang_lex_next(ps);
		lang_lex_next(ps);
		lang_edition3(ps, &kw, "'unless cleared'");
		n->unless_cleared = true;
	}
	(void)subject;
	return n;
}

/* The postfix forms after a string value: in, starts, matches. */
static struct rules_node *
parse_string_test(struct parser *ps, struct rules_node *l, struct token t)
{
	struct rules_node	*n;

	if (lang_tok_accept(ps, "starts")) {
		if (!lang_tok_is_string(&ps->tok))
			return lang_expected(ps, "a \"text\" after 'starts'");
		n = lang_node_new(ps, RULES_OP_STARTS, RULES_TYPE_BOOL);
		n->str = lang_string(ps, &ps->tok, &n->len);
		lang_lex_next(ps);
	} else if (lang_tok_accept(ps, "matches")) {
		if ((n = parse_matches(ps, l)) == NULL)
			return NULL;
		n->a = l;
		return l->type == RULES_TYPE_PARTY ||
		    want_type(ps, l, RULES_TYPE_STRING, &t, "this test") ? n :
		    NULL;
	} else {
		lang_lex_next(ps);	/* "in" */
		if (lang_tok_accept(ps, "chapters"))
			return parse_chapters(ps, l);
		if (!lang_tok_expect(ps, "list", "'chapters' or 'list' after 'in'"))
			return NULL;
		n = lang_node_new(ps, RULES_OP_IN_LIST, RULES_TYPE_BOOL);
		if ((n->list = lang_list(ps)) == NULL)
			return NULL;
		n->prefix_match = l->op == RULES_OP_FIELD &&
		    l->field == RULES_F_ITEM_HS;
	}
	n->a = l;
	return want_type(ps, l, RULES_TYPE_STRING, &t, "this test") ? n : NULL;
}

/* cmp := sum [op sum | in ... | starts ... | matches ... | is known] */
static struct rules_node *
parse_cmp(struct parser *ps)
{
	static const struct { const char *s; enum rules_op op; } ops[] = {
		{ "=", RULES_OP_EQ }, { "!=", RULES_OP_NE },
		{ "<", RULES_OP_LT }, { "<=", RULES_OP_LE },
		{ ">", RULES_OP_GT }, { ">=", RULES_OP_GE },
	};
	struct token		 t = ps->tok;
	struct rules_node	*l = parse_arith(ps, true), *n;
	size_t			 i;

	if (l == NULL)
		return NULL;
	if (lang_tok_is(ps, "in") || lang_tok_is(ps, "starts") || lang_tok_is(ps, "matches"))
		return parse_string_test(ps, l, t);
	if (lang_tok_accept(ps, "is")) {
		n = lang_node_new(ps, RULES_OP_KNOWN, RULES_TYPE_BOOL);
		n->a = l;
		if (lang_tok_accept(ps, "missing"))
			n->num = 1;	/* negated */
		else if (!lang_tok_expect(ps, "known", "'known' or 'missing'"))
			return NULL;
		return n;
	}
	for (i = 0; i < nitems(ops); i++)
		if (lang_tok_is(ps, ops[i].s))
			break;
	if (i == nitems(ops))
		return l;
	t = ps->tok;
	lang_lex_next(ps);
	n = lang_node_new(ps, ops[i].op, RULES_TYPE_BOOL);
	n->a = l;
	n->b = parse_arith(ps, true);
	if (n->b == NULL)
		return NULL;
	if (n->a->type != n->b->type || n->a->type == RULES_TYPE_BOOL ||
	    n->a->type == RULES_TYPE_PARTY ||
	    (n->a->type == RULES_TYPE_STRING && i > 1)) {
		lang_error(ps, &t, "cannot compare %s with %s using '%s'",
		    n->a->type == RULES_TYPE_NUMBER ? "a number" : "a text",
		    n->b->type == RULES_TYPE_NUMBER ? "a number" : "a text",
		    ops[i].s);
		return NULL;
	}
	return n;
}

/* not := 'not' not | cmp */
static struct rules_node *
parse_not(struct parser *ps)
{
	struct token		 t = ps->tok;
	struct rules_node	*n;

	if (!lang_tok_accept(ps, "not"))
		return parse_cmp(ps);
	n = lang_node_new(ps, RULES_OP_NOT, RULES_TYPE_BOOL);
	n->a = parse_not(ps);
	return want_type(ps, n->a, RULES_TYPE_BOOL, &t, "'not'") ? n : NULL;
}

/* and/or chains; `and` binds tighter than `or`. */
static struct rules_node *
parse_logic(struct parser *ps, bool is_or)
{
	struct rules_node	*l = is_or ? parse_logic(ps, false) :
				    parse_not(ps), *n;
	struct token		 t = ps->tok;

	while (l != NULL && lang_tok_accept(ps, is_or ? "or" : "and")) {
		n = lang_node_new(ps, is_or ? RULES_OP_OR : RULES_OP_AND,
		    RULES_TYPE_BOOL);
		n->a = l;
		n->b = is_or ? parse_logic(ps, false) : parse_not(ps);
		if (!want_type(ps, n->a, RULES_TYPE_BOOL, &t, is_or ? "'or'" :
		    "'and'") || !want_type(ps, n->b, RULES_TYPE_BOOL, &t,
		    is_or ? "'or'" : "'and'"))
			return NULL;
		l = n;
		t = ps->tok;
	}
	return l;
}

/* expr := or-chain */
struct rules_node *
lang_parse_expr(struct parser *ps)
{
	return parse_logic(ps, true);
}

/* A condition: an expression that must be yes/no. */
struct rules_node *
lang_parse_condition(struct parser *ps)
{
	struct token		 t = ps->tok;
	struct rules_node	*n = lang_parse_expr(ps);

	return want_type(ps, n, RULES_TYPE_BOOL, &t, "a condition") ? n : NULL;
}
