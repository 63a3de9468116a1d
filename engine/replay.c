/*
 * replay.c -- the replay's core (replay.h), shared by `railgate replay`
 * (cli/cmd_replay.c) and the daemon's replays (daemon/replays.c).
 *
 * A provisional decision is made again from its inputs: the stored
 * manifest bytes parsed again, the rule set stored under the hash the
 * decision names (compiled from its exact files, once per hash), the
 * stored events up to the last one the evaluator applied, replayed in
 * order as the daemon replays them; the document written again is
 * compared with the stored one byte for byte, "timing" aside.  A final
 * decision is rebuilt from the decision it was made from and the
 * officers' resolutions at the time, as approval builds it.
 *
 * A batch's inputs are read-only while the worker threads read them; each
 * job writes only its own result, and the counts are kept by the caller's
 * thread after the batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/pool.h"
#include "rules/rules.h"

#include "engine/decide.h"
#include "engine/replay.h"
#include "engine/ruleset.h"

#define REPLAY_SHOW_MAX		100	/* differences printed in full */
#define REPLAY_VALUE_MAX	300	/* bytes of a value shown */

enum replay_status {
	REPLAY_IDENTICAL,
	REPLAY_DIFFERENT,
	REPLAY_FAILED,		/* could not be replayed: damaged input */
};

/* A compiled rule set by hash; rs NULL with why when it cannot be had. */
struct replay_ruleset {
	char			 sha256[65];
	struct rules_ruleset	*rs;
	char			*why;
};

/* One stored decision (borrowed) and what the replay found. */
struct replay_job {
	const struct replay_input	*in;
	const struct replay_ruleset	*rs;
	enum replay_status		 status;
	char				*path;		/* first difference */
	char				*stored;
	char				*replayed;
	char				*error;
};

struct replay_check {
	replay_ruleset_fn	 fetch;
	void			*fetch_arg;
	/* Each its own allocation: the jobs of a batch point at them. */
	struct replay_ruleset	**rulesets;
	size_t			 nrulesets;
	long long		*trains;
	size_t			 ntrains, trains_cap;
	struct replay_counts	 n;
	json_t			*report;	/* the differences, as JSON */
	unsigned		 threads;
};

/* A value as the report shows it: compact JSON, cut short. */
static char *
show_value(const json_t *v)
{
	char	*s, *cut;

	if (v == NULL)
		return xstrdup("(absent)");
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s != NULL && strlen(s) > REPLAY_VALUE_MAX) {
		cut = xasprintf("%.*s...", REPLAY_VALUE_MAX, s);
		free(s);
		return cut;
	}
	return s != NULL ? s : xstrdup("?");
}

/*
 * The first place where a and b differ, members in a's order then b's
 * extra ones, array elements by index: its path into path, both values.
 * true when found.
 */
static bool
json_first_difference(const json_t *a, const json_t *b, struct buf *path,
    char **va, char **vb)
{
	const char	*key;
	json_t		*x;
	size_t		 i, mark = path->len;

	if (json_typeof(a) != json_typeof(b) || (!json_is_object(a) &&
	    !json_is_array(a) && !json_equal(a, b))) {
		*va = show_value(a);
		*vb = show_value(b);
		return true;
	}
	if (json_is_object(a)) {
		json_object_foreach((json_t *)a, key, x) {
			buf_printf(path, ".%s", key);
			if (json_object_get(b, key) == NULL) {
				*va = show_value(x);
				*vb = show_value(NULL);
				return true;
			}
			if (json_first_difference(x, json_object_get(b, key), path,
			    va, vb))
				return true;
			path->len = mark;
		}
		json_object_foreach((json_t *)b, key, x) {
			if (json_object_get(a, key) == NULL) {
				buf_printf(path, ".%s", key);
				*va = show_value(NULL);
				*vb = show_value(x);
				return true;
			}
		}
		return false;
	}
	if (json_is_array(a)) {
		for (i = 0; i < json_array_size(a) || i < json_array_size(b); i++) {
			buf_printf(path, "[%zu]", i);
			if (i >= json_array_size(a) || i >= json_array_size(b)) {
				*va = show_value(json_array_get(a, i));
				*vb = show_value(json_array_get(b, i));
				return true;
			}
			if (json_first_difference(json_array_get(a, i),
			    json_array_get(b, i), path, va, vb))
				return true;
			path->len = mark;
		}
	}
	return false;
}

/*
 * The stored document without its "timing" member, the last one the
 * writer writes: ,"timing":{...}} at the very end, with nothing nested.
 * Anything else is left as it is (and will differ).
 */
