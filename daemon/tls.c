/*
 * tls.c -- TLS 1.3 contexts with a pinned CA for the neighbouring customs
 * link, and the check of the peer's identity after the handshake; the
 * HTTP API's server context (tls_https_ctx_new), whose clients are
 * browsers and scripts with the system's trust store, hence TLS 1.2 too.
 *
 * Trust is what the configuration names and nothing else: a context's
 * certificate store starts empty and receives the certificates of the
 * CA file only (never the system's store), and both sides verify the
 * peer's chain during the handshake (the server refusing a client that
 * presents none).  That the peer is the configured neighbour, and not
 * another service holding a certificate from the same CA, is checked
 * afterwards by tls_peer_check, so the caller can log who was refused.
 *
 * Session resumption is off: every connection proves its certificate
 * again, so an expired certificate is refused on the next connection
 * rather than living on in a ticket.
 *
 * OpenSSL's errors are taken off the thread's error queue into the
 * cause string; nothing here prints.  No global state; any thread.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "manifest/util.h"

#include "daemon/tls.h"

/* Room for a certificate's names in a cause string. */
#define TLS_NAMES_MAX	256

static char	*tls_ossl_cause(const char *path, const char *what);
static int	 tls_file_check(const char *path, char **cause);
static int	 tls_load_ca(SSL_CTX *ctx, const char *path, int server,
		     char **cause);
static int	 tls_key_mismatch(const struct tls_config *c, char **cause);
static int	 tls_load_identity(SSL_CTX *ctx, const struct tls_config *c,
		     char **cause);
static SSL_CTX	*tls_ctx_new(const struct tls_config *c, int server,
		     char **cause);
static void	 tls_cert_names(X509 *cert, char *out, size_t len);

/*
 * "path: what: reason" with the earliest error on the queue (the root
 * cause; later entries say only which call failed); clears the queue so
 * that the next operation on this thread starts clean.
 */
static char *
tls_ossl_cause(const char *path, const char *what)
{
	unsigned long	 e = ERR_get_error();
	char		 reason[256];

	ERR_clear_error();
	if (e == 0)
		return xasprintf("%s: %s", path, what);
	ERR_error_string_n(e, reason, sizeof reason);
	return xasprintf("%s: %s (%s)", path, what, reason);
}

