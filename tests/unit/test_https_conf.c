/*
 * test_https_conf.c -- the API's TLS set-up: where the daemon may listen
 * in clear (config_check_listen), and the HTTPS server context
 * (tls_https_ctx_new): a loose key file and a key that is not the
 * certificate's are refused naming the file; TLS 1.2 is served, 1.1 is
 * not.  Certificates from scripts/border-pki.sh.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "daemon/config.h"
#include "daemon/tls.h"

#include "unit.h"

static char	pki[] = "/tmp/railgate-https.XXXXXX";

static int
https_init(void)
{
	char	cmd[512];

	/* A refused handshake may close the socketpair under a write. */
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(pki) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "sh scripts/border-pki.sh %s station other",
	    pki);
	return system(cmd) == 0 ? 0 : -1;
}

static int
https_clean(void)
{
	char	cmd[512];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", pki);
	return system(cmd) == 0 ? 0 : -1;
}

static bool
has(const char *s, const char *what)
{
	return s != NULL && strstr(s, what) != NULL;
}

/* A configuration at its defaults with listen, TLS files and the flag. */
static void
conf(struct config *cfg, const char *listen, const char *cert,
    const char *key, bool allow)
{
	config_defaults(cfg);
	free(cfg->listen);
	free(cfg->tls_cert_file);
	free(cfg->tls_key_file);
	cfg->listen = strdup(listen);
	cfg->tls_cert_file = strdup(cert);
	cfg->tls_key_file = strdup(key);
	cfg->allow_plaintext_http = allow;
}

/* config_check_listen on one configuration: its result, *cause kept. */
static int
check(const char *listen, const char *cert, const char *key, bool allow,
    char **warning, char **cause)
{
	struct config	cfg;
	int		rc;

	*cause = NULL;
	conf(&cfg, listen, cert, key, allow);
	rc = config_check_listen(&cfg, warning, cause);
	config_free(&cfg);
	return rc;
}

/* Loopback is always fine in clear: 127/8, ::1, localhost. */
static void
t_https_loopback_plain_accepted(void)
{
	static const char *const ok[] = { "127.0.0.1:8080", "127.1.2.3:80",
	    "[::1]:8080", "localhost:8080", "LOCALHOST:1",
	    "[::ffff:127.0.0.1]:9" };
	char	*w, *cause;
	size_t	 i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		CU_ASSERT_EQUAL(check(ok[i], "", "", false, &w, &cause), 0);
		CU_ASSERT_PTR_NULL(w);
		CU_ASSERT_PTR_NULL(cause);
	}
	CU_ASSERT_TRUE(config_host_is_loopback("127.0.0.1"));
	CU_ASSERT_FALSE(config_host_is_loopback("128.0.0.1"));
	CU_ASSERT_FALSE(config_host_is_loopback("localhost.example"));
}

/* Any other address in clear is refused, naming it and the way out. */
static void
t_https_public_plain_refused(void)
{
	static const char *const bad[] = { "0.0.0.0:8080", "10.1.2.3:8080",
	    "[::]:8080", "[2001:db8::1]:443", "station.example:8080",
	    "126.255.255.255:1" };
	char	*w, *cause;
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_EQUAL(check(bad[i], "", "", false, &w, &cause), -1);
		CU_ASSERT_TRUE(has(cause, bad[i]));
		CU_ASSERT_TRUE(has(cause, "not a loopback address"));
		CU_ASSERT_TRUE(has(cause, "allow_plaintext_http"));
		free(cause);
	}
}

