/*
 * test_config_names.c -- configuration names with one unit suffix
 * (issue 16, item 7): a parameter renamed from *_seconds to *_s is still
 * read under its old name, to the same value, with a warning naming the
 * file and line, the old name and the new one -- so that no installed
 * railgate.conf breaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"

#include "unit.h"

/* Writes text to a new temporary file; its path in path. */
static void
write_conf(char *path, size_t size, const char *text)
{
	FILE	*f;
	int	 fd;

	snprintf(path, size, "/tmp/railgate-conf-XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* Loads text as a railgate.conf over the defaults; 0 or -1. */
static int
load_conf(const char *text, struct config *cfg, char *path, size_t size,
    char **warnings)
{
	char	*cause = NULL;
	int	 rc;

	write_conf(path, size, text);
	config_defaults(cfg);
	rc = config_load(cfg, path, warnings, &cause);
	if (rc < 0)
		fprintf(stderr, "\n%s\n", cause);
	free(cause);
	return rc;
}

/* True when line n (from 1) of the warnings holds every one of the words. */
static int
warning_has(const char *warnings, int n, const char *w1, const char *w2,
    const char *w3)
{
	const char	*p = warnings, *end;
	char		 line[512];

	while (p != NULL && --n > 0)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	if (p == NULL)
		return 0;
	end = strchr(p, '\n');
	snprintf(line, sizeof line, "%.*s", (int)(end != NULL ? end - p :
	    (long)strlen(p)), p);
	return strstr(line, w1) != NULL && strstr(line, w2) != NULL &&
	    strstr(line, w3) != NULL;
}

static const char old_names[] =
    "[evaluation]\n"
    "lease_seconds = 7\n"
    "[notices]\n"
    "retry_max_seconds = 11\n"
    "[peer]\n"
    "max_skew_seconds = 13\n"
    "retry_max_seconds = 17\n"
    "[spool]\n"
    "# a comment\n"
    "retry_max_seconds = 19\n";

static const char new_names[] =
    "[evaluation]\n"
    "lease_s = 7\n"
    "[notices]\n"
    "retry_max_s = 11\n"
    "[peer]\n"
    "max_skew_s = 13\n"
    "retry_max_s = 17\n"
    "[spool]\n"
    "# a comment\n"
    "retry_max_s = 19\n";

/* The old names load, to the values the new names give. */
static void
t_config_names_old_same_value(void)
{
	struct config	 a, b;
	char		 pa[64], pb[64], *wa = NULL, *wb = NULL;

	CU_ASSERT_EQUAL_FATAL(load_conf(old_names, &a, pa, sizeof pa, &wa), 0);
	CU_ASSERT_EQUAL_FATAL(load_conf(new_names, &b, pb, sizeof pb, &wb), 0);
	CU_ASSERT_EQUAL(a.lease_s, 7);
	CU_ASSERT_EQUAL(a.notice_retry_max_s, 11);
	CU_ASSERT_EQUAL(a.peer_max_skew_s, 13);
	CU_ASSERT_EQUAL(a.peer_retry_max_s, 17);
	CU_ASSERT_EQUAL(a.spool_retry_max_s, 19);
	CU_ASSERT_EQUAL(a.lease_s, b.lease_s);
	CU_ASSERT_EQUAL(a.notice_retry_max_s, b.notice_retry_max_s);
	CU_ASSERT_EQUAL(a.peer_max_skew_s, b.peer_max_skew_s);
	CU_ASSERT_EQUAL(a.peer_retry_max_s, b.peer_retry_max_s);
	CU_ASSERT_EQUAL(a.spool_retry_max_s, b.spool_retry_max_s);
	/* The new names warn of nothing. */
	CU_ASSERT_PTR_NULL(wb);
	free(wa);
	free(wb);
	config_free(&a);
	config_free(&b);
	unlink(pa);
	unlink(pb);
}

/* Each old name warns: file:line, the old name and the new one. */
static void
t_config_names_old_warns(void)
{
	struct config	 cfg;
	char		 path[64], at[96], *w = NULL;

	CU_ASSERT_EQUAL_FATAL(load_conf(old_names, &cfg, path, sizeof path,
	    &w), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	snprintf(at, sizeof at, "%s:2:", path);
	CU_ASSERT(warning_has(w, 1, at, "lease_seconds", "lease_s"));
	snprintf(at, sizeof at, "%s:4:", path);
	CU_ASSERT(warning_has(w, 2, at, "[notices] retry_max_seconds",
	    "retry_max_s"));
	snprintf(at, sizeof at, "%s:6:", path);
	CU_ASSERT(warning_has(w, 3, at, "max_skew_seconds", "max_skew_s"));
	snprintf(at, sizeof at, "%s:7:", path);
	CU_ASSERT(warning_has(w, 4, at, "[peer] retry_max_seconds",
	    "retry_max_s"));
	snprintf(at, sizeof at, "%s:10:", path);
	CU_ASSERT(warning_has(w, 5, at, "[spool] retry_max_seconds",
	    "retry_max_s"));
	CU_ASSERT(!warning_has(w, 6, "", "", ""));
	free(w);
	config_free(&cfg);
	unlink(path);
}

/* An old name is an old name only in its own section. */
static void
t_config_names_old_own_section(void)
{
	struct config	 cfg;
	char		 path[64], *w = NULL;

	CU_ASSERT_EQUAL(load_conf("[http]\nlease_seconds = 7\n", &cfg, path,
	    sizeof path, &w), -1);
	CU_ASSERT_PTR_NULL(w);
	config_free(&cfg);
	unlink(path);
}

static CU_TestInfo config_names_tests[] = {
	{ "t_config_names_old_same_value", t_config_names_old_same_value },
	{ "t_config_names_old_warns", t_config_names_old_warns },
	{ "t_config_names_old_own_section", t_config_names_old_own_section },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("config_names", NULL, NULL, config_names_tests)
