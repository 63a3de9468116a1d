/*
 * test_failclosed_daemon.c -- issue 17's cases through the real daemon
 * and PostgreSQL, as users meet them (integration_failclosed_daemon).
 *
 * Each case of fixtures/failclosed/ (see tests/unit/test_failclosed.c,
 * which decides them with `railgate check`'s engine) goes in over HTTP:
 * the manifest posted by an operator; its events by who would post them
 * -- a weighbridge, scanner or seal reader with its own `device` token,
 * a re-weigh by an officer; its neighbour report as the neighbouring
 * service sends it, a signed control_results message over mutual TLS to
 * the daemon's peer listener.  The decision document the daemon serves
 * (GET /v1/trains/{id}/decision) must be the fixture's, member for
 * member, but for what legitimately differs (fc_normalise).  Then the
 * officer's way out for goods on no wagon, with the train hits written
 * by the engine; the weighbridge through the API; a truncated manifest
 * refused at intake with nothing stored.
 */
#include <sys/socket.h>

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
#include "rules/eval.h"
#include "rules/rules.h"

#include "harness.h"
#include "officers.h"
#include "unit.h"

#define FC_DIR		"failclosed/"
#define FC_US		"CN-ALASHANKOU-CUSTOMS"
#define FC_NEIGHBOUR	"KZ-DOSTYK-CUSTOMS"	/* the fixtures' "service" */
#define FC_CLEAN_TRAIN	"X8107"			/* clean.edi's number */

struct fc_case {
	const char	*name;		/* FC_DIR name.decision.json expected */
	const char	*manifest;
	const char	*events;	/* NULL: none */
	const char	*neighbour;	/* NULL: none */
	char		 train[6];	/* posted as; "": fc_pick_train's */
};

/* The cases of tests/unit/test_failclosed.c.  Those on clean.edi are
 * posted under a number each (fc_pick_train): one number is one train. */
static struct fc_case fc_cases[] = {
	{ "unplaced-listed", "unplaced-listed.edi", NULL, NULL, "X8101" },
	{ "container-no-wagon", "container-no-wagon.edi", NULL, NULL,
	    "X8102" },
	{ "hs-missing", "hs-missing.edi", NULL, NULL, "X8103" },
	{ "duplicate-wagon", "duplicate-wagon.edi", NULL, NULL, "X8104" },
	{ "unt-count", "unt-count.edi", NULL, NULL, "X8105" },
	{ "not-rail", "not-rail.edi", NULL, NULL, "X8106" },
	{ "scan-suspect-container", "clean.edi",
	    "scan-suspect-container.events.json", NULL, "" },
	{ "scan-suspect-wagon", "clean.edi", "scan-suspect-wagon.events.json",
	    NULL, "" },
	{ "seal-check-number", "clean.edi", "seal-check-number.events.json",
	    NULL, "" },
	{ "seal-check-missing", "clean.edi", "seal-check-missing.events.json",
	    NULL, "" },
	{ "weighbridge-lighter", "clean.edi", "weighbridge-lighter.events.json",
	    NULL, "" },
	{ "neighbour-scanned-suspect", "clean.edi", NULL,
	    "neighbour-scanned-suspect.neighbour.json", "" },
	{ "neighbour-seal-broken", "clean.edi", NULL,
	    "neighbour-seal-broken.neighbour.json", "" },
	{ "neighbour-held", "clean.edi", NULL, "neighbour-held.neighbour.json",
	    "" },
	{ "clean", "clean.edi", NULL, NULL, FC_CLEAN_TRAIN },
};

/* The instruments: one device token each, made when first used. */
struct fc_device {
	char	name[32];
	char	token[64];
};

static struct harness_pg	 pg;
static struct harness_daemon	 dm;
static char			 pki[256];
static int			 peer_listen;
static struct sign_key		*nb_signing;	/* the neighbour's key */
static char			 operator_tok[64], officer_tok[64];
static char			 sup1_tok[64], sup2_tok[64], auditor_tok[64];
static struct fc_device		 devices[8];
static struct rules_ruleset	*fc_rs;		/* the daemon's rule set */
static size_t			 ndevices;

/*
 * A number for a train of clean.edi (into out): the next X82nn whose
 * wagons the `random` rule does not draw.  The draw is SHA-256 of the
 * rule set's hash, the train number and the wagon (rules_eval_draw), so
 * a renumbered train could be sampled for inspection where the
 * fixture's X8107 is not; this keeps the comparison about the defects
 * whatever the rule set's hash becomes.
 */