/* With allow_plaintext_http: accepted, with a warning to log. */
static void
t_https_plain_allowed_warns(void)
{
	char	*w = NULL, *cause;

	CU_ASSERT_EQUAL(check("0.0.0.0:8080", "", "", true, &w, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_TRUE(has(w, "0.0.0.0:8080"));
	CU_ASSERT_TRUE(has(w, "without TLS"));
	free(w);
}

/* With TLS any address goes; half a TLS configuration does not. */
static void
t_https_tls_any_address(void)
{
	char	*w, *cause;

	CU_ASSERT_EQUAL(check("0.0.0.0:8443", "c.pem", "k.pem", false, &w,
	    &cause), 0);
	CU_ASSERT_PTR_NULL(w);
	CU_ASSERT_EQUAL(check("127.0.0.1:8443", "c.pem", "", false, &w,
	    &cause), -1);
	CU_ASSERT_TRUE(has(cause, "tls_cert_file is set but daemon."
	    "tls_key_file is empty"));
	free(cause);
	CU_ASSERT_EQUAL(check("127.0.0.1:8443", "", "k.pem", true, &w,
	    &cause), -1);
	CU_ASSERT_TRUE(has(cause, "tls_key_file is set"));
	free(cause);
}

/* The parameters are in the table, with their defaults. */
static void
t_https_defaults(void)
{
	struct config	cfg;

	config_defaults(&cfg);
	CU_ASSERT_STRING_EQUAL(cfg.listen, "127.0.0.1:8080");
	CU_ASSERT_STRING_EQUAL(cfg.tls_cert_file, "");
	CU_ASSERT_STRING_EQUAL(cfg.tls_key_file, "");
	CU_ASSERT_FALSE(cfg.allow_plaintext_http);
	config_free(&cfg);
}

/* pki/svc/file into buf. */
static const char *
pki_path(char *buf, size_t len, const char *svc, const char *file)
{
	snprintf(buf, len, "%s/%s/%s", pki, svc, file);
	return buf;
}

/* A key file group or others may read is refused, naming it. */
static void
t_https_loose_key_refused(void)
{
	char	 cert[256], key[256], loose[300], cmd[1200], *cause = NULL;
	SSL_CTX	*ctx;

	pki_path(cert, sizeof cert, "station", "cert.pem");
	pki_path(key, sizeof key, "station", "key.pem");
	ctx = tls_https_ctx_new(cert, key, &cause);
	CU_ASSERT_PTR_NOT_NULL(ctx);
	SSL_CTX_free(ctx);
	snprintf(loose, sizeof loose, "%s/loose.pem", pki);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s' && chmod 640 '%s'", key, loose,
	    loose);
	CU_ASSERT_EQUAL(system(cmd), 0);
	CU_ASSERT_PTR_NULL(tls_https_ctx_new(cert, loose, &cause));
	CU_ASSERT_TRUE(has(cause, loose));
	CU_ASSERT_TRUE(has(cause, "open to group or others"));
	free(cause);
	unlink(loose);
}

/* A key that is not the certificate's, or a missing file, is refused. */
static void
t_https_mismatch_refused(void)
{
	char	 cert[256], key[256], *cause = NULL;

	pki_path(cert, sizeof cert, "station", "cert.pem");
	pki_path(key, sizeof key, "other", "key.pem");
	CU_ASSERT_PTR_NULL(tls_https_ctx_new(cert, key, &cause));
	CU_ASSERT_TRUE(has(cause, "key does not match"));
	CU_ASSERT_TRUE(has(cause, key));
	CU_ASSERT_TRUE(has(cause, cert));
	free(cause);
	cause = NULL;
	pki_path(cert, sizeof cert, "station", "none.pem");
	pki_path(key, sizeof key, "station", "key.pem");
	CU_ASSERT_PTR_NULL(tls_https_ctx_new(cert, key, &cause));
	CU_ASSERT_TRUE(has(cause, "none.pem: No such file"));
	free(cause);
}

/* The server end of one handshake. */
struct hs_arg {
	SSL_CTX	*ctx;
	int	 fd;
	int	 ok;
};

static void *
hs_server(void *p)
{
	struct hs_arg	*a = p;
	SSL		*ssl = SSL_new(a->ctx);

	SSL_set_fd(ssl, a->fd);
	a->ok = SSL_accept(ssl) == 1;
	SSL_free(ssl);
	close(a->fd);
	ERR_clear_error();
	return NULL;
}

/*
 * A handshake with the HTTPS context by a client limited to version v:
 * the version agreed, or 0 when refused.
 */
static int
handshake_at(int v)
{
	char		 cert[256], key[256], *cause = NULL;
	struct hs_arg	 a = { 0 };
	pthread_t	 t;
	SSL_CTX		*cc = SSL_CTX_new(TLS_client_method());
	SSL		*ssl;
	int		 sv[2], got = 0;

	pki_path(cert, sizeof cert, "station", "cert.pem");
	pki_path(key, sizeof key, "station", "key.pem");
	a.ctx = tls_https_ctx_new(cert, key, &cause);
	if (a.ctx == NULL || cc == NULL ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		free(cause);
		return -1;
	}
	/* OpenSSL's default security level refuses 1.1 on the client too. */
	SSL_CTX_set_security_level(cc, 0);
	SSL_CTX_set_cipher_list(cc, "ALL:@SECLEVEL=0");
	SSL_CTX_set_min_proto_version(cc, v);
	SSL_CTX_set_max_proto_version(cc, v);
	a.fd = sv[1];
	pthread_create(&t, NULL, hs_server, &a);
	ssl = SSL_new(cc);
	SSL_set_fd(ssl, sv[0]);
	if (SSL_connect(ssl) == 1)
		got = SSL_version(ssl);
	ERR_clear_error();
	SSL_free(ssl);
	close(sv[0]);
	pthread_join(t, NULL);
	SSL_CTX_free(cc);
	SSL_CTX_free(a.ctx);
	return a.ok ? got : 0;
}

/* 1.3 and 1.2 are served; 1.1 is refused. */
static void
t_https_versions(void)
{
	CU_ASSERT_EQUAL(handshake_at(TLS1_3_VERSION), TLS1_3_VERSION);
	CU_ASSERT_EQUAL(handshake_at(TLS1_2_VERSION), TLS1_2_VERSION);
	CU_ASSERT_EQUAL(handshake_at(TLS1_1_VERSION), 0);
}

static CU_TestInfo https_conf_tests[] = {
	{ "t_https_loopback_plain_accepted", t_https_loopback_plain_accepted },
	{ "t_https_public_plain_refused", t_https_public_plain_refused },
	{ "t_https_plain_allowed_warns", t_https_plain_allowed_warns },
	{ "t_https_tls_any_address", t_https_tls_any_address },
	{ "t_https_defaults", t_https_defaults },
	{ "t_https_loose_key_refused", t_https_loose_key_refused },
	{ "t_https_mismatch_refused", t_https_mismatch_refused },
	{ "t_https_versions", t_https_versions },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("https_conf", https_init, https_clean, https_conf_tests)
