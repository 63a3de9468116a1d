/*
 * bundle_decide.c -- the checks of an evidence bundle that cross its
 * parts (see bundle.h): the manifests read back and hashed, the rule sets
 * compiled and hashed, every decision made again by the engine from the
 * bundle's bytes (engine/decide.h, the path `railgate replay` takes), the
 * manifests, events and decisions found in the train's audit records,
 * the events each decision applied found among the run's, and the
 * checkpoint's signature.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/decide.h"
#include "engine/input.h"
#include "engine/ruleset.h"
#include "manifest/decision.h"
#include "manifest/model.h"
#include "rules/rules.h"

#include "daemon/checkpoint.h"
#include "daemon/sign.h"

#include "cli/bundle.h"

/* What the parts became, for the checks that cross them. */
struct bundle_state {
	json_t			*b;
	struct bundle_report	*r;
	long long		 train_id;
	size_t			 nmanifests, nrulesets;
	struct manifest_train	**models;	/* per manifest; NULL: unusable */
	struct rules_ruleset	**rulesets;	/* per rule set; NULL: unusable */
	json_t			*audit;		/* the records, parsed */
	json_t			*events;	/* the run's events, parsed */
};

/* Whether a record of the train has action prefix and member key = want. */
static int
audit_names(const struct bundle_state *s, const char *prefix, const char *key,
    const char *want, const char *ruleset)
{
	json_t		*rec, *d;
	size_t		 k;
	const char	*v, *rs;
	int		 found = 0;

	json_array_foreach(s->audit, k, rec) {
		if (json_integer_value(json_object_get(rec, "train_id")) !=
		    s->train_id || strncmp(json_string_value(json_object_get(rec,
		    "action")), prefix, strlen(prefix)) != 0)
			continue;
		d = json_loads(json_string_value(json_object_get(rec, "details")),
		    0, NULL);
		v = json_string_value(json_object_get(d, key));
		rs = json_string_value(json_object_get(rec, "ruleset_sha256"));
		found = v != NULL && strcmp(v, want) == 0 && (ruleset == NULL ||
		    (rs != NULL && strcmp(rs, ruleset) == 0));
		json_decref(d);
		if (found)
			break;
	}
	return found;
}

/* Whether a record of the train is action, its details' event id and
 * body those of ev. */
static int
audit_has_event(const struct bundle_state *s, const char *action, json_t *ev)
{
	json_t	*rec, *d;
	size_t	 k;
	int	 found = 0;

	json_array_foreach(s->audit, k, rec) {
		if (json_integer_value(json_object_get(rec, "train_id")) !=
		    s->train_id || strcmp(json_string_value(json_object_get(rec,
		    "action")), action) != 0)
			continue;
		d = json_loads(json_string_value(json_object_get(rec, "details")),
		    0, NULL);
		found = json_equal(json_object_get(d, "event"),
		    json_object_get(ev, "id")) && json_equal(json_object_get(d,
		    "body"), json_object_get(ev, "body"));
		json_decref(d);
		if (found)
			break;
	}
	return found;
}

/*
 * Whether a document.accepted record of the train names event ev and the
 * document its body names: document_decide() (73_documents.sql) inserts
 * that event itself and records no event.document.
 */
static int
audit_has_document(const struct bundle_state *s, json_t *ev)
{
	static const char	*same[] = { "document", "consignment", "code",
				    "sha256" };
	json_t			*rec, *d, *body = json_object_get(ev, "body");
	size_t			 k, i;
	int			 found = 0;

	json_array_foreach(s->audit, k, rec) {
		if (json_integer_value(json_object_get(rec, "train_id")) !=
		    s->train_id || strcmp(json_string_value(json_object_get(rec,
		    "action")), "document.accepted") != 0)
			continue;
		d = json_loads(json_string_value(json_object_get(rec, "details")),
		    0, NULL);
		found = json_equal(json_object_get(d, "event"),
		    json_object_get(ev, "id"));
		for (i = 0; found && i < nitems(same); i++)
			found = json_equal(json_object_get(d, same[i]),
			    json_object_get(body, same[i]));
		json_decref(d);
		if (found)
			break;
	}
	return found;
}

/* Whether the events part holds an event of id. */
static int
events_have(const struct bundle_state *s, json_t *id)
{
	json_t	*ev;
	size_t	 i;

	json_array_foreach(s->events, i, ev)
		if (json_equal(json_object_get(ev, "id"), id))
			return 1;
	return 0;
}

/*
 * Nothing the audit records of the train left out of the bundle: every
 * event an event.TYPE or document.accepted record names is in the events
 * part, and there are as many decisions parts as records of a decision
 * stored (store_decision(), finalize_decision()).  Without this, a
 * bundle cut of the train's later decisions and events -- a final HOLD
 * hidden, an earlier RELEASE shown -- verified, every part it kept being
 * genuine.
 */