static void
fc_pick_train(char out[6])
{
	static int		 next = 8201;
	static const char	*wagons[] = { "315279550018", "315279550026" };
	size_t			 i;
	bool			 drawn;

	do {
		snprintf(out, 6, "X%04d", next++);
		for (i = 0, drawn = false; i < nitems(wagons); i++)
			drawn |= rules_eval_draw(fc_rs, out, wagons[i],
			    "random") < 0.05;
	} while (drawn);
}

static int
fc_init(void)
{
	struct diag_list	 diags;
	char			 cmd[512], path[300], *conf, *cause = NULL;
	size_t			 i;
	int			 rc;

	diag_list_init(&diags, 0);
	fc_rs = rules_ruleset_load("etc/rules/default", &diags);
	diag_list_clear(&diags);
	if (fc_rs == NULL)
		return -1;
	for (i = 0; i < nitems(fc_cases); i++)
		if (fc_cases[i].train[0] == '\0')
			fc_pick_train(fc_cases[i].train);
	signal(SIGPIPE, SIG_IGN);
	snprintf(pki, sizeof pki, "/tmp/railgate-fcpki.XXXXXX");
	if (mkdtemp(pki) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "scripts/border-pki.sh %s " FC_US " "
	    FC_NEIGHBOUR, pki);
	if (system(cmd) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/" FC_NEIGHBOUR "/signing.pem", pki);
	if ((nb_signing = sign_key_load(path, 0, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	if (harness_pg_start(&pg) < 0)
		return -1;
	peer_listen = harness_free_port();
	/* The neighbour's own listener is not there: what we send back
	 * waits in the outbox, which is not what these tests look at. */
	conf = xasprintf("%s[peer]\nname = " FC_US "\nneighbour = " FC_NEIGHBOUR
	    "\nurl = https://127.0.0.1:%d\nlisten = 127.0.0.1:%d\n"
	    "cert_file = %s/" FC_US "/cert.pem\nkey_file = %s/" FC_US
	    "/key.pem\nca_file = %s/" FC_NEIGHBOUR "/ca.pem\npublic_key = %s/"
	    FC_NEIGHBOUR "/signing.pub.pem\nsigning_key = %s/" FC_US
	    "/signing.pem\nretry_base_ms = 1000\nretry_max_s = 60\n", pg.conf,
	    harness_free_port(), peer_listen, pki, pki, pki, pki, pki);
	rc = harness_daemon_start(&dm, conf);
	free(conf);
	if (rc < 0 ||
	    harness_token(&pg, "operator", "ktze.operator", operator_tok) < 0 ||
	    harness_token(&pg, "officer", "o.fc", officer_tok) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup1_tok) < 0 ||
	    harness_token(&pg, "supervisor", "s.two", sup2_tok) < 0 ||
	    harness_token(&pg, "auditor", "a.fc", auditor_tok) < 0)
		return -1;
	return 0;
}

static int
fc_clean(void)
{
	char	cmd[300];

	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	sign_key_free(nb_signing);
	rules_ruleset_unref(fc_rs);
	snprintf(cmd, sizeof cmd, "rm -rf %s", pki);
	return system(cmd) == 0 ? 0 : -1;
}

/* The token of instrument name, its device token made on first use. */
static const char *
device_token(const char *name)
{
	size_t	i;

	for (i = 0; i < ndevices; i++)
		if (strcmp(devices[i].name, name) == 0)
			return devices[i].token;
	CU_ASSERT_FATAL(ndevices < nitems(devices));
	snprintf(devices[ndevices].name, sizeof devices[0].name, "%s", name);
	CU_ASSERT_FATAL(harness_token(&pg, "device", name,
	    devices[ndevices].token) == 0);
	return devices[ndevices++].token;
}

/* Posts manifest bytes to /v1/manifests as the operator; the status
 * (-1: no answer), the reply's body in *reply (owned). */
static int
post_manifest(const char *data, size_t len, char **reply)
{
	struct harness_response	r;
	char			hdr[128];
	int			st;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
	    operator_tok);
	*reply = NULL;
	if (harness_http(dm.port, "POST", "/v1/manifests", hdr, data, len,
	    &r) < 0)
		return -1;
	st = r.status;
	*reply = xstrdup(r.body != NULL ? r.body : "");
	harness_response_free(&r);
	return st;
}

/* POSTs the JSON text json to .../path of train as token; the status. */
static int
train_post(const char *token, const char *train, const char *what,
    const char *json, char **reply)
{
	char	path[160];

	snprintf(path, sizeof path, "/v1/trains/%s/%s", train, what);
	return officers_call(dm.port, token, "POST", path, json, reply);
}

/* The case's manifest under its train number (owned), its SHA-256. */
static char *
fc_manifest(const struct fc_case *c, size_t *len, char sha[65])
{
	char	rel[128], *data, *p;

	snprintf(rel, sizeof rel, FC_DIR "%s", c->manifest);
	data = test_read_fixture(rel, len);
	for (p = data; (p = strstr(p, FC_CLEAN_TRAIN)) != NULL; p += 5)
		memcpy(p, c->train, 5);
	sha256_hex(data, *len, sha);
	return data;
}

/*
 * Posts the case's events as their authors would: a re-weigh by an
 * officer; every other reading by its instrument's device token (the
 * device the event names, else one scanner and one seal reader).
 */
static void
fc_post_events(const struct fc_case *c)
{
	char		 rel[128], *text, *json, *reply = NULL;
	const char	*dev, *type, *token;
	json_t		*a, *ev;
	size_t		 len, i;
	int		 st;

	snprintf(rel, sizeof rel, FC_DIR "%s", c->events);
	text = test_read_fixture(rel, &len);
	a = json_loadb(text, len, 0, NULL);
	CU_ASSERT_FATAL(json_is_array(a));
	json_array_foreach(a, i, ev) {
		type = json_string_value(json_object_get(ev, "type"));
		dev = json_string_value(json_object_get(ev, "device"));
		if (json_is_true(json_object_get(ev, "reweigh")))
			token = officer_tok;
		else
			token = device_token(dev != NULL ? dev :
			    strcmp(type, "scan") == 0 ? "SCAN-ALA-1" :
			    "SEAL-ALA-1");
		json = json_dumps(ev, JSON_COMPACT);
		st = train_post(token, c->train, "events", json, &reply);
		if (st != 202)
			fprintf(stderr, "\n%s: %s: %d %s\n", c->name, json, st,
			    reply);
		CU_ASSERT_EQUAL(st, 202);
		free(json);
		free(reply);
	}
	json_decref(a);
	free(text);
}

/* A TLS connection to the peer listener as the neighbour, or NULL. */
static SSL *
nb_connect(SSL_CTX **ctx)
{
	char			 cert[300], key[300], ca[300], *cause = NULL;
	struct tls_config	 tc = { cert, key, ca };
	struct sockaddr_in	 sa;
	struct timeval		 tv = { 5, 0 };
	SSL			*ssl;
	int			 fd;

	snprintf(cert, sizeof cert, "%s/" FC_NEIGHBOUR "/cert.pem", pki);
	snprintf(key, sizeof key, "%s/" FC_NEIGHBOUR "/key.pem", pki);
	snprintf(ca, sizeof ca, "%s/" FC_US "/ca.pem", pki);
	if ((*ctx = tls_client_ctx_new(&tc, &cause)) == NULL) {
		fprintf(stderr, "\n%s\n", cause);
		free(cause);
		return NULL;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)peer_listen);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ssl = SSL_new(*ctx);
	SSL_set_fd(ssl, fd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		close(fd);
		return NULL;
	}
	return ssl;
}

/* Sends sealed message m to the peer listener; the HTTP status. */
static int
nb_send(const struct peer_sealed *m)
{
	struct buf	 in = { 0 };
	SSL_CTX		*ctx = NULL;
	SSL		*ssl;
	char		*req;
	int		 n, status = -1;

	if ((ssl = nb_connect(&ctx)) == NULL) {
		SSL_CTX_free(ctx);
		return -1;
	}
	req = xasprintf("POST /v1/peer/messages HTTP/1.1\r\nHost: peer\r\n"
	    "Connection: close\r\nContent-Type: application/json\r\n"
	    "Content-Encoding: gzip\r\n%s: %s\r\n%s: %s\r\n%s: %lld\r\n"
	    "%s: %s\r\n%s: %s\r\nContent-Length: %zu\r\n\r\n", PEER_HDR_ID,
	    m->id, PEER_HDR_TYPE, m->type, PEER_HDR_TIMESTAMP,
	    (long long)m->timestamp, PEER_HDR_SENDER, m->sender,
	    PEER_HDR_SIGNATURE, m->signature, m->len);
	SSL_write(ssl, req, (int)strlen(req));
	SSL_write(ssl, m->body, (int)m->len);
	free(req);
	for (;;) {
		buf_reserve(&in, 4096);
		if ((n = SSL_read(ssl, in.data + in.len, (int)(in.cap - in.len -
		    1))) <= 0)
			break;
		in.len += (size_t)n;
	}
	if (in.len > 0) {
		in.data[in.len] = '\0';
		if (strncmp(in.data, "HTTP/1.1 ", 9) == 0)
			status = atoi(in.data + 9);
		if (status != 200)
			fprintf(stderr, "\npeer: %s\n", in.data);
	}
	close(SSL_get_fd(ssl));
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	buf_free(&in);
	return status;
}

/*
 * The case's neighbour report as the neighbour sends it: its members in
 * a control_results envelope for the train, signed with the neighbour's
 * key, over mutual TLS.
 */
static void
fc_post_neighbour(const struct fc_case *c)
{
	struct peer_sealed	 m = { 0 };
	char			 rel[128], id[37], *text, *json;
	json_t			*o;
	size_t			 len;

	snprintf(rel, sizeof rel, FC_DIR "%s", c->neighbour);
	text = test_read_fixture(rel, &len);
	o = json_loadb(text, len, 0, NULL);
	CU_ASSERT_FATAL(json_is_object(o));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o,
	    "service")), FC_NEIGHBOUR);
	json_object_set_new(o, "train", json_string(c->train));
	if (json_object_get(o, "seals") == NULL)
		json_object_set_new(o, "seals", json_array());
	if (json_object_get(o, "controls") == NULL)
		json_object_set_new(o, "controls", json_array());
	json = json_dumps(o, JSON_COMPACT);
	peer_msg_new_id(id);
	CU_ASSERT_EQUAL_FATAL(peer_msg_seal(nb_signing, FC_NEIGHBOUR,
	    PEER_CONTROL_RESULTS, id, (int64_t)time(NULL), json, strlen(json),
	    &m), 0);
	CU_ASSERT_EQUAL(nb_send(&m), 200);
	peer_sealed_clear(&m);
	free(json);
	json_decref(o);
	free(text);
}

