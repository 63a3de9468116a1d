/*
 * test_ident.c -- check digits and code shapes, on the published examples
 * (docs/contracts.md) and on mutations of them.
 */
#include <string.h>

#include "manifest/ident.h"
#include "manifest/util.h"

#include "unit.h"

/* Published valid UIC numbers pass. */
static void
t_ident_uic_published(void)
{
	int	want = -1;

	CU_ASSERT_EQUAL(ident_uic_check("218124712173", &want), IDENT_OK);
	CU_ASSERT_EQUAL(want, 3);
	CU_ASSERT_EQUAL(ident_uic_check("518008430010", &want), IDENT_OK);
	CU_ASSERT_EQUAL(want, 0);
	CU_ASSERT_EQUAL(ident_uic_check_digit("21812471217"), 3);
}

/* Every single-digit change of the check digit or of one body digit fails. */
static void
t_ident_uic_mutations(void)
{
	const char	*valid[] = { "218124712173", "518008430010" };
	char		 s[13];
	size_t		 v;
	int		 pos, d, want;

	for (v = 0; v < 2; v++) {
		for (pos = 0; pos < 12; pos++) {
			for (d = 0; d < 10; d++) {
				memcpy(s, valid[v], 13);
				if (s[pos] == '0' + d)
					continue;
				s[pos] = (char)('0' + d);
				/* Luhn catches every single-digit substitution. */
				CU_ASSERT_EQUAL(ident_uic_check(s, &want),
				    IDENT_BAD_CHECK);
			}
		}
	}
	/* Transposing two adjacent different digits is caught too (except 0/9). */
	CU_ASSERT_EQUAL(ident_uic_check("128124712173", NULL), IDENT_BAD_CHECK);
}

/* Wrong length or non-digits are a shape error, not a check error. */
static void
t_ident_uic_shape(void)
{
	CU_ASSERT_EQUAL(ident_uic_check("21812471217", NULL), IDENT_BAD_SHAPE);
	CU_ASSERT_EQUAL(ident_uic_check("2181247121734", NULL), IDENT_BAD_SHAPE);
	CU_ASSERT_EQUAL(ident_uic_check("21812471217X", NULL), IDENT_BAD_SHAPE);
	CU_ASSERT_EQUAL(ident_uic_check("", NULL), IDENT_BAD_SHAPE);
	CU_ASSERT_EQUAL(ident_uic_check(NULL, NULL), IDENT_BAD_SHAPE);
	CU_ASSERT_EQUAL(ident_uic_check_digit("2181247121A"), -1);
}

/* Published ISO 6346 numbers pass. */
static void
t_ident_iso6346_published(void)
{
	int	want = -1;

	CU_ASSERT_EQUAL(ident_iso6346_check("CSQU3054383", &want), IDENT_OK);
	CU_ASSERT_EQUAL(want, 3);
	CU_ASSERT_EQUAL(ident_iso6346_check("MWCU6059784", &want), IDENT_OK);
	CU_ASSERT_EQUAL(want, 4);
	CU_ASSERT_EQUAL(ident_iso6346_check_digit("CSQU305438"), 3);
	/* The corpus's IFTSTA container: its digit is 2, the right one 5. */
	CU_ASSERT_EQUAL(ident_iso6346_check("TRHU4561222", &want), IDENT_BAD_CHECK);
	CU_ASSERT_EQUAL(want, 5);
}

/* Changing any letter or digit changes the check (mod 11 catches singles). */
static void
t_ident_iso6346_mutations(void)
{
	const char	*valid[] = { "CSQU3054383", "MWCU6059784" };
	char		 s[12];
	size_t		 v;
	int		 pos, k, want, bad, total;

	for (v = 0; v < 2; v++) {
		bad = total = 0;
		for (pos = 0; pos < 10; pos++) {
			for (k = 0; k < (pos < 4 ? 26 : 10); k++) {
				char c = pos < 4 ? (char)('A' + k) : (char)('0' + k);

				memcpy(s, valid[v], 12);
				if (s[pos] == c)
					continue;
				s[pos] = c;
				total++;
				if (ident_iso6346_check(s, &want) == IDENT_BAD_CHECK)
					bad++;
			}
		}
		/*
		 * A check value of 10 folds to 0, so a few substitutions keep
		 * the digit; the scheme still rejects the great majority.
		 */
		CU_ASSERT(bad * 100 >= total * 85);
		/* The last digit itself: every other value is wrong. */
		for (k = 0; k < 10; k++) {
			memcpy(s, valid[v], 12);
			if (s[10] == '0' + k)
				continue;
			s[10] = (char)('0' + k);
			CU_ASSERT_EQUAL(ident_iso6346_check(s, NULL), IDENT_BAD_CHECK);
		}
	}
}

