/*
 * store.h -- railgate's queries: every statement the daemon runs, typed,
 * one section per resource, each implemented in the db/store_*.c file it
 * names (the neighbour link's are in peer.h).  One header, because the
 * daemon's modules reach several resources and share these types.
 *
 * The SQL text lives in db/ only (db/migrations/, db/functions/, the
 * statements of db/store_*.c); callers pass
 * values, never SQL.  Each function queues one statement on the pool
 * (db.h) and calls back on the loop thread with plain C values; strings
 * handed to a callback are borrowed for the callback's duration.
 * Statements that are safe to repeat are queued with DB_RETRY.
 */
#ifndef DB_STORE_H
#define DB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* == shared: failures, outcomes, the shapes of answer (query.c) == */

/*
 * A callback's status below 0 says why the database gave no answer, and
 * so what the caller may tell its own client (db.h, enum db_failure).
 * Only STORE_UNAVAILABLE is worth sending again.
 */
#define STORE_UNAVAILABLE	(-1)	/* down, shutting down, out of resources */
#define STORE_REFUSED		(-2)	/* refused a value (SQLSTATE class 22) */
#define STORE_CONFLICT		(-3)	/* an integrity constraint (class 23) */
#define STORE_FAILED		(-4)	/* anything else: a fault of ours */

/*
 * What a function of the database decided, by name (docs/storage.md): a
 * closed set, which the API maps to its answers (daemon/api/outcome.c).
 * Storage says what happened, never how to tell a client.
 */
enum store_outcome {
	STORE_OUTCOME_UNKNOWN = 0,	/* not a name below: a fault of ours */
	STORE_OUTCOME_DONE,		/* done as asked */
	STORE_OUTCOME_ACCEPTED,		/* recorded; work follows (evaluation,
					   delivery) */
	STORE_OUTCOME_PROPOSED,		/* recorded as a proposal, awaiting a
					   second officer */
	STORE_OUTCOME_DUPLICATE,	/* received before: nothing new */
	STORE_OUTCOME_NOT_FOUND,	/* no such train, wagon, notice, message */
	STORE_OUTCOME_CONFLICT,		/* what is stored does not allow it now */
	STORE_OUTCOME_FORBIDDEN,	/* not by this officer or role */
	STORE_OUTCOME_INVALID,		/* the request's content cannot be used */
};

/* The outcome named name (a function's answer); UNKNOWN for any other. */
enum store_outcome store_outcome_parse(const char *name);

/* The name of o, as the functions write it ("unknown" for UNKNOWN). */
const char *store_outcome_name(enum store_outcome o);

/*
 * A document answered by the database: status 1 found (text, len), 0 not
 * found, < 0 failed (STORE_*).
 */
typedef void (*store_doc_cb)(int status, const char *text, size_t len,
    void *arg);

/*
 * An answer decided by the database: status 0 (outcome and reply JSON),
 * < 0 failed (STORE_*; outcome UNKNOWN, reply NULL).
 */
typedef void (*store_reply_cb)(int status, enum store_outcome outcome,
    const char *reply, void *arg);

/* Done (status 0) or not (< 0, STORE_*). */
typedef void (*store_status_cb)(int status, void *arg);

/*
 * A text answer: store_record_decision()'s "stored" or "stale" (lease
 * lost, inputs changed), or another statement's (said at each); NULL when
 * the database is unavailable.
 */
typedef void (*store_decision_cb)(const char *result, void *arg);

/* == authentication and the audit chain (store_auth.c) == */

/*
 * status: 1 found and valid, 0 unknown / expired / revoked, < 0 the
 * database failed (STORE_*).
 */
typedef void (*store_token_cb)(int status, const char *principal,
    const char *role, const char *carriers, void *arg);

/* Looks up a token by its SHA-256 hex. */
void store_token_lookup(struct db *db, const char *hash, store_token_cb cb,
    void *arg);

/*
 * Looks up a session cookie by its SHA-256 hex (session_lookup(): a live
 * session of an enabled account, whose idle clock restarts).
 */
