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
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/db.h"
#include "db/store.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/clock.h"
#include "daemon/daemon.h"
#include "daemon/evaluate.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/peer/peer.h"
#include "daemon/stream.h"
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

/*
 * GET /v1/station: what the officer console needs of the station's
 * configuration -- its time zone (the console writes times in it; the
 * API's stay UTC) and the languages the console speaks.
 */
void
api_station(struct http_ctx *c)
{
	json_t	*o;
	char	*body;

	o = json_pack("{s:s, s:[sssss]}", "time_zone", c->d->cfg.time_zone,
	    "languages", "en", "zh-Hans", "ru", "kk", "vi");
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (body == NULL)
		fatalx("api_station: out of memory");
	http_reply_json(c, 200, body, strlen(body));
	free(body);
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
static const char *const meta_clock_flags[] = { "ok", "amber", "red",
    "overdue", NULL };
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
	struct store_clock	clk = clock_params(&d->cfg);

	store_metrics_snapshot(d->db, &clk, meta_snapshot_cb, NULL);
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

/*
 * Where a metric's value is read: a field of struct meta_figures (read
 * once per scrape), or the database's last snapshot.
 */
enum meta_read {
	META_U64,	/* uint64_t field */
	META_INT,	/* int field */
	META_SIZE,	/* size_t field */
	META_MS,	/* double field in ms, reported in seconds */
	META_AGE,	/* the snapshot's age, in seconds */
	META_JSON,	/* the number at path in the snapshot */
	META_JSON_BY,	/* a family labelled by label: the object at path */
};

/* What the daemon's modules report, read once per scrape. */
struct meta_figures {
	struct http_stats	hs;
	struct db_stats		ds;
	struct evaluator_stats	es;
	struct peer_link_stats	ps;
	struct stream_stats	ss;
	size_t			pool_pending;
	struct api_session_stats sis;
};

/* One metric family of /metrics: what it is called, says, and reads. */
struct meta_metric {
	const char		*name;
	const char		*type;		/* "counter" or "gauge" */
	const char		*help;
	enum meta_read		 read;
	size_t			 field;		/* META_U64 to META_MS */
	const char		*path;		/* META_JSON*: "key", "obj.key" */
	const char		*label;		/* META_JSON_BY */
	const char *const	*known;		/* META_JSON_BY: always there */
};

#define FIELD(kind, f)	kind, offsetof(struct meta_figures, f), NULL, NULL, NULL
#define JSON(path)	META_JSON, 0, path, NULL, NULL
#define JSON_BY(path, label, known) META_JSON_BY, 0, path, label, known

/*
 * The daemon's own figures, in the order they are written (after
 * railgate_http_requests_total, by status class).
 */
static const struct meta_metric meta_process[] = {
	{ "railgate_http_in_flight", "gauge",
	    "Requests received and not yet answered.",
	    FIELD(META_INT, hs.in_flight) },
	{ "railgate_http_connections_open", "gauge",
	    "Client connections open.", FIELD(META_INT, hs.conn_open) },
	{ "railgate_http_connections_total", "counter",
	    "Client connections accepted.",
	    FIELD(META_U64, hs.conn_accepted) },
	{ "railgate_http_connections_cut_total", "counter",
	    "Connections cut because their request came too slowly "
	    "(request_timeout_s, request_min_rate).",
	    FIELD(META_U64, hs.conn_cut) },
	{ "railgate_http_accept_paused_total", "counter",
	    "Times max_connections was reached and accepting stopped.",
	    FIELD(META_U64, hs.conn_paused) },
	{ "railgate_http_refused_unrouted_total", "counter",
	    "Requests libevent answered itself with a 4xx, not a problem "
	    "document (should stay 0: the connection guard answers first).",
	    FIELD(META_U64, hs.conn_refused) },
	{ "railgate_http_connections_refused_total", "counter",
	    "Connections closed at accept: their client had "
	    "max_connections_per_client open.",
	    FIELD(META_U64, hs.conn_client_refused) },
	{ "railgate_http_refused_before_body_total", "counter",
	    "Requests refused before their body was read (framing, size, "
	    "route, token, role, body budget).",
	    FIELD(META_U64, hs.head_refused) },
	{ "railgate_http_body_budget_refused_total", "counter",
	    "Requests refused with 503 because bodies in flight would pass "
	    "max_body_memory_mb.", FIELD(META_U64, hs.budget_refused) },
	{ "railgate_http_body_bytes", "gauge",
	    "Declared bytes of the request bodies in flight.",
	    FIELD(META_U64, hs.body_bytes) },
	{ "railgate_http_body_budget_bytes", "gauge",
	    "The body budget (max_body_memory_mb).",
	    FIELD(META_U64, hs.body_budget) },
	{ "railgate_http_auth_failures_total", "counter",
	    "Failed authentications: no token, or a malformed, unknown, "
	    "expired or revoked one.", FIELD(META_U64, hs.auth_failures) },
	{ "railgate_http_auth_throttled_total", "counter",
	    "Requests answered 429: their client passed "
	    "auth_failures_per_client.", FIELD(META_U64, hs.auth_throttled) },
	{ "railgate_http_token_lookups_total", "counter",
	    "Tokens looked up in the database (not in the cache).",
	    FIELD(META_U64, hs.token_lookups) },
	{ "railgate_http_session_lookups_total", "counter",
	    "Session cookies looked up in the database (not in the cache).",
	    FIELD(META_U64, hs.session_lookups) },
	{ "railgate_http_csrf_refused_total", "counter",
	    "Requests by session cookie that would change something, refused "
	    "403 for coming from another origin.",
	    FIELD(META_U64, hs.csrf_refused) },
	{ "railgate_http_reads_held_total", "counter",
	    "Reads (GET, HEAD) that waited for their turn while a decision "
	    "was being made: at most 1,000 go a second then.",
	    FIELD(META_U64, hs.reads_held) },
	{ "railgate_http_reads_waiting", "gauge",
	    "Reads waiting for their turn now.",
	    FIELD(META_INT, hs.reads_waiting) },
	{ "railgate_http_credentials_conflict_total", "counter",
	    "Requests refused 400 for carrying a bearer token and a session "
	    "cookie.", FIELD(META_U64, hs.both_refused) },
	{ "railgate_signins_total", "counter",
	    "Officers signed in with a name and a password.",
	    FIELD(META_U64, sis.signins) },
	{ "railgate_signin_failures_total", "counter",
	    "Sign-ins refused 401 (unknown name, wrong password, disabled "
	    "account: one answer).", FIELD(META_U64, sis.signin_failures) },
	{ "railgate_signin_throttled_total", "counter",
	    "Sign-ins refused 429: their name or client passed "
	    "signin_failures_per_name or signin_failures_per_client.",
	    FIELD(META_U64, sis.signin_throttled) },
	{ "railgate_signouts_total", "counter",
	    "Sessions signed out (DELETE /v1/session).",
	    FIELD(META_U64, sis.signouts) },
	{ "railgate_stream_clients", "gauge",
	    "Consoles connected to GET /v1/stream.",
	    FIELD(META_INT, ss.clients) },
	{ "railgate_stream_accepted_total", "counter",
	    "Streams started.", FIELD(META_U64, ss.accepted) },
	{ "railgate_stream_refused_total", "counter",
	    "Streams refused with 503: stream_max_clients were open.",
	    FIELD(META_U64, ss.refused) },
	{ "railgate_stream_dropped_total", "counter",
	    "Stream clients dropped: more than stream_max_pending_kb unread.",
	    FIELD(META_U64, ss.dropped) },
	{ "railgate_stream_messages_total", "counter",
	    "Messages written to stream clients, over every client.",
	    FIELD(META_U64, ss.messages) },
	{ "railgate_stream_resets_total", "counter",
	    "Reconnecting consoles told to reload (more than "
	    "stream_catch_up_max missed).", FIELD(META_U64, ss.resets) },
	{ "railgate_stream_listen_up", "gauge",
	    "1 while the LISTEN connection hears other daemons' changes.",
	    FIELD(META_INT, ss.listen_up) },
	{ "railgate_stream_listen_reconnects_total", "counter",
	    "Times the LISTEN connection was opened again.",
	    FIELD(META_U64, ss.listen_reconnects) },
	{ "railgate_db_connections_up", "gauge",
	    "Database connections usable.", FIELD(META_INT, ds.up) },
	{ "railgate_db_queued", "gauge",
	    "Database requests waiting for a connection.",
	    FIELD(META_SIZE, ds.queued) },
	{ "railgate_db_failed_total", "counter",
	    "Database requests that failed.", FIELD(META_U64, ds.failed) },
	{ "railgate_db_reconnects_total", "counter",
	    "Reconnections to the database.", FIELD(META_U64, ds.reconnects) },
	{ "railgate_db_rollbacks_retried_total", "counter",
	    "Statements rolled back by a deadlock or serialization failure "
	    "and run again.", FIELD(META_U64, ds.rollbacks) },
	{ "railgate_decisions_stale_total", "counter",
	    "Decisions refused because the lease or the inputs changed.",
	    FIELD(META_U64, es.stale) },
	{ "railgate_evaluations_failed_total", "counter",
	    "Evaluations that failed or could not be stored.",
	    FIELD(META_U64, es.failed) },
	{ "railgate_evaluation_seconds_total", "counter",
	    "Parse and evaluation time spent on decisions.",
	    FIELD(META_MS, es.work_ms) },
	{ "railgate_evaluations_reparsed_total", "counter",
	    "Evaluations that parsed the stored manifest again (its model was "
	    "not left by this daemon's ingestion).",
	    FIELD(META_U64, es.reparsed) },
	{ "railgate_screening_clearances_in_force", "gauge",
	    "Screening clearances in force that evaluations are given now "
	    "(as of the last claim).", FIELD(META_INT, es.clearances_in_force) },
	{ "railgate_screening_clearance_sets_total", "counter",
	    "Times the clearances in force were fetched again (one moved or "
	    "expired).", FIELD(META_U64, es.clearances_loaded) },
	{ "railgate_evaluations_in_flight", "gauge",
	    "Trains being evaluated now.", FIELD(META_INT, es.in_flight) },
	{ "railgate_peer_up", "gauge",
	    "1 when the last attempt reached the neighbouring customs.",
	    FIELD(META_INT, ps.up) },
	{ "railgate_peer_sent_total", "counter",
	    "Messages the neighbour took.", FIELD(META_U64, ps.sent) },
	{ "railgate_peer_refused_total", "counter",
	    "Messages the neighbour refused for good.",
	    FIELD(META_U64, ps.refused) },
	{ "railgate_peer_failed_total", "counter",
	    "Attempts at a message that will be retried.",
	    FIELD(META_U64, ps.failed) },
	{ "railgate_peer_received_total", "counter",
	    "Messages received from the neighbour and recorded (repeats too).",
	    FIELD(META_U64, ps.received) },
	{ "railgate_peer_duplicates_total", "counter",
	    "Messages received again and acknowledged without effect.",
	    FIELD(META_U64, ps.duplicates) },
	{ "railgate_peer_rejected_total", "counter",
	    "Messages refused: certificate, signature, staleness, envelope.",
	    FIELD(META_U64, ps.rejected) },
	{ "railgate_pool_pending", "gauge",
	    "Jobs queued or running on the worker pool.",
	    FIELD(META_SIZE, pool_pending) },
};

/* The database's figures, from the last snapshot, written last. */
static const struct meta_metric meta_database[] = {
	{ "railgate_db_snapshot_age_seconds", "gauge",
	    "Age of the database figures below (refreshed at most every 5 s).",
	    META_AGE, 0, NULL, NULL, NULL },
	{ "railgate_trains", "gauge", "Train runs in the database, by state.",
	    JSON_BY("trains", "state", meta_train_states) },
	{ "railgate_notices_outbox", "gauge", "Release notices, by delivery "
	    "state (pending: still to deliver).",
	    JSON_BY("notices", "state", meta_notice_states) },
	{ "railgate_notices_oldest_pending_seconds", "gauge",
	    "Age of the oldest release notice still to deliver (0: none).",
	    JSON("notices_oldest_pending_s") },
	{ "railgate_peer_outbox", "gauge", "Messages to the neighbouring "
	    "customs, by state (pending: still to send).",
	    JSON_BY("peer_outbox", "state", meta_peer_states) },
	{ "railgate_peer_oldest_pending_seconds", "gauge",
	    "Age of the oldest message still to send to the neighbour "
	    "(0: none).", JSON("peer_oldest_pending_s") },
	{ "railgate_clearance_target_seconds", "gauge",
	    "The clearance target ([clearance] target_minutes).",
	    JSON("target_s") },
	{ "railgate_clearance_running", "gauge", "Train runs whose clearance "
	    "clock is running, by flag (amber: amber_left_s or less left; "
	    "red: red_left_s or less; overdue: past the target).",
	    JSON_BY("running.flags", "flag", meta_clock_flags) },
	{ "railgate_clearance_running_max_seconds", "gauge",
	    "The longest running clearance clock (0: none running).",
	    JSON("running.max_elapsed_s") },
	{ "railgate_clearance_finished", "gauge", "Train runs with a final "
	    "decision, cleared within the target or over it.",
	    JSON_BY("finished", "target", meta_finished) },
};

#undef FIELD
#undef JSON
#undef JSON_BY

/* The member at path ("key" or "object.key") of doc, or NULL. */
static json_t *
meta_path(json_t *doc, const char *path)
{
	const char	*dot = strchr(path, '.');
	char		 first[32];

	if (dot == NULL)
		return json_object_get(doc, path);
	snprintf(first, sizeof first, "%.*s", (int)(dot - path), path);
	return json_object_get(json_object_get(doc, first), dot + 1);
}

/* The value of m, a field of f (copied out: its type is m->read's). */
static double
meta_field(const struct meta_metric *m, const struct meta_figures *f)
{
	const char	*p = (const char *)f + m->field;
	uint64_t	 u;
	size_t		 z;
	double		 d;
	int		 i;

	switch (m->read) {
	case META_U64:
		memcpy(&u, p, sizeof u);
		return (double)u;
	case META_INT:
		memcpy(&i, p, sizeof i);
		return i;
	case META_SIZE:
		memcpy(&z, p, sizeof z);
		return (double)z;
	case META_MS:
		memcpy(&d, p, sizeof d);
		return d / 1e3;
	default:
		return 0;
	}
}

/* Writes the families of table v (n of them), reading f and doc. */
static void
meta_write_table(struct buf *b, const struct meta_metric *v, size_t n,
    const struct meta_figures *f, json_t *doc)
{
	const struct meta_metric	*m;
	size_t				 i;

	for (i = 0; i < n; i++) {
		m = &v[i];
		if (m->read == META_JSON_BY)
			meta_gauge_by(b, m->name, m->help, m->label, m->known,
			    meta_path(doc, m->path));
		else if (m->read == META_JSON)
			metric(b, m->name, m->type, m->help, "",
			    json_number_value(meta_path(doc, m->path)));
		else if (m->read == META_AGE)
			metric(b, m->name, m->type, m->help, "",
			    (double)(daemon_now_ms() - meta_snapshot.at_ms) /
			    1e3);
		else
			metric(b, m->name, m->type, m->help, "",
			    meta_field(m, f));
	}
}

/* One metric with its help and type lines. */
static void
metric(struct buf *b, const char *name, const char *type, const char *help,
    const char *labels, double v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s%s %.15g\n", name, help,
	    name, type, name, labels, v);
}

