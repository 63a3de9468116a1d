/*
 * test_documents.c -- operators' documents (issue 20, item 3;
 * docs/documents.md) against the real daemon and the default rule set.
 *
 * The train of fixtures/xml/cuscar_s3_alashankou.xml (carrier KZ-KTZE)
 * under other numbers: its wagon 2 carries table grapes of consignment
 * "SMGS 24170091" declared without a phytosanitary certificate, so the
 * rule phyto sets it at DOC_CHECK.  An 851 uploaded by KZ-KTZE's
 * operator and accepted by an officer releases it on re-evaluation, and
 * `railgate replay` decides the same; a rejected one leaves it at
 * DOC_CHECK through a re-evaluation.  Bad input stores nothing -- no
 * document row, no audit record: a body over 20 MiB (413, from its
 * head), a GIF or a text labelled application/pdf (415), another
 * carrier's train or an unknown consignment (404).  The page's own
 * examples run against a train of their own.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

#define W2		"315279550026"
#define GRAPES		"SMGS%2024170091"	/* the consignment, in a URL */
#define DOC_MAX		(20 * 1024 * 1024)

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	ktze_token[64], crct_token[64], officer_token[64];
static char	auditor_token[64];

/* A tiny PDF: what the daemon checks is how it begins. */
static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    "% phytosanitary certificate KZ-PHY-2026-3390\n%%EOF\n";

/* Posts the fixture as train (five characters); the HTTP status. */
static int
post_train(const char *train)
{
	struct harness_response	 r;
	char			*data, *p, hdr[128];
	size_t			 len;
	int			 status;

	data = test_read_fixture("xml/cuscar_s3_alashankou.xml", &len);
	if ((p = strstr(data, "X8024")) != NULL)
		memcpy(p, train, 5);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n"
	    "Content-Type: application/xml\r\n", ktze_token);
	if (harness_http(dm.port, "POST", "/v1/manifests", hdr, data, len,
	    &r) < 0) {
		free(data);
		return -1;
	}
	status = r.status;
	harness_response_free(&r);
	free(data);
	return status;
}

/*
 * A request with a bearer token and, with a body, its Content-Type; the
 * status (-1: no answer).  r, when given, keeps the response.
 */
static int
request(const char *method, const char *path, const char *token,
    const char *type, const char *body, size_t len,
    struct harness_response *keep)
{
	struct harness_response	r;
	char			hdr[256];
	int			status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s%s%s", token,
	    type != NULL ? "Content-Type: " : "", type != NULL ? type : "",
	    type != NULL ? "\r\n" : "");
	if (harness_http(dm.port, method, path, hdr, body, len, &r) < 0)
		return -1;
	status = r.status;
	if (keep != NULL)
		*keep = r;
	else
		harness_response_free(&r);
	return status;
}

/* Uploads body as type for train's consignment cs (NULL: the train). */
static int
upload(const char *train, const char *code, const char *cs,
    const char *token, const char *type, const char *body, size_t len,
    struct harness_response *keep)
{
	char	path[256];

	snprintf(path, sizeof path, "/v1/trains/%s/documents?code=%s%s%s",
	    train, code, cs != NULL ? "&consignment=" : "", cs != NULL ? cs : "");
	return request("POST", path, token, type, body, len, keep);
}

/* An officer's decision on document id of train; the status. */
static int
decide(const char *train, long long id, const char *verb, const char *token)
{
	char	path[256];
	const char *body = "{\"reason\":\"certificate checked against the "
	    "issuing authority's register\"}";

	snprintf(path, sizeof path, "/v1/trains/%s/documents/%lld/%s", train,
	    id, verb);
	return request("POST", path, token, "application/json", body,
	    strlen(body), NULL);
}

/* The first value of a query as text (owned; "" when none). */
static char *sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *
sql(const char *fmt, ...)
{
	char	q[1024], *v;
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	v = harness_sql(&pg, q);
	return v != NULL ? v : xstrdup("");
}

/* Wagon 2's action in train's current decision. */
static char *
w2_action(const char *train)
{
	return sql("SELECT w->>'action' FROM trains t, json_array_elements("
	    "t.decision->'wagons') w WHERE t.train_no = '%s' AND "
	    "w->>'wagon' = '" W2 "'", train);
}

/* Waits until train has n decisions and none pending. */
static bool
wait_decisions(const char *train, int n)
{
	char	q[512];

	snprintf(q, sizeof q, "SELECT (count(*) = %d AND NOT bool_or("
	    "t.eval_needed))::int FROM decisions d JOIN trains t ON t.id = "
	    "d.train_id WHERE t.train_no = '%s'", n, train);
	return harness_wait_sql(&pg, q, "1", 15000);
}

