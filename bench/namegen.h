/*
 * namegen.h -- deterministic generator of company names that look like
 * the ones manifests carry (Latin, Cyrillic, Han), for bench/screening.c
 * and tests/unit/test_names_index.c.  Small vocabularies per script --
 * distinctive words, business words, places, legal forms -- so that
 * unrelated names share words the way real ones do, and variants of a
 * name (words reordered or dropped, a typo, Traditional characters,
 * another legal form) as a party would write a listed one.
 *
 * Header only (static functions): the two programs that use it are not
 * linked together.  Owns nothing; names are written to caller buffers.
 */
#ifndef BENCH_NAMEGEN_H
#define BENCH_NAMEGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NG_N(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const ng_lat_dist[] = {
	"Timur", "Eastern", "Star", "Golden", "Altyn", "Nord", "Baikal",
	"Sapphire", "Phoenix", "Silk", "Road", "Steppe", "Aral", "Caspian",
	"Orient", "Pacific", "Atlas", "Vega", "Orion", "Polar", "Red",
	"Green", "Blue", "White", "Jade", "Dragon", "Eagle", "Falcon",
	"Tiger", "Lotus", "Crystal", "Summit", "Pioneer", "Unity", "Vympel",
	"Almaty", "Astana", "Kostanay", "Pavlodar", "Urumqi", "Erdenet",
	"Horgos", "Dostyk", "Khorgos", "Karaganda", "Aktobe", "Shymkent",
	"Ural", "Volga", "Amur", "Irtysh", "Tengri", "Sunrise", "Meridian",
	"Horizon", "Zenith", "Northern", "Southern", "Western", "Grand",
	"Royal", "Prime", "Delta", "Sigma", "Omega", "Alpha", "Kazakh",
	"Euro", "Asia", "Trans", "Hongxing", "Jinlong", "Changcheng",
};
static const char *const ng_lat_gen[] = {
	"Trading", "Logistics", "Import", "Export", "Foods", "Shipping",
	"Machinery", "Industrial", "Holdings", "Group", "International",
	"Agro", "Steel", "Grain", "Metals", "Textiles", "Chemicals",
	"Electronics", "Transport", "Supply", "House", "Company", "Freight",
	"Energy", "Mining", "Construction", "Technologies", "Services",
};
static const char *const ng_lat_form[] = {
	"", "LLC", "LLP", "Co. Ltd", "JSC", "GmbH", "Ltd", "Inc.",
};
static const char *const ng_cyr_dist[] = {
	"Тимур", "Сибирь", "Алтын", "Байкал", "Восток", "Заря", "Север",
	"Урал", "Жетысу", "Қазмыс", "Павлодар", "Костанай", "Астана",
	"Алатау", "Енисей", "Амур", "Волга", "Ока", "Вымпел", "Звезда",
	"Рассвет", "Прогресс", "Меридиан", "Горизонт", "Орион", "Вега",
	"Полюс", "Тайга", "Степь", "Берёзка", "Ақ", "Бидай", "Кызыл",
	"Жол", "Темір", "Шанырақ", "Арман", "Нұр", "Сункар", "Беркут",
	"Иртыш", "Балхаш", "Эльбрус", "Юг", "Щит", "Феникс",
};
static const char *const ng_cyr_gen[] = {
	"Трейдинг", "Логистик", "Импорт", "Экспорт", "Агро", "Снаб",
	"Торговый Дом", "Металл", "Транс", "Групп", "Холдинг", "Строй",
	"Экспедиция", "Терминал", "Зерно", "Продукт", "Хаус", "Компани",
};
static const char *const ng_cyr_form[] = { "", "ТОО", "ООО", "АО" };
static const char *const ng_han_place[] = {
	"", "", "新疆", "大连", "成都", "西安", "郑州", "乌鲁木齐", "阿拉山口",
	"霍尔果斯", "连云港", "重庆", "沈阳", "广西凭祥", "内蒙古", "天津",
};
static const char *const ng_han_dist[] = {
	"红星", "东方", "长城", "华夏", "金龙", "海洋", "丰收", "天山", "北方",
	"新兴", "宏达", "恒通", "瑞丰", "中亚", "丝路", "银河", "龙腾", "顺发",
	"鑫源", "远航", "泰和", "安达", "永盛", "嘉华", "昌盛", "伟业", "隆基",
	"正大", "光明", "博远", "汇通", "德润", "星辰", "万里", "飞鹰", "天马",
	"绿洲", "雪莲", "胡杨", "驼铃",
};
static const char *const ng_han_gen[] = {
	"机械", "进出口", "贸易", "物流", "电子", "科技", "食品", "农产品",
	"钢铁", "化工", "纺织", "国际", "供应链", "实业", "能源", "运输",
};
static const char *const ng_han_form[] = {
	"有限公司", "有限公司", "股份有限公司", "有限责任公司", "集团有限公司",
};
/* Simplified characters of the vocabulary and their Traditional forms. */
static const char *const ng_trad[][2] = {
	{ "红", "紅" }, { "东", "東" }, { "长", "長" }, { "华", "華" },
	{ "龙", "龍" }, { "丰", "豐" }, { "兴", "興" }, { "达", "達" },
	{ "通", "通" }, { "亚", "亞" }, { "丝", "絲" }, { "银", "銀" },
	{ "腾", "騰" }, { "发", "發" }, { "远", "遠" }, { "航", "航" },
	{ "机", "機" }, { "械", "械" }, { "进", "進" }, { "贸", "貿" },
	{ "易", "易" }, { "电", "電" }, { "产", "產" }, { "钢", "鋼" },
	{ "铁", "鐵" }, { "纺", "紡" }, { "织", "織" }, { "国", "國" },
	{ "际", "際" }, { "应", "應" }, { "链", "鏈" }, { "运", "運" },
	{ "输", "輸" }, { "连", "連" }, { "乌", "烏" }, { "鲁", "魯" },
	{ "尔", "爾" }, { "门", "門" }, { "汇", "匯" }, { "润", "潤" },
	{ "驼", "駝" }, { "铃", "鈴" }, { "马", "馬" }, { "鹰", "鷹" },
	{ "飞", "飛" }, { "万", "萬" }, { "里", "里" }, { "绿", "綠" },
	{ "莲", "蓮" }, { "杨", "楊" }, { "业", "業" }, { "伟", "偉" },
	{ "责", "責" }, { "团", "團" }, { "实", "實" }, { "区", "區" },
};

