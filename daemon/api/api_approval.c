/*
 * api_approval.c -- what approving a train now would do: the plan the
 * approval builds its final decision from (approval.h), and the preview
 * that shows it to the officer before they approve (GET
 * /v1/trains/{id}/approval): the outcome, the wagons released, set out
 * and still waiting for a document check, the overrides it would
 * confirm, the operators notified (notice_targets(), the rows
 * notices_enqueue() queues), or why it would be refused.  The preview
 * names a version (the decision's id and the resolutions' fingerprint);
 * an approval that names it is refused once anything changed since.
 */
#include <stdbool.h>
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
#include "engine/decide.h"
#include "daemon/log.h"

/* A JSON string's text, "?" for anything else. */
static const char *
json_text(const json_t *v)
{
	const char	*s = json_string_value(v);

	return s != NULL ? s : "?";
}

/*
 * Why this approval may not confirm the overrides awaiting confirmation
 * (proposals, a JSON array of {wagon, action, by}): only a supervisor who
 * proposed none of them may.  NULL when it may (*confirm says whether
 * there are any to confirm), else the refusal's detail (owned).
 */
static char *
approval_refusal(struct http_ctx *c, const char *proposals, int *confirm)
{
	json_t		*a = json_loads(proposals, 0, NULL), *p;
	struct buf	 list = { 0 };
	size_t		 i;
	bool		 mine = false;
	char		*detail;

	*confirm = json_array_size(a) > 0;
	if (!*confirm) {
		json_decref(a);
		return NULL;
	}
	json_array_foreach(a, i, p) {
		const char *by = json_string_value(json_object_get(p, "by"));

		if (by == NULL || strcmp(by, c->who.name) == 0)
			mine = true;	/* unknown proposer: never confirm */
		buf_printf(&list, "%s%s (%s, proposed by %s)", i > 0 ? ", " :
		    "", json_text(json_object_get(p, "wagon")),
		    json_text(json_object_get(p, "action")),
		    by != NULL ? by : "?");
	}
	json_decref(a);
	if (c->who.role == AUTH_SUPERVISOR && !mine) {
		buf_free(&list);
		return NULL;
	}
	*confirm = 0;
	detail = xasprintf("overrides of the rules need a second supervisor to "
	    "confirm them, or to approve the train: wagon %s", list.data);
	buf_free(&list);
	return detail;
}

/* Whether d's wagon at position stays (HOLD, REFUSE): nothing leaves. */
static bool
wagon_stays(const struct decision *d, json_int_t position)
{
	size_t	k;

	for (k = 0; k < d->nwagons; k++)
		if (d->wagons[k].position == position)
			return d->wagons[k].action == DECISION_HOLD ||
			    d->wagons[k].action == DECISION_REFUSE;
	return false;
}

/*
 * The containers of document whose set-aside parcels are still to unload
 * (docs/parcels.md), on wagons the final decision d lets go: "C (wagon
 * W, N parcels), ..." (owned), or NULL.  parcels_unload_pending()
 * (60_officers.sql) refuses the same in the database.
 */
static char *
unload_pending(const char *document, const struct decision *d)
{
	json_t		*doc = json_loads(document, 0, NULL), *u;
	const json_t	*unload = json_object_get(json_object_get(doc,
			    "parcels"), "unload");
	struct buf	 list = { 0 };
	size_t		 i;

	json_array_foreach(unload, i, u) {
		if (json_is_true(json_object_get(u, "unloaded")) ||
		    wagon_stays(d, json_integer_value(json_object_get(u,
		    "position"))))
			continue;
		buf_printf(&list, "%s%s (wagon %s, %lld parcels)", list.len > 0 ?
		    ", " : "", json_text(json_object_get(u, "container")),
		    json_text(json_object_get(u, "wagon")), (long long)
		    json_integer_value(json_object_get(u, "parcels")));
	}
	json_decref(doc);
	return list.data;	/* NULL when nothing was written */
}

void
approval_clear(struct approval *a)
{
	decision_free(a->d);
	free(a->detail);
	memset(a, 0, sizeof *a);
}

