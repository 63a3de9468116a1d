/*
 * lang.c -- the rule language compiler: rule files into the rules, lists
 * and expression trees of lang.h.
 *
 * Errors never stop at the first one: a broken rule is skipped to its
 * `end` and compilation goes on, so `railgate rules lint` reports every
 * mistake of a file at once, each at file:line:col with what was
 * expected and what was found.  The grammar is in docs/rules.md.
 *
 * This file compiles a file's rules, their clauses and reason texts, and
 * its lists; the tokens are lang_lex.c's, expressions lang_expr.c's.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/model.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "lang_int.h"

/* Appends a part to text; returns it. */
static struct rules_part *
text_add(struct parser *ps, struct rules_text *text, const char *lit,
    size_t len, const struct rules_node *expr)
{
	size_t	cap = text->n;

	text->parts = arena_grow(ps->rs->arena, text->parts, &cap,
	    text->n + 1, sizeof *text->parts);
	text->parts[text->n].text = lit;
	text->parts[text->n].len = len;
	text->parts[text->n].expr = expr;
	text->parts[text->n].grouped = false;
	return &text->parts[text->n++];
}

/*
 * Compiles the expression in raw[0..len) found at column col, and the
 * format after it: `|grouped` writes a number with thousands separators.
 */
static const struct rules_node *
text_expr(struct parser *ps, const char *raw, size_t len, uint32_t col,
    bool *grouped)
{
	struct parser		 sub = *ps;
	struct rules_node	*n;
	struct token		 bar;

	sub.p = raw;
	sub.end = raw + len;
	sub.col = col;
	lang_lex_next(&sub);
	n = lang_parse_expr(&sub);
	*grouped = false;
	if (n != NULL && lang_tok_is(&sub, "|")) {
		bar = sub.tok;
		lang_lex_next(&sub);
		if (!lang_tok_expect(&sub, "grouped", "a format after '|' "
		    "(grouped)"))
			n = NULL;
		else if (n->type != RULES_TYPE_NUMBER) {
			lang_error(&sub, &bar, "'|grouped' formats a number, "
			    "but this is %s", n->type == RULES_TYPE_STRING ?
			    "a text" : "a condition (yes/no)");
			n = NULL;
		} else
			*grouped = true;
	}
	if (n != NULL && sub.tok.kind != TOK_EOF)
		n = lang_expected(&sub, "'}' to end the value in braces");
	ps->failed = sub.failed;
	ps->errors = sub.errors;
	ps->scoped_diagnostic = sub.scoped_diagnostic;
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
	bool		 grouped;

	if (!lang_tok_is_string(&t)) {
		lang_expected(ps, "a \"text\" in double quotes");
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
			    t.col + (uint32_t)(s + 1 - t.s), &grouped);
			if (expr == NULL)
				break;
			text_add(ps, text, NULL, 0, expr)->grouped = grouped;
			s = close;
		} else
			buf_add_char(&lit, *s);
	}
	if (lit.len > 0 && !ps->failed)
		text_add(ps, text, arena_strndup(ps->rs->arena, lit.data,
		    lit.len), lit.len, NULL);
	buf_free(&lit);
	lang_lex_next(ps);
	return ps->failed ? -1 : 0;
}

const char *const rules_lang_tags[RULES_LANG_COUNT] = {
	"zh-Hans", "ru", "kk", "vi"
};

/* The spellings after `reason.`: zh is zh-Hans (simplified Chinese). */
static const struct {
	const char	*word;
	size_t		 lang;		/* index in rules_lang_tags */
} reason_langs[] = {
	{ "reason.zh", 0 }, { "reason.zh-Hans", 0 }, { "reason.ru", 1 },
	{ "reason.kk", 2 }, { "reason.vi", 3 },
};

/*
 * reason.LANG "text": a translation of the reason, compiled as the reason
 * is (the same {values} may appear).  An unknown language or a second
 * translation into the same one is an error.
 */