/* What a refusal must leave alone: the documents and the audit log. */
static char *
stored_counts(void)
{
	return sql("SELECT (SELECT count(*) FROM documents) || '/' || "
	    "(SELECT count(*) FROM audit_log)");
}

/* The id in a document's JSON, or -1. */
static long long
doc_id(const struct harness_response *r)
{
	json_t		*o = json_loads(r->body, 0, NULL);
	long long	 id = -1;

	if (json_is_integer(json_object_get(o, "id")))
		id = json_integer_value(json_object_get(o, "id"));
	json_decref(o);
	return id;
}

static int
documents_suite_init(void)
{
	char	*v;

	/* A body refused from its head may find the socket closed. */
	signal(SIGPIPE, SIG_IGN);
	if (harness_pg_start(&pg) < 0 || harness_daemon_start(&dm, pg.conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator", ktze_token) < 0 ||
	    harness_token(&pg, "operator", "crct.operator", crct_token) < 0 ||
	    harness_token(&pg, "officer", "o.alpha", officer_token) < 0 ||
	    harness_token(&pg, "auditor", "a.one", auditor_token) < 0)
		return -1;
	v = harness_sql(&pg, "UPDATE tokens SET carriers = CASE principal "
	    "WHEN 'ktze.operator' THEN '{KZ-KTZE}'::text[] ELSE "
	    "'{CN-CRCT}'::text[] END WHERE role = 'operator' RETURNING 1");
	free(v);
	if (post_train("X8101") != 202 || post_train("X8102") != 202 ||
	    post_train("X8103") != 202 || post_train("X8024") != 202)
		return -1;
	if (!wait_decisions("X8101", 1) || !wait_decisions("X8102", 1) ||
	    !wait_decisions("X8103", 1) || !wait_decisions("X8024", 1))
		return -1;
	return 0;
}

static int
documents_suite_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/* Runs `railgate ARGS`; its exit status, its stdout in *out (owned). */
static int
run(const char *args, char **out)
{
	struct buf	 b = { 0 };
	char		 cmd[2048], chunk[4096];
	size_t		 n;
	FILE		*p;

	snprintf(cmd, sizeof cmd, "%s/railgate %s", test_build_dir(), args);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&b, chunk, n);
	buf_add(&b, "", 1);
	*out = buf_steal(&b, NULL);
	return WEXITSTATUS(pclose(p));
}

/* The document's bytes come back as an attachment nothing may run. */
static void
check_fetch(const char *train, long long id)
{
	struct harness_response	r;
	char			path[256], h[256];

	snprintf(path, sizeof path, "/v1/trains/%s/documents/%lld", train, id);
	CU_ASSERT_EQUAL(request("GET", path, officer_token, NULL, NULL, 0, &r),
	    200);
	CU_ASSERT_EQUAL(r.body_len, sizeof pdf - 1);
	CU_ASSERT(r.body_len == sizeof pdf - 1 &&
	    memcmp(r.body, pdf, r.body_len) == 0);
	CU_ASSERT_STRING_EQUAL(harness_header(&r, "Content-Type", h,
	    sizeof h) ? h : "", "application/pdf");
	CU_ASSERT_STRING_EQUAL(harness_header(&r, "X-Content-Type-Options", h,
	    sizeof h) ? h : "", "nosniff");
	CU_ASSERT(harness_header(&r, "Content-Disposition", h, sizeof h) &&
	    strncmp(h, "attachment", 10) == 0);
	CU_ASSERT(harness_header(&r, "Content-Security-Policy", h, sizeof h) &&
	    strstr(h, "default-src 'none'") != NULL &&
	    strstr(h, "sandbox") != NULL);
	harness_response_free(&r);
	/* The uploading carrier reads it; another carrier: 404. */
	CU_ASSERT_EQUAL(request("GET", path, ktze_token, NULL, NULL, 0, NULL),
	    200);
	CU_ASSERT_EQUAL(request("GET", path, crct_token, NULL, NULL, 0, NULL),
	    404);
	CU_ASSERT_EQUAL(request("GET", path, auditor_token, NULL, NULL, 0,
	    NULL), 200);
}

