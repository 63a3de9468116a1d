/*
 * test_security_roles.c -- who may call what (issue 10, "Security
 * suite"), against the real daemon: every route of its own /openapi.json
 * without a token and with a malformed, expired and revoked one; every
 * route of the route table (daemon/api/api.c, read as text) against
 * every role; each refusal leaving its line in the log.
 * integration_auth covers the token kinds on one route and a fixed role
 * table; this suite covers every route.  The fixture: security.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "security.h"
#include "unit.h"

/* A plausible value for a path parameter of path. */
static const char *
param_value(const char *path, const char *name)
{
	if (strcmp(name, "wagon") == 0)
		return SEC_WAGON;
	if (strcmp(name, "sha256") == 0)
		return "0000000000000000000000000000000000000000000000000000000000000000";
	if (strcmp(name, "name") == 0)
		return "sec-sub";
	if (strcmp(name, "file") == 0)
		return "core.js";
	if (strncmp(path, "/v1/notices/", 12) == 0)
		return "ntc_00000000000000000000000000000000";
	return SEC_TRAIN;
}

/* pattern with every {param} replaced by a plausible value. */
static void
fill_path(const char *pattern, char *out, size_t size)
{
	const char	*p = pattern, *end;
	size_t		 n = 0;
	char		 name[64];

	while (*p != '\0' && n + 1 < size) {
		if (*p == '{' && (end = strchr(p, '}')) != NULL) {
			snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
			n += (size_t)snprintf(out + n, size - n, "%s",
			    param_value(pattern, name));
			if (n >= size)
				n = size - 1;
			p = end + 1;
		} else
			out[n++] = *p++;
	}
	out[n] = '\0';
}

/* The daemon's own API description. */
static json_t *
openapi(void)
{
	struct harness_response	 r;
	json_t			*j = NULL;

	if (sec_call("GET", "/openapi.json", NULL, NULL, NULL, &r) == 200)
		j = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	return j;
}

/*
 * Every operation of /openapi.json: public ones answer without a token
 * (never 5xx); the others refuse no token, a malformed one, an expired
 * and a revoked one with 401 and a problem document that does not echo
 * the token, and the daemon lives on.
 */
static void
t_security_every_route_bad_tokens(void)
{
	static const struct {
		const char	*what, *header;
	} bad[] = {
		{ "no token", NULL },
		{ "malformed", "Authorization: Bearer not a token at all\r\n" },
		{ "malformed", "Authorization: Bearer rg_'; DROP TABLE tokens;--\r\n" },
		{ "basic", "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l\r\n" },
		{ "empty", "Authorization: Bearer \r\n" },
		{ "expired", "E" },
		{ "revoked", "R" },
	};
	json_t		*api, *paths, *ops, *op, *security;
	const char	*pattern, *method;
	char		 path[512], hdr[256], m[8];
	size_t		 nops = 0, nprotected = 0, i, k;

	api = openapi();
	CU_ASSERT_PTR_NOT_NULL_FATAL(api);
	paths = json_object_get(api, "paths");
	json_object_foreach(paths, pattern, ops) {
		fill_path(pattern, path, sizeof path);
		json_object_foreach(ops, method, op) {
			bool public;

			if (strcmp(method, "parameters") == 0)
				continue;
			for (k = 0; method[k] != '\0' && k + 1 < sizeof m; k++)
				m[k] = (char)(method[k] & ~0x20);
			m[k] = '\0';
			nops++;
			security = json_object_get(op, "security");
			public = json_is_array(security) &&
			    json_array_size(security) == 0;
			if (public) {
				sec_check_no_5xx(sec_call_status(m, path, NULL, NULL, NULL),
				    "public", m, path);
				continue;
			}
			nprotected++;
			for (i = 0; i < nitems(bad); i++) {
				struct harness_response	 r;
				const char		*h = bad[i].header;

				if (h != NULL && strcmp(h, "E") == 0)
					snprintf(hdr, sizeof hdr, "Authorization: "
					    "Bearer %s\r\n", sec.expired_tok);
				else if (h != NULL && strcmp(h, "R") == 0)
					snprintf(hdr, sizeof hdr, "Authorization: "
					    "Bearer %s\r\n", sec.revoked_tok);
				else
					snprintf(hdr, sizeof hdr, "%s",
					    h != NULL ? h : "");
				sec_call(m, path, NULL, hdr, "{}", &r);
				if (r.status != 401 || !sec_is_problem(&r)) {
					fprintf(stderr, "\n%s %s with %s: %d %s\n",
					    m, path, bad[i].what, r.status, r.body);
					CU_FAIL("401 with a problem document");
				}
				CU_ASSERT_PTR_NULL(strstr(r.body, sec.expired_tok));
				CU_ASSERT_PTR_NULL(strstr(r.body, sec.revoked_tok));
				CU_ASSERT_PTR_NULL(strstr(r.body, "DROP TABLE"));
				harness_response_free(&r);
			}
		}
	}
	json_decref(api);
	CU_ASSERT(nops >= 20);
	CU_ASSERT(nprotected >= 14);
	CU_ASSERT_TRUE(harness_daemon_alive(&sec.dm));
	CU_ASSERT_EQUAL(sec_call_status("GET", "/healthz", NULL, NULL, NULL), 200);
}