/* The daemon's decision document of train (owned JSON), or NULL. */
static json_t *
fc_served(const char *train)
{
	char	 path[128], *reply = NULL;
	json_t	*d = NULL;

	snprintf(path, sizeof path, "/v1/trains/%s/decision", train);
	if (officers_call(dm.port, officer_tok, "GET", path, NULL,
	    &reply) == 200)
		d = json_loads(reply, 0, NULL);
	else
		fprintf(stderr, "\nGET %s: %s\n", path, reply != NULL ?
		    reply : "(no answer)");
	free(reply);
	return d;
}

/*
 * What legitimately differs between the daemon's document and the
 * fixture's, set to the fixture's after checking what it must be:
 * - "timing": the daemon measures its parse and evaluation (the
 *   fixtures are written without it);
 * - "train" and "manifest_sha256" of a case posted under another train
 *   number (clean.edi renumbered, so each case is a train of its own):
 *   the posted number and the SHA-256 of the bytes posted.
 * Everything else -- outcome, counts, every hit with its reason,
 * would_pass_if and subject, set_out, diagnostics, the rule set's
 * hash -- is compared as it is.
 */
static void
fc_normalise(json_t *got, const json_t *want, const struct fc_case *c,
    const char *sha)
{
	CU_ASSERT(json_is_object(json_object_get(got, "timing")));
	json_object_del(got, "timing");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(got,
	    "train")), c->train);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(got,
	    "manifest_sha256")), sha);
	json_object_set(got, "train", json_object_get(want, "train"));
	json_object_set(got, "manifest_sha256", json_object_get(want,
	    "manifest_sha256"));
}

