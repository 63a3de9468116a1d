/*
 * driver.c -- the test driver of both tiers: runs every CUnit suite
 * linked into its binary (build/tests/unit: tests/unit/, no PostgreSQL,
 * no daemon; build/tests/system: tests/system/, the harness).
 *
 *   unit [SUITE...]     run the named suites only (default: all)
 *   system [SUITE...]
 *
 * Exits with the number of failures (capped at 255), so `make check`
 * fails when any assertion does.  Must run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "manifest/util.h"

#include "unit.h"

static struct test_suite *suites;
unsigned test_outside_failures;

/* Keeps suites sorted by name so the run order is stable. */
void
test_suite_register(struct test_suite *s)
{
	struct test_suite	**p;

	for (p = &suites; *p != NULL && strcmp((*p)->name, s->name) < 0;
	    p = &(*p)->next)
		;
	s->next = *p;
	*p = s;
}

const char *
test_build_dir(void)
{
	const char	*b = getenv("RAILGATE_BUILD");

	return b != NULL && *b != '\0' ? b : "build";
}

const char *
test_fixture(const char *rel)
{
	static __thread char	path[1024];

	snprintf(path, sizeof path, "fixtures/%s", rel);
	return path;
}

char *
test_read_fixture(const char *rel, size_t *len)
{
	char	*data = NULL;
	size_t	 n = 0;

	if (file_read_all(test_fixture(rel), &data, &n) < 0) {
		fprintf(stderr, "fixture %s: cannot read\n", rel);
		CU_FAIL_FATAL("fixture missing");
	}
	if (len != NULL)
		*len = n;
	return data;
}

/* True when name is among the requested suites (or none were named). */
static int
wanted(const char *name, int argc, char **argv)
{
	int	i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Names no suite of this binary: a suite of the other tier, or a typo.
 * Counted as a failure, so that a run asking for a suite never passes
 * by running nothing.
 */
static unsigned
unknown_suites(int argc, char **argv)
{
	struct test_suite	*s;
	unsigned		 n = 0;
	int			 i;

	for (i = 1; i < argc; i++) {
		for (s = suites; s != NULL; s = s->next)
			if (strcmp(s->name, argv[i]) == 0)
				break;
		if (s == NULL) {
			fprintf(stderr, "%s: no suite %s in this binary "
			    "(build/tests/unit holds tests/unit/, "
			    "build/tests/system tests/system/)\n", argv[0],
			    argv[i]);
			n++;
		}
	}
	return n;
}

/*
 * The failures again, after the summary: CUnit prints each one when its
 * test ends, and in a long run that line is far above the tail a CI log
 * keeps.
 */
static void
failure_recap(void)
{
	CU_pFailureRecord	 f;

	f = CU_get_failure_list();
	if (f == NULL)
		return;
	printf("\nFailures:\n");
	for (; f != NULL; f = f->pNext)
		printf("  %s / %s: %s:%u: %s\n",
		    f->pSuite != NULL ? f->pSuite->pName : "?",
		    f->pTest != NULL ? f->pTest->pName : "(suite set-up)",
		    f->strFileName != NULL ? f->strFileName : "?",
		    f->uiLineNumber,
		    f->strCondition != NULL ? f->strCondition : "");
}

int
main(int argc, char **argv)
{
	struct test_suite	*s;
	unsigned		 failures, unknown;

	if ((unknown = unknown_suites(argc, argv)) > 0)
		return unknown > 255 ? 255 : (int)unknown;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 255;
	for (s = suites; s != NULL; s = s->next) {
		CU_pSuite	 suite;
		CU_TestInfo	*t;

		if (!wanted(s->name, argc, argv))
			continue;
		suite = CU_add_suite(s->name, s->init, s->cleanup);
		if (suite == NULL)
			return 255;
		for (t = s->tests; t->pName != NULL; t++)
			if (CU_add_test(suite, t->pName, t->pTestFunc) == NULL)
				return 255;
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	failure_recap();
	failures = CU_get_number_of_failures() +
	    CU_get_number_of_suites_failed() + test_outside_failures;
	if (test_outside_failures > 0)
		printf("\n%u failure(s) outside the tests (daemon "
		    "sanitizer reports): see above\n",
		    test_outside_failures);
	CU_cleanup_registry();
	return failures > 255 ? 255 : (int)failures;
}
