/*
 * api_screening.c -- screening clearances (docs/screening.md "Clearing a
 * false match"): an officer proposes that a party is not an entry of a
 * list, a supervisor who is not the proposer confirms or rejects it, a
 * supervisor revokes a confirmed one; officers and auditors read them.
 *
 * What the rule set knows is checked here, against the rule set in force
 * (the list exists, the entry is one of its entries by its own name, the
 * party is not the entry itself); what the stored clearances allow (four
 * eyes, the state, a duplicate) is checked by the database, under the
 * row's lock (db/functions/67_clearances.sql).  The party's name is kept
 * as given and compared by its ORIGINAL key (names_fold): a name sent in
 * another Unicode normalisation is the same party.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/store.h"
#include "engine/ruleset.h"
#include "manifest/util.h"
#include "rules/ident.h"
#include "rules/names.h"
#include "rules/rules.h"

#include "daemon/api/api.h"
#include "daemon/daemon.h"
#include "daemon/evaluate.h"
#include "daemon/http/auth.h"
#include "daemon/log.h"
#include "daemon/outcome.h"

#define CLEARANCE_BODY_MAX	(16 * 1024)
#define CLEARANCE_REASON_MAX	1000
#define CLEARANCE_NAME_MAX	300
#define CLEARANCE_HIT_MAX	2048
#define CLEARANCES_LIST_MAX	500

/* True when s holds no control character (jansson made it UTF-8). */
static bool
plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A text of 1 to max bytes, one line; false for anything else. */
static bool
text_ok(const char *s, size_t max)
{
	return s != NULL && *s != '\0' && strlen(s) <= max && plain(s);
}

/*
 * The body as a JSON object with its "reason" (required, one line, at
 * most 1000 bytes); NULL with the problem answered.
 */
static json_t *
clearance_body(struct http_ctx *c, const char **reason)
{
	const unsigned char	*body;
	json_error_t		 err;
	json_t			*o;
	size_t			 len;
	char			 why[256];

	body = http_body(c, &len);
	if (len > CLEARANCE_BODY_MAX) {
		http_reply_problem(c, 413, "Payload Too Large", "a clearance's "
		    "request is a JSON object of at most 16 KiB", NULL, 0);
		return NULL;
	}
	o = len == 0 ? json_object() : json_loadb((const char *)body, len,
	    JSON_REJECT_DUPLICATES, &err);
	if (o == NULL || !json_is_object(o)) {
		snprintf(why, sizeof why, "invalid JSON at line %d, column %d: "
		    "%s", o == NULL ? err.line : 1, o == NULL ? err.column : 1,
		    o == NULL ? err.text : "not an object");
		json_decref(o);
		http_reply_problem(c, 400, "Bad Request", why, NULL, 0);
		return NULL;
	}
	*reason = json_string_value(json_object_get(o, "reason"));
	if (*reason == NULL || strspn(*reason, " \t") == strlen(*reason)) {
		json_decref(o);
		http_reply_problem(c, 422, "Reason required", "\"reason\" must "
		    "say why, in words the auditor will read", NULL, 0);
		return NULL;
	}
	if (!text_ok(*reason, CLEARANCE_REASON_MAX)) {
		json_decref(o);
		http_reply_problem(c, 422, "Reason unreadable", "\"reason\" is "
		    "one line of text of at most 1000 bytes: no control "
		    "characters", NULL, 0);
		return NULL;
	}
	return o;
}

/* A nullable text member: NULL when absent or null; false when wrong. */
static bool
optional_text(json_t *o, const char *key, size_t max, const char **out)
{
	json_t	*v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	*out = json_string_value(v);
	return text_ok(*out, max);
}

