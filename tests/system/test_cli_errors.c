/*
 * test_cli_errors.c -- the rows of the command line's table that need a
 * database (the others are tests/unit/test_cli_usage.c), against the
 * harness's PostgreSQL: a train that does not exist is an error naming it
 * (66) for replay (here and through the daemon, --url), report and
 * bundle, not an empty success; a database that cannot be reached is 69 and a role without the grants 77, each as
 * one line of our words and PostgreSQL's on the next; and the DSN found
 * where the manual says: --dsn, RAILGATE_DSN alone, libpq's PG* variables
 * alone, --dsn before RAILGATE_DSN.
 */
#include <sys/wait.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

/* Every variable that could name a database, cleared for each run. */
#define CLEAN_ENV "env -u RAILGATE_DSN -u PGHOST -u PGHOSTADDR -u PGSERVICE " \
	"-u PGDATABASE -u PGUSER -u PGPORT -u PGPASSWORD "

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			nobody_dsn[600], auditor[64];

struct cli_run {
	int	 status;
	char	*out, *err;	/* owned */
};

static char *
slurp(const char *path)
{
	char	*data = NULL;
	size_t	 len;

	return file_read_all(path, &data, &len) < 0 ? xstrdup("") : data;
}

/* Runs `env ENV railgate ARGS` with no other DSN in the environment. */
static void
cli(struct cli_run *r, const char *env, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
cli(struct cli_run *r, const char *env, const char *fmt, ...)
{
	char	dir[] = "/tmp/railgate-clierr-XXXXXX", args[1500], cmd[2400];
	char	o[64], e[64];
	va_list	ap;
	int	st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	memset(r, 0, sizeof *r);
	r->status = -1;
	if (mkdtemp(dir) == NULL)
		return;
	snprintf(o, sizeof o, "%s/out", dir);
	snprintf(e, sizeof e, "%s/err", dir);
	snprintf(cmd, sizeof cmd, CLEAN_ENV "%s %s/railgate %s >%s 2>%s "
	    "</dev/null", env, test_build_dir(), args, o, e);
	st = system(cmd);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(o);
	r->err = slurp(e);
	unlink(o);
	unlink(e);
	rmdir(dir);
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

/* Checks status and a text on stderr; says what came instead. */
static void
expect(struct cli_run *r, int status, const char *err_text)
{
	CU_ASSERT_EQUAL(r->status, status);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->err, err_text));
	if (r->status != status || strstr(r->err, err_text) == NULL)
		fprintf(stderr, "\n  want %d \"%s\", got %d:\n%s%s", status,
		    err_text, r->status, r->out, r->err);
	free(r->out);
	free(r->err);
}

/* The value of keyword in the harness's DSN into buf. */
static const char *
dsn_value(const char *dsn, const char *key, char *buf, size_t size)
{
	char		 k[32];
	const char	*p;

	snprintf(k, sizeof k, "%s=", key);
	p = strstr(dsn, k);
	snprintf(buf, size, "%.*s", p != NULL ? (int)strcspn(p + strlen(k),
	    " ") : 0, p != NULL ? p + strlen(k) : "");
	return buf;
}

static int
cli_errors_init(void)
{
	struct cli_run	r;
	char		host[300], port[16], env[600];

	if (harness_pg_start(&pg) < 0)
		return -1;
	/* The schema through the command itself, with RAILGATE_DSN alone. */
	snprintf(env, sizeof env, "RAILGATE_DSN='%s'", pg.dsn);
	cli(&r, env, "db migrate");
	if (r.status != 0 || strstr(r.out, "schema at version") == NULL) {
		fprintf(stderr, "db migrate: %d %s%s\n", r.status, r.out, r.err);
		return -1;
	}
	free(r.out);
	free(r.err);
	/* A role that may log in and read nothing. */
	free(harness_sql(&pg, "CREATE ROLE rg_nobody LOGIN"));
	if (harness_daemon_start(&dm, pg.conf) < 0 ||
	    harness_token(&pg, "auditor", "a.auditor", auditor) < 0)
		return -1;
	snprintf(nobody_dsn, sizeof nobody_dsn, "host=%s port=%s "
	    "dbname=postgres user=rg_nobody", dsn_value(pg.dsn, "host", host,
	    sizeof host), dsn_value(pg.dsn, "port", port, sizeof port));
	return 0;
}

