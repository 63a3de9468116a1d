/*
 * test_cli_https.c -- the command line's clients against a daemon on TLS
 * (cli/http_client.c): `railgate submit https://...` and `railgate replay
 * --url https://...` with --cacert (or RAILGATE_CACERT) naming the
 * station's CA, by address (the certificate's IP) and by name (SNI and
 * the certificate's DNS name).
 *
 * Refused, exit 69, with a message naming the URL and the certificate's
 * fault, and nothing stored: the station's CA not trusted (no --cacert),
 * a certificate of the same CA for another host (other.example), by
 * address and by name; plain http:// sent to the TLS port.  A scheme
 * other than http:// or https:// and an unreadable --cacert: exit 64.
 * The certificates come from scripts/border-pki.sh as in test_https.c;
 * other.example's is signed by the station's CA with openssl here.
 */
#include <sys/wait.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define FIXTURE_A	"fixtures/edifact/cuscar_s3_alashankou.edi"	/* X8024 */
#define FIXTURE_B	"fixtures/edifact/cuscar_s4_unoy.edi"
#define FIXTURE_C	"fixtures/edifact/cuscar_unoc_utf8.edi"

static struct harness_pg	pg;
static struct harness_daemon	dm;		/* the station's certificate */
static char			pki[64], ca[128];
static char			operator_tok[64], auditor_tok[64];

/* Runs a shell command; 0 when it exits 0. */
static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
sh(const char *fmt, ...)
{
	va_list	 ap;
	char	*cmd;
	int	 rc;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		cmd = NULL;
	va_end(ap);
	rc = cmd != NULL && system(cmd) == 0 ? 0 : -1;
	free(cmd);
	return rc;
}

/*
 * Runs `railgate ARGS` with RAILGATE_CACERT and RAILGATE_TOKEN unset
 * (env: extra NAME=value, or ""); stdout and stderr together (caller
 * frees), the exit status in *status.
 */