static void
check_complete(struct bundle_state *s)
{
	static const char	*stored[] = { "decision.provisional",
				    "decision.after_final", "decision.final",
				    "decision.final_amended" };
	json_t			*rec, *d, *id;
	const char		*action;
	size_t			 k, i, ndec = 0, have;

	json_array_foreach(s->audit, k, rec) {
		if (json_integer_value(json_object_get(rec, "train_id")) !=
		    s->train_id ||
		    (action = json_string_value(json_object_get(rec, "action"))) ==
		    NULL)
			continue;
		for (i = 0; i < nitems(stored); i++)
			ndec += strcmp(action, stored[i]) == 0;
		if (strncmp(action, "event.", 6) != 0 &&
		    strcmp(action, "document.accepted") != 0)
			continue;
		d = json_loads(json_string_value(json_object_get(rec, "details")),
		    0, NULL);
		id = json_object_get(d, "event");
		if (json_is_integer(id) && !events_have(s, id))
			bundle_fail(s->r, "events: audit[%zu] seq %lld (%s) names "
			    "event %lld of the train, which the events part does "
			    "not hold", k, (long long)json_integer_value(
			    json_object_get(rec, "seq")), action,
			    (long long)json_integer_value(id));
		json_decref(d);
	}
	have = json_array_size(json_object_get(s->b, "decisions"));
	if (have < ndec)
		bundle_fail(s->r, "decisions: the audit records %zu %s of "
		    "the train, the bundle holds %zu", ndec, ndec == 1 ?
		    "decision" : "decisions", have);
}

/* events: every event of the run is in an audit record of the train
 * (event.TYPE, its id and body), as add_event() records it, or, for a
 * document, in the document.accepted record that made it. */
static void
check_events(struct bundle_state *s)
{
	json_t		*ev;
	size_t		 i;
	const char	*type;
	char		 action[64];

	s->events = bundle_part_json(json_object_get(s->b, "events"), "events",
	    s->r);
	if (s->events != NULL && !json_is_array(s->events))
		bundle_fail(s->r, "events: not an array");
	json_array_foreach(s->events, i, ev) {
		type = json_string_value(json_object_get(ev, "type"));
		snprintf(action, sizeof action, "event.%s", type != NULL ? type :
		    "?");
		if (!audit_has_event(s, action, ev) && (type == NULL ||
		    strcmp(type, "document") != 0 || !audit_has_document(s, ev)))
			bundle_fail(s->r, "events[%zu] (id %lld): no audit record of "
			    "the train records it with this body", i, (long long)
			    json_integer_value(json_object_get(ev, "id")));
	}
}

/* The events a provisional decision applied are the run's, unchanged. */
static void
check_applied_events(struct bundle_state *s, json_t *dec, const char *name)
{
	json_t	*ev, *mine;
	size_t	 i, k;
	int	 found;

	json_array_foreach(json_object_get(dec, "events"), i, ev) {
		found = 0;
		json_array_foreach(s->events, k, mine) {
			if (json_equal(json_object_get(mine, "id"),
			    json_object_get(ev, "id"))) {
				found = json_equal(json_object_get(mine, "type"),
				    json_object_get(ev, "type")) && json_equal(
				    json_object_get(mine, "body"),
				    json_object_get(ev, "body"));
				break;
			}
		}
		if (!found)
			bundle_fail(s->r, "%s: the event it applied (id %lld) is not "
			    "the run's, as the events part has it", name, (long long)
			    json_integer_value(json_object_get(ev, "id")));
	}
}

/* manifests[i]: its bytes inflated, hashed, parsed, found in the audit. */
static void
check_manifest(struct bundle_state *s, size_t i)
{
	json_t		*part = json_array_get(json_object_get(s->b, "manifests"), i);
	const char	*want = json_string_value(json_object_get(part,
			    "manifest_sha256"));
	unsigned char	*z;
	size_t		 zlen, len;
	char		 name[32], got[65], *raw = NULL;

	snprintf(name, sizeof name, "manifests[%zu]", i);
	if (bundle_part_bytes(part, name, &z, &zlen, s->r) < 0)
		return;
	if (input_inflate_stored(z, zlen, &raw, &len) < 0)
		bundle_fail(s->r, "%s: the data do not inflate (zlib)", name);
	else {
		sha256_hex(raw, len, got);
		if (want == NULL || strcmp(got, want) != 0)
			bundle_fail(s->r, "%s: the manifest's bytes hash to %.16s..., "
			    "not its manifest_sha256", name, got);
		else if (input_parse(raw, len, NULL, &s->models[i]) < 0) {
			bundle_fail(s->r, "%s: the manifest does not parse", name);
			manifest_train_free(s->models[i]);
			s->models[i] = NULL;
		}
		if (want != NULL && !audit_names(s, "manifest.", "sha256", want,
		    NULL))
			bundle_fail(s->r, "%s: no audit record of the train names "
			    "its sha256", name);
	}
	free(raw);
	free(z);
}