/* The expected document of case c (owned). */
static json_t *
fc_expected(const struct fc_case *c)
{
	char	 rel[128], *text;
	size_t	 len;
	json_t	*j;

	snprintf(rel, sizeof rel, FC_DIR "%s.decision.json", c->name);
	text = test_read_fixture(rel, &len);
	j = json_loadb(text, len, 0, NULL);
	free(text);
	return j;
}

/* Posts case c's manifest as the operator: the status. */
static int
fc_post_manifest(const struct fc_case *c, char sha[65])
{
	char	*data, *reply = NULL;
	size_t	 len;
	int	 st;

	data = fc_manifest(c, &len, sha);
	st = post_manifest(data, len, &reply);
	if (st != 202)
		fprintf(stderr, "\n%s: %d %s\n", c->name, st, reply);
	free(reply);
	free(data);
	return st;
}

/*
 * Every case through the daemon: posted, its evidence sent by its
 * authors, decided as its fixture says; none released but clean.edi.
 */
static void
t_fc_cases_as_fixtures(void)
{
	struct fc_case		*c;
	char			 sha[65], *a, *b;
	json_t			*got, *want;
	size_t			 i;

	for (i = 0; i < nitems(fc_cases); i++) {
		c = &fc_cases[i];
		CU_ASSERT_EQUAL_FATAL(fc_post_manifest(c, sha), 202);
		CU_ASSERT_FATAL(officers_decided(&pg, c->train));
		if (c->events != NULL)
			fc_post_events(c);
		if (c->neighbour != NULL)
			fc_post_neighbour(c);
	}
	for (i = 0; i < nitems(fc_cases); i++) {
		c = &fc_cases[i];
		CU_ASSERT_FATAL(officers_decided(&pg, c->train));
		free(fc_manifest(c, &(size_t){ 0 }, sha));
		want = fc_expected(c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(want);
		if ((got = fc_served(c->train)) == NULL) {
			CU_FAIL("no decision served");
			json_decref(want);
			continue;
		}
		fc_normalise(got, want, c, sha);
		if (!json_equal(got, want)) {
			a = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
			b = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
			fprintf(stderr, "\n%s differs:\n  want %s\n  got  %s\n",
			    c->name, a, b);
			free(a);
			free(b);
			CU_FAIL("the daemon's decision is not the fixture's");
		}
		CU_ASSERT((strcmp(c->name, "clean") == 0) == (strcmp(
		    json_string_value(json_object_get(got, "decision")),
		    "RELEASE") == 0));
		json_decref(got);
		json_decref(want);
	}
}

#define UL_TRAIN	"X8101"		/* unplaced-listed.edi */
#define UL_CONS		"SMGS 24170099"	/* ivory (item 1), rifles (item 2) */
#define UL_WAGON1	"315279550018"
#define UL_WAGON2	"315279550026"

/* POST .../goods/resolution as token; asserts the status and that the
 * reply holds want. */
#define FC_GOODS(token, json, want_status, want) do {			\
	char *b_ = NULL;						\
	int s_ = train_post((token), UL_TRAIN, "goods/resolution",	\
	    (json), &b_);						\
	bool ok_ = b_ != NULL && strstr(b_, (want)) != NULL;		\
	if (s_ != (want_status) || !ok_)				\
		fprintf(stderr, "\n%s:%d: %d %s\n", __FILE__, __LINE__,	\
		    s_, b_ != NULL ? b_ : "(no answer)");		\
	CU_ASSERT_EQUAL(s_, (want_status));				\
	CU_ASSERT_TRUE(ok_);						\
	free(b_);							\
} while (0)

