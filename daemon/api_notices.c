/*
 * api_notices.c -- release notices seen from the API: a run's notices
 * with their delivery state, an officer's redelivery, and the operators'
 * subscriptions (admin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/util.h"

#include "api.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"

#define SUBSCRIPTION_BODY_MAX	(16 * 1024)

/* A JSON document, 404 or 503. */
static void
notices_doc_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		http_reply_unavailable(c);
	else if (status == 0)
		http_reply_problem(c, 404, "Not Found", "no such train", NULL, 0);
	else
		http_reply_json(c, 200, text, len);
}

/* GET /v1/trains/{id}/notices */
void
api_train_notices(struct http_ctx *c)
{
	store_train_notices(c->d->db, http_param(c, 0), notices_doc_cb, c);
}

static void
redelivered_cb(int status, int http_status, const char *reply, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0) {
		http_reply_unavailable(c);
		return;
	}
	if (http_status == 202) {
		log_info("notice %s: redelivery by %s", http_param(c, 0),
		    c->who.name);
		notifier_kick(c->d->notify);
		http_reply_json(c, 202, reply, strlen(reply));
	} else
		http_reply(c, http_status, "application/problem+json", reply,
		    strlen(reply));
}

/* POST /v1/notices/{id}/redeliver */
void
api_notice_redeliver(struct http_ctx *c)
{
	store_notice_redeliver(c->d->db, http_param(c, 0), c->who.name,
	    redelivered_cb, c);
}

/* The formats array as a PostgreSQL text[] literal; -1 if not json/cusres. */
static int
formats_literal(json_t *formats, char *out, size_t size)
{
	size_t		 i;
	const char	*f;

	if (!json_is_array(formats) || json_array_size(formats) == 0 ||
	    json_array_size(formats) > 2)
		return -1;
	snprintf(out, size, "{");
	for (i = 0; i < json_array_size(formats); i++) {
		f = json_string_value(json_array_get(formats, i));
		if (f == NULL || (strcmp(f, "json") != 0 &&
		    strcmp(f, "cusres") != 0))
			return -1;
		strncat(out, i > 0 ? "," : "", size - strlen(out) - 1);
		strncat(out, f, size - strlen(out) - 1);
	}
	strncat(out, "}", size - strlen(out) - 1);
	return 0;
}

/*
 * PUT /v1/subscriptions/{name}: {url, formats, secret, recipient?,
 * enabled?, client_cert?, client_key?}
 */
void
api_subscription_put(struct http_ctx *c)
{
	const unsigned char	*body;
	const char		*url, *secret, *recipient, *cert, *key;
	json_error_t		 err;
	json_t			*o;
	char			 formats[32], why[256];
	size_t			 len;
	int			 enabled;

	body = http_body(c, &len);
	if (len == 0 || len > SUBSCRIPTION_BODY_MAX ||
	    (o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES,
	    &err)) == NULL || !json_is_object(o)) {
		http_reply_problem(c, 400, "Bad Request", "a subscription is a "
		    "JSON object: url, formats, secret, recipient, enabled",
		    NULL, 0);
		return;
	}
	url = json_string_value(json_object_get(o, "url"));
	secret = json_string_value(json_object_get(o, "secret"));
	recipient = json_string_value(json_object_get(o, "recipient"));
	cert = json_string_value(json_object_get(o, "client_cert"));
	key = json_string_value(json_object_get(o, "client_key"));
	enabled = json_object_get(o, "enabled") == NULL ||
	    json_is_true(json_object_get(o, "enabled"));
	why[0] = '\0';
	if (url == NULL || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0))
		snprintf(why, sizeof why, "\"url\" must be an http:// or "
		    "https:// URL");
	else if (formats_literal(json_object_get(o, "formats"), formats,
	    sizeof formats) < 0)
		snprintf(why, sizeof why, "\"formats\" must list json, cusres "
		    "or both");
	else if ((cert == NULL) != (key == NULL) || (cert != NULL &&
	    (access(cert, R_OK) != 0 || access(key, R_OK) != 0)))
		snprintf(why, sizeof why, "\"client_cert\" and \"client_key\" "
		    "name PEM files the daemon can read, both or neither");
	else if (secret == NULL || strlen(secret) < 16)
		snprintf(why, sizeof why, "\"secret\" must be at least 16 "
		    "characters (whsec_... as Standard Webhooks has it)");
	if (why[0] != '\0') {
		json_decref(o);
		http_reply_problem(c, 422, "Invalid subscription", why, NULL, 0);
		return;
	}
	store_subscription_put(c->d->db, http_param(c, 0), url, formats, secret,
	    recipient, enabled, cert, key, c->who.name, notices_doc_cb, c);
	json_decref(o);
}
