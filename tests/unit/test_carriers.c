/*
 * test_carriers.c -- an operator token's carriers (daemon/http/auth.c):
 * the identifiers a token may name, and the exact, whole match that
 * decides whether an operator reads a train (docs/operator.md).
 */
#include <string.h>

#include "daemon/http/auth.h"

#include "unit.h"

/* What a carrier id may look like; anything needing quoting is refused. */
static void
t_carrier_valid(void)
{
	char	long_id[64];

	CU_ASSERT_TRUE(auth_carrier_valid("KZ-KTZE"));
	CU_ASSERT_TRUE(auth_carrier_valid("CN-CRCT"));
	CU_ASSERT_TRUE(auth_carrier_valid("ru.rzd:2/x_y"));
	CU_ASSERT_FALSE(auth_carrier_valid(""));
	CU_ASSERT_FALSE(auth_carrier_valid("KZ,KTZE"));	/* a list separator */
	CU_ASSERT_FALSE(auth_carrier_valid("KZ}"));	/* array literal */
	CU_ASSERT_FALSE(auth_carrier_valid("KZ\"X"));
	CU_ASSERT_FALSE(auth_carrier_valid("KZ KTZE"));
	CU_ASSERT_FALSE(auth_carrier_valid("КТЖ"));
	memset(long_id, 'A', 35);
	long_id[35] = '\0';
	CU_ASSERT_TRUE(auth_carrier_valid(long_id));
	long_id[35] = 'A';
	long_id[36] = '\0';
	CU_ASSERT_FALSE(auth_carrier_valid(long_id));
}

/* A whole identifier matches; a prefix, a suffix or nothing does not. */
static void
t_carrier_allowed(void)
{
	struct auth_principal	who;
	char			arr[AUTH_CARRIERS_LEN + 2];

	memset(&who, 0, sizeof who);
	CU_ASSERT_FALSE(auth_carrier_allowed(&who, "KZ-KTZE"));	/* bound to none */
	CU_ASSERT_EQUAL(auth_carriers_set(&who, "KZ-KTZE,CN-CRCT"), 0);
	CU_ASSERT_TRUE(auth_carrier_allowed(&who, "KZ-KTZE"));
	CU_ASSERT_TRUE(auth_carrier_allowed(&who, "CN-CRCT"));
	CU_ASSERT_FALSE(auth_carrier_allowed(&who, "KZ-KTZ"));
	CU_ASSERT_FALSE(auth_carrier_allowed(&who, "KZ-KTZE2"));
	CU_ASSERT_FALSE(auth_carrier_allowed(&who, "CRCT"));
	CU_ASSERT_FALSE(auth_carrier_allowed(&who, "KZ-KTZE,CN-CRCT"));
	CU_ASSERT_FALSE(auth_carrier_allowed(&who, ""));
	CU_ASSERT_FALSE(auth_carrier_allowed(&who, NULL));
	auth_carriers_array(&who, arr, sizeof arr);
	CU_ASSERT_STRING_EQUAL(arr, "{KZ-KTZE,CN-CRCT}");
}

/* A list longer than a principal holds is refused, never cut. */
static void
t_carriers_too_long(void)
{
	struct auth_principal	who;
	char			big[AUTH_CARRIERS_LEN + 10];

	memset(&who, 0, sizeof who);
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CU_ASSERT_EQUAL(auth_carriers_set(&who, big), -1);
	CU_ASSERT_STRING_EQUAL(who.carriers, "");
}

static CU_TestInfo carriers_tests[] = {
	{ "carrier identifiers a token may name", t_carrier_valid },
	{ "an operator reads its own carriers only", t_carrier_allowed },
	{ "a carrier list too long is refused", t_carriers_too_long },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("carriers", NULL, NULL, carriers_tests)
