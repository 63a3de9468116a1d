/*
 * cmd_rules.c -- `railgate rules lint DIR` and `railgate rules test DIR`.
 *
 * lint compiles a rule set and prints its name and hash, or every error
 * as file:line:col (exit 78).  test runs the rule set's own test trains:
 * each DIR/tests/NAME.test names a manifest (and optionally events and
 * neighbour files) beside it and what the decision must be (the format
 * is in docs/rules.md); the train is evaluated at the first expectation,
 * after every input line has been read.  It prints pass or fail per test and exits 1 when
 * one fails.
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

#include "cmd.h"

/* Prints rules usage. */
static void
rules_usage(FILE *out)
{
	fprintf(out, "usage: railgate rules lint DIR\n"
	    "       railgate rules test DIR\n");
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
	return rs;
}

/* True if wagon (a number, or "train") has a hit of rule in d. */
static bool
decision_has_hit(const struct decision *d, const char *rule, const char *where)
{
	size_t	i, k;

	if (where == NULL || strcmp(where, "train") == 0)
		for (k = 0; k < d->ntrain_hits; k++)
			if (strcmp(d->train_hits[k].rule, rule) == 0)
				return true;
	for (i = 0; i < d->nwagons; i++) {
		if (where != NULL && strcmp(d->wagons[i].wagon, where) != 0)
			continue;
		for (k = 0; k < d->wagons[i].nhits; k++)
			if (strcmp(d->wagons[i].hits[k].rule, rule) == 0)
				return true;
	}
	return false;
}

/* Checks one expectation line against d; NULL if it holds, else why. */
static char *
test_expect(const struct decision *d, const char *key, const char *a,
    const char *b)
{
	if (strcmp(key, "decision") == 0) {
		if (a != NULL && strcmp(decision_outcome_name(d->outcome), a) == 0)
			return NULL;
		return xasprintf("decision is %s, expected %s",
		    decision_outcome_name(d->outcome), a == NULL ? "?" : a);
	}
	if (strcmp(key, "hit") == 0 && a != NULL)
		return decision_has_hit(d, a, b) ? NULL :
		    xasprintf("no hit of %s%s%s", a, b ? " on " : "", b ? b : "");
	if (strcmp(key, "no-hit") == 0 && a != NULL)
		return !decision_has_hit(d, a, b) ? NULL :
		    xasprintf("unexpected hit of %s", a);
	return NULL;
}

/* Runs one NAME.test; 0 pass, 1 fail (with the reason reported on out). */
static int
rules_run_test(const struct rules_ruleset *rs, const char *dir,
    const char *name, FILE *out)
{
	char			*path = xasprintf("%s/%s", dir, name), *text;
	char			*line, *save = NULL, *why = NULL, *f, *cause;
	char			*key, *a, *b, *data, *manifest = NULL;
	struct rules_context	*ctx = rules_context_new();
	struct decision		*d = NULL;
	size_t			 len, dlen;
	int			 fail = 0;

	if (file_read_all(path, &text, &len) == -1) {
		fprintf(out, "FAIL %s: unreadable\n", name);
		free(path);
		rules_context_free(ctx);
		return 1;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL && !fail;
	    line = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL;

		key = strtok_r(line, " \t", &s2);
		a = strtok_r(NULL, " \t", &s2);
		b = strtok_r(NULL, " \t", &s2);
		if (key == NULL || key[0] == '#')
			continue;
		if (a != NULL && (strcmp(key, "events") == 0 ||
		    strcmp(key, "neighbour") == 0)) {
			f = xasprintf("%s/%s", dir, a);
			cause = NULL;
			if (file_read_all(f, &data, &dlen) == -1 ||
			    (key[0] == 'e' ? rules_context_load_events :
			    rules_context_load_neighbour)(ctx, data, dlen, f,
			    &cause) == -1) {
				why = cause != NULL ? cause :
				    xasprintf("%s unreadable", f);
				fail = 1;
			}
			free(data);
			free(f);
		} else if (strcmp(key, "manifest") == 0 && a != NULL) {
			free(manifest);
			manifest = xasprintf("%s/%s", dir, a);
		} else if (manifest == NULL) {
			why = xstrdup("expectation before 'manifest'");
			fail = 1;
		} else if (d == NULL && cmd_check_file(rs, manifest, ctx, 0,
		    &d) != 0) {
			why = xasprintf("%s not evaluated", manifest);
			fail = 1;
		} else if ((why = test_expect(d, key, a, b)) != NULL)
			fail = 1;
	}
	free(manifest);
	fprintf(out, "%s %s%s%s\n", fail ? "FAIL" : "pass", name,
	    why ? ": " : "", why ? why : "");
	free(why);
	decision_free(d);
	rules_context_free(ctx);
	free(text);
	free(path);
	return fail;
}

/* Runs every DIR/tests/ *.test against rs in name order, reporting on out. */
int
rules_selftest(const struct rules_ruleset *rs, const char *dir, FILE *out,
    int *run)
{
	char		 *tdir = xasprintf("%s/tests", dir);
	struct dirent	**names;
	int		  n, i, failed = 0;
	size_t		  len;

	*run = 0;
	if ((n = scandir(tdir, &names, NULL, alphasort)) < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		len = strlen(names[i]->d_name);
		if (len > 5 && strcmp(names[i]->d_name + len - 5, ".test") == 0) {
			failed += rules_run_test(rs, tdir, names[i]->d_name, out);
			(*run)++;
		}
		free(names[i]);
	}
	if (n > 0)
		free(names);
	free(tdir);
	return failed;
}

/* railgate rules test DIR: the exit status. */
static int
rules_test(const char *dir)
{
	struct rules_ruleset	*rs = rules_compile(dir);
	int			 failed, run;

	if (rs == NULL)
		return EX_CONFIG;
	failed = rules_selftest(rs, dir, stdout, &run);
	printf("%d tests, %d failed\n", run, failed);
	rules_ruleset_unref(rs);
	return failed > 0 || run == 0 ? 1 : 0;
}

/* railgate rules lint|test DIR */
int
cmd_rules(int argc, char **argv)
{
	struct rules_ruleset	*rs;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		rules_usage(stdout);
		return 0;
	}
	if (argc != 3) {
		rules_usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "test") == 0)
		return rules_test(argv[2]);
	if (strcmp(argv[1], "lint") != 0) {
		rules_usage(stderr);
		return EX_USAGE;
	}
	if ((rs = rules_compile(argv[2])) == NULL)
		return EX_CONFIG;
	printf("%s %s (%zu rules)\n", rules_ruleset_name(rs),
	    rules_ruleset_hash(rs), rules_ruleset_count(rs));
	rules_ruleset_unref(rs);
	return 0;
}
