/*
 * test_attack_i21.c -- holes found attacking issue 21's surfaces, each
 * kept as the test that showed it (integration_attack_i21):
 *
 * - a deleted subscription keeps its name's row (036) with the secret
 *   "destroyed", not sealed: every daemon start sealed that word again
 *   (secrets found in clear) and wrote it by NAME, over the live
 *   subscription made since under the same name, whose notices were then
 *   signed with the key "destroyed"; `railgate notices rotate-key` did
 *   the same (and gave the deleted row the live one's secret back).  The
 *   rewrite now reads and writes rows not deleted, by id;
 * - a notice being sent at the moment of a DELETE ?force=1 (leased by a
 *   dispatcher, its request in flight) was marked abandoned and its lease
 *   taken away: the endpoint took it, but the attempt was refused as
 *   stale, so the record said "abandoned", with no delivery, for a notice
 *   the operator had.  Its attempt is now recorded, delivered when the
 *   endpoint took it;
 * - `make stop` (scripts/run.sh stop) sent SIGTERM to whatever railgated
 *   process had the pid in var/railgated.pid -- after a reboot, the
 *   station's own daemon under systemd.  Only the run's daemon (started
 *   on the run's configuration) is stopped now;
 * - the private cluster of `make run` and of the tests trusts whoever
 *   reaches its socket as the superuser, and its socket directory was
 *   0755: any local user was postgres, and through COPY ... TO PROGRAM
 *   the user running the cluster.  The socket's directory is 0700 now;
 * - as root, a cluster postgres could not reach was moved into
 *   /var/lib/railgate, made 0755: the installed daemon's state directory
 *   (the package's), opened to all.  It goes to /var/lib/railgate-run;
 * - two `make run` of one directory a second apart both passed the pid
 *   file's check (the first had not written it yet): one daemon could not
 *   listen, and its shell stopped the cluster under the other.  A lock
 *   now lets one run a directory;
 * - `make run` added the admin's token to a tokens file an older run or
 *   its user had opened to others (0644), and its copy of the
 *   configuration (the DSN, with its password when it has one) was 0644.
 *   Both are 0600 now;
 * - a console's stream (GET /v1/stream) outlived its credential: opened
 *   with a token later revoked (`railgate token revoke`), or a session
 *   revoked, it went on pushing every audit record for as long as the
 *   socket stayed open.  The credential is checked again every
 *   token_cache_s, without restarting a session's idle clock.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	admin_token[64];

static int
attack_suite_init(void)
{
	char	conf[2048];

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[notices]\nallow_private_endpoints = "
	    "yes\n", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "admin", "a.admin", admin_token) < 0)
		return -1;
	return 0;
}

static int
attack_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* A request as the admin; the HTTP status, -1: no answer. */
static int
admin(const char *method, const char *path, const char *json)
{
	struct harness_response	r;
	char			hdr[256];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s",
	    admin_token, json != NULL ? "Content-Type: application/json\r\n" :
	    "");
	if (harness_http(dm.port, method, path, hdr, json,
	    json != NULL ? strlen(json) : 0, &r) < 0)
		return -1;
	status = r.status;
	harness_response_free(&r);
	return status;
}

/* PUT /v1/subscriptions/name with secret; the status. */
static int
put(const char *name, const char *secret)
{
	char	path[128], json[512];

	snprintf(path, sizeof path, "/v1/subscriptions/%s", name);
	snprintf(json, sizeof json, "{\"url\":\"http://127.0.0.1:9/%s\","
	    "\"formats\":[\"json\"],\"carriers\":[\"KZ-KTZE\"],\"secret\":"
	    "\"%s\"}", name, secret);
	return admin("PUT", path, json);
}

/* The first value of sql, compared with want. */
static bool
sql_is(const char *sql, const char *want)
{
	char	*v = harness_sql(&pg, sql);
	bool	 same = v != NULL && strcmp(v, want) == 0;

	if (!same)
		fprintf(stderr, "\n%s: %s, not %s\n", sql, v ? v : "NULL", want);
	free(v);
	return same;
}