/* An 851 accepted by an officer releases the grapes; replay agrees. */
static void
t_documents_accepted_releases(void)
{
	struct harness_response	 r;
	char			*v, *out = NULL, args[1024], h[256], size[24];
	long long		 id;

	v = w2_action("X8101");
	CU_ASSERT_STRING_EQUAL(v, "DOC_CHECK");
	free(v);
	CU_ASSERT_EQUAL_FATAL(upload("X8101", "851", GRAPES, ktze_token,
	    "application/pdf", pdf, sizeof pdf - 1, &r), 201);
	id = doc_id(&r);
	CU_ASSERT(id > 0);
	CU_ASSERT(harness_header(&r, "Location", h, sizeof h) != NULL &&
	    strstr(h, "/documents/") != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"pending\""));
	harness_response_free(&r);
	/* Stored with its SHA-256, audited with it. */
	snprintf(size, sizeof size, "%zu", sizeof pdf - 1);
	v = sql("SELECT (d.sha256 = encode(sha256(d.content), 'hex') AND "
	    "d.size = %s AND EXISTS (SELECT 1 FROM audit_log a WHERE a.action = "
	    "'document.uploaded' AND a.details::json->>'sha256' = d.sha256 AND "
	    "a.actor = 'ktze.operator'))::int FROM documents d JOIN trains t ON "
	    "t.id = d.train_id WHERE t.train_no = 'X8101'", size);
	CU_ASSERT_STRING_EQUAL(v, "1");
	free(v);
	check_fetch("X8101", id);
	/* Pending changes nothing. */
	v = w2_action("X8101");
	CU_ASSERT_STRING_EQUAL(v, "DOC_CHECK");
	free(v);
	/* An operator may not decide; an officer accepts. */
	CU_ASSERT_EQUAL(decide("X8101", id, "accept", ktze_token), 403);
	CU_ASSERT_EQUAL(decide("X8101", id, "accept", officer_token), 200);
	CU_ASSERT_EQUAL(decide("X8101", id, "reject", officer_token), 409);
	CU_ASSERT_FATAL(wait_decisions("X8101", 2));
	v = w2_action("X8101");
	CU_ASSERT_STRING_EQUAL(v, "RELEASE");
	free(v);
	v = sql("SELECT decision->>'decision' FROM trains WHERE train_no = "
	    "'%s'", "X8101");
	CU_ASSERT_STRING_EQUAL(v, "RELEASE");
	free(v);
	v = sql("SELECT count(*) FROM audit_log WHERE action = "
	    "'document.accepted' AND actor = '%s'", "o.alpha");
	CU_ASSERT_STRING_EQUAL(v, "1");
	free(v);
	/* The auditor's replay makes the same decisions again. */
	snprintf(args, sizeof args, "replay --dsn '%s' --train X8101", pg.dsn);
	CU_ASSERT_EQUAL(run(args, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "all identical") :
	    NULL);
	if (out != NULL && strstr(out, "all identical") == NULL)
		fputs(out, stderr);
	free(out);
}

/* A rejected 851 leaves the grapes at DOC_CHECK, evaluated again. */
static void
t_documents_rejected_stays(void)
{
	struct harness_response	 r;
	const char		*ev = "{\"type\":\"weighbridge\",\"wagon\":\""
				    W2 "\",\"gross_kg\":47450}";
	char			*v;
	long long		 id;

	CU_ASSERT_EQUAL_FATAL(upload("X8102", "851", GRAPES, ktze_token,
	    "application/pdf", pdf, sizeof pdf - 1, &r), 201);
	id = doc_id(&r);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(decide("X8102", id, "reject", officer_token), 200);
	CU_ASSERT_EQUAL(decide("X8102", id, "accept", officer_token), 409);
	/* Something else makes the rules look again. */
	CU_ASSERT_EQUAL(request("POST", "/v1/trains/X8102/events",
	    officer_token, "application/json", ev, strlen(ev), NULL), 202);
	CU_ASSERT_FATAL(wait_decisions("X8102", 2));
	v = w2_action("X8102");
	CU_ASSERT_STRING_EQUAL(v, "DOC_CHECK");
	free(v);
	v = sql("SELECT count(*) FROM events e JOIN trains t ON t.id = "
	    "e.train_id WHERE t.train_no = '%s' AND e.type = 'document'",
	    "X8102");
	CU_ASSERT_STRING_EQUAL(v, "0");
	free(v);
	/* The operator sees its document rejected, and why; not by whom. */
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8102/documents",
	    ktze_token, NULL, NULL, 0, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"rejected\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "issuing authority"));
	CU_ASSERT_PTR_NULL(strstr(r.body, "o.alpha"));
	harness_response_free(&r);
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8102/documents",
	    officer_token, NULL, NULL, 0, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "o.alpha"));
	harness_response_free(&r);
}

