/*
 * unlist.h -- the UN Security Council Consolidated List (XML) as an
 * edition-3 list file (docs/screening.md, "Importing the UN list").
 *
 * Bytes in, list-file text, counts and the first error out: nothing is
 * printed, no file or network is touched.  The XML is read by libxml2
 * with no network (XML_PARSE_NONET), no DTD and no entity expansion (a
 * DOCTYPE refuses the document before libxml2 parses it), and at most
 * UNLIST_MAX_BYTES.  The same bytes and source name always give the same
 * text.  Safe on any thread (call xmlInitParser once first when several
 * threads use libxml2).
 */
#ifndef RULES_UNLIST_H
#define RULES_UNLIST_H

#include <stddef.h>

/* The largest document read (the real list is a few MB). */
#define UNLIST_MAX_BYTES	((size_t)64 << 20)

/* What one conversion read and wrote; the header comment says the same. */
struct unlist_counts {
	unsigned	individuals;	/* INDIVIDUAL records read */
	unsigned	entities;	/* ENTITY records read */
	unsigned	entries;	/* entries written */
	unsigned	records_skipped; /* records with no name to compare */
	unsigned	aliases;	/* aka lines (aliases, original script) */
	unsigned	low_quality;	/* of them, aliases of QUALITY Low */
	unsigned	names_skipped;	/* names in other scripts, as comments */
	unsigned	countries;	/* country lines */
	unsigned	countries_unknown; /* country names not in the table */
	unsigned	ids;		/* id lines */
	unsigned	documents_kept;	/* documents kept as comments only */
};

/* Why a document was refused: the line (1-based; 0 when none) and what. */
struct unlist_error {
	unsigned	line;
	char		msg[256];
};

/*
 * Converts the UN list in xml[0..len) into list-file text: 0 with *text
 * (NUL-terminated, *textlen bytes, the caller frees it) and *counts, or
 * -1 with *err (nothing to free).  source names the file in the header
 * comment (its last path component is used, so the text does not depend
 * on where the file was).
 */
int unlist_convert(const char *xml, size_t len, const char *source,
    char **text, size_t *textlen, struct unlist_counts *counts,
    struct unlist_error *err);

/*
 * The ISO 3166-1 alpha-2 code of a country as the UN list names it
 * ("Russian Federation", "Iran (Islamic Republic of)"...; case and white
 * space do not matter), or NULL when the table (rules/unlist_country.c)
 * does not have it.
 */
const char *unlist_country_code(const char *name);

#endif
