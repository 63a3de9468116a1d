/*
 * check.h -- one manifest file decided without a database, and a rule
 * set's own test trains.
 *
 * What `railgate check`, `railgate rules test` and the daemon's rule set
 * loader share: read the file, parse it (input_parse), evaluate it
 * against a rule set and stamp the decision with the manifest's hash and
 * timings.  Nothing here prints on its own: failures are returned, and
 * the self-test writes its report to the stream it is given.
 */
#ifndef ENGINE_CHECK_H
#define ENGINE_CHECK_H

#include <stdio.h>

struct decision;
struct manifest_train;
struct rules_context;
struct rules_eval_options;
struct rules_ruleset;

enum engine_check {
	ENGINE_CHECK_DECIDED,		/* *out holds the decision */
	ENGINE_CHECK_NOT_FOUND,		/* no such file (errno ENOENT) */
	ENGINE_CHECK_UNREADABLE,	/* another read error; errno says which */
	ENGINE_CHECK_NOT_MANIFEST,	/* not read as a manifest: *unread says why */
};

/*
 * Reads, parses and evaluates the manifest file at path into *out (the
 * caller frees it with decision_free), with opt (NULL: every CPU, no
 * parcel set aside).  When the file is not read as a
 * manifest and unread is not NULL, *unread is the parsed train holding
 * the diagnostics (the caller frees it with manifest_train_free).
 */
enum engine_check engine_check_file(const struct rules_ruleset *rs,
    const char *path, const struct rules_context *ctx,
    const struct rules_eval_options *opt, struct decision **out,
    struct manifest_train **unread);

/* What a rule set's test trains showed. */
struct engine_selftest {
	int	run;		/* tests run */
	int	failed;		/* tests failed */
	int	unproven;	/* rules not shown firing, or not shown quiet */
};

/*
 * Runs the test trains of the rule set in dir (dir/tests/ *.test, the
 * format in docs/rules.md) against rs in name order, a line per test on
 * out, then a line per rule the passing tests do not show both firing
 * and not firing; fills *res and returns failed + unproven (0: proved).
 */
int engine_selftest(const struct rules_ruleset *rs, const char *dir,
    FILE *out, struct engine_selftest *res);

#endif
