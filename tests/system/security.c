/*
 * security.c -- the fixture the security suites share (issue 10,
 * "Security suite"; split by attack surface in issue 16): one private
 * PostgreSQL cluster and one daemon per suite, configured alike, tokens
 * of every role (with an expired and a revoked one), the fixture train
 * submitted; the requests, row counts and log reads the suites assert
 * with; and the secrets the final scan of each suite's log looks for.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "manifest/util.h"

#include "harness.h"
#include "security.h"
#include "unit.h"

#define SEC_MAX_TOKENS	32

struct sec_fixture	sec;
/* Every token and secret the suite used: none may reach the log. */
static char	secrets[SEC_MAX_TOKENS][128];
static size_t	nsecrets;

/* Remembers a secret for the final scan of the log. */
void
sec_remember(const char *s)
{
	if (nsecrets < SEC_MAX_TOKENS)
		snprintf(secrets[nsecrets++], sizeof secrets[0], "%.*s",
		    (int)sizeof secrets[0] - 1, s);
}

/* `railgate ARGS --dsn APP_DSN`, its first output line into out. */
static int
cli(const char *args, char *out, size_t size)
{
	char	cmd[1400], line[256];
	FILE	*p;
	int	 ok;

	snprintf(cmd, sizeof cmd, "%s/railgate %s --dsn '%s'", test_build_dir(),
	    args, sec.pg.app_dsn);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	ok = fgets(line, sizeof line, p) != NULL;
	while (ok && fgetc(p) != EOF)
		;
	if (ok && out != NULL) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, size, "%.*s", (int)size - 1, line);
	}
	return pclose(p) == 0 ? 0 : -1;
}