#define LIVE	"SELECT secret FROM subscriptions WHERE name = 'i21a' AND " \
		"deleted_at IS NULL"
#define DEAD	"SELECT string_agg(secret, ',') FROM subscriptions WHERE " \
		"name = 'i21a' AND deleted_at IS NOT NULL"

/* Runs cmd by sh; its exit status (-1: not run). */
static int
sh(const char *cmd)
{
	int	st = system(cmd);

	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/*
 * A subscription deleted and made again under its name: the live one's
 * sealed secret survives a daemon's start and is the one rotated; the
 * deleted one's stays destroyed.
 */
static void
t_i21_secret_of_reused_name(void)
{
	char	*before, *after, cmd[2400], key[400];

	CU_ASSERT_EQUAL_FATAL(put("i21a", "whsec_first_secret_of_i21a_0001"),
	    200);
	CU_ASSERT_EQUAL_FATAL(admin("DELETE", "/v1/subscriptions/i21a", NULL),
	    200);
	CU_ASSERT_EQUAL_FATAL(put("i21a", "whsec_second_secret_of_i21a_002"),
	    200);
	before = harness_sql(&pg, LIVE);
	CU_ASSERT_FATAL(before != NULL && strncmp(before, "v1:", 3) == 0);

	/* A start seals the secrets found in clear. */
	CU_ASSERT_EQUAL_FATAL(harness_daemon_signal_wait(&dm, SIGTERM, 30000),
	    0);
	CU_ASSERT_FATAL(harness_daemon_exec(&dm) == 0 &&
	    harness_daemon_wait_ready(&dm, 30000) == 0);
	after = harness_sql(&pg, LIVE);
	CU_ASSERT_STRING_EQUAL(after != NULL ? after : "", before);
	CU_ASSERT(sql_is(DEAD, "destroyed"));
	CU_ASSERT(sql_is("SELECT count(*) FROM audit_log WHERE action = "
	    "'subscription.secret_sealed' AND details::jsonb->>'subscription' "
	    "= 'i21a'", "0"));
	free(after);

	/* A rotation seals the live one anew, leaves the deleted one be. */
	snprintf(key, sizeof key, "%s/rotated.key", dm.dir);
	snprintf(cmd, sizeof cmd, "%s/railgate notices rotate-key --new-key "
	    "%s -c %s --dsn '%s' > /dev/null 2>&1", test_build_dir(), key,
	    dm.conf, pg.dsn);
	CU_ASSERT_EQUAL(sh(cmd), 0);
	after = harness_sql(&pg, LIVE);
	CU_ASSERT(after != NULL && strncmp(after, "v1:", 3) == 0 &&
	    strcmp(after, before) != 0);
	CU_ASSERT(sql_is(DEAD, "destroyed"));
	CU_ASSERT(sql_is("SELECT count(*) FROM subscriptions WHERE name = "
	    "'i21a'", "2"));
	free(after);
	free(before);
}

/* Queues notice id for subscription i21b, leased now by owner. */
static void
leased_notice(const char *id, const char *owner)
{
	char	q[1024];

	snprintf(q, sizeof q, "INSERT INTO notices (id, train_id, "
	    "subscription_id, format, alert, next_at, lease_owner, "
	    "lease_until) SELECT '%s', (SELECT max(id) FROM trains), s.id, "
	    "'duty', '{}'::json, now() + interval '1 day', '%s', now() + "
	    "interval '60 s' FROM subscriptions s WHERE s.name = 'i21b' AND "
	    "s.deleted_at IS NULL RETURNING id", id, owner);
	free(harness_sql(&pg, q));
}

/*
 * Notices in flight when their subscription is deleted with force: the
 * one the endpoint took is delivered, with its attempt; the one it
 * refused stays abandoned, with its attempt.
 */
static void
t_i21_delete_while_in_flight(void)
{
	char	tok[64];

	CU_ASSERT_FATAL(harness_token(&pg, "operator", "i21.operator",
	    tok) == 0);
	CU_ASSERT_EQUAL_FATAL(harness_submit_fixture(dm.port, tok,
	    "edifact/cuscar_s3_alashankou.edi"), 202);
	CU_ASSERT_EQUAL_FATAL(put("i21b", "whsec_secret_of_i21b_000000001"),
	    200);
	leased_notice("ntc_i21_ok", "attacker:worker");
	leased_notice("ntc_i21_ko", "attacker:worker");
	CU_ASSERT_FATAL(sql_is("SELECT count(*) FROM notices WHERE id LIKE "
	    "'ntc_i21_%' AND state = 'pending'", "2"));
	CU_ASSERT_EQUAL_FATAL(admin("DELETE", "/v1/subscriptions/i21b?force=1",
	    NULL), 200);
	CU_ASSERT(sql_is("SELECT count(*) FROM notices WHERE id LIKE "
	    "'ntc_i21_%' AND state = 'abandoned'", "2"));

	/* The dispatcher's requests come back: one taken, one refused. */
	CU_ASSERT(sql_is("SELECT notice_attempted('ntc_i21_ok', "
	    "'attacker:worker', 200, NULL, 1, 5)", "delivered"));
	CU_ASSERT(sql_is("SELECT notice_attempted('ntc_i21_ko', "
	    "'attacker:worker', 500, 'HTTP 500', 1, 5)", "abandoned"));
	CU_ASSERT(sql_is("SELECT state || ' ' || attempts FROM notices WHERE "
	    "id = 'ntc_i21_ok'", "delivered 1"));
	CU_ASSERT(sql_is("SELECT state || ' ' || attempts || ' ' || "
	    "(last_error LIKE 'abandoned: subscription i21b deleted by "
	    "a.admin at %')::text FROM notices WHERE id = 'ntc_i21_ko'",
	    "abandoned 1 true"));
	CU_ASSERT(sql_is("SELECT string_agg(notice_id || ':' || http_status, "
	    "',' ORDER BY notice_id) FROM deliveries WHERE notice_id LIKE "
	    "'ntc_i21_%'", "ntc_i21_ko:500,ntc_i21_ok:200"));
	CU_ASSERT(sql_is("SELECT count(*) FROM audit_log WHERE action = "
	    "'notice.delivered' AND details::jsonb->>'notice' = 'ntc_i21_ok'",
	    "1"));
	/* Once: a second report of the same attempt is stale. */
	CU_ASSERT(sql_is("SELECT notice_attempted('ntc_i21_ok', "
	    "'attacker:worker', 200, NULL, 1, 5)", "stale"));
	CU_ASSERT(sql_is("SELECT notice_attempted('ntc_i21_ko', "
	    "'attacker:worker', 200, NULL, 1, 5)", "stale"));
	CU_ASSERT(sql_is("SELECT state FROM notices WHERE id = 'ntc_i21_ko'",
	    "abandoned"));
}

/*
 * `make stop` with a pid file naming another railgated (a copy of sh
 * under that name, standing for the station's daemon on its own
 * configuration): not touched.
 */
static void
t_i21_make_stop_other_daemon(void)
{
	char	dir[] = "/tmp/railgate-i21-stopXXXXXX", cmd[1200], path[300];
	FILE	*f;
	pid_t	pid;
	int	st;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(cmd, sizeof cmd, "cp /bin/sh %s/railgated && mkdir %s/var",
	    dir, dir);
	CU_ASSERT_FATAL(sh(cmd) == 0);
	if ((pid = fork()) == 0) {
		snprintf(path, sizeof path, "%s/railgated", dir);
		execl(path, path, "-c", "sleep 30; :", "/etc/railgate.conf",
		    (char *)NULL);
		_exit(127);
	}
	CU_ASSERT_FATAL(pid > 0);
	usleep(200000);
	snprintf(path, sizeof path, "%s/var/railgated.pid", dir);
	CU_ASSERT_FATAL((f = fopen(path, "w")) != NULL);
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
	snprintf(cmd, sizeof cmd, "RAILGATE_VAR='%s/var' scripts/run.sh stop "
	    "> /dev/null 2>&1", dir);
	CU_ASSERT_EQUAL(sh(cmd), 0);
	usleep(200000);
	CU_ASSERT_EQUAL(waitpid(pid, &st, WNOHANG), 0);	/* still running */
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT(sh(cmd) == 0);
}

/* The first line sh -c cmd prints (caller frees), or NULL. */
static char *
sh_line(const char *cmd)
{
	char	 line[1024];
	FILE	*p = popen(cmd, "r");
	char	*v = NULL;

	if (p == NULL)
		return NULL;
	if (fgets(line, sizeof line, p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		v = xstrdup(line);
	}
	pclose(p);
	return v;
}

/*
 * A private cluster started as root in a directory postgres cannot
 * reach: it lives under /var/lib/railgate-run, never in the installed
 * daemon's /var/lib/railgate (whose mode stays), and its socket, which
 * trusts whoever reaches it as the superuser, is out of another local
 * user's reach.
 */
static void
t_i21_private_cluster_reach(void)
{
	char		 dir[] = "/tmp/railgate-i21-pgXXXXXX", cmd[1200];
	char		*dsn, *target, *mode_before, *mode_after;
	const char	*mode = "stat -c %a /var/lib/railgate 2>/dev/null || "
			    "echo none";

	if (getuid() != 0) {	/* another user to try it as needs root */
		CU_PASS("not root: the other user's attempt is not made");
		return;
	}
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);	/* 0700: postgres is out */
	mode_before = sh_line(mode);
	snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh start %s/c "
	    "2>/dev/null", dir);
	dsn = sh_line(cmd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
	snprintf(cmd, sizeof cmd, "readlink %s/c", dir);
	target = sh_line(cmd);
	CU_ASSERT(target != NULL && strncmp(target, "/var/lib/railgate-run/",
	    22) == 0);
	mode_after = sh_line(mode);
	CU_ASSERT_STRING_EQUAL(mode_after != NULL ? mode_after : "",
	    mode_before != NULL ? mode_before : "?");
	/* Another local user is not the superuser. */
	snprintf(cmd, sizeof cmd, "runuser -u nobody -- psql '%s' -Atc "
	    "'SELECT 1' > /dev/null 2>&1", dsn);
	CU_ASSERT_NOT_EQUAL(sh(cmd), 0);
	/* Its owner (root here, through the server's user) still is. */
	snprintf(cmd, sizeof cmd, "psql '%s' -Atc 'SELECT 1' > /dev/null "
	    "2>&1", dsn);
	CU_ASSERT_EQUAL(sh(cmd), 0);
	snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh stop %s/c > /dev/null "
	    "2>&1; rm -rf %s '%s'", dir, dir, target != NULL &&
	    strncmp(target, "/var/lib/railgate", 17) == 0 ? target : "");
	CU_ASSERT(sh(cmd) == 0);
	free(dsn);
	free(target);
	free(mode_before);
	free(mode_after);
}

