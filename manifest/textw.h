/*
 * textw.h -- text written safely into other formats, into a struct buf:
 * HTML (every string escaped, for the auditor's pages: `railgate report`,
 * the reports of GET /v1/reports/...) and CSV (RFC 4180 quoting, with a
 * cell that a spreadsheet would read as a formula made inert).  Owns
 * nothing; the buffer belongs to the caller.  Any thread.
 */
#ifndef MANIFEST_TEXTW_H
#define MANIFEST_TEXTW_H

#include "util.h"

/* s (NULL: nothing) with & < > " ' escaped, appended to out. */
void textw_html(struct buf *out, const char *s);

/*
 * s (NULL: an empty cell) as one CSV cell appended to out: a cell
 * starting with = + - @ (or a tab or carriage return) is prefixed with
 * ' so that a spreadsheet shows it as text; a cell holding , " CR or LF
 * is quoted, its quotes doubled.
 */
void textw_csv(struct buf *out, const char *s);

#endif
