/*
 * test_https.c -- the API over TLS (issue 20, item 4): a daemon with
 * daemon.tls_cert_file and tls_key_file, a certificate from its own CA
 * (scripts/border-pki.sh), and a client on OpenSSL that verifies it.
 *
 * Asserted over https: /healthz, with Strict-Transport-Security and TLS
 * 1.3; a bearer token's GET /v1/trains, and the guard's refusals before
 * routing (no token 401, a Content-Length over max_body_mb 413) arriving
 * encrypted; a gzip-encoded POST /v1/manifests; the SSE stream carrying
 * the train's event; a session cookie marked Secure.  Refused: plain HTTP
 * on the TLS port (no HTTP answer), a TLS 1.1 client, a client dripping
 * its handshake (cut by the request clock, as a slow head is in clear).
 * SIGHUP reads the certificate again: new connections get the new one,
 * a bad one is refused and the one in force stays.  The daemon refuses to
 * start on a non-loopback address in clear (unless allow_plaintext_http,
 * then with a warning), with a key file others may read, or with a key
 * that is not the certificate's, naming the file.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <zlib.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define TRAIN	"X8024"
#define FIXTURE	"edifact/cuscar_s3_alashankou.edi"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			pki[64];
static char			ca[128], cert[128], key[128];
static char			operator_tok[64], officer_tok[64];

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs a shell command; 0 when it exits 0. */
static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
sh(const char *fmt, ...)
{
	va_list	 ap;
	char	*cmd;
	int	 rc;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		cmd = NULL;
	va_end(ap);
	rc = cmd != NULL && system(cmd) == 0 ? 0 : -1;
	free(cmd);
	return rc;
}

static int	log_count(const char *);
static bool	log_wait(const char *, int, int);

/* One TLS connection of the tests. */
struct tconn {
	int	 fd;
	SSL_CTX	*ctx;
	SSL	*ssl;
};

static void
tconn_close(struct tconn *t)
{
	if (t->ssl != NULL)
		SSL_free(t->ssl);
	if (t->ctx != NULL)
		SSL_CTX_free(t->ctx);
	if (t->fd >= 0)
		close(t->fd);
	memset(t, 0, sizeof *t);
	t->fd = -1;
	ERR_clear_error();
}

/*
 * A TLS connection to port: the server's certificate verified against
 * the CA and the name localhost when verify, any version up to max (0:
 * the highest).  0, or -1 when the handshake failed.
 */
