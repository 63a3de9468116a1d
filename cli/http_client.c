/*
 * http_client.c -- the command line's HTTP client (http_client.h): one
 * daemon URL, in clear or over TLS, one request at a time on libevent.
 *
 * Over https:// the connection is an OpenSSL bufferevent handed to
 * evhttp.  The server's certificate must chain to a trusted CA (the
 * system's, or only --cacert's, as curl takes it) and name the URL's host
 * (its DNS name, or for an address its IP); SNI carries a DNS name.
 * There is no way to turn verification off: an operator whose station
 * has its own CA gives that CA.  A refusal names the URL and OpenSSL's
 * verify reason, which the verify callback records as the chain is
 * checked (the bufferevent's own error queue says only "certificate
 * verify failed").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "manifest/util.h"

#include "cli/http_client.h"

struct http_client {
	char			*url;
	struct http_url		 u;
	struct event_base	*base;
	SSL_CTX			*ctx;		/* https:// only */
	int			 timeout_s;

	/* The request in flight. */
	struct http_answer	*a;
	bool			 answered;	/* answer_cb saw a status */
	int			 req_error;	/* enum evhttp_request_error+1 */
	long			 verify_error;	/* X509_V_OK: none seen */
	int			 verify_depth;
	char			 verify_subject[256];
};

/* Splits the host of an evhttp URI into u (brackets of [::1] removed). */
static int
url_host(const char *host, struct http_url *u)
{
	unsigned char	addr[16];
	size_t		n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof u->host)
		return -1;
	memcpy(u->host, host, n);
	u->host[n] = '\0';
	u->ip_literal = inet_pton(AF_INET, u->host, addr) == 1 ||
	    inet_pton(AF_INET6, u->host, addr) == 1;
	if (strchr(u->host, ':') != NULL && !u->ip_literal)
		return -1;
	snprintf(u->authority, sizeof u->authority, strchr(u->host, ':') !=
	    NULL ? "[%s]:%d" : "%s:%d", u->host, u->port);
	return 0;
}

/* What is wrong with a parsed URI, NULL when it is a daemon's URL. */
static const char *
url_fault(const struct evhttp_uri *uri)
{
	const char	*scheme = evhttp_uri_get_scheme(uri);
	const char	*path = evhttp_uri_get_path(uri);
	int		 port = evhttp_uri_get_port(uri);

	if (scheme == NULL || (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0))
		return "not an http:// or https:// URL";
	if (evhttp_uri_get_userinfo(uri) != NULL)
		return NULL;	/* said without the URL: see http_url_parse */
	if (evhttp_uri_get_host(uri) == NULL ||
	    *evhttp_uri_get_host(uri) == '\0')
		return "no host";
	if (port == 0 || port > 65535)
		return "not a port";
	if ((path != NULL && *path != '\0' && strcmp(path, "/") != 0) ||
	    evhttp_uri_get_query(uri) != NULL ||
	    evhttp_uri_get_fragment(uri) != NULL)
		return "give the daemon's address only (scheme, host, port), "
		    "without a path or query";
	return NULL;
}

int
http_url_parse(const char *url, struct http_url *u, char **cause)
{
	struct evhttp_uri	*uri;
	const char		*fault;
	int			 port;

	memset(u, 0, sizeof *u);
	if ((uri = evhttp_uri_parse_with_flags(url, 0)) == NULL) {
		*cause = xasprintf("%s: not an http:// or https:// URL", url);
		return -1;
	}
	if (evhttp_uri_get_userinfo(uri) != NULL) {
		/* Not echoed: the URL holds a password. */
		*cause = xstrdup("a URL with credentials (user@ or user:pass@) "
		    "is refused: give the token with --token or "
		    "$RAILGATE_TOKEN");
		evhttp_uri_free(uri);
		return -1;
	}
	if ((fault = url_fault(uri)) != NULL) {
		*cause = xasprintf("%s: %s", url, fault);
		evhttp_uri_free(uri);
		return -1;
	}
	u->https = strcasecmp(evhttp_uri_get_scheme(uri), "https") == 0;
	port = evhttp_uri_get_port(uri);
	u->port = port > 0 ? port : u->https ? 443 : 80;
	if (url_host(evhttp_uri_get_host(uri), u) < 0) {
		*cause = xasprintf("%s: not a host name or address", url);
		evhttp_uri_free(uri);
		return -1;
	}
	evhttp_uri_free(uri);
	return 0;
}

