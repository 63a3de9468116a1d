/*
 * test_config.c -- daemon/config.c, the daemon's configuration (config.h):
 * every parameter at its default, a file read over the defaults (comments,
 * quotes, the spellings of yes and no), each error naming file:line and
 * what is wrong, which changes need a restart rather than a SIGHUP, and
 * the parameter list of railgate.conf(5).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"

#include "unit.h"

/* Writes text to a new temporary file; its path in path (unlink it). */
static void
write_conf(char path[32], const char *text)
{
	FILE	*f;
	int	 fd;

	snprintf(path, 32, "/tmp/railgate-conf-XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* Loads text over the defaults: config_load's result, *cause as it said. */
static int
load_text(struct config *cfg, const char *text, char path[32], char **cause)
{
	char	*warnings = NULL;
	int	 rc;

	config_defaults(cfg);
	write_conf(path, text);
	*cause = NULL;
	rc = config_load(cfg, path, &warnings, cause);
	/* Current names only here: old ones are test_config_names.c's. */
	CU_ASSERT_PTR_NULL(warnings);
	free(warnings);
	unlink(path);
	return rc;
}

/* Every parameter at its documented default. */
static void
t_config_defaults(void)
{
	struct config	cfg;

	config_defaults(&cfg);
	CU_ASSERT_STRING_EQUAL(cfg.listen, "127.0.0.1:8080");
	CU_ASSERT_STRING_EQUAL(cfg.log_level, "info");
	CU_ASSERT_STRING_EQUAL(cfg.state_dir, "var");
	CU_ASSERT_STRING_EQUAL(cfg.dsn, "");
	CU_ASSERT_STRING_EQUAL(cfg.rules_dir, "etc/rules/default");
	CU_ASSERT_STRING_EQUAL(cfg.peer_name, "");
	CU_ASSERT_EQUAL(cfg.connections, 4);
	CU_ASSERT_EQUAL(cfg.parse_threads, 0);
	CU_ASSERT_EQUAL(cfg.notice_max_attempts, 20);
	CU_ASSERT_EQUAL(cfg.spool_max_attempts, 60);
	CU_ASSERT_EQUAL(cfg.max_body_mb, 256);
	CU_ASSERT_EQUAL(cfg.request_timeout_s, 30);
	CU_ASSERT_FALSE(cfg.notice_allow_private);
	config_free(&cfg);
	CU_ASSERT_PTR_NULL(cfg.listen);
	/* A zeroed struct is freed without harm. */
	memset(&cfg, 0, sizeof cfg);
	config_free(&cfg);
}

/* A file overrides what it names; the rest keeps its default. */
static void
t_config_file_over_defaults(void)
{
	struct config	 cfg;
	char		 path[32], *cause;

	CU_ASSERT_EQUAL(load_text(&cfg,
	    "# a comment\n"
	    "; another\n"
	    "\n"
	    "[daemon]\n"
	    "  listen   =   0.0.0.0:9090  \n"
	    "log_level = \"debug\"\n"
	    "[ database ]\n"
	    "dsn = \"host=/tmp dbname=railgate\"\n"
	    "connections = 64\n"
	    "[notices]\n"
	    "allow_private_endpoints = YES\n"
	    "max_attempts = 1\n"
	    "[http]\n"
	    "max_body_mb = 4096\n", path, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_STRING_EQUAL(cfg.listen, "0.0.0.0:9090");
	CU_ASSERT_STRING_EQUAL(cfg.log_level, "debug");
	CU_ASSERT_STRING_EQUAL(cfg.dsn, "host=/tmp dbname=railgate");
	CU_ASSERT_EQUAL(cfg.connections, 64);
	CU_ASSERT_TRUE(cfg.notice_allow_private);
	CU_ASSERT_EQUAL(cfg.notice_max_attempts, 1);
	CU_ASSERT_EQUAL(cfg.max_body_mb, 4096);
	/* Not named: defaults. */
	CU_ASSERT_STRING_EQUAL(cfg.state_dir, "var");
	CU_ASSERT_EQUAL(cfg.request_timeout_s, 30);
	config_free(&cfg);
}

/* yes/no, true/false, on/off, 1/0 in any case; nothing else. */
static void
t_config_booleans(void)
{
	static const char *const yes[] = { "yes", "True", "ON", "1" };
	static const char *const no[] = { "no", "FALSE", "off", "0" };
	struct config	 cfg;
	char		 text[128], path[32], *cause;
	size_t		 i;

	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof text, "[notices]\n"
		    "allow_private_endpoints = %s\n", yes[i]);
		CU_ASSERT_EQUAL(load_text(&cfg, text, path, &cause), 0);
		CU_ASSERT_TRUE(cfg.notice_allow_private);
		config_free(&cfg);
		snprintf(text, sizeof text, "[notices]\n"
		    "allow_private_endpoints = %s\n", no[i]);
		CU_ASSERT_EQUAL(load_text(&cfg, text, path, &cause), 0);
		CU_ASSERT_FALSE(cfg.notice_allow_private);
		config_free(&cfg);
	}
}

/* Loads text and asserts the error "PATH:want" (want holds the line). */
static void
check_error(const char *text, const char *want)
{
	struct config	 cfg;
	char		 path[32], expect[256], *cause;

	CU_ASSERT_EQUAL(load_text(&cfg, text, path, &cause), -1);
	snprintf(expect, sizeof expect, "%s:%s", path, want);
	if (cause == NULL || strcmp(cause, expect) != 0) {
		fprintf(stderr, "\nconfig error: want \"%s\", got \"%s\"\n",
		    expect, cause != NULL ? cause : "(none)");
		CU_FAIL("the error names file:line and what is wrong");
	}
	free(cause);
	config_free(&cfg);
}

/* Every error names the file, the line and what is wrong. */
static void
t_config_errors_name_line(void)
{
	struct config	 cfg;
	char		*cause = NULL;
	char		*warnings = NULL;

	check_error("[daemon]\nlisten = x:1\n[nope]\n",
	    "3: unknown section [nope]");
	check_error("[daemon]\n\n# c\nlistn = x:1\n",
	    "4: unknown parameter listn in section [daemon]");
	check_error("listen = x:1\n", "1: parameter listen outside any section");
	check_error("[database]\nconnections = 0\n",
	    "2: database.connections must be an integer from 1 to 64, not \"0\"");
	check_error("[database]\nconnections = 65\n",
	    "2: database.connections must be an integer from 1 to 64, not \"65\"");
	check_error("[database]\nconnections = 4x\n",
	    "2: database.connections must be an integer from 1 to 64, not \"4x\"");
	check_error("[daemon]\nparse_threads = 2\n",
	    "2: daemon.parse_threads must be an integer from 0 to 1, not \"2\"");
	check_error("[notices]\nallow_private_endpoints = maybe\n",
	    "2: notices.allow_private_endpoints must be yes or no, not \"maybe\"");
	check_error("[daemon]\nlisten\n", "2: expected \"name = value\"");
	check_error("[daemon\n", "1: malformed section header");
	/* A file that is not there: its name and why. */
	config_defaults(&cfg);
	CU_ASSERT_EQUAL(config_load(&cfg, "/nonexistent/railgate.conf",
	    &warnings, &cause), -1);
	CU_ASSERT_PTR_NULL(warnings);
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ? strstr(cause,
	    "/nonexistent/railgate.conf: ") : NULL);
	free(cause);
	config_free(&cfg);
}

/* A SIGHUP may change what is reloadable; anything else needs a restart. */
static void
t_config_reload_rules(void)
{
	struct config	 a, b;
	const char	*which = NULL;

	config_defaults(&a);
	config_defaults(&b);
	CU_ASSERT_FALSE(config_needs_restart(&a, &b, &which));
	/* Reloadable: the log level, the rules, the notices' retries. */
	free(b.log_level);
	b.log_level = strdup("debug");
	free(b.rules_dir);
	b.rules_dir = strdup("etc/rules/other");
	b.notice_max_attempts = 3;
	b.notice_allow_private = true;
	CU_ASSERT_FALSE(config_needs_restart(&a, &b, &which));
	/* Not reloadable: each named. */
	free(b.listen);
	b.listen = strdup("127.0.0.1:9999");
	CU_ASSERT_TRUE(config_needs_restart(&a, &b, &which));
	CU_ASSERT_STRING_EQUAL(which, "listen");
	free(b.listen);
	b.listen = strdup(a.listen);
	b.max_body_mb = 1;
	CU_ASSERT_TRUE(config_needs_restart(&a, &b, &which));
	CU_ASSERT_STRING_EQUAL(which, "max_body_mb");
	b.max_body_mb = a.max_body_mb;
	b.connections = 8;
	CU_ASSERT_TRUE(config_needs_restart(&a, &b, &which));
	CU_ASSERT_STRING_EQUAL(which, "connections");
	config_free(&a);
	config_free(&b);
}

/* The manual's list: each parameter with its kind and default. */
static void
t_config_print_parameters(void)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&text, &len);

	CU_ASSERT_FATAL(f != NULL);
	config_print_parameters(f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, ".Ss [daemon]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, ".It Cm listen Ns = Ns Ar string\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, ".It Cm connections Ns = Ns Ar "
	    "number\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, ".It Cm allow_private_endpoints "
	    "Ns = Ns Ar yes | no\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "Default:\n.Dq 127.0.0.1:8080 .\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "Changed only by a restart.\n"));
	free(text);
}

static CU_TestInfo config_tests[] = {
	{ "t_config_defaults", t_config_defaults },
	{ "t_config_file_over_defaults", t_config_file_over_defaults },
	{ "t_config_booleans", t_config_booleans },
	{ "t_config_errors_name_line", t_config_errors_name_line },
	{ "t_config_reload_rules", t_config_reload_rules },
	{ "t_config_print_parameters", t_config_print_parameters },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("config", NULL, NULL, config_tests)
