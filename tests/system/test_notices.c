/*
 * test_notices.c -- release notices end to end: an operator's subscription,
 * an approval putting a JSON and a CUSRES notice in the outbox, delivery
 * to a receiver on loopback with both signatures checked (and a tampered
 * body or an old timestamp refused), a follow-up notice referencing the
 * first, retries under the same id, a dead letter and its redelivery.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/ssl.h>

#include "daemon/sign.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define MAX_GOT	64
#define RELEASE0	2	/* got[0], got[1]: train.provisional notices */

/* What the receiver got: one entry per request. */
struct got {
	char	id[64];
	char	timestamp[24];
	char	signature[200];
	char	station[200];
	char	content_type[64];
	char	*body;
	size_t	 len;
	bool	 tls;		/* came over TLS */
};

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_token[64], officer_token[64];
static char			admin_token[64];
static int			recv_fd, recv_port;
static int			tls_fd, tls_port;
static SSL_CTX			*tls_ctx;
static pthread_t		tls_thread;
static char			pki[] = "/tmp/railgate-pki-XXXXXX";
static atomic_int		recv_status = 200;
static struct got		got[MAX_GOT];
/* Entries filled: a receiver fills got[ngot] under got_mu and only then
 * counts it, so a test that waited for n never reads one half made (it
 * did, under ASan: ngot was counted first, and got[0].body read NULL). */
static atomic_int		ngot;
static pthread_mutex_t		got_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t		recv_thread;

/* The value of header name in the raw header block h, into out. */
static void
header(const char *h, const char *name, char *out, size_t size)
{
	const char	*p = h;
	size_t		 n = strlen(name);

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			snprintf(out, size, "%.*s", (int)strcspn(p, "\r"), p);
			return;
		}
	}
}

/* An endpoint: a listening socket, TLS when ctx is set. */
struct endpoint {
	int	 fd;
	SSL_CTX	*ctx;
};

/*
 * HTTPS endpoints the daemon must refuse to talk to: a certificate nobody
 * vouches for, one from the configured CA naming another host, and one
 * from that CA that has expired.
 */
struct refused {
	const char	*name;		/* the subscription */
	const char	*cert, *key;	/* under pki */
	int		 fd, port;
	SSL_CTX		*ctx;
	pthread_t	 thread;
	struct endpoint	 ep;
};
static struct refused	refused[] = {
	{ "rogue", "rogue.pem", "rogue.key", -1, 0, NULL, 0, { -1, NULL } },
	{ "misnamed", "misnamed.pem", "srv.key", -1, 0, NULL, 0, { -1, NULL } },
	{ "expired", "expired.pem", "srv.key", -1, 0, NULL, 0, { -1, NULL } },
};

/* Reads or writes on fd, through ssl when there is one. */
static ssize_t
io_read(int fd, SSL *ssl, char *b, size_t n)
{
	return ssl != NULL ? SSL_read(ssl, b, (int)n) : read(fd, b, n);
}

static void
io_write(int fd, SSL *ssl, const char *b, size_t n)
{
	if ((ssl != NULL ? SSL_write(ssl, b, (int)n) : write(fd, b, n)) <= 0)
		fprintf(stderr, "receiver: write failed\n");
}

