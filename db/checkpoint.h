/*
 * checkpoint.h -- statements of the audit chain's checkpoints
 * (034_checkpoints.sql, db/functions/11_checkpoints.sql).
 *
 * Same conventions as store.h: asynchronous, on the db's loop, results
 * borrowed for the callback's duration.  The signing is the daemon's
 * (daemon/checkpoint.h): the key never reaches the database.
 */
#ifndef DB_CHECKPOINT_H
#define DB_CHECKPOINT_H

#include <stdint.h>

#include "db/store.h"

struct db;

/* checkpoint_head(): {seq, hash, last_seq}. */
void store_checkpoint_head(struct db *db, store_doc_cb cb, void *arg);
/* Keeps a signed checkpoint of our chain (and queues it for the
 * neighbour): "stored", "unknown" (no such record), NULL unavailable. */
void store_checkpoint_store(struct db *db, const char *station,
    long long seq, const char *hash, int64_t at, const char *key_id,
    const char *signature, store_decision_cb cb, void *arg);
/* A verified checkpoint from the neighbour, received in link message
 * message_id; outcome done or duplicate, reply {"ack", "duplicate"}. */
struct store_checkpoint_in {
	const char	*sender;
	const char	*message_id;
	const char	*envelope;
	long long	 seq;
	long long	 count;
	const char	*hash;
	int64_t		 at;
	const char	*key_id;
	const char	*signature;
};
void store_checkpoint_receive(struct db *db,
    const struct store_checkpoint_in *in, store_reply_cb cb, void *arg);
/* The latest limit checkpoints of ours (own) or of neighbour chain,
 * newest first: a JSON array. */
void store_checkpoints_held(struct db *db, int own, const char *chain,
    int limit, store_doc_cb cb, void *arg);
/* audit_hashes_at(): {"head", "hashes": {seq: hash}} for seqs, a
 * PostgreSQL array literal ("{1,2,3}"). */
void store_audit_hashes_at(struct db *db, const char *seqs, store_doc_cb cb,
    void *arg);
/* train_bundle() of train run id (db/functions/12_bundle.sql): status 1
 * the bundle, 0 no such train. */
void store_train_bundle(struct db *db, const char *id, store_doc_cb cb,
    void *arg);

#endif