static void
without_timing(const char *doc, size_t len, struct buf *out)
{
	static const char	 key[] = ",\"timing\":{";
	const char		*p = NULL, *q;

	for (q = doc; (q = memmem(q, len - (size_t)(q - doc), key,
	    sizeof key - 1)) != NULL; q++)
		p = q;
	if (p != NULL && len >= 2 && memcmp(doc + len - 2, "}}", 2) == 0 &&
	    memchr(p + sizeof key - 1, '{', (size_t)(doc + len - 2 -
	    (p + sizeof key - 1))) == NULL &&
	    memchr(p + sizeof key - 1, '}', (size_t)(doc + len - 2 -
	    (p + sizeof key - 1))) == NULL) {
		buf_add(out, doc, (size_t)(p - doc));
		buf_add(out, "}", 1);
		return;
	}
	buf_add(out, doc, len);
}

/* Compares the stored document (timing removed) with the replayed one. */
static void
compare(struct replay_job *j, const char *stored, size_t stored_len,
    const struct buf *replayed)
{
	struct buf	 s = { 0 }, path = { 0 };
	json_t		*a, *b;
	size_t		 i;

	without_timing(stored, stored_len, &s);
	if (s.len == replayed->len && memcmp(s.data, replayed->data, s.len) == 0) {
		j->status = REPLAY_IDENTICAL;
		buf_free(&s);
		return;
	}
	j->status = REPLAY_DIFFERENT;
	a = json_loadb(s.data, s.len, JSON_DECODE_ANY, NULL);
	b = json_loadb(replayed->data, replayed->len, JSON_DECODE_ANY, NULL);
	buf_add(&path, "$", 1);
	if (a == NULL || b == NULL || !json_first_difference(a, b, &path,
	    &j->stored, &j->replayed)) {
		/* The same JSON written differently: the first byte apart. */
		for (i = 0; i < s.len && i < replayed->len &&
		    s.data[i] == replayed->data[i]; i++)
			;
		buf_printf(&path, " (byte %zu)", i);
		j->stored = xasprintf("%.40s", s.data + (i < s.len ? i : s.len));
		j->replayed = xasprintf("%.40s", replayed->data +
		    (i < replayed->len ? i : replayed->len));
	}
	j->path = buf_steal(&path, NULL);
	json_decref(a);
	json_decref(b);
	buf_free(&s);
}

/* A provisional decision made again from the stored bytes and events. */
static void
replay_provisional(struct replay_job *j)
{
	const struct replay_input	*r = j->in;
	struct manifest_train		*t = NULL;
	struct decision			*dec = NULL;
	struct rules_eval_options	 opt = { .threads = 1 };
	struct buf			 doc = { 0 };
	char				 sha256[65];
	double				 parse_ms;

	opt.parcel_setaside = decide_document_sets_aside(r->document,
	    r->document_len);
	if (j->rs->rs == NULL)
		j->error = xstrdup(j->rs->why);
	else if (decide_parse_stored(r->raw_z, r->raw_z_len, &t, sha256,
	    &parse_ms, &j->error) == 0 && (dec = decide_evaluate(j->rs->rs, t,
	    r->events, r->clearances, &opt, NULL, &j->error)) != NULL) {
		memcpy(dec->manifest_sha256, sha256, sizeof sha256);
		decision_json_write(dec, DECISION_JSON_NO_TIMING, &doc);
		compare(j, r->document, r->document_len, &doc);
	}
	if (j->error != NULL)
		j->status = REPLAY_FAILED;
	buf_free(&doc);
	decision_free(dec);
	manifest_train_free(t);
}

/*
 * A final decision rebuilt as approval builds it (decide_final(), shared
 * with api_officers.c): the decision it was made from, with the wagons'
 * resolutions applied.
 */
static void
replay_final(struct replay_job *j)
{
	const struct replay_input	*r = j->in;
	struct decision			*d;
	struct buf			 doc = { 0 };

	if (r->base == NULL) {
		j->error = xstrdup("no earlier decision to have been made from");
		j->status = REPLAY_FAILED;
		return;
	}
	if ((d = decide_final(r->base, r->resolutions, &j->error)) == NULL) {
		j->status = REPLAY_FAILED;
		return;
	}
	decision_json_write(d, DECISION_JSON_NO_TIMING, &doc);
	compare(j, r->document, r->document_len, &doc);
	buf_free(&doc);
	decision_free(d);
}

/* Worker: one decision. */
static void
replay_work(void *arg, size_t i)
{
	struct replay_job	*j = &((struct replay_job *)arg)[i];

	if (j->in->final)
		replay_final(j);
	else
		replay_provisional(j);
}

