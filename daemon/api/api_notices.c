/*
 * api_notices.c -- release notices seen from the API: a run's notices
 * with their delivery state, an officer's redelivery, and the operators'
 * subscriptions (admin), whose endpoints endpoint.h checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/outcome.h"
#include "daemon/daemon.h"
#include "daemon/http/auth.h"
#include "daemon/notice/endpoint.h"
#include "daemon/log.h"
#include "daemon/notice/notice.h"
#include "daemon/notice/secretbox.h"

#define SUBSCRIPTION_BODY_MAX	(16 * 1024)
#define SUBSCRIPTION_CARRIERS	(AUTH_CARRIERS_LEN + 2)

/* A JSON document, 404 or 503. */
static void
notices_doc_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else if (status == 0)
		http_reply_problem(c, 404, "Not Found", "no such train", NULL, 0);
	else
		http_reply_json(c, 200, text, len);
}

/* GET /v1/trains/{id}/notices */
void
api_train_notices(struct http_ctx *c)
{
	if (api_check_train_id(c))
		store_train_notices(c->d->db, http_param(c, 0), notices_doc_cb,
		    c);
}

static void
redelivered_cb(int status, enum store_outcome outcome, const char *reply,
    void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0) {
		outcome_reply_store_failure(c, status);
		return;
	}
	if (outcome == STORE_OUTCOME_ACCEPTED) {
		log_info("notice %s: redelivery by %s", http_param(c, 0),
		    c->who.name);
		notices_kick(c->d->notices);
		http_reply_json(c, outcome_status(outcome), reply,
		    strlen(reply));
	} else
		http_reply_problem_json(c, outcome_status(outcome), reply);
}

/* POST /v1/notices/{id}/redeliver */
void
api_notice_redeliver(struct http_ctx *c)
{
	store_notice_redeliver(c->d->db, http_param(c, 0), c->who.name,
	    redelivered_cb, c);
}

/*
 * The formats array as a PostgreSQL text[] literal; -1 if not json,
 * cusres or duty (the station's duty endpoint: clearance clock alerts,
 * issue 18), each at most once.
 */
static int
formats_literal(json_t *formats, char *out, size_t size)
{
	size_t		 i, j;
	const char	*f;

	if (!json_is_array(formats) || json_array_size(formats) == 0 ||
	    json_array_size(formats) > 3)
		return -1;
	snprintf(out, size, "{");
	for (i = 0; i < json_array_size(formats); i++) {
		f = json_string_value(json_array_get(formats, i));
		if (f == NULL || (strcmp(f, "json") != 0 &&
		    strcmp(f, "cusres") != 0 && strcmp(f, "duty") != 0))
			return -1;
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(formats, j),
			    json_array_get(formats, i)))
				return -1;
		strncat(out, i > 0 ? "," : "", size - strlen(out) - 1);
		strncat(out, f, size - strlen(out) - 1);
	}
	strncat(out, "}", size - strlen(out) - 1);
	return 0;
}

/*
 * The carriers array (issue 20) as a PostgreSQL text[] literal: each a
 * carrier identifier as tokens name them (auth_carrier_valid()), so
 * nothing in it needs quoting; absent is none (the subscription hears of
 * no train: fail closed).  -1 if malformed or too long.
 */
static int
carriers_literal(json_t *carriers, char *out, size_t size)
{
	const char	*id;
	size_t		 i;

	snprintf(out, size, "{");
	if (carriers != NULL && !json_is_array(carriers))
		return -1;
	for (i = 0; carriers != NULL && i < json_array_size(carriers); i++) {
		id = json_string_value(json_array_get(carriers, i));
		if (id == NULL || !auth_carrier_valid(id) ||
		    strlen(out) + strlen(id) + 3 > size)
			return -1;
		strncat(out, i > 0 ? "," : "", size - strlen(out) - 1);
		strncat(out, id, size - strlen(out) - 1);
	}
	strncat(out, "}", size - strlen(out) - 1);
	return 0;
}

/*
 * Checks a subscription object's fields, as far as they can be checked
 * without blocking: the URL (an address literal included; a host name is
 * resolved by the caller), formats, secret, and the client certificate
 * and key under cfg's client_cert_dir, carriers.  0, or -1 with why (for
 * a 422 or a refused configuration).  formats and carriers
 * (SUBSCRIPTION_CARRIERS bytes) get PostgreSQL array literals.
 */
