/*
 * cmd_db.c -- `railgate db migrate [--dsn DSN | -c CONF]` and
 * `railgate token create --role ROLE --name NAME [--expires DAYS]`,
 * `railgate token revoke --name NAME`: the database chores of an
 * installation.  Blocking libpq through db/ helpers; run by people, not
 * by the daemon.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "db/admin.h"
#include "db/migrate.h"
#include "manifest/util.h"

#include "daemon/http/auth.h"
#include "cli/cmd.h"
#include "daemon/config.h"
#include "daemon/paths.h"

/* The DSN from --dsn, else from the configuration file (admin_dsn, else dsn). */
char *
cmd_resolve_dsn(const char *dsn, const char *conf_path, bool admin)
{
	struct config	 cfg;
	char		*cause = NULL, *warnings = NULL, *r;

	if (dsn != NULL)
		return xstrdup(dsn);
	config_defaults(&cfg);
	if (config_load(&cfg, conf_path, &warnings, &cause) < 0) {
		cmd_warnx("db", "%s", cause);
		free(cause);
		config_free(&cfg);
		return NULL;
	}
	if (warnings != NULL)
		cmd_warnx("db", "%s", warnings);
	free(warnings);
	r = xstrdup(admin && cfg.admin_dsn[0] != '\0' ? cfg.admin_dsn : cfg.dsn);
	config_free(&cfg);
	if (*r == '\0') {
		cmd_warnx("db", "%s names no database; give --dsn", conf_path);
		free(r);
		return NULL;
	}
	return r;
}

static void
db_usage(FILE *out)
{
	fprintf(out, "usage: railgate db migrate [--dsn DSN | -c CONFIG]\n"
	    "Applies the schema migrations not yet applied (as the schema's "
	    "owner:\nthe configuration's admin_dsn, else dsn).\n");
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
	int		 ch;

	if (argc < 2 || strcmp(argv[1], "migrate") != 0) {
		db_usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : EX_USAGE;
	}
	optind = 1;
	argc--, argv++;
	while ((ch = getopt_long(argc, argv, "d:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dsn_opt = optarg; break;
		case 'c': conf = optarg; break;
		case 'h': db_usage(stdout); return 0;
		default: db_usage(stderr); return EX_USAGE;
		}
	}
	if ((dsn = cmd_resolve_dsn(dsn_opt, conf, true)) == NULL)
		return EX_CONFIG;
	if (db_migrate(dsn, &applied, &version, &cause) < 0) {
		cmd_warnx("db", "%s", cause);
		free(cause);
		free(dsn);
		return EX_UNAVAILABLE;
	}
	printf("schema at version %u (%u migrations applied now)\n", version,
	    applied);
	free(dsn);
	return 0;
}

static void
token_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate token create --role ROLE --name NAME [--expires DAYS]\n"
	    "                             [--carrier ID ...] [--dsn DSN | -c CONFIG]\n"
	    "       railgate token revoke --name NAME [--dsn DSN | -c CONFIG]\n"
	    "ROLE: officer, supervisor, auditor, operator, admin or device (one\n"
	    "per weighbridge or scanner).  The new token is printed once; only\n"
	    "its SHA-256 is stored.\n"
	    "An operator token names the carriers (the manifest's NAD+CA or\n"
	    "<Carrier><ID>, e.g. KZ-KTZE) whose trains it reads: --carrier at\n"
	    "least once, and only for an operator.\n");
}

/*
 * Adds one --carrier to the array literal being built in buf ("{A,B}");
 * -1 with a message when the identifier is malformed or too many.
 */
static int
token_add_carrier(char *buf, size_t len, const char *id)
{
	size_t	n = strlen(buf);

	if (!auth_carrier_valid(id)) {
		cmd_warnx("token", "--carrier %s: an identifier is 1 to 35 of "
		    "A-Z a-z 0-9 . _ : / -", id);
		return -1;
	}
	if (n == 0)
		n = (size_t)snprintf(buf, len, "{");
	else
		buf[--n] = '\0';	/* the closing brace */
	if (n + strlen(id) + 3 > len || n + strlen(id) + 2 > AUTH_CARRIERS_LEN) {
		cmd_warnx("token", "--carrier: too many carriers for one token");
		return -1;
	}
	snprintf(buf + n, len - n, "%s%s}", n > 1 ? "," : "", id);
	return 0;
}

int
cmd_token(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "expires", required_argument, NULL, 'e' },
		{ "carrier", required_argument, NULL, 'C' },
		{ "dsn", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*role = NULL, *name = NULL, *dsn_opt = NULL,
			*conf = RAILGATE_CONFIG_FILE, *verb;
	char		*dsn, *cause = NULL, token[AUTH_TOKEN_LEN],
			 hash[AUTH_TOKEN_HEX], carriers[AUTH_CARRIERS_LEN + 2] = "";
	enum auth_role	 r;
	int		 ch, days = 0, rc;

	if (argc < 2 || argv[1][0] == '-') {
		token_usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : EX_USAGE;
	}
	verb = argv[1];
	optind = 1;
	argc--, argv++;
	while ((ch = getopt_long(argc, argv, "r:n:e:C:d:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			if (token_add_carrier(carriers, sizeof carriers,
			    optarg) < 0)
				return EX_USAGE;
			break;
		case 'r': role = optarg; break;
		case 'n': name = optarg; break;
		case 'e': days = atoi(optarg); break;
		case 'd': dsn_opt = optarg; break;
		case 'c': conf = optarg; break;
		case 'h': token_usage(stdout); return 0;
		default: token_usage(stderr); return EX_USAGE;
		}
	}
	if (name == NULL || (strcmp(verb, "create") == 0 && (role == NULL ||
	    auth_role_parse(role, &r) < 0)) ||
	    (strcmp(verb, "create") != 0 && strcmp(verb, "revoke") != 0)) {
		token_usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(verb, "create") == 0 && (r == AUTH_OPERATOR) !=
	    (carriers[0] != '\0')) {
		cmd_warnx("token", r == AUTH_OPERATOR ? "an operator token needs "
		    "--carrier ID (the carrier whose trains it reads)" :
		    "--carrier is for operator tokens only");
		return EX_USAGE;
	}
	if (carriers[0] == '\0')
		snprintf(carriers, sizeof carriers, "{}");
	if ((dsn = cmd_resolve_dsn(dsn_opt, conf, false)) == NULL)
		return EX_CONFIG;
	if (strcmp(verb, "create") == 0) {
		if (auth_token_generate(token) < 0) {
			cmd_warnx("token", "no random bytes available");
			free(dsn);
			return EX_OSERR;
		}
		auth_token_hash(token, hash);
		rc = db_admin_token_create(dsn, hash, name, role, carriers,
		    days, &cause);
		if (rc == 0)
			printf("%s\n", token);
	} else {
		rc = db_admin_token_revoke(dsn, name, &cause);
		if (rc >= 0)
			printf("%d token(s) of %s revoked\n", rc, name);
	}
	free(dsn);
	if (rc < 0) {
		cmd_warnx("token", "%s", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	return 0;
}
