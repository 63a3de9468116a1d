/*
 * api_documents.c -- a railway operator's documents for its trains
 * (docs/documents.md): an operator uploads one (a PDF, JPEG or PNG of at
 * most 20 MiB, with its UN/EDIFACT 1001 code, for the train or one
 * consignment), officers, auditors and the operator's carriers list
 * them and fetch their bytes, an officer accepts or rejects one with a
 * reason.
 *
 * What the bytes are is checked here, before anything is stored: the
 * declared Content-Type is one of the three and the bytes begin as that
 * type does; the size is bounded by the route (HTTP_ROUTE_DOCUMENT), so
 * a larger body is refused from its head.  Whose train it is, whether
 * the consignment exists and what a decision may change are checked by
 * the database under the train's lock (db/functions/73_documents.sql).
 * An operator's carriers bound everything it reaches: another carrier's
 * train is "not found".
 *
 * A document's bytes are served as an attachment that nothing may run:
 * its type as stored, nosniff, and a Content-Security-Policy that
 * forbids everything and sandboxes it, so that a crafted "image" opened
 * from the console runs nothing in the console's origin.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <jansson.h>

#include "db/store.h"
#include "rules/rules.h"

#include "daemon/api/api.h"
#include "daemon/daemon.h"
#include "daemon/evaluate.h"
#include "daemon/http/auth.h"
#include "daemon/log.h"
#include "daemon/outcome.h"

#define DOCUMENT_CONSIGNMENT_MAX	350
#define DOCUMENT_REASON_MAX		1000
#define DOCUMENT_CSP	"default-src 'none'; sandbox; frame-ancestors 'none'"

/* The types taken, each with how its bytes begin. */
static const struct document_type {
	const char		*name;
	const char		*ext;
	const unsigned char	*magic;
	size_t			 magic_len;
} document_types[] = {
	{ "application/pdf", "pdf", (const unsigned char *)"%PDF-", 5 },
	{ "image/jpeg", "jpg", (const unsigned char *)"\xff\xd8\xff", 3 },
	{ "image/png", "png", (const unsigned char *)"\x89PNG\r\n\x1a\n", 8 },
};

/* The type a Content-Type header names (parameters ignored), or NULL. */
static const struct document_type *
document_type_declared(const char *header)
{
	size_t	i, n;

	if (header == NULL)
		return NULL;
	n = strcspn(header, "; \t");
	for (i = 0; i < sizeof document_types / sizeof document_types[0]; i++)
		if (strlen(document_types[i].name) == n &&
		    strncasecmp(header, document_types[i].name, n) == 0)
			return &document_types[i];
	return NULL;
}

/* A text of 1 to max bytes with no control character. */
static bool
document_text_ok(const char *s, size_t max)
{
	size_t	n = s != NULL ? strlen(s) : 0;
	size_t	i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* True when s is a document's id: 1 to 18 digits, no leading zero. */
static bool
document_id_ok(const char *s)
{
	size_t	n = strspn(s, "0123456789");

	return n > 0 && n <= 18 && s[n] == '\0' && s[0] != '0';
}

/* The carriers an operator reaches, as an array literal; NULL: any. */
static const char *
document_carriers(const struct http_ctx *c, char *buf, size_t len)
{
	if (c->who.role != AUTH_OPERATOR)
		return NULL;
	auth_carriers_array(&c->who, buf, len);
	return buf;
}

/* The ruleset hash for audit records, or NULL. */
static const char *
document_ruleset(struct http_ctx *c)
{
	const struct rules_ruleset	*rs = evaluator_ruleset(c->d->eval);

	return rs != NULL ? rules_ruleset_hash(rs) : NULL;
}

/* An upload or decision answered. */
static void
document_stored_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct http_ctx	*c = arg;
	json_t		*o;
	const char	*loc, *code, *state;
	bool		 upload = c->route->method == EVHTTP_REQ_POST &&
			    (c->route->flags & HTTP_ROUTE_DOCUMENT);

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (outcome != STORE_OUTCOME_DONE) {
		http_reply_problem_json(c, outcome_status(outcome), reply);
		return;
	}
	o = json_loads(reply, 0, NULL);
	if ((loc = json_string_value(json_object_get(o, "location"))) != NULL &&
	    upload)
		http_add_header(c, "Location", loc);
	code = json_string_value(json_object_get(o, "code"));
	state = json_string_value(json_object_get(o, "state"));
	log_info("train %s: document %s %s by %s", http_param(c, 0),
	    code != NULL ? code : "?", state != NULL ? state : "?",
	    c->who.name);
	json_decref(o);
	if (!upload)
		api_trains_changed();
	http_reply_json(c, upload ? 201 : 200, reply, strlen(reply));
}

