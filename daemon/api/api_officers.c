/*
 * api_officers.c -- what officers decide: a wagon's resolution and the
 * approval that makes a train's decision final.
 *
 * A resolution is checked and recorded by the database (resolve_wagon():
 * the four-eyes rule lives next to the data it reads).  A final decision
 * is built here, by the same code that writes every decision document:
 * the provisional document is read back, the resolutions applied to its
 * wagons and the train outcome consolidated again (decision.md); the
 * database keeps it only if the decision it was built from is still the
 * current one.  A resolution after approval amends the final decision the
 * same way.
 *
 * Overrides take two people (016_four_eyes.sql decides, under the train's
 * row lock): an override of what the rules set at HOLD or REFUSE is only
 * proposed (202) until a second supervisor confirms it -- here, or by
 * approving the train; approval is refused while one waits otherwise.
 *
 * Goods on no wagon (their rule hits are train hits naming them) are
 * resolved with four eyes too (026_train_four_eyes.sql): a train hit holds
 * the whole train, so a supervisor only proposes the resolution (202) and
 * a second one confirms it (POST .../proposals/{proposal}/confirm), which
 * records it: located on a wagon, whose action rises to
 * theirs, or corrected away when none of their hits is above DOC_CHECK
 * (resolve_goods()); the final decision moves or drops their hits
 * (decide_final()).  A train hit naming no goods (a blocking diagnostic)
 * is cleared the same way, two supervisors stating that what it reports
 * was checked (clear_train_hit()); the final decision drops it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/decision.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/api/approval.h"
#include "daemon/outcome.h"
#include "daemon/http/auth.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/notice/notice.h"
#include "daemon/peer/peer.h"

#define OFFICER_BODY_MAX	(16 * 1024)
#define OFFICER_REASON_MAX	1000
/* Wagons resolved at once: a long train's, bounded. */
#define BULK_WAGONS_MAX		200
#define BULK_WAGON_NO_MAX	32
/*
 * An amendment that finds the wagons changed under it (another officer
 * resolved one meanwhile) is built again from the new inputs, this many
 * times: the resolution already stands, so the final decision must follow.
 */
#define AMEND_TRIES		5

/* An approval or amendment in progress: the request's state. */
struct finalize {
	struct http_ctx	*c;
	char		*reason;
	int		 approve;	/* else an amendment after a resolution */
	char		*resolution;	/* the resolution's reply, amendments */
	char		*version;	/* the preview's version approved, or NULL */
	int		 tries;
};

static void
finalize_free(void *arg)
{
	struct finalize	*f = arg;

	free(f->reason);
	free(f->resolution);
	free(f->version);
	free(f);
}

/* True when s holds no control character (jansson has made it UTF-8). */
static bool
text_is_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/*
 * Parses a JSON object body; its "reason" (required unless optional) into
 * *reason.  NULL with the problem already answered.
 */
static json_t *
officer_body(struct http_ctx *c, bool reason_optional, const char **reason)
{
	const unsigned char	*body;
	json_error_t		 err;
	json_t			*o;
	size_t			 len;
	char			 why[256];

	body = http_body(c, &len);
	if (len > OFFICER_BODY_MAX) {
		http_reply_problem(c, 413, "Payload Too Large",
		    "an officer's action is a JSON object of at most 16 KiB",
		    NULL, 0);
		return NULL;
	}
	o = len == 0 ? json_object() : json_loadb((const char *)body, len,
	    JSON_REJECT_DUPLICATES, &err);
	if (o == NULL || !json_is_object(o)) {
		snprintf(why, sizeof why, "invalid JSON at line %d, column %d: %s",
		    o == NULL ? err.line : 1, o == NULL ? err.column : 1,
		    o == NULL ? err.text : "not an object");
		json_decref(o);
		http_reply_problem(c, 400, "Bad Request", why, NULL, 0);
		return NULL;
	}
	*reason = json_string_value(json_object_get(o, "reason"));
	if ((*reason == NULL || **reason == '\0') && !reason_optional) {
		json_decref(o);
		http_reply_problem(c, 422, "Reason required", "\"reason\" must "
		    "say why, in words the auditor will read", NULL, 0);
		return NULL;
	}
	if (*reason != NULL && strlen(*reason) > OFFICER_REASON_MAX) {
		json_decref(o);
		http_reply_problem(c, 422, "Reason too long",
		    "\"reason\" is at most 1000 bytes", NULL, 0);
		return NULL;
	}
	if (*reason != NULL && !text_is_plain(*reason)) {
		json_decref(o);
		http_reply_problem(c, 422, "Reason unreadable", "\"reason\" is "
		    "one line of text: no control characters (a newline, an "
		    "escape) and no NUL", NULL, 0);
		return NULL;
	}
	return o;
}

