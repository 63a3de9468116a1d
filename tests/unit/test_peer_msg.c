/*
 * test_peer_msg.c -- the neighbouring customs link's messages: sealed and
 * opened for each type, the neighbour data loading into a rules context,
 * every header and the body tampered with, wrong key, stale and future
 * timestamps, missing headers, a gzip bomb, corrupt gzip, bad envelopes
 * named by field, and a retry re-signed for its new timestamp.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "daemon/peer/peer_msg.h"
#include "daemon/sign.h"
#include "manifest/util.h"
#include "rules/context.h"

#include "unit.h"

#define SENDER		"KZ-DOSTYK-CUSTOMS"
#define NOW		1790000000
#define SKEW		300
#define MAX_SIZE	((size_t)1 << 20)
#define ID		"5f0c2a7e-3b1d-4c8e-9a2f-0d6b7e1c4a93"
#define SEALS		"[{\"equipment\":\"CSQU3054383\",\"number\":\"KZ1234567\"," \
			"\"sealed_by\":\"customs\"}]"
#define CONTROLS	"[{\"equipment\":\"CSQU3054383\",\"result\":\"inspected_clear\"}]"
#define MANIFEST	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
			"<Manifest xmlns=\"urn:railgate:manifest:1\">" \
			"<Name>Улаанбаатар төмөр зам</Name></Manifest>\n"

static char		 key_dir[] = "/tmp/railgate-peer.XXXXXX";
static struct sign_key	*key, *pub, *other_pub;

/* Makes a key (and its public half) in the temporary directory. */
static struct sign_key *
make_key(const char *name, struct sign_key **pubp)
{
	char		 path[128], *cause = NULL, *pem;
	struct sign_key	*k;

	snprintf(path, sizeof path, "%s/%s", key_dir, name);
	if ((k = sign_key_load(path, 1, &cause)) == NULL)
		return NULL;
	pem = sign_key_public_pem(k);
	*pubp = sign_key_from_pem(pem, &cause);
	free(pem);
	return *pubp != NULL ? k : NULL;
}

static int
peer_init(void)
{
	struct sign_key	*other;

	if (mkdtemp(key_dir) == NULL)
		return -1;
	key = make_key("station.key", &pub);
	other = make_key("other.key", &other_pub);
	sign_key_free(other);
	return key != NULL && other != NULL ? 0 : -1;
}

static int
peer_cleanup(void)
{
	char	path[128];

	sign_key_free(key);
	sign_key_free(pub);
	sign_key_free(other_pub);
	snprintf(path, sizeof path, "%s/station.key", key_dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/other.key", key_dir);
	unlink(path);
	rmdir(key_dir);
	return 0;
}

/* The wire form of a sealed message, as the HTTP layer would hand it. */
static void
wire_of(const struct peer_sealed *m, struct peer_wire *w, char ts[24])
{
	snprintf(ts, 24, "%lld", (long long)m->timestamp);
	w->id = m->id;
	w->type = m->type;
	w->timestamp = ts;
	w->sender = m->sender;
	w->signature = m->signature;
	w->content_encoding = "gzip";
	w->body = m->body;
	w->len = m->len;
}

/* Opens w as from SENDER at NOW; 0 or the status, *cause kept for checks. */
static int
try_open(const struct peer_wire *w, struct peer_opened *o, char **cause)
{
	int	status = 0;

	free(*cause);
	*cause = NULL;
	if (peer_msg_open(pub, SENDER, w, NOW, SKEW, MAX_SIZE, o, &status,
	    cause) == 0)
		return 0;
	CU_ASSERT_PTR_NOT_NULL(*cause);
	CU_ASSERT_PTR_NULL(o->sender);
	return status;
}

/* Seals json as SENDER with id ID at ts. */
static void
seal(enum peer_msg_type type, const char *json, int64_t ts,
    struct peer_sealed *m)
{
	CU_ASSERT_EQUAL_FATAL(peer_msg_seal(key, SENDER, type, ID, ts, json,
	    strlen(json), m), 0);
}

/* The signature of the scheme documented in peer_msg.c, computed here. */
static char *
scheme_sign(const char *id, const char *type, const char *ts,
    const char *sender, const void *body, size_t len)
{
	unsigned char	 md[32];
	char		 hex[65], *text, *sig;

	EVP_Digest(body, len, md, NULL, EVP_sha256(), NULL);
	hex_encode(md, sizeof md, hex);
	text = xasprintf("railgate-peer-v1\n%s\n%s\n%s\n%s\n%s\n", id, type,
	    ts, sender, hex);
	sig = sign_ed25519(key, text, strlen(text));
	free(text);
	return sig;
}

/* A wire message of arbitrary body bytes, correctly signed. */
static void
wire_signed(struct peer_wire *w, const char *type, const void *body,
    size_t len, char ts[24])
{
	snprintf(ts, 24, "%d", NOW);
	memset(w, 0, sizeof *w);
	w->id = ID;
	w->type = type;
	w->timestamp = ts;
	w->sender = SENDER;
	w->content_encoding = "gzip";
	w->body = body;
	w->len = len;
	w->signature = scheme_sign(ID, type, ts, SENDER, body, len);
}

/* Loads o's neighbour JSON into a fresh rules context. */
static struct rules_context *
load_neighbour(const struct peer_opened *o)
{
	struct rules_context	*ctx = rules_context_new();
	char			*cause = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o->neighbour);
	if (rules_context_load_neighbour(ctx, o->neighbour,
	    strlen(o->neighbour), "peer", &cause) == -1) {
		CU_FAIL(cause);
		free(cause);
	}
	return ctx;
}