/*
 * The plan of an approval (approve) or an amendment of in's train: the
 * final document is the provisional one with the resolutions applied and
 * the outcome consolidated again (decide_final).  0, or -1 with *cause.
 */
int
approval_plan(struct http_ctx *c, const struct store_final_inputs *in,
    int approve, struct approval *a, char **cause)
{
	size_t	k;

	memset(a, 0, sizeof *a);
	/* In the order finalize_decision() refuses, so the preview says what
	 * the approval would answer. */
	if (approve && in->clearings_pending != NULL) {
		a->status = 403;
		a->title = "Clearing awaiting confirmation";
		a->detail = xasprintf("a train hit's clearing needs a second "
		    "supervisor before the train is approved: %s",
		    in->clearings_pending);
	} else if (approve && (a->detail = approval_refusal(c, in->proposals,
	    &a->confirm)) != NULL) {
		a->status = 403;
		a->title = "Override awaiting confirmation";
	}
	a->d = decide_final(in->document, a->confirm ?
	    in->resolutions_proposed : in->resolutions, cause);
	if (a->d == NULL) {
		approval_clear(a);
		return -1;
	}
	for (k = 0; k < a->d->nwagons; k++)
		if (a->d->wagons[k].action == DECISION_DOC_CHECK)
			a->pending++;
	if (approve && a->status == 0 && a->pending > 0) {
		a->status = 409;
		a->title = "Document checks pending";
		a->detail = xasprintf("%zu wagon%s still wait%s for a document "
		    "check: resolve %s before approving", a->pending,
		    a->pending == 1 ? "" : "s", a->pending == 1 ? "s" : "",
		    a->pending == 1 ? "it" : "them");
	}
	if (approve && a->status == 0 && (a->detail = unload_pending(
	    in->document, a->d)) != NULL) {
		char *list = a->detail;

		a->status = 409;
		a->title = "Parcels to unload";
		a->detail = xasprintf("the train still carries set-aside "
		    "parcels: post an unloaded event for container %s (or "
		    "resolve its parcels) before the train is released; "
		    "nothing was changed", list);
		free(list);
	}
	return 0;
}

/* The version a preview names: the decision's id and the fingerprint. */
char *
approval_version(const struct store_final_inputs *in)
{
	return xasprintf("%lld.%s", in->version, in->fingerprint);
}

/*
 * Answers 409 (true) when in's train cannot be finalized now: no
 * decision, an evaluation on its way, a cancelled manifest.
 */
bool
approval_not_ready(struct http_ctx *c, const struct store_final_inputs *in)
{
	if (in->document != NULL && !in->eval_needed &&
	    strcmp(in->state, "cancelled") != 0)
		return false;
	http_reply_problem(c, 409, "Not ready", in->document == NULL ?
	    "the train has no decision yet" : in->eval_needed ?
	    "the train is being evaluated again; approve the new "
	    "decision" : "the train's manifest was cancelled", NULL, 0);
	return true;
}

/* A preview of an approval in progress. */
struct preview {
	struct http_ctx	*c;
	json_t		*answer;	/* all but "notices" */
};

static void
preview_free(void *arg)
{
	struct preview	*p = arg;

	json_decref(p->answer);
	free(p);
}

/* The wagons of d whose action is in [lo, hi]: [{position, wagon, action}]. */
static json_t *
preview_wagons(const struct decision *d, enum decision_action lo,
    enum decision_action hi)
{
	json_t	*a = json_array();
	size_t	 k;

	for (k = 0; k < d->nwagons; k++) {
		const struct decision_wagon *w = &d->wagons[k];

		if (w->action >= lo && w->action <= hi)
			json_array_append_new(a, json_pack("{s:I,s:s,s:s}",
			    "position", (json_int_t)w->position, "wagon",
			    w->wagon, "action", decision_action_name(w->action)));
	}
	return a;
}

