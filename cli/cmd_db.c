/*
 * cmd_db.c -- `railgate db migrate [--dsn DSN | -c CONF]`: the schema
 * of an installation.  Blocking libpq through db/ helpers; run by
 * people, not by the daemon.  (`railgate token` is cmd_token.c.)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "db/migrate.h"
#include "manifest/util.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "daemon/paths.h"

static void
db_usage(FILE *out)
{
	fprintf(out, "usage: railgate db migrate [--dsn DSN | -c CONFIG]\n"
	    "Applies the schema migrations not yet applied, as the schema's "
	    "owner.\n" CMD_DSN_HELP_ADMIN);
}

int
cmd_db(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dsn", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*dsn_opt = NULL, *conf = RAILGATE_CONFIG_FILE;
	char		*dsn, *cause = NULL;
	unsigned	 applied, version;
	bool		 given_conf = false;
	int		 ch, rc;

	if (argc < 2 || usage_is_help(argv[1])) {
		if (argc < 2)
			return usage_error("db", NULL, "give a sub-command: "
			    "migrate");
		db_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "migrate") != 0)
		return usage_error("db", argv[1], "not a sub-command (migrate)");
	optind = 1;
	argc--, argv++;
	while ((ch = getopt_long(argc, argv, ":d:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dsn_opt = optarg; break;
		case 'c': conf = optarg; given_conf = true; break;
		case 'h': db_usage(stdout); return 0;
		default: return usage_bad_option("db migrate", ch, argv);
		}
	}
	if (optind != argc)
		return usage_error("db migrate", argv[optind], "unexpected "
		    "argument");
	if ((dsn = usage_dsn("db migrate", dsn_opt, conf, given_conf, true,
	    &rc)) == NULL)
		return rc;
	if (db_migrate(dsn, &applied, &version, &cause) < 0) {
		rc = db_error("db migrate", "cannot migrate the schema", dsn,
		    cause);
		free(cause);
		free(dsn);
		return rc;
	}
	printf("schema at version %u (%u %s applied now)\n", version, applied,
	    applied == 1 ? "migration" : "migrations");
	free(dsn);
	return 0;
}
