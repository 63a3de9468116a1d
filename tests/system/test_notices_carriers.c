/*
 * test_notices_carriers.c -- a railway hears of its own trains only, gets
 * its set-out list before the train arrives, and its webhook secret is
 * not readable in the database (issue 20, items 1, 2 and 5).
 *
 * Two carriers, two subscriptions, two receivers on loopback: KZ-KTZE
 * (receiver A, train X8024, fixtures/edifact/cuscar_s3_alashankou.edi:
 * wagon 2 at DOC_CHECK) and CN-CRCT (receiver B, train X9403,
 * fixtures/xml/cuscar_s4_unoy.xml: green), and a third subscription bound
 * to no carrier.  Asserted: A's train.provisional notice arrives, signed,
 * before the train's arrival is posted, with positions, wagons and
 * actions and no rule, reason or hit; a seal found damaged sends a second
 * one listing the wagon set out, a re-evaluation that changes nothing
 * sends none; B's approval reaches B only, A receives nothing of B's
 * train and the unbound subscription nothing at all; secrets are sealed
 * in the database (v1:<key id>:...) and never there in clear, a secret
 * put in clear by SQL is sealed at the next start with an audit record
 * and the unbound subscription is warned of; `railgate notices
 * rotate-key` seals every secret with a new key in one go, a notice
 * claimed before the reload fails visibly naming the key, and after the
 * reload it is delivered with the same webhook secret; a daemon started
 * on another key than the secrets' warns per subscription; the examples of
 * docs/notices.md run as written.
 */
#include <sys/socket.h>
#include <sys/wait.h>

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

#include "daemon/sign.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define SECRET_A	"whsec_QWxhc2hhbmtvdUt0emVTZWNyZXQxMjM="
#define SECRET_B	"whsec_Q3JjdEhvcmdvc1NlY3JldDQ1Njc4OTA="
#define MAX_GOT		32

/* One request a receiver got, and when (monotonic ms). */
struct got {
	char		 id[64], timestamp[24], signature[200];
	char		*body;
	size_t		 len;
	long long	 at_ms;		/* monotonic */
	double		 at_wall;	/* Unix seconds, as PostgreSQL's now() */
};

/* A webhook receiver on loopback, answering 200. */
struct rx {
	int		 fd, port;
	pthread_t	 thread;
	struct got	 got[MAX_GOT];
	atomic_int	 n;
};

static struct harness_pg	pg;
static struct harness_daemon	dm;
static struct rx		rx_a, rx_b, rx_none;
static char			operator_tok[64], officer_tok[64], admin_tok[64];
static char			keydir[] = "/tmp/railgate-keys-XXXXXX";

static long long
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

/* Reads one request on fd into buf (NUL-terminated); its length. */
static size_t
read_request(int fd, char *buf, size_t size)
{
	char	cl[32], *end;
	size_t	len = 0, want;
	ssize_t	n;

	while ((n = read(fd, buf + len, size - len - 1)) > 0) {
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
	return len;
}

static void *
receiver(void *arg)
{
	struct rx	*r = arg;
	static char	 ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
			    "Connection: close\r\n\r\n";

	for (;;) {
		char		 buf[1 << 16], *end;
		int		 fd = accept(r->fd, NULL, NULL), k;
		size_t		 len;
		struct timespec	 wall;

		if (fd < 0)
			return NULL;
		len = read_request(fd, buf, sizeof buf);
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL && (k = atomic_load(&r->n)) < MAX_GOT) {
			struct got *g = &r->got[k];

			g->at_ms = mono_ms();
			clock_gettime(CLOCK_REALTIME, &wall);
			g->at_wall = (double)wall.tv_sec + wall.tv_nsec / 1e9;
			*end = '\0';
			header(buf, "webhook-id", g->id, sizeof g->id);
			header(buf, "webhook-timestamp", g->timestamp,
			    sizeof g->timestamp);
			header(buf, "webhook-signature", g->signature,
			    sizeof g->signature);
			g->len = len - (size_t)(end + 4 - buf);
			g->body = xmalloc(g->len + 1);
			memcpy(g->body, end + 4, g->len);
			g->body[g->len] = '\0';
			atomic_store(&r->n, k + 1);
		}
		if (write(fd, ok, sizeof ok - 1) < 0)
			fprintf(stderr, "receiver: write failed\n");
		close(fd);
	}
}

static int
rx_start(struct rx *r)
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
	return pthread_create(&r->thread, NULL, receiver, r) == 0 ? 0 : -1;
}

