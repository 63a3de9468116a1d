/*
 * endpoint.h -- where a release notice may go, and what the daemon
 * presents there.
 *
 * An operator's endpoint is named by an admin through the API, so the
 * daemon must not let it point back inside the station: the URL is
 * checked byte by byte (http or https, no user information, no control
 * characters), its host is resolved and every address it resolves to is
 * checked against the ranges that are not public (loopback, private,
 * link-local, ...) unless [notices] allow_private_endpoints says yes --
 * when the subscription is stored and again before each delivery, which
 * connects to the very address that was checked (a name that resolves
 * elsewhere by then is not followed).  Resolution blocks, so it runs on a
 * worker; the answer comes back on the loop thread.
 *
 * A client certificate and its key are read only from under [notices]
 * client_cert_dir (realpath, then O_NOFOLLOW), with one answer for a file
 * that is missing and one that is not allowed, and never when the key is
 * one of the station's own.
 */
#ifndef DAEMON_NOTICE_ENDPOINT_H
#define DAEMON_NOTICE_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

struct config;
struct pool;
struct sockaddr;

#define ENDPOINT_URL_MAX	2048

/* A checked endpoint URL; owns its strings. */
struct endpoint_url {
	bool	 https;
	char	*host;		/* to resolve and to verify: no [] around IPv6 */
	char	*authority;	/* the Host header: host[:port] as written */
	int	 port;		/* explicit, or 80/443 */
	char	*target;	/* path?query, at least "/" */
};

/*
 * Checks url and fills u; 0, or -1 with why (naming "url") filled.  Free
 * u with endpoint_url_clear() either way.
 */
int endpoint_url_parse(const char *url, struct endpoint_url *u, char *why,
    size_t size);
void endpoint_url_clear(struct endpoint_url *u);

/*
 * What kind of address that is not public sa is ("loopback", "private",
 * ...), or NULL for a public one.  IPv4 inside IPv6 (mapped, NAT64,
 * 6to4) is judged by the IPv4 address.
 */
const char *endpoint_address_class(const struct sockaddr *sa);

/*
 * If host is an IP address literal that is not public (and allow_private
 * is false): -1 with why.  0 otherwise, names included (they are checked
 * when resolved).  Does not block.
 */
int endpoint_literal_check(const char *host, bool allow_private, char *why,
    size_t size);

/*
 * Called on the loop thread: status 0 with the numeric address to connect
 * to (every address of the host passed), or -1 with why.
 */
typedef void (*endpoint_resolved_cb)(int status, const char *address,
    const char *why, void *arg);

/* Resolves host on a worker of p and checks its addresses; loop thread. */
void endpoint_resolve(struct pool *p, const char *host, bool allow_private,
    endpoint_resolved_cb cb, void *arg);

/* A client certificate (with its chain) and key; owned. */
struct endpoint_client {
	X509		*cert;
	STACK_OF(X509)	*chain;
	EVP_PKEY	*key;
};

/*
 * Reads cert and key from under cfg's client_cert_dir and checks that the
 * key is the certificate's and none of the station's own keys (the
 * station key, the neighbour link's TLS and signing keys); 0, or -1 with
 * why (naming the fields).  Free c with endpoint_client_clear().
 */
int endpoint_client_load(const struct config *cfg, const char *cert,
    const char *key, struct endpoint_client *c, char *why, size_t size);
/* Presents c on ssl; 0 or -1. */
int endpoint_client_use(const struct endpoint_client *c, SSL *ssl);
void endpoint_client_clear(struct endpoint_client *c);

#endif
