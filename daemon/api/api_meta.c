/*
 * api_meta.c -- health and readiness.
 *
 * /healthz says the process and its loop are alive (for restarts by a
 * supervisor); /readyz says it can do its work -- the database is up --
 * (for load balancers), and answers 503 otherwise.  /metrics gives the
 * counters an operator graphs, in Prometheus' text format.
 *
 * /metrics never waits on the database.  What only the database knows
 * (runs by state, outboxes, the clearance clock) comes from one query
 * whose answer is cached: a scrape gets the last answer and, when it is
 * older than META_SNAPSHOT_MS, starts the next query, however many
 * scrapers ask meanwhile.  A failed query is not retried before
 * META_SNAPSHOT_MS either.  The cache belongs to the loop thread.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "db/db.h"
#include "db/store.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/daemon.h"
#include "daemon/evaluate.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/peer/peer.h"
#include "daemon/pool.h"
#include "daemon/version.h"

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

#define META_SNAPSHOT_MS	5000	/* the database's gauges: refreshed at most this often */

/* The database's gauges as last read (loop thread only). */
static struct {
	json_t		*doc;		/* metrics_snapshot(), or NULL */
	int64_t		 at_ms;		/* when doc arrived */
	int64_t		 asked_ms;	/* when the last query was sent */
	bool		 asked;
	bool		 fetching;
} meta_snapshot;

static void metric(struct buf *, const char *, const char *, const char *,
    const char *, double);

static const char *const meta_train_states[] = {
	"announced", "received", "evaluated", "approaching", "arrived",
	"released", "partially_released", "held", "cancelled", NULL,
};
static const char *const meta_notice_states[] = {
	"pending", "delivered", "dead", NULL,
};
static const char *const meta_peer_states[] = {
	"pending", "sent", "refused", NULL,
};
static const char *const meta_clock_flags[] = { "ok", "amber", "red", NULL };
static const char *const meta_finished[] = { "within", "over", NULL };

/* The snapshot query answered; a failure keeps the last snapshot. */
static void
meta_snapshot_cb(int status, const char *text, size_t len, void *arg)
{
	json_t	*doc;

	meta_snapshot.fetching = false;
	if (status <= 0) {
		log_debug("metrics: database gauges not refreshed");
		return;
	}
	if ((doc = json_loadb(text, len, 0, NULL)) == NULL ||
	    !json_is_object(doc)) {
		log_warnx("metrics: metrics_snapshot() answered no object");
		json_decref(doc);
		return;
	}
	json_decref(meta_snapshot.doc);
	meta_snapshot.doc = doc;
	meta_snapshot.at_ms = daemon_now_ms();
}

/* Starts the snapshot query when the last one is older than allowed. */
static void
meta_snapshot_refresh(struct daemon *d)
{
	int64_t	now = daemon_now_ms();

	if (meta_snapshot.fetching || (meta_snapshot.asked &&
	    now - meta_snapshot.asked_ms < META_SNAPSHOT_MS))
		return;
	meta_snapshot.fetching = true;
	meta_snapshot.asked = true;
	meta_snapshot.asked_ms = now;
	store_metrics_snapshot(d->db, d->cfg.target_minutes,
	    d->cfg.warn_percent, meta_snapshot_cb, NULL);
}

/* A JSON number, 0 when absent. */
static double
meta_number(const json_t *obj, const char *key)
{
	return json_number_value(json_object_get(obj, key));
}

/*
 * One gauge family labelled by label: every known value (0 when the
 * database has none), then any other value the database answered.
 */
static void
meta_gauge_by(struct buf *b, const char *name, const char *help,
    const char *label, const char *const *known, json_t *obj)
{
	const char	*key;
	json_t		*v;
	size_t		 i;
	bool		 seen;

	buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	for (i = 0; known[i] != NULL; i++)
		buf_printf(b, "%s{%s=\"%s\"} %.15g\n", name, label, known[i],
		    meta_number(obj, known[i]));
	json_object_foreach(obj, key, v) {
		for (i = 0, seen = false; known[i] != NULL && !seen; i++)
			seen = strcmp(key, known[i]) == 0;
		if (seen || !json_is_number(v))
			continue;
		buf_printf(b, "%s{%s=\"", name, label);
		metrics_label_value(b, key);
		buf_printf(b, "\"} %.15g\n", json_number_value(v));
	}
}