static void
rx_stop(struct rx *r)
{
	int	i;

	if (r->fd <= 0)
		return;
	shutdown(r->fd, SHUT_RDWR);
	close(r->fd);
	pthread_join(r->thread, NULL);
	for (i = 0; i < atomic_load(&r->n); i++)
		free(r->got[i].body);
}

static int
request(const char *method, const char *path, const char *token,
    const char *body)
{
	struct harness_response	r;
	char			hdr[256];
	int			st;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	if (harness_http(dm.port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, &r) < 0)
		return -1;
	st = r.status;
	harness_response_free(&r);
	return st;
}

/* PUT /v1/subscriptions/name to receiver r; the status. */
static int
subscribe(const char *name, const struct rx *r, const char *secret,
    const char *carriers)
{
	char	body[512], path[128];

	snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/hook\","
	    "\"formats\":[\"json\"],\"secret\":\"%s\"%s%s}", r->port, secret,
	    carriers != NULL ? ",\"carriers\":" : "",
	    carriers != NULL ? carriers : "");
	snprintf(path, sizeof path, "/v1/subscriptions/%s", name);
	return request("PUT", path, admin_tok, body);
}

static bool
wait_n(struct rx *r, int n, int timeout_ms)
{
	long long	until = mono_ms() + timeout_ms;

	while (atomic_load(&r->n) < n && mono_ms() < until)
		usleep(20000);
	return atomic_load(&r->n) >= n;
}

static char *
sql1(const char *sql)
{
	return harness_sql(&pg, sql);
}

/* The number SQL answers (-1 if none). */
static long
sql_long(const char *sql)
{
	char	*v = sql1(sql);
	long	 n = v != NULL ? atol(v) : -1;

	free(v);
	return n;
}

static int
carriers_init(void)
{
	char	conf[2048];

	if (mkdtemp(keydir) == NULL || rx_start(&rx_a) < 0 ||
	    rx_start(&rx_b) < 0 || rx_start(&rx_none) < 0 ||
	    harness_pg_start(&pg) < 0)
		return -1;
	/* The key: state_dir/notice-secrets.key, made at first start. */
	snprintf(conf, sizeof conf, "%s[notices]\nallow_private_endpoints = "
	    "yes\nretry_base_ms = 200\nretry_max_s = 1\nmax_attempts = 100\n",
	    pg.conf);
	if (harness_daemon_start(&dm, conf) < 0 ||
	    harness_token(&pg, "operator", "both.operator", operator_tok) < 0 ||
	    harness_token(&pg, "officer", "o.officer", officer_tok) < 0 ||
	    harness_token(&pg, "admin", "a.admin", admin_tok) < 0)
		return -1;
	free(sql1("UPDATE tokens SET carriers = '{KZ-KTZE,CN-CRCT}' WHERE "
	    "principal = 'both.operator' RETURNING 1"));
	if (subscribe("ktze", &rx_a, SECRET_A, "[\"KZ-KTZE\"]") != 200 ||
	    subscribe("crct", &rx_b, SECRET_B, "[\"CN-CRCT\"]") != 200 ||
	    subscribe("nobody", &rx_none, SECRET_A, NULL) != 200)
		return -1;
	return 0;
}

static int
carriers_clean(void)
{
	char	cmd[300];

	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	rx_stop(&rx_a);
	rx_stop(&rx_b);
	rx_stop(&rx_none);
	snprintf(cmd, sizeof cmd, "rm -rf %s", keydir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", keydir);
	return 0;
}

/* Checks g's Standard Webhooks signature with secret; 0 when good. */
static int
verify(const struct got *g, const char *secret)
{
	return sign_webhook_verify(secret, g->id, atoll(g->timestamp), g->body,
	    g->len, g->signature, (int64_t)time(NULL), 300);
}

/* The JSON of g's body; its "type" checked. */
static json_t *
body_of(const struct got *g, const char *type)
{
	json_t	*j = json_loads(g->body, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "type")),
	    type);
	return j;
}

/* Position of wagon number in the array a of {position, wagon, ...}: its
 * object, or NULL. */
static json_t *
find_wagon(json_t *a, const char *wagon)
{
	size_t	 i;
	json_t	*w;

	json_array_foreach(a, i, w)
		if (strcmp(json_string_value(json_object_get(w, "wagon")),
		    wagon) == 0)
			return w;
	return NULL;
}

