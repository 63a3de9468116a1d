/*
 * test_peer.c -- the neighbouring customs link between two daemons, each
 * with its own database, certificates and signing key (made by
 * scripts/border-pki.sh): a train released for export at alashankou
 * arrives at dostyk with the neighbour's seals and controls, and its
 * release is acknowledged back; strangers, wrong names, tampered and
 * replayed messages are refused; messages wait while the link is down
 * and arrive in order, once; the neighbour's control results change the
 * receiving side's decision; the link's listener queues as many
 * handshakes as the API's.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/ssl.h>

#include "daemon/peer/peer_msg.h"
#include "daemon/sign.h"
#include "daemon/tls.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

static struct harness_pg	pga, pgb;
static struct harness_daemon	alk, dst;	/* alashankou, dostyk */
static char			pki[256];
static int			alk_peer_port;	/* alashankou's [peer] listen */
static char			alk_operator[64], alk_officer[64], dst_officer[64];
static struct sign_key		*alk_signing;

/* The [peer] section of one side. */
static char *
peer_conf(const char *pgconf, const char *me, const char *other, int listen,
    int other_port)
{
	return xasprintf("%s[peer]\nname = %s\nneighbour = %s\n"
	    "url = https://127.0.0.1:%d\nlisten = 127.0.0.1:%d\n"
	    "cert_file = %s/%s/cert.pem\nkey_file = %s/%s/key.pem\n"
	    "ca_file = %s/%s/ca.pem\npublic_key = %s/%s/signing.pub.pem\n"
	    "signing_key = %s/%s/signing.pem\nretry_base_ms = 100\n"
	    "retry_max_s = 1\n", pgconf, me, other, other_port, listen,
	    pki, me, pki, me, pki, other, pki, other, pki, me);
}

/* A certificate from alashankou's CA that names khorgos: the right CA,
 * the wrong name. */
static int
make_wrong_name_cert(void)
{
	char	cmd[2048];

	snprintf(cmd, sizeof cmd, "cd %s && printf 'subjectAltName=DNS:khorgos\\n"
	    "extendedKeyUsage=clientAuth,serverAuth\\n' > khorgos.ext && "
	    "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout khorgos.key -subj /CN=khorgos -out khorgos.csr "
	    "2>/dev/null && chmod 600 khorgos.key && openssl x509 -req -in "
	    "khorgos.csr -CA alashankou/ca.pem -CAkey alashankou/ca.key "
	    "-CAcreateserial -days 30 -extfile khorgos.ext -out khorgos.pem "
	    "2>/dev/null", pki);
	return system(cmd) == 0 ? 0 : -1;
}

