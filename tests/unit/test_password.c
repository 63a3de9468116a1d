/*
 * test_password.c -- officers' passwords (daemon/http/password.c): the
 * policy, Argon2id hashing and verification, the session cookie read
 * from a Cookie header; and the console's language from Accept-Language
 * (daemon/api/language.c).
 */
#include <string.h>
#include <time.h>

#include "daemon/api/language.h"
#include "daemon/http/password.h"

#include "unit.h"

/* A hash verifies its password and nothing else, with a new salt each time. */
static void
t_password_hash_verify(void)
{
	char	h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];

	CU_ASSERT_EQUAL_FATAL(password_hash("correct horse battery", h1), 0);
	CU_ASSERT_EQUAL_FATAL(password_hash("correct horse battery", h2), 0);
	CU_ASSERT_EQUAL(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
	CU_ASSERT_STRING_NOT_EQUAL(h1, h2);	/* salted */
	CU_ASSERT_EQUAL(password_verify(h1, "correct horse battery"), 1);
	CU_ASSERT_EQUAL(password_verify(h2, "correct horse battery"), 1);
	CU_ASSERT_EQUAL(password_verify(h1, "correct horse batterY"), 0);
	CU_ASSERT_EQUAL(password_verify(h1, "correct horse battery "), 0);
	CU_ASSERT_EQUAL(password_verify(h1, ""), 0);
	CU_ASSERT_EQUAL(strstr(h1, "correct") == NULL, 1);
}

/* Anything but an Argon2id PHC string verifies nothing; the dummy nothing. */
static void
t_password_verify_refuses(void)
{
	char	h[PASSWORD_HASH_MAX];

	CU_ASSERT_EQUAL_FATAL(password_hash("another long password", h), 0);
	CU_ASSERT_EQUAL(password_verify("", "x"), 0);
	CU_ASSERT_EQUAL(password_verify("plain text", "plain text"), 0);
	/* The same hash relabelled argon2i is refused, not verified as such. */
	CU_ASSERT_EQUAL(password_verify("$argon2i$v=19$m=19456,t=2,p=1$"
	    "cmFpbGdhdGUtZHVtbXkhIQ$IBKlx0PALYJV6x9WQo0o7GF/lWQ3ywwUYRGrrX5zmt0",
	    "railgate-dummy-password-never-valid"), 0);
	CU_ASSERT_EQUAL(password_verify(PASSWORD_DUMMY_HASH, ""), 0);
	CU_ASSERT_EQUAL(password_verify(PASSWORD_DUMMY_HASH, "password1234"), 0);
}