/* One parameterised statement as the owner: the first value (owned) or NULL. */
char *
sec_sql1(const char *sql, const char *param)
{
	PGconn		*c = PQconnectdb(sec.pg.dsn);
	PGresult	*r;
	char		*v = NULL;
	const char	*p[1] = { param };

	if (PQstatus(c) == CONNECTION_OK) {
		r = PQexecParams(c, sql, param != NULL ? 1 : 0, NULL, p, NULL,
		    NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			v = xstrdup(PQgetvalue(r, 0, 0));
		else if (PQresultStatus(r) != PGRES_TUPLES_OK)
			fprintf(stderr, "\nsql: %s: %s", sql,
			    PQresultErrorMessage(r));
		PQclear(r);
	}
	PQfinish(c);
	return v;
}

/* sql1 as a number, -1 when it failed. */
long
sec_sql_count(const char *sql, const char *param)
{
	char	*v = sec_sql1(sql, param);
	long	 n = v != NULL ? atol(v) : -1;

	free(v);
	return n;
}

/* The rows of the tables a refused request must leave alone, as one string. */
char *
sec_table_counts(void)
{
	/* Evaluations append decisions and audit records on their own: count
	 * only once none is due, so that the counts change by what the
	 * requests did. */
	harness_wait_sql(&sec.pg, "SELECT count(*) FROM trains WHERE eval_needed",
	    "0", 15000);
	return sec_sql1("SELECT (SELECT count(*) FROM trains) || '/' || "
	    "(SELECT count(*) FROM manifests) || '/' || "
	    "(SELECT count(*) FROM events) || '/' || "
	    "(SELECT count(*) FROM officer_actions) || '/' || "
	    "(SELECT count(*) FROM decisions WHERE final) || '/' || "
	    "(SELECT count(*) FROM subscriptions) || '/' || "
	    "(SELECT count(*) FROM notices) || '/' || "
	    "(SELECT count(*) FROM tokens) || '/' || "
	    "(SELECT count(*) FROM audit_log)", NULL);
}

/*
 * Asserts the counts of sec_table_counts() are still before (which it frees):
 * what was refused stored nothing.  what and meta name the attempt.
 */
void
sec_check_nothing_stored(char *before, const char *what, const char *meta)
{
	char	*after = sec_table_counts();

	if (strcmp(before, after) != 0)
		fprintf(stderr, "\n%s %s: rows %s -> %s\n", what, meta, before,
		    after);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
}

/* A request with a bearer token (NULL: none) and extra headers. */
int
sec_call(const char *method, const char *path, const char *token,
    const char *extra, const char *body, struct harness_response *r)
{
	char	hdr[1024];

	snprintf(hdr, sizeof hdr, "%s%s%s%s", token != NULL ?
	    "Authorization: Bearer " : "", token != NULL ? token : "",
	    token != NULL ? "\r\n" : "", extra != NULL ? extra : "");
	if (harness_http(sec.dm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, r) < 0) {
		memset(r, 0, sizeof *r);
		r->status = -1;
		r->body = xstrdup("");
		r->headers = xstrdup("");
	}
	return r->status;
}

/* sec_call(), the response dropped: the status. */
int
sec_call_status(const char *method, const char *path, const char *token,
    const char *extra, const char *body)
{
	struct harness_response	r;
	int			status = sec_call(method, path, token, extra, body, &r);

	harness_response_free(&r);
	return status;
}

/* True when r is a problem document whose status is r's. */
bool
sec_is_problem(const struct harness_response *r)
{
	char	 ct[128];
	json_t	*j;
	bool	 ok;

	if (harness_header(r, "Content-Type", ct, sizeof ct) == NULL ||
	    strcmp(ct, "application/problem+json") != 0)
		return false;
	j = json_loads(r->body, 0, NULL);
	ok = j != NULL && json_integer_value(json_object_get(j, "status")) ==
	    r->status && json_string_value(json_object_get(j, "title")) != NULL;
	json_decref(j);
	return ok;
}

/* Fails (saying which) when status is no answer or a 5xx. */
void
sec_check_no_5xx(int status, const char *what, const char *method,
    const char *path)
{
	if (status >= 100 && status < 500)
		return;
	fprintf(stderr, "\n%s: %s %s -> %d\n", what, method, path, status);
	CU_FAIL("no answer or a 5xx");
}

int
sec_suite_init(void)
{
	char	conf[2048];

	/* Each suite its own cluster, daemon, tokens and secrets. */
	memset(&sec, 0, sizeof sec);
	nsecrets = 0;
	signal(SIGPIPE, SIG_IGN);
	if (harness_pg_start(&sec.pg) < 0)
		return -1;
	/* Subscriptions to loopback are stored (their metacharacters are
	 * what is tested here); hundreds of bad tokens on purpose: not
	 * throttled here. */
	snprintf(conf, sizeof conf, "%s[http]\nmax_body_mb = 1\n"
	    "request_timeout_s = 2\ntoken_cache_s = 1\n"
	    "auth_failures_per_client = 100000\n[notices]\n"
	    "allow_private_endpoints = yes\n", sec.pg.conf);
	if (harness_daemon_start(&sec.dm, conf) < 0)
		return -1;
	if (harness_token(&sec.pg, "operator", "sec.operator", sec.operator_tok) < 0 ||
	    harness_token(&sec.pg, "officer", "sec.officer", sec.officer_tok) < 0 ||
	    harness_token(&sec.pg, "auditor", "sec.auditor", sec.auditor_tok) < 0 ||
	    harness_token(&sec.pg, "admin", "sec.admin", sec.admin_tok) < 0 ||
	    harness_token(&sec.pg, "auditor", "sec.expired", sec.expired_tok) < 0)
		return -1;
	free(harness_sql(&sec.pg, "UPDATE tokens SET expires_at = now() - "
	    "interval '1 minute' WHERE principal = 'sec.expired'"));
	if (cli("token create --role officer --name sec.revoked", sec.revoked_tok,
	    sizeof sec.revoked_tok) < 0 || strncmp(sec.revoked_tok, "rg_", 3) != 0 ||
	    cli("token revoke --name sec.revoked", NULL, 0) < 0)
		return -1;
	sec_remember(sec.operator_tok);
	sec_remember(sec.officer_tok);
	sec_remember(sec.auditor_tok);
	sec_remember(sec.admin_tok);
	sec_remember(sec.expired_tok);
	sec_remember(sec.revoked_tok);
	if (harness_submit_fixture(sec.dm.port, sec.operator_tok,
	    "edifact/cuscar_s3_alashankou.edi") != 202)
		return -1;
	return 0;
}

int
sec_suite_clean(void)
{
	harness_daemon_stop(&sec.dm);
	harness_pg_stop(&sec.pg);
	return 0;
}

/* The daemon's log (owned). */
char *
sec_daemon_log(void)
{
	char	*log = NULL;
	size_t	 len;

	if (file_read_all(sec.dm.log, &log, &len) < 0)
		return xstrdup("");
	return log;
}

/* True when the daemon's log holds needle, waiting up to ms for it. */
bool
sec_log_has(const char *needle, int ms)
{
	char	*log;
	bool	 has;
	int	 waited;

	for (waited = 0;; waited += 50) {
		log = sec_daemon_log();
		has = strstr(log, needle) != NULL;
		free(log);
		if (has || waited >= ms)
			return has;
		usleep(50000);
	}
}

/*
 * After everything a suite did: no token, subscription secret or private
 * key text in the log; at least min_secrets were remembered.  The key is matched by each base64 line of its PEM body.
 */
void
sec_check_no_secrets(size_t min_secrets)
{
	char	key[400], *pem, *log, *line, *save;
	size_t	len, i, lines = 0;

	log = sec_daemon_log();
	CU_ASSERT(strlen(log) > 0);
	CU_ASSERT(nsecrets >= min_secrets);
	for (i = 0; i < nsecrets; i++)
		if (strstr(log, secrets[i]) != NULL) {
			fprintf(stderr, "\nsecret %zu (%.6s...) in the log\n", i,
			    secrets[i]);
			CU_FAIL("no secret in the log");
		}
	snprintf(key, sizeof key, "%s/station-ed25519.pem", sec.dm.dir);
	CU_ASSERT_EQUAL_FATAL(file_read_all(key, &pem, &len), 0);
	for (line = strtok_r(pem, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "-----", 5) == 0)
			continue;
		lines++;
		CU_ASSERT_PTR_NULL(strstr(log, line));
	}
	CU_ASSERT(lines >= 1);
	CU_ASSERT_PTR_NULL(strstr(log, "PRIVATE KEY"));
	free(pem);
	free(log);
}