/* Records the first fault of the server's chain, for the message. */
static int
verify_cb(int ok, X509_STORE_CTX *st)
{
	SSL			*ssl = X509_STORE_CTX_get_ex_data(st,
				    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct http_client	*c = SSL_get_app_data(ssl);
	X509			*x = X509_STORE_CTX_get_current_cert(st);

	if (!ok && c != NULL && c->verify_error == X509_V_OK) {
		c->verify_error = X509_STORE_CTX_get_error(st);
		c->verify_depth = X509_STORE_CTX_get_error_depth(st);
		if (x != NULL)
			X509_NAME_oneline(X509_get_subject_name(x),
			    c->verify_subject, sizeof c->verify_subject);
	}
	return ok;
}

/* The TLS context: verification on, TLS 1.2 at least.  0 or -1. */
static int
client_tls(struct http_client *c, const char *cacert, char **cause)
{
	char	err[256] = "";

	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL ||
	    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION) != 1) {
		*cause = xstrdup("OpenSSL: no TLS client context");
		return -1;
	}
	if (cacert != NULL && access(cacert, R_OK) != 0) {
		*cause = xasprintf("--cacert %s: %s", cacert, strerror(errno));
		return -1;
	}
	if (cacert != NULL ?
	    SSL_CTX_load_verify_locations(c->ctx, cacert, NULL) != 1 :
	    SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
		ERR_error_string_n(ERR_get_error(), err, sizeof err);
		*cause = cacert != NULL ? xasprintf("--cacert %s: not a PEM file "
		    "of CA certificates (%s)", cacert, err) :
		    xasprintf("the system's CA certificates: %s", err);
		ERR_clear_error();
		return -1;
	}
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, verify_cb);
	return 0;
}

struct http_client *
http_client_new(const char *url, const char *cacert, int timeout_s,
    char **cause)
{
	struct http_client	*c = xcalloc(1, sizeof *c);

	if (cacert == NULL && (cacert = getenv("RAILGATE_CACERT")) != NULL &&
	    *cacert == '\0')
		cacert = NULL;
	if (http_url_parse(url, &c->u, cause) < 0 ||
	    (c->u.https && client_tls(c, cacert, cause) < 0)) {
		http_client_free(c);
		return NULL;
	}
	/* A daemon closing mid-request is an answer's error, not a death. */
	signal(SIGPIPE, SIG_IGN);
	c->url = xstrdup(url);
	c->base = event_base_new();
	c->timeout_s = timeout_s;
	return c;
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	if (c->base != NULL)
		event_base_free(c->base);
	SSL_CTX_free(c->ctx);
	free(c->url);
	free(c);
}

const char *
http_client_url(const struct http_client *c)
{
	return c->url;
}

void
http_answer_clear(struct http_answer *a)
{
	buf_free(&a->body);
	memset(a, 0, sizeof *a);
	a->status = -1;
}

/* The answer, or the connection's failure (req NULL or no status). */
static void
answer_cb(struct evhttp_request *req, void *arg)
{
	struct http_client	*c = arg;
	struct http_answer	*a = c->a;
	struct evbuffer		*in;
	const char		*loc;
	size_t			 n;

	if (req != NULL && evhttp_request_get_response_code(req) != 0) {
		a->status = evhttp_request_get_response_code(req);
		c->answered = true;
		in = evhttp_request_get_input_buffer(req);
		n = evbuffer_get_length(in);
		buf_reserve(&a->body, n + 1);
		evbuffer_remove(in, a->body.data, n);
		a->body.len = n;
		a->body.data[n] = '\0';
		loc = evhttp_find_header(evhttp_request_get_input_headers(req),
		    "Location");
		if (loc != NULL)
			snprintf(a->location, sizeof a->location, "%s", loc);
	}
	event_base_loopexit(c->base, NULL);
}

/* Why the request failed, as evhttp saw it. */
static void
error_cb(enum evhttp_request_error e, void *arg)
{
	struct http_client	*c = arg;

	c->req_error = (int)e + 1;
}

