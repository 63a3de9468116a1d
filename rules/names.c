/*
 * names.c -- comparison keys for party names across scripts and a
 * token-set score between them (see names.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "rules/names.h"
#include "rules/names_tr.h"
/* u holds s (UTF-8; bad bytes become U+FFFD). */
static int
ustr_from_utf8(struct names_ustr *u, const char *s, char *err, size_t errlen)
{
	UErrorCode	 st = U_ZERO_ERROR;
	int32_t		 n = 0;

	u_strFromUTF8WithSub(NULL, 0, &n, s, -1, 0xfffd, NULL, &st);
	st = U_ZERO_ERROR;
	u->cap = n + 1;
	if ((u->s = malloc(sizeof(UChar) * (size_t)u->cap)) == NULL) {
		snprintf(err, errlen, "names: out of memory");
		return -1;
	}
	u_strFromUTF8WithSub(u->s, u->cap, &u->len, s, -1, 0xfffd, NULL, &st);
	if (U_FAILURE(st)) {
		free(u->s);
		snprintf(err, errlen, "names: bad UTF-8: %s", u_errorName(st));
		return -1;
	}
	return 0;
}

/* NFKC + case folding, then letters, digits and marks kept (lower case),
 * everything else a single space; joined keys lose their spaces. */
static char *
ustr_key(const struct names_ustr *u, int joined, char *err, size_t errlen)
{
	const UNormalizer2	*nf;
	UErrorCode		 st = U_ZERO_ERROR;
	UChar			*n = NULL, *o = NULL;
	int32_t			 nlen, i = 0, olen = 0;
	UChar32			 c;
	char			*out = NULL;

	nf = unorm2_getNFKCCasefoldInstance(&st);
	nlen = U_SUCCESS(st) ? unorm2_normalize(nf, u->s, u->len, NULL, 0,
	    &st) : 0;
	if (st == U_BUFFER_OVERFLOW_ERROR)
		st = U_ZERO_ERROR;
	if (U_FAILURE(st) || (n = malloc(sizeof(UChar) * (size_t)(nlen + 1)))
	    == NULL || (o = malloc(sizeof(UChar) * (size_t)(nlen * 2 + 1)))
	    == NULL)
		goto fail;
	unorm2_normalize(nf, u->s, u->len, n, nlen + 1, &st);
	while (U_SUCCESS(st) && i < nlen) {
		U16_NEXT(n, i, nlen, c);
		if (u_isalnum(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK)) {
			U16_APPEND_UNSAFE(o, olen, u_tolower(c));
		} else if (!joined && olen > 0 && o[olen - 1] != ' ')
			o[olen++] = ' ';
	}
	if (olen > 0 && o[olen - 1] == ' ')
		olen--;
	if (U_FAILURE(st))
		goto fail;
	if ((out = malloc((size_t)olen * 4 + 1)) == NULL)
		goto fail;
	u_strToUTF8(out, olen * 4 + 1, NULL, o, olen, &st);
	if (U_FAILURE(st)) {
		free(out);
		out = NULL;
		goto fail;
	}
	free(n);
	free(o);
	return out;
fail:
	free(n);
	free(o);
	snprintf(err, errlen, "names: normalisation: %s",
	    U_FAILURE(st) ? u_errorName(st) : "out of memory");
	return NULL;
}

/* Which scripts s holds: bit 0 Han, bit 1 Cyrillic, bit 2 other non-Latin,
 * bit 3 anything beyond ASCII. */
static int
scripts_of(const struct names_ustr *u)
{
	int32_t		 i = 0;
	UChar32		 c;
	UErrorCode	 st;
	UScriptCode	 sc;
	int		 m = 0;

	while (i < u->len) {
		U16_NEXT(u->s, i, u->len, c);
		if (c < 0x80)
			continue;
		m |= 8;
		st = U_ZERO_ERROR;
		sc = uscript_getScript(c, &st);
		if (U_FAILURE(st))
			continue;
		if (sc == USCRIPT_HAN)
			m |= 1;
		else if (sc == USCRIPT_CYRILLIC)
			m |= 2;
		else if (sc != USCRIPT_LATIN && sc != USCRIPT_COMMON &&
		    sc != USCRIPT_INHERITED)
			m |= 4;
	}
	return m;
}

static int
keys_add(struct names_keys *out, enum names_variant v, int joined,
    char *text)
{
	size_t	i;

	for (i = 0; i < out->n; i++)
		if (strcmp(out->k[i].text, text) == 0) {
			free(text);
			return 0;
		}
	out->k[out->n].variant = v;
	out->k[out->n].joined = joined;
	out->k[out->n].text = text;
	out->n++;
	return 0;
}

/* The key of name through transliterator `which` (-1: none). */
static char *
key_through(const char *name, int which, int joined, char *err,
    size_t errlen)
{
	struct names_ustr	 u;
	char			*k;

	if (ustr_from_utf8(&u, name, err, errlen) != 0)
		return NULL;
	if (which >= 0 && names_tr_run(&u, (enum names_tr)which, err,
	    errlen) != 0) {
		free(u.s);
		return NULL;
	}
	k = ustr_key(&u, joined, err, errlen);
	free(u.s);
	return k;
}