/* One route of daemon/api/api.c: method, pattern, role mask as text. */
struct table_route {
	char	method[8];
	char	pattern[128];
	char	roles[128];
};

/* Reads the route table from daemon/api/api.c; the number of routes. */
static size_t
read_route_table(struct table_route *out, size_t max)
{
	char	*src, *p, *q;
	size_t	 len, n = 0;

	if (file_read_all("daemon/api/api.c", &src, &len) < 0)
		return 0;
	p = strstr(src, "api_routes[] = {");
	while (p != NULL && n < max && (p = strstr(p, "{ EVHTTP_REQ_")) != NULL) {
		struct table_route *t = &out[n];

		p += strlen("{ EVHTTP_REQ_");
		snprintf(t->method, sizeof t->method, "%.*s",
		    (int)strcspn(p, ","), p);
		if ((p = strchr(p, '"')) == NULL || (q = strchr(p + 1, '"')) == NULL)
			break;
		snprintf(t->pattern, sizeof t->pattern, "%.*s", (int)(q - p - 1),
		    p + 1);
		p = q + 1 + strspn(q + 1, ", \t\n");
		/* The roles run to the comma before the handler. */
		q = strchr(p, ',');
		if (q == NULL)
			break;
		snprintf(t->roles, sizeof t->roles, " %.*s ", (int)(q - p), p);
		for (q = t->roles; *q != '\0'; q++)
			if (*q == '|' || *q == '\n' || *q == '\t')
				*q = ' ';
		n++;
	}
	free(src);
	return n;
}

/* True when the route's roles (READERS, AUTH_X | ...) admit role. */
static bool
route_admits(const char *roles, const char *role)
{
	char	want[32];
	bool	officer_ok;

	officer_ok = strstr(roles, " AUTH_OFFICER ") != NULL ||
	    strstr(roles, " READERS ") != NULL;
	if (strcmp(role, "supervisor") == 0 && officer_ok)
		return true;
	if ((strcmp(role, "officer") == 0 || strcmp(role, "auditor") == 0) &&
	    strstr(roles, " READERS ") != NULL)
		return true;
	snprintf(want, sizeof want, " AUTH_%s ", role);
	for (char *w = want; *w != '\0'; w++)
		*w = (char)(*w >= 'a' && *w <= 'z' ? *w - 32 : *w);
	return strstr(roles, want) != NULL;
}

/*
 * The route table itself (daemon/api/api.c) is in /openapi.json, and every
 * role against every protected route of it: 403 exactly where the table
 * does not list the role, with a problem document; never 401 or 5xx.
 * Trains and notices that do not exist, so nothing is changed.
 */
