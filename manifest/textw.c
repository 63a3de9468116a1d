/*
 * textw.c -- HTML escaping and CSV cells (textw.h).
 */
#include <string.h>

#include "textw.h"

void
textw_html(struct buf *out, const char *s)
{
	const char	*run;

	for (; s != NULL && *s != '\0'; s++) {
		for (run = s; *s != '\0' && strchr("&<>\"'", *s) == NULL; s++)
			;
		buf_add(out, run, (size_t)(s - run));
		switch (*s) {
		case '&': buf_add(out, "&amp;", 5); break;
		case '<': buf_add(out, "&lt;", 4); break;
		case '>': buf_add(out, "&gt;", 4); break;
		case '"': buf_add(out, "&quot;", 6); break;
		case '\'': buf_add(out, "&#39;", 5); break;
		default: return;	/* the end */
		}
	}
}

void
textw_csv(struct buf *out, const char *s)
{
	bool	guard, quote;

	if (s == NULL)
		return;
	guard = *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_add(out, "\"", 1);
	if (guard)
		buf_add(out, "'", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_add(out, "\"", 1);
		buf_add(out, s, 1);
	}
	if (quote)
		buf_add(out, "\"", 1);
}
