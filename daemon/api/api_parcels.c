/*
 * api_parcels.c -- the parcels of an e-commerce train (docs/parcels.md):
 * a parcel_scan event checked against the run's manifest, and POST
 * /v1/trains/{id}/parcels/resolution, the bulk release of the parcels one
 * rule set aside.
 *
 * A parcel_scan names a tracking number: one the run's manifest does not
 * carry is refused (422 naming it), nothing stored.  The hops: the run's
 * context (parcel_context(), 40_events.sql: its manifest id), the model
 * of that manifest (model_cache.h: kept, or parsed on a worker), the
 * tracking number looked up on a worker (the model's table, built once
 * per parsed model), then add_event() with the manifest id checked, which
 * refuses the event if the run's manifest was replaced meanwhile.
 *
 * A resolution: the context again, with the current decision document;
 * on a worker the document is read and the parcels that rule set aside
 * (in that container, or in the whole train) listed; then one
 * parcel_resolution event, with the list, through add_event() (audited,
 * eval_needed).  The list is explicit: a parcel the rule sets aside later
 * is never released by this resolution, and a replay releases the same.
 *
 * Each job owns its strings and JSON; the worker only reads them and
 * writes its results; the loop thread replies.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/api/event_body.h"
#include "daemon/api/model_cache.h"
#include "daemon/daemon.h"
#include "daemon/evaluate.h"
#include "daemon/http/auth.h"
#include "daemon/log.h"
#include "daemon/outcome.h"
#include "daemon/pool.h"

#define PARCEL_BODY_MAX		16384
#define PARCEL_RULE_MAX		64	/* characters of a rule's name */
#define PARCEL_CONTAINER_MAX	64
#define PARCEL_REASON_MAX	1000	/* bytes, as the officers' reasons */
#define PARCEL_LISTED_MAX	1000	/* tracking numbers in the answer */
#define PARCEL_RESOLVED_MAX	100000	/* parcels in one resolution */

/* One parcel_scan or one resolution on its way. */
struct parcel_job {
	struct http_ctx		*c;
	char			*ctx_text;	/* parcel_context()'s answer */
	size_t			 ctx_len;
	long long		 manifest_id;
	char			*train;		/* train number, from the context */
	long long		 run;
	/* parcel_scan */
	char			*body;		/* the event, canonical JSON */
	char			*tracking;
	char			*device;
	struct cached_model	*model;
	bool			 found;
	/* resolution */
	char			*rule, *container, *reason;
	json_t			*parcels;	/* tracking numbers selected */
	/* the worker's verdict: 0 go on, else the problem to answer */
	int			 status;
	const char		*title;
	char			*detail;
};

static void
parcel_job_free(struct parcel_job *j)
{
	model_cache_release(j->model);
	free(j->ctx_text);
	free(j->train);
	free(j->body);
	free(j->tracking);
	free(j->device);
	free(j->rule);
	free(j->container);
	free(j->reason);
	json_decref(j->parcels);
	free(j->detail);
	free(j);
}

/* Answers a problem with extra members (a JSON object, consumed). */
static void
reply_problem_members(struct http_ctx *c, int status, const char *title,
    const char *detail, json_t *p)
{
	char	*text;

	json_object_set_new(p, "title", json_string(title));
	json_object_set_new(p, "detail", json_string(detail));
	if ((text = json_dumps(p, JSON_COMPACT)) == NULL)
		fatalx("json_dumps: out of memory");
	http_reply_problem_json(c, status, text);
	free(text);
	json_decref(p);
}

/* Takes train, run and manifest id from the context; false: unusable. */
static bool
context_read(struct parcel_job *j, const json_t *ctx)
{
	const json_t	*mid = json_object_get(ctx, "manifest_id");

	if (!json_is_object(ctx) || json_string_value(json_object_get(ctx,
	    "train")) == NULL)
		return false;
	j->train = xstrdup(json_string_value(json_object_get(ctx, "train")));
	j->run = (long long)json_integer_value(json_object_get(ctx, "run"));
	j->manifest_id = json_is_integer(mid) ?
	    (long long)json_integer_value(mid) : 0;
	return true;
}