static void final_inputs_cb(int, const struct store_final_inputs *, void *);

/* The final decision is stored (or refused as stale). */
static void
finalized_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct finalize	*f = arg;
	struct http_ctx	*c = f->c;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (!f->approve && outcome == STORE_OUTCOME_CONFLICT &&
	    ++f->tries < AMEND_TRIES) {
		store_final_inputs(c->d->db, http_param(c, 0), final_inputs_cb,
		    f);
		return;
	}
	if (outcome == STORE_OUTCOME_DONE) {
		api_trains_changed();
		notices_kick(c->d->notices);	/* the notices are in the outbox */
		peer_link_kick(c->d->peer);	/* so is a message to the neighbour */
	}
	if (f->approve) {
		if (outcome == STORE_OUTCOME_DONE) {
			log_info("train %s approved by %s", http_param(c, 0),
			    c->who.name);
			http_reply_json(c, 200, reply, strlen(reply));
		} else
			http_reply_problem_json(c, outcome_status(outcome), reply);
		return;
	}
	/* An amendment: the resolution stands either way; say what followed. */
	if (outcome != STORE_OUTCOME_DONE)
		log_warnx("train %s: FINAL DECISION NOT AMENDED after %s's "
		    "resolution (%d tries): %s", http_param(c, 0), c->who.name,
		    f->tries + 1, reply);
	http_reply_json(c, 200, f->resolution, strlen(f->resolution));
}

/*
 * Answers 409 (true) when the approval names a preview's version that is
 * not the decision's now.
 */
static bool
approval_stale(struct http_ctx *c, const struct finalize *f,
    const struct store_final_inputs *in)
{
	char	*now, *detail;
	bool	 stale;

	if (f->version == NULL)
		return false;
	now = approval_version(in);
	stale = strcmp(now, f->version) != 0;
	if (stale) {
		detail = xasprintf("the approval previewed version %s; the "
		    "decision is now at %s (re-evaluated, or a wagon resolved "
		    "meanwhile): review the approval again", f->version, now);
		http_reply_problem(c, 409, "Decision changed", detail, NULL, 0);
		free(detail);
	}
	free(now);
	return stale;
}

/* What the final decision is built from arrived. */
static void
final_inputs_cb(int status, const struct store_final_inputs *in, void *arg)
{
	struct finalize		*f = arg;
	struct http_ctx		*c = f->c;
	struct store_final	 s = { 0 };
	struct approval		 a;
	struct buf		 doc = { 0 }, wagons = { 0 };
	char			*cause = NULL;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (status == 0) {
		http_reply_problem(c, 404, "Not Found", "no such train", NULL, 0);
		return;
	}
	if (approval_not_ready(c, in) || (f->approve &&
	    approval_stale(c, f, in)))
		return;
	if (approval_plan(c, in, f->approve, &a, &cause) < 0) {
		log_warnx("train %s: stored decision unreadable: %s",
		    http_param(c, 0), cause);
		http_reply_problem(c, 500, "Internal Server Error",
		    "the stored decision could not be read", NULL, 0);
		free(cause);
		return;
	}
	if (a.status != 0) {
		http_reply_problem(c, a.status, a.title, a.detail, NULL, 0);
		approval_clear(&a);
		return;
	}
	decision_json_write(a.d, 0, &doc);
	decision_actions_json(a.d, &wagons);
	s.train_id = in->train_id;
	s.version = in->version;
	s.document = doc.data;
	s.outcome = decision_outcome_name(a.d->outcome);
	s.wagons = wagons.data;
	s.principal = c->who.name;
	s.role = auth_role_name(c->who.role);
	s.reason = f->reason;
	s.approve = f->approve;
	s.fingerprint = in->fingerprint;
	s.confirm = a.confirm;
	store_finalize(c->d->db, &s, finalized_cb, f);
	approval_clear(&a);
	buf_free(&doc);
	buf_free(&wagons);
}

