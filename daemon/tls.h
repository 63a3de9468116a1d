/*
 * tls.h -- TLS contexts for the neighbouring customs link, and the
 * server context of the HTTP API (tls_https_ctx_new).
 *
 * Both sides present a certificate; only TLS 1.3 is spoken; the peer's
 * certificate must chain to the one CA pinned in configuration (never the
 * system's trust store), be within its validity period, and name the
 * configured neighbour.  An SSL_CTX made here is owned by the caller
 * (SSL_CTX_free).  Any thread; no global state.
 */
#ifndef DAEMON_TLS_H
#define DAEMON_TLS_H

#include <openssl/ssl.h>

struct tls_config {
	const char	*cert_file;	/* our certificate chain (PEM) */
	const char	*key_file;	/* its private key (PEM, mode 0600) */
	const char	*ca_file;	/* the neighbour's CA (PEM): pinned */
};

/*
 * A server context that requires and verifies a client certificate.
 * NULL with *cause (caller frees) naming the file and what is wrong: a
 * missing or unreadable file, a key file open to group or others, a key
 * that does not match the certificate, a CA file with no certificate.
 */
SSL_CTX *tls_server_ctx_new(const struct tls_config *c, char **cause);
/*
 * The client side of the same: presents our certificate, verifies the
 * server's against the pinned CA (the handshake fails otherwise).
 */
SSL_CTX *tls_client_ctx_new(const struct tls_config *c, char **cause);

/*
 * The HTTP API's server context: TLS 1.2 at least (1.3 preferred),
 * forward-secret AEAD ciphers only under TLS 1.2, no renegotiation, no
 * client certificate asked.  NULL with *cause (caller frees) naming the
 * file: a missing or unreadable one, a key file open to group or others,
 * a key that does not match the certificate.
 */
SSL_CTX *tls_https_ctx_new(const char *cert_file, const char *key_file,
    char **cause);

/*
 * After the handshake: 0 when the peer presented a certificate that
 * verified against the pinned CA and names name exactly (a subjectAltName
 * DNS entry, or the subject CN when there is no DNS entry; no wildcards);
 * -1 otherwise with *cause (caller frees): the verification error
 * ("certificate has expired", "unable to get local issuer certificate"),
 * "no certificate", or what the certificate names ("certificate names
 * CN=rogue, DNS:rogue, DNS:localhost, not dostyk").  May also be called
 * after a failed handshake, to log why the peer was refused; a failure
 * that was not about the certificate (a TLS 1.2 peer) then reads "no
 * certificate", and OpenSSL's error queue says more.
 */
int tls_peer_check(SSL *ssl, const char *name, char **cause);

/*
 * 0 when path is a regular file that group and others have no permission
 * on at all (mode 0600 or 0400); -1 with *cause (naming path) otherwise.
 * The contexts above apply it to key_file.
 */
int tls_key_file_check(const char *path, char **cause);

#endif
