/*
 * api_events.c -- POST /v1/trains/{id}/events: what happens to a train
 * on its way in (docs/api.md, "Events").
 *
 *   {"type":"position","eta":"2026-11-22T09:15:00Z"}
 *   {"type":"arrived"[,"at":"..."]}
 *   {"type":"weighbridge","wagon":"218124712173","gross_kg":61200.5}
 *   {"type":"scan","container":"CSQU3054383","result":"clear"|"suspect"}
 *   {"type":"seal_check","equipment":"...","seal":"...",
 *    "condition":"intact"|"damaged"|"missing"}
 *
 * The body is checked here field by field (422 naming the field); the
 * database checks that the train and its equipment exist and records the
 * event, its audit record and whether the decision must be re-made.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "api.h"
#include "daemon.h"
#include "evaluate.h"

#define EVENT_BODY_MAX	65536

/* A required string member; NULL (and *why set) if absent or not a string. */
static const char *
need_string(json_t *o, const char *key, char *why, size_t size)
{
	const char	*s = json_string_value(json_object_get(o, key));

	if (s == NULL || *s == '\0')
		snprintf(why, size, "\"%s\" is required and must be a string", key);
	return s;
}

/* True when s is an RFC 3339 time. */
static bool
is_time(const char *s)
{
	int64_t	t;

	return s != NULL && value_time_parse(s, strlen(s), &t) == 0;
}

/* Checks an event body; 0, or -1 with why filled. */
static int
event_check(json_t *o, const char *type, char *why, size_t size)
{
	const char	*s, *at = json_string_value(json_object_get(o, "at"));

	why[0] = '\0';
	if (json_object_get(o, "at") != NULL && !is_time(at)) {
		snprintf(why, size, "\"at\" must be an RFC 3339 time");
		return -1;
	}
	if (strcmp(type, "position") == 0) {
		s = need_string(o, "eta", why, size);
		if (s != NULL && !is_time(s))
			snprintf(why, size, "\"eta\" must be an RFC 3339 time");
	} else if (strcmp(type, "arrived") == 0) {
		/* nothing more */
	} else if (strcmp(type, "weighbridge") == 0) {
		need_string(o, "wagon", why, size);
		if (why[0] == '\0' && (!json_is_number(json_object_get(o,
		    "gross_kg")) || json_number_value(json_object_get(o,
		    "gross_kg")) <= 0))
			snprintf(why, size, "\"gross_kg\" must be a positive number");
	} else if (strcmp(type, "scan") == 0) {
		need_string(o, "container", why, size);
		s = why[0] == '\0' ? need_string(o, "result", why, size) : NULL;
		if (s != NULL && strcmp(s, "clear") != 0 && strcmp(s, "suspect") != 0)
			snprintf(why, size, "\"result\" must be clear or suspect");
	} else if (strcmp(type, "seal_check") == 0) {
		need_string(o, "equipment", why, size);
		if (why[0] == '\0')
			need_string(o, "seal", why, size);
		s = why[0] == '\0' ? need_string(o, "condition", why, size) : NULL;
		if (s != NULL && strcmp(s, "intact") != 0 &&
		    strcmp(s, "damaged") != 0 && strcmp(s, "missing") != 0)
			snprintf(why, size, "\"condition\" must be intact, damaged "
			    "or missing");
	} else
		snprintf(why, size, "\"type\" must be position, arrived, "
		    "weighbridge, scan or seal_check");
	return why[0] == '\0' ? 0 : -1;
}

/* The database's answer. */
static void
event_stored_cb(int status, int http_status, const char *reply, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		http_reply_unavailable(c);
	else if (http_status == 202) {
		api_trains_changed();
		evaluator_kick(c->d->eval);
		http_reply_json(c, 202, reply, strlen(reply));
	}
	else
		http_reply(c, http_status, "application/problem+json", reply,
		    strlen(reply));
}

void
api_train_event(struct http_ctx *c)
{
	const unsigned char	*body;
	json_error_t		 err;
	json_t			*o;
	const char		*type;
	char			 why[256], *canon;
	size_t			 len;

	/* An event for a number the other routes refuse would announce it. */
	if (!api_check_train_id(c))
		return;
	body = http_body(c, &len);
	if (len == 0 || len > EVENT_BODY_MAX) {
		http_reply_problem(c, len == 0 ? 400 : 413, len == 0 ?
		    "Bad Request" : "Payload Too Large",
		    "an event is a JSON object of at most 64 KiB", NULL, 0);
		return;
	}
	o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL || !json_is_object(o)) {
		snprintf(why, sizeof why, "invalid JSON at line %d, column %d: %s",
		    err.line, err.column, o == NULL ? err.text : "not an object");
		json_decref(o);
		http_reply_problem(c, 400, "Bad Request", why, NULL, 0);
		return;
	}
	type = json_string_value(json_object_get(o, "type"));
	if (type == NULL || event_check(o, type, why, sizeof why) < 0) {
		if (type == NULL)
			snprintf(why, sizeof why, "\"type\" is required");
		json_decref(o);
		http_reply_problem(c, 422, "Unprocessable Event", why, NULL, 0);
		return;
	}
	canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	store_add_event(c->d->db, http_param(c, 0), type, canon, c->who.name,
	    NULL, event_stored_cb, c);
	free(canon);
	json_decref(o);
}