/* scripts/run.sh on var and port in a process group of its own, its
 * output to var/name; its pid. */
static pid_t
run_start(const char *var, int port, const char *name)
{
	char	listen[64], out[400];
	pid_t	pid;

	snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
	snprintf(out, sizeof out, "%s/%s", var, name);
	if ((pid = fork()) != 0)
		return pid;
	setpgid(0, 0);
	setenv("RAILGATE_VAR", var, 1);
	setenv("RAILGATE_LISTEN", listen, 1);
	if (freopen(out, "w", stdout) == NULL || dup2(1, 2) < 0)
		_exit(127);
	execl("/bin/sh", "sh", "scripts/run.sh", test_build_dir(), (char *)NULL);
	_exit(127);
}

/* Its exit status within ms, or -1 (then its group killed). */
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

/* Whether var/name says what within ms. */
static bool
says(const char *var, const char *name, const char *what, int ms)
{
	char	cmd[1200];

	snprintf(cmd, sizeof cmd, "grep -qF '%s' '%s/%s'", what, var, name);
	for (; ms > 0; ms -= 200) {
		if (sh(cmd) == 0)
			return true;
		usleep(200000);
	}
	return false;
}

/* The mode of var/name, or -1. */
static int
mode_of(const char *var, const char *name)
{
	char		path[400];
	struct stat	st;

	snprintf(path, sizeof path, "%s/%s", var, name);
	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/*
 * Two `make run` of one directory started a second apart (the second
 * before the first wrote its pid file): the second is refused, and the
 * first runs on with its cluster.  The tokens file, opened to others by
 * an older run, and the run's copy of the configuration are the owner's.
 */
static void
t_i21_make_run_once_and_private(void)
{
	char	var[] = "/tmp/railgate-i21-runXXXXXX", path[400], cmd[1200];
	struct harness_response	r;
	FILE	*f;
	pid_t	first, second;
	int	port = harness_free_port(), ready = -1;

	CU_ASSERT_FATAL(mkdtemp(var) != NULL && chmod(var, 0755) == 0);
	snprintf(path, sizeof path, "%s/make-run-tokens", var);
	CU_ASSERT_FATAL((f = fopen(path, "w")) != NULL);
	fputs("auditor=rg_made_by_an_older_run\n", f);
	fclose(f);
	CU_ASSERT_FATAL(chmod(path, 0644) == 0);

	first = run_start(var, port, "out1");
	CU_ASSERT_FATAL(first > 0);
	sleep(1);
	second = run_start(var, port, "out2");
	CU_ASSERT_FATAL(second > 0);
	CU_ASSERT_EQUAL(run_wait(second, 120000), 1);
	CU_ASSERT(says(var, "out2", "another make run is starting or running",
	    100));
	CU_ASSERT_FATAL(says(var, "out1", "railgate: stop with Ctrl-C",
	    120000));
	if (harness_http(port, "GET", "/readyz", NULL, NULL, 0, &r) == 0) {
		ready = r.status;
		harness_response_free(&r);
	}
	CU_ASSERT_EQUAL(ready, 200);
	CU_ASSERT_EQUAL(mode_of(var, "make-run-tokens"), 0600);
	CU_ASSERT_EQUAL(mode_of(var, "railgate-run.conf"), 0600);

	snprintf(cmd, sizeof cmd, "RAILGATE_VAR='%s' scripts/run.sh stop > "
	    "/dev/null 2>&1", var);
	CU_ASSERT_EQUAL(sh(cmd), 0);
	CU_ASSERT_EQUAL(run_wait(first, 60000), 0);
	snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh kill '%s/pg' > "
	    "/dev/null 2>&1; rm -rf '%s'", var, var);
	sh(cmd);
}

