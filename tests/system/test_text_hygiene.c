/*
 * test_text_hygiene.c -- bytes from outside against the real daemon
 * (issue 15, items 5 and 8): text that is not UTF-8, control bytes and
 * train numbers the API cannot name.
 *
 * A manifest quoting bytes that are not UTF-8 in a diagnostic is refused
 * or accepted for what it is, never answered "503, retry later"; a value
 * the database refuses is a 4xx; a train number with '/', '@', a NUL, a
 * control or 300 characters is refused at intake, naming the field; and
 * the daemon's log stays one line per event with no raw control or
 * invalid byte in it, whatever a train number or a URI holds.
 * log_vline alone, with no daemon: text_log (tests/unit/test_text_log.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <utf8proc.h>

#include "daemon/log.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define BASE_FIXTURE	"edifact/cuscar_s3_alashankou.edi"
#define BASE_TRAIN	"TDT+20+X8024+2'"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char			operator_tok[64], officer_tok[64];

static int
text_suite_init(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "text.operator", operator_tok) < 0 ||
	    harness_token(&pg, "officer", "text.officer", officer_tok) < 0)
		return -1;
	return 0;
}

static int
text_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/*
 * The base fixture with each of n (from, to) pairs replaced once, into b
 * (to may hold a NUL: its length is given by tolen, or strlen when 0).
 */
static void
edifact_with(struct buf *b, size_t n, const char *const *from,
    const char *const *to, const size_t *tolen)
{
	char		*data, *p;
	size_t		 len, i;
	struct buf	 cur = { 0 };

	data = test_read_fixture(BASE_FIXTURE, &len);
	buf_add(&cur, data, len);
	free(data);
	for (i = 0; i < n; i++) {
		size_t tl = tolen != NULL && tolen[i] != 0 ? tolen[i] :
		    strlen(to[i]);

		p = memmem(cur.data, cur.len, from[i], strlen(from[i]));
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		buf_reset(b);
		buf_add(b, cur.data, (size_t)(p - cur.data));
		buf_add(b, to[i], tl);
		p += strlen(from[i]);
		buf_add(b, p, cur.len - (size_t)(p - cur.data));
		buf_reset(&cur);
		buf_add(&cur, b->data, b->len);
	}
	buf_reset(b);
	buf_add(b, cur.data, cur.len);
	buf_free(&cur);
}

/* POSTs len bytes to /v1/manifests as the operator; the status. */
static int
post_manifest(const char *body, size_t len, struct harness_response *r)
{
	char	hdr[128];

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", operator_tok);
	if (harness_http(dm.port, "POST", "/v1/manifests", hdr, body, len,
	    r) < 0) {
		memset(r, 0, sizeof *r);
		r->status = -1;
	}
	return r->status;
}

/* A request with token (or none); the status. */
static int
call(const char *method, const char *path, const char *token,
    struct harness_response *r)
{
	char	hdr[128];

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    token != NULL ? token : "");
	if (harness_http(dm.port, method, path, token != NULL ? hdr : NULL,
	    NULL, 0, r) < 0) {
		memset(r, 0, sizeof *r);
		r->status = -1;
	}
	return r->status;
}

/*
 * The first diagnostic of the reply with code, as "where|message"
 * (owned), or NULL.  NULL too when the body is not JSON: JSON is UTF-8,
 * and jansson refuses a body that is not.
 */
static char *
reply_diag(const struct harness_response *r, const char *code)
{
	json_t		*j, *d;
	size_t		 i;
	char		*out = NULL;

	if (r->body == NULL || (j = json_loads(r->body, 0, NULL)) == NULL)
		return NULL;
	json_array_foreach(json_object_get(j, "diagnostics"), i, d) {
		const char *c = json_string_value(json_object_get(d, "code"));

		if (c != NULL && strcmp(c, code) == 0) {
			out = xasprintf("%s|%s", json_string_value(
			    json_object_get(d, "where")), json_string_value(
			    json_object_get(d, "message")));
			break;
		}
	}
	json_decref(j);
	return out;
}

/* Lowercase hex of len bytes (owned), for a decode() in SQL. */
static char *
hex_of(const char *p, size_t len)
{
	char	*h = xmalloc(2 * len + 1);

	hex_encode((const unsigned char *)p, len, h);
	return h;
}

