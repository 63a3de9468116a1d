/*
 * test_install.c -- railgate installed, as docs/operations.md
 * ("Installing", "The Debian package") says: `make install DESTDIR=`
 * lays out the tree (programs, configuration naming the installed places,
 * rule set, schema, state directory, manual pages, unit) and `make
 * uninstall` takes back all but the configuration and the state; `make
 * deb` builds a package lintian finds no error in, whose files, put in
 * their places in a mount namespace of their own (overlays over /etc,
 * /usr/bin, /usr/sbin, /usr/share, /lib/systemd/system, /var/lib), run
 * with no path option at all: `railgated --check-config`, `railgate
 * check`, the unit verified by systemd-analyze, and railgated on the
 * installed configuration with only its database (and port) changed,
 * until /readyz answers.
 *
 * The package is built once per run (DEB_BUILD_OPTIONS nocheck noddebs,
 * on the objects `make install` compiled just before, in build-deb/obj),
 * or taken from RAILGATE_DEB when set; the time it took is printed.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

/* The places the package uses; make install is run with the same. */
#define PLACES	"PREFIX=/usr sysconfdir=/etc localstatedir=/var " \
		"unitdir=/lib/systemd/system INSTALL_BUILD=build-deb/obj"
/* Make run from a test run by make: not the outer make's jobserver. */
#define MAKE	"env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s"
#define FIXTURE	"fixtures/edifact/cuscar_s3_alashankou.edi"

static struct harness_pg	pg;
static char			work[64];

static int
install_suite_init(void)
{
	snprintf(work, sizeof work, "/tmp/railgate-install.XXXXXX");
	if (mkdtemp(work) == NULL)
		return -1;
	return harness_pg_start(&pg);
}

