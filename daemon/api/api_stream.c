/*
 * api_stream.c -- GET /v1/stream: the changes pushed to the consoles
 * (Server-Sent Events), one message per audit record.  The hub
 * (daemon/stream.h) owns the streams; this is only the route's door.
 */
#include <event2/http.h>

#include "daemon/api/api.h"
#include "daemon/daemon.h"
#include "daemon/stream.h"

void
api_stream(struct http_ctx *c)
{
	/* HEAD: the headers GET would have, and no stream. */
	if (evhttp_request_get_command(c->req) == EVHTTP_REQ_HEAD) {
		http_reply(c, 200, "text/event-stream", NULL, 0);
		return;
	}
	stream_hub_accept(c->d->stream, c);
}
