/*
 * cmd_officer.c -- `railgate officer add|passwd|disable|enable|list` and
 * `railgate session revoke NAME|ID`: officers' accounts and their
 * sign-in sessions (docs/operations.md, "Officers' accounts").
 *
 * A password is read from the terminal without echo (asked twice), or as
 * the first line of standard input when that is not a terminal (scripts,
 * `make run`); never from the command line, where ps(1) would show it.
 * Only its Argon2id hash (password.h) leaves this process.  Blocking
 * libpq through db/admin.h, as `railgate token`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "db/admin.h"
#include "manifest/util.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "daemon/api/language.h"
#include "daemon/http/auth.h"
#include "daemon/http/password.h"
#include "daemon/paths.h"

static void
officer_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate officer add NAME --role ROLE [--display \"Full Name\"]\n"
	    "                            [--language LANG] [--dsn DSN | -c CONFIG]\n"
	    "       railgate officer passwd NAME [--dsn DSN | -c CONFIG]\n"
	    "       railgate officer disable|enable NAME [--dsn DSN | -c CONFIG]\n"
	    "       railgate officer list [--dsn DSN | -c CONFIG]\n"
	    "NAME: the sign-in name (a-z, 0-9, '.', '_', '-'; at most 64).\n"
	    "ROLE: officer, supervisor, auditor or admin.  LANG: zh-Hans, ru, en,\n"
	    "kk or vi (default: the browser's).  The password (at least %d\n"
	    "characters) is asked on the terminal, or read as the first line of\n"
	    "standard input.  A new password or disabling ends every session.\n"
	    CMD_DSN_HELP, PASSWORD_MIN_CHARS);
}

/* Reads one line into buf without its newline; 0 or -1 at end of input. */
static int
read_line(FILE *f, char *buf, size_t size)
{
	size_t	n;

	if (fgets(buf, (int)size, f) == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 0;
}

/* Asks prompt on the terminal, echo off; 0 or -1. */
static int
ask_tty(FILE *tty, const char *prompt, char *buf, size_t size)
{
	struct termios	old, quiet;
	int		rc;

	fprintf(tty, "%s", prompt);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) < 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	rc = read_line(tty, buf, size);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fprintf(tty, "\n");
	return rc;
}

/* A new password, checked against the policy, hashed into hash; 0 or -1. */
static int
new_password(char *hash)
{
	char		 pw[PASSWORD_MAX_BYTES + 2], again[PASSWORD_MAX_BYTES + 2];
	const char	*why;
	FILE		*tty;
	int		 rc = -1;

	if (isatty(STDIN_FILENO) && (tty = fopen("/dev/tty", "r+")) != NULL) {
		rc = ask_tty(tty, "password: ", pw, sizeof pw);
		if (rc == 0)
			rc = ask_tty(tty, "again: ", again, sizeof again);
		fclose(tty);
		if (rc == 0 && strcmp(pw, again) != 0) {
			cmd_warnx("officer", "the passwords differ");
			rc = -1;
			goto out;
		}
	} else
		rc = read_line(stdin, pw, sizeof pw);
	if (rc < 0) {
		cmd_warnx("officer", "no password given");
		goto out;
	}
	if ((why = password_policy(pw)) != NULL) {
		cmd_warnx("officer", "%s", why);
		rc = -1;
	} else if ((rc = password_hash(pw, hash)) < 0)
		cmd_warnx("officer", "cannot hash the password");
out:
	explicit_bzero(pw, sizeof pw);
	explicit_bzero(again, sizeof again);
	return rc;
}

/* True when name is a principal 024_sessions.sql takes. */
static bool
name_ok(const char *name)
{
	size_t	n = strlen(name), i;

	if (n == 0 || n > 64 || name[0] == '.' || name[0] == '_' ||
	    name[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    strchr("._-", name[i]) != NULL))
			return false;
	return true;
}

struct officer_args {
	const char	*verb, *name, *role, *display, *language, *dsn, *conf;
	bool		 given_conf;
	char		 cmd[32];	/* "officer add", for the messages */
};

/* Runs the verb on dsn; a sysexits status. */
static int
officer_run(const struct officer_args *a, const char *dsn)
{
	char	 hash[PASSWORD_HASH_MAX], *cause = NULL, *text = NULL;
	int	 rc;

	if (strcmp(a->verb, "list") == 0) {
		if ((rc = db_admin_officer_list(dsn, &text, &cause)) == 0)
			printf("%s", text);
		free(text);
	} else if (strcmp(a->verb, "add") == 0 || strcmp(a->verb, "passwd") == 0) {
		if (new_password(hash) < 0)
			return EX_DATAERR;
		rc = a->verb[0] == 'a' ? db_admin_officer_add(dsn, a->name,
		    a->display != NULL ? a->display : a->name, a->role, hash,
		    a->language, &cause) : db_admin_officer_passwd(dsn, a->name,
		    hash, &cause);
		if (rc == 1)
			cmd_warnx("officer", a->verb[0] == 'a' ? "%s exists" :
			    "no officer %s", a->name);
	} else {
		rc = db_admin_officer_disable(dsn, a->name,
		    strcmp(a->verb, "disable") == 0, &cause);
		if (rc == 1)
			cmd_warnx("officer", "no officer %s", a->name);
	}
	if (rc < 0) {
		rc = db_error(a->cmd, strcmp(a->verb, "list") == 0 ? "cannot "
		    "read the accounts" : "cannot change the account", dsn, cause);
		free(cause);
		return rc;
	}
	if (rc == 0 && strcmp(a->verb, "list") != 0)
		printf("officer %s: %s done\n", a->name, a->verb);
	return rc == 0 ? 0 : EX_DATAERR;
}

