/*
 * lang.c -- the rule language compiler: lexer, recursive-descent parser
 * and type checker producing the expression trees of lang.h.
 *
 * Errors never stop at the first one: a broken rule is skipped to its
 * `end` and compilation goes on, so `railgate rules lint` reports every
 * mistake of a file at once, each at file:line:col with what was
 * expected and what was found.  The grammar is in docs/rules.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/model.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "fuzzy.h"
#include "lang.h"

enum tok_kind {
	TOK_EOF, TOK_WORD, TOK_NUMBER, TOK_STRING, TOK_DATE, TOK_PUNCT,
};

struct token {
	enum tok_kind	 kind;
	const char	*s;		/* start in the source */
	size_t		 len;
	uint32_t	 line, col;
};

struct parser {
	struct rules_ruleset	*rs;
	const struct rules_file	*file;
	const struct rules_file	*files;
	size_t			 nfiles;
	struct diag_list	*diags;
	size_t			 errors;
	const char		*p, *end;	/* lexer position */
	uint32_t		 line, col;
	struct token		 tok;		/* current token */
	bool			 failed;	/* error in the current rule */
	enum rules_scope	 scope;		/* of the rule being compiled */
};

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
#undef F
};

static const char *lang_scope_names[] = {
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

static struct rules_node *parse_expr(struct parser *);

/* Records an error at tok and marks the current rule failed. */
static void __attribute__((format(printf, 3, 4)))
lang_error(struct parser *ps, const struct token *tok, const char *fmt, ...)
{
	struct diag_loc	 loc;
	va_list		 ap;
	char		*msg;

	if (ps->failed)
		return;		/* one error per rule: the rest would be noise */
	loc = diag_loc_line(ps->file->path != NULL ? ps->file->path :
	    ps->file->name, tok->line, tok->col);
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_add(ps->diags, DIAG_ERROR, "RULES_SYNTAX", &loc, "%s", msg);
	free(msg);
	ps->failed = true;
	ps->errors++;
}

/* A printable copy of the token for messages (caller frees). */
static char *
tok_text(const struct token *t)
{
	if (t->kind == TOK_EOF)
		return xstrdup("the end of the file");
	return xasprintf("'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->s);
}

/* Advances past white space and comments, counting lines. */
static void
lex_skip(struct parser *ps)
{
	while (ps->p < ps->end) {
		if (*ps->p == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
		} else if (*ps->p == '\n') {
			ps->p++;
			ps->line++;
			ps->col = 1;
		} else if (isspace((unsigned char)*ps->p)) {
			ps->p++;
			ps->col++;
		} else
			break;
	}
}

/* True if the lexer is at YYYY-MM-DD. */
static bool
lex_at_date(const char *p, const char *end)
{
	static const char	shape[] = "dddd-dd-dd";
	size_t			i;

	if (end - p < 10)
		return false;
	for (i = 0; i < 10; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)p[i]) :
		    p[i] != '-')
			return false;
	return true;
}

/* Reads the next token into ps->tok. */
static void
lex_next(struct parser *ps)
{
	struct token	*t = &ps->tok;
	const char	*p;

	lex_skip(ps);
	p = ps->p;
	t->s = p;
	t->line = ps->line;
	t->col = ps->col;
	if (p >= ps->end) {
		t->kind = TOK_EOF;
		t->len = 0;
		return;
	}
	if (isalpha((unsigned char)*p) || *p == '_') {
		while (p < ps->end && (isalnum((unsigned char)*p) || *p == '_' ||
		    *p == '.' || (*p == '-' && p + 1 < ps->end &&
		    isalpha((unsigned char)p[1]))))
			p++;
		t->kind = TOK_WORD;
	} else if (lex_at_date(p, ps->end)) {
		p += 10;
		t->kind = TOK_DATE;
	} else if (isdigit((unsigned char)*p)) {
		while (p < ps->end && isdigit((unsigned char)*p))
			p++;
		if (p + 1 < ps->end && *p == '.' && isdigit((unsigned char)p[1]))
			for (p++; p < ps->end && isdigit((unsigned char)*p); p++)
				;
		t->kind = TOK_NUMBER;
	} else if (*p == '"') {
		for (p++; p < ps->end && *p != '"' && *p != '\n'; p++)
			if (*p == '\\' && p + 1 < ps->end)
				p++;
		if (p < ps->end && *p == '"')
			p++;
		t->kind = TOK_STRING;
	} else {
		t->kind = TOK_PUNCT;
		if (p + 1 < ps->end && ((p[0] == '.' && p[1] == '.') ||
		    (strchr("<>!", p[0]) != NULL && p[1] == '=')))
			p += 2;
		else
			p++;
	}
	t->len = (size_t)(p - t->s);
	ps->col += (uint32_t)t->len;
	ps->p = p;
}

