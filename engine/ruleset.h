/*
 * ruleset.h -- a rule set as the daemon and the auditor's replay load it.
 *
 * The daemon loads a rule set from its directory: compiled, tested
 * against its own test trains (a rule set that fails them is not put in
 * force) and packed exactly as read, so that the database keeps the files
 * every decision was made with.  `railgate replay` compiles those stored
 * files back.  No state of its own: each call returns what it made.
 */
#ifndef ENGINE_RULESET_H
#define ENGINE_RULESET_H

#include <stdbool.h>
#include <stddef.h>

struct rules_ruleset;

/* A rule set as loaded from its directory: compiled, and its exact files. */
struct ruleset_load {
	struct rules_ruleset	*rs;		/* one reference, the caller's */
	unsigned char		*files_z;	/* zlib: name NUL size NUL bytes... */
	size_t			 files_z_len;
};

/* The oldest rule language edition put in force (docs/rules.md "Editions"). */
#define RULESET_MIN_EDITION	2

/*
 * Reads, compiles and tests (its own test trains) the rule set in dir.
 * 0, or -1 with *cause (the compile errors, an edition older than
 * RULESET_MIN_EDITION, the failed tests or unproven rules, or that there
 * is no test train at all; caller frees).
 */
int ruleset_load(const char *dir, struct ruleset_load *out, char **cause);
/* Releases what ruleset_load gave; accepts a zeroed one. */
void ruleset_load_clear(struct ruleset_load *l);

/*
 * Compiles a stored rule set (ruleset_pack's bytes) under name; NULL with
 * *why (caller frees) when the bytes are damaged or do not compile.
 */
struct rules_ruleset *ruleset_compile_stored(const char *name,
    const unsigned char *z, size_t zlen, char **why);

/* What ruleset_list_entry found. */
enum ruleset_entry {
	RULESET_NO_LIST = -1,		/* rs has no list of that name */
	RULESET_NO_ENTRY = 0,		/* the list has no such entry */
	RULESET_ENTRY = 1,		/* entry is an entry's own name */
};

/*
 * Whether entry is, exactly, the own name (its first line, not an alias)
 * of an entry of list `list` of rs: what a screening clearance names
 * (docs/screening.md "Clearing a false match").
 */
enum ruleset_entry ruleset_list_entry(const struct rules_ruleset *rs,
    const char *list, const char *entry);
/*
 * The aliases of that entry (edition 3; none before), borrowed from rs,
 * and whether it carries identifier id (normalised, rules/ident.h): a
 * party by an alias's name or the entry's identifier is the listed one.
 */
size_t ruleset_entry_aliases(const struct rules_ruleset *rs,
    const char *list, const char *entry, const char *const **aka);
bool ruleset_entry_has_id(const struct rules_ruleset *rs, const char *list,
    const char *entry, const char *id);

#endif