/* Waits until train's last evaluation is stored and none is due. */
static bool
wait_decided(const char *train, long decisions)
{
	char	sql[300];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM decisions d JOIN "
	    "trains t ON t.id = d.train_id WHERE t.train_no = '%s' AND NOT "
	    "t.eval_needed HAVING count(*) >= %ld", train, decisions);
	return harness_wait_sql(&pg, sql, NULL, 15000);
}

/*
 * The set-out list reaches the carrier before its train arrives: the
 * manifest, the provisional notice at A, and only then the arrival.
 */
static void
t_carriers_provisional_before_arrival(void)
{
	json_t		*j, *w;
	long long	 arrival_sent;
	char		 at[32];
	time_t		 now = time(NULL);

	CU_ASSERT_EQUAL_FATAL(harness_submit_fixture(dm.port, operator_tok,
	    "edifact/cuscar_s3_alashankou.edi"), 202);
	CU_ASSERT_FATAL(wait_n(&rx_a, 1, 15000));
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	arrival_sent = mono_ms();
	{
		char	body[128];

		snprintf(body, sizeof body, "{\"type\":\"arrived\",\"at\":"
		    "\"%s\"}", at);
		CU_ASSERT_EQUAL(request("POST", "/v1/trains/X8024/events",
		    officer_tok, body), 202);
	}
	CU_ASSERT(rx_a.got[0].at_ms <= arrival_sent);
	/* And by the daemon's own record of the arrival (same host clock). */
	{
		char	*v = sql1("SELECT extract(epoch FROM e.received_at) FROM "
			    "events e JOIN trains t ON t.id = e.train_id WHERE "
			    "t.train_no = 'X8024' AND e.type = 'arrived'");

		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		CU_ASSERT(rx_a.got[0].at_wall < atof(v));
		free(v);
	}
	CU_ASSERT_EQUAL(verify(&rx_a.got[0], SECRET_A), 0);
	CU_ASSERT_NOT_EQUAL(verify(&rx_a.got[0], SECRET_B), 0);
	j = body_of(&rx_a.got[0], "train.provisional");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "train")),
	    "X8024");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "id")),
	    rx_a.got[0].id);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "set_out")), 0);
	w = find_wagon(json_object_get(j, "doc_check"), "315279550026");
	CU_ASSERT_PTR_NOT_NULL(w);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(w, "position")), 2);
	json_decref(j);
	/* What customs keeps: no rule, reason, hit or score. */
	CU_ASSERT_PTR_NULL(strstr(rx_a.got[0].body, "rule"));
	CU_ASSERT_PTR_NULL(strstr(rx_a.got[0].body, "reason"));
	CU_ASSERT_PTR_NULL(strstr(rx_a.got[0].body, "hits"));
	CU_ASSERT_PTR_NULL(strstr(rx_a.got[0].body, "score"));
	CU_ASSERT_EQUAL(atomic_load(&rx_b.n), 0);
}

/* A seal found damaged sets wagon 1 out: a second notice; a re-evaluation
 * that changes nothing: none. */
static void
t_carriers_provisional_on_change_only(void)
{
	json_t	*j, *w;
	long	 decided = sql_long("SELECT count(*) FROM decisions d JOIN "
		    "trains t ON t.id = d.train_id WHERE t.train_no = 'X8024'");

	CU_ASSERT_EQUAL_FATAL(atomic_load(&rx_a.n), 1);
	CU_ASSERT_EQUAL(request("POST", "/v1/trains/X8024/events",
	    officer_tok, "{\"type\":\"seal_check\",\"equipment\":"
	    "\"TGHU1234567\",\"seal\":\"CN0099812\",\"condition\":"
	    "\"damaged\"}"), 202);
	CU_ASSERT_FATAL(wait_n(&rx_a, 2, 15000));
	j = body_of(&rx_a.got[1], "train.provisional");
	w = find_wagon(json_object_get(j, "set_out"), "315279550018");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(w, "action")),
	    "INSPECT");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(w, "position")), 1);
	CU_ASSERT_STRING_NOT_EQUAL(rx_a.got[1].id, rx_a.got[0].id);
	CU_ASSERT_EQUAL(verify(&rx_a.got[1], SECRET_A), 0);
	json_decref(j);
	/* A clear scan of wagon 3: evaluated again, the list unchanged. */
	CU_ASSERT_FATAL(wait_decided("X8024", decided + 1));
	decided = sql_long("SELECT count(*) FROM decisions d JOIN trains t ON "
	    "t.id = d.train_id WHERE t.train_no = 'X8024'");
	CU_ASSERT_EQUAL(request("POST", "/v1/trains/X8024/events",
	    officer_tok, "{\"type\":\"scan\",\"wagon\":\"335279521132\","
	    "\"result\":\"clear\"}"), 202);
	CU_ASSERT_FATAL(wait_decided("X8024", decided + 1));
	sleep(2);
	CU_ASSERT_EQUAL(atomic_load(&rx_a.n), 2);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM notices n JOIN trains t "
	    "ON t.id = n.train_id WHERE t.train_no = 'X8024' AND n.format = "
	    "'provisional'"), 2);
}