/* All keys of name, nothing stripped. */
static int
keys_raw(const char *name, struct names_keys *out, char *err, size_t errlen)
{
	struct names_ustr	 u;
	int			 m;
	char			*k;

	memset(out, 0, sizeof(*out));
	if (ustr_from_utf8(&u, name, err, errlen) != 0)
		return -1;
	m = scripts_of(&u);
	free(u.s);
	if ((k = key_through(name, -1, m & 1, err, errlen)) == NULL)
		goto fail;
	keys_add(out, NAMES_ORIGINAL, m & 1, k);
	if (m & 1) {
		if ((k = key_through(name, NAMES_TR_SIMPLIFIED, 1, err,
		    errlen)) == NULL)
			goto fail;
		keys_add(out, NAMES_SIMPLIFIED, 1, k);
		if ((k = key_through(name, NAMES_TR_PINYIN, 1, err,
		    errlen)) == NULL)
			goto fail;
		keys_add(out, NAMES_PINYIN, 1, k);
	} else if (m & 8) {	/* an ASCII name's original key is Latin */
		k = key_through(name, (m & 2) ? NAMES_TR_CYRILLIC : (m & 4) ?
		    NAMES_TR_ANY : NAMES_TR_ASCII, 0, err, errlen);
		if (k == NULL)
			goto fail;
		keys_add(out, NAMES_LATIN, 0, k);
	}
	return 0;
fail:
	names_keys_free(out);
	return -1;
}

void
names_keys_free(struct names_keys *k)
{
	size_t	i;

	for (i = 0; i < k->n; i++)
		free(k->k[i].text);
	k->n = 0;
}

void
names_forms_free(struct names_forms *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		free(f->pat[i].text);
	free(f->pat);
	f->pat = NULL;
	f->n = 0;
}

static int
pat_longer(const void *a, const void *b)
{
	size_t	la = strlen(((const struct names_key *)a)->text);
	size_t	lb = strlen(((const struct names_key *)b)->text);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

int
names_forms_init(struct names_forms *f, const char *const *forms, size_t n,
    char *err, size_t errlen)
{
	struct names_keys	 k;
	struct names_key	*p;
	size_t			 i, j, d;

	f->n = 0;
	if ((f->pat = calloc(n * NAMES_NVARIANTS + 1, sizeof(*f->pat)))
	    == NULL) {
		snprintf(err, errlen, "names: out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (keys_raw(forms[i], &k, err, errlen) != 0) {
			names_forms_free(f);
			return -1;
		}
		for (j = 0; j < k.n; j++) {
			p = &k.k[j];
			for (d = 0; d < f->n; d++)
				if (f->pat[d].joined == p->joined &&
				    strcmp(f->pat[d].text, p->text) == 0)
					break;
			if (d < f->n || p->text[0] == '\0') {
				free(p->text);
				continue;
			}
			f->pat[f->n++] = *p;
		}
	}
	qsort(f->pat, f->n, sizeof(*f->pat), pat_longer);
	return 0;
}

/* Removes joined patterns as suffixes of a joined key, in place. */
static void
strip_suffixes(char *s, const struct names_forms *f)
{
	size_t	i, ls, lp;
	int	again = 1;

	while (again) {
		again = 0;
		for (i = 0; i < f->n; i++) {
			ls = strlen(s);
			lp = strlen(f->pat[i].text);
			if (!f->pat[i].joined || lp >= ls ||
			    strcmp(s + ls - lp, f->pat[i].text) != 0)
				continue;
			s[ls - lp] = '\0';
			again = 1;
		}
	}
}

/* Does pattern p (tokens) start at s, ending at a token boundary? */
static size_t
token_run_at(const char *s, const char *p)
{
	size_t	lp = strlen(p);

	if (strncmp(s, p, lp) != 0 || (s[lp] != '\0' && s[lp] != ' '))
		return 0;
	return lp;
}

/* Removes whole-token patterns from a spaced key, in place; a key made
 * only of legal forms keeps them (it is the name). */
static void
strip_tokens(char *s, const struct names_forms *f)
{
	char	*w = s, *r = s, *keep;
	size_t	 i, lp = 0;

	if ((keep = strdup(s)) == NULL)
		return;
	while (*r != '\0') {
		for (i = 0; i < f->n; i++)
			if (!f->pat[i].joined &&
			    (lp = token_run_at(r, f->pat[i].text)) > 0)
				break;
		if (i < f->n) {
			r += lp;
		} else {
			if (w != s)
				*w++ = ' ';
			while (*r != '\0' && *r != ' ')
				*w++ = *r++;
		}
		while (*r == ' ')
			r++;
	}
	*w = '\0';
	if (*s == '\0')
		strcpy(s, keep);
	free(keep);
}

int
names_keys(const char *name, const struct names_forms *forms,
    struct names_keys *out, char *err, size_t errlen)
{
	size_t	i;

	if (keys_raw(name, out, err, errlen) != 0)
		return -1;
	for (i = 0; forms != NULL && i < out->n; i++) {
		if (out->k[i].joined)
			strip_suffixes(out->k[i].text, forms);
		else
			strip_tokens(out->k[i].text, forms);
	}
	return 0;
}

const char *
names_variant_str(enum names_variant v)
{
	static const char *const s[NAMES_NVARIANTS] = {
		"original", "simplified", "pinyin", "latin"
	};

	return v < NAMES_NVARIANTS ? s[v] : "?";
}

/* The ORIGINAL key of name alone (no transliteration, nothing stripped). */
char *
names_fold(const char *name, char *err, size_t errlen)
{
	struct names_ustr u;
	int		 m;

	if (ustr_from_utf8(&u, name, err, errlen) != 0)
		return NULL;
	m = scripts_of(&u);
	free(u.s);
	return key_through(name, -1, m & 1, err, errlen);
}
