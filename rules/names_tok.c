/*
 * names_tok.c -- the tokens of a party-name key as the name score
 * (rules/names_score.c) compares them, and the generic words it weighs
 * down (struct names_generic, rules/names.h).
 *
 * Owns the generic-word tables (names_generic_init/_free).  Making tokens
 * allocates nothing: they live in a struct names_toks on the caller's
 * stack (a key longer than NAMES_TOK_MAXCP code points or NAMES_TOK_MAX
 * tokens is compared on its start).
 *
 * Folding (names_tok_fold) makes the spellings the transliteration
 * standards give one Cyrillic word (BGN/PCGN, GOST 7.79 B, ISO 9, the
 * informal ones of papers) and the Kazakh and Mongolian letters ICU
 * leaves alone compare alike; generic words and abbreviations are matched
 * on folded tokens, so one line of the list covers Trejd, Treyd, Treid.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "rules/names.h"
#include "rules/names_tok.h"

/* ------------------------------------------------------------------ */
/* Pinyin syllables (Hanyu Pinyin without tones, ü written u or v).    */

static const char *const pinyin[] = {
	"a", "ai", "an", "ang", "ao", "ba", "bai", "ban", "bang", "bao",
	"bei", "ben", "beng", "bi", "bian", "biao", "bie", "bin", "bing", "bo",
	"bu", "ca", "cai", "can", "cang", "cao", "ce", "cen", "ceng", "cha",
	"chai", "chan", "chang", "chao", "che", "chen", "cheng", "chi",
	"chong", "chou", "chu", "chua", "chuai", "chuan", "chuang", "chui",
	"chun", "chuo", "ci", "cong", "cou", "cu", "cuan", "cui", "cun", "cuo",
	"da", "dai", "dan", "dang", "dao", "de", "dei", "den", "deng", "di",
	"dia", "dian", "diao", "die", "ding", "diu", "dong", "dou", "du",
	"duan", "dui", "dun", "duo", "e", "ei", "en", "eng", "er", "fa", "fan",
	"fang", "fei", "fen", "feng", "fo", "fou", "fu", "ga", "gai", "gan",
	"gang", "gao", "ge", "gei", "gen", "geng", "gong", "gou", "gu", "gua",
	"guai", "guan", "guang", "gui", "gun", "guo", "ha", "hai", "han",
	"hang", "hao", "he", "hei", "hen", "heng", "hong", "hou", "hu", "hua",
	"huai", "huan", "huang", "hui", "hun", "huo", "ji", "jia", "jian",
	"jiang", "jiao", "jie", "jin", "jing", "jiong", "jiu", "ju", "juan",
	"jue", "jun", "ka", "kai", "kan", "kang", "kao", "ke", "kei", "ken",
	"keng", "kong", "kou", "ku", "kua", "kuai", "kuan", "kuang", "kui",
	"kun", "kuo", "la", "lai", "lan", "lang", "lao", "le", "lei", "leng",
	"li", "lia", "lian", "liang", "liao", "lie", "lin", "ling", "liu", "lo",
	"long", "lou", "lu", "luan", "lue", "lun", "luo", "lv", "lve", "ma",
	"mai", "man", "mang", "mao", "me", "mei", "men", "meng", "mi", "mian",
	"miao", "mie", "min", "ming", "miu", "mo", "mou", "mu", "na", "nai",
	"nan", "nang", "nao", "ne", "nei", "nen", "neng", "ni", "nian",
	"niang", "niao", "nie", "nin", "ning", "niu", "nong", "nou", "nu",
	"nuan", "nue", "nuo", "nv", "nve", "o", "ou", "pa", "pai", "pan",
	"pang", "pao", "pei", "pen", "peng", "pi", "pian", "piao", "pie",
	"pin", "ping", "po", "pou", "pu", "qi", "qia", "qian", "qiang", "qiao",
	"qie", "qin", "qing", "qiong", "qiu", "qu", "quan", "que", "qun",
	"ran", "rang", "rao", "re", "ren", "reng", "ri", "rong", "rou", "ru",
	"rua", "ruan", "rui", "run", "ruo", "sa", "sai", "san", "sang", "sao",
	"se", "sen", "seng", "sha", "shai", "shan", "shang", "shao", "she",
	"shei", "shen", "sheng", "shi", "shou", "shu", "shua", "shuai",
	"shuan", "shuang", "shui", "shun", "shuo", "si", "song", "sou", "su",
	"suan", "sui", "sun", "suo", "ta", "tai", "tan", "tang", "tao", "te",
	"teng", "ti", "tian", "tiao", "tie", "ting", "tong", "tou", "tu",
	"tuan", "tui", "tun", "tuo", "wa", "wai", "wan", "wang", "wei", "wen",
	"weng", "wo", "wu", "xi", "xia", "xian", "xiang", "xiao", "xie", "xin",
	"xing", "xiong", "xiu", "xu", "xuan", "xue", "xun", "ya", "yan",
	"yang", "yao", "ye", "yi", "yin", "ying", "yo", "yong", "you", "yu",
	"yuan", "yue", "yun", "za", "zai", "zan", "zang", "zao", "ze", "zei",
	"zen", "zeng", "zha", "zhai", "zhan", "zhang", "zhao", "zhe", "zhei",
	"zhen", "zheng", "zhi", "zhong", "zhou", "zhu", "zhua", "zhuai",
	"zhuan", "zhuang", "zhui", "zhun", "zhuo", "zi", "zong", "zou", "zu",
	"zuan", "zui", "zun", "zuo",
};

