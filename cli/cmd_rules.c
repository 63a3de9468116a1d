/*
 * cmd_rules.c -- `railgate rules lint DIR` and `railgate rules test DIR`.
 *
 * lint compiles a rule set and prints its name and hash, or every error
 * as file:line:col (exit 78).  test runs the rule set's own test trains:
 * each DIR/tests/NAME.test names a manifest (and optionally events and
 * neighbour files) beside it and what the decision must be (the format
 * is in docs/rules.md); the train is evaluated at the first expectation,
 * after every input line has been read.  It prints pass or fail per test and exits 1 when
 * one fails, when a rule is not shown both firing and not firing, or when
 * the rule set's edition is one the daemon refuses (both say so).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/context.h"
#include "rules/rules.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "engine/check.h"
#include "engine/ruleset.h"

/* Prints rules usage. */
static void
rules_usage(FILE *out)
{
	fprintf(out, "usage: railgate rules lint DIR\n"
	    "       railgate rules test DIR\n"
	    "lint compiles the rule set in DIR and prints its name, hash and "
	    "rule count,\nor each error as FILE:LINE:COL: message (exit 78).  "
	    "test runs its test\ntrains (DIR/tests/*.test, docs/rules.md) and "
	    "exits 1 when one fails or a\nrule is not shown both firing and "
	    "not firing.\n");
}

/* Compiles DIR; NULL (errors printed) when it does not compile. */
static struct rules_ruleset *
rules_compile(const char *dir)
{
	struct diag_list	 diags;
	struct rules_ruleset	*rs;

	diag_list_init(&diags, 0);
	rs = rules_ruleset_load(dir, &diags);
	cmd_rules_print_diags(&diags);
	diag_list_clear(&diags);
	if (rs != NULL && rules_ruleset_edition(rs) < RULESET_MIN_EDITION)
		fprintf(stderr, "railgate rules: %s is written in edition %d, "
		    "which does not judge goods placed on no wagon: the daemon "
		    "will not put it in force; add `edition %d` (docs/rules.md, "
		    "\"Editions\")\n", dir, rules_ruleset_edition(rs),
		    RULESET_MIN_EDITION);
	return rs;
}

/* railgate rules test DIR: the exit status. */
static int
rules_test(const char *dir)
{
	struct rules_ruleset	*rs = rules_compile(dir);
	struct engine_selftest	 res;
	int			 bad;

	if (rs == NULL)
		return EX_CONFIG;
	bad = engine_selftest(rs, dir, stdout, &res);
	printf("%d %s, %d failed", res.run, res.run == 1 ? "test" : "tests",
	    res.failed);
	if (res.unproven > 0)
		printf("; %d rule %s missing", res.unproven, res.unproven == 1 ?
		    "proof" : "proofs");
	printf("\n");
	/* What the daemon would refuse fails here too. */
	if (rules_ruleset_edition(rs) < RULESET_MIN_EDITION)
		bad++;
	rules_ruleset_unref(rs);
	return bad > 0 || res.run == 0 ? 1 : 0;
}

/* railgate rules lint|test DIR */
int
cmd_rules(int argc, char **argv)
{
	struct rules_ruleset	*rs;
	char			 cmd[32];
	int			 i;

	if (argc < 2)
		return usage_error("rules", NULL, "give a sub-command: lint or "
		    "test");
	for (i = 1; i < argc; i++)
		if (usage_is_help(argv[i])) {
			rules_usage(stdout);
			return 0;
		}
	if (strcmp(argv[1], "lint") != 0 && strcmp(argv[1], "test") != 0)
		return usage_error("rules", argv[1], "not a sub-command (lint or "
		    "test)");
	snprintf(cmd, sizeof cmd, "rules %s", argv[1]);
	if (argc < 3)
		return usage_error(cmd, NULL, "give the rule set's DIR");
	if (argv[2][0] == '-' && argv[2][1] != '\0')
		return usage_error(cmd, argv[2], "unknown option");
	if (argc > 3)
		return usage_error(cmd, argv[3], "unexpected argument: one DIR");
	if (strcmp(argv[1], "test") == 0)
		return rules_test(argv[2]);
	if ((rs = rules_compile(argv[2])) == NULL)
		return EX_CONFIG;
	printf("%s %s (%zu %s)\n", rules_ruleset_name(rs),
	    rules_ruleset_hash(rs), rules_ruleset_count(rs),
	    rules_ruleset_count(rs) == 1 ? "rule" : "rules");
	rules_ruleset_unref(rs);
	return 0;
}