/* Why the members of a proposal cannot be used; NULL when they can. */
static const char *
proposal_fields(json_t *o, struct store_clearance *s)
{
	static const char *const known[] = { "list", "entry", "party",
	    "reason", "train", "hit" };
	json_t		*party = json_object_get(o, "party"), *v;
	const char	*k;
	size_t		 i;

	json_object_foreach(o, k, v) {
		for (i = 0; i < sizeof known / sizeof known[0]; i++)
			if (strcmp(k, known[i]) == 0)
				break;
		if (i == sizeof known / sizeof known[0])
			return "unknown member: a proposal has list, entry, "
			    "party {name, country, id}, reason, and perhaps "
			    "train and hit";
	}
	s->list = json_string_value(json_object_get(o, "list"));
	s->entry = json_string_value(json_object_get(o, "entry"));
	if (!text_ok(s->list, 64))
		return "\"list\" names the list, as the rule set does "
		    "(\"sanctioned\")";
	if (!text_ok(s->entry, CLEARANCE_NAME_MAX))
		return "\"entry\" is the list entry's own name, as listed";
	if (!json_is_object(party))
		return "\"party\" is an object: {\"name\", \"country\", \"id\"}";
	json_object_foreach(party, k, v)
		if (strcmp(k, "name") != 0 && strcmp(k, "country") != 0 &&
		    strcmp(k, "id") != 0)
			return "\"party\" has name, country and id only";
	s->name = json_string_value(json_object_get(party, "name"));
	if (!text_ok(s->name, CLEARANCE_NAME_MAX))
		return "\"party.name\" is the party's name as the manifest "
		    "gives it, one line of at most 300 bytes";
	if (!optional_text(party, "country", 2, &s->country) ||
	    (s->country != NULL && (strlen(s->country) != 2 ||
	    s->country[0] < 'A' || s->country[0] > 'Z' || s->country[1] <
	    'A' || s->country[1] > 'Z')))
		return "\"party.country\" is ISO 3166-1 alpha-2, upper case "
		    "(\"KZ\"), or null for any";
	if (!optional_text(party, "id", 64, &s->party_id))
		return "\"party.id\" is the party's identifier as received, "
		    "or null for any";
	if (!optional_text(o, "train", 64, &s->train))
		return "\"train\" names the train the hit was on (\"X8024@1\"), "
		    "or is absent";
	v = json_object_get(o, "hit");
	if (v != NULL && !json_is_null(v) && !json_is_object(v))
		return "\"hit\" is the hit it was made from, an object "
		    "({\"rule\", \"consignment\", \"item\", \"role\"}), or absent";
	if (v != NULL && json_is_object(v) && s->train == NULL)
		return "\"hit\" goes with \"train\": the train it was on";
	return NULL;
}

/* True when name folds to key (names_fold). */
static bool
names_are(const char *name, const char *key)
{
	char	*k, err[128];
	bool	 same;

	if ((k = names_fold(name, err, sizeof err)) == NULL)
		return false;
	same = strcmp(k, key) == 0;
	free(k);
	return same;
}

/*
 * Why the party of s is the listed one by another way than the entry's
 * own name: an alias's name (key), or an identifier of the entry; NULL
 * when it is not.
 */
static const char *
listed_as(const struct rules_ruleset *rs, const struct store_clearance *s,
    const char *key, char *why, size_t whylen)
{
	const char *const	*aka;
	char			 id[64];
	size_t			 i, n;

	n = ruleset_entry_aliases(rs, s->list, s->entry, &aka);
	for (i = 0; i < n; i++)
		if (names_are(aka[i], key)) {
			snprintf(why, whylen, "the party's name is '%s', an alias "
			    "of the entry: that party is the listed one, and "
			    "cannot be cleared of it", aka[i]);
			return why;
		}
	if (s->party_id == NULL)
		return NULL;
	ident_normalise(s->party_id, id, sizeof id);
	if (ruleset_entry_has_id(rs, s->list, s->entry, id)) {
		snprintf(why, whylen, "the party's identifier %s is the entry's: "
		    "that party is the listed one, and cannot be cleared of it",
		    s->party_id);
		return why;
	}
	return NULL;
}

