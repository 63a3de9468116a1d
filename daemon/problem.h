/*
 * problem.h -- the one table of problem types: every title a problem
 * document of the daemon may carry (RFC 9457), with its type URI.
 *
 * A type's title is the same on every occurrence (the specifics are in
 * "detail"), so the table is keyed by title: the handlers, the SQL
 * functions (their reply's "title") and the neighbour link's listener
 * keep writing titles, and the one writer of a problem document
 * (daemon/http/http_reply.c, peer_in.c) asks here for the type.  A title
 * that is its status's own reason phrase ("Not Found") is not in the
 * table: its type is about:blank, which RFC 9457 gives exactly that
 * meaning.  docs/problems.md explains every row, and the unit test
 * problems checks that each row is there and that every title in the
 * sources is a row or a reason phrase.  Any thread: no state.
 */
#ifndef DAEMON_PROBLEM_H
#define DAEMON_PROBLEM_H

#include <stddef.h>

/* Every type URI is this prefix and the type's slug (docs/problems.md). */
#define PROBLEM_URI_PREFIX	"urn:railgate:problem:"

struct problem_type {
	const char	*uri;		/* PROBLEM_URI_PREFIX + slug */
	const char	*title;		/* the same on every occurrence */
	int		 status;	/* 0: depends on the request (several) */
};

/*
 * The type URI of a problem titled title: the table's for a title of the
 * table, else "about:blank" (a status's own reason phrase; the unit test
 * sees that no other title reaches here).  Static storage.
 */
const char *problem_type_uri(const char *title);
/* The table's row for title, or NULL. */
const struct problem_type *problem_type_find(const char *title);
/* The whole table, *n rows (for the tests and the documentation). */
const struct problem_type *problem_types(size_t *n);

#endif