/* "count/accepted/raw_size" of the manifests stored with exactly b's bytes. */
static char *
stored_as(const struct buf *b)
{
	char	*hex = hex_of(b->data, b->len), *sql, *v;

	sql = xasprintf("SELECT count(*) || '/' || coalesce(bool_or(accepted)::"
	    "text, '-') || '/' || coalesce(max(raw_size)::text, '-') FROM "
	    "manifests WHERE sha256 = encode(sha256(decode('%s', 'hex')), "
	    "'hex')", hex);
	v = harness_sql(&pg, sql);
	free(sql);
	free(hex);
	return v != NULL ? v : xstrdup("?");
}

/* The daemon's log (owned). */
static char *
daemon_log(size_t *len)
{
	char	*log = NULL;

	if (file_read_all(dm.log, &log, len) < 0) {
		*len = 0;
		return xstrdup("");
	}
	return log;
}

/* True when the log holds the bytes s (of n bytes). */
static bool
log_has(const char *s, size_t n)
{
	size_t	 len;
	char	*log = daemon_log(&len);
	bool	 has = memmem(log, len, s, n) != NULL;

	free(log);
	return has;
}

/*
 * True when every line of the log is UTF-8 with no control character
 * (C0, DEL, C1): checked with utf8proc, not with the daemon's own code.
 * The first bad line goes to stderr.
 */
static bool
log_is_printable(void)
{
	size_t			 len, i = 0, start = 0;
	char			*log = daemon_log(&len);
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 k;
	bool			 ok = true;

	while (ok && i < len) {
		if (log[i] == '\n') {
			start = ++i;
			continue;
		}
		k = utf8proc_iterate((const utf8proc_uint8_t *)log + i,
		    (utf8proc_ssize_t)(len - i), &cp);
		if (k <= 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			fprintf(stderr, "\nlog byte %zu not printable in: %.*s\n",
			    i, (int)strcspn(log + start, "\n"), log + start);
			ok = false;
		}
		i += k > 0 ? (size_t)k : 1;
	}
	free(log);
	return ok;
}

/* Not "503, retry later": a status that is final, and no Retry-After. */
static void
assert_final(const struct harness_response *r)
{
	char	v[32];

	CU_ASSERT(r->status > 0 && r->status != 503);
	CU_ASSERT_PTR_NULL(harness_header(r, "Retry-After", v, sizeof v));
}

/*
 * A segment tag of bytes that are not UTF-8: BAD_TAG quotes them escaped.
 * A bad segment alone does not stop reading (the reader's rule), so the
 * train is taken with the error for the decision; the bytes are stored as
 * received and the log stays clean.  Before: the diagnostic held the raw
 * bytes, PostgreSQL refused the JSON, and the client heard "503, retry
 * later" for a manifest that would never be stored.
 */
static void
t_text_bad_tag_not_utf8(void)
{
	static const char *const from[] = { "BGM+85+MF-2026-118834+9'",
	    BASE_TRAIN };
	static const char *const to[] = {
	    "BGM+85+MF-2026-118834+9'\xff\xfe\xfd+1'", "TDT+20+X9501+2'" };
	struct harness_response	 r;
	struct buf		 b = { 0 };
	char			*d, *s, want[64];

	edifact_with(&b, 2, from, to, NULL);
	CU_ASSERT_EQUAL(post_manifest(b.data, b.len, &r), 202);
	assert_final(&r);
	d = reply_diag(&r, "BAD_TAG");
	CU_ASSERT_PTR_NOT_NULL(d);
	CU_ASSERT_PTR_NOT_NULL(d != NULL ? strstr(d, "\"\\xFF\\xFE\\xFD+1\"") :
	    NULL);
	CU_ASSERT_PTR_NOT_NULL(d != NULL ? strstr(d, "segment 4") : NULL);
	free(d);
	harness_response_free(&r);
	s = stored_as(&b);
	snprintf(want, sizeof want, "1/true/%zu", b.len);
	CU_ASSERT_STRING_EQUAL(s, want);
	free(s);
	CU_ASSERT_FALSE(log_has("\xff\xfe\xfd", 3));
	CU_ASSERT_TRUE(log_is_printable());
	buf_free(&b);
}

/*
 * A UNB syntax identifier "U\xffOC": an unknown repertoire is a warning
 * (read as UNOC), so the train is accepted -- with the warning quoting
 * the identifier escaped.  Before: 503.
 */
