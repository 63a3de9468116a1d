/*
 * endpoint.c -- see endpoint.h.
 *
 * The ranges refused are IANA's special-purpose blocks that are not
 * globally reachable, and multicast: an admin's token must not turn the
 * daemon into a client of its own host (a database on ::1, the cloud's
 * metadata service on 169.254.169.254) or of the station's network.
 * Shared address space (100.64.0.0/10, carrier-grade NAT) is refused too:
 * behind one it is the provider's network, not an operator's.  A host
 * with one refused address among several is refused whole, since which
 * of them a connection takes is not ours to choose.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "manifest/util.h"

#include "daemon/config.h"
#include "daemon/notice/endpoint.h"
#include "daemon/pool.h"

#define CLIENT_FILE_MAX	(256 * 1024)

/* A block of addresses that is not public. */
struct block {
	int		 family;
	unsigned char	 prefix[16];
	int		 bits;
	const char	*kind;
	int		 v4_at;		/* >= 0: the IPv4 address inside, at this byte */
};

static const struct block blocks[] = {
	{ AF_INET, { 0 }, 8, "unspecified (this network)", -1 },
	{ AF_INET, { 10 }, 8, "private", -1 },
	{ AF_INET, { 100, 64 }, 10, "shared (carrier-grade NAT)", -1 },
	{ AF_INET, { 127 }, 8, "loopback", -1 },
	{ AF_INET, { 169, 254 }, 16, "link-local", -1 },
	{ AF_INET, { 172, 16 }, 12, "private", -1 },
	{ AF_INET, { 192, 0, 0 }, 24, "IETF protocol assignment", -1 },
	{ AF_INET, { 192, 0, 2 }, 24, "documentation", -1 },
	{ AF_INET, { 192, 88, 99 }, 24, "6to4 relay", -1 },
	{ AF_INET, { 192, 168 }, 16, "private", -1 },
	{ AF_INET, { 198, 18 }, 15, "benchmarking", -1 },
	{ AF_INET, { 198, 51, 100 }, 24, "documentation", -1 },
	{ AF_INET, { 203, 0, 113 }, 24, "documentation", -1 },
	{ AF_INET, { 224 }, 4, "multicast", -1 },
	{ AF_INET, { 240 }, 4, "reserved or broadcast", -1 },
	{ AF_INET6, { 0 }, 128, "unspecified", -1 },
	{ AF_INET6, { [15] = 1 }, 128, "loopback", -1 },
	{ AF_INET6, { [10] = 0xff, [11] = 0xff }, 96, NULL, 12 },	/* mapped */
	{ AF_INET6, { 0 }, 96, "IPv4-compatible (deprecated)", -1 },
	{ AF_INET6, { 0, 0x64, 0xff, 0x9b }, 96, NULL, 12 },	/* NAT64 */
	{ AF_INET6, { 0, 0x64, 0xff, 0x9b, 0, 1 }, 48, "local NAT64", -1 },
	{ AF_INET6, { 1 }, 64, "discard", -1 },
	{ AF_INET6, { 0x20, 0x01 }, 32, "Teredo", -1 },
	{ AF_INET6, { 0x20, 0x01 }, 23, "IETF protocol assignment", -1 },
	{ AF_INET6, { 0x20, 0x01, 0, 2 }, 48, "benchmarking", -1 },
	{ AF_INET6, { 0x20, 0x01, 0x0d, 0xb8 }, 32, "documentation", -1 },
	{ AF_INET6, { 0x20, 0x02 }, 16, NULL, 2 },		/* 6to4 */
	{ AF_INET6, { 0xfc }, 7, "unique local (private)", -1 },
	{ AF_INET6, { 0xfe, 0x80 }, 10, "link-local", -1 },
	{ AF_INET6, { 0xfe, 0xc0 }, 10, "site-local (deprecated)", -1 },
	{ AF_INET6, { 0xff }, 8, "multicast", -1 },
};

/* True when the first bits of a and b agree. */
static bool
prefix_matches(const unsigned char *a, const unsigned char *b, int bits)
{
	int	whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) &
	    (unsigned char)(0xff << (8 - rest))) == 0;
}

