/*
 * test_config_clearance.c -- the clearance clock's parameters (issue 18):
 * thresholds of time left replace warn_percent, which an installed
 * railgate.conf may still hold (read as amber_left_s, with a warning
 * naming file and line, unless amber_left_s is set too); red_left_s above
 * amber_left_s is refused; the arrival bounds default to an hour back and
 * two minutes ahead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"

#include "unit.h"

/* Loads text as a railgate.conf over the defaults; 0 or -1 (*cause set). */
static int
load(const char *text, struct config *cfg, char **warnings, char **cause)
{
	char	 path[] = "/tmp/railgate-conf-XXXXXX";
	FILE	*f;
	int	 fd, rc;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
	config_defaults(cfg);
	*cause = NULL;
	rc = config_load(cfg, path, warnings, cause);
	unlink(path);
	return rc;
}

static void
t_clearance_defaults(void)
{
	struct config	cfg;
	char		*w, *cause;

	CU_ASSERT_EQUAL_FATAL(load("[clearance]\ntarget_minutes = 20\n", &cfg,
	    &w, &cause), 0);
	CU_ASSERT_EQUAL(cfg.amber_left_s, 600);
	CU_ASSERT_EQUAL(cfg.red_left_s, 300);
	CU_ASSERT_EQUAL(cfg.arrival_past_max_s, 3600);
	CU_ASSERT_EQUAL(cfg.arrival_future_max_s, 120);
	CU_ASSERT_PTR_NULL(w);
	config_free(&cfg);
}

/* warn_percent = 75 of 20 minutes: amber with 5 minutes left, warned. */
static void
t_clearance_warn_percent_read(void)
{
	struct config	cfg;
	char		*w, *cause;

	CU_ASSERT_EQUAL_FATAL(load("[clearance]\ntarget_minutes = 20\n"
	    "warn_percent = 75\nred_left_s = 120\n", &cfg, &w, &cause), 0);
	CU_ASSERT_EQUAL(cfg.amber_left_s, 300);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL(strstr(w, ":3: [clearance] warn_percent is "
	    "obsolete: read as amber_left_s"));
	free(w);
	config_free(&cfg);
}

/* warn_percent = 90: amber with 2 minutes left, red no earlier. */
static void
t_clearance_warn_percent_late(void)
{
	struct config	cfg;
	char		*w, *cause;

	CU_ASSERT_EQUAL_FATAL(load("[clearance]\nwarn_percent = 90\n", &cfg,
	    &w, &cause), 0);
	CU_ASSERT_EQUAL(cfg.amber_left_s, 120);
	CU_ASSERT_EQUAL(cfg.red_left_s, 120);
	free(w);
	config_free(&cfg);
}

/* With amber_left_s set too, warn_percent is ignored (and said so). */
static void
t_clearance_warn_percent_ignored(void)
{
	struct config	cfg;
	char		*w, *cause;

	CU_ASSERT_EQUAL_FATAL(load("[clearance]\nwarn_percent = 50\n"
	    "amber_left_s = 420\n", &cfg, &w, &cause), 0);
	CU_ASSERT_EQUAL(cfg.amber_left_s, 420);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL(strstr(w, "ignored, amber_left_s is set"));
	free(w);
	config_free(&cfg);
}

/* Red before amber, a bound out of range: refused, saying which. */
static void
t_clearance_refused(void)
{
	struct config	cfg;
	char		*w, *cause;

	CU_ASSERT_EQUAL(load("[clearance]\namber_left_s = 200\n"
	    "red_left_s = 300\n", &cfg, &w, &cause), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "red_left_s (300) must be at "
	    "most amber_left_s (200)"));
	free(cause);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load("[clearance]\narrival_past_max_s = -1\n", &cfg,
	    &w, &cause), -1);
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ? strstr(cause,
	    "arrival_past_max_s") : NULL);
	free(cause);
	config_free(&cfg);
}

static CU_TestInfo config_clearance_tests[] = {
	{ "t_clearance_defaults", t_clearance_defaults },
	{ "t_clearance_warn_percent_read", t_clearance_warn_percent_read },
	{ "t_clearance_warn_percent_late", t_clearance_warn_percent_late },
	{ "t_clearance_warn_percent_ignored", t_clearance_warn_percent_ignored },
	{ "t_clearance_refused", t_clearance_refused },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("config_clearance", NULL, NULL, config_clearance_tests)
