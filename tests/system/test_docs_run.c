/*
 * test_docs_run.c -- the runner of documentation examples (docs_run.c):
 * it runs every ```sh block with the page's environment, stops at the
 * first failing one and names it, and refuses a page with no example.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "unit.h"

/* Writes text to a new temporary page; its path into path. */
static void
write_page(char *path, const char *text)
{
	int	fd;

	strcpy(path, "/tmp/railgate-docs-page-XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

/* Every block runs, in order, with the environment given. */
static void
t_docs_run_passes(void)
{
	static const char *const env[] = { "GREETING=hello", NULL };
	char	 path[64], *failure = NULL, out[80];
	FILE	*f;

	snprintf(out, sizeof out, "/tmp/railgate-docs-out-%d", (int)getpid());
	unlink(out);
	{
		char	page[600];

		snprintf(page, sizeof page, "# A page\n\nText.\n\n```sh\n"
		    "echo \"$GREETING\" > %s\n```\n\nMore text.\n\n```json\n"
		    "{\"not\": \"run\"}\n```\n\n```sh\ngrep -q hello %s\n"
		    "echo two >> %s\n```\n", out, out, out);
		write_page(path, page);
	}
	CU_ASSERT_EQUAL(harness_docs_run(path, env, &failure), 0);
	CU_ASSERT_PTR_NULL(failure);
	f = fopen(out, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	{
		char	line[64];

		CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
		CU_ASSERT_STRING_EQUAL(line, "hello\n");
		CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
		CU_ASSERT_STRING_EQUAL(line, "two\n");
	}
	fclose(f);
	unlink(out);
	unlink(path);
}

/* A failing block stops the run and is named, with its line and output. */
static void
t_docs_run_names_failure(void)
{
	char	path[64], *failure = NULL;

	write_page(path, "# Page\n\n```sh\ntrue\n```\n\n```sh\n"
	    "echo 'expected 404, got 200'\ntest 200 = 404\n```\n\n```sh\n"
	    "echo never\n```\n");
	CU_ASSERT_EQUAL(harness_docs_run(path, NULL, &failure), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(failure);
	CU_ASSERT_PTR_NOT_NULL(strstr(failure, ":7: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(failure, "expected 404, got 200"));
	CU_ASSERT_PTR_NULL(strstr(failure, "never"));
	free(failure);
	unlink(path);
	/* An unset variable is an error too (sh -u). */
	write_page(path, "```sh\necho \"$RAILGATE_NO_SUCH_VARIABLE\"\n```\n");
	CU_ASSERT_EQUAL(harness_docs_run(path, NULL, &failure), -1);
	free(failure);
	unlink(path);
}

/* A page without examples is refused: nothing was checked. */
static void
t_docs_run_needs_examples(void)
{
	char	path[64], *failure = NULL;

	write_page(path, "# Page\n\n```\nnot sh\n```\n");
	CU_ASSERT_EQUAL(harness_docs_run(path, NULL, &failure), -1);
	CU_ASSERT_PTR_NOT_NULL(failure);
	free(failure);
	unlink(path);
	CU_ASSERT_EQUAL(harness_docs_run("/nonexistent/page.md", NULL,
	    &failure), -1);
	free(failure);
}

static CU_TestInfo docs_run_tests[] = {
	{ "every sh block runs with the page's environment", t_docs_run_passes },
	{ "a failing example is named with its output", t_docs_run_names_failure },
	{ "a page without examples is refused", t_docs_run_needs_examples },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("docs_run", NULL, NULL, docs_run_tests)