/* B's train: its notices go to B only; A and the unbound subscription
 * get nothing of it. */
static void
t_carriers_release_to_own_carrier_only(void)
{
	json_t	*j;
	int	 a_before = atomic_load(&rx_a.n), i;

	CU_ASSERT_EQUAL_FATAL(harness_submit_fixture(dm.port, operator_tok,
	    "xml/cuscar_s4_unoy.xml"), 202);
	CU_ASSERT_FATAL(wait_n(&rx_b, 1, 15000));
	j = body_of(&rx_b.got[0], "train.provisional");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "train")),
	    "X9403");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j,
	    "decision")), "RELEASE");
	json_decref(j);
	CU_ASSERT_FATAL(wait_decided("X9403", 1));
	CU_ASSERT_EQUAL_FATAL(request("POST", "/v1/trains/X9403/approve",
	    officer_tok, "{}"), 200);
	CU_ASSERT_FATAL(wait_n(&rx_b, 2, 15000));
	j = body_of(&rx_b.got[1], "release_notice");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "train")),
	    "X9403");
	json_decref(j);
	CU_ASSERT_EQUAL(verify(&rx_b.got[1], SECRET_B), 0);
	/* Long enough for any notice to A to have been delivered. */
	sleep(3);
	CU_ASSERT_EQUAL(atomic_load(&rx_a.n), a_before);
	for (i = 0; i < atomic_load(&rx_a.n); i++)
		CU_ASSERT_PTR_NULL(strstr(rx_a.got[i].body, "X9403"));
	CU_ASSERT_EQUAL(atomic_load(&rx_none.n), 0);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM notices n JOIN "
	    "subscriptions s ON s.id = n.subscription_id JOIN trains t ON "
	    "t.id = n.train_id WHERE (s.name = 'ktze' AND t.train_no = "
	    "'X9403') OR s.name = 'nobody'"), 0);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM notices n JOIN trains t "
	    "ON t.id = n.train_id WHERE t.train_no = 'X9403' AND n.state = "
	    "'pending'"), 0);
}

/* The secrets in the database: sealed, never in clear, even in the
 * audit trail. */
static void
t_carriers_secrets_sealed(void)
{
	char	*v;

	v = sql1("SELECT secret FROM subscriptions WHERE name = 'ktze'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(strncmp(v, "v1:", 3), 0);
	CU_ASSERT_EQUAL(strlen(v) > 3 + 16 + 1 ? v[3 + 16] : 0, ':');
	CU_ASSERT_STRING_NOT_EQUAL(v, SECRET_A);
	CU_ASSERT_PTR_NULL(strstr(v, SECRET_A));
	CU_ASSERT_PTR_NULL(strstr(v, SECRET_A + 6));	/* after whsec_ */
	free(v);
	/* The same secret sealed for two rows: two ciphertexts (nonce, AAD). */
	CU_ASSERT_EQUAL(sql_long("SELECT count(DISTINCT secret) FROM "
	    "subscriptions WHERE name IN ('ktze', 'nobody')"), 2);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM subscriptions WHERE "
	    "secret LIKE '%QWxhc2hhbmtvdUt0emVTZWNyZXQxMjM%' OR secret LIKE "
	    "'%Q3JjdEhvcmdvc1NlY3JldDQ1Njc4OTA%'"), 0);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM audit_log WHERE "
	    "details LIKE '%QWxhc2hhbmtvdUt0emVTZWNyZXQxMjM%'"), 0);
}

/*
 * A secret written in clear behind the daemon's back is sealed at the
 * next start, with its audit record; the subscription bound to no carrier
 * is warned of in the log.
 */