/* The database's gauges from the last snapshot, if there is one. */
static void
meta_write_snapshot(struct buf *b)
{
	json_t	*s = meta_snapshot.doc, *run, *fin;

	if (s == NULL)
		return;
	metric(b, "railgate_db_snapshot_age_seconds", "gauge",
	    "Age of the database figures below (refreshed at most every 5 s).",
	    "", (double)(daemon_now_ms() - meta_snapshot.at_ms) / 1e3);
	meta_gauge_by(b, "railgate_trains", "Train runs in the database, by "
	    "state.", "state", meta_train_states, json_object_get(s, "trains"));
	meta_gauge_by(b, "railgate_notices_outbox", "Release notices, by "
	    "delivery state (pending: still to deliver).", "state",
	    meta_notice_states, json_object_get(s, "notices"));
	metric(b, "railgate_notices_oldest_pending_seconds", "gauge",
	    "Age of the oldest release notice still to deliver (0: none).", "",
	    meta_number(s, "notices_oldest_pending_s"));
	meta_gauge_by(b, "railgate_peer_outbox", "Messages to the neighbouring "
	    "customs, by state (pending: still to send).", "state",
	    meta_peer_states, json_object_get(s, "peer_outbox"));
	metric(b, "railgate_peer_oldest_pending_seconds", "gauge",
	    "Age of the oldest message still to send to the neighbour "
	    "(0: none).", "", meta_number(s, "peer_oldest_pending_s"));
	metric(b, "railgate_clearance_target_seconds", "gauge",
	    "The clearance target ([clearance] target_minutes).", "",
	    meta_number(s, "target_s"));
	run = json_object_get(s, "running");
	meta_gauge_by(b, "railgate_clearance_running", "Train runs whose "
	    "clearance clock is running, by flag (amber: past warn_percent of "
	    "the target; red: past the target).", "flag", meta_clock_flags,
	    json_object_get(run, "flags"));
	metric(b, "railgate_clearance_running_max_seconds", "gauge",
	    "The longest running clearance clock (0: none running).", "",
	    meta_number(run, "max_elapsed_s"));
	fin = json_object_get(s, "finished");
	meta_gauge_by(b, "railgate_clearance_finished", "Train runs with a "
	    "final decision, cleared within the target or over it.", "target",
	    meta_finished, fin);
}

/* One metric with its help and type lines. */
static void
metric(struct buf *b, const char *name, const char *type, const char *help,
    const char *labels, double v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s%s %.15g\n", name, help,
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

	meta_snapshot_refresh(c->d);
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
	metric(&b, "railgate_http_connections_open", "gauge",
	    "Client connections open.", "", hs.conn_open);
	metric(&b, "railgate_http_connections_total", "counter",
	    "Client connections accepted.", "", (double)hs.conn_accepted);
	metric(&b, "railgate_http_connections_cut_total", "counter",
	    "Connections cut because their request came too slowly "
	    "(request_timeout_s, request_min_rate).", "",
	    (double)hs.conn_cut);
	metric(&b, "railgate_http_accept_paused_total", "counter",
	    "Times max_connections was reached and accepting stopped.", "",
	    (double)hs.conn_paused);
	metric(&b, "railgate_http_refused_unrouted_total", "counter",
	    "Requests libevent answered itself with a 4xx, not a problem "
	    "document (should stay 0: the connection guard answers first).",
	    "", (double)hs.conn_refused);
	metric(&b, "railgate_http_connections_refused_total", "counter",
	    "Connections closed at accept: their client had "
	    "max_connections_per_client open.", "",
	    (double)hs.conn_client_refused);
	metric(&b, "railgate_http_refused_before_body_total", "counter",
	    "Requests refused before their body was read (framing, size, "
	    "route, token, role, body budget).", "", (double)hs.head_refused);
	metric(&b, "railgate_http_body_budget_refused_total", "counter",
	    "Requests refused with 503 because bodies in flight would pass "
	    "max_body_memory_mb.", "", (double)hs.budget_refused);
	metric(&b, "railgate_http_body_bytes", "gauge",
	    "Declared bytes of the request bodies in flight.", "",
	    (double)hs.body_bytes);
	metric(&b, "railgate_http_body_budget_bytes", "gauge",
	    "The body budget (max_body_memory_mb).", "",
	    (double)hs.body_budget);
	metric(&b, "railgate_http_auth_failures_total", "counter",
	    "Failed authentications: no token, or a malformed, unknown, "
	    "expired or revoked one.", "", (double)hs.auth_failures);
	metric(&b, "railgate_http_auth_throttled_total", "counter",
	    "Requests answered 429: their client passed "
	    "auth_failures_per_client.", "", (double)hs.auth_throttled);
	metric(&b, "railgate_http_token_lookups_total", "counter",
	    "Tokens looked up in the database (not in the cache).", "",
	    (double)hs.token_lookups);
	metric(&b, "railgate_db_connections_up", "gauge",
	    "Database connections usable.", "", ds.up);
	metric(&b, "railgate_db_queued", "gauge",
	    "Database requests waiting for a connection.", "", (double)ds.queued);
	metric(&b, "railgate_db_failed_total", "counter",
	    "Database requests that failed.", "", (double)ds.failed);
	metric(&b, "railgate_db_reconnects_total", "counter",
	    "Reconnections to the database.", "", (double)ds.reconnects);
	metric(&b, "railgate_db_rollbacks_retried_total", "counter",
	    "Statements rolled back by a deadlock or serialization failure "
	    "and run again.", "", (double)ds.rollbacks);
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
	metrics_write(&b);
	meta_write_snapshot(&b);
	http_reply(c, 200, "text/plain; version=0.0.4", b.data, b.len);
	buf_free(&b);
}

/* The API's description (daemon/api/openapi.json, embedded by the build). */
extern const char	api_openapi_json[];
extern const size_t	api_openapi_json_len;

/* GET /openapi.json */
void
api_openapi(struct http_ctx *c)
{
	http_reply_json(c, 200, api_openapi_json, api_openapi_json_len);
}
