/*
 * test_attack.c -- the fixes of issue 15 attacked again, against the real
 * daemon on loopback: each test is a way around a fix that worked on the
 * code that closed the issue (31b8bd7..e09fec0), and now fails.
 *
 *   - four eyes: a cancellation listing no wagons deleted an officer's
 *     hold, and a replacement brought the train back without it; a
 *     replacement (or a cancellation and a replacement) of a train
 *     partially released for good re-declared the refused wagon, and a
 *     plain officer's approval released it;
 *   - a manifest naming one wagon (or container) twice: the final
 *     decision listed the wagon's number both refused and released;
 *   - the auditor's replay of a final decision made after a replacement
 *     compared it with the decision of the replaced manifest;
 *   - the spool: a second file of a name still waiting in processing/
 *     was renamed over the first (lost), and a second failure of a name
 *     over the first one's file in failed/;
 *   - the auth throttle: an officer behind the address of a guesser (a
 *     NAT, a proxy) was answered 429 as soon as the 5 s token cache
 *     expired;
 *   - a body sent with a GET (any reader's token) took from the budget
 *     of the uploads;
 *   - an endpoint at an IPv6 address outside global unicast
 *     (::ffff:0:7f00:1, 5f00::1, 2001:10::1);
 *   - a Location naming another train (X?1 gave /v1/trains/X?1).
 *
 * The train is fixtures/xml/four_eyes_x9101.xml: wagon 1 REFUSE (ivory),
 * wagon 2 HOLD (a sanctioned consignor), wagon 3 released.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"

#define W_IVORY		"315279550018"	/* rules: REFUSE */
#define W_SANCTION	"315279550026"	/* rules: HOLD */
#define W_CLEAR		"335279521132"	/* rules: RELEASE */

/* A short token cache and a small throttle, so that the lock-out of an
 * officer behind a guesser's address shows in seconds. */
#define ATTACK_CONF "[spool]\nretry_base_ms = 200\nretry_max_s = 1\n" \
	"max_attempts = 200\n[http]\ntoken_cache_s = 1\n" \
	"auth_failures_per_client = 5\nauth_failures_window_s = 8\n"
#define ATTACK_WINDOW_S	8

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], officer2_token[64];
static char	sup1_token[64], sup2_token[64], auditor_token[64];
static char	admin_token[64];

static int
attack_suite_init(void)
{
	char	conf[1600];

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s" ATTACK_CONF, pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.alpha", officer_token) < 0 ||
	    harness_token(&pg, "officer", "o.beta", officer2_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup1_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.two", sup2_token) < 0 ||
	    harness_token(&pg, "auditor", "a.audit", auditor_token) < 0 ||
	    harness_token(&pg, "admin", "ad.min", admin_token) < 0)
		return -1;
	return 0;
}

static int
attack_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}


/* s with every from replaced by to (caller frees). */
static char *
replace_all(const char *s, const char *from, const char *to)
{
	struct buf	 b = { 0 };
	const char	*p;
	size_t		 n = strlen(from);

	while ((p = strstr(s, from)) != NULL) {
		buf_add(&b, s, (size_t)(p - s));
		buf_add_str(&b, to);
		s = p + n;
	}
	buf_add_str(&b, s);
	buf_add(&b, "", 1);
	return buf_steal(&b, &n);
}

/* What to change in the fixture. */
enum {
	V_CLEAN		= 1 << 0,	/* no ivory, no sanctioned party */
	V_NO_WAGONS	= 1 << 1,	/* every <Wagon> left out */
	V_DUP_WAGON	= 1 << 2,	/* wagon 3 named as wagon 1 */
	V_DUP_CONTAINER	= 1 << 3,	/* a container of wagon 3 as one of 1 */
};

/*
 * The fixture as train, with message function fn ('9' original, '5'
 * replace, '1' cancel) and the changes in flags (caller frees).
 */