static int
install_suite_clean(void)
{
	char	cmd[128];

	harness_pg_stop(&pg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", work);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Runs cmd by sh; its exit status, or -1.  Output to log (appended),
 * whose end goes to stderr when cmd fails, to say why.
 */
static int
run(const char *cmd, const char *log)
{
	char	*full;
	int	 status;

	full = xasprintf("( %s ) >>%s 2>&1", cmd, log);
	status = system(full);
	free(full);
	status = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (status != 0) {
		fprintf(stderr, "\n%s: exit %d; the end of %s:\n", cmd, status,
		    log);
		full = xasprintf("tail -n 20 %s >&2", log);
		(void)system(full);
		free(full);
	}
	return status;
}

/* The file's text (caller frees), or NULL. */
static char *
slurp(const char *path)
{
	char	*data;
	size_t	 len;

	return file_read_all(path, &data, &len) == 0 ? data : NULL;
}

/* path under root holds text. */
static int
file_has(const char *root, const char *rel, const char *text)
{
	char	path[512], *data;
	int	found;

	snprintf(path, sizeof path, "%s%s", root, rel);
	if ((data = slurp(path)) == NULL)
		return 0;
	found = strstr(data, text) != NULL;
	free(data);
	return found;
}

/* path under root has the mode (permission bits) want. */
static int
mode_is(const char *root, const char *rel, mode_t want)
{
	char		path[512];
	struct stat	st;

	snprintf(path, sizeof path, "%s%s", root, rel);
	return stat(path, &st) == 0 && (st.st_mode & 07777) == want;
}

/* make install DESTDIR=: the tree; make uninstall: all but conf and state. */
static void
t_install_destdir(void)
{
	char	dest[128], log[128], cmd[512];

	snprintf(dest, sizeof dest, "%s/dest", work);
	snprintf(log, sizeof log, "%s/install.log", work);
	snprintf(cmd, sizeof cmd, MAKE " -j2 install DESTDIR=%s " PLACES, dest);
	CU_ASSERT_EQUAL_FATAL(run(cmd, log), 0);
	CU_ASSERT(mode_is(dest, "/usr/bin/railgate", 0755));
	CU_ASSERT(mode_is(dest, "/usr/sbin/railgated", 0755));
	CU_ASSERT(mode_is(dest, "/etc/railgate/railgate.conf", 0640));
	CU_ASSERT(mode_is(dest, "/var/lib/railgate", 0750));
	CU_ASSERT(file_has(dest, "/etc/railgate/railgate.conf",
	    "\ndir = /usr/share/railgate/rules/default\n"));
	CU_ASSERT(file_has(dest, "/etc/railgate/railgate.conf",
	    "\nstate_dir = /var/lib/railgate\n"));
	CU_ASSERT(file_has(dest, "/usr/share/railgate/rules/default/main.rules",
	    "list prohibited from"));
	CU_ASSERT(mode_is(dest,
	    "/usr/share/railgate/rules/default/lists/prohibited-hs.txt", 0644));
	CU_ASSERT(mode_is(dest, "/usr/share/railgate/schema/manifest.xsd", 0644));
	CU_ASSERT(file_has(dest, "/usr/share/man/man1/railgate.1", ".Dt RAILGATE 1"));
	CU_ASSERT(file_has(dest, "/usr/share/man/man8/railgated.8", "78"));
	/* railgate.conf(5) lists the installed build's defaults. */
	CU_ASSERT(file_has(dest, "/usr/share/man/man5/railgate.conf.5",
	    "/usr/share/railgate/rules/default"));
	CU_ASSERT(file_has(dest, "/lib/systemd/system/railgated.service",
	    "\nExecStart=/usr/sbin/railgated\n"));
	CU_ASSERT(file_has(dest, "/lib/systemd/system/railgated.service",
	    "\nType=notify\n"));
	CU_ASSERT(file_has(dest, "/lib/systemd/system/railgated.service",
	    "\nRestartPreventExitStatus=78\n"));
	/* The programs' defaults are the installed places. */
	snprintf(cmd, sizeof cmd, "%s/usr/sbin/railgated --help | grep -q "
	    "'default /etc/railgate/railgate.conf'", dest);
	CU_ASSERT_EQUAL(run(cmd, log), 0);

	snprintf(cmd, sizeof cmd, MAKE " uninstall DESTDIR=%s " PLACES, dest);
	CU_ASSERT_EQUAL(run(cmd, log), 0);
	CU_ASSERT(!mode_is(dest, "/usr/bin/railgate", 0755));
	CU_ASSERT(!mode_is(dest, "/usr/sbin/railgated", 0755));
	CU_ASSERT(!mode_is(dest, "/usr/share/railgate/schema/manifest.xsd", 0644));
	CU_ASSERT(!file_has(dest, "/lib/systemd/system/railgated.service", "["));
	CU_ASSERT(mode_is(dest, "/etc/railgate/railgate.conf", 0640));
	CU_ASSERT(mode_is(dest, "/var/lib/railgate", 0750));
}

/* Milliseconds on the monotonic clock. */
static long long
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The package: RAILGATE_DEB, or built into work/deb; its path in out. */
static int
deb_get(char *out, size_t size, const char *log)
{
	const char	*given = getenv("RAILGATE_DEB");
	char		 cmd[512];
	long long	 t0;

	if (given != NULL && given[0] != '\0') {
		snprintf(out, size, "%s", given);
		return 0;
	}
	snprintf(out, size, "%s/railgate.deb", work);
	if (access(out, R_OK) == 0)	/* built by an earlier test */
		return 0;
	t0 = mono_ms();
	snprintf(cmd, sizeof cmd, "DEB_BUILD_OPTIONS='nocheck noddebs "
	    "parallel=2' " MAKE " deb DEB_OUT=%s/deb", work);
	if (run(cmd, log) != 0)
		return -1;
	fprintf(stderr, "\n  make deb: %.1f s\n", (double)(mono_ms() - t0) /
	    1000.0);
	snprintf(cmd, sizeof cmd, "cp %s/deb/railgate_*.deb %s/railgate.deb",
	    work, work);
	if (run(cmd, log) != 0)
		return -1;
	snprintf(out, size, "%s/railgate.deb", work);
	return 0;
}

/*
 * Run by `unshare --mount sh -eu` as root: the package's files over the
 * system's, read only (/var/lib/railgate a directory of the test's), then
 * the programs with no path option.  $1 the extracted package, $2 a work
 * directory, $3 a free port, $4 the fixture; APP_DSN, ADMIN_DSN.
 */
static const char ns_script[] =
    "R=$1; W=$2; PORT=$3; FIX=$4\n"
    "mount --make-rprivate /\n"
    "for d in /etc /usr/bin /usr/sbin /usr/share /lib/systemd/system "
    "/var/lib; do\n"
    "\tmount -t overlay overlay -o \"lowerdir=$R$d:$d\" \"$d\"\n"
    "done\n"
    "mkdir -p \"$W/state\"; chmod 0750 \"$W/state\"\n"
    "mount --bind \"$W/state\" /var/lib/railgate\n"
    "cd /\n"
    "railgated --check-config\n"
    "rc=0; railgate check \"$FIX\" > \"$W/check.out\" || rc=$?\n"
    "echo \"check exit $rc\"\n"
    "if command -v systemd-analyze >/dev/null; then\n"
    "\tsystemd-analyze verify /lib/systemd/system/railgated.service "
    "> \"$W/verify.out\" 2>&1 || echo \"verify failed\"\n"
    "fi\n"
    /* The installed configuration, its database and port changed. */
    "sed -e \"s|^dsn = .*|dsn = $APP_DSN|\" "
    "-e \"s|^admin_dsn = .*|admin_dsn = $ADMIN_DSN|\" "
    "-e \"s|^listen = .*|listen = 127.0.0.1:$PORT|\" "
    "/etc/railgate/railgate.conf > \"$W/railgate.conf\"\n"
    "echo \"changed lines $(diff /etc/railgate/railgate.conf "
    "\"$W/railgate.conf\" | grep -c '^>')\"\n"
    "mount --bind \"$W/railgate.conf\" /etc/railgate/railgate.conf\n"
    "railgated 2> \"$W/railgated.log\" &\n"
    "pid=$!\n"
    "i=0\n"
    "while [ $i -lt 300 ]; do\n"
    "\tif curl -fsS \"http://127.0.0.1:$PORT/readyz\" >/dev/null 2>&1; then\n"
    "\t\techo 'readyz 200'; break\n"
    "\tfi\n"
    "\tkill -0 $pid 2>/dev/null || break\n"
    "\tsleep 0.1; i=$((i + 1))\n"
    "done\n"
    "kill -TERM $pid 2>/dev/null || true\n"
    "rc=0; wait $pid || rc=$?\n"
    "echo \"railgated exit $rc\"\n"
    "test -f /var/lib/railgate/station-ed25519.pem && echo 'state written'\n";

/* Writes text to path; 0 or -1. */
static int
write_text(const char *path, const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* What `railgate check` says of the fixture, up to its timings. */
static char *
decision_of(const char *out)
{
	const char	*t = out != NULL ? strstr(out, ",\"timing\"") : NULL;

	return t != NULL ? xstrndup(out, (size_t)(t - out)) : NULL;
}

/* Runs the tree's railgate check on the fixture: its decision. */
static char *
tree_decision(const char *log)
{
	char	cmd[512], path[160], *out, *d;

	snprintf(path, sizeof path, "%s/tree-check.out", work);
	snprintf(cmd, sizeof cmd, "%s/railgate check " FIXTURE " > %s || true",
	    test_build_dir(), path);
	if (run(cmd, log) < 0)
		return NULL;
	out = slurp(path);
	d = decision_of(out);
	free(out);
	return d;
}

/* Asserts what lintian and the package's control say. */
static void
deb_inspect(const char *deb, const char *log)
{
	char	cmd[512];

	snprintf(cmd, sizeof cmd, "dpkg-deb -f %s Recommends | grep -qw "
	    "postgresql", deb);
	CU_ASSERT_EQUAL(run(cmd, log), 0);
	snprintf(cmd, sizeof cmd, "dpkg-deb -I %s conffiles | grep -qx "
	    "/etc/railgate/railgate.conf", deb);
	CU_ASSERT_EQUAL(run(cmd, log), 0);
	snprintf(cmd, sizeof cmd, "dpkg-deb -I %s postinst | grep -q adduser",
	    deb);
	CU_ASSERT_EQUAL(run(cmd, log), 0);
	if (system("command -v lintian >/dev/null") != 0)
		return;
	snprintf(cmd, sizeof cmd, "lintian --allow-root %s > %s/lintian.out "
	    "2>&1; ! grep '^E:' %s/lintian.out", deb, work, work);
	CU_ASSERT_EQUAL(run(cmd, log), 0);
}

/* The package built, clean, and its files run from their places. */
static void
t_install_deb(void)
{
	char	 deb[256], log[128], cmd[6000], fix[PATH_MAX], path[160];
	char	*out, *want, *got;

	snprintf(log, sizeof log, "%s/deb.log", work);
	CU_ASSERT_EQUAL_FATAL(deb_get(deb, sizeof deb, log), 0);
	deb_inspect(deb, log);
	snprintf(cmd, sizeof cmd, "dpkg-deb -x %s %s/root", deb, work);
	CU_ASSERT_EQUAL_FATAL(run(cmd, log), 0);
	snprintf(path, sizeof path, "%s/ns.sh", work);
	CU_ASSERT_EQUAL_FATAL(write_text(path, ns_script), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(FIXTURE, fix));
	snprintf(cmd, sizeof cmd, "APP_DSN='%s' ADMIN_DSN='%s' unshare --mount "
	    "sh -eu %s %s/root %s %d %s > %s/ns.out", pg.app_dsn, pg.dsn, path,
	    work, work, harness_free_port(), fix, work);
	CU_ASSERT_EQUAL(run(cmd, log), 0);

	snprintf(path, sizeof path, "%s/ns.out", work);
	out = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "railgated: /etc/railgate/railgate.conf "
	    "and the rule set /usr/share/railgate/rules/default are valid"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "changed lines 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "readyz 200\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "railgated exit 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "state written\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "verify failed"));
	if (strstr(out, "readyz 200\n") == NULL) {
		snprintf(path, sizeof path, "%s/railgated.log", work);
		free(out);
		out = slurp(path);
		fprintf(stderr, "\n--- installed railgated ---\n%s\n",
		    out != NULL ? out : "");
	}
	free(out);
	/* The installed check decides as the tree's does. */
	snprintf(path, sizeof path, "%s/check.out", work);
	out = slurp(path);
	got = decision_of(out);
	want = tree_decision(log);
	CU_ASSERT_PTR_NOT_NULL(got);
	CU_ASSERT(got != NULL && want != NULL && strcmp(got, want) == 0);
	free(got);
	free(want);
	free(out);
}

/*
 * The maintainer script alone, in a mount namespace whose /etc and
 * /var/lib are overlays the script may write: $1 the package's control
 * files, $2 a work directory, $3 "login" (a login user railgate exists
 * before) or "fresh" (none does).
 */
static const char postinst_script[] =
    "C=$1; W=$2; MODE=$3\n"
    "mount --make-rprivate /\n"
    "for d in /etc /var/lib; do\n"
    "\tn=$MODE$(echo $d | tr / _)\n"
    "\tmkdir -p \"$W/up$n\" \"$W/wk$n\"\n"
    "\tmount -t overlay overlay -o \"lowerdir=$d,upperdir=$W/up$n,"
    "workdir=$W/wk$n\" \"$d\"\n"
    "done\n"
    "userdel railgate >/dev/null 2>&1 || true\n"
    "groupdel railgate >/dev/null 2>&1 || true\n"
    "test \"$MODE\" != login || useradd -s /bin/bash railgate\n"
    "rc=0; sh \"$C/postinst\" configure > \"$W/postinst-$MODE.out\" 2>&1 "
    "|| rc=$?\n"
    "echo \"postinst exit $rc\"\n"
    "test \"$MODE\" = fresh || exit 0\n"
    "rc=0; sh \"$C/postinst\" configure >> \"$W/postinst-$MODE.out\" 2>&1 "
    "|| rc=$?\n"
    "echo \"again exit $rc\"\n"
    "echo \"shell $(getent passwd railgate | cut -d: -f7)\"\n"
    "echo \"state $(stat -c %a:%U:%G /var/lib/railgate)\"\n";

/* Runs postinst_script in mode; its output (caller frees) or NULL. */
static char *
postinst_run(const char *control, const char *mode, const char *log)
{
	char	cmd[1024], path[160];

	snprintf(path, sizeof path, "%s/postinst.sh", work);
	if (write_text(path, postinst_script) < 0)
		return NULL;
	snprintf(cmd, sizeof cmd, "unshare --mount sh -eu %s %s %s %s > "
	    "%s/postinst-%s.ns", path, control, work, mode, work, mode);
	if (run(cmd, log) != 0)
		return NULL;
	snprintf(path, sizeof path, "%s/postinst-%s.ns", work, mode);
	return slurp(path);
}

/*
 * postinst makes a system user that cannot log in, twice without harm,
 * and refuses a login user already called railgate: that user would own
 * the station key and read the database password (the attack review).
 */
static void
t_install_postinst_user(void)
{
	char	 deb[256], log[128], cmd[512], control[160];
	char	*out;

	snprintf(log, sizeof log, "%s/postinst.log", work);
	CU_ASSERT_EQUAL_FATAL(deb_get(deb, sizeof deb, log), 0);
	snprintf(control, sizeof control, "%s/control", work);
	snprintf(cmd, sizeof cmd, "dpkg-deb -e %s %s", deb, control);
	CU_ASSERT_EQUAL_FATAL(run(cmd, log), 0);

	out = postinst_run(control, "fresh", log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "postinst exit 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "again exit 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "shell /usr/sbin/nologin\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "state 750:railgate:railgate\n"));
	free(out);

	out = postinst_run(control, "login", log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NULL(strstr(out, "postinst exit 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "postinst exit "));
	free(out);
}

static CU_TestInfo install_tests[] = {
	{ "t_install_destdir", t_install_destdir },
	{ "t_install_deb", t_install_deb },
	{ "t_install_postinst_user", t_install_postinst_user },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_install", install_suite_init, install_suite_clean,
    install_tests)
