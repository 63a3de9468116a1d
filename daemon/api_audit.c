/*
 * api_audit.c -- GET /v1/audit/verify: proves the audit chain intact, or
 * names the first record where it breaks.
 */
#include "db/store.h"
#include "manifest/jsonw.h"
#include "manifest/util.h"

#include "api.h"
#include "daemon.h"
#include "log.h"

/* The chain walked by the database. */
static void
audit_verify_cb(int status, long long checked, long long first_bad,
    const char *reason, void *arg)
{
	struct http_ctx	*c = arg;
	struct buf	 b = { 0 };
	struct jsonw	 w;

	if (status < 0) {
		http_reply_unavailable(c);
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