/* The operator's endpoint: records each request, answers recv_status. */
static void *
receiver(void *arg)
{
	const struct endpoint	*ep = arg;

	for (;;) {
		char	buf[1 << 16], reply[128], cl[32];
		int	fd = accept(ep->fd, NULL, NULL), k;
		size_t	len = 0, want;
		char	*end;
		ssize_t	n;
		SSL	*ssl = NULL;

		if (fd < 0)
			return NULL;
		if (ep->ctx != NULL) {
			ssl = SSL_new(ep->ctx);
			SSL_set_fd(ssl, fd);
			if (SSL_accept(ssl) != 1) {	/* the client refused us */
				SSL_free(ssl);
				close(fd);
				continue;
			}
		}
		while ((n = io_read(fd, ssl, buf + len, sizeof buf - len - 1)) > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
				*end = '\0';
				header(buf, "Content-Length", cl, sizeof cl);
				*end = '\r';
				want = (size_t)(end + 4 - buf) + (size_t)atol(cl);
				if (len >= want)
					break;
			}
		}
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL)
			pthread_mutex_lock(&got_mu);
		if (end != NULL && (k = atomic_load(&ngot)) < MAX_GOT) {
			struct got *g = &got[k];

			*end = '\0';
			header(buf, "webhook-id", g->id, sizeof g->id);
			header(buf, "webhook-timestamp", g->timestamp,
			    sizeof g->timestamp);
			header(buf, "webhook-signature", g->signature,
			    sizeof g->signature);
			header(buf, "railgate-signature", g->station,
			    sizeof g->station);
			header(buf, "Content-Type", g->content_type,
			    sizeof g->content_type);
			g->tls = ssl != NULL;
			g->len = len - (size_t)(end + 4 - buf);
			g->body = xmalloc(g->len + 1);
			memcpy(g->body, end + 4, g->len);
			g->body[g->len] = '\0';
		}
		if (end != NULL) {
			atomic_fetch_add(&ngot, 1);	/* counted once filled */
			pthread_mutex_unlock(&got_mu);
		}
		snprintf(reply, sizeof reply, "HTTP/1.1 %d X\r\nContent-Length: 0"
		    "\r\nConnection: close\r\n\r\n", atomic_load(&recv_status));
		io_write(fd, ssl, reply, strlen(reply));
		if (ssl != NULL) {
			SSL_shutdown(ssl);
			SSL_free(ssl);
		}
		close(fd);
	}
}

