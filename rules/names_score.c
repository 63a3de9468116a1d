/*
 * names_score.c -- the similarity of two party-name keys (rules/names.h).
 *
 * Owns nothing: a comparison's tokens live on the stack (rules/names_tok.c
 * makes them; a key longer than NAMES_TOK_MAXCP code points or
 * NAMES_TOK_MAX tokens is compared on its start), but for a list name's,
 * which names_keys_keep() allocates once for the caller (the index) to
 * free with names_keys_kept_free().
 *
 * The model, so that a score can be explained to an officer:
 *
 * 0. Keys.  Every key of one name is compared with every key of the
 *    other (names.h) and the best pair counts, except: a key holding Han
 *    characters only with another holding Han (anything else scores 0),
 *    and two pinyin keys not at all -- two Chinese names compare by
 *    character, their pinyin would make homophones (华远 / 华源) one.
 * 1. Tokens.  A key is split on spaces; every Han character is a token
 *    (one differing character of 郑州长城电子 / 郑州长风电子 counts, a
 *    whole-string comparison drowned it); when either key is pinyin,
 *    Latin words that are runs of pinyin syllables are split into them
 *    ("Hongxing" = hong xing), so syllables align one to one too.
 * 2. Abbreviations and other spellings of generic words are read as the
 *    words ("ТД" = торговый дом, "Impex" = import export, "Трейд" =
 *    trade): lines "ABBR = WORDS" of the list, matched on folded tokens,
 *    also across two tokens a key split at an apostrophe (E'ksport).
 * 3. Generic tokens: runs of tokens equal (folded) to a generic word or
 *    phrase of the list in any key form (original, simplified, pinyin,
 *    Latin).  If no token on either side is distinctive, none is generic
 *    (the generic words are then the name).
 * 4. Token similarity: 1 when equal.  Two pinyin syllables are equal or
 *    not (0.90 for the two readings of a polyphonic character ICU may
 *    choose otherwise: 长 chang/zhang); a syllable says little in three
 *    letters, so an edit distance would make 城 cheng and 风 feng alike.
 *    Other tokens: an edit-distance similarity (1 - distance / longer
 *    length) of the tokens folded over the transliteration standards'
 *    differences (rules/names_tok.c: kh/h/x, zh/z, ch/č/c, ts/cz/c,
 *    j/y/i, doubled letters, ya/â), sharpened below NS_SAME (a
 *    misspelling keeps one or two letters in five wrong; at NS_OTHER or
 *    below it is another word and scores 0); a prefix or consonant
 *    skeleton of a generic word ("Imp", "Tech", "Shpg") is an
 *    abbreviation of it.  Two adjacent tokens that together match one
 *    token of the other side at least NS_MERGE and better than either
 *    alone are merged first ("Redstar" / "Red Star", "Агроимпорт").
 * 5. Alignment: greedy one to one, the most similar pair first.
 * 6. Score = sum(w * s) / sum(w) over the tokens of both sides, s the
 *    token's alignment similarity (0 unaligned), w its length times:
 *    - distinctive, aligned: 1 + NS_BOOST * (1 - s): a distinctive word
 *      whose counterpart differs weighs more than one that matches;
 *    - generic, aligned: NS_GENERIC + (1 - NS_GENERIC) * (1 - s): a
 *      shared business word is weak evidence of the same company, a
 *      different one (Foods / Shipping) is full evidence of another;
 *    - generic, unaligned: NS_DROP_GENERIC: a business word left out
 *      (Северный Путь / Северный Путь Логистик) costs little;
 *    - distinctive, unaligned: NS_DROP: a name word left out costs more.
 *    The score is in 0..1, 1 only when every token aligns exactly, and
 *    symmetric but for alignment ties (broken by position).
 *
 * The weights were set by the model's reasoning and checked, not fitted,
 * on fixtures/screening/pairs.tsv (tests/unit/test_screening_pairs.c):
 * with STRONG 0.90 and POSSIBLE 0.80 its recall is 0.98 and no `no` pair
 * reaches either threshold; fifty-five pairs written afterwards measure
 * it on names it was not shaped on (fixtures/screening/README.md).
 */
