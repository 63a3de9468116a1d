/*
 * checkpoint.c -- statements of the audit chain's checkpoints (see
 * checkpoint.h and db/functions/11_checkpoints.sql).
 */
#include <stdio.h>

#include "db.h"
#include "checkpoint.h"
#include "query.h"

void
store_checkpoint_head(struct db *db, store_doc_cb cb, void *arg)
{
	store_query_read(db, "SELECT checkpoint_head()", 0, NULL, cb, arg);
}

void
store_checkpoint_store(struct db *db, const char *station, long long seq,
    const char *hash, int64_t at, const char *key_id, const char *signature,
    store_decision_cb cb, void *arg)
{
	char		 s[24], a[24];
	const char	*v[6] = { station, s, hash, a, key_id, signature };

	snprintf(s, sizeof s, "%lld", seq);
	snprintf(a, sizeof a, "%lld", (long long)at);
	/* Not DB_RETRY: a repeat would keep the checkpoint twice. */
	store_query_text(db, "SELECT checkpoint_store($1, $2::bigint, $3, "
	    "$4::bigint, $5, $6)", 6, v, 0, 30000, cb, arg);
}

void
store_checkpoint_receive(struct db *db, const struct store_checkpoint_in *in,
    store_reply_cb cb, void *arg)
{
	char		 s[24], n[24], a[24];
	const char	*v[9] = { in->sender, in->message_id, in->envelope, s, n,
			    in->hash, a, in->key_id, in->signature };

	snprintf(s, sizeof s, "%lld", in->seq);
	snprintf(n, sizeof n, "%lld", in->count);
	snprintf(a, sizeof a, "%lld", (long long)in->at);
	/* Safe to repeat: the inbox makes a second one a duplicate. */
	store_query_reply(db, "SELECT outcome, reply FROM checkpoint_receive("
	    "$1, $2, $3::json, $4::bigint, $5::bigint, $6, $7::bigint, $8, $9)",
	    9, v, NULL, NULL, DB_RETRY, cb, arg);
}

void
store_checkpoints_held(struct db *db, int own, const char *chain, int limit,
    store_doc_cb cb, void *arg)
{
	char		 l[16];
	const char	*v[3] = { own ? "true" : "false", chain, l };

	snprintf(l, sizeof l, "%d", limit);
	store_query_read(db, "SELECT checkpoints_held($1::boolean, $2, "
	    "$3::int)", 3, v, cb, arg);
}

void
store_audit_hashes_at(struct db *db, const char *seqs, store_doc_cb cb,
    void *arg)
{
	const char	*v[1] = { seqs };

	store_query_read(db, "SELECT audit_hashes_at($1::bigint[])", 1, v, cb,
	    arg);
}

void
store_train_bundle(struct db *db, const char *id, store_doc_cb cb, void *arg)
{
	const char	*v[1] = { id };

	store_query_read(db, "SELECT train_bundle($1)::text", 1, v, cb, arg);
}
