/*
 * fuzzy.c -- party name normalisation and Jaro-Winkler similarity.
 *
 * Normalisation runs once per name; the rule engine normalises list
 * entries when it loads them, so screening a party costs one
 * normalisation and one comparison per entry.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "manifest/util.h"

#include "fuzzy.h"

/* Cyrillic (Russian and Kazakh) lower case letters to Latin. */
static const struct {
	int32_t		 cp;
	const char	*latin;
} fuzzy_translit[] = {
	{ 0x430, "a" }, { 0x431, "b" }, { 0x432, "v" }, { 0x433, "g" },
	{ 0x434, "d" }, { 0x435, "e" }, { 0x451, "e" }, { 0x436, "zh" },
	{ 0x437, "z" }, { 0x438, "i" }, { 0x439, "y" }, { 0x43a, "k" },
	{ 0x43b, "l" }, { 0x43c, "m" }, { 0x43d, "n" }, { 0x43e, "o" },
	{ 0x43f, "p" }, { 0x440, "r" }, { 0x441, "s" }, { 0x442, "t" },
	{ 0x443, "u" }, { 0x444, "f" }, { 0x445, "kh" }, { 0x446, "ts" },
	{ 0x447, "ch" }, { 0x448, "sh" }, { 0x449, "shch" }, { 0x44a, "" },
	{ 0x44b, "y" }, { 0x44c, "" }, { 0x44d, "e" }, { 0x44e, "yu" },
	{ 0x44f, "ya" }, { 0x4d9, "a" }, { 0x493, "g" }, { 0x49b, "k" },
	{ 0x4a3, "n" }, { 0x4e9, "o" }, { 0x4b1, "u" }, { 0x4af, "u" },
	{ 0x4bb, "h" }, { 0x456, "i" },
};

/* Legal-form words, compared after transliteration and case folding. */
static const char *fuzzy_legal_words[] = {
	"ag", "ao", "bv", "co", "company", "corp", "corporation", "gmbh",
	"inc", "ip", "jsc", "limited", "llc", "llp", "ltd", "oao", "ooo",
	"pao", "plc", "sa", "too", "zao", "tov",
};

/* Chinese legal forms, removed wherever they occur (no spaces in CJK). */
static const char *fuzzy_cjk_forms[] = {
	"股份有限公司", "有限责任公司", "有限公司", "公司",
};

