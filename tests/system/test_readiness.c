/*
 * test_readiness.c -- railgated under a supervisor's eyes (systemd's
 * notification protocol, daemon/readiness.c): the test binds the unix
 * datagram socket systemd would (NOTIFY_SOCKET) and reads what the daemon
 * says.  READY=1 comes only once /readyz answers 200 (the database up, the
 * listener accepting); RELOADING=1 with MONOTONIC_USEC, then READY=1,
 * around SIGHUP; STOPPING=1 at SIGTERM, then exit 0.  A broken
 * configuration exits 78 (EX_CONFIG, which the unit does not restart on),
 * at start and with --check-config, and says so in STATUS=.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static char			sockdir[64], sockpath[96];
static int			notify_fd = -1;

static int
readiness_suite_init(void)
{
	struct sockaddr_un	sun;

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(sockdir, sizeof sockdir, "/tmp/railgate-notify.XXXXXX");
	if (mkdtemp(sockdir) == NULL)
		return -1;
	snprintf(sockpath, sizeof sockpath, "%s/notify", sockdir);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sockpath);
	if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(notify_fd, (struct sockaddr *)&sun, sizeof sun) < 0)
		return -1;
	return 0;
}

static int
readiness_suite_clean(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	unlink(sockpath);
	rmdir(sockdir);
	harness_pg_stop(&pg);
	return 0;
}

/*
 * The next notification within timeout_ms, into buf; 0, or -1 when none
 * came.
 */
static int
next_notice(char *buf, size_t size, int timeout_ms)
{
	struct pollfd	pfd = { notify_fd, POLLIN, 0 };
	ssize_t		n;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	if ((n = recv(notify_fd, buf, size - 1, 0)) < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Waits for a notification holding want, skipping others; 0 or -1. */
static int
wait_notice(const char *want, char *buf, size_t size, int timeout_ms)
{
	while (next_notice(buf, size, timeout_ms) == 0) {
		if (strstr(buf, want) != NULL)
			return 0;
	}
	fprintf(stderr, "\nreadiness: no \"%s\" within %d ms\n", want,
	    timeout_ms);
	return -1;
}

/* Drops what is queued on the socket (a daemon of an earlier test). */
static void
drain_notices(void)
{
	char	buf[512];

	while (next_notice(buf, sizeof buf, 0) == 0)
		;
}

/* Starts a daemon with NOTIFY_SOCKET set for it alone. */
static int
spawn_notified(struct harness_daemon *d, const char *conf)
{
	int	rc;

	drain_notices();
	setenv("NOTIFY_SOCKET", sockpath, 1);
	rc = harness_daemon_spawn(d, conf);
	unsetenv("NOTIFY_SOCKET");
	return rc;
}

/* GET /readyz: its status, -1 when nothing answers. */
static int
readyz(int port)
{
	struct harness_response	r;
	int			status;

	if (harness_http(port, "GET", "/readyz", NULL, NULL, 0, &r) < 0)
		return -1;
	status = r.status;
	harness_response_free(&r);
	return status;
}

/* READY=1 after /readyz; RELOADING/READY around SIGHUP; STOPPING at TERM. */
static void
t_readiness_ready_reload_stop(void)
{
	struct harness_daemon	d;
	char			buf[512], *p;
	unsigned long long	usec;
	struct timespec		ts;

	CU_ASSERT_EQUAL_FATAL(spawn_notified(&d, pg.conf), 0);
	CU_ASSERT_EQUAL_FATAL(wait_notice("READY=1", buf, sizeof buf, 30000), 0);
	/* Told ready: the listener accepts and the database is up, now. */
	CU_ASSERT_EQUAL(readyz(d.port), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "STATUS="));

	CU_ASSERT_EQUAL(kill(d.pid, SIGHUP), 0);
	CU_ASSERT_EQUAL_FATAL(next_notice(buf, sizeof buf, 10000), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "RELOADING=1"));
	/* MONOTONIC_USEC: the daemon's CLOCK_MONOTONIC, a moment ago. */
	p = strstr(buf, "MONOTONIC_USEC=");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	usec = strtoull(p + strlen("MONOTONIC_USEC="), NULL, 10);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	CU_ASSERT(usec > 0 && usec <= (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000);
	CU_ASSERT_EQUAL(next_notice(buf, sizeof buf, 10000), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "READY=1"));

	CU_ASSERT_EQUAL(kill(d.pid, SIGTERM), 0);
	CU_ASSERT_EQUAL(wait_notice("STOPPING=1", buf, sizeof buf, 10000), 0);
	CU_ASSERT_EQUAL(harness_daemon_signal_wait(&d, 0, 40000), 0);
	harness_daemon_stop(&d);
}

