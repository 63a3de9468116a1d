/*
 * api_meta.c -- health and readiness.
 *
 * /healthz says the process and its loop are alive (for restarts by a
 * supervisor); /readyz says it can do its work -- the database is up --
 * (for load balancers), and answers 503 otherwise.  /metrics gives the
 * counters an operator graphs, in Prometheus' text format.
 */
#include <stdio.h>

#include "db/db.h"
#include "manifest/util.h"

#include "api.h"
#include "daemon.h"
#include "evaluate.h"
#include "peer.h"
#include "pool.h"
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

/* One metric with its help and type lines. */
static void
metric(struct buf *b, const char *name, const char *type, const char *help,
    const char *labels, double v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s%s %.17g\n", name, help,
	    name, type, name, labels, v);
}

/* GET /metrics */
void
api_metrics(struct http_ctx *c)
{
	struct http_stats	hs;
	struct db_stats		ds;
	struct evaluator_stats	es;
	struct peer_link_stats	ps;
	struct buf		b = { 0 };
	char			label[32];
	int			k;

	http_get_stats(c->d->http, &hs);
	db_get_stats(c->d->db, &ds);
	evaluator_get_stats(c->d->eval, &es);
	buf_printf(&b, "# HELP railgate_http_requests_total HTTP requests "
	    "answered, by status class.\n# TYPE railgate_http_requests_total "
	    "counter\n");
	for (k = 1; k <= 5; k++) {
		snprintf(label, sizeof label, "{class=\"%dxx\"}", k);
		buf_printf(&b, "railgate_http_requests_total%s %llu\n", label,
		    (unsigned long long)hs.by_class[k]);
	}
	metric(&b, "railgate_http_in_flight", "gauge",
	    "Requests received and not yet answered.", "", hs.in_flight);
	metric(&b, "railgate_db_connections_up", "gauge",
	    "Database connections usable.", "", ds.up);
	metric(&b, "railgate_db_queued", "gauge",
	    "Database requests waiting for a connection.", "", (double)ds.queued);
	metric(&b, "railgate_db_failed_total", "counter",
	    "Database requests that failed.", "", (double)ds.failed);
	metric(&b, "railgate_db_reconnects_total", "counter",
	    "Reconnections to the database.", "", (double)ds.reconnects);
	metric(&b, "railgate_decisions_total", "counter",
	    "Provisional decisions stored.", "", (double)es.decided);
	metric(&b, "railgate_decisions_stale_total", "counter",
	    "Decisions refused because the lease or the inputs changed.", "",
	    (double)es.stale);
	metric(&b, "railgate_evaluations_failed_total", "counter",
	    "Evaluations that failed or could not be stored.", "",
	    (double)es.failed);
	metric(&b, "railgate_evaluation_seconds_total", "counter",
	    "Parse and evaluation time spent on decisions.", "",
	    es.work_ms / 1e3);
	metric(&b, "railgate_evaluations_reparsed_total", "counter",
	    "Evaluations that parsed the stored manifest again (its model was "
	    "not left by this daemon's ingestion).", "", (double)es.reparsed);
	metric(&b, "railgate_evaluations_in_flight", "gauge",
	    "Trains being evaluated now.", "", es.in_flight);
	peer_link_get_stats(c->d->peer, &ps);
	metric(&b, "railgate_peer_up", "gauge",
	    "1 when the last attempt reached the neighbouring customs.", "",
	    ps.up);
	metric(&b, "railgate_peer_sent_total", "counter",
	    "Messages the neighbour took.", "", (double)ps.sent);
	metric(&b, "railgate_peer_refused_total", "counter",
	    "Messages the neighbour refused for good.", "", (double)ps.refused);
	metric(&b, "railgate_peer_failed_total", "counter",
	    "Attempts at a message that will be retried.", "",
	    (double)ps.failed);
	metric(&b, "railgate_peer_received_total", "counter",
	    "Messages received from the neighbour and recorded (repeats too).",
	    "", (double)ps.received);
	metric(&b, "railgate_peer_duplicates_total", "counter",
	    "Messages received again and acknowledged without effect.", "",
	    (double)ps.duplicates);
	metric(&b, "railgate_peer_rejected_total", "counter",
	    "Messages refused: certificate, signature, staleness, envelope.",
	    "", (double)ps.rejected);
	metric(&b, "railgate_pool_pending", "gauge",
	    "Jobs queued or running on the worker pool.", "",
	    (double)pool_pending(c->d->pool));
	http_reply(c, 200, "text/plain; version=0.0.4", b.data, b.len);
	buf_free(&b);
}

/* The API's description (daemon/openapi.json, embedded by the build). */
extern const char	api_openapi_json[];
extern const size_t	api_openapi_json_len;

/* GET /openapi.json */
void
api_openapi(struct http_ctx *c)
{
	http_reply_json(c, 200, api_openapi_json, api_openapi_json_len);
}