/* Appends code point cp to the growing array. */
static void
fuzzy_push(int32_t **v, size_t *n, size_t *cap, int32_t cp)
{
	if (*n == *cap) {
		*cap = *cap == 0 ? 32 : *cap * 2;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = cp;
}

/* Appends the Latin for a Cyrillic letter; false if cp is not one. */
static bool
fuzzy_push_translit(int32_t **v, size_t *n, size_t *cap, int32_t cp)
{
	size_t		 i;
	const char	*p;

	for (i = 0; i < nitems(fuzzy_translit); i++) {
		if (fuzzy_translit[i].cp != cp)
			continue;
		for (p = fuzzy_translit[i].latin; *p != '\0'; p++)
			fuzzy_push(v, n, cap, (unsigned char)*p);
		return true;
	}
	return false;
}

/* True if the word v[0..n) is a legal-form word. */
static bool
fuzzy_is_legal_word(const int32_t *v, size_t n)
{
	size_t	i, j;

	for (i = 0; i < nitems(fuzzy_legal_words); i++) {
		const char *w = fuzzy_legal_words[i];

		if (strlen(w) != n)
			continue;
		for (j = 0; j < n && v[j] == (unsigned char)w[j]; j++)
			;
		if (j == n)
			return true;
	}
	return false;
}

/* Removes the Chinese legal forms from the UTF-8 string s in place. */
static void
fuzzy_strip_cjk(char *s)
{
	size_t	 i, len;
	char	*p;

	for (i = 0; i < nitems(fuzzy_cjk_forms); i++) {
		len = strlen(fuzzy_cjk_forms[i]);
		while ((p = strstr(s, fuzzy_cjk_forms[i])) != NULL)
			memmove(p, p + len, strlen(p + len) + 1);
	}
}

/* Copies the words of raw into out, dropping legal-form words. */
static size_t
fuzzy_words(const int32_t *raw, size_t nraw, int32_t **out)
{
	int32_t	*v = NULL;
	size_t	 n = 0, cap = 0, i = 0, start;

	while (i < nraw) {
		while (i < nraw && raw[i] == ' ')
			i++;
		start = i;
		while (i < nraw && raw[i] != ' ')
			i++;
		if (i == start || fuzzy_is_legal_word(raw + start, i - start))
			continue;
		if (n > 0)
			fuzzy_push(&v, &n, &cap, ' ');
		for (; start < i; start++)
			fuzzy_push(&v, &n, &cap, raw[start]);
	}
	*out = v;
	return n;
}

/* The normalised form of s as code points; caller frees *out. */
size_t
rules_fuzzy_normalise(const char *s, int32_t **out)
{
	utf8proc_uint8_t	*folded = NULL;
	utf8proc_ssize_t	 len, off = 0, k;
	utf8proc_int32_t	 cp;
	int32_t			*raw = NULL;
	size_t			 n = 0, cap = 0, words;

	*out = NULL;
	len = utf8proc_map((const utf8proc_uint8_t *)(s == NULL ? "" : s),
	    0, &folded, UTF8PROC_NULLTERM | UTF8PROC_STABLE |
	    UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
	    UTF8PROC_STRIPMARK);
	if (len < 0)
		return 0;
	fuzzy_strip_cjk((char *)folded);
	len = (utf8proc_ssize_t)strlen((char *)folded);
	while (off < len) {
		k = utf8proc_iterate(folded + off, len - off, &cp);
		if (k <= 0)
			break;
		off += k;
		switch (utf8proc_category(cp)) {
		case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
		case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
			if (!fuzzy_push_translit(&raw, &n, &cap, cp))
				fuzzy_push(&raw, &n, &cap, cp);
			break;
		default:
			fuzzy_push(&raw, &n, &cap, ' ');
			break;
		}
	}
	free(folded);
	words = fuzzy_words(raw, n, out);
	free(raw);
	return words;
}

/* Jaro-Winkler similarity of two code point strings, 0..1. */
double
rules_fuzzy_similarity_cp(const int32_t *a, size_t na, const int32_t *b,
    size_t nb)
{
	unsigned char	*ma, *mb;
	size_t		 i, j, lo, hi, window, m = 0, t = 0, prefix = 0;
	double		 jaro;

	if (na == 0 && nb == 0)
		return 1.0;
	if (na == 0 || nb == 0)
		return 0.0;
	window = (na > nb ? na : nb) / 2;
	window = window > 0 ? window - 1 : 0;
	ma = xcalloc(na, 1);
	mb = xcalloc(nb, 1);
	for (i = 0; i < na; i++) {
		lo = i > window ? i - window : 0;
		hi = i + window + 1 < nb ? i + window + 1 : nb;
		for (j = lo; j < hi; j++) {
			if (mb[j] || a[i] != b[j])
				continue;
			ma[i] = mb[j] = 1;
			m++;
			break;
		}
	}
	for (i = 0, j = 0; i < na && m > 0; i++) {
		if (!ma[i])
			continue;
		while (!mb[j])
			j++;
		if (a[i] != b[j])
			t++;
		j++;
	}
	free(ma);
	free(mb);
	if (m == 0)
		return 0.0;
	jaro = ((double)m / na + (double)m / nb +
	    ((double)m - t / 2.0) / m) / 3.0;
	while (prefix < 4 && prefix < na && prefix < nb &&
	    a[prefix] == b[prefix])
		prefix++;
	return jaro + prefix * 0.1 * (1.0 - jaro);
}

/* Similarity of two names after normalisation, 0..1. */
double
rules_fuzzy_similarity(const char *a, const char *b)
{
	int32_t	*va, *vb;
	size_t	 na = rules_fuzzy_normalise(a, &va);
	size_t	 nb = rules_fuzzy_normalise(b, &vb);
	double	 s = rules_fuzzy_similarity_cp(va, na, vb, nb);

	free(va);
	free(vb);
	return s;
}