static int
parse_reason_tr(struct parser *ps, struct rules_rule *r)
{
	struct token	t = ps->tok;
	size_t		i;

	for (i = 0; i < sizeof reason_langs / sizeof *reason_langs; i++)
		if (lang_tok_is(ps, reason_langs[i].word))
			break;
	if (i == sizeof reason_langs / sizeof *reason_langs) {
		lang_error(ps, &t, "unknown language '%.*s' (reason.zh, "
		    "reason.zh-Hans, reason.ru, reason.kk or reason.vi)",
		    (int)(t.len - 7), t.s + 7);
		return -1;
	}
	if (r->reason_tr[reason_langs[i].lang].n > 0) {
		lang_error(ps, &t, "a second %.*s in the rule", (int)t.len, t.s);
		return -1;
	}
	lang_lex_next(ps);
	if (parse_text(ps, &r->reason_tr[reason_langs[i].lang]) == -1)
		return -1;
	if (r->reason_tr[reason_langs[i].lang].n == 0) {
		lang_error(ps, &t, "%.*s is empty", (int)t.len, t.s);
		return -1;
	}
	r->translated = true;
	return 0;
}

/* A DATE token as Unix seconds at 00:00 UTC; -1 with an error. */
static int
parse_date(struct parser *ps, int64_t *out, bool end_of_day)
{
	int	y, m, d;

	if (ps->tok.kind != TOK_DATE) {
		lang_expected(ps, "a date as YYYY-MM-DD");
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
	lang_lex_next(ps);
	return 0;
}

/* valid from DATE [until DATE] | valid until DATE */
static int
parse_valid(struct parser *ps, struct rules_rule *r)
{
	bool	any = false;

	if (lang_tok_accept(ps, "from")) {
		if (parse_date(ps, &r->valid_from, false) == -1)
			return -1;
		any = true;
	}
	if (lang_tok_accept(ps, "until")) {
		if (parse_date(ps, &r->valid_until, true) == -1)
			return -1;
		any = true;
	}
	if (!any) {
		lang_expected(ps, "'from' or 'until' after 'valid'");
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
		if (lang_tok_accept(ps, lang_scope_names[i])) {
			r->scope = ps->scope = (enum rules_scope)i;
			return 0;
		}
	lang_expected(ps, "a scope (train, wagon, container, consignment, item)");
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
			lang_lex_next(ps);
			return 0;
		}
	}
	lang_expected(ps, "an action (RELEASE, AUDIT, DOC_CHECK, INSPECT, HOLD, "
	    "REFUSE)");
	return -1;
}

/* True if a `possible at` screening test in n is under a `not`. */
static bool
possible_negated(const struct rules_node *n, bool under_not)
{
	if (n == NULL)
		return false;
	if (n->op == RULES_OP_MATCHES)
		return under_not && n->possible <= 1;
	return possible_negated(n->a, under_not || n->op == RULES_OP_NOT) ||
	    possible_negated(n->b, under_not || n->op == RULES_OP_NOT);
}

