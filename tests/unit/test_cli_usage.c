/*
 * test_cli_usage.c -- what `railgate` says when a command line is wrong,
 * as a table: for each row the arguments, the exit status expected and a
 * text expected on standard error (or, for help, on standard output).
 * Every command and sub-command answers --help and -h on stdout with 0;
 * a usage error is one line naming the argument and the reason, then the
 * hint, never the whole usage, and 64.  Rows that need a database are in
 * tests/system/test_cli_errors.c.  Also here: the words and statuses of
 * database failures (db_error(), from causes as db/ writes them) and the
 * plurals of the replay's report.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "cli/cmd_usage.h"
#include "engine/replay.h"

#include "unit.h"

/* Neither a DSN nor libpq's variables: the rows run with none. */
#define NO_DSN_ENV "env -u RAILGATE_DSN -u PGHOST -u PGHOSTADDR -u PGSERVICE " \
	"-u PGDATABASE -u PGUSER -u PGPORT -u RAILGATE_TOKEN "

struct run_result {
	int	 status;
	char	*out, *err;	/* owned */
};

/* Reads path whole (NUL-terminated; "" when absent); caller frees. */
static char *
slurp(const char *path)
{
	char	*data = NULL;
	size_t	 len;

	if (file_read_all(path, &data, &len) < 0)
		return xstrdup("");
	return data;
}

/* Runs `railgate ARGS` with no DSN in the environment. */
static void
run(const char *args, struct run_result *r)
{
	char	dir[] = "/tmp/railgate-usage-XXXXXX", cmd[2048], o[64], e[64];
	int	st;

	memset(r, 0, sizeof *r);
	r->status = -1;
	if (mkdtemp(dir) == NULL)
		return;
	snprintf(o, sizeof o, "%s/out", dir);
	snprintf(e, sizeof e, "%s/err", dir);
	snprintf(cmd, sizeof cmd, NO_DSN_ENV "%s/railgate %s >%s 2>%s </dev/null",
	    test_build_dir(), args, o, e);
	st = system(cmd);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(o);
	r->err = slurp(e);
	unlink(o);
	unlink(e);
	rmdir(dir);
}

static void
run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
}

