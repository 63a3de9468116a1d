/*
 * test_clock_alerts.c -- a clock that tells the truth and calls for help
 * (issue 18, items 1 and 3), with two daemons sharing one database and a
 * duty endpoint on loopback.
 *
 * Asserted: an arrival's "at" out of the configured bounds is refused
 * (422 naming "at", its value and the bound) and nothing is stored; an
 * arrival reported 16 minutes late leaves 4 minutes of the 20-minute
 * target, with both the reported and the received time on every read,
 * and a second arrival moves nothing; a train ingested through the other
 * daemon after a quiet spell is in the first list read; the queue filter
 * (?finished=); each threshold crossing (amber, red, overdue) gives one
 * audit record, one signed duty webhook and one count in /metrics over
 * both daemons, detected within a second of the crossing; a failing duty
 * endpoint gets the alert again under the same id, as release notices;
 * what asking every second costs.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "daemon/sign.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define MAX_GOT	64

/* What the duty endpoint got: one entry per request. */
struct got {
	char	 id[64];
	char	 timestamp[24];
	char	 signature[200];
	char	*body;
	size_t	 len;
};

static struct harness_pg	pg;
static struct harness_daemon	da, db2;
static char			operator_tok[64], officer_tok[64];
static char			admin_tok[64], auditor_tok[64];
static int			recv_fd = -1;
static pthread_t		recv_thread;
static bool			recv_running;
static struct got		got[MAX_GOT];
static atomic_int		ngot;
static atomic_int		recv_status = 204;	/* what the endpoint answers */

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

/* The duty endpoint: records each request, answers 204. */
static void *
receiver(void *arg)
{
	for (;;) {
		char	 buf[1 << 16], cl[32], reply[128], *end;
		size_t	 len = 0, want = 0;
		ssize_t	 n;
		int	 fd = accept(recv_fd, NULL, NULL), k;

		if (fd < 0)
			return NULL;
		while ((n = read(fd, buf + len, sizeof buf - len - 1)) > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			if ((end = strstr(buf, "\r\n\r\n")) == NULL)
				continue;
			*end = '\0';
			header(buf, "Content-Length", cl, sizeof cl);
			*end = '\r';
			want = (size_t)(end + 4 - buf) + (size_t)atol(cl);
			if (len >= want)
				break;
		}
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL && want > 0 && len >= want &&
		    (k = atomic_load(&ngot)) < MAX_GOT) {
			struct got *g = &got[k];

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
			atomic_store(&ngot, k + 1);
		}
		snprintf(reply, sizeof reply, "HTTP/1.1 %d X\r\nContent-Length: "
		    "0\r\nConnection: close\r\n\r\n", atomic_load(&recv_status));
		if (write(fd, reply, strlen(reply)) < 0)
			fprintf(stderr, "receiver: write failed\n");
		close(fd);
	}
}