#include <stdint.h>
#ifdef NS_DEBUG
#include <wchar.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"
#include "rules/names.h"
#include "rules/names_tok.h"

/* Weights of the model (above); measured on fixtures/screening/pairs.tsv. */
#define NS_GENERIC	0.30
#define NS_DROP_GENERIC	0.25
#define NS_DROP		1.50
#define NS_BOOST	1.00
#define NS_MERGE	0.85	/* a merged pair must match at least this */
#define NS_SAME		0.80	/* edit similarity of a misspelt word ... */
#define NS_OTHER	0.50	/* ... and, at most, of another word */
#define NS_MERGECP	256	/* code points of merged tokens, per side */

/* One side of a comparison: a copy of a name's token list that merging
 * may change, with room for the merged tokens. */
struct side {
	struct names_tok	t[NAMES_TOK_MAX];
	size_t			n;
	int32_t			buf[NS_MERGECP], fbuf[NS_MERGECP];
	size_t			used, fused;
};

/* ------------------------------------------------------------------ */
/* Token similarity.                                                   */

/* Are folded letters x and y the same letter? */
static int
same_letter(int32_t x, int32_t y)
{
	if (x == y)
		return 1;
	if (x == NAMES_TOK_O_OR_U)
		return y == 'o' || y == 'u';
	if (y == NAMES_TOK_O_OR_U)
		return x == 'o' || x == 'u';
	return 0;
}

/* Levenshtein distance of two short arrays. */
static size_t
lev(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
	size_t	row[NAMES_TOK_CP * 2 + 1], i, j, prev, cur, m;

	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			cur = row[j];
			m = prev < row[j] ? prev : row[j];
			m = m < row[j - 1] ? m : row[j - 1];
			row[j] = same_letter(a[i - 1], b[j - 1]) ? prev : 1 + m;
			prev = cur;
		}
	}
	return row[nb];
}

/* Is a (shorter) an abbreviation of b: its prefix, or a subsequence of
 * it from the same first letter ("Shpg" of "Shipping")? */
static double
abbrev(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
	size_t	i, j;

	if (na == 0 || na >= nb || a[0] != b[0])
		return 0;
	for (i = 0; i < na && a[i] == b[i]; i++)
		;
	if (i == na)
		return na >= 3 ? 0.95 : na == 1 ? 0.80 : 0;
	if (na < 3)
		return 0;
	for (i = 0, j = 0; i < na && j < nb; j++)
		if (a[i] == b[j])
			i++;
	return i == na ? 0.90 : 0;
}

/* Pairs of readings of one character that ICU's Han-Latin may give
 * otherwise than a name's Latin spelling: the polyphonic characters
 * common in names (长 chang/zhang, 重 chong/zhong, 行 xing/hang, 乐
 * le/yue, 朝 chao/zhao, 都 du/dou, 藏 cang/zang, 厦 xia/sha). */
static const char *const polyphones[][2] = {
	{ "chang", "zhang" }, { "chong", "zhong" }, { "hang", "xing" },
	{ "le", "yue" }, { "chao", "zhao" }, { "dou", "du" },
	{ "cang", "zang" }, { "sha", "xia" },
};

static int
syl_is(const struct names_tok *t, const char *s)
{
	size_t	i;

	for (i = 0; i < t->len && s[i] != '\0'; i++)
		if (t->cp[i] != (unsigned char)s[i])
			return 0;
	return i == t->len && s[i] == '\0';
}

static int
polyphone(const struct names_tok *a, const struct names_tok *b)
{
	size_t	i;

	for (i = 0; i < sizeof(polyphones) / sizeof(polyphones[0]); i++)
		if ((syl_is(a, polyphones[i][0]) && syl_is(b,
		    polyphones[i][1])) || (syl_is(a, polyphones[i][1]) &&
		    syl_is(b, polyphones[i][0])))
			return 1;
	return 0;
}