/* Starts building the final decision of the request's train. */
static void
finalize_start(struct http_ctx *c, const char *reason, int approve,
    const char *resolution, const char *version)
{
	struct finalize	*f = xcalloc(1, sizeof *f);

	f->c = c;
	f->reason = xstrdup(reason != NULL && *reason != '\0' ? reason :
	    "approved");
	f->approve = approve;
	f->resolution = resolution != NULL ? xstrdup(resolution) : NULL;
	f->version = version != NULL ? xstrdup(version) : NULL;
	c->state = f;
	c->state_free = finalize_free;
	store_final_inputs(c->d->db, http_param(c, 0), final_inputs_cb, f);
}

/* POST /v1/trains/{id}/approve */
void
api_train_approve(struct http_ctx *c)
{
	const char	*reason, *version;
	json_t		*o, *v;

	if (!api_check_train_id(c) || (o = officer_body(c, true, &reason)) ==
	    NULL)
		return;
	v = json_object_get(o, "version");
	version = json_string_value(v);
	if (v != NULL && (version == NULL || strlen(version) > 64 ||
	    !text_is_plain(version))) {
		json_decref(o);
		http_reply_problem(c, 422, "Invalid version", "\"version\" is "
		    "the version GET /v1/trains/{id}/approval answered, as it "
		    "gave it", NULL, 0);
		return;
	}
	finalize_start(c, reason, 1, NULL, version);
	json_decref(o);
}

/*
 * A resolution in force was recorded (reply): after approval the final
 * decision follows it, else the reply is the answer.
 */
static void
resolution_reply(struct http_ctx *c, const char *reply)
{
	json_t	*r = json_loads(reply, 0, NULL);
	bool	 final = json_is_true(json_object_get(r, "final"));

	json_decref(r);
	if (final)
		finalize_start(c, "resolution after approval", 0, reply, NULL);
	else
		http_reply_json(c, 200, reply, strlen(reply));
}

/*
 * The database recorded (or refused) a change to a wagon: a resolution,
 * or a confirmed override (amends), or a rejected proposal (does not:
 * nothing in force changed).
 */
static void
wagon_changed(int status, enum store_outcome outcome, const char *reply,
    struct http_ctx *c, bool amends)
{
	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (outcome != STORE_OUTCOME_DONE && outcome != STORE_OUTCOME_PROPOSED) {
		http_reply_problem_json(c, outcome_status(outcome), reply);
		return;
	}
	api_trains_changed();
	log_info("train %s wagon %s: %s by %s", http_param(c, 0),
	    http_param(c, 1), reply, c->who.name);
	if (outcome == STORE_OUTCOME_PROPOSED) {	/* nothing changed yet */
		http_reply_json(c, outcome_status(outcome), reply, strlen(reply));
		return;
	}
	if (amends)
		resolution_reply(c, reply);
	else
		http_reply_json(c, 200, reply, strlen(reply));
}

/* A resolution, or a confirmed override, was recorded (or refused). */
static void
resolved_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	wagon_changed(status, outcome, reply, arg, true);
}

/* A proposed override was rejected (or the rejection refused). */
static void
rejected_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	wagon_changed(status, outcome, reply, arg, false);
}

/*
 * The body's "action" of a wagon's resolution; NULL with the problem
 * answered.  No default: the officer names it.
 */
static const char *
resolution_action(struct http_ctx *c, json_t *o)
{
	static const char *const actions[] = { "release", "inspect", "hold",
	    "refuse" };
	const char	*action = json_string_value(json_object_get(o, "action"));
	size_t		 i;

	for (i = 0; action != NULL && i < nitems(actions); i++)
		if (strcmp(action, actions[i]) == 0)
			return action;
	http_reply_problem(c, 422, "Unknown action", "\"action\" must be "
	    "release, inspect, hold or refuse", NULL, 0);
	return NULL;
}

