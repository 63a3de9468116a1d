/*
 * test_config_zone.c -- [station] time_zone (issue 18, item 7): an IANA
 * name of the system's time zone database is taken; anything else -- an
 * unknown zone, a path out of the database, a file that is not a zone --
 * stops the start with the file and line named.  Default UTC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"

#include "unit.h"

/* Loads "[station]\ntime_zone = zone\n"; 0, or -1 with *cause. */
static int
load_zone(const char *zone, struct config *cfg, char *path, size_t size,
    char **cause)
{
	char	*warnings = NULL;
	FILE	*f;
	int	 fd, rc;

	snprintf(path, size, "/tmp/railgate-zone-XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "[station]\ntime_zone = %s\n", zone);
	fclose(f);
	config_defaults(cfg);
	*cause = NULL;
	rc = config_load(cfg, path, &warnings, cause);
	free(warnings);
	unlink(path);
	return rc;
}

static void
t_config_zone_default_and_valid(void)
{
	struct config	 cfg;
	char		 path[64], *cause;

	config_defaults(&cfg);
	CU_ASSERT_STRING_EQUAL(cfg.time_zone, "UTC");
	config_free(&cfg);
	if (access("/usr/share/zoneinfo/Asia/Urumqi", R_OK) != 0 &&
	    getenv("TZDIR") == NULL) {
		fprintf(stderr, "\nno time zone database: skipped\n");
		return;
	}
	CU_ASSERT_EQUAL(load_zone("Asia/Urumqi", &cfg, path, sizeof path,
	    &cause), 0);
	CU_ASSERT_STRING_EQUAL(cfg.time_zone, "Asia/Urumqi");
	config_free(&cfg);
	free(cause);
}

/* The error names the file, the line and the value; the zone is not taken. */
static void
t_config_zone_refused(void)
{
	static const char *const bad[] = {
		"Mars/Olympus_Mons", "../../../etc/passwd", "/etc/localtime",
		"Asia", "Asia/Urumqi; rm", "",
	};
	struct config	 cfg;
	char		 path[64], *cause, want[256];
	size_t		 i;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		CU_ASSERT_EQUAL(load_zone(bad[i], &cfg, path, sizeof path,
		    &cause), -1);
		snprintf(want, sizeof want, "%s:2: station.time_zone: \"%s\" is "
		    "not a time zone", path, bad[i]);
		CU_ASSERT_PTR_NOT_NULL(cause);
		if (cause != NULL && strncmp(cause, want, strlen(want)) != 0) {
			fprintf(stderr, "\n%s\n", cause);
			CU_FAIL("error does not name file, line and value");
		}
		CU_ASSERT_STRING_EQUAL(cfg.time_zone, "UTC");
		config_free(&cfg);
		free(cause);
	}
}

static CU_TestInfo config_zone_tests[] = {
	{ "default UTC, an IANA name taken", t_config_zone_default_and_valid },
	{ "anything else refused at file:line", t_config_zone_refused },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("config_zone", NULL, NULL, config_zone_tests)
