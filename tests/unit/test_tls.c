/*
 * test_tls.c -- the neighbouring link's TLS: real handshakes over a
 * socketpair between contexts made by daemon/tls.c, with certificates
 * made by scripts/border-pki.sh (alashankou and dostyk, each its own CA;
 * rogue, a CA neither pins; stale, an expired certificate).
 *
 * The server side of each handshake runs on a thread; the client on the
 * test's.  In TLS 1.3 the client finishes its handshake before the
 * server has judged the client's certificate, so the client reads one
 * byte from the server to learn whether it was accepted.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "daemon/tls.h"

#include "unit.h"

static char	pki[] = "/tmp/railgate-tls.XXXXXX";

/* The outcome of one handshake, seen from both ends. */
struct tls_result {
	int	 server_ok;	/* handshake completed on the server */
	int	 client_ok;	/* completed, and the server's byte arrived */
	int	 server_check;	/* tls_peer_check on the server's end */
	int	 client_check;
	int	 server_reason;	/* of the first OpenSSL error, or 0 */
	int	 client_reason;
	char	*server_cause;
	char	*client_cause;
};

/* What the server thread needs. */
struct tls_server_arg {
	SSL_CTX			*ctx;
	int			 fd;
	const char		*name;	/* the client it expects */
	struct tls_result	*r;
};

static int
tls_init(void)
{
	char	cmd[512];

	if (mkdtemp(pki) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "sh scripts/border-pki.sh %s alashankou "
	    "dostyk rogue && sh scripts/border-pki.sh --expired %s stale",
	    pki, pki);
	return system(cmd) == 0 ? 0 : -1;
}

static int
tls_clean(void)
{
	char	cmd[512];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", pki);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", pki);
	return 0;
}

/* pki/svc/file into buf. */
static const char *
pki_path(char *buf, size_t len, const char *svc, const char *file)
{
	snprintf(buf, len, "%s/%s/%s", pki, svc, file);
	return buf;
}

/* A context for service svc pinning pin's CA; fails the test if refused. */
static SSL_CTX *
ctx_for(const char *svc, const char *pin, int server)
{
	char			 cert[256], key[256], ca[256], *cause = NULL;
	struct tls_config	 c;
	SSL_CTX			*ctx;

	c.cert_file = pki_path(cert, sizeof cert, svc, "cert.pem");
	c.key_file = pki_path(key, sizeof key, svc, "key.pem");
	c.ca_file = pki_path(ca, sizeof ca, pin, "ca.pem");
	ctx = server ? tls_server_ctx_new(&c, &cause) :
	    tls_client_ctx_new(&c, &cause);
	if (ctx == NULL) {
		fprintf(stderr, "%s pinning %s: %s\n", svc, pin, cause);
		free(cause);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	return ctx;
}

/* The server's end: accept, check the peer, send one byte if accepted. */
static void *
server_main(void *arg)
{
	struct tls_server_arg	*a = arg;
	SSL			*ssl = SSL_new(a->ctx);

	SSL_set_fd(ssl, a->fd);
	a->r->server_ok = SSL_accept(ssl) == 1;
	if (a->r->server_ok)
		(void)SSL_write(ssl, "k", 1);
	a->r->server_reason = ERR_GET_REASON(ERR_get_error());
	ERR_clear_error();
	a->r->server_check = tls_peer_check(ssl, a->name, &a->r->server_cause);
	SSL_free(ssl);
	/* The client reads an end of file rather than waiting. */
	shutdown(a->fd, SHUT_WR);
	return NULL;
}

/* The client's end: connect, wait for the server's byte, check the peer. */
static void
client_run(SSL_CTX *ctx, int fd, const char *name, struct tls_result *r)
{
	SSL	*ssl = SSL_new(ctx);
	char	 byte;

	SSL_set_fd(ssl, fd);
	r->client_ok = SSL_connect(ssl) == 1 && SSL_read(ssl, &byte, 1) == 1;
	r->client_reason = ERR_GET_REASON(ERR_get_error());
	ERR_clear_error();
	r->client_check = tls_peer_check(ssl, name, &r->client_cause);
	SSL_free(ssl);
	shutdown(fd, SHUT_WR);
}

/*
 * One handshake between sctx (expecting a client named cname) and cctx
 * (expecting a server named sname) over a socketpair.
 */
static void
handshake(SSL_CTX *sctx, const char *cname, SSL_CTX *cctx, const char *sname,
    struct tls_result *r)
{
	struct tls_server_arg	a;
	struct timeval		tv = { 5, 0 };
	pthread_t		th;
	int			fds[2], i;

	memset(r, 0, sizeof *r);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	/* A bug here fails the test after 5 s instead of hanging it. */
	for (i = 0; i < 2; i++)
		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	a.ctx = sctx;
	a.fd = fds[0];
	a.name = cname;
	a.r = r;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, server_main, &a), 0);
	client_run(cctx, fds[1], sname, r);
	pthread_join(th, NULL);
	close(fds[0]);
	close(fds[1]);
}

