/*
 * test_outbound_roles.c -- issue 15, items 9 and 10, against the running
 * daemon.
 *
 * integration_outbound: operators' endpoints cannot reach inside the
 * station.  A subscription to a loopback, link-local, private or
 * otherwise non-public address -- as a literal in any spelling, or as a
 * name resolving to one -- is refused (422) unless [notices]
 * allow_private_endpoints says yes; so is a URL with control characters,
 * user information or another scheme.  Each delivery checks the address
 * again and connects to the one it checked.  Client certificates come
 * from under client_cert_dir only, with the same answer for a missing
 * file and a forbidden one, and never the station's key.  An endpoint's
 * reason phrase is never stored or shown; a redirect is not followed.
 *
 * integration_event_roles: an operator posts position and arrival, not
 * control evidence (weighbridge, scan, seal_check: 403, nothing stored);
 * a position or arrival never reopens a finished run (409, no new run);
 * an unknown train is still announced by its position.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

/* ---- shared helpers ---- */

/* A request as token; the status (-1: no answer), the body in *reply. */
static int
call(const struct harness_daemon *d, const char *method, const char *path,
    const char *token, const char *body, char **reply)
{
	struct harness_response	r;
	char			hdr[256];
	int			st;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(d->port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, &r) < 0)
		return -1;
	st = r.status;
	if (reply != NULL)
		*reply = xstrdup(r.body != NULL ? r.body : "");
	harness_response_free(&r);
	return st;
}

/* The first value of sql as a number (-1 when there is none). */
static long
sql_long(const struct harness_pg *pg, const char *sql)
{
	char	*v = harness_sql(pg, sql);
	long	 n = v != NULL ? atol(v) : -1;

	free(v);
	return n;
}

/* The "detail" of a problem document (owned), or an empty string. */
static char *
detail_of(const char *body)
{
	json_t	*j = json_loads(body, 0, NULL);
	char	*s = xstrdup(j != NULL && json_string_value(json_object_get(j,
		    "detail")) != NULL ? json_string_value(json_object_get(j,
		    "detail")) : "");

	json_decref(j);
	return s;
}

/* ---- integration_outbound ---- */

/* A receiver on loopback answering every request with a canned reply. */
struct receiver {
	int		 fd, port;
	const char	*reply;
	atomic_int	 hits;
	pthread_t	 thread;
};

static struct harness_pg	opg;
static struct harness_daemon	odm;
static char			admin_tok[64], officer_tok[64], auditor_tok[64];
static char			*base_conf;
static char			certs[] = "/tmp/railgate-clientcerts-XXXXXX";
static int			reloads;
static struct receiver		ok_recv = { .reply = "HTTP/1.1 200 OK\r\n"
				    "Content-Length: 0\r\nConnection: close\r\n\r\n" };
static struct receiver		evil_recv = { .reply = "HTTP/1.1 500 "
				    "<script>evil()</script>\r\nContent-Length: 16\r\n"
				    "Connection: close\r\n\r\n<b>evil body</b>" };
static struct receiver		redirect_recv;
static struct receiver		stolen_recv = { .reply = "HTTP/1.1 200 OK\r\n"
				    "Content-Length: 0\r\nConnection: close\r\n\r\n" };
static char			redirect_reply[256];

static void *
receiver_run(void *arg)
{
	struct receiver	*r = arg;
	char		 buf[1 << 16], *end;
	size_t		 len;
	ssize_t		 n;
	int		 fd;

	while ((fd = accept(r->fd, NULL, NULL)) >= 0) {
		len = 0;
		while ((n = read(fd, buf + len, sizeof buf - len - 1)) > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			end = strstr(buf, "\r\n\r\n");
			if (end != NULL) {
				const char *cl = strcasestr(buf, "Content-Length:");
				size_t want = (size_t)(end + 4 - buf) +
				    (cl != NULL && cl < end ? (size_t)atol(cl + 15) : 0);

				if (len >= want)
					break;
			}
		}
		atomic_fetch_add(&r->hits, 1);
		if (write(fd, r->reply, strlen(r->reply)) < 0)
			fprintf(stderr, "receiver: write failed\n");
		close(fd);
	}
	return NULL;
}

