/*
 * unit.h -- how a test file registers its CUnit suites, in either tier.
 *
 * Each tests/unit/test_<module>.c (no PostgreSQL, no daemon) and
 * tests/system/test_<name>.c (the harness: a private PostgreSQL cluster
 * and the real daemon) holds a CU_TestInfo[] table and one TEST_SUITE()
 * line; the driver (tests/driver.c), linked into each tier's binary,
 * collects every suite at start-up, so adding a test file to either
 * directory needs no edit anywhere else.  Test names are
 * t_<module>_<behaviour>.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <CUnit/CUnit.h>

struct test_suite {
	const char		*name;
	CU_InitializeFunc	 init;
	CU_CleanupFunc		 cleanup;
	CU_TestInfo		*tests;
	struct test_suite	*next;
};

/* Called by TEST_SUITE's constructor; not for direct use. */
void test_suite_register(struct test_suite *s);

/* Registers a suite named name running tests (a NULL-terminated CU_TestInfo[]). */
#define TEST_SUITE(name, init, cleanup, tests)				\
	static struct test_suite test_suite_##tests = {			\
	    name, init, cleanup, tests, NULL };				\
	__attribute__((constructor)) static void			\
	test_suite_ctor_##tests(void)					\
	{								\
		test_suite_register(&test_suite_##tests);		\
	}

/*
 * Failures found outside any test (the harness counts the sanitizer
 * reports in a daemon's log when it stops); the driver adds them to its
 * exit status.
 */
extern unsigned test_outside_failures;

/* Path of a fixture file: "fixtures/" + rel, from the repository root. */
const char *test_fixture(const char *rel);
/* Reads a fixture whole (NUL-terminated, caller frees); fails the test if absent. */
char *test_read_fixture(const char *rel, size_t *len);
/* The build directory holding the programs (RAILGATE_BUILD, default "build"). */
const char *test_build_dir(void);

#endif