void store_session_lookup(struct db *db, const char *hash,
    store_token_cb cb, void *arg);
/*
 * Whether the credential of an open stream (a token, or a session when
 * session) still stands: as the lookups above answer, but a session's
 * idle clock is left alone (an open stream is no officer's activity).
 */
void store_credential_alive(struct db *db, const char *hash, bool session,
    store_token_cb cb, void *arg);

/* == officers' accounts and sessions (store_sessions.c) == */

/*
 * An account by principal: {"hash": Argon2id PHC string, "disabled":
 * bool, "role": ...} (status 1), or none (0).
 */
void store_officer_account(struct db *db, const char *principal,
    store_doc_cb cb, void *arg);
/*
 * A new session after a verified sign-in (session_open()): its
 * GET /v1/session document (1), or none (0: the account was disabled
 * meanwhile).  old: the cookie the browser still held, or NULL.
 */
void store_session_open(struct db *db, const char *hash,
    const char *principal, const char *client, int idle_s, int max_s,
    const char *old, store_doc_cb cb, void *arg);
/* A live session's GET /v1/session document (1), or none (0). */
void store_session_info(struct db *db, const char *hash, store_doc_cb cb,
    void *arg);
/* Signs a session out (audit record session.signout). */
void store_session_close(struct db *db, const char *hash,
    store_status_cb cb, void *arg);
/* Records a refused sign-in under the name tried (session.signin_failed). */
void store_signin_failed(struct db *db, const char *name, const char *client,
    const char *why, store_status_cb cb, void *arg);
/* Stores an officer's console language (NULL: none); "done" or "not_found". */
void store_officer_language(struct db *db, const char *principal,
    const char *language, store_decision_cb cb, void *arg);

/* status: 1 intact, 0 broken at first_bad (reason set), < 0 failed. */
typedef void (*store_audit_verify_cb)(int status, long long checked,
    long long first_bad, const char *reason, void *arg);

/* Walks the whole audit chain in the database. */
void store_audit_verify(struct db *db, store_audit_verify_cb cb, void *arg);

/* == the auditor's replays and reports (store_replays.c) == */

/*
 * Queues a replay of selection (JSON text, checked by the caller) for
 * principal: outcome DONE with {"id", "state"}.  Audited.
 */
void store_replay_request(struct db *db, const char *principal,
    const char *selection, store_reply_cb cb, void *arg);
/*
 * "true" when a replay waits to be claimed (queued, or running under a
 * lease that ran out), else "false"; NULL when unavailable.
 */
void store_replays_waiting(struct db *db, store_decision_cb cb, void *arg);
/* One replay with its progress and report (1), or none (0). */
void store_replay_get(struct db *db, const char *id, store_doc_cb cb,
    void *arg);
/* {"replays": [...]}: the latest, newest first, without their reports. */
void store_replays_list(struct db *db, store_doc_cb cb, void *arg);

/* The reports across trains (docs/auditor.md). */
enum store_report_kind {
	STORE_REPORT_OVERRIDES,		/* by principal */
	STORE_REPORT_CLEARANCE,		/* per train run, against the target */
	STORE_REPORT_HITS,		/* per rule per day */
};
/*
 * {"columns": [...], "rows": [[...], ...]} (and "target_minutes" for the
 * clearance report) for [from, to), timestamps PostgreSQL reads.
 */
void store_report(struct db *db, enum store_report_kind kind,
    const char *from, const char *to, int target_min, store_doc_cb cb,
    void *arg);

/* == train runs: manifests, reads, events, gauges (store_trains.c) == */

