/*
 * replay.h -- the replay's core, one code path for `railgate replay` and
 * the daemon's replays (POST /v1/replays): a stored decision compared with
 * the decision made again from what was stored with it (docs/replay.md).
 *
 * The caller reads the stored rows (db/replay.h) and hands them over as
 * plain data (struct replay_input, borrowed for the call); the rule sets
 * they name are fetched through the caller's function, once per hash, and
 * compiled here.  A check keeps the counts and every decision that is not
 * identical; its report is one JSON object, the one `--format json`
 * prints, which replay_report_text() writes as the text report.  One
 * thread at a time per check; a batch runs on rules_pool_run() threads.
 */
#ifndef ENGINE_REPLAY_H
#define ENGINE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct buf;
struct replay_check;

/* One stored decision and what it was made from; every pointer borrowed. */
struct replay_input {
	long long		 id;		/* decisions.id */
	long long		 train_id;
	const char		*train;		/* "X8024@1" */
	bool			 final;
	const char		*made_by;
	const char		*ruleset_sha256;
	const char		*document;	/* as stored */
	size_t			 document_len;
	const unsigned char	*raw_z;		/* provisional: stored bytes */
	size_t			 raw_z_len;
	const char		*events;	/* provisional: [{id,type,body}] */
	const char		*clearances;	/* provisional; NULL: none */
	long long		 base_id;	/* final: made from (0: none) */
	const char		*base;		/* final: that document */
	const char		*resolutions;	/* final: resolutions then */
};

/*
 * Fetches the stored rule set sha256: its name and zlib files (caller
 * frees both); 0, or -1 with *cause (caller frees).
 */
typedef int (*replay_ruleset_fn)(void *arg, const char *sha256, char **name,
    unsigned char **files_z, size_t *len, char **cause);

/* Counts so far; trains counts each run once. */
struct replay_counts {
	size_t	trains, decisions, provisional, finals;
	size_t	identical, different, failed;
};

/* A check on threads threads (0: every core); fetch(arg) gives rule sets. */
struct replay_check *replay_check_new(unsigned threads, replay_ruleset_fn fetch,
    void *arg);
void replay_check_free(struct replay_check *rc);

/*
 * Fetches and compiles the rule sets in[0..n) name that are not yet
 * cached (the fetch function is called from here only).
 */
void replay_check_prepare(struct replay_check *rc,
    const struct replay_input *in, size_t n);

/* Replays in[0..n) and counts them; in is borrowed for the call. */
void replay_check_batch(struct replay_check *rc, const struct replay_input *in,
    size_t n);

void replay_check_counts(struct replay_check *rc, struct replay_counts *out);

/*
 * The report (new reference): the counts, "seconds", "differences" (each
 * decision not identical: train, decision, kind, made_by, ruleset_sha256,
 * result, path/stored/replayed or error) and "audit" (intact, checked,
 * first_bad, reason).
 */
json_t *replay_check_report(struct replay_check *rc, double secs, bool intact,
    long long checked, long long first_bad, const char *reason);

/* The report as text, as `railgate replay` prints it, appended to out. */
void replay_report_text(const json_t *report, struct buf *out);

/* 0 when every decision is identical and the chain intact, else 1. */
int replay_report_status(const json_t *report);

#endif