static int
peer_init(void)
{
	char	 cmd[512], path[300], *ca, *cd, *cause = NULL;
	int	 pa = harness_free_port(), pb = harness_free_port(), rc;

	/* A daemon refusing our certificate closes while we write. */
	signal(SIGPIPE, SIG_IGN);
	snprintf(pki, sizeof pki, "/tmp/railgate-pki.XXXXXX");
	if (mkdtemp(pki) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "scripts/border-pki.sh %s alashankou dostyk "
	    "rogue", pki);
	if (system(cmd) != 0 || make_wrong_name_cert() < 0)
		return -1;
	snprintf(path, sizeof path, "%s/alashankou/signing.pem", pki);
	if ((alk_signing = sign_key_load(path, 0, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	if (harness_pg_start(&pga) < 0 || harness_pg_start(&pgb) < 0)
		return -1;
	alk_peer_port = pa;
	ca = peer_conf(pga.conf, "alashankou", "dostyk", pa, pb);
	cd = peer_conf(pgb.conf, "dostyk", "alashankou", pb, pa);
	rc = harness_daemon_start(&alk, ca) < 0 ||
	    harness_daemon_start(&dst, cd) < 0 ||
	    harness_token(&pga, "operator", "ktzh.operator", alk_operator) < 0 ||
	    harness_token(&pga, "officer", "a.officer", alk_officer) < 0 ||
	    harness_token(&pgb, "officer", "d.officer", dst_officer) < 0;
	free(ca);
	free(cd);
	return rc ? -1 : 0;
}

static int
peer_clean(void)
{
	char	cmd[300];

	harness_daemon_stop(&alk);
	harness_daemon_stop(&dst);
	harness_pg_stop(&pga);
	harness_pg_stop(&pgb);
	sign_key_free(alk_signing);
	snprintf(cmd, sizeof cmd, "rm -rf %s", pki);
	return system(cmd) == 0 ? 0 : -1;
}

/* The peer port of a side, from its configuration. */
static int
peer_port(const struct harness_daemon *d)
{
	char	*text = NULL, *p;
	size_t	 len;
	int	 port = -1;

	if (file_read_all(d->conf, &text, &len) == 0 &&
	    (p = strstr(text, "listen = 127.0.0.1:")) != NULL &&
	    (p = strstr(p + 1, "listen = 127.0.0.1:")) != NULL)
		port = atoi(p + strlen("listen = 127.0.0.1:"));
	free(text);
	return port;
}

/* Polls sql on pg until it returns want; true when it did within 15 s. */
static bool
wait_sql(const struct harness_pg *pg, const char *sql, const char *want)
{
	return harness_wait_sql(pg, sql, want, 15000);
}

/* An HTTP request to a daemon's API; the status. */
static int
api(const struct harness_daemon *d, const char *method, const char *path,
    const char *token, const char *ctype, const char *body, size_t len)
{
	struct harness_response	r;
	char			hdr[256];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s%s%s", token,
	    ctype != NULL ? "Content-Type: " : "", ctype != NULL ? ctype : "",
	    ctype != NULL ? "\r\n" : "");
	if (harness_http(d->port, method, path, hdr, body, len, &r) < 0)
		return -1;
	status = r.status;
	if (status / 100 != 2)
		fprintf(stderr, "\n%s %s: %d %s\n", method, path, status, r.body);
	harness_response_free(&r);
	return status;
}

/* Submits the export fixture at alashankou as train id, and approves it
 * once it is decided. */
static void
export_train(const char *id)
{
	char	*xml, *p, sql[256], path[128];
	size_t	 len;

	xml = test_read_fixture("xml/cuscar_s4_unoy.xml", &len);
	while ((p = strstr(xml, "X9403")) != NULL)
		memcpy(p, id, 5);
	CU_ASSERT_EQUAL_FATAL(api(&alk, "POST", "/v1/manifests", alk_operator,
	    "application/xml", xml, len), 202);
	free(xml);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM trains WHERE train_no = "
	    "'%s' AND decision IS NOT NULL AND NOT eval_needed", id);
	CU_ASSERT_FATAL(wait_sql(&pga, sql, "1"));
	/* The random rule draws by the rule set's hash: a wagon it set out
	 * is inspected and released, so that every export is released. */
	snprintf(sql, sizeof sql, "SELECT w.number FROM wagons w JOIN trains "
	    "t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.rules_action = 'INSPECT' LIMIT 1", id);
	if ((p = harness_sql(&pga, sql)) != NULL && *p != '\0') {
		snprintf(path, sizeof path, "/v1/trains/%s/wagons/%s/resolution",
		    id, p);
		CU_ASSERT_EQUAL(api(&alk, "POST", path, alk_officer,
		    "application/json", "{\"action\":\"release\",\"reason\":"
		    "\"inspected\"}", strlen("{\"action\":\"release\","
		    "\"reason\":\"inspected\"}")), 200);
	}
	free(p);
	snprintf(path, sizeof path, "/v1/trains/%s/approve", id);
	CU_ASSERT_EQUAL_FATAL(api(&alk, "POST", path, alk_officer,
	    "application/json", "{\"reason\":\"released for export\"}",
	    strlen("{\"reason\":\"released for export\"}")), 200);
}

/*
 * Exported at alashankou, pre-cleared at dostyk: the manifest arrives as
 * an import with the neighbour's seals; dostyk decides with them and its
 * release is acknowledged back.
 */
static void
t_peer_export_arrives_precleared(void)
{
	char	*v;

	export_train("X9501");
	CU_ASSERT(wait_sql(&pga, "SELECT o.state FROM peer_outbox o JOIN trains t "
	    "ON t.id = o.train_id WHERE t.train_no = 'X9501'", "sent"));
	CU_ASSERT(wait_sql(&pgb, "SELECT count(*) FROM trains WHERE train_no = "
	    "'X9501' AND decision IS NOT NULL AND NOT eval_needed", "1"));
	v = harness_sql(&pgb, "SELECT t.direction || '/' || m.source || '/' || "
	    "m.principal FROM trains t JOIN manifests m ON m.id = t.manifest_id "
	    "WHERE t.train_no = 'X9501'");
	CU_ASSERT_STRING_EQUAL(v, "import/peer/alashankou");
	free(v);
	/* The neighbour's seals came with it, as a neighbour event. */
	v = harness_sql(&pgb, "SELECT e.body->'seals'->0->>'number' FROM events "
	    "e JOIN trains t ON t.id = e.train_id WHERE t.train_no = 'X9501' "
	    "AND e.type = 'neighbour'");
	CU_ASSERT_STRING_EQUAL(v, "CN7712001");
	free(v);
	v = harness_sql(&pgb, "SELECT decision->>'decision' FROM trains WHERE "
	    "train_no = 'X9501'");
	CU_ASSERT_STRING_EQUAL(v, "RELEASE");
	free(v);
	/* Released at dostyk: alashankou hears it. */
	CU_ASSERT_EQUAL(api(&dst, "POST", "/v1/trains/X9501/approve",
	    dst_officer, "application/json", "{\"reason\":\"pre-cleared\"}",
	    strlen("{\"reason\":\"pre-cleared\"}")), 200);
	CU_ASSERT(wait_sql(&pga, "SELECT count(*) FROM peer_inbox i JOIN trains "
	    "t ON t.id = i.train_id WHERE t.train_no = 'X9501' AND i.type = "
	    "'release_ack' AND i.envelope->>'decision' = 'RELEASE'", "1"));
	/* Nothing went back the other way as a new export. */
	v = harness_sql(&pgb, "SELECT string_agg(type, ',') FROM peer_outbox");
	CU_ASSERT_STRING_EQUAL(v, "release_ack");
	free(v);
}

/* A TLS client for the tests: posts body with headers over mutual TLS. */
struct tls_post {
	const char	*cert, *key, *ca;	/* under pki */
	const char	*headers;		/* "Name: value\r\n"... */
	const void	*body;
	size_t		 len;
};

/* The HTTP status, or -2 when the handshake failed; *answer the body. */
static int
tls_post(int port, const struct tls_post *p, char **answer)
{
	char			 cert[300], key[300], ca[300], *cause = NULL;
	struct tls_config	 tc = { cert, key, ca };
	struct sockaddr_in	 sa;
	struct buf		 in = { 0 };
	struct timeval		 tv = { 5, 0 };
	SSL_CTX			*ctx;
	SSL			*ssl;
	char			*req, *sp;
	int			 fd, n, status = -1;

	*answer = NULL;
	snprintf(cert, sizeof cert, "%s/%s", pki, p->cert);
	snprintf(key, sizeof key, "%s/%s", pki, p->key);
	snprintf(ca, sizeof ca, "%s/%s", pki, p->ca);
	if ((ctx = tls_client_ctx_new(&tc, &cause)) == NULL) {
		fprintf(stderr, "\n%s\n", cause);
		free(cause);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    SSL_connect(ssl) != 1) {
		status = -2;
		goto out;
	}
	req = xasprintf("POST /v1/peer/messages HTTP/1.1\r\nHost: peer\r\n"
	    "Connection: close\r\nContent-Type: application/json\r\n%s"
	    "Content-Length: %zu\r\n\r\n", p->headers, p->len);
	SSL_write(ssl, req, (int)strlen(req));
	free(req);
	if (p->len > 0)
		SSL_write(ssl, p->body, (int)p->len);
	for (;;) {
		buf_reserve(&in, 4096);
		if ((n = SSL_read(ssl, in.data + in.len, (int)(in.cap - in.len -
		    1))) <= 0)
			break;
		in.len += (size_t)n;
	}
	/* A server that refuses the certificate ends the connection at the
	 * first read (TLS 1.3 checks the client after the handshake). */
	if (in.len == 0) {
		status = -2;
		goto out;
	}
	in.data[in.len] = '\0';
	if (strncmp(in.data, "HTTP/1.1 ", 9) == 0)
		status = atoi(in.data + 9);
	if ((sp = strstr(in.data, "\r\n\r\n")) != NULL)
		*answer = xstrdup(sp + 4);
out:
	SSL_free(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	buf_free(&in);
	return status;
}

/* A control-results message from alashankou, sealed at ts. */
static void
seal_controls(const char *train, const char *seals, int64_t ts,
    struct peer_sealed *m)
{
	char	*json = peer_msg_control_results("alashankou", train, seals, "[]");
	char	 id[37];

	peer_msg_new_id(id);
	CU_ASSERT_EQUAL_FATAL(peer_msg_seal(alk_signing, "alashankou",
	    PEER_CONTROL_RESULTS, id, ts, json, strlen(json), m), 0);
	free(json);
}

/* The headers of a sealed message, in buf (NUL-terminated). */
static void
sealed_headers(const struct peer_sealed *m, char *buf, size_t size)
{
	snprintf(buf, size, "Content-Encoding: gzip\r\n%s: %s\r\n%s: %s\r\n"
	    "%s: %lld\r\n%s: %s\r\n%s: %s\r\n", PEER_HDR_ID, m->id,
	    PEER_HDR_TYPE, m->type, PEER_HDR_TIMESTAMP, (long long)m->timestamp,
	    PEER_HDR_SENDER, m->sender, PEER_HDR_SIGNATURE, m->signature);
}

/* Posts a sealed message to dostyk as alashankou (or as who says). */
static int
post_sealed(const struct peer_sealed *m, const char *who, char **answer)
{
	char		hdr[1024], cert[64], key[64];
	struct tls_post	p;

	snprintf(cert, sizeof cert, "%s/cert.pem", who);
	snprintf(key, sizeof key, "%s/key.pem", who);
	sealed_headers(m, hdr, sizeof hdr);
	p.cert = cert;
	p.key = key;
	p.ca = "dostyk/ca.pem";
	p.headers = hdr;
	p.body = m->body;
	p.len = m->len;
	return tls_post(peer_port(&dst), &p, answer);
}

/* True when the daemon's log holds text. */
static bool
log_has(const struct harness_daemon *d, const char *text)
{
	char	*log = NULL;
	size_t	 len;
	bool	 found;

	found = file_read_all(d->log, &log, &len) == 0 &&
	    strstr(log, text) != NULL;
	free(log);
	return found;
}

/* A certificate from a CA dostyk does not pin never gets a message in. */
static void
t_peer_wrong_ca_refused(void)
{
	struct peer_sealed	 m = { 0 };
	char			*answer, *before, *after;

	before = harness_sql(&pgb, "SELECT count(*) FROM peer_inbox");
	seal_controls("X9501", "[]", (int64_t)time(NULL), &m);
	CU_ASSERT_EQUAL(post_sealed(&m, "rogue", &answer), -2);
	free(answer);
	after = harness_sql(&pgb, "SELECT count(*) FROM peer_inbox");
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	peer_sealed_clear(&m);
	/* And dostyk says whom it refused, and why. */
	CU_ASSERT_TRUE(log_has(&dst, "CN=rogue refused: unable to get local "
	    "issuer certificate"));
}

/* The right CA but a certificate naming another service: 403. */
static void
t_peer_wrong_name_refused(void)
{
	struct peer_sealed	 m = { 0 };
	struct tls_post		 p;
	char			 hdr[1024], *answer;

	seal_controls("X9501", "[]", (int64_t)time(NULL), &m);
	sealed_headers(&m, hdr, sizeof hdr);
	p.cert = "khorgos.pem";
	p.key = "khorgos.key";
	p.ca = "dostyk/ca.pem";
	p.headers = hdr;
	p.body = m.body;
	p.len = m.len;
	CU_ASSERT_EQUAL(tls_post(peer_port(&dst), &p, &answer), 403);
	CU_ASSERT_PTR_NOT_NULL(answer != NULL ? strstr(answer, "khorgos") : NULL);
	free(answer);
	peer_sealed_clear(&m);
}

/* A changed byte fails the signature; an old timestamp is stale. */
static void
t_peer_tampered_and_stale_refused(void)
{
	struct peer_sealed	 m = { 0 };
	char			*answer;

	seal_controls("X9501", "[]", (int64_t)time(NULL), &m);
	m.body[m.len / 2] ^= 0x20;
	CU_ASSERT_EQUAL(post_sealed(&m, "alashankou", &answer), 401);
	free(answer);
	peer_sealed_clear(&m);
	memset(&m, 0, sizeof m);
	seal_controls("X9501", "[]", (int64_t)time(NULL) - 3600, &m);
	CU_ASSERT_EQUAL(post_sealed(&m, "alashankou", &answer), 400);
	CU_ASSERT_PTR_NOT_NULL(answer != NULL ? strstr(answer, "stale") : NULL);
	free(answer);
	peer_sealed_clear(&m);
}

/* The acknowledgement of message id: 1 a duplicate, 0 not, -1 not one. */
static int
ack_duplicate(const char *answer, const char *id)
{
	json_t	*j = answer != NULL ? json_loads(answer, 0, NULL) : NULL;
	int	 rc = -1;

	if (j != NULL && json_is_string(json_object_get(j, "ack")) &&
	    strcmp(json_string_value(json_object_get(j, "ack")), id) == 0 &&
	    json_is_boolean(json_object_get(j, "duplicate")))
		rc = json_is_true(json_object_get(j, "duplicate"));
	json_decref(j);
	return rc;
}

/*
 * The same message twice: acknowledged twice, recorded once.  And its
 * seals, which differ from the manifest's, make dostyk inspect.
 */
static void
t_peer_replay_once_and_controls_change_decision(void)
{
	struct peer_sealed	 m = { 0 };
	char			*answer, *v;

	export_train("X9502");
	CU_ASSERT_FATAL(wait_sql(&pgb, "SELECT count(*) FROM trains WHERE "
	    "train_no = 'X9502' AND decision->>'decision' = 'RELEASE' AND NOT "
	    "eval_needed", "1"));
	seal_controls("X9502", "[{\"equipment\":\"TRHU4561225\",\"number\":"
	    "\"KZ0000001\",\"sealed_by\":\"customs\"}]", (int64_t)time(NULL), &m);
	CU_ASSERT_EQUAL(post_sealed(&m, "alashankou", &answer), 200);
	CU_ASSERT_EQUAL(ack_duplicate(answer, m.id), 0);
	free(answer);
	CU_ASSERT_EQUAL(post_sealed(&m, "alashankou", &answer), 200);
	CU_ASSERT_EQUAL(ack_duplicate(answer, m.id), 1);
	free(answer);
	v = harness_sql(&pgb, "SELECT count(*) FROM events e JOIN trains t ON "
	    "t.id = e.train_id WHERE t.train_no = 'X9502' AND e.type = "
	    "'neighbour'");
	CU_ASSERT_STRING_EQUAL(v, "2");	/* the pre-arrival's and this one */
	free(v);
	/* Its one wagon is set out for inspection: the train is held. */
	CU_ASSERT(wait_sql(&pgb, "SELECT decision->>'decision' FROM trains "
	    "WHERE train_no = 'X9502' AND NOT eval_needed", "HOLD"));
	v = harness_sql(&pgb, "SELECT string_agg(DISTINCT h->>'rule', ',') FROM "
	    "trains t, json_array_elements(t.decision->'wagons') w, "
	    "json_array_elements(w->'hits') h WHERE t.train_no = 'X9502'");
	CU_ASSERT_STRING_EQUAL(v, "seal-mismatch");
	free(v);
	peer_sealed_clear(&m);
}

/* A control-results envelope from alashankou, sealed now. */
static void
seal_envelope(const char *json, struct peer_sealed *m)
{
	char	id[37];

	peer_msg_new_id(id);
	CU_ASSERT_EQUAL_FATAL(peer_msg_seal(alk_signing, "alashankou",
	    PEER_CONTROL_RESULTS, id, (int64_t)time(NULL), json, strlen(json),
	    m), 0);
}

/*
 * Malformed control results -- a result no neighbour file has, a set-out
 * wagon with an action that is none -- are refused (400 naming the
 * field) and logged, and change nothing; the link goes on: the next good
 * message, with its set-out wagons, is taken and kept for the rules.
 */
static void
t_peer_bad_control_results_refused(void)
{
	static const struct {
		const char	*json, *field;
	} bad[] = {
		{ "{\"service\":\"alashankou\",\"train\":\"X9502\",\"seals\":"
		    "[],\"controls\":[{\"equipment\":\"TRHU4561225\",\"result\":"
		    "\"bogus\"}]}", "controls[0].result" },
		{ "{\"service\":\"alashankou\",\"train\":\"X9502\",\"seals\":"
		    "[],\"controls\":[],\"set_out\":[{\"wagon\":\"312786954320\","
		    "\"position\":1,\"action\":\"LATER\"}]}", "set_out[0].action" },
		{ "{\"service\":\"alashankou\",\"train\":\"X9502\",\"seals\":"
		    "[],\"controls\":[],\"set_out\":[{\"wagon\":\"312786954320\","
		    "\"position\":-4,\"action\":\"HOLD\"}]}",
		    "set_out[0].position" },
	};
	const char		*good = "{\"service\":\"alashankou\",\"train\":"
				    "\"X9502\",\"seals\":[],\"controls\":[],"
				    "\"set_out\":[{\"wagon\":\"312786954320\","
				    "\"position\":1,\"action\":\"HOLD\"}]}";
	const char		*count = "SELECT count(*) FROM events e JOIN "
				    "trains t ON t.id = e.train_id WHERE "
				    "t.train_no = 'X9502' AND e.type = 'neighbour'";
	struct peer_sealed	 m;
	char			*answer, *before, *v;
	size_t			 i;

	before = harness_sql(&pgb, count);
	for (i = 0; i < nitems(bad); i++) {
		memset(&m, 0, sizeof m);
		seal_envelope(bad[i].json, &m);
		CU_ASSERT_EQUAL(post_sealed(&m, "alashankou", &answer), 400);
		CU_ASSERT_PTR_NOT_NULL(answer != NULL ?
		    strstr(answer, bad[i].field) : NULL);
		CU_ASSERT_TRUE(log_has(&dst, bad[i].field));
		free(answer);
		peer_sealed_clear(&m);
	}
	v = harness_sql(&pgb, count);
	CU_ASSERT_STRING_EQUAL(v, before);
	free(v);
	memset(&m, 0, sizeof m);
	seal_envelope(good, &m);
	CU_ASSERT_EQUAL(post_sealed(&m, "alashankou", &answer), 200);
	CU_ASSERT_EQUAL(ack_duplicate(answer, m.id), 0);
	free(answer);
	peer_sealed_clear(&m);
	v = harness_sql(&pgb, "SELECT e.body->'set_out'->0->>'action' || '/' || "
	    "e.principal || '/' || e.role FROM events e JOIN trains t ON t.id = "
	    "e.train_id WHERE t.train_no = 'X9502' AND e.type = 'neighbour' "
	    "ORDER BY e.id DESC LIMIT 1");
	CU_ASSERT_STRING_EQUAL(v, "HOLD/alashankou/neighbour");
	free(v);
	free(before);
}

/* Posts an event at dostyk as its officer; the status. */
static int
dst_event(const char *train, const char *json)
{
	char	path[128];

	snprintf(path, sizeof path, "/v1/trains/%s/events", train);
	return api(&dst, "POST", path, dst_officer, "application/json", json,
	    strlen(json));
}

/*
 * Our results go back: at dostyk, an officer releases the wagon the rules
 * set out for inspection and posts a scan and a seal check; each queues
 * a control_results message for the train, and alashankou receives our
 * controls (inspected_clear, scanned_suspect, seal_broken) and the seal
 * we found.  An export's evidence queues nothing (its controls go in its
 * pre-arrival).
 */
static void
t_peer_control_results_go_back(void)
{
	char	*wagon, *v, path[160];
	long	 queued;

	CU_ASSERT_FATAL(wait_sql(&pgb, "SELECT count(*) FROM trains WHERE "
	    "train_no = 'X9502' AND NOT eval_needed", "1"));
	wagon = harness_sql(&pgb, "SELECT w.number FROM wagons w JOIN trains t "
	    "ON t.id = w.train_id WHERE t.train_no = 'X9502' AND "
	    "w.rules_action = 'INSPECT' ORDER BY w.position LIMIT 1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(wagon);
	CU_ASSERT_FATAL(wagon[0] != '\0');
	snprintf(path, sizeof path, "/v1/trains/X9502/wagons/%s/resolution",
	    wagon);
	CU_ASSERT_EQUAL(api(&dst, "POST", path, dst_officer, "application/json",
	    "{\"action\":\"release\",\"reason\":\"inspected: clear\"}",
	    strlen("{\"action\":\"release\",\"reason\":\"inspected: "
	    "clear\"}")), 200);
	CU_ASSERT(wait_sql(&pgb, "SELECT count(*) > 0 FROM peer_outbox o JOIN "
	    "trains t ON t.id = o.train_id WHERE t.train_no = 'X9502' AND "
	    "o.type = 'control_results'", "t"));
	CU_ASSERT_EQUAL(dst_event("X9502", "{\"type\":\"scan\",\"container\":"
	    "\"TRHU4561225\",\"result\":\"suspect\"}"), 202);
	CU_ASSERT_EQUAL(dst_event("X9502", "{\"type\":\"seal_check\","
	    "\"equipment\":\"TRHU4561225\",\"seal\":\"KZ0000009\","
	    "\"condition\":\"damaged\"}"), 202);
	/* Everything is delivered; the last message carries it all. */
	CU_ASSERT(wait_sql(&pgb, "SELECT count(*) FROM peer_outbox WHERE "
	    "state = 'pending'", "0"));
	CU_ASSERT(wait_sql(&pga, "SELECT count(*) > 0 FROM peer_inbox WHERE "
	    "type = 'control_results' AND envelope->>'train' = 'X9502'", "t"));
	v = harness_sql(&pga, "SELECT string_agg(c->>'equipment' || '=' || "
	    "(c->>'result'), ',') FROM (SELECT envelope FROM peer_inbox WHERE "
	    "type = 'control_results' AND envelope->>'train' = 'X9502' ORDER BY "
	    "received_at DESC LIMIT 1) i, json_array_elements(i.envelope->"
	    "'controls') c");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_PTR_NOT_NULL(strstr(v, "TRHU4561225=scanned_suspect"));
	CU_ASSERT_PTR_NOT_NULL(strstr(v, "TRHU4561225=seal_broken"));
	snprintf(path, sizeof path, "%s=inspected_clear", wagon);
	CU_ASSERT_PTR_NOT_NULL(strstr(v, path));
	free(v);
	v = harness_sql(&pga, "SELECT (s->>'equipment') || '/' || (s->>'number') "
	    "FROM (SELECT envelope FROM peer_inbox WHERE type = "
	    "'control_results' AND envelope->>'train' = 'X9502' ORDER BY "
	    "received_at DESC LIMIT 1) i, json_array_elements(i.envelope->"
	    "'seals') s");
	CU_ASSERT_STRING_EQUAL(v, "TRHU4561225/KZ0000009");
	free(v);
	/* At alashankou the report is the neighbour's. */
	v = harness_sql(&pga, "SELECT e.principal || '/' || e.role FROM events e "
	    "JOIN trains t ON t.id = e.train_id WHERE t.train_no = 'X9502' AND "
	    "e.type = 'neighbour' ORDER BY e.id DESC LIMIT 1");
	CU_ASSERT_STRING_EQUAL(v, "dostyk/neighbour");
	free(v);
	/* Evidence on an export queues nothing. */
	CU_ASSERT_EQUAL(api(&alk, "POST", "/v1/trains/X9502/events",
	    alk_officer, "application/json", "{\"type\":\"scan\","
	    "\"container\":\"TRHU4561225\",\"result\":\"clear\"}",
	    strlen("{\"type\":\"scan\",\"container\":\"TRHU4561225\","
	    "\"result\":\"clear\"}")), 202);
	queued = atol(v = harness_sql(&pga, "SELECT count(*) FROM peer_outbox "
	    "WHERE type = 'control_results'"));
	free(v);
	CU_ASSERT_EQUAL(queued, 0);
	free(wagon);
}

/* GET /v1/peer at alashankou: the neighbour and nothing left waiting. */
static void
check_peer_status(void)
{
	struct harness_response	 r;
	char			 hdr[128];
	json_t			*j;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", alk_officer);
	CU_ASSERT_EQUAL_FATAL(harness_http(alk.port, "GET", "/v1/peer", hdr,
	    NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	j = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "peer")),
	    "dostyk");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "pending")), 0);
	CU_ASSERT(json_integer_value(json_object_get(j, "sent")) >= 5);
	CU_ASSERT(json_integer_value(json_object_get(j, "received")) >= 1);
	json_decref(j);
}

