/*
 * decision.c -- building the decision document and writing its JSON.
 *
 * The JSON follows docs/contracts.md ("The decision document") key by key; "set_out" and the lane
 * counts are computed from the wagons here, so they cannot disagree with
 * the wagons they summarise.
 */
#include <string.h>

#include "decision.h"
#include "json.h"
#include "jsonw.h"
#include "model.h"

static const char *action_names[] = {
	"RELEASE", "AUDIT", "DOC_CHECK", "INSPECT", "HOLD", "REFUSE",
};
static const char *outcome_names[] = {
	"RELEASE", "PARTIAL_RELEASE", "HOLD",
};

/* An empty decision with its own arena. */
struct decision *
decision_new(void)
{
	struct arena	*a = arena_new();
	struct decision	*d;

	d = arena_zalloc(a, sizeof *d);
	d->arena = a;
	d->issued = MANIFEST_ABSENT;
	diag_list_init(&d->diags, 0);
	return d;
}

/* Frees the arena (which holds d itself) and the diagnostics. */
void
decision_free(struct decision *d)
{
	if (d == NULL)
		return;
	diag_list_clear(&d->diags);
	arena_free(d->arena);
}

const char *
decision_str(struct decision *d, const char *s)
{
	return s != NULL ? arena_strdup(d->arena, s) : NULL;
}

/* A wagon with no hits yet. */
struct decision_wagon *
decision_wagon_add(struct decision *d, uint32_t position, const char *wagon)
{
	struct decision_wagon	*w;

	d->wagons = arena_grow(d->arena, d->wagons, &d->wagons_cap,
	    d->nwagons + 1, sizeof *d->wagons);
	w = &d->wagons[d->nwagons++];
	memset(w, 0, sizeof *w);
	w->position = position;
	w->wagon = decision_str(d, wagon);
	w->action = DECISION_RELEASE;
	return w;
}

/* Appends a hit, raising the wagon's action if it is more severe. */
struct decision_hit *
decision_hit_add(struct decision *d, struct decision_wagon *w,
    const char *rule, enum decision_action action,
    const struct decision_subject *subject, const char *reason,
    const char *would_pass_if)
{
	struct decision_hit	*h;

	if (w != NULL) {
		w->hits = arena_grow(d->arena, w->hits, &w->hits_cap,
		    w->nhits + 1, sizeof *w->hits);
		h = &w->hits[w->nhits++];
		if (action > w->action)
			w->action = action;
	} else {
		d->train_hits = arena_grow(d->arena, d->train_hits,
		    &d->train_hits_cap, d->ntrain_hits + 1, sizeof *d->train_hits);
		h = &d->train_hits[d->ntrain_hits++];
	}
	memset(h, 0, sizeof *h);
	h->rule = decision_str(d, rule);
	h->action = action;
	if (subject != NULL) {
		h->subject.wagon = decision_str(d, subject->wagon);
		h->subject.container = decision_str(d, subject->container);
		h->subject.consignment = decision_str(d, subject->consignment);
		h->subject.item = subject->item;
	}
	h->reason = decision_str(d, reason);
	h->would_pass_if = decision_str(d, would_pass_if);
	return h;
}

/* Adds a translation of h's reason (decision.h). */
void
decision_hit_add_reason(struct decision *d, struct decision_hit *h,
    const char *lang, const char *text)
{
	h->reasons = arena_grow(d->arena, h->reasons, &h->reasons_cap,
	    h->nreasons + 1, sizeof *h->reasons);
	h->reasons[h->nreasons].lang = decision_str(d, lang);
	h->reasons[h->nreasons++].text = decision_str(d, text);
}

bool
decision_action_sets_out(enum decision_action a)
{
	return a >= DECISION_INSPECT;
}

const char *
decision_action_name(enum decision_action a)
{
	return (unsigned)a < nitems(action_names) ? action_names[a] : "HOLD";
}