/* Ids are lower-case version 4 UUIDs, each new. */
static void
t_peer_msg_new_id(void)
{
	char	a[37], b[37];

	peer_msg_new_id(a);
	peer_msg_new_id(b);
	CU_ASSERT_EQUAL(strlen(a), 36);
	CU_ASSERT_EQUAL(a[14], '4');
	CU_ASSERT_PTR_NOT_NULL(strchr("89ab", a[19]));
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_PTR_NULL(strpbrk(a, "ABCDEF"));
}

/* pre_arrival sealed, opened, its neighbour data read by the rules. */
static void
t_peer_msg_roundtrip_pre_arrival(void)
{
	struct peer_sealed		 m;
	struct peer_opened		 o;
	struct peer_wire		 w;
	struct rules_context		*ctx;
	const struct rules_equipment	*e;
	char				 ts[24], *cause = NULL;
	char				*env = peer_msg_pre_arrival(SENDER, "X8024",
					    "RELEASE", MANIFEST, strlen(MANIFEST),
					    SEALS, CONTROLS);

	CU_ASSERT_PTR_NOT_NULL_FATAL(env);
	seal(PEER_PRE_ARRIVAL, env, NOW, &m);
	CU_ASSERT_STRING_EQUAL(m.type, "pre_arrival");
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL_FATAL(try_open(&w, &o, &cause), 0);
	CU_ASSERT_EQUAL(o.type, PEER_PRE_ARRIVAL);
	CU_ASSERT_STRING_EQUAL(o.id, ID);
	CU_ASSERT_EQUAL(o.timestamp, NOW);
	CU_ASSERT_STRING_EQUAL(o.sender, SENDER);
	CU_ASSERT_STRING_EQUAL(o.train, "X8024");
	CU_ASSERT_STRING_EQUAL(o.decision, "RELEASE");
	CU_ASSERT_EQUAL(o.manifest_len, strlen(MANIFEST));
	CU_ASSERT_STRING_EQUAL(o.manifest, MANIFEST);
	CU_ASSERT_PTR_NULL(o.ack_of);
	CU_ASSERT_EQUAL(o.envelope_len, strlen(env));
	CU_ASSERT_STRING_EQUAL(o.envelope, env);
	CU_ASSERT_STRING_EQUAL(o.neighbour, "{\"service\":\"" SENDER "\","
	    "\"train\":\"X8024\",\"decision\":\"RELEASE\",\"seals\":" SEALS
	    ",\"controls\":" CONTROLS "}");
	ctx = load_neighbour(&o);
	CU_ASSERT(rules_context_has_neighbour(ctx));
	e = rules_context_equipment(ctx, "CSQU3054383");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL_FATAL(e->nneighbour_seals, 1);
	CU_ASSERT_STRING_EQUAL(e->neighbour_seals[0], "KZ1234567");
	CU_ASSERT_STRING_EQUAL(e->neighbour_control, "inspected_clear");
	rules_context_free(ctx);
	peer_opened_clear(&o);
	peer_opened_clear(&o);	/* cleared twice: harmless */
	peer_sealed_clear(&m);
	free(env);
	free(cause);
}

