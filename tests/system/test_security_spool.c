/*
 * test_security_spool.c -- the spool directory as a way in (issue 10,
 * "Security suite"), against the real daemon: names with "..", "%2f", a
 * newline or shell metacharacters, a symlink to /etc/passwd and one
 * climbing out of incoming/.  The fixture: security.h.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "security.h"
#include "unit.h"

/* Waits up to ms for path to exist (lstat: a symlink counts). */
static bool
wait_path(const char *path, int ms)
{
	struct stat	st;
	int		waited;

	for (waited = 0; waited <= ms; waited += 50) {
		if (lstat(path, &st) == 0)
			return true;
		usleep(50000);
	}
	return false;
}

/* The text of failed/NAME.err (owned), waiting for it; NULL if none came. */
static char *
spool_err(const char *name)
{
	char	path[600], *err = NULL;
	size_t	len;

	snprintf(path, sizeof path, "%s/spool/failed/%s.err", sec.dm.dir, name);
	if (!wait_path(path, 6000))
		return NULL;
	usleep(100000);
	if (file_read_all(path, &err, &len) < 0)
		return NULL;
	return err;
}

/*
 * Path traversal in the spool: names with "..", "%2f", a newline, a
 * symlink to /etc/passwd and one climbing out of incoming/.  Unsafe names
 * go to failed/ with a .err saying why; nothing outside the spool is read.
 */
static void
t_security_spool_traversal(void)
{
	static const char *const unsafe[] = { "x..%2f..%2fx.edi", "a..%2f..%2fetc%2fpasswd",
	    "bad\nname.edi", "x.edi\r", "a'b;--.edi", "$(reboot).edi" };
	char	path[600], target[600], *err;
	size_t	i;
	FILE	*f;

	for (i = 0; i < nitems(unsafe); i++) {
		snprintf(path, sizeof path, "%s/spool/incoming/%s", sec.dm.dir,
		    unsafe[i]);
		f = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs("UNB+UNOC:3'", f);
		fclose(f);
	}
	/* "../x.edi" as a sender would mean it: beside incoming/, not in it. */
	snprintf(path, sizeof path, "%s/spool/x.edi", sec.dm.dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("outside", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/spool/incoming/passwd.edi", sec.dm.dir);
	CU_ASSERT_EQUAL(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof path, "%s/spool/incoming/climb.edi", sec.dm.dir);
	CU_ASSERT_EQUAL(symlink("../x.edi", path), 0);

	for (i = 0; i < nitems(unsafe); i++) {
		err = spool_err(unsafe[i]);
		if (err == NULL || strstr(err, "unsafe file name") == NULL) {
			fprintf(stderr, "\nspool name %s: %s\n", unsafe[i],
			    err != NULL ? err : "no .err");
			CU_FAIL("unsafe name in failed/ with its reason");
		}
		free(err);
		snprintf(path, sizeof path, "%s/spool/failed/%s", sec.dm.dir, unsafe[i]);
		CU_ASSERT_EQUAL(access(path, F_OK), 0);
	}
	/* The file beside incoming/ is untouched. */
	snprintf(path, sizeof path, "%s/spool/x.edi", sec.dm.dir);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	/* The symlinks end in failed/ (waiting for them settles the spool). */
	err = spool_err("passwd.edi");
	CU_ASSERT_PTR_NOT_NULL(err);
	/* A link is never followed (fixed: spool.c, file_read_regular). */
	CU_ASSERT_EQUAL(sec_sql_count("SELECT count(*) FROM manifests WHERE "
	    "idempotency_key LIKE 'spool:passwd.edi:%'", NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(err != NULL ? strstr(err, "not a regular file") :
	    NULL);
	free(err);
	err = spool_err("climb.edi");
	CU_ASSERT_PTR_NOT_NULL(err);
	free(err);
	CU_ASSERT_EQUAL(sec_sql_count("SELECT count(*) FROM manifests WHERE "
	    "idempotency_key LIKE 'spool:climb.edi:%'", NULL), 0);
	/* No refused name reached the database as a key. */
	CU_ASSERT_EQUAL(sec_sql_count("SELECT count(*) FROM manifests WHERE "
	    "idempotency_key LIKE 'spool:%%2f%' OR idempotency_key LIKE "
	    "'spool:bad%' OR idempotency_key LIKE 'spool:$(%'", NULL), 0);
	/* Each unsafe name refused in the log. */
	CU_ASSERT_TRUE(sec_log_has("spool: refusing unsafe file name", 2000));
	snprintf(target, sizeof target, "%s/spool/incoming", sec.dm.dir);
	CU_ASSERT_TRUE(harness_daemon_alive(&sec.dm));
}

/* The suite's end: no token or key of its daemon in its log. */
static void
t_security_no_secrets_in_log(void)
{
	sec_check_no_secrets(6);
}

static CU_TestInfo security_spool_tests[] = {
	{ "t_security_spool_traversal", t_security_spool_traversal },
	{ "t_security_no_secrets_in_log", t_security_no_secrets_in_log },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_security_spool", sec_suite_init, sec_suite_clean,
    security_spool_tests)
