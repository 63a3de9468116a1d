/*
 * api_replays.c -- the auditor's replays over the API (docs/auditor.md):
 * POST /v1/replays queues a replay of a set of train runs, a period or
 * everything and answers 202 with its Location; GET /v1/replays/{id}
 * shows its progress and, once done, its report (the one `railgate
 * replay --format json` prints); GET /v1/replays lists the latest.  The
 * replay itself runs on a thread of its own, not the worker pool
 * (daemon/replays.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/outcome.h"
#include "daemon/replays.h"

#define REPLAY_TRAINS_MAX	1000	/* train ids in one request */
#define REPLAY_ID_MAX		64	/* bytes of one */

/* A train id as `railgate replay --train` takes it: X8024 or X8024@2. */
static bool
train_id_ok(const char *s)
{
	const char	*at = strchr(s, '@');
	size_t		 n = at != NULL ? (size_t)(at - s) : strlen(s);

	if (n == 0 || strlen(s) > REPLAY_ID_MAX || strspn(s, "ABCDEFGHIJKLMN"
	    "OPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != n)
		return false;
	return at == NULL || (at[1] != '\0' && at[1] != '0' &&
	    strspn(at + 1, "0123456789") == strlen(at + 1) &&
	    strlen(at + 1) <= 9);
}

/* Absent, null, or a date or timestamp (api_time_ok). */
static bool
time_ok(const json_t *v)
{
	return v == NULL || json_is_null(v) ||
	    api_time_ok(json_string_value(v));
}

/* Why the selection cannot be used, or NULL. */
static const char *
selection_refused(const json_t *o)
{
	const json_t	*t = json_object_get(o, "trains"), *x;
	const char	*key;
	json_t		*v;
	size_t		 i, kinds = 0;

	json_object_foreach((json_t *)o, key, v)
		if (strcmp(key, "trains") != 0 && strcmp(key, "since") != 0 &&
		    strcmp(key, "until") != 0 && strcmp(key, "all") != 0)
			return "a selection has \"trains\", \"since\"/\"until\" "
			    "or \"all\", nothing else";
	kinds = (t != NULL) + (json_object_get(o, "since") != NULL ||
	    json_object_get(o, "until") != NULL) + (json_object_get(o,
	    "all") != NULL);
	if (kinds != 1)
		return "give one of \"trains\", a period (\"since\", \"until\") "
		    "or \"all\": true";
	if (json_object_get(o, "all") != NULL &&
	    !json_is_true(json_object_get(o, "all")))
		return "\"all\" is true when given";
	if (t != NULL && (!json_is_array(t) || json_array_size(t) == 0 ||
	    json_array_size(t) > REPLAY_TRAINS_MAX))
		return "\"trains\" is an array of 1 to 1000 train ids";
	json_array_foreach(t, i, x)
		if (!json_is_string(x) || !train_id_ok(json_string_value(x)))
			return "a train id is X8024 (every run) or X8024@2 "
			    "(one run)";
	if (!time_ok(json_object_get(o, "since")) ||
	    !time_ok(json_object_get(o, "until")))
		return "\"since\" and \"until\" are dates or timestamps "
		    "(2026-01-31, 2026-01-31T12:00:00Z)";
	return NULL;
}

/* The replay was queued: 202 and where to watch it. */
static void
requested_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct http_ctx	*c = arg;
	json_t		*r;
	char		 loc[64];

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (outcome != STORE_OUTCOME_DONE || (r = json_loads(reply, 0,
	    NULL)) == NULL) {
		http_reply_problem_json(c, outcome_status(outcome), reply);
		return;
	}
	snprintf(loc, sizeof loc, "/v1/replays/%lld",
	    (long long)json_integer_value(json_object_get(r, "id")));
	json_decref(r);
	log_info("%s %s requested %s", c->id, c->who.name, loc);
	replays_kick(c->d->replays);
	http_add_header(c, "Location", loc);
	http_reply_json(c, 202, reply, strlen(reply));
}

void
api_replay_post(struct http_ctx *c)
{
	const unsigned char	*body;
	const char		*why;
	json_error_t		 err;
	json_t			*o;
	char			*sel, detail[256];
	size_t			 len;

	body = http_body(c, &len);
	o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL || !json_is_object(o)) {
		snprintf(detail, sizeof detail, "the body is a JSON object "
		    "selecting what to replay: %s", o == NULL ? err.text :
		    "not an object");
		json_decref(o);
		http_reply_problem(c, 400, "Bad Request", detail, NULL, 0);
		return;
	}
	if ((why = selection_refused(o)) != NULL) {
		json_decref(o);
		http_reply_problem(c, 422, "Invalid selection", why, NULL, 0);
		return;
	}
	sel = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	store_replay_request(c->d->db, c->who.name, sel, requested_cb, c);
	free(sel);
}

/* One replay, or none. */
static void
replay_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else if (status == 0 || len == 0)
		http_reply_problem(c, 404, "Unknown replay", "there is no "
		    "replay with this id", NULL, 0);
	else
		http_reply_json(c, 200, text, len);
}

void
api_replay_get(struct http_ctx *c)
{
	const char	*id = http_param(c, 0);

	if (strlen(id) == 0 || strlen(id) > 18 ||
	    strspn(id, "0123456789") != strlen(id)) {
		http_reply_problem(c, 404, "Unknown replay", "a replay is named "
		    "by its number", NULL, 0);
		return;
	}
	store_replay_get(c->d->db, id, replay_cb, c);
}

void
api_replays_list(struct http_ctx *c)
{
	store_replays_list(c->d->db, replay_cb, c);
}