/* add_event()'s answer, as POST .../events answers it. */
static void
parcel_event_stored_cb(int status, enum store_outcome outcome,
    const char *reply, void *arg)
{
	struct parcel_job	*j = arg;
	struct http_ctx		*c = j->c;
	char			*doc;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else if (outcome == STORE_OUTCOME_ACCEPTED) {
		api_trains_changed();
		evaluator_kick(c->d->eval);
		doc = outcome_document(outcome, reply);
		http_reply_json(c, outcome_status(outcome), doc, strlen(doc));
		free(doc);
	} else
		http_reply_problem_json(c, outcome_status(outcome), reply);
	parcel_job_free(j);
}

/* 422: the run carries no parcel with that tracking number. */
static void
reply_unknown_parcel(struct parcel_job *j)
{
	char	*detail = xasprintf("train %s (run %lld) carries no parcel "
		    "with tracking number %s; nothing was recorded", j->train,
		    j->run, j->tracking);

	reply_problem_members(j->c, 422, "Unknown parcel", detail,
	    json_pack("{s:s, s:s, s:s, s:I}", "field", "tracking", "tracking",
	    j->tracking, "train", j->train, "run", (json_int_t)j->run));
	free(detail);
}

/* Worker: is the tracking number in the model? */
static void
scan_work(void *arg)
{
	struct parcel_job	*j = arg;

	j->found = model_cache_find_tracking(j->model, j->tracking) != NULL;
}

/* Loop: store the event, checked against that manifest, or refuse it. */
static void
scan_done_cb(void *arg)
{
	struct parcel_job	*j = arg;
	struct http_ctx		*c = j->c;
	struct store_author	 author = { c->who.name,
				    auth_role_name(c->who.role), j->device };

	if (!j->found) {
		log_info("%s parcel_scan for train %s refused: no parcel %s",
		    c->id, j->train, j->tracking);
		reply_unknown_parcel(j);
		parcel_job_free(j);
		return;
	}
	store_add_event(c->d->db, http_param(c, 0), "parcel_scan", j->body,
	    &author, NULL, j->manifest_id, parcel_event_stored_cb, j);
}

/* The model of the run's manifest: look the tracking number up. */
static void
scan_model_cb(int status, struct cached_model *m, void *arg)
{
	struct parcel_job	*j = arg;

	if (m == NULL) {
		api_reply_model_failure(j->c, status);
		parcel_job_free(j);
		return;
	}
	j->model = m;
	pool_submit(j->c->d->pool, POOL_PRIORITY_NORMAL, scan_work,
	    scan_done_cb, j);
}

/* The run: no manifest, no parcel; else its model. */
static void
scan_context_cb(int status, const char *text, size_t len, void *arg)
{
	struct parcel_job	*j = arg;
	json_t			*ctx;
	bool			 ok;

	if (status <= 0) {
		if (status < 0)
			outcome_reply_store_failure(j->c, status);
		else
			http_reply_problem(j->c, 404, "Not Found", "no such "
			    "train", NULL, 0);
		parcel_job_free(j);
		return;
	}
	/* Small: the decision is read only by a resolution's worker. */
	ctx = json_loadb(text, len, 0, NULL);
	ok = context_read(j, ctx);
	json_decref(ctx);
	if (!ok || j->manifest_id <= 0) {
		if (!ok)
			http_reply_problem(j->c, 500, "Internal Server Error",
			    "the train's context is unreadable", NULL, 0);
		else
			reply_unknown_parcel(j);
		parcel_job_free(j);
		return;
	}
	model_cache_get(j->c->d->db, j->c->d->pool, j->manifest_id,
	    scan_model_cb, j);
}

void
api_parcel_scan(struct http_ctx *c, const char *body, const char *tracking,
    const char *device)
{
	struct parcel_job	*j = xcalloc(1, sizeof *j);

	j->c = c;
	j->body = xstrdup(body);
	j->tracking = xstrdup(tracking);
	j->device = device != NULL ? xstrdup(device) : NULL;
	store_parcel_context(c->d->db, http_param(c, 0), NULL,
	    scan_context_cb, j);
}

/* == POST /v1/trains/{id}/parcels/resolution == */

/* A worker's refusal: status, title and detail (formatted). */
static void
job_refuse(struct parcel_job *j, int status, const char *title,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void
job_refuse(struct parcel_job *j, int status, const char *title,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(&j->detail, fmt, ap) < 0)
		fatalx("vasprintf: out of memory");
	va_end(ap);
	j->status = status;
	j->title = title;
}

