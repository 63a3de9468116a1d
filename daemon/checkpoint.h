/*
 * checkpoint.h -- signed checkpoints of the audit chain (issue 20, item 8;
 * docs/evidence.md): the text a checkpoint's signature covers, reading
 * and checking a checkpoint as JSON, comparing checkpoints with the
 * chain, and the daemon's checkpointer that signs one every
 * [audit] checkpoint_interval_s and at shutdown.
 *
 * The text and the checks (checkpoint_sign.c) are pure and shared with
 * `railgate verify`, which has no database and no network; the
 * checkpointer (checkpoint.c) is the loop thread's.
 */
#ifndef DAEMON_CHECKPOINT_H
#define DAEMON_CHECKPOINT_H

#include <stdint.h>

#include <jansson.h>

struct daemon;
struct sign_key;
struct checkpointer;

/* The version line that opens the signed text. */
#define CHECKPOINT_MAGIC	"railgate-audit-checkpoint/1"

/* One checkpoint; owns station and signature. */
struct checkpoint {
	char		*station;	/* whose chain */
	long long	 seq;		/* the head's sequence number */
	long long	 count;		/* records up to it */
	char		 hash[65];	/* the head's hash, lower-case hex */
	int64_t		 at;		/* Unix seconds when signed */
	char		 key_id[17];	/* sign_key_id() of the key */
	char		*signature;	/* base64 Ed25519 of checkpoint_text() */
};

/*
 * The signed text, six lines each ended by LF:
 *   railgate-audit-checkpoint/1
 *   station=<name>
 *   seq=<decimal>
 *   count=<decimal>
 *   hash=<64 lower-case hex digits>
 *   at=<YYYY-MM-DDTHH:MM:SSZ, UTC>
 * Caller frees.
 */
char *checkpoint_text(const struct checkpoint *c);
/* Signs c (fills key_id and signature) with k; 0, or -1. */
int checkpoint_sign(struct checkpoint *c, const struct sign_key *k);
/* 0 when c's signature verifies with k and names k's id; -1 with *why
 * (static text). */
int checkpoint_verify(const struct checkpoint *c, const struct sign_key *k,
    const char **why);
/*
 * Reads {station, seq, count, hash, at, key_id, signature} from o; 0, or
 * -1 with *cause (caller frees) naming the member at fault under path.
 */
int checkpoint_from_json(json_t *o, const char *path, struct checkpoint *c,
    char **cause);
/* The checkpoint as that object (new reference). */
json_t *checkpoint_to_json(const struct checkpoint *c);
void checkpoint_clear(struct checkpoint *c);

/*
 * Compares checkpoints (a JSON array as checkpoints_held() answers)
 * with the chain (audit_hashes_at()'s {"head", "hashes"}): each must be
 * signed by k for station, at a seq the chain reaches, with the hash the
 * chain has there.  Returns a new object {"ok", "checkpoints", "latest_seq"
 * and, on failure, "first_bad_seq", "checkpoint" {seq, hash, at},
 * "chain_hash", "agrees_up_to", "reason"}.
 */
json_t *checkpoint_compare(json_t *list, json_t *chain,
    const struct sign_key *k, const char *station);

/*
 * The checkpointer: a cycle in d->cycles that signs the chain's head
 * every period and when it stops (SIGTERM), skipping a head that has not
 * moved since the last checkpoint.  Signed with key (the link's signing
 * key, or the station key) as station.  Owned by d->cycles.
 */
struct checkpointer *checkpointer_new(struct daemon *d,
    const struct sign_key *key, const char *station);
/* The station name and key it signs with. */
const char *checkpointer_station(const struct checkpointer *cp);
const struct sign_key *checkpointer_key(const struct checkpointer *cp);

/*
 * Makes a checkpoint now unless the head has not moved; cb (may be NULL)
 * gets 0 (made or already current) or -1 (database unavailable, or the
 * head could not be signed).
 */
typedef void (*checkpoint_done_cb)(int status, void *arg);
void checkpointer_now(struct checkpointer *cp, checkpoint_done_cb cb,
    void *arg);

#endif