static void
t_carriers_start_seals_clear_secrets(void)
{
	char	*log;
	size_t	 len;

	free(sql1("UPDATE subscriptions SET secret = '" SECRET_B "' WHERE "
	    "name = 'crct' RETURNING 1"));
	CU_ASSERT_EQUAL_FATAL(harness_daemon_signal_wait(&dm, SIGTERM, 15000),
	    0);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_exec(&dm), 0);
	CU_ASSERT_EQUAL_FATAL(harness_daemon_wait_ready(&dm, 15000), 0);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM subscriptions WHERE "
	    "secret NOT LIKE 'v1:%'"), 0);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM audit_log WHERE action "
	    "= 'subscription.secret_sealed' AND details LIKE "
	    "'%crct%'"), 1);
	CU_ASSERT_EQUAL_FATAL(file_read_all(dm.log, &log, &len), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "subscription nobody is bound to "
	    "no carrier"));
	CU_ASSERT_PTR_NULL(strstr(log, "subscription ktze is bound to no"));
	CU_ASSERT_PTR_NULL(strstr(log, "another notice key"));
	free(log);
}

/* Runs railgate notices rotate-key; its exit status. */
static int
rotate_key(const char *newkey)
{
	char	cmd[1200];
	int	rc;

	snprintf(cmd, sizeof cmd, "%s/railgate notices rotate-key --new-key "
	    "%s -c %s > %s/rotate.out 2>&1", test_build_dir(), newkey, dm.conf,
	    keydir);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/*
 * rotate-key seals every secret again under a new key; until the daemon
 * is pointed at it, a delivery fails naming the key (and nothing
 * crashes); after the reload the same notice is delivered, its signature
 * made with the same webhook secret.
 */
static void
t_carriers_rotate_key(void)
{
	char	newkey[300], *before, *after, *conf, *text, *err;
	size_t	len;
	int	a_before = atomic_load(&rx_a.n), i, release = 0;

	snprintf(newkey, sizeof newkey, "%s/notice-2.key", keydir);
	before = sql1("SELECT secret FROM subscriptions WHERE name = 'ktze'");
	CU_ASSERT_EQUAL_FATAL(rotate_key(newkey), 0);
	after = sql1("SELECT secret FROM subscriptions WHERE name = 'ktze'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);
	CU_ASSERT_EQUAL(strncmp(after, "v1:", 3), 0);
	CU_ASSERT_NOT_EQUAL(strncmp(before, after, 3 + 16), 0);	/* key id */
	/* Every secret under the one new key id. */
	CU_ASSERT_EQUAL(sql_long("SELECT count(DISTINCT substr(secret, 1, 20)) "
	    "FROM subscriptions WHERE secret LIKE 'v1:%'"), 1);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM subscriptions"), 3);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM audit_log WHERE action "
	    "= 'subscription.secret_rotated'"), 3);
	free(before);
	free(after);
	/* The same key again: refused, nothing changed. */
	CU_ASSERT_NOT_EQUAL(rotate_key(newkey), 0);

	/* The daemon still holds the old key: a notice to A fails, visibly. */
	CU_ASSERT_EQUAL(request("POST", "/v1/trains/X8024/wagons/315279550026/"
	    "resolution", officer_tok, "{\"action\":\"release\",\"reason\":"
	    "\"certificate shown\"}"), 200);
	CU_ASSERT_EQUAL_FATAL(request("POST", "/v1/trains/X8024/approve",
	    officer_tok, "{}"), 200);
	CU_ASSERT(harness_wait_sql(&pg, "SELECT count(*) FROM notices n JOIN "
	    "trains t ON t.id = n.train_id WHERE t.train_no = 'X8024' AND "
	    "n.format = 'json' AND n.last_error LIKE '%sealed with key%'",
	    NULL, 10000));
	CU_ASSERT_EQUAL(atomic_load(&rx_a.n), a_before);
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
	err = sql1("SELECT last_error FROM notices WHERE format = 'json' AND "
	    "last_error IS NOT NULL LIMIT 1");
	CU_ASSERT_PTR_NULL(err != NULL ? strstr(err, SECRET_A) : NULL);
	free(err);

	/* Pointed at the new key and reloaded: delivered, same secret. */
	CU_ASSERT_EQUAL_FATAL(file_read_all(dm.conf, &conf, &len), 0);
	text = xasprintf("%s\n[notices]\nsecret_key_file = %s\n", conf,
	    newkey);
	CU_ASSERT_EQUAL(harness_daemon_write_conf(&dm, text), 0);
	free(text);
	free(conf);
	kill(dm.pid, SIGHUP);
	/* The release notice, and the provisional one the officer's
	 * resolution made (wagon 2 no longer at DOC_CHECK), in either order. */
	CU_ASSERT_FATAL(wait_n(&rx_a, a_before + 2, 15000));
	for (i = a_before; i < a_before + 2; i++) {
		CU_ASSERT_EQUAL(verify(&rx_a.got[i], SECRET_A), 0);
		release += strstr(rx_a.got[i].body, "\"type\":\"release_notice"
		    "\"") != NULL;
	}
	CU_ASSERT_EQUAL(release, 1);
	/* A secret put now is sealed with the new key. */
	CU_ASSERT_EQUAL(subscribe("ktze", &rx_a, SECRET_A, "[\"KZ-KTZE\"]"),
	    200);
	CU_ASSERT_EQUAL(sql_long("SELECT count(DISTINCT substr(secret, 1, 20)) "
	    "FROM subscriptions"), 1);
}