/* As FC_GOODS, by an officer (403), then proposed by one supervisor and
 * confirmed by another (200). */
#define FC_GOODS_AGREED(json, want) do {				\
	char *ab_ = NULL;						\
	int as_;							\
	FC_GOODS(officer_tok, (json), 403, "Supervisor needed");	\
	as_ = officers_goods_agreed(dm.port, sup1_tok, sup2_tok, UL_TRAIN, \
	    (json), &ab_);						\
	if (as_ != 200 || ab_ == NULL || strstr(ab_, (want)) == NULL)	\
		fprintf(stderr, "\n%s:%d: %d %s\n", __FILE__, __LINE__,	\
		    as_, ab_ != NULL ? ab_ : "(no answer)");		\
	CU_ASSERT_EQUAL(as_, 200);					\
	CU_ASSERT(ab_ != NULL && strstr(ab_, (want)) != NULL);		\
	free(ab_);							\
} while (0)

/* train's final decision as "outcome|final|train hits|set out|wagon 1
 * action:rules|wagon 2 action:rules" (owned). */
static char *
fc_final_shape(const char *train)
{
	return officers_sql(&pg, "SELECT (d->>'decision') || '|' || (d->>"
	    "'final') || '|' || json_array_length(d->'train_hits') || '|' || "
	    "(SELECT coalesce(string_agg((s->>'position') || ':' || (s->>"
	    "'action'), ','), '') FROM json_array_elements(d->'set_out') s) "
	    "|| (SELECT string_agg('|' || (w->>'action') || ':' || (SELECT "
	    "coalesce(string_agg(h->>'rule', ',' ORDER BY n), '') FROM "
	    "json_array_elements(coalesce(w->'hits', '[]')) WITH ORDINALITY "
	    "AS x(h, n)), '' ORDER BY m) FROM json_array_elements(d->'wagons') "
	    "WITH ORDINALITY AS y(w, m)) FROM (SELECT decision AS d FROM "
	    "trains WHERE train_no = '%s') t", train);
}