static char *
variant(const char *train, char fn, int flags)
{
	char	*x, *y, *p, *q, code[32];
	size_t	 len;

	x = test_read_fixture("xml/four_eyes_x9101.xml", &len);
	y = replace_all(x, "X9101", train);
	free(x);
	snprintf(code, sizeof code, "<FunctionCode>%c<", fn);
	x = replace_all(y, "<FunctionCode>9<", code);
	free(y);
	if (flags & V_CLEAN) {
		y = replace_all(x, "Ivory tusks, unworked", "Gear boxes");
		free(x);
		x = replace_all(y, "<ClassificationID>050710<",
		    "<ClassificationID>848340<");
		free(y);
		y = replace_all(x, "Timur Trading House", "Almaty Gear Works");
		free(x);
		x = y;
	}
	if (flags & V_NO_WAGONS)
		while ((p = strstr(x, "<Wagon>")) != NULL &&
		    (q = strstr(p, "</Wagon>")) != NULL) {
			q += strlen("</Wagon>");
			memmove(p, q, strlen(q) + 1);
		}
	if (flags & V_DUP_WAGON) {
		y = replace_all(x, "<ID>" W_CLEAR "</ID>", "<ID>" W_IVORY
		    "</ID>");
		free(x);
		x = y;
	}
	if (flags & V_DUP_CONTAINER) {
		y = replace_all(x, "<ID>BMOU5330120</ID>",
		    "<ID>TGHU1234567</ID>");
		free(x);
		x = y;
	}
	return x;
}

/* Posts a variant as the operator: the status; the body in *body (caller
 * frees) and the Location in loc when not NULL. */
static int
post_variant(const char *train, char fn, int flags, char **body, char *loc,
    size_t locsize)
{
	struct harness_response	 r;
	char			*data, hdr[128];
	int			 status;

	data = variant(train, fn, flags);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    operator_token);
	status = harness_http(dm.port, "POST", "/v1/manifests", hdr, data,
	    strlen(data), &r) < 0 ? -1 : r.status;
	free(data);
	if (body != NULL)
		*body = status >= 0 ? xstrdup(r.body) : NULL;
	if (loc != NULL && (status < 0 ||
	    harness_header(&r, "Location", loc, locsize) == NULL))
		loc[0] = '\0';
	if (status >= 0)
		harness_response_free(&r);
	return status;
}

static int
post(const char *train, char fn, int flags)
{
	return post_variant(train, fn, flags, NULL, NULL, 0);
}

/* --- four eyes: what a later manifest may change ------------------- */

/*
 * An officer holds wagon 3 (the rules released it).  The operator cancels
 * the train with a cancellation that lists no wagons: before, it was
 * accepted and deleted every wagon with its hold, and a replacement then
 * brought the train back with wagon 3 released and nobody's set-out.  A
 * cancellation is now checked as a replacement is: refused (409) while it
 * leaves out a set-out wagon; one listing them keeps the officer's hold,
 * through the replacement after it.
 */
static void
t_attack_cancel_keeps_hold(void)
{
	char	*body = NULL;

	CU_ASSERT_EQUAL_FATAL(post("AT001", '9', 0), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "AT001"));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "AT001",
	    W_CLEAR, "hold", NULL), 200);
	CU_ASSERT_EQUAL(post_variant("AT001", '1', V_NO_WAGONS, &body, NULL,
	    0), 409);
	CU_ASSERT(body != NULL && strstr(body, "cancellation leaves out") !=
	    NULL && strstr(body, W_CLEAR " (HOLD)") != NULL);
	free(body);
	OFFICERS_CHECK_SQL(&pg, "3",
	    "SELECT count(*) FROM wagons w JOIN trains t ON t.id = "
	    "w.train_id WHERE t.train_no = '%s'", "AT001");
	/* Before the fix, from here on: a train with no set-out at all. */
	(void)post("AT001", '5', 0);
	(void)officers_decided(&pg, "AT001");
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, "AT001", W_CLEAR);
	/* A cancellation listing the wagons, then a replacement: the hold,
	 * and who set the wagon out, stay. */
	CU_ASSERT_EQUAL(post("AT001", '1', 0), 202);
	CU_ASSERT_EQUAL(post("AT001", '5', 0), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "AT001"));
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, "AT001", W_CLEAR);
	OFFICERS_CHECK_SQL(&pg, "{o.alpha}",
	    "SELECT w.set_out_by::text FROM wagons w JOIN "
	    "trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.number = '%s'", "AT001", W_CLEAR);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "AT001",
	    W_CLEAR, "release", NULL),
	    403);
}