/* control_results: seals and controls, no decision, no manifest. */
static void
t_peer_msg_roundtrip_control_results(void)
{
	struct peer_sealed		 m;
	struct peer_opened		 o;
	struct peer_wire		 w;
	struct rules_context		*ctx;
	const struct rules_equipment	*e;
	char				 ts[24], *cause = NULL;
	char				*env = peer_msg_control_results(SENDER,
					    "X8024", "[]", "[{\"equipment\":"
					    "\"213144803714\",\"result\":"
					    "\"scanned_suspect\"}]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(env);
	seal(PEER_CONTROL_RESULTS, env, NOW - 10, &m);
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL_FATAL(try_open(&w, &o, &cause), 0);
	CU_ASSERT_EQUAL(o.type, PEER_CONTROL_RESULTS);
	CU_ASSERT_STRING_EQUAL(o.train, "X8024");
	CU_ASSERT_PTR_NULL(o.decision);
	CU_ASSERT_PTR_NULL(o.manifest);
	CU_ASSERT_PTR_NULL(o.ack_of);
	CU_ASSERT_STRING_EQUAL(o.neighbour, "{\"service\":\"" SENDER "\","
	    "\"train\":\"X8024\",\"seals\":[],\"controls\":[{\"equipment\":"
	    "\"213144803714\",\"result\":\"scanned_suspect\"}]}");
	ctx = load_neighbour(&o);
	e = rules_context_equipment(ctx, "213144803714");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(e->neighbour_control, "scanned_suspect");
	rules_context_free(ctx);
	peer_opened_clear(&o);
	peer_sealed_clear(&m);
	free(env);
	free(cause);
}

/*
 * set_out, the sender's set-out wagons, is kept in the neighbour data
 * (only the members it knows), and controls may name a wagon.
 */
static void
t_peer_msg_set_out_kept(void)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w;
	char			 ts[24], *cause = NULL;
	const char		*env = "{\"service\":\"" SENDER "\",\"train\":"
				    "\"X8024\",\"seals\":[],\"controls\":[{"
				    "\"equipment\":\"218124712173\",\"result\":"
				    "\"scanned_suspect\"}],\"set_out\":[{\"wagon\":"
				    "\"218124712173\",\"position\":3,\"action\":"
				    "\"HOLD\",\"note\":\"dropped\"}]}";

	seal(PEER_CONTROL_RESULTS, env, NOW, &m);
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL_FATAL(try_open(&w, &o, &cause), 0);
	CU_ASSERT_STRING_EQUAL(o.neighbour, "{\"service\":\"" SENDER "\","
	    "\"train\":\"X8024\",\"seals\":[],\"controls\":[{\"equipment\":"
	    "\"218124712173\",\"result\":\"scanned_suspect\"}],\"set_out\":[{"
	    "\"wagon\":\"218124712173\",\"position\":3,\"action\":\"HOLD\"}]}");
	rules_context_free(load_neighbour(&o));
	peer_opened_clear(&o);
	peer_sealed_clear(&m);
	free(cause);
}

/* release_ack: ack_of and decision; no neighbour data. */
static void
t_peer_msg_roundtrip_release_ack(void)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w;
	char			 ts[24], *cause = NULL, ack[37];
	char			*env;

	peer_msg_new_id(ack);
	env = peer_msg_release_ack(SENDER, "X8024", ack, "PARTIAL_RELEASE");
	CU_ASSERT_PTR_NOT_NULL_FATAL(env);
	seal(PEER_RELEASE_ACK, env, NOW + 10, &m);
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL_FATAL(try_open(&w, &o, &cause), 0);
	CU_ASSERT_EQUAL(o.type, PEER_RELEASE_ACK);
	CU_ASSERT_STRING_EQUAL(o.ack_of, ack);
	CU_ASSERT_STRING_EQUAL(o.decision, "PARTIAL_RELEASE");
	CU_ASSERT_PTR_NULL(o.neighbour);
	CU_ASSERT_PTR_NULL(o.manifest);
	peer_opened_clear(&o);
	peer_sealed_clear(&m);
	free(env);
	free(cause);
}