static int
cli_errors_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* A train that is not there: named, 66, for each command. */
static void
t_cli_errors_unknown_train(void)
{
	struct cli_run	r;

	cli(&r, "", "replay --dsn '%s' --train NOPE", pg.app_dsn);
	expect(&r, EX_NOINPUT, "--train NOPE: no such train");
	cli(&r, "", "replay --dsn '%s' --train NOPE@2 --format json",
	    pg.app_dsn);
	expect(&r, EX_NOINPUT, "NOPE@2");
	/* The owner's DSN: the application role's grants are migration
	 * 035's (the report reads notices, which 001 did not grant). */
	cli(&r, "", "report NOPE --dsn '%s'", pg.dsn);
	expect(&r, EX_NOINPUT, "report: NOPE: no such train");
	cli(&r, "", "bundle NOPE --dsn '%s'", pg.app_dsn);
	expect(&r, EX_NOINPUT, "bundle: NOPE: no such train");
	/* Nothing on stdout: no "0 trains ... all identical". */
	cli(&r, "", "replay --dsn '%s' --train NOPE", pg.app_dsn);
	CU_ASSERT_STRING_EQUAL(r.out, "");
	expect(&r, EX_NOINPUT, "NOPE");
	/* The daemon's replay of it (--url): the same. */
	cli(&r, "", "replay --url http://127.0.0.1:%d --token %s --train NOPE",
	    dm.port, auditor);
	CU_ASSERT_PTR_NULL(strstr(r.out, "all identical"));
	expect(&r, EX_NOINPUT, "--train NOPE: no such train");
	/* A period with nothing in it is not an error: nothing to say. */
	cli(&r, "", "replay --dsn '%s' --since 2026-01-01", pg.app_dsn);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "replay: 0 trains, 0 decisions"));
	expect(&r, 0, "");
}

/* No server at the socket: 69, our line, then PostgreSQL's. */
static void
t_cli_errors_cannot_connect(void)
{
	static const char *const cmds[] = { "report X8024", "replay --all",
	    "bundle X8024", "token list", "officer list", "db migrate" };
	const char	*dsn = "host=/tmp/railgate-no-server port=5432 "
			    "dbname=railgate user=someone password=hunter2";
	struct cli_run	 r;
	size_t		 i;

	for (i = 0; i < nitems(cmds); i++) {
		cli(&r, "", "%s --dsn '%s'", cmds[i], dsn);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "\n  PostgreSQL: "));
		CU_ASSERT_PTR_NULL(strstr(r.err, "hunter2"));
		CU_ASSERT_EQUAL(lines(r.err), 2);
		expect(&r, EX_UNAVAILABLE, "cannot connect to the database at "
		    "host=/tmp/railgate-no-server port=5432 dbname=railgate "
		    "user=someone\n");
	}
	/* --since is checked before any connection is tried. */
	cli(&r, "", "replay --dsn '%s' --since garbage", dsn);
	expect(&r, EX_USAGE, "--since: \"garbage\" is not a date");
}

/* A role without the grants: 77, naming the role and the table. */
static void
t_cli_errors_permission_denied(void)
{
	struct cli_run	r;

	cli(&r, "", "replay --all --dsn '%s'", nobody_dsn);
	expect(&r, EX_NOPERM, "replay: cannot read the stored decisions: the "
	    "role rg_nobody has no permission on table ");
	cli(&r, "", "replay --train X8024 --dsn '%s'", nobody_dsn);
	expect(&r, EX_NOPERM, "has no permission");
	cli(&r, "", "report X8024 --dsn '%s'", nobody_dsn);
	expect(&r, EX_NOPERM, "report: cannot read the train's record: the "
	    "role rg_nobody has no permission");
	cli(&r, "", "token list --dsn '%s'", nobody_dsn);
	expect(&r, EX_NOPERM, "token list: cannot read the tokens: the role "
	    "rg_nobody has no permission on table tokens");
	cli(&r, "", "token list --dsn '%s'", nobody_dsn);
	expect(&r, EX_NOPERM, "\n  PostgreSQL: ERROR:  42501: permission "
	    "denied for table tokens\n");
}

