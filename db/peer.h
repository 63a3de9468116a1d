/*
 * peer.h -- the neighbouring customs link's rows: the ordered outbox and
 * the inbox that makes every received message count once (013_peer.sql).
 *
 * Same conventions as store.h: asynchronous, on the db's loop, results
 * borrowed for the callback's duration.
 */
#ifndef DB_PEER_H
#define DB_PEER_H

#include <stddef.h>

#include "db/store.h"

struct db;

/* Makes name this station's neighbour (messages are queued for it). */
void store_peer_register(struct db *db, const char *name, store_status_cb cb,
    void *arg);

/* The head of the outbox, leased to the caller. */
struct store_peer_out {
	const char		*message_id;
	const char		*type;		/* pre_arrival | control_results | release_ack */
	const char		*peer;
	const char		*train_no;
	const unsigned char	*body;		/* gzip envelope; NULL: not built yet */
	size_t			 body_len;
	const char		*ack_of;	/* release_ack */
	const char		*outcome;	/* the final decision's */
	const unsigned char	*raw_z;		/* pre_arrival not built: the manifest */
	size_t			 raw_z_len;
	const char		*controls;	/* JSON array, when not built */
	int			 attempts;
	const char		*seals;		/* control_results not built: the
						 * seals found here (JSON array) */
};

/*
 * status < 0 the database failed (STORE_*, store.h), 0 nothing due (or
 * another sender has it), 1 m.
 */
typedef void (*store_peer_out_cb)(int status, const struct store_peer_out *m,
    void *arg);
void store_peer_claim_next(struct db *db, const char *owner, int lease_s,
    store_peer_out_cb cb, void *arg);
/* Fixes the envelope of a message at its first attempt. */
void store_peer_set_body(struct db *db, const char *message_id,
    const char *owner, const void *body, size_t len, store_status_cb cb,
    void *arg);
/*
 * Records an attempt (http_status 0: no answer): the result is "sent",
 * "refused", "pending" (retry in retry_s) or "stale"; NULL unavailable.
 */
void store_peer_attempted(struct db *db, const char *message_id,
    const char *owner, int http_status, const char *error, double retry_s,
    store_decision_cb cb, void *arg);

/* A verified message from the neighbour, with its manifest if it has one
 * (the fields of struct store_manifest that apply). */
struct store_peer_in {
	const char		*sender;
	const char		*message_id;
	const char		*type;
	const char		*envelope;	/* JSON */
	const char		*train_no;
	const char		*neighbour;	/* JSON or NULL (release_ack) */
	const char		*ack_of;	/* release_ack */
	const struct store_manifest *manifest;	/* pre_arrival, else NULL */
};

/* What the database made of a received message. */
struct store_peer_result {
	enum store_outcome outcome;	/* done, duplicate, or why it cannot
					   be used (not_found, conflict,
					   invalid) */
	const char	*reply;		/* JSON */
	int		 duplicate;	/* outcome duplicate: acknowledged again */
	long long	 train_id;	/* 0: none */
	long long	 manifest_id;	/* a pre-arrival manifest stored now; 0 */
};

/* status 0 with r, or < 0 the database failed (STORE_*; r NULL). */
typedef void (*store_peer_in_cb)(int status,
    const struct store_peer_result *r, void *arg);
void store_peer_receive(struct db *db, const struct store_peer_in *in,
    store_peer_in_cb cb, void *arg);

/* The link's counts (peer_status()) as a JSON object. */
void store_peer_status(struct db *db, store_doc_cb cb, void *arg);

#endif