/* The signature is exactly the scheme documented in peer_msg.c. */
static void
t_peer_msg_signed_scheme(void)
{
	struct peer_sealed	 m;
	char			 ts[24];
	char			*sig;

	seal(PEER_CONTROL_RESULTS, "{}", NOW, &m);
	snprintf(ts, sizeof ts, "%d", NOW);
	sig = scheme_sign(ID, "control_results", ts, SENDER, m.body, m.len);
	/* Ed25519 is deterministic: the same bytes, the same signature. */
	CU_ASSERT_STRING_EQUAL(sig, m.signature);
	free(sig);
	/* The body is one gzip member (RFC 1952 magic, deflate). */
	CU_ASSERT(m.len > 18 && m.body[0] == 0x1f && m.body[1] == 0x8b &&
	    m.body[2] == 8);
	peer_sealed_clear(&m);
}

/* Any byte of the body changed: the signature fails before inflating. */
static void
t_peer_msg_tampered_body(void)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w;
	char			 ts[24], *cause = NULL, *env;
	size_t			 i;

	env = peer_msg_pre_arrival(SENDER, "X8024", "HOLD", MANIFEST,
	    strlen(MANIFEST), SEALS, CONTROLS);
	seal(PEER_PRE_ARRIVAL, env, NOW, &m);
	wire_of(&m, &w, ts);
	for (i = 0; i < m.len; i += m.len / 7 + 1) {
		m.body[i] ^= 0x01;
		CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
		CU_ASSERT_PTR_NOT_NULL(strstr(cause, PEER_HDR_SIGNATURE));
		m.body[i] ^= 0x01;
	}
	m.body[m.len - 1] ^= 0x80;	/* the gzip trailer's length */
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
	m.body[m.len - 1] ^= 0x80;
	w.len--;
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
	w.len++;
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 0);
	peer_opened_clear(&o);
	peer_sealed_clear(&m);
	free(env);
	free(cause);
}

/* Each signed header changed: 401, or 400 where a format check is first. */
static void
t_peer_msg_tampered_headers(void)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w;
	char			 ts[24], *cause = NULL, *env;
	int			 status = 0;

	env = peer_msg_control_results(SENDER, "X8024", SEALS, CONTROLS);
	seal(PEER_CONTROL_RESULTS, env, NOW, &m);
	wire_of(&m, &w, ts);

	w.id = "5f0c2a7e-3b1d-4c8e-9a2f-0d6b7e1c4a94";	/* another UUID */
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
	w.id = "5F0C2A7E-3B1D-4C8E-9A2F-0D6B7E1C4A93";	/* another spelling */
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, PEER_HDR_ID));
	w.id = "not-a-uuid";
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	w.id = m.id;

	w.type = "pre_arrival";
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
	w.type = "release_ack";
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
	w.type = "bogus";
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, PEER_HDR_TYPE));
	w.type = m.type;

	snprintf(ts, sizeof ts, "%d", NOW + 1);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
	snprintf(ts, sizeof ts, "0%d", NOW);	/* same value, another spelling */
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, PEER_HDR_TIMESTAMP));
	snprintf(ts, sizeof ts, "%d.0", NOW);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	snprintf(ts, sizeof ts, "%d", NOW);

	w.sender = "KZ-DOSTYK-CUSTOMZ";
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "sent by \"KZ-DOSTYK-CUSTOMZ\", "
	    "expected \"" SENDER "\""));
	/* Even a receiver expecting that name: the signature is SENDER's. */
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(peer_msg_open(pub, "KZ-DOSTYK-CUSTOMZ", &w, NOW, SKEW,
	    MAX_SIZE, &o, &status, &cause), -1);
	CU_ASSERT_EQUAL(status, 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, PEER_HDR_SIGNATURE));
	w.sender = m.sender;

	w.signature = "AAAA";
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
	w.signature = "not base64!";
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
	w.signature = m.signature;
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 0);
	peer_opened_clear(&o);
	peer_sealed_clear(&m);
	free(env);
	free(cause);
}