/* The compiled rule set stored under sha256, from the cache or the store. */
static const struct replay_ruleset *
ruleset_get(struct replay_check *rc, const char *sha256)
{
	struct replay_ruleset	*c;
	unsigned char		*z = NULL;
	char			*name = NULL, *cause = NULL;
	size_t			 i, zlen = 0;

	for (i = 0; i < rc->nrulesets; i++)
		if (strcmp(rc->rulesets[i]->sha256, sha256) == 0)
			return rc->rulesets[i];
	rc->rulesets = xreallocarray(rc->rulesets, rc->nrulesets + 1,
	    sizeof *rc->rulesets);
	c = rc->rulesets[rc->nrulesets++] = xcalloc(1, sizeof *c);
	snprintf(c->sha256, sizeof c->sha256, "%s", sha256);
	if (rc->fetch(rc->fetch_arg, sha256, &name, &z, &zlen, &cause) < 0) {
		c->why = xasprintf("rule set %.12s: %s", sha256, cause);
		free(cause);
		return c;
	}
	if ((c->rs = ruleset_compile_stored(name, z, zlen, &cause)) == NULL) {
		c->why = xasprintf("rule set %.12s: %s", sha256, cause);
		free(cause);
	} else if (strcmp(rules_ruleset_hash(c->rs), sha256) != 0) {
		c->why = xasprintf("rule set %.12s: its stored files hash to "
		    "%.12s", sha256, rules_ruleset_hash(c->rs));
		rules_ruleset_unref(c->rs);
		c->rs = NULL;
	}
	free(name);
	free(z);
	return c;
}

/* A run counted once however many of its decisions are replayed. */
static void
train_seen(struct replay_check *rc, long long id)
{
	size_t	i;

	for (i = rc->ntrains; i > 0 && i + 8 > rc->ntrains; i--)
		if (rc->trains[i - 1] == id)
			return;
	if (rc->ntrains == rc->trains_cap) {
		rc->trains_cap = rc->trains_cap == 0 ? 256 : rc->trains_cap * 2;
		rc->trains = xreallocarray(rc->trains, rc->trains_cap,
		    sizeof *rc->trains);
	}
	rc->trains[rc->ntrains++] = id;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The distinct runs seen (the list sorted and made unique in place). */
static size_t
trains_count(struct replay_check *rc)
{
	size_t	i, n = 0;

	if (rc->ntrains == 0)
		return 0;
	qsort(rc->trains, rc->ntrains, sizeof *rc->trains, cmp_ll);
	for (i = 0; i < rc->ntrains; i++)
		if (i == 0 || rc->trains[i] != rc->trains[n - 1])
			rc->trains[n++] = rc->trains[i];
	rc->ntrains = n;
	return n;
}

/* Counts a replayed decision and records it when it is not identical. */
static void
replay_record(struct replay_check *rc, struct replay_job *j)
{
	const struct replay_input	*r = j->in;
	json_t				*o;

	train_seen(rc, r->train_id);
	rc->n.decisions++;
	if (r->final)
		rc->n.finals++;
	else
		rc->n.provisional++;
	if (j->status == REPLAY_IDENTICAL) {
		rc->n.identical++;
		return;
	}
	if (j->status == REPLAY_DIFFERENT)
		rc->n.different++;
	else
		rc->n.failed++;
	o = json_pack("{s:s, s:I, s:s, s:s?, s:s, s:s}", "train", r->train,
	    "decision", (json_int_t)r->id, "kind", r->final ? "final" :
	    "provisional", "made_by", r->made_by, "ruleset_sha256",
	    r->ruleset_sha256, "result",
	    j->status == REPLAY_DIFFERENT ? "different" : "failed");
	if (j->status == REPLAY_DIFFERENT) {
		json_object_set_new(o, "path", json_string(j->path));
		json_object_set_new(o, "stored", json_string(j->stored));
		json_object_set_new(o, "replayed", json_string(j->replayed));
	} else
		json_object_set_new(o, "error", json_string(j->error));
	if (r->final && r->base_id != 0)
		json_object_set_new(o, "made_from", json_integer(r->base_id));
	json_array_append_new(rc->report, o);
}

static void
job_clear(struct replay_job *j)
{
	free(j->path);
	free(j->stored);
	free(j->replayed);
	free(j->error);
}

struct replay_check *
replay_check_new(unsigned threads, replay_ruleset_fn fetch, void *arg)
{
	struct replay_check	*rc = xcalloc(1, sizeof *rc);

	rc->threads = threads;
	rc->fetch = fetch;
	rc->fetch_arg = arg;
	rc->report = json_array();
	return rc;
}

void
replay_check_free(struct replay_check *rc)
{
	size_t	i;

	if (rc == NULL)
		return;
	json_decref(rc->report);
	for (i = 0; i < rc->nrulesets; i++) {
		rules_ruleset_unref(rc->rulesets[i]->rs);
		free(rc->rulesets[i]->why);
		free(rc->rulesets[i]);
	}
	free(rc->rulesets);
	free(rc->trains);
	free(rc);
}

void
replay_check_prepare(struct replay_check *rc, const struct replay_input *in,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		(void)ruleset_get(rc, in[i].ruleset_sha256);
}

void
replay_check_batch(struct replay_check *rc, const struct replay_input *in,
    size_t n)
{
	struct replay_job	*jobs;
	size_t			 i;

	if (n == 0)
		return;
	jobs = xcalloc(n, sizeof *jobs);
	for (i = 0; i < n; i++) {
		jobs[i].in = &in[i];
		jobs[i].rs = ruleset_get(rc, in[i].ruleset_sha256);
	}
	rules_pool_run(rc->threads, n, replay_work, jobs);
	for (i = 0; i < n; i++) {
		replay_record(rc, &jobs[i]);
		job_clear(&jobs[i]);
	}
	free(jobs);
}

void
replay_check_counts(struct replay_check *rc, struct replay_counts *out)
{
	rc->n.trains = trains_count(rc);
	*out = rc->n;
}

json_t *
replay_check_report(struct replay_check *rc, double secs, bool intact,
    long long checked, long long first_bad, const char *reason)
{
	struct replay_counts	n;

	replay_check_counts(rc, &n);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:O, "
	    "s:{s:b, s:I, s:o, s:o}}",
	    "trains", (json_int_t)n.trains,
	    "decisions", (json_int_t)n.decisions,
	    "provisional", (json_int_t)n.provisional,
	    "final", (json_int_t)n.finals,
	    "identical", (json_int_t)n.identical,
	    "different", (json_int_t)n.different,
	    "failed", (json_int_t)n.failed, "seconds", secs,
	    "differences", rc->report, "audit", "intact", intact,
	    "checked", (json_int_t)checked, "first_bad", intact ?
	    json_null() : json_integer(first_bad), "reason",
	    reason != NULL ? json_string(reason) : json_null());
}

