/*
 * api_audit.c -- what an auditor checks: GET /v1/audit/verify proves the
 * audit chain intact and agreeing with the signed checkpoints held here
 * and by the neighbour, or names the first record where it breaks; GET
 * /v1/rulesets/{sha256} gives the exact files of a rule set that decided.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db/checkpoint.h"

#include "db/store.h"
#include "manifest/jsonw.h"
#include "manifest/util.h"
#include "rules/rules.h"

#include "daemon/api/api.h"
#include "daemon/checkpoint.h"
#include "daemon/peer/peer.h"
#include "daemon/outcome.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "engine/ruleset_pack.h"

/*
 * GET /v1/audit/verify, in four steps on the loop: the chain walked by
 * the database (audit_verify()); our own checkpoints (audit_checkpoints);
 * the neighbour's copy of them, asked for over the link; then the
 * chain's hashes at every checkpoint's seq, and the comparison
 * (checkpoint_compare).  A consistent rewrite passes the first step; it
 * fails against any checkpoint at or after the rewritten record, and the
 * neighbour's copy is out of the database owner's reach.
 */
#define VERIFY_CHECKPOINTS	50	/* the latest ones compared */

struct audit_check {
	struct http_ctx	*c;
	json_t		*checks;	/* [{check, ok, ...}] */
	json_t		*own;		/* our checkpoints, newest first */
	json_t		*theirs;	/* the neighbour's copy; NULL: none */
	char		*neighbour_error;
	long long	 checked;
	bool		 intact;
};

static void
audit_check_free(struct audit_check *a)
{
	json_decref(a->checks);
	json_decref(a->own);
	json_decref(a->theirs);
	free(a->neighbour_error);
	free(a);
}

/* The answer: intact only if every check holds; the first failure's
 * seq and reason at the top, as before checkpoints existed. */
static void
audit_check_reply(struct audit_check *a)
{
	json_t	*r = json_object(), *ch;
	size_t	 i;
	char	*text;

	json_object_set_new(r, "intact", json_boolean(a->intact));
	json_object_set_new(r, "checked", json_integer(a->checked));
	json_array_foreach(a->checks, i, ch) {
		json_t	*bad = json_object_get(ch, "first_bad_seq");

		if (json_is_true(json_object_get(ch, "ok")) ||
		    json_object_get(r, "reason") != NULL)
			continue;
		json_object_set(r, "first_bad", bad != NULL ? bad :
		    json_object_get(ch, "first_bad"));
		/* The chain's reason as it always was; a checkpoint's named. */
		if (strcmp(json_string_value(json_object_get(ch, "check")),
		    "chain") == 0)
			json_object_set(r, "reason", json_object_get(ch, "reason"));
		else
			json_object_set_new(r, "reason", json_sprintf("%s: %s",
			    json_string_value(json_object_get(ch, "check")),
			    json_string_value(json_object_get(ch, "reason"))));
		log_warnx("%s audit verify: %s", a->c->id, json_string_value(
		    json_object_get(r, "reason")));
	}
	json_object_set(r, "checks", a->checks);
	text = json_dumps(r, JSON_COMPACT);
	http_reply_json(a->c, 200, text, strlen(text));
	free(text);
	json_decref(r);
	audit_check_free(a);
}

/* One list of checkpoints against the chain, as a check named name. */
static void
audit_check_add(struct audit_check *a, const char *name, json_t *list,
    json_t *chain)
{
	const struct checkpointer *cp = a->c->d->checkpoints;
	json_t	*r = checkpoint_compare(list, chain, checkpointer_key(cp),
		    checkpointer_station(cp));

	json_object_set_new(r, "check", json_string(name));
	if (!json_is_true(json_object_get(r, "ok")))
		a->intact = false;
	json_array_append_new(a->checks, r);
}

/* Rows removed here: the neighbour holds a newer checkpoint than we do. */
static void
audit_check_own_latest(struct audit_check *a, json_t *own_check)
{
	json_int_t	 ours = json_integer_value(json_object_get(own_check,
			    "latest_seq"));
	json_int_t	 theirs = json_integer_value(json_object_get(
			    json_array_get(a->theirs, 0), "seq"));

	if (theirs <= ours || !json_is_true(json_object_get(own_check, "ok")))
		return;
	json_object_set_new(own_check, "ok", json_false());
	json_object_set_new(own_check, "first_bad_seq", json_integer(theirs));
	json_object_set_new(own_check, "reason", json_sprintf("the neighbour "
	    "holds a checkpoint at seq %lld that this database lacks (ours end "
	    "at %lld): checkpoint rows were removed here", (long long)theirs,
	    (long long)ours));
	a->intact = false;
}

/*
 * Records the neighbour's copy has not yet caught up with, for longer than
 * three checkpoint intervals: the chain moved past the latest checkpoint
 * it holds, and that one was signed long ago.  Checkpoints are then kept
 * from it (the database owner holds our outbox) or the link is down; the
 * records after it could not be checked.  Judged by the chain's head and
 * this clock, never by our own checkpoint rows, which the database owner
 * may delete.  A daemon re-signs a still head every two intervals (a
 * heartbeat, checkpoint.c), so a quiet spell does not read as this.
 */
