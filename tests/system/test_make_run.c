/*
 * test_make_run.c -- `make run` for a first hour (issue 21, item 5), and
 * scripts/pgcluster.sh, which it and the harness start PostgreSQL with.
 *
 * scripts/run.sh runs as `make run` does, in its own process group (a
 * terminal's foreground job), with its files in a private directory
 * (RAILGATE_VAR) and on a free port (RAILGATE_LISTEN): it prints a token
 * for every role, admin included, each working for its role; it names
 * every fixture the daemon refuses with the daemon's reason; Ctrl-C (a
 * SIGINT to the group) stops the daemon and then the private PostgreSQL.
 * pgcluster.sh resolves a relative directory (it changes to / as root,
 * where a relative path meant nothing and stop did nothing, exiting 0),
 * and says what is wrong, non-zero, when DIR is no cluster.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static char	repo[512];
static char	run_var[64];	/* t_run_make_run's directory, for the next */

static int
run_suite_init(void)
{
	return getcwd(repo, sizeof repo) != NULL ? 0 : -1;
}

static int
run_suite_clean(void)
{
	return 0;
}

/* A fresh directory under /tmp that postgres can enter (as root). */
static bool
scratch_dir(char *out, size_t size)
{
	snprintf(out, size, "/tmp/railgate-run.XXXXXX");
	if (mkdtemp(out) == NULL)
		return false;
	return chmod(out, 0755) == 0;
}

