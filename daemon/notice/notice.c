/*
 * notice.c -- release notices: the outbox's adapter (daemon/outbox.h)
 * that claims due notices, builds their bodies (JSON webhook or CUSRES),
 * signs and posts them to the subscription's endpoint, and logs how each
 * attempt went.
 *
 * A delivery owns copies of what it was claimed with; the outbox runs
 * its life (build and store the body at the first attempt -> post ->
 * record the attempt -> free).  Bodies are built from the final decision the
 * notice belongs to (a duty notice's clock alert, a train.provisional
 * notice's set-out list) and the notice's own id and creation time only,
 * so that the stored body is the one a replay would build.  The
 * subscription's secret arrives sealed and is opened here, with the
 * notice key (secretbox.h), for the delivery's life only.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "db/store.h"
#include "edi/cusres.h"
#include "manifest/decision.h"
#include "manifest/jsonw.h"
#include "manifest/util.h"

#include "daemon/daemon.h"
#include "daemon/notice/endpoint.h"
#include "daemon/log.h"
#include "daemon/notice/notice.h"
#include "daemon/notice/secretbox.h"
#include "daemon/outbox.h"
#include "daemon/sign.h"

#define NOTICE_LEASE_S		60
#define NOTICE_TIMEOUT_S	10
#define NOTICE_BATCH		32

struct notices {
	struct daemon		*d;
	const struct sign_key	*key;
	char			 key_id[17];
	SSL_CTX			*ssl;		/* NULL until an https:// URL */
	struct secret_key	*secrets;	/* opens subscriptions' secrets */
	struct outbox		*outbox;
};

/* A notice in the outbox, with copies of what it was claimed with. */
struct delivery {
	struct outbox_item	 it;		/* first: the outbox's part */
	struct notices		*n;
	char			*id, *format, *follow_up_of;
	char			*url, *secret, *recipient, *subscription;
	char			*secret_error;	/* why secret is NULL */
	char			*client_cert, *client_key;
	char			*train_no, *decision;
	int64_t			 created;
	struct buf		 body;
	struct endpoint_url	 ep;
};

static void
delivery_free(struct outbox_item *it)
{
	struct delivery	*v = (struct delivery *)it;

	endpoint_url_clear(&v->ep);
	free(v->id);
	free(v->format);
	free(v->follow_up_of);
	free(v->url);
	if (v->secret != NULL)
		OPENSSL_cleanse(v->secret, strlen(v->secret));
	free(v->secret);
	free(v->secret_error);
	free(v->recipient);
	free(v->subscription);
	free(v->client_cert);
	free(v->client_key);
	free(v->train_no);
	free(v->decision);
	buf_free(&v->body);
	free(v);
}

/* The JSON webhook: the notice's id and kind around the final decision. */
static void
build_json(struct delivery *v)
{
	struct jsonw	w;

	jsonw_init(&w, &v->body);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "id", v->id);
	jsonw_kv_string(&w, "type", v->follow_up_of != NULL ?
	    "release_notice.follow_up" : "release_notice");
	jsonw_kv_string(&w, "train", v->train_no);
	jsonw_key(&w, "issued");
	jsonw_time(&w, v->created);
	jsonw_key(&w, "follow_up_of");
	if (v->follow_up_of != NULL)
		jsonw_string(&w, v->follow_up_of);
	else
		jsonw_null(&w);
	jsonw_key(&w, "decision");
	jsonw_raw(&w, v->decision, strlen(v->decision));
	jsonw_object_end(&w);
}

/*
 * The duty webhook (issue 18): the notice's id and kind around the clock
 * alert it was queued with -- train, run, flag, remaining_s, elapsed_s,
 * target_s and the audit record's seq (docs/notices.md).
 */
static void
build_duty(struct delivery *v)
{
	struct jsonw	 w;
	json_t		*a = json_loads(v->decision, 0, NULL);
	const char	*flag = json_string_value(json_object_get(a, "flag"));
	char		 type[32];

	snprintf(type, sizeof type, "clock.%s", flag != NULL ? flag : "alert");
	jsonw_init(&w, &v->body);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "id", v->id);
	jsonw_kv_string(&w, "type", type);
	jsonw_kv_string(&w, "train", v->train_no);
	jsonw_key(&w, "issued");
	jsonw_time(&w, v->created);
	jsonw_key(&w, "alert");
	jsonw_raw(&w, v->decision, strlen(v->decision));
	jsonw_object_end(&w);
	json_decref(a);
}