/* "in container C" or "in train X (run N)", for the details (owned). */
static char *
resolution_where(const struct parcel_job *j)
{
	return j->container != NULL ? xasprintf("in container %s",
	    j->container) : xasprintf("in train %s (run %lld)", j->train,
	    j->run);
}

/*
 * The action rule j->rule gives set-aside parcel e ("rule" or one of
 * "also"), or NULL when that rule did not set it aside.
 */
static const char *
rule_action(const struct parcel_job *j, const json_t *e)
{
	const json_t	*also = json_object_get(e, "also"), *a;
	const char	*r = json_string_value(json_object_get(e, "rule"));
	size_t		 i;

	if (r != NULL && strcmp(r, j->rule) == 0)
		return json_string_value(json_object_get(e, "action"));
	json_array_foreach(also, i, a) {
		r = json_string_value(json_object_get(a, "rule"));
		if (r != NULL && strcmp(r, j->rule) == 0)
			return json_string_value(json_object_get(a, "action"));
	}
	return NULL;
}

/*
 * Lists the parcels the rule set aside where asked into j->parcels; a
 * refusal when there is none, or when one of them is held or refused by
 * the rule (such a parcel is detained at the site).
 */
static void
resolution_select(struct parcel_job *j, const json_t *doc)
{
	const json_t	*set = json_object_get(json_object_get(doc, "parcels"),
			    "set_aside"), *e;
	const char	*action, *cont, *tracking;
	char		*where;
	size_t		 i;

	j->parcels = json_array();
	json_array_foreach(set, i, e) {
		cont = json_string_value(json_object_get(e, "container"));
		tracking = json_string_value(json_object_get(e, "tracking"));
		if ((action = rule_action(j, e)) == NULL || tracking == NULL ||
		    (j->container != NULL && (cont == NULL ||
		    strcmp(cont, j->container) != 0)))
			continue;
		if (strcmp(action, "HOLD") == 0 || strcmp(action, "REFUSE") == 0) {
			job_refuse(j, 409, "Parcel detained", "rule %s %s "
			    "parcel %s (container %s): a parcel held or refused "
			    "is detained at the site, never released in bulk; "
			    "nothing was recorded", j->rule, strcmp(action,
			    "HOLD") == 0 ? "holds" : "refuses", tracking,
			    cont != NULL ? cont : "?");
			return;
		}
		json_array_append_new(j->parcels, json_string(tracking));
	}
	where = resolution_where(j);
	if (json_array_size(j->parcels) == 0)
		job_refuse(j, 409, "No parcel set aside", "no parcel set aside "
		    "by rule %s %s; nothing was recorded", j->rule, where);
	else if (json_array_size(j->parcels) > PARCEL_RESOLVED_MAX)
		job_refuse(j, 422, "Invalid parcel resolution", "rule %s sets "
		    "%zu parcels aside %s, more than one resolution releases "
		    "(%d): resolve them container by container", j->rule,
		    json_array_size(j->parcels), where, PARCEL_RESOLVED_MAX);
	free(where);
}