/* xorshift64*: the same sequence for the same seed everywhere. */
static uint64_t
ng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static const char *
ng_pick(const char *const *v, size_t n, uint64_t *s)
{
	return v[ng_next(s) % n];
}

static void
ng_cat(char *out, size_t len, const char *a, const char *sep)
{
	if (a[0] == '\0')
		return;
	if (out[0] != '\0')
		strncat(out, sep, len - strlen(out) - 1);
	strncat(out, a, len - strlen(out) - 1);
}

/* A Latin or Cyrillic name: one or two distinctive words, one or two
 * business words, perhaps a legal form (Cyrillic ones come first). */
static void
ng_words(char *out, size_t len, const char *const *d, size_t nd,
    const char *const *g, size_t ng, const char *const *f, size_t nf,
    int form_first, uint64_t *s)
{
	const char	*form = ng_pick(f, nf, s);
	uint64_t	 r = ng_next(s);

	out[0] = '\0';
	if (form_first)
		ng_cat(out, len, form, " ");
	ng_cat(out, len, ng_pick(d, nd, s), " ");
	if (r & 1)
		ng_cat(out, len, ng_pick(d, nd, s), " ");
	ng_cat(out, len, ng_pick(g, ng, s), " ");
	if (r & 2)
		ng_cat(out, len, ng_pick(g, ng, s), " ");
	if (!form_first)
		ng_cat(out, len, form, " ");
}