/* The endpoint on loopback; its port, or -1. */
static int
receiver_start(void)
{
	struct sockaddr_in	sa = { 0 };
	socklen_t		sl = sizeof sa;

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((recv_fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(recv_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(recv_fd, 16) < 0 ||
	    getsockname(recv_fd, (struct sockaddr *)&sa, &sl) < 0 ||
	    pthread_create(&recv_thread, NULL, receiver, NULL) != 0)
		return -1;
	recv_running = true;
	return ntohs(sa.sin_port);
}

/* A request to daemon d with a bearer token; the status, or -1. */
static int
request(const struct harness_daemon *d, const char *method, const char *path,
    const char *token, const char *body, struct harness_response *r)
{
	struct harness_response	 tmp;
	char			 hdr[256];
	int			 status;

	if (r == NULL)
		r = &tmp;
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s", token,
	    body != NULL ? "Content-Type: application/json\r\n" : "");
	if (harness_http(d->port, method, path, hdr, body,
	    body != NULL ? strlen(body) : 0, r) < 0)
		return -1;
	status = r->status;
	if (r == &tmp)
		harness_response_free(&tmp);
	return status;
}

/* GET path from d, parsed; NULL unless 200. */
static json_t *
get_json(const struct harness_daemon *d, const char *path)
{
	struct harness_response	 r;
	json_t			*j = NULL;

	if (request(d, "GET", path, officer_tok, NULL, &r) == 200)
		j = json_loads(r.body, 0, NULL);
	harness_response_free(&r);
	return j;
}

/* One value of a query (caller frees), "" for none. */
static char *
sql1(const char *sql)
{
	char	*v = harness_sql(&pg, sql);

	return v != NULL ? v : xstrdup("");
}

static long
sql_long(const char *sql)
{
	char	*v = sql1(sql);
	long	 n = atol(v);

	free(v);
	return n;
}

/* Now + off seconds, as RFC 3339 UTC. */
static void
iso_time(long off, char *out, size_t size)
{
	time_t		t = time(NULL) + off;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
clock_alerts_init(void)
{
	char	conf[2048], sub[512], key[300];
	int	port;

	/* Two daemons, one database: one key seals the secrets for both. */
	if (harness_pg_start(&pg) < 0 || harness_secret_key_file(pg.dir,
	    "notice-secrets.key", key, sizeof key) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[daemon]\nlog_level = info\n"
	    "[notices]\nallow_private_endpoints = yes\nretry_base_ms = 300\n"
	    "secret_key_file = %s\n", pg.conf, key);
	if (harness_daemon_start(&da, conf) < 0 ||
	    harness_daemon_start(&db2, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", operator_tok) < 0 ||
	    harness_token(&pg, "officer", "o.clock", officer_tok) < 0 ||
	    harness_token(&pg, "auditor", "a.clock", auditor_tok) < 0 ||
	    harness_token(&pg, "admin", "a.admin", admin_tok) < 0)
		return -1;
	if ((port = receiver_start()) < 0)
		return -1;
	/* The station's duty endpoint: a subscription of the format duty. */
	snprintf(sub, sizeof sub, "{\"url\":\"http://127.0.0.1:%d/duty\","
	    "\"formats\":[\"duty\"],\"secret\":\"%s\"}", port, SECRET);
	if (request(&da, "PUT", "/v1/subscriptions/duty", admin_tok, sub,
	    NULL) != 200)
		return -1;
	if (harness_submit_fixture(da.port, operator_tok,
	    "edifact/cuscar_s3_alashankou.edi") != 202 ||
	    !harness_wait_sql(&pg, "SELECT count(*) FROM trains WHERE "
	    "train_no = 'X8024' AND decision IS NOT NULL AND NOT eval_needed",
	    NULL, 20000))
		return -1;
	return 0;
}

static int
clock_alerts_clean(void)
{
	int	i;

	if (recv_running) {
		shutdown(recv_fd, SHUT_RDWR);
		close(recv_fd);
		pthread_join(recv_thread, NULL);
		recv_running = false;
	}
	for (i = 0; i < atomic_load(&ngot); i++)
		free(got[i].body);
	harness_daemon_stop(&da);
	harness_daemon_stop(&db2);
	harness_pg_stop(&pg);
	return 0;
}

/* An arrival too far in the past or the future: 422, nothing stored. */
static void
t_clock_arrival_bounds(void)
{
	struct harness_response	 r;
	json_t			*p;
	char			 at[32], body[128];
	long			 events = sql_long("SELECT count(*) FROM events");

	iso_time(-3700, at, sizeof at);
	snprintf(body, sizeof body, "{\"type\":\"arrived\",\"at\":\"%s\"}", at);
	CU_ASSERT_EQUAL_FATAL(request(&da, "POST", "/v1/trains/X8024/events",
	    operator_tok, body, &r), 422);
	p = json_loads(r.body, 0, NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "field")),
	    "at");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "value")),
	    at);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "bound")),
	    "arrival_past_max_s");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(p, "bound_s")),
	    3600);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(p,
	    "detail")), "nothing was recorded"));
	json_decref(p);
	harness_response_free(&r);

	iso_time(600, at, sizeof at);
	snprintf(body, sizeof body, "{\"type\":\"arrived\",\"at\":\"%s\"}", at);
	CU_ASSERT_EQUAL_FATAL(request(&db2, "POST", "/v1/trains/X8024/events",
	    operator_tok, body, &r), 422);
	p = json_loads(r.body, 0, NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "bound")),
	    "arrival_future_max_s");
	json_decref(p);
	harness_response_free(&r);

	/* No zone: the database would read it in its own; refused. */
	iso_time(-60, at, sizeof at);
	at[strlen(at) - 1] = '\0';
	snprintf(body, sizeof body, "{\"type\":\"arrived\",\"at\":\"%s\"}", at);
	CU_ASSERT_EQUAL_FATAL(request(&da, "POST", "/v1/trains/X8024/events",
	    operator_tok, body, &r), 422);
	p = json_loads(r.body, 0, NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "field")),
	    "at");
	json_decref(p);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(request(&da, "POST", "/v1/trains/X8024/events",
	    operator_tok, "{\"type\":\"arrived\",\"at\":\"2026-12-06\"}",
	    NULL), 422);

	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM events"), events);
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM trains WHERE "
	    "train_no = 'X8024' AND (clock_start IS NOT NULL OR arrival_at IS "
	    "NOT NULL OR ata IS NOT NULL)"), 0);
}