/* Lines in s. */
static int
lines(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Every command and sub-command, as `railgate help` lists them. */
static const char *const help_rows[] = {
	"parse", "check", "rules", "rules lint", "rules test", "lists",
	"lists import", "gen", "submit", "notices", "notices listen",
	"notices rotate-key", "replay", "report", "bundle", "verify", "db",
	"db migrate", "token", "token create", "token list", "token revoke",
	"officer", "officer add", "officer passwd", "officer disable",
	"officer enable", "officer list", "session", "session revoke",
};

/* --help and -h: the command's usage on stdout, exit 0, nothing on stderr. */
static void
t_cli_usage_help_everywhere(void)
{
	struct run_result	r;
	char			args[128], want[64];
	size_t			i, k;
	static const char *const flags[] = { "--help", "-h" };

	for (i = 0; i < nitems(help_rows); i++)
		for (k = 0; k < nitems(flags); k++) {
			snprintf(args, sizeof args, "%s %s", help_rows[i],
			    flags[k]);
			snprintf(want, sizeof want, "usage: railgate %.*s",
			    (int)strcspn(help_rows[i], " "), help_rows[i]);
			run(args, &r);
			CU_ASSERT_EQUAL(r.status, 0);
			CU_ASSERT_PTR_NOT_NULL(strstr(r.out, want));
			CU_ASSERT_STRING_EQUAL(r.err, "");
			if (r.status != 0 || strstr(r.out, want) == NULL)
				fprintf(stderr, "\n  railgate %s: %d\n%s%s", args,
				    r.status, r.out, r.err);
			run_free(&r);
		}
}

/* A row of the table: arguments, exit status, a text expected. */
struct usage_row {
	const char	*args;
	int		 status;
	const char	*want;		/* on stderr; stdout for status 0 */
	bool		 one_line;	/* a usage error: one line and the hint */
};

static const struct usage_row usage_rows[] = {
	/* The program itself. */
	{ "", EX_USAGE, "no command given", true },
	{ "repaly --all", EX_USAGE, "\"repaly\" is not a command; did you "
	    "mean 'replay'?", true },
	{ "tokne list", EX_USAGE, "did you mean 'token'?", true },
	{ "xyzzy", EX_USAGE, "\"xyzzy\" is not a command", true },
	{ "help", 0, "usage: railgate COMMAND", false },
	{ "help check", 0, "usage: railgate check", false },
	{ "help rules lint", 0, "railgate rules lint DIR", false },
	{ "help token revoke", 0, "railgate token revoke NAME|ID", false },
	{ "help nope", EX_USAGE, "\"nope\" is not a command", true },
	{ "--version", 0, "railgate ", false },
	/* Bad numbers. */
	{ "gen --wagons abc", EX_USAGE, "--wagons", false },
	{ "check --threads abc x.edi", EX_USAGE, "check: --threads: \"abc\" is "
	    "not a number from 0 to 1024", true },
	{ "replay --all --threads -3", EX_USAGE, "--threads: \"-3\" is not a "
	    "number", true },
	{ "token create --role officer --name a --expires 1x", EX_USAGE,
	    "--expires: \"1x\" is not a number from 1 to 36500", true },
	{ "notices listen --secret s --port 99999", EX_USAGE, "--port: "
	    "\"99999\" is not a number from 1 to 65535", true },
	{ "notices listen --secret s --status ok", EX_USAGE, "--status", true },
	/* Unknown options and values. */
	{ "check --bogus x.edi", EX_USAGE, "check: --bogus: unknown option",
	    true },
	{ "check -Z x.edi", EX_USAGE, "check: -Z: unknown option", true },
	{ "check --format yaml x.edi", EX_USAGE, "--format: \"yaml\" is not a "
	    "format", true },
	{ "parse --format xml x.edi", EX_USAGE, "--format: \"xml\"", true },
	{ "report X8024 --format pdf", EX_USAGE, "--format: \"pdf\"", true },
	{ "replay --all --format csv", EX_USAGE, "--format: \"csv\"", true },
	{ "token list --format yaml", EX_USAGE, "token list: --format", true },
	{ "submit --bogus http://x f", EX_USAGE, "--bogus: unknown option",
	    true },
	{ "verify --bogus b.json", EX_USAGE, "--bogus: unknown option", true },
	{ "officer list --bogus", EX_USAGE, "officer list: --bogus", true },
	{ "db migrate --bogus", EX_USAGE, "db migrate: --bogus", true },
	{ "rules lint --bogus", EX_USAGE, "rules lint: --bogus", true },
	{ "lists import --bogus", EX_USAGE, "lists import: --bogus", true },
	/* Missing values and arguments. */
	{ "check --rules", EX_USAGE, "--rules: needs a value", true },
	{ "check", EX_USAGE, "give at least one manifest FILE", true },
	{ "parse", EX_USAGE, "give at least one manifest FILE", true },
	{ "rules", EX_USAGE, "give a sub-command: lint or test", true },
	{ "rules lint", EX_USAGE, "rules lint: give the rule set's DIR", true },
	{ "rules frob etc/rules/default", EX_USAGE, "rules: frob: not a "
	    "sub-command", true },
	{ "lists import", EX_USAGE, "give the list's FILE.xml", true },
	{ "lists export x", EX_USAGE, "lists: export: not a sub-command", true },
	{ "submit", EX_USAGE, "give the daemon's URL", true },
	{ "submit http://127.0.0.1:1 f.edi", EX_USAGE, "no token", true },
	{ "submit --token t ftp://x f.edi", EX_USAGE, "submit: ", true },
	{ "verify b.json", EX_USAGE, "--key STATION_PUB is required", true },
	{ "verify", EX_USAGE, "give the BUNDLE file", true },
	{ "notices", EX_USAGE, "listen or rotate-key", true },
	{ "notices listen", EX_USAGE, "--secret SECRET is required", true },
	{ "notices rotate-key", EX_USAGE, "--new-key FILE is required", true },
	{ "db", EX_USAGE, "give a sub-command: migrate", true },
	{ "db migrat", EX_USAGE, "db: migrat: not a sub-command", true },
	{ "token", EX_USAGE, "give a sub-command: create, list or revoke",
	    true },
	{ "token frob", EX_USAGE, "token: frob: not a sub-command", true },
	{ "token create --name a", EX_USAGE, "--role ROLE is required", true },
	{ "token create --role officer", EX_USAGE, "--name NAME is required",
	    true },
	{ "token revoke", EX_USAGE, "give the token's NAME or ID", true },
	{ "officer", EX_USAGE, "give a sub-command", true },
	{ "officer add", EX_USAGE, "give the officer's NAME", true },
	{ "officer add Bob --role officer", EX_USAGE, "officer add: Bob: a "
	    "NAME is a-z", true },
	{ "officer add bob", EX_USAGE, "--role ROLE is required", true },
	{ "session", EX_USAGE, "give a sub-command: revoke", true },
	{ "session revoke", EX_USAGE, "give the officer's NAME", true },
	{ "bundle", EX_USAGE, "give a TRAIN", true },
	{ "report", EX_USAGE, "give a TRAIN", true },
	{ "report A B --dsn x", EX_USAGE, "B: unexpected argument", true },
	{ "replay", EX_USAGE, "give one of --train, --since", true },
	{ "replay --all --train X8024", EX_USAGE, "give one of --train", true },
	{ "replay --dsn x --url http://a --all", EX_USAGE, "give one of --dsn "
	    "or --url", true },
	{ "replay --url http://127.0.0.1:1 --all", EX_USAGE, "--url: needs "
	    "--token", true },
	{ "replay --all --until 2026-01-01", EX_USAGE, "--until: goes with "
	    "--since", true },
	/* Unknown roles. */
	{ "token create --role king --name a", EX_USAGE, "token create: --role: "
	    "\"king\" is not a role (officer, supervisor, auditor, operator, "
	    "admin or device)", true },
	{ "officer add bob --role device", EX_USAGE, "--role: \"device\" is not "
	    "a role of an officer", true },
	{ "token create --role operator --name a", EX_USAGE, "needs --carrier",
	    true },
	{ "token create --role officer --name a --carrier KZ-KTZE", EX_USAGE,
	    "--carrier: is for operator tokens only", true },
	{ "token create --role operator --name a --carrier 'a b'", EX_USAGE,
	    "--carrier: \"a b\" is not a carrier identifier", true },
	/* Values checked before any database work. */
	{ "replay --since garbage", EX_USAGE, "replay: --since: \"garbage\" is "
	    "not a date or time (2026-01-31, 2026-01-31T12:00:00Z", true },
	{ "replay --since 2026-01-01 --until soon", EX_USAGE, "--until: "
	    "\"soon\"", true },
	{ "replay --train 'X 1'", EX_USAGE, "--train: \"X 1\" is not a train id",
	    true },
	{ "replay --train X8024@0", EX_USAGE, "is not a train id", true },
	/* No DSN: said, with how to give one. */
	{ "report X8024", EX_USAGE, "report: no DSN given: give --dsn DSN, set "
	    "RAILGATE_DSN, or set libpq's PGHOST, PGDATABASE and PGUSER", true },
	{ "replay --all", EX_USAGE, "replay: no DSN given", true },
	{ "bundle X8024", EX_USAGE, "bundle: no DSN given", true },
	{ "token list -c /nonexistent/railgate.conf", EX_CONFIG,
	    "/nonexistent/railgate.conf", false },
};

/* Each row: its status, its text, and a usage error's two lines. */
static void
t_cli_usage_table(void)
{
	struct run_result	 r;
	const struct usage_row	*u;
	char			 hint[128];
	const char		*where;
	size_t			 i;

	for (i = 0; i < nitems(usage_rows); i++) {
		u = &usage_rows[i];
		run(u->args, &r);
		where = u->status == 0 ? r.out : r.err;
		CU_ASSERT_EQUAL(r.status, u->status);
		CU_ASSERT_PTR_NOT_NULL(strstr(where, u->want));
		if (u->one_line) {
			/* One line of reason, the hint, no usage text. */
			CU_ASSERT_EQUAL(lines(r.err), 2);
			CU_ASSERT_PTR_NULL(strstr(r.err, "usage:"));
			CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "\ntry 'railgate "));
			CU_ASSERT_STRING_EQUAL(r.out, "");
		}
		if (r.status != u->status || strstr(where, u->want) == NULL ||
		    (u->one_line && lines(r.err) != 2))
			fprintf(stderr, "\n  railgate %s: %d, want %d \"%s\"\n"
			    "%s%s", u->args, r.status, u->status, u->want, r.out,
			    r.err);
		run_free(&r);
	}
	/* The hint names the sub-command the error is about. */
	run("token create --role king --name a", &r);
	snprintf(hint, sizeof hint, "try 'railgate token create --help'\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, hint));
	run_free(&r);
}