/* True if the current token is the word or punctuation w. */
static bool
tok_is(const struct parser *ps, const char *w)
{
	return (ps->tok.kind == TOK_WORD || ps->tok.kind == TOK_PUNCT) &&
	    ps->tok.len == strlen(w) && memcmp(ps->tok.s, w, ps->tok.len) == 0;
}

/* Consumes w if it is next; true if it was. */
static bool
tok_accept(struct parser *ps, const char *w)
{
	if (!tok_is(ps, w))
		return false;
	lex_next(ps);
	return true;
}

/* Consumes w or reports what was expected; true if consumed. */
static bool
tok_expect(struct parser *ps, const char *w, const char *what)
{
	char	*found;

	if (tok_accept(ps, w))
		return true;
	found = tok_text(&ps->tok);
	lang_error(ps, &ps->tok, "expected %s, found %s", what, found);
	free(found);
	return false;
}

/* Reports that something else was expected at the current token. */
static void *
expected(struct parser *ps, const char *what)
{
	char	*found = tok_text(&ps->tok);

	lang_error(ps, &ps->tok, "expected %s, found %s", what, found);
	free(found);
	return NULL;
}

/* An arena copy of a string literal's contents, escapes resolved. */
static char *
lang_string(struct parser *ps, const struct token *t, size_t *lenp)
{
	char	*out = arena_alloc(ps->rs->arena, t->len + 1);
	size_t	 i, n = 0;

	for (i = 1; i + 1 < t->len; i++) {
		if (t->s[i] == '\\' && i + 2 < t->len)
			i++;
		out[n++] = t->s[i];
	}
	out[n] = '\0';
	if (lenp != NULL)
		*lenp = n;
	return out;
}

/* True if t is a complete string literal. */
static bool
tok_is_string(const struct token *t)
{
	return t->kind == TOK_STRING && t->len >= 2 && t->s[t->len - 1] == '"';
}

