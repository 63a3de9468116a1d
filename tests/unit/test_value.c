/*
 * test_value.c -- decimals in thousandths, whole numbers written, and UTC
 * times.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "manifest/value.h"

#include "unit.h"

/* Parses s (whole string) and returns the status; *out gets the value. */
static enum value_status
dec(const char *s, int64_t *out)
{
	return value_decimal_parse(s, strlen(s), out);
}

/* Decimal marks, signs, rounding and garbage. */
static void
t_value_decimal_parse(void)
{
	int64_t	v;

	CU_ASSERT_EQUAL(dec("24310", &v), VALUE_OK);
	CU_ASSERT_EQUAL(v, 24310000);
	CU_ASSERT_EQUAL(dec("24310.50", &v), VALUE_OK);
	CU_ASSERT_EQUAL(v, 24310500);
	CU_ASSERT_EQUAL(dec("24310,5", &v), VALUE_OK);
	CU_ASSERT_EQUAL(v, 24310500);
	CU_ASSERT_EQUAL(dec(".5", &v), VALUE_OK);
	CU_ASSERT_EQUAL(v, 500);
	CU_ASSERT_EQUAL(dec("-3.25", &v), VALUE_OK);
	CU_ASSERT_EQUAL(v, -3250);
	CU_ASSERT_EQUAL(dec("0.0005", &v), VALUE_ROUNDED);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(dec("0.9995", &v), VALUE_ROUNDED);
	CU_ASSERT_EQUAL(v, 1000);
	CU_ASSERT_EQUAL(dec("1.2344", &v), VALUE_ROUNDED);
	CU_ASSERT_EQUAL(v, 1234);
	CU_ASSERT_EQUAL(dec("", &v), VALUE_INVALID);
	CU_ASSERT_EQUAL(dec("-", &v), VALUE_INVALID);
	CU_ASSERT_EQUAL(dec("1.2.3", &v), VALUE_INVALID);
	CU_ASSERT_EQUAL(dec("12kg", &v), VALUE_INVALID);
	CU_ASSERT_EQUAL(dec("99999999999999999999", &v), VALUE_INVALID);
	/* Both sides of the short-value fast path agree. */
	CU_ASSERT_EQUAL(dec("5.", &v), VALUE_OK);
	CU_ASSERT_EQUAL(v, 5000);
	CU_ASSERT_EQUAL(dec(".", &v), VALUE_INVALID);
	CU_ASSERT_EQUAL(dec("1,2,3", &v), VALUE_INVALID);
	CU_ASSERT_EQUAL(dec("999999999999999", &v), VALUE_OK);
	CU_ASSERT_EQUAL(v, 999999999999999000);
	CU_ASSERT_EQUAL(dec("9999999999999999", &v), VALUE_INVALID);
	CU_ASSERT_EQUAL(dec("12.3456", &v), VALUE_ROUNDED);
	CU_ASSERT_EQUAL(v, 12346);
	CU_ASSERT_EQUAL(dec("+7", &v), VALUE_OK);
	CU_ASSERT_EQUAL(v, 7000);
}

/* Shortest form: no trailing zeros, no trailing dot. */
static void
t_value_decimal_format(void)
{
	char	b[VALUE_DECIMAL_MAX];

	CU_ASSERT_STRING_EQUAL(value_decimal_format(24310000, b), "24310");
	CU_ASSERT_STRING_EQUAL(value_decimal_format(24310500, b), "24310.5");
	CU_ASSERT_STRING_EQUAL(value_decimal_format(125, b), "0.125");
	CU_ASSERT_STRING_EQUAL(value_decimal_format(10, b), "0.01");
	CU_ASSERT_STRING_EQUAL(value_decimal_format(0, b), "0");
	CU_ASSERT_STRING_EQUAL(value_decimal_format(-3250, b), "-3.25");
	CU_ASSERT_STRING_EQUAL(value_decimal_format(INT64_MAX, b),
	    "9223372036854775.807");
	/* value_decimal_put() writes the same and says how long it is. */
	CU_ASSERT_EQUAL(value_decimal_put(24310500, b), 7);
	CU_ASSERT_STRING_EQUAL(b, "24310.5");
	CU_ASSERT_EQUAL(value_decimal_put(-3250, b), 5);
	CU_ASSERT_STRING_EQUAL(b, "-3.25");
	CU_ASSERT_EQUAL(value_decimal_put(INT64_MIN, b), 21);
	CU_ASSERT_STRING_EQUAL(b, "-9223372036854775.808");
	CU_ASSERT_EQUAL(value_decimal_put(0, b), 1);
}

