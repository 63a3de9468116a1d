/*
 * test_spool.c -- daemon/spool.c without a database (spool.h): the names a
 * sender may use and the ones the spool keeps, the back-off schedule, and
 * what a start-up does with what an earlier run left in processing/ --
 * the attempts counted beside each file across restarts, a file past
 * [spool] max_attempts given up to failed/ with its reason (beside an
 * earlier failure of its name, never over it), the others left waiting
 * for their retry.  A libevent base stands in for the daemon's loop,
 * never run: nothing is ingested.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/spool.h"
#include "manifest/util.h"

#include "unit.h"

/* Names: what a sender may use, what the spool keeps. */
static void
t_spool_names(void)
{
	static const char *const ok[] = { "a.edi", "X8024_2026-11-22.xml.gz",
	    "manifest", "A-B_C.D" };
	static const char *const bad[] = { "", ".hidden", "..", "../x.edi",
	    "a/b.edi", "bad name.edi", "bad\nname.edi", "x.edi\r", "a'b;--.edi",
	    "$(reboot).edi", "x..%2f..%2fx.edi", "\xd0\x96.edi" };
	char	long_name[202];
	size_t	i;

	for (i = 0; i < nitems(ok); i++)
		CU_ASSERT_TRUE(spool_name_ok(ok[i]));
	for (i = 0; i < nitems(bad); i++)
		if (spool_name_ok(bad[i])) {
			fprintf(stderr, "\nspool name \"%s\" taken\n", bad[i]);
			CU_FAIL("an unsafe name refused");
		}
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[200] = '\0';
	CU_ASSERT_TRUE(spool_name_ok(long_name));
	long_name[200] = 'a';
	long_name[201] = '\0';
	CU_ASSERT_FALSE(spool_name_ok(long_name));
	CU_ASSERT_TRUE(spool_name_reserved("a.edi.err"));
	CU_ASSERT_TRUE(spool_name_reserved("A.ERR"));
	CU_ASSERT_TRUE(spool_name_reserved(".err"));
	CU_ASSERT_FALSE(spool_name_reserved("a.edi"));
	CU_ASSERT_FALSE(spool_name_reserved("err"));
	CU_ASSERT_FALSE(spool_name_reserved("a.err.edi"));
}

/* The delay doubles from the base, capped at the maximum. */
static void
t_spool_backoff(void)
{
	CU_ASSERT_EQUAL(spool_backoff_ms(1000, 60, 1), 1000);
	CU_ASSERT_EQUAL(spool_backoff_ms(1000, 60, 2), 2000);
	CU_ASSERT_EQUAL(spool_backoff_ms(1000, 60, 3), 4000);
	CU_ASSERT_EQUAL(spool_backoff_ms(1000, 60, 6), 32000);
	CU_ASSERT_EQUAL(spool_backoff_ms(1000, 60, 7), 60000);
	CU_ASSERT_EQUAL(spool_backoff_ms(1000, 60, 1000000), 60000);
	CU_ASSERT_EQUAL(spool_backoff_ms(10, 1, 4), 80);
	/* A base above the cap: the cap. */
	CU_ASSERT_EQUAL(spool_backoff_ms(5000, 2, 1), 2000);
}

/* A temporary spool root and a daemon standing in, loop never run. */
struct spool_env {
	char		root[64];
	struct daemon	d;
};

static void
env_start(struct spool_env *e, int max_attempts)
{
	memset(e, 0, sizeof *e);
	snprintf(e->root, sizeof e->root, "/tmp/railgate-spool-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(e->root) != NULL);
	e->d.base = event_base_new();
	CU_ASSERT_FATAL(e->d.base != NULL);
	config_defaults(&e->d.cfg);
	e->d.cfg.spool_max_attempts = max_attempts;
}

static void
env_stop(struct spool_env *e)
{
	char	cmd[128];

	config_free(&e->d.cfg);
	event_base_free(e->d.base);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->root);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Makes the directory root/rel. */
static void
mk(const struct spool_env *e, const char *rel)
{
	char	path[256];

	snprintf(path, sizeof path, "%s/%s", e->root, rel);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0750), 0);
}