/* A received manifest, ready to store (ingest_manifest(), 30_ingest.sql). */
struct store_manifest {
	const char		*sha256;
	const unsigned char	*raw_z;		/* zlib-compressed raw bytes */
	size_t			 raw_z_len;
	int64_t			 raw_size;
	const char		*format;	/* edifact | xml | unknown */
	const char		*source;	/* http | spool | peer */
	const char		*principal;
	const char		*key;		/* Idempotency-Key or NULL */
	int			 accepted;	/* read as a train */
	const char		*train_no;
	const char		*function;	/* original | replace | cancel */
	const char		*diagnostics;	/* JSON array */
	const char		*train;		/* JSON: summary fields, counts */
	const char		*wagons;	/* JSON array of wagon summaries */
	const char		*ruleset;	/* hash in force, for the audit record */
	/*
	 * NULL: raw_z is borrowed until the answer.  Else raw_z is lent:
	 * raw_z_sent(arg) gives it back as soon as libpq holds its copy
	 * (db_query_lent(); then no Idempotency-Key retry on a broken
	 * connection, nor after a deadlock: the sender tries again).
	 */
	void			(*raw_z_sent)(void *arg);
	const char		*carriers;	/* an operator's carriers, as an
						 * array literal ("{KZ-KTZE}"): the
						 * manifest must be for one of them
						 * (operator_ingest_manifest());
						 * NULL: any sender else */
};

/*
 * status 0 stored (outcome accepted, conflict or invalid, and the reply
 * JSON without a "status" member), < 0 the database failed (STORE_*,
 * error set).
 */
typedef void (*store_ingest_cb)(int status, long long manifest_id,
    long long train_id, enum store_outcome outcome, const char *reply,
    int repeated, const char *error, void *arg);

/*
 * Stores a manifest and its train run in one transaction.  m->raw_z is
 * borrowed, not copied, until cb is called (a big manifest's bytes are
 * not held twice); m's other fields are copied.
 */
void store_ingest_manifest(struct db *db, const struct store_manifest *m,
    store_ingest_cb cb, void *arg);

/*
 * The clearance clock's parameters ([clearance]): the target, and the
 * thresholds of time left at which a clock turns amber and red.
 */
struct store_clock {
	int	target_min;
	int	amber_left_s;
	int	red_left_s;
};

/* Which runs the train list shows. */
enum store_list_finished {
	STORE_LIST_ALL,			/* every run (the default) */
	STORE_LIST_UNFINISHED,		/* the queue: not finished */
	STORE_LIST_FINISHED,		/* finished only */
};

/*
 * The train list (JSON array), optionally one state only, soonest first;
 * each train's latest run.
 */
void store_train_list(struct db *db, const char *state,
    enum store_list_finished finished, const struct store_clock *clk,
    store_doc_cb cb, void *arg);

/* One train run ("X8024" latest, "X8024@2" a given run) with its wagons. */
void store_train_get(struct db *db, const char *id,
    const struct store_clock *clk, store_doc_cb cb, void *arg);

/* The run's current decision document, byte for byte as stored. */
void store_train_decision(struct db *db, const char *id, store_doc_cb cb,
    void *arg);

/* The bytes of the run's current manifest, zlib-compressed (binary). */
void store_train_manifest(struct db *db, const char *id, store_doc_cb cb,
    void *arg);

/* The audit records of the run, oldest first (JSON array). */
void store_train_audit(struct db *db, const char *id, store_doc_cb cb,
    void *arg);

/* The events of the run, oldest first, with their authors (JSON array). */
void store_train_events(struct db *db, const char *id, store_doc_cb cb,
    void *arg);

/* Who posted an event: a token's principal and role ("officer", ...,
 * "neighbour"), and the instrument read (NULL when none). */
struct store_author {
	const char	*name;
	const char	*role;
	const char	*device;
};

/* Records an event (type, body JSON) for train id by author; see
 * add_event().  manifest_id > 0: the manifest the event was checked
 * against (a parcel's tracking number), refused (conflict) if the run's
 * manifest is another by now. */
void store_add_event(struct db *db, const char *id, const char *type,
    const char *body, const struct store_author *author, const char *ruleset,
    long long manifest_id, store_reply_cb cb, void *arg);