static void
result_clear(struct tls_result *r)
{
	free(r->server_cause);
	free(r->client_cause);
	memset(r, 0, sizeof *r);
}

/* True when s holds sub; prints s when it does not, to show the cause. */
static int
has(const char *s, const char *sub)
{
	if (s != NULL && strstr(s, sub) != NULL)
		return 1;
	fprintf(stderr, "\n  \"%s\" lacks \"%s\"\n", s != NULL ? s : "(null)",
	    sub);
	return 0;
}

/* (a) dostyk and alashankou, each pinning the other's CA. */
static void
t_tls_mutual_handshake(void)
{
	SSL_CTX			*s = ctx_for("alashankou", "dostyk", 1);
	SSL_CTX			*c = ctx_for("dostyk", "alashankou", 0);
	struct tls_result	 r;

	handshake(s, "dostyk", c, "alashankou", &r);
	CU_ASSERT_TRUE(r.server_ok);
	CU_ASSERT_TRUE(r.client_ok);
	CU_ASSERT_EQUAL(r.server_check, 0);
	CU_ASSERT_EQUAL(r.client_check, 0);
	CU_ASSERT_PTR_NULL(r.server_cause);
	CU_ASSERT_PTR_NULL(r.client_cause);
	result_clear(&r);
	SSL_CTX_free(s);
	SSL_CTX_free(c);
}

/* (b) A client whose CA the server does not pin is refused. */
static void
t_tls_unknown_ca_refused(void)
{
	SSL_CTX			*s = ctx_for("alashankou", "dostyk", 1);
	SSL_CTX			*c = ctx_for("rogue", "alashankou", 0);
	SSL_CTX			*rs = ctx_for("rogue", "dostyk", 1);
	SSL_CTX			*dc = ctx_for("dostyk", "alashankou", 0);
	struct tls_result	 r;

	handshake(s, "rogue", c, "alashankou", &r);
	CU_ASSERT_FALSE(r.server_ok);
	CU_ASSERT_FALSE(r.client_ok);
	CU_ASSERT_EQUAL(r.server_check, -1);
	CU_ASSERT_TRUE(has(r.server_cause, "local issuer"));
	result_clear(&r);

	/* The other way: a server from a CA the client does not pin. */
	handshake(rs, "dostyk", dc, "alashankou", &r);
	CU_ASSERT_FALSE(r.client_ok);
	CU_ASSERT_FALSE(r.server_ok);
	CU_ASSERT_EQUAL(r.client_check, -1);
	CU_ASSERT_TRUE(has(r.client_cause, "local issuer"));
	result_clear(&r);
	SSL_CTX_free(s);
	SSL_CTX_free(c);
	SSL_CTX_free(rs);
	SSL_CTX_free(dc);
}

/*
 * (c) The pinned CA but another name: the handshake completes and
 * tls_peer_check says what the certificate names.
 */
static void
t_tls_wrong_name_refused(void)
{
	SSL_CTX			*s = ctx_for("alashankou", "dostyk", 1);
	SSL_CTX			*c = ctx_for("dostyk", "alashankou", 0);
	struct tls_result	 r;

	handshake(s, "khorgos", c, "erenhot", &r);
	CU_ASSERT_TRUE(r.server_ok);
	CU_ASSERT_TRUE(r.client_ok);
	CU_ASSERT_EQUAL(r.server_check, -1);
	CU_ASSERT_EQUAL(r.client_check, -1);
	CU_ASSERT_TRUE(has(r.server_cause,
	    "certificate names CN=dostyk, DNS:dostyk, DNS:localhost, not khorgos"));
	CU_ASSERT_TRUE(has(r.client_cause, "CN=alashankou"));
	CU_ASSERT_TRUE(has(r.client_cause, "not erenhot"));
	result_clear(&r);

	/* No partial or suffix matches: "dosty" is not "dostyk". */
	handshake(s, "dosty", c, "alashankou", &r);
	CU_ASSERT_EQUAL(r.server_check, -1);
	CU_ASSERT_EQUAL(r.client_check, 0);
	result_clear(&r);
	SSL_CTX_free(s);
	SSL_CTX_free(c);
}

