/*
 * railgate.c -- the command-line tool: dispatch to subcommands.
 *
 * One table of commands; each lives in cmd_<name>.c.  Usage errors exit
 * with EX_USAGE (64), unreadable input with EX_DATAERR (65), missing
 * files with EX_NOINPUT (66), as sysexits(3) defines; the words and the
 * database's statuses are cmd_usage.c's.  `railgate help CMD [SUB]` runs
 * CMD [SUB] --help.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "db/dsn.h"
#include "manifest/util.h"
#include "manifest/xml.h"

#include "cli/cmd.h"
#include "daemon/version.h"

struct command {
	const char	*name;
	int		(*run)(int, char **);
	const char	*summary;
};

static const struct command commands[] = {
	{ "parse", cmd_parse,
	    "parse manifests and print the train model or a summary" },
	{ "check", cmd_check, "evaluate manifests against a rule set" },
	{ "rules", cmd_rules, "lint a rule set or run its test trains" },
	{ "lists", cmd_lists,
	    "import the UN sanctions list (XML) as a list file" },
	{ "gen", cmd_gen, "write a synthetic train (EDIFACT or XML)" },
	{ "submit", cmd_submit, "post manifests to a running daemon" },
	{ "notices", cmd_notices, "receive release notices (an operator's side)" },
	{ "replay", cmd_replay,
	    "evaluate stored decisions again and verify the audit chain" },
	{ "report", cmd_report, "a train's clearance record for the auditor (HTML)" },
	{ "bundle", cmd_bundle, "a train's evidence bundle (one JSON file)" },
	{ "verify", cmd_verify,
	    "check an evidence bundle offline with the station's public key" },
	{ "db", cmd_db, "apply the database schema migrations" },
	{ "token", cmd_token, "create, list or revoke API tokens" },
	{ "officer", cmd_officer,
	    "add, list or disable officers' accounts; set a password" },
	{ "session", cmd_session, "revoke officers' sign-in sessions" },
};

/* Prints the command list to out. */
static void
usage(FILE *out)
{
	size_t	i;

	fprintf(out, "usage: railgate COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
	for (i = 0; i < nitems(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`railgate COMMAND --help` or `railgate help COMMAND` "
	    "describes each command.\n"
	    "  -h, --help     this text\n      --version  the version\n");
}

/* The edit distance between a and b (both short: command names). */
static size_t
distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, d[32], prev, cur;

	if (la >= nitems(d) || lb >= nitems(d))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = d[j];
			d[j] = a[i - 1] == b[j - 1] ? prev : 1 + (prev < d[j] ?
			    (prev < d[j - 1] ? prev : d[j - 1]) :
			    (d[j] < d[j - 1] ? d[j] : d[j - 1]));
			prev = cur;
		}
	}
	return d[lb];
}

/* An unknown command: named, with the nearest one when it is near. */
static int
unknown_command(const char *name)
{
	size_t	i, best = 0, d, bestd = SIZE_MAX;

	for (i = 0; i < nitems(commands); i++)
		if ((d = distance(name, commands[i].name)) < bestd) {
			bestd = d;
			best = i;
		}
	fprintf(stderr, "railgate: \"%s\" is not a command", name);
	if (bestd <= 2 || (bestd <= 3 && strlen(name) > 5))
		fprintf(stderr, "; did you mean '%s'?", commands[best].name);
	fprintf(stderr, "\ntry 'railgate help'\n");
	return EX_USAGE;
}

/* The command called name, or NULL. */
static const struct command *
command_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(commands); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/*
 * railgate help [CMD [SUB]]: the command's own --help (one text per
 * command, so that help and --help never say different things).
 */
static int
help(int argc, char **argv)
{
	const struct command	*c;
	char			*args[4];
	int			 n = 0;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 3) {
		fprintf(stderr, "railgate help: \"%s\": one command and at most "
		    "one sub-command\ntry 'railgate help'\n", argv[3]);
		return EX_USAGE;
	}
	if ((c = command_find(argv[1])) == NULL)
		return unknown_command(argv[1]);
	args[n++] = argv[1];
	if (argc == 3)
		args[n++] = argv[2];
	args[n++] = (char *)"--help";
	args[n] = NULL;
	return c->run(n, args);
}

int
main(int argc, char **argv)
{
	const struct command	*c;

	db_errors_with_sqlstate();
	xml_init();	/* before a replay's or a check's threads parse */
	if (argc < 2) {
		fprintf(stderr, "railgate: no command given\ntry 'railgate "
		    "help'\n");
		return EX_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0) {
		printf("railgate %s\n", RAILGATE_VERSION);
		return 0;
	}
	if ((c = command_find(argv[1])) != NULL)
		return c->run(argc - 1, argv + 1);
	return unknown_command(argv[1]);
}
