/*
 * test_names.c -- comparison keys across scripts and the token-set score
 * (rules/names.c): Traditional/Simplified, pinyin, Cyrillic, Vietnamese,
 * reordered words, legal forms stripped, different companies apart.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <string.h>

#include "rules/names.h"

#include "unit.h"

/* A few of etc/rules/default/lists/legal-forms.txt's lines. */
static const char *const forms_txt[] = {
	"LLC", "LLP", "JSC", "CO LTD", "TOO", "ТОО", "ООО", "АО",
	"有限公司", "有限责任公司", "股份有限公司", "CONG TY TNHH",
};

/* A few of etc/rules/default/lists/generic-words.txt's lines. */
static const char *const generic_txt[] = {
	"Trading", "Trading House", "Shipping", "Foods", "Technologies",
	"Tea", "机械", "进出口", "Трейдинг = Trading", "Хаус = House",
	"Haus = House", "ТД = Торговый Дом", "Торговый Дом",
};

static struct names_forms forms;
static struct names_generic generic;

static int
names_init(void)
{
	char	err[256];

	if (names_forms_init(&forms, forms_txt,
	    sizeof(forms_txt) / sizeof(forms_txt[0]), err, sizeof(err)) != 0)
		return -1;
	return names_generic_init(&generic, generic_txt,
	    sizeof(generic_txt) / sizeof(generic_txt[0]), err, sizeof(err));
}

static int
names_cleanup(void)
{
	names_forms_free(&forms);
	names_generic_free(&generic);
	names_thread_end();
	return 0;
}

/* Scores a against b, prints it, returns it; *variant set if not NULL. */
static double
score(const char *a, const char *b, const char **variant)
{
	struct names_hit	h;
	char			err[256] = "";

	if (names_match(a, b, &forms, &generic, &h, err, sizeof(err)) != 0) {
		printf("\n  names: %s\n", err);
		return -1;
	}
	printf("\n  %-32s ~ %-32s %.2f (%s)", a, b, h.score,
	    names_variant_str(h.variant));
	if (variant != NULL)
		*variant = names_variant_str(h.variant);
	return h.score;
}

static int
key_is(const char *name, enum names_variant v, const char *want)
{
	struct names_keys	k;
	char			err[256];
	size_t			i;
	int			ok = 0;

	if (names_keys(name, &forms, &k, err, sizeof(err)) != 0)
		return 0;
	for (i = 0; i < k.n; i++)
		if (k.k[i].variant == v)
			ok = strcmp(k.k[i].text, want) == 0;
	names_keys_free(&k);
	return ok;
}

static void
t_names_keys(void)
{
	CU_ASSERT(key_is("紅星機械進出口有限公司", NAMES_SIMPLIFIED,
	    "红星机械进出口"));
	CU_ASSERT(key_is("红星机械进出口有限公司", NAMES_PINYIN,
	    "hongxingjixiejinchukou"));
	CU_ASSERT(key_is("ТОО «Тимур Трейдинг Хаус»", NAMES_ORIGINAL,
	    "тимур трейдинг хаус"));
	CU_ASSERT(key_is("Công ty TNHH Sao Đông", NAMES_LATIN, "sao dong"));
	CU_ASSERT(key_is("Eastern Star Shipping, LLP", NAMES_ORIGINAL,
	    "eastern star shipping"));
	CU_ASSERT(key_is("ＴＩＭＵＲ Co. Ltd", NAMES_ORIGINAL, "timur"));
	/* A name that is only a legal form keeps it. */
	CU_ASSERT(key_is("LLC", NAMES_ORIGINAL, "llc"));
}

static void
t_names_variants(void)
{
	const char	*v = NULL;

	CU_ASSERT_DOUBLE_EQUAL(score("紅星機械進出口有限公司",
	    "红星机械进出口有限公司", &v), 1.0, 1e-9);
	CU_ASSERT_STRING_EQUAL(v, "simplified");
	CU_ASSERT_DOUBLE_EQUAL(score("Trading House Timur",
	    "Timur Trading House", NULL), 1.0, 1e-9);
	CU_ASSERT(score("Hongxing Jixie Jinchukou", "红星机械进出口有限公司",
	    &v) >= 0.9);
	CU_ASSERT_STRING_EQUAL(v, "pinyin");
	CU_ASSERT(score("ТОО «Тимур Трейдинг Хаус»", "Timur Trading House LLP",
	    &v) >= 0.85);
	CU_ASSERT_STRING_EQUAL(v, "latin");
	CU_ASSERT(score("Công ty TNHH Sao Đông", "Sao Dong", NULL) >= 0.95);
	printf("\n");
}