/* (d) An expired certificate is refused, from a client or a server. */
static void
t_tls_expired_refused(void)
{
	SSL_CTX			*s = ctx_for("alashankou", "stale", 1);
	SSL_CTX			*c = ctx_for("stale", "alashankou", 0);
	SSL_CTX			*ss = ctx_for("stale", "dostyk", 1);
	SSL_CTX			*dc = ctx_for("dostyk", "stale", 0);
	struct tls_result	 r;

	handshake(s, "stale", c, "alashankou", &r);
	CU_ASSERT_FALSE(r.server_ok);
	CU_ASSERT_FALSE(r.client_ok);
	CU_ASSERT_EQUAL(r.server_check, -1);
	CU_ASSERT_TRUE(has(r.server_cause, "certificate has expired"));
	result_clear(&r);

	handshake(ss, "dostyk", dc, "stale", &r);
	CU_ASSERT_FALSE(r.client_ok);
	CU_ASSERT_FALSE(r.server_ok);
	CU_ASSERT_EQUAL(r.client_check, -1);
	CU_ASSERT_TRUE(has(r.client_cause, "certificate has expired"));
	result_clear(&r);
	SSL_CTX_free(s);
	SSL_CTX_free(c);
	SSL_CTX_free(ss);
	SSL_CTX_free(dc);
}

