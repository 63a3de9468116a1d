/*
 * api_manifests.c -- POST /v1/manifests: a railway operator sends a
 * whole-train manifest (EDIFACT or XML, gzip allowed).
 *
 * The answer comes only after the manifest and its train run are
 * committed: 202 with Location for a train read and stored; 403 when
 * it is not for a carrier the operator's token is bound to (stored,
 * refused; the problem names train.carrier.id: 71_operator.sql); 409
 * when the train's state does not allow it (an original for a train that has one,
 * a replacement of a released train); 422 with the diagnostics when the
 * bytes are not a readable manifest (stored all the same, refused); 503
 * with Retry-After when the database is down (nothing stored), and only
 * then: a value the database refuses is a 422, a fault of ours a 500
 * (outcome_reply_store_failure()).  A repeated Idempotency-Key gets the
 * first answer again.
 */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>

#include "daemon/api/api.h"
#include "daemon/outcome.h"
#include "daemon/daemon.h"
#include "daemon/http/auth.h"
#include "daemon/ingest.h"

#define IDEMPOTENCY_KEY_MAX 200

/* True for a key of 1-200 visible ASCII characters. */
static bool
key_is_valid(const char *k)
{
	size_t	n = strlen(k), i;

	if (n == 0 || n > IDEMPOTENCY_KEY_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (k[i] <= ' ' || k[i] > '~')
			return false;
	return true;
}

/* The stored outcome, answered as it was the first time. */
static void
manifest_stored_cb(const struct ingest_result *r, void *arg)
{
	struct http_ctx	*c = arg;
	const char	*loc;
	json_t		*j;

	if (!r->stored && r->store_status < 0) {
		outcome_reply_store_failure(c, r->store_status);
		return;
	}
	if (!r->stored) {
		http_reply_problem(c, r->http_status, "Manifest not stored",
		    r->error, NULL, 0);
		return;
	}
	if (r->repeated)
		http_add_header(c, "Idempotent-Replayed", "true");
	if (r->http_status == 202) {
		j = json_loads(r->reply, 0, NULL);
		loc = json_string_value(json_object_get(j, "location"));
		if (loc != NULL)
			http_add_header(c, "Location", loc);
		json_decref(j);
		http_reply_json(c, 202, r->reply, strlen(r->reply));
		return;
	}
	http_reply_problem_json(c, r->http_status, r->reply);
}

void
api_manifest_post(struct http_ctx *c)
{
	struct evbuffer		*body = evhttp_request_get_input_buffer(c->req);
	struct ingest_request	 rq = { 0 };
	char			 carriers[AUTH_CARRIERS_LEN + 2];

	rq.source = "http";
	rq.principal = c->who.name;
	/* The route admits operators only; each sends for its carriers. */
	auth_carriers_array(&c->who, carriers, sizeof carriers);
	rq.carriers = carriers;
	rq.key = http_header(c, "Idempotency-Key");
	rq.appointment = http_header(c, "Appointment-Slot") != NULL;
	if (rq.key != NULL && !key_is_valid(rq.key)) {
		http_reply_problem(c, 400, "Bad Request", "Idempotency-Key must be "
		    "1 to 200 visible ASCII characters", NULL, 0);
		return;
	}
	if (evbuffer_get_length(body) == 0) {
		http_reply_problem(c, 400, "Bad Request", "the request has no body: "
		    "send the manifest (EDIFACT or XML, gzip allowed)", NULL, 0);
		return;
	}
	ingest_from_buffer(c->d, &rq, body, manifest_stored_cb, c);
}