static long long
num(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static const char *
text(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "?";
}

/* The noun for n of it: one or many. */
static const char *
noun(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* One difference or failure, as the text report shows it. */
static void
text_difference(const json_t *o, struct buf *out)
{
	buf_printf(out, "%s: %s decision %lld of train %s (rule set %.12s)",
	    text(o, "result"), text(o, "kind"), num(o, "decision"),
	    text(o, "train"), text(o, "ruleset_sha256"));
	if (json_object_get(o, "error") != NULL) {
		buf_printf(out, ": %s\n", text(o, "error"));
		return;
	}
	buf_printf(out, "\n  first difference at %s\n    stored:   %s\n"
	    "    replayed: %s\n", text(o, "path"), text(o, "stored"),
	    text(o, "replayed"));
}

void
replay_report_text(const json_t *report, struct buf *out)
{
	const json_t	*a = json_object_get(report, "audit"), *o;
	const json_t	*diffs = json_object_get(report, "differences");
	double		 secs = json_number_value(json_object_get(report,
			    "seconds"));
	size_t		 i;

	buf_printf(out, "replay: %lld %s, %lld %s, ", num(report, "trains"),
	    noun(num(report, "trains"), "train", "trains"),
	    num(report, "decisions"), noun(num(report, "decisions"),
	    "decision", "decisions"));
	if (num(report, "different") == 0 && num(report, "failed") == 0)
		buf_printf(out, "all identical, %.1f s\n", secs);
	else
		buf_printf(out, "%lld identical, %lld different, %lld failed, "
		    "%.1f s\n", num(report, "identical"),
		    num(report, "different"), num(report, "failed"), secs);
	buf_printf(out, "  %lld provisional %s evaluated again, %lld final %s "
	    "rebuilt from their officers' resolutions\n",
	    num(report, "provisional"), noun(num(report, "provisional"),
	    "decision", "decisions"), num(report, "final"),
	    noun(num(report, "final"), "decision", "decisions"));
	json_array_foreach(diffs, i, o) {
		if (i == REPLAY_SHOW_MAX) {
			buf_printf(out, "... and %zu more\n",
			    json_array_size(diffs) - i);
			break;
		}
		text_difference(o, out);
	}
	if (json_is_true(json_object_get(a, "intact")))
		buf_printf(out, "audit chain: intact, %lld %s checked\n",
		    num(a, "checked"), noun(num(a, "checked"), "record",
		    "records"));
	else
		buf_printf(out, "audit chain: BROKEN at record %lld (%s); the "
		    "%lld %s before it %s\n", num(a, "first_bad"),
		    text(a, "reason"), num(a, "checked"), noun(num(a, "checked"),
		    "record", "records"), noun(num(a, "checked"), "verifies",
		    "verify"));
}

int
replay_report_status(const json_t *report)
{
	return num(report, "different") == 0 && num(report, "failed") == 0 &&
	    json_is_true(json_object_get(json_object_get(report, "audit"),
	    "intact")) ? 0 : 1;
}