/*
 * The officer's way out for goods on no wagon, on the train hits the
 * engine wrote (unplaced-listed: ivory and rifles of a listed party on
 * no wagon, HOLD).  The rifles cannot be corrected away (409: their
 * licence hit is at HOLD); an officer locates them on wagon 1 and the
 * ivory on wagon 2.  Wagon 1 now carries the licence and sanctions
 * HOLDs, so four eyes keep it: an officer's release is 403, a
 * supervisor's only a proposal.  Wagon 2 carries the ivory's document
 * check, which an officer does.  Approval moves every goods hit to its
 * wagon: no train hit is left, and the train is partially released with
 * wagon 1 set out at HOLD -- no longer held for its goods.  Released
 * later, by a supervisor's proposal that a second supervisor confirms,
 * the final decision is amended to RELEASE.  (Until the default rule set
 * stopped holding on ITEM_NOT_PLACED in blocking-diagnostic, that hit,
 * naming no goods, kept the train at HOLD for good however officers
 * placed the goods: a corrected manifest was the only way out.)
 */
static void
t_fc_goods_located(void)
{
	char	*v;

	CU_ASSERT_FATAL(officers_decided(&pg, UL_TRAIN));
	OFFICERS_CHECK_SQL(&pg, "evaluated/HOLD/false", OFFICERS_TRAIN_STATE,
	    UL_TRAIN);
	FC_GOODS(officer_tok, "{\"consignment\": \"" UL_CONS "\", \"item\": 2, "
	    "\"resolution\": \"corrected\", \"reason\": \"not on the train\"}",
	    409, "Goods must be located");
	OFFICERS_CHECK_SQL(&pg, "0", "SELECT count(*) FROM goods_resolutions");
	FC_GOODS_AGREED("{\"consignment\": \"" UL_CONS "\", \"item\": 2, "
	    "\"resolution\": \"located\", \"wagon\": \"" UL_WAGON1 "\", "
	    "\"reason\": \"rifles found in wagon 1\"}",
	    "\"action\" : \"HOLD\"");
	FC_GOODS_AGREED("{\"consignment\": \"" UL_CONS "\", \"item\": 1, "
	    "\"resolution\": \"located\", \"wagon\": \"" UL_WAGON2 "\", "
	    "\"reason\": \"ivory found in wagon 2\"}",
	    "\"action\" : \"DOC_CHECK\"");
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, UL_TRAIN,
	    UL_WAGON1);
	OFFICERS_CHECK_SQL(&pg, "DOC_CHECK", OFFICERS_WAGON_NOW, UL_TRAIN,
	    UL_WAGON2);

	/* Four eyes on the goods' HOLD. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_tok, UL_TRAIN,
	    UL_WAGON1, "release", NULL), 403);
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_tok, UL_TRAIN,
	    UL_WAGON1, "release", NULL), 202);
	OFFICERS_CHECK_SQL(&pg, "HOLD", OFFICERS_WAGON_NOW, UL_TRAIN,
	    UL_WAGON1);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup1_tok, UL_TRAIN,
	    UL_WAGON1, "reject", NULL), 200);
	/* The ivory's documents checked; the train approved. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_tok, UL_TRAIN,
	    UL_WAGON2, "release", NULL), 200);
	CU_ASSERT_EQUAL_FATAL(officers_approve(dm.port, officer_tok, UL_TRAIN,
	    NULL), 200);
	OFFICERS_CHECK_SQL(&pg, "partially_released/PARTIAL_RELEASE/true",
	    OFFICERS_TRAIN_STATE, UL_TRAIN);
	v = fc_final_shape(UL_TRAIN);
	CU_ASSERT_STRING_EQUAL(v, "PARTIAL_RELEASE|true|0|1:HOLD"
	    "|HOLD:licence,sanctions,unplaced-goods|RELEASE:unplaced-goods");
	free(v);

	/* Wagon 1 released after all: one supervisor proposes, another
	 * confirms (the proposer may not); the final decision follows. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup1_tok, UL_TRAIN,
	    UL_WAGON1, "release", NULL), 202);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup1_tok, UL_TRAIN,
	    UL_WAGON1, "confirm", NULL), 403);
	CU_ASSERT_EQUAL(officers_override(dm.port, sup2_tok, UL_TRAIN,
	    UL_WAGON1, "confirm", NULL), 200);
	v = fc_final_shape(UL_TRAIN);
	CU_ASSERT_STRING_EQUAL(v, "RELEASE|true|0|"
	    "|RELEASE:licence,sanctions,unplaced-goods|RELEASE:unplaced-goods");
	free(v);
	OFFICERS_CHECK_SQL(&pg, "goods.located,goods.located", "SELECT "
	    "string_agg(a.action, ',' ORDER BY a.seq) FROM audit_log a JOIN "
	    "trains t ON t.id = a.train_id WHERE t.train_no = '%s' AND "
	    "a.action LIKE 'goods.%%'", UL_TRAIN);
}

#define WB_WAGON	"315279550018"	/* declared 44,810.5 kg */

