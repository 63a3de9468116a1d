/*
 * cmd_token.c -- `railgate token create | list | revoke`: the API's
 * bearer tokens (docs/operations.md).  A new token is printed once; only
 * its SHA-256 is stored, and neither is ever listed.  Revoking is
 * audited (token.revoke) and idempotent: a token already revoked is
 * said to be so, nothing changes, exit 0.  The daemon refuses a revoked
 * token once its cached lookup expires ([http] token_cache_s, 5 s by
 * default).  Blocking libpq through db/admin.h, as the schema's owner
 * (the configuration's admin_dsn, else dsn), as `make run` makes its
 * tokens; run by people.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "db/admin.h"
#include "manifest/util.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "daemon/paths.h"
#include "daemon/http/auth.h"

#define TOKEN_ROLES	"officer, supervisor, auditor, operator, admin or device"

static void
token_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate token create --role ROLE --name NAME [--expires DAYS]\n"
	    "                             [--carrier ID ...] [--dsn DSN | -c CONFIG]\n"
	    "       railgate token list [--format text|json] [--dsn DSN | -c CONFIG]\n"
	    "       railgate token revoke NAME|ID [--dsn DSN | -c CONFIG]\n"
	    "ROLE: " TOKEN_ROLES " (one\n"
	    "per weighbridge or scanner).  The new token is printed once; only\n"
	    "its SHA-256 is stored, and list shows neither.  DAYS: 1 to 36500\n"
	    "(default: never expires).\n"
	    "An operator token names the carriers (the manifest's NAD+CA or\n"
	    "<Carrier><ID>, e.g. KZ-KTZE) whose trains it reads: --carrier at\n"
	    "least once, and only for an operator.\n"
	    "revoke NAME ends every token of that name, revoke ID (digits) one\n"
	    "token; a token already revoked is said to be, exit 0; no such\n"
	    "token: exit 66.  The daemon refuses a revoked token within its\n"
	    "[http] token_cache_s (5 s by default).\n" CMD_DSN_HELP_ADMIN);
}

/*
 * Adds one --carrier to the array literal being built in buf ("{A,B}");
 * EX_USAGE with a message when the identifier is malformed or too many.
 */
static int
token_add_carrier(char *buf, size_t len, const char *id)
{
	size_t	n = strlen(buf);

	if (!auth_carrier_valid(id))
		return usage_error("token create", "--carrier", "\"%s\" is not "
		    "a carrier identifier (1 to 35 of A-Z a-z 0-9 . _ : / -)",
		    id);
	if (n == 0)
		n = (size_t)snprintf(buf, len, "{");
	else
		buf[--n] = '\0';	/* the closing brace */
	if (n + strlen(id) + 3 > len || n + strlen(id) + 2 > AUTH_CARRIERS_LEN)
		return usage_error("token create", "--carrier", "too many "
		    "carriers for one token");
	snprintf(buf + n, len - n, "%s%s}", n > 1 ? "," : "", id);
	return 0;
}

/* What the options said. */
struct token_args {
	const char	*verb, *role, *name, *dsn, *conf, *format;
	bool		 given_conf;
	long		 days;
	char		 carriers[AUTH_CARRIERS_LEN + 2];
	char		 cmd[32];	/* "token create", for the messages */
};

/* The options after the verb; 0, or the exit status. */
static int
token_options(int argc, char **argv, struct token_args *a)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "expires", required_argument, NULL, 'e' },
		{ "carrier", required_argument, NULL, 'C' },
		{ "format", required_argument, NULL, 'f' },
		{ "dsn", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int	ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":r:n:e:C:f:d:c:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'C':
			if ((rc = token_add_carrier(a->carriers,
			    sizeof a->carriers, optarg)) != 0)
				return rc;
			break;
		case 'e':
			if ((rc = usage_number(a->cmd, "--expires", optarg, 1,
			    36500, &a->days)) != 0)
				return rc;
			break;
		case 'r': a->role = optarg; break;
		case 'n': a->name = optarg; break;
		case 'f': a->format = optarg; break;
		case 'd': a->dsn = optarg; break;
		case 'c': a->conf = optarg; a->given_conf = true; break;
		case 'h': token_usage(stdout); return -1;
		default: return usage_bad_option(a->cmd, ch, argv);
		}
	}
	/* revoke NAME|ID: the target may come without --name. */
	if (strcmp(a->verb, "revoke") == 0 && a->name == NULL && optind < argc)
		a->name = argv[optind++];
	if (optind != argc)
		return usage_error(a->cmd, argv[optind], "unexpected argument");
	return 0;
}

/* The checks a verb's options must pass; 0 or EX_USAGE. */
static int
token_check(struct token_args *a)
{
	enum auth_role	r;

	if (strcmp(a->verb, "list") == 0) {
		if (a->format != NULL && strcmp(a->format, "text") != 0 &&
		    strcmp(a->format, "json") != 0)
			return usage_error(a->cmd, "--format", "\"%s\" is not "
			    "a format (text or json)", a->format);
		return 0;
	}
	if (a->name == NULL)
		return usage_error(a->cmd, NULL, strcmp(a->verb, "create") ==
		    0 ? "--name NAME is required" : "give the token's NAME or "
		    "ID");
	if (strcmp(a->verb, "revoke") == 0)
		return 0;
	if (a->role == NULL)
		return usage_error(a->cmd, NULL, "--role ROLE is required ("
		    TOKEN_ROLES ")");
	if (auth_role_parse(a->role, &r) < 0)
		return usage_error(a->cmd, "--role", "\"%s\" is not a role ("
		    TOKEN_ROLES ")", a->role);
	if ((r == AUTH_OPERATOR) != (a->carriers[0] != '\0'))
		return usage_error(a->cmd, "--carrier", r == AUTH_OPERATOR ?
		    "an operator token needs --carrier ID (the carrier whose "
		    "trains it reads)" : "is for operator tokens only");
	if (a->carriers[0] == '\0')
		snprintf(a->carriers, sizeof a->carriers, "{}");
	return 0;
}

