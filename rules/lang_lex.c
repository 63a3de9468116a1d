/*
 * lang_lex.c -- the rule language's lexer: words, numbers, dates, string
 * literals and punctuation, with the line and column of each token, and
 * the errors reported at a token (one per rule: the rest would be noise).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "lang_int.h"

/* Records an error at tok and marks the current rule failed. */
void __attribute__((format(printf, 3, 4)))
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
void
lang_lex_next(struct parser *ps)
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
bool
lang_tok_is(const struct parser *ps, const char *w)
{
	return (ps->tok.kind == TOK_WORD || ps->tok.kind == TOK_PUNCT) &&
	    ps->tok.len == strlen(w) && memcmp(ps->tok.s, w, ps->tok.len) == 0;
}

/* Consumes w if it is next; true if it was. */
bool
lang_tok_accept(struct parser *ps, const char *w)
{
	if (!lang_tok_is(ps, w))
		return false;
	lang_lex_next(ps);
	return true;
}

/* Consumes w or reports what was expected; true if consumed. */
bool
lang_tok_expect(struct parser *ps, const char *w, const char *what)
{
	char	*found;

	if (lang_tok_accept(ps, w))
		return true;
	found = tok_text(&ps->tok);
	lang_error(ps, &ps->tok, "expected %s, found %s", what, found);
	free(found);
	return false;
}

/* Reports that something else was expected at the current token. */
void *
lang_expected(struct parser *ps, const char *what)
{
	char	*found = tok_text(&ps->tok);

	lang_error(ps, &ps->tok, "expected %s, found %s", what, found);
	free(found);
	return NULL;
}

/* An arena copy of a string literal's contents, escapes resolved. */
char *
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
bool
lang_tok_is_string(const struct token *t)
{
	return t->kind == TOK_STRING && t->len >= 2 && t->s[t->len - 1] == '"';
}
