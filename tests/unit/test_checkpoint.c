/*
 * test_checkpoint.c -- checkpoints of the audit chain (daemon/checkpoint.h):
 * the exact signed text, signing and verifying (a changed field, another
 * key), reading one from JSON (each member at fault named), comparing
 * checkpoints with the chain (a rewrite found, the oldest failing one
 * reported, the newest holding one below it); and the link's checkpoint
 * message sealed, opened, and refused when its own signature fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/checkpoint.h"
#include "daemon/peer/peer_msg.h"
#include "daemon/sign.h"
#include "manifest/util.h"

#include "unit.h"

#define HASH_A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HASH_C	"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define ID	"0b6f0c1e-4d1f-4f0e-9a43-2b1d2d6f8a10"

static char		 key_dir[] = "/tmp/railgate-cp.XXXXXX";
static struct sign_key	*key, *pub, *other;

static struct sign_key *
make_key(const char *name)
{
	char	path[128], *cause = NULL;

	snprintf(path, sizeof path, "%s/%s", key_dir, name);
	return sign_key_load(path, 1, &cause);
}

static int
cp_init(void)
{
	char	*pem, *cause = NULL;

	if (mkdtemp(key_dir) == NULL || (key = make_key("a.pem")) == NULL ||
	    (other = make_key("b.pem")) == NULL)
		return -1;
	pem = sign_key_public_pem(key);
	pub = sign_key_from_pem(pem, &cause);
	free(pem);
	return pub != NULL ? 0 : -1;
}

static int
cp_clean(void)
{
	char	cmd[160];

	sign_key_free(key);
	sign_key_free(pub);
	sign_key_free(other);
	snprintf(cmd, sizeof cmd, "rm -rf %s", key_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A checkpoint of alashankou's chain at seq, signed with key. */
static void
make(struct checkpoint *c, long long seq, const char *hash)
{
	memset(c, 0, sizeof *c);
	c->station = xstrdup("alashankou");
	c->seq = c->count = seq;
	memcpy(c->hash, hash, 65);
	c->at = 1796558400;		/* 2026-12-06T12:00:00Z */
	CU_ASSERT_EQUAL_FATAL(checkpoint_sign(c, key), 0);
}

static void
t_checkpoint_text_exact(void)
{
	struct checkpoint	 c;
	char			*text;

	make(&c, 1234, HASH_A);
	text = checkpoint_text(&c);
	CU_ASSERT_STRING_EQUAL(text, "railgate-audit-checkpoint/1\n"
	    "station=alashankou\nseq=1234\ncount=1234\nhash=" HASH_A "\n"
	    "at=2026-12-06T12:00:00Z\n");
	free(text);
	checkpoint_clear(&c);
}

static void
t_checkpoint_sign_verify(void)
{
	struct checkpoint	 c;
	const char		*why = NULL;

	make(&c, 7, HASH_A);
	CU_ASSERT_EQUAL(checkpoint_verify(&c, pub, &why), 0);
	CU_ASSERT_EQUAL(checkpoint_verify(&c, other, &why), -1);
	CU_ASSERT_STRING_EQUAL(why, "signed with another key (key_id)");
	c.seq = 8;
	CU_ASSERT_EQUAL(checkpoint_verify(&c, pub, &why), -1);
	CU_ASSERT_STRING_EQUAL(why, "bad signature");
	c.seq = 7;
	c.hash[63] = 'b';
	CU_ASSERT_EQUAL(checkpoint_verify(&c, pub, &why), -1);
	c.hash[63] = 'a';
	c.at++;
	CU_ASSERT_EQUAL(checkpoint_verify(&c, pub, &why), -1);
	checkpoint_clear(&c);
}