static void
t_security_route_table_roles(void)
{
	static const char *const roles[] = { "officer", "supervisor", "auditor",
	    "operator", "admin", "device" };
	struct table_route	 routes[64];
	char			 tokens[6][64], name[64], path[512];
	json_t			*api, *paths;
	size_t			 n, i, k;

	n = read_route_table(routes, nitems(routes));
	CU_ASSERT_FATAL(n >= 20);
	api = openapi();
	CU_ASSERT_PTR_NOT_NULL_FATAL(api);
	paths = json_object_get(api, "paths");
	for (k = 0; k < nitems(roles); k++) {
		snprintf(name, sizeof name, "sec.table.%s", roles[k]);
		CU_ASSERT_EQUAL_FATAL(harness_token(&sec.pg, roles[k], name,
		    tokens[k]), 0);
		sec_remember(tokens[k]);
	}
	for (i = 0; i < n; i++) {
		char method[8];

		for (k = 0; routes[i].method[k] != '\0'; k++)
			method[k] = (char)(routes[i].method[k] | 0x20);
		method[k] = '\0';
		if (json_object_get(json_object_get(paths, routes[i].pattern),
		    method) == NULL) {
			fprintf(stderr, "\n%s %s: not in /openapi.json\n",
			    routes[i].method, routes[i].pattern);
			CU_FAIL("route table and /openapi.json agree");
		}
		if (strstr(routes[i].roles, " AUTH_NONE ") != NULL)
			continue;
		fill_path(routes[i].pattern, path, sizeof path);
		/* Nothing real: a train and a notice that do not exist. */
		if (strstr(path, SEC_TRAIN) != NULL)
			fill_path(routes[i].pattern, path, sizeof path),
			    memcpy(strstr(path, SEC_TRAIN), "NOPE1", 5);
		for (k = 0; k < nitems(roles); k++) {
			struct harness_response	r;
			bool			allowed;

			allowed = route_admits(routes[i].roles, roles[k]);
			/* A stream never ends: HEAD, where the role reaches it. */
			if (allowed && strcmp(path, "/v1/stream") == 0)
				sec_call("HEAD", path, tokens[k], NULL, NULL, &r);
			else
				sec_call(routes[i].method, path, tokens[k], NULL,
				    "{}", &r);
			sec_check_no_5xx(r.status, roles[k], routes[i].method, path);
			if ((r.status == 403) == allowed || r.status == 401 ||
			    (r.status == 403 && !sec_is_problem(&r))) {
				fprintf(stderr, "\n%s %s as %s: %d (table:%s)\n",
				    routes[i].method, path, roles[k], r.status,
				    routes[i].roles);
				CU_FAIL("route table enforced");
			}
			harness_response_free(&r);
		}
	}
	json_decref(api);
	CU_ASSERT_TRUE(harness_daemon_alive(&sec.dm));
}

/* A forbidden call and a bad token each leave their line in the log. */
static void
t_security_refusals_logged(void)
{
	char	*log;

	CU_ASSERT_EQUAL(sec_call_status("GET", "/v1/audit/verify", sec.officer_tok,
	    NULL, NULL), 403);
	CU_ASSERT_EQUAL(sec_call_status("GET", "/v1/trains", NULL,
	    "Authorization: Bearer rg_sec_never_issued_000000000000000000000\r\n",
	    NULL), 401);
	CU_ASSERT_EQUAL(sec_call_status("GET", "/v1/trains", NULL, NULL, NULL), 401);
	usleep(200000);
	log = sec_daemon_log();
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "forbidden: sec.officer (officer) "
	    "may not call /v1/audit/verify"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "GET /v1/audit/verify -> 403"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "unknown, expired or revoked token"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "GET /v1/trains -> 401"));
	/* The spool's and the connection guard's refusals are logged too:
	 * integration_security_spool and integration_security_bodies. */
	free(log);
}

/* The suite's end: no token or key of its daemon in its log. */
static void
t_security_no_secrets_in_log(void)
{
	sec_check_no_secrets(10);
}

static CU_TestInfo security_roles_tests[] = {
	{ "t_security_every_route_bad_tokens",
	    t_security_every_route_bad_tokens },
	{ "t_security_route_table_roles", t_security_route_table_roles },
	{ "t_security_refusals_logged", t_security_refusals_logged },
	{ "t_security_no_secrets_in_log", t_security_no_secrets_in_log },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_security_roles", sec_suite_init, sec_suite_clean,
    security_roles_tests)