/*
 * A head announcing more than 20 MiB, the body never sent: the status
 * and body of the answer (owned), "" when none came.
 */
static int
announce_only(const char *path, size_t len, char **body)
{
	struct buf	 raw = { 0 };
	char		*head;
	ssize_t		 n;
	int		 fd, status = -1;

	*body = xstrdup("");
	if ((fd = harness_connect(dm.port)) < 0)
		return -1;
	head = xasprintf("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: "
	    "close\r\nAuthorization: Bearer %s\r\nContent-Type: "
	    "application/pdf\r\nContent-Length: %zu\r\n\r\n%s", path,
	    ktze_token, len, pdf);
	if (write(fd, head, strlen(head)) < 0)
		status = -1;
	free(head);
	for (;;) {
		buf_reserve(&raw, 4096);
		n = read(fd, raw.data + raw.len, raw.cap - raw.len - 1);
		if (n <= 0)
			break;
		raw.len += (size_t)n;
		raw.data[raw.len] = '\0';
	}
	close(fd);
	if (raw.len > 12 && sscanf(raw.data, "HTTP/1.1 %d", &status) == 1 &&
	    strstr(raw.data, "\r\n\r\n") != NULL) {
		free(*body);
		*body = xstrdup(strstr(raw.data, "\r\n\r\n") + 4);
	}
	buf_free(&raw);
	return status;
}

/* Over 20 MiB: 413, a problem document, nothing stored. */
static void
t_documents_too_large(void)
{
	struct harness_response	 r;
	char			*before, *after, *body, h[128];
	char			*big;

	before = stored_counts();
	CU_ASSERT_EQUAL(announce_only("/v1/trains/X8103/documents?code=851&"
	    "consignment=" GRAPES, (size_t)DOC_MAX + 1, &body), 413);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"status\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "20 MiB"));
	free(body);
	/* The whole body sent: refused all the same. */
	big = xmalloc((size_t)DOC_MAX + 1);
	memset(big, ' ', (size_t)DOC_MAX + 1);
	memcpy(big, pdf, sizeof pdf - 1);
	if (upload("X8103", "851", GRAPES, ktze_token, "application/pdf", big,
	    (size_t)DOC_MAX + 1, &r) > 0) {
		CU_ASSERT_EQUAL(r.status, 413);
		CU_ASSERT_STRING_EQUAL(harness_header(&r, "Content-Type", h,
		    sizeof h) ? h : "", "application/problem+json");
		harness_response_free(&r);
	}
	/* Exactly 20 MiB is a document. */
	CU_ASSERT_EQUAL(upload("X8103", "911", NULL, ktze_token,
	    "application/pdf", big, (size_t)DOC_MAX, NULL), 201);
	free(big);
	/* The 413s stored nothing: one document more, one record more. */
	after = sql("SELECT (SELECT count(*) FROM documents) - 1 || '/' || "
	    "(SELECT count(*) FROM audit_log) - 1");
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
}

/* What is not a PDF, JPEG or PNG: 415, nothing stored. */
static void
t_documents_wrong_type(void)
{
	static const char gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00";
	static const char text[] = "This is a phytosanitary certificate.\n";
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	char	*before = stored_counts(), *after;

	CU_ASSERT_EQUAL(upload("X8103", "851", GRAPES, ktze_token,
	    "application/pdf", gif, sizeof gif - 1, NULL), 415);
	CU_ASSERT_EQUAL(upload("X8103", "851", GRAPES, ktze_token,
	    "application/pdf", text, sizeof text - 1, NULL), 415);
	CU_ASSERT_EQUAL(upload("X8103", "851", GRAPES, ktze_token,
	    "image/gif", gif, sizeof gif - 1, NULL), 415);
	CU_ASSERT_EQUAL(upload("X8103", "851", GRAPES, ktze_token,
	    "image/jpeg", png, sizeof png - 1, NULL), 415);
	CU_ASSERT_EQUAL(upload("X8103", "851", GRAPES, ktze_token,
	    NULL, pdf, sizeof pdf - 1, NULL), 415);
	/* A code that is not three digits. */
	CU_ASSERT_EQUAL(upload("X8103", "85", GRAPES, ktze_token,
	    "application/pdf", pdf, sizeof pdf - 1, NULL), 422);
	CU_ASSERT_EQUAL(upload("X8103", "85a", GRAPES, ktze_token,
	    "application/pdf", pdf, sizeof pdf - 1, NULL), 422);
	after = stored_counts();
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
}

