/*
 * config_listen.c -- the rule on where the API may listen in clear
 * (config.h, config_check_listen): bearer tokens and session cookies
 * travel in every request, so plain HTTP is for loopback only, unless the
 * configuration says otherwise in so many words.  A host name other than
 * "localhost" counts as not loopback: what it resolves to may change, and
 * the rule fails closed.  Pure functions on a struct config; any thread.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "manifest/util.h"

#include "daemon/config.h"

bool
config_host_is_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

/* The host part of "host:port" or "[v6]:port" into out; "" if none. */
static void
listen_host(const char *listen, char *out, size_t size)
{
	const char	*colon = strrchr(listen, ':');
	size_t		 n = colon != NULL ? (size_t)(colon - listen) :
			    strlen(listen);

	if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	if (n >= size)
		n = 0;
	memcpy(out, listen, n);
	out[n] = '\0';
}

int
config_check_listen(const struct config *cfg, char **warning, char **cause)
{
	bool	cert = cfg->tls_cert_file[0] != '\0';
	bool	key = cfg->tls_key_file[0] != '\0';
	char	host[256];

	*warning = NULL;
	if (cert != key) {
		*cause = xasprintf("daemon.%s is set but daemon.%s is empty: TLS "
		    "needs both", cert ? "tls_cert_file" : "tls_key_file",
		    cert ? "tls_key_file" : "tls_cert_file");
		return -1;
	}
	if (cert)
		return 0;
	listen_host(cfg->listen, host, sizeof host);
	if (config_host_is_loopback(host))
		return 0;
	if (!cfg->allow_plaintext_http) {
		*cause = xasprintf("daemon.listen %s is not a loopback address "
		    "and no TLS certificate is configured: tokens and session "
		    "cookies would cross the network in clear.  Set "
		    "daemon.tls_cert_file and daemon.tls_key_file, or listen on "
		    "127.0.0.1 behind a TLS proxy, or set daemon."
		    "allow_plaintext_http = yes to accept it", cfg->listen);
		return -1;
	}
	*warning = xasprintf("daemon.listen %s is not a loopback address and "
	    "the API is served without TLS (allow_plaintext_http = yes): "
	    "tokens and session cookies cross the network in clear",
	    cfg->listen);
	return 0;
}
