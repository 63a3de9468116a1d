/*
 * api_audit.c -- what an auditor checks: GET /v1/audit/verify proves the
 * audit chain intact, or names the first record where it breaks; GET
 * /v1/rulesets/{sha256} gives the exact files of a rule set that decided.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "db/store.h"
#include "manifest/jsonw.h"
#include "manifest/util.h"
#include "rules/rules.h"

#include "daemon/api/api.h"
#include "daemon/outcome.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "engine/ruleset_pack.h"

/* The chain walked by the database. */
static void
audit_verify_cb(int status, long long checked, long long first_bad,
    const char *reason, void *arg)
{
	struct http_ctx	*c = arg;
	struct buf	 b = { 0 };
	struct jsonw	 w;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	jsonw_kv_bool(&w, "intact", status == 1);
	jsonw_kv_int(&w, "checked", checked);
	if (status == 0) {
		jsonw_kv_int(&w, "first_bad", first_bad);
		jsonw_kv_string(&w, "reason", reason);
		log_warnx("%s audit chain broken at record %lld: %s", c->id,
		    first_bad, reason);
	}
	jsonw_object_end(&w);
	http_reply_json(c, 200, b.data, b.len);
	buf_free(&b);
}

void
api_audit_verify(struct http_ctx *c)
{
	store_audit_verify(c->d->db, audit_verify_cb, c);
}

/* A SHA-256 in lower-case hex, as rule sets are named. */
static bool
is_sha256_hex(const char *s)
{
	size_t	i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

/* The stored files, unpacked: {sha256, files: [{name, text}]}. */
static void
ruleset_files_cb(int status, const char *z, size_t zlen, void *arg)
{
	struct http_ctx		*c = arg;
	struct rules_file	*files = NULL;
	struct buf		 b = { 0 };
	struct jsonw		 w;
	char			*data = NULL;
	size_t			 n = 0, i;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (status == 0) {
		http_reply_problem(c, 404, "Not Found", "no rule set with this "
		    "hash has made a decision here", NULL, 0);
		return;
	}
	if (ruleset_unpack((const unsigned char *)z, zlen, &data, &files,
	    &n) < 0) {
		http_reply_problem(c, 500, "Internal Server Error",
		    "the stored rule set is damaged", NULL, 0);
		return;
	}
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "sha256", http_param(c, 0));
	jsonw_key(&w, "files");
	jsonw_array_begin(&w);
	for (i = 0; i < n; i++) {
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "name", files[i].name);
		jsonw_key(&w, "text");
		jsonw_stringn(&w, files[i].text, files[i].len);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	http_reply_json(c, 200, b.data, b.len);
	buf_free(&b);
	free(files);
	free(data);
}

/*
 * GET /v1/rulesets/{sha256}: the exact files of a rule set that made a
 * decision, so that an officer or auditor reads the rule behind a hit.
 */
void
api_ruleset_get(struct http_ctx *c)
{
	if (!is_sha256_hex(http_param(c, 0))) {
		http_reply_problem(c, 400, "Bad Request", "a rule set is named by "
		    "its SHA-256, 64 lower-case hex digits", NULL, 0);
		return;
	}
	store_ruleset_files(c->d->db, http_param(c, 0), ruleset_files_cb, c);
}