/*
 * What fd gives within ms (appended to *text, NUL-terminated); true when
 * the stream ended meanwhile.
 */
static bool
read_until_end(int fd, char *text, size_t size, int ms)
{
	struct pollfd	p = { fd, POLLIN, 0 };
	size_t		len = strlen(text);
	ssize_t		n;

	for (; ms > 0; ms -= 100) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (len + 1 >= size)
			len = 0;	/* only the end matters now */
		if ((n = read(fd, text + len, size - len - 1)) <= 0)
			return true;
		len += (size_t)n;
		text[len] = '\0';
	}
	return false;
}

/*
 * A console's stream opened with a token that is then revoked (`railgate
 * token revoke`): ended once the revocation is seen (token_cache_s, 5 s),
 * and no record after it reaches the stream.
 */
static void
t_i21_stream_after_revoke(void)
{
	char	 tok[64], op[64], req[256], text[65536] = "", cmd[1200];
	bool	 ended;
	int	 fd, n;

	CU_ASSERT_FATAL(harness_token(&pg, "officer", "o.stream", tok) == 0 &&
	    harness_token(&pg, "operator", "i21.stream.op", op) == 0);
	CU_ASSERT_FATAL((fd = harness_connect(dm.port)) >= 0);
	n = snprintf(req, sizeof req, "GET /v1/stream HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\n\r\n", tok);
	CU_ASSERT_FATAL(write(fd, req, (size_t)n) == n);
	read_until_end(fd, text, sizeof text, 1000);
	CU_ASSERT_FATAL(strstr(text, "event: hello") != NULL);

	snprintf(cmd, sizeof cmd, "%s/railgate token revoke o.stream --dsn "
	    "'%s' > /dev/null 2>&1", test_build_dir(), pg.dsn);
	CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
	/* Past token_cache_s (5 s) and a check of the streams (1 s). */
	ended = read_until_end(fd, text, sizeof text, 7500);
	text[0] = '\0';
	CU_ASSERT_EQUAL(harness_submit_fixture(dm.port, op,
	    "xml/ifcsum_horgos.xml"), 202);
	if (!ended)
		ended = read_until_end(fd, text, sizeof text, 3000);
	CU_ASSERT(ended);
	CU_ASSERT_PTR_NULL(strstr(text, "event: manifest"));
	CU_ASSERT_PTR_NULL(strstr(text, "event: decision"));
	close(fd);
}