/* Why the rule set in force refuses s (list, entry, the party is the
 * entry); NULL when it does not.  *key gets the party's folded name. */
static const char *
proposal_against_rules(struct http_ctx *c, struct store_clearance *s,
    char **key, char *why, size_t whylen)
{
	const struct rules_ruleset	*rs = evaluator_ruleset(c->d->eval);
	const char			*listed = NULL;
	char				 err[128];
	bool				 same;

	*key = NULL;
	if (rs == NULL)
		return "no rule set is in force";
	switch (ruleset_list_entry(rs, s->list, s->entry)) {
	case RULESET_NO_LIST:
		snprintf(why, whylen, "the rule set in force (%s) has no list "
		    "'%s'", rules_ruleset_name(rs), s->list);
		return why;
	case RULESET_NO_ENTRY:
		snprintf(why, whylen, "list '%s' of the rule set in force has "
		    "no entry named '%s' (an entry's own name, not an alias)",
		    s->list, s->entry);
		return why;
	case RULESET_ENTRY:
		break;
	}
	if ((*key = names_fold(s->name, err, sizeof err)) == NULL ||
	    **key == '\0') {
		snprintf(why, whylen, "\"party.name\" cannot be compared: %s",
		    *key == NULL ? err : "no letters");
		free(*key);
		*key = NULL;
		return why;
	}
	if ((same = names_are(s->entry, *key)) || (listed = listed_as(rs, s,
	    *key, why, whylen)) != NULL) {
		free(*key);
		*key = NULL;
		return same ? "the party's name is the entry's own name: that "
		    "party is the listed one, and cannot be cleared of it" :
		    listed;
	}
	s->key = *key;
	s->ruleset_sha256 = rules_ruleset_hash(rs);
	return NULL;
}

/* The database recorded (or refused) a proposal or a decision. */
static void
clearance_changed_cb(int status, enum store_outcome outcome,
    const char *reply, void *arg)
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
	log_info("screening clearance: %s by %s", reply, c->who.name);
	http_reply_json(c, outcome_status(outcome), reply, strlen(reply));
}

/* POST /v1/screening/clearances */
void
api_clearance_propose(struct http_ctx *c)
{
	struct store_clearance	 s = { 0 };
	const char		*why;
	char			*key = NULL, *hit = NULL, buf[512];
	json_t			*o;

	if ((o = clearance_body(c, &s.reason)) == NULL)
		return;
	if ((why = proposal_fields(o, &s)) != NULL) {
		http_reply_problem(c, 422, "Invalid clearance", why, NULL, 0);
		goto out;
	}
	if ((why = proposal_against_rules(c, &s, &key, buf, sizeof buf)) !=
	    NULL) {
		http_reply_problem(c, 422, "Invalid clearance", why, NULL, 0);
		goto out;
	}
	if (json_is_object(json_object_get(o, "hit")) && (hit = json_dumps(
	    json_object_get(o, "hit"), JSON_COMPACT | JSON_PRESERVE_ORDER)) !=
	    NULL && strlen(hit) > CLEARANCE_HIT_MAX) {
		http_reply_problem(c, 422, "Invalid clearance", "\"hit\" is at "
		    "most 2 KiB", NULL, 0);
		goto out;
	}
	s.hit = hit;
	s.principal = c->who.name;
	s.role = auth_role_name(c->who.role);
	store_clearance_propose(c->d->db, &s, clearance_changed_cb, c);
out:
	free(hit);
	free(key);
	json_decref(o);
}

/* True when s is a clearance's id: 1 to 18 digits, no leading zero. */
static bool
clearance_id_is_valid(const char *s)
{
	size_t	n = strspn(s, "0123456789");

	return n > 0 && n <= 18 && s[n] == '\0' && s[0] != '0';
}