/*
 * What the parcels' checks need of train id's current run, as a JSON
 * object (parcel_context(), 40_events.sql): train, run, manifest_id,
 * decision_manifest_id, eval_needed, final, container_known (container,
 * if not NULL, is one of the run's) and decision (the current document,
 * null before the first evaluation); 0: no such train.
 */
void store_parcel_context(struct db *db, const char *id,
    const char *container, store_doc_cb cb, void *arg);

/*
 * The gauges /metrics takes from the database, as one JSON object (see
 * metrics_snapshot() in 014_metrics.sql): runs by state, the notices' and
 * the neighbour link's outboxes, the clearance clock against the target.
 */
void store_metrics_snapshot(struct db *db, const struct store_clock *clk,
    store_doc_cb cb, void *arg);

/* == a railway operator's own trains (store_operator.c) == */

/*
 * carriers below: the operator's carriers as a PostgreSQL array literal
 * (auth_carriers_array()); a run of no carrier among them is answered as
 * one that does not exist (71_operator.sql, docs/operator.md).
 */

/* The operator's train list (JSON array), as store_train_list(). */
void store_operator_train_list(struct db *db, const char *carriers,
    const char *state, enum store_list_finished finished,
    const struct store_clock *clk, store_doc_cb cb, void *arg);
/* The operator's view of one run (1), or none (0): no such run, or not
 * one of carriers'. */
void store_operator_train_view(struct db *db, const char *carriers,
    const char *id, const struct store_clock *clk, store_doc_cb cb,
    void *arg);
/* store_add_event() for a run of one of carriers'; not_found otherwise. */
void store_operator_add_event(struct db *db, const char *carriers,
    const char *id, const char *type, const char *body,
    const struct store_author *author, const char *ruleset,
    store_reply_cb cb, void *arg);

/* == the console's wagon page and search (store_console.c) == */

/*
 * What the database knows of one wagon of a run, for its page
 * (wagon_context() in 95_console.sql): a JSON object with the run's
 * manifest_id and "wagon": null when the run has no such wagon; status 0
 * when there is no such run.  At most max_events events.
 */
void store_wagon_context(struct db *db, const char *id, const char *wagon,
    int max_events, store_doc_cb cb, void *arg);

/* The bytes of manifest manifest_id, zlib-compressed (binary). */
void store_manifest_raw(struct db *db, long long manifest_id,
    store_doc_cb cb, void *arg);

/*
 * The parcel list's side of a run (GET /v1/trains/{id}/parcels): a JSON
 * object {train, run, state, manifest_id, decided}; status 0 when there
 * is no such run.
 */
void store_parcel_list_context(struct db *db, const char *id,
    store_doc_cb cb, void *arg);
/* The run's decision's "parcels" member as stored, or "null" (none). */
void store_train_parcels(struct db *db, const char *id, store_doc_cb cb,
    void *arg);

/*
 * Trains, wagons, containers and parties matching q (console_search()):
 * a JSON object, at most limit hits of each kind.
 */
void store_search(struct db *db, const char *q, int limit, store_doc_cb cb,
    void *arg);
/*
 * Merges the search indexes' pending lists (search_tidy()): cb gets the
 * number of pending pages merged, as text, or NULL on failure.
 */
void store_search_tidy(struct db *db, store_decision_cb cb, void *arg);

/* == the clearance clock (store_clock.c) == */

/*
 * Trains whose clearance clock crossed a threshold (amber, red, overdue)
 * since last reported (clock_alerts()), marked as reported by "by", each
 * with its audit record and duty notices: {"alerts": [{train, run, flag,
 * remaining_s, elapsed_s, target_s, audit_seq, notices}], "next_ms": ms
 * to the next crossing or null}.
 */
void store_clock_alerts(struct db *db, const struct store_clock *clk,
    const char *by, store_doc_cb cb, void *arg);

/* The database server's clock (clock_timestamp()) in ms since the epoch,
 * as text; NULL when unavailable. */
void store_db_clock(struct db *db, store_decision_cb cb, void *arg);

