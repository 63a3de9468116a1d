/*
 * api_meta.c -- health and readiness.
 *
 * /healthz says the process and its loop are alive (for restarts by a
 * supervisor); /readyz says it can do its work -- the database is up --
 * (for load balancers), and answers 503 otherwise.
 */
#include <stdio.h>

#include "db/db.h"

#include "api.h"
#include "daemon.h"
#include "version.h"

void
api_healthz(struct http_ctx *c)
{
	static const char body[] = "{\"status\":\"ok\",\"version\":\""
	    RAILGATE_VERSION "\"}";

	http_reply_json(c, 200, body, sizeof body - 1);
}

void
api_readyz(struct http_ctx *c)
{
	struct db_stats	st;
	char		body[160];
	int		n;

	db_get_stats(c->d->db, &st);
	n = snprintf(body, sizeof body, "{\"status\":\"%s\",\"database\":"
	    "{\"connections\":%d,\"up\":%d,\"queued\":%zu}}",
	    st.up > 0 ? "ready" : "unavailable", st.connections, st.up, st.queued);
	http_reply_json(c, st.up > 0 ? 200 : 503, body, (size_t)n);
}
