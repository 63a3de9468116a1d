/*
 * test_api_auth.c -- tokens and roles against the real daemon: missing,
 * malformed, unknown, expired and revoked tokens; a role calling a route
 * that is not its own; the audit chain's verification and its detection
 * of a tampered record.  Tokens are made with the real command line.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			auditor[64], officer[64];

/* `railgate token create` with the app DSN; the token into out. */
static int
cli_token(const char *role, const char *name, char *out, size_t size)
{
	char	cmd[1400];
	FILE	*p;
	int	 ok;

	snprintf(cmd, sizeof cmd, "%s/railgate token create --role %s --name %s "
	    "--dsn '%s'%s", test_build_dir(), role, name, pg.app_dsn,
	    strcmp(role, "operator") == 0 ? " --carrier KZ-KTZE" : "");
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	ok = fgets(out, (int)size, p) != NULL;
	if (ok)
		out[strcspn(out, "\n")] = '\0';
	return pclose(p) == 0 && ok && strncmp(out, "rg_", 3) == 0 ? 0 : -1;
}

static int
auth_suite_init(void)
{
	char	conf[2048];

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[http]\ntoken_cache_s = 1\n", pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (cli_token("auditor", "a.auditor", auditor, sizeof auditor) < 0 ||
	    cli_token("officer", "o.officer", officer, sizeof officer) < 0)
		return -1;
	return 0;
}

static int
auth_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* GET path with a bearer token (NULL: none); returns the status. */
static int
get_status(const char *path, const char *token, struct harness_response *keep)
{
	struct harness_response	r;
	char			hdr[256];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(dm.port, "GET", path, token != NULL ? hdr : NULL, NULL,
	    0, &r) < 0)
		return -1;
	status = r.status;
	if (keep != NULL)
		*keep = r;
	else
		harness_response_free(&r);
	return status;
}

static void
t_auth_missing_token(void)
{
	struct harness_response	r;
	char			v[128];

	CU_ASSERT_EQUAL(get_status("/v1/audit/verify", NULL, &r), 401);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "WWW-Authenticate", v, sizeof v));
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Content-Type", v, sizeof v));
	CU_ASSERT_STRING_EQUAL(v, "application/problem+json");
	harness_response_free(&r);
}

