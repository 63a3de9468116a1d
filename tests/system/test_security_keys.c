/*
 * test_security_keys.c -- the station's signing key (issue 10, "Security
 * suite"), against the real daemon: a key readable by group or others
 * refused at start, naming the file; and, as in every security suite,
 * no secret in the log.  The fixture: security.h.
 */
#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "security.h"
#include "unit.h"

/*
 * A station key readable by group or others: the daemon, restarted on
 * the same configuration, refuses to start and names the file.
 */
static void
t_security_loose_key_refused(void)
{
	char	key[400], *log;
	int	status;

	snprintf(key, sizeof key, "%s/station-ed25519.pem", sec.dm.dir);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_signal_wait(&sec.dm, SIGTERM, 10000), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(key, 0644), 0);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_exec(&sec.dm), 0);
	status = harness_daemon_signal_wait(&sec.dm, 0, 15000);
	CU_ASSERT(status > 0 && status < 128);
	log = sec_daemon_log();
	CU_ASSERT_PTR_NOT_NULL(strstr(log, key));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "readable by group or others"));
	free(log);
	/* 0640 too; 0600 starts again. */
	CU_ASSERT_EQUAL(chmod(key, 0640), 0);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_exec(&sec.dm), 0);
	status = harness_daemon_signal_wait(&sec.dm, 0, 15000);
	CU_ASSERT(status > 0 && status < 128);
	CU_ASSERT_EQUAL(chmod(key, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_exec(&sec.dm), 0);
	CU_ASSERT_EQUAL(harness_daemon_wait_ready(&sec.dm, 15000), 0);
}

/* The suite's end: no token or key of its daemon in its log. */
static void
t_security_no_secrets_in_log(void)
{
	sec_check_no_secrets(6);
}

static CU_TestInfo security_keys_tests[] = {
	{ "t_security_loose_key_refused", t_security_loose_key_refused },
	{ "t_security_no_secrets_in_log", t_security_no_secrets_in_log },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_security_keys", sec_suite_init, sec_suite_clean,
    security_keys_tests)