/* rulesets[i]: its files compiled, their hash the one it is stored under. */
static void
check_ruleset(struct bundle_state *s, size_t i)
{
	json_t		*part = json_array_get(json_object_get(s->b, "rulesets"), i);
	const char	*want = json_string_value(json_object_get(part,
			    "ruleset_sha256"));
	const char	*rname = json_string_value(json_object_get(part, "name"));
	unsigned char	*z;
	size_t		 zlen;
	char		 name[32], *why = NULL;

	snprintf(name, sizeof name, "rulesets[%zu]", i);
	if (bundle_part_bytes(part, name, &z, &zlen, s->r) < 0)
		return;
	s->rulesets[i] = ruleset_compile_stored(rname != NULL ? rname : "bundle",
	    z, zlen, &why);
	if (s->rulesets[i] == NULL) {
		bundle_fail(s->r, "%s: does not compile: %s", name, why);
		free(why);
	} else if (want == NULL || strcmp(rules_ruleset_hash(s->rulesets[i]),
	    want) != 0) {
		bundle_fail(s->r, "%s: its files hash to %.16s..., not its "
		    "ruleset_sha256", name, rules_ruleset_hash(s->rulesets[i]));
		rules_ruleset_unref(s->rulesets[i]);
		s->rulesets[i] = NULL;
	}
	free(z);
}

/* The index of the part of parts (manifests or rulesets) whose member
 * key equals the decision's dkey; -1 after a failure. */
static long
find_input(struct bundle_state *s, const char *parts_key, const char *key,
    json_t *dec, const char *dkey, const char *name)
{
	json_t		*parts = json_object_get(s->b, parts_key), *p;
	size_t		 i;

	json_array_foreach(parts, i, p) {
		if (json_equal(json_object_get(p, key), json_object_get(dec, dkey)))
			return (long)i;
	}
	bundle_fail(s->r, "%s: the bundle has no %s it was made from", name,
	    parts_key);
	return -1;
}

/* A member as JSON text for the engine (caller frees); NULL for null. */
static char *
member_text(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return v == NULL || json_is_null(v) ? NULL : json_dumps(v,
	    JSON_COMPACT | JSON_ENCODE_ANY);
}

/* The decision made again from the bundle: provisional by the rules,
 * final from its base and the resolutions.  NULL with *cause. */
static struct decision *
redecide(struct bundle_state *s, json_t *dec, const char *name, char **cause)
{
	const struct manifest_train	*t;
	const struct rules_ruleset	*rs;
	struct decision			*d;
	struct rules_eval_options	 opt = { .threads = 1 };
	char				*a, *b;
	long				 m, k;

	if (json_is_true(json_object_get(dec, "final"))) {
		if ((a = member_text(dec, "base")) == NULL) {
			*cause = xstrdup("no decision it was built from");
			return NULL;
		}
		b = member_text(dec, "resolutions");
		d = decide_final(a, b != NULL ? b : "[]", cause);
		free(a);
		free(b);
		return d;
	}
	if ((m = find_input(s, "manifests", "id", dec, "manifest_id",
	    name)) < 0 || (k = find_input(s, "rulesets", "ruleset_sha256", dec,
	    "ruleset_sha256", name)) < 0)
		return NULL;
	if ((t = s->models[m]) == NULL || (rs = s->rulesets[k]) == NULL) {
		*cause = xstrdup("its manifest or rule set is unusable (above)");
		return NULL;
	}
	a = member_text(dec, "events");
	b = member_text(dec, "clearances");
	/* Made with parcel_setaside when its document says so (decide.h). */
	opt.parcel_setaside = json_is_object(json_object_get(json_object_get(
	    dec, "document"), "parcels"));
	d = decide_evaluate(rs, t, a != NULL ? a : "[]", b, &opt, NULL, cause);
	free(a);
	free(b);
	/* The manifest's hash, checked against its bytes (check_manifest). */
	if (d != NULL)
		snprintf(d->manifest_sha256, sizeof d->manifest_sha256, "%s",
		    json_string_value(json_object_get(json_array_get(
		    json_object_get(s->b, "manifests"), (size_t)m),
		    "manifest_sha256")));
	return d;
}

