/*
 * test_bundle.c -- the pieces of `railgate verify` (cli/bundle.h): a file
 * that is not a bundle refused saying what and where; a part's bytes
 * decoded and hashed; an audit record's text exactly as
 * audit_record_text() writes it; a chain of records linked up to a
 * checkpoint, and each way of breaking it named with the record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bundle.h"
#include "manifest/util.h"

#include "unit.h"

#define ZERO	"0000000000000000000000000000000000000000000000000000000000000000"

static void
expect_refused(const char *text, const char *want)
{
	char	*cause = NULL;
	json_t	*b = bundle_load(text, strlen(text), &cause);

	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	if (strstr(cause, want) == NULL)
		fprintf(stderr, "\nwanted \"%s\" in \"%s\"\n", want, cause);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, want));
	free(cause);
	json_decref(b);
}

static void
t_bundle_load_refusals(void)
{
	expect_refused("hello", "not a bundle: line 1, column 5, position 5");
	expect_refused("{\"format\": \"railgate-evidence-bundle/1\", \"train",
	    "not a bundle: line 1, column ");
	expect_refused("{\"a\":1,\"a\":2}", "duplicate object key");
	expect_refused("[1]", "not a JSON object");
	expect_refused("{\"format\":\"other/1\"}", "\"format\" is not");
	expect_refused("{\"format\":\"railgate-evidence-bundle/1\"}",
	    "member train_id");
	expect_refused("{\"format\":\"railgate-evidence-bundle/1\","
	    "\"train_id\":1,\"manifests\":{}}", "part manifests: not an array");
	expect_refused("{\"format\":\"railgate-evidence-bundle/1\","
	    "\"train_id\":1,\"manifests\":[{\"encoding\":\"hex\"}]}",
	    "part manifests[0]: \"encoding\" must be");
	expect_refused("{\"format\":\"railgate-evidence-bundle/1\","
	    "\"train_id\":1,\"manifests\":[],\"rulesets\":[],\"decisions\":[],"
	    "\"events\":{\"encoding\":\"json\",\"data\":\"[]\"}}",
	    "part events: \"sha256\" missing");
	expect_refused("{\"format\":\"railgate-evidence-bundle/1\","
	    "\"train_id\":1,\"manifests\":[],\"rulesets\":[],\"decisions\":[],"
	    "\"events\":{\"encoding\":\"json\",\"data\":\"[]\",\"sha256\":\"x\"}}",
	    "part officer_actions: not a JSON object");
}

static void
t_bundle_part_bytes(void)
{
	struct bundle_report	 r = { 0 };
	unsigned char		*bytes;
	size_t			 len;
	char			 hex[65];
	json_t			*p;

	/* "abc" and its SHA-256. */
	sha256_hex("abc", 3, hex);
	CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a3"
	    "96177a9cb410ff61f20015ad");
	p = json_pack("{s:s, s:s, s:s}", "encoding", "base64", "data", "YWJj",
	    "sha256", hex);
	CU_ASSERT_EQUAL(bundle_part_bytes(p, "manifests[0]", &bytes, &len, &r), 0);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT_EQUAL(memcmp(bytes, "abc", 3), 0);
	CU_ASSERT_EQUAL(r.nfailures, 0);
	free(bytes);
	/* One character changed: named. */
	json_object_set_new(p, "data", json_string("YWJk"));
	CU_ASSERT_EQUAL(bundle_part_bytes(p, "manifests[0]", &bytes, &len, &r), 0);
	free(bytes);
	CU_ASSERT_EQUAL(r.nfailures, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.failures.data,
	    "manifests[0]: sha256 mismatch"));
	/* Not base64. */
	json_object_set_new(p, "data", json_string("Y*Jj"));
	CU_ASSERT_EQUAL(bundle_part_bytes(p, "manifests[0]", &bytes, &len, &r), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.failures.data,
	    "manifests[0]: data is not base64"));
	/* Text as it is. */
	json_object_set_new(p, "encoding", json_string("json"));
	json_object_set_new(p, "data", json_string("abc"));
	CU_ASSERT_EQUAL(bundle_part_bytes(p, "events", &bytes, &len, &r), 0);
	CU_ASSERT_EQUAL(r.nfailures, 2);
	free(bytes);
	json_decref(p);
	bundle_report_clear(&r);
}