/* A new node of op and type. */
static struct rules_node *
node_new(struct parser *ps, enum rules_op op, enum rules_type type)
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
				    "a number", "a text" };

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
		return expected(ps, "a list name");
	for (i = 0; i < ps->rs->nlists; i++) {
		const char *n = ps->rs->lists[i]->name;

		if (strlen(n) == ps->tok.len &&
		    memcmp(n, ps->tok.s, ps->tok.len) == 0) {
			lex_next(ps);
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
		lex_next(ps);
		n = node_new(ps, RULES_OP_LOOKUP, RULES_TYPE_NUMBER);
		n->list = ps->rs->lists[i];
		lex_next(ps);	/* '[' */
		n->a = parse_expr(ps);
		if (!want_type(ps, n->a, RULES_TYPE_STRING, &t, "a list key") ||
		    !tok_expect(ps, "]", "']'"))
			return NULL;
		return n;
	}
	lex_next(ps);
	if (t.len == 5 && memcmp(t.s, "match", 5) == 0) {
		n = node_new(ps, RULES_OP_FIELD, RULES_TYPE_STRING);
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
	n = node_new(ps, RULES_OP_FIELD, f->type);
	n->field = f->id;
	return n;
}

/* A number token as thousandths; -1 with an error if out of range. */
static int
lang_number(struct parser *ps, int64_t *out)
{
	if (ps->tok.kind != TOK_NUMBER) {
		expected(ps, "a number");
		return -1;
	}
	if (value_decimal_parse(ps->tok.s, ps->tok.len, out) != VALUE_OK) {
		lang_error(ps, &ps->tok, "number '%.*s' is out of range",
		    (int)ps->tok.len, ps->tok.s);
		return -1;
	}
	lex_next(ps);
	return 0;
}

/* has document CODE */
static struct rules_node *
parse_has(struct parser *ps, const struct token *kw)
{
	struct rules_node	*n;

	if (!tok_expect(ps, "document", "'document' after 'has'"))
		return NULL;
	if (ps->scope != RULES_SCOPE_ITEM) {
		lang_error(ps, kw, "'has document' reads an item's "
		    "documents: use it at item scope");
		return NULL;
	}
	if (ps->tok.kind != TOK_NUMBER && !tok_is_string(&ps->tok))
		return expected(ps, "a document type code such as 851");
	n = node_new(ps, RULES_OP_HAS_DOC, RULES_TYPE_BOOL);
	if (ps->tok.kind == TOK_NUMBER)
		n->str = arena_strndup(ps->rs->arena, ps->tok.s, ps->tok.len);
	else
		n->str = lang_string(ps, &ps->tok, NULL);
	lex_next(ps);
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
	    !tok_expect(ps, "%", "'%' after the sampling rate"))
		return NULL;
	if (pct > 100 * MANIFEST_SCALE)
		return expected(ps, "a rate of at most 100%");
	n = node_new(ps, RULES_OP_SAMPLE, RULES_TYPE_BOOL);
	n->fraction = (double)pct / (100.0 * MANIFEST_SCALE);
	return n;
}

/* A primary: literal, (expr), field, list lookup, or a keyword form. */
static struct rules_node *
parse_primary(struct parser *ps)
{
	struct token		 t = ps->tok;
	struct rules_node	*n;

	if (t.kind == TOK_NUMBER) {
		n = node_new(ps, RULES_OP_NUMBER, RULES_TYPE_NUMBER);
		return lang_number(ps, &n->num) == -1 ? NULL : n;
	}
	if (tok_is_string(&t)) {
		n = node_new(ps, RULES_OP_STRING, RULES_TYPE_STRING);
		n->str = lang_string(ps, &t, &n->len);
		lex_next(ps);
		return n;
	}
	if (t.kind == TOK_STRING)
		return expected(ps, "a closing '\"' on the same line");
	if (tok_accept(ps, "(")) {
		n = parse_expr(ps);
		return n != NULL && tok_expect(ps, ")", "')'") ? n : NULL;
	}
	if (tok_accept(ps, "true") || tok_accept(ps, "false")) {
		n = node_new(ps, RULES_OP_BOOL, RULES_TYPE_BOOL);
		n->num = t.s[0] == 't';
		return n;
	}
	if (tok_accept(ps, "has"))
		return parse_has(ps, &t);
	if (tok_accept(ps, "sample"))
		return parse_sample(ps, &t);
	if (tok_accept(ps, "diagnostic")) {
		if (ps->tok.kind != TOK_WORD)
			return expected(ps, "a diagnostic code such as "
			    "UNKNOWN_EQUIPMENT");
		n = node_new(ps, RULES_OP_DIAGNOSTIC, RULES_TYPE_BOOL);
		n->str = arena_strndup(ps->rs->arena, ps->tok.s, ps->tok.len);
		lex_next(ps);
		return n;
	}
	if (tok_accept(ps, "abs")) {
		if (!tok_expect(ps, "(", "'(' after abs"))
			return NULL;
		n = node_new(ps, RULES_OP_ABS, RULES_TYPE_NUMBER);
		n->a = parse_expr(ps);
		if (!want_type(ps, n->a, RULES_TYPE_NUMBER, &t, "abs") ||
		    !tok_expect(ps, ")", "')'"))
			return NULL;
		return n;
	}
	if (t.kind == TOK_WORD)
		return parse_name(ps);
	return expected(ps, "a value (a field, number, \"text\" or '(')");
}