/* A connection to the URL: a TLS one for https://.  NULL on failure. */
static struct evhttp_connection *
client_connect(struct http_client *c)
{
	struct bufferevent	*bev;
	SSL			*ssl;

	if (!c->u.https)
		return evhttp_connection_base_new(c->base, NULL, c->u.host,
		    (unsigned short)c->u.port);
	if ((ssl = SSL_new(c->ctx)) == NULL)
		return NULL;
	SSL_set_app_data(ssl, c);
	if (c->u.ip_literal)
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), c->u.host);
	else {
		SSL_set_tlsext_host_name(ssl, c->u.host);
		SSL_set1_host(ssl, c->u.host);
	}
	bev = bufferevent_openssl_socket_new(c->base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE |
	    BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	return evhttp_connection_base_bufferevent_new(c->base, NULL, bev,
	    c->u.host, (unsigned short)c->u.port);
}

/* Says in a->error why no answer came on conn. */
static void
client_failure(struct http_client *c, struct evhttp_connection *conn,
    struct http_answer *a)
{
	struct bufferevent	*bev = conn != NULL ?
				    evhttp_connection_get_bufferevent(conn) : NULL;
	unsigned long		 ssl_err = 0, e;
	char			 reason[256];

	while (c->u.https && bev != NULL &&
	    (e = bufferevent_get_openssl_error(bev)) != 0)
		if (ssl_err == 0)
			ssl_err = e;
	if (c->verify_error != X509_V_OK)
		snprintf(a->error, sizeof a->error, "%s: the server's "
		    "certificate is refused: %s (depth %d, %s)%s", c->url,
		    X509_verify_cert_error_string(c->verify_error),
		    c->verify_depth, c->verify_subject,
		    c->verify_error == X509_V_ERR_HOSTNAME_MISMATCH ||
		    c->verify_error == X509_V_ERR_IP_ADDRESS_MISMATCH ? "" :
		    "; if the station has its own CA, trust it with --cacert");
	else if (ssl_err != 0) {
		ERR_error_string_n(ssl_err, reason, sizeof reason);
		snprintf(a->error, sizeof a->error, "%s: TLS handshake failed: "
		    "%s (is the daemon serving https:// on that port?)", c->url,
		    reason);
	} else
		snprintf(a->error, sizeof a->error, "%s: no answer: %s", c->url,
		    conn == NULL ? "no connection" :
		    c->req_error == EVREQ_HTTP_TIMEOUT + 1 ? "timed out" :
		    c->req_error == EVREQ_HTTP_INVALID_HEADER + 1 ?
		    "the answer is not HTTP (is the daemon on https://?)" :
		    c->u.https ? "connection refused or closed" :
		    "connection refused or closed (is the daemon on https://?)");
	ERR_clear_error();
}

/* Adds the request's headers to h. */
static void
request_headers(struct http_client *c, struct evkeyvalq *h, const char *token,
    const char *const *headers)
{
	char	*auth;

	evhttp_add_header(h, "Host", c->u.authority);
	if (token != NULL) {
		auth = xasprintf("Bearer %s", token);
		evhttp_add_header(h, "Authorization", auth);
		free(auth);
	}
	for (; headers != NULL && headers[0] != NULL; headers += 2)
		evhttp_add_header(h, headers[0], headers[1]);
}

void
http_client_request(struct http_client *c, int method, const char *path,
    const char *token, const char *const *headers, const void *body,
    size_t len, struct http_answer *a)
{
	struct evhttp_connection	*conn;
	struct evhttp_request		*req;

	memset(a, 0, sizeof *a);
	a->status = -1;
	c->a = a;
	c->answered = false;
	c->req_error = 0;
	c->verify_error = X509_V_OK;
	if ((conn = client_connect(c)) != NULL) {
		evhttp_connection_set_timeout(conn, c->timeout_s);
		req = evhttp_request_new(answer_cb, c);
		evhttp_request_set_error_cb(req, error_cb);
		request_headers(c, evhttp_request_get_output_headers(req), token,
		    headers);
		if (body != NULL)
			evbuffer_add(evhttp_request_get_output_buffer(req), body,
			    len);
		if (evhttp_make_request(conn, req, (enum evhttp_cmd_type)method,
		    path) == 0)
			event_base_dispatch(c->base);
	}
	if (!c->answered)
		client_failure(c, conn, a);
	if (conn != NULL)
		evhttp_connection_free(conn);
	c->a = NULL;
}
