/*
 * replay.h -- blocking reads for the auditor's commands (`railgate replay`,
 * `railgate report`): the stored decisions with what each was made from,
 * the stored rule sets, the audit chain's verification and one train's
 * record.  A connection of its own, opened by the command; never on the
 * daemon's loop.  Rows are read-only once returned, so worker threads may
 * read them while the command's thread waits for the next batch.
 */
#ifndef DB_REPLAY_H
#define DB_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

struct replay_db;
struct replay_input;
struct replay_rows;

/* Which train runs a replay covers. */
enum replay_select {
	REPLAY_ALL,
	REPLAY_TRAIN,		/* arg: "X8024" (every run) or "X8024@2" */
	REPLAY_SINCE,		/* arg: a date or timestamp; runs created since */
	REPLAY_TRAINS,		/* arg: a JSON array of such train ids */
	REPLAY_PERIOD,		/* arg: {"since": ..., "until": ...}, either
				   absent: runs created in [since, until) */
};

/* Columns of replay_db_decisions' rows (all text, raw_z bytes). */
enum replay_col {
	REPLAY_COL_ID,			/* decisions.id */
	REPLAY_COL_TRAIN_ID,
	REPLAY_COL_TRAIN,		/* "X8024@1" */
	REPLAY_COL_FINAL,		/* "t" / "f" */
	REPLAY_COL_MADE_BY,
	REPLAY_COL_RULESET,		/* sha256 */
	REPLAY_COL_DOCUMENT,		/* the stored document, as stored */
	REPLAY_COL_MANIFEST_SHA256,
	REPLAY_COL_RAW_Z,		/* provisional only: the stored bytes */
	REPLAY_COL_EVENTS,		/* provisional: [{id,type,body}] applied */
	REPLAY_COL_BASE_ID,		/* final: the decision it was built from */
	REPLAY_COL_BASE,		/* final: that decision's document */
	REPLAY_COL_RESOLUTIONS,		/* final: [{position,action}] then */
	REPLAY_COL_CLEARANCES,		/* provisional: the clearances applied
					   (docs/screening.md); NULL: none */
};

/* Connects to dsn; NULL with *cause (caller frees). */
struct replay_db *replay_db_open(const char *dsn, char **cause);
void replay_db_close(struct replay_db *db);

/*
 * Sends the query for up to limit decisions with id > after of the
 * selected runs, in id order; replay_db_decisions_wait() returns them
 * (NULL with *cause).  One query in flight at a time: the caller works
 * on the previous batch meanwhile.
 */
int replay_db_decisions_send(struct replay_db *db, enum replay_select sel,
    const char *arg, long long after, int limit, char **cause);
struct replay_rows *replay_db_decisions_wait(struct replay_db *db,
    char **cause);

/* The stored rule set: its name and zlib files (caller frees); 0 or -1. */
int replay_db_ruleset(struct replay_db *db, const char *sha256, char **name,
    unsigned char **files_z, size_t *len, char **cause);

/*
 * The daemon's verification of the audit chain (audit_verify()): *intact,
 * how many records were checked, the first bad one and why (caller frees).
 * 0, or -1 when it could not be run.
 */
int replay_db_audit_verify(struct replay_db *db, bool *intact,
    long long *checked, long long *first_bad, char **reason, char **cause);

/*
 * One train run's record for the auditor's report, as a JSON object
 * (caller frees): the run, its manifest, decisions, events, officer
 * actions, notices, neighbour messages and audit records.  NULL with
 * *cause (no such train: *cause says so).
 */
char *replay_db_train_record(struct replay_db *db, const char *id,
    char **cause);

/*
 * Replays every selected decision through check (engine/replay.h), batch
 * by batch, the next batch fetched while this one is replayed; after each
 * batch progress(arg) is called (NULL: not) and may stop the run by
 * returning -1 with *cause.  0, or -1 with *cause (database trouble).
 * The calling thread blocks throughout.
 */
struct replay_check;
typedef int (*replay_progress_fn)(void *arg, struct replay_check *check,
    char **cause);
int replay_db_run(struct replay_db *db, enum replay_select sel,
    const char *arg, struct replay_check *check, replay_progress_fn progress,
    void *progress_arg, char **cause);

/* How many decisions the selection holds: 0, or -1 with *cause. */
int replay_db_count(struct replay_db *db, enum replay_select sel,
    const char *arg, long long *n, char **cause);

/*
 * The daemon's replays (replays table, 74_reports.sql), for a worker
 * holding this connection.  Claims the oldest waiting replay (or one
 * whose lease ran out) for owner: 1 with *id and *selection (JSON text,
 * caller frees), 0 none, -1 with *cause.
 */
int replay_db_claim(struct replay_db *db, const char *owner, int lease_s,
    long long *id, char **selection, char **cause);
/*
 * Writes progress (total < 0: not known; counts: checked, same,
 * different, errors) and extends the lease: 1, 0 when the lease was lost
 * (stop), -1 with *cause.
 */
int replay_db_progress(struct replay_db *db, long long id, const char *owner,
    long long total, const long long counts[4], int lease_s, char **cause);
/*
 * Ends the replay: done with result (the report, JSON text) or, result
 * NULL, failed with error.  1, 0 when the lease was lost, -1 with *cause.
 */
int replay_db_finish(struct replay_db *db, long long id, const char *owner,
    const char *result, const char *error, char **cause);

/* replay_db_ruleset as a replay_ruleset_fn (arg: the struct replay_db). */
int replay_db_ruleset_fetch(void *db, const char *sha256, char **name,
    unsigned char **files_z, size_t *len, char **cause);

/*
 * Row row of r as the replay core's input (engine/replay.h); its strings
 * are borrowed from r.
 */
void replay_rows_input(const struct replay_rows *r, int row,
    struct replay_input *in);

/* Rows: how many; a value (NUL-terminated; NULL when SQL NULL) and length. */
int replay_rows_count(const struct replay_rows *r);
const char *replay_rows_value(const struct replay_rows *r, int row, int col);
size_t replay_rows_length(const struct replay_rows *r, int row, int col);
void replay_rows_free(struct replay_rows *r);

#endif