/* The class of the address of family (4 or 16 bytes at a). */
static const char *
address_class(int family, const unsigned char *a)
{
	struct sockaddr_in	in;
	size_t			i;

	for (i = 0; i < nitems(blocks); i++) {
		const struct block *b = &blocks[i];

		if (b->family != family || !prefix_matches(a, b->prefix,
		    b->bits))
			continue;
		if (b->v4_at < 0)
			return b->kind;
		memset(&in, 0, sizeof in);
		in.sin_family = AF_INET;
		memcpy(&in.sin_addr, a + b->v4_at, 4);
		return endpoint_address_class((const struct sockaddr *)&in);
	}
	/* The blocks above are what is known not to be public; IPv6 also
	 * has what is not yet (or no longer) assigned: only global unicast,
	 * 2000::/3, is public (::ffff:0:7f00:1, SIIT's form of 127.0.0.1,
	 * and 5f00::/16 were taken). */
	if (family == AF_INET6 && (a[0] & 0xe0) != 0x20)
		return "reserved (outside global unicast, 2000::/3)";
	return NULL;
}

const char *
endpoint_address_class(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return address_class(AF_INET, (const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6)
		return address_class(AF_INET6, ((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr.s6_addr);
	return "not an Internet address";
}

/* The first byte of url that has no place in one, or NULL. */
static const char *
url_bad_byte(const char *url)
{
	const unsigned char	*p;

	/* Controls, space, DEL, non-ASCII: URLs carry these %-encoded.  A
	 * backslash is a slash to some parsers and not to others. */
	for (p = (const unsigned char *)url; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '\\')
			return (const char *)p;
	return NULL;
}

/* Fills u from the parsed uri; 0, or -1 with why. */
static int
url_fill(const struct evhttp_uri *uri, struct endpoint_url *u, char *why,
    size_t size)
{
	const char	*host = evhttp_uri_get_host(uri);
	const char	*path = evhttp_uri_get_path(uri);
	const char	*query = evhttp_uri_get_query(uri);
	int		 port = evhttp_uri_get_port(uri);
	size_t		 n;

	if (evhttp_uri_get_userinfo(uri) != NULL) {
		snprintf(why, size, "\"url\" must not carry user information "
		    "(user:password@)");
		return -1;
	}
	if (host == NULL || *host == '\0' || port == 0 ||
	    evhttp_uri_get_fragment(uri) != NULL) {
		snprintf(why, size, "\"url\" must name a host (and a port from "
		    "1 to 65535, if any), without a #fragment");
		return -1;
	}
	n = strlen(host);
	u->host = host[0] == '[' ? xasprintf("%.*s", (int)(n - 2), host + 1) :
	    xstrdup(host);
	u->port = port > 0 ? port : u->https ? 443 : 80;
	u->authority = port > 0 ? xasprintf("%s:%d", host, port) :
	    xstrdup(host);
	u->target = xasprintf("%s%s%s", path != NULL && *path != '\0' ? path :
	    "/", query != NULL ? "?" : "", query != NULL ? query : "");
	return 0;
}

int
endpoint_url_parse(const char *url, struct endpoint_url *u, char *why,
    size_t size)
{
	struct evhttp_uri	*uri;
	const char		*bad;
	int			 rc;

	memset(u, 0, sizeof *u);
	if (url == NULL || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0)) {
		snprintf(why, size, "\"url\" must be an http:// or https:// URL");
		return -1;
	}
	if (strlen(url) > ENDPOINT_URL_MAX) {
		snprintf(why, size, "\"url\" is longer than %d bytes",
		    ENDPOINT_URL_MAX);
		return -1;
	}
	if ((bad = url_bad_byte(url)) != NULL) {
		snprintf(why, size, "\"url\" has a control character, a space, a "
		    "backslash or a byte outside ASCII (0x%02x at byte %zu); "
		    "%%-encode it", (unsigned char)*bad, (size_t)(bad - url) + 1);
		return -1;
	}
	u->https = url[4] == 's';
	if ((uri = evhttp_uri_parse_with_flags(url, 0)) == NULL) {
		snprintf(why, size, "\"url\" is not a valid URL (RFC 3986)");
		return -1;
	}
	rc = url_fill(uri, u, why, size);
	evhttp_uri_free(uri);
	return rc;
}

void
endpoint_url_clear(struct endpoint_url *u)
{
	free(u->host);
	free(u->authority);
	free(u->target);
	memset(u, 0, sizeof *u);
}

/* Checks one resolved address; 0, or -1 with why. */
static int
address_check(const char *host, const struct sockaddr *sa, socklen_t len,
    bool allow_private, char *numeric, size_t nsize, char *why, size_t size)
{
	const char	*kind;

	if (getnameinfo(sa, len, numeric, (socklen_t)nsize, NULL, 0,
	    NI_NUMERICHOST) != 0) {
		snprintf(why, size, "\"url\": the address of %s is unreadable",
		    host);
		return -1;
	}
	if ((kind = endpoint_address_class(sa)) != NULL && !allow_private) {
		snprintf(why, size, "\"url\": %s is %s, a %s address; endpoints "
		    "must be public ([notices] allow_private_endpoints)", host,
		    numeric, kind);
		return -1;
	}
	return 0;
}

/*
 * Resolves host (AI_NUMERICHOST with numeric_only) and checks every
 * address; 0 with the first in address, 1 when numeric_only and host is a
 * name, -1 with why.  Blocks unless numeric_only.
 */
static int
resolve_check(const char *host, bool allow_private, bool numeric_only,
    char *address, size_t asize, char *why, size_t size)
{
	struct addrinfo	 hints, *res, *ai;
	char		 numeric[NI_MAXHOST];
	int		 rc, found = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = numeric_only ? AI_NUMERICHOST : 0;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		if (numeric_only && rc == EAI_NONAME)
			return 1;
		snprintf(why, size, "\"url\": the host %s does not resolve (%s)",
		    host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (address_check(host, ai->ai_addr, ai->ai_addrlen,
		    allow_private, numeric, sizeof numeric, why, size) < 0) {
			freeaddrinfo(res);
			return -1;
		}
		if (found++ == 0)
			snprintf(address, asize, "%s", numeric);
	}
	freeaddrinfo(res);
	if (found == 0) {
		snprintf(why, size, "\"url\": the host %s has no IPv4 or IPv6 "
		    "address", host);
		return -1;
	}
	return 0;
}

int
endpoint_literal_check(const char *host, bool allow_private, char *why,
    size_t size)
{
	char	address[NI_MAXHOST];

	return resolve_check(host, allow_private, true, address,
	    sizeof address, why, size) < 0 ? -1 : 0;
}

/* A lookup crossing to a worker and back. */
struct lookup {
	char			*host;
	bool			 allow_private;
	endpoint_resolved_cb	 cb;
	void			*arg;
	int			 status;
	char			 address[NI_MAXHOST];
	char			 why[512];
};

static void
lookup_work(void *arg)
{
	struct lookup	*l = arg;

	l->status = resolve_check(l->host, l->allow_private, false, l->address,
	    sizeof l->address, l->why, sizeof l->why);
}

static void
lookup_cb(void *arg)
{
	struct lookup	*l = arg;

	l->cb(l->status, l->status == 0 ? l->address : NULL,
	    l->status == 0 ? NULL : l->why, l->arg);
	free(l->host);
	free(l);
}

void
endpoint_resolve(struct pool *p, const char *host, bool allow_private,
    endpoint_resolved_cb cb, void *arg)
{
	struct lookup	*l = xcalloc(1, sizeof *l);

	l->host = xstrdup(host);
	l->allow_private = allow_private;
	l->cb = cb;
	l->arg = arg;
	pool_submit(p, POOL_PRIORITY_NORMAL, lookup_work, lookup_cb, l);
}

/*
 * The real path of name (relative to dir, or absolute) into out (PATH_MAX
 * bytes) when it exists and stays inside dir once symbolic links and ".."
 * are resolved; 0 or -1.
 */
static int
path_under(const char *dir, const char *name, char *out)
{
	char	 rdir[PATH_MAX], *joined;
	size_t	 n;
	int	 rc;

	if (*dir == '\0' || name == NULL || *name == '\0' ||
	    realpath(dir, rdir) == NULL)
		return -1;
	joined = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", rdir, name);
	n = strlen(rdir);
	rc = realpath(joined, out) != NULL && strncmp(out, rdir, n) == 0 &&
	    (out[n] == '/' || strcmp(rdir, "/") == 0) ? 0 : -1;
	free(joined);
	return rc;
}

/*
 * The contents of name under dir (see path_under), opened without
 * following a link (one swapped in after realpath), as a memory BIO; NULL
 * -- the same NULL for a file that is missing, unreadable, not a regular
 * file or outside dir, so that the answer tells nothing about the rest of
 * the host's files.
 */
static BIO *
read_under(const char *dir, const char *name)
{
	char		 path[PATH_MAX], *data;
	struct stat	 st;
	BIO		*b = NULL;
	int		 fd;

	if (path_under(dir, name, path) < 0 || (fd = open(path, O_RDONLY |
	    O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    st.st_size <= CLIENT_FILE_MAX) {
		data = xmalloc((size_t)st.st_size);
		if (read(fd, data, (size_t)st.st_size) == st.st_size) {
			b = BIO_new(BIO_s_mem());
			BIO_write(b, data, (int)st.st_size);
		}
		OPENSSL_cleanse(data, (size_t)st.st_size);
		free(data);
	}
	close(fd);
	return b;
}

/*
 * OpenSSL's default passphrase callback reads the terminal: a daemon asks
 * nobody, and an encrypted key is refused.
 */
static int
no_passphrase_cb(char *buf, int size, int rwflag, void *arg)
{
	return -1;
}

/* The certificate and its chain from b; 0 or -1. */
static int
read_certs(BIO *b, struct endpoint_client *c)
{
	X509	*x;

	if ((c->cert = PEM_read_bio_X509(b, NULL, no_passphrase_cb, NULL)) ==
	    NULL)
		return -1;
	c->chain = sk_X509_new_null();
	while ((x = PEM_read_bio_X509(b, NULL, no_passphrase_cb, NULL)) !=
	    NULL)
		sk_X509_push(c->chain, x);
	ERR_clear_error();	/* the end of the file */
	return 0;
}

/* True when key is the private key in the PEM file at path. */
static bool
key_is(const EVP_PKEY *key, const char *path)
{
	EVP_PKEY	*k;
	FILE		*f;
	bool		 same;

	if (path == NULL || *path == '\0' || (f = fopen(path, "re")) == NULL)
		return false;
	k = PEM_read_PrivateKey(f, NULL, no_passphrase_cb, NULL);
	fclose(f);
	same = k != NULL && EVP_PKEY_eq(key, k) == 1;
	EVP_PKEY_free(k);
	ERR_clear_error();
	return same;
}

/* True when key is one of the station's own (config cfg). */
static bool
key_is_stations(const EVP_PKEY *key, const struct config *cfg)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof path, "%s/station-ed25519.pem", cfg->state_dir);
	return key_is(key, path) || key_is(key, cfg->peer_key_file) ||
	    key_is(key, cfg->peer_signing_key);
}

int
endpoint_client_load(const struct config *cfg, const char *cert,
    const char *key, struct endpoint_client *c, char *why, size_t size)
{
	const char	*dir = cfg->notice_client_cert_dir;
	BIO		*cb, *kb = NULL;
	int		 ok;

	memset(c, 0, sizeof *c);
	cb = read_under(dir, cert);
	kb = cb != NULL ? read_under(dir, key) : NULL;
	ok = cb != NULL && kb != NULL && read_certs(cb, c) == 0 &&
	    (c->key = PEM_read_bio_PrivateKey(kb, NULL, no_passphrase_cb,
	    NULL)) != NULL;
	BIO_free(cb);
	BIO_free(kb);
	ERR_clear_error();
	if (!ok) {
		snprintf(why, size, "\"client_cert\" and \"client_key\" must name "
		    "a PEM certificate and its key in the directory [notices] "
		    "client_cert_dir%s that the daemon can read", *dir == '\0' ?
		    " (not configured: no client certificates)" : "");
		return -1;
	}
	if (X509_check_private_key(c->cert, c->key) != 1) {
		ERR_clear_error();
		snprintf(why, size, "\"client_key\" is not the key of "
		    "\"client_cert\"");
		return -1;
	}
	if (key_is_stations(c->key, cfg)) {
		snprintf(why, size, "\"client_key\" is one of this station's own "
		    "keys (the station's signing key or the neighbour link's); "
		    "an operator's endpoint gets a key of its own");
		return -1;
	}
	return 0;
}

int
endpoint_client_use(const struct endpoint_client *c, SSL *ssl)
{
	int	i;

	if (SSL_use_certificate(ssl, c->cert) != 1 ||
	    SSL_use_PrivateKey(ssl, c->key) != 1)
		return -1;
	for (i = 0; c->chain != NULL && i < sk_X509_num(c->chain); i++)
		if (SSL_add1_chain_cert(ssl, sk_X509_value(c->chain, i)) != 1)
			return -1;
	return 0;
}

void
endpoint_client_clear(struct endpoint_client *c)
{
	X509_free(c->cert);
	sk_X509_pop_free(c->chain, X509_free);
	EVP_PKEY_free(c->key);
	memset(c, 0, sizeof *c);
}