int
names_tok_syllable(const int32_t *cp, size_t n)
{
	char	s[8];
	size_t	i, lo = 0, hi = sizeof(pinyin) / sizeof(pinyin[0]), mid;
	int	c;

	if (n == 0 || n > 6)
		return 0;
	for (i = 0; i < n; i++)
		s[i] = (char)cp[i];
	s[n] = '\0';
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(s, pinyin[mid])) == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* Splits an ASCII word into the fewest pinyin syllables; their ends in
 * end[] (ascending), their count returned, 0 when it is not pinyin. */
static size_t
pinyin_split(const int32_t *cp, size_t n, uint8_t *end)
{
	uint8_t	best[NAMES_TOK_CP + 1], from[NAMES_TOK_CP + 1];
	size_t	i, k, cnt = 0;

	if (n == 0 || n > NAMES_TOK_CP)
		return 0;
	for (i = 0; i < n; i++)
		if (cp[i] < 'a' || cp[i] > 'z')
			return 0;
	memset(best, 0xff, sizeof(best));
	best[0] = 0;
	for (i = 1; i <= n; i++)
		for (k = i > 6 ? i - 6 : 0; k < i; k++)
			if (best[k] != 0xff && best[k] + 1 < best[i] &&
			    names_tok_syllable(cp + k, i - k)) {
				best[i] = (uint8_t)(best[k] + 1);
				from[i] = (uint8_t)k;
			}
	if (best[n] == 0xff)
		return 0;
	cnt = best[n];
	for (i = n, k = cnt; k > 0; i = from[i])
		end[--k] = (uint8_t)i;
	return cnt;
}

/* ------------------------------------------------------------------ */
/* Folding the spellings transliterations differ in.                   */