/*
 * The server's clock jumped by jump_ms against elapsed time: shifts the
 * running clearance clocks (clock_jump()).  The answer is the number of
 * clocks shifted, "-1" when another daemon already did, NULL when the
 * database is unavailable.
 */
void store_clock_jump(struct db *db, long long jump_ms, const char *by,
    store_decision_cb cb, void *arg);

/* == evaluations: claims, decisions, rule sets (store_evaluations.c) == */

/* One train run claimed for evaluation (store_claim_evaluations). */
struct store_claim {
	long long		 train_id;
	const char		*train_no;
	int			 run;
	long long		 manifest_id;
	const unsigned char	*raw_z;		/* zlib manifest; NULL: in have */
	size_t			 raw_z_len;
	const char		*events;	/* JSON array {id,type,body,at} */
	long long		 last_event_id;	/* 0: none */
	int			 green_lane;
	const char		*clearances_key; /* of the clearances in force */
	const char		*clearances;	/* JSON; NULL: the key's held */
};

/* status < 0: failed (STORE_*); else n claims (borrowed for the callback). */
typedef void (*store_claim_cb)(int status, const struct store_claim *v,
    size_t n, void *arg);

/* What a daemon asks of claim_evaluations(). */
struct store_claim_request {
	const char		*owner;
	int			 n;		/* at most this many runs */
	int			 lease_s;
	const long long		*busy;		/* train runs in hand: not again */
	size_t			 nbusy;
	const long long		*have;		/* manifests whose model is held */
	size_t			 nhave;
	const char		*clearances_key; /* the clearances held; NULL */
};

/*
 * Claims runs needing evaluation under a lease; the owner's own leases
 * come back too (a claim whose answer was lost), except the runs in hand.
 * A run whose manifest is in have comes without its bytes (raw_z NULL).
 * Each comes with the key of the screening clearances in force, and
 * those (a JSON array, docs/screening.md) unless the key is the one held.
 */
void store_claim_evaluations(struct db *db,
    const struct store_claim_request *rq, store_claim_cb cb, void *arg);

/* A decision made under a lease, with what it was made from. */
struct store_decision {
	long long	 train_id;
	const char	*owner;
	const char	*document;	/* decision JSON */
	const char	*outcome;
	int		 final;
	const char	*wagons;	/* JSON [{position, action}] */
	const char	*ruleset_sha256;
	const char	*ruleset_name;
	long long	 manifest_id;
	long long	 last_event_id;	/* 0: none */
	const char	*clearances;	/* JSON: the clearances applied; NULL */
};

/* Stores d unless its lease was lost or its inputs changed (store_decision). */
void store_record_decision(struct db *db, const struct store_decision *d,
    store_decision_cb cb, void *arg);

/* Records a rule set's exact files (zlib) under its hash, once. */
void store_ruleset(struct db *db, const char *sha256, const char *name,
    const unsigned char *files_z, size_t len, store_reply_cb cb, void *arg);

/* A stored rule set's packed files (rulesets.files_z, binary) by hash. */
void store_ruleset_files(struct db *db, const char *sha256, store_doc_cb cb,
    void *arg);

/* == officers: resolutions, overrides, approval (store_officers.c) == */

/* A goods resolution; every string borrowed. */
struct store_goods {
	const char	*consignment;
	const char	*item;		/* decimal, or NULL */
	const char	*resolution;	/* located | corrected */
	const char	*wagon;		/* located: the wagon's number */
	const char	*reason;
	const char	*principal;
	const char	*role;
};

/*
 * An officer's resolution of a wagon (action release|inspect|hold|refuse);
 * see resolve_wagon() in db/functions/60_officers.sql: done (recorded) or
 * proposed (an override), else why not.  Not retried.
 */
void store_resolve_wagon(struct db *db, const char *id, const char *wagon,
    const char *action, const char *reason, const char *principal,
    const char *role, const char *ruleset, store_reply_cb cb, void *arg);