/*
 * An arrival reported 16 minutes late leaves 4 minutes of 20 (red), both
 * times shown; a second arrival moves nothing.  One clock.red record, one
 * duty webhook (the amber threshold was passed before it was known: the
 * highest only).
 */
static void
t_clock_arrival_late(void)
{
	json_t	*t, *c;
	char	 at[32], now[32], body[128], cmd[1024], *v;
	static char page[1 << 20];
	FILE	*p;
	size_t	 n;
	long	 left;

	iso_time(-960, at, sizeof at);
	iso_time(0, now, sizeof now);
	snprintf(body, sizeof body, "{\"type\":\"arrived\",\"at\":\"%s\"}", at);
	CU_ASSERT_EQUAL_FATAL(request(&da, "POST", "/v1/trains/X8024/events",
	    operator_tok, body, NULL), 202);
	t = get_json(&db2, "/v1/trains/X8024");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	c = json_object_get(t, "clock");
	left = (long)json_integer_value(json_object_get(c, "remaining_s"));
	CU_ASSERT(left <= 240 && left >= 236);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "flag")),
	    "red");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c,
	    "arrived_at")), at);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c,
	    "started")), at);
	v = (char *)json_string_value(json_object_get(c,
	    "arrival_received_at"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(strncmp(v, now, 15) == 0);	/* same ten minutes */
	json_decref(t);

	/* In the list too, through the other daemon. */
	t = get_json(&da, "/v1/trains?finished=false");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_object_get(json_array_get(t, 0), "clock"), "arrived_at")), at);
	json_decref(t);

	/* A second arrival: recorded, the clock unchanged. */
	CU_ASSERT_EQUAL(request(&db2, "POST", "/v1/trains/X8024/events",
	    operator_tok, "{\"type\":\"arrived\"}", NULL), 202);
	t = get_json(&da, "/v1/trains/X8024");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	c = json_object_get(t, "clock");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c,
	    "arrived_at")), at);
	CU_ASSERT(json_integer_value(json_object_get(c, "remaining_s")) <= 240);
	json_decref(t);

	/* The clearance record says where the clock ran from. */
	snprintf(cmd, sizeof cmd, "%s/railgate report X8024 --dsn '%s' "
	    "--format html", test_build_dir(), pg.dsn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = popen(cmd, "r"));
	n = fread(page, 1, sizeof page - 1, p);
	page[n] = '\0';
	CU_ASSERT_EQUAL(pclose(p), 0);
	snprintf(cmd, sizeof cmd, "; clearance clock from %.19s.000Z", at);
	CU_ASSERT_PTR_NOT_NULL(strstr(page, cmd));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "(reported; received "));

	CU_ASSERT(harness_wait_sql(&pg, "SELECT count(*) FROM audit_log a "
	    "JOIN trains t ON t.id = a.train_id WHERE t.train_no = 'X8024' AND "
	    "a.action = 'clock.red'", NULL, 3000));
	sleep(2);	/* a second report would be there by now */
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM audit_log a JOIN trains "
	    "t ON t.id = a.train_id WHERE t.train_no = 'X8024' AND a.action "
	    "LIKE 'clock.%'"), 1);
}

/*
 * After a quiet spell, a train ingested through the other daemon is in
 * the first list read: no copy older than a second is served.
 */
static void
t_clock_list_fresh(void)
{
	json_t	*l;
	size_t	 i;
	bool	 found = false;
	int64_t	 t0;

	l = get_json(&da, "/v1/trains");		/* the copy is made */
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	json_decref(l);
	sleep(3);					/* a quiet spell */
	CU_ASSERT_EQUAL_FATAL(harness_submit_fixture(db2.port, operator_tok,
	    "edifact/cuscar_original_erenhot.edi"), 202);
	t0 = (int64_t)time(NULL);
	l = get_json(&da, "/v1/trains");
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	for (i = 0; i < json_array_size(l); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(l,
		    i), "train")), "X8060") == 0)
			found = true;
	CU_ASSERT(found);
	CU_ASSERT((int64_t)time(NULL) - t0 <= 2);
	json_decref(l);
}

