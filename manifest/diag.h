/*
 * diag.h -- structural diagnostics: what went wrong in an input, and where.
 *
 * Every parser (EDIFACT, XML, the rule language) reports problems as
 * diagnostics instead of printing or stopping: a severity, a stable code
 * (documented in docs/diagnostics.md), a location and a message.  A
 * diag_list owns its diagnostics and their strings.  It keeps at most
 * `limit` of them (hostile input must not grow memory without bound) and
 * counts the rest.  One list is used by one thread at a time.
 */
#ifndef MANIFEST_DIAG_H
#define MANIFEST_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum diag_severity {
	DIAG_INFO,
	DIAG_WARNING,
	DIAG_ERROR,
};

#define DIAG_NO_OFFSET	UINT64_MAX
#define DIAG_DEFAULT_LIMIT 1000

/* Where a problem is; zero / NULL / DIAG_NO_OFFSET fields are not known. */
struct diag_loc {
	const char	*file;		/* source file (rule sets) */
	uint32_t	 line;		/* 1-based line (XML, rule sets) */
	uint32_t	 col;		/* 1-based column */
	uint32_t	 segment;	/* 1-based segment ordinal (EDIFACT) */
	char		 tag[4];	/* segment tag, NUL-terminated */
	uint64_t	 offset;	/* byte offset from the start of the input */
	const char	*field;		/* element or field, e.g. "C506/1004", "Wagon/ID" */
};

struct diag {
	enum diag_severity	 severity;
	const char		*code;		/* static string, e.g. "UNT_COUNT" */
	struct diag_loc		 loc;		/* file and field owned by the list */
	char			*message;	/* owned by the list */
};

struct diag_list {
	struct diag	*v;
	size_t		 n;
	size_t		 cap;
	size_t		 limit;		/* most diagnostics kept; 0 = DIAG_DEFAULT_LIMIT */
	size_t		 dropped;	/* reported beyond the limit, not kept */
	size_t		 errors;	/* all errors, kept or dropped */
	size_t		 warnings;	/* all warnings, kept or dropped */
};

/* A location with nothing known. */
struct diag_loc diag_loc_none(void);
/* A location in an EDIFACT interchange. */
struct diag_loc diag_loc_segment(uint32_t segment, const char *tag, uint64_t offset);
/* A location in a text file. */
struct diag_loc diag_loc_line(const char *file, uint32_t line, uint32_t col);

/* Prepares an empty list keeping at most limit diagnostics (0: the default). */
void diag_list_init(struct diag_list *l, size_t limit);
/* Frees every diagnostic; the list is empty and reusable afterwards. */
void diag_list_clear(struct diag_list *l);

/* Records a diagnostic; code must be a static string.  Copies loc's strings. */
void diag_add(struct diag_list *l, enum diag_severity sev, const char *code,
    const struct diag_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* diag_add with a va_list. */
void diag_addv(struct diag_list *l, enum diag_severity sev, const char *code,
    const struct diag_loc *loc, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
/*
 * Takes back what was recorded since mark, a copy of l's struct taken
 * earlier (only its counts are read): those diagnostics are freed and
 * the counts are mark's again.
 */
void diag_list_rewind(struct diag_list *l, const struct diag_list *mark);
/* Appends copies of every diagnostic of src to dst. */
void diag_list_append(struct diag_list *dst, const struct diag_list *src);

bool diag_list_has_errors(const struct diag_list *l);
/* The first kept diagnostic with this code, or NULL; borrowed. */
const struct diag *diag_list_find(const struct diag_list *l, const char *code);

/* "error", "warning" or "info". */
const char *diag_severity_name(enum diag_severity sev);
/*
 * Formats the location for people: "segment 412 (UNT), byte 18211",
 * "line 12, column 5", "rules/x.rules:3:14"; returns out.
 */
char *diag_format_where(const struct diag_loc *loc, char *out, size_t size);
/* One line: "error UNT_COUNT at segment 4 (UNT), byte 90: message". */
char *diag_format(const struct diag *d, char *out, size_t size);

#endif