/* A readable file: OpenSSL's own message for a missing one is obscure. */
static int
tls_file_check(const char *path, char **cause)
{
	int	fd;

	if (path == NULL || *path == '\0') {
		*cause = xstrdup("no file configured");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

int
tls_key_file_check(const char *path, char **cause)
{
	struct stat	st;

	if (path == NULL || *path == '\0') {
		*cause = xstrdup("no key file configured");
		return -1;
	}
	if (stat(path, &st) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: key file is not a regular file", path);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*cause = xasprintf("%s: key file is open to group or others "
		    "(mode %04o); chmod 600 it", path,
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/*
 * Puts every certificate of the CA file, and nothing else, into the
 * context's store; a server also names them to clients as the acceptable
 * issuers, so a client holding several certificates picks the right one.
 */
static int
tls_load_ca(SSL_CTX *ctx, const char *path, int server, char **cause)
{
	X509_STORE		*store = SSL_CTX_get_cert_store(ctx);
	STACK_OF(X509_NAME)	*names;
	BIO			*b;
	X509			*x;
	int			 n = 0;

	if (tls_file_check(path, cause) < 0)
		return -1;
	if ((b = BIO_new_file(path, "r")) == NULL) {
		*cause = tls_ossl_cause(path, "cannot open the CA file");
		return -1;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(store, x) != 1) {
			X509_free(x);
			BIO_free(b);
			*cause = tls_ossl_cause(path, "cannot trust the CA");
			return -1;
		}
		X509_free(x);
		n++;
	}
	BIO_free(b);
	/* The loop ends on "no start line" at the end of the file. */
	ERR_clear_error();
	if (n == 0) {
		*cause = xasprintf("%s: no certificate in the CA file", path);
		return -1;
	}
	if (server) {
		if ((names = SSL_load_client_CA_file(path)) == NULL) {
			*cause = tls_ossl_cause(path, "cannot read the CA's name");
			return -1;
		}
		SSL_CTX_set_client_CA_list(ctx, names);	/* consumes names */
	}
	return 0;
}

/* -1 with the cause for a key that is not the certificate's. */
static int
tls_key_mismatch(const struct tls_config *c, char **cause)
{
	ERR_clear_error();
	*cause = xasprintf("%s: key does not match the certificate %s",
	    c->key_file, c->cert_file);
	return -1;
}

/* Our certificate chain and its key, which must be private and match. */
static int
tls_load_identity(SSL_CTX *ctx, const struct tls_config *c, char **cause)
{
	if (tls_file_check(c->cert_file, cause) < 0 ||
	    tls_key_file_check(c->key_file, cause) < 0)
		return -1;
	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert_file) != 1) {
		*cause = tls_ossl_cause(c->cert_file,
		    "cannot load the certificate");
		return -1;
	}
	/*
	 * Loading a key of the certificate's type already compares the two;
	 * a key of another type loads into its own slot, and only
	 * SSL_CTX_check_private_key then finds the certificate without it.
	 */
	if (SSL_CTX_use_PrivateKey_file(ctx, c->key_file,
	    SSL_FILETYPE_PEM) != 1) {
		if (ERR_GET_REASON(ERR_peek_last_error()) ==
		    X509_R_KEY_VALUES_MISMATCH)
			return tls_key_mismatch(c, cause);
		*cause = tls_ossl_cause(c->key_file,
		    "cannot load the private key");
		return -1;
	}
	if (SSL_CTX_check_private_key(ctx) != 1)
		return tls_key_mismatch(c, cause);
	return 0;
}

/* What the server and client contexts share; server adds its demands. */
static SSL_CTX *
tls_ctx_new(const struct tls_config *c, int server, char **cause)
{
	SSL_CTX	*ctx;
	int	 mode = SSL_VERIFY_PEER;

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL) {
		*cause = tls_ossl_cause("TLS", "cannot make a context");
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1) {
		*cause = tls_ossl_cause("TLS", "cannot require TLS 1.3");
		goto fail;
	}
	if (tls_load_identity(ctx, c, cause) < 0 ||
	    tls_load_ca(ctx, c->ca_file, server, cause) < 0)
		goto fail;
	if (server) {
		mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_num_tickets(ctx, 0);
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_verify(ctx, mode, NULL);
	return ctx;

fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
tls_server_ctx_new(const struct tls_config *c, char **cause)
{
	return tls_ctx_new(c, 1, cause);
}

SSL_CTX *
tls_client_ctx_new(const struct tls_config *c, char **cause)
{
	return tls_ctx_new(c, 0, cause);
}

/*
 * TLS 1.2's suites, for clients without 1.3: ECDHE and AEAD only (no
 * CBC, no RSA key exchange, no DHE), as Mozilla's "intermediate" list.
 */
#define TLS_HTTPS_CIPHERS \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

SSL_CTX *
tls_https_ctx_new(const char *cert_file, const char *key_file, char **cause)
{
	const struct tls_config	 c = { cert_file, key_file, NULL };
	SSL_CTX			*ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		*cause = tls_ossl_cause("TLS", "cannot make a context");
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, TLS_HTTPS_CIPHERS) != 1) {
		*cause = tls_ossl_cause("TLS", "cannot require TLS 1.2 and "
		    "its AEAD ciphers");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
	/* An idle keep-alive connection holds no 34 KiB of record buffers. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (tls_load_identity(ctx, &c, cause) < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * The names a certificate claims, for a cause: its subject, then its DNS
 * subjectAltNames ("CN=rogue, DNS:rogue, DNS:localhost"), cut to fit.
 */
static void
tls_cert_names(X509 *cert, char *out, size_t len)
{
	GENERAL_NAMES	*sans;
	GENERAL_NAME	*g;
	BIO		*b = BIO_new(BIO_s_mem());
	int		 i, n;

	*out = '\0';
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
		g = sk_GENERAL_NAME_value(sans, i);
		if (g->type != GEN_DNS)
			continue;
		BIO_printf(b, ", DNS:%.*s", ASN1_STRING_length(g->d.dNSName),
		    (const char *)ASN1_STRING_get0_data(g->d.dNSName));
	}
	GENERAL_NAMES_free(sans);
	n = BIO_read(b, out, (int)len - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

int
tls_peer_check(SSL *ssl, const char *name, char **cause)
{
	X509	*cert;
	long	 v;
	int	 rc;
	char	 names[TLS_NAMES_MAX];

	if (name == NULL || *name == '\0') {
		*cause = xstrdup("no peer name configured");
		return -1;
	}
	/* First: after a refused handshake the result is all there is. */
	if ((v = SSL_get_verify_result(ssl)) != X509_V_OK) {
		*cause = xstrdup(X509_verify_cert_error_string(v));
		return -1;
	}
	if ((cert = SSL_get1_peer_certificate(ssl)) == NULL) {
		*cause = xstrdup("no certificate");
		return -1;
	}
	/*
	 * DNS subjectAltNames, or the CN when there are none; no wildcards,
	 * since the neighbour is one named service, not a domain.
	 */
	rc = X509_check_host(cert, name, strlen(name),
	    X509_CHECK_FLAG_NO_WILDCARDS, NULL);
	if (rc != 1) {
		ERR_clear_error();
		tls_cert_names(cert, names, sizeof names);
		*cause = xasprintf("certificate names %s, not %s",
		    *names != '\0' ? names : "nothing", name);
	}
	X509_free(cert);
	return rc == 1 ? 0 : -1;
}