/* A record of seq after prev, its hash computed as audit_append() does. */
static json_t *
record(long long seq, const char *prev, json_t *train_id)
{
	json_t	*rec = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:n, s:s}",
		    "seq", (json_int_t)seq, "at", "2026-12-06T22:28:53.483962Z",
		    "actor", "o.officer", "action", "wagon.release", "train_id",
		    train_id, "details", "{\"wagon\":\"315279550026\"}",
		    "ruleset_sha256", "prev_hash", prev);
	char	*text = bundle_audit_text(rec), *full, hash[65];

	full = xasprintf("%s\n%s", prev, text);
	sha256_hex(full, strlen(full), hash);
	json_object_set_new(rec, "hash", json_string(hash));
	free(full);
	free(text);
	return rec;
}

static void
t_bundle_audit_text(void)
{
	json_t	*rec = record(7, ZERO, json_integer(3));
	char	*text = bundle_audit_text(rec);

	CU_ASSERT_STRING_EQUAL(text, "7\n2026-12-06T22:28:53.483962Z\no.officer\n"
	    "wagon.release\n3\n{\"wagon\":\"315279550026\"}\n");
	free(text);
	json_object_set_new(rec, "train_id", json_null());
	json_object_set_new(rec, "ruleset_sha256", json_string("ab"));
	text = bundle_audit_text(rec);
	CU_ASSERT_STRING_EQUAL(text, "7\n2026-12-06T22:28:53.483962Z\no.officer\n"
	    "wagon.release\n\n{\"wagon\":\"315279550026\"}\nab");
	free(text);
	json_object_del(rec, "actor");
	CU_ASSERT_PTR_NULL(bundle_audit_text(rec));
	json_decref(rec);
}

/* Three linked records, 5 to 7; the checkpoint at 7. */
static json_t *
chain3(void)
{
	json_t	*a = json_array(), *r5, *r6, *r7;

	r5 = record(5, ZERO, json_integer(1));
	r6 = record(6, json_string_value(json_object_get(r5, "hash")),
	    json_null());
	r7 = record(7, json_string_value(json_object_get(r6, "hash")),
	    json_integer(1));
	json_array_append_new(a, r5);
	json_array_append_new(a, r6);
	json_array_append_new(a, r7);
	return a;
}

static void
expect_chain(json_t *a, long long cp_seq, const char *cp_hash,
    const char *want)
{
	struct bundle_report	r = { 0 };

	bundle_audit_check(a, cp_seq, cp_hash, &r);
	if (want == NULL) {
		CU_ASSERT_EQUAL(r.nfailures, 0);
	} else {
		CU_ASSERT(r.nfailures >= 1);
		if (r.failures.data == NULL || strstr(r.failures.data, want) == NULL)
			fprintf(stderr, "\nwanted \"%s\" in \"%s\"\n", want,
			    r.failures.data != NULL ? r.failures.data : "");
		CU_ASSERT_PTR_NOT_NULL(r.failures.data != NULL ?
		    strstr(r.failures.data, want) : NULL);
	}
	bundle_report_clear(&r);
}

static void
t_bundle_audit_chain(void)
{
	json_t		*a = chain3();
	char		 h7[65];

	snprintf(h7, sizeof h7, "%s", json_string_value(json_object_get(
	    json_array_get(a, 2), "hash")));
	expect_chain(a, 7, h7, NULL);
	expect_chain(a, 8, h7, "checkpoint: seq 8 is not the last audit record's");
	expect_chain(a, 7, ZERO, "checkpoint: seq 7 is not the last");
	/* A record's text changed: its own hash no longer follows. */
	json_object_set_new(json_array_get(a, 1), "actor", json_string("x"));
	expect_chain(a, 7, h7, "audit[1] seq 6: hash does not follow");
	json_decref(a);
	/* The middle record's prev_hash changed and its hash recomputed. */
	a = chain3();
	json_array_set_new(a, 1, record(6, ZERO, json_null()));
	expect_chain(a, 7, h7, "audit[1] seq 6: prev_hash does not link to "
	    "seq 5");
	json_decref(a);
	/* A record left out. */
	a = chain3();
	json_array_remove(a, 1);
	expect_chain(a, 7, h7, "audit[1] seq 7: does not follow seq 5");
	json_decref(a);
	a = json_array();
	expect_chain(a, 7, h7, "audit: no records");
	json_decref(a);
}

static CU_TestInfo bundle_tests[] = {
	{ "t_bundle_load_refusals", t_bundle_load_refusals },
	{ "t_bundle_part_bytes", t_bundle_part_bytes },
	{ "t_bundle_audit_text", t_bundle_audit_text },
	{ "t_bundle_audit_chain", t_bundle_audit_chain },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("bundle", NULL, NULL, bundle_tests)