static void
t_text_unb_syntax_id_not_utf8(void)
{
	static const char *const from[] = { "UNB+UNOC:3", BASE_TRAIN };
	static const char *const to[] = { "UNB+U\xffOC:3", "TDT+20+X9502+2'" };
	struct harness_response	 r;
	struct buf		 b = { 0 };
	char			*d, *s, want[64];

	edifact_with(&b, 2, from, to, NULL);
	CU_ASSERT_EQUAL(post_manifest(b.data, b.len, &r), 202);
	assert_final(&r);
	d = reply_diag(&r, "CHARSET");
	CU_ASSERT_PTR_NOT_NULL(d);
	CU_ASSERT_PTR_NOT_NULL(d != NULL ? strstr(d, "\"U\\xFFOC\"") : NULL);
	CU_ASSERT_PTR_NOT_NULL(d != NULL ? strstr(d, "segment 1 (UNB)") :
	    NULL);
	free(d);
	harness_response_free(&r);
	s = stored_as(&b);
	snprintf(want, sizeof want, "1/true/%zu", b.len);
	CU_ASSERT_STRING_EQUAL(s, want);
	free(s);
	CU_ASSERT_FALSE(log_has("U\xffOC", 4));
	CU_ASSERT_TRUE(log_is_printable());
	buf_free(&b);
}

/*
 * A UNT segment count "\xc3\x28" (a UTF-8 lead byte without its
 * continuation): UNT_COUNT quotes it as "\xC3(".  A count error alone
 * does not stop reading: the train is taken, the diagnostic goes with it.
 * Before: 503.
 */
static void
t_text_unt_count_not_utf8(void)
{
	static const char *const from[] = { "UNT+92+1'", BASE_TRAIN };
	static const char *const to[] = { "UNT+\xc3\x28+1'", "TDT+20+X9503+2'" };
	struct harness_response	 r;
	struct buf		 b = { 0 };
	char			*d, *s, want[64];

	edifact_with(&b, 2, from, to, NULL);
	CU_ASSERT_EQUAL(post_manifest(b.data, b.len, &r), 202);
	assert_final(&r);
	d = reply_diag(&r, "UNT_COUNT");
	CU_ASSERT_PTR_NOT_NULL(d);
	CU_ASSERT_PTR_NOT_NULL(d != NULL ? strstr(d, "UNT says \\xC3( segments") :
	    NULL);
	CU_ASSERT_PTR_NOT_NULL(d != NULL ? strstr(d, "(UNT)") : NULL);
	free(d);
	harness_response_free(&r);
	s = stored_as(&b);
	snprintf(want, sizeof want, "1/true/%zu", b.len);
	CU_ASSERT_STRING_EQUAL(s, want);
	free(s);
	CU_ASSERT_FALSE(log_has("\xc3\x28", 2));
	CU_ASSERT_TRUE(log_is_printable());
	buf_free(&b);
}

/*
 * Values that reach the database unchecked and that it refuses (SQLSTATE
 * 22021, not UTF-8): a notice id and a ?state= filter with %FF.  A data
 * error is the client's to fix, never "503, retry later"; the log names
 * the SQLSTATE.
 */
static void
t_text_data_error_is_not_503(void)
{
	struct harness_response	r;

	CU_ASSERT_EQUAL(call("POST", "/v1/notices/ntc_%FF%FE/redeliver",
	    officer_tok, &r), 422);
	assert_final(&r);
	CU_ASSERT_PTR_NOT_NULL(r.body != NULL ? strstr(r.body, "class 22") :
	    NULL);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains?state=%FF", officer_tok, &r),
	    422);
	assert_final(&r);
	harness_response_free(&r);
	CU_ASSERT_TRUE(log_has("SQLSTATE 22021", 14));
	/* The daemon goes on answering. */
	CU_ASSERT_EQUAL(call("GET", "/v1/trains", officer_tok, &r), 200);
	harness_response_free(&r);
	CU_ASSERT_TRUE(log_is_printable());
}

/* Posts the base manifest for train number no (nolen bytes); the status. */
static int
post_train_number(const char *no, size_t nolen, struct harness_response *r)
{
	static const char *const from[] = { BASE_TRAIN };
	const char	*to[1];
	size_t		 tolen[1];
	struct buf	 tdt = { 0 }, b = { 0 };
	int		 status;

	buf_add_str(&tdt, "TDT+20+");
	buf_add(&tdt, no, nolen);
	buf_add_str(&tdt, "+2'");
	to[0] = tdt.data;
	tolen[0] = tdt.len;
	edifact_with(&b, 1, from, to, tolen);
	status = post_manifest(b.data, b.len, r);
	buf_free(&tdt);
	buf_free(&b);
	return status;
}