/* Copies member key of o into w, compact, in its order (null if absent). */
static void
copy_member(struct jsonw *w, json_t *o, const char *key)
{
	char	*text;

	jsonw_key(w, key);
	text = json_dumps(json_object_get(o, key), JSON_COMPACT |
	    JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (text != NULL)
		jsonw_raw(w, text, strlen(text));
	else
		jsonw_null(w);
	free(text);
}

/*
 * The provisional notice (issue 20): the set-out list the notice was
 * queued with (provisional_set_out(), 70_notices.sql) -- the train's
 * decision, the wagons to set out, those whose documents are checked.
 */
static void
build_provisional(struct delivery *v)
{
	struct jsonw	 w;
	json_t		*a = json_loads(v->decision, 0, NULL);

	jsonw_init(&w, &v->body);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "id", v->id);
	jsonw_kv_string(&w, "type", "train.provisional");
	jsonw_kv_string(&w, "train", v->train_no);
	jsonw_key(&w, "issued");
	jsonw_time(&w, v->created);
	copy_member(&w, a, "decision");
	copy_member(&w, a, "set_out");
	copy_member(&w, a, "doc_check");
	/* Containers to stop at the e-commerce site, when any (parcels.md). */
	if (json_object_get(a, "unload") != NULL)
		copy_member(&w, a, "unload");
	jsonw_object_end(&w);
	json_decref(a);
}

/* The CUSRES interchange of edifact-rail.md section 3; -1 if unreadable. */
static int
build_cusres(struct delivery *v)
{
	struct cusres_options	 o = { 0 };
	struct decision		*d;
	char			*cause = NULL, ref[15];

	if ((d = decision_json_read(v->decision, strlen(v->decision),
	    &cause)) == NULL) {
		snprintf(v->it.error, sizeof v->it.error,
		    "decision unreadable: %s", cause);
		free(cause);
		return -1;
	}
	/* UNB 0020 is an..14: the id's last 14 hex digits. */
	snprintf(ref, sizeof ref, "%s", v->id + strlen(v->id) - 14);
	o.notice_id = v->id;
	o.sender = "RAILGATE";
	o.recipient = v->recipient != NULL ? v->recipient : v->subscription;
	o.reference = ref;
	o.issued = v->created;
	edi_write_cusres(d, &o, &v->body);
	decision_free(d);
	return 0;
}

/* First attempt: the body, in the subscription's format. */
static int
delivery_build(struct outbox_item *it)
{
	struct delivery	*v = (struct delivery *)it;

	if (strcmp(v->format, "json") == 0)
		build_json(v);
	else if (strcmp(v->format, "duty") == 0)
		build_duty(v);
	else if (strcmp(v->format, "provisional") == 0)
		build_provisional(v);
	else if (build_cusres(v) < 0) {
		log_warnx("notice %s: %s", v->id, it->error);
		return -1;
	}
	return 0;
}

static void
delivery_store_body(struct outbox_item *it, outbox_stored_cb cb)
{
	struct delivery	*v = (struct delivery *)it;
	struct daemon	*d = v->n->d;

	store_notice_set_body(d->db, v->id, d->instance, v->body.data,
	    v->body.len, cb, it);
}

static void
delivery_unstored(struct outbox_item *it)
{
	log_warnx("notice %s: body not stored (database unavailable)",
	    ((struct delivery *)it)->id);
}

/* The attempt is recorded: logged; the next notices are claimed. */
static bool
delivery_recorded(struct outbox_item *it, const char *result)
{
	struct delivery	*v = (struct delivery *)it;

	if (result == NULL)
		log_warnx("notice %s: attempt not recorded (database "
		    "unavailable); it will be sent again under the same id",
		    v->id);
	else if (strcmp(result, "delivered") == 0)
		log_info("notice %s (%s, train %s) delivered to %s",
		    v->id, v->format, v->train_no, v->subscription);
	else if (strcmp(result, "dead") == 0)
		log_warnx("notice %s (train %s) to %s given up after %d "
		    "attempts: %s; an officer can redeliver it", v->id,
		    v->train_no, v->subscription, it->attempts + 1, it->error);
	return true;
}

/* Records how the attempt went. */
static void
delivery_record(struct outbox_item *it, outbox_recorded_cb cb)
{
	struct delivery	*v = (struct delivery *)it;
	struct daemon	*d = v->n->d;
	struct config	*cfg = &d->cfg;

	if (it->status < 200 || it->status > 299)
		log_info("notice %s to %s: attempt %d failed: %s", v->id,
		    v->subscription, it->attempts + 1, it->error);
	store_notice_attempted(d->db, v->id, d->instance, it->status,
	    it->error[0] != '\0' ? it->error : NULL,
	    outbox_retry_s(it, cfg->notice_retry_ms, cfg->notice_retry_max_s),
	    cfg->notice_max_attempts, cb, it);
}