/*
 * The train approved as the rules said: PARTIAL_RELEASE, the ivory
 * refused.  Before: the operator's replacement declaring gear boxes in
 * wagon 1 (and another consignor in wagon 2) made the decision
 * provisional again and RELEASE; a plain officer's approval released the
 * ivory.  Now a run whose final decision sets a wagon out at HOLD or
 * REFUSE takes no replacement nor cancellation (409).
 */
static void
t_attack_final_set_out_stays(void)
{
	char	*body = NULL;

	CU_ASSERT_EQUAL_FATAL(post("AT002", '9', 0), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "AT002"));
	CU_ASSERT_EQUAL_FATAL(officers_approve(dm.port, officer_token, "AT002",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, "AT002");
	CU_ASSERT_EQUAL(post_variant("AT002", '5', V_CLEAN, &body, NULL, 0),
	    409);
	CU_ASSERT(body != NULL && strstr(body, "(final)") != NULL &&
	    strstr(body, W_IVORY " (REFUSE)") != NULL);
	free(body);
	CU_ASSERT_EQUAL(post("AT002", '1', 0), 409);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, "AT002");
	/* Before the fix: the replacement's decision, approved alone. */
	(void)officers_decided(&pg, "AT002");
	(void)officers_resolve(dm.port, officer_token, "AT002", W_SANCTION,
	    "release", NULL);
	(void)officers_approve(dm.port, officer_token, "AT002", NULL);
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, "AT002", W_IVORY);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, "AT002");
}

/*
 * A train whose final decision sets out only for inspection (two
 * supervisors confirmed both overrides) may still be replaced.  The
 * final decision made after the replacement is rebuilt by the auditor's
 * replay from the replacement's decision; before, from the replaced
 * manifest's final decision ("first difference at $.manifest_sha256").
 */
static void
t_attack_replay_after_replacement(void)
{
	char	 cmd[1024], line[512];
	struct buf out = { 0 };
	FILE	*p;
	int	 st;

	CU_ASSERT_EQUAL_FATAL(post("AT003", '9', 0), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "AT003"));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "AT003", W_IVORY,
	    "inspect", NULL), 202);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_token, "AT003",
	    W_SANCTION, "inspect", NULL),
	    202);
	CU_ASSERT_EQUAL_FATAL(officers_approve(dm.port, sup2_token, "AT003",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, "AT003");
	CU_ASSERT_EQUAL_FATAL(post("AT003", '5', V_CLEAN), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "AT003"));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, "AT003",
	    W_SANCTION, "release", NULL),
	    200);
	CU_ASSERT_EQUAL_FATAL(officers_approve(dm.port, officer_token, "AT003",
	    NULL), 200);
	snprintf(cmd, sizeof cmd, "%s/railgate replay --dsn '%s' --train AT003 "
	    "2>&1", test_build_dir(), pg.dsn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = popen(cmd, "r"));
	while (fgets(line, sizeof line, p) != NULL)
		buf_add_str(&out, line);
	buf_add(&out, "", 1);
	st = pclose(p);
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "all identical"));
	if (WEXITSTATUS(st) != 0)
		fputs(out.data, stderr);
	buf_free(&out);
}

/*
 * One wagon number twice in an XML manifest: before, two wagons of that
 * number were stored, one refused and one released, and the final
 * decision (and the notice) said the number was released; a resolution
 * by number reached either.  Now refused (422, DUPLICATE_WAGON), as is a
 * container listed twice (DUPLICATE_CONTAINER); no train is made.
 */
static void
t_attack_duplicate_equipment(void)
{
	char	*body = NULL;

	CU_ASSERT_EQUAL(post_variant("AT004", '9', V_DUP_WAGON, &body, NULL, 0),
	    422);
	CU_ASSERT(body != NULL && strstr(body, "DUPLICATE_WAGON") != NULL);
	free(body);
	CU_ASSERT_EQUAL(post_variant("AT005", '9', V_DUP_CONTAINER, &body,
	    NULL, 0), 422);
	CU_ASSERT(body != NULL && strstr(body, "DUPLICATE_CONTAINER") != NULL);
	free(body);
	OFFICERS_CHECK_SQL(&pg, "0",
	    "SELECT count(*) FROM trains WHERE train_no IN ('%s', "
	    "'%s')", "AT004", "AT005");
}