/* Stops the daemon and starts it again on its configuration; 0 or -1. */
static int
restart(void)
{
	if (harness_daemon_signal_wait(&dm, SIGTERM, 15000) != 0 ||
	    harness_daemon_exec(&dm) != 0)
		return -1;
	return harness_daemon_wait_ready(&dm, 15000);
}

/*
 * A daemon started with another key than the one the secrets are sealed
 * with (here the old one, after the rotation) says so at start, per
 * subscription; back on the right key, it is quiet.
 */
static void
t_carriers_foreign_key_warned(void)
{
	char	*conf, *old, *log, *cut;
	size_t	 len, before;

	CU_ASSERT_EQUAL_FATAL(file_read_all(dm.conf, &conf, &len), 0);
	cut = strstr(conf, "\n[notices]\nsecret_key_file = ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cut);
	old = xstrndup(conf, (size_t)(cut - conf));
	CU_ASSERT_EQUAL(harness_daemon_write_conf(&dm, old), 0);
	CU_ASSERT_EQUAL_FATAL(restart(), 0);
	CU_ASSERT_EQUAL_FATAL(file_read_all(dm.log, &log, &before), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "subscription ktze (key "));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "secret sealed with another notice "
	    "key"));
	free(log);
	CU_ASSERT_EQUAL(harness_daemon_write_conf(&dm, conf), 0);
	CU_ASSERT_EQUAL_FATAL(restart(), 0);
	CU_ASSERT_EQUAL_FATAL(file_read_all(dm.log, &log, &len), 0);
	CU_ASSERT_FATAL(len >= before);
	CU_ASSERT_PTR_NULL(strstr(log + before, "another notice key"));
	free(log);
	free(old);
	free(conf);
}

/* docs/notices.md: its examples, run as written. */
static void
t_carriers_page_examples(void)
{
	char	url[64], admin[128], rx[96], *failure = NULL;
	const char *env[] = { url, admin, rx, NULL };

	snprintf(url, sizeof url, "RAILGATE_URL=http://127.0.0.1:%d", dm.port);
	snprintf(admin, sizeof admin, "ADMIN_TOKEN=%s", admin_tok);
	snprintf(rx, sizeof rx, "RECEIVER_URL=http://127.0.0.1:%d/hook",
	    rx_none.port);
	CU_ASSERT_EQUAL(harness_docs_run("docs/notices.md", env, &failure),
	    0);
	if (failure != NULL)
		fprintf(stderr, "\n%s\n", failure);
	free(failure);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM subscriptions WHERE "
	    "name = 'ktze-docs' AND carriers = '{KZ-KTZE}' AND secret LIKE "
	    "'v1:%'"), 1);
}

static CU_TestInfo carriers_tests[] = {
	{ "t_carriers_provisional_before_arrival",
	    t_carriers_provisional_before_arrival },
	{ "t_carriers_provisional_on_change_only",
	    t_carriers_provisional_on_change_only },
	{ "t_carriers_release_to_own_carrier_only",
	    t_carriers_release_to_own_carrier_only },
	{ "t_carriers_secrets_sealed", t_carriers_secrets_sealed },
	{ "t_carriers_start_seals_clear_secrets",
	    t_carriers_start_seals_clear_secrets },
	{ "t_carriers_rotate_key", t_carriers_rotate_key },
	{ "t_carriers_foreign_key_warned", t_carriers_foreign_key_warned },
	{ "t_carriers_page_examples", t_carriers_page_examples },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_notices_carriers", carriers_init, carriers_clean,
    carriers_tests)
