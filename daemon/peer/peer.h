/*
 * peer.h -- the link to the neighbouring customs service (issue 8).
 *
 * Two halves over mutual TLS 1.3, each pinned to the neighbour's CA and
 * name: a sender (peer_out.c, an adapter of the shared delivery cycle,
 * daemon/outbox.h) that takes the link outbox's head (013_peer.sql),
 * builds and signs its envelope, and posts it to the neighbour until it
 * is taken, one message at a time so that they arrive in order; and a
 * listener (peer_in.c) that verifies what the neighbour sends
 * (certificate, signature, timestamp), records it once and acknowledges
 * it.  Configured by the [peer] section; loop thread, but for the
 * envelope building.
 */
#ifndef DAEMON_PEER_PEER_H
#define DAEMON_PEER_PEER_H

#include <stddef.h>
#include <stdint.h>

struct daemon;
struct peer_link;

struct peer_link_stats {
	uint64_t	sent;		/* messages the neighbour took */
	uint64_t	refused;	/* ... refused for good (4xx) */
	uint64_t	failed;		/* attempts that will be retried */
	uint64_t	received;	/* messages received and recorded */
	uint64_t	duplicates;	/* ... of which received before */
	uint64_t	rejected;	/* refused: certificate, signature, stale */
	int		up;		/* the last attempt reached the neighbour */
};

/*
 * Starts the link when [peer] name is set: NULL with *cause NULL when it
 * is not, NULL with *cause (caller frees) when its configuration is
 * unusable (a missing file, a loose key, an address that cannot be bound).
 * Its sender's cycle in d->cycles stops it (sending and listening; what
 * is in flight, sent or received, finishes) and frees it.
 */
struct peer_link *peer_link_new(struct daemon *d, char **cause);
/* A message may have become due (a final decision was stored). */
void peer_link_kick(struct peer_link *l);
void peer_link_get_stats(const struct peer_link *l, struct peer_link_stats *out);

/* The key that signs our messages (and our audit checkpoints), our name
 * on the link, the neighbour's name. */
const struct sign_key *peer_link_signing_key(const struct peer_link *l);
const char *peer_link_name(const struct peer_link *l);
const char *peer_link_neighbour(const struct peer_link *l);

/*
 * Asks the neighbour for the checkpoints of our audit chain it holds
 * (peer_fetch.c): cb gets the HTTP status (0: no answer) and the body
 * (borrowed), error NULL on 200 else why.
 */
struct sign_key;
typedef void (*peer_fetch_cb)(int status, const char *body, size_t len,
    const char *error, void *arg);
void peer_fetch_checkpoints(struct peer_link *l, peer_fetch_cb cb, void *arg);

#endif
