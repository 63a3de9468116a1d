/*
 * test_rules_fuzzy.c -- party name normalisation and similarity across
 * Latin, Cyrillic and Chinese scripts (rules/fuzzy.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules/fuzzy.h"
#include "rules/memo.h"

#include "unit.h"

/* Normalises s and compares the code points with the ASCII string want. */
static int
norm_is(const char *s, const char *want)
{
	int32_t	*cp;
	size_t	 n = rules_fuzzy_normalise(s, &cp), i;
	int	 ok = n == strlen(want);

	for (i = 0; ok && i < n; i++)
		ok = cp[i] == (unsigned char)want[i];
	free(cp);
	return ok;
}

static void
t_rules_fuzzy_normalise_latin(void)
{
	CU_ASSERT(norm_is("Eastern Star Shipping, LLP", "eastern star shipping"));
	CU_ASSERT(norm_is("  GETRIEBE-NORD GmbH ", "getriebe nord"));
	CU_ASSERT(norm_is("Ｔｉｍｕｒ", "timur"));	/* NFKC: full width */
	CU_ASSERT(!norm_is("Timur Ltd", "timur ltd"));
}

static void
t_rules_fuzzy_normalise_cyrillic(void)
{
	CU_ASSERT(norm_is("ТОО «Тимур»", "timur"));
	CU_ASSERT(norm_is("ООО Вымпел", "vympel"));
	CU_ASSERT(norm_is("Жетысу", "zhetysu"));
	CU_ASSERT(norm_is("Қазақ", "kazak"));
}

static void
t_rules_fuzzy_normalise_chinese(void)
{
	int32_t	*a, *b;
	size_t	 na = rules_fuzzy_normalise("红星机械进出口有限公司", &a);
	size_t	 nb = rules_fuzzy_normalise("红星机械进出口", &b);

	CU_ASSERT_EQUAL(na, 7);
	CU_ASSERT_EQUAL(nb, 7);
	CU_ASSERT(na == nb && memcmp(a, b, na * sizeof *a) == 0);
	free(a);
	free(b);
}

static void
t_rules_fuzzy_jaro_winkler_reference(void)
{
	int32_t	a[] = { 'M', 'A', 'R', 'T', 'H', 'A' };
	int32_t	b[] = { 'M', 'A', 'R', 'H', 'T', 'A' };
	int32_t	c[] = { 'D', 'W', 'A', 'Y', 'N', 'E' };
	int32_t	d[] = { 'D', 'U', 'A', 'N', 'E' };

	/* Winkler's published values: 0.961 and 0.840. */
	CU_ASSERT(fabs(rules_fuzzy_similarity_cp(a, 6, b, 6) - 0.961) < 0.001);
	CU_ASSERT(fabs(rules_fuzzy_similarity_cp(c, 6, d, 5) - 0.840) < 0.001);
	CU_ASSERT_DOUBLE_EQUAL(rules_fuzzy_similarity_cp(a, 6, a, 6), 1.0,
	    1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rules_fuzzy_similarity_cp(a, 6, NULL, 0), 0.0,
	    1e-9);
}

static void
t_rules_fuzzy_across_scripts(void)
{
	CU_ASSERT(rules_fuzzy_similarity("Тимур Трейдинг Хаус",
	    "Timur Trading House") >= 0.88);
	CU_ASSERT(rules_fuzzy_similarity("ТОО Тимур", "Timur LLP") == 1.0);
	CU_ASSERT(rules_fuzzy_similarity("Dalian Ocean Harvest Co., Ltd.",
	    "DALIAN OCEAN HARVEST") == 1.0);
	CU_ASSERT(rules_fuzzy_similarity("大连海洋丰收有限公司",
	    "大连海洋丰收公司") == 1.0);
	CU_ASSERT(rules_fuzzy_similarity("大连海洋丰收", "大连海洋") > 0.88);
	CU_ASSERT(rules_fuzzy_similarity("Getriebe Nord GmbH",
	    "Timur Trading House") < 0.7);
	CU_ASSERT(rules_fuzzy_similarity("大连海洋丰收", "红星机械") < 0.5);
}

/* The memo keeps each (node, string address) once, across its growth. */
static void
t_rules_fuzzy_memo(void)
{
	struct memo	 m;
	static char	 names[1000][8];
	const void	*node = &m, *other = &names;
	size_t		 i, best, bad = 0;
	double		 top;

	memo_init(&m);
	CU_ASSERT_FALSE(memo_get(&m, node, names[0], &best, &top));
	for (i = 0; i < 1000; i++)
		memo_put(&m, node, names[i], i, (double)i / 1000);
	memo_put(&m, node, names[7], 99, 0.5);	/* the first score stays */
	for (i = 0; i < 1000; i++)
		if (!memo_get(&m, node, names[i], &best, &top) || best != i ||
		    top != (double)i / 1000)
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(m.n, 1000);
	/* Another node with the same string is another question. */
	CU_ASSERT_FALSE(memo_get(&m, other, names[3], &best, &top));
	memo_clear(&m);
}

static CU_TestInfo rules_fuzzy_tests[] = {
	{ "t_rules_fuzzy_memo", t_rules_fuzzy_memo },
	{ "t_rules_fuzzy_normalise_latin", t_rules_fuzzy_normalise_latin },
	{ "t_rules_fuzzy_normalise_cyrillic", t_rules_fuzzy_normalise_cyrillic },
	{ "t_rules_fuzzy_normalise_chinese", t_rules_fuzzy_normalise_chinese },
	{ "t_rules_fuzzy_jaro_winkler_reference",
	    t_rules_fuzzy_jaro_winkler_reference },
	{ "t_rules_fuzzy_across_scripts", t_rules_fuzzy_across_scripts },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("rules_fuzzy", NULL, NULL, rules_fuzzy_tests)
