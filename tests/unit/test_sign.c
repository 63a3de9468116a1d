/*
 * test_sign.c -- Standard Webhooks signatures (the specification's own
 * example) and the station's Ed25519 key: sign, verify, tamper, and
 * refusal of loosely permitted key files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/sign.h"

#include "unit.h"

#define SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define MSG_ID	"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define BODY	"{\"test\": 2432232314}"

/* The Standard Webhooks example signature. */
static void
t_sign_webhook_known_vector(void)
{
	char	*sig = sign_webhook(SECRET, MSG_ID, 1614265330, BODY, strlen(BODY));

	CU_ASSERT_STRING_EQUAL(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	free(sig);
}

/* Good, tampered, other secret, stale and future timestamps. */
static void
t_sign_webhook_verify(void)
{
	char	*sig = sign_webhook(SECRET, MSG_ID, 1000, BODY, strlen(BODY));
	char	 multi[256];

	CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, MSG_ID, 1000, BODY,
	    strlen(BODY), sig, 1010, 300), 0);
	CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, MSG_ID, 1000,
	    "{\"test\": 2432232315}", strlen(BODY), sig, 1010, 300), -1);
	CU_ASSERT_EQUAL(sign_webhook_verify("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    MSG_ID, 1000, BODY, strlen(BODY), sig, 1010, 300), -1);
	CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, "msg_other", 1000, BODY,
	    strlen(BODY), sig, 1010, 300), -1);
	CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, MSG_ID, 1000, BODY,
	    strlen(BODY), sig, 1400, 300), -2);
	CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, MSG_ID, 1000, BODY,
	    strlen(BODY), sig, 600, 300), -2);
	/* Several signatures in one header (key rotation): any may match. */
	snprintf(multi, sizeof multi, "v1,bm90IGl0 %s", sig);
	CU_ASSERT_EQUAL(sign_webhook_verify(SECRET, MSG_ID, 1000, BODY,
	    strlen(BODY), multi, 1000, 300), 0);
	free(sig);
}

/* A fresh key signs; its public half verifies; tampering is caught. */
static void
t_sign_ed25519_roundtrip(void)
{
	char		 dir[] = "/tmp/railgate-key.XXXXXX", path[64], id[17];
	char		*cause = NULL, *sig, *pem;
	struct sign_key	*k, *pub;
	struct stat	 st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/station.key", dir);
	k = sign_key_load(path, 1, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	sig = sign_ed25519(k, "release X8024", 13);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sig);
	pem = sign_key_public_pem(k);
	pub = sign_key_from_pem(pem, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
	CU_ASSERT_EQUAL(sign_ed25519_verify(pub, "release X8024", 13, sig), 0);
	CU_ASSERT_EQUAL(sign_ed25519_verify(pub, "release X8025", 13, sig), -1);
	CU_ASSERT_EQUAL(sign_ed25519_verify(pub, "release X8024", 13, "AAAA"), -1);
	sign_key_id(k, id);
	CU_ASSERT_EQUAL(strlen(id), 16);
	free(sig);
	free(pem);
	sign_key_free(pub);
	sign_key_free(k);

	/* Loaded again: the same key, not a new one. */
	k = sign_key_load(path, 1, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	{
		char id2[17];

		sign_key_id(k, id2);
		CU_ASSERT_STRING_EQUAL(id, id2);
	}
	sign_key_free(k);

	/* A key file others can read is refused, with the fix in the message. */
	chmod(path, 0644);
	CU_ASSERT_PTR_NULL(sign_key_load(path, 1, &cause));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "chmod 600"));
	free(cause);
	unlink(path);
	rmdir(dir);
}

static CU_TestInfo sign_tests[] = {
	{ "t_sign_webhook_known_vector", t_sign_webhook_known_vector },
	{ "t_sign_webhook_verify", t_sign_webhook_verify },
	{ "t_sign_ed25519_roundtrip", t_sign_ed25519_roundtrip },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("sign", NULL, NULL, sign_tests)
