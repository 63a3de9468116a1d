/*
 * test_rules_ident.c -- the list-file identifier schemes (rules/ident.c):
 * real registrations pass, every mutation a check character can catch is
 * caught, shapes and the normal form are those of docs/screening.md,
 * and every reason is printable text, whatever bytes the value holds.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "manifest/util.h"
#include "rules/ident.h"

#include "unit.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Registrations published by their holders, and computed examples. */
static const char *const good_uscc[] = {
	"91350100M000100Y43",	/* the example of GB 32100-2015 */
	"914403001922038216",	/* Huawei Technologies */
	"91330100799655058B",	/* Alibaba (China) */
	"9144030071526726XG",	/* Tencent */
	"91110000100000000R",	/* docs/screening.md's example, check mended */
};
static const char *const good_inn[] = {
	"7707083893",		/* Sberbank */
	"7736050003",		/* Gazprom */
	"500100732259",		/* a person's INN (12 digits) */
};
static const char *const good_bin[] = {
	"971240001315",		/* Kaspi Bank */
	"050540004455",		/* docs/screening.md's example */
	"100000000205",		/* first sum 10: second weights give 5 */
};

/* Counts the single-character substitutions of v (from alphabet) that ident_check refuses; *total gets how many were tried. */
static int
mutations_refused(const char *scheme, const char *v, const char *alphabet,
    int *total, int *last_refused)
{
	char	s[IDENT_MAX + 1];
	size_t	n = strlen(v), pos;
	int	refused = 0;
	const char *a;

	*total = 0;
	*last_refused = 1;
	for (pos = 0; pos < n; pos++) {
		for (a = alphabet; *a != '\0'; a++) {
			if (*a == v[pos])
				continue;
			memcpy(s, v, n + 1);
			s[pos] = *a;
			(*total)++;
			if (ident_check(scheme, s, NULL, 0) != 0)
				refused++;
			else if (pos == n - 1)
				*last_refused = 0;
		}
	}
	return refused;
}