static void
t_auth_malformed_and_unknown(void)
{
	struct harness_response	r;

	CU_ASSERT_EQUAL(harness_http(dm.port, "GET", "/v1/audit/verify",
	    "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l\r\n", NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 401);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(get_status("/v1/audit/verify",
	    "rg_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL), 401);
	/* The same bad token again is answered from the negative cache. */
	CU_ASSERT_EQUAL(get_status("/v1/audit/verify",
	    "rg_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL), 401);
	/* SQL metacharacters in a token are just a wrong token. */
	CU_ASSERT_EQUAL(get_status("/v1/audit/verify", "x'OR'1'='1", NULL), 401);
}

static void
t_auth_wrong_role_forbidden(void)
{
	struct harness_response	r;

	CU_ASSERT_EQUAL(get_status("/v1/audit/verify", officer, &r), 403);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"status\":403"));
	harness_response_free(&r);
}

static void
t_auth_auditor_verifies_chain(void)
{
	struct harness_response	r;
	json_t			*j;

	CU_ASSERT_EQUAL_FATAL(get_status("/v1/audit/verify", auditor, &r), 200);
	j = json_loads(r.body, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_TRUE(json_is_true(json_object_get(j, "intact")));
	/* Two token.create records at least. */
	CU_ASSERT(json_integer_value(json_object_get(j, "checked")) >= 2);
	json_decref(j);
	harness_response_free(&r);
}

static void
t_auth_expired_token(void)
{
	char	tok[64];

	CU_ASSERT_EQUAL_FATAL(harness_token(&pg, "auditor", "late", tok), 0);
	CU_ASSERT_EQUAL(get_status("/v1/audit/verify", tok, NULL), 200);
	free(harness_sql(&pg, "UPDATE tokens SET expires_at = now() - "
	    "interval '1 minute' WHERE principal = 'late'"));
	usleep(1200000);	/* the token cache's ttl */
	CU_ASSERT_EQUAL(get_status("/v1/audit/verify", tok, NULL), 401);
}

static void
t_auth_revoked_token(void)
{
	char	tok[64], cmd[1400];

	CU_ASSERT_EQUAL_FATAL(cli_token("auditor", "leaver", tok, sizeof tok), 0);
	CU_ASSERT_EQUAL(get_status("/v1/audit/verify", tok, NULL), 200);
	snprintf(cmd, sizeof cmd, "%s/railgate token revoke --name leaver "
	    "--dsn '%s' > /dev/null", test_build_dir(), pg.app_dsn);
	CU_ASSERT_EQUAL(system(cmd), 0);
	usleep(1200000);
	CU_ASSERT_EQUAL(get_status("/v1/audit/verify", tok, NULL), 401);
	/* Others' tokens still work. */
	CU_ASSERT_EQUAL(get_status("/v1/audit/verify", auditor, NULL), 200);
}

/* A record altered behind the daemon's back is found, with its number. */
static void
t_auth_audit_tamper_detected(void)
{
	struct harness_response	 r;
	json_t			*j;

	free(harness_sql(&pg, "ALTER TABLE audit_log DISABLE TRIGGER "
	    "audit_log_append_only"));
	free(harness_sql(&pg, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"));
	free(harness_sql(&pg, "ALTER TABLE audit_log ENABLE TRIGGER "
	    "audit_log_append_only"));
	CU_ASSERT_EQUAL_FATAL(get_status("/v1/audit/verify", auditor, &r), 200);
	j = json_loads(r.body, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_TRUE(json_is_false(json_object_get(j, "intact")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "first_bad")), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "reason")),
	    "record altered");
	json_decref(j);
	harness_response_free(&r);
}

/*
 * Every role against every route: a role reaches exactly the rows of
 * docs/contracts.md (403 elsewhere; what the handler then answers -- 404 for
 * an unknown train, 400/422 for an empty body -- only shows it got in).
 */
static void
t_auth_role_table(void)
{
	static const char *const roles[] = { "officer", "supervisor", "auditor",
	    "operator", "admin", "device" };
	static const struct {
		const char	*method, *path;
		const char	*allowed;	/* roles, space-separated */
	} routes[] = {
		{ "POST", "/v1/manifests", "operator" },
		{ "GET", "/v1/trains", "officer supervisor auditor operator" },
		{ "GET", "/v1/trains/NOPE",
		    "officer supervisor auditor operator" },
		{ "GET", "/v1/trains/NOPE/decision", "officer supervisor auditor" },
		{ "GET", "/v1/trains/NOPE/manifest", "officer supervisor auditor" },
		{ "GET", "/v1/trains/NOPE/audit", "officer supervisor auditor" },
		{ "GET", "/v1/trains/NOPE/events", "officer supervisor auditor" },
		{ "POST", "/v1/trains/NOPE/events",
		    "officer supervisor operator device" },
		{ "POST", "/v1/trains/NOPE/wagons/1/resolution",
		    "officer supervisor" },
		{ "POST", "/v1/trains/NOPE/approve", "officer supervisor" },
		{ "GET", "/v1/audit/verify", "auditor" },
		{ "GET", "/v1/rulesets/"
		    "0000000000000000000000000000000000000000000000000000000000000000",
		    "officer supervisor auditor" },
		{ "GET", "/v1/peer", "officer supervisor auditor admin" },
	};
	char			 tokens[6][64], name[64], hdr[512], want[32];
	struct harness_response	 r;
	size_t			 i, k;

	for (k = 0; k < nitems(roles); k++) {
		snprintf(name, sizeof name, "table.%s", roles[k]);
		CU_ASSERT_EQUAL_FATAL(cli_token(roles[k], name, tokens[k],
		    sizeof tokens[k]), 0);
	}
	for (i = 0; i < nitems(routes); i++) {
		for (k = 0; k < nitems(roles); k++) {
			bool allowed;

			snprintf(want, sizeof want, " %s ", roles[k]);
			snprintf(name, sizeof name, " %s ", routes[i].allowed);
			allowed = strstr(name, want) != NULL;
			snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
			    tokens[k]);
			CU_ASSERT_EQUAL_FATAL(harness_http(dm.port,
			    routes[i].method, routes[i].path, hdr, "{}", 2, &r), 0);
			if ((r.status == 403) == allowed) {
				fprintf(stderr, "\n%s %s as %s: %d\n",
				    routes[i].method, routes[i].path, roles[k],
				    r.status);
				CU_FAIL("role table");
			}
			CU_ASSERT_NOT_EQUAL(r.status, 401);
			harness_response_free(&r);
		}
	}
}

static CU_TestInfo auth_tests[] = {
	{ "t_auth_missing_token", t_auth_missing_token },
	{ "t_auth_malformed_and_unknown", t_auth_malformed_and_unknown },
	{ "t_auth_wrong_role_forbidden", t_auth_wrong_role_forbidden },
	{ "t_auth_role_table", t_auth_role_table },
	{ "t_auth_auditor_verifies_chain", t_auth_auditor_verifies_chain },
	{ "t_auth_expired_token", t_auth_expired_token },
	{ "t_auth_revoked_token", t_auth_revoked_token },
	{ "t_auth_audit_tamper_detected", t_auth_audit_tamper_detected },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_auth", auth_suite_init, auth_suite_clean, auth_tests)
