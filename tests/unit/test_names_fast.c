/*
 * test_names_fast.c -- the per-character transliteration cache of
 * rules/names.c gives byte for byte the keys ICU gives on the whole
 * string: every name of fixtures/screening/pairs.tsv (with and without
 * the fixture legal forms), a generated set of company-like names in
 * Han (Simplified and Traditional, with the characters that start ICU's
 * multi-character rules), Cyrillic and mixed scripts, and random pairs of
 * characters from the whole CJK block; and a character that starts a
 * longer rule read in its context (重庆 chongqing, 重工 zhonggong).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/names.h"

#include "unit.h"

#define PAIRS	"fixtures/screening/pairs.tsv"
#define FORMS	"etc/rules/default/lists/legal-forms.txt"

static struct names_forms	 forms;
static char			*forms_buf;

/* Reads FORMS (one form a line, '#' comments) into forms. */
static int
fast_init(void)
{
	const char	*v[512];
	char		 line[256], err[256], *p;
	size_t		 n = 0, used = 0;
	FILE		*f;

	if ((f = fopen(FORMS, "r")) == NULL ||
	    (forms_buf = malloc(65536)) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL && n < 512) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		while ((p = strrchr(line, ' ')) != NULL && p[1] == '\0')
			*p = '\0';
		if (line[0] == '\0' || used + strlen(line) + 1 > 65536)
			continue;
		v[n++] = strcpy(forms_buf + used, line);
		used += strlen(line) + 1;
	}
	fclose(f);
	return names_forms_init(&forms, v, n, err, sizeof(err));
}

static int
fast_cleanup(void)
{
	names_forms_free(&forms);
	free(forms_buf);
	names_whole_strings(0);
	names_thread_end();
	return 0;
}

/* Keys of name both ways; 1 when they are identical (prints otherwise). */
static int
same_keys(const char *name, const struct names_forms *f)
{
	struct names_keys	a, b;
	char			err[256];
	size_t			i;
	int			ra, rb, same;

	names_whole_strings(1);
	ra = names_keys(name, f, &a, err, sizeof(err));
	names_whole_strings(0);
	rb = names_keys(name, f, &b, err, sizeof(err));
	same = ra == rb && (ra != 0 || a.n == b.n);
	for (i = 0; same && ra == 0 && i < a.n; i++)
		same = a.k[i].variant == b.k[i].variant &&
		    a.k[i].joined == b.k[i].joined &&
		    strcmp(a.k[i].text, b.k[i].text) == 0;
	if (!same)
		printf("\n  keys differ for \"%s\": %s / %s", name,
		    ra == 0 && a.n > 0 ? a.k[a.n - 1].text : "-",
		    rb == 0 && b.n > 0 ? b.k[b.n - 1].text : "-");
	if (ra == 0)
		names_keys_free(&a);
	if (rb == 0)
		names_keys_free(&b);
	return same;
}

static void
t_names_fast_fixtures(void)
{
	char	 line[1024], *a, *b;
	FILE	*f = fopen(PAIRS, "r");
	int	 n = 0, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || (a = strchr(line, '\t')) == NULL ||
		    (b = strchr(++a, '\t')) == NULL)
			continue;
		*b++ = '\0';
		b[strcspn(b, "\t")] = '\0';
		bad += !same_keys(a, NULL) + !same_keys(a, &forms);
		bad += !same_keys(b, NULL) + !same_keys(b, &forms);
		n++;
	}
	fclose(f);
	printf("\n  %d pairs, both names, with and without legal forms\n", n);
	CU_ASSERT(n >= 300);
	CU_ASSERT_EQUAL(bad, 0);
}

/* Words of company names; Traditional forms and the characters that
 * start ICU's multi-character rules (于 餘 薑 藏 重 沈 秘 ...) included so
 * both paths are exercised. */
static const char *const han_words[] = {
	"红星", "紅星", "东方", "東方", "长城", "長城", "华夏", "華夏",
	"新疆", "阿拉山口", "大连", "大連", "海洋", "丰收", "豐收", "机械",
	"機械", "进出口", "進出口", "贸易", "貿易", "物流", "国际", "國際",
	"电子", "電子", "科技", "食品", "农产品", "農產品", "重庆", "重慶",
	"沈阳", "瀋陽", "西藏", "藏文", "秘鲁", "单于", "單于", "于飛",
	"餘地", "生薑", "崑崙", "乾隆", "後面", "發展", "头发", "頭髮",
	"有限公司", "股份有限公司", "集团", "集團", "（北京）", "(上海)",
	"2号", "ABC", "·", "　", "钢铁", "鋼鐵", "煤炭", "化工", "重工",
	"联合", "聯合", "银行", "銀行", "里", "裡", "裏", "面", "麵",
};
static const char *const cyr_words[] = {
	"ТОО", "ООО", "АО", "«", "»", "Тимур", "Трейдинг", "Хаус", "Сибирь",
	"Логистик", "Жетысу", "Фрукт", "Экспорт", "Қазмыс", "Ақ", "Бидай",
	"Щёлково", "Объединённая", "Компания", "Йошкар", "Эльбрус", "Ёлка",
	"ЮГ", "ЩИТ", "Шымкент", "Өскемен", "Ұлы", "Үміт", "Һ", "Іле", "Є",
	"Ї", "Ґ", "Ў", "Ҳ", "ӣ", "Ё", "й", "Й", "ЪЬ", "Trading", "Co.",
};

