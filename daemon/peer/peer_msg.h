/*
 * peer_msg.h -- the messages of the neighbouring customs link, sealed and
 * opened.
 *
 * A message is a JSON envelope, gzip-compressed, sent as the body of an
 * HTTP POST over the mutual-TLS link with these headers:
 *
 *	Content-Type: application/json
 *	Content-Encoding: gzip
 *	X-Railgate-Message-Id: <UUID, one per message for its lifetime>
 *	X-Railgate-Message-Type: pre_arrival | control_results | release_ack
 *	                         | checkpoint
 *	X-Railgate-Timestamp: <Unix seconds when it was (re)sent>
 *	X-Railgate-Sender: <the sending service's name>
 *	X-Railgate-Signature: <base64 Ed25519 signature, see peer_msg.c>
 *
 * The signature covers the id, type, timestamp, sender and the SHA-256
 * of the compressed body, so that nothing of it can be changed or
 * replayed under another id.  Opening verifies the signature with the
 * neighbour's pinned public key, refuses a timestamp further than
 * max_skew_s from now (stale or replayed later), inflates with a size
 * limit, and checks the envelope's fields for its type.  Deduplication by
 * id is the store's (db/, peer_inbox).  Pure functions; any thread.
 *
 * Envelopes (every type has "service", the sender, and, but for
 * checkpoint, "train"):
 *   pre_arrival:     "decision" (RELEASE | PARTIAL_RELEASE | HOLD),
 *                    "manifest" (the train's manifest, XML profile, text),
 *                    "seals" [...], "controls" [...]
 *   control_results: "seals" [...], "controls" [...]
 *   release_ack:     "ack_of" (the pre_arrival's message id),
 *                    "decision" (the receiving side's final outcome)
 *   checkpoint:      "checkpoint", a signed checkpoint of the sender's
 *                    audit chain (daemon/checkpoint.h): {station (the
 *                    sender), seq, count, hash, at, key_id, signature};
 *                    its signature is verified with the same key
 * "seals" and "controls" are those of the neighbour file (docs/check.md):
 *   seals    [{"equipment", "number", "sealed_by"}]
 *   controls [{"equipment", "result"}], result one of inspected_clear,
 *            scanned_clear, scanned_suspect, seal_broken; the equipment
 *            a container or a wagon (a portal scans whole wagons)
 * pre_arrival and control_results may carry "set_out", the sender's
 * set-out wagons: [{"wagon", "position", "action"}], action one of
 * INSPECT, HOLD, REFUSE; kept in the neighbour data the rules read.
 */
#ifndef DAEMON_PEER_PEER_MSG_H
#define DAEMON_PEER_PEER_MSG_H

#include <stddef.h>
#include <stdint.h>

struct checkpoint;
struct sign_key;

#define PEER_HDR_ID		"X-Railgate-Message-Id"
#define PEER_HDR_TYPE		"X-Railgate-Message-Type"
#define PEER_HDR_TIMESTAMP	"X-Railgate-Timestamp"
#define PEER_HDR_SENDER		"X-Railgate-Sender"
#define PEER_HDR_SIGNATURE	"X-Railgate-Signature"

enum peer_msg_type {
	PEER_PRE_ARRIVAL,
	PEER_CONTROL_RESULTS,
	PEER_RELEASE_ACK,
	PEER_CHECKPOINT
};

const char *peer_msg_type_name(enum peer_msg_type t);
/* 0 and *t, or -1 for an unknown name. */
int peer_msg_type_parse(const char *name, enum peer_msg_type *t);

/* A new message id: a random (version 4) UUID, lower case. */
void peer_msg_new_id(char id[37]);

/* A message ready to send; every pointer owned. */
struct peer_sealed {
	char		 id[37];
	char		 type[20];
	int64_t		 timestamp;
	char		*sender;
	char		*signature;	/* the X-Railgate-Signature value */
	unsigned char	*body;		/* gzip of the envelope */
	size_t		 len;
};