/*
 * Train numbers the API could never name, or that would be stored as
 * something else: refused at intake (422) with TRAIN_NUMBER naming the
 * field (TDT 8028) and the segment.  Before: all accepted (202), "A/B@7"
 * and the 300-character one never to be approved, "X92\0 06" stored as
 * "X92".
 */
static void
t_text_train_numbers_refused(void)
{
	static const struct { const char *no; size_t len; } bad[] = {
		{ "A/B@7", 5 },
		{ "X92\0 06", 7 },
		{ "X9704@2", 7 },
		{ "X97 05", 6 },
		{ "X97\x1b[2J", 7 },
		{ "..", 2 },
		{ "\xd0\xa5" "97", 4 },	/* Cyrillic Kha: looks like X97 */
		{ NULL, 300 },		/* 300 digits */
		{ NULL, 65 },		/* one past the limit */
	};
	struct harness_response	 r;
	char			 no[301], *d, *v;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		const char *n = bad[i].no;

		if (n == NULL) {
			memset(no, '7', bad[i].len);
			no[bad[i].len] = '\0';
			n = no;
		}
		CU_ASSERT_EQUAL(post_train_number(n, bad[i].len, &r), 422);
		d = reply_diag(&r, "TRAIN_NUMBER");
		if (d == NULL || strstr(d, "segment 7 (TDT)") == NULL ||
		    strstr(d, "TDT 8028") == NULL) {
			fprintf(stderr, "\ntrain number %zu: %d %s\n", i,
			    r.status, d != NULL ? d : r.body);
			CU_FAIL("TRAIN_NUMBER names TDT 8028 and its segment");
		}
		free(d);
		harness_response_free(&r);
	}
	/* None became a train: not "X92", not the long one. */
	v = harness_sql(&pg, "SELECT count(*) FROM trains WHERE train_no IN "
	    "('A/B@7', 'X92', '..', U&'\\042597') OR train_no LIKE 'X97%' "
	    "OR length(train_no) > 64 OR train_no LIKE '777%'");
	CU_ASSERT_STRING_EQUAL(v, "0");
	free(v);
	CU_ASSERT_TRUE(log_is_printable());
}

/* 64 characters is a train number, and the API names it. */
static void
t_text_train_number_64_accepted(void)
{
	struct harness_response	r;
	char			no[65], path[128];

	memset(no, '8', 64);
	no[0] = 'Z';
	no[64] = '\0';
	CU_ASSERT_EQUAL(post_train_number(no, 64, &r), 202);
	harness_response_free(&r);
	snprintf(path, sizeof path, "/v1/trains/%s", no);
	CU_ASSERT_EQUAL(call("GET", path, officer_tok, &r), 200);
	harness_response_free(&r);
	snprintf(path, sizeof path, "/v1/trains/%s@1", no);
	CU_ASSERT_EQUAL(call("GET", path, officer_tok, &r), 200);
	harness_response_free(&r);
	/* The URL's id follows the same rule: "@" only before a run. */
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/A@B@1", officer_tok, &r), 400);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(call("GET", "/v1/trains/X8024@x", officer_tok, &r), 400);
	harness_response_free(&r);
}

/* A one-wagon XML manifest for JourneyID journey (raw XML text). */
static char *
xml_manifest(const char *journey)
{
	return xasprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Manifest xmlns=\"urn:railgate:manifest:1\">\n"
	    "  <Head><MessageID>MF-TXT-1</MessageID><FunctionCode>9"
	    "</FunctionCode><SendDateTime>2026-11-22T12:00:00Z</SendDateTime>"
	    "</Head>\n  <Declaration>\n    <ID>MF-TXT-1</ID>\n"
	    "    <DirectionCode>import</DirectionCode>\n"
	    "    <BorderTransportMeans><JourneyID>%s</JourneyID><ModeCode>2"
	    "</ModeCode><BorderStationID>CNERL</BorderStationID>"
	    "<Carrier><ID>MN-UBTZ</ID></Carrier><Wagon>"
	    "<SequenceNumeric>1</SequenceNumeric><ID>335279521132</ID></Wagon>"
	    "</BorderTransportMeans>\n  </Declaration>\n</Manifest>\n",
	    journey);
}