static int
subscription_check(const struct config *cfg, json_t *o, char *formats,
    size_t fsize, char *carriers, char *why, size_t wsize)
{
	struct endpoint_url	 u;
	struct endpoint_client	 cl;
	const char		*secret, *cert, *key;
	int			 rc;

	secret = json_string_value(json_object_get(o, "secret"));
	cert = json_string_value(json_object_get(o, "client_cert"));
	key = json_string_value(json_object_get(o, "client_key"));
	why[0] = '\0';
	rc = endpoint_url_parse(json_string_value(json_object_get(o, "url")),
	    &u, why, wsize);
	if (rc == 0)
		rc = endpoint_literal_check(u.host, cfg->notice_allow_private,
		    why, wsize);
	endpoint_url_clear(&u);
	if (rc < 0)
		return -1;
	if (formats_literal(json_object_get(o, "formats"), formats, fsize) < 0)
		snprintf(why, wsize, "\"formats\" must list json, cusres "
		    "(release notices) or duty (clearance clock alerts), each "
		    "once");
	else if (carriers_literal(json_object_get(o, "carriers"), carriers,
	    SUBSCRIPTION_CARRIERS) < 0)
		snprintf(why, wsize, "\"carriers\" must be an array of carrier "
		    "identifiers as manifests name them (KZ-KTZE): letters, "
		    "digits and ._:/- only, 1 to 35 each");
	else if (secret == NULL || strlen(secret) < 16)
		snprintf(why, wsize, "\"secret\" must be at least 16 characters "
		    "(whsec_... as Standard Webhooks has it)");
	else if ((cert == NULL) != (key == NULL))
		snprintf(why, wsize, "\"client_cert\" and \"client_key\" go "
		    "together: both or neither");
	else if (cert != NULL) {
		/* Sets why when refused. */
		(void)endpoint_client_load(cfg, cert, key, &cl, why, wsize);
		endpoint_client_clear(&cl);
	}
	return why[0] == '\0' ? 0 : -1;
}

/*
 * Stores a checked subscription object under name, its secret sealed
 * with the notice key (secretbox.h): the database never holds it in
 * clear.  -1 (nothing stored, cb not called) when it cannot be sealed.
 */
static int
subscription_store(struct daemon *d, const char *name, json_t *o,
    const char *formats, const char *carriers, const char *principal,
    store_doc_cb cb, void *arg)
{
	const struct secret_key	*k = notices_secret_key(d->notices);
	char			*sealed, *cause = NULL;

	if (k == NULL || (sealed = secret_seal(k, name, json_string_value(
	    json_object_get(o, "secret")), &cause)) == NULL) {
		log_warnx("subscription %s not stored: %s", name, cause != NULL ?
		    cause : "no notice secret key");
		free(cause);
		return -1;
	}
	if (strcmp(carriers, "{}") == 0 && (strstr(formats, "json") != NULL ||
	    strstr(formats, "cusres") != NULL))
		log_warnx("subscription %s is bound to no carrier: it receives "
		    "no train's notices until \"carriers\" names one", name);
	store_subscription_put(d->db, name,
	    json_string_value(json_object_get(o, "url")), formats, sealed,
	    json_string_value(json_object_get(o, "recipient")),
	    json_object_get(o, "enabled") == NULL ||
	    json_is_true(json_object_get(o, "enabled")),
	    json_string_value(json_object_get(o, "client_cert")),
	    json_string_value(json_object_get(o, "client_key")), carriers,
	    principal, cb, arg);
	free(sealed);
	return 0;
}

/* A PUT whose endpoint host is being resolved. */
struct subscription_put {
	struct http_ctx	*c;
	json_t		*o;
	char		 formats[32];
	char		 carriers[SUBSCRIPTION_CARRIERS];
};

/* The endpoint's host resolved: every address public (or allowed), or not. */
static void
subscription_resolved_cb(int status, const char *address, const char *why,
    void *arg)
{
	struct subscription_put	*p = arg;
	struct http_ctx		*c = p->c;

	if (status < 0) {
		log_warnx("%s subscription %s refused: %s", c->id,
		    http_param(c, 0), why);
		http_reply_problem(c, 422, "Invalid subscription", why, NULL, 0);
	} else if (subscription_store(c->d, http_param(c, 0), p->o,
	    p->formats, p->carriers, c->who.name, notices_doc_cb, c) < 0)
		http_reply_problem(c, 500, "Internal Server Error", "the "
		    "subscription's secret could not be sealed", NULL, 0);
	json_decref(p->o);
	free(p);
}

