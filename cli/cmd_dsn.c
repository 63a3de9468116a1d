/*
 * cmd_dsn.c -- where a command that reads the database finds its DSN
 * (cmd_usage.h, usage_dsn; the order is in docs/man/railgate.1,
 * ENVIRONMENT): what the command line names first, then the
 * environment, then the configuration file the command reads by
 * default.  An explicit -c CONFIG is a command-line choice, and so beats
 * the environment.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "manifest/util.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "daemon/config.h"

/* libpq's variables that name a database or a way to it. */
static const char *const pg_vars[] = { "PGHOST", "PGHOSTADDR", "PGSERVICE",
    "PGDATABASE", "PGUSER", "PGPORT" };

/* True when one of libpq's PG* variables is set. */
static bool
pg_env_set(void)
{
	const char	*v;
	size_t		 i;

	for (i = 0; i < nitems(pg_vars); i++)
		if ((v = getenv(pg_vars[i])) != NULL && *v != '\0')
			return true;
	return false;
}

/* The DSN of configuration file conf; NULL after saying why (*status). */
static char *
conf_dsn(const char *cmd, const char *conf, bool admin, int *status)
{
	struct config	 cfg;
	char		*cause = NULL, *warnings = NULL, *r;

	config_defaults(&cfg);
	if (config_load(&cfg, conf, &warnings, &cause) < 0) {
		cmd_warnx(cmd, "%s", cause);
		free(cause);
		config_free(&cfg);
		*status = EX_CONFIG;
		return NULL;
	}
	if (warnings != NULL)
		cmd_warnx(cmd, "%s", warnings);
	free(warnings);
	r = xstrdup(admin && cfg.admin_dsn[0] != '\0' ? cfg.admin_dsn : cfg.dsn);
	config_free(&cfg);
	if (*r == '\0') {
		free(r);
		*status = usage_error(cmd, conf, "names no database; give --dsn "
		    "DSN or set RAILGATE_DSN");
		return NULL;
	}
	return r;
}

/* The first DSN found, in the order above; NULL after a usage error. */
char *
usage_dsn(const char *cmd, const char *dsn_opt, const char *conf,
    bool given_conf, bool admin, int *status)
{
	const char	*env = getenv("RAILGATE_DSN");

	*status = 0;
	if (dsn_opt != NULL)
		return xstrdup(dsn_opt);
	if (conf != NULL && given_conf)
		return conf_dsn(cmd, conf, admin, status);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (pg_env_set())
		return xstrdup("");
	if (conf != NULL && access(conf, F_OK) == 0)
		return conf_dsn(cmd, conf, admin, status);
	*status = usage_error(cmd, NULL, "no DSN given: give --dsn DSN, set "
	    "RAILGATE_DSN, or set libpq's PGHOST, PGDATABASE and PGUSER (or "
	    "PGSERVICE)%s", conf != NULL ? ", or name a configuration with -c "
	    "CONFIG" : "");
	return NULL;
}