/* A listening socket on loopback; its port in *port.  -1 on failure. */
static int
listen_loopback(int *port)
{
	struct sockaddr_in	sa;
	socklen_t		sl = sizeof sa;
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

/*
 * A private CA and server certificates: for 127.0.0.1, signed by it (the
 * good one); self-signed (rogue); signed by it for another host
 * (misnamed); signed by it but expired in 2020 (made under faketime,
 * as `openssl x509` in OpenSSL 3.0 cannot back-date).
 */
static int
make_pki(void)
{
	char	cmd[2048];

	if (mkdtemp(pki) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "(cd %s && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout ca.key -out ca.pem -subj /CN=test-ca -days 2 && "
	    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout srv.key -out srv.csr -subj /CN=operator && "
	    "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && "
	    "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
	    "-CAcreateserial -out srv.pem -days 2 -extfile san.ext && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout rogue.key -out rogue.pem -subj /CN=rogue -days 2 "
	    "-addext subjectAltName=IP:127.0.0.1 && "
	    "printf 'subjectAltName=DNS:elsewhere.example\\n' > other.ext && "
	    "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
	    "-CAcreateserial -out misnamed.pem -days 2 -extfile other.ext && "
	    "faketime '2020-01-01 00:00:00' openssl x509 -req -in srv.csr "
	    "-CA ca.pem -CAkey ca.key -CAcreateserial -out expired.pem "
	    "-days 2 -extfile san.ext) > /dev/null 2>&1", pki);
	return system(cmd) == 0 ? 0 : -1;
}

static SSL_CTX *
server_ctx(const char *cert, const char *key)
{
	SSL_CTX	*ctx = SSL_CTX_new(TLS_server_method());
	char	 c[300], k[300];

	snprintf(c, sizeof c, "%s/%s", pki, cert);
	snprintf(k, sizeof k, "%s/%s", pki, key);
	if (SSL_CTX_use_certificate_file(ctx, c, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, k, SSL_FILETYPE_PEM) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static struct endpoint	plain_ep, tls_ep;

static int
notices_init(void)
{
	char	conf[2048];

	size_t	i;

	if ((recv_fd = listen_loopback(&recv_port)) < 0 ||
	    (tls_fd = listen_loopback(&tls_port)) < 0 || make_pki() < 0 ||
	    (tls_ctx = server_ctx("srv.pem", "srv.key")) == NULL)
		return -1;
	plain_ep.fd = recv_fd;
	tls_ep.fd = tls_fd;
	tls_ep.ctx = tls_ctx;
	pthread_create(&recv_thread, NULL, receiver, &plain_ep);
	pthread_create(&tls_thread, NULL, receiver, &tls_ep);
	for (i = 0; i < nitems(refused); i++) {
		struct refused *r = &refused[i];

		if ((r->fd = listen_loopback(&r->port)) < 0 ||
		    (r->ctx = server_ctx(r->cert, r->key)) == NULL)
			return -1;
		r->ep.fd = r->fd;
		r->ep.ctx = r->ctx;
		pthread_create(&r->thread, NULL, receiver, &r->ep);
	}
	if (harness_pg_start(&pg) < 0)
		return -1;
	/* The receivers are on loopback. */
	snprintf(conf, sizeof conf, "%s[notices]\nallow_private_endpoints = "
	    "yes\nretry_base_ms = 100\n"
	    "retry_max_s = 1\nmax_attempts = 3\nca_file = %s/ca.pem\n",
	    pg.conf, pki);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.officer", officer_token) < 0 ||
	    harness_token(&pg, "admin", "a.admin", admin_token) < 0)
		return -1;
	return 0;
}

static int
notices_clean(void)
{
	char	cmd[300];
	int	i, fds[2] = { recv_fd, tls_fd };
	pthread_t th[2] = { recv_thread, tls_thread };
	size_t	k;

	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	for (i = 0; i < 2; i++) {
		shutdown(fds[i], SHUT_RDWR);
		close(fds[i]);
		pthread_join(th[i], NULL);
	}
	for (k = 0; k < nitems(refused); k++) {
		if (refused[k].ctx == NULL)
			continue;
		shutdown(refused[k].fd, SHUT_RDWR);
		close(refused[k].fd);
		pthread_join(refused[k].thread, NULL);
		SSL_CTX_free(refused[k].ctx);
	}
	SSL_CTX_free(tls_ctx);
	for (i = 0; i < atomic_load(&ngot) && i < MAX_GOT; i++)
		free(got[i].body);
	snprintf(cmd, sizeof cmd, "rm -rf %s", pki);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", pki);
	return 0;
}

static int
request(const char *method, const char *path, const char *token,
    const char *body, char **reply)
{
	struct harness_response	r;
	char			hdr[256];
	int			st;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(dm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, &r) < 0)
		return -1;
	st = r.status;
	if (reply != NULL)
		*reply = xstrdup(r.body);
	harness_response_free(&r);
	return st;
}

/* Waits until the receiver has n requests; true if it did. */
static bool
wait_got(int n, int timeout_ms)
{
	int	waited;

	for (waited = 0; waited < timeout_ms && atomic_load(&ngot) < n;
	    waited += 20)
		usleep(20000);
	return atomic_load(&ngot) >= n;
}

/* Waits for a SQL condition to hold (count > 0). */
static bool
wait_sql(const char *sql, int timeout_ms)
{
	return harness_wait_sql(&pg, sql, NULL, timeout_ms);
}

static void
t_notices_delivered_signed(void)
{
	char		 sub[512], *v, keypath[400], *reply;
	char		 *data;
	size_t		  len;
	struct sign_key	 *key;
	int		  i, json = -1, cusres = -1;
	json_t		 *doc;
	char		  hdr[128];
	struct harness_response r;

	snprintf(sub, sizeof sub, "{\"url\":\"http://127.0.0.1:%d/hooks/customs\","
	    "\"formats\":[\"json\",\"cusres\"],\"secret\":\"%s\","
	    "\"carriers\":[\"KZ-KTZE\",\"CN-CRCT\"],"
	    "\"recipient\":\"KZKTZE\"}", recv_port, SECRET);
	CU_ASSERT_EQUAL(request("PUT", "/v1/subscriptions/ktze", officer_token,
	    sub, NULL), 403);
	CU_ASSERT_EQUAL(request("PUT", "/v1/subscriptions/ktze", admin_token,
	    "{\"url\":\"ftp://x\",\"formats\":[\"json\"],\"secret\":\"" SECRET
	    "\"}", NULL), 422);
	CU_ASSERT_EQUAL_FATAL(request("PUT", "/v1/subscriptions/ktze",
	    admin_token, sub, NULL), 200);

	/* A train, its decision, the grapes' documents checked, approval. */
	data = test_read_fixture("edifact/cuscar_s3_alashankou.edi", &len);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", operator_token);
	CU_ASSERT_EQUAL_FATAL(harness_http(dm.port, "POST", "/v1/manifests", hdr,
	    data, len, &r), 0);
	CU_ASSERT_EQUAL(r.status, 202);
	harness_response_free(&r);
	free(data);
	CU_ASSERT_FATAL(wait_sql("SELECT count(*) FROM trains WHERE train_no = "
	    "'X8024' AND decision IS NOT NULL AND NOT eval_needed", 10000));
	/* The provisional decision: its set-out list goes to the carrier's
	 * subscription (train.provisional, issue 20), never its decision. */
	CU_ASSERT_FATAL(wait_got(1, 10000));
	CU_ASSERT_PTR_NOT_NULL(strstr(got[0].body, "\"type\":\"train."
	    "provisional\""));
	CU_ASSERT_PTR_NULL(strstr(got[0].body, "\"hits\""));
	CU_ASSERT_EQUAL(request("POST", "/v1/trains/X8024/wagons/315279550026/"
	    "resolution", officer_token, "{\"action\":\"release\",\"reason\":"
	    "\"certificate shown\"}", NULL), 200);
	/* The list changed (wagon 2 no longer waits for its documents). */
	CU_ASSERT_FATAL(wait_got(2, 10000));
	CU_ASSERT_PTR_NOT_NULL(strstr(got[1].body, "\"doc_check\":[]"));
	CU_ASSERT_EQUAL_FATAL(request("POST", "/v1/trains/X8024/approve",
	    officer_token, "{}", NULL), 200);
	CU_ASSERT_FATAL(wait_got(RELEASE0 + 2, 10000));
	CU_ASSERT_FATAL(wait_sql("SELECT count(*) FROM notices WHERE state = "
	    "'delivered' AND format <> 'provisional' HAVING count(*) = 2",
	    5000));

	snprintf(keypath, sizeof keypath, "%s/station-ed25519.pem", dm.dir);
	key = sign_key_load(keypath, 0, &v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	for (i = RELEASE0; i < RELEASE0 + 2; i++) {
		struct got	*g = &got[i];
		int64_t		 ts = atoll(g->timestamp);
		char		*sig;

		if (strcmp(g->content_type, "application/json") == 0)
			json = i;
		else
			cusres = i;
		CU_ASSERT_EQUAL(strncmp(g->id, "ntc_", 4), 0);
		CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, g->id, ts, g->body,
		    g->len, g->signature, (int64_t)time(NULL), 300), 0);
		/* A tampered body, an old timestamp: refused. */
		g->body[g->len / 2] ^= 1;
		CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, g->id, ts, g->body,
		    g->len, g->signature, (int64_t)time(NULL), 300), -1);
		g->body[g->len / 2] ^= 1;
		CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, g->id, ts, g->body,
		    g->len, g->signature, (int64_t)time(NULL) + 3600, 300), -2);
		/* The station's Ed25519 signature over the body. */
		sig = strstr(g->station, "sig=");
		CU_ASSERT_PTR_NOT_NULL_FATAL(sig);
		CU_ASSERT_EQUAL(sign_ed25519_verify(key, g->body, g->len, sig + 4),
		    0);
	}
	sign_key_free(key);
	CU_ASSERT_FATAL(json >= 0 && cusres >= 0);
	doc = json_loads(got[json].body, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "id")),
	    got[json].id);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "type")),
	    "release_notice");
	CU_ASSERT(json_is_true(json_object_get(json_object_get(doc, "decision"),
	    "final")));
	json_decref(doc);
	CU_ASSERT_EQUAL(strncmp(got[cusres].body, "UNA:+.?*'", 9), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(got[cusres].body, "BGM+961+ntc_"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got[cusres].body, "KZKTZE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got[cusres].body, "CUSRES:D:96B:UN"));
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8024/notices",
	    officer_token, NULL, &reply), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "delivered"));
	free(reply);
}

