/*
 * peer_link.h -- the state the link's halves share (peer.c, peer_out.c,
 * peer_in.c); not for other modules.
 */
#ifndef DAEMON_PEER_PEER_LINK_H
#define DAEMON_PEER_PEER_LINK_H

#include <stdbool.h>

#include <openssl/ssl.h>

#include "daemon/peer/peer.h"

struct evhttp;
struct evhttp_bound_socket;
struct outbox;
struct outbox_ops;
struct sign_key;

struct peer_link {
	struct daemon		*d;
	/*
	 * Copies of [peer] name and neighbour: a SIGHUP frees the
	 * configuration they came from while messages are built and sent.
	 */
	char			*name;
	char			*neighbour;
	struct sign_key		*neighbour_key;	/* verifies what it sends */
	struct sign_key		*own_key;	/* [peer] signing_key, or NULL */
	const struct sign_key	*signing;	/* own_key or the station key */
	SSL_CTX			*client_ctx;
	SSL_CTX			*server_ctx;	/* NULL: no listener */
	struct evhttp		*http;
	struct outbox		*outbox;	/* the sender's delivery cycle */
	int			 receiving;	/* messages being received */
	struct peer_link_stats	 stats;
};

/* peer_out.c: the sender, as the outbox's adapter (l is the outbox's arg). */
extern const struct outbox_ops peer_out_ops;

/* peer.c, for the outbox's cycle: frees l (last); messages being received. */
void peer_link_release(void *l);
int peer_link_receiving(const void *l);

/* peer_in.c: starts listening on [peer] listen; 0, or -1 with *cause. */
int peer_in_listen(struct peer_link *l, char **cause);
/* Stops listening (with the outbox's cycle); messages in progress finish. */
void peer_in_stop(void *l);

#endif