/* Similarity of two (folded) tokens, 0..1. */
static double
tok_sim(const struct names_tok *a, const struct names_tok *b)
{
	size_t	d, m;
	double	s, ab = 0;

	if (a->len == b->len && memcmp(a->cp, b->cp, sizeof(*a->cp) *
	    a->len) == 0)
		return 1.0;
	if (a->han || b->han)
		return 0.0;
	if (a->syl && b->syl)
		return polyphone(a, b) ? 0.90 : 0.0;
	if (a->syl || b->syl)
		;
	else if (b->generic && a->len < b->len)
		ab = abbrev(a->cp, a->len, b->cp, b->len);
	else if (a->generic && b->len < a->len)
		ab = abbrev(b->cp, b->len, a->cp, a->len);
	m = a->flen > b->flen ? a->flen : b->flen;
	d = a->flen > b->flen ? a->flen - b->flen : b->flen - a->flen;
	if (m == 0 || (double)d >= (1.0 - NS_OTHER) * (double)m)
		return ab;	/* the lengths alone make it another word */
	d = lev(a->fcp, a->flen < NAMES_TOK_CP ? a->flen : NAMES_TOK_CP, b->fcp,
	    b->flen < NAMES_TOK_CP ? b->flen : NAMES_TOK_CP);
	s = d == 0 ? 0.97 : 1.0 - (double)d / (double)m;
	if (s < NS_SAME)	/* not a misspelling: another word */
		s = s <= NS_OTHER ? 0 : NS_SAME * (s - NS_OTHER) /
		    (NS_SAME - NS_OTHER);
	return s > ab ? s : ab;
}

/* ------------------------------------------------------------------ */
/* Merging words written together, alignment, the score.               */

/* Token x[0] and x[1] written together, into j (buffers buf, fb of
 * NAMES_TOK_CP); 0, or -1 when they do not join: Han characters,
 * too long, or pinyin syllables that make no syllable (Xi'an = xian). */
static int
joined(const struct names_tok *x, struct names_tok *j, int32_t *buf,
    int32_t *fb)
{
	if (x[0].han || x[1].han || x[0].len + x[1].len > NAMES_TOK_CP)
		return -1;
	memcpy(buf, x[0].cp, sizeof(*buf) * x[0].len);
	memcpy(buf + x[0].len, x[1].cp, sizeof(*buf) * x[1].len);
	names_tok_set(j, buf, x[0].len + x[1].len, 0);
	if (x[0].syl && x[1].syl && !(j->syl = (uint8_t)names_tok_syllable(buf,
	    j->len)))
		return -1;
	j->generic = x[0].generic && x[1].generic;
	j->fcp = fb;
	j->flen = (uint32_t)names_tok_fold(buf, j->len, fb);
	return 0;
}

/* Does a token of y match x[0] and x[1] written together at least
 * NS_MERGE and better than either alone? */
static int
joins(const struct names_tok *x, const struct side *y)
{
	int32_t			buf[NAMES_TOK_CP], fb[NAMES_TOK_CP];
	struct names_tok	j;
	size_t			i;
	double			c;

	if (joined(x, &j, buf, fb) != 0)
		return 0;
	for (i = 0; i < y->n; i++) {
		if ((c = tok_sim(&y->t[i], &j)) < NS_MERGE)
			continue;
		if (c >= tok_sim(&y->t[i], &x[0]) &&
		    c >= tok_sim(&y->t[i], &x[1]))
			return 1;
	}
	return 0;
}

/* Merges adjacent tokens of x that one token of y matches better whole
 * than either alone (Redstar / Red Star, Агроимпорт / Агро Импорт). */
static void
toks_merge(struct side *x, const struct side *y)
{
	struct names_tok	j;
	size_t			k, l;

	for (k = 0; k + 1 < x->n; k++) {
		l = x->t[k].len + x->t[k + 1].len;
		if (x->used + l > NS_MERGECP || x->fused + l > NS_MERGECP ||
		    !joins(&x->t[k], y) ||
		    joined(&x->t[k], &j, x->buf + x->used, x->fbuf + x->fused)
		    != 0)
			continue;
		x->used += j.len;
		x->fused += j.flen;
		x->t[k] = j;
		memmove(&x->t[k + 1], &x->t[k + 2],
		    sizeof(x->t[0]) * (x->n - k - 2));
		x->n--;
		k = (size_t)-1;	/* from the start: a merge may enable one */
	}
}