static int
receiver_start(struct receiver *r)
{
	struct sockaddr_in	sa;
	socklen_t		sl = sizeof sa;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((r->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(r->fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(r->fd, 16) < 0 ||
	    getsockname(r->fd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	r->port = ntohs(sa.sin_port);
	return pthread_create(&r->thread, NULL, receiver_run, r) == 0 ? 0 : -1;
}

static void
receiver_stop(struct receiver *r)
{
	if (r->thread == 0)
		return;
	shutdown(r->fd, SHUT_RDWR);
	close(r->fd);
	pthread_join(r->thread, NULL);
}

/*
 * A client certificate and key, a link leading out of the directory, and
 * a certificate made with a copy of the station's own key.
 */
static int
make_certs(void)
{
	char	cmd[2048];

	snprintf(cmd, sizeof cmd, "(cd %s && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout client.key -out client.pem -subj /CN=client "
	    "-days 2 && ln -s /etc/passwd escape.pem && "
	    "cp %s/station-ed25519.pem station-copy.key && "
	    "openssl req -x509 -key station-copy.key -out station.pem "
	    "-subj /CN=station -days 2) > /dev/null 2>&1", certs, odm.dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Rewrites the configuration with allow_private_endpoints and reloads. */
static bool
reload(bool allow)
{
	char	*text, *log;
	size_t	 len;
	int	 waited, seen = 0;
	const char *p;

	text = xasprintf("%s[notices]\nallow_private_endpoints = %s\n",
	    base_conf, allow ? "yes" : "no");
	if (harness_daemon_write_conf(&odm, text) < 0) {
		free(text);
		return false;
	}
	free(text);
	kill(odm.pid, SIGHUP);
	reloads++;
	for (waited = 0; waited < 10000 && seen < reloads; waited += 50) {
		usleep(50000);
		seen = 0;
		if (file_read_all(odm.log, &log, &len) == 0) {
			for (p = log; (p = strstr(p, "configuration reloaded")) !=
			    NULL; p++)
				seen++;
			free(log);
		}
	}
	return seen >= reloads;
}

static int
outbound_init(void)
{
	char	conf[2048];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(certs) == NULL)
		return -1;
	if (receiver_start(&ok_recv) < 0 || receiver_start(&evil_recv) < 0 ||
	    receiver_start(&stolen_recv) < 0)
		return -1;
	snprintf(redirect_reply, sizeof redirect_reply, "HTTP/1.1 302 Found\r\n"
	    "Location: http://127.0.0.1:%d/stolen\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", stolen_recv.port);
	redirect_recv.reply = redirect_reply;
	if (receiver_start(&redirect_recv) < 0 || harness_pg_start(&opg) < 0)
		return -1;
	/* The default: allow_private_endpoints = no. */
	snprintf(conf, sizeof conf, "%s[notices]\nretry_base_ms = 100\n"
	    "retry_max_s = 1\nmax_attempts = 2\nclient_cert_dir = %s\n",
	    opg.conf, certs);
	if (harness_daemon_start(&odm, conf) < 0 || make_certs() < 0)
		return -1;
	if (file_read_all(odm.conf, &base_conf, &(size_t){ 0 }) < 0)
		return -1;
	if (harness_token(&opg, "admin", "o.admin", admin_tok) < 0 ||
	    harness_token(&opg, "officer", "o.officer", officer_tok) < 0 ||
	    harness_token(&opg, "auditor", "o.auditor", auditor_tok) < 0)
		return -1;
	/* A released train with a final decision, to hang notices on. */
	free(harness_sql(&opg, "WITH t AS (INSERT INTO trains (train_no, run, "
	    "state, decision_final) VALUES ('T0015', 1, 'released', true) "
	    "RETURNING id), r AS (INSERT INTO rulesets (sha256, name, files_z) "
	    "VALUES (repeat('0', 64), 'outbound', '') ON CONFLICT DO NOTHING "
	    "RETURNING 1), m AS (INSERT INTO manifests (sha256, raw_z, "
	    "raw_size, format, source, principal, accepted) VALUES "
	    "(repeat('1', 64), '', 0, 'edifact', 'http', 'outbound', true) "
	    "RETURNING id) INSERT INTO decisions (train_id, document, outcome, "
	    "final, ruleset_sha256, manifest_id, made_by) SELECT t.id, "
	    "'{\"train\":\"T0015\",\"decision\":\"RELEASE\",\"final\":true}', "
	    "'RELEASE', true, repeat('0', 64), m.id, 'outbound' FROM t, m "
	    "RETURNING 1"));
	return 0;
}

static int
outbound_clean(void)
{
	char	cmd[300];

	harness_daemon_stop(&odm);
	harness_pg_stop(&opg);
	receiver_stop(&ok_recv);
	receiver_stop(&evil_recv);
	receiver_stop(&redirect_recv);
	receiver_stop(&stolen_recv);
	free(base_conf);
	snprintf(cmd, sizeof cmd, "rm -rf %s", certs);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", certs);
	return 0;
}

/* PUTs a subscription {url, formats, secret, extra...}; the status. */
static int
put_sub(const char *name, const char *url_json, const char *extra,
    char **reply)
{
	char	path[128], *body;
	int	st;

	snprintf(path, sizeof path, "/v1/subscriptions/%s", name);
	body = xasprintf("{\"url\":%s,\"formats\":[\"json\"],\"secret\":\""
	    SECRET "\",\"enabled\":false%s%s}", url_json,
	    extra != NULL ? "," : "", extra != NULL ? extra : "");
	st = call(&odm, "PUT", path, admin_tok, body, reply);
	free(body);
	return st;
}

/* Subscriptions stored under name. */
static long
subs_named(const char *name)
{
	char	sql[256];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM subscriptions WHERE "
	    "name = '%s'", name);
	return sql_long(&opg, sql);
}

/* Expects a 422 naming "url" for url_json, and nothing stored. */
static void
expect_url_refused(const char *url_json, const char *why_has)
{
	char	*reply = NULL, *detail;
	int	 st = put_sub("refused", url_json, NULL, &reply);

	detail = detail_of(reply != NULL ? reply : "");
	if (st != 422 || strstr(detail, "\"url\"") == NULL ||
	    (why_has != NULL && strstr(detail, why_has) == NULL)) {
		fprintf(stderr, "\nurl %s: %d %s\n", url_json, st, detail);
		CU_FAIL("an endpoint URL that must be refused was not (422 "
		    "naming url)");
	}
	CU_ASSERT_EQUAL(subs_named("refused"), 0);
	free(detail);
	free(reply);
}

/*
 * The reproductions: the cloud's metadata service, PostgreSQL on ::1,
 * 127.0.0.1, its IPv4-mapped form, and a name resolving to loopback --
 * and every other spelling and range an attacker would try next.
 */
static void
t_outbound_private_refused(void)
{
	static const char *const urls[] = {
		"\"http://169.254.169.254/latest/meta-data/\"",
		"\"http://[::1]:5432/\"",
		"\"http://127.0.0.1:8080/v1/subscriptions/x\"",
		"\"http://[::ffff:127.0.0.1]/\"",
		"\"http://localhost/\"",
		"\"http://2130706433/\"",		/* 127.0.0.1 in decimal */
		"\"http://0x7f.1/\"",
		"\"http://127.1/\"",
		"\"http://0177.0.0.1/\"",
		"\"http://0.0.0.0/\"",
		"\"http://[::]/\"",
		"\"http://10.0.0.1/\"",
		"\"http://172.16.5.4/\"",
		"\"http://192.168.1.1/\"",
		"\"http://100.64.0.1/\"",
		"\"https://[fe80::1]/\"",
		"\"http://[fd12:3456::1]/\"",
		"\"http://224.0.0.1/\"",
		"\"http://255.255.255.255/\"",
		"\"http://[64:ff9b::a9fe:a9fe]/\"",	/* NAT64 of 169.254.169.254 */
		"\"http://[2002:7f00:1::1]/\"",		/* 6to4 of 127.0.0.1 */
		"\"http://[::127.0.0.1]/\"",
		"\"http://[ff02::1]/\"",
	};
	char	*reply = NULL;
	size_t	 i;

	for (i = 0; i < nitems(urls); i++)
		expect_url_refused(urls[i], NULL);
	/* The reason names the address and the parameter that allows it. */
	expect_url_refused("\"http://localhost/\"", "allow_private_endpoints");
	expect_url_refused("\"http://169.254.169.254/\"", "link-local");
	/* A public address is accepted (disabled: nothing is sent to it). */
	CU_ASSERT_EQUAL(put_sub("public", "\"http://8.8.8.8/hooks\"", NULL,
	    &reply), 200);
	free(reply);
	CU_ASSERT_EQUAL(subs_named("public"), 1);
	CU_ASSERT_TRUE(harness_daemon_alive(&odm));
}

/* URLs that are not plain http(s) URLs: 422 naming "url". */
static void
t_outbound_url_syntax(void)
{
	static const char *const urls[] = {
		"\"http://8.8.8.8/a\\u0001b\"",
		"\"http://8.8.8.8/a\\r\\nX-Injected: 1\"",
		"\"http://8.8.8.8/a\\tb\"",
		"\"http://8.8.8.8/a b\"",
		"\"http://8.8.8.8/a\\u007fb\"",
		"\"http://8.8.8.8/caf\\u00e9\"",
		"\"http://user:pass@8.8.8.8/\"",
		"\"http://8.8.8.8@127.0.0.1/\"",
		"\"http://8.8.8.8\\\\@127.0.0.1/\"",
		"\"ftp://8.8.8.8/\"",
		"\"file:///etc/passwd\"",
		"\"gopher://8.8.8.8:70/\"",
		"\"HTTP://8.8.8.8/\"",
		"\"http:///x\"",
		"\"http://8.8.8.8:0/\"",
		"\"http://8.8.8.8/#frag\"",
		"\"//8.8.8.8/\"",
		"42",
	};
	size_t	i;

	for (i = 0; i < nitems(urls); i++)
		expect_url_refused(urls[i], NULL);
}

/*
 * client_cert and client_key: one answer for a file that does not exist
 * and one that exists outside client_cert_dir (no file oracle); the
 * station's key refused; a certificate in the directory accepted.
 */
static void
t_outbound_client_cert(void)
{
	static const char *const outside[] = {
		"\"client_cert\":\"/etc/shadow\",\"client_key\":\"/etc/shadow\"",
		"\"client_cert\":\"/etc/passwd\",\"client_key\":\"/etc/passwd\"",
		"\"client_cert\":\"client.pem\",\"client_key\":\"/etc/shadow\"",
		"\"client_cert\":\"../../../../etc/passwd\","
		    "\"client_key\":\"client.key\"",
		"\"client_cert\":\"escape.pem\",\"client_key\":\"client.key\"",
		"\"client_cert\":\"/nonexistent/x.pem\","
		    "\"client_key\":\"/nonexistent/x.key\"",
		"\"client_cert\":\"missing.pem\",\"client_key\":\"client.key\"",
	};
	char	*reply = NULL, *first = NULL, *detail, extra[1024];
	size_t	 i;

	for (i = 0; i < nitems(outside); i++) {
		CU_ASSERT_EQUAL(put_sub("certs", "\"https://8.8.8.8/\"",
		    outside[i], &reply), 422);
		detail = detail_of(reply);
		free(reply);
		if (first == NULL)
			first = detail;
		else {
			if (strcmp(first, detail) != 0)
				fprintf(stderr, "\nclient cert %s: \"%s\", not "
				    "\"%s\"\n", outside[i], detail, first);
			CU_ASSERT_STRING_EQUAL(detail, first);
			free(detail);
		}
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(first, "client_cert_dir"));
	free(first);
	/* The station's signing key: by its path, and as a copy in the
	 * directory with a certificate made for it. */
	snprintf(extra, sizeof extra, "\"client_cert\":\"station.pem\","
	    "\"client_key\":\"%s/station-ed25519.pem\"", odm.dir);
	CU_ASSERT_EQUAL(put_sub("certs", "\"https://8.8.8.8/\"", extra, NULL),
	    422);
	CU_ASSERT_EQUAL(put_sub("certs", "\"https://8.8.8.8/\"",
	    "\"client_cert\":\"station.pem\",\"client_key\":"
	    "\"station-copy.key\"", &reply), 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "station's own"));
	free(reply);
	CU_ASSERT_EQUAL(subs_named("certs"), 0);
	/* A certificate and its key from the directory: by name, by path. */
	CU_ASSERT_EQUAL(put_sub("certs", "\"https://8.8.8.8/\"",
	    "\"client_cert\":\"client.pem\",\"client_key\":\"client.key\"",
	    NULL), 200);
	snprintf(extra, sizeof extra, "\"client_cert\":\"%s/client.pem\","
	    "\"client_key\":\"%s/./client.key\"", certs, certs);
	CU_ASSERT_EQUAL(put_sub("certs", "\"https://8.8.8.8/\"", extra, NULL),
	    200);
	CU_ASSERT_EQUAL(subs_named("certs"), 1);
}

/* Puts one notice for subscription name in the outbox; its id (owned). */
static char *
enqueue(const char *name)
{
	char	sql[512];

	snprintf(sql, sizeof sql, "INSERT INTO notices (id, train_id, "
	    "decision_id, subscription_id, format) SELECT 'ntc_' || "
	    "md5(random()::text), d.train_id, d.id, s.id, 'json' FROM "
	    "decisions d, subscriptions s WHERE d.made_by = 'outbound' AND "
	    "s.name = '%s' RETURNING id", name);
	return harness_sql(&opg, sql);
}

/* Waits until notice id has had an attempt; true if it did. */
static bool
wait_attempted(const char *id)
{
	char	sql[256];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM notices WHERE id = "
	    "'%s' AND attempts > 0", id);
	return harness_wait_sql(&opg, sql, NULL, 10000);
}

/* notices.last_error of id (owned; "NULL" when null). */
static char *
last_error(const char *id)
{
	char	sql[256], *v;

	snprintf(sql, sizeof sql, "SELECT coalesce(last_error, 'NULL') FROM "
	    "notices WHERE id = '%s'", id);
	v = harness_sql(&opg, sql);
	return v != NULL ? v : xstrdup("none");
}

/* Allowed by configuration: loopback receivers are reached. */
static void
t_outbound_allowed_by_configuration(void)
{
	char	url[128], *id, *v;

	CU_ASSERT_FATAL(reload(true));
	snprintf(url, sizeof url, "\"http://localhost:%d/hook\"", ok_recv.port);
	CU_ASSERT_EQUAL(put_sub("local", url, NULL, NULL), 200);
	snprintf(url, sizeof url, "\"http://127.0.0.1:%d/hook\"", ok_recv.port);
	CU_ASSERT_EQUAL(put_sub("loopback", url, NULL, NULL), 200);
	free(harness_sql(&opg, "UPDATE subscriptions SET enabled = true WHERE "
	    "name = 'loopback' RETURNING 1"));
	id = enqueue("loopback");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT(wait_attempted(id));
	v = last_error(id);
	CU_ASSERT_STRING_EQUAL(v, "NULL");
	free(v);
	CU_ASSERT_EQUAL(atomic_load(&ok_recv.hits), 1);
	free(id);
}

/*
 * An endpoint's reason phrase and body are its own words: last_error
 * shows the status alone, to officers and auditors, and the log does not
 * carry them either.
 */
static void
t_outbound_reason_phrase_not_kept(void)
{
	char	url[128], *id, *v, *reply = NULL, *log;
	size_t	len;

	snprintf(url, sizeof url, "\"http://127.0.0.1:%d/hook\"",
	    evil_recv.port);
	CU_ASSERT_EQUAL_FATAL(put_sub("reasons", url, NULL, NULL), 200);
	free(harness_sql(&opg, "UPDATE subscriptions SET enabled = true WHERE "
	    "name = 'reasons' RETURNING 1"));
	id = enqueue("reasons");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT(wait_attempted(id));
	CU_ASSERT(atomic_load(&evil_recv.hits) >= 1);
	v = last_error(id);
	CU_ASSERT_STRING_EQUAL(v, "HTTP 500");
	free(v);
	CU_ASSERT_EQUAL(call(&odm, "GET", "/v1/trains/T0015/notices",
	    officer_tok, NULL, &reply), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"HTTP 500\""));
	CU_ASSERT_PTR_NULL(strstr(reply, "script"));
	CU_ASSERT_PTR_NULL(strstr(reply, "evil"));
	free(reply);
	CU_ASSERT_EQUAL(call(&odm, "GET", "/v1/trains/T0015/notices",
	    auditor_tok, NULL, &reply), 200);
	CU_ASSERT_PTR_NULL(strstr(reply, "script"));
	free(reply);
	CU_ASSERT_EQUAL(sql_long(&opg, "SELECT count(*) FROM deliveries WHERE "
	    "error LIKE '%script%' OR error LIKE '%evil%'"), 0);
	CU_ASSERT_EQUAL(file_read_all(odm.log, &log, &len), 0);
	CU_ASSERT_PTR_NULL(strstr(log, "<script>"));
	free(log);
	free(id);
}

/* A redirect is a failed attempt, never followed. */
static void
t_outbound_redirect_not_followed(void)
{
	char	url[128], *id, *v;

	snprintf(url, sizeof url, "\"http://127.0.0.1:%d/hook\"",
	    redirect_recv.port);
	CU_ASSERT_EQUAL_FATAL(put_sub("moved", url, NULL, NULL), 200);
	free(harness_sql(&opg, "UPDATE subscriptions SET enabled = true WHERE "
	    "name = 'moved' RETURNING 1"));
	id = enqueue("moved");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT(wait_attempted(id));
	v = last_error(id);
	CU_ASSERT_STRING_EQUAL(v, "HTTP 302");
	free(v);
	usleep(300000);
	CU_ASSERT(atomic_load(&redirect_recv.hits) >= 1);
	CU_ASSERT_EQUAL(atomic_load(&stolen_recv.hits), 0);
	free(id);
}

/*
 * A client certificate stored before the directory rule (a row written
 * straight into the table) is checked again at delivery: nothing is sent.
 */
static void
t_outbound_client_cert_at_delivery(void)
{
	char	sql[512], *id, *v;
	int	before = atomic_load(&ok_recv.hits);

	snprintf(sql, sizeof sql, "INSERT INTO subscriptions (name, url, "
	    "formats, secret, client_cert, client_key) VALUES ('oldcert', "
	    "'https://127.0.0.1:%d/', '{json}', '" SECRET "', '/etc/passwd', "
	    "'%s/station-ed25519.pem') RETURNING 1", ok_recv.port, odm.dir);
	free(harness_sql(&opg, sql));
	id = enqueue("oldcert");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT(wait_attempted(id));
	v = last_error(id);
	CU_ASSERT_PTR_NOT_NULL(strstr(v, "client_cert_dir"));
	free(v);
	CU_ASSERT_EQUAL(atomic_load(&ok_recv.hits), before);
	free(id);
}

/*
 * The address is checked again at every delivery: a subscription stored
 * while private endpoints were allowed, or written before the rule (a
 * name that resolved elsewhere when it was stored, as DNS rebinding
 * would have it), is not reached once they are not.
 */
static void
t_outbound_checked_at_delivery(void)
{
	char	sql[512], *id, *v;
	int	before;

	CU_ASSERT_FATAL(reload(false));
	before = atomic_load(&ok_recv.hits);
	snprintf(sql, sizeof sql, "INSERT INTO subscriptions (name, url, "
	    "formats, secret) VALUES ('rebound', 'http://localhost:%d/', "
	    "'{json}', '" SECRET "') RETURNING 1", ok_recv.port);
	free(harness_sql(&opg, sql));
	id = enqueue("rebound");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT(wait_attempted(id));
	v = last_error(id);
	CU_ASSERT_PTR_NOT_NULL(strstr(v, "loopback"));
	free(v);
	free(id);
	id = enqueue("loopback");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT(wait_attempted(id));
	v = last_error(id);
	CU_ASSERT_PTR_NOT_NULL(strstr(v, "not sent"));
	free(v);
	free(id);
	usleep(300000);
	CU_ASSERT_EQUAL(atomic_load(&ok_recv.hits), before);
	CU_ASSERT_TRUE(harness_daemon_alive(&odm));
}

static CU_TestInfo outbound_tests[] = {
	{ "t_outbound_private_refused", t_outbound_private_refused },
	{ "t_outbound_url_syntax", t_outbound_url_syntax },
	{ "t_outbound_client_cert", t_outbound_client_cert },
	{ "t_outbound_allowed_by_configuration",
	    t_outbound_allowed_by_configuration },
	{ "t_outbound_reason_phrase_not_kept",
	    t_outbound_reason_phrase_not_kept },
	{ "t_outbound_redirect_not_followed", t_outbound_redirect_not_followed },
	{ "t_outbound_client_cert_at_delivery",
	    t_outbound_client_cert_at_delivery },
	{ "t_outbound_checked_at_delivery", t_outbound_checked_at_delivery },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_outbound", outbound_init, outbound_clean,
    outbound_tests)

/* ---- integration_event_roles ---- */

static struct harness_pg	rpg;
static struct harness_daemon	rdm;
static char			operator_tok[64], r_officer_tok[64];
static char			supervisor_tok[64], r_auditor_tok[64];

static int
roles_init(void)
{
	if (harness_pg_start(&rpg) < 0 || harness_daemon_start(&rdm,
	    rpg.conf) < 0)
		return -1;
	if (harness_token(&rpg, "operator", "r.operator", operator_tok) < 0 ||
	    harness_token(&rpg, "officer", "r.officer", r_officer_tok) < 0 ||
	    harness_token(&rpg, "supervisor", "r.supervisor",
	    supervisor_tok) < 0 ||
	    harness_token(&rpg, "auditor", "r.auditor", r_auditor_tok) < 0)
		return -1;
	/*
	 * X9100 on its way (a wagon with a container, a sealed one); X9101
	 * released for good; X9102 cancelled; X9103 held for good.  No
	 * manifest rows: nothing is evaluated behind the tests' backs.
	 */
	free(harness_sql(&rpg, "WITH t AS (INSERT INTO trains (train_no, run, "
	    "state) VALUES ('X9100', 1, 'evaluated') RETURNING id) INSERT INTO "
	    "wagons (train_id, position, number, containers, "
	    "container_numbers) SELECT id, 1, '218124712173', 1, "
	    "ARRAY['CSQU3054383'] FROM t RETURNING 1"));
	free(harness_sql(&rpg, "INSERT INTO trains (train_no, run, state, "
	    "decision_final) VALUES ('X9101', 1, 'released', true), "
	    "('X9102', 1, 'cancelled', false), ('X9103', 1, 'held', true) "
	    "RETURNING 1"));
	/* The operator's carrier's trains: it posts to no other's. */
	free(harness_sql(&rpg, "UPDATE trains SET carrier_id = 'KZ-KTZE' "
	    "RETURNING 1"));
	return 0;
}

static int
roles_clean(void)
{
	harness_daemon_stop(&rdm);
	harness_pg_stop(&rpg);
	return 0;
}

/* Posts body to train id's events as token; the status, *reply the body. */
static int
post_event(const char *id, const char *token, const char *body, char **reply)
{
	char	path[128];

	snprintf(path, sizeof path, "/v1/trains/%s/events", id);
	return call(&rdm, "POST", path, token, body, reply);
}

static const char *const evidence[] = {
	"{\"type\":\"scan\",\"container\":\"CSQU3054383\",\"result\":\"clear\"}",
	"{\"type\":\"seal_check\",\"equipment\":\"CSQU3054383\",\"seal\":"
	    "\"KZ123456\",\"condition\":\"intact\"}",
	"{\"type\":\"weighbridge\",\"wagon\":\"218124712173\",\"gross_kg\":"
	    "61200}",
};

/* An operator's control evidence: 403 naming role and type, nothing stored. */
static void
t_roles_operator_no_evidence(void)
{
	long	events = sql_long(&rpg, "SELECT count(*) FROM events");
	long	audit = sql_long(&rpg, "SELECT count(*) FROM audit_log");
	char	*reply = NULL, *d;
	size_t	i;

	for (i = 0; i < nitems(evidence); i++) {
		CU_ASSERT_EQUAL(post_event("X9100", operator_tok, evidence[i],
		    &reply), 403);
		d = detail_of(reply);
		CU_ASSERT_PTR_NOT_NULL(strstr(d, "operator"));
		CU_ASSERT_PTR_NOT_NULL(strstr(d, i == 0 ? "scan" : i == 1 ?
		    "seal_check" : "weighbridge"));
		free(d);
		free(reply);
		/* Nor by naming the run, nor for a train not yet known. */
		CU_ASSERT_EQUAL(post_event("X9100@1", operator_tok, evidence[i],
		    NULL), 403);
		CU_ASSERT_EQUAL(post_event("X9199", operator_tok, evidence[i],
		    NULL), 403);
	}
	CU_ASSERT_EQUAL(sql_long(&rpg, "SELECT count(*) FROM events"), events);
	CU_ASSERT_EQUAL(sql_long(&rpg, "SELECT count(*) FROM audit_log"), audit);
	CU_ASSERT_EQUAL(sql_long(&rpg, "SELECT count(*) FROM trains WHERE "
	    "train_no = 'X9199'"), 0);
	/* An auditor posts nothing at all. */
	CU_ASSERT_EQUAL(post_event("X9100", r_auditor_tok, evidence[0], NULL),
	    403);
}

/* Officers and supervisors post control evidence; operators the position. */
static void
t_roles_officer_evidence(void)
{
	long	events = sql_long(&rpg, "SELECT count(*) FROM events");
	size_t	i;

	for (i = 0; i < nitems(evidence); i++)
		CU_ASSERT_EQUAL(post_event("X9100", r_officer_tok, evidence[i],
		    NULL), 202);
	CU_ASSERT_EQUAL(post_event("X9100", supervisor_tok, evidence[0], NULL),
	    202);
	CU_ASSERT_EQUAL(post_event("X9100", operator_tok, "{\"type\":"
	    "\"position\",\"eta\":\"2026-11-22T10:00:00Z\"}", NULL), 202);
	CU_ASSERT_EQUAL(post_event("X9100", operator_tok,
	    "{\"type\":\"arrived\"}", NULL), 202);
	CU_ASSERT_EQUAL(sql_long(&rpg, "SELECT count(*) FROM events"),
	    events + 6);
	CU_ASSERT_EQUAL(sql_long(&rpg, "SELECT count(*) FROM events WHERE "
	    "type IN ('scan', 'seal_check', 'weighbridge') AND principal = "
	    "'r.operator'"), 0);
}

/* A position or arrival on a finished run: 409, no new run, nothing stored. */
static void
t_roles_finished_not_reopened(void)
{
	static const char *const finished[] = { "X9101", "X9101@1", "X9102",
	    "X9103" };
	static const char *const bodies[] = { "{\"type\":\"arrived\"}",
	    "{\"type\":\"position\",\"eta\":\"2026-11-23T10:00:00Z\"}" };
	long	trains = sql_long(&rpg, "SELECT count(*) FROM trains");
	long	events = sql_long(&rpg, "SELECT count(*) FROM events");
	char	*reply = NULL, *d, *v;
	size_t	i, k;

	CU_ASSERT_EQUAL(post_event("X9101", operator_tok,
	    "{\"type\":\"arrived\"}", &reply), 409);
	d = detail_of(reply);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "X9101"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "released"));
	free(d);
	free(reply);
	for (i = 0; i < nitems(finished); i++)
		for (k = 0; k < nitems(bodies); k++) {
			CU_ASSERT_EQUAL(post_event(finished[i], operator_tok,
			    bodies[k], NULL), 409);
			CU_ASSERT_EQUAL(post_event(finished[i], r_officer_tok,
			    bodies[k], NULL), 409);
		}
	CU_ASSERT_EQUAL(sql_long(&rpg, "SELECT count(*) FROM trains"), trains);
	CU_ASSERT_EQUAL(sql_long(&rpg, "SELECT count(*) FROM trains WHERE "
	    "train_no = 'X9101'"), 1);
	CU_ASSERT_EQUAL(sql_long(&rpg, "SELECT count(*) FROM events"), events);
	CU_ASSERT_EQUAL(call(&rdm, "GET", "/v1/trains/X9101@2", r_officer_tok,
	    NULL, NULL), 404);
	v = harness_sql(&rpg, "SELECT string_agg(state || coalesce(ata::text, "
	    "'-'), ',' ORDER BY train_no) FROM trains WHERE train_no IN "
	    "('X9101', 'X9102', 'X9103')");
	CU_ASSERT_STRING_EQUAL(v, "released-,cancelled-,held-");
	free(v);
}