/* `railgate help CMD` is CMD --help, word for word. */
static void
t_cli_usage_help_is_the_commands(void)
{
	struct run_result	a, b;

	run("help replay", &a);
	run("replay --help", &b);
	CU_ASSERT_EQUAL(a.status, 0);
	CU_ASSERT_STRING_EQUAL(a.out, b.out);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.out, "RAILGATE_DSN"));
	run_free(&a);
	run_free(&b);
	/* The general help names every command. */
	run("help", &a);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.out, "  token "));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.out, "  session "));
	run_free(&a);
}

/* Calls db_error() with stderr caught; its status, the text in *text. */
static int
db_error_caught(const char *dsn, const char *cause, char **text)
{
	char	path[] = "/tmp/railgate-dberr-XXXXXX";
	int	fd, saved, rc;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = mkstemp(path);
	dup2(fd, STDERR_FILENO);
	rc = db_error("report", "cannot read the train's record", dsn, cause);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	*text = slurp(path);
	unlink(path);
	return rc;
}

/* Database failures: our line, PostgreSQL's line, the status. */
static void
t_cli_usage_db_errors(void)
{
	static const struct {
		const char	*cause;
		int		 status;
		const char	*ours, *theirs;
	} rows[] = {
		{ "cannot connect to the database: connection to server on "
		    "socket \"/tmp/nope/.s.PGSQL.5432\" failed: No such file or "
		    "directory\n\tIs the server running locally and accepting "
		    "connections on that socket?\n", EX_UNAVAILABLE,
		    "railgate report: cannot connect to the database at "
		    "host=/tmp/nope", "  PostgreSQL: connection to server on "
		    "socket \"/tmp/nope/.s.PGSQL.5432\" failed: No such file or "
		    "directory Is the server running" },
		{ "ERROR:  42501: permission denied for table notices\n"
		    "LOCATION:  aclcheck_error, aclchk.c:2843\n", EX_NOPERM,
		    "railgate report: cannot read the train's record: the role "
		    "auditor has no permission on table notices\n",
		    "  PostgreSQL: ERROR:  42501: permission denied for table "
		    "notices\n" },
		{ "FATAL:  57P01: terminating connection due to administrator "
		    "command\n", EX_UNAVAILABLE, "the database is unavailable",
		    "57P01" },
		{ "ERROR:  42P01: relation \"trains\" does not exist\n",
		    EX_CONFIG, "no railgate schema", "relation \"trains\"" },
		{ "ERROR:  40001: could not serialize access\n", EX_TEMPFAIL,
		    "try again", "40001" },
		{ "ERROR:  22007: invalid input syntax for type timestamp\n",
		    EX_DATAERR, "refused the data", "22007" },
		{ "ERROR:  XX000: something odd\n", EX_SOFTWARE,
		    "failed the statement", "XX000" },
		{ "rule set abc is not stored", EX_SOFTWARE, "record: rule set "
		    "abc is not stored\n", "" },
	};
	char	*text;
	size_t	 i;

	for (i = 0; i < nitems(rows); i++) {
		CU_ASSERT_EQUAL(db_error_caught("host=/tmp/nope dbname=railgate "
		    "user=auditor password=secret", rows[i].cause, &text),
		    rows[i].status);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, rows[i].ours));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, rows[i].theirs));
		/* Never the password; never LOCATION. */
		CU_ASSERT_PTR_NULL(strstr(text, "secret"));
		CU_ASSERT_PTR_NULL(strstr(text, "LOCATION"));
		CU_ASSERT(lines(text) <= 2);
		if (strstr(text, rows[i].ours) == NULL)
			fprintf(stderr, "\n  row %zu: %s", i, text);
		free(text);
	}
}