/* POST /v1/trains/{id}/wagons/{wagon}/resolution */
void
api_wagon_resolution(struct http_ctx *c)
{
	const char	*reason, *action;
	json_t		*o;

	if (!api_check_train_id(c) || (o = officer_body(c, false, &reason)) ==
	    NULL)
		return;
	if ((action = resolution_action(c, o)) != NULL)
		store_resolve_wagon(c->d->db, http_param(c, 0),
		    http_param(c, 1), action, reason, c->who.name,
		    auth_role_name(c->who.role), NULL, resolved_cb, c);
	json_decref(o);
}

/* Several wagons were resolved at once (or all of them refused). */
static void
bulk_resolved_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (outcome != STORE_OUTCOME_DONE && outcome != STORE_OUTCOME_PROPOSED) {
		http_reply_problem_json(c, outcome_status(outcome), reply);
		return;
	}
	api_trains_changed();
	log_info("train %s: wagons resolved at once by %s: %s",
	    http_param(c, 0), c->who.name, reply);
	if (outcome == STORE_OUTCOME_PROPOSED)	/* nothing in force changed */
		http_reply_json(c, outcome_status(outcome), reply, strlen(reply));
	else
		resolution_reply(c, reply);
}

/*
 * The body's "wagons": 1 to BULK_WAGONS_MAX wagon numbers, each named
 * once.  false with the problem answered.
 */
static bool
bulk_wagons(struct http_ctx *c, json_t *o)
{
	json_t		*a = json_object_get(o, "wagons"), *w;
	const char	*n;
	char		*why = NULL;
	size_t		 i, k;

	if (!json_is_array(a) || json_array_size(a) == 0)
		why = xstrdup("\"wagons\" is an array of the wagon numbers to "
		    "resolve, at least one");
	else if (json_array_size(a) > BULK_WAGONS_MAX)
		why = xasprintf("\"wagons\" names %zu wagons; at most %d are "
		    "resolved at once", json_array_size(a), BULK_WAGONS_MAX);
	json_array_foreach(a, i, w) {
		if (why != NULL)
			break;
		n = json_string_value(w);
		if (n == NULL || *n == '\0' || strlen(n) > BULK_WAGON_NO_MAX ||
		    !text_is_plain(n)) {
			why = xasprintf("wagons[%zu] is not a wagon number (a "
			    "string of 1 to %d characters, one line)", i,
			    BULK_WAGON_NO_MAX);
			break;
		}
		for (k = 0; k < i; k++)
			if (strcmp(n, json_string_value(json_array_get(a,
			    k))) == 0) {
				why = xasprintf("wagons[%zu] names wagon %s, as "
				    "wagons[%zu] did: each wagon once", i, n, k);
				break;
			}
	}
	if (why == NULL)
		return true;
	http_reply_problem(c, 422, "Invalid wagons", why, NULL, 0);
	free(why);
	return false;
}

/* POST /v1/trains/{id}/wagons/resolution */
void
api_wagons_resolution(struct http_ctx *c)
{
	const char	*reason, *action;
	char		*wagons;
	json_t		*o;

	if (!api_check_train_id(c) || (o = officer_body(c, false, &reason)) ==
	    NULL)
		return;
	if ((action = resolution_action(c, o)) != NULL && bulk_wagons(c, o)) {
		wagons = json_dumps(json_object_get(o, "wagons"), JSON_COMPACT);
		store_resolve_wagons(c->d->db, http_param(c, 0), wagons, action,
		    reason, c->who.name, auth_role_name(c->who.role),
		    bulk_resolved_cb, c);
		free(wagons);
	}
	json_decref(o);
}

/* POST /v1/trains/{id}/wagons/{wagon}/override/{confirm|reject} */
static void
override_decide(struct http_ctx *c, int confirm)
{
	const char	*reason;
	json_t		*o;

	if (!api_check_train_id(c) || (o = officer_body(c, confirm != 0,
	    &reason)) == NULL)
		return;
	store_decide_override(c->d->db, http_param(c, 0), http_param(c, 1),
	    confirm, reason != NULL && *reason != '\0' ? reason : "confirmed",
	    c->who.name, auth_role_name(c->who.role), confirm ? resolved_cb :
	    rejected_cb, c);
	json_decref(o);
}

