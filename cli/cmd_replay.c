/*
 * cmd_replay.c -- `railgate replay`: the auditor's proof that every stored
 * decision follows from what was stored with it (docs/replay.md).
 *
 * A provisional decision is made again from its inputs: the stored
 * manifest bytes parsed again, the rule set stored under the hash the
 * decision names (compiled from its exact files, once per hash), the
 * stored events up to the last one the evaluator applied, replayed in
 * order as the daemon replays them; the document written again is
 * compared with the stored one byte for byte, "timing" aside.  A final
 * decision is rebuilt from the decision it was made from and the
 * officers' resolutions at the time, as approval builds it.  Then the
 * audit chain is verified as the daemon verifies it.
 *
 * Decisions come from the database in batches by id; while the worker
 * threads (rules_pool_run: every core, the command's thread included)
 * replay one batch, the next is already being fetched.  A batch's rows
 * are read-only while the workers read them; each job writes only its own
 * result.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <jansson.h>

#include "db/replay.h"
#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/pool.h"
#include "rules/rules.h"

#include "cli/cmd.h"
#include "engine/decide.h"
#include "engine/ruleset.h"

#define REPLAY_BATCH		32	/* decisions per query */
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

/* One stored decision: its row (borrowed) and what the replay found. */
struct replay_job {
	const struct replay_rows	*rows;
	int				 row;
	const struct replay_ruleset	*rs;
	enum replay_status		 status;
	char				*path;		/* first difference */
	char				*stored;
	char				*replayed;
	char				*error;
};

struct replay {
	struct replay_db	*db;
	/* Each its own allocation: the jobs of a batch point at them. */
	struct replay_ruleset	**rulesets;
	size_t			 nrulesets;
	long long		*trains;
	size_t			 ntrains, trains_cap;
	size_t			 decisions, provisional, finals;
	size_t			 identical, different, failed;
	json_t			*report;	/* the differences, as JSON */
	bool			 json;
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
	const struct replay_rows	*r = j->rows;
	struct manifest_train		*t = NULL;
	struct decision			*dec = NULL;
	struct buf			 doc = { 0 };
	char				 sha256[65];
	double				 parse_ms;