/*
 * The upload's query (code, consignment) checked; false with the problem
 * answered.
 */
static bool
document_query_ok(struct http_ctx *c, const char **code, const char **cs)
{
	*code = http_query(c, "code");
	*cs = http_query(c, "consignment");
	if (*code == NULL || strlen(*code) != 3 ||
	    strspn(*code, "0123456789") != 3) {
		http_reply_problem(c, 422, "Invalid document code", "?code= is "
		    "the document's UN/EDIFACT 1001 code, three digits (851 "
		    "phytosanitary certificate, 853 veterinary, 911 import "
		    "licence); nothing was stored", NULL, 0);
		return false;
	}
	if (*cs != NULL && !document_text_ok(*cs, DOCUMENT_CONSIGNMENT_MAX)) {
		http_reply_problem(c, 422, "Invalid consignment", "?consignment= "
		    "is the consignment's reference as the manifest gives it, "
		    "1 to 350 bytes with no control character (leave it out for "
		    "the whole train); nothing was stored", NULL, 0);
		return false;
	}
	return true;
}

/* POST /v1/trains/{id}/documents?code=851[&consignment=REF] */
void
api_document_post(struct http_ctx *c)
{
	struct store_document_upload	 u;
	const struct document_type	*t;
	char				 carriers[AUTH_CARRIERS_LEN + 2];
	char				 why[200];
	const unsigned char		*body;
	size_t				 len;

	if (!api_check_train_id(c) || !document_query_ok(c, &u.code,
	    &u.consignment))
		return;
	if ((t = document_type_declared(http_header(c, "Content-Type"))) ==
	    NULL) {
		http_reply_problem(c, 415, "Unsupported Media Type", "a document "
		    "is sent as application/pdf, image/jpeg or image/png (the "
		    "Content-Type of the request); nothing was stored", NULL, 0);
		return;
	}
	body = http_body(c, &len);
	if (len > HTTP_DOCUMENT_BODY_MAX) {
		http_reply_problem(c, 413, "Payload Too Large", "a document is at "
		    "most 20 MiB; nothing was stored", NULL, 0);
		return;
	}
	if (len < t->magic_len || memcmp(body, t->magic, t->magic_len) != 0) {
		snprintf(why, sizeof why, "the body is not %s: its bytes do not "
		    "begin as one does; nothing was stored", t->name);
		http_reply_problem(c, 415, "Unsupported Media Type", why, NULL, 0);
		return;
	}
	u.train = http_param(c, 0);
	u.carriers = document_carriers(c, carriers, sizeof carriers);
	u.content_type = t->name;
	u.bytes = body;
	u.len = len;
	u.principal = c->who.name;
	u.role = auth_role_name(c->who.role);
	u.ruleset = document_ruleset(c);
	store_document_upload(c->d->db, &u, document_stored_cb, c);
}

/* The list read. */
static void
documents_read_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else if (status == 0)
		http_reply_problem(c, 404, "Not Found", "no such train", NULL, 0);
	else
		http_reply_json(c, 200, text, len);
}