/* The DSN from RAILGATE_DSN alone, from PG* alone, --dsn first. */
static void
t_cli_errors_dsn_sources(void)
{
	struct cli_run	r;
	char		env[900], host[300], port[16];

	snprintf(env, sizeof env, "RAILGATE_DSN='%s'", pg.app_dsn);
	cli(&r, env, "replay --all");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "all identical"));
	expect(&r, 0, "");
	cli(&r, env, "bundle NOPE");
	expect(&r, EX_NOINPUT, "NOPE: no such train");
	cli(&r, env, "token list");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "NAME"));
	expect(&r, 0, "");
	/* libpq's own variables, and nothing else. */
	snprintf(env, sizeof env, "PGHOST='%s' PGPORT=%s PGUSER=railgate_app "
	    "PGDATABASE=postgres", dsn_value(pg.dsn, "host", host, sizeof host),
	    dsn_value(pg.dsn, "port", port, sizeof port));
	cli(&r, env, "replay --all --format json");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\"decisions\": 0"));
	expect(&r, 0, "");
	cli(&r, env, "bundle NOPE");
	expect(&r, EX_NOINPUT, "NOPE: no such train");
	snprintf(env, sizeof env, "PGHOST='%s' PGPORT=%s PGUSER=postgres "
	    "PGDATABASE=postgres", host, port);
	cli(&r, env, "report NOPE");
	expect(&r, EX_NOINPUT, "NOPE: no such train");
	/* PGUSER names the role: one without grants is refused as such. */
	snprintf(env, sizeof env, "PGHOST='%s' PGPORT=%s PGUSER=rg_nobody "
	    "PGDATABASE=postgres", host, port);
	cli(&r, env, "replay --all");
	expect(&r, EX_NOPERM, "the role rg_nobody has no permission");
	/* --dsn before RAILGATE_DSN. */
	snprintf(env, sizeof env, "RAILGATE_DSN='host=/tmp/railgate-no-server'");
	cli(&r, env, "replay --all --dsn '%s'", pg.app_dsn);
	expect(&r, 0, "");
	cli(&r, env, "replay --all");
	expect(&r, EX_UNAVAILABLE, "at host=/tmp/railgate-no-server");
}

/* Counts in the right number: an officer's sessions in the list. */
static void
t_cli_errors_plurals(void)
{
	struct cli_run	r;
	char		cmd[1200];

	snprintf(cmd, sizeof cmd, "printf 'a long enough password\\n' | %s/railgate "
	    "officer add p.one --role officer --dsn '%s' >/dev/null",
	    test_build_dir(), pg.app_dsn);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	cli(&r, "", "officer list --dsn '%s'", pg.app_dsn);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "p.one\tofficer\tenabled\t-\t"
	    "0 sessions\t"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "session(s)"));
	expect(&r, 0, "");
	cli(&r, "", "session revoke p.one --dsn '%s'", pg.app_dsn);
	CU_ASSERT_STRING_EQUAL(r.out, "0 sessions of p.one revoked\n");
	expect(&r, 0, "");
}

static CU_TestInfo cli_errors_tests[] = {
	{ "t_cli_errors_unknown_train", t_cli_errors_unknown_train },
	{ "t_cli_errors_cannot_connect", t_cli_errors_cannot_connect },
	{ "t_cli_errors_permission_denied", t_cli_errors_permission_denied },
	{ "t_cli_errors_dsn_sources", t_cli_errors_dsn_sources },
	{ "t_cli_errors_plurals", t_cli_errors_plurals },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_cli_errors", cli_errors_init, cli_errors_clean,
    cli_errors_tests)