static void
remove_dir(const char *dir)
{
	char	cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* A file's whole text (caller frees), or NULL; read to its end, for
 * /proc files have no size. */
static char *
slurp(const char *path)
{
	char	*s;
	size_t	 len = 0, cap = 4096, n;
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	s = xcalloc(1, cap + 1);
	while ((n = fread(s + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			s = xreallocarray(s, cap * 2 + 1, 1);
			cap *= 2;
		}
	}
	s[len] = '\0';
	fclose(f);
	return s;
}

/* The first line of a file as a pid, or 0. */
static pid_t
pid_in(const char *path)
{
	char	*s = slurp(path);
	pid_t	 pid = s != NULL ? (pid_t)atol(s) : 0;

	free(s);
	return pid;
}

/* True when pid is gone: no such process, or a zombie nobody reaped yet. */
static bool
process_gone(pid_t pid)
{
	char	path[64], *s, *p;
	bool	gone;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((s = slurp(path)) == NULL)
		return true;
	p = strrchr(s, ')');
	gone = p != NULL && p[1] == ' ' && p[2] == 'Z';
	free(s);
	return gone;
}

/* Runs sh -c cmd; its exit status (-1 when it did not exit). */
static int
shell(const char *cmd)
{
	int	st = system(cmd);

	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * pgcluster.sh start and stop with a relative directory, from another
 * working directory: the cluster starts there and stop really stops it.
 */
static void
t_run_pgcluster_relative(void)
{
	char	base[64], cmd[1400], path[256];
	pid_t	postmaster;

	CU_ASSERT_FATAL(scratch_dir(base, sizeof base));
	snprintf(cmd, sizeof cmd, "cd '%s' && '%s/scripts/pgcluster.sh' start "
	    "pg > dsn", base, repo);
	CU_ASSERT_EQUAL(shell(cmd), 0);
	snprintf(path, sizeof path, "%s/pg/data/postmaster.pid", base);
	postmaster = pid_in(path);
	CU_ASSERT(postmaster > 0);
	CU_ASSERT(postmaster > 0 && !process_gone(postmaster));
	snprintf(cmd, sizeof cmd, "cd '%s' && '%s/scripts/pgcluster.sh' stop "
	    "pg", base, repo);
	CU_ASSERT_EQUAL(shell(cmd), 0);
	CU_ASSERT(postmaster > 0 && process_gone(postmaster));
	CU_ASSERT(access(path, F_OK) < 0);
	/* Stopped already: says so, and succeeds. */
	CU_ASSERT_EQUAL(shell(cmd), 0);
	remove_dir(base);
}

/* pgcluster.sh stop, kill and dsn on a directory that is no cluster. */
static void
t_run_pgcluster_not_a_cluster(void)
{
	static const char *const verbs[] = { "stop", "kill", "dsn" };
	char	base[64], cmd[1400], path[256], *err;
	size_t	i;

	CU_ASSERT_FATAL(scratch_dir(base, sizeof base));
	snprintf(path, sizeof path, "%s/err", base);
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		snprintf(cmd, sizeof cmd, "cd '%s' && '%s/scripts/pgcluster.sh' "
		    "%s . 2> err", base, repo, verbs[i]);
		CU_ASSERT_EQUAL(shell(cmd), 66);
		err = slurp(path);
		CU_ASSERT_PTR_NOT_NULL(err);
		CU_ASSERT(err != NULL && strstr(err, base) != NULL &&
		    strstr(err, "is not a PostgreSQL cluster") != NULL);
		free(err);
	}
	snprintf(cmd, sizeof cmd, "cd '%s' && '%s/scripts/pgcluster.sh' stop "
	    "nowhere 2> err", base, repo);
	CU_ASSERT_EQUAL(shell(cmd), 66);
	err = slurp(path);
	CU_ASSERT(err != NULL && strstr(err, "/nowhere: no such directory") !=
	    NULL);
	free(err);
	remove_dir(base);
}

/* Starts scripts/run.sh in a process group of its own; its pid, or -1. */
static pid_t
run_start(const char *var, int port, const char *out)
{
	char	listen[64];
	pid_t	pid;
	int	fd;

	snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
	if ((pid = fork()) != 0)
		return pid;
	setpgid(0, 0);
	setenv("RAILGATE_VAR", var, 1);
	setenv("RAILGATE_LISTEN", listen, 1);
	if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		_exit(127);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	execl("/bin/sh", "sh", "scripts/run.sh", test_build_dir(), (char *)NULL);
	_exit(127);
}

/* Waits for the child within ms; its exit status, or -1 (then killed). */
static int
run_wait(pid_t pid, int ms)
{
	int	st;

	for (; ms > 0; ms -= 100) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 +
			    WTERMSIG(st);
		usleep(100000);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* The token of role in the tokens file's text, copied to out. */
static bool
token_of(const char *tokens, const char *role, char *out, size_t size)
{
	char		 key[32];
	const char	*p;
	size_t		 n;

	snprintf(key, sizeof key, "%s=", role);
	for (p = tokens; p != NULL; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (strncmp(p, key, strlen(key)) != 0)
			continue;
		p += strlen(key);
		n = strcspn(p, "\n");
		if (n == 0 || n >= size)
			return false;
		snprintf(out, size, "%.*s", (int)n, p);
		return true;
	}
	return false;
}

/* A request with token; the HTTP status, or -1. */
static int
call(int port, const char *token, const char *method, const char *path,
    const char *body, char **reply)
{
	struct harness_response	 r;
	char			 hdr[256];
	int			 status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s", token,
	    body != NULL ? "Content-Type: application/json\r\n" : "");
	if (harness_http(port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, &r) < 0)
		return -1;
	status = r.status;
	if (reply != NULL)
		*reply = xstrdup(r.body != NULL ? r.body : "");
	harness_response_free(&r);
	return status;
}

/* Each role's token is that role's: /v1/session names it. */
static void
check_tokens(int port, const char *path)
{
	static const char *const roles[] = {
		"operator", "officer", "supervisor", "auditor", "admin",
	};
	struct stat	 sb;
	char		*tokens, tok[128], want[64], *body;
	size_t		 i;

	CU_ASSERT_EQUAL_FATAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 0777, 0600);
	tokens = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tokens);
	for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		CU_ASSERT_FATAL(token_of(tokens, roles[i], tok, sizeof tok));
		body = NULL;
		CU_ASSERT_EQUAL(call(port, tok, "GET", "/v1/session", NULL,
		    &body), 200);
		snprintf(want, sizeof want, "\"role\":\"%s\"", roles[i]);
		CU_ASSERT(body != NULL && strstr(body, want) != NULL);
		free(body);
	}
	/* The admin registers a webhook; an officer may not. */
	CU_ASSERT(token_of(tokens, "admin", tok, sizeof tok));
	CU_ASSERT_EQUAL(call(port, tok, "PUT", "/v1/subscriptions/first-hour",
	    "{\"url\":\"https://93.184.215.14/hooks\",\"formats\":[\"json\"],"
	    "\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}", NULL),
	    200);
	CU_ASSERT(token_of(tokens, "officer", tok, sizeof tok));
	CU_ASSERT_EQUAL(call(port, tok, "PUT", "/v1/subscriptions/first-hour",
	    "{}", NULL), 403);
	CU_ASSERT(token_of(tokens, "operator", tok, sizeof tok));
	CU_ASSERT_EQUAL(call(port, tok, "GET", "/v1/trains", NULL, NULL), 200);
	free(tokens);
}