/* POST /v1/screening/clearances/{id}/{confirm|reject|revoke} */
static void
clearance_decide(struct http_ctx *c, const char *verb)
{
	const struct rules_ruleset	*rs = evaluator_ruleset(c->d->eval);
	const char			*reason;
	json_t				*o;

	if (!clearance_id_is_valid(http_param(c, 0))) {
		http_reply_problem(c, 404, "Unknown clearance", "a clearance is "
		    "named by its id, a positive number (\"id\" in GET "
		    "/v1/screening/clearances)", NULL, 0);
		return;
	}
	if ((o = clearance_body(c, &reason)) == NULL)
		return;
	store_clearance_decide(c->d->db, http_param(c, 0), verb, reason,
	    c->who.name, auth_role_name(c->who.role), c->d->cfg.clearance_days,
	    rs != NULL ? rules_ruleset_hash(rs) : NULL, clearance_changed_cb, c);
	json_decref(o);
}

void
api_clearance_confirm(struct http_ctx *c)
{
	clearance_decide(c, "confirm");
}

void
api_clearance_reject(struct http_ctx *c)
{
	clearance_decide(c, "reject");
}

void
api_clearance_revoke(struct http_ctx *c)
{
	clearance_decide(c, "revoke");
}

/* The list read. */
static void
clearances_read_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else
		http_reply_json(c, 200, status == 0 ? "[]" : text, status == 0 ?
		    2 : len);
}

/* One clearance read. */
static void
clearance_read_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else if (status == 0)
		http_reply_problem(c, 404, "Unknown clearance", "there is no "
		    "such screening clearance", NULL, 0);
	else
		http_reply_json(c, 200, text, len);
}

/* GET /v1/screening/clearances?state=&list=&party=&train=&limit= */
void
api_clearances_list(struct http_ctx *c)
{
	static const char *const states[] = { "pending", "confirmed",
	    "rejected", "revoked", "in_force", "expired" };
	struct store_clearance_filter	 f = { 0 };
	const char			*ls = http_query(c, "limit");
	size_t				 i;

	f.state = http_query(c, "state");
	f.list = http_query(c, "list");
	f.party = http_query(c, "party");
	f.train = http_query(c, "train");
	f.limit = ls != NULL ? atoi(ls) : 100;
	for (i = 0; f.state != NULL && i < sizeof states / sizeof states[0];
	    i++)
		if (strcmp(f.state, states[i]) == 0)
			break;
	if (f.state != NULL && i == sizeof states / sizeof states[0]) {
		http_reply_problem(c, 400, "Bad Request", "state is pending, "
		    "confirmed, rejected, revoked, in_force or expired", NULL, 0);
		return;
	}
	if ((f.list != NULL && !text_ok(f.list, 64)) || (f.party != NULL &&
	    !text_ok(f.party, CLEARANCE_NAME_MAX)) || (f.train != NULL &&
	    !text_ok(f.train, 64))) {
		http_reply_problem(c, 400, "Bad Request", "list, party and train "
		    "are one line of text each", NULL, 0);
		return;
	}
	if (ls != NULL && (f.limit < 1 || f.limit > CLEARANCES_LIST_MAX ||
	    strspn(ls, "0123456789") != strlen(ls))) {
		http_reply_problem(c, 400, "Bad Request", "limit is 1 to 500",
		    NULL, 0);
		return;
	}
	store_clearances_list(c->d->db, &f, c->who.name, clearances_read_cb, c);
}

/* GET /v1/screening/clearances/{id} */
void
api_clearance_get(struct http_ctx *c)
{
	if (!clearance_id_is_valid(http_param(c, 0))) {
		http_reply_problem(c, 404, "Unknown clearance", "a clearance is "
		    "named by its id, a positive number", NULL, 0);
		return;
	}
	store_clearance_get(c->d->db, http_param(c, 0), c->who.name,
	    clearance_read_cb, c);
}
