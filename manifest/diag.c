/*
 * diag.c -- the diagnostic list.
 *
 * Diagnostics are few on good input and unbounded on hostile input, so
 * the list is a plain array capped at its limit; counts go on past the
 * cap so that "has errors" stays true however many were dropped.
 *
 * A diagnostic often quotes the input (a tag, a count, a reference), and
 * the input may be any bytes.  Every string a diagnostic keeps is made
 * printable text here (util.h: \xNN for a byte that is not UTF-8 or is a
 * control), so that no caller can forget: a diagnostic always fits in a
 * JSON reply, a PostgreSQL text column and one log line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

/* A location with nothing known. */
struct diag_loc
diag_loc_none(void)
{
	struct diag_loc	loc = { 0 };

	loc.offset = DIAG_NO_OFFSET;
	return loc;
}

/* A segment of an interchange. */
struct diag_loc
diag_loc_segment(uint32_t segment, const char *tag, uint64_t offset)
{
	struct diag_loc	loc = diag_loc_none();

	loc.segment = segment;
	loc.offset = offset;
	if (tag != NULL)
		snprintf(loc.tag, sizeof loc.tag, "%s", tag);
	return loc;
}

/* A line and column of a text file. */
struct diag_loc
diag_loc_line(const char *file, uint32_t line, uint32_t col)
{
	struct diag_loc	loc = diag_loc_none();

	loc.file = file;
	loc.line = line;
	loc.col = col;
	return loc;
}

/* Empty list with the given cap. */
void
diag_list_init(struct diag_list *l, size_t limit)
{
	memset(l, 0, sizeof *l);
	l->limit = limit == 0 ? DIAG_DEFAULT_LIMIT : limit;
}

/* Frees what kept diagnostics from..n-1 own. */
static void
diag_free_from(struct diag_list *l, size_t from)
{
	size_t	i;

	for (i = from; i < l->n; i++) {
		free(l->v[i].message);
		free((char *)l->v[i].loc.file);
		free((char *)l->v[i].loc.field);
	}
}

/* Frees the kept diagnostics and resets the counts. */
void
diag_list_clear(struct diag_list *l)
{
	size_t	limit;

	diag_free_from(l, 0);
	free(l->v);
	limit = l->limit;
	diag_list_init(l, limit);
}

/* Takes back every diagnostic recorded since l's counts were mark's. */
void
diag_list_rewind(struct diag_list *l, const struct diag_list *mark)
{
	if (mark->n > l->n)
		return;		/* not a mark of this list */
	diag_free_from(l, mark->n);
	l->n = mark->n;
	l->errors = mark->errors;
	l->warnings = mark->warnings;
	l->dropped = mark->dropped;
}