/* unary := '-' unary | primary */
static struct rules_node *
parse_unary(struct parser *ps)
{
	struct token		 t = ps->tok;
	struct rules_node	*n;

	if (!tok_accept(ps, "-"))
		return parse_primary(ps);
	n = node_new(ps, RULES_OP_NEG, RULES_TYPE_NUMBER);
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
		if (sum && tok_is(ps, "+"))
			op = RULES_OP_ADD;
		else if (sum && tok_is(ps, "-"))
			op = RULES_OP_SUB;
		else if (!sum && tok_is(ps, "*"))
			op = RULES_OP_MUL;
		else if (!sum && tok_is(ps, "/"))
			op = RULES_OP_DIV;
		else
			return l;
		lex_next(ps);
		n = node_new(ps, op, RULES_TYPE_NUMBER);
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
	struct rules_node	*n = node_new(ps, RULES_OP_CHAPTERS,
				    RULES_TYPE_BOOL);
	int64_t			 lo, hi, c;

	n->a = l;
	do {
		if (lang_number(ps, &lo) == -1)
			return NULL;
		hi = lo;
		if (tok_accept(ps, "..") && lang_number(ps, &hi) == -1)
			return NULL;
		lo /= MANIFEST_SCALE;
		hi /= MANIFEST_SCALE;
		if (lo < 1 || hi > 99 || lo > hi)
			return expected(ps, "HS chapters between 01 and 99");
		for (c = lo; c <= hi; c++)
			n->chapters[c / 64] |= UINT64_C(1) << (c % 64);
	} while (tok_accept(ps, ","));
	return n;
}