/* A token's weight before the model's multipliers: its length. */
static double
tok_weight(const struct names_tok *t)
{
	return (double)t->len;
}

/* A token's weight in the score given its alignment similarity s (or
 * unaligned): see the top of the file. */
static double
tok_eff(const struct names_tok *t, int aligned, double s)
{
	double	m;

	if (!aligned)
		m = t->generic ? NS_DROP_GENERIC : NS_DROP;
	else if (t->generic)
		m = NS_GENERIC + (1.0 - NS_GENERIC) * (1.0 - s);
	else
		m = 1.0 + NS_BOOST * (1.0 - s);
	return tok_weight(t) * m;
}

/* The score of two token lists (the model's steps 5 and 6). */
static double
toks_score(const struct side *a, const struct side *b)
{
	float	sim[NAMES_TOK_MAX][NAMES_TOK_MAX];
	uint8_t	ua[NAMES_TOK_MAX] = { 0 }, ub[NAMES_TOK_MAX] = { 0 };
	size_t	i, j, k, bi = 0, bj = 0;
	double	num = 0, den = 0, best, e;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			sim[i][j] = (float)tok_sim(&a->t[i], &b->t[j]);
	for (k = 0; k < a->n && k < b->n; k++) {
		best = -1;
		for (i = 0; i < a->n; i++)
			for (j = 0; j < b->n; j++)
				if (!ua[i] && !ub[j] && sim[i][j] > best) {
					best = sim[i][j];
					bi = i;
					bj = j;
				}
		ua[bi] = ub[bj] = 1;
		e = tok_eff(&a->t[bi], 1, best);
		num += e * best;
		den += e;
		e = tok_eff(&b->t[bj], 1, best);
		num += e * best;
		den += e;
	}
	for (i = 0; i < a->n; i++)
		if (!ua[i])
			den += tok_eff(&a->t[i], 0, 0);
	for (j = 0; j < b->n; j++)
		if (!ub[j])
			den += tok_eff(&b->t[j], 0, 0);
	return den > 0 ? num / den : 0;
}

#ifdef NS_DEBUG
static void
ns_debug(const struct side *a, const struct side *b, double sc)
{
	const struct side	*x;
	size_t			 i, j, k;

	for (k = 0; k < 2; k++) {
		x = k ? b : a;
		for (i = 0; i < x->n; i++) {
			fputc(' ', stderr);
			for (j = 0; j < x->t[i].flen; j++)
				fprintf(stderr, "%lc", (wint_t)x->t[i].fcp[j]);
			fprintf(stderr, "%s%s", x->t[i].generic ? "*" : "",
			    x->t[i].syl ? "'" : "");
		}
		fprintf(stderr, k ? " = %.3f\n" : " |", sc);
	}
}
#endif

/* One name's tokens as a comparison reads them, wherever they are kept. */
struct toks_view {
	const struct names_tok	*t;
	size_t			 n;
	int			 distinct;	/* a token is not generic */
};

static void
side_set(struct side *s, const struct toks_view *v)
{
	s->n = v->n;
	memcpy(s->t, v->t, sizeof(v->t[0]) * v->n);
	s->used = s->fused = 0;
}

/* The view of tokens t made by names_toks_make() (which said distinct). */
static struct toks_view
toks_view_of(const struct names_toks *t, int distinct)
{
	struct toks_view	v = { t->t, t->n, distinct };

	return v;
}

/* The score of two names' token lists. */
static double
toks_compare(const struct toks_view *ta, const struct toks_view *tb)
{
	struct side	a, b;
	size_t		i;
	int		da = ta->distinct, db = tb->distinct;

	side_set(&a, ta);
	side_set(&b, tb);
	if (!da && !db) {	/* only generic words: they are the names */
		for (i = 0; i < a.n; i++)
			a.t[i].generic = 0;
		for (i = 0; i < b.n; i++)
			b.t[i].generic = 0;
	}
	toks_merge(&a, &b);
	toks_merge(&b, &a);
#ifdef NS_DEBUG
	ns_debug(&a, &b, toks_score(&a, &b));
#endif
	return toks_score(&a, &b);
}