/*
 * A train number holding '?' and '#' (printable: accepted) is named in
 * the Location by its encoded form: before, /v1/trains/AT?06#x named
 * train AT.
 */
static void
t_attack_location_encoded(void)
{
	char	loc[256], *body = NULL;

	CU_ASSERT_EQUAL_FATAL(post_variant("AT?06#x", '9', 0, NULL, loc,
	    sizeof loc), 202);
	CU_ASSERT_STRING_EQUAL(loc, "/v1/trains/AT%3F06%23x");
	CU_ASSERT_EQUAL(officers_call(dm.port, auditor_token, "GET", loc, NULL,
	    &body), 200);
	CU_ASSERT(body != NULL && strstr(body, "AT?06#x") != NULL);
	free(body);
}

/* --- the spool: a name already taken ------------------------------- */

static double
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
spool_path(const char *sub, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/spool/%s/%s", dm.dir, sub, name);
}

/* Drops bytes into incoming/ as name (a dot name, then a rename). */
static void
drop(const char *name, const char *data)
{
	char	tmp[600], dst[600];
	FILE	*f;

	spool_path("incoming", ".part", tmp, sizeof tmp);
	spool_path("incoming", name, dst, sizeof dst);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(tmp, "wb"));
	CU_ASSERT_EQUAL(fwrite(data, 1, strlen(data), f), strlen(data));
	fclose(f);
	CU_ASSERT_EQUAL(rename(tmp, dst), 0);
}

static bool
wait_path(const char *path, int ms)
{
	struct stat	st;
	int		waited;

	for (waited = 0; waited <= ms; waited += 50) {
		if (lstat(path, &st) == 0)
			return true;
		usleep(50000);
	}
	return false;
}

/* True when the file at path holds needle. */
static bool
file_has(const char *path, const char *needle)
{
	char	*text;
	size_t	 len;
	bool	 has;

	if (file_read_all(path, &text, &len) < 0)
		return false;
	has = strstr(text, needle) != NULL;
	free(text);
	return has;
}

/* The daemon's log holds needle. */
static bool
log_has(const char *needle)
{
	return file_has(dm.log, needle);
}

static int
pg_ctl(const char *verb)
{
	char	cmd[600];

	snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh %s '%s' > /dev/null",
	    verb, pg.dir);
	return system(cmd);
}

/*
 * The database down, a manifest (train AT010) dropped as same.xml waits
 * in processing/ for its next attempt; the sender drops another
 * same.xml (train AT011).  Before, the claim renamed it over the first,
 * which was never stored nor kept.  Now the second waits in incoming/;
 * with the database back both are stored.
 */
static void
t_attack_spool_same_name(void)
{
	char	path[600], *a, *b;
	double	until;

	CU_ASSERT_EQUAL_FATAL(pg_ctl("stop"), 0);
	a = variant("AT010", '9', 0);
	b = variant("AT011", '9', 0);
	drop("same.xml", a);
	for (until = mono_ms() + 10000; !log_has("spool: same.xml not stored") &&
	    mono_ms() < until; )
		usleep(50000);
	CU_ASSERT_TRUE(log_has("spool: same.xml not stored"));
	/* Another second: the spool's idempotency key has the file's
	 * mtime in seconds (the same key would refuse it as a repeat). */
	usleep(1100000);
	drop("same.xml", b);
	usleep(2500000);	/* several scans */
	spool_path("processing", "same.xml", path, sizeof path);
	CU_ASSERT_TRUE(file_has(path, "AT010"));
	spool_path("incoming", "same.xml", path, sizeof path);
	CU_ASSERT_TRUE(file_has(path, "AT011"));
	CU_ASSERT_EQUAL_FATAL(pg_ctl("start"), 0);
	CU_ASSERT_TRUE(harness_wait_sql(&pg, "SELECT count(*) FROM trains "
	    "WHERE train_no IN ('AT010', 'AT011')", "2", 30000));
	free(a);
	free(b);
}