/* A JSON member as text, "-" when null or absent. */
static const char *
cell(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

/* The list as a table for people. */
static void
token_print_table(const json_t *list)
{
	const json_t	*t, *c;
	size_t		 i, k;
	char		 carriers[AUTH_CARRIERS_LEN + 2];
	size_t		 n;

	printf("%-6s %-24s %-10s %-20s %-20s %-20s %s\n", "ID", "NAME", "ROLE",
	    "CARRIERS", "CREATED", "EXPIRES", "REVOKED");
	json_array_foreach(list, i, t) {
		n = 0;
		carriers[0] = '\0';
		json_array_foreach(json_object_get(t, "carriers"), k, c)
			if (n < sizeof carriers)
				n += (size_t)snprintf(carriers + n,
				    sizeof carriers - n, "%s%s", k > 0 ? "," : "",
				    json_string_value(c));
		printf("%-6lld %-24s %-10s %-20s %-20s %-20s %s\n",
		    (long long)json_integer_value(json_object_get(t, "id")),
		    cell(t, "name"), cell(t, "role"), n > 0 ? carriers : "-",
		    cell(t, "created_at"), cell(t, "expires_at"),
		    cell(t, "revoked_at"));
	}
}

/* railgate token list; the exit status. */
static int
token_list(const struct token_args *a, const char *dsn)
{
	char	*text = NULL, *cause = NULL;
	json_t	*list;
	int	 rc;

	if (db_admin_token_list(dsn, &text, &cause) < 0) {
		rc = db_error(a->cmd, "cannot read the tokens", dsn, cause);
		free(cause);
		return rc;
	}
	if ((list = json_loads(text, 0, NULL)) == NULL) {
		cmd_warnx(a->cmd, "the database's list is not JSON");
		free(text);
		return EX_SOFTWARE;
	}
	if (a->format != NULL && strcmp(a->format, "json") == 0) {
		json_dumpf(list, stdout, JSON_INDENT(2));
		putchar('\n');
	} else
		token_print_table(list);
	json_decref(list);
	free(text);
	return 0;
}

/* railgate token revoke NAME|ID; the exit status. */
static int
token_revoke(const struct token_args *a, const char *dsn)
{
	char	*cause = NULL, n[64];
	long	 matched = 0, revoked = 0;
	int	 rc;

	if (db_admin_token_revoke(dsn, a->name, &matched, &revoked,
	    &cause) < 0) {
		rc = db_error(a->cmd, "cannot revoke", dsn, cause);
		free(cause);
		return rc;
	}
	if (matched == 0) {
		cmd_warnx(a->cmd, "%s: no token has this name or id", a->name);
		return EX_NOINPUT;
	}
	if (revoked == 0)
		printf("%s: already revoked (%s); nothing changed\n", a->name,
		    plural(n, sizeof n, matched, "token", "tokens"));
	else
		printf("%s: %s revoked\n", a->name, plural(n, sizeof n, revoked,
		    "token", "tokens"));
	return 0;
}

/* railgate token create; the exit status. */
static int
token_create(const struct token_args *a, const char *dsn)
{
	char	*cause = NULL, token[AUTH_TOKEN_LEN], hash[AUTH_TOKEN_HEX];
	int	 rc;

	if (auth_token_generate(token) < 0) {
		cmd_warnx(a->cmd, "no random bytes available");
		return EX_OSERR;
	}
	auth_token_hash(token, hash);
	if (db_admin_token_create(dsn, hash, a->name, a->role, a->carriers,
	    (int)a->days, &cause) < 0) {
		rc = db_error(a->cmd, "cannot store the token", dsn, cause);
		free(cause);
		return rc;
	}
	printf("%s\n", token);
	return 0;
}

int
cmd_token(int argc, char **argv)
{
	struct token_args	 a = { .conf = RAILGATE_CONFIG_FILE };
	char			*dsn;
	int			 rc;

	if (argc < 2)
		return usage_error("token", NULL, "give a sub-command: create, "
		    "list or revoke");
	if (usage_is_help(argv[1])) {
		token_usage(stdout);
		return 0;
	}
	a.verb = argv[1];
	if (strcmp(a.verb, "create") != 0 && strcmp(a.verb, "list") != 0 &&
	    strcmp(a.verb, "revoke") != 0)
		return usage_error("token", a.verb, "not a sub-command (create, "
		    "list or revoke)");
	snprintf(a.cmd, sizeof a.cmd, "token %s", a.verb);
	if ((rc = token_options(argc - 1, argv + 1, &a)) != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = token_check(&a)) != 0)
		return rc;
	/* Tokens are the administrator's: the schema owner's DSN. */
	if ((dsn = usage_dsn(a.cmd, a.dsn, a.conf, a.given_conf, true,
	    &rc)) == NULL)
		return rc;
	if (strcmp(a.verb, "create") == 0)
		rc = token_create(&a, dsn);
	else if (strcmp(a.verb, "list") == 0)
		rc = token_list(&a, dsn);
	else
		rc = token_revoke(&a, dsn);
	free(dsn);
	return rc;
}