/* The endpoint fails: retries under one id, then dead, then redelivered. */
static void
t_notices_retry_dead_redeliver(void)
{
	char	*v, sql[256], path[128], first_json[64];
	int	 i, before = atomic_load(&ngot), same = 0;

	snprintf(first_json, sizeof first_json, "%s",
	    strcmp(got[RELEASE0].content_type, "application/json") == 0 ?
	    got[RELEASE0].id : got[RELEASE0 + 1].id);
	atomic_store(&recv_status, 500);
	/* Holding a set-out wagon after approval amends the final decision. */
	CU_ASSERT_EQUAL_FATAL(request("POST", "/v1/trains/X8024/wagons/"
	    "315279550018/resolution", officer_token, "{\"action\":\"hold\","
	    "\"reason\":\"weight does not match\"}", NULL), 200);
	/* Two notices, three attempts each, then dead. */
	CU_ASSERT_FATAL(wait_sql("SELECT count(*) FROM notices WHERE state = "
	    "'dead' HAVING count(*) = 2", 15000));
	CU_ASSERT_EQUAL(atomic_load(&ngot) - before, 6);
	for (i = before + 1; i < atomic_load(&ngot); i++)
		same += strcmp(got[i].id, got[before].id) == 0;
	CU_ASSERT_EQUAL(same, 2);	/* one id for its three attempts */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM notices WHERE "
	    "follow_up_of = '%s' AND format = 'json'", first_json);
	v = harness_sql(&pg, sql);
	CU_ASSERT_STRING_EQUAL(v, "1");
	free(v);
	v = harness_sql(&pg, "SELECT count(*) FROM audit_log WHERE action = "
	    "'notice.dead'");
	CU_ASSERT_STRING_EQUAL(v, "2");
	free(v);

	/* The endpoint is back; an officer redelivers one: same id, delivered. */
	atomic_store(&recv_status, 200);
	snprintf(path, sizeof path, "/v1/notices/%s/redeliver", got[before].id);
	CU_ASSERT_EQUAL(request("POST", path, operator_token, NULL, NULL), 403);
	CU_ASSERT_EQUAL(request("POST", path, officer_token, NULL, NULL), 202);
	CU_ASSERT(wait_got(before + 7, 5000));
	CU_ASSERT_STRING_EQUAL(got[before + 6].id, got[before].id);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM notices WHERE id = '%s' "
	    "AND state = 'delivered' AND attempts = 4", got[before].id);
	CU_ASSERT(wait_sql(sql, 5000));
	CU_ASSERT_EQUAL(request("POST", "/v1/notices/ntc_nope/redeliver",
	    officer_token, NULL, NULL), 404);
}