/* The checks a verb's arguments must pass; 0 or EX_USAGE, said. */
static int
officer_args_check(const struct officer_args *a)
{
	enum auth_role	r;

	if (strcmp(a->verb, "list") == 0)
		return a->name == NULL ? 0 : usage_error(a->cmd, a->name,
		    "unexpected argument");
	if (a->name == NULL)
		return usage_error(a->cmd, NULL, "give the officer's NAME");
	if (!name_ok(a->name))
		return usage_error(a->cmd, a->name, "a NAME is a-z, 0-9, '.', "
		    "'_', '-', at most 64, not starting with '.', '_' or '-'");
	if (strcmp(a->verb, "add") != 0)
		return 0;
	if (a->role == NULL)
		return usage_error(a->cmd, NULL, "--role ROLE is required "
		    "(officer, supervisor, auditor or admin)");
	if (auth_role_parse(a->role, &r) < 0 || (r != AUTH_OFFICER &&
	    r != AUTH_SUPERVISOR && r != AUTH_AUDITOR && r != AUTH_ADMIN))
		return usage_error(a->cmd, "--role", "\"%s\" is not a role of "
		    "an officer (officer, supervisor, auditor or admin)", a->role);
	if (a->language != NULL && !language_known(a->language))
		return usage_error(a->cmd, "--language", "\"%s\" is not a "
		    "language of the console (zh-Hans, ru, en, kk or vi)",
		    a->language);
	if (a->display != NULL && (*a->display == '\0' ||
	    strlen(a->display) > 128))
		return usage_error(a->cmd, "--display", "1 to 128 bytes");
	return 0;
}

int
cmd_officer(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "display", required_argument, NULL, 'n' },
		{ "language", required_argument, NULL, 'l' },
		{ "dsn", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const verbs[] = { "add", "passwd", "disable",
	    "enable", "list" };
	struct officer_args	 a = { .conf = RAILGATE_CONFIG_FILE };
	char			*dsn;
	size_t			 i;
	int			 ch, rc;

	if (argc < 2)
		return usage_error("officer", NULL, "give a sub-command: add, "
		    "passwd, disable, enable or list");
	if (usage_is_help(argv[1])) {
		officer_usage(stdout);
		return 0;
	}
	a.verb = argv[1];
	for (i = 0; i < nitems(verbs) && strcmp(a.verb, verbs[i]) != 0; i++)
		;
	if (i == nitems(verbs))
		return usage_error("officer", a.verb, "not a sub-command (add, "
		    "passwd, disable, enable or list)");
	snprintf(a.cmd, sizeof a.cmd, "officer %s", a.verb);
	optind = 1;
	argc--, argv++;
	while ((ch = getopt_long(argc, argv, ":r:n:l:d:c:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'r': a.role = optarg; break;
		case 'n': a.display = optarg; break;
		case 'l': a.language = optarg; break;
		case 'd': a.dsn = optarg; break;
		case 'c': a.conf = optarg; a.given_conf = true; break;
		case 'h': officer_usage(stdout); return 0;
		default: return usage_bad_option(a.cmd, ch, argv);
		}
	}
	if (optind < argc)
		a.name = argv[optind++];
	if (optind != argc)
		return usage_error(a.cmd, argv[optind], "unexpected argument");
	if ((rc = officer_args_check(&a)) != 0)
		return rc;
	if ((dsn = usage_dsn(a.cmd, a.dsn, a.conf, a.given_conf, false,
	    &rc)) == NULL)
		return rc;
	rc = officer_run(&a, dsn);
	free(dsn);
	return rc;
}

static void
session_usage(FILE *out)
{
	fprintf(out, "usage: railgate session revoke NAME|ID [--dsn DSN | -c CONFIG]\n"
	    "Ends every live session of officer NAME, or the session ID (the \"id\"\n"
	    "of GET /v1/session); it is refused within a second.\n"
	    CMD_DSN_HELP);
}

int
cmd_session(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dsn", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*dsn_opt = NULL, *conf = RAILGATE_CONFIG_FILE;
	char		*dsn, *cause = NULL, n[64];
	bool		 given_conf = false;
	int		 ch, rc;

	if (argc < 2)
		return usage_error("session", NULL, "give a sub-command: revoke");
	if (usage_is_help(argv[1])) {
		session_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "revoke") != 0)
		return usage_error("session", argv[1], "not a sub-command "
		    "(revoke)");
	optind = 1;
	argc--, argv++;
	while ((ch = getopt_long(argc, argv, ":d:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dsn_opt = optarg; break;
		case 'c': conf = optarg; given_conf = true; break;
		case 'h': session_usage(stdout); return 0;
		default: return usage_bad_option("session revoke", ch, argv);
		}
	}
	if (optind == argc)
		return usage_error("session revoke", NULL, "give the officer's "
		    "NAME or the session's ID");
	if (optind + 1 != argc)
		return usage_error("session revoke", argv[optind + 1],
		    "unexpected argument");
	if (strlen(argv[optind]) > 64)
		return usage_error("session revoke", NULL, "a NAME or ID is at "
		    "most 64 bytes");
	if ((dsn = usage_dsn("session revoke", dsn_opt, conf, given_conf,
	    false, &rc)) == NULL)
		return rc;
	rc = db_admin_session_revoke(dsn, argv[optind], &cause);
	if (rc < 0) {
		rc = db_error("session revoke", "cannot revoke", dsn, cause);
		free(cause);
		free(dsn);
		return rc;
	}
	free(dsn);
	printf("%s of %s revoked\n", plural(n, sizeof n, rc, "session",
	    "sessions"), argv[optind]);
	return 0;
}