/* Waits until the output holds needle (within ms). */
static bool
output_has(const char *out, const char *needle, int ms)
{
	char	*s;
	bool	 found = false;

	for (; ms > 0 && !found; ms -= 200) {
		s = slurp(out);
		found = s != NULL && strstr(s, needle) != NULL;
		free(s);
		if (!found)
			usleep(200000);
	}
	return found;
}

/*
 * `make run` as a new user meets it: the tokens, the refused fixtures
 * named with the daemon's reason, then Ctrl-C stops the daemon and the
 * private PostgreSQL.
 */
static void
t_run_make_run(void)
{
	char	 var[64], out[128], path[256], *text;
	pid_t	 run, daemon, postmaster;
	int	 port = harness_free_port();

	CU_ASSERT_FATAL(port > 0 && scratch_dir(var, sizeof var));
	snprintf(out, sizeof out, "%s/out", var);
	run = run_start(var, port, out);
	CU_ASSERT_FATAL(run > 0);
	if (!output_has(out, "railgate: stop with Ctrl-C", 120000)) {
		text = slurp(out);
		fprintf(stderr, "\nscripts/run.sh said:\n%s\n", text ? text : "");
		free(text);
		kill(-run, SIGTERM);
		run_wait(run, 60000);
		CU_FAIL_FATAL("scripts/run.sh did not come up");
	}
	snprintf(path, sizeof path, "%s/railgated.pid", var);
	daemon = pid_in(path);
	snprintf(path, sizeof path, "%s/pg/data/postmaster.pid", var);
	postmaster = pid_in(path);
	CU_ASSERT(daemon > 0 && postmaster > 0);

	snprintf(path, sizeof path, "%s/make-run-tokens", var);
	check_tokens(port, path);
	text = slurp(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	/* The fixtures without a carrier, refused with the daemon's words. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "railgate: fixture "
	    "fixtures/edifact/cuscar_level_b.edi refused: 403 Carrier not "
	    "bound to this token: the manifest names no carrier"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "(field train.carrier.id)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "railgate: 13 fixture trains: 10 submitted, 3 refused\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "railgate:   admin      rg_"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "register, list and delete "
	    "webhook subscriptions"));
	free(text);

	/* Ctrl-C: the terminal's SIGINT to the whole foreground group. */
	CU_ASSERT_EQUAL(kill(-run, SIGINT), 0);
	CU_ASSERT_EQUAL(run_wait(run, 60000), 0);
	CU_ASSERT(daemon > 0 && process_gone(daemon));
	CU_ASSERT(postmaster > 0 && process_gone(postmaster));
	CU_ASSERT(output_has(out, "railgate: the private PostgreSQL under ",
	    1000));
	if (postmaster > 0 && !process_gone(postmaster)) {
		snprintf(path, sizeof path, "scripts/pgcluster.sh kill '%s/pg'",
		    var);
		(void)shell(path);
		remove_dir(var);
		return;
	}
	snprintf(run_var, sizeof run_var, "%s", var);
}

/* The tokens file's text without its line for role (rewritten). */
static bool
drop_token(const char *path, const char *role)
{
	char	*text = slurp(path), *p, *e;
	FILE	*f;
	bool	 ok;

	if (text == NULL)
		return false;
	for (p = text; *p != '\0'; p = e) {
		e = p + strcspn(p, "\n");
		e += *e == '\n';
		if (strncmp(p, role, strlen(role)) == 0 && p[strlen(role)] == '=') {
			memmove(p, e, strlen(e) + 1);
			break;
		}
	}
	ok = (f = fopen(path, "w")) != NULL && fputs(text, f) >= 0;
	if (f != NULL && fclose(f) != 0)
		ok = false;
	free(text);
	return ok;
}

/*
 * The next `make run` on the same directory, left in the background
 * (its shell detached from any terminal), stopped by `make stop`
 * (scripts/run.sh stop): the daemon, then the private PostgreSQL.  The
 * run before admin tokens existed is simulated by dropping the admin's
 * line: the next start makes it and keeps the others.
 */
static void
t_run_make_stop(void)
{
	char	 out[128], path[256], cmd[600], *before, *after, tok[128];
	pid_t	 run, daemon, postmaster;
	int	 port = harness_free_port(), st;

	if (run_var[0] == '\0')
		CU_FAIL_FATAL("t_run_make_run left no directory");
	snprintf(path, sizeof path, "%s/make-run-tokens", run_var);
	CU_ASSERT_FATAL(drop_token(path, "admin"));
	before = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	CU_ASSERT_PTR_NULL(strstr(before, "admin="));
	snprintf(out, sizeof out, "%s/out2", run_var);
	run = run_start(run_var, port, out);
	CU_ASSERT_FATAL(run > 0);
	if (!output_has(out, "railgate: stop with Ctrl-C", 120000)) {
		kill(-run, SIGTERM);
		run_wait(run, 60000);
		CU_FAIL_FATAL("scripts/run.sh did not come up again");
	}
	after = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);
	/* The others kept as they were, the admin's made and working. */
	CU_ASSERT(strncmp(after, before, strlen(before)) == 0);
	CU_ASSERT(token_of(after, "admin", tok, sizeof tok));
	CU_ASSERT_EQUAL(call(port, tok, "GET", "/v1/session", NULL, NULL), 200);
	free(before);
	free(after);
	snprintf(path, sizeof path, "%s/railgated.pid", run_var);
	daemon = pid_in(path);
	snprintf(path, sizeof path, "%s/pg/data/postmaster.pid", run_var);
	postmaster = pid_in(path);
	CU_ASSERT(daemon > 0 && postmaster > 0);

	snprintf(cmd, sizeof cmd, "RAILGATE_VAR='%s' scripts/run.sh stop > "
	    "'%s/stop.out' 2>&1", run_var, run_var);
	st = shell(cmd);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT(daemon > 0 && process_gone(daemon));
	CU_ASSERT(postmaster > 0 && process_gone(postmaster));
	snprintf(path, sizeof path, "%s/stop.out", run_var);
	CU_ASSERT(output_has(path, ") stopped", 1000));
	/* The run's shell saw its daemon go and ends. */
	CU_ASSERT_EQUAL(run_wait(run, 30000), 0);
	/* Nothing left to stop: says so, and succeeds. */
	CU_ASSERT_EQUAL(shell(cmd), 0);
	CU_ASSERT(output_has(path, "no daemon of make run is running", 1000));
	if (postmaster > 0 && !process_gone(postmaster)) {
		snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh kill '%s/pg'",
		    run_var);
		(void)shell(cmd);
	}
	remove_dir(run_var);
	run_var[0] = '\0';
}

static CU_TestInfo run_tests[] = {
	{ "t_run_pgcluster_relative", t_run_pgcluster_relative },
	{ "t_run_pgcluster_not_a_cluster", t_run_pgcluster_not_a_cluster },
	{ "t_run_make_run", t_run_make_run },
	{ "t_run_make_stop", t_run_make_stop },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_make_run", run_suite_init, run_suite_clean,
    run_tests)
