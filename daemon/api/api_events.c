/*
 * api_events.c -- POST /v1/trains/{id}/events: what happens to a train
 * on its way in (docs/api.md, "Events").
 *
 *   {"type":"position","eta":"2026-11-22T09:15:00Z"}
 *   {"type":"arrived"[,"at":"..."]}
 *   {"type":"weighbridge","wagon":"218124712173","gross_kg":61200.5
 *    [,"device":"WB-2"][,"reweigh":true]}
 *   {"type":"scan","container"|"wagon":"...","result":"clear"|"suspect"
 *    [,"device":"..."]}
 *   {"type":"seal_check","equipment":"...","seal":"...",
 *    "condition":"intact"|"damaged"|"missing"[,"device":"..."]}
 *   {"type":"parcel_scan","tracking":"LX123456785CN",
 *    "result":"clear"|"suspect"[,"device":"..."]}
 *   {"type":"unloaded","container":"..."[,"device":"..."]}
 *
 * A parcel_scan's tracking number is checked against the run's manifest
 * first (api_parcels.c: 422 when the train carries no such parcel).
 *
 * The body is checked field by field by event_body.c (422 naming the
 * field), and the caller's role against the kind of event (403: control
 * evidence comes from officers and devices, a re-weigh from officers,
 * see event_body.c); the database checks that the train and its
 * equipment exist (422 naming it and the member) and that a position or
 * arrival does not concern a finished run (409), and records the event
 * with its author (principal, role, device), its audit record and
 * whether the decision must be re-made.
 *
 * An operator posts to its own carriers' runs only: another carrier's,
 * or a train number not known (an operator's position does not announce
 * a train), is 404 (operator_add_event(), 71_operator.sql).
 *
 * An arrival's "at" starts the clearance clock (issue 18): it must lie
 * within [clearance] arrival_past_max_s before and arrival_future_max_s
 * after the time the event is received, or the event is refused (422
 * naming "at", its value and the bound) and nothing is stored.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/util.h"
#include "manifest/value.h"

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

/*
 * True when the caller may post this event (its role, and for a re-weigh
 * its being a person), with *device the instrument named; otherwise
 * answers 403 (logged) or 422.
 */
static bool
event_allowed(struct http_ctx *c, json_t *o, const char *type,
    const char **device)
{
	char	why[320];

	switch (event_body_admit(o, type, c->who.role, c->who.name, device, why,
	    sizeof why)) {
	case 0:
		return true;
	case 403:
		log_warnx("%s forbidden: %s (%s) may not post this %s event "
		    "(train %s)", c->id, c->who.name,
		    auth_role_name(c->who.role), type, http_param(c, 0));
		http_reply_problem(c, 403, "Forbidden", why, NULL, 0);
		return false;
	default:
		http_reply_problem(c, 422, "Unprocessable Event", why, NULL, 0);
		return false;
	}
}

/*
 * True when s ends in an RFC 3339 offset: "Z", or "+hh:mm" / "-hh:mm"
 * after a time.  A date alone or a time without a zone is read by the
 * database in its own time zone, which the daemon's check cannot know.
 */
static bool
has_offset(const char *s)
{
	size_t	n = strlen(s);

	if (strchr(s, 'T') == NULL && strchr(s, 't') == NULL)
		return false;
	if (n > 0 && (s[n - 1] == 'Z' || s[n - 1] == 'z'))
		return true;
	return n > 6 && (s[n - 6] == '+' || s[n - 6] == '-') &&
	    s[n - 3] == ':';
}

/* Answers 422: an arrival's "at" without a zone. */
static void
arrival_no_offset(struct http_ctx *c, const char *at)
{
	json_t	*p = json_pack("{s:s, s:s, s:s, s:s}", "title",
		    "Arrival time without a zone", "detail", "\"at\" of an "
		    "arrived event must be an RFC 3339 date and time with its "
		    "offset (Z or +hh:mm): the clearance clock starts from it; "
		    "nothing was recorded", "field", "at", "value", at);
	char	*text = json_dumps(p, JSON_COMPACT);

	if (text == NULL)
		fatalx("json_dumps: out of memory");
	http_reply_problem_json(c, 422, text);
	free(text);
	json_decref(p);
}

/*
 * True when an arrived event's "at" lies within the configured bounds of
 * now; otherwise answers 422 with the member, its value and the bound.
 */
static bool
arrival_in_bounds(struct http_ctx *c, json_t *o)
{
	const char	*at = json_string_value(json_object_get(o, "at"));
	const char	*bound;
	int64_t		 t, now = (int64_t)time(NULL), off;
	int		 max;
	json_t		*p;
	char		*text;

	if (at == NULL || value_time_parse(at, strlen(at), &t) < 0)
		return true;	/* no "at": the time received */
	if (!has_offset(at)) {
		arrival_no_offset(c, at);
		return false;
	}
	off = t - now;
	if (off < 0 && -off > c->d->cfg.arrival_past_max_s) {
		bound = "arrival_past_max_s";
		max = c->d->cfg.arrival_past_max_s;
	} else if (off > c->d->cfg.arrival_future_max_s) {
		bound = "arrival_future_max_s";
		max = c->d->cfg.arrival_future_max_s;
	} else
		return true;
	p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I}",
	    "title", "Arrival time out of bounds", "detail", "",
	    "field", "at", "value", at, "bound", bound, "bound_s", max,
	    "offset_s", (json_int_t)off);
	text = xasprintf("\"at\" (%s) is %lld s %s the time the event was "
	    "received; the clearance clock accepts at most %d s (%s); nothing "
	    "was recorded", at, (long long)(off < 0 ? -off : off),
	    off < 0 ? "before" : "after", max, bound);
	json_object_set_new(p, "detail", json_string(text));
	free(text);
	if ((text = json_dumps(p, JSON_COMPACT)) == NULL)
		fatalx("json_dumps: out of memory");
	log_info("%s arrival for train %s refused: \"at\" %s is out of "
	    "bounds (%s)", c->id, http_param(c, 0), at, bound);
	http_reply_problem_json(c, 422, text);
	free(text);
	json_decref(p);
	return false;
}

void
api_train_event(struct http_ctx *c)
{
	const unsigned char	*body;
	json_t			*o;
	const char		*type;
	struct store_author	 author = { c->who.name,
				    auth_role_name(c->who.role), NULL };
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
	if (!event_allowed(c, o, type, &author.device) ||
	    (strcmp(type, "arrived") == 0 && !arrival_in_bounds(c, o))) {
		json_decref(o);
		return;
	}
	if ((canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		fatalx("json_dumps: out of memory");
	if (strcmp(type, "parcel_scan") == 0)
		api_parcel_scan(c, canon, json_string_value(json_object_get(o,
		    "tracking")), author.device);
	else if (c->who.role == AUTH_OPERATOR) {
		/* Its own carriers' runs only; any other is 404, as none. */
		char carriers[AUTH_CARRIERS_LEN + 2];

		auth_carriers_array(&c->who, carriers, sizeof carriers);
		store_operator_add_event(c->d->db, carriers, http_param(c, 0),
		    type, canon, &author, NULL, event_stored_cb, c);
	} else
		store_add_event(c->d->db, http_param(c, 0), type, canon,
		    &author, NULL, 0, event_stored_cb, c);
	free(canon);
	json_decref(o);
}