/* The dummy hash costs what a real one does (timing of unknown names). */
static void
t_password_dummy_same_cost(void)
{
	char		h[PASSWORD_HASH_MAX];
	struct timespec	a, b, e;
	double		real, dummy;

	CU_ASSERT_EQUAL_FATAL(password_hash("a twelve char pw", h), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	password_verify(h, "wrong password!");
	clock_gettime(CLOCK_MONOTONIC, &b);
	password_verify(PASSWORD_DUMMY_HASH, "wrong password!");
	clock_gettime(CLOCK_MONOTONIC, &e);
	real = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	dummy = (double)(e.tv_sec - b.tv_sec) + (e.tv_nsec - b.tv_nsec) / 1e9;
	CU_ASSERT(real > 0.005);	/* memory-hard, not a plain digest */
	CU_ASSERT(dummy > real / 3 && dummy < real * 3);
}

/* At least 12 characters (code points, not bytes), no control character. */
static void
t_password_policy(void)
{
	char	big[PASSWORD_MAX_BYTES + 2];

	CU_ASSERT_PTR_NOT_NULL(password_policy(""));
	CU_ASSERT_PTR_NOT_NULL(password_policy("elevenchars"));
	CU_ASSERT_PTR_NULL(password_policy("twelve chars"));
	/* Eleven Chinese characters are 33 bytes but eleven characters. */
	CU_ASSERT_PTR_NOT_NULL(password_policy("海关铁路货运列车放行审"));
	CU_ASSERT_PTR_NULL(password_policy("海关铁路货运列车放行审批"));
	CU_ASSERT_PTR_NOT_NULL(password_policy("twelve chars\n"));
	CU_ASSERT_PTR_NOT_NULL(password_policy("twelve\tchars"));
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CU_ASSERT_PTR_NOT_NULL(password_policy(big));
	big[PASSWORD_MAX_BYTES] = '\0';
	CU_ASSERT_PTR_NULL(password_policy(big));
}

/* The session cookie among others; twice or malformed is refused. */
static void
t_password_session_cookie(void)
{
	char	out[260];
	int	bad;

	CU_ASSERT_PTR_NULL(password_session_cookie(NULL, out, &bad));
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_PTR_NULL(password_session_cookie("a=b; c=d", out, &bad));
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_STRING_EQUAL(password_session_cookie("a=b; railgate_session=rs_X1; "
	    "c=d", out, &bad), "rs_X1");
	CU_ASSERT_STRING_EQUAL(password_session_cookie("railgate_session=rs_Y",
	    out, &bad), "rs_Y");
	/* A prefix of the name is another cookie. */
	CU_ASSERT_PTR_NULL(password_session_cookie("xrailgate_session=rs_Y",
	    out, &bad));
	CU_ASSERT_PTR_NULL(password_session_cookie("railgate_session=a; "
	    "railgate_session=b", out, &bad));
	CU_ASSERT_EQUAL(bad, 1);
	CU_ASSERT_PTR_NULL(password_session_cookie("railgate_session=", out, &bad));
	CU_ASSERT_EQUAL(bad, 1);
	CU_ASSERT_PTR_NULL(password_session_cookie("railgate_session=\"q\"", out,
	    &bad));
	CU_ASSERT_EQUAL(bad, 1);
}

/* Accept-Language: the best of the console's languages, else en. */
static void
t_language_best(void)
{
	CU_ASSERT_STRING_EQUAL(language_best(NULL), "en");
	CU_ASSERT_STRING_EQUAL(language_best(""), "en");
	CU_ASSERT_STRING_EQUAL(language_best("de-DE,fr;q=0.8"), "en");
	CU_ASSERT_STRING_EQUAL(language_best("zh"), "zh-Hans");
	CU_ASSERT_STRING_EQUAL(language_best("zh-CN,zh;q=0.9,en;q=0.8"), "zh-Hans");
	CU_ASSERT_STRING_EQUAL(language_best("zh-Hans-CN"), "zh-Hans");
	CU_ASSERT_STRING_EQUAL(language_best("ZH-hans"), "zh-Hans");
	CU_ASSERT_STRING_EQUAL(language_best("ru-RU,ru;q=0.9,en-US;q=0.8"), "ru");
	CU_ASSERT_STRING_EQUAL(language_best("en-US,ru;q=0.9"), "en");
	/* The highest q wins, wherever it is. */
	CU_ASSERT_STRING_EQUAL(language_best("en;q=0.5, kk;q=0.9, ru;q=0.7"), "kk");
	CU_ASSERT_STRING_EQUAL(language_best("de, vi;q=0.3"), "vi");
	/* q=0 means "not this one"; * matches nothing of ours. */
	CU_ASSERT_STRING_EQUAL(language_best("ru;q=0, *"), "en");
	/* "rus" is not ru; "en" prefix of "eng" neither. */
	CU_ASSERT_STRING_EQUAL(language_best("rus, eng"), "en");
	CU_ASSERT(language_known("zh-Hans"));
	CU_ASSERT(language_known("vi"));
	CU_ASSERT(!language_known("zh"));
	CU_ASSERT(!language_known("RU"));
}

static CU_TestInfo password_tests[] = {
	{ "t_password_hash_verify", t_password_hash_verify },
	{ "t_password_verify_refuses", t_password_verify_refuses },
	{ "t_password_dummy_same_cost", t_password_dummy_same_cost },
	{ "t_password_policy", t_password_policy },
	{ "t_password_session_cookie", t_password_session_cookie },
	{ "t_language_best", t_language_best },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("password", NULL, NULL, password_tests)