/*
 * dostyk stopped: alashankou's messages wait and are retried; dostyk
 * back: they arrive, in the order they were made, each once.
 */
static void
t_peer_link_down_messages_wait(void)
{
	char	*v;

	CU_ASSERT_EQUAL_FATAL(harness_daemon_signal_wait(&dst, SIGTERM, 15000),
	    0);
	export_train("X9601");
	export_train("X9602");
	export_train("X9603");
	CU_ASSERT(wait_sql(&pga, "SELECT count(*) FROM peer_outbox WHERE state "
	    "= 'pending' AND attempts > 0", "1"));
	CU_ASSERT(wait_sql(&pga, "SELECT count(*) FROM peer_outbox WHERE state "
	    "= 'pending'", "3"));
	CU_ASSERT_EQUAL_FATAL(harness_daemon_exec(&dst), 0);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_wait_ready(&dst, 15000), 0);
	CU_ASSERT(wait_sql(&pga, "SELECT count(*) FROM peer_outbox WHERE state "
	    "= 'pending'", "0"));
	check_peer_status();
	v = harness_sql(&pgb, "SELECT string_agg(envelope->>'train', ',' ORDER BY "
	    "received_at) FROM peer_inbox WHERE envelope->>'train' LIKE 'X96%'");
	CU_ASSERT_STRING_EQUAL(v, "X9601,X9602,X9603");
	free(v);
	v = harness_sql(&pgb, "SELECT count(*) FROM trains WHERE train_no LIKE "
	    "'X96%'");
	CU_ASSERT_STRING_EQUAL(v, "3");
	free(v);
}

