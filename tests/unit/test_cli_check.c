/*
 * test_cli_check.c -- `railgate check` and `railgate rules` as a user runs
 * them: exit statuses of decision.md, the JSON document's exact keys, and
 * the default rule set's own tests.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "unit.h"

/* Runs the railgate program with args (a shell fragment); its exit status.
 * When out is not NULL, stdout is captured there (caller frees). */
static int
run_railgate(const char *args, char **out)
{
	char	 cmd[2048];
	FILE	*p;
	size_t	 len = 0, cap = 0, n;
	char	*buf = NULL;
	int	 st;

	snprintf(cmd, sizeof cmd, "%s/railgate %s 2>/dev/null",
	    test_build_dir(), args);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		if ((n = fread(buf + len, 1, cap - len - 1, p)) == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	st = pclose(p);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
t_cli_check_exit_status_is_the_decision(void)
{
	static const struct {
		const char	*file;
		int		 status;
	} cases[] = {
		{ "release.xml", 0 },		/* RELEASE */
		{ "alashankou.edi", 1 },	/* PARTIAL_RELEASE */
		{ "sanctions.edi", 2 },		/* HOLD */
		{ "cancel.edi", 2 },		/* HOLD: cancelled manifest */
	};
	char	args[512];
	size_t	i;

	for (i = 0; i < nitems(cases); i++) {
		snprintf(args, sizeof args,
		    "check --rules etc/rules/default etc/rules/default/tests/%s",
		    cases[i].file);
		CU_ASSERT_EQUAL(run_railgate(args, NULL), cases[i].status);
	}
	/* Several files: the worst decision. */
	CU_ASSERT_EQUAL(run_railgate("check etc/rules/default/tests/release.xml "
	    "etc/rules/default/tests/alashankou.edi", NULL), 1);
}

static void
t_cli_check_exit_status_on_errors(void)
{
	char	 dir[] = "/tmp/railgate-check-XXXXXX", args[512], path[300];
	FILE	*f;

	CU_ASSERT_EQUAL(run_railgate("check --format yaml "
	    "etc/rules/default/tests/release.xml", NULL), 64);
	CU_ASSERT_EQUAL(run_railgate("check", NULL), 64);
	CU_ASSERT_EQUAL(run_railgate("check /nonexistent/train.edi", NULL), 66);
	CU_ASSERT_EQUAL(run_railgate("check etc/rules/default/main.rules", NULL),
	    65);

	/* A rule set that does not compile: 78. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/main.rules", dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
	fputs("ruleset \"broken\"\nrule x\n  scope wagon\n  action MAYBE\nend\n",
	    f);
	fclose(f);
	snprintf(args, sizeof args,
	    "check --rules %s etc/rules/default/tests/release.xml", dir);
	CU_ASSERT_EQUAL(run_railgate(args, NULL), 78);
	snprintf(args, sizeof args, "rules lint %s", dir);
	CU_ASSERT_NOT_EQUAL(run_railgate(args, NULL), 0);
	remove(path);
	rmdir(dir);
}

/* The JSON form is the document of decision.md: its keys, in its order. */
static void
t_cli_check_json_is_the_spec_document(void)
{
	static const char *keys[] = { "train", "manifest_sha256", "ruleset",
	    "decision", "final", "counts", "set_out", "wagons", "train_hits",
	    "diagnostics", "timing" };
	char		*out = NULL;
	json_t		*doc, *counts, *set_out;
	json_error_t	 err;
	const char	*k;
	json_t		*v;
	size_t		 i = 0;
	json_int_t	 sum;

	CU_ASSERT_EQUAL(run_railgate("check --format json "
	    "etc/rules/default/tests/alashankou.edi", &out), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	doc = json_loads(out, JSON_PRESERVE_ORDER, &err);
	free(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	json_object_foreach(doc, k, v) {
		CU_ASSERT_FATAL(i < nitems(keys));
		CU_ASSERT_STRING_EQUAL(k, keys[i]);
		i++;
	}
	CU_ASSERT_EQUAL(i, nitems(keys));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc,
	    "decision")), "PARTIAL_RELEASE");
	CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(doc,
	    "manifest_sha256"))), 64);
	counts = json_object_get(doc, "counts");
	sum = json_integer_value(json_object_get(counts, "released")) +
	    json_integer_value(json_object_get(counts, "audit")) +
	    json_integer_value(json_object_get(counts, "doc_check")) +
	    json_integer_value(json_object_get(counts, "set_out"));
	CU_ASSERT_EQUAL(sum, json_integer_value(json_object_get(counts,
	    "wagons")));
	CU_ASSERT_EQUAL((json_int_t)json_array_size(json_object_get(doc,
	    "wagons")), json_integer_value(json_object_get(counts, "wagons")));
	set_out = json_object_get(doc, "set_out");
	CU_ASSERT_EQUAL((json_int_t)json_array_size(set_out),
	    json_integer_value(json_object_get(counts, "set_out")));
	json_decref(doc);
}

/* Two runs give the same document apart from timing. */
static void
t_cli_check_deterministic_apart_from_timing(void)
{
	char	*a = NULL, *b = NULL, *ta, *tb;

	run_railgate("check --threads 1 etc/rules/default/tests/horgos.edi", &a);
	run_railgate("check --threads 4 etc/rules/default/tests/horgos.edi", &b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	ta = strstr(a, "\"timing\"");
	tb = strstr(b, "\"timing\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
	CU_ASSERT_EQUAL(ta - a, tb - b);
	CU_ASSERT_EQUAL(memcmp(a, b, (size_t)(ta - a)), 0);
	free(a);
	free(b);
}

static void
t_cli_rules_default_set_passes_its_tests(void)
{
	char	*out = NULL;

	CU_ASSERT_EQUAL(run_railgate("rules lint etc/rules/default", &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "default "));
	free(out);
	CU_ASSERT_EQUAL(run_railgate("rules test etc/rules/default", &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " 0 failed"));
	free(out);
}

static CU_TestInfo cli_check_tests[] = {
	{ "t_cli_check_exit_status_is_the_decision",
	    t_cli_check_exit_status_is_the_decision },
	{ "t_cli_check_exit_status_on_errors",
	    t_cli_check_exit_status_on_errors },
	{ "t_cli_check_json_is_the_spec_document",
	    t_cli_check_json_is_the_spec_document },
	{ "t_cli_check_deterministic_apart_from_timing",
	    t_cli_check_deterministic_apart_from_timing },
	{ "t_cli_rules_default_set_passes_its_tests",
	    t_cli_rules_default_set_passes_its_tests },
	CU_TEST_INFO_NULL
};

TEST_SUITE("cli_check", NULL, NULL, cli_check_tests)