static void
ng_han(char *out, size_t len, uint64_t *s)
{
	uint64_t	r = ng_next(s);

	out[0] = '\0';
	ng_cat(out, len, ng_pick(ng_han_place, NG_N(ng_han_place), s), "");
	ng_cat(out, len, ng_pick(ng_han_dist, NG_N(ng_han_dist), s), "");
	if (r & 1)
		ng_cat(out, len, ng_pick(ng_han_dist, NG_N(ng_han_dist), s), "");
	ng_cat(out, len, ng_pick(ng_han_gen, NG_N(ng_han_gen), s), "");
	if (r & 2)
		ng_cat(out, len, ng_pick(ng_han_gen, NG_N(ng_han_gen), s), "");
	ng_cat(out, len, ng_pick(ng_han_form, NG_N(ng_han_form), s), "");
}

/* A company name in script 0 Latin, 1 Cyrillic, 2 Han. */
static void
ng_name(char *out, size_t len, int script, uint64_t *s)
{
	if (script == 0)
		ng_words(out, len, ng_lat_dist, NG_N(ng_lat_dist), ng_lat_gen,
		    NG_N(ng_lat_gen), ng_lat_form, NG_N(ng_lat_form), 0, s);
	else if (script == 1)
		ng_words(out, len, ng_cyr_dist, NG_N(ng_cyr_dist), ng_cyr_gen,
		    NG_N(ng_cyr_gen), ng_cyr_form, NG_N(ng_cyr_form), 1, s);
	else
		ng_han(out, len, s);
}

/* Mixed scripts: half Latin, a quarter each Cyrillic and Han. */
static int
ng_script(uint64_t *s)
{
	uint64_t	r = ng_next(s) % 4;

	return r < 2 ? 0 : (int)r - 1;
}

/* Replaces every Simplified character of ng_trad in out by its
 * Traditional form. */
static void
ng_traditional(char *out, size_t len)
{
	char	 buf[512];
	size_t	 i, k, o = 0;

	for (i = 0; out[i] != '\0' && o + 8 < sizeof(buf); ) {
		for (k = 0; k < NG_N(ng_trad); k++)
			if (strncmp(out + i, ng_trad[k][0],
			    strlen(ng_trad[k][0])) == 0)
				break;
		if (k < NG_N(ng_trad)) {
			memcpy(buf + o, ng_trad[k][1], strlen(ng_trad[k][1]));
			o += strlen(ng_trad[k][1]);
			i += strlen(ng_trad[k][0]);
		} else
			buf[o++] = out[i++];
	}
	if (o >= len)
		o = len - 1;
	memcpy(out, buf, o);
	out[o] = '\0';
}

/* A variant of name in out: words rotated, the last word dropped, an
 * ASCII letter dropped, or (Han) Traditional characters. */
static void
ng_variant(char *out, size_t len, const char *name, uint64_t *s)
{
	const char	*sp;
	size_t		 n, i;

	snprintf(out, len, "%s", name);
	switch (ng_next(s) % 4) {
	case 0:		/* "A B C" -> "B C A" */
		if ((sp = strchr(name, ' ')) != NULL) {
			snprintf(out, len, "%s %.*s", sp + 1,
			    (int)(sp - name), name);
			break;
		}
		/* FALLTHROUGH */
	case 1:
		if ((sp = strrchr(out, ' ')) != NULL) {
			out[sp - out] = '\0';
			break;
		}
		/* FALLTHROUGH */
	case 2:
		n = strlen(out);
		i = n > 2 ? 1 + ng_next(s) % (n - 2) : n;
		if (i < n && (unsigned char)out[i] < 0x80 &&
		    out[i] != ' ') {
			memmove(out + i, out + i + 1, n - i);
			break;
		}
		/* FALLTHROUGH */
	default:
		ng_traditional(out, len);
	}
}

#endif
