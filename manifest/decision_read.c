/*
 * decision_read.c -- a decision document back from its JSON, for the
 * officers' resolutions, the notices and the auditor's replay, which all
 * start from a stored document.  jansson parses; this file maps.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "decision.h"
#include "model.h"

/* A string member, or NULL. */
static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Reads a hit's subject. */
static void
read_subject(json_t *o, struct decision_subject *s)
{
	memset(s, 0, sizeof *s);
	s->wagon = str(o, "wagon");
	s->container = str(o, "container");
	s->consignment = str(o, "consignment");
	s->item = (uint32_t)json_integer_value(json_object_get(o, "item"));
}

/* Appends the hits of array a to wagon w (or the train when NULL); 0 or -1. */
static int
read_hits(struct decision *d, struct decision_wagon *w, json_t *a,
    char **cause)
{
	enum decision_action	 act;
	struct decision_subject	 subj;
	struct decision_hit	*dh;
	size_t			 i;
	json_t			*h, *tr;
	const char		*lang;

	json_array_foreach(a, i, h) {
		const char *rule = str(h, "rule"), *reason = str(h, "reason");
		const char *action = str(h, "action");

		if (rule == NULL || reason == NULL || action == NULL ||
		    decision_action_parse(action, &act) < 0) {
			*cause = xasprintf("hit %zu: rule, action and reason are "
			    "required", i);
			return -1;
		}
		read_subject(json_object_get(h, "subject"), &subj);
		dh = decision_hit_add(d, w, rule, act, &subj, reason,
		    str(h, "would_pass_if"));
		json_object_foreach(json_object_get(h, "reasons"), lang, tr)
			if (json_is_string(tr))
				decision_hit_add_reason(d, dh, lang,
				    json_string_value(tr));
	}
	return 0;
}

/* Reads the wagons array; 0 or -1. */
static int
read_wagons(struct decision *d, json_t *a, char **cause)
{
	struct decision_wagon	*w;
	enum decision_action	 act;
	size_t			 i;
	json_t			*o;

	json_array_foreach(a, i, o) {
		const char *num = str(o, "wagon"), *action = str(o, "action");

		if (num == NULL || action == NULL ||
		    decision_action_parse(action, &act) < 0) {
			*cause = xasprintf("wagon %zu: wagon and action are required", i);
			return -1;
		}
		w = decision_wagon_add(d, (uint32_t)json_integer_value(
		    json_object_get(o, "position")), num);
		if (read_hits(d, w, json_object_get(o, "hits"), cause) < 0)
			return -1;
		/* The stored action wins: officers' resolutions may have set it. */
		w->action = act;
	}
	return 0;
}

/* Reads the diagnostics back into d->diags (locations as text only). */
static void
read_diags(struct decision *d, json_t *a)
{
	size_t	 i;
	json_t	*o;

	json_array_foreach(a, i, o) {
		const char *sev = str(o, "severity"), *where = str(o, "where");
		struct diag_loc loc = diag_loc_none();
		enum diag_severity s = DIAG_INFO;
		const char *code = str(o, "code");

		if (sev != NULL && strcmp(sev, "error") == 0)
			s = DIAG_ERROR;
		else if (sev != NULL && strcmp(sev, "warning") == 0)
			s = DIAG_WARNING;
		loc.file = where != NULL && *where != '\0' ? where : NULL;
		/* Codes are static strings in the list; keep the arena's copy. */
		diag_add(&d->diags, s, code != NULL ? decision_str(d, code) : "?",
		    &loc, "%s", str(o, "message") != NULL ? str(o, "message") : "");
	}
}

struct decision *
decision_json_read(const char *json, size_t len, char **cause)
{
	struct decision	*d;
	json_error_t	 err;
	json_t		*root, *rs, *counts, *timing;
	const char	*outcome, *sha;

	root = json_loadb(json, len, 0, &err);
	if (root == NULL) {
		*cause = xasprintf("line %d, column %d: %s", err.line, err.column,
		    err.text);
		return NULL;
	}
	d = decision_new();
	d->train = decision_str(d, str(root, "train"));
	sha = str(root, "manifest_sha256");
	snprintf(d->manifest_sha256, sizeof d->manifest_sha256, "%s",
	    sha != NULL ? sha : "");
	rs = json_object_get(root, "ruleset");
	d->ruleset_name = decision_str(d, str(rs, "name"));
	sha = str(rs, "sha256");
	snprintf(d->ruleset_sha256, sizeof d->ruleset_sha256, "%s",
	    sha != NULL ? sha : "");
	outcome = str(root, "decision");
	if (d->train == NULL || outcome == NULL ||
	    decision_outcome_parse(outcome, &d->outcome) < 0) {
		*cause = xstrdup("train and decision are required");
		goto fail;
	}
	d->final = json_is_true(json_object_get(root, "final"));
	counts = json_object_get(root, "counts");
	d->ncontainers = (size_t)json_integer_value(json_object_get(counts,
	    "containers"));
	d->nconsignments = (size_t)json_integer_value(json_object_get(counts,
	    "consignments"));
	d->nitems = (size_t)json_integer_value(json_object_get(counts, "items"));
	if (read_wagons(d, json_object_get(root, "wagons"), cause) < 0 ||
	    read_hits(d, NULL, json_object_get(root, "train_hits"), cause) < 0 ||
	    decision_parcels_json_read(d, json_object_get(root, "parcels"),
	    cause) < 0)
		goto fail;
	read_diags(d, json_object_get(root, "diagnostics"));
	timing = json_object_get(root, "timing");
	d->parse_ms = json_number_value(json_object_get(timing, "parse_ms"));
	d->evaluate_ms = json_number_value(json_object_get(timing, "evaluate_ms"));
	json_decref(root);
	return d;
fail:
	json_decref(root);
	decision_free(d);
	return NULL;
}