/* Lower case, short and long numbers are shape errors. */
static void
t_ident_iso6346_shape(void)
{
	CU_ASSERT_EQUAL(ident_iso6346_check("csqu3054383", NULL), IDENT_BAD_SHAPE);
	CU_ASSERT_EQUAL(ident_iso6346_check("CSQU305438", NULL), IDENT_BAD_SHAPE);
	CU_ASSERT_EQUAL(ident_iso6346_check("CSQU30543833", NULL), IDENT_BAD_SHAPE);
	CU_ASSERT_EQUAL(ident_iso6346_check("CSQ13054383", NULL), IDENT_BAD_SHAPE);
	CU_ASSERT_EQUAL(ident_iso6346_check("CSQU305438X", NULL), IDENT_BAD_SHAPE);
	CU_ASSERT_EQUAL(ident_iso6346_check(NULL, NULL), IDENT_BAD_SHAPE);
}

/* Dots and spaces go; 6 to 10 digits stay. */
static void
t_ident_hs_normalise(void)
{
	char	out[IDENT_HS_MAX + 1];

	CU_ASSERT_EQUAL(ident_hs_normalise("8708.40", 7, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "870840");
	CU_ASSERT_EQUAL(ident_hs_normalise("0805 10 20 00", 13, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "0805102000");
	CU_ASSERT_EQUAL(ident_hs_normalise("2844.10", 7, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "284410");
	CU_ASSERT_EQUAL(ident_hs_normalise("8708", 4, out), -1);
	CU_ASSERT_EQUAL(ident_hs_normalise("87084099001", 11, out), -1);
	CU_ASSERT_EQUAL(ident_hs_normalise("8708-40", 7, out), -1);
	CU_ASSERT_EQUAL(ident_hs_normalise("", 0, out), -1);
}

/* Country, currency and UN number shapes. */
static void
t_ident_code_shapes(void)
{
	CU_ASSERT_TRUE(ident_is_country("KZ"));
	CU_ASSERT_FALSE(ident_is_country("kz"));
	CU_ASSERT_FALSE(ident_is_country("KAZ"));
	CU_ASSERT_FALSE(ident_is_country(NULL));
	CU_ASSERT_TRUE(ident_is_currency("CNY"));
	CU_ASSERT_FALSE(ident_is_currency("CN"));
	CU_ASSERT_FALSE(ident_is_currency("cny"));
	CU_ASSERT_TRUE(ident_is_un_number("1203"));
	CU_ASSERT_TRUE(ident_is_un_number("0081"));
	CU_ASSERT_FALSE(ident_is_un_number("123"));
	CU_ASSERT_FALSE(ident_is_un_number("12034"));
	CU_ASSERT_FALSE(ident_is_un_number("12a4"));
}

/* Train numbers: what the API can name in a URL, nothing else. */
static void
t_ident_train_number(void)
{
	static const char *const good[] = { "X8024", "Z", "KZ-8024.A_1",
	    "1234567890123456789012345678901234567890123456789012345678901234",
	    "...", "a:b", "%41", "~!" };
	static const struct { const char *s; size_t len; } bad[] = {
		{ "", 0 }, { "A/B", 3 }, { "X8024@2", 7 }, { "X92\0 06", 7 },
		{ "X 1", 3 }, { "X\n1", 3 }, { "X\x1b[2J", 6 }, { "X\x7f", 2 },
		{ "X\xc3\xa9", 3 }, { "X\xef\xbf\xbd", 4 }, { ".", 1 }, { "..", 2 },
		{ "12345678901234567890123456789012345678901234567890123456789012345",
		    65 },
	};
	size_t	i;

	for (i = 0; i < nitems(good); i++)
		CU_ASSERT_PTR_NULL(ident_train_number_problem(good[i],
		    strlen(good[i])));
	for (i = 0; i < nitems(bad); i++)
		CU_ASSERT_PTR_NOT_NULL(ident_train_number_problem(bad[i].s,
		    bad[i].len));
	CU_ASSERT_PTR_NOT_NULL(ident_train_number_problem(NULL, 0));
	CU_ASSERT_PTR_NOT_NULL(strstr(ident_train_number_problem("A/B", 3),
	    "'/'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(ident_train_number_problem("A@B", 3),
	    "'@'"));
}

static CU_TestInfo ident_tests[] = {
	{ "t_ident_uic_published", t_ident_uic_published },
	{ "t_ident_uic_mutations", t_ident_uic_mutations },
	{ "t_ident_uic_shape", t_ident_uic_shape },
	{ "t_ident_iso6346_published", t_ident_iso6346_published },
	{ "t_ident_iso6346_mutations", t_ident_iso6346_mutations },
	{ "t_ident_iso6346_shape", t_ident_iso6346_shape },
	{ "t_ident_hs_normalise", t_ident_hs_normalise },
	{ "t_ident_code_shapes", t_ident_code_shapes },
	{ "t_ident_train_number", t_ident_train_number },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("ident", NULL, NULL, ident_tests)