/* GET /v1/trains/{id}/documents */
void
api_documents_list(struct http_ctx *c)
{
	char	carriers[AUTH_CARRIERS_LEN + 2];

	if (!api_check_train_id(c))
		return;
	store_train_documents(c->d->db, http_param(c, 0),
	    document_carriers(c, carriers, sizeof carriers),
	    documents_read_cb, c);
}

/* One document's bytes read: an attachment nothing may run. */
static void
document_content_cb(int status, const char *content_type, const char *sha256,
    const unsigned char *bytes, size_t len, void *arg)
{
	struct http_ctx			*c = arg;
	const struct document_type	*t;
	char				 disp[96];

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	/* Only a type this file serves: never one the database was told. */
	if (status == 0 || (t = document_type_declared(content_type)) == NULL ||
	    bytes == NULL) {
		http_reply_problem(c, 404, "Not Found", "no such document of this "
		    "train", NULL, 0);
		return;
	}
	snprintf(disp, sizeof disp, "attachment; filename=\"document-%s.%s\"",
	    http_param(c, 1), t->ext);
	http_add_header(c, "Content-Disposition", disp);
	http_add_header(c, "Content-Security-Policy", DOCUMENT_CSP);
	http_add_header(c, "Cross-Origin-Resource-Policy", "same-origin");
	if (sha256 != NULL && strlen(sha256) == 64) {
		char	digest[80];

		snprintf(digest, sizeof digest, "\"%s\"", sha256);
		http_add_header(c, "ETag", digest);
	}
	http_reply(c, 200, t->name, (const char *)bytes, len);
}

/* False with 404 answered when the route's {doc} is no document's id. */
static bool
document_param_ok(struct http_ctx *c)
{
	if (document_id_ok(http_param(c, 1)))
		return true;
	http_reply_problem(c, 404, "Not Found", "a document is named by its id, "
	    "a positive number (\"id\" in GET /v1/trains/{id}/documents)",
	    NULL, 0);
	return false;
}

/* GET /v1/trains/{id}/documents/{doc} */
void
api_document_get(struct http_ctx *c)
{
	char	carriers[AUTH_CARRIERS_LEN + 2];

	if (!api_check_train_id(c) || !document_param_ok(c))
		return;
	store_document_content(c->d->db, http_param(c, 0), http_param(c, 1),
	    document_carriers(c, carriers, sizeof carriers),
	    document_content_cb, c);
}

/* An officer's decision: {"reason": "..."} required, one line. */
static void
document_decide(struct http_ctx *c, bool accept)
{
	const unsigned char	*body;
	const char		*reason;
	json_error_t		 err;
	json_t			*o;
	size_t			 len;

	if (!api_check_train_id(c) || !document_param_ok(c))
		return;
	body = http_body(c, &len);
	o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		http_reply_problem(c, 400, "Bad Request", "the body is a JSON "
		    "object: {\"reason\": \"...\"}", NULL, 0);
		return;
	}
	reason = json_string_value(json_object_get(o, "reason"));
	if (!document_text_ok(reason, DOCUMENT_REASON_MAX) ||
	    strspn(reason, " ") == strlen(reason)) {
		json_decref(o);
		http_reply_problem(c, 422, "Reason required", "\"reason\" says "
		    "why, in one line of at most 1000 bytes: the railway and the "
		    "auditor read it", NULL, 0);
		return;
	}
	store_document_decide(c->d->db, http_param(c, 0), http_param(c, 1),
	    accept, reason, c->who.name, auth_role_name(c->who.role),
	    document_ruleset(c), document_stored_cb, c);
	json_decref(o);
}

/* POST /v1/trains/{id}/documents/{doc}/accept */
void
api_document_accept(struct http_ctx *c)
{
	document_decide(c, true);
}

/* POST /v1/trains/{id}/documents/{doc}/reject */
void
api_document_reject(struct http_ctx *c)
{
	document_decide(c, false);
}