/*
 * Two files failing under one name: the second goes to failed/NAME.1
 * beside its own reason; the first stays (before, renamed over).
 */
static void
t_attack_spool_failed_kept(void)
{
	char	path[600], err[600];

	drop("junk.edi", "UNB+first'");
	spool_path("failed", "junk.edi.err", err, sizeof err);
	CU_ASSERT_FATAL(wait_path(err, 10000));
	drop("junk.edi", "UNB+second'");
	spool_path("failed", "junk.edi.1.err", err, sizeof err);
	CU_ASSERT_TRUE(wait_path(err, 10000));
	spool_path("failed", "junk.edi", path, sizeof path);
	CU_ASSERT_TRUE(file_has(path, "UNB+first'"));
	spool_path("failed", "junk.edi.1", path, sizeof path);
	CU_ASSERT_TRUE(file_has(path, "UNB+second'"));
}

/* --- the HTTP front ------------------------------------------------ */

/*
 * An auditor's GET announcing a 200 MB body: before, admitted, and its
 * declared body held 200 MB of max_body_memory_mb (the uploads' budget)
 * for as long as the client took to send it.  Now 413 from the head.
 */
static void
t_attack_get_with_body(void)
{
	struct harness_response	 r;
	char			 hdr[256];
	int			 fd;
	ssize_t			 n;
	char			 buf[512];
	double			 until;
	size_t			 got = 0;

	snprintf(hdr, sizeof hdr, "GET /v1/trains HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nContent-Length: 200000000\r\n\r\n",
	    auditor_token);
	CU_ASSERT_FATAL((fd = harness_connect(dm.port)) >= 0);
	CU_ASSERT_EQUAL(write(fd, hdr, strlen(hdr)), (ssize_t)strlen(hdr));
	for (until = mono_ms() + 3000; got < sizeof buf - 1 &&
	    mono_ms() < until; ) {
		n = recv(fd, buf + got, sizeof buf - 1 - got, MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			break;
		else
			usleep(20000);
	}
	buf[got] = '\0';
	close(fd);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "HTTP/1.1 413"));
	/* Nothing of the budget is held. */
	CU_ASSERT_EQUAL(harness_http(dm.port, "GET", "/metrics", NULL, NULL, 0,
	    &r), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body,
	    "\nrailgate_http_body_bytes 0\n"));
	harness_response_free(&r);
}

/* Sends head (and body, may be NULL) on a new connection; the start of
 * the answer into buf. */
static void
raw_exchange(const char *head, const char *body, char *buf, size_t size)
{
	int	fd;
	ssize_t	n;
	double	until;
	size_t	got = 0;

	CU_ASSERT_FATAL((fd = harness_connect(dm.port)) >= 0);
	CU_ASSERT_EQUAL(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	if (body != NULL)
		(void)!write(fd, body, strlen(body));
	for (until = mono_ms() + 3000; got < size - 1 && mono_ms() < until; ) {
		n = recv(fd, buf + got, size - 1 - got, MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			break;
		else
			usleep(20000);
	}
	buf[got] = '\0';
	close(fd);
}

/*
 * An officer (a valid token) announcing 200 MB to a route that reads a
 * small JSON document (/approve takes 16 KiB): before, admitted, holding
 * 200 MB of the uploads' body budget; now 413 from the head.  A chunked
 * body past the route's 64 KiB is cut at the chunk that passes it.
 */
static void
t_attack_json_route_body_bounded(void)
{
	struct harness_response	 r;
	char			 hdr[512], buf[512], chunk[80];

	snprintf(hdr, sizeof hdr, "POST /v1/trains/AT001/approve HTTP/1.1\r\n"
	    "Host: x\r\nAuthorization: Bearer %s\r\nContent-Type: "
	    "application/json\r\nContent-Length: 200000000\r\n\r\n",
	    officer_token);
	raw_exchange(hdr, NULL, buf, sizeof buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "HTTP/1.1 413"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "at most 65536 bytes"));
	snprintf(hdr, sizeof hdr, "POST /v1/trains/AT001/approve HTTP/1.1\r\n"
	    "Host: x\r\nAuthorization: Bearer %s\r\nContent-Type: "
	    "application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
	    officer_token);
	snprintf(chunk, sizeof chunk, "%x\r\n", 70000);
	raw_exchange(hdr, chunk, buf, sizeof buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "HTTP/1.1 413"));
	CU_ASSERT_EQUAL(harness_http(dm.port, "GET", "/metrics", NULL, NULL, 0,
	    &r), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body,
	    "\nrailgate_http_body_bytes 0\n"));
	harness_response_free(&r);
}