/* Signed by another key than the neighbour's pinned one. */
static void
t_peer_msg_wrong_key(void)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w;
	char			 ts[24], *cause = NULL;
	int			 status = 0;

	seal(PEER_CONTROL_RESULTS, "{}", NOW, &m);
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL(peer_msg_open(other_pub, SENDER, &w, NOW, SKEW,
	    MAX_SIZE, &o, &status, &cause), -1);
	CU_ASSERT_EQUAL(status, 401);
	peer_sealed_clear(&m);
	free(cause);
}

/* Older or newer than the allowed skew: 400; at the limit, accepted. */
static void
t_peer_msg_stale_and_future(void)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w;
	char			 ts[24], *cause = NULL, *env;

	env = peer_msg_control_results(SENDER, "X8024", "[]", "[]");
	seal(PEER_CONTROL_RESULTS, env, NOW - SKEW - 1, &m);
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "stale: 301 s old"));
	peer_sealed_clear(&m);

	seal(PEER_CONTROL_RESULTS, env, NOW + SKEW + 1, &m);
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "from the future: 301 s ahead"));
	peer_sealed_clear(&m);

	seal(PEER_CONTROL_RESULTS, env, NOW - SKEW, &m);
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 0);
	peer_opened_clear(&o);
	peer_sealed_clear(&m);
	seal(PEER_CONTROL_RESULTS, env, NOW + SKEW, &m);
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 0);
	peer_opened_clear(&o);
	peer_sealed_clear(&m);
	free(env);
	free(cause);
}

/* Each header absent: 400 naming it (401 for the signature). */
static void
t_peer_msg_missing_headers(void)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w = { 0 }, full;
	const char		**slots[] = { &w.id, &w.type, &w.timestamp,
				    &w.sender, &w.content_encoding,
				    &w.signature };
	const char		*names[] = { PEER_HDR_ID, PEER_HDR_TYPE,
				    PEER_HDR_TIMESTAMP, PEER_HDR_SENDER,
				    "Content-Encoding", PEER_HDR_SIGNATURE };
	char			 ts[24], want[64], *cause = NULL, *env;
	size_t			 i;

	env = peer_msg_control_results(SENDER, "X8024", "[]", "[]");
	seal(PEER_CONTROL_RESULTS, env, NOW, &m);
	wire_of(&m, &full, ts);
	for (i = 0; i < nitems(slots); i++) {
		w = full;
		*slots[i] = NULL;
		CU_ASSERT_EQUAL(try_open(&w, &o, &cause),
		    i == nitems(slots) - 1 ? 401 : 400);
		snprintf(want, sizeof want, "missing header %s", names[i]);
		CU_ASSERT_STRING_EQUAL(cause, want);
	}
	w = full;
	w.content_encoding = "deflate";
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "Content-Encoding"));
	w.content_encoding = "GZip";	/* content codings ignore case */
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 0);
	peer_opened_clear(&o);
	peer_sealed_clear(&m);
	free(env);
	free(cause);
}

/* 100 MB of zeros gzipped into ~100 KB, correctly signed: 413, at once. */
static void
t_peer_msg_gzip_bomb(void)
{
	static unsigned char	 zeros[1 << 20];
	struct peer_opened	 o;
	struct peer_wire	 w;
	struct buf		 b = { 0 };
	struct timespec		 t0, t1;
	z_stream		 zs;
	char			 ts[24], *cause = NULL;
	int			 i;
	double			 ms;

	memset(&zs, 0, sizeof zs);
	CU_ASSERT_EQUAL_FATAL(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS,
	    8, Z_DEFAULT_STRATEGY), Z_OK);
	for (i = 0; i < 100; i++) {
		zs.next_in = zeros;
		zs.avail_in = sizeof zeros;
		do {
			zs.next_out = (Bytef *)buf_reserve(&b, 1 << 16);
			zs.avail_out = 1 << 16;
			deflate(&zs, i == 99 ? Z_FINISH : Z_NO_FLUSH);
			b.len = zs.total_out;
		} while (zs.avail_out == 0);
	}
	deflateEnd(&zs);
	CU_ASSERT(b.len < 200 * 1024);
	wire_signed(&w, "control_results", b.data, b.len, ts);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 413);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	CU_ASSERT(ms < 500);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "more than 1048576 bytes"));
	free((char *)w.signature);
	buf_free(&b);
	free(cause);
}