static int
tconn_open(struct tconn *t, int port, bool verify, int max)
{
	struct timeval	tv = { 5, 0 };

	memset(t, 0, sizeof *t);
	if ((t->fd = harness_connect(port)) < 0 ||
	    (t->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return -1;
	setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (max != 0) {
		/* A client of the old versions: OpenSSL's own floor lowered. */
		SSL_CTX_set_security_level(t->ctx, 0);
		SSL_CTX_set_cipher_list(t->ctx, "ALL:@SECLEVEL=0");
		SSL_CTX_set_min_proto_version(t->ctx, TLS1_VERSION);
		SSL_CTX_set_max_proto_version(t->ctx, max);
	}
	if (verify) {
		if (SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1)
			return -1;
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	}
	if ((t->ssl = SSL_new(t->ctx)) == NULL)
		return -1;
	if (verify)
		SSL_set1_host(t->ssl, "localhost");
	SSL_set_tlsext_host_name(t->ssl, "localhost");
	SSL_set_fd(t->ssl, t->fd);
	return SSL_connect(t->ssl) == 1 ? 0 : -1;
}

/* Writes all of p; 0 or -1. */
static int
tconn_write(struct tconn *t, const void *p, size_t len)
{
	const char	*c = p;
	int		 n;

	while (len > 0) {
		if ((n = SSL_write(t->ssl, c, (int)(len > 65536 ? 65536 :
		    len))) <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Appends what arrives to *b (len *n) until the end or a timeout. */
static void
tconn_read_all(struct tconn *t, struct buf *b)
{
	int	n;

	for (;;) {
		buf_reserve(b, 8192);
		if ((n = SSL_read(t->ssl, b->data + b->len, (int)(b->cap -
		    b->len - 1))) <= 0)
			break;
		b->len += (size_t)n;
	}
	b->data[b->len] = '\0';
}

/*
 * One request over TLS (Connection: close), the answer in *r as the
 * harness gives it.  0, or -1 when no HTTP answer came.
 */
static int
https(int port, const char *method, const char *path, const char *headers,
    const void *body, size_t len, struct harness_response *r)
{
	struct tconn	 t;
	struct buf	 in = { 0 };
	char		*req, *sep;
	int		 rc = -1;

	memset(r, 0, sizeof *r);
	if (tconn_open(&t, port, true, 0) < 0) {
		tconn_close(&t);
		return -1;
	}
	req = xasprintf("%s %s HTTP/1.1\r\nHost: localhost:%d\r\nConnection: "
	    "close\r\n%sContent-Length: %zu\r\n\r\n", method, path, port,
	    headers != NULL ? headers : "", len);
	if (tconn_write(&t, req, strlen(req)) == 0 &&
	    (len == 0 || tconn_write(&t, body, len) == 0)) {
		tconn_read_all(&t, &in);
		if (in.len > 12 && strncmp(in.data, "HTTP/1.1 ", 9) == 0 &&
		    (sep = strstr(in.data, "\r\n\r\n")) != NULL) {
			r->status = atoi(in.data + 9);
			r->headers = xstrndup(in.data, (size_t)(sep - in.data) + 2);
			r->body = xstrdup(sep + 4);
			r->body_len = in.len - (size_t)(sep + 4 - in.data);
			rc = 0;
		}
	}
	free(req);
	buf_free(&in);
	tconn_close(&t);
	return rc;
}

/* GET path over TLS: its status, -1 without an answer. */
static int
https_get(int port, const char *path, const char *token)
{
	struct harness_response	r;
	char			h[128] = "";
	int			status;

	if (token != NULL)
		snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", token);
	if (https(port, "GET", path, h, NULL, 0, &r) < 0)
		return -1;
	status = r.status;
	harness_response_free(&r);
	return status;
}

/* Waits until /healthz answers 200 over TLS; 0, or -1 with the log. */
static int
https_wait_ready(struct harness_daemon *d, int port, int timeout_ms)
{
	long long	end = now_ms() + timeout_ms;
	char		cmd[400];

	while (now_ms() < end && harness_daemon_alive(d)) {
		if (https_get(port, "/healthz", NULL) == 200)
			return 0;
		usleep(100000);
	}
	snprintf(cmd, sizeof cmd, "cat %s >&2", d->log);
	(void)system(cmd);
	return -1;
}

/* The [daemon] lines of a TLS daemon (appended to harness's [daemon]). */
static char *
tls_conf(const char *extra)
{
	return xasprintf("tls_cert_file = %s\ntls_key_file = %s\n%s[http]\n"
	    "request_timeout_s = 2\nmax_body_mb = 8\n%s", cert, key, pg.conf,
	    extra != NULL ? extra : "");
}

static int
https_init(void)
{
	char	*conf;
	int	 rc;

	signal(SIGPIPE, SIG_IGN);
	snprintf(pki, sizeof pki, "/tmp/railgate-https.XXXXXX");
	if (mkdtemp(pki) == NULL ||
	    sh("sh scripts/border-pki.sh %s station renewed", pki) < 0 ||
	    sh("mkdir -p %s/live && cp -p %s/station/cert.pem "
	    "%s/station/key.pem %s/live/", pki, pki, pki, pki) < 0)
		return -1;
	snprintf(ca, sizeof ca, "%s/station/ca.pem", pki);
	snprintf(cert, sizeof cert, "%s/live/cert.pem", pki);
	snprintf(key, sizeof key, "%s/live/key.pem", pki);
	if (harness_pg_start(&pg) < 0)
		return -1;
	conf = tls_conf(NULL);
	rc = harness_daemon_spawn(&dm, conf);
	free(conf);
	if (rc < 0 || https_wait_ready(&dm, dm.port, 20000) < 0 ||
	    harness_token(&pg, "operator", "ktzh.operator", operator_tok) < 0 ||
	    harness_token(&pg, "officer", "o.test", officer_tok) < 0)
		return -1;
	return 0;
}

static int
https_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return sh("rm -rf %s", pki);
}

/* A figure: requests with a full handshake each, one after another. */
static void
healthz_figure(void)
{
	long long	t0 = now_ms();
	int		i, good = 0;

	for (i = 0; i < 50; i++)
		good += https_get(dm.port, "/healthz", NULL) == 200;
	CU_ASSERT_EQUAL(good, 50);
	fprintf(stderr, "\n  50 GET /healthz over TLS 1.3, a new connection "
	    "and handshake each: %.1f ms per request\n",
	    (double)(now_ms() - t0) / 50.0);
}

/* /healthz over TLS 1.3, the certificate verified, HSTS sent. */
static void
t_https_healthz(void)
{
	struct harness_response	r;
	struct tconn		t;
	char			v[128];

	CU_ASSERT_EQUAL_FATAL(https(dm.port, "GET", "/healthz", NULL, NULL, 0,
	    &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Strict-Transport-Security",
	    v, sizeof v));
	CU_ASSERT_TRUE(strstr(v, "max-age=31536000") != NULL);
	harness_response_free(&r);
	CU_ASSERT_EQUAL_FATAL(tconn_open(&t, dm.port, true, 0), 0);
	CU_ASSERT_EQUAL(SSL_version(t.ssl), TLS1_3_VERSION);
	CU_ASSERT_EQUAL(SSL_get_verify_result(t.ssl), X509_V_OK);
	tconn_close(&t);
	healthz_figure();
	/* 1.2 is still served, with an AEAD suite. */
	CU_ASSERT_EQUAL_FATAL(tconn_open(&t, dm.port, true, TLS1_2_VERSION), 0);
	CU_ASSERT_EQUAL(SSL_version(t.ssl), TLS1_2_VERSION);
	CU_ASSERT_TRUE(strstr(SSL_get_cipher_name(t.ssl), "GCM") != NULL ||
	    strstr(SSL_get_cipher_name(t.ssl), "CHACHA20") != NULL);
	tconn_close(&t);
}

/* A token's request, and the guard's refusals, over TLS. */
static void
t_https_token_and_refusals(void)
{
	struct harness_response	r;

	CU_ASSERT_EQUAL(https_get(dm.port, "/v1/trains", officer_tok), 200);
	/* Refused before routing by the guard: encrypted all the same. */
	CU_ASSERT_EQUAL_FATAL(https(dm.port, "GET", "/v1/trains", NULL, NULL, 0,
	    &r), 0);
	CU_ASSERT_EQUAL(r.status, 401);
	CU_ASSERT_TRUE(strstr(r.body, "\"status\":401") != NULL ||
	    strstr(r.body, "\"status\": 401") != NULL);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(https_get(dm.port, "/v1/trains", "rg_nonsense"), 401);
}

/* A Content-Length over max_body_mb: 413 before a byte of the body. */
static void
t_https_body_too_large(void)
{
	struct tconn	 t;
	struct buf	 in = { 0 };
	char		 req[512];

	CU_ASSERT_EQUAL_FATAL(tconn_open(&t, dm.port, true, 0), 0);
	snprintf(req, sizeof req, "POST /v1/manifests HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nContent-Length: 104857600\r\n\r\n",
	    operator_tok);
	CU_ASSERT_EQUAL(tconn_write(&t, req, strlen(req)), 0);
	tconn_read_all(&t, &in);
	CU_ASSERT_TRUE(in.len > 12 && strncmp(in.data, "HTTP/1.1 413", 12) == 0);
	CU_ASSERT_TRUE(in.len > 0 && strstr(in.data, "max_body_mb") != NULL);
	buf_free(&in);
	tconn_close(&t);
}

/* data gzip-compressed (caller frees), *out_len its length. */
static unsigned char *
gzip_bytes(const char *data, size_t len, size_t *out_len)
{
	z_stream	 z;
	unsigned char	*out = xmalloc(len + 1024);

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (unsigned)len;
	z.next_out = out;
	z.avail_out = (unsigned)(len + 1024);
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/*
 * The stream over TLS receives the train of a manifest uploaded over
 * TLS, gzip-encoded.
 */
static void
t_https_upload_and_stream(void)
{
	struct harness_response	 r;
	struct tconn		 t;
	struct buf		 in = { 0 };
	struct timeval		 tv = { 0, 200000 };
	unsigned char		*gz;
	char			 req[512], h[256], *data;
	size_t			 len, gzlen;
	long long		 end;
	int			 n;

	CU_ASSERT_EQUAL_FATAL(tconn_open(&t, dm.port, true, 0), 0);
	snprintf(req, sizeof req, "GET /v1/stream HTTP/1.1\r\nHost: x\r\n"
	    "Accept: text/event-stream\r\nAuthorization: Bearer %s\r\n\r\n",
	    officer_tok);
	CU_ASSERT_EQUAL_FATAL(tconn_write(&t, req, strlen(req)), 0);
	setsockopt(t.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

	data = test_read_fixture(FIXTURE, &len);
	gz = gzip_bytes(data, len, &gzlen);
	snprintf(h, sizeof h, "Authorization: Bearer %s\r\nContent-Encoding: "
	    "gzip\r\nContent-Type: application/edifact\r\n", operator_tok);
	CU_ASSERT_EQUAL(https(dm.port, "POST", "/v1/manifests", h, gz, gzlen,
	    &r), 0);
	CU_ASSERT_EQUAL(r.status, 202);
	harness_response_free(&r);
	free(gz);
	free(data);

	end = now_ms() + 8000;
	while (now_ms() < end && (in.len == 0 ||
	    strstr(in.data, "\"train\":\"" TRAIN "\"") == NULL)) {
		buf_reserve(&in, 8192);
		n = SSL_read(t.ssl, in.data + in.len, (int)(in.cap - in.len - 1));
		if (n > 0) {
			in.len += (size_t)n;
			in.data[in.len] = '\0';
		} else if (SSL_get_error(t.ssl, n) != SSL_ERROR_WANT_READ &&
		    SSL_get_error(t.ssl, n) != SSL_ERROR_SYSCALL)
			break;
		ERR_clear_error();
	}
	CU_ASSERT_TRUE(in.len > 12 && strncmp(in.data, "HTTP/1.1 200", 12) == 0);
	CU_ASSERT_TRUE(in.len > 0 && strstr(in.data, "Strict-Transport-Security")
	    != NULL);
	CU_ASSERT_TRUE(in.len > 0 && strstr(in.data, "\"train\":\"" TRAIN "\"")
	    != NULL);
	buf_free(&in);
	tconn_close(&t);
}

/* Times needle occurs in s. */
static int
count_of(const char *s, const char *needle)
{
	int	n = 0;

	for (; s != NULL && (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

/*
 * Several requests on one TLS connection: pipelined (the guard examines
 * the second head once the first reply went out), then one behind a
 * token looked up in the database (the guard waits, then lets evhttp in
 * from its own event).
 */
static void
t_https_keepalive(void)
{
	struct tconn	 t;
	struct buf	 in = { 0 };
	struct timeval	 tv = { 0, 300000 };
	char		*req;
	long long	 end;
	int		 n;

	CU_ASSERT_EQUAL_FATAL(tconn_open(&t, dm.port, true, 0), 0);
	setsockopt(t.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	req = xasprintf("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /v1/trains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
	    "\r\n", officer_tok);
	CU_ASSERT_EQUAL_FATAL(tconn_write(&t, req, strlen(req)), 0);
	free(req);
	end = now_ms() + 5000;
	while (now_ms() < end && count_of(in.data, "HTTP/1.1 200") < 3) {
		buf_reserve(&in, 8192);
		n = SSL_read(t.ssl, in.data + in.len, (int)(in.cap - in.len - 1));
		if (n > 0) {
			in.len += (size_t)n;
			in.data[in.len] = '\0';
		}
		ERR_clear_error();
	}
	CU_ASSERT_EQUAL(count_of(in.data, "HTTP/1.1 200"), 3);
	CU_ASSERT_EQUAL(count_of(in.data, "HTTP/1.1 "), 3);
	buf_free(&in);

	/* The same connection goes on: a token's request after a pause. */
	req = xasprintf("GET /v1/trains HTTP/1.1\r\nHost: x\r\nAuthorization: "
	    "Bearer %s\r\nConnection: close\r\n\r\n", officer_tok);
	usleep(300000);
	CU_ASSERT_EQUAL_FATAL(tconn_write(&t, req, strlen(req)), 0);
	free(req);
	memset(&in, 0, sizeof in);
	end = now_ms() + 5000;
	while (now_ms() < end && count_of(in.data, "HTTP/1.1 200") < 1) {
		buf_reserve(&in, 8192);
		n = SSL_read(t.ssl, in.data + in.len, (int)(in.cap - in.len - 1));
		if (n > 0) {
			in.len += (size_t)n;
			in.data[in.len] = '\0';
		}
		ERR_clear_error();
	}
	CU_ASSERT_EQUAL(count_of(in.data, "HTTP/1.1 200"), 1);
	buf_free(&in);
	tconn_close(&t);
}

/* The value of the metric name in /metrics, -1 when not there. */
static long
metric(const char *name)
{
	struct harness_response	 r;
	char			*p, want[128];
	long			 v = -1;

	snprintf(want, sizeof want, "\n%s ", name);
	if (https(dm.port, "GET", "/metrics", NULL, NULL, 0, &r) < 0)
		return -1;
	if ((p = strstr(r.body, want)) != NULL)
		v = strtol(p + strlen(want), NULL, 10);
	harness_response_free(&r);
	return v;
}

/* A stream client that closes its TLS connection is let go of. */
static void
t_https_stream_client_gone(void)
{
	struct tconn	 t;
	char		 req[512], b[512];
	long long	 end;
	long		 v = -1;

	CU_ASSERT_EQUAL_FATAL(tconn_open(&t, dm.port, true, 0), 0);
	snprintf(req, sizeof req, "GET /v1/stream HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\n\r\n", officer_tok);
	CU_ASSERT_EQUAL_FATAL(tconn_write(&t, req, strlen(req)), 0);
	CU_ASSERT_TRUE(SSL_read(t.ssl, b, sizeof b) > 0);
	CU_ASSERT_EQUAL(metric("railgate_stream_clients"), 1);
	SSL_shutdown(t.ssl);
	tconn_close(&t);
	for (end = now_ms() + 5000; now_ms() < end; usleep(100000))
		if ((v = metric("railgate_stream_clients")) == 0)
			break;
	CU_ASSERT_EQUAL(v, 0);
}

/*
 * A chunked upload past max_body_mb (8 MiB here) is refused by the guard
 * in the middle of its body, over TLS as in clear: 413, and what was
 * sent is not ingested.
 */
static void
t_https_chunked_too_large(void)
{
	struct tconn	 t;
	struct buf	 in = { 0 };
	char		 req[512], size[32], *chunk;
	size_t		 piece = 1 << 20;
	int		 i, sent = 0;

	chunk = xmalloc(piece);
	memset(chunk, 'A', piece);
	CU_ASSERT_EQUAL_FATAL(tconn_open(&t, dm.port, true, 0), 0);
	snprintf(req, sizeof req, "POST /v1/manifests HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n",
	    operator_tok);
	CU_ASSERT_EQUAL_FATAL(tconn_write(&t, req, strlen(req)), 0);
	snprintf(size, sizeof size, "%zx\r\n", piece);
	for (i = 0; i < 12; i++) {
		if (tconn_write(&t, size, strlen(size)) < 0 ||
		    tconn_write(&t, chunk, piece) < 0 ||
		    tconn_write(&t, "\r\n", 2) < 0)
			break;
		sent++;
	}
	tconn_read_all(&t, &in);
	CU_ASSERT_TRUE(sent >= 8);
	CU_ASSERT_TRUE(in.len > 12 && strncmp(in.data, "HTTP/1.1 413", 12) == 0);
	CU_ASSERT_TRUE(in.len > 0 && strstr(in.data, "chunked body is over") !=
	    NULL);
	buf_free(&in);
	tconn_close(&t);
	free(chunk);
	CU_ASSERT_EQUAL(https_get(dm.port, "/healthz", NULL), 200);
}

/*
 * The HTTPS section of docs/operations.md, cut out of the page into
 * path (the page's other sections are not this suite's to run).  0 or -1.
 */
static int
docs_https_section(const char *path)
{
	char	*text = NULL, *from, *to;
	size_t	 len;
	FILE	*f;
	int	 rc = -1;

	if (file_read_all("docs/operations.md", &text, &len) != 0)
		return -1;
	if ((from = strstr(text, "\n## HTTPS\n")) != NULL) {
		to = strstr(from + 1, "\n## ");
		if (to != NULL && (f = fopen(path, "w")) != NULL) {
			if (fwrite(from, 1, (size_t)(to - from), f) ==
			    (size_t)(to - from))
				rc = 0;
			if (fclose(f) != 0)
				rc = -1;
		}
	}
	free(text);
	return rc;
}

/* The examples of the HTTPS section run, with curl, against the daemon. */
static void
t_https_docs_examples(void)
{
	char	 url[64], cav[160], off[128], page[128], *failure = NULL;
	const char *env[] = { url, cav, off, NULL };

	snprintf(page, sizeof page, "%s/operations-https.md", pki);
	CU_ASSERT_EQUAL_FATAL(docs_https_section(page), 0);
	snprintf(url, sizeof url, "RAILGATE_URL=https://localhost:%d", dm.port);
	snprintf(cav, sizeof cav, "RAILGATE_CA=%s", ca);
	snprintf(off, sizeof off, "OFFICER_TOKEN=%s", officer_tok);
	CU_ASSERT_EQUAL(harness_docs_run(page, env, &failure), 0);
	if (failure != NULL)
		fprintf(stderr, "\n%s\n", failure);
	free(failure);
}

/* Plain HTTP on the TLS port gets no HTTP answer. */
static void
t_https_plain_refused(void)
{
	const char	*req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	struct timeval	 tv = { 5, 0 };
	char		 buf[256];
	ssize_t		 n;
	int		 fd;

	CU_ASSERT_FATAL((fd = harness_connect(dm.port)) >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	CU_ASSERT_EQUAL(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	n = read(fd, buf, sizeof buf - 1);
	CU_ASSERT_TRUE(n <= 0 || strncmp(buf, "HTTP/", 5) != 0);
	close(fd);
	/* The daemon serves on. */
	CU_ASSERT_EQUAL(https_get(dm.port, "/healthz", NULL), 200);
}

/* A TLS 1.1 client is refused. */
static void
t_https_tls11_refused(void)
{
	struct tconn	t;

	CU_ASSERT_EQUAL(tconn_open(&t, dm.port, false, TLS1_1_VERSION), -1);
	tconn_close(&t);
	CU_ASSERT_EQUAL(tconn_open(&t, dm.port, false, TLS1_VERSION), -1);
	tconn_close(&t);
}

/* A session cookie served over TLS is Secure. */
static void
t_https_cookie_secure(void)
{
	struct harness_response	 r;
	const char		*body = "{\"name\":\"o.wang\",\"password\":"
				    "\"wang-lei-password\"}";
	char			 set[512], h[700];

	CU_ASSERT_EQUAL_FATAL(sh("printf '%%s\\n' wang-lei-password | "
	    "%s/railgate officer add o.wang --role officer --dsn '%s' "
	    ">/dev/null", test_build_dir(), pg.app_dsn), 0);
	CU_ASSERT_EQUAL_FATAL(https(dm.port, "POST", "/v1/session",
	    "Content-Type: application/json\r\n", body, strlen(body), &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(harness_header(&r, "Set-Cookie", set,
	    sizeof set));
	CU_ASSERT_TRUE(strncmp(set, "railgate_session=", 17) == 0);
	CU_ASSERT_TRUE(strstr(set, "; Secure") != NULL);
	CU_ASSERT_TRUE(strstr(set, "HttpOnly") != NULL);
	harness_response_free(&r);
	set[17 + strcspn(set + 17, ";")] = '\0';

	/* The origin a cookie's change must come from is https://. */
	snprintf(h, sizeof h, "Cookie: %s\r\nOrigin: http://localhost:%d\r\n",
	    set, dm.port);
	CU_ASSERT_EQUAL_FATAL(https(dm.port, "DELETE", "/v1/session", h, NULL,
	    0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 403);
	harness_response_free(&r);
	snprintf(h, sizeof h, "Cookie: %s\r\nOrigin: https://localhost:%d\r\n",
	    set, dm.port);
	CU_ASSERT_EQUAL_FATAL(https(dm.port, "DELETE", "/v1/session", h, NULL,
	    0, &r), 0);
	CU_ASSERT_TRUE(r.status >= 200 && r.status < 300);
	harness_response_free(&r);
}

/*
 * A client dripping a handshake is cut by the first request's clock
 * (request_timeout_s 2), as one dripping a head is in clear.
 */
static void
t_https_slow_handshake_cut(void)
{
	/* A TLS record header announcing 255 bytes of handshake. */
	static const unsigned char hello[] = { 0x16, 0x03, 0x01, 0x00, 0xff,
	    0x01, 0x00, 0x00, 0xfb, 0x03, 0x03 };
	long long	t0 = now_ms(), closed = 0;
	size_t		i = 0;
	char		b;
	int		fd;

	CU_ASSERT_FATAL((fd = harness_connect(dm.port)) >= 0);
	while (now_ms() - t0 < 8000) {
		if (send(fd, i < sizeof hello ? (const char *)&hello[i] : "\0",
		    1, MSG_NOSIGNAL) != 1 ||
		    recv(fd, &b, 1, MSG_DONTWAIT) == 0) {
			closed = now_ms() - t0;
			break;
		}
		i++;
		usleep(250000);
	}
	close(fd);
	fprintf(stderr, "\n  dripping handshake cut after %lld ms\n", closed);
	CU_ASSERT_TRUE(closed >= 1500 && closed < 5000);
	/* By the guard's clock, not evhttp's idle timeout. */
	CU_ASSERT_TRUE(log_wait("cut: TLS handshake or request not complete",
	    0, 2000));
}

/* The CN of the certificate the daemon presents now. */
static void
served_cn(char *out, size_t len)
{
	struct tconn	 t;
	X509		*x;

	*out = '\0';
	if (tconn_open(&t, dm.port, false, 0) == 0 &&
	    (x = SSL_get1_peer_certificate(t.ssl)) != NULL) {
		X509_NAME_get_text_by_NID(X509_get_subject_name(x),
		    NID_commonName, out, (int)len);
		X509_free(x);
	}
	tconn_close(&t);
}

/* Counts the lines of the daemon's log holding needle. */
static int
log_count(const char *needle)
{
	char	*text = NULL, *p;
	size_t	 len;
	int	 n = 0;

	if (file_read_all(dm.log, &text, &len) != 0)
		return -1;
	for (p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(text);
	return n;
}

/* Waits until the log holds needle more than `before` times. */
static bool
log_wait(const char *needle, int before, int timeout_ms)
{
	long long	end = now_ms() + timeout_ms;

	while (now_ms() < end) {
		if (log_count(needle) > before)
			return true;
		usleep(50000);
	}
	return false;
}

/* SIGHUP: the new certificate for new connections; a bad one refused. */
static void
t_https_reload(void)
{
	const char	*ok = "TLS certificate and key read again";
	const char	*bad = "reload rejected, configuration and certificate";
	char		 cn[64];
	int		 n_ok = log_count(ok), n_bad = log_count(bad);

	served_cn(cn, sizeof cn);
	CU_ASSERT_STRING_EQUAL(cn, "station");
	CU_ASSERT_EQUAL_FATAL(sh("cp -p %s/renewed/cert.pem %s/renewed/key.pem "
	    "%s/live/", pki, pki, pki), 0);
	CU_ASSERT_EQUAL_FATAL(kill(dm.pid, SIGHUP), 0);
	CU_ASSERT_TRUE(log_wait(ok, n_ok, 5000));
	served_cn(cn, sizeof cn);
	CU_ASSERT_STRING_EQUAL(cn, "renewed");

	/* A key that is not the certificate's: refused, renewed stays. */
	CU_ASSERT_EQUAL_FATAL(sh("cp -p %s/station/key.pem %s/live/key.pem",
	    pki, pki), 0);
	CU_ASSERT_EQUAL_FATAL(kill(dm.pid, SIGHUP), 0);
	CU_ASSERT_TRUE(log_wait(bad, n_bad, 5000));
	CU_ASSERT_TRUE(log_count("key does not match") > 0);
	served_cn(cn, sizeof cn);
	CU_ASSERT_STRING_EQUAL(cn, "renewed");

	/* Back to the station's pair, for the tests after. */
	CU_ASSERT_EQUAL_FATAL(sh("cp -p %s/station/cert.pem %s/live/", pki,
	    pki), 0);
	CU_ASSERT_EQUAL_FATAL(kill(dm.pid, SIGHUP), 0);
	CU_ASSERT_TRUE(log_wait(ok, n_ok + 1, 5000));
	served_cn(cn, sizeof cn);
	CU_ASSERT_STRING_EQUAL(cn, "station");
	CU_ASSERT_EQUAL(https_get(dm.port, "/healthz", NULL), 200);
}

/*
 * Starts a daemon on extra (after harness's [daemon] lines) expected to
 * refuse: its exit status is non-zero within 10 s and its log holds
 * each of want (NULL-terminated).
 */
static void
expect_refusal(const char *extra, const char *const *want)
{
	struct harness_daemon	 d;
	char			*text = NULL;
	size_t			 len;
	long long		 end = now_ms() + 10000;

	CU_ASSERT_EQUAL_FATAL(harness_daemon_spawn(&d, extra), 0);
	while (harness_daemon_alive(&d) && now_ms() < end)
		usleep(50000);
	CU_ASSERT_FALSE(harness_daemon_alive(&d));
	CU_ASSERT_NOT_EQUAL(d.exit_status, 0);
	CU_ASSERT_EQUAL_FATAL(file_read_all(d.log, &text, &len), 0);
	for (; *want != NULL; want++) {
		if (strstr(text, *want) == NULL)
			fprintf(stderr, "\n  log lacks \"%s\":\n%s\n", *want, text);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, *want));
	}
	free(text);
	harness_daemon_stop(&d);
}

/* What the daemon refuses to start with, naming what is wrong. */
static void
t_https_start_refusals(void)
{
	char	*extra, loose[128], other_key[128], port[16];
	int	 p = harness_free_port();

	snprintf(port, sizeof port, "0.0.0.0:%d", p);
	extra = xasprintf("listen = 0.0.0.0:%d\n%s", p, pg.conf);
	expect_refusal(extra, (const char *const[]){ port,
	    "is not a loopback address", "allow_plaintext_http", NULL });
	free(extra);

	snprintf(loose, sizeof loose, "%s/loose.pem", pki);
	CU_ASSERT_EQUAL_FATAL(sh("cp %s/station/key.pem %s && chmod 644 %s",
	    pki, loose, loose), 0);
	extra = xasprintf("tls_cert_file = %s/station/cert.pem\n"
	    "tls_key_file = %s\n%s", pki, loose, pg.conf);
	expect_refusal(extra, (const char *const[]){ loose,
	    "open to group or others", NULL });
	free(extra);

	snprintf(other_key, sizeof other_key, "%s/renewed/key.pem", pki);
	extra = xasprintf("tls_cert_file = %s/station/cert.pem\n"
	    "tls_key_file = %s\n%s", pki, other_key, pg.conf);
	expect_refusal(extra, (const char *const[]){ other_key,
	    "key does not match", NULL });
	free(extra);
}

/* allow_plaintext_http: served in clear, with a warning. */
static void
t_https_plaintext_allowed(void)
{
	struct harness_daemon	 d;
	struct harness_response	 r;
	char			*extra, *text = NULL;
	size_t			 len;
	long long		 end = now_ms() + 20000;
	int			 p = harness_free_port(), ok = 0;

	extra = xasprintf("listen = 0.0.0.0:%d\nallow_plaintext_http = yes\n%s",
	    p, pg.conf);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_spawn(&d, extra), 0);
	free(extra);
	while (!ok && harness_daemon_alive(&d) && now_ms() < end) {
		if (harness_http(p, "GET", "/healthz", NULL, NULL, 0, &r) == 0) {
			ok = r.status == 200;
			harness_response_free(&r);
		}
		if (!ok)
			usleep(100000);
	}
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(file_read_all(d.log, &text, &len), 0);
	CU_ASSERT_PTR_NOT_NULL(text != NULL ? strstr(text, "served without "
	    "TLS (allow_plaintext_http = yes)") : NULL);
	free(text);
	harness_daemon_stop(&d);
}

static CU_TestInfo https_tests[] = {
	{ "t_https_healthz", t_https_healthz },
	{ "t_https_token_and_refusals", t_https_token_and_refusals },
	{ "t_https_body_too_large", t_https_body_too_large },
	{ "t_https_upload_and_stream", t_https_upload_and_stream },
	{ "t_https_chunked_too_large", t_https_chunked_too_large },
	{ "t_https_keepalive", t_https_keepalive },
	{ "t_https_stream_client_gone", t_https_stream_client_gone },
	{ "t_https_plain_refused", t_https_plain_refused },
	{ "t_https_docs_examples", t_https_docs_examples },
	{ "t_https_tls11_refused", t_https_tls11_refused },
	{ "t_https_cookie_secure", t_https_cookie_secure },
	{ "t_https_slow_handshake_cut", t_https_slow_handshake_cut },
	{ "t_https_reload", t_https_reload },
	{ "t_https_start_refusals", t_https_start_refusals },
	{ "t_https_plaintext_allowed", t_https_plaintext_allowed },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_https", https_init, https_clean, https_tests)