/* How many trains named n the list at path has. */
static int
list_has(const char *path, const char *n)
{
	json_t	*l = get_json(&da, path);
	size_t	 i;
	int	 k = 0;

	for (i = 0; i < json_array_size(l); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(l,
		    i), "train")), n) == 0)
			k++;
	json_decref(l);
	return k;
}

/* The queue: ?finished=false leaves finished runs out; true keeps them. */
static void
t_clock_finished_filter(void)
{
	free(harness_sql(&pg, "INSERT INTO trains (train_no, run, state, "
	    "decision_final, clock_start) VALUES ('F0001', 1, 'released', true, "
	    "now() - interval '30 minutes') RETURNING 1"));
	/* Written around the daemons: in every list a second later. */
	usleep(1100000);
	CU_ASSERT_EQUAL(list_has("/v1/trains?finished=false", "F0001"), 0);
	CU_ASSERT_EQUAL(list_has("/v1/trains?finished=false", "X8024"), 1);
	CU_ASSERT_EQUAL(list_has("/v1/trains?finished=true", "F0001"), 1);
	CU_ASSERT_EQUAL(list_has("/v1/trains?finished=true", "X8024"), 0);
	CU_ASSERT_EQUAL(list_has("/v1/trains", "F0001"), 1);
	CU_ASSERT_EQUAL(list_has("/v1/trains", "X8024"), 1);
	CU_ASSERT_EQUAL(request(&da, "GET", "/v1/trains?finished=maybe",
	    officer_tok, NULL, NULL), 400);
}

/* The sum over both daemons of railgate_clearance_alerts_total{flag}. */
static long
alerts_counted(const char *flag)
{
	const struct harness_daemon	*d[2] = { &da, &db2 };
	struct harness_response		 r;
	char				 key[96];
	const char			*p;
	long				 n = 0;
	int				 i;

	snprintf(key, sizeof key, "railgate_clearance_alerts_total{flag=\"%s\"} ",
	    flag);
	for (i = 0; i < 2; i++) {
		if (harness_http(d[i]->port, "GET", "/metrics", NULL, NULL, 0,
		    &r) < 0)
			return -1;
		if ((p = strstr(r.body, key)) != NULL)
			n += atol(p + strlen(key));
		harness_response_free(&r);
	}
	return n;
}

/* How many times both daemons' logs hold s. */
static int
logged(const char *s)
{
	const struct harness_daemon	*d[2] = { &da, &db2 };
	char				*log, *p;
	size_t				 len;
	int				 i, n = 0;

	for (i = 0; i < 2; i++) {
		if (file_read_all(d[i]->log, &log, &len) != 0)
			continue;
		for (p = log; (p = strstr(p, s)) != NULL; p++)
			n++;
		free(log);
	}
	return n;
}

/* The duty webhooks received for train, type "clock.<flag>", verified. */
static int
duty_received(const char *train, const char *flag)
{
	char	 type[32];
	int	 i, n = 0;
	json_t	*b;

	snprintf(type, sizeof type, "clock.%s", flag);
	for (i = 0; i < atomic_load(&ngot); i++) {
		struct got *g = &got[i];

		b = json_loads(g->body, 0, NULL);
		if (b != NULL && strcmp(json_string_value(json_object_get(b,
		    "train")), train) == 0 && strcmp(json_string_value(
		    json_object_get(b, "type")), type) == 0) {
			CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, g->id,
			    atoll(g->timestamp), g->body, g->len, g->signature,
			    (int64_t)time(NULL), 300), 0);
			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
			    json_object_get(b, "alert"), "flag")), flag);
			CU_ASSERT(json_is_integer(json_object_get(
			    json_object_get(b, "alert"), "remaining_s")));
			CU_ASSERT(json_is_integer(json_object_get(
			    json_object_get(b, "alert"), "audit_seq")));
			n++;
		}
		json_decref(b);
	}
	return n;
}

/*
 * Three clocks two seconds before a crossing each (amber, red, overdue),
 * two daemons watching: each crossing is one audit record, made within a
 * second of it, one duty webhook, signed, and one count in /metrics.
 */