/* One clause of a rule; 1 at `end`, 0 after a clause, -1 on error. */
static int
parse_clause(struct parser *ps, struct rules_rule *r, bool *seen)
{
	struct rules_node	*n, *u;

	if (lang_tok_accept(ps, "end"))
		return 1;
	if (lang_tok_accept(ps, "scope")) {
		if (seen[0] || seen[1] || seen[2]) {
			lang_error(ps, &ps->tok, "'scope' must come before "
			    "'action' and 'when'");
			return -1;
		}
		seen[0] = true;
		return parse_scope(ps, r);
	}
	if (lang_tok_accept(ps, "action")) {
		seen[1] = true;
		return parse_action(ps, r);
	}
	if (lang_tok_accept(ps, "when")) {
		struct token at = ps->tok;

		seen[2] = true;
		if ((r->when = lang_parse_condition(ps)) == NULL)
			return -1;
		if (possible_negated(r->when, false)) {
			lang_error(ps, &at, "a screening test with 'possible at' "
			    "cannot be under 'not': a possible match lowers the "
			    "hit to DOC_CHECK, it cannot make one");
			return -1;
		}
		return 0;
	}
	if (lang_tok_accept(ps, "unless")) {
		if ((n = lang_parse_condition(ps)) == NULL)
			return -1;
		if (r->unless != NULL) {
			u = lang_node_new(ps, RULES_OP_OR, RULES_TYPE_BOOL);
			u->a = r->unless;
			u->b = n;
			n = u;
		}
		r->unless = n;
		return 0;
	}
	if (lang_tok_accept(ps, "reason")) {
		seen[3] = true;
		return parse_text(ps, &r->reason);
	}
	if (ps->tok.kind == TOK_WORD && ps->tok.len > 7 &&
	    memcmp(ps->tok.s, "reason.", 7) == 0)
		return parse_reason_tr(ps, r);
	if (lang_tok_accept(ps, "would_pass_if"))
		return parse_text(ps, &r->would_pass_if);
	if (lang_tok_accept(ps, "valid"))
		return parse_valid(ps, r);
	lang_expected(ps, "a clause (scope, action, when, unless, reason, "
	    "reason.zh, reason.ru, would_pass_if, valid) or 'end'");
	return -1;
}

/* Skips to the token after the next `end` (error recovery). */
static void
skip_rule(struct parser *ps)
{
	while (ps->tok.kind != TOK_EOF && !lang_tok_is(ps, "end"))
		lang_lex_next(ps);
	lang_lex_next(ps);
}


/*
 * Whether condition n can hold only for an item not placed on a wagon:
 * `not placed`, or an `and` with such a side.  Such a rule (unplaced-goods)
 * is false for every item of a train whose goods are all placed, and the
 * evaluation leaves it out there instead of testing it at each of a
 * million items (eval.c): the document is the same.
 */
static bool
needs_unplaced(const struct rules_node *n)
{
	if (n == NULL)
		return false;
	if (n->op == RULES_OP_AND)
		return needs_unplaced(n->a) || needs_unplaced(n->b);
	return n->op == RULES_OP_NOT && n->a != NULL &&
	    n->a->op == RULES_OP_FIELD && n->a->field == RULES_F_ITEM_PLACED;
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
	ps->scoped_diagnostic = false;
	ps->screen_possible = false;
	r.valid_from = r.valid_until = MANIFEST_ABSENT;
	if (ps->tok.kind != TOK_WORD) {
		lang_expected(ps, "a rule name such as weight-variance");
		skip_rule(ps);
		return;
	}
	r.name = arena_strndup(ps->rs->arena, ps->tok.s, ps->tok.len);
	lang_lex_next(ps);
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
	r.scoped_diagnostic = ps->scoped_diagnostic;
	r.possible = ps->screen_possible;
	r.only_unplaced = r.scope == RULES_SCOPE_ITEM &&
	    needs_unplaced(r.when);
	ps->rs->rules = arena_grow(ps->rs->arena, ps->rs->rules,
	    &ps->rs->rules_cap, ps->rs->nrules + 1, sizeof r);
	ps->rs->rules[ps->rs->nrules++] = r;
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
		lang_expected(ps, "a list name");
		return;
	}
	lang_lex_next(ps);
	if (!lang_tok_expect(ps, "from", "'from' and the list's file name"))
		return;
	file = ps->tok;
	if (!lang_tok_is_string(&file)) {
		lang_expected(ps, "the list's file name in double quotes");
		return;
	}
	path = lang_string(ps, &file, NULL);
	lang_lex_next(ps);
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
	l->file_index = i;	/* read once the edition is known: lang_list.c */
	ps->rs->lists = arena_grow(ps->rs->arena, ps->rs->lists,
	    &ps->rs->lists_cap, ps->rs->nlists + 1, sizeof l);
	ps->rs->lists[ps->rs->nlists++] = l;
}