/*
 * Several wagons of one train resolved at once (wagons: a JSON array of
 * wagon numbers, no duplicates), each as store_resolve_wagon() would; see
 * resolve_wagons() in db/functions/65_bulk.sql: done (or proposed when
 * every one was an override), else nothing changed and the reply lists
 * each refused wagon.  Not retried.
 */
void store_resolve_wagons(struct db *db, const char *id, const char *wagons,
    const char *action, const char *reason, const char *principal,
    const char *role, store_reply_cb cb, void *arg);

/*
 * Whom train's final decision notifies now (notice_targets_json(),
 * db/functions/70_notices.sql: its carrier's subscriptions): a JSON
 * array [{subscription, format}].
 */
void store_notice_targets(struct db *db, const char *train, store_doc_cb cb,
    void *arg);

/*
 * An officer's resolution of the train hits about goods on no wagon
 * (consignment, item -- NULL: the whole consignment; resolution located,
 * with wagon, or corrected); see resolve_goods() in
 * db/functions/60_officers.sql: done, else why not.  Not retried.
 */
void store_resolve_goods(struct db *db, const char *id,
    const struct store_goods *g, store_reply_cb cb, void *arg);

/*
 * A supervisor confirms (confirm 1) or rejects (0) the override of a
 * wagon awaiting confirmation; see decide_override().  Not retried.
 */
void store_decide_override(struct db *db, const char *id, const char *wagon,
    int confirm, const char *reason, const char *principal, const char *role,
    store_reply_cb cb, void *arg);

/*
 * A supervisor's proposal to clear the train hits of rule that name no
 * goods (a blocking diagnostic checked); see clear_train_hit() in
 * db/functions/65_proposals.sql: proposed, else why not.  Not retried.
 */
void store_clear_train_hit(struct db *db, const char *id, const char *rule,
    const char *reason, const char *principal, const char *role,
    store_reply_cb cb, void *arg);

/*
 * A supervisor confirms (confirm 1) or rejects (0) the clearing of a
 * train hit awaiting confirmation, proposal (its id, digits) of train id;
 * see decide_proposal() in db/functions/65_proposals.sql.  Not retried.
 */
void store_decide_proposal(struct db *db, const char *id,
    const char *proposal, int confirm, const char *reason,
    const char *principal, const char *role, store_reply_cb cb, void *arg);

/*
 * Everything awaiting a second supervisor, across trains (wagon overrides
 * and train hits' clearings): a JSON array, each marked "mine" when
 * principal proposed it; see proposals_pending().
 */
void store_proposals_list(struct db *db, const char *principal,
    store_doc_cb cb, void *arg);

/* == screening clearances (store_screening.c, 67_clearances.sql) == */

/* A proposed clearance: party name is not entry of list. */
struct store_clearance {
	const char	*list;
	const char	*entry;
	const char	*name;
	const char	*key;		/* names_fold(name) */
	const char	*country;	/* NULL: any */
	const char	*party_id;	/* NULL: any */
	const char	*reason;
	const char	*train;		/* "NO@run" it was made from; NULL */
	const char	*hit;		/* JSON {rule, consignment...}; NULL */
	const char	*principal;
	const char	*role;
	const char	*ruleset_sha256; /* the rule set it was checked on */
};

/* Proposes c; see screening_clearance_propose().  Not retried. */
void store_clearance_propose(struct db *db, const struct store_clearance *c,
    store_reply_cb cb, void *arg);
/*
 * A supervisor's verb ("confirm", "reject", "revoke") on clearance id
 * (digits), confirmed for days days; see screening_clearance_decide().
 * Not retried.
 */
void store_clearance_decide(struct db *db, const char *id, const char *verb,
    const char *reason, const char *principal, const char *role, int days,
    const char *ruleset_sha256, store_reply_cb cb, void *arg);
/* The clearances filtered (each NULL: any); a JSON array. */
struct store_clearance_filter {
	const char	*state;
	const char	*list;
	const char	*party;
	const char	*train;
	int		 limit;
};
void store_clearances_list(struct db *db,
    const struct store_clearance_filter *f, const char *principal,
    store_doc_cb cb, void *arg);