/* An envelope of exactly max_size bytes opens; one byte more is 413. */
static void
t_peer_msg_size_limit_edge(void)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w;
	char			 ts[24], *cause = NULL, *env;
	size_t			 n;
	int			 extra;

	for (extra = 0; extra <= 1; extra++) {
		env = xmalloc(MAX_SIZE + 2);
		n = (size_t)snprintf(env, MAX_SIZE, "{\"service\":\"%s\","
		    "\"train\":\"X8024\",\"seals\":[],\"controls\":[],"
		    "\"pad\":\"", SENDER);
		memset(env + n, 'x', MAX_SIZE + extra - n - 2);
		memcpy(env + MAX_SIZE + extra - 2, "\"}", 3);
		CU_ASSERT_EQUAL(strlen(env), MAX_SIZE + extra);
		seal(PEER_CONTROL_RESULTS, env, NOW, &m);
		wire_of(&m, &w, ts);
		CU_ASSERT_EQUAL(try_open(&w, &o, &cause), extra ? 413 : 0);
		peer_opened_clear(&o);
		peer_sealed_clear(&m);
		free(env);
	}
	free(cause);
}

/* Signed bodies that are not one good gzip member: 400. */
static void
t_peer_msg_corrupt_gzip(void)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w;
	char			 ts[24], *cause = NULL, *env;
	unsigned char		*twice;

	wire_signed(&w, "control_results", "not gzip at all", 15, ts);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "not valid gzip"));
	free((char *)w.signature);

	env = peer_msg_control_results(SENDER, "X8024", SEALS, CONTROLS);
	seal(PEER_CONTROL_RESULTS, env, NOW, &m);
	wire_signed(&w, "control_results", m.body, m.len / 2, ts);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "truncated"));
	free((char *)w.signature);

	twice = xmalloc(2 * m.len);
	memcpy(twice, m.body, m.len);
	memcpy(twice + m.len, m.body, m.len);
	wire_signed(&w, "control_results", twice, 2 * m.len, ts);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "after the gzip member"));
	free((char *)w.signature);

	m.body[m.len / 2] ^= 0xff;	/* deflate data broken, then re-signed */
	wire_signed(&w, "control_results", m.body, m.len, ts);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
	free((char *)w.signature);
	free(twice);
	peer_sealed_clear(&m);
	free(env);
	free(cause);
}

