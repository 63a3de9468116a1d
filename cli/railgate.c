/*
 * railgate.c -- the command-line tool: dispatch to subcommands.
 *
 * One table of commands; each lives in cmd_<name>.c.  Usage errors exit
 * with EX_USAGE (64), unreadable input with EX_DATAERR (65), missing
 * files with EX_NOINPUT (66), as sysexits(3) defines.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

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
	{ "token", cmd_token, "create or revoke API tokens" },
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
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`railgate COMMAND --help` describes each command.\n"
	    "  -h, --help     this text\n      --version  the version\n");
}

int
main(int argc, char **argv)
{
	size_t	i;

	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("railgate %s\n", RAILGATE_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "railgate: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return EX_USAGE;
}
