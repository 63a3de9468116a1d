/*
 * test_attack_i20.c -- holes of issue 20 shown without a daemon
 * (attack_i20): "NULL" is no carrier identifier, in any case, for a
 * token, a subscription or a principal read from the database -- an
 * array literal {NULL} holds the SQL NULL, and `x = ANY (that)` is NULL,
 * not false (the integration test shows the manifest it let through).
 */
#include <string.h>

#include "daemon/http/auth.h"

#include "unit.h"

static void
t_null_is_no_carrier(void)
{
	struct auth_principal	who;

	CU_ASSERT_FALSE(auth_carrier_valid("NULL"));
	CU_ASSERT_FALSE(auth_carrier_valid("null"));
	CU_ASSERT_FALSE(auth_carrier_valid("NuLl"));
	CU_ASSERT_TRUE(auth_carrier_valid("NULLX"));
	CU_ASSERT_TRUE(auth_carrier_valid("KZ-NULL"));
	memset(&who, 0, sizeof who);
	CU_ASSERT_EQUAL(auth_carriers_set(&who, "KZ-KTZE,NULL"), -1);
	CU_ASSERT_EQUAL(auth_carriers_set(&who, "null"), -1);
	CU_ASSERT_EQUAL(auth_carriers_set(&who, "KZ-KTZE,,CN-CRCT"), -1);
	CU_ASSERT_STRING_EQUAL(who.carriers, "");
	CU_ASSERT_EQUAL(auth_carriers_set(&who, "KZ-KTZE,CN-CRCT"), 0);
	CU_ASSERT_STRING_EQUAL(who.carriers, "KZ-KTZE,CN-CRCT");
	CU_ASSERT_EQUAL(auth_carriers_set(&who, ""), 0);
	CU_ASSERT_STRING_EQUAL(who.carriers, "");
}

static CU_TestInfo attack_i20_tests[] = {
	{ "\"NULL\" is no carrier", t_null_is_no_carrier },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("attack_i20", NULL, NULL, attack_i20_tests)