double
names_key_score(const struct names_key *a, const struct names_key *b,
    const struct names_generic *generic)
{
	struct names_toks	ta, tb;
	struct toks_view	va, vb;
	int			pin, da, db;

	pin = a->variant == NAMES_PINYIN || b->variant == NAMES_PINYIN;
	da = names_toks_make(a->text, pin, generic, &ta);
	db = names_toks_make(b->text, pin, generic, &tb);
	va = toks_view_of(&ta, da);
	vb = toks_view_of(&tb, db);
	return toks_compare(&va, &vb);
}

double
names_token_set_score(const char *a, const char *b)
{
	struct names_toks	ta, tb;
	struct toks_view	va, vb;
	int			da, db;

	da = names_toks_make(a, 0, NULL, &ta);
	db = names_toks_make(b, 0, NULL, &tb);
	va = toks_view_of(&ta, da);
	vb = toks_view_of(&tb, db);
	return toks_compare(&va, &vb);
}

void
names_keys_toks_reset(struct names_keys_toks *c)
{
	memset(c->made, 0, sizeof(c->made));
}

/* Key i's tokens compared with pin, made into c on first use. */
static struct toks_view
keys_toks(struct names_keys_toks *c, const struct names_keys *k, size_t i,
    int pin, const struct names_generic *g, int *han)
{
	size_t	j;

	if (!c->made[i][pin]) {
		c->distinct[i][pin] = names_toks_make(k->k[i].text, pin, g,
		    &c->t[i][pin]);
		for (j = 0, c->han[i][pin] = 0; j < c->t[i][pin].n; j++)
			c->han[i][pin] |= c->t[i][pin].t[j].han;
		c->made[i][pin] = 1;
	}
	*han = c->han[i][pin];
	return toks_view_of(&c->t[i][pin], c->distinct[i][pin]);
}

/* Key i's tokens compared with pin, from kb when made there, else as
 * keys_toks() makes them into c. */
static struct toks_view
kept_toks(const struct names_keys_kept *kb, struct names_keys_toks *c,
    const struct names_keys *k, size_t i, int pin,
    const struct names_generic *g, int *han)
{
	const struct names_toks_kept	*t = kb != NULL ? &kb->t[i][pin] : NULL;

	if (t == NULL || t->t == NULL)
		return keys_toks(c, k, i, pin, g, han);
	*han = t->han;
	return (struct toks_view){ t->t, t->n, t->distinct };
}

void
names_match_keys(const struct names_keys *a, const struct names_keys *b,
    const struct names_generic *generic, struct names_hit *hit)
{
	struct names_keys_toks	ca;

	names_keys_toks_reset(&ca);
	names_match_keys_toks(a, &ca, b, NULL, generic, hit);
}

void
names_match_keys_toks(const struct names_keys *a, struct names_keys_toks *ca,
    const struct names_keys *b, const struct names_keys_kept *kb,
    const struct names_generic *generic, struct names_hit *hit)
{
	struct names_keys_toks	 cb;
	struct toks_view	 ta, tb;
	size_t			 i, j;
	int			 pin, ha, hb;
	double			 s;

	hit->score = 0;
	hit->variant = NAMES_ORIGINAL;
	names_keys_toks_reset(&cb);
	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++) {
			pin = a->k[i].variant == NAMES_PINYIN ||
			    b->k[j].variant == NAMES_PINYIN;
			/* two Han names compare by character: their pinyin
			 * would make homophones (华远, 华源) one name */
			if (a->k[i].variant == NAMES_PINYIN &&
			    b->k[j].variant == NAMES_PINYIN)
				continue;
			/* The same key is the same name, however its tokens
			 * would align (repeated or one-letter words). */
			if (a->k[i].text[0] != '\0' &&
			    strcmp(a->k[i].text, b->k[j].text) == 0)
				s = 1;
			else {
				ta = keys_toks(ca, a, i, pin, generic, &ha);
				tb = kept_toks(kb, &cb, b, j, pin, generic, &hb);
				if (ha != hb)
					continue;	/* Han against none: 0 */
				s = toks_compare(&ta, &tb);
			}
			if (s > hit->score) {
				hit->score = s;
				hit->variant = a->k[i].variant > b->k[j].variant ?
				    a->k[i].variant : b->k[j].variant;
			}
		}
}

