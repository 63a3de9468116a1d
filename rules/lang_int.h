/*
 * lang_int.h -- what the rule language compiler's three parts share.
 * Internal to rules/lang*.c.
 *
 * lang_lex.c turns the source into tokens and reports errors at them;
 * lang_expr.c parses and type-checks expressions against the model's
 * fields (its table of the names a rule can read); lang.c compiles the
 * file: rules and their clauses, reason texts, lists and their files.
 * One struct parser per file compiled, on the calling thread.
 */
#ifndef RULES_LANG_INT_H
#define RULES_LANG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/diag.h"

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
	bool			 scoped_diagnostic; /* the rule tests one below train scope */
	bool			 screen_possible; /* the rule has `possible at` */
};

/* The scopes' names as rules write them, by enum rules_scope. */
extern const char *const lang_scope_names[RULES_SCOPE_COUNT];

/* Records an error at tok and marks the current rule failed. */
void lang_error(struct parser *ps, const struct token *tok, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/* Reads the next token into ps->tok. */
void lang_lex_next(struct parser *ps);
/* True if the current token is the word or punctuation w. */
bool lang_tok_is(const struct parser *ps, const char *w);
/* Consumes w if it is next; true if it was. */
bool lang_tok_accept(struct parser *ps, const char *w);
/* Consumes w or reports what was expected; true if consumed. */
bool lang_tok_expect(struct parser *ps, const char *w, const char *what);
/* Reports that something else was expected at the current token; NULL. */
void *lang_expected(struct parser *ps, const char *what);
/* An arena copy of a string literal's contents, escapes resolved. */
char *lang_string(struct parser *ps, const struct token *t, size_t *lenp);
/* True if t is a complete string literal. */
bool lang_tok_is_string(const struct token *t);

/* A new node of op and type, in the rule set's arena. */
struct rules_node *lang_node_new(struct parser *ps, enum rules_op op,
    enum rules_type type);
/* An expression of any type; NULL after an error. */
struct rules_node *lang_parse_expr(struct parser *ps);
/* An expression that must be a condition; NULL after an error. */
struct rules_node *lang_parse_condition(struct parser *ps);

/*
 * Notes that edition-3 syntax `what` is used at tok: a rule set of an
 * older edition is refused there once every file is read (lang_list.c).
 */
void lang_edition3(struct parser *ps, const struct token *tok,
    const char *what);

#endif