/* Exact, upper-case names only. */
int
decision_action_parse(const char *s, enum decision_action *out)
{
	size_t	i;

	for (i = 0; i < nitems(action_names); i++) {
		if (strcmp(s, action_names[i]) == 0) {
			*out = (enum decision_action)i;
			return 0;
		}
	}
	return -1;
}

const char *
decision_outcome_name(enum decision_outcome o)
{
	return (unsigned)o < nitems(outcome_names) ? outcome_names[o] : "HOLD";
}

int
decision_outcome_parse(const char *s, enum decision_outcome *out)
{
	size_t	i;

	for (i = 0; i < nitems(outcome_names); i++) {
		if (strcmp(s, outcome_names[i]) == 0) {
			*out = (enum decision_outcome)i;
			return 0;
		}
	}
	return -1;
}

/* Wagons by lane. */
/* decision.md's consolidation: train hits hold; else by releasable wagons. */
enum decision_outcome
decision_consolidate(const struct decision *d)
{
	size_t	i, releasable = 0;

	if (d->ntrain_hits > 0)
		return DECISION_OUTCOME_HOLD;
	for (i = 0; i < d->nwagons; i++)
		if (d->wagons[i].action <= DECISION_AUDIT)
			releasable++;
	if (releasable == 0)
		return DECISION_OUTCOME_HOLD;
	return releasable == d->nwagons ? DECISION_OUTCOME_RELEASE :
	    DECISION_OUTCOME_PARTIAL_RELEASE;
}

void
decision_lane_counts(const struct decision *d, struct decision_lane_counts *out)
{
	size_t	i;

	memset(out, 0, sizeof *out);
	for (i = 0; i < d->nwagons; i++) {
		switch (d->wagons[i].action) {
		case DECISION_RELEASE:
			out->released++;
			break;
		case DECISION_AUDIT:
			out->audit++;
			break;
		case DECISION_DOC_CHECK:
			out->doc_check++;
			break;
		default:
			out->set_out++;
			break;
		}
	}
}

/* {"wagon":..,"container":..} with the fields that apply. */
static void
write_subject(struct jsonw *w, const struct decision_subject *s)
{
	jsonw_key(w, "subject");
	jsonw_object_begin(w);
	jsonw_kv_string_opt(w, "wagon", s->wagon);
	jsonw_kv_string_opt(w, "container", s->container);
	jsonw_kv_string_opt(w, "consignment", s->consignment);
	if (s->item != 0)
		jsonw_kv_int(w, "item", s->item);
	jsonw_object_end(w);
}

/* "reasons": {"zh-Hans": "...", "ru": "..."}: the hit's translations. */
static void
write_reasons(struct jsonw *w, const struct decision_hit *h)
{
	size_t	k;

	jsonw_key(w, "reasons");
	jsonw_object_begin(w);
	for (k = 0; k < h->nreasons; k++)
		jsonw_kv_string(w, h->reasons[k].lang, h->reasons[k].text);
	jsonw_object_end(w);
}