/*
 * SIGHUP with the link configured and messages going out.  The link kept
 * pointers to [peer] name and neighbour inside the configuration, which a
 * reload frees: every message built after a reload read freed memory for
 * its sender (a heap-use-after-free under ASan; a wrong sender, refused
 * by the neighbour, without it).  Each train exported between reloads
 * arrives, from alashankou, and the daemon stays up.
 */
static void
t_peer_reload_while_sending(void)
{
	char	train[16];
	int	i;

	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(kill(alk.pid, SIGHUP), 0);
		usleep(200000);
		snprintf(train, sizeof train, "X97%02d", i);
		export_train(train);
	}
	CU_ASSERT(wait_sql(&pga, "SELECT count(*) FROM peer_outbox o JOIN trains "
	    "t ON t.id = o.train_id WHERE t.train_no LIKE 'X97%' AND o.state = "
	    "'sent'", "3"));
	CU_ASSERT(wait_sql(&pgb, "SELECT count(*) FROM peer_inbox WHERE "
	    "sender = 'alashankou' AND envelope->>'train' LIKE 'X97%'", "3"));
	CU_ASSERT_TRUE(harness_daemon_alive(&alk));
}

/*
 * The link's listener queues as many handshakes as the API's (4096 as
 * the kernel allows, not libevent's 128): a neighbour reconnecting after
 * an outage must not have them dropped.  ss shows a listening socket's
 * backlog as its Send-Q.
 */
static void
t_peer_listen_backlog(void)
{
	CU_ASSERT(harness_listen_backlog(alk_peer_port) >= 1024);
}

static CU_TestInfo peer_tests[] = {
	{ "t_peer_listen_backlog", t_peer_listen_backlog },
	{ "t_peer_export_arrives_precleared", t_peer_export_arrives_precleared },
	{ "t_peer_wrong_ca_refused", t_peer_wrong_ca_refused },
	{ "t_peer_wrong_name_refused", t_peer_wrong_name_refused },
	{ "t_peer_tampered_and_stale_refused",
	    t_peer_tampered_and_stale_refused },
	{ "t_peer_replay_once_and_controls_change_decision",
	    t_peer_replay_once_and_controls_change_decision },
	{ "t_peer_bad_control_results_refused",
	    t_peer_bad_control_results_refused },
	{ "t_peer_control_results_go_back", t_peer_control_results_go_back },
	{ "t_peer_link_down_messages_wait", t_peer_link_down_messages_wait },
	{ "t_peer_reload_while_sending", t_peer_reload_while_sending },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_peer", peer_init, peer_clean, peer_tests)