/* Envelopes that are not JSON or lack a field: 400 naming the place. */
static void
t_peer_msg_bad_envelopes(void)
{
	static const struct {
		enum peer_msg_type	 type;
		const char		*json, *want;
	} cases[] = {
	    { PEER_CONTROL_RESULTS, "not json", "envelope: line 1, column" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\n\"x\",}", "line 2" },
	    { PEER_CONTROL_RESULTS, "[1, 2]", "not a JSON object" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"service\":"
		"\"" SENDER "\"}", "duplicate" },
	    { PEER_CONTROL_RESULTS, "{\"train\":\"X1\"}", "\"service\" is missing" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"OTHER\",\"train\":\"X1\"}",
		"\"service\" is \"OTHER\", not the sender" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":5}",
		"\"train\" must be a string" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":\"\"}",
		"\"train\" must be 1 to 64" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X\\n1\"}", "\"train\" must be 1 to 64" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\\u0000\"}", "line 1" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"controls\":[]}", "\"seals\" is missing" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":{},\"controls\":[]}", "\"seals\" must be an array" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[],\"controls\":[1]}",
		"\"controls[0]\" must be an object" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[{\"equipment\":\"A\",\"number\":\"1\"},"
		"{\"equipment\":\"A\"}],\"controls\":[]}",
		"\"seals[1].number\" is missing" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[{\"equipment\":\"A\",\"number\":\"1\","
		"\"sealed_by\":7}],\"controls\":[]}",
		"\"seals[0].sealed_by\" must be a string" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[],\"controls\":[{\"equipment\":\"A\","
		"\"result\":\"fine\"}]}", "\"controls[0].result\" must be one of" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[],\"controls\":[{\"result\":"
		"\"inspected_clear\"}]}", "\"controls[0].equipment\" is missing" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[],\"controls\":[],\"set_out\":{}}",
		"\"set_out\" must be an array" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[],\"controls\":[],\"set_out\":[\"A\"]}",
		"\"set_out[0]\" must be an object" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[],\"controls\":[],\"set_out\":[{"
		"\"position\":1,\"action\":\"HOLD\"}]}",
		"\"set_out[0].wagon\" is missing" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[],\"controls\":[],\"set_out\":[{"
		"\"wagon\":\"W1\",\"position\":0,\"action\":\"HOLD\"}]}",
		"\"set_out[0].position\" must be an integer" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[],\"controls\":[],\"set_out\":[{"
		"\"wagon\":\"W1\",\"position\":\"2\",\"action\":\"HOLD\"}]}",
		"\"set_out[0].position\" must be an integer" },
	    { PEER_CONTROL_RESULTS, "{\"service\":\"" SENDER "\",\"train\":"
		"\"X1\",\"seals\":[],\"controls\":[],\"set_out\":[{"
		"\"wagon\":\"W1\",\"position\":2,\"action\":\"RELEASE\"}]}",
		"\"set_out[0].action\" must be one of INSPECT, HOLD, REFUSE" },
	    { PEER_PRE_ARRIVAL, "{\"service\":\"" SENDER "\",\"train\":\"X1\","
		"\"decision\":\"HOLD\",\"manifest\":\"<M/>\",\"seals\":[],"
		"\"controls\":[],\"set_out\":[{\"wagon\":\"W1\",\"position\":"
		"1,\"action\":\"hold\"}]}", "\"set_out[0].action\"" },
	    { PEER_PRE_ARRIVAL, "{\"service\":\"" SENDER "\",\"train\":\"X1\","
		"\"decision\":\"MAYBE\"}", "\"decision\" must be one of" },
	    { PEER_PRE_ARRIVAL, "{\"service\":\"" SENDER "\",\"train\":\"X1\","
		"\"decision\":\"HOLD\",\"manifest\":3}",
		"\"manifest\" must be a string" },
	    { PEER_PRE_ARRIVAL, "{\"service\":\"" SENDER "\",\"train\":\"X1\","
		"\"decision\":\"HOLD\",\"manifest\":\"<M/>\",\"seals\":[]}",
		"\"controls\" is missing" },
	    { PEER_RELEASE_ACK, "{\"service\":\"" SENDER "\",\"train\":\"X1\","
		"\"decision\":\"HOLD\"}", "\"ack_of\" is missing" },
	    { PEER_RELEASE_ACK, "{\"service\":\"" SENDER "\",\"train\":\"X1\","
		"\"decision\":\"HOLD\",\"ack_of\":\"" ID "x\"}",
		"\"ack_of\" must be a lower-case UUID" },
	    { PEER_RELEASE_ACK, "{\"service\":\"" SENDER "\",\"train\":\"X1\","
		"\"ack_of\":\"" ID "\"}", "\"decision\" is missing" },
	};
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w;
	char			 ts[24], *cause = NULL;
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		seal(cases[i].type, cases[i].json, NOW, &m);
		wire_of(&m, &w, ts);
		CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);
		if (cause == NULL || strstr(cause, cases[i].want) == NULL) {
			fprintf(stderr, "\ncase %zu: cause \"%s\", want \"%s\"\n",
			    i, cause != NULL ? cause : "(none)", cases[i].want);
			CU_FAIL("cause does not name the field");
		}
		peer_sealed_clear(&m);
	}
	free(cause);
}

/* A retry re-signed for its new time opens; the old signature does not. */
static void
t_peer_msg_reseal(void)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w;
	char			 ts[24], *cause = NULL, *old, *env;

	env = peer_msg_control_results(SENDER, "X8024", SEALS, "[]");
	seal(PEER_CONTROL_RESULTS, env, NOW - 1000, &m);
	old = xstrdup(m.signature);
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 400);	/* stale by now */
	CU_ASSERT_EQUAL_FATAL(peer_msg_reseal(key, NOW - 5, &m), 0);
	CU_ASSERT_EQUAL(m.timestamp, NOW - 5);
	CU_ASSERT_STRING_NOT_EQUAL(m.signature, old);
	wire_of(&m, &w, ts);
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 0);
	peer_opened_clear(&o);
	w.signature = old;
	CU_ASSERT_EQUAL(try_open(&w, &o, &cause), 401);
	CU_ASSERT_EQUAL(peer_msg_reseal(key, -1, &m), -1);
	CU_ASSERT_EQUAL(m.timestamp, NOW - 5);
	peer_sealed_clear(&m);
	free(old);
	free(env);
	free(cause);
}

