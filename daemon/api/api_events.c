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
 * The body is checked field by field by event_body.c (422 naming the
 * field), and the caller's role against the kind of event (403: control
 * evidence comes from officers, see event_body.c); the database checks
 * that the train and its equipment exist and that a position or arrival
 * does not concern a finished run (409), and records the event, its
 * audit record and whether the decision must be re-made.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/store.h"

#include "daemon/api/api.h"
#include "daemon/outcome.h"
#include "daemon/http/auth.h"
#include "daemon/daemon.h"
#include "daemon/evaluate.h"
#include "daemon/api/event_body.h"
#include "daemon/log.h"

/* The database's answer. */
static void
event_stored_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct http_ctx	*c = arg;
	char		*doc;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else if (outcome == STORE_OUTCOME_ACCEPTED) {
		api_trains_changed();
		evaluator_kick(c->d->eval);
		doc = outcome_document(outcome, reply);
		http_reply_json(c, outcome_status(outcome), doc, strlen(doc));
		free(doc);
	}
	else {
		if (outcome == STORE_OUTCOME_CONFLICT)
			log_warnx("%s event for train %s refused: the run is "
			    "finished", c->id, http_param(c, 0));
		http_reply_problem_json(c, outcome_status(outcome), reply);
	}
}

/* True when the caller's role may post type; otherwise answers 403. */
static bool
event_allowed(struct http_ctx *c, const char *type)
{
	char	why[256];

	if (auth_role_allows(event_body_roles(type), c->who.role))
		return true;
	log_warnx("%s forbidden: %s (%s) may not post %s events (train %s)",
	    c->id, c->who.name, auth_role_name(c->who.role), type,
	    http_param(c, 0));
	snprintf(why, sizeof why, "the %s role may not post %s events: "
	    "control evidence (weighbridge, scan, seal_check) comes from "
	    "customs officers; operators post position and arrived",
	    auth_role_name(c->who.role), type);
	http_reply_problem(c, 403, "Forbidden", why, NULL, 0);
	return false;
}

void
api_train_event(struct http_ctx *c)
{
	const unsigned char	*body;
	json_t			*o;
	const char		*type;
	char			 why[256], *canon;
	size_t			 len;

	/* An event for a number the other routes refuse would announce it. */
	if (!api_check_train_id(c))
		return;
	body = http_body(c, &len);
	switch (event_body_parse(body, len, &o, &type, why, sizeof why)) {
	case 0:
		break;
	case 413:
		http_reply_problem(c, 413, "Payload Too Large", why, NULL, 0);
		return;
	case 422:
		http_reply_problem(c, 422, "Unprocessable Event", why, NULL, 0);
		return;
	default:
		http_reply_problem(c, 400, "Bad Request", why, NULL, 0);
		return;
	}
	if (!event_allowed(c, type)) {
		json_decref(o);
		return;
	}
	if ((canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		fatalx("json_dumps: out of memory");
	store_add_event(c->d->db, http_param(c, 0), type, canon, c->who.name,
	    NULL, event_stored_cb, c);
	free(canon);
	json_decref(o);
}