/* POST /v1/trains/{id}/wagons/{wagon}/override/confirm */
void
api_wagon_override_confirm(struct http_ctx *c)
{
	override_decide(c, 1);
}

/* POST /v1/trains/{id}/wagons/{wagon}/override/reject */
void
api_wagon_override_reject(struct http_ctx *c)
{
	override_decide(c, 0);
}

/* Goods on no wagon were resolved (or the resolution refused). */
static void
goods_resolved_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (outcome != STORE_OUTCOME_DONE && outcome != STORE_OUTCOME_PROPOSED) {
		http_reply_problem_json(c, outcome_status(outcome), reply);
		return;
	}
	api_trains_changed();
	log_info("train %s goods: %s by %s", http_param(c, 0), reply,
	    c->who.name);
	if (outcome == STORE_OUTCOME_PROPOSED)	/* nothing in force changed */
		http_reply_json(c, outcome_status(outcome), reply, strlen(reply));
	else
		resolution_reply(c, reply);
}

/*
 * The goods of a resolution's body into *g (strings borrowed from o,
 * item into itembuf).  false with the problem answered.
 */
static bool
goods_body(struct http_ctx *c, json_t *o, struct store_goods *g,
    char *itembuf, size_t itemlen)
{
	json_t		*item = json_object_get(o, "item");
	const char	*why = NULL;

	g->consignment = json_string_value(json_object_get(o, "consignment"));
	g->resolution = json_string_value(json_object_get(o, "resolution"));
	g->wagon = json_string_value(json_object_get(o, "wagon"));
	g->item = NULL;
	if (g->consignment == NULL || *g->consignment == '\0' ||
	    strlen(g->consignment) > 70 || !text_is_plain(g->consignment))
		why = "\"consignment\" names the goods' consignment: its "
		    "reference, as the train hit's subject gives it";
	else if (item != NULL && !json_is_null(item) &&
	    (!json_is_integer(item) || json_integer_value(item) < 1 ||
	    json_integer_value(item) > INT32_MAX))
		why = "\"item\" is the goods item's number (a positive "
		    "integer), or absent for the whole consignment";
	else if (g->resolution == NULL || (strcmp(g->resolution, "located") !=
	    0 && strcmp(g->resolution, "corrected") != 0))
		why = "\"resolution\" must be located (the goods are on a "
		    "wagon) or corrected (the manifest was wrong to list them)";
	else if (strcmp(g->resolution, "located") == 0 && (g->wagon == NULL ||
	    *g->wagon == '\0'))
		why = "\"wagon\" names the wagon the goods were located on";
	else if (strcmp(g->resolution, "corrected") == 0 &&
	    json_object_get(o, "wagon") != NULL)
		why = "\"wagon\" goes with located only: corrected goods are "
		    "on no wagon";
	if (why != NULL) {
		http_reply_problem(c, 422, "Invalid goods resolution", why,
		    NULL, 0);
		return false;
	}
	if (item != NULL && json_is_integer(item)) {
		snprintf(itembuf, itemlen, "%lld",
		    (long long)json_integer_value(item));
		g->item = itembuf;
	}
	return true;
}

/* POST /v1/trains/{id}/goods/resolution */
void
api_goods_resolution(struct http_ctx *c)
{
	struct store_goods	 g;
	const char		*reason;
	char			 item[24];
	json_t			*o;

	if (!api_check_train_id(c) || (o = officer_body(c, false, &reason)) ==
	    NULL)
		return;
	if (goods_body(c, o, &g, item, sizeof item)) {
		g.reason = reason;
		g.principal = c->who.name;
		g.role = auth_role_name(c->who.role);
		store_resolve_goods(c->d->db, http_param(c, 0), &g,
		    goods_resolved_cb, c);
	}
	json_decref(o);
}