static const char *
pick(const char *const *v, size_t n, unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return v[(*seed >> 8) % n];
}

/* A name of 1..5 words from v, joined without (Han) or with spaces. */
static void
gen_name(char *out, size_t len, const char *const *v, size_t n,
    const char *sep, unsigned *seed)
{
	int	k, w;

	*seed = *seed * 1103515245u + 12345u;
	w = 1 + (int)((*seed >> 8) % 5);
	out[0] = '\0';
	for (k = 0; k < w; k++) {
		if (k > 0)
			strncat(out, sep, len - strlen(out) - 1);
		strncat(out, pick(v, n, seed), len - strlen(out) - 1);
	}
}

static void
t_names_fast_generated(void)
{
	char		name[512];
	unsigned	seed = 19;
	int		i, bad = 0;

	for (i = 0; i < 6000; i++) {
		if (i % 3 == 0)
			gen_name(name, sizeof(name), han_words,
			    sizeof(han_words) / sizeof(han_words[0]),
			    i % 2 ? "" : " ", &seed);
		else
			gen_name(name, sizeof(name), cyr_words,
			    sizeof(cyr_words) / sizeof(cyr_words[0]), " ",
			    &seed);
		bad += !same_keys(name, i % 2 ? &forms : NULL);
	}
	printf("\n  6000 generated names\n");
	CU_ASSERT_EQUAL(bad, 0);
}

/* Random pairs and triples of characters of the CJK Unified Ideographs
 * block and Extension A: the context of ICU's rules is the neighbour. */
static void
t_names_fast_cjk(void)
{
	char		name[16];
	unsigned	seed = 7;
	int		i, k, len, bad = 0;
	unsigned	c;

	for (i = 0; i < 4000; i++) {
		for (len = k = 0; k < 2 + i % 2; k++) {
			seed = seed * 1103515245u + 12345u;
			c = (seed >> 8) % 3 ? 0x4e00 + (seed >> 8) % 0x5200 :
			    0x3400 + (seed >> 8) % 0x19c0;
			name[len++] = (char)(0xe0 | c >> 12);
			name[len++] = (char)(0x80 | (c >> 6 & 0x3f));
			name[len++] = (char)(0x80 | (c & 0x3f));
		}
		name[len] = '\0';
		bad += !same_keys(name, NULL);
	}
	printf("\n  4000 random CJK pairs and triples\n");
	CU_ASSERT_EQUAL(bad, 0);
}

/* The pinyin key of name, or "" (static buffer). */
static const char *
pinyin_of(const char *name)
{
	static char		buf[256];
	struct names_keys	k;
	char			err[256];
	size_t			i;

	buf[0] = '\0';
	if (names_keys(name, NULL, &k, err, sizeof(err)) != 0)
		return buf;
	for (i = 0; i < k.n; i++)
		if (k.k[i].variant == NAMES_PINYIN)
			snprintf(buf, sizeof(buf), "%s", k.k[i].text);
	names_keys_free(&k);
	return buf;
}

/* A character that starts a longer rule is read with what follows it:
 * 重 before 庆 is chong (Chongqing), elsewhere zhong. */
static void
t_names_fast_windows(void)
{
	CU_ASSERT_STRING_EQUAL(pinyin_of("重庆红星"), "chongqinghongxing");
	CU_ASSERT_STRING_EQUAL(pinyin_of("红星重庆"), "hongxingchongqing");
	CU_ASSERT_STRING_EQUAL(pinyin_of("红星重工"), "hongxingzhonggong");
	CU_ASSERT_STRING_EQUAL(pinyin_of("沈阳重 庆"), "shenyangchongqing");
	CU_ASSERT(same_keys("重庆沈阳秘鲁藏文重重庆", NULL));
	CU_ASSERT(same_keys("茶餘飯後鬼子薑生薑崑崙單于", NULL));
}

/* Prints what each way costs (figures; the bench has the full table). */
static void
t_names_fast_cost(void)
{
	static const char *const n[] = { "紅星機械進出口有限公司",
	    "ТОО «Тимур Трейдинг Хаус»" };
	struct names_keys	k;
	struct timespec		a, b;
	char			err[256];
	double			us[2];
	int			i, j, w, bad = 0;

	for (j = 0; j < 2; j++) {
		for (w = 0; w < 2; w++) {
			names_whole_strings(w);
			clock_gettime(CLOCK_MONOTONIC, &a);
			for (i = 0; i < 200; i++) {
				if (names_keys(n[j], &forms, &k, err,
				    sizeof(err)) != 0)
					bad++;
				else
					names_keys_free(&k);
			}
			clock_gettime(CLOCK_MONOTONIC, &b);
			us[w] = ((double)(b.tv_sec - a.tv_sec) * 1e9 +
			    (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / 200;
		}
		printf("\n  names_keys %-28s cached %.1f us, ICU whole %.1f us",
		    n[j], us[0], us[1]);
	}
	names_whole_strings(0);
	printf("\n");
	CU_ASSERT_EQUAL(bad, 0);
}

static CU_TestInfo names_fast_tests[] = {
	{ "t_names_fast_fixtures", t_names_fast_fixtures },
	{ "t_names_fast_generated", t_names_fast_generated },
	{ "t_names_fast_cjk", t_names_fast_cjk },
	{ "t_names_fast_windows", t_names_fast_windows },
	{ "t_names_fast_cost", t_names_fast_cost },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("names_fast", fast_init, fast_cleanup, names_fast_tests)