/*
 * HTTPS: an endpoint with a certificate from the configured CA gets its
 * notice; one with a certificate nobody vouches for, one naming another
 * host and an expired one never see the body, and their notices die
 * saying why.
 */
static void
t_notices_https_verified(void)
{
	char	sub[512], sql[512];
	int	i, before = atomic_load(&ngot), tls = 0;
	size_t	k;

	snprintf(sub, sizeof sub, "{\"url\":\"https://127.0.0.1:%d/notices\","
	    "\"formats\":[\"json\"],\"carriers\":[\"KZ-KTZE\",\"CN-CRCT\"],"
	    "\"secret\":\"%s\"}", tls_port, SECRET);
	CU_ASSERT_EQUAL_FATAL(request("PUT", "/v1/subscriptions/ktze-tls",
	    admin_token, sub, NULL), 200);
	for (k = 0; k < nitems(refused); k++) {
		snprintf(sub, sizeof sub, "{\"url\":\"https://127.0.0.1:%d/"
		    "notices\",\"formats\":[\"json\"],"
		    "\"carriers\":[\"KZ-KTZE\",\"CN-CRCT\"],\"secret\":\"%s\"}",
		    refused[k].port, SECRET);
		snprintf(sql, sizeof sql, "/v1/subscriptions/%s",
		    refused[k].name);
		CU_ASSERT_EQUAL_FATAL(request("PUT", sql, admin_token, sub,
		    NULL), 200);
	}
	/* Another amendment: notices to every subscription. */
	CU_ASSERT_EQUAL_FATAL(request("POST", "/v1/trains/X8024/wagons/"
	    "315279550026/resolution", officer_token, "{\"action\":\"inspect\","
	    "\"reason\":\"scanner shows a second layer\"}", NULL), 200);
	CU_ASSERT(wait_sql("SELECT count(*) FROM notices n JOIN subscriptions s "
	    "ON s.id = n.subscription_id WHERE s.name = 'ktze-tls' AND "
	    "n.state = 'delivered'", 10000));
	for (k = 0; k < nitems(refused); k++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM notices n JOIN "
		    "subscriptions s ON s.id = n.subscription_id WHERE s.name = "
		    "'%s' AND n.state = 'dead' AND n.last_error ILIKE "
		    "'%%certificate%%'", refused[k].name);
		if (!wait_sql(sql, 15000)) {
			fprintf(stderr, "\nnotices: %s endpoint not refused\n",
			    refused[k].name);
			CU_FAIL("a notice went to an endpoint it must refuse");
		}
	}
	for (i = before; i < atomic_load(&ngot) && i < MAX_GOT; i++)
		if (got[i].tls) {
			tls++;
			CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, got[i].id,
			    atoll(got[i].timestamp), got[i].body, got[i].len,
			    got[i].signature, (int64_t)time(NULL), 300), 0);
		}
	CU_ASSERT_EQUAL(tls, 1);	/* no refused endpoint got a body */
}