/*
 * A {param} with an encoded NUL named another wagon to C and the
 * database ("315279550018%00x" was wagon 315279550018); an encoded
 * escape went into whatever quoted it; a reason with a newline into the
 * auditor's one-line record.  Each is refused, and nothing is recorded.
 */
static void
t_attack_encoded_controls(void)
{
	char	*before, *after;

	before = officers_sql(&pg, "SELECT count(*) FROM officer_actions");
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "POST",
	    "/v1/trains/AT001/wagons/"
	    W_CLEAR "%00x/resolution", "{\"action\":\"hold\",\"reason\":"
	    "\"x\"}", NULL), 400);
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "GET",
	    "/v1/trains/AT%1B001", NULL,
	    NULL), 400);
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "GET",
	    "/v1/trains/AT%7F001", NULL,
	    NULL), 400);
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "POST",
	    "/v1/trains/AT001/wagons/"
	    W_CLEAR "/resolution", "{\"action\":\"hold\",\"reason\":"
	    "\"seal broken\\n2026-12-06 railgated info: approved\"}", NULL),
	    422);
	after = officers_sql(&pg, "SELECT count(*) FROM officer_actions");
	CU_ASSERT_STRING_EQUAL(after, before);
	free(before);
	free(after);
}

/*
 * A guesser on the officers' address (a NAT, a proxy) passes
 * auth_failures_per_client.  Before, an officer's token was answered 429
 * as soon as its cache entry (token_cache_s) expired: two bad requests a
 * second locked every officer out.  A token found valid before is now
 * looked up whatever the throttle says -- and a revoked one is refused by
 * that lookup, not kept working.
 */
static void
t_attack_throttle_spares_officer(void)
{
	char	tok[64], hdr[128];
	int	i, n429 = 0;
	struct harness_response r;

	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "GET",
	    "/v1/trains", NULL, NULL),
	    200);
	CU_ASSERT_EQUAL(officers_call(dm.port, officer2_token, "GET",
	    "/v1/trains", NULL, NULL),
	    200);
	free(officers_sql(&pg,
	    "UPDATE tokens SET revoked_at = now() WHERE principal = "
	    "'%s'", "o.beta"));
	for (i = 0; i < 8; i++) {
		snprintf(tok, sizeof tok, "rg_guess%08d%08ld", i, random());
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", tok);
		if (harness_http(dm.port, "GET", "/v1/trains", hdr, NULL, 0,
		    &r) == 0) {
			n429 += r.status == 429;
			harness_response_free(&r);
		}
	}
	CU_ASSERT(n429 >= 2);
	usleep(1500000);	/* past token_cache_s */
	CU_ASSERT_EQUAL(officers_call(dm.port, officer_token, "GET",
	    "/v1/trains", NULL, NULL),
	    200);
	CU_ASSERT_EQUAL(officers_call(dm.port, officer2_token, "GET",
	    "/v1/trains", NULL, NULL),
	    401);
	/* The guesser is still throttled. */
	CU_ASSERT_EQUAL(officers_call(dm.port, "rg_guessagain", "GET",
	    "/v1/trains", NULL, NULL),
	    429);
	/* A token never seen waits for the window like the guesser's
	 * (documented); the next tests need none of that. */
	usleep((ATTACK_WINDOW_S * 1000 + 1200) * 1000);
}

/* --- operators' endpoints ---------------------------------------- */

/*
 * Endpoints at IPv6 addresses outside global unicast were accepted:
 * ::ffff:0:7f00:1 (SIIT's form of 127.0.0.1), 5f00::1, and 2001:10::1
 * (IETF protocol assignments).
 */