static void
audit_check_stale(struct audit_check *a, json_t *check, json_t *chain)
{
	json_t		*latest = json_array_get(a->theirs, 0);
	json_int_t	 seq = json_integer_value(json_object_get(latest, "seq"));
	json_int_t	 at = json_integer_value(json_object_get(latest, "at"));
	json_int_t	 head = json_integer_value(json_object_get(chain, "head"));
	json_int_t	 grace = 3 * (json_int_t)a->c->d->cfg.checkpoint_interval_s
			    + 5;
	json_int_t	 now = (json_int_t)time(NULL);

	if (head <= seq || now - at <= grace ||
	    !json_is_true(json_object_get(check, "ok")))
		return;
	json_object_set_new(check, "ok", json_false());
	json_object_set_new(check, "first_bad_seq", json_integer(seq + 1));
	json_object_set_new(check, "reason", json_sprintf("records %lld to "
	    "%lld could not be checked: the latest checkpoint the neighbour "
	    "holds is of seq %lld, signed %lld s ago (checkpoints every %d s "
	    "do not reach it)", (long long)seq + 1, (long long)head,
	    (long long)seq, (long long)(now - at),
	    a->c->d->cfg.checkpoint_interval_s));
	a->intact = false;
}

static void
hashes_cb(int status, const char *text, size_t len, void *arg)
{
	struct audit_check	*a = arg;
	json_t			*chain = status == 1 ? json_loadb(text, len, 0,
				    NULL) : NULL;

	if (chain == NULL) {
		outcome_reply_store_failure(a->c, status < 0 ? status : -1);
		audit_check_free(a);
		return;
	}
	audit_check_add(a, "own_checkpoints", a->own, chain);
	if (a->theirs != NULL && json_array_size(a->theirs) == 0) {
		/*
		 * Fail closed: a copy holding nothing proves nothing.  The
		 * database owner need only keep our checkpoints from being
		 * sent (peers.enabled, the outbox) for a consistent rewrite
		 * to pass the other checks.
		 */
		json_array_append_new(a->checks, json_pack("{s:s, s:b, s:i, s:s}",
		    "check", "neighbour_checkpoints", "ok", 0, "checkpoints", 0,
		    "reason", "the neighbour holds no checkpoint of this chain: "
		    "the chain could not be checked against its copy (none "
		    "reached it -- a link just made, or checkpoints kept from "
		    "it)"));
		a->intact = false;
	} else if (a->theirs != NULL) {
		audit_check_add(a, "neighbour_checkpoints", a->theirs, chain);
		audit_check_stale(a, json_array_get(a->checks,
		    json_array_size(a->checks) - 1), chain);
		audit_check_own_latest(a, json_array_get(a->checks, 1));
	} else if (a->neighbour_error != NULL) {
		/* Fail closed: a copy we cannot read proves nothing. */
		json_array_append_new(a->checks, json_pack("{s:s, s:b, s:s}",
		    "check", "neighbour_checkpoints", "ok", 0, "reason",
		    a->neighbour_error));
		a->intact = false;
	} else
		json_array_append_new(a->checks, json_pack("{s:s, s:b, s:s}",
		    "check", "neighbour_checkpoints", "ok", 1, "skipped",
		    "no neighbour link configured"));
	json_decref(chain);
	audit_check_reply(a);
}

/* The seqs of both lists, as a PostgreSQL array literal. */
static void
audit_check_hashes(struct audit_check *a)
{
	struct buf	 b = { 0 };
	json_t		*lists[2] = { a->own, a->theirs }, *c;
	size_t		 i, k;

	buf_add_char(&b, '{');
	for (k = 0; k < 2; k++)
		json_array_foreach(lists[k], i, c) {
			if (b.len > 1)
				buf_add_char(&b, ',');
			buf_printf(&b, "%lld", (long long)json_integer_value(
			    json_object_get(c, "seq")));
		}
	buf_add_char(&b, '}');
	buf_add_char(&b, '\0');
	store_audit_hashes_at(a->c->d->db, b.data, hashes_cb, a);
	buf_free(&b);
}

static void
fetched_cb(int status, const char *body, size_t len, const char *error,
    void *arg)
{
	struct audit_check	*a = arg;
	json_t			*o = status == 200 ? json_loadb(body, len, 0,
				    NULL) : NULL;
	json_t			*list = json_object_get(o, "checkpoints");

	if (json_is_array(list))
		a->theirs = json_incref(list);
	else
		a->neighbour_error = xasprintf("the neighbour's copy could not "
		    "be read: %s", error != NULL ? error : "not a list");
	json_decref(o);
	audit_check_hashes(a);
}

static void
own_cb(int status, const char *text, size_t len, void *arg)
{
	struct audit_check	*a = arg;

	if (status != 1 || (a->own = json_loadb(text, len, 0, NULL)) == NULL ||
	    !json_is_array(a->own)) {
		outcome_reply_store_failure(a->c, status < 0 ? status : -1);
		audit_check_free(a);
		return;
	}
	if (a->c->d->peer != NULL)
		peer_fetch_checkpoints(a->c->d->peer, fetched_cb, a);
	else
		audit_check_hashes(a);
}

/* The chain walked by the database. */
static void
audit_verify_cb(int status, long long checked, long long first_bad,
    const char *reason, void *arg)
{
	struct audit_check	*a = arg;
	json_t			*ch;

	if (status < 0) {
		outcome_reply_store_failure(a->c, status);
		audit_check_free(a);
		return;
	}
	a->checked = checked;
	a->intact = status == 1;
	ch = json_pack("{s:s, s:b, s:I}", "check", "chain", "ok", status == 1,
	    "checked", (json_int_t)checked);
	if (status == 0) {
		json_object_set_new(ch, "first_bad", json_integer(first_bad));
		json_object_set_new(ch, "reason", json_string(reason));
	}
	json_array_append_new(a->checks, ch);
	store_checkpoints_held(a->c->d->db, 1, "", VERIFY_CHECKPOINTS, own_cb,
	    a);
}

void
api_audit_verify(struct http_ctx *c)
{
	struct audit_check	*a = xcalloc(1, sizeof *a);

	a->c = c;
	a->checks = json_array();
	store_audit_verify(c->d->db, audit_verify_cb, a);
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
