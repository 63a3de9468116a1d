/*
 * test_ruleset.c -- engine/ruleset.c, a rule set as the daemon puts it
 * in force (ruleset.h): compiled, proved by its own test trains, packed
 * exactly as read; and a packed one compiled back to the same hash.  A
 * rule set that does not compile, fails a test train, or has no test
 * train at all is refused with the reason; its test trains count in its
 * hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ruleset.h"
#include "manifest/util.h"
#include "rules/rules.h"

#include "unit.h"

/* A copy of the default rule set in a directory of its own, or NULL. */
static char *
ruleset_copy(void)
{
	char	*dir = xstrdup("/tmp/railgate-ruleset-XXXXXX");
	char	 cmd[256];

	if (mkdtemp(dir) == NULL) {
		free(dir);
		return NULL;
	}
	snprintf(cmd, sizeof cmd, "cp -R etc/rules/default/. %s/", dir);
	if (system(cmd) != 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

static void
ruleset_remove(char *dir)
{
	char	cmd[256];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(dir);
}

/* The default rule set loads, and its packed files compile back alike. */
static void
t_ruleset_default_loads_and_packs(void)
{
	struct ruleset_load	 l;
	struct rules_ruleset	*back;
	char			*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(ruleset_load("etc/rules/default", &l, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_PTR_NOT_NULL(l.files_z);
	back = ruleset_compile_stored(rules_ruleset_name(l.rs), l.files_z,
	    l.files_z_len, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_STRING_EQUAL(rules_ruleset_hash(back),
	    rules_ruleset_hash(l.rs));
	rules_ruleset_unref(back);
	/* Damaged stored bytes are refused, saying so. */
	l.files_z[l.files_z_len / 2] ^= 0x55;
	CU_ASSERT_PTR_NULL(ruleset_compile_stored("x", l.files_z,
	    l.files_z_len, &cause));
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	ruleset_load_clear(&l);
}

/* No test train at all: refused, as `railgate rules test` refuses it. */
static void
t_ruleset_without_tests_refused(void)
{
	struct ruleset_load	 l;
	char			*dir = ruleset_copy(), *cause = NULL, cmd[300];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(cmd, sizeof cmd, "rm -f %s/tests/*.test", dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	CU_ASSERT_EQUAL(ruleset_load(dir, &l, &cause), -1);
	CU_ASSERT_PTR_NULL(l.rs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "has no test trains"));
	free(cause);
	/* No tests/ directory at all: the same. */
	snprintf(cmd, sizeof cmd, "rm -rf %s/tests", dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	cause = NULL;
	CU_ASSERT_EQUAL(ruleset_load(dir, &l, &cause), -1);
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ?
	    strstr(cause, "has no test trains") : NULL);
	free(cause);
	ruleset_remove(dir);
}

/* A test train whose expectation fails: refused, naming the test. */
static void
t_ruleset_failing_test_refused(void)
{
	struct ruleset_load	 l;
	char			*dir = ruleset_copy(), *cause = NULL;
	char			 path[300];
	FILE			*f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(path, sizeof path, "%s/tests/zz-wrong.test", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("manifest release.xml\ndecision HOLD\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(ruleset_load(dir, &l, &cause), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "fails 1 of its"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "zz-wrong.test"));
	free(cause);
	ruleset_remove(dir);
}

/* A rule that does not compile: refused with its file and line. */
static void
t_ruleset_compile_error_refused(void)
{
	struct ruleset_load	 l;
	char			*dir = ruleset_copy(), *cause = NULL;
	char			 path[300];
	FILE			*f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(path, sizeof path, "%s/main.rules", dir);
	f = fopen(path, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("\nrule broken\n  scope nowhere\nend\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(ruleset_load(dir, &l, &cause), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "does not compile"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "main.rules:"));
	free(cause);
	ruleset_remove(dir);
}

/* Writes text to dir/name; 0 or -1. */
static int
put_file(const char *dir, const char *name, const char *mode,
    const char *text)
{
	char	 path[300];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, mode)) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

/*
 * A rule set in edition 1 compiles (its stored decisions replay with it)
 * but is not put in force: it releases goods placed on no wagon.
 */
static void
t_ruleset_edition_1_refused(void)
{
	struct ruleset_load	 l;
	char			*dir = ruleset_copy(), *cause = NULL, cmd[300];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	/* Edition 1 without edition 3's screening syntax. */
	snprintf(cmd, sizeof cmd, "sed -i -e 's/^edition 3$/edition 1/' "
	    "-e '/^legal forms/d' -e 's/when party matches list sanctioned "
	    ".*/when consignee.name matches list sanctioned at 0.88/' "
	    "%s/main.rules", dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	CU_ASSERT_EQUAL(ruleset_load(dir, &l, &cause), -1);
	CU_ASSERT_PTR_NULL(l.rs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "written in edition 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "add `edition 2`"));
	free(cause);
	ruleset_remove(dir);
}

/*
 * A rule no test shows firing, or none shows quiet, is unproven: the
 * rule set is refused, naming the rule and the missing proof, until a
 * test shows it both ways.
 */
static void
t_ruleset_unproven_rule_refused(void)
{
	struct ruleset_load	 l;
	char			*dir = ruleset_copy(), *cause = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	/*
	 * AUDIT, not INSPECT: the rule sets no wagon out, so the default
	 * tests' decisions do not hang on the `random` draws of this
	 * changed rule set (which one changes with its hash).
	 */
	CU_ASSERT_EQUAL_FATAL(put_file(dir, "main.rules", "a",
	    "\nrule heavy-wagon\n  scope wagon\n  action AUDIT\n"
	    "  when declared_mass > 50000\n  reason \"heavy\"\nend\n"), 0);
	CU_ASSERT_EQUAL(ruleset_load(dir, &l, &cause), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "does not prove every rule"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "rule heavy-wagon: no test "
	    "train shows it firing"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "rule heavy-wagon: no test "
	    "train shows it not firing"));
	free(cause);
	/* Shown firing only: still refused, for the other half. */
	CU_ASSERT_EQUAL_FATAL(put_file(dir, "tests/heavy.test", "w",
	    "manifest alashankou.edi\nhit heavy-wagon 315279550018\n"), 0);
	cause = NULL;
	CU_ASSERT_EQUAL(ruleset_load(dir, &l, &cause), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_PTR_NULL(strstr(cause, "shows it firing"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "shows it not firing"));
	free(cause);
	/* Both ways: in force. */
	CU_ASSERT_EQUAL_FATAL(put_file(dir, "tests/heavy.test", "a",
	    "no-hit heavy-wagon 315279550026\n"), 0);
	cause = NULL;
	CU_ASSERT_EQUAL(ruleset_load(dir, &l, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	free(cause);
	ruleset_load_clear(&l);
	ruleset_remove(dir);
}

/*
 * The test trains count in the hash: a changed test changes it, and the
 * stored files (which now hold the tests) compile back to the new hash.
 */
static void
t_ruleset_tests_in_hash(void)
{
	struct ruleset_load	 a, b;
	struct rules_ruleset	*back;
	char			*dir = ruleset_copy(), *cause = NULL;
	char			 path[300];
	FILE			*f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_EQUAL_FATAL(ruleset_load(dir, &a, &cause), 0);
	snprintf(path, sizeof path, "%s/tests/release.test", dir);
	f = fopen(path, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("# reviewed by the rules officer\n", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(ruleset_load(dir, &b, &cause), 0);
	CU_ASSERT_STRING_NOT_EQUAL(rules_ruleset_hash(a.rs),
	    rules_ruleset_hash(b.rs));
	back = ruleset_compile_stored(rules_ruleset_name(b.rs), b.files_z,
	    b.files_z_len, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_STRING_EQUAL(rules_ruleset_hash(back),
	    rules_ruleset_hash(b.rs));
	rules_ruleset_unref(back);
	ruleset_load_clear(&a);
	ruleset_load_clear(&b);
	ruleset_remove(dir);
}

static CU_TestInfo ruleset_tests[] = {
	{ "t_ruleset_default_loads_and_packs",
	    t_ruleset_default_loads_and_packs },
	{ "t_ruleset_without_tests_refused", t_ruleset_without_tests_refused },
	{ "t_ruleset_failing_test_refused", t_ruleset_failing_test_refused },
	{ "t_ruleset_compile_error_refused", t_ruleset_compile_error_refused },
	{ "t_ruleset_tests_in_hash", t_ruleset_tests_in_hash },
	{ "t_ruleset_unproven_rule_refused", t_ruleset_unproven_rule_refused },
	{ "t_ruleset_edition_1_refused", t_ruleset_edition_1_refused },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("ruleset", NULL, NULL, ruleset_tests)