static void
t_checkpoint_json(void)
{
	static const struct {
		const char	*member, *value, *cause;
	} bad[] = {
		{ "seq", "0", "c.seq: must be an integer of at least 1" },
		{ "hash", "\"ABC\"", "c.hash: not 64 lower-case hex digits" },
		{ "hash", "\"" HASH_A "0\"", "c.hash: must be a text of one line" },
		{ "station", "\"a\\nb\"", "c.station: must be a text of one line" },
		{ "signature", "7", "c.signature: must be a text of one line" },
	};
	struct checkpoint	 c, back;
	json_t			*o, *copy;
	char			*cause = NULL;
	size_t			 i;

	make(&c, 42, HASH_B);
	o = checkpoint_to_json(&c);
	CU_ASSERT_EQUAL_FATAL(checkpoint_from_json(o, "c", &back, &cause), 0);
	CU_ASSERT_STRING_EQUAL(back.signature, c.signature);
	CU_ASSERT_EQUAL(back.seq, 42);
	checkpoint_clear(&back);
	for (i = 0; i < nitems(bad); i++) {
		copy = json_deep_copy(o);
		json_object_set_new(copy, bad[i].member, json_loads(bad[i].value,
		    JSON_DECODE_ANY, NULL));
		CU_ASSERT_EQUAL(checkpoint_from_json(copy, "c", &back, &cause), -1);
		if (cause != NULL && strcmp(cause, bad[i].cause) != 0)
			fprintf(stderr, "\n%zu: %s\n", i, cause);
		CU_ASSERT_STRING_EQUAL(cause, bad[i].cause);
		free(cause);
		cause = NULL;
		json_decref(copy);
	}
	json_object_del(o, "key_id");
	CU_ASSERT_EQUAL(checkpoint_from_json(o, "c", &back, &cause), -1);
	CU_ASSERT_STRING_EQUAL(cause, "c.key_id: missing");
	free(cause);
	json_decref(o);
	checkpoint_clear(&c);
}

/* The chain holds HASH_A at 3, HASH_B at 5 (rewritten), HASH_C at 9. */
static void
t_checkpoint_compare(void)
{
	struct checkpoint	 c3, c5, c9;
	json_t			*list, *chain, *r;

	make(&c3, 3, HASH_A);
	make(&c5, 5, HASH_A);		/* the chain has HASH_B at 5 now */
	make(&c9, 9, HASH_A);		/* and HASH_C at 9 */
	list = json_pack("[o, o, o]", checkpoint_to_json(&c9),
	    checkpoint_to_json(&c5), checkpoint_to_json(&c3));
	chain = json_pack("{s:i, s:{s:s, s:s, s:s}}", "head", 9, "hashes", "3",
	    HASH_A, "5", HASH_B, "9", HASH_C);
	r = checkpoint_compare(list, chain, pub, "alashankou");
	CU_ASSERT(json_is_false(json_object_get(r, "ok")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "first_bad_seq")), 5);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "agrees_up_to")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "latest_seq")), 9);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r,
	    "chain_hash")), HASH_B);
	json_decref(r);
	/* Another station's name, another key: refused. */
	r = checkpoint_compare(list, chain, other, "alashankou");
	CU_ASSERT(json_is_false(json_object_get(r, "ok")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "first_bad_seq")), 3);
	json_decref(r);
	r = checkpoint_compare(list, chain, pub, "dostyk");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "reason")),
	    "the checkpoint is of another station's chain");
	json_decref(r);
	/* The chain cut before a checkpoint. */
	json_object_set_new(chain, "head", json_integer(4));
	json_array_remove(list, 1);
	r = checkpoint_compare(list, chain, pub, "alashankou");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "first_bad_seq")), 9);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(r,
	    "reason")), "records removed"));
	json_decref(r);
	/* Only the one that holds: ok. */
	json_array_remove(list, 0);
	r = checkpoint_compare(list, chain, pub, "alashankou");
	CU_ASSERT(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
	json_decref(list);
	json_decref(chain);
	checkpoint_clear(&c3);
	checkpoint_clear(&c5);
	checkpoint_clear(&c9);
}