/* A stream opened with the credential header cred; its socket, or -1. */
static int
stream_open(const char *cred)
{
	char	req[512], text[4096] = "";
	int	fd, n;

	if ((fd = harness_connect(dm.port)) < 0)
		return -1;
	n = snprintf(req, sizeof req, "GET /v1/stream HTTP/1.1\r\nHost: x\r\n"
	    "%s\r\n\r\n", cred);
	if (write(fd, req, (size_t)n) != n ||
	    (read_until_end(fd, text, sizeof text, 1000), strstr(text,
	    "event: hello") == NULL)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A console's stream opened by session cookie: checked again without
 * restarting the session's idle clock, and ended once the session is
 * revoked.
 */
static void
t_i21_stream_after_session_revoked(void)
{
	struct harness_response	 r;
	char			 cmd[1200], set[512], cookie[600], *before, *after;
	char			 text[8192] = "";
	const char		*signin = "{\"name\":\"o.sse\",\"password\":"
				    "\"stream-officer-pw\"}";
	size_t			 n;
	int			 fd;

	snprintf(cmd, sizeof cmd, "printf '%%s\\n' 'stream-officer-pw' | "
	    "%s/railgate officer add o.sse --role officer --dsn '%s' > "
	    "/dev/null 2>&1", test_build_dir(), pg.dsn);
	CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
	CU_ASSERT_FATAL(harness_http(dm.port, "POST", "/v1/session",
	    "Content-Type: application/json\r\n", signin, strlen(signin),
	    &r) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_FATAL(harness_header(&r, "Set-Cookie", set, sizeof set) !=
	    NULL);
	harness_response_free(&r);
	n = strcspn(set, ";");
	snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)n, set);
	CU_ASSERT_FATAL((fd = stream_open(cookie)) >= 0);
	before = harness_sql(&pg, "SELECT last_seen_at FROM sessions WHERE "
	    "principal = 'o.sse'");
	/* Checked once (5 s) at least: still open, the idle clock as it was. */
	CU_ASSERT_FALSE(read_until_end(fd, text, sizeof text, 6500));
	after = harness_sql(&pg, "SELECT last_seen_at FROM sessions WHERE "
	    "principal = 'o.sse'");
	CU_ASSERT(before != NULL && after != NULL && strcmp(before, after) ==
	    0);
	free(before);
	free(after);
	free(harness_sql(&pg, "UPDATE sessions SET revoked_at = now(), "
	    "revoked_why = 'attack' WHERE principal = 'o.sse' RETURNING 1"));
	CU_ASSERT(read_until_end(fd, text, sizeof text, 7500));
	close(fd);
}

static CU_TestInfo attack_tests[] = {
	{ "t_i21_secret_of_reused_name", t_i21_secret_of_reused_name },
	{ "t_i21_delete_while_in_flight", t_i21_delete_while_in_flight },
	{ "t_i21_make_stop_other_daemon", t_i21_make_stop_other_daemon },
	{ "t_i21_private_cluster_reach", t_i21_private_cluster_reach },
	{ "t_i21_make_run_once_and_private", t_i21_make_run_once_and_private },
	{ "t_i21_stream_after_revoke", t_i21_stream_after_revoke },
	{ "t_i21_stream_after_session_revoked",
	    t_i21_stream_after_session_revoked },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_attack_i21", attack_suite_init, attack_suite_clean,
    attack_tests)
