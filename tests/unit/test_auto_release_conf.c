/*
 * test_auto_release_conf.c -- [decision] auto_release and
 * auto_release_delay_s (daemon/config.c; issue 18, item 4): off by
 * default, green or off only, the delay bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"

#include "unit.h"

/* config_load of text over the defaults; *cause as it said. */
static int
load(struct config *cfg, const char *text, char **cause)
{
	char	 path[] = "/tmp/railgate-autorel-XXXXXX", *warnings = NULL;
	FILE	*f;
	int	 fd, rc;

	config_defaults(cfg);
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
	*cause = NULL;
	rc = config_load(cfg, path, &warnings, cause);
	free(warnings);
	unlink(path);
	return rc;
}

static void
t_auto_release_off_by_default(void)
{
	struct config	cfg;

	config_defaults(&cfg);
	CU_ASSERT_STRING_EQUAL(cfg.auto_release, "off");
	CU_ASSERT_EQUAL(cfg.auto_release_delay_s, 120);
	config_free(&cfg);
}

static void
t_auto_release_values(void)
{
	struct config	 cfg;
	char		*cause;

	CU_ASSERT_EQUAL(load(&cfg, "[decision]\nauto_release = green\n"
	    "auto_release_delay_s = 30\n", &cause), 0);
	CU_ASSERT_STRING_EQUAL(cfg.auto_release, "green");
	CU_ASSERT_EQUAL(cfg.auto_release_delay_s, 30);
	config_free(&cfg);
	/* Anything but off or green is refused, naming the parameter. */
	CU_ASSERT_EQUAL(load(&cfg, "[decision]\nauto_release = yes\n", &cause),
	    -1);
	CU_ASSERT(cause != NULL && strstr(cause, "decision.auto_release must "
	    "be off or green, not \"yes\"") != NULL);
	free(cause);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load(&cfg, "[decision]\nauto_release_delay_s = -1\n",
	    &cause), -1);
	CU_ASSERT(cause != NULL && strstr(cause, "auto_release_delay_s") !=
	    NULL);
	free(cause);
	config_free(&cfg);
}

static CU_TestInfo auto_release_conf_tests[] = {
	{ "t_auto_release_off_by_default", t_auto_release_off_by_default },
	{ "t_auto_release_values", t_auto_release_values },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("auto_release_conf", NULL, NULL, auto_release_conf_tests)