/* "1 train", "2 trains", and the replay's report in the right number. */
static void
t_cli_usage_plurals(void)
{
	struct buf	 b = { 0 };
	char		 n[32];
	json_t		*report;

	CU_ASSERT_STRING_EQUAL(plural(n, sizeof n, 1, "train", "trains"),
	    "1 train");
	CU_ASSERT_STRING_EQUAL(plural(n, sizeof n, 0, "train", "trains"),
	    "0 trains");
	CU_ASSERT_STRING_EQUAL(plural(n, sizeof n, 2, "entry", "entries"),
	    "2 entries");
	report = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:[], "
	    "s:{s:b, s:i}}", "trains", 1, "decisions", 1, "provisional", 1,
	    "final", 1, "identical", 1, "different", 0, "failed", 0, "seconds",
	    0.1, "differences", "audit", "intact", 1, "checked", 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(report);
	replay_report_text(report, &b);
	buf_add_char(&b, '\0');
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "replay: 1 train, 1 decision, "
	    "all identical"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "1 provisional decision "
	    "evaluated again, 1 final decision rebuilt"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "intact, 1 record checked"));
	CU_ASSERT_PTR_NULL(strstr(b.data, " 1 trains"));
	buf_free(&b);
	json_decref(report);
}

static CU_TestInfo cli_usage_tests[] = {
	{ "t_cli_usage_help_everywhere", t_cli_usage_help_everywhere },
	{ "t_cli_usage_table", t_cli_usage_table },
	{ "t_cli_usage_help_is_the_commands", t_cli_usage_help_is_the_commands },
	{ "t_cli_usage_db_errors", t_cli_usage_db_errors },
	{ "t_cli_usage_plurals", t_cli_usage_plurals },
	CU_TEST_INFO_NULL
};

TEST_SUITE("cli_usage", NULL, NULL, cli_usage_tests)
