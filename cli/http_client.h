/*
 * http_client.h -- the command line's HTTP client: what `railgate submit`
 * and `railgate replay --url` use to talk to a daemon, in clear
 * (http://) or over TLS (https://) with the server's certificate and
 * name verified, never without.
 *
 * A client holds the parsed URL, an event base and, for https://, the
 * OpenSSL context (the system's CAs, or only the file given by --cacert
 * or $RAILGATE_CACERT; TLS 1.2 at least).  Each request opens its own
 * connection, waits for the answer and closes it.  Main thread only.
 */
#ifndef CLI_HTTP_CLIENT_H
#define CLI_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "manifest/util.h"

/* A daemon's URL: scheme, host and port; nothing else is taken. */
struct http_url {
	bool	https;
	char	host[256];	/* without brackets: 127.0.0.1, ::1, a name */
	int	port;		/* 80 or 443 when the URL gives none */
	bool	ip_literal;	/* host is an IPv4 or IPv6 address */
	char	authority[300];	/* as the Host header: host:port, [::1]:port */
};

/* One answer: status -1 when none came, and error says why. */
struct http_answer {
	int		status;
	struct buf	body;		/* NUL-terminated when status >= 0 */
	char		location[256];	/* its Location header, or "" */
	char		error[512];	/* why there was no answer */
};

/*
 * Parses url into u: http:// or https://, a host, an optional port and
 * at most "/" as path.  0, or -1 with *cause (caller frees) saying what
 * is wrong: another scheme, credentials (user:pass@), a query...
 */
int http_url_parse(const char *url, struct http_url *u, char **cause);

struct http_client;

/*
 * A client for url; cacert (NULL: $RAILGATE_CACERT, else the system's
 * CAs) is the PEM file of the CAs trusted for https://.  timeout_s
 * bounds each request.  NULL with *cause (caller frees).
 */
struct http_client *http_client_new(const char *url, const char *cacert,
    int timeout_s, char **cause);
/* Frees c (NULL accepted). */
void http_client_free(struct http_client *c);
/* The URL as given (borrowed). */
const char *http_client_url(const struct http_client *c);

/*
 * Sends method (EVHTTP_REQ_*) path with "Authorization: Bearer token"
 * when token is not NULL, the headers (NULL-terminated name, value
 * pairs) and body (len bytes, none when NULL), and waits for the answer
 * in *a (cleared first; the caller clears it with http_answer_clear).
 */
void http_client_request(struct http_client *c, int method, const char *path,
    const char *token, const char *const *headers, const void *body,
    size_t len, struct http_answer *a);
/* Frees what a holds. */
void http_answer_clear(struct http_answer *a);

#endif
