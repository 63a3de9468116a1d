/*
 * api.c -- the route table: method, path, roles, handler.
 *
 * This table is the whole authorisation policy: a role reaches exactly
 * the routes that list it (a supervisor also reaches the officer's; see
 * auth_role_allows), and a route lists nobody only when it is public.
 * Below it, what several handlers read and answer alike: a paging number
 * of the query, and a stored manifest that cannot be read.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "daemon/api/api.h"
#include "daemon/api/model_cache.h"
#include "daemon/outcome.h"
#include "daemon/http/auth.h"

/* Officers (and so supervisors) and auditors read trains. */
#define READERS (AUTH_OFFICER | AUTH_AUDITOR)

const struct http_route api_routes[] = {
	{ EVHTTP_REQ_GET, "/healthz", AUTH_NONE, api_healthz,
	    HTTP_ROUTE_PROBE },
	{ EVHTTP_REQ_GET, "/readyz", AUTH_NONE, api_readyz, HTTP_ROUTE_PROBE },
	{ EVHTTP_REQ_GET, "/metrics", AUTH_NONE, api_metrics },
	{ EVHTTP_REQ_GET, "/openapi.json", AUTH_NONE, api_openapi },
	{ EVHTTP_REQ_GET, "/", AUTH_NONE, api_console_index },
	{ EVHTTP_REQ_GET, "/console/{file}", AUTH_NONE, api_console_file },
	{ EVHTTP_REQ_POST, "/v1/session", AUTH_NONE, api_session_post,
	    HTTP_ROUTE_SIGNIN },
	/* Who am I: every authenticated caller, by cookie or token. */
	{ EVHTTP_REQ_GET, "/v1/session", AUTH_OFFICER | AUTH_SUPERVISOR |
	    AUTH_AUDITOR | AUTH_OPERATOR | AUTH_ADMIN | AUTH_DEVICE,
	    api_session_get },
	{ EVHTTP_REQ_DELETE, "/v1/session", AUTH_OFFICER | AUTH_SUPERVISOR |
	    AUTH_AUDITOR | AUTH_OPERATOR | AUTH_ADMIN | AUTH_DEVICE,
	    api_session_delete },
	{ EVHTTP_REQ_PUT, "/v1/session/language", AUTH_OFFICER |
	    AUTH_SUPERVISOR | AUTH_AUDITOR | AUTH_OPERATOR | AUTH_ADMIN |
	    AUTH_DEVICE, api_session_language },
	{ EVHTTP_REQ_POST, "/v1/manifests", AUTH_OPERATOR, api_manifest_post,
	    HTTP_ROUTE_UPLOAD },
	/* An operator reads its own carriers' trains (api_operator.c). */
	{ EVHTTP_REQ_GET, "/v1/trains", READERS | AUTH_OPERATOR,
	    api_trains_list },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}", READERS | AUTH_OPERATOR,
	    api_train_get },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/decision", READERS, api_train_decision },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/manifest", READERS, api_train_manifest },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/audit", READERS, api_train_audit },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/notices", READERS, api_train_notices },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/events", READERS, api_train_events },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/wagons/{wagon}", READERS,
	    api_wagon_get },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/parcels", READERS,
	    api_parcel_list },
	{ EVHTTP_REQ_GET, "/v1/search", READERS, api_search },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/events",
	    AUTH_OPERATOR | AUTH_OFFICER | AUTH_DEVICE, api_train_event },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/wagons/{wagon}/resolution",
	    AUTH_OFFICER, api_wagon_resolution },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/wagons/resolution", AUTH_OFFICER,
	    api_wagons_resolution },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/goods/resolution", AUTH_OFFICER,
	    api_goods_resolution },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/parcels/resolution", AUTH_OFFICER,
	    api_parcels_resolution },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/wagons/{wagon}/override/confirm",
	    AUTH_SUPERVISOR, api_wagon_override_confirm },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/wagons/{wagon}/override/reject",
	    AUTH_SUPERVISOR, api_wagon_override_reject },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/approval", READERS,
	    api_train_approval },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/train-hits/clearance",
	    AUTH_OFFICER, api_train_hit_clearance },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/proposals/{proposal}/confirm",
	    AUTH_SUPERVISOR, api_proposal_confirm },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/proposals/{proposal}/reject",
	    AUTH_SUPERVISOR, api_proposal_reject },
	{ EVHTTP_REQ_GET, "/v1/proposals", AUTH_SUPERVISOR, api_proposals_list },
	/* Screening clearances: an officer proposes, a supervisor decides. */
	{ EVHTTP_REQ_POST, "/v1/screening/clearances", AUTH_OFFICER,
	    api_clearance_propose },
	{ EVHTTP_REQ_GET, "/v1/screening/clearances", READERS,
	    api_clearances_list },
	{ EVHTTP_REQ_GET, "/v1/screening/clearances/{id}", READERS,
	    api_clearance_get },
	{ EVHTTP_REQ_POST, "/v1/screening/clearances/{id}/confirm",
	    AUTH_SUPERVISOR, api_clearance_confirm },
	{ EVHTTP_REQ_POST, "/v1/screening/clearances/{id}/reject",
	    AUTH_SUPERVISOR, api_clearance_reject },
	{ EVHTTP_REQ_POST, "/v1/screening/clearances/{id}/revoke",
	    AUTH_SUPERVISOR, api_clearance_revoke },
	/* Documents (docs/documents.md): an operator uploads for its own
	 * carrier's trains (others are 404) and reads them; officers decide. */
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/documents", AUTH_OPERATOR,
	    api_document_post, HTTP_ROUTE_DOCUMENT },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/documents", READERS | AUTH_OPERATOR,
	    api_documents_list },
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/documents/{doc}",
	    READERS | AUTH_OPERATOR, api_document_get },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/documents/{doc}/accept",
	    AUTH_OFFICER, api_document_accept },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/documents/{doc}/reject",
	    AUTH_OFFICER, api_document_reject },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/approve", AUTH_OFFICER,
	    api_train_approve },
	{ EVHTTP_REQ_POST, "/v1/trains/{id}/take", AUTH_OFFICER,
	    api_train_take },
	{ EVHTTP_REQ_POST, "/v1/notices/{id}/redeliver", AUTH_OFFICER,
	    api_notice_redeliver },
	{ EVHTTP_REQ_PUT, "/v1/subscriptions/{name}", AUTH_ADMIN,
	    api_subscription_put },
	/* Never a secret in the answers (api_subscriptions.c). */
	{ EVHTTP_REQ_GET, "/v1/subscriptions", AUTH_ADMIN,
	    api_subscriptions_list },
	{ EVHTTP_REQ_GET, "/v1/subscriptions/{name}", AUTH_ADMIN,
	    api_subscription_get },
	{ EVHTTP_REQ_DELETE, "/v1/subscriptions/{name}", AUTH_ADMIN,
	    api_subscription_delete },
	{ EVHTTP_REQ_GET, "/v1/audit/verify", AUTH_AUDITOR, api_audit_verify },
	{ EVHTTP_REQ_POST, "/v1/replays", AUTH_AUDITOR, api_replay_post },
	{ EVHTTP_REQ_GET, "/v1/replays", AUTH_AUDITOR, api_replays_list },
	{ EVHTTP_REQ_GET, "/v1/replays/{id}", AUTH_AUDITOR, api_replay_get },
	{ EVHTTP_REQ_GET, "/v1/reports/overrides", AUTH_AUDITOR,
	    api_report_overrides },
	{ EVHTTP_REQ_GET, "/v1/reports/clearance", AUTH_AUDITOR,
	    api_report_clearance },
	{ EVHTTP_REQ_GET, "/v1/reports/hits", AUTH_AUDITOR, api_report_hits },
	/* Auditors only: the bundle holds the audit records of other trains
	 * between this one's and the checkpoint (docs/evidence.md). */
	{ EVHTTP_REQ_GET, "/v1/trains/{id}/bundle", AUTH_AUDITOR,
	    api_train_bundle },
	{ EVHTTP_REQ_GET, "/v1/rulesets/{sha256}", READERS, api_ruleset_get },
	{ EVHTTP_REQ_GET, "/v1/peer", READERS | AUTH_ADMIN, api_peer_status },
	{ EVHTTP_REQ_GET, "/v1/station", READERS, api_station },
	{ EVHTTP_REQ_GET, "/v1/stream", READERS, api_stream },
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];

/* A whole number from 0 to max in the query, or def when absent; -1 bad. */
long
api_query_count(struct http_ctx *c, const char *name, long def, long max)
{
	const char	*s = http_query(c, name);
	char		*end;
	long		 v;

	if (s == NULL)
		return def;
	if (*s < '0' || *s > '9' || strlen(s) > 9)
		return -1;
	v = strtol(s, &end, 10);
	return *end != '\0' || v > max ? -1 : v;
}

/* The model of a run's manifest could not be had (model_cache_get). */
void
api_reply_model_failure(struct http_ctx *c, int status)
{
	if (status < 0 && status != MODEL_CACHE_DAMAGED)
		outcome_reply_store_failure(c, status);
	else
		http_reply_problem(c, 500, "Internal Server Error",
		    "the stored manifest is damaged", NULL, 0);
}
