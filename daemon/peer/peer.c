/*
 * peer.c -- the link's life: configuration checked at start, the TLS
 * contexts and the neighbour's key loaded, the neighbour registered so
 * that final decisions queue messages for it, and the sender's outbox
 * (daemon/outbox.h) started, whose cycle stops and frees the link.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <openssl/x509.h>

#include "db/peer.h"
#include "manifest/util.h"

#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/outbox.h"
#include "daemon/peer/peer.h"
#include "daemon/peer/peer_link.h"
#include "daemon/sign.h"
#include "daemon/tls.h"

/* The neighbour is registered: final decisions now queue its messages. */
static void
peer_registered_cb(int status, void *arg)
{
	struct peer_link	*l = arg;

	if (status < 0)
		log_warnx("peer: neighbour %s not registered yet (database "
		    "unavailable); retried at the next tick", l->neighbour);
	else
		outbox_kick(l->outbox);
}

/*
 * Logs a certificate the listener refuses (an unknown CA, an expired
 * certificate): the handshake fails before any request exists to answer.
 */
static int
peer_verify_cb(int ok, X509_STORE_CTX *x)
{
	X509	*cert = X509_STORE_CTX_get_current_cert(x);
	char	 subject[256] = "?";

	if (!ok) {
		if (cert != NULL)
			X509_NAME_oneline(X509_get_subject_name(cert), subject,
			    sizeof subject);
		log_warnx("peer: certificate %s refused: %s", subject,
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)));
	}
	return ok;
}

/* Every [peer] file and name the link needs; 0, or -1 with *cause. */
static int
peer_config_check(const struct config *c, char **cause)
{
	const char	*missing = NULL;

	if (c->peer_neighbour[0] == '\0')
		missing = "neighbour";
	else if (c->peer_url[0] == '\0')
		missing = "url";
	else if (c->peer_cert_file[0] == '\0')
		missing = "cert_file";
	else if (c->peer_key_file[0] == '\0')
		missing = "key_file";
	else if (c->peer_ca_file[0] == '\0')
		missing = "ca_file";
	else if (c->peer_public_key[0] == '\0')
		missing = "public_key";
	if (missing != NULL) {
		*cause = xasprintf("[peer] name is set but %s is not", missing);
		return -1;
	}
	if (strncmp(c->peer_url, "https://", 8) != 0) {
		*cause = xasprintf("[peer] url %s: the link is https:// only",
		    c->peer_url);
		return -1;
	}
	return 0;
}

struct peer_link *
peer_link_new(struct daemon *d, char **cause)
{
	const struct config	*c = &d->cfg;
	struct tls_config	 tc = { c->peer_cert_file, c->peer_key_file,
				    c->peer_ca_file };
	struct peer_link	*l;

	*cause = NULL;
	if (c->peer_name[0] == '\0')
		return NULL;
	if (peer_config_check(c, cause) < 0)
		return NULL;
	l = xcalloc(1, sizeof *l);
	l->d = d;
	l->name = xstrdup(c->peer_name);
	l->neighbour = xstrdup(c->peer_neighbour);
	if (c->peer_signing_key[0] != '\0' && (l->own_key =
	    sign_key_load(c->peer_signing_key, 0, cause)) == NULL) {
		peer_link_release(l);
		return NULL;
	}
	l->signing = l->own_key != NULL ? l->own_key : d->station_key;
	if ((l->neighbour_key = sign_key_load_public(c->peer_public_key,
	    cause)) == NULL ||
	    (l->client_ctx = tls_client_ctx_new(&tc, cause)) == NULL ||
	    (c->peer_listen[0] != '\0' &&
	    (l->server_ctx = tls_server_ctx_new(&tc, cause)) == NULL) ||
	    (l->server_ctx != NULL && peer_in_listen(l, cause) < 0)) {
		peer_link_release(l);
		return NULL;
	}
	if (l->server_ctx != NULL)
		SSL_CTX_set_verify(l->server_ctx,
		    SSL_CTX_get_verify_mode(l->server_ctx), peer_verify_cb);
	/* Once a second: a message whose retry is due, or one a restart left. */
	l->outbox = outbox_new(d->cycles, d->base, d->pool, &peer_out_ops, l);
	store_peer_register(d->db, l->neighbour, peer_registered_cb, l);
	log_info("peer: link %s <-> %s (%s)%s%s", l->name, l->neighbour,
	    c->peer_url, l->server_ctx != NULL ? ", listening on " : "",
	    l->server_ctx != NULL ? c->peer_listen : "");
	return l;
}

void
peer_link_kick(struct peer_link *l)
{
	if (l != NULL)
		outbox_kick(l->outbox);
}

void
peer_link_release(void *arg)
{
	struct peer_link	*l = arg;

	if (l->http != NULL)
		evhttp_free(l->http);
	SSL_CTX_free(l->client_ctx);
	SSL_CTX_free(l->server_ctx);
	sign_key_free(l->neighbour_key);
	sign_key_free(l->own_key);
	free(l->name);
	free(l->neighbour);
	free(l);
}

int
peer_link_receiving(const void *arg)
{
	return ((const struct peer_link *)arg)->receiving;
}

void
peer_link_get_stats(const struct peer_link *l, struct peer_link_stats *out)
{
	if (l == NULL)
		memset(out, 0, sizeof *out);
	else
		*out = l->stats;
}