/*
 * A train number never seen is still announced by its position, an
 * officer's: not an operator's (the run would be no carrier's, and a 202
 * for a number unknown against a 404 for another carrier's would tell
 * the operator which numbers exist; docs/operator.md).
 */
static void
t_roles_unknown_announced(void)
{
	char	*v;

	CU_ASSERT_EQUAL(post_event("X9200", operator_tok, "{\"type\":"
	    "\"position\",\"eta\":\"2026-11-22T13:05:00Z\"}", NULL), 404);
	CU_ASSERT_EQUAL(post_event("X9200", r_officer_tok, "{\"type\":"
	    "\"position\",\"eta\":\"2026-11-22T13:05:00Z\"}", NULL), 202);
	CU_ASSERT_EQUAL(post_event("X9200", r_officer_tok,
	    "{\"type\":\"arrived\"}", NULL), 202);
	v = harness_sql(&rpg, "SELECT string_agg(run || ':' || state, ',') "
	    "FROM trains WHERE train_no = 'X9200'");
	CU_ASSERT_STRING_EQUAL(v, "1:arrived");
	free(v);
	/* A run that does not exist is not announced. */
	CU_ASSERT_EQUAL(post_event("X9201@3", operator_tok, "{\"type\":"
	    "\"position\",\"eta\":\"2026-11-22T13:05:00Z\"}", NULL), 404);
}

static CU_TestInfo roles_tests[] = {
	{ "t_roles_operator_no_evidence", t_roles_operator_no_evidence },
	{ "t_roles_officer_evidence", t_roles_officer_evidence },
	{ "t_roles_finished_not_reopened", t_roles_finished_not_reopened },
	{ "t_roles_unknown_announced", t_roles_unknown_announced },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_event_roles", roles_init, roles_clean, roles_tests)