/* POST /v1/trains/{id}/train-hits/clearance {"rule", "reason"} */
void
api_train_hit_clearance(struct http_ctx *c)
{
	const char	*reason, *rule;
	json_t		*o;

	if (!api_check_train_id(c) || (o = officer_body(c, false, &reason)) ==
	    NULL)
		return;
	rule = json_string_value(json_object_get(o, "rule"));
	if (rule == NULL || *rule == '\0' || strlen(rule) > 64 ||
	    !text_is_plain(rule))
		http_reply_problem(c, 422, "Invalid clearance", "\"rule\" names "
		    "the rule of the train hit to clear (\"rule\" of a train "
		    "hit naming no goods, such as blocking-diagnostic)", NULL, 0);
	else
		store_clear_train_hit(c->d->db, http_param(c, 0), rule, reason,
		    c->who.name, auth_role_name(c->who.role), goods_resolved_cb,
		    c);
	json_decref(o);
}

/*
 * What confirming and rejecting a proposal answer alike: a failed call
 * or a refusal is answered here (false); a decision marks the lists
 * changed (true) and the caller logs and answers it.
 */
static bool
proposal_decided(struct http_ctx *c, int status, enum store_outcome outcome,
    const char *reply)
{
	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return false;
	}
	if (outcome != STORE_OUTCOME_DONE) {
		http_reply_problem_json(c, outcome_status(outcome), reply);
		return false;
	}
	api_trains_changed();
	return true;
}

/* A train hit's clearing was confirmed (or the confirmation refused). */
static void
proposal_confirmed_cb(int status, enum store_outcome outcome,
    const char *reply, void *arg)
{
	struct http_ctx	*c = arg;

	if (!proposal_decided(c, status, outcome, reply))
		return;
	log_info("train %s proposal %s confirmed by %s: %s", http_param(c, 0),
	    http_param(c, 1), c->who.name, reply);
	resolution_reply(c, reply);
}

/* A train hit's clearing was rejected or withdrawn (or that refused). */
static void
proposal_rejected_cb(int status, enum store_outcome outcome,
    const char *reply, void *arg)
{
	struct http_ctx	*c = arg;

	if (!proposal_decided(c, status, outcome, reply))
		return;
	log_info("train %s proposal %s rejected by %s", http_param(c, 0),
	    http_param(c, 1), c->who.name);
	http_reply_json(c, 200, reply, strlen(reply));
}

/* True when s is a proposal's id: 1 to 18 digits, no leading zero. */
static bool
proposal_id_is_valid(const char *s)
{
	size_t	n = strspn(s, "0123456789");

	return n > 0 && n <= 18 && s[n] == '\0' && s[0] != '0';
}

/* POST /v1/trains/{id}/proposals/{proposal}/{confirm|reject} */
static void
proposal_decide(struct http_ctx *c, int confirm)
{
	const char	*reason;
	json_t		*o;

	if (!api_check_train_id(c))
		return;
	if (!proposal_id_is_valid(http_param(c, 1))) {
		http_reply_problem(c, 404, "Unknown proposal", "a proposal is "
		    "named by its id, a positive number (\"id\" in GET "
		    "/v1/proposals)", NULL, 0);
		return;
	}
	if ((o = officer_body(c, confirm != 0, &reason)) == NULL)
		return;
	store_decide_proposal(c->d->db, http_param(c, 0), http_param(c, 1),
	    confirm, reason != NULL && *reason != '\0' ? reason : "confirmed",
	    c->who.name, auth_role_name(c->who.role), confirm ?
	    proposal_confirmed_cb : proposal_rejected_cb, c);
	json_decref(o);
}

/* POST /v1/trains/{id}/proposals/{proposal}/confirm */
void
api_proposal_confirm(struct http_ctx *c)
{
	proposal_decide(c, 1);
}

/* POST /v1/trains/{id}/proposals/{proposal}/reject */
void
api_proposal_reject(struct http_ctx *c)
{
	proposal_decide(c, 0);
}

/* The list of what waits arrived. */
static void
proposals_listed_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else
		http_reply_json(c, 200, status == 0 ? "[]" : text, status == 0 ?
		    2 : len);
}

/* GET /v1/proposals */
void
api_proposals_list(struct http_ctx *c)
{
	store_proposals_list(c->d->db, c->who.name, proposals_listed_cb, c);
}