static void
t_clock_crossings_once(void)
{
	static const struct {
		const char	*train, *flag, *logged;
		int		 at_s;		/* elapsed at the crossing */
	} c[] = {
		{ "C0001", "amber", NULL, 600 },
		{ "C0002", "red", "amber", 900 },
		{ "C0003", "overdue", "red", 1200 },
	};
	char	 sql[512], *v;
	long	 before[3];
	size_t	 i;

	for (i = 0; i < nitems(c); i++)
		before[i] = alerts_counted(c[i].flag);
	for (i = 0; i < nitems(c); i++) {
		snprintf(sql, sizeof sql, "INSERT INTO trains (train_no, run, "
		    "state, clock_start, clock_logged) VALUES ('%s', 1, "
		    "'arrived', now() - make_interval(secs => %d - 2), %s%s%s) "
		    "RETURNING 1", c[i].train, c[i].at_s,
		    c[i].logged ? "'" : "", c[i].logged ? c[i].logged : "NULL",
		    c[i].logged ? "'" : "");
		free(harness_sql(&pg, sql));
	}
	for (i = 0; i < nitems(c); i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log a "
		    "JOIN trains t ON t.id = a.train_id WHERE t.train_no = '%s' "
		    "AND a.action = 'clock.%s'", c[i].train, c[i].flag);
		CU_ASSERT(harness_wait_sql(&pg, sql, NULL, 6000));
	}
	sleep(2);	/* a second report, if any, would be there by now */
	for (i = 0; i < nitems(c); i++) {
		/* One record; made within a second of the crossing. */
		snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log a JOIN "
		    "trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
		    "a.action LIKE 'clock.%%'", c[i].train);
		CU_ASSERT_EQUAL(sql_long(sql), 1);
		snprintf(sql, sizeof sql, "SELECT (extract(epoch FROM a.at - "
		    "(t.clock_start + make_interval(secs => %d))) * 1000)::int "
		    "FROM audit_log a JOIN trains t ON t.id = a.train_id WHERE "
		    "t.train_no = '%s' AND a.action = 'clock.%s'", c[i].at_s,
		    c[i].train, c[i].flag);
		v = sql1(sql);
		fprintf(stderr, "  %s crossing into %s reported %s ms after it\n",
		    c[i].train, c[i].flag, v);
		CU_ASSERT(atol(v) >= 0 && atol(v) < 1000);
		free(v);
		snprintf(sql, sizeof sql, "SELECT a.details::json->>'train' || "
		    "' ' || (a.details::json->>'run') || ' ' || "
		    "(a.details::json->>'remaining_s') FROM audit_log a JOIN "
		    "trains t ON t.id = a.train_id WHERE t.train_no = '%s'",
		    c[i].train);
		v = sql1(sql);
		CU_ASSERT_EQUAL(strncmp(v, c[i].train, 5), 0);
		free(v);
		snprintf(sql, sizeof sql, "SELECT a.actor || ' ' || "
		    "(a.details::json->>'reported_by' IS NOT NULL) FROM audit_log "
		    "a JOIN trains t ON t.id = a.train_id WHERE t.train_no = '%s'",
		    c[i].train);
		v = sql1(sql);
		CU_ASSERT_STRING_EQUAL(v, "system:clock true");
		free(v);
	}
	/* The duty webhooks: one per crossing, signed. */
	CU_ASSERT(harness_wait_sql(&pg, "SELECT count(*) = 4 FROM notices "
	    "WHERE format = 'duty' AND state = 'delivered'", NULL, 10000));
	for (i = 0; i < nitems(c); i++) {
		CU_ASSERT_EQUAL(duty_received(c[i].train, c[i].flag), 1);
		CU_ASSERT_EQUAL(alerts_counted(c[i].flag) - before[i], 1);
		snprintf(sql, sizeof sql, "train %s (run 1): clearance clock "
		    "%s: ", c[i].train, c[i].flag);
		CU_ASSERT_EQUAL(logged(sql), 1);
	}
	CU_ASSERT_EQUAL(duty_received("X8024", "red"), 1);
	/* Delivered notices are audited; the chain holds. */
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM notices WHERE format = "
	    "'duty'"), 4);
	CU_ASSERT_EQUAL(request(&da, "GET", "/v1/audit/verify", auditor_tok,
	    NULL, NULL), 200);
}

/*
 * The duty endpoint fails: the alert is tried again under the same id
 * with the same bytes, as release notices are, until it is delivered.
 */