static void
t_rules_ident_valid(void)
{
	char	why[128] = "";
	size_t	i;

	for (i = 0; i < NITEMS(good_uscc); i++) {
		CU_ASSERT_EQUAL(ident_check("uscc", good_uscc[i], why,
		    sizeof(why)), 0);
		CU_ASSERT_EQUAL(ident_uscc_check_char(good_uscc[i]),
		    good_uscc[i][17]);
	}
	for (i = 0; i < NITEMS(good_inn); i++)
		CU_ASSERT_EQUAL(ident_check("inn", good_inn[i], why,
		    sizeof(why)), 0);
	for (i = 0; i < NITEMS(good_bin); i++)
		CU_ASSERT_EQUAL(ident_check("kz-bin", good_bin[i], why,
		    sizeof(why)), 0);
	/* Separators and case do not matter for the checked schemes. */
	CU_ASSERT_EQUAL(ident_check("uscc", "9135 0100-m000.100y43", why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL(ident_check("inn", "7707-083-893", why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(ident_check("eori", "DE123456789", why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(ident_check("eori", "gb 1234", why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(ident_check("eori", "XI123456789012345", why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL(ident_check("tin", "12/345-67", why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(ident_check("tin", "ab12", why, sizeof(why)), 0);
}

/* GB 32100's mod-31 check catches every single substitution; mod 11 most. */
static void
t_rules_ident_mutations(void)
{
	const char	*digits = "0123456789";
	int		 total, refused, last;
	size_t		 i;

	for (i = 0; i < NITEMS(good_uscc); i++) {
		refused = mutations_refused("uscc", good_uscc[i],
		    "0123456789ABCDEFGHJKLMNPQRTUWXY", &total, &last);
		CU_ASSERT_EQUAL(refused, total);
	}
	for (i = 0; i < NITEMS(good_inn); i++) {
		refused = mutations_refused("inn", good_inn[i], digits, &total,
		    &last);
		CU_ASSERT_TRUE(last);
		CU_ASSERT_TRUE(refused * 10 >= total * 8);
	}
	for (i = 0; i < NITEMS(good_bin); i++) {
		refused = mutations_refused("kz-bin", good_bin[i], digits,
		    &total, &last);
		CU_ASSERT_TRUE(last);
		CU_ASSERT_TRUE(refused * 10 >= total * 8);
	}
	/* Adjacent transpositions of different characters in a USCC. */
	CU_ASSERT_NOT_EQUAL(ident_check("uscc", "91530100M000100Y43", NULL, 0),
	    0);
	CU_ASSERT_NOT_EQUAL(ident_check("inn", "7770083893", NULL, 0), 0);
}

static void
t_rules_ident_shapes(void)
{
	static const struct { const char *scheme, *value, *why; } bad[] = {
		{ "uscc", "91110000100000000X", "should be 'R', not 'X'" },
		{ "uscc", "9111000010000000R", "18 characters" },
		{ "uscc", "91110000I00000000R", "'I' at 9" },
		/* A UTF-8 character among the 18 bytes (fuzz_unlist found
		 * its first byte quoted alone, the reason no longer text). */
		{ "uscc", "9165010\xd5\xb2" "A7A000XX1", "byte 0xd5 at 8" },
		{ "uscc", "", "empty" },
		{ "kz-bin", "05054000445", "12 digits" },
		{ "kz-bin", "05054000445A", "12 digits" },
		{ "kz-bin", "100000000280", "no check digit exists" },
		{ "kz-bin", "050540004456", "should be '5'" },
		{ "inn", "77070838930", "10 or 12 digits" },
		{ "inn", "500100732269", "11th digit" },
		{ "inn", "500100732258", "12th digit" },
		{ "eori", "D1234", "two letters" },
		{ "eori", "DE", "3 to 17" },
		{ "eori", "DE1234567890123456", "3 to 17" },
		{ "eori", "DE12_4", "only letters and digits" },
		{ "tin", "123", "4 to 20" },
		{ "tin", "123456789012345678901", "4 to 20" },
		{ "tin", "12.345", "only letters" },
		{ "tin", "ИНН1234", "only letters" },
		{ "vat", "DE123", "unknown identifier scheme 'vat'" },
		{ "uscc", "9111000010000000000000000000000000000000R", "too long" },
	};
	char	why[128];
	size_t	i;

	for (i = 0; i < NITEMS(bad); i++) {
		why[0] = '\0';
		CU_ASSERT_EQUAL(ident_check(bad[i].scheme, bad[i].value, why,
		    sizeof(why)), -1);
		CU_ASSERT_TRUE(text_is_printable(why));
		if (strstr(why, bad[i].why) == NULL) {
			printf("\n  %s %s: '%s' lacks '%s'", bad[i].scheme,
			    bad[i].value, why, bad[i].why);
			CU_FAIL("reason");
		}
	}
	/* A NULL or short why is safe. */
	CU_ASSERT_EQUAL(ident_check("inn", "1", NULL, 0), -1);
	CU_ASSERT_EQUAL(ident_check("inn", "1", why, 4), -1);
	CU_ASSERT_EQUAL(strlen(why), 3);
	CU_ASSERT_TRUE(ident_scheme_known("kz-bin"));
	CU_ASSERT_TRUE(ident_scheme_known("tin"));
	CU_ASSERT_FALSE(ident_scheme_known("KZ-BIN"));
	CU_ASSERT_FALSE(ident_scheme_known(""));
}

static void
t_rules_ident_normalise(void)
{
	char	out[IDENT_MAX + 1];
	char	tiny[5];

	ident_normalise(" 91 1100-00/1000.00000r\t", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "91110000100000000R");
	ident_normalise("gb-ИНН", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "GBИНН");
	ident_normalise("ABCD", tiny, sizeof(tiny));
	CU_ASSERT_STRING_EQUAL(tiny, "ABCD");
	ident_normalise("ABCDE", tiny, sizeof(tiny));
	CU_ASSERT_STRING_EQUAL(tiny, "");
	ident_normalise("a-b-c-d", tiny, sizeof(tiny));
	CU_ASSERT_STRING_EQUAL(tiny, "ABCD");
	ident_normalise("", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "");
	tiny[0] = 'x';
	ident_normalise("A", tiny, 0);
	CU_ASSERT_EQUAL(tiny[0], 'x');
}

static void
t_rules_ident_guess(void)
{
	const char	*s = "x";

	CU_ASSERT_EQUAL(ident_guess("91350100M000100Y43", &s), 1);
	CU_ASSERT_STRING_EQUAL(s, "uscc");
	CU_ASSERT_EQUAL(ident_guess("7707 083 893", &s), 1);
	CU_ASSERT_STRING_EQUAL(s, "inn");
	CU_ASSERT_EQUAL(ident_guess("971240001315", &s), 1);
	CU_ASSERT_STRING_EQUAL(s, "kz-bin");
	CU_ASSERT_EQUAL(ident_guess("500100732259", &s), 1);
	CU_ASSERT_STRING_EQUAL(s, "inn");
	CU_ASSERT_EQUAL(ident_guess("DE123456789", &s), 1);
	CU_ASSERT_STRING_EQUAL(s, "eori");
	/* 12 digits fitting both the BIN and the INN check. */
	CU_ASSERT_EQUAL(ident_guess("501007322323", &s), 2);
	CU_ASSERT_STRING_EQUAL(s, "kz-bin");
	/* Wrong check digits, tin-only shapes and nothing at all. */
	CU_ASSERT_EQUAL(ident_guess("91110000100000000X", &s), 0);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(ident_guess("7707083894", &s), 0);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(ident_guess("12/345-67", &s), 0);
	CU_ASSERT_EQUAL(ident_guess("", &s), 0);
	CU_ASSERT_PTR_NULL(s);
}

/* A million checks: a figure for the loader and the matcher. */
static void
t_rules_ident_speed(void)
{
	struct timespec	a, b;
	const char	*s;
	int		 i, ok = 0;
	double		 ms;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 250000; i++) {
		ok += ident_check("uscc", good_uscc[i % 5], NULL, 0) == 0;
		ok += ident_check("kz-bin", "971240001315", NULL, 0) == 0;
		ok += ident_check("inn", "500100732259", NULL, 0) == 0;
		ok += ident_guess("DE123456789", &s) == 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	printf("\n  1,000,000 identifier checks: %.0f ms", ms);
	CU_ASSERT_EQUAL(ok, 1000000);
	CU_ASSERT_TRUE(ms < 5000);
}

static CU_TestInfo rules_ident_tests[] = {
	{ "t_rules_ident_valid", t_rules_ident_valid },
	{ "t_rules_ident_mutations", t_rules_ident_mutations },
	{ "t_rules_ident_shapes", t_rules_ident_shapes },
	{ "t_rules_ident_normalise", t_rules_ident_normalise },
	{ "t_rules_ident_guess", t_rules_ident_guess },
	{ "t_rules_ident_speed", t_rules_ident_speed },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("rules_ident", NULL, NULL, rules_ident_tests)
