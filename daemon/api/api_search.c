/*
 * api_search.c -- the console's search (GET /v1/search?q=...): trains by
 * number, wagons by number, containers by number, parties by name, each a
 * case-insensitive substring of q; console_search() in 95_console.sql
 * answers from trigram indexes (migration 027).
 *
 * A query is 3 to 64 characters of printable text: fewer than three is
 * no trigram (every wagon of the station would match "1"), more than 64
 * is no number or name anyone types.  At most ?limit (default 20, at most
 * 50) hits of each kind, with "more" when there were others.
 */
#include <stdlib.h>
#include <string.h>

#include "db/store.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/daemon.h"
#include "daemon/outcome.h"

#define SEARCH_MIN_CHARS	3
#define SEARCH_MAX_CHARS	64
#define SEARCH_LIMIT		20
#define SEARCH_LIMIT_MAX	50

static void
search_reply_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else
		http_reply_json(c, 200, text, len);
}

void
api_search(struct http_ctx *c)
{
	const char	*q = http_query(c, "q"), *ls = http_query(c, "limit");
	char		*end = NULL, *trimmed;
	long		 limit = SEARCH_LIMIT;
	size_t		 n, a, b;

	if (ls != NULL) {
		limit = *ls >= '0' && *ls <= '9' && strlen(ls) < 4 ?
		    strtol(ls, &end, 10) : -1;
		if (limit < 1 || limit > SEARCH_LIMIT_MAX || *end != '\0') {
			http_reply_problem(c, 400, "Bad Request", "limit is a "
			    "whole number of hits of each kind, from 1 to 50",
			    NULL, 0);
			return;
		}
	}
	if (q == NULL || !text_is_printable(q)) {
		http_reply_problem(c, 400, "Bad Request", q == NULL ?
		    "the query parameter q is missing: GET /v1/search?q=TEXT" :
		    "q must be printable text (UTF-8, no control characters)",
		    NULL, 0);
		return;
	}
	/* Blanks around what was typed (pasted) are not part of it. */
	for (a = 0; q[a] == ' '; a++)
		;
	for (b = strlen(q); b > a && q[b - 1] == ' '; b--)
		;
	trimmed = xstrndup(q + a, b - a);
	n = utf8_chars(trimmed);
	if (n < SEARCH_MIN_CHARS || n > SEARCH_MAX_CHARS) {
		char *detail = xasprintf("q has %zu characters; a search takes "
		    "%d to %d (part of a train, wagon or container number, or "
		    "of a party's name)", n, SEARCH_MIN_CHARS, SEARCH_MAX_CHARS);

		http_reply_problem(c, 400, "Bad Request", detail, NULL, 0);
		free(detail);
		free(trimmed);
		return;
	}
	store_search(c->d->db, trimmed, (int)limit, search_reply_cb, c);
	free(trimmed);
}