/* GET .../events of train as the auditor, as "name/role/device/gross"
 * lines joined by ',' (owned). */
static char *
fc_event_authors(const char *train)
{
	struct buf	 out = { 0 };
	char		 path[128], line[160], *reply = NULL;
	json_t		*a, *ev, *au;
	size_t		 i;

	snprintf(path, sizeof path, "/v1/trains/%s/events", train);
	CU_ASSERT_EQUAL_FATAL(officers_call(dm.port, auditor_tok, "GET", path,
	    NULL, &reply), 200);
	a = json_loads(reply, 0, NULL);
	json_array_foreach(a, i, ev) {
		au = json_object_get(ev, "author");
		snprintf(line, sizeof line, "%s%s/%s/%s/%g", i > 0 ? "," : "",
		    json_string_value(json_object_get(au, "name")),
		    json_string_value(json_object_get(au, "role")),
		    json_is_string(json_object_get(au, "device")) ?
		    json_string_value(json_object_get(au, "device")) : "-",
		    json_number_value(json_object_get(json_object_get(ev,
		    "body"), "gross_kg")));
		buf_add_str(&out, line);
	}
	buf_add(&out, "", 1);
	json_decref(a);
	free(reply);
	return out.data;
}

/* The first hit of wagon position pos in train's decision, as
 * "rule|action|reason" (owned, "" when none). */
static char *
fc_wagon_hit(const char *train, int pos)
{
	return officers_sql(&pg, "SELECT (h->>'rule') || '|' || (h->>'action') "
	    "|| '|' || (h->>'reason') FROM trains t, json_array_elements("
	    "t.decision->'wagons'->%d->'hits') h WHERE t.train_no = '%s' "
	    "LIMIT 1", pos - 1, train);
}

/*
 * The weighbridge through the API: two instruments, the heavy reading
 * first; the lighter one after it hides nothing (the wagon stays at
 * INSPECT on the heavy reading, named with its instrument).  An
 * officer's re-weigh within 5% releases it; the events list each
 * reading with its author.
 */
static void
t_fc_weighbridge(void)
{
	struct fc_case	 c = { "weighbridge", "clean.edi", NULL, NULL, "" };
	char		 sha[65], *v;

	fc_pick_train(c.train);

	CU_ASSERT_EQUAL_FATAL(fc_post_manifest(&c, sha), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, c.train));
	CU_ASSERT_EQUAL(train_post(device_token("WB-ALA-1"), c.train,
	    "events", "{\"type\": \"weighbridge\", \"wagon\": \"" WB_WAGON
	    "\", "
	    "\"gross_kg\": 52400}", NULL), 202);
	CU_ASSERT_EQUAL(train_post(device_token("WB-ALA-2"), c.train,
	    "events", "{\"type\": \"weighbridge\", \"wagon\": \"" WB_WAGON
	    "\", "
	    "\"gross_kg\": 44900}", NULL), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, c.train));
	OFFICERS_CHECK_SQL(&pg, "INSPECT", OFFICERS_WAGON_NOW, c.train,
	    WB_WAGON);
	v = fc_wagon_hit(c.train, 1);
	CU_ASSERT_STRING_EQUAL(v, "weight-variance|INSPECT|wagon " WB_WAGON
	    ": declared 44,810.5 kg, weighbridge 52,400 kg (WB-ALA-1): "
	    "variance 16.936% exceeds 5%");
	free(v);

	/* The officer's re-weigh, 0.4% over the declared mass. */
	CU_ASSERT_EQUAL(train_post(officer_tok, c.train, "events",
	    "{\"type\": \"weighbridge\", \"wagon\": \"" WB_WAGON "\", "
	    "\"gross_kg\": 45000, \"reweigh\": true}", NULL), 202);
	CU_ASSERT_FATAL(officers_decided(&pg, c.train));
	OFFICERS_CHECK_SQL(&pg, "RELEASE", OFFICERS_WAGON_NOW, c.train,
	    WB_WAGON);
	OFFICERS_CHECK_SQL(&pg, "evaluated/RELEASE/false",
	    OFFICERS_TRAIN_STATE, c.train);
	v = fc_event_authors(c.train);
	CU_ASSERT_STRING_EQUAL(v, "WB-ALA-1/device/WB-ALA-1/52400,"
	    "WB-ALA-2/device/WB-ALA-2/44900,o.fc/officer/-/45000");
	free(v);
}