/* The event stored: the rule, the container (if any), the parcels. */
static void
resolution_event(struct parcel_job *j)
{
	json_t	*o = json_pack("{s:s, s:s, s:O, s:s, s:s}", "type",
		    "parcel_resolution", "rule", j->rule, "parcels", j->parcels,
		    "action", "release", "reason", j->reason);

	if (j->container != NULL)
		json_object_set_new(o, "container", json_string(j->container));
	if ((j->body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		fatalx("json_dumps: out of memory");
	json_decref(o);
}

/* Worker: the decision read, the parcels selected, the event written. */
static void
resolution_work(void *arg)
{
	struct parcel_job	*j = arg;
	json_t			*ctx = json_loadb(j->ctx_text, j->ctx_len, 0,
				    NULL);
	const json_t		*doc = json_object_get(ctx, "decision");
	const json_t		*dmid = json_object_get(ctx,
				    "decision_manifest_id");

	if (!context_read(j, ctx)) {
		j->train = xstrdup("?");
		job_refuse(j, 500, "Internal Server Error", "the train's "
		    "context is unreadable");
	} else if (!json_is_object(doc))
		job_refuse(j, 409, "Not ready", "train %s (run %lld) has no "
		    "decision yet: parcels are set aside by its evaluation",
		    j->train, j->run);
	else if (json_is_true(json_object_get(ctx, "eval_needed")))
		job_refuse(j, 409, "Not ready", "train %s (run %lld) is being "
		    "evaluated again; resolve its parcels in the new decision",
		    j->train, j->run);
	else if (!json_is_integer(dmid) ||
	    (long long)json_integer_value(dmid) != j->manifest_id)
		job_refuse(j, 409, "Not ready", "the decision of train %s (run "
		    "%lld) is of a manifest since replaced; resolve its parcels "
		    "in the new decision", j->train, j->run);
	else if (j->container != NULL &&
	    !json_is_true(json_object_get(ctx, "container_known")))
		job_refuse(j, 422, "Unknown equipment", "train %s (run %lld) "
		    "has no container %s (member \"container\"); nothing was "
		    "recorded", j->train, j->run, j->container);
	else
		resolution_select(j, doc);
	if (j->status == 0)
		resolution_event(j);
	json_decref(ctx);
}

/* add_event()'s answer: 200 with what was released. */
static void
resolution_stored_cb(int status, enum store_outcome outcome,
    const char *reply, void *arg)
{
	struct parcel_job	*j = arg;
	struct http_ctx		*c = j->c;
	json_t			*r, *listed, *answer;
	char			*text;
	size_t			 i, n = json_array_size(j->parcels);

	if (status < 0 || outcome != STORE_OUTCOME_ACCEPTED) {
		if (status < 0)
			outcome_reply_store_failure(c, status);
		else
			http_reply_problem_json(c, outcome_status(outcome), reply);
		parcel_job_free(j);
		return;
	}
	api_trains_changed();
	evaluator_kick(c->d->eval);
	r = json_loads(reply, 0, NULL);
	listed = json_array();
	for (i = 0; i < n && i < PARCEL_LISTED_MAX; i++)
		json_array_append(listed, json_array_get(j->parcels, i));
	answer = json_pack("{s:s, s:I, s:O, s:s, s:o?, s:s, s:I, s:o, s:b}",
	    "train", j->train, "run", (json_int_t)j->run, "event",
	    json_object_get(r, "event") != NULL ? json_object_get(r, "event") :
	    json_null(), "rule", j->rule, "container", j->container != NULL ?
	    json_string(j->container) : NULL, "action", "release", "count",
	    (json_int_t)n, "parcels", listed, "parcels_more",
	    n > PARCEL_LISTED_MAX);
	if (answer == NULL || (text = json_dumps(answer, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL)
		fatalx("json_pack: out of memory");
	json_decref(answer);
	log_info("%s %s released %zu parcel%s set aside by rule %s on train "
	    "%s", c->id, c->who.name, n, n == 1 ? "" : "s", j->rule, j->train);
	http_reply_json(c, 200, text, strlen(text));
	free(text);
	json_decref(r);
	parcel_job_free(j);
}

/* Loop: the worker's verdict answered, or the event stored. */
static void
resolution_done_cb(void *arg)
{
	struct parcel_job	*j = arg;
	struct http_ctx		*c = j->c;
	struct store_author	 author = { c->who.name,
				    auth_role_name(c->who.role), NULL };

	if (j->status != 0) {
		reply_problem_members(c, j->status, j->title, j->detail,
		    json_pack("{s:s, s:I, s:s, s:s?}", "train", j->train, "run",
		    (json_int_t)j->run, "rule", j->rule, "container",
		    j->container));
		parcel_job_free(j);
		return;
	}
	store_add_event(c->d->db, http_param(c, 0), "parcel_resolution",
	    j->body, &author, NULL, j->manifest_id, resolution_stored_cb, j);
}

/* The run and its decision: read them on a worker. */
static void
resolution_context_cb(int status, const char *text, size_t len, void *arg)
{
	struct parcel_job	*j = arg;

	if (status <= 0) {
		if (status < 0)
			outcome_reply_store_failure(j->c, status);
		else
			http_reply_problem(j->c, 404, "Not Found", "no such "
			    "train", NULL, 0);
		parcel_job_free(j);
		return;
	}
	/* Read on the worker: the document may be megabytes. */
	j->ctx_text = xmalloc(len + 1);
	memcpy(j->ctx_text, text, len);
	j->ctx_text[len] = '\0';
	j->ctx_len = len;
	pool_submit(j->c->d->pool, POOL_PRIORITY_NORMAL, resolution_work,
	    resolution_done_cb, j);
}

/* A member's text if it is a string of 1 to max characters, one line. */
static const char *
member_text(const json_t *o, const char *key, size_t max)
{
	const char	*s = json_string_value(json_object_get(o, key));
	size_t		 n = 0;
	const char	*p;

	if (s == NULL || *s == '\0')
		return NULL;
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
		if (((unsigned char)*p & 0xc0) != 0x80)
			n++;
	}
	return n <= max ? s : NULL;
}

/*
 * Checks a resolution's body member by member: NULL with the problem
 * answered, or why empty and the object (caller frees).
 */
static json_t *
resolution_body(struct http_ctx *c, char *why, size_t size)
{
	static const char *const members[] = { "rule", "container", "action",
	    "reason" };
	const unsigned char	*body;
	const char		*key, *s;
	json_t			*o, *v;
	json_error_t		 err;
	size_t			 len, i;

	why[0] = '\0';
	body = http_body(c, &len);
	if (len > PARCEL_BODY_MAX) {
		http_reply_problem(c, 413, "Payload Too Large", "a parcel "
		    "resolution is a JSON object of at most 16 KiB", NULL, 0);
		return NULL;
	}
	o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL || !json_is_object(o)) {
		snprintf(why, size, "invalid JSON at line %d, column %d: %s",
		    o == NULL ? err.line : 1, o == NULL ? err.column : 1,
		    o == NULL ? err.text : "not an object");
		json_decref(o);
		http_reply_problem(c, 400, "Bad Request", why, NULL, 0);
		return NULL;
	}
	json_object_foreach(o, key, v) {
		for (i = 0; i < nitems(members) && strcmp(members[i], key) != 0;
		    i++)
			;
		if (i == nitems(members)) {
			snprintf(why, size, "\"%.64s\" is not a member of a "
			    "parcel resolution (rule, container, action, "
			    "reason)", key);
			break;
		}
	}
	if (why[0] == '\0' && member_text(o, "rule", PARCEL_RULE_MAX) == NULL)
		snprintf(why, size, "\"rule\" must name a rule: 1 to %d "
		    "characters on one line", PARCEL_RULE_MAX);
	if (why[0] == '\0' && json_object_get(o, "container") != NULL &&
	    member_text(o, "container", PARCEL_CONTAINER_MAX) == NULL)
		snprintf(why, size, "\"container\" must be a container's "
		    "number (1 to %d characters on one line), or be left out "
		    "for the whole train", PARCEL_CONTAINER_MAX);
	s = json_string_value(json_object_get(o, "action"));
	if (why[0] == '\0' && (s == NULL || strcmp(s, "release") != 0))
		snprintf(why, size, "\"action\" must be release: parcels "
		    "are only released in bulk");
	return o;
}

/* The reason: required, one line, at most PARCEL_REASON_MAX bytes. */
static bool
resolution_reason(struct http_ctx *c, const json_t *o)
{
	const char	*s = json_string_value(json_object_get(o, "reason"));

	if (s == NULL || *s == '\0')
		http_reply_problem(c, 422, "Reason required", "\"reason\" must "
		    "say why, in words the auditor will read", NULL, 0);
	else if (strlen(s) > PARCEL_REASON_MAX)
		http_reply_problem(c, 422, "Reason too long",
		    "\"reason\" is at most 1000 bytes", NULL, 0);
	else if (member_text(o, "reason", PARCEL_REASON_MAX) == NULL)
		http_reply_problem(c, 422, "Reason unreadable", "\"reason\" is "
		    "one line of text: no control characters (a newline, an "
		    "escape) and no NUL", NULL, 0);
	else
		return true;
	return false;
}

void
api_parcels_resolution(struct http_ctx *c)
{
	struct parcel_job	*j;
	json_t			*o;
	char			 why[256];

	if (!api_check_train_id(c) ||
	    (o = resolution_body(c, why, sizeof why)) == NULL)
		return;
	if (why[0] != '\0') {
		http_reply_problem(c, 422, "Invalid parcel resolution", why,
		    NULL, 0);
		json_decref(o);
		return;
	}
	if (!resolution_reason(c, o)) {
		json_decref(o);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->c = c;
	j->rule = xstrdup(json_string_value(json_object_get(o, "rule")));
	if (json_object_get(o, "container") != NULL)
		j->container = xstrdup(json_string_value(json_object_get(o,
		    "container")));
	j->reason = xstrdup(json_string_value(json_object_get(o, "reason")));
	json_decref(o);
	store_parcel_context(c->d->db, http_param(c, 0), j->container,
	    resolution_context_cb, j);
}