static int
is_vowel(int32_t c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Letters ICU's Cyrillic-Latin leaves Cyrillic (Kazakh, Mongolian) as
 * the Latin letter their practical spellings use; 0 for modifier
 * letters (ICU writes Kazakh қ as k + U+02CC), c itself otherwise. */
static int32_t
fold_other(int32_t c)
{
	switch (c) {
	case 0x04e9:	/* ө: Latin o, ö or u -- compared as either */
		return NAMES_TOK_O_OR_U;
	case 0x04af: case 0x04b1:		/* ү ұ */
		return 'u';
	case 0x0456: return 'i';		/* і */
	case 0x049b: return 'k';		/* қ */
	case 0x0493: return 'g';		/* ғ */
	case 0x04a3: return 'n';		/* ң */
	case 0x04bb: return 'h';		/* һ */
	case 0x04d9: return 'a';		/* ә */
	}
	return c >= 0x02b0 && c <= 0x02ff ? 0 : c;
}

/* Folds token s (see the top of the file): kh x h, zh z, ch c, sh s,
 * shch shh s, ts cz c, q k, w v, j (initial z, else i), y i, i before
 * another vowel dropped (ya yu ye yo, â û), doubled letters once; the
 * Kazakh and Mongolian letters as fold_other says (ө: NAMES_TOK_O_OR_U). */
size_t
names_tok_fold(const int32_t *s, size_t n, int32_t *o)
{
	size_t	i = 0, k = 0;
	int32_t	c, d, e;

	while (i < n) {
		c = fold_other(s[i]);
		d = i + 1 < n ? s[i + 1] : 0;
		e = i + 2 < n ? s[i + 2] : 0;
		if (c == 's' && d == 'h' && e == 'c' && i + 3 < n &&
		    s[i + 3] == 'h') {
			i += 4;
		} else if (c == 's' && d == 'h' && e == 'h') {
			i += 3;
		} else if ((c == 'k' || c == 'z' || c == 'c' || c == 's') &&
		    d == 'h') {
			c = c == 'k' ? 'h' : c;
			i += 2;
		} else if ((c == 't' && d == 's') || (c == 'c' && d == 'z')) {
			c = 'c';
			i += 2;
		} else {
			i++;
			if (c == 0)
				continue;
			if (c == 'x')
				c = 'h';
			else if (c == 'q')
				c = 'k';
			else if (c == 'w')
				c = 'v';
			else if (c == 'j')
				c = k == 0 ? 'z' : 'i';
			else if (c == 'y')
				c = 'i';
		}
		if (k > 0 && o[k - 1] == 'i' && is_vowel(c) && c != 'i' &&
		    (k == 1 || o[k - 2] != 'i'))
			k--;
		if (k > 0 && o[k - 1] == c)
			continue;
		o[k++] = c;
	}
	return k;
}

/* ------------------------------------------------------------------ */
/* Tokens.                                                             */

static int
is_han(int32_t c)
{
	UErrorCode	st = U_ZERO_ERROR;

	return c >= 0x2e80 && uscript_getScript(c, &st) == USCRIPT_HAN;
}

void
names_tok_set(struct names_tok *t, const int32_t *cp, size_t len, int han)
{
	t->cp = cp;
	t->len = (uint32_t)len;
	t->fcp = NULL;
	t->flen = 0;
	t->generic = t->syl = 0;
	t->han = (uint8_t)han;
}

/* Splits UTF-8 key text into tokens (each Han character one). */
static void
toks_split(const char *s, struct names_toks *t)
{
	int32_t	 i = 0, len = (int32_t)strlen(s);
	UChar32	 c;
	int	 in = 0, han;

	t->used = t->fused = t->n = 0;
	while (i < len && t->used < NAMES_TOK_MAXCP) {
		U8_NEXT(s, i, len, c);
		if (c < 0)
			c = 0xfffd;
		if (c == ' ') {
			in = 0;
			continue;
		}
		han = is_han(c);
		t->buf[t->used] = c;
		if (in && !han) {
			if (t->t[t->n - 1].len < NAMES_TOK_CP)
				t->t[t->n - 1].len++;
		} else {
			if (t->n == NAMES_TOK_MAX)
				break;
			names_tok_set(&t->t[t->n++], &t->buf[t->used], 1, han);
			in = !han;
		}
		t->used++;
	}
}

/* Folds the tokens not folded yet (Han characters fold to themselves). */
static void
toks_fold(struct names_toks *t)
{
	struct names_tok	*k;
	size_t		 i;

	for (i = 0; i < t->n; i++) {
		k = &t->t[i];
		if (k->fcp != NULL)
			continue;
		if (k->han || t->fused + k->len > NAMES_TOK_FOLDCP) {
			k->fcp = k->cp;
			k->flen = k->len;
			continue;
		}
		k->fcp = t->fbuf + t->fused;
		k->flen = (uint32_t)names_tok_fold(k->cp, k->len, t->fbuf + t->fused);
		t->fused += k->flen;
	}
}

/* Splits every word that is a run of pinyin syllables into them. */
static void
toks_pinyin(struct names_toks *t)
{
	struct names_tok	out[NAMES_TOK_MAX];
	uint8_t		end[NAMES_TOK_CP];
	size_t		i, k, m, n = 0, at;

	for (i = 0; i < t->n && n < NAMES_TOK_MAX; i++) {
		m = t->t[i].han ? 0 : pinyin_split(t->t[i].cp, t->t[i].len,
		    end);
		out[n] = t->t[i];
		if (m == 1)
			out[n].syl = 1;
		if (m < 2) {
			n++;
			continue;
		}
		for (k = 0, at = 0; k < m && n < NAMES_TOK_MAX; k++) {
			names_tok_set(&out[n], t->t[i].cp + at, end[k] - at, 0);
			out[n].syl = 1;
			at = end[k];
			n++;
		}
	}
	for (t->n = 0; t->n < n; t->n++)
		t->t[t->n] = out[t->n];
}

/* Does folded token a equal the folded phrase token cp[0..len)? */
static int
tok_feq(const struct names_tok *a, const int32_t *cp, size_t len)
{
	return a->flen == len && memcmp(a->fcp, cp, sizeof(*cp) * len) == 0;
}

/* Does phrase p (folded) start at token i?  Returns its token count. */
static size_t
phrase_at(const struct names_toks *t, size_t i, const struct names_gphrase *p)
{
	size_t	k, off = 0, e;

	for (k = 0; k < p->ntok; k++) {
		if (i + k >= t->n)
			return 0;
		for (e = off; e < p->len && p->cp[e] != ' '; e++)
			;
		if (!tok_feq(&t->t[i + k], p->cp + off, e - off))
			return 0;
		off = e + 1;
	}
	return p->ntok;
}

static int	first_cmp(const int32_t *, size_t, const struct names_gphrase *);

/* The first of p[0..n) (sorted by first token) whose first token is
 * token t; n if none. */
static size_t
phrases_first(const struct names_gphrase *p, size_t n,
    const struct names_tok *t)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (first_cmp(t->fcp, t->flen, &p[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && first_cmp(t->fcp, t->flen, &p[lo]) == 0 ? lo : n;
}

/* The abbreviation of g at token i: its index in *a and the number of
 * tokens it spans; 0 if none.  Two tokens written together count as
 * one (GOST's E'ksport, whose apostrophe the key made a space). */
static size_t
abbr_at(const struct names_toks *t, size_t i, const struct names_generic *g,
    size_t *a)
{
	int32_t			buf[NAMES_TOK_CP], fb[NAMES_TOK_CP];
	struct names_tok	j;
	size_t			m, k;

	for (k = phrases_first(g->from, g->nabbr, &t->t[i]); k < g->nabbr &&
	    first_cmp(t->t[i].fcp, t->t[i].flen, &g->from[k]) == 0; k++)
		if ((m = phrase_at(t, i, &g->from[k])) > 0) {
			*a = k;
			return m;
		}
	if (i + 1 >= t->n || t->t[i].han || t->t[i + 1].han ||
	    t->t[i].len + t->t[i + 1].len > NAMES_TOK_CP)
		return 0;
	memcpy(buf, t->t[i].cp, sizeof(*buf) * t->t[i].len);
	memcpy(buf + t->t[i].len, t->t[i + 1].cp,
	    sizeof(*buf) * t->t[i + 1].len);
	names_tok_set(&j, buf, t->t[i].len + t->t[i + 1].len, 0);
	j.fcp = fb;
	j.flen = (uint32_t)names_tok_fold(buf, j.len, fb);
	for (k = phrases_first(g->from, g->nabbr, &j); k < g->nabbr &&
	    first_cmp(j.fcp, j.flen, &g->from[k]) == 0; k++)
		if (g->from[k].ntok == 1) {
			*a = k;
			return 2;
		}
	return 0;
}

/* Replaces abbreviations of generic words by what they stand for. */
static void
toks_expand(struct names_toks *t, const struct names_generic *g)
{
	struct names_tok	 out[NAMES_TOK_MAX];
	const int32_t		*cp;
	size_t			 i, a = 0, m, n = 0, off, e;

	for (i = 0; i < t->n && n < NAMES_TOK_MAX; ) {
		if ((m = abbr_at(t, i, g, &a)) == 0) {
			out[n++] = t->t[i++];
			continue;
		}
		cp = g->to[a].cp;
		for (off = 0; off < g->to[a].len && n < NAMES_TOK_MAX;
		    off = e + 1) {
			for (e = off; e < g->to[a].len && cp[e] != ' '; e++)
				;
			names_tok_set(&out[n++], cp + off, e - off,
			    e - off == 1 && is_han(cp[off]));
		}
		i += m;
	}
	for (t->n = 0; t->n < n; t->n++)
		t->t[t->n] = out[t->n];
}

/* Compares first tokens: phrases are sorted by it, longest first. */
static int
first_cmp(const int32_t *a, size_t la, const struct names_gphrase *p)
{
	size_t	lb, i;

	for (lb = 0; lb < p->len && p->cp[lb] != ' '; lb++)
		;
	for (i = 0; i < la && i < lb; i++)
		if (a[i] != p->cp[i])
			return a[i] < p->cp[i] ? -1 : 1;
	return la < lb ? -1 : la > lb ? 1 : 0;
}

/* Marks the tokens that are generic words; 1 if any token is not. */
static int
toks_mark(struct names_toks *t, const struct names_generic *g)
{
	size_t	i, k, lo, m;
	int	distinct = 0;

	for (i = 0; i < t->n; i++) {
		lo = phrases_first(g->word, g->nword, &t->t[i]);
		for (m = 0; lo < g->nword && first_cmp(t->t[i].fcp,
		    t->t[i].flen, &g->word[lo]) == 0; lo++)
			if ((m = phrase_at(t, i, &g->word[lo])) > 0)
				break;
		for (k = 0; k < m; k++)
			t->t[i + k].generic = 1;
		if (m > 0)
			i += m - 1;
	}
	for (i = 0; i < t->n; i++)
		distinct |= !t->t[i].generic;
	return distinct;
}


int
names_toks_make(const char *s, int pin, const struct names_generic *g,
    struct names_toks *t)
{
	toks_split(s, t);
	toks_fold(t);
	if (g != NULL && g->nabbr > 0)
		toks_expand(t, g);
	if (pin)
		toks_pinyin(t);
	toks_fold(t);
	return g != NULL && g->nword > 0 ? toks_mark(t, g) : 1;
}

/* ------------------------------------------------------------------ */
/* The generic words.                                                  */

static void
phrases_free(struct names_gphrase *p, size_t n)
{
	size_t	i;

	for (i = 0; p != NULL && i < n; i++)
		free(p[i].cp);
	free(p);
}

void
names_generic_free(struct names_generic *g)
{
	phrases_free(g->word, g->nword);
	phrases_free(g->from, g->nabbr);
	phrases_free(g->to, g->nabbr);
	memset(g, 0, sizeof(*g));
}

/* The phrase of key text s: its tokens, split into pinyin syllables when
 * `pin`, folded when `folded`.  0, or -1 out of memory. */
static int
phrase_make(const char *s, int pin, int folded, struct names_gphrase *p)
{
	struct names_toks	 t;
	struct names_tok	*k;
	size_t		 i, n = 0;

	toks_split(s, &t);
	if (pin)
		toks_pinyin(&t);
	toks_fold(&t);
	p->ntok = t.n;
	for (i = 0; i < t.n; i++)
		n += (folded ? t.t[i].flen : t.t[i].len) + 1;
	p->len = n > 0 ? n - 1 : 0;
	if ((p->cp = malloc(sizeof(int32_t) * (n + 1))) == NULL)
		return -1;
	for (i = 0, n = 0; i < t.n; i++) {
		k = &t.t[i];
		memcpy(p->cp + n, folded ? k->fcp : k->cp, sizeof(int32_t) *
		    (folded ? k->flen : k->len));
		n += folded ? k->flen : k->len;
		if (i + 1 < t.n)
			p->cp[n++] = ' ';
	}
	return 0;
}

static int
phrase_same(const struct names_gphrase *a, const struct names_gphrase *b)
{
	return a->len == b->len && memcmp(a->cp, b->cp, sizeof(int32_t) *
	    a->len) == 0;
}

/* Adds the phrases of every key of k to g's words (both unsplit and in
 * pinyin syllables), skipping ones already there. */
static int
words_add(struct names_generic *g, size_t *cap, const struct names_keys *k)
{
	struct names_gphrase	 p, *w;
	size_t			 i, j, pin;

	for (i = 0; i < k->n; i++)
		for (pin = 0; pin < 2; pin++) {
			if (phrase_make(k->k[i].text, (int)pin, 1, &p) != 0)
				return -1;
			for (j = 0; j < g->nword; j++)
				if (phrase_same(&g->word[j], &p))
					break;
			if (j < g->nword || p.ntok == 0) {
				free(p.cp);
				continue;
			}
			if (g->nword == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				if ((w = realloc(g->word, sizeof(*w) * *cap))
				    == NULL) {
					free(p.cp);
					return -1;
				}
				g->word = w;
			}
			g->word[g->nword++] = p;
		}
	return 0;
}

/* Adds abbreviation keys a standing for keys e, key form by key form. */
static int
abbrs_add(struct names_generic *g, size_t *cap, const struct names_keys *a,
    const struct names_keys *e)
{
	struct names_gphrase	*f, *t;
	size_t			 i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < e->n && e->k[j].variant != a->k[i].variant;
		    j++)
			;
		if (j == e->n)
			j = e->n - 1;
		if (g->nabbr == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			if ((f = realloc(g->from, sizeof(*f) * *cap)) == NULL)
				return -1;
			g->from = f;
			if ((t = realloc(g->to, sizeof(*t) * *cap)) == NULL)
				return -1;
			g->to = t;
		}
		if (phrase_make(a->k[i].text, 0, 1, &g->from[g->nabbr]) != 0)
			return -1;
		if (phrase_make(e->k[j].text, 0, 0, &g->to[g->nabbr]) != 0) {
			free(g->from[g->nabbr].cp);
			return -1;
		}
		g->nabbr++;
	}
	return 0;
}

static int
phrase_order(const void *pa, const void *pb)
{
	const struct names_gphrase	*a = pa, *b = pb;
	size_t				 la;
	int				 c;

	for (la = 0; la < a->len && a->cp[la] != ' '; la++)
		;
	if ((c = first_cmp(a->cp, la, b)) != 0)
		return c;
	return a->ntok > b->ntok ? -1 : a->ntok < b->ntok ? 1 :
	    a->len > b->len ? -1 : a->len < b->len ? 1 : 0;
}

/* An abbreviation and what it stands for, sorted together. */
struct abbr_pair {
	struct names_gphrase	from, to;
};

static int
abbr_order(const void *a, const void *b)
{
	return phrase_order(&((const struct abbr_pair *)a)->from,
	    &((const struct abbr_pair *)b)->from);
}

/* Sorts g's abbreviations like its words (by first token, longest
 * first), each with its expansion; 0 or -1 out of memory. */
static int
abbrs_sort(struct names_generic *g)
{
	struct abbr_pair	*p;
	size_t			 i;

	if ((p = calloc(g->nabbr, sizeof(*p))) == NULL)
		return -1;
	for (i = 0; i < g->nabbr; i++) {
		p[i].from = g->from[i];
		p[i].to = g->to[i];
	}
	qsort(p, g->nabbr, sizeof(*p), abbr_order);
	for (i = 0; i < g->nabbr; i++) {
		g->from[i] = p[i].from;
		g->to[i] = p[i].to;
	}
	free(p);
	return 0;
}

/* One line of the list: a word or phrase, or "ABBR = WORDS". */
static int
generic_line(struct names_generic *g, size_t *wcap, size_t *acap,
    const char *line, char *err, size_t errlen)
{
	struct names_keys	 k, e;
	const char		*eq = strchr(line, '=');
	char			 abbr[256];
	size_t			 n;
	int			 r;

	if (line[strspn(line, " \t")] == '#')
		return 0;	/* a comment, as in the list file */
	if (eq == NULL) {
		if (names_keys(line, NULL, &k, err, errlen) != 0)
			return -1;
		/* like a legal form, a line without letters adds nothing */
		r = k.n == 0 || k.k[0].text[0] == '\0' ? 0 :
		    words_add(g, wcap, &k);
		names_keys_free(&k);
	} else {
		n = (size_t)(eq - line) < sizeof(abbr) ? (size_t)(eq - line) :
		    sizeof(abbr) - 1;
		memcpy(abbr, line, n);
		abbr[n] = '\0';
		if (names_keys(abbr, NULL, &k, err, errlen) != 0)
			return -1;
		if (names_keys(eq + 1, NULL, &e, err, errlen) != 0) {
			names_keys_free(&k);
			return -1;
		}
		r = k.n == 0 || e.n == 0 || k.k[0].text[0] == '\0' ||
		    e.k[0].text[0] == '\0' ? -2 : abbrs_add(g, acap, &k, &e);
		if (r == 0)
			r = words_add(g, wcap, &e);
		names_keys_free(&k);
		names_keys_free(&e);
	}
	if (r == -2)
		snprintf(err, errlen, "generic words: \"%s\": an abbreviation "
		    "or what it stands for has no letters", line);
	else if (r != 0)
		snprintf(err, errlen, "generic words: out of memory");
	return r == 0 ? 0 : -1;
}

int
names_generic_init(struct names_generic *g, const char *const *lines,
    size_t n, char *err, size_t errlen)
{
	size_t	i, wcap = 0, acap = 0;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < n; i++)
		if (generic_line(g, &wcap, &acap, lines[i], err, errlen) != 0) {
			names_generic_free(g);
			return -1;
		}
	if (g->nword > 0)
		qsort(g->word, g->nword, sizeof(*g->word), phrase_order);
	if (g->nabbr > 0 && abbrs_sort(g) != 0) {
		snprintf(err, errlen, "generic words: out of memory");
		names_generic_free(g);
		return -1;
	}
	return 0;
}