/* Writes text as root/rel. */
static void
put(const struct spool_env *e, const char *rel, const char *text)
{
	char	path[256];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", e->root, rel);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* True when root/rel exists. */
static bool
has(const struct spool_env *e, const char *rel)
{
	char		path[256];
	struct stat	st;

	snprintf(path, sizeof path, "%s/%s", e->root, rel);
	return lstat(path, &st) == 0;
}

/* root/rel's text (caller frees), "" when absent. */
static char *
text_of(const struct spool_env *e, const char *rel)
{
	char	path[256], *data = NULL;
	size_t	len;

	snprintf(path, sizeof path, "%s/%s", e->root, rel);
	if (file_read_all(path, &data, &len) < 0)
		return xstrdup("");
	return data;
}

/* A new spool makes its directories. */
static void
t_spool_directories(void)
{
	struct spool_env	 e;
	struct spool		*s;
	char			*cause = NULL, sub[128];

	env_start(&e, 3);
	snprintf(sub, sizeof sub, "%s/spool", e.root);
	s = spool_new(&e.d, sub, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_TRUE(has(&e, "spool/incoming"));
	CU_ASSERT_TRUE(has(&e, "spool/processing"));
	CU_ASSERT_TRUE(has(&e, "spool/done"));
	CU_ASSERT_TRUE(has(&e, "spool/failed"));
	spool_stop(s);
	spool_free(s);
	/* A root that cannot be made: NULL, saying which. */
	CU_ASSERT_PTR_NULL(spool_new(&e.d, "/proc/railgate-no/spool", &cause));
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ? strstr(cause,
	    "/proc/railgate-no/spool") : NULL);
	free(cause);
	env_stop(&e);
}

/*
 * What an earlier run left in processing/: a file whose attempts reached
 * max_attempts is given up, its reason beside it and its attempts file
 * gone, under a new name when an earlier failure holds its own; one with
 * attempts left waits; a name no sender may use is not touched.
 */
static void
t_spool_attempts_across_restart(void)
{
	struct spool_env	 e;
	struct spool		*s;
	char			*cause = NULL, *err;

	env_start(&e, 3);
	mk(&e, "processing");
	mk(&e, "failed");
	put(&e, "processing/poison.edi", "UNB+UNOC:3'");
	put(&e, "processing/.poison.edi.attempts", "3\n");
	put(&e, "failed/poison.edi", "an earlier poison.edi");
	put(&e, "processing/waits.edi", "UNB+UNOC:3'");
	put(&e, "processing/.waits.edi.attempts", "1\n");
	put(&e, "processing/fresh.edi", "UNB+UNOC:3'");
	put(&e, "processing/bad name.edi", "UNB+UNOC:3'");

	s = spool_new(&e.d, e.root, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* Given up, beside the earlier failure, which is kept. */
	CU_ASSERT_FALSE(has(&e, "processing/poison.edi"));
	CU_ASSERT_FALSE(has(&e, "processing/.poison.edi.attempts"));
	CU_ASSERT_TRUE(has(&e, "failed/poison.edi.1"));
	err = text_of(&e, "failed/poison.edi.1.err");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not stored after 3 attempts, "
	    "counted across restarts"));
	free(err);
	err = text_of(&e, "failed/poison.edi");
	CU_ASSERT_STRING_EQUAL(err, "an earlier poison.edi");
	free(err);
	/* Attempts left: waiting in processing/ for the retry. */
	CU_ASSERT_TRUE(has(&e, "processing/waits.edi"));
	CU_ASSERT_TRUE(has(&e, "processing/.waits.edi.attempts"));
	CU_ASSERT_TRUE(has(&e, "processing/fresh.edi"));
	CU_ASSERT_FALSE(has(&e, "failed/waits.edi"));
	CU_ASSERT_FALSE(has(&e, "failed/fresh.edi"));
	CU_ASSERT_TRUE(has(&e, "processing/bad name.edi"));
	spool_stop(s);
	spool_free(s);
	env_stop(&e);
}

static CU_TestInfo spool_tests[] = {
	{ "t_spool_names", t_spool_names },
	{ "t_spool_backoff", t_spool_backoff },
	{ "t_spool_directories", t_spool_directories },
	{ "t_spool_attempts_across_restart", t_spool_attempts_across_restart },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("spool", NULL, NULL, spool_tests)