static void
t_names_different(void)
{
	CU_ASSERT(score("Eastern Star Shipping LLP", "Timur Trading House LLP",
	    NULL) < 0.8);
	CU_ASSERT(score("东方食品有限公司", "红星机械进出口有限公司", NULL)
	    < 0.8);
	CU_ASSERT(score("Vympel Tea Company", "Hongxing Jixie Jinchukou",
	    NULL) < 0.8);
	CU_ASSERT(score("Sao Dong", "Timur Trading House", NULL) < 0.8);
	CU_ASSERT(score("Timur", "Timur Trading House", NULL) < 0.8);
	/* Known weak spot: one Latin word against joined pinyin. */
	(void)score("Hongxing Foods", "红星机械进出口有限公司", NULL);
	printf("\n");
}

static void
t_names_token_set(void)
{
	CU_ASSERT_DOUBLE_EQUAL(names_token_set_score("a b c", "c b a"), 1.0,
	    1e-9);
	CU_ASSERT_DOUBLE_EQUAL(names_token_set_score("", ""), 0.0, 1e-9);
	CU_ASSERT(names_token_set_score("timur trading", "timur") < 0.6);
	CU_ASSERT_DOUBLE_EQUAL(names_token_set_score("红星", "红星"), 1.0,
	    1e-9);
}

/* Each thread opens its own transliterators: same answers, no races. */
static void *
worker(void *arg)
{
	struct names_hit	h;
	char			err[256];
	int			i, *bad = arg;

	for (i = 0; i < 200; i++) {
		if (names_match(i % 2 ? "紅星機械進出口有限公司" :
		    "ТОО «Тимур Трейдинг Хаус»", i % 2 ?
		    "红星机械进出口有限公司" : "Timur Trading House LLP",
		    &forms, &generic, &h, err, sizeof(err)) != 0 ||
		    h.score < (i % 2 ? 1.0 : 0.85))
			(*bad)++;
	}
	names_thread_end();
	return NULL;
}

static void
t_names_threads(void)
{
	pthread_t	t[4];
	int		bad[4] = { 0 }, i;

	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, worker,
		    &bad[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(bad[i], 0);
	}
}

/* Prints what a key costs by script (the bench keys each distinct name
 * once). */
static void
t_names_cost(void)
{
	static const char *const n[] = { "紅星機械進出口有限公司",
	    "ТОО «Тимур Трейдинг Хаус»", "Công ty TNHH Sao Đông",
	    "Eastern Star Shipping LLP" };
	struct names_keys	k;
	struct timespec		a, b;
	char			err[256];
	int			i, j, bad = 0;

	for (j = 0; j < 4; j++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < 500; i++) {
			if (names_keys(n[j], &forms, &k, err, sizeof(err)) != 0)
				bad++;
			else
				names_keys_free(&k);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("\n  names_keys %-28s %.1f us", n[j],
		    ((double)(b.tv_sec - a.tv_sec) * 1e9 +
		    (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / 500);
	}
	printf("\n");
	CU_ASSERT_EQUAL(bad, 0);
}

/* Scripts ICU transliterates that no key above names (Greek, Arabic). */
static void
t_names_other_scripts(void)
{
	CU_ASSERT(key_is("Αθηνά Shipping", NAMES_LATIN, "athena shipping"));
	CU_ASSERT(score("Αθηνά Shipping", "Athena Shipping", NULL) >= 0.95);
	printf("\n");
}

static CU_TestInfo names_tests[] = {
	{ "t_names_keys", t_names_keys },
	{ "t_names_variants", t_names_variants },
	{ "t_names_different", t_names_different },
	{ "t_names_token_set", t_names_token_set },
	{ "t_names_threads", t_names_threads },
	{ "t_names_cost", t_names_cost },
	{ "t_names_other_scripts", t_names_other_scripts },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("names", names_init, names_cleanup, names_tests)