/* One clearance (id: digits); status 0 when there is none. */
void store_clearance_get(struct db *db, const char *id, const char *principal,
    store_doc_cb cb, void *arg);

/* What a final decision is built from (final_inputs()); borrowed. */
struct store_final_inputs {
	long long	 train_id;
	long long	 version;	/* the latest decision's id */
	const char	*document;	/* NULL: no decision yet */
	const char	*resolutions;	/* JSON [{position, action}] in force */
	const char	*resolutions_proposed;	/* the same, overrides confirmed */
	const char	*proposals;	/* JSON [{position, wagon, action, by,
					   reason}] awaiting confirmation */
	const char	*fingerprint;	/* of resolutions and proposals */
	const char	*state;
	int		 eval_needed;
	const char	*clearings_pending;	/* train hits' clearings awaiting
						   a second supervisor, or NULL */
};

/* status < 0 failed (STORE_*), 0 no such train, 1 found (*in filled). */
typedef void (*store_final_inputs_cb)(int status,
    const struct store_final_inputs *in, void *arg);
void store_final_inputs(struct db *db, const char *id,
    store_final_inputs_cb cb, void *arg);

/* A final decision built by the daemon from version. */
struct store_final {
	long long	 train_id;
	long long	 version;
	const char	*document;
	const char	*outcome;
	const char	*wagons;	/* JSON [{position, action}] */
	const char	*principal;
	const char	*role;
	const char	*reason;
	int		 approve;	/* an approval (else an amendment) */
	const char	*fingerprint;	/* the inputs' (store_final_inputs) */
	int		 confirm;	/* the approval confirms the proposals */
};

/*
 * Stores it (done) unless the decision or the wagons' resolutions changed
 * since (conflict), or an override awaits a confirmation the approval
 * cannot give (forbidden); see finalize_decision() in
 * db/functions/60_officers.sql.
 */
void store_finalize(struct db *db, const struct store_final *f,
    store_reply_cb cb, void *arg);

/* == automatic release of green trains (store_release.c) == */

/*
 * The provisional RELEASE decisions that go by themselves now
 * (auto_release_due(), 65_auto_release.sql): a JSON array of {train_id,
 * version, document}, at most limit; document is the stored text as a
 * JSON string, so that approval's reading of it is the replay's.
 */
void store_auto_release_due(struct db *db, int delay_s, int limit,
    store_doc_cb cb, void *arg);
/*
 * Stores f (its document, outcome, wagons, train_id and version; the
 * rest is the system's) as system:auto-release if the train is still
 * due under its row lock: done (notices queued), or conflict.
 */
void store_auto_release(struct db *db, const struct store_final *f,
    int delay_s, store_reply_cb cb, void *arg);
/* An officer takes train id (take_train()): done, not_found, conflict. */
void store_take_train(struct db *db, const char *id, const char *principal,
    const char *role, store_reply_cb cb, void *arg);

/* == release notices and subscriptions (store_notices.c) == */

/* A release notice claimed for delivery (claim_notices()); borrowed. */
struct store_notice {
	const char		*id;
	const char		*format;	/* json | cusres */
	const char		*follow_up_of;	/* NULL: the first */
	const unsigned char	*body;		/* NULL: not built yet */
	size_t			 body_len;
	int			 attempts;
	const char		*url;
	const char		*secret;
	const char		*recipient;	/* NULL: the subscription's name */
	const char		*subscription;
	const char		*train_no;
	const char		*decision;	/* the final decision document */
	int64_t			 created;	/* Unix seconds */
	const char		*client_cert;	/* PEM files to present; NULL */
	const char		*client_key;
};
typedef void (*store_notices_cb)(int status, const struct store_notice *v,
    size_t n, void *arg);

/* Claims up to n due notices, leased to owner for lease_s. */
void store_claim_notices(struct db *db, const char *owner, int n, int lease_s,
    store_notices_cb cb, void *arg);

