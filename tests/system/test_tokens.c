/*
 * test_tokens.c -- `railgate token create | list | revoke` against a
 * real daemon: a token made, listed (name, role, carriers, dates; never
 * the token or its hash), used (200), revoked (audited), refused (401)
 * once the daemon's cached lookup runs out ([http] token_cache_s, 2 s
 * here: the time is measured and must not pass it by more than the
 * polling), and listed as revoked; revoking again says so and exits 0;
 * an unknown name is 66; one token revoked by its id leaves the others.
 */
#include <sys/wait.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define TOKENS_CACHE_S	2	/* the daemon's token_cache_s here */

static struct harness_pg	pg;
static struct harness_daemon	dm;

/* Runs `railgate ARGS --dsn APP_DSN`; its stdout (caller frees), status. */
static char *
cli(int *status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *
cli(int *status, const char *fmt, ...)
{
	struct buf	 out = { 0 };
	char		 args[512], cmd[1500], chunk[4096];
	va_list		 ap;
	size_t		 n;
	FILE		*p;

	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "env -u RAILGATE_DSN %s/railgate %s --dsn "
	    "'%s' 2>&1", test_build_dir(), args, pg.app_dsn);
	*status = -1;
	if ((p = popen(cmd, "r")) == NULL)
		return xstrdup("");
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&out, chunk, n);
	buf_add(&out, "", 1);
	n = (size_t)pclose(p);
	*status = WIFEXITED((int)n) ? WEXITSTATUS((int)n) : -1;
	return buf_steal(&out, NULL);
}

/* GET /v1/audit/verify with token; the status. */
static int
use(const char *token)
{
	struct harness_response	r;
	char			hdr[128];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	memset(&r, 0, sizeof r);
	if (harness_http(dm.port, "GET", "/v1/audit/verify", hdr, NULL, 0,
	    &r) < 0)
		return -1;
	status = r.status;
	harness_response_free(&r);
	return status;
}

/* The list as JSON; NULL when the command failed. */
static json_t *
list_json(void)
{
	json_t	*l;
	char	*out;
	int	 st;

	out = cli(&st, "token list --format json");
	l = st == 0 ? json_loads(out, 0, NULL) : NULL;
	if (l == NULL)
		fprintf(stderr, "token list: %d %s\n", st, out);
	free(out);
	return l;
}

/* The listed token named name (the last of that name), borrowed from l. */
static json_t *
listed(json_t *l, const char *name)
{
	json_t	*t, *found = NULL;
	size_t	 i;

	json_array_foreach(l, i, t)
		if (strcmp(json_string_value(json_object_get(t, "name")), name)
		    == 0)
			found = t;
	return found;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
tokens_init(void)
{
	char	conf[2048];

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[http]\ntoken_cache_s = %d\n", pg.conf,
	    TOKENS_CACHE_S);
	return harness_daemon_start(&dm, conf);
}

