/*
 * test_secretbox.c -- webhook secrets sealed at rest (issue 20, item 5):
 * a sealed secret opens with its key for its subscription only; moved to
 * another subscription, altered, or opened with another key it does not,
 * each refusal naming why; two seals of one secret differ (a nonce per
 * seal); the key file is made 0600 with 32 bytes, and one that others can
 * read or of another length is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/notice/secretbox.h"

#include "unit.h"

#define SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

static char	dir[] = "/tmp/railgate-secretbox-XXXXXX";
static char	path1[300], path2[300];

static int
secretbox_init(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path1, sizeof path1, "%s/one.key", dir);
	snprintf(path2, sizeof path2, "%s/two.key", dir);
	return 0;
}

static int
secretbox_clean(void)
{
	unlink(path1);
	unlink(path2);
	rmdir(dir);
	return 0;
}

/* Made at first load, 0600, 32 bytes; loaded again: the same key id. */
static void
t_secretbox_key_file(void)
{
	struct secret_key	*k, *again;
	struct stat		 st;
	char			*cause = NULL;
	FILE			*f;

	CU_ASSERT_PTR_NULL(secret_key_load(path1, 0, &cause));	/* absent */
	free(cause);
	cause = NULL;
	k = secret_key_load(path1, 1, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(stat(path1, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(st.st_size, 32);
	CU_ASSERT_EQUAL(strlen(secret_key_id(k)), 16);
	again = secret_key_load(path1, 0, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_STRING_EQUAL(secret_key_id(k), secret_key_id(again));
	secret_key_free(k);
	secret_key_free(again);
	/* Loose permissions, then a wrong length: refused, saying why. */
	chmod(path1, 0644);
	CU_ASSERT_PTR_NULL(secret_key_load(path1, 0, &cause));
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ? strstr(cause, "chmod 600") :
	    NULL);
	free(cause);
	cause = NULL;
	chmod(path1, 0600);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path2, "w"));
	fputs("too short", f);
	fclose(f);
	chmod(path2, 0600);
	CU_ASSERT_PTR_NULL(secret_key_load(path2, 0, &cause));
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ? strstr(cause, "32 bytes") :
	    NULL);
	free(cause);
	unlink(path2);
}

/* Sealed, opened; moved, altered, other key: refused. */
static void
t_secretbox_seal_open(void)
{
	struct secret_key	*k, *other;
	char			*a, *b, *plain, *cause = NULL;
	size_t			 n;

	k = secret_key_load(path1, 1, &cause);
	other = secret_key_load(path2, 1, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	a = secret_seal(k, "ktze", SECRET, &cause);
	b = secret_seal(k, "ktze", SECRET, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_TRUE(secret_is_sealed(a));
	CU_ASSERT_FALSE(secret_is_sealed(SECRET));
	CU_ASSERT_EQUAL(strncmp(a + 3, secret_key_id(k), 16), 0);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);		/* a nonce per seal */
	CU_ASSERT_PTR_NULL(strstr(a, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
	plain = secret_open(k, "ktze", a, &cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
	CU_ASSERT_STRING_EQUAL(plain, SECRET);
	free(plain);
	/* Moved to another subscription's row: the AAD differs. */
	CU_ASSERT_PTR_NULL(secret_open(k, "crct", a, &cause));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "does not open"));
	free(cause);
	/* Another key: named, both ids. */
	CU_ASSERT_PTR_NULL(secret_open(other, "ktze", a, &cause));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, secret_key_id(k)));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, secret_key_id(other)));
	free(cause);
	/* One character of the ciphertext changed. */
	n = strlen(b);
	b[n - 6] = b[n - 6] == 'A' ? 'B' : 'A';
	CU_ASSERT_PTR_NULL(secret_open(k, "ktze", b, &cause));
	free(cause);
	/* In clear, or cut short. */
	CU_ASSERT_PTR_NULL(secret_open(k, "ktze", SECRET, &cause));
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "in clear"));
	free(cause);
	a[3 + 16 + 1 + 8] = '\0';
	CU_ASSERT_PTR_NULL(secret_open(k, "ktze", a, &cause));
	free(cause);
	free(a);
	free(b);
	secret_key_free(k);
	secret_key_free(other);
}

static CU_TestInfo secretbox_tests[] = {
	{ "t_secretbox_key_file", t_secretbox_key_file },
	{ "t_secretbox_seal_open", t_secretbox_seal_open },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("secretbox", secretbox_init, secretbox_clean, secretbox_tests)