static void
t_clock_duty_retried(void)
{
	const char	*id = NULL, *body = NULL;
	int		 i, n = 0, first = atomic_load(&ngot);
	bool		 same = true;

	atomic_store(&recv_status, 503);
	free(harness_sql(&pg, "INSERT INTO trains (train_no, run, state, "
	    "clock_start) VALUES ('C0004', 1, 'arrived', now() - interval "
	    "'599 seconds') RETURNING 1"));
	CU_ASSERT_FATAL(harness_wait_sql(&pg, "SELECT count(*) FROM notices n "
	    "JOIN trains t ON t.id = n.train_id WHERE t.train_no = 'C0004' AND "
	    "n.attempts >= 2 AND n.last_status = 503", NULL, 10000));
	atomic_store(&recv_status, 204);
	CU_ASSERT_FATAL(harness_wait_sql(&pg, "SELECT count(*) FROM notices n "
	    "JOIN trains t ON t.id = n.train_id WHERE t.train_no = 'C0004' AND "
	    "n.state = 'delivered'", NULL, 10000));
	for (i = first; i < atomic_load(&ngot); i++) {
		if (strstr(got[i].body, "\"C0004\"") == NULL)
			continue;
		if (id == NULL) {
			id = got[i].id;
			body = got[i].body;
		} else if (strcmp(id, got[i].id) != 0 ||
		    strcmp(body, got[i].body) != 0)
			same = false;
		n++;
	}
	CU_ASSERT(n >= 3);
	CU_ASSERT(same);
	CU_ASSERT_EQUAL(duty_received("C0004", "amber"), n);	/* signed */
	CU_ASSERT_EQUAL(sql_long("SELECT count(*) FROM notices n JOIN trains t "
	    "ON t.id = n.train_id WHERE t.train_no = 'C0004'"), 1);
}

/* A duty subscription is refused twice over the same format, or unknown. */
static void
t_clock_duty_subscription(void)
{
	CU_ASSERT_EQUAL(request(&da, "PUT", "/v1/subscriptions/duty2",
	    admin_tok, "{\"url\":\"http://127.0.0.1:9/d\",\"formats\":"
	    "[\"duty\",\"duty\"],\"secret\":\"" SECRET "\"}", NULL), 422);
	CU_ASSERT_EQUAL(request(&da, "PUT", "/v1/subscriptions/duty2",
	    admin_tok, "{\"url\":\"http://127.0.0.1:9/d\",\"formats\":"
	    "[\"pager\"],\"secret\":\"" SECRET "\"}", NULL), 422);
	CU_ASSERT_EQUAL(request(&da, "PUT", "/v1/subscriptions/duty2",
	    officer_tok, "{\"url\":\"http://127.0.0.1:9/d\",\"formats\":"
	    "[\"duty\"],\"secret\":\"" SECRET "\"}", NULL), 403);
}

/*
 * What asking every second costs: clock_alerts() over 2,000 running
 * clocks, none crossing (measured, printed; a loose ceiling asserted).
 */
static void
t_clock_query_cost(void)
{
	struct timespec	 t0, t1;
	PGconn		*conn = PQconnectdb(pg.dsn);
	PGresult	*r;
	double		 ms;
	int		 i, ok = 0;

	CU_ASSERT_EQUAL_FATAL(PQstatus(conn), CONNECTION_OK);
	free(harness_sql(&pg, "INSERT INTO trains (train_no, run, state, "
	    "clock_start) SELECT 'Q' || i, 1, 'arrived', now() - "
	    "make_interval(secs => i % 500) FROM generate_series(1, 2000) i "
	    "RETURNING 1"));
	free(harness_sql(&pg, "ANALYZE trains"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 20; i++) {
		r = PQexec(conn, "SELECT clock_alerts(20, 600, 300, 'cost')");
		ok += PQresultStatus(r) == PGRES_TUPLES_OK &&
		    strstr(PQgetvalue(r, 0, 0), "\"alerts\" : []") != NULL;
		PQclear(r);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / 20;
	fprintf(stderr, "  clock_alerts() over 2000 running clocks: %.2f ms\n",
	    ms);
	CU_ASSERT_EQUAL(ok, 20);
	CU_ASSERT(ms < 200);
	PQfinish(conn);
}

static CU_TestInfo clock_alerts_tests[] = {
	{ "t_clock_arrival_bounds", t_clock_arrival_bounds },
	{ "t_clock_arrival_late", t_clock_arrival_late },
	{ "t_clock_list_fresh", t_clock_list_fresh },
	{ "t_clock_finished_filter", t_clock_finished_filter },
	{ "t_clock_crossings_once", t_clock_crossings_once },
	{ "t_clock_duty_retried", t_clock_duty_retried },
	{ "t_clock_duty_subscription", t_clock_duty_subscription },
	{ "t_clock_query_cost", t_clock_query_cost },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_clock_alerts", clock_alerts_init, clock_alerts_clean,
    clock_alerts_tests)
