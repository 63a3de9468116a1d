/*
 * api_peer.c -- GET /v1/peer: the neighbouring customs link as the
 * database sees it (peer_status() in 013_peer.sql): the neighbour, the
 * messages waiting, sent and refused, the messages received, and the age
 * of the oldest waiting one -- what an officer or operator checks when
 * the neighbour says it has not heard from this side.
 */
#include "db/peer.h"

#include "daemon/api/api.h"
#include "daemon/outcome.h"
#include "daemon/daemon.h"

static void
peer_status_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status <= 0)
		outcome_reply_store_failure(c, status < 0 ? status :
		    STORE_UNAVAILABLE);
	else
		http_reply_json(c, 200, text, len);
}

void
api_peer_status(struct http_ctx *c)
{
	store_peer_status(c->d->db, peer_status_cb, c);
}