	if (j->rs->rs == NULL)
		j->error = xstrdup(j->rs->why);
	else if (decide_parse_stored((const unsigned char *)replay_rows_value(r,
	    j->row, REPLAY_COL_RAW_Z), replay_rows_length(r, j->row,
	    REPLAY_COL_RAW_Z), &t, sha256, &parse_ms, &j->error) == 0 &&
	    (dec = decide_evaluate(j->rs->rs, t, replay_rows_value(r, j->row,
	    REPLAY_COL_EVENTS), replay_rows_value(r, j->row,
	    REPLAY_COL_CLEARANCES), 1, NULL, &j->error)) != NULL) {
		memcpy(dec->manifest_sha256, sha256, sizeof sha256);
		decision_json_write(dec, DECISION_JSON_NO_TIMING, &doc);
		compare(j, replay_rows_value(r, j->row, REPLAY_COL_DOCUMENT),
		    replay_rows_length(r, j->row, REPLAY_COL_DOCUMENT), &doc);
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
	const struct replay_rows	*r = j->rows;
	const char			*base;
	struct decision			*d;
	struct buf			 doc = { 0 };

	base = replay_rows_value(r, j->row, REPLAY_COL_BASE);
	if (base == NULL) {
		j->error = xstrdup("no earlier decision to have been made from");
		j->status = REPLAY_FAILED;
		return;
	}
	if ((d = decide_final(base, replay_rows_value(r, j->row,
	    REPLAY_COL_RESOLUTIONS), &j->error)) == NULL) {
		j->status = REPLAY_FAILED;
		return;
	}
	decision_json_write(d, DECISION_JSON_NO_TIMING, &doc);
	compare(j, replay_rows_value(r, j->row, REPLAY_COL_DOCUMENT),
	    replay_rows_length(r, j->row, REPLAY_COL_DOCUMENT), &doc);
	buf_free(&doc);
	decision_free(d);
}

/* Worker: one decision. */
static void
replay_work(void *arg, size_t i)
{
	struct replay_job	*j = &((struct replay_job *)arg)[i];

	if (strcmp(replay_rows_value(j->rows, j->row, REPLAY_COL_FINAL),
	    "true") == 0)
		replay_final(j);
	else
		replay_provisional(j);
}

/* The compiled rule set stored under sha256, from the cache or the store. */
static const struct replay_ruleset *
ruleset_get(struct replay *rp, const char *sha256)
{
	struct replay_ruleset	*c;
	unsigned char		*z = NULL;
	char			*name = NULL, *cause = NULL;
	size_t			 i, zlen = 0;

	for (i = 0; i < rp->nrulesets; i++)
		if (strcmp(rp->rulesets[i]->sha256, sha256) == 0)
			return rp->rulesets[i];
	rp->rulesets = xreallocarray(rp->rulesets, rp->nrulesets + 1,
	    sizeof *rp->rulesets);
	c = rp->rulesets[rp->nrulesets++] = xcalloc(1, sizeof *c);
	snprintf(c->sha256, sizeof c->sha256, "%s", sha256);
	if (replay_db_ruleset(rp->db, sha256, &name, &z, &zlen, &cause) < 0) {
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
train_seen(struct replay *rp, long long id)
{
	if (rp->ntrains > 0 && rp->trains[rp->ntrains - 1] == id)
		return;
	if (rp->ntrains == rp->trains_cap) {
		rp->trains_cap = rp->trains_cap == 0 ? 256 : rp->trains_cap * 2;
		rp->trains = xreallocarray(rp->trains, rp->trains_cap,
		    sizeof *rp->trains);
	}
	rp->trains[rp->ntrains++] = id;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The distinct runs seen. */
static size_t
trains_count(struct replay *rp)
{
	size_t	i, n = 0;

	qsort(rp->trains, rp->ntrains, sizeof *rp->trains, cmp_ll);
	for (i = 0; i < rp->ntrains; i++)
		if (i == 0 || rp->trains[i] != rp->trains[i - 1])
			n++;
	return n;
}

/* Counts a replayed decision and records it when it is not identical. */
static void
replay_record(struct replay *rp, struct replay_job *j)
{
	const struct replay_rows	*r = j->rows;
	const char			*train, *rs;
	bool				 final;
	json_t				*o;

	final = strcmp(replay_rows_value(r, j->row, REPLAY_COL_FINAL),
	    "true") == 0;
	train_seen(rp, atoll(replay_rows_value(r, j->row, REPLAY_COL_TRAIN_ID)));
	rp->decisions++;
	if (final)
		rp->finals++;
	else
		rp->provisional++;
	if (j->status == REPLAY_IDENTICAL) {
		rp->identical++;
		return;
	}
	if (j->status == REPLAY_DIFFERENT)
		rp->different++;
	else
		rp->failed++;
	train = replay_rows_value(r, j->row, REPLAY_COL_TRAIN);
	rs = replay_rows_value(r, j->row, REPLAY_COL_RULESET);
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "train", train,
	    "decision", (json_int_t)atoll(replay_rows_value(r, j->row,
	    REPLAY_COL_ID)), "kind", final ? "final" : "provisional",
	    "made_by", replay_rows_value(r, j->row, REPLAY_COL_MADE_BY),
	    "ruleset_sha256", rs, "result",
	    j->status == REPLAY_DIFFERENT ? "different" : "failed");
	if (j->status == REPLAY_DIFFERENT) {
		json_object_set_new(o, "path", json_string(j->path));
		json_object_set_new(o, "stored", json_string(j->stored));
		json_object_set_new(o, "replayed", json_string(j->replayed));
	} else
		json_object_set_new(o, "error", json_string(j->error));
	if (final && replay_rows_value(r, j->row, REPLAY_COL_BASE_ID) != NULL)
		json_object_set_new(o, "made_from", json_integer(atoll(
		    replay_rows_value(r, j->row, REPLAY_COL_BASE_ID))));
	json_array_append_new(rp->report, o);
}

static void
job_clear(struct replay_job *j)
{
	free(j->path);
	free(j->stored);
	free(j->replayed);
	free(j->error);
}

/*
 * Replays every selected decision, batch by batch, the next batch fetched
 * while this one is replayed.  0, or -1 with *cause (database trouble).
 */
static int
replay_all(struct replay *rp, enum replay_select sel, const char *arg,
    char **cause)
{
	struct replay_rows	*rows, *next;
	struct replay_job	*jobs;
	long long		 last;
	int			 n, i;

	if (replay_db_decisions_send(rp->db, sel, arg, 0, REPLAY_BATCH,
	    cause) < 0)
		return -1;
	if ((rows = replay_db_decisions_wait(rp->db, cause)) == NULL)
		return -1;
	while ((n = replay_rows_count(rows)) > 0) {
		jobs = xcalloc((size_t)n, sizeof *jobs);
		for (i = 0; i < n; i++) {
			jobs[i].rows = rows;
			jobs[i].row = i;
			jobs[i].rs = ruleset_get(rp, replay_rows_value(rows, i,
			    REPLAY_COL_RULESET));
		}
		last = atoll(replay_rows_value(rows, n - 1, REPLAY_COL_ID));
		next = NULL;
		if (n == REPLAY_BATCH && replay_db_decisions_send(rp->db, sel,
		    arg, last, REPLAY_BATCH, cause) < 0) {
			free(jobs);
			replay_rows_free(rows);
			return -1;
		}
		rules_pool_run(rp->threads, (size_t)n, replay_work, jobs);
		for (i = 0; i < n; i++) {
			replay_record(rp, &jobs[i]);
			job_clear(&jobs[i]);
		}
		free(jobs);
		replay_rows_free(rows);
		if (n < REPLAY_BATCH)
			return 0;
		if ((next = replay_db_decisions_wait(rp->db, cause)) == NULL)
			return -1;
		rows = next;
	}
	replay_rows_free(rows);
	return 0;
}

/* The report in text: counts, each difference, the audit chain. */
static void
print_text(struct replay *rp, size_t trains, double secs, bool intact,
    long long checked, long long first_bad, const char *reason)
{
	json_t	*o;
	size_t	 i;

	if (rp->different == 0 && rp->failed == 0)
		printf("replay: %zu trains, %zu decisions, all identical, %.1f s\n",
		    trains, rp->decisions, secs);
	else
		printf("replay: %zu trains, %zu decisions, %zu identical, "
		    "%zu different, %zu failed, %.1f s\n", trains, rp->decisions,
		    rp->identical, rp->different, rp->failed, secs);
	printf("  %zu provisional decisions evaluated again, %zu final decisions "
	    "rebuilt from their officers' resolutions\n", rp->provisional,
	    rp->finals);
	json_array_foreach(rp->report, i, o) {
		if (i == REPLAY_SHOW_MAX) {
			printf("... and %zu more\n", json_array_size(rp->report) - i);
			break;
		}
		printf("%s: %s decision %lld of train %s (rule set %.12s)",
		    json_string_value(json_object_get(o, "result")),
		    json_string_value(json_object_get(o, "kind")),
		    (long long)json_integer_value(json_object_get(o, "decision")),
		    json_string_value(json_object_get(o, "train")),
		    json_string_value(json_object_get(o, "ruleset_sha256")));
		if (json_object_get(o, "error") != NULL) {
			printf(": %s\n", json_string_value(json_object_get(o,
			    "error")));
			continue;
		}
		printf("\n  first difference at %s\n    stored:   %s\n"
		    "    replayed: %s\n",
		    json_string_value(json_object_get(o, "path")),
		    json_string_value(json_object_get(o, "stored")),
		    json_string_value(json_object_get(o, "replayed")));
	}
	if (intact)
		printf("audit chain: intact, %lld records checked\n", checked);
	else
		printf("audit chain: BROKEN at record %lld (%s); the %lld "
		    "records before it verify\n", first_bad, reason != NULL ?
		    reason : "?", checked);
}

/* The report in JSON: counts, the differences, the audit chain. */
static void
print_json(struct replay *rp, size_t trains, double secs, bool intact,
    long long checked, long long first_bad, const char *reason)
{
	json_t	*o;

	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:O, "
	    "s:{s:b, s:I, s:o, s:o}}",
	    "trains", (json_int_t)trains,
	    "decisions", (json_int_t)rp->decisions,
	    "provisional", (json_int_t)rp->provisional,
	    "final", (json_int_t)rp->finals,
	    "identical", (json_int_t)rp->identical,
	    "different", (json_int_t)rp->different,
	    "failed", (json_int_t)rp->failed, "seconds", secs,
	    "differences", rp->report, "audit", "intact", intact,
	    "checked", (json_int_t)checked, "first_bad", intact ?
	    json_null() : json_integer(first_bad), "reason",
	    reason != NULL ? json_string(reason) : json_null());
	json_dumpf(o, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(o);
}

/* Frees what rp holds and closes its database. */
static void
replay_clear(struct replay *rp)
{
	size_t	i;

	json_decref(rp->report);
	for (i = 0; i < rp->nrulesets; i++) {
		rules_ruleset_unref(rp->rulesets[i]->rs);
		free(rp->rulesets[i]->why);
		free(rp->rulesets[i]);
	}
	free(rp->rulesets);
	free(rp->trains);
	replay_db_close(rp->db);
}

static void
replay_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate replay --dsn DSN [--train ID | --since DATE | --all]\n"
	    "                       [--format text|json] [--threads N]\n"
	    "Evaluates every stored decision of the selected train runs again "
	    "from its\nstored inputs and compares it with the stored document; "
	    "verifies the audit\nchain.  ID: X8024 (every run) or X8024@2.  "
	    "Exit 0 when all are identical\nand the chain is intact, 1 "
	    "otherwise.\n");
}

int
cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dsn", required_argument, NULL, 'd' },
		{ "train", required_argument, NULL, 't' },
		{ "since", required_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay		 rp = { 0 };
	enum replay_select	 sel = REPLAY_ALL;
	struct timespec		 t0, t1;
	const char		*dsn = NULL, *arg = NULL;
	char			*cause = NULL, *reason = NULL;
	bool			 intact = false;
	long long		 checked = 0, first_bad = 0;
	int			 ch, nsel = 0, rc;
	size_t			 trains;
	double			 secs;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:t:s:af:j:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd': dsn = optarg; break;
		case 't': sel = REPLAY_TRAIN; arg = optarg; nsel++; break;
		case 's': sel = REPLAY_SINCE; arg = optarg; nsel++; break;
		case 'a': sel = REPLAY_ALL; nsel++; break;
		case 'f':
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0) {
				replay_usage(stderr);
				return EX_USAGE;
			}
			rp.json = strcmp(optarg, "json") == 0;
			break;
		case 'j': rp.threads = (unsigned)atoi(optarg); break;
		case 'h': replay_usage(stdout); return 0;
		default: replay_usage(stderr); return EX_USAGE;
		}
	}
	if (dsn == NULL || nsel != 1 || optind != argc) {
		cmd_warnx("replay", dsn == NULL ? "--dsn is required" :
		    "give one of --train, --since or --all");
		replay_usage(stderr);
		return EX_USAGE;
	}
	if ((rp.db = replay_db_open(dsn, &cause)) == NULL) {
		cmd_warnx("replay", "%s", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	rp.report = json_array();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = replay_all(&rp, sel, arg, &cause);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == 0)
		rc = replay_db_audit_verify(rp.db, &intact, &checked, &first_bad,
		    &reason, &cause);
	if (rc < 0) {
		cmd_warnx("replay", "%s", cause);
		free(cause);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	trains = trains_count(&rp);
	if (rp.json)
		print_json(&rp, trains, secs, intact, checked, first_bad, reason);
	else
		print_text(&rp, trains, secs, intact, checked, first_bad, reason);
	rc = rp.different == 0 && rp.failed == 0 && intact ? 0 : 1;
out:
	free(reason);
	replay_clear(&rp);
	return rc;
}