/* Counts d's severity; returns whether there is room to keep it. */
static int
diag_list_count(struct diag_list *l, enum diag_severity sev)
{
	if (l->limit == 0)
		l->limit = DIAG_DEFAULT_LIMIT;
	if (sev == DIAG_ERROR)
		l->errors++;
	else if (sev == DIAG_WARNING)
		l->warnings++;
	if (l->n >= l->limit) {
		l->dropped++;
		return 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	return 1;
}

/* s itself when it is printable text, else an escaped copy; s is consumed. */
static char *
printable(char *s)
{
	char	*p;

	if (text_is_printable(s))
		return s;
	p = xstrdup_printable(s);
	free(s);
	return p;
}

/*
 * Stores a printable copy of loc and the message, which the list now
 * owns.  The tag needs no escape: the lexer only takes three capital
 * letters or digits for one.
 */
static void
diag_list_keep(struct diag_list *l, enum diag_severity sev, const char *code,
    const struct diag_loc *loc, char *message)
{
	struct diag	*d = &l->v[l->n++];

	d->severity = sev;
	d->code = code;
	d->loc = loc != NULL ? *loc : diag_loc_none();
	d->loc.file = d->loc.file != NULL ? xstrdup_printable(d->loc.file) :
	    NULL;
	d->loc.field = d->loc.field != NULL ?
	    xstrdup_printable(d->loc.field) : NULL;
	d->message = printable(message);
}

/* Records one diagnostic. */
void
diag_add(struct diag_list *l, enum diag_severity sev, const char *code,
    const struct diag_loc *loc, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	diag_addv(l, sev, code, loc, fmt, ap);
	va_end(ap);
}

/* Records one diagnostic from a va_list. */
void
diag_addv(struct diag_list *l, enum diag_severity sev, const char *code,
    const struct diag_loc *loc, const char *fmt, va_list ap)
{
	if (diag_list_count(l, sev))
		diag_list_keep(l, sev, code, loc, xvasprintf(fmt, ap));
}

/* Copies src's diagnostics (and its dropped count) after dst's. */
void
diag_list_append(struct diag_list *dst, const struct diag_list *src)
{
	size_t	i, kept_errors = 0, kept_warnings = 0;

	for (i = 0; i < src->n; i++) {
		const struct diag *d = &src->v[i];

		kept_errors += d->severity == DIAG_ERROR;
		kept_warnings += d->severity == DIAG_WARNING;
		if (diag_list_count(dst, d->severity))
			diag_list_keep(dst, d->severity, d->code, &d->loc,
			    xstrdup(d->message));
	}
	/* What src itself dropped still counts. */
	dst->dropped += src->dropped;
	dst->errors += src->errors - kept_errors;
	dst->warnings += src->warnings - kept_warnings;
}

/* True when any error was reported, kept or not. */
bool
diag_list_has_errors(const struct diag_list *l)
{
	return l->errors != 0;
}

/* First kept diagnostic with the code. */
const struct diag *
diag_list_find(const struct diag_list *l, const char *code)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].code, code) == 0)
			return &l->v[i];
	return NULL;
}

/* Lowercase severity name as the decision document spells it. */
const char *
diag_severity_name(enum diag_severity sev)
{
	switch (sev) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	default:
		return "info";
	}
}

/* Human-readable location. */
char *
diag_format_where(const struct diag_loc *loc, char *out, size_t size)
{
	struct buf	b = { 0 };
	char		*s;

	if (loc->file != NULL && loc->line != 0 && loc->col != 0)
		buf_printf(&b, "%s:%u:%u", loc->file, loc->line, loc->col);
	else if (loc->file != NULL && loc->line != 0)
		buf_printf(&b, "%s:%u", loc->file, loc->line);
	else if (loc->file != NULL)
		buf_printf(&b, "%s", loc->file);
	else if (loc->line != 0 && loc->col != 0)
		buf_printf(&b, "line %u, column %u", loc->line, loc->col);
	else if (loc->line != 0)
		buf_printf(&b, "line %u", loc->line);
	if (loc->segment != 0) {
		buf_printf(&b, "%ssegment %u", b.len ? ", " : "", loc->segment);
		if (loc->tag[0] != '\0')
			buf_printf(&b, " (%s)", loc->tag);
	}
	if (loc->offset != DIAG_NO_OFFSET)
		buf_printf(&b, "%sbyte %llu", b.len ? ", " : "",
		    (unsigned long long)loc->offset);
	if (loc->field != NULL)
		buf_printf(&b, "%s%s", b.len ? ", " : "", loc->field);
	s = buf_steal(&b, NULL);
	snprintf(out, size, "%s", s);
	free(s);
	return out;
}

/* Severity, code, location and message on one line. */
char *
diag_format(const struct diag *d, char *out, size_t size)
{
	char	where[256];

	diag_format_where(&d->loc, where, sizeof where);
	if (where[0] != '\0')
		snprintf(out, size, "%s %s at %s: %s", diag_severity_name(d->severity),
		    d->code, where, d->message);
	else
		snprintf(out, size, "%s %s: %s", diag_severity_name(d->severity),
		    d->code, d->message);
	return out;
}