/* Sealing refuses what it could not send; builders refuse bad input. */
static void
t_peer_msg_refusals(void)
{
	struct peer_sealed	m;

	CU_ASSERT_EQUAL(peer_msg_seal(key, SENDER, PEER_RELEASE_ACK,
	    "5F0C2A7E-3B1D-4C8E-9A2F-0D6B7E1C4A93", NOW, "{}", 2, &m), -1);
	CU_ASSERT_PTR_NULL(m.body);
	CU_ASSERT_EQUAL(peer_msg_seal(key, "KZ DOSTYK", PEER_RELEASE_ACK, ID,
	    NOW, "{}", 2, &m), -1);
	CU_ASSERT_EQUAL(peer_msg_seal(key, "KZ\nX", PEER_RELEASE_ACK, ID,
	    NOW, "{}", 2, &m), -1);
	CU_ASSERT_EQUAL(peer_msg_seal(key, SENDER, (enum peer_msg_type)7, ID,
	    NOW, "{}", 2, &m), -1);
	CU_ASSERT_EQUAL(peer_msg_seal(key, SENDER, PEER_RELEASE_ACK, ID, -1,
	    "{}", 2, &m), -1);
	CU_ASSERT_PTR_NULL(peer_msg_control_results(SENDER, "X1", "{}", "[]"));
	CU_ASSERT_PTR_NULL(peer_msg_control_results(SENDER, "X1", "[]", "[x"));
	CU_ASSERT_PTR_NULL(peer_msg_pre_arrival(SENDER, "X1", "HOLD",
	    "\xff\xfe", 2, "[]", "[]"));
	CU_ASSERT_PTR_NULL(peer_msg_release_ack(SENDER, "X1", NULL, "HOLD"));
}

static CU_TestInfo peer_msg_tests[] = {
	{ "t_peer_msg_new_id", t_peer_msg_new_id },
	{ "t_peer_msg_roundtrip_pre_arrival", t_peer_msg_roundtrip_pre_arrival },
	{ "t_peer_msg_set_out_kept", t_peer_msg_set_out_kept },
	{ "t_peer_msg_roundtrip_control_results",
	    t_peer_msg_roundtrip_control_results },
	{ "t_peer_msg_roundtrip_release_ack", t_peer_msg_roundtrip_release_ack },
	{ "t_peer_msg_signed_scheme", t_peer_msg_signed_scheme },
	{ "t_peer_msg_tampered_body", t_peer_msg_tampered_body },
	{ "t_peer_msg_tampered_headers", t_peer_msg_tampered_headers },
	{ "t_peer_msg_wrong_key", t_peer_msg_wrong_key },
	{ "t_peer_msg_stale_and_future", t_peer_msg_stale_and_future },
	{ "t_peer_msg_missing_headers", t_peer_msg_missing_headers },
	{ "t_peer_msg_gzip_bomb", t_peer_msg_gzip_bomb },
	{ "t_peer_msg_size_limit_edge", t_peer_msg_size_limit_edge },
	{ "t_peer_msg_corrupt_gzip", t_peer_msg_corrupt_gzip },
	{ "t_peer_msg_bad_envelopes", t_peer_msg_bad_envelopes },
	{ "t_peer_msg_reseal", t_peer_msg_reseal },
	{ "t_peer_msg_refusals", t_peer_msg_refusals },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("peer_msg", peer_init, peer_cleanup, peer_msg_tests)