/* Another carrier's train, an unknown consignment: 404, nothing stored. */
static void
t_documents_not_found(void)
{
	struct harness_response	 r;
	char	*before = stored_counts(), *after;

	CU_ASSERT_EQUAL(upload("X8103", "851", GRAPES, crct_token,
	    "application/pdf", pdf, sizeof pdf - 1, &r), 404);
	/* The same answer as for no train at all. */
	CU_ASSERT_PTR_NULL(strstr(r.body, "KZ-KTZE"));
	harness_response_free(&r);
	CU_ASSERT_EQUAL(upload("NOPE1", "851", NULL, ktze_token,
	    "application/pdf", pdf, sizeof pdf - 1, NULL), 404);
	CU_ASSERT_EQUAL(upload("X8103", "851", "SMGS%2099999999", ktze_token,
	    "application/pdf", pdf, sizeof pdf - 1, &r), 404);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "SMGS 99999999"));
	harness_response_free(&r);
	/* Only an operator uploads. */
	CU_ASSERT_EQUAL(upload("X8103", "851", GRAPES, officer_token,
	    "application/pdf", pdf, sizeof pdf - 1, NULL), 403);
	after = stored_counts();
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	/* Another carrier reads no list of it either. */
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8103/documents",
	    crct_token, NULL, NULL, 0, NULL), 404);
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8103/documents",
	    ktze_token, NULL, NULL, 0, NULL), 200);
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8103/documents/99999",
	    officer_token, NULL, NULL, 0, NULL), 404);
	CU_ASSERT_EQUAL(request("GET", "/v1/trains/X8103/documents/0x1",
	    officer_token, NULL, NULL, 0, NULL), 404);
}

/* docs/documents.md: its examples, run as written. */
static void
t_documents_page_examples(void)
{
	char	url[64], op[128], off[128], *failure = NULL;
	const char *env[] = { url, op, off, NULL };

	snprintf(url, sizeof url, "RAILGATE_URL=http://127.0.0.1:%d", dm.port);
	snprintf(op, sizeof op, "OPERATOR_TOKEN=%s", ktze_token);
	snprintf(off, sizeof off, "OFFICER_TOKEN=%s", officer_token);
	CU_ASSERT_EQUAL(harness_docs_run("docs/documents.md", env, &failure),
	    0);
	if (failure != NULL)
		fprintf(stderr, "\n%s\n", failure);
	free(failure);
}

/* On a train whose decision is final, accepting changes nothing: 409. */
static void
t_documents_final_train(void)
{
	struct harness_response	 r;
	const char		*body = "{\"reason\":\"checked\"}";
	long long		 id;

	CU_ASSERT_EQUAL_FATAL(request("POST", "/v1/trains/X8101/approve",
	    officer_token, "application/json", body, strlen(body), NULL), 200);
	CU_ASSERT_EQUAL_FATAL(upload("X8101", "853", GRAPES, ktze_token,
	    "application/pdf", pdf, sizeof pdf - 1, &r), 201);
	id = doc_id(&r);
	harness_response_free(&r);
	CU_ASSERT_EQUAL(decide("X8101", id, "accept", officer_token), 409);
	CU_ASSERT_EQUAL(decide("X8101", id, "reject", officer_token), 200);
}

/* Every decision of the suite's trains, made again, is the same. */
static void
t_documents_replay_all(void)
{
	char	args[1024], *out = NULL;

	snprintf(args, sizeof args, "replay --dsn '%s' --all", pg.dsn);
	CU_ASSERT_EQUAL(run(args, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "all identical") :
	    NULL);
	CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "audit chain: "
	    "intact") : NULL);
	if (out != NULL && strstr(out, "all identical") == NULL)
		fputs(out, stderr);
	free(out);
}

static CU_TestInfo documents_tests[] = {
	{ "t_documents_accepted_releases", t_documents_accepted_releases },
	{ "t_documents_rejected_stays", t_documents_rejected_stays },
	{ "t_documents_too_large", t_documents_too_large },
	{ "t_documents_wrong_type", t_documents_wrong_type },
	{ "t_documents_not_found", t_documents_not_found },
	{ "t_documents_page_examples", t_documents_page_examples },
	{ "t_documents_final_train", t_documents_final_train },
	{ "t_documents_replay_all", t_documents_replay_all },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_documents", documents_suite_init,
    documents_suite_clean, documents_tests);