/*
 * Whole numbers, two digits at a time: every length from one digit to
 * twenty, at both ends of each (an odd count ends on a single digit),
 * against snprintf.
 */
static void
t_value_u64_format(void)
{
	char		 b[21], want[21];
	uint64_t	 u = 1;
	bool		 same = true;
	int		 d;

	CU_ASSERT_EQUAL(value_u64_format(0, b), 1);
	CU_ASSERT_STRING_EQUAL(b, "0");
	CU_ASSERT_EQUAL(value_u64_format(UINT64_MAX, b), 20);
	CU_ASSERT_STRING_EQUAL(b, "18446744073709551615");
	for (d = 1; d <= 19; d++, u *= 10) {
		uint64_t v[3] = { u, u * 10 - 1, u + u / 2 + 7 };

		for (int k = 0; k < 3; k++) {
			snprintf(want, sizeof want, "%llu",
			    (unsigned long long)v[k]);
			same = same &&
			    value_u64_format(v[k], b) == strlen(want) &&
			    strcmp(b, want) == 0;
		}
	}
	CU_ASSERT_TRUE(same);
}

/* Counts are whole non-negative numbers. */
static void
t_value_count_parse(void)
{
	int64_t	v;

	CU_ASSERT_EQUAL(value_count_parse("40", 2, &v), 0);
	CU_ASSERT_EQUAL(v, 40);
	CU_ASSERT_EQUAL(value_count_parse("4.0", 3, &v), -1);
	CU_ASSERT_EQUAL(value_count_parse("-4", 2, &v), -1);
	CU_ASSERT_EQUAL(value_count_parse("", 0, &v), -1);
}

/* RFC 3339 in, RFC 3339 UTC out, zones applied. */
static void
t_value_time_roundtrip(void)
{
	char	b[VALUE_TIME_MAX];
	int64_t	t;

	CU_ASSERT_EQUAL(value_time_parse("2026-11-22T09:15:00Z", 20, &t), 0);
	CU_ASSERT_EQUAL(t, 1795338900);
	CU_ASSERT_STRING_EQUAL(value_time_format(t, b), "2026-11-22T09:15:00Z");
	CU_ASSERT_EQUAL(value_time_parse("2026-11-22T14:15:00+05:00", 25, &t), 0);
	CU_ASSERT_STRING_EQUAL(value_time_format(t, b), "2026-11-22T09:15:00Z");
	CU_ASSERT_EQUAL(value_time_parse("2026-11-22T09:15:00.250Z", 24, &t), 0);
	CU_ASSERT_STRING_EQUAL(value_time_format(t, b), "2026-11-22T09:15:00Z");
	/* No zone: UTC. */
	CU_ASSERT_EQUAL(value_time_parse("2026-11-22T09:15", 16, &t), 0);
	CU_ASSERT_STRING_EQUAL(value_time_format(t, b), "2026-11-22T09:15:00Z");
	CU_ASSERT_EQUAL(value_time_parse("2024-02-29", 10, &t), 0);
	CU_ASSERT_STRING_EQUAL(value_time_format(t, b), "2024-02-29T00:00:00Z");
	CU_ASSERT_STRING_EQUAL(value_time_format(0, b), "1970-01-01T00:00:00Z");
	CU_ASSERT_STRING_EQUAL(value_time_format(-1, b), "1969-12-31T23:59:59Z");
}

/* Impossible dates and junk are refused. */
static void
t_value_time_invalid(void)
{
	int64_t	t;

	CU_ASSERT_EQUAL(value_time_parse("2025-02-29", 10, &t), -1);
	CU_ASSERT_EQUAL(value_time_parse("2026-13-01", 10, &t), -1);
	CU_ASSERT_EQUAL(value_time_parse("2026-11-22T25:00Z", 17, &t), -1);
	CU_ASSERT_EQUAL(value_time_parse("2026-11-22X", 11, &t), -1);
	CU_ASSERT_EQUAL(value_time_parse("22/11/2026", 10, &t), -1);
	CU_ASSERT_FALSE(value_civil_valid(1900, 2, 29, 0, 0, 0));
	CU_ASSERT_TRUE(value_civil_valid(2000, 2, 29, 0, 0, 0));
}

static CU_TestInfo value_tests[] = {
	{ "t_value_decimal_parse", t_value_decimal_parse },
	{ "t_value_decimal_format", t_value_decimal_format },
	{ "t_value_u64_format", t_value_u64_format },
	{ "t_value_count_parse", t_value_count_parse },
	{ "t_value_time_roundtrip", t_value_time_roundtrip },
	{ "t_value_time_invalid", t_value_time_invalid },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("value", NULL, NULL, value_tests)
