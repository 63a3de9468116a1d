/*
 * api.h -- the HTTP API (docs/contracts.md, "The HTTP API"; daemon/api/): the route table
 * (which is also the authorisation table: each route lists the roles it
 * admits) and the handlers, one file per resource (api_*.c).  railgated.c
 * hands the table to the transport (daemon/http/, struct http_app) and
 * subscribes the API's kept copies to the core's change hooks
 * (daemon/hooks.h); nothing outside this room calls a handler.  Loop
 * thread only.
 */
#ifndef DAEMON_API_API_H
#define DAEMON_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/http/http.h"

extern const struct http_route api_routes[];
extern const size_t api_route_count;

/* api_meta.c */
void api_healthz(struct http_ctx *c);
void api_readyz(struct http_ctx *c);
void api_metrics(struct http_ctx *c);
void api_openapi(struct http_ctx *c);
/* GET /v1/station: the console's station settings (time zone, languages). */
void api_station(struct http_ctx *c);

/* api_console.c: the officer console's static files (no data in them) */
void api_console_index(struct http_ctx *c);
void api_console_file(struct http_ctx *c);

/* api_manifests.c */
void api_manifest_post(struct http_ctx *c);

/* api_trains.c */
/* Checks the route's {id} is a train id; answers 400 itself when not. */
bool api_check_train_id(struct http_ctx *c);
/* api.c: a paging number of the query (0..max; def when absent; -1 bad) */
long api_query_count(struct http_ctx *c, const char *name, long def,
    long max);
/* api.c: 500 for a damaged stored manifest, else the store's failure */
void api_reply_model_failure(struct http_ctx *c, int status);
void api_trains_list(struct http_ctx *c);
void api_train_get(struct http_ctx *c);
void api_train_decision(struct http_ctx *c);
void api_train_manifest(struct http_ctx *c);
void api_train_audit(struct http_ctx *c);
void api_train_events(struct http_ctx *c);
/* Something this daemon did changed the train list: drop the kept copy. */
void api_trains_changed(void);

/* api_operator.c: a railway operator's own trains (docs/operator.md);
 * api_trains_list and api_train_get hand an operator's request here. */
void api_operator_trains_list(struct http_ctx *c);
void api_operator_train_get(struct http_ctx *c);

/* api_wagon.c: one wagon's page */
void api_wagon_get(struct http_ctx *c);

/* api_parcel_list.c: a train's parcel list (docs/parcels.md) */
void api_parcel_list(struct http_ctx *c);

/* api_search.c: the console's search */
void api_search(struct http_ctx *c);

/* api_events.c */
void api_train_event(struct http_ctx *c);

/* api_parcels.c: an e-commerce train's parcels (docs/parcels.md) */
/* A parcel_scan event (body: its canonical JSON) whose tracking number
 * is checked against the run's manifest before it is stored. */
void api_parcel_scan(struct http_ctx *c, const char *body,
    const char *tracking, const char *device);
void api_parcels_resolution(struct http_ctx *c);

/* api_officers.c */
void api_wagon_resolution(struct http_ctx *c);
void api_wagons_resolution(struct http_ctx *c);
void api_goods_resolution(struct http_ctx *c);
void api_train_approve(struct http_ctx *c);
void api_train_approval(struct http_ctx *c);
void api_wagon_override_confirm(struct http_ctx *c);
void api_wagon_override_reject(struct http_ctx *c);
void api_train_hit_clearance(struct http_ctx *c);
void api_proposal_confirm(struct http_ctx *c);
void api_proposal_reject(struct http_ctx *c);
void api_proposals_list(struct http_ctx *c);

/* api_screening.c: screening clearances (docs/screening.md) */
void api_clearance_propose(struct http_ctx *c);
void api_clearance_confirm(struct http_ctx *c);
void api_clearance_reject(struct http_ctx *c);
void api_clearance_revoke(struct http_ctx *c);
void api_clearances_list(struct http_ctx *c);
void api_clearance_get(struct http_ctx *c);

/* api_documents.c: operators' documents (docs/documents.md) */
void api_document_post(struct http_ctx *c);
void api_documents_list(struct http_ctx *c);
void api_document_get(struct http_ctx *c);
void api_document_accept(struct http_ctx *c);
void api_document_reject(struct http_ctx *c);

/* api_take.c */
void api_train_take(struct http_ctx *c);

/* api_notices.c */
void api_train_notices(struct http_ctx *c);
void api_notice_redeliver(struct http_ctx *c);
void api_subscription_put(struct http_ctx *c);
/* api_subscriptions.c */
void api_subscriptions_list(struct http_ctx *c);
void api_subscription_get(struct http_ctx *c);
void api_subscription_delete(struct http_ctx *c);
/*
 * Subscriptions from the configuration ([notices] subscriptions): the
 * file read and every entry checked against cfg, the configuration being
 * loaded (NULL with *cause, caller frees), then stored, as PUT
 * /v1/subscriptions/NAME would.  An endpoint's host name is not resolved
 * here (that would block the loop); each delivery checks it.
 */
struct json_t;
struct config;
struct json_t *subscriptions_read(const struct config *cfg, const char *path,
    char **cause);
void subscriptions_apply(struct daemon *d, struct json_t *subs,
    const char *path);

/* api_session.c: officers' sign-in sessions */
void api_session_post(struct http_ctx *c);
void api_session_get(struct http_ctx *c);
void api_session_delete(struct http_ctx *c);
void api_session_language(struct http_ctx *c);
/* Sign-ins since start, for /metrics. */
struct api_session_stats {
	uint64_t	signins;
	uint64_t	signin_failures;
	uint64_t	signin_throttled;	/* answered 429 */
	uint64_t	signouts;
};
void api_session_get_stats(struct api_session_stats *out);

/* api_audit.c */
void api_audit_verify(struct http_ctx *c);
void api_train_bundle(struct http_ctx *c);
void api_ruleset_get(struct http_ctx *c);

/* api_replays.c: the auditor's replays (docs/auditor.md) */
void api_replay_post(struct http_ctx *c);
void api_replay_get(struct http_ctx *c);
void api_replays_list(struct http_ctx *c);

/* api_reports.c: the auditor's reports across trains */
void api_report_overrides(struct http_ctx *c);
void api_report_clearance(struct http_ctx *c);
void api_report_hits(struct http_ctx *c);
/* A date or timestamp as 2026-01-31[T12:00:00[.sss][Z|+hh:mm]] (not NULL). */
bool api_time_ok(const char *s);

/* api_stream.c */
void api_stream(struct http_ctx *c);

/* api_peer.c */
void api_peer_status(struct http_ctx *c);

#endif