/* Subscriptions from the configuration file, applied on SIGHUP; a bad
 * file is refused with the configuration. */
static void
t_notices_subscriptions_from_config(void)
{
	char	 path[400], *conf, *text, *log;
	size_t	 len;
	FILE	*f;

	snprintf(path, sizeof path, "%s/subscriptions.json", dm.dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
	fprintf(f, "[{\"name\": \"uz-railways\", \"url\": "
	    "\"http://127.0.0.1:%d/uz\", \"formats\": [\"cusres\"], "
	    "\"secret\": \"%s\", \"recipient\": \"UZRAIL\", "
	    "\"carriers\": [\"UZ-UTY\"]}]\n", recv_port, SECRET);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(file_read_all(dm.conf, &conf, &len), 0);
	text = xasprintf("%s\n[notices]\nsubscriptions = %s\n", conf, path);
	CU_ASSERT_EQUAL(harness_daemon_write_conf(&dm, text), 0);
	free(text);
	kill(dm.pid, SIGHUP);
	CU_ASSERT(wait_sql("SELECT count(*) FROM subscriptions WHERE name = "
	    "'uz-railways' AND recipient = 'UZRAIL' AND formats = '{cusres}' "
	    "AND carriers = '{UZ-UTY}' AND secret LIKE 'v1:%'", 5000));
	/* A broken entry: the whole reload is refused. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
	fprintf(f, "[{\"name\": \"uz-railways\", \"url\": \"ftp://x\", "
	    "\"formats\": [\"cusres\"], \"secret\": \"%s\"}]\n", SECRET);
	fclose(f);
	kill(dm.pid, SIGHUP);
	usleep(500000);
	CU_ASSERT_EQUAL(file_read_all(dm.log, &log, &len), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "subscription 1: \"url\" must be"));
	free(log);
	CU_ASSERT(wait_sql("SELECT count(*) FROM subscriptions WHERE name = "
	    "'uz-railways' AND url LIKE 'http://%'", 1000));
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
	/* Back to the configuration the suite started with. */
	CU_ASSERT_EQUAL(harness_daemon_write_conf(&dm, conf), 0);
	free(conf);
}

static CU_TestInfo notices_tests[] = {
	{ "t_notices_delivered_signed", t_notices_delivered_signed },
	{ "t_notices_retry_dead_redeliver", t_notices_retry_dead_redeliver },
	{ "t_notices_https_verified", t_notices_https_verified },
	{ "t_notices_subscriptions_from_config",
	    t_notices_subscriptions_from_config },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_notices", notices_init, notices_clean, notices_tests)