/* Edition-3 syntax at tok: remembered for rules_lang_finish. */
void
lang_edition3(struct parser *ps, const struct token *tok, const char *what)
{
	if (ps->rs->e3_used)
		return;
	ps->rs->e3_used = true;
	ps->rs->e3_what = what;
	ps->rs->e3_at = diag_loc_line(ps->file->path != NULL ?
	    ps->file->path : ps->file->name, tok->line, tok->col);
}

/* legal forms from "FILE" (edition 3): once per rule set. */
static void
parse_forms(struct parser *ps, const struct token *kw)
{
	struct token	 file;
	const char	*path;
	size_t		 i;

	ps->failed = false;
	if (!lang_tok_expect(ps, "forms", "'forms' after 'legal'") ||
	    !lang_tok_expect(ps, "from", "'from' and the file of legal forms"))
		return;
	file = ps->tok;
	if (!lang_tok_is_string(&file)) {
		lang_expected(ps, "the file of legal forms in double quotes");
		return;
	}
	path = lang_string(ps, &file, NULL);
	lang_lex_next(ps);
	for (i = 0; i < ps->nfiles; i++)
		if (strcmp(ps->files[i].name, path) == 0)
			break;
	if (i == ps->nfiles) {
		lang_error(ps, &file, "legal forms file \"%s\" is not in the "
		    "rule set", path);
		return;
	}
	if (ps->rs->forms_file != NULL) {
		lang_error(ps, kw, "'legal forms' is given twice: a rule set "
		    "has one list of legal forms");
		return;
	}
	ps->rs->forms_file = ps->files[i].name;
	lang_edition3(ps, kw, "'legal forms'");
}

/*
 * edition N: once per rule set, in any of its files.  Editions only ever
 * add meaning (docs/rules.md "Editions"), so a rule set written for a
 * newer railgate must be refused, not judged by older semantics.
 */
static void
parse_edition(struct parser *ps, const struct token *kw)
{
	struct token	t = ps->tok;
	int64_t		n;

	ps->failed = false;
	if (t.kind != TOK_NUMBER || value_decimal_parse(t.s, t.len, &n) !=
	    VALUE_OK || n % MANIFEST_SCALE != 0 || n < MANIFEST_SCALE) {
		lang_expected(ps, "an edition number (1 to 3)");
		return;
	}
	lang_lex_next(ps);
	n /= MANIFEST_SCALE;
	if (ps->rs->edition != 0)
		lang_error(ps, kw, "'edition' is given twice: a rule set has "
		    "one edition");
	else if (n > RULES_EDITION_MAX)
		lang_error(ps, &t, "this rule set needs edition %.*s; this "
		    "railgate knows editions 1 to 3", (int)t.len, t.s);
	else
		ps->rs->edition = (int)n;
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
	lang_lex_next(&ps);
	while (ps.tok.kind != TOK_EOF) {
		ps.failed = false;
		if (lang_tok_accept(&ps, "rule"))
			parse_rule(&ps);
		else if (lang_tok_accept(&ps, "list"))
			parse_list(&ps);
		else if (lang_tok_is(&ps, "legal")) {
			struct token kw = ps.tok;

			lang_lex_next(&ps);
			parse_forms(&ps, &kw);
		}
		else if (lang_tok_is(&ps, "edition")) {
			struct token kw = ps.tok;

			lang_lex_next(&ps);
			parse_edition(&ps, &kw);
		}
		else if (lang_tok_accept(&ps, "ruleset")) {
			if (!lang_tok_is_string(&ps.tok)) {
				lang_expected(&ps, "the rule set's name in quotes");
				continue;
			}
			rs->name = lang_string(&ps, &ps.tok, NULL);
			lang_lex_next(&ps);
		} else {
			lang_expected(&ps, "'rule', 'list' or 'ruleset'");
			while (ps.tok.kind != TOK_EOF && !lang_tok_is(&ps, "rule") &&
			    !lang_tok_is(&ps, "list") && !lang_tok_is(&ps, "ruleset") &&
			    !lang_tok_is(&ps, "edition") && !lang_tok_is(&ps, "legal"))
				lang_lex_next(&ps);
		}
	}
	return ps.errors;
}