/*
 * Compresses the envelope json and signs it as sent at timestamp by
 * sender with key k.  0, or -1 with *out cleared: id not a lower-case
 * UUID, sender not 1..64 printable ASCII without spaces, a negative
 * timestamp, or compression or signing failed.
 */
int peer_msg_seal(const struct sign_key *k, const char *sender,
    enum peer_msg_type type, const char *id, int64_t timestamp,
    const char *json, size_t len, struct peer_sealed *out);
/* Re-signs a sealed message for a new timestamp (a retry); 0, or -1
 * with m unchanged. */
int peer_msg_reseal(const struct sign_key *k, int64_t timestamp,
    struct peer_sealed *m);
void peer_sealed_clear(struct peer_sealed *m);

/* A message as received: the header values (NULL when absent), the body. */
struct peer_wire {
	const char	*id;
	const char	*type;
	const char	*timestamp;
	const char	*sender;
	const char	*signature;
	const char	*content_encoding;
	const void	*body;
	size_t		 len;
};

/* An opened message; every pointer owned (peer_opened_clear). */
struct peer_opened {
	enum peer_msg_type	 type;
	char			 id[37];
	int64_t			 timestamp;
	char			*sender;
	char			*train;
	char			*decision;	/* pre_arrival, release_ack; else NULL */
	char			*manifest;	/* pre_arrival: the XML text */
	size_t			 manifest_len;
	char			*ack_of;	/* release_ack */
	char			*neighbour;	/* JSON for rules_context_load_neighbour:
						 * {service, train, decision, seals,
						 *  controls[, set_out]}; NULL for
						 *  release_ack */
	struct checkpoint	*checkpoint;	/* checkpoint: verified */
	char			*envelope;	/* the inflated envelope, as received */
	size_t			 envelope_len;
};

/*
 * Verifies and opens a received message from expect_sender, signed with
 * the neighbour's public key pub, at now (Unix seconds).  0, or -1 with
 * *out cleared, *status (400 malformed or stale, 401 bad or missing
 * signature or another sender, 413 larger than max_size once inflated)
 * and *cause (caller frees) naming the header or field at fault.  The
 * checks and their order: peer_msg.c.
 */
int peer_msg_open(const struct sign_key *pub, const char *expect_sender,
    const struct peer_wire *w, int64_t now, int max_skew_s, size_t max_size,
    struct peer_opened *out, int *status, char **cause);
void peer_opened_clear(struct peer_opened *m);

/* Envelope builders; the caller frees the JSON text.  seals and controls
 * are JSON arrays as text ("[]" when none).  NULL when an argument is
 * NULL, seals or controls is not a JSON array, or a text is not UTF-8. */
char *peer_msg_pre_arrival(const char *service, const char *train,
    const char *decision, const char *manifest_xml, size_t manifest_len,
    const char *seals, const char *controls);
char *peer_msg_control_results(const char *service, const char *train,
    const char *seals, const char *controls);
char *peer_msg_release_ack(const char *service, const char *train,
    const char *ack_of, const char *decision);
/* {service, checkpoint}: checkpoint is the checkpoint's JSON object as
 * text (checkpoints_held's form); NULL when it is not an object. */
char *peer_msg_checkpoint(const char *service, const char *checkpoint);

/*
 * Shared by peer_msg.c (sealing) and peer_msg_open.c (opening); not for
 * other modules.
 */
/* zlib counts in uInt: peer_msg_open.c feeds and drains its inflate in
 * pieces no larger (sealing is libdeflate's, whole). */
#define PEER_ZCHUNK		((size_t)1 << 30)
/* Whether s is a UUID in its lower-case 8-4-4-4-12 form. */
int peer_msg_is_uuid(const char *s);
/* The bytes the signature covers (see peer_msg.c); caller frees. */
char *peer_msg_signed_text(const char *id, const char *type,
    int64_t timestamp, const char *sender, const void *body, size_t len);

#endif