/* (e) TLS 1.2 is refused by either end. */
static void
t_tls_tls12_refused(void)
{
	SSL_CTX			*s = ctx_for("alashankou", "dostyk", 1);
	SSL_CTX			*c = ctx_for("dostyk", "alashankou", 0);
	SSL_CTX			*s12 = ctx_for("alashankou", "dostyk", 1);
	SSL_CTX			*c12 = ctx_for("dostyk", "alashankou", 0);
	struct tls_result	 r;

	/* Contexts otherwise right, but speaking TLS 1.2 only. */
	SSL_CTX_set_min_proto_version(c12, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(c12, TLS1_2_VERSION);
	SSL_CTX_set_min_proto_version(s12, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(s12, TLS1_2_VERSION);

	handshake(s, "dostyk", c12, "alashankou", &r);
	CU_ASSERT_FALSE(r.server_ok);
	CU_ASSERT_FALSE(r.client_ok);
	CU_ASSERT_EQUAL(r.server_reason, SSL_R_UNSUPPORTED_PROTOCOL);
	CU_ASSERT_EQUAL(r.client_reason, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION);
	CU_ASSERT_EQUAL(r.server_check, -1);
	result_clear(&r);

	handshake(s12, "dostyk", c, "alashankou", &r);
	CU_ASSERT_FALSE(r.server_ok);
	CU_ASSERT_FALSE(r.client_ok);
	CU_ASSERT_EQUAL(r.server_reason, SSL_R_UNSUPPORTED_PROTOCOL);
	CU_ASSERT_EQUAL(r.client_reason, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION);
	CU_ASSERT_EQUAL(r.client_check, -1);
	result_clear(&r);
	SSL_CTX_free(s);
	SSL_CTX_free(c);
	SSL_CTX_free(s12);
	SSL_CTX_free(c12);
}

/* Copies src to dst with mode. */
static void
copy_file(const char *src, const char *dst, mode_t mode)
{
	char	cmd[1024];

	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", src, dst);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(dst, mode), 0);
}

/* (f) A key file open to group or others is refused, naming the file. */
static void
t_tls_loose_key_refused(void)
{
	char			 cert[256], key[256], ca[256], loose[256];
	char			*cause = NULL;
	struct tls_config	 c;

	pki_path(loose, sizeof loose, "alashankou", "loose.pem");
	copy_file(pki_path(key, sizeof key, "alashankou", "key.pem"), loose,
	    0644);
	c.cert_file = pki_path(cert, sizeof cert, "alashankou", "cert.pem");
	c.key_file = loose;
	c.ca_file = pki_path(ca, sizeof ca, "dostyk", "ca.pem");
	CU_ASSERT_PTR_NULL(tls_server_ctx_new(&c, &cause));
	CU_ASSERT_TRUE(has(cause, loose));
	CU_ASSERT_TRUE(has(cause, "chmod 600"));
	free(cause);
	cause = NULL;
	CU_ASSERT_PTR_NULL(tls_client_ctx_new(&c, &cause));
	CU_ASSERT_TRUE(has(cause, loose));
	free(cause);
	cause = NULL;

	/* Group-readable only (0640) is refused too; 0600 passes. */
	chmod(loose, 0640);
	CU_ASSERT_EQUAL(tls_key_file_check(loose, &cause), -1);
	free(cause);
	cause = NULL;
	chmod(loose, 0600);
	CU_ASSERT_EQUAL(tls_key_file_check(loose, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);

	/* A directory is not a key file. */
	CU_ASSERT_EQUAL(tls_key_file_check(pki, &cause), -1);
	CU_ASSERT_TRUE(has(cause, "not a regular file"));
	free(cause);
	unlink(loose);
}

/* (g) A key that is not the certificate's is refused, naming both. */
static void
t_tls_key_mismatch_refused(void)
{
	char			 cert[256], key[256], ca[256], *cause = NULL;
	struct tls_config	 c;

	c.cert_file = pki_path(cert, sizeof cert, "alashankou", "cert.pem");
	c.key_file = pki_path(key, sizeof key, "dostyk", "key.pem");
	c.ca_file = pki_path(ca, sizeof ca, "dostyk", "ca.pem");
	CU_ASSERT_PTR_NULL(tls_server_ctx_new(&c, &cause));
	CU_ASSERT_TRUE(has(cause, "does not match"));
	CU_ASSERT_TRUE(has(cause, key));
	CU_ASSERT_TRUE(has(cause, cert));
	free(cause);
	cause = NULL;

	/* A key of another type (the Ed25519 signing key): the same. */
	pki_path(key, sizeof key, "alashankou", "signing.pem");
	CU_ASSERT_PTR_NULL(tls_client_ctx_new(&c, &cause));
	CU_ASSERT_TRUE(has(cause, "signing.pem: key does not match"));
	free(cause);
}

/* Missing files and a CA file holding no certificate, each named. */
static void
t_tls_bad_files_refused(void)
{
	char			 cert[256], key[256], ca[256], *cause = NULL;
	struct tls_config	 c;

	c.cert_file = pki_path(cert, sizeof cert, "alashankou", "none.pem");
	c.key_file = pki_path(key, sizeof key, "alashankou", "key.pem");
	c.ca_file = pki_path(ca, sizeof ca, "dostyk", "ca.pem");
	CU_ASSERT_PTR_NULL(tls_server_ctx_new(&c, &cause));
	CU_ASSERT_TRUE(has(cause, "none.pem: No such file"));
	free(cause);
	cause = NULL;

	/* A public key is not a certificate. */
	pki_path(cert, sizeof cert, "alashankou", "cert.pem");
	pki_path(ca, sizeof ca, "dostyk", "signing.pub.pem");
	CU_ASSERT_PTR_NULL(tls_client_ctx_new(&c, &cause));
	CU_ASSERT_TRUE(has(cause, "signing.pub.pem: no certificate"));
	free(cause);
	cause = NULL;

	/* A certificate file that is not PEM. */
	pki_path(ca, sizeof ca, "dostyk", "ca.pem");
	pki_path(cert, sizeof cert, "dostyk", "signing.pub.pem");
	CU_ASSERT_PTR_NULL(tls_client_ctx_new(&c, &cause));
	CU_ASSERT_TRUE(has(cause, "cannot load the certificate"));
	free(cause);
}

/* Before any handshake there is no certificate to check. */
static void
t_tls_peer_check_no_certificate(void)
{
	SSL_CTX	*c = ctx_for("dostyk", "alashankou", 0);
	SSL	*ssl = SSL_new(c);
	char	*cause = NULL;

	CU_ASSERT_EQUAL(tls_peer_check(ssl, "alashankou", &cause), -1);
	CU_ASSERT_TRUE(has(cause, "no certificate"));
	free(cause);
	SSL_free(ssl);
	SSL_CTX_free(c);
}

static CU_TestInfo tls_tests[] = {
	{ "t_tls_mutual_handshake", t_tls_mutual_handshake },
	{ "t_tls_unknown_ca_refused", t_tls_unknown_ca_refused },
	{ "t_tls_wrong_name_refused", t_tls_wrong_name_refused },
	{ "t_tls_expired_refused", t_tls_expired_refused },
	{ "t_tls_tls12_refused", t_tls_tls12_refused },
	{ "t_tls_loose_key_refused", t_tls_loose_key_refused },
	{ "t_tls_key_mismatch_refused", t_tls_key_mismatch_refused },
	{ "t_tls_bad_files_refused", t_tls_bad_files_refused },
	{ "t_tls_peer_check_no_certificate", t_tls_peer_check_no_certificate },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("tls", tls_init, tls_clean, tls_tests)