/* A reload refused (a broken rule set) is still followed by READY=1. */
static void
t_readiness_reload_refused(void)
{
	struct harness_daemon	d;
	char			buf[512], conf[2048], rules[64], cmd[256];

	snprintf(rules, sizeof rules, "/tmp/railgate-rules.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(rules));
	snprintf(cmd, sizeof cmd, "cp -R etc/rules/default/. %s/", rules);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	snprintf(conf, sizeof conf, "%s[rules]\ndir = %s\n", pg.conf, rules);
	CU_ASSERT_EQUAL_FATAL(spawn_notified(&d, conf), 0);
	CU_ASSERT_EQUAL_FATAL(wait_notice("READY=1", buf, sizeof buf, 30000), 0);
	snprintf(cmd, sizeof cmd, "printf 'rule broken\\n  scope wagon\\n  action MAYBE\\nend\\n' "
	    ">> %s/main.rules", rules);
	CU_ASSERT_EQUAL(system(cmd), 0);
	CU_ASSERT_EQUAL(kill(d.pid, SIGHUP), 0);
	CU_ASSERT_EQUAL(wait_notice("RELOADING=1", buf, sizeof buf, 10000), 0);
	CU_ASSERT_EQUAL(next_notice(buf, sizeof buf, 10000), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "READY=1"));
	CU_ASSERT_EQUAL(readyz(d.port), 200);	/* the old rule set serves */
	harness_daemon_stop(&d);
	snprintf(cmd, sizeof cmd, "rm -rf %s", rules);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Runs railgated --check-config -c conf; its exit status (or -1). */
static int
check_config(const char *conf, char **out)
{
	char	cmd[1024];
	FILE	*p;
	int	status;
	size_t	len = 0, n;
	char	buf[4096];

	snprintf(cmd, sizeof cmd, "%s/railgated --check-config -c %s 2>&1",
	    test_build_dir(), conf);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, p);
	len = n;
	buf[len] = '\0';
	*out = xstrdup(buf);
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A broken configuration: 78, at start (STATUS= says why) and checked. */
static void
t_readiness_config_error_78(void)
{
	struct harness_daemon	d;
	char			buf[512], conf[2048], *out = NULL;

	snprintf(conf, sizeof conf, "%s[clearance]\ntarget_minutes = 0\n",
	    pg.conf);
	CU_ASSERT_EQUAL_FATAL(spawn_notified(&d, conf), 0);
	CU_ASSERT_EQUAL(harness_daemon_signal_wait(&d, 0, 10000), 78);
	CU_ASSERT_EQUAL(wait_notice("STATUS=configuration error", buf,
	    sizeof buf, 1000), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "target_minutes"));
	CU_ASSERT_PTR_NULL(strstr(buf, "READY=1"));
	CU_ASSERT_EQUAL(check_config(d.conf, &out), 78);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "target_minutes") :
	    NULL);
	free(out);
	/* The same file mended checks clean: 0, no database touched. */
	CU_ASSERT_EQUAL_FATAL(harness_daemon_write_conf(&d,
	    "[database]\ndsn = host=/nonexistent dbname=x\n"), 0);
	CU_ASSERT_EQUAL(check_config(d.conf, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "are valid") : NULL);
	free(out);
	/* A rule set that does not compile is a configuration error too. */
	CU_ASSERT_EQUAL_FATAL(harness_daemon_write_conf(&d,
	    "[database]\ndsn = host=/nonexistent dbname=x\n"
	    "[rules]\ndir = /nonexistent/rules\n"), 0);
	CU_ASSERT_EQUAL(check_config(d.conf, &out), 78);
	free(out);
	harness_daemon_stop(&d);
}

static CU_TestInfo readiness_tests[] = {
	{ "t_readiness_ready_reload_stop", t_readiness_ready_reload_stop },
	{ "t_readiness_reload_refused", t_readiness_reload_refused },
	{ "t_readiness_config_error_78", t_readiness_config_error_78 },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_readiness", readiness_suite_init,
    readiness_suite_clean, readiness_tests)