/* The postfix forms after a string value: in, starts, matches. */
static struct rules_node *
parse_string_test(struct parser *ps, struct rules_node *l, struct token t)
{
	struct rules_node	*n;
	int64_t			 thr;

	if (tok_accept(ps, "starts")) {
		if (!tok_is_string(&ps->tok))
			return expected(ps, "a \"text\" after 'starts'");
		n = node_new(ps, RULES_OP_STARTS, RULES_TYPE_BOOL);
		n->str = lang_string(ps, &ps->tok, &n->len);
		lex_next(ps);
	} else if (tok_accept(ps, "matches")) {
		if (!tok_expect(ps, "list", "'list' after 'matches'"))
			return NULL;
		n = node_new(ps, RULES_OP_MATCHES, RULES_TYPE_BOOL);
		if ((n->list = lang_list(ps)) == NULL ||
		    !tok_expect(ps, "at", "'at' and a similarity such as 0.88") ||
		    lang_number(ps, &thr) == -1)
			return NULL;
		if (thr > MANIFEST_SCALE)
			return expected(ps, "a similarity between 0 and 1");
		n->fraction = (double)thr / MANIFEST_SCALE;
	} else {
		lex_next(ps);	/* "in" */
		if (tok_accept(ps, "chapters"))
			return parse_chapters(ps, l);
		if (!tok_expect(ps, "list", "'chapters' or 'list' after 'in'"))
			return NULL;
		n = node_new(ps, RULES_OP_IN_LIST, RULES_TYPE_BOOL);
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
	if (tok_is(ps, "in") || tok_is(ps, "starts") || tok_is(ps, "matches"))
		return parse_string_test(ps, l, t);
	if (tok_accept(ps, "is")) {
		n = node_new(ps, RULES_OP_KNOWN, RULES_TYPE_BOOL);
		n->a = l;
		if (tok_accept(ps, "missing"))
			n->num = 1;	/* negated */
		else if (!tok_expect(ps, "known", "'known' or 'missing'"))
			return NULL;
		return n;
	}
	for (i = 0; i < nitems(ops); i++)
		if (tok_is(ps, ops[i].s))
			break;
	if (i == nitems(ops))
		return l;
	t = ps->tok;
	lex_next(ps);
	n = node_new(ps, ops[i].op, RULES_TYPE_BOOL);
	n->a = l;
	n->b = parse_arith(ps, true);
	if (n->b == NULL)
		return NULL;
	if (n->a->type != n->b->type || n->a->type == RULES_TYPE_BOOL ||
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

	if (!tok_accept(ps, "not"))
		return parse_cmp(ps);
	n = node_new(ps, RULES_OP_NOT, RULES_TYPE_BOOL);
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

	while (l != NULL && tok_accept(ps, is_or ? "or" : "and")) {
		n = node_new(ps, is_or ? RULES_OP_OR : RULES_OP_AND,
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
static struct rules_node *
parse_expr(struct parser *ps)
{
	return parse_logic(ps, true);
}

/* A condition: an expression that must be yes/no. */
static struct rules_node *
parse_condition(struct parser *ps)
{
	struct token		 t = ps->tok;
	struct rules_node	*n = parse_expr(ps);

	return want_type(ps, n, RULES_TYPE_BOOL, &t, "a condition") ? n : NULL;
}

/* Appends a part to text. */
static void
text_add(struct parser *ps, struct rules_text *text, const char *lit,
    size_t len, const struct rules_node *expr)
{
	size_t	cap = text->n;

	text->parts = arena_grow(ps->rs->arena, text->parts, &cap,
	    text->n + 1, sizeof *text->parts);
	text->parts[text->n].text = lit;
	text->parts[text->n].len = len;
	text->parts[text->n].expr = expr;
	text->n++;
}

/* Compiles the expression in raw[0..len) found at column col. */
static const struct rules_node *
text_expr(struct parser *ps, const char *raw, size_t len, uint32_t col)
{
	struct parser		 sub = *ps;
	struct rules_node	*n;

	sub.p = raw;
	sub.end = raw + len;
	sub.col = col;
	lex_next(&sub);
	n = parse_expr(&sub);
	if (n != NULL && sub.tok.kind != TOK_EOF)
		n = expected(&sub, "'}' to end the value in braces");
	ps->failed = sub.failed;
	ps->errors = sub.errors;
	return n;
}

/* A reason text: "literal {expression} literal"; "{{" and "}}" for braces. */
static int
parse_text(struct parser *ps, struct rules_text *text)
{
	struct token	 t = ps->tok;
	struct buf	 lit = { 0 };
	const char	*s, *e, *close;
	const struct rules_node *expr;

	if (!tok_is_string(&t)) {
		expected(ps, "a \"text\" in double quotes");
		return -1;
	}
	memset(text, 0, sizeof *text);
	for (s = t.s + 1, e = t.s + t.len - 1; s < e; s++) {
		if (*s == '\\' && s + 1 < e)
			buf_add_char(&lit, *++s);
		else if ((*s == '{' || *s == '}') && s + 1 < e && s[1] == *s)
			buf_add_char(&lit, *++s);
		else if (*s == '{') {
			close = memchr(s, '}', (size_t)(e - s));
			if (close == NULL) {
				lang_error(ps, &t, "a '{' in the text is never "
				    "closed with '}' (write {{ for a brace)");
				break;
			}
			if (lit.len > 0)
				text_add(ps, text, arena_strndup(ps->rs->arena,
				    lit.data, lit.len), lit.len, NULL);
			buf_reset(&lit);
			expr = text_expr(ps, s + 1, (size_t)(close - s - 1),
			    t.col + (uint32_t)(s + 1 - t.s));
			if (expr == NULL)
				break;
			text_add(ps, text, NULL, 0, expr);
			s = close;
		} else
			buf_add_char(&lit, *s);
	}
	if (lit.len > 0 && !ps->failed)
		text_add(ps, text, arena_strndup(ps->rs->arena, lit.data,
		    lit.len), lit.len, NULL);
	buf_free(&lit);
	lex_next(ps);
	return ps->failed ? -1 : 0;
}

/* A DATE token as Unix seconds at 00:00 UTC; -1 with an error. */
static int
parse_date(struct parser *ps, int64_t *out, bool end_of_day)
{
	int	y, m, d;

	if (ps->tok.kind != TOK_DATE) {
		expected(ps, "a date as YYYY-MM-DD");
		return -1;
	}
	y = atoi(ps->tok.s);
	m = atoi(ps->tok.s + 5);
	d = atoi(ps->tok.s + 8);
	if (!value_civil_valid(y, m, d, 0, 0, 0)) {
		lang_error(ps, &ps->tok, "'%.10s' is not a date", ps->tok.s);
		return -1;
	}
	*out = value_time_from_civil(y, m, d, 0, 0, 0) +
	    (end_of_day ? 86399 : 0);
	lex_next(ps);
	return 0;
}

/* valid from DATE [until DATE] | valid until DATE */
static int
parse_valid(struct parser *ps, struct rules_rule *r)
{
	bool	any = false;

	if (tok_accept(ps, "from")) {
		if (parse_date(ps, &r->valid_from, false) == -1)
			return -1;
		any = true;
	}
	if (tok_accept(ps, "until")) {
		if (parse_date(ps, &r->valid_until, true) == -1)
			return -1;
		any = true;
	}
	if (!any) {
		expected(ps, "'from' or 'until' after 'valid'");
		return -1;
	}
	return 0;
}

/* scope WORD */
static int
parse_scope(struct parser *ps, struct rules_rule *r)
{
	size_t	i;

	for (i = 0; i < RULES_SCOPE_COUNT; i++)
		if (tok_accept(ps, lang_scope_names[i])) {
			r->scope = ps->scope = (enum rules_scope)i;
			return 0;
		}
	expected(ps, "a scope (train, wagon, container, consignment, item)");
	return -1;
}

/* action WORD */
static int
parse_action(struct parser *ps, struct rules_rule *r)
{
	char	word[16];

	if (ps->tok.kind == TOK_WORD && ps->tok.len < sizeof word) {
		memcpy(word, ps->tok.s, ps->tok.len);
		word[ps->tok.len] = '\0';
		if (decision_action_parse(word, &r->action) == 0) {
			lex_next(ps);
			return 0;
		}
	}
	expected(ps, "an action (RELEASE, AUDIT, DOC_CHECK, INSPECT, HOLD, "
	    "REFUSE)");
	return -1;
}

/* One clause of a rule; 1 at `end`, 0 after a clause, -1 on error. */
static int
parse_clause(struct parser *ps, struct rules_rule *r, bool *seen)
{
	struct rules_node	*n, *u;

	if (tok_accept(ps, "end"))
		return 1;
	if (tok_accept(ps, "scope")) {
		if (seen[0] || seen[1] || seen[2]) {
			lang_error(ps, &ps->tok, "'scope' must come before "
			    "'action' and 'when'");
			return -1;
		}
		seen[0] = true;
		return parse_scope(ps, r);
	}
	if (tok_accept(ps, "action")) {
		seen[1] = true;
		return parse_action(ps, r);
	}
	if (tok_accept(ps, "when")) {
		seen[2] = true;
		return (r->when = parse_condition(ps)) == NULL ? -1 : 0;
	}
	if (tok_accept(ps, "unless")) {
		if ((n = parse_condition(ps)) == NULL)
			return -1;
		if (r->unless != NULL) {
			u = node_new(ps, RULES_OP_OR, RULES_TYPE_BOOL);
			u->a = r->unless;
			u->b = n;
			n = u;
		}
		r->unless = n;
		return 0;
	}
	if (tok_accept(ps, "reason")) {
		seen[3] = true;
		return parse_text(ps, &r->reason);
	}
	if (tok_accept(ps, "would_pass_if"))
		return parse_text(ps, &r->would_pass_if);
	if (tok_accept(ps, "valid"))
		return parse_valid(ps, r);
	expected(ps, "a clause (scope, action, when, unless, reason, "
	    "would_pass_if, valid) or 'end'");
	return -1;
}

/* Skips to the token after the next `end` (error recovery). */
static void
skip_rule(struct parser *ps)
{
	while (ps->tok.kind != TOK_EOF && !tok_is(ps, "end"))
		lex_next(ps);
	lex_next(ps);
}

/* rule NAME clauses end */
static void
parse_rule(struct parser *ps)
{
	struct rules_rule	 r = { 0 };
	struct token		 start = ps->tok;
	bool			 seen[4] = { false, false, false, false };
	int			 rc;

	ps->failed = false;
	ps->scope = RULES_SCOPE_ITEM;
	r.valid_from = r.valid_until = MANIFEST_ABSENT;
	if (ps->tok.kind != TOK_WORD) {
		expected(ps, "a rule name such as weight-variance");
		skip_rule(ps);
		return;
	}
	r.name = arena_strndup(ps->rs->arena, ps->tok.s, ps->tok.len);
	lex_next(ps);
	while ((rc = parse_clause(ps, &r, seen)) == 0)
		;
	if (rc == -1) {
		skip_rule(ps);
		return;
	}
	if (!seen[0] || !seen[1] || !seen[2] || !seen[3]) {
		lang_error(ps, &start, "rule '%s' needs %s", r.name,
		    !seen[0] ? "a scope" : !seen[1] ? "an action" :
		    !seen[2] ? "a 'when' condition" : "a reason");
		return;
	}
	ps->rs->rules = arena_grow(ps->rs->arena, ps->rs->rules,
	    &ps->rs->rules_cap, ps->rs->nrules + 1, sizeof r);
	ps->rs->rules[ps->rs->nrules++] = r;
}

/* Adds one line of a list file to l; -1 with an error if malformed. */
static int
list_line(struct parser *ps, struct rules_list *l, const char *s, size_t len,
    uint32_t line)
{
	struct diag_loc	 loc;
	const char	*eq = memchr(s, '=', len);
	size_t		 klen = eq != NULL ? (size_t)(eq - s) : len, cap = l->n;
	int64_t		*v = arena_alloc(ps->rs->arena, sizeof *v);
	char		*key;

	*v = MANIFEST_ABSENT;
	if (eq != NULL) {
		const char *p = eq + 1, *e = s + len;

		while (p < e && isspace((unsigned char)*p))
			p++;
		if (value_decimal_parse(p, (size_t)(e - p), v) != VALUE_OK) {
			loc = diag_loc_line(l->file, line, (uint32_t)(p - s) + 1);
			diag_add(ps->diags, DIAG_ERROR, "RULES_LIST", &loc,
			    "expected a number after '=', found '%.*s'",
			    (int)(e - p), p);
			ps->errors++;
			return -1;
		}
	}
	while (klen > 0 && isspace((unsigned char)s[klen - 1]))
		klen--;
	key = arena_strndup(ps->rs->arena, s, klen);
	strmap_put(l->entries, key, v);
	l->names = arena_grow(ps->rs->arena, l->names, &cap, l->n + 1,
	    sizeof *l->names);
	l->names[l->n++] = key;
	if (klen < sizeof l->lengths)
		l->lengths[klen] = 1;
	return 0;
}

/* Normalises every entry of l for fuzzy matching (arena copies). */
static void
list_fold(struct parser *ps, struct rules_list *l)
{
	int32_t	*cp;
	size_t	 i, n;

	l->folded = arena_zalloc(ps->rs->arena, (l->n + 1) * sizeof *l->folded);
	l->nfolded = arena_zalloc(ps->rs->arena, (l->n + 1) * sizeof(size_t));
	for (i = 0; i < l->n; i++) {
		n = rules_fuzzy_normalise(l->names[i], &cp);
		l->folded[i] = arena_alloc(ps->rs->arena, (n + 1) * sizeof *cp);
		if (n > 0)
			memcpy(l->folded[i], cp, n * sizeof *cp);
		l->nfolded[i] = n;
		free(cp);
	}
}

/* Reads list file text into l: one entry a line, `#` comments. */
static void
list_read(struct parser *ps, struct rules_list *l, const struct rules_file *f)
{
	const char	*p = f->text, *e = f->text + f->len, *nl, *hash;
	const char	*s, *t;
	uint32_t	 line = 0;

	while (p < e) {
		line++;
		nl = memchr(p, '\n', (size_t)(e - p));
		t = nl != NULL ? nl : e;
		hash = memchr(p, '#', (size_t)(t - p));
		s = p;
		if (hash != NULL)
			t = hash;
		while (s < t && isspace((unsigned char)*s))
			s++;
		while (t > s && isspace((unsigned char)t[-1]))
			t--;
		if (t > s)
			(void)list_line(ps, l, s, (size_t)(t - s), line);
		p = nl != NULL ? nl + 1 : e;
	}
	list_fold(ps, l);
}

/* list NAME from "FILE" */
static void
parse_list(struct parser *ps)
{
	struct rules_list	*l;
	struct token		 name = ps->tok, file;
	const char		*path;
	size_t			 i;

	ps->failed = false;
	if (name.kind != TOK_WORD) {
		expected(ps, "a list name");
		return;
	}
	lex_next(ps);
	if (!tok_expect(ps, "from", "'from' and the list's file name"))
		return;
	file = ps->tok;
	if (!tok_is_string(&file)) {
		expected(ps, "the list's file name in double quotes");
		return;
	}
	path = lang_string(ps, &file, NULL);
	lex_next(ps);
	for (i = 0; i < ps->nfiles; i++)
		if (strcmp(ps->files[i].name, path) == 0)
			break;
	if (i == ps->nfiles) {
		lang_error(ps, &file, "list file \"%s\" is not in the rule set",
		    path);
		return;
	}
	l = arena_zalloc(ps->rs->arena, sizeof *l);
	l->name = arena_strndup(ps->rs->arena, name.s, name.len);
	l->file = arena_strdup(ps->rs->arena, ps->files[i].path != NULL ?
	    ps->files[i].path : path);
	l->entries = strmap_new();
	ps->rs->lists = arena_grow(ps->rs->arena, ps->rs->lists,
	    &ps->rs->lists_cap, ps->rs->nlists + 1, sizeof l);
	ps->rs->lists[ps->rs->nlists++] = l;
	list_read(ps, l, &ps->files[i]);
}

/* Compiles one .rules file into rs; returns the number of errors. */
size_t
rules_lang_compile(struct rules_ruleset *rs, const struct rules_file *f,
    const struct rules_file *files, size_t nfiles, struct diag_list *diags)
{
	struct parser	ps = { 0 };

	ps.rs = rs;
	ps.file = f;
	ps.files = files;
	ps.nfiles = nfiles;
	ps.diags = diags;
	ps.p = f->text;
	ps.end = f->text + f->len;
	ps.line = ps.col = 1;
	lex_next(&ps);
	while (ps.tok.kind != TOK_EOF) {
		ps.failed = false;
		if (tok_accept(&ps, "rule"))
			parse_rule(&ps);
		else if (tok_accept(&ps, "list"))
			parse_list(&ps);
		else if (tok_accept(&ps, "ruleset")) {
			if (!tok_is_string(&ps.tok)) {
				expected(&ps, "the rule set's name in quotes");
				continue;
			}
			rs->name = lang_string(&ps, &ps.tok, NULL);
			lex_next(&ps);
		} else {
			expected(&ps, "'rule', 'list' or 'ruleset'");
			while (ps.tok.kind != TOK_EOF && !tok_is(&ps, "rule") &&
			    !tok_is(&ps, "list") && !tok_is(&ps, "ruleset"))
				lex_next(&ps);
		}
	}
	return ps.errors;
}