/* decisions[i]: made again and compared, and found in the audit. */
static void
check_decision(struct bundle_state *s, size_t i)
{
	json_t		*part = json_array_get(json_object_get(s->b, "decisions"), i);
	json_t		*dec, *stored, *again = NULL;
	struct decision	*d = NULL;
	struct buf	 doc = { 0 };
	char		 name[32], *cause = NULL;
	const char	*outcome;

	snprintf(name, sizeof name, "decisions[%zu]", i);
	if ((dec = bundle_part_json(part, name, s->r)) == NULL)
		return;
	stored = json_deep_copy(json_object_get(dec, "document"));
	outcome = json_string_value(json_object_get(dec, "outcome"));
	if (!json_is_object(stored) || outcome == NULL) {
		bundle_fail(s->r, "%s: no document or outcome", name);
		goto out;
	}
	check_applied_events(s, dec, name);
	if ((d = redecide(s, dec, name, &cause)) == NULL) {
		if (cause != NULL)
			bundle_fail(s->r, "%s: cannot be made again: %s", name, cause);
		goto out;
	}
	/* Compared as replay compares: without timing. */
	decision_json_write(d, DECISION_JSON_NO_TIMING, &doc);
	again = json_loadb(doc.data, doc.len, 0, NULL);
	json_object_del(stored, "timing");
	if (!json_equal(stored, again))
		bundle_fail(s->r, "%s: made again from the bundle, the decision "
		    "differs from the one it holds (%s)", name, outcome);
	else
		s->r->decided++;
	if (!audit_names(s, "decision.", "outcome", outcome,
	    json_string_value(json_object_get(dec, "ruleset_sha256"))))
		bundle_fail(s->r, "%s: no audit record of the train records its "
		    "outcome %s", name, outcome);
out:
	free(cause);
	buf_free(&doc);
	json_decref(again);
	json_decref(stored);
	json_decref(dec);
	decision_free(d);
}

/* The checkpoint: its signature, its key, and the chain up to it. */
static void
check_checkpoint(struct bundle_state *s, const struct sign_key *key)
{
	json_t			*j;
	struct checkpoint	 cp;
	const char		*why, *top = json_string_value(json_object_get(s->b,
				    "key_id"));
	char			*cause = NULL;

	if ((j = bundle_part_json(json_object_get(s->b, "checkpoint"),
	    "checkpoint", s->r)) == NULL) {
		bundle_audit_check(s->audit, 0, NULL, s->r);
		return;
	}
	if (checkpoint_from_json(j, "checkpoint", &cp, &cause) < 0) {
		bundle_fail(s->r, "%s", cause);
		free(cause);
		bundle_audit_check(s->audit, 0, NULL, s->r);
	} else {
		if (checkpoint_verify(&cp, key, &why) < 0)
			bundle_fail(s->r, "checkpoint: %s", why);
		if (top == NULL || strcmp(top, cp.key_id) != 0)
			bundle_fail(s->r, "checkpoint: key_id is not the bundle's");
		s->r->checkpoint_seq = cp.seq;
		bundle_audit_check(s->audit, cp.seq, cp.hash, s->r);
		checkpoint_clear(&cp);
	}
	json_decref(j);
}

/* The parts hashed but not otherwise read. */
static void
check_plain_parts(struct bundle_state *s)
{
	static const char	*names[] = { "officer_actions", "peer_messages" };
	size_t			 i;
	json_t			*j;

	for (i = 0; i < nitems(names); i++) {
		j = bundle_part_json(json_object_get(s->b, names[i]), names[i],
		    s->r);
		json_decref(j);
	}
}

int
bundle_verify(json_t *bundle, const struct sign_key *key,
    struct bundle_report *r)
{
	struct bundle_state	 s = { 0 };
	size_t			 i;

	s.b = bundle;
	s.r = r;
	s.train_id = json_integer_value(json_object_get(bundle, "train_id"));
	s.nmanifests = json_array_size(json_object_get(bundle, "manifests"));
	s.nrulesets = json_array_size(json_object_get(bundle, "rulesets"));
	s.models = xcalloc(s.nmanifests + 1, sizeof *s.models);
	s.rulesets = xcalloc(s.nrulesets + 1, sizeof *s.rulesets);
	/* The audit first: the other parts are looked for in it. */
	if ((s.audit = bundle_part_json(json_object_get(bundle, "audit"),
	    "audit", r)) == NULL)
		s.audit = json_array();
	check_checkpoint(&s, key);
	check_events(&s);
	for (i = 0; i < s.nmanifests; i++)
		check_manifest(&s, i);
	for (i = 0; i < s.nrulesets; i++)
		check_ruleset(&s, i);
	for (i = 0; i < json_array_size(json_object_get(bundle, "decisions")); i++)
		check_decision(&s, i);
	check_plain_parts(&s);
	check_complete(&s);
	for (i = 0; i < s.nmanifests; i++)
		manifest_train_free(s.models[i]);
	for (i = 0; i < s.nrulesets; i++)
		if (s.rulesets[i] != NULL)
			rules_ruleset_unref(s.rulesets[i]);
	free(s.models);
	free(s.rulesets);
	json_decref(s.audit);
	json_decref(s.events);
	return r->nfailures == 0 ? 0 : -1;
}
