/*
 * unit.h -- how a test file registers its CUnit suites.
 *
 * Each tests/test_<module>.c holds a CU_TestInfo[] table and one
 * TEST_SUITE() line; the driver (unit.c) collects every suite at start-up,
 * so adding a test file needs no edit anywhere else.  Test names are
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

/* Path of a fixture file: "fixtures/" + rel, from the repository root. */
const char *test_fixture(const char *rel);
/* Reads a fixture whole (NUL-terminated, caller frees); fails the test if absent. */
char *test_read_fixture(const char *rel, size_t *len);
/* The build directory holding the programs (RAILGATE_BUILD, default "build"). */
const char *test_build_dir(void);

#endif