/* GET /metrics: the table's families, then metrics.c's, then the database's. */
void
api_metrics(struct http_ctx *c)
{
	struct meta_figures	f;
	struct buf		b = { 0 };
	int			k;

	meta_snapshot_refresh(c->d);
	memset(&f, 0, sizeof f);
	http_get_stats(c->d->http, &f.hs);
	db_get_stats(c->d->db, &f.ds);
	evaluator_get_stats(c->d->eval, &f.es);
	peer_link_get_stats(c->d->peer, &f.ps);
	stream_hub_get_stats(c->d->stream, &f.ss);
	f.pool_pending = pool_pending(c->d->pool);
	api_session_get_stats(&f.sis);
	buf_printf(&b, "# HELP railgate_http_requests_total HTTP requests "
	    "answered, by status class.\n# TYPE railgate_http_requests_total "
	    "counter\n");
	for (k = 1; k <= 5; k++)
		buf_printf(&b, "railgate_http_requests_total{class=\"%dxx\"} "
		    "%llu\n", k, (unsigned long long)f.hs.by_class[k]);
	meta_write_table(&b, meta_process, nitems(meta_process), &f, NULL);
	metrics_write(&b);
	if (meta_snapshot.doc != NULL)
		meta_write_table(&b, meta_database, nitems(meta_database), &f,
		    meta_snapshot.doc);
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