static char *
railgate(int *status, const char *env, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static char *
railgate(int *status, const char *env, const char *fmt, ...)
{
	struct buf	 out = { 0 };
	va_list		 ap;
	char		*args, *cmd, chunk[4096];
	size_t		 n;
	FILE		*p;

	va_start(ap, fmt);
	args = xvasprintf(fmt, ap);
	va_end(ap);
	cmd = xasprintf("env -u RAILGATE_CACERT -u RAILGATE_TOKEN %s "
	    "%s/railgate %s 2>&1", env, test_build_dir(), args);
	*status = -1;
	if ((p = popen(cmd, "r")) != NULL) {
		while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
			buf_add(&out, chunk, n);
		*status = WEXITSTATUS(pclose(p));
	}
	buf_add(&out, "", 1);
	free(cmd);
	free(args);
	return buf_steal(&out, NULL);
}

/* A number from SQL, -1 without one. */
static long
sql_num(const char *sql)
{
	char	*v = harness_sql(&pg, sql);
	long	 n = v != NULL ? atol(v) : -1;

	free(v);
	return n;
}

/* Asserts out holds want, and shows out when it does not. */
static void
expect_text(const char *out, const char *want)
{
	if (strstr(out, want) == NULL)
		fprintf(stderr, "\n  output lacks \"%s\":\n%s\n", want, out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
}

/*
 * Starts a daemon serving dir's cert.pem and key.pem, waits until it
 * answers over TLS as name (curl trusting the station's CA).  0 or -1.
 */
static int
tls_daemon_start(struct harness_daemon *d, const char *dir, const char *name)
{
	char	*conf;
	int	 i, rc;

	conf = xasprintf("tls_cert_file = %s/cert.pem\ntls_key_file = "
	    "%s/key.pem\n%s", dir, dir, pg.conf);
	rc = harness_daemon_spawn(d, conf);
	free(conf);
	for (i = 0; rc == 0 && i < 200 && harness_daemon_alive(d); i++) {
		if (sh("curl -sf -o /dev/null --cacert %s --resolve "
		    "%s:%d:127.0.0.1 https://%s:%d/healthz", ca, name, d->port,
		    name, d->port) == 0)
			return 0;
		usleep(100000);
	}
	(void)sh("cat %s >&2", d->log);
	return -1;
}

/* The certificate of another host, signed by the station's CA. */
static int
other_certificate(void)
{
	return sh("cd %s && mkdir -p other && "
	    "(umask 077 && openssl genpkey -algorithm EC -pkeyopt "
	    "ec_paramgen_curve:P-256 -out other/key.pem 2>/dev/null) && "
	    "openssl req -new -key other/key.pem -subj /CN=other.example "
	    "-out other/req.csr 2>/dev/null && "
	    "printf 'subjectAltName=DNS:other.example\\n"
	    "extendedKeyUsage=serverAuth\\n' > other/ext.cnf && "
	    "openssl x509 -req -in other/req.csr -CA station/ca.pem "
	    "-CAkey station/ca.key -CAcreateserial -days 30 -sha256 "
	    "-extfile other/ext.cnf -out other/cert.pem 2>/dev/null", pki);
}

static int
cli_https_init(void)
{
	char	station[128];

	snprintf(pki, sizeof pki, "/tmp/railgate-clitls.XXXXXX");
	if (mkdtemp(pki) == NULL ||
	    sh("sh scripts/border-pki.sh %s station", pki) < 0 ||
	    other_certificate() < 0)
		return -1;
	snprintf(ca, sizeof ca, "%s/station/ca.pem", pki);
	snprintf(station, sizeof station, "%s/station", pki);
	if (harness_pg_start(&pg) < 0 ||
	    tls_daemon_start(&dm, station, "localhost") < 0 ||
	    harness_token(&pg, "operator", "ktze.operator", operator_tok) < 0 ||
	    harness_token(&pg, "auditor", "a.auditor", auditor_tok) < 0)
		return -1;
	return 0;
}

static int
cli_https_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return sh("rm -rf %s", pki);
}

/* submit over https://, by address and by name: stored and decided. */
static void
t_cli_https_submit(void)
{
	char	*out, env[200];
	int	 st;

	out = railgate(&st, "", "submit --token %s --cacert %s "
	    "https://127.0.0.1:%d " FIXTURE_A, operator_tok, ca, dm.port);
	CU_ASSERT_EQUAL(st, 0);
	expect_text(out, " 202 /v1/trains/X8024");
	free(out);
	/* By name, the CA from RAILGATE_CACERT. */
	snprintf(env, sizeof env, "RAILGATE_CACERT=%s", ca);
	out = railgate(&st, env, "submit --token %s https://localhost:%d "
	    FIXTURE_B, operator_tok, dm.port);
	CU_ASSERT_EQUAL(st, 0);
	expect_text(out, " 202 /v1/trains/");
	free(out);
	CU_ASSERT_EQUAL(sql_num("SELECT count(*) FROM trains"), 2);
	CU_ASSERT(harness_wait_sql(&pg, "SELECT count(*) FROM trains WHERE "
	    "decision IS NOT NULL AND NOT eval_needed", "2", 10000));
}

/* replay --url https://: the daemon's report, exit 0. */
static void
t_cli_https_replay(void)
{
	char	*out;
	int	 st;

	out = railgate(&st, "", "replay --url https://127.0.0.1:%d --token %s "
	    "--cacert %s --train X8024", dm.port, auditor_tok, ca);
	CU_ASSERT_EQUAL(st, 0);
	expect_text(out, "replay: 1 train, ");
	expect_text(out, "1 decision, all identical");
	expect_text(out, "audit chain: intact");
	free(out);
	CU_ASSERT_EQUAL(sql_num("SELECT count(*) FROM replays"), 1);
}

/* The station's CA not trusted: refused, naming why; nothing stored. */
static void
t_cli_https_untrusted(void)
{
	long	trains = sql_num("SELECT count(*) FROM trains");
	long	manifests = sql_num("SELECT count(*) FROM manifests");
	long	replays = sql_num("SELECT count(*) FROM replays");
	char	*out, url[64];
	int	 st;

	snprintf(url, sizeof url, "https://127.0.0.1:%d", dm.port);
	out = railgate(&st, "", "submit --token %s %s " FIXTURE_C, operator_tok,
	    url);
	CU_ASSERT_EQUAL(st, 69);
	expect_text(out, url);
	expect_text(out, "certificate is refused: unable to get local issuer "
	    "certificate");
	expect_text(out, "--cacert");
	free(out);
	out = railgate(&st, "", "replay --url %s --token %s --train X8024", url,
	    auditor_tok);
	CU_ASSERT_EQUAL(st, 69);
	expect_text(out, "certificate is refused: unable to get local issuer "
	    "certificate");
	free(out);
	/* A CA file that is another one's: the same. */
	out = railgate(&st, "", "submit --token %s --cacert %s/other/cert.pem "
	    "%s " FIXTURE_C, operator_tok, pki, url);
	CU_ASSERT_EQUAL(st, 69);
	expect_text(out, "certificate is refused");
	free(out);
	CU_ASSERT_EQUAL(sql_num("SELECT count(*) FROM trains"), trains);
	CU_ASSERT_EQUAL(sql_num("SELECT count(*) FROM manifests"), manifests);
	CU_ASSERT_EQUAL(sql_num("SELECT count(*) FROM replays"), replays);
}

/* A certificate of the station's CA for other.example: refused. */
static void
t_cli_https_wrong_host(void)
{
	struct harness_daemon	 other;
	long			 trains = sql_num("SELECT count(*) FROM trains");
	long			 replays = sql_num("SELECT count(*) FROM replays");
	char			 dir[128], *out;
	int			 st;

	snprintf(dir, sizeof dir, "%s/other", pki);
	CU_ASSERT_EQUAL_FATAL(tls_daemon_start(&other, dir, "other.example"),
	    0);
	out = railgate(&st, "", "submit --token %s --cacert %s "
	    "https://127.0.0.1:%d " FIXTURE_C, operator_tok, ca, other.port);
	CU_ASSERT_EQUAL(st, 69);
	expect_text(out, "certificate is refused: IP address mismatch");
	expect_text(out, "CN=other.example");
	free(out);
	out = railgate(&st, "", "submit --token %s --cacert %s "
	    "https://localhost:%d " FIXTURE_C, operator_tok, ca, other.port);
	CU_ASSERT_EQUAL(st, 69);
	expect_text(out, "certificate is refused: hostname mismatch");
	free(out);
	out = railgate(&st, "", "replay --url https://localhost:%d --token %s "
	    "--cacert %s --all", other.port, auditor_tok, ca);
	CU_ASSERT_EQUAL(st, 69);
	expect_text(out, "hostname mismatch");
	free(out);
	harness_daemon_stop(&other);
	CU_ASSERT_EQUAL(sql_num("SELECT count(*) FROM trains"), trains);
	CU_ASSERT_EQUAL(sql_num("SELECT count(*) FROM replays"), replays);
}

/* http:// to the TLS port: no answer, exit 69, nothing stored. */
static void
t_cli_https_plain_to_tls(void)
{
	long	trains = sql_num("SELECT count(*) FROM trains");
	char	*out;
	int	 st;

	out = railgate(&st, "", "submit --token %s http://127.0.0.1:%d "
	    FIXTURE_C, operator_tok, dm.port);
	CU_ASSERT_EQUAL(st, 69);
	expect_text(out, "no answer");
	free(out);
	out = railgate(&st, "", "replay --url http://127.0.0.1:%d --token %s "
	    "--all", dm.port, auditor_tok);
	CU_ASSERT_EQUAL(st, 69);
	expect_text(out, "no answer");
	free(out);
	CU_ASSERT_EQUAL(sql_num("SELECT count(*) FROM trains"), trains);
}

/* Other schemes, credentials and a missing --cacert: usage, exit 64. */
static void
t_cli_https_usage_refusals(void)
{
	char	*out;
	int	 st;

	out = railgate(&st, "", "submit --token %s ftp://127.0.0.1:%d "
	    FIXTURE_C, operator_tok, dm.port);
	CU_ASSERT_EQUAL(st, 64);
	expect_text(out, "not an http:// or https:// URL");
	free(out);
	out = railgate(&st, "", "replay --url https://a:b@127.0.0.1:%d "
	    "--token %s --all", dm.port, auditor_tok);
	CU_ASSERT_EQUAL(st, 64);
	expect_text(out, "credentials");
	free(out);
	out = railgate(&st, "", "submit --token %s --cacert %s/none.pem "
	    "https://127.0.0.1:%d " FIXTURE_C, operator_tok, pki, dm.port);
	CU_ASSERT_EQUAL(st, 64);
	expect_text(out, "none.pem: No such file or directory");
	free(out);
}

static CU_TestInfo cli_https_tests[] = {
	{ "t_cli_https_submit", t_cli_https_submit },
	{ "t_cli_https_replay", t_cli_https_replay },
	{ "t_cli_https_untrusted", t_cli_https_untrusted },
	{ "t_cli_https_wrong_host", t_cli_https_wrong_host },
	{ "t_cli_https_plain_to_tls", t_cli_https_plain_to_tls },
	{ "t_cli_https_usage_refusals", t_cli_https_usage_refusals },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_cli_https", cli_https_init, cli_https_clean,
    cli_https_tests)