/* Fixes a notice's body (only if not yet set). */
void store_notice_set_body(struct db *db, const char *id, const char *owner,
    const void *body, size_t len, store_status_cb cb, void *arg);

/*
 * Records an attempt (http_status 0: no answer, error says why); result
 * "delivered", "pending", "dead" or "stale", NULL when unavailable.
 */
void store_notice_attempted(struct db *db, const char *id, const char *owner,
    int http_status, const char *error, double retry_s, int max_attempts,
    store_decision_cb cb, void *arg);

/* An officer's redelivery (notice_redeliver()). */
void store_notice_redeliver(struct db *db, const char *id,
    const char *principal, store_reply_cb cb, void *arg);

/* A run's notices as a JSON array. */
void store_train_notices(struct db *db, const char *id, store_doc_cb cb,
    void *arg);

/*
 * Creates or replaces a subscription; the reply is its JSON.  secret is
 * sealed (v1:..., daemon/notice/secretbox.h); carriers a text[] literal.
 */
void store_subscription_put(struct db *db, const char *name, const char *url,
    const char *formats, const char *secret, const char *recipient,
    int enabled, const char *client_cert, const char *client_key,
    const char *carriers, const char *principal, store_doc_cb cb,
    void *arg);
/* The subscriptions not deleted, {"subscriptions": [...]}, no secret. */
void store_subscriptions_list(struct db *db, store_doc_cb cb, void *arg);
/* One subscription not deleted (no secret); 0 when there is none. */
void store_subscription_get(struct db *db, const char *name, store_doc_cb cb,
    void *arg);
/*
 * Deletes a subscription (subscription_delete()): done, not_found, or
 * conflict while notices are pending and force is 0 (with force they are
 * abandoned).
 */
void store_subscription_delete(struct db *db, const char *name, int force,
    const char *principal, store_reply_cb cb, void *arg);

/* == operators' documents (store_documents.c, 73_documents.sql) == */

/*
 * carriers: the operator's carriers as a PostgreSQL array literal
 * (auth_carriers_array), NULL for a reader who sees every train.
 */
struct store_document_upload {
	const char		*train;		/* the route's {id} */
	const char		*carriers;
	const char		*consignment;	/* NULL: the whole train */
	const char		*code;		/* three digits */
	const char		*content_type;
	const unsigned char	*bytes;
	size_t			 len;
	const char		*principal;
	const char		*role;
	const char		*ruleset;	/* NULL: none loaded */
};
/* Stores an upload (document_upload()): done (the document), not_found. */
void store_document_upload(struct db *db,
    const struct store_document_upload *u, store_reply_cb cb, void *arg);
/*
 * An officer accepts (accept) or rejects document doc of train id with a
 * reason (document_decide()): done, not_found, conflict.
 */
void store_document_decide(struct db *db, const char *id, const char *doc,
    int accept, const char *reason, const char *principal, const char *role,
    const char *ruleset, store_reply_cb cb, void *arg);
/* The documents of train id that carriers see, a JSON array; 0: no train. */
void store_train_documents(struct db *db, const char *id,
    const char *carriers, store_doc_cb cb, void *arg);
/*
 * One document's bytes: status 1 found (content_type, sha256, bytes,
 * len; borrowed for the callback), 0 not found, < 0 failed (STORE_*).
 */
typedef void (*store_document_cb)(int status, const char *content_type,
    const char *sha256, const unsigned char *bytes, size_t len, void *arg);
void store_document_content(struct db *db, const char *id, const char *doc,
    const char *carriers, store_document_cb cb, void *arg);

/* == pushed changes (store_stream.c) == */

/*
 * The audit records after seq after, oldest first, at most limit of
 * them: {"head": the chain's last seq, "records": [{seq, action, train,
 * run, actor, at, details (clock.* only)}]}.
 */
void store_audit_after(struct db *db, long long after, int limit,
    store_doc_cb cb, void *arg);

#endif