/* A copy of t (which names_toks_make() said distinct or not) in one
 * allocation: the tokens, then their code points, folded ones apart only
 * where they differ. */
static void
toks_keep(const struct names_toks *t, int distinct, struct names_toks_kept *k)
{
	struct names_tok	*out;
	int32_t			*cp;
	size_t			 i, ncp = 0;

	for (i = 0; i < t->n; i++)
		ncp += t->t[i].len + (t->t[i].fcp != t->t[i].cp ?
		    t->t[i].flen : 0);
	out = xmalloc(sizeof(*out) * (t->n + 1) + sizeof(*cp) * (ncp + 1));
	cp = (int32_t *)(out + t->n + 1);
	k->han = 0;
	for (i = 0; i < t->n; i++) {
		out[i] = t->t[i];
		memcpy(cp, t->t[i].cp, sizeof(*cp) * t->t[i].len);
		out[i].cp = cp;
		cp += t->t[i].len;
		if (t->t[i].fcp == t->t[i].cp)
			out[i].fcp = out[i].cp;
		else {
			memcpy(cp, t->t[i].fcp, sizeof(*cp) * t->t[i].flen);
			out[i].fcp = cp;
			cp += t->t[i].flen;
		}
		k->han |= t->t[i].han;
	}
	k->t = out;
	k->n = (uint32_t)t->n;
	k->distinct = (uint8_t)(distinct != 0);
}

/* Are k and t (which names_toks_make() said distinct or not) the same
 * tokens? */
static int
toks_same(const struct names_toks_kept *k, const struct names_toks *t,
    int distinct)
{
	const struct names_tok	*x, *y;
	size_t			 i;

	if (k->t == NULL || k->n != t->n || k->distinct != (distinct != 0))
		return 0;
	for (i = 0; i < t->n; i++) {
		x = &k->t[i];
		y = &t->t[i];
		if (x->len != y->len || x->flen != y->flen ||
		    x->generic != y->generic || x->han != y->han ||
		    x->syl != y->syl ||
		    memcmp(x->cp, y->cp, sizeof(*x->cp) * x->len) != 0 ||
		    memcmp(x->fcp, y->fcp, sizeof(*x->fcp) * x->flen) != 0)
			return 0;
	}
	return 1;
}

void
names_keys_keep(const struct names_keys *b,
    const struct names_generic *generic, struct names_keys_kept *kb)
{
	struct names_toks	t;	/* 4 kB: a leaf caller's stack */
	size_t			i;
	int			pin, distinct;

	memset(kb, 0, sizeof(*kb));
	for (i = 0; i < b->n; i++)
		for (pin = 0; pin < 2; pin++) {
			/* A pinyin key is always compared split. */
			if (!pin && b->k[i].variant == NAMES_PINYIN)
				continue;
			distinct = names_toks_make(b->k[i].text, pin, generic,
			    &t);
			/* Most names hold no word to split into syllables:
			 * both pins then share one copy (3.8 of the 22 MB
			 * bench/screening's 12,000 names took). */
			if (pin && toks_same(&kb->t[i][0], &t, distinct))
				kb->t[i][1] = kb->t[i][0];
			else
				toks_keep(&t, distinct, &kb->t[i][pin]);
		}
}

void
names_keys_kept_free(struct names_keys_kept *kb)
{
	size_t	i;

	for (i = 0; i < NAMES_NVARIANTS; i++) {
		if (kb->t[i][1].t != kb->t[i][0].t)
			free(kb->t[i][1].t);
		free(kb->t[i][0].t);
	}
	memset(kb, 0, sizeof(*kb));
}

int
names_match(const char *name, const char *entry,
    const struct names_forms *forms, const struct names_generic *generic,
    struct names_hit *hit, char *err, size_t errlen)
{
	struct names_keys	ka, kb;

	if (names_keys(name, forms, &ka, err, errlen) != 0)
		return -1;
	if (names_keys(entry, forms, &kb, err, errlen) != 0) {
		names_keys_free(&ka);
		return -1;
	}
	names_match_keys(&ka, &kb, generic, hit);
	names_keys_free(&ka);
	names_keys_free(&kb);
	return 0;
}