/* An OpenSSL client context verifying against the system's CAs (and ca_file). */
static SSL_CTX *
notices_ssl(struct notices *n)
{
	const char	*ca = n->d->cfg.notice_ca_file;

	if (n->ssl == NULL) {
		n->ssl = SSL_CTX_new(TLS_client_method());
		SSL_CTX_set_min_proto_version(n->ssl, TLS1_2_VERSION);
		SSL_CTX_set_default_verify_paths(n->ssl);
		if (ca != NULL && ca[0] != '\0' &&
		    SSL_CTX_load_verify_locations(n->ssl, ca, NULL) != 1) {
			log_warnx("notices: CA file %s unusable", ca);
			ERR_clear_error();
		}
		SSL_CTX_set_verify(n->ssl, SSL_VERIFY_PEER, NULL);
	}
	return n->ssl;
}

/* The certificate must name host: its DNS name or, for a literal, its IP. */
static void
expect_peer(SSL *ssl, const char *host)
{
	X509_VERIFY_PARAM	*vp = SSL_get0_param(ssl);

	if (X509_VERIFY_PARAM_set1_ip_asc(vp, host) != 1) {
		ERR_clear_error();
		SSL_set_tlsext_host_name(ssl, host);
		SSL_set1_host(ssl, host);
	}
}

/* The client certificate of the subscription on ssl; 0, or -1 with the error. */
static int
present_client(struct delivery *v, SSL *ssl)
{
	struct endpoint_client	cl;
	int			rc = 0;

	if (endpoint_client_load(&v->n->d->cfg, v->client_cert, v->client_key,
	    &cl, v->it.error, sizeof v->it.error) < 0)
		rc = -1;
	else if (endpoint_client_use(&cl, ssl) < 0) {
		snprintf(v->it.error, sizeof v->it.error, "client certificate "
		    "unusable by TLS");
		ERR_clear_error();
		rc = -1;
	}
	endpoint_client_clear(&cl);
	return rc;
}

/*
 * A connection to address, the endpoint's host as resolved and checked:
 * never a second resolution of the name.  NULL with the error.
 */
static struct evhttp_connection *
delivery_connect(struct delivery *v, const char *address)
{
	SSL	*ssl;

	if (!v->ep.https)
		return outbox_connect(v->n->outbox, NULL, address, v->ep.port);
	ssl = SSL_new(notices_ssl(v->n));
	expect_peer(ssl, v->ep.host);
	if (v->client_cert != NULL && present_client(v, ssl) < 0) {
		SSL_free(ssl);
		return NULL;
	}
	return outbox_connect(v->n->outbox, ssl, address, v->ep.port);
}

/* Posts the body, signed, to address. */
static void
delivery_send(struct delivery *v, const char *address)
{
	struct evhttp_request	*req;
	struct evkeyvalq	*h;
	char			*sig, *ed, ts[24], hdr[256];
	int64_t			 now = (int64_t)time(NULL);

	if ((v->it.conn = delivery_connect(v, address)) == NULL) {
		outbox_record(&v->it);
		return;
	}
	req = outbox_request_new(&v->it);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", v->ep.authority);
	evhttp_add_header(h, "Content-Type", strcmp(v->format, "cusres") == 0 ?
	    "application/EDIFACT" : "application/json");
	snprintf(ts, sizeof ts, "%lld", (long long)now);
	sig = sign_webhook(v->secret, v->id, now, v->body.data, v->body.len);
	evhttp_add_header(h, "webhook-id", v->id);
	evhttp_add_header(h, "webhook-timestamp", ts);
	evhttp_add_header(h, "webhook-signature", sig);
	free(sig);
	/* The station's signature over the body alone: verifiable offline. */
	if (v->n->key != NULL) {
		ed = sign_ed25519(v->n->key, v->body.data, v->body.len);
		snprintf(hdr, sizeof hdr, "keyid=%s,sig=%s", v->n->key_id, ed);
		evhttp_add_header(h, "railgate-signature", hdr);
		free(ed);
	}
	outbox_post(&v->it, req, v->ep.target, v->body.data, v->body.len);
}

/* The endpoint's host is resolved, and every address checked (or not). */
static void
delivery_resolved_cb(int status, const char *address, const char *why,
    void *arg)
{
	struct delivery	*v = arg;

	if (status < 0) {
		snprintf(v->it.error, sizeof v->it.error, "not sent: %s", why);
		outbox_record(&v->it);
		return;
	}
	delivery_send(v, address);
}

/*
 * Checks the URL again and resolves its host now: what it resolved to
 * when the subscription was stored proves nothing about now.
 */
static void
delivery_post(struct outbox_item *it)
{
	struct delivery	*v = (struct delivery *)it;

	if (v->secret == NULL) {	/* never sent unsigned */
		snprintf(it->error, sizeof it->error, "not sent: %s",
		    v->secret_error);
		outbox_record(it);
		return;
	}
	endpoint_url_clear(&v->ep);
	if (endpoint_url_parse(v->url, &v->ep, it->error,
	    sizeof it->error) < 0) {
		outbox_record(it);
		return;
	}
	endpoint_resolve(v->n->d->pool, v->ep.host,
	    v->n->d->cfg.notice_allow_private, delivery_resolved_cb, v);
}