static void
t_attack_endpoint_not_global(void)
{
	static const char *const urls[] = { "http://[::ffff:0:7f00:1]/",
	    "http://[5f00::1]/", "http://[2001:10::1]/" };
	char	json[300], *body = NULL;
	size_t	i;

	for (i = 0; i < nitems(urls); i++) {
		snprintf(json, sizeof json, "{\"url\":\"%s\",\"formats\":"
		    "[\"json\"],\"secret\":\"0123456789abcdef0123456789abcdef\"}",
		    urls[i]);
		CU_ASSERT_EQUAL(officers_call(dm.port, admin_token, "PUT",
		    "/v1/subscriptions/at",
		    json, &body), 422);
		CU_ASSERT(body != NULL && strstr(body, "endpoints must be "
		    "public") != NULL);
		free(body);
	}
}

/*
 * Before approval, a replacement re-declares the goods of a wagon the
 * rules refused (ivory becomes a clean cargo; a sanctioned consignor is
 * renamed) and the rules release it;
 * a plain officer then approved a clean train.  The daemon now resolves
 * such a wagon INSPECT (redeclared_inspect(), 016): the operator alone
 * cannot release it; an officer inspects what is now declared and
 * releases it with a reason (a corrected document still clears a hold
 * that way).
 */
static void
t_attack_replacement_redeclares_refused(void)
{
	CU_ASSERT_EQUAL_FATAL(post("AT020", '9', 0), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "AT020"));
	OFFICERS_CHECK_SQL(&pg, "REFUSE", OFFICERS_WAGON_NOW, "AT020", W_IVORY);
	CU_ASSERT_EQUAL(post("AT020", '5', V_CLEAN), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, "AT020"));
	OFFICERS_CHECK_SQL(&pg, "INSPECT", OFFICERS_WAGON_NOW, "AT020",
	    W_IVORY);
	/* The consignor renamed after a sanctions HOLD: the same. */
	OFFICERS_CHECK_SQL(&pg, "INSPECT", OFFICERS_WAGON_NOW, "AT020",
	    W_SANCTION);
	OFFICERS_CHECK_SQL(&pg, "2",
	    "SELECT count(*) FROM audit_log a JOIN trains t ON "
	    "t.id = a.train_id WHERE t.train_no = '%s' AND a.action = "
	    "'wagon.redeclared'", "AT020");
	/* Approved as it stands: the wagon is set out for inspection. */
	CU_ASSERT_EQUAL_FATAL(officers_approve(dm.port, officer_token, "AT020",
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "partially_released/INSPECT",
	    "SELECT t.state || '/' || "
	    "(s->>'action') FROM trains t, json_array_elements(t.decision->"
	    "'set_out') s WHERE t.train_no = '%s' AND s->>'wagon' = '%s'",
	    "AT020", W_IVORY);
}

static CU_TestInfo attack_tests[] = {
	{ "t_attack_cancel_keeps_hold", t_attack_cancel_keeps_hold },
	{ "t_attack_final_set_out_stays", t_attack_final_set_out_stays },
	{ "t_attack_replay_after_replacement",
	    t_attack_replay_after_replacement },
	{ "t_attack_duplicate_equipment", t_attack_duplicate_equipment },
	{ "t_attack_location_encoded", t_attack_location_encoded },
	{ "t_attack_spool_same_name", t_attack_spool_same_name },
	{ "t_attack_spool_failed_kept", t_attack_spool_failed_kept },
	{ "t_attack_get_with_body", t_attack_get_with_body },
	{ "t_attack_encoded_controls", t_attack_encoded_controls },
	{ "t_attack_json_route_body_bounded",
	    t_attack_json_route_body_bounded },
	{ "t_attack_endpoint_not_global", t_attack_endpoint_not_global },
	{ "t_attack_throttle_spares_officer",
	    t_attack_throttle_spares_officer },
	{ "t_attack_replacement_redeclares_refused",
	    t_attack_replacement_redeclares_refused },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_attack", attack_suite_init, attack_suite_clean,
    attack_tests)
