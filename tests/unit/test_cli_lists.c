/*
 * test_cli_lists.c -- `railgate lists import` as a user runs it: the list
 * on standard output or written atomically with -o, refusals as
 * FILE:LINE: message, and sysexits(3) statuses.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/util.h"

#include "unit.h"

/* Runs `railgate ARGS` through the shell (args may redirect); its exit status, its standard output in *out when not NULL (caller frees). */
static int
run(const char *args, char **out)
{
	char	 cmd[2048];
	FILE	*p;
	struct buf b = { 0 };
	char	 chunk[4096];
	size_t	 n;
	int	 st;

	snprintf(cmd, sizeof(cmd), "%s/railgate %s", test_build_dir(), args);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(&b, chunk, n);
	st = pclose(p);
	buf_add_char(&b, '\0');
	if (out != NULL)
		*out = b.data;
	else
		buf_free(&b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Standard output is the fixture's expected list, byte for byte. */
static void
t_cli_lists_stdout(void)
{
	char	*out = NULL, *want;
	size_t	 len;

	CU_ASSERT_EQUAL(run("lists import fixtures/screening/un/un-small.xml "
	    "2>/dev/null", &out), 0);
	want = test_read_fixture("screening/un/un-small.txt", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(strlen(out), len);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(out);
	free(want);
}

/* -o writes the same bytes to OUT, leaves no temporary file, says the counts. */
static void
t_cli_lists_output_file(void)
{
	char		 dir[] = "/tmp/railgate-lists-XXXXXX", args[512];
	char		 path[300], *out = NULL, *got = NULL, *want;
	size_t		 len, glen;
	struct stat	 st;
	DIR		*d;
	struct dirent	*e;
	int		 files = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/un.txt", dir);
	/* An older list is replaced whole. */
	snprintf(args, sizeof(args), "sh -c 'echo old > %s'", path);
	CU_ASSERT_EQUAL(system(args), 0);
	snprintf(args, sizeof(args), "lists import -o %s "
	    "fixtures/screening/un/un-small.xml", path);
	CU_ASSERT_EQUAL(run(args, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "5 entries (2 individuals, 3 "
	    "entities read)"));
	want = test_read_fixture("screening/un/un-small.txt", &len);
	CU_ASSERT_EQUAL_FATAL(file_read_all(path, &got, &glen), 0);
	CU_ASSERT(glen == len && memcmp(got, want, len) == 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d = opendir(dir));
	while ((e = readdir(d)) != NULL)
		files += e->d_name[0] != '.';
	closedir(d);
	CU_ASSERT_EQUAL(files, 1);
	/* A refused document leaves OUT as it was. */
	snprintf(args, sizeof(args), "lists import "
	    "fixtures/screening/un/broken/truncated.xml -o %s 2>/dev/null",
	    path);
	CU_ASSERT_EQUAL(run(args, NULL), 65);
	free(got);
	CU_ASSERT_EQUAL_FATAL(file_read_all(path, &got, &glen), 0);
	CU_ASSERT(glen == len && memcmp(got, want, len) == 0);
	remove(path);
	rmdir(dir);
	free(out);
	free(got);
	free(want);
}

/* Refusals name the file and line; statuses as sysexits(3). */
static void
t_cli_lists_errors(void)
{
	char	*out = NULL;

	CU_ASSERT_EQUAL(run("lists import "
	    "fixtures/screening/un/broken/wrong-root.xml 2>&1 >/dev/null",
	    &out), 65);
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
	    "fixtures/screening/un/broken/wrong-root.xml:4: the root element "
	    "is <sdnList>"));
	free(out);
	CU_ASSERT_EQUAL(run("lists import "
	    "fixtures/screening/un/broken/doctype-entity.xml 2>&1 >/dev/null",
	    &out), 65);
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
	    "fixtures/screening/un/broken/doctype-entity.xml:3: a DOCTYPE"));
	free(out);
	CU_ASSERT_EQUAL(run("lists import /nonexistent/un.xml 2>/dev/null",
	    NULL), 66);
	CU_ASSERT_EQUAL(run("lists 2>/dev/null", NULL), 64);
	CU_ASSERT_EQUAL(run("lists export x.xml 2>/dev/null", NULL), 64);
	CU_ASSERT_EQUAL(run("lists import 2>/dev/null", NULL), 64);
	CU_ASSERT_EQUAL(run("lists import a.xml b.xml 2>/dev/null", NULL), 64);
	CU_ASSERT_EQUAL(run("lists import -o /nonexistent/dir/un.txt "
	    "fixtures/screening/un/un-small.xml 2>/dev/null", NULL), 73);
	CU_ASSERT_EQUAL(run("lists --help >/dev/null", NULL), 0);
}

static CU_TestInfo cli_lists_tests[] = {
	{ "t_cli_lists_stdout", t_cli_lists_stdout },
	{ "t_cli_lists_output_file", t_cli_lists_output_file },
	{ "t_cli_lists_errors", t_cli_lists_errors },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("cli_lists", NULL, NULL, cli_lists_tests)