static int
tokens_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* Create, list, use, revoke, refused, listed as revoked. */
static void
t_tokens_lifecycle(void)
{
	json_t	*l, *t;
	char	*out, tok[128], *hash;
	double	 t0, waited = -1;
	int	 st;

	out = cli(&st, "token create --role auditor --name a.leaver");
	CU_ASSERT_EQUAL_FATAL(st, 0);
	snprintf(tok, sizeof tok, "%.*s", (int)strcspn(out, "\n"), out);
	free(out);
	CU_ASSERT_EQUAL_FATAL(strncmp(tok, "rg_", 3), 0);
	out = cli(&st, "token create --role operator --name ktze --carrier "
	    "KZ-KTZE --carrier CN-CRCT --expires 30");
	CU_ASSERT_EQUAL(st, 0);
	free(out);

	/* Listed, as a table and as JSON; never the token nor its hash. */
	hash = harness_sql(&pg, "SELECT hash FROM tokens WHERE principal = "
	    "'a.leaver'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(hash);
	out = cli(&st, "token list");
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "a.leaver"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "KZ-KTZE,CN-CRCT"));
	CU_ASSERT_PTR_NULL(strstr(out, tok));
	CU_ASSERT_PTR_NULL(strstr(out, hash));
	free(out);
	l = list_json();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	out = json_dumps(l, 0);
	CU_ASSERT_PTR_NULL(strstr(out, hash));
	CU_ASSERT_PTR_NULL(strstr(out, tok));
	free(out);
	t = listed(l, "a.leaver");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t, "role")),
	    "auditor");
	CU_ASSERT(json_is_null(json_object_get(t, "revoked_at")));
	CU_ASSERT(json_is_null(json_object_get(t, "expires_at")));
	CU_ASSERT(json_is_string(json_object_get(t, "created_at")));
	CU_ASSERT_PTR_NULL(json_object_get(t, "hash"));
	CU_ASSERT(json_is_string(json_object_get(listed(l, "ktze"),
	    "expires_at")));
	json_decref(l);

	/* Used, revoked (audited), then refused within token_cache_s. */
	CU_ASSERT_EQUAL(use(tok), 200);
	out = cli(&st, "token revoke a.leaver");
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "a.leaver: 1 token revoked"));
	free(out);
	t0 = now_s();
	while (now_s() - t0 < TOKENS_CACHE_S + 3) {
		if (use(tok) == 401) {
			waited = now_s() - t0;
			break;
		}
		usleep(100000);
	}
	fprintf(stderr, "\n  revoked token refused after %.2f s "
	    "(token_cache_s = %d) ", waited, TOKENS_CACHE_S);
	CU_ASSERT(waited >= 0 && waited <= TOKENS_CACHE_S + 0.5);
	CU_ASSERT_EQUAL(use(tok), 401);
	free(hash);
	hash = harness_sql(&pg, "SELECT count(*) FROM audit_log WHERE action "
	    "= 'token.revoke' AND details LIKE '%a.leaver%'");
	CU_ASSERT_STRING_EQUAL(hash != NULL ? hash : "", "1");
	free(hash);

	/* Listed as revoked. */
	l = list_json();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT(json_is_string(json_object_get(listed(l, "a.leaver"),
	    "revoked_at")));
	CU_ASSERT(json_is_null(json_object_get(listed(l, "ktze"),
	    "revoked_at")));
	json_decref(l);
}

/* Again: said, nothing changed, 0; unknown: 66; by id: that one only. */
static void
t_tokens_revoke_idempotent_and_by_id(void)
{
	json_t		*l;
	char		*out, *n, tok1[128], tok2[128], id[32];
	int		 st;

	out = cli(&st, "token revoke a.leaver");
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "a.leaver: already revoked (1 "
	    "token); nothing changed"));
	free(out);
	n = harness_sql(&pg, "SELECT count(*) FROM audit_log WHERE action = "
	    "'token.revoke'");
	CU_ASSERT_STRING_EQUAL(n != NULL ? n : "", "1");
	free(n);
	out = cli(&st, "token revoke nobody.at.all");
	CU_ASSERT_EQUAL(st, EX_NOINPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "nobody.at.all: no token has this "
	    "name or id"));
	free(out);

	/* Two tokens of one name; the first revoked by its id. */
	out = cli(&st, "token create --role auditor --name two");
	snprintf(tok1, sizeof tok1, "%.*s", (int)strcspn(out, "\n"), out);
	free(out);
	out = cli(&st, "token create --role auditor --name two");
	snprintf(tok2, sizeof tok2, "%.*s", (int)strcspn(out, "\n"), out);
	free(out);
	n = harness_sql(&pg, "SELECT min(id) FROM tokens WHERE principal = "
	    "'two'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	snprintf(id, sizeof id, "%s", n);
	free(n);
	out = cli(&st, "token revoke %s", id);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ": 1 token revoked"));
	free(out);
	CU_ASSERT(harness_wait_sql(&pg, "SELECT count(*) FROM tokens WHERE "
	    "principal = 'two' AND revoked_at IS NULL", "1", 1000));
	usleep((TOKENS_CACHE_S * 1000 + 300) * 1000);
	CU_ASSERT_EQUAL(use(tok1), 401);
	CU_ASSERT_EQUAL(use(tok2), 200);
	l = list_json();
	CU_ASSERT_EQUAL(json_array_size(l), 4);
	json_decref(l);
	/* The old form, --name, still works: the one left of "two". */
	out = cli(&st, "token revoke --name two");
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "two: 1 token revoked"));
	free(out);
}

static CU_TestInfo tokens_tests[] = {
	{ "t_tokens_lifecycle", t_tokens_lifecycle },
	{ "t_tokens_revoke_idempotent_and_by_id",
	    t_tokens_revoke_idempotent_and_by_id },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_tokens", tokens_init, tokens_clean, tokens_tests)