/*
 * The same rule for XML, and the forged log line: a JourneyID with a
 * newline (&#10;) followed by what looks like a log line.  Refused with
 * TRAIN_NUMBER naming BorderTransportMeans/JourneyID, and the log gets no
 * line of the sender's making.  Before: accepted, and logged as two
 * lines.  A NUL (&#0;) is not XML at all.
 */
static void
t_text_xml_train_number_and_forged_line(void)
{
	static const char forged[] = "\n2026-11-22T00:00:00.000Z railgated "
	    "info: FORGED train released by customs";
	struct harness_response	 r;
	char			*x, *d;

	x = xml_manifest("X9601&#10;2026-11-22T00:00:00.000Z railgated info: "
	    "FORGED train released by customs");
	CU_ASSERT_EQUAL(post_manifest(x, strlen(x), &r), 422);
	free(x);
	d = reply_diag(&r, "TRAIN_NUMBER");
	CU_ASSERT_PTR_NOT_NULL(d);
	CU_ASSERT_PTR_NOT_NULL(d != NULL ?
	    strstr(d, "BorderTransportMeans/JourneyID") : NULL);
	CU_ASSERT_PTR_NOT_NULL(d != NULL ? strstr(d, "X9601\\x0A2026") : NULL);
	free(d);
	harness_response_free(&r);
	CU_ASSERT_FALSE(log_has(forged, sizeof forged - 1));

	x = xml_manifest("A/B@7");
	CU_ASSERT_EQUAL(post_manifest(x, strlen(x), &r), 422);
	free(x);
	d = reply_diag(&r, "TRAIN_NUMBER");
	CU_ASSERT_PTR_NOT_NULL(d);
	free(d);
	harness_response_free(&r);

	x = xml_manifest("X92&#0;06");
	CU_ASSERT_EQUAL(post_manifest(x, strlen(x), &r), 422);
	free(x);
	harness_response_free(&r);
	x = harness_sql(&pg, "SELECT count(*) FROM trains WHERE train_no "
	    "LIKE 'X96%' OR train_no IN ('A/B@7', 'X92')");
	CU_ASSERT_STRING_EQUAL(x, "0");
	free(x);
	CU_ASSERT_TRUE(log_is_printable());
}

/*
 * A request URI with a raw ESC (a terminal escape) and a byte that is not
 * UTF-8: refused before routing (400: a request target is visible ASCII,
 * RFC 9112 section 3.2), logged with both escaped, and its problem
 * document is JSON (UTF-8).  Before: the ESC went into the log as it was.
 */
static void
t_text_uri_escape_logged_escaped(void)
{
	struct harness_response	r;
	json_t			*j;

	CU_ASSERT_EQUAL(call("GET", "/v1/\x1b[31mESC-MARK\xff", officer_tok,
	    &r), 400);
	j = json_loads(r.body != NULL ? r.body : "", 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	harness_response_free(&r);
	CU_ASSERT_TRUE(log_has("/v1/\\x1B[31mESC-MARK\\xFF", 24));
	CU_ASSERT_FALSE(log_has("\x1b", 1));
	CU_ASSERT_FALSE(log_has("\xff", 1));
	CU_ASSERT_TRUE(log_is_printable());
	CU_ASSERT_TRUE(harness_daemon_alive(&dm));
}

static CU_TestInfo text_tests[] = {
	{ "t_text_bad_tag_not_utf8", t_text_bad_tag_not_utf8 },
	{ "t_text_unb_syntax_id_not_utf8", t_text_unb_syntax_id_not_utf8 },
	{ "t_text_unt_count_not_utf8", t_text_unt_count_not_utf8 },
	{ "t_text_data_error_is_not_503", t_text_data_error_is_not_503 },
	{ "t_text_train_numbers_refused", t_text_train_numbers_refused },
	{ "t_text_train_number_64_accepted", t_text_train_number_64_accepted },
	{ "t_text_xml_train_number_and_forged_line",
	    t_text_xml_train_number_and_forged_line },
	{ "t_text_uri_escape_logged_escaped", t_text_uri_escape_logged_escaped },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_text", text_suite_init, text_suite_clean, text_tests)