/*
 * PUT /v1/subscriptions/{name}: {url, formats, secret, carriers?,
 * recipient?, enabled?, client_cert?, client_key?}
 */
void
api_subscription_put(struct http_ctx *c)
{
	const unsigned char	*body;
	struct subscription_put	*p;
	struct endpoint_url	 u;
	json_error_t		 err;
	json_t			*o;
	char			 formats[32], why[512];
	char			 carriers[SUBSCRIPTION_CARRIERS];
	size_t			 len;

	body = http_body(c, &len);
	if (len == 0 || len > SUBSCRIPTION_BODY_MAX ||
	    (o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES,
	    &err)) == NULL || !json_is_object(o)) {
		http_reply_problem(c, 400, "Bad Request", "a subscription is a "
		    "JSON object: url, formats, secret, carriers, recipient, "
		    "enabled",
		    NULL, 0);
		return;
	}
	if (subscription_check(&c->d->cfg, o, formats, sizeof formats,
	    carriers, why, sizeof why) < 0) {
		json_decref(o);
		log_warnx("%s subscription %s refused: %s", c->id,
		    http_param(c, 0), why);
		http_reply_problem(c, 422, "Invalid subscription", why, NULL, 0);
		return;
	}
	/* Where the host resolves to now; again before every delivery. */
	endpoint_url_parse(json_string_value(json_object_get(o, "url")), &u,
	    why, sizeof why);
	p = xcalloc(1, sizeof *p);
	p->c = c;
	p->o = o;
	snprintf(p->formats, sizeof p->formats, "%s", formats);
	snprintf(p->carriers, sizeof p->carriers, "%s", carriers);
	endpoint_resolve(c->d->pool, u.host, c->d->cfg.notice_allow_private,
	    subscription_resolved_cb, p);
	endpoint_url_clear(&u);
}

json_t *
subscriptions_read(const struct config *cfg, const char *path, char **cause)
{
	json_error_t	 err;
	json_t		*a, *o;
	char		 formats[32], why[512];
	char		 carriers[SUBSCRIPTION_CARRIERS];
	size_t		 i;

	if ((a = json_load_file(path, JSON_REJECT_DUPLICATES, &err)) == NULL) {
		*cause = xasprintf("%s:%d:%d: %s", path, err.line, err.column,
		    err.text);
		return NULL;
	}
	if (!json_is_array(a)) {
		*cause = xasprintf("%s: not a JSON array of subscriptions", path);
		json_decref(a);
		return NULL;
	}
	for (i = 0; i < json_array_size(a); i++) {
		o = json_array_get(a, i);
		if (!json_is_object(o) || json_string_value(json_object_get(o,
		    "name")) == NULL) {
			snprintf(why, sizeof why, "an object with a \"name\"");
		} else if (subscription_check(cfg, o, formats, sizeof formats,
		    carriers, why, sizeof why) == 0)
			continue;
		*cause = xasprintf("%s: subscription %zu: %s", path, i + 1, why);
		json_decref(a);
		return NULL;
	}
	return a;
}

/* A subscription from the file is stored (or not). */
static void
subscription_applied_cb(int status, const char *text, size_t len, void *arg)
{
	if (status <= 0)
		log_warnx("a subscription from the configuration was not stored "
		    "(database unavailable); it is applied again on SIGHUP");
}

void
subscriptions_apply(struct daemon *d, json_t *subs, const char *path)
{
	char	 formats[32], principal[300];
	char	 carriers[SUBSCRIPTION_CARRIERS];
	json_t	*o;
	size_t	 i;

	snprintf(principal, sizeof principal, "config:%s", path);
	for (i = 0; i < json_array_size(subs); i++) {
		o = json_array_get(subs, i);
		/* Checked by subscriptions_read(), against the configuration
		 * being loaded; the endpoint's host, before each delivery. */
		if (formats_literal(json_object_get(o, "formats"), formats,
		    sizeof formats) < 0 || carriers_literal(json_object_get(o,
		    "carriers"), carriers, sizeof carriers) < 0)
			continue;
		(void)subscription_store(d, json_string_value(
		    json_object_get(o, "name")), o, formats, carriers,
		    principal, subscription_applied_cb, NULL);
	}
	log_info("%zu subscription(s) applied from %s", json_array_size(subs),
	    path);
}