/*
 * The subscription's secret, opened with the notice key (secretbox.h).
 * One that does not open leaves v->secret NULL: the attempt fails with
 * the reason as its last_error, visible in the API.  One in clear (put
 * there by SQL behind the daemon's back) is used, with a warning: it is
 * sealed at the next start.
 */
static void
delivery_open_secret(struct notices *n, struct delivery *v,
    const char *stored)
{
	char	*cause = NULL;

	if (!secret_is_sealed(stored)) {
		log_warnx("notice %s: subscription %s's secret is stored in "
		    "clear; the daemon seals it at its next start", v->id,
		    v->subscription);
		v->secret = xstrdup(stored);
		return;
	}
	if (n->secrets == NULL)
		v->secret_error = xstrdup("no notice secret key loaded");
	else if ((v->secret = secret_open(n->secrets, v->subscription,
	    stored, &cause)) == NULL) {
		v->secret_error = cause;
		log_warnx("notice %s to %s: %s", v->id, v->subscription, cause);
	}
}

/* Starts one claimed notice. */
static void
delivery_start(struct notices *n, const struct store_notice *s)
{
	struct delivery	*v;

	v = outbox_item_new(n->outbox, sizeof *v, s->attempts);
	v->n = n;
	v->id = xstrdup(s->id);
	v->format = xstrdup(s->format);
	v->follow_up_of = s->follow_up_of != NULL ? xstrdup(s->follow_up_of) :
	    NULL;
	v->url = xstrdup(s->url);
	v->recipient = s->recipient != NULL ? xstrdup(s->recipient) : NULL;
	v->subscription = xstrdup(s->subscription);
	delivery_open_secret(n, v, s->secret);
	v->client_cert = s->client_cert != NULL ? xstrdup(s->client_cert) : NULL;
	v->client_key = s->client_key != NULL ? xstrdup(s->client_key) : NULL;
	v->train_no = xstrdup(s->train_no);
	v->decision = xstrdup(s->decision);
	v->created = s->created;
	if (s->body != NULL)
		buf_add(&v->body, s->body, s->body_len);
	outbox_begin(&v->it, s->body != NULL);
}

static void
notices_claimed_cb(int status, const struct store_notice *v, size_t count,
    void *arg)
{
	struct outbox	*ob = arg;
	struct notices	*n = outbox_arg(ob);
	size_t		 i;

	if (outbox_claim_end(ob, status) < 0)
		return;		/* the timer asks again */
	for (i = 0; i < count; i++)
		delivery_start(n, &v[i]);
	outbox_claim_more(ob, count);
}

static void
notices_claim(struct outbox *ob, int batch)
{
	struct notices	*n = outbox_arg(ob);

	store_claim_notices(n->d->db, n->d->instance, batch, NOTICE_LEASE_S,
	    notices_claimed_cb, ob);
}

/* Small bodies: built on the loop, so a busy pool never delays a notice. */
static void notices_release(void *);

static const struct outbox_ops notice_ops = {
	.period_ms = 500,
	.batch = NOTICE_BATCH,
	.max_in_flight = NOTICE_BATCH * 4,
	.timeout_s = NOTICE_TIMEOUT_S,
	.build_on_worker = false,
	.claim = notices_claim,
	.build = delivery_build,
	.store_body = delivery_store_body,
	.unstored = delivery_unstored,
	.send = delivery_post,
	.record = delivery_record,
	.recorded = delivery_recorded,
	.free = delivery_free,
	.release = notices_release,
};

struct notices *
notices_new(struct daemon *d, const struct sign_key *key)
{
	struct notices	*n = xcalloc(1, sizeof *n);

	n->d = d;
	n->key = key;
	if (key != NULL)
		sign_key_id(key, n->key_id);
	n->outbox = outbox_new(d->cycles, d->base, d->pool, &notice_ops, n);
	return n;
}

void
notices_set_secret_key(struct notices *n, struct secret_key *k)
{
	secret_key_free(n->secrets);
	n->secrets = k;
}

const struct secret_key *
notices_secret_key(const struct notices *n)
{
	return n->secrets;
}

void
notices_kick(struct notices *n)
{
	if (n != NULL)
		outbox_kick(n->outbox);
}

/* Frees, from the outbox's cycle, once the database answered everything. */
static void
notices_release(void *arg)
{
	struct notices	*n = arg;

	if (n->ssl != NULL)
		SSL_CTX_free(n->ssl);
	secret_key_free(n->secrets);
	free(n);
}