/* The link message: sealed, opened with the checkpoint verified. */
static int
open_checkpoint(const char *env, struct peer_opened *o, char **cause)
{
	struct peer_sealed	 m;
	struct peer_wire	 w;
	char			 ts[24];
	int			 status = 0, rc;

	CU_ASSERT_EQUAL_FATAL(peer_msg_seal(key, "alashankou", PEER_CHECKPOINT,
	    ID, 1000, env, strlen(env), &m), 0);
	snprintf(ts, sizeof ts, "%lld", (long long)m.timestamp);
	w.id = m.id;
	w.type = m.type;
	w.timestamp = ts;
	w.sender = m.sender;
	w.signature = m.signature;
	w.content_encoding = "gzip";
	w.body = m.body;
	w.len = m.len;
	rc = peer_msg_open(pub, "alashankou", &w, 1000, 300, 1 << 20, o,
	    &status, cause);
	peer_sealed_clear(&m);
	return rc == 0 ? 0 : status;
}

static void
t_checkpoint_message(void)
{
	struct checkpoint	 c;
	struct peer_opened	 o;
	json_t			*j;
	char			*text, *env, *cause = NULL;

	make(&c, 12, HASH_C);
	j = checkpoint_to_json(&c);
	text = json_dumps(j, JSON_COMPACT);
	env = peer_msg_checkpoint("alashankou", text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(env);
	CU_ASSERT_EQUAL_FATAL(open_checkpoint(env, &o, &cause), 0);
	CU_ASSERT_EQUAL(o.type, PEER_CHECKPOINT);
	CU_ASSERT_PTR_NULL(o.train);
	CU_ASSERT_EQUAL(o.checkpoint->seq, 12);
	CU_ASSERT_STRING_EQUAL(o.checkpoint->hash, HASH_C);
	peer_opened_clear(&o);
	free(env);
	free(text);
	/* A field changed after signing: the message's signature holds, the
	 * checkpoint's does not. */
	json_object_set_new(j, "seq", json_integer(13));
	text = json_dumps(j, JSON_COMPACT);
	env = peer_msg_checkpoint("alashankou", text);
	CU_ASSERT_EQUAL(open_checkpoint(env, &o, &cause), 401);
	CU_ASSERT_STRING_EQUAL(cause, "envelope: checkpoint: bad signature");
	free(cause);
	cause = NULL;
	free(env);
	free(text);
	/* Another station's chain in the sender's message. */
	json_object_set_new(j, "station", json_string("dostyk"));
	text = json_dumps(j, JSON_COMPACT);
	env = peer_msg_checkpoint("alashankou", text);
	CU_ASSERT_EQUAL(open_checkpoint(env, &o, &cause), 400);
	CU_ASSERT_STRING_EQUAL(cause, "envelope: checkpoint.station is not the "
	    "sender");
	free(cause);
	cause = NULL;
	free(env);
	free(text);
	/* No checkpoint at all. */
	CU_ASSERT_EQUAL(open_checkpoint("{\"service\":\"alashankou\"}", &o,
	    &cause), 400);
	CU_ASSERT_STRING_EQUAL(cause, "envelope: checkpoint: not a JSON object");
	free(cause);
	CU_ASSERT_PTR_NULL(peer_msg_checkpoint("alashankou", "[1]"));
	json_decref(j);
	checkpoint_clear(&c);
}

static CU_TestInfo cp_tests[] = {
	{ "t_checkpoint_text_exact", t_checkpoint_text_exact },
	{ "t_checkpoint_sign_verify", t_checkpoint_sign_verify },
	{ "t_checkpoint_json", t_checkpoint_json },
	{ "t_checkpoint_compare", t_checkpoint_compare },
	{ "t_checkpoint_message", t_checkpoint_message },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("checkpoint", cp_init, cp_clean, cp_tests)
