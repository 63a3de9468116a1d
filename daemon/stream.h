/*
 * stream.h -- the changes pushed to the consoles (GET /v1/stream,
 * Server-Sent Events): one message per audit record, to every console
 * connected to this daemon, whichever daemon sharing the database made
 * the change.
 *
 * Owns the stream clients, the LISTEN connection (db/listen.h) that
 * hears of new audit records, and the last record it has sent out.  A
 * console that reconnects with Last-Event-ID N is sent the records after
 * N from the database (or one "reset" past stream_catch_up_max).  A
 * client whose unread output passes stream_max_pending_kb is dropped.
 * docs/daemon.md ("Pushed changes") says it all.  Loop thread only.
 */
#ifndef DAEMON_STREAM_H
#define DAEMON_STREAM_H

#include <stdbool.h>
#include <stdint.h>

struct daemon;
struct http_ctx;
struct stream_hub;

struct stream_stats {
	int		clients;	/* connected now */
	uint64_t	accepted;	/* streams started */
	uint64_t	refused;	/* 503: stream_max_clients reached */
	uint64_t	dropped;	/* too slow: past stream_max_pending_kb */
	uint64_t	messages;	/* messages written, over every client */
	uint64_t	resets;		/* catch-ups past stream_catch_up_max */
	int		listen_up;	/* 1 while LISTEN is in force */
	uint64_t	listen_reconnects;
	long long	last_seq;	/* the last audit record sent out */
};

/* The hub of d (d->cfg, d->db); starts listening at once. */
struct stream_hub *stream_hub_new(struct daemon *d);
/* Ends every stream and frees the hub; accepts NULL.  Call before the
 * HTTP server is freed, after the database pool (no query answers later). */
void stream_hub_free(struct stream_hub *h);
/*
 * Takes c (GET /v1/stream, authenticated): answers it with a problem
 * document or turns it into a stream.
 */
void stream_hub_accept(struct stream_hub *h, struct http_ctx *c);
void stream_hub_get_stats(const struct stream_hub *h, struct stream_stats *out);

#endif
