/*
 * ingest.h -- receiving a manifest, from HTTP or the spool directory.
 *
 * A manifest goes: its bytes to a worker (decompress, hash, parse, build
 * the summaries, compress the raw bytes) -> back on the loop, one
 * database statement stores everything and appends the audit record ->
 * the caller's callback, which answers the sender only now that the
 * transaction committed; the parsed model goes on to the evaluator's
 * handoff.  Loop thread, except the worker part.
 */
#ifndef DAEMON_INGEST_H
#define DAEMON_INGEST_H

#include <stdbool.h>
#include <stddef.h>

struct daemon;
struct diag_list;
struct evbuffer;

struct ingest_request {
	const char	*source;	/* http | spool | peer */
	const char	*principal;
	const char	*key;		/* Idempotency-Key, or NULL */
	bool		 appointment;	/* booked with an appointment slot */
	const char	*carriers;	/* an operator's carriers, as an array
					 * literal: the manifest must be for
					 * one of them; NULL: any */
};

struct ingest_result {
	int			 stored;	/* 1 committed, 0 not stored */
	int			 store_status;	/* STORE_* when the database failed, else 0 */
	int			 http_status;	/* 202, 409, 422 (outcome_status());
						 * when not stored, 503 only if
						 * worth sending again
						 * (outcome_failure_status()) */
	const char		*reply;		/* JSON answer, led by its status
						 * (outcome_document()) */
	long long		 manifest_id;
	long long		 train_id;	/* the train run, 0 if none */
	bool			 repeated;	/* an Idempotency-Key seen before */
	bool			 green_lane;
	const char		*error;		/* when not stored */
};

typedef void (*ingest_done_cb)(const struct ingest_result *r, void *arg);

/* Takes the body (its chains are moved out of body) and starts ingestion. */
void ingest_from_buffer(struct daemon *d, const struct ingest_request *rq,
    struct evbuffer *body, ingest_done_cb cb, void *arg);
/* Reads the file on a worker and ingests it. */
void ingest_from_file(struct daemon *d, const struct ingest_request *rq,
    const char *path, ingest_done_cb cb, void *arg);

/* A verified pre-arrival message from the neighbouring customs. */
struct ingest_peer_message {
	const char	*sender;
	const char	*message_id;
	const char	*envelope;	/* the message's JSON, as received */
	const char	*train_no;	/* the train the message names */
	const char	*neighbour;	/* its seals and controls, for the rules */
};

/*
 * Ingests the manifest a pre-arrival message carries (bytes copied) and
 * records the message in the same transaction, once (peer_receive() in
 * 013_peer.sql); the result's reply is the acknowledgement.
 */
void ingest_from_peer(struct daemon *d, const struct ingest_peer_message *pm,
    const char *manifest, size_t len, ingest_done_cb cb, void *arg);

#endif
