/*
 * check.c -- a manifest file decided without a database, and a rule
 * set's test trains (check.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/context.h"
#include "rules/rules.h"

#include "engine/check.h"
#include "engine/input.h"

/* Milliseconds between two monotonic times. */
static double
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

enum engine_check
engine_check_file(const struct rules_ruleset *rs, const char *path,
    const struct rules_context *ctx, const struct rules_eval_options *given,
    struct decision **out, struct manifest_train **unread)
{
	struct rules_eval_options	 opt = { 0 };
	struct manifest_train		*t = NULL;
	struct timespec			 t0, t1, t2;
	char				*data;
	size_t				 len;

	*out = NULL;
	if (given != NULL)
		opt = *given;
	if (unread != NULL)
		*unread = NULL;
	if (file_read_all(path, &data, &len) == -1)
		return errno == ENOENT ? ENGINE_CHECK_NOT_FOUND :
		    ENGINE_CHECK_UNREADABLE;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (input_parse(data, len, NULL, &t) == -1) {
		if (unread != NULL)
			*unread = t;
		else
			manifest_train_free(t);
		free(data);
		return ENGINE_CHECK_NOT_MANIFEST;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rules_evaluate(rs, t, ctx, &opt, out);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	sha256_hex(data, len, (*out)->manifest_sha256);
	(*out)->parse_ms = ms_between(&t0, &t1);
	(*out)->evaluate_ms = ms_between(&t1, &t2);
	manifest_train_free(t);
	free(data);
	return ENGINE_CHECK_DECIDED;
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

/*
 * Which rules the test trains show firing and not firing: a rule set
 * proves every rule both ways, or a rule that can never fire (a
 * misspelt field, a list it does not read) would pass unnoticed.
 */
struct cover {
	const char	**names;	/* distinct rule names, borrowed */
	bool		 *hit;
	bool		 *no_hit;
	size_t		  n;
};

static void
cover_init(struct cover *c, const struct rules_ruleset *rs)
{
	size_t	i, k, n = rules_ruleset_count(rs);

	c->names = xcalloc(n + 1, sizeof *c->names);
	c->hit = xcalloc(n + 1, sizeof *c->hit);
	c->no_hit = xcalloc(n + 1, sizeof *c->no_hit);
	c->n = 0;
	for (i = 0; i < n; i++) {
		const char *name = rules_ruleset_rule_name(rs, i);

		for (k = 0; k < c->n && strcmp(c->names[k], name) != 0; k++)
			;
		if (k == c->n)
			c->names[c->n++] = name;
	}
}

/* Notes that a passing expectation (key "hit" or "no-hit") named rule. */
static void
cover_note(struct cover *c, const char *key, const char *rule)
{
	size_t	k;

	for (k = 0; k < c->n; k++)
		if (strcmp(c->names[k], rule) == 0) {
			if (strcmp(key, "hit") == 0)
				c->hit[k] = true;
			else if (strcmp(key, "no-hit") == 0)
				c->no_hit[k] = true;
		}
}

/* Reports every rule not shown both ways on out; returns how many. */
static int
cover_report(struct cover *c, FILE *out)
{
	size_t	k;
	int	missing = 0;

	for (k = 0; k < c->n; k++) {
		if (!c->hit[k])
			fprintf(out, "FAIL rule %s: no test train shows it "
			    "firing (a passing `hit %s` line)\n", c->names[k],
			    c->names[k]);
		if (!c->no_hit[k])
			fprintf(out, "FAIL rule %s: no test train shows it not "
			    "firing (a passing `no-hit %s` line)\n",
			    c->names[k], c->names[k]);
		missing += !c->hit[k] + !c->no_hit[k];
	}
	return missing;
}

static void
cover_free(struct cover *c)
{
	free(c->names);
	free(c->hit);
	free(c->no_hit);
}

/* True if d has a wagon numbered number. */
static bool
decision_has_wagon(const struct decision *d, const char *number)
{
	size_t	i;

	for (i = 0; i < d->nwagons; i++)
		if (strcmp(d->wagons[i].wagon, number) == 0)
			return true;
	return false;
}

/*
 * Checks one expectation line against d; NULL if it holds, else why.  A
 * line that could hold without looking at anything fails: an unknown
 * key, a hit line naming no rule, a wagon the train does not have (a
 * `no-hit` on it would show any rule "not firing").
 */
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
	if (strcmp(key, "hit") != 0 && strcmp(key, "no-hit") != 0)
		return xasprintf("unknown line '%s' (manifest, events, "
		    "neighbour, decision, hit, no-hit)", key);
	if (a == NULL)
		return xasprintf("'%s' names no rule", key);
	if (b != NULL && strcmp(b, "train") != 0 && !decision_has_wagon(d, b))
		return xasprintf("%s %s %s: the train has no wagon %s", key, a,
		    b, b);
	if (strcmp(key, "hit") == 0)
		return decision_has_hit(d, a, b) ? NULL :
		    xasprintf("no hit of %s%s%s", a, b ? " on " : "", b ? b : "");
	return !decision_has_hit(d, a, b) ? NULL :
	    xasprintf("unexpected hit of %s", a);
}

/*
 * The path of a file a test names beside it, or NULL with *why: a plain
 * name, since the test trains are stored with the rule set (its hash
 * covers tests/, not what a path may reach outside it: ../../x).
 */
static char *
test_file(const char *dir, const char *key, const char *name, char **why)
{
	if (name[0] == '.' || strchr(name, '/') != NULL) {
		*why = xasprintf("%s %s: a test names a file beside it in "
		    "tests/ (no '/', not starting with '.')", key, name);
		return NULL;
	}
	return xasprintf("%s/%s", dir, name);
}

/* Runs one NAME.test; 0 pass, 1 fail (with the reason reported on out). */
static int
rules_run_test(const struct rules_ruleset *rs, const char *dir,
    const char *name, struct cover *cover, FILE *out)
{
	char			*path = xasprintf("%s/%s", dir, name), *text;
	char			*line, *save = NULL, *why = NULL, *f, *cause;
	char			*key, *a, *b, *data, *manifest = NULL;
	struct rules_context	*ctx = rules_context_new();
	struct decision		*d = NULL;
	size_t			 len, dlen;
	int			 fail = 0;

	rules_context_set_edition(ctx, rules_ruleset_edition(rs));
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
		if ((strcmp(key, "events") == 0 || strcmp(key, "neighbour") ==
		    0 || strcmp(key, "manifest") == 0) && d != NULL) {
			/* The train is decided: what follows changes nothing. */
			why = xasprintf("'%s' after an expectation", key);
			fail = 1;
		} else if (a != NULL && (strcmp(key, "events") == 0 ||
		    strcmp(key, "neighbour") == 0)) {
			if ((f = test_file(dir, key, a, &why)) == NULL) {
				fail = 1;
				continue;
			}
			cause = NULL;
			data = NULL;
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
			if ((manifest = test_file(dir, key, a, &why)) == NULL)
				fail = 1;
		} else if (manifest == NULL) {
			why = xstrdup("expectation before 'manifest'");
			fail = 1;
		} else if (d == NULL && engine_check_file(rs, manifest, ctx, NULL,
		    &d, NULL) != ENGINE_CHECK_DECIDED) {
			why = xasprintf("%s not evaluated", manifest);
			fail = 1;
		} else if ((why = test_expect(d, key, a, b)) != NULL)
			fail = 1;
		else if (a != NULL && (b == NULL || strcmp(key, "hit") == 0 ||
		    strcmp(b, "train") != 0))
			/* "not a train hit" says nothing of the wagons. */
			cover_note(cover, key, a);
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

int
engine_selftest(const struct rules_ruleset *rs, const char *dir, FILE *out,
    struct engine_selftest *res)
{
	char		 *tdir = xasprintf("%s/tests", dir);
	struct dirent	**names;
	struct cover	  cover;
	int		  n, i;
	size_t		  len;

	memset(res, 0, sizeof *res);
	cover_init(&cover, rs);
	if ((n = scandir(tdir, &names, NULL, alphasort)) < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		len = strlen(names[i]->d_name);
		if (len > 5 && strcmp(names[i]->d_name + len - 5, ".test") == 0) {
			res->failed += rules_run_test(rs, tdir,
			    names[i]->d_name, &cover, out);
			res->run++;
		}
		free(names[i]);
	}
	if (n > 0)
		free(names);
	free(tdir);
	/* Without test trains there is nothing to cover: the caller says so. */
	if (res->run > 0)
		res->unproven = cover_report(&cover, out);
	cover_free(&cover);
	return res->failed + res->unproven;
}