/* What approval would do, as JSON (all but the notices). */
static json_t *
preview_json(struct http_ctx *c, const struct store_final_inputs *in,
    const struct approval *a)
{
	const struct decision		*d = a->d;
	struct decision_lane_counts	 n;
	char				*version = approval_version(in);
	json_t				*o, *refusal = json_null(), *overrides;

	decision_lane_counts(d, &n);
	if ((overrides = json_loads(in->proposals, 0, NULL)) == NULL)
		overrides = json_array();
	if (!auth_role_allows(AUTH_OFFICER, c->who.role))
		refusal = json_pack("{s:i,s:s,s:s}", "status", 403, "title",
		    "Forbidden", "detail", "an officer or a supervisor approves "
		    "a train");
	else if (a->status != 0)
		refusal = json_pack("{s:i,s:s,s:s}", "status", a->status,
		    "title", a->title, "detail", a->detail);
	o = json_pack("{s:s,s:s,s:s,s:{s:I,s:I,s:I,s:I},s:I,s:o,s:o,s:o,"
	    "s:o,s:b,s:b,s:o}",
	    "train", d->train != NULL ? d->train : "", "version", version,
	    "outcome", decision_outcome_name(d->outcome),
	    "counts", "released", (json_int_t)n.released, "audit",
	    (json_int_t)n.audit, "doc_check", (json_int_t)n.doc_check,
	    "set_out", (json_int_t)n.set_out,
	    "train_hits", (json_int_t)d->ntrain_hits,
	    "released", preview_wagons(d, DECISION_RELEASE, DECISION_AUDIT),
	    "set_out", preview_wagons(d, DECISION_INSPECT, DECISION_REFUSE),
	    "pending", preview_wagons(d, DECISION_DOC_CHECK, DECISION_DOC_CHECK),
	    "overrides", overrides,
	    "confirms_overrides", a->confirm != 0,
	    "may_approve", json_is_null(refusal),
	    "refusal", refusal);
	free(version);
	return o;
}

/* Whom the approval would notify arrived: the preview is complete. */
static void
preview_notices_cb(int status, const char *text, size_t len, void *arg)
{
	struct preview	*p = arg;
	struct http_ctx	*c = p->c;
	json_t		*notices;
	char		*out;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	notices = status > 0 ? json_loadb(text, len, 0, NULL) : NULL;
	json_object_set_new(p->answer, "notices", notices != NULL ? notices :
	    json_array());
	out = json_dumps(p->answer, JSON_COMPACT);
	http_reply_json(c, 200, out, strlen(out));
	free(out);
}

/* What an approval of the train would be built from arrived. */
static void
preview_inputs_cb(int status, const struct store_final_inputs *in, void *arg)
{
	struct preview	*p = arg;
	struct http_ctx	*c = p->c;
	struct approval	 a;
	char		*cause = NULL;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (status == 0) {
		http_reply_problem(c, 404, "Not Found", "no such train", NULL, 0);
		return;
	}
	if (approval_not_ready(c, in))
		return;
	if (approval_plan(c, in, 1, &a, &cause) < 0) {
		log_warnx("train %s: stored decision unreadable: %s",
		    http_param(c, 0), cause);
		http_reply_problem(c, 500, "Internal Server Error",
		    "the stored decision could not be read", NULL, 0);
		free(cause);
		return;
	}
	p->answer = preview_json(c, in, &a);
	approval_clear(&a);
	store_notice_targets(c->d->db, http_param(c, 0), preview_notices_cb, p);
}

/*
 * GET /v1/trains/{id}/approval: what approving the train now would do --
 * the final decision's outcome, the wagons released, set out and still
 * at DOC_CHECK, the overrides it would confirm, the operators notified,
 * or why it would be refused -- by the approval's own plan, and the
 * version an approval may name to be refused if anything changed since.
 */
void
api_train_approval(struct http_ctx *c)
{
	struct preview	*p;

	if (!api_check_train_id(c))
		return;
	p = xcalloc(1, sizeof *p);
	p->c = c;
	c->state = p;
	c->state_free = preview_free;
	store_final_inputs(c->d->db, http_param(c, 0), preview_inputs_cb, p);
}
