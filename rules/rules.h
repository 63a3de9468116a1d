/*
 * rules.h -- the rule engine: station risk rules compiled once into an
 * immutable, reference-counted rule set, and the evaluation of a train
 * against it into a decision document (docs/rules.md; contract:
 * docs/contracts.md, "The decision document").
 *
 * A rule set is compiled from a directory (its .rules files and the list
 * files they name) or from files in memory.  Once compiled it is never
 * changed: any number of threads may evaluate trains with it at once.
 * rules_ruleset_ref/unref let a daemon swap in a new rule set while
 * trains already being evaluated finish on the old one.
 */
#ifndef RULES_RULES_H
#define RULES_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "manifest/decision.h"
#include "manifest/diag.h"
#include "manifest/model.h"

#include "context.h"

struct rules_ruleset;

/* One file of a rule set: its name relative to the rule set and text. */
struct rules_file {
	const char	*name;		/* e.g. "main.rules", "lists/hs.txt" */
	const char	*path;		/* shown in errors; NULL: name */
	const char	*text;
	size_t		 len;
};

struct rules_eval_options {
	unsigned	threads;	/* 0: the number of online CPUs */
	/*
	 * Station with an e-commerce supervision site: a hit on a parcel
	 * sets that parcel aside instead of its wagon (docs/parcels.md).
	 */
	bool		parcel_setaside;
};

/*
 * Compiles a rule set from files: every file whose name ends in
 * ".rules", in name order; the others are list files the rules name.
 * dir_name is the name used when no `ruleset "NAME"` line gives one.
 * Returns a rule set owned by the caller (one reference), or NULL with
 * every error added to diags as file:line:col diagnostics.
 */
struct rules_ruleset *rules_ruleset_compile(const char *dir_name,
    const struct rules_file *files, size_t nfiles, struct diag_list *diags);
/*
 * Reads and compiles the rule set in directory dir: dir/ *.rules and
 * every file under dir/lists/.  NULL with diagnostics on failure (an
 * unreadable directory is one diagnostic too).
 */
struct rules_ruleset *rules_ruleset_load(const char *dir,
    struct diag_list *diags);
/*
 * The pieces of rules_ruleset_load, for a caller that keeps the exact
 * files (a daemon stores them with its decisions, for replays):
 * rules_files_read reads dir's files -- *.rules, lists/ and the test
 * trains of tests/, all counted in the hash (0, or -1 with diagnostics; free
 * them with rules_files_free either way), rules_ruleset_compile_dir
 * compiles them under dir's name.
 */
int rules_files_read(const char *dir, struct rules_file **files, size_t *n,
    struct diag_list *diags);
void rules_files_free(struct rules_file *files, size_t n);
struct rules_ruleset *rules_ruleset_compile_dir(const char *dir,
    const struct rules_file *files, size_t n, struct diag_list *diags);

/* Takes another reference; returns rs.  Any thread. */
struct rules_ruleset *rules_ruleset_ref(struct rules_ruleset *rs);
/* Drops a reference; the last one frees the rule set.  Accepts NULL. */
void rules_ruleset_unref(struct rules_ruleset *rs);
/* The rule set's name and SHA-256 (64 hex digits); borrowed. */
const char *rules_ruleset_name(const struct rules_ruleset *rs);
const char *rules_ruleset_hash(const struct rules_ruleset *rs);
/* The number of rule blocks. */
size_t rules_ruleset_count(const struct rules_ruleset *rs);
/* The name of rule block i (< rules_ruleset_count); borrowed. */
const char *rules_ruleset_rule_name(const struct rules_ruleset *rs, size_t i);
/*
 * The rule language edition the rule set declares (`edition N`; 1 when
 * it declares none): docs/rules.md "Editions".
 */
int rules_ruleset_edition(const struct rules_ruleset *rs);

/*
 * Evaluates finished train t (ctx may be NULL) and returns in *out a new
 * decision owned by the caller: every wagon, its hits, the train hits,
 * the consolidated outcome, the parse diagnostics, the rule set's name
 * and hash.  manifest_sha256 and timing are left for the caller.
 * Wagons are evaluated on opt->threads threads (opt may be NULL); the
 * document is the same whatever the thread count.  Returns 0.
 */
int rules_evaluate(const struct rules_ruleset *rs,
    const struct manifest_train *t, const struct rules_context *ctx,
    const struct rules_eval_options *opt, struct decision **out);

#endif