/*
 * A manifest cut short (no UNZ) is refused at intake: 422 whose
 * diagnostics name TRUNCATED and the byte.  Nothing of a train is
 * stored: no train, wagon, decision or evaluation (the refused bytes
 * are kept as refused, accepted = false, as every unreadable manifest's
 * are: docs/daemon.md).
 */
static void
t_fc_truncated_refused(void)
{
	const struct fc_case	 c = { "truncated", "truncated.edi", NULL, NULL,
				    "X8401" };
	const char		*counts = "SELECT (SELECT count(*) FROM "
				    "trains) || '/' || (SELECT count(*) FROM "
				    "wagons) || '/' || (SELECT count(*) "
				    "FROM decisions) || '/' || (SELECT "
				    "count(*) FROM events)";
	char			 sha[65], *data, *reply = NULL, *before;
	json_t			*p, *dg;
	size_t			 len, i;
	bool			 named = false;

	before = officers_sql(&pg, "%s", counts);
	data = fc_manifest(&c, &len, sha);
	CU_ASSERT_EQUAL(post_manifest(data, len, &reply), 422);
	p = json_loads(reply != NULL ? reply : "", 0, NULL);
	json_array_foreach(json_object_get(p, "diagnostics"), i, dg)
		if (strcmp(json_string_value(json_object_get(dg, "code")),
		    "TRUNCATED") == 0 && strstr(json_string_value(
		    json_object_get(dg, "where")), "byte ") != NULL)
			named = true;
	if (!named)
		fprintf(stderr, "\ntruncated: %s\n", reply);
	CU_ASSERT_TRUE(named);
	OFFICERS_CHECK_SQL(&pg, before, "%s", counts);
	OFFICERS_CHECK_SQL(&pg, "0", "SELECT count(*) FROM trains WHERE "
	    "train_no = '%s'", c.train);
	OFFICERS_CHECK_SQL(&pg, "f", "SELECT accepted FROM manifests WHERE "
	    "sha256 = '%s'", sha);
	json_decref(p);
	free(reply);
	free(data);
	free(before);
}

/*
 * The auditor's replay of the whole database -- every case with its
 * devices' and officers' events and the neighbour's reports, the goods
 * located and the final decisions they made -- finds every decision
 * identical and the audit chain intact.
 */
static void
t_fc_replay_identical(void)
{
	struct buf	 out = { 0 };
	char		 cmd[1024], line[512];
	FILE		*p;
	int		 status;

	snprintf(cmd, sizeof cmd, "%s/railgate replay --dsn '%s' --all 2>&1",
	    test_build_dir(), pg.dsn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = popen(cmd, "r"));
	while (fgets(line, sizeof line, p) != NULL)
		buf_add_str(&out, line);
	buf_add(&out, "", 1);
	status = pclose(p);
	CU_ASSERT_EQUAL(status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "all identical"));
	if (status != 0 || strstr(out.data, "all identical") == NULL)
		fputs(out.data, stderr);
	buf_free(&out);
}

static CU_TestInfo fc_tests[] = {
	{ "t_fc_cases_as_fixtures", t_fc_cases_as_fixtures },
	{ "t_fc_goods_located", t_fc_goods_located },
	{ "t_fc_weighbridge", t_fc_weighbridge },
	{ "t_fc_truncated_refused", t_fc_truncated_refused },
	{ "t_fc_replay_identical", t_fc_replay_identical },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("integration_failclosed_daemon", fc_init, fc_clean, fc_tests)