/* An array of hits. */
static void
write_hits(struct jsonw *w, const struct decision_hit *v, size_t n)
{
	size_t	i;

	jsonw_array_begin(w);
	for (i = 0; i < n; i++) {
		jsonw_object_begin(w);
		jsonw_kv_string(w, "rule", v[i].rule);
		jsonw_kv_string(w, "action", decision_action_name(v[i].action));
		write_subject(w, &v[i].subject);
		jsonw_kv_string(w, "reason", v[i].reason);
		if (v[i].nreasons > 0)
			write_reasons(w, &v[i]);
		jsonw_kv_string_opt(w, "would_pass_if", v[i].would_pass_if);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* "counts": {...}. */
static void
write_counts(struct jsonw *w, const struct decision *d)
{
	struct decision_lane_counts	lanes;

	decision_lane_counts(d, &lanes);
	jsonw_key(w, "counts");
	jsonw_object_begin(w);
	jsonw_kv_int(w, "wagons", (int64_t)d->nwagons);
	jsonw_kv_int(w, "containers", (int64_t)d->ncontainers);
	jsonw_kv_int(w, "consignments", (int64_t)d->nconsignments);
	jsonw_kv_int(w, "items", (int64_t)d->nitems);
	jsonw_kv_int(w, "released", (int64_t)lanes.released);
	jsonw_kv_int(w, "audit", (int64_t)lanes.audit);
	jsonw_kv_int(w, "doc_check", (int64_t)lanes.doc_check);
	jsonw_kv_int(w, "set_out", (int64_t)lanes.set_out);
	jsonw_object_end(w);
}

/* "set_out": the wagons leaving the train, in train order. */
static void
write_set_out(struct jsonw *w, const struct decision *d)
{
	size_t	i;

	jsonw_key(w, "set_out");
	jsonw_array_begin(w);
	for (i = 0; i < d->nwagons; i++) {
		const struct decision_wagon *wg = &d->wagons[i];

		if (!decision_action_sets_out(wg->action))
			continue;
		jsonw_object_begin(w);
		jsonw_kv_string(w, "wagon", wg->wagon);
		jsonw_kv_int(w, "position", wg->position);
		jsonw_kv_string(w, "action", decision_action_name(wg->action));
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* The whole document. */
void
decision_json_write(const struct decision *d, unsigned flags, struct buf *out)
{
	struct jsonw	w;
	size_t		i;

	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "train", d->train);
	jsonw_kv_string(&w, "manifest_sha256", d->manifest_sha256);
	jsonw_key(&w, "ruleset");
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "name", d->ruleset_name);
	jsonw_kv_string(&w, "sha256", d->ruleset_sha256);
	jsonw_object_end(&w);
	jsonw_kv_string(&w, "decision", decision_outcome_name(d->outcome));
	jsonw_kv_bool(&w, "final", d->final);
	write_counts(&w, d);
	write_set_out(&w, d);
	jsonw_key(&w, "wagons");
	jsonw_array_begin(&w);
	for (i = 0; i < d->nwagons; i++) {
		const struct decision_wagon *wg = &d->wagons[i];

		jsonw_object_begin(&w);
		jsonw_kv_int(&w, "position", wg->position);
		jsonw_kv_string(&w, "wagon", wg->wagon);
		jsonw_kv_string(&w, "action", decision_action_name(wg->action));
		if (wg->nhits != 0) {
			jsonw_key(&w, "hits");
			write_hits(&w, wg->hits, wg->nhits);
		}
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "train_hits");
	write_hits(&w, d->train_hits, d->ntrain_hits);
	if (d->parcels.present) {
		jsonw_key(&w, "parcels");
		decision_parcels_json_write(d, &w);
	}
	jsonw_key(&w, "diagnostics");
	manifest_json_write_diags(&w, &d->diags);
	if (!(flags & DECISION_JSON_NO_TIMING)) {
		jsonw_key(&w, "timing");
		jsonw_object_begin(&w);
		jsonw_key(&w, "parse_ms");
		jsonw_double(&w, d->parse_ms);
		jsonw_key(&w, "evaluate_ms");
		jsonw_double(&w, d->evaluate_ms);
		jsonw_object_end(&w);
	}
	jsonw_object_end(&w);
}

/* [{"position":N,"action":"..."}...] in train order. */
void
decision_actions_json(const struct decision *d, struct buf *out)
{
	struct jsonw	w;
	size_t		i;

	jsonw_init(&w, out);
	jsonw_array_begin(&w);
	for (i = 0; i < d->nwagons; i++) {
		jsonw_object_begin(&w);
		jsonw_kv_int(&w, "position", d->wagons[i].position);
		jsonw_kv_string(&w, "action",
		    decision_action_name(d->wagons[i].action));
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
}
